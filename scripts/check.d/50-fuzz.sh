#!/usr/bin/env bash
# libFuzzer targets (fuzz/fuzz_*.c): fuzz_heap for RTM_FUZZ_SECONDS (default 30, issue 2's figure),
# the other targets (fuzz_slab, fuzz_ring, fuzz_stack, fuzz_trace, fuzz_mpuplan, fuzz_domain, fuzz_track,
# fuzz_reserve, fuzz_stackpool: every build/DIR/fuzz/fuzz_* is run, so a new fuzz/fuzz_NAME.c needs
# no change here) for a third of that and configuration variants fuzz_NAME_vN for a quarter, two at
# a time, with the dictionary fuzz/NAME.dict when there is one. The step's time: 135 s at 243fe64
# with ten targets at 30 / 20 / 15 s; 168 s at c2cd405 with fifteen at 30 / 15 / 10 s, when make
# check took 922 s, over its 15 minutes; now 30 / 10 / 8 s (2026-11-29). fuzz_domain added 10 s to one
# of the two lanes: 119 s from a fresh build/fuzz before and after it (noise on a shared 2-core machine).
# `make fuzz` runs longer (RTM_FUZZ_SECONDS). RTM_FUZZ_SANITIZERS (default address,undefined)
# picks the sanitizers; "undefined" alone fuzzes the allocators as a production build runs them
# (no ASan poisoning around their metadata): `RTM_FUZZ_SANITIZERS=undefined make fuzz`.
set -u
source scripts/lib.sh
mkdir -p build
secs=${RTM_FUZZ_SECONDS:-30}
san=${RTM_FUZZ_SANITIZERS:-address,undefined}
dir=fuzz
[ "$san" = address,undefined ] || dir=fuzz-$(echo "$san" | tr ',' '-')
rtm_build "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTM_FUZZ=ON \
  "-DRTM_FUZZ_SANITIZERS=$san" -DRTM_BUILD_TESTS=OFF || exit 1
shopt -s nullglob
bins=(build/$dir/fuzz/fuzz_*)
[ ${#bins[@]} -gt 0 ] || { echo "no fuzz targets built"; exit 1; }
rc=0
pids=()
for b in "${bins[@]}"; do
  name=$(basename "$b")
  corpus=build/fuzz/corpus/$name; mkdir -p "$corpus" # one corpus for every sanitizer set
  base=${name%_v[0-9]}  # fuzz_heap_v1 -> fuzz_heap: a configuration variant uses its base's seeds
  t=$secs                # and runs a quarter as long (the code it shares with its base is fuzzed there)
  [ "$name" = fuzz_heap ] || t=$(( (secs + 2) / 3 ))
  [ "$base" = "$name" ] || t=$(( (secs + 3) / 4 ))
  seeds=fuzz/corpus/$base
  [ -d "$seeds" ] || seeds=
  dict=
  [ -f "fuzz/$base.dict" ] && dict=-dict=fuzz/$base.dict
  # -artifact_prefix: a crash, leak, timeout or oom input lands beside the log, not in the checkout
  ( "$b" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build/$dir/$name-" $dict "$corpus" $seeds \
      > "build/$dir/$name.log" 2>&1 \
      && echo "fuzz $name ($san): ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' build/$dir/$name.log | grep -o '[0-9]*$') runs in ${t}s)" \
      || { echo "fuzz $name ($san): FAILED (inputs: build/$dir/$name-*)"; tail -40 "build/$dir/$name.log"; exit 1; } ) &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || rc=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
