/* Board glue for QEMU riscv32 virt: semihosting console, exit through semihosting (test finisher
 * as fallback). The trap vector is set by start.S. */
#include "rtm_riscv.h"
#include "tgt.h"

#ifndef RTM_BOARD_NAME
#error "RTM_BOARD_NAME must name the board (set by targets/CMakeLists.txt)"
#endif

void board_init(void) {}

void board_puts(const char *s) { rtm_rv_semihost_write0(s); }

void board_exit(int code) { rtm_rv_semihost_exit(code); }

const char *board_name(void) { return RTM_BOARD_NAME; }
