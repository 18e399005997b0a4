/* Host model of FreeRTOS's task.h (tests/port/freertos_model/FreeRTOS.h): the subset the port calls. */
#ifndef INC_TASK_H
#define INC_TASK_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h before task.h"
#endif

struct tskTaskControlBlock;
typedef struct tskTaskControlBlock *TaskHandle_t;

typedef enum { eNoAction = 0, eSetBits, eIncrement, eSetValueWithOverwrite, eSetValueWithoutOverwrite } eNotifyAction;

#define taskSCHEDULER_SUSPENDED ((BaseType_t)0)
#define taskSCHEDULER_NOT_STARTED ((BaseType_t)1)
#define taskSCHEDULER_RUNNING ((BaseType_t)2)

#define taskENTER_CRITICAL() vPortEnterCritical()
#define taskEXIT_CRITICAL() vPortExitCritical()
#define taskENTER_CRITICAL_FROM_ISR() uxPortSetInterruptMaskFromISR()
#define taskEXIT_CRITICAL_FROM_ISR(x) vPortClearInterruptMaskFromISR(x)

TaskHandle_t xTaskGetCurrentTaskHandle(void);
BaseType_t xTaskGetSchedulerState(void);
TickType_t xTaskGetTickCount(void);
TickType_t xTaskGetTickCountFromISR(void);

BaseType_t xTaskGenericNotify(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
                              eNotifyAction eAction, uint32_t *pulPreviousNotificationValue);
void vTaskGenericNotifyGiveFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
                                   BaseType_t *pxHigherPriorityTaskWoken);
uint32_t ulTaskGenericNotifyTake(UBaseType_t uxIndexToWaitOn, BaseType_t xClearCountOnExit, TickType_t xTicksToWait);

#define xTaskNotifyGiveIndexed(xTaskToNotify, uxIndexToNotify)                                       \
    xTaskGenericNotify((xTaskToNotify), (uxIndexToNotify), 0, eIncrement, NULL)
#define xTaskNotifyGive(xTaskToNotify) xTaskNotifyGiveIndexed((xTaskToNotify), 0)
#define vTaskNotifyGiveIndexedFromISR(xTaskToNotify, uxIndexToNotify, pxHigherPriorityTaskWoken)     \
    vTaskGenericNotifyGiveFromISR((xTaskToNotify), (uxIndexToNotify), (pxHigherPriorityTaskWoken))
#define ulTaskNotifyTakeIndexed(uxIndexToWaitOn, xClearCountOnExit, xTicksToWait)                    \
    ulTaskGenericNotifyTake((uxIndexToWaitOn), (xClearCountOnExit), (xTicksToWait))
#define ulTaskNotifyTake(xClearCountOnExit, xTicksToWait) ulTaskNotifyTakeIndexed(0, (xClearCountOnExit), (xTicksToWait))

#endif /* INC_TASK_H */
