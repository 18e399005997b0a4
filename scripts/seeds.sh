#!/usr/bin/env bash
# scripts/seeds.sh WORKLOAD TARGET [N]: the -m32 robust minimum arena of WORKLOAD (A, B, C) under
# TARGET (good, best, first, or a model of bench/models.h: heap4, first32, best32) on N seeds
# (default 8): the reference seed s0 (WORKLOADS.md: A 1, B 2, C 3) and s0 + 1000, s0 + 2000, ...,
# one line each, then their mean. Why: the robust minimum arena is chaotic, a one-word change
# moves one seed's figure by +-0.02 to 0.06, so a placement change counts only when it moves the
# mean (docs/benchmarks.md, "Seeds"). Runs the -m32 rtm_bench that `make bench` builds, built first
# on every run (incremental: a few seconds when nothing changed) so that an edit of src/heap.c is
# measured, not the program of before it; two runs at a time. Takes 10-20 s per seed and heap
# policy, under 1 s per model.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/seeds.sh A|B|C good|best|first|heap4|first32|best32 [N]" >&2; exit 2; }
w=$1 t=$2 n=${3:-8}
case $w in A) s0=1 ;; B) s0=2 ;; C) s0=3 ;; *) echo "seeds.sh: workload '$w': A, B or C" >&2; exit 2 ;; esac
case $n in '' | *[!0-9]* | 0) echo "seeds.sh: N '$n': a positive number" >&2; exit 2 ;; esac
bin=build/bench-m32/bench/rtm_bench
source scripts/lib.sh
rtm_bench_build m32 -DRTM_M32=ON || { echo "seeds.sh: building $bin failed" >&2; exit 1; }
rtm_m32_exec >/dev/null || { echo "seeds.sh: -m32 programs cannot run here" >&2; exit 1; }
seq 0 $((n - 1)) | xargs -P 2 -I{} sh -c \
  "s=\$(( $s0 + 1000 * {} )); r=\$($bin minarena $w $t \$s | sed -n 's/^robust_ratio //p'); echo \"{} \$s \$r\"" \
  | sort -n | awk -v w="$w" -v t="$t" '
    { if ($3 == "") { print "seeds.sh: no figure for seed " $2 > "/dev/stderr"; bad = 1 }
      printf "%s %s seed %s robust %s\n", w, t, $2, $3; sum += $3; k++ }
    END { if (bad || k == 0) exit 1; printf "%s %s mean of %d seeds %.4f\n", w, t, k, sum / k }'
