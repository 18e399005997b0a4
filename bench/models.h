/*
 * models.h - placement models for the minimum-arena figures (host-only, `rtm_bench minarena`).
 *
 * A model runs an op list on offsets, not memory: a free list of (offset, size) pairs in address
 * order, the allocator's block format (header, granule, smallest block, split rule, bytes lost at
 * init) and its choice of block (first or best fit, bottom split). It answers "does this list run
 * in an arena of N bytes" with the same search as the heap policies (rtm_min_arena_search), so
 * that its figures are comparable with `rtm_bench minarena` and with issue 2's table:
 *
 *   heap4       FreeRTOS heap_4/5 on a 32-bit target: 8-byte BlockLink_t header, 8-byte
 *               alignment, smallest block 16, a block is split only when more than 16 bytes
 *               remain (heapMINIMUM_BLOCK_SIZE), 8-byte end marker, first fit over an
 *               address-ordered list. Reproduces issue 2's column (1.22 / 1.20 / 1.28 on A / B / C):
 *               a check of our workload generators and of the search, against figures measured
 *               outside this repository.
 *   first32     rtm's 32-bit block format (4-byte header, 8-byte granule and alignment, smallest
 *               block 16, split whenever 16 bytes remain), address-ordered first fit, and no
 *               control block (8 bytes for the first header's alignment and the sentinel): what
 *               RTM_FIT_FIRST would need without its list heads and bitmaps.
 *   best32      the same format, exact best fit (a smallest block that fits, the lowest address
 *               among equals), cut from the bottom, no control block: best fit at its plainest.
 *
 * The models are fixed to the 32-bit layouts whatever the host (the RAM targets are -m32
 * figures), so they run natively and fast. They take ALLOC and FREE ops only (A, B, C; not A64,
 * not realloc traces). Same op semantics as runner.h: a FREE of an id that is not live is skipped,
 * an ALLOC of a live id is skipped. No global state.
 */
#ifndef RTM_BENCH_MODELS_H
#define RTM_BENCH_MODELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"

typedef enum { RTM_MODEL_HEAP4, RTM_MODEL_FIRST32, RTM_MODEL_BEST32, RTM_MODEL_COUNT_ } rtm_model;

typedef struct {
    const char *name;
    uint32_t header;    /**< bytes before each payload */
    uint32_t granule;   /**< block sizes are multiples of it */
    uint32_t min_block; /**< smallest block */
    uint32_t split_min; /**< the rest of a chosen block becomes a free block iff at least this large */
    uint32_t overhead;  /**< bytes of the arena that never hold blocks (alignment, end marker) */
    bool best;          /**< best fit (lowest address among equal sizes); else first fit */
} rtm_model_params;

/** The parameters of @p m (NULL if unknown). O(1). */
const rtm_model_params *rtm_model_get(rtm_model m);

/** Parses a model name ("heap4", "first32", "best32"). False if unknown. */
bool rtm_model_parse(const char *s, rtm_model *out);

/** Block size for a request of @p n bytes under @p p. */
uint64_t rtm_model_block(const rtm_model_params *p, uint64_t n);

/**
 * The largest sum, over the list, of the blocks live at once, plus the model's overhead: no
 * allocator with this block format can serve the list in a smaller arena, however it places the
 * blocks (a floor for the minimum arena: what is above it is fragmentation). O(ops).
 */
uint64_t rtm_model_floor(const rtm_model_params *p, const rtm_oplist *ops);

/** A model's state: create once per op list, run as often as needed. Opaque. */
typedef struct rtm_model_run rtm_model_run;

/** State for @p ops under @p p. NULL if the list has ops other than ALLOC and FREE (RTM_ERR_ARG
 *  in *err), or the host is out of memory (RTM_ERR_NOMEM). */
rtm_model_run *rtm_model_open(const rtm_model_params *p, const rtm_oplist *ops, rtm_err *err);
void rtm_model_close(rtm_model_run *r);

/**
 * Runs the whole list in an arena of @p arena bytes. Returns true if no allocation failed; else
 * false, with the index of the failing op in *fail_at (may be NULL). O(ops x free blocks).
 */
bool rtm_model_try(rtm_model_run *r, size_t arena, size_t *fail_at);

/** After rtm_model_try: the offset of @p id's block from the first block (its header), or -1 if
 *  the id is not live. For exact-layout tests. */
int64_t rtm_model_offset(const rtm_model_run *r, uint32_t id);

/** The minimum arena of @p ops under model @p m (rtm_min_arena_search; out->arena_align 0).
 *  RTM_ERR_ARG for an unknown model or a list it cannot run. */
rtm_err rtm_model_min_arena(rtm_model m, const rtm_oplist *ops, rtm_min_arena *out);

#endif /* RTM_BENCH_MODELS_H */
