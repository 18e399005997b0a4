#!/usr/bin/env bash
# Scale benchmark of `rtmem stack`: a generated call graph of 20,000 functions and ~100,000 calls
# (24 layers, self- and two-function recursion, indirect calls), written as .ci text, parsed,
# analysed and reported as JSON. Target: analysed in under 1 s. Prints the figures; asserts nothing.
# Usage: bench/stack_scale.sh [BUILD_DIR] [NFUNC] [NEDGES]   (default build/stack-bench, Release)
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build/stack-bench}
nf=${2:-20000}
ne=${3:-100000}
if [ ! -x "$dir/rtmem" ]; then
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DRTM_BUILD_TESTS=OFF >/dev/null
  cmake --build "$dir" -j "${RTM_JOBS:-2}" --target rtmem_cli >/dev/null
fi
for seed in 1 2 3; do
  "$dir/rtmem" stack --bench-generate "$nf" "$ne" "$seed"
done
