# Helpers for scripts/check.d steps (sourced).
# A step run on its own (bash scripts/check.d/60-targets.sh) gets what scripts/check.sh exports.
: "${RTM_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${RTM_JOBS:=$(nproc)}"
export RTM_ROOT RTM_JOBS
# Ninja when there is one (scripts/deps.sh installs ninja-build): the same compile commands as
# CMake's Makefiles, without their per-target recursion. A Release host configuration of this tree
# on the 2-core build machine: 63 s with Makefiles, 43 s with Ninja; make check configures about a
# dozen trees. A tree configured before keeps its generator (CMake reads it from the cache), and a
# CMAKE_GENERATOR the caller set wins.
if [ -z "${CMAKE_GENERATOR:-}" ] && command -v ninja >/dev/null 2>&1; then export CMAKE_GENERATOR=Ninja; fi
# rtm_build DIR [cmake -D args...]: configure (once) and build the host tree in build/DIR.
rtm_build() {
  local dir=build/$1; shift
  cmake -S "$RTM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir.configure.log" 2>&1 \
    || { mkdir -p build; cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$RTM_JOBS" >"$dir.build.log" 2>&1 || { tail -60 "$dir.build.log"; return 1; }
}
# rtm_bench_build NAME [cmake -D args...]: the benchmark program alone (rtm_bench at -O2, no
# tests) in build/bench-NAME, as `make bench` measures it; RTM_BENCH_CFLAGS adds compiler flags.
# scripts/bench.sh builds x64 and m32 with it, scripts/seeds.sh the m32 one on every run (incremental), so
# that both measure the same program. Prints the logs' tails and fails if either step fails.
rtm_bench_build() {
  local name=$1; shift
  mkdir -p build
  cmake -S "$RTM_ROOT" -B "build/bench-$name" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" \
        "-DCMAKE_C_FLAGS=${RTM_BENCH_CFLAGS:-}" -DRTM_BUILD_TESTS=OFF "$@" >"build/bench-$name.configure.log" 2>&1 \
    && cmake --build "build/bench-$name" -j "$RTM_JOBS" --target rtm_bench >"build/bench-$name.build.log" 2>&1 \
    || { tail -n 30 "build/bench-$name.configure.log" "build/bench-$name.build.log"; return 1; }
}
# rtm_ctest DIR [ctest args...]: run the tests of build/DIR; prints failures' output. A run that
# finds no test fails (ctest alone says "No tests were found" and exits 0).
rtm_ctest() {
  local dir=build/$1; shift
  ctest --test-dir "$dir" -j "$RTM_JOBS" --output-on-failure --no-tests=error "$@"
}
# rtm_m32_exec: makes sure this machine runs -m32 programs, and prints how: "native", or
# "qemu-i386" when the kernel cannot execute 32-bit programs (some of this workplace's VMs: every
# -m32 program fails there with "Exec format error"). Then, as root, it registers Debian's static
# qemu-i386 (qemu-user-static) for i386 ELF files with binfmt_misc, the mechanism of Debian's
# qemu-user-binfmt, so that every 32-bit program, a test's child processes included, runs under
# it. Fails, saying why, when gcc -m32 cannot link (gcc-multilib) or nothing can run the program.
rtm_m32_exec() {
  local probe=build/m32-probe reg=/proc/sys/fs/binfmt_misc
  mkdir -p build
  printf 'int main(void) { return 42; }\n' >"$probe.c"
  gcc -m32 "$probe.c" -o "$probe" 2>/dev/null || { echo "gcc -m32 cannot link a program (gcc-multilib?)" >&2; return 1; }
  # Registered by an earlier run: the kernel then hands every 32-bit program to qemu-i386, so the
  # probe below would run but not natively (callgrind, for one, cannot run it).
  if grep -qs '^enabled' $reg/rtm-i386 && "$probe" 2>/dev/null; [ $? -eq 42 ]; then
    echo qemu-i386
    return 0
  fi
  "$probe" 2>/dev/null
  [ $? -eq 42 ] && { echo native; return 0; }
  if [ -x /usr/bin/qemu-i386-static ] && [ "$(id -u)" = 0 ]; then
    [ -e $reg/register ] || mount -t binfmt_misc binfmt_misc $reg 2>/dev/null
    if [ -e $reg/register ] && [ ! -e $reg/rtm-i386 ]; then
      # ELF, 32-bit, little-endian, executable or shared object (PIE), machine 3 (i386)
      printf '%s' ':rtm-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-i386-static:F' >$reg/register 2>/dev/null
    fi
    "$probe" 2>/dev/null
    [ $? -eq 42 ] && { echo qemu-i386; return 0; }
  fi
  echo "this kernel does not execute 32-bit programs, and qemu-i386 could not be registered with binfmt_misc (needs root and qemu-user-static)" >&2
  return 1
}
