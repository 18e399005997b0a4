#!/usr/bin/env python3
"""Self cost (first event, Ir) of one function by source line, inlined code included, from a
callgrind.out file: where a function's instructions go (callgrind_annotate mixes the lines of an
inlined helper over all its callers). The inclusive cost of calls made from the function is not
counted. Example (after `make bench`):
  python3 bench/callgrind_lines.py build/bench/cg/instr.x64.A.good rtm_heap_free 500493
usage: callgrind_lines.py FILE FUNCTION [DIVISOR]   prints FILE:LINE cost (/ DIVISOR) per line
"""
import sys

from callgrind_names import Names


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, want = sys.argv[1], sys.argv[2]
    div = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    res = Names().resolve

    cur_fn = cur_file = None
    line, pending, acc = 0, False, {}
    with open(path, errors="replace") as f:
        for raw in f:
            l = raw.rstrip("\n")
            if not l:
                continue
            if l.startswith("fn="):
                cur_fn = res("fn", l[3:])
            elif l.startswith(("fl=", "fi=", "fe=")):
                cur_file = res("fl", l[3:])
            elif l.startswith("cfn="):
                res("fn", l[4:])
            elif l.startswith(("cfl=", "cfi=")):
                res("fl", l[4:])
            elif l.startswith("calls="):
                pending = True
            elif l[0] in "+-*0123456789":
                p = l.split()
                if p[0][0] in "+-":
                    line += int(p[0])
                elif p[0] != "*":
                    line = int(p[0])
                if pending:  # the inclusive cost of a call, not the function's own
                    pending = False
                    continue
                if cur_fn == want and len(p) > 1:
                    key = (cur_file or "?", line)
                    acc[key] = acc.get(key, 0) + int(p[1])
    total = sum(acc.values())
    print("%s: self Ir %d (%.2f per call with divisor %g)" % (want, total, total / div, div))
    for (fl, ln), v in sorted(acc.items()):
        print("%s:%d %.2f" % (fl, ln, v / div))


if __name__ == "__main__":
    main()
