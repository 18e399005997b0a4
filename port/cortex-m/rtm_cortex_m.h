/*
 * rtm_cortex_m.h - the Cortex-M port: what firmware calls beyond include/rtmem/port.h.
 *
 * Files: startup.c (vector table, reset), semihost.c (semihosting I/O and exit), port_cortex_m.c
 * (port.h: critical section, lock, thread id, SysTick time), fault_cortex_m.c (fault entry, SVC,
 * unprivileged threads), mpu_cortex_m.c (MPU register access for PMSAv7 and PMSAv8).
 * Supported: ARMv7-M (Cortex-M3/M4/M7) and ARMv8-M Mainline (Cortex-M33) for everything; ARMv6-M
 * (Cortex-M0+) for port.h (critical section through PRIMASK) and semihosting only.
 * See docs/targets.md for the design and the "Configuration" section.
 */
#ifndef RTM_CORTEX_M_H
#define RTM_CORTEX_M_H

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

/** Core clock in Hz, for SysTick time keeping (the MPS2 boards run at 25 MHz). */
#ifndef RTM_CM_CPU_HZ
#define RTM_CM_CPU_HZ 25000000u
#endif

/**
 * 0: rtm_port_critical_enter() masks all interrupts with PRIMASK (default; the only choice on
 * ARMv6-M). Non-zero: masks only interrupts of priority value >= RTM_CM_BASEPRI (BASEPRI,
 * ARMv7-M and ARMv8-M Mainline), so higher-priority interrupts that never call rtmem keep running.
 * Then every interrupt that calls rtmem must have a priority value >= RTM_CM_BASEPRI (SysTick is set
 * to the lowest priority by rtm_cm_systick_start), or the critical section does not exclude it.
 * RTM_CM_BASEPRI is 1..255 (0 would mask nothing: refused at compile time), and only the core's
 * implemented priority bits count (the top 3 to 8 bits): a value with none of them set masks
 * nothing either, so keep it at 0x20 or above unless the part has more than 3 bits.
 */
#ifndef RTM_CM_USE_BASEPRI
#define RTM_CM_USE_BASEPRI 0
#endif
#ifndef RTM_CM_BASEPRI
#define RTM_CM_BASEPRI 0x40u
#endif
/**
 * Cortex-M7 r0p0 and r0p1, Arm erratum 837070: an MSR that raises BASEPRI does not take effect at
 * once, so an interrupt it should mask can still be taken just after it, inside the critical
 * section. 1: rtm_port_critical_enter raises BASEPRI with PRIMASK set and then puts PRIMASK back
 * as it was (Arm's workaround, three instructions more); only with RTM_CM_USE_BASEPRI. A switch,
 * not automatic: no compiler macro tells a Cortex-M7 from a Cortex-M4, and the revision is known
 * only at run time. Harmless on other cores (the an505 target builds test it on a Cortex-M33).
 */
#ifndef RTM_CM_ERRATUM_837070
#define RTM_CM_ERRATUM_837070 0
#endif

/* ARMv8-M Mainline or ARMv8.1-M Mainline (Cortex-M55, M85): GCC defines __ARM_ARCH_8M_MAIN__ for
 * both, clang only __ARM_ARCH_8_1M_MAIN__ for the second, which a test of the first alone took for
 * ARMv6-M (no threads, RBAR/RASR values for a PMSAv8 MPU: port review). The cross step checks both
 * compilers' view (scripts/check.d/40-cross.sh). */
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
#define RTM_CM_V8M_MAIN 1 /* PSPLIM, the SSE-200 timer of mps2-an505 */
#else
#define RTM_CM_V8M_MAIN 0
#endif
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || RTM_CM_V8M_MAIN
#define RTM_CM_MAINLINE 1 /* Thumb-2, BASEPRI, CFSR/MMFAR, MPU with fault status */
#else
#define RTM_CM_MAINLINE 0
#endif
#if RTM_CM_V8M_MAIN || defined(__ARM_ARCH_8M_BASE__)
#define RTM_CM_PMSAV8 1 /* ARMv8-M MPU: RBAR/RLAR + MAIR */
#else
#define RTM_CM_PMSAV8 0 /* ARMv7-M / ARMv6-M MPU: RBAR/RASR */
#endif

/* ---- semihosting --------------------------------------------------------------------------- */

/** Writes the NUL-terminated @p s to the debugger's console (SYS_WRITE0). Works unprivileged when
 *  the host allows it (QEMU: -semihosting-config userspace=on). O(strlen). Not ISR-safe on real
 *  probes (halts the core); fine under QEMU. */
void rtm_cm_semihost_write0(const char *s);

/** Ends the program with exit status @p code (SYS_EXIT_EXTENDED, ADP_Stopped_ApplicationExit). */
__attribute__((noreturn)) void rtm_cm_semihost_exit(int code);

/* ---- time ---------------------------------------------------------------------------------- */

/** Starts SysTick on the core clock with a 1 ms period, at the lowest priority;
 *  rtm_port_now_ms/us count from here. Call once, privileged, at start-up. O(1). */
void rtm_cm_systick_start(void);

/** Installs @p hook (NULL: none), called from the SysTick handler after each 1 ms tick, in handler
 *  mode. For periodic work of the application. Returns the previous hook. O(1). */
void (*rtm_cm_systick_set_hook(void (*hook)(void)))(void);

/* ---- faults -------------------------------------------------------------------------------- */

/**
 * Enables the MemManage, BusFault and UsageFault exceptions so that they do not escalate to
 * HardFault. Every fault (these, HardFault and SecureFault) then goes through one entry that fills
 * an rtm_fault_record (rtmem/fault.h: cause = {CFSR, HFSR, MMFAR, stacked xPSR}), calls
 * rtm_fault_handle() and carries out the action: RETRY, SKIP (data faults only; neither RETRY nor
 * SKIP for an imprecise BusFault, CFSR.IMPRECISERR in cause[0], whose recorded pc is not the
 * faulting instruction), ABORT_THREAD (a
 * thread run by rtm_cm_thread_run; rtm_cm_thread_run then returns RTM_ERR_ACCESS) or HALT (prints
 * one line over semihosting and exits with status 3). Privileged, O(1).
 */
void rtm_cm_fault_init(void);

/** Number of faults taken since start-up (handled or not). O(1), ISR-safe. */
uint32_t rtm_cm_fault_count(void);

/* ---- unprivileged threads ------------------------------------------------------------------ */

/**
 * An unprivileged thread in the run-to-completion sense: rtm_cm_thread_run() switches to the
 * thread's own stack (PSP) with CONTROL.nPRIV=1, calls its function and comes back when the
 * function returns or a fault aborts it. There is no scheduler: one thread runs at a time.
 * The structure is owned by the caller; its address is the thread's rtm_port_thread_id().
 */
typedef struct rtm_cm_thread {
    uint32_t ctx[10];          /* privileged caller's r4-r11, sp, lr while the thread runs */
    int (*fn)(void *arg);
    void *arg;
    uint32_t *stack;
    size_t stack_bytes;
    int result;                /**< fn's return value (when it returned) */
    bool aborted;              /**< a fault ended it (the record is in rtm_fault_get(0, ...)) */
    uintptr_t fault_addr;      /**< address of the fault that ended it (aborted) */
} rtm_cm_thread;

/**
 * Prepares @p t to run @p fn(@p arg) on [stack, stack + stack_bytes). Fails with RTM_ERR_ARG (NULL
 * t, fn or stack), RTM_ERR_ALIGN (stack not 8-byte aligned) or RTM_ERR_SIZE (stack_bytes < 256 or
 * not a multiple of 8), RTM_ERR_UNSUPPORTED on ARMv6-M. O(1). The stack must be reachable by the
 * thread under the MPU settings in force while it runs.
 */
rtm_err rtm_cm_thread_init(rtm_cm_thread *t, int (*fn)(void *arg), void *arg, void *stack,
                           size_t stack_bytes);

/**
 * Runs @p t unprivileged until fn returns (RTM_OK; t->result holds the value) or a fault aborts it
 * (RTM_ERR_ACCESS; t->aborted, t->fault_addr). If t belongs to a domain (rtm_domain_add_thread with
 * (uintptr_t)t), the domain's regions are loaded into the MPU first (rtm_cm_mpu_load). A thread
 * with no domain runs with the slots of the domain loaded last by rtm_cm_thread_run disabled: it
 * gets the system regions only, never the previous thread's partitions.
 * RTM_ERR_STATE when called unprivileged, from a handler, while a thread runs, or with SVCall
 * masked (PRIMASK or FAULTMASK set, e.g. inside rtm_port_critical_enter with the PRIMASK critical
 * section, or BASEPRI at or above SVCall's priority): the thread's exit SVC would escalate to
 * HardFault. RTM_ERR_ARG for
 * an uninitialised t. Privileged thread mode only. O(1) plus the thread's run time.
 * The thread may use the FPU (builds with an FPU, __ARM_FP): the caller's s16-s31 and FPSCR are
 * kept, whether the thread returns or is aborted; the thread's FP registers are not carried back.
 * The thread starts with r1-r11, d0-d15, APSR's flags and FPSCR zeroed (none of the caller's
 * values reach unprivileged code); FPSCR's control bits then come from FPDSCR at its first FP
 * instruction (FPCCR.ASPEN = 1, the reset value), else stay 0: round to nearest, no flush to zero,
 * IEEE NaNs.
 */
rtm_err rtm_cm_thread_run(rtm_cm_thread *t);

/** The thread now running (NULL in the privileged main context). O(1). */
rtm_cm_thread *rtm_cm_thread_current(void);

/* ---- MPU ----------------------------------------------------------------------------------- */
/* Every function below that writes or reads a region (RNR, then RBAR and RASR/RLAR) does so inside
 * rtm_port_critical_enter/exit, rtm_cm_mpu_load for the whole load, so that an interrupt handler that
 * also programs the MPU cannot change RNR in the middle. With RTM_CM_USE_BASEPRI, interrupts above
 * RTM_CM_BASEPRI are not masked and must not program the MPU. */

/** Regions the MPU implements (MPU_TYPE.DREGION; 0 = no MPU). Privileged, O(1). */
unsigned rtm_cm_mpu_regions(void);
/** Turns the MPU off (with barriers). Privileged, O(1). */
void rtm_cm_mpu_disable(void);
/** Turns the MPU on; @p privdefena: privileged code uses the default map where no region matches.
 *  MPU is also left on during HardFault/NMI handlers only when @p hfnmiena. Privileged, O(1). */
void rtm_cm_mpu_enable(bool privdefena, bool hfnmiena);
/** Writes region @p index (RNR) with the two words an encoder produced: PMSAv7 RBAR/RASR or
 *  PMSAv8 RBAR/RLAR. RTM_ERR_NO_SLOT when index >= rtm_cm_mpu_regions(). Privileged, O(1). */
rtm_err rtm_cm_mpu_set_region(unsigned index, uint32_t rbar, uint32_t rasr_or_rlar);
/** Disables region @p index. RTM_ERR_NO_SLOT when out of range. Privileged, O(1). */
rtm_err rtm_cm_mpu_clear_region(unsigned index);
/** Disables regions [@p first, @p first + @p n) under one critical section and one barrier
 *  (n 0: nothing). RTM_ERR_NO_SLOT, with nothing changed, when the range goes beyond
 *  rtm_cm_mpu_regions(). Privileged, O(n). */
rtm_err rtm_cm_mpu_clear_regions(unsigned first, unsigned n);
/** Reads back region @p index (for tests). RTM_ERR_NO_SLOT when out of range. Privileged, O(1). */
rtm_err rtm_cm_mpu_get_region(unsigned index, uint32_t *rbar, uint32_t *rasr_or_rlar);
/**
 * Copies the encoded regions @p regs (rtm_mpu_plan / rtm_domain_regs, kind RTM_MPU_ARMV7M or
 * RTM_MPU_ARMV8M) into slots [first, first + count) and disables the slots [first + count,
 * first + avail); on ARMv8-M also writes rtmem's bytes of MAIR0 from the plan's mair0: Attr0 and
 * Attr1 (RTM_V8M_ATTR_NORMAL/DEVICE, the indices rtmem's encoder uses) and any other index a loaded
 * region's RLAR.AttrIndx names; the other bytes of MAIR0 (Attr2, Attr3) and all of MAIR1 belong to
 * the application and are left as they are.
 * RTM_ERR_ARG (NULL, wrong kind for this core, a
 * plan whose smallest region is below this core's: an ARMv7-M plan on ARMv6-M), RTM_ERR_NO_SLOT
 * (slots beyond the MPU). Privileged, O(avail).
 */
rtm_err rtm_cm_mpu_load(const rtm_mpu_regs *regs);

/**
 * The rtm_mpu_arch of this core's MPU with @p sys_regions slots kept for system regions:
 * RTM_MPU_ARMV8M on ARMv8-M, RTM_MPU_ARMV7M otherwise, regions = MPU_TYPE.DREGION; on ARMv6-M
 * min_log2 8 (no region below 256 B).
 */
rtm_mpu_arch rtm_cm_mpu_arch(uint32_t sys_regions);

/** PMSAv8 only: writes MAIR0/MAIR1 (memory attribute indirection). No-op on PMSAv7. Privileged, O(1). */
void rtm_cm_mpu_set_mair(uint32_t mair0, uint32_t mair1);

#ifdef __cplusplus
}
#endif

#endif /* RTM_CORTEX_M_H */
