/*
 * Zephyr port (Zephyr 3.x): rtmem/port.h on Zephyr's kernel API, as docs/porting.md describes it.
 * Requirements and options: rtm_zephyr.h.
 *
 * Critical section: irq_lock() / irq_unlock(key), which nest by their key. On SMP, irq_lock() is
 *   Zephyr's global lock (it excludes the other CPUs too, and nests per CPU), so it still does.
 * Lock: a struct k_mutex inside the rtm_port_sync, k_mutex_init'ed by the first lock, inside the
 *   critical section (a zero-filled k_mutex is not valid: its wait queue is a list that must point
 *   at itself). Zephyr's k_mutex is recursive; rtmem never locks a sync it holds (port.h: not
 *   recursive), and the host model counts a recursive lock as misuse so that the tests would see one.
 * Wait / notify: no k_condvar: a broadcast from an interrupt handler finds nobody when the thread
 *   holding the lock is still on its way into k_condvar_wait (docs/porting.md). Each waiter links a
 *   record {prev, next, k_sem} on its own stack into a list headed in the rtm_port_sync and sleeps
 *   on its own k_sem; a notify unlists every waiter and gives each its semaphore (k_sem_give is
 *   ISR-safe). An interrupt handler's notify also sets a pending flag, which the next wait consumes
 *   instead of sleeping.
 * Time: k_uptime_get() and k_uptime_ticks(), 64-bit already.
 *
 * What lives in an rtm_port_sync (a zero-filled one is valid: mutex not initialised, nobody listed):
 *
 *   | struct k_mutex | ready (k_mutex_init done) | waiters (list head) | pending |
 *
 * On a 32-bit target a k_mutex is 20 bytes (a dlist wait queue, owner, lock count, priority), 36
 * with CONFIG_WAITQ_SCALABLE's red-black tree: 8 to 12 words of the 24 RTM_PORT_SYNC_WORDS has
 * there; on a 64-bit target (native_sim/native_64) 7 of 16. The assertion below says when not.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zephyr/kernel.h>

#include "rtm_zephyr.h"
#include "rtmem/port.h"

/* ---- configuration the port needs ------------------------------------------------------------ */
#ifndef CONFIG_MULTITHREADING
#error "port_zephyr.c needs CONFIG_MULTITHREADING=y (k_mutex, k_sem); without it use port/baremetal's lock"
#endif
#ifndef CONFIG_SYS_CLOCK_EXISTS
#error "port_zephyr.c needs CONFIG_SYS_CLOCK_EXISTS=y: without a system clock the uptime stays 0 and no wait times out"
#endif
/* A waiter's k_sem lives on its stack and the sync's k_mutex is zeroed by rtm_port_sync_destroy;
 * object tracking and the object core link every initialised semaphore or mutex into a kernel
 * list and never take a stack object off it, so the list would point into dead frames. */
#if defined(CONFIG_TRACING_OBJECT_TRACKING) || defined(CONFIG_OBJ_CORE_SEM) || defined(CONFIG_OBJ_CORE_MUTEX)
#error "port_zephyr.c: turn off CONFIG_TRACING_OBJECT_TRACKING, CONFIG_OBJ_CORE_SEM, CONFIG_OBJ_CORE_MUTEX"
#endif

/* ---- the rtm_port_sync ------------------------------------------------------------------------ */

/* A thread inside rtm_port_wait, on its own stack. Listed (in its sync's list) from before it
 * unlocks the mutex until a notify takes it off the list, or, on a timeout, until it takes itself
 * off. A notifier gives sem after unlisting it: inside the same critical section (interrupt
 * handler), or while it holds the mutex, which the waiter takes before it looks (thread). So a
 * waiter that finds itself unlisted, holding the mutex, has been given its semaphore already, and
 * a give that came after its take timed out dies with the record: no notification is left over
 * to cut a later wait short. */
typedef struct zep_waiter {
    struct zep_waiter *prev, *next;
    struct k_sem sem;
    bool listed;
} zep_waiter;

typedef struct {
    struct k_mutex mutex;
    uintptr_t ready;     /* critical section: k_mutex_init has run on mutex */
    zep_waiter *waiters; /* critical section: an interrupt handler's notify walks it */
    uintptr_t pending;   /* critical section: an ISR's notify came; the next wait returns at once */
} zep_sync;

_Static_assert(sizeof(zep_sync) <= sizeof(((rtm_port_sync *)0)->u),
               "RTM_PORT_SYNC_WORDS too small for the Zephyr port (struct k_mutex + 3 words)");
_Static_assert(_Alignof(zep_sync) <= _Alignof(rtm_port_sync), "rtm_port_sync alignment too small");

static zep_sync *sync_of(rtm_port_sync *s) { return (zep_sync *)(void *)&s->u; }

/* A NULL sync is reported (RTM_ERR_ARG) and ignored, as on the other ports: never dereferenced. */
static bool sync_given(const rtm_port_sync *s)
{
    if (s != NULL) return true;
    rtm_report(RTM_ERR_ARG, NULL, NULL);
    return false;
}

/* ---- critical section ------------------------------------------------------------------------- */

/* irq_lock() returns the previous interrupt state (PRIMASK or BASEPRI on Cortex-M, mstatus.MIE on
 * RISC-V), and irq_unlock(key) restores exactly that: nested sections unwind in order. It is
 * allowed in interrupt handlers and before the kernel runs. */
_Static_assert(sizeof(unsigned int) <= sizeof(rtm_port_key), "an irq_lock key must fit in an rtm_port_key");

rtm_port_key rtm_port_critical_enter(void) { return (rtm_port_key)irq_lock(); }

void rtm_port_critical_exit(rtm_port_key key) { irq_unlock((unsigned int)key); }

/* ---- lock --------------------------------------------------------------------------------------- */

/* The mutex of @p zs, initialised on first use inside the critical section, so that two threads
 * cannot both initialise it (the second would wipe the first one's lock). k_mutex_init neither
 * blocks nor reschedules. The ready flag is read under the section on every call, not with an
 * atomic: two instructions on a single-core MCU, and no C11 atomics beside Zephyr's own atomic.h. */
static struct k_mutex *sync_mutex(zep_sync *zs)
{
    unsigned int key = irq_lock();
    if (!zs->ready) {
        (void)k_mutex_init(&zs->mutex); /* returns 0 always */
        zs->ready = 1;
    }
    irq_unlock(key);
    return &zs->mutex;
}

/* Before the kernel runs (PRE_KERNEL_1/2 init functions) one context runs and interrupt handlers
 * never lock (port.h), so there is nobody to exclude, and no thread to own a mutex: lock and
 * unlock do nothing then. With K_FOREVER, k_mutex_lock returns 0 (it cannot time out); unlock
 * fails only for a caller that does not hold the mutex, which port.h forbids. */
void rtm_port_lock(rtm_port_sync *s)
{
    if (!sync_given(s) || k_is_pre_kernel()) return;
    (void)k_mutex_lock(sync_mutex(sync_of(s)), K_FOREVER);
}

void rtm_port_unlock(rtm_port_sync *s)
{
    if (!sync_given(s) || k_is_pre_kernel()) return;
    (void)k_mutex_unlock(sync_mutex(sync_of(s)));
}

/* ---- time --------------------------------------------------------------------------------------- */

/* Zephyr's uptime is a 64-bit tick count: no wrap to extend. k_uptime_get() rounds down to ms. */
uint64_t rtm_port_now_ms(void) { return (uint64_t)k_uptime_get(); }
uint64_t rtm_port_now_us(void) { return k_ticks_to_us_floor64((uint64_t)k_uptime_ticks()); }

/* Timeout for a sleep that ends when rtm_port_now_ms() reads @p deadline_ms or more, which is
 * the first tick count >= ceil(deadline_ms * rate / 1000) (k_uptime_get rounds down). K_MSEC(
 * deadline - now) is not that: now is rounded down, so the sleep would be measured from up to a
 * tick before the call, and a relative timeout is counted from the next tick boundary; both
 * approximations land on either side of the deadline depending on the rate. */
#ifdef CONFIG_TIMEOUT_64BIT
/* Deadlines up to here convert without overflow: k_ms_to_ticks_ceil64 multiplies ms by the rate,
 * and K_TIMEOUT_ABS_TICKS needs a tick count below INT64_MAX. Beyond it (146 years at a 1 MHz tick)
 * the uptime never gets there: K_FOREVER waits exactly as long. */
#define ZEP_ABS_MS_MAX ((uint64_t)INT64_MAX / 2u / (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC)

/* An absolute timeout: K_TIMEOUT_ABS_MS is ceil(ms * rate / 1000) ticks of uptime, the tick at
 * which the kernel wakes the thread, whenever the sleep starts. */
static k_timeout_t timeout_until(uint64_t deadline_ms)
{
    if (deadline_ms == UINT64_MAX || deadline_ms > ZEP_ABS_MS_MAX) return K_FOREVER;
    return K_TIMEOUT_ABS_MS((int64_t)deadline_ms);
}
#else
/* The first tick count at which rtm_port_now_ms() reads @p ms or more: ceil(ms * rate / 1000),
 * computed without the overflow of ms * rate, or UINT64_MAX when it does not fit. */
static uint64_t tick_of_ms(uint64_t ms)
{
    const uint64_t hz = (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC;
    if (ms / 1000u > UINT64_MAX / hz - 1u) return UINT64_MAX;
    return ms / 1000u * hz + (ms % 1000u * hz + 999u) / 1000u;
}

_Static_assert(RTM_ZEPHYR_MAX_WAIT_TICKS >= 1u && RTM_ZEPHYR_MAX_WAIT_TICKS <= 0x3FFFFFFFu,
               "RTM_ZEPHYR_MAX_WAIT_TICKS: 1 to INT32_MAX / 2 (Zephyr's int32_t dticks = ticks + 1 + elapsed)");

/* A relative timeout (k_ticks_t is 32-bit): the ticks from now to that tick count. Zephyr wakes a
 * thread that sleeps n ticks no earlier than n ticks after the count at the call, which is at
 * least the count read here. Capped at RTM_ZEPHYR_MAX_WAIT_TICKS: a longer wait ends early, a
 * spurious wake-up, and rtm_port_wait then returns RTM_OK, not RTM_ERR_TIMEOUT. */
static k_timeout_t timeout_until(uint64_t deadline_ms)
{
    if (deadline_ms == UINT64_MAX) return K_FOREVER;
    uint64_t now = (uint64_t)k_uptime_ticks(), until = tick_of_ms(deadline_ms);
    uint64_t n = until > now ? until - now : 1u; /* the caller checked: the deadline is ahead */
    if (n > (uint64_t)RTM_ZEPHYR_MAX_WAIT_TICKS) n = (uint64_t)RTM_ZEPHYR_MAX_WAIT_TICKS;
    return K_TICKS((k_ticks_t)n);
}
#endif

/* ---- wait and notify ---------------------------------------------------------------------------- */

static void waiter_link(zep_sync *zs, zep_waiter *w)
{
    w->prev = NULL;
    w->next = zs->waiters;
    if (w->next != NULL) w->next->prev = w;
    zs->waiters = w;
    w->listed = true;
}

static void waiter_unlink(zep_sync *zs, zep_waiter *w)
{
    if (w->prev != NULL) w->prev->next = w->next;
    else zs->waiters = w->next;
    if (w->next != NULL) w->next->prev = w->prev;
    w->listed = false;
}

/* Takes every listed waiter off the list (critical section held) and returns them as a chain
 * through next. Each one gets its semaphore from the caller: a waiter that finds itself off the
 * list counts on it. O(waiters). */
static zep_waiter *waiters_take_all(zep_sync *zs)
{
    zep_waiter *all = zs->waiters;
    for (zep_waiter *w = all; w != NULL; w = w->next) w->listed = false;
    zs->waiters = NULL;
    return all;
}

/* The mutex is held from the caller's check of its condition to the wait. Inside the critical
 * section, the wait consumes a pending ISR notify (a spurious wake-up, which callers allow: the
 * interrupt came between the check and the sleep) or lists itself; then it unlocks the mutex and
 * sleeps on its semaphore. Woken or timed out, it locks the mutex and, under the critical section,
 * unlists itself if still listed (nobody notified it: a timeout once the deadline has been read,
 * else a capped wait's early end) or finds that a notifier did (RTM_OK; the zep_waiter comment
 * says why nothing is left over). Before the kernel runs nothing can block: RTM_ERR_UNSUPPORTED
 * (callers fail the request). */
rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms)
{
    if (!sync_given(s)) return RTM_ERR_ARG;
    if (k_is_pre_kernel()) return RTM_ERR_UNSUPPORTED;
    zep_sync *zs = sync_of(s);
    zep_waiter me;
    (void)k_sem_init(&me.sem, 0, 1); /* 0 with a limit of 1 is always valid */
    bool expired = deadline_ms != UINT64_MAX && rtm_port_now_ms() >= deadline_ms;

    unsigned int key = irq_lock();
    bool pending = zs->pending != 0;
    zs->pending = 0;
    if (!pending && !expired) waiter_link(zs, &me);
    irq_unlock(key);
    if (pending) return RTM_OK;
    if (expired) return RTM_ERR_TIMEOUT;

    struct k_mutex *m = sync_mutex(zs);
    k_timeout_t timeout = timeout_until(deadline_ms);
    (void)k_mutex_unlock(m);
    (void)k_sem_take(&me.sem, timeout); /* 0, or -EAGAIN on timeout: the list says which counts */
    (void)k_mutex_lock(m, K_FOREVER);

    key = irq_lock();
    bool still_listed = me.listed;
    if (still_listed) waiter_unlink(zs, &me);
    irq_unlock(key);
    if (!still_listed) return RTM_OK;
    return rtm_port_now_ms() >= deadline_ms ? RTM_ERR_TIMEOUT : RTM_OK;
}

/* With the mutex held (port.h), so no listed waiter can leave rtm_port_wait, which locks the mutex
 * first: the records stay valid after the critical section, and the semaphores are given outside
 * it, where k_sem_give may switch at once to a woken thread of higher priority (inside irq_lock()
 * it would not reschedule until the next scheduling point). A pending flag is not needed: nobody
 * is between a check and a sleep while the caller holds the mutex. */
void rtm_port_notify_all(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    zep_sync *zs = sync_of(s);
    unsigned int key = irq_lock();
    zep_waiter *w = waiters_take_all(zs);
    irq_unlock(key);
    while (w != NULL) {
        zep_waiter *next = w->next; /* read before the thread may run and its record go */
        k_sem_give(&w->sem);
        w = next;
    }
}

/* An interrupt handler cannot lock the mutex, so a waiter may be listed and asleep, or listed and
 * not yet asleep (its semaphore is then given, and its take returns at once), or, holding the
 * mutex, not yet listed: between its check and its wait. Each listed waiter gets its semaphore
 * inside the critical section (a woken thread must enter the section to see it is off the list, so
 * the record stays valid until the handler leaves it), and the pending flag is set in every case,
 * not only when nobody is listed: the thread holding the mutex may be on its way into a wait while
 * others sleep, and waking only those lost its wake-up (test_isr_notify_wakes_sleeper_and_lock_
 * holder). A flag nobody needed costs the next wait one spurious wake-up. Zephyr reschedules on
 * the way out of the handler. Before the kernel runs the same path serves start-up code: nobody
 * is listed, and the flag is kept for the first wait. In a thread (port.h: thread-safe too) it is
 * the thread form: the lock, then notify_all. */
void rtm_port_notify_from_isr(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    if (!k_is_in_isr() && !k_is_pre_kernel()) {
        rtm_port_lock(s);
        rtm_port_notify_all(s);
        rtm_port_unlock(s);
        return;
    }
    zep_sync *zs = sync_of(s);
    unsigned int key = irq_lock();
    zs->pending = 1;
    zep_waiter *w = waiters_take_all(zs);
    while (w != NULL) {
        zep_waiter *next = w->next;
        k_sem_give(&w->sem);
        w = next;
    }
    irq_unlock(key);
}

/* Nobody may use @p s any more (port.h). Zephyr has no k_mutex destroy: a k_mutex owns no kernel
 * resource beyond its own storage (object tracking is refused above), so zeroing it is enough. */
void rtm_port_sync_destroy(rtm_port_sync *s)
{
    if (s == NULL) return;
    memset(s, 0, sizeof *s);
}

/* ---- identity ----------------------------------------------------------------------------------- */

/* 0 in an interrupt handler (k_current_get() there names the interrupted thread) and before the
 * kernel runs (it then names the dummy thread of start-up, or nothing). */
uintptr_t rtm_port_thread_id(void)
{
    if (k_is_in_isr() || k_is_pre_kernel()) return 0;
    return (uintptr_t)k_current_get();
}

bool rtm_port_in_isr(void) { return k_is_in_isr(); }
