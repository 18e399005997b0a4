#!/usr/bin/env bash
# Host configurations: each is built from scratch and runs every ctest test.
#   debug    gcc, RTM_DEBUG (assertions + rtm_heap_check around every operation)
#   release  gcc -O2 (full-size randomized tests)
#   clang    clang -O2
#   asan     clang, ASan + UBSan, RTM_DEBUG
#   m32      gcc -m32 -O2
#   nointrin gcc -O2, portable bit scans (RTM_USE_INTRINSICS=0)
#   align16  gcc -O2, RTM_ALIGN=16 for everything (core, tools, tests); without the heap's option
#            variants (RTM_HEAP_VARIANTS=OFF: each runs at the default alignment above, and their
#            align16 variant is this build's own heap tests), which would double its cost (2 shared
#            cores: build 49 s CPU, ctest 19-24 s, about 70 s in all; with the variants 115 s CPU,
#            ctest 51 s, about 150 s)
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
run_cfg align16  -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Release -DRTM_ALIGN=16 -DRTM_HEAP_VARIANTS=OFF
exit $rc
