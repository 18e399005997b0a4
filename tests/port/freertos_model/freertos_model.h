/*
 * Controls of the host model of FreeRTOS (freertos_model.c), for the tests: interrupt handlers
 * simulated on a thread, the scheduler's state, the tick count, and what the model saw the code
 * under test do wrong.
 */
#ifndef RTM_FREERTOS_MODEL_H
#define RTM_FREERTOS_MODEL_H

#include <stdbool.h>

#include "FreeRTOS.h"
#include "task.h"

/* The calling thread runs as an interrupt handler from enter to exit (xPortIsInsideInterrupt()
 * says so; task-only calls are misuse there). Handlers do not nest per thread. */
void rtm_model_isr_enter(void);
void rtm_model_isr_exit(void);

/* xTaskGetSchedulerState() from now on: taskSCHEDULER_NOT_STARTED or taskSCHEDULER_RUNNING. */
void rtm_model_set_scheduler_state(BaseType_t state);

/* The tick count follows CLOCK_MONOTONIC at configTICK_RATE_HZ (the default), from the value set
 * here on; or, frozen, it changes only by rtm_model_advance_ticks. */
void rtm_model_set_tick_count(TickType_t ticks);
void rtm_model_freeze_ticks(bool frozen);
void rtm_model_advance_ticks(TickType_t n);

/* True while @p task is inside a notification take (its block time counted from then on). */
bool rtm_model_task_waiting(TaskHandle_t task);

/* Notification value @p index of @p task now. */
uint32_t rtm_model_notify_value(TaskHandle_t task, UBaseType_t index);

/* Misuse of the API the model detected since the start (each is printed to stderr when seen):
 * a task-only call in an interrupt handler, a blocking call inside a critical section or an
 * interrupt handler, taskENTER_CRITICAL() or a mutex call before the scheduler starts (on the
 * Cortex-M ports they leave interrupts masked until it does), a mask restored with a key other
 * than its own, a mutex given by a task that does not hold it or taken again by its holder, one
 * buffer made a mutex twice, a mutex deleted while held or waited for, a notification index out
 * of range, a critical section left that was not entered. */
unsigned rtm_model_misuse_count(void);

/* @p fn (NULL: none) is called on the thread of a task whose notification take has just timed
 * out, before the take returns: an interrupt arriving at that moment. */
void rtm_model_on_take_timeout(void (*fn)(void));

/* portYIELD_FROM_ISR calls that asked for a switch (pdTRUE). */
unsigned rtm_model_yields_from_isr(void);

#endif
