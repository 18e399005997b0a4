/*
 * What the protection firmware (targets/domain_test.c) needs from a board, on top of tgt.h:
 * an unprivileged thread type, the protection unit's description, and loading the system regions.
 * Implemented by targets/board_cm.c (Cortex-M MPU) and targets/board_rv.c (RISC-V PMP).
 */
#ifndef BOARD_PROT_H
#define BOARD_PROT_H

#include "rtmem/domain.h"
#include "rtmem/fault.h"
#include "rtmem/mpu.h"

#if defined(__arm__)
#include "rtm_cortex_m.h"
typedef rtm_cm_thread board_thread;
#define board_thread_init rtm_cm_thread_init
#define board_thread_run rtm_cm_thread_run
/* ARMv8-M cannot express "privileged RW, unprivileged RO" */
#define BOARD_PART_SHARED_RO (RTM_CM_PMSAV8 ? RTM_PART_P_RO_U_RO : RTM_PART_P_RW_U_RO)
#elif defined(__riscv)
#include "rtm_riscv.h"
typedef rtm_rv_thread board_thread;
#define board_thread_init rtm_rv_thread_init
#define board_thread_run rtm_rv_thread_run
/* PMP cannot restrict M-mode without locking: privileged read-only is not expressible */
#define BOARD_PART_SHARED_RO RTM_PART_P_RW_U_RO
#else
#error "unknown target architecture"
#endif

/** The protection unit with @p sys slots for system regions (from the hardware: MPU_TYPE etc.). */
rtm_mpu_arch board_mpu_arch(uint32_t sys);

/** System regions every unprivileged thread needs: the firmware's code and read-only data,
 *  readable and executable. Fills @p ranges (up to 2), returns how many, and the slots they need. */
size_t board_system_ranges(rtm_mpu_range *ranges, uint32_t *sys_slots);

/** The board's protection unit in *arch, with slots reserved for the system regions, and those
 *  regions planned in *regs (board_system_ranges, rtm_mpu_plan): what rtm_mpu_plan returns. */
static inline rtm_err board_system_plan(rtm_mpu_arch *arch, rtm_mpu_regs *regs)
{
    rtm_mpu_range sys[2];
    uint32_t sys_slots = 0;
    size_t n = board_system_ranges(sys, &sys_slots);
    *arch = board_mpu_arch(sys_slots);
    return rtm_mpu_plan(arch, RTM_MPU_SET_SYSTEM, sys, n, regs, NULL);
}

/** Writes the planned system regions and turns protection on (privileged code keeps the default
 *  map). */
rtm_err board_protection_on(const rtm_mpu_regs *sys);

/** Reads back hardware slot @p slot as two words (RBAR/RASR, RBAR/RLAR, pmpaddr/pmpcfg). */
rtm_err board_slot_get(unsigned slot, uint32_t *w0, uint32_t *w1);

/**
 * A word that privileged code may read but not write, for the privileged-fault cases: Cortex-M: a
 * constant in the code region (privileged read-only under the system region); RISC-V: the first
 * word of [spare, spare + bytes) (a power of two, aligned), covered by a *locked* read-only PMP entry
 * in slot 0 after the domain slots are cleared (M-mode is bound only by locked entries; the lock
 * stays until reset, so call this last).
 */
volatile uint32_t *board_privileged_ro_word(uint32_t *spare, size_t bytes);

/** Resets the whole system (Cortex-M: AIRCR.SYSRESETREQ; RISC-V virt: test finisher 0x7777). */
__attribute__((noreturn)) void board_reset(void);

/** Writes a tiny "return" routine at @p mem and returns the pointer to call it through. */
void (*board_make_return_stub(void *mem))(void);

#endif /* BOARD_PROT_H */
