/*
 * Randomized test of every policy against a reference model.
 *
 * RTM_SEED=<n> replays a run (the seed is printed); RTM_TEST_OPS=<n> sets the operation count
 * (default 1,000,000 per policy in optimised builds, scaled down by rtm_test_ops() for debug,
 * sanitizer and Valgrind builds).
 *
 * The model keeps every live block (pointer, requested size, usable size, alignment, id) and its
 * own totals. After every operation: the statistics equal the model's (allocs, frees, failed
 * allocations, used blocks, used bytes = sum of usable + header, peak; no rejected calls), every
 * returned pointer is aligned and lies in a region, and no two live blocks overlap (a shadow map
 * records the owner of every RTM_ALIGN-byte granule of each region). Block contents carry a pattern
 * derived from their id, checked before every free and realloc (and all of them periodically).
 * rtm_heap_check runs after every operation in debug builds (RTM_DEBUG) and every 4096 operations
 * otherwise. When an allocation fails, a walk proves that no free block could have held it (the
 * good-fit promise, also for best and first fit; skipped for good fit with RTM_HEAP_STRICT_O1=1;
 * every 8th failure in optimised builds). Besides, a request for exactly the largest free block
 * must succeed.
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
#ifndef RTM_HEAP_REALLOC_ALIGN_MAX
#define RTM_HEAP_REALLOC_ALIGN_MAX 4096u /* the heap's default */
#endif

#define REGION0_BYTES (256u * 1024u)
#define REGION1_BYTES (64u * 1024u)
#define MAX_LIVE 8192

typedef struct {
    unsigned char *ptr;
    size_t req;    /* requested bytes (pattern length) */
    size_t usable; /* rtm_heap_usable_size at allocation */
    size_t align;  /* alignment asked for (RTM_ALIGN for plain allocations) */
    uint32_t id;
} live_blk;

typedef struct {
    rtm_heap *h;
    rtm_fit fit;
    uint64_t seed;
    size_t op;
    rtm_test_rng rng;
    unsigned char *reg[2];
    size_t reg_bytes[2];
    uint32_t *owner[2]; /* id of the live block covering each granule, 0 if none */
    live_blk live[MAX_LIVE];
    size_t nlive;
    uint32_t next_id;
    /* model totals */
    size_t allocs, frees, failed, used, peak;
    ht_walk w;
} rig;

static rig R;

#define RCHECK(cond)                                                                                       \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            print_error("random heap test: policy %s, RTM_SEED=%llu, op %zu: %s\n", rtm_fit_name(R.fit),   \
                        (unsigned long long)R.seed, R.op, #cond);                                          \
            fail();                                                                                        \
        }                                                                                                  \
    } while (0)

static uint64_t rnd(uint64_t n) { return rtm_test_rnd(&R.rng, n); }

/* ---- shadow ownership map --------------------------------------------------------------------- */
static int region_of(const unsigned char *p, size_t n)
{
    for (int r = 0; r < 2; r++)
        if (p >= R.reg[r] && p + n <= R.reg[r] + R.reg_bytes[r]) return r;
    return -1;
}
/* Granule index of p in region r, counted from the RTM_ALIGN boundary at or below the region's
 * start (regions start misaligned on purpose; payloads are aligned, so granules never straddle two
 * blocks' payloads even with a 4-byte header between them). */
static size_t granule_of(int r, const unsigned char *p)
{
    return (size_t)(((uintptr_t)p - ((uintptr_t)R.reg[r] & ~(uintptr_t)(RTM_ALIGN - 1))) / RTM_ALIGN);
}

/* Marks [p, p + n) as owned by id (id 0: clears); when marking, every granule must be unowned. */
static void shadow_set(const unsigned char *p, size_t n, uint32_t id)
{
    int r = region_of(p, n);
    RCHECK(r >= 0);
    size_t g0 = granule_of(r, p), g1 = granule_of(r, p + n + RTM_ALIGN - 1);
    uint32_t *o = R.owner[r];
    if (id != 0) {
        for (size_t g = g0; g < g1; g++) {
            if (o[g] != 0) {
                print_error("overlap: new block %p+%zu hits live block id %u\n", (const void *)p, n, o[g]);
                RCHECK(o[g] == 0);
            }
            o[g] = id;
        }
    } else {
        for (size_t g = g0; g < g1; g++) o[g] = 0;
    }
}

/* ---- model ------------------------------------------------------------------------------------ */
static void model_check_stats(void)
{
    rtm_heap_stats s = ht_stats(R.h);
    RCHECK(s.allocs == R.allocs);
    RCHECK(s.frees == R.frees);
    RCHECK(s.failed_allocs == R.failed);
    RCHECK(s.used_blocks == R.nlive);
    RCHECK(s.used == R.used);
    RCHECK(s.peak_used == R.peak);
    RCHECK(s.used + s.free == s.capacity);
    RCHECK(s.bad_frees == 0 && s.bad_requests == 0);
    RCHECK(s.largest_free <= s.free);
}

static void model_add(unsigned char *p, size_t req, size_t align, bool zeroed)
{
    RCHECK(p != NULL);
    RCHECK(ht_aligned(p, align < RTM_ALIGN ? RTM_ALIGN : align));
    size_t us = rtm_heap_usable_size(R.h, p);
    RCHECK(us >= req);
    /* block = max(MIN, round_up(req + H)) unless the rest was too small to split off */
    RCHECK((us + HT_HDR) % RTM_ALIGN == 0);
    RCHECK(us + HT_HDR - ht_block_for(req) < HT_MIN_BLOCK);
    RCHECK(R.nlive < MAX_LIVE);
    if (zeroed)
        for (size_t i = 0; i < req; i++) RCHECK(p[i] == 0);
    uint32_t id = ++R.next_id;
    shadow_set(p, us, id);
    ht_fill(p, req, id);
    R.live[R.nlive++] = (live_blk){p, req, us, align, id};
    R.used += us + HT_HDR;
    if (R.used > R.peak) R.peak = R.used;
}

static void model_remove(size_t i)
{
    live_blk *b = &R.live[i];
    shadow_set(b->ptr, b->usable, 0);
    R.used -= b->usable + HT_HDR;
    R.live[i] = R.live[--R.nlive];
}

static void check_pattern(const live_blk *b)
{
    if (!ht_check(b->ptr, b->req, b->id)) {
        print_error("block id %u at %p (%zu bytes) lost its contents\n", b->id, (void *)b->ptr, b->req);
        RCHECK(!"pattern intact");
    }
}

/* No free block could hold a block of @p need bytes (checked after a failed request; in optimised
 * builds after every 8th failure, as the walk is O(blocks)). */
typedef struct {
    size_t need;
    const rtm_heap_block *bad;
    rtm_heap_block copy;
} no_fit_ctx;
static bool no_fit_cb(const rtm_heap_block *b, void *ctx)
{
    no_fit_ctx *c = ctx;
    if (b->used || b->block_bytes < c->need) return true;
    c->copy = *b;
    c->bad = &c->copy;
    return false;
}
static void check_no_fit(size_t need)
{
    static size_t calls;
    if (R.fit == RTM_FIT_GOOD && RTM_HEAP_STRICT_O1) return;
    if (!rtm_test_is_slow_build() && calls++ % 8 != 0) return;
    no_fit_ctx c = {need, NULL, {0}};
    rtm_heap_walk(R.h, no_fit_cb, &c);
    if (c.bad) {
        print_error("request for a %zu-byte block failed although the free block at %p has %zu\n", need,
                    c.bad->ptr, c.bad->block_bytes);
        RCHECK(!"no false out-of-memory");
    }
}

/* Every live block matches the walk: the used blocks are exactly the live ones. */
static void check_all(void)
{
    for (size_t i = 0; i < R.nlive; i++) check_pattern(&R.live[i]);
    ht_walk_collect(R.h, &R.w);
    size_t used = 0;
    for (size_t i = 0; i < R.w.n; i++) {
        const rtm_heap_block *b = &R.w.b[i];
        if (!b->used) continue;
        used++;
        const unsigned char *p = b->ptr;
        int r = region_of(p, b->size);
        RCHECK(r >= 0);
        size_t g = granule_of(r, p);
        RCHECK(R.owner[r][g] != 0);                        /* a live block starts here */
        RCHECK(g == 0 || R.owner[r][g - 1] != R.owner[r][g]); /* ... and not before */
    }
    RCHECK(used == R.nlive);
}

/* ---- operations ------------------------------------------------------------------------------- */
static size_t pick_size(void)
{
    uint64_t d = rnd(100);
    if (d < 35) return 1 + (size_t)rnd(64);                                  /* small */
    if (d < 65) return 1 + (size_t)rnd(1024);                                /* medium */
    if (d < 90) return rnd(32) == 0 ? 1024 + (size_t)rnd(3073) : 16 + (size_t)rnd(17); /* bimodal */
    if (d < 99) return 1 + (size_t)rnd(REGION0_BYTES / 16);                  /* large */
    return REGION0_BYTES / 2 + (size_t)rnd(REGION0_BYTES / 2);               /* near capacity */
}

static void op_alloc(void)
{
    uint64_t k = rnd(100);
    size_t n = pick_size();
    if (k < 60) {
        unsigned char *p = rtm_heap_alloc(R.h, n);
        if (p) {
            R.allocs++;
            model_add(p, n, RTM_ALIGN, false);
        } else {
            R.failed++;
            check_no_fit(ht_block_for(n));
        }
    } else if (k < 80) {
        size_t align = (size_t)1 << rnd(13); /* 1 .. 4096 */
        unsigned char *p = rtm_heap_aligned_alloc(R.h, align, n);
        if (p) {
            R.allocs++;
            model_add(p, n, align, false);
        } else {
            R.failed++;
        }
    } else if (k < 95) {
        size_t m = 1 + (size_t)rnd(8), sz = n / m + 1;
        unsigned char *p = rtm_heap_calloc(R.h, m, sz);
        if (p) {
            R.allocs++;
            model_add(p, m * sz, RTM_ALIGN, true);
        } else {
            R.failed++;
            check_no_fit(ht_block_for(m * sz));
        }
    } else {
        /* the largest free block, exactly: must succeed while it exists */
        rtm_heap_stats s = ht_stats(R.h);
        if (s.largest_free < HT_MIN_BLOCK || rnd(4) != 0) return;
        unsigned char *p = rtm_heap_alloc(R.h, s.largest_free - HT_HDR);
        if (R.fit != RTM_FIT_GOOD || !RTM_HEAP_STRICT_O1) RCHECK(p != NULL);
        if (p) {
            R.allocs++;
            model_add(p, s.largest_free - HT_HDR, RTM_ALIGN, false);
        } else {
            R.failed++;
        }
    }
}

static void op_free(size_t i)
{
    check_pattern(&R.live[i]);
    rtm_heap_free(R.h, R.live[i].ptr);
    R.frees++;
    model_remove(i);
}

static void op_realloc(size_t i)
{
    live_blk old = R.live[i];
    check_pattern(&old);
    if (rnd(20) == 0) {
        RCHECK(rtm_heap_realloc(R.h, old.ptr, 0) == NULL);
        R.frees++;
        model_remove(i);
        return;
    }
    size_t n = rnd(2) ? pick_size() : old.req + (size_t)rnd(old.req / 2 + 16); /* grow a little */
    if (rnd(4) == 0) n = 1 + (size_t)rnd(old.req); /* shrink */
    unsigned char *q = rtm_heap_realloc(R.h, old.ptr, n);
    if (q == NULL) {
        R.failed++;
        RCHECK(rtm_heap_usable_size(R.h, old.ptr) == old.usable);
        check_pattern(&old);
        if (old.align <= RTM_ALIGN) check_no_fit(ht_block_for(n)); /* the move was a plain alloc */
        return;
    }
    size_t keep = old.req < n ? old.req : n;
    if (q != old.ptr) {
        /* a moving realloc holds both blocks for a moment: that counts towards the peak */
        R.allocs++;
        R.frees++;
        size_t both = R.used + rtm_heap_usable_size(R.h, q) + HT_HDR;
        if (both > R.peak) R.peak = both;
    }
    /* the kept bytes still carry the old pattern; the new block is checked like a new one */
    model_remove(i);
    RCHECK(ht_check(q, keep, old.id));
    size_t align = old.align > RTM_ALIGN ? old.align : RTM_ALIGN;
    if (q != old.ptr && align > RTM_HEAP_REALLOC_ALIGN_MAX) align = RTM_HEAP_REALLOC_ALIGN_MAX;
    model_add(q, n, align, false);
    R.live[R.nlive - 1].align = old.align;
}

static void run_policy(rtm_fit fit, uint64_t seed, size_t ops)
{
    memset(&R, 0, offsetof(rig, live));
    R.nlive = 0;
    R.next_id = 0;
    R.allocs = R.frees = R.failed = R.used = R.peak = 0;
    R.fit = fit;
    R.seed = seed;
    R.rng.s = seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(fit + 1));
    R.reg_bytes[0] = REGION0_BYTES;
    R.reg_bytes[1] = REGION1_BYTES;
    R.reg[0] = ht_buffer(REGION0_BYTES, (size_t)rnd(RTM_ALIGN));
    R.reg[1] = ht_buffer(REGION1_BYTES, (size_t)rnd(RTM_ALIGN));
    for (int r = 0; r < 2; r++) {
        R.owner[r] = calloc(R.reg_bytes[r] / RTM_ALIGN + 2, sizeof(uint32_t));
        assert_non_null(R.owner[r]);
    }
    R.h = rtm_heap_init(R.reg[0], R.reg_bytes[0], fit);
    assert_non_null(R.h);
    bool two_regions = rnd(4) != 0;
    if (two_regions) assert_int_equal(rtm_heap_add_region(R.h, R.reg[1], R.reg_bytes[1]), RTM_OK);
    const size_t check_every = rtm_test_is_slow_build() ? 1 : 4096;
    const size_t all_every = rtm_test_is_slow_build() ? 997 : 65536;
    unsigned pressure = 50;
    for (R.op = 0; R.op < ops; R.op++) {
        if (R.op % 4000 == 0) pressure = 30 + (unsigned)rnd(45); /* phases that fill and drain */
        if (R.nlive == 0 || (rnd(100) < pressure && R.nlive < MAX_LIVE)) {
            op_alloc();
        } else {
            size_t i = (size_t)rnd(R.nlive);
            if (rnd(100) < 70) op_free(i);
            else op_realloc(i);
        }
        model_check_stats();
        if (R.op % check_every == 0) RCHECK(rtm_heap_check(R.h) == RTM_OK);
        if (R.op % all_every == 0) check_all();
    }
    check_all();
    while (R.nlive > 0) op_free(R.nlive - 1);
    model_check_stats();
    RCHECK(rtm_heap_check(R.h) == RTM_OK);
    rtm_heap_stats s = ht_stats(R.h);
    RCHECK(s.free == s.capacity);
    RCHECK(s.free_blocks == (two_regions ? 2u : 1u));
    for (int r = 0; r < 2; r++) free(R.owner[r]);
    ht_walk_free(&R.w);
}

static uint64_t g_seed;
static size_t g_ops;

static void test_random_good(void **state)
{
    (void)state;
    run_policy(RTM_FIT_GOOD, g_seed, g_ops);
}
static void test_random_best(void **state)
{
    (void)state;
    run_policy(RTM_FIT_BEST, g_seed, g_ops);
}
static void test_random_first(void **state)
{
    (void)state;
    run_policy(RTM_FIT_FIRST, g_seed, g_ops);
}

int main(void)
{
    g_seed = rtm_test_seed();
    g_ops = rtm_test_ops(1000000);
    printf("[ OPS      ] %zu per policy\n", g_ops);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_good),
        cmocka_unit_test(test_random_best),
        cmocka_unit_test(test_random_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
