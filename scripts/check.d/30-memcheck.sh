#!/usr/bin/env bash
# Valgrind memcheck of every test binary (scaled-down op counts via RTM_QUICK), with the
# allocators' Valgrind client requests compiled in.
set -u
source scripts/lib.sh
mkdir -p build
rtm_build memcheck -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTM_MEMCHECK=ON -DRTM_VALGRIND=ON || exit 1
RTM_QUICK=1 rtm_ctest memcheck
