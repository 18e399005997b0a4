/*
 * Instruction-count driver for the ring (docs/ring.md, "Measured"). Run under callgrind and divide
 * the inclusive cost of each rtm_ring_* function by its call count:
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out build/<dir>/tests/ring/ring_count
 *   callgrind_annotate --inclusive=yes cg.out | grep rtm_ring_
 * Records of 1..64 bytes, a 4 KiB ring (RTM_ALIGN 8) kept about half full, so claims wrap and skip tails.
 * As a test it checks that every record comes back in order and the ring is consistent at the end.
 */
#include <stdio.h>

#include "rtmem/ring.h"

/* 4 KiB with the default 8-byte grain. A record takes at most RTM_RING_GRAIN / 8 times the bytes it
 * takes with 8-byte grains (header and rounding both scale), so the ring grows in proportion and is
 * kept as full with a larger RTM_ALIGN (a 4 KiB ring of 16-byte grains runs full: failed claims). */
RTM_RING_DEFINE(bench_ring, 4096u / 8u * RTM_RING_GRAIN);

#if defined(RTM_VALGRIND) && RTM_VALGRIND
#define RECORDS 20000u /* the memcheck build (client requests compiled in) only checks behaviour */
#else
#define RECORDS 200000u
#endif

int main(void)
{
    unsigned long long x = 88172645463325252ull; /* xorshift64 */
    size_t produced = 0, consumed = 0, want = 0;
    while (consumed < RECORDS) {
        /* produce until about half full, then consume down to a quarter */
        while (produced < RECORDS && produced - consumed < 64) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t n = 1 + (size_t)(x % 64u);
            unsigned char *p = rtm_ring_claim(&bench_ring, n);
            if (p == NULL) break;
            p[0] = (unsigned char)produced;
            if (rtm_ring_commit(&bench_ring, p, n) != RTM_OK) return 1;
            produced++;
        }
        while (consumed < produced && produced - consumed > 16) {
            size_t n;
            unsigned char *p = rtm_ring_peek(&bench_ring, &n);
            if (p == NULL || p[0] != (unsigned char)consumed) {
                fprintf(stderr, "ring_count: record %zu missing or out of order\n", consumed);
                return 1;
            }
            want += n;
            if (rtm_ring_release(&bench_ring, p) != RTM_OK) return 1;
            consumed++;
        }
        if (produced == RECORDS) {
            unsigned char *p;
            while ((p = rtm_ring_peek(&bench_ring, NULL)) != NULL) {
                if (rtm_ring_release(&bench_ring, p) != RTM_OK) return 1;
                consumed++;
            }
        }
    }
    rtm_ring_stats st;
    rtm_ring_get_stats(&bench_ring, &st);
    if (st.used != 0 || st.commits != RECORDS || st.releases != RECORDS || st.bad_calls != 0 ||
        st.failed_claims != 0 || rtm_ring_check(&bench_ring) != RTM_OK) {
        fprintf(stderr, "ring_count: bad final state\n");
        return 1;
    }
    printf("ring_count: %u records, %zu wraps, %zu bytes wasted, high-water %zu (%zu payload bytes)\n", RECORDS, st.wraps,
           st.wasted, st.high_water, want);
    return 0;
}
