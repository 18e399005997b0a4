/*
 * Allocation tracker (rtmem/track.h).
 *
 * Guarantees: alloc, free and lookup are O(1) on average (open addressing, load <= 3/4) plus the
 * wrapped allocator; reports are O(sites + threads), leak lists O(capacity x sites); the tracker
 * never allocates: all its state is in the caller's buffer.
 *
 * Buffer layout (each part aligned to the strictest member):
 *   [rtm_track control block][site table: max_sites x site][quarantine ring: q x uintptr_t]
 *   [record table: slots x rec]           slots = what is left; capacity = slots - slots / 4,
 *                                         at most slots - 1 (capacity_for)
 *
 * A tracked block as the wrapped allocator sees it (guard g > 0, front = g rounded up to the
 * block's alignment):
 *
 *   base                 ptr = base + front          ptr + size           base + front + size + g
 *   |<-- front guard --->|<------- user bytes ------->|<--- rear guard --->|
 *     RTM_TRACK_GUARD_BYTE                              RTM_TRACK_GUARD_BYTE
 *
 * The record table is keyed by ptr (the user pointer). Linear probing with backward-shift
 * deletion keeps every record reachable from its home slot without tombstones, so the table never
 * degrades however many alloc/free pairs go through it. Records of freed blocks stay in the table
 * (state FREED) while they sit in the quarantine ring: a second free of the pointer is then named a
 * double free with the first freeing site.
 */
#include "rtmem/track.h"

#include "rtm_internal.h"

enum { REC_EMPTY = 0, REC_LIVE = 1, REC_FREED = 2, REC_REPORTED = 0x80 };
#define NO_SITE 0xFFFFu
#define OTHER_THREAD RTM_TRACK_THREADS

typedef struct {
    uintptr_t ptr;      /* user pointer; 0: empty slot */
    size_t size;        /* requested bytes */
    uintptr_t thread;   /* allocating thread's id */
    uint64_t t_us;      /* rtm_port_now_us() at allocation */
    uint32_t seq;       /* allocation sequence number */
    uint16_t site;      /* allocation site index, NO_SITE if the site table was full */
    uint16_t free_site; /* FREED: freeing site index */
    uint8_t thread_ix;  /* per-thread statistics slot */
    uint8_t state;      /* REC_LIVE / REC_FREED, | REC_REPORTED once damage was counted */
    uint8_t align_log2; /* alignment asked for (0: natural) */
} rec;

typedef struct {
    const char *file;
    uint32_t line;
    uint32_t used; /* slot holds a site */
    size_t live_blocks, live_bytes, peak_bytes, allocs;
} site;

/* A one-entry cache of site_index(). It keeps "no site" answers too: sites are never removed, so a
 * full table stays full. Before, that answer was never cached, and once the table was full every
 * call from a site that did not fit scanned all max_sites slots, however often it repeated (review
 * finding: 10.5 us per alloc/free pair at such a site with 4,096 sites, 0.17 us at a listed one). */
typedef struct {
    const char *file;
    unsigned line;
    uint16_t site;
    bool valid;
} site_cache;

typedef struct {
    uintptr_t id;
    size_t live_blocks, live_bytes, peak_bytes, allocs, frees;
} thread_stat;

struct rtm_track {
    rtm_allocator a;
    rec *tab;
    size_t slots;
    site *sites;
    size_t max_sites;
    site other_site; /* allocations whose site did not fit */
    uintptr_t *qring;
    size_t qcap, qhead, qcount;
    size_t guard; /* rear guard bytes; front guard = guard rounded up to the block's alignment */
    uint32_t seq;
    bool locked;
    size_t nthreads;
    thread_stat threads[RTM_TRACK_THREADS + 1];
    rtm_track_stats st;
    rtm_track_sink sink;
    void *sink_ctx;
    rtm_trace *trace;
    site_cache alloc_site, free_site; /* site_index()'s caches: the last allocating and freeing sites */
#if defined(RTM_DEBUG) && RTM_DEBUG
    size_t site_probes; /* site slots site_lookup() looked at (rtm_track_debug_site_probes_) */
#endif
    uint8_t last_thread_ix; /* one-entry cache of thread_index() */
    uintptr_t last_thread;
    rtm_port_sync sync;
};

_Static_assert(sizeof(rec) <= RTM_TRACK_REC_BYTES, "RTM_TRACK_REC_BYTES too small");
_Static_assert(sizeof(site) <= RTM_TRACK_SITE_BYTES, "RTM_TRACK_SITE_BYTES too small");
_Static_assert(sizeof(struct rtm_track) + 3u * 8u <= RTM_TRACK_CTRL_BYTES, "RTM_TRACK_CTRL_BYTES too small");
_Static_assert(RTM_TRACK_THREADS >= 1 && RTM_TRACK_THREADS < 255, "RTM_TRACK_THREADS: 1..254");
/* The longest field, " alloc ..." + a file cut to RTM_TRACK_LINE_MAX / 3 + ":" + a 10-digit line
 * (21 + LINE_MAX / 3), after a continuation's two blanks and before the '\n', fits in 96 bytes and
 * more: a report line may break between fields but never inside one (l_chars). */
_Static_assert(RTM_TRACK_LINE_MAX >= 96, "RTM_TRACK_LINE_MAX too small for a report line");

/* ---- heap adapter ------------------------------------------------------------------------------ */
static void *heap_alloc_fn(void *self, size_t size, size_t align)
{
    if (align > RTM_ALIGN) return rtm_heap_aligned_alloc((rtm_heap *)self, align, size);
    return rtm_heap_alloc((rtm_heap *)self, size);
}
static void heap_free_fn(void *self, void *ptr) { rtm_heap_free((rtm_heap *)self, ptr); }
static size_t heap_usable_fn(void *self, const void *ptr) { return rtm_heap_usable_size((const rtm_heap *)self, ptr); }

rtm_err rtm_allocator_from_heap(rtm_allocator *out, rtm_heap *h)
{
    if (out == NULL || h == NULL) {
        rtm_report(RTM_ERR_ARG, h, out);
        return RTM_ERR_ARG;
    }
    out->alloc = heap_alloc_fn;
    out->free = heap_free_fn;
    out->usable_size = heap_usable_fn;
    out->self = h;
    return RTM_OK;
}

/* ---- slab adapter ------------------------------------------------------------------------------ */
static void *slab_alloc_fn(void *self, size_t size, size_t align)
{
    rtm_slab *s = (rtm_slab *)self;
    if (size > rtm_slab_block_size(s)) return NULL;
    void *p = rtm_slab_alloc(s, RTM_NO_WAIT);
    if (p != NULL && align > 1 && ((uintptr_t)p & (align - 1u)) != 0) {
        rtm_slab_free(s, p); /* the slab's blocks cannot meet this alignment */
        return NULL;
    }
    return p;
}
static void slab_free_fn(void *self, void *ptr) { rtm_slab_free((rtm_slab *)self, ptr); }
static size_t slab_usable_fn(void *self, const void *ptr)
{
    (void)ptr;
    return rtm_slab_block_size((const rtm_slab *)self);
}

rtm_err rtm_allocator_from_slab(rtm_allocator *out, rtm_slab *s)
{
    if (out == NULL || s == NULL) {
        rtm_report(RTM_ERR_ARG, s, out);
        return RTM_ERR_ARG;
    }
    out->alloc = slab_alloc_fn;
    out->free = slab_free_fn;
    out->usable_size = slab_usable_fn;
    out->self = s;
    return RTM_OK;
}

/* ---- pools adapter ----------------------------------------------------------------------------- */
static void *pools_alloc_fn(void *self, size_t size, size_t align)
{
    if (align > RTM_ALIGN) return NULL;
    return rtm_pools_alloc((rtm_pools *)self, size);
}
static void pools_free_fn(void *self, void *ptr) { rtm_pools_free((rtm_pools *)self, ptr); }
static size_t pools_usable_fn(void *self, const void *ptr) { return rtm_pools_usable_size((rtm_pools *)self, ptr); }

rtm_err rtm_allocator_from_pools(rtm_allocator *out, rtm_pools *p)
{
    if (out == NULL || p == NULL) {
        rtm_report(RTM_ERR_ARG, p, out);
        return RTM_ERR_ARG;
    }
    out->alloc = pools_alloc_fn;
    out->free = pools_free_fn;
    out->usable_size = pools_usable_fn;
    out->self = p;
    return RTM_OK;
}

/* ---- report lines (no printf in the core: numbers are formatted here) --------------------------- */
/* A line is built in buf and sent with l_end. Its fields are the pieces that start with a blank
 * (" bytes 139", " alloc a.c:10"). When a piece does not fit in what is left of the line (large
 * counters, long file names, a small RTM_TRACK_LINE_MAX), the line is sent up to the last field
 * start and that field continues on a continuation line that starts with two blanks: a number or
 * a site is never cut, and no line is longer than RTM_TRACK_LINE_MAX (docs/track.md). */
typedef struct {
    char buf[RTM_TRACK_LINE_MAX];
    size_t n;
    size_t mark;          /* where the last field starts (its blank), 0: nowhere to break */
    rtm_track_sink sink;  /* where lines go (NULL: nowhere) */
    void *ctx;
} line_buf;

static void l_begin(line_buf *l, rtm_track_sink sink, void *ctx)
{
    l->n = 0;
    l->mark = 0;
    l->sink = sink;
    l->ctx = ctx;
}
static size_t l_room(const line_buf *l) { return sizeof l->buf - 1u - l->n; } /* one byte kept for '\n' */
static void l_end(line_buf *l)
{
    l->buf[l->n++] = '\n';
    if (l->sink != NULL) l->sink(l->ctx, l->buf, l->n);
    l->n = 0;
    l->mark = 0;
}
/* Starts a continuation line whose first @p kept bytes (already at buf + 2) are a field's start. */
static void l_continue(line_buf *l, size_t kept)
{
    l->buf[0] = ' ';
    l->buf[1] = ' ';
    l->n = 2u + kept;
    l->mark = 0;
}
/* Sends the line up to the field that starts at mark and moves what it has of that field to a
 * continuation line: the field's blank becomes the line's '\n', the field goes after two blanks. */
static void l_break(line_buf *l)
{
    size_t at = l->mark, field = l->n - at - 1u; /* the field so far, without its blank */
    l->buf[at] = '\n';
    if (l->sink != NULL) l->sink(l->ctx, l->buf, at + 1u);
    rtm_memmove(l->buf + 2, l->buf + at + 1u, field);
    l_continue(l, field);
}
static void l_chars(line_buf *l, const char *s, size_t len)
{
    if (len == 0) return;
    if (len > l_room(l)) {
        if (s[0] == ' ' && l->n > 0) {
            /* a field that starts here and does not fit: it starts a continuation line */
            l_end(l);
            l_continue(l, 0);
            s++;
            len--;
        } else if (l->mark > 0) {
            l_break(l); /* the rest of a field that does not fit: the field moves */
        }
    } else if (s[0] == ' ') {
        l->mark = l->n;
    }
    if (len > l_room(l)) len = l_room(l); /* a field longer than a line: never (the assertion below) */
    rtm_memcpy(l->buf + l->n, s, len);
    l->n += len;
}
static void l_str(line_buf *l, const char *s)
{
    size_t len = 0;
    while (s[len] != '\0') len++;
    l_chars(l, s, len);
}
static void l_dec(line_buf *l, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0);
    l_chars(l, tmp + n, sizeof tmp - n);
}
static void l_hex(line_buf *l, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[18];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = digits[v & 15u];
        v >>= 4;
    } while (v != 0);
    tmp[--n] = 'x';
    tmp[--n] = '0';
    l_chars(l, tmp + n, sizeof tmp - n);
}
/* "file:line", the file cut from the left so that the line stays readable. */
static void l_site(line_buf *l, const char *file, unsigned line)
{
    if (file == NULL) {
        l_str(l, "(unknown)");
        return;
    }
    size_t len = 0;
    while (file[len] != '\0') len++;
    size_t max = (sizeof l->buf) / 3u;
    if (len > max) {
        l_str(l, "...");
        file += len - max;
        len = max;
    }
    l_chars(l, file, len);
    l_chars(l, ":", 1);
    l_dec(l, line);
}

/* ---- locking ---------------------------------------------------------------------------------- */
static void lock(rtm_track *t)
{
    if (t->locked) rtm_port_lock(&t->sync);
}
static void unlock(rtm_track *t)
{
    if (t->locked) rtm_port_unlock(&t->sync);
}

/* ---- record table ----------------------------------------------------------------------------- */
static size_t slot_of(const rtm_track *t, uintptr_t key)
{
    uint64_t k = (uint64_t)key;
    uint32_t x = (uint32_t)(k ^ (k >> 32));
    x ^= x >> 16;
    x *= 0x45D9F3Bu;
    x ^= x >> 16;
    x *= 0x45D9F3Bu;
    x ^= x >> 16;
    return (size_t)(((uint64_t)x * (uint64_t)t->slots) >> 32);
}

static size_t next_slot(const rtm_track *t, size_t i) { return i + 1u == t->slots ? 0u : i + 1u; }

static rec *rec_find(const rtm_track *t, uintptr_t key)
{
    size_t i = slot_of(t, key);
    for (size_t probes = 0; probes < t->slots; probes++) {
        rec *r = &t->tab[i];
        if (r->ptr == 0) return NULL;
        if (r->ptr == key) return r;
        i = next_slot(t, i);
    }
    return NULL;
}

/* Free slot for key (which is not in the table); the caller made sure the table is not full. */
static rec *rec_insert(rtm_track *t, uintptr_t key)
{
    size_t i = slot_of(t, key);
    while (t->tab[i].ptr != 0) i = next_slot(t, i);
    rec *r = &t->tab[i];
    rtm_memset(r, 0, sizeof *r);
    r->ptr = key;
    return r;
}

/* Backward-shift deletion: pull later members of the probe run into the hole. */
static void rec_remove(rtm_track *t, rec *r)
{
    size_t hole = (size_t)(r - t->tab);
    size_t j = hole;
    for (;;) {
        j = next_slot(t, j);
        if (t->tab[j].ptr == 0) break;
        size_t home = slot_of(t, t->tab[j].ptr);
        /* the record at j may move to the hole iff its home is not cyclically in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            t->tab[hole] = t->tab[j];
            hole = j;
        }
    }
    rtm_memset(&t->tab[hole], 0, sizeof t->tab[hole]);
}

/* Records a table of @p slots holds: load <= 3/4, and never every slot (2 or 3 slots): a probe run
 * ends at an empty slot, and rec_remove's backward shift stops only there (with every slot taken,
 * a free went round the table forever). */
static size_t capacity_for(size_t slots)
{
    size_t empty = slots / 4u;
    /* At least one empty slot, but none taken from a table of 0 slots (a zero-filled, never
     * initialised tracker: capacity 0, so that its alloc is refused as a full table; test_api_sweep) */
    if (empty == 0 && slots != 0) empty = 1;
    return slots - empty;
}
static size_t capacity_of(const rtm_track *t) { return capacity_for(t->slots); }
static size_t records_in_use(const rtm_track *t) { return t->st.live_blocks + t->st.quarantined; }

/* ---- sites and threads ------------------------------------------------------------------------ */
static uint16_t site_lookup(rtm_track *t, const char *file, unsigned line);

/* The site index of (@p file, @p line), through cache @p c: allocations and frees keep one each,
 * so that a loop allocating at one line and freeing at another finds both there. */
static uint16_t site_index(rtm_track *t, site_cache *c, const char *file, unsigned line)
{
    if (c->valid && file == c->file && line == c->line) return c->site;
    uint16_t ix = site_lookup(t, file, line);
    c->file = file;
    c->line = line;
    c->site = ix;
    c->valid = true;
    return ix;
}

static uint16_t site_lookup(rtm_track *t, const char *file, unsigned line)
{
    uintptr_t key = (uintptr_t)file ^ ((uintptr_t)line * 0x9E3779B1u);
    uint32_t x = (uint32_t)((uint64_t)key ^ ((uint64_t)key >> 32));
    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    x ^= x >> 12;
    size_t i = (size_t)(((uint64_t)x * (uint64_t)t->max_sites) >> 32);
    for (size_t probes = 0; probes < t->max_sites; probes++) {
#if defined(RTM_DEBUG) && RTM_DEBUG
        t->site_probes++;
#endif
        site *s = &t->sites[i];
        if (!s->used) {
            s->used = 1;
            s->file = file;
            s->line = line;
            return (uint16_t)i;
        }
        if (s->file == file && s->line == line) return (uint16_t)i;
        i = i + 1u == t->max_sites ? 0u : i + 1u;
    }
    return NO_SITE;
}

static site *site_at(rtm_track *t, uint16_t ix) { return ix == NO_SITE ? &t->other_site : &t->sites[ix]; }

static void site_name(const rtm_track *t, uint16_t ix, const char **file, unsigned *line)
{
    if (ix == NO_SITE) {
        *file = NULL;
        *line = 0;
    } else {
        *file = t->sites[ix].file;
        *line = t->sites[ix].line;
    }
}

/* The site of a record in an error line: "(other)" for NO_SITE (a site the full table did not
 * take), as the summary and the leak report name it; "(unknown)" is a site with file NULL. */
static void l_site_ix(line_buf *l, const rtm_track *t, uint16_t ix)
{
    if (ix == NO_SITE) l_str(l, "(other)");
    else l_site(l, t->sites[ix].file, t->sites[ix].line);
}

static uint8_t thread_lookup(rtm_track *t, uintptr_t id)
{
    for (size_t i = 0; i < t->nthreads; i++)
        if (t->threads[i].id == id) return (uint8_t)i;
    if (t->nthreads < RTM_TRACK_THREADS) {
        t->threads[t->nthreads].id = id;
        return (uint8_t)t->nthreads++;
    }
    return (uint8_t)OTHER_THREAD;
}

static uint8_t thread_index(rtm_track *t, uintptr_t id)
{
    if (id == t->last_thread && t->last_thread_ix != 0xFFu) return t->last_thread_ix;
    t->last_thread_ix = thread_lookup(t, id);
    t->last_thread = id;
    return t->last_thread_ix;
}

static void grow_live(size_t *live, size_t *peak, size_t add)
{
    *live += add;
    if (*live > *peak) *peak = *live;
}

/* ---- guards and poison ------------------------------------------------------------------------- */
static size_t block_align(const rec *r) { return r->align_log2 ? (size_t)1u << r->align_log2 : RTM_ALIGN; }

static size_t front_guard(const rtm_track *t, size_t align)
{
    if (t->guard == 0) return 0;
    return (size_t)rtm_align_up_uptr(t->guard, align < RTM_ALIGN ? RTM_ALIGN : align);
}

/* Offset (from ptr, may be negative) of the first byte in [lo, hi) that is not @p v, or 0 with
 * *found false. */
static bool find_not(const uint8_t *lo, const uint8_t *hi, uint8_t v, const uint8_t **at)
{
    for (const uint8_t *p = lo; p < hi; p++)
        if (*p != v) {
            *at = p;
            return true;
        }
    return false;
}

static void fill(uint8_t *p, size_t n, uint8_t v) { rtm_memset(p, v, n); }

/* Reports a red-zone or poison problem found in block r. @p what: "overflow before",
 * "overflow after", "write after free". */
static void describe(rtm_track *t, const rec *r, const char *what, const uint8_t *at, rtm_track_sink sink, void *ctx)
{
    line_buf l;
    l_begin(&l, sink, ctx);
    l_str(&l, "rtm_track: ");
    l_str(&l, what);
    l_str(&l, " block ");
    l_hex(&l, r->ptr);
    l_str(&l, " size ");
    l_dec(&l, r->size);
    l_str(&l, " at offset ");
    if ((uintptr_t)at < r->ptr) {
        l_str(&l, "-");
        l_dec(&l, r->ptr - (uintptr_t)at);
    } else {
        l_dec(&l, (uintptr_t)at - r->ptr);
    }
    l_str(&l, " alloc ");
    l_site_ix(&l, t, r->site);
    if ((r->state & 0x7Fu) == REC_FREED) {
        l_str(&l, " freed ");
        l_site_ix(&l, t, r->free_site);
    }
    l_end(&l);
}

/* Checks the red zones (and, for a FREED block, the poison) of r. Reports and counts once per
 * block. Returns RTM_OK, RTM_ERR_OVERFLOW or RTM_ERR_CORRUPT (after-free write). */
static rtm_err check_block(rtm_track *t, rec *r, rtm_track_sink sink, void *ctx)
{
    if (t->guard == 0 && (r->state & 0x7Fu) == REC_LIVE) return RTM_OK; /* nothing to check */
    const uint8_t *ptr = (const uint8_t *)r->ptr;
    size_t front = front_guard(t, block_align(r));
    const uint8_t *at = ptr;
    rtm_err e = RTM_OK;
    const char *what = NULL;
    bool freed = (r->state & 0x7Fu) == REC_FREED;
    if (freed && find_not(ptr, ptr + r->size, RTM_TRACK_POISON, &at)) {
        e = RTM_ERR_CORRUPT;
        what = "write after free";
    } else if (find_not(ptr - front, ptr, RTM_TRACK_GUARD_BYTE, &at)) {
        e = freed ? RTM_ERR_CORRUPT : RTM_ERR_OVERFLOW;
        what = freed ? "write after free" : "overflow before";
    } else if (find_not(ptr + r->size, ptr + r->size + t->guard, RTM_TRACK_GUARD_BYTE, &at)) {
        e = freed ? RTM_ERR_CORRUPT : RTM_ERR_OVERFLOW;
        what = freed ? "write after free" : "overflow after";
    }
    if (e == RTM_OK) return RTM_OK;
    describe(t, r, what, at, sink, ctx);
    if (!(r->state & REC_REPORTED)) {
        r->state |= REC_REPORTED;
        if (e == RTM_ERR_OVERFLOW) t->st.overflows++;
        else t->st.after_free_writes++;
        rtm_report(e, t, ptr);
    }
    return e;
}

/* ---- trace ------------------------------------------------------------------------------------ */
static void trace_put(rtm_track *t, rtm_trace_kind kind, uintptr_t obj, uintptr_t new_obj, size_t size,
                      unsigned align_log2, const char *file, unsigned line, uintptr_t tid, uint64_t now)
{
    if (t->trace == NULL) return;
    rtm_trace_event ev;
    ev.kind = (uint8_t)kind;
    ev.align_log2 = (uint8_t)align_log2;
    ev.line = line;
    ev.time = now;
    ev.thread = tid;
    ev.obj = obj;
    ev.new_obj = new_obj;
    ev.size = size;
    ev.file = file;
    (void)rtm_trace_event_put(t->trace, &ev);
}

/* ---- core operations (lock held) -------------------------------------------------------------- */

/* Gives the oldest quarantined block back to the allocator after checking its poison. */
static void drain_one(rtm_track *t)
{
    uintptr_t key = t->qring[t->qhead];
    t->qhead = t->qhead + 1u == t->qcap ? 0u : t->qhead + 1u;
    t->qcount--;
    rec *r = rec_find(t, key);
    RTM_ASSERT(r != NULL && (r->state & 0x7Fu) == REC_FREED);
    if (r == NULL) return;
    (void)check_block(t, r, t->sink, t->sink_ctx);
    void *base = (void *)(r->ptr - front_guard(t, block_align(r)));
    t->st.quarantined--;
    rec_remove(t, r);
    t->a.free(t->a.self, base);
}

static void drain_all(rtm_track *t)
{
    while (t->qcount != 0) drain_one(t);
}

static void bad_call(rtm_track *t, rtm_err e, const void *ptr)
{
    t->st.bad_requests++;
    rtm_report(e, t, ptr);
}

/* A record's align_log2 for a request aligned to align (0 or up to RTM_ALIGN: natural, 0). */
static unsigned align_log2_of(size_t align) { return align > RTM_ALIGN ? rtm_log2_size(align) : 0u; }

/* The trace event of an allocation of object obj (0: it failed), aligned if align_log2 says so. */
static void trace_alloc(rtm_track *t, uintptr_t obj, size_t size, unsigned align_log2, const char *file,
                        unsigned line, uintptr_t tid, uint64_t now)
{
    trace_put(t, align_log2 ? RTM_TEV_ALIGNED : RTM_TEV_ALLOC, obj, 0, size, align_log2, file, line, tid, now);
}

/* An allocation the tracker could not serve (table full, allocator out of memory) is traced with
 * object 0, as trace-format.md says of a failed request, so that a replay of the trace counts it as
 * failed too, as it does a failed realloc (realloc_locked). Rejected arguments are not events. */
static void *alloc_failed(rtm_track *t, size_t size, size_t align, const char *file, unsigned line,
                          bool emit_trace)
{
    if (emit_trace)
        trace_alloc(t, 0, size, align_log2_of(align), file, line, rtm_port_thread_id(), rtm_port_now_us());
    return NULL;
}

static void *alloc_locked(rtm_track *t, size_t size, size_t align, const char *file, unsigned line,
                          bool emit_trace)
{
    if (align != 0 && !rtm_is_pow2(align)) {
        bad_call(t, RTM_ERR_ARG, NULL);
        return NULL;
    }
    size_t front = front_guard(t, align), total;
    if (size == 0 || rtm_add_overflow(size, front, &total) || rtm_add_overflow(total, t->guard, &total)) {
        bad_call(t, RTM_ERR_SIZE, NULL);
        return NULL;
    }
    if (records_in_use(t) >= capacity_of(t)) {
        if (t->qcount != 0) drain_one(t);
        if (records_in_use(t) >= capacity_of(t)) {
            t->st.table_full++;
            rtm_report(RTM_ERR_FULL, t, NULL);
            return alloc_failed(t, size, align, file, line, emit_trace);
        }
    }
    uint8_t *base = (uint8_t *)t->a.alloc(t->a.self, total, align);
    if (base == NULL && t->qcount != 0) { /* quarantined memory must not cause out-of-memory */
        drain_all(t);
        base = (uint8_t *)t->a.alloc(t->a.self, total, align);
    }
    if (base == NULL) {
        t->st.failed++;
        return alloc_failed(t, size, align, file, line, emit_trace);
    }
    uint8_t *ptr = base + front;
    rec *old = rec_find(t, (uintptr_t)ptr);
    if (old != NULL) { /* the allocator reused a quarantined address: impossible unless drained */
        RTM_ASSERT((old->state & 0x7Fu) != REC_LIVE);
        rtm_report(RTM_ERR_CORRUPT, t, ptr);
        t->a.free(t->a.self, base);
        t->st.failed++;
        return alloc_failed(t, size, align, file, line, emit_trace);
    }
    if (front != 0) fill(base, front, RTM_TRACK_GUARD_BYTE);
    if (t->guard != 0) fill(ptr + size, t->guard, RTM_TRACK_GUARD_BYTE);

    uintptr_t tid = rtm_port_thread_id();
    uint64_t now = rtm_port_now_us();
    rec *r = rec_insert(t, (uintptr_t)ptr);
    r->size = size;
    r->thread = tid;
    r->t_us = now;
    r->seq = t->seq++;
    r->site = site_index(t, &t->alloc_site, file, line);
    r->free_site = NO_SITE;
    r->thread_ix = thread_index(t, tid);
    r->state = REC_LIVE;
    r->align_log2 = (uint8_t)align_log2_of(align);
    if (r->site == NO_SITE) t->st.sites_full++;

    site *s = site_at(t, r->site);
    s->live_blocks++;
    s->allocs++;
    grow_live(&s->live_bytes, &s->peak_bytes, size);
    thread_stat *th = &t->threads[r->thread_ix];
    th->live_blocks++;
    th->allocs++;
    grow_live(&th->live_bytes, &th->peak_bytes, size);
    t->st.allocs++;
    t->st.live_blocks++;
    grow_live(&t->st.live_bytes, &t->st.peak_bytes, size);
    if (emit_trace) trace_alloc(t, (uintptr_t)ptr, size, r->align_log2, file, line, tid, now);
    return ptr;
}

/* Rejects a free of a pointer without a live record. */
static void bad_free(rtm_track *t, void *ptr, const rec *r, const char *file, unsigned line)
{
    line_buf l;
    l_begin(&l, t->sink, t->sink_ctx);
    t->st.bad_frees++;
    l_str(&l, r != NULL ? "rtm_track: double free " : "rtm_track: bad free ");
    l_hex(&l, (uintptr_t)ptr);
    l_str(&l, " at ");
    l_site(&l, file, line);
    if (r != NULL) {
        l_str(&l, " freed ");
        l_site_ix(&l, t, r->free_site);
    }
    l_end(&l);
    rtm_report(r != NULL ? RTM_ERR_DOUBLE_FREE : RTM_ERR_BAD_PTR, t, ptr);
}

/* Retires record r (freed at file:line): to the quarantine, or back to the allocator. count_free:
 * false for the old block of a realloc, which counts as one allocation and no free. */
static void free_rec(rtm_track *t, rec *r, const char *file, unsigned line, bool count_free)
{
    (void)check_block(t, r, t->sink, t->sink_ctx);
    site *s = site_at(t, r->site);
    s->live_blocks--;
    s->live_bytes -= r->size;
    thread_stat *th = &t->threads[r->thread_ix];
    th->live_blocks--;
    th->live_bytes -= r->size;
    if (count_free) {
        t->threads[thread_index(t, rtm_port_thread_id())].frees++;
        t->st.frees++;
    }
    t->st.live_blocks--;
    t->st.live_bytes -= r->size;
    if (t->qcap == 0) {
        void *base = (void *)(r->ptr - front_guard(t, block_align(r)));
        rec_remove(t, r);
        t->a.free(t->a.self, base);
        return;
    }
    if (t->qcount == t->qcap) {
        uintptr_t key = r->ptr;
        drain_one(t);
        r = rec_find(t, key); /* the drain may have moved the record */
        RTM_ASSERT(r != NULL);
        if (r == NULL) return;
    }
    r->state = REC_FREED; /* a damaged red zone was reported already: start clean */
    r->free_site = site_index(t, &t->free_site, file, line);
    fill((uint8_t *)r->ptr, r->size, RTM_TRACK_POISON);
    fill((uint8_t *)r->ptr - front_guard(t, block_align(r)), front_guard(t, block_align(r)), RTM_TRACK_GUARD_BYTE);
    if (t->guard != 0) fill((uint8_t *)r->ptr + r->size, t->guard, RTM_TRACK_GUARD_BYTE);
    size_t tail = t->qhead + t->qcount;
    if (tail >= t->qcap) tail -= t->qcap;
    t->qring[tail] = r->ptr;
    t->qcount++;
    t->st.quarantined++;
}

/* ---- public ----------------------------------------------------------------------------------- */
static uintptr_t align_up_ptr(uintptr_t p, size_t a) { return rtm_align_up_uptr(p, (uintptr_t)a); }

rtm_err rtm_track_init(rtm_track **out, void *mem, size_t bytes, const rtm_track_config *cfg)
{
    if (out != NULL) *out = NULL;
    if (out == NULL || mem == NULL || cfg == NULL || cfg->allocator.alloc == NULL || cfg->allocator.free == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, mem);
        return RTM_ERR_ARG;
    }
    size_t guard = cfg->guard, site_bytes, q_bytes;
    if (cfg->max_sites == 0 || cfg->max_sites > 0xFFFEu || guard > SIZE_MAX / 4u ||
        rtm_mul_overflow(cfg->max_sites, sizeof(site), &site_bytes) ||
        rtm_mul_overflow(cfg->quarantine, sizeof(uintptr_t), &q_bytes)) {
        rtm_report(RTM_ERR_SIZE, NULL, mem);
        return RTM_ERR_SIZE;
    }
    if (guard != 0) guard = (size_t)rtm_align_up_uptr(guard, RTM_ALIGN);
    uintptr_t start = (uintptr_t)mem, end = UINTPTR_MAX;
    if (bytes < UINTPTR_MAX - start) end = start + bytes;
    uintptr_t p = align_up_ptr(start, _Alignof(struct rtm_track));
    uintptr_t sites_at = align_up_ptr(p + sizeof(struct rtm_track), _Alignof(site));
    uintptr_t q_at = align_up_ptr(sites_at + site_bytes, _Alignof(uintptr_t));
    uintptr_t tab_at = align_up_ptr(q_at + q_bytes, _Alignof(rec));
    if (p < start || sites_at < p || q_at < sites_at || tab_at < q_at || tab_at > end) {
        rtm_report(RTM_ERR_TOO_SMALL, NULL, mem);
        return RTM_ERR_TOO_SMALL;
    }
    size_t slots = (size_t)(end - tab_at) / sizeof(rec);
    size_t need = cfg->quarantine + 1u;
    if (slots < 2u || capacity_for(slots) < need || need == 0) {
        rtm_report(RTM_ERR_TOO_SMALL, NULL, mem);
        return RTM_ERR_TOO_SMALL;
    }
    struct rtm_track *t = (struct rtm_track *)p;
    rtm_memset(t, 0, sizeof *t);
    t->a = cfg->allocator;
    t->sites = (site *)sites_at;
    t->max_sites = cfg->max_sites;
    t->qring = (uintptr_t *)q_at;
    t->qcap = cfg->quarantine;
    t->tab = (rec *)tab_at;
    t->slots = slots;
    t->guard = guard;
    t->locked = cfg->locked;
    t->sink = cfg->sink;
    t->sink_ctx = cfg->sink_ctx;
    t->trace = cfg->trace;
    t->last_thread_ix = 0xFFu; /* the site caches are invalid: zero-filled */
    rtm_memset(t->sites, 0, site_bytes);
    rtm_memset(t->tab, 0, slots * sizeof(rec));
    t->st.capacity = capacity_of(t);
    *out = t;
    return RTM_OK;
}

void *rtm_track_alloc_at(rtm_track *t, size_t size, size_t align, const char *file, unsigned line)
{
    if (t == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    lock(t);
    void *p = alloc_locked(t, size, align, file, line, true);
    unlock(t);
    return p;
}

void rtm_track_free_at(rtm_track *t, void *ptr, const char *file, unsigned line)
{
    if (ptr == NULL) return;
    if (t == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, ptr);
        return;
    }
    lock(t);
    rec *r = rec_find(t, (uintptr_t)ptr);
    if (r == NULL || (r->state & 0x7Fu) != REC_LIVE) {
        bad_free(t, ptr, r, file, line);
    } else {
        if (t->trace != NULL)
            trace_put(t, RTM_TEV_FREE, (uintptr_t)ptr, 0, 0, 0, file, line, rtm_port_thread_id(), rtm_port_now_us());
        free_rec(t, r, file, line, true);
    }
    unlock(t);
}

void *rtm_track_realloc_at(rtm_track *t, void *ptr, size_t size, const char *file, unsigned line)
{
    if (ptr == NULL) return rtm_track_alloc_at(t, size, 0, file, line);
    if (size == 0) {
        rtm_track_free_at(t, ptr, file, line);
        return NULL;
    }
    if (t == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, ptr);
        return NULL;
    }
    lock(t);
    void *np = NULL;
    rec *r = rec_find(t, (uintptr_t)ptr);
    if (r == NULL || (r->state & 0x7Fu) != REC_LIVE) {
        bad_free(t, ptr, r, file, line);
    } else {
        size_t align = r->align_log2 ? (size_t)1u << r->align_log2 : 0u;
        size_t old_size = r->size;
        size_t refused = t->st.bad_requests; /* alloc_locked counts a size it refuses there */
        np = alloc_locked(t, size, align, file, line, false);
        if (np != NULL) {
            rtm_memcpy(np, ptr, old_size < size ? old_size : size);
            r = rec_find(t, (uintptr_t)ptr); /* the insert may not move it, but drains may have */
            trace_put(t, RTM_TEV_REALLOC, (uintptr_t)ptr, (uintptr_t)np, size, 0, file, line, rtm_port_thread_id(),
                      rtm_port_now_us());
            /* a realloc counts as one allocation and no free, in the summary and in the thread's
             * line alike */
            free_rec(t, r, file, line, false);
        } else if (t->st.bad_requests == refused) {
            /* failed for want of memory: an event; a size refused as bad input is none, as for
             * rtm_track_alloc_at (track.h, cfg.trace; it was traced as a failed realloc, which a
             * replay counts as out of memory: review finding, 2026-11-29) */
            trace_put(t, RTM_TEV_REALLOC, (uintptr_t)ptr, 0, size, 0, file, line, rtm_port_thread_id(),
                      rtm_port_now_us());
        }
    }
    unlock(t);
    return np;
}

void rtm_track_get_stats(rtm_track *t, rtm_track_stats *out)
{
    if (out == NULL) return;
    if (t == NULL) {
        rtm_memset(out, 0, sizeof *out);
        return;
    }
    lock(t);
    *out = t->st;
    unlock(t);
}

bool rtm_track_find(rtm_track *t, const void *addr, rtm_track_info *out)
{
    if (t == NULL || out == NULL) return false;
    bool found = false;
    uintptr_t a = (uintptr_t)addr;
    lock(t);
    for (size_t i = 0; i < t->slots && !found; i++) {
        const rec *r = &t->tab[i];
        if ((r->state & 0x7Fu) != REC_LIVE) continue;
        size_t front = front_guard(t, block_align(r));
        if (a >= r->ptr - front && a - (r->ptr - front) < front + r->size + t->guard) {
            found = true;
            out->ptr = (void *)r->ptr;
            out->size = r->size;
            site_name(t, r->site, &out->file, &out->line);
            out->thread = r->thread;
            out->age_us = rtm_port_now_us() - r->t_us;
            out->seq = r->seq;
        }
    }
    unlock(t);
    return found;
}

rtm_err rtm_track_check_all(rtm_track *t, rtm_track_sink sink, void *ctx)
{
    if (t == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_ERR_ARG;
    }
    rtm_err worst = RTM_OK;
    lock(t);
    for (size_t i = 0; i < t->slots; i++) {
        rec *r = &t->tab[i];
        if (r->ptr == 0) continue;
        rtm_err e = check_block(t, r, sink, ctx);
        if (e == RTM_ERR_OVERFLOW || (e == RTM_ERR_CORRUPT && worst == RTM_OK)) worst = e;
    }
    unlock(t);
    return worst;
}

static void site_line(line_buf *l, bool other, const char *file, unsigned line, const site *s)
{
    l_str(l, "site ");
    if (other) l_str(l, "(other)");
    else l_site(l, file, line);
    l_str(l, " live ");
    l_dec(l, s->live_blocks);
    l_str(l, " bytes ");
    l_dec(l, s->live_bytes);
    l_str(l, " peak ");
    l_dec(l, s->peak_bytes);
    l_str(l, " allocs ");
    l_dec(l, s->allocs);
}

void rtm_track_report(rtm_track *t, rtm_track_sink sink, void *ctx)
{
    if (t == NULL || sink == NULL) return;
    line_buf l;
    l_begin(&l, sink, ctx);
    lock(t);
    const rtm_track_stats *st = &t->st;
    l_str(&l, "rtm_track: live ");
    l_dec(&l, st->live_blocks);
    l_str(&l, " blocks ");
    l_dec(&l, st->live_bytes);
    l_str(&l, " bytes peak ");
    l_dec(&l, st->peak_bytes);
    l_str(&l, " allocs ");
    l_dec(&l, st->allocs);
    l_str(&l, " frees ");
    l_dec(&l, st->frees);
    l_str(&l, " failed ");
    l_dec(&l, st->failed);
    l_str(&l, " table_full ");
    l_dec(&l, st->table_full);
    l_str(&l, " bad_frees ");
    l_dec(&l, st->bad_frees);
    l_str(&l, " overflows ");
    l_dec(&l, st->overflows);
    l_str(&l, " after_free_writes ");
    l_dec(&l, st->after_free_writes);
    l_end(&l);
    for (size_t i = 0; i < t->max_sites; i++) {
        const site *s = &t->sites[i];
        if (!s->used || s->allocs == 0) continue;
        site_line(&l, false, s->file, s->line, s);
        l_end(&l);
    }
    if (t->other_site.allocs != 0) {
        site_line(&l, true, NULL, 0, &t->other_site);
        l_end(&l);
    }
    for (size_t i = 0; i <= RTM_TRACK_THREADS; i++) {
        const thread_stat *th = &t->threads[i];
        if (i >= t->nthreads && i != OTHER_THREAD) continue;
        if (i == OTHER_THREAD && th->allocs == 0 && th->frees == 0) continue;
        l_str(&l, "thread ");
        if (i == OTHER_THREAD) l_str(&l, "(other)");
        else l_hex(&l, th->id);
        l_str(&l, " live ");
        l_dec(&l, th->live_blocks);
        l_str(&l, " bytes ");
        l_dec(&l, th->live_bytes);
        l_str(&l, " peak ");
        l_dec(&l, th->peak_bytes);
        l_str(&l, " allocs ");
        l_dec(&l, th->allocs);
        l_str(&l, " frees ");
        l_dec(&l, th->frees);
        l_end(&l);
    }
    unlock(t);
}

rtm_track_cp rtm_track_checkpoint(rtm_track *t)
{
    if (t == NULL) return 0;
    lock(t);
    rtm_track_cp cp = t->seq;
    unlock(t);
    return cp;
}

/* Allocated in [from, to): sequence numbers compared modulo 2^32. */
static bool in_window(const rec *r, rtm_track_cp from, rtm_track_cp to)
{
    return (int32_t)(r->seq - from) >= 0 && (int32_t)(to - r->seq) > 0;
}

size_t rtm_track_leaks_since(rtm_track *t, rtm_track_cp cp, rtm_track_sink sink, void *ctx)
{
    return rtm_track_leaks_between(t, cp, rtm_track_checkpoint(t), sink, ctx);
}

size_t rtm_track_leaks_between(rtm_track *t, rtm_track_cp cp, rtm_track_cp until, rtm_track_sink sink, void *ctx)
{
    if (t == NULL) return 0;
    size_t total = 0, total_bytes = 0;
    line_buf l;
    l_begin(&l, sink, ctx);
    lock(t);
    /* site by site (sites, then the overflow bucket), without extra memory */
    for (size_t si = 0; si <= t->max_sites; si++) {
        uint16_t ix = si == t->max_sites ? (uint16_t)NO_SITE : (uint16_t)si;
        const site *s = site_at(t, ix);
        if (s->live_blocks == 0) continue;
        size_t n = 0, bytes = 0;
        for (size_t i = 0; i < t->slots; i++) {
            const rec *r = &t->tab[i];
            if ((r->state & 0x7Fu) == REC_LIVE && r->site == ix && in_window(r, cp, until)) {
                n++;
                bytes += r->size;
            }
        }
        if (n == 0) continue;
        total += n;
        total_bytes += bytes;
        if (sink == NULL) continue;
        l_str(&l, "leak site ");
        l_site_ix(&l, t, ix);
        l_str(&l, " blocks ");
        l_dec(&l, n);
        l_str(&l, " bytes ");
        l_dec(&l, bytes);
        l_end(&l);
        uint64_t now = rtm_port_now_us();
        for (size_t i = 0; i < t->slots; i++) {
            const rec *r = &t->tab[i];
            if ((r->state & 0x7Fu) != REC_LIVE || r->site != ix || !in_window(r, cp, until)) continue;
            l_str(&l, "leak block ");
            l_hex(&l, r->ptr);
            l_str(&l, " size ");
            l_dec(&l, r->size);
            l_str(&l, " thread ");
            l_hex(&l, r->thread);
            l_str(&l, " age_us ");
            l_dec(&l, now - r->t_us);
            l_str(&l, " seq ");
            l_dec(&l, r->seq);
            l_end(&l);
        }
    }
    if (sink != NULL) {
        l_str(&l, "leaks since ");
        l_dec(&l, cp);
        l_str(&l, " until ");
        l_dec(&l, until);
        l_str(&l, ": ");
        l_dec(&l, total);
        l_str(&l, " blocks ");
        l_dec(&l, total_bytes);
        l_str(&l, " bytes");
        l_end(&l);
    }
    unlock(t);
    return total;
}

static rtm_err corrupt(rtm_track *t, const void *where)
{
    rtm_report(RTM_ERR_CORRUPT, t, where);
    return RTM_ERR_CORRUPT;
}

static rtm_err validate_locked(rtm_track *t)
{
    size_t live = 0, freed = 0, bytes = 0;
    for (size_t i = 0; i < t->slots; i++) {
        const rec *r = &t->tab[i];
        if (r->ptr == 0) {
            if (r->state != REC_EMPTY) return corrupt(t, r);
            continue;
        }
        unsigned st = r->state & 0x7Fu;
        if (st != REC_LIVE && st != REC_FREED) return corrupt(t, r);
        if (rec_find(t, r->ptr) != r) return corrupt(t, r); /* unreachable from its home */
        if (r->site != NO_SITE && (r->site >= t->max_sites || !t->sites[r->site].used)) return corrupt(t, r);
        if (r->thread_ix > OTHER_THREAD || (r->thread_ix != OTHER_THREAD && r->thread_ix >= t->nthreads))
            return corrupt(t, r);
        if (st == REC_LIVE) {
            live++;
            bytes += r->size;
        } else {
            freed++;
        }
    }
    if (live != t->st.live_blocks || freed != t->st.quarantined || bytes != t->st.live_bytes ||
        freed != t->qcount || live + freed > capacity_of(t) || t->st.live_bytes > t->st.peak_bytes)
        return corrupt(t, t);
    size_t site_blocks = t->other_site.live_blocks, site_bytes = t->other_site.live_bytes;
    for (size_t i = 0; i < t->max_sites; i++) {
        site_blocks += t->sites[i].live_blocks;
        site_bytes += t->sites[i].live_bytes;
        if (t->sites[i].live_bytes > t->sites[i].peak_bytes) return corrupt(t, &t->sites[i]);
    }
    if (site_blocks != live || site_bytes != bytes) return corrupt(t, t->sites);
    size_t th_blocks = 0, th_bytes = 0;
    for (size_t i = 0; i <= RTM_TRACK_THREADS; i++) {
        th_blocks += t->threads[i].live_blocks;
        th_bytes += t->threads[i].live_bytes;
    }
    if (th_blocks != live || th_bytes != bytes) return corrupt(t, t->threads);
    for (size_t k = 0; k < t->qcount; k++) {
        size_t i = t->qhead + k;
        if (i >= t->qcap) i -= t->qcap;
        const rec *r = rec_find(t, t->qring[i]);
        if (r == NULL || (r->state & 0x7Fu) != REC_FREED) return corrupt(t, &t->qring[i]);
    }
    return RTM_OK;
}

#if defined(RTM_DEBUG) && RTM_DEBUG
#include "rtm_track_debug.h"

/* Swaps one field (a test hook: src/rtm_track_debug.h). A value wider than the field is cut to it,
 * as a corrupting write would. */
#define POKE(lv, type)                                                                             \
    do {                                                                                           \
        old = (uint64_t)(lv);                                                                      \
        (lv) = (type)value;                                                                        \
    } while (0)
size_t rtm_track_debug_site_probes_(const rtm_track *t) { return t->site_probes; }

uint64_t rtm_track_debug_poke_(rtm_track *t, const void *ptr, rtm_track_poke_field field, uint64_t *value_io)
{
    uint64_t old = UINT64_MAX, value = *value_io;
    lock(t);
    /* by a scan, not rec_find: a record whose pointer was damaged is no longer where rec_find looks,
     * and the test puts it back through its damaged pointer */
    rec *r = NULL;
    for (size_t i = 0; ptr != NULL && r == NULL && i < t->slots; i++)
        if (t->tab[i].ptr == (uintptr_t)ptr) r = &t->tab[i];
    switch (field) {
    case RTM_TRACK_POKE_REC_STATE: if (r) POKE(r->state, uint8_t); break;
    case RTM_TRACK_POKE_REC_SITE: if (r) POKE(r->site, uint16_t); break;
    case RTM_TRACK_POKE_REC_THREAD_IX: if (r) POKE(r->thread_ix, uint8_t); break;
    case RTM_TRACK_POKE_REC_SIZE: if (r) POKE(r->size, size_t); break;
    case RTM_TRACK_POKE_REC_PTR: if (r) POKE(r->ptr, uintptr_t); break;
    case RTM_TRACK_POKE_REC_PTR_LOST:
        /* the first pointer from value on from whose home slot the record cannot be found (which
         * one that is depends on where the test's blocks are): *value_io says which was taken */
        if (r) {
            old = r->ptr;
            uintptr_t v = (uintptr_t)value;
            for (r->ptr = v; r->ptr == 0 || rec_find(t, r->ptr) == r; r->ptr = ++v) {
            }
            *value_io = v;
        }
        break;
    case RTM_TRACK_POKE_SITE_LIVE_BLOCKS: if (r) POKE(site_at(t, r->site)->live_blocks, size_t); break;
    case RTM_TRACK_POKE_SITE_LIVE_BYTES: if (r) POKE(site_at(t, r->site)->live_bytes, size_t); break;
    case RTM_TRACK_POKE_SITE_PEAK_BYTES: if (r) POKE(site_at(t, r->site)->peak_bytes, size_t); break;
    case RTM_TRACK_POKE_THREAD_LIVE_BLOCKS: if (r) POKE(t->threads[r->thread_ix].live_blocks, size_t); break;
    case RTM_TRACK_POKE_THREAD_LIVE_BYTES: if (r) POKE(t->threads[r->thread_ix].live_bytes, size_t); break;
    case RTM_TRACK_POKE_LIVE_BLOCKS: POKE(t->st.live_blocks, size_t); break;
    case RTM_TRACK_POKE_LIVE_BYTES: POKE(t->st.live_bytes, size_t); break;
    case RTM_TRACK_POKE_PEAK_BYTES: POKE(t->st.peak_bytes, size_t); break;
    case RTM_TRACK_POKE_QUARANTINED: POKE(t->st.quarantined, size_t); break;
    case RTM_TRACK_POKE_QCOUNT: POKE(t->qcount, size_t); break;
    case RTM_TRACK_POKE_QRING_FIRST: if (t->qcount > 0) POKE(t->qring[t->qhead], uintptr_t); break;
    case RTM_TRACK_POKE_SITE_USED:
        if ((uintptr_t)ptr < t->max_sites) POKE(t->sites[(uintptr_t)ptr].used, uint32_t);
        break;
    case RTM_TRACK_POKE_EMPTY_STATE:
        for (size_t i = 0; i < t->slots; i++)
            if (t->tab[i].ptr == 0) {
                POKE(t->tab[i].state, uint8_t);
                break;
            }
        break;
    }
    unlock(t);
    return old;
}
#undef POKE
#endif

rtm_err rtm_track_validate(rtm_track *t)
{
    if (t == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_ERR_ARG;
    }
    lock(t);
    rtm_err e = validate_locked(t);
    unlock(t);
    return e;
}

void rtm_track_drain(rtm_track *t)
{
    if (t == NULL) return;
    lock(t);
    drain_all(t);
    unlock(t);
}

void rtm_track_destroy(rtm_track *t)
{
    if (t != NULL && t->locked) rtm_port_sync_destroy(&t->sync);
}
