/*
 * Private helpers shared by rtmem's core modules. Never installed; never included by users.
 * Freestanding: only <stdint.h>, <stddef.h>, <stdbool.h>, <limits.h> (no <string.h>: the RV32
 * toolchain has none; use rtm_memcpy / rtm_memset / rtm_memmove below).
 */
#ifndef RTM_INTERNAL_H
#define RTM_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtmem/common.h"

/* ---- assertions ------------------------------------------------------------------------------ */
/* RTM_ASSERT is for invariants the code itself guarantees, never for checking a caller's input
 * (that is always on and goes through rtm_report). Off unless RTM_DEBUG; override to hook a
 * platform's assert. */
#ifndef RTM_ASSERT
#if defined(RTM_DEBUG) && RTM_DEBUG
#define RTM_ASSERT(x) ((x) ? (void)0 : __builtin_trap())
#else
#define RTM_ASSERT(x) ((void)0)
#endif
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RTM_LIKELY(x) __builtin_expect(!!(x), 1)
#define RTM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#if defined(__OPTIMIZE_SIZE__)
#define RTM_INLINE static inline /* -Os: let the compiler share code rather than copy it */
#else
#define RTM_INLINE static inline __attribute__((always_inline))
#endif
#define RTM_NOINLINE __attribute__((noinline))
#else
#define RTM_LIKELY(x) (x)
#define RTM_UNLIKELY(x) (x)
#define RTM_INLINE static inline
#define RTM_NOINLINE
#endif

/* ---- memory primitives ----------------------------------------------------------------------- */
/* The core includes no libc header beyond the freestanding ones: the RV32 toolchain has no libc
 * headers at all. GCC and clang lower these builtins inline or to memcpy/memset/memmove, which every
 * C runtime (and rtmem's target start-up code) provides. */
/* Keeps the compiler from carrying memory values across this point (no instruction): for data that
 * a handler on the same core may change in between (fault.c). Other compilers need their own. */
#if defined(__GNUC__) || defined(__clang__)
#define RTM_COMPILER_BARRIER() __asm__ __volatile__("" : : : "memory")
#else
#define RTM_COMPILER_BARRIER() ((void)0)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define rtm_memcpy __builtin_memcpy
#define rtm_memmove __builtin_memmove
#define rtm_memset __builtin_memset
#else
#include <string.h>
#define rtm_memcpy memcpy
#define rtm_memmove memmove
#define rtm_memset memset
#endif

/* ---- bit scans ------------------------------------------------------------------------------- */
/* RTM_USE_INTRINSICS=0 selects the portable fallbacks (tested in their own configuration). Each
 * function is defined for non-zero operands only. Widths are explicit: never assume that
 * unsigned long is as wide as size_t. */
#ifndef RTM_USE_INTRINSICS
#if defined(__GNUC__) || defined(__clang__)
#define RTM_USE_INTRINSICS 1
#else
#define RTM_USE_INTRINSICS 0
#endif
#endif

/* Cores with a multiplier but no count-leading-zeros instruction (ARMv6-M: Cortex-M0/M0+/M1;
 * RV32 without Zbb): GCC's __builtin_clz/ctz become libgcc calls there (__clzsi2, __ctzsi2, a call
 * and a table walk each). A de Bruijn multiply does it inline in a handful of instructions. */
#ifndef RTM_BITSCAN_DEBRUIJN
#if RTM_USE_INTRINSICS && ((defined(__arm__) && !defined(__ARM_FEATURE_CLZ)) || \
                           (defined(__riscv) && !defined(__riscv_zbb) && defined(__riscv_mul)))
#define RTM_BITSCAN_DEBRUIJN 1
#else
#define RTM_BITSCAN_DEBRUIJN 0
#endif
#endif

#if RTM_BITSCAN_DEBRUIJN
/* ctz: the lowest set bit alone times the de Bruijn constant 0x077CB531 has a distinct top five
 * bits for each of the 32 positions; log2: x with every bit below its highest set, times 0x07C4ACDD,
 * likewise (the classic tables, e.g. "Bit Twiddling Hacks"). Measured on ARMv6-M (make bench, group
 * thumb1, good fit, -O2): workload A alloc mean / max 119 / 637 -> 109 / 451 instructions, C 330 /
 * 692 -> 263 / 480. Tested against a reference on the host (test_bitscan forces this path). */
RTM_INLINE unsigned rtm_ctz32(uint32_t x)
{
    /* tables inside the functions: a file-scope static const that a file does not use is a
     * -Wunused-const-variable warning in C */
    static const uint8_t pos[32] = {0,  1,  28, 2,  29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4,  8,
                                    31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6,  11, 5,  10, 9};
    return pos[((x & (0u - x)) * 0x077CB531u) >> 27];
}
RTM_INLINE unsigned rtm_log2_32(uint32_t x)
{
    static const uint8_t pos[32] = {0, 9,  1,  10, 13, 21, 2,  29, 11, 14, 16, 18, 22, 25, 3, 30,
                                    8, 12, 20, 28, 15, 17, 24, 7,  19, 27, 23, 6,  26, 5,  4, 31};
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    return pos[(x * 0x07C4ACDDu) >> 27];
}
RTM_INLINE unsigned rtm_log2_size(size_t x)
{
#if SIZE_MAX > 0xFFFFFFFFu /* a 64-bit host, where only tests/umbrella/test_bitscan.c selects this */
    if ((x >> 32) != 0) return 32u + rtm_log2_32((uint32_t)(x >> 32));
#endif
    return rtm_log2_32((uint32_t)x);
}
#elif RTM_USE_INTRINSICS
RTM_INLINE unsigned rtm_ctz32(uint32_t x) { return (unsigned)__builtin_ctz(x); }
/* 31 ^ clz rather than 31 - clz (equal for clz in 0..31): GCC maps the xor form onto x86's bsr
 * alone and can then fold later arithmetic on the result (the heap's class_of: 7 instructions
 * instead of 11). */
RTM_INLINE unsigned rtm_log2_32(uint32_t x) { return 31u ^ (unsigned)__builtin_clz(x); }
#if SIZE_MAX > 0xFFFFFFFFu
RTM_INLINE unsigned rtm_log2_size(size_t x) { return 63u ^ (unsigned)__builtin_clzll((unsigned long long)x); }
#else
RTM_INLINE unsigned rtm_log2_size(size_t x) { return 31u ^ (unsigned)__builtin_clz((unsigned)x); }
#endif
#else
RTM_INLINE unsigned rtm_ctz32(uint32_t x)
{
    unsigned n = 0;
    if ((x & 0xFFFFu) == 0) { n += 16; x >>= 16; }
    if ((x & 0xFFu) == 0) { n += 8; x >>= 8; }
    if ((x & 0xFu) == 0) { n += 4; x >>= 4; }
    if ((x & 0x3u) == 0) { n += 2; x >>= 2; }
    return n + (unsigned)((x & 1u) == 0);
}
RTM_INLINE unsigned rtm_log2_size(size_t x)
{
    unsigned n = 0;
#if SIZE_MAX > 0xFFFFFFFFu
    if (x >> 32) { n += 32; x >>= 32; }
#endif
    if (x >> 16) { n += 16; x >>= 16; }
    if (x >> 8) { n += 8; x >>= 8; }
    if (x >> 4) { n += 4; x >>= 4; }
    if (x >> 2) { n += 2; x >>= 2; }
    return n + (unsigned)(x >> 1);
}
RTM_INLINE unsigned rtm_log2_32(uint32_t x) { return rtm_log2_size((size_t)x); }
#endif

/* ---- overflow-checked size arithmetic (every caller-supplied size goes through these) -------- */
RTM_INLINE bool rtm_add_overflow(size_t a, size_t b, size_t *out)
{
    *out = a + b;
    return *out < a;
}
RTM_INLINE bool rtm_mul_overflow(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return true;
    *out = a * b;
    return false;
}

RTM_INLINE bool rtm_is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }
RTM_INLINE uintptr_t rtm_align_up_uptr(uintptr_t x, uintptr_t a) { return (x + (a - 1)) & ~(a - 1); }
RTM_INLINE uintptr_t rtm_align_down_uptr(uintptr_t x, uintptr_t a) { return x & ~(a - 1); }
/* x rotated right by n bits, 0 < n < the width of uintptr_t (compiles to one rotate). */
RTM_INLINE uintptr_t rtm_rotr_uptr(uintptr_t x, unsigned n) { return (x >> n) | (x << (sizeof(uintptr_t) * CHAR_BIT - n)); }

/* ---- between core modules --------------------------------------------------------------------- */
/* The error rtm_heap_init reported for these arguments, for a wrapper that must return it after
 * rtm_heap_init returned NULL: RTM_ERR_ARG, RTM_ERR_UNSUPPORTED or RTM_ERR_TOO_SMALL (heap.c). */
rtm_err rtm_heap_init_error(const void *mem, size_t bytes, int fit);

#endif /* RTM_INTERNAL_H */
