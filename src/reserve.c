/*
 * Priority reserves: tiered heaps (rtm_tiers) and watermarks in one heap (rtm_reserve).
 *
 * Tiers: each tier's extent [lo, hi) is found once at init by walking the heap (first payload
 * address to the end of the last block), so free finds the owning tier with at most `levels`
 * range tests. Extents must not overlap, so the owner is unique.
 *
 * Watermarks: the free byte count comes from rtm_heap_get_stats (exact, headers included). A
 * request is first tested against the free count before allocating (free - size < reserve: it
 * cannot end above the watermark, deny at once); otherwise it is allocated and the free count
 * re-read; if the block (with its header and rounding) dug into the reserve it is given back and
 * the request denied. So the watermark holds exactly, and the heap's blocks are left as they were
 * on denial (its counters, peak_used included, do see the allocation and the free: the header says
 * so).
 *
 * A bad free is recognised before handing it to the heap (rtm_heap_usable_size is 0 for anything
 * that is not a live block); the heap still gets the call so that it reports the precise reason.
 */
#include "rtmem/reserve.h"

#include "rtm_internal.h"

/* ---- shared ------------------------------------------------------------------------------------ */
static void bad_request(size_t *counter, const void *obj, rtm_err code)
{
    if (counter != NULL) (*counter)++;
    rtm_report(code, obj, NULL);
}

static bool level_stats_out(const rtm_reserve_level_stats *src, size_t levels, unsigned prio,
                            rtm_reserve_level_stats *out)
{
    if (out == NULL || prio >= levels) return false;
    *out = src[prio];
    return true;
}

/* ---- (a) tiers ---------------------------------------------------------------------------------- */
typedef struct {
    uintptr_t lo, hi;
} extent;

static bool extent_walker(const rtm_heap_block *b, void *ctx)
{
    extent *e = ctx;
    uintptr_t lo = (uintptr_t)b->ptr, hi = lo + b->size;
    if (lo < e->lo) e->lo = lo;
    if (hi > e->hi) e->hi = hi;
    return true;
}

rtm_err rtm_tiers_init(rtm_tiers *t, rtm_heap *const *heaps, size_t levels)
{
    rtm_err e = RTM_OK;
    extent ext[RTM_RESERVE_MAX_LEVELS] = {{0, 0}}; /* (gcc -O2 cannot follow the loop's exits: -Wmaybe-uninitialized) */
    if (t == NULL || heaps == NULL) e = RTM_ERR_ARG;
    else if (levels == 0 || levels > RTM_RESERVE_MAX_LEVELS) e = RTM_ERR_SIZE;
    for (size_t i = 0; e == RTM_OK && i < levels; i++) {
        if (heaps[i] == NULL) {
            e = RTM_ERR_ARG;
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (heaps[j] == heaps[i]) e = RTM_ERR_ARG;
        ext[i] = (extent){UINTPTR_MAX, 0};
        if (rtm_heap_check(heaps[i]) != RTM_OK) { /* which reports where */
            e = RTM_ERR_CORRUPT;
            break;
        }
        rtm_heap_walk(heaps[i], extent_walker, &ext[i]);
        if (ext[i].lo >= ext[i].hi) e = RTM_ERR_ARG; /* not a usable heap */
        for (size_t j = 0; e == RTM_OK && j < i; j++)
            if (ext[i].lo < ext[j].hi && ext[j].lo < ext[i].hi) e = RTM_ERR_OVERLAP;
    }
    if (e != RTM_OK) {
        rtm_report(e, t, NULL);
        return e;
    }
    rtm_memset(t, 0, sizeof *t);
    t->levels = levels;
    for (size_t i = 0; i < levels; i++) {
        t->tier[i].heap = heaps[i];
        t->tier[i].lo = ext[i].lo;
        t->tier[i].hi = ext[i].hi;
    }
    return RTM_OK;
}

void *rtm_tiers_alloc(rtm_tiers *t, size_t size, unsigned prio)
{
    if (t == NULL) {
        bad_request(NULL, NULL, RTM_ERR_ARG);
        return NULL;
    }
    rtm_port_lock(&t->sync);
    if (size == 0 || prio >= t->levels) {
        bad_request(&t->bad_requests, t, size == 0 ? RTM_ERR_SIZE : RTM_ERR_ARG);
        rtm_port_unlock(&t->sync);
        return NULL;
    }
    rtm_reserve_level_stats *st = &t->stats[prio];
    void *p = NULL;
    st->requests++;
    for (size_t i = prio + 1u; i-- > 0;) {
        p = rtm_heap_alloc(t->tier[i].heap, size);
        if (p != NULL) {
            st->served++;
            if (i != prio) st->borrowed++;
            break;
        }
    }
    if (p == NULL) st->failed++;
    rtm_port_unlock(&t->sync);
    return p;
}

void rtm_tiers_free(rtm_tiers *t, void *ptr)
{
    if (ptr == NULL) return;
    if (t == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, ptr);
        return;
    }
    uintptr_t a = (uintptr_t)ptr;
    rtm_port_lock(&t->sync);
    size_t i = 0;
    while (i < t->levels && !(a >= t->tier[i].lo && a < t->tier[i].hi)) i++;
    if (i == t->levels) {
        t->bad_frees++;
        rtm_port_unlock(&t->sync);
        rtm_report(RTM_ERR_BAD_PTR, t, ptr);
        return;
    }
    if (rtm_heap_usable_size(t->tier[i].heap, ptr) == 0) t->bad_frees++;
    rtm_heap_free(t->tier[i].heap, ptr); /* frees, or reports the precise reason */
    rtm_port_unlock(&t->sync);
}

rtm_err rtm_tiers_get_stats(rtm_tiers *t, unsigned prio, rtm_reserve_level_stats *out)
{
    if (t == NULL) return RTM_ERR_ARG;
    rtm_port_lock(&t->sync);
    bool ok = level_stats_out(t->stats, t->levels, prio, out);
    rtm_port_unlock(&t->sync);
    return ok ? RTM_OK : RTM_ERR_ARG;
}

void rtm_tiers_get_errors(rtm_tiers *t, rtm_reserve_errors *out)
{
    if (out == NULL) return;
    out->bad_frees = out->bad_requests = 0;
    if (t == NULL) return;
    rtm_port_lock(&t->sync);
    out->bad_frees = t->bad_frees;
    out->bad_requests = t->bad_requests;
    rtm_port_unlock(&t->sync);
}

rtm_err rtm_tiers_destroy(rtm_tiers *t)
{
    if (t == NULL) return RTM_ERR_ARG;
    rtm_port_sync_destroy(&t->sync);
    return RTM_OK;
}

/* ---- (b) watermarks ----------------------------------------------------------------------------- */
rtm_err rtm_reserve_init(rtm_reserve *r, rtm_heap *h, const size_t *reserve, size_t levels)
{
    rtm_err e = RTM_OK;
    if (r == NULL || h == NULL || reserve == NULL) e = RTM_ERR_ARG;
    else if (levels == 0 || levels > RTM_RESERVE_MAX_LEVELS) e = RTM_ERR_SIZE;
    for (size_t i = 1; e == RTM_OK && i < levels; i++)
        if (reserve[i] > reserve[i - 1]) e = RTM_ERR_ARG;
    if (e != RTM_OK) {
        rtm_report(e, r, NULL);
        return e;
    }
    rtm_memset(r, 0, sizeof *r);
    r->heap = h;
    r->levels = levels;
    for (size_t i = 0; i < levels; i++) r->reserve[i] = reserve[i];
    return RTM_OK;
}

static size_t heap_free_bytes(const rtm_heap *h)
{
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    return hs.free;
}

void *rtm_reserve_alloc(rtm_reserve *r, size_t size, unsigned prio)
{
    if (r == NULL) {
        bad_request(NULL, NULL, RTM_ERR_ARG);
        return NULL;
    }
    rtm_port_lock(&r->sync);
    if (size == 0 || prio >= r->levels) {
        bad_request(&r->bad_requests, r, size == 0 ? RTM_ERR_SIZE : RTM_ERR_ARG);
        rtm_port_unlock(&r->sync);
        return NULL;
    }
    rtm_reserve_level_stats *st = &r->stats[prio];
    size_t keep = r->reserve[prio], free0 = heap_free_bytes(r->heap), need;
    void *p = NULL;
    st->requests++;
    if (size > free0) {
        st->failed++; /* does not fit even without a reserve */
    } else if (rtm_add_overflow(size, keep, &need) || need > free0) {
        st->denied++; /* cannot end at or above the watermark */
    } else if ((p = rtm_heap_alloc(r->heap, size)) == NULL) {
        st->failed++;
    } else if (heap_free_bytes(r->heap) < keep) {
        rtm_heap_free(r->heap, p); /* header and rounding dug into the reserve */
        p = NULL;
        st->denied++;
    } else {
        st->served++;
    }
    rtm_port_unlock(&r->sync);
    return p;
}

void rtm_reserve_free(rtm_reserve *r, void *ptr)
{
    if (ptr == NULL) return;
    if (r == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, ptr);
        return;
    }
    rtm_port_lock(&r->sync);
    if (rtm_heap_usable_size(r->heap, ptr) == 0) r->bad_frees++;
    rtm_heap_free(r->heap, ptr);
    rtm_port_unlock(&r->sync);
}

rtm_err rtm_reserve_get_stats(rtm_reserve *r, unsigned prio, rtm_reserve_level_stats *out)
{
    if (r == NULL) return RTM_ERR_ARG;
    rtm_port_lock(&r->sync);
    bool ok = level_stats_out(r->stats, r->levels, prio, out);
    rtm_port_unlock(&r->sync);
    return ok ? RTM_OK : RTM_ERR_ARG;
}

void rtm_reserve_get_errors(rtm_reserve *r, rtm_reserve_errors *out)
{
    if (out == NULL) return;
    out->bad_frees = out->bad_requests = 0;
    if (r == NULL) return;
    rtm_port_lock(&r->sync);
    out->bad_frees = r->bad_frees;
    out->bad_requests = r->bad_requests;
    rtm_port_unlock(&r->sync);
}

rtm_err rtm_reserve_destroy(rtm_reserve *r)
{
    if (r == NULL) return RTM_ERR_ARG;
    rtm_port_sync_destroy(&r->sync);
    return RTM_OK;
}
