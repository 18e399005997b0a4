/*
 * RTM_STACKPOOL_DEFINE refuses, at compile time, a pool whose layout does not fit in a size_t (as
 * rtm_stackpool_init does at run time). Without that check the stack array's size, count * stride,
 * wraps, and the pool hands out stacks past the end of the array. Compiled by the compile-fail tests
 * of CMakeLists.txt, one CASE each; without CASE (the control, part of the build) every definition
 * is good.
 */
#include "rtmem/stackpool.h"

#if SIZE_MAX > 0xFFFFFFFFu
/* 2^31 + 1 stacks of 8 GiB: count * stride = 2^64 + 2^33, which wraps to one stack's size. */
#define BIG_SIZE ((size_t)1 << 33)
#define BIG_COUNT (((size_t)1 << 31) + 1u)
#else
/* 65537 stacks of 64 KiB: count * stride = 2^32 + 2^16, which wraps to one stack's size. */
#define BIG_SIZE ((size_t)1 << 16)
#define BIG_COUNT (((size_t)1 << 16) + 1u)
#endif

#if !defined(CASE)
RTM_STACKPOOL_DEFINE(good_pool, 512, 2, 512);
void define_overflow_ok(void);
void define_overflow_ok(void)
{
    RTM_STACKPOOL_DEFINE(good_local, 256, 3, 64); /* block scope compiles too */
    (void)good_local;
}
#elif CASE == 1 /* file scope */
RTM_STACKPOOL_DEFINE(wrapped, BIG_SIZE, BIG_COUNT, 8);
#elif CASE == 2 /* the stride itself wraps: size + align - 1 > SIZE_MAX */
RTM_STACKPOOL_DEFINE(wrapped, SIZE_MAX - 7u, 1, 64);
#endif
