/*
 * The reference workloads of ../shared/WORKLOADS.md, one operation at a time (freestanding: shared
 * by the host's op lists and the target firmware). Every random number is drawn in the order the
 * text gives; tests/bench/test_workloads.c checks the totals WORKLOADS.md publishes, and the
 * firmware (targets/bench_workloads.c) checks them again on the target.
 */
#include "workloads_gen.h"

enum { MIXED_N = 1000000, MIXED_L = 1000, C_BUFS = 32, C_STEPS = 500000 };
enum { PH_START, PH_MAIN, PH_C_FREE, PH_CLEANUP, PH_DONE };

static const char *const k_names[RTM_WL_COUNT_] = {"A", "B", "C", "A64"};

const char *rtm_workload_name(rtm_workload w)
{
    return (unsigned)w < RTM_WL_COUNT_ ? k_names[w] : "?";
}

uint64_t rtm_splitmix64_next(rtm_splitmix64 *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t rtm_splitmix64_rnd(rtm_splitmix64 *r, uint64_t n) { return rtm_splitmix64_next(r) % n; }

bool rtm_wlgen_init(rtm_wlgen *g, rtm_workload w)
{
    static const uint64_t seeds[RTM_WL_COUNT_] = {1, 2, 3, 1};
    if (g == NULL || (unsigned)w >= RTM_WL_COUNT_) return false;
    g->w = w;
    g->r.state = seeds[w];
    g->phase = w == RTM_WL_C ? PH_START : PH_MAIN;
    g->step = g->cleanup_i = g->emitted = g->live_count = g->live_bytes = 0;
    g->pending_free = 0;
    g->next_id = g->n_free_ids = 0;
    g->info = (rtm_workload_info){0};
    return true;
}

/* A new object of @p size: a dense id (LIFO of released ids), counted; false if out of ids. */
static bool gen_alloc(rtm_wlgen *g, uint32_t size, rtm_op *op)
{
    uint32_t id;
    if (g->n_free_ids > 0) {
        id = g->free_ids[--g->n_free_ids];
    } else if (g->next_id < RTM_WLGEN_MAX_IDS) {
        id = g->next_id++;
    } else {
        return false; /* cannot happen for these workloads (see the header) */
    }
    g->size_of[id] = size;
    g->info.allocs++;
    g->live_bytes += size;
    size_t objects = (size_t)(g->next_id - g->n_free_ids);
    if (g->live_bytes > g->info.peak_live) g->info.peak_live = g->live_bytes;
    if (objects > g->info.peak_objects) g->info.peak_objects = objects;
    bool aligned = g->w == RTM_WL_A64;
    *op = (rtm_op){.id = id, .kind = aligned ? RTM_OP_ALIGNED : RTM_OP_ALLOC,
                   .align_log2 = aligned ? 6u : 0u, .size = size};
    return true;
}

static void gen_free(rtm_wlgen *g, uint32_t id, rtm_op *op)
{
    g->info.frees++;
    g->live_bytes -= g->size_of[id];
    g->free_ids[g->n_free_ids++] = id;
    *op = (rtm_op){.id = id, .kind = RTM_OP_FREE, .align_log2 = 0, .size = 0};
}

/* A (and A64) and B: one iteration of the random mixed loop. */
static bool step_mixed(rtm_wlgen *g, rtm_op *op)
{
    rtm_splitmix64 *r = &g->r;
    g->step++;
    if (rtm_splitmix64_rnd(r, 2 * MIXED_L) >= g->live_count) {
        uint32_t size;
        if (g->w == RTM_WL_B) {
            size = rtm_splitmix64_rnd(r, 32) == 0 ? 1024u + (uint32_t)rtm_splitmix64_rnd(r, 3073)
                                                  : 16u + (uint32_t)rtm_splitmix64_rnd(r, 17);
        } else {
            uint32_t b = (uint32_t)rtm_splitmix64_rnd(r, 6);
            size = (8u << b) + (uint32_t)rtm_splitmix64_rnd(r, 8u << b);
        }
        if (g->live_count >= RTM_WLGEN_MAX_IDS || !gen_alloc(g, size, op)) return false;
        g->live[g->live_count++] = op->id;
    } else {
        size_t i = (size_t)rtm_splitmix64_rnd(r, g->live_count);
        gen_free(g, g->live[i], op);
        g->live[i] = g->live[--g->live_count];
    }
    return true;
}

/* C: the 32 initial buffers, then per step an ALLOC of the grown size and the FREE of the old. */
static bool step_growing(rtm_wlgen *g, rtm_op *op)
{
    rtm_splitmix64 *r = &g->r;
    if (g->phase == PH_START) {
        if (!gen_alloc(g, 16u + (uint32_t)rtm_splitmix64_rnd(r, 49), op)) return false;
        g->live[g->live_count++] = op->id;
        if (g->live_count == C_BUFS) g->phase = PH_MAIN;
        return true;
    }
    if (g->phase == PH_C_FREE) {
        gen_free(g, g->pending_free, op);
        g->step++;
        g->phase = PH_MAIN;
        return true;
    }
    unsigned i = (unsigned)rtm_splitmix64_rnd(r, C_BUFS);
    uint64_t old = g->size_of[g->live[i]];
    uint64_t nw = old + old / 4 + rtm_splitmix64_rnd(r, old + 1);
    if (nw > 8192) nw = 16 + rtm_splitmix64_rnd(r, 49);
    if (!gen_alloc(g, (uint32_t)nw, op)) return false;
    g->pending_free = g->live[i];
    g->live[i] = op->id;
    g->phase = PH_C_FREE;
    return true;
}

bool rtm_wlgen_next(rtm_wlgen *g, rtm_op *op)
{
    if (g == NULL || op == NULL) return false;
    if (g->phase == PH_MAIN && g->step == (g->w == RTM_WL_C ? (size_t)C_STEPS : (size_t)MIXED_N)) {
        g->phase = PH_CLEANUP;
        g->info.cleanup_at = g->emitted;
    }
    bool ok;
    switch (g->phase) {
    case PH_CLEANUP:
        ok = g->cleanup_i < g->live_count;
        if (ok) gen_free(g, g->live[g->cleanup_i++], op);
        break;
    case PH_DONE:
        ok = false;
        break;
    default:
        ok = g->w == RTM_WL_C ? step_growing(g, op) : step_mixed(g, op);
        break;
    }
    if (ok) {
        g->emitted++;
    } else {
        g->phase = PH_DONE;
    }
    return ok;
}
