/* Instruction count of tracked vs untracked alloc+free (docs/track.md), measured with callgrind:
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='run_*' \
 *            build/<dir>/tests/track/track_overhead
 * prints nothing by itself; callgrind's "Collected" total divided by the pair count gives
 * instructions per alloc+free pair (see tools in docs/track.md). Each run_* does g_pairs pairs (default 100,000) on an
 * rtmem heap (good fit) with 16 blocks live, sizes cycling over 8 values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/heap.h"
#include "rtmem/track.h"

#define PAIRS_DEFAULT 100000u
#define LIVE 16u

static _Alignas(16) unsigned char g_heap[4][1 << 16];
static _Alignas(16) unsigned char g_trk[3][RTM_TRACK_BYTES(64, 8, 16)];
static unsigned g_pairs = PAIRS_DEFAULT; /* argv[1] overrides (the smoke test runs few) */
static const size_t k_sizes[8] = {24, 40, 16, 100, 64, 8, 200, 48};

__attribute__((noinline)) static void run_plain(rtm_heap *h)
{
    void *live[LIVE] = {0};
    for (unsigned i = 0; i < g_pairs; i++) {
        unsigned k = i % LIVE;
        rtm_heap_free(h, live[k]);
        live[k] = rtm_heap_alloc(h, k_sizes[i % 8]);
    }
    for (unsigned k = 0; k < LIVE; k++) rtm_heap_free(h, live[k]);
}

/* One function per configuration (the same body) so that callgrind counts each on its own. */
#define RUN_TRACKED(name)                                                                          \
    __attribute__((noinline)) static void name(rtm_track *t)                                      \
    {                                                                                              \
        void *live[LIVE] = {0};                                                                    \
        for (unsigned i = 0; i < g_pairs; i++) {                                                     \
            unsigned k = i % LIVE;                                                                 \
            RTM_TRACK_FREE(t, live[k]);                                                            \
            live[k] = RTM_TRACK_ALLOC(t, k_sizes[i % 8]);                                          \
        }                                                                                          \
        for (unsigned k = 0; k < LIVE; k++) RTM_TRACK_FREE(t, live[k]);                            \
        __asm__ volatile("" ::: "memory");                                                         \
    }
RUN_TRACKED(run_tracked)
RUN_TRACKED(run_guarded)
RUN_TRACKED(run_locked)

static rtm_track *make(unsigned i, rtm_heap *h, size_t guard, size_t q, bool locked)
{
    rtm_track_config cfg;
    memset(&cfg, 0, sizeof cfg);
    rtm_allocator_from_heap(&cfg.allocator, h);
    cfg.max_sites = 8;
    cfg.guard = guard;
    cfg.quarantine = q;
    cfg.locked = locked;
    rtm_track *t;
    if (rtm_track_init(&t, g_trk[i], sizeof g_trk[i], &cfg) != RTM_OK) exit(1);
    return t;
}

int main(int argc, char **argv)
{
    if (argc > 1) g_pairs = (unsigned)strtoul(argv[1], NULL, 0);
    rtm_heap *h[4];
    for (unsigned i = 0; i < 4; i++) {
        h[i] = rtm_heap_init(g_heap[i], sizeof g_heap[i], RTM_FIT_GOOD);
        if (h[i] == NULL) return 1;
    }
    run_plain(h[0]);
    run_tracked(make(0, h[1], 0, 0, false));
    run_guarded(make(1, h[2], 8, 16, false));
    run_locked(make(2, h[3], 0, 0, true));
    rtm_heap_stats st;
    for (unsigned i = 0; i < 4; i++) {
        rtm_heap_get_stats(h[i], &st);
        if (st.used_blocks > 16 || st.bad_frees) return 1;
    }
    printf("track_overhead: %u alloc+free pairs per configuration\n", g_pairs);
    return 0;
}
