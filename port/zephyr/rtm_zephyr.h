/*
 * rtm_zephyr.h - what the Zephyr port (port/zephyr/port_zephyr.c) adds to rtmem/port.h: its
 * requirements and options.
 *
 * Needs Zephyr 3.x (<zephyr/kernel.h>) with CONFIG_MULTITHREADING=y (k_mutex, k_sem) and a system
 * clock (CONFIG_SYS_CLOCK_EXISTS). With CONFIG_TIMEOUT_64BIT=y a wait sleeps until an absolute
 * deadline (K_TIMEOUT_ABS_TICKS); without it, for a relative number of ticks, capped below
 * K_TICKS_FOREVER (a longer wait ends early: a spurious wake-up, and the caller waits again).
 *
 * Rules for the application (Zephyr's own, restated where rtmem meets them):
 *  - Interrupt handlers that call rtmem are ordinary (not zero-latency, not "direct" ISRs that skip
 *    the kernel's bookkeeping): the critical section is irq_lock(), which does not mask zero-latency
 *    interrupts, and the ISR notify calls k_sem_give.
 *  - Kernel objects cannot live in memory that user-mode threads write: a locked or blocking rtmem
 *    object is used by supervisor threads only, or through a system call (docs/porting.md).
 *  - No rtmem call that locks or waits inside irq_lock() or k_sched_lock(): the lock is a k_mutex.
 */
#ifndef RTM_ZEPHYR_H
#define RTM_ZEPHYR_H

#include "rtmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Largest tick count a relative wait asks for when CONFIG_TIMEOUT_64BIT is off (k_ticks_t is then
 * 32-bit and K_TICKS_FOREVER is its all-ones value). Lower it to make long waits wake up (and
 * re-check their deadline) more often; it must be at least 1 and below K_TICKS_FOREVER.
 */
#ifndef RTM_ZEPHYR_MAX_WAIT_TICKS
#define RTM_ZEPHYR_MAX_WAIT_TICKS 0x7FFFFFFFu
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTM_ZEPHYR_H */
