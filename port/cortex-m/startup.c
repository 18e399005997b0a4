/*
 * Cortex-M start-up: vector table, reset handler (copy .data, zero .bss, call main, exit with its
 * status over semihosting) and weak default handlers.
 *
 * Linker script symbols (targets/ld/<board>.ld): __stack_top, __data_load, __data_start, __data_end,
 * __bss_start, __bss_end. The vector table goes in section .vectors, which the script places at
 * the address the core fetches it from (VTOR's reset value).
 */
#include "cm_regs.h"
#include "rtm_cortex_m.h"

extern uint32_t __stack_top[];
extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];

int main(void);
void rtm_cm_reset_handler(void);
void rtm_cm_default_handler(void);

/* The port's own handlers (fault_cortex_m.c, port_cortex_m.c); weak so that firmware without them
 * still links (then they fall into rtm_cm_default_handler). */
void rtm_cm_fault_entry(void) __attribute__((weak, alias("rtm_cm_default_handler")));
void rtm_cm_svc_entry(void) __attribute__((weak, alias("rtm_cm_default_handler")));
void rtm_cm_systick_handler(void) __attribute__((weak, alias("rtm_cm_default_handler")));
void rtm_cm_nmi_handler(void) __attribute__((weak, alias("rtm_cm_default_handler")));
void rtm_cm_pendsv_handler(void) __attribute__((weak, alias("rtm_cm_default_handler")));
void rtm_cm_irq_handler(void) __attribute__((weak, alias("rtm_cm_default_handler")));

/** Number of external interrupt vectors in the table (the MPS2 boards have fewer than 64 used). */
#ifndef RTM_CM_IRQ_VECTORS
#define RTM_CM_IRQ_VECTORS 64
#endif

typedef void (*rtm_cm_vector)(void);

__attribute__((section(".vectors"), used)) const rtm_cm_vector rtm_cm_vectors[16 + RTM_CM_IRQ_VECTORS] = {
    [0] = (rtm_cm_vector)(uintptr_t)__stack_top,
    [1] = rtm_cm_reset_handler,
    [2] = rtm_cm_nmi_handler,
    [3] = rtm_cm_fault_entry,  /* HardFault */
    [4] = rtm_cm_fault_entry,  /* MemManage */
    [5] = rtm_cm_fault_entry,  /* BusFault */
    [6] = rtm_cm_fault_entry,  /* UsageFault */
    [7] = rtm_cm_fault_entry,  /* SecureFault (ARMv8-M) */
    [11] = rtm_cm_svc_entry,
    [12] = rtm_cm_default_handler, /* DebugMonitor */
    [14] = rtm_cm_pendsv_handler,
    [15] = rtm_cm_systick_handler,
    [16 ... 16 + RTM_CM_IRQ_VECTORS - 1] = rtm_cm_irq_handler,
};

void rtm_cm_default_handler(void)
{
    rtm_cm_semihost_write0("FATAL: unexpected exception\n");
    rtm_cm_semihost_exit(4);
}

/* Word loops written so that the compiler does not turn them into memcpy/memset calls: through
 * volatile pointers, which neither GCC nor clang turns into library calls, and GCC's attribute
 * besides (clang has no such attribute and warns of an unknown one). */
#if defined(__clang__)
#define CM_NO_LIBCALL_LOOPS
#else
#define CM_NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
CM_NO_LIBCALL_LOOPS void rtm_cm_reset_handler(void)
{
    volatile uint32_t *dst = __data_start;
    const volatile uint32_t *src = __data_load;
    while (dst < __data_end) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
#if defined(__ARM_FP)
    /* Full access to CP10/CP11 so that hard-float code may run. */
    CM_CPACR |= (0xFu << 20);
    __asm volatile("dsb\n\tisb");
#endif
    rtm_cm_semihost_exit(main());
}
