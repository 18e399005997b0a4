/*
 * RISC-V trap dispatch (M-mode): ecalls from U-mode threads, and faults turned into rtm_fault_record
 * (rtmem/fault.h: cause = {mcause, mtval, mepc, mstatus}) handed to rtm_fault_handle(). The action:
 *   RETRY  return to the faulting instruction (mepc unchanged);
 *   SKIP   mepc += 2 or 4 (the length of the faulting instruction), data faults only;
 *   ABORT  a fault of a U-mode thread: leave the trap straight into the saved M-mode context of
 *          rtm_rv_thread_run(), which returns RTM_ERR_ACCESS;
 *   HALT   one line over semihosting, exit status 3.
 * Interrupts go to the handler installed with rtm_rv_set_interrupt_handler(); without one they halt.
 *
 * The address of a load, store or AMO fault is mtval. The privileged spec lets a hart keep mtval
 * read-only zero, so a data fault with mtval 0 decodes the instruction at mepc instead
 * (rv_decode.h: RV32IMAC's accesses, base register from the trap frame): the address then is the
 * access's first byte, 0 only for a NULL access, and an instruction the decode does not know leaves
 * the record without an address (RTM_FAULT_F_ADDR_VALID clear) rather than with a wrong one.
 */
#include "rtm_riscv.h"
#include "mpu_internal.h"
#include "rtm_internal.h"
#include "rtmem/domain.h"
#include "rv_csr.h"
#include "rv_decode.h"

#define RV_ECALL_EXIT 0
#define RV_ECALL_THREAD_ID 1
#define RV_ECALL_NOW_US 2

/* frame[0] = mepc, frame[i] = x_i, frame[32] = mstatus (start.S) */
#define F_MEPC 0
#define F_SP 2
#define F_TP 4
#define F_A0 10
#define F_A1 11
#define F_A7 17
#define F_MSTATUS 32

void rtm_rv_trap_dispatch(uint32_t *frame);
uint32_t rv_semihost(uint32_t op, const void *arg);
uint32_t rv_thread_start(int (*fn)(void *), void *arg, uint32_t *stack_top, uint32_t *ctx, rtm_rv_thread *t);
__attribute__((noreturn)) void rv_ctx_resume(uint32_t *ctx, uint32_t status);

static volatile uint32_t g_fault_count;

uint32_t rtm_rv_fault_count(void) { return g_fault_count; }

static void rv_put_hex(char *out, uint32_t v)
{
    for (int i = 7; i >= 0; i--) {
        uint32_t d = v & 0xFu;
        out[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v >>= 4;
    }
}

__attribute__((noreturn)) static void rv_halt(uint32_t mcause, uint32_t mtval, uint32_t mepc)
{
    char line[] = "FATAL trap mcause=xxxxxxxx mtval=xxxxxxxx mepc=xxxxxxxx\n";
    rv_put_hex(line + 18, mcause);
    rv_put_hex(line + 33, mtval);
    rv_put_hex(line + 47, mepc);
    rtm_rv_semihost_write0(line);
    rtm_rv_semihost_exit(3);
}

static uint32_t rv_insn_len(uint32_t pc)
{
    uint16_t lo = *(const volatile uint16_t *)(uintptr_t)pc;
    return (lo & 3u) == 3u ? 4u : 2u;
}

/* RTM_RV_MTVAL_ZERO (firmware tests only): the port as on a hart whose mtval is read-only zero, so
 * that QEMU, which writes mtval, takes the decode path below (targets/rvaddr_test.c). */
#ifdef RTM_RV_MTVAL_ZERO
#define RV_MTVAL() 0u
#else
#define RV_MTVAL() RV_CSR_READ(mtval)
#endif

/* The address of the data access at pc, decoded (rv_decode.h), for a hart that left mtval 0: false
 * if the instruction is not one of RV32IMAC's loads, stores or AMOs. M-mode can read the instruction:
 * the hart fetched it and M-mode reads are not checked by unlocked PMP entries. Only a 32-bit
 * instruction's second half is read, so a 16-bit one at the end of the code is not read past. */
static bool rv_data_fault_addr(const uint32_t *frame, uint32_t pc, uint32_t *addr)
{
    const volatile uint16_t *p = (const volatile uint16_t *)(uintptr_t)pc;
    uint32_t insn = p[0];
    if ((insn & 3u) == 3u) insn |= (uint32_t)p[1] << 16;
    return rv_decode_data_addr(insn, frame, addr);
}

__attribute__((noreturn)) static void rv_return_to_owner(rtm_rv_thread *t, uint32_t status)
{
    rv_set_current(NULL);
    rv_ctx_resume(t->ctx, status);
}

static void rv_ecall(uint32_t *frame, rtm_rv_thread *t)
{
    switch (frame[F_A7]) {
    case RV_ECALL_EXIT:
        if (t == NULL) break;
        t->result = (int)frame[F_A0];
        rv_return_to_owner(t, (uint32_t)RTM_OK);
    case RV_ECALL_THREAD_ID:
        /* the thread the port runs, not the caller's tp (U-mode can write any value there) */
        frame[F_A0] = t != NULL ? (uint32_t)(uintptr_t)t : (uint32_t)(frame[F_TP] & ~1u);
        break;
    case RV_ECALL_NOW_US: {
        uint64_t us = rv_now_us_mmode();
        frame[F_A0] = (uint32_t)us;
        frame[F_A1] = (uint32_t)(us >> 32);
        break;
    }
    default:
        rtm_report(RTM_ERR_ARG, NULL, (const void *)(uintptr_t)frame[F_MEPC]);
        frame[F_A0] = (uint32_t)RTM_ERR_ARG;
        break;
    }
    frame[F_MEPC] += 4u;
}

void rtm_rv_trap_dispatch(uint32_t *frame)
{
    uint32_t mcause = RV_CSR_READ(mcause);
    uint32_t mtval = RV_MTVAL();
    uint32_t mstatus = frame[F_MSTATUS]; /* as the trap left it (start.S restores it on exit) */
    uint32_t mepc = frame[F_MEPC];
    bool from_user = (mstatus & RV_MSTATUS_MPP) == 0;
    rtm_rv_thread *t = rtm_rv_thread_current();
    bool thread_fault = from_user && t != NULL;

    if (mcause == 8u && from_user) { /* ecall from U-mode */
        rv_ecall(frame, t);
        return;
    }
    /* The semihosting ebreak (start.S: slli, ebreak, srai) trapped: no debugger or emulator serves
     * semihosting. The call fails (a0 = -1) and the program goes on: on a board without a probe the
     * first console line used to take the fault path, whose HALT printed over semihosting again, an
     * unbounded recursion on the M-mode stack (review finding). HALT then ends in the test finisher
     * or a wfi loop (rtm_rv_semihost_exit). Test: target.riscv32-virt.halt_nosemihosting. */
    if (mcause == 3u && mepc == (uint32_t)(uintptr_t)rv_semihost + 4u) {
        frame[F_A0] = UINT32_MAX;
        frame[F_MEPC] = mepc + 4u; /* ebreak, uncompressed (.option norvc) */
        return;
    }
    if ((mcause & 0x80000000u) != 0) {
        if (!rv_irq_dispatch(mcause)) rv_halt(mcause, mtval, mepc);
        return;
    }

    g_fault_count = g_fault_count + 1u;
    rtm_fault_record r;
    rtm_memset(&r, 0, sizeof r);
    r.pc = mepc;
    r.arch = RTM_MPU_RISCV_PMP;
    r.cause[0] = mcause;
    r.cause[1] = mtval;
    r.cause[2] = mepc;
    r.cause[3] = mstatus;
    bool data = false;
    switch (mcause) {
    case 0: case 1: case 12: /* instruction misaligned / access fault / page fault */
        r.access = RTM_ACCESS_EXEC;
        break;
    case 4: case 5: case 13: /* load */
        r.access = RTM_ACCESS_READ;
        data = true;
        break;
    case 6: case 7: case 15: /* store / AMO */
        r.access = RTM_ACCESS_WRITE;
        data = true;
        break;
    default:
        break;
    }
    /* A data fault with mtval 0 is a NULL access on a hart that writes mtval, and any access on one
     * whose mtval is read-only zero: the address comes from the instruction (0 again for the NULL
     * access). An instruction not decoded leaves the address 0 and not valid. A non-zero mtval is
     * kept: it is what the hart saw, possibly the faulting part of a misaligned access, finer than
     * the decode's first byte. An execute fault with mtval 0 takes mepc, where the fetch started
     * (a jump to 0 gives 0 on either hart); only a 32-bit instruction straddling the boundary it
     * faulted on is off by 2 there (a hart that writes mtval names its second half). */
    uint32_t addr = mtval;
    if (mtval == 0 && !data) addr = mepc;
    if (r.access != 0 && (mtval != 0 || !data || rv_data_fault_addr(frame, mepc, &addr))) {
        r.addr = addr;
        r.flags |= RTM_FAULT_F_ADDR_VALID;
    }
    if (!from_user) r.flags |= RTM_FAULT_F_PRIVILEGED;
    /* tp was 0 when the trapped code was itself a trap handler. */
    if (!from_user && frame[F_TP] == 0) r.flags |= RTM_FAULT_F_IN_ISR;
    r.thread = from_user ? (uintptr_t)t : (uintptr_t)frame[F_TP];
    r.can = RTM_FAULT_CAN(RTM_FAULT_HALT) | RTM_FAULT_CAN(RTM_FAULT_RETRY);
    if (data) r.can |= RTM_FAULT_CAN(RTM_FAULT_SKIP);
    /* Offered whether or not the thread holds one of rtmem's locks: the lock is a flag in the
     * object, and the count a port would need lives where U-mode may not write (rtmem/fault.h). */
    if (thread_fault) r.can |= RTM_FAULT_CAN(RTM_FAULT_ABORT_THREAD);

    rtm_fault_action a = rtm_fault_handle(&r);

    if (a == RTM_FAULT_RETRY && (r.can & RTM_FAULT_CAN(RTM_FAULT_RETRY))) return;
    if (a == RTM_FAULT_SKIP && (r.can & RTM_FAULT_CAN(RTM_FAULT_SKIP))) {
        frame[F_MEPC] = mepc + rv_insn_len(mepc);
        return;
    }
    if (a == RTM_FAULT_ABORT_THREAD && (r.can & RTM_FAULT_CAN(RTM_FAULT_ABORT_THREAD))) {
        t->aborted = true;
        t->fault_addr = r.addr;
        rv_return_to_owner(t, (uint32_t)RTM_ERR_ACCESS);
    }
    rv_halt(mcause, mtval, mepc);
}

rtm_err rtm_rv_thread_init(rtm_rv_thread *t, int (*fn)(void *arg), void *arg, void *stack, size_t stack_bytes)
{
    if (t == NULL || fn == NULL || stack == NULL || ((uintptr_t)t & 3u) != 0) return RTM_ERR_ARG;
    if (((uintptr_t)stack & 15u) != 0) return RTM_ERR_ALIGN;
    if (stack_bytes < 256u || (stack_bytes & 15u) != 0) return RTM_ERR_SIZE;
    if ((uintptr_t)stack + stack_bytes < (uintptr_t)stack) return RTM_ERR_SIZE;
    for (unsigned i = 0; i < 16u; i++) t->ctx[i] = 0;
    t->fn = fn;
    t->arg = arg;
    t->stack = (uint32_t *)stack;
    t->stack_bytes = stack_bytes;
    t->result = 0;
    t->aborted = false;
    t->fault_addr = 0;
    return RTM_OK;
}

/* PMP slots [g_dom_first, g_dom_first + g_dom_avail) hold the entries of the domain
 * rtm_rv_thread_run loaded last (avail 0: none). A thread of no domain runs with them off, under
 * the system entries alone (it used to run with whatever the thread before it had loaded, and could
 * reach that domain's partitions: review finding, targets/domain_test.c domain.domainless_thread),
 * and slots of an earlier domain outside a newly loaded domain's window are turned off too: the
 * rule of the Cortex-M port (cm_clear_domain_slots). */
static uint32_t g_dom_first, g_dom_avail;

static rtm_err rv_clear_domain_slots(uint32_t keep_first, uint32_t keep_avail)
{
    /* At most two runs (rtm_stale_slot_runs_): one rtm_rv_pmp_clear each, its pmpcfg rewrite and
     * fences, not one per slot. */
    rtm_slot_runs_ r = rtm_stale_slot_runs_(g_dom_first, g_dom_avail, keep_first, keep_avail);
    rtm_err e = RTM_OK;
    for (unsigned i = 0; i < 2u && e == RTM_OK; i++)
        if (r.count[i] != 0) e = rtm_rv_pmp_clear((unsigned)r.first[i], (unsigned)r.count[i]);
    return e;
}

rtm_err rtm_rv_thread_run(rtm_rv_thread *t)
{
    if (t == NULL || t->fn == NULL || t->stack == NULL) return RTM_ERR_ARG;
    uintptr_t tp = rv_get_tp();
    if (tp == 0 || (tp & 1u) != 0 || rtm_rv_thread_current() != NULL) return RTM_ERR_STATE;
    rtm_domain *d = rtm_domain_of_thread((uintptr_t)t);
    const rtm_mpu_regs *regs = d != NULL ? rtm_domain_regs(d) : NULL;
    uint32_t first = regs != NULL ? regs->first : 0u, avail = regs != NULL ? regs->avail : 0u;
    rtm_err e = regs != NULL ? rtm_rv_pmp_load(regs) : RTM_OK;
    if (e == RTM_OK) e = rv_clear_domain_slots(first, avail); /* no domain: all of the last one's */
    if (e != RTM_OK) return e;
    g_dom_first = first;
    g_dom_avail = avail;
    t->result = 0;
    t->aborted = false;
    t->fault_addr = 0;
    /* In U-mode machine interrupts are taken whatever mstatus.MIE says (privileged spec: "interrupts
     * for higher-privilege modes ... are always globally enabled"), so a caller inside a critical
     * section (MIE clear) would have it broken by the thread (port review). Its enabled interrupts
     * are held off instead, mie cleared for the run and restored after it; what became pending
     * meanwhile is taken when the caller leaves its section. (The Cortex-M port refuses the same
     * call, RTM_ERR_STATE: there a masked SVC could not end the thread.) */
    uint32_t held = 0;
    if ((RV_CSR_READ(mstatus) & RV_MSTATUS_MIE) == 0) __asm volatile("csrrw %0, mie, zero" : "=r"(held) : : "memory");
    rv_set_current(t);
    uint32_t *top = (uint32_t *)((uintptr_t)t->stack + t->stack_bytes);
    uint32_t status = rv_thread_start(t->fn, t->arg, top, t->ctx, t);
    rv_set_current(NULL);
    if (held != 0) __asm volatile("csrs mie, %0" : : "r"(held) : "memory");
    return (rtm_err)status;
}
