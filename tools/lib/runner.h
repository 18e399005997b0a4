/*
 * runner.h - executes an rtm_oplist (rtm_ops.h) on one rtmem heap policy or on the system
 * allocator, and reports what happened. Host-only (libc). Shared by `rtmem demo`, `rtmem replay`,
 * `rtmem frag`, the benchmark and the tests.
 *
 * Targets: the three heap policies, each on a fresh arena of cfg.arena bytes obtained from
 * posix_memalign (the WHOLE buffer goes to rtm_heap_init: the heap's control data counts against the
 * arena, as it does on a target), or the system allocator (malloc/free/realloc/posix_memalign).
 *
 * Placement: where the arena starts, modulo the alignments the ops request, decides where aligned
 * blocks can go and so whether a size serves the list (three 64-byte blocks aligned to 4096 need,
 * on x86-64, 12,456 bytes at a 4096-aligned start and from 10,408 to 14,528 at the other 8-byte-
 * aligned starts: docs/bench.md "Placement"). The runner therefore puts the arena at a
 * fixed placement: its start is a multiple of cfg.arena_align, by default the largest alignment the
 * list requests, at least RTM_ALIGN, and at least RTM_HEAP_REALLOC_ALIGN_MAX when the list also
 * reallocs (a moving realloc of an aligned block asks for the alignment of its address up to that:
 * rtm_oplist_max_align), capped at the largest power of two not above the arena size but not below
 * RTM_HEAP_REALLOC_ALIGN_MAX (rtm_run_placement). The results, minimum arenas included, are for
 * that placement: a buffer placed otherwise may need more (see rtm_run_min_arena). Without aligned
 * requests above RTM_ALIGN the placement does not matter.
 *
 * Semantics of each op (rtm_ops.h):
 *   ALLOC   id must not be live. NULL result = one failure; the id stays not live. Size 0 is a
 *           request (counted in allocs) that makes no object on any target (rtm_heap_alloc returns
 *           NULL, the heap's contract; a non-NULL malloc(0) is freed at once) and is no failure:
 *           the id stays not live, so the list means the same to every target and to
 *           rtm_oplist_peak_live.
 *   ALIGNED as ALLOC through rtm_heap_aligned_alloc / posix_memalign with 1 << align_log2.
 *   REALLOC id live: rtm_heap_realloc; on NULL (failure) the old block stays live.
 *           id not live: behaves as ALLOC. size 0 frees the object (realloc(p, 0) semantics).
 *   FREE    id live: free. id not live (an op stream that freed a failed allocation, or a
 *           malformed stream): skipped and counted in skipped_frees; never undefined behaviour.
 * An ALLOC/ALIGNED of an id that is still live is counted in bad_ops and skipped (the live block
 * is kept). Ops with id >= oplist.max_id are counted in bad_ops and skipped.
 *
 * "End state": the statistics snapshot taken after op index cfg.end_at - 1, i.e. the workload's
 * steady state before its clean-up phase frees everything (after the clean-up every heap is one
 * free block and the numbers say nothing). RTM_RUN_END_AUTO picks the op before the trailing run
 * of FREE ops of the list (for WORKLOADS.md workloads: exactly the start of the clean-up phase; for
 * a trace: before the program's final frees). All counters (allocations, failures, time) cover the
 * whole list, clean-up included, as WORKLOADS.md requires.
 *
 * Threads: every function keeps its state in its arguments and locals (no globals), so calls on
 * different lists and configs may run concurrently; an op list may be shared read-only.
 */
#ifndef RTM_RUNNER_H
#define RTM_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtm_ops.h"
#include "rtmem/heap.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What runs the ops: the heap policies take the values of rtm_fit, then the system allocator. */
typedef enum {
    RTM_RUN_GOOD = RTM_FIT_GOOD,
    RTM_RUN_BEST = RTM_FIT_BEST,
    RTM_RUN_FIRST = RTM_FIT_FIRST,
    RTM_RUN_SYSTEM,   /**< libc malloc: no arena, no heap statistics */
    RTM_RUN_TARGETS_
} rtm_run_target;

/** "good", "best", "first", "malloc". */
const char *rtm_run_target_name(rtm_run_target t);
/** Parses a name of rtm_run_target_name() (also "system"). False if unknown. */
bool rtm_run_target_parse(const char *s, rtm_run_target *out);

/** end_at value: snapshot the end state before the trailing FREE ops of the list. */
#define RTM_RUN_END_AUTO SIZE_MAX

/** One sample for cfg.sample (heap targets only). */
typedef struct {
    size_t op;             /**< ops executed so far */
    uint64_t live_bytes;   /**< sum of requested sizes of live objects */
    size_t live_objects;
    rtm_heap_stats stats;  /**< rtm_heap_get_stats after op */
} rtm_run_sample;

typedef void (*rtm_run_sampler)(const rtm_run_sample *s, void *ctx);

typedef struct {
    rtm_run_target target;
    size_t arena;          /**< heap targets: bytes of the buffer given to rtm_heap_init */
    size_t arena_align;    /**< heap targets: the buffer starts at a multiple of this (a power of two;
                                capped by rtm_run_placement); 0 (default): rtm_oplist_max_align */
    size_t end_at;         /**< ops before the end-state snapshot; RTM_RUN_END_AUTO (default) */
    bool stop_on_fail;     /**< stop at the first failed allocation (minimum-arena search) */
    bool timing;           /**< measure ns/op over the whole list (else ns_per_op = 0) */
    bool verify;           /**< write an id pattern into each block, check it before free/realloc */
    size_t sample_every;   /**< heap targets: call sample after every N ops and after the last; 0: off */
    rtm_run_sampler sample;
    void *sample_ctx;
} rtm_run_config;

/** Defaults: target good, arena 256 KiB, end_at AUTO, everything else off. */
void rtm_run_config_init(rtm_run_config *cfg);

typedef struct {
    rtm_run_target target;
    size_t arena;           /**< as configured (0 for the system allocator) */
    size_t capacity;        /**< heap stats capacity after init (0 for system) */
    size_t arena_align;     /**< the arena's start was a multiple of this (0 for system) */
    size_t ops;             /**< ops executed (< oplist n when stopped on a failure) */
    size_t allocs;          /**< allocation requests: ALLOC, ALIGNED, and REALLOC that allocate or move */
    size_t failures;        /**< requests that returned NULL */
    size_t frees;           /**< FREE ops that freed a live object (plus REALLOC to size 0) */
    size_t skipped_frees;   /**< FREE ops of an id that was not live (e.g. its alloc failed) */
    size_t bad_ops;         /**< malformed ops skipped (see the top of this file) */
    size_t first_fail_op;   /**< index of the first failed request, SIZE_MAX if none */
    uint64_t peak_live;     /**< highest sum of requested sizes of live objects */
    size_t peak_used;       /**< heap stats peak_used (bytes in used blocks, headers included); 0 for system */
    size_t end_op;          /**< ops executed when the end state was taken */
    rtm_heap_stats end;     /**< heap stats at the end state (zeroed for system) */
    size_t heap_bad_frees;  /**< heap stats bad_frees after the run: must be 0 (runner bug otherwise) */
    double ns_per_op;       /**< wall time of the op loop / ops (only with cfg.timing) */
    size_t verify_errors;   /**< blocks whose pattern was damaged (only with cfg.verify) */
} rtm_run_result;

/**
 * Runs @p ops on cfg->target. Fills @p out. Returns RTM_OK; RTM_ERR_ARG for NULL arguments, a
 * target out of range or a cfg->arena_align that is neither 0 nor a power of two;
 * RTM_ERR_TOO_SMALL when rtm_heap_init rejects cfg->arena (out->failures is then 0 and out->ops
 * 0); RTM_ERR_NOMEM when the host cannot allocate the arena or id table.
 * Allocation failures during the run are results, not errors. O(ops) (plus the allocator's cost).
 */
rtm_err rtm_run(const rtm_oplist *ops, const rtm_run_config *cfg, rtm_run_result *out);

/** Largest alignment an ALIGNED op of @p ops requests, at least RTM_ALIGN (also for NULL or an empty
 *  list), and at least RTM_HEAP_REALLOC_ALIGN_MAX if the list has both ALIGNED and REALLOC ops: the
 *  default placement of the arena (see the top of this file). O(ops). */
size_t rtm_oplist_max_align(const rtm_oplist *ops);

/** Largest alignment an ALIGNED op of @p ops requests, at least RTM_ALIGN (also for NULL or an empty
 *  list): what the list itself asks for, which rtm_oplist_max_align may raise. O(ops). */
size_t rtm_oplist_max_requested_align(const rtm_oplist *ops);

/** The placement rtm_run uses for alignment @p want and an arena of @p arena bytes: @p want (at
 *  least RTM_ALIGN) halved while above both the arena size and RTM_HEAP_REALLOC_ALIGN_MAX.
 *  O(log want). */
size_t rtm_run_placement(size_t want, size_t arena);

/** Index used for the end state by RTM_RUN_END_AUTO: n minus the trailing FREE ops. O(ops). */
size_t rtm_run_auto_end(const rtm_oplist *ops);

/**
 * Peak of the sum of requested sizes of live objects when every request succeeds (a property of
 * the op list alone; the denominator of the minimum-arena ratios), with rtm_run's semantics: an
 * ALLOC of 0 bytes makes no object, an ALLOC of a live id is skipped. O(ops). 0 for an empty list.
 * Summed in 64 bits whatever the build: two 3 GB objects of a trace are 6 GB, which a 32-bit
 * size_t would wrap to 1.7 GB (rtm_run_peak_fits says whether the build can replay it).
 */
uint64_t rtm_oplist_peak_live(const rtm_oplist *ops);

/**
 * Whether a list whose rtm_oplist_peak_live is @p peak can be replayed in this build: its arena
 * (at least the peak) must be a size_t and a host allocation, at most SIZE_MAX / 2 (a 32-bit
 * build's address space: 2 GiB). False otherwise, with one line for the user in @p why (@p n
 * bytes; 200 hold it): "peak live N B is too large for this build's layout (...)". O(1).
 */
bool rtm_run_peak_fits(uint64_t peak, char *why, size_t n);

/** Largest arena a minimum-arena search (rtm_run_min_arena, rtm_min_arena_search) tries: 1 GiB, a
 *  hard cap (the doubling's last step is the limit itself; no trial is larger). A whole number of
 *  GiB: `rtmem replay` names it so. */
#define RTM_RUN_MIN_ARENA_LIMIT ((size_t)1 << 30)
/** Most steps of the robust scan between its start and the peak (rtm_run_min_arena). */
#define RTM_RUN_ROBUST_MAX_STEPS 4096u

/** Minimum arena (WORKLOADS.md), in bytes of the buffer given to rtm_heap_init. */
typedef struct {
    uint64_t peak_live; /**< rtm_oplist_peak_live */
    size_t bisect;      /**< smallest passing size found by bisection in 8-byte steps */
    size_t robust;      /**< smallest size above which every step of robust_step passes (see below) */
    size_t robust_step; /**< the robust scan's step: peak/400 rounded down (WORKLOADS.md; the scan
                             itself uses the exact step), at least 8, or wider (see below) */
    double bisect_ratio; /**< bisect / peak_live */
    double robust_ratio; /**< robust / peak_live */
    unsigned runs;      /**< trial runs made */
    size_t arena_align; /**< placement of every trial: rtm_oplist_max_align (see the top of this file) */
} rtm_min_arena;

/**
 * Searches the minimum arena for heap target @p t: a size passes when the whole list runs with no
 * NULL return. Bisection in 8-byte steps between the last failing size of the doubling (peak_live,
 * which always fails: headers, if 2 x peak_live passes) and the first passing power-of-two multiple
 * of 2 x peak_live (or RTM_RUN_MIN_ARENA_LIMIT, where the doubling would pass it); then the robust minimum: the sizes 1.15 x bisect - k x peak_live / 400 (k = 0,
 * 1, ...; exact, each rounded down to 8; sizes above RTM_RUN_MIN_ARENA_LIMIT are the limit; the
 * step is 8 where peak_live / 400 is less), the last size before the first failing one (if the
 * start itself fails, the scan first moves up, k = -1, -2, ..., until one passes). Where that would
 * take more than RTM_RUN_ROBUST_MAX_STEPS steps down to the peak (a
 * trace whose arena is mostly alignment gaps: three 64-byte blocks aligned to 1 MiB scanned 8 bytes
 * at a time from 2 MiB), the step widens to (start - peak) / RTM_RUN_ROBUST_MAX_STEPS rounded up to
 * 8, and out->robust_step says so; the WORKLOADS.md lists keep peak/400. Every trial's buffer starts at a multiple of out->arena_align = rtm_oplist_max_align(ops)
 * (the placement at the top of this file), so the figures are deterministic; they are the smallest
 * sizes for that placement. A buffer placed otherwise (start not a multiple of the largest requested
 * alignment) may need more: up to about arena_align - RTM_ALIGN bytes (no proven bound: the heap's
 * layout then differs). Returns RTM_OK, RTM_ERR_ARG (NULL, system target, empty list), RTM_ERR_NOMEM
 * (host), RTM_ERR_SIZE (no arena up to RTM_RUN_MIN_ARENA_LIMIT passes, so also a peak at or above
 * it; or the robust scan, moving up from a failing start, reaches the limit without a pass; or the
 * peak does not fit this build: rtm_run_peak_fits). No trial is larger than RTM_RUN_MIN_ARENA_LIMIT.
 * O(runs x ops).
 */
rtm_err rtm_run_min_arena(const rtm_oplist *ops, rtm_run_target t, rtm_min_arena *out);

/** Largest limit rtm_run_min_arena_upto takes (2^40: the robust scan's sizes are computed exactly
 *  in 64 bits); a larger one is taken as this. */
#define RTM_RUN_LIMIT_MAX ((uint64_t)1 << 40)

/** rtm_run_min_arena with @p limit (rounded down to a multiple of 8, at most RTM_RUN_LIMIT_MAX) in
 *  place of RTM_RUN_MIN_ARENA_LIMIT: no trial is larger, RTM_ERR_SIZE when none up to it passes.
 *  RTM_ERR_ARG for limit 0. (`rtmem replay --limit`; tests that want a failing search without 1 GiB
 *  trials.) */
rtm_err rtm_run_min_arena_upto(const rtm_oplist *ops, rtm_run_target t, size_t limit, rtm_min_arena *out);

/** One trial of a minimum-arena search: 1 if the list runs in @p arena bytes with no failed
 *  allocation, 0 if one fails, negative if the host ran out of memory. */
typedef int (*rtm_arena_trial)(void *ctx, size_t arena);

/**
 * The search of rtm_run_min_arena (bisection, then the robust scan, with the same steps and
 * limits) over any allocator that @p fn runs: the heap policies, or the placement models of
 * bench/models.h. out->arena_align is left 0 (the caller knows its placement); out->runs counts
 * the calls of @p fn. Returns RTM_OK, RTM_ERR_ARG (NULL, empty list, no live bytes),
 * RTM_ERR_NOMEM (fn said so), RTM_ERR_SIZE (nothing up to RTM_RUN_MIN_ARENA_LIMIT passes, or the
 * peak does not fit a size_t search). @p fn is never called with more than RTM_RUN_MIN_ARENA_LIMIT.
 * O(runs x cost of fn).
 */
rtm_err rtm_min_arena_search(const rtm_oplist *ops, rtm_arena_trial fn, void *ctx, rtm_min_arena *out);

/** rtm_min_arena_search with @p limit in place of RTM_RUN_MIN_ARENA_LIMIT (as rtm_run_min_arena_upto). */
rtm_err rtm_min_arena_search_upto(const rtm_oplist *ops, rtm_arena_trial fn, void *ctx, size_t limit,
                                  rtm_min_arena *out);

/**
 * Parses a byte count for command-line options: decimal digits with an optional suffix k/K/KiB
 * (x1024), m/M/MiB (x1024^2) or g/G/GiB (x1024^3). False on anything else, on 0, and on overflow.
 * O(length).
 */
bool rtm_parse_size(const char *s, size_t *out);

/* ---- the demo table (also used by `rtmem replay`) ------------------------------------------- */

/**
 * Prints the column header of the result table. @p arena is printed in the title line when not 0.
 * Columns: workload, policy, allocations, failures, peak used, end-state free blocks, external
 * fragmentation (per mille), ns/op. "End state" as defined at the top of this file.
 */
void rtm_run_print_header(FILE *out, size_t arena);
/** Prints one row for @p r; @p workload names the op list (e.g. "A", a trace file name). */
void rtm_run_print_row(FILE *out, const char *workload, const rtm_run_result *r);

#ifdef __cplusplus
}
#endif

#endif /* RTM_RUNNER_H */
