/*
 * workloads.h - the reference workloads of ../shared/WORKLOADS.md (normative), as op lists.
 *
 * rtm_workload_generate() reproduces A, B, C and A64 to the letter: SplitMix64 seeded with 1, 2, 3
 * (A64 uses A's seed and draws), random numbers drawn in exactly the order the text gives, and the
 * clean-up phase that frees every live object in live[] order at the end. C's "copying realloc"
 * is an ALLOC of the new size followed by a FREE of the old buffer. Object ids come from a LIFO of
 * free ids, so they stay dense (max_id = peak live objects + 1 for C). The ops themselves come from
 * workloads_gen.h, the one implementation of the generators.
 *
 * The worst-case construction (V1/V2) depends on the allocator's answers ("allocate until it
 * fails"), so it is not an op list: rtm_wc_build() runs it on a heap directly (workloads_gen.h).
 * Host-only (libc). No global state: concurrent calls with different arguments are safe.
 */
#ifndef RTM_WORKLOADS_H
#define RTM_WORKLOADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtm_ops.h"
#include "workloads_gen.h"
#include "rtmem/heap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* rtm_workload, rtm_workload_name, SplitMix64, rtm_workload_info and the op-at-a-time generator
 * come from workloads_gen.h (freestanding, shared with the target firmware). */

/** Parses a name (case-insensitive). False if unknown. */
bool rtm_workload_parse(const char *s, rtm_workload *out);

/**
 * Appends workload @p w to @p out (which should be empty: {0}) and fills @p info (may be NULL).
 * Sets out->name. Returns false for an unknown workload. O(ops); aborts on host out-of-memory.
 */
bool rtm_workload_generate(rtm_workload w, rtm_oplist *out, rtm_workload_info *info);

/** rtm_workload_generate with another SplitMix64 @p seed (rtm_wlgen_init_seed). out->name is the
 *  workload's name, followed by " seed N" unless @p seed is the reference seed. */
bool rtm_workload_generate_seed(rtm_workload w, uint64_t seed, rtm_oplist *out, rtm_workload_info *info);

/* ---- worst case (WORKLOADS.md "Worst case"): rtm_wc_variant, RTM_WC_ARENA, rtm_wc_sizes and the
 * construction itself (rtm_wc_construct) are in workloads_gen.h. ---------------------------------- */

/** What rtm_wc_build left. */
typedef struct {
    size_t k;
    size_t fragment, probe;
    size_t fill_allocs;   /**< blocks allocated by the fill step */
    bool ok;              /**< every step-1 allocation succeeded */
} rtm_wc_state;

/**
 * rtm_wc_construct on heap @p h with host memory for the fragments' pointers. Returns false
 * (state->ok false) if a step-1 allocation failed or the host ran out of memory.
 */
bool rtm_wc_build(rtm_heap *h, rtm_wc_variant v, size_t k, rtm_wc_state *state);

#ifdef __cplusplus
}
#endif

#endif /* RTM_WORKLOADS_H */
