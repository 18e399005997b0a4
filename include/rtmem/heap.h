/*
 * rtmem/heap.h - variable-size heap in a caller's buffer.
 *
 * Three policies share one block format (see docs/heap.md for the layout and the bounds):
 *  - RTM_FIT_GOOD : two-level segregated fit with bitmaps. alloc and free are O(1). Before failing,
 *                   alloc scans the request's own size class (O(blocks in that class)) so that it
 *                   never reports out-of-memory while one free block could hold the request;
 *                   RTM_HEAP_STRICT_O1=1 removes that scan (then a request can fail while a block of
 *                   its own class, up to 1/32 larger than the class start, would have fitted).
 *  - RTM_FIT_BEST : a smallest free block that fits. O(blocks in the first class that has a fit).
 *  - RTM_FIT_FIRST: the lowest-address free block that fits. O(free blocks).
 * All policies coalesce on free in O(1).
 *
 * Every returned pointer is aligned to RTM_ALIGN. A used block costs one size_t header (4 bytes on
 * 32-bit, 8 on 64-bit) and is rounded up to a multiple of RTM_ALIGN.
 *
 * Thread safety: the heap itself is unlocked (callers serialise). rtm_heap_locked (bottom of this
 * file) wraps it with the port's lock. No heap function may be called from an ISR concurrently
 * with thread-context use of the same heap unless the caller masks interrupts around both.
 *
 * Every call that rejects its input reports through the error hook (rtmem/common.h) and is counted
 * (stats.bad_frees for frees, stats.bad_requests for other calls); the heap is then unchanged.
 */
#ifndef RTMEM_HEAP_H
#define RTMEM_HEAP_H

#include "rtmem/common.h"
#include "rtmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque heap handle; its control data lives at the start of the buffer given to rtm_heap_init. */
typedef struct rtm_heap rtm_heap;

/** Fit policy, fixed at init. */
typedef enum { RTM_FIT_GOOD, RTM_FIT_BEST, RTM_FIT_FIRST } rtm_fit;

/** Bits for RTM_HEAP_FITS, the policies a build contains (default: all three). With one policy
 *  compiled in, its search is called directly; rtm_heap_init rejects the others
 *  (RTM_ERR_UNSUPPORTED through the hook, NULL). */
#define RTM_HEAP_FITS_GOOD 1u
#define RTM_HEAP_FITS_BEST 2u
#define RTM_HEAP_FITS_FIRST 4u

/** The largest alignment a moving rtm_heap_realloc keeps for a block from rtm_heap_aligned_alloc
 *  (a power of two, at least RTM_ALIGN; default 4096). The heap does not record the alignment asked
 *  for: it keeps the largest power of two dividing the block's address, up to this. Public so that
 *  tools that replay allocations (rtmem replay) can fix a buffer's placement modulo it. */
#ifndef RTM_HEAP_REALLOC_ALIGN_MAX
#define RTM_HEAP_REALLOC_ALIGN_MAX 4096u
#endif

/** 1 (default): rtm_heap_free, rtm_heap_realloc and rtm_heap_usable_size check in O(1) that their
 *  pointer is the payload of a used block of the heap (inside it, aligned, a plausible header, its
 *  neighbours' headers and footers consistent) and reject what is not, as their comments say.
 *  0: they trust the pointer, as TLSF and o1heap do: only a NULL heap, a NULL pointer and a block
 *  whose header says free (a double free before the block was merged or reused) are still told
 *  apart and reported; any other bad pointer is undefined behaviour (rtm_heap_check may find the
 *  damage afterwards). For builds that have found their pointer bugs and need the code and cycles
 *  back: Cortex-M4 -Os good-fit core 1,120 -> 974 bytes, x86-64 -O2 workload A 55.6 -> 43.7
 *  instructions per free (docs/benchmarks.md). Compile the whole core (src/heap.c) with it; the
 *  heap's layout and policies are unchanged. */
#ifndef RTM_HEAP_VALIDATE
#define RTM_HEAP_VALIDATE 1
#endif

/** Statistics by value (rtm_heap_get_stats). Bytes count whole blocks, headers included. */
typedef struct {
    size_t capacity;      /**< bytes usable for blocks in all regions (control data excluded) */
    size_t used;          /**< bytes in used blocks (headers and rounding included) */
    size_t free;          /**< bytes in free blocks */
    size_t largest_free;  /**< largest free block, in bytes (headers included) */
    size_t free_blocks;   /**< number of free blocks */
    size_t peak_used;     /**< highest value of used since init */
    size_t allocs;        /**< successful allocations (alloc, aligned, calloc, moving realloc) */
    size_t frees;         /**< successful frees */
    size_t failed_allocs; /**< requests that returned NULL for want of memory */
    size_t bad_frees;     /**< frees and reallocs rejected: foreign, interior or already-free pointer */
    unsigned frag_permille; /**< external fragmentation: 1000 * (1 - largest_free / free) rounded up
                                 (any free space outside the largest block shows), 0 if free == 0 */
    /* additions */
    size_t used_blocks;   /**< number of used blocks */
    size_t bad_requests;  /**< other rejected calls: an alignment that is not a power of two, a calloc
                               whose size overflows, a region add_region refuses */
    size_t regions;       /**< number of regions (1 + successful rtm_heap_add_region calls) */
    size_t max_alloc;     /**< largest request this heap could ever serve (its largest class) */
} rtm_heap_stats;

/** One block as seen by rtm_heap_walk. */
typedef struct {
    const void *ptr;     /**< payload address (what alloc returned, or where it would start) */
    size_t size;         /**< usable payload bytes */
    size_t block_bytes;  /**< whole block, header included */
    bool used;
    unsigned region;     /**< 0 for the init region, then in order of rtm_heap_add_region */
} rtm_heap_block;

/** Walk callback: return false to stop the walk. Must not modify the heap. */
typedef bool (*rtm_heap_walker)(const rtm_heap_block *block, void *ctx);

/* Number of first-level size classes for a buffer of b bytes (constant expression; internal).
 * b >> k >= 256 rather than b >= 256 << k: with a run-time b of a 32-bit size_t, GCC's -Wtype-limits
 * (-Wextra) calls the second form "always false" for k >= 24 and -Werror stops the build. */
#define RTM_HEAP_FL_GE_(b, k) (((unsigned long long)(b) >> (k)) >= 256ull ? 1u : 0u)
#define RTM_HEAP_FL_COUNT_(b)                                                                         \
    (1u + RTM_HEAP_FL_GE_(b, 0) + RTM_HEAP_FL_GE_(b, 1) + RTM_HEAP_FL_GE_(b, 2) + RTM_HEAP_FL_GE_(b, 3) + \
     RTM_HEAP_FL_GE_(b, 4) + RTM_HEAP_FL_GE_(b, 5) + RTM_HEAP_FL_GE_(b, 6) + RTM_HEAP_FL_GE_(b, 7) +      \
     RTM_HEAP_FL_GE_(b, 8) + RTM_HEAP_FL_GE_(b, 9) + RTM_HEAP_FL_GE_(b, 10) + RTM_HEAP_FL_GE_(b, 11) +    \
     RTM_HEAP_FL_GE_(b, 12) + RTM_HEAP_FL_GE_(b, 13) + RTM_HEAP_FL_GE_(b, 14) + RTM_HEAP_FL_GE_(b, 15) +  \
     RTM_HEAP_FL_GE_(b, 16) + RTM_HEAP_FL_GE_(b, 17) + RTM_HEAP_FL_GE_(b, 18) + RTM_HEAP_FL_GE_(b, 19) +  \
     RTM_HEAP_FL_GE_(b, 20) + RTM_HEAP_FL_GE_(b, 21) + RTM_HEAP_FL_GE_(b, 22) + RTM_HEAP_FL_GE_(b, 23) +  \
     RTM_HEAP_FL_GE_(b, 24) + RTM_HEAP_FL_GE_(b, 25) + RTM_HEAP_FL_GE_(b, 26) + RTM_HEAP_FL_GE_(b, 27) +  \
     RTM_HEAP_FL_GE_(b, 28) + RTM_HEAP_FL_GE_(b, 29) + RTM_HEAP_FL_GE_(b, 30))

/**
 * Upper bound (a constant expression) of the bytes a heap buffer of @p bytes spends on control
 * data, alignment and the end sentinel, for the default RTM_ALIGN and RTM_HEAP_SL_LOG2 = 5: the
 * rest is available for blocks. On 32-bit: 944 bytes for a 4 KiB buffer, 1,472 for 64 KiB, 2,000
 * for 1 MiB (the measured overhead is within 30 bytes of the bound). Tiny heaps pay most:
 * RTM_HEAP_SL_LOG2=4 halves the per-level cost (16 instead of 32 list heads per power of two).
 * Use it to size a static buffer: `static uint8_t buf[N + RTM_HEAP_OVERHEAD(N)]` holds blocks of
 * N bytes in total (each block = request + header, rounded to RTM_ALIGN; see rtm_heap_alloc).
 */
#define RTM_HEAP_OVERHEAD(bytes) RTM_HEAP_CTRL_(RTM_HEAP_FL_WHOLE_(bytes, RTM_HEAP_FL_COUNT_(bytes)))

/* Internal. Control data, alignment and sentinel of a heap with @p l first levels. */
#define RTM_HEAP_CTRL_(l)                                                                           \
    (32u * sizeof(void *) + (size_t)(l) * (32u * sizeof(void *) + 4u) + 4u + 2u * RTM_ALIGN +           \
     sizeof(size_t))
/* Internal. The heap sizes its first levels for the whole buffer, b + overhead, not for b: from the
 * count l for b (so b < 128 << l), the count for b + RTM_HEAP_CTRL_(l + 4) is l plus the thresholds
 * 128 << (l + j) it reaches, at most 4 of them (RTM_HEAP_CTRL_(l + 4) < 15 * 128 << l for every l
 * >= 1 and RTM_ALIGN <= 1024), and a buffer of b + RTM_HEAP_CTRL_ of that count, no larger, needs
 * no more. (Counting levels for b alone left b + overhead a level short whenever it crossed a power
 * of two: e.g. every b from 248 to 2040 bytes, and from 1,044,912 to 1,048,568, on x86-64.) */
#define RTM_HEAP_FL_UP_(b, l, j)                                                                    \
    ((unsigned long long)(b) + RTM_HEAP_CTRL_((l) + 4u) >= (128ull << ((l) + (j))) ? 1u : 0u)
#define RTM_HEAP_FL_WHOLE_(b, l)                                                                    \
    ((l) + RTM_HEAP_FL_UP_(b, l, 0u) + RTM_HEAP_FL_UP_(b, l, 1u) + RTM_HEAP_FL_UP_(b, l, 2u) +          \
     RTM_HEAP_FL_UP_(b, l, 3u))

/**
 * Creates a heap in [mem, mem + bytes) with policy @p fit. @p mem need not be aligned: the control
 * block and the first block are aligned inside it. The size classes are sized for @p bytes; regions
 * added later larger than that are split into blocks no larger than the largest class.
 * Returns the heap handle (== an address inside mem), or NULL iff mem is NULL, fit is not a policy
 * (or not compiled in, see RTM_HEAP_FITS), the buffer wraps round the address space, or it (after
 * alignment) cannot hold the control data and one block of RTM_ALIGN bytes;
 * such failures also go to the error hook with object NULL. O(1) in bytes (O(classes) set-up).
 * Not thread-safe; ISR-safe.
 */
rtm_heap *rtm_heap_init(void *mem, size_t bytes, rtm_fit fit);

/**
 * Adds [mem, mem + bytes) to heap @p h as a further region (need not be adjacent to others).
 * Fails with RTM_ERR_ARG (h or mem NULL, h not a heap made by rtm_heap_init, buffer wraps round),
 * RTM_ERR_TOO_SMALL (cannot hold one block after alignment) or RTM_ERR_OVERLAP (overlaps a region
 * of the heap or its control data); the heap is unchanged then. O(1) unless the region exceeds the
 * largest class (O(bytes / largest class)).
 */
rtm_err rtm_heap_add_region(rtm_heap *h, void *mem, size_t bytes);

/**
 * Allocates @p bytes. Returns a pointer aligned to RTM_ALIGN, contents unspecified, or NULL when
 * bytes is 0 (not counted as a failure), h is NULL (reported), or no free block can hold it
 * (counted in failed_allocs). Complexity: see the policy list at the top of this file.
 */
void *rtm_heap_alloc(rtm_heap *h, size_t bytes);

/**
 * Allocates @p bytes aligned to @p align (any power of two; values below RTM_ALIGN mean
 * RTM_ALIGN). NULL when bytes is 0, align is not a power of two (reported, bad_requests), or no
 * block fits. Alignment above RTM_ALIGN searches for bytes + align + a minimum block, then gives the
 * unused head and tail back to the heap. Same complexity as rtm_heap_alloc.
 */
void *rtm_heap_aligned_alloc(rtm_heap *h, size_t align, size_t bytes);

/** Allocates n * size zeroed bytes. NULL when the product is 0, overflows (reported, bad_requests)
 *  or no block fits. Cost of rtm_heap_alloc plus O(n * size) for the zeroing. */
void *rtm_heap_calloc(rtm_heap *h, size_t n, size_t size);

/**
 * Resizes the block at @p ptr to @p bytes, keeping min(old, new) bytes of contents.
 * ptr NULL: same as alloc. bytes 0: frees ptr, returns NULL. Shrinks in place; grows in place when
 * the following block is free and large enough; otherwise allocates a new block (with the same
 * alignment as ptr up to RTM_HEAP_REALLOC_ALIGN_MAX if ptr came from rtm_heap_aligned_alloc),
 * copies and frees the old one. The heap does not record the alignment asked for: a moving realloc
 * keeps the largest power of two that divides ptr's address (capped as above), which may be more
 * than was asked, so it needs room for that alignment and can fail where a block of the alignment
 * asked would fit; where that matters, move the block with rtm_heap_aligned_alloc and a copy. Returns NULL and leaves ptr valid and unchanged when no memory.
 * A bad ptr is reported (bad_frees) and NULL returned (with RTM_HEAP_VALIDATE=0 only a freed one
 * is told apart). O(1) + policy search + O(bytes) copy.
 */
void *rtm_heap_realloc(rtm_heap *h, void *ptr, size_t bytes);

/**
 * Frees @p ptr. NULL is a no-op. A pointer that lies outside the heap, is misaligned, is not the
 * start of a used block (as far as O(1) checks of its header and neighbours can tell) or is already
 * free is rejected: reported through the error hook (RTM_ERR_BAD_PTR or RTM_ERR_DOUBLE_FREE) and
 * counted in bad_frees; the heap is unchanged. O(1) (O(regions) for a pointer outside the bounds
 * of a multi-region heap). With RTM_HEAP_VALIDATE=0, only a pointer whose header says free is
 * rejected (RTM_ERR_DOUBLE_FREE); any other bad pointer is undefined behaviour; O(1) always.
 */
void rtm_heap_free(rtm_heap *h, void *ptr);

/**
 * Usable bytes of the used block at @p ptr (>= the size requested); the caller may use all of them.
 * A request of n bytes takes a block of at least max(MIN_BLOCK, round_up(n + H, RTM_ALIGN)) bytes
 * (more when the rest of the free block it came from was too small to split off), H the header (one
 * size_t) and MIN_BLOCK four size_t (docs/heap.md, "Block layout"); usable = block - H.
 * 0 for NULL or a bad pointer (not reported: this is a query; with RTM_HEAP_VALIDATE=0, for NULL
 * or a freed block only). O(1). Under ASan or Valgrind builds
 * only the requested bytes are open after an allocation (overruns into the rounding are caught);
 * this call opens the whole usable size.
 */
size_t rtm_heap_usable_size(const rtm_heap *h, const void *ptr);

/** Fills @p out with current statistics. O(free blocks in the largest non-empty class). */
void rtm_heap_get_stats(const rtm_heap *h, rtm_heap_stats *out);

/** Resets peak_used to the current used bytes. O(1). */
void rtm_heap_reset_peak(rtm_heap *h);

/**
 * Full invariant walk, read-only: headers, boundary tags, coalescing, every free list, bitmaps and
 * counters. RTM_OK, or RTM_ERR_CORRUPT (also reported through the hook with the first bad address),
 * or RTM_ERR_ARG for NULL. O(blocks). Build with RTM_HEAP_CHECK_EVERY_OP=1 to run it (as an
 * assertion) around every heap operation.
 */
rtm_err rtm_heap_check(const rtm_heap *h);

/**
 * Calls @p fn for every block of every region in address order, until fn returns false. On a
 * damaged heap the walk ends at the first header whose size is 0 or runs past its region (the
 * blocks before it were reported; rtm_heap_check says what is wrong). NULL @p h or @p fn: no call.
 * O(blocks). Not thread-safe: the caller serialises it with every change to the heap.
 */
void rtm_heap_walk(const rtm_heap *h, rtm_heap_walker fn, void *ctx);

/** The policy @p h was created with (RTM_FIT_GOOD for NULL). O(1). */
rtm_fit rtm_heap_fit(const rtm_heap *h);

/** Name of a policy: "good", "best", "first" ("unknown" for other values). O(1), ISR-safe. */
const char *rtm_fit_name(rtm_fit fit);

/* ---- thread-safe wrapper (needs a port) ---------------------------------------------------- */

/**
 * A heap plus the port's lock. Every call below takes the lock around exactly one unlocked call, so
 * its result, reports, counters and complexity are those of that call plus one lock and unlock.
 * Thread-safe; not ISR-safe (rtm_port_lock may block: thread context only, rtmem/port.h). A NULL
 * @p lh is reported as RTM_ERR_ARG (object NULL) and the call does nothing, like a NULL heap (the
 * queries and reset_peak, which do not report a NULL heap, do not report a NULL wrapper either).
 * A zero-filled object, or one whose init failed, is safe to call: the heap calls report the NULL
 * heap.
 */
typedef struct {
    rtm_heap *heap;
    rtm_port_sync sync;
} rtm_heap_locked;

/**
 * rtm_heap_init on @p mem, into @p lh (overwritten). RTM_OK, or the reason rtm_heap_init gave
 * through the hook: RTM_ERR_ARG (lh or mem NULL, fit not a policy, buffer wraps round),
 * RTM_ERR_UNSUPPORTED (fit not compiled in, RTM_HEAP_FITS) or RTM_ERR_TOO_SMALL; lh->heap is NULL
 * then. O(1) like rtm_heap_init. Not thread-safe: initialise before sharing @p lh.
 */
rtm_err rtm_heap_locked_init(rtm_heap_locked *lh, void *mem, size_t bytes, rtm_fit fit);
/** rtm_heap_alloc under the lock. NULL as rtm_heap_alloc fails, or lh NULL (reported). */
void *rtm_heap_locked_alloc(rtm_heap_locked *lh, size_t bytes);
/** rtm_heap_aligned_alloc under the lock. NULL as it fails, or lh NULL (reported). */
void *rtm_heap_locked_aligned_alloc(rtm_heap_locked *lh, size_t align, size_t bytes);
/** rtm_heap_calloc: n x size zeroed bytes. NULL as rtm_heap_calloc fails (a product that overflows:
 *  reported, bad_requests), or lh NULL (reported). Only the allocation holds the lock: the
 *  O(n x size) zeroing runs after it is released, so other threads wait O(1) as for alloc. */
void *rtm_heap_locked_calloc(rtm_heap_locked *lh, size_t n, size_t size);
/** rtm_heap_realloc under the lock. NULL as it fails (ptr then unchanged), or lh NULL (reported). */
void *rtm_heap_locked_realloc(rtm_heap_locked *lh, void *ptr, size_t bytes);
/** rtm_heap_free under the lock. NULL ptr: no-op; lh NULL with another ptr: reported, nothing freed. */
void rtm_heap_locked_free(rtm_heap_locked *lh, void *ptr);
/** rtm_heap_usable_size under the lock (its validation reads neighbouring headers that another
 *  thread's free may be rewriting). 0 as it gives 0, or lh NULL (not reported: a query). */
size_t rtm_heap_locked_usable_size(rtm_heap_locked *lh, const void *ptr);
/** rtm_heap_add_region under the lock: the heap may grow while other threads use it. Its codes;
 *  lh NULL: RTM_ERR_ARG, reported. */
rtm_err rtm_heap_locked_add_region(rtm_heap_locked *lh, void *mem, size_t bytes);
/** rtm_heap_walk under the lock, a consistent view: @p fn runs with the lock held, so it must not
 *  call this wrapper (the port's lock is not recursive: deadlock) and other threads wait O(blocks).
 *  lh NULL: fn not called (not reported, as for a NULL heap). */
void rtm_heap_locked_walk(rtm_heap_locked *lh, rtm_heap_walker fn, void *ctx);
/** rtm_heap_reset_peak under the lock. lh NULL: no-op (not reported, as for a NULL heap). */
void rtm_heap_locked_reset_peak(rtm_heap_locked *lh);
/** rtm_heap_get_stats under the lock (a consistent snapshot). lh NULL: zeroed, not reported. */
void rtm_heap_locked_get_stats(rtm_heap_locked *lh, rtm_heap_stats *out);
/** rtm_heap_check under the lock (O(blocks) with the lock held). lh NULL: RTM_ERR_ARG, reported. */
rtm_err rtm_heap_locked_check(rtm_heap_locked *lh);
/** Releases the lock's OS resources (none on MCU ports); no call may be running. The heap memory is
 *  the caller's. NULL: no-op. Not thread-safe. */
void rtm_heap_locked_destroy(rtm_heap_locked *lh);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_HEAP_H */
