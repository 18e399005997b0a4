/*
 * rtmem/reserve.h - memory for important requests when memory runs short: two designs.
 *
 * Priorities are numbers 0 .. levels-1; higher is more important.
 *
 * (a) Tiered heaps (rtm_tiers): an ordered list of heaps, one per level. A request of priority p
 *     tries tier p first, then p-1, ..., 0. Tier p's RAM can only ever be used by priorities >= p,
 *     so it is fenced off for them even while they do not use it.
 *
 * (b) Reserves in one heap (rtm_reserve): per-level watermarks reserve[0] >= reserve[1] >= ... A
 *     request of priority p succeeds only if the heap's free bytes after it are still at least
 *     reserve[p]. Nothing is fenced off: any level may use any free byte, as long as the headroom
 *     the more important levels are promised stays free. A request of the top level (reserve 0
 *     by convention) can use everything.
 *
 * What each guarantees: with (a), priority p finds tier p's space whatever lower levels do; with
 * (b), priority p finds reserve[p-1] free bytes whatever lower levels do (they stop at their
 * watermark). Neither can beat fragmentation: a free byte count is not a free block of that size.
 * tests/reserve/test_reserve_compare.c runs both on the same RAM and the same mixed-priority trace
 * and prints how many requests of each level each design serves (docs/slab.md has the table).
 *
 * Thread safety: both wrap their heaps with the port's lock; the heaps must not be used by
 * anybody else at the same time. Not ISR-safe.
 */
#ifndef RTMEM_RESERVE_H
#define RTMEM_RESERVE_H

#include "rtmem/common.h"
#include "rtmem/heap.h"
#include "rtmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most priority levels (tiers / watermarks) one object supports. */
#ifndef RTM_RESERVE_MAX_LEVELS
#define RTM_RESERVE_MAX_LEVELS 8
#endif

/** Per-level counters. */
typedef struct {
    size_t requests; /**< calls at this level (bad ones excluded) */
    size_t served;   /**< of those, the ones that returned memory */
    size_t denied;   /**< refused to keep a more important level's reserve (rtm_reserve only) */
    size_t failed;   /**< no block large enough (in any allowed tier / in the heap), or (rtm_reserve)
                          the request above the heap's free bytes: rtm_reserve_alloc's order */
    size_t borrowed; /**< rtm_tiers: served by a lower tier than the request's own */
} rtm_reserve_level_stats;

/** Rejected calls (both designs). */
typedef struct {
    size_t bad_frees;    /**< frees of pointers that are not live blocks */
    size_t bad_requests; /**< allocs with size 0 or priority out of range */
} rtm_reserve_errors;

/* ---- (a) tiered heaps ---------------------------------------------------------------------------- */

/** Tiered heaps. Lives in the caller's memory; fields are private. */
typedef struct {
    size_t levels;
    struct {
        rtm_heap *heap;
        uintptr_t lo, hi; /* addresses of every block the heap can hand out */
    } tier[RTM_RESERVE_MAX_LEVELS];
    rtm_reserve_level_stats stats[RTM_RESERVE_MAX_LEVELS];
    size_t bad_frees, bad_requests;
    rtm_port_sync sync;
} rtm_tiers;

/**
 * Sets up @p t over @p levels heaps: heaps[0] serves every priority, heaps[levels-1] only the top
 * one. The heaps must be initialised and distinct, and their extents must not overlap: a heap's
 * extent runs from its lowest block to the end of its highest, across the gaps between its
 * regions, so a heap of several regions must not have another tier's heap between two of them
 * (RTM_ERR_OVERLAP; free finds the owner of a pointer with one range test per tier). The extents
 * are found with rtm_heap_walk after rtm_heap_check: O(blocks of all heaps); regions added to a
 * heap after this call are not known to free.
 * Fails (t unchanged, reported) with RTM_ERR_ARG (t or heaps NULL, a heap NULL or repeated),
 * RTM_ERR_SIZE (levels 0 or above RTM_RESERVE_MAX_LEVELS), RTM_ERR_CORRUPT (a heap fails
 * rtm_heap_check, which reports the damaged address first) or RTM_ERR_OVERLAP.
 * Not thread-safe (init before sharing).
 */
rtm_err rtm_tiers_init(rtm_tiers *t, rtm_heap *const *heaps, size_t levels);

/**
 * Allocates @p size bytes for priority @p prio from tier prio, else prio-1, ..., else 0.
 * NULL when every allowed tier is out of memory (counted as failed), or for t NULL, size 0 or
 * prio >= levels (reported, bad_requests). O(levels) heap attempts. Thread-safe; not ISR-safe.
 */
void *rtm_tiers_alloc(rtm_tiers *t, size_t size, unsigned prio);

/**
 * Frees @p ptr into the tier that holds it. NULL is a no-op. A pointer outside every tier is
 * reported (RTM_ERR_BAD_PTR) and counted; one inside a tier is checked by that heap (which
 * reports and counts a bad one, counted here too). Built with RTM_HEAP_VALIDATE=0 (heap.h) the heap
 * trusts its pointers: an interior or twice-freed one inside a tier is then undefined behaviour,
 * as with rtm_heap_free in that build. O(levels) + heap free. Thread-safe.
 */
void rtm_tiers_free(rtm_tiers *t, void *ptr);

/** Counters of level @p prio into @p out. RTM_ERR_ARG for NULLs or prio out of range. O(1). Thread-safe. */
rtm_err rtm_tiers_get_stats(rtm_tiers *t, unsigned prio, rtm_reserve_level_stats *out);

/** Rejected-call counters into @p out (zeros for t NULL). O(1). Thread-safe. */
void rtm_tiers_get_errors(rtm_tiers *t, rtm_reserve_errors *out);

/** Releases the lock. The heaps are the caller's. RTM_ERR_ARG for NULL. O(1); no other call may run concurrently. */
rtm_err rtm_tiers_destroy(rtm_tiers *t);

/* ---- (b) reserves in one heap ------------------------------------------------------------------- */

/** One heap with per-level watermarks. Lives in the caller's memory; fields are private. */
typedef struct {
    rtm_heap *heap;
    size_t levels;
    size_t reserve[RTM_RESERVE_MAX_LEVELS];
    rtm_reserve_level_stats stats[RTM_RESERVE_MAX_LEVELS];
    size_t bad_frees, bad_requests;
    rtm_port_sync sync;
} rtm_reserve;

/**
 * Sets up @p r over heap @p h with @p levels watermarks: reserve[p] = bytes (of the heap's free
 * space, block headers included, as rtm_heap_stats.free counts them) that must still be free
 * after a request of priority p succeeds. Must be non-increasing in p; the top level is usually 0.
 * Fails (r unchanged, reported) with RTM_ERR_ARG (NULLs, increasing watermarks), RTM_ERR_SIZE
 * (levels 0 or above RTM_RESERVE_MAX_LEVELS). Not thread-safe (init before sharing).
 */
rtm_err rtm_reserve_init(rtm_reserve *r, rtm_heap *h, const size_t *reserve, size_t levels);

/**
 * Allocates @p size bytes at priority @p prio if the heap's free bytes after it stay >=
 * reserve[prio]. Decided in this order, the first that applies counting the request:
 *  1. size above the heap's free bytes: NULL, failed (it would not fit without any reserve);
 *  2. size + reserve[prio] above the free bytes: NULL, denied, whether or not a free block could
 *     hold size (decided before the heap is touched);
 *  3. the heap has no free block large enough: NULL, failed;
 *  4. the block, with its header and rounding, dug into the reserve: it is given back and the
 *     request denied (the heap's blocks are then as before, but its statistics count that
 *     allocation and its free, and its peak_used may have risen by the block);
 *  5. else served.
 * For r NULL, size 0 or prio out of range: NULL and a report (bad_requests).
 * O(heap alloc + rtm_heap_get_stats). Thread-safe; not ISR-safe.
 */
void *rtm_reserve_alloc(rtm_reserve *r, size_t size, unsigned prio);

/**
 * Frees @p ptr to the heap, which checks it: a pointer that is not a live block is reported by the
 * heap (RTM_ERR_BAD_PTR / RTM_ERR_DOUBLE_FREE) and also counted here (bad_frees). NULL is a no-op;
 * r NULL is reported (RTM_ERR_ARG). Built with RTM_HEAP_VALIDATE=0 (heap.h) the heap trusts its
 * pointers: a foreign, interior or twice-freed one is then undefined behaviour, as with
 * rtm_heap_free in that build. O(1) + heap free. Thread-safe; not ISR-safe.
 */
void rtm_reserve_free(rtm_reserve *r, void *ptr);

/** Counters of level @p prio into @p out. RTM_ERR_ARG for NULLs or prio out of range. O(1). Thread-safe. */
rtm_err rtm_reserve_get_stats(rtm_reserve *r, unsigned prio, rtm_reserve_level_stats *out);

/** Rejected-call counters into @p out (zeros for r NULL). O(1). Thread-safe. */
void rtm_reserve_get_errors(rtm_reserve *r, rtm_reserve_errors *out);

/** Releases the lock. The heap is the caller's. RTM_ERR_ARG for NULL. O(1); no other call may run concurrently. */
rtm_err rtm_reserve_destroy(rtm_reserve *r);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_RESERVE_H */
