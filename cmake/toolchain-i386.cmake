# Toolchain file for the bare-metal i386 benchmark firmware in targets/ (the host gcc with -m32,
# gcc-multilib): the board pc-i386, a multiboot image run by qemu-system-i386 -kernel. It exists to
# count instructions of the embedded (32-bit) block layout exactly where callgrind cannot run a
# 32-bit program (QEMU -icount: the time-stamp counter then counts instructions; docs/bench.md).
#   cmake -S targets -B build/targets-i386 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-i386.cmake
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR i386)
set(RTM_TARGET_ARCH x86)

set(CMAKE_C_COMPILER gcc)
set(CMAKE_ASM_COMPILER gcc)
# -fno-pie: a static image at a fixed address (Debian's gcc builds position-independent code by
# default, which on i386 keeps a register for the GOT).
set(CMAKE_C_FLAGS_INIT "-m32 -fno-pie")
set(CMAKE_ASM_FLAGS_INIT "-m32 -fno-pie")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32 -no-pie -static")

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
