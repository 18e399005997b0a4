/*
 * The FreeRTOS port (port/freertos) against rtmem/port.h's contract, compiled unchanged against
 * the host model of FreeRTOS (freertos_model/, whose top comment says what it models and what it
 * does not: no priorities, no preemption). The cases of test_port_posix.c where they apply, and
 * what is FreeRTOS's own: interrupt handlers on their own thread (the model's flag), the pending
 * flag of an ISR's notify, the scheduler not yet started, a 32-bit tick count that wraps, the
 * notification index. Every test ends by asserting that the model saw no misuse of its API
 * (freertos_model.h lists what it detects). A lost wake-up shows as a 10 s timeout, counted; no
 * assertion depends on how long anything took, only on order ("not before the deadline").
 * Labels unit and mt (also run under ThreadSanitizer). Built twice: at 1000 Hz and at 128 Hz, a
 * tick rate that does not divide 1000.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "freertos_model.h"
#include "rtm_freertos.h"
#include "rtm_test.h"
#include "rtmem/port.h"

#include "freertos_test.h"
#define model_isr_enter rtm_model_isr_enter
#define model_isr_exit rtm_model_isr_exit
#include "rtos_port_cases.h"

/* A timed wait across the 32-bit tick count's wrap: the deadline is after it, the tick count
 * before; the wait neither ends at once nor hangs, and the clock does not go back. */
static void test_wait_across_tick_wrap(void **state)
{
    (void)state;
    static rtm_port_sync s;
    rtm_model_set_tick_count((TickType_t)(0u - (TickType_t)(configTICK_RATE_HZ / 50u))); /* 20 ms to the wrap */
    uint64_t before = rtm_port_now_ms();
    rtm_port_lock(&s);
    wait_until_timeout(&s, before + 40u);
    rtm_port_unlock(&s);
    assert_true(rtm_port_now_ms() >= before + 40u);
    assert_true(xTaskGetTickCount() < 0x80000000u); /* it did wrap */
    rtm_port_sync_destroy(&s);
}

static void test_notify_wakes_waiter(void **state)
{
    (void)state;
    notify_wakes_waiters(UINT64_MAX, 1); /* forever: portMAX_DELAY */
    notify_wakes_waiters(UINT64_MAX, 4);
}

/* Deadlines far away that are not "forever": more ticks than a TickType_t holds, or a deadline
 * whose conversion to ticks overflows 64 bits. The wait blocks (for portMAX_DELAY - 1 ticks at
 * most) and the notify ends it with RTM_OK. */
static void test_notify_wakes_far_deadline(void **state)
{
    (void)state;
    notify_wakes_waiters(UINT64_MAX - 1u, 2);
    notify_wakes_waiters((uint64_t)1 << 63, 1);
    notify_wakes_waiters(rtm_port_now_ms() + 0x100000000ull * 1000u / configTICK_RATE_HZ, 1); /* 2^32 ticks */
}

/* A deadline more ticks away than a block time can say: the wait blocks portMAX_DELAY - 1 ticks
 * and, the tick count having advanced that far (frozen and stepped here) with the deadline still
 * ahead, returns RTM_OK (a spurious wake-up), not RTM_ERR_TIMEOUT. */
typedef struct {
    rtm_port_sync sync;
    _Atomic(TaskHandle_t) task;
    uint64_t deadline;
    rtm_err got;
} capped_wait;

static void *capped_waiter(void *arg)
{
    capped_wait *cw = arg;
    rtm_port_lock(&cw->sync);
    atomic_store(&cw->task, xTaskGetCurrentTaskHandle());
    cw->got = rtm_port_wait(&cw->sync, cw->deadline);
    rtm_port_unlock(&cw->sync);
    return NULL;
}

static void test_capped_wait_is_not_a_timeout(void **state)
{
    (void)state;
    static capped_wait cw;
    memset(&cw, 0, sizeof cw);
    rtm_model_freeze_ticks(true);
    cw.deadline = rtm_port_now_ms() + 0x200000000ull * 1000u / configTICK_RATE_HZ; /* 2^33 ticks */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, capped_waiter, &cw), 0);
    while (atomic_load(&cw.task) == NULL) sched_yield();
    /* in its notification take, its block time counted from the frozen count: not merely past
     * the mutex, which it gives before the take (a first version advanced the count in between,
     * and the take then blocked portMAX_DELAY - 1 ticks from the new count: under TSan) */
    while (!rtm_model_task_waiting(atomic_load(&cw.task))) sched_yield();
    rtm_model_advance_ticks(portMAX_DELAY - 1u);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(cw.got, RTM_OK);
    assert_true(rtm_port_now_ms() < cw.deadline);
    rtm_model_freeze_ticks(false);
    rtm_port_sync_destroy(&cw.sync);
}

/* rtm_port_notify_from_isr: the "ISR" sets its flag without the lock, as an interrupt handler
 * must, and notifies; the waiter may be anywhere between its check of the flag (under the lock)
 * and its sleep (it naps there, holding the lock), or listed and asleep, and must not sleep on.
 * Without the pending flag, the runs where the ISR comes in the nap lose the wake-up. */
typedef struct {
    rtm_port_sync sync;
    atomic_int waiting, go;
    int woke, bad_waits;
} isr_handshake;

static void *isr_waiter(void *arg)
{
    isr_handshake *hs = arg;
    rtm_port_lock(&hs->sync);
    atomic_store(&hs->waiting, 1);
    uint64_t deadline = rtm_port_now_ms() + LOST_WAKEUP_MS;
    while (!atomic_load(&hs->go)) {
        struct timespec nap = {0, 20000}; /* the "interrupt" comes after the check, before the sleep */
        nanosleep(&nap, NULL);
        if (rtm_port_wait(&hs->sync, deadline) != RTM_OK) {
            hs->bad_waits++;
            break;
        }
    }
    hs->woke = 1;
    rtm_port_unlock(&hs->sync);
    return NULL;
}

static void test_notify_from_isr_wakes_waiter(void **state)
{
    (void)state;
    static isr_handshake hs;
    unsigned yields = rtm_model_yields_from_isr();
    for (int round = 0; round < 200; round++) {
        memset(&hs, 0, sizeof hs);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, isr_waiter, &hs), 0);
        while (!atomic_load(&hs.waiting)) sched_yield();
        atomic_store(&hs.go, 1);
        isr_notify(&hs.sync);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(hs.woke, 1);
        assert_int_equal(hs.bad_waits, 0);
        rtm_port_sync_destroy(&hs.sync);
    }
    /* portYIELD_FROM_ISR asked for a switch only when a listed task was woken: never more often
     * than there were notifies (the model asks whenever it unblocks one) */
    assert_true(rtm_model_yields_from_isr() - yields <= 200u);
}

/* The ISR's notify comes while one waiter sleeps, listed, and another holds the lock between its
 * check and its wait. Both must return. Found while writing this port: docs/porting.md had the
 * ISR set the pending flag only "if the list is empty"; here it is not, the sleeper was woken,
 * and the lock holder then slept on: a lost wake-up (the slab's oldest waiter may be the one in
 * the window, on its second pass after a spurious wake-up, while a younger one sleeps). */
typedef struct {
    rtm_port_sync sync;
    atomic_int first_in, second_holding, isr_done, go;
    int bad_first, bad_second, done; /* under the sync lock */
} two_waiters;

static void *sleeping_waiter(void *arg)
{
    two_waiters *tw = arg;
    rtm_port_lock(&tw->sync);
    atomic_store(&tw->first_in, 1);
    uint64_t deadline = rtm_port_now_ms() + LOST_WAKEUP_MS;
    while (!atomic_load(&tw->go))
        if (rtm_port_wait(&tw->sync, deadline) != RTM_OK) {
            tw->bad_first++;
            break;
        }
    tw->done++;
    rtm_port_unlock(&tw->sync);
    return NULL;
}

static void *holding_waiter(void *arg)
{
    two_waiters *tw = arg;
    rtm_port_lock(&tw->sync); /* the first one gave the lock in its wait: it is listed */
    int go = atomic_load(&tw->go); /* the check: 0, as go is set once this one says it holds the lock */
    atomic_store(&tw->second_holding, 1);
    while (!atomic_load(&tw->isr_done)) sched_yield(); /* checked, not yet waiting: the ISR comes */
    uint64_t deadline = rtm_port_now_ms() + LOST_WAKEUP_MS;
    while (!go) {
        if (rtm_port_wait(&tw->sync, deadline) != RTM_OK) {
            tw->bad_second++;
            break;
        }
        go = atomic_load(&tw->go);
    }
    tw->done++;
    rtm_port_unlock(&tw->sync);
    return NULL;
}

static void test_isr_notify_wakes_sleeper_and_lock_holder(void **state)
{
    (void)state;
    static two_waiters tw;
    for (int round = 0; round < 5; round++) {
        memset(&tw, 0, sizeof tw);
        pthread_t a, b;
        assert_int_equal(pthread_create(&a, NULL, sleeping_waiter, &tw), 0);
        while (!atomic_load(&tw.first_in)) sched_yield();
        assert_int_equal(pthread_create(&b, NULL, holding_waiter, &tw), 0);
        while (!atomic_load(&tw.second_holding)) sched_yield();
        atomic_store(&tw.go, 1);
        isr_notify(&tw.sync);
        atomic_store(&tw.isr_done, 1);
        assert_int_equal(pthread_join(a, NULL), 0);
        assert_int_equal(pthread_join(b, NULL), 0);
        assert_int_equal(tw.done, 2);
        assert_int_equal(tw.bad_first, 0);
        assert_int_equal(tw.bad_second, 0);
        rtm_port_sync_destroy(&tw.sync);
    }
}

/* An ISR's notify with nobody around leaves the pending flag: the next wait returns RTM_OK at once
 * (a spurious wake-up), once; the one after it waits. */
static void test_isr_notify_pending_flag(void **state)
{
    (void)state;
    static rtm_port_sync s;
    isr_notify(&s);
    rtm_port_lock(&s);
    assert_int_equal(rtm_port_wait(&s, rtm_port_now_ms() + LOST_WAKEUP_MS), RTM_OK);
    wait_until_timeout(&s, rtm_port_now_ms() + 5u);
    rtm_port_unlock(&s);
    rtm_port_sync_destroy(&s);
}

/* Timed waits that an ISR's notify races with: the notification given after the wait timed out,
 * before it took itself off the list, is consumed by that wait, so no wait leaves a notification
 * behind (which would cut the task's next wait short). And index 0, the application's, is never
 * touched: the waiter holds one notification there throughout. */
#define RACE_ROUNDS 300
static rtm_port_sync g_race;
static atomic_int g_race_stop, g_race_rounds_done;

static void *racing_waiter(void *arg)
{
    (void)arg;
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    (void)xTaskNotifyGiveIndexed(self, 0); /* the application's index */
    rtm_test_rng rng = {rtm_test_seed_default(7u)};
    for (int r = 0; r < RACE_ROUNDS; r++) {
        rtm_port_lock(&g_race);
        rtm_err e = rtm_port_wait(&g_race, rtm_port_now_ms() + 1u + rtm_test_rnd(&rng, 3));
        TCHECK(e == RTM_OK || e == RTM_ERR_TIMEOUT);
        TCHECK(rtm_model_notify_value(self, RTM_FREERTOS_NOTIFY_INDEX) == 0);
        rtm_port_unlock(&g_race);
        atomic_fetch_add(&g_race_rounds_done, 1);
    }
    TCHECK(rtm_model_notify_value(self, 0) == 1);
    atomic_store(&g_race_stop, 1);
    return NULL;
}

static void test_timeout_races_isr_notify(void **state)
{
    (void)state;
    pthread_t t;
    atomic_store(&g_race_stop, 0);
    assert_int_equal(pthread_create(&t, NULL, racing_waiter, NULL), 0);
    rtm_test_rng rng = {rtm_test_seed_default(11u)};
    while (!atomic_load(&g_race_stop)) {
        struct timespec nap = {0, (long)(rtm_test_rnd(&rng, 1000) * 1000u)};
        nanosleep(&nap, NULL);
        isr_notify(&g_race);
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(atomic_load(&g_race_rounds_done), RACE_ROUNDS);
    rtm_port_sync_destroy(&g_race);
}

/* The same race made certain: an interrupt arrives just as the waiter's take has timed out, before
 * it takes itself off the list (the model calls the test there). The ISR finds it listed and gives
 * it a notification; the wait must consume it and return RTM_OK, leaving nothing behind. */
static rtm_port_sync g_late;
static void late_isr(void) { isr_notify(&g_late); }

static void test_notification_after_timeout_is_consumed(void **state)
{
    (void)state;
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    rtm_port_lock(&g_late);
    rtm_model_on_take_timeout(late_isr);
    rtm_err e = rtm_port_wait(&g_late, rtm_port_now_ms() + 2u);
    rtm_model_on_take_timeout(NULL);
    assert_int_equal(e, RTM_OK); /* notified: the ISR took it off the list */
    assert_int_equal(rtm_model_notify_value(self, RTM_FREERTOS_NOTIFY_INDEX), 0);
    assert_int_equal(rtm_port_wait(&g_late, rtm_port_now_ms() + 2u), RTM_OK); /* the ISR's pending flag */
    wait_until_timeout(&g_late, rtm_port_now_ms() + 2u); /* and then a real wait */
    rtm_port_unlock(&g_late);
    rtm_port_sync_destroy(&g_late);
}

/* ---- critical section --------------------------------------------------------------------------- */
#define ROUNDS 20000
static long g_counter;
static uintptr_t g_other_id;

static void *critical_worker(void *arg)
{
    (void)arg;
    g_other_id = rtm_port_thread_id();
    for (int i = 0; i < ROUNDS; i++) {
        rtm_port_key k = rtm_port_critical_enter();
        rtm_port_key k2 = rtm_port_critical_enter(); /* nests */
        g_counter++;
        rtm_port_critical_exit(k2);
        rtm_port_critical_exit(k);
    }
    return NULL;
}

static void *critical_isr(void *arg)
{
    (void)arg;
    rtm_model_isr_enter();
    for (int i = 0; i < ROUNDS; i++) {
        rtm_port_key k = rtm_port_critical_enter(); /* the saved-mask form: keys nest */
        rtm_port_key k2 = rtm_port_critical_enter();
        g_counter++;
        rtm_port_critical_exit(k2);
        rtm_port_critical_exit(k);
    }
    rtm_model_isr_exit();
    return NULL;
}

static void test_critical_section(void **state)
{
    (void)state;
    pthread_t t, isr;
    g_counter = 0;
    assert_int_equal(pthread_create(&t, NULL, critical_worker, NULL), 0);
    assert_int_equal(pthread_create(&isr, NULL, critical_isr, NULL), 0);
    for (int i = 0; i < ROUNDS; i++) {
        rtm_port_key k = rtm_port_critical_enter();
        g_counter++;
        rtm_port_critical_exit(k);
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(pthread_join(isr, NULL), 0);
    assert_int_equal(g_counter, 3 * ROUNDS); /* no increment lost: the sections excluded */
    assert_true(g_other_id != 0);
    assert_true(rtm_port_thread_id() != 0);
    assert_true(rtm_port_thread_id() != g_other_id);
    /* the model's mask keys are 0, 1, ... by depth (a wrong key is misuse, seen by teardown) */
    rtm_model_isr_enter();
    rtm_port_key a = rtm_port_critical_enter(), b = rtm_port_critical_enter();
    rtm_port_critical_exit(b);
    rtm_port_critical_exit(a);
    rtm_model_isr_exit();
    assert_true(a != b);
}

/* Before the scheduler starts: the critical section is the saved-mask form (taskENTER_CRITICAL()
 * would leave interrupts masked: the model reports it), thread ids are 0, lock and unlock call no
 * FreeRTOS mutex function, a wait cannot block, and an ISR's notify is kept for the first wait
 * after the start. */
static void test_before_scheduler(void **state)
{
    (void)state;
    static rtm_port_sync s;
    rtm_model_set_scheduler_state(taskSCHEDULER_NOT_STARTED);
    rtm_port_key k = rtm_port_critical_enter();
    rtm_port_key k2 = rtm_port_critical_enter();
    rtm_port_critical_exit(k2);
    rtm_port_critical_exit(k);
    assert_int_equal(rtm_port_thread_id(), 0);
    assert_false(rtm_port_in_isr());
    rtm_port_lock(&s);
    assert_int_equal(rtm_port_wait(&s, UINT64_MAX), RTM_ERR_UNSUPPORTED);
    rtm_port_notify_all(&s);
    rtm_port_unlock(&s);
    isr_notify(&s);
    rtm_port_notify_from_isr(&s); /* from start-up code: the same */
    (void)rtm_port_now_ms();
    rtm_model_set_scheduler_state(taskSCHEDULER_RUNNING);
    assert_int_equal(rtm_port_thread_id(), (uintptr_t)xTaskGetCurrentTaskHandle());
    assert_true(rtm_port_thread_id() != 0);
    rtm_port_lock(&s);
    assert_int_equal(rtm_port_wait(&s, rtm_port_now_ms() + LOST_WAKEUP_MS), RTM_OK); /* the kept notify */
    rtm_port_unlock(&s);
    rtm_port_sync_destroy(&s);
}

/* ---- identity ----------------------------------------------------------------------------------- */
/* Ids are unique among live tasks: each thread stays until all have read theirs (a task's handle
 * is freed when its thread ends, and the next one may get the same address). */
static uintptr_t g_ids[4];
static atomic_int g_ids_read;
static void *record_id(void *arg)
{
    uintptr_t *slot = arg;
    *slot = rtm_port_thread_id();
    TCHECK(*slot == (uintptr_t)xTaskGetCurrentTaskHandle());
    atomic_fetch_add(&g_ids_read, 1);
    while (atomic_load(&g_ids_read) < 4) sched_yield();
    return NULL;
}

static void test_thread_ids(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, record_id, &g_ids[i]), 0);
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_join(t[i], NULL), 0);
    uintptr_t self = rtm_port_thread_id();
    for (int i = 0; i < 4; i++) {
        assert_true(g_ids[i] != 0);
        assert_true(g_ids[i] != self);
        for (int j = 0; j < i; j++) assert_true(g_ids[i] != g_ids[j]);
    }
    assert_false(rtm_port_in_isr());
    rtm_model_isr_enter();
    assert_true(rtm_port_in_isr());
    assert_int_equal(rtm_port_thread_id(), 0); /* the model's handle here is not NULL: the port says 0 */
    rtm_model_isr_exit();
    assert_false(rtm_port_in_isr());
}

/* ---- clocks ------------------------------------------------------------------------------------- */
/* The clocks are the tick count extended to 64 bits, in ms and us: with the count frozen, one
 * tick more is 1000 / rate ms and 1000000 / rate us (to the rounding of each reading), also
 * across the wrap of the 32-bit count, and they never go back. */
static void expect_step(uint64_t before, uint64_t after, uint64_t ticks, uint64_t per_second)
{
    uint64_t want = ticks * per_second / configTICK_RATE_HZ; /* the readings round down: +-1 */
    assert_true(after >= before);
    assert_true(after - before + 1u >= want && after - before <= want + 1u);
}

static void test_clock_follows_ticks_across_wrap(void **state)
{
    (void)state;
    rtm_model_freeze_ticks(true);
    rtm_model_set_tick_count((TickType_t)0xFFFFFFF0u);
    uint64_t ms = rtm_port_now_ms(), us = rtm_port_now_us();
    assert_true(ms == us / 1000u || ms + 1u == us / 1000u || ms == us / 1000u + 1u);
    for (int i = 0; i < 0x40; i++) { /* one tick at a time through the wrap */
        rtm_model_advance_ticks(1);
        uint64_t ms2 = rtm_port_now_ms(), us2 = rtm_port_now_us();
        expect_step(ms, ms2, 1, 1000u);
        expect_step(us, us2, 1, 1000000u);
        ms = ms2;
        us = us2;
    }
    /* many wraps, each seen by the tick hook alone, half a wrap apart */
    for (int i = 0; i < 10; i++) {
        rtm_model_advance_ticks(0x80000000u);
        rtm_freertos_tick_hook();
    }
    rtm_model_isr_enter(); /* a handler reads the clock too (xTaskGetTickCountFromISR) */
    uint64_t us3 = rtm_port_now_us();
    rtm_model_isr_exit();
    expect_step(us, us3, 5ull * 0x100000000ull, 1000000u);
    rtm_model_freeze_ticks(false);
    uint64_t prev = rtm_port_now_us();
    for (int i = 0; i < 10000; i++) { /* following the monotonic clock again: never back */
        uint64_t now = rtm_port_now_us();
        assert_true(now >= prev);
        prev = now;
    }
}

/* ---- the sync object's life --------------------------------------------------------------------- */
/* destroy deletes the mutex (the model reports a delete while held) and leaves a zero-filled,
 * valid object, which creates a new mutex on its next use */
static void test_destroy_and_reuse(void **state)
{
    (void)state;
    rtm_port_sync s, zero;
    memset(&s, 0, sizeof s);
    memset(&zero, 0, sizeof zero);
    rtm_port_sync_destroy(&s); /* never used: nothing to delete */
    rtm_port_lock(&s);
    rtm_port_unlock(&s);
    rtm_port_sync_destroy(&s);
    assert_memory_equal(&s, &zero, sizeof s);
    rtm_port_lock(&s);
    rtm_port_notify_all(&s);
    rtm_port_unlock(&s);
    rtm_port_sync_destroy(&s);
    assert_memory_equal(&s, &zero, sizeof s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_null_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_across_tick_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_wakes_waiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_wakes_far_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capped_wait_is_not_a_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_from_isr_wakes_waiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isr_notify_wakes_sleeper_and_lock_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isr_notify_pending_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_races_isr_notify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notification_after_timeout_is_consumed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_critical_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_before_scheduler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_follows_ticks_across_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_use_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_and_reuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
