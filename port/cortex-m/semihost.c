/* Cortex-M semihosting: r0 = operation, r1 = argument, BKPT 0xAB (Arm semihosting v2). */
#include "rtm_cortex_m.h"

#define SH_SYS_WRITE0 0x04u
#define SH_SYS_EXIT 0x18u
#define SH_SYS_EXIT_EXTENDED 0x20u
#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uint32_t semihost_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void rtm_cm_semihost_write0(const char *s)
{
    if (s != NULL) (void)semihost_call(SH_SYS_WRITE0, s);
}

void rtm_cm_semihost_exit(int code)
{
    /* SYS_EXIT_EXTENDED carries the status; SYS_EXIT (fallback) can only say success or failure. */
    /* On the caller's stack: an unprivileged caller may not write the port's static data. */
    volatile uint32_t block[2];
    block[0] = SH_ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)code;
    (void)semihost_call(SH_SYS_EXIT_EXTENDED, (const void *)block);
    (void)semihost_call(SH_SYS_EXIT, (const void *)(uintptr_t)(code == 0 ? SH_ADP_STOPPED_APPLICATION_EXIT : 0x20023u));
    for (;;) {
        __asm volatile("wfi");
    }
}
