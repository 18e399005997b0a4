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

uint64_t rtm_workload_seed(rtm_workload w)
{
    static const uint64_t seeds[RTM_WL_COUNT_] = {1, 2, 3, 1};
    return (unsigned)w < RTM_WL_COUNT_ ? seeds[w] : 0;
}

bool rtm_wlgen_init(rtm_wlgen *g, rtm_workload w) { return rtm_wlgen_init_seed(g, w, rtm_workload_seed(w)); }

bool rtm_wlgen_init_seed(rtm_wlgen *g, rtm_workload w, uint64_t seed)
{
    if (g == NULL || (unsigned)w >= RTM_WL_COUNT_) return false;
    g->w = w;
    g->r.state = seed;
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

/* ---- constructions run on a heap ------------------------------------------------------------- */

void rtm_wc_sizes(rtm_wc_variant v, size_t *fragment, size_t *probe)
{
    *fragment = v == RTM_WC_V1 ? 4 : 72;
    *probe = v == RTM_WC_V1 ? 256 : 120;
}

/* "Fill the rest: for sz = 2^top down to 1, halving, allocate sz until it fails." Returns the
 * number of blocks allocated. */
static size_t fill_heap(rtm_heap *h, unsigned top)
{
    size_t n = 0;
    for (size_t sz = (size_t)1 << top; sz >= 1; sz /= 2)
        while (rtm_heap_alloc(h, sz) != NULL) n++;
    return n;
}

bool rtm_wc_construct(rtm_heap *h, rtm_wc_variant v, size_t k, void **frag, size_t *fill_allocs)
{
    size_t fragment, probe;
    rtm_wc_sizes(v, &fragment, &probe);
    if (h == NULL || (frag == NULL && k > 0)) return false;
    /* 1. K (fragment, separator) pairs, then `last` and one more separator. */
    for (size_t i = 0; i < k; i++) {
        frag[i] = rtm_heap_alloc(h, fragment);
        if (frag[i] == NULL || rtm_heap_alloc(h, RTM_WC_SEPARATOR) == NULL) return false;
    }
    void *last = rtm_heap_alloc(h, probe);
    if (last == NULL || rtm_heap_alloc(h, RTM_WC_SEPARATOR) == NULL) return false;
    /* 2. Fill the rest. */
    size_t n = fill_heap(h, 26);
    if (fill_allocs != NULL) *fill_allocs = n;
    /* 3. Free the fragments from high to low address, then `last`. */
    for (size_t i = k; i-- > 0;) rtm_heap_free(h, frag[i]);
    rtm_heap_free(h, last);
    return true;
}

static const size_t k_path_small[RTM_PATH_BLOCKS] = {24000, 12000, 6000, 3000, 1500, 700, 300, 100};
static const size_t k_path_large[RTM_PATH_BLOCKS] = {150000, 72000, 36000, 18000, 9000, 4400, 2200, 1100};

bool rtm_path_construct(rtm_heap *h, rtm_path_kind kind, rtm_path *out)
{
    out->sizes = kind == RTM_PATH_SMALL ? k_path_small : k_path_large;
    out->request = kind == RTM_PATH_SMALL ? 16 : 520;
    if (h == NULL) return false;
    for (size_t i = 0; i < RTM_PATH_BLOCKS; i++) { /* largest first: the smallest ends highest */
        out->blocks[i] = rtm_heap_alloc(h, out->sizes[i]);
        if (out->blocks[i] == NULL || rtm_heap_alloc(h, 8) == NULL) return false;
    }
    (void)fill_heap(h, 20); /* the rest, as the worst case's fill does */
    for (size_t i = 0; i < RTM_PATH_BLOCKS; i++) rtm_heap_free(h, out->blocks[i]);
    return true;
}

unsigned rtm_path_classes_visited(const rtm_path *path, const void *p)
{
    const char *c = p;
    for (size_t i = 0; i < RTM_PATH_BLOCKS; i++) {
        const char *b = path->blocks[i];
        if (c != NULL && c >= b && c < b + path->sizes[i]) return (unsigned)(RTM_PATH_BLOCKS - i);
    }
    return 0;
}
