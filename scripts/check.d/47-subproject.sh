#!/usr/bin/env bash
# rtmem as a subproject: examples/cmake_parent includes the checkout with add_subdirectory, as the
# README's quick start tells users to, and links `rtmem`. Built for the host (the program runs and
# its exit status says whether the heap worked) and for Cortex-M4 with cmake/toolchain-arm.cmake
# (bare metal: the core library alone, no POSIX port or tools). Both fail if rtmem's CMake uses
# the parent's CMAKE_SOURCE_DIR, builds host-only parts for a bare-metal parent, or registers its
# tests there. Environment: RTM_JOBS, RTM_SUBPROJECT_DIR (build directory, default build/subproject).
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.."
jobs=${RTM_JOBS:-$(nproc)}
out=${RTM_SUBPROJECT_DIR:-build/subproject}
rm -rf "$out"
mkdir -p "$out"

build() { # name, cmake args...
  local name=$1; shift
  cmake -S examples/cmake_parent -B "$out/$name" "$@" >"$out/$name.configure.log" 2>&1 \
    && cmake --build "$out/$name" -j "$jobs" >"$out/$name.build.log" 2>&1 \
    || { echo "subproject: $name build FAILED:"; tail -n 20 "$out/$name.configure.log" "$out/$name.build.log"; return 1; }
}
rc=0
if build host -DCMAKE_BUILD_TYPE=Release; then
  if "$out/host/app"; then
    echo "subproject: host: add_subdirectory(rtmem) builds, app runs and its heap works"
  else
    echo "subproject: host: app exited with status $?"; rc=1
  fi
  # A parent's ctest must not run rtmem's own tests.
  if [ -n "$(ctest --test-dir "$out/host" -N 2>/dev/null | grep -E 'Test +#')" ]; then
    echo "subproject: host: rtmem registered tests in the parent project"; rc=1
  fi
else
  rc=1
fi
if command -v arm-none-eabi-gcc >/dev/null; then
  if build arm -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchain-arm.cmake" "-DCMAKE_C_FLAGS=-mcpu=cortex-m4 -mthumb"; then
    [ -f "$out/arm/rtmem/librtmem.a" ] && [ ! -e "$out/arm/rtmem/librtmem_port_posix.a" ] \
      && echo "subproject: Cortex-M4: add_subdirectory(rtmem) builds the core library alone" \
      || { echo "subproject: Cortex-M4: expected librtmem.a and no POSIX port"; rc=1; }
  else
    rc=1
  fi
else
  echo "subproject: arm-none-eabi-gcc not found (scripts/deps.sh installs it)"; rc=1
fi
exit $rc
