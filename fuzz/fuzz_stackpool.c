/*
 * libFuzzer target for the stack pool (rtmem/stackpool.h): the input configures one pool, good or
 * bad, then acquires, "runs" (writes into), measures and releases its stacks, and makes every
 * kind of bad call the header names.
 *
 * Input: byte 0 the alignment: bits 0-3 s, bits 4-5 form: 0 1 << s, 1 3 << s (not a power of two),
 * 2 0, 3 (SIZE_MAX >> 1) + 1; byte 1 the buffer's offset in a 4 KiB-aligned static array: bit 7
 * clear 0 (aligned for every alignment up to 4 KiB), set (b & 127) bytes; bytes 2-3 v the stack
 * size: v >= 0xFFF0: SIZE_MAX - (v & 15); 0xFF00..0xFFEF: RTM_STACKPOOL_GUARD - 16 + (v & 31)
 * (around the smallest size allowed); else v % 4096; byte 4 c the count: below 0xF0 c % 32,
 * 0xF0..0xF7 0xFFFFFF00 - 4 + (c & 7) (around the largest allowed), 0xF8.. SIZE_MAX - (c & 7);
 * byte 5 t the buffer size: bit 7 set RTM_STACKPOOL_BUF_SIZE + (t & 127), else that minus (t & 7)
 * (exact for t & 7 = 0), capped at the bytes the array has from the buffer on (the array's bytes
 * for a layout that overflows, or an alignment init must refuse: no layout is computed for it).
 * rtm_stackpool_init must do what stackpool.h says: refuse (exactly one report with the code
 * returned, the pool object and the whole array untouched) iff NULL p or buf (RTM_ERR_ARG), the
 * alignment is not a power of two, below RTM_ALIGN or the buffer is not aligned to it
 * (RTM_ERR_ALIGN), the stack size is not a multiple of RTM_ALIGN or not above RTM_STACKPOOL_GUARD,
 * the count is 0 or above 0xFFFFFF00, or the layout overflows (RTM_STACKPOOL__FITS false)
 * (RTM_ERR_SIZE), or the buffer is below RTM_STACKPOOL_BUF_SIZE (RTM_ERR_TOO_SMALL); with several
 * reasons, any of their codes. (A buffer whose end would wrap round the address space may also be
 * called a layout overflow: RTM_ERR_SIZE is then allowed besides RTM_ERR_TOO_SMALL.) NULL p and
 * NULL buf are refused on every input. After a refusal the input ends.
 * Then operations of 1 opcode byte (% 8) plus operand bytes (missing bytes read as 0):
 *   0 acquire                  1 release slot:1         2 run slot:1 v:2
 *   3 used slot:1              4 bad release kind:1 x:2 5 bad call kind:1
 *   6 release all              7 acquire until NULL (at most count + 1 calls, count <= 31)
 * run: v bit 15 clear: the "thread" writes the v % (size + 1) bytes at the near end (the top of a
 * down-growing stack), bit 15 set: one byte at v % size bytes from the far end (a frame that
 * skipped to it); written bytes never equal RTM_STACK_PAINT_BYTE.
 * bad release (kind % 4; bit 2: rtm_stackpool_used instead of release, which must report and count
 * the same and return 0): 0 NULL stack, 1 a stack's base + 1 + x % (stride - 1) (interior or gap),
 * 2 outside: below the buffer, the state after the stacks, or a static array elsewhere (x % 3),
 * 3 a stack that is not acquired (never handed out, or released: RTM_ERR_DOUBLE_FREE), or, if it
 * is, release it and release it again. RTM_ERR_BAD_PTR for kinds 0-2.
 * bad calls (kind % 8): 0 acquire(NULL), 1 release(NULL, stack) (RTM_ERR_ARG, not counted, the
 * stack stays acquired), 2 used(NULL, stack), 3 stack_size(NULL) (0) and stack_size(p), 4
 * get_stats(NULL, out) (out zero-filled), 5 get_stats(p, NULL), 6 check(NULL), 7 deinit(NULL):
 * each reported once (RTM_ERR_ARG; stack_size(p) not at all), none counted (release and
 * get_stats say so for a NULL pool; get_stats(p, NULL) is not counted either: bad_releases counts
 * "releases rejected", stats.h's field comment, and get_stats's own comment names no counter).
 * The model: which stacks are acquired (an acquire may return any stack that is not, aligned to
 * align, stack i at buf + i * stride; it fails, counted and not reported, iff all are) and a copy
 * of each acquired stack's bytes (all paint after acquire, then the run writes). used() and
 * release measure S - unused, unused = the run of paint bytes from the far end; release returns
 * RTM_ERR_OVERFLOW (reported, counted, the stack released) iff unused < RTM_STACKPOOL_GUARD;
 * worst_used is the largest measure at a release. After every step: rtm_stackpool_check is RTM_OK,
 * the statistics equal the model's (count, stack_size, in_use, max_in_use, worst_used, acquires,
 * releases, failed, bad_releases, overflows), the reports are exactly the expected ones, and the
 * stack the step used still equals its copy (every acquired stack is compared before its release
 * and at the end); at the end the bytes around the pool's layout (before buf, after
 * RTM_STACKPOOL_BUF_SIZE) are untouched. Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_sanitize.h"
#include "rtmem/stackpool.h"

#include "fuzz_common.h"

#define MAXN 32u
#define MAXS 4096u
#define ARRAY (MAXN * (MAXS + 4096u) + 8192u)
#define CANARY 0x5Au
#define PAINT ((unsigned char)RTM_STACK_PAINT_BYTE)

static _Alignas(4096) unsigned char g_buf[ARRAY];
static unsigned char g_copy[MAXN][MAXS]; /* model of acquired stack i's bytes */
static _Alignas(64) unsigned char g_outside[256];

/* ---- the model ----------------------------------------------------------------------------------- */
static struct {
    rtm_stackpool p;
    unsigned char *buf;
    size_t size, count, stride, need;
    bool live[MAXN];
    size_t nlive;
    rtm_stackpool_stats st; /* what get_stats must say */
} g;

static unsigned char *stack_at(size_t i) { return g.buf + i * g.stride; }

/* Logical offset d from the far end (the end the stack reaches last) -> byte index in the stack. */
static size_t far(size_t d) { return RTM_STACK_GROWS_UP ? g.size - 1u - d : d; }

static size_t model_unused(size_t i)
{
    size_t d = 0;
    while (d < g.size && g_copy[i][far(d)] == PAINT) d++;
    return d;
}

static void verify(size_t i)
{
    REQUIRE(g.live[i]);
    REQUIRE(memcmp(stack_at(i), g_copy[i], g.size) == 0);
}

static void check_all(void)
{
    REQUIRE(rtm_stackpool_check(&g.p) == RTM_OK);
    rtm_stackpool_stats s;
    rtm_stackpool_get_stats(&g.p, &s);
    const rtm_stackpool_stats *m = &g.st;
    REQUIRE(s.count == m->count && s.stack_size == m->stack_size && s.in_use == m->in_use &&
            s.max_in_use == m->max_in_use && s.worst_used == m->worst_used && s.acquires == m->acquires &&
            s.releases == m->releases && s.failed == m->failed && s.bad_releases == m->bad_releases &&
            s.overflows == m->overflows);
    REQUIRE(g.nlive == m->in_use);
    REQUIRE(fuzz_reports == fuzz_reports_expected);
}

/* Acquire through the pool and the model; false when it returned NULL. */
static bool acquire(void)
{
    unsigned char *s = rtm_stackpool_acquire(&g.p);
    if (g.nlive == g.count) {
        REQUIRE(s == NULL); /* flow control: counted, not reported */
        g.st.failed++;
        REQUIRE(fuzz_reports == fuzz_reports_expected);
        return false;
    }
    REQUIRE(s != NULL && s >= g.buf && (size_t)(s - g.buf) % g.stride == 0);
    size_t i = (size_t)(s - g.buf) / g.stride;
    REQUIRE(i < g.count && !g.live[i] && ((uintptr_t)s & (g.p.align - 1u)) == 0);
    for (size_t k = 0; k < g.size; k++) REQUIRE(s[k] == PAINT); /* painted whole */
    g.live[i] = true;
    g.nlive++;
    memset(g_copy[i], PAINT, g.size);
    g.st.acquires++;
    if (++g.st.in_use > g.st.max_in_use) g.st.max_in_use = g.st.in_use;
    return true;
}

/* The k-th acquired stack (k taken modulo their number), or count if none. */
static size_t nth_live(unsigned k)
{
    if (g.nlive == 0) return g.count;
    k %= (unsigned)g.nlive;
    for (size_t i = 0; i < g.count; i++)
        if (g.live[i] && k-- == 0) return i;
    REQUIRE(0);
    return 0;
}

static void release(size_t i)
{
    verify(i);
    size_t used = g.size - model_unused(i);
    bool overflow = model_unused(i) < RTM_STACKPOOL_GUARD;
    rtm_err e = rtm_stackpool_release(&g.p, stack_at(i));
    if (overflow) {
        REQUIRE(e == RTM_ERR_OVERFLOW);
        fuzz_expect_report(EBIT(RTM_ERR_OVERFLOW));
        g.st.overflows++;
    } else {
        REQUIRE(e == RTM_OK && fuzz_reports == fuzz_reports_expected);
    }
    g.live[i] = false;
    g.nlive--;
    g.st.in_use--;
    g.st.releases++;
    if (used > g.st.worst_used) g.st.worst_used = used;
}

/* A rejected release (or used, @p by_used) of @p s: code @p want, reported and counted. */
static void bad_release(const void *s, rtm_err want, bool by_used)
{
    if (by_used) REQUIRE(rtm_stackpool_used(&g.p, s) == 0);
    else REQUIRE(rtm_stackpool_release(&g.p, (void *)(uintptr_t)s) == want);
    fuzz_expect_report(EBIT(want));
    g.st.bad_releases++;
}

static void run(size_t i, unsigned v)
{
    unsigned char *s = stack_at(i);
    if (v & 0x8000u) {
        size_t k = far(v % g.size);
        s[k] = g_copy[i][k] = (unsigned char)(PAINT ^ (1u + v % 255u));
    } else {
        size_t n = v % (g.size + 1u);
        for (size_t d = g.size - n; d < g.size; d++) {
            size_t k = far(d);
            s[k] = g_copy[i][k] = (unsigned char)(PAINT ^ (1u + (d * 7u + v) % 255u));
        }
    }
    verify(i);
}

static void bad_calls(unsigned k)
{
    size_t i = nth_live(k >> 3);
    rtm_stackpool_stats out;
    switch (k % 8u) {
    case 0:
        REQUIRE(rtm_stackpool_acquire(NULL) == NULL);
        break;
    case 1:
        REQUIRE(rtm_stackpool_release(NULL, i < g.count ? stack_at(i) : g.buf) == RTM_ERR_ARG);
        break;
    case 2:
        REQUIRE(rtm_stackpool_used(NULL, i < g.count ? stack_at(i) : g.buf) == 0);
        break;
    case 3:
        REQUIRE(rtm_stackpool_stack_size(&g.p) == g.size && fuzz_reports == fuzz_reports_expected);
        REQUIRE(rtm_stackpool_stack_size(NULL) == 0);
        break;
    case 4:
        memset(&out, 0xA5, sizeof out);
        rtm_stackpool_get_stats(NULL, &out);
        REQUIRE(out.count == 0 && out.stack_size == 0 && out.in_use == 0 && out.max_in_use == 0 &&
                out.worst_used == 0 && out.acquires == 0 && out.releases == 0 && out.failed == 0 &&
                out.bad_releases == 0 && out.overflows == 0);
        break;
    case 5:
        rtm_stackpool_get_stats(&g.p, NULL);
        break;
    case 6:
        REQUIRE(rtm_stackpool_check(NULL) == RTM_ERR_ARG);
        break;
    default:
        rtm_stackpool_deinit(NULL);
        break;
    }
    fuzz_expect_report(EBIT(RTM_ERR_ARG));
}

static void bad_op(unsigned k, unsigned x)
{
    bool by_used = (k & 4u) != 0;
    switch (k % 4u) {
    case 0:
        bad_release(NULL, RTM_ERR_BAD_PTR, by_used);
        break;
    case 1:
        if (g.stride > 1u) bad_release(stack_at(x % g.count) + 1u + x % (g.stride - 1u), RTM_ERR_BAD_PTR, by_used);
        break;
    case 2: {
        const unsigned char *s;
        if (x % 3u == 0) s = g.buf > g_buf ? g_buf + x % (size_t)(g.buf - g_buf) : g_outside + x % 200u;
        else if (x % 3u == 1) s = g.buf + g.count * g.stride + (x >> 2) % (g.count * sizeof(uint32_t));
        else s = g_outside + x % 200u;
        bad_release(s, RTM_ERR_BAD_PTR, by_used);
        break;
    }
    default: {
        size_t i = x % g.count;
        if (g.live[i]) release(i);
        bad_release(stack_at(i), RTM_ERR_DOUBLE_FREE, by_used);
        break;
    }
    }
}

/* ---- configuration ------------------------------------------------------------------------------- */
__attribute__((no_sanitize("address", "coverage"))) static bool canary_outside(size_t from, size_t to)
{
    for (size_t i = 0; i < sizeof g_buf; i++)
        if ((i < from || i >= to) && g_buf[i] != CANARY) return false;
    return true;
}

/* The layout size per stackpool.h, false when it overflows (RTM_STACKPOOL__FITS false). */
static bool layout(size_t size, size_t count, size_t align, size_t *stride, size_t *need)
{
    if (!RTM_STACKPOOL__FITS(size, count, align)) return false;
    *stride = RTM_STACKPOOL_STRIDE(size, align);
    *need = RTM_STACKPOOL_BUF_SIZE(size, count, align);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader rd = {data, size, 0}, *r = &rd;
    rtm_san_access(g_buf, sizeof g_buf);
    memset(g_buf, CANARY, sizeof g_buf);
    memset(&g, 0, sizeof g);
    rtm_set_error_hook(fuzz_count_hook);
    fuzz_reports = fuzz_reports_expected = 0;

    unsigned a = u8(r), m = u8(r), v = u16(r), c = u8(r), t = u8(r);
    size_t sh = a & 15u, align;
    switch ((a >> 4) & 3u) {
    case 0: align = (size_t)1 << sh; break;
    case 1: align = (size_t)3 << sh; break;
    case 2: align = 0; break;
    default: align = (SIZE_MAX >> 1) + 1u; break;
    }
    size_t off = m & 0x80u ? m & 127u : 0;
    unsigned char *buf = g_buf + off;
    size_t ssize, count;
    if (v >= 0xFFF0u) ssize = SIZE_MAX - (v & 15u);
    else if (v >= 0xFF00u) ssize = RTM_STACKPOOL_GUARD - 16u + (v & 31u);
    else ssize = v % 4096u;
    if (c < 0xF0u) count = c % 32u;
    else if (c < 0xF8u) count = 0xFFFFFF00u - 4u + (c & 7u);
    else count = SIZE_MAX - (c & 7u);
    size_t room = sizeof g_buf - off, stride = 0, need = 0, bsize = room;
    bool pow2 = align != 0 && (align & (align - 1u)) == 0;
    /* The layout only for an alignment the header allows: RTM_STACKPOOL__FITS divides by stride + 4,
     * which wraps to 0 for a stride of SIZE_MAX - 3 (possible with an alignment below 4). */
    bool good_align = pow2 && align >= RTM_ALIGN;
    bool fits = good_align && layout(ssize, count, align, &stride, &need);
    if (fits) {
        size_t want = t & 0x80u ? need + (t & 127u) : need - (need < (t & 7u) ? need : (t & 7u));
        bool wrapped = (t & 0x80u) && want < need;
        bsize = wrapped || want > room ? room : want;
    }

    /* What stackpool.h allows: must (any one of these codes) and may (also acceptable). */
    unsigned must = 0, may = 0;
    if (!pow2 || align < RTM_ALIGN || ((uintptr_t)buf & (align - 1u)) != 0) must |= EBIT(RTM_ERR_ALIGN);
    if (ssize % RTM_ALIGN != 0 || ssize <= RTM_STACKPOOL_GUARD || count == 0 || count > 0xFFFFFF00u)
        must |= EBIT(RTM_ERR_SIZE);
    if (good_align && !fits) must |= EBIT(RTM_ERR_SIZE);
    if (!good_align) may |= EBIT(RTM_ERR_SIZE); /* refused anyway; its layout may overflow too */
    if (fits && bsize < need) {
        must |= EBIT(RTM_ERR_TOO_SMALL);
        if ((uintptr_t)buf + need < (uintptr_t)buf) may |= EBIT(RTM_ERR_SIZE);
    }

    rtm_stackpool canary;
    memset(&canary, 0xA5, sizeof canary);
    REQUIRE(rtm_stackpool_init(NULL, buf, bsize, ssize, count, align) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | must | may);
    memcpy(&g.p, &canary, sizeof g.p);
    REQUIRE(rtm_stackpool_init(&g.p, NULL, bsize, ssize, count, align) != RTM_OK);
    fuzz_expect_report(EBIT(RTM_ERR_ARG) | must | may);
    REQUIRE(memcmp(&g.p, &canary, sizeof g.p) == 0);
    REQUIRE(canary_outside(0, 0));

    rtm_err e = rtm_stackpool_init(&g.p, buf, bsize, ssize, count, align);
    if (must != 0) {
        REQUIRE(e != RTM_OK && ((must | may) & EBIT(e)) != 0);
        fuzz_expect_report(EBIT(e));
        REQUIRE(memcmp(&g.p, &canary, sizeof g.p) == 0);
        REQUIRE(canary_outside(0, 0));
        rtm_set_error_hook(NULL);
        return 0;
    }
    REQUIRE(e == RTM_OK && fuzz_reports == fuzz_reports_expected);
    REQUIRE(count <= 31u && ssize < MAXS); /* what the input can make fit the array */
    g.buf = buf, g.size = ssize, g.count = count, g.stride = stride, g.need = need;
    g.st.count = count, g.st.stack_size = ssize;
    check_all();

    while (r->at < r->n) {
        unsigned op = u8(r) % 8u;
        switch (op) {
        case 0:
            acquire();
            break;
        case 1: {
            size_t i = nth_live(u8(r));
            if (i < g.count) release(i);
            break;
        }
        case 2: {
            size_t i = nth_live(u8(r));
            unsigned x = u16(r);
            if (i < g.count) run(i, x);
            break;
        }
        case 3: {
            size_t i = nth_live(u8(r));
            if (i < g.count) {
                REQUIRE(rtm_stackpool_used(&g.p, stack_at(i)) == g.size - model_unused(i));
                verify(i);
            }
            break;
        }
        case 4: {
            unsigned k = u8(r), x = u16(r);
            bad_op(k, x);
            break;
        }
        case 5:
            bad_calls(u8(r));
            break;
        case 6:
            for (size_t i = 0; i < g.count; i++)
                if (g.live[i]) release(i);
            break;
        default:
            for (size_t n = 0; n <= g.count && acquire(); n++) {}
            break;
        }
        check_all();
    }
    for (size_t i = 0; i < g.count; i++)
        if (g.live[i]) release(i);
    check_all();
    rtm_stackpool_deinit(&g.p);
    REQUIRE(fuzz_reports == fuzz_reports_expected);
    REQUIRE(canary_outside(off, off + need));
    rtm_set_error_hook(NULL);
    return 0;
}
