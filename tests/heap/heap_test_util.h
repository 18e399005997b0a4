/*
 * Helpers shared by the heap's cmocka tests (host only; include after <cmocka.h> and rtm_test.h).
 *
 * Layout facts the tests rely on (fixed by the heap's design, see docs/heap.md):
 *  - a block is one size_t header followed by the payload; the payload is aligned to RTM_ALIGN;
 *  - block sizes are multiples of RTM_ALIGN; the smallest block is 4 words (header, next, prev,
 *    footer when free);
 *  - a request of n bytes takes a block of max(HT_MIN_BLOCK, round_up(n + HT_HDR, RTM_ALIGN));
 *  - the usable size of a block is its size minus the header;
 *  - where a free block is split depends on the policy (docs/heap.md): good and first fit keep the
 *    allocated part at the lower address (good fit: except blocks of RTM_HEAP_TOP_SPLIT_MIN = 512
 *    bytes or more cut from a segment's last free block, which go to its top); best fit
 *    puts it at the top iff the block after the free block is smaller than the request (the
 *    sentinel counts as 0, so a fresh best-fit heap fills from the top). Tests that need blocks in
 *    allocation order from the bottom, with the free rest last, build them under ht_lid().
 * Expectations are written with these macros so that they hold on 32- and 64-bit hosts.
 *
 * Buffers: ht_buffer() hands out fresh, never-reused memory for each heap (kept reachable until
 * exit) so that no test depends on re-initialising a heap over a previous one's memory, which
 * sanitizer and Valgrind bookkeeping of the old heap would see.
 */
#ifndef HEAP_TEST_UTIL_H
#define HEAP_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/heap.h"
#include "rtm_sanitize.h"

#define HT_HDR (sizeof(size_t))
#define HT_MIN_BLOCK (4u * sizeof(size_t))
#define HT_ROUND(x) (((x) + (RTM_ALIGN - 1u)) & ~(size_t)(RTM_ALIGN - 1u))

/** Block bytes that a request of @p n bytes takes (n small enough not to overflow). */
static inline size_t ht_block_for(size_t n)
{
    size_t b = HT_ROUND(n + HT_HDR);
    return b < HT_MIN_BLOCK ? HT_MIN_BLOCK : b;
}
/** Request size whose block is exactly @p block bytes (block >= HT_MIN_BLOCK, multiple of 8). */
static inline size_t ht_req_for_block(size_t block) { return block - HT_HDR; }

/* ---- buffers ---------------------------------------------------------------------------------- */
#define HT_MAX_BUFFERS 4096
/* volatile: the array is never read, and the compiler must not drop the stores that keep the
 * buffers reachable for leak checkers */
static void *volatile ht_buffers[HT_MAX_BUFFERS];
static size_t ht_nbuffers;

/**
 * A fresh buffer of @p bytes starting @p offset bytes past a 64-byte boundary. Never freed or
 * reused (stays reachable through ht_buffers), so every heap gets memory no earlier heap owned.
 */
static inline unsigned char *ht_buffer(size_t bytes, size_t offset)
{
    if (ht_nbuffers >= HT_MAX_BUFFERS) abort();
    size_t total = (bytes + offset + 64u + 63u) & ~(size_t)63u;
    unsigned char *base = aligned_alloc(64, total);
    if (!base) abort();
    ht_buffers[ht_nbuffers++] = base;
    memset(base, 0xA5, total); /* deterministic, non-zero junk */
    return base + offset;
}

/* ---- walks ------------------------------------------------------------------------------------ */
typedef struct {
    rtm_heap_block *b;
    size_t n, cap;
} ht_walk;

static bool ht_walk_cb(const rtm_heap_block *blk, void *ctx)
{
    ht_walk *w = ctx;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        rtm_heap_block *nb = realloc(w->b, cap * sizeof *nb);
        if (!nb) abort();
        w->b = nb;
        w->cap = cap;
    }
    w->b[w->n++] = *blk;
    return true;
}
/** Collects every block of @p h in walk order into @p w (reusing its storage). */
static inline void ht_walk_collect(const rtm_heap *h, ht_walk *w)
{
    w->n = 0;
    rtm_heap_walk(h, ht_walk_cb, w);
}
static inline void ht_walk_free(ht_walk *w)
{
    free(w->b);
    w->b = NULL;
    w->n = w->cap = 0;
}
/** Same block sequence (address, size, state, region). */
static inline bool ht_walk_equal(const ht_walk *a, const ht_walk *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++) {
        const rtm_heap_block *x = &a->b[i], *y = &b->b[i];
        if (x->ptr != y->ptr || x->size != y->size || x->block_bytes != y->block_bytes || x->used != y->used ||
            x->region != y->region)
            return false;
    }
    return true;
}

/** Same statistics, field by field. */
static inline bool ht_stats_equal(const rtm_heap_stats *a, const rtm_heap_stats *b)
{
    return a->capacity == b->capacity && a->used == b->used && a->free == b->free &&
           a->largest_free == b->largest_free && a->free_blocks == b->free_blocks && a->peak_used == b->peak_used &&
           a->allocs == b->allocs && a->frees == b->frees && a->failed_allocs == b->failed_allocs &&
           a->bad_frees == b->bad_frees && a->frag_permille == b->frag_permille && a->used_blocks == b->used_blocks &&
           a->bad_requests == b->bad_requests && a->regions == b->regions && a->max_alloc == b->max_alloc;
}

static inline rtm_heap_stats ht_stats(const rtm_heap *h)
{
    rtm_heap_stats s;
    memset(&s, 0xA5, sizeof s);
    rtm_heap_get_stats(h, &s);
    return s;
}

/** Largest free block (block bytes) according to a walk. */
static inline size_t ht_walk_largest_free(const ht_walk *w)
{
    size_t m = 0;
    for (size_t i = 0; i < w->n; i++)
        if (!w->b[i].used && w->b[i].block_bytes > m) m = w->b[i].block_bytes;
    return m;
}

/* ---- pattern ---------------------------------------------------------------------------------- */
/** Fills [p, p+n) with a pattern derived from @p id. p is RTM_ALIGN-aligned. */
static inline void ht_fill(void *p, size_t n, uint64_t id)
{
    unsigned char *c = p;
    uint64_t w = id * 0x9E3779B97F4A7C15ull + 0x5851F42D4C957F2Dull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v = w ^ (uint64_t)i * 0xD1342543DE82EF95ull;
        memcpy(c + i, &v, 8);
    }
    if (i < n) {
        uint64_t v = w ^ (uint64_t)i * 0xD1342543DE82EF95ull;
        memcpy(c + i, &v, n - i);
    }
}
/** True when [p, p+n) still holds ht_fill(p, n, id)'s pattern. */
static inline bool ht_check(const void *p, size_t n, uint64_t id)
{
    const unsigned char *c = p;
    uint64_t w = id * 0x9E3779B97F4A7C15ull + 0x5851F42D4C957F2Dull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v = w ^ (uint64_t)i * 0xD1342543DE82EF95ull, got;
        memcpy(&got, c + i, 8);
        if (got != v) return false;
    }
    if (i < n) {
        uint64_t v = w ^ (uint64_t)i * 0xD1342543DE82EF95ull;
        if (memcmp(c + i, &v, n - i) != 0) return false;
    }
    return true;
}

static inline bool ht_aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1u)) == 0; }

/* ---- raw header access for corruption tests --------------------------------------------------- */
/* The header word sits right before the payload. The test owns the memory; under ASan/Valgrind the
 * heap may mark headers no-access, so make them accessible to the test before touching them. */
static inline size_t *ht_header(void *payload)
{
    size_t *hdr = (size_t *)((unsigned char *)payload - HT_HDR);
    rtm_san_access(hdr, HT_HDR);
    return hdr;
}

/* ---- snapshots: "the heap is unchanged" ------------------------------------------------------ */
typedef struct {
    rtm_heap_stats st;
    ht_walk w;
} ht_snap;

static inline void ht_snap_take(const rtm_heap *h, ht_snap *s)
{
    s->st = ht_stats(h);
    ht_walk_collect(h, &s->w);
}

/** Keeps pointers reachable until exit (blocks deliberately left live, e.g. in a corrupted heap). */
static void *volatile ht_kept[4096];
static size_t ht_nkept;
static inline void ht_keep(void *p)
{
    if (ht_nkept < sizeof ht_kept / sizeof ht_kept[0]) ht_kept[ht_nkept++] = p;
}

static const rtm_fit ht_fits[3] = {RTM_FIT_GOOD, RTM_FIT_BEST, RTM_FIT_FIRST};

/* ---- placement-independent setup ------------------------------------------------------------- */
/** True when @p p is the payload of the last block of @p h (the one just below the sentinel). */
static inline bool ht_is_last_block(const rtm_heap *h, const void *p)
{
    ht_walk w = {0};
    ht_walk_collect(h, &w);
    bool last = w.n > 0 && w.b[w.n - 1].ptr == p;
    ht_walk_free(&w);
    return last;
}

/**
 * Call on a fresh heap (one free block) before allocating blocks that must lie in allocation
 * order from the bottom up, with the free rest last; @p max_req is at least the largest of those
 * requests. Takes a block of max_req bytes. If the heap put it at its top (best fit's placement:
 * the sentinel after the fresh block counts as 0), it stays there as a lid: the free rest below it
 * is then followed by a block no smaller than any later request, so best fit cuts those from the
 * bottom; the caller gives it back with ht_lid_off() once its blocks are in place, and it merges
 * with the free rest (which is last again). Otherwise the heap fills from the bottom anyway: the
 * block is freed at once (the heap is one free block again; only the alloc/free counters moved) and
 * NULL is returned.
 */
static inline void *ht_lid(rtm_heap *h, size_t max_req)
{
    void *lid = rtm_heap_alloc(h, max_req);
    assert_non_null(lid);
    if (ht_is_last_block(h, lid)) return lid;
    rtm_heap_free(h, lid);
    assert_int_equal(ht_stats(h).free_blocks, 1);
    assert_int_equal(ht_stats(h).used_blocks, 0);
    return NULL;
}
/** Gives back what ht_lid() kept (NULL: nothing); the free rest is then the last block. */
static inline void ht_lid_off(rtm_heap *h, void *lid)
{
    if (lid == NULL) return;
    rtm_heap_free(h, lid);
    ht_walk w = {0};
    ht_walk_collect(h, &w);
    assert_true(w.n > 0 && !w.b[w.n - 1].used);
    ht_walk_free(&w);
}

/** A heap of policy @p fit in a fresh buffer of @p bytes; fails the test if init fails. */
#define HT_NEW(h, bytes, fit)                                                                            \
    do {                                                                                                 \
        (h) = rtm_heap_init(ht_buffer((bytes), 0), (bytes), (fit));                                     \
        assert_non_null(h);                                                                              \
    } while (0)

#endif /* HEAP_TEST_UTIL_H */
