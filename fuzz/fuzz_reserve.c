/*
 * libFuzzer target for the priority reserves (rtmem/reserve.h): the input configures one rtm_reserve
 * (watermarks in one heap) or one rtm_tiers (a heap per level), good or bad, then applies an
 * operation sequence to it. Every heap the object uses has a twin, a shadow heap built the same
 * way at the same offset of a second arena, which the target drives itself with rtm_heap_alloc /
 * rtm_heap_free following the rule reserve.h states; the real heap must end every step exactly as
 * its twin (statistics and a walk of its blocks, offsets included).
 *
 * Input: byte 0: bit 0 the design (0 rtm_reserve, 1 rtm_tiers), bits 1-2 the heaps' fit policy
 * (0 good, 1 best, 2 first, 3 good), bits 3-7 v the level count: v < 24: 1 + v % MAX (MAX =
 * RTM_RESERVE_MAX_LEVELS), 24: 0, 25: MAX + 1, 26: MAX + 2, 27: 2 * MAX + 3, 28..31: SIZE_MAX -
 * (v - 28). The arena is 32 slots of 4 KiB; slots 30-31 hold a foreign heap (not the object's).
 *   rtm_reserve: byte 1 b: heap buffer 512 + 64 b bytes (512..16832: the small ones cannot hold a
 *     heap, rtm_heap_init says NULL and the reserve gets a NULL heap), byte 2 m: buffer
 *     misalignment m & 63, m bit 6: a second region (slot 8) of 256 + 15 c bytes, c the next byte,
 *     m bit 7: the watermarks are sorted non-increasing (else as read). Then min(levels, MAX + 2)
 *     watermarks of 2 bytes v each: v >= 0xFFF0: SIZE_MAX - (v & 15); 0xFF00..0xFFEF: the heap's
 *     free bytes after init minus 8 (v & 0xFF) (0 if below); else v % 12288. The array passed has
 *     exactly that many entries (ASan catches a read past it).
 *   rtm_tiers: min(levels, MAX + 1) heaps, each 2 bytes a, b: a % 32 % 30 the slot of its buffer
 *     (the next free slot if taken), a bit 5: a second region (then a byte c: slot c % 30, the
 *     next free one, 256 + 480 (c >> 5) bytes: a slot between a heap's two regions puts another
 *     tier inside its extent), a bits 6-7: 1 the heap is NULL, 2 it repeats the previous tier's
 *     heap (tier 0: as 0), 0 and 3 a fresh heap; b: buffer 1792 + 128 (b & 15) bytes, misaligned
 *     by 4 (b >> 4). The array passed has exactly that many entries.
 * The init must do what reserve.h says: rtm_reserve_init refuses NULLs (RTM_ERR_ARG; a NULL heap
 * too), increasing watermarks (RTM_ERR_ARG) and levels 0 or above MAX (RTM_ERR_SIZE);
 * rtm_tiers_init NULLs (t, heaps, a heap: RTM_ERR_ARG), a repeated heap (RTM_ERR_ARG, or
 * RTM_ERR_OVERLAP: its extent overlaps itself), levels 0 or above MAX (RTM_ERR_SIZE), extents that
 * overlap (RTM_ERR_OVERLAP; an extent is the span of a walk of the heap, first payload to the end
 * of the last). A refusal returns one of the codes that apply (any of them when several do), sends
 * exactly one report with that code, and leaves the object's bytes and the whole arena as they
 * were; an init with nothing wrong must succeed. NULL object and NULL array calls are refused on
 * every input. After a refusal the input ends.
 * Then operations of 1 opcode byte (% 8) plus operand bytes (missing bytes read as 0):
 *   0 alloc prio:1 size:2       1 free slot:1            2 interior free slot:1 off:1
 *   3 double free slot:1        4 foreign free kind:1 x:2
 *   5 bad call kind:1           6 free a level prio:1    7 burst prio:1 size:2 (up to 16 allocs)
 * prio: 0xF8..0xFE levels + (p & 7), 0xFF UINT_MAX (out of range: bad requests), else p % levels.
 * size v: 0xFFF0.. SIZE_MAX - (v & 15); 0xF000..0xFFEF: base + (v & 0xFF) - 128 (1 if not
 * positive), base = (watermarks) the heap's free bytes, minus reserve[prio] when v bit 8 is set
 * (the boundary the rule turns on), (tiers) tier prio's free bytes, or its largest free block with
 * bit 8; else v % 3000 (0 is a bad request).
 * Foreign free kinds (kind % 4): 0 a static array outside every heap + x % 200, 1 a block of the
 * foreign heap, 2 byte x % length of a region of heap (kind >> 2) % heaps (x bit 15: its second
 * region, if it has one; skipped if a live block starts there), 3 an arena slot no heap uses (tiers; inside a two-region extent the
 * owning heap is asked) / past the reserve heap's buffer.
 * Bad calls (kind % 8): 0 alloc with a NULL object (reported, not counted), 1 free of NULL (no-op,
 * not reported), 2 free of a live block with a NULL object (reported; the block stays live),
 * 3 get_stats with NULL object, NULL out or a level out of range (RTM_ERR_ARG), 4 get_errors with
 * NULL object (zeros) or NULL out, 5 destroy(NULL) (RTM_ERR_ARG), 6 alloc of size 0 at UINT_MAX
 * (one bad request), 7 reset the heaps' peaks (real and shadow).
 * The reference rule (reserve.h, docs/slab.md). Watermarks: with F the heap's free bytes before a
 * request of size s at priority p: s > F: failed, the heap untouched; s + reserve[p] > F (or
 * wraps): denied, the heap untouched; else the heap allocates (the shadow heap does the same): no
 * block: failed; free bytes after < reserve[p]: given back, denied, the heap's blocks as before
 * (its counters see the allocation and the free); else served, leaving >= reserve[p] free. Tiers:
 * tier p, then p-1, ..., 0, the first heap that allocates serves (borrowed when below p); none:
 * failed. Frees go to the heap that owns the pointer (tiers: the one whose extent holds it, none:
 * reported RTM_ERR_BAD_PTR and counted without asking a heap); a pointer that is not a live block
 * is reported once (RTM_ERR_BAD_PTR or RTM_ERR_DOUBLE_FREE) and counted in bad_frees.
 * After every step: rtm_heap_check of every heap is RTM_OK (the reserves have no check of their
 * own), each heap equals its shadow twin, the per-level counters (requests, served, denied,
 * failed, borrowed) and the error counters equal the model's, requests = served + denied + failed,
 * the reports are exactly the expected ones (the calls reserve.h does not say report - get_stats,
 * get_errors, destroy - must not), every served block lies in a tier at or below its priority
 * and is usable for its size, and every live block keeps its pattern (over its usable size, which
 * the twin's block gets too). Both arenas are zeroed for every input. Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_sanitize.h"
#include "rtmem/reserve.h"

#include "fuzz_common.h"

#define MAXL ((size_t)RTM_RESERVE_MAX_LEVELS)
#define NSLOT 32u
#define SLOT_BYTES 4096u
#define FREE_SLOTS 30u /* slots 30 and 31: the foreign heap */
#define NHEAP (RTM_RESERVE_MAX_LEVELS + 1)
#define LIVE 128
#define MAXW 1024

static _Alignas(64) unsigned char g_arena[NSLOT * SLOT_BYTES + 64];
static _Alignas(64) unsigned char g_shadow[NSLOT * SLOT_BYTES + 64];
static unsigned char g_snap[sizeof g_arena];
static _Alignas(64) unsigned char g_outside[256];

/* ---- arena snapshots, outside ASan's view (freed blocks are poisoned) --------------------------- */
__attribute__((no_sanitize("address", "coverage"))) static void snap_take(void)
{
    for (size_t i = 0; i < sizeof g_arena; i++) g_snap[i] = g_arena[i];
}
__attribute__((no_sanitize("address", "coverage"))) static bool snap_same(void)
{
    for (size_t i = 0; i < sizeof g_arena; i++)
        if (g_snap[i] != g_arena[i]) return false;
    return true;
}

/* ---- heaps and their shadow twins ---------------------------------------------------------------- */
typedef struct {
    rtm_heap *h, *s;         /* real, shadow (NULL both when the heap is NULL) */
    unsigned char *buf[2];   /* real regions */
    size_t len[2];
    size_t nreg;
    uintptr_t lo, hi;        /* extent: first payload to the end of the last block */
} mheap;

static unsigned char *to_shadow(const void *p)
{
    const unsigned char *c = p;
    if (c >= g_arena && c < g_arena + sizeof g_arena) return g_shadow + (c - g_arena);
    return (unsigned char *)(uintptr_t)c;
}
static unsigned char *from_shadow(const void *p)
{
    const unsigned char *c = p;
    REQUIRE(c >= g_shadow && c < g_shadow + sizeof g_shadow);
    return g_arena + (c - g_shadow);
}

static void *sh_alloc(mheap *m, size_t n)
{
    fuzz_reports_muted = true;
    void *q = rtm_heap_alloc(m->s, n);
    fuzz_reports_muted = false;
    return q;
}
static void sh_free(mheap *m, const void *real_ptr)
{
    fuzz_reports_muted = true;
    rtm_heap_free(m->s, to_shadow(real_ptr));
    fuzz_reports_muted = false;
}

/* Both heaps of @p m over the same offsets of the two arenas; NULL twins when the real one fails. */
static void heap_make(mheap *m, size_t off, size_t len, rtm_fit fit, size_t off2, size_t len2)
{
    memset(m, 0, sizeof *m);
    m->h = rtm_heap_init(g_arena + off, len, fit);
    if (m->h == NULL) {
        fuzz_expect_report(~0u); /* rtm_heap_init reports its refusals */
        return;
    }
    fuzz_reports_muted = true;
    m->s = rtm_heap_init(g_shadow + off, len, fit);
    fuzz_reports_muted = false;
    REQUIRE(m->s != NULL);
    m->buf[0] = g_arena + off, m->len[0] = len, m->nreg = 1;
    if (len2 != 0) {
        REQUIRE(rtm_heap_add_region(m->h, g_arena + off2, len2) == RTM_OK);
        fuzz_reports_muted = true;
        REQUIRE(rtm_heap_add_region(m->s, g_shadow + off2, len2) == RTM_OK);
        fuzz_reports_muted = false;
        m->buf[1] = g_arena + off2, m->len[1] = len2, m->nreg = 2;
    }
}

typedef struct {
    size_t off, size, bytes;
    bool used;
    unsigned region;
} wblk;
typedef struct {
    const unsigned char *base;
    wblk *b;
    size_t n;
    uintptr_t lo, hi;
} wlist;
static wblk g_wa[MAXW], g_wb[MAXW], g_wc[MAXW];

static bool walker(const rtm_heap_block *blk, void *ctx)
{
    wlist *w = ctx;
    const unsigned char *p = blk->ptr;
    REQUIRE(w->n < MAXW && p >= w->base && p < w->base + sizeof g_arena);
    w->b[w->n++] = (wblk){(size_t)(p - w->base), blk->size, blk->block_bytes, blk->used, blk->region};
    uintptr_t lo = (uintptr_t)p, hi = lo + blk->size;
    if (lo < w->lo) w->lo = lo;
    if (hi > w->hi) w->hi = hi;
    return true;
}
static size_t walk(const rtm_heap *h, const unsigned char *base, wblk *out, uintptr_t *lo, uintptr_t *hi)
{
    wlist w = {base, out, 0, UINTPTR_MAX, 0};
    rtm_heap_walk(h, walker, &w);
    if (lo) *lo = w.lo;
    if (hi) *hi = w.hi;
    return w.n;
}
static bool same_walk(const wblk *a, size_t na, const wblk *b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].off != b[i].off || a[i].size != b[i].size || a[i].bytes != b[i].bytes || a[i].used != b[i].used ||
            a[i].region != b[i].region)
            return false;
    return true;
}
static bool same_stats(const rtm_heap_stats *a, const rtm_heap_stats *b)
{
    return a->capacity == b->capacity && a->used == b->used && a->free == b->free &&
           a->largest_free == b->largest_free && a->free_blocks == b->free_blocks && a->peak_used == b->peak_used &&
           a->allocs == b->allocs && a->frees == b->frees && a->failed_allocs == b->failed_allocs &&
           a->bad_frees == b->bad_frees && a->frag_permille == b->frag_permille &&
           a->used_blocks == b->used_blocks && a->bad_requests == b->bad_requests && a->regions == b->regions &&
           a->max_alloc == b->max_alloc;
}
static void twin_check(const mheap *m)
{
    REQUIRE(rtm_heap_check(m->h) == RTM_OK);
    rtm_heap_stats a, b;
    rtm_heap_get_stats(m->h, &a);
    fuzz_reports_muted = true;
    rtm_heap_get_stats(m->s, &b);
    fuzz_reports_muted = false;
    REQUIRE(same_stats(&a, &b));
    size_t na = walk(m->h, g_arena, g_wa, NULL, NULL), nb = walk(m->s, g_shadow, g_wb, NULL, NULL);
    REQUIRE(same_walk(g_wa, na, g_wb, nb));
}
static size_t free_bytes(const rtm_heap *h)
{
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    return st.free;
}
static bool in_heap_bufs(const mheap *m, const void *p)
{
    const unsigned char *c = p;
    for (size_t r = 0; r < m->nreg; r++)
        if (c >= m->buf[r] && c < m->buf[r] + m->len[r]) return true;
    return false;
}

/* ---- live blocks --------------------------------------------------------------------------------- */
typedef struct {
    unsigned char *p;
    size_t n; /* its usable size (rtm_heap_usable_size), patterned at both ends */
    uint32_t id;
    unsigned prio;
    size_t tier; /* the heap that holds it (0 for the watermarks' one heap) */
} blk;

/* Pattern in the first 64 and the last 16 bytes of a block's usable size, whole words: a bad free
 * of a pointer inside a live block makes the heap read the word before it as a header, so no word
 * of a live block may be half pattern and half a header left there earlier (a pattern byte over
 * the low byte of a stale free header can turn it into a plausible used one; heap.h: "as far as
 * O(1) checks of its header and neighbours can tell"). Words untouched are headers stamped free
 * or links and zeros, which the heap turns away. */
static bool patterned(size_t i, size_t n) { return i < 64u || i + 16u >= n; }
static unsigned char pattern(uint32_t id, size_t i) { return (unsigned char)(id * 131u + i * 7u + 1u); }
/* The twin's block gets the same bytes: a bad free reads the word before its pointer, which must be
 * the same on both sides for the two heaps to decide alike. */
static void fill(const blk *b)
{
    unsigned char *t = to_shadow(b->p);
    for (size_t i = 0; i < b->n; i++)
        if (patterned(i, b->n)) b->p[i] = t[i] = pattern(b->id, i);
        else i = b->n - 17u;
}
static void verify(const blk *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (patterned(i, b->n)) REQUIRE(b->p[i] == pattern(b->id, i));
        else i = b->n - 17u;
}

/* ---- the state of one input ---------------------------------------------------------------------- */
static struct {
    bool tiers;
    size_t levels;              /* valid once init succeeded */
    size_t reserve[RTM_RESERVE_MAX_LEVELS];
    mheap heap[NHEAP];          /* tiers: one per level; watermarks: heap[0] */
    size_t nheap;
    rtm_reserve r;
    rtm_tiers t;
    rtm_reserve_level_stats st[RTM_RESERVE_MAX_LEVELS];
    size_t bad_frees, bad_requests;
    blk live[LIVE];
    size_t nlive;
    uint32_t id;
    rtm_heap *foreign;
    void *fblk[2];
} g;

/* The object's calls, whichever design. */
static void *o_alloc(void *obj, size_t n, unsigned p)
{
    return g.tiers ? rtm_tiers_alloc(obj, n, p) : rtm_reserve_alloc(obj, n, p);
}
static void o_free(void *obj, void *ptr)
{
    if (g.tiers) rtm_tiers_free(obj, ptr);
    else rtm_reserve_free(obj, ptr);
}
static rtm_err o_stats(void *obj, unsigned p, rtm_reserve_level_stats *out)
{
    return g.tiers ? rtm_tiers_get_stats(obj, p, out) : rtm_reserve_get_stats(obj, p, out);
}
static void o_errors(void *obj, rtm_reserve_errors *out)
{
    if (g.tiers) rtm_tiers_get_errors(obj, out);
    else rtm_reserve_get_errors(obj, out);
}
static rtm_err o_destroy(void *obj) { return g.tiers ? rtm_tiers_destroy(obj) : rtm_reserve_destroy(obj); }
static void *obj(void) { return g.tiers ? (void *)&g.t : (void *)&g.r; }

/* The tier whose extent holds @p p, or g.nheap. */
static size_t owner(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (!g.tiers) return 0;
    for (size_t i = 0; i < g.nheap; i++)
        if (a >= g.heap[i].lo && a < g.heap[i].hi) return i;
    return g.nheap;
}

static void check_all(void)
{
    for (size_t i = 0; i < g.nheap; i++) twin_check(&g.heap[i]);
    for (size_t p = 0; p < g.levels; p++) {
        rtm_reserve_level_stats s;
        REQUIRE(o_stats(obj(), (unsigned)p, &s) == RTM_OK);
        const rtm_reserve_level_stats *m = &g.st[p];
        REQUIRE(s.requests == m->requests && s.served == m->served && s.denied == m->denied &&
                s.failed == m->failed && s.borrowed == m->borrowed);
        REQUIRE(s.requests == s.served + s.denied + s.failed && s.borrowed <= s.served);
        if (g.tiers) REQUIRE(s.denied == 0);
    }
    rtm_reserve_errors e;
    o_errors(obj(), &e);
    REQUIRE(e.bad_frees == g.bad_frees && e.bad_requests == g.bad_requests);
    REQUIRE(fuzz_reports == fuzz_reports_expected);
    for (size_t i = 0; i < g.nlive; i++) verify(&g.live[i]);
}

/* A legal free of live block j: the object's, then the same on the twin of its heap. */
static void free_live(size_t j)
{
    blk b = g.live[j];
    verify(&b);
    o_free(obj(), b.p);
    sh_free(&g.heap[b.tier], b.p);
    g.live[j] = g.live[--g.nlive];
}

static bool live_start(const void *p)
{
    for (size_t i = 0; i < g.nlive; i++)
        if (g.live[i].p == p) return true;
    return false;
}

/* A free of @p p, which is no live block: one report, one bad free, the owner's twin told too. */
static void bad_free(void *p)
{
    size_t o = owner(p);
    o_free(obj(), p);
    g.bad_frees++;
    if (g.tiers && o == g.nheap) {
        fuzz_expect_report(EBIT(RTM_ERR_BAD_PTR)); /* outside every tier: no heap asked */
        return;
    }
    fuzz_expect_report(EBIT(RTM_ERR_BAD_PTR) | EBIT(RTM_ERR_DOUBLE_FREE));
    sh_free(&g.heap[o], p);
}

/* ---- input --------------------------------------------------------------------------------------- */
static unsigned read_prio(reader *r)
{
    unsigned b = u8(r);
    if (b == 0xFFu) return UINT32_MAX;
    if (b >= 0xF8u) return (unsigned)g.levels + (b & 7u);
    return b % (unsigned)g.levels;
}

static size_t read_size(reader *r, unsigned p)
{
    unsigned v = u16(r);
    if (v >= 0xFFF0u) return SIZE_MAX - (v & 15u);
    if (v < 0xF000u) return v % 3000u;
    size_t base = 0;
    if (p < g.levels) {
        rtm_heap_stats st;
        rtm_heap_get_stats(g.heap[g.tiers ? p : 0].h, &st);
        if (g.tiers) base = v & 0x100u ? st.largest_free : st.free;
        else base = !(v & 0x100u) ? st.free : st.free > g.reserve[p] ? st.free - g.reserve[p] : 0;
    }
    long long d = (long long)(v & 0xFFu) - 128;
    if (d < 0 && base <= (size_t)-d) return 1;
    return (size_t)((long long)base + d);
}

/* One alloc through the object and the model; false when it returned NULL. */
static bool do_alloc(size_t size, unsigned p)
{
    if (g.nlive == LIVE) free_live(0);
    rtm_heap_stats before;
    rtm_heap_get_stats(g.heap[!g.tiers || p >= g.levels ? 0 : p].h, &before);
    size_t nw = g.tiers ? 0 : walk(g.heap[0].h, g_arena, g_wc, NULL, NULL);
    unsigned char *q = o_alloc(obj(), size, p);
    if (size == 0 || p >= g.levels) {
        REQUIRE(q == NULL);
        g.bad_requests++;
        fuzz_expect_report(~0u);
        return false;
    }
    rtm_reserve_level_stats *m = &g.st[p];
    m->requests++;
    size_t tier = 0;
    unsigned char *want = NULL;
    if (!g.tiers) {
        mheap *h = &g.heap[0];
        size_t keep = g.reserve[p], f0 = before.free;
        rtm_heap_stats after;
        if (size > f0 || size + keep < size || size + keep > f0) {
            /* failed (no room even without a reserve) or denied: decided before touching the heap */
            if (size > f0) m->failed++;
            else m->denied++;
            rtm_heap_get_stats(h->h, &after);
            REQUIRE(same_stats(&before, &after));
        } else {
            unsigned char *s = sh_alloc(h, size);
            if (s == NULL) {
                m->failed++;
            } else if (free_bytes(h->s) < keep) { /* dug into the reserve: given back */
                fuzz_reports_muted = true;
                rtm_heap_free(h->s, s);
                fuzz_reports_muted = false;
                m->denied++;
                size_t n2 = walk(h->h, g_arena, g_wa, NULL, NULL);
                REQUIRE(same_walk(g_wc, nw, g_wa, n2)); /* the heap's blocks as before */
            } else {
                m->served++;
                want = from_shadow(s);
                REQUIRE(free_bytes(h->h) >= keep);
            }
        }
    } else {
        size_t i = p + 1u;
        unsigned char *s = NULL;
        while (s == NULL && i-- > 0) s = sh_alloc(&g.heap[i], size);
        if (s == NULL) {
            m->failed++;
        } else {
            tier = i;
            m->served++;
            if (i != p) m->borrowed++;
            want = from_shadow(s);
        }
    }
    REQUIRE(q == want);
    REQUIRE(fuzz_reports == fuzz_reports_expected);
    if (q == NULL) return false;
    /* the priority rule, stated on its own: a block of priority p lies in a tier at or below p */
    REQUIRE(tier <= p && in_heap_bufs(&g.heap[tier], q));
    /* all of the usable size is the caller's (and opened to ASan by the query): patterned whole */
    size_t u = rtm_heap_usable_size(g.heap[tier].h, q);
    REQUIRE(((uintptr_t)q & (RTM_ALIGN - 1u)) == 0 && u >= size && u % sizeof(size_t) == 0);
    fuzz_reports_muted = true;
    REQUIRE(rtm_heap_usable_size(g.heap[tier].s, to_shadow(q)) == u);
    fuzz_reports_muted = false;
    blk *b = &g.live[g.nlive++];
    *b = (blk){q, u, ++g.id, p, tier};
    fill(b);
    return true;
}

static void bad_calls(reader *r)
{
    unsigned k = u8(r);
    rtm_reserve_level_stats ls;
    rtm_reserve_errors er;
    switch (k % 8u) {
    case 0:
        REQUIRE(o_alloc(NULL, 16, 0) == NULL);
        fuzz_expect_report(~0u);
        break;
    case 1:
        o_free(obj(), NULL);
        break;
    case 2:
        if (g.nlive) {
            blk *b = &g.live[(k >> 3) % g.nlive];
            o_free(NULL, b->p);
            fuzz_expect_report(EBIT(RTM_ERR_ARG));
        }
        break;
    case 3:
        REQUIRE(o_stats(NULL, 0, &ls) == RTM_ERR_ARG);
        REQUIRE(o_stats(obj(), 0, NULL) == RTM_ERR_ARG);
        REQUIRE(o_stats(obj(), (unsigned)g.levels + (k >> 3), &ls) == RTM_ERR_ARG);
        REQUIRE(o_stats(obj(), UINT32_MAX, &ls) == RTM_ERR_ARG);
        break;
    case 4:
        memset(&er, 0xA5, sizeof er);
        o_errors(NULL, &er);
        REQUIRE(er.bad_frees == 0 && er.bad_requests == 0);
        o_errors(obj(), NULL);
        break;
    case 5:
        REQUIRE(o_destroy(NULL) == RTM_ERR_ARG);
        break;
    case 6:
        do_alloc(0, UINT32_MAX);
        break;
    default:
        for (size_t i = 0; i < g.nheap; i++) {
            rtm_heap_reset_peak(g.heap[i].h);
            fuzz_reports_muted = true;
            rtm_heap_reset_peak(g.heap[i].s);
            fuzz_reports_muted = false;
        }
        break;
    }
}

static bool g_slot_used[NSLOT]; /* tiers: slots holding a region */

static void foreign_free(reader *r)
{
    unsigned k = u8(r), x = u16(r);
    unsigned char *p = NULL;
    switch (k % 4u) {
    case 0:
        p = g_outside + x % 200u;
        break;
    case 1:
        p = g.fblk[x & 1u];
        break;
    case 2: {
        const mheap *m = &g.heap[(k >> 2) % g.nheap];
        size_t reg = (x >> 15) % m->nreg;
        p = m->buf[reg] + x % m->len[reg];
        break;
    }
    default:
        if (!g.tiers) {
            p = g_arena + 12u * SLOT_BYTES + x % (8u * SLOT_BYTES);
            break;
        }
        for (unsigned s = 0; s < FREE_SLOTS && p == NULL; s++) { /* every region lies in its slot */
            unsigned slot = (x + s) % FREE_SLOTS;
            if (!g_slot_used[slot]) p = g_arena + slot * SLOT_BYTES + (k >> 2) * 8u;
        }
        break;
    }
    if (p == NULL || live_start(p)) return;
    bad_free(p);
}

/* ---- configuration ------------------------------------------------------------------------------- */
static size_t levels_of(unsigned v)
{
    if (v < 24u) return 1u + v % MAXL;
    switch (v) {
    case 24: return 0;
    case 25: return MAXL + 1u;
    case 26: return MAXL + 2u;
    case 27: return 2u * MAXL + 3u;
    default: return SIZE_MAX - (v - 28u);
    }
}

static size_t take_slot(unsigned want)
{
    for (unsigned i = 0; i < FREE_SLOTS; i++) {
        unsigned s = (want + i) % FREE_SLOTS;
        if (!g_slot_used[s]) {
            g_slot_used[s] = true;
            return s;
        }
    }
    REQUIRE(0);
    return 0;
}

/* The outcome of an init (rtm_reserve_init, rtm_tiers_init) of the object at obj, size bytes, that
 * was canary before: with allowed != 0 it must be refused with one of those codes, one report, the
 * object and the arena untouched; else it must succeed without a report. True if it succeeded. */
static bool init_as_allowed(rtm_err e, unsigned allowed, const void *obj, const void *canary, size_t size)
{
    if (allowed != 0) {
        REQUIRE(e != RTM_OK && (allowed & EBIT(e)) != 0);
        fuzz_expect_report(EBIT(e));
        REQUIRE(memcmp(obj, canary, size) == 0);
        REQUIRE(snap_same());
        return false;
    }
    REQUIRE(e == RTM_OK && fuzz_reports == fuzz_reports_expected);
    return true;
}

/* Sets up the watermarks; false when the init was (rightly) refused. */
static bool setup_reserve(reader *r, size_t levels, rtm_fit fit)
{
    size_t len = 512u + 64u * u8(r);
    unsigned m = u8(r);
    size_t len2 = m & 0x40u ? 256u + 15u * u8(r) : 0;
    heap_make(&g.heap[0], m & 63u, len, fit, 8u * SLOT_BYTES, len2);
    g.nheap = g.heap[0].h != NULL;
    rtm_heap *h = g.heap[0].h;
    size_t cap = h ? free_bytes(h) : 0;
    size_t nr = levels < MAXL + 2u ? levels : MAXL + 2u;
    size_t *res = malloc((nr ? nr : 1u) * sizeof *res);
    REQUIRE(res != NULL);
    for (size_t i = 0; i < nr; i++) {
        unsigned v = u16(r);
        if (v >= 0xFFF0u) res[i] = SIZE_MAX - (v & 15u);
        else if (v >= 0xFF00u) res[i] = cap > 8u * (v & 0xFFu) ? cap - 8u * (v & 0xFFu) : 0;
        else res[i] = v % 12288u;
    }
    if (m & 0x80u) /* non-increasing: insertion sort */
        for (size_t i = 1; i < nr; i++)
            for (size_t j = i; j > 0 && res[j] > res[j - 1]; j--) {
                size_t t = res[j];
                res[j] = res[j - 1], res[j - 1] = t;
            }
    unsigned allowed = 0;
    if (levels == 0 || levels > MAXL) allowed |= EBIT(RTM_ERR_SIZE);
    if (h == NULL) allowed |= EBIT(RTM_ERR_ARG);
    for (size_t i = 1; i < nr; i++)
        if (res[i] > res[i - 1]) allowed |= EBIT(RTM_ERR_ARG);

    /* NULLs: refused on every input, the object untouched */
    rtm_reserve canary;
    memset(&canary, 0xA5, sizeof canary);
    snap_take();
    REQUIRE(rtm_reserve_init(NULL, h, res, levels) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | allowed);
    memcpy(&g.r, &canary, sizeof g.r);
    REQUIRE(rtm_reserve_init(&g.r, h, NULL, levels) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | allowed);
    REQUIRE(memcmp(&g.r, &canary, sizeof g.r) == 0);
    REQUIRE(rtm_reserve_init(&g.r, NULL, res, levels) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | allowed);
    REQUIRE(memcmp(&g.r, &canary, sizeof g.r) == 0);
    REQUIRE(snap_same());

    bool ok = init_as_allowed(rtm_reserve_init(&g.r, h, res, levels), allowed, &g.r, &canary, sizeof g.r);
    if (ok) {
        g.levels = levels;
        memcpy(g.reserve, res, levels * sizeof *res);
    }
    free(res);
    return ok;
}

/* Sets up the tiers; false when the init was (rightly) refused. */
static bool setup_tiers(reader *r, size_t levels, rtm_fit fit)
{
    size_t nb = levels < MAXL + 1u ? levels : MAXL + 1u;
    rtm_heap **hs = malloc((nb ? nb : 1u) * sizeof *hs);
    REQUIRE(hs != NULL);
    memset(g_slot_used, 0, sizeof g_slot_used);
    unsigned allowed = 0;
    for (size_t i = 0; i < nb; i++) {
        unsigned a = u8(r), b = u8(r), c = a & 0x20u ? u8(r) : 0;
        unsigned kind = a >> 6;
        if (kind == 2 && i > 0) { /* the previous tier's heap again */
            hs[i] = hs[i - 1];
            if (hs[i] != NULL) allowed |= EBIT(RTM_ERR_ARG) | EBIT(RTM_ERR_OVERLAP);
            continue;
        }
        if (kind == 1) {
            hs[i] = NULL;
            allowed |= EBIT(RTM_ERR_ARG);
            continue;
        }
        mheap *m = &g.heap[g.nheap];
        size_t s1 = take_slot(a % 32u % FREE_SLOTS), s2 = a & 0x20u ? take_slot(c % FREE_SLOTS) : 0;
        heap_make(m, s1 * SLOT_BYTES + 4u * (b >> 4), 1792u + 128u * (b & 15u), fit, s2 * SLOT_BYTES,
                  a & 0x20u ? 256u + 480u * (c >> 5) : 0);
        hs[i] = m->h;
        if (m->h == NULL) {
            allowed |= EBIT(RTM_ERR_ARG);
            continue;
        }
        walk(m->h, g_arena, g_wa, &m->lo, &m->hi);
        for (size_t j = 0; j < g.nheap; j++)
            if (m->lo < g.heap[j].hi && g.heap[j].lo < m->hi) allowed |= EBIT(RTM_ERR_OVERLAP);
        g.nheap++;
    }
    if (levels == 0 || levels > MAXL) allowed |= EBIT(RTM_ERR_SIZE);

    rtm_tiers canary;
    memset(&canary, 0xA5, sizeof canary);
    snap_take();
    REQUIRE(rtm_tiers_init(NULL, hs, levels) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | allowed);
    memcpy(&g.t, &canary, sizeof g.t);
    REQUIRE(rtm_tiers_init(&g.t, NULL, levels) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | allowed);
    REQUIRE(memcmp(&g.t, &canary, sizeof g.t) == 0);
    REQUIRE(snap_same());

    bool ok = init_as_allowed(rtm_tiers_init(&g.t, hs, levels), allowed, &g.t, &canary, sizeof g.t);
    if (ok) {
        REQUIRE(g.nheap == levels);
        g.levels = levels;
    }
    free(hs);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader rd = {data, size, 0}, *r = &rd;
    rtm_san_access(g_arena, sizeof g_arena);
    rtm_san_access(g_shadow, sizeof g_shadow);
    /* Both arenas start equal and free of the last input's heaps: a header left there by one, inside
     * a block of this input, can pass a heap's O(1) checks of an interior pointer (heap.h: "as far
     * as O(1) checks of its header and neighbours can tell"); the run must not depend on it. */
    memset(g_arena, 0, sizeof g_arena);
    memset(g_shadow, 0, sizeof g_shadow);
    memset(&g, 0, sizeof g);
    rtm_set_error_hook(fuzz_count_hook);
    fuzz_reports = fuzz_reports_expected = 0;

    unsigned b0 = u8(r);
    g.tiers = b0 & 1u;
    static const rtm_fit fits[4] = {RTM_FIT_GOOD, RTM_FIT_BEST, RTM_FIT_FIRST, RTM_FIT_GOOD};
    rtm_fit fit = fits[(b0 >> 1) & 3u];
    size_t levels = levels_of(b0 >> 3);

    /* the foreign heap: blocks that belong to no heap of the object */
    g.foreign = rtm_heap_init(g_arena + FREE_SLOTS * SLOT_BYTES, 2u * SLOT_BYTES - 64u, RTM_FIT_GOOD);
    REQUIRE(g.foreign != NULL);
    g.fblk[0] = rtm_heap_alloc(g.foreign, 64);
    g.fblk[1] = rtm_heap_alloc(g.foreign, 200);
    REQUIRE(g.fblk[0] != NULL && g.fblk[1] != NULL);

    bool ok = g.tiers ? setup_tiers(r, levels, fit) : setup_reserve(r, levels, fit);
    if (ok) {
        check_all();
        while (r->at < r->n) {
            unsigned op = u8(r) % 8u;
            switch (op) {
            case 0: {
                unsigned p = read_prio(r);
                do_alloc(read_size(r, p), p);
                break;
            }
            case 1: {
                unsigned j = u8(r);
                if (g.nlive) free_live(j % g.nlive);
                break;
            }
            case 2: {
                unsigned j = u8(r), o = u8(r);
                if (g.nlive) {
                    blk *b = &g.live[j % g.nlive];
                    size_t off = 1u + o % 63u;
                    if (off >= b->n) off = 1; /* stay inside the block (n: its usable size) */
                    bad_free(b->p + off);
                }
                break;
            }
            case 3: {
                unsigned j = u8(r);
                if (g.nlive) {
                    unsigned char *p = g.live[j % g.nlive].p;
                    free_live(j % g.nlive);
                    bad_free(p);
                }
                break;
            }
            case 4:
                foreign_free(r);
                break;
            case 5:
                bad_calls(r);
                break;
            case 6: {
                unsigned p = u8(r);
                for (size_t i = g.nlive; i-- > 0;)
                    if (p >= 0x80u || g.live[i].prio == p % g.levels) free_live(i);
                break;
            }
            default: {
                unsigned p = read_prio(r);
                size_t n = read_size(r, p);
                for (int i = 0; i < 16 && do_alloc(n, p); i++) {}
                break;
            }
            }
            check_all();
        }
        while (g.nlive) free_live(g.nlive - 1u);
        check_all();
        for (size_t i = 0; i < g.nheap; i++) {
            rtm_heap_stats st;
            rtm_heap_get_stats(g.heap[i].h, &st);
            REQUIRE(st.used == 0 && st.free == st.capacity);
        }
        REQUIRE(o_destroy(obj()) == RTM_OK);
    }
    REQUIRE(fuzz_reports == fuzz_reports_expected);
    rtm_set_error_hook(NULL);
    return 0;
}
