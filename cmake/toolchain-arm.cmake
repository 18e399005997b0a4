# Toolchain file for the bare-metal Cortex-M firmware in targets/ (arm-none-eabi-gcc).
#   cmake -S targets -B build/targets-arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm.cmake
# The CPU (-mcpu=...) is chosen per board inside targets/CMakeLists.txt, so one build tree holds the
# firmware for every Arm board.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(RTM_TARGET_ARCH arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size")

# Compiler checks link a static library instead of a program: there is no C runtime to link against.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
