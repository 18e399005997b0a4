#!/usr/bin/env bash
# `make check`: installs what the tests need, builds every configuration, runs every test.
# Steps live in scripts/check.d/NN-name.sh and run in order; each is a bash script run from the
# repository root with helper functions from scripts/lib.sh. A step that fails does not stop the
# others; the exit status is non-zero if any step failed.
# Environment: RTM_JOBS (parallel jobs, default nproc), RTM_FUZZ_SECONDS (default 30),
#              RTM_CHECK_ONLY="10 40" (run only the steps with these numbers).
set -u
cd "$(dirname "$0")/.."
export RTM_ROOT=$PWD
export RTM_JOBS=${RTM_JOBS:-$(nproc)}
start=$(date +%s)

bash scripts/deps.sh || exit 1

failed=()
for step in scripts/check.d/[0-9]*.sh; do
  num=$(basename "$step" | cut -d- -f1)
  if [ -n "${RTM_CHECK_ONLY:-}" ] && ! [[ " $RTM_CHECK_ONLY " == *" $num "* ]]; then continue; fi
  t0=$(date +%s)
  echo "=== check: $(basename "$step" .sh)"
  if bash "$step"; then
    echo "=== check: $(basename "$step" .sh) passed ($(( $(date +%s) - t0 )) s)"
  else
    echo "=== check: $(basename "$step" .sh) FAILED ($(( $(date +%s) - t0 )) s)"
    failed+=("$(basename "$step" .sh)")
  fi
done

echo "=== check: total $(( $(date +%s) - start )) s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "=== check: FAILED steps: ${failed[*]}"
  exit 1
fi
echo "=== check: all steps passed"
