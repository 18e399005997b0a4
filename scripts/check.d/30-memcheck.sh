#!/usr/bin/env bash
# Valgrind memcheck of every test binary (scaled-down op counts via RTM_QUICK), with the
# allocators' Valgrind client requests compiled in. Without the heap's option variants: the asan
# configuration (step 10) runs each of them for memory errors; memcheck adds the client requests
# (RTM_VALGRIND), which every variant reaches through the same accessors as the default heap.
set -u
source scripts/lib.sh
mkdir -p build
rtm_build memcheck -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTM_MEMCHECK=ON -DRTM_VALGRIND=ON \
  -DRTM_HEAP_VARIANTS=OFF || exit 1
RTM_QUICK=1 rtm_ctest memcheck
