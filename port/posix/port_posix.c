/*
 * POSIX port: pthread mutex + condition variable (CLOCK_MONOTONIC) behind rtm_port_sync,
 * a process-wide recursive mutex as the "critical section", clock_gettime for time.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "posix_private.h"
#include "rtmem/port.h"

/* What lives inside rtm_port_sync on this port. A zero-filled object is valid: state 0 means
 * "not yet initialised", and the first user initialises it (lazily, race-free via the CAS). */
typedef struct {
    atomic_int state; /* 0 = fresh, 1 = initialising, 2 = ready */
    pthread_mutex_t mutex;
    pthread_cond_t cond;
} posix_sync;

_Static_assert(sizeof(posix_sync) <= sizeof(((rtm_port_sync *)0)->u),
               "RTM_PORT_SYNC_WORDS too small for the POSIX port");
_Static_assert(_Alignof(posix_sync) <= _Alignof(rtm_port_sync), "rtm_port_sync alignment too small");

static posix_sync *sync_of(rtm_port_sync *s) { return (posix_sync *)(void *)&s->u; }

static void sync_ready(posix_sync *ps)
{
    if (atomic_load_explicit(&ps->state, memory_order_acquire) == 2) return;
    int expected = 0;
    if (atomic_compare_exchange_strong(&ps->state, &expected, 1)) {
        /* Results not tested: with default attributes and CLOCK_MONOTONIC these calls allocate
         * nothing and cannot fail on glibc or musl (POSIX lets them fail only for lack of memory or
         * resources, or for invalid attributes), and a lock call has no error to return; a port
         * for a system where they can fail would report RTM_ERR_STATE here and leave state 0. */
        pthread_condattr_t ca;
        pthread_mutex_init(&ps->mutex, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&ps->cond, &ca);
        pthread_condattr_destroy(&ca);
        atomic_store_explicit(&ps->state, 2, memory_order_release);
        return;
    }
    while (atomic_load_explicit(&ps->state, memory_order_acquire) != 2) sched_yield();
}

/* A NULL sync is reported (RTM_ERR_ARG) and ignored, as in port/baremetal: never dereferenced. */
static bool sync_given(const rtm_port_sync *s)
{
    if (s != NULL) return true;
    rtm_report(RTM_ERR_ARG, NULL, NULL);
    return false;
}

/* rtmem locks the calling thread holds (critical sections and rtm_port_sync mutexes), for the fault
 * handler (domain_posix.c): a fault taken with one held must not unwind the thread (ABORT_THREAD),
 * which would skip the unlock and leave every other thread blocked on it. volatile sig_atomic_t
 * because a signal handler reads it; the signal fences keep the compiler from moving the count
 * across the accesses the lock protects (the ones that fault), the only reordering a handler on the
 * same thread could see. */
static _Thread_local volatile sig_atomic_t t_locks_held;

static void locks_held_up(void)
{
    t_locks_held = t_locks_held + 1;
    atomic_signal_fence(memory_order_seq_cst);
}

static void locks_held_down(void)
{
    atomic_signal_fence(memory_order_seq_cst);
    if (t_locks_held > 0) t_locks_held = t_locks_held - 1; /* an unlock without lock: not below 0 */
}

unsigned rtm_posix_rtm_locks_held(void) { return (unsigned)t_locks_held; }

void rtm_port_lock(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    posix_sync *ps = sync_of(s);
    sync_ready(ps);
    pthread_mutex_lock(&ps->mutex);
    locks_held_up();
}

void rtm_port_unlock(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    locks_held_down();
    pthread_mutex_unlock(&sync_of(s)->mutex);
}

rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms)
{
    if (!sync_given(s)) return RTM_ERR_ARG;
    posix_sync *ps = sync_of(s);
    /* A deadline whose seconds time_t cannot hold (32-bit time_t: from 2038 on, 2^31 s) is waited
     * for as forever: the cast cut it to a time long past, and every such wait timed out at once
     * (review finding, test_notify_wakes_far_deadline under -m32). time_t is a signed integer type
     * here (POSIX allows more; glibc and musl have this one). */
    const uint64_t time_t_max = ((((uint64_t)1 << (sizeof(time_t) * 8u - 2u)) - 1u) << 1) + 1u;
    if (deadline_ms == UINT64_MAX || deadline_ms / 1000u > time_t_max) {
        pthread_cond_wait(&ps->cond, &ps->mutex);
        return RTM_OK;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline_ms / 1000u);
    ts.tv_nsec = (long)((deadline_ms % 1000u) * 1000000u);
    int rc = pthread_cond_timedwait(&ps->cond, &ps->mutex, &ts);
    return rc == ETIMEDOUT ? RTM_ERR_TIMEOUT : RTM_OK;
}

void rtm_port_notify_all(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    posix_sync *ps = sync_of(s);
    sync_ready(ps);
    pthread_cond_broadcast(&ps->cond);
}

/* POSIX has no interrupt handlers: an "ISR" here is a thread that says it is one (test_slab_isr),
 * and it may take the mutex. Taken, no wake-up is lost: a waiter holds the mutex from its check to
 * its wait, and the broadcast comes after. */
void rtm_port_notify_from_isr(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    posix_sync *ps = sync_of(s);
    sync_ready(ps);
    pthread_mutex_lock(&ps->mutex);
    pthread_cond_broadcast(&ps->cond);
    pthread_mutex_unlock(&ps->mutex);
}

void rtm_port_sync_destroy(rtm_port_sync *s)
{
    if (s == NULL) return;
    posix_sync *ps = sync_of(s);
    if (atomic_load(&ps->state) == 2) {
        pthread_cond_destroy(&ps->cond);
        pthread_mutex_destroy(&ps->mutex);
    }
    memset(s, 0, sizeof *s);
}

/* The "critical section" of a hosted port: one recursive mutex for the process. Signal handlers
 * stand in for ISRs in host tests; they must not enter it (as on an MCU with a lower priority),
 * except the fault handler of a synchronous fault, which may re-enter its own thread's section. */
static pthread_mutex_t g_critical;
static pthread_once_t g_critical_once = PTHREAD_ONCE_INIT;

/* A recursive mutex made through its attribute: PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP is glibc's
 * (musl and the BSDs have none; review finding). Failure here leaves no usable critical section. */
static void critical_init(void)
{
    pthread_mutexattr_t a;
    if (pthread_mutexattr_init(&a) != 0 || pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&g_critical, &a) != 0)
        abort();
    pthread_mutexattr_destroy(&a);
}

rtm_port_key rtm_port_critical_enter(void)
{
    pthread_once(&g_critical_once, critical_init);
    pthread_mutex_lock(&g_critical);
    locks_held_up();
    return 1;
}

void rtm_port_critical_exit(rtm_port_key key)
{
    (void)key;
    locks_held_down();
    pthread_mutex_unlock(&g_critical);
}

uintptr_t rtm_port_thread_id(void) { return (uintptr_t)pthread_self(); }

bool rtm_port_in_isr(void) { return false; }

uint64_t rtm_port_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t rtm_port_now_ms(void) { return rtm_port_now_us() / 1000u; }
