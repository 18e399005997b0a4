/* Tracker shared by threads (cfg.locked): one unlocked rtmem heap behind one locked tracker, ten
 * threads (more than RTM_TRACK_THREADS) allocating, freeing, reallocating, looking up and checking
 * at once. The totals must balance and every block keep its contents. Runs under TSan (label mt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>

#include "rtm_test.h"
#include "rtmem/heap.h"
#include "rtmem/port.h"
#include "rtmem/track.h"

#define THREADS 10
#define LIVE 64

static _Alignas(16) unsigned char g_heap_mem[1 << 20];
static _Alignas(16) unsigned char g_track_mem[RTM_TRACK_BYTES(THREADS * LIVE + 64, 32, 16)];
static rtm_track *g_t;
static uint64_t g_seed;
static size_t g_ops;

typedef struct {
    unsigned id;
    size_t allocs, frees, failed;
} worker_result;

static void *worker(void *arg)
{
    worker_result *res = arg;
    rtm_test_rng rng = {g_seed + res->id * 7919u};
    unsigned char *p[LIVE] = {0};
    size_t size[LIVE] = {0};
    for (size_t op = 0; op < g_ops; op++) {
        unsigned k = (unsigned)rtm_test_rnd(&rng, LIVE);
        unsigned char tag = (unsigned char)(res->id * 16u + k);
        if (p[k] == NULL) {
            size[k] = 1 + (size_t)rtm_test_rnd(&rng, 300);
            p[k] = rtm_track_alloc_at(g_t, size[k], rtm_test_rnd(&rng, 4) ? 0 : 32, "mt.c", 1 + res->id % 4);
            if (p[k] == NULL) {
                res->failed++;
                continue;
            }
            memset(p[k], tag, size[k]);
            res->allocs++;
        } else {
            for (size_t i = 0; i < size[k]; i++) assert_int_equal(p[k][i], tag);
            unsigned r = (unsigned)rtm_test_rnd(&rng, 10);
            if (r == 0) {
                size_t ns = 1 + (size_t)rtm_test_rnd(&rng, 300);
                unsigned char *q = rtm_track_realloc_at(g_t, p[k], ns, "mt.c", 50);
                if (q != NULL) {
                    if (ns > size[k]) memset(q + size[k], tag, ns - size[k]);
                    p[k] = q;
                    size[k] = ns;
                    res->allocs++;
                }
            } else if (r == 1) {
                rtm_track_info info;
                assert_true(rtm_track_find(g_t, p[k] + size[k] / 2, &info));
                assert_ptr_equal(info.ptr, p[k]);
                assert_int_equal(info.size, size[k]);
            } else if (r == 2 && op % 64 == 0) {
                assert_int_equal(rtm_track_check_all(g_t, NULL, NULL), RTM_OK);
            } else {
                rtm_track_free_at(g_t, p[k], "mt.c", 100);
                p[k] = NULL;
                res->frees++;
            }
        }
    }
    for (unsigned k = 0; k < LIVE; k++)
        if (p[k] != NULL) {
            rtm_track_free_at(g_t, p[k], "mt.c", 101);
            res->frees++;
        }
    return NULL;
}

typedef struct {
    char text[8192];
    size_t n;
} capture;
static void cap_sink(void *ctx, const char *s, size_t len)
{
    capture *c = ctx;
    if (c->n + len < sizeof c->text) {
        memcpy(c->text + c->n, s, len);
        c->n += len;
        c->text[c->n] = '\0';
    }
}

static void test_threads(void **state)
{
    (void)state;
    rtm_test_hook_install();
    g_seed = rtm_test_seed();
    g_ops = rtm_test_ops(200000);
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    assert_non_null(h);
    rtm_track_config cfg;
    memset(&cfg, 0, sizeof cfg);
    rtm_allocator_from_heap(&cfg.allocator, h);
    cfg.max_sites = 32;
    cfg.guard = 8;
    cfg.quarantine = 16;
    cfg.locked = true;
    assert_int_equal(rtm_track_init(&g_t, g_track_mem, sizeof g_track_mem, &cfg), RTM_OK);
    pthread_t th[THREADS];
    worker_result res[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &res[i]), 0);
    }
    for (unsigned i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    size_t allocs = 0, frees = 0, failed = 0;
    for (unsigned i = 0; i < THREADS; i++) {
        allocs += res[i].allocs;
        frees += res[i].frees;
        failed += res[i].failed;
    }
    rtm_track_stats st;
    rtm_track_get_stats(g_t, &st);
    assert_int_equal(st.allocs, allocs);
    assert_int_equal(st.frees, frees);
    assert_int_equal(st.failed + st.table_full, failed);
    assert_int_equal(st.live_blocks, 0);
    assert_int_equal(st.live_bytes, 0);
    assert_int_equal(st.overflows + st.after_free_writes + st.bad_frees, 0);
    assert_int_equal(rtm_track_validate(g_t), RTM_OK);
    capture cap = {.n = 0};
    rtm_track_report(g_t, cap_sink, &cap);
    unsigned thread_lines = 0;
    for (const char *s = cap.text; (s = strstr(s, "\nthread ")) != NULL; s++) thread_lines++;
    assert_int_equal(thread_lines, RTM_TRACK_THREADS + 1); /* 8 threads of their own + "(other)" */
    assert_non_null(strstr(cap.text, "\nthread (other) live 0 bytes 0"));
    rtm_track_drain(g_t);
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    assert_int_equal(hs.used_blocks, 0);
    assert_int_equal(hs.bad_frees, 0);
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    rtm_track_destroy(g_t);
    rtm_set_error_hook(NULL);
}

/* A thread keeps its statistics slot however the calls interleave: the main thread, another
 * thread, the main thread again give two thread lines, the main thread's with both allocations
 * (mutation testing: a lookup that skipped slot 0 gave the main thread a second line, unnoticed
 * by test_threads, whose ten threads fill every slot whatever the lookup does). Sequential: the
 * other thread is joined before the main thread goes on. */
static rtm_track *g_t2;
static void *alloc_one(void *arg)
{
    void **p = arg;
    *p = rtm_track_alloc_at(g_t2, 20, 0, "b.c", 1);
    return NULL;
}
static pthread_barrier_t g_bar;
static void *alloc_and_wait(void *arg)
{
    void **p = arg;
    *p = rtm_track_alloc_at(g_t2, 8, 0, "c.c", 1);
    pthread_barrier_wait(&g_bar); /* all alive at once: each has its own thread id */
    return NULL;
}

static void test_thread_slot_kept_across_threads(void **state)
{
    (void)state;
    static _Alignas(16) unsigned char heap_mem[4096];
    static _Alignas(16) unsigned char track_mem[RTM_TRACK_BYTES(16, 4, 0)];
    rtm_heap *h = rtm_heap_init(heap_mem, sizeof heap_mem, RTM_FIT_GOOD);
    assert_non_null(h);
    rtm_track_config cfg;
    memset(&cfg, 0, sizeof cfg);
    rtm_allocator_from_heap(&cfg.allocator, h);
    cfg.max_sites = 4;
    cfg.locked = true;
    assert_int_equal(rtm_track_init(&g_t2, track_mem, sizeof track_mem, &cfg), RTM_OK);
    void *a = rtm_track_alloc_at(g_t2, 10, 0, "a.c", 1);
    void *b = NULL;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, alloc_one, &b), 0);
    pthread_join(th, NULL);
    assert_non_null(b);
    void *c = rtm_track_alloc_at(g_t2, 10, 0, "a.c", 2);
    capture cap = {.n = 0};
    rtm_track_report(g_t2, cap_sink, &cap);
    unsigned thread_lines = 0;
    for (const char *s = cap.text; (s = strstr(s, "\nthread ")) != NULL; s++) thread_lines++;
    assert_int_equal(thread_lines, 2);
    char want[128];
    snprintf(want, sizeof want, "\nthread 0x%llx live 2 bytes 20 peak 20 allocs 2 frees 0\n",
             (unsigned long long)rtm_port_thread_id());
    if (!strstr(cap.text, want)) fail_msg("no '%s' in:\n%s", want + 1, cap.text);
    /* RTM_TRACK_THREADS more threads at once: some blocks are counted in the "(other)" slot, and the
     * tracker validates with them live (mutation testing: a validation that left that slot out of
     * its sums passed, test_threads validates only once nothing is live) */
    enum { MORE = RTM_TRACK_THREADS };
    pthread_t more[MORE];
    void *mp[MORE];
    assert_int_equal(pthread_barrier_init(&g_bar, NULL, MORE), 0);
    for (int i = 0; i < MORE; i++) assert_int_equal(pthread_create(&more[i], NULL, alloc_and_wait, &mp[i]), 0);
    for (int i = 0; i < MORE; i++) pthread_join(more[i], NULL);
    pthread_barrier_destroy(&g_bar);
    cap.n = 0;
    rtm_track_report(g_t2, cap_sink, &cap);
    assert_null(strstr(cap.text, "\nthread (other) live 0 "));
    assert_non_null(strstr(cap.text, "\nthread (other) live "));
    assert_int_equal(rtm_track_validate(g_t2), RTM_OK);
    for (int i = 0; i < MORE; i++) rtm_track_free_at(g_t2, mp[i], NULL, 0);
    rtm_track_free_at(g_t2, a, NULL, 0);
    rtm_track_free_at(g_t2, b, NULL, 0);
    rtm_track_free_at(g_t2, c, NULL, 0);
    assert_int_equal(rtm_track_validate(g_t2), RTM_OK);
    rtm_track_destroy(g_t2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads), cmocka_unit_test(test_thread_slot_kept_across_threads)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
