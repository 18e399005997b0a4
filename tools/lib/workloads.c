/*
 * The reference workloads of ../shared/WORKLOADS.md as op lists, and the worst-case construction.
 * Every random number is drawn in the order the text gives; tests/bench/test_workloads.c checks the
 * totals WORKLOADS.md publishes, which proves it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "workloads.h"

static const char *const k_names[RTM_WL_COUNT_] = {"A", "B", "C", "A64"};

const char *rtm_workload_name(rtm_workload w)
{
    return (unsigned)w < RTM_WL_COUNT_ ? k_names[w] : "?";
}

bool rtm_workload_parse(const char *s, rtm_workload *out)
{
    for (unsigned i = 0; s != NULL && i < RTM_WL_COUNT_; i++) {
        if (strcasecmp(s, k_names[i]) == 0) {
            *out = (rtm_workload)i;
            return true;
        }
    }
    return false;
}

uint64_t rtm_splitmix64_next(rtm_splitmix64 *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t rtm_splitmix64_rnd(rtm_splitmix64 *r, uint64_t n) { return rtm_splitmix64_next(r) % n; }

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "rtmem: out of host memory (%zu bytes)\n", n);
        exit(3);
    }
    return p;
}

/* Object ids: a LIFO of released ids keeps them dense. */
typedef struct {
    uint32_t *free_ids;
    size_t n_free, cap;
    uint32_t next;
} id_pool;

static uint32_t id_get(id_pool *p)
{
    return p->n_free ? p->free_ids[--p->n_free] : p->next++;
}

static void id_put(id_pool *p, uint32_t id)
{
    if (p->n_free == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        uint32_t *n = realloc(p->free_ids, p->cap * sizeof *n);
        if (n == NULL) {
            fprintf(stderr, "rtmem: out of host memory\n");
            exit(3);
        }
        p->free_ids = n;
    }
    p->free_ids[p->n_free++] = id;
}

/* Generator state shared by the workloads: live bytes and objects, the counters of info. */
typedef struct {
    rtm_oplist *out;
    rtm_workload_info info;
    id_pool ids;
    size_t live_bytes, live_objects;
    uint32_t *size_of; /* by id */
    size_t size_cap;
} gen;

static uint32_t gen_alloc(gen *g, uint32_t size, unsigned align_log2)
{
    uint32_t id = id_get(&g->ids);
    if (id >= g->size_cap) {
        size_t cap = g->size_cap ? g->size_cap * 2 : 1024;
        uint32_t *n = realloc(g->size_of, cap * sizeof *n);
        if (n == NULL) {
            fprintf(stderr, "rtmem: out of host memory\n");
            exit(3);
        }
        g->size_of = n;
        g->size_cap = cap;
    }
    g->size_of[id] = size;
    rtm_oplist_push(g->out, align_log2 ? RTM_OP_ALIGNED : RTM_OP_ALLOC, id, size, align_log2);
    g->info.allocs++;
    g->live_bytes += size;
    g->live_objects++;
    if (g->live_bytes > g->info.peak_live) g->info.peak_live = g->live_bytes;
    if (g->live_objects > g->info.peak_objects) g->info.peak_objects = g->live_objects;
    return id;
}

static void gen_free(gen *g, uint32_t id)
{
    rtm_oplist_push(g->out, RTM_OP_FREE, id, 0, 0);
    g->info.frees++;
    g->live_bytes -= g->size_of[id];
    g->live_objects--;
    id_put(&g->ids, id);
}

/* A (and A64) and B: the random mixed loop. */
static void gen_mixed(gen *g, uint64_t seed, bool bimodal, unsigned align_log2)
{
    enum { N = 1000000, L = 1000 };
    rtm_splitmix64 r = {seed};
    uint32_t *live = xmalloc((N + 1) * sizeof *live);
    size_t live_count = 0;
    for (size_t n = 0; n < N; n++) {
        if (rtm_splitmix64_rnd(&r, 2 * L) >= live_count) {
            uint32_t size;
            if (bimodal) {
                size = rtm_splitmix64_rnd(&r, 32) == 0 ? 1024u + (uint32_t)rtm_splitmix64_rnd(&r, 3073)
                                                       : 16u + (uint32_t)rtm_splitmix64_rnd(&r, 17);
            } else {
                uint32_t b = (uint32_t)rtm_splitmix64_rnd(&r, 6);
                size = (8u << b) + (uint32_t)rtm_splitmix64_rnd(&r, 8u << b);
            }
            live[live_count++] = gen_alloc(g, size, align_log2);
        } else {
            size_t i = (size_t)rtm_splitmix64_rnd(&r, live_count);
            gen_free(g, live[i]);
            live[i] = live[--live_count];
        }
    }
    g->info.cleanup_at = g->out->n;
    for (size_t i = 0; i < live_count; i++) gen_free(g, live[i]);
    free(live);
}

/* C: growing buffers, each growth a copying realloc (allocate new, then free old). */
static void gen_growing(gen *g, uint64_t seed)
{
    enum { BUFS = 32, STEPS = 500000 };
    rtm_splitmix64 r = {seed};
    uint32_t sz[BUFS], id[BUFS];
    for (unsigned i = 0; i < BUFS; i++) {
        sz[i] = 16u + (uint32_t)rtm_splitmix64_rnd(&r, 49);
        id[i] = gen_alloc(g, sz[i], 0);
    }
    for (size_t s = 0; s < STEPS; s++) {
        unsigned i = (unsigned)rtm_splitmix64_rnd(&r, BUFS);
        uint64_t old = sz[i];
        uint64_t nw = old + old / 4 + rtm_splitmix64_rnd(&r, old + 1);
        if (nw > 8192) nw = 16 + rtm_splitmix64_rnd(&r, 49);
        uint32_t nid = gen_alloc(g, (uint32_t)nw, 0);
        gen_free(g, id[i]);
        id[i] = nid;
        sz[i] = (uint32_t)nw;
    }
    g->info.cleanup_at = g->out->n;
    for (unsigned i = 0; i < BUFS; i++) gen_free(g, id[i]);
}

bool rtm_workload_generate(rtm_workload w, rtm_oplist *out, rtm_workload_info *info)
{
    if (out == NULL || (unsigned)w >= RTM_WL_COUNT_) return false;
    gen g = {0};
    g.out = out;
    switch (w) {
    case RTM_WL_A: gen_mixed(&g, 1, false, 0); break;
    case RTM_WL_B: gen_mixed(&g, 2, true, 0); break;
    case RTM_WL_C: gen_growing(&g, 3); break;
    case RTM_WL_A64: gen_mixed(&g, 1, false, 6); break;
    default: break;
    }
    snprintf(out->name, sizeof out->name, "%s", k_names[w]);
    if (info) *info = g.info;
    free(g.ids.free_ids);
    free(g.size_of);
    return true;
}

/* ---- worst case ------------------------------------------------------------------------------ */

void rtm_wc_sizes(rtm_wc_variant v, size_t *fragment, size_t *probe)
{
    *fragment = v == RTM_WC_V1 ? 4 : 72;
    *probe = v == RTM_WC_V1 ? 256 : 120;
}

static bool wc_keep(rtm_wc_state *s, size_t *cap, void *p)
{
    if (s->n_live == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        void **n = realloc(s->live, *cap * sizeof *n);
        if (n == NULL) return false;
        s->live = n;
    }
    s->live[s->n_live++] = p;
    return true;
}

bool rtm_wc_build(rtm_heap *h, rtm_wc_variant v, size_t k, rtm_wc_state *s)
{
    *s = (rtm_wc_state){0};
    s->k = k;
    rtm_wc_sizes(v, &s->fragment, &s->probe);
    size_t cap = 0;
    void **frag = malloc((k ? k : 1) * sizeof *frag);
    if (frag == NULL || h == NULL) {
        free(frag);
        return false;
    }
    /* 1. K (fragment, separator) pairs, then `last` and one more separator. */
    for (size_t i = 0; i < k; i++) {
        frag[i] = rtm_heap_alloc(h, s->fragment);
        void *sep = rtm_heap_alloc(h, RTM_WC_SEPARATOR);
        if (frag[i] == NULL || sep == NULL || !wc_keep(s, &cap, sep)) {
            free(frag);
            return false;
        }
    }
    void *last = rtm_heap_alloc(h, s->probe);
    void *sep = rtm_heap_alloc(h, RTM_WC_SEPARATOR);
    if (last == NULL || sep == NULL || !wc_keep(s, &cap, sep)) {
        free(frag);
        return false;
    }
    /* 2. Fill the rest: for sz = 2^26 down to 1, halving, allocate sz until it fails. */
    for (size_t sz = (size_t)1 << 26; sz >= 1; sz /= 2) {
        void *p;
        while ((p = rtm_heap_alloc(h, sz)) != NULL) {
            if (!wc_keep(s, &cap, p)) {
                free(frag);
                return false;
            }
            s->fill_allocs++;
        }
    }
    /* 3. Free the fragments from high to low address, then `last`. */
    for (size_t i = k; i-- > 0;) rtm_heap_free(h, frag[i]);
    rtm_heap_free(h, last);
    free(frag);
    s->ok = true;
    return true;
}

void rtm_wc_release(rtm_wc_state *s)
{
    free(s->live);
    *s = (rtm_wc_state){0};
}
