/*
 * RTM_RING_DEFINE(name, RTM_RING_BUF_SIZE(n, k)) refuses, at compile time, a ring whose size does not
 * fit in a size_t. RTM_RING_BUF_SIZE's product used to wrap to a small, valid-looking size (16 bytes
 * for n = SIZE_MAX, k = 1) that compiled: a ring far smaller than its guarantee. Compiled by the
 * compile-fail tests of CMakeLists.txt, one CASE each; without CASE (the control, part of the build)
 * every definition is good.
 */
#include "rtmem/ring.h"

#if SIZE_MAX > 0xFFFFFFFFu
/* 2^24 records of 2^40 bytes (span 2^40 + 8): (k + 1) * span = 2^64 + 2^27, which wrapped to 128 MiB */
#define BIG_N ((size_t)1 << 40)
#define BIG_K (((size_t)1 << 24) - 1u)
#else
/* 4096 records of 1 MiB (span 2^20 + 8): (k + 1) * span = 2^32 + 2^15, which wrapped to 32 KiB */
#define BIG_N ((size_t)1 << 20)
#define BIG_K ((size_t)4095)
#endif

#if !defined(CASE)
RTM_RING_DEFINE(good_ring, RTM_RING_BUF_SIZE(40, 3));
#elif CASE == 1 /* the record size wraps: RTM_RING_RECORD_SIZE(SIZE_MAX) is one granule */
RTM_RING_DEFINE(wrapped, RTM_RING_BUF_SIZE(SIZE_MAX, 1));
#elif CASE == 2 /* (k + 1) * record size wraps */
RTM_RING_DEFINE(wrapped, RTM_RING_BUF_SIZE(BIG_N, BIG_K));
#endif
