/*
 * rtmem/pools.h - size-class pools: a set of slabs built from one buffer, with an optional
 * fallback heap.
 *
 * rtm_pools_alloc(p, size) serves a request from the smallest class whose blocks hold it. When
 * that class is exhausted, a class marked RTM_POOLS_FALLBACK takes a block from the fallback heap
 * (if one was given); otherwise the request fails. Requests larger than every class go to the heap
 * if there is one. rtm_pools_free(p, ptr) needs no size: the owner is found from the address
 * (one range test, then a binary search over the classes' address ranges; anything else must be a
 * fallback block of the heap).
 *
 * Complexity: alloc O(log classes) + O(1) slab (+ the heap's cost when falling back); free
 * O(log classes) + O(1) (+ heap). Memory: the control block, each class's slab buffer
 * (RTM_SLAB_BUF_SIZE rounded to RTM_ALIGN) and, per fallback block, RTM_ALIGN bytes of tag in
 * front of it inside the heap (the tag names the class, so statistics stay exact and foreign
 * pointers are refused).
 *
 * Every pointer returned is aligned to RTM_ALIGN.
 *
 * Thread safety: every call takes the pools' lock (rtm_port_sync), so one rtm_pools may be shared
 * by threads. Not ISR-safe (the lock may block, and heaps are not ISR-safe); use a bare rtm_slab
 * in ISRs. The fallback heap must not be used by anybody else at the same time unless all its
 * users serialise on something common.
 *
 * Statistics per class (rtm_pools_class_stats) and rtm_pools_advise(), which turns the peak
 * demand seen per class (blocks from the slab plus blocks that fell back, plus one for a request
 * that failed) into the counts that would have served the run with no fallback, and the buffer
 * size those counts need.
 */
#ifndef RTMEM_POOLS_H
#define RTMEM_POOLS_H

#include "rtmem/common.h"
#include "rtmem/heap.h"
#include "rtmem/slab.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of size classes in one rtm_pools. */
#ifndef RTM_POOLS_MAX_CLASSES
#define RTM_POOLS_MAX_CLASSES 32
#endif

/** Class flag: when the class is exhausted, take the block from the fallback heap. */
#define RTM_POOLS_FALLBACK 1u

/** One size class: @p count blocks of at least @p block_size bytes. */
typedef struct {
    size_t block_size; /**< > 0; rounded up to RTM_ALIGN */
    size_t count;      /**< > 0 */
    unsigned flags;    /**< 0 or RTM_POOLS_FALLBACK */
} rtm_pools_class;

/** Opaque; lives at the start of the buffer given to rtm_pools_init. */
typedef struct rtm_pools rtm_pools;

/**
 * Upper bound of the control data in front of the slabs for @p nclasses classes (constant
 * expression). A buffer of RTM_POOLS_OVERHEAD(n) + the sum of RTM_POOLS_CLASS_BYTES(...) over the
 * classes is always large enough; rtm_pools_buf_size() gives the exact figure.
 */
#define RTM_POOLS_OVERHEAD(nclasses)                                                                 \
    (2u * RTM_ALIGN + 16u * sizeof(size_t) + sizeof(rtm_port_sync) +                                 \
     (size_t)(nclasses) * (sizeof(rtm_slab) + 8u * sizeof(size_t) + RTM_ALIGN))
/** Bytes one class takes in the buffer (its blocks rounded to RTM_ALIGN, and its bitmap). */
#define RTM_POOLS_CLASS_BYTES(block_size, count)                                                     \
    ((RTM_SLAB_BUF_SIZE_ALIGNED(block_size, count, RTM_ALIGN) + RTM_ALIGN - 1u) / RTM_ALIGN * RTM_ALIGN)

/** Per-class statistics (rtm_pools_get_class_stats). */
typedef struct {
    size_t block_size;  /**< stride of the class's blocks */
    size_t count;       /**< blocks in the class's slab */
    size_t used;        /**< slab blocks in use now */
    size_t peak_used;   /**< highest slab use (rtm_pools_reset_peaks resets it) */
    size_t allocs;      /**< requests served by the slab */
    size_t fallbacks;   /**< requests of this class served by the heap */
    size_t fallback_live; /**< fallback blocks of this class in use now */
    size_t failures;    /**< requests of this class that returned NULL */
    size_t demand_peak; /**< highest slab + fallback use (+1 at a failure): what the class needed */
} rtm_pools_class_stats;

/** Whole-pool statistics (rtm_pools_get_stats). */
typedef struct {
    size_t classes;           /**< number of classes */
    size_t oversize_allocs;   /**< requests above every class served by the heap */
    size_t oversize_failures; /**< requests above every class that failed */
    size_t oversize_live;     /**< such blocks in use now */
    size_t oversize_peak_bytes; /**< largest single request above every class */
    size_t bad_frees;         /**< rejected frees (foreign, interior, double) */
    size_t bad_requests;      /**< rejected requests (size 0 or above SIZE_MAX - 2 * RTM_ALIGN) */
} rtm_pools_stats;

/**
 * Exact buffer size rtm_pools_init needs for @p classes (for a buffer aligned to RTM_ALIGN;
 * add RTM_ALIGN - 1 for any alignment). 0 if the classes are invalid (see rtm_pools_init) or the
 * size overflows. O(nclasses).
 */
size_t rtm_pools_buf_size(const rtm_pools_class *classes, size_t nclasses);

/**
 * Builds the pools in [buf, buf + bytes): control block first, then one slab per class, in the
 * order given. @p classes must be sorted by strictly increasing block_size (after rounding to
 * RTM_ALIGN); they are copied. @p fallback may be NULL (no fallback: exhausted classes and
 * oversize requests fail). On success *@p out is the handle (an address inside buf).
 * Fails, with *out set to NULL and a report through the error hook, with RTM_ERR_ARG (out, buf or
 * classes NULL, a flag other than RTM_POOLS_FALLBACK, classes not strictly increasing),
 * RTM_ERR_SIZE (nclasses 0 or above RTM_POOLS_MAX_CLASSES, a block_size or count of 0, overflow,
 * buf + bytes past the end of the address space) or RTM_ERR_TOO_SMALL (bytes below what rtm_pools_buf_size says, after aligning buf).
 * O(nclasses + total blocks / bits per word). Not thread-safe (init before sharing).
 */
rtm_err rtm_pools_init(rtm_pools **out, void *buf, size_t bytes, const rtm_pools_class *classes,
                       size_t nclasses, rtm_heap *fallback);

/**
 * Allocates @p size bytes from the smallest class that holds them, else as described at the top.
 * Returns a pointer aligned to RTM_ALIGN (contents unspecified), or NULL: for p NULL (reported,
 * RTM_ERR_ARG), size 0 or too large to tag, above SIZE_MAX - 2 * RTM_ALIGN (reported,
 * RTM_ERR_SIZE, bad_requests), or no memory
 * (counted in the class's failures or oversize_failures; not reported). Never waits.
 * O(log classes) + O(1), or + the heap's alloc when falling back. Thread-safe; not ISR-safe.
 */
void *rtm_pools_alloc(rtm_pools *p, size_t size);

/**
 * Frees @p ptr, which rtm_pools_alloc returned. NULL is a no-op. A pointer that is not a live
 * block of a class or a live fallback block of these pools is rejected: reported through the
 * error hook (by the slab or heap that owns the address, or by the pools with RTM_ERR_BAD_PTR)
 * and counted in bad_frees; nothing changes. Exception: built with RTM_SLAB_DOUBLE_FREE_CHECK=0
 * (slab.h), a class block's pointer is checked for owner and alignment only, so a double free of
 * it is not seen and corrupts that class's free list, as with rtm_slab_free; and built with
 * RTM_HEAP_VALIDATE=0 (heap.h), a pointer that is no class block reaches rtm_heap_usable_size,
 * which then trusts it: a foreign, interior or twice-freed one is undefined behaviour, as with
 * rtm_heap_free in that build. O(log classes) + O(1) (+ heap free). Thread-safe; not ISR-safe.
 */
void rtm_pools_free(rtm_pools *p, void *ptr);

/**
 * Usable bytes of the live block @p ptr: its class's stride, or for a fallback block the heap's
 * usable size minus the tag. 0 (not reported) for NULLs or a pointer that is not a live block
 * (with RTM_SLAB_DOUBLE_FREE_CHECK=0 a class block's stride whether it is live or not: the slab
 * keeps no used-map then). O(log classes). Thread-safe; not ISR-safe.
 */
size_t rtm_pools_usable_size(rtm_pools *p, const void *ptr);

/** Fills @p out. O(1). Thread-safe. Zeros for p NULL. */
void rtm_pools_get_stats(rtm_pools *p, rtm_pools_stats *out);

/** Fills @p out for class @p index (0 = smallest). RTM_ERR_ARG for p/out NULL or index out of range. O(1). Thread-safe. */
rtm_err rtm_pools_get_class_stats(rtm_pools *p, size_t index, rtm_pools_class_stats *out);

/** Resets peak_used and demand_peak of every class to the current use. O(classes). Thread-safe. */
void rtm_pools_reset_peaks(rtm_pools *p);

/**
 * Advice from the peaks seen: writes the classes with count = demand_peak (the number of blocks
 * that would have served every request of the class so far without falling back) and the same
 * block sizes and flags to @p out[0 .. n), where n = number of classes (<= @p cap). Classes that
 * never saw a request get count 0: drop them (or keep 1) before passing the list to
 * rtm_pools_init. *@p bytes_needed (if not NULL) receives rtm_pools_buf_size() of the advice with
 * zero-count classes left out. Requests above every class are not part of the advice (they need
 * the heap; see rtm_pools_stats.oversize_peak_bytes).
 * Returns the number of classes written, or 0 if p or out is NULL or cap is too small.
 * O(classes). Thread-safe.
 */
size_t rtm_pools_advise(rtm_pools *p, rtm_pools_class *out, size_t cap, size_t *bytes_needed);

/**
 * Full check: every class's slab (rtm_slab_check), the class ranges and the counters.
 * RTM_OK, RTM_ERR_CORRUPT (reported) or RTM_ERR_ARG. O(total blocks). Thread-safe.
 */
rtm_err rtm_pools_check(rtm_pools *p);

/**
 * Releases the lock and the slabs' port resources. Fallback blocks still live stay in the heap.
 * RTM_ERR_ARG for NULL. The buffer is the caller's again afterwards. O(classes). No other call on
 * @p p may run concurrently.
 */
rtm_err rtm_pools_destroy(rtm_pools *p);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_POOLS_H */
