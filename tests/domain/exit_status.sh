#!/bin/sh
# Runs a command with stderr merged into stdout and prints "exit=N" after it, so that a ctest
# PASS_REGULAR_EXPRESSION can check both the message and the exit status of a failing command.
"$@" 2>&1
echo "exit=$?"
