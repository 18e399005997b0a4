/*
 * workloads_gen.h - the one implementation of the reference workloads of ../shared/WORKLOADS.md
 * (normative): A, B, C and A64 generated one operation at a time.
 *
 * Freestanding C11 (<stdint.h>, <stddef.h>, <stdbool.h> only; no malloc, no stdio), so that the
 * host (tools/lib/workloads.c builds op lists from it) and the firmware (targets/bench_workloads.c
 * replays it on the target) run the same code. SplitMix64 seeded with 1, 2, 3 (A64 uses A's seed
 * and draws), random numbers drawn in exactly the order the text gives, then the clean-up phase
 * that frees every live object in live[] order. C's "copying realloc" is an ALLOC of the new size
 * followed by a FREE of the old buffer. Object ids come from a LIFO of free ids, so they stay dense
 * (below RTM_WLGEN_MAX_IDS: A, B and A64 never hold more than 2L = 2,000 objects, C 33).
 * The generator state is ~24 KiB: place it in static storage or on the heap, not on a small stack.
 */
#ifndef RTM_WORKLOADS_GEN_H
#define RTM_WORKLOADS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtm_ops.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { RTM_WL_A, RTM_WL_B, RTM_WL_C, RTM_WL_A64, RTM_WL_COUNT_ } rtm_workload;

/** "A", "B", "C", "A64" ("?" for anything else). */
const char *rtm_workload_name(rtm_workload w);

/** SplitMix64 exactly as WORKLOADS.md defines it. */
typedef struct { uint64_t state; } rtm_splitmix64;
uint64_t rtm_splitmix64_next(rtm_splitmix64 *r);
/** next() % n (n > 0). */
uint64_t rtm_splitmix64_rnd(rtm_splitmix64 *r, uint64_t n);

/** What the generator counted while it emitted the ops (independent of any allocator). */
typedef struct {
    size_t allocs;        /**< allocation ops (clean-up excluded: it only frees) */
    size_t frees;         /**< free ops, clean-up included */
    size_t peak_live;     /**< peak sum of requested sizes of live objects */
    size_t peak_objects;  /**< peak number of live objects */
    size_t cleanup_at;    /**< index of the first op of the clean-up phase */
} rtm_workload_info;

/** Largest number of object ids a workload uses (A/B/A64: at most 2L = 2,000 live objects). */
#define RTM_WLGEN_MAX_IDS 2048u

/** Generator state: treat as opaque. */
typedef struct {
    rtm_workload w;
    rtm_splitmix64 r;
    unsigned phase;       /* 0 start (C), 1 main loop, 2 C: free pending, 3 clean-up, 4 done */
    size_t step;          /* main-loop iterations done */
    size_t cleanup_i;     /* next live[] index of the clean-up */
    size_t emitted;       /* ops emitted */
    size_t live_count;    /* entries of live[] */
    uint32_t pending_free; /* C: the old buffer to free after the new one was allocated */
    size_t live_bytes;
    uint32_t next_id, n_free_ids;
    rtm_workload_info info;
    uint32_t live[RTM_WLGEN_MAX_IDS];     /* A/B/A64: live[]; C: the id of buffer i */
    uint32_t size_of[RTM_WLGEN_MAX_IDS];  /* requested size by id (C: sz[i] = size_of[live[i]]) */
    uint32_t free_ids[RTM_WLGEN_MAX_IDS];
} rtm_wlgen;

/** Starts workload @p w. False (g unchanged) for an unknown workload or g NULL. O(1). */
bool rtm_wlgen_init(rtm_wlgen *g, rtm_workload w);

/**
 * The next operation in @p op (kind RTM_OP_ALLOC, RTM_OP_ALIGNED with align_log2 6 for A64, or
 * RTM_OP_FREE; id; size). Returns false when the workload is complete (op then unspecified). O(1).
 */
bool rtm_wlgen_next(rtm_wlgen *g, rtm_op *op);

/** Totals so far (final once rtm_wlgen_next returned false). */
static inline const rtm_workload_info *rtm_wlgen_info(const rtm_wlgen *g) { return &g->info; }

#ifdef __cplusplus
}
#endif

#endif /* RTM_WORKLOADS_GEN_H */
