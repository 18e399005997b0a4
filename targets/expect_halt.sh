#!/bin/sh
# expect_halt.sh STATUS PATTERN COMMAND...: runs COMMAND (a QEMU run), shows its output, and passes
# iff it exited with STATUS and printed a line matching PATTERN (grep -E).
want=$1
pat=$2
shift 2
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne "$want" ]; then
  echo "expect_halt: exit status $rc, expected $want"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
  echo "expect_halt: no output line matches '$pat'"
  exit 1
fi
echo "expect_halt: halted with status $rc as expected"
