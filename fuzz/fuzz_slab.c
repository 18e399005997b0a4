/*
 * libFuzzer target for the slab and the size-class pools: the input is an operation sequence
 * applied to one slab (geometry from the first bytes) and one rtm_pools (class table from the
 * input) with or without a fallback heap.
 *
 * Input: byte 0 block size (8..263), byte 1 count (1..256), byte 2 slab buffer misalignment
 * (multiple of a pointer, 0..3 words); byte 3 the pools' class table:
 *   0    the fixed table {16, 8, FALLBACK}, {64, 4, 0}, {200, 2, FALLBACK}, fallback heap, the
 *        whole pools buffer (the format before byte 3 existed: old seeds got a 0 inserted here);
 *   k>0  n = (k - 1) % 40 classes (0..39: RTM_POOLS_MAX_CLASSES is 32), mode = (k - 1) / 40:
 *        bit 0 no fallback heap. Then one byte m: pools buffer misalignment m & 15, and its
 *        length rtm_pools_buf_size(table) + (m >> 4) - 2 past the alignment padding (a byte or
 *        two short of it for m >> 4 = 0, 1); then per class 3 bytes, c and a size v:2:
 *          c bits 0-1  flags: 0 none, 1 and 2 RTM_POOLS_FALLBACK, 3 an undefined flag (2 | bit 2)
 *          c bit 2     block_size relative: previous block_size + v % 256 (else v % 4096)
 *          c bits 3-7  count: 0..29 as is; 30: 32 + byte; 31: SIZE_MAX - byte
 *          v >= 0xFFF0 block_size SIZE_MAX - (v & 15); 0xFF00..0xFFEF: 1 << (v & 63)
 * rtm_pools_init must then do what pools.h says: refuse a bad table (RTM_ERR_ARG: a flag other
 * than RTM_POOLS_FALLBACK, sizes not strictly increasing after rounding; RTM_ERR_SIZE: 0 or more
 * than RTM_POOLS_MAX_CLASSES classes, a size or count of 0, overflow; RTM_ERR_TOO_SMALL: the buffer
 * is shorter than rtm_pools_buf_size after alignment) with a report, *out NULL and the buffer
 * untouched; otherwise accept it. NULL out, buf and classes are refused on every input.
 * Then operations of 1 opcode byte plus operand bytes (missing bytes read as 0):
 *   0 slab alloc          1 slab free slot:1        2 slab bad free slot:1 offset:1
 *   3 slab double free    4 pools alloc size:2 (high byte 0xFF: SIZE_MAX - low byte)
 *   5 pools free slot:1
 *   6 pools bad free slot:1 b:1: b bit 7 set: a double free of the block; bits 7-6 = 01: a free
 *     of byte off:2 of the pools buffer (bit 5 clear) or of the heap's buffer (bit 5 set), skipped
 *     if a live block starts there (rtm_pools_usable_size must say 0 first); else a free of the block + 1 + b % 15 (interior)
 *   7 reset peaks, and rtm_pools_advise compared with the model
 * After every step: rtm_slab_check and rtm_pools_check must be RTM_OK, the statistics must match
 * the live tables, every rejected call must have been reported, and live blocks keep their
 * pattern (checked before free and at the end). Pools requests go to the smallest class whose
 * (rounded) size holds them, from its slab while it has a free block, else from the heap if the
 * class has RTM_POOLS_FALLBACK and there is a heap, else fail; above every class to the heap. A
 * shadow model of every class (used, fallbacks live, allocs, fallbacks, failures, peaks) and of
 * the oversize requests must equal rtm_pools_get_stats / rtm_pools_get_class_stats. Any violation
 * aborts.
 * Built three times (CMakeLists.txt, RTM_FUZZ): fuzz_slab with the default configuration,
 * fuzz_slab_v1 with the byte map and no locking (RTM_SLAB_DOUBLE_FREE_CHECK=2, RTM_SLAB_LOCKING=0),
 * fuzz_slab_v2 without the double-free check and without waiting (RTM_SLAB_DOUBLE_FREE_CHECK=0,
 * RTM_SLAB_WAIT=0: address links instead of index links).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_sanitize.h"
#include "rtmem/pools.h"
#include "rtmem/slab.h"

#include "fuzz_common.h"

#define SLOTS 256
/* RTM_SLAB_DOUBLE_FREE_CHECK=0 (fuzz_slab_v2) does not look for double frees (slab.h): ops 3 and 6's
 * double free are skipped there, since the contract is then the caller's. */
#define DOUBLE_FREES_CAUGHT (RTM_SLAB_DOUBLE_FREE_CHECK != 0)
#define MAXC 40
#define A ((size_t)RTM_ALIGN)
#define CANARY 0xC3u

typedef struct {
    unsigned char *p;
    size_t n;
    uint8_t id;
    size_t cls;   /* pools: class index, nc for an oversize block */
    bool heap;    /* pools: a fallback (heap) block */
} slot;

/* Shadow of one class. */
typedef struct {
    size_t stride, count;
    unsigned flags;
    size_t used, peak_used, allocs, fallbacks, fb_live, failures, demand_peak;
} mclass;

static _Alignas(64) unsigned char g_slab_buf[RTM_SLAB_BUF_SIZE(263, 256) + 64];
static _Alignas(64) unsigned char g_pools_buf[16 * 1024];
static _Alignas(64) unsigned char g_heap_buf[8 * 1024];
static size_t g_reports;

static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)object, (void)ptr;
    if (code == RTM_ERR_CORRUPT) {
        fprintf(stderr, "fuzz_slab: corruption reported\n");
        abort();
    }
    g_reports++;
}

static void fill(slot *s) { memset(s->p, s->id, s->n); }
static void verify(const slot *s)
{
    for (size_t i = 0; i < s->n; i++) REQUIRE(s->p[i] == s->id);
}

/* The model's side of a pools free of live block pl[j]: its class (or the oversize count) loses
 * it, and it leaves the live table. */
static void model_freed(slot *pl, size_t *np, size_t j, mclass *mc, size_t nc, size_t *ov_live)
{
    if (pl[j].cls < nc) {
        if (pl[j].heap) mc[pl[j].cls].fb_live--;
        else mc[pl[j].cls].used--;
    } else {
        (*ov_live)--;
    }
    pl[j] = pl[--*np];
}

/* Wide enough that the model's sums of rounded class sizes never wrap: 128 bits where size_t has
 * 64 (40 classes of nearly SIZE_MAX each), 64 where it has 32 (2^38 at most), so that a 32-bit
 * build, which has no __int128, fuzzes the same model. */
#if SIZE_MAX > 0xFFFFFFFFu
typedef unsigned __int128 u128;
#else
typedef uint64_t u128;
#endif
static u128 round_a(u128 x) { return (x + A - 1u) / A * A; }

/* What pools.h lets rtm_pools_init return for this table and buffer: a set of errors that must
 * hold (bit per rtm_err value), plus RTM_OK possible or not. Sizes in 128 bits: "overflow" means
 * the exact buffer size does not fit size_t. The control block's size is private: it lies in
 * [lo_hdr, RTM_POOLS_OVERHEAD(n)], so near SIZE_MAX both answers can be right. */
#define EBIT(e) (1u << (unsigned)(e))
static unsigned expected_init(const rtm_pools_class *t, size_t n, size_t avail, size_t buf_size, bool *ok)
{
    unsigned must = 0, may = 0;
    if (n == 0 || n > RTM_POOLS_MAX_CLASSES) must |= EBIT(RTM_ERR_SIZE);
    u128 sum = 0, prev = 0;
    for (size_t i = 0; i < n && i < MAXC; i++) {
        if (t[i].block_size == 0 || t[i].count == 0) must |= EBIT(RTM_ERR_SIZE);
        if ((t[i].flags & ~RTM_POOLS_FALLBACK) != 0) must |= EBIT(RTM_ERR_ARG);
        u128 bs = t[i].block_size < sizeof(void *) ? sizeof(void *) : t[i].block_size;
        u128 stride = round_a(bs);
        if (i > 0 && stride <= prev) must |= EBIT(RTM_ERR_ARG);
        prev = stride;
        u128 map = RTM_SLAB_DOUBLE_FREE_CHECK == 0 ? 0
                   : ((u128)t[i].count + RTM_SLAB_WORD_BLOCKS - 1u) / RTM_SLAB_WORD_BLOCKS * sizeof(rtm_slab_word);
        /* stride <= 2^64 and count < 2^64, so stride * count < 2^128; with a byte map (map =
         * count) and the rounding, the sum could pass 2^128 and wrap: a class that alone does not
         * fit size_t counts as 2^64 (at most 40 of them: no overflow) */
        u128 blocks = stride * t[i].count;
        sum += blocks > SIZE_MAX ? (u128)SIZE_MAX + 1u : round_a(blocks + map);
    }
    u128 lo_hdr = (u128)n * sizeof(rtm_slab), hi_hdr = RTM_POOLS_OVERHEAD(n);
    if (sum + lo_hdr > SIZE_MAX) must |= EBIT(RTM_ERR_SIZE);
    else if (sum + hi_hdr > SIZE_MAX) may |= EBIT(RTM_ERR_SIZE);
    *ok = false;
    if (must == 0) {
        if (buf_size == 0) {
            REQUIRE(may != 0); /* refused only where the model cannot tell */
            must |= EBIT(RTM_ERR_SIZE);
        } else {
            /* exact figure for an aligned buffer; OVERHEAD + the classes is enough for any */
            REQUIRE(buf_size >= sum + lo_hdr && buf_size + A - 1u <= sum + hi_hdr);
            if (avail < buf_size) must |= EBIT(RTM_ERR_TOO_SMALL);
            else *ok = true;
        }
    } else {
        REQUIRE(buf_size == 0);
    }
    return must | may;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;
#define BYTE() (pos < size ? data[pos++] : 0u)
    rtm_set_error_hook(hook);
    g_reports = 0;
    size_t expected_reports = 0;
    size_t bs = 8 + BYTE(), count = 1 + (size_t)BYTE(), mis = (BYTE() & 3u) * sizeof(void *);
    unsigned char *buf = g_slab_buf + mis;
    rtm_san_access(g_slab_buf, sizeof g_slab_buf);
    rtm_san_access(g_heap_buf, sizeof g_heap_buf);
    rtm_san_access(g_pools_buf, sizeof g_pools_buf);
    rtm_slab s;
    REQUIRE(rtm_slab_init(&s, buf, bs, count) == RTM_OK);
    size_t stride = rtm_slab_block_size(&s);

    /* ---- the class table ---- */
    static const rtm_pools_class fixed[] = {{16, 8, RTM_POOLS_FALLBACK}, {64, 4, 0}, {200, 2, RTM_POOLS_FALLBACK}};
    static rtm_pools_class tab[MAXC];
    size_t nc, pmis = 0, slack = 2;
    bool use_heap = true;
    unsigned k = BYTE();
    if (k == 0) {
        nc = 3;
        memcpy(tab, fixed, sizeof fixed);
    } else {
        nc = (k - 1u) % MAXC;
        use_heap = (((k - 1u) / MAXC) & 1u) == 0;
        unsigned m = BYTE();
        pmis = m & 15u;
        slack = m >> 4;
        size_t prev = 0;
        for (size_t i = 0; i < nc; i++) {
            unsigned c = BYTE();
            size_t v = BYTE();
            v |= (size_t)BYTE() << 8;
            size_t cn = c >> 3, b;
            if (v >= 0xFFF0u) b = SIZE_MAX - (v & 15u);
            else if (v >= 0xFF00u) b = (size_t)1 << (v & (sizeof(size_t) * 8u - 1u));
            else if (c & 4u) b = prev + v % 256u;
            else b = v % 4096u;
            if (cn == 30) cn = 32 + BYTE();
            else if (cn == 31) cn = SIZE_MAX - BYTE();
            unsigned fl = c & 3u;
            tab[i] = (rtm_pools_class){b, cn, fl == 3 ? 2u | (c & 4u) : fl ? RTM_POOLS_FALLBACK : 0u};
            prev = b;
        }
    }
    rtm_heap *h = rtm_heap_init(g_heap_buf, sizeof g_heap_buf, RTM_FIT_GOOD);
    REQUIRE(h != NULL);
    unsigned char *pbuf = g_pools_buf + pmis;
    size_t pad = (A - (uintptr_t)pbuf % A) % A, room = sizeof g_pools_buf - pmis;
    size_t buf_size = rtm_pools_buf_size(tab, nc);
    size_t pbytes = room;
    if (k != 0) { /* around the exact figure (rtm_pools_buf_size + padding), at most the room */
        size_t want = buf_size + pad + slack;
        pbytes = buf_size == 0 || want < 2 || want - 2 > room ? room : want - 2;
    }
    bool init_ok;
    unsigned allowed = expected_init(tab, nc, pbytes - (pbytes < pad ? pbytes : pad), buf_size, &init_ok);
    if (pbytes < pad) init_ok = false, allowed |= EBIT(RTM_ERR_TOO_SMALL);

    /* NULLs are refused whatever the table, with a report */
    rtm_pools *p = (rtm_pools *)&p;
    REQUIRE(rtm_pools_init(NULL, pbuf, pbytes, tab, nc, h) == RTM_ERR_ARG);
    REQUIRE(rtm_pools_init(&p, NULL, pbytes, tab, nc, h) == RTM_ERR_ARG && p == NULL);
    p = (rtm_pools *)&p;
    REQUIRE(rtm_pools_init(&p, pbuf, pbytes, NULL, nc, h) == RTM_ERR_ARG && p == NULL);
    expected_reports += 3;
    REQUIRE(g_reports == expected_reports);

    memset(g_pools_buf, CANARY, sizeof g_pools_buf);
    p = (rtm_pools *)&p;
    rtm_err ie = rtm_pools_init(&p, pbuf, pbytes, tab, nc, use_heap ? h : NULL);
    if (!init_ok) {
        REQUIRE(ie != RTM_OK && (allowed & EBIT(ie)) != 0 && p == NULL);
        REQUIRE(g_reports == ++expected_reports);
        for (size_t i = 0; i < sizeof g_pools_buf; i++) REQUIRE(g_pools_buf[i] == CANARY);
        /* the slab part still runs, without pools */
    } else {
        REQUIRE(ie == RTM_OK && p != NULL);
        REQUIRE((unsigned char *)p >= pbuf && (unsigned char *)p < pbuf + pbytes);
        for (size_t i = 0; i < (size_t)(pbuf - g_pools_buf); i++) REQUIRE(g_pools_buf[i] == CANARY);
        for (size_t i = (size_t)(pbuf + pbytes - g_pools_buf); i < sizeof g_pools_buf; i++)
            REQUIRE(g_pools_buf[i] == CANARY);
    }

    static mclass mc[MAXC];
    size_t pool_lo = (uintptr_t)pbuf, pool_hi = (uintptr_t)(pbuf + pbytes);
    for (size_t i = 0; i < nc && p != NULL; i++) {
        size_t b = tab[i].block_size < sizeof(void *) ? sizeof(void *) : tab[i].block_size;
        mc[i] = (mclass){.stride = (b + A - 1u) / A * A, .count = tab[i].count, .flags = tab[i].flags};
    }
    size_t ov_allocs = 0, ov_fail = 0, ov_live = 0, ov_peak = 0, bad_req = 0;

    static slot sl[SLOTS], pl[SLOTS];
    size_t ns = 0, np = 0, slab_failed = 0, slab_bad = 0, pools_bad = 0;
    uint8_t id = 1;
    while (pos < size) {
        unsigned op = BYTE() % 8u;
        if (p == NULL && op >= 4u) op = 0; /* no pools: slab ops only */
        switch (op) {
        case 0: {
            unsigned char *q = rtm_slab_alloc(&s, RTM_NO_WAIT);
            if (ns == count) {
                REQUIRE(q == NULL);
                slab_failed++;
            } else {
                REQUIRE(q != NULL && q >= buf && q < buf + stride * count && (size_t)(q - buf) % stride == 0);
                sl[ns] = (slot){q, stride < 32 ? stride : 32, id++, 0, false};
                fill(&sl[ns++]);
            }
            break;
        }
        case 1:
            if (ns) {
                size_t j = BYTE() % ns;
                verify(&sl[j]);
                rtm_slab_free(&s, sl[j].p);
                sl[j] = sl[--ns];
            }
            break;
        case 2: {
            size_t j = BYTE(), off = BYTE();
            unsigned char *q = ns ? sl[j % ns].p : buf;
            size_t step = off % (stride * 2u) + 1u;
            q += step; /* interior, or a later block's start */
            /* a later block start may be live: only count it as bad if it is not (and without the
             * double-free check, a free one is a double free, the caller's to avoid: skipped) */
            bool live = false;
            for (size_t i = 0; i < ns; i++) live |= sl[i].p == q;
            if (!DOUBLE_FREES_CAUGHT && step % stride == 0) live = true;
            if (!live) {
                rtm_slab_free(&s, q);
                slab_bad++;
                expected_reports++;
            }
            break;
        }
        case 3:
            if (ns && DOUBLE_FREES_CAUGHT) {
                size_t j = BYTE() % ns;
                unsigned char *q = sl[j].p;
                verify(&sl[j]);
                rtm_slab_free(&s, q);
                sl[j] = sl[--ns];
                rtm_slab_free(&s, q);
                slab_bad++;
                expected_reports++;
            }
            break;
        case 4: {
            size_t lo = BYTE(), hi = BYTE(), sz = lo | hi << 8;
            if (hi == 0xFFu) sz = SIZE_MAX - lo;
            else sz %= k == 0 ? 1200u : 5000u;
            unsigned char *q = rtm_pools_alloc(p, sz);
            size_t ci = 0;
            while (ci < nc && mc[ci].stride < sz) ci++;
            if (sz == 0 || sz > SIZE_MAX - 2u * A) { /* size 0, or too large to tag */
                REQUIRE(q == NULL);
                expected_reports++;
                bad_req++;
                break;
            }
            bool heap = q != NULL && ((uintptr_t)q < pool_lo || (uintptr_t)q >= pool_hi);
            if (q != NULL) REQUIRE(((uintptr_t)q & (A - 1u)) == 0);
            if (ci < nc) {
                mclass *c = &mc[ci];
                if (c->used < c->count) { /* the class's slab serves it */
                    REQUIRE(q != NULL && !heap && rtm_pools_usable_size(p, q) == c->stride);
                    c->allocs++;
                    if (++c->used > c->peak_used) c->peak_used = c->used;
                } else if (q != NULL) { /* only from the heap, only for a fallback class */
                    REQUIRE(heap && use_heap && (c->flags & RTM_POOLS_FALLBACK) != 0);
                    REQUIRE(rtm_pools_usable_size(p, q) >= sz);
                    c->fallbacks++;
                    c->fb_live++;
                } else { /* slab full, and no fallback (or the heap is full too) */
                    c->failures++;
                }
                size_t d = c->used + c->fb_live + (q == NULL);
                if (d > c->demand_peak) c->demand_peak = d;
            } else {
                if (q != NULL) {
                    REQUIRE(heap && use_heap && rtm_pools_usable_size(p, q) >= sz);
                    ov_allocs++;
                    ov_live++;
                } else {
                    ov_fail++;
                }
                if (sz > ov_peak) ov_peak = sz;
            }
            if (q != NULL) {
                REQUIRE(np < SLOTS);
                pl[np] = (slot){q, sz < 48 ? sz : 48, id++, ci, heap};
                fill(&pl[np++]);
            }
            if (np == SLOTS) { /* keep room */
                verify(&pl[0]);
                rtm_pools_free(p, pl[0].p);
                goto freed0;
            }
            break;
        freed0:
            if (pl[0].cls < nc) {
                if (pl[0].heap) mc[pl[0].cls].fb_live--;
                else mc[pl[0].cls].used--;
            } else {
                ov_live--;
            }
            pl[0] = pl[--np];
            break;
        }
        case 5:
            if (np) {
                size_t j = BYTE() % np;
                verify(&pl[j]);
                rtm_pools_free(p, pl[j].p);
                model_freed(pl, &np, j, mc, nc, &ov_live);
            }
            break;
        case 6: {
            size_t j = BYTE(), b = BYTE(), off = 1 + b % 15u;
            if ((b & 0xC0u) == 0x40u) { /* any byte of the pools buffer but a live block start */
                size_t o = BYTE();
                o |= (size_t)BYTE() << 8;
                unsigned char *q = b & 0x20u ? g_heap_buf + o % sizeof g_heap_buf : pbuf + o % pbytes;
                bool live = false;
                for (size_t i = 0; i < np; i++) live |= pl[i].p == q;
                if (live) break;
                /* (without the double-free check, a byte that is a free block's start would be a
                 * double free, the caller's to avoid: pools-buffer bytes are skipped there) */
                if (!DOUBLE_FREES_CAUGHT && !(b & 0x20u)) break;
                REQUIRE(rtm_pools_usable_size(p, q) == 0 && g_reports == expected_reports);
                rtm_pools_free(p, q);
                pools_bad++;
                expected_reports++;
                break;
            }
            if ((b & 0x80u) && !DOUBLE_FREES_CAUGHT) break;
            if (np) {
                j %= np;
                if (b & 0x80u) { /* double free: of a slab block or of a fallback block */
                    unsigned char *q = pl[j].p;
                    verify(&pl[j]);
                    rtm_pools_free(p, q);
                    model_freed(pl, &np, j, mc, nc, &ov_live);
                    rtm_pools_free(p, q);
                } else {
                    /* an interior pointer, or the next block's start when the class is narrower
                     * than off (8-byte blocks): freeing that is a legal free if it is live */
                    unsigned char *q = pl[j].p + off;
                    bool live = false;
                    for (size_t i = 0; i < np; i++) live |= pl[i].p == q;
                    if (live) break;
                    /* (and, without the double-free check, a free block's start: a double free) */
                    if (!DOUBLE_FREES_CAUGHT && !pl[j].heap && pl[j].cls < nc && off % mc[pl[j].cls].stride == 0) break;
                    rtm_pools_free(p, q);
                }
                pools_bad++;
                expected_reports++;
            }
            break;
        }
        default:
            rtm_slab_reset_max(&s);
            if (p != NULL) {
                rtm_pools_reset_peaks(p);
                for (size_t i = 0; i < nc; i++) {
                    mc[i].peak_used = mc[i].used;
                    mc[i].demand_peak = mc[i].used + mc[i].fb_live;
                }
                static rtm_pools_class adv[MAXC];
                size_t need = 1;
                REQUIRE(rtm_pools_advise(p, adv, nc - 1u, &need) == 0 && need == 0);
                REQUIRE(rtm_pools_advise(p, adv, MAXC, &need) == nc);
                size_t kept = 0;
                for (size_t i = 0; i < nc; i++) {
                    REQUIRE(adv[i].block_size == mc[i].stride && adv[i].count == mc[i].demand_peak &&
                            adv[i].flags == mc[i].flags);
                    if (adv[i].count != 0) adv[kept++] = adv[i];
                }
                REQUIRE(need == (kept ? rtm_pools_buf_size(adv, kept) : 0));
            }
            break;
        }
        REQUIRE(rtm_slab_check(&s) == RTM_OK);
        rtm_slab_stats st;
        rtm_slab_get_stats(&s, &st);
        REQUIRE(st.used == ns && st.failed_allocs == slab_failed && st.bad_frees == slab_bad);
        REQUIRE(g_reports == expected_reports);
        if (p == NULL) continue;
        REQUIRE(rtm_pools_check(p) == RTM_OK);
        rtm_pools_stats ps;
        rtm_pools_get_stats(p, &ps);
        REQUIRE(ps.classes == nc && ps.bad_frees == pools_bad && ps.bad_requests == bad_req);
        REQUIRE(ps.oversize_allocs == ov_allocs && ps.oversize_failures == ov_fail &&
                ps.oversize_live == ov_live && ps.oversize_peak_bytes == ov_peak);
        for (size_t i = 0; i < nc; i++) {
            rtm_pools_class_stats cs;
            REQUIRE(rtm_pools_get_class_stats(p, i, &cs) == RTM_OK);
            const mclass *c = &mc[i];
            REQUIRE(cs.block_size == c->stride && cs.count == c->count && cs.used == c->used &&
                    cs.peak_used == c->peak_used && cs.allocs == c->allocs && cs.fallbacks == c->fallbacks &&
                    cs.fallback_live == c->fb_live && cs.failures == c->failures &&
                    cs.demand_peak == c->demand_peak);
        }
    }
    for (size_t i = 0; i < ns; i++) {
        verify(&sl[i]);
        rtm_slab_free(&s, sl[i].p);
    }
    for (size_t i = 0; i < np; i++) {
        verify(&pl[i]);
        rtm_pools_free(p, pl[i].p);
    }
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    REQUIRE(hs.used == 0);
    REQUIRE(g_reports == expected_reports);
    REQUIRE(rtm_slab_destroy(&s) == RTM_OK);
    if (p != NULL) REQUIRE(rtm_pools_destroy(p) == RTM_OK);
    rtm_san_access(g_pools_buf, sizeof g_pools_buf);
    rtm_set_error_hook(NULL);
    return 0;
#undef BYTE
}
