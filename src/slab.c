/*
 * Slab: fixed-size blocks, O(1) alloc and free, lazy carving, FIFO waiters.
 *
 * What it guarantees and how to check it:
 *  - alloc/free are O(1): a list pop/push or one carve, a used-map bit, two counters. Nothing loops
 *    except the wait loop of a blocking alloc. rtm_slab_check() walks everything in O(count) and is
 *    run after every operation by the debug tests.
 *  - Memory: count * stride + RTM_SLAB_MAP_BYTES(count). No header per block.
 *  - The slab never hands out a block twice: a block is either in use (its bit set), on the free
 *    list, in the never-used tail [fresh, count), or (WAIT builds) in transit to a waiter, which
 *    keeps its bit set and counts as used.
 *
 * Free-pointer validation without a division (Cortex-M0+ has no divider):
 *   stride = d * 2^k with d odd; inv = d^-1 mod 2^N (N = bits of size_t).
 *   For off = p - blocks (wrapping), q = rotate_right(off * inv, k) equals off / stride when stride
 *   divides off, and is larger than (2^N - 1) / stride otherwise (Granlund & Montgomery's
 *   divisibility test). Since count * stride < 2^N, "q < count" alone proves that p is inside the
 *   blocks, on a block start, and that q is its index.
 *
 * Locking (RTM_SLAB_LOCKING): all list and counter state is changed inside the port's critical
 * section, so ISRs may allocate (RTM_NO_WAIT) and free. Waiting (RTM_SLAB_WAIT) adds a FIFO of
 * waiter records that live on the waiters' stacks; a free with waiters unlinks the oldest record,
 * stores the block in it and (from thread context) wakes the waiters through s->sync. Waiters
 * hold s->sync from enqueueing until rtm_port_wait releases it, and the freer notifies with s->sync
 * held, so a wake-up cannot be lost. Lock order: s->sync, then the critical section; the critical
 * section is never held while taking s->sync.
 */
#include "rtmem/slab.h"

#include "rtm_internal.h"
#include "rtm_sanitize.h"

#define SIZE_BITS (sizeof(size_t) * CHAR_BIT)

_Static_assert(RTM_SLAB_DOUBLE_FREE_CHECK == 2 || sizeof(rtm_slab_word) == sizeof(void *), "bitmap word is pointer-sized");
_Static_assert(_Alignof(rtm_slab_word) <= RTM_SLAB_MIN_BLOCK, "bitmap after the blocks must be aligned");
_Static_assert(_Alignof(void *) <= RTM_SLAB_MIN_BLOCK, "a free-list link fits at a block start");

#if RTM_SLAB_WAIT
/* A blocked caller, on its own stack while it waits. */
struct rtm_slab_waiter {
    struct rtm_slab_waiter *next, *prev;
    void *block; /* set by the freer that serves this waiter */
};
#endif

/* ---- locking (empty without RTM_SLAB_LOCKING) ------------------------------------------------- */
#if RTM_SLAB_LOCKING
RTM_INLINE rtm_port_key slab_enter(void) { return rtm_port_critical_enter(); }
RTM_INLINE void slab_exit(rtm_port_key k) { rtm_port_critical_exit(k); }
#else
RTM_INLINE rtm_port_key slab_enter(void) { return 0; }
RTM_INLINE void slab_exit(rtm_port_key k) { (void)k; }
#endif

/* ---- index of a block start ------------------------------------------------------------------- */
RTM_INLINE size_t slab_index(const rtm_slab *s, const void *p)
{
    size_t q = (size_t)((uintptr_t)p - (uintptr_t)s->blocks) * s->inv;
    return (q >> s->shift) | (q << ((SIZE_BITS - s->shift) & (SIZE_BITS - 1u)));
}

/* ---- free-list links, unpoisoned around each access ------------------------------------------- */
/* A link is a uintptr_t in the block's first word: the next block's index (RTM_SLAB__INDEX_LINKS)
 * or address; RTM_SLAB__NIL ends the list. */
RTM_INLINE uintptr_t link_get(void *blk)
{
    uintptr_t next;
    rtm_san_access(blk, sizeof next);
    rtm_memcpy(&next, blk, sizeof next);
    rtm_san_noaccess(blk, sizeof next);
    return next;
}
RTM_INLINE void link_set(void *blk, uintptr_t next)
{
    rtm_san_access(blk, sizeof next);
    rtm_memcpy(blk, &next, sizeof next);
    rtm_san_noaccess(blk, sizeof next);
}
/* Block address of a link value (the link must be valid). */
RTM_INLINE void *node_ptr(const rtm_slab *s, uintptr_t n)
{
    return RTM_SLAB__INDEX_LINKS ? (void *)(s->blocks + (size_t)n * s->stride) : (void *)n;
}
/* Index of the block a link value names: the value itself, or computed from the address. */
RTM_INLINE size_t node_index(const rtm_slab *s, uintptr_t n)
{
    return RTM_SLAB__INDEX_LINKS ? (size_t)n : slab_index(s, (const void *)n);
}
/* Link value for block @p i at @p p. */
RTM_INLINE uintptr_t node_of(void *p, size_t i) { return RTM_SLAB__INDEX_LINKS ? (uintptr_t)i : (uintptr_t)p; }

/* ---- used bitmap (empty without RTM_SLAB_DOUBLE_FREE_CHECK) ----------------------------------- */
#if RTM_SLAB_DOUBLE_FREE_CHECK
RTM_INLINE rtm_slab_word map_bit(size_t i) { return (rtm_slab_word)1 << (i % RTM_SLAB_WORD_BLOCKS); }
RTM_INLINE void map_set(rtm_slab *s, size_t i) { s->map[i / RTM_SLAB_WORD_BLOCKS] |= map_bit(i); }
RTM_INLINE bool map_test(const rtm_slab *s, size_t i) { return (s->map[i / RTM_SLAB_WORD_BLOCKS] & map_bit(i)) != 0; }
/* A byte map holds only 0 and 1; every bit pattern is valid in a bitmap. */
RTM_INLINE bool map_unit_valid(const rtm_slab *s, size_t i)
{
    return RTM_SLAB_WORD_BLOCKS != 1u || s->map[i] <= 1u;
}
/* Clears bit i and returns true if it was set; false (map unchanged) if it was clear. */
RTM_INLINE bool map_take(rtm_slab *s, size_t i)
{
    rtm_slab_word *w = &s->map[i / RTM_SLAB_WORD_BLOCKS], v = *w, b = map_bit(i);
    if (RTM_SLAB_WORD_BLOCKS == 1u) { /* byte map: 1 -> 0; anything else is refused */
        if (RTM_UNLIKELY(v != 1u)) return false;
        *w = 0;
        return true;
    }
    if (RTM_UNLIKELY((v & b) == 0)) return false;
    *w = v ^ b;
    return true;
}
#else
RTM_INLINE void map_set(rtm_slab *s, size_t i) { (void)s, (void)i; }
RTM_INLINE bool map_test(const rtm_slab *s, size_t i) { (void)s, (void)i; return true; }
RTM_INLINE bool map_take(rtm_slab *s, size_t i) { (void)s, (void)i; return true; }
#endif

/* ---- sanitizer registration: slabs made by RTM_SLAB_DEFINE register on first use --------------- */
RTM_INLINE void slab_san_ready(rtm_slab *s)
{
    if (RTM_SAN_ACTIVE && !s->san_ready) {
        s->san_ready = 1;
        rtm_san_pool_create(s);
        /* blocks never handed out yet are off limits; recycled ones are poisoned by free */
        rtm_san_noaccess(s->blocks + s->fresh * s->stride, (s->count - s->fresh) * s->stride);
    }
}

/* ---- the O(1) core (caller holds the critical section) ---------------------------------------- */
RTM_INLINE void slab_mark_used(rtm_slab *s, size_t i, void *p)
{
    map_set(s, i);
    if (++s->used > s->max_used) s->max_used = s->used;
    rtm_san_alloc(s, p, s->stride);
}

/* Pops a recycled block or carves a never-used one; NULL when there is none. */
RTM_INLINE void *slab_take(rtm_slab *s)
{
    uintptr_t h = s->free_head;
    void *p;
    size_t i;
    slab_san_ready(s);
    if (RTM_LIKELY(h != RTM_SLAB__NIL)) {
        i = node_index(s, h);
        p = node_ptr(s, h);
        s->free_head = link_get(p);
    } else if (s->fresh < s->count) {
        i = s->fresh++;
        p = s->blocks + i * s->stride;
    } else {
        return NULL;
    }
    slab_mark_used(s, i, p);
    return p;
}

/* Puts used block i (p) back on the free list. Critical section held. */
RTM_INLINE void slab_push(rtm_slab *s, void *p, size_t i)
{
    s->used--;
    link_set(p, s->free_head);
    s->free_head = node_of(p, i);
}

static RTM_NOINLINE void slab_reject(rtm_slab *s, const void *p, rtm_err code)
{
    rtm_port_key k = slab_enter();
    s->bad_frees++;
    slab_exit(k);
    rtm_report(code, s, p);
}

/* ---- waiting (RTM_SLAB_WAIT) ------------------------------------------------------------------ */
#if RTM_SLAB_WAIT
static void wait_unlink(rtm_slab *s, struct rtm_slab_waiter *w)
{
    if (w->prev) w->prev->next = w->next;
    else s->wait_head = w->next;
    if (w->next) w->next->prev = w->prev;
    else s->wait_tail = w->prev;
    w->next = w->prev = NULL; /* waiters: the caller counts itself out when it leaves (slab_wait) */
}

static RTM_NOINLINE void slab_wake(rtm_slab *s)
{
    rtm_port_lock(&s->sync);
    rtm_port_notify_all(&s->sync);
    rtm_port_unlock(&s->sync);
}

/* Does rtm_slab_free need slab_free_slow: callers queued, or a wake-up owed? */
RTM_INLINE bool slab_free_needs_slow(const rtm_slab *s) { return s->wait_head != NULL || s->wake_owed != 0; }

/* rtm_slab_free of block i (p) with callers queued or a wake-up owed, critical section held (key
 * k): hands the block to the oldest waiter (else puts it on the free list), leaves the section and
 * wakes the waiters. An ISR cannot take the sync lock that rtm_port_notify_all needs: it wakes
 * them with rtm_port_notify_from_isr, and the wake-up is also owed, paid by the next free from a
 * thread or the next caller that queues (slab_wait), for ports whose ISR notify does nothing.
 * Before the ISR notify, a waiter served from an ISR with no free from a thread after it slept on,
 * holding its block, until its deadline: for ever with RTM_FOREVER (a driver's ISR giving buffers
 * back to a task that waits for one). Before the owed wake-up, later frees from threads found
 * nobody queued to wake either (review finding, 2026-11-29). A free from a thread notifies every
 * waiter, so it pays any owed wake-up too. Out of line: the free fast path keeps no register across a call and pays one test
 * (x86-64 -O2, POSIX port, tests/slab/slab_count.c, per free: 141 instructions before the owed
 * wake-up, 150 with it inline, 142 out of line). */
static RTM_NOINLINE void slab_free_slow(rtm_slab *s, void *p, size_t i, rtm_port_key k)
{
    struct rtm_slab_waiter *w = s->wait_head;
    if (w != NULL) {
        wait_unlink(s, w);
        w->block = p;
        map_set(s, i); /* still in use: it now belongs to the waiter */
    } else {
        slab_push(s, p, i);
    }
    bool isr = rtm_port_in_isr();
    if (!isr) s->wake_owed = 0;
    else if (w != NULL) s->wake_owed = 1;
    slab_exit(k);
    if (!isr) slab_wake(s);
    else if (w != NULL) rtm_port_notify_from_isr(&s->sync);
}

/* Waits for a block; thread context. Lock order: sync lock, then critical section (never the
 * other way: docs/slab.md). */
static RTM_NOINLINE void *slab_wait(rtm_slab *s, rtm_timeout timeout)
{
    struct rtm_slab_waiter w = {NULL, NULL, NULL};
    uint64_t deadline = UINT64_MAX;
    rtm_port_key k;
    void *p;

    if (timeout != RTM_FOREVER) deadline = rtm_port_now_ms() + timeout;
    rtm_port_lock(&s->sync);
    k = slab_enter();
    p = slab_take(s); /* a block may have come back since the fast path looked */
    if (p == NULL) {
        w.prev = s->wait_tail;
        if (s->wait_tail) s->wait_tail->next = &w;
        else s->wait_head = &w;
        s->wait_tail = &w;
        s->waiters++; /* queued, then perhaps served: counted until this call leaves (rtm_slab_destroy) */
    }
    bool owed = s->wake_owed != 0; /* a waiter served from an ISR sleeps on: wake it (slab_free_slow) */
    s->wake_owed = 0;
    slab_exit(k);
    if (RTM_UNLIKELY(owed)) rtm_port_notify_all(&s->sync); /* sync lock held, as a free's wake-up */
    while (p == NULL) {
        rtm_err e = rtm_port_wait(&s->sync, deadline);
        if (e == RTM_OK && deadline != UINT64_MAX && rtm_port_now_ms() >= deadline) e = RTM_ERR_TIMEOUT;
        k = slab_enter();
        p = w.block;
        bool leave = p != NULL || e != RTM_OK;
        if (leave) {
            if (p == NULL) { /* timed out, not served */
                wait_unlink(s, &w);
                s->failed_allocs++;
            }
            s->waiters--;
        }
        slab_exit(k);
        if (leave) break;
    }
    if (p != NULL && p == w.block) rtm_san_alloc(s, p, s->stride); /* handed over: fresh contents */
    /* The last access to s. A served caller was unlinked by the free, and the free used to count
     * it out of waiters too, so rtm_slab_destroy, which refuses while waiters != 0, could release
     * s->sync under a caller still holding it (review finding, 2026-11-29: ASan, use after free
     * once the slab's memory went back). Now a caller counts itself out, and destroy takes s->sync
     * before it reads waiters, so it also waits for this unlock. */
    rtm_port_unlock(&s->sync);
    return p;
}

RTM_INLINE bool slab_may_wait(rtm_timeout timeout) { return timeout != RTM_NO_WAIT && !rtm_port_in_isr(); }
#else
RTM_INLINE bool slab_free_needs_slow(const rtm_slab *s) { (void)s; return false; }
RTM_INLINE void slab_free_slow(rtm_slab *s, void *p, size_t i, rtm_port_key k) { (void)s, (void)p, (void)i, (void)k; }
RTM_INLINE void *slab_wait(rtm_slab *s, rtm_timeout timeout) { (void)s, (void)timeout; return NULL; }
RTM_INLINE bool slab_may_wait(rtm_timeout timeout) { (void)timeout; return false; }
#endif

/* ---- public API --------------------------------------------------------------------------------- */
rtm_err rtm_slab_init(rtm_slab *s, void *buf, size_t block_size, size_t count)
{
    size_t stride, blocks_bytes, total;
    if (s == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, buf);
        return RTM_ERR_ARG;
    }
    rtm_err e = RTM_OK;
    if (buf == NULL) e = RTM_ERR_ARG;
    else if (block_size < RTM_SLAB_MIN_BLOCK || count == 0) e = RTM_ERR_SIZE;
    else if (((uintptr_t)buf & (RTM_SLAB_MIN_BLOCK - 1u)) != 0) e = RTM_ERR_ALIGN;
    else if (rtm_add_overflow(block_size, RTM_SLAB_MIN_BLOCK - 1u, &stride) ||
             rtm_mul_overflow(stride & ~(RTM_SLAB_MIN_BLOCK - 1u), count, &blocks_bytes) ||
             rtm_add_overflow(blocks_bytes, RTM_SLAB_MAP_BYTES(count) , &total) ||
             count > SIZE_MAX - RTM_SLAB_WORD_BLOCKS ||
             (uintptr_t)buf + total < (uintptr_t)buf)
        e = RTM_ERR_SIZE;
    if (e != RTM_OK) {
        rtm_report(e, s, buf);
        return e;
    }
    stride &= ~(RTM_SLAB_MIN_BLOCK - 1u);

    rtm_slab n;
    rtm_memset(&n, 0, sizeof n);
    n.free_head = RTM_SLAB__NIL;
    n.blocks = (unsigned char *)buf;
    n.stride = stride;
    n.count = count;
    size_t d = stride;
    while ((d & 1u) == 0) {
        d >>= 1;
        n.shift++;
    }
    size_t inv = d;
    for (int it = 0; it < 5; it++) inv *= (size_t)2u - d * inv;
    n.inv = inv;
    RTM_ASSERT(d * inv == 1u);
    rtm_san_access(buf, total); /* the buffer is ours now, whatever it was before */
#if RTM_SLAB_DOUBLE_FREE_CHECK
    n.map = (rtm_slab_word *)(void *)(n.blocks + blocks_bytes);
    rtm_memset(n.map, 0, RTM_SLAB_MAP_BYTES(count));
#endif
    *s = n;
    slab_san_ready(s);
    return RTM_OK;
}

/* Everything but a pop from the free list: carving, failing, waiting. */
static RTM_NOINLINE void *slab_alloc_slow(rtm_slab *s, rtm_timeout timeout)
{
    rtm_port_key k = slab_enter();
    void *p = slab_take(s);
    if (p != NULL || !slab_may_wait(timeout)) {
        if (p == NULL) s->failed_allocs++;
        slab_exit(k);
        return p;
    }
    slab_exit(k);
    return slab_wait(s, timeout);
}

void *rtm_slab_alloc(rtm_slab *s, rtm_timeout timeout)
{
    if (RTM_UNLIKELY(s == NULL)) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    RTM_ASSERT(s->count != 0); /* never initialised (slab.h, rtm_slab_init) */
    rtm_port_key k = slab_enter();
    uintptr_t h = s->free_head;
    if (RTM_UNLIKELY(h == RTM_SLAB__NIL)) {
        slab_exit(k);
        return slab_alloc_slow(s, timeout);
    }
    slab_san_ready(s);
    void *p = node_ptr(s, h);
    s->free_head = link_get(p);
    slab_mark_used(s, node_index(s, h), p);
    slab_exit(k);
    return p;
}

/* A free that the fast path's one comparison did not accept: NULL, foreign or interior. */
static RTM_NOINLINE void slab_free_rejected(rtm_slab *s, void *p)
{
    if (p == NULL) return;
    slab_reject(s, p, RTM_ERR_BAD_PTR);
}

static RTM_NOINLINE void slab_free_not_used(rtm_slab *s, void *p, size_t i)
{
    rtm_port_key k = slab_enter();
    rtm_err code = i < s->fresh ? RTM_ERR_DOUBLE_FREE : RTM_ERR_BAD_PTR;
    slab_exit(k);
    slab_reject(s, p, code);
}

void rtm_slab_free(rtm_slab *s, void *p)
{
    if (RTM_UNLIKELY(s == NULL)) {
        if (p != NULL) rtm_report(RTM_ERR_ARG, NULL, p);
        return;
    }
    /* geometry never changes after init: no lock needed. NULL lands here too (q >= count). */
    size_t i = slab_index(s, p);
    if (RTM_UNLIKELY(i >= s->count)) {
        slab_free_rejected(s, p);
        return;
    }
    rtm_port_key k = slab_enter();
    if (RTM_UNLIKELY(!map_take(s, i))) {
        slab_exit(k);
        slab_free_not_used(s, p, i);
        return;
    }
    slab_san_ready(s);
    rtm_san_free(s, p, s->stride);
    if (RTM_UNLIKELY(slab_free_needs_slow(s))) {
        slab_free_slow(s, p, i, k);
        return;
    }
    slab_push(s, p, i);
    slab_exit(k);
}

bool rtm_slab_contains(const rtm_slab *s, const void *p)
{
    if (s == NULL || p == NULL || s->count == 0) return false; /* count 0: never initialised */
    uintptr_t off = (uintptr_t)p - (uintptr_t)s->blocks;
    return (uintptr_t)p >= (uintptr_t)s->blocks && off / s->stride < s->count;
}

size_t rtm_slab_block_size(const rtm_slab *s) { return s ? s->stride : 0; }

void rtm_slab_get_stats(const rtm_slab *s, rtm_slab_stats *out)
{
    if (out == NULL) return;
    rtm_memset(out, 0, sizeof *out);
    if (s == NULL) return;
    rtm_port_key k = slab_enter();
    out->block_size = s->stride;
    out->count = s->count;
    out->used = s->used;
    out->free = s->count - s->used;
    out->max_used = s->max_used;
    out->failed_allocs = s->failed_allocs;
    out->bad_frees = s->bad_frees;
#if RTM_SLAB_WAIT
    out->waiters = s->waiters;
#endif
    slab_exit(k);
}

void rtm_slab_reset_max(rtm_slab *s)
{
    if (s == NULL) return;
    rtm_port_key k = slab_enter();
    s->max_used = s->used;
    slab_exit(k);
}

static rtm_err slab_corrupt(const rtm_slab *s, const void *where)
{
    rtm_report(RTM_ERR_CORRUPT, s, where);
    return RTM_ERR_CORRUPT;
}

/* The walk itself (critical section held by the caller). */
static rtm_err slab_check_locked(const rtm_slab *s)
{
    if (s->stride < RTM_SLAB_MIN_BLOCK || s->count == 0 || s->fresh > s->count || s->used > s->fresh ||
        s->max_used < s->used || s->max_used > s->count || s->shift >= SIZE_BITS ||
        ((s->stride >> s->shift) * s->inv) != 1u)
        return slab_corrupt(s, s);
    /* free list: every entry a block start below fresh, not in use, no cycle */
    size_t nfree = 0;
    const void *where = &s->free_head; /* where the link being followed is stored */
    for (uintptr_t h = s->free_head; h != RTM_SLAB__NIL;) {
        size_t i = node_index(s, h); /* validated before its link is followed */
        if (i >= s->fresh || nfree >= s->fresh || (RTM_SLAB_DOUBLE_FREE_CHECK != 0 && map_test(s, i)))
            return slab_corrupt(s, where);
        nfree++;
        void *blk = node_ptr(s, h);
        where = blk;
        h = link_get(blk);
    }
#if RTM_SLAB_DOUBLE_FREE_CHECK
    /* used-map: exactly `used` blocks marked, none at or past fresh (padding included) */
    size_t bits = 0, nbits = RTM_SLAB_MAP_BYTES(s->count) / sizeof(rtm_slab_word) * RTM_SLAB_WORD_BLOCKS;
    for (size_t i = 0; i < nbits; i++) {
        if (!map_unit_valid(s, i)) return slab_corrupt(s, &s->map[i]);
        if (!map_test(s, i)) continue;
        if (i >= s->fresh) return slab_corrupt(s, &s->map[i / RTM_SLAB_WORD_BLOCKS]);
        bits++;
    }
    if (bits != s->used) return slab_corrupt(s, s->map);
#endif
#if RTM_SLAB_WAIT
    size_t nw = 0;
    const struct rtm_slab_waiter *prev = NULL;
    for (const struct rtm_slab_waiter *w = s->wait_head; w != NULL; prev = w, w = w->next) {
        if (w->prev != prev || w->block != NULL || ++nw > s->waiters) return slab_corrupt(s, w);
    }
    /* nw <= waiters: served callers stay counted until they leave rtm_slab_alloc */
    if (prev != s->wait_tail || (nw != 0 && (nfree != 0 || s->fresh != s->count)) || s->wake_owed > 1u)
        return slab_corrupt(s, s->wait_head);
#endif
    if (s->used + nfree != s->fresh) return slab_corrupt(s, &s->free_head);
    return RTM_OK;
}

rtm_err rtm_slab_check(const rtm_slab *s)
{
    if (s == NULL) return RTM_ERR_ARG;
    rtm_port_key k = slab_enter();
    rtm_err e = slab_check_locked(s);
    slab_exit(k);
    return e;
}

rtm_err rtm_slab_destroy(rtm_slab *s)
{
    if (s == NULL) return RTM_ERR_ARG;
#if RTM_SLAB_WAIT
    /* Queued callers, and served ones that still hold s->sync (slab_wait): taking the sync lock
     * first waits for those to let go of it (lock order: sync, then critical section). */
    rtm_port_lock(&s->sync);
    rtm_port_key k = slab_enter();
    size_t waiters = s->waiters;
    slab_exit(k);
    rtm_port_unlock(&s->sync);
    if (waiters != 0) {
        rtm_report(RTM_ERR_STATE, s, NULL);
        return RTM_ERR_STATE;
    }
    rtm_port_sync_destroy(&s->sync);
#endif
    if (RTM_SAN_ACTIVE && s->san_ready) {
        rtm_san_access(s->blocks, s->count * s->stride);
        rtm_san_pool_destroy(s);
        s->san_ready = 0;
    }
    return RTM_OK;
}
