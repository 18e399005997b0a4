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
 * uint32_t). Zephyr's z_add_timeout stores ticks + 1 + elapsed() (the ticks since the last
 * announce) in the int32_t dticks of struct _timeout: a timeout near INT32_MAX wraps negative and
 * expires at the next tick, so a long wait would spin (wake at once, wait again) until its
 * deadline. Hence at most INT32_MAX / 2 (the rest is room for the + 1 and elapsed()), at least 1
 * (0 is K_NO_WAIT: no sleep). Lower it to make long waits wake up (and re-check) more often.
 */
#ifndef RTM_ZEPHYR_MAX_WAIT_TICKS
#define RTM_ZEPHYR_MAX_WAIT_TICKS 0x3FFFFFFFu
#endif

#ifdef __cplusplus
}
#endif

#endif /* RTM_ZEPHYR_H */
