/*
 * Stack painting and high-water marks (rtmem/stack.h).
 *
 * Guarantees: rtm_stack_unused() is exact to the byte for the part it scans: it returns the length
 * of the longest run of paint bytes that starts at the far end of the region (the low end for a
 * down-growing stack). It reads whole aligned words while they match the paint word and looks at
 * single bytes only in the unaligned head, in the first word that differs and in the unaligned
 * tail, so it costs O(unused / sizeof(uintptr_t)) reads and never reads outside the region.
 * rtm_stack_check() reads at most `guard` bytes.
 *
 * How to verify: tests/stack/test_stack.c compares every function with a byte-by-byte reference
 * on random regions (random alignment, size and touched bytes), and runs POSIX threads on painted
 * stacks whose frames have known sizes.
 */
#include "rtmem/stack.h"

#include "rtm_internal.h"
#include "rtm_sanitize.h"

/* Words are read through a may_alias type: the region's bytes may have any effective type. */
#if defined(__GNUC__) || defined(__clang__)
typedef uintptr_t stack_word __attribute__((may_alias));
#else
typedef uintptr_t stack_word;
#endif

/* Scanning a stack reads bytes the sanitizers consider someone else's (another thread's frames,
 * ASan red zones): the scan functions are not instrumented when a sanitizer is on. */
#if RTM_ASAN
#define STACK_NO_SAN __attribute__((no_sanitize("address")))
#elif defined(__SANITIZE_THREAD__)
#define STACK_NO_SAN __attribute__((no_sanitize_thread))
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STACK_NO_SAN __attribute__((no_sanitize("thread")))
#endif
#endif
#ifndef STACK_NO_SAN
#define STACK_NO_SAN
#endif

_Static_assert(RTM_STACK_PAINT_BYTE <= 0xFFu, "RTM_STACK_PAINT_BYTE must fit in one byte");
_Static_assert((sizeof(uintptr_t) & (sizeof(uintptr_t) - 1)) == 0, "word size must be a power of two");

#define PAINT_BYTE ((uint8_t)RTM_STACK_PAINT_BYTE)
/* The paint byte replicated into every byte of a word: (~0 / 0xFF) is 0x0101...01. */
#define PAINT_WORD ((uintptr_t)(UINTPTR_MAX / 0xFFu) * (uintptr_t)PAINT_BYTE)
#define WORD ((uintptr_t)sizeof(uintptr_t))

/* Validates a caller's region; reports and returns the error, or RTM_OK. */
static rtm_err region_check(const void *base, size_t size)
{
    rtm_err e = RTM_OK;
    if (base == NULL) e = RTM_ERR_ARG;
    else if (size == 0 || (uintptr_t)base + size < (uintptr_t)base) e = RTM_ERR_SIZE;
    if (e != RTM_OK) rtm_report(e, NULL, base);
    return e;
}

/* Valgrind marks stack memory above a returning frame as undefined, although the bytes are still
 * there; the scan reads them on purpose. */
static void scan_prepare(const void *base, size_t size)
{
    rtm_san_defined((void *)(uintptr_t)base, size);
}

/* Length of the run of paint bytes starting at p and going up, at most n. */
STACK_NO_SAN static size_t run_up(const uint8_t *p, size_t n)
{
    const uint8_t *const start = p, *const end = p + n;
    while (p < end && ((uintptr_t)p & (WORD - 1)) != 0) {
        if (*p != PAINT_BYTE) return (size_t)(p - start);
        p++;
    }
    while ((size_t)(end - p) >= WORD && *(const stack_word *)(const void *)p == PAINT_WORD) p += WORD;
    while (p < end && *p == PAINT_BYTE) p++;
    return (size_t)(p - start);
}

/* Length of the run of paint bytes ending just below end and going down, at most n. */
STACK_NO_SAN static size_t run_down(const uint8_t *end, size_t n)
{
    const uint8_t *const base = end - n;
    const uint8_t *q = end;
    while (q > base && ((uintptr_t)q & (WORD - 1)) != 0) {
        if (q[-1] != PAINT_BYTE) return (size_t)(end - q);
        q--;
    }
    while ((size_t)(q - base) >= WORD && *(const stack_word *)(const void *)(q - WORD) == PAINT_WORD) q -= WORD;
    while (q > base && q[-1] == PAINT_BYTE) q--;
    return (size_t)(end - q);
}

void rtm_stack_paint(void *base, size_t size)
{
    if (region_check(base, size) != RTM_OK) return;
    rtm_memset(base, (int)PAINT_BYTE, size);
}

size_t rtm_stack_unused_down(const void *base, size_t size)
{
    if (region_check(base, size) != RTM_OK) return 0;
    scan_prepare(base, size);
    return run_up((const uint8_t *)base, size);
}

size_t rtm_stack_unused_up(const void *base, size_t size)
{
    if (region_check(base, size) != RTM_OK) return 0;
    scan_prepare(base, size);
    return run_down((const uint8_t *)base + size, size);
}

size_t rtm_stack_unused(const void *base, size_t size)
{
    return RTM_STACK_GROWS_UP ? rtm_stack_unused_up(base, size) : rtm_stack_unused_down(base, size);
}

/* floor(used * 1000 / size) for used <= size, size > SIZE_MAX / 1000 (from 4.3 MB on 32-bit
 * targets), where the product overflows: three decimal digits of long division, each digit's
 * 10 * r taken modulo size by ten additions, so that nothing overflows and no 64-bit division is
 * pulled into a 32-bit build. It was used / (size / 1000), capped at 1000: too high, since size /
 * 1000 rounds down, so a stack with bytes to spare could read 1000 ("full"; review finding,
 * 2026-11-29: 4,999,999 bytes with one unused gave 1000, not 999). */
static unsigned permille_large(size_t used, size_t size)
{
    if (used >= size) return 1000u;
    unsigned q = 0;
    size_t r = used; /* r < size throughout */
    for (int digit = 0; digit < 3; digit++) {
        unsigned d = 0;
        size_t acc = 0; /* 10 * r mod size, built up without overflow */
        for (int k = 0; k < 10; k++) {
            if (acc >= size - r) {
                acc -= size - r;
                d++;
            } else {
                acc += r;
            }
        }
        q = q * 10u + d;
        r = acc;
    }
    return q;
}

rtm_err rtm_stack_get_info(const void *base, size_t size, rtm_stack_info *out)
{
    if (out == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, base);
        return RTM_ERR_ARG;
    }
    rtm_memset(out, 0, sizeof *out);
    rtm_err e = region_check(base, size);
    if (e != RTM_OK) return e;
    out->size = size;
    out->unused = rtm_stack_unused(base, size);
    out->used = size - out->unused;
    /* used <= size; used * 1000 cannot overflow unless size is within 1000x of SIZE_MAX. */
    if (size <= SIZE_MAX / 1000u) out->permille = (unsigned)(out->used * 1000u / size);
    else out->permille = permille_large(out->used, size);
    return RTM_OK;
}

rtm_err rtm_stack_check_dir(const void *base, size_t size, size_t guard, bool grows_up)
{
    rtm_err e = region_check(base, size);
    if (e != RTM_OK) return e;
    if (guard == 0) guard = RTM_STACK_GUARD_BYTES;
    if (guard > size) guard = size;
    const uint8_t *b = (const uint8_t *)base;
    const uint8_t *hit;
    if (grows_up) {
        const uint8_t *end = b + size;
        scan_prepare(end - guard, guard);
        size_t run = run_down(end, guard);
        if (run == guard) return RTM_OK;
        hit = end - 1 - run;
    } else {
        scan_prepare(b, guard);
        size_t run = run_up(b, guard);
        if (run == guard) return RTM_OK;
        hit = b + run;
    }
    rtm_report(RTM_ERR_OVERFLOW, base, hit);
    return RTM_ERR_OVERFLOW;
}

rtm_err rtm_stack_check(const void *base, size_t size, size_t guard)
{
    return rtm_stack_check_dir(base, size, guard, RTM_STACK_GROWS_UP != 0);
}
