/*
 * The contract cases and helpers the FreeRTOS and Zephyr port tests (test_port_freertos.c,
 * test_port_zephyr.c) share word for word: they call only rtmem/port.h and pthreads, and the
 * model's interrupt flag through model_isr_enter / model_isr_exit, which the including file
 * defines (as test_slab_rtos.c does). The two files held a copy each (duplicates --change,
 * 2026-11-30). Static definitions: included by one .c file each, after its model's test header.
 */
#ifndef RTM_RTOS_PORT_CASES_H
#define RTM_RTOS_PORT_CASES_H

static void isr_notify(rtm_port_sync *s)
{
    model_isr_enter();
    rtm_port_notify_from_isr(s);
    model_isr_exit();
}

static void test_null_sync(void **state)
{
    (void)state;
    rtm_test_hook_install();
    rtm_port_lock(NULL);
    rtm_port_unlock(NULL);
    rtm_port_notify_all(NULL);
    rtm_port_notify_from_isr(NULL);
    assert_int_equal(rtm_port_wait(NULL, 0), RTM_ERR_ARG);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 5);
    rtm_port_sync_destroy(NULL); /* silent */
    assert_int_equal(rtm_test_hook_total(), 5);
    rtm_set_error_hook(NULL);
}

/* Waits on @p s (held) until @p deadline passes, which it must report as RTM_ERR_TIMEOUT and not
 * before: at 128 Hz a deadline falls between two ticks, and a conversion that rounds down ends
 * the wait up to a tick early. */
static void wait_until_timeout(rtm_port_sync *s, uint64_t deadline)
{
    rtm_err e;
    do {
        e = rtm_port_wait(s, deadline); /* RTM_OK only if woken spuriously: wait again */
    } while (e == RTM_OK);
    assert_int_equal(e, RTM_ERR_TIMEOUT);
    assert_true(rtm_port_now_ms() >= deadline); /* never before the deadline */
}

static void test_wait_times_out(void **state)
{
    (void)state;
    static rtm_port_sync s; /* zero-filled: valid without an init call */
    rtm_port_lock(&s);
    for (unsigned ms = 1; ms <= 25; ms += 3) wait_until_timeout(&s, rtm_port_now_ms() + ms);
    /* A deadline already past: returns at once, still holding the lock. */
    assert_int_equal(rtm_port_wait(&s, 0), RTM_ERR_TIMEOUT);
    assert_int_equal(rtm_port_wait(&s, rtm_port_now_ms()), RTM_ERR_TIMEOUT);
    rtm_port_unlock(&s);
    rtm_port_sync_destroy(&s);
}

typedef struct {
    rtm_port_sync sync;
    int waiting, go, woke, bad_waits; /* under the sync lock */
    uint64_t deadline;
} handshake;

static void *waiter(void *arg)
{
    handshake *hs = arg;
    rtm_port_lock(&hs->sync);
    hs->waiting++;
    while (!hs->go)
        if (rtm_port_wait(&hs->sync, hs->deadline) != RTM_OK) hs->bad_waits++;
    hs->woke++;
    rtm_port_unlock(&hs->sync);
    return NULL;
}

/* @p n waiters woken by one notify_all, their deadline never passing. */
static void notify_wakes_waiters(uint64_t deadline, int n)
{
    static handshake hs;
    memset(&hs, 0, sizeof hs);
    hs.deadline = deadline;
    pthread_t t[8];
    for (int i = 0; i < n; i++) assert_int_equal(pthread_create(&t[i], NULL, waiter, &hs), 0);
    for (;;) { /* until every waiter held the lock: they are listed, or about to be */
        rtm_port_lock(&hs.sync);
        int w = hs.waiting;
        if (w == n) {
            hs.go = 1;
            rtm_port_notify_all(&hs.sync);
        }
        rtm_port_unlock(&hs.sync);
        if (w == n) break;
        sched_yield();
    }
    for (int i = 0; i < n; i++) assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(hs.woke, n);
    assert_int_equal(hs.bad_waits, 0);
    rtm_port_sync_destroy(&hs.sync);
}

/* A zero-filled sync first used by two threads at once: the kernel's mutex is set up once (each
 * model reports a second creation or init on the same object) and excludes from the first lock on. */
#define FIRST_THREADS 2
#define FIRST_ROUNDS 1000
static rtm_port_sync g_fresh[FIRST_ROUNDS];
static unsigned g_fresh_count[FIRST_ROUNDS];
static atomic_uint g_fresh_arrived[FIRST_ROUNDS];

static void *first_user(void *arg)
{
    (void)arg;
    for (int r = 0; r < FIRST_ROUNDS; r++) {
        atomic_fetch_add(&g_fresh_arrived[r], 1u);
        for (unsigned spins = 0; atomic_load(&g_fresh_arrived[r]) < FIRST_THREADS; spins++)
            if (spins % 1024u == 1023u) sched_yield();
        rtm_port_lock(&g_fresh[r]);
        unsigned v = g_fresh_count[r];
        sched_yield();
        g_fresh_count[r] = v + 1;
        rtm_port_unlock(&g_fresh[r]);
    }
    return NULL;
}

/* ---- the sync object's life --------------------------------------------------------------------- */
static void test_first_use_concurrent(void **state)
{
    (void)state;
    pthread_t t[FIRST_THREADS];
    for (int i = 0; i < FIRST_THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, first_user, NULL), 0);
    for (int i = 0; i < FIRST_THREADS; i++) assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int r = 0; r < FIRST_ROUNDS; r++) {
        assert_int_equal(g_fresh_count[r], FIRST_THREADS);
        rtm_port_sync_destroy(&g_fresh[r]);
    }
}

#endif
