#!/usr/bin/env bash
# Host configurations: each is built from scratch and runs every ctest test.
#   debug    gcc, RTM_DEBUG (assertions + rtm_heap_check around every operation)
#   release  gcc -O2 (full-size randomized tests)
#   clang    clang -O2
#   asan     clang, ASan + UBSan, RTM_DEBUG
#   m32      gcc -m32 -O2
#   nointrin gcc -O2, portable bit scans (RTM_USE_INTRINSICS=0)
set -u
source scripts/lib.sh
mkdir -p build
rc=0
run_cfg() {
  local name=$1; shift
  echo "--- host config: $name"
  if rtm_build "$name" "$@"; then
    rtm_ctest "$name" || rc=1
  else
    echo "--- host config $name: build FAILED"; rc=1
  fi
}
run_cfg debug    -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Debug -DRTM_DEBUG=ON
run_cfg release  -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Release
run_cfg clang    -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release
run_cfg asan     -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DRTM_DEBUG=ON -DRTM_SANITIZE=ON
run_cfg m32      -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Release -DRTM_M32=ON
run_cfg nointrin -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Release -DRTM_NO_INTRINSICS=ON
exit $rc
