#!/usr/bin/env bash
# ThreadSanitizer: the multi-threaded tests (ctest label "mt").
# ctest -L takes a regular expression matched against each label: anchored, so that another label
# with "mt" in its name (e.g. "format") does not select its tests.
set -u
source scripts/lib.sh
mkdir -p build
# Only what the mt tests run is built: each of them is an executable of the test's own name.
cmake -S "$RTM_ROOT" -B build/tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTM_TSAN=ON \
  -DRTM_HEAP_VARIANTS=OFF >build/tsan.configure.log 2>&1 || { cat build/tsan.configure.log; exit 1; }
mapfile -t mt < <(ctest --test-dir build/tsan -N -L '^mt$' | sed -n 's/.*Test *#[0-9]*: *//p')
[ ${#mt[@]} -gt 0 ] || { echo "tsan: no test labelled mt"; exit 1; }
cmake --build build/tsan -j "$RTM_JOBS" --target "${mt[@]}" >build/tsan.build.log 2>&1 \
  || { tail -60 build/tsan.build.log; exit 1; }
# No test labelled mt is a failure of its own: the thread-safe modules must have one.
# Each test runs up to 8 times (stopping at its first failure): ThreadSanitizer reports only the
# races a run's interleaving exposes, and the race CI found in the POSIX fault handler
# (2026-11-29) showed in about 1 run in 5; one run let it through a fresh-clone check. ~8 s.
rtm_ctest tsan -L '^mt$' --repeat until-fail:8
