#!/bin/sh
# Runs a QEMU command whose guest ends through isa-debug-exit (targets/board_x86.c) and exits with
# the guest's code: QEMU reports 2 * code + 1 for a write of code, and 0 only if the guest was shut
# down some other way (not expected: 125). Anything even (QEMU's own errors) passes through.
"$@"
s=$?
if [ $((s % 2)) -eq 1 ]; then exit $(((s - 1) / 2)); fi
if [ $s -eq 0 ]; then echo "qemu_debug_exit.sh: the guest stopped without an exit code" >&2; exit 125; fi
exit $s
