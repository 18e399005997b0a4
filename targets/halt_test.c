/*
 * A fault nobody can recover from: privileged code (the main context, not a thread the port could
 * abort) stores to memory the protection unit makes read-only for it, under the default policy.
 * The default policy asks to abort the thread; the port cannot (no thread), so rtm_fault_handle
 * escalates to HALT and the port prints one "FATAL ..." line and exits with status 3.
 * The test (targets/expect_halt.sh) passes iff exactly that happens.
 */
#include "board_prot.h"
#include "tgt.h"

static uint32_t g_spare[64] __attribute__((section(".partitions.halt"), aligned(256)));

int main(void)
{
    board_init();
    rtm_mpu_arch arch;
    static rtm_mpu_regs regs;
    if (board_system_plan(&arch, &regs) != RTM_OK || board_protection_on(&regs) != RTM_OK) {
        tgt_puts("halt: could not set up the protection unit\n");
        tgt_flush();
        return 1;
    }
    volatile uint32_t *w = board_privileged_ro_word(g_spare, sizeof g_spare);
    tgt_puts("halt: privileged store to read-only memory at ");
    tgt_put_hex((uint32_t)(uintptr_t)w);
    tgt_puts(", expecting a FATAL line and exit status 3\n");
    tgt_flush();
    *w = 0xBADu;
    tgt_puts("halt: the store did not fault\n");
    tgt_flush();
    return 1;
}
