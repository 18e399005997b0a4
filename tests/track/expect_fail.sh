#!/bin/sh
# expect_fail.sh PATTERN COMMAND [ARGS...]: passes iff COMMAND exits non-zero and its output
# (stdout + stderr) matches the extended regular expression PATTERN. For death tests.
pat=$1; shift
out=$("$@" 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then echo "expected failure, got exit 0 from: $*"; echo "$out" | tail -20; exit 1; fi
if ! printf '%s\n' "$out" | grep -Eq -- "$pat"; then
  echo "exit $rc but no match for '$pat' in the output of: $*"; echo "$out" | tail -30; exit 1
fi
echo "ok: exit $rc, found '$pat'"
