/*
 * Shared helpers for rtmem's cmocka tests (host only). Include after <cmocka.h>'s prerequisites:
 *   #include <stdarg.h> <stddef.h> <stdint.h> <setjmp.h> <cmocka.h>
 *
 * Seeds: rtm_test_seed() returns RTM_SEED from the environment if set, else a fixed default, and
 * prints it, so any failure can be replayed with RTM_SEED=<n>.
 * Sizes: rtm_test_ops(n) scales an operation count for the build: n in optimised builds, n/50 with
 * RTM_DEBUG (invariant walk after every op) or sanitizers, n/200 under RTM_QUICK=1 (valgrind);
 * RTM_TEST_OPS overrides.
 * Errors: rtm_test_hook_install() counts error-hook reports by code (rtm_test_hook_count()).
 */
#ifndef RTM_TEST_H
#define RTM_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/common.h"

static inline uint64_t rtm_test_seed_default(uint64_t dflt)
{
    const char *e = getenv("RTM_SEED");
    uint64_t seed = e ? strtoull(e, NULL, 0) : dflt;
    printf("[ SEED     ] RTM_SEED=%" PRIu64 "\n", seed);
    fflush(stdout);
    return seed;
}
static inline uint64_t rtm_test_seed(void) { return rtm_test_seed_default(20261126u); }

/* 1 in an AddressSanitizer build: GCC says so with __SANITIZE_ADDRESS__, clang only through
 * __has_feature (a test that tested the first alone ran its ASan-only-fatal part under clang). */
#if defined(__SANITIZE_ADDRESS__)
#define RTM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTM_TEST_ASAN 1
#endif
#endif
#ifndef RTM_TEST_ASAN
#define RTM_TEST_ASAN 0
#endif

static inline int rtm_test_is_slow_build(void)
{
#if defined(RTM_DEBUG) && RTM_DEBUG
    return 1;
#elif defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return 1;
#else
    return 0;
#endif
#else
    return 0;
#endif
}

/* True when environment variable @p name is set, not empty and not "0" (RTM_QUICK, RTM_EMULATED). */
static inline bool rtm_test_env_on(const char *name)
{
    const char *e = getenv(name);
    return e && *e && *e != '0';
}

static inline size_t rtm_test_ops(size_t n)
{
    const char *e = getenv("RTM_TEST_OPS");
    if (e) return (size_t)strtoull(e, NULL, 0);
    if (rtm_test_is_slow_build()) n /= 50;
    if (rtm_test_env_on("RTM_QUICK")) n /= 200;
    /* set by step 10 when a -m32 build runs under qemu-i386 (a kernel without 32-bit execution),
     * about five times slower: a quarter of the operations keeps the step within its time */
    if (rtm_test_env_on("RTM_EMULATED")) n /= 4;
    return n ? n : 1;
}

/* rtm_test_ops(n), but at least @p floor: for tests whose assertions are about the sample itself
 * (both outcomes seen, one more frequent), which a quick debug run would shrink to a few draws. */
static inline size_t rtm_test_ops_min(size_t n, size_t floor)
{
    size_t k = rtm_test_ops(n);
    return k < floor ? floor : k;
}

/* SplitMix64, as in ../shared/WORKLOADS.md. */
typedef struct { uint64_t s; } rtm_test_rng;
static inline uint64_t rtm_test_next(rtm_test_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline uint64_t rtm_test_rnd(rtm_test_rng *r, uint64_t n) { return n ? rtm_test_next(r) % n : 0; }

/* Error-hook capture. */
static unsigned rtm_test_hook_counts[RTM_ERR_COUNT_];
static const void *rtm_test_hook_last_ptr;
static const void *rtm_test_hook_last_obj;
static void rtm_test_hook_fn(rtm_err code, const void *object, const void *ptr)
{
    if ((unsigned)code < RTM_ERR_COUNT_) rtm_test_hook_counts[code]++;
    rtm_test_hook_last_obj = object;
    rtm_test_hook_last_ptr = ptr;
}
static inline void rtm_test_hook_install(void)
{
    memset(rtm_test_hook_counts, 0, sizeof rtm_test_hook_counts);
    rtm_test_hook_last_ptr = rtm_test_hook_last_obj = NULL;
    rtm_set_error_hook(rtm_test_hook_fn);
}
static inline unsigned rtm_test_hook_count(rtm_err code) { return rtm_test_hook_counts[code]; }
static inline unsigned rtm_test_hook_total(void)
{
    unsigned t = 0;
    for (unsigned i = 0; i < RTM_ERR_COUNT_; i++) t += rtm_test_hook_counts[i];
    return t;
}

#endif
