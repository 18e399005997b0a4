# Helpers for scripts/check.d steps (sourced).
# rtm_build DIR [cmake -D args...]: configure (once) and build the host tree in build/DIR.
rtm_build() {
  local dir=build/$1; shift
  cmake -S "$RTM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir.configure.log" 2>&1 \
    || { mkdir -p build; cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$RTM_JOBS" >"$dir.build.log" 2>&1 || { tail -60 "$dir.build.log"; return 1; }
}
# rtm_ctest DIR [ctest args...]: run the tests of build/DIR; prints failures' output.
rtm_ctest() {
  local dir=build/$1; shift
  ctest --test-dir "$dir" -j "$RTM_JOBS" --output-on-failure "$@"
}
