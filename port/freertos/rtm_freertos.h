/*
 * rtm_freertos.h - what the FreeRTOS port (port/freertos/port_freertos.c) adds to rtmem/port.h:
 * its options and the tick hook that keeps its 64-bit clock right.
 *
 * Needs FreeRTOS 10.4 or later (indexed task notifications) and, in FreeRTOSConfig.h:
 *   configSUPPORT_STATIC_ALLOCATION 1   the lock's mutex lives inside the rtm_port_sync
 *   configUSE_MUTEXES 1
 *   configUSE_TASK_NOTIFICATIONS 1, configTASK_NOTIFICATION_ARRAY_ENTRIES > RTM_FREERTOS_NOTIFY_INDEX
 *   INCLUDE_vTaskSuspend 1              rtm_port_wait(s, UINT64_MAX) blocks with portMAX_DELAY
 *   INCLUDE_xTaskGetSchedulerState 1 or configUSE_TIMERS 1 (either compiles xTaskGetSchedulerState in;
 *   configUSE_MUTEXES 1 does the same for xTaskGetCurrentTaskHandle)
 * The port refuses to compile without them.
 *
 * Rules for the application (FreeRTOS's own, restated where rtmem meets them):
 *  - Interrupt handlers that call rtmem run at or below configMAX_SYSCALL_INTERRUPT_PRIORITY, as
 *    for any ...FromISR call.
 *  - No rtmem call that locks or waits (rtm_heap_locked, a slab's blocking alloc, ...) while the
 *    scheduler is suspended (vTaskSuspendAll) or inside a critical section: they block on a mutex.
 *  - The notification index RTM_FREERTOS_NOTIFY_INDEX belongs to rtmem: the application gives and
 *    takes only other indices.
 */
#ifndef RTM_FREERTOS_H
#define RTM_FREERTOS_H

#include "rtmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Task notification index with which rtm_port_wait sleeps and the notifies wake it. Index 0 is
 * the one the non-indexed API (xTaskNotifyGive, ulTaskNotifyTake) and stream buffers use. */
#ifndef RTM_FREERTOS_NOTIFY_INDEX
#define RTM_FREERTOS_NOTIFY_INDEX 1
#endif

/** True in an interrupt handler. On Cortex-M (any, GCC or clang: __ARM_ARCH_PROFILE 'M') the
 * default reads IPSR itself: xPortIsInsideInterrupt() exists in the ARMv7-M and ARMv8-M ports, but
 * the ARM_CM0 port (Cortex-M0/M0+: RP2040, STM32G0) has it only from FreeRTOS 10.6.0, and the port
 * would not compile there with 10.4 or 10.5 (review, 2026-11-30). Elsewhere the default is
 * xPortIsInsideInterrupt(), which the Cortex-A and RISC-V ports may lack: define this (to a read of
 * the core's interrupt status) where the port has none. */
#ifndef RTM_FREERTOS_IN_ISR
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
static inline int rtm_freertos_ipsr_(void)
{
    unsigned v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v != 0u;
}
#define RTM_FREERTOS_IN_ISR() (rtm_freertos_ipsr_() != 0)
#else
#define RTM_FREERTOS_IN_ISR() (xPortIsInsideInterrupt() != pdFALSE)
#endif
#endif

/**
 * Masks the interrupts the kernel masks and returns the previous mask; RTM_FREERTOS_MASK_RESTORE
 * puts it back. The critical section uses them in interrupt handlers and before the scheduler
 * starts (see rtm_port_critical_enter in port_freertos.c). The FreeRTOS forms nest by the value
 * they return, on Cortex-M (BASEPRI) and Cortex-A/R. On ports where they mask nothing because
 * interrupts do not nest there (the RISC-V port), start-up code that uses rtmem with interrupts
 * enabled needs a definition that saves and clears the global interrupt enable.
 */
#ifndef RTM_FREERTOS_MASK_SAVE
#define RTM_FREERTOS_MASK_SAVE() taskENTER_CRITICAL_FROM_ISR()
#endif
#ifndef RTM_FREERTOS_MASK_RESTORE
#define RTM_FREERTOS_MASK_RESTORE(mask) taskEXIT_CRITICAL_FROM_ISR(mask)
#endif

/**
 * Brings the port's 64-bit extension of the tick count up to date. rtm_port_now_ms and
 * rtm_port_now_us extend FreeRTOS's tick count (32 bits: wraps after 49.7 days at 1 kHz) by
 * noticing each wrap, so the count must be read at least once per wrap period; an application that
 * may go longer without reading an rtmem clock calls this from vApplicationTickHook
 * (configUSE_TICK_HOOK 1), or from any task or timer at least once per wrap period.
 * Never fails. O(1): a critical section and a few additions. ISR-safe and thread-safe.
 */
void rtm_freertos_tick_hook(void);

#ifdef __cplusplus
}
#endif

#endif /* RTM_FREERTOS_H */
