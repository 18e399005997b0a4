/*
 * The reference workloads A, B, C and A64 of ../shared/WORKLOADS.md replayed on the target's real
 * instruction set, every alloc and every free counted by the emulator: QEMU runs with -icount
 * shift=7, so SysTick (25 MHz, free-running, no interrupt) advances exactly 3.2 ticks per
 * instruction (board_icount_start/read, as targets/bench_test.c). The count is taken around each
 * call and the counter read's own cost is subtracted, as bench_test.c does.
 *
 * The ops come from tools/lib/workloads_gen.c, the same generator the host benchmark uses, one op at
 * a time (no op list in RAM); the generator runs outside the counted window. Each run checks the
 * totals WORKLOADS.md publishes (allocations, peak live bytes) and that no allocation failed in the
 * 1 MiB arena (as the x86 bench), so a wrong replay cannot pass as a measurement.
 *
 * Output, one line per workload and policy:
 *   BENCHWL <board> <opt> <W> <policy> allocs=N frees=N peak_live=B failures=F
 *           alloc_mean=X.XX alloc_max=N free_mean=X.XX free_max=N     (one line)
 * and first one line with what the calls themselves cost:
 *   BENCHCALL <board> <opt> alloc=N aligned=N free=N
 * A count above includes the call sequence (argument set-up, the call, on i386 the stack
 * adjustment after it); callgrind's inclusive count of a function is its own instructions, return
 * included. Every counted call goes through one of three out-of-line helpers (counted_alloc,
 * counted_aligned, counted_free) that call through a function pointer, so the instructions around
 * the call are the same whichever function is called; BENCHCALL is what the helpers count for
 * stand-ins that only return (2 instructions for the allocations: clear the result register and
 * return; 1 for free). The call sequence is therefore N - 2, N - 2 and N - 1, exactly, and
 * bench/report.py takes it off where it sets these counts next to callgrind's. Checked on pc-i386
 * against a QEMU -singlestep trace of every instruction executed between each entry and return
 * (docs/bench.md).
 * Built against the release core (no RTM_DEBUG, no per-op heap checks). Compile-time options:
 *   BENCH_WL_MASK     bit i selects workload i (A, B, C, A64); default all
 *   BENCH_WL_FITS     bit i selects policy i (good, best, first); default all
 *   BENCH_WL_MAX_OPS  replay only the first N ops of each workload (0: all; totals then unchecked)
 *   BENCH_WL_OPT      the core's optimisation level, for the output ("O2", "Os")
 *   BENCH_WC          1: also the worst case of WORKLOADS.md (V1 and V2, K = 1,000 and 10,000,
 *                     every policy, a 4 MiB arena) and good fit's longest path (small and large),
 *                     the constructions of workloads_gen.h; one alloc and its free each:
 *                       BENCHWC <board> <opt> <V> <K> <policy> alloc=N free=N null=0|1
 *                       BENCHPATH <board> <opt> <small|large> alloc=N free=N classes_visited=N
 *                     (counts as in BENCHWL: the call sequence included). Default 0 (the Cortex-M3
 *                     board has 4 MiB of RAM in all).
 */
#include "rtmem/heap.h"
#include "tgt.h"
#include "workloads_gen.h"


#ifndef BENCH_WL_MASK
#define BENCH_WL_MASK 0xFu
#endif
#ifndef BENCH_WL_FITS
#define BENCH_WL_FITS 0x7u
#endif
#ifndef BENCH_WL_MAX_OPS
#define BENCH_WL_MAX_OPS 0u
#endif
#ifndef BENCH_WL_OPT
#define BENCH_WL_OPT "O2"
#endif
#ifndef BENCH_WC
#define BENCH_WC 0
#endif

#define ARENA_BYTES (1024u * 1024u)
static unsigned char g_arena[ARENA_BYTES] __attribute__((aligned(16)));
static rtm_wlgen g_gen;
static void *g_ptr[RTM_WLGEN_MAX_IDS];
static uint32_t g_overhead;

typedef struct {
    uint32_t n, max;
    uint64_t sum;
} stat;

/* A count less what the counter reads cost by themselves (tgt_icount_calibrate). */
static uint32_t net_of(uint32_t c) { return c > g_overhead ? c - g_overhead : 0; }

static void stat_add(stat *s, uint32_t c)
{
    uint32_t v = net_of(c);
    if (v > s->max) s->max = v;
    s->sum += v;
    s->n++;
}

/* mean with two decimals */
static void put_mean(const stat *s)
{
    uint64_t m = s->n ? (s->sum * 100u + s->n / 2u) / s->n : 0;
    tgt_put_u(m / 100u);
    tgt_puts(".");
    if (m % 100u < 10u) tgt_puts("0");
    tgt_put_u(m % 100u);
}

/* WORKLOADS.md totals: allocations and peak live bytes (A64 = A). */
static const uint32_t k_allocs[RTM_WL_COUNT_] = {500493u, 500489u, 500032u, 500493u};
static const uint32_t k_peak[RTM_WL_COUNT_] = {142144u, 157749u, 105762u, 142144u};

/* The counted calls (see the top): one helper per signature, out of line, the callee through a
 * pointer, so that the stand-ins of measure_calls() are counted with the very same instructions. */
typedef void *(*alloc_fn)(rtm_heap *h, size_t bytes);
typedef void *(*aligned_fn)(rtm_heap *h, size_t align, size_t bytes);
typedef void (*free_fn)(rtm_heap *h, void *p);

__attribute__((noinline)) static void *counted_alloc(alloc_fn fn, rtm_heap *h, size_t bytes, uint32_t *count)
{
    uint32_t t = board_icount_start();
    void *p = fn(h, bytes);
    *count = board_icount_read(t);
    return p;
}
__attribute__((noinline)) static void *counted_aligned(aligned_fn fn, rtm_heap *h, size_t align, size_t bytes,
                                                      uint32_t *count)
{
    uint32_t t = board_icount_start();
    void *p = fn(h, align, bytes);
    *count = board_icount_read(t);
    return p;
}
__attribute__((noinline)) static uint32_t counted_free(free_fn fn, rtm_heap *h, void *p)
{
    uint32_t t = board_icount_start();
    fn(h, p);
    return board_icount_read(t);
}

static void run(rtm_workload w, rtm_fit fit)
{
    stat sa = {0}, sf = {0};
    uint32_t failures = 0, misaligned = 0, bad_free = 0;
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    TGT_REQUIRE(rtm_wlgen_init(&g_gen, w));
    for (unsigned i = 0; i < RTM_WLGEN_MAX_IDS; i++) g_ptr[i] = NULL;
    rtm_op op;
    static const uint32_t max_ops = BENCH_WL_MAX_OPS; /* 0: no limit */
    uint32_t ops = 0;
    while ((max_ops == 0u || ops < max_ops) && rtm_wlgen_next(&g_gen, &op)) {
        ops++;
        if (op.kind == RTM_OP_FREE) {
            void *p = g_ptr[op.id];
            if (p == NULL) { /* its allocation failed: nothing to free, nothing measured */
                bad_free++;
                continue;
            }
            stat_add(&sf, counted_free(rtm_heap_free, h, p));
            g_ptr[op.id] = NULL;
        } else if (op.kind == RTM_OP_ALIGNED) {
            size_t align = (size_t)1 << op.align_log2;
            uint32_t c;
            void *p = counted_aligned(rtm_heap_aligned_alloc, h, align, op.size, &c);
            stat_add(&sa, c);
            if (p == NULL) failures++;
            if (((uintptr_t)p & (align - 1u)) != 0) misaligned++;
            g_ptr[op.id] = p;
        } else {
            uint32_t c;
            void *p = counted_alloc(rtm_heap_alloc, h, op.size, &c);
            stat_add(&sa, c);
            if (p == NULL) failures++;
            g_ptr[op.id] = p;
        }
    }
    const rtm_workload_info *info = rtm_wlgen_info(&g_gen);
    tgt_puts("  BENCHWL ");
    tgt_puts(board_name());
    tgt_puts(" " BENCH_WL_OPT " ");
    tgt_puts(rtm_workload_name(w));
    tgt_puts(" ");
    tgt_puts(rtm_fit_name(fit));
    tgt_puts(" allocs=");
    tgt_put_u(sa.n);
    tgt_puts(" frees=");
    tgt_put_u(sf.n);
    tgt_puts(" peak_live=");
    tgt_put_u(info->peak_live);
    tgt_puts(" failures=");
    tgt_put_u(failures);
    tgt_puts(" alloc_mean=");
    put_mean(&sa);
    tgt_puts(" alloc_max=");
    tgt_put_u(sa.max);
    tgt_puts(" free_mean=");
    put_mean(&sf);
    tgt_puts(" free_max=");
    tgt_put_u(sf.max);
    tgt_puts("\n");
    TGT_CHECK(failures == 0 && misaligned == 0 && bad_free == 0);
    TGT_CHECK(sa.n > 0 && sf.n > 0);
    if (BENCH_WL_MAX_OPS == 0) {
        TGT_CHECK(sa.n == k_allocs[w] && info->allocs == k_allocs[w]);
        TGT_CHECK(sf.n == sa.n); /* the clean-up freed everything */
        TGT_CHECK(info->peak_live == k_peak[w]);
    }
    TGT_CHECK(rtm_heap_check(h) == RTM_OK);
}

/* Stand-ins with the signatures of the measured calls and nothing but a return: noipa, so that the
 * compiler assumes nothing about them. */
__attribute__((noinline, noipa)) static void *stub_alloc(rtm_heap *h, size_t bytes)
{
    (void)h;
    (void)bytes;
    return NULL;
}
__attribute__((noinline, noipa)) static void *stub_aligned(rtm_heap *h, size_t align, size_t bytes)
{
    (void)h;
    (void)align;
    (void)bytes;
    return NULL;
}
__attribute__((noinline, noipa)) static void stub_free(rtm_heap *h, void *p)
{
    (void)h;
    (void)p;
}

/* The BENCHCALL line: each stand-in counted by the helper that counts the real call. The least of
 * a few runs (the counts are deterministic under -icount; the first could differ by a cold path). */
static void measure_calls(void)
{
    rtm_heap *h = (rtm_heap *)(uintptr_t)g_arena;
    uint32_t best[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX}, c[3];
    for (unsigned i = 0; i < 4; i++) {
        (void)counted_alloc(stub_alloc, h, 100u + i, &c[0]);
        (void)counted_aligned(stub_aligned, h, 64u, 100u + i, &c[1]);
        c[2] = counted_free(stub_free, h, g_arena + 8);
        for (unsigned k = 0; k < 3; k++)
            if (net_of(c[k]) < best[k]) best[k] = net_of(c[k]);
    }
    tgt_puts("  BENCHCALL ");
    tgt_puts(board_name());
    tgt_puts(" " BENCH_WL_OPT " alloc=");
    tgt_put_u(best[0]);
    tgt_puts(" aligned=");
    tgt_put_u(best[1]);
    tgt_puts(" free=");
    tgt_put_u(best[2]);
    tgt_puts("\n");
}

#if BENCH_WC
_Static_assert(RTM_PATH_ARENA <= ARENA_BYTES, "the path construction uses g_arena");
static unsigned char g_wc_arena[RTM_WC_ARENA] __attribute__((aligned(16)));
static void *g_frag[10000];

/* The counts of one alloc (of `bytes`) and its free, each less the counter's own cost. */
static void count_pair(rtm_heap *h, size_t bytes, uint32_t *alloc, uint32_t *free_, void **p)
{
    uint32_t c;
    *p = counted_alloc(rtm_heap_alloc, h, bytes, &c);
    *alloc = net_of(c);
    *free_ = net_of(counted_free(rtm_heap_free, h, *p));
}

static void run_wc(rtm_wc_variant v, size_t k, rtm_fit fit)
{
    rtm_heap *h = rtm_heap_init(g_wc_arena, sizeof g_wc_arena, fit);
    TGT_REQUIRE(h != NULL && k <= sizeof g_frag / sizeof g_frag[0]);
    TGT_REQUIRE(rtm_wc_construct(h, v, k, g_frag, NULL));
    size_t fragment, probe;
    rtm_wc_sizes(v, &fragment, &probe);
    uint32_t a, f;
    void *p;
    count_pair(h, probe, &a, &f, &p);
    tgt_puts("  BENCHWC ");
    tgt_puts(board_name());
    tgt_puts(" " BENCH_WL_OPT " ");
    tgt_puts(v == RTM_WC_V1 ? "V1 " : "V2 ");
    tgt_put_u(k);
    tgt_puts(" ");
    tgt_puts(rtm_fit_name(fit));
    tgt_puts(" alloc=");
    tgt_put_u(a);
    tgt_puts(" free=");
    tgt_put_u(f);
    tgt_puts(p == NULL ? " null=1\n" : " null=0\n");
    TGT_CHECK(p != NULL); /* `last` is free: no false out-of-memory on any policy */
    TGT_CHECK(rtm_heap_check(h) == RTM_OK);
}

static void run_path(rtm_path_kind kind)
{
    rtm_heap *h = rtm_heap_init(g_arena, RTM_PATH_ARENA, RTM_FIT_GOOD);
    rtm_path path;
    TGT_REQUIRE(h != NULL && rtm_path_construct(h, kind, &path));
    uint32_t a, f;
    void *p;
    count_pair(h, path.request, &a, &f, &p);
    unsigned classes = rtm_path_classes_visited(&path, p);
    tgt_puts("  BENCHPATH ");
    tgt_puts(board_name());
    tgt_puts(" " BENCH_WL_OPT " ");
    tgt_puts(kind == RTM_PATH_SMALL ? "small" : "large");
    tgt_puts(" alloc=");
    tgt_put_u(a);
    tgt_puts(" free=");
    tgt_put_u(f);
    tgt_puts(" classes_visited=");
    tgt_put_u(classes);
    tgt_puts("\n");
    TGT_CHECK(p != NULL && classes > 1); /* the low pick looked past the smallest class */
    TGT_CHECK(rtm_heap_check(h) == RTM_OK);
}
#endif

int main(void)
{
    board_init();
    g_overhead = tgt_icount_calibrate("bench_workloads.counter");
    measure_calls();
    for (unsigned w = 0; w < RTM_WL_COUNT_; w++) {
        if (!(BENCH_WL_MASK & (1u << w))) continue;
        for (unsigned f = 0; f < 3; f++) {
            if (!(BENCH_WL_FITS & (1u << f))) continue;
            tgt_case_begin("bench_workloads");
            run((rtm_workload)w, (rtm_fit)f);
            tgt_case_end();
        }
    }
#if BENCH_WC
    static const size_t ks[] = {1000, 10000};
    for (unsigned v = 0; v < 2; v++)
        for (unsigned i = 0; i < 2; i++)
            for (unsigned f = 0; f < 3; f++) {
                tgt_case_begin("bench_wc");
                run_wc((rtm_wc_variant)v, ks[i], (rtm_fit)f);
                tgt_case_end();
            }
    for (unsigned kind = 0; kind < 2; kind++) {
        tgt_case_begin("bench_path");
        run_path((rtm_path_kind)kind);
        tgt_case_end();
    }
#endif
    return tgt_summary();
}
