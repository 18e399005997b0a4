/*
 * Op-list runner: executes an rtm_oplist on an rtmem heap policy or the system allocator, the
 * minimum-arena search of WORKLOADS.md and the demo table. Contracts in runner.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runner.h"
#include "rtm_sanitize.h"

static const char *const k_target_names[RTM_RUN_TARGETS_] = {"good", "best", "first", "malloc"};

const char *rtm_run_target_name(rtm_run_target t)
{
    return (unsigned)t < RTM_RUN_TARGETS_ ? k_target_names[t] : "?";
}

bool rtm_run_target_parse(const char *s, rtm_run_target *out)
{
    if (s == NULL || out == NULL) return false;
    for (unsigned i = 0; i < RTM_RUN_TARGETS_; i++) {
        if (strcasecmp(s, k_target_names[i]) == 0) {
            *out = (rtm_run_target)i;
            return true;
        }
    }
    if (strcasecmp(s, "system") == 0) {
        *out = RTM_RUN_SYSTEM;
        return true;
    }
    return false;
}

void rtm_run_config_init(rtm_run_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->target = RTM_RUN_GOOD;
    cfg->arena = 256u * 1024u;
    cfg->end_at = RTM_RUN_END_AUTO;
}

size_t rtm_run_auto_end(const rtm_oplist *ops)
{
    size_t n = ops->n;
    while (n > 0 && ops->ops[n - 1].kind == RTM_OP_FREE) n--;
    return n;
}

/* The alignment an ALIGNED op asks for, 0 for another op or one a size_t cannot hold (the runner
 * fails such a request on every target). */
static size_t op_align(const rtm_op *op)
{
    if (op->kind != RTM_OP_ALIGNED || op->align_log2 >= sizeof(size_t) * 8 - 1) return 0;
    return (size_t)1 << op->align_log2;
}

size_t rtm_oplist_max_requested_align(const rtm_oplist *ops)
{
    size_t align = RTM_ALIGN;
    for (size_t i = 0; ops != NULL && i < ops->n; i++)
        if (op_align(&ops->ops[i]) > align) align = op_align(&ops->ops[i]);
    return align;
}

size_t rtm_oplist_max_align(const rtm_oplist *ops)
{
    size_t align = rtm_oplist_max_requested_align(ops);
    bool aligned = false, realloc = false;
    for (size_t i = 0; ops != NULL && i < ops->n; i++) {
        aligned |= ops->ops[i].kind == RTM_OP_ALIGNED;
        realloc |= ops->ops[i].kind == RTM_OP_REALLOC;
    }
    /* A moving realloc of an aligned block asks for the alignment of its address, up to
     * RTM_HEAP_REALLOC_ALIGN_MAX (heap.h), whatever was asked: with both kinds of op the arena's
     * start is fixed modulo that too, or the results change with where the host put the buffer
     * (review finding: one list, four minimum arenas from 1,784 to 4,096 B). */
    if (aligned && realloc && align < RTM_HEAP_REALLOC_ALIGN_MAX) align = RTM_HEAP_REALLOC_ALIGN_MAX;
    return align;
}

size_t rtm_run_placement(size_t want, size_t arena)
{
    if (want < RTM_ALIGN) want = RTM_ALIGN;
    /* An alignment of at least the arena size is never served (rtm_heap_aligned_alloc needs a free
     * block of more than align bytes), so the placement modulo it cannot matter: cap there, which
     * keeps the host allocation below twice the arena. Not below RTM_HEAP_REALLOC_ALIGN_MAX: a
     * moving realloc asks for the alignment of a block's address up to that, in an arena of any
     * size (rtm_oplist_max_align). */
    while (want > RTM_ALIGN && want > arena && want > RTM_HEAP_REALLOC_ALIGN_MAX) want >>= 1;
    return want;
}

/* Walks @p ops as rtm_run treats them (a live id's ALLOC / ALIGNED is skipped, 0 bytes make no
 * object, a REALLOC of 0 bytes frees) and gives the peak of live requested bytes and the largest
 * alignment above RTM_ALIGN an ALIGNED op that makes an object asks for (0 if none). False when
 * the host has no memory for the walk. */
static bool walk_live(const rtm_oplist *ops, uint64_t *peak_out, size_t *align_out)
{
    uint32_t *size = calloc(ops->max_id ? ops->max_id : 1, sizeof *size);
    uint8_t *live = calloc(ops->max_id ? ops->max_id : 1, 1);
    uint64_t cur = 0, peak = 0;
    size_t align = 0;
    if (size == NULL || live == NULL) {
        free(size);
        free(live);
        return false;
    }
    for (size_t i = 0; i < ops->n; i++) {
        const rtm_op *op = &ops->ops[i];
        if (op->id >= ops->max_id) continue;
        switch (op->kind) {
        case RTM_OP_ALLOC:
        case RTM_OP_ALIGNED:
            if (live[op->id] || op->size == 0) break; /* as rtm_run: a live id is skipped, 0 B is no object */
            live[op->id] = 1;
            size[op->id] = op->size;
            cur += op->size;
            if (op_align(op) > align) align = op_align(op);
            break;
        case RTM_OP_REALLOC:
            if (live[op->id]) cur -= size[op->id];
            live[op->id] = op->size != 0;
            size[op->id] = op->size;
            cur += op->size;
            break;
        case RTM_OP_FREE:
            if (!live[op->id]) break;
            live[op->id] = 0;
            cur -= size[op->id];
            break;
        default: break;
        }
        if (cur > peak) peak = cur;
    }
    free(size);
    free(live);
    *peak_out = peak;
    *align_out = align > RTM_ALIGN ? align : 0;
    return true;
}

uint64_t rtm_oplist_peak_live(const rtm_oplist *ops)
{
    uint64_t peak;
    size_t align;
    if (ops == NULL || ops->n == 0 || !walk_live(ops, &peak, &align)) return 0;
    return peak;
}

/* The largest alignment above RTM_ALIGN a request the replay makes asks of the heap (walk_live);
 * 0 if there is none, or no memory to tell. */
static size_t served_align(const rtm_oplist *ops)
{
    uint64_t peak;
    size_t align;
    return walk_live(ops, &peak, &align) ? align : 0;
}

bool rtm_run_peak_fits(uint64_t peak, char *why, size_t n)
{
    if (peak <= SIZE_MAX / 2) return true;
    snprintf(why, n, "peak live %" PRIu64 " B is too large for this build's layout (%u-bit: an arena holds at most %zu B)%s",
             peak, (unsigned)sizeof(size_t) * 8u, (size_t)(SIZE_MAX / 2),
             sizeof(size_t) < 8 ? "; replay it with a 64-bit build of rtmem (no -DRTM_M32)" : "");
    return false;
}

/* ---- verification pattern: first bytes and last byte of a block, derived from its id --------- */

static unsigned char pat(uint32_t id, size_t i) { return (unsigned char)(id * 131u + i * 7u + 1u); }

static void pat_write(unsigned char *p, uint32_t id, size_t size)
{
    for (size_t i = 0; i < size && i < 8; i++) p[i] = pat(id, i);
    if (size > 8) p[size - 1] = pat(id, size - 1);
}

/* Checks the pattern of the first @p keep bytes (a realloc keeps min(old, new)) or all of it. */
static bool pat_ok(const unsigned char *p, uint32_t id, size_t size, size_t keep)
{
    for (size_t i = 0; i < size && i < 8 && i < keep; i++)
        if (p[i] != pat(id, i)) return false;
    if (size > 8 && size - 1 < keep && p[size - 1] != pat(id, size - 1)) return false;
    return true;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the run ---------------------------------------------------------------------------------- */

typedef struct {
    const rtm_run_config *cfg;
    rtm_run_result *res;
    rtm_heap *heap;
    void **ptr;      /* by id; NULL: not live */
    uint32_t *size;  /* by id */
    uint64_t live_bytes; /* in 64 bits as rtm_oplist_peak_live, though here only blocks that exist count */
    size_t live_objects;
} run_state;

static void *sys_aligned(size_t align, size_t size)
{
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

static void take_sample(run_state *s, size_t done)
{
    rtm_run_sample smp;
    smp.op = done;
    smp.live_bytes = s->live_bytes;
    smp.live_objects = s->live_objects;
    rtm_heap_get_stats(s->heap, &smp.stats);
    s->cfg->sample(&smp, s->cfg->sample_ctx);
}

static void failed(run_state *s, size_t i)
{
    s->res->failures++;
    if (s->res->first_fail_op == SIZE_MAX) s->res->first_fail_op = i;
}

static void run_free(run_state *s, bool sys, uint32_t id)
{
    if (s->cfg->verify && !pat_ok(s->ptr[id], id, s->size[id], SIZE_MAX)) s->res->verify_errors++;
    if (sys) free(s->ptr[id]);
    else rtm_heap_free(s->heap, s->ptr[id]);
    s->ptr[id] = NULL;
    s->live_bytes -= s->size[id];
    s->live_objects--;
    s->res->frees++;
}

/* Executes op @p i; returns false if it was a failed request. */
static bool run_op(run_state *s, bool sys, size_t i, const rtm_op *op, uint32_t max_id)
{
    uint32_t id = op->id;
    void *p;
    if (id >= max_id) {
        s->res->bad_ops++;
        return true;
    }
    switch (op->kind) {
    case RTM_OP_ALLOC:
    case RTM_OP_ALIGNED:
        if (s->ptr[id] != NULL) {
            s->res->bad_ops++;
            return true;
        }
        s->res->allocs++;
        if (op->kind == RTM_OP_ALLOC) p = sys ? malloc(op->size) : rtm_heap_alloc(s->heap, op->size);
        else if (op->align_log2 >= sizeof(size_t) * 8) p = NULL;
        else {
            size_t a = (size_t)1 << op->align_log2;
            p = sys ? sys_aligned(a, op->size) : rtm_heap_aligned_alloc(s->heap, a, op->size);
        }
        if (op->size == 0) { /* a request, but no object on any target (runner.h), nor a failure */
            if (p != NULL && sys) free(p);          /* malloc(0) may return a unique pointer */
            else if (p != NULL) rtm_heap_free(s->heap, p); /* alloc(0) is NULL by the heap's contract */
            return true;
        }
        if (p == NULL) {
            failed(s, i);
            return false;
        }
        break;
    case RTM_OP_REALLOC:
        if (s->ptr[id] == NULL) {
            if (op->size == 0) return true;
            s->res->allocs++;
            p = sys ? malloc(op->size) : rtm_heap_alloc(s->heap, op->size);
            if (p == NULL) {
                failed(s, i);
                return false;
            }
            break;
        }
        if (op->size == 0) {
            run_free(s, sys, id);
            return true;
        }
        if (s->cfg->verify && !pat_ok(s->ptr[id], id, s->size[id], SIZE_MAX)) s->res->verify_errors++;
        p = sys ? realloc(s->ptr[id], op->size) : rtm_heap_realloc(s->heap, s->ptr[id], op->size);
        if (p == NULL) {
            failed(s, i);
            return false;
        }
        if (p != s->ptr[id]) s->res->allocs++;
        if (s->cfg->verify) {
            size_t keep = s->size[id] < op->size ? s->size[id] : op->size;
            if (!pat_ok(p, id, s->size[id], keep)) s->res->verify_errors++;
        }
        s->live_bytes -= s->size[id];
        s->live_objects--;
        break;
    case RTM_OP_FREE:
        if (s->ptr[id] == NULL) s->res->skipped_frees++;
        else run_free(s, sys, id);
        return true;
    default:
        s->res->bad_ops++;
        return true;
    }
    s->ptr[id] = p;
    s->size[id] = op->size;
    s->live_bytes += op->size;
    s->live_objects++;
    if (s->live_bytes > s->res->peak_live) s->res->peak_live = s->live_bytes;
    if (s->cfg->verify) pat_write(p, id, op->size);
    return true;
}

rtm_err rtm_run(const rtm_oplist *ops, const rtm_run_config *cfg, rtm_run_result *out)
{
    if (out == NULL) return RTM_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->first_fail_op = SIZE_MAX;
    if (ops == NULL || cfg == NULL || (unsigned)cfg->target >= RTM_RUN_TARGETS_) return RTM_ERR_ARG;
    if (ops->n > 0 && ops->ops == NULL) return RTM_ERR_ARG;
    bool sys = cfg->target == RTM_RUN_SYSTEM;
    out->target = cfg->target;
    out->arena = sys ? 0 : cfg->arena;

    run_state s = {0};
    s.cfg = cfg;
    s.res = out;
    size_t ids = ops->max_id ? ops->max_id : 1;
    s.ptr = calloc(ids, sizeof *s.ptr);
    s.size = calloc(ids, sizeof *s.size);
    /* The arena's placement is fixed (runner.h): its start is a multiple of out->arena_align, so
     * that aligned requests see the same layout, and the same minimum arena, on every run. */
    void *arena = NULL;
    if (!sys) {
        if (cfg->arena_align != 0 && (cfg->arena_align & (cfg->arena_align - 1)) != 0) {
            free(s.ptr);
            free(s.size);
            return RTM_ERR_ARG;
        }
        out->arena_align =
            rtm_run_placement(cfg->arena_align ? cfg->arena_align : rtm_oplist_max_align(ops), cfg->arena);
        if (posix_memalign(&arena, out->arena_align < sizeof(void *) ? sizeof(void *) : out->arena_align,
                           cfg->arena ? cfg->arena : 1) != 0)
            arena = NULL;
    }
    if (s.ptr == NULL || s.size == NULL || (!sys && arena == NULL)) {
        free(s.ptr);
        free(s.size);
        free(arena);
        return RTM_ERR_NOMEM;
    }
    if (!sys) {
        s.heap = rtm_heap_init(arena, cfg->arena, (rtm_fit)cfg->target);
        if (s.heap == NULL) {
            free(s.ptr);
            free(s.size);
            free(arena);
            return RTM_ERR_TOO_SMALL;
        }
        rtm_heap_stats st;
        rtm_heap_get_stats(s.heap, &st);
        out->capacity = st.capacity;
    }

    size_t end_at = cfg->end_at == RTM_RUN_END_AUTO ? rtm_run_auto_end(ops) : cfg->end_at;
    if (end_at > ops->n) end_at = ops->n;
    bool sampling = !sys && cfg->sample != NULL && cfg->sample_every > 0;
    bool end_taken = false;
    double t0 = cfg->timing ? now_ns() : 0.0;
    size_t i = 0;
    for (; i < ops->n; i++) {
        if (i == end_at && !sys) {
            rtm_heap_get_stats(s.heap, &out->end);
            out->end_op = i;
            end_taken = true;
        }
        if (!run_op(&s, sys, i, &ops->ops[i], ops->max_id) && cfg->stop_on_fail) {
            i++;
            break;
        }
        if (sampling && (i + 1) % cfg->sample_every == 0) take_sample(&s, i + 1);
    }
    out->ops = i;
    if (cfg->timing && i > 0) out->ns_per_op = (now_ns() - t0) / (double)i;
    if (sampling && i % cfg->sample_every != 0) take_sample(&s, i);

    if (!sys) {
        rtm_heap_stats st;
        rtm_heap_get_stats(s.heap, &st);
        if (!end_taken) {
            out->end = st;
            out->end_op = i;
        }
        out->peak_used = st.peak_used;
        out->heap_bad_frees = st.bad_frees;
    } else {
        out->end_op = end_at < i ? end_at : i;
    }
    /* Objects the list left live: free them so the system allocator does not leak (the heap
     * buffer is simply dropped). */
    for (size_t id = 0; sys && id < ids; id++)
        if (s.ptr[id] != NULL) free(s.ptr[id]); /* not free(NULL): `make bench` counts every free
                                                    called from this file (1,102 of them on A, one
                                                    per id, lowered the malloc column's free) */
    /* A heap has no destroy call: the buffer is simply dropped. Tell Valgrind (RTM_VALGRIND builds)
     * that the heap's pool and its live blocks are gone, so that the next heap, which malloc may
     * place at the same address, starts from a clean slate instead of inheriting stale chunks. */
    if (s.heap != NULL) rtm_san_pool_destroy(s.heap);
    free(s.ptr);
    free(s.size);
    free(arena);
    return RTM_OK;
}

/* ---- minimum arena ---------------------------------------------------------------------------- */

typedef struct {
    const rtm_oplist *ops;
    rtm_run_config cfg;
} trial;

static int heap_trial(void *ctx, size_t arena)
{
    trial *t = ctx;
    rtm_run_result r;
    t->cfg.arena = arena;
    rtm_err e = rtm_run(t->ops, &t->cfg, &r);
    if (e == RTM_ERR_NOMEM) return -1;
    return e == RTM_OK && r.failures == 0;
}

static size_t up8(size_t x) { return (x + 7u) & ~(size_t)7u; }

/* The robust scan's sizes, as WORKLOADS.md defines them: 1.15 x the bisection result minus k steps
 * of peak/400, exactly (not a grid of rounded values: rounding the start up and the step up to 8
 * bytes drifted up to 8 bytes a step, and moved published ratios by up to 0.02, review finding
 * 2026-11-29), each size rounded down to 8 bytes (arena sizes go in 8-byte steps). k < 0 is above
 * the start. `bytes` 0 is that exact step; otherwise the step is `bytes` (a multiple of 8) from the
 * start rounded down to 8: 8 where peak/400 is below 8 bytes, wider where the scan would take more
 * than RTM_RUN_ROBUST_MAX_STEPS steps (runner.h). Exact in 64 bits: 460 x hi stays below 2^50 for
 * any arena the search tries (rtmem replay --limit is at most 2^40). */
typedef struct {
    uint64_t hi, peak, bytes;
} robust_grid;

static uint64_t grid_size(const robust_grid *g, int64_t k)
{
    int64_t top = (int64_t)(460u * g->hi); /* 1.15 x hi, over 400 */
    if (g->bytes == 0) {
        int64_t num = top - k * (int64_t)g->peak;
        return num <= 0 ? 0 : ((uint64_t)num / 400u) & ~(uint64_t)7u;
    }
    int64_t start = (int64_t)(((uint64_t)top / 400u) & ~(uint64_t)7u);
    int64_t sz = start - k * (int64_t)g->bytes;
    return sz <= 0 ? 0 : (uint64_t)sz;
}

static size_t grid_capped(const robust_grid *g, int64_t k, size_t limit)
{
    uint64_t sz = grid_size(g, k);
    return sz > limit ? limit : (size_t)sz;
}

/* Is @p limit above RTM_RUN_LIMIT_MAX? A function, so that a 32-bit size_t, which never is, does not
 * make the comparison "always false" (-Wtype-limits, -Werror). */
static bool above_limit_max(uint64_t limit) { return limit > RTM_RUN_LIMIT_MAX; }

/* One trial, counted; a host failure is remembered in *oom. */
static bool passes(rtm_arena_trial fn, void *ctx, size_t arena, rtm_min_arena *out, bool *oom)
{
    out->runs++;
    int r = fn(ctx, arena);
    if (r < 0) *oom = true;
    return r > 0;
}

/* The search, where every arena of at most @p fails_upto bytes is known to fail (0: nothing known). */
static rtm_err search(const rtm_oplist *ops, rtm_arena_trial fn, void *ctx, size_t limit, size_t fails_upto,
                      rtm_min_arena *out)
{
    if (out == NULL) return RTM_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (ops == NULL || ops->n == 0 || fn == NULL || limit == 0) return RTM_ERR_ARG;
    uint64_t peak64 = rtm_oplist_peak_live(ops);
    if (peak64 == 0) return RTM_ERR_ARG;
    out->peak_live = peak64;
    /* the search doubles from 2 x peak: that must not wrap a 32-bit size_t */
    if (peak64 > SIZE_MAX / 4) return RTM_ERR_SIZE;
    size_t peak = (size_t)peak64;
    /* A hard cap: no trial above the limit (a trial is a host allocation of that size), so
     * RTM_ERR_SIZE means exactly "nothing up to the limit passes", which is what callers print. */
    if (above_limit_max(limit)) limit = (size_t)RTM_RUN_LIMIT_MAX;
    limit &= ~(size_t)7u; /* trials are multiples of 8 */
    if (fails_upto >= limit) return RTM_ERR_SIZE;
    bool oom = false;

    /* lo always fails (peak bytes leave no room for headers); hi doubles up to the limit */
    size_t lo = peak & ~(size_t)7u, hi = up8(peak * 2);
    if (hi > limit) hi = limit;
    if (hi <= lo) return RTM_ERR_SIZE;
    while (!passes(fn, ctx, hi, out, &oom)) {
        if (oom) return RTM_ERR_NOMEM;
        if (hi >= limit) return RTM_ERR_SIZE;
        lo = hi;
        hi = hi > limit / 2 ? limit : hi * 2;
    }
    while (hi - lo > 8) {
        size_t mid = lo + (hi - lo) / 16 * 8;
        if (passes(fn, ctx, mid, out, &oom)) hi = mid;
        else lo = mid;
    }
    out->bisect = hi;

    robust_grid g = {(uint64_t)hi, (uint64_t)peak, peak / 400u >= 8u ? 0u : 8u};
    uint64_t nominal = g.bytes ? g.bytes : g.peak / 400u;
    if ((grid_size(&g, 0) - g.peak) / nominal > RTM_RUN_ROBUST_MAX_STEPS)
        g.bytes = up8((size_t)((grid_size(&g, 0) - g.peak) / RTM_RUN_ROBUST_MAX_STEPS));
    out->robust_step = g.bytes ? (size_t)g.bytes : (size_t)nominal;
    /* Sizes above the limit are the limit (hi <= limit passed: the scan starts at the limit at
     * most); k starts at the last of them, the grid's own points follow below. */
    int64_t k = 0;
    while (grid_size(&g, k + 1) >= limit) k++;
    while (!passes(fn, ctx, grid_capped(&g, k, limit), out, &oom)) {
        if (oom) return RTM_ERR_NOMEM;
        if (grid_capped(&g, k, limit) >= limit) return RTM_ERR_SIZE;
        k--;
    }
    while (grid_size(&g, k + 1) > g.peak && passes(fn, ctx, grid_capped(&g, k + 1, limit), out, &oom)) k++;
    if (oom) return RTM_ERR_NOMEM;
    out->robust = grid_capped(&g, k, limit);
    out->bisect_ratio = (double)out->bisect / (double)peak;
    out->robust_ratio = (double)out->robust / (double)peak;
    return RTM_OK;
}

rtm_err rtm_min_arena_search_upto(const rtm_oplist *ops, rtm_arena_trial fn, void *ctx, size_t limit,
                                  rtm_min_arena *out)
{
    return search(ops, fn, ctx, limit, 0, out);
}

rtm_err rtm_min_arena_search(const rtm_oplist *ops, rtm_arena_trial fn, void *ctx, rtm_min_arena *out)
{
    return rtm_min_arena_search_upto(ops, fn, ctx, RTM_RUN_MIN_ARENA_LIMIT, out);
}

rtm_err rtm_run_min_arena(const rtm_oplist *ops, rtm_run_target tg, rtm_min_arena *out)
{
    return rtm_run_min_arena_upto(ops, tg, RTM_RUN_MIN_ARENA_LIMIT, out);
}

rtm_err rtm_run_min_arena_upto(const rtm_oplist *ops, rtm_run_target tg, size_t limit, rtm_min_arena *out)
{
    if (out == NULL) return RTM_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (ops == NULL || ops->n == 0 || (unsigned)tg >= RTM_RUN_SYSTEM) return RTM_ERR_ARG;
    trial t = {ops, {0}};
    rtm_run_config_init(&t.cfg);
    t.cfg.target = tg;
    t.cfg.stop_on_fail = true;
    /* one placement for every trial (capped per trial by rtm_run_placement) */
    t.cfg.arena_align = rtm_oplist_max_align(ops);
    /* rtm_heap_aligned_alloc takes a free block of more than the alignment (the block, the alignment
     * less RTM_ALIGN, and room for a free block in front), so no arena of that many bytes serves a
     * request aligned beyond RTM_ALIGN. Only the answer "none up to the limit" comes from this: the
     * doubling ended there with a trial of the limit, placed at a multiple of its largest power of
     * two, which takes seconds under ASan (cli_replay_no_arena: 10.7 s for a 2^31 alignment). */
    rtm_err e = search(ops, heap_trial, &t, limit, served_align(ops), out);
    out->arena_align = t.cfg.arena_align;
    return e;
}

bool rtm_parse_size(const char *s, size_t *out)
{
    if (s == NULL || out == NULL || *s < '0' || *s > '9') return false;
    size_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (SIZE_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    size_t mul = 1;
    if (!strcmp(s, "k") || !strcmp(s, "K") || !strcmp(s, "KiB")) mul = 1024;
    else if (!strcmp(s, "m") || !strcmp(s, "M") || !strcmp(s, "MiB")) mul = 1024 * 1024;
    else if (!strcmp(s, "g") || !strcmp(s, "G") || !strcmp(s, "GiB")) mul = (size_t)1024 * 1024 * 1024;
    else if (*s != '\0') return false;
    if (v == 0 || v > SIZE_MAX / mul) return false;
    *out = v * mul;
    return true;
}

/* ---- table ------------------------------------------------------------------------------------ */

void rtm_run_print_header(FILE *out, size_t arena)
{
    if (arena) fprintf(out, "arena %zu bytes (%zu KiB) per heap policy\n", arena, arena / 1024);
    fprintf(out, "end state = after the last op before the clean-up frees (the workload's steady state);\n"
                 "ext frag = 1 - largest free block / free bytes at the end state; allocations, failures\n"
                 "and ns/op cover the whole op list, clean-up included\n");
    fprintf(out, "%-10s %-7s %12s %9s %11s %11s %9s %8s\n", "workload", "policy", "allocations", "failures",
            "peak used", "end free", "ext frag", "ns/op");
    fprintf(out, "%-10s %-7s %12s %9s %11s %11s %9s %8s\n", "", "", "", "", "(bytes)", "blocks", "(%)", "");
}

void rtm_run_print_row(FILE *out, const char *workload, const rtm_run_result *r)
{
    char peak[32], blocks[32], frag[32], ns[32];
    if (r->target == RTM_RUN_SYSTEM) {
        snprintf(peak, sizeof peak, "-");
        snprintf(blocks, sizeof blocks, "-");
        snprintf(frag, sizeof frag, "-");
    } else {
        snprintf(peak, sizeof peak, "%zu", r->peak_used);
        snprintf(blocks, sizeof blocks, "%zu", r->end.free_blocks);
        snprintf(frag, sizeof frag, "%u.%u", r->end.frag_permille / 10, r->end.frag_permille % 10);
    }
    if (r->ns_per_op > 0) snprintf(ns, sizeof ns, "%.1f", r->ns_per_op);
    else snprintf(ns, sizeof ns, "-");
    fprintf(out, "%-10.10s %-7s %12zu %9zu %11s %11s %9s %8s\n", workload ? workload : "?",
            rtm_run_target_name(r->target), r->allocs, r->failures, peak, blocks, frag, ns);
}
