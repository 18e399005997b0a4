/*
 * libFuzzer target for the heap: the input is an operation sequence applied to three heaps, one
 * per policy (good, best, first), each with its own table of live blocks.
 *
 * Input format: byte 0 picks the size of the first region (4..67 KiB) and its misalignment; then
 * operations of 1 opcode byte plus operand bytes (missing bytes read as 0):
 *   0 alloc     size:2           1 free      slot:1          2 realloc  slot:1 size:2
 *   3 aligned   shift:1 size:2   4 calloc    n:2 size:2      5 add_region where:1 size:2
 *   6 bad free  slot:1 offset:1  7 double free slot:1        8 huge     kind:1 (near SIZE_MAX)
 * Sizes: value v of two bytes; v < 0xF000 means v, above that v scales to whole-heap sizes.
 * add_region: where bits 0-5 pick an offset of 256-byte units into a 64 KiB pool of fresh memory,
 * bits 6-7 the place: 0 the pool, 1 the pool 3 bytes further (misaligned), 2 inside the heap's
 * first buffer (control block and blocks: must be refused), 3 inside the pool at the start of a
 * region added before plus 40 bytes (overlaps it). A region must be refused iff it overlaps
 * memory the heap owns, never damaging anything; one that is accepted must serve allocations.
 * Variants: realloc with no live block is realloc(NULL, size); bad free with offset bit 7 set is a
 * realloc of the bad pointer (rejected, counted in bad_frees); huge with kind bit 6 set also
 * resets the peak.
 * After every step: rtm_heap_check must be RTM_OK, the statistics must match the live table and a
 * walk of the heap (free bytes and blocks, largest free block, peak), and rejected calls must have
 * been reported; live blocks carry a pattern checked before free/realloc and at the end, all of
 * their usable size (rtm_heap_usable_size) is written, and a realloc keeps the alignment of an
 * aligned block (up to RTM_HEAP_REALLOC_ALIGN_MAX, 4 KiB by default). Any violation aborts (a crash for libFuzzer).
 *
 * Built three times (CMakeLists.txt, RTM_FUZZ): fuzz_heap with the default configuration;
 * fuzz_heap_v1 with RTM_FUZZ_HEAP_LOCKED (every heap call goes through rtm_heap_locked: alloc,
 * aligned_alloc, calloc, realloc, free, usable_size, add_region, get_stats, reset_peak, walk and
 * check; each input also checks the wrapper's refusals: a failed init, a NULL wrapper) and other configuration macros; fuzz_heap_v2 with
 * others again; fuzz_heap_v3 with RTM_HEAP_VALIDATE=0 (pointers trusted: operation 6 does nothing,
 * and free's fast path takes the pointers of every region). The macros each variant sets are in CMakeLists.txt; the unit tests build the same
 * options one at a time (tests/heap/CMakeLists.txt), the fuzzer their combinations.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/heap.h"

#include "fuzz_common.h"
#include "rtm_sanitize.h"

#define SLOTS 64
#define REGION0_MAX (68u * 1024u)
#define POOL_BYTES (64u * 1024u)
#define MAX_REGIONS 16
#ifndef RTM_HEAP_REALLOC_ALIGN_MAX
#define RTM_HEAP_REALLOC_ALIGN_MAX 4096u /* src/heap.c's default: what a moving realloc keeps */
#endif

typedef struct {
    unsigned char *p;
    size_t n;
    uint32_t id;
    size_t align; /* what aligned_alloc asked for (RTM_HEAP_REALLOC_ALIGN_MAX bounds what realloc keeps) */
} slot;

typedef struct {
    rtm_heap *h;
#ifdef RTM_FUZZ_HEAP_LOCKED
    rtm_heap_locked lh; /* lh.heap == h */
#endif
    slot live[SLOTS];
    size_t nlive;
    size_t regions_added;             /* accepted add_region calls */
    unsigned char *given[MAX_REGIONS][2]; /* what was handed to the heap: [0] its first buffer */
    size_t ngiven;
    size_t reports_expected;
} fheap;

static unsigned char g_mem[3][REGION0_MAX + 64] __attribute__((aligned(64)));
static unsigned char g_mem2[3][POOL_BYTES + 64] __attribute__((aligned(64)));
static fheap g_heaps[3];
static uint32_t g_next_id;
static size_t g_reports;

static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)object, (void)ptr;
    if (code == RTM_ERR_CORRUPT) {
        fprintf(stderr, "fuzz_heap: heap reported corruption\n");
        abort();
    }
    g_reports++;
}

/* Pattern in the first 256 and the last 64 bytes of a block (enough to see overlaps and lost
 * contents; all of a 64 KiB block would make each run slow). */
static bool patterned(size_t i, size_t n) { return i < 256u || i + 64u >= n; }
static unsigned char pattern(uint32_t id, size_t i) { return (unsigned char)(id * 131u + i * 7u + (i >> 8)); }
static void fill(unsigned char *p, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (patterned(i, n)) p[i] = pattern(id, i);
        else i = n - 65u;
}
/* Checks the pattern that fill(s->p, s->n, s->id) wrote, in the first @p limit bytes only. */
static void check_upto(const slot *s, size_t limit)
{
    for (size_t i = 0; i < s->n && i < limit; i++)
        if (patterned(i, s->n)) REQUIRE(s->p[i] == pattern(s->id, i));
        else i = s->n - 65u;
}
static void check(const slot *s) { check_upto(s, SIZE_MAX); }

/* ---- input: sizes -------------------------------------------------------------------------------- */
static size_t size_of(unsigned v)
{
    if (v < 0xF000u) return v;
    return (size_t)(v - 0xF000u + 1u) * 16u; /* up to 64 KiB */
}

/* ---- the calls under test: direct, or through the locked wrapper --------------------------- */
#ifdef RTM_FUZZ_HEAP_LOCKED
static void *h_alloc(fheap *f, size_t n) { return rtm_heap_locked_alloc(&f->lh, n); }
static void *h_aligned(fheap *f, size_t al, size_t n) { return rtm_heap_locked_aligned_alloc(&f->lh, al, n); }
static void *h_realloc(fheap *f, void *p, size_t n) { return rtm_heap_locked_realloc(&f->lh, p, n); }
static void h_free(fheap *f, void *p) { rtm_heap_locked_free(&f->lh, p); }
static void h_stats(fheap *f, rtm_heap_stats *st) { rtm_heap_locked_get_stats(&f->lh, st); }
static rtm_err h_check(fheap *f) { return rtm_heap_locked_check(&f->lh); }
static void *h_calloc(fheap *f, size_t n, size_t sz) { return rtm_heap_locked_calloc(&f->lh, n, sz); }
static size_t h_usable(fheap *f, const void *p) { return rtm_heap_locked_usable_size(&f->lh, p); }
static rtm_err h_add_region(fheap *f, void *p, size_t n) { return rtm_heap_locked_add_region(&f->lh, p, n); }
static void h_walk(fheap *f, rtm_heap_walker fn, void *ctx) { rtm_heap_locked_walk(&f->lh, fn, ctx); }
static void h_reset_peak(fheap *f) { rtm_heap_locked_reset_peak(&f->lh); }
#else
static void *h_alloc(fheap *f, size_t n) { return rtm_heap_alloc(f->h, n); }
static void *h_aligned(fheap *f, size_t al, size_t n) { return rtm_heap_aligned_alloc(f->h, al, n); }
static void *h_realloc(fheap *f, void *p, size_t n) { return rtm_heap_realloc(f->h, p, n); }
static void h_free(fheap *f, void *p) { rtm_heap_free(f->h, p); }
static void h_stats(fheap *f, rtm_heap_stats *st) { rtm_heap_get_stats(f->h, st); }
static rtm_err h_check(fheap *f) { return rtm_heap_check(f->h); }
static void *h_calloc(fheap *f, size_t n, size_t sz) { return rtm_heap_calloc(f->h, n, sz); }
static size_t h_usable(fheap *f, const void *p) { return rtm_heap_usable_size(f->h, p); }
static rtm_err h_add_region(fheap *f, void *p, size_t n) { return rtm_heap_add_region(f->h, p, n); }
static void h_walk(fheap *f, rtm_heap_walker fn, void *ctx) { rtm_heap_walk(f->h, fn, ctx); }
static void h_reset_peak(fheap *f) { rtm_heap_reset_peak(f->h); }
#endif

/* ---- per-heap steps ---------------------------------------------------------------------------- */
static size_t bad_frees_of(fheap *f)
{
    rtm_heap_stats st;
    h_stats(f, &st);
    return st.bad_frees;
}

static void add_live(fheap *f, unsigned char *p, size_t n, size_t align, bool zeroed)
{
    REQUIRE(((uintptr_t)p & ((align < RTM_ALIGN ? RTM_ALIGN : align) - 1u)) == 0);
    size_t usable = h_usable(f, p);
    REQUIRE(usable >= n);
    if (zeroed)
        for (size_t i = 0; i < n; i++) REQUIRE(p[i] == 0);
    memset(p + n, 0xA5, usable - n); /* the caller may use all of it: must not touch a neighbour */
    if (f->nlive == SLOTS) {
        /* table full: give this one straight back */
        h_free(f, p);
        return;
    }
    slot s = {p, n, ++g_next_id, align};
    fill(p, n, s.id);
    f->live[f->nlive++] = s;
}

static void remove_live(fheap *f, size_t i) { f->live[i] = f->live[--f->nlive]; }

typedef struct {
    size_t used_blocks, used, free_blocks, free, largest_free;
} walk_sum;

static bool walker(const rtm_heap_block *b, void *ctx)
{
    walk_sum *w = ctx;
    REQUIRE(b->block_bytes > b->size);
    if (b->used) {
        w->used_blocks++;
        w->used += b->block_bytes;
    } else {
        w->free_blocks++;
        w->free += b->block_bytes;
        if (b->block_bytes > w->largest_free) w->largest_free = b->block_bytes;
    }
    return true;
}

static void step(fheap *f, unsigned op, const unsigned *a, unsigned char *mem2)
{
    size_t before = g_reports;
    switch (op) {
    case 0: {
        size_t n = size_of(a[0]);
        unsigned char *p = h_alloc(f, n);
        if (n == 0) REQUIRE(p == NULL);
        if (p) add_live(f, p, n, 0, false);
        break;
    }
    case 1:
        if (f->nlive) {
            size_t i = a[0] % f->nlive;
            check(&f->live[i]);
            h_free(f, f->live[i].p);
            remove_live(f, i);
        }
        break;
    case 2:
        if (f->nlive == 0) { /* realloc(NULL, n) is alloc(n) */
            size_t n = size_of(a[1]);
            unsigned char *p = h_realloc(f, NULL, n);
            if (n == 0) REQUIRE(p == NULL);
            if (p) add_live(f, p, n, 0, false);
        } else {
            size_t i = a[0] % f->nlive;
            slot s = f->live[i];
            check(&s);
            size_t n = size_of(a[1]);
            unsigned char *q = h_realloc(f, s.p, n);
            if (n == 0) {
                REQUIRE(q == NULL);
                remove_live(f, i);
            } else if (q == NULL) {
                check(&s); /* unchanged */
            } else {
                slot t = {q, s.n, s.id, s.align};
                check_upto(&t, n); /* the kept bytes moved with the block */
                remove_live(f, i);
                add_live(f, q, n, s.align > RTM_HEAP_REALLOC_ALIGN_MAX ? RTM_HEAP_REALLOC_ALIGN_MAX : s.align, false);
            }
        }
        break;
    case 3: {
        size_t align = (size_t)1 << (a[0] % 16);
        bool bad = (a[0] & 0x80u) != 0 && align > 2;
        if (bad) align += 1; /* not a power of two */
        size_t n = size_of(a[1]);
        unsigned char *p = h_aligned(f, align, n);
        if (bad) {
            REQUIRE(p == NULL);
            REQUIRE(g_reports == before + 1);
        } else if (p) {
            add_live(f, p, n, align, false);
        }
        break;
    }
    case 4: {
        size_t n = a[0], sz = a[1];
        if (a[0] >= 0xFF00u) n = SIZE_MAX / (a[0] - 0xFF00u + 1u); /* overflowing products */
        unsigned char *p = h_calloc(f, n, sz);
        if (n != 0 && sz != 0 && n > SIZE_MAX / sz) {
            REQUIRE(p == NULL);
            REQUIRE(g_reports == before + 1);
        } else if (p) {
            add_live(f, p, n * sz, 0, true);
        }
        break;
    }
    case 5: {
        if (f->ngiven == MAX_REGIONS) break; /* every region handed over is tracked */
        unsigned where = a[0] >> 6;
        size_t n = size_of(a[1]);
        unsigned char *lo, *end; /* end: of the memory the harness owns there */
        if (where == 2) {
            lo = f->given[0][0] + (size_t)(a[0] & 0x3Fu) * 256u;
            end = f->given[0][1];
        } else if (where == 3 && f->ngiven > 1) {
            lo = f->given[1 + (a[0] & 0x3Fu) % (f->ngiven - 1)][0] + 40u;
            end = mem2 + POOL_BYTES;
        } else {
            lo = mem2 + (size_t)(a[0] & 0x3Fu) * 256u + (where == 1 ? 3u : 0u);
            end = mem2 + POOL_BYTES;
        }
        if (lo > end) lo = end;
        if (n > (size_t)(end - lo)) n = (size_t)(end - lo); /* never memory the harness does not own */
        bool overlaps = false;
        for (size_t g = 0; g < f->ngiven; g++) overlaps |= lo < f->given[g][1] && f->given[g][0] < lo + n;
        rtm_heap_stats st0;
        h_stats(f, &st0);
        rtm_err e = h_add_region(f, lo, n);
        rtm_heap_stats st1;
        h_stats(f, &st1);
        if (e == RTM_OK) {
            /* Accepted: it must not overlap what the heap owns (the first buffer's control block
             * and blocks, regions before), and its capacity is now the heap's. */
            REQUIRE(f->ngiven > 0 && !(lo < f->given[0][1] && f->given[0][0] < lo + n));
            REQUIRE(st1.capacity > st0.capacity && st1.capacity - st0.capacity <= n);
            REQUIRE(g_reports == before);
            f->regions_added++;
            f->given[f->ngiven][0] = lo;
            f->given[f->ngiven][1] = lo + n;
            f->ngiven++;
        } else {
            REQUIRE(e == RTM_ERR_OVERLAP || e == RTM_ERR_TOO_SMALL || e == RTM_ERR_ARG);
            REQUIRE(e != RTM_ERR_ARG || n == 0); /* lo is never NULL */
            REQUIRE(st1.capacity == st0.capacity && st1.bad_requests == st0.bad_requests + 1);
            REQUIRE(g_reports == before + 1);
            /* A range clear of everything handed over, large enough for a block after the
             * segment descriptor, is never refused. */
            REQUIRE(overlaps || n < 512u);
        }
        break;
    }
    case 6:
        /* Trusted pointers (heap.h, RTM_HEAP_VALIDATE=0): a bad pointer is undefined behaviour. */
        if (RTM_HEAP_VALIDATE && f->nlive) {
            slot s = f->live[a[0] % f->nlive];
            size_t off = 1u + a[1] % 64u;
            if (off >= s.n) off = 1; /* stay inside the block */
            size_t bad = bad_frees_of(f);
            if (a[1] & 0x80u) REQUIRE(h_realloc(f, s.p + off, 1u + a[1] % 64u) == NULL);
            else h_free(f, s.p + off);
            REQUIRE(bad_frees_of(f) == bad + 1);
            REQUIRE(g_reports == before + 1);
            check(&s);
        }
        break;
    case 7:
        if (f->nlive) {
            size_t i = a[0] % f->nlive;
            unsigned char *p = f->live[i].p;
            check(&f->live[i]);
            h_free(f, p);
            remove_live(f, i);
            before = g_reports;
            h_free(f, p);
            REQUIRE(g_reports == before + 1);
        }
        break;
    default: {
        if (a[0] & 0x40u) h_reset_peak(f);
        size_t n = SIZE_MAX - (a[0] % 64u);
        REQUIRE(h_alloc(f, n) == NULL);
        REQUIRE(h_aligned(f, 64, n) == NULL);
        if (f->nlive) {
            REQUIRE(h_realloc(f, f->live[0].p, n) == NULL);
            check(&f->live[0]);
        }
        break;
    }
    }
    REQUIRE(h_check(f) == RTM_OK);
    rtm_heap_stats st;
    h_stats(f, &st);
    REQUIRE(st.used_blocks == f->nlive);
    REQUIRE(st.used + st.free == st.capacity);
    walk_sum w = {0, 0, 0, 0, 0};
    h_walk(f, walker, &w);
    REQUIRE(w.used_blocks == st.used_blocks && w.used == st.used);
    REQUIRE(w.free_blocks == st.free_blocks && w.free == st.free && w.largest_free == st.largest_free);
    REQUIRE(st.peak_used >= st.used && st.peak_used <= st.capacity);
}

#ifdef RTM_FUZZ_HEAP_LOCKED
/* The wrapper's own refusals: a NULL wrapper, and one whose init failed (a buffer too small for a
 * heap: 0..63 bytes from b0), whose calls report the NULL heap. Each refused call reports exactly
 * once and returns what heap.h says; none touches the buffer. */
static void locked_refusals(unsigned b0)
{
    static unsigned char small[64 + 8] __attribute__((aligned(8)));
    size_t n = b0 & 0x3Fu, before = g_reports;
    memset(small, 0x5C, sizeof small);
    rtm_heap_locked bad;
    REQUIRE(rtm_heap_locked_init(&bad, small + (b0 >> 6), n, (rtm_fit)(b0 % 3u)) == RTM_ERR_TOO_SMALL);
    REQUIRE(bad.heap == NULL && g_reports == before + 1);
    REQUIRE(rtm_heap_locked_alloc(&bad, 1u + b0) == NULL && g_reports == before + 2);
    REQUIRE(rtm_heap_locked_aligned_alloc(&bad, 64, 1u + b0) == NULL && g_reports == before + 3);
    REQUIRE(rtm_heap_locked_realloc(&bad, small + 8, 16) == NULL && g_reports == before + 4);
    rtm_heap_locked_free(&bad, NULL); /* free(NULL): a no-op, not reported */
    REQUIRE(g_reports == before + 4);
    rtm_heap_locked_free(&bad, small + 8);
    REQUIRE(rtm_heap_locked_check(&bad) != RTM_OK && g_reports == before + 6);
    /* calloc and add_region report the NULL heap; usable_size, walk and reset_peak do not (heap.h) */
    REQUIRE(rtm_heap_locked_calloc(&bad, 2, 1u + b0) == NULL && g_reports == before + 7);
    REQUIRE(rtm_heap_locked_add_region(&bad, small, sizeof small) == RTM_ERR_ARG && g_reports == before + 8);
    REQUIRE(rtm_heap_locked_usable_size(&bad, small + 8) == 0);
    rtm_heap_locked_walk(&bad, walker, NULL);
    rtm_heap_locked_reset_peak(&bad);
    REQUIRE(g_reports == before + 8);
    rtm_heap_stats st;
    memset(&st, 0xFF, sizeof st);
    rtm_heap_locked_get_stats(&bad, &st);
    REQUIRE(st.capacity == 0 && st.used == 0 && st.allocs == 0 && g_reports == before + 8);
    rtm_heap_locked_destroy(&bad);
    REQUIRE(rtm_heap_locked_init(NULL, small, sizeof small, RTM_FIT_GOOD) == RTM_ERR_ARG);
    REQUIRE(rtm_heap_locked_alloc(NULL, 16) == NULL);
    rtm_heap_locked_free(NULL, small + 8);
    REQUIRE(rtm_heap_locked_check(NULL) == RTM_ERR_ARG && g_reports == before + 12);
    rtm_heap_locked_destroy(NULL);
    for (size_t i = 0; i < sizeof small; i++) REQUIRE(small[i] == 0x5C);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size, 0};
    rtm_set_error_hook(hook);
    unsigned b0 = u8(&r);
    size_t bytes = 4096u + (size_t)(b0 & 0x3Fu) * 1024u; /* 4..67 KiB */
    size_t off = (b0 >> 6) * 3u;                          /* misalignment 0, 3, 6, 9 */
    if (bytes + off > REGION0_MAX + 64u) bytes = REGION0_MAX;
#ifdef RTM_FUZZ_HEAP_LOCKED
    locked_refusals(b0);
#endif
    for (int k = 0; k < 3; k++) {
        fheap *f = &g_heaps[k];
        memset(f, 0, sizeof *f);
        /* The buffers are reused by every input: let the sanitizer forget the previous heap. */
        rtm_san_access(g_mem[k], sizeof g_mem[k]);
        rtm_san_access(g_mem2[k], sizeof g_mem2[k]);
#ifdef RTM_FUZZ_HEAP_LOCKED
        REQUIRE(rtm_heap_locked_init(&f->lh, g_mem[k] + off, bytes, (rtm_fit)k) == RTM_OK);
        f->h = f->lh.heap;
#else
        f->h = rtm_heap_init(g_mem[k] + off, bytes, (rtm_fit)k);
#endif
        REQUIRE(f->h != NULL);
        f->given[0][0] = g_mem[k] + off;
        f->given[0][1] = g_mem[k] + off + bytes;
        f->ngiven = 1;
        REQUIRE(h_check(f) == RTM_OK);
    }
    while (r.at < r.n) {
        unsigned op = u8(&r) % 9u;
        unsigned a[2] = {0, 0};
        switch (op) {
        case 0: a[0] = u16(&r); break;                     /* size */
        case 2: a[0] = u8(&r); a[1] = u16(&r); break;      /* slot, size */
        case 3: a[0] = u8(&r); a[1] = u16(&r); break;      /* shift, size */
        case 4: a[0] = u16(&r); a[1] = u16(&r); break;     /* n, size */
        case 5: a[0] = u8(&r); a[1] = u16(&r); break;      /* where, size */
        case 6: a[0] = u8(&r); a[1] = u8(&r); break;       /* slot, offset */
        default: a[0] = u8(&r); break;                     /* slot / kind */
        }
        for (int k = 0; k < 3; k++) step(&g_heaps[k], op, a, g_mem2[k]);
    }
    for (int k = 0; k < 3; k++) {
        fheap *f = &g_heaps[k];
        while (f->nlive) {
            check(&f->live[f->nlive - 1]);
            h_free(f, f->live[f->nlive - 1].p);
            f->nlive--;
        }
        REQUIRE(h_check(f) == RTM_OK);
        rtm_heap_stats st;
        h_stats(f, &st);
        REQUIRE(st.used == 0 && st.used_blocks == 0);
        REQUIRE(st.free == st.capacity);
        /* one free block per segment: a region larger than the largest class is several */
        REQUIRE(f->regions_added ? st.free_blocks >= 1u + f->regions_added : st.free_blocks == 1u);
#ifdef RTM_FUZZ_HEAP_LOCKED
        rtm_heap_locked_destroy(&f->lh);
#endif
    }
    rtm_set_error_hook(NULL);
    return 0;
}
