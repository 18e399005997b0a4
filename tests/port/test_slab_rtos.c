/*
 * The slab's blocking allocation on an RTOS port compiled against the host model of that RTOS:
 * built as test_slab_freertos (port/freertos, freertos_model/) and test_slab_zephyr (port/zephyr,
 * zephyr_model/, with RTM_TEST_ZEPHYR), the user the ports' wait and notifies exist for. src/slab.c
 * is compiled in unchanged, with the port's real rtm_port_in_isr (the model's per-thread interrupt
 * flag) and rtm_port_notify_from_isr: unlike test_slab_isr.c on the POSIX port, nothing is
 * renamed. FIFO service with direct hand-off from a slab defined at compile time (its
 * rtm_port_sync zero-filled, the kernel's mutex set up on first use), timeouts, an ISR's free
 * waking the waiter it serves, and a stress run of waiting tasks (Zephyr: threads) whose blocks
 * come back from tasks and from simulated interrupt handlers: every waiter served, no block
 * stranded, the slab consistent, the model's API never misused. A lost wake-up shows as a waiter's
 * 10 s wait that fails while blocks come back every few microseconds. Labels unit and mt (also
 * under ThreadSanitizer). One source for both ports: the two files were the same but for these
 * names (duplicates --change, 2026-11-30).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "rtm_test.h"
#include "rtmem/port.h"
#include "rtmem/slab.h"

#ifdef RTM_TEST_ZEPHYR
#include "zephyr_model.h"
#include "zephyr_test.h"
#define model_isr_enter rtm_zmodel_isr_enter
#define model_isr_exit rtm_zmodel_isr_exit
#else
#include "freertos_model.h"
#include "freertos_test.h"
#define model_isr_enter rtm_model_isr_enter
#define model_isr_exit rtm_model_isr_exit
#endif

static size_t waiters_of(const rtm_slab *s)
{
    rtm_slab_stats st;
    rtm_slab_get_stats(s, &st);
    return st.waiters;
}
static void wait_for_waiters(const rtm_slab *s, size_t n)
{
    while (waiters_of(s) != n) sched_yield();
}

static void isr_free(rtm_slab *s, void *p)
{
    model_isr_enter();
    rtm_slab_free(s, p);
    model_isr_exit();
}

/* ---- FIFO, on a slab defined at compile time ---------------------------------------------------- */
#define FIFO_WAITERS 6
RTM_SLAB_DEFINE_STATIC(g_fifo, 32, 1, 8);
static pthread_mutex_t g_order_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_order[FIFO_WAITERS];
static int g_served;

static void *fifo_waiter(void *arg)
{
    int id = (int)(intptr_t)arg;
    void *p = rtm_slab_alloc(&g_fifo, RTM_FOREVER);
    TCHECK(p != NULL);
    if (p == NULL) return NULL;
    pthread_mutex_lock(&g_order_lock);
    g_order[g_served++] = id;
    pthread_mutex_unlock(&g_order_lock);
    memset(p, id, 32);
    if (id % 2) isr_free(&g_fifo, p); /* every other hand-off comes from an "interrupt" */
    else rtm_slab_free(&g_fifo, p);
    return NULL;
}

static void test_fifo_defined_slab(void **state)
{
    (void)state;
    pthread_t w[FIFO_WAITERS];
    void *p = rtm_slab_alloc(&g_fifo, RTM_NO_WAIT);
    assert_non_null(p);
    for (int i = 0; i < FIFO_WAITERS; i++) {
        assert_int_equal(pthread_create(&w[i], NULL, fifo_waiter, (void *)(intptr_t)i), 0);
        wait_for_waiters(&g_fifo, (size_t)i + 1); /* queued in a known order */
    }
    rtm_slab_free(&g_fifo, p); /* starts the chain of hand-offs */
    for (int i = 0; i < FIFO_WAITERS; i++) pthread_join(w[i], NULL);
    assert_int_equal(g_served, FIFO_WAITERS);
    for (int i = 0; i < FIFO_WAITERS; i++) assert_int_equal(g_order[i], i);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_fifo, &st);
    assert_int_equal(st.used, 0);
    assert_int_equal(st.waiters, 0);
    assert_int_equal(st.failed_allocs, 0);
    assert_int_equal(rtm_slab_check(&g_fifo), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_fifo), RTM_OK);
}

/* ---- timeouts: a waiter in the middle of the queue leaves; the others keep their order ---------- */
static rtm_slab g_to;
static _Alignas(16) unsigned char g_to_buf[RTM_SLAB_BUF_SIZE(16, 2)];
typedef struct {
    rtm_timeout timeout;
    void *got;
    atomic_int done;
} to_arg;

static void *to_waiter(void *arg)
{
    to_arg *a = arg;
    a->got = rtm_slab_alloc(&g_to, a->timeout);
    atomic_store(&a->done, 1);
    return NULL;
}

static void test_timeouts(void **state)
{
    (void)state;
    assert_int_equal(rtm_slab_init(&g_to, g_to_buf, 16, 2), RTM_OK);
    void *a = rtm_slab_alloc(&g_to, RTM_NO_WAIT), *b = rtm_slab_alloc(&g_to, RTM_NO_WAIT);
    to_arg args[3] = {{RTM_FOREVER, NULL, 0}, {20, NULL, 0}, {RTM_FOREVER, NULL, 0}};
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, to_waiter, &args[i]), 0);
        while (waiters_of(&g_to) != (size_t)i + 1u - (i >= 1 && atomic_load(&args[1].done) ? 1u : 0u)) sched_yield();
    }
    pthread_join(t[1], NULL); /* nobody frees: the middle one gives up on its own */
    assert_null(args[1].got);
    assert_int_equal(waiters_of(&g_to), 2);
    assert_int_equal(rtm_slab_check(&g_to), RTM_OK);
    isr_free(&g_to, a);
    pthread_join(t[0], NULL);
    assert_ptr_equal(args[0].got, a); /* handed over to the oldest, woken by the ISR's notify */
    assert_int_equal(atomic_load(&args[2].done), 0);
    rtm_slab_free(&g_to, b);
    pthread_join(t[2], NULL);
    assert_ptr_equal(args[2].got, b);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_to, &st);
    assert_int_equal(st.used, 2);
    assert_int_equal(st.failed_allocs, 1);
    assert_int_equal(st.waiters, 0);
    uint64_t before = rtm_port_now_ms();
    assert_null(rtm_slab_alloc(&g_to, 3)); /* a timed wait on a full slab with nobody else around */
    assert_true(rtm_port_now_ms() >= before + 3u);
    rtm_slab_free(&g_to, a);
    rtm_slab_free(&g_to, b);
    assert_int_equal(rtm_slab_check(&g_to), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_to), RTM_OK);
}

/* ---- an ISR's free wakes the waiter it serves, with no free after it ----------------------------- */
typedef struct {
    rtm_slab *s;
    void *got;
    atomic_int done;
} waiter_arg;

static void *bounded_waiter(void *arg)
{
    waiter_arg *w = arg;
    w->got = rtm_slab_alloc(w->s, LOST_WAKEUP_MS);
    atomic_store(&w->done, 1);
    return NULL;
}

static void test_isr_free_wakes_waiter(void **state)
{
    (void)state;
    static rtm_slab s;
    static _Alignas(16) unsigned char buf[RTM_SLAB_BUF_SIZE(32, 1)];
    assert_int_equal(rtm_slab_init(&s, buf, 32, 1), RTM_OK);
    void *a = rtm_slab_alloc(&s, RTM_NO_WAIT);
    assert_non_null(a);
    for (int round = 0; round < 20; round++) {
        waiter_arg w = {&s, NULL, 0};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, bounded_waiter, &w), 0);
        wait_for_waiters(&s, 1);
        isr_free(&s, a);
        pthread_join(t, NULL);
        assert_ptr_equal(w.got, a); /* not NULL after 10 s: woken by the ISR's free alone */
    }
    model_isr_enter();
    assert_null(rtm_slab_alloc(&s, RTM_FOREVER)); /* an ISR never waits */
    model_isr_exit();
    rtm_slab_stats st;
    rtm_slab_get_stats(&s, &st);
    assert_int_equal(st.used, 1);
    assert_int_equal(st.failed_allocs, 1);
    rtm_slab_free(&s, a);
    assert_int_equal(rtm_slab_check(&s), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}

/* ---- stress: waiting tasks, blocks back from tasks and from interrupt handlers ----------------- */
#define ST_TASKS 4
#define ST_ISRS 2
#define ST_HOLD 3
#define ST_BLOCKS 5 /* fewer than ST_TASKS * ST_HOLD: tasks do wait */
#define ST_SIZE 40
static rtm_slab g_st;
static _Alignas(16) unsigned char g_st_buf[RTM_SLAB_BUF_SIZE(ST_SIZE, ST_BLOCKS)];
static uint64_t g_seed;
static size_t g_ops;
static atomic_size_t g_failed, g_served_ok, g_isr_frees, g_isr_allocs;
static atomic_int g_tasks_done;

/* Blocks a task gives to the "interrupt handlers" to free (a driver's buffers going back from its
 * ISR). Its own pthread lock: not a kernel object, the handlers may take it. */
static pthread_mutex_t g_mbox_lock = PTHREAD_MUTEX_INITIALIZER;
static void *g_mbox[ST_BLOCKS];
static size_t g_mbox_n;

static void mbox_put(void *p)
{
    pthread_mutex_lock(&g_mbox_lock);
    g_mbox[g_mbox_n++] = p; /* at most ST_BLOCKS blocks exist */
    pthread_mutex_unlock(&g_mbox_lock);
}

static void *mbox_take(void)
{
    pthread_mutex_lock(&g_mbox_lock);
    void *p = g_mbox_n ? g_mbox[--g_mbox_n] : NULL;
    pthread_mutex_unlock(&g_mbox_lock);
    return p;
}

static void *stress_task(void *arg)
{
    int id = (int)(intptr_t)arg;
    rtm_test_rng rng = {g_seed + (uint64_t)id * 7919u};
    unsigned char *held[ST_HOLD];
    unsigned char tag[ST_HOLD];
    int n = 0;
    for (size_t op = 0; op < g_ops; op++) {
        bool alloc = n == 0 || (n < ST_HOLD && rtm_test_rnd(&rng, 2) == 0);
        if (alloc) {
            /* Holding nothing: wait (10 s: longer means a lost wake-up, as blocks come back all the
             * time). Holding some: no wait or a short one, so that nobody waits on a holder. */
            uint64_t r = rtm_test_rnd(&rng, 3);
            rtm_timeout t = n == 0 ? LOST_WAKEUP_MS : r == 0 ? RTM_NO_WAIT : (rtm_timeout)r;
            unsigned char *p = rtm_slab_alloc(&g_st, t);
            if (p == NULL) {
                TCHECK(n != 0); /* a waiter holding nothing was never served: a lost wake-up */
                atomic_fetch_add(&g_failed, 1);
                continue;
            }
            TCHECK(p >= g_st_buf && p < g_st_buf + sizeof g_st_buf);
            tag[n] = (unsigned char)(id * 16 + (int)(op & 15));
            memset(p, tag[n], ST_SIZE);
            held[n++] = p;
            atomic_fetch_add(&g_served_ok, 1);
        } else {
            int k = (int)rtm_test_rnd(&rng, (uint64_t)n);
            for (int j = 0; j < ST_SIZE; j++) TCHECK(held[k][j] == tag[k]);
            if (rtm_test_rnd(&rng, 2)) mbox_put(held[k]); /* back through an ISR */
            else rtm_slab_free(&g_st, held[k]);
            held[k] = held[--n];
            tag[k] = tag[n];
        }
    }
    while (n) rtm_slab_free(&g_st, held[--n]);
    atomic_fetch_add(&g_tasks_done, 1);
    return NULL;
}

static void *stress_isr(void *arg)
{
    rtm_test_rng rng = {g_seed ^ (uint64_t)(intptr_t)arg};
    for (;;) {
        bool done = atomic_load(&g_tasks_done) == ST_TASKS;
        void *p = mbox_take();
        if (p == NULL) {
            if (done) break; /* the tasks gave their last blocks before saying so */
            struct timespec nap = {0, (long)(rtm_test_rnd(&rng, 50) * 1000u)};
            nanosleep(&nap, NULL);
            continue;
        }
        model_isr_enter();
        rtm_slab_free(&g_st, p);
        void *q = rtm_slab_alloc(&g_st, RTM_FOREVER); /* an ISR's own alloc: never waits */
        if (q != NULL) rtm_slab_free(&g_st, q);
        model_isr_exit();
        atomic_fetch_add(&g_isr_frees, 1);
        if (q != NULL) atomic_fetch_add(&g_isr_allocs, 1);
        else atomic_fetch_add(&g_failed, 1);
    }
    return NULL;
}

static void test_stress_task_and_isr_frees(void **state)
{
    (void)state;
    g_seed = rtm_test_seed();
    g_ops = rtm_test_ops(20000); /* about 4 s in an optimised build (100,000 took 19 s, mostly in sleeps) */
    assert_int_equal(rtm_slab_init(&g_st, g_st_buf, ST_SIZE, ST_BLOCKS), RTM_OK);
    rtm_test_hook_install();
    pthread_t t[ST_TASKS], isr[ST_ISRS];
    for (int i = 0; i < ST_ISRS; i++) assert_int_equal(pthread_create(&isr[i], NULL, stress_isr, (void *)(intptr_t)(i + 1)), 0);
    for (int i = 0; i < ST_TASKS; i++) assert_int_equal(pthread_create(&t[i], NULL, stress_task, (void *)(intptr_t)i), 0);
    for (int i = 0; i < ST_TASKS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < ST_ISRS; i++) pthread_join(isr[i], NULL);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_st, &st);
    assert_int_equal(st.used, 0); /* no block stranded with a waiter that left, or in transit */
    assert_int_equal(st.waiters, 0);
    assert_int_equal(st.bad_frees, 0);
    assert_int_equal(st.failed_allocs, atomic_load(&g_failed));
    assert_true(st.max_used <= ST_BLOCKS);
    assert_true(atomic_load(&g_served_ok) > 0);
    assert_true(atomic_load(&g_isr_frees) > 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    assert_int_equal(rtm_slab_check(&g_st), RTM_OK);
    rtm_set_error_hook(NULL);
    printf("[ INFO     ] %zu blocks served to tasks, %zu frees from ISRs (%zu ISR allocs), %zu failed (no-wait, short timeout or ISR)\n",
           (size_t)atomic_load(&g_served_ok), (size_t)atomic_load(&g_isr_frees),
           (size_t)atomic_load(&g_isr_allocs), (size_t)atomic_load(&g_failed));
    assert_int_equal(rtm_slab_destroy(&g_st), RTM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fifo_defined_slab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isr_free_wakes_waiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stress_task_and_isr_frees, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
