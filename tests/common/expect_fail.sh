#!/bin/sh
# expect_fail.sh PATTERN... -- COMMAND [ARGS...]: passes iff COMMAND exits non-zero and its output
# (stdout + stderr) has a line matching each extended regular expression PATTERN. For death tests.
pats=""
n=0
while [ $# -gt 0 ] && [ "$1" != "--" ]; do n=$((n + 1)); eval "pat$n=\$1"; shift; done
[ "$1" = "--" ] && shift
out=$("$@" 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then echo "expected failure, got exit 0 from: $*"; printf '%s\n' "$out" | tail -20; exit 1; fi
i=1
while [ $i -le $n ]; do
  eval "pat=\$pat$i"
  if ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
    echo "exit $rc but no line matches '$pat' in the output of: $*"; printf '%s\n' "$out" | tail -30; exit 1
  fi
  i=$((i + 1))
done
echo "ok: exit $rc, all $n patterns found"
