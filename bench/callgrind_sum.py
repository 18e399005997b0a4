#!/usr/bin/env python3
"""Sums calls and inclusive cost (first event, Ir) of callgrind calls by callee, for the calls whose
caller matches: used by scripts/bench.sh for "instructions per alloc / free, inclusive of the entry
point". Reads the callgrind.out format directly (call counts are not in callgrind_annotate's output).

usage: callgrind_sum.py FILE (--caller-file REGEX | --caller-fn REGEX) CALLEE...
prints one line per CALLEE: name calls inclusive_Ir
"""
import re
import sys

from callgrind_names import Names


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[1] not in ("--caller-file", "--caller-fn"):
        sys.exit(__doc__)
    path, mode, pattern, callees = args[0], args[1], re.compile(args[2]), args[3:]
    sums = {c: [0, 0] for c in callees}
    npos = 1
    cur_fl = cur_fn = callee = None
    pending = None  # calls count waiting for its cost line

    resolve = Names().resolve

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if pending is not None:
                fields = line.split()
                cost = int(fields[npos]) if len(fields) > npos else 0
                caller = cur_fl if mode == "--caller-file" else cur_fn
                if callee in sums and caller is not None and pattern.search(caller) and callee != cur_fn:
                    sums[callee][0] += pending
                    sums[callee][1] += cost
                pending = None
                continue
            if line.startswith("positions:"):
                npos = len(line.split()) - 1
            elif line.startswith("fl="):
                cur_fl = resolve("fl", line[3:])
            elif line.startswith(("fi=", "fe=")):
                resolve("fl", line[3:])  # inlined code: the function's file stays the caller's
            elif line.startswith("cfl=") or line.startswith("cfi="):
                resolve("fl", line[4:])
            elif line.startswith("fn="):
                cur_fn = resolve("fn", line[3:])
            elif line.startswith("cfn="):
                callee = resolve("fn", line[4:])
            elif line.startswith("calls="):
                pending = int(line[6:].split()[0])
    for c in callees:
        print(c, sums[c][0], sums[c][1])


if __name__ == "__main__":
    main()
