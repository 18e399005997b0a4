/* Board glue for the Cortex-M boards (mps2-an385, mps2-an505): semihosting console and exit. */
#include "rtm_cortex_m.h"
#include "tgt.h"

#ifndef RTM_BOARD_NAME
#error "RTM_BOARD_NAME must name the board (set by targets/CMakeLists.txt)"
#endif

#ifndef RTM_TARGET_PROTECTION
#define RTM_TARGET_PROTECTION 1
#endif

void board_init(void)
{
#if RTM_TARGET_PROTECTION
    /* Fault records need the domain module (src/fault.c); without it a fault ends in the default
     * handler, which still prints one line and exits non-zero. */
    rtm_cm_fault_init();
#endif
    rtm_cm_systick_start();
}

void board_puts(const char *s) { rtm_cm_semihost_write0(s); }

void board_tick_start(void (*fn)(void)) { (void)rtm_cm_systick_set_hook(fn); }

void board_tick_stop(void) { (void)rtm_cm_systick_set_hook(NULL); }

void board_exit(int code) { rtm_cm_semihost_exit(code); }

const char *board_name(void) { return RTM_BOARD_NAME; }

#if RTM_TARGET_PROTECTION
#include "board_prot.h"

extern uint32_t __code_start[], __code_end[];

rtm_mpu_arch board_mpu_arch(uint32_t sys) { return rtm_cm_mpu_arch(sys); }

size_t board_system_ranges(rtm_mpu_range *ranges, uint32_t *sys_slots)
{
    /* ARMv7-M: the whole 4 MiB code memory (a power of two, aligned); ARMv8-M: exactly the image. */
    uintptr_t base = (uintptr_t)__code_start & ~(uintptr_t)0x3FFFFFu;
    ranges[0].base = RTM_CM_PMSAV8 ? (uint64_t)(uintptr_t)__code_start : (uint64_t)base;
    ranges[0].size = RTM_CM_PMSAV8 ? (uint64_t)((uintptr_t)__code_end - (uintptr_t)__code_start) : 0x400000u;
    ranges[0].attr = RTM_PART_P_RO_U_RO;
    *sys_slots = 1;
    return 1;
}

rtm_err board_protection_on(const rtm_mpu_regs *sys)
{
    rtm_cm_mpu_disable();
    rtm_err e = rtm_cm_mpu_load(sys);
    if (e != RTM_OK) return e;
    rtm_cm_mpu_enable(true, false);
    return RTM_OK;
}

rtm_err board_slot_get(unsigned slot, uint32_t *w0, uint32_t *w1) { return rtm_cm_mpu_get_region(slot, w0, w1); }

void board_reset(void)
{
    __asm volatile("dsb" : : : "memory");
    *(volatile uint32_t *)0xE000ED0Cu = 0x05FA0004u; /* AIRCR: VECTKEY | SYSRESETREQ */
    __asm volatile("dsb" : : : "memory");
    for (;;) {
    }
}

static const uint32_t k_flash_word = 0x0F1A5400u;

volatile uint32_t *board_privileged_ro_word(uint32_t *spare, size_t bytes)
{
    (void)spare;
    (void)bytes;
    return (volatile uint32_t *)(uintptr_t)&k_flash_word;
}

void (*board_make_return_stub(void *mem))(void)
{
    *(volatile uint16_t *)mem = 0x4770u; /* bx lr */
    __asm volatile("dsb\n\tisb" : : : "memory");
    return (void (*)(void))((uintptr_t)mem | 1u);
}
#endif

/* Instruction counting (tgt.h; bench_test.c, bench_workloads.c) under QEMU -icount shift=7:
 * SysTick runs free on the 25 MHz core clock (no interrupt); one instruction = 128 ns = 3.2 ticks. */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

uint32_t board_icount_start(void)
{
    if (SYST_RVR != 0xFFFFFFu) {
        SYST_CSR = 0;
        SYST_RVR = 0xFFFFFFu;
        SYST_CVR = 0;
        SYST_CSR = 5u; /* enable, core clock, no interrupt */
    }
    return SYST_CVR;
}

uint32_t board_icount_read(uint32_t start)
{
    uint32_t now = SYST_CVR;
    uint32_t ticks = (start - now) & 0xFFFFFFu; /* counts down */
    return (ticks * 5u + 8u) / 16u;            /* / 3.2, rounded */
}
