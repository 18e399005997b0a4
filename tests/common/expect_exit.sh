#!/bin/sh
# expect_exit.sh N COMMAND [ARG...]: runs COMMAND with its stderr merged into stdout and exits 0 iff
# COMMAND's exit status is exactly N; otherwise says what it was and exits 1. rtm_add_test's
# EXIT_CODE (cmake/rtm.cmake): under memcheck valgrind runs inside this script, so its error status
# (99) is a failure even for a command that is meant to fail.
want=$1
shift
"$@" 2>&1
got=$?
[ "$got" -eq "$want" ] && exit 0
echo "expect_exit: $1 exited with status $got, expected $want"
exit 1
