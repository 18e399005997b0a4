/*
 * rtm_rv_ticks_to_us (port/riscv/rtm_riscv.h), the RISC-V port's mtime conversion, on the host:
 * frequencies below 1 MHz and off its multiples (the port divided by hz / 10^6 before: by zero
 * below 1 MHz, and 1 us per tick for 1.5 MHz), and tick counts up to 2^64 - 1 (no overflow),
 * against 128-bit arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rtm_riscv.h"
#include "rtm_test.h"

/* floor(ticks * 10^6 / hz), exactly, by other means: the 128-bit product in two words (32-bit
 * limbs; -m32 has no __int128), then restoring division one bit at a time. */
static uint64_t reference_us(uint64_t ticks, uint64_t hz)
{
    uint64_t lo_lo = (ticks & 0xFFFFFFFFu) * 1000000u, hi_lo = (ticks >> 32) * 1000000u;
    uint64_t lo = lo_lo + (hi_lo << 32), hi = (hi_lo >> 32) + (lo < lo_lo);
    uint64_t q = 0, r = 0;
    for (int bit = 127; bit >= 0; bit--) {
        uint64_t top = r >> 63;
        r = (r << 1) | ((bit >= 64 ? hi >> (bit - 64) : lo >> bit) & 1u);
        q <<= 1; /* modulo 2^64, as the function: beyond it only below 1 MHz, after 584,000 years at 32,768 Hz */
        if (top || r >= hz) {
            r -= hz;
            q |= 1u;
        }
    }
    return q;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void test_frequencies_and_ranges(void **state)
{
    (void)state;
    static const uint64_t hz[] = {1u, 1000u, 32768u, 999999u, 1000000u, 1500000u, 10000000u, 16000000u,
                                  24000000u, 32768000u, 1000000000u, 4294967295u};
    uint64_t seed = rtm_test_seed();
    for (size_t i = 0; i < sizeof hz / sizeof hz[0]; i++) {
        uint64_t ticks[] = {0u, 1u, hz[i] - 1u, hz[i], hz[i] + 1u, 3u * hz[i] + 12345u % hz[i],
                            UINT64_MAX / 1000000u, UINT64_MAX - 1u, UINT64_MAX};
        for (size_t j = 0; j < sizeof ticks / sizeof ticks[0]; j++) {
            uint64_t want = reference_us(ticks[j], hz[i]);
            if (rtm_rv_ticks_to_us(ticks[j], hz[i]) != want)
                fail_msg("hz %llu ticks %llu: got %llu, want %llu", (unsigned long long)hz[i],
                         (unsigned long long)ticks[j], (unsigned long long)rtm_rv_ticks_to_us(ticks[j], hz[i]),
                         (unsigned long long)want);
        }
        size_t n = rtm_test_ops(100000);
        for (size_t k = 0; k < n; k++) {
            uint64_t t = splitmix64(&seed);
            t >>= (unsigned)(splitmix64(&seed) % 64u);
            assert_true(rtm_rv_ticks_to_us(t, hz[i]) == reference_us(t, hz[i]));
        }
    }
}

/* What the port uses: the build's RTM_RV_MTIME_HZ (QEMU virt's 10 MHz by default). */
static void test_port_frequency(void **state)
{
    (void)state;
    assert_true(rtm_rv_ticks_to_us((uint64_t)RTM_RV_MTIME_HZ, RTM_RV_MTIME_HZ) == 1000000u);
    assert_true(rtm_rv_ticks_to_us(UINT64_MAX, RTM_RV_MTIME_HZ) == reference_us(UINT64_MAX, RTM_RV_MTIME_HZ));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frequencies_and_ranges),
        cmocka_unit_test(test_port_frequency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
