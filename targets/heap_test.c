/*
 * Heap scenarios on the target: the heap core (src/heap.c) built for the board's instruction set,
 * run through alloc / free / realloc / aligned / calloc scenarios with exact block maps and
 * rtm_heap_check() after every step, on all three policies, plus a seeded randomized run against
 * a reference model (fixed seed, printed). One PASS/FAIL line per case.
 */
#include "rtmem/heap.h"
#include "tgt.h"

#ifndef ARENA_BYTES /* a board with little RAM sets less (targets/CMakeLists.txt: microbit) */
#define ARENA_BYTES 16384u
#endif
#define HDR sizeof(size_t)
#define BLK(n) ((((n) + HDR) + (RTM_ALIGN - 1u)) & ~(size_t)(RTM_ALIGN - 1u)) /* block bytes of a request */

static unsigned char g_arena[ARENA_BYTES] __attribute__((aligned(16)));

/* ---- error hook capture ---- */
static unsigned g_reports[RTM_ERR_COUNT_];
static const void *g_last_ptr;
static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)object;
    if ((unsigned)code < RTM_ERR_COUNT_) g_reports[code]++;
    g_last_ptr = ptr;
}
static void reports_clear(void)
{
    for (unsigned i = 0; i < RTM_ERR_COUNT_; i++) g_reports[i] = 0;
    g_last_ptr = NULL;
}

/* ---- block map ---- */
#define MAP_MAX 64
typedef struct {
    size_t n;
    rtm_heap_block b[MAP_MAX];
} block_map;
static bool map_cb(const rtm_heap_block *blk, void *ctx)
{
    block_map *m = ctx;
    if (m->n < MAP_MAX) m->b[m->n] = *blk;
    m->n++;
    return true;
}
static void map_of(const rtm_heap *h, block_map *m)
{
    m->n = 0;
    rtm_heap_walk(h, map_cb, m);
}

/* Expected map entry: block bytes and state; 0 bytes = "the rest of the heap" (at most one). */
typedef struct {
    size_t bytes;
    bool used;
} want_block;

#define CHECK_HEAP(h) TGT_CHECK(rtm_heap_check(h) == RTM_OK)

/* Compares the heap's block map with want[0..n); one entry may be {0, false}: the remainder (the
 * capacity less every other entry), wherever it lies (best fit fills a fresh heap from the top). */
static void check_map(const rtm_heap *h, const want_block *want, size_t n, int line)
{
    block_map m;
    rtm_heap_stats st;
    map_of(h, &m);
    rtm_heap_get_stats(h, &st);
    bool ok = m.n == n;
    size_t known = 0;
    for (size_t i = 0; i < n; i++) known += want[i].bytes;
    for (size_t i = 0; ok && i < n; i++) {
        size_t expect = want[i].bytes != 0 ? want[i].bytes : st.capacity - known;
        ok = m.b[i].used == want[i].used && m.b[i].block_bytes == expect;
    }
    if (!ok) {
        tgt_check_failed(__FILE__, line, "block map");
        tgt_puts("  have:");
        for (size_t i = 0; i < m.n && i < MAP_MAX; i++) {
            tgt_puts(m.b[i].used ? " U" : " F");
            tgt_put_u(m.b[i].block_bytes);
        }
        tgt_puts("\n");
    }
}
#define CHECK_MAP(h, ...)                                                               \
    do {                                                                                \
        const want_block w_[] = {__VA_ARGS__};                                          \
        check_map((h), w_, sizeof w_ / sizeof w_[0], __LINE__);                         \
        CHECK_HEAP(h);                                                                  \
    } while (0)
#define U(n) {BLK(n), true}
#define F(n) {(n), false}
#define REST {0, false}

static size_t stat_used(const rtm_heap *h)
{
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    return st.used;
}

static void fill(void *p, size_t n, unsigned seed)
{
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++) c[i] = (unsigned char)(seed * 31u + i);
}
static bool same(const void *p, size_t n, unsigned seed)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(seed * 31u + i)) return false;
    return true;
}

/* ---- scenarios ---- */

static void sc_init(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    CHECK_HEAP(h);
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(rtm_heap_fit(h) == fit);
    TGT_CHECK(st.used == 0 && st.free == st.capacity && st.free_blocks == 1);
    TGT_CHECK(st.largest_free == st.capacity && st.capacity + RTM_HEAP_OVERHEAD(sizeof g_arena) + 2 * RTM_ALIGN >= sizeof g_arena);
    TGT_CHECK(st.capacity <= sizeof g_arena);
    CHECK_MAP(h, REST);
    /* bad init arguments */
    reports_clear();
    TGT_CHECK(rtm_heap_init(NULL, 1024, fit) == NULL);
    TGT_CHECK(rtm_heap_init(g_arena, 8, fit) == NULL);
    TGT_CHECK(rtm_heap_init(g_arena, sizeof g_arena, (rtm_fit)7) == NULL);
    TGT_CHECK(g_reports[RTM_ERR_ARG] + g_reports[RTM_ERR_TOO_SMALL] >= 3);
}

static void sc_alloc_free(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    void *a = rtm_heap_alloc(h, 100);
    void *b = rtm_heap_alloc(h, 64);
    void *c = rtm_heap_alloc(h, 200);
    TGT_REQUIRE(a != NULL && b != NULL && c != NULL);
    TGT_CHECK(((uintptr_t)a | (uintptr_t)b | (uintptr_t)c) % RTM_ALIGN == 0);
    TGT_CHECK(rtm_heap_usable_size(h, a) >= 100 && rtm_heap_usable_size(h, c) >= 200);
    /* Good and first fit fill a fresh heap upwards, in allocation order. Best fit puts a block at
     * the top of the free block it splits when the block above is smaller than the request (the
     * sentinel counts as 0): a goes to the top; b (the 104-byte a above is not smaller) to the
     * bottom; c (a is smaller than 208) to the top, under a. */
    if (fit == RTM_FIT_BEST) {
        TGT_CHECK((uintptr_t)b < (uintptr_t)c && (uintptr_t)c < (uintptr_t)a);
        CHECK_MAP(h, U(64), REST, U(200), U(100));
    } else {
        TGT_CHECK((uintptr_t)a < (uintptr_t)b && (uintptr_t)b < (uintptr_t)c);
        CHECK_MAP(h, U(100), U(64), U(200), REST);
    }
    TGT_CHECK(stat_used(h) == BLK(100) + BLK(64) + BLK(200));
    fill(a, 100, 1);
    fill(b, 64, 2);
    fill(c, 200, 3);

    rtm_heap_free(h, b); /* good/first: a hole between two used blocks; best: merges with the rest */
    if (fit == RTM_FIT_BEST) CHECK_MAP(h, REST, U(200), U(100));
    else CHECK_MAP(h, U(100), F(BLK(64)), U(200), REST);
    rtm_heap_free(h, a); /* good/first: coalesces with the hole after it; best: a hole at the top */
    if (fit == RTM_FIT_BEST) CHECK_MAP(h, REST, U(200), F(BLK(100)));
    else CHECK_MAP(h, F(BLK(100) + BLK(64)), U(200), REST);
    TGT_CHECK(same(c, 200, 3));
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(st.free_blocks == 2 && st.used_blocks == 1 && st.used == BLK(200));
    TGT_CHECK(st.allocs == 3 && st.frees == 2);
    rtm_heap_free(h, c); /* coalesces on both sides: one free block again */
    CHECK_MAP(h, REST);
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(st.free_blocks == 1 && st.used == 0 && st.peak_used == BLK(100) + BLK(64) + BLK(200));
    TGT_CHECK(rtm_heap_alloc(h, 0) == NULL);
    rtm_heap_free(h, NULL);
    CHECK_HEAP(h);
}

static void sc_bad_frees(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    void *a = rtm_heap_alloc(h, 48);
    void *b = rtm_heap_alloc(h, 48);
    TGT_REQUIRE(a != NULL && b != NULL);
    static unsigned char outside[16] __attribute__((aligned(8)));
    reports_clear();
    rtm_heap_free(h, outside);                     /* foreign */
    rtm_heap_free(h, (unsigned char *)a + 1);      /* misaligned interior */
    rtm_heap_free(h, (unsigned char *)a + RTM_ALIGN); /* aligned interior */
    TGT_CHECK(g_reports[RTM_ERR_BAD_PTR] == 3);
    if (fit == RTM_FIT_BEST) CHECK_MAP(h, U(48), REST, U(48)); /* a at the top, b at the bottom */
    else CHECK_MAP(h, U(48), U(48), REST);
    rtm_heap_free(h, a);
    rtm_heap_free(h, a); /* double free */
    TGT_CHECK(g_reports[RTM_ERR_DOUBLE_FREE] == 1 && g_last_ptr == a);
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(st.bad_frees == 4 && st.frees == 1);
    if (fit == RTM_FIT_BEST) CHECK_MAP(h, U(48), REST); /* a merged with the rest below it */
    else CHECK_MAP(h, F(BLK(48)), U(48), REST);
    TGT_CHECK(rtm_heap_usable_size(h, a) == 0 && rtm_heap_usable_size(h, outside) == 0);
    /* bad alignment and overflowing calloc are rejected, not failed allocations */
    reports_clear();
    TGT_CHECK(rtm_heap_aligned_alloc(h, 24, 16) == NULL);
    TGT_CHECK(rtm_heap_calloc(h, SIZE_MAX / 2, 4) == NULL);
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(st.bad_requests == 2 && st.failed_allocs == 0);
    CHECK_HEAP(h);
}

static void sc_realloc(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    unsigned char *a = rtm_heap_realloc(h, NULL, 64); /* NULL: alloc */
    unsigned char *b = rtm_heap_alloc(h, 64);
    TGT_REQUIRE(a != NULL && b != NULL);
    fill(a, 64, 7);
    /* Best fit (see sc_alloc_free): a goes to the top, b to the bottom, and a block that moves
     * lands at the top of the free space, just under the blocks above it. */
    const bool best = fit == RTM_FIT_BEST;
    if (best) CHECK_MAP(h, U(64), REST, U(64));
    else CHECK_MAP(h, U(64), U(64), REST);
    /* grow in place is impossible (b, or for best fit the sentinel, follows): moves, keeps the
     * contents, frees the old block */
    unsigned char *a2 = rtm_heap_realloc(h, a, 300);
    TGT_REQUIRE(a2 != NULL);
    TGT_CHECK(a2 != a && same(a2, 64, 7));
    if (best) CHECK_MAP(h, U(64), REST, U(300), F(BLK(64)));
    else CHECK_MAP(h, F(BLK(64)), U(64), U(300), REST);
    /* shrink in place: same pointer, the tail goes back to the heap (merged with the free block
     * after it) */
    unsigned char *a3 = rtm_heap_realloc(h, a2, 100);
    TGT_CHECK(a3 == a2 && same(a3, 64, 7));
    if (best) CHECK_MAP(h, U(64), REST, U(100), F(BLK(300) - BLK(100) + BLK(64)));
    else CHECK_MAP(h, F(BLK(64)), U(64), U(100), REST);
    /* good/first: grow in place into the free block that follows. Best fit: the 272 bytes after a3
     * are too few, so it moves to the top of the free space and a3 merges with them. */
    unsigned char *a4 = rtm_heap_realloc(h, a3, 1000);
    TGT_REQUIRE(a4 != NULL);
    TGT_CHECK((best ? a4 != a3 : a4 == a3) && same(a4, 64, 7));
    if (best) CHECK_MAP(h, U(64), REST, U(1000), F(BLK(300) + BLK(64)));
    else CHECK_MAP(h, F(BLK(64)), U(64), U(1000), REST);
    /* too large: NULL, the block stays valid and unchanged */
    TGT_CHECK(rtm_heap_realloc(h, a4, sizeof g_arena) == NULL);
    TGT_CHECK(same(a4, 64, 7));
    if (best) CHECK_MAP(h, U(64), REST, U(1000), F(BLK(300) + BLK(64)));
    else CHECK_MAP(h, F(BLK(64)), U(64), U(1000), REST);
    /* size 0 frees */
    TGT_CHECK(rtm_heap_realloc(h, a4, 0) == NULL);
    if (best) CHECK_MAP(h, U(64), REST);
    else CHECK_MAP(h, F(BLK(64)), U(64), REST);
    rtm_heap_free(h, b);
    CHECK_MAP(h, REST);
}

static void sc_aligned_calloc(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    void *small = rtm_heap_alloc(h, 8);
    TGT_REQUIRE(small != NULL);
    static const size_t aligns[] = {1, 8, 16, 64, 256, 1024};
    void *p[6];
    for (unsigned i = 0; i < 6; i++) {
        p[i] = rtm_heap_aligned_alloc(h, aligns[i], 40 + i * 24);
        TGT_REQUIRE(p[i] != NULL);
        size_t al = aligns[i] < RTM_ALIGN ? RTM_ALIGN : aligns[i];
        TGT_CHECK((uintptr_t)p[i] % al == 0);
        TGT_CHECK(rtm_heap_usable_size(h, p[i]) >= 40 + i * 24);
        fill(p[i], 40 + i * 24, 10 + i);
        CHECK_HEAP(h);
    }
    for (unsigned i = 0; i < 6; i++) TGT_CHECK(same(p[i], 40 + i * 24, 10 + i));
    /* realloc of an aligned block keeps its alignment when it moves */
    void *q = rtm_heap_alloc(h, 16);
    TGT_REQUIRE(q != NULL);
    void *m = rtm_heap_realloc(h, p[4], 2000);
    TGT_REQUIRE(m != NULL);
    TGT_CHECK((uintptr_t)m % 256 == 0 && same(m, 40 + 4 * 24, 14));
    p[4] = m;
    CHECK_HEAP(h);
    unsigned char *z = rtm_heap_calloc(h, 37, 3);
    TGT_REQUIRE(z != NULL);
    bool zero = true;
    for (unsigned i = 0; i < 111; i++) zero = zero && z[i] == 0;
    TGT_CHECK(zero);
    rtm_heap_free(h, z);
    rtm_heap_free(h, q);
    for (unsigned i = 0; i < 6; i++) {
        rtm_heap_free(h, p[i]);
        CHECK_HEAP(h);
    }
    rtm_heap_free(h, small);
    CHECK_MAP(h, REST);
}

/* Two holes, 208 and 72 bytes: first-fit takes the lower one, best-fit the smaller one. */
static void sc_policy(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    void *big = rtm_heap_alloc(h, BLK(200) - HDR);
    void *s1 = rtm_heap_alloc(h, 16);
    void *mid = rtm_heap_alloc(h, BLK(64) - HDR);
    void *s2 = rtm_heap_alloc(h, 16);
    TGT_REQUIRE(big != NULL && s1 != NULL && mid != NULL && s2 != NULL);
    rtm_heap_free(h, big);
    rtm_heap_free(h, mid);
    /* Best fit put big at the top (the sentinel above is smaller) and the rest at the bottom in
     * order (big above is not smaller than them): freeing big merges it with the rest. */
    if (fit == RTM_FIT_BEST) CHECK_MAP(h, U(16), F(BLK(64)), U(16), REST);
    else CHECK_MAP(h, F(BLK(200)), U(16), F(BLK(64)), U(16), REST);
    void *x = rtm_heap_alloc(h, BLK(64) - HDR);
    TGT_REQUIRE(x != NULL);
    if (fit == RTM_FIT_FIRST) {
        TGT_CHECK(x == big);
        CHECK_MAP(h, U(64), F(BLK(200) - BLK(64)), U(16), F(BLK(64)), U(16), REST);
    } else if (fit == RTM_FIT_BEST) {
        TGT_CHECK(x == mid);
        CHECK_MAP(h, U(16), U(64), U(16), REST);
    } else {
        /* good fit: any block of a class that certainly fits; never the exact-fit search's job */
        TGT_CHECK(rtm_heap_usable_size(h, x) >= BLK(64) - HDR);
    }
    rtm_heap_free(h, x);
    rtm_heap_free(h, s1);
    rtm_heap_free(h, s2);
    CHECK_MAP(h, REST);
}

static void sc_exhaust(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    static void *ptrs[512];
    size_t n = 0;
    while (n < 512) {
        void *p = rtm_heap_alloc(h, 40);
        if (p == NULL) break;
        ptrs[n++] = p;
    }
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(n > 100 && n < 512);
    TGT_CHECK(st.failed_allocs == 1 && st.used_blocks == n);
    TGT_CHECK(st.free < BLK(40));
    CHECK_HEAP(h);
    /* free every other one: no coalescing possible, then the rest: back to one block */
    for (size_t i = 0; i < n; i += 2) rtm_heap_free(h, ptrs[i]);
    CHECK_HEAP(h);
    rtm_heap_get_stats(h, &st);
    TGT_CHECK(st.used_blocks == n / 2);
    TGT_CHECK(rtm_heap_alloc(h, 2 * BLK(40)) == NULL || st.largest_free >= 2 * BLK(40));
    for (size_t i = 1; i < n; i += 2) rtm_heap_free(h, ptrs[i]);
    CHECK_MAP(h, REST);
}

/* Randomized: alloc / free / realloc against a model of live blocks, each filled with a pattern
 * derived from its id and checked before it is freed; rtm_heap_check after every operation. */
static void sc_random(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    enum { SLOTS = 48, OPS = 3000 };
    static unsigned char *ptr[SLOTS];
    static size_t len[SLOTS];
    static unsigned id[SLOTS];
    uint64_t seed = 20261126u + (uint64_t)fit;
    tgt_puts("  seed ");
    tgt_put_u(seed);
    tgt_puts("\n");
    for (unsigned i = 0; i < SLOTS; i++) ptr[i] = NULL;
    size_t live_bytes = 0;
    unsigned next_id = 1;
    for (unsigned op = 0; op < OPS && tgt_case_failures() == 0; op++) {
        uint64_t r = tgt_rand(&seed);
        unsigned s = (unsigned)(r % SLOTS);
        size_t want = 1 + (size_t)((r >> 16) % ((r >> 40) % 4 == 0 ? 1200u : 96u));
        if (ptr[s] == NULL) {
            unsigned char *p = ((r >> 8) & 3) == 0 ? rtm_heap_aligned_alloc(h, (size_t)1 << (3 + (r >> 12) % 6), want)
                                                   : rtm_heap_alloc(h, want);
            if (p != NULL) {
                ptr[s] = p;
                len[s] = want;
                id[s] = next_id++;
                fill(p, want, id[s]);
                live_bytes += want;
            }
        } else if (((r >> 8) & 3) == 1) {
            unsigned char *p = rtm_heap_realloc(h, ptr[s], want);
            size_t keep = want < len[s] ? want : len[s];
            if (p != NULL) {
                TGT_CHECK(same(p, keep, id[s]));
                live_bytes = live_bytes - len[s] + want;
                ptr[s] = p;
                len[s] = want;
                id[s] = next_id++;
                fill(p, want, id[s]);
            } else {
                TGT_CHECK(same(ptr[s], len[s], id[s]));
            }
        } else {
            TGT_CHECK(same(ptr[s], len[s], id[s]));
            rtm_heap_free(h, ptr[s]);
            live_bytes -= len[s];
            ptr[s] = NULL;
        }
        if (rtm_heap_check(h) != RTM_OK) {
            tgt_check_failed(__FILE__, __LINE__, "rtm_heap_check after op");
            tgt_put_u(op);
            tgt_puts("\n");
        }
        rtm_heap_stats st;
        rtm_heap_get_stats(h, &st);
        size_t used_n = 0;
        for (unsigned i = 0; i < SLOTS; i++) used_n += ptr[i] != NULL;
        TGT_CHECK(st.used_blocks == used_n && st.used + st.free == st.capacity && st.used >= live_bytes);
    }
    for (unsigned i = 0; i < SLOTS; i++) {
        if (ptr[i] == NULL) continue;
        TGT_CHECK(same(ptr[i], len[i], id[i]));
        rtm_heap_free(h, ptr[i]);
    }
    CHECK_MAP(h, REST);
}

/* Deliberate corruption: an overrun into the next block's header must be found by the check. */
static void sc_corrupt(rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    /* Two physically adjacent used blocks a < b. Good and first fit give the first two
     * allocations; best fit puts the first at the top and the next ones at the bottom, in order. */
    unsigned char *p[3];
    for (unsigned i = 0; i < 3; i++) {
        p[i] = rtm_heap_alloc(h, 32);
        TGT_REQUIRE(p[i] != NULL);
    }
    unsigned char *a = NULL, *b = NULL;
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < 3; j++)
            if (p[j] == p[i] + rtm_heap_usable_size(h, p[i]) + HDR) {
                a = p[i];
                b = p[j];
            }
    TGT_REQUIRE(a != NULL && b != NULL);
    size_t usable = rtm_heap_usable_size(h, a);
    size_t saved[2];
    size_t *hdr = (size_t *)(void *)(b - HDR); /* b's header follows a's payload */
    TGT_REQUIRE((unsigned char *)hdr >= a + usable - HDR);
    saved[0] = hdr[0];
    reports_clear();
    hdr[0] ^= (size_t)0x5A5A5A50u; /* an overrun of a scribbles on b's size word */
    TGT_CHECK(rtm_heap_check(h) == RTM_ERR_CORRUPT);
    TGT_CHECK(g_reports[RTM_ERR_CORRUPT] >= 1);
    hdr[0] = saved[0];
    CHECK_HEAP(h);
    (void)saved[1];
    for (unsigned i = 0; i < 3; i++) rtm_heap_free(h, p[i]);
    CHECK_MAP(h, REST);
}

/* The locked wrapper through the port's lock (a flag on these single-threaded ports). */
static void sc_locked(rtm_fit fit)
{
    static rtm_heap_locked lh;
    TGT_REQUIRE(rtm_heap_locked_init(&lh, g_arena, sizeof g_arena, fit) == RTM_OK);
    void *a = rtm_heap_locked_alloc(&lh, 100);
    void *b = rtm_heap_locked_aligned_alloc(&lh, 64, 100);
    TGT_REQUIRE(a != NULL && b != NULL);
    TGT_CHECK((uintptr_t)b % 64 == 0);
    a = rtm_heap_locked_realloc(&lh, a, 400);
    TGT_REQUIRE(a != NULL);
    TGT_CHECK(rtm_heap_locked_check(&lh) == RTM_OK);
    rtm_heap_locked_free(&lh, a);
    rtm_heap_locked_free(&lh, b);
    rtm_heap_stats st;
    rtm_heap_locked_get_stats(&lh, &st);
    TGT_CHECK(st.used == 0 && st.free_blocks == 1);
    /* the lock is free again after every call: a second lock would be reported as recursion */
    reports_clear();
    rtm_port_lock(&lh.sync);
    rtm_port_unlock(&lh.sync);
    TGT_CHECK(g_reports[RTM_ERR_STATE] == 0);
    rtm_port_lock(&lh.sync);
    rtm_port_lock(&lh.sync); /* recursion on a single thread of control: reported */
    TGT_CHECK(g_reports[RTM_ERR_STATE] == 1);
    rtm_port_unlock(&lh.sync);
    rtm_heap_locked_destroy(&lh);
}

typedef void (*scenario)(rtm_fit);
static const struct {
    const char *name;
    scenario fn;
} k_cases[] = {
    {"init", sc_init},           {"alloc_free", sc_alloc_free}, {"bad_frees", sc_bad_frees},
    {"realloc", sc_realloc},     {"aligned_calloc", sc_aligned_calloc}, {"policy", sc_policy},
    {"exhaust", sc_exhaust},     {"random", sc_random},         {"corrupt", sc_corrupt},
    {"locked", sc_locked},
};

int main(void)
{
    static char name[48];
    board_init();
    rtm_set_error_hook(hook);
    for (unsigned f = 0; f < 3; f++) {
        for (unsigned i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
            /* "heap.<policy>.<case>" */
            const char *parts[4] = {"heap.", rtm_fit_name((rtm_fit)f), ".", k_cases[i].name};
            size_t n = 0;
            for (unsigned k = 0; k < 4; k++)
                for (const char *c = parts[k]; *c != '\0' && n < sizeof name - 1; c++) name[n++] = *c;
            name[n] = '\0';
            tgt_case_begin(name);
            k_cases[i].fn((rtm_fit)f);
            tgt_case_end();
        }
    }
    return tgt_summary();
}
