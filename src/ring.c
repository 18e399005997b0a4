/*
 * Ring (FIFO) allocator (rtmem/ring.h).
 *
 * Guarantees
 *  - Every call is O(1) except a rejected release (O(live records), to name the mistake) and
 *    rtm_ring_check (O(live records)).
 *  - A record is contiguous and lies inside the buffer: at most one tail per lap is skipped, and a
 *    claim never returns a block that crosses the end of the buffer.
 *  - Memory bound: with capacity C = RTM_RING_BUF_SIZE(n, k) = (k + 1) R, R = RTM_RING_RECORD_SIZE(n),
 *    a claim of at most n bytes never fails while fewer than k records are live (docs/ring.md).
 *  How to verify: rtm_ring_check() walks the live records and checks every invariant below;
 *  tests/ring/test_ring.c runs it after every operation of a randomized test against a model.
 *
 * Positions. The producer position wr and the consumer position rd run over [0, 2C): position p is
 * at offset p (first lap) or p - C (second lap) of the buffer. The used bytes are (wr - rd) mod 2C,
 * which is in [0, C], so "empty" (wr == rd) and "full" (used == C) differ without a spare slot or
 * a shared counter, and no division is needed (Cortex-M0+ has no divide instruction).
 *
 * Layout of one record (G = RTM_RING_GRAIN, 8 bytes unless RTM_ALIGN is larger):
 *
 *     offset o (multiple of G)                      o + span, span = round_up(G + len, G)
 *     | len : u32 | tag : u32 | (pad to G) | payload: len bytes | pad to G |
 *
 *   tag = RING_MAGIC ^ (len * 0x9E3779B1) ^ o: a flipped bit in len or tag, or a header read at the
 *   wrong offset, is detected. A skip marker is a header with len = RING_SKIP at offset o > 0 that
 *   stands for the bytes [o, C): the producer writes it when the next record does not fit before
 *   the end, and the record goes to offset 0.
 *
 * Invariants (checked by rtm_ring_check):
 *   I1 buf is G-aligned; C is a multiple of G, 2G <= C <= RTM_RING_CAP_MAX; rd, wr < 2C.
 *   I2 used = (wr - rd) mod 2C <= C.
 *   I3 walking from rd, each header is valid for its offset; a record's span fits before the end of
 *      the buffer and within the used bytes; a skip marker sits at o > 0, is followed by a record at
 *      offset 0 (never last); the walk ends exactly at wr.
 *   I4 high_water <= C.
 *
 * Memory ordering (SPSC): the producer writes a record (and any skip marker) and then publishes it
 * with a release store of wr; the consumer reads wr with an acquire load before reading headers.
 * The consumer releases a record with a release store of rd; the producer reads rd with an acquire
 * load before it reuses the bytes. Each field has one writer; counters use relaxed load + store.
 */
#include "rtmem/ring.h"

#include "rtm_internal.h"
#include "rtm_sanitize.h"

#define G RTM_RING_GRAIN
#define RING_MAGIC 0x52696E67u /* "Ring" */
#define RING_SKIP 0xFFFFFFFFu

typedef struct {
    uint32_t len;
    uint32_t tag;
} ring_hdr;

_Static_assert(sizeof(ring_hdr) <= RTM_RING_GRAIN, "a header fits in one granule");
_Static_assert((RTM_RING_GRAIN & (RTM_RING_GRAIN - 1u)) == 0, "granule is a power of two");
_Static_assert(RTM_RING_GRAIN >= RTM_ALIGN, "payloads are RTM_ALIGN-aligned");
_Static_assert(RTM_RING_CAP_MAX <= SIZE_MAX / 4u, "positions up to 3C fit in size_t");
_Static_assert(RTM_RING_CAP_MAX < RING_SKIP, "record lengths fit in 32 bits below RING_SKIP");

/* ---- small helpers ---------------------------------------------------------------------------- */

#define LOAD_RELAXED(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define STORE_RELAXED(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

/* One writer per counter: a relaxed load and store, never a read-modify-write (no CAS on ARMv6-M). */
static inline void ctr_add(_Atomic size_t *c, size_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}
static inline void ctr_inc(_Atomic size_t *c) { ctr_add(c, 1u); }

static inline uint32_t hdr_tag(uint32_t len, size_t off)
{
    return RING_MAGIC ^ (len * 0x9E3779B1u) ^ (uint32_t)off;
}
static inline size_t span_of(size_t len) { return RTM_RING_RECORD_SIZE(len); }

static inline size_t pos_off(const rtm_ring *r, size_t p) { return p < r->cap ? p : p - r->cap; }
static inline size_t pos_add(const rtm_ring *r, size_t p, size_t n)
{
    p += n; /* p < 2C, n <= C: no overflow (C <= SIZE_MAX / 4) */
    return p >= 2u * r->cap ? p - 2u * r->cap : p;
}
static inline size_t pos_dist(const rtm_ring *r, size_t from, size_t to)
{
    return to >= from ? to - from : to + 2u * r->cap - from;
}
/* True when rd and w can be positions of this ring: multiples of G, below 2C and at most C apart
 * (or both 0, a ring just initialised or never). Calls that index the buffer with them test it
 * first: a control block damaged by a stray write would otherwise hand out or read memory past the
 * buffer (rtm_ring_check's rule too). A position off the granule is as bad: 4 bytes before the end,
 * a claim skipped a 4-byte tail and its commit wrote the 8-byte skip marker across the end, and
 * elsewhere a claim handed out a misaligned block (review finding, test_misaligned_position). O(1). */
static inline bool positions_ok(const rtm_ring *r, size_t rd, size_t w)
{
    return (rd | w) == 0 ||
           (((rd | w) & (G - 1u)) == 0 && rd < 2u * r->cap && w < 2u * r->cap && pos_dist(r, rd, w) <= r->cap);
}
/* Start of the lap after the one p is in. */
static inline size_t pos_next_lap(const rtm_ring *r, size_t p) { return p < r->cap ? r->cap : 0; }

/* Headers are allocator-private: under ASan/Valgrind they stay no-access except while read or
 * written here. The buffer is caller memory of any effective type: headers are accessed through a
 * may_alias word type (the offset is G-aligned, so the access is aligned). */
#if defined(__GNUC__) || defined(__clang__)
typedef uint32_t ring_word __attribute__((may_alias));
#else
typedef uint32_t ring_word;
#endif
static inline ring_hdr hdr_read(const rtm_ring *r, size_t off)
{
    ring_hdr h;
    unsigned char *p = r->buf + off;
    rtm_san_access(p, G);
    const ring_word *q = (const ring_word *)(const void *)p;
    h.len = q[0];
    h.tag = q[1];
    rtm_san_noaccess(p, G);
    return h;
}
static inline void hdr_write(const rtm_ring *r, size_t off, uint32_t len)
{
    unsigned char *p = r->buf + off;
    rtm_san_access(p, G);
    ring_word *q = (ring_word *)(void *)p;
    q[0] = len;
    q[1] = hdr_tag(len, off);
    rtm_san_noaccess(p, G);
}
static inline bool hdr_is_skip(ring_hdr h, size_t off) { return h.len == RING_SKIP && h.tag == hdr_tag(RING_SKIP, off); }
/* A record's header: its tag agrees, and its length is one a claim could have had (at most cap -
 * G, rtm_ring_claim). The bound comes first: span_of rounds up, and on a 32-bit target a length
 * of 0xFFFFFFF1 or more wrapped to a span of 0 or 8, which passed every later test (peek handed
 * out a 4 GiB record that release never moved past, or release moved rd into a record; review
 * finding, 2026-11-29, a damaged header with its matching tag). */
static inline bool hdr_is_record(const rtm_ring *r, ring_hdr h, size_t off)
{
    return h.len != 0 && h.len <= r->cap - G && h.tag == hdr_tag(h.len, off);
}

/* Sanitizer state: created at init, or at the first claim of a RTM_RING_DEFINE ring (the producer
 * runs first: the consumer sees nothing before the first commit). Empty when no sanitizer is on. */
static inline void san_setup(rtm_ring *r)
{
    if (!RTM_SAN_ACTIVE || r->san_ready) return;
    rtm_san_pool_create(r);
    rtm_san_noaccess(r->buf, r->cap);
    r->san_ready = true;
}

static void bad_prod(rtm_ring *r, rtm_err e, const void *ptr)
{
    ctr_inc(&r->n_bad_prod);
    rtm_report(e, r, ptr);
}
static void bad_cons(rtm_ring *r, rtm_err e, const void *ptr)
{
    ctr_inc(&r->n_bad_cons);
    rtm_report(e, r, ptr);
}
static void corrupt(const rtm_ring *r, const void *ptr)
{
    rtm_ring *w = (rtm_ring *)(uintptr_t)r; /* a counter, not ring state */
    ctr_inc(&w->n_corrupt);
    rtm_report(RTM_ERR_CORRUPT, r, ptr);
}

/* ---- init ------------------------------------------------------------------------------------- */

rtm_err rtm_ring_init(rtm_ring *r, void *buf, size_t bytes)
{
    rtm_err e = RTM_OK;
    if (r == NULL || buf == NULL) e = RTM_ERR_ARG;
    /* the positions are atomics of a size_t's size and alignment (ring.h): in a misaligned handle
     * (carved from a byte buffer) they would tear, or fault on cores without unaligned access */
    else if (((uintptr_t)buf & (G - 1u)) != 0 || ((uintptr_t)r & (sizeof(size_t) - 1u)) != 0) e = RTM_ERR_ALIGN;
    else if (bytes > RTM_RING_CAP_MAX || (uintptr_t)buf + bytes < (uintptr_t)buf) e = RTM_ERR_SIZE;
    else if (bytes / G * G < 2u * G) e = RTM_ERR_TOO_SMALL;
    if (e != RTM_OK) {
        rtm_report(e, r, buf);
        return e;
    }
    rtm_memset(r, 0, sizeof *r);
    r->buf = (unsigned char *)buf;
    r->cap = bytes / G * G;
    atomic_init(&r->wr, 0);
    atomic_init(&r->rd, 0);
    san_setup(r);
    return RTM_OK;
}

void rtm_ring_deinit(rtm_ring *r)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return;
    }
    if (r->san_ready) {
        rtm_san_pool_destroy(r);
        rtm_san_access(r->buf, r->cap);
    }
    r->san_ready = false;
    r->c_rec = r->k_rec = NULL;
    STORE_RELAXED(r->wr, 0);
    STORE_RELAXED(r->rd, 0);
}

void rtm_ring_reset(rtm_ring *r)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return;
    }
    if (r->san_ready) { /* forget every live block at once */
        rtm_san_pool_destroy(r);
        r->san_ready = false;
        san_setup(r);
    }
    r->c_rec = r->k_rec = NULL;
    STORE_RELAXED(r->wr, 0);
    STORE_RELAXED(r->rd, 0);
    /* The counters are kept; the live records leave the records figure as dropped ones. */
    STORE_RELAXED(r->n_dropped, LOAD_RELAXED(r->n_commits) - LOAD_RELAXED(r->n_releases));
}

/* ---- producer --------------------------------------------------------------------------------- */

/* Where a record of `span` bytes goes, given wr and rd: sets *at (header position) and *skip
 * (tail bytes skipped first, 0 if none). False if it does not fit now. */
static inline bool place(const rtm_ring *r, size_t w, size_t rd, size_t span, size_t *at, size_t *skip)
{
    size_t free = r->cap - pos_dist(r, rd, w);
    size_t tail = r->cap - pos_off(r, w);
    if (span <= tail) {
        if (span > free) return false;
        *at = w;
        *skip = 0;
        return true;
    }
    /* The free bytes wrap past the end iff tail <= free; then the front part is free - tail. */
    if (tail > free || span > free - tail) return false;
    *at = pos_next_lap(r, w);
    *skip = tail;
    return true;
}

void *rtm_ring_claim(rtm_ring *r, size_t size)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    if (RTM_UNLIKELY(r->c_rec != NULL)) {
        bad_prod(r, RTM_ERR_STATE, NULL);
        return NULL;
    }
    /* also every size near SIZE_MAX; and any size for a ring that was never initialised (capacity
     * 0: cap - G wrapped, and a size near SIZE_MAX passed with a span rounded up to 0) */
    if (RTM_UNLIKELY(size == 0 || size > r->cap - G || r->cap < 2u * G)) {
        bad_prod(r, RTM_ERR_SIZE, NULL);
        return NULL;
    }
    san_setup(r);
    size_t w = LOAD_RELAXED(r->wr);
    size_t rd = atomic_load_explicit(&r->rd, memory_order_acquire);
    size_t at, skip;
    if (RTM_UNLIKELY(!positions_ok(r, rd, w))) {
        corrupt(r, NULL);
        return NULL;
    }
    if (!place(r, w, rd, span_of(size), &at, &skip)) {
        ctr_inc(&r->n_failed);
        return NULL;
    }
    unsigned char *p = r->buf + pos_off(r, at) + G;
    r->c_rec = p;
    r->c_pos = at;
    r->c_size = size;
    r->c_skip = skip;
    ctr_inc(&r->n_claims);
    rtm_san_alloc(r, p, size);
    return p;
}

/* Common checks of commit and abort. */
static rtm_err claim_check(rtm_ring *r, const void *rec)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, rec);
        return RTM_ERR_ARG;
    }
    if (RTM_UNLIKELY(r->c_rec == NULL)) {
        bad_prod(r, RTM_ERR_STATE, rec);
        return RTM_ERR_STATE;
    }
    if (RTM_UNLIKELY(rec != r->c_rec)) {
        bad_prod(r, RTM_ERR_BAD_PTR, rec);
        return RTM_ERR_BAD_PTR;
    }
    return RTM_OK;
}

rtm_err rtm_ring_commit(rtm_ring *r, void *rec, size_t size)
{
    rtm_err e = claim_check(r, rec);
    if (e != RTM_OK) return e;
    if (RTM_UNLIKELY(size == 0 || size > r->c_size)) {
        bad_prod(r, RTM_ERR_SIZE, rec);
        return RTM_ERR_SIZE;
    }
    size_t w = LOAD_RELAXED(r->wr);
    if (r->c_skip != 0) {
        hdr_write(r, pos_off(r, w), RING_SKIP);
        ctr_add(&r->wasted, r->c_skip);
        ctr_inc(&r->wraps);
    }
    hdr_write(r, (size_t)(r->c_rec - G - r->buf), (uint32_t)size);
    if (size < r->c_size) rtm_san_resize(r, rec, r->c_size, size);
    size_t nw = pos_add(r, r->c_pos, span_of(size));
    r->c_rec = NULL;
    ctr_inc(&r->n_commits);
    atomic_store_explicit(&r->wr, nw, memory_order_release);
    size_t used = pos_dist(r, LOAD_RELAXED(r->rd), nw);
    if (used > LOAD_RELAXED(r->high_water)) STORE_RELAXED(r->high_water, used);
    return RTM_OK;
}

rtm_err rtm_ring_abort(rtm_ring *r, void *rec)
{
    rtm_err e = claim_check(r, rec);
    if (e != RTM_OK) return e;
    rtm_san_free(r, rec, r->c_size);
    r->c_rec = NULL;
    ctr_inc(&r->n_aborts);
    return RTM_OK;
}

/* Largest payload that fits at wr with the consumer at rd. */
static size_t fit_now(const rtm_ring *r, size_t rd, size_t w)
{
    size_t used = pos_dist(r, rd, w);
    size_t free = used < r->cap ? r->cap - used : 0;
    size_t tail = r->cap - pos_off(r, w);
    size_t best = free;
    if (tail <= free) best = tail > free - tail ? tail : free - tail;
    return best > G ? best - G : 0; /* best is a multiple of G: a payload of best - G spans best */
}

size_t rtm_ring_max_claim(const rtm_ring *r)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return 0;
    }
    if (r->c_rec != NULL) return 0;
    rtm_ring *m = (rtm_ring *)(uintptr_t)r; /* atomic loads take non-const pointers in C11 */
    size_t w = atomic_load_explicit(&m->wr, memory_order_relaxed); /* the producer's own */
    return fit_now(r, atomic_load_explicit(&m->rd, memory_order_acquire), w);
}

/* ---- consumer --------------------------------------------------------------------------------- */

/* The oldest position that is not a skip marker (rd itself, or the start of the next lap), given
 * the published wr. Sets *hdr to its header when the ring is not empty; false when empty. */
static inline bool oldest(const rtm_ring *r, size_t rd, size_t w, size_t *pos, ring_hdr *hdr)
{
    if (rd == w) return false;
    ring_hdr h = hdr_read(r, pos_off(r, rd));
    if (h.len == RING_SKIP && hdr_is_skip(h, pos_off(r, rd))) {
        rd = pos_next_lap(r, rd);
        if (rd == w) return false; /* only a producer bug or damage leaves a skip last */
        h = hdr_read(r, 0);
    }
    *pos = rd;
    *hdr = h;
    return true;
}

void *rtm_ring_peek(rtm_ring *r, size_t *size)
{
    if (size != NULL) *size = 0;
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    if (r->k_rec == NULL) { /* else: the oldest is known already (only the consumer moves rd) */
        size_t rd = LOAD_RELAXED(r->rd);
        size_t w = atomic_load_explicit(&r->wr, memory_order_acquire);
        size_t pos;
        ring_hdr h;
        if (RTM_UNLIKELY(!positions_ok(r, rd, w))) {
            corrupt(r, NULL);
            return NULL;
        }
        if (!oldest(r, rd, w, &pos, &h)) {
            /* not empty, yet nothing but a skip marker: damage (rtm_ring_check's "never last") */
            if (RTM_UNLIKELY(rd != w)) corrupt(r, r->buf + pos_off(r, rd));
            return NULL;
        }
        size_t off = pos_off(r, pos);
        if (RTM_UNLIKELY(!hdr_is_record(r, h, off) || span_of(h.len) > r->cap - off ||
                         span_of(h.len) > pos_dist(r, pos, w))) {
            corrupt(r, r->buf + off);
            return NULL;
        }
        if (pos != rd) atomic_store_explicit(&r->rd, pos, memory_order_release); /* skip passed */
        r->k_rec = r->buf + off + G;
        r->k_len = h.len;
        r->k_next = pos_add(r, pos, span_of(h.len));
    }
    if (size != NULL) *size = r->k_len;
    return r->k_rec;
}

/* Why rec is not the oldest record: walks the live records [pos, w). rec_off is the offset rec's
 * header would have; rec itself is at a = rec_off + G, and any a in a live record's bytes, its
 * header included, other than its payload start is inside it (comparing rec_off instead was one
 * granule off: the address of a live header came back as a double free; review finding). */
static rtm_err classify(const rtm_ring *r, size_t pos, size_t w, size_t rec_off)
{
    size_t a = rec_off + G;
    while (pos != w) {
        size_t off = pos_off(r, pos);
        ring_hdr h = hdr_read(r, off);
        if (hdr_is_skip(h, off) && off != 0) {
            if (a >= off) return RTM_ERR_BAD_PTR; /* the skip marker or the tail it skips */
            pos = pos_next_lap(r, pos);
            continue;
        }
        if (!hdr_is_record(r, h, off) || span_of(h.len) > r->cap - off) return RTM_ERR_CORRUPT;
        if (off == rec_off) return RTM_ERR_STATE;
        if (a >= off && a < off + span_of(h.len)) return RTM_ERR_BAD_PTR;
        if (span_of(h.len) > pos_dist(r, pos, w)) return RTM_ERR_CORRUPT;
        pos = pos_add(r, pos, span_of(h.len));
    }
    return RTM_ERR_DOUBLE_FREE; /* in the free part: released already or not committed yet */
}

rtm_err rtm_ring_release(rtm_ring *r, void *rec)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, rec);
        return RTM_ERR_ARG;
    }
    if (RTM_LIKELY(rec != NULL && rec == r->k_rec)) { /* the record the last peek validated */
        rtm_san_free(r, rec, r->k_len);
        r->k_rec = NULL;
        ctr_inc(&r->n_releases);
        atomic_store_explicit(&r->rd, r->k_next, memory_order_release);
        return RTM_OK;
    }
    uintptr_t a = (uintptr_t)rec, b = (uintptr_t)r->buf;
    if (RTM_UNLIKELY(a < b + G || a >= b + r->cap || ((a - b) & (G - 1u)) != 0)) {
        bad_cons(r, RTM_ERR_BAD_PTR, rec);
        return RTM_ERR_BAD_PTR;
    }
    size_t rec_off = (size_t)(a - b) - G;
    size_t rd = LOAD_RELAXED(r->rd);
    size_t w = atomic_load_explicit(&r->wr, memory_order_acquire);
    size_t pos;
    ring_hdr h;
    if (RTM_UNLIKELY(!positions_ok(r, rd, w))) {
        corrupt(r, rec);
        return RTM_ERR_CORRUPT;
    }
    bool live = oldest(r, rd, w, &pos, &h);
    if (RTM_LIKELY(live && pos_off(r, pos) == rec_off)) {
        if (RTM_UNLIKELY(!hdr_is_record(r, h, rec_off) || span_of(h.len) > r->cap - rec_off ||
                         span_of(h.len) > pos_dist(r, pos, w))) {
            corrupt(r, r->buf + rec_off);
            return RTM_ERR_CORRUPT;
        }
        rtm_san_free(r, rec, h.len);
        r->k_rec = NULL;
        ctr_inc(&r->n_releases);
        atomic_store_explicit(&r->rd, pos_add(r, pos, span_of(h.len)), memory_order_release);
        return RTM_OK;
    }
    rtm_err e = live ? classify(r, rd, w, rec_off) : rd != w ? RTM_ERR_CORRUPT /* a skip marker last */
                                                              : RTM_ERR_DOUBLE_FREE;
    if (e == RTM_ERR_CORRUPT) corrupt(r, rec);
    else bad_cons(r, e, rec);
    return e;
}

/* ---- diagnostics ------------------------------------------------------------------------------ */

void rtm_ring_get_stats(const rtm_ring *r, rtm_ring_stats *out)
{
    if (out != NULL) rtm_memset(out, 0, sizeof *out);
    if (r == NULL || out == NULL) {
        rtm_report(RTM_ERR_ARG, r, NULL);
        return;
    }
    rtm_ring *m = (rtm_ring *)(uintptr_t)r; /* atomic loads take non-const pointers in C11 */
    size_t releases = LOAD_RELAXED(m->n_releases);
    size_t gone = releases + LOAD_RELAXED(m->n_dropped); /* released, or dropped by a reset */
    size_t commits = LOAD_RELAXED(m->n_commits);
    /* A third context sees rd and wr move independently: rd read, then wr, is consistent iff rd
     * did not move meanwhile (wr is then at least as new as any wr the consumer acted on, and the
     * producer kept within C of that rd). A few tries; the figures are clamped if all fail. */
    size_t rd = 0, w = 0;
    for (int tries = 0; tries < 8; tries++) {
        rd = atomic_load_explicit(&m->rd, memory_order_acquire);
        w = atomic_load_explicit(&m->wr, memory_order_acquire);
        if (atomic_load_explicit(&m->rd, memory_order_acquire) == rd) break;
    }
    size_t used = r->cap ? pos_dist(r, rd, w) : 0;
    out->capacity = r->cap;
    out->used = used < r->cap ? used : r->cap;
    out->records = commits >= gone ? commits - gone : 0;
    out->high_water = LOAD_RELAXED(m->high_water);
    out->max_claim = r->cap ? fit_now(r, rd, w) : 0; /* c_rec is the producer's: not read here */
    out->wasted = LOAD_RELAXED(m->wasted);
    out->wraps = LOAD_RELAXED(m->wraps);
    out->claims = LOAD_RELAXED(m->n_claims);
    out->commits = commits;
    out->aborts = LOAD_RELAXED(m->n_aborts);
    out->releases = releases;
    out->failed_claims = LOAD_RELAXED(m->n_failed);
    out->bad_calls = LOAD_RELAXED(m->n_bad_prod) + LOAD_RELAXED(m->n_bad_cons);
    out->corrupt = LOAD_RELAXED(m->n_corrupt);
}

rtm_err rtm_ring_check(const rtm_ring *r)
{
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_ERR_ARG;
    }
    rtm_ring *m = (rtm_ring *)(uintptr_t)r;
    size_t cap = r->cap;
    /* I1 */
    if (r->buf == NULL || ((uintptr_t)r->buf & (G - 1u)) != 0 || cap % G != 0 || cap < 2u * G ||
        cap > RTM_RING_CAP_MAX) {
        corrupt(r, r);
        return RTM_ERR_CORRUPT;
    }
    size_t rd = LOAD_RELAXED(m->rd);
    size_t w = atomic_load_explicit(&m->wr, memory_order_acquire);
    if (rd >= 2u * cap || w >= 2u * cap || rd % G != 0 || w % G != 0 || pos_dist(r, rd, w) > cap) {
        corrupt(r, r); /* I1, I2 */
        return RTM_ERR_CORRUPT;
    }
    /* I3 */
    size_t pos = rd;
    while (pos != w) {
        size_t off = pos_off(r, pos);
        size_t left = pos_dist(r, pos, w);
        ring_hdr h = hdr_read(r, off);
        size_t span;
        if (hdr_is_skip(h, off)) {
            span = cap - off;
            if (off == 0 || span >= left) { /* never at offset 0; always followed by a record */
                corrupt(r, r->buf + off);
                return RTM_ERR_CORRUPT;
            }
        } else {
            span = hdr_is_record(r, h, off) ? span_of(h.len) : 0;
            if (span == 0 || span > cap - off || span > left) {
                corrupt(r, r->buf + off);
                return RTM_ERR_CORRUPT;
            }
        }
        pos = pos_add(r, pos, span);
    }
    if (LOAD_RELAXED(m->high_water) > cap) {
        corrupt(r, r);
        return RTM_ERR_CORRUPT;
    }
    return RTM_OK;
}
