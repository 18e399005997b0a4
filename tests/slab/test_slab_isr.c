/*
 * Slab frees from an ISR while threads wait (label mt, also under TSan). An ISR hands its block to
 * the oldest waiter and wakes it with rtm_port_notify_from_isr (it cannot take the sync lock that
 * rtm_port_notify_all needs). For a port whose ISR notify does nothing, the wake-up is also owed,
 * and the next free from a thread, or the next caller that queues, must pay it. Before the owed
 * wake-up a waiter served from an ISR slept on holding its block, with RTM_FOREVER for good, while
 * later frees from threads found nobody queued to wake (review finding, 2026-11-29); before the ISR
 * notify it did so whenever no free from a thread came after (test_isr_free_wakes_waiter).
 *
 * The POSIX port has no ISRs: this test compiles src/slab.c with rtm_port_in_isr renamed to
 * test_port_in_isr (CMakeLists.txt), a per-thread flag the test raises around an "ISR" free, as an
 * RTOS port's in_isr would say, and rtm_port_notify_from_isr to test_port_notify_from_isr, which
 * wakes the waiters as a port must (the POSIX port's way: the lock, then notify_all) or, with
 * g_isr_notify_stub, does nothing, as a first port may. The critical section stays the port's
 * mutex, as interrupt masking would exclude the threads on an MCU. No assertion depends on how
 * long anything took: a waiter that was never woken is detected by a 30 s bound on something that
 * takes microseconds.
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
#include "slab_mt_util.h"

static _Thread_local int t_in_isr;
bool rtm_port_in_isr(void) { return t_in_isr != 0; } /* test_port_in_isr: see the top */

static bool g_isr_notify_stub; /* a port whose ISR notify does nothing */
static unsigned g_isr_notifies;
void rtm_port_notify_from_isr(rtm_port_sync *s) /* test_port_notify_from_isr: see the top */
{
    g_isr_notifies++;
    if (g_isr_notify_stub) return;
    rtm_port_lock(s);
    rtm_port_notify_all(s);
    rtm_port_unlock(s);
}

static void isr_free(rtm_slab *s, void *p)
{
    t_in_isr = 1;
    rtm_slab_free(s, p);
    t_in_isr = 0;
}

static rtm_slab g_s;
static _Alignas(16) unsigned char g_buf[RTM_SLAB_BUF_SIZE(32, 2)];

typedef struct {
    void *got;
    atomic_int done;
} waiter_arg;

static void *waiter(void *arg)
{
    waiter_arg *w = arg;
    w->got = rtm_slab_alloc(&g_s, RTM_FOREVER);
    atomic_store(&w->done, 1);
    return NULL;
}


/* True once *flag is set; false if it is still clear after 30 s (a waiter nobody woke). */
static bool becomes_set(atomic_int *flag)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!atomic_load(flag)) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 30) return false;
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
    return true;
}

/* An ISR's free wakes the waiter it serves, with no other free after it (a driver's ISR giving a
 * buffer back to a task that waits for one): before rtm_port_notify_from_isr the waiter slept on
 * with its block, for ever with RTM_FOREVER. One notify per block handed over; none for a free
 * that hands nothing over. */
static void test_isr_free_wakes_waiter(void **state)
{
    (void)state;
    g_isr_notify_stub = false;
    g_isr_notifies = 0;
    assert_int_equal(rtm_slab_init(&g_s, g_buf, 32, 2), RTM_OK);
    void *a = rtm_slab_alloc(&g_s, RTM_NO_WAIT), *b = rtm_slab_alloc(&g_s, RTM_NO_WAIT);
    assert_non_null(a);
    assert_non_null(b);
    for (int round = 0; round < 20; round++) {
        waiter_arg w = {NULL, 0};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, waiter, &w), 0);
        wait_for_waiters(&g_s, 1);
        isr_free(&g_s, a);
        assert_true(becomes_set(&w.done)); /* woken by the ISR's free alone */
        pthread_join(t, NULL);
        assert_ptr_equal(w.got, a);
    }
    assert_int_equal(g_isr_notifies, 20);
    isr_free(&g_s, b); /* nobody waits: no notify */
    assert_int_equal(g_isr_notifies, 20);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_s, &st);
    assert_int_equal(st.used, 1);
    assert_int_equal(st.waiters, 0);
    assert_int_equal(st.failed_allocs, 0);
    isr_free(&g_s, a);
    assert_int_equal(rtm_slab_check(&g_s), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_s), RTM_OK);
}

/* With a port whose ISR notify does nothing: the owed wake-up, paid by a free from a thread that
 * hands nothing over. */
static void test_isr_hand_off_woken_by_thread_free(void **state)
{
    (void)state;
    g_isr_notify_stub = true;
    assert_int_equal(rtm_slab_init(&g_s, g_buf, 32, 2), RTM_OK);
    void *a = rtm_slab_alloc(&g_s, RTM_NO_WAIT), *b = rtm_slab_alloc(&g_s, RTM_NO_WAIT);
    assert_non_null(a);
    assert_non_null(b);
    waiter_arg w = {NULL, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter, &w), 0);
    wait_for_waiters(&g_s, 1);
    isr_free(&g_s, a); /* handed over, not woken: still in rtm_slab_alloc, still counted */
    assert_int_equal(waiters_of(&g_s), 1);
    assert_int_equal(rtm_slab_check(&g_s), RTM_OK);
    rtm_slab_free(&g_s, b); /* from a thread, nobody queued: pays the owed wake-up */
    assert_true(becomes_set(&w.done));
    pthread_join(t, NULL);
    assert_ptr_equal(w.got, a);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_s, &st);
    assert_int_equal(st.used, 1);
    assert_int_equal(st.failed_allocs, 0);
    rtm_slab_free(&g_s, a);
    assert_int_equal(rtm_slab_check(&g_s), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_s), RTM_OK);
}

/* ... or by the next caller that queues, even with no free at all after the ISR's. */
static void test_isr_hand_off_woken_by_next_waiter(void **state)
{
    (void)state;
    g_isr_notify_stub = true;
    assert_int_equal(rtm_slab_init(&g_s, g_buf, 32, 2), RTM_OK);
    void *a = rtm_slab_alloc(&g_s, RTM_NO_WAIT), *b = rtm_slab_alloc(&g_s, RTM_NO_WAIT);
    waiter_arg w1 = {NULL, 0}, w2 = {NULL, 0};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, waiter, &w1), 0);
    wait_for_waiters(&g_s, 1);
    isr_free(&g_s, a);
    assert_int_equal(pthread_create(&t2, NULL, waiter, &w2), 0);
    assert_true(becomes_set(&w1.done));
    pthread_join(t1, NULL);
    assert_ptr_equal(w1.got, a);
    wait_for_waiters(&g_s, 1); /* the second one waits on: nothing is free */
    assert_int_equal(atomic_load(&w2.done), 0);
    isr_free(&g_s, b); /* owed again; a free from a thread pays it, handing nothing over */
    rtm_slab_free(&g_s, a);
    assert_true(becomes_set(&w2.done));
    pthread_join(t2, NULL);
    assert_ptr_equal(w2.got, b);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_s, &st);
    assert_int_equal(st.used, 1);
    assert_int_equal(st.waiters, 0);
    rtm_slab_free(&g_s, b);
    assert_int_equal(rtm_slab_check(&g_s), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_s), RTM_OK);
}

/* rtm_slab_destroy refuses a caller that was served but has not returned: unlinked by the free, it
 * still uses s->sync on its way out of rtm_slab_alloc. Before the fix the free also counted it out
 * of waiters, and destroy, which looks at waiters, returned RTM_OK and released the sync object
 * under it (review finding, 2026-11-29, with a free from a thread: ASan, use after free once the
 * slab's memory went back). A free from an ISR makes that window as long as the test needs: its
 * waiter is served and asleep until the owed wake-up. */
static void test_destroy_refuses_served_caller(void **state)
{
    (void)state;
    g_isr_notify_stub = true;
    assert_int_equal(rtm_slab_init(&g_s, g_buf, 32, 2), RTM_OK);
    void *a = rtm_slab_alloc(&g_s, RTM_NO_WAIT), *b = rtm_slab_alloc(&g_s, RTM_NO_WAIT);
    waiter_arg w = {NULL, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter, &w), 0);
    wait_for_waiters(&g_s, 1);
    isr_free(&g_s, a);
    assert_int_equal(waiters_of(&g_s), 1); /* served, asleep, counted until it returns */
    rtm_test_hook_install();
    assert_int_equal(rtm_slab_destroy(&g_s), RTM_ERR_STATE);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_STATE), 1);
    assert_int_equal(rtm_slab_check(&g_s), RTM_OK); /* nothing released */
    rtm_slab_free(&g_s, b); /* pays the owed wake-up */
    assert_true(becomes_set(&w.done));
    pthread_join(t, NULL);
    assert_ptr_equal(w.got, a);
    assert_int_equal(rtm_slab_destroy(&g_s), RTM_OK); /* returned: now it may go */
}

/* An ISR's own allocation never waits, whatever the timeout (slab.h), and its free of a block
 * nobody waits for is an ordinary free. */
static void test_isr_never_waits(void **state)
{
    (void)state;
    assert_int_equal(rtm_slab_init(&g_s, g_buf, 32, 1), RTM_OK);
    void *a = rtm_slab_alloc(&g_s, RTM_NO_WAIT);
    assert_non_null(a);
    t_in_isr = 1;
    void *p = rtm_slab_alloc(&g_s, RTM_FOREVER);
    t_in_isr = 0;
    assert_null(p);
    isr_free(&g_s, a);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_s, &st);
    assert_int_equal(st.used, 0);
    assert_int_equal(st.failed_allocs, 1);
    assert_int_equal(rtm_slab_check(&g_s), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_s), RTM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isr_free_wakes_waiter),
        cmocka_unit_test(test_isr_hand_off_woken_by_thread_free),
        cmocka_unit_test(test_isr_hand_off_woken_by_next_waiter),
        cmocka_unit_test(test_destroy_refuses_served_caller),
        cmocka_unit_test(test_isr_never_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
