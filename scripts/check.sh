#!/usr/bin/env bash
# `make check`: installs what the tests need, builds every configuration, runs every test.
# Steps live in scripts/check.d/NN-name.sh and run in order; each is a bash script run from the
# repository root with helper functions from scripts/lib.sh. A step that fails does not stop the
# others; the exit status is non-zero if any step failed.
# Environment: RTM_JOBS (parallel jobs, default nproc), RTM_FUZZ_SECONDS (default 30),
#              RTM_CHECK_ONLY="10 40" (run only the steps with these numbers).
set -u
# The tests' own knobs (tests/common/rtm_test.h), for replaying one test by hand, would change what
# every test here runs (RTM_TEST_OPS=1: one operation per randomized test): make check runs the
# tests as written, on the fixed default seeds each test prints. Steps set the ones they need.
unset RTM_TEST_OPS RTM_QUICK RTM_EMULATED RTM_SEED RTM_TEST_FILTER VALGRIND_OPTS
cd "$(dirname "$0")/.."
export RTM_ROOT=$PWD
export RTM_JOBS=${RTM_JOBS:-$(nproc)}
start=$(date +%s)

bash scripts/deps.sh || exit 1

# test_stackgraph compiles its GCC fixtures (28 compiles, the same in every configuration: only the
# reader under test differs) once per check into this directory, and each later configuration
# reads them from there; emptied here, so that no check reads another run's compiles.
export RTM_STACK_FIXTURE_CACHE=$RTM_ROOT/build/stack-fixture-cache
rm -rf "$RTM_STACK_FIXTURE_CACHE"

failed=()
rm -rf build/check-logs
for step in scripts/check.d/[0-9]*.sh; do
  num=$(basename "$step" | cut -d- -f1)
  if [ -n "${RTM_CHECK_ONLY:-}" ] && ! [[ " $RTM_CHECK_ONLY " == *" $num "* ]]; then continue; fi
  t0=$(date +%s)
  echo "=== check: $(basename "$step" .sh)"
  mkdir -p build/check-logs
  log=build/check-logs/$(basename "$step" .sh).log
  bash "$step" 2>&1 | tee "$log"
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then
    echo "=== check: $(basename "$step" .sh) passed ($(( $(date +%s) - t0 )) s)"
  else
    echo "=== check: $(basename "$step" .sh) FAILED ($(( $(date +%s) - t0 )) s)"
    failed+=("$(basename "$step" .sh)")
  fi
done

echo "=== check: total $(( $(date +%s) - start )) s"
# Every ctest run's summary ("N% tests passed, F tests failed out of T"), added up over all steps.
read -r tests_total tests_failed < <(cat build/check-logs/*.log 2>/dev/null \
  | sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1 \2/p' \
  | awk '{f += $1; t += $2} END {print t + 0, f + 0}')
echo "tests: $((tests_total - tests_failed)) passed, $tests_failed failed"
if [ ${#failed[@]} -ne 0 ]; then
  echo "=== check: FAILED steps: ${failed[*]}"
  exit 1
fi
echo "=== check: all steps passed"
