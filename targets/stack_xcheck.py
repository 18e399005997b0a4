#!/usr/bin/env python3
"""Stack cross-check on a target: static worst case (`rtmem stack`) against the measured high-water
mark (targets/stack_test.c), for every root the firmware reports. docs/stack.md, "Cross-check on
the targets".

    stack_xcheck.py --rtmem RTMEM --isr-frame BYTES [--isr NAME=LEVEL] --ann FILE --su-dir DIR...
                    [--margin ROOT=BYTES]... -- QEMU COMMAND...

Runs the QEMU command (the firmware prints `STACK <root> <bytes>` per root and the harness's PASS /
FAIL / SUMMARY lines, and exits 0 iff its cases passed), then for each root `rtmem stack --json
--strict --root ROOT` on the .su/.ci files under the --su-dir directories, and requires
    measured <= static                      (the static figure is an upper bound)
    static - measured <= margin of the root (and a tight one; 0 unless --margin says otherwise)
Each margin is explained in docs/stack.md. Exit status 0 iff every check held.
"""
import argparse
import json
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rtmem", required=True)
    ap.add_argument("--isr-frame", required=True)
    ap.add_argument("--isr", action="append", default=[])
    ap.add_argument("--ann", required=True)
    ap.add_argument("--su-dir", action="append", required=True)
    ap.add_argument("--margin", action="append", default=[])
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    margins = {}
    for m in a.margin:
        name, _, val = m.partition("=")
        margins[name] = int(val)

    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(run.stdout)
    failed = False
    if run.returncode != 0 or re.search(r"(^|\n)FAIL |FATAL", run.stdout):
        print("FAIL stack_xcheck: the firmware failed (exit status %d)" % run.returncode)
        failed = True
    measured = {m.group(1): int(m.group(2)) for m in re.finditer(r"^STACK (\S+) (\d+)$", run.stdout, re.M)}
    if not measured:
        print("FAIL stack_xcheck: the firmware reported no STACK line")
        return 1
    for root, used in sorted(measured.items()):
        args = [a.rtmem, "stack", "--json", "--strict", "--root", root, "--isr-frame", a.isr_frame, "-a", a.ann]
        for isr in a.isr:
            args += ["--isr", isr]
        args += a.su_dir
        try:
            st = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as e:
            print("FAIL stack_xcheck: cannot run %s (%s): build the host tool first (scripts/check.d/10-host.sh "
                  "builds build/release/rtmem) or configure with -DRTM_HOST_RTMEM=PATH" % (a.rtmem, e))
            return 1
        if st.returncode != 0:
            print("FAIL stack_xcheck %s: %s exited %d: %s" % (root, " ".join(args), st.returncode, st.stderr.strip()))
            failed = True
            continue
        rep = json.loads(st.stdout)
        r = [x for x in rep["roots"] if x["name"] == root]
        if len(r) != 1:
            print("FAIL stack_xcheck %s: not one root of that name in the report" % root)
            failed = True
            continue
        r = r[0]
        total = r["total"]
        chain = " -> ".join("+".join(f["name"] for f in link["functions"]) + " %d" % link["bytes"] for link in r["chain"])
        margin = margins.get(root, 0)
        print("stack_xcheck %s: static %d (frames %d, isr %d: %s), measured %d, static - measured %d, margin %d"
              % (root, total, r["frames"], r["isr_nesting"], chain, used, total - used, margin))
        if used > total:
            print("FAIL stack_xcheck %s: measured %d bytes exceeds the static worst case %d" % (root, used, total))
            failed = True
        elif total - used > margin:
            print("FAIL stack_xcheck %s: static worst case %d is %d bytes above the measured %d (margin %d)"
                  % (root, total, total - used, used, margin))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
