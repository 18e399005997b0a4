/*
 * Host model of the FreeRTOS API subset that port/freertos calls, on pthreads, for tests only.
 *
 * Modelled (the semantics the port relies on):
 *  - Tasks are threads. A thread becomes a task at its first call that needs one (its handle is
 *    its task control block, freed when the thread ends). Each has an array of
 *    configTASK_NOTIFICATION_ARRAY_ENTRIES notification values and a condition variable it blocks
 *    on. ulTaskGenericNotifyTake returns at once with a non-zero value, else blocks until a give
 *    or until the tick count has advanced by its block time (portMAX_DELAY: forever), and returns
 *    the value, cleared or decremented. Gives increment and wake; a give to a task that is not
 *    waiting stays in its value (the latch the port's wake-ups rely on). Indices are independent.
 *  - The critical section is one process-wide recursive mutex, which is also the kernel's own
 *    lock: taskENTER_CRITICAL nests by a per-thread count; the saved-mask form returns the
 *    previous mask level (0 unmasked, 1, 2, ... as it nests) and must be given back its own value.
 *    While any thread holds it no other thread, task or "interrupt", runs kernel code or enters it:
 *    the exclusion of a single-core part with interrupts masked.
 *  - Interrupt handlers are threads that say so (rtm_model_isr_enter/exit); xPortIsInsideInterrupt
 *    returns that flag. The ...FromISR calls never block; the task-only calls are misuse there.
 *  - Mutexes (xSemaphoreCreateMutexStatic on a StaticSemaphore_t): an owner, not recursive, waiters
 *    blocked in FIFO order; a give wakes the first, which takes the mutex when it runs unless
 *    another task took it first (FreeRTOS wakes a waiter and does not hand the mutex over).
 *  - The tick count: a 32-bit TickType_t that follows CLOCK_MONOTONIC at configTICK_RATE_HZ from a
 *    value the test sets (near the wrap, say), or frozen and advanced by the test. Blocked tasks
 *    look at it at least every millisecond, so a frozen count advanced by the test ends their
 *    block times too.
 *  - The scheduler's state, set by the test; before it runs, taskENTER_CRITICAL and the mutex calls
 *    are reported as misuse: on the Cortex-M ports they leave interrupts masked until
 *    vTaskStartScheduler (docs/porting.md, "Pitfalls").
 *  - A task whose notification take timed out naps 50 us before it returns, as if a higher-priority
 *    task preempted it there: a notification given in that window must not be left behind. A test
 *    can have an "interrupt" arrive exactly there (rtm_model_on_take_timeout).
 *  - Creating a mutex naps first, outside the kernel's lock, so that a lazy creation done outside
 *    the critical section lets a second creator in, and the model reports the second creation.
 *  - Misuse the port could commit is counted and printed (freertos_model.h); a misuse that would
 *    deadlock the model (blocking inside a critical section or a handler, a holder taking its
 *    mutex again) aborts.
 *
 * Not modelled, and what that means for the tests:
 *  - Priorities and preemption. Threads run as the host schedules them, all "tasks" at once on
 *    the host's cores, never one at a time by priority. So the tests show the port's logic under
 *    every interleaving the host produces (and ThreadSanitizer checks its memory accesses), but not
 *    behaviour that depends on a priority order: that a higher-priority task runs first after a
 *    wake-up, priority inheritance on the mutex, or starvation of a low-priority task. In
 *    particular the failure docs/porting.md gives for a shared counting semaphore (a
 *    higher-priority task takes the token meant for a woken one) appears here only when the host
 *    happens to schedule that order. vTaskNotifyGiveIndexedFromISR sets *pxHigherPriorityTaskWoken
 *    for every task it unblocks, and portYIELD_FROM_ISR only counts.
 *  - Interrupts do not preempt a thread: an "interrupt" runs on its own thread, in parallel with
 *    the tasks, and waits for the critical section like any of them. So a task's critical section
 *    excludes it as masking would, but code that is not in one can be "interrupted" anywhere,
 *    also between two instructions that on an MCU would run with no interrupt between them only
 *    by luck. That is stricter than the hardware, not looser.
 *  - One core. No SMP kernel (FreeRTOS's per-core critical sections and spinlocks).
 *  - Tickless idle, tick hooks, software timers, queues other than mutexes, task creation and
 *    deletion through the API, the MPU wrappers, configASSERT.
 *  - The real layout of kernel objects: StaticSemaphore_t has the size of a 32-bit port's
 *    (FreeRTOS.h) on every host, so the port's size assertion is checked against that figure.
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "freertos_model.h"

struct tskTaskControlBlock {
    uint32_t value[configTASK_NOTIFICATION_ARRAY_ENTRIES]; /* kernel lock */
    int waiting_index;                                   /* index blocked on, -1: none (kernel lock) */
    pthread_cond_t cv;                                   /* with the kernel lock */
    struct tskTaskControlBlock *next_blocked;            /* in a mutex's FIFO (kernel lock) */
    bool queued;
};
typedef struct tskTaskControlBlock tcb;

/* ---- state -------------------------------------------------------------------------------------- */
static pthread_mutex_t g_kernel; /* recursive: the critical section and the kernel's lock */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_tcb_key;
static atomic_long g_sched = taskSCHEDULER_NOT_STARTED;
static atomic_uint g_misuse, g_yields;
static _Atomic(void (*)(void)) g_on_take_timeout;

static _Thread_local tcb *t_tcb;
static _Thread_local int t_in_isr;
static _Thread_local unsigned t_task_nesting, t_mask_depth;

static void misuse(const char *what)
{
    atomic_fetch_add(&g_misuse, 1u);
    fprintf(stderr, "freertos model: misuse: %s\n", what);
}

static void fatal(const char *what)
{
    fprintf(stderr, "freertos model: misuse that would deadlock: %s\n", what);
    abort();
}

static void tcb_free(void *p)
{
    tcb *t = p;
    pthread_cond_destroy(&t->cv);
    free(t);
}

static void model_init(void)
{
    pthread_mutexattr_t a;
    if (pthread_mutexattr_init(&a) != 0 || pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&g_kernel, &a) != 0 || pthread_key_create(&g_tcb_key, tcb_free) != 0)
        abort();
    pthread_mutexattr_destroy(&a);
}

static void kernel_lock(void)
{
    pthread_once(&g_once, model_init);
    pthread_mutex_lock(&g_kernel);
}

static void kernel_unlock(void) { pthread_mutex_unlock(&g_kernel); }

/* The calling thread's task control block, made on its first use. */
static tcb *tcb_self(void)
{
    if (t_tcb != NULL) return t_tcb;
    pthread_once(&g_once, model_init);
    tcb *t = calloc(1, sizeof *t);
    pthread_condattr_t ca;
    if (t == NULL || pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&t->cv, &ca) != 0)
        abort();
    pthread_condattr_destroy(&ca);
    t->waiting_index = -1;
    pthread_setspecific(g_tcb_key, t);
    t_tcb = t;
    return t;
}

static bool scheduler_running(void) { return atomic_load(&g_sched) != taskSCHEDULER_NOT_STARTED; }
static bool in_critical(void) { return t_task_nesting + t_mask_depth != 0; }

/* ---- ticks -------------------------------------------------------------------------------------- */
static pthread_mutex_t g_tick_lock = PTHREAD_MUTEX_INITIALIZER;
static bool g_tick_frozen, g_tick_started;
static TickType_t g_tick_base; /* the count at g_tick_base_us, or the frozen count */
static uint64_t g_tick_base_us;

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* g_tick_lock held */
static TickType_t tick_count_locked(void)
{
    if (!g_tick_started) {
        g_tick_base_us = mono_us();
        g_tick_started = true;
    }
    if (g_tick_frozen) return g_tick_base;
    return (TickType_t)(g_tick_base + (mono_us() - g_tick_base_us) * (uint64_t)configTICK_RATE_HZ / 1000000u);
}

static TickType_t tick_count(void)
{
    pthread_mutex_lock(&g_tick_lock);
    TickType_t t = tick_count_locked();
    pthread_mutex_unlock(&g_tick_lock);
    return t;
}

void rtm_model_set_tick_count(TickType_t ticks)
{
    pthread_mutex_lock(&g_tick_lock);
    g_tick_base = ticks;
    g_tick_base_us = mono_us();
    g_tick_started = true;
    pthread_mutex_unlock(&g_tick_lock);
}

void rtm_model_freeze_ticks(bool frozen)
{
    pthread_mutex_lock(&g_tick_lock);
    g_tick_base = tick_count_locked();
    g_tick_base_us = mono_us();
    g_tick_frozen = frozen;
    pthread_mutex_unlock(&g_tick_lock);
}

void rtm_model_advance_ticks(TickType_t n)
{
    pthread_mutex_lock(&g_tick_lock);
    g_tick_base += n;
    pthread_mutex_unlock(&g_tick_lock);
}

TickType_t xTaskGetTickCount(void)
{
    if (t_in_isr) misuse("xTaskGetTickCount in an interrupt handler (xTaskGetTickCountFromISR)");
    return tick_count();
}

TickType_t xTaskGetTickCountFromISR(void) { return tick_count(); }

/* Blocks @p me (kernel lock held once) until it is signalled, or at most 1 ms (a frozen tick count
 * moves without waking anyone); false, without blocking, once the tick count has advanced by
 * @p ticks since @p start. The caller re-checks what it waits for. */
static bool block(tcb *me, TickType_t start, TickType_t ticks)
{
    if (ticks == portMAX_DELAY) {
        pthread_cond_wait(&me->cv, &g_kernel);
        return true;
    }
    if ((TickType_t)(tick_count() - start) >= ticks) return false;
    uint64_t until = mono_us() + 1000u;
    struct timespec ts = {(time_t)(until / 1000000u), (long)(until % 1000000u) * 1000L};
    pthread_cond_timedwait(&me->cv, &g_kernel, &ts);
    return true;
}

/* A call that may block for @p ticks: misuse where blocking is impossible. */
static void check_may_block(const char *call, TickType_t ticks)
{
    char msg[160];
    if (t_in_isr) {
        snprintf(msg, sizeof msg, "%s in an interrupt handler", call);
        fatal(msg);
    }
    if (ticks == 0) return;
    if (in_critical()) {
        snprintf(msg, sizeof msg, "%s blocks inside a critical section", call);
        fatal(msg);
    }
    if (!scheduler_running()) {
        snprintf(msg, sizeof msg, "%s blocks before the scheduler starts", call);
        fatal(msg);
    }
}

/* ---- critical section --------------------------------------------------------------------------- */
void vPortEnterCritical(void)
{
    if (t_in_isr) misuse("taskENTER_CRITICAL in an interrupt handler (taskENTER_CRITICAL_FROM_ISR)");
    if (!scheduler_running()) misuse("taskENTER_CRITICAL before the scheduler starts: interrupts stay masked");
    kernel_lock();
    t_task_nesting++;
}

void vPortExitCritical(void)
{
    if (t_task_nesting == 0) {
        misuse("taskEXIT_CRITICAL without taskENTER_CRITICAL");
        return;
    }
    t_task_nesting--;
    kernel_unlock();
}

UBaseType_t uxPortSetInterruptMaskFromISR(void)
{
    kernel_lock();
    return (UBaseType_t)t_mask_depth++;
}

void vPortClearInterruptMaskFromISR(UBaseType_t uxSavedMask)
{
    if (t_mask_depth == 0) {
        misuse("taskEXIT_CRITICAL_FROM_ISR without taskENTER_CRITICAL_FROM_ISR");
        return;
    }
    t_mask_depth--;
    if (uxSavedMask != (UBaseType_t)t_mask_depth) misuse("interrupt mask restored with a key other than its own");
    kernel_unlock();
}

BaseType_t xPortIsInsideInterrupt(void) { return t_in_isr ? pdTRUE : pdFALSE; }

void vPortYieldFromISR(BaseType_t xSwitchRequired)
{
    if (xSwitchRequired == pdFALSE) return;
    if (!t_in_isr) misuse("portYIELD_FROM_ISR(pdTRUE) outside an interrupt handler");
    atomic_fetch_add(&g_yields, 1u);
}

/* ---- tasks and notifications -------------------------------------------------------------------- */
TaskHandle_t xTaskGetCurrentTaskHandle(void) { return tcb_self(); } /* in a handler: the thread's own */

BaseType_t xTaskGetSchedulerState(void) { return atomic_load(&g_sched); }

static bool index_ok(UBaseType_t index)
{
    if (index < configTASK_NOTIFICATION_ARRAY_ENTRIES) return true;
    misuse("notification index out of range");
    return false;
}

BaseType_t xTaskGenericNotify(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
                              eNotifyAction eAction, uint32_t *pulPreviousNotificationValue)
{
    if (t_in_isr) misuse("xTaskGenericNotify in an interrupt handler");
    if (!index_ok(uxIndexToNotify)) return pdFAIL;
    kernel_lock();
    uint32_t *v = &xTaskToNotify->value[uxIndexToNotify];
    if (pulPreviousNotificationValue != NULL) *pulPreviousNotificationValue = *v;
    switch (eAction) {
    case eIncrement: *v += 1u; break;
    case eSetBits: *v |= ulValue; break;
    case eSetValueWithOverwrite:
    case eSetValueWithoutOverwrite: *v = ulValue; break;
    case eNoAction: break;
    }
    pthread_cond_signal(&xTaskToNotify->cv);
    kernel_unlock();
    return pdPASS;
}

void vTaskGenericNotifyGiveFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                   BaseType_t *pxHigherPriorityTaskWoken)
{
    if (!t_in_isr) misuse("vTaskGenericNotifyGiveFromISR outside an interrupt handler");
    if (!index_ok(uxIndexToNotify)) return;
    kernel_lock();
    xTaskToNotify->value[uxIndexToNotify] += 1u;
    if (xTaskToNotify->waiting_index == (int)uxIndexToNotify && pxHigherPriorityTaskWoken != NULL)
        *pxHigherPriorityTaskWoken = pdTRUE; /* no priorities: any task unblocked may outrank */
    pthread_cond_signal(&xTaskToNotify->cv);
    kernel_unlock();
}

uint32_t ulTaskGenericNotifyTake(UBaseType_t uxIndexToWaitOn, BaseType_t xClearCountOnExit, TickType_t xTicksToWait)
{
    check_may_block("ulTaskGenericNotifyTake", xTicksToWait);
    if (!index_ok(uxIndexToWaitOn)) return 0;
    tcb *me = tcb_self();
    kernel_lock();
    TickType_t start = tick_count();
    me->waiting_index = (int)uxIndexToWaitOn;
    while (me->value[uxIndexToWaitOn] == 0 && xTicksToWait != 0)
        if (!block(me, start, xTicksToWait)) break;
    me->waiting_index = -1;
    uint32_t v = me->value[uxIndexToWaitOn];
    if (v != 0) me->value[uxIndexToWaitOn] = xClearCountOnExit != pdFALSE ? 0 : v - 1u;
    kernel_unlock();
    if (v == 0 && xTicksToWait != 0) { /* timed out: preempted on the way out (see the top) */
        struct timespec nap = {0, 50000};
        nanosleep(&nap, NULL);
        void (*hook)(void) = atomic_load(&g_on_take_timeout);
        if (hook != NULL) hook();
    }
    return v;
}

bool rtm_model_task_waiting(TaskHandle_t task)
{
    kernel_lock();
    bool waiting = task->waiting_index != -1;
    kernel_unlock();
    return waiting;
}

uint32_t rtm_model_notify_value(TaskHandle_t task, UBaseType_t index)
{
    kernel_lock();
    uint32_t v = index < configTASK_NOTIFICATION_ARRAY_ENTRIES ? task->value[index] : 0;
    kernel_unlock();
    return v;
}

/* ---- mutexes ------------------------------------------------------------------------------------ */
typedef struct {
    uintptr_t magic; /* MUTEX_MAGIC while it is a mutex */
    tcb *holder;
    tcb *head, *tail; /* blocked takers, FIFO */
} model_mutex;
_Static_assert(sizeof(model_mutex) <= sizeof(StaticQueue_t), "the model's mutex must fit a StaticQueue_t");
#define MUTEX_MAGIC ((uintptr_t)0x6d757478u)

static model_mutex *mutex_of(QueueHandle_t q)
{
    model_mutex *m = (model_mutex *)(void *)q;
    if (m == NULL || m->magic != MUTEX_MAGIC) fatal("a mutex call on something that is not a mutex");
    return m;
}

static void before_scheduler_check(const char *call)
{
    char msg[160];
    if (scheduler_running()) return;
    snprintf(msg, sizeof msg, "%s before the scheduler starts: its critical section leaves interrupts masked", call);
    misuse(msg);
}

QueueHandle_t xQueueCreateMutexStatic(const uint8_t ucQueueType, StaticQueue_t *pxStaticQueue)
{
    (void)ucQueueType;
    if (pxStaticQueue == NULL) return NULL;
    if (t_in_isr) misuse("xSemaphoreCreateMutexStatic in an interrupt handler");
    before_scheduler_check("xSemaphoreCreateMutexStatic");
    /* A nap before the kernel's lock: a caller that creates outside the critical section (a racy
     * lazy creation) lets a second creator reach the same buffer, which is reported below; inside
     * it, the caller holds the lock already (it is recursive) and nobody else gets in. */
    struct timespec nap = {0, 20000};
    nanosleep(&nap, NULL);
    kernel_lock();
    model_mutex *m = (model_mutex *)(void *)pxStaticQueue;
    if (m->magic == MUTEX_MAGIC) misuse("one StaticSemaphore_t made a mutex twice");
    memset(m, 0, sizeof *m);
    m->magic = MUTEX_MAGIC;
    kernel_unlock();
    return (QueueHandle_t)(void *)pxStaticQueue;
}

static void mutex_dequeue(model_mutex *m, tcb *me)
{
    tcb **pp = &m->head, *prev = NULL;
    while (*pp != NULL && *pp != me) {
        prev = *pp;
        pp = &(*pp)->next_blocked;
    }
    if (*pp == NULL) return;
    *pp = me->next_blocked;
    if (m->tail == me) m->tail = prev;
    me->next_blocked = NULL;
    me->queued = false;
}

BaseType_t xQueueSemaphoreTake(QueueHandle_t xQueue, TickType_t xTicksToWait)
{
    check_may_block("xSemaphoreTake", xTicksToWait);
    before_scheduler_check("xSemaphoreTake");
    tcb *me = tcb_self();
    kernel_lock();
    model_mutex *m = mutex_of(xQueue);
    if (m->holder == me) fatal("xSemaphoreTake by the mutex's holder: a FreeRTOS mutex is not recursive");
    TickType_t start = tick_count();
    while (m->holder != NULL) {
        if (!me->queued) {
            me->next_blocked = NULL;
            if (m->tail != NULL) m->tail->next_blocked = me;
            else m->head = me;
            m->tail = me;
            me->queued = true;
        }
        if (xTicksToWait == 0 || !block(me, start, xTicksToWait)) {
            mutex_dequeue(m, me);
            kernel_unlock();
            return pdFALSE;
        }
    }
    mutex_dequeue(m, me);
    m->holder = me;
    kernel_unlock();
    return pdTRUE;
}

BaseType_t xQueueGenericSend(QueueHandle_t xQueue, const void *const pvItemToQueue, TickType_t xTicksToWait,
                             const BaseType_t xCopyPosition)
{
    (void)pvItemToQueue;
    (void)xTicksToWait;
    (void)xCopyPosition;
    if (t_in_isr) misuse("xSemaphoreGive in an interrupt handler");
    before_scheduler_check("xSemaphoreGive");
    tcb *me = tcb_self();
    kernel_lock();
    model_mutex *m = mutex_of(xQueue);
    if (m->holder != me) {
        misuse("xSemaphoreGive by a task that does not hold the mutex");
        kernel_unlock();
        return pdFAIL;
    }
    m->holder = NULL;
    if (m->head != NULL) pthread_cond_signal(&m->head->cv);
    kernel_unlock();
    return pdPASS;
}

void vQueueDelete(QueueHandle_t xQueue)
{
    kernel_lock();
    model_mutex *m = mutex_of(xQueue);
    if (m->holder != NULL || m->head != NULL) misuse("vSemaphoreDelete on a mutex held or waited for");
    m->magic = 0;
    kernel_unlock();
}

/* ---- the test's controls ------------------------------------------------------------------------ */
void rtm_model_isr_enter(void)
{
    if (t_in_isr) misuse("rtm_model_isr_enter in a handler: handlers do not nest per thread");
    t_in_isr = 1;
}

void rtm_model_isr_exit(void) { t_in_isr = 0; }

void rtm_model_set_scheduler_state(BaseType_t state) { atomic_store(&g_sched, state); }

unsigned rtm_model_misuse_count(void) { return atomic_load(&g_misuse); }

unsigned rtm_model_yields_from_isr(void) { return atomic_load(&g_yields); }

void rtm_model_on_take_timeout(void (*fn)(void)) { atomic_store(&g_on_take_timeout, fn); }
