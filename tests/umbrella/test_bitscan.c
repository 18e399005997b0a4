/*
 * The bit scans of src/rtm_internal.h (rtm_ctz32, rtm_log2_32, rtm_log2_size) against a plain loop,
 * in the variant this build selects: test_bitscan (the compiler's builtins, or the portable
 * fallback in the RTM_USE_INTRINSICS=0 configuration) and test_bitscan_debruijn (the de Bruijn
 * multiply that ARMv6-M and RV32 without Zbb use, forced here so that it runs on the host, 64-bit
 * size_t included). Every single-bit value, every value below 2^16, and random values of every bit
 * length (seed printed, RTM_SEED replays).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rtm_internal.h"
#include "rtm_test.h"

static unsigned ref_ctz(uint64_t x)
{
    unsigned n = 0;
    while ((x & 1u) == 0) {
        x >>= 1;
        n++;
    }
    return n;
}

static unsigned ref_log2(uint64_t x)
{
    unsigned n = 0;
    while (x >>= 1) n++;
    return n;
}

static void check(uint64_t x)
{
    uint32_t x32 = (uint32_t)x;
    if (x32 != 0) {
        if (rtm_ctz32(x32) != ref_ctz(x32)) fail_msg("rtm_ctz32(0x%08x) = %u", (unsigned)x32, rtm_ctz32(x32));
        if (rtm_log2_32(x32) != ref_log2(x32))
            fail_msg("rtm_log2_32(0x%08x) = %u", (unsigned)x32, rtm_log2_32(x32));
    }
    size_t xs = (size_t)x;
    if (xs != 0 && rtm_log2_size(xs) != ref_log2(xs))
        fail_msg("rtm_log2_size(0x%llx) = %u", (unsigned long long)xs, rtm_log2_size(xs));
}

static void test_single_bits_and_small(void **state)
{
    (void)state;
    for (unsigned k = 0; k < 64; k++) {
        check((uint64_t)1 << k);
        check(((uint64_t)1 << k) - 1u);   /* every bit below k */
        check(~(uint64_t)0 << k);         /* every bit from k up */
    }
    for (uint64_t x = 1; x <= 0x10000u; x++) check(x);
}

static void test_random(void **state)
{
    (void)state;
    uint64_t seed = rtm_test_seed();
    rtm_test_rng r = {seed};
    size_t n = rtm_test_ops(2000000);
    for (size_t i = 0; i < n; i++) {
        /* a random value of a random bit length, so that every length is as likely as any other */
        uint64_t x = rtm_test_next(&r) >> rtm_test_rnd(&r, 64);
        check(x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_bits_and_small),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
