/*
 * The measured half of the static/measured stack cross-check on a target (docs/stack.md, "Cross-check
 * on the targets"): each root of targets/stack_fixture.c runs as an unprivileged thread (Cortex-M:
 * PSP, nPRIV; RISC-V: U-mode) on its own painted stack, and the bytes it touched are printed as
 *     STACK <root> <bytes>
 * for targets/stack_xcheck.py, which compares them with what `rtmem stack` computes from the
 * fixture's and the port's .su/.ci files of this very build. The firmware itself checks only what the
 * figure depends on: the thread ran to its end and returned what the fixture computes, and it used
 * less than its whole stack (a figure at the stack's size could be an overflow, not a depth).
 *
 * The stack is 4 KiB, well above the roots' ~1.6 KiB, so the paint below what the thread touched is
 * never reached; it is painted before every run (rtm_stack_paint) and measured after it
 * (rtm_stack_unused: untouched bytes counted from its low end).
 */
#include "board_prot.h"
#include "rtmem/stack.h"
#include "tgt.h"

int stk_chain_thread(void *arg);
int stk_odd_thread(void *arg);

#define STACK_BYTES 4096u

/* 16-byte aligned: RISC-V threads need it (rtm_rv_thread_init), Cortex-M 8. */
static uint32_t g_stack[STACK_BYTES / 4u] __attribute__((aligned(16)));

#if defined(__riscv)
/* The U-mode thread runs without a domain (tgt_rv_open_pmp15, as in rvtrap_test.c: this program is
 * about the stack, not about protection). */
static uint32_t open_pmp15(void) { return tgt_rv_open_pmp15(); }
static void close_pmp15(uint32_t cfg3) { tgt_rv_close_pmp15(cfg3); }
#else
/* Cortex-M: the MPU is off in this program, so the default memory map lets unprivileged code
 * reach its stack and the code; nothing to open. */
static uint32_t open_pmp15(void) { return 0; }
static void close_pmp15(uint32_t cfg3) { (void)cfg3; }
#endif

/* Runs fn(arg) as a thread on the painted stack and prints the bytes it touched, when it ran to
 * its end with a result in [expect, expect + tol]. */
static void measure(const char *root, int (*fn)(void *), int arg, int expect, int tol)
{
    rtm_stack_paint(g_stack, sizeof g_stack);
    board_thread t;
    TGT_REQUIRE(board_thread_init(&t, fn, (void *)(intptr_t)arg, g_stack, sizeof g_stack) == RTM_OK);
    uint32_t cfg3 = open_pmp15();
    rtm_err e = board_thread_run(&t);
    close_pmp15(cfg3);
    TGT_REQUIRE(e == RTM_OK && !t.aborted);
    TGT_REQUIRE(t.result >= expect && t.result <= expect + tol);
    size_t used = sizeof g_stack - rtm_stack_unused(g_stack, sizeof g_stack);
    /* 0 is a real figure: RISC-V's stk_odd needs no frame and its ecall pushes nothing here */
    TGT_REQUIRE(used < sizeof g_stack);
    tgt_puts("STACK ");
    tgt_puts(root);
    tgt_puts(" ");
    tgt_put_u(used);
    tgt_puts("\n");
}

/* stk_root(5): stk_rec(5) = stk_rec(1) + 2 + 3 + 4 + 5 (b[0] = (char)n of each outer level),
 * stk_rec(1) = stk_big(1) + 2 (b[1]), stk_big(1) = stk_leaf(1) + 2 (b[1 & 255]), stk_leaf(1) = 2
 * (b[1 & 127]) + the time's low bit; stk_apply and stk_root add b[0] = 5 each: 30 or 31. That the
 * result is one of them shows the thread took the measured path (x > 0: stk_rec, five deep). */
static void case_chain(void) { measure("stk_chain_thread", stk_chain_thread, 5, 30, 1); }

/* stk_odd(k_odd_data, 5), computed the same way here. */
static void case_odd(void)
{
    static const int a[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    int s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4;
    for (int i = 0; i < 5; i++) {
        s0 += a[i] * s1;
        s1 ^= a[i + 1] + s2;
        s2 += s3 * a[i + 2];
        s3 -= s4 ^ a[i];
        s4 += s0;
    }
    measure("stk_odd_thread", stk_odd_thread, 5, s0 + s1 + s2 + s3 + s4, 0);
}

int main(void)
{
    board_init();
#if defined(__arm__)
    rtm_cm_fault_init();
#endif
    tgt_case_begin("stack.chain");
    case_chain();
    tgt_case_end();
    tgt_case_begin("stack.odd");
    case_odd();
    tgt_case_end();
    return tgt_summary();
}
