/*
 * Benchmark case of issue 3: tiered heaps against watermarks in one heap, on the same RAM and the
 * same mixed-priority trace, plus a plain heap with no reserve as the baseline. Prints a table of
 * requests served per level (docs/slab.md quotes it) and asserts the guarantee both designs give:
 * a top-level request never fails while the top level stays within its reserve.
 *
 * RAM: RAM_TOTAL bytes. Tiered: three heaps of LOW_BYTES / MID_BYTES / TOP_BYTES. One heap: all of
 * it, reserve[low] = MID_BYTES + TOP_BYTES, reserve[mid] = TOP_BYTES, reserve[top] = 0, i.e. the
 * same promise to the upper levels.
 * Trace (seed from RTM_SEED): each step frees what expired, then makes one request: low 75 %
 * (32..1536 B, lives 20..200 steps), mid 18 % (32..384 B, 10..100), top 7 % (16..192 B, 5..30);
 * top requests are issued only while the top level's live bytes stay within TOP_LIVE_MAX, half of
 * its reserve (the other half covers block headers, rounding and fragmentation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rtm_sanitize.h"
#include "rtm_test.h"
#include "rtmem/reserve.h"

#define RAM_TOTAL (48u * 1024u)
#define TOP_BYTES (6u * 1024u)
#define MID_BYTES (10u * 1024u)
#define LOW_BYTES (RAM_TOTAL - MID_BYTES - TOP_BYTES)
#define TOP_LIVE_MAX (TOP_BYTES / 2u)
#define LEVELS 3 /* low, mid and top */
_Static_assert(LEVELS <= RTM_RESERVE_MAX_LEVELS,
               "this test needs RTM_RESERVE_MAX_LEVELS >= 3 (rtm_reserve_init / rtm_tiers_init refuse more levels)");

typedef struct {
    uint16_t prio;
    uint32_t size;
    uint32_t free_at; /* step at which it is freed */
} req;

static _Alignas(64) unsigned char g_ram[RAM_TOTAL];

typedef enum { D_PLAIN, D_TIERS, D_RESERVE, D_COUNT } design;
static const char *const k_names[D_COUNT] = {"one heap, no reserve", "tiered heaps", "one heap + watermarks"};

typedef struct {
    size_t requests[LEVELS], served[LEVELS];
    size_t peak_used;
} result;

/* Builds the trace: n requests. */
static req *make_trace(rtm_test_rng *rng, size_t n)
{
    req *t = calloc(n, sizeof *t);
    assert_non_null(t);
    size_t top_live = 0;
    /* top-level live bytes per step of expiry, to keep TOP_LIVE_MAX */
    uint32_t *top_free = calloc(n + 256, sizeof *top_free);
    assert_non_null(top_free);
    for (size_t i = 0; i < n; i++) {
        top_live -= top_free[i];
        uint64_t r = rtm_test_rnd(rng, 100);
        req q;
        if (r < 75) q = (req){0, 32 + (uint32_t)rtm_test_rnd(rng, 1505), (uint32_t)(i + 20 + rtm_test_rnd(rng, 181))};
        else if (r < 93) q = (req){1, 32 + (uint32_t)rtm_test_rnd(rng, 353), (uint32_t)(i + 10 + rtm_test_rnd(rng, 91))};
        else q = (req){2, 16 + (uint32_t)rtm_test_rnd(rng, 177), (uint32_t)(i + 5 + rtm_test_rnd(rng, 26))};
        if (q.prio == 2) {
            if (top_live + q.size > TOP_LIVE_MAX) q = (req){0, 64, (uint32_t)(i + 50)}; /* budget: make it low */
            else {
                top_live += q.size;
                top_free[q.free_at] += q.size;
            }
        }
        t[i] = q;
    }
    free(top_free);
    return t;
}

typedef struct {
    design d;
    rtm_heap *heap;
    rtm_tiers tiers;
    rtm_reserve res;
    rtm_heap *tier_heaps[LEVELS];
} runner;

static void *run_alloc(runner *u, const req *q)
{
    switch (u->d) {
    case D_PLAIN: return rtm_heap_alloc(u->heap, q->size);
    case D_TIERS: return rtm_tiers_alloc(&u->tiers, q->size, q->prio);
    default: return rtm_reserve_alloc(&u->res, q->size, q->prio);
    }
}
static void run_free(runner *u, void *p)
{
    switch (u->d) {
    case D_PLAIN: rtm_heap_free(u->heap, p); break;
    case D_TIERS: rtm_tiers_free(&u->tiers, p); break;
    default: rtm_reserve_free(&u->res, p); break;
    }
}
static size_t run_used(runner *u)
{
    rtm_heap_stats hs;
    size_t used = 0;
    if (u->d == D_TIERS) {
        for (int i = 0; i < LEVELS; i++) {
            rtm_heap_get_stats(u->tier_heaps[i], &hs);
            used += hs.used;
        }
    } else {
        rtm_heap_get_stats(u->heap, &hs);
        used = hs.used;
    }
    return used;
}

static result replay(design d, const req *trace, size_t n)
{
    runner u;
    memset(&u, 0, sizeof u);
    u.d = d;
    /* the previous design's heap left its free space poisoned; rtm_heap_init does not undo that */
    rtm_san_access(g_ram, sizeof g_ram);
    if (d == D_TIERS) {
        u.tier_heaps[0] = rtm_heap_init(g_ram, LOW_BYTES, RTM_FIT_GOOD);
        u.tier_heaps[1] = rtm_heap_init(g_ram + LOW_BYTES, MID_BYTES, RTM_FIT_GOOD);
        u.tier_heaps[2] = rtm_heap_init(g_ram + LOW_BYTES + MID_BYTES, TOP_BYTES, RTM_FIT_GOOD);
        assert_int_equal(rtm_tiers_init(&u.tiers, u.tier_heaps, LEVELS), RTM_OK);
    } else {
        u.heap = rtm_heap_init(g_ram, RAM_TOTAL, RTM_FIT_GOOD);
        assert_non_null(u.heap);
        const size_t res[LEVELS] = {MID_BYTES + TOP_BYTES, TOP_BYTES, 0};
        if (d == D_RESERVE) assert_int_equal(rtm_reserve_init(&u.res, u.heap, res, LEVELS), RTM_OK);
    }
    result r;
    memset(&r, 0, sizeof r);
    void **live = calloc(n, sizeof *live);
    /* frees due at each step: a bucket list by free_at */
    size_t *head = malloc((n + 256) * sizeof *head), *next = malloc(n * sizeof *next);
    assert_true(live && head && next);
    for (size_t i = 0; i < n + 256; i++) head[i] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = head[i]; k != SIZE_MAX; k = next[k]) run_free(&u, live[k]);
        const req *q = &trace[i];
        r.requests[q->prio]++;
        live[i] = run_alloc(&u, q);
        if (live[i] != NULL) {
            r.served[q->prio]++;
            memset(live[i], (int)q->prio, q->size);
            next[i] = head[q->free_at];
            head[q->free_at] = i;
            size_t used = run_used(&u);
            if (used > r.peak_used) r.peak_used = used;
        }
    }
    for (size_t s = n; s < n + 256; s++)
        for (size_t k = head[s]; k != SIZE_MAX; k = next[k]) run_free(&u, live[k]);
    assert_int_equal(run_used(&u), 0);
    if (d == D_TIERS) {
        for (int i = 0; i < LEVELS; i++) assert_int_equal(rtm_heap_check(u.tier_heaps[i]), RTM_OK);
        rtm_reserve_level_stats st;
        size_t total = 0;
        for (unsigned p = 0; p < LEVELS; p++) {
            assert_int_equal(rtm_tiers_get_stats(&u.tiers, p, &st), RTM_OK);
            assert_int_equal(st.served, r.served[p]);
            assert_int_equal(st.requests, st.served + st.failed);
            total += st.borrowed;
        }
        printf("[ INFO     ] tiered: %zu requests served by a lower tier than their own\n", total);
        rtm_tiers_destroy(&u.tiers);
    } else {
        assert_int_equal(rtm_heap_check(u.heap), RTM_OK);
        if (d == D_RESERVE) {
            rtm_reserve_level_stats st;
            for (unsigned p = 0; p < LEVELS; p++) {
                assert_int_equal(rtm_reserve_get_stats(&u.res, p, &st), RTM_OK);
                assert_int_equal(st.served, r.served[p]);
                assert_int_equal(st.requests, st.served + st.denied + st.failed);
            }
            rtm_reserve_destroy(&u.res);
        }
    }
    free(live);
    free(head);
    free(next);
    return r;
}

static void test_compare(void **state)
{
    (void)state;
    rtm_test_rng rng = {rtm_test_seed()};
    size_t n = rtm_test_ops(200000);
    if (n < 5000) n = 5000; /* the trace must fill the RAM to say anything */
    req *trace = make_trace(&rng, n);
    result res[D_COUNT];
    rtm_test_hook_install();
    for (int d = 0; d < D_COUNT; d++) res[d] = replay((design)d, trace, n);
    assert_int_equal(rtm_test_hook_total(), 0);

    printf("[ TABLE    ] %u KiB RAM, %zu requests (seed above); served / requested per level\n", RAM_TOTAL / 1024u, n);
    printf("[ TABLE    ] %-24s %18s %18s %18s %10s\n", "design", "low", "mid", "top", "peak used");
    for (int d = 0; d < D_COUNT; d++) {
        char cell[LEVELS][32];
        for (int p = 0; p < LEVELS; p++)
            snprintf(cell[p], sizeof cell[p], "%zu / %zu", res[d].served[p], res[d].requests[p]);
        printf("[ TABLE    ] %-24s %18s %18s %18s %10zu\n", k_names[d], cell[0], cell[1], cell[2], res[d].peak_used);
    }
    /* the guarantee: top-level requests within the top reserve always succeed */
    assert_int_equal(res[D_TIERS].served[2], res[D_TIERS].requests[2]);
    assert_int_equal(res[D_RESERVE].served[2], res[D_RESERVE].requests[2]);
    /* the same trace went through every design */
    for (int p = 0; p < LEVELS; p++) {
        assert_int_equal(res[D_TIERS].requests[p], res[D_PLAIN].requests[p]);
        assert_int_equal(res[D_RESERVE].requests[p], res[D_PLAIN].requests[p]);
    }
    free(trace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_compare)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
