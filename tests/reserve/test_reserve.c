/*
 * Priority reserves: tier order and borrowing, watermarks held exactly, bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rtm_sanitize.h"
#include "rtm_test.h"
#include "rtmem/reserve.h"

/* Levels the tests use: 3, or RTM_RESERVE_MAX_LEVELS if smaller (test_reserve_levels2: 2). The
 * tier tests need two levels for borrowing. */
#define NLEV (RTM_RESERVE_MAX_LEVELS < 3 ? RTM_RESERVE_MAX_LEVELS : 3)
#if NLEV < 2
#error "test_reserve needs RTM_RESERVE_MAX_LEVELS >= 2 (tiers borrow from the level below)"
#endif

static _Alignas(64) unsigned char g_mem[3][4096];
static _Alignas(64) unsigned char g_one[8192];

static bool in(const void *p, const unsigned char *buf, size_t n)
{
    return (const unsigned char *)p >= buf && (const unsigned char *)p < buf + n;
}

static void expect_level(rtm_reserve_level_stats st, size_t req, size_t served, size_t denied, size_t failed, size_t borrowed)
{
    assert_int_equal(st.requests, req);
    assert_int_equal(st.served, served);
    assert_int_equal(st.denied, denied);
    assert_int_equal(st.failed, failed);
    assert_int_equal(st.borrowed, borrowed);
}

static void test_tiers(void **state)
{
    (void)state;
    rtm_heap *h[3];
    for (int i = 0; i < 3; i++) assert_non_null(h[i] = rtm_heap_init(g_mem[i], sizeof g_mem[i], RTM_FIT_GOOD));
    rtm_tiers t;
    rtm_test_hook_install();
    assert_int_equal(rtm_tiers_init(&t, h, NLEV), RTM_OK);
    /* each level starts in its own tier */
    for (unsigned p = 0; p < NLEV; p++) {
        void *q = rtm_tiers_alloc(&t, 100, p);
        assert_true(in(q, g_mem[p], 4096));
        rtm_tiers_free(&t, q);
    }
    /* fill the top tier (2) with top-level requests: then they borrow from the tier below (1), then
     * tier 0 */
    const unsigned hi = NLEV - 1;
    void *top[200];
    size_t n = 0;
    while ((top[n] = rtm_tiers_alloc(&t, 1000, hi)) != NULL && in(top[n], g_mem[hi], 4096)) n++;
    assert_true(n >= 2);
    assert_true(in(top[n], g_mem[hi - 1], 4096));
    n++;
    while ((top[n] = rtm_tiers_alloc(&t, 1000, hi)) != NULL) n++;
    assert_true(in(top[n - 1], g_mem[0], 4096));
    /* now everything is full: the bottom level finds nothing, and never looked above tier 0 */
    assert_null(rtm_tiers_alloc(&t, 1000, 0));
    void *small = rtm_tiers_alloc(&t, 8, 0);
    if (small) assert_true(in(small, g_mem[0], 4096));
    rtm_reserve_level_stats st;
    assert_int_equal(rtm_tiers_get_stats(&t, hi, &st), RTM_OK);
    assert_int_equal(st.requests, st.served + st.failed);
    assert_int_equal(st.served, n + 1);
    assert_int_equal(st.failed, 1);
    assert_true(st.borrowed >= 2);
    assert_int_equal(rtm_tiers_get_stats(&t, 0, &st), RTM_OK);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.borrowed, 0);
    while (n) rtm_tiers_free(&t, top[--n]);
    rtm_tiers_free(&t, small);
    for (int i = 0; i < NLEV; i++) {
        rtm_heap_stats hs;
        rtm_heap_get_stats(h[i], &hs);
        assert_int_equal(hs.used, 0);
        assert_int_equal(rtm_heap_check(h[i]), RTM_OK);
    }
    assert_int_equal(rtm_test_hook_total(), 0);

    /* bad calls */
    static unsigned char foreign[32];
    void *q = rtm_tiers_alloc(&t, 64, 1);
    assert_null(rtm_tiers_alloc(&t, 0, 1));
    assert_null(rtm_tiers_alloc(&t, 8, NLEV)); /* no such level */
    assert_null(rtm_tiers_alloc(NULL, 8, 0));
    rtm_tiers_free(&t, foreign);
    rtm_tiers_free(&t, (unsigned char *)q + 8);
    rtm_tiers_free(&t, q);
    rtm_tiers_free(&t, q);
    rtm_tiers_free(&t, NULL);
    rtm_tiers_free(NULL, q);
    rtm_reserve_errors er;
    rtm_tiers_get_errors(&t, &er);
    assert_int_equal(er.bad_requests, 2);
    assert_int_equal(er.bad_frees, 3);
    rtm_tiers_get_errors(&t, NULL); /* nowhere to write: a no-op */
    assert_int_equal(rtm_tiers_get_stats(&t, 0, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_destroy(NULL), RTM_ERR_ARG);
    rtm_tiers_get_errors(NULL, &er);
    assert_int_equal(er.bad_requests + er.bad_frees, 0);
    assert_int_equal(rtm_test_hook_total(), 3 + 3 + 1);
    assert_int_equal(rtm_tiers_get_stats(&t, NLEV, &st), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_get_stats(NULL, 0, &st), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_destroy(&t), RTM_OK);

    /* init rejects */
    rtm_heap *dup[2] = {h[0], h[0]}, *withnull[2] = {h[0], NULL};
    assert_int_equal(rtm_tiers_init(&t, dup, 2), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_init(&t, withnull, 2), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_init(&t, h, 0), RTM_ERR_SIZE);
    assert_int_equal(rtm_tiers_init(&t, h, RTM_RESERVE_MAX_LEVELS + 1), RTM_ERR_SIZE);
    assert_int_equal(rtm_tiers_init(&t, NULL, 1), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_init(NULL, h, 1), RTM_ERR_ARG);
    /* exactly RTM_RESERVE_MAX_LEVELS tiers are accepted, each level allocating from its own */
    static _Alignas(64) unsigned char lim_mem[RTM_RESERVE_MAX_LEVELS][1024];
    rtm_heap *lim[RTM_RESERVE_MAX_LEVELS];
    for (int i = 0; i < RTM_RESERVE_MAX_LEVELS; i++) assert_non_null(lim[i] = rtm_heap_init(lim_mem[i], sizeof lim_mem[i], RTM_FIT_GOOD));
    assert_int_equal(rtm_tiers_init(&t, lim, RTM_RESERVE_MAX_LEVELS), RTM_OK);
    for (unsigned p = 0; p < RTM_RESERVE_MAX_LEVELS; p++) {
        void *q1 = rtm_tiers_alloc(&t, 100, p);
        assert_true(in(q1, lim_mem[p], sizeof lim_mem[p]));
        rtm_tiers_free(&t, q1);
    }
    assert_null(rtm_tiers_alloc(&t, 8, RTM_RESERVE_MAX_LEVELS));
    assert_int_equal(rtm_tiers_get_stats(&t, RTM_RESERVE_MAX_LEVELS - 1, &st), RTM_OK);
    assert_int_equal(st.served, 1);
    assert_int_equal(rtm_tiers_destroy(&t), RTM_OK);
}

/* Tiers whose heaps share memory are refused: a heap built inside a block of another one, in
 * either order; tiers in separate memory next to each other are accepted. */
static void test_tiers_overlap(void **state)
{
    (void)state;
    rtm_san_access(g_one, sizeof g_one);
    rtm_heap *outer = rtm_heap_init(g_one, sizeof g_one, RTM_FIT_GOOD);
    assert_non_null(outer);
    void *blk = rtm_heap_alloc(outer, 2048);
    assert_non_null(blk);
    rtm_heap *inner = rtm_heap_init(blk, 2048, RTM_FIT_GOOD);
    assert_non_null(inner);
    rtm_tiers t;
    rtm_test_hook_install();
    rtm_heap *const in_out[2] = {inner, outer}, *const out_in[2] = {outer, inner};
    assert_int_equal(rtm_tiers_init(&t, in_out, 2), RTM_ERR_OVERLAP);
    assert_int_equal(rtm_tiers_init(&t, out_in, 2), RTM_ERR_OVERLAP);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_OVERLAP), 2);
    /* a second heap in another block of the outer heap: it overlaps the outer heap too */
    void *tail = rtm_heap_alloc(outer, 1024);
    assert_non_null(tail);
    rtm_heap *second = rtm_heap_init(tail, 1024, RTM_FIT_GOOD);
    assert_non_null(second);
    rtm_heap *const three[3] = {inner, second, outer};
    /* levels 3: the third against the first two; levels 2 (test_reserve_levels2): second, outer */
    assert_int_equal(rtm_tiers_init(&t, NLEV < 3 ? three + 1 : three, NLEV), RTM_ERR_OVERLAP);
    /* inner and second lie in separate blocks of the outer heap: no overlap between them */
    rtm_heap *const apart[2] = {inner, second};
    assert_int_equal(rtm_tiers_init(&t, apart, 2), RTM_OK);
    void *q = rtm_tiers_alloc(&t, 64, 1);
    assert_true(in(q, tail, 1024));
    rtm_tiers_free(&t, q);
    q = rtm_tiers_alloc(&t, 64, 0);
    assert_true(in(q, blk, 2048));
    rtm_tiers_free(&t, q);
    assert_int_equal(rtm_tiers_destroy(&t), RTM_OK);
    assert_int_equal(rtm_test_hook_total(), 3);
}

static void test_watermarks(void **state)
{
    (void)state;
    rtm_heap *h = rtm_heap_init(g_one, sizeof g_one, RTM_FIT_GOOD);
    assert_non_null(h);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    const size_t cap = hs.free;
    /* the last NLEV of {3000, 1000, 0}: the top level has no watermark */
    static const size_t res3[3] = {3000, 1000, 0};
    const size_t *res = res3 + (3 - NLEV);
    rtm_reserve r;
    rtm_test_hook_install();
    assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
    void *blk[256];
    size_t n = 0, denied[3] = {0};
    /* each level fills up to its watermark and no further */
    for (unsigned p = 0; p < NLEV; p++) {
        size_t size = 100 + 37 * p;
        for (;;) {
            void *q = rtm_reserve_alloc(&r, size, p);
            rtm_heap_get_stats(h, &hs);
            if (q == NULL) break;
            blk[n++] = q;
            assert_true(hs.free >= res[p]);
        }
        rtm_reserve_level_stats st;
        assert_int_equal(rtm_reserve_get_stats(&r, p, &st), RTM_OK);
        if (p < NLEV - 1) {
            assert_int_equal(st.denied, 1);
            assert_true(hs.free < res[p] + size + 64); /* stopped within one block of the watermark */
            denied[p] = 1;
        } else {
            assert_int_equal(st.failed, 1); /* the top level stops only when the heap is full */
            assert_int_equal(st.denied, 0);
        }
        assert_int_equal(st.requests, st.served + 1);
    }
    (void)denied;
    (void)cap;
    /* freeing top-level blocks does not let the bottom level in while below its watermark */
    rtm_reserve_free(&r, blk[--n]);
    assert_null(rtm_reserve_alloc(&r, 100, 0));
    while (n) rtm_reserve_free(&r, blk[--n]);
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used, 0);
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    /* a request larger than the free space minus the reserve is denied without touching the heap */
    assert_null(rtm_reserve_alloc(&r, cap - (res[0] - 1), 0));
    assert_int_equal(rtm_test_hook_total(), 0);
    /* bad calls */
    void *q = rtm_reserve_alloc(&r, 64, 0);
    assert_non_null(q);
    assert_null(rtm_reserve_alloc(&r, 0, 0));
    assert_null(rtm_reserve_alloc(&r, 8, NLEV)); /* no such level */
    assert_null(rtm_reserve_alloc(&r, SIZE_MAX, NLEV - 1));
    assert_null(rtm_reserve_alloc(NULL, 8, 0));
    rtm_reserve_free(&r, (unsigned char *)q + 8);
    rtm_reserve_free(&r, q);
    rtm_reserve_free(&r, q);
    rtm_reserve_free(NULL, q);
    rtm_reserve_errors er;
    rtm_reserve_level_stats st0;
    rtm_reserve_get_errors(&r, &er);
    assert_int_equal(er.bad_requests, 2);
    assert_int_equal(er.bad_frees, 2);
    rtm_reserve_get_errors(&r, NULL); /* nowhere to write: a no-op */
    assert_int_equal(rtm_reserve_get_stats(NULL, 0, &st0), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_get_stats(&r, 0, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_get_stats(&r, NLEV, &st0), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_destroy(NULL), RTM_ERR_ARG);
    rtm_reserve_get_errors(NULL, &er);
    assert_int_equal(er.bad_requests + er.bad_frees, 0);
    assert_int_equal(rtm_test_hook_total(), 3 + 2 + 1);
    assert_int_equal(rtm_reserve_destroy(&r), RTM_OK);
    /* init rejects */
    const size_t rising[2] = {10, 20};
    assert_int_equal(rtm_reserve_init(&r, h, rising, 2), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_init(&r, h, res, 0), RTM_ERR_SIZE);
    assert_int_equal(rtm_reserve_init(&r, h, res, RTM_RESERVE_MAX_LEVELS + 1), RTM_ERR_SIZE);
    assert_int_equal(rtm_reserve_init(&r, NULL, res, NLEV), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_init(&r, h, NULL, NLEV), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_init(NULL, h, res, NLEV), RTM_ERR_ARG);
    /* exactly RTM_RESERVE_MAX_LEVELS levels are accepted (falling watermarks, the top one 0) */
    size_t lim_res[RTM_RESERVE_MAX_LEVELS];
    for (size_t i = 0; i < RTM_RESERVE_MAX_LEVELS; i++) lim_res[i] = 64u * (RTM_RESERVE_MAX_LEVELS - 1u - i);
    assert_int_equal(rtm_reserve_init(&r, h, lim_res, RTM_RESERVE_MAX_LEVELS), RTM_OK);
    q = rtm_reserve_alloc(&r, 64, RTM_RESERVE_MAX_LEVELS - 1);
    assert_non_null(q);
    assert_null(rtm_reserve_alloc(&r, 8, RTM_RESERVE_MAX_LEVELS));
    rtm_reserve_level_stats st;
    assert_int_equal(rtm_reserve_get_stats(&r, RTM_RESERVE_MAX_LEVELS - 1, &st), RTM_OK);
    assert_int_equal(st.served, 1);
    rtm_reserve_free(&r, q);
    assert_int_equal(rtm_reserve_destroy(&r), RTM_OK);
}

/* ---- randomized: both designs against their rules, checked after every operation ---------------- */
#if defined(RTM_DEBUG) && RTM_DEBUG
#define CHECK_EVERY_OP 1
#else
#define CHECK_EVERY_OP 0
#endif
#define RLIVE 256

static void test_random(void **state)
{
    (void)state;
    rtm_test_rng rng = {rtm_test_seed()};
    /* the earlier tests' heaps left their free space poisoned; rtm_heap_init does not undo that */
    rtm_san_access(g_mem, sizeof g_mem);
    rtm_san_access(g_one, sizeof g_one);
    rtm_heap *th[NLEV], *one = rtm_heap_init(g_one, sizeof g_one, RTM_FIT_GOOD);
    for (int i = 0; i < NLEV; i++) assert_non_null(th[i] = rtm_heap_init(g_mem[i], sizeof g_mem[i], RTM_FIT_GOOD));
    assert_non_null(one);
    static const size_t res3[3] = {2500, 800, 0}; /* the last NLEV of them */
    const size_t *res = res3 + (3 - NLEV);
    rtm_tiers t;
    rtm_reserve r;
    assert_int_equal(rtm_tiers_init(&t, th, NLEV), RTM_OK);
    assert_int_equal(rtm_reserve_init(&r, one, res, NLEV), RTM_OK);
    rtm_test_hook_install();
    struct { void *p; unsigned prio; bool tiers; } live[RLIVE];
    size_t nlive = 0, ops = rtm_test_ops(300000);
    rtm_reserve_level_stats want_t[NLEV], want_r[NLEV];
    memset(want_t, 0, sizeof want_t);
    memset(want_r, 0, sizeof want_r);
    for (size_t op = 0; op < ops; op++) {
        bool grow = ((op / 300) & 1) == 0;
        if (nlive < RLIVE && rtm_test_rnd(&rng, 100) < (grow ? 65u : 35u)) {
            unsigned prio = (unsigned)rtm_test_rnd(&rng, NLEV);
            size_t size = 1 + (size_t)rtm_test_rnd(&rng, rtm_test_rnd(&rng, 8) == 0 ? 3000 : 300);
            bool use_tiers = rtm_test_rnd(&rng, 2) == 0;
            void *q;
            if (use_tiers) {
                q = rtm_tiers_alloc(&t, size, prio);
                want_t[prio].requests++;
                if (q != NULL) {
                    int tier = -1;
                    for (int i = 0; i < NLEV; i++)
                        if (in(q, g_mem[i], sizeof g_mem[i])) tier = i;
                    assert_true(tier >= 0 && (unsigned)tier <= prio); /* never above its level */
                    want_t[prio].served++;
                    if ((unsigned)tier != prio) want_t[prio].borrowed++;
                } else {
                    want_t[prio].failed++;
                }
            } else {
                rtm_heap_stats before, after;
                rtm_heap_get_stats(one, &before);
                q = rtm_reserve_alloc(&r, size, prio);
                rtm_heap_get_stats(one, &after);
                want_r[prio].requests++;
                if (q != NULL) {
                    assert_true(after.free >= res[prio]); /* the watermark holds */
                    assert_true(before.free - after.free >= size);
                    want_r[prio].served++;
                } else {
                    assert_int_equal(after.free, before.free); /* a refusal leaves the heap as it was */
                    assert_int_equal(after.used, before.used);
                    if (size > before.free) want_r[prio].failed++;
                    else if (size + res[prio] > before.free) want_r[prio].denied++;
                    else { /* allocated and given back, or no block: the counters tell which */
                        rtm_reserve_level_stats st;
                        rtm_reserve_get_stats(&r, prio, &st);
                        if (st.denied > want_r[prio].denied) want_r[prio].denied++;
                        else want_r[prio].failed++;
                    }
                }
            }
            if (q != NULL) {
                memset(q, (int)prio, size < 64 ? size : 64);
                live[nlive].p = q;
                live[nlive].prio = prio;
                live[nlive++].tiers = use_tiers;
            }
        } else if (nlive > 0) {
            size_t k = (size_t)rtm_test_rnd(&rng, nlive);
            if (live[k].tiers) rtm_tiers_free(&t, live[k].p);
            else rtm_reserve_free(&r, live[k].p);
            live[k] = live[--nlive];
        }
        if (CHECK_EVERY_OP || (op & 511u) == 0) {
            assert_int_equal(rtm_heap_check(one), RTM_OK);
            for (int i = 0; i < NLEV; i++) assert_int_equal(rtm_heap_check(th[i]), RTM_OK);
            for (unsigned p = 0; p < NLEV; p++) {
                rtm_reserve_level_stats st;
                rtm_tiers_get_stats(&t, p, &st);
                assert_memory_equal(&st, &want_t[p], sizeof st);
                rtm_reserve_get_stats(&r, p, &st);
                assert_memory_equal(&st, &want_r[p], sizeof st);
            }
        }
    }
    while (nlive) {
        nlive--;
        if (live[nlive].tiers) rtm_tiers_free(&t, live[nlive].p);
        else rtm_reserve_free(&r, live[nlive].p);
    }
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_heap_stats hs;
    rtm_heap_get_stats(one, &hs);
    assert_int_equal(hs.used, 0);
    for (int i = 0; i < NLEV; i++) {
        rtm_heap_get_stats(th[i], &hs);
        assert_int_equal(hs.used, 0);
    }
    printf("[ INFO     ] watermarks: low %zu/%zu served, %zu denied; tiers: low %zu/%zu served\n", want_r[0].served,
           want_r[0].requests, want_r[0].denied, want_t[0].served, want_t[0].requests);
    rtm_tiers_destroy(&t);
    rtm_reserve_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_tiers_overlap),
        cmocka_unit_test(test_watermarks),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
