/*
 * Instructions per heap operation on the real instruction sets, counted by the emulator:
 * QEMU runs with -icount shift=7 (one instruction = 128 ns of virtual time), so the board's counter
 * is exact and repeatable: Cortex-M SysTick at 25 MHz gives 3.2 ticks per instruction; RISC-V
 * minstret counts instructions. Built without RTM_DEBUG (no invariant walks), -O2.
 *
 * For each policy: 96 allocations of 8..264 bytes (seeded), free of every other one in shuffled
 * order, 96 more allocations into the holes, then free everything. Prints min / mean / max
 * instructions for alloc and free, measured around the call (the counter read's own cost
 * subtracted). The numbers are reported, not asserted (beyond being measured at all); the test
 * fails only if the heap fails or the counter does not count.
 */
#include "rtmem/heap.h"
#include "tgt.h"


#define N 96
static unsigned char g_arena[32768] __attribute__((aligned(16)));

typedef struct {
    uint32_t n, min, max;
    uint64_t sum;
} stat;

static void stat_add(stat *s, uint32_t v)
{
    if (s->n == 0 || v < s->min) s->min = v;
    if (v > s->max) s->max = v;
    s->sum += v;
    s->n++;
}

static void stat_print(const char *what, const stat *s)
{
    tgt_puts(" ");
    tgt_puts(what);
    tgt_puts(" n=");
    tgt_put_u(s->n);
    tgt_puts(" min=");
    tgt_put_u(s->min);
    tgt_puts(" mean=");
    tgt_put_u(s->n ? (s->sum + s->n / 2) / s->n : 0);
    tgt_puts(" max=");
    tgt_put_u(s->max);
}

static uint32_t g_overhead;

static void *timed_alloc(rtm_heap *h, size_t n, stat *s)
{
    uint32_t t = board_icount_start();
    void *p = rtm_heap_alloc(h, n);
    uint32_t c = board_icount_read(t);
    stat_add(s, c > g_overhead ? c - g_overhead : 0);
    return p;
}

static void timed_free(rtm_heap *h, void *p, stat *s)
{
    uint32_t t = board_icount_start();
    rtm_heap_free(h, p);
    uint32_t c = board_icount_read(t);
    stat_add(s, c > g_overhead ? c - g_overhead : 0);
}

static void run(rtm_fit fit)
{
    static void *p[2 * N];
    uint64_t seed = 42;
    stat sa = {0}, sf = {0};
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, fit);
    TGT_REQUIRE(h != NULL);
    for (unsigned i = 0; i < N; i++) {
        p[i] = timed_alloc(h, 8 + (size_t)(tgt_rand(&seed) % 257u), &sa);
        TGT_CHECK(p[i] != NULL);
    }
    unsigned order[N / 2];
    for (unsigned i = 0; i < N / 2; i++) order[i] = 2 * i;
    for (unsigned i = N / 2 - 1; i > 0; i--) {
        unsigned j = (unsigned)(tgt_rand(&seed) % (i + 1u));
        unsigned t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (unsigned i = 0; i < N / 2; i++) timed_free(h, p[order[i]], &sf);
    for (unsigned i = 0; i < N / 2; i++) p[order[i]] = NULL;
    for (unsigned i = N; i < 2 * N; i++) {
        p[i] = timed_alloc(h, 8 + (size_t)(tgt_rand(&seed) % 129u), &sa);
        TGT_CHECK(p[i] != NULL);
    }
    for (unsigned i = 0; i < 2 * N; i++)
        if (p[i] != NULL) timed_free(h, p[i], &sf);
    TGT_CHECK(rtm_heap_check(h) == RTM_OK);
    TGT_CHECK(sa.n == 2 * N && sf.n == 2 * N && sa.min > 0 && sf.min > 0);
    tgt_puts("  BENCH ");
    tgt_puts(board_name());
    tgt_puts(" ");
    tgt_puts(rtm_fit_name(fit));
    tgt_puts(" instructions:");
    stat_print("alloc", &sa);
    stat_print("free", &sf);
    tgt_puts("\n");
}

int main(void)
{
    board_init();
    g_overhead = tgt_icount_calibrate("bench.counter");
    for (unsigned f = 0; f < 3; f++) {
        static const char *const names[] = {"bench.good", "bench.best", "bench.first"};
        tgt_case_begin(names[f]);
        run((rtm_fit)f);
        tgt_case_end();
    }
    return tgt_summary();
}
