/*
 * RISC-V port (port/riscv/start.S, trap_riscv.c): traps where the trap entry's own state is live.
 * Runs under QEMU -icount (deterministic instruction timing), so a timer sweep hits every
 * instruction of a window.
 *  - rvtrap.nested: a load access fault inside an interrupt handler, resumed by a SKIP policy.
 *    The fault's mret rewrites MPP (to U) and MPIE; the interrupt's exit must restore what the
 *    interrupt's entry saw, so main resumes in M-mode (a csrr of mstatus would trap in U-mode) with
 *    interrupts enabled again. Before the fix: "FATAL trap mcause=2" on that mret, or U-mode.
 *  - rvtrap.start: a one-shot machine-timer interrupt swept over the instructions of
 *    rtm_rv_thread_run (the thread start included). The thread paints 64 words below its sp, asks
 *    for the time (an ecall) and checks the paint: a trap taken in U-mode must not build its frame
 *    on the thread's stack, and the thread must start at fn. Before the fix (interrupts enabled
 *    until mret): some phases wrote the trap frame below the thread's sp, others ran M-mode code
 *    in U-mode and ended the thread with RTM_ERR_ACCESS before fn ran.
 *  - rvtrap.critical: a thread run from inside a critical section (mstatus.MIE clear) with a timer
 *    interrupt pending: U-mode takes machine interrupts whatever MIE says, so the handler ran
 *    during the thread and broke the caller's section (port review); now it runs when the caller
 *    leaves the section, and mie is as before.
 *  - rvtrap.locked_tor: a plan whose last entry is the pmpaddr below a locked TOR entry (that
 *    locked range's base: the hart ignores the write) is refused, RTM_ERR_STATE, its entries left
 *    off; it loaded an entry over another range before, since the address kept its old value.
 *    Last: a locked entry stays until reset.
 * Secondary harts: the board runs with two harts (-smp 2); hart 1 must park in _start (it used to
 * run _start too, on the same stack, and zero .bss under hart 0).
 */
#include "rtm_riscv.h"
#include "tgt.h"

#define MSIP ((volatile uint32_t *)(uintptr_t)0x02000000u)     /* CLINT: hart 0 software interrupt */
#define MTIMECMP ((volatile uint32_t *)(uintptr_t)0x02004000u) /* CLINT: hart 0 timer compare */
#define MTIME ((volatile uint32_t *)(uintptr_t)RTM_RV_MTIME_ADDR)
/* QEMU virt: nothing there. A variable, not a constant address (GCC 12's -Warray-bounds takes a
 * small constant address for a zero-length object). */
static volatile uintptr_t g_unmapped = 0x00000500u;

static volatile uint32_t g_soft_irqs, g_after_fault, g_timer_irqs;

static rtm_fault_action skip_policy(const rtm_fault_record *r, void *ctx)
{
    (void)r;
    (void)ctx;
    return RTM_FAULT_SKIP;
}

static void irq(uint32_t mcause)
{
    if ((mcause & 0xFFu) == 3u) { /* machine software interrupt: fault inside the handler */
        *MSIP = 0;
        g_soft_irqs++;
        (void)*(volatile uint32_t *)g_unmapped; /* load access fault, SKIPped by the policy */
        g_after_fault++;
    } else if ((mcause & 0xFFu) == 7u) { /* machine timer: one shot */
        MTIMECMP[1] = 0xFFFFFFFFu;
        g_timer_irqs++;
    }
}

static uint32_t read_mstatus(void)
{
    uint32_t v;
    __asm volatile("csrr %0, mstatus" : "=r"(v));
    return v;
}

static void case_nested(void)
{
    tgt_case_begin("rvtrap.nested");
    rtm_fault_set_policy(skip_policy, NULL);
    uint32_t faults = rtm_rv_fault_count();
    __asm volatile("csrs mie, %0" : : "r"(1u << 3) : "memory");
    __asm volatile("csrsi mstatus, 8" : : : "memory");
    *MSIP = 1;
    for (volatile int i = 0; i < 100 && g_soft_irqs == 0; i++) {
    }
    uint32_t ms = read_mstatus(); /* an illegal instruction in U-mode: the fault would HALT */
    __asm volatile("csrc mie, %0" : : "r"(1u << 3) : "memory");
    TGT_CHECK(g_soft_irqs == 1u && g_after_fault == 1u);
    TGT_CHECK(rtm_rv_fault_count() == faults + 1u);
    TGT_CHECK((ms & 0x8u) != 0); /* MIE back on after the interrupt's mret */
    rtm_fault_set_policy(NULL, NULL);
    tgt_case_end();
}

static uint32_t g_stack[256] __attribute__((aligned(16)));

/* U-mode: paints 64 words below sp, asks for the time (ecall 2), counts the words that changed.
 * 42 when none did, else 1000 + the count. */
static int th_paint(void *arg)
{
    (void)arg;
    uint32_t bad;
    __asm volatile("li t0, 0x5A5A5A5A\n\t"
                   "addi t1, sp, -256\n\t"
                   "1: sw t0, 0(t1)\n\t"
                   "addi t1, t1, 4\n\t"
                   "bltu t1, sp, 1b\n\t"
                   "li a7, 2\n\t"
                   "ecall\n\t"
                   "li %0, 0\n\t"
                   "addi t1, sp, -256\n\t"
                   "2: lw t2, 0(t1)\n\t"
                   "beq t2, t0, 3f\n\t"
                   "addi %0, %0, 1\n\t"
                   "3: addi t1, t1, 4\n\t"
                   "bltu t1, sp, 2b\n\t"
                   : "=&r"(bad)
                   :
                   : "t0", "t1", "t2", "a0", "a1", "a7", "memory");
    return bad ? (int)(1000u + bad) : 42;
}

/* tgt_rv_open_pmp15: a thread runs without a domain (these cases are about the trap entry, not
 * about protection). */
static void case_start(void)
{
    tgt_case_begin("rvtrap.start");
    uint32_t cfg3 = tgt_rv_open_pmp15();
    MTIMECMP[1] = 0xFFFFFFFFu;
    __asm volatile("csrs mie, %0" : : "r"(1u << 7) : "memory");
    __asm volatile("csrsi mstatus, 8" : : : "memory");
    unsigned ok = 0, hit = 0;
    for (uint32_t delta = 1; delta < 400u; delta++) {
        rtm_rv_thread t;
        TGT_REQUIRE(rtm_rv_thread_init(&t, th_paint, NULL, g_stack, sizeof g_stack) == RTM_OK);
        uint32_t before = g_timer_irqs;
        MTIMECMP[0] = MTIME[0] + delta;
        MTIMECMP[1] = MTIME[1];
        rtm_err e = rtm_rv_thread_run(&t);
        MTIMECMP[1] = 0xFFFFFFFFu;
        if (g_timer_irqs != before) hit++;
        if (e == RTM_OK && !t.aborted && t.result == 42) {
            ok++;
            continue;
        }
        tgt_puts("  timer at +");
        tgt_put_u(delta);
        tgt_puts(": status ");
        tgt_puts(rtm_err_str(e));
        tgt_puts(", aborted ");
        tgt_put_u(t.aborted);
        tgt_puts(", result ");
        tgt_put_u((uint32_t)t.result);
        tgt_puts("\n");
    }
    __asm volatile("csrc mie, %0" : : "r"(1u << 7) : "memory");
    tgt_rv_close_pmp15(cfg3);
    tgt_puts("  ");
    tgt_put_u(ok);
    tgt_puts(" of 399 runs clean, the timer fired in ");
    tgt_put_u(hit);
    tgt_puts("\n");
    TGT_CHECK(ok == 399u);
    TGT_CHECK(hit > 0u); /* the sweep did interrupt runs (the later phases fire after the run) */
    tgt_case_end();
}

/* U-mode: spins a while, then returns the timer interrupts counted meanwhile (0 if none ran). */
static int th_spin(void *arg)
{
    uint32_t before = *(volatile uint32_t *)arg;
    for (volatile int i = 0; i < 2000; i++) {
    }
    return (int)(g_timer_irqs - before);
}

static void case_critical(void)
{
    tgt_case_begin("rvtrap.critical");
    uint32_t cfg3 = tgt_rv_open_pmp15();
    __asm volatile("csrs mie, %0" : : "r"(1u << 7) : "memory");
    __asm volatile("csrsi mstatus, 8" : : : "memory");
    rtm_port_key key = rtm_port_critical_enter();
    uint32_t before = g_timer_irqs;
    MTIMECMP[1] = MTIME[1]; /* due now: pending from here on */
    MTIMECMP[0] = MTIME[0];
    for (volatile int i = 0; i < 100; i++) {
    }
    uint32_t snapshot = before;
    rtm_rv_thread t;
    TGT_REQUIRE(rtm_rv_thread_init(&t, th_spin, &snapshot, g_stack, sizeof g_stack) == RTM_OK);
    rtm_err e = rtm_rv_thread_run(&t);
    uint32_t during = g_timer_irqs - before, mie;
    __asm volatile("csrr %0, mie" : "=r"(mie));
    rtm_port_critical_exit(key);
    for (volatile int i = 0; i < 100 && g_timer_irqs == before; i++) {
    }
    uint32_t after = g_timer_irqs - before;
    MTIMECMP[1] = 0xFFFFFFFFu;
    __asm volatile("csrc mie, %0" : : "r"(1u << 7) : "memory");
    tgt_rv_close_pmp15(cfg3);
    if (during != 0) tgt_puts("  the timer interrupt ran inside the critical section\n");
    TGT_CHECK(e == RTM_OK && !t.aborted && t.result == 0);
    TGT_CHECK(during == 0);
    TGT_CHECK((mie & (1u << 7)) != 0); /* restored after the run */
    TGT_CHECK(after == 1u);             /* taken once the section ended */
    tgt_case_end();
}

static void case_locked_tor(void)
{
    tgt_case_begin("rvtrap.locked_tor");
    /* slots 13 and 14: [0x80100000, 0x80101000) RW for U-mode, TOR on 13's address */
    rtm_mpu_regs r;
    for (size_t i = 0; i < sizeof r; i++) ((unsigned char *)&r)[i] = 0;
    r.kind = RTM_MPU_RISCV_PMP;
    r.first = 13;
    r.count = r.avail = 2;
    r.r.pmp[0].pmpaddr = 0x80100000u >> 2;
    r.r.pmp[0].pmpcfg = RTM_PMP_A_OFF;
    r.r.pmp[1].pmpaddr = 0x80101000u >> 2;
    r.r.pmp[1].pmpcfg = RTM_PMP_A_TOR | RTM_PMP_R | RTM_PMP_W;
    TGT_CHECK(rtm_rv_pmp_load(&r) == RTM_OK); /* slot 15 not locked yet: loads */
    uint32_t a14 = 0;
    uint8_t c14 = 0;
    TGT_CHECK(rtm_rv_pmp_get(14, &a14, &c14) == RTM_OK && a14 == (0x80101000u >> 2) && c14 == r.r.pmp[1].pmpcfg);
    TGT_CHECK(rtm_rv_pmp_clear(13, 2) == RTM_OK);
    /* lock slot 15: TOR [pmpaddr14, 2^34) RWX, so M-mode keeps every access it had */
    __asm volatile("csrw pmpaddr15, %0" : : "r"(0xFFFFFFFFu));
    uint32_t cfg3;
    __asm volatile("csrr %0, pmpcfg3" : "=r"(cfg3));
    __asm volatile("csrw pmpcfg3, %0" : : "r"((cfg3 & 0x00FFFFFFu) | ((uint32_t)(RTM_PMP_L | RTM_PMP_A_TOR | 7u) << 24)));
    r.r.pmp[1].pmpaddr = 0x80102000u >> 2; /* another top: slot 14 still holds 0x80101000 >> 2 */
    TGT_CHECK(rtm_rv_pmp_load(&r) == RTM_ERR_STATE);
    TGT_CHECK(rtm_rv_pmp_get(13, NULL, &c14) == RTM_OK && c14 == 0);
    TGT_CHECK(rtm_rv_pmp_get(14, &a14, &c14) == RTM_OK && c14 == 0); /* left off */
    if (a14 != (0x80102000u >> 2)) {
        tgt_puts("  pmpaddr14 kept ");
        tgt_put_hex(a14);
        tgt_puts(" (the write was ignored, as the spec says)\n");
    }
    tgt_case_end();
}

int main(void)
{
    board_init();
    rtm_rv_set_interrupt_handler(irq);
    case_nested();
    case_start();
    case_critical();
    case_locked_tor();
    rtm_rv_set_interrupt_handler(NULL);
    return tgt_summary();
}
