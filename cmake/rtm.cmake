# Build helpers shared by every CMakeLists.txt of the project.
if(RTM_HOST)
  find_package(Threads REQUIRED)
endif()

set(RTM_WARNINGS -Wall -Wextra -Wshadow -Wno-unused-function)
if(RTM_WERROR)
  list(APPEND RTM_WARNINGS -Werror)
endif()

# Flags for everything (core, port, tools, tests): configuration options become defines.
add_compile_options(-g)
# Release defaults to -O2, not -O3: CMakeLists.txt sets CMAKE_C_FLAGS_RELEASE before project().
if(RTM_M32)
  add_compile_options(-m32)
  add_link_options(-m32)
endif()
if(RTM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(RTM_TSAN)
  add_compile_options(-fsanitize=thread)
  add_link_options(-fsanitize=thread)
endif()
if(RTM_FUZZ)
  add_compile_options(-fsanitize=${RTM_FUZZ_SANITIZERS} -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=${RTM_FUZZ_SANITIZERS})
endif()
if(RTM_DEBUG)
  add_compile_definitions(RTM_DEBUG=1 RTM_HEAP_CHECK_EVERY_OP=1)
endif()
if(RTM_NO_INTRINSICS)
  add_compile_definitions(RTM_USE_INTRINSICS=0)
endif()
if(RTM_VALGRIND)
  add_compile_definitions(RTM_VALGRIND=1)
endif()
if(RTM_ALIGN)
  set(_rtm_align_ok OFF)
  foreach(_a 8 16 32 64 128 256)
    if(RTM_ALIGN STREQUAL "${_a}")
      set(_rtm_align_ok ON)
    endif()
  endforeach()
  if(NOT _rtm_align_ok)
    message(FATAL_ERROR "RTM_ALIGN=${RTM_ALIGN}: a power of two from 8 to 256 (README, Configuration)")
  endif()
  add_compile_definitions(RTM_ALIGN=${RTM_ALIGN})
endif()

# Portable core: freestanding C11, strict warnings.
function(rtm_core_flags tgt)
  target_compile_options(${tgt} PRIVATE ${RTM_WARNINGS} -Wstrict-prototypes -Wmissing-prototypes)
endfunction()

# Host code (port, tools, tests): same warnings, libc allowed. _FILE_OFFSET_BITS=64: a -m32 build
# reads directories and files with 64-bit offsets and inode numbers (without it, readdir fails with
# EOVERFLOW on a file system whose directory offsets do not fit 32 bits: seen on this workplace's VMs).
function(rtm_host_flags tgt)
  target_compile_options(${tgt} PRIVATE ${RTM_WARNINGS})
  target_compile_definitions(${tgt} PRIVATE _GNU_SOURCE=1 _FILE_OFFSET_BITS=64)
endfunction()

# rtm_add_test(NAME name COMMAND exe args... [EXIT_CODE n] [LABELS l...] [TIMEOUT s])
# Registers a ctest test. With RTM_MEMCHECK the command runs under valgrind memcheck and any
# error fails the test. Labels in use: unit, mt (multi-threaded: also run under TSan),
# novalgrind (skip under memcheck: e.g. death tests that rely on ASan), nowrap (under memcheck,
# run as is: tests that start valgrind themselves, or run the compiler), slow.
# EXIT_CODE n: the command must exit with exactly n (tests/common/expect_exit.sh, which runs
# outside valgrind, so valgrind's own error status 99 is a failure, not "some failure"). A test
# that passes by its output (PASS_REGULAR_EXPRESSION) must give EXIT_CODE, because ctest then
# ignores the exit status; WILL_FAIL is refused, because it passes on any failure, a crash, a
# sanitizer's or valgrind's report included (rtm_check_test_properties, run when the directory
# is done).
function(rtm_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;EXIT_CODE" "COMMAND;LABELS" ${ARGN})
  set(cmd ${T_COMMAND})
  if(RTM_MEMCHECK AND NOT "nowrap" IN_LIST T_LABELS)
    if("novalgrind" IN_LIST T_LABELS)
      return()
    endif()
    set(cmd valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite -q ${cmd})
  endif()
  if(DEFINED T_EXIT_CODE)
    set(cmd sh ${RTM_ROOT}/tests/common/expect_exit.sh ${T_EXIT_CODE} ${cmd})
    set_property(GLOBAL PROPERTY RTM_EXIT_CODE_${T_NAME} ${T_EXIT_CODE})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${cmd})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
  # (EVAL: a deferred call's arguments are expanded when it runs, after this function's scope)
  cmake_language(EVAL CODE "cmake_language(DEFER CALL rtm_check_test_properties [[${T_NAME}]])")
endfunction()

# What a checker prints when it finds an error: valgrind (with -q it prints nothing else), ASan,
# LeakSanitizer, UBSan, TSan; and expect_exit.sh's line for a wrong exit status (ctest ignores the
# status of a test with PASS_REGULAR_EXPRESSION, the wrapper's own included: only output counts).
set(RTM_CHECKER_REPORT_REGEX "==[0-9]+== |ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error: |WARNING: ThreadSanitizer|expect_exit: ")
# Run at the end of the directory that registered test @p name (after its set_tests_properties):
# the rules of rtm_add_test's EXIT_CODE. A test with EXIT_CODE also fails on a checker's report
# in its output (added to any FAIL_REGULAR_EXPRESSION of its own): ASan and UBSan exit with 1,
# the tools' own error status, so the status alone cannot tell them apart.
function(rtm_check_test_properties name)
  get_test_property(${name} WILL_FAIL will_fail)
  if(will_fail)
    message(FATAL_ERROR "test ${name}: WILL_FAIL passes on any failure, a crash or a checker's report too: give rtm_add_test EXIT_CODE n")
  endif()
  # (get_property unsets code when the property is not set: compare "${code}", not the name)
  get_property(code GLOBAL PROPERTY RTM_EXIT_CODE_${name})
  get_test_property(${name} PASS_REGULAR_EXPRESSION pass)
  if(NOT "${pass}" STREQUAL "NOTFOUND" AND "${code}" STREQUAL "")
    message(FATAL_ERROR "test ${name}: PASS_REGULAR_EXPRESSION makes ctest ignore the exit status: give rtm_add_test EXIT_CODE n")
  endif()
  if(NOT "${code}" STREQUAL "")
    get_test_property(${name} FAIL_REGULAR_EXPRESSION fail)
    if("${fail}" STREQUAL "NOTFOUND")
      set(fail "")
    endif()
    list(APPEND fail "${RTM_CHECKER_REPORT_REGEX}")
    set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "${fail}")
  endif()
endfunction()

# rtm_cmocka_test(name sources... [LIBS libs...] [LABELS ...]): a cmocka test executable + test.
function(rtm_cmocka_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${RTM_ROOT}/src ${RTM_ROOT}/tests/common
                             ${RTM_ROOT}/tools/lib)
  target_link_libraries(${name} PRIVATE ${T_LIBS} rtmem_port_posix rtmem cmocka)
  rtm_host_flags(${name})
  rtm_add_test(NAME ${name} COMMAND $<TARGET_FILE:${name}> ${T_ARGS} LABELS ${T_LABELS} TIMEOUT ${T_TIMEOUT})
endfunction()

# rtm_compile_ok(NAME name SOURCE file): @p file compiled (public headers, the project's flags) as
# part of the build: the good definitions beside a file's rtm_compile_fail_test cases.
function(rtm_compile_ok)
  cmake_parse_arguments(T "" "NAME;SOURCE" "" ${ARGN})
  add_library(${T_NAME} OBJECT ${T_SOURCE})
  target_include_directories(${T_NAME} PRIVATE ${RTM_ROOT}/include)
  rtm_host_flags(${T_NAME})
endfunction()

# rtm_compile_fail_test(NAME name SOURCE file [DEFINES d...] PATTERNS regex...): a test that
# compiles @p file with the project's flags (and @p DEFINES) and passes iff the compiler refuses it
# with output matching every regex: for the static assertions of public macros, which a test
# program cannot reach. The file is an object library outside the build (EXCLUDE_FROM_ALL) that the
# test builds with cmake --build; such tests share a RESOURCE_LOCK, so that two builds never run
# in one tree at once.
function(rtm_compile_fail_test)
  cmake_parse_arguments(T "" "NAME;SOURCE" "DEFINES;PATTERNS" ${ARGN})
  add_library(${T_NAME} OBJECT EXCLUDE_FROM_ALL ${T_SOURCE})
  target_include_directories(${T_NAME} PRIVATE ${RTM_ROOT}/include)
  target_compile_definitions(${T_NAME} PRIVATE ${T_DEFINES})
  rtm_host_flags(${T_NAME})
  rtm_add_test(NAME ${T_NAME} COMMAND sh ${RTM_ROOT}/tests/common/expect_fail.sh ${T_PATTERNS} --
               ${CMAKE_COMMAND} --build ${RTM_BUILD_ROOT} --config $<CONFIG> --target ${T_NAME}
               LABELS unit nowrap TIMEOUT 120)
  set_tests_properties(${T_NAME} PROPERTIES RESOURCE_LOCK rtm_build_tree)
endfunction()
