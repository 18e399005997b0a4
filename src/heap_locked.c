/*
 * Thread-safe heap: the unlocked heap plus the port's lock (rtm_port_sync). Each call holds the
 * lock for exactly one heap operation, so its cost and bound are those of the unlocked call plus
 * one lock/unlock. Linking this file needs a port (port/posix, port/cortex-m, port/riscv).
 * A NULL wrapper is bad input like a NULL heap: reported (RTM_ERR_ARG, object NULL), never
 * dereferenced.
 */
#include "rtmem/heap.h"

#include "rtm_internal.h"

/* lh is usable: reported when it is not. A wrapper whose init failed has heap == NULL and is
 * usable: the heap calls report the NULL heap themselves. */
static bool wrapper_ok(const rtm_heap_locked *lh, const void *ptr)
{
    if (lh != NULL) return true;
    rtm_report(RTM_ERR_ARG, NULL, ptr);
    return false;
}

rtm_err rtm_heap_locked_init(rtm_heap_locked *lh, void *mem, size_t bytes, rtm_fit fit)
{
    if (!wrapper_ok(lh, mem)) return RTM_ERR_ARG;
    rtm_memset(lh, 0, sizeof *lh);
    lh->heap = rtm_heap_init(mem, bytes, fit);
    return lh->heap != NULL ? RTM_OK : rtm_heap_init_error(mem, bytes, (int)fit);
}

void *rtm_heap_locked_alloc(rtm_heap_locked *lh, size_t bytes)
{
    if (!wrapper_ok(lh, NULL)) return NULL;
    rtm_port_lock(&lh->sync);
    void *p = rtm_heap_alloc(lh->heap, bytes);
    rtm_port_unlock(&lh->sync);
    return p;
}

void *rtm_heap_locked_aligned_alloc(rtm_heap_locked *lh, size_t align, size_t bytes)
{
    if (!wrapper_ok(lh, NULL)) return NULL;
    rtm_port_lock(&lh->sync);
    void *p = rtm_heap_aligned_alloc(lh->heap, align, bytes);
    rtm_port_unlock(&lh->sync);
    return p;
}

void *rtm_heap_locked_calloc(rtm_heap_locked *lh, size_t n, size_t size)
{
    if (!wrapper_ok(lh, NULL)) return NULL;
    size_t total = 0;
    rtm_port_lock(&lh->sync);
    /* An overflowing product goes to rtm_heap_calloc, which reports and counts it; otherwise only the
     * allocation holds the lock: the block is the caller's from then on, so the O(bytes) zeroing
     * runs outside it and other threads do not wait for it. */
    void *p = rtm_mul_overflow(n, size, &total) ? rtm_heap_calloc(lh->heap, n, size) : rtm_heap_alloc(lh->heap, total);
    rtm_port_unlock(&lh->sync);
    if (p != NULL) rtm_memset(p, 0, total);
    return p;
}

void *rtm_heap_locked_realloc(rtm_heap_locked *lh, void *ptr, size_t bytes)
{
    if (!wrapper_ok(lh, ptr)) return NULL;
    rtm_port_lock(&lh->sync);
    void *p = rtm_heap_realloc(lh->heap, ptr, bytes);
    rtm_port_unlock(&lh->sync);
    return p;
}

void rtm_heap_locked_free(rtm_heap_locked *lh, void *ptr)
{
    /* free(NULL) stays a no-op whatever the wrapper, as for the unlocked heap. */
    if (ptr == NULL || !wrapper_ok(lh, ptr)) return;
    rtm_port_lock(&lh->sync);
    rtm_heap_free(lh->heap, ptr);
    rtm_port_unlock(&lh->sync);
}

/* usable_size, walk and reset_peak: a NULL wrapper is not reported, as the heap's own calls do not
 * report a NULL heap (queries, and a counter reset). */
size_t rtm_heap_locked_usable_size(rtm_heap_locked *lh, const void *ptr)
{
    if (lh == NULL) return 0;
    /* under the lock: the pointer's validation reads the neighbouring headers, which another
     * thread's free or realloc may be rewriting */
    rtm_port_lock(&lh->sync);
    size_t n = rtm_heap_usable_size(lh->heap, ptr);
    rtm_port_unlock(&lh->sync);
    return n;
}

rtm_err rtm_heap_locked_add_region(rtm_heap_locked *lh, void *mem, size_t bytes)
{
    if (!wrapper_ok(lh, mem)) return RTM_ERR_ARG;
    rtm_port_lock(&lh->sync);
    rtm_err e = rtm_heap_add_region(lh->heap, mem, bytes);
    rtm_port_unlock(&lh->sync);
    return e;
}

void rtm_heap_locked_walk(rtm_heap_locked *lh, rtm_heap_walker fn, void *ctx)
{
    if (lh == NULL) return;
    rtm_port_lock(&lh->sync);
    rtm_heap_walk(lh->heap, fn, ctx);
    rtm_port_unlock(&lh->sync);
}

void rtm_heap_locked_reset_peak(rtm_heap_locked *lh)
{
    if (lh == NULL) return;
    rtm_port_lock(&lh->sync);
    rtm_heap_reset_peak(lh->heap);
    rtm_port_unlock(&lh->sync);
}

void rtm_heap_locked_get_stats(rtm_heap_locked *lh, rtm_heap_stats *out)
{
    if (lh == NULL) {
        /* rtm_heap_get_stats(NULL, out): zeroed statistics, nothing reported (a query). */
        rtm_heap_get_stats(NULL, out);
        return;
    }
    rtm_port_lock(&lh->sync);
    rtm_heap_get_stats(lh->heap, out);
    rtm_port_unlock(&lh->sync);
}

rtm_err rtm_heap_locked_check(rtm_heap_locked *lh)
{
    if (!wrapper_ok(lh, NULL)) return RTM_ERR_ARG; /* reported, like rtm_heap_check(NULL) */
    rtm_port_lock(&lh->sync);
    rtm_err e = rtm_heap_check(lh->heap);
    rtm_port_unlock(&lh->sync);
    return e;
}

void rtm_heap_locked_destroy(rtm_heap_locked *lh)
{
    if (lh != NULL) rtm_port_sync_destroy(&lh->sync);
}
