/* RISC-V semihosting (the slli/ebreak/srai sequence in start.S), with the virt board's SiFive test
 * finisher as the fallback exit. */
#include "rtm_riscv.h"

#define SH_SYS_WRITE0 0x04u
#define SH_SYS_EXIT 0x18u
#define SH_SYS_EXIT_EXTENDED 0x20u
#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define SH_ADP_STOPPED_RUNTIME_ERROR 0x20023u

uint32_t rv_semihost(uint32_t op, const void *arg);

void rtm_rv_semihost_write0(const char *s)
{
    if (s != NULL) (void)rv_semihost(SH_SYS_WRITE0, s);
}

void rtm_rv_semihost_exit(int code)
{
    volatile uint32_t block[2]; /* on the caller's stack: U-mode may not write port data */
    block[0] = SH_ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)code;
    (void)rv_semihost(SH_SYS_EXIT_EXTENDED, (const void *)block);
    /* RV32 SYS_EXIT takes the reason itself: success or failure only. */
    (void)rv_semihost(SH_SYS_EXIT, (const void *)(uintptr_t)(code == 0 ? SH_ADP_STOPPED_APPLICATION_EXIT
                                                                      : SH_ADP_STOPPED_RUNTIME_ERROR));
#if RTM_RV_TEST_FINISHER
    *(volatile uint32_t *)(uintptr_t)RTM_RV_TEST_FINISHER =
        code == 0 ? 0x5555u : (((uint32_t)code & 0xFFFFu) << 16) | 0x3333u;
#endif
    for (;;) {
        __asm volatile("wfi");
    }
}
