#!/usr/bin/env python3
"""Turns the raw results of scripts/bench.sh (build/bench/res/) into the Markdown tables of `make
bench`: the figures of issue 2 next to their targets and the reference allocators, then every
measurement in detail. usage: report.py RESDIR"""
import os
import sys

RES = sys.argv[1] if len(sys.argv) > 1 else "build/bench/res"
POLICIES = ["good", "best", "first"]
TARGETS = POLICIES + ["malloc"]
WORKLOADS = ["A", "B", "C", "A64"]
REFS = ["TLSF", "o1heap", "Zephyr", "umm", "FreeRTOS heap_4/5"]


def kv(name):
    """key value lines of RES/name, or {} if missing."""
    d = {}
    try:
        with open(os.path.join(RES, name)) as f:
            for line in f:
                p = line.split()
                if len(p) == 2:
                    d[p[0]] = p[1]
    except OSError:
        pass
    return d


def sums(name):
    """[(callee, calls, Ir)] of RES/name."""
    out = []
    try:
        with open(os.path.join(RES, name)) as f:
            for line in f:
                p = line.split()
                if len(p) == 3:
                    out.append((p[0], int(p[1]), int(p[2])))
    except OSError:
        pass
    return out


def instr(arch, w, t):
    """(Ir per alloc, Ir per free, failures) or None."""
    s = sums("instr.%s.%s.%s.sum" % (arch, w, t))
    if len(s) != 2 or s[0][1] == 0 or s[1][1] == 0:
        return None
    return s[0][2] / s[0][1], s[1][2] / s[1][1], kv("instr.%s.%s.%s.run" % (arch, w, t)).get("failures", "?")


def wc(arch, v, k, t):
    """(alloc Ir, free Ir, returned NULL) or None. -m32 without callgrind: the i386 firmware's count
    (fw_pair), when there is one."""
    s = sums("wc.%s.%s.%s.%s.sum" % (arch, v, k, t))
    r = kv("wc.%s.%s.%s.%s.run" % (arch, v, k, t))
    if (len(s) != 2 or "null" not in r) and arch == "m32":
        q = fw_pair("i386", "BENCHWC", (v, k, t))
        return None if q is None else ("%s ‡" % fmt(q[0]), "%s ‡" % fmt(q[1]), q[2])
    if len(s) != 2 or "null" not in r:
        return None
    null = r["null"] == "1"
    return s[0][2] if s[0][1] == 1 else None, s[1][2] if s[1][1] == 1 else None, null


def minarena(w, t):
    r = kv("minarena.m32.%s.%s.run" % (w, t))
    if "robust_ratio" not in r:
        return None
    return float(r["bisect_ratio"]), float(r["robust_ratio"]), int(r["peak_live"]), int(r["bisect"]), int(r["robust"])


def fmt(x, nd=1):
    if x is None:
        return "n/a"
    if isinstance(x, str):  # already formatted (a firmware count, marked)
        return x
    if isinstance(x, float):
        return "%.*f" % (nd, x)
    return "{:,}".format(x)


def verdict(value, limit, lower_is_better=True):
    if value is None:
        return "n/a"
    ok = value <= limit if lower_is_better else value >= limit
    if ok:
        return "ok"
    return "MISS (+%.1f%%)" % (100.0 * (value - limit) / limit)


def wc_worst(arch, k, t):
    """Worst over V1/V2 of the probe alloc: (Ir, any NULL)."""
    vals, null = [], False
    for v in ("V1", "V2"):
        r = wc(arch, v, k, t)
        if r is None or r[0] is None:
            return None, None
        vals.append(r[0])
        null = null or r[2]
    return max(vals), null


def main():
    p = print
    p("## Issue 2 figures, measured, next to the targets and the reference allocators\n")
    p("Instructions: Valgrind callgrind, inclusive cost of the entry point (`rtm_heap_alloc`, `rtm_heap_free`,")
    p("`malloc`, `free`) summed over the calls the runner makes, divided by their number; x86-64, gcc -O2.")
    p("Minimum arena: whole buffer given to `rtm_heap_init` (control data included) / peak live requested bytes, -m32.\n")
    try:
        with open(os.path.join(RES, "m32instr.skipped")) as f:
            why = f.read().strip()
            if any(fw_inclusive("i386", w, t) for w in WORKLOADS for t in POLICIES):
                p("-m32 instruction counts: callgrind could not take them (%s); the workload rows are counted on" % why)
                p("bare-metal i386 under QEMU -icount instead (marked ‡: same core source, call sequence taken off).\n")
            else:
                p("-m32 instruction counts (n/a below): not measured, %s.\n" % why)
    except OSError:
        pass
    head = "| figure | good-fit | good target | verdict | best-fit | best target | verdict | first-fit | malloc | " + " | ".join(REFS) + " |"
    p(head)
    p("|" + "---|" * (head.count("|") - 1))
    ia = {t: instr("x64", "A", t) for t in TARGETS}
    refs_alloc = ["120", "76", "121", "2,222", "312"]
    refs_free = ["82", "44", "86", "47", "175"]
    for idx, (label, limit, refs) in enumerate((("A instr/alloc, x86-64", 80, refs_alloc),
                                                ("A instr/free, x86-64", 50, refs_free))):
        v = {t: (ia[t][idx] if ia[t] else None) for t in TARGETS}
        p("| %s | %s | <= %d | %s | %s | report | | %s | %s | %s |" % (
            label, fmt(v["good"]), limit, verdict(v["good"], limit), fmt(v["best"]), fmt(v["first"]),
            fmt(v["malloc"]), " | ".join(refs)))
    w10 = {t: wc_worst("x64", 10000, t) for t in POLICIES}
    w1 = {t: wc_worst("x64", 1000, t) for t in POLICIES}

    def wcs(t):
        ir, null = w10[t]
        if ir is None:
            return "n/a"
        return "%s%s" % (fmt(ir), " NULL" if null else "")

    g10, g1 = w10["good"], w1["good"]
    if g10[0] is None or g1[0] is None:
        gv = "n/a"
    else:
        problems = []
        if g10[0] > 150:
            problems.append("MISS (+%.1f%%)" % (100.0 * (g10[0] - 150) / 150))
        if g10[0] != g1[0]:
            problems.append("K=1,000: %s" % fmt(g1[0]))
        if g10[1] or g1[1]:
            problems.append("NULL")
        gv = ", ".join(problems) if problems else "ok (K=1,000: %s)" % fmt(g1[0])
    p("| worst-case alloc K=10,000 (max of V1, V2), x86-64 | %s | <= 150, same as K=1,000, never NULL | %s | %s | report | | %s | - | %s |" % (
        wcs("good"), gv, wcs("best"), wcs("first"), " | ".join(["138", "84", "79 (NULL on V2)", "150,064", "80,054"])))
    ref_arena = {"A": ["1.15", "1.60", "1.31", "1.13", "1.22"], "B": ["1.27", "1.64", "1.45", "1.26", "1.20"],
                 "C": ["1.38", "1.63", "1.41", "1.38", "1.28"]}
    good_t = {"A": 1.15, "B": 1.25, "C": 1.30}
    best_t = {"A": 1.10, "B": 1.18, "C": 1.22}
    for w in ("A", "B", "C"):
        m = {t: minarena(w, t) for t in POLICIES}
        r = {t: (m[t][1] if m[t] else None) for t in POLICIES}
        p("| min arena %s (-m32, robust) | %s | <= %.2f | %s | %s | <= %.2f | %s | %s | - | %s |" % (
            w, fmt(r["good"], 3), good_t[w], verdict(r["good"], good_t[w]), fmt(r["best"], 3), best_t[w],
            verdict(r["best"], best_t[w]), fmt(r["first"], 3), " | ".join(ref_arena[w])))

    p("\n## Instructions per alloc / per free (callgrind, inclusive, -O2)\n")
    p("| workload | arch | " + " | ".join("%s alloc | %s free" % (t, t) for t in TARGETS) + " | failures (g/b/f/m) |")
    p("|" + "---|" * (3 + 2 * len(TARGETS)))
    for w in WORKLOADS:
        for arch in ("x64", "m32"):
            row, fails = [], []
            for t in TARGETS:
                r = instr(arch, w, t)
                q = fw_inclusive("i386", w, t) if r is None and arch == "m32" and t in POLICIES else None
                if q is not None:  # bare-metal i386 under QEMU -icount, call sequence taken off
                    row += ["%s ‡" % fmt(q[0]), "%s ‡" % fmt(q[1])]
                    fails.append(fw_runs("i386", "O2", w)[t].get("failures", "?"))
                    continue
                row += [fmt(r[0]) if r else "n/a", fmt(r[1]) if r else "n/a"]
                fails.append(r[2] if r else "?")
            p("| %s | %s | %s | %s |" % (w, "x86-64" if arch == "x64" else "-m32", " | ".join(row), "/".join(fails)))
    p("\nA64 allocates through `rtm_heap_aligned_alloc(h, 64, n)` (malloc: `posix_memalign`). Arena 1 MiB.")
    if any(fw_inclusive("i386", w, t) for w in WORKLOADS for t in POLICIES):
        p("‡: callgrind could not run the -m32 program; counted instead on bare-metal i386 under QEMU")
        p("-icount (section \"i386 bare metal\" below: same core source, gcc -m32 -O2 -fno-pie), less the call")
        p("sequence, which stand-ins counted the same way give exactly (docs/bench.md). No malloc there.")

    p("\n## ns per op (median of 5 runs of the whole op list, x86-64 -O2, runner overhead included)\n")
    p("| workload | " + " | ".join(TARGETS) + " |")
    p("|" + "---|" * (1 + len(TARGETS)))
    for w in WORKLOADS:
        cells = []
        for t in TARGETS:
            r = kv("time.x64.%s.%s.run" % (w, t))
            cells.append("%s (%s-%s)" % (r["ns_median"], r["ns_min"], r["ns_max"]) if "ns_median" in r else "n/a")
        p("| %s | %s |" % (w, " | ".join(cells)))

    p("\n## Worst case (WORKLOADS.md): one alloc(probe) and its free, instructions\n")
    p("| variant | K | arch | " + " | ".join("%s alloc | %s free" % (t, t) for t in POLICIES) + " |")
    p("|" + "---|" * (3 + 2 * len(POLICIES)))
    for v in ("V1", "V2"):
        for k in ("1000", "10000"):
            for arch in ("x64", "m32"):
                cells = []
                for t in POLICIES:
                    r = wc(arch, v, k, t)
                    if r is None:
                        cells += ["n/a", "n/a"]
                    elif r[2]:
                        cells += ["%s NULL" % fmt(r[0]), "-"]
                    else:
                        cells += [fmt(r[0]), fmt(r[1])]
                p("| %s | %s | %s | %s |" % (v, "{:,}".format(int(k)), "x86-64" if arch == "x64" else "-m32",
                                             " | ".join(cells)))
    p("\nNULL: the probe allocation failed although `last` (a free block of the probe's size) was free.")

    p("\n## Good fit's longest O(1) path (constructed; `rtm_bench path`, not a WORKLOADS.md figure)\n")
    p("A request that rounds up and is small (block < 48 B) or large (>= 512 B) compares the heads of up")
    p("to six non-empty larger classes (the low pick, docs/heap.md); here each class is on a first level")
    p("of its own and every step replaces the pick. One alloc and its free, instructions.\n")
    p("| request | arch | classes visited | alloc | free |")
    p("|---|---|---|---|---|")
    for v, req in (("small", "16 B"), ("large", "520 B")):
        for arch in ("x64", "m32"):
            s_ = sums("path.%s.%s.sum" % (arch, v))
            r = kv("path.%s.%s.run" % (arch, v))
            a_ = [ir for (fn, calls, ir) in s_ if fn == "rtm_heap_alloc" and calls == 1]
            f_ = [ir for (fn, calls, ir) in s_ if fn == "rtm_heap_free" and calls == 1]
            q = fw_pair("i386", "BENCHPATH", (v,)) if arch == "m32" and not s_ else None
            if q is not None:  # the i386 firmware's count (marked as in the workload table)
                a_, f_, r = ["%s ‡" % fmt(q[0])], ["%s ‡" % fmt(q[1])], {"classes_visited": q[3].get("classes_visited", "n/a")}
            p("| %s | %s | %s | %s | %s |" % (req, "x86-64" if arch == "x64" else "-m32", r.get("classes_visited", "n/a"),
                                             fmt(a_[0]) if a_ else "n/a", fmt(f_[0]) if f_ else "n/a"))

    p("\n## Minimum arena (-m32): bisection / robust, ratio to peak live bytes\n")
    p("| workload | peak live B | " + " | ".join("%s bisect | %s robust" % (t, t) for t in POLICIES) + " |")
    p("|" + "---|" * (2 + 2 * len(POLICIES)))
    for w in WORKLOADS:
        cells, peak = [], None
        for t in POLICIES:
            m = minarena(w, t)
            if m is None:
                cells += ["n/a", "n/a"]
            else:
                peak = m[2]
                cells += ["%.3f (%s)" % (m[0], fmt(m[3])), "%.3f (%s)" % (m[1], fmt(m[4]))]
        p("| %s | %s | %s |" % (w, fmt(peak) if peak else "n/a", " | ".join(cells)))
    p("\nBytes in parentheses: the arena (whole buffer given to `rtm_heap_init`). Robust: scanning down from")
    p("1.15 x the bisection result in steps of peak/400, the smallest size above which every step passed.")

    models = ("heap4", "first32", "best32")
    rows = []
    for w in ("A", "B", "C"):
        m = {t: kv("minarena.model.%s.%s.run" % (w, t)) for t in models}
        if not any("robust_ratio" in m[t] for t in models):
            continue
        cell = lambda t: "%.3f" % float(m[t]["robust_ratio"]) if "robust_ratio" in m[t] else "n/a"
        floor = lambda t: "%.3f" % float(m[t]["floor_ratio"]) if "floor_ratio" in m[t] else "n/a"
        rows.append("| %s | %s | %s | %s | %s | %s |" % (w, cell("heap4"), ref_arena[w][4],  # heap_4/5's column
                                                       cell("first32"), cell("best32"), floor("first32")))
    if rows:
        p("\n## Placement models (bench/models.h), -m32 layouts, robust minimum arena\n")
        p("| workload | heap4 model | FreeRTOS heap_4/5 (issue 2) | first32: plain first fit, no control block | best32: plain best fit, no control block | floor, rtm's 32-bit format |")
        p("|---|---|---|---|---|---|")
        for r in rows:
            p(r)
        p("\nThe heap4 model against the issue's measured figure checks the generators and the search; the floor is the")
        p("largest sum of blocks live at once (no placement does better). Other seeds: `scripts/seeds.sh` (docs/bench.md).")


def fw_lines(group, opt, w, tag):
    """[(fields, {key: value})] of the lines starting with tag in RES/<group>.<opt>.<w>.run: the
    fields without '=' (tag included) and the key=value ones."""
    out = []
    try:
        with open(os.path.join(RES, "%s.%s.%s.run" % (group, opt, w))) as f:
            for line in f:
                p = line.split()
                if p and p[0] == tag:
                    out.append(([x for x in p if "=" not in x], dict(x.split("=", 1) for x in p if "=" in x)))
    except OSError:
        pass
    return out


def fw_runs(group, opt, w):
    """{policy: {key: value}} from the BENCHWL lines (BENCHWL board opt W policy key=value...)."""
    return {fields[4]: d for fields, d in fw_lines(group, opt, w, "BENCHWL")
            if len(fields) >= 5 and fields[2] == opt and fields[3] == w}


# What the stand-ins of targets/bench_workloads.c execute themselves (BENCHCALL): the rest of their
# count is the call sequence, which callgrind's inclusive count of a function does not contain.
STUB_BODY = {"alloc": 2, "aligned": 2, "free": 1}


def fw_call_cost(group, opt, w):
    """{"alloc", "aligned", "free": instructions of the call sequence} from the BENCHCALL line
    (BENCHCALL board opt key=value...), or {}."""
    for fields, d in fw_lines(group, opt, w, "BENCHCALL"):
        if len(fields) >= 3 and fields[2] == opt:
            return {k: int(d[k]) - STUB_BODY[k] for k in STUB_BODY if k in d}
    return {}


def fw_pair(group, tag, match):
    """(alloc, free, null, {key: value}) of the first <tag> line of RES/<group>.O2.wc.run whose plain
    fields end with the tuple match, the call sequence taken off (as fw_inclusive), or None."""
    c = fw_call_cost(group, "O2", "wc")
    for fields, d in fw_lines(group, "O2", "wc", tag):
        if tuple(fields[-len(match):]) == match and "alloc" in d and "free" in d and "alloc" in c and "free" in c:
            return int(d["alloc"]) - c["alloc"], int(d["free"]) - c["free"], d.get("null", "0") == "1", d
    return None


def fw_inclusive(group, w, t):
    """(alloc, free) instructions per call of policy t on workload w, -O2 firmware of group, with the
    call sequence taken off (comparable with callgrind's inclusive counts), or None."""
    r = fw_runs(group, "O2", w).get(t)
    c = fw_call_cost(group, "O2", w)
    a_key = "aligned" if w == "A64" else "alloc"
    if not r or a_key not in c or "free" not in c or "alloc_mean" not in r or "free_mean" not in r:
        return None
    return float(r["alloc_mean"]) - c[a_key], float(r["free_mean"]) - c["free"]


def firmware(group, title, intro, ref_head, refs):
    """A firmware group's section (targets/bench_workloads.c under QEMU -icount): instructions per
    call of workload A next to reference figures, then every workload in detail."""
    p = print
    p("\n## %s\n" % title)
    try:
        with open(os.path.join(RES, "%s.skipped" % group)) as f:
            p("Not measured: %s.\n" % f.read().strip())
            return
    except OSError:
        pass
    for line in intro:
        p(line)
    p("")

    def cell(r, key):
        return "%.1f" % float(r[key]) if r and key in r else "n/a"

    p("| " + " | ".join(["workload A, mean", "core", "good-fit", "best-fit", "first-fit"] + ref_head) + " |")
    p("|" + "---|" * (5 + len(ref_head)))
    for opt in ("O2", "Os"):
        r = fw_runs(group, opt, "A")
        cells = ["%s / %s" % (cell(r.get(t), "alloc_mean"), cell(r.get(t), "free_mean")) for t in POLICIES]
        p("| " + " | ".join(["alloc / free", "-" + opt] + cells + list(refs[opt])) + " |")
    p("\n| workload | core | " + " | ".join("%s alloc mean (max) | %s free mean (max)" % (t, t) for t in POLICIES)
      + " | call sequence (alloc / free) | totals checked |")
    p("|" + "---|" * (4 + 2 * len(POLICIES)))
    for w in WORKLOADS:
        for opt in ("O2", "Os"):
            r = fw_runs(group, opt, w)
            if not r:
                continue
            cells, totals = [], []
            for t in POLICIES:
                x = r.get(t)
                if x is None:
                    cells += ["n/a", "n/a"]
                    continue
                cells += ["%s (%s)" % (cell(x, "alloc_mean"), x.get("alloc_max", "?")),
                          "%s (%s)" % (cell(x, "free_mean"), x.get("free_max", "?"))]
                totals.append("%s/%s" % (x.get("allocs", "?"), x.get("peak_live", "?")))
            c = fw_call_cost(group, opt, w)
            a_key = "aligned" if w == "A64" else "alloc"
            calls = "%s / %s" % (c.get(a_key, "?"), c.get("free", "?"))
            # ok only for a run that finished (its SUMMARY line says no case failed) with every policy
            with open(os.path.join(RES, "%s.%s.%s.run" % (group, opt, w))) as f:
                lines = f.read().splitlines()
            finished = any(l.startswith("SUMMARY ") and l.endswith(" 0 failed") for l in lines)
            bad = any(l.startswith("FAIL ") for l in lines) or not finished or len(totals) != len(POLICIES)
            fail = "FAIL" if bad else "ok"
            same = len(set(totals)) == 1
            p("| %s | -%s | %s | %s | %s %s |" % (w, opt, " | ".join(cells), calls, fail if same else "FAIL",
                                                 totals[0] if totals else ""))
    p("\nTotals checked: the firmware compares allocations and peak live bytes with WORKLOADS.md")
    p("(allocations / peak live B shown) and requires no failed allocation; A64 allocates through")
    p("`rtm_heap_aligned_alloc(h, 64, n)`. Means and maxima include the call sequence (argument")
    p("set-up, the call, the stack adjustment), measured on stand-ins of the same signatures and shown")
    p("in its own column. These are instruction counts, not cycles (QEMU models no pipeline, wait")
    p("states or caches).")


main()
firmware("thumb", "Cortex-M3 (QEMU -icount), Thumb-2 instructions per alloc / free", [
    "`targets/bench_workloads.c` on `qemu-system-arm -M mps2-an385 -icount shift=7`: every call counted",
    "by SysTick (instructions = ticks / 3.2), the counter read's own cost subtracted; release core",
    "(no RTM_DEBUG, no per-op checks), arm-none-eabi-gcc -mcpu=cortex-m3, 1 MiB arena, whole workload",
    "including the clean-up frees. Reference allocators: ../shared/HEAP-NOTES.md, same workload and",
    "counting (o1heap and TLSF figures are for -O2)."],
    ["o1heap", "TLSF", "Zephyr"], {"O2": ("66 / 39", "102 / 69", "143 / 120"), "Os": ("-", "-", "309 / 307")})
firmware("thumb1", "Cortex-M0+ (ARMv6-M code on QEMU's Cortex-M3, -icount), Thumb-1 instructions per alloc / free", [
    "The same images built `-mcpu=cortex-m0plus` (board mps2-an385-v6m): ARMv6-M code (Thumb-1, no",
    "CLZ: libgcc's bit scans), run on the an385's Cortex-M3, which executes that subset as an M0+",
    "would, so the instructions counted are the M0+'s (QEMU's micro:bit, a Cortex-M0, has 16 KiB of",
    "RAM, too little for the 1 MiB arena). Otherwise as the Cortex-M3 section: SysTick counting, the",
    "counter read's own cost subtracted, release core. No reference figures for ARMv6-M."],
    [], {"O2": (), "Os": ()})
firmware("rv32", "RV32IMAC (QEMU riscv32 virt, -icount), instructions per alloc / free", [
    "`targets/bench_workloads.c` on `qemu-system-riscv32 -M virt -icount shift=7`: every call counted",
    "by minstret (QEMU derives it from virtual time: 2^7 per instruction), the counter read's own",
    "cost subtracted; release core (no RTM_DEBUG), riscv64-unknown-elf-gcc -march=rv32imac_zicsr",
    "(no Zbb: the bit scans are RTM_BITSCAN_DEBRUIJN's), 1 MiB arena, whole workload including the",
    "clean-up frees. No reference figures for RV32."],
    [], {"O2": (), "Os": ()})
firmware("i386", "i386 bare metal (QEMU -icount), instructions per alloc / free of the 32-bit layout", [
    "`targets/bench_workloads.c` on `qemu-system-i386 -icount shift=7` (board pc-i386, a multiboot",
    "image): every call counted by the time-stamp counter, which QEMU advances by 2^7 per instruction",
    "under -icount, the counter read's own cost subtracted; release core (no RTM_DEBUG), gcc -m32",
    "-fno-pie -ffreestanding, 1 MiB arena, whole workload including the clean-up frees. The -m32 rows",
    "of the callgrind table use these counts, less the call sequence, when callgrind cannot run a",
    "32-bit program."],
    [], {"O2": (), "Os": ()})
