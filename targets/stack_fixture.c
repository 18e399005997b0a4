/*
 * Cross-check fixture for target.<board>.stack (targets/stack_test.c, targets/stack_xcheck.py),
 * compiled with -fstack-usage -fcallgraph-info=su for the board: `rtmem stack` reads this build's
 * .su/.ci (and the port's), the firmware runs each root below as an unprivileged thread on a
 * painted stack and prints the high-water mark, and the script checks that the static worst case
 * covers it within a stated margin (docs/stack.md, "Cross-check on the targets").
 *
 * The shape is tests/stack/fixtures/xcheck.c's (a chain of different frames, a call through a
 * function pointer resolved by an annotation, a recursion bounded by one), with two changes for a
 * target, where an exception can add to a thread's stack:
 *   - each root is a thread entry (int (*)(void *)), so the thread's stack holds nothing but the
 *     chain: the port starts it at the top of its stack (no start-up frame to measure around);
 *   - the deepest function traps into the port, so the deepest use of the stack includes what the
 *     trap pushes on it (Cortex-M: the 8-word exception frame on PSP, plus 4 bytes of alignment
 *     when the interrupted sp is 4 mod 8; RISC-V: nothing, the trap entry switches to the M-mode
 *     stack), which is what `--isr-frame` stands for.
 * Annotations (targets/stack_xcheck.ann):
 *     recursion stk_rec 5
 *     icall stk_apply stk_rec stk_small
 * Every function writes its whole array, so the run reaches the bottom of every frame of the chain.
 *
 * Roots:
 *   stk_chain_thread: stk_chain_thread -> stk_root -> stk_apply -> (*f = stk_rec) x5 -> stk_big
 *                     -> stk_leaf -> rtm_port_now_us -> SVC / ecall (the port's public call);
 *   stk_odd_thread:   stk_odd_thread -> stk_odd, a leaf whose frame leaves sp at 4 mod 8 on
 *                     Cortex-M and that traps right there (inline SVC / ecall), so the exception
 *                     entry realigns its frame to 8 bytes first (CCR.STKALIGN): 36 bytes below
 *                     the interrupted sp, the case `--isr-frame 32` does not cover.
 */
#include <stdint.h>

#include "rtmem/port.h"

#define NI __attribute__((noipa))
typedef int (*stk_fn)(int);
#define FILL(b, x) for (unsigned i_ = 0; i_ < sizeof b; i_++) b[i_] = (char)(x + (int)i_)

int stk_chain_thread(void *arg);
int stk_odd_thread(void *arg);

NI int stk_leaf(int x)
{
    volatile char b[200];
    FILL(b, x);
    return b[x & 127] + (int)(rtm_port_now_us() & 1u);
}
NI int stk_small(int x) { volatile char b[40]; FILL(b, x); return b[x & 31]; }
NI int stk_big(int x) { volatile char b[600]; FILL(b, x); return stk_leaf(x) + b[x & 255]; }
NI int stk_rec(int n) { volatile char b[100]; FILL(b, n); return n > 1 ? stk_rec(n - 1) + b[0] : stk_big(n) + b[1]; }
NI int stk_apply(stk_fn f, int x) { volatile char b[16]; FILL(b, x); return f(x) + b[0]; }
NI int stk_root(int x) { volatile char b[64]; FILL(b, x); return stk_apply(x > 0 ? stk_rec : stk_small, x) + b[0]; }

int stk_chain_thread(void *arg) { return stk_root((int)(intptr_t)arg); }

/* The port's "time in microseconds" service, trapped into directly (the call rtm_port_now_us()
 * makes from a thread: port_cortex_m.c CM_SVC_NOW_US, port_riscv.c RV_ECALL_NOW_US), so that the
 * trap is taken inside a leaf with the frame chosen here. It only writes the result registers. */
#if defined(__arm__)
#define STK_TRAP() __asm volatile("svc #2" : : : "r0", "r1", "memory")
#elif defined(__riscv)
#define STK_TRAP() __asm volatile("li a7, 2\n\tecall" : : : "a0", "a1", "a7", "memory")
#else
#error "unknown target architecture"
#endif

/* A leaf that keeps seven values live across its loop: GCC saves r4-r9 and lr (stmdb, 28 bytes,
 * every word written) and, being a leaf, does not round its frame to 8 bytes, so the SVC below is
 * taken with sp = 4 mod 8 (the caller's sp is 8-byte aligned, AAPCS). (An array alone does not do
 * it: GCC rounds a Thumb frame with locals to 8 even in a leaf.) RISC-V rounds every frame to 16
 * bytes, and its trap pushes nothing on this stack anyway. */
NI int stk_odd(const int *a, int n)
{
    int s0 = 0, s1 = 1, s2 = 2, s3 = 3, s4 = 4;
    for (int i = 0; i < n; i++) {
        s0 += a[i] * s1;
        s1 ^= a[i + 1] + s2;
        s2 += s3 * a[i + 2];
        s3 -= s4 ^ a[i];
        s4 += s0;
    }
    STK_TRAP();
    return s0 + s1 + s2 + s3 + s4;
}

static const int k_odd_data[8] = {3, 1, 4, 1, 5, 9, 2, 6};

int stk_odd_thread(void *arg) { return stk_odd(k_odd_data, (int)(intptr_t)arg); }
