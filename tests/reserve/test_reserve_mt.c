/*
 * Priority reserves shared by threads (label mt, TSan): one thread per level allocates and frees
 * through rtm_reserve and through rtm_tiers at once; contents are checked before each free, the
 * counters are reconciled at the end and the watermark is never seen broken by the top thread. A
 * reader thread meanwhile reads every level's counters and the error counters of both, so that TSan
 * sees any of those calls that skips the lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "rtm_test.h"
#include "rtmem/reserve.h"

#define LEVELS 3 /* one thread per level: low, mid and top */
_Static_assert(LEVELS <= RTM_RESERVE_MAX_LEVELS,
               "this test needs RTM_RESERVE_MAX_LEVELS >= 3 (rtm_reserve_init / rtm_tiers_init refuse more levels)");
#define HOLD 16

static _Alignas(64) unsigned char g_one[32 * 1024];
static _Alignas(64) unsigned char g_tier[LEVELS][8 * 1024];
static rtm_reserve g_res;
static rtm_tiers g_tiers;
static uint64_t g_seed;
static size_t g_ops;
static atomic_size_t g_served[2][LEVELS];
static atomic_int g_thread_failures;
static atomic_bool g_done;
static atomic_size_t g_reads;

static void *worker(void *arg)
{
    unsigned prio = (unsigned)(uintptr_t)arg;
    rtm_test_rng rng = {g_seed + prio * 977u};
    unsigned char *held[2][HOLD];
    size_t size[2][HOLD];
    int n[2] = {0, 0};
    for (size_t op = 0; op < g_ops; op++) {
        int d = (int)rtm_test_rnd(&rng, 2); /* 0: reserve, 1: tiers */
        if (n[d] < HOLD && (n[d] == 0 || rtm_test_rnd(&rng, 2) == 0)) {
            size_t sz = 16 + (size_t)rtm_test_rnd(&rng, prio == 0 ? 2000 : 300);
            unsigned char *q = d == 0 ? rtm_reserve_alloc(&g_res, sz, prio) : rtm_tiers_alloc(&g_tiers, sz, prio);
            if (q == NULL) continue;
            memset(q, (int)prio + 1, sz);
            held[d][n[d]] = q;
            size[d][n[d]++] = sz;
            atomic_fetch_add(&g_served[d][prio], 1);
        } else {
            int k = (int)rtm_test_rnd(&rng, (uint64_t)n[d]);
            for (size_t j = 0; j < size[d][k]; j++)
                if (held[d][k][j] != (unsigned char)(prio + 1)) {
                    atomic_fetch_add(&g_thread_failures, 1);
                    break;
                }
            if (d == 0) rtm_reserve_free(&g_res, held[d][k]);
            else rtm_tiers_free(&g_tiers, held[d][k]);
            n[d]--;
            held[d][k] = held[d][n[d]];
            size[d][k] = size[d][n[d]];
        }
    }
    for (int d = 0; d < 2; d++)
        while (n[d]) {
            n[d]--;
            if (d == 0) rtm_reserve_free(&g_res, held[d][n[d]]);
            else rtm_tiers_free(&g_tiers, held[d][n[d]]);
        }
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&g_done) || atomic_load(&g_reads) == 0) {
        rtm_reserve_level_stats st;
        rtm_reserve_errors er;
        for (unsigned p = 0; p < LEVELS; p++) {
            if (rtm_reserve_get_stats(&g_res, p, &st) != RTM_OK || st.served > st.requests)
                atomic_fetch_add(&g_thread_failures, 1);
            if (rtm_tiers_get_stats(&g_tiers, p, &st) != RTM_OK || st.served > st.requests)
                atomic_fetch_add(&g_thread_failures, 1);
        }
        rtm_reserve_get_errors(&g_res, &er);
        if (er.bad_frees + er.bad_requests != 0) atomic_fetch_add(&g_thread_failures, 1);
        rtm_tiers_get_errors(&g_tiers, &er);
        if (er.bad_frees + er.bad_requests != 0) atomic_fetch_add(&g_thread_failures, 1);
        atomic_fetch_add(&g_reads, 1);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    rtm_heap *one = rtm_heap_init(g_one, sizeof g_one, RTM_FIT_GOOD), *th[LEVELS];
    assert_non_null(one);
    for (int i = 0; i < LEVELS; i++) assert_non_null(th[i] = rtm_heap_init(g_tier[i], sizeof g_tier[i], RTM_FIT_GOOD));
    const size_t res[LEVELS] = {12 * 1024, 6 * 1024, 0};
    assert_int_equal(rtm_reserve_init(&g_res, one, res, LEVELS), RTM_OK);
    assert_int_equal(rtm_tiers_init(&g_tiers, th, LEVELS), RTM_OK);
    g_seed = rtm_test_seed();
    g_ops = rtm_test_ops(100000);
    rtm_test_hook_install();
    pthread_t t[LEVELS], r;
    assert_int_equal(pthread_create(&r, NULL, reader, NULL), 0);
    for (uintptr_t i = 0; i < LEVELS; i++) assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < LEVELS; i++) pthread_join(t[i], NULL);
    atomic_store(&g_done, true);
    pthread_join(r, NULL);
    assert_int_equal(atomic_load(&g_thread_failures), 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    for (unsigned p = 0; p < LEVELS; p++) {
        rtm_reserve_level_stats st;
        assert_int_equal(rtm_reserve_get_stats(&g_res, p, &st), RTM_OK);
        assert_int_equal(st.served, atomic_load(&g_served[0][p]));
        assert_int_equal(st.requests, st.served + st.denied + st.failed);
        assert_int_equal(rtm_tiers_get_stats(&g_tiers, p, &st), RTM_OK);
        assert_int_equal(st.served, atomic_load(&g_served[1][p]));
        assert_int_equal(st.requests, st.served + st.failed);
    }
    /* the top level (at most 16 blocks of < 320 B live) always found room in both designs */
    rtm_reserve_level_stats st;
    rtm_reserve_get_stats(&g_res, 2, &st);
    assert_int_equal(st.denied + st.failed, 0);
    rtm_tiers_get_stats(&g_tiers, 2, &st);
    assert_int_equal(st.failed, 0);
    rtm_heap_stats hs;
    rtm_heap_get_stats(one, &hs);
    assert_int_equal(hs.used, 0);
    assert_int_equal(rtm_heap_check(one), RTM_OK);
    for (int i = 0; i < LEVELS; i++) {
        rtm_heap_get_stats(th[i], &hs);
        assert_int_equal(hs.used, 0);
    }
    rtm_reserve_destroy(&g_res);
    rtm_tiers_destroy(&g_tiers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
