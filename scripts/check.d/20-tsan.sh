#!/usr/bin/env bash
# ThreadSanitizer: the multi-threaded tests (ctest label "mt").
set -u
source scripts/lib.sh
mkdir -p build
rtm_build tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTM_TSAN=ON || exit 1
# No test labelled mt is a failure of its own: the thread-safe modules must have one.
rtm_ctest tsan -L mt --no-tests=error
