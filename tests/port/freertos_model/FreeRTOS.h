/*
 * Host model of FreeRTOS (10.4+) for the tests of port/freertos: the subset of the API the port
 * calls, under FreeRTOS's header names, types and macro names, so that port_freertos.c compiles
 * unchanged. Declarations only (no pthread types): the same headers serve the Cortex-M cross
 * compile of the port (scripts/check.d/40-cross.sh). The implementation, on pthreads, is
 * freertos_model.c; what it models and what it does not is written at its top.
 *
 * Types as the 32-bit Cortex-M ports have them (portmacro.h): BaseType_t long, UBaseType_t
 * unsigned long, TickType_t uint32_t. StaticQueue_t has the size of FreeRTOS 10.4's on a 32-bit
 * port with queue sets and the trace facility on, its largest without list-integrity bytes: 84
 * bytes (the model keeps its mutex state in it).
 */
#ifndef INC_FREERTOS_H
#define INC_FREERTOS_H

#include <stddef.h>
#include <stdint.h>

#include "FreeRTOSConfig.h"

typedef long BaseType_t;
typedef unsigned long UBaseType_t;
typedef uint32_t TickType_t;

#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)
#define pdPASS pdTRUE
#define pdFAIL pdFALSE
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define pdMS_TO_TICKS(ms) ((TickType_t)(((uint64_t)(ms) * (uint64_t)configTICK_RATE_HZ) / 1000u))

/* FreeRTOS.h's defaults for what FreeRTOSConfig.h leaves out */
#ifndef INCLUDE_vTaskSuspend
#define INCLUDE_vTaskSuspend 0
#endif
#ifndef INCLUDE_xTaskGetSchedulerState
#define INCLUDE_xTaskGetSchedulerState 0
#endif
#ifndef INCLUDE_xTaskGetCurrentTaskHandle
#define INCLUDE_xTaskGetCurrentTaskHandle 0
#endif
#ifndef configUSE_TIMERS
#define configUSE_TIMERS 0
#endif
#ifndef configSUPPORT_STATIC_ALLOCATION
#define configSUPPORT_STATIC_ALLOCATION 0
#endif
#ifndef configUSE_MUTEXES
#define configUSE_MUTEXES 0
#endif
#ifndef configUSE_TASK_NOTIFICATIONS
#define configUSE_TASK_NOTIFICATIONS 1
#endif
#ifndef configTASK_NOTIFICATION_ARRAY_ENTRIES
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 1
#endif

/* Storage for a statically allocated queue, semaphore or mutex. Opaque, as FreeRTOS's is. */
typedef struct xSTATIC_QUEUE {
    void *pvDummy[4];
    uint32_t ulDummy[17];
} StaticQueue_t;
typedef StaticQueue_t StaticSemaphore_t;

/* portmacro.h */
BaseType_t xPortIsInsideInterrupt(void);
void vPortEnterCritical(void);
void vPortExitCritical(void);
UBaseType_t uxPortSetInterruptMaskFromISR(void);
void vPortClearInterruptMaskFromISR(UBaseType_t uxSavedMask);
void vPortYieldFromISR(BaseType_t xSwitchRequired);
#define portYIELD_FROM_ISR(x) vPortYieldFromISR(x)

#endif /* INC_FREERTOS_H */
