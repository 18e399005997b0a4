/*
 * Size-class pools shared by threads (label mt, TSan): random sizes across the classes, the
 * fallback heap and oversize requests, contents checked before every free, counters reconciled
 * at the end. A reader thread meanwhile runs every call that only reads or resets counters (stats,
 * usable_size, advice, reset_peaks, check), so that TSan sees any of them that skips the lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "rtm_test.h"
#include "rtmem/pools.h"

#define THREADS 4
#define HOLD 24

static _Alignas(64) unsigned char g_buf[32 * 1024];
static _Alignas(64) unsigned char g_heap_mem[32 * 1024];
static rtm_pools *g_p;
static uint64_t g_seed;
static size_t g_ops;
static atomic_size_t g_served, g_failed;
static atomic_int g_thread_failures;
static atomic_bool g_done;
static atomic_size_t g_reads;

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    rtm_test_rng rng = {g_seed ^ ((uint64_t)id << 32)};
    unsigned char *held[HOLD];
    size_t size[HOLD];
    int n = 0;
    for (size_t op = 0; op < g_ops; op++) {
        if (n < HOLD && (n == 0 || rtm_test_rnd(&rng, 2) == 0)) {
            size_t sz = rtm_test_rnd(&rng, 10) == 0 ? 200 + (size_t)rtm_test_rnd(&rng, 600) : 1 + (size_t)rtm_test_rnd(&rng, 128);
            unsigned char *q = rtm_pools_alloc(g_p, sz);
            if (q == NULL) {
                atomic_fetch_add(&g_failed, 1);
                continue;
            }
            memset(q, id, sz);
            held[n] = q;
            size[n++] = sz;
            atomic_fetch_add(&g_served, 1);
        } else {
            int k = (int)rtm_test_rnd(&rng, (uint64_t)n);
            for (size_t j = 0; j < size[k]; j++)
                if (held[k][j] != (unsigned char)id) {
                    atomic_fetch_add(&g_thread_failures, 1);
                    break;
                }
            rtm_pools_free(g_p, held[k]);
            held[k] = held[--n];
            size[k] = size[n];
        }
    }
    while (n) rtm_pools_free(g_p, held[--n]);
    return NULL;
}

/* @p arg: a class 0 block taken before the workers started (its used-map word is theirs too) */
static void *reader(void *arg)
{
    const unsigned char *mine = arg;
    rtm_pools_class adv[3];
    size_t bytes;
    while (!atomic_load(&g_done) || atomic_load(&g_reads) == 0) {
        rtm_pools_stats ps;
        rtm_pools_class_stats cs;
        rtm_pools_get_stats(g_p, &ps);
        for (size_t i = 0; i < 3; i++)
            if (rtm_pools_get_class_stats(g_p, i, &cs) != RTM_OK || cs.peak_used > cs.count)
                atomic_fetch_add(&g_thread_failures, 1);
        if (rtm_pools_usable_size(g_p, mine) != 16) atomic_fetch_add(&g_thread_failures, 1);
        if (rtm_pools_advise(g_p, adv, 3, &bytes) != 3) atomic_fetch_add(&g_thread_failures, 1);
        rtm_pools_reset_peaks(g_p);
        if (rtm_pools_check(g_p) != RTM_OK) atomic_fetch_add(&g_thread_failures, 1);
        atomic_fetch_add(&g_reads, 1);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    static const rtm_pools_class cls[] = {{16, 16, RTM_POOLS_FALLBACK}, {48, 12, 0}, {128, 8, RTM_POOLS_FALLBACK}};
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    assert_non_null(h);
    assert_int_equal(rtm_pools_init(&g_p, g_buf, sizeof g_buf, cls, 3, h), RTM_OK);
    g_seed = rtm_test_seed();
    g_ops = rtm_test_ops(200000);
    rtm_test_hook_install();
    pthread_t t[THREADS], r;
    unsigned char *mine = rtm_pools_alloc(g_p, 1);
    assert_int_equal(rtm_pools_usable_size(g_p, mine), 16);
    atomic_fetch_add(&g_served, 1);
    assert_int_equal(pthread_create(&r, NULL, reader, mine), 0);
    for (int i = 0; i < THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1)), 0);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    atomic_store(&g_done, true);
    pthread_join(r, NULL);
    rtm_pools_free(g_p, mine);
    assert_int_equal(atomic_load(&g_thread_failures), 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    assert_int_equal(rtm_pools_check(g_p), RTM_OK);
    size_t served = 0, failed = 0, fallbacks = 0;
    for (size_t i = 0; i < 3; i++) {
        rtm_pools_class_stats cs;
        assert_int_equal(rtm_pools_get_class_stats(g_p, i, &cs), RTM_OK);
        assert_int_equal(cs.used, 0);
        assert_int_equal(cs.fallback_live, 0);
        assert_true(cs.peak_used <= cs.count);
        served += cs.allocs + cs.fallbacks;
        fallbacks += cs.fallbacks;
        failed += cs.failures;
    }
    rtm_pools_stats ps;
    rtm_pools_get_stats(g_p, &ps);
    served += ps.oversize_allocs;
    failed += ps.oversize_failures;
    assert_int_equal(served, atomic_load(&g_served));
    assert_int_equal(failed, atomic_load(&g_failed));
    assert_int_equal(ps.oversize_live, 0);
    assert_int_equal(ps.bad_frees, 0);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used, 0);
    printf("[ INFO     ] %zu served (%zu by fallback), %zu failed; %zu reader rounds\n", served, fallbacks, failed,
           atomic_load(&g_reads));
    assert_int_equal(rtm_pools_destroy(g_p), RTM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
