/*
 * Minimal test harness for the target firmware (no cmocka, no libc): output over the board's
 * semihosting console, one line per case ("PASS name" / "FAIL name"), a summary line, and the exit
 * status (0 all passed, 1 some failed) that QEMU hands back to ctest.
 *
 * A check that fails prints "FILE:LINE: check failed: EXPR" and marks the current case failed; the
 * case goes on (each case keeps its own state consistent).
 */
#ifndef TGT_H
#define TGT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- board glue (targets/board_cm.c, targets/board_rv.c) ---- */
void board_init(void);
void board_puts(const char *s);
__attribute__((noreturn)) void board_exit(int code);
const char *board_name(void);
/** Calls @p fn periodically from an interrupt handler (Cortex-M: SysTick, every 1 ms; RISC-V: the
 *  machine timer, every 50 us of mtime) until board_tick_stop(). */
void board_tick_start(void (*fn)(void));
void board_tick_stop(void);

/* ---- output ---- */
void tgt_puts(const char *s);
void tgt_put_u(uint64_t v);
/** Bytes tgt_u_text needs: 20 digits of UINT64_MAX and the NUL. */
#define TGT_U_TEXT 21
/** @p v in decimal, written at the end of @p buf; returns where its first digit is. */
const char *tgt_u_text(char buf[TGT_U_TEXT], uint64_t v);
void tgt_put_hex(uint32_t v);
void tgt_flush(void);

/* ---- cases ---- */
void tgt_case_begin(const char *name);
void tgt_case_end(void);
void tgt_check_failed(const char *file, int line, const char *expr);
/** Prints the summary, returns the exit status (0 iff every case passed and at least one ran). */
int tgt_summary(void);
/** Failures in the current case so far. */
unsigned tgt_case_failures(void);

#define TGT_CHECK(cond)                                                         \
    do {                                                                        \
        if (!(cond)) tgt_check_failed(__FILE__, __LINE__, #cond);               \
    } while (0)

/** Fails and leaves the calling function when cond is false (for checks later steps depend on). */
#define TGT_REQUIRE(cond)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            tgt_check_failed(__FILE__, __LINE__, #cond);                        \
            return;                                                             \
        }                                                                       \
    } while (0)

/* ---- instruction counting (QEMU -icount; board_cm.c: SysTick, board_rv.c: minstret) ---- */
uint32_t board_icount_start(void);
uint32_t board_icount_read(uint32_t start); /* instructions since start */
/** Test case @p name: what a board_icount_start/read pair costs by itself (returned: subtract it
 *  from every measurement), and a check that the counter counts (a 1000-iteration loop). */
uint32_t tgt_icount_calibrate(const char *name);

#if defined(__riscv)
/* ---- RISC-V: a U-mode thread without a domain (rvtrap, rvaddr and stack programs) ---- */
/** Sets PMP entry 15 (the lowest priority) to TOR up to 2^34 (from pmpaddr14, 0 unless a case set
 *  it), RWX, unlocked, so that U-mode reaches all memory and the bus, not the PMP, refuses an access
 *  to a hole. Returns pmpcfg3 as it was, for tgt_rv_close_pmp15(). M-mode only; O(1). */
uint32_t tgt_rv_open_pmp15(void);
/** Writes back the pmpcfg3 that tgt_rv_open_pmp15() returned (entry 15 off again). */
void tgt_rv_close_pmp15(uint32_t cfg3);
#endif

/* ---- deterministic pseudo-random numbers (SplitMix64) ---- */
uint64_t tgt_rand(uint64_t *state);

#endif /* TGT_H */
