#!/usr/bin/env bash
# Configuration macros at their boundary values must build: every value below is one a user may set
# (README "Configuration"), and the core must compile warning-free with it (-Wall -Wextra -Werror)
# for a 32-bit host at -O3 and for Cortex-M0+ at -Os (RTM_ALIGN=16, RTM_USE_INTRINSICS=0 and RTM_DEBUG=1
# are whole host configurations of step 10 and are not repeated here). Each value
# compiles only the sources it can change: those that name the macro, and those that include the
# header defining it. Values a module refuses on purpose (a static assertion with a message, such
# as RTM_TRACK_LINE_MAX < 96, or RTM_DOMAIN_MAX_PARTITIONS above RTM_MPU_MAX_REGIONS) are not
# listed; RTM_MPU_MAX_REGIONS=64 builds 64 partitions per domain, their default. This step found four documented values that did not
# compile (RTM_FAULT_MAX_RETRY=0, RTM_STACKPOOL_GUARD=0, RTM_MPU_MAX_REGIONS > 16,
# RTM_TRACE_FILE_MAX > 110; and, found by a review on 2026-11-29, RTM_ALIGN=256, and 128 for
# 32-bit targets, which were not listed: 256 covers both, as the -m32 compile is one of the two)
# and two -Werror "may be used uninitialized" errors (RTM_MPU_V7M_MAX_SPLIT=1,
# RTM_MPU_MAX_REGIONS=1); the run-time
# behaviour of the ones that matter is tested by ctest variants (test_*_<option> in tests/).
# Environment: RTM_JOBS.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
jobs=${RTM_JOBS:-$(nproc)}

values=(
  RTM_ALIGN=32 RTM_ALIGN=256
  RTM_HEAP_FITS=RTM_HEAP_FITS_GOOD RTM_HEAP_FITS=RTM_HEAP_FITS_BEST RTM_HEAP_FITS=RTM_HEAP_FITS_FIRST
  "RTM_HEAP_FITS=(RTM_HEAP_FITS_GOOD|RTM_HEAP_FITS_FIRST)" RTM_HEAP_SL_LOG2=2 RTM_HEAP_SL_LOG2=3
  RTM_HEAP_STRICT_O1=1 RTM_HEAP_TOP_SPLIT_MIN=0 RTM_HEAP_TOP_SPLIT_LAST=0 RTM_HEAP_BEST_TOP_BY_NEXT=0
  RTM_HEAP_LOW_PICK=1 RTM_HEAP_LOW_PICK=32 RTM_HEAP_LOW_PICK_FROM=0 RTM_HEAP_CHECK_EVERY_OP=1
  RTM_HEAP_REALLOC_ALIGN_MAX=64u RTM_HEAP_COMPACT=0 RTM_HEAP_COMPACT=1
  RTM_HEAP_FREE_OUTLINE_MERGES=0 RTM_HEAP_FREE_OUTLINE_MERGES=1
  RTM_SLAB_DOUBLE_FREE_CHECK=0 RTM_SLAB_DOUBLE_FREE_CHECK=2 RTM_SLAB_LOCKING=0 RTM_SLAB_WAIT=0
  RTM_POOLS_MAX_CLASSES=1 RTM_POOLS_MAX_CLASSES=255 RTM_RESERVE_MAX_LEVELS=1 RTM_RESERVE_MAX_LEVELS=64
  RTM_MPU_MAX_REGIONS=1 RTM_MPU_MAX_REGIONS=8 RTM_MPU_MAX_REGIONS=64 RTM_MPU_V7M_MAX_SPLIT=1
  RTM_MPU_V7M_MAX_SPLIT=16 RTM_MPU_V7M_NORMAL_TEX=0 RTM_MPU_V7M_MIN_LOG2=8 RTM_MPU_V7M_MIN_LOG2=5
  RTM_DOMAIN_MAX_PARTITIONS=1
  RTM_DOMAIN_MAX_THREADS=1 RTM_DOMAIN_MAX_THREADS=64
  RTM_FAULT_RING_SIZE=1 RTM_FAULT_RING_SIZE=3 RTM_FAULT_MAX_RETRY=0 RTM_FAULT_MAX_RETRY=255 RTM_FAULT_GET_TRIES=1
  RTM_RING_CACHE_LINE=0 RTM_RING_CACHE_LINE=128 RTM_STACKPOOL_GUARD=0 RTM_STACK_GUARD_BYTES=0
  RTM_STACK_GUARD_BYTES=4 RTM_STACK_GROWS_UP=1 RTM_STACK_PAINT_BYTE=0 RTM_STACK_PAINT_BYTE=0xFF
  RTM_TRACK_THREADS=1 RTM_TRACK_THREADS=254 RTM_TRACK_LINE_MAX=96 RTM_TRACK_LINE_MAX=4096
  RTM_TRACK_POISON=0 RTM_TRACK_GUARD_BYTE=0xFF RTM_TRACE_FILE_SLOTS=1 RTM_TRACE_FILE_MAX=8
  RTM_TRACE_FILE_MAX=255
)
# A 32-bit host (size_t of a microcontroller, with the host's warnings) and the smallest MCU at the
# size the cross step builds; the default settings' other compilers and -O2 are the cross step's
# and the host configurations' job. (All five compilers at -Os and -O2 took 5.5 minutes.)
# Each compiler with its level: gcc at -O3, where its flow-sensitive warnings (may be used
# uninitialized, array bounds) see the most (RTM_DOMAIN_MAX_PARTITIONS <= 8 failed only there; the
# host configurations build at -O2), and the Cortex-M0+ at -Os, the firmware build.
compilers=("gcc -m32|-O3" "arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb|-Os")
# The sources a macro can change: src/*.c naming it, and those including the header that defines
# it, directly or through any chain of headers (slab.h's RTM_SLAB_WAIT reaches pools.c through
# pools.h, track.c through track.h). A macro of common.h or rtm_internal.h, which every file
# includes, takes them all. A value whose macro reaches no source fails the step (a renamed macro
# would otherwise compile nothing and pass).
includers() { # files among "$@" that include one of the header names (no directory) read from stdin
  local h
  while read -r h; do grep -l "^#include \"\(rtmem/\)\?$h\"" "$@"; done | sort -u
}
sources_for() {
  local m=$1 hdr hdrs more
  hdr=$(grep -l "^#ifndef $m\$" include/rtmem/*.h src/*.h 2>/dev/null | head -1)
  case "$hdr" in
    include/rtmem/common.h|src/rtm_internal.h) ls src/*.c; return ;;
  esac
  {
    grep -l -w "$m" src/*.c
    if [ -n "$hdr" ]; then
      hdrs=$(basename "$hdr")
      while :; do # the headers that include one of $hdrs, until none is new
        more=$( { echo "$hdrs"; printf '%s\n' $hdrs | includers include/rtmem/*.h src/*.h | xargs -r -n1 basename; } | sort -u)
        [ "$more" = "$hdrs" ] && break
        hdrs=$more
      done
      printf '%s\n' $hdrs | includers src/*.c
    fi
  } | sort -u
}

jobfile=$(mktemp)
trap 'rm -f "$jobfile"' EXIT
for v in "${values[@]}"; do
  srcs=$(sources_for "${v%%=*}")
  [ -n "$srcs" ] || { echo "45-configs: $v: no source names ${v%%=*} or includes its header" >&2; exit 1; }
  for s in $srcs; do
    for cc in "${compilers[@]}"; do
      printf '%s\t%s\t%s\t%s\n' "$v" "${cc%|*}" "${cc#*|}" "$s"
    done
  done
done > "$jobfile"
# The default configuration too, every source with both (the host configurations build at -O2).
for s in src/*.c; do
  for cc in "${compilers[@]}"; do
    printf '%s\t%s\t%s\t%s\n' RTM_CHECK_CONFIGS_DEFAULT=1 "${cc%|*}" "${cc#*|}" "$s"
  done
done >> "$jobfile"
echo "configs: $(wc -l < "$jobfile") compiles (${#values[@]} macro values x their sources, and the defaults, x ${#compilers[@]} compilers: gcc -m32 -O3, Cortex-M0+ -Os)"
compile_one() {
  local out
  # shellcheck disable=SC2086
  out=$($2 -std=c11 -Wall -Wextra -Werror $3 -Iinclude -Isrc "-D$1" -c "$4" -o /dev/null 2>&1) \
    || { echo "configs: FAILED: -D$1 [$2 $3] $4: $(echo "$out" | grep -m1 -E 'error|warning')"; return 1; }
}
export -f compile_one
tr '\n' '\0' < "$jobfile" | xargs -0 -P "$jobs" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r v cc opt s <<< "$1"; compile_one "$v" "$cc" "$opt" "$s"' _ {} > "$jobfile.out"
rc=$?
cat "$jobfile.out"
rm -f "$jobfile.out"
[ $rc -eq 0 ] && echo "configs: every value builds warning-free"
exit $rc
