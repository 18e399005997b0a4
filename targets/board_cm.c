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

void board_exit(int code) { rtm_cm_semihost_exit(code); }

const char *board_name(void) { return RTM_BOARD_NAME; }
