/*
 * rtm_heap_locked under 4 threads: random alloc / aligned alloc / calloc / realloc / free with
 * pattern checks, blocks handed between threads (freed by a thread other than the one that
 * allocated them), usable sizes, statistics and walks read concurrently, and a second region added
 * half way through. At the end every block is freed, rtm_heap_locked_check passes and the counters
 * add up. Runs under ThreadSanitizer (label mt). RTM_SEED replays the
 * per-thread operation streams (the interleaving is up to the scheduler).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rtm_test.h"
#include "heap_test_util.h"

#define THREADS 4
#define LIVE 256
#define MAILBOX 64
#define HEAP_BYTES (512u * 1024u)

typedef struct {
    unsigned char *p;
    size_t n;
    uint64_t id;
} blk;

static rtm_heap_locked g_heap;
static uint64_t g_seed;
static size_t g_ops;
static unsigned char *g_region2; /* added by thread 0 half way */
static size_t g_walk_total0;     /* bytes of all blocks a walk sees before the region is added */

/* Blocks in transit between threads (the test's own lock, not the heap's). */
static pthread_mutex_t g_mail_lock = PTHREAD_MUTEX_INITIALIZER;
static blk g_mail[MAILBOX];
static size_t g_nmail;

typedef struct {
    unsigned idx;
    size_t allocs, frees, failed, errors;
    size_t walk_other; /* a walk's total other than g_walk_total0 (0: none); one value at most */
} thread_result;

/* Sums the bytes of every block (used and free): constant while no region is added. */
static bool walk_sum(const rtm_heap_block *b, void *ctx)
{
    *(size_t *)ctx += b->block_bytes;
    return true;
}

static bool mail_put(blk b)
{
    bool ok = false;
    pthread_mutex_lock(&g_mail_lock);
    if (g_nmail < MAILBOX) {
        g_mail[g_nmail++] = b;
        ok = true;
    }
    pthread_mutex_unlock(&g_mail_lock);
    return ok;
}
static bool mail_get(blk *out)
{
    bool ok = false;
    pthread_mutex_lock(&g_mail_lock);
    if (g_nmail > 0) {
        *out = g_mail[--g_nmail];
        ok = true;
    }
    pthread_mutex_unlock(&g_mail_lock);
    return ok;
}

static void *worker(void *arg)
{
    thread_result *res = arg;
    rtm_test_rng rng = {g_seed ^ (0xD1B54A32D192ED03ull * (res->idx + 1))};
    blk live[LIVE];
    size_t nlive = 0;
    uint64_t next_id = (uint64_t)res->idx << 40;
    for (size_t op = 0; op < g_ops; op++) {
        if (res->idx == 0 && op == g_ops / 2 &&
            rtm_heap_locked_add_region(&g_heap, g_region2, HEAP_BYTES / 4) != RTM_OK)
            res->errors++;
        uint64_t r = rtm_test_rnd(&rng, 100);
        if (nlive < LIVE && (nlive == 0 || r < 50)) {
            size_t n = rtm_test_rnd(&rng, 8) == 0 ? 1 + rtm_test_rnd(&rng, 8192) : 1 + rtm_test_rnd(&rng, 256);
            size_t align = rtm_test_rnd(&rng, 5) == 0 ? (size_t)1 << rtm_test_rnd(&rng, 10) : 0;
            bool zeroed = !align && rtm_test_rnd(&rng, 4) == 0;
            unsigned char *p = align    ? rtm_heap_locked_aligned_alloc(&g_heap, align, n)
                               : zeroed ? rtm_heap_locked_calloc(&g_heap, n, 1)
                                        : rtm_heap_locked_alloc(&g_heap, n);
            if (!p) {
                res->failed++;
                continue;
            }
            res->allocs++;
            /* the memory held another thread's pattern before: calloc zeroed it (after the lock) */
            for (size_t k = 0; zeroed && k < n; k++)
                if (p[k] != 0) {
                    res->errors++;
                    break;
                }
            if (!ht_aligned(p, align > RTM_ALIGN ? align : RTM_ALIGN)) res->errors++;
            live[nlive] = (blk){p, n, ++next_id};
            ht_fill(p, n, live[nlive].id);
            nlive++;
        } else if (r < 75) {
            size_t i = rtm_test_rnd(&rng, nlive);
            if (!ht_check(live[i].p, live[i].n, live[i].id)) res->errors++;
            if (rtm_heap_locked_usable_size(&g_heap, live[i].p) < live[i].n) res->errors++;
            if (rtm_test_rnd(&rng, 3) == 0 && mail_put(live[i])) {
                live[i] = live[--nlive]; /* another thread frees it */
                continue;
            }
            rtm_heap_locked_free(&g_heap, live[i].p);
            res->frees++;
            live[i] = live[--nlive];
        } else if (r < 90) {
            size_t i = rtm_test_rnd(&rng, nlive);
            size_t n = 1 + rtm_test_rnd(&rng, 2048);
            if (!ht_check(live[i].p, live[i].n, live[i].id)) res->errors++;
            unsigned char *q = rtm_heap_locked_realloc(&g_heap, live[i].p, n);
            if (!q) {
                res->failed++;
                continue;
            }
            if (q != live[i].p) {
                res->allocs++;
                res->frees++;
            }
            size_t keep = n < live[i].n ? n : live[i].n;
            if (!ht_check(q, keep, live[i].id)) res->errors++;
            live[i] = (blk){q, n, ++next_id};
            ht_fill(q, n, live[i].id);
        } else if (r < 98) {
            blk b;
            if (nlive < LIVE && mail_get(&b)) {
                if (!ht_check(b.p, b.n, b.id)) res->errors++;
                live[nlive++] = b; /* adopt it: this thread frees or reallocs it later */
            }
        } else if (r < 99) {
            if (rtm_test_rnd(&rng, 4) == 0) rtm_heap_locked_reset_peak(&g_heap);
            rtm_heap_stats s;
            rtm_heap_locked_get_stats(&g_heap, &s);
            if (s.used + s.free != s.capacity || s.used > s.peak_used) res->errors++;
        } else {
            /* under the lock the walk sees whole blocks only: their bytes add up to the regions' */
            size_t total = 0;
            rtm_heap_locked_walk(&g_heap, walk_sum, &total);
            if (total != g_walk_total0) {
                if (res->walk_other != 0 && res->walk_other != total) res->errors++;
                res->walk_other = total;
            }
        }
    }
    for (size_t i = 0; i < nlive; i++) {
        if (!ht_check(live[i].p, live[i].n, live[i].id)) res->errors++;
        rtm_heap_locked_free(&g_heap, live[i].p);
        res->frees++;
    }
    return NULL;
}

static void test_locked_stress(void **state)
{
    (void)state;
    unsigned char *mem = ht_buffer(HEAP_BYTES, 0);
    g_region2 = ht_buffer(HEAP_BYTES / 4, 0);
    assert_int_equal(rtm_heap_locked_init(&g_heap, mem, HEAP_BYTES, RTM_FIT_GOOD), RTM_OK);
    g_walk_total0 = 0;
    rtm_heap_locked_walk(&g_heap, walk_sum, &g_walk_total0);
    assert_true(g_walk_total0 > HEAP_BYTES / 2);
    pthread_t th[THREADS];
    thread_result res[THREADS];
    memset(res, 0, sizeof res);
    for (unsigned i = 0; i < THREADS; i++) {
        res[i].idx = i;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &res[i]), 0);
    }
    size_t allocs = 0, frees = 0, failed = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(res[i].errors, 0);
        allocs += res[i].allocs;
        frees += res[i].frees;
        failed += res[i].failed;
    }
    /* blocks still in the mailbox */
    blk b;
    while (mail_get(&b)) {
        assert_true(ht_check(b.p, b.n, b.id));
        rtm_heap_locked_free(&g_heap, b.p);
        frees++;
    }
    assert_int_equal(rtm_heap_locked_check(&g_heap), RTM_OK);
    size_t total = 0;
    rtm_heap_locked_walk(&g_heap, walk_sum, &total);
    assert_true(total > g_walk_total0); /* the second region */
    for (unsigned i = 0; i < THREADS; i++) assert_true(res[i].walk_other == 0 || res[i].walk_other == total);
    rtm_heap_stats s;
    rtm_heap_locked_get_stats(&g_heap, &s);
    assert_int_equal(s.regions, 2);
    assert_int_equal(s.allocs, allocs);
    assert_int_equal(s.frees, frees);
    assert_int_equal(s.failed_allocs, failed);
    assert_int_equal(s.used_blocks, 0);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.free_blocks, 2); /* one per region */
    assert_int_equal(s.bad_frees + s.bad_requests, 0);
    assert_true(allocs > g_ops); /* the threads really allocated */
    rtm_heap_locked_destroy(&g_heap);
}

/* Bad input through the wrapper: reported and counted like the unlocked heap. */
static void test_locked_bad_input(void **state)
{
    (void)state;
    rtm_heap_locked lh;
    rtm_test_hook_install();
    assert_int_equal(rtm_heap_locked_init(&lh, NULL, 4096, RTM_FIT_GOOD), RTM_ERR_ARG);
    unsigned char *mem = ht_buffer(64, 0);
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 64, RTM_FIT_BEST), RTM_ERR_TOO_SMALL);
    assert_int_equal(rtm_heap_locked_init(NULL, mem, 64, RTM_FIT_BEST), RTM_ERR_ARG);
    assert_int_equal(rtm_test_hook_total(), 3);
    mem = ht_buffer(8192, 0);
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 8192, RTM_FIT_FIRST), RTM_OK);
    void *p = rtm_heap_locked_alloc(&lh, 100);
    assert_non_null(p);
    rtm_heap_locked_free(&lh, p);
    rtm_heap_locked_free(&lh, p);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    assert_null(rtm_heap_locked_aligned_alloc(&lh, 24, 16));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ALIGN), 1);
    rtm_heap_stats s;
    rtm_heap_locked_get_stats(&lh, &s);
    assert_int_equal(s.bad_frees, 1);
    assert_int_equal(s.bad_requests, 1);
    assert_int_equal(rtm_heap_locked_check(&lh), RTM_OK);
    rtm_heap_locked_destroy(&lh);
}

/* The calls that complete the wrapper (calloc, usable_size, add_region, walk, reset_peak) give
 * what the unlocked heap gives, and a NULL wrapper is reported by each. */
static bool count_until(const rtm_heap_block *b, void *ctx)
{
    size_t *n = ctx;
    (void)b;
    return ++*n < 2; /* stops after the second block */
}

static void test_locked_other_calls(void **state)
{
    (void)state;
    rtm_heap_locked lh;
    unsigned char *mem = ht_buffer(8192, 0), *mem2 = ht_buffer(4096, 0);
    rtm_test_hook_install();
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 8192, RTM_FIT_GOOD), RTM_OK);
    /* calloc zeroes memory that held data */
    unsigned char *p = rtm_heap_locked_alloc(&lh, 300);
    assert_non_null(p);
    memset(p, 0xA5, 300);
    rtm_heap_locked_free(&lh, p);
    unsigned char *z = rtm_heap_locked_calloc(&lh, 30, 10);
    assert_ptr_equal(z, p); /* the same block again */
    for (size_t k = 0; k < 300; k++) assert_int_equal(z[k], 0);
    assert_int_equal(rtm_heap_locked_usable_size(&lh, z), rtm_heap_usable_size(lh.heap, z));
    assert_true(rtm_heap_locked_usable_size(&lh, z) >= 300);
    assert_int_equal(rtm_heap_locked_usable_size(&lh, z + 8), 0); /* interior: 0, not reported (a query) */
    /* an overflowing product: NULL, reported and counted as the unlocked heap does */
    assert_null(rtm_heap_locked_calloc(&lh, SIZE_MAX / 2, 3));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_SIZE), 1);
    assert_null(rtm_heap_locked_calloc(&lh, 0, 8)); /* 0 bytes: NULL, not a failure */
    rtm_heap_stats s;
    rtm_heap_locked_get_stats(&lh, &s);
    assert_int_equal(s.bad_requests, 1);
    assert_int_equal(s.failed_allocs, 0);
    assert_int_equal(s.allocs, 2);
    /* reset_peak: the peak drops to what is used now */
    assert_true(s.peak_used >= s.used);
    rtm_heap_locked_free(&lh, z);
    rtm_heap_locked_reset_peak(&lh);
    rtm_heap_locked_get_stats(&lh, &s);
    assert_int_equal(s.peak_used, s.used);
    /* add_region: a second region, refused when it overlaps */
    size_t cap = s.capacity;
    assert_int_equal(rtm_heap_locked_add_region(&lh, mem + 1024, 1024), RTM_ERR_OVERLAP);
    assert_int_equal(rtm_heap_locked_add_region(&lh, mem2, 4096), RTM_OK);
    rtm_heap_locked_get_stats(&lh, &s);
    assert_int_equal(s.regions, 2);
    assert_true(s.capacity > cap);
    /* walk: every block, or until the walker stops */
    size_t n = 0;
    rtm_heap_locked_walk(&lh, count_until, &n);
    assert_int_equal(n, 2);
    assert_int_equal(rtm_heap_locked_check(&lh), RTM_OK);
    rtm_heap_locked_destroy(&lh);
    /* a NULL wrapper: nothing done; calloc and add_region report it (RTM_ERR_ARG, object NULL), the
     * queries and reset_peak do not, as the heap does not for a NULL heap */
    int x = 0;
    unsigned before = rtm_test_hook_total();
    assert_null(rtm_heap_locked_calloc(NULL, 1, 8));
    assert_int_equal(rtm_heap_locked_add_region(NULL, mem2, 4096), RTM_ERR_ARG);
    assert_ptr_equal(rtm_test_hook_last_ptr, mem2);
    assert_null(rtm_test_hook_last_obj);
    assert_int_equal(rtm_test_hook_total(), before + 2);
    assert_int_equal(rtm_heap_locked_usable_size(NULL, &x), 0);
    n = 0;
    rtm_heap_locked_walk(NULL, count_until, &n);
    assert_int_equal(n, 0);
    rtm_heap_locked_reset_peak(NULL);
    assert_int_equal(rtm_test_hook_total(), before + 2);
    assert_int_equal(x, 0);
}

int main(void)
{
    g_seed = rtm_test_seed();
    g_ops = rtm_test_ops(200000);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locked_stress),
        cmocka_unit_test(test_locked_bad_input),
        cmocka_unit_test(test_locked_other_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
