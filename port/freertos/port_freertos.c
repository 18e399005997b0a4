/*
 * FreeRTOS port (FreeRTOS 10.4 or later): rtmem/port.h on FreeRTOS's API, as docs/porting.md
 * describes it. Options and the tick hook: rtm_freertos.h.
 *
 * Critical section: taskENTER_CRITICAL() in a task; in an interrupt handler, and before the
 *   scheduler starts, the saved-mask form (taskENTER_CRITICAL_FROM_ISR), whose mask is the key.
 * Lock: a FreeRTOS mutex (xSemaphoreCreateMutexStatic) on a StaticSemaphore_t inside the
 *   rtm_port_sync, created on first use.
 * Wait / notify: no condition variable, and a counting semaphore shared by the waiters is not one
 *   (docs/porting.md): each waiter links a record {task, prev, next} on its own stack into a list
 *   headed in the rtm_port_sync and sleeps on its task notification at RTM_FREERTOS_NOTIFY_INDEX;
 *   a notify gives a notification to every listed task by name and empties the list. An interrupt
 *   handler's notify also sets a pending flag, which the next wait consumes instead of sleeping.
 * Time: the tick count, extended to 64 bits.
 *
 * What lives in an rtm_port_sync (a zero-filled one is valid: no mutex yet, nobody listed):
 *
 *   | StaticSemaphore_t mutex_buf | mutex (NULL: not created) | waiters (list head) | pending |
 *
 * 84 + 12 bytes on a 32-bit port with queue sets and the trace facility on: exactly the 24 words
 * RTM_PORT_SYNC_WORDS has there. configUSE_LIST_DATA_INTEGRITY_CHECK_BYTES adds 24 bytes to a
 * StaticQueue_t, a 64-bit TickType_t on a 32-bit port (FreeRTOS 11) more, and a 64-bit FreeRTOS
 * port (the POSIX simulator) has one of about 160 bytes: raise RTM_PORT_SYNC_WORDS (README,
 * "Configuration"); the assertion below says when.
 */
#include <stdint.h> /* before <stdatomic.h>: newlib's uses int_least8_t without including it */
#include <stdatomic.h>
#include <string.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "rtm_freertos.h"
#include "rtmem/port.h"

/* ---- configuration the port needs ------------------------------------------------------------ */
#if configSUPPORT_STATIC_ALLOCATION != 1
#error "port_freertos.c needs configSUPPORT_STATIC_ALLOCATION 1: the mutex lives in the rtm_port_sync"
#endif
#if configUSE_MUTEXES != 1
#error "port_freertos.c needs configUSE_MUTEXES 1"
#endif
#if configUSE_TASK_NOTIFICATIONS != 1
#error "port_freertos.c needs configUSE_TASK_NOTIFICATIONS 1: waiters sleep on a task notification"
#endif
#if INCLUDE_vTaskSuspend != 1
#error "port_freertos.c needs INCLUDE_vTaskSuspend 1: without it portMAX_DELAY is a finite wait"
#endif
/* task.h compiles xTaskGetSchedulerState in with either of these, xTaskGetCurrentTaskHandle with
 * INCLUDE_xTaskGetCurrentTaskHandle or configUSE_MUTEXES (required above): asking for the INCLUDE_
 * options alone refused configurations that have the functions (review, 2026-11-30) */
#if INCLUDE_xTaskGetSchedulerState != 1 && configUSE_TIMERS != 1
#error "port_freertos.c needs INCLUDE_xTaskGetSchedulerState 1 (or configUSE_TIMERS 1)"
#endif
_Static_assert(configTASK_NOTIFICATION_ARRAY_ENTRIES > RTM_FREERTOS_NOTIFY_INDEX,
               "configTASK_NOTIFICATION_ARRAY_ENTRIES must exceed RTM_FREERTOS_NOTIFY_INDEX (FreeRTOS 10.4+)");

/* ---- the rtm_port_sync ------------------------------------------------------------------------ */

/* A task inside rtm_port_wait, on its own stack. Listed (in its sync's list) from before it gives
 * the mutex until a notify takes it off the list, or, on a timeout, until it takes itself off. */
typedef struct frt_waiter {
    struct frt_waiter *prev, *next;
    TaskHandle_t task;
    bool listed;
} frt_waiter;

typedef struct {
    StaticSemaphore_t mutex_buf;
    /* The mutex handle, NULL until the first lock after the scheduler started creates it. Atomic:
     * read without the critical section on every lock, written once inside it. */
    _Atomic(SemaphoreHandle_t) mutex;
    frt_waiter *waiters; /* critical section: an interrupt handler's notify walks it */
    uintptr_t pending;   /* critical section: an ISR's notify came; the next wait returns at once */
} frt_sync;

_Static_assert(sizeof(frt_sync) <= sizeof(((rtm_port_sync *)0)->u),
               "RTM_PORT_SYNC_WORDS too small for the FreeRTOS port (StaticSemaphore_t + 3 words)");
_Static_assert(_Alignof(frt_sync) <= _Alignof(rtm_port_sync), "rtm_port_sync alignment too small");

static frt_sync *sync_of(rtm_port_sync *s) { return (frt_sync *)(void *)&s->u; }

/* A NULL sync is reported (RTM_ERR_ARG) and ignored, as on the other ports: never dereferenced. */
static bool sync_given(const rtm_port_sync *s)
{
    if (s != NULL) return true;
    rtm_report(RTM_ERR_ARG, NULL, NULL);
    return false;
}

static bool scheduler_started(void) { return xTaskGetSchedulerState() != taskSCHEDULER_NOT_STARTED; }

/* ---- critical section ------------------------------------------------------------------------- */

/* The key of a section entered with taskENTER_CRITICAL(), which keeps its own nesting count. Every
 * other key is a saved interrupt mask: a priority level or an enable bit on every FreeRTOS port,
 * never all ones. */
#define FRT_TASK_KEY ((rtm_port_key)UINTPTR_MAX)
_Static_assert(sizeof(UBaseType_t) <= sizeof(rtm_port_key), "a saved interrupt mask must fit in a key");

/* In a task: taskENTER_CRITICAL(), which nests by itself. In an interrupt handler the task form is
 * not allowed, and before the scheduler starts it is wrong: the kernel's nesting count starts
 * non-zero there, so the matching taskEXIT_CRITICAL() leaves interrupts masked until
 * vTaskStartScheduler() (start-up code that then waits for an interrupt hangs). Both get the
 * saved-mask form, which restores exactly the mask its key holds and so nests too. */
rtm_port_key rtm_port_critical_enter(void)
{
    if (RTM_FREERTOS_IN_ISR() || !scheduler_started()) return (rtm_port_key)RTM_FREERTOS_MASK_SAVE();
    taskENTER_CRITICAL();
    return FRT_TASK_KEY;
}

void rtm_port_critical_exit(rtm_port_key key)
{
    if (key == FRT_TASK_KEY) taskEXIT_CRITICAL();
    else RTM_FREERTOS_MASK_RESTORE((UBaseType_t)key);
}

/* ---- lock --------------------------------------------------------------------------------------- */

/* The mutex of @p fs, created on first use inside the critical section, so that two tasks cannot
 * both create it. Creating a mutex gives it once (xQueueGenericSend, no block time) with nobody
 * waiting on a queue nobody has seen: that neither blocks nor yields inside the section. */
static SemaphoreHandle_t sync_mutex(frt_sync *fs)
{
    SemaphoreHandle_t m = atomic_load_explicit(&fs->mutex, memory_order_acquire);
    if (m != NULL) return m;
    rtm_port_key k = rtm_port_critical_enter();
    m = atomic_load_explicit(&fs->mutex, memory_order_relaxed);
    if (m == NULL) {
        m = xSemaphoreCreateMutexStatic(&fs->mutex_buf); /* NULL only for a NULL buffer */
        atomic_store_explicit(&fs->mutex, m, memory_order_release);
    }
    rtm_port_critical_exit(k);
    return m;
}

/* Before the scheduler starts, one context runs (interrupt handlers never lock: port.h), so there
 * is nobody to exclude, and a FreeRTOS mutex call would mask interrupts until the scheduler starts
 * (its critical section, as above). lock and unlock then do nothing; the mutex is created by the
 * first lock after the start. With portMAX_DELAY (INCLUDE_vTaskSuspend 1) the take cannot fail. */
void rtm_port_lock(rtm_port_sync *s)
{
    if (!sync_given(s) || !scheduler_started()) return;
    (void)xSemaphoreTake(sync_mutex(sync_of(s)), portMAX_DELAY);
}

void rtm_port_unlock(rtm_port_sync *s)
{
    if (!sync_given(s) || !scheduler_started()) return;
    (void)xSemaphoreGive(sync_mutex(sync_of(s)));
}

/* ---- time --------------------------------------------------------------------------------------- */

/* The tick count extended to 64 bits: the last value read and the ticks of the wraps seen so far,
 * both under the critical section (an interrupt handler reads the clock too). A read that finds
 * the count below the last one has seen a wrap; so each wrap needs one read (rtm_freertos.h). */
static TickType_t g_tick_last;
static uint64_t g_tick_wraps; /* whole wrap periods, in ticks */

/* Ticks in one wrap period of TickType_t (0 for a 64-bit TickType_t, which does not wrap). */
static uint64_t tick_period(void) { return (uint64_t)(TickType_t)~(TickType_t)0 + 1u; }

static uint64_t ticks_now(void)
{
    rtm_port_key k = rtm_port_critical_enter();
    TickType_t t = RTM_FREERTOS_IN_ISR() ? xTaskGetTickCountFromISR() : xTaskGetTickCount();
    if (t < g_tick_last) g_tick_wraps += tick_period();
    g_tick_last = t;
    uint64_t now = g_tick_wraps + (uint64_t)t;
    rtm_port_critical_exit(k);
    return now;
}

void rtm_freertos_tick_hook(void) { (void)ticks_now(); }

/* @p ticks in units of 1/@p per_second s, rounded down, without the overflow of ticks * per_second. */
static uint64_t ticks_to(uint64_t ticks, uint64_t per_second)
{
    const uint64_t hz = (uint64_t)configTICK_RATE_HZ;
    return ticks / hz * per_second + ticks % hz * per_second / hz;
}

uint64_t rtm_port_now_ms(void) { return ticks_to(ticks_now(), 1000u); }
uint64_t rtm_port_now_us(void) { return ticks_to(ticks_now(), 1000000u); }

/* The first tick count at which rtm_port_now_ms() reads @p ms or more: ceil(ms * rate / 1000), or
 * UINT64_MAX when that does not fit. */
static uint64_t tick_of_ms(uint64_t ms)
{
    const uint64_t hz = (uint64_t)configTICK_RATE_HZ;
    if (ms / 1000u > UINT64_MAX / hz - 1u) return UINT64_MAX;
    return ms / 1000u * hz + (ms % 1000u * hz + 999u) / 1000u;
}

/* Ticks to block so that the tick count reaches @p deadline_ms: portMAX_DELAY (forever) for
 * UINT64_MAX, 0 when the deadline has passed, else at least 1 and below portMAX_DELAY (a longer
 * wait ends early: a spurious wake-up, and the caller waits again). Not pdMS_TO_TICKS(deadline -
 * now): it rounds down, so a wait of less than a tick would not block and a longer one ended up to
 * a tick early; and FreeRTOS 10.4's form multiplies in TickType_t, which wraps after 71 minutes at
 * 1 kHz. FreeRTOS wakes a task that blocks for n ticks when the count has advanced by n from its
 * value at the call, which is at least the value read here. */
static TickType_t ticks_until(uint64_t deadline_ms)
{
    if (deadline_ms == UINT64_MAX) return portMAX_DELAY;
    uint64_t now = ticks_now(), until = tick_of_ms(deadline_ms);
    if (until <= now) return 0;
    uint64_t n = until - now;
    return n < (uint64_t)portMAX_DELAY ? (TickType_t)n : (TickType_t)(portMAX_DELAY - 1u);
}

/* ---- wait and notify ---------------------------------------------------------------------------- */

static void waiter_link(frt_sync *fs, frt_waiter *w)
{
    w->prev = NULL;
    w->next = fs->waiters;
    if (w->next != NULL) w->next->prev = w;
    fs->waiters = w;
    w->listed = true;
}

static void waiter_unlink(frt_sync *fs, frt_waiter *w)
{
    if (w->prev != NULL) w->prev->next = w->next;
    else fs->waiters = w->next;
    if (w->next != NULL) w->next->prev = w->prev;
    w->listed = false;
}

/* Takes every listed waiter off the list (critical section held) and returns them as a chain
 * through next. Each one's task gets a notification from the caller: a waiter that finds itself
 * off the list counts on it. O(waiters). */
static frt_waiter *waiters_take_all(frt_sync *fs)
{
    frt_waiter *all = fs->waiters;
    for (frt_waiter *w = all; w != NULL; w = w->next) w->listed = false;
    fs->waiters = NULL;
    return all;
}

/* The mutex is held from the caller's check of its condition to the wait. Inside the critical
 * section, the wait consumes a pending ISR notify (a spurious wake-up, which callers allow: the
 * interrupt came between the check and the sleep) or lists itself; then it gives the mutex and
 * sleeps on its notification. Woken or timed out, it takes the mutex and, under the critical
 * section, either unlists itself (nobody notified it) or finds a notifier did: then the
 * notification was given, in the notifier's critical section (ISR) or before the notifier's caller
 * let go of the mutex (task), and a wait that timed out before it arrived consumes it here, so that
 * it does not cut the task's next wait short. Before the scheduler starts nothing can block:
 * RTM_ERR_UNSUPPORTED (callers fail the request). */
rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms)
{
    if (!sync_given(s)) return RTM_ERR_ARG;
    if (!scheduler_started()) return RTM_ERR_UNSUPPORTED;
    frt_sync *fs = sync_of(s);
    frt_waiter me = {NULL, NULL, xTaskGetCurrentTaskHandle(), false};
    TickType_t ticks = ticks_until(deadline_ms);

    rtm_port_key k = rtm_port_critical_enter();
    bool pending = fs->pending != 0;
    fs->pending = 0;
    if (!pending && ticks != 0) waiter_link(fs, &me);
    rtm_port_critical_exit(k);
    if (pending) return RTM_OK;
    if (ticks == 0) return RTM_ERR_TIMEOUT;

    SemaphoreHandle_t m = sync_mutex(fs);
    (void)xSemaphoreGive(m);
    uint32_t got = ulTaskNotifyTakeIndexed(RTM_FREERTOS_NOTIFY_INDEX, pdTRUE, ticks);
    (void)xSemaphoreTake(m, portMAX_DELAY);

    k = rtm_port_critical_enter();
    bool still_listed = me.listed;
    if (still_listed) waiter_unlink(fs, &me);
    rtm_port_critical_exit(k);
    if (!still_listed) {
        if (got == 0) (void)ulTaskNotifyTakeIndexed(RTM_FREERTOS_NOTIFY_INDEX, pdTRUE, 0);
        return RTM_OK;
    }
    return rtm_port_now_ms() >= deadline_ms ? RTM_ERR_TIMEOUT : RTM_OK;
}

/* With the mutex held (port.h), so no listed waiter can leave rtm_port_wait, which takes the mutex
 * first: the records stay valid after the critical section, and the notifications are given
 * outside it (no FreeRTOS call that may yield inside a critical section). A pending flag is not
 * needed: nobody is between a check and a sleep while the caller holds the mutex. */
void rtm_port_notify_all(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    frt_sync *fs = sync_of(s);
    rtm_port_key k = rtm_port_critical_enter();
    frt_waiter *w = waiters_take_all(fs);
    rtm_port_critical_exit(k);
    while (w != NULL) {
        frt_waiter *next = w->next; /* read before the task may run */
        (void)xTaskNotifyGiveIndexed(w->task, RTM_FREERTOS_NOTIFY_INDEX);
        w = next;
    }
}

/* An interrupt handler cannot take the mutex, so a waiter may be listed and asleep, or listed and
 * not yet asleep (its notification then ends its sleep at once), or, holding the mutex, not yet
 * listed: between its check and its wait. Each listed task gets its notification inside the
 * critical section (a woken task must take the section to see it is off the list, so the record
 * stays valid until the handler leaves), and the pending flag is set in every case, not only when
 * nobody is listed: the task holding the mutex may be on its way into a wait while others sleep,
 * and waking only those lost its wake-up (docs/porting.md once said "or"). A flag nobody needed
 * costs the next wait one spurious wake-up. In a task (port.h: thread-safe too) it is the task
 * form: the lock, then notify_all. */
void rtm_port_notify_from_isr(rtm_port_sync *s)
{
    if (!sync_given(s)) return;
    if (!RTM_FREERTOS_IN_ISR() && scheduler_started()) {
        rtm_port_lock(s);
        rtm_port_notify_all(s);
        rtm_port_unlock(s);
        return;
    }
    frt_sync *fs = sync_of(s);
    BaseType_t woken = pdFALSE;
    rtm_port_key k = rtm_port_critical_enter();
    fs->pending = 1;
    frt_waiter *w = waiters_take_all(fs);
    while (w != NULL) {
        frt_waiter *next = w->next;
        vTaskNotifyGiveIndexedFromISR(w->task, RTM_FREERTOS_NOTIFY_INDEX, &woken);
        w = next;
    }
    rtm_port_critical_exit(k);
    portYIELD_FROM_ISR(woken);
}

/* Nobody may use @p s any more (port.h). vSemaphoreDelete on a static mutex frees no memory; it
 * takes the mutex out of the kernel's bookkeeping (the queue registry, a tracer). */
void rtm_port_sync_destroy(rtm_port_sync *s)
{
    if (s == NULL) return;
    SemaphoreHandle_t m = atomic_load_explicit(&sync_of(s)->mutex, memory_order_acquire);
    if (m != NULL) vSemaphoreDelete(m);
    memset(s, 0, sizeof *s);
}

/* ---- identity ----------------------------------------------------------------------------------- */

/* 0 in an interrupt handler (xTaskGetCurrentTaskHandle() there names the interrupted task) and
 * before the scheduler starts (it then names whichever task was created with the highest priority,
 * or nothing). */
uintptr_t rtm_port_thread_id(void)
{
    if (RTM_FREERTOS_IN_ISR() || !scheduler_started()) return 0;
    return (uintptr_t)xTaskGetCurrentTaskHandle();
}

bool rtm_port_in_isr(void) { return RTM_FREERTOS_IN_ISR(); }
