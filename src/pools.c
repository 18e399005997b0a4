/*
 * Size-class pools: slabs carved from one buffer, found by size (alloc) or by address (free) with
 * a binary search; optional fallback heap.
 *
 * Layout of the buffer (every part aligned to RTM_ALIGN):
 *
 *   | struct rtm_pools | pools_class[0 .. n) | class 0: blocks, bitmap | class 1: ... | ... |
 *
 * The classes' block ranges therefore lie in increasing address order in class order, so one
 * binary search over cls[].lo finds the owner of an address. An address inside [first lo, last hi)
 * that is in no block range (a bitmap, padding) is refused without looking at the heap.
 *
 * A fallback block is a heap block of size + TAG bytes; the tag word at its start holds
 * p->key ^ class index (index n: above every class), where p->key = POOLS_TAG ^ (epoch << 16) and
 * the epoch counts rtm_pools_init calls. It lets free tell the class (statistics stay exact) and
 * refuse heap blocks that the pools did not hand out, including those of an earlier pools at the
 * same address (destroy leaves fallback blocks live in the heap; the address alone took them for
 * the new pools' own and wrapped its counters). Two pools alive at once have different epochs, so
 * their keys differ in bits above every class index. The tag is 64 bits (TAG = RTM_ALIGN >= 8,
 * which heap.c requires of every build): a uintptr_t tag wrapped after 2^16 inits on a 32-bit
 * target, and the pools initialised 65,536 inits after a live one took that one's fallback blocks
 * for its own (test_epoch_wrap_live_pools).
 *
 * What is guaranteed: alloc and free are O(log classes) plus the slab's O(1) or the heap's cost;
 * no request is ever served from a class too small for it; a failed or rejected call changes
 * nothing but counters.
 */
#include "rtmem/pools.h"

#include "rtm_internal.h"

#define POOLS_MAGIC 0x706F6F6Cu /* "pool" */
#define POOLS_TAG ((uintptr_t)0x5A17C0DEu)
#define TAG RTM_ALIGN /* bytes in front of a fallback block */

typedef uint64_t pools_tag; /* the epoch wraps after 2^48 inits, 32-bit targets included */
_Static_assert(TAG >= sizeof(pools_tag), "the tag fits in front of a fallback block");
_Static_assert(RTM_POOLS_MAX_CLASSES < 65536u, "class indices stay below the epoch bits of a tag");

static pools_tag pools_epoch; /* rtm_pools_init calls so far (under the critical section) */
_Static_assert(RTM_ALIGN >= RTM_SLAB_MIN_BLOCK && (RTM_ALIGN & (RTM_ALIGN - 1u)) == 0,
               "RTM_ALIGN is a power of two that holds a pointer");

typedef struct {
    rtm_slab slab;
    uintptr_t lo, hi;   /* the slab's blocks: [lo, hi) */
    unsigned flags;
    size_t allocs, fallbacks, fb_live, failures;
    size_t demand, demand_peak; /* slab used + fallback live, and its peak */
} pools_class;

struct rtm_pools {
    uint32_t magic;
    size_t n;
    rtm_heap *heap;
    uintptr_t lo, hi;   /* cls[0].lo, cls[n-1].hi */
    pools_tag key;      /* tag of a fallback block of class 0 (file comment) */
    size_t oversize_allocs, oversize_failures, oversize_live, oversize_peak_bytes;
    size_t bad_frees, bad_requests;
    rtm_port_sync sync;
    pools_class cls[];
};

/* RTM_POOLS_OVERHEAD(n) = 2 * RTM_ALIGN (aligning buf, rounding the control data) + these. */
_Static_assert(sizeof(struct rtm_pools) <= 16u * sizeof(size_t) + sizeof(rtm_port_sync),
               "RTM_POOLS_OVERHEAD: control block bound");
_Static_assert(sizeof(pools_class) <= sizeof(rtm_slab) + 8u * sizeof(size_t) + RTM_ALIGN,
               "RTM_POOLS_OVERHEAD: class bound");

RTM_INLINE size_t round_align(size_t x) { return (x + (RTM_ALIGN - 1u)) & ~(size_t)(RTM_ALIGN - 1u); }

/* Bytes of one class in the buffer, 0 on overflow. */
static size_t class_bytes(size_t stride, size_t count)
{
    size_t blocks, map, total;
    if (count > SIZE_MAX - RTM_SLAB_WORD_BLOCKS || rtm_mul_overflow(stride, count, &blocks)) return 0;
    map = RTM_SLAB_MAP_BYTES(count);
    if (rtm_add_overflow(blocks, map, &total) || total > SIZE_MAX - RTM_ALIGN) return 0;
    return round_align(total);
}

/* RTM_OK or why the class list is unusable; *total gets the exact buffer size. */
static rtm_err classes_valid(const rtm_pools_class *classes, size_t n, size_t *total)
{
    if (classes == NULL) return RTM_ERR_ARG;
    if (n == 0 || n > RTM_POOLS_MAX_CLASSES) return RTM_ERR_SIZE;
    size_t sum = round_align(sizeof(struct rtm_pools) + n * sizeof(pools_class)), prev = 0;
    for (size_t i = 0; i < n; i++) {
        const rtm_pools_class *c = &classes[i];
        if (c->block_size == 0 || c->count == 0 || c->block_size > SIZE_MAX - RTM_ALIGN) return RTM_ERR_SIZE;
        if ((c->flags & ~RTM_POOLS_FALLBACK) != 0) return RTM_ERR_ARG;
        size_t stride = round_align(c->block_size), b = class_bytes(stride, c->count);
        if (i > 0 && stride <= prev) return RTM_ERR_ARG;
        if (b == 0 || rtm_add_overflow(sum, b, &sum)) return RTM_ERR_SIZE;
        prev = stride;
    }
    *total = sum;
    return RTM_OK;
}

size_t rtm_pools_buf_size(const rtm_pools_class *classes, size_t nclasses)
{
    size_t total = 0;
    return classes_valid(classes, nclasses, &total) == RTM_OK ? total : 0;
}

rtm_err rtm_pools_init(rtm_pools **out, void *buf, size_t bytes, const rtm_pools_class *classes,
                       size_t nclasses, rtm_heap *fallback)
{
    size_t total = 0;
    rtm_err e = RTM_OK;
    if (out != NULL) *out = NULL;
    if (out == NULL || buf == NULL) e = RTM_ERR_ARG;
    else e = classes_valid(classes, nclasses, &total);
    uintptr_t base = 0;
    if (e == RTM_OK) {
        base = rtm_align_up_uptr((uintptr_t)buf, RTM_ALIGN);
        size_t pad = (size_t)(base - (uintptr_t)buf);
        if ((uintptr_t)buf + bytes < (uintptr_t)buf) e = RTM_ERR_SIZE; /* a buffer past the address space */
        else if (base < (uintptr_t)buf || bytes < pad || bytes - pad < total) e = RTM_ERR_TOO_SMALL;
    }
    if (e != RTM_OK) {
        rtm_report(e, NULL, buf);
        return e;
    }
    rtm_pools *p = (rtm_pools *)base;
    rtm_memset(p, 0, sizeof *p + nclasses * sizeof(pools_class));
    p->n = nclasses;
    p->heap = fallback;
    rtm_port_key k = rtm_port_critical_enter();
    pools_tag epoch = ++pools_epoch;
    rtm_port_critical_exit(k);
    p->key = (pools_tag)POOLS_TAG ^ (epoch << 16);
    unsigned char *at = (unsigned char *)base + round_align(sizeof *p + nclasses * sizeof(pools_class));
    for (size_t i = 0; i < nclasses; i++) {
        pools_class *c = &p->cls[i];
        size_t stride = round_align(classes[i].block_size);
        rtm_err se = rtm_slab_init(&c->slab, at, stride, classes[i].count);
        RTM_ASSERT(se == RTM_OK && rtm_slab_block_size(&c->slab) == stride);
        (void)se;
        c->lo = (uintptr_t)at;
        c->hi = c->lo + stride * classes[i].count;
        c->flags = classes[i].flags;
        at += class_bytes(stride, classes[i].count);
    }
    p->lo = p->cls[0].lo;
    p->hi = p->cls[nclasses - 1].hi;
    p->magic = POOLS_MAGIC;
    *out = p;
    return RTM_OK;
}

/* ---- lookups ------------------------------------------------------------------------------------ */
/* Smallest class whose stride holds @p size, or n. */
static size_t class_for_size(const rtm_pools *p, size_t size)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->cls[mid].slab.stride < size) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Class whose block range holds @p a (p->lo <= a < p->hi), or n if a is between ranges. */
static size_t class_for_addr(const rtm_pools *p, uintptr_t a)
{
    size_t lo = 0, hi = p->n; /* last class with cls.lo <= a */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->cls[mid].lo <= a) lo = mid;
        else hi = mid;
    }
    return a < p->cls[lo].hi ? lo : p->n;
}

RTM_INLINE bool pools_ok(const rtm_pools *p) { return p != NULL && p->magic == POOLS_MAGIC; }

RTM_INLINE pools_tag tag_of(const rtm_pools *p, size_t cls) { return p->key ^ (pools_tag)cls; }

static void demand_up(pools_class *c)
{
    if (++c->demand > c->demand_peak) c->demand_peak = c->demand;
}

/* Heap block with a tag for class @p cls (n: oversize), or NULL. Lock held. */
static void *fallback_alloc(rtm_pools *p, size_t size, size_t cls)
{
    if (p->heap == NULL) return NULL;
    unsigned char *hp = rtm_heap_alloc(p->heap, size + TAG);
    if (hp == NULL) return NULL;
    pools_tag t = tag_of(p, cls);
    rtm_memcpy(hp, &t, sizeof t);
    return hp + TAG;
}

/* ---- API ---------------------------------------------------------------------------------------- */
void *rtm_pools_alloc(rtm_pools *p, size_t size)
{
    if (!pools_ok(p)) {
        rtm_report(RTM_ERR_ARG, p, NULL);
        return NULL;
    }
    rtm_port_lock(&p->sync);
    if (size == 0 || size > SIZE_MAX - 2u * TAG) {
        p->bad_requests++;
        rtm_port_unlock(&p->sync);
        rtm_report(RTM_ERR_SIZE, p, NULL);
        return NULL;
    }
    void *r;
    size_t ci = class_for_size(p, size);
    if (ci < p->n) {
        pools_class *c = &p->cls[ci];
        r = rtm_slab_alloc(&c->slab, RTM_NO_WAIT);
        if (r != NULL) {
            c->allocs++;
        } else if ((c->flags & RTM_POOLS_FALLBACK) && (r = fallback_alloc(p, size, ci)) != NULL) {
            c->fallbacks++;
            c->fb_live++;
        } else {
            c->failures++;
            if (c->demand + 1u > c->demand_peak) c->demand_peak = c->demand + 1u;
        }
        if (r != NULL) demand_up(c);
    } else {
        r = fallback_alloc(p, size, p->n);
        if (r != NULL) {
            p->oversize_allocs++;
            p->oversize_live++;
        } else {
            p->oversize_failures++;
        }
        if (size > p->oversize_peak_bytes) p->oversize_peak_bytes = size;
    }
    rtm_port_unlock(&p->sync);
    return r;
}

/* Class index (0..n) of the live fallback block @p ptr, or SIZE_MAX if it is not one. Lock held. */
static size_t fallback_class(const rtm_pools *p, const void *ptr)
{
    if (p->heap == NULL || ((uintptr_t)ptr & (RTM_ALIGN - 1u)) != 0 || (uintptr_t)ptr <= TAG) return SIZE_MAX;
    const unsigned char *hp = (const unsigned char *)ptr - TAG;
    if (rtm_heap_usable_size(p->heap, hp) < TAG) return SIZE_MAX;
    pools_tag t;
    rtm_memcpy(&t, hp, sizeof t);
    pools_tag cls = t ^ tag_of(p, 0); /* compared whole: a cast to a 32-bit size_t would drop the epoch bits */
    return cls <= p->n ? (size_t)cls : SIZE_MAX;
}

void rtm_pools_free(rtm_pools *p, void *ptr)
{
    if (ptr == NULL) return;
    if (!pools_ok(p)) {
        rtm_report(RTM_ERR_ARG, p, ptr);
        return;
    }
    uintptr_t a = (uintptr_t)ptr;
    rtm_port_lock(&p->sync);
    if (a >= p->lo && a < p->hi) {
        size_t ci = class_for_addr(p, a);
        if (ci < p->n) {
            pools_class *c = &p->cls[ci];
            size_t bad = c->slab.bad_frees;
            rtm_slab_free(&c->slab, ptr); /* validates: block start, in use */
            if (c->slab.bad_frees == bad) c->demand--;
            else p->bad_frees++;
        } else {
            p->bad_frees++;
            rtm_port_unlock(&p->sync);
            rtm_report(RTM_ERR_BAD_PTR, p, ptr);
            return;
        }
    } else {
        size_t ci = fallback_class(p, ptr);
        if (ci == SIZE_MAX) {
            p->bad_frees++;
            rtm_port_unlock(&p->sync);
            rtm_report(RTM_ERR_BAD_PTR, p, ptr);
            return;
        }
        unsigned char *hp = (unsigned char *)ptr - TAG;
        pools_tag zero = 0;
        rtm_memcpy(hp, &zero, sizeof zero); /* a second free of it no longer matches */
        rtm_heap_free(p->heap, hp);
        if (ci < p->n) {
            p->cls[ci].fb_live--;
            p->cls[ci].demand--;
        } else {
            p->oversize_live--;
        }
    }
    rtm_port_unlock(&p->sync);
}

size_t rtm_pools_usable_size(rtm_pools *p, const void *ptr)
{
    if (!pools_ok(p) || ptr == NULL) return 0;
    size_t r = 0;
    uintptr_t a = (uintptr_t)ptr;
    rtm_port_lock(&p->sync);
    if (a >= p->lo && a < p->hi) {
        size_t ci = class_for_addr(p, a);
        if (ci < p->n) {
            const rtm_slab *s = &p->cls[ci].slab;
            size_t off = (size_t)(a - p->cls[ci].lo);
            bool live = off % s->stride == 0;
#if RTM_SLAB_DOUBLE_FREE_CHECK
            size_t i = off / s->stride;
            live = live && (s->map[i / RTM_SLAB_WORD_BLOCKS] >> (i % RTM_SLAB_WORD_BLOCKS) & 1u) != 0;
#endif
            r = live ? s->stride : 0;
        }
    } else if (fallback_class(p, ptr) != SIZE_MAX) {
        r = rtm_heap_usable_size(p->heap, (const unsigned char *)ptr - TAG) - TAG;
    }
    rtm_port_unlock(&p->sync);
    return r;
}

void rtm_pools_get_stats(rtm_pools *p, rtm_pools_stats *out)
{
    if (out == NULL) return;
    rtm_memset(out, 0, sizeof *out);
    if (!pools_ok(p)) return;
    rtm_port_lock(&p->sync);
    out->classes = p->n;
    out->oversize_allocs = p->oversize_allocs;
    out->oversize_failures = p->oversize_failures;
    out->oversize_live = p->oversize_live;
    out->oversize_peak_bytes = p->oversize_peak_bytes;
    out->bad_frees = p->bad_frees;
    out->bad_requests = p->bad_requests;
    rtm_port_unlock(&p->sync);
}

rtm_err rtm_pools_get_class_stats(rtm_pools *p, size_t index, rtm_pools_class_stats *out)
{
    if (!pools_ok(p) || out == NULL || index >= p->n) return RTM_ERR_ARG;
    rtm_port_lock(&p->sync);
    const pools_class *c = &p->cls[index];
    rtm_slab_stats st;
    rtm_slab_get_stats(&c->slab, &st);
    out->block_size = st.block_size;
    out->count = st.count;
    out->used = st.used;
    out->peak_used = st.max_used;
    out->allocs = c->allocs;
    out->fallbacks = c->fallbacks;
    out->fallback_live = c->fb_live;
    out->failures = c->failures;
    out->demand_peak = c->demand_peak;
    rtm_port_unlock(&p->sync);
    return RTM_OK;
}

void rtm_pools_reset_peaks(rtm_pools *p)
{
    if (!pools_ok(p)) return;
    rtm_port_lock(&p->sync);
    for (size_t i = 0; i < p->n; i++) {
        rtm_slab_reset_max(&p->cls[i].slab);
        p->cls[i].demand_peak = p->cls[i].demand;
    }
    rtm_port_unlock(&p->sync);
}

size_t rtm_pools_advise(rtm_pools *p, rtm_pools_class *out, size_t cap, size_t *bytes_needed)
{
    if (bytes_needed != NULL) *bytes_needed = 0;
    if (!pools_ok(p) || out == NULL || cap < p->n) return 0;
    size_t n, nkept = 0, sum = 0;
    bool overflow = false;
    rtm_port_lock(&p->sync);
    n = p->n;
    for (size_t i = 0; i < n; i++) {
        out[i].block_size = p->cls[i].slab.stride;
        out[i].count = p->cls[i].demand_peak;
        out[i].flags = p->cls[i].flags;
    }
    rtm_port_unlock(&p->sync);
    /* the same sum as rtm_pools_buf_size over the classes with a non-zero count */
    for (size_t i = 0; i < n; i++) {
        if (out[i].count == 0) continue;
        size_t b = class_bytes(out[i].block_size, out[i].count);
        overflow |= b == 0 || rtm_add_overflow(sum, b, &sum);
        nkept++;
    }
    if (bytes_needed != NULL && nkept != 0 && !overflow &&
        !rtm_add_overflow(sum, round_align(sizeof(struct rtm_pools) + nkept * sizeof(pools_class)), &sum))
        *bytes_needed = sum;
    return n;
}

static rtm_err pools_corrupt(const rtm_pools *p, const void *where)
{
    rtm_report(RTM_ERR_CORRUPT, p, where);
    return RTM_ERR_CORRUPT;
}

rtm_err rtm_pools_check(rtm_pools *p)
{
    if (p == NULL) return RTM_ERR_ARG;
    if (p->magic != POOLS_MAGIC || p->n == 0 || p->n > RTM_POOLS_MAX_CLASSES) return pools_corrupt(p, p);
    rtm_err e = RTM_OK;
    rtm_port_lock(&p->sync);
    uintptr_t prev_hi = (uintptr_t)&p->cls[p->n];
    size_t prev_stride = 0;
    for (size_t i = 0; i < p->n && e == RTM_OK; i++) {
        const pools_class *c = &p->cls[i];
        if (rtm_slab_check(&c->slab) != RTM_OK) e = RTM_ERR_CORRUPT; /* the slab reported it */
        else if (c->lo < prev_hi || c->lo != (uintptr_t)c->slab.blocks ||
                 c->hi != c->lo + c->slab.stride * c->slab.count || c->slab.stride <= prev_stride ||
                 (c->lo & (RTM_ALIGN - 1u)) != 0 || c->demand != c->slab.used + c->fb_live ||
                 c->demand_peak < c->demand || c->fb_live > c->fallbacks)
            e = pools_corrupt(p, c);
        prev_hi = c->hi;
        prev_stride = c->slab.stride;
    }
    if (e == RTM_OK && (p->lo != p->cls[0].lo || p->hi != p->cls[p->n - 1].hi ||
                        p->oversize_live > p->oversize_allocs || (p->heap == NULL && p->oversize_allocs != 0)))
        e = pools_corrupt(p, p);
    rtm_port_unlock(&p->sync);
    return e;
}

rtm_err rtm_pools_destroy(rtm_pools *p)
{
    if (!pools_ok(p)) return RTM_ERR_ARG;
    for (size_t i = 0; i < p->n; i++) (void)rtm_slab_destroy(&p->cls[i].slab);
    p->magic = 0;
    rtm_port_sync_destroy(&p->sync);
    return RTM_OK;
}
