#!/usr/bin/env bash
# `make bench`: the measurements of ../shared/WORKLOADS.md and issue 2, side by side with the
# targets and the reference allocators. Not part of `make check`. Needs valgrind, python3, gcc
# with -m32 multilib. Results: build/bench/results.txt (raw "arch workload target key value"
# lines) and build/bench/report.md (the tables printed at the end; docs/benchmarks.md quotes them).
# Environment: RTM_JOBS (parallel measurements, default 2), RTM_BENCH_WORKLOADS (default
# "A B C A64"), RTM_BENCH_SKIP (any of "instr time wc minarena others thumb thumb1 rv32 i386" to leave out),
# RTM_BENCH_CFLAGS (extra compiler flags, e.g. -Wno-error=clobbered to measure despite a new warning
# elsewhere). The "thumb" and "thumb1" groups (Cortex-M3 and Cortex-M0+ code under QEMU -icount) need arm-none-eabi-gcc and
# qemu-system-arm, the "i386" group (bare-metal i386 under QEMU -icount) qemu-system-i386; without
# them a group says so and is skipped.
set -u
cd "$(dirname "$0")/.."
JOBS=${RTM_JOBS:-2}
WLS=${RTM_BENCH_WORKLOADS:-"A B C A64"}
SKIP=" ${RTM_BENCH_SKIP:-} "
OUT=build/bench
mkdir -p "$OUT/cg" "$OUT/res"
rm -f "$OUT"/res/* "$OUT"/cg/*
for tool in valgrind python3 cmake; do
  command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)"; exit 1; }
done
start=$(date +%s)

# x86-64 -O2 and -m32 -O2, no tests (only the benchmark program and what it links):
# rtm_bench_build (scripts/lib.sh), with this script's job count.
export RTM_JOBS=$JOBS
source scripts/lib.sh
echo "bench: building x86-64 and -m32 (-O2)"
rtm_bench_build x64 || { echo "bench: build x64 failed"; exit 1; }
rtm_bench_build m32 -DRTM_M32=ON || { echo "bench: build m32 failed"; exit 1; }
# A kernel without 32-bit execution (some of this workplace's VMs): the -m32 minimum-arena runs go
# through qemu-i386, registered with binfmt_misc (scripts/lib.sh; the same program, so the same
# figures); callgrind cannot run a 32-bit program there at all, so the -m32 instruction counts are
# left out, visibly.
M32EXEC=$(rtm_m32_exec) || { echo "bench: -m32 programs cannot run here"; exit 1; }
M32INSTR=1
if [ "$M32EXEC" != native ]; then
  M32INSTR=0
  echo "bench: this kernel does not execute 32-bit programs: -m32 minimum arenas run under $M32EXEC; callgrind cannot count -m32 instructions (the i386 firmware group does, unless skipped)"
  echo "this kernel does not execute 32-bit programs, and callgrind cannot run them under qemu-i386" >"$OUT/res/m32instr.skipped"
fi

# Firmware that replays the workloads with every call counted by QEMU -icount
# (targets/bench_workloads.c), core at -O2 and at -Os:
#   thumb  Cortex-M3 (mps2-an385), Thumb-2;
#   thumb1 Cortex-M0+ code (ARMv6-M, Thumb-1) on the same board (mps2-an385-v6m): the M3 runs the
#          ARMv6-M subset, so the counts are the M0+'s (the micro:bit's 16 KiB cannot hold the arena);
#   rv32   RV32IMAC (riscv32-virt), instructions from minstret;
#   i386   a bare-metal i386 image (pc-i386, qemu-system-i386): the 32-bit block layout's
#          instruction counts where callgrind cannot run a 32-bit program (docs/bench.md).
# fw_build GROUP BOARD TOOLCHAIN TITLE PACKAGES TOOL...: builds BOARD's workload images in
# build/bench-GROUP, or says why not (a visible SKIPPING line and res/GROUP.skipped) and returns
# non-zero.
fw_build() {
  local group=$1 board=$2 toolchain=$3 title=$4 packages=$5 missing="" tool
  shift 5
  if [[ "$SKIP" == *" $group "* ]]; then
    echo "left out (RTM_BENCH_SKIP)" >"$OUT/res/$group.skipped"
    return 1
  fi
  for tool in "$@"; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
  if [ -n "$missing" ]; then
    echo "bench: SKIPPING the $title ($group) group:$missing missing (apt-get install $packages)"
    echo "missing$missing" >"$OUT/res/$group.skipped"
    return 1
  fi
  echo "bench: building the $title firmware (targets/, -O2 and -Os core)"
  if cmake -S targets -B "build/bench-$group" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/$toolchain" \
       -DCMAKE_BUILD_TYPE=Release -DRTM_QEMU_TIMEOUT=300 >"build/bench-$group.configure.log" 2>&1 \
     && cmake --build "build/bench-$group" -j "$JOBS" --target "bench_workloads_$board" >"build/bench-$group.build.log" 2>&1; then
    return 0
  fi
  echo "bench: $title firmware build FAILED:"; tail -n 30 "build/bench-$group.configure.log" "build/bench-$group.build.log"
  echo "build failed" >"$OUT/res/$group.skipped"
  return 1
}
FW_GROUPS=""
fw_build thumb mps2-an385 toolchain-arm.cmake Cortex-M3 "gcc-arm-none-eabi qemu-system-arm" arm-none-eabi-gcc qemu-system-arm \
  && FW_GROUPS="$FW_GROUPS thumb:mps2-an385"
fw_build thumb1 mps2-an385-v6m toolchain-arm.cmake "Cortex-M0+ (ARMv6-M)" "gcc-arm-none-eabi qemu-system-arm" \
  arm-none-eabi-gcc qemu-system-arm && FW_GROUPS="$FW_GROUPS thumb1:mps2-an385-v6m"
fw_build rv32 riscv32-virt toolchain-riscv.cmake "RV32IMAC" "gcc-riscv64-unknown-elf qemu-system-misc" \
  riscv64-unknown-elf-gcc qemu-system-riscv32 && FW_GROUPS="$FW_GROUPS rv32:riscv32-virt"
fw_build i386 pc-i386 toolchain-i386.cmake "i386 bare-metal" qemu-system-x86 qemu-system-i386 \
  && FW_GROUPS="$FW_GROUPS i386:pc-i386"

# Each measurement is one shell command writing build/bench/res/<id>; run JOBS at a time.
# One script per measurement in build/bench/jobs/, run JOBS at a time.
rm -rf "$OUT/jobs"; mkdir -p "$OUT/jobs"
njobs=0
add() { njobs=$((njobs + 1)); printf '%s\n' "$*" >"$OUT/jobs/$(printf %04d $njobs).sh"; }

# callgrind: inclusive Ir of the entry points, counted over the calls made from runner.c.
ARCHES="x64"; [ $M32INSTR = 1 ] && ARCHES="x64 m32"
for arch in $ARCHES; do
  bin=build/bench-$arch/bench/rtm_bench
  for w in $WLS; do
    for t in good best first malloc; do
      if [ "$t" = malloc ]; then
        if [ "$w" = A64 ]; then a=posix_memalign; else a=malloc; fi; f=free
      else
        if [ "$w" = A64 ]; then a=rtm_heap_aligned_alloc; else a=rtm_heap_alloc; fi; f=rtm_heap_free
      fi
      id=instr.$arch.$w.$t
      [[ "$SKIP" == *" instr "* ]] || add "valgrind --tool=callgrind --callgrind-out-file=$OUT/cg/$id $bin run $w $t >$OUT/res/$id.run 2>$OUT/res/$id.log && python3 bench/callgrind_sum.py $OUT/cg/$id --caller-file 'runner\\.c\$' $a $f >$OUT/res/$id.sum"
    done
  done
  # worst case: one alloc(probe) and its free, called from bench_wc_alloc / bench_wc_free
  for v in V1 V2; do
    for k in 1000 10000; do
      for t in good best first; do
        id=wc.$arch.$v.$k.$t
        [[ "$SKIP" == *" wc "* ]] || add "valgrind --tool=callgrind --callgrind-out-file=$OUT/cg/$id $bin wc $v $k $t >$OUT/res/$id.run 2>$OUT/res/$id.log && { python3 bench/callgrind_sum.py $OUT/cg/$id --caller-fn '^bench_wc_alloc\$' rtm_heap_alloc; python3 bench/callgrind_sum.py $OUT/cg/$id --caller-fn '^bench_wc_free\$' rtm_heap_free; } >$OUT/res/$id.sum"
      done
    done
  done
  # good fit's longest O(1) path, constructed (rtm_bench path): the low pick over six classes
  for v in small large; do
    id=path.$arch.$v
    [[ "$SKIP" == *" wc "* ]] || add "valgrind --tool=callgrind --callgrind-out-file=$OUT/cg/$id $bin path $v >$OUT/res/$id.run 2>$OUT/res/$id.log && { python3 bench/callgrind_sum.py $OUT/cg/$id --caller-fn '^bench_wc_alloc\$' rtm_heap_alloc; python3 bench/callgrind_sum.py $OUT/cg/$id --caller-fn '^bench_wc_free\$' rtm_heap_free; } >$OUT/res/$id.sum"
  done
done
# Firmware: one QEMU run per workload and core optimisation level (all three policies, ~11 s each)
for g in $FW_GROUPS; do
  group=${g%%:*} board=${g#*:}
  for w in $WLS; do
    for opt in O2 Os; do
      id=$group.$opt.$w
      add "timeout 300 sh build/bench-$group/$board-qemu-icount.sh build/bench-$group/$board-bench_workloads_${w}_$opt.elf >$OUT/res/$id.run 2>$OUT/res/$id.log \
           && ! grep -qE '^FAIL |FATAL' $OUT/res/$id.run"
    done
  done
  # the worst case and good fit's longest path, where the board has the RAM (WC_BENCH: pc-i386)
  if [ -f "build/bench-$group/$board-bench_wc.elf" ] && [[ "$SKIP" != *" wc "* ]]; then
    id=$group.O2.wc
    add "timeout 300 sh build/bench-$group/$board-qemu-icount.sh build/bench-$group/$board-bench_wc.elf >$OUT/res/$id.run 2>$OUT/res/$id.log \
         && ! grep -qE '^FAIL |FATAL' $OUT/res/$id.run"
  fi
done
# minimum arena in the -m32 build (the embedded layout)
for w in $WLS; do
  for t in good best first; do
    [[ "$SKIP" == *" minarena "* ]] || add "build/bench-m32/bench/rtm_bench minarena $w $t >$OUT/res/minarena.m32.$w.$t.run 2>$OUT/res/minarena.m32.$w.$t.log"
  done
  # the placement models (bench/models.h; ALLOC and FREE only, so not A64): fixed to the 32-bit
  # layouts, so the x86-64 program gives the -m32 figures, natively
  [ "$w" = A64 ] && continue
  for t in heap4 first32 best32; do
    [[ "$SKIP" == *" minarena "* ]] || add "build/bench-x64/bench/rtm_bench minarena $w $t >$OUT/res/minarena.model.$w.$t.run 2>$OUT/res/minarena.model.$w.$t.log"
  done
done

echo "bench: $njobs measurements, $JOBS at a time"
rc=0
grep -qs "build failed" "$OUT/res/thumb.skipped" "$OUT/res/thumb1.skipped" "$OUT/res/rv32.skipped" "$OUT/res/i386.skipped" && rc=1
if [ $njobs -gt 0 ]; then
  ls "$OUT"/jobs/*.sh | xargs -P "$JOBS" -n 1 sh -c 'bash "$0" || { echo "bench: FAILED: $(cat "$0")" >&2; exit 1; }' || rc=1
fi

# ns/op last and alone: median of 5 timed runs, x86-64 build, nothing else running from here.
if [[ "$SKIP" != *" time "* ]]; then
  echo "bench: timing (median of 5 runs each)"
  for w in $WLS; do
    for t in good best first malloc; do
      build/bench-x64/bench/rtm_bench time "$w" "$t" >"$OUT/res/time.x64.$w.$t.run" 2>"$OUT/res/time.x64.$w.$t.log" || rc=1
    done
  done
fi

python3 bench/report.py "$OUT/res" >"$OUT/report.md" || rc=1
# Figures of a build with extra flags (RTM_BENCH_CFLAGS=-DRTM_HEAP_VALIDATE=0, say) are not the
# default build's: the report says so first.
if [ -n "${RTM_BENCH_CFLAGS:-}" ]; then
  { echo "**Built with RTM_BENCH_CFLAGS=\"$RTM_BENCH_CFLAGS\"** (x86-64 and -m32 programs; the firmware groups are built without it)."
    echo; cat "$OUT/report.md"; } >"$OUT/report.md.tmp" && mv "$OUT/report.md.tmp" "$OUT/report.md"
fi

# ---- the other allocators (issues 3 and 4): instructions per call, x86-64 -O2 -------------------
# The drivers live with their tests; each is built here in Release and run under callgrind.
if [[ "$SKIP" != *" others "* ]]; then
  echo "bench: slab, ring, tracking overhead, reserves"
  cmake -S . -B build/bench-drivers -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" \
        "-DCMAKE_C_FLAGS=${RTM_BENCH_CFLAGS:-}" >build/bench-drivers.configure.log 2>&1 \
    && cmake --build build/bench-drivers -j "$JOBS" --target slab_count ring_count track_overhead \
         test_reserve_compare rtmem_cli >build/bench-drivers.build.log 2>&1 \
    || { echo "bench: driver build failed:"; tail -n 30 build/bench-drivers.build.log; rc=1; drivers_ok=0; }
  D=build/bench-drivers/tests
  per_call() { # FILE CALLER-FILE-REGEX FN...: "fn: Ir/call (calls)"
    local f=$1 re=$2; shift 2
    python3 bench/callgrind_sum.py "$f" --caller-file "$re" "$@" \
      | awk '{ if ($2 > 0) printf "| `%s` | %.1f | %d |\n", $1, $3 / $2, $2; else printf "| `%s` | - | 0 |\n", $1 }'
  }
  # A failed build measures nothing (the binaries there may be stale); a failed run is a row that
  # says so and a non-zero exit, not a row left out.
  [ "${drivers_ok:-1}" = 1 ] && {
    echo
    echo "## Other allocators, x86-64 -O2 (callgrind, inclusive instructions per call)"
    echo
    echo "| call | instructions | calls |"
    echo "|---|---|---|"
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg/slab" "$D/slab/slab_count" >/dev/null 2>&1 \
      && per_call "$OUT/cg/slab" 'slab_count\.c$' rtm_slab_alloc rtm_slab_free \
      || { echo "| slab_count | FAILED | |"; rc=1; }
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg/ring" "$D/ring/ring_count" >/dev/null 2>&1 \
      && per_call "$OUT/cg/ring" 'ring_count\.c$' rtm_ring_claim rtm_ring_commit rtm_ring_peek rtm_ring_release \
      || { echo "| ring_count | FAILED | |"; rc=1; }
    echo
    echo "Slab: unlocked core (RTM_SLAB_LOCKING=0, as tests/slab/slab_count.c builds it); issue 3's target"
    echo "is under 20 per call. Ring: 4 KiB ring, records of 1..64 bytes, single producer/consumer."
    echo
    echo "| tracking (100,000 alloc+free pairs, 16 live, good-fit heap) | instructions per pair |"
    echo "|---|---|"
    for f in run_plain run_tracked run_guarded run_locked; do
      n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=$f "$D/track/track_overhead" 2>&1 \
          | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
      if [ -n "$n" ]; then echo "| \`$f\` | $(awk -v n="$n" 'BEGIN { printf "%.0f", n / 100000 }') |"
      else echo "| \`$f\` | FAILED |"; rc=1; fi
    done
    echo
    echo "## Priority reserves: tiered heaps against watermarks in one heap (same RAM, same trace)"
    echo
    echo '```'
    "$D/reserve/test_reserve_compare" 2>&1 | grep -vE '^\[ +(RUN|OK|PASSED|=+) ' | grep -v '^\[='
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "test_reserve_compare: FAILED"; rc=1; }
    echo '```'
    echo
    echo "## Static stack analysis at scale (issue 6): 20,000 functions, ~100,000 calls, target < 1 s"
    echo
    echo '```'
    bash bench/stack_scale.sh build/bench-drivers 2>&1 || { echo "stack scale: FAILED"; rc=1; }
    echo '```'
  } >>"$OUT/report.md"
fi
cat "$OUT/report.md"
echo
echo "bench: $(( $(date +%s) - start )) s; report in $OUT/report.md"
exit $rc
