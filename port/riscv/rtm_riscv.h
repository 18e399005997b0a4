/*
 * rtm_riscv.h - the RISC-V (RV32, M-mode + U-mode) port: what firmware calls beyond
 * include/rtmem/port.h.
 *
 * Files: start.S (reset, trap entry, U-mode thread switch), semihost.c (semihosting I/O and exit),
 * port_riscv.c (port.h: critical section through mstatus.MIE, lock, thread id in tp, time from the
 * CLINT mtime counter), trap_riscv.c (trap dispatch -> fault records, ecalls, U-mode threads),
 * pmp_riscv.c (PMP CSR access). See docs/targets.md for the design and "Configuration".
 *
 * Register tp holds the identity of the running context: the address of the rtm_rv_thread with bit
 * 0 set in a U-mode thread, the address of a static token in M-mode thread context, 0 inside the
 * trap handler. So rtm_port_thread_id() and rtm_port_in_isr() work in U-mode without a trap.
 */
#ifndef RTM_RISCV_H
#define RTM_RISCV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtmem/common.h"
#include "rtmem/fault.h"
#include "rtmem/mpu.h"
#include "rtmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Address of the 64-bit machine timer (CLINT mtime; QEMU virt: 0x0200BFF8). */
#ifndef RTM_RV_MTIME_ADDR
#define RTM_RV_MTIME_ADDR 0x0200BFF8u
#endif
/** Frequency of mtime in Hz (QEMU virt: 10 MHz). */
#ifndef RTM_RV_MTIME_HZ
#define RTM_RV_MTIME_HZ 10000000u
#endif
_Static_assert(RTM_RV_MTIME_HZ > 0u, "RTM_RV_MTIME_HZ: the mtime frequency in Hz");

/**
 * Microseconds in @p ticks of a timer running at @p hz Hz, rounded down: exact for any frequency
 * (a 32,768 Hz mtime clocked from an RTC crystal, as on several RISC-V MCUs, as well as QEMU's
 * 10 MHz), with no overflow for any 64-bit tick count (whole seconds first, then the rest, whose
 * product with 10^6 stays below 2^64 for any hz under 1.8e13). A frequency that is a multiple of
 * 1 MHz takes one division (the port's constant frequency folds the test away). The port used
 * ticks / (hz / 10^6) before, which divided by zero below 1 MHz and drifted off multiples of it.
 * Pure arithmetic: any context.
 */
static inline uint64_t rtm_rv_ticks_to_us(uint64_t ticks, uint64_t hz)
{
    if (hz % 1000000u == 0) return ticks / (hz / 1000000u);
    return ticks / hz * 1000000u + ticks % hz * 1000000u / hz;
}

/** PMP entries the hart implements, 1 to 64 (QEMU virt: 16). The port uses pmpaddr0..N-1 and the
 *  pmpcfg words that hold them, and no others (a pmpcfg the hart lacks may trap). */
#ifndef RTM_RV_PMP_ENTRIES
#define RTM_RV_PMP_ENTRIES 16u
#endif
/** Address of a SiFive test finisher (QEMU virt: 0x100000) used when semihosting cannot exit; 0: none. */
#ifndef RTM_RV_TEST_FINISHER
#define RTM_RV_TEST_FINISHER 0x00100000u
#endif

/* ---- semihosting --------------------------------------------------------------------------- */

/** Writes the NUL-terminated @p s to the host console (SYS_WRITE0). Works in M- and U-mode. */
void rtm_rv_semihost_write0(const char *s);
/** Ends the program with status @p code: semihosting SYS_EXIT_EXTENDED, then the test finisher. */
__attribute__((noreturn)) void rtm_rv_semihost_exit(int code);

/* ---- U-mode threads ------------------------------------------------------------------------ */

/**
 * A U-mode thread in the run-to-completion sense: rtm_rv_thread_run() enters U-mode on the thread's
 * stack at fn(arg) and comes back when fn returns (ecall) or a fault aborts it. No scheduler.
 * Its address is the thread's rtm_port_thread_id().
 */
typedef struct rtm_rv_thread {
    uint32_t ctx[16];      /* M-mode caller's ra, sp, s0-s11, tp, mstatus.MIE while the thread runs */
    int (*fn)(void *arg);
    void *arg;
    uint32_t *stack;
    size_t stack_bytes;
    int result;            /**< fn's return value (when it returned) */
    bool aborted;          /**< a fault ended it (the record is in rtm_fault_get(0, ...)) */
    uintptr_t fault_addr;  /**< address of the fault that ended it */
} rtm_rv_thread;

/**
 * Prepares @p t to run @p fn(@p arg) on [stack, stack + stack_bytes). RTM_ERR_ARG (NULL t, fn or
 * stack, or t not 4-byte aligned), RTM_ERR_ALIGN (stack not 16-byte aligned), RTM_ERR_SIZE
 * (stack_bytes < 256 or not a multiple of 16). O(1).
 */
rtm_err rtm_rv_thread_init(rtm_rv_thread *t, int (*fn)(void *arg), void *arg, void *stack, size_t stack_bytes);

/**
 * Runs @p t in U-mode until fn returns (RTM_OK, t->result) or a fault aborts it (RTM_ERR_ACCESS,
 * t->aborted, t->fault_addr). If t belongs to a domain (rtm_domain_add_thread with (uintptr_t)t)
 * the domain's PMP entries are loaded first (rtm_rv_pmp_load); a thread of no domain runs with the
 * slots of the last domain loaded here turned off (the system entries alone). RTM_ERR_STATE when not called from
 * M-mode thread context or while a thread runs; RTM_ERR_ARG for an uninitialised t. O(1) + run time.
 * Interrupts: machine interrupts are taken in U-mode whatever mstatus.MIE says, so when the caller
 * has them off (inside rtm_port_critical_enter) the run clears mie and restores it afterwards: its
 * interrupts wait, pending, until the caller enables them (rvtrap.critical).
 */
rtm_err rtm_rv_thread_run(rtm_rv_thread *t);

/** The thread now running (NULL in M-mode thread context). O(1), M-mode. */
rtm_rv_thread *rtm_rv_thread_current(void);

/**
 * Installs @p handler (NULL: none) for interrupts (mcause bit 31 set). It runs in the trap handler
 * (M-mode, tp = 0: rtm_port_in_isr() is true) with @p mcause; it must clear the source (e.g. move
 * mtimecmp) before returning. Without a handler an interrupt halts. Returns the previous one. O(1).
 */
void (*rtm_rv_set_interrupt_handler(void (*handler)(uint32_t mcause)))(uint32_t);

/** Traps taken since start-up that were faults (not ecalls). O(1). */
uint32_t rtm_rv_fault_count(void);

/* ---- PMP ----------------------------------------------------------------------------------- */

/** The rtm_mpu_arch for this hart's PMP with @p sys_regions entries (the top ones) for system regions. */
rtm_mpu_arch rtm_rv_pmp_arch(uint32_t sys_regions);

/**
 * Writes the entries of @p regs (kind RTM_MPU_RISCV_PMP) to pmpaddr/pmpcfg slots [first,
 * first + count) and turns off slots [first + count, first + avail). Locked slots are left alone
 * (they cannot change until reset); writing one is RTM_ERR_STATE, as is an address the hart
 * ignores (the pmpaddr below a locked TOR entry, its base; the entries then left off). RTM_ERR_ARG (NULL or wrong kind),
 * RTM_ERR_NO_SLOT (beyond RTM_RV_PMP_ENTRIES). RTM_ERR_UNSUPPORTED when this hart's PMP is coarser
 * than an entry needs (its granularity, probed on the first slot of each load: rtm_pmp_check_granule),
 * the slots [first, first + avail) then left off. M-mode, O(avail).
 */
rtm_err rtm_rv_pmp_load(const rtm_mpu_regs *regs);

/**
 * Turns off pmpcfg slots [first, first + n) (cfg byte 0; pmpaddr unchanged). RTM_ERR_STATE, with
 * nothing changed, when one of them is locked; RTM_ERR_NO_SLOT beyond RTM_RV_PMP_ENTRIES. M-mode, O(n).
 */
rtm_err rtm_rv_pmp_clear(unsigned first, unsigned n);

/** Reads pmpaddr @p i and its cfg byte (for tests). RTM_ERR_NO_SLOT when out of range. M-mode. */
rtm_err rtm_rv_pmp_get(unsigned i, uint32_t *pmpaddr, uint8_t *pmpcfg);

#ifdef __cplusplus
}
#endif

#endif /* RTM_RISCV_H */
