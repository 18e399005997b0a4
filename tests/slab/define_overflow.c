/*
 * RTM_SLAB_DEFINE refuses, at compile time, a slab whose layout does not fit in a size_t (as
 * rtm_slab_init does at run time, and as slab.c's free check assumes: count * stride < 2^N).
 * Without that check the buffer's size wraps, and the slab hands out blocks past its end.
 * Compiled by the compile-fail tests of CMakeLists.txt, one CASE each; without CASE (the control,
 * part of the build) every definition is good.
 */
#include "rtmem/slab.h"

#if SIZE_MAX > 0xFFFFFFFFu
/* 2^34 + 1 blocks of 1 GiB: count * stride = 2^64 + 2^30, which wraps to one block's size. */
#define BIG_BLOCK ((size_t)1 << 30)
#define BIG_COUNT (((size_t)1 << 34) + 1u)
#else
/* 65537 blocks of 64 KiB: count * stride = 2^32 + 2^16, which wraps to one block's size. */
#define BIG_BLOCK ((size_t)1 << 16)
#define BIG_COUNT (((size_t)1 << 16) + 1u)
#endif

#if !defined(CASE)
RTM_SLAB_DEFINE_STATIC(good_slab, 48, 32, 8);
void define_overflow_ok(void);
void define_overflow_ok(void)
{
    RTM_SLAB_DEFINE_STATIC(good_local, 16, 4, 16); /* block scope compiles too */
    (void)good_local;
    (void)good_slab;
}
#elif CASE == 1 /* file scope */
RTM_SLAB_DEFINE(wrapped, BIG_BLOCK, BIG_COUNT, 8);
#elif CASE == 2 /* block scope */
void define_overflow_block(void);
void define_overflow_block(void)
{
    RTM_SLAB_DEFINE_STATIC(wrapped, BIG_BLOCK, BIG_COUNT, 8);
    (void)wrapped;
}
#elif CASE == 3 /* the stride itself wraps: block_size + align - 1 > SIZE_MAX */
RTM_SLAB_DEFINE(wrapped, SIZE_MAX - 7u, 1, 64);
#endif
