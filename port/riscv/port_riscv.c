/*
 * RISC-V (RV32, M-mode firmware with U-mode threads) implementation of include/rtmem/port.h.
 *
 * Critical section: clears mstatus.MIE (csrrci) and restores it. U-mode cannot touch mstatus (the
 *   instruction would trap), so in a U-mode thread rtm_port_critical_enter() does nothing: U-mode
 *   code must not share rtmem objects that need the critical section with M-mode code.
 * Locks: no scheduler, so a lock is a flag that reports recursive locking (RTM_ERR_STATE);
 *   rtm_port_wait returns RTM_ERR_UNSUPPORTED.
 * Thread id and ISR test: register tp (see rtm_riscv.h), so they work in every mode without a trap.
 * Time: the 64-bit CLINT mtime counter (RTM_RV_MTIME_ADDR, RTM_RV_MTIME_HZ); U-mode asks through
 *   ecall 2 because the CLINT is outside its PMP entries.
 */
#include "rtm_riscv.h"
#include "rv_csr.h"

#define RV_ECALL_NOW_US 2

/* Word-aligned: bit 0 of tp marks U-mode, so the token's address must have it clear. */
const uint32_t rtm_rv_main_token = 0;
static rtm_rv_thread *volatile g_current;

rtm_rv_thread *rtm_rv_thread_current(void) { return g_current; }
void rv_set_current(rtm_rv_thread *t) { g_current = t; }

static bool rv_in_umode(void) { return (rv_get_tp() & 1u) != 0; }

rtm_port_key rtm_port_critical_enter(void)
{
    if (rv_in_umode()) return 0;
    uint32_t old;
    __asm volatile("csrrci %0, mstatus, 8" : "=r"(old) : : "memory");
    return (rtm_port_key)(old & RV_MSTATUS_MIE);
}

void rtm_port_critical_exit(rtm_port_key key)
{
    if (rv_in_umode()) return;
    if (key & RV_MSTATUS_MIE) __asm volatile("csrsi mstatus, 8" : : : "memory");
}

/* rtm_port_lock/unlock/wait/notify_all/sync_destroy: port/baremetal/sync_baremetal.c. */

uintptr_t rtm_port_thread_id(void) { return rv_get_tp() & ~(uintptr_t)1u; }

bool rtm_port_in_isr(void) { return rv_get_tp() == 0; }

uint64_t rv_now_us_mmode(void)
{
    volatile const uint32_t *mt = (volatile const uint32_t *)(uintptr_t)RTM_RV_MTIME_ADDR;
    uint32_t hi, lo;
    do {
        hi = mt[1];
        lo = mt[0];
    } while (mt[1] != hi);
    uint64_t ticks = ((uint64_t)hi << 32) | lo;
    return rtm_rv_ticks_to_us(ticks, RTM_RV_MTIME_HZ);
}

uint64_t rtm_port_now_us(void)
{
    if (!rv_in_umode()) return rv_now_us_mmode();
    register uint32_t a0 __asm("a0");
    register uint32_t a1 __asm("a1");
    register uint32_t a7 __asm("a7") = RV_ECALL_NOW_US;
    __asm volatile("ecall" : "=r"(a0), "=r"(a1) : "r"(a7) : "memory");
    return ((uint64_t)a1 << 32) | a0;
}

static void (*volatile g_irq_handler)(uint32_t mcause);

void (*rtm_rv_set_interrupt_handler(void (*handler)(uint32_t mcause)))(uint32_t)
{
    void (*old)(uint32_t) = g_irq_handler;
    g_irq_handler = handler;
    return old;
}

bool rv_irq_dispatch(uint32_t mcause)
{
    void (*h)(uint32_t) = g_irq_handler;
    if (h == NULL) return false;
    h(mcause);
    return true;
}

/* Used when trap_riscv.c is not linked (firmware without the fault module): interrupts go to the
 * installed handler, every other trap halts. */
__attribute__((weak)) void rtm_rv_trap_dispatch(uint32_t *frame);
__attribute__((weak)) void rtm_rv_trap_dispatch(uint32_t *frame)
{
    (void)frame;
    uint32_t mcause = RV_CSR_READ(mcause);
    if ((mcause & 0x80000000u) != 0 && rv_irq_dispatch(mcause)) return;
    rtm_rv_semihost_write0("FATAL: unexpected trap\n");
    rtm_rv_semihost_exit(4);
}

uint64_t rtm_port_now_ms(void) { return rtm_port_now_us() / 1000u; }
