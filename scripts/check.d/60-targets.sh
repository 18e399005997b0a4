#!/usr/bin/env bash
# Target tests: builds the firmware in targets/ for every board (Arm: mps2-an385 Cortex-M3,
# mps2-an505 Cortex-M33, and mps2-an505-hf, the same built hard-float; RISC-V: riscv32 virt; i386:
# pc-i386, the benchmark board of the 32-bit layout, heap only) with the toolchain files in cmake/, and runs each
# image under QEMU through ctest (tests target.<board>.<program>). Fails if a build or any target
# test fails, or if a tree registers no tests. target.<board>.stack also runs the host's `rtmem
# stack` on the firmware's .su/.ci files: build/release/rtmem, built by step 10.
# Environment: RTM_JOBS.
set -u
source scripts/lib.sh
mkdir -p build
rc=0
# The stack cross-check's host tool: step 10 leaves it in build/release; on its own
# (RTM_CHECK_ONLY=60) this step builds just the tool there.
if [ ! -x build/release/rtmem ]; then
  echo "--- targets: building the host rtmem for the stack cross-check (build/release)"
  { cmake -S "$RTM_ROOT" -B build/release -DCMAKE_BUILD_TYPE=Release -DRTM_HEAP_VARIANTS=OFF \
      && cmake --build build/release -j "$RTM_JOBS" --target rtmem_cli; } >build/release-tool.log 2>&1 \
    || { tail -40 build/release-tool.log; echo "--- targets: host rtmem build FAILED"; rc=1; }
fi
for arch in arm riscv i386; do
  dir=build/targets-$arch
  echo "--- targets: $arch"
  if cmake -S targets -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$RTM_ROOT/cmake/toolchain-$arch.cmake" \
       -DCMAKE_BUILD_TYPE=Release -DRTM_HOST_RTMEM="$RTM_ROOT/build/release/rtmem" >"$dir.configure.log" 2>&1 \
     && cmake --build "$dir" -j "$RTM_JOBS" >"$dir.build.log" 2>&1; then
    ctest --test-dir "$dir" -j "$RTM_JOBS" --output-on-failure --no-tests=error || rc=1
  else
    cat "$dir.configure.log"; tail -60 "$dir.build.log" 2>/dev/null
    echo "--- targets $arch: build FAILED"; rc=1
  fi
done
exit $rc
