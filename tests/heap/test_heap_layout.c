/*
 * Exact-layout scenarios (o1heap style): after each step the whole block map is asserted through
 * rtm_heap_walk, e.g. used 64 / used 64 / free rest. Sizes are whole blocks (header included) and
 * are written with HT_HDR / HT_MIN_BLOCK / RTM_ALIGN so that they hold on 32- and 64-bit hosts.
 * Layout facts used: see heap_test_util.h. Size classes (good and best fit): sizes below 256 map
 * one class per RTM_ALIGN step; above, 32 classes per power of two (docs/heap.md).
 *
 * Best fit's placement: with RTM_HEAP_BEST_TOP_BY_NEXT=1 (the default) a split block is cut from
 * the top iff the block after it is smaller than the request (the sentinel counts as 0), so a
 * fresh heap fills from the top; the scenarios write that layout out for best fit (`top` below),
 * worked out step by step in the comments. test_heap_layout_best_bottom builds this file and the
 * heap with the option 0, where best fit cuts every block from the bottom like first fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rtm_test.h"
#include "heap_test_util.h"

#ifndef RTM_HEAP_STRICT_O1
#define RTM_HEAP_STRICT_O1 0 /* the heap's default */
#endif
#ifndef RTM_HEAP_BEST_TOP_BY_NEXT
#define RTM_HEAP_BEST_TOP_BY_NEXT 1 /* the heap's default; test_heap_layout_best_bottom builds with 0 */
#endif

#ifndef RTM_HEAP_TOP_SPLIT_MIN
#define RTM_HEAP_TOP_SPLIT_MIN 512 /* the heap's default */
#endif
#ifndef RTM_HEAP_TOP_SPLIT_LAST
#define RTM_HEAP_TOP_SPLIT_LAST 1 /* the heap's default; test_heap_layout_topany builds with 0 */
#endif
#ifndef RTM_HEAP_LOW_PICK
#define RTM_HEAP_LOW_PICK 6 /* the heap's default; test_heap_layout_nopick builds with 1 */
#endif
#ifndef RTM_HEAP_LOW_PICK_BELOW
#define RTM_HEAP_LOW_PICK_BELOW 48 /* the heap's default */
#endif
#ifndef RTM_HEAP_LOW_PICK_FROM
#define RTM_HEAP_LOW_PICK_FROM 512 /* the heap's default; test_heap_layout_nopick builds with 0 */
#endif

/* Is a block of RTM_ALIGN bytes below the minimum block (4 words), so that a free block taken for a
 * request RTM_ALIGN bytes smaller is taken whole? Yes with the default alignment; not with
 * RTM_ALIGN 16 on 32-bit hosts, nor 32 and more. A preprocessor expression (no sizeof). */
#define ALIGN_BELOW_MIN_BLOCK (RTM_ALIGN < 4u * (SIZE_MAX > 0xFFFFFFFFu ? 8u : 4u))

/* Does policy @p fit place split blocks by best fit's top-or-bottom rule in this build? */
static bool top_rule(rtm_fit fit) { return fit == RTM_FIT_BEST && RTM_HEAP_BEST_TOP_BY_NEXT; }
/* Does good fit cut a block of @p bytes from the top of a segment's last free block (and from
 * the bottom of any other)? (The layouts below assume RTM_HEAP_TOP_SPLIT_LAST=1, the default.) */
static bool good_top(rtm_fit fit, size_t bytes)
{
    return fit == RTM_FIT_GOOD && RTM_HEAP_TOP_SPLIT_MIN > 0 && bytes >= RTM_HEAP_TOP_SPLIT_MIN;
}

typedef struct {
    bool used;
    size_t bytes; /* whole block; 0: "the rest" (capacity minus everything else; at most once) */
} exp_blk;
#define U(n) {true, (n)}
#define F(n) {false, (n)}
#define REST 0

/* Asserts the block map of region @p region of @p h, its contiguity, the check and the stats. */
static void expect_map_(const rtm_heap *h, unsigned region, const exp_blk *e, size_t n, const char *file, int line)
{
    ht_walk w = {0};
    ht_walk_collect(h, &w);
    rtm_heap_stats s = ht_stats(h);
    size_t known = 0, total = 0, first = SIZE_MAX, count = 0;
    for (size_t i = 0; i < n; i++) known += e[i].bytes;
    for (size_t i = 0; i < w.n; i++) {
        if (w.b[i].region != region) continue;
        if (first == SIZE_MAX) first = i;
        total += w.b[i].block_bytes;
        count++;
    }
    bool ok = count == n;
    for (size_t i = 0; ok && i < n; i++) {
        const rtm_heap_block *b = &w.b[first + i];
        size_t want = e[i].bytes ? e[i].bytes : total - known;
        ok = b->used == e[i].used && b->block_bytes == want && b->size == want - HT_HDR &&
             (i == 0 || (const unsigned char *)w.b[first + i - 1].ptr + w.b[first + i - 1].block_bytes == b->ptr);
    }
    if (!ok) {
        print_error("%s:%d: block map of region %u differs\n  expected:", file, line, region);
        for (size_t i = 0; i < n; i++)
            print_error(" %s %zu", e[i].used ? "used" : "free", e[i].bytes ? e[i].bytes : total - known);
        print_error("\n  actual:  ");
        for (size_t i = 0; i < w.n; i++)
            if (w.b[i].region == region) print_error(" %s %zu", w.b[i].used ? "used" : "free", w.b[i].block_bytes);
        print_error("\n");
        _fail(file, line);
    }
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    size_t used = 0;
    for (size_t i = 0; i < w.n; i++)
        if (w.b[i].used) used += w.b[i].block_bytes;
    assert_int_equal(s.used, used);
    assert_int_equal(s.used + s.free, s.capacity);
    ht_walk_free(&w);
}
#define EXPECT_MAP(h, ...)                                                                                 \
    do {                                                                                                   \
        const exp_blk e_[] = {__VA_ARGS__};                                                                \
        expect_map_((h), 0, e_, sizeof e_ / sizeof e_[0], __FILE__, __LINE__);                             \
    } while (0)
#define EXPECT_MAP_REGION(h, r, ...)                                                                       \
    do {                                                                                                   \
        const exp_blk e_[] = {__VA_ARGS__};                                                                \
        expect_map_((h), (r), e_, sizeof e_ / sizeof e_[0], __FILE__, __LINE__);                           \
    } while (0)

/* Allocates a block of exactly @p block bytes. */
static void *alloc_block(rtm_heap *h, size_t block)
{
    void *p = rtm_heap_alloc(h, ht_req_for_block(block));
    assert_non_null(p);
    assert_int_equal(rtm_heap_usable_size(h, p), block - HT_HDR);
    return p;
}

static rtm_heap_block first_block(const rtm_heap *h)
{
    ht_walk w = {0};
    ht_walk_collect(h, &w);
    assert_true(w.n >= 1);
    rtm_heap_block b = w.b[0];
    ht_walk_free(&w);
    return b;
}

/* ---- init, sentinel ------------------------------------------------------------------------- */
static void test_layout_init_and_sentinel(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        for (size_t off = 0; off < 2 * RTM_ALIGN; off++) {
            size_t bytes = 8192 + off * 3;
            unsigned char *buf = ht_buffer(bytes, off);
            rtm_heap *h = rtm_heap_init(buf, bytes, ht_fits[f]);
            assert_non_null(h);
            rtm_heap_stats s = ht_stats(h);
            EXPECT_MAP(h, F(REST));
            rtm_heap_block b = first_block(h);
            assert_int_equal(b.block_bytes, s.capacity);
            assert_int_equal(s.free_blocks, 1);
            assert_int_equal(s.largest_free, s.capacity);
            assert_true(ht_aligned(b.ptr, RTM_ALIGN));
            /* the block ends where the header-only sentinel starts, which is the last header slot
             * of the buffer: between it and the buffer's end lie less than RTM_ALIGN spare bytes */
            const unsigned char *sentinel = (const unsigned char *)b.ptr - HT_HDR + b.block_bytes;
            size_t tail = (size_t)(buf + bytes - sentinel);
            assert_true(tail >= HT_HDR && tail < HT_HDR + RTM_ALIGN);
            /* the control block sits before the first block */
            assert_true((const unsigned char *)h < (const unsigned char *)b.ptr - HT_HDR);
        }
    }
}

/* ---- splitting -------------------------------------------------------------------------------- */
static void test_layout_split_sequence(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 8192, ht_fits[f]);
        const bool top = top_rule(ht_fits[f]);
        /* best fit (top rule): the block after the fresh block is the sentinel (0 < 64): top */
        void *a = rtm_heap_alloc(h, 64 - HT_HDR);
        if (top) {
            assert_true(ht_is_last_block(h, a));
            EXPECT_MAP(h, F(REST), U(64));
        } else {
            assert_ptr_equal(a, first_block(h).ptr);
            EXPECT_MAP(h, U(64), F(REST));
        }
        /* top rule: the block after the rest is a (64, not smaller than 64): bottom */
        void *b = rtm_heap_alloc(h, 64 - HT_HDR);
        if (top) {
            assert_ptr_equal(b, first_block(h).ptr);
            EXPECT_MAP(h, U(64), F(REST), U(64));
        } else {
            assert_ptr_equal(b, (unsigned char *)a + 64);
            EXPECT_MAP(h, U(64), U(64), F(REST));
        }
        void *c = rtm_heap_alloc(h, 1); /* the minimum block (top rule: a is larger: bottom) */
        assert_ptr_equal(c, (unsigned char *)b + 64);
        if (top) EXPECT_MAP(h, U(64), U(HT_MIN_BLOCK), F(REST), U(64));
        else EXPECT_MAP(h, U(64), U(64), U(HT_MIN_BLOCK), F(REST));
        /* one byte over: next granule (top rule: a, 64, is not smaller than HT_MIN_BLOCK + 8: bottom) */
        void *d = rtm_heap_alloc(h, HT_MIN_BLOCK - HT_HDR + 1);
        assert_ptr_equal(d, (unsigned char *)c + HT_MIN_BLOCK);
        if (top) EXPECT_MAP(h, U(64), U(HT_MIN_BLOCK), U(HT_MIN_BLOCK + RTM_ALIGN), F(REST), U(64));
        else EXPECT_MAP(h, U(64), U(64), U(HT_MIN_BLOCK), U(HT_MIN_BLOCK + RTM_ALIGN), F(REST));
        /* top rule: a (64) is smaller than 64 + RTM_ALIGN: e is cut from the top, right below a */
        void *e = rtm_heap_alloc(h, 64 - HT_HDR + 1);
        if (top) {
            assert_ptr_equal(e, (unsigned char *)a - (64 + RTM_ALIGN));
            EXPECT_MAP(h, U(64), U(HT_MIN_BLOCK), U(HT_MIN_BLOCK + RTM_ALIGN), F(REST), U(64 + RTM_ALIGN), U(64));
        } else {
            assert_ptr_equal(e, (unsigned char *)d + HT_MIN_BLOCK + RTM_ALIGN);
            EXPECT_MAP(h, U(64), U(64), U(HT_MIN_BLOCK), U(HT_MIN_BLOCK + RTM_ALIGN), U(64 + RTM_ALIGN), F(REST));
        }
        assert_int_equal(rtm_heap_usable_size(h, c), HT_MIN_BLOCK - HT_HDR);
        assert_int_equal(rtm_heap_usable_size(h, e), 64 + RTM_ALIGN - HT_HDR);
        rtm_heap_stats s = ht_stats(h);
        assert_int_equal(s.used, 3 * 64 + RTM_ALIGN + 2 * HT_MIN_BLOCK + RTM_ALIGN);
        assert_int_equal(s.used_blocks, 5);
        assert_int_equal(s.free_blocks, 1);
        void *all[] = {a, b, c, d, e};
        for (size_t i = 0; i < 5; i++) rtm_heap_free(h, all[i]);
        EXPECT_MAP(h, F(REST));
    }
}

/* ---- coalescing ------------------------------------------------------------------------------- */
static void test_layout_coalesce(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        for (int order = 0; order < 3; order++) {
            rtm_heap *h;
            HT_NEW(h, 8192, ht_fits[f]);
            void *a = alloc_block(h, 64), *b = alloc_block(h, 64), *c = alloc_block(h, 64), *d = alloc_block(h, 64);
            if (top_rule(ht_fits[f])) {
                /* a is cut from the top (the sentinel after the fresh block is 0 < 64); b, c, d from
                 * the bottom (a, 64, is not smaller than 64): b / c / d / rest / a. a lies between
                 * the free rest and the sentinel, so freeing it merges it into the rest. */
                EXPECT_MAP(h, U(64), U(64), U(64), F(REST), U(64));
                assert_ptr_equal(c, (unsigned char *)b + 64);
                assert_ptr_equal(d, (unsigned char *)c + 64);
                assert_true(ht_is_last_block(h, a));
                switch (order) {
                case 0:
                    rtm_heap_free(h, b); /* the first block, right neighbour c used */
                    EXPECT_MAP(h, F(64), U(64), U(64), F(REST), U(64));
                    rtm_heap_free(h, a); /* merges left, into the rest */
                    EXPECT_MAP(h, F(64), U(64), U(64), F(REST));
                    rtm_heap_free(h, c); /* merges left, with b */
                    EXPECT_MAP(h, F(128), U(64), F(REST));
                    break;
                case 1:
                    rtm_heap_free(h, b);
                    rtm_heap_free(h, c); /* merges left, with b */
                    EXPECT_MAP(h, F(128), U(64), F(REST), U(64));
                    rtm_heap_free(h, a); /* merges left, into the rest */
                    EXPECT_MAP(h, F(128), U(64), F(REST));
                    break;
                default:
                    rtm_heap_free(h, a); /* merges left, into the rest */
                    rtm_heap_free(h, c); /* between used b and d: alone */
                    EXPECT_MAP(h, U(64), F(64), U(64), F(REST));
                    rtm_heap_free(h, b); /* merges right, with c */
                    EXPECT_MAP(h, F(128), U(64), F(REST));
                    break;
                }
                assert_int_equal(ht_stats(h).free_blocks, 2);
                rtm_heap_free(h, d); /* merges both ways */
                EXPECT_MAP(h, F(REST));
                assert_int_equal(ht_stats(h).free_blocks, 1);
                assert_int_equal(ht_stats(h).frees, 4);
                continue;
            }
            EXPECT_MAP(h, U(64), U(64), U(64), U(64), F(REST));
            switch (order) {
            case 0: /* right: b is free when a is freed */
                rtm_heap_free(h, b);
                EXPECT_MAP(h, U(64), F(64), U(64), U(64), F(REST));
                rtm_heap_free(h, a);
                EXPECT_MAP(h, F(128), U(64), U(64), F(REST));
                rtm_heap_free(h, c); /* and left */
                EXPECT_MAP(h, F(192), U(64), F(REST));
                break;
            case 1: /* left: b is free when c is freed */
                rtm_heap_free(h, b);
                rtm_heap_free(h, c);
                EXPECT_MAP(h, U(64), F(128), U(64), F(REST));
                rtm_heap_free(h, a);
                EXPECT_MAP(h, F(192), U(64), F(REST));
                break;
            default: /* both: a and c free when b is freed */
                rtm_heap_free(h, a);
                rtm_heap_free(h, c);
                EXPECT_MAP(h, F(64), U(64), F(64), U(64), F(REST));
                rtm_heap_free(h, b);
                EXPECT_MAP(h, F(192), U(64), F(REST));
                break;
            }
            assert_int_equal(ht_stats(h).free_blocks, 2);
            /* d merges with both its free neighbours: the heap is one block again */
            rtm_heap_free(h, d);
            EXPECT_MAP(h, F(REST));
            assert_int_equal(ht_stats(h).free_blocks, 1);
            assert_int_equal(ht_stats(h).frees, 4);
        }
    }
}

/* A hole is split at its front; a remainder smaller than the minimum block stays in the block. */
static void test_layout_split_hole_and_no_split(void **state)
{
    (void)state;
    const size_t X = 128;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 8192, ht_fits[f]);
        void *a = alloc_block(h, 256), *s1 = alloc_block(h, 64), *b = alloc_block(h, X), *s2 = alloc_block(h, 64);
        if (top_rule(ht_fits[f])) {
            /* a is cut from the top (sentinel 0 < 256), then s1, b, s2 from the bottom (a, 256, is
             * not smaller): s1 / b / s2 / rest / a. Freed, a merges into the rest; b is the only
             * hole. Best fit takes it whole for X and for X - RTM_ALIGN (8 bytes left < minimum). */
            EXPECT_MAP(h, U(64), U(X), U(64), F(REST), U(256));
            assert_ptr_equal(b, (unsigned char *)s1 + 64);
            rtm_heap_free(h, a);
            rtm_heap_free(h, b);
            EXPECT_MAP(h, U(64), F(X), U(64), F(REST));
            void *p = rtm_heap_alloc(h, X - HT_HDR);
            assert_ptr_equal(p, b);
            EXPECT_MAP(h, U(64), U(X), U(64), F(REST));
            rtm_heap_free(h, p);
            EXPECT_MAP(h, U(64), F(X), U(64), F(REST));
#if ALIGN_BELOW_MIN_BLOCK /* else the RTM_ALIGN bytes left over are split off: not this scenario */
            void *q = rtm_heap_alloc(h, X - RTM_ALIGN - HT_HDR);
            assert_ptr_equal(q, b);
            assert_int_equal(rtm_heap_usable_size(h, q), X - HT_HDR);
            EXPECT_MAP(h, U(64), U(X), U(64), F(REST));
            rtm_heap_free(h, q);
#endif
            rtm_heap_free(h, s1);
            rtm_heap_free(h, s2);
            EXPECT_MAP(h, F(REST));
            continue;
        }
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        EXPECT_MAP(h, F(256), U(64), F(X), U(64), F(REST));
        /* a request for exactly X: best and good fit take the X hole whole; first fit splits the
         * lower 256 hole at its front */
        void *p = rtm_heap_alloc(h, X - HT_HDR);
        if (ht_fits[f] == RTM_FIT_FIRST) {
            assert_ptr_equal(p, a);
            EXPECT_MAP(h, U(X), F(256 - X), U(64), F(X), U(64), F(REST));
            rtm_heap_free(h, p);
            EXPECT_MAP(h, F(256), U(64), F(X), U(64), F(REST));
        } else {
            assert_ptr_equal(p, b);
            EXPECT_MAP(h, F(256), U(64), U(X), U(64), F(REST));
            rtm_heap_free(h, p);
            EXPECT_MAP(h, F(256), U(64), F(X), U(64), F(REST));
        }
        /* a request whose block is RTM_ALIGN smaller than the hole: the rest (< minimum block) stays
         * with the block, usable size is the whole hole (else the rest is split off: not this
         * scenario, which then ends here) */
#if ALIGN_BELOW_MIN_BLOCK
        void *q = rtm_heap_alloc(h, X - RTM_ALIGN - HT_HDR);
        assert_non_null(q);
        if (ht_fits[f] == RTM_FIT_FIRST) {
            /* first fit splits the 256 hole at its front */
            assert_ptr_equal(q, a);
            EXPECT_MAP(h, U(X - RTM_ALIGN), F(256 - X + RTM_ALIGN), U(64), F(X), U(64), F(REST));
        } else {
            assert_ptr_equal(q, b);
            assert_int_equal(rtm_heap_usable_size(h, q), X - HT_HDR);
            EXPECT_MAP(h, F(256), U(64), U(X), U(64), F(REST));
        }
        rtm_heap_free(h, q);
#endif
        rtm_heap_free(h, s1);
        rtm_heap_free(h, s2);
        EXPECT_MAP(h, F(REST));
    }
}

/* Good fit cuts blocks of RTM_HEAP_TOP_SPLIT_MIN (512) bytes or more from the top of a segment's
 * last free block (the one below the sentinel) and everything else from the bottom, large blocks
 * from holes included (docs/heap.md); best fit (top rule) from the top iff the block after the
 * free block is smaller than the request; first fit (and best fit without the rule) always from
 * the bottom. Freeing gives back one free block. */
static void test_layout_top_split(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 32768, ht_fits[f]);
        void *big = alloc_block(h, 4096);
        void *small = alloc_block(h, 64);
        void *edge = alloc_block(h, 2048);
        assert_non_null(big);
        assert_non_null(small);
        assert_non_null(edge);
        if (ht_fits[f] == RTM_FIT_GOOD && RTM_HEAP_TOP_SPLIT_MIN == 512 && !RTM_HEAP_TOP_SPLIT_LAST) {
            /* RTM_HEAP_TOP_SPLIT_LAST=0: from the top of any free block. big: top of the fresh
             * heap; small: bottom; edge (2048 >= 512): top of the free rest, although big is above
             * it (the default rule cuts it from the bottom there) */
            EXPECT_MAP(h, U(64), F(REST), U(2048), U(4096));
            assert_true(ht_is_last_block(h, big));
            assert_ptr_equal(small, first_block(h).ptr);
            assert_ptr_equal(edge, (unsigned char *)big - 2048);
            rtm_heap_free(h, big);
            EXPECT_MAP(h, U(64), F(REST), U(2048), F(4096));
            /* just under the threshold: bottom of the free block of the smallest larger class
             * (the 4096 hole, not the rest) */
            void *below = alloc_block(h, 512 - RTM_ALIGN);
            EXPECT_MAP(h, U(64), F(REST), U(2048), U(512 - RTM_ALIGN), F(4096 - (512 - RTM_ALIGN)));
            rtm_heap_free(h, below);
            rtm_heap_free(h, edge);
            rtm_heap_free(h, small);
            EXPECT_MAP(h, F(REST));
            continue;
        } else if (ht_fits[f] == RTM_FIT_GOOD && RTM_HEAP_TOP_SPLIT_MIN == 512) {
            /* big: top of the last block; small: bottom; edge: the free block is no longer the
             * last one (big is above it), so bottom although 2048 >= 512 */
            EXPECT_MAP(h, U(64), U(2048), F(REST), U(4096));
            assert_true(ht_is_last_block(h, big));
            rtm_heap_free(h, big); /* the rest is the last block again */
            EXPECT_MAP(h, U(64), U(2048), F(REST));
            void *below = alloc_block(h, 512 - RTM_ALIGN); /* just under the threshold: bottom */
            void *at = alloc_block(h, 512);                /* at the threshold, from the last block: top */
            EXPECT_MAP(h, U(64), U(2048), U(512 - RTM_ALIGN), F(REST), U(512));
            assert_true(ht_is_last_block(h, at));
            rtm_heap_free(h, below);
            rtm_heap_free(h, at);
            rtm_heap_free(h, edge);
            rtm_heap_free(h, small);
            EXPECT_MAP(h, F(REST));
            continue;
        } else if (top_rule(ht_fits[f])) {
            /* big: top (sentinel 0 < 4096); small and edge: bottom (big, 4096, is not smaller) */
            EXPECT_MAP(h, U(64), U(2048), F(REST), U(4096));
            assert_ptr_equal(small, first_block(h).ptr);
            assert_ptr_equal(edge, (unsigned char *)small + 64);
            assert_true(ht_is_last_block(h, big));
        } else {
            EXPECT_MAP(h, U(4096), U(64), U(2048), F(REST));
        }
        rtm_heap_free(h, big);
        rtm_heap_free(h, edge);
        rtm_heap_free(h, small);
        EXPECT_MAP(h, F(REST));
    }
}

/* The next two scenarios are written for RTM_ALIGN 8 around one size class: 1032, 1040 and 1048
 * share [1024, 1056), 1056 starts the next. Classes are multiples of RTM_ALIGN (linear in steps of
 * it below 32 * RTM_ALIGN, SL per power of two above; docs/heap.md), so every size scaled by
 * RTM_ALIGN / 8 (X8; n itself with the default alignment) meets the same classes, and stays on the
 * same side of RTM_HEAP_TOP_SPLIT_MIN, RTM_HEAP_LOW_PICK_BELOW and _FROM. One fact does not scale:
 * a block taken whole leaves RTM_ALIGN bytes over, which must be less than a minimum block (4 words).
 * Where it is not (RTM_ALIGN 16 on 32-bit hosts, 32 and more anywhere), they are not built. The
 * comments give the RTM_ALIGN 8 sizes. */
#define X8(n) ((size_t)(n) * (RTM_ALIGN / 8u))
#define X8_SCENARIOS ALIGN_BELOW_MIN_BLOCK
#if X8_SCENARIOS
/* Holes 1536 (lowest address), 1032, 1048, 1280, then the rest (first and best fit without the top
 * rule cut every block from the bottom of the free space). 1032 and 1048
 * share a size class; free lists lean to address order, so 1032 (the lower address) heads it even
 * though 1048 was freed first. A request whose block is 1040:
 *   first fit -> the 1536 hole (lowest address that fits), split;
 *   best fit  -> the 1048 hole (smallest that fits), whole (8 bytes left < minimum block);
 *   good fit  -> the head of its own class (1032) is too small, so the lowest-addressed head
 *                among the next non-empty classes up (the request is >= RTM_HEAP_LOW_PICK_FROM):
 *                the 1280 hole, split from its bottom (it is not the last block).
 * Best fit with the top rule cuts the 1536 block from the top of the fresh heap (sentinel 0) and
 * every later one from the bottom (1536 is not smaller than any of them): s1 / 1032 / s2 / 1048 /
 * s3 / 1280 / s4 / rest / 1536; freed, the 1536 block merges into the rest, and the holes are
 * 1032, 1048, 1280. Best fit's choices are the same blocks. Good fit lays the blocks out the same
 * way (1536 >= RTM_HEAP_TOP_SPLIT_MIN from the fresh heap's last block: top; the rest from a free
 * block with 1536 above it: bottom) and makes its choice above. */
static void test_layout_policy_choice(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, X8(32768), ht_fits[f]);
        void *h1536 = alloc_block(h, X8(1536)), *s1 = alloc_block(h, X8(64));
        void *h1032 = alloc_block(h, X8(1032)), *s2 = alloc_block(h, X8(64));
        void *h1048 = alloc_block(h, X8(1048)), *s3 = alloc_block(h, X8(64));
        void *h1280 = alloc_block(h, X8(1280)), *s4 = alloc_block(h, X8(64));
        if (top_rule(ht_fits[f]) || good_top(ht_fits[f], X8(1536))) {
            EXPECT_MAP(h, U(X8(64)), U(X8(1032)), U(X8(64)), U(X8(1048)), U(X8(64)), U(X8(1280)), U(X8(64)), F(REST),
                       U(X8(1536)));
            assert_ptr_equal(s1, first_block(h).ptr);
            assert_true(ht_is_last_block(h, h1536));
            rtm_heap_free(h, h1536);
            rtm_heap_free(h, h1048);
            rtm_heap_free(h, h1280);
            rtm_heap_free(h, h1032);
            EXPECT_MAP(h, U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), F(X8(1280)), U(X8(64)), F(REST));
            void *p = rtm_heap_alloc(h, X8(1040) - HT_HDR);
            if (ht_fits[f] == RTM_FIT_GOOD) {
                assert_ptr_equal(p, h1280);
                EXPECT_MAP(h, U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), U(X8(1040)), F(X8(240)),
                           U(X8(64)), F(REST));
            } else {
                assert_ptr_equal(p, h1048); /* 1048, whole */
                EXPECT_MAP(h, U(X8(64)), F(X8(1032)), U(X8(64)), U(X8(1048)), U(X8(64)), F(X8(1280)), U(X8(64)),
                           F(REST));
            }
            rtm_heap_free(h, p);
            EXPECT_MAP(h, U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), F(X8(1280)), U(X8(64)), F(REST));
            void *q = rtm_heap_alloc(h, X8(1032) - HT_HDR); /* 1032, whole */
            assert_ptr_equal(q, h1032);
            EXPECT_MAP(h, U(X8(64)), U(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), F(X8(1280)), U(X8(64)), F(REST));
            rtm_heap_free(h, q);
            void *seps[] = {s1, s2, s3, s4};
            for (size_t i = 0; i < 4; i++) rtm_heap_free(h, seps[i]);
            EXPECT_MAP(h, F(REST));
            continue;
        }
        rtm_heap_free(h, h1536);
        rtm_heap_free(h, h1048);
        rtm_heap_free(h, h1280);
        rtm_heap_free(h, h1032);
        EXPECT_MAP(h, F(X8(1536)), U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), F(X8(1280)), U(X8(64)),
                   F(REST));
        void *p = rtm_heap_alloc(h, X8(1040) - HT_HDR);
        assert_non_null(p);
        switch (ht_fits[f]) {
        case RTM_FIT_FIRST:
            assert_ptr_equal(p, h1536);
            EXPECT_MAP(h, U(X8(1040)), F(X8(496)), U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)),
                       F(X8(1280)), U(X8(64)), F(REST));
            break;
        case RTM_FIT_BEST:
            assert_ptr_equal(p, h1048);
            EXPECT_MAP(h, F(X8(1536)), U(X8(64)), F(X8(1032)), U(X8(64)), U(X8(1048)), U(X8(64)), F(X8(1280)),
                       U(X8(64)), F(REST));
            break;
        default:
            assert_ptr_equal(p, h1280);
            EXPECT_MAP(h, F(X8(1536)), U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), U(X8(1040)),
                       F(X8(240)), U(X8(64)), F(REST));
            break;
        }
        rtm_heap_free(h, p);
        EXPECT_MAP(h, F(X8(1536)), U(X8(64)), F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), F(X8(1280)), U(X8(64)),
                   F(REST));
        /* exactly 1032: first fit splits the lowest hole; best fit takes the smallest (1032); good
         * fit the head of the class, which is 1032 (lowest address), and it fits */
        void *q = rtm_heap_alloc(h, X8(1032) - HT_HDR);
        if (ht_fits[f] == RTM_FIT_FIRST) {
            assert_ptr_equal(q, h1536);
        } else {
            assert_ptr_equal(q, h1032);
            EXPECT_MAP(h, F(X8(1536)), U(X8(64)), U(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), F(X8(1280)),
                       U(X8(64)), F(REST));
        }
        rtm_heap_free(h, q);
        void *seps[] = {s1, s2, s3, s4};
        for (size_t i = 0; i < 4; i++) rtm_heap_free(h, seps[i]);
        EXPECT_MAP(h, F(REST));
    }
}

/* The only free blocks are 1048 and 1032 (head): a 1040-byte block request must not fail (good fit
 * scans its own class before failing, unless built with RTM_HEAP_STRICT_O1); 1056 must fail. */
static void test_layout_no_false_oom(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, X8(8192), ht_fits[f]);
        /* 1032 at the lower address: it heads the shared class list whatever the free order. Built
         * under ht_lid: best fit's top rule would cut a from the top and b (larger) right below it,
         * and the two holes would merge. */
        void *lid = ht_lid(h, X8(1048) - HT_HDR);
        void *a = alloc_block(h, X8(1032)), *s1 = alloc_block(h, X8(64));
        void *b = alloc_block(h, X8(1048)), *s2 = alloc_block(h, X8(64));
        ht_lid_off(h, lid);
        size_t rest = ht_stats(h).largest_free;
        void *r = alloc_block(h, rest);
        EXPECT_MAP(h, U(X8(1032)), U(X8(64)), U(X8(1048)), U(X8(64)), U(rest));
        rtm_heap_free(h, b);
        rtm_heap_free(h, a);
        EXPECT_MAP(h, F(X8(1032)), U(X8(64)), F(X8(1048)), U(X8(64)), U(rest));
        size_t failed = ht_stats(h).failed_allocs;
        assert_null(rtm_heap_alloc(h, X8(1056) - HT_HDR));
        assert_int_equal(ht_stats(h).failed_allocs, failed + 1);
        /* the class head (1032) is too small and no larger class has a block: only a scan of the
         * class finds 1048 */
        void *p = rtm_heap_alloc(h, X8(1040) - HT_HDR);
        if (ht_fits[f] == RTM_FIT_GOOD && RTM_HEAP_STRICT_O1) {
            assert_null(p);
        } else {
            assert_ptr_equal(p, b);
            EXPECT_MAP(h, F(X8(1032)), U(X8(64)), U(X8(1048)), U(X8(64)), U(rest));
            rtm_heap_free(h, p);
        }
        void *all[] = {s1, s2, r};
        for (size_t i = 0; i < 3; i++) rtm_heap_free(h, all[i]);
        EXPECT_MAP(h, F(REST));
    }
}

#endif /* X8_SCENARIOS */

/* ---- good fit's low pick ------------------------------------------------------------------------ */
/* Good fit, a small request (block below RTM_HEAP_LOW_PICK_BELOW) whose own class is empty: it takes
 * the lowest-addressed head among the first RTM_HEAP_LOW_PICK non-empty larger classes, and none
 * from a class after those. Holes of 64, 96, 128, 192, 256, 320 and 384 bytes (one class each
 * whatever RTM_HEAP_SL_LOG2 and RTM_ALIGN up to 16; all below RTM_HEAP_TOP_SPLIT_MIN, so cut from
 * the bottom) lie in the address order 384, 320, 64, 96, ..., 256, then the free rest (a larger
 * class still): with the default six classes the request lands in the 320 hole, the lowest of the
 * classes 64 .. 320; the 384 hole, lower still, is the seventh class (mutants: lowest_head's loop
 * from k = 2, which compared one class fewer and took the 64 hole; the compact find_good without
 * "map &= map - 1", which compared the first class's head six times). */
static void test_layout_low_pick_small(void **state)
{
    (void)state;
    /* by size (class order), and the order they are laid out in from the bottom */
    static const size_t sizes[] = {64, 96, 128, 192, 256, 320, 384};
    static const size_t order[] = {6, 5, 0, 1, 2, 3, 4};
    enum { N = sizeof sizes / sizeof sizes[0] };
    rtm_heap *h;
    HT_NEW(h, 16384, RTM_FIT_GOOD);
    void *hole[N], *sep[N];
    for (size_t i = 0; i < N; i++) {
        hole[order[i]] = alloc_block(h, sizes[order[i]]);
        sep[i] = alloc_block(h, 64);
    }
    for (size_t i = 0; i < N; i++) rtm_heap_free(h, hole[i]);
    EXPECT_MAP(h, F(384), U(64), F(320), U(64), F(64), U(64), F(96), U(64), F(128), U(64), F(192), U(64), F(256),
               U(64), F(REST));
    /* the request's block: a minimum block (or one granule where that is larger), below 64 */
    size_t bs = ht_block_for(1);
    assert_true(bs < 64 && bs < RTM_HEAP_LOW_PICK_BELOW);
    size_t want = 0; /* the lowest-addressed hole among the first RTM_HEAP_LOW_PICK classes */
    for (size_t k = 1; k < N && k < (size_t)RTM_HEAP_LOW_PICK; k++)
        if ((uintptr_t)hole[k] < (uintptr_t)hole[want]) want = k;
    void *p = rtm_heap_alloc(h, 1);
    assert_ptr_equal(p, hole[want]); /* split from its bottom (not the last block) */
    assert_int_equal(rtm_heap_usable_size(h, p), bs - HT_HDR);
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    rtm_heap_free(h, p);
    for (size_t i = 0; i < N; i++) rtm_heap_free(h, sep[i]);
    EXPECT_MAP(h, F(REST));
}

/* Good fit, the large side of the low pick: a block of RTM_HEAP_LOW_PICK_FROM (512) bytes or more
 * that must round up takes the lowest-addressed head among the first RTM_HEAP_LOW_PICK classes; a
 * mid-sized one (496) the head of the smallest non-empty larger class. Holes of 2048 (lower
 * address) and 1024 bytes, a class of their own each above 512's (also with 4 or 2 subclasses per
 * power of two), built from the bottom under a lid (the first block of 512 bytes or more goes to
 * the top of the fresh heap): a 512-byte block goes into the 2048 hole, a 496-byte one into the
 * 1024 hole (mutants: low_pick's bound LOW_PICK_TO + RTM_HEAP_LOW_PICK_BELOW, which left blocks of
 * 512 .. 607 bytes without the low pick, and ">=" -> ">"). */
static void test_layout_low_pick_large(void **state)
{
    (void)state;
    rtm_heap *h;
    HT_NEW(h, 16384, RTM_FIT_GOOD);
    void *lid = alloc_block(h, 512);
    assert_true(ht_is_last_block(h, lid));
    void *big = alloc_block(h, 2048), *s1 = alloc_block(h, 64);
    void *small = alloc_block(h, 1024), *s2 = alloc_block(h, 64);
    rtm_heap_free(h, big);
    rtm_heap_free(h, small);
    EXPECT_MAP(h, F(2048), U(64), F(1024), U(64), F(REST), U(512));
    const bool pick = RTM_HEAP_LOW_PICK > 1 && RTM_HEAP_LOW_PICK_FROM > 0 && 512 >= RTM_HEAP_LOW_PICK_FROM;
    void *p = alloc_block(h, 512);
    assert_ptr_equal(p, pick ? big : small);
    if (pick) {
        EXPECT_MAP(h, U(512), F(1536), U(64), F(1024), U(64), F(REST), U(512));
    } else {
        EXPECT_MAP(h, F(2048), U(64), U(512), F(512), U(64), F(REST), U(512));
    }
    rtm_heap_free(h, p);
    p = alloc_block(h, 496);
    assert_ptr_equal(p, small);
    EXPECT_MAP(h, F(2048), U(64), U(496), F(528), U(64), F(REST), U(512));
    rtm_heap_free(h, p);
    void *all[] = {s1, s2, lid};
    for (size_t i = 0; i < 3; i++) rtm_heap_free(h, all[i]);
    EXPECT_MAP(h, F(REST));
}

/* ---- aligned ---------------------------------------------------------------------------------- */
/* aligned_alloc carves the head gap into a free block (at least a minimum block) and the tail back
 * into the rest. (An alignment up to RTM_ALIGN is a plain rtm_heap_alloc, placed by the policy.) */
static void test_layout_aligned(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        for (size_t al = 2 * RTM_ALIGN; al <= 1024; al *= 2) { /* from 16 with RTM_ALIGN 8 */
            rtm_heap *h;
            HT_NEW(h, 16384, ht_fits[f]);
            uintptr_t p0 = (uintptr_t)first_block(h).ptr;
            uintptr_t q = (p0 + al - 1) & ~(uintptr_t)(al - 1);
            if (q != p0 && q - p0 < HT_MIN_BLOCK) q = (p0 + HT_MIN_BLOCK + al - 1) & ~(uintptr_t)(al - 1);
            void *p = rtm_heap_aligned_alloc(h, al, 100);
            assert_ptr_equal(p, (void *)q);
            if (q == p0) EXPECT_MAP(h, U(ht_block_for(100)), F(REST));
            else EXPECT_MAP(h, F(q - p0), U(ht_block_for(100)), F(REST));
            rtm_heap_free(h, p);
            EXPECT_MAP(h, F(REST));
        }
    }
}

/* ---- realloc ---------------------------------------------------------------------------------- */
static void test_layout_realloc(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 8192, ht_fits[f]);
        void *a = alloc_block(h, 512), *b = alloc_block(h, 64);
        if (top_rule(ht_fits[f]) || good_top(ht_fits[f], 512)) {
            /* a: top (best fit: sentinel 0 < 512; good fit: 512 >= RTM_HEAP_TOP_SPLIT_MIN, from
             * the last block); b: bottom (best: a, 512, is not smaller; good: 64 is small). a's
             * right neighbour is the sentinel, so its shrunk tails are free blocks of their own at
             * the top. */
            EXPECT_MAP(h, U(64), F(REST), U(512));
            assert_ptr_equal(b, first_block(h).ptr);
            assert_true(ht_is_last_block(h, a));
            assert_ptr_equal(rtm_heap_realloc(h, a, 128 - HT_HDR), a);
            EXPECT_MAP(h, U(64), F(REST), U(128), F(384));
            /* grow into the free neighbour, partly */
            assert_ptr_equal(rtm_heap_realloc(h, a, 256 - HT_HDR), a);
            EXPECT_MAP(h, U(64), F(REST), U(256), F(256));
            /* grow leaving less than a minimum block: the whole neighbour is absorbed (no such
             * size where RTM_ALIGN is a minimum block: then this grows to 512 below) */
#if ALIGN_BELOW_MIN_BLOCK
            assert_ptr_equal(rtm_heap_realloc(h, a, 512 - RTM_ALIGN - HT_HDR), a);
#else
            assert_ptr_equal(rtm_heap_realloc(h, a, 512 - HT_HDR), a);
#endif
            EXPECT_MAP(h, U(64), F(REST), U(512));
            /* shrink by less than a minimum block: nothing changes */
            assert_ptr_equal(rtm_heap_realloc(h, a, 512 - HT_MIN_BLOCK + RTM_ALIGN - HT_HDR), a);
            EXPECT_MAP(h, U(64), F(REST), U(512));
            rtm_heap_free(h, b); /* merges right, into the rest */
            EXPECT_MAP(h, F(REST), U(512));
            /* c, d: bottom (a, 512, is not smaller than 64) */
            void *c = alloc_block(h, 64);
            void *d = alloc_block(h, 64);
            rtm_heap_free(h, c);
            EXPECT_MAP(h, F(64), U(64), F(REST), U(512));
            assert_ptr_equal(d, (unsigned char *)c + 64);
            /* shrink below the sentinel: the tail is a free block of its own */
            assert_ptr_equal(rtm_heap_realloc(h, a, 256 - HT_HDR), a);
            EXPECT_MAP(h, F(64), U(64), F(REST), U(256), F(256));
            /* grow past the neighbour (256 + 256 < 1024): moves. The smallest fit is the rest.
             * Best fit: the block after it (a, 256) is smaller than 1024, so m is cut from its
             * top, right below a; a is freed and merges with its free right neighbour. Good fit:
             * the rest is not the last block (the top 256 is), so m is cut from its bottom, right
             * after d; a is freed and merges both ways. */
            void *m = rtm_heap_realloc(h, a, 1024 - HT_HDR);
            if (ht_fits[f] == RTM_FIT_GOOD) {
                assert_ptr_equal(m, (unsigned char *)d + 64);
                EXPECT_MAP(h, F(64), U(64), U(1024), F(REST));
            } else {
                assert_ptr_equal(m, (unsigned char *)a - 1024);
                EXPECT_MAP(h, F(64), U(64), F(REST), U(1024), F(512));
            }
            rtm_heap_free(h, m); /* merges both ways */
            EXPECT_MAP(h, F(64), U(64), F(REST));
            rtm_heap_free(h, d);
            EXPECT_MAP(h, F(REST));
            continue;
        }
        EXPECT_MAP(h, U(512), U(64), F(REST));
        /* shrink: the tail becomes a free block */
        assert_ptr_equal(rtm_heap_realloc(h, a, 128 - HT_HDR), a);
        EXPECT_MAP(h, U(128), F(384), U(64), F(REST));
        /* grow into the free neighbour, partly */
        assert_ptr_equal(rtm_heap_realloc(h, a, 256 - HT_HDR), a);
        EXPECT_MAP(h, U(256), F(256), U(64), F(REST));
        /* grow leaving less than a minimum block: the whole neighbour is absorbed (as above) */
#if ALIGN_BELOW_MIN_BLOCK
        assert_ptr_equal(rtm_heap_realloc(h, a, 512 - RTM_ALIGN - HT_HDR), a);
#else
        assert_ptr_equal(rtm_heap_realloc(h, a, 512 - HT_HDR), a);
#endif
        EXPECT_MAP(h, U(512), U(64), F(REST));
        /* shrink by less than a minimum block: nothing changes */
        assert_ptr_equal(rtm_heap_realloc(h, a, 512 - HT_MIN_BLOCK + RTM_ALIGN - HT_HDR), a);
        EXPECT_MAP(h, U(512), U(64), F(REST));
        /* shrink next to a free block: the tail merges with it */
        rtm_heap_free(h, b);
        EXPECT_MAP(h, U(512), F(REST));
        void *c = alloc_block(h, 64);
        void *d = alloc_block(h, 64);
        rtm_heap_free(h, c);
        EXPECT_MAP(h, U(512), F(64), U(64), F(REST));
        assert_ptr_equal(rtm_heap_realloc(h, a, 256 - HT_HDR), a);
        EXPECT_MAP(h, U(256), F(320), U(64), F(REST));
        /* grow past the neighbour: moves (to the rest for every policy here), old block freed and
         * merged with its free neighbour */
        void *m = rtm_heap_realloc(h, a, 1024 - HT_HDR);
        assert_ptr_equal(m, (unsigned char *)d + 64);
        EXPECT_MAP(h, F(576), U(64), U(1024), F(REST));
        rtm_heap_free(h, m);
        rtm_heap_free(h, d);
        EXPECT_MAP(h, F(REST));
    }
}

/* ---- regions ---------------------------------------------------------------------------------- */
static void test_layout_regions(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 4096, ht_fits[f]);
        unsigned char *r2 = ht_buffer(2048, 0);
        assert_int_equal(rtm_heap_add_region(h, r2, 2048), RTM_OK);
        EXPECT_MAP_REGION(h, 0, F(REST));
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        assert_int_equal(w.n, 2);
        const rtm_heap_block *b2 = w.b[0].region == 1 ? &w.b[0] : &w.b[1];
        size_t cap2 = b2->block_bytes;
        assert_true(cap2 <= 2048 && cap2 > 2048 - 128);
        /* the block and its sentinel lie inside the region */
        assert_true((const unsigned char *)b2->ptr - HT_HDR >= r2);
        assert_true((const unsigned char *)b2->ptr - HT_HDR + b2->block_bytes + HT_HDR <= r2 + 2048);
        /* fill region 0 exactly; the next request comes from region 1 */
        size_t cap0 = ht_stats(h).capacity - cap2;
        void *a = alloc_block(h, cap0);
        EXPECT_MAP_REGION(h, 0, U(cap0));
        void *b = alloc_block(h, 256);
        if (top_rule(ht_fits[f])) {
            /* the block after region 1's free block is its sentinel (0 < 256): top */
            EXPECT_MAP_REGION(h, 1, F(REST), U(256));
            assert_ptr_equal(b, (const unsigned char *)b2->ptr + cap2 - 256);
        } else {
            EXPECT_MAP_REGION(h, 1, U(256), F(REST));
            assert_ptr_equal(b, b2->ptr);
        }
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        EXPECT_MAP_REGION(h, 0, F(REST));
        EXPECT_MAP_REGION(h, 1, F(REST));
        assert_int_equal(ht_stats(h).free_blocks, 2);
        ht_walk_free(&w);
    }
}

#if RTM_HEAP_BEST_TOP_BY_NEXT
/* Best fit with RTM_HEAP_BEST_TOP_BY_NEXT=1 (the default): a split block is cut from the top iff
 * the block after it is smaller than the request (the sentinel counts as 0), else from the bottom. */
static void test_layout_best_top_by_next(void **state)
{
    (void)state;
    rtm_heap *h;
    HT_NEW(h, 8192, RTM_FIT_BEST);
    /* a minimum block too (best fit's top-split threshold is the minimum block; mutant
     * top_split_min_of "MIN_BLOCK + A" cut it from the bottom) */
    void *m = alloc_block(h, HT_ROUND(HT_MIN_BLOCK));
    EXPECT_MAP(h, F(REST), U(HT_ROUND(HT_MIN_BLOCK)));
    rtm_heap_free(h, m);
    EXPECT_MAP(h, F(REST));
    void *a = alloc_block(h, 64); /* next is the sentinel: top */
    EXPECT_MAP(h, F(REST), U(64));
    void *b = alloc_block(h, 128); /* next is a (64 < 128): top */
    EXPECT_MAP(h, F(REST), U(128), U(64));
    void *c = alloc_block(h, 64); /* next is b (128 >= 64): bottom */
    EXPECT_MAP(h, U(64), F(REST), U(128), U(64));
    rtm_heap_free(h, b);
    EXPECT_MAP(h, U(64), F(REST), U(64));
    void *d = alloc_block(h, 64); /* next is a (64, not smaller): bottom */
    EXPECT_MAP(h, U(64), U(64), F(REST), U(64));
    void *e = alloc_block(h, 256); /* next is a (64 < 256): top */
    EXPECT_MAP(h, U(64), U(64), F(REST), U(256), U(64));
    void *x = alloc_block(h, 32); /* next is e (256): bottom */
    EXPECT_MAP(h, U(64), U(64), U(32), F(REST), U(256), U(64));
    rtm_heap_free(h, e);
    rtm_heap_free(h, c);
    EXPECT_MAP(h, F(64), U(64), U(32), F(REST), U(64));
    void *y = alloc_block(h, 32); /* smallest fit is the 64 hole; next is d (64 >= 32): bottom */
    EXPECT_MAP(h, U(32), F(32), U(64), U(32), F(REST), U(64));
    rtm_heap_free(h, d);
    EXPECT_MAP(h, U(32), F(96), U(32), F(REST), U(64));
    void *z = alloc_block(h, 48); /* smallest fit is the 96 hole; next is x (32 < 48): top */
    EXPECT_MAP(h, U(32), F(48), U(48), U(32), F(REST), U(64));
    /* no split (the rest, 8 bytes, is under a minimum block): the whole hole */
    void *w = rtm_heap_alloc(h, ht_req_for_block(40));
    assert_non_null(w);
    assert_int_equal(rtm_heap_usable_size(h, w), 48 - HT_HDR);
    EXPECT_MAP(h, U(32), U(48), U(48), U(32), F(REST), U(64));
    void *all[] = {w, z, x, y, a};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) rtm_heap_free(h, all[i]);
    EXPECT_MAP(h, F(REST));
    /* good and first fit are unchanged by the option: bottom up */
    for (int f = 0; f < 3; f += 2) {
        HT_NEW(h, 8192, ht_fits[f]);
        void *p = alloc_block(h, 64), *q = alloc_block(h, 128);
        EXPECT_MAP(h, U(64), U(128), F(REST));
        rtm_heap_free(h, p);
        rtm_heap_free(h, q);
    }
}
#endif

/* Best fit's choice inside one class list (scan_list): the smallest block that fits, the lowest
 * address among equal sizes, whatever the list order. Blocks of 2048..2111 bytes share a class in
 * every build (SL_LOG2 5, 4, 2; RTM_ALIGN 8 or 16), and an exact fit is never split, so the map
 * is the same under either placement rule. A list keeps its lowest-addressed block first and puts
 * each block freed above it second: freed in the order low, high, middle, the list is low, middle,
 * high. (Mutants: scan_list "s <= found_size", which took the last of equal sizes; "s !=
 * found_size && b < found", which let a larger block at a lower address replace a smaller one.) */
static void test_layout_best_ties(void **state)
{
    (void)state;
    rtm_heap *h;
    HT_NEW(h, 16384, RTM_FIT_BEST);
    void *lid = ht_lid(h, ht_req_for_block(2080));
    void *e1 = alloc_block(h, 2048), *s1 = alloc_block(h, 64);
    void *e2 = alloc_block(h, 2048), *s2 = alloc_block(h, 64);
    void *e3 = alloc_block(h, 2048), *s3 = alloc_block(h, 64);
    ht_lid_off(h, lid);
    EXPECT_MAP(h, U(2048), U(64), U(2048), U(64), U(2048), U(64), F(REST));
    rtm_heap_free(h, e1);
    rtm_heap_free(h, e3);
    rtm_heap_free(h, e2); /* list: e1, e2, e3 */
    EXPECT_MAP(h, F(2048), U(64), F(2048), U(64), F(2048), U(64), F(REST));
    void *p = alloc_block(h, 2048);
    assert_ptr_equal(p, e1); /* equal sizes: the lowest address, the list's first */
    EXPECT_MAP(h, U(2048), U(64), F(2048), U(64), F(2048), U(64), F(REST));
    rtm_heap_free(h, p);
    EXPECT_MAP(h, F(2048), U(64), F(2048), U(64), F(2048), U(64), F(REST));
    rtm_heap_free(h, s1);
    rtm_heap_free(h, s2);
    rtm_heap_free(h, s3);
    EXPECT_MAP(h, F(REST));

    /* Sizes 2080 (lowest), 2064, 2048 (highest), freed lowest, middle, highest: the list is 2080,
     * 2048, 2064; a 2048-byte request takes the 2048 block although a larger one lies below it. */
    HT_NEW(h, 16384, RTM_FIT_BEST);
    lid = ht_lid(h, ht_req_for_block(2080));
    void *m0 = alloc_block(h, 2080);
    s1 = alloc_block(h, 64);
    void *l = alloc_block(h, 2064);
    s2 = alloc_block(h, 64);
    void *sm = alloc_block(h, 2048);
    s3 = alloc_block(h, 64);
    ht_lid_off(h, lid);
    EXPECT_MAP(h, U(2080), U(64), U(2064), U(64), U(2048), U(64), F(REST));
    rtm_heap_free(h, m0);
    rtm_heap_free(h, l);
    rtm_heap_free(h, sm);
    p = alloc_block(h, 2048);
    assert_ptr_equal(p, sm);
    EXPECT_MAP(h, F(2080), U(64), F(2064), U(64), U(2048), U(64), F(REST));
    p = alloc_block(h, 2064); /* then 2064 exactly, below-address 2080 notwithstanding */
    assert_ptr_equal(p, l);
    EXPECT_MAP(h, F(2080), U(64), U(2064), U(64), U(2048), U(64), F(REST));
    rtm_heap_free(h, s1); /* all back: Valgrind's pool would report live blocks of a dropped heap */
    rtm_heap_free(h, s2);
    rtm_heap_free(h, s3);
    rtm_heap_free(h, l);
    rtm_heap_free(h, sm);
    EXPECT_MAP(h, F(REST));
}

int main(void)
{
    /* Every scenario runs in both builds: best fit's expectations follow the option (top_rule). */
    const struct CMUnitTest tests[] = {
#if RTM_HEAP_BEST_TOP_BY_NEXT
        cmocka_unit_test(test_layout_best_top_by_next),
#endif
        cmocka_unit_test(test_layout_init_and_sentinel),
        cmocka_unit_test(test_layout_split_sequence),
        cmocka_unit_test(test_layout_coalesce),
        cmocka_unit_test(test_layout_split_hole_and_no_split),
        cmocka_unit_test(test_layout_top_split),
        /* The rest are written for good fit's default placement (RTM_HEAP_TOP_SPLIT_LAST=1);
         * test_heap_layout_topany runs the scenarios above, test_layout_top_split for its rule. */
#if X8_SCENARIOS && RTM_HEAP_TOP_SPLIT_LAST
        cmocka_unit_test(test_layout_policy_choice),
        cmocka_unit_test(test_layout_no_false_oom),
#endif
        cmocka_unit_test(test_layout_aligned),
#if RTM_HEAP_TOP_SPLIT_LAST
        cmocka_unit_test(test_layout_realloc),
        cmocka_unit_test(test_layout_low_pick_large),
#endif
        cmocka_unit_test(test_layout_low_pick_small),
        cmocka_unit_test(test_layout_regions),
        cmocka_unit_test(test_layout_best_ties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
