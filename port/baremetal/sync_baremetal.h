/*
 * Between port/baremetal/sync_baremetal.c and the bare-metal ports' fault handlers (port/cortex-m,
 * port/riscv): how many rtmem locks the running code holds, so that a fault handler does not offer
 * RTM_FAULT_ABORT_THREAD while ending the thread would leave one held (rtmem/fault.h).
 */
#ifndef RTM_SYNC_BAREMETAL_H
#define RTM_SYNC_BAREMETAL_H

#include <stdint.h>

/** Locks taken by rtm_port_lock and not yet released. One thread of control runs at a time on these
 *  ports (a thread runs to completion while its owner waits; an interrupt handler finishes before
 *  the code it interrupted resumes and must release what it takes), so one count serves: nonzero
 *  when a thread faults means the thread itself holds a lock. ISR-safe. O(1). */
uint32_t rtm_bm_locks_held(void);

#endif
