/*
 * Size-class pools: exact layout, fallback and failure per class, oversize requests, advice,
 * bad input, corruption, randomized test against a model (RTM_SEED replays it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rtm_test.h"
#include "rtmem/pools.h"

#if defined(RTM_DEBUG) && RTM_DEBUG
#define CHECK_EVERY_OP 1
#else
#define CHECK_EVERY_OP 0
#endif

static _Alignas(64) unsigned char g_buf[64 * 1024];
static _Alignas(64) unsigned char g_heap_mem[64 * 1024];

static const rtm_pools_class k_classes[] = {
    {16, 4, 0},
    {32, 2, RTM_POOLS_FALLBACK},
    {64, 1, 0},
};
#define NCLS (sizeof k_classes / sizeof k_classes[0])

static void expect_class(rtm_pools *p, size_t i, size_t used, size_t allocs, size_t fallbacks, size_t fb_live,
                         size_t failures, size_t demand_peak)
{
    rtm_pools_class_stats cs;
    assert_int_equal(rtm_pools_get_class_stats(p, i, &cs), RTM_OK);
    assert_int_equal(cs.used, used);
    assert_int_equal(cs.allocs, allocs);
    assert_int_equal(cs.fallbacks, fallbacks);
    assert_int_equal(cs.fallback_live, fb_live);
    assert_int_equal(cs.failures, failures);
    assert_int_equal(cs.demand_peak, demand_peak);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
}

static bool in_buf(const void *ptr) { return (const unsigned char *)ptr >= g_buf && (const unsigned char *)ptr < g_buf + sizeof g_buf; }

/* The pools of k_classes in g_buf over a fresh good-fit heap of the first heap_bytes of g_heap_mem,
 * with the counting error hook installed after the inits (which report nothing). */
static rtm_pools *pools_on_fresh_heap(size_t heap_bytes, rtm_heap **heap_out)
{
    rtm_pools *p = NULL;
    rtm_heap *h = rtm_heap_init(g_heap_mem, heap_bytes, RTM_FIT_GOOD);
    assert_non_null(h);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, k_classes, NCLS, h), RTM_OK);
    rtm_test_hook_install();
    *heap_out = h;
    return p;
}

static void test_layout(void **state)
{
    (void)state;
    rtm_pools *p;
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    assert_non_null(h);
    rtm_test_hook_install();
    size_t need = rtm_pools_buf_size(k_classes, NCLS);
    assert_true(need > 0);
    assert_true(need <= RTM_POOLS_OVERHEAD(NCLS) + RTM_POOLS_CLASS_BYTES(16, 4) + RTM_POOLS_CLASS_BYTES(32, 2) +
                           RTM_POOLS_CLASS_BYTES(64, 1));
    assert_int_equal(rtm_pools_init(&p, g_buf, need - 1, k_classes, NCLS, h), RTM_ERR_TOO_SMALL);
    assert_null(p);
    assert_int_equal(rtm_pools_init(&p, g_buf, need, k_classes, NCLS, h), RTM_OK);
    assert_non_null(p);
    /* no request yet: every count 0, nothing to size */
    rtm_pools_class adv0[NCLS];
    size_t bytes0 = 1;
    assert_int_equal(rtm_pools_advise(p, adv0, NCLS, &bytes0), NCLS);
    for (size_t i = 0; i < NCLS; i++) assert_int_equal(adv0[i].count, 0);
    assert_int_equal(bytes0, 0);

    /* class 0: four 16-byte blocks in address order, then failure (no fallback) */
    unsigned char *c0[4];
    for (int i = 0; i < 4; i++) {
        c0[i] = rtm_pools_alloc(p, (size_t)(i == 0 ? 1 : 16));
        assert_true(in_buf(c0[i]));
        assert_int_equal((uintptr_t)c0[i] % RTM_ALIGN, 0);
        if (i) assert_ptr_equal(c0[i], c0[i - 1] + 16);
        assert_int_equal(rtm_pools_usable_size(p, c0[i]), 16);
    }
    expect_class(p, 0, 4, 4, 0, 0, 0, 4);
    assert_null(rtm_pools_alloc(p, 10));
    expect_class(p, 0, 4, 4, 0, 0, 1, 5);
    /* class 1: two blocks, then the heap */
    unsigned char *c1[3];
    c1[0] = rtm_pools_alloc(p, 17);
    c1[1] = rtm_pools_alloc(p, 32);
    c1[2] = rtm_pools_alloc(p, 20);
    assert_true(in_buf(c1[0]) && in_buf(c1[1]));
    assert_ptr_equal(c1[1], c1[0] + 32);
    assert_true(c1[0] > c0[3]);
    assert_false(in_buf(c1[2]));
    assert_int_equal((uintptr_t)c1[2] % RTM_ALIGN, 0);
    assert_true(rtm_pools_usable_size(p, c1[2]) >= 20);
    expect_class(p, 1, 2, 2, 1, 1, 0, 3);
    /* class 2: one block, then failure (no fallback) */
    unsigned char *c2 = rtm_pools_alloc(p, 33);
    assert_true(in_buf(c2) && c2 > c1[1]);
    assert_null(rtm_pools_alloc(p, 64));
    expect_class(p, 2, 1, 1, 0, 0, 1, 2);
    /* above every class: the heap */
    unsigned char *big = rtm_pools_alloc(p, 1000);
    assert_non_null(big);
    assert_false(in_buf(big));
    rtm_pools_stats ps;
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.classes, NCLS);
    assert_int_equal(ps.oversize_allocs, 1);
    assert_int_equal(ps.oversize_live, 1);
    assert_int_equal(ps.oversize_peak_bytes, 1000);
    assert_int_equal(rtm_test_hook_total(), 1); /* only the TOO_SMALL init */

    /* free everything, in a mixed order; the owner comes from the address */
    rtm_pools_free(p, c1[2]);
    rtm_pools_free(p, big);
    rtm_pools_free(p, c2);
    for (int i = 3; i >= 0; i--) rtm_pools_free(p, c0[i]);
    rtm_pools_free(p, c1[0]);
    rtm_pools_free(p, c1[1]);
    expect_class(p, 0, 0, 4, 0, 0, 1, 5);
    expect_class(p, 1, 0, 2, 1, 0, 0, 3);
    expect_class(p, 2, 0, 1, 0, 0, 1, 2);
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.oversize_live, 0);
    assert_int_equal(ps.bad_frees, 0);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used, 0);

    /* advice: what would have served all of it without fallback */
    rtm_pools_class adv[NCLS];
    size_t bytes = 0;
    bytes = 1;
    assert_int_equal(rtm_pools_advise(p, adv, 2, &bytes), 0); /* too small */
    assert_int_equal(bytes, 0);
    assert_int_equal(rtm_pools_advise(p, adv, NCLS, &bytes), NCLS);
    assert_int_equal(adv[0].block_size, 16);
    assert_int_equal(adv[0].count, 5);
    assert_int_equal(adv[1].count, 3);
    assert_int_equal(adv[1].flags, RTM_POOLS_FALLBACK);
    assert_int_equal(adv[2].count, 2);
    assert_int_equal(bytes, rtm_pools_buf_size(adv, NCLS));
    rtm_pools_reset_peaks(p);
    expect_class(p, 0, 0, 4, 0, 0, 1, 0);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);

    /* replay with the advice: nothing falls back or fails */
    assert_int_equal(rtm_pools_init(&p, g_buf, bytes, adv, NCLS, NULL), RTM_OK);
    void *q[10];
    size_t k = 0;
    static const size_t sizes[] = {1, 16, 16, 16, 10, 17, 32, 20, 33, 64};
    for (size_t i = 0; i < 10; i++) {
        q[k] = rtm_pools_alloc(p, sizes[i]);
        assert_true(in_buf(q[k]));
        k++;
    }
    for (size_t i = 0; i < NCLS; i++) {
        rtm_pools_class_stats cs;
        rtm_pools_get_class_stats(p, i, &cs);
        assert_int_equal(cs.fallbacks + cs.failures, 0);
        assert_int_equal(cs.used, cs.count);
    }
    while (k) rtm_pools_free(p, q[--k]);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

static void test_init_rejects(void **state)
{
    (void)state;
    rtm_pools *p = (rtm_pools *)1;
    rtm_test_hook_install();
    const rtm_pools_class unsorted[] = {{32, 1, 0}, {16, 1, 0}};
    const rtm_pools_class same[] = {{13, 1, 0}, {16, 1, 0}}; /* both round to 16 */
    const rtm_pools_class zero_count[] = {{16, 0, 0}};
    const rtm_pools_class zero_size[] = {{0, 1, 0}};
    const rtm_pools_class bad_flag[] = {{16, 1, 4}};
    const rtm_pools_class huge[] = {{SIZE_MAX / 2, 3, 0}};
    const rtm_pools_class huge2[] = {{SIZE_MAX, 1, 0}};
    rtm_pools_class many[RTM_POOLS_MAX_CLASSES + 1];
    rtm_pools_stats ps;
    for (size_t i = 0; i < RTM_POOLS_MAX_CLASSES + 1; i++) many[i] = (rtm_pools_class){16 * (i + 1), 1, 0};
    assert_int_equal(rtm_pools_init(NULL, g_buf, sizeof g_buf, k_classes, NCLS, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_init(&p, NULL, sizeof g_buf, k_classes, NCLS, NULL), RTM_ERR_ARG);
    assert_null(p);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, NULL, 1, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, k_classes, 0, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, unsorted, 2, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, same, 2, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, zero_count, 1, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, zero_size, 1, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, bad_flag, 1, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, huge, 1, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, huge2, 1, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, many, RTM_POOLS_MAX_CLASSES + 1, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_pools_buf_size(many, RTM_POOLS_MAX_CLASSES + 1), 0);
    assert_int_equal(rtm_pools_init(&p, g_buf + 1, 64, k_classes, NCLS, NULL), RTM_ERR_TOO_SMALL);
    /* a size that runs past the end of the address space is a wrong size, not a large buffer (as
     * for the heap and the ring): accepted, a buffer near the top whose classes wrap would have
     * failed the slab inits inside (an assertion, and nothing in a release build) */
    assert_int_equal(rtm_pools_init(&p, g_buf, SIZE_MAX, k_classes, NCLS, NULL), RTM_ERR_SIZE);
    assert_null(p);
    assert_int_equal(rtm_test_hook_total(), 14);
    /* exactly RTM_POOLS_MAX_CLASSES classes are accepted (test_pools_classes3: 3), in a buffer of
     * their exact size (at 255 classes of up to 4 KiB it is larger than g_buf) */
    size_t need_max = rtm_pools_buf_size(many, RTM_POOLS_MAX_CLASSES);
    assert_true(need_max > 0);
    void *buf_max = malloc(need_max);
    assert_non_null(buf_max);
    assert_int_equal(rtm_pools_init(&p, buf_max, need_max, many, RTM_POOLS_MAX_CLASSES, NULL), RTM_OK);
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.classes, RTM_POOLS_MAX_CLASSES);
    void *last = rtm_pools_alloc(p, 16 * RTM_POOLS_MAX_CLASSES); /* the last class's one block */
    assert_non_null(last);
    assert_null(rtm_pools_alloc(p, 16 * RTM_POOLS_MAX_CLASSES)); /* full, no fallback */
    rtm_pools_free(p, last);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
    free(buf_max);
    assert_int_equal(rtm_test_hook_total(), 14);
    assert_int_equal(rtm_pools_buf_size(unsorted, 2), 0);
    assert_int_equal(rtm_pools_buf_size(huge, 1), 0);
    /* NULL handles */
    assert_null(rtm_pools_alloc(NULL, 8));
    rtm_pools_free(NULL, g_buf);
    rtm_pools_free(NULL, NULL);
    assert_int_equal(rtm_pools_get_class_stats(NULL, 0, NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_check(NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_destroy(NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_advise(NULL, many, 4, NULL), 0);
    assert_int_equal(rtm_pools_usable_size(NULL, g_buf), 0);
    rtm_pools_get_stats(NULL, &ps);
    assert_int_equal(ps.classes, 0);
    rtm_pools_reset_peaks(NULL);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 6 + 2);
}

/* Sizes at the edges the header promises: block sizes are rounded up to RTM_ALIGN (1 and
 * RTM_ALIGN + 1 are the smallest sizes of their strides); rtm_pools_buf_size is exact for a class
 * whose count ends at a bitmap word's edge and one past it; a misaligned buffer needs exactly
 * RTM_ALIGN - 1 bytes more; size arithmetic that overflows only once the bitmap or the second class is
 * added is refused with RTM_ERR_SIZE. */
static void test_sizing_edges(void **state)
{
    (void)state;
    rtm_pools *p;
    rtm_pools_class_stats cs;
    rtm_test_hook_install();
    /* rounding: 1 -> RTM_ALIGN, RTM_ALIGN + 1 -> 2 * RTM_ALIGN, the same buffer as the rounded classes */
    const rtm_pools_class small[] = {{1, 3, 0}, {RTM_ALIGN + 1, 2, 0}};
    const rtm_pools_class rounded[] = {{RTM_ALIGN, 3, 0}, {2 * RTM_ALIGN, 2, 0}};
    size_t need = rtm_pools_buf_size(small, 2);
    assert_true(need > 0);
    assert_int_equal(need, rtm_pools_buf_size(rounded, 2));
    assert_int_equal(rtm_pools_init(&p, g_buf, need, small, 2, NULL), RTM_OK);
    assert_int_equal(rtm_pools_get_class_stats(p, 0, &cs), RTM_OK);
    assert_int_equal(cs.block_size, RTM_ALIGN);
    assert_int_equal(cs.count, 3);
    assert_int_equal(rtm_pools_get_class_stats(p, 1, &cs), RTM_OK);
    assert_int_equal(cs.block_size, 2 * RTM_ALIGN);
    assert_int_equal(cs.count, 2);
    unsigned char *a = rtm_pools_alloc(p, RTM_ALIGN), *b = rtm_pools_alloc(p, RTM_ALIGN + 1);
    assert_true(in_buf(a) && in_buf(b));
    assert_true(b >= a + 3 * RTM_ALIGN); /* class 1: after class 0's three blocks */
    assert_int_equal(rtm_pools_usable_size(p, a), RTM_ALIGN);
    assert_int_equal(rtm_pools_usable_size(p, b), 2 * RTM_ALIGN);
    rtm_pools_free(p, a);
    rtm_pools_free(p, b);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);

    /* a count at a bitmap word's edge and one past it: the exact figure of RTM_POOLS_CLASS_BYTES */
    const rtm_pools_class w1[] = {{RTM_ALIGN, 1, 0}}, ww[] = {{RTM_ALIGN, RTM_SLAB_WORD_BLOCKS, 0}},
                          ww1[] = {{RTM_ALIGN, RTM_SLAB_WORD_BLOCKS + 1, 0}};
    size_t base = rtm_pools_buf_size(w1, 1);
    assert_true(base > 0);
    assert_int_equal(rtm_pools_buf_size(ww, 1) - base,
                     RTM_POOLS_CLASS_BYTES(RTM_ALIGN, RTM_SLAB_WORD_BLOCKS) - RTM_POOLS_CLASS_BYTES(RTM_ALIGN, 1));
    assert_int_equal(rtm_pools_buf_size(ww1, 1) - base,
                     RTM_POOLS_CLASS_BYTES(RTM_ALIGN, RTM_SLAB_WORD_BLOCKS + 1) - RTM_POOLS_CLASS_BYTES(RTM_ALIGN, 1));
    need = rtm_pools_buf_size(ww1, 1);
    assert_int_equal(rtm_pools_init(&p, g_buf, need, ww1, 1, NULL), RTM_OK);
    void *blk[RTM_SLAB_WORD_BLOCKS + 1];
    for (size_t i = 0; i < RTM_SLAB_WORD_BLOCKS + 1; i++) assert_true(in_buf(blk[i] = rtm_pools_alloc(p, 1)));
    assert_null(rtm_pools_alloc(p, 1));
    expect_class(p, 0, RTM_SLAB_WORD_BLOCKS + 1, RTM_SLAB_WORD_BLOCKS + 1, 0, 0, 1, RTM_SLAB_WORD_BLOCKS + 2);
    for (size_t i = 0; i < RTM_SLAB_WORD_BLOCKS + 1; i++) rtm_pools_free(p, blk[i]);
    expect_class(p, 0, 0, RTM_SLAB_WORD_BLOCKS + 1, 0, 0, 1, RTM_SLAB_WORD_BLOCKS + 2);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);

    /* a buffer one byte off alignment: RTM_ALIGN - 1 bytes of padding, not one more or less */
    need = rtm_pools_buf_size(k_classes, NCLS);
    assert_int_equal(rtm_pools_init(&p, g_buf + 1, need + RTM_ALIGN - 2, k_classes, NCLS, NULL), RTM_ERR_TOO_SMALL);
    assert_null(p);
    assert_int_equal(rtm_pools_init(&p, g_buf + 1, RTM_ALIGN - 2, k_classes, NCLS, NULL), RTM_ERR_TOO_SMALL);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_TOO_SMALL), 2);
    assert_int_equal(rtm_pools_init(&p, g_buf + 1, need + RTM_ALIGN - 1, k_classes, NCLS, NULL), RTM_OK);
    assert_ptr_equal(p, g_buf + RTM_ALIGN);
    void *last = rtm_pools_alloc(p, 64); /* the last block lies at the end of the exact buffer */
    assert_true(in_buf(last));
    rtm_pools_free(p, last);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);

    /* the blocks fit in size_t but not with their bitmap (or, with no bitmap, not with the rounding) */
    const rtm_pools_class map_over[] = {{RTM_ALIGN, SIZE_MAX / RTM_ALIGN, 0}};
    assert_int_equal(rtm_pools_buf_size(map_over, 1), 0);
    assert_int_equal(rtm_pools_init(&p, g_buf, SIZE_MAX, map_over, 1, NULL), RTM_ERR_SIZE);
    /* each class fits in size_t, the two together do not */
    const size_t quarter = SIZE_MAX / 4u + 1u;
    const rtm_pools_class sum_over[] = {{quarter, 3, 0}, {quarter + RTM_ALIGN, 1, 0}};
    assert_true(rtm_pools_buf_size(sum_over, 1) > 3 * (quarter - 1u));
    assert_int_equal(rtm_pools_buf_size(sum_over, 2), 0);
    assert_int_equal(rtm_pools_init(&p, g_buf, SIZE_MAX, sum_over, 2, NULL), RTM_ERR_SIZE);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_SIZE), 2);
    assert_int_equal(rtm_test_hook_total(), 4);
}

/* Every field of a class's statistics. */
static void expect_class_all(rtm_pools *p, size_t i, size_t block_size, size_t count, size_t used, size_t peak_used,
                             size_t allocs, size_t fallbacks, size_t fb_live, size_t failures, size_t demand_peak)
{
    rtm_pools_class_stats cs;
    memset(&cs, 0xA5, sizeof cs); /* every field written */
    assert_int_equal(rtm_pools_get_class_stats(p, i, &cs), RTM_OK);
    assert_int_equal(cs.block_size, block_size);
    assert_int_equal(cs.count, count);
    assert_int_equal(cs.peak_used, peak_used);
    expect_class(p, i, used, allocs, fallbacks, fb_live, failures, demand_peak);
}

/* Every field of the whole-pool statistics. */
static void expect_pools(rtm_pools *p, size_t over_allocs, size_t over_failures, size_t over_live, size_t over_peak,
                         size_t bad_frees, size_t bad_requests)
{
    rtm_pools_stats ps;
    memset(&ps, 0xA5, sizeof ps);
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.classes, NCLS);
    assert_int_equal(ps.oversize_allocs, over_allocs);
    assert_int_equal(ps.oversize_failures, over_failures);
    assert_int_equal(ps.oversize_live, over_live);
    assert_int_equal(ps.oversize_peak_bytes, over_peak);
    assert_int_equal(ps.bad_frees, bad_frees);
    assert_int_equal(ps.bad_requests, bad_requests);
}

/* Every statistic, exact, after a known sequence: a fallback that fails because the heap is full,
 * peaks reset with blocks live, oversize requests served and failed (the peak of their size counts
 * both), the largest request size that is not refused and the smallest that is, a free of the first
 * byte past a class's blocks, and the advice with a class that never saw a request. */
static void test_exact_stats(void **state)
{
    (void)state;
    rtm_heap *h;
    rtm_pools *p = pools_on_fresh_heap(4096, &h);
    expect_class_all(p, 0, 16, 4, 0, 0, 0, 0, 0, 0, 0);
    expect_class_all(p, 1, 32, 2, 0, 0, 0, 0, 0, 0, 0);
    expect_class_all(p, 2, 64, 1, 0, 0, 0, 0, 0, 0, 0);
    expect_pools(p, 0, 0, 0, 0, 0, 0);

    /* class 1: its two blocks, two fallbacks; then the heap is full: a failure, demand_peak 4 + 1 */
    unsigned char *c1[2], *fb[3];
    for (int i = 0; i < 2; i++) assert_true(in_buf(c1[i] = rtm_pools_alloc(p, 32)));
    for (int i = 0; i < 2; i++) assert_false(in_buf(fb[i] = rtm_pools_alloc(p, 17 + (size_t)i)));
    assert_non_null(fb[0]);
    assert_int_equal(rtm_pools_usable_size(p, fb[0]), rtm_heap_usable_size(h, fb[0] - RTM_ALIGN) - RTM_ALIGN);
    expect_class_all(p, 1, 32, 2, 2, 2, 2, 2, 2, 0, 4);
    void *fill[512];
    size_t nfill = 0;
    for (size_t sz = 256; sz >= 8; sz /= 2)
        while (nfill < 512 && (fill[nfill] = rtm_heap_alloc(h, sz)) != NULL) nfill++;
    assert_true(nfill < 512);
    assert_null(rtm_pools_alloc(p, 32));
    expect_class_all(p, 1, 32, 2, 2, 2, 2, 2, 2, 1, 5);
    assert_null(rtm_pools_alloc(p, 1000)); /* oversize, the heap full: a failure, the peak size counted */
    expect_pools(p, 0, 1, 0, 1000, 0, 0);
    while (nfill) rtm_heap_free(h, fill[--nfill]);
    /* a fallback freed and taken again: its peak stays */
    rtm_pools_free(p, fb[0]);
    expect_class_all(p, 1, 32, 2, 2, 2, 2, 2, 1, 1, 5);
    assert_non_null(fb[2] = rtm_pools_alloc(p, 20));
    expect_class_all(p, 1, 32, 2, 2, 2, 2, 3, 2, 1, 5);
    /* peaks reset to the use now (slab 2, slab + fallback 4); a free then leaves them there */
    rtm_pools_reset_peaks(p);
    expect_class_all(p, 1, 32, 2, 2, 2, 2, 3, 2, 1, 4);
    rtm_pools_free(p, c1[0]);
    expect_class_all(p, 1, 32, 2, 1, 2, 2, 3, 2, 1, 4);

    /* class 0: four blocks, a failure (no fallback), two freed */
    unsigned char *c0[4];
    for (int i = 0; i < 4; i++) assert_true(in_buf(c0[i] = rtm_pools_alloc(p, 1 + 5 * (size_t)i)));
    assert_null(rtm_pools_alloc(p, 16));
    rtm_pools_free(p, c0[3]);
    rtm_pools_free(p, c0[1]);
    expect_class_all(p, 0, 16, 4, 2, 4, 4, 0, 0, 1, 5);

    /* oversize: the peak size is the largest request, served or not */
    unsigned char *o1 = rtm_pools_alloc(p, 500), *o2 = rtm_pools_alloc(p, 1500);
    assert_true(o1 != NULL && o2 != NULL && !in_buf(o1) && !in_buf(o2));
    expect_pools(p, 2, 1, 2, 1500, 0, 0);
    rtm_pools_free(p, o1);
    expect_pools(p, 2, 1, 1, 1500, 0, 0);
    /* request sizes: 0 and above SIZE_MAX - 2 * RTM_ALIGN are refused (reported); that one is not
     * (an oversize request the heap cannot serve) */
    assert_null(rtm_pools_alloc(p, 0));
    assert_null(rtm_pools_alloc(p, SIZE_MAX - 2u * RTM_ALIGN + 1u));
    expect_pools(p, 2, 1, 1, 1500, 0, 2);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_SIZE), 2);
    assert_null(rtm_pools_alloc(p, SIZE_MAX - 2u * RTM_ALIGN));
    expect_pools(p, 2, 2, 1, SIZE_MAX - 2u * RTM_ALIGN, 0, 2);
    assert_int_equal(rtm_test_hook_total(), 2);
    /* the first byte past class 0's blocks: refused by the pools (not by the slab), counted once */
    rtm_pools_free(p, c0[0] + 4 * 16);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
    assert_ptr_equal(rtm_test_hook_last_obj, p);
    expect_pools(p, 2, 2, 1, SIZE_MAX - 2u * RTM_ALIGN, 1, 2);

    /* advice: class 0 peaked at 5, class 1 at 4 since the reset, class 2 never asked */
    rtm_pools_class adv[NCLS];
    size_t bytes = 0;
    assert_int_equal(rtm_pools_advise(p, adv, NCLS - 1, &bytes), 0);
    assert_int_equal(rtm_pools_advise(p, adv, NCLS, &bytes), NCLS);
    for (size_t i = 0; i < NCLS; i++) {
        assert_int_equal(adv[i].block_size, k_classes[i].block_size);
        assert_int_equal(adv[i].flags, k_classes[i].flags);
    }
    assert_int_equal(adv[0].count, 5);
    assert_int_equal(adv[1].count, 4);
    assert_int_equal(adv[2].count, 0);
    assert_int_equal(bytes, rtm_pools_buf_size(adv, 2));
    const rtm_pools_class adv_more[] = {{16, 6, 0}, {32, 4, RTM_POOLS_FALLBACK}};
    assert_true(bytes < rtm_pools_buf_size(adv_more, 2));
    /* peaks reset again, class 0 with two blocks live after a peak of four: the reset touches the
     * counters, not the blocks; and there is no class past the last */
    memset(c0[0], 0xC3, 16);
    memset(c0[2], 0x3C, 16);
    rtm_pools_reset_peaks(p);
    expect_class_all(p, 0, 16, 4, 2, 2, 4, 0, 0, 1, 2);
    expect_class_all(p, 1, 32, 2, 1, 1, 2, 3, 2, 1, 3);
    expect_class_all(p, 2, 64, 1, 0, 0, 0, 0, 0, 0, 0);
    for (int i = 0; i < 16; i++) assert_true(c0[0][i] == 0xC3 && c0[2][i] == 0x3C);
    rtm_pools_class_stats cs;
    assert_int_equal(rtm_pools_get_class_stats(p, NCLS, &cs), RTM_ERR_ARG);
    assert_int_equal(rtm_pools_get_class_stats(p, 0, NULL), RTM_ERR_ARG);

    rtm_pools_free(p, c0[0]);
    rtm_pools_free(p, c0[2]);
    rtm_pools_free(p, c1[1]);
    rtm_pools_free(p, fb[1]);
    rtm_pools_free(p, fb[2]);
    rtm_pools_free(p, o2);
    expect_class_all(p, 0, 16, 4, 0, 2, 4, 0, 0, 1, 2);
    expect_class_all(p, 1, 32, 2, 0, 1, 2, 3, 0, 1, 3);
    expect_class_all(p, 2, 64, 1, 0, 0, 0, 0, 0, 0, 0);
    expect_pools(p, 2, 2, 0, SIZE_MAX - 2u * RTM_ALIGN, 1, 2);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used, 0);
    assert_int_equal(rtm_test_hook_total(), 3);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
    /* destroyed: the handle is refused, and the whole buffer is the caller's again (sanitizer and
     * Valgrind builds: no class's blocks left poisoned) */
    assert_int_equal(rtm_pools_destroy(p), RTM_ERR_ARG);
    assert_null(rtm_pools_alloc(p, 16));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 1);
    assert_int_equal(rtm_pools_check(p), RTM_ERR_CORRUPT);
    assert_int_equal(rtm_test_hook_total(), 5);
    memset(g_buf, 0x5A, sizeof g_buf);
}

static void test_bad_frees(void **state)
{
    (void)state;
    rtm_heap *h;
    rtm_pools *p = pools_on_fresh_heap(sizeof g_heap_mem, &h);
    unsigned char *a = rtm_pools_alloc(p, 16), *b = rtm_pools_alloc(p, 32), *c = rtm_pools_alloc(p, 32);
    unsigned char *fb = rtm_pools_alloc(p, 32), *big = rtm_pools_alloc(p, 500);
    unsigned char *direct = rtm_heap_alloc(h, 64); /* a heap block the pools did not hand out */
    assert_true(a && b && c && fb && big && direct);
    assert_false(in_buf(fb));
    static unsigned char foreign[64];
    rtm_heap_stats hs0, hs1;
    rtm_heap_get_stats(h, &hs0);
    void *const wrong[] = {a + 8, b + 1, c + 31, fb + 8, big + RTM_ALIGN, direct, foreign,
                           a + 16 * 4 /* class 0's bitmap */, (void *)(uintptr_t)RTM_ALIGN,
                           (void *)(uintptr_t)(2 * RTM_ALIGN) /* its tag would be at RTM_ALIGN: not read */};
    size_t n = sizeof wrong / sizeof wrong[0];
    for (size_t i = 0; i < n; i++) {
        rtm_pools_free(p, wrong[i]);
        assert_int_equal(rtm_test_hook_total(), i + 1);
    }
    rtm_pools_stats ps;
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.bad_frees, n);
    rtm_heap_get_stats(h, &hs1);
    assert_int_equal(hs1.used, hs0.used);
    assert_int_equal(hs1.bad_frees, hs0.bad_frees);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* double frees: a slab block, a fallback block, an oversize block */
    rtm_pools_free(p, a);
    rtm_pools_free(p, a);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    rtm_pools_free(p, fb);
    rtm_pools_free(p, fb);
    rtm_pools_free(p, big);
    rtm_pools_free(p, big);
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.bad_frees, n + 3);
    assert_int_equal(ps.oversize_live, 0);
    /* zero and absurd sizes */
    assert_null(rtm_pools_alloc(p, 0));
    assert_null(rtm_pools_alloc(p, SIZE_MAX));
    assert_null(rtm_pools_alloc(p, SIZE_MAX - RTM_ALIGN));
    rtm_pools_get_stats(p, &ps);
    assert_int_equal(ps.bad_requests, 3);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_SIZE), 3);
    rtm_pools_free(p, b);
    rtm_pools_free(p, c);
    rtm_heap_free(h, direct);
    expect_class(p, 0, 0, 1, 0, 0, 0, 1);
    expect_class(p, 1, 0, 2, 1, 0, 0, 3);
    rtm_heap_get_stats(h, &hs1);
    assert_int_equal(hs1.used, 0);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

/* usable_size: a class's stride for a live block start, 0 for an interior pointer, a freed block,
 * a class's bitmap, a foreign pointer; a fallback block's size until it is freed. */
static void test_usable_size(void **state)
{
    (void)state;
    rtm_heap *h;
    rtm_pools *p = pools_on_fresh_heap(sizeof g_heap_mem, &h);
    unsigned char *a = rtm_pools_alloc(p, 16), *b = rtm_pools_alloc(p, 16);
    unsigned char *c = rtm_pools_alloc(p, 32), *c2 = rtm_pools_alloc(p, 32), *fb = rtm_pools_alloc(p, 32);
    unsigned char *d = rtm_pools_alloc(p, 64), *big = rtm_pools_alloc(p, 500);
    assert_true(in_buf(a) && in_buf(b) && in_buf(c) && in_buf(c2) && in_buf(d));
    assert_true(fb != NULL && !in_buf(fb) && big != NULL && !in_buf(big));
    assert_int_equal(rtm_pools_usable_size(p, a), 16);
    assert_int_equal(rtm_pools_usable_size(p, b), 16);
    assert_int_equal(rtm_pools_usable_size(p, c), 32);
    assert_int_equal(rtm_pools_usable_size(p, c2), 32);
    assert_int_equal(rtm_pools_usable_size(p, d), 64);
    assert_true(rtm_pools_usable_size(p, fb) >= 32);
    assert_true(rtm_pools_usable_size(p, big) >= 500);
    /* not a block start, or not a block */
    assert_int_equal(rtm_pools_usable_size(p, a + 8), 0);
    assert_int_equal(rtm_pools_usable_size(p, c + 16), 0);
    assert_int_equal(rtm_pools_usable_size(p, d + 32), 0);
    assert_int_equal(rtm_pools_usable_size(p, a + 16 * 4), 0); /* class 0's bitmap */
    assert_int_equal(rtm_pools_usable_size(p, a + 16 * 2), 0); /* never handed out */
    assert_int_equal(rtm_pools_usable_size(p, NULL), 0);
    /* class 0's bitmap again, with every block of class 0 live and zero: what they hold cannot pass
     * for a class */
    unsigned char *a2 = rtm_pools_alloc(p, 16), *a3 = rtm_pools_alloc(p, 16);
    assert_true(a2 == a + 32 && a3 == a + 48);
    memset(a, 0, 64);
    assert_int_equal(rtm_pools_usable_size(p, a + 16 * 4), 0);
    rtm_pools_free(p, a2);
    rtm_pools_free(p, a3);
    /* freed blocks are not live */
    rtm_pools_free(p, b);
    rtm_pools_free(p, c2);
    rtm_pools_free(p, fb);
    rtm_pools_free(p, big);
#if RTM_SLAB_DOUBLE_FREE_CHECK
    assert_int_equal(rtm_pools_usable_size(p, b), 0);
    assert_int_equal(rtm_pools_usable_size(p, c2), 0);
#endif
    assert_int_equal(rtm_pools_usable_size(p, a), 16);
    assert_int_equal(rtm_pools_usable_size(p, c), 32);
    assert_int_equal(rtm_pools_usable_size(p, fb), 0);
    assert_int_equal(rtm_pools_usable_size(p, big), 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_pools_free(p, a);
    rtm_pools_free(p, c);
    rtm_pools_free(p, d);
    expect_class(p, 0, 0, 4, 0, 0, 0, 4);
    expect_class(p, 1, 0, 2, 1, 0, 0, 3);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

static void test_corruption(void **state)
{
    (void)state;
    rtm_pools *p;
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, k_classes, NCLS, NULL), RTM_OK);
    rtm_test_hook_install();
    unsigned char *a = rtm_pools_alloc(p, 16);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* one byte past the last block of class 0 lands in its bitmap */
    unsigned char *map = a + 16 * 4;
    map[0] ^= 0x02;
    assert_int_equal(rtm_pools_check(p), RTM_ERR_CORRUPT);
    map[0] ^= 0x02;
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* the control block in front of the slabs: its magic word comes first */
    unsigned char *ctl = (unsigned char *)p;
    ctl[0] ^= 0x10;
    assert_int_equal(rtm_pools_check(p), RTM_ERR_CORRUPT);
    assert_null(rtm_pools_alloc(p, 8)); /* refused, not trusted */
    ctl[0] ^= 0x10;
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    assert_true(rtm_test_hook_count(RTM_ERR_CORRUPT) >= 2);
    rtm_pools_free(p, a);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

/* ---- single fields of the control block, damaged on purpose -------------------------------------- */
/* The control block's layout is private to pools.c. These tests find a field by a value only it
 * holds within a region (found_word asserts that exactly one word there has it), and a class's
 * record by its rtm_slab (the public type), found by its blocks, stride and count. */
static size_t get_word(const unsigned char *w)
{
    size_t v;
    memcpy(&v, w, sizeof v);
    return v;
}
static void put_word(unsigned char *w, size_t v) { memcpy(w, &v, sizeof v); }
static void add_word(unsigned char *w, size_t d) { put_word(w, get_word(w) + d); }
/* A class's blocks moved by d (modulo 2^N), its slab and its range alike: a consistent record. */
static void move_blocks(unsigned char *slab_blocks, unsigned char *range_lo, unsigned char *range_hi, size_t d)
{
    add_word(slab_blocks, d);
    add_word(range_lo, d);
    add_word(range_hi, d);
}

static unsigned char *found_word(unsigned char *from, unsigned char *to, size_t value)
{
    unsigned char *hit = NULL;
    for (unsigned char *w = from; w + sizeof(size_t) <= to; w += sizeof(size_t))
        if (get_word(w) == value) {
            if (hit != NULL) fail_msg("value %zu at two places of the control block", value);
            hit = w;
        }
    if (hit == NULL) fail_msg("value %zu not found in the control block", value);
    return hit;
}

static unsigned char *found_slab(rtm_pools *p, const void *blocks, size_t stride, size_t count)
{
    for (unsigned char *w = (unsigned char *)p; w < (const unsigned char *)blocks; w += sizeof(void *)) {
        void *b;
        memcpy(&b, w + offsetof(rtm_slab, blocks), sizeof b);
        if (b == blocks && get_word(w + offsetof(rtm_slab, stride)) == stride &&
            get_word(w + offsetof(rtm_slab, count)) == count)
            return w;
    }
    fail_msg("no slab of %zu x %zu at %p", count, stride, blocks);
    return NULL;
}

/* rtm_pools_check finds the damage and reports it once, for the object @p where_lo .. where_hi
 * (a class's record, or the control block: both ends @p p); undoing it makes the pools whole again. */
static void expect_corrupt(rtm_pools *p, const void *where_lo, const void *where_hi)
{
    unsigned before = rtm_test_hook_count(RTM_ERR_CORRUPT), total = rtm_test_hook_total();
    assert_int_equal(rtm_pools_check(p), RTM_ERR_CORRUPT);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), before + 1);
    assert_int_equal(rtm_test_hook_total(), total + 1);
    assert_true((const unsigned char *)rtm_test_hook_last_ptr >= (const unsigned char *)where_lo &&
                (const unsigned char *)rtm_test_hook_last_ptr <= (const unsigned char *)where_hi);
}

/* Each test of rtm_pools_check alone: one field (or a consistent set of them) of a class's record or
 * of the control block made wrong in a way only that test sees. */
static void test_check_fields(void **state)
{
    (void)state;
    rtm_heap *h;
    rtm_pools *p = pools_on_fresh_heap(sizeof g_heap_mem, &h);
    /* class 0: one block; class 1: its two blocks, four fallbacks, one of them freed (allocs 2,
     * fallbacks 4, fallback_live 3, demand 5, demand_peak 6); class 2: its block; nine oversize
     * blocks, two of them freed */
    unsigned char *a = rtm_pools_alloc(p, 16), *c2 = rtm_pools_alloc(p, 64), *c1[6], *big[9];
    for (int i = 0; i < 6; i++) assert_non_null(c1[i] = rtm_pools_alloc(p, 32));
    rtm_pools_free(p, c1[5]);
    for (int i = 0; i < 9; i++) assert_non_null(big[i] = rtm_pools_alloc(p, 100 + 50 * (size_t)i));
    rtm_pools_free(p, big[8]);
    rtm_pools_free(p, big[7]);
    assert_true(in_buf(a) && in_buf(c2) && in_buf(c1[0]) && in_buf(c1[1]) && !in_buf(c1[2]));
    expect_class(p, 1, 2, 2, 4, 3, 0, 6);
    unsigned char *s0 = found_slab(p, a, 16, 4), *s1 = found_slab(p, c1[0], 32, 2), *s2 = found_slab(p, c2, 64, 1);
    assert_true(s0 < s1 && s1 < s2);
    unsigned char *rec = s1 + sizeof(rtm_slab); /* class 1's own fields: between its slab and the next */
    unsigned char *lo1 = found_word(rec, s2, (size_t)(uintptr_t)c1[0]);
    unsigned char *hi1 = found_word(rec, s2, (size_t)(uintptr_t)(c1[0] + 64));
    unsigned char *demand = found_word(rec, s2, 5), *peak = found_word(rec, s2, 6);
    unsigned char *fb_live = found_word(rec, s2, 3);
    const uintptr_t hi0 = (uintptr_t)a + 4 * 16;
    assert_int_equal(rtm_pools_check(p), RTM_OK);

    /* demand != used + fallback_live */
    add_word(demand, 1);
    expect_corrupt(p, s0 + 1, s1);
    add_word(demand, (size_t)0 - 1u);
    /* demand_peak below demand */
    put_word(peak, 4);
    expect_corrupt(p, s0 + 1, s1);
    put_word(peak, 6);
    /* more fallback blocks live than ever served (demand and its peak kept consistent) */
    put_word(fb_live, 5);
    put_word(demand, 7);
    put_word(peak, 7);
    expect_corrupt(p, s0 + 1, s1);
    put_word(fb_live, 3);
    put_word(demand, 5);
    put_word(peak, 6);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* the end of the range is not the end of the blocks */
    add_word(hi1, RTM_ALIGN);
    expect_corrupt(p, s0 + 1, s1);
    /* the range moved off the slab's blocks (its end with it) */
    add_word(lo1, RTM_ALIGN);
    expect_corrupt(p, s0 + 1, s1);
    add_word(lo1, (size_t)0 - RTM_ALIGN);
    add_word(hi1, (size_t)0 - RTM_ALIGN);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* the blocks (range and slab alike) moved: into class 0's range, then off alignment. Class 1's
     * slab is full (no free list to follow), so the slab's own check does not look at them. */
    const size_t back = (size_t)((uintptr_t)c1[0] - hi0) + RTM_ALIGN;
    unsigned char *blocks1 = s1 + offsetof(rtm_slab, blocks);
    move_blocks(blocks1, lo1, hi1, (size_t)0 - back);
    assert_int_equal(rtm_slab_check((rtm_slab *)s1), RTM_OK);
    expect_corrupt(p, s0 + 1, s1);
    move_blocks(blocks1, lo1, hi1, back + 1);
    assert_int_equal(rtm_slab_check((rtm_slab *)s1), RTM_OK);
    expect_corrupt(p, s0 + 1, s1);
    move_blocks(blocks1, lo1, hi1, (size_t)0 - 1u);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* class 1's stride made class 0's (a consistent slab: shift and inverse of 16, the range's end
     * moved with it): strides no longer increase */
    unsigned char *stride1 = s1 + offsetof(rtm_slab, stride);
    unsigned shift, shift0;
    memcpy(&shift0, s1 + offsetof(rtm_slab, shift), sizeof shift0);
    put_word(stride1, 16);
    shift = shift0 - 1u;
    memcpy(s1 + offsetof(rtm_slab, shift), &shift, sizeof shift);
    add_word(hi1, (size_t)0 - 32u);
    assert_int_equal(rtm_slab_check((rtm_slab *)s1), RTM_OK);
    expect_corrupt(p, s0 + 1, s1);
    put_word(stride1, 32);
    memcpy(s1 + offsetof(rtm_slab, shift), &shift0, sizeof shift0);
    add_word(hi1, 32);
    assert_int_equal(rtm_pools_check(p), RTM_OK);

    /* the control block, in front of class 0's record */
    unsigned char *ctl = (unsigned char *)p;
    unsigned char *lo = found_word(ctl, s0, (size_t)(uintptr_t)a);
    unsigned char *hi = found_word(ctl, s0, (size_t)(uintptr_t)(c2 + 64));
    unsigned char *heap = found_word(ctl, s0, (size_t)(uintptr_t)h);
    unsigned char *over_allocs = found_word(ctl, s0, 9), *over_live = found_word(ctl, s0, 7);
    unsigned char *n = found_word(ctl, s0, NCLS);
    add_word(lo, RTM_ALIGN);
    expect_corrupt(p, p, p);
    add_word(lo, (size_t)0 - RTM_ALIGN);
    add_word(hi, (size_t)0 - RTM_ALIGN);
    expect_corrupt(p, p, p);
    add_word(hi, RTM_ALIGN);
    put_word(over_live, 10); /* more oversize blocks live than served */
    expect_corrupt(p, p, p);
    put_word(over_live, 9); /* all of them: still possible */
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    put_word(over_live, 7);
    put_word(over_allocs, 6); /* fewer served than live */
    expect_corrupt(p, p, p);
    put_word(over_allocs, 9);
    put_word(heap, 0); /* oversize blocks served with no heap */
    expect_corrupt(p, p, p);
    put_word(heap, (size_t)(uintptr_t)h);
    put_word(n, 0);
    expect_corrupt(p, p, p);
    put_word(n, RTM_POOLS_MAX_CLASSES + 1u);
    expect_corrupt(p, p, p);
    put_word(n, NCLS);
    assert_int_equal(rtm_pools_check(p), RTM_OK);

    rtm_pools_free(p, a);
    rtm_pools_free(p, c2);
    for (int i = 0; i < 5; i++) rtm_pools_free(p, c1[i]);
    for (int i = 0; i < 7; i++) rtm_pools_free(p, big[i]);
    expect_class(p, 1, 0, 2, 4, 0, 0, 6);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 15);
    assert_int_equal(rtm_test_hook_total(), 15);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used, 0);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

/* rtm_pools_destroy leaves fallback blocks live in the heap. A pools initialised again at the same
 * address over the same heap did not hand them out: freeing one through it is a bad free (reported,
 * counted, nothing else changes). The tag held only the pools' address, so the new pools took
 * them for its own and its fallback_live / oversize_live wrapped round (rtm_pools_check: corrupt). */
static void test_stale_fallback_after_reinit(void **state)
{
    (void)state;
    rtm_heap *h;
    rtm_pools *p = pools_on_fresh_heap(sizeof g_heap_mem, &h);
    unsigned char *c1[2], *fb, *big;
    for (int i = 0; i < 2; i++) assert_true(in_buf(c1[i] = rtm_pools_alloc(p, 32)));
    fb = rtm_pools_alloc(p, 32); /* class 1's fallback */
    big = rtm_pools_alloc(p, 500); /* oversize */
    assert_true(fb != NULL && !in_buf(fb) && big != NULL && !in_buf(big));
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
    rtm_pools *p2 = NULL;
    assert_int_equal(rtm_pools_init(&p2, g_buf, sizeof g_buf, k_classes, NCLS, h), RTM_OK);
    assert_ptr_equal(p2, p);
    rtm_heap_stats hs0, hs1;
    rtm_heap_get_stats(h, &hs0);
    rtm_pools_free(p2, fb);
    rtm_pools_free(p2, big);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 2);
    assert_int_equal(rtm_test_hook_total(), 2);
    expect_pools(p2, 0, 0, 0, 0, 2, 0);
    expect_class(p2, 1, 0, 0, 0, 0, 0, 0);
    rtm_heap_get_stats(h, &hs1);
    assert_int_equal(hs1.used, hs0.used);
    assert_int_equal(rtm_pools_check(p2), RTM_OK);
    /* its own fallback blocks are still accepted */
    unsigned char *mine[3];
    for (int i = 0; i < 3; i++) assert_non_null(mine[i] = rtm_pools_alloc(p2, 32));
    unsigned char *big2 = rtm_pools_alloc(p2, 500);
    assert_true(!in_buf(mine[2]) && big2 != NULL);
    for (int i = 0; i < 3; i++) rtm_pools_free(p2, mine[i]);
    rtm_pools_free(p2, big2);
    expect_pools(p2, 1, 0, 0, 500, 2, 0);
    expect_class(p2, 1, 0, 2, 1, 0, 0, 3);
    assert_int_equal(rtm_test_hook_total(), 2);
    assert_int_equal(rtm_pools_destroy(p2), RTM_OK);
}


/* Two pools alive at once over one heap never take each other's fallback blocks, however many
 * pools were initialised in between: the tag's init epoch sat in bits 16 and up of a uintptr_t, so
 * on a 32-bit target it wrapped after 2^16 inits and the pools initialised 65,536 inits after a
 * live one got its key (rtm_pools_free accepted the other's oversize block, freed it in the heap
 * under its owner and wrapped its own oversize_live). */
static _Alignas(64) unsigned char g_buf2[4096];
static void test_epoch_wrap_live_pools(void **state)
{
    (void)state;
    rtm_heap *h;
    rtm_pools *p = pools_on_fresh_heap(sizeof g_heap_mem, &h);
    unsigned char *big = rtm_pools_alloc(p, 500); /* oversize: p's fallback block */
    assert_true(big != NULL && !in_buf(big));
    rtm_pools *q = NULL;
    for (unsigned i = 1; i < 65536u; i++) { /* inits between p's and the one tested below */
        assert_int_equal(rtm_pools_init(&q, g_buf2, sizeof g_buf2, k_classes, NCLS, NULL), RTM_OK);
        assert_int_equal(rtm_pools_destroy(q), RTM_OK);
    }
    assert_int_equal(rtm_pools_init(&q, g_buf2, sizeof g_buf2, k_classes, NCLS, h), RTM_OK);
    rtm_pools_free(q, big); /* not q's */
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
    rtm_pools_stats qs;
    rtm_pools_get_stats(q, &qs);
    assert_int_equal(qs.oversize_live, 0);
    assert_int_equal(qs.bad_frees, 1);
    assert_int_equal(rtm_pools_check(q), RTM_OK);
    assert_int_equal(rtm_pools_destroy(q), RTM_OK);
    rtm_pools_free(p, big); /* still p's, still live */
    expect_pools(p, 1, 0, 0, 500, 0, 0);
    assert_int_equal(rtm_test_hook_total(), 1);
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

/* ---- randomized against a model ------------------------------------------------------------------ */
#define MAXLIVE 512
typedef struct {
    unsigned char *ptr;
    size_t size;
    uint64_t id;
    size_t cls; /* class index, NCLS_R for oversize */
    bool slab;
} live_blk;

static void fill(unsigned char *p, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(id * 7u + i);
}
static void verify(const unsigned char *p, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(id * 7u + i)) fail_msg("block %p id %llu damaged at +%zu", (const void *)p, (unsigned long long)id, i);
}

static void test_random(void **state)
{
    (void)state;
    static const rtm_pools_class cls[] = {{8, 40, RTM_POOLS_FALLBACK}, {24, 30, 0}, {48, 20, RTM_POOLS_FALLBACK},
                                          {100, 10, RTM_POOLS_FALLBACK}, {256, 4, 0}};
    /* The first five classes, or as many as RTM_POOLS_MAX_CLASSES allows (test_pools_classes3: the
     * first three; requests above 48 bytes are then oversize, which the model follows). */
    enum { NCLS_ALL = sizeof cls / sizeof cls[0] };
    enum { NCLS_R = NCLS_ALL < RTM_POOLS_MAX_CLASSES ? NCLS_ALL : RTM_POOLS_MAX_CLASSES };
    static live_blk live[MAXLIVE];
    rtm_pools *p;
    rtm_heap *h = rtm_heap_init(g_heap_mem, 16 * 1024, RTM_FIT_GOOD);
    assert_non_null(h);
    assert_int_equal(rtm_pools_init(&p, g_buf, sizeof g_buf, cls, NCLS_R, h), RTM_OK);
    rtm_test_rng rng = {rtm_test_seed()};
    size_t nlive = 0, ops = rtm_test_ops(1000000);
    uint64_t next_id = 1;
    size_t used[NCLS_R] = {0}, fb_live[NCLS_R] = {0}, allocs[NCLS_R] = {0}, fbs[NCLS_R] = {0}, fails[NCLS_R] = {0};
    size_t peak[NCLS_R] = {0}, over_ok = 0, over_fail = 0, over_live = 0;
    rtm_test_hook_install();
    for (size_t op = 0; op < ops; op++) {
        bool grow = ((op / 700) & 1) == 0;
        if (nlive < MAXLIVE && rtm_test_rnd(&rng, 100) < (grow ? 60u : 40u)) {
            uint64_t r = rtm_test_rnd(&rng, 100);
            size_t size = r < 90 ? 1 + (size_t)rtm_test_rnd(&rng, 256) : 257 + (size_t)rtm_test_rnd(&rng, 2000);
            size_t ci = 0;
            while (ci < NCLS_R && (cls[ci].block_size + RTM_ALIGN - 1) / RTM_ALIGN * RTM_ALIGN < size) ci++;
            unsigned char *q = rtm_pools_alloc(p, size);
            if (ci < NCLS_R) {
                if (used[ci] < cls[ci].count) {
                    assert_true(in_buf(q));
                    used[ci]++;
                    allocs[ci]++;
                } else if (q != NULL) {
                    assert_true(cls[ci].flags & RTM_POOLS_FALLBACK);
                    assert_false(in_buf(q));
                    fb_live[ci]++;
                    fbs[ci]++;
                } else {
                    fails[ci]++; /* no fallback, or the heap is full */
                }
                size_t d = used[ci] + fb_live[ci] + (q == NULL);
                if (d > peak[ci]) peak[ci] = d;
            } else if (q != NULL) {
                assert_false(in_buf(q));
                over_ok++;
                over_live++;
            } else {
                over_fail++;
            }
            if (q != NULL) {
                assert_int_equal((uintptr_t)q % RTM_ALIGN, 0);
                assert_true(rtm_pools_usable_size(p, q) >= size);
                live[nlive] = (live_blk){q, size, next_id++, ci, in_buf(q)};
                fill(q, size < 96 ? size : 96, live[nlive].id);
                nlive++;
            }
        } else if (nlive > 0) {
            size_t k = (size_t)rtm_test_rnd(&rng, nlive);
            live_blk *b = &live[k];
            verify(b->ptr, b->size < 96 ? b->size : 96, b->id);
            rtm_pools_free(p, b->ptr);
            if (b->cls == NCLS_R) over_live--;
            else if (b->slab) used[b->cls]--;
            else fb_live[b->cls]--;
            *b = live[--nlive];
        }
        if (CHECK_EVERY_OP || (op & 1023u) == 0) {
            assert_int_equal(rtm_pools_check(p), RTM_OK);
            assert_int_equal(rtm_heap_check(h), RTM_OK);
            for (size_t i = 0; i < NCLS_R; i++) {
                rtm_pools_class_stats cs;
                rtm_pools_get_class_stats(p, i, &cs);
                assert_int_equal(cs.used, used[i]);
                assert_int_equal(cs.fallback_live, fb_live[i]);
                assert_int_equal(cs.allocs, allocs[i]);
                assert_int_equal(cs.fallbacks, fbs[i]);
                assert_int_equal(cs.failures, fails[i]);
                assert_int_equal(cs.demand_peak, peak[i]);
            }
            rtm_pools_stats ps;
            rtm_pools_get_stats(p, &ps);
            assert_int_equal(ps.oversize_allocs, over_ok);
            assert_int_equal(ps.oversize_failures, over_fail);
            assert_int_equal(ps.oversize_live, over_live);
        }
    }
    assert_int_equal(rtm_test_hook_total(), 0);
    while (nlive) {
        live_blk *b = &live[--nlive];
        verify(b->ptr, b->size < 96 ? b->size : 96, b->id);
        rtm_pools_free(p, b->ptr);
    }
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used, 0);
    assert_int_equal(rtm_pools_check(p), RTM_OK);
    /* the advice covers every class's peak */
    rtm_pools_class adv[NCLS_R];
    size_t bytes;
    assert_int_equal(rtm_pools_advise(p, adv, NCLS_R, &bytes), NCLS_R);
    for (size_t i = 0; i < NCLS_R; i++) assert_int_equal(adv[i].count, peak[i]);
    printf("[ INFO     ] advice:");
    for (size_t i = 0; i < NCLS_R; i++) printf(" %zu x %zu B", adv[i].count, adv[i].block_size);
    printf(" -> %zu bytes (configured: %zu)\n", bytes, rtm_pools_buf_size(cls, NCLS_R));
    assert_int_equal(rtm_pools_destroy(p), RTM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_init_rejects),
        cmocka_unit_test(test_sizing_edges),
        cmocka_unit_test(test_exact_stats),
        cmocka_unit_test(test_bad_frees),
        cmocka_unit_test(test_usable_size),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_check_fields),
        cmocka_unit_test(test_stale_fallback_after_reinit),
        cmocka_unit_test(test_epoch_wrap_live_pools),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
