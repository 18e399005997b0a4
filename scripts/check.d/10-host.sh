#!/usr/bin/env bash
# Host configurations: each is configured in build/NAME (from scratch on a clean clone; a rerun
# reuses the tree) and runs every ctest test.
#   debug    gcc, RTM_DEBUG (assertions + rtm_heap_check around every operation)
#   release  gcc -O2 (full-size randomized tests of the default build)
#   clang    clang -O2
#   asan     clang, ASan + UBSan, RTM_DEBUG
#   m32      gcc -m32 -O2
#   nointrin gcc -O2, portable bit scans (RTM_USE_INTRINSICS=0) and RTM_ALIGN=16 for everything
#            (core, tools, tests): two changes for the whole suite in one tree (they were two
#            configurations, align16 apart, 50 s each of make check's 15 minutes; a failure here is
#            told apart by building either alone)
# and then that Release compiles at -O2 by default and at a CMAKE_C_FLAGS_RELEASE the user gives.
# The heap's option variants (tests/heap: the heap tests rebuilt under each heap configuration
# macro) are built where they can find something the others cannot: debug (the invariant walk
# after every operation), asan (memory errors on every variant's paths) and m32 (the 32-bit block
# layout, at -O2). release, clang and nointrin run the heap's own tests, not every heap option
# again (RTM_HEAP_VARIANTS=OFF): release's -O2 is m32's, and clang and nointrin change the compiler,
# the bit scans and the alignment for the whole suite (the align16 variant is nointrin's heap tests). The variants are about 60% of a configuration's build (2 shared cores,
# release 49 s with them, 23 s without) and release's were the longest of their tests (full-size
# randomized runs): make check's time went over 14 1/2 minutes with them (885 s at def406c).
set -u
source scripts/lib.sh
mkdir -p build
rc=0
CTEST_ARGS=() # extra ctest arguments of the next run_cfg
run_cfg() {
  local name=$1; shift
  echo "--- host config: $name"
  if rtm_build "$name" "$@"; then
    rtm_ctest "$name" ${CTEST_ARGS[@]+"${CTEST_ARGS[@]}"} || rc=1
  else
    echo "--- host config $name: build FAILED"; rc=1
  fi
}
run_cfg debug    -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Debug -DRTM_DEBUG=ON
run_cfg release  -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Release -DRTM_HEAP_VARIANTS=OFF
run_cfg clang    -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release -DRTM_HEAP_VARIANTS=OFF
run_cfg asan     -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DRTM_DEBUG=ON -DRTM_SANITIZE=ON
# -m32 needs a kernel that runs 32-bit programs, or qemu-i386 registered for them (scripts/lib.sh).
# Under qemu-i386 one test cannot mean what it says: qemu-user's mprotect accepts a page that is not
# mapped, which test_domain_posix checks the kernel refuses; it runs in every 64-bit configuration.
if m32_exec=$(rtm_m32_exec); then
  CTEST_ARGS=()
  if [ "$m32_exec" != native ]; then
    echo "--- this kernel does not execute 32-bit programs: the m32 tests run under $m32_exec (binfmt_misc);"
    echo "--- test_domain_posix is left out there (qemu-user's mprotect does not refuse unmapped pages)"
    CTEST_ARGS=(-E '^test_domain_posix$')
    # emulation is about five times slower: the randomized tests run a quarter of their operations
    # (tests/common/rtm_test.h); the 64-bit Release configuration runs them all
    export RTM_EMULATED=1
  fi
  run_cfg m32 -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release -DRTM_M32=ON
  CTEST_ARGS=()
  unset RTM_EMULATED
else
  echo "--- host config m32: FAILED, no way to run its programs"; rc=1
fi
run_cfg nointrin -DCMAKE_C_COMPILER=gcc   -DCMAKE_BUILD_TYPE=Release -DRTM_NO_INTRINSICS=ON -DRTM_ALIGN=16 \
                 -DRTM_HEAP_VARIANTS=OFF
# Release's optimisation level (CMakeLists.txt): -O2 by default, and a CMAKE_C_FLAGS_RELEASE given
# by the user wins. Every compile command must carry the one level and not the other.
opt_level() { # DIR WANT NOT: build/DIR's compile commands all have -WANT and none -NOT
  local db=build/$1/compile_commands.json n
  n=$(grep -c '"command"' "$db" 2>/dev/null)
  if [ "${n:-0}" -eq 0 ] || [ "$(grep -c -- " -$2 " "$db")" -ne "$n" ] || grep -q -- " -$3 " "$db"; then
    echo "--- release optimisation level: build/$1 should compile with -$2 only:"; grep -m3 '"command"' "$db"; rc=1
  fi
}
opt_level release O2 O3
if cmake -S "$RTM_ROOT" -B build/release-o3 -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O3 -DNDEBUG" \
     -DRTM_BUILD_TESTS=OFF >build/release-o3.configure.log 2>&1; then
  opt_level release-o3 O3 O2
else
  cat build/release-o3.configure.log; rc=1
fi
exit $rc
