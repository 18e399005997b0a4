/*
 * Stack pool with real POSIX threads (label mt: also runs under ThreadSanitizer).
 *
 * test_threads_on_pool_stacks: threads run on pool stacks (pthread_attr_setstack), each calling a
 * function with a known large local array that it touches completely; the high-water mark the pool
 * reports must cover the array, stay below the stack size, and grow with the array. glibc puts the
 * thread descriptor and static TLS at the top of a caller-supplied stack: that is part of what the
 * pool measures (a few KiB), hence the slack allowed above the array size.
 *
 * test_concurrent_acquire_release: threads hammer acquire/release on a small pool; each stack must
 * be owned by one thread at a time (a marker written at acquire must be intact at release), and the
 * statistics must add up.
 *
 * test_concurrent_double_release: two threads release the same stack at once; exactly one succeeds
 * (the other is told RTM_ERR_DOUBLE_FREE) and the pool stays consistent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "rtm_test.h"
#include "rtmem/stackpool.h"

#define STACK_SIZE (256u * 1024u)
#define NSTACKS 4u
#define SLACK (96u * 1024u) /* glibc descriptor + static TLS + start frames (+ sanitizer runtime) */

RTM_STACKPOOL_DEFINE(g_pool, STACK_SIZE, NSTACKS, 4096);

/* Frames with a known array, touched all over. Not instrumented by ASan, which could otherwise put
 * the array on its fake stack (heap) instead of the thread's stack. */
#if defined(__clang__) || defined(__GNUC__)
#define NO_ASAN __attribute__((noinline, no_sanitize_address))
#else
#define NO_ASAN
#endif
#define DEEP(n)                                                                                    \
    NO_ASAN static unsigned deep_##n(unsigned seed)                                                \
    {                                                                                              \
        volatile unsigned char a[(n) * 1024u];                                                     \
        for (size_t i = 0; i < sizeof a; i++) a[i] = (unsigned char)(seed + i * 7u + 1u);          \
        unsigned sum = 0;                                                                          \
        for (size_t i = 0; i < sizeof a; i += 61) sum += a[i];                                     \
        return sum;                                                                                \
    }
DEEP(16)
DEEP(32)
DEEP(64)
DEEP(128)

typedef struct {
    unsigned kib;
    unsigned seed;
    unsigned result;
} job;

static void *thread_main(void *arg)
{
    job *j = arg;
    switch (j->kib) {
    case 16: j->result = deep_16(j->seed); break;
    case 32: j->result = deep_32(j->seed); break;
    case 64: j->result = deep_64(j->seed); break;
    default: j->result = deep_128(j->seed); break;
    }
    return NULL;
}

static void test_threads_on_pool_stacks(void **state)
{
    (void)state;
    rtm_test_hook_install();
    long min = sysconf(_SC_THREAD_STACK_MIN);
    assert_true(min > 0 && (size_t)min <= STACK_SIZE);
    static const unsigned kib[NSTACKS] = { 16, 32, 64, 128 };
    size_t rounds = rtm_test_ops(200) < 3 ? 3 : (rtm_test_ops(200) > 12 ? 12 : rtm_test_ops(200));
    for (size_t round = 0; round < rounds; round++) {
        void *stk[NSTACKS];
        pthread_t th[NSTACKS];
        job jobs[NSTACKS];
        for (unsigned i = 0; i < NSTACKS; i++) {
            stk[i] = rtm_stackpool_acquire(&g_pool);
            assert_non_null(stk[i]);
            jobs[i] = (job){ kib[(i + round) % NSTACKS], (unsigned)(round * 31 + i), 0 };
            pthread_attr_t attr;
            assert_int_equal(pthread_attr_init(&attr), 0);
            assert_int_equal(pthread_attr_setstack(&attr, stk[i], rtm_stackpool_stack_size(&g_pool)), 0);
            assert_int_equal(pthread_create(&th[i], &attr, thread_main, &jobs[i]), 0);
            pthread_attr_destroy(&attr);
        }
        assert_null(rtm_stackpool_acquire(&g_pool)); /* all four are in use */
        size_t used[NSTACKS];
        for (unsigned i = 0; i < NSTACKS; i++) {
            assert_int_equal(pthread_join(th[i], NULL), 0);
            used[i] = rtm_stackpool_used(&g_pool, stk[i]);
            size_t arr = (size_t)jobs[i].kib * 1024u;
            if (used[i] < arr || used[i] > arr + SLACK)
                fail_msg("round %zu: thread with a %u KiB array: high-water %zu bytes", round, jobs[i].kib, used[i]);
            assert_int_equal(rtm_stackpool_release(&g_pool, stk[i]), RTM_OK);
        }
        /* deeper arrays, deeper marks */
        for (unsigned i = 0; i < NSTACKS; i++)
            for (unsigned k = 0; k < NSTACKS; k++)
                if (jobs[i].kib < jobs[k].kib) assert_true(used[i] < used[k]);
        if (round == 0)
            printf("[ INFO     ] high-water for 16/32/64/128 KiB arrays: %zu %zu %zu %zu bytes\n", used[0], used[1],
                   used[2], used[3]);
    }
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(&g_pool, &st);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.max_in_use, NSTACKS);
    assert_int_equal(st.acquires, rounds * NSTACKS);
    assert_int_equal(st.releases, rounds * NSTACKS);
    assert_int_equal(st.failed, rounds);
    assert_int_equal(st.overflows, 0);
    assert_true(st.worst_used >= 128u * 1024u && st.worst_used <= 128u * 1024u + SLACK);
    assert_int_equal(rtm_stackpool_check(&g_pool), RTM_OK);
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_stackpool_deinit(&g_pool);
}

/* ---- many threads, few stacks ---------------------------------------------------------------------- */
#define SMALL 512u
#define NSMALL 3u
#define NTHREADS 4u

static _Alignas(64) unsigned char g_small_buf[RTM_STACKPOOL_BUF_SIZE(SMALL, NSMALL, 64)];
static rtm_stackpool g_small;
static size_t g_iters;

typedef struct {
    uintptr_t id;
    size_t acquired, empty, errors;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    for (size_t i = 0; i < g_iters; i++) {
        unsigned char *s = rtm_stackpool_acquire(&g_small);
        if (s == NULL) {
            w->empty++;
            sched_yield();
            continue;
        }
        w->acquired++;
        /* the stack is ours: painted, then we write our marker at the top, as a thread would */
        if (s[SMALL - 1] != (unsigned char)RTM_STACK_PAINT_BYTE) w->errors++;
        memcpy(s + SMALL - sizeof w->id, &w->id, sizeof w->id);
        if ((i & 7u) == 0) sched_yield();
        uintptr_t back;
        memcpy(&back, s + SMALL - sizeof back, sizeof back);
        if (back != w->id) w->errors++;
        if (rtm_stackpool_release(&g_small, s) != RTM_OK) w->errors++;
    }
    return NULL;
}

static void test_concurrent_acquire_release(void **state)
{
    (void)state;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&g_small, g_small_buf, sizeof g_small_buf, SMALL, NSMALL, 64), RTM_OK);
    g_iters = rtm_test_ops(200000);
    worker w[NTHREADS];
    pthread_t th[NTHREADS];
    for (unsigned i = 0; i < NTHREADS; i++) {
        w[i] = (worker){ (uintptr_t)0x1234567u * (i + 1), 0, 0, 0 };
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
    }
    size_t acquired = 0, empty = 0;
    for (unsigned i = 0; i < NTHREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].errors, 0);
        acquired += w[i].acquired;
        empty += w[i].empty;
    }
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(&g_small, &st);
    assert_int_equal(st.acquires, acquired);
    assert_int_equal(st.releases, acquired);
    assert_int_equal(st.failed, empty);
    assert_int_equal(st.in_use, 0);
    assert_true(st.max_in_use <= NSMALL);
    assert_int_equal(st.worst_used, sizeof(uintptr_t));
    assert_int_equal(st.bad_releases + st.overflows, 0);
    assert_int_equal(rtm_stackpool_check(&g_small), RTM_OK);
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_stackpool_deinit(&g_small);
}

/* ---- two threads release the same stack at once --------------------------------------------------- */
/* A release marks the stack as being released before it measures it outside the critical section
 * (a scan of up to the whole stack): a second release of the same stack meanwhile must be refused,
 * not let through to put the stack on the free list twice. Exactly one of the two releases
 * succeeds, whatever the interleaving; a large untouched stack makes the scan, and so the window
 * in which the second one arrives, long. */
#define RACE_STACK (1024u * 1024u)
#define RACE_STACKS 2u

static _Alignas(64) unsigned char g_race_buf[RTM_STACKPOOL_BUF_SIZE(RACE_STACK, RACE_STACKS, 64)];
static rtm_stackpool g_race;
static pthread_barrier_t g_race_go;
static void *volatile g_race_stack;

static void *release_racer(void *arg)
{
    rtm_err *out = arg;
    pthread_barrier_wait(&g_race_go);
    *out = rtm_stackpool_release(&g_race, g_race_stack);
    return NULL;
}

static void test_concurrent_double_release(void **state)
{
    (void)state;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&g_race, g_race_buf, sizeof g_race_buf, RACE_STACK, RACE_STACKS, 64), RTM_OK);
    size_t rounds = rtm_test_ops_min(500, 200);
    for (size_t round = 0; round < rounds; round++) {
        g_race_stack = rtm_stackpool_acquire(&g_race);
        assert_non_null(g_race_stack);
        assert_int_equal(pthread_barrier_init(&g_race_go, NULL, 2), 0);
        rtm_err e[2];
        pthread_t th[2];
        for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, release_racer, &e[i]), 0);
        for (int i = 0; i < 2; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(pthread_barrier_destroy(&g_race_go), 0);
        if (!((e[0] == RTM_OK && e[1] == RTM_ERR_DOUBLE_FREE) || (e[0] == RTM_ERR_DOUBLE_FREE && e[1] == RTM_OK)))
            fail_msg("round %zu: the two releases gave %d and %d", round, (int)e[0], (int)e[1]);
        assert_int_equal(rtm_stackpool_check(&g_race), RTM_OK);
    }
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(&g_race, &st);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(st.max_in_use, 1);
    assert_int_equal(st.releases, rounds);
    assert_int_equal(st.bad_releases, rounds);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), rounds);
    rtm_stackpool_deinit(&g_race);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_on_pool_stacks),
        cmocka_unit_test(test_concurrent_acquire_release),
        cmocka_unit_test(test_concurrent_double_release),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
