/*
 * Instruction-count driver for the slab fast path (docs/slab.md, "Measured"). Built with
 * RTM_SLAB_LOCKING=0 (the unlocked core). Run under callgrind and divide the inclusive cost of
 * rtm_slab_alloc / rtm_slab_free by the call count:
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out build/<dir>/tests/slab/slab_count
 *   callgrind_annotate --inclusive=yes cg.out | grep rtm_slab_
 * As a test it checks that every block comes back and the slab is consistent at the end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rtmem/slab.h"

RTM_SLAB_DEFINE_STATIC(bench_slab, 32, 256, 8);

#define ROUNDS 1000u
#define LIVE 200u

int main(void)
{
    static void *live[LIVE];
    for (unsigned r = 0; r < ROUNDS; r++) {
        for (unsigned i = 0; i < LIVE; i++) {
            live[i] = rtm_slab_alloc(&bench_slab, RTM_NO_WAIT);
            if (live[i] == NULL) {
                fprintf(stderr, "slab_count: alloc %u of round %u failed\n", i, r);
                return 1;
            }
        }
        /* free in an order that is not LIFO, so the list is exercised */
        for (unsigned i = 0; i < LIVE; i += 2) rtm_slab_free(&bench_slab, live[i]);
        for (unsigned i = 1; i < LIVE; i += 2) rtm_slab_free(&bench_slab, live[i]);
    }
    rtm_slab_stats st;
    rtm_slab_get_stats(&bench_slab, &st);
    if (st.used != 0 || st.max_used != LIVE || st.bad_frees != 0 || st.failed_allocs != 0 ||
        rtm_slab_check(&bench_slab) != RTM_OK) {
        fprintf(stderr, "slab_count: bad final state used=%zu max=%zu\n", st.used, st.max_used);
        return 1;
    }
    printf("slab_count: %u allocs and frees\n", ROUNDS * LIVE);
    return 0;
}
