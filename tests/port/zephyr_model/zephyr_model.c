/*
 * Host model of the Zephyr (3.x) API subset that port/zephyr calls, on pthreads, for tests only.
 *
 * Modelled (the semantics the port relies on):
 *  - Threads are pthreads. k_current_get() returns a per-thread handle made on first use (freed
 *    when the thread ends); in a simulated handler, the handle of the thread it runs on, as Zephyr
 *    returns the interrupted thread.
 *  - irq_lock() / irq_unlock(key): one process-wide recursive mutex, which is also the kernel's own
 *    lock. The key is the nesting depth before the call (0 unlocked, 1, 2, ...) and irq_unlock must
 *    get back its own key. While a thread holds it no other thread, "interrupt" or not, runs kernel
 *    code or enters it: the exclusion of a single-core part with interrupts masked.
 *  - Interrupt handlers are threads that say so (rtm_zmodel_isr_enter/exit); k_is_in_isr() returns
 *    that flag. k_sem_give is allowed there; blocking calls and k_mutex calls are misuse.
 *  - k_is_pre_kernel(): a flag the test sets. Blocking before the kernel runs aborts.
 *  - k_mutex: an owner and a lock count (recursive, as Zephyr's; a recursive lock is counted as
 *    misuse because rtmem's contract says its locks are not). Unlock by a non-owner fails with
 *    -EPERM. A blocked locker takes the mutex when it runs if nobody took it first (Zephyr hands it
 *    to the highest-priority waiter: not modelled).
 *  - k_sem: count and limit, k_sem_init's -EINVAL checks, k_sem_take returning 0, -EBUSY
 *    (K_NO_WAIT) or -EAGAIN (timed out). A give to a semaphore nobody waits on stays in its count.
 *  - Use before init: Zephyr's init makes the wait queue (a dlist) point at itself; a zero-filled
 *    object's does not, and the model reports the call.
 *  - Timeouts in Zephyr's encoding: K_NO_WAIT, K_FOREVER, relative ticks counted from the tick at
 *    the call, and (CONFIG_TIMEOUT_64BIT) absolute ticks, -2 - tick, expiring when the uptime
 *    reaches the tick. The uptime is a 64-bit tick count that follows CLOCK_MONOTONIC at
 *    CONFIG_SYS_CLOCK_TICKS_PER_SEC, or is frozen and stepped by the test. Blocked threads look at it
 *    at least every millisecond, so a stepped count ends their timeouts too.
 *  - A thread whose k_sem_take timed out naps 50 us before it returns, as if preempted there, and a
 *    test can have an "interrupt" arrive exactly there (rtm_zmodel_on_take_timeout).
 *  - k_mutex_init naps first, outside the kernel's lock, so that a lazy init done outside the
 *    critical section lets a second initialiser in, and the model reports the second init.
 *
 * Not modelled, and what that means for the tests:
 *  - Priorities, preemption, scheduling points. Threads run as the host schedules them, all at once
 *    on the host's cores. The tests show the port's logic under the interleavings the host produces
 *    (and ThreadSanitizer checks its memory accesses), not behaviour that depends on priorities:
 *    which waiter runs first, priority inheritance on k_mutex, that k_sem_give inside irq_lock()
 *    does not switch until the next scheduling point.
 *  - Zephyr adds one tick to a relative timeout (it counts from the next tick boundary); the model
 *    wakes at exactly the tick at the call plus the timeout, the earliest Zephyr could: a port that
 *    is right here is right there, but a relative wait wakes a tick later on Zephyr than here. The
 *    sum Zephyr stores is an int32_t without CONFIG_TIMEOUT_64BIT: the model reports a relative
 *    timeout above INT32_MAX / 2 ticks (room for the + 1 and the ticks elapsed since the last
 *    announce), which on Zephyr would wrap and expire at once.
 *  - SMP, tickless idle, user mode and system calls, CONFIG_POLL, object tracking (the port refuses
 *    to compile with it), k_sem_reset, k_mutex's -EDEADLK paths.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_mutexattr_settype (the build may define it already) */
#endif
#include "zephyr_model.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct k_thread {
    atomic_int waiting; /* inside a blocking k_sem_take */
};

/* ---- state -------------------------------------------------------------------------------------- */
static pthread_mutex_t g_kernel; /* recursive: irq_lock and the kernel's lock */
static pthread_cond_t g_cv;      /* with g_kernel: every give and unlock broadcasts */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_thread_key;
static atomic_bool g_pre_kernel = true;
static atomic_uint g_misuse, g_sleeps;
static _Atomic(void (*)(void)) g_on_take_timeout;

static _Thread_local struct k_thread *t_self;
static _Thread_local int t_in_isr;
static _Thread_local unsigned t_irq_depth;

static void misuse(const char *what)
{
    atomic_fetch_add(&g_misuse, 1u);
    fprintf(stderr, "zephyr model: misuse: %s\n", what);
}

static void fatal(const char *what)
{
    fprintf(stderr, "zephyr model: misuse that would deadlock: %s\n", what);
    abort();
}

static void model_init(void)
{
    pthread_mutexattr_t a;
    pthread_condattr_t ca;
    if (pthread_mutexattr_init(&a) != 0 || pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&g_kernel, &a) != 0 || pthread_condattr_init(&ca) != 0 ||
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&g_cv, &ca) != 0 ||
        pthread_key_create(&g_thread_key, free) != 0)
        abort();
    pthread_mutexattr_destroy(&a);
    pthread_condattr_destroy(&ca);
}

static void kernel_lock(void)
{
    pthread_once(&g_once, model_init);
    pthread_mutex_lock(&g_kernel);
}

static void kernel_unlock(void) { pthread_mutex_unlock(&g_kernel); }

/* ---- threads ------------------------------------------------------------------------------------ */
k_tid_t k_current_get(void)
{
    if (t_self != NULL) return t_self;
    pthread_once(&g_once, model_init);
    struct k_thread *t = calloc(1, sizeof *t);
    if (t == NULL) abort();
    pthread_setspecific(g_thread_key, t);
    t_self = t;
    return t;
}

bool k_is_in_isr(void) { return t_in_isr != 0; }
bool k_is_pre_kernel(void) { return atomic_load(&g_pre_kernel); }

/* ---- irq_lock ----------------------------------------------------------------------------------- */
unsigned int irq_lock(void)
{
    kernel_lock();
    return t_irq_depth++;
}

void irq_unlock(unsigned int key)
{
    if (t_irq_depth == 0) {
        misuse("irq_unlock without irq_lock");
        return;
    }
    t_irq_depth--;
    if (key != t_irq_depth) misuse("irq_unlock with a key other than its irq_lock's");
    kernel_unlock();
}

/* ---- ticks -------------------------------------------------------------------------------------- */
static pthread_mutex_t g_tick_lock = PTHREAD_MUTEX_INITIALIZER;
static bool g_tick_frozen, g_tick_started;
static uint64_t g_tick_base, g_tick_base_us; /* the count at g_tick_base_us, or the frozen count */

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* g_tick_lock held */
static uint64_t ticks_locked(void)
{
    if (!g_tick_started) {
        g_tick_base_us = mono_us();
        g_tick_started = true;
    }
    if (g_tick_frozen) return g_tick_base;
    return g_tick_base + (mono_us() - g_tick_base_us) * (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC / 1000000u;
}

static uint64_t ticks_now(void)
{
    pthread_mutex_lock(&g_tick_lock);
    uint64_t t = ticks_locked();
    pthread_mutex_unlock(&g_tick_lock);
    return t;
}

int64_t k_uptime_ticks(void) { return (int64_t)ticks_now(); }

void rtm_zmodel_set_ticks(uint64_t ticks)
{
    pthread_mutex_lock(&g_tick_lock);
    g_tick_base = ticks;
    g_tick_base_us = mono_us();
    g_tick_started = true;
    pthread_mutex_unlock(&g_tick_lock);
}

void rtm_zmodel_freeze_ticks(bool frozen)
{
    pthread_mutex_lock(&g_tick_lock);
    g_tick_base = ticks_locked();
    g_tick_base_us = mono_us();
    g_tick_frozen = frozen;
    pthread_mutex_unlock(&g_tick_lock);
}

void rtm_zmodel_advance_ticks(uint64_t n)
{
    pthread_mutex_lock(&g_tick_lock);
    g_tick_base += n;
    pthread_mutex_unlock(&g_tick_lock);
}

/* ---- blocking ----------------------------------------------------------------------------------- */
static bool is_no_wait(k_timeout_t t) { return K_TIMEOUT_EQ(t, K_NO_WAIT); }
static bool is_forever(k_timeout_t t) { return K_TIMEOUT_EQ(t, K_FOREVER); }

/* The tick at which @p t, given at tick @p start, expires (not for K_FOREVER). */
static uint64_t expiry_of(k_timeout_t t, uint64_t start)
{
#ifdef CONFIG_TIMEOUT_64BIT
    if (t.ticks < -1) return (uint64_t)(-2 - t.ticks); /* absolute: Z_TICK_ABS */
#else
    /* Zephyr's z_add_timeout stores ticks + 1 + elapsed() in the int32_t dticks of struct _timeout
     * (kernel/timeout.c): a relative timeout of INT32_MAX ticks, or a little less once ticks have
     * elapsed since the last announce, wraps negative and expires at the next tick. */
    if ((uint64_t)t.ticks > (uint64_t)INT32_MAX / 2u)
        misuse("relative timeout too long for Zephyr's 32-bit dticks (ticks + 1 + elapsed overflows)");
#endif
    return start + (uint64_t)t.ticks;
}

/* Blocks the caller (kernel lock held once) until a broadcast or at most 1 ms (a stepped tick count
 * wakes nobody); false, without blocking, once the uptime has reached @p expiry. */
static bool block(bool forever, uint64_t expiry)
{
    if (!forever && ticks_now() >= expiry) return false;
    uint64_t until = mono_us() + 1000u;
    struct timespec ts = {(time_t)(until / 1000000u), (long)(until % 1000000u) * 1000L};
    pthread_cond_timedwait(&g_cv, &g_kernel, &ts);
    return true;
}

/* A call that may block for @p t: misuse where blocking is impossible. */
static void check_may_block(const char *call, k_timeout_t t)
{
    char msg[160];
    if (is_no_wait(t)) return;
    if (t_in_isr) {
        snprintf(msg, sizeof msg, "%s blocks in an interrupt handler", call);
        fatal(msg);
    }
    if (t_irq_depth != 0) {
        snprintf(msg, sizeof msg, "%s blocks inside irq_lock()", call);
        fatal(msg);
    }
    if (k_is_pre_kernel()) {
        snprintf(msg, sizeof msg, "%s blocks before the kernel runs", call);
        fatal(msg);
    }
}

static bool initialised(const _wait_q_t *q) { return q->waitq.head == &q->waitq && q->waitq.tail == &q->waitq; }
static void wait_q_init(_wait_q_t *q) { q->waitq.head = q->waitq.tail = &q->waitq; }

/* ---- mutexes ------------------------------------------------------------------------------------ */
int k_mutex_init(struct k_mutex *mutex)
{
    /* A nap before the kernel's lock: an init outside the critical section (a racy lazy init) lets
     * a second initialiser reach the same mutex, which is reported below; inside it, the caller
     * holds the lock already (it is recursive) and nobody else gets in. */
    struct timespec nap = {0, 20000};
    nanosleep(&nap, NULL);
    kernel_lock();
    if (initialised(&mutex->wait_q)) misuse("k_mutex_init on a mutex already initialised");
    wait_q_init(&mutex->wait_q);
    mutex->owner = NULL;
    mutex->lock_count = 0;
    mutex->owner_orig_prio = 0;
    kernel_unlock();
    return 0;
}

int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
    if (t_in_isr) {
        misuse("k_mutex_lock in an interrupt handler");
        return -EBUSY;
    }
    check_may_block("k_mutex_lock", timeout);
    struct k_thread *me = k_current_get();
    kernel_lock();
    if (!initialised(&mutex->wait_q)) {
        misuse("k_mutex_lock on a k_mutex not initialised");
        kernel_unlock();
        return -EINVAL;
    }
    if (mutex->owner == me) {
        misuse("k_mutex_lock by its owner: Zephyr's is recursive, rtmem's locks must not be");
        mutex->lock_count++;
        kernel_unlock();
        return 0;
    }
    uint64_t expiry = is_forever(timeout) ? 0 : expiry_of(timeout, ticks_now());
    while (mutex->owner != NULL) {
        if (is_no_wait(timeout) || !block(is_forever(timeout), expiry)) {
            kernel_unlock();
            return is_no_wait(timeout) ? -EBUSY : -EAGAIN;
        }
    }
    mutex->owner = me;
    mutex->lock_count = 1;
    kernel_unlock();
    return 0;
}

int k_mutex_unlock(struct k_mutex *mutex)
{
    if (t_in_isr) misuse("k_mutex_unlock in an interrupt handler");
    struct k_thread *me = k_current_get();
    kernel_lock();
    int rc = 0;
    if (!initialised(&mutex->wait_q)) {
        misuse("k_mutex_unlock on a k_mutex not initialised");
        rc = -EINVAL;
    } else if (mutex->owner != me) {
        misuse("k_mutex_unlock by a thread that does not own it");
        rc = -EPERM;
    } else if (--mutex->lock_count == 0) {
        mutex->owner = NULL;
        pthread_cond_broadcast(&g_cv);
    }
    kernel_unlock();
    return rc;
}

/* ---- semaphores --------------------------------------------------------------------------------- */
int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
    if (limit == 0u || initial_count > limit) return -EINVAL;
    kernel_lock();
    wait_q_init(&sem->wait_q);
    sem->count = initial_count;
    sem->limit = limit;
    kernel_unlock();
    return 0;
}

int k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
    if (t_in_isr && !is_no_wait(timeout)) misuse("k_sem_take with a timeout in an interrupt handler");
    check_may_block("k_sem_take", timeout);
    struct k_thread *me = k_current_get();
    kernel_lock();
    if (!initialised(&sem->wait_q)) {
        misuse("k_sem_take on a k_sem not initialised");
        kernel_unlock();
        return -EINVAL;
    }
    int rc = 0;
    if (sem->count == 0u && !is_no_wait(timeout)) {
        atomic_fetch_add(&g_sleeps, 1u);
        uint64_t expiry = is_forever(timeout) ? 0 : expiry_of(timeout, ticks_now());
        atomic_store(&me->waiting, 1);
        while (sem->count == 0u)
            if (!block(is_forever(timeout), expiry)) break;
        atomic_store(&me->waiting, 0);
    }
    if (sem->count != 0u) sem->count--;
    else rc = is_no_wait(timeout) ? -EBUSY : -EAGAIN;
    kernel_unlock();
    if (rc == -EAGAIN) { /* timed out: preempted on the way out (see the top) */
        struct timespec nap = {0, 50000};
        nanosleep(&nap, NULL);
        void (*hook)(void) = atomic_load(&g_on_take_timeout);
        if (hook != NULL) hook();
    }
    return rc;
}

void k_sem_give(struct k_sem *sem)
{
    kernel_lock();
    if (!initialised(&sem->wait_q)) misuse("k_sem_give on a k_sem not initialised");
    else if (sem->count < sem->limit) sem->count++;
    pthread_cond_broadcast(&g_cv);
    kernel_unlock();
}

/* ---- the test's controls ------------------------------------------------------------------------ */
void rtm_zmodel_isr_enter(void)
{
    if (t_in_isr) misuse("rtm_zmodel_isr_enter in a handler: handlers do not nest per thread");
    t_in_isr = 1;
}

void rtm_zmodel_isr_exit(void) { t_in_isr = 0; }

void rtm_zmodel_set_pre_kernel(bool pre) { atomic_store(&g_pre_kernel, pre); }

bool rtm_zmodel_thread_waiting(k_tid_t thread) { return atomic_load(&thread->waiting) != 0; }

unsigned rtm_zmodel_sem_sleeps(void) { return atomic_load(&g_sleeps); }

unsigned rtm_zmodel_misuse_count(void) { return atomic_load(&g_misuse); }

void rtm_zmodel_on_take_timeout(void (*fn)(void)) { atomic_store(&g_on_take_timeout, fn); }
