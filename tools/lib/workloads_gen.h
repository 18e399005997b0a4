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
#include "rtmem/heap.h"

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

/** The SplitMix64 seed WORKLOADS.md gives workload @p w (A 1, B 2, C 3, A64 1); 0 if unknown. */
uint64_t rtm_workload_seed(rtm_workload w);

/** Starts workload @p w with its reference seed. False (g unchanged) for an unknown workload or g
 *  NULL. O(1). */
bool rtm_wlgen_init(rtm_wlgen *g, rtm_workload w);

/**
 * Starts workload @p w with another @p seed: the same generator, other draws. Not a WORKLOADS.md
 * figure; for judging whether a change of placement helps on average or only on the reference
 * seed (the minimum arena moves by +-0.02 to 0.06 between seeds: docs/benchmarks.md, "Seeds").
 * False (g unchanged) for an unknown workload or g NULL. O(1).
 */
bool rtm_wlgen_init_seed(rtm_wlgen *g, rtm_workload w, uint64_t seed);

/**
 * The next operation in @p op (kind RTM_OP_ALLOC, RTM_OP_ALIGNED with align_log2 6 for A64, or
 * RTM_OP_FREE; id; size). Returns false when the workload is complete (op then unspecified). O(1).
 */
bool rtm_wlgen_next(rtm_wlgen *g, rtm_op *op);

/** Totals so far (final once rtm_wlgen_next returned false). */
static inline const rtm_workload_info *rtm_wlgen_info(const rtm_wlgen *g) { return &g->info; }

/* ---- constructions run on a heap --------------------------------------------------------------
 * The worst case of WORKLOADS.md and good fit's longest path depend on the allocator's answers
 * ("allocate until it fails"), so they are not op lists: they run on a heap directly. Here so that
 * the host's rtm_bench and the i386 firmware (targets/bench_workloads.c) build the same heaps. */

typedef enum { RTM_WC_V1, RTM_WC_V2 } rtm_wc_variant;

#define RTM_WC_ARENA (4u * 1024u * 1024u)  /**< the worst case's arena: 4 MiB */
#define RTM_WC_SEPARATOR 4u

/** Fragment and probe sizes: V1 4 / 256, V2 72 / 120. */
void rtm_wc_sizes(rtm_wc_variant v, size_t *fragment, size_t *probe);

/**
 * Steps 1-3 of the worst case on heap @p h (normally a fresh heap on RTM_WC_ARENA bytes): K
 * (fragment, separator) pairs, `last` (probe size) and one more separator; fill the rest by
 * halving sizes 2^26 .. 1; free the fragments from K-1 down to 0, then `last`. Afterwards one
 * alloc(probe) is the measurement. @p frag: the caller's room for K pointers. @p fill_allocs (may
 * be NULL): the fill step's allocations. False if a step-1 allocation failed. O(K + fill) heap calls.
 */
bool rtm_wc_construct(rtm_heap *h, rtm_wc_variant v, size_t k, void **frag, size_t *fill_allocs);

/* Good fit's longest O(1) path (src/heap.c, find_good): a request that rounds up and is small
 * (block < RTM_HEAP_LOW_PICK_BELOW) or large (>= RTM_HEAP_LOW_PICK_FROM) compares the heads of up
 * to RTM_HEAP_LOW_PICK non-empty larger classes. The construction makes that walk as long as it
 * can be: eight free blocks, each in a first level of its own (a level change costs a bit scan of
 * the first-level map and a load), the smallest at the highest address so that every class
 * visited holds a lower head than the last (each step replaces the pick), each boxed in by an
 * 8-byte separator, and the rest of the arena allocated so that no other free block exists. The
 * request's own class is empty. Then one alloc (which splits the picked block, linking the rest)
 * and its free (which merges it back) are the measurement. The WORKLOADS.md worst case does not
 * reach this path: its probes, 120 and 256 bytes, are mid-sized. */
typedef enum { RTM_PATH_SMALL, RTM_PATH_LARGE } rtm_path_kind;

#define RTM_PATH_BLOCKS 8u
#define RTM_PATH_ARENA (1024u * 1024u)  /**< the path construction's arena: 1 MiB */

typedef struct {
    size_t request;                  /**< what to allocate: 16 (small) or 520 (large) bytes */
    const size_t *sizes;             /**< the eight free blocks' requested sizes, largest first */
    void *blocks[RTM_PATH_BLOCKS];   /**< and their payloads (free once built) */
} rtm_path;

/** Builds the path on @p h (a fresh good-fit heap on RTM_PATH_ARENA bytes). False if an allocation
 *  of the construction failed. */
bool rtm_path_construct(rtm_heap *h, rtm_path_kind kind, rtm_path *out);

/** How many classes the request's alloc visited, from the block its result @p p was cut from (the
 *  lowest-addressed head among the classes visited: the k-th smallest block for k classes); 0 if
 *  p is in none of them. */
unsigned rtm_path_classes_visited(const rtm_path *path, const void *p);

#ifdef __cplusplus
}
#endif

#endif /* RTM_WORKLOADS_GEN_H */
