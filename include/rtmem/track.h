/*
 * rtmem/track.h - allocation tracking: who holds the memory, who leaked it, who wrote past the end.
 *
 * A tracker wraps any rtmem allocator (heap, slab, pools, or the user's own) through the small
 * rtm_allocator interface below. Every allocation made through the tracker gets a record in a
 * caller-provided table (open addressing on the pointer, linear probing with backward-shift
 * deletion: O(1) average insert, lookup and remove, no tombstones). A record holds the requested
 * size, the allocation site (__FILE__/__LINE__ via RTM_TRACK_ALLOC), the thread and a timestamp
 * from the port (rtmem/port.h).
 *
 * On top of the records:
 *  - reports to a caller-supplied text sink: live blocks grouped by site (count, bytes, peak bytes),
 *    per-thread totals, leaks since a checkpoint (format in docs/track.md);
 *  - rtm_track_find(): the live block that contains an address (for fault handlers, debuggers);
 *  - optional red zones before and after every block, checked on free and by rtm_track_check_all();
 *  - optional quarantine: freed blocks are filled with RTM_TRACK_POISON and held back from the
 *    allocator for a while; when one finally goes back, the poison is checked, so a write after free
 *    is reported with the site that freed the block;
 *  - optional binary/text trace of every event (rtmem/trace.h).
 *
 * Nothing here allocates: the tracker's memory is the buffer given to rtm_track_init. A full record
 * table never overwrites a live record: the allocation is refused (NULL, counted in
 * stats.table_full, reported as RTM_ERR_FULL).
 *
 * Thread safety: with cfg.locked every call takes the port's lock (rtm_port_lock) around the
 * tracker AND the wrapped allocator, so an unlocked heap may be wrapped and shared by threads. Not
 * ISR-safe then. Without cfg.locked the caller serialises (and may use the tracker from one ISR or
 * one thread only). Sinks run in the caller's context with the lock held: they must not call the
 * tracker.
 */
#ifndef RTMEM_TRACK_H
#define RTMEM_TRACK_H

#include "rtmem/common.h"
#include "rtmem/heap.h"
#include "rtmem/pools.h"
#include "rtmem/port.h"
#include "rtmem/slab.h"
#include "rtmem/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Byte written into red zones (guards). */
#ifndef RTM_TRACK_GUARD_BYTE
#define RTM_TRACK_GUARD_BYTE 0xABu
#endif
/** Byte written into freed (quarantined) blocks. */
#ifndef RTM_TRACK_POISON
#define RTM_TRACK_POISON 0xDDu
#endif
/** Threads with their own line in the per-thread totals; further threads share one "other" line. */
#ifndef RTM_TRACK_THREADS
#define RTM_TRACK_THREADS 8
#endif
/** Longest line a report sends to the sink in one call (longer file names are cut from the left); at
 *  least 96 (a static assertion in track.c). */
#ifndef RTM_TRACK_LINE_MAX
#define RTM_TRACK_LINE_MAX 192
#endif

/* ---- the allocator interface -------------------------------------------------------------- */

/**
 * What a tracker needs from an allocator. @p self is passed back to every function.
 *  alloc(self, size, align): size > 0; align is 0 (the allocator's natural alignment) or a power
 *      of two. Returns NULL on failure.
 *  free(self, ptr): ptr came from alloc.
 *  usable_size(self, ptr): optional (may be NULL): usable bytes of a live block.
 * The tracker only calls these with the arguments above (never NULL, never a pointer it did not
 * get from alloc).
 */
typedef struct rtm_allocator {
    void *(*alloc)(void *self, size_t size, size_t align);
    void (*free)(void *self, void *ptr);
    size_t (*usable_size)(void *self, const void *ptr);
    void *self;
} rtm_allocator;

/**
 * Fills @p out with an adapter for heap @p h (alloc: rtm_heap_alloc, or rtm_heap_aligned_alloc when
 * align > RTM_ALIGN). Returns RTM_ERR_ARG if either is NULL. O(1). Adapters for other allocators
 * follow the same pattern: three static functions and a self pointer (see docs/track.md).
 */
rtm_err rtm_allocator_from_heap(rtm_allocator *out, rtm_heap *h);

/**
 * Adapter for slab @p s: alloc takes a block with RTM_NO_WAIT when size <= the slab's block size
 * (remember the tracker adds 2 x guard bytes, the front guard rounded up to the alignment) and the
 * block meets align; otherwise NULL (counted as a failed allocation by the tracker). RTM_ERR_ARG
 * for NULL arguments. O(1).
 */
rtm_err rtm_allocator_from_slab(rtm_allocator *out, rtm_slab *s);

/** Adapter for size-class pools @p p (alignments above RTM_ALIGN fail). RTM_ERR_ARG for NULL. O(1). */
rtm_err rtm_allocator_from_pools(rtm_allocator *out, rtm_pools *p);

/* ---- the tracker --------------------------------------------------------------------------- */

/** Opaque tracker; lives at the start of the buffer given to rtm_track_init. */
typedef struct rtm_track rtm_track;

/** Receives report text: @p len bytes at @p text, one line per call, ending in '\n'. */
typedef void (*rtm_track_sink)(void *ctx, const char *text, size_t len);

typedef struct {
    rtm_allocator allocator; /**< what the tracker allocates from (copied) */
    size_t max_sites;        /**< distinct allocation/free sites with their own statistics (>= 1) */
    size_t guard;            /**< red zone bytes before and after each block, rounded up to RTM_ALIGN; 0: off */
    size_t quarantine;       /**< freed blocks held back poisoned; 0: off (no after-free check) */
    bool locked;             /**< take the port lock around every call (thread-safe) */
    rtm_track_sink sink;     /**< where errors found on free/alloc are described (NULL: only
                                  rtm_report); reports take a sink argument of their own */
    void *sink_ctx;
    rtm_trace *trace;        /**< if not NULL: every event also goes to this trace; an allocation
                                  or realloc that fails (allocator out of memory, table full) with
                                  object 0; calls refused for their arguments are not events */
} rtm_track_config;

/** Bytes per record / site / quarantine slot, constant upper bounds for sizing buffers. */
#define RTM_TRACK_REC_BYTES (4u * sizeof(void *) + 24u)
#define RTM_TRACK_SITE_BYTES (2u * sizeof(void *) + 4u * sizeof(size_t) + 8u)
#define RTM_TRACK_CTRL_BYTES (384u + (RTM_TRACK_THREADS + 1u) * 6u * sizeof(size_t) + \
                              RTM_PORT_SYNC_WORDS * sizeof(void *))
/**
 * Buffer bytes for a tracker with room for @p records live (plus quarantined) blocks, @p sites
 * sites and a quarantine of @p quarantine blocks (constant expression; alignment slack included).
 * The table gets records * 4 / 3 + 1 slots (load <= 75 %).
 */
#define RTM_TRACK_BYTES(records, sites, quarantine)                                                  \
    (RTM_TRACK_CTRL_BYTES + ((size_t)(records) + (size_t)(quarantine) + ((size_t)(records) + (size_t)(quarantine)) / 3u + 2u) * \
     RTM_TRACK_REC_BYTES + (size_t)(sites) * RTM_TRACK_SITE_BYTES + (size_t)(quarantine) * sizeof(void *) + 16u)

/**
 * Creates a tracker in [mem, mem + bytes) (mem need not be aligned) and stores its handle in *out.
 * The space left after the control data, the site table (cfg->max_sites) and the quarantine ring
 * (cfg->quarantine) becomes the record table; capacity (see rtm_track_stats) is 3/4 of its slots
 * (slots - slots / 4, at most slots - 1: a table of 2 or 3 slots keeps one empty).
 * Fails, leaving *out NULL, with RTM_ERR_ARG (out, mem or cfg NULL, or allocator.alloc/free NULL),
 * RTM_ERR_SIZE (max_sites 0 or above 65534, guard or quarantine sizes overflow) or
 * RTM_ERR_TOO_SMALL (no room for max(1, quarantine + 1) records). O(bytes) (clears the tables).
 * Not thread-safe.
 */
rtm_err rtm_track_init(rtm_track **out, void *mem, size_t bytes, const rtm_track_config *cfg);

/**
 * Allocates @p size bytes (aligned to @p align: 0 = the allocator's natural alignment, else a power
 * of two) through the tracker and records it with site @p file:@p line (file may be NULL).
 * Returns NULL, with the tracker unchanged, when t is NULL or align is not a power of two
 * (RTM_ERR_ARG reported, stats.bad_requests), size is 0 or size + 2 * guard overflows
 * (RTM_ERR_SIZE, bad_requests), the record table is full even after draining the quarantine
 * (RTM_ERR_FULL, table_full; the live records are kept), or the allocator returns NULL (failed).
 * With guards, the red zones are filled; with a quarantine, blocks drained to make room are checked.
 * O(1) average (+ the allocator); once the site table is full, a call from a site that is not in
 * it and not the previous allocation's site looks at every slot: O(max_sites), size max_sites for
 * the sites a program has. Thread/ISR: see the top of this file.
 */
void *rtm_track_alloc_at(rtm_track *t, size_t size, size_t align, const char *file, unsigned line);

/**
 * Frees @p ptr (NULL: no-op) recorded at @p file:@p line. A pointer with no live record is
 * rejected without reaching the allocator: RTM_ERR_DOUBLE_FREE if it is in the quarantine (the
 * report names the freeing site), RTM_ERR_BAD_PTR otherwise; counted in bad_frees. Damaged red
 * zones are reported (RTM_ERR_OVERFLOW, stats.overflows, a line to cfg.sink naming the allocation
 * site) and the block is still freed. With a quarantine the block is poisoned and held; the oldest
 * quarantined block goes back to the allocator when the quarantine is full, after its poison is
 * checked (RTM_ERR_CORRUPT, stats.after_free_writes, a line naming both sites).
 * O(1) average + O(guard + size of a drained block); with a quarantine, the freeing site is looked
 * up as an allocation's site is (O(max_sites) for a site not in a full table, unless it is the
 * previous free's site).
 */
void rtm_track_free_at(rtm_track *t, void *ptr, const char *file, unsigned line);

/**
 * Resizes a tracked block: ptr NULL behaves as rtm_track_alloc_at, size 0 as rtm_track_free_at
 * (returns NULL). Otherwise allocates a new block, copies min(old, new) bytes, frees the old one
 * and returns the new pointer; on failure returns NULL and ptr stays valid. A ptr with no live
 * record is rejected as by rtm_track_free_at and NULL returned. O(size) + two allocator calls.
 */
void *rtm_track_realloc_at(rtm_track *t, void *ptr, size_t size, const char *file, unsigned line);

/** Allocation macros that record the caller's file and line. */
#define RTM_TRACK_ALLOC(t, size) rtm_track_alloc_at((t), (size), 0u, __FILE__, __LINE__)
#define RTM_TRACK_ALIGNED_ALLOC(t, align, size) rtm_track_alloc_at((t), (size), (align), __FILE__, __LINE__)
#define RTM_TRACK_REALLOC(t, ptr, size) rtm_track_realloc_at((t), (ptr), (size), __FILE__, __LINE__)
#define RTM_TRACK_FREE(t, ptr) rtm_track_free_at((t), (ptr), __FILE__, __LINE__)

/** Counters by value (rtm_track_get_stats). */
typedef struct {
    size_t capacity;        /**< records the table holds (live + quarantined) */
    size_t live_blocks;     /**< tracked blocks not yet freed */
    size_t live_bytes;      /**< sum of their requested sizes */
    size_t peak_bytes;      /**< highest live_bytes since init (a realloc holds the old and the new
                                 block at once, and counts both for that moment) */
    size_t quarantined;     /**< freed blocks held in the quarantine */
    size_t allocs;          /**< successful allocations (realloc counts one) */
    size_t frees;           /**< successful frees (a realloc's release of the old block is none) */
    size_t failed;          /**< allocator returned NULL */
    size_t table_full;      /**< allocations refused because the record table was full */
    size_t bad_frees;       /**< frees of pointers with no live record (foreign or double) */
    size_t bad_requests;    /**< rejected arguments (zero/overflowing size, bad alignment) */
    size_t overflows;       /**< blocks found with a damaged red zone */
    size_t after_free_writes; /**< quarantined blocks found written after free */
    size_t sites_full;      /**< allocations whose site did not fit in the site table */
} rtm_track_stats;

/** Fills @p out (zeroed if t is NULL). O(1). */
void rtm_track_get_stats(rtm_track *t, rtm_track_stats *out);

/** What rtm_track_find tells about a live block. */
typedef struct {
    void *ptr;           /**< start of the user block */
    size_t size;         /**< requested size */
    const char *file;    /**< allocation site (NULL if not recorded) */
    unsigned line;
    uintptr_t thread;    /**< rtm_port_thread_id() of the allocating thread */
    uint64_t age_us;     /**< rtm_port_now_us() now minus at allocation */
    uint32_t seq;        /**< allocation sequence number (compare with checkpoints) */
} rtm_track_info;

/**
 * Finds the live block whose user bytes [ptr, ptr + size) contain @p addr (its red zones count as
 * part of it, so an address just past the end is attributed to its block). Returns true and fills
 * @p out, or false (t/out NULL, or no block). O(capacity): a scan, for fault handlers and debuggers,
 * not hot paths. Takes the lock when cfg.locked (so not from a fault handler then).
 */
bool rtm_track_find(rtm_track *t, const void *addr, rtm_track_info *out);

/**
 * Checks the red zones of every live block and the poison of every quarantined block; each damaged
 * block is described on @p sink (may be NULL) at every call that finds it, but counted (overflows /
 * after_free_writes) and reported through the error hook once per block, over every call and the
 * block's own free or drain from the quarantine. Returns RTM_OK, RTM_ERR_OVERFLOW (a red zone is
 * damaged), RTM_ERR_CORRUPT (only a quarantined block is damaged) or RTM_ERR_ARG (t NULL).
 * Read-only apart from the counters. O(capacity + guarded bytes).
 */
rtm_err rtm_track_check_all(rtm_track *t, rtm_track_sink sink, void *ctx);

/**
 * Writes the report (docs/track.md): a summary line, one line per site with live blocks or a
 * non-zero peak (live count, live bytes, peak bytes, allocations), one line per thread (live
 * blocks, bytes, peak, allocations, frees). Does nothing if t or sink is NULL.
 * O(capacity x sites) worst case (sites are grouped without extra memory).
 */
void rtm_track_report(rtm_track *t, rtm_track_sink sink, void *ctx);

/** A point in the allocation sequence: blocks allocated after it are "new". */
typedef uint32_t rtm_track_cp;

/** Returns a checkpoint for rtm_track_leaks_since (0 if t is NULL). O(1). */
rtm_track_cp rtm_track_checkpoint(rtm_track *t);

/**
 * Lists, on @p sink (may be NULL: just count), the blocks allocated after checkpoint @p cp that are
 * still live: one line per site (blocks, bytes) then one per block (address, size, thread, age),
 * and a total line. Returns the number of such blocks (0 if t is NULL). Sequence numbers are
 * 32 bits: a checkpoint older than 2^31 allocations is meaningless. O(capacity x sites).
 */
size_t rtm_track_leaks_since(rtm_track *t, rtm_track_cp cp, rtm_track_sink sink, void *ctx);

/**
 * The leak diff between two checkpoints: as rtm_track_leaks_since, for blocks allocated after
 * @p cp and before @p until (a later checkpoint) that are still live. rtm_track_leaks_since(t, cp)
 * is rtm_track_leaks_between(t, cp, rtm_track_checkpoint(t)). O(capacity x sites).
 */
size_t rtm_track_leaks_between(rtm_track *t, rtm_track_cp cp, rtm_track_cp until, rtm_track_sink sink, void *ctx);

/**
 * Full consistency walk of the tracker's own data, read-only: every record reachable from its hash
 * slot, record counts and byte sums equal to the statistics, per-site and per-thread sums, the
 * quarantine ring. Does not look at red zones (rtm_track_check_all does). Returns RTM_OK,
 * RTM_ERR_CORRUPT (also reported through the hook) or RTM_ERR_ARG (t NULL). O(capacity + sites).
 * Takes the lock when cfg.locked.
 */
rtm_err rtm_track_validate(rtm_track *t);

/**
 * Gives every quarantined block back to the allocator now, checking each one's poison first (as
 * when the quarantine is full). Call before destroying the wrapped allocator or to free memory.
 * O(quarantined blocks x their sizes).
 */
void rtm_track_drain(rtm_track *t);

/** Releases the lock's OS resources (cfg.locked). The blocks and the buffer stay the caller's. */
void rtm_track_destroy(rtm_track *t);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_TRACK_H */
