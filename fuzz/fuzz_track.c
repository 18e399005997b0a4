/*
 * libFuzzer target for the allocation tracker (rtmem/track.h): the input is a tracker configuration
 * and an operation sequence applied to it, checked step by step against a shadow model of what
 * track.h and docs/track.md promise.
 *
 * Input: 5 configuration bytes, then operations (missing bytes read as 0).
 *   byte 0  max_sites: b % 20; 0 and 19 (= 65535) must be refused (RTM_ERR_SIZE), after which
 *           the tracker is opened with 1 site; else 1..18 (tiny tables: sites overflow to "(other)")
 *   byte 1  bits 0-4 guard 0..31 (rounded up to RTM_ALIGN by init); bit 5: first try a guard of
 *           SIZE_MAX / 4 + 1 (must be refused, RTM_ERR_SIZE); bits 6-7 the backing allocator:
 *           0 good-fit, 1 best-fit, 2 first-fit heap (rtm_allocator_from_heap), 3 a slab
 *           (rtm_allocator_from_slab)
 *   byte 2  bits 0-3 quarantine 0..15; bit 4 cfg.sink attached (error lines are then checked
 *           line by line); bit 5 cfg.locked; bit 6 cfg.trace attached, binary (bit 7 clear) or text:
 *           its event count must be the model's (an alloc that succeeds or finds the table full or
 *           the allocator out of memory, a free of a live block, a realloc of a live block to a
 *           size > 0 whether or not it succeeds: one event each; refused arguments: none)
 *   byte 3  bits 0-5 records r: the buffer is RTM_TRACK_BYTES(r, sites, quarantine) bytes at a
 *           misalignment of 5 x bit 7; with bit 6 it is cut to (r + 1) / 65 of
 *           RTM_TRACK_BYTES(0, sites, 0) instead. Init must then succeed with capacity >= r +
 *           quarantine when r >= 1; otherwise either succeed with capacity >= quarantine + 1 or
 *           fail with RTM_ERR_TOO_SMALL and *out NULL (then the tracker is opened with r = 1).
 *   byte 4  heap: 1 KiB + (b & 31) x 512 bytes; slab: block size 16 + (b & 15) x 16, count
 *           1 + (b >> 4) x 4
 * Operation: 1 opcode byte o, op = o & 15, (o >> 4) == 15 / 14: the allocator fails its next one /
 * two calls (injected failures, besides the heap's own), then operand bytes:
 *   0, 13-15  alloc      site:1 size:1 align:1
 *   1         free       slot:1 site:1          (of a live block)
 *   2         realloc    slot:1 size:1 site:1   (no live block: realloc(NULL, size))
 *   3         bad free   kind:1 arg:1 site:1    kind % 4: 0 an interior pointer of a live block,
 *             1 a foreign pointer (tracker buffer, heap buffer, a static array), 2 a double free
 *             (a live block freed, then again), 3 a quarantined block freed again; kind bit 7:
 *             through rtm_track_realloc_at (size arg % 3: 0 is a free, else a resize) instead
 *   4         overrun    slot:1 k:1 val:1       (guard > 0) byte size + k % guard of a live block
 *   5         underrun   slot:1 k:1 val:1       (guard > 0) byte -1 - k % front guard
 *   6         write after free  slot:1 k:1 val:1  (a quarantined block) byte k % (its extent) of
 *             [-front guard, size + guard), with a value other than the poison / guard byte there
 *   7         rtm_track_check_all    flag:1 (bit 0: with a sink, else NULL)
 *   8         rtm_track_report
 *   9         leaks      kind:1 a:1 b:1         kind % 3: 0 take a checkpoint (8 kept), 1
 *             rtm_track_leaks_since(cp[a]), 2 rtm_track_leaks_between(cp[a], cp[b]); kind bit 7:
 *             a NULL sink (count only)
 *   10        find       kind:1 slot:1 off:1    kind % 3: 0 an address of a live block's extent
 *             (red zones included), 1 of a quarantined block's, 2 a foreign address
 *   11        rtm_track_drain
 *   12        rewrite    slot:1                 a live block gets a new pattern
 * Sizes: byte s < 0xF0 is s (0: refused), 0xF0..0xFB 256 << (s - 0xF0) (too large for the heap at
 * the top), 0xFC..0xFF SIZE_MAX - {0, 7, 40, 100} (size + guards overflows, or a huge request).
 * Alignment byte a: 0 natural; bit 7 set: (2 << (a % 8)) + 1, not a power of two (refused);
 * 0x7F the top bit of size_t; else 1 << (a % 13). Sites: byte b: file {"fuzz/a.c", "b.c", NULL,
 * a 100-character name}[b & 3], line b >> 2.
 *
 * Each input first checks the refusals of NULL handles and arguments (every one reported through
 * the error hook, with the documented result). After every operation: rtm_track_validate is
 * RTM_OK; rtm_track_get_stats equals the model's counters field by field; the reports that reached
 * the error hook from the tracker (code, object, pointer) are exactly those the model predicts
 * (bad_requests: RTM_ERR_ARG / RTM_ERR_SIZE; table full: RTM_ERR_FULL; bad / double free:
 * RTM_ERR_BAD_PTR / RTM_ERR_DOUBLE_FREE; a damaged red zone RTM_ERR_OVERFLOW and a write after
 * free RTM_ERR_CORRUPT, once per block); the lines cfg.sink received are exactly the model's error
 * lines (docs/track.md "Report format"); the calls the tracker made to the allocator (a wrapper
 * logs them) are exactly the model's: alloc(front + size + guard, align) only for accepted
 * requests, a retry after draining the whole quarantine when the allocator fails, and frees only
 * of blocks it got (quarantined blocks leave oldest first); every live block keeps its pattern and
 * its red zones (filled on alloc), every quarantined block its poison. Reports, leak lists,
 * rtm_track_check_all and rtm_track_find are compared with the model (report lines as sets; the
 * age in leak lines is not). Reports from the backing allocator are not the tracker's (the heap
 * may report a request it cannot serve) but RTM_ERR_CORRUPT from it aborts. At the end every block
 * is freed and the quarantine drained: the allocator must hold nothing. Any violation aborts.
 *
 * Built twice (CMakeLists.txt, RTM_FUZZ): fuzz_track with the default configuration, fuzz_track_v1
 * with track.c, the heap and the slab compiled in under RTM_TRACK_LINE_MAX=96 (lines naming the long
 * site break into continuation lines, which the sink joins), RTM_ALIGN=16, RTM_TRACK_GUARD_BYTE=0x00
 * and RTM_TRACK_POISON=0xFF.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_sanitize.h"
#include "rtmem/heap.h"
#include "rtmem/slab.h"
#include "rtmem/trace.h"
#include "rtmem/track.h"

#include "fuzz_common.h"

#define A ((size_t)RTM_ALIGN)
#define MAXB 256    /* model blocks (live + quarantined): above any capacity the config allows */
#define MAXLINES 512
#define LINE (RTM_TRACK_LINE_MAX + 256)
#define MAXLOG 64   /* allocator calls in one step */
#define MAXREP 512  /* tracker reports in one step */
#define NSITES 256
#define NCP 8
#define CANARY 0x5Au

static const char LONG_NAME[] = "a/very/long/path/that/keeps/going/and/going/through/many/directories/"
                                "until/it/is/cut/long_file.c";
static const char *const FILES[4] = {"fuzz/a.c", "b.c", NULL, LONG_NAME};

/* ---- buffers ------------------------------------------------------------------------------------ */
static _Alignas(64) unsigned char g_tbuf[32 * 1024];
static _Alignas(64) unsigned char g_heap_buf[17 * 1024 + 64];
static _Alignas(64) unsigned char g_slab_buf[RTM_SLAB_BUF_SIZE(256, 64) + 64];
static _Alignas(64) unsigned char g_foreign[256];

/* ---- the error hook ------------------------------------------------------------------------------ */
typedef struct {
    rtm_err code;
    const void *object, *ptr;
} report;
static report g_rep[MAXREP], g_xrep[MAXREP];
static size_t g_nrep, g_nxrep;
static const void *g_backend; /* the heap or slab: its reports are not the tracker's */

static void hook(rtm_err code, const void *object, const void *ptr)
{
    if (object == g_backend && g_backend != NULL) {
        REQUIRE(code != RTM_ERR_CORRUPT);
        return;
    }
    REQUIRE(g_nrep < MAXREP);
    g_rep[g_nrep++] = (report){code, object, ptr};
}
static void expect_report(rtm_err code, const void *object, const void *ptr)
{
    REQUIRE(g_nxrep < MAXREP);
    g_xrep[g_nxrep++] = (report){code, object, ptr};
}
static int rep_cmp(const void *a, const void *b)
{
    const report *x = a, *y = b;
    if (x->code != y->code) return x->code < y->code ? -1 : 1;
    if (x->object != y->object) return (uintptr_t)x->object < (uintptr_t)y->object ? -1 : 1;
    if (x->ptr != y->ptr) return (uintptr_t)x->ptr < (uintptr_t)y->ptr ? -1 : 1;
    return 0;
}
/* The reports of one step, as a multiset (check_all reports in table order). */
static void reports_match(void)
{
    REQUIRE(g_nrep == g_nxrep);
    qsort(g_rep, g_nrep, sizeof g_rep[0], rep_cmp);
    qsort(g_xrep, g_nxrep, sizeof g_xrep[0], rep_cmp);
    for (size_t i = 0; i < g_nrep; i++) REQUIRE(rep_cmp(&g_rep[i], &g_xrep[i]) == 0);
    g_nrep = g_nxrep = 0;
}

/* ---- sinks: lines, continuation lines joined ----------------------------------------------------- */
typedef struct {
    char line[MAXLINES][LINE];
    size_t n;
} lines;
static lines g_err, g_xerr, g_out, g_xout; /* cfg.sink's lines; a call's own sink */

static void add_line(lines *l, const char *s)
{
    REQUIRE(l->n < MAXLINES && strlen(s) < LINE);
    strcpy(l->line[l->n++], s);
}
/* A site cut from the left ("...tail" of the long name) is put back whole, so that lines compare
 * with the model's, which names sites in full (an error line may name two). */
static void normalise(char *s)
{
    for (char *d = strstr(s, "..."); d != NULL; d = strstr(d + sizeof LONG_NAME - 1u, "...")) {
        char *colon = strchr(d, ':');
        REQUIRE(colon != NULL);
        size_t tail = (size_t)(colon - (d + 3)), ln = strlen(LONG_NAME);
        REQUIRE(tail > 0 && tail < ln && memcmp(LONG_NAME + ln - tail, d + 3, tail) == 0);
        char rest[LINE];
        REQUIRE(strlen(colon) < sizeof rest);
        strcpy(rest, colon);
        REQUIRE((size_t)(d - s) + ln + strlen(rest) < LINE);
        memcpy(d, LONG_NAME, ln);
        strcpy(d + ln, rest);
    }
}
static void sink(void *ctx, const char *text, size_t len)
{
    lines *l = ctx;
    REQUIRE(l == &g_err || l == &g_out);
    REQUIRE(len >= 1 && len <= RTM_TRACK_LINE_MAX && text[len - 1] == '\n');
    REQUIRE(memchr(text, '\n', len) == text + len - 1);
    char buf[LINE];
    memcpy(buf, text, len - 1);
    buf[len - 1] = '\0';
    REQUIRE(strlen(buf) == len - 1);
    if (buf[0] == ' ') { /* a continuation: "  field" continues the line before */
        REQUIRE(buf[1] == ' ' && buf[2] != ' ' && l->n > 0);
        char *prev = l->line[l->n - 1];
        REQUIRE(strlen(prev) + len < LINE);
        strcat(prev, buf + 1);
        normalise(prev);
        return;
    }
    normalise(buf);
    add_line(l, buf);
}
static int str_cmp(const void *a, const void *b) { return strcmp(a, b); }
static void lines_match(lines *got, lines *want)
{
    if (got->n != want->n) {
        fprintf(stderr, "fuzz_track: %zu lines, expected %zu\n", got->n, want->n);
        for (size_t i = 0; i < got->n; i++) fprintf(stderr, " got  %s\n", got->line[i]);
        for (size_t i = 0; i < want->n; i++) fprintf(stderr, " want %s\n", want->line[i]);
        abort();
    }
    qsort(got->line, got->n, LINE, str_cmp);
    qsort(want->line, want->n, LINE, str_cmp);
    for (size_t i = 0; i < got->n; i++)
        if (strcmp(got->line[i], want->line[i]) != 0) {
            fprintf(stderr, "fuzz_track: line\n got  %s\n want %s\n", got->line[i], want->line[i]);
            abort();
        }
    got->n = want->n = 0;
}

/* ---- the allocator wrapper: logs every call the tracker makes ------------------------------------ */
typedef struct {
    bool is_free;
    size_t size, align;
    void *p; /* alloc: the result */
} call;
static call g_log[MAXLOG];
static size_t g_nlog, g_cursor, g_fail, g_outstanding;
static rtm_allocator g_inner;

static void *w_alloc(void *self, size_t size, size_t align)
{
    (void)self;
    REQUIRE(size > 0 && (align == 0 || (align & (align - 1u)) == 0));
    void *p = NULL;
    if (g_fail) g_fail--;
    else p = g_inner.alloc(g_inner.self, size, align);
    if (p != NULL) g_outstanding++;
    REQUIRE(g_nlog < MAXLOG);
    g_log[g_nlog++] = (call){false, size, align, p};
    return p;
}
static void w_free(void *self, void *ptr)
{
    (void)self;
    REQUIRE(ptr != NULL && g_outstanding > 0);
    REQUIRE(g_nlog < MAXLOG);
    g_log[g_nlog++] = (call){true, 0, 0, ptr};
    g_outstanding--;
    g_inner.free(g_inner.self, ptr);
}
/* The model's side: the next call must be this one. */
static void *expect_alloc(size_t size, size_t align)
{
    REQUIRE(g_cursor < g_nlog);
    const call *c = &g_log[g_cursor++];
    REQUIRE(!c->is_free && c->size == size && c->align == align);
    return c->p;
}
static void expect_free(const void *p)
{
    REQUIRE(g_cursor < g_nlog);
    const call *c = &g_log[g_cursor++];
    REQUIRE(c->is_free && c->p == p);
}

/* ---- the model ---------------------------------------------------------------------------------- */
typedef struct {
    const char *file;
    unsigned line;
    size_t live_blocks, live_bytes, peak_bytes, allocs;
} msite;

typedef struct {
    unsigned char *p;   /* user pointer */
    size_t size, align; /* align: what the record keeps (0: natural) */
    size_t front;
    uint32_t seq;       /* allocation index (checkpoints compare with it) */
    int site, fsite;    /* model site index, -1: "(other)" */
    uint8_t id;         /* pattern */
    bool freed, reported;
    bool dmg[3];        /* a byte written in: the user bytes, the front guard, the rear guard */
    long dmg_lo[3];     /* ... the lowest such offset from p (the one check_block names) */
} mblock;

static struct {
    rtm_track *t;
    size_t sites_max, guard, q, cap;
    bool has_sink;
    mblock b[MAXB];      /* live blocks, then nothing: quarantined ones are in qb */
    size_t nb;
    mblock qb[MAXB];     /* quarantined, oldest first */
    size_t nq;
    msite site[NSITES];
    size_t nsites;
    msite other;
    rtm_track_stats st;
    uint32_t cp0;
    uint32_t cps[NCP];   /* checkpoints: allocation indexes */
    size_t ncp;
    uint8_t next_id;
    uintptr_t tid;
    bool traced;
    uint64_t events;     /* trace events the tracker must have sent */
    bool out_of_memory;  /* model_alloc's last NULL was table full or the allocator's (traced) */
} M;
static rtm_trace g_trace;
static _Alignas(16) unsigned char g_trace_buf[RTM_TRACE_BUF_MIN];
static void trace_sink(void *ctx, const void *data, size_t len)
{
    REQUIRE(ctx == &g_trace && data != NULL && len > 0);
}

static size_t align_up(size_t v, size_t a) { return (v + a - 1u) & ~(a - 1u); }
static size_t front_of(size_t align) { return M.guard == 0 ? 0 : align_up(M.guard, align > A ? align : A); }
static unsigned char pat(uint8_t id, size_t i) { return (unsigned char)(id * 29u + i * 13u + (i >> 8) + 1u); }
static void fill(mblock *b)
{
    for (size_t i = 0; i < b->size; i++) b->p[i] = pat(b->id, i);
}
static void verify(const mblock *b, size_t n)
{
    for (size_t i = 0; i < b->size && i < n; i++) REQUIRE(b->p[i] == pat(b->id, i));
}
/* What a block's extent holds when intact: guards, and the pattern (live) or the poison. */
static void verify_zones(const mblock *b)
{
    for (size_t i = 0; i < b->front; i++) REQUIRE(b->p[-(long)b->front + (long)i] == RTM_TRACK_GUARD_BYTE);
    for (size_t i = 0; i < M.guard; i++) REQUIRE(b->p[b->size + i] == RTM_TRACK_GUARD_BYTE);
    if (b->freed)
        for (size_t i = 0; i < b->size; i++) REQUIRE(b->p[i] == RTM_TRACK_POISON);
}

static int site_find(const char *file, unsigned line)
{
    for (size_t i = 0; i < M.nsites; i++)
        if (M.site[i].file == file && M.site[i].line == line) return (int)i;
    return -2;
}
/* The site table takes the first max_sites distinct (file, line) pairs; later ones are "(other)". */
static int site_register(const char *file, unsigned line)
{
    int i = site_find(file, line);
    if (i >= 0) return i;
    if (M.nsites == M.sites_max) return -1;
    M.site[M.nsites] = (msite){file, line, 0, 0, 0, 0};
    return (int)M.nsites++;
}
static msite *site_of(int i) { return i < 0 ? &M.other : &M.site[i]; }

/* "file:line", "(unknown)" for file NULL, "(other)" for a site the table did not take. */
static void site_name(char *out, size_t n, const char *file, unsigned line)
{
    if (file == NULL) snprintf(out, n, "(unknown)");
    else snprintf(out, n, "%s:%u", file, line);
}
static void site_ix_name(char *out, size_t n, int ix)
{
    if (ix < 0) snprintf(out, n, "(other)");
    else site_name(out, n, M.site[ix].file, M.site[ix].line);
}

/* The first damaged byte of a block, in check_block's order: (freed) the user bytes, then the
 * front guard, then the rear guard. Returns false if the block is intact. */
static bool first_damage(const mblock *b, long *at, const char **what)
{
    for (int z = b->freed ? 0 : 1; z < 3; z++)
        if (b->dmg[z]) {
            *at = b->dmg_lo[z];
            *what = b->freed ? "write after free" : z == 1 ? "overflow before" : "overflow after";
            return true;
        }
    return false;
}
/* Writes @p v at offset @p off of block b's extent (not the byte that was there) and records it. */
static void damage(mblock *b, long off, unsigned v)
{
    unsigned char was = off >= 0 && off < (long)b->size ? RTM_TRACK_POISON : RTM_TRACK_GUARD_BYTE;
    b->p[off] = (unsigned char)(v == was ? v + 1u : v);
    int z = off < 0 ? 1 : off < (long)b->size ? 0 : 2;
    if (!b->dmg[z] || off < b->dmg_lo[z]) b->dmg_lo[z] = off;
    b->dmg[z] = true;
}
/* check_block: a damaged block is described on @p l (if any) every time, counted and reported
 * once. Returns RTM_OK, RTM_ERR_OVERFLOW or RTM_ERR_CORRUPT. */
static rtm_err model_check(mblock *b, lines *l)
{
    long at;
    const char *what;
    if (!first_damage(b, &at, &what)) return RTM_OK;
    rtm_err e = b->freed ? RTM_ERR_CORRUPT : RTM_ERR_OVERFLOW;
    if (l != NULL) {
        char s[LINE], as[LINE], fs[LINE];
        site_ix_name(as, sizeof as, b->site);
        site_ix_name(fs, sizeof fs, b->fsite);
        snprintf(s, sizeof s, "rtm_track: %s block 0x%" PRIxPTR " size %zu at offset %ld alloc %s%s%s", what,
                 (uintptr_t)b->p, b->size, at, as, b->freed ? " freed " : "", b->freed ? fs : "");
        add_line(l, s);
    }
    if (!b->reported) {
        b->reported = true;
        if (e == RTM_ERR_OVERFLOW) M.st.overflows++;
        else M.st.after_free_writes++;
        expect_report(e, M.t, b->p);
    }
    return e;
}
static lines *err_sink(void) { return M.has_sink ? &g_xerr : NULL; }

static void drain_one(void)
{
    REQUIRE(M.nq > 0);
    mblock b = M.qb[0];
    memmove(&M.qb[0], &M.qb[1], (M.nq - 1u) * sizeof M.qb[0]);
    M.nq--;
    M.st.quarantined--;
    (void)model_check(&b, err_sink());
    expect_free(b.p - b.front);
}
static void drain_all(void)
{
    while (M.nq) drain_one();
}

static void grow(size_t *live, size_t *peak, size_t add)
{
    *live += add;
    if (*live > *peak) *peak = *live;
}

/* The model of alloc_at with @p align (the record's: realloc passes the old block's). Returns the
 * pointer the tracker must have returned; checks the allocator calls. */
static unsigned char *model_alloc(size_t size, size_t align, const char *file, unsigned line)
{
    M.out_of_memory = false;
    if (align != 0 && (align & (align - 1u)) != 0) {
        M.st.bad_requests++;
        expect_report(RTM_ERR_ARG, M.t, NULL);
        return NULL;
    }
    size_t front = front_of(align), total;
    if (size == 0 || __builtin_add_overflow(size, front, &total) || __builtin_add_overflow(total, M.guard, &total)) {
        M.st.bad_requests++;
        expect_report(RTM_ERR_SIZE, M.t, NULL);
        return NULL;
    }
    if (M.nb + M.nq >= M.cap) {
        if (M.nq) drain_one();
        if (M.nb + M.nq >= M.cap) {
            M.st.table_full++;
            expect_report(RTM_ERR_FULL, M.t, NULL);
            M.out_of_memory = true;
            return NULL;
        }
    }
    unsigned char *base = expect_alloc(total, align);
    if (base == NULL && M.nq) { /* quarantined memory never causes out-of-memory */
        drain_all();
        base = expect_alloc(total, align);
    }
    if (base == NULL) {
        M.st.failed++;
        M.out_of_memory = true;
        return NULL;
    }
    REQUIRE(M.nb < MAXB);
    mblock *b = &M.b[M.nb++];
    *b = (mblock){.p = base + front, .size = size, .align = align > A ? align : 0, .front = front,
                  .seq = (uint32_t)M.st.allocs, .site = site_register(file, line), .fsite = -1,
                  .id = M.next_id++};
    REQUIRE(((uintptr_t)b->p & ((align > A ? align : A) - 1u)) == 0);
    if (b->site < 0) M.st.sites_full++;
    msite *s = site_of(b->site);
    s->live_blocks++;
    s->allocs++;
    grow(&s->live_bytes, &s->peak_bytes, size);
    M.st.allocs++;
    M.st.live_blocks++;
    grow(&M.st.live_bytes, &M.st.peak_bytes, size);
    return b->p;
}

/* The model of free_rec of live block i (freed at file:line). */
static void model_free(size_t i, const char *file, unsigned line, bool count_free)
{
    mblock b = M.b[i];
    M.b[i] = M.b[--M.nb];
    (void)model_check(&b, err_sink());
    msite *s = site_of(b.site);
    s->live_blocks--;
    s->live_bytes -= b.size;
    if (count_free) M.st.frees++;
    M.st.live_blocks--;
    M.st.live_bytes -= b.size;
    if (M.q == 0) {
        expect_free(b.p - b.front);
        return;
    }
    if (M.nq == M.q) drain_one();
    b.freed = true;
    b.reported = false; /* the record starts clean in the quarantine */
    memset(b.dmg, 0, sizeof b.dmg);
    b.fsite = site_register(file, line);
    M.qb[M.nq++] = b;
    M.st.quarantined++;
}

/* A rejected free or realloc of a pointer without a live record. */
static void model_bad_free(const void *p, const char *file, unsigned line)
{
    int qi = -1;
    for (size_t i = 0; i < M.nq; i++)
        if (M.qb[i].p == p) qi = (int)i;
    M.st.bad_frees++;
    expect_report(qi >= 0 ? RTM_ERR_DOUBLE_FREE : RTM_ERR_BAD_PTR, M.t, p);
    if (!M.has_sink) return;
    char s[LINE], at[LINE], fs[LINE];
    site_name(at, sizeof at, file, line);
    if (qi >= 0) {
        site_ix_name(fs, sizeof fs, M.qb[qi].fsite);
        snprintf(s, sizeof s, "rtm_track: double free 0x%" PRIxPTR " at %s freed %s", (uintptr_t)p, at, fs);
    } else {
        snprintf(s, sizeof s, "rtm_track: bad free 0x%" PRIxPTR " at %s", (uintptr_t)p, at);
    }
    add_line(&g_xerr, s);
}

static int live_at(const void *p)
{
    for (size_t i = 0; i < M.nb; i++)
        if (M.b[i].p == p) return (int)i;
    return -1;
}

/* ---- input ------------------------------------------------------------------------------------- */
static size_t size_of(unsigned s)
{
    static const size_t top[4] = {0, 7, 40, 100};
    if (s < 0xF0u) return s;
    if (s < 0xFCu) return (size_t)256u << (s - 0xF0u);
    return SIZE_MAX - top[s - 0xFCu];
}
static size_t align_of(unsigned a)
{
    if (a == 0) return 0;
    if (a == 0x7Fu) return ~(SIZE_MAX >> 1);
    if (a & 0x80u) return ((size_t)2u << (a % 8u)) + 1u;
    return (size_t)1u << (a % 13u);
}
static const char *file_of(unsigned b) { return FILES[b & 3u]; }

/* ---- checks after every step ------------------------------------------------------------------- */
static void check_state(void)
{
    REQUIRE(rtm_track_validate(M.t) == RTM_OK);
    REQUIRE(g_cursor == g_nlog); /* no allocator call the model did not predict */
    g_nlog = g_cursor = 0;
    reports_match();
    lines_match(&g_err, &g_xerr);
    rtm_track_stats st;
    rtm_track_get_stats(M.t, &st);
    const rtm_track_stats *m = &M.st;
    REQUIRE(st.capacity == m->capacity && st.live_blocks == m->live_blocks && st.live_bytes == m->live_bytes &&
            st.peak_bytes == m->peak_bytes && st.quarantined == m->quarantined && st.allocs == m->allocs &&
            st.frees == m->frees && st.failed == m->failed && st.table_full == m->table_full &&
            st.bad_frees == m->bad_frees && st.bad_requests == m->bad_requests && st.overflows == m->overflows &&
            st.after_free_writes == m->after_free_writes && st.sites_full == m->sites_full);
    REQUIRE(M.nb == st.live_blocks && M.nq == st.quarantined);
    if (M.traced) {
        rtm_trace_stats ts;
        rtm_trace_get_stats(&g_trace, &ts);
        REQUIRE(ts.events == M.events);
    }
}

/* The report: the summary, one line per site with allocations, one for the thread. */
static void check_report(void)
{
    rtm_track_report(M.t, sink, &g_out);
    const rtm_track_stats *m = &M.st;
    char s[LINE], nm[LINE];
    snprintf(s, sizeof s,
             "rtm_track: live %zu blocks %zu bytes peak %zu allocs %zu frees %zu failed %zu table_full %zu "
             "bad_frees %zu overflows %zu after_free_writes %zu",
             m->live_blocks, m->live_bytes, m->peak_bytes, m->allocs, m->frees, m->failed, m->table_full,
             m->bad_frees, m->overflows, m->after_free_writes);
    add_line(&g_xout, s);
    for (size_t i = 0; i <= M.nsites; i++) {
        const msite *x = i == M.nsites ? &M.other : &M.site[i];
        if (x->allocs == 0) continue;
        if (i == M.nsites) snprintf(nm, sizeof nm, "(other)");
        else site_name(nm, sizeof nm, x->file, x->line);
        snprintf(s, sizeof s, "site %s live %zu bytes %zu peak %zu allocs %zu", nm, x->live_blocks, x->live_bytes,
                 x->peak_bytes, x->allocs);
        add_line(&g_xout, s);
    }
    if (m->allocs != 0) { /* one thread: its line equals the totals */
        snprintf(s, sizeof s, "thread 0x%" PRIxPTR " live %zu bytes %zu peak %zu allocs %zu frees %zu", M.tid,
                 m->live_blocks, m->live_bytes, m->peak_bytes, m->allocs, m->frees);
        add_line(&g_xout, s);
    }
    lines_match(&g_out, &g_xout);
}

/* Leak lists between allocation indexes [from, until): the count and, with a sink, every line. */
static void check_leaks(uint32_t from, uint32_t until, bool between, bool with_sink)
{
    size_t n = between ? rtm_track_leaks_between(M.t, M.cp0 + from, M.cp0 + until, with_sink ? sink : NULL, &g_out)
                       : rtm_track_leaks_since(M.t, M.cp0 + from, with_sink ? sink : NULL, &g_out);
    size_t want = 0, bytes = 0;
    char s[LINE], nm[LINE];
    for (int si = -1; si < (int)M.nsites; si++) {
        size_t k = 0, kb = 0;
        for (size_t i = 0; i < M.nb; i++) {
            const mblock *b = &M.b[i];
            if (b->site != si || b->seq < from || b->seq >= until) continue;
            k++;
            kb += b->size;
            snprintf(s, sizeof s, "leak block 0x%" PRIxPTR " size %zu thread 0x%" PRIxPTR " age_us * seq %" PRIu32,
                     (uintptr_t)b->p, b->size, M.tid, (uint32_t)(M.cp0 + b->seq));
            add_line(&g_xout, s);
        }
        if (k == 0) continue;
        site_ix_name(nm, sizeof nm, si);
        snprintf(s, sizeof s, "leak site %s blocks %zu bytes %zu", nm, k, kb);
        add_line(&g_xout, s);
        want += k;
        bytes += kb;
    }
    snprintf(s, sizeof s, "leaks since %" PRIu32 " until %" PRIu32 ": %zu blocks %zu bytes", M.cp0 + from,
             M.cp0 + until, want, bytes);
    add_line(&g_xout, s);
    REQUIRE(n == want);
    if (!with_sink) {
        g_xout.n = 0;
        REQUIRE(g_out.n == 0);
        return;
    }
    /* the age is the clock's: "age_us N" compares as "age_us *" */
    for (size_t i = 0; i < g_out.n; i++) {
        char *a = strstr(g_out.line[i], " age_us ");
        if (a == NULL || strncmp(g_out.line[i], "leak block ", 11) != 0) continue;
        char *e = a + 8;
        REQUIRE(*e >= '0' && *e <= '9');
        while (*e >= '0' && *e <= '9') e++;
        memmove(a + 9, e, strlen(e) + 1);
        a[8] = '*';
    }
    lines_match(&g_out, &g_xout);
}

static void check_find(const void *addr, const mblock *want)
{
    rtm_track_info info;
    memset(&info, 0x5C, sizeof info);
    bool found = rtm_track_find(M.t, addr, &info);
    REQUIRE(found == (want != NULL));
    if (!found) return;
    REQUIRE(info.ptr == want->p && info.size == want->size && info.thread == M.tid &&
            info.seq == (uint32_t)(M.cp0 + want->seq));
    if (want->site < 0) REQUIRE(info.file == NULL && info.line == 0);
    else REQUIRE(info.file == M.site[want->site].file && info.line == M.site[want->site].line);
}

/* ---- the refusals that need no tracker ----------------------------------------------------------- */
static void null_refusals(const rtm_track_config *cfg)
{
    rtm_track *t = (rtm_track *)g_foreign;
    REQUIRE(rtm_track_init(NULL, g_tbuf, sizeof g_tbuf, cfg) == RTM_ERR_ARG);
    REQUIRE(rtm_track_init(&t, NULL, sizeof g_tbuf, cfg) == RTM_ERR_ARG && t == NULL);
    t = (rtm_track *)g_foreign;
    REQUIRE(rtm_track_init(&t, g_tbuf, sizeof g_tbuf, NULL) == RTM_ERR_ARG && t == NULL);
    rtm_track_config bad = *cfg;
    bad.allocator.free = NULL;
    t = (rtm_track *)g_foreign;
    REQUIRE(rtm_track_init(&t, g_tbuf, sizeof g_tbuf, &bad) == RTM_ERR_ARG && t == NULL);
    expect_report(RTM_ERR_ARG, NULL, g_tbuf);
    expect_report(RTM_ERR_ARG, NULL, NULL);
    expect_report(RTM_ERR_ARG, NULL, g_tbuf);
    expect_report(RTM_ERR_ARG, NULL, g_tbuf);
    REQUIRE(rtm_track_alloc_at(NULL, 8, 0, "x.c", 1) == NULL);
    expect_report(RTM_ERR_ARG, NULL, NULL);
    rtm_track_free_at(NULL, NULL, "x.c", 1); /* NULL pointer: a no-op, whatever the tracker */
    rtm_track_free_at(NULL, g_foreign, "x.c", 1);
    expect_report(RTM_ERR_ARG, NULL, g_foreign);
    REQUIRE(rtm_track_realloc_at(NULL, g_foreign, 8, "x.c", 1) == NULL);
    expect_report(RTM_ERR_ARG, NULL, g_foreign);
    REQUIRE(rtm_track_realloc_at(NULL, NULL, 8, "x.c", 1) == NULL); /* an alloc */
    expect_report(RTM_ERR_ARG, NULL, NULL);
    REQUIRE(rtm_track_check_all(NULL, sink, &g_out) == RTM_ERR_ARG);
    expect_report(RTM_ERR_ARG, NULL, NULL);
    REQUIRE(rtm_track_validate(NULL) == RTM_ERR_ARG);
    expect_report(RTM_ERR_ARG, NULL, NULL);
    rtm_track_stats st;
    memset(&st, 0xFF, sizeof st);
    rtm_track_get_stats(NULL, &st);
    REQUIRE(st.capacity == 0 && st.allocs == 0 && st.live_blocks == 0 && st.sites_full == 0);
    rtm_track_info info;
    REQUIRE(!rtm_track_find(NULL, g_foreign, &info));
    REQUIRE(rtm_track_checkpoint(NULL) == 0);
    REQUIRE(rtm_track_leaks_since(NULL, 0, sink, &g_out) == 0);
    REQUIRE(rtm_track_leaks_between(NULL, 0, 5, sink, &g_out) == 0);
    rtm_track_report(NULL, sink, &g_out);
    rtm_track_drain(NULL);
    rtm_track_destroy(NULL);
    REQUIRE(g_out.n == 0);
    reports_match();
}

/* ---- one operation ----------------------------------------------------------------------------- */
static void step(reader *r, unsigned o)
{
    unsigned op = o & 15u;
    g_fail = (o >> 4) == 15u ? 1u : (o >> 4) == 14u ? 2u : 0u;
    switch (op) {
    case 1: {
        unsigned sl = u8(r), sb = u8(r);
        if (M.nb == 0) break;
        size_t i = sl % M.nb;
        verify(&M.b[i], SIZE_MAX);
        unsigned char *p = M.b[i].p;
        rtm_track_free_at(M.t, p, file_of(sb), sb >> 2);
        model_free(i, file_of(sb), sb >> 2, true);
        M.events++;
        if (M.nq && M.qb[M.nq - 1].p == p) verify_zones(&M.qb[M.nq - 1]);
        break;
    }
    case 2: {
        unsigned sl = u8(r), sz = u8(r), sb = u8(r);
        size_t size = size_of(sz);
        const char *file = file_of(sb);
        if (M.nb == 0) { /* realloc(NULL, size) is alloc(size) */
            unsigned char *p = rtm_track_realloc_at(M.t, NULL, size, file, sb >> 2);
            REQUIRE(p == model_alloc(size, 0, file, sb >> 2));
            if (p != NULL) verify_zones(&M.b[M.nb - 1]), fill(&M.b[M.nb - 1]), M.events++;
            else if (M.out_of_memory) M.events++; /* traced with object 0 */
            break;
        }
        size_t i = sl % M.nb;
        mblock old = M.b[i];
        verify(&old, SIZE_MAX);
        unsigned char *p = rtm_track_realloc_at(M.t, old.p, size, file, sb >> 2);
        if (size == 0) { /* a free */
            REQUIRE(p == NULL);
            model_free(i, file, sb >> 2, true);
            M.events++;
            break;
        }
        size_t refused = M.st.bad_requests;
        unsigned char *want = model_alloc(size, old.align, file, sb >> 2);
        /* a realloc event, with new_obj 0 if it fails for want of memory; none if its size is
         * refused as bad input (model_alloc counts that in bad_requests) */
        if (M.st.bad_requests == refused) M.events++;
        REQUIRE(p == want);
        if (p == NULL) { /* ptr stays valid, untouched */
            REQUIRE(M.b[i].p == old.p);
            verify(&M.b[i], SIZE_MAX);
            break;
        }
        mblock *nb = &M.b[M.nb - 1];
        verify_zones(nb);
        for (size_t k = 0; k < size && k < old.size; k++) REQUIRE(p[k] == pat(old.id, k));
        fill(nb);
        model_free(i, file, sb >> 2, false); /* M.b[i] is still the old block: the new one is last */
        break;
    }
    case 3: {
        unsigned kind = u8(r), arg = u8(r), sb = u8(r);
        const char *file = file_of(sb);
        unsigned line = sb >> 2;
        unsigned char *p = NULL;
        switch (kind % 4u) {
        case 0:
            if (M.nb == 0) break;
            {
                const mblock *b = &M.b[arg % M.nb];
                p = b->p + 1u + (b->size > 1 ? arg % (b->size - 1u) : 0u);
            }
            break;
        case 1: {
            unsigned char *bufs[3] = {g_tbuf, g_heap_buf, g_foreign};
            p = bufs[arg % 3u] + (arg >> 2) * 8u;
            break;
        }
        case 2:
            if (M.nb == 0) break;
            {
                size_t i = arg % M.nb;
                p = M.b[i].p;
                verify(&M.b[i], SIZE_MAX);
                rtm_track_free_at(M.t, p, file, line);
                model_free(i, file, line, true);
                M.events++;
            }
            break;
        default:
            if (M.nq) p = M.qb[arg % M.nq].p;
            break;
        }
        if (p == NULL || live_at(p) >= 0) break; /* a live block's start is no bad pointer */
        if (kind & 0x80u) {
            size_t size = arg % 3u == 0 ? 0 : size_of(arg);
            REQUIRE(rtm_track_realloc_at(M.t, p, size, file, line) == NULL);
        } else {
            rtm_track_free_at(M.t, p, file, line);
        }
        model_bad_free(p, file, line);
        break;
    }
    case 4:
    case 5: {
        unsigned sl = u8(r), k = u8(r), v = u8(r);
        if (M.nb == 0 || M.guard == 0) break;
        mblock *b = &M.b[sl % M.nb];
        long off = op == 4 ? (long)(b->size + k % M.guard) : -1L - (long)(k % b->front);
        damage(b, off, v);
        break;
    }
    case 6: {
        unsigned sl = u8(r), k = u8(r), v = u8(r);
        if (M.nq == 0) break;
        mblock *b = &M.qb[sl % M.nq];
        size_t extent = b->front + b->size + M.guard;
        long off = (long)(k % extent) - (long)b->front;
        damage(b, off, v);
        break;
    }
    case 7: {
        bool with_sink = (u8(r) & 1u) != 0;
        rtm_err e = rtm_track_check_all(M.t, with_sink ? sink : NULL, &g_out);
        rtm_err want = RTM_OK;
        for (size_t i = 0; i < M.nb; i++)
            if (model_check(&M.b[i], with_sink ? &g_xout : NULL) != RTM_OK) want = RTM_ERR_OVERFLOW;
        for (size_t i = 0; i < M.nq; i++)
            if (model_check(&M.qb[i], with_sink ? &g_xout : NULL) != RTM_OK && want == RTM_OK) want = RTM_ERR_CORRUPT;
        REQUIRE(e == want);
        lines_match(&g_out, &g_xout);
        break;
    }
    case 8: check_report(); break;
    case 9: {
        unsigned kind = u8(r), a = u8(r), b = u8(r);
        bool with_sink = (kind & 0x80u) == 0;
        if (kind % 3u == 0) {
            uint32_t cp = rtm_track_checkpoint(M.t);
            REQUIRE(cp == (uint32_t)(M.cp0 + M.st.allocs));
            if (M.ncp < NCP) M.cps[M.ncp++] = (uint32_t)M.st.allocs;
            else M.cps[a % NCP] = (uint32_t)M.st.allocs;
            break;
        }
        uint32_t from = M.ncp ? M.cps[a % M.ncp] : 0;
        if (kind % 3u == 1) {
            check_leaks(from, (uint32_t)M.st.allocs, false, with_sink);
        } else {
            uint32_t until = M.ncp ? M.cps[b % M.ncp] : (uint32_t)M.st.allocs;
            if (until < from) { /* a window that ends before it starts holds nothing */
                REQUIRE(rtm_track_leaks_between(M.t, M.cp0 + from, M.cp0 + until, NULL, NULL) == 0);
                break;
            }
            check_leaks(from, until, true, with_sink);
        }
        break;
    }
    case 10: {
        unsigned kind = u8(r), sl = u8(r), off = u8(r);
        if (kind % 3u == 0 && M.nb) {
            const mblock *b = &M.b[sl % M.nb];
            size_t extent = b->front + b->size + M.guard;
            check_find(b->p - b->front + (off * 7u + sl) % extent, b);
        } else if (kind % 3u == 1 && M.nq) {
            const mblock *b = &M.qb[sl % M.nq];
            size_t extent = b->front + b->size + M.guard;
            check_find(b->p - b->front + (off * 7u + sl) % extent, NULL);
        } else {
            check_find(g_foreign + off % sizeof g_foreign, NULL);
            check_find(g_tbuf + (off * 64u + sl) % sizeof g_tbuf, NULL);
        }
        break;
    }
    case 11:
        rtm_track_drain(M.t);
        drain_all();
        break;
    case 12: {
        unsigned sl = u8(r);
        if (M.nb == 0) break;
        mblock *b = &M.b[sl % M.nb];
        verify(b, SIZE_MAX);
        b->id = M.next_id++;
        fill(b);
        break;
    }
    default: { /* 0, 13, 14, 15: alloc */
        unsigned sb = u8(r), sz = u8(r), al = u8(r);
        size_t size = size_of(sz), align = align_of(al);
        const char *file = file_of(sb);
        unsigned char *p = rtm_track_alloc_at(M.t, size, align, file, sb >> 2);
        REQUIRE(p == model_alloc(size, align, file, sb >> 2));
        if (p != NULL) {
            verify_zones(&M.b[M.nb - 1]);
            fill(&M.b[M.nb - 1]);
            M.events++;
        } else if (M.out_of_memory) {
            M.events++; /* traced with object 0 */
        }
        break;
    }
    }
    g_fail = 0;
    check_state();
}

/* ---- set-up ------------------------------------------------------------------------------------ */
static rtm_heap *g_heap;
static rtm_slab g_slab;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size, 0};
    rtm_set_error_hook(hook);
    memset(&M, 0, sizeof M);
    g_nrep = g_nxrep = g_nlog = g_cursor = g_fail = g_outstanding = 0;
    g_err.n = g_xerr.n = g_out.n = g_xout.n = 0;
    g_backend = NULL;
    unsigned b0 = u8(&r), b1 = u8(&r), b2 = u8(&r), b3 = u8(&r), b4 = u8(&r);

    /* the backing allocator */
    rtm_san_access(g_heap_buf, sizeof g_heap_buf);
    rtm_san_access(g_slab_buf, sizeof g_slab_buf);
    bool slab = (b1 >> 6) == 3u;
    if (slab) {
        REQUIRE(rtm_slab_init(&g_slab, g_slab_buf, 16u + (b4 & 15u) * 16u, 1u + (b4 >> 4) * 4u) == RTM_OK);
        REQUIRE(rtm_allocator_from_slab(&g_inner, &g_slab) == RTM_OK);
        g_backend = &g_slab;
    } else {
        g_heap = rtm_heap_init(g_heap_buf, 1024u + (b4 & 31u) * 512u, (rtm_fit)(b1 >> 6));
        REQUIRE(g_heap != NULL);
        REQUIRE(rtm_allocator_from_heap(&g_inner, g_heap) == RTM_OK);
        g_backend = g_heap;
    }
    REQUIRE(rtm_allocator_from_heap(NULL, g_heap) == RTM_ERR_ARG && rtm_allocator_from_slab(&g_inner, NULL) == RTM_ERR_ARG);
    g_nrep = 0; /* (those two reports: object and pointer are the adapters' business) */

    rtm_track_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.allocator = (rtm_allocator){w_alloc, w_free, NULL, NULL};
    M.q = b2 & 15u;
    M.has_sink = (b2 & 0x10u) != 0;
    cfg.quarantine = M.q;
    cfg.locked = (b2 & 0x20u) != 0;
    cfg.sink = M.has_sink ? sink : NULL;
    cfg.sink_ctx = &g_err;
    null_refusals(&cfg);
    M.traced = (b2 & 0x40u) != 0;
    if (M.traced) {
        REQUIRE(rtm_trace_init(&g_trace, (b2 & 0x80u) ? RTM_TRACE_TEXT : RTM_TRACE_BINARY, g_trace_buf,
                               sizeof g_trace_buf, 1000000u, trace_sink, &g_trace) == RTM_OK);
        cfg.trace = &g_trace;
    }

    memset(g_tbuf, CANARY, sizeof g_tbuf);
    unsigned char *mem = g_tbuf + (b3 >> 7) * 5u;
    rtm_track *t = (rtm_track *)g_foreign;
    /* refused sizes: the sites, the guard */
    size_t sites = b0 % 20u;
    if (sites == 0 || sites == 19) {
        cfg.max_sites = sites == 0 ? 0 : 65535u;
        REQUIRE(rtm_track_init(&t, mem, 16384, &cfg) == RTM_ERR_SIZE && t == NULL);
        expect_report(RTM_ERR_SIZE, NULL, mem);
        sites = 1;
    }
    cfg.max_sites = sites;
    if (b1 & 0x20u) {
        cfg.guard = SIZE_MAX / 4u + 1u;
        t = (rtm_track *)g_foreign;
        REQUIRE(rtm_track_init(&t, mem, 16384, &cfg) == RTM_ERR_SIZE && t == NULL);
        expect_report(RTM_ERR_SIZE, NULL, mem);
    }
    cfg.guard = b1 & 31u;
    reports_match();
    for (size_t i = 0; i < sizeof g_tbuf; i++) REQUIRE(g_tbuf[i] == CANARY);

    size_t recs = b3 & 63u;
    size_t bytes = (b3 & 0x40u) ? RTM_TRACK_BYTES(0, sites, 0) * (recs + 1u) / 65u : RTM_TRACK_BYTES(recs, sites, M.q);
    REQUIRE(bytes + 5u <= sizeof g_tbuf);
    t = (rtm_track *)g_foreign;
    rtm_err e = rtm_track_init(&t, mem, bytes, &cfg);
    bool must = (b3 & 0x40u) == 0 && recs >= 1;
    if (e != RTM_OK) {
        REQUIRE(!must && e == RTM_ERR_TOO_SMALL && t == NULL);
        expect_report(RTM_ERR_TOO_SMALL, NULL, mem);
        reports_match();
        for (size_t i = 0; i < sizeof g_tbuf; i++) REQUIRE(g_tbuf[i] == CANARY);
        recs = 1;
        bytes = RTM_TRACK_BYTES(1, sites, M.q);
        REQUIRE(rtm_track_init(&t, mem, bytes, &cfg) == RTM_OK);
        must = true;
    }
    REQUIRE(t != NULL && (unsigned char *)t >= mem && (unsigned char *)t < mem + bytes);
    M.t = t;
    M.sites_max = sites;
    M.guard = cfg.guard == 0 ? 0 : align_up(cfg.guard, A);
    M.tid = rtm_port_thread_id();
    rtm_track_stats st;
    rtm_track_get_stats(t, &st);
    M.cap = st.capacity;
    M.st.capacity = st.capacity;
    REQUIRE(M.cap >= M.q + 1u && M.cap < MAXB);
    if (must) REQUIRE(M.cap >= recs + M.q);
    M.cp0 = rtm_track_checkpoint(t);
    check_state();

    while (r.at < r.n) step(&r, u8(&r));

    /* the end: every block freed, the quarantine drained, the allocator empty */
    while (M.nb) {
        verify(&M.b[0], SIZE_MAX);
        rtm_track_free_at(t, M.b[0].p, "end.c", 1);
        model_free(0, "end.c", 1, true);
        M.events++;
        check_state();
    }
    rtm_track_drain(t);
    drain_all();
    check_state();
    check_report();
    REQUIRE(g_outstanding == 0);
    for (size_t i = 0; i < (size_t)(mem - g_tbuf); i++) REQUIRE(g_tbuf[i] == CANARY);
    for (size_t i = (size_t)(mem - g_tbuf) + bytes; i < sizeof g_tbuf; i++) REQUIRE(g_tbuf[i] == CANARY);
    rtm_track_destroy(t);
    if (slab) {
        REQUIRE(rtm_slab_destroy(&g_slab) == RTM_OK);
    } else {
        rtm_heap_stats hs;
        rtm_heap_get_stats(g_heap, &hs);
        REQUIRE(hs.used == 0);
    }
    g_backend = NULL;
    rtm_set_error_hook(NULL);
    return 0;
}
