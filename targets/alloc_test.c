/*
 * The allocators around the heap on the target: size-class pools (src/pools.c over src/slab.c, with
 * the heap as fallback), the stack pool (src/stackpool.c) and stack painting (src/stack.c), the
 * priority reserves (src/reserve.c) and the tracker (src/track.c), built for the board's instruction
 * set. The host tests (tests/<module>/) cover the logic; what only a target shows is the code the
 * cross compiler makes of it: Thumb-1 (ARMv6-M: no CLZ, no unaligned word access in the scans),
 * Thumb-2, RV32, 32-bit size_t with 4-byte heap headers, libgcc's 64-bit arithmetic in the tracker's
 * report lines and the pools' tags, and stacks that real frames grow on.
 *
 * Each case checks exact results where the API defines them (addresses, counts, report lines),
 * the error hook for bad input, the module's check function after the steps and against a
 * deliberate corruption, and a seeded randomized run against a model (seed printed). The buffers
 * fit the micro:bit (16 KiB RAM): the same sizes, and so the same expectations, on every board.
 */
#include "rtmem/heap.h"
#include "rtmem/pools.h"
#include "rtmem/port.h"
#include "rtmem/reserve.h"
#include "rtmem/stack.h"
#include "rtmem/stackpool.h"
#include "rtmem/track.h"
#include "tgt.h"

#define HDR sizeof(size_t) /* the heap's block header */
#define RND8(n) (((n) + (RTM_ALIGN - 1u)) & ~(size_t)(RTM_ALIGN - 1u))
#define BLK(n) RND8((n) + HDR) /* heap block bytes of a request */
#define MIN_BLK RND8(4u * sizeof(size_t)) /* the heap's smallest block (docs/heap.md: MIN_BLOCK) */
#define PAINT ((unsigned char)RTM_STACK_PAINT_BYTE)

/* ---- memory (every case starts its objects afresh in these) ---- */
#define HEAP_BYTES 3072u
#define POOL_BYTES 2560u
#define TRACK_BYTES 2048u
#define SP_SIZE 512u  /* stack pool: 3 stacks of 512 bytes, aligned to 512 (one MPU region each) */
#define SP_COUNT 3u
#define REGION_BYTES 160u
static _Alignas(64) unsigned char g_heap_mem[HEAP_BYTES];
static _Alignas(64) unsigned char g_pool_buf[POOL_BYTES];
static _Alignas(16) unsigned char g_track_mem[TRACK_BYTES];
static _Alignas(SP_SIZE) unsigned char g_stacks[RTM_STACKPOOL_BUF_SIZE(SP_SIZE, SP_COUNT, SP_SIZE)];
static _Alignas(16) unsigned char g_region[REGION_BYTES];
static _Alignas(16) unsigned char g_foreign[64]; /* belongs to no allocator */

/* ---- error hook capture ---- */
static unsigned g_reports[RTM_ERR_COUNT_];
static unsigned g_total;
static const void *g_last_obj, *g_last_ptr;
static void hook(rtm_err code, const void *object, const void *ptr)
{
    if ((unsigned)code < RTM_ERR_COUNT_) g_reports[code]++;
    g_total++;
    g_last_obj = object;
    g_last_ptr = ptr;
}
static void reports_clear(void)
{
    for (unsigned i = 0; i < RTM_ERR_COUNT_; i++) g_reports[i] = 0;
    g_total = 0;
    g_last_obj = g_last_ptr = NULL;
}

static bool in(const void *p, const void *buf, size_t n)
{
    return (const unsigned char *)p >= (const unsigned char *)buf && (const unsigned char *)p < (const unsigned char *)buf + n;
}

/* Pattern of block id over n bytes, and its check (a block's bytes survive until it is freed). */
static void fill(void *p, size_t n, uint32_t id)
{
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++) c[i] = (unsigned char)(id * 131u + i * 7u + 1u);
}
static bool same(const void *p, size_t n, uint32_t id)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(id * 131u + i * 7u + 1u)) return false;
    return true;
}

static uint32_t rnd(uint64_t *s, uint32_t n) { return (uint32_t)(tgt_rand(s) % n); }

static void print_seed(uint64_t seed)
{
    tgt_puts("  seed ");
    tgt_put_u(seed);
    tgt_puts("\n");
}

static size_t heap_used(const rtm_heap *h)
{
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    return st.used;
}

/* ---- text: the tracker's lines, collected, and the expected ones, built (no libc here) ---- */
typedef struct {
    char text[768];
    size_t n;
    unsigned lines;
} capture;
static capture g_cap;
static void cap_reset(void)
{
    g_cap.n = 0;
    g_cap.lines = 0;
    g_cap.text[0] = '\0';
}
static void cap_sink(void *ctx, const char *text, size_t len)
{
    capture *c = ctx;
    if (c->n + len < sizeof c->text) {
        for (size_t i = 0; i < len; i++) c->text[c->n + i] = text[i];
        c->n += len;
        c->text[c->n] = '\0';
    }
    c->lines++;
}
static bool contains(const char *hay, const char *needle)
{
    for (; *hay != '\0'; hay++) {
        size_t i = 0;
        while (needle[i] != '\0' && hay[i] == needle[i]) i++;
        if (needle[i] == '\0') return true;
    }
    return *needle == '\0';
}
static bool starts_with(const char *s, const char *prefix)
{
    while (*prefix != '\0' && *s == *prefix) s++, prefix++;
    return *prefix == '\0';
}
static bool str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) a++, b++;
    return *a == *b;
}
typedef struct {
    char s[160];
    size_t n;
} text;
static void t_str(text *t, const char *s)
{
    while (*s != '\0' && t->n < sizeof t->s - 1) t->s[t->n++] = *s++;
    t->s[t->n] = '\0';
}
static void t_dec(text *t, uint64_t v)
{
    char b[TGT_U_TEXT];
    t_str(t, tgt_u_text(b, v));
}
static void t_hex(text *t, uintptr_t v) /* as the tracker writes addresses: 0x, no leading zeros */
{
    char b[20];
    int i = (int)sizeof b - 1;
    b[i] = '\0';
    do {
        b[--i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    } while (v != 0);
    t_str(t, "0x");
    t_str(t, b + i);
}
#define CHECK_CAP_HAS(t_)                                                                          \
    do {                                                                                           \
        if (!contains(g_cap.text, (t_)->s)) {                                                      \
            tgt_check_failed(__FILE__, __LINE__, "captured lines hold the expected one");         \
            tgt_puts("  want: ");                                                                  \
            tgt_puts((t_)->s);                                                                     \
            tgt_puts("  have: ");                                                                  \
            tgt_puts(g_cap.text);                                                                  \
            tgt_puts("\n");                                                                        \
        }                                                                                          \
    } while (0)

/* =============================================================================================== */
/* pools                                                                                           */
/* =============================================================================================== */

static const rtm_pools_class k_classes[] = {
    {16, 4, 0},
    {32, 2, RTM_POOLS_FALLBACK},
    {64, 1, 0},
};
#define NCLS (sizeof k_classes / sizeof k_classes[0])

static void expect_class(rtm_pools *p, size_t i, size_t used, size_t allocs, size_t fallbacks, size_t fb_live,
                         size_t failures, size_t demand_peak, int line)
{
    rtm_pools_class_stats cs;
    bool ok = rtm_pools_get_class_stats(p, i, &cs) == RTM_OK && cs.used == used && cs.allocs == allocs &&
              cs.fallbacks == fallbacks && cs.fallback_live == fb_live && cs.failures == failures &&
              cs.demand_peak == demand_peak && cs.block_size == RND8(k_classes[i].block_size) &&
              cs.count == k_classes[i].count;
    if (!ok) tgt_check_failed(__FILE__, line, "class statistics");
    TGT_CHECK(rtm_pools_check(p) == RTM_OK);
}
#define EXPECT_CLASS(p, i, ...) expect_class((p), (i), __VA_ARGS__, __LINE__)

/* Classes from one buffer at the addresses the header gives, exhaustion per class (failure, or the
 * heap for the class marked RTM_POOLS_FALLBACK, with its tag in front), requests above every class
 * to the heap, every free routed back by address, statistics exact; then rtm_pools_advise and a
 * replay with its advice that neither falls back nor fails. */
static void pools_layout_advise(void)
{
    rtm_pools *p = NULL;
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    TGT_REQUIRE(h != NULL);
    size_t need = rtm_pools_buf_size(k_classes, NCLS);
    TGT_REQUIRE(need > 0 && need <= sizeof g_pool_buf);
    TGT_CHECK(need <= RTM_POOLS_OVERHEAD(NCLS) + RTM_POOLS_CLASS_BYTES(16, 4) + RTM_POOLS_CLASS_BYTES(32, 2) +
                          RTM_POOLS_CLASS_BYTES(64, 1));
    reports_clear();
    TGT_CHECK(rtm_pools_init(&p, g_pool_buf, need - 1, k_classes, NCLS, h) == RTM_ERR_TOO_SMALL && p == NULL);
    TGT_CHECK(g_reports[RTM_ERR_TOO_SMALL] == 1 && g_total == 1);
    TGT_REQUIRE(rtm_pools_init(&p, g_pool_buf, need, k_classes, NCLS, h) == RTM_OK && in(p, g_pool_buf, need));

    /* class 0: four 16-byte blocks in address order, then a failure (no fallback) */
    unsigned char *c0[4];
    for (unsigned i = 0; i < 4; i++) {
        c0[i] = rtm_pools_alloc(p, i == 0 ? 1u : 16u);
        TGT_REQUIRE(in(c0[i], g_pool_buf, need));
        TGT_CHECK((uintptr_t)c0[i] % RTM_ALIGN == 0 && rtm_pools_usable_size(p, c0[i]) == 16);
        if (i > 0) TGT_CHECK(c0[i] == c0[i - 1] + 16);
    }
    EXPECT_CLASS(p, 0, 4, 4, 0, 0, 0, 4);
    TGT_CHECK(rtm_pools_alloc(p, 10) == NULL);
    EXPECT_CLASS(p, 0, 4, 4, 0, 0, 1, 5);
    /* class 1: its slab starts RTM_POOLS_CLASS_BYTES(16, 4) after class 0's; then the heap */
    unsigned char *c1[3];
    c1[0] = rtm_pools_alloc(p, 17);
    c1[1] = rtm_pools_alloc(p, 32);
    TGT_CHECK(heap_used(h) == 0);
    c1[2] = rtm_pools_alloc(p, 20);
    TGT_REQUIRE(c1[0] != NULL && c1[1] != NULL && c1[2] != NULL);
    TGT_CHECK(c1[0] == c0[0] + RTM_POOLS_CLASS_BYTES(16, 4) && c1[1] == c1[0] + 32);
    /* the fallback block: a heap block holding the request and an RTM_ALIGN-byte tag in front */
    TGT_CHECK(in(c1[2], g_heap_mem, sizeof g_heap_mem) && (uintptr_t)c1[2] % RTM_ALIGN == 0);
    TGT_CHECK(heap_used(h) == BLK(20 + RTM_ALIGN));
    TGT_CHECK(rtm_heap_usable_size(h, c1[2] - RTM_ALIGN) != 0);
    TGT_CHECK(rtm_pools_usable_size(p, c1[2]) == rtm_heap_usable_size(h, c1[2] - RTM_ALIGN) - RTM_ALIGN);
    EXPECT_CLASS(p, 1, 2, 2, 1, 1, 0, 3);
    /* class 2: one block, the last of the buffer, then a failure (no fallback) */
    unsigned char *c2 = rtm_pools_alloc(p, 33);
    TGT_CHECK(c2 == c1[0] + RTM_POOLS_CLASS_BYTES(32, 2));
    TGT_CHECK(c2 + 64 <= g_pool_buf + need);
    TGT_CHECK(rtm_pools_alloc(p, 64) == NULL);
    EXPECT_CLASS(p, 2, 1, 1, 0, 0, 1, 2);
    /* above every class: the heap */
    unsigned char *big = rtm_pools_alloc(p, 1000);
    TGT_CHECK(in(big, g_heap_mem, sizeof g_heap_mem));
    TGT_CHECK(heap_used(h) == BLK(20 + RTM_ALIGN) + BLK(1000 + RTM_ALIGN));
    rtm_pools_stats ps;
    rtm_pools_get_stats(p, &ps);
    TGT_CHECK(ps.classes == NCLS && ps.oversize_allocs == 1 && ps.oversize_live == 1 && ps.oversize_peak_bytes == 1000);
    TGT_CHECK(g_total == 1); /* only the TOO_SMALL init: running out is not an error */

    /* free in a mixed order: the owner comes from the address */
    rtm_pools_free(p, c1[2]);
    TGT_CHECK(heap_used(h) == BLK(1000 + RTM_ALIGN));
    rtm_pools_free(p, big);
    rtm_pools_free(p, c2);
    for (int i = 3; i >= 0; i--) rtm_pools_free(p, c0[i]);
    rtm_pools_free(p, c1[0]);
    rtm_pools_free(p, c1[1]);
    EXPECT_CLASS(p, 0, 0, 4, 0, 0, 1, 5);
    EXPECT_CLASS(p, 1, 0, 2, 1, 0, 0, 3);
    EXPECT_CLASS(p, 2, 0, 1, 0, 0, 1, 2);
    rtm_pools_get_stats(p, &ps);
    TGT_CHECK(ps.oversize_live == 0 && ps.bad_frees == 0 && heap_used(h) == 0);
    TGT_CHECK(rtm_heap_check(h) == RTM_OK && g_total == 1);

    /* the advice: the demand peaks, and the exact buffer for them */
    rtm_pools_class adv[NCLS];
    size_t bytes = 1;
    TGT_CHECK(rtm_pools_advise(p, adv, NCLS - 1, &bytes) == 0 && bytes == 0); /* no room for it */
    TGT_CHECK(rtm_pools_advise(p, adv, NCLS, &bytes) == NCLS);
    TGT_CHECK(adv[0].block_size == 16 && adv[0].count == 5 && adv[0].flags == 0);
    TGT_CHECK(adv[1].block_size == 32 && adv[1].count == 3 && adv[1].flags == RTM_POOLS_FALLBACK);
    TGT_CHECK(adv[2].block_size == 64 && adv[2].count == 2 && adv[2].flags == 0);
    TGT_CHECK(bytes == rtm_pools_buf_size(adv, NCLS) && bytes <= sizeof g_pool_buf);
    rtm_pools_reset_peaks(p);
    EXPECT_CLASS(p, 0, 0, 4, 0, 0, 1, 0);
    TGT_CHECK(rtm_pools_destroy(p) == RTM_OK);

    /* the same requests on the advice, without a heap: nothing falls back or fails */
    TGT_REQUIRE(rtm_pools_init(&p, g_pool_buf, bytes, adv, NCLS, NULL) == RTM_OK);
    static const size_t sizes[] = {1, 16, 16, 16, 10, 17, 32, 20, 33, 64};
    void *q[10];
    for (unsigned i = 0; i < 10; i++) {
        q[i] = rtm_pools_alloc(p, sizes[i]);
        TGT_CHECK(in(q[i], g_pool_buf, bytes));
    }
    for (unsigned i = 0; i < NCLS; i++) {
        rtm_pools_class_stats cs;
        TGT_CHECK(rtm_pools_get_class_stats(p, i, &cs) == RTM_OK);
        TGT_CHECK(cs.fallbacks == 0 && cs.failures == 0 && cs.used == cs.count && cs.count == adv[i].count);
    }
    for (unsigned i = 10; i-- > 0;) rtm_pools_free(p, q[i]);
    TGT_CHECK(rtm_pools_check(p) == RTM_OK && g_total == 1);
    TGT_CHECK(rtm_pools_destroy(p) == RTM_OK);
}

/* Bad frees, each rejected with one report and counted, the heap untouched: interior pointers of a
 * slab block and of a fallback block, a heap block the pools did not hand out, a foreign pointer, a
 * class's bitmap; double frees of a slab, fallback and oversize block; zero and absurd sizes. */
static void pools_bad_frees(void)
{
    rtm_pools *p = NULL;
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    TGT_REQUIRE(h != NULL);
    TGT_REQUIRE(rtm_pools_init(&p, g_pool_buf, sizeof g_pool_buf, k_classes, NCLS, h) == RTM_OK);
    unsigned char *a = rtm_pools_alloc(p, 16), *b = rtm_pools_alloc(p, 32), *c = rtm_pools_alloc(p, 32);
    unsigned char *fb = rtm_pools_alloc(p, 32), *big = rtm_pools_alloc(p, 500);
    unsigned char *direct = rtm_heap_alloc(h, 64); /* the heap's own, not the pools' */
    TGT_REQUIRE(a && b && c && fb && big && direct);
    TGT_CHECK(in(fb, g_heap_mem, sizeof g_heap_mem) && in(big, g_heap_mem, sizeof g_heap_mem));
    rtm_heap_stats hs0, hs1;
    rtm_heap_get_stats(h, &hs0);
    void *const wrong[] = {a + 8, b + 1, c + 31, fb + 8, big + RTM_ALIGN, direct, g_foreign,
                           a + 16 * 4 /* class 0's bitmap */};
    const size_t n = sizeof wrong / sizeof wrong[0];
    reports_clear();
    for (size_t i = 0; i < n; i++) {
        rtm_pools_free(p, wrong[i]);
        if (g_total != i + 1 || g_last_ptr != wrong[i]) {
            tgt_check_failed(__FILE__, __LINE__, "one report naming the pointer, for bad free");
            tgt_put_u(i);
            tgt_puts("\n");
        }
    }
    TGT_CHECK(g_reports[RTM_ERR_BAD_PTR] == n); /* interior or foreign: none is a double free */
    rtm_pools_stats ps;
    rtm_pools_get_stats(p, &ps);
    TGT_CHECK(ps.bad_frees == n);
    rtm_heap_get_stats(h, &hs1);
    TGT_CHECK(hs1.used == hs0.used && hs1.bad_frees == hs0.bad_frees);
    TGT_CHECK(rtm_pools_check(p) == RTM_OK && rtm_heap_check(h) == RTM_OK);
    /* double frees */
    reports_clear();
    rtm_pools_free(p, a);
    TGT_CHECK(g_total == 0);
    rtm_pools_free(p, a);
    TGT_CHECK(g_reports[RTM_ERR_DOUBLE_FREE] == 1 && g_last_ptr == a);
    rtm_pools_free(p, fb);
    rtm_pools_free(p, fb);
    rtm_pools_free(p, big);
    rtm_pools_free(p, big);
    TGT_CHECK(g_total == 3);
    rtm_pools_get_stats(p, &ps);
    TGT_CHECK(ps.bad_frees == n + 3 && ps.oversize_live == 0);
    /* zero and absurd sizes */
    reports_clear();
    TGT_CHECK(rtm_pools_alloc(p, 0) == NULL);
    TGT_CHECK(rtm_pools_alloc(p, SIZE_MAX) == NULL);
    TGT_CHECK(rtm_pools_alloc(p, SIZE_MAX - RTM_ALIGN) == NULL);
    rtm_pools_get_stats(p, &ps);
    TGT_CHECK(ps.bad_requests == 3 && g_reports[RTM_ERR_SIZE] == 3 && g_total == 3);
    rtm_pools_free(p, b);
    rtm_pools_free(p, c);
    rtm_heap_free(h, direct);
    EXPECT_CLASS(p, 0, 0, 1, 0, 0, 0, 1);
    EXPECT_CLASS(p, 1, 0, 2, 1, 0, 0, 3);
    TGT_CHECK(heap_used(h) == 0 && rtm_heap_check(h) == RTM_OK);
    TGT_CHECK(rtm_pools_destroy(p) == RTM_OK);
}

/* Damage on purpose: a bit of a class's bitmap (one byte past its last block: what an overrun of
 * that block writes), then the control block's first word. The check must say so, with a report. */
static void pools_corrupt(void)
{
    rtm_pools *p = NULL;
    TGT_REQUIRE(rtm_pools_init(&p, g_pool_buf, sizeof g_pool_buf, k_classes, NCLS, NULL) == RTM_OK);
    unsigned char *a = rtm_pools_alloc(p, 16);
    TGT_REQUIRE(a != NULL);
    TGT_CHECK(rtm_pools_check(p) == RTM_OK);
    reports_clear();
    unsigned char *map = a + 16 * 4;
    map[0] ^= 0x02; /* block 1, never handed out, now marked in use */
    TGT_CHECK(rtm_pools_check(p) == RTM_ERR_CORRUPT);
    TGT_CHECK(g_reports[RTM_ERR_CORRUPT] >= 1);
    map[0] ^= 0x02;
    TGT_CHECK(rtm_pools_check(p) == RTM_OK);
    reports_clear();
    unsigned char *ctl = (unsigned char *)p;
    ctl[0] ^= 0x10;
    TGT_CHECK(rtm_pools_check(p) == RTM_ERR_CORRUPT && g_reports[RTM_ERR_CORRUPT] == 1);
    TGT_CHECK(rtm_pools_alloc(p, 8) == NULL && g_reports[RTM_ERR_ARG] == 1); /* refused, not trusted */
    ctl[0] ^= 0x10;
    TGT_CHECK(rtm_pools_check(p) == RTM_OK);
    rtm_pools_free(p, a);
    EXPECT_CLASS(p, 0, 0, 1, 0, 0, 0, 1);
    TGT_CHECK(rtm_pools_destroy(p) == RTM_OK);
}

/* Seeded random allocations and frees against a model of every class (slab use, fallbacks,
 * failures, demand peak) and of the oversize requests; patterns checked before every free;
 * rtm_pools_check and rtm_heap_check along the way; the advice equals the model's peaks. */
#define PR_LIVE 48
static void pools_random(void)
{
    static const rtm_pools_class cls[] = {
        {8, 24, RTM_POOLS_FALLBACK}, {24, 12, 0}, {48, 8, RTM_POOLS_FALLBACK}, {100, 4, RTM_POOLS_FALLBACK}};
    enum { NC = sizeof cls / sizeof cls[0] };
    static struct {
        unsigned char *ptr;
        size_t size, cls;
        uint32_t id;
        bool slab;
    } live[PR_LIVE];
    rtm_pools *p = NULL;
    rtm_heap *h = rtm_heap_init(g_heap_mem, 2048, RTM_FIT_GOOD); /* small: the heap runs out too */
    TGT_REQUIRE(h != NULL);
    size_t need = rtm_pools_buf_size(cls, NC);
    TGT_REQUIRE(need > 0 && need <= sizeof g_pool_buf);
    TGT_REQUIRE(rtm_pools_init(&p, g_pool_buf, need, cls, NC, h) == RTM_OK);
    uint64_t seed = 20261129u;
    print_seed(seed);
    size_t nlive = 0, used[NC] = {0}, fbl[NC] = {0}, allocs[NC] = {0}, fbs[NC] = {0}, fails[NC] = {0},
           peak[NC] = {0};
    size_t over_ok = 0, over_fail = 0, over_live = 0, over_peak = 0;
    uint32_t next_id = 1;
    bool ok = true;
    reports_clear();
    for (unsigned op = 0; op < 3000 && ok; op++) {
        bool grow = ((op / 300) & 1u) == 0;
        if (nlive < PR_LIVE && rnd(&seed, 100) < (grow ? 65u : 35u)) {
            size_t size = rnd(&seed, 10) < 9 ? 1 + rnd(&seed, 100) : 101 + rnd(&seed, 300);
            size_t ci = 0;
            while (ci < NC && RND8(cls[ci].block_size) < size) ci++;
            unsigned char *q = rtm_pools_alloc(p, size);
            if (ci < NC) {
                if (used[ci] < cls[ci].count) { /* the slab has a block: it must serve */
                    ok = ok && in(q, g_pool_buf, need);
                    used[ci]++;
                    allocs[ci]++;
                } else if (q != NULL) {
                    ok = ok && (cls[ci].flags & RTM_POOLS_FALLBACK) && in(q, g_heap_mem, 2048);
                    fbl[ci]++;
                    fbs[ci]++;
                } else {
                    fails[ci]++;
                }
                size_t d = used[ci] + fbl[ci] + (q == NULL);
                if (d > peak[ci]) peak[ci] = d;
            } else if (q != NULL) {
                ok = ok && in(q, g_heap_mem, 2048);
                over_ok++;
                over_live++;
            } else {
                over_fail++;
            }
            if (size > over_peak && ci == NC) over_peak = size;
            if (q != NULL) {
                ok = ok && (uintptr_t)q % RTM_ALIGN == 0 && rtm_pools_usable_size(p, q) >= size;
                live[nlive].ptr = q;
                live[nlive].size = size;
                live[nlive].cls = ci;
                live[nlive].id = next_id++;
                live[nlive].slab = in(q, g_pool_buf, need);
                fill(q, size, live[nlive].id);
                nlive++;
            }
        } else if (nlive > 0) {
            size_t k = rnd(&seed, (uint32_t)nlive);
            ok = ok && same(live[k].ptr, live[k].size, live[k].id);
            rtm_pools_free(p, live[k].ptr);
            if (live[k].cls == NC) over_live--;
            else if (live[k].slab) used[live[k].cls]--;
            else fbl[live[k].cls]--;
            live[k] = live[--nlive];
        }
        if ((op & 63u) == 0 || !ok) {
            ok = ok && rtm_pools_check(p) == RTM_OK && rtm_heap_check(h) == RTM_OK;
            for (size_t i = 0; i < NC && ok; i++) {
                rtm_pools_class_stats cs;
                rtm_pools_get_class_stats(p, i, &cs);
                ok = cs.used == used[i] && cs.fallback_live == fbl[i] && cs.allocs == allocs[i] &&
                     cs.fallbacks == fbs[i] && cs.failures == fails[i] && cs.demand_peak == peak[i];
            }
            rtm_pools_stats ps;
            rtm_pools_get_stats(p, &ps);
            ok = ok && ps.oversize_allocs == over_ok && ps.oversize_failures == over_fail &&
                 ps.oversize_live == over_live && ps.oversize_peak_bytes == over_peak;
            if (!ok) {
                tgt_check_failed(__FILE__, __LINE__, "pools against the model at op");
                tgt_put_u(op);
                tgt_puts("\n");
            }
        }
    }
    TGT_CHECK(ok && g_total == 0);
    size_t fallbacks = 0, failures = 0;
    for (size_t i = 0; i < NC; i++) fallbacks += fbs[i], failures += fails[i];
    TGT_CHECK(fallbacks > 0 && failures > 0 && over_ok > 0); /* the run went where it should */
    while (nlive > 0) {
        nlive--;
        TGT_CHECK(same(live[nlive].ptr, live[nlive].size, live[nlive].id));
        rtm_pools_free(p, live[nlive].ptr);
    }
    TGT_CHECK(heap_used(h) == 0 && rtm_pools_check(p) == RTM_OK);
    rtm_pools_class adv[NC];
    size_t bytes = 0;
    TGT_CHECK(rtm_pools_advise(p, adv, NC, &bytes) == NC);
    for (size_t i = 0; i < NC; i++) TGT_CHECK(adv[i].count == peak[i] && adv[i].block_size == RND8(cls[i].block_size));
    TGT_CHECK(bytes == rtm_pools_buf_size(adv, NC));
    tgt_puts("  fallbacks ");
    tgt_put_u(fallbacks);
    tgt_puts(", failures ");
    tgt_put_u(failures);
    tgt_puts(", oversize ");
    tgt_put_u(over_ok);
    tgt_puts("\n");
    TGT_CHECK(rtm_pools_destroy(p) == RTM_OK);
}

/* =============================================================================================== */
/* stack painting (src/stack.c)                                                                    */
/* =============================================================================================== */

/* Reference, byte by byte: paint bytes from the low end / from the high end. */
static size_t ref_run_low(const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n && b[i] == PAINT) i++;
    return i;
}
static size_t ref_run_high(const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n && b[n - 1 - i] == PAINT) i++;
    return i;
}

/* Paint exactly the region (the bytes around it keep their values), unused in both directions,
 * the info figures, the guard check in both directions with the address of the touched byte
 * nearest the far end, and bad input (reported, nothing painted). The region starts one byte off
 * a word and is not a whole number of words: the scans' byte-wise head and tail run too. */
static void stack_paint_unused(void)
{
    unsigned char *base = g_region + 1;
    const size_t size = 101;
    for (size_t i = 0; i < sizeof g_region; i++) g_region[i] = 0x11;
    rtm_stack_paint(base, size);
    TGT_CHECK(g_region[0] == 0x11 && base[size] == 0x11);
    TGT_CHECK(ref_run_low(base, size) == size);
    TGT_CHECK(rtm_stack_unused_down(base, size) == size && rtm_stack_unused_up(base, size) == size);
    TGT_CHECK(rtm_stack_unused(base, size) == (RTM_STACK_GROWS_UP ? rtm_stack_unused_up(base, size)
                                                                  : rtm_stack_unused_down(base, size)));
    reports_clear();
    TGT_CHECK(rtm_stack_check_dir(base, size, 0, false) == RTM_OK && rtm_stack_check_dir(base, size, 0, true) == RTM_OK);
    /* a down-growing stack that reached byte 40: 40 bytes never touched, used 61 = 603 permille */
    base[40] = 0;
    TGT_CHECK(rtm_stack_unused_down(base, size) == 40);
    TGT_CHECK(rtm_stack_unused_up(base, size) == size - 41);
    rtm_stack_info info;
    TGT_CHECK(rtm_stack_get_info(base, size, &info) == RTM_OK);
    if (!RTM_STACK_GROWS_UP) TGT_CHECK(info.size == size && info.unused == 40 && info.used == 61 && info.permille == 603);
    /* guard of 41 bytes reaches byte 40, the default 32 does not */
    TGT_CHECK(rtm_stack_check_dir(base, size, 0, false) == RTM_OK);
    TGT_CHECK(rtm_stack_check_dir(base, size, 40, false) == RTM_OK);
    TGT_CHECK(g_total == 0);
    TGT_CHECK(rtm_stack_check_dir(base, size, 41, false) == RTM_ERR_OVERFLOW);
    TGT_CHECK(g_reports[RTM_ERR_OVERFLOW] == 1 && g_last_obj == base && g_last_ptr == base + 40);
    /* up-growing: bytes 100 and 90 touched, the nearest to the far (high) end is 100 */
    base[100] = 0x7E;
    base[90] = 0;
    TGT_CHECK(rtm_stack_unused_up(base, size) == 0 && rtm_stack_unused_down(base, size) == 40);
    TGT_CHECK(rtm_stack_check_dir(base, size, 5, true) == RTM_ERR_OVERFLOW && g_last_ptr == base + 100);
    base[100] = PAINT;
    TGT_CHECK(rtm_stack_unused_up(base, size) == 10);
    TGT_CHECK(rtm_stack_check_dir(base, size, 10, true) == RTM_OK);
    TGT_CHECK(rtm_stack_check_dir(base, size, 11, true) == RTM_ERR_OVERFLOW && g_last_ptr == base + 90);
    TGT_CHECK(rtm_stack_check_dir(base, size, 1000, true) == RTM_ERR_OVERFLOW && g_last_ptr == base + 90); /* clamped */
    TGT_CHECK(g_reports[RTM_ERR_OVERFLOW] == 4 && g_total == 4);
    /* bad input: reported, nothing painted */
    reports_clear();
    g_region[0] = 0x11;
    rtm_stack_paint(NULL, 8);
    rtm_stack_paint(g_region, 0);
    rtm_stack_paint((void *)(UINTPTR_MAX - 3u), 8); /* wraps */
    TGT_CHECK(g_reports[RTM_ERR_ARG] == 1 && g_reports[RTM_ERR_SIZE] == 2 && g_region[0] == 0x11);
    TGT_CHECK(rtm_stack_unused(NULL, 8) == 0 && rtm_stack_unused(g_region, 0) == 0);
    TGT_CHECK(rtm_stack_check(NULL, 8, 0) == RTM_ERR_ARG && rtm_stack_get_info(g_region, 8, NULL) == RTM_ERR_ARG);
    TGT_CHECK(g_total == 3 + 2 + 2);
}

/* Random regions (any alignment and length) with random bytes touched, against the byte-wise
 * reference: the scans read whole words where aligned, the part ARMv6-M would fault on if the
 * code ever read a word at an unaligned address. */
static void stack_random(void)
{
    uint64_t seed = 20261130u;
    print_seed(seed);
    bool ok = true;
    for (unsigned it = 0; it < 600 && ok; it++) {
        size_t off = rnd(&seed, 16), size = 1 + rnd(&seed, (uint32_t)(REGION_BYTES - 16));
        unsigned char *b = g_region + off;
        for (size_t i = 0; i < sizeof g_region; i++) g_region[i] = (unsigned char)(0x30 + i);
        rtm_stack_paint(b, size);
        for (size_t i = 0; i < off; i++) ok = ok && g_region[i] == (unsigned char)(0x30 + i);
        for (size_t i = off + size; i < sizeof g_region; i++) ok = ok && g_region[i] == (unsigned char)(0x30 + i);
        unsigned touches = rnd(&seed, 4);
        for (unsigned k = 0; k < touches; k++) b[rnd(&seed, (uint32_t)size)] = (unsigned char)rnd(&seed, 256);
        size_t lo = ref_run_low(b, size), hi = ref_run_high(b, size);
        ok = ok && rtm_stack_unused_down(b, size) == lo && rtm_stack_unused_up(b, size) == hi;
        size_t guard = rnd(&seed, 48), g = guard == 0 ? RTM_STACK_GUARD_BYTES : guard;
        if (g > size) g = size;
        reports_clear();
        rtm_err down = rtm_stack_check_dir(b, size, guard, false);
        ok = ok && (lo >= g ? down == RTM_OK && g_total == 0
                            : down == RTM_ERR_OVERFLOW && g_total == 1 && g_last_ptr == b + lo);
        reports_clear();
        rtm_err up = rtm_stack_check_dir(b, size, guard, true);
        ok = ok && (hi >= g ? up == RTM_OK && g_total == 0
                            : up == RTM_ERR_OVERFLOW && g_total == 1 && g_last_ptr == b + size - 1 - hi);
        if (!ok) {
            tgt_check_failed(__FILE__, __LINE__, "stack scans against the reference at iteration");
            tgt_put_u(it);
            tgt_puts("\n");
        }
    }
}

/* =============================================================================================== */
/* stack pool                                                                                      */
/* =============================================================================================== */

static void expect_sp(rtm_stackpool *p, size_t in_use, size_t max_in_use, size_t worst, size_t acquires,
                      size_t releases, size_t failed, size_t bad, size_t overflows, int line)
{
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(p, &st);
    if (!(st.count == SP_COUNT && st.stack_size == SP_SIZE && st.in_use == in_use && st.max_in_use == max_in_use &&
          st.worst_used == worst && st.acquires == acquires && st.releases == releases && st.failed == failed &&
          st.bad_releases == bad && st.overflows == overflows))
        tgt_check_failed(__FILE__, line, "stack pool statistics");
    TGT_CHECK(rtm_stackpool_check(p) == RTM_OK);
}
#define EXPECT_SP(p, ...) expect_sp((p), __VA_ARGS__, __LINE__)

static bool all_paint(const unsigned char *s, size_t n) { return ref_run_low(s, n) == n; }

/* Touches the top @p n bytes of a down-growing stack as a thread that went n bytes deep would. */
static void touch_top(unsigned char *stack, size_t n)
{
    for (size_t i = 0; i < n; i++) stack[SP_SIZE - 1 - i] = (unsigned char)(0x40u | (i & 0x3Fu)); /* never the paint */
}

/* Init errors with their exact codes; stacks handed out at base + i * stride, fresh ones first and
 * then last released first; painted whole; the high-water mark to the byte; all in use: NULL and
 * counted. */
static void stackpool_layout(void)
{
    rtm_stackpool p;
    reports_clear();
    TGT_CHECK(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, 3) == RTM_ERR_ALIGN);
    TGT_CHECK(rtm_stackpool_init(&p, g_stacks + RTM_ALIGN, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_ERR_ALIGN);
    TGT_CHECK(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE + 4, SP_COUNT, SP_SIZE) == RTM_ERR_SIZE);
    TGT_CHECK(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, RTM_STACKPOOL_GUARD, SP_COUNT, SP_SIZE) == RTM_ERR_SIZE);
    TGT_CHECK(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, 0, SP_SIZE) == RTM_ERR_SIZE);
    TGT_CHECK(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks - 1, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_ERR_TOO_SMALL);
    TGT_CHECK(rtm_stackpool_init(NULL, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_ERR_ARG);
    TGT_CHECK(g_total == 7 && g_reports[RTM_ERR_ALIGN] == 2 && g_reports[RTM_ERR_SIZE] == 3);
    TGT_REQUIRE(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_OK);
    TGT_CHECK(rtm_stackpool_stack_size(&p) == SP_SIZE);
    EXPECT_SP(&p, 0, 0, 0, 0, 0, 0, 0, 0);
    reports_clear();
    for (size_t i = 0; i < SP_COUNT * SP_SIZE; i++) g_stacks[i] = 0; /* the stacks, not the state after them */
    unsigned char *s[SP_COUNT];
    for (unsigned i = 0; i < SP_COUNT; i++) {
        s[i] = rtm_stackpool_acquire(&p);
        TGT_CHECK(s[i] == g_stacks + i * SP_SIZE);
        TGT_REQUIRE(s[i] != NULL);
        TGT_CHECK(all_paint(s[i], SP_SIZE) && rtm_stackpool_used(&p, s[i]) == 0);
    }
    TGT_CHECK(rtm_stackpool_acquire(&p) == NULL);
    EXPECT_SP(&p, 3, 3, 0, 3, 0, 1, 0, 0);
    /* the pool's own state lies after the last stack, never inside one */
    TGT_CHECK(all_paint(g_stacks, SP_COUNT * SP_SIZE));
    touch_top(s[1], 40);
    TGT_CHECK(rtm_stackpool_used(&p, s[1]) == 40 && rtm_stackpool_used(&p, s[0]) == 0);
    touch_top(s[1], 1); /* a shallower call later changes nothing */
    TGT_CHECK(rtm_stackpool_used(&p, s[1]) == 40);
    TGT_CHECK(rtm_stackpool_release(&p, s[1]) == RTM_OK);
    EXPECT_SP(&p, 2, 3, 40, 3, 1, 1, 0, 0);
    touch_top(s[0], 100);
    TGT_CHECK(rtm_stackpool_release(&p, s[0]) == RTM_OK);
    EXPECT_SP(&p, 1, 3, 100, 3, 2, 1, 0, 0);
    /* last released first, painted again */
    unsigned char *again = rtm_stackpool_acquire(&p);
    TGT_CHECK(again == s[0] && all_paint(again, SP_SIZE));
    TGT_CHECK(rtm_stackpool_acquire(&p) == s[1]);
    TGT_CHECK(g_total == 0);
    for (unsigned i = 0; i < SP_COUNT; i++) TGT_CHECK(rtm_stackpool_release(&p, s[i]) == RTM_OK);
    EXPECT_SP(&p, 0, 3, 100, 5, 5, 1, 0, 0);
    rtm_stackpool_deinit(&p);
}

/* The guard band at its edge: a stack touched down to the byte just above the guard is released
 * clean, one byte further is RTM_ERR_OVERFLOW (reported with the stack, counted) and still
 * released. */
static void stackpool_guard(void)
{
    rtm_stackpool p;
    TGT_REQUIRE(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_OK);
    reports_clear();
    unsigned char *a = rtm_stackpool_acquire(&p);
    TGT_REQUIRE(a != NULL);
    touch_top(a, SP_SIZE - RTM_STACKPOOL_GUARD);
    TGT_CHECK(rtm_stackpool_used(&p, a) == SP_SIZE - RTM_STACKPOOL_GUARD);
    TGT_CHECK(rtm_stackpool_release(&p, a) == RTM_OK && g_total == 0);
    EXPECT_SP(&p, 0, 1, SP_SIZE - RTM_STACKPOOL_GUARD, 1, 1, 0, 0, 0);
    unsigned char *b = rtm_stackpool_acquire(&p);
    TGT_REQUIRE(b == a);
    b[RTM_STACKPOOL_GUARD - 1] = 0; /* the highest guard byte, as the deepest frame would */
    TGT_CHECK(rtm_stackpool_release(&p, b) == RTM_ERR_OVERFLOW);
    TGT_CHECK(g_reports[RTM_ERR_OVERFLOW] == 1 && g_total == 1 && g_last_obj == &p && g_last_ptr == b);
    EXPECT_SP(&p, 0, 1, SP_SIZE - RTM_STACKPOOL_GUARD + 1, 2, 2, 0, 0, 1);
    /* and the lowest byte: an overflow that went all the way */
    b = rtm_stackpool_acquire(&p);
    b[0] = 0;
    TGT_CHECK(rtm_stackpool_used(&p, b) == SP_SIZE);
    TGT_CHECK(rtm_stackpool_release(&p, b) == RTM_ERR_OVERFLOW && g_reports[RTM_ERR_OVERFLOW] == 2);
    EXPECT_SP(&p, 0, 1, SP_SIZE, 3, 3, 0, 0, 2);
    rtm_stackpool_deinit(&p);
}

/* Bad releases and high-water queries, each reported with the pointer and counted, the pool
 * unchanged: a double release, a stack never handed out, an interior pointer, a foreign one. */
static void stackpool_bad_release(void)
{
    rtm_stackpool p;
    TGT_REQUIRE(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_OK);
    unsigned char *a = rtm_stackpool_acquire(&p), *b = rtm_stackpool_acquire(&p);
    TGT_REQUIRE(a != NULL && b != NULL);
    TGT_CHECK(rtm_stackpool_release(&p, a) == RTM_OK);
    reports_clear();
    TGT_CHECK(rtm_stackpool_release(&p, a) == RTM_ERR_DOUBLE_FREE && g_last_ptr == a);
    TGT_CHECK(rtm_stackpool_release(&p, g_stacks + 2 * SP_SIZE) == RTM_ERR_DOUBLE_FREE); /* never handed out */
    TGT_CHECK(rtm_stackpool_release(&p, b + RTM_ALIGN) == RTM_ERR_BAD_PTR && g_last_ptr == b + RTM_ALIGN);
    TGT_CHECK(rtm_stackpool_release(&p, g_foreign) == RTM_ERR_BAD_PTR);
    TGT_CHECK(rtm_stackpool_release(&p, NULL) == RTM_ERR_BAD_PTR);
    TGT_CHECK(rtm_stackpool_used(&p, a) == 0 && g_last_ptr == a);
    TGT_CHECK(g_reports[RTM_ERR_DOUBLE_FREE] == 3 && g_reports[RTM_ERR_BAD_PTR] == 3 && g_total == 6);
    EXPECT_SP(&p, 1, 2, 0, 2, 1, 0, 6, 0);
    TGT_CHECK(rtm_stackpool_acquire(&p) == a); /* the list still works */
    TGT_CHECK(rtm_stackpool_release(&p, a) == RTM_OK && rtm_stackpool_release(&p, b) == RTM_OK);
    EXPECT_SP(&p, 0, 2, 0, 3, 3, 0, 6, 0);
    rtm_stackpool_deinit(&p);
}

/* Damage on purpose: the state word of a free stack (in the array after the stacks, 4 bytes per
 * stack, as the header lays out) set to "in use" cuts the free list short; the check must find
 * it, and acquire must refuse the list rather than follow it. */
static void stackpool_corrupt(void)
{
    rtm_stackpool p;
    TGT_REQUIRE(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_OK);
    unsigned char *a = rtm_stackpool_acquire(&p), *b = rtm_stackpool_acquire(&p);
    TGT_REQUIRE(a != NULL && b != NULL);
    TGT_CHECK(rtm_stackpool_release(&p, a) == RTM_OK && rtm_stackpool_release(&p, b) == RTM_OK);
    TGT_CHECK(rtm_stackpool_check(&p) == RTM_OK);
    uint32_t *state = (uint32_t *)(void *)(g_stacks + SP_COUNT * SP_SIZE);
    uint32_t saved = state[1];
    reports_clear();
    state[1] = 0; /* stack 1, the head of the free list, now reads as acquired */
    TGT_CHECK(rtm_stackpool_check(&p) == RTM_ERR_CORRUPT && g_reports[RTM_ERR_CORRUPT] == 1);
    TGT_CHECK(rtm_stackpool_acquire(&p) == NULL && g_reports[RTM_ERR_CORRUPT] == 2);
    state[1] = saved;
    TGT_CHECK(rtm_stackpool_check(&p) == RTM_OK);
    TGT_CHECK(rtm_stackpool_acquire(&p) == b);
    TGT_CHECK(rtm_stackpool_release(&p, b) == RTM_OK && rtm_stackpool_check(&p) == RTM_OK);
    rtm_stackpool_deinit(&p);
}

/* ---- real frames on a pool stack ---- */
/* alloc_on_stack(fn, arg, top): calls fn(arg) with the stack pointer at top (8-byte aligned), and
 * comes back on the caller's stack. Privileged, no thread: works on every board, the micro:bit's
 * ARMv6-M (no threads in the port) included. Interrupts must be masked by the caller (an exception
 * taken meanwhile would push its frame onto the pool stack, below the deepest frame measured). */
int alloc_on_stack(int (*fn)(int), int arg, void *top);
#if defined(__arm__)
__asm__(".text\n"
        ".balign 2\n"
        ".global alloc_on_stack\n"
        ".thumb\n"
        ".thumb_func\n"
        ".type alloc_on_stack, %function\n"
        "alloc_on_stack:\n"
        "  push {r4, lr}\n"
        "  mov r4, sp\n"
        "  mov sp, r2\n"
        "  mov r3, r0\n"
        "  mov r0, r1\n"
        "  blx r3\n"
        "  mov sp, r4\n"
        "  pop {r4, pc}\n"
        ".size alloc_on_stack, . - alloc_on_stack\n");
#elif defined(__riscv)
__asm__(".text\n"
        ".balign 4\n"
        ".global alloc_on_stack\n"
        ".type alloc_on_stack, @function\n"
        "alloc_on_stack:\n"
        "  addi sp, sp, -16\n"
        "  sw ra, 12(sp)\n"
        "  sw s0, 8(sp)\n"
        "  mv s0, sp\n"
        "  mv sp, a2\n"
        "  mv t0, a0\n"
        "  mv a0, a1\n"
        "  jalr t0\n"
        "  mv sp, s0\n"
        "  lw s0, 8(sp)\n"
        "  lw ra, 12(sp)\n"
        "  addi sp, sp, 16\n"
        "  ret\n"
        ".size alloc_on_stack, . - alloc_on_stack\n");
#else
#error "alloc_on_stack: no stack switch for this architecture"
#endif

static uintptr_t g_deep_sp;   /* stack pointer in the deepest frame */
static uintptr_t g_deep_data; /* lowest byte the deepest frame wrote */

static __attribute__((noinline)) uintptr_t current_sp(void)
{
    uintptr_t sp;
#if defined(__arm__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#endif
    return sp;
}

/* A recursion whose every level writes its own 24-byte array; the deepest level records the stack
 * pointer and the array's lowest byte. noinline and the volatile array keep a frame per level. */
static __attribute__((noinline)) int burn(int depth)
{
    volatile unsigned char local[24];
    for (unsigned i = 0; i < sizeof local; i++) local[i] = (unsigned char)(depth + (int)i);
    int r;
    if (depth > 0) {
        r = burn(depth - 1) + local[3];
    } else {
        g_deep_data = (uintptr_t)&local[0];
        g_deep_sp = current_sp(); /* its frame is below ours: it only reads sp, writes nothing */
        r = local[5];
    }
    return r;
}

/* Functions with known frames run on an acquired stack: the high-water mark lies between what the
 * deepest frame wrote and where its stack pointer was, grows with the depth, and a release
 * reports it (worst_used); nothing is written below the stack (its neighbour stays painted). */
static void stackpool_real_frames(void)
{
    rtm_stackpool p;
    TGT_REQUIRE(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_OK);
    unsigned char *lower = rtm_stackpool_acquire(&p), *s = rtm_stackpool_acquire(&p);
    TGT_REQUIRE(lower != NULL && s == lower + SP_SIZE);
    reports_clear();
    size_t prev = 0;
    static const int depths[] = {0, 1, 3, 6};
    for (unsigned k = 0; k < sizeof depths / sizeof depths[0]; k++) {
        rtm_port_key key = rtm_port_critical_enter();
        int r = alloc_on_stack(burn, depths[k], s + SP_SIZE);
        rtm_port_critical_exit(key);
        const int d = depths[k];
        TGT_CHECK(r == 5 + d * (d + 1) / 2 + 3 * d); /* burn's value: every level ran */
        size_t used = rtm_stackpool_used(&p, s);
        size_t lo = (size_t)(s + SP_SIZE - (unsigned char *)g_deep_data); /* written for sure */
        size_t hi = (size_t)(s + SP_SIZE - (unsigned char *)g_deep_sp);   /* nothing below sp */
        TGT_CHECK(in((void *)g_deep_sp, s, SP_SIZE) && lo <= hi);
        if (!(used >= lo && used <= hi && used > prev)) {
            tgt_check_failed(__FILE__, __LINE__, "lo <= used <= hi, growing with depth");
            tgt_puts("  depth ");
            tgt_put_u((uint64_t)depths[k]);
            tgt_puts(" lo ");
            tgt_put_u(lo);
            tgt_puts(" used ");
            tgt_put_u(used);
            tgt_puts(" hi ");
            tgt_put_u(hi);
            tgt_puts("\n");
        }
        prev = used;
    }
    TGT_CHECK(prev < SP_SIZE - RTM_STACKPOOL_GUARD);
    TGT_CHECK(all_paint(lower, SP_SIZE) && rtm_stackpool_used(&p, lower) == 0);
    TGT_CHECK(rtm_stackpool_release(&p, s) == RTM_OK && g_total == 0);
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(&p, &st);
    TGT_CHECK(st.worst_used == prev);
    tgt_puts("  depth 6: ");
    tgt_put_u(prev);
    tgt_puts(" bytes of stack\n");
    TGT_CHECK(rtm_stackpool_release(&p, lower) == RTM_OK && rtm_stackpool_check(&p) == RTM_OK);
    rtm_stackpool_deinit(&p);
}

/* Seeded acquires, touches and releases against a model of the pool: the exact stack each acquire
 * returns (last released first, then never-used ones in order), each stack's high-water mark,
 * overflows when a touch reaches the guard, and every statistic. */
static void stackpool_random(void)
{
    rtm_stackpool p;
    TGT_REQUIRE(rtm_stackpool_init(&p, g_stacks, sizeof g_stacks, SP_SIZE, SP_COUNT, SP_SIZE) == RTM_OK);
    uint64_t seed = 20261201u;
    print_seed(seed);
    size_t fresh = 0, nfree = 0, freelist[SP_COUNT], in_use = 0, max_in_use = 0, worst = 0, acquires = 0,
           releases = 0, failed = 0, overflows = 0;
    size_t depth[SP_COUNT] = {0};
    bool held[SP_COUNT] = {false};
    bool ok = true;
    reports_clear();
    for (unsigned op = 0; op < 400 && ok; op++) {
        unsigned what = rnd(&seed, 3);
        if (what == 0) { /* acquire */
            unsigned char *s = rtm_stackpool_acquire(&p);
            size_t want;
            if (nfree > 0) want = freelist[--nfree];
            else if (fresh < SP_COUNT) want = fresh++;
            else want = SP_COUNT;
            if (want == SP_COUNT) {
                ok = s == NULL;
                failed++;
            } else {
                ok = s == g_stacks + want * SP_SIZE && all_paint(s, SP_SIZE);
                held[want] = true;
                depth[want] = 0;
                acquires++;
                if (++in_use > max_in_use) max_in_use = in_use;
            }
        } else {
            size_t i = rnd(&seed, SP_COUNT);
            if (!held[i]) continue;
            unsigned char *s = g_stacks + i * SP_SIZE;
            if (what == 1) { /* the thread runs deeper, sometimes into the guard */
                size_t d = rnd(&seed, 8) == 0 ? SP_SIZE - RTM_STACKPOOL_GUARD + 1 + rnd(&seed, RTM_STACKPOOL_GUARD)
                                               : 1 + rnd(&seed, SP_SIZE / 2);
                touch_top(s, d);
                if (d > depth[i]) depth[i] = d;
                ok = rtm_stackpool_used(&p, s) == depth[i];
            } else { /* release */
                bool over = depth[i] > SP_SIZE - RTM_STACKPOOL_GUARD;
                unsigned before = g_total;
                ok = rtm_stackpool_release(&p, s) == (over ? RTM_ERR_OVERFLOW : RTM_OK) &&
                     g_total == before + (over ? 1u : 0u);
                overflows += over;
                if (depth[i] > worst) worst = depth[i];
                held[i] = false;
                freelist[nfree++] = i;
                in_use--;
                releases++;
            }
        }
        rtm_stackpool_stats st;
        rtm_stackpool_get_stats(&p, &st);
        ok = ok && rtm_stackpool_check(&p) == RTM_OK && st.in_use == in_use && st.max_in_use == max_in_use &&
             st.worst_used == worst && st.acquires == acquires && st.releases == releases && st.failed == failed &&
             st.overflows == overflows && st.bad_releases == 0;
        if (!ok) {
            tgt_check_failed(__FILE__, __LINE__, "stack pool against the model at op");
            tgt_put_u(op);
            tgt_puts("\n");
        }
    }
    TGT_CHECK(g_total == overflows && overflows > 0 && failed > 0);
    for (size_t i = 0; i < SP_COUNT; i++)
        if (held[i]) (void)rtm_stackpool_release(&p, g_stacks + i * SP_SIZE);
    TGT_CHECK(rtm_stackpool_check(&p) == RTM_OK);
    rtm_stackpool_deinit(&p);
}

/* =============================================================================================== */
/* priority reserves                                                                               */
/* =============================================================================================== */

static void expect_level(rtm_reserve_level_stats st, size_t requests, size_t served, size_t denied, size_t failed,
                         size_t borrowed, int line)
{
    if (!(st.requests == requests && st.served == served && st.denied == denied && st.failed == failed &&
          st.borrowed == borrowed)) {
        tgt_check_failed(__FILE__, line, "level statistics");
        tgt_puts("  have requests ");
        tgt_put_u(st.requests);
        tgt_puts(" served ");
        tgt_put_u(st.served);
        tgt_puts(" denied ");
        tgt_put_u(st.denied);
        tgt_puts(" failed ");
        tgt_put_u(st.failed);
        tgt_puts(" borrowed ");
        tgt_put_u(st.borrowed);
        tgt_puts("\n");
    }
}
static rtm_reserve_level_stats tier_stats(rtm_tiers *t, unsigned prio)
{
    rtm_reserve_level_stats st = {0, 0, 0, 0, 0};
    TGT_CHECK(rtm_tiers_get_stats(t, prio, &st) == RTM_OK);
    return st;
}
static rtm_reserve_level_stats wm_stats(rtm_reserve *r, unsigned prio)
{
    rtm_reserve_level_stats st = {0, 0, 0, 0, 0};
    TGT_CHECK(rtm_reserve_get_stats(r, prio, &st) == RTM_OK);
    return st;
}

/* Tiered heaps: three 1 KiB heaps; a request tries its own tier and then the lower ones, never a
 * higher one; blocks come from the expected tier; frees go back by address; foreign and double
 * frees are reported and counted; bad requests too. */
static void reserve_tiers(void)
{
    rtm_heap *hp[3];
    for (unsigned i = 0; i < 3; i++) {
        hp[i] = rtm_heap_init(g_heap_mem + i * 1024u, 1024, RTM_FIT_GOOD);
        TGT_REQUIRE(hp[i] != NULL);
    }
    static rtm_tiers t;
    reports_clear();
    rtm_heap *twice[2] = {hp[0], hp[0]};
    TGT_CHECK(rtm_tiers_init(&t, twice, 2) == RTM_ERR_ARG);
    TGT_CHECK(rtm_tiers_init(&t, hp, 0) == RTM_ERR_SIZE);
    TGT_CHECK(rtm_tiers_init(&t, hp, RTM_RESERVE_MAX_LEVELS + 1) == RTM_ERR_SIZE);
    TGT_CHECK(g_total == 3);
    TGT_REQUIRE(rtm_tiers_init(&t, hp, 3) == RTM_OK);
    /* 200-byte requests: four fit in a 1 KiB heap (BLK(200) = 208 with 4-byte headers) */
    rtm_heap_stats hs;
    rtm_heap_get_stats(hp[0], &hs);
    const size_t per = hs.capacity / BLK(200);
    void *top[16], *low[16];
    size_t ntop = 0, nlow = 0;
    for (;;) { /* priority 2: tier 2, then 1, then 0 */
        void *q = rtm_tiers_alloc(&t, 200, 2);
        if (q == NULL) break;
        TGT_REQUIRE(ntop < 16);
        unsigned want = ntop < per ? 2u : ntop < 2 * per ? 1u : 0u;
        TGT_CHECK(in(q, g_heap_mem + want * 1024u, 1024));
        top[ntop++] = q;
    }
    TGT_CHECK(ntop == 3 * per);
    expect_level(tier_stats(&t, 2), 3 * per + 1, 3 * per, 0, 1, 2 * per, __LINE__);
    /* priority 0 finds nothing: its only tier is full */
    TGT_CHECK(rtm_tiers_alloc(&t, 200, 0) == NULL);
    expect_level(tier_stats(&t, 0), 1, 0, 0, 1, 0, __LINE__);
    /* free the top priority's blocks in tier 0: now priority 0 and 1 get them back, never tier 2's */
    for (size_t i = 2 * per; i < 3 * per; i++) rtm_tiers_free(&t, top[i]);
    TGT_CHECK(heap_used(hp[0]) == 0);
    while ((low[nlow] = rtm_tiers_alloc(&t, 200, 1)) != NULL) {
        TGT_CHECK(in(low[nlow], g_heap_mem, 1024));
        nlow++;
    }
    TGT_CHECK(nlow == per);
    expect_level(tier_stats(&t, 1), per + 1, per, 0, 1, per, __LINE__);
    /* bad frees: foreign (no tier holds it), interior and double (the tier's heap says which) */
    reports_clear();
    rtm_tiers_free(&t, g_foreign);
    TGT_CHECK(g_reports[RTM_ERR_BAD_PTR] == 1 && g_last_obj == &t && g_last_ptr == g_foreign);
    rtm_tiers_free(&t, (unsigned char *)top[0] + 8);
    rtm_tiers_free(&t, low[0]);
    rtm_tiers_free(&t, low[0]);
    TGT_CHECK(g_reports[RTM_ERR_DOUBLE_FREE] == 1 && g_last_ptr == low[0]);
    TGT_CHECK(g_total == 3);
    TGT_CHECK(rtm_tiers_alloc(&t, 0, 0) == NULL && rtm_tiers_alloc(&t, 8, 3) == NULL);
    TGT_CHECK(g_reports[RTM_ERR_SIZE] == 1 && g_reports[RTM_ERR_ARG] == 1);
    rtm_reserve_errors er;
    rtm_tiers_get_errors(&t, &er);
    TGT_CHECK(er.bad_frees == 3 && er.bad_requests == 2);
    for (size_t i = 1; i < nlow; i++) rtm_tiers_free(&t, low[i]);
    for (size_t i = 0; i < 2 * per; i++) rtm_tiers_free(&t, top[i]);
    for (unsigned i = 0; i < 3; i++) TGT_CHECK(heap_used(hp[i]) == 0 && rtm_heap_check(hp[i]) == RTM_OK);
    TGT_CHECK(g_total == 5);
    TGT_CHECK(rtm_tiers_destroy(&t) == RTM_OK);
}

/* Watermarks in one heap, at their exact edges: rtm_reserve_alloc's decision order (header), each
 * rule met by one request whose outcome is known from the heap's free bytes. */
static void reserve_watermarks(void)
{
    rtm_heap *h = rtm_heap_init(g_heap_mem, 2048, RTM_FIT_GOOD);
    TGT_REQUIRE(h != NULL);
    static const size_t res[3] = {1024, 256, 0};
    static rtm_reserve r;
    reports_clear();
    static const size_t rising[2] = {10, 20};
    TGT_CHECK(rtm_reserve_init(&r, h, rising, 2) == RTM_ERR_ARG && g_total == 1);
    TGT_REQUIRE(rtm_reserve_init(&r, h, res, 3) == RTM_OK);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    const size_t free0 = hs.free;
    /* rule 2: size + reserve above the free bytes, denied before the heap is touched */
    TGT_CHECK(rtm_reserve_alloc(&r, free0 - 1024 + 1, 0) == NULL);
    expect_level(wm_stats(&r, 0), 1, 0, 1, 0, 0, __LINE__);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.used == 0 && hs.peak_used == 0);
    /* rule 4: size + reserve == free passes rule 2, but the block's header and rounding dig into
     * the reserve: given back, denied (the heap saw one allocation) */
    TGT_CHECK(rtm_reserve_alloc(&r, free0 - 1024, 0) == NULL);
    expect_level(wm_stats(&r, 0), 2, 0, 2, 0, 0, __LINE__);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.used == 0 && hs.free == free0 && hs.peak_used != 0);
    /* served: the largest request whose block leaves exactly the reserve */
    size_t s0 = free0 - 1024 - HDR;
    s0 -= s0 % RTM_ALIGN; /* BLK(s0) == free0 - 1024 when free0 is a multiple of RTM_ALIGN */
    void *a = rtm_reserve_alloc(&r, s0, 0);
    TGT_REQUIRE(a != NULL);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.free == free0 - BLK(s0) && hs.free >= 1024 && hs.free < 1024 + RTM_ALIGN);
    expect_level(wm_stats(&r, 0), 3, 1, 2, 0, 0, __LINE__);
    /* priority 0 is now at its watermark: any more is denied; priority 1 may go down to 256 */
    TGT_CHECK(rtm_reserve_alloc(&r, 1, 0) == NULL);
    expect_level(wm_stats(&r, 0), 4, 1, 3, 0, 0, __LINE__);
    void *b = rtm_reserve_alloc(&r, 600, 1);
    TGT_REQUIRE(b != NULL);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.free >= 256);
    /* rule 1: above the free bytes at all: failed, whatever the level */
    TGT_CHECK(rtm_reserve_alloc(&r, hs.free + 1, 2) == NULL);
    expect_level(wm_stats(&r, 2), 1, 0, 0, 1, 0, __LINE__);
    /* the top level (reserve 0) takes the rest */
    void *c = rtm_reserve_alloc(&r, hs.free - HDR - (hs.free - HDR) % RTM_ALIGN, 2);
    TGT_CHECK(c != NULL);
    expect_level(wm_stats(&r, 2), 2, 1, 0, 1, 0, __LINE__);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.free < RTM_ALIGN + HDR);
    /* rule 3: free bytes enough, no block for them: free a and b, which c separates (good fit
     * put a and c at the bottom, and b, 512 bytes or more, at the top: RTM_HEAP_TOP_SPLIT_MIN),
     * and ask priority 2 for the larger of the two free blocks' bytes */
    TGT_CHECK((uintptr_t)a < (uintptr_t)c && (uintptr_t)c < (uintptr_t)b);
    rtm_reserve_free(&r, a);
    rtm_reserve_free(&r, b);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.free_blocks == 2);
    TGT_CHECK(hs.largest_free < hs.free);
    TGT_CHECK(rtm_reserve_alloc(&r, hs.largest_free, 2) == NULL);
    expect_level(wm_stats(&r, 2), 3, 1, 0, 2, 0, __LINE__);
    /* bad calls */
    reports_clear();
    TGT_CHECK(rtm_reserve_alloc(&r, 0, 0) == NULL && rtm_reserve_alloc(&r, 8, 3) == NULL);
    rtm_reserve_free(&r, (unsigned char *)c + 8);
    rtm_reserve_free(&r, c);
    rtm_reserve_free(&r, c);
    TGT_CHECK(g_reports[RTM_ERR_SIZE] == 1 && g_reports[RTM_ERR_ARG] == 1 && g_reports[RTM_ERR_DOUBLE_FREE] == 1);
    TGT_CHECK(g_total == 4);
    rtm_reserve_errors er;
    rtm_reserve_get_errors(&r, &er);
    TGT_CHECK(er.bad_requests == 2 && er.bad_frees == 2);
    TGT_CHECK(heap_used(h) == 0 && rtm_heap_check(h) == RTM_OK);
    TGT_CHECK(rtm_reserve_destroy(&r) == RTM_OK);
}

/* Seeded mixed-priority requests against the documented rule: a request is served iff its block
 * leaves at least its level's reserve free; denied when size + reserve is above the free bytes or
 * the block would dig into it; failed when above the free bytes or no block fits. The model is
 * the heap's own free count and largest block, read before each call. */
static void reserve_random(void)
{
    rtm_heap *h = rtm_heap_init(g_heap_mem, 2048, RTM_FIT_GOOD);
    TGT_REQUIRE(h != NULL);
    static const size_t res[3] = {768, 256, 0};
    static rtm_reserve r;
    TGT_REQUIRE(rtm_reserve_init(&r, h, res, 3) == RTM_OK);
    uint64_t seed = 20261202u;
    print_seed(seed);
    static struct {
        void *ptr;
        size_t size;
        uint32_t id;
    } live[40];
    size_t nlive = 0, req[3] = {0}, served[3] = {0}, denied[3] = {0}, failed[3] = {0};
    uint32_t next_id = 1;
    bool ok = true;
    reports_clear();
    for (unsigned op = 0; op < 1500 && ok; op++) {
        if (nlive < 40 && rnd(&seed, 100) < 60) {
            unsigned prio = rnd(&seed, 3);
            size_t size = 1 + rnd(&seed, rnd(&seed, 4) == 0 ? 700u : 120u);
            rtm_heap_stats hs;
            rtm_heap_get_stats(h, &hs);
            void *q = rtm_reserve_alloc(&r, size, prio);
            req[prio]++;
            /* Which outcome the rules allow. The block is at least MIN_BLK bytes and may keep a
             * remainder too small to split (below MIN_BLK, so at most MIN_BLK - RTM_ALIGN bytes). */
            size_t blk = BLK(size) > MIN_BLK ? BLK(size) : MIN_BLK;
            int want; /* 0 served, 1 denied, 2 failed, 3 served or denied (the remainder decides) */
            if (size > hs.free) want = 2;
            else if (size + res[prio] > hs.free) want = 1;
            else if (blk > hs.largest_free) want = 2; /* good fit fails only when no block fits */
            else if (hs.free - blk < res[prio]) want = 1;
            else if (hs.free - blk - (MIN_BLK - RTM_ALIGN) >= res[prio]) want = 0;
            else want = 3;
            if (q != NULL) {
                ok = (want == 0 || want == 3) && (uintptr_t)q % RTM_ALIGN == 0;
                served[prio]++;
                live[nlive].ptr = q;
                live[nlive].size = size;
                live[nlive].id = next_id++;
                fill(q, size, live[nlive].id);
                nlive++;
                rtm_heap_get_stats(h, &hs);
                ok = ok && hs.free >= res[prio];
            } else {
                rtm_reserve_level_stats st = wm_stats(&r, prio);
                bool was_denied = st.denied == denied[prio] + 1;
                ok = want == 1 || want == 2 || (want == 3 && was_denied);
                ok = ok && (want == 2 ? !was_denied : want == 1 ? was_denied : true);
                if (was_denied) denied[prio]++;
                else failed[prio]++;
            }
        } else if (nlive > 0) {
            size_t k = rnd(&seed, (uint32_t)nlive);
            ok = same(live[k].ptr, live[k].size, live[k].id);
            rtm_reserve_free(&r, live[k].ptr);
            live[k] = live[--nlive];
        }
        for (unsigned p = 0; p < 3 && ok; p++) {
            rtm_reserve_level_stats st = wm_stats(&r, p);
            ok = st.requests == req[p] && st.served == served[p] && st.denied == denied[p] && st.failed == failed[p];
        }
        if ((op & 63u) == 0) ok = ok && rtm_heap_check(h) == RTM_OK;
        if (!ok) {
            tgt_check_failed(__FILE__, __LINE__, "reserve against the rules at op");
            tgt_put_u(op);
            tgt_puts("\n");
        }
    }
    TGT_CHECK(g_total == 0 && denied[0] > 0 && served[0] > 0 && served[2] > 0);
    while (nlive > 0) {
        nlive--;
        TGT_CHECK(same(live[nlive].ptr, live[nlive].size, live[nlive].id));
        rtm_reserve_free(&r, live[nlive].ptr);
    }
    TGT_CHECK(heap_used(h) == 0 && rtm_heap_check(h) == RTM_OK);
    for (unsigned p = 0; p < 3; p++) {
        tgt_puts(p == 0 ? "  served/denied/failed per level:" : ",");
        tgt_puts(" ");
        tgt_put_u(served[p]);
        tgt_puts("/");
        tgt_put_u(denied[p]);
        tgt_puts("/");
        tgt_put_u(failed[p]);
    }
    tgt_puts("\n");
    TGT_CHECK(rtm_reserve_destroy(&r) == RTM_OK);
}

/* =============================================================================================== */
/* tracker                                                                                         */
/* =============================================================================================== */

#define TRK_RECORDS 16u
#define TRK_SITES 8u
#define TRK_QUAR 2u
_Static_assert(RTM_TRACK_BYTES(TRK_RECORDS, TRK_SITES, TRK_QUAR) <= TRACK_BYTES, "tracker buffer");

/* A tracker over a fresh heap of HEAP_BYTES (guard and quarantine as given), lines to g_cap. */
static rtm_track *tracker(rtm_heap **hout, size_t guard, size_t quarantine)
{
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    if (h == NULL) return NULL;
    rtm_track_config cfg;
    for (size_t i = 0; i < sizeof cfg; i++) ((unsigned char *)&cfg)[i] = 0;
    if (rtm_allocator_from_heap(&cfg.allocator, h) != RTM_OK) return NULL;
    cfg.max_sites = TRK_SITES;
    cfg.guard = guard;
    cfg.quarantine = quarantine;
    cfg.sink = cap_sink;
    cfg.sink_ctx = &g_cap;
    rtm_track *t = NULL;
    if (rtm_track_init(&t, g_track_mem, RTM_TRACK_BYTES(TRK_RECORDS, TRK_SITES, quarantine), &cfg) != RTM_OK) return NULL;
    cap_reset();
    *hout = h;
    return t;
}

/* Sites with file and line (RTM_TRACK_ALLOC: this file's __FILE__ and the call's __LINE__), thread,
 * sequence; find inside a block and not past it; statistics exact; a foreign pointer and a double
 * free refused (RTM_ERR_BAD_PTR) without reaching the heap; realloc keeps contents; bad requests. */
static void track_sites(void)
{
    rtm_heap *h;
    rtm_track *t = tracker(&h, 0, 0);
    TGT_REQUIRE(t != NULL);
    reports_clear();
    const unsigned line_a = __LINE__ + 1;
    char *a = RTM_TRACK_ALLOC(t, 40);
    const unsigned line_b = __LINE__ + 1;
    char *b = RTM_TRACK_ALLOC(t, 100);
    char *c = RTM_TRACK_ALIGNED_ALLOC(t, 64, 10);
    TGT_REQUIRE(a != NULL && b != NULL && c != NULL);
    TGT_CHECK((uintptr_t)c % 64 == 0);
    TGT_CHECK(in(a, g_heap_mem, sizeof g_heap_mem) && rtm_heap_usable_size(h, a) >= 40); /* no guard: the heap's pointer */
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.used_blocks == 3);
    rtm_track_stats st;
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.live_blocks == 3 && st.live_bytes == 150 && st.peak_bytes == 150 && st.allocs == 3);
    TGT_CHECK(st.capacity >= TRK_RECORDS);
    rtm_track_info info;
    TGT_CHECK(rtm_track_find(t, b + 57, &info));
    TGT_CHECK(info.ptr == b && info.size == 100 && info.line == line_b && info.seq == 1);
    TGT_CHECK(info.file != NULL && str_eq(info.file, __FILE__));
    TGT_CHECK(info.thread == rtm_port_thread_id());
    TGT_CHECK(rtm_track_find(t, a, &info) && info.line == line_a && info.seq == 0);
    TGT_CHECK(!(rtm_track_find(t, a + 40, &info) && info.ptr == a)); /* one past the end is not a */
    TGT_CHECK(!rtm_track_find(t, g_foreign, &info));
    TGT_CHECK(rtm_track_validate(t) == RTM_OK);
    RTM_TRACK_FREE(t, b);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.live_blocks == 2 && st.live_bytes == 50 && st.peak_bytes == 150 && st.frees == 1);
    TGT_CHECK(!rtm_track_find(t, b + 57, &info));
    /* refused before the heap */
    rtm_heap_get_stats(h, &hs);
    size_t heap_bad = hs.bad_frees;
    rtm_track_free_at(t, b, "x.c", 7);
    rtm_track_free_at(t, g_foreign + 8, "x.c", 8);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.bad_frees == 2 && g_reports[RTM_ERR_BAD_PTR] == 2 && g_total == 2);
    rtm_heap_get_stats(h, &hs);
    TGT_CHECK(hs.bad_frees == heap_bad && hs.used_blocks == 2);
    text w = {{0}, 0};
    t_str(&w, "rtm_track: bad free ");
    t_hex(&w, (uintptr_t)(g_foreign + 8));
    t_str(&w, " at x.c:8\n");
    CHECK_CAP_HAS(&w);
    TGT_CHECK(g_cap.lines == 2);
    /* realloc: contents and alignment kept, one allocation counted */
    for (unsigned i = 0; i < 10; i++) c[i] = (char)(0x50 + i);
    char *c2 = RTM_TRACK_REALLOC(t, c, 300);
    TGT_REQUIRE(c2 != NULL);
    TGT_CHECK((uintptr_t)c2 % 64 == 0);
    for (unsigned i = 0; i < 10; i++) TGT_CHECK(c2[i] == (char)(0x50 + i));
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.allocs == 4 && st.frees == 1 && st.live_bytes == 340);
    TGT_CHECK(RTM_TRACK_REALLOC(t, c2, 1u << 20) == NULL); /* the heap fails; c2 stays */
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.failed == 1 && rtm_track_find(t, c2 + 299, &info) && info.ptr == c2);
    TGT_CHECK(RTM_TRACK_REALLOC(t, c2, 0) == NULL);
    RTM_TRACK_FREE(t, a);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.live_blocks == 0 && heap_used(h) == 0 && rtm_heap_check(h) == RTM_OK);
    /* bad requests */
    reports_clear();
    TGT_CHECK(rtm_track_alloc_at(t, 0, 0, "x.c", 1) == NULL);
    TGT_CHECK(rtm_track_alloc_at(t, 8, 3, "x.c", 2) == NULL);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.bad_requests == 2 && g_reports[RTM_ERR_SIZE] == 1 && g_reports[RTM_ERR_ARG] == 1);
    TGT_CHECK(rtm_track_validate(t) == RTM_OK);
    rtm_track_destroy(t);
}

/* Red zones of 8 bytes: a one-byte overrun is reported at free (RTM_ERR_OVERFLOW, a line with the
 * block, offset and allocation site) and the block still freed; an underrun is found by
 * rtm_track_check_all; an untouched block says nothing. */
static void track_redzones(void)
{
    rtm_heap *h;
    rtm_track *t = tracker(&h, 8, 0);
    TGT_REQUIRE(t != NULL);
    reports_clear();
    unsigned char *a = rtm_track_alloc_at(t, 13, 0, "g.c", 1);
    unsigned char *b = rtm_track_alloc_at(t, 32, 32, "g.c", 2);
    unsigned char *c = rtm_track_alloc_at(t, 5, 0, "g.c", 3);
    TGT_REQUIRE(a != NULL && b != NULL && c != NULL);
    TGT_CHECK((uintptr_t)b % 32 == 0);
    fill(a, 13, 1);
    fill(b, 32, 2);
    fill(c, 5, 3);
    TGT_CHECK(rtm_track_check_all(t, cap_sink, &g_cap) == RTM_OK && g_cap.lines == 0);
    rtm_track_info info;
    TGT_CHECK(rtm_track_find(t, a + 13, &info) && info.ptr == a); /* in the rear zone: a's */
    TGT_CHECK(rtm_track_find(t, b - 1, &info) && info.ptr == b);
    /* one byte past a's end: caught at free */
    a[13] = 0;
    RTM_TRACK_FREE(t, a);
    TGT_CHECK(g_reports[RTM_ERR_OVERFLOW] == 1 && g_total == 1 && g_cap.lines == 1);
    text w = {{0}, 0};
    t_str(&w, "rtm_track: overflow after block ");
    t_hex(&w, (uintptr_t)a);
    t_str(&w, " size 13 at offset 13 alloc g.c:1\n");
    TGT_CHECK(str_eq(g_cap.text, w.s));
    rtm_track_stats st;
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.overflows == 1 && st.frees == 1 && st.live_blocks == 2);
    /* one byte before b: found by the check, counted once however often it is checked */
    cap_reset();
    b[-1] = 0;
    TGT_CHECK(rtm_track_check_all(t, cap_sink, &g_cap) == RTM_ERR_OVERFLOW);
    TGT_CHECK(rtm_track_check_all(t, NULL, NULL) == RTM_ERR_OVERFLOW);
    w.n = 0;
    t_str(&w, "rtm_track: overflow before block ");
    t_hex(&w, (uintptr_t)b);
    t_str(&w, " size 32 at offset -1 alloc g.c:2\n");
    CHECK_CAP_HAS(&w);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.overflows == 2 && g_reports[RTM_ERR_OVERFLOW] == 2); /* reported once per block */
    RTM_TRACK_FREE(t, b);
    /* an undamaged block: nothing */
    cap_reset();
    TGT_CHECK(same(c, 5, 3));
    RTM_TRACK_FREE(t, c);
    TGT_CHECK(g_cap.lines == 0);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.live_blocks == 0 && st.overflows == 2 && heap_used(h) == 0);
    TGT_CHECK(rtm_track_validate(t) == RTM_OK && rtm_heap_check(h) == RTM_OK);
    rtm_track_destroy(t);
}

/* Leak listing since a checkpoint and between two, lines exact; the report's summary line and
 * per-site lines; a write after free caught in the quarantine with both sites; a double free of a
 * quarantined block naming the first free. */
static void track_leaks_quarantine(void)
{
    rtm_heap *h;
    rtm_track *t = tracker(&h, 0, TRK_QUAR);
    TGT_REQUIRE(t != NULL);
    reports_clear();
    void *old = rtm_track_alloc_at(t, 64, 0, "old.c", 1);
    rtm_track_cp cp = rtm_track_checkpoint(t);
    TGT_CHECK(cp == 1);
    void *n1 = rtm_track_alloc_at(t, 24, 0, "new.c", 5);
    void *n2 = rtm_track_alloc_at(t, 8, 0, "new.c", 5);
    void *n3 = rtm_track_alloc_at(t, 300, 0, "other.c", 7);
    TGT_REQUIRE(old && n1 && n2 && n3);
    rtm_track_free_at(t, n3, "other.c", 8);
    TGT_CHECK(g_cap.lines == 0);
    TGT_CHECK(rtm_track_leaks_since(t, cp, cap_sink, &g_cap) == 2);
    TGT_CHECK(g_cap.lines == 4); /* one site, two blocks, the total */
    text w = {{0}, 0};
    t_str(&w, "leak site new.c:5 blocks 2 bytes 32\n");
    CHECK_CAP_HAS(&w);
    w.n = 0;
    t_str(&w, "leak block ");
    t_hex(&w, (uintptr_t)n1);
    t_str(&w, " size 24 thread ");
    t_hex(&w, rtm_port_thread_id());
    t_str(&w, " age_us ");
    CHECK_CAP_HAS(&w);
    w.n = 0;
    t_str(&w, "leaks since 1 until 4: 2 blocks 32 bytes\n");
    CHECK_CAP_HAS(&w);
    TGT_CHECK(!contains(g_cap.text, "old.c") && !contains(g_cap.text, "other.c"));
    TGT_CHECK(rtm_track_leaks_since(t, 0, NULL, NULL) == 3);
    rtm_track_cp cp2 = rtm_track_checkpoint(t);
    void *late = rtm_track_alloc_at(t, 5, 0, "late.c", 1);
    TGT_CHECK(rtm_track_leaks_between(t, cp, cp2, NULL, NULL) == 2);
    TGT_CHECK(rtm_track_leaks_since(t, cp2, NULL, NULL) == 1);
    /* the report: summary line first, then one line per site */
    cap_reset();
    rtm_track_report(t, cap_sink, &g_cap);
    w.n = 0;
    t_str(&w, "rtm_track: live 4 blocks 101 bytes peak 396 allocs 5 frees 1 failed 0 table_full 0 bad_frees 0 "
              "overflows 0 after_free_writes 0\n");
    TGT_CHECK(starts_with(g_cap.text, w.s));
    w.n = 0;
    t_str(&w, "site new.c:5 live 2 bytes 32 peak 32 allocs 2\n");
    CHECK_CAP_HAS(&w);
    w.n = 0;
    t_str(&w, "site other.c:7 live 0 bytes 0 peak 300 allocs 1\n");
    CHECK_CAP_HAS(&w);
    /* quarantine: n3 is held, poisoned; write after free caught by the check with both sites */
    rtm_track_stats st;
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.quarantined == 1);
    for (unsigned i = 0; i < 300; i++)
        if (((unsigned char *)n3)[i] != RTM_TRACK_POISON) {
            TGT_CHECK(((unsigned char *)n3)[i] == RTM_TRACK_POISON);
            break;
        }
    ((unsigned char *)n3)[5] = 42;
    cap_reset();
    TGT_CHECK(rtm_track_check_all(t, cap_sink, &g_cap) == RTM_ERR_CORRUPT);
    w.n = 0;
    t_str(&w, "rtm_track: write after free block ");
    t_hex(&w, (uintptr_t)n3);
    t_str(&w, " size 300 at offset 5 alloc other.c:7 freed other.c:8\n");
    TGT_CHECK(str_eq(g_cap.text, w.s));
    TGT_CHECK(g_reports[RTM_ERR_CORRUPT] == 1);
    cap_reset();
    rtm_track_free_at(t, n3, "other.c", 9);
    TGT_CHECK(g_reports[RTM_ERR_DOUBLE_FREE] == 1);
    TGT_CHECK(contains(g_cap.text, "rtm_track: double free ") && contains(g_cap.text, " at other.c:9 freed other.c:8\n"));
    rtm_track_free_at(t, late, NULL, 0);
    rtm_track_free_at(t, old, NULL, 0);
    rtm_track_free_at(t, n1, NULL, 0);
    rtm_track_free_at(t, n2, NULL, 0);
    TGT_CHECK(rtm_track_leaks_since(t, 0, NULL, NULL) == 0);
    rtm_track_drain(t);
    rtm_track_get_stats(t, &st);
    TGT_CHECK(st.quarantined == 0 && st.after_free_writes == 1 && heap_used(h) == 0);
    TGT_CHECK(rtm_track_validate(t) == RTM_OK && rtm_heap_check(h) == RTM_OK);
    rtm_track_destroy(t);
}

/* Seeded random allocations (some aligned), reallocs and frees through a tracker with red zones
 * and a quarantine, against a model of the live set: live blocks and bytes, peak, allocations and
 * frees; every live block found by an interior address with its size and site line; patterns
 * checked; rtm_track_validate and rtm_track_check_all clean along the way. */
#define TR_LIVE 10
static void track_random(void)
{
    rtm_heap *h;
    rtm_track *t = tracker(&h, 8, TRK_QUAR);
    TGT_REQUIRE(t != NULL);
    uint64_t seed = 20261203u;
    print_seed(seed);
    static struct {
        unsigned char *ptr;
        size_t size;
        uint32_t id;
        unsigned line;
    } live[TR_LIVE];
    size_t nlive = 0, live_bytes = 0, peak = 0, allocs = 0, frees = 0;
    uint32_t next_id = 1;
    bool ok = true;
    reports_clear();
    for (unsigned op = 0; op < 1200 && ok; op++) {
        unsigned r = rnd(&seed, 10);
        if (nlive < TR_LIVE && r < 5) {
            size_t size = 1 + rnd(&seed, 96), align = rnd(&seed, 4) == 0 ? 32u : 0u;
            unsigned line = 100 + rnd(&seed, 6);
            unsigned char *q = rtm_track_alloc_at(t, size, align, "r.c", line);
            if (q == NULL) continue; /* the heap can run out (failed, counted by the tracker) */
            ok = align == 0 || (uintptr_t)q % align == 0;
            live[nlive].ptr = q;
            live[nlive].size = size;
            live[nlive].id = next_id++;
            live[nlive].line = line;
            fill(q, size, live[nlive].id);
            nlive++;
            allocs++;
            live_bytes += size;
            if (live_bytes > peak) peak = live_bytes;
        } else if (nlive > 0 && r == 5) { /* realloc: the old and the new block count at once */
            size_t k = rnd(&seed, (uint32_t)nlive), size = 1 + rnd(&seed, 96);
            ok = same(live[k].ptr, live[k].size, live[k].id);
            unsigned char *q = rtm_track_realloc_at(t, live[k].ptr, size, "r.c", 200);
            if (q == NULL) continue;
            size_t keep = size < live[k].size ? size : live[k].size;
            ok = ok && same(q, keep, live[k].id);
            if (live_bytes + size > peak) peak = live_bytes + size;
            live_bytes = live_bytes - live[k].size + size;
            live[k].ptr = q;
            live[k].size = size;
            live[k].line = 200;
            fill(q, size, live[k].id);
            allocs++; /* a realloc counts one allocation and no free */
        } else if (nlive > 0) {
            size_t k = rnd(&seed, (uint32_t)nlive);
            ok = same(live[k].ptr, live[k].size, live[k].id);
            rtm_track_free_at(t, live[k].ptr, "r.c", 300);
            live_bytes -= live[k].size;
            frees++;
            live[k] = live[--nlive];
        }
        rtm_track_stats st;
        rtm_track_get_stats(t, &st);
        ok = ok && st.live_blocks == nlive && st.live_bytes == live_bytes && st.peak_bytes == peak &&
             st.allocs == allocs && st.frees == frees && st.bad_frees == 0 && st.overflows == 0 &&
             st.after_free_writes == 0 && st.quarantined <= TRK_QUAR;
        if ((op & 31u) == 0 && ok) {
            ok = rtm_track_validate(t) == RTM_OK && rtm_track_check_all(t, NULL, NULL) == RTM_OK &&
                 rtm_heap_check(h) == RTM_OK;
            for (size_t k = 0; k < nlive && ok; k++) {
                rtm_track_info info;
                ok = rtm_track_find(t, live[k].ptr + live[k].size / 2, &info) && info.ptr == live[k].ptr &&
                     info.size == live[k].size && info.line == live[k].line;
            }
        }
        if (!ok) {
            tgt_puts("  live ");
            tgt_put_u(st.live_blocks);
            tgt_puts(" bytes ");
            tgt_put_u(st.live_bytes);
            tgt_puts(" peak ");
            tgt_put_u(st.peak_bytes);
            tgt_puts(" allocs ");
            tgt_put_u(st.allocs);
            tgt_puts(" frees ");
            tgt_put_u(st.frees);
            tgt_puts("\n");
            tgt_check_failed(__FILE__, __LINE__, "tracker against the model at op");
            tgt_put_u(op);
            tgt_puts("\n");
        }
    }
    TGT_CHECK(g_total == 0 && g_cap.lines == 0);
    while (nlive > 0) {
        nlive--;
        TGT_CHECK(same(live[nlive].ptr, live[nlive].size, live[nlive].id));
        rtm_track_free_at(t, live[nlive].ptr, "r.c", 400);
    }
    rtm_track_drain(t);
    TGT_CHECK(heap_used(h) == 0 && rtm_track_validate(t) == RTM_OK);
    tgt_puts("  allocations ");
    tgt_put_u(allocs);
    tgt_puts(", peak bytes ");
    tgt_put_u(peak);
    tgt_puts("\n");
    rtm_track_destroy(t);
}

/* ---- the firmware's own main stack, measured with the stack module ---- */
extern unsigned char __bss_end[]; /* targets/ld/<board>.ld: the main stack grows down towards it */
static unsigned char *g_main_lo;
static size_t g_main_size;

/* Paints up to 8 KiB below main's stack pointer (on the micro:bit the whole gap down to .bss),
 * before the first case. 256 bytes below sp stay unpainted for this function's frame and
 * rtm_stack_paint's; interrupts are masked, since an exception frame would be pushed in there. */
static void main_stack_paint(void)
{
    uintptr_t hi = current_sp() - 256u, lo = (uintptr_t)__bss_end;
    if (hi - lo > 8192u) lo = hi - 8192u;
    g_main_lo = (unsigned char *)lo;
    g_main_size = (size_t)(hi - lo);
    rtm_port_key key = rtm_port_critical_enter();
    rtm_stack_paint(g_main_lo, g_main_size);
    rtm_port_critical_exit(key);
}

/* After every other case: how deep main's stack went (with the SysTick handler's frames on the
 * Cortex-M boards), measured on the real stack, and its guard band (the 32 bytes above .bss on the
 * micro:bit) never reached. */
static void stack_main_stack(void)
{
    rtm_stack_info info;
    reports_clear();
    TGT_REQUIRE(rtm_stack_get_info(g_main_lo, g_main_size, &info) == RTM_OK);
    TGT_CHECK(info.size == g_main_size && info.used > 0 && info.used + info.unused == info.size);
    TGT_CHECK(rtm_stack_check(g_main_lo, g_main_size, 0) == RTM_OK && g_total == 0);
    tgt_puts("  main stack: ");
    tgt_put_u(info.used + 256u);
    tgt_puts(" bytes used of ");
    tgt_put_u(g_main_size + 256u);
    tgt_puts(" measured\n");
}

/* =============================================================================================== */

static const struct {
    const char *name;
    void (*fn)(void);
} k_cases[] = {
    {"pools.layout_advise", pools_layout_advise},
    {"pools.bad_frees", pools_bad_frees},
    {"pools.corrupt", pools_corrupt},
    {"pools.random", pools_random},
    {"stack.paint_unused", stack_paint_unused},
    {"stack.random", stack_random},
    {"stackpool.layout", stackpool_layout},
    {"stackpool.guard", stackpool_guard},
    {"stackpool.bad_release", stackpool_bad_release},
    {"stackpool.corrupt", stackpool_corrupt},
    {"stackpool.real_frames", stackpool_real_frames},
    {"stackpool.random", stackpool_random},
    {"reserve.tiers", reserve_tiers},
    {"reserve.watermarks", reserve_watermarks},
    {"reserve.random", reserve_random},
    {"track.sites", track_sites},
    {"track.redzones", track_redzones},
    {"track.leaks_quarantine", track_leaks_quarantine},
    {"track.random", track_random},
    {"stack.main_stack", stack_main_stack}, /* last: it measures the others */
};

int main(void)
{
    board_init();
    main_stack_paint();
    rtm_set_error_hook(hook);
    for (unsigned i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        tgt_case_begin(k_cases[i].name);
        k_cases[i].fn();
        tgt_case_end();
    }
    return tgt_summary();
}
