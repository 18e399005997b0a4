#!/usr/bin/env python3
"""Mutation testing of one core file: do the tests notice when the code is changed?

Each mutant is one small change to one line of FILE (an operator flipped, a constant moved by
one, a condition negated, a statement deleted). For each, the build tree is rebuilt and the tests
run; a mutant the tests pass with has "survived": either a test is missing or the change cannot
be observed (an equivalent mutant). docs/heap-tests.md ("Mutation testing") has an example and
its result; the earlier sessions' mutation work used a private predecessor of this script.

usage: scripts/mutate.py FILE --build DIR --tests REGEX [--targets T,...] [--lines A-B] [--ops OPS]
                         [--limit N] [--timeout S] [--list] [--seed N] [--jobs N]

  FILE       a source file of the tree (e.g. src/heap.c); restored on any exit
  --build    a configured CMake build tree of this checkout (e.g. a Debug tree with RTM_DEBUG=ON)
  --tests    ctest -R regular expression: the tests to run against each mutant
  --targets  build only these targets for each mutant (default: the whole tree; the heap is
             compiled into a dozen variant tests, so naming the tests' targets saves most of it)
  --lines    only lines A..B (1-based, inclusive)
  --ops      comma-separated subset of: rel, eq, arith, logic, bit, shift, const, neg, del
  --limit    at most N mutants (a random sample of them, --seed), 0 = all
  --timeout  seconds per mutant for build + tests (default 120): a mutant that loops is killed
             with its process group and counted as "timeout" (detected)
  --list     print the mutants and exit, building nothing

Prints one line per mutant (killed / SURVIVED / build-failed / timeout) and a summary; survivors
are also written to DIR/mutants-survived.txt with their line and change. Exit status 0 unless
the tool itself failed (survivors are a finding, not an error).
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import time

# Operator mutations: (name, pattern, replacement). Patterns are applied at each match position in
# a line's code part (comments and string literals masked out first), one mutant per position.
OPS = {
    "rel": [(r"(?<![<>=!])<(?![<=])", "<="), (r"(?<![<>=!])<=", "<"), (r"(?<![<>=!-])>(?![>=])", ">="),
            (r"(?<![<>=!])>=", ">")],
    "eq": [(r"==", "!="), (r"!=", "==")],
    "arith": [(r"(?<![+])\+(?![+=])", "-"), (r"(?<![-])-(?![->=])", "+")],
    "logic": [(r"&&", "||"), (r"\|\|", "&&")],
    "bit": [(r"(?<![&])&(?![&=])", "|"), (r"(?<![|])\|(?![|=])", "&"), (r"\^", "&")],
    "shift": [(r"<<(?!=)", ">>"), (r">>(?!=)", "<<")],
}
CONST_RE = re.compile(r"(?<![\w.])(\d+)(u|U|ul|UL|ull|ULL)?(?![\w.])")
IF_RE = re.compile(r"\b(if|while)\s*\(")
DEL_RE = re.compile(r"^\s*[A-Za-z_][\w\->\.\[\]\*\s]*(=|\+\+|--|\+=|-=|\|=|&=|\^=|\()[^;]*;\s*$")
DECL_RE = re.compile(r"^\s*(const\s+)?(static\s+)?(unsigned|signed|int|char|long|short|size_t|uintptr_t|"
                     r"uint\d+_t|int\d+_t|bool|void|rtm_\w+|struct\s+\w+)\b[\s\*]+\w+\s*(=|\[|;)")


def mask_code(line, in_comment):
    """The line with comments and string/char literals replaced by spaces (same length), and
    whether a block comment is still open at its end."""
    out = []
    i = 0
    n = len(line)
    while i < n:
        if in_comment:
            j = line.find("*/", i)
            if j < 0:
                out.append(" " * (n - i))
                return "".join(out), True
            out.append(" " * (j + 2 - i))
            i = j + 2
            in_comment = False
            continue
        c = line[i]
        if line.startswith("/*", i):
            in_comment = True
            out.append("  ")
            i += 2
        elif line.startswith("//", i):
            out.append(" " * (n - i))
            break
        elif c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)[:n], in_comment


def matching_paren(s, open_at):
    depth = 0
    for k in range(open_at, len(s)):
        if s[k] == "(":
            depth += 1
        elif s[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def mutants_of(lines, ops, lo, hi):
    """(line index, description, new line) for every mutant of lines lo..hi (1-based)."""
    result = []
    in_comment = False
    for idx, line in enumerate(lines):
        code, in_comment_next = mask_code(line.rstrip("\n"), in_comment)
        in_comment = in_comment_next
        no = idx + 1
        if no < lo or no > hi or code.lstrip().startswith("#") or not code.strip():
            continue
        if "_Static_assert" in code or "static_assert" in code:
            continue
        for op in ops:
            if op in OPS:
                for pat, rep in OPS[op]:
                    for m in re.finditer(pat, code):
                        new = line[: m.start()] + rep + line[m.end():]
                        result.append((idx, "%s '%s' -> '%s' at col %d" % (op, m.group(0), rep, m.start() + 1), new))
            elif op == "const":
                for m in CONST_RE.finditer(code):
                    v = int(m.group(1))
                    for nv in sorted({v + 1, v - 1 if v > 0 else 1}):
                        new = line[: m.start(1)] + str(nv) + line[m.end(1):]
                        result.append((idx, "const %d -> %d at col %d" % (v, nv, m.start() + 1), new))
            elif op == "neg":
                for m in IF_RE.finditer(code):
                    op_at = m.end() - 1
                    close = matching_paren(code, op_at)
                    if close < 0:
                        continue
                    new = line[: op_at + 1] + "!(" + line[op_at + 1: close] + ")" + line[close:]
                    result.append((idx, "neg %s condition at col %d" % (m.group(1), m.start() + 1), new))
            elif op == "del":
                if DEL_RE.match(code) and not DECL_RE.match(code) and not re.match(r"^\s*(return|if|for|while|else)\b", code):
                    indent = line[: len(line) - len(line.lstrip())]
                    result.append((idx, "del statement", indent + ";\n"))
    return result


def run(cmd, cwd, timeout):
    """(returncode or None on timeout, output) of cmd, its whole process group killed on timeout."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--build", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--targets", default="")
    ap.add_argument("--lines", default="")
    ap.add_argument("--ops", default="rel,eq,arith,logic,bit,shift,const,neg,del")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()

    path = os.path.abspath(a.file)
    with open(path) as f:
        original = f.read()
    lines = original.splitlines(keepends=True)
    lo, hi = 1, len(lines)
    if a.lines:
        m = re.fullmatch(r"(\d+)-(\d+)", a.lines)
        if not m:
            print("mutate.py: --lines wants A-B, got '%s'" % a.lines, file=sys.stderr)
            return 2
        lo, hi = int(m.group(1)), int(m.group(2))
    ops = [o for o in a.ops.split(",") if o]
    bad = [o for o in ops if o not in OPS and o not in ("const", "neg", "del")]
    if bad:
        print("mutate.py: unknown operator(s): %s" % ",".join(bad), file=sys.stderr)
        return 2
    muts = mutants_of(lines, ops, lo, hi)
    if a.limit and len(muts) > a.limit:
        random.Random(a.seed).shuffle(muts)
        muts = sorted(muts[: a.limit])
    if a.list:
        for i, (idx, desc, new) in enumerate(muts):
            print("%4d %s:%d %s\n     - %s     + %s" % (i, a.file, idx + 1, desc, lines[idx], new), end="")
        print("%d mutants" % len(muts))
        return 0
    if not os.path.isdir(a.build):
        print("mutate.py: %s: not a build tree" % a.build, file=sys.stderr)
        return 2

    def restore(*_):
        with open(path, "w") as f:
            f.write(original)
        if _:
            sys.exit(130)

    signal.signal(signal.SIGINT, restore)
    signal.signal(signal.SIGTERM, restore)
    build_cmd = ["cmake", "--build", a.build, "-j", str(a.jobs)]
    for t in (x for x in a.targets.split(",") if x):
        build_cmd += ["--target", t]
    counts = {"killed": 0, "SURVIVED": 0, "build-failed": 0, "timeout": 0}
    survivors = []
    t0 = time.time()
    try:
        rc, out = run(build_cmd, None, 1800)
        if rc != 0:
            print("mutate.py: the unmutated tree does not build:\n" + out[-2000:], file=sys.stderr)
            return 2
        rc, out = run(["ctest", "--test-dir", a.build, "-R", a.tests, "-j", str(a.jobs)], None, 1800)
        if rc != 0 or "No tests were found" in out:
            print("mutate.py: the unmutated tests do not pass (or none match '%s'):\n%s" % (a.tests, out[-2000:]), file=sys.stderr)
            return 2
        for i, (idx, desc, new) in enumerate(muts):
            mutated = lines[:idx] + [new] + lines[idx + 1:]
            with open(path, "w") as f:
                f.write("".join(mutated))
            start = time.time()
            rc, _ = run(build_cmd, None, a.timeout)
            if rc is None:
                verdict = "timeout"
            elif rc != 0:
                verdict = "build-failed"
            else:
                left = max(5, a.timeout - int(time.time() - start))
                rc, _ = run(["ctest", "--test-dir", a.build, "-R", a.tests, "-j", str(a.jobs), "--stop-on-failure"], None, left)
                verdict = "timeout" if rc is None else ("killed" if rc != 0 else "SURVIVED")
            counts[verdict] += 1
            print("%4d/%d %-12s %s:%d %s" % (i + 1, len(muts), verdict, a.file, idx + 1, desc), flush=True)
            if verdict == "SURVIVED":
                survivors.append("%s:%d %s\n  - %s  + %s" % (a.file, idx + 1, desc, lines[idx].strip() + "\n", new.strip() + "\n"))
    finally:
        restore()
    # the restored file must build again, so that the tree is left as it was found
    run(build_cmd, None, 1800)
    with open(os.path.join(a.build, "mutants-survived.txt"), "w") as f:
        f.write("".join(survivors))
    print("mutate.py: %d mutants of %s in %d s: %d killed, %d timeout (detected), %d build failed, %d SURVIVED%s" % (
        len(muts), a.file, time.time() - t0, counts["killed"], counts["timeout"], counts["build-failed"],
        counts["SURVIVED"], " (listed in %s/mutants-survived.txt)" % a.build if survivors else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
