/*
 * Priority reserves: tier order and borrowing, watermarks held exactly, bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
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

/* A damaged heap is refused (RTM_ERR_CORRUPT): its extent comes from a walk, which on a header
 * whose size runs past the heap gave an extent reaching far beyond it (and a later free of a
 * pointer there went to that heap). Undamaged again, it is accepted. */
static void test_tiers_corrupt_heap(void **state)
{
    (void)state;
    static _Alignas(64) unsigned char m0[2048], m1[2048];
    rtm_heap *h[2] = {rtm_heap_init(m0, sizeof m0, RTM_FIT_GOOD), rtm_heap_init(m1, sizeof m1, RTM_FIT_GOOD)};
    assert_non_null(h[0]);
    assert_non_null(h[1]);
    unsigned char *p = rtm_heap_alloc(h[1], 64);
    assert_non_null(p);
    unsigned char *hdr = p - sizeof(size_t); /* the header word before the payload (docs/heap.md) */
    size_t saved, forged;
    /* heap metadata is no-access to sanitizers and Valgrind: opened for each access only (the
     * heap's own check closes it again) */
    rtm_san_access(hdr, sizeof saved);
    memcpy(&saved, hdr, sizeof saved);
    forged = (SIZE_MAX / 4 & ~(size_t)(RTM_ALIGN - 1)) | (saved & 7u);
    memcpy(hdr, &forged, sizeof forged);
    rtm_san_noaccess(hdr, sizeof saved);
    rtm_tiers t;
    rtm_test_hook_install();
    assert_int_equal(rtm_tiers_init(&t, h, 2), RTM_ERR_CORRUPT);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 2); /* the heap's check, then tiers_init */
    rtm_san_access(hdr, sizeof saved);
    memcpy(hdr, &saved, sizeof saved);
    rtm_san_noaccess(hdr, sizeof saved);
    assert_int_equal(rtm_tiers_init(&t, h, 2), RTM_OK);
    rtm_tiers_free(&t, p);
    assert_int_equal(rtm_heap_check(h[1]), RTM_OK);
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

/* Reports by code: each rejected call below adds exactly one report of the code the header names. */
static void expect_reports(unsigned arg, unsigned size, unsigned bad_ptr, unsigned double_free, unsigned overlap)
{
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), arg);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_SIZE), size);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), bad_ptr);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), double_free);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_OVERLAP), overlap);
    assert_int_equal(rtm_test_hook_total(), arg + size + bad_ptr + double_free + overlap);
}

/* rtm_heap_walk callback: the end of the highest block's payload (a tier's extent ends there). */
static bool payload_end(const rtm_heap_block *b, void *ctx)
{
    uintptr_t *end = ctx, e = (uintptr_t)b->ptr + b->size;
    if (e > *end) *end = e;
    return true;
}

/* Every rejected call of both designs with its exact code, its reporter and its counter; a failed
 * init leaves the object as it was; equal watermarks are accepted, one rising pair is not. */
static void test_error_codes(void **state)
{
    (void)state;
    rtm_san_access(g_mem, sizeof g_mem);
    rtm_san_access(g_one, sizeof g_one);
    rtm_heap *h[3];
    for (int i = 0; i < 3; i++) assert_non_null(h[i] = rtm_heap_init(g_mem[i], sizeof g_mem[i], RTM_FIT_GOOD));
    rtm_heap *one = rtm_heap_init(g_one, sizeof g_one, RTM_FIT_GOOD);
    assert_non_null(one);
    rtm_tiers t, t0;
    rtm_reserve r, r0;
    rtm_reserve_errors er;
    rtm_test_hook_install();

    /* tiers: init, each failure leaving t untouched */
    memset(&t, 0xA5, sizeof t);
    t0 = t;
    rtm_heap *dup[2] = {h[0], h[0]}, *withnull[2] = {h[0], NULL};
    assert_int_equal(rtm_tiers_init(NULL, h, 1), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_init(&t, NULL, 1), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_init(&t, withnull, 2), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_init(&t, dup, 2), RTM_ERR_ARG);
    expect_reports(4, 0, 0, 0, 0);
    assert_int_equal(rtm_tiers_init(&t, h, 0), RTM_ERR_SIZE);
    assert_int_equal(rtm_tiers_init(&t, h, RTM_RESERVE_MAX_LEVELS + 1), RTM_ERR_SIZE);
    expect_reports(4, 2, 0, 0, 0);
    assert_memory_equal(&t, &t0, sizeof t);
    assert_int_equal(rtm_tiers_init(&t, h, 1), RTM_OK); /* one level: heap 0 alone */
    assert_int_equal(rtm_tiers_destroy(&t), RTM_OK);
    assert_int_equal(rtm_tiers_init(&t, h, NLEV), RTM_OK);
    expect_reports(4, 2, 0, 0, 0);
    /* tiers: alloc (size 0 is checked before the level) */
    assert_null(rtm_tiers_alloc(&t, 0, 0));
    assert_null(rtm_tiers_alloc(&t, 0, NLEV));
    expect_reports(4, 4, 0, 0, 0);
    assert_null(rtm_tiers_alloc(&t, 8, NLEV));
    expect_reports(5, 4, 0, 0, 0);
    assert_null(rtm_tiers_alloc(NULL, 8, 0));
    expect_reports(6, 4, 0, 0, 0);
    rtm_tiers_get_errors(&t, &er);
    assert_int_equal(er.bad_requests, 3); /* the NULL handle has no counter */
    assert_int_equal(er.bad_frees, 0);
    /* tiers: free. The first byte past a tier's last block is outside it: the tiers report it */
    unsigned char *q = rtm_tiers_alloc(&t, 64, 0);
    assert_true(in(q, g_mem[0], sizeof g_mem[0]));
    uintptr_t end0 = 0;
    rtm_heap_walk(h[0], payload_end, &end0);
    assert_true(end0 > (uintptr_t)q && end0 <= (uintptr_t)(g_mem[0] + sizeof g_mem[0]));
    rtm_tiers_free(&t, (void *)end0);
    expect_reports(6, 4, 1, 0, 0);
    assert_ptr_equal(rtm_test_hook_last_obj, &t);
    rtm_tiers_free(&t, q + 8); /* inside tier 0: its heap reports it */
    expect_reports(6, 4, 2, 0, 0);
    assert_ptr_equal(rtm_test_hook_last_obj, h[0]);
    rtm_tiers_free(NULL, q);
    expect_reports(7, 4, 2, 0, 0);
    rtm_tiers_free(&t, q);
    rtm_tiers_free(&t, q);
    expect_reports(7, 4, 2, 1, 0);
    rtm_tiers_free(&t, NULL);
    rtm_tiers_get_errors(&t, &er);
    assert_int_equal(er.bad_requests, 3);
    assert_int_equal(er.bad_frees, 3);
    rtm_reserve_level_stats st;
    assert_int_equal(rtm_tiers_get_stats(&t, 0, &st), RTM_OK);
    expect_level(st, 1, 1, 0, 0, 0); /* bad requests are not requests */
    assert_int_equal(rtm_tiers_get_stats(&t, NLEV - 1, &st), RTM_OK);
    expect_level(st, 0, 0, 0, 0, 0);
    assert_int_equal(rtm_tiers_destroy(&t), RTM_OK);

    /* reserve: init, each failure leaving r untouched; equal watermarks are accepted */
    memset(&r, 0x5A, sizeof r);
    r0 = r;
    const size_t flat[3] = {100, 100, 100}, rise_last[3] = {200, 100, 101};
    const size_t *rise = rise_last + (3 - NLEV); /* only the last pair rises */
    assert_int_equal(rtm_reserve_init(NULL, one, flat, NLEV), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_init(&r, NULL, flat, NLEV), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_init(&r, one, NULL, NLEV), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_init(&r, one, rise, NLEV), RTM_ERR_ARG);
    expect_reports(11, 4, 2, 1, 0);
    assert_int_equal(rtm_reserve_init(&r, one, flat, 0), RTM_ERR_SIZE);
    assert_int_equal(rtm_reserve_init(&r, one, flat, RTM_RESERVE_MAX_LEVELS + 1), RTM_ERR_SIZE);
    expect_reports(11, 6, 2, 1, 0);
    assert_memory_equal(&r, &r0, sizeof r);
    assert_int_equal(rtm_reserve_init(&r, one, flat, NLEV), RTM_OK);
    /* reserve: alloc */
    assert_null(rtm_reserve_alloc(&r, 0, 0));
    assert_null(rtm_reserve_alloc(&r, 0, NLEV));
    expect_reports(11, 8, 2, 1, 0);
    assert_null(rtm_reserve_alloc(&r, 8, NLEV));
    expect_reports(12, 8, 2, 1, 0);
    assert_null(rtm_reserve_alloc(NULL, 8, 0));
    expect_reports(13, 8, 2, 1, 0);
    rtm_reserve_get_errors(&r, &er);
    assert_int_equal(er.bad_requests, 3);
    assert_int_equal(er.bad_frees, 0);
    /* reserve: free; the heap reports bad pointers, the reserve counts them */
    q = rtm_reserve_alloc(&r, 64, NLEV - 1);
    assert_true(in(q, g_one, sizeof g_one));
    rtm_reserve_free(&r, q + 8);
    expect_reports(13, 8, 3, 1, 0);
    assert_ptr_equal(rtm_test_hook_last_obj, one);
    rtm_reserve_free(NULL, q);
    expect_reports(14, 8, 3, 1, 0);
    rtm_reserve_free(&r, q);
    rtm_reserve_free(&r, q);
    expect_reports(14, 8, 3, 2, 0);
    rtm_reserve_free(&r, NULL);
    rtm_reserve_get_errors(&r, &er);
    assert_int_equal(er.bad_requests, 3);
    assert_int_equal(er.bad_frees, 2);
    assert_int_equal(rtm_reserve_get_stats(&r, NLEV - 1, &st), RTM_OK);
    expect_level(st, 1, 1, 0, 0, 0);
    assert_int_equal(rtm_reserve_get_stats(&r, 0, &st), RTM_OK);
    expect_level(st, 0, 0, 0, 0, 0);
    /* stats and destroy: RTM_ERR_ARG, not reported */
    assert_int_equal(rtm_reserve_get_stats(&r, NLEV, &st), RTM_ERR_ARG);
    assert_int_equal(rtm_tiers_get_stats(&t, NLEV, &st), RTM_ERR_ARG);
    assert_int_equal(rtm_reserve_destroy(&r), RTM_OK);
    expect_reports(14, 8, 3, 2, 0);
    rtm_heap_stats hs;
    rtm_heap_get_stats(one, &hs);
    assert_int_equal(hs.used, 0);
    for (int i = 0; i < NLEV; i++) {
        rtm_heap_get_stats(h[i], &hs);
        assert_int_equal(hs.used, 0);
    }
}

/* Heap counters a reserve request may move: a refusal decided before the heap is touched (rules
 * 1 and 2 of rtm_reserve_alloc) moves none, one after it (3: the heap's failure, 4: an allocation
 * given back) moves these. */
static void expect_heap(rtm_heap *h, size_t free_bytes, size_t allocs, size_t frees, size_t failed)
{
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.free, free_bytes);
    assert_int_equal(hs.allocs, allocs);
    assert_int_equal(hs.frees, frees);
    assert_int_equal(hs.failed_allocs, failed);
}

/* Watermarks for a test at level @p p: @p keep at p, @p below for the levels below it (which must
 * keep at least as much), 0 for the ones above it. */
static void levels_for(size_t *res, unsigned p, size_t keep, size_t below)
{
    for (unsigned j = 0; j < NLEV; j++) res[j] = j < p ? below : j == p ? keep : 0;
}

/* The five rules of rtm_reserve_alloc (reserve.h), each at its boundary and at every level: one byte
 * either way changes the outcome and the counter, and the heap's counters tell the rules apart. */
static void test_rules_at_boundaries(void **state)
{
    (void)state;
    rtm_san_access(g_one, sizeof g_one);
    rtm_heap *h = rtm_heap_init(g_one, sizeof g_one, RTM_FIT_GOOD);
    assert_non_null(h);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    const size_t F = hs.free, s = 200;
    void *probe = rtm_heap_alloc(h, s);
    assert_non_null(probe);
    rtm_heap_get_stats(h, &hs);
    const size_t d = F - hs.free; /* what a block of s bytes takes from the free count */
    assert_true(d > s);
    rtm_heap_free(h, probe);
    size_t allocs = 1, frees = 1, failed = 0;
    expect_heap(h, F, allocs, frees, failed);
    rtm_test_hook_install();
    for (unsigned p = 0; p < NLEV; p++) {
        size_t res[NLEV];
        rtm_reserve r;
        rtm_reserve_level_stats st;
        void *q;
        /* 5: the block leaves exactly the watermark free: served */
        levels_for(res, p, F - d, SIZE_MAX);
        assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
        q = rtm_reserve_alloc(&r, s, p);
        assert_true(in(q, g_one, sizeof g_one));
        expect_heap(h, F - d, ++allocs, frees, failed);
        rtm_reserve_free(&r, q);
        expect_heap(h, F, allocs, ++frees, failed);
        /* 4: one byte more kept: the block digs one byte into it, is given back, denied */
        res[p]++;
        assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
        assert_null(rtm_reserve_alloc(&r, s, p));
        expect_heap(h, F, ++allocs, ++frees, failed);
        /* 2: size + watermark equal to the free bytes: the heap is asked (and 4 denies: the header);
         * one above them: denied before the heap is touched */
        levels_for(res, p, F - s, SIZE_MAX);
        assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
        assert_null(rtm_reserve_alloc(&r, s, p));
        expect_heap(h, F, ++allocs, ++frees, failed);
        res[p]++;
        assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
        assert_null(rtm_reserve_alloc(&r, s, p));
        expect_heap(h, F, allocs, frees, failed);
        /* 2: size + watermark above SIZE_MAX */
        levels_for(res, p, SIZE_MAX, SIZE_MAX);
        assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
        assert_null(rtm_reserve_alloc(&r, 1, p));
        expect_heap(h, F, allocs, frees, failed);
        assert_int_equal(rtm_reserve_get_stats(&r, p, &st), RTM_OK);
        expect_level(st, 1, 0, 1, 0, 0);
        /* 3 and 1: no watermark; all the free bytes: the heap has no block that large (its header);
         * one more: failed before the heap is touched */
        levels_for(res, p, 0, SIZE_MAX);
        assert_int_equal(rtm_reserve_init(&r, h, res, NLEV), RTM_OK);
        assert_null(rtm_reserve_alloc(&r, F, p));
        expect_heap(h, F, allocs, frees, ++failed);
        assert_null(rtm_reserve_alloc(&r, F + 1, p));
        expect_heap(h, F, allocs, frees, failed);
        assert_int_equal(rtm_reserve_get_stats(&r, p, &st), RTM_OK);
        expect_level(st, 2, 0, 0, 2, 0);
        /* and the same reserve serves what fits, counted at p only */
        q = rtm_reserve_alloc(&r, s, p);
        assert_non_null(q);
        expect_heap(h, F - d, ++allocs, frees, failed);
        for (unsigned j = 0; j < NLEV; j++) {
            assert_int_equal(rtm_reserve_get_stats(&r, j, &st), RTM_OK);
            if (j == p) expect_level(st, 3, 1, 0, 2, 0);
            else expect_level(st, 0, 0, 0, 0, 0);
        }
        rtm_reserve_free(&r, q);
        expect_heap(h, F, allocs, ++frees, failed);
        assert_int_equal(rtm_reserve_destroy(&r), RTM_OK);
    }
    assert_int_equal(rtm_test_hook_total(), 0);
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
        cmocka_unit_test(test_tiers_corrupt_heap),
        cmocka_unit_test(test_watermarks),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_rules_at_boundaries),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
