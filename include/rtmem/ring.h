/*
 * rtmem/ring.h - ring (FIFO) allocator: variable-size records in one buffer, released in order.
 *
 * A producer claims a contiguous block of the size it needs, writes it, and commits it (possibly
 * shorter than claimed); a consumer peeks at the oldest committed record and releases it. Records
 * never wrap: when a record does not fit in the bytes left before the end of the buffer, that
 * tail is skipped (a skip marker is written there), accounted in the statistics as wasted, and the
 * record starts at offset 0. Every call is O(1) except rtm_ring_check and a rejected release
 * (O(live records), see there).
 *
 * Concurrency: the ring is a single-producer / single-consumer lock-free queue. One producer
 * context (claim, commit, abort, max_claim) and one consumer context (peek, release, check) may run
 * at the same time without any lock, e.g. the producer in an interrupt handler and the consumer in
 * a thread, or two POSIX threads. The two sides share only two positions, published with C11
 * release stores and read with acquire loads; no compare-and-swap or other read-modify-write is
 * used, so the ring works on Cortex-M0+ (ARMv6-M) and RV32 without the A extension. Several
 * producers (or consumers) must serialise among themselves (e.g. rtm_port_critical_enter()).
 * Calls that change the whole ring (init, reset, deinit) must not run concurrently with any other.
 *
 * Memory: each record costs one header of RTM_RING_GRAIN bytes plus its payload rounded up to
 * RTM_RING_GRAIN; every payload is aligned to RTM_RING_GRAIN (>= RTM_ALIGN). A buffer of
 * RTM_RING_BUF_SIZE(n, k) bytes always accepts a claim of up to n bytes while fewer than k records
 * are live, whatever the wrap position (docs/ring.md gives the proof).
 *
 * Every rejected call reports through the error hook (rtmem/common.h), is counted in the ring's
 * statistics (bad_calls) and leaves the ring unchanged. A claim that fails only for want of space
 * now is not an error: it returns NULL and counts failed_claims, without a report.
 */
#ifndef RTMEM_RING_H
#define RTMEM_RING_H

#include "rtmem/common.h"

/* The positions and counters are C11 atomics. C++ code only passes pointers to the functions below
 * and never touches the fields: it sees them as plain size_t of the same size (every supported
 * target has lock-free size_t atomics, which have the size and alignment of size_t). */
#ifdef __cplusplus
#define RTM_RING_ATOMIC_SIZE size_t
#define RTM_RING_ALIGNAS(x) alignas(x)
#else
#include <stdatomic.h>
#define RTM_RING_ATOMIC_SIZE _Atomic size_t
#define RTM_RING_ALIGNAS(x) _Alignas(x)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Granule of the ring: header size, record rounding and payload alignment. max(RTM_ALIGN, 8).
 * Not a configuration option (derived from RTM_ALIGN).
 */
#define RTM_RING_GRAIN ((size_t)(RTM_ALIGN > 8u ? RTM_ALIGN : 8u))

/** Bytes a record with @p n payload bytes occupies in the buffer (header + payload, rounded).
 *  Meaningful for @p n up to RTM_RING_CAP_MAX (it wraps for sizes near SIZE_MAX). */
#define RTM_RING_RECORD_SIZE(n) ((((size_t)(n) + 2u * RTM_RING_GRAIN - 1u) / RTM_RING_GRAIN) * RTM_RING_GRAIN)

/**
 * Buffer size (bytes) that guarantees a claim of up to @p n bytes succeeds whenever fewer than
 * @p k records are live: (k + 1) records of maximum size (one for the worst tail skipped at a wrap).
 * A constant expression, for static arrays. SIZE_MAX when that is more than RTM_RING_CAP_MAX (the
 * product would wrap around to a small size otherwise): rtm_ring_init and RTM_RING_DEFINE refuse it,
 * and so does the compiler as the size of an array.
 */
#define RTM_RING_BUF_SIZE(n, k)                                                                    \
    (RTM_RING__BUF_FITS(n, k) ? ((size_t)(k) + 1u) * RTM_RING_RECORD_SIZE(n) : SIZE_MAX)
/* (k + 1) * RTM_RING_RECORD_SIZE(n) <= RTM_RING_CAP_MAX, without overflow (the divisor is never 0). */
#define RTM_RING__BUF_FITS(n, k)                                                                   \
    ((size_t)(n) <= RTM_RING_CAP_MAX &&                                                            \
     (size_t)(k) < RTM_RING_CAP_MAX / RTM_RING_RECORD_SIZE((size_t)(n) <= RTM_RING_CAP_MAX ? (size_t)(n) : 0u))

/** Largest capacity a ring accepts: record lengths are stored in 32 bits, positions run to 2x. */
#define RTM_RING_CAP_MAX                                                                           \
    ((((size_t)0x7FFFFFFFu < SIZE_MAX / 4u) ? (size_t)0x7FFFFFFFu : SIZE_MAX / 4u) / RTM_RING_GRAIN * RTM_RING_GRAIN)

/**
 * Alignment of the producer's and the consumer's groups of fields inside rtm_ring, so that the two
 * sides do not write to one cache line on multi-core hosts (which costs a line transfer per call).
 * 0 (no effect) on MCUs without a data cache, where it would only waste RAM.
 */
#ifndef RTM_RING_CACHE_LINE
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__powerpc64__)
#define RTM_RING_CACHE_LINE 64
#else
#define RTM_RING_CACHE_LINE 0
#endif
#endif

/**
 * Ring state. Lives in the caller's memory (static or stack; from a heap, mind RTM_RING_CACHE_LINE
 * alignment); initialise with rtm_ring_init() or define it with RTM_RING_DEFINE(). The fields are
 * private: use the functions below.
 * Producer-side and consumer-side fields are written by one side each; counters are atomics read
 * and written with relaxed loads and stores (no read-modify-write).
 */
typedef struct rtm_ring {
    unsigned char *buf; /* record area, RTM_RING_GRAIN-aligned */
    size_t cap;         /* bytes in the record area, a multiple of RTM_RING_GRAIN */
    /* producer side */
    RTM_RING_ALIGNAS(RTM_RING_CACHE_LINE) RTM_RING_ATOMIC_SIZE wr; /* after the last committed record, in [0, 2 cap) */
    unsigned char *c_rec; /* outstanding claim: its payload (NULL: none) */
    size_t c_pos;       /* ... position of its header */
    size_t c_size;      /* ... payload bytes claimed */
    size_t c_skip;      /* ... tail bytes to skip before it (0: no wrap) */
    bool san_ready;     /* Valgrind/ASan state set up (lazily for RTM_RING_DEFINE rings) */
    RTM_RING_ATOMIC_SIZE n_claims, n_commits, n_aborts, n_failed, n_bad_prod, high_water, wasted, wraps;
    /* consumer side */
    RTM_RING_ALIGNAS(RTM_RING_CACHE_LINE) RTM_RING_ATOMIC_SIZE rd; /* the oldest record (or skip marker), in [0, 2 cap) */
    unsigned char *k_rec; /* oldest record as validated by the last peek (NULL: none) */
    size_t k_next;      /* ... rd after it is released */
    size_t k_len;       /* ... its size */
    RTM_RING_ATOMIC_SIZE n_releases, n_bad_cons, n_corrupt;
    RTM_RING_ATOMIC_SIZE n_dropped; /* records rtm_ring_reset dropped (records = commits - releases - dropped) */
} rtm_ring;

/** Statistics by value (rtm_ring_get_stats). Bytes include headers, rounding and skipped tails. */
typedef struct {
    size_t capacity;      /**< bytes of the record area */
    size_t used;          /**< bytes from the oldest record to the newest committed one */
    size_t records;       /**< committed records not yet released */
    size_t high_water;    /**< highest value of used since init (sampled at each commit) */
    size_t max_claim;     /**< largest payload that fits now (rtm_ring_max_claim, ignoring a claim
                               outstanding: the producer's own state is not read) */
    size_t wasted;        /**< total tail bytes skipped at wraps since init */
    size_t wraps;         /**< number of tails skipped */
    size_t claims;        /**< successful claims */
    size_t commits;       /**< successful commits */
    size_t aborts;        /**< successful aborts */
    size_t releases;      /**< successful releases */
    size_t failed_claims; /**< claims that returned NULL for want of space now */
    size_t bad_calls;     /**< rejected calls (bad pointer, size, order or state), both sides */
    size_t corrupt;       /**< damaged headers found (peek, release, rtm_ring_check) */
} rtm_ring_stats;

/** Static initialiser for a ring over @p buffer of @p bytes. Checks nothing: @p buffer must be
 *  aligned to RTM_RING_GRAIN and @p bytes a multiple of RTM_RING_GRAIN, at least 2 * RTM_RING_GRAIN
 *  and at most RTM_RING_CAP_MAX, what RTM_RING_DEFINE checks at compile time. A ring made against
 *  that is corrupt (rtm_ring_check says so), and a claim can write past the buffer's end (with a
 *  length not a multiple of the grain, the skip marker of a wrap). For a buffer known only at run
 *  time use rtm_ring_init, which rounds the length down and refuses what cannot work. */
#define RTM_RING_INITIALIZER(buffer, bytes) { .buf = (buffer), .cap = (bytes) }

/**
 * Defines `rtm_ring name` with a static buffer of @p bytes (a multiple of RTM_RING_GRAIN, at least
 * 2 * RTM_RING_GRAIN, at most RTM_RING_CAP_MAX; checked at compile time), usable without an init
 * call. Use at file scope, in C. For a ring that never refuses a claim of n bytes while fewer than k
 * records are live, pass RTM_RING_BUF_SIZE(n, k).
 */
#define RTM_RING_DEFINE(name, bytes)                                                               \
    _Static_assert((bytes) % RTM_RING_GRAIN == 0 && (bytes) >= 2u * RTM_RING_GRAIN &&              \
                       (bytes) <= RTM_RING_CAP_MAX,                                                \
                   "RTM_RING_DEFINE: bad size");                                                   \
    static _Alignas(RTM_ALIGN > 8u ? RTM_ALIGN : 8u) unsigned char name##_rtm_ring_buf_[(bytes)];  \
    rtm_ring name = RTM_RING_INITIALIZER(name##_rtm_ring_buf_, (bytes))

/**
 * Makes @p r an empty ring over [@p buf, @p buf + @p bytes). The capacity is @p bytes rounded down
 * to a multiple of RTM_RING_GRAIN.
 * Fails iff: @p r or @p buf is NULL (RTM_ERR_ARG); @p buf is not aligned to RTM_RING_GRAIN, or
 * @p r not to sizeof(size_t), the alignment its atomics need (RTM_ERR_ALIGN); the capacity is below 2 * RTM_RING_GRAIN, room for one record of one byte
 * (RTM_ERR_TOO_SMALL); @p bytes exceeds RTM_RING_CAP_MAX or the buffer wraps around the address
 * space (RTM_ERR_SIZE). Every failure is also reported; @p r is then not touched.
 * O(1). Not concurrent with any other call on @p r.
 */
rtm_err rtm_ring_init(rtm_ring *r, void *buf, size_t bytes);

/**
 * Ends the use of @p r (tells Valgrind the blocks are gone). Records still live are dropped.
 * @p r must be initialised again before further use. NULL: reported (RTM_ERR_ARG), nothing done.
 * O(1). Not concurrent with any other call on @p r.
 */
void rtm_ring_deinit(rtm_ring *r);

/**
 * Drops every record and any outstanding claim; the ring is empty again (stats records 0), the
 * other statistics are kept.
 * NULL: reported (RTM_ERR_ARG). O(1). Not concurrent with any other call on @p r.
 */
void rtm_ring_reset(rtm_ring *r);

/**
 * Producer: claims a contiguous block of @p size bytes at the head of the ring, aligned to
 * RTM_RING_GRAIN, with undefined contents. The block becomes visible to the consumer only at
 * rtm_ring_commit(); rtm_ring_abort() gives it back. All or nothing: either the whole block or NULL.
 * Returns NULL, reported and counted in bad_calls, iff: @p r is NULL (not counted); a claim is
 * already outstanding (RTM_ERR_STATE); @p size is 0 or larger than the ring could ever hold,
 * capacity - RTM_RING_GRAIN (RTM_ERR_SIZE; this covers sizes near SIZE_MAX, and every size for a
 * ring never initialised: a zero-filled one has capacity 0).
 * Returns NULL without a report, counted in failed_claims, iff the block does not fit now.
 * A record never wraps, and write positions only move forward: a record of span s bytes
 * (RTM_RING_RECORD_SIZE(size)) fits an empty ring iff s <= max(o, capacity - o), o the write
 * position's offset. So a claim of at most capacity / 2 - RTM_RING_GRAIN bytes always fits an
 * empty ring; a larger one may fail until records of other sizes move the write position, and a
 * producer that waits for room for it may wait for ever (rtm_ring_max_claim says what fits now).
 * O(1). Producer context (ISR-safe); concurrent with the consumer.
 */
void *rtm_ring_claim(rtm_ring *r, size_t size);

/**
 * Producer: publishes the claimed block @p rec with its first @p size bytes (at most the claimed
 * size; a shorter commit returns the rest to the ring). After it, the producer must not touch @p rec.
 * Fails iff (reported, counted in bad_calls, claim still outstanding): @p r is NULL (RTM_ERR_ARG,
 * not counted); no claim is outstanding (RTM_ERR_STATE); @p rec is not the claimed block
 * (RTM_ERR_BAD_PTR); @p size is 0 or above the claimed size (RTM_ERR_SIZE).
 * O(1). Producer context (ISR-safe); concurrent with the consumer.
 */
rtm_err rtm_ring_commit(rtm_ring *r, void *rec, size_t size);

/**
 * Producer: gives the outstanding claim @p rec back unpublished.
 * Fails as rtm_ring_commit() (RTM_ERR_ARG, RTM_ERR_STATE, RTM_ERR_BAD_PTR). O(1). Producer context
 * (ISR-safe); concurrent with the consumer.
 */
rtm_err rtm_ring_abort(rtm_ring *r, void *rec);

/**
 * Producer: the largest @p size for which rtm_ring_claim() would succeed now (the consumer may make
 * more room at any time); 0 when a claim is outstanding or nothing fits. NULL @p r: reported, 0.
 * O(1). Producer context (ISR-safe); concurrent with the consumer.
 */
size_t rtm_ring_max_claim(const rtm_ring *r);

/**
 * Consumer: the oldest committed record, or NULL when there is none. Stores its size (as
 * committed) in @p *size if @p size is not NULL (0 with NULL). Peeking twice gives the same record.
 * Skip markers are passed (and their bytes given back to the producer) on the way.
 * Returns NULL and reports RTM_ERR_CORRUPT (counted in corrupt) if the record's header is damaged;
 * NULL @p r: reported (RTM_ERR_ARG), NULL.
 * O(1). Consumer context; concurrent with the producer.
 */
void *rtm_ring_peek(rtm_ring *r, size_t *size);

/**
 * Consumer: releases the oldest record, @p rec (as returned by rtm_ring_peek()); its bytes go back
 * to the producer. Records must be released in the order they were committed.
 * Fails iff (reported with @p rec, counted in bad_calls, ring unchanged): @p r is NULL (RTM_ERR_ARG,
 * not counted); @p rec is NULL, outside the buffer or not the start of a record (RTM_ERR_BAD_PTR);
 * @p rec is a live record but not the oldest (RTM_ERR_STATE: out of order); @p rec lies in the free
 * part of the ring: already released, or not yet committed (RTM_ERR_DOUBLE_FREE). A damaged header
 * of the oldest record gives RTM_ERR_CORRUPT (counted in corrupt, reported with the header's
 * address as rtm_ring_check reports it; other damage found while classifying @p rec: with @p rec).
 * O(1) when it succeeds; a rejected call walks the live records to classify @p rec: O(records).
 * Consumer context; concurrent with the producer.
 */
rtm_err rtm_ring_release(rtm_ring *r, void *rec);

/**
 * Fills @p out with the statistics of @p r. NULL @p r or @p out: reported (RTM_ERR_ARG), @p out
 * zero-filled if not NULL. Figures from the two sides are read one by one and may be momentarily
 * inconsistent with each other while both sides run. O(1). Any context.
 */
void rtm_ring_get_stats(const rtm_ring *r, rtm_ring_stats *out);

/**
 * Integrity check: the positions are in range and at most one capacity apart, and the committed
 * records from the oldest to the newest are well formed (valid header, inside the buffer, no
 * record wrapping, skip markers never at offset 0 nor last before the newest position, sizes
 * adding up exactly to the used bytes). Does not modify the ring. (Whether a skipped tail was too
 * short for the record after it is not checked: a short commit legitimately leaves a record that
 * would have fitted there.)
 * Returns RTM_OK; RTM_ERR_CORRUPT (reported with the address of the first bad header, counted in
 * corrupt) when an invariant is broken; RTM_ERR_ARG for NULL (reported).
 * O(records). Consumer context (concurrent with the producer) or with the ring idle.
 */
rtm_err rtm_ring_check(const rtm_ring *r);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_RING_H */
