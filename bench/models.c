/*
 * models.c - placement models (models.h): first and best fit on offsets, for minimum arenas.
 */
#include "models.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const rtm_model_params k_models[RTM_MODEL_COUNT_] = {
    /* FreeRTOS heap_4/5, 32-bit: xHeapStructSize 8, heapMINIMUM_BLOCK_SIZE 16 (split iff the rest
     * is > 16, i.e. >= 24 in 8-byte steps), the end block's 8 bytes at the top. */
    [RTM_MODEL_HEAP4] = {"heap4", 8, 8, 16, 24, 8, false},
    /* rtm's 32-bit layout: headers at 4 mod 8, so the first block starts 4 bytes in, and the
     * sentinel's head takes the last 4. */
    [RTM_MODEL_FIRST32] = {"first32", 4, 8, 16, 16, 8, false},
    [RTM_MODEL_BEST32] = {"best32", 4, 8, 16, 16, 8, true},
};

const rtm_model_params *rtm_model_get(rtm_model m) { return (unsigned)m < RTM_MODEL_COUNT_ ? &k_models[m] : NULL; }

bool rtm_model_parse(const char *s, rtm_model *out)
{
    for (unsigned i = 0; s != NULL && i < RTM_MODEL_COUNT_; i++) {
        if (strcasecmp(s, k_models[i].name) == 0) {
            *out = (rtm_model)i;
            return true;
        }
    }
    return false;
}

uint64_t rtm_model_block(const rtm_model_params *p, uint64_t n)
{
    uint64_t b = (n + p->header + p->granule - 1u) / p->granule * p->granule;
    return b < p->min_block ? p->min_block : b;
}

uint64_t rtm_model_floor(const rtm_model_params *p, const rtm_oplist *ops)
{
    if (p == NULL || ops == NULL) return 0;
    uint64_t *size = calloc((size_t)ops->max_id + 1u, sizeof *size); /* by id: live block, or 0 */
    if (size == NULL) return 0;
    uint64_t live = 0, peak = 0;
    for (size_t i = 0; i < ops->n; i++) {
        const rtm_op *o = &ops->ops[i];
        if (o->id >= ops->max_id) continue;
        if (o->kind == RTM_OP_FREE) {
            live -= size[o->id];
            size[o->id] = 0;
        } else if (size[o->id] == 0 && o->size != 0) {
            size[o->id] = rtm_model_block(p, o->size);
            live += size[o->id];
            if (live > peak) peak = live;
        }
    }
    free(size);
    return peak + p->overhead;
}

struct rtm_model_run {
    const rtm_model_params *p;
    const rtm_oplist *ops;
    uint64_t *free_off, *free_size; /* free blocks in address order, free_n of them */
    size_t free_n;
    int64_t *at;                    /* by id: offset of the live block, or -1 */
    uint64_t *size;                 /* by id: its block size */
};

void rtm_model_close(rtm_model_run *r)
{
    if (r == NULL) return;
    free(r->free_off);
    free(r->free_size);
    free(r->at);
    free(r->size);
    free(r);
}

rtm_model_run *rtm_model_open(const rtm_model_params *p, const rtm_oplist *ops, rtm_err *err)
{
    rtm_err e = RTM_OK;
    if (p == NULL || ops == NULL) e = RTM_ERR_ARG;
    for (size_t i = 0; e == RTM_OK && i < ops->n; i++)
        if (ops->ops[i].kind != RTM_OP_ALLOC && ops->ops[i].kind != RTM_OP_FREE) e = RTM_ERR_ARG;
    rtm_model_run *r = NULL;
    if (e == RTM_OK) {
        /* At most one free block more than live blocks, and at most max_id live blocks. */
        size_t ids = (size_t)ops->max_id + 1u;
        r = calloc(1, sizeof *r);
        if (r != NULL) {
            r->free_off = malloc(ids * sizeof *r->free_off);
            r->free_size = malloc(ids * sizeof *r->free_size);
            r->at = malloc(ids * sizeof *r->at);
            r->size = malloc(ids * sizeof *r->size);
        }
        if (r == NULL || !r->free_off || !r->free_size || !r->at || !r->size) {
            rtm_model_close(r);
            r = NULL;
            e = RTM_ERR_NOMEM;
        } else {
            r->p = p;
            r->ops = ops;
            for (size_t i = 0; i < ids; i++) r->at[i] = -1;
        }
    }
    if (err != NULL) *err = e;
    return r;
}

/* The index of the block the policy takes for bs bytes, or free_n if none fits. */
static size_t choose(const rtm_model_run *r, uint64_t bs)
{
    size_t pick = r->free_n;
    for (size_t k = 0; k < r->free_n; k++) {
        if (r->free_size[k] < bs) continue;
        if (!r->p->best) return k;
        /* strictly smaller: the lowest address wins among equal sizes */
        if (pick == r->free_n || r->free_size[k] < r->free_size[pick]) pick = k;
    }
    return pick;
}

static void remove_at(rtm_model_run *r, size_t k)
{
    memmove(&r->free_off[k], &r->free_off[k + 1], (r->free_n - k - 1u) * sizeof *r->free_off);
    memmove(&r->free_size[k], &r->free_size[k + 1], (r->free_n - k - 1u) * sizeof *r->free_size);
    r->free_n--;
}

static void insert_at(rtm_model_run *r, size_t k, uint64_t off, uint64_t size)
{
    memmove(&r->free_off[k + 1], &r->free_off[k], (r->free_n - k) * sizeof *r->free_off);
    memmove(&r->free_size[k + 1], &r->free_size[k], (r->free_n - k) * sizeof *r->free_size);
    r->free_off[k] = off;
    r->free_size[k] = size;
    r->free_n++;
}

/* Frees [off, off + size): merges with the free neighbours in address order. */
static void release(rtm_model_run *r, uint64_t off, uint64_t size)
{
    size_t lo = 0, hi = r->free_n; /* first free block above off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2u;
        if (r->free_off[mid] < off) lo = mid + 1u;
        else hi = mid;
    }
    bool left = lo > 0 && r->free_off[lo - 1u] + r->free_size[lo - 1u] == off;
    bool right = lo < r->free_n && off + size == r->free_off[lo];
    if (left && right) {
        r->free_size[lo - 1u] += size + r->free_size[lo];
        remove_at(r, lo);
    } else if (left) {
        r->free_size[lo - 1u] += size;
    } else if (right) {
        r->free_off[lo] = off;
        r->free_size[lo] += size;
    } else {
        insert_at(r, lo, off, size);
    }
}

bool rtm_model_try(rtm_model_run *r, size_t arena, size_t *fail_at)
{
    const rtm_model_params *p = r->p;
    for (size_t i = 0; i <= (size_t)r->ops->max_id; i++) r->at[i] = -1;
    uint64_t usable = (uint64_t)arena / p->granule * p->granule;
    r->free_n = 0;
    if (usable >= (uint64_t)p->overhead + p->min_block) {
        r->free_off[0] = 0;
        r->free_size[0] = usable - p->overhead;
        r->free_n = 1;
    }
    for (size_t i = 0; i < r->ops->n; i++) {
        const rtm_op *o = &r->ops->ops[i];
        if (o->id >= r->ops->max_id) continue; /* as runner.h: counted there, skipped */
        if (o->kind == RTM_OP_FREE) {
            if (r->at[o->id] < 0) continue;
            release(r, (uint64_t)r->at[o->id], r->size[o->id]);
            r->at[o->id] = -1;
            continue;
        }
        if (r->at[o->id] >= 0 || o->size == 0) continue;
        uint64_t bs = rtm_model_block(p, o->size);
        size_t k = choose(r, bs);
        if (k == r->free_n) {
            if (fail_at != NULL) *fail_at = i;
            return false;
        }
        r->at[o->id] = (int64_t)r->free_off[k];
        if (r->free_size[k] - bs >= p->split_min) {
            r->free_off[k] += bs;
            r->free_size[k] -= bs;
        } else {
            bs = r->free_size[k];
            remove_at(r, k);
        }
        r->size[o->id] = bs;
    }
    return true;
}

int64_t rtm_model_offset(const rtm_model_run *r, uint32_t id)
{
    return r != NULL && id < r->ops->max_id ? r->at[id] : -1;
}

static int model_trial(void *ctx, size_t arena) { return rtm_model_try(ctx, arena, NULL) ? 1 : 0; }

rtm_err rtm_model_min_arena(rtm_model m, const rtm_oplist *ops, rtm_min_arena *out)
{
    if (out != NULL) memset(out, 0, sizeof *out);
    rtm_err e;
    rtm_model_run *r = rtm_model_open(rtm_model_get(m), ops, &e);
    if (r == NULL) return e;
    e = rtm_min_arena_search(ops, model_trial, r, out);
    rtm_model_close(r);
    return e;
}
