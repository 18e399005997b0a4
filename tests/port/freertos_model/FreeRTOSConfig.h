/*
 * FreeRTOSConfig.h of the host tests of port/freertos (tests/port/freertos_model): what the port
 * needs (rtm_freertos.h), with a 32-bit tick so that the wrap can be tested. configTICK_RATE_HZ
 * can be given on the command line: the tests also run at 128 Hz, a rate that does not divide
 * 1000, where a millisecond deadline falls between two ticks.
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#ifndef configTICK_RATE_HZ
#define configTICK_RATE_HZ 1000u
#endif
#define configUSE_16_BIT_TICKS 0
#define configSUPPORT_STATIC_ALLOCATION 1
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configUSE_MUTEXES 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 2
#define INCLUDE_vTaskSuspend 1
/* overridable: the cross step checks which combinations the port accepts (40-cross.sh) */
#ifndef INCLUDE_xTaskGetSchedulerState
#define INCLUDE_xTaskGetSchedulerState 1
#endif
#ifndef INCLUDE_xTaskGetCurrentTaskHandle
#define INCLUDE_xTaskGetCurrentTaskHandle 1
#endif

#endif
