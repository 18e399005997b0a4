/*
 * The Zephyr port (port/zephyr) against rtmem/port.h's contract, compiled unchanged against the
 * host model of Zephyr (zephyr_model/, whose top comment says what it models and what it does not:
 * no priorities, no preemption). The cases of test_port_freertos.c where they apply, and what is
 * Zephyr's own: irq_lock keys, interrupt handlers on their own thread (the model's flag), the
 * pending flag of an ISR's notify, the kernel not yet running (k_is_pre_kernel), a deadline
 * converted to the first tick at which k_uptime_get() reaches it. Every test ends by asserting
 * that the model saw no misuse of its API (zephyr_model.h lists what it detects). A lost wake-up
 * shows as a 10 s timeout, counted; no assertion depends on how long anything took, only on order
 * ("not before the deadline"). Labels unit and mt (also run under ThreadSanitizer). Built three
 * times: at 1000 Hz and at 128 Hz (a tick rate that does not divide 1000) with absolute timeouts
 * (CONFIG_TIMEOUT_64BIT), and at 128 Hz with 32-bit relative ones.
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

#include "rtm_test.h"
#include "rtm_zephyr.h"
#include "rtmem/port.h"
#include "zephyr_model.h"

#include "zephyr_test.h"
#define model_isr_enter rtm_zmodel_isr_enter
#define model_isr_exit rtm_zmodel_isr_exit
#include "rtos_port_cases.h"

#define HZ ((uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC)

/* A waiter with a deadline between ticks (at 128 Hz) or on one, the uptime frozen and stepped one
 * tick at a time: it sleeps once, is still asleep at every tick whose k_uptime_get() is before the
 * deadline, and its one sleep ends with RTM_ERR_TIMEOUT at the first tick that reaches it: no
 * early wake-up (a deadline rounded down) and no tick too late (a relative K_MSEC(deadline - now),
 * whose now is rounded down). */
typedef struct {
    rtm_port_sync sync;
    _Atomic(k_tid_t) thread;
    uint64_t deadline;
    rtm_err got;
    uint64_t woke_ms;
    atomic_int done;
} timed_wait;

static void *timed_waiter(void *arg)
{
    timed_wait *tw = arg;
    rtm_port_lock(&tw->sync);
    atomic_store(&tw->thread, k_current_get());
    tw->got = rtm_port_wait(&tw->sync, tw->deadline);
    tw->woke_ms = rtm_port_now_ms();
    atomic_store(&tw->done, 1);
    rtm_port_unlock(&tw->sync);
    return NULL;
}

static void test_deadline_ends_at_its_first_tick(void **state)
{
    (void)state;
    static timed_wait tw;
    /* at 128 Hz from this start: 8 ms is reached one tick before ceil(8 * 128 / 1000) ticks, which
     * K_MSEC(deadline - now) would sleep (a tick late) */
    static const unsigned extras[] = {1, 8, 9, 23};
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
        unsigned extra = extras[i];
        memset(&tw, 0, sizeof tw);
        rtm_zmodel_freeze_ticks(true);
        rtm_zmodel_set_ticks(1000u * HZ + 1u); /* a tick that is not on a millisecond at 128 Hz */
        rtm_zmodel_freeze_ticks(true);
        tw.deadline = rtm_port_now_ms() + extra;
        unsigned sleeps = rtm_zmodel_sem_sleeps();
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, timed_waiter, &tw), 0);
        while (atomic_load(&tw.thread) == NULL) sched_yield();
        while (!rtm_zmodel_thread_waiting(atomic_load(&tw.thread))) sched_yield();
        while (rtm_port_now_ms() < tw.deadline) {
            struct timespec nap = {0, 3000000}; /* a wrong expiry would end the sleep in this time */
            nanosleep(&nap, NULL);
            assert_true(rtm_zmodel_thread_waiting(atomic_load(&tw.thread)));
            rtm_zmodel_advance_ticks(1);
        }
        for (int ms = 0; ms < 1000 && !atomic_load(&tw.done); ms++) {
            struct timespec nap = {0, 1000000};
            nanosleep(&nap, NULL);
        }
        bool in_time = atomic_load(&tw.done) != 0;
        if (!in_time) rtm_zmodel_advance_ticks(1u << 20); /* late: let it go, then fail */
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_true(in_time);
        assert_int_equal(tw.got, RTM_ERR_TIMEOUT);
        assert_int_equal(tw.woke_ms, rtm_port_now_ms()); /* at the first tick that reached it */
        assert_int_equal(rtm_zmodel_sem_sleeps() - sleeps, 1);
        rtm_zmodel_freeze_ticks(false);
        rtm_port_sync_destroy(&tw.sync);
    }
}

static void test_notify_wakes_waiter(void **state)
{
    (void)state;
    notify_wakes_waiters(UINT64_MAX, 1); /* forever: K_FOREVER */
    notify_wakes_waiters(UINT64_MAX, 4);
}

/* Deadlines far away that are not "forever": beyond what a tick count converts without overflow,
 * beyond 2^32 ticks (a 32-bit relative timeout's range). The wait blocks and the notify ends it
 * with RTM_OK. */
static void test_notify_wakes_far_deadline(void **state)
{
    (void)state;
    notify_wakes_waiters(UINT64_MAX - 1u, 2);
    notify_wakes_waiters((uint64_t)1 << 63, 1);
    notify_wakes_waiters(rtm_port_now_ms() + 0x100000000ull * 1000u / HZ, 1); /* 2^32 ticks */
}

/* A deadline more ticks away than a wait asks for (a 32-bit relative timeout, capped at
 * RTM_ZEPHYR_MAX_WAIT_TICKS) or converts without overflow (absolute: K_FOREVER beyond 146 years):
 * with the uptime frozen and stepped by the cap, the wait returns RTM_OK (a spurious wake-up) with
 * the deadline still ahead, or keeps waiting; never RTM_ERR_TIMEOUT. */
typedef struct {
    rtm_port_sync sync;
    _Atomic(k_tid_t) thread;
    uint64_t deadline;
    atomic_int done;
    rtm_err got;
} capped_wait;

static void *capped_waiter(void *arg)
{
    capped_wait *cw = arg;
    rtm_port_lock(&cw->sync);
    atomic_store(&cw->thread, k_current_get());
    cw->got = rtm_port_wait(&cw->sync, cw->deadline);
    atomic_store(&cw->done, 1);
    rtm_port_unlock(&cw->sync);
    return NULL;
}

static void test_capped_wait_is_not_a_timeout(void **state)
{
    (void)state;
    static capped_wait cw;
    memset(&cw, 0, sizeof cw);
    rtm_zmodel_freeze_ticks(true);
    cw.deadline = rtm_port_now_ms() + 0x200000000ull * 1000u / HZ; /* 2^33 ticks */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, capped_waiter, &cw), 0);
    while (atomic_load(&cw.thread) == NULL) sched_yield();
    while (!rtm_zmodel_thread_waiting(atomic_load(&cw.thread))) sched_yield();
    rtm_zmodel_advance_ticks((uint64_t)RTM_ZEPHYR_MAX_WAIT_TICKS);
    struct timespec nap = {0, 5000000};
    nanosleep(&nap, NULL);
    if (!atomic_load(&cw.done)) { /* absolute: still asleep; end it */
        rtm_port_lock(&cw.sync);
        rtm_port_notify_all(&cw.sync);
        rtm_port_unlock(&cw.sync);
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(cw.got, RTM_OK);
    assert_true(rtm_port_now_ms() < cw.deadline);
    rtm_zmodel_freeze_ticks(false);
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
}

/* The ISR's notify comes while one waiter sleeps, listed, and another holds the lock between its
 * check and its wait. Both must return: the pending flag is set although the list is not empty
 * (docs/porting.md once said to set it only when nobody is listed: the lock holder then sleeps on). */
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
    rtm_port_lock(&tw->sync); /* the first one unlocked in its wait: it is listed */
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

/* From a thread, rtm_port_notify_from_isr takes the lock and notifies: it wakes a sleeper and
 * leaves no pending flag (the next wait sleeps to its deadline). */
static void test_notify_from_isr_in_thread(void **state)
{
    (void)state;
    static handshake hs;
    memset(&hs, 0, sizeof hs);
    hs.deadline = UINT64_MAX;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, waiter, &hs), 0);
    for (;;) {
        rtm_port_lock(&hs.sync);
        int w = hs.waiting;
        if (w) hs.go = 1;
        rtm_port_unlock(&hs.sync);
        if (w) break;
        sched_yield();
    }
    rtm_port_notify_from_isr(&hs.sync);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(hs.woke, 1);
    rtm_port_lock(&hs.sync);
    wait_until_timeout(&hs.sync, rtm_port_now_ms() + 3u);
    rtm_port_unlock(&hs.sync);
    rtm_port_sync_destroy(&hs.sync);
}

/* Timed waits that an ISR's notify races with: every wait returns RTM_OK or RTM_ERR_TIMEOUT, and a
 * give that came after a wait timed out cuts no later wait short (each wait's semaphore is its
 * own): after the storm, a wait lasts to its deadline. */
#define RACE_ROUNDS 300
static rtm_port_sync g_race;
static atomic_int g_race_stop, g_race_rounds_done;

static void *racing_waiter(void *arg)
{
    (void)arg;
    rtm_test_rng rng = {rtm_test_seed_default(7u)};
    for (int r = 0; r < RACE_ROUNDS; r++) {
        rtm_port_lock(&g_race);
        rtm_err e = rtm_port_wait(&g_race, rtm_port_now_ms() + 1u + rtm_test_rnd(&rng, 3));
        TCHECK(e == RTM_OK || e == RTM_ERR_TIMEOUT);
        rtm_port_unlock(&g_race);
        atomic_fetch_add(&g_race_rounds_done, 1);
    }
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
    rtm_port_lock(&g_race);
    (void)rtm_port_wait(&g_race, rtm_port_now_ms() + 2u); /* a pending flag the last ISR may have left */
    wait_until_timeout(&g_race, rtm_port_now_ms() + 2u);
    rtm_port_unlock(&g_race);
    rtm_port_sync_destroy(&g_race);
}

/* The same race made certain: an interrupt arrives just as the waiter's k_sem_take has timed out,
 * before it takes itself off the list (the model calls the test there). The ISR finds it listed
 * and gives its semaphore; the wait must return RTM_OK (it was notified), then the ISR's pending
 * flag ends the next wait, and the one after that waits to its deadline. */
static rtm_port_sync g_late;
static void late_isr(void) { isr_notify(&g_late); }

static void test_notification_after_timeout(void **state)
{
    (void)state;
    rtm_port_lock(&g_late);
    rtm_zmodel_on_take_timeout(late_isr);
    rtm_err e = rtm_port_wait(&g_late, rtm_port_now_ms() + 2u);
    rtm_zmodel_on_take_timeout(NULL);
    assert_int_equal(e, RTM_OK); /* notified: the ISR took it off the list */
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
    rtm_zmodel_isr_enter();
    for (int i = 0; i < ROUNDS; i++) {
        rtm_port_key k = rtm_port_critical_enter();
        rtm_port_key k2 = rtm_port_critical_enter();
        g_counter++;
        rtm_port_critical_exit(k2);
        rtm_port_critical_exit(k);
    }
    rtm_zmodel_isr_exit();
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
    /* the keys are irq_lock's, handed back to the matching irq_unlock (a wrong key is misuse, seen
     * by teardown). The model's key is the nesting depth, so that a swapped pair shows; real
     * hardware returns "already masked" for both inner calls (b == c there): the inequality below
     * checks the model's keys reach the port unchanged, not Zephyr's values (review) */
    rtm_port_key a = rtm_port_critical_enter(), b = rtm_port_critical_enter(), c = rtm_port_critical_enter();
    rtm_port_critical_exit(c);
    rtm_port_critical_exit(b);
    rtm_port_critical_exit(a);
    assert_true(a != b && b != c);
}

/* Before the kernel runs: the critical section works, thread ids are 0, lock and unlock call no
 * k_mutex function, a wait cannot block, and an ISR's (or start-up code's) notify is kept for the
 * first wait after the start. */
static void test_before_kernel(void **state)
{
    (void)state;
    static rtm_port_sync s;
    rtm_zmodel_set_pre_kernel(true);
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
    rtm_zmodel_set_pre_kernel(false);
    assert_int_equal(rtm_port_thread_id(), (uintptr_t)k_current_get());
    assert_true(rtm_port_thread_id() != 0);
    rtm_port_lock(&s);
    assert_int_equal(rtm_port_wait(&s, rtm_port_now_ms() + LOST_WAKEUP_MS), RTM_OK); /* the kept notify */
    rtm_port_unlock(&s);
    rtm_port_sync_destroy(&s);
}

/* ---- identity ----------------------------------------------------------------------------------- */
/* Ids are unique among live threads: each thread stays until all have read theirs (a handle is
 * freed when its thread ends, and the next one may get the same address). */
static uintptr_t g_ids[4];
static atomic_int g_ids_read;
static void *record_id(void *arg)
{
    uintptr_t *slot = arg;
    *slot = rtm_port_thread_id();
    TCHECK(*slot == (uintptr_t)k_current_get());
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
    rtm_zmodel_isr_enter();
    assert_true(rtm_port_in_isr());
    assert_int_equal(rtm_port_thread_id(), 0); /* k_current_get() here names the interrupted thread */
    rtm_zmodel_isr_exit();
    assert_false(rtm_port_in_isr());
}

/* ---- clocks ------------------------------------------------------------------------------------- */
/* The clocks are the 64-bit uptime in ms and us: with the ticks frozen, one tick more is 1000 /
 * rate ms and 1000000 / rate us (to the rounding of each reading), far beyond 32 bits too, in a
 * handler too, and they never go back. */
static void expect_step(uint64_t before, uint64_t after, uint64_t ticks, uint64_t per_second)
{
    uint64_t want = ticks * per_second / HZ; /* the readings round down: +-1 */
    assert_true(after >= before);
    assert_true(after - before + 1u >= want && after - before <= want + 1u);
}

static void test_clock_follows_ticks(void **state)
{
    (void)state;
    rtm_zmodel_freeze_ticks(true);
    rtm_zmodel_set_ticks(0xFFFFFFF0u);
    uint64_t ms = rtm_port_now_ms(), us = rtm_port_now_us();
    assert_true(ms == us / 1000u || ms + 1u == us / 1000u || ms == us / 1000u + 1u);
    for (int i = 0; i < 0x40; i++) { /* one tick at a time past 2^32 */
        rtm_zmodel_advance_ticks(1);
        uint64_t ms2 = rtm_port_now_ms(), us2 = rtm_port_now_us();
        expect_step(ms, ms2, 1, 1000u);
        expect_step(us, us2, 1, 1000000u);
        ms = ms2;
        us = us2;
    }
    rtm_zmodel_advance_ticks(5ull << 32);
    rtm_zmodel_isr_enter();
    uint64_t us3 = rtm_port_now_us();
    rtm_zmodel_isr_exit();
    expect_step(us, us3, 5ull << 32, 1000000u);
    rtm_zmodel_freeze_ticks(false);
    uint64_t prev = rtm_port_now_us();
    for (int i = 0; i < 10000; i++) { /* following the monotonic clock again: never back */
        uint64_t now = rtm_port_now_us();
        assert_true(now >= prev);
        prev = now;
    }
}

/* ---- the sync object's life --------------------------------------------------------------------- */
/* destroy leaves a zero-filled, valid object, whose next use initialises its k_mutex again */
static void test_destroy_and_reuse(void **state)
{
    (void)state;
    rtm_port_sync s, zero;
    memset(&s, 0, sizeof s);
    memset(&zero, 0, sizeof zero);
    rtm_port_sync_destroy(&s); /* never used */
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
        cmocka_unit_test_setup_teardown(test_deadline_ends_at_its_first_tick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_wakes_waiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_wakes_far_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capped_wait_is_not_a_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_from_isr_wakes_waiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isr_notify_wakes_sleeper_and_lock_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isr_notify_pending_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_from_isr_in_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_races_isr_notify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notification_after_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_critical_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_before_kernel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_follows_ticks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_use_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_and_reuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
