/*
 * Cortex-M port: unprivileged threads and the MPU driver, cases the shared domain test does not
 * cover (Cortex-M only; boards mps2-an385, mps2-an505 and the hard-float mps2-an505-hf).
 *
 *   fpu.*      (hard-float builds, __ARM_FP) a thread that uses the FPU returns, or is aborted,
 *              and the owner gets its FP state back: no FP state unstacked from above the thread's
 *              stack, no lazy FP save left pending into the finished thread's stack, the owner's
 *              s16-s31 and FPSCR kept; the thread finds none of its owner's FP registers set
 *              (fpu.registers_clear).
 *   mpu.*      a thread with no domain run after a domain's thread does not inherit that domain's
 *              regions; (ARMv8-M) loading a domain keeps the application's MAIR0 Attr2/Attr3.
 *   mpu.clear_regions  rtm_cm_mpu_clear_regions turns off exactly the slots asked for, and
 *              nothing when the range goes past the MPU's last slot.
 *   mpu.region_write_vs_isr  main writes one MPU slot over and over while the 1 ms SysTick hook
 *              writes another: every write lands in its own slot (RNR is not moved by the interrupt
 *              in the middle of a sequence). Run under QEMU -icount (an access to the System
 *              Control Space ends a translation block there, so the interrupt can land between the
 *              RNR and RBAR writes).
 *   thread.*   rtm_cm_thread_run refuses (RTM_ERR_STATE) to start a thread whose exit SVC could not
 *              be taken (PRIMASK, FAULTMASK, BASEPRI masking SVCall) and runs it otherwise.
 */
#include "board_prot.h"
#include "rtm_cortex_m.h"
#include "tgt.h"

#define FPCCR (*(volatile uint32_t *)0xE000EF34u)
#define FPCCR_LSPEN (1u << 30)
#define FPCCR_LSPACT (1u << 0)

#if defined(__ARM_FP)

/* A thread stack with 32 words right above it: the 18 words (s0-s15, FPSCR, reserved) an extended
 * exception frame built at the top of the stack would be unstacked from. */
static struct {
    uint32_t stack[128];
    uint32_t above[32];
} g_fpmem __attribute__((aligned(8)));

#define ABOVE_WORD 0x7FC0A5A5u /* a NaN: s0-s15 from above the stack */
#define ABOVE_FPSCR 0x00C00000u /* FPSCR.RMode = round towards zero */
#define THREAD_S0 0x7FC05A5Au   /* what the threads leave in s0 */

static volatile float g_in = 1.5f;

static uint32_t get_fpscr(void)
{
    uint32_t v;
    __asm volatile("vmrs %0, fpscr" : "=r"(v));
    return v;
}
static void set_fpscr(uint32_t v) { __asm volatile("vmsr fpscr, %0" : : "r"(v) : "memory"); }

static int th_fp(void *arg)
{
    (void)arg;
    float x = g_in * 3.0f; /* 4.5 */
    int r = (int)x + 38;   /* 42 */
    uint32_t v = THREAD_S0;
    __asm volatile("vmov s0, %0\n\tmovs %0, #0" : "+l"(v) : : "s0", "cc"); /* not left in a GPR */
    return r + (int)v;
}

/* Uses the FPU, changes s16 and FPSCR (which a returning function would restore), then faults. */
static int th_fp_fault(void *arg)
{
    (void)arg;
    float x = g_in * 3.0f;
    uint32_t v = THREAD_S0;
    __asm volatile("vmov s0, %0\n\t"
                   "movs %0, #0\n\t" /* THREAD_S0 not left in a GPR (the frame holds r0-r3, r12) */
                   "vmov s16, %1\n\t"
                   "vmsr fpscr, %2\n\t"
                   "udf #0\n\t"
                   : "+l"(v)
                   : "r"(0xBAD0F16u), "r"(ABOVE_FPSCR)
                   : "s0", "s16", "cc", "memory");
    return (int)x;
}

static void fill_above(void)
{
    for (unsigned i = 0; i < 32; i++) g_fpmem.above[i] = ABOVE_WORD;
    g_fpmem.above[16] = ABOVE_FPSCR;
}

/* Runs @p fn as a thread with FPSCR = 0 and s16 = a marker in the owner; checks what the owner
 * has afterwards. */
static void run_fp_thread(int (*fn)(void *), rtm_err want, bool lazy)
{
    if (lazy)
        FPCCR |= FPCCR_LSPEN;
    else
        FPCCR &= ~FPCCR_LSPEN;
    fill_above();
    for (unsigned i = 0; i < 128; i++) g_fpmem.stack[i] = 0x57AC0000u + i;
    rtm_cm_thread t;
    TGT_REQUIRE(rtm_cm_thread_init(&t, fn, NULL, g_fpmem.stack, sizeof g_fpmem.stack) == RTM_OK);
    set_fpscr(0);
    __asm volatile("vmov s16, %0" : : "r"(0x516516u) : "s16");
    rtm_err e = rtm_cm_thread_run(&t);
    uint32_t s0, s15, s16;
    __asm volatile("vmov %0, s0\n\tvmov %1, s15\n\tvmov %2, s16" : "=r"(s0), "=r"(s15), "=r"(s16));
    uint32_t fpscr = get_fpscr();
    uint32_t fpccr = FPCCR;
    TGT_CHECK(e == want);
    if (want == RTM_OK) TGT_CHECK(t.result == 42 && !t.aborted);
    else TGT_CHECK(t.aborted);
    /* Nothing FP came from above the thread's stack (an extended frame unstacked from there). */
    TGT_CHECK(s0 != ABOVE_WORD && s15 != ABOVE_WORD);
    TGT_CHECK((fpscr & 0x07C0009Fu) == 0); /* FPSCR control bits as the owner left them */
    TGT_CHECK(s16 == 0x516516u);           /* callee-saved: kept across the call */
    TGT_CHECK((fpccr & FPCCR_LSPACT) == 0); /* no lazy save pending into the thread's stack */
    if (lazy) {
        /* With lazy stacking the thread's exception frame only reserved room for s0-s15 (FPCAR):
         * the thread's s0 must not have been written there afterwards (a lazy save left pending,
         * done by the owner's first FP instruction). */
        bool saved = false;
        for (unsigned i = 0; i < 128; i++) saved = saved || g_fpmem.stack[i] == THREAD_S0;
        TGT_CHECK(!saved);
    }
    /* The owner's FP still works and writes nothing into the finished thread's memory. */
    for (unsigned i = 0; i < 128; i++) g_fpmem.stack[i] = 0x57AC0000u + i;
    fill_above();
    volatile float y = g_in * 2.0f;
    TGT_CHECK(y == 3.0f);
    bool intact = true;
    for (unsigned i = 0; i < 128; i++) intact = intact && g_fpmem.stack[i] == 0x57AC0000u + i;
    for (unsigned i = 0; i < 32; i++) intact = intact && g_fpmem.above[i] == (i == 16 ? ABOVE_FPSCR : ABOVE_WORD);
    TGT_CHECK(intact);
    if (tgt_case_failures() != 0) {
        tgt_puts("  s0 ");
        tgt_put_hex(s0);
        tgt_puts(" s16 ");
        tgt_put_hex(s16);
        tgt_puts(" FPSCR ");
        tgt_put_hex(fpscr);
        tgt_puts(" FPCCR ");
        tgt_put_hex(fpccr);
        tgt_puts("\n");
    }
    FPCCR |= FPCCR_LSPEN;
}

static void case_fp_return(void) { run_fp_thread(th_fp, RTM_OK, false); }
static void case_fp_return_lazy(void) { run_fp_thread(th_fp, RTM_OK, true); }
static void case_fp_abort(void) { run_fp_thread(th_fp_fault, RTM_ERR_ACCESS, false); }
static void case_fp_abort_lazy(void) { run_fp_thread(th_fp_fault, RTM_ERR_ACCESS, true); }

/* OR of d0-d15 (s0-s31) as the thread finds them: 0 when none of its owner's was passed on. */
/* FPSCR's N, Z, C, V (31..28), IDC (7) and IXC, UFC, OFC, DZC, IOC (4..0). */
#define FPSCR_FLAGS 0xF000009Fu

static int th_fp_regs(void *arg)
{
    (void)arg;
    uint32_t acc = 0, a, b;
    __asm volatile(
                   "vmov %1, %2, d0\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d1\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d2\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d3\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d4\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d5\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d6\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d7\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d8\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d9\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d10\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d11\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d12\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d13\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d14\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   "vmov %1, %2, d15\n\t"
                   "orr %0, %0, %1\n\t"
                   "orr %0, %0, %2\n\t"
                   : "+r"(acc), "=&r"(a), "=&r"(b));
    uint32_t fpscr;
    __asm volatile("vmrs %0, fpscr" : "=r"(fpscr));
    return (int)(acc | (fpscr & FPSCR_FLAGS));
}

/* The owner's FP registers do not reach the thread (port review: they, and the core registers,
 * were passed on; domain_test.c domain.thread_registers checks the core ones): the owner fills
 * d0-d15 and sets every flag of FPSCR (NZCV and the cumulative exception flags, which the thread's
 * first FP instruction does not reset: only the control bits come from FPDSCR), the thread must
 * find them zero, and the owner keeps its callee-saved s16-s31 and its FPSCR. */
static void case_fp_registers(void)
{
    static uint32_t g_stack[256] __attribute__((aligned(8)));
    rtm_cm_thread t;
    TGT_REQUIRE(rtm_cm_thread_init(&t, th_fp_regs, NULL, g_stack, sizeof g_stack) == RTM_OK);
    __asm volatile(
                   "vmov d0, %0, %1\n\t"
                   "vmov d1, %0, %1\n\t"
                   "vmov d2, %0, %1\n\t"
                   "vmov d3, %0, %1\n\t"
                   "vmov d4, %0, %1\n\t"
                   "vmov d5, %0, %1\n\t"
                   "vmov d6, %0, %1\n\t"
                   "vmov d7, %0, %1\n\t"
                   "vmov d8, %0, %1\n\t"
                   "vmov d9, %0, %1\n\t"
                   "vmov d10, %0, %1\n\t"
                   "vmov d11, %0, %1\n\t"
                   "vmov d12, %0, %1\n\t"
                   "vmov d13, %0, %1\n\t"
                   "vmov d14, %0, %1\n\t"
                   "vmov d15, %0, %1\n\t"
                   :
                   : "r"(0x5EC2E7A1u), "r"(0x0BADC0DEu)
                   : "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15");
    __asm volatile("vmsr fpscr, %0" : : "r"(FPSCR_FLAGS));
    rtm_err e = rtm_cm_thread_run(&t);
    uint32_t s16, fpscr;
    __asm volatile("vmov %0, s16" : "=r"(s16));
    __asm volatile("vmrs %0, fpscr" : "=r"(fpscr));
    __asm volatile("vmsr fpscr, %0" : : "r"(0u));
    TGT_CHECK(e == RTM_OK && !t.aborted);
    if (t.result != 0) {
        tgt_puts("  the thread found FP registers of its owner set: OR ");
        tgt_put_hex((uint32_t)t.result);
        tgt_puts("\n");
    }
    TGT_CHECK(t.result == 0);
    TGT_CHECK(s16 == 0x5EC2E7A1u); /* callee-saved: the owner's again after the run */
    TGT_CHECK((fpscr & FPSCR_FLAGS) == FPSCR_FLAGS);
}
#endif /* __ARM_FP */

/* ---- protection ------------------------------------------------------------------------------ */

#define PART_BYTES 2048u
#define STACK_BYTES 1024u
static uint32_t g_part[PART_BYTES / 4] __attribute__((section(".partitions.cmport"), aligned(PART_BYTES)));
static rtm_domain g_dom;
static rtm_cm_thread g_th_dom, g_th_nodom;
static bool g_prot_ok;

#define PART_STACK ((void *)((unsigned char *)g_part + PART_BYTES - STACK_BYTES))

static int th_write(void *arg)
{
    volatile uint32_t *w = arg;
    w[0] = 0xD0D0u;
    return (int)w[0];
}

/* Reads the word at arg without touching the stack: a thread with no usable stack still faults on
 * the load first. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
__attribute__((naked)) static int th_peek(void *arg)
{
    __asm volatile("ldr r0, [r0]\n\t"
                   "bx lr\n\t");
}
#pragma GCC diagnostic pop

static void case_prot_setup(void)
{
    rtm_mpu_arch arch;
    static rtm_mpu_regs sys_regs;
    TGT_REQUIRE(board_system_plan(&arch, &sys_regs) == RTM_OK);
    static RTM_PARTITION_DEFINE(part, g_part, PART_BYTES, RTM_PART_P_RW_U_RW | RTM_PART_XN);
    const rtm_partition *parts[] = {&part};
    TGT_REQUIRE(rtm_domain_init(&g_dom, &arch, parts, 1, NULL) == RTM_OK);
    TGT_REQUIRE(rtm_cm_thread_init(&g_th_dom, th_write, g_part, PART_STACK, STACK_BYTES) == RTM_OK);
    TGT_REQUIRE(rtm_domain_add_thread(&g_dom, (uintptr_t)&g_th_dom) == RTM_OK);
    TGT_REQUIRE(board_protection_on(&sys_regs) == RTM_OK);
    g_prot_ok = true;
}

/* A thread with no domain, run after a domain's thread, must not get that domain's partition. */
static void case_domainless_thread(void)
{
    TGT_REQUIRE(g_prot_ok);
    TGT_CHECK(rtm_cm_thread_run(&g_th_dom) == RTM_OK && g_th_dom.result == 0xD0D0);
    /* Same stack (in the partition), no domain. */
    TGT_REQUIRE(rtm_cm_thread_init(&g_th_nodom, th_peek, g_part, PART_STACK, STACK_BYTES) == RTM_OK);
    TGT_CHECK(rtm_domain_of_thread((uintptr_t)&g_th_nodom) == NULL);
    rtm_err e = rtm_cm_thread_run(&g_th_nodom);
    /* SysTick coming while the thread runs stacks its frame on the thread's stack, which it may not
     * write: a stacking fault (a write) before the read. Right, and rare (targets/domain_test.c's
     * domainless_thread failed so in CI, 2026-11-30); the read is what this case is about. */
    rtm_fault_record r;
    for (int tries = 0; tries < 8 && e == RTM_ERR_ACCESS && g_th_nodom.fault_addr != (uintptr_t)g_part &&
                        rtm_fault_get(0, &r) == RTM_OK && r.access == RTM_ACCESS_WRITE;
         tries++) {
        TGT_REQUIRE(rtm_cm_thread_init(&g_th_nodom, th_peek, g_part, PART_STACK, STACK_BYTES) == RTM_OK);
        e = rtm_cm_thread_run(&g_th_nodom);
    }
    TGT_CHECK(e == RTM_ERR_ACCESS);
    TGT_CHECK(g_th_nodom.aborted && g_th_nodom.fault_addr == (uintptr_t)g_part);
    /* The domain's thread still gets its partition back. */
    g_part[0] = 0;
    TGT_CHECK(rtm_cm_thread_run(&g_th_dom) == RTM_OK && g_th_dom.result == 0xD0D0);
}

#if RTM_CM_PMSAV8
#define MPU_MAIR0 (*(volatile uint32_t *)0xE000EDC0u)
#define MPU_MAIR1 (*(volatile uint32_t *)0xE000EDC4u)

/* The application's memory attributes in MAIR0 Attr2/Attr3 (and MAIR1) survive a domain load,
 * which writes the bytes its regions use (Attr0/Attr1) from the plan. */
static void case_mair_kept(void)
{
    TGT_REQUIRE(g_prot_ok);
    const rtm_mpu_regs *r = rtm_domain_regs(&g_dom);
    TGT_REQUIRE(r != NULL);
    uint32_t app = 0x0844u << 16; /* Attr2 = 0x44 normal non-cacheable, Attr3 = 0x08 Device-nGRE */
    MPU_MAIR0 = app | 0x0000A5A5u; /* Attr0/Attr1 wrong on purpose: the load must put them right */
    MPU_MAIR1 = 0x12345678u;
    __asm volatile("dsb\n\tisb" : : : "memory");
    TGT_CHECK(rtm_cm_thread_run(&g_th_dom) == RTM_OK && g_th_dom.result == 0xD0D0);
    uint32_t m0 = MPU_MAIR0, m1 = MPU_MAIR1;
    TGT_CHECK((m0 & 0xFFFF0000u) == app);
    TGT_CHECK((m0 & 0xFFFFu) == (r->mair0 & 0xFFFFu));
    TGT_CHECK(m1 == 0x12345678u);
    TGT_CHECK(rtm_cm_mpu_load(r) == RTM_OK && MPU_MAIR0 == m0);
    if (tgt_case_failures() != 0) {
        tgt_puts("  MAIR0 ");
        tgt_put_hex(m0);
        tgt_puts(" plan ");
        tgt_put_hex(r->mair0);
        tgt_puts("\n");
    }
    MPU_MAIR0 = r->mair0;
    MPU_MAIR1 = 0;
    __asm volatile("dsb\n\tisb" : : : "memory");
}
#endif

/* ---- masked SVCall ------------------------------------------------------------------------- */

#define SHPR2 (*(volatile uint32_t *)0xE000ED1Cu)

static rtm_cm_thread g_th_mask;

static rtm_err run_mask_thread(void)
{
    g_part[0] = 0;
    TGT_CHECK(rtm_cm_thread_init(&g_th_mask, th_write, g_part, PART_STACK, STACK_BYTES) == RTM_OK);
    return rtm_cm_thread_run(&g_th_mask);
}

static void set_basepri(uint32_t v) { __asm volatile("msr basepri, %0\n\tisb" : : "r"(v) : "memory"); }

static void case_run_masked(void)
{
    TGT_REQUIRE(g_prot_ok);
    if (rtm_domain_of_thread((uintptr_t)&g_th_mask) == NULL)
        TGT_REQUIRE(rtm_domain_add_thread(&g_dom, (uintptr_t)&g_th_mask) == RTM_OK);
    uint32_t faults = rtm_cm_fault_count();
    /* PRIMASK (the default critical section) */
    __asm volatile("cpsid i" : : : "memory");
    rtm_err e = run_mask_thread();
    __asm volatile("cpsie i" : : : "memory");
    TGT_CHECK(e == RTM_ERR_STATE && g_part[0] == 0); /* not started */
    /* FAULTMASK */
    __asm volatile("cpsid f" : : : "memory");
    e = run_mask_thread();
    __asm volatile("cpsie f" : : : "memory");
    TGT_CHECK(e == RTM_ERR_STATE && g_part[0] == 0);
    /* BASEPRI above SVCall's priority: runs (SVCall at 0 by default, BASEPRI 0x40) */
    set_basepri(0x40u);
    e = run_mask_thread();
    set_basepri(0);
    TGT_CHECK(e == RTM_OK && g_th_mask.result == 0xD0D0);
    /* BASEPRI at or below SVCall's priority value: masked */
    uint32_t shpr2 = SHPR2;
    SHPR2 = (shpr2 & 0x00FFFFFFu) | (0x80u << 24);
    set_basepri(0x80u);
    e = run_mask_thread();
    set_basepri(0);
    TGT_CHECK(e == RTM_ERR_STATE && g_part[0] == 0);
    set_basepri(0xC0u); /* below SVCall (0x80): not masked */
    e = run_mask_thread();
    set_basepri(0);
    SHPR2 = shpr2;
    TGT_CHECK(e == RTM_OK && g_th_mask.result == 0xD0D0);
    TGT_CHECK(rtm_cm_fault_count() == faults);
}

/* ---- RNR and interrupts ------------------------------------------------------------------------ */

#define SLOT_MAIN 6u
#define SLOT_ISR 7u
/* Disabled regions (enable bit 0) with recognisable bases: they never affect an access. */
#if RTM_CM_PMSAV8
#define REGION_W0(base) ((uint32_t)(base) & ~0x1Fu)
#define REGION_W1(base) (((uint32_t)(base) & ~0x1Fu) | 0x1Eu) /* limit bits, AttrIndx 7, EN = 0 */
#else
#define REGION_W0(base) ((uint32_t)(base) & ~0x1Fu)
#define REGION_W1(base) (0x1Eu << 0 | ((uint32_t)(base) >> 24 & 0x3u) << 24) /* SIZE, ENABLE = 0 */
#endif
#define ISR_BASE 0x60000000u

static volatile uint32_t g_isr_writes;
static void isr_write_region(void)
{
    (void)rtm_cm_mpu_set_region(SLOT_ISR, REGION_W0(ISR_BASE), REGION_W1(ISR_BASE));
    g_isr_writes = g_isr_writes + 1u;
}

static void case_region_write_vs_isr(void)
{
    uint32_t start = g_isr_writes;
    unsigned bad = 0, i = 0;
    board_tick_start(isr_write_region);
    while (g_isr_writes - start < 50u) { /* 50 ms */
        uint32_t base = 0x20000000u + ((i++ & 0xFFFu) << 5);
        (void)rtm_cm_mpu_set_region(SLOT_MAIN, REGION_W0(base), REGION_W1(base));
        uint32_t w0 = 0, w1 = 0;
        (void)rtm_cm_mpu_get_region(SLOT_MAIN, &w0, &w1);
        if ((w0 & ~0x1Fu) != REGION_W0(base) || w1 != REGION_W1(base)) bad++;
    }
    board_tick_stop();
    uint32_t w0 = 0, w1 = 0;
    (void)rtm_cm_mpu_get_region(SLOT_ISR, &w0, &w1);
    TGT_CHECK((w0 & ~0x1Fu) == REGION_W0(ISR_BASE) && w1 == REGION_W1(ISR_BASE));
    TGT_CHECK(bad == 0);
    tgt_puts("  ");
    tgt_put_u(i);
    tgt_puts(" main writes, ");
    tgt_put_u(g_isr_writes - start);
    tgt_puts(" interrupt writes, ");
    tgt_put_u(bad);
    tgt_puts(" main writes lost\n");
    (void)rtm_cm_mpu_clear_region(SLOT_MAIN);
    (void)rtm_cm_mpu_clear_region(SLOT_ISR);
}

/* rtm_cm_mpu_clear_regions turns off exactly [first, first + n), and a range past the MPU's last
 * slot changes nothing. The regions are enabled at an address nothing uses, with no access. */
static bool slot_enabled(unsigned slot)
{
    uint32_t w0 = 0, w1 = 0;
    (void)rtm_cm_mpu_get_region(slot, &w0, &w1);
    return (w1 & 1u) != 0; /* RASR.ENABLE / RLAR.EN */
}
static void case_clear_regions(void)
{
    unsigned regions = rtm_cm_mpu_regions();
    TGT_REQUIRE(regions > SLOT_ISR);
    TGT_CHECK(rtm_cm_mpu_set_region(SLOT_MAIN, REGION_W0(ISR_BASE), REGION_W1(ISR_BASE) | 1u) == RTM_OK);
    TGT_CHECK(rtm_cm_mpu_set_region(SLOT_ISR, REGION_W0(ISR_BASE), REGION_W1(ISR_BASE) | 1u) == RTM_OK);
    TGT_CHECK(slot_enabled(SLOT_MAIN) && slot_enabled(SLOT_ISR));
    TGT_CHECK(rtm_cm_mpu_clear_regions(SLOT_MAIN, regions - SLOT_MAIN + 1u) == RTM_ERR_NO_SLOT); /* one too many */
    TGT_CHECK(rtm_cm_mpu_clear_regions(regions + 1u, 0) == RTM_ERR_NO_SLOT);
    TGT_CHECK(rtm_cm_mpu_clear_regions(SLOT_MAIN, UINT32_MAX) == RTM_ERR_NO_SLOT); /* first + n wraps */
    TGT_CHECK(slot_enabled(SLOT_MAIN) && slot_enabled(SLOT_ISR));
    TGT_CHECK(rtm_cm_mpu_clear_regions(regions, 0) == RTM_OK);
    TGT_CHECK(rtm_cm_mpu_clear_regions(SLOT_MAIN, 1) == RTM_OK);
    TGT_CHECK(!slot_enabled(SLOT_MAIN) && slot_enabled(SLOT_ISR));
    TGT_CHECK(rtm_cm_mpu_set_region(SLOT_MAIN, REGION_W0(ISR_BASE), REGION_W1(ISR_BASE) | 1u) == RTM_OK);
    TGT_CHECK(rtm_cm_mpu_clear_regions(SLOT_MAIN, 2) == RTM_OK);
    TGT_CHECK(!slot_enabled(SLOT_MAIN) && !slot_enabled(SLOT_ISR));
}

static const struct {
    const char *name;
    void (*fn)(void);
} k_cases[] = {
#if defined(__ARM_FP)
    {"fpu.thread_return", case_fp_return},
    {"fpu.thread_return_lazy", case_fp_return_lazy},
    {"fpu.thread_abort", case_fp_abort},
    {"fpu.thread_abort_lazy", case_fp_abort_lazy},
    {"fpu.registers_clear", case_fp_registers},
#endif
    {"mpu.region_write_vs_isr", case_region_write_vs_isr},
    {"mpu.clear_regions", case_clear_regions},
    {"mpu.setup", case_prot_setup},
    {"mpu.domainless_thread", case_domainless_thread},
#if RTM_CM_PMSAV8
    {"mpu.mair_kept", case_mair_kept},
#endif
    {"thread.run_masked", case_run_masked},
};

int main(void)
{
    board_init();
    rtm_cm_fault_init();
    for (unsigned i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        tgt_case_begin(k_cases[i].name);
        k_cases[i].fn();
        tgt_case_end();
    }
    return tgt_summary();
}
