/*
 * Cortex-M fault entry, SVC and unprivileged threads (ARMv7-M and ARMv8-M Mainline).
 *
 * Fault entry: HardFault, MemManage, BusFault, UsageFault and SecureFault share one naked entry that
 * finds the exception frame (MSP or PSP, from EXC_RETURN bit 2) and calls cm_fault_dispatch(). That
 * builds an rtm_fault_record (rtmem/fault.h) from CFSR/HFSR/MMFAR/BFAR and the stacked frame, calls
 * rtm_fault_handle() (the policy hook decides), clears the sticky status bits and then:
 *   SKIP   (data faults of single transfers that do not load the PC: not LDM/STM, LDRD/STRD,
 *          LDR pc, TBB/TBH) advances the stacked PC past the 16- or 32-bit faulting instruction
 *          and steps the stacked IT state as the completed instruction would have (ITAdvance, see
 *          cm_xpsr_after_skip), so that a skip inside an IT block keeps the block's conditions;
 *   RETRY  returns to the same instruction;
 *   ABORT  points PSP at a fresh frame so that the exception returns, privileged, into
 *          cm_thread_resume(), which restores the context saved by rtm_cm_thread_run();
 *   HALT   prints the record over semihosting and exits with status 3.
 *
 * Stacked frame (basic, 8 words, at the SP the entry found):
 *   [0] r0  [1] r1  [2] r2  [3] r3  [4] r12  [5] lr  [6] pc  [7] xPSR
 * After a stacking error or a stack-limit violation the frame is not trusted and not read (pc = 0
 * in the record). Aborting a thread never uses its frame: a fresh basic frame is built at the top
 * of the thread's stack and PSP pointed at it. Threads run with PSPLIM = their stack base on
 * ARMv8-M Mainline, so an overflow faults before it writes below the stack.
 *
 * Unprivileged threads: rtm_cm_thread_run() saves r4-r11, sp, lr in the thread object, sets PSP to
 * the thread's stack, CONTROL = nPRIV | SPSEL, and branches to fn with lr = cm_thread_exit_stub. The
 * stub issues SVC #0 with fn's result in r0; the SVC handler returns into cm_thread_resume() the same
 * way an abort does. Threads do not nest and are not preempted (no scheduler). Threads may use the
 * FPU (builds with __ARM_FP): cm_thread_start keeps the owner's s16-s31 and FPSCR on the owner's
 * stack, and the return to the owner is always through a basic frame with EXC_RETURN.FType = 1 and
 * no pending lazy FP save (cm_return_to_owner).
 */
#include "cm_regs.h"
#include "rtm_cortex_m.h"
#include "mpu_internal.h"
#include "rtm_internal.h"
#include "rtmem/domain.h"

#define CM_SVC_THREAD_EXIT 0
#define CM_SVC_THREAD_ID 1
#define CM_SVC_NOW_US 2

static volatile uint32_t g_fault_count;

uint32_t rtm_cm_fault_count(void) { return g_fault_count; }

#if RTM_CM_MAINLINE

void rtm_cm_fault_entry(void);
void rtm_cm_svc_entry(void);
uint32_t cm_fault_dispatch(uint32_t exc_return, uint32_t *frame);
uint32_t cm_svc_dispatch(uint32_t exc_return, uint32_t *frame);
void cm_thread_exit_stub(void);
void cm_thread_resume(void);
uint32_t cm_thread_start(int (*fn)(void *), void *arg, uint32_t *psp_top, uint32_t *ctx);

/* EXC_RETURN bit 2 selects the stack the frame is on. The C function returns the EXC_RETURN value
 * to leave with (the one it was given, or one with bit 4 set after cm_return_to_owner); `bx r0` is
 * the exception return. The handler's MSP is 8-byte aligned at entry and nothing is pushed here. */
__attribute__((naked)) void rtm_cm_fault_entry(void)
{
    __asm volatile("mov r0, lr\n\t"
                   "tst r0, #4\n\t"
                   "ite eq\n\t"
                   "mrseq r1, msp\n\t"
                   "mrsne r1, psp\n\t"
                   "bl cm_fault_dispatch\n\t"
                   "bx r0\n\t");
}

__attribute__((naked)) void rtm_cm_svc_entry(void)
{
    __asm volatile("mov r0, lr\n\t"
                   "tst r0, #4\n\t"
                   "ite eq\n\t"
                   "mrseq r1, msp\n\t"
                   "mrsne r1, psp\n\t"
                   "bl cm_svc_dispatch\n\t"
                   "bx r0\n\t");
}

/* r0 = fn, r1 = arg, r2 = PSP top, r3 = ctx[10]. Returns (through cm_thread_resume) the status the
 * SVC or fault handler put in the frame's r0. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter" /* naked: the parameters are used in asm */
__attribute__((naked)) uint32_t cm_thread_start(int (*fn)(void *), void *arg, uint32_t *psp_top, uint32_t *ctx)
{
    __asm volatile(
#if defined(__ARM_FP)
                   /* The owner's callee-saved FP state (s16-s31, FPSCR's control bits) on its own
                    * stack: a thread that is aborted does not restore what it changed. 72 bytes,
                    * the stack stays 8-byte aligned. cm_thread_resume pops them. */
                   "vpush {s16-s31}\n\t"
                   "vmrs r12, fpscr\n\t"
                   "push {r12, lr}\n\t"
#endif
                   "stmia r3!, {r4-r11}\n\t"
                   "mov r12, sp\n\t"
                   "str r12, [r3]\n\t"
                   "str lr, [r3, #4]\n\t"
                   "msr psp, r2\n\t"
                   /* None of the privileged caller's register values reaches the unprivileged
                    * thread: r1-r11, d0-d15 and APSR's flags are zeroed, r0 = arg, r12 = fn, lr and
                    * sp set (port review; Zephyr clears them on its way to user mode too). The FP
                    * registers before the CONTROL write, which clears FPCA: the thread starts with
                    * no FP context, as before. FPSCR is zeroed too: the thread's first FP
                    * instruction takes only FPSCR's control bits from FPDSCR (ARMv7-M's
                    * ExecuteFPCheck: FPSCR<26:22> = FPDSCR<26:22>), so the owner's NZCV and
                    * cumulative exception flags would reach it. (QEMU loads the whole FPSCR from
                    * FPDSCR, so fpu.registers_clear cannot tell there.) The owner's FPSCR is on
                    * its stack above; cm_thread_resume restores it. */
                   "movs r3, #0\n\t"
#if defined(__ARM_FP)
                   "vmov d0, r3, r3\n\t"
                   "vmov d1, r3, r3\n\t"
                   "vmov d2, r3, r3\n\t"
                   "vmov d3, r3, r3\n\t"
                   "vmov d4, r3, r3\n\t"
                   "vmov d5, r3, r3\n\t"
                   "vmov d6, r3, r3\n\t"
                   "vmov d7, r3, r3\n\t"
                   "vmov d8, r3, r3\n\t"
                   "vmov d9, r3, r3\n\t"
                   "vmov d10, r3, r3\n\t"
                   "vmov d11, r3, r3\n\t"
                   "vmov d12, r3, r3\n\t"
                   "vmov d13, r3, r3\n\t"
                   "vmov d14, r3, r3\n\t"
                   "vmov d15, r3, r3\n\t"
                   "vmsr fpscr, r3\n\t"
#endif
                   "movs r2, #3\n\t"          /* nPRIV | SPSEL */
                   "msr control, r2\n\t"
                   "isb\n\t"
                   "mov r12, r0\n\t"
                   "mov r0, r1\n\t"
                   "movs r1, #0\n\t"
                   "movs r2, #0\n\t"
                   "mov r4, r3\n\t"
                   "mov r5, r3\n\t"
                   "mov r6, r3\n\t"
                   "mov r7, r3\n\t"
                   "mov r8, r3\n\t"
                   "mov r9, r3\n\t"
                   "mov r10, r3\n\t"
                   "mov r11, r3\n\t"
                   "msr apsr_nzcvq, r3\n\t"
                   "ldr lr, =cm_thread_exit_stub\n\t"
                   "bx r12\n\t"
                   ".ltorg\n\t");
}
#pragma GCC diagnostic pop

/* Runs unprivileged on the thread's stack: fn's result is in r0. */
__attribute__((naked)) void cm_thread_exit_stub(void)
{
    __asm volatile("svc #0\n\t"
                   "b .\n\t");
}

/* Entered privileged in thread mode, still on PSP, with r0 = status and r1 = ctx (set in the frame
 * by the handler). Switches back to MSP and returns from cm_thread_start. */
__attribute__((naked)) void cm_thread_resume(void)
{
    __asm volatile("movs r2, #0\n\t"
                   "msr control, r2\n\t"
                   "isb\n\t"
                   "ldmia r1!, {r4-r11}\n\t"
                   "ldr r2, [r1]\n\t"
                   "mov sp, r2\n\t"
                   "ldr lr, [r1, #4]\n\t"
#if defined(__ARM_FP)
                   "pop {r2, r3}\n\t"
                   "vmsr fpscr, r2\n\t"
                   "vpop {s16-s31}\n\t"
#endif
                   "bx lr\n\t");
}

/* FP context control (FPCCR, FP extension only): LSPACT = a lazy FP save is pending, to FPCAR. */
#define CM_FPCCR RTM_CM_REG(0xE000EF34u)
#define CM_FPCCR_LSPACT (1u << 0)
#define CM_EXC_RETURN_FTYPE (1u << 4) /* 1: basic (8-word) frame; 0: extended frame with s0-s15, FPSCR */

/* Makes the exception return into cm_thread_resume(status) as privileged thread code; returns the
 * EXC_RETURN value to leave the handler with. The frame is a fresh one at the top of the thread's
 * stack, not the one the exception stacked: that one may be partial or missing (stacking error,
 * ARMv8-M stack-limit violation), and the thread's stack is not needed any more.
 *
 * The fresh frame is a basic one (8 words), so the exception must return with EXC_RETURN.FType
 * (bit 4) = 1 even when the thread used the FPU: with the thread's own EXC_RETURN (FType = 0 after
 * an FP instruction, CONTROL.FPCA = 1) the hardware would unstack s0-s15 and FPSCR from the 18
 * words above the built frame, i.e. from above the thread's stack (ARMv7-M ARM B1.5.7/B1.5.8,
 * ARMv8-M ARM PopStack/ExceptionReturn). With FType = 1 nothing FP is unstacked and the exception
 * return clears CONTROL.FPCA. A pending lazy FP save (FPCCR.LSPACT = 1: the thread used the FPU and
 * LSPEN deferred the stacking) would otherwise survive that return (only an FType = 0 return clears
 * LSPACT) and land, at the owner's first FP instruction, at FPCAR, inside the finished thread's
 * stack (which may be another thread's by then): it is dropped, the thread's FP registers are not
 * needed. Builds without an FPU (no __ARM_FP) have neither. */
static uint32_t cm_return_to_owner(rtm_cm_thread *t, uint32_t status, uint32_t exc_return)
{
    uint32_t *frame = (uint32_t *)((uintptr_t)t->stack + t->stack_bytes) - 8;
    for (unsigned i = 0; i < 8u; i++) frame[i] = 0;
    frame[0] = status;
    frame[1] = (uint32_t)(uintptr_t)t->ctx;
    frame[6] = (uint32_t)(uintptr_t)cm_thread_resume & ~1u;
    frame[7] = 1u << 24; /* Thumb state, no IT block, no stack-alignment padding flag */
    __asm volatile("msr psp, %0" : : "r"(frame) : "memory");
    cm_set_control(cm_get_control() & ~1u); /* clear nPRIV; SPSEL stays 1 until resume */
    cm_set_current(NULL);
#if defined(__ARM_FP)
    if (CM_FPCCR & CM_FPCCR_LSPACT) CM_FPCCR &= ~CM_FPCCR_LSPACT;
    exc_return |= CM_EXC_RETURN_FTYPE;
#endif
    return exc_return;
}

void rtm_cm_fault_init(void)
{
    CM_SHCSR |= CM_SHCSR_MEMFAULTENA | CM_SHCSR_BUSFAULTENA | CM_SHCSR_USGFAULTENA;
    cm_dsb_isb();
}

static void cm_put_hex(char *out, uint32_t v)
{
    for (int i = 7; i >= 0; i--) {
        uint32_t d = v & 0xFu;
        out[i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v >>= 4;
    }
}

__attribute__((noreturn)) static void cm_halt(uint32_t exc, const rtm_fault_record *r)
{
    char line[] = "FATAL fault exc=xxxxxxxx cfsr=xxxxxxxx addr=xxxxxxxx pc=xxxxxxxx\n";
    cm_put_hex(line + 16, exc);
    cm_put_hex(line + 30, r->cause[0]);
    cm_put_hex(line + 44, (uint32_t)r->addr);
    cm_put_hex(line + 56, (uint32_t)r->pc);
    rtm_cm_semihost_write0(line);
    rtm_cm_semihost_exit(3);
}

/* Status bits after which the stacked frame cannot be trusted (or does not exist): stacking and
 * unstacking errors, lazy FP stacking, ARMv8-M stack-limit violation (UFSR.STKOF). */
#define CM_CFSR_FRAME_BAD (CM_CFSR_MSTKERR | CM_CFSR_MUNSTKERR | CM_CFSR_MLSPERR | CM_CFSR_STKERR | \
                           CM_CFSR_UNSTKERR | CM_CFSR_LSPERR | CM_CFSR_STKOF)

/* Fills addr / access / flags from the fault status bits (r->pc already set). */
static void cm_classify(rtm_fault_record *r, uint32_t cfsr, uint32_t mmfar, uint32_t bfar)
{
    if (cfsr & (CM_CFSR_IACCVIOL | CM_CFSR_IBUSERR)) {
        r->access = RTM_ACCESS_EXEC;
        r->addr = r->pc; /* MMFAR is not written for fetches: the stacked PC is the address */
        if (r->pc != 0) r->flags |= RTM_FAULT_F_ADDR_VALID;
    } else if ((cfsr & CM_CFSR_DACCVIOL) && (cfsr & CM_CFSR_MMARVALID)) {
        r->addr = mmfar;
        r->flags |= RTM_FAULT_F_ADDR_VALID;
    } else if ((cfsr & CM_CFSR_PRECISERR) && (cfsr & CM_CFSR_BFARVALID)) {
        r->addr = bfar;
        r->flags |= RTM_FAULT_F_ADDR_VALID;
    }
    if (cfsr & (CM_CFSR_MSTKERR | CM_CFSR_STKERR | CM_CFSR_STKOF)) r->access = RTM_ACCESS_WRITE; /* pushes */
    if (cfsr & (CM_CFSR_MUNSTKERR | CM_CFSR_UNSTKERR)) r->access = RTM_ACCESS_READ;              /* pops */
}

/* Length of the Thumb instruction at @p pc: 32-bit when the first halfword is 0b11101/11110/11111. */
static uint32_t cm_insn_len(uint32_t pc)
{
    uint16_t hw = *(const volatile uint16_t *)(uintptr_t)pc;
    return (hw & 0xF800u) >= 0xE800u ? 4u : 2u;
}

/*
 * IT (If-Then) execution state in the stacked xPSR (EPSR part). ARMv7-M ARM A7.3.3 / B1.4.2 and
 * ARMv8-M ARM (same layout and pseudocode, Mainline only; ARMv6-M and v8-M Baseline have no IT):
 *
 *   xPSR  31      27 26   25 24 23      16 15         10 9         0
 *         | flags  |IT[1:0] |T |  ...     |  IT[7:2]    |   ...     |
 *
 * IT[7:5] is the block's base condition, IT[4:0] the mask that holds the low condition bit of each
 * remaining slot and its length. When an instruction of the block completes, the core runs
 * ITAdvance():  if IT[2:0] == '000' then ITSTATE = 0  else IT[4:0] = LSL(IT[4:0], 1).
 * A fault abandons the instruction before that, so the stacked state still names the faulting
 * instruction's slot. SKIP pretends the instruction completed and must do the same step; otherwise
 * the next instruction runs under the faulting one's condition and the block ends one late.
 *
 * Outside an IT block IT[3:0] is 0 and the same bits may hold ICI (the continuation of an
 * interrupted LDM/STM/PUSH/POP: bits [15:12], with [26:25] and [11:10] zero). IT[2:0] is then 0,
 * so the step clears the field, which is also right for ICI: the skipped instruction is not
 * resumed. An xPSR with no IT or ICI state is returned unchanged.
 */
#define CM_XPSR_IT_LO_SHIFT 25u /* IT[1:0] */
#define CM_XPSR_IT_HI_SHIFT 10u /* IT[7:2] */
#define CM_XPSR_IT_MASK ((0x3u << CM_XPSR_IT_LO_SHIFT) | (0x3Fu << CM_XPSR_IT_HI_SHIFT))
_Static_assert((CM_XPSR_IT_MASK & (1u << 24)) == 0, "the IT field must not touch the Thumb bit");

static uint32_t cm_xpsr_itstate(uint32_t xpsr)
{
    return ((xpsr >> CM_XPSR_IT_LO_SHIFT) & 0x3u) | (((xpsr >> CM_XPSR_IT_HI_SHIFT) & 0x3Fu) << 2);
}

static uint32_t cm_xpsr_with_itstate(uint32_t xpsr, uint32_t it)
{
    return (xpsr & ~CM_XPSR_IT_MASK) | ((it & 0x3u) << CM_XPSR_IT_LO_SHIFT) | ((it >> 2) << CM_XPSR_IT_HI_SHIFT);
}

/* ITAdvance() of the architecture, on IT[7:0]. */
static uint32_t cm_it_advance(uint32_t it)
{
    if ((it & 0x7u) == 0) return 0;
    return (it & 0xE0u) | ((it << 1) & 0x1Fu);
}

/* The stacked xPSR as it would be had the faulting instruction completed (see above). */
static uint32_t cm_xpsr_after_skip(uint32_t xpsr)
{
    return cm_xpsr_with_itstate(xpsr, cm_it_advance(cm_xpsr_itstate(xpsr)));
}

/* Does the Thumb instruction at @p pc transfer more than one word (LDM/STM, PUSH/POP, LDRD/STRD,
 * and the FP VLDM/VSTM/VPUSH/VPOP and 64-bit VLDR/VSTR)? SKIP is not offered for those: one that
 * faulted on a later word may already have done the earlier ones (an LDM may have loaded its base),
 * and a skipped POP {..., pc} or LDM with pc would skip a return (review notes). Encodings: ARMv7-M
 * ARM A5.2 / A5.3 / A7.7.
 *   16-bit: PUSH 1011 010x, POP 1011 110x, STM 1100 0xxx, LDM 1100 1xxx.
 *   32-bit, first halfword 1110 100x x0xx (bit 6 = 0): LDM/STM/PUSH/POP.
 *   32-bit, first halfword 1110 100P U1WL with P or W set: LDRD/STRD (immediate, literal); with
 *     both clear the same space holds the exclusives and TBB/TBH, single transfers.
 *   FP, 1110 110P UDWL: P = 0 (VLDM/VSTM increment-after; MCRR/MRRC share the space but do not
 *     access memory), or P = 1 and W = 1 (VPUSH, VSTMDB, VLDMDB); P = 1, W = 0 is VLDR/VSTR, two
 *     words when the second halfword's coprocessor field (bits 11:8) is 0b1011 (a D register). */
static bool cm_insn_multiple(uint32_t pc)
{
    uint16_t hw = *(const volatile uint16_t *)(uintptr_t)pc;
    if ((hw & 0xF600u) == 0xB400u) return true;               /* PUSH, POP */
    if ((hw & 0xF000u) == 0xC000u) return true;               /* STM, LDM (16-bit) */
    if ((hw & 0xFE40u) == 0xE800u) return true;               /* LDM, STM, PUSH, POP (32-bit) */
    if ((hw & 0xFE40u) == 0xE840u && (hw & 0x0120u) != 0) return true; /* LDRD, STRD */
    if ((hw & 0xFF00u) == 0xEC00u || (hw & 0xFF20u) == 0xED20u) return true; /* VLDM, VSTM, VPUSH, VPOP */
    if ((hw & 0xFF20u) == 0xED00u) {                          /* VLDR, VSTR: a D register? */
        uint16_t hw2 = *(const volatile uint16_t *)(uintptr_t)(pc + 2u);
        return (hw2 & 0x0F00u) == 0x0B00u;
    }
    return false;
}

/* Is the Thumb instruction at @p pc a data access that writes the PC: LDR (immediate, register,
 * literal; 32-bit encodings 1111 1000 x101 xxxx) with Rt = 1111 (a return as `ldr pc, [sp], #4`,
 * a jump through a table or a linker veneer's `ldr.w pc, [pc, #-0]`), or TBB/TBH (1110 1000 1101
 * Rn, 1111 0000 000H Rm: a table branch, whose next halfwords are usually the table itself)?
 * SKIP is not offered for those either: skipping them falls through instead of branching (the
 * rule that keeps POP {..., pc} out, applied to the single-register loads of the PC). LDM/POP with
 * the PC are refused by cm_insn_multiple. Encodings: ARMv7-M ARM A7.7, LDR (immediate, literal,
 * register) and TBB/TBH. */
static bool cm_insn_writes_pc(uint32_t pc)
{
    uint16_t hw = *(const volatile uint16_t *)(uintptr_t)pc;
    if ((hw & 0xF800u) < 0xE800u) return false; /* 16-bit: only POP loads the PC */
    uint16_t hw2 = *(const volatile uint16_t *)(uintptr_t)(pc + 2u);
    if ((hw & 0xFF70u) == 0xF850u) return (hw2 & 0xF000u) == 0xF000u;                    /* LDR pc */
    if ((hw & 0xFFF0u) == 0xE8D0u) return (hw2 & 0xFFE0u) == 0xF000u;                    /* TBB, TBH */
    return false;
}

/* Data access kind of the faulting Thumb instruction (loads vs stores), for the record. The
 * MemManage status does not say; decoding the instruction does for the common forms. */
static uint32_t cm_data_access(uint32_t pc)
{
    uint16_t hw = *(const volatile uint16_t *)(uintptr_t)pc;
    if ((hw & 0xF800u) >= 0xE800u) {
        /* 32-bit load/store single: 1111 100x xxxL ... (bit 4 of the first halfword = load) */
        if ((hw & 0xFE00u) == 0xF800u) return (hw & 0x10u) ? RTM_ACCESS_READ : RTM_ACCESS_WRITE;
        /* load/store multiple and dual: 1110 100x xxLx */
        if ((hw & 0xFE00u) == 0xE800u) return (hw & 0x10u) ? RTM_ACCESS_READ : RTM_ACCESS_WRITE;
        return RTM_ACCESS_READ | RTM_ACCESS_WRITE;
    }
    /* 16-bit: STR/LDR (imm/reg/sp-rel), STRB/LDRB, STRH/LDRH, STM/LDM, PUSH/POP */
    if ((hw & 0xF000u) == 0x5000u) return ((hw >> 9) & 7u) >= 3u ? RTM_ACCESS_READ : RTM_ACCESS_WRITE;
    if ((hw & 0xE000u) == 0x6000u || (hw & 0xF000u) == 0x8000u || (hw & 0xF000u) == 0x9000u ||
        (hw & 0xF000u) == 0xC000u)
        return (hw & 0x0800u) ? RTM_ACCESS_READ : RTM_ACCESS_WRITE;
    if ((hw & 0xF800u) == 0x4800u) return RTM_ACCESS_READ; /* LDR literal */
    if ((hw & 0xF600u) == 0xB400u) return (hw & 0x0800u) ? RTM_ACCESS_READ : RTM_ACCESS_WRITE; /* PUSH/POP */
    return RTM_ACCESS_READ | RTM_ACCESS_WRITE;
}

uint32_t cm_fault_dispatch(uint32_t exc_return, uint32_t *frame)
{
    rtm_fault_record r;
    rtm_cm_thread *t = rtm_cm_thread_current();
    uint32_t exc = cm_get_ipsr() & 0x1FFu;
    uint32_t cfsr = CM_CFSR, hfsr = CM_HFSR, mmfar = CM_MMFAR, bfar = CM_BFAR;
    bool from_thread_mode = (exc_return & 8u) != 0;
    /* The running rtm_cm_thread owns a fault taken from thread mode on PSP. */
    bool thread_fault = from_thread_mode && (exc_return & 4u) != 0 && t != NULL;

    g_fault_count = g_fault_count + 1u;
    bool frame_ok = (cfsr & CM_CFSR_FRAME_BAD) == 0;
    rtm_memset(&r, 0, sizeof r);
    r.pc = frame_ok ? frame[6] : 0;
    r.arch = RTM_CM_PMSAV8 ? RTM_MPU_ARMV8M : RTM_MPU_ARMV7M;
    r.cause[0] = cfsr;
    r.cause[1] = hfsr;
    r.cause[2] = mmfar;
    r.cause[3] = frame_ok ? frame[7] : 0;
    if (!from_thread_mode) r.flags |= RTM_FAULT_F_IN_ISR;
    if ((cm_get_control() & 1u) == 0 || !from_thread_mode) r.flags |= RTM_FAULT_F_PRIVILEGED;
    r.thread = from_thread_mode ? (thread_fault ? (uintptr_t)t : rtm_cm_thread_id_priv()) : 0;
    cm_classify(&r, cfsr, mmfar, bfar);
    if (r.access == 0 && frame_ok && (cfsr & (CM_CFSR_DACCVIOL | CM_CFSR_PRECISERR))) r.access = cm_data_access(r.pc);
    /* Imprecise BusFault (CFSR.IMPRECISERR): a buffered write failed after the instruction that
     * issued it had completed. The stacked PC (r.pc, as recorded) is where the exception was taken,
     * some instructions later, not the faulting instruction, and BFAR holds no address (addr stays
     * invalid). The write cannot be re-executed or skipped: neither RETRY nor SKIP is offered, only
     * HALT and (a thread's) ABORT_THREAD. cause[0] (CFSR) has bit 10 set for such a record. */
    bool imprecise = (cfsr & CM_CFSR_IMPRECISERR) != 0;
    r.can = RTM_FAULT_CAN(RTM_FAULT_HALT);
    if (frame_ok && !imprecise) r.can |= RTM_FAULT_CAN(RTM_FAULT_RETRY);
    if (frame_ok && !imprecise && r.access != RTM_ACCESS_EXEC && (cfsr & (CM_CFSR_DACCVIOL | CM_CFSR_PRECISERR)) &&
        !cm_insn_multiple((uint32_t)r.pc) && !cm_insn_writes_pc((uint32_t)r.pc))
        r.can |= RTM_FAULT_CAN(RTM_FAULT_SKIP);
    /* Aborting needs no frame of the thread's: it gets a fresh one (cm_return_to_owner). */
    if (thread_fault) r.can |= RTM_FAULT_CAN(RTM_FAULT_ABORT_THREAD);

    rtm_fault_action a = rtm_fault_handle(&r);

    CM_CFSR = cfsr; /* write-one-to-clear the bits this fault set */
    CM_HFSR = hfsr;

    if (a == RTM_FAULT_RETRY && (r.can & RTM_FAULT_CAN(RTM_FAULT_RETRY))) return exc_return;
    if (a == RTM_FAULT_SKIP && (r.can & RTM_FAULT_CAN(RTM_FAULT_SKIP))) {
        frame[6] = r.pc + cm_insn_len((uint32_t)r.pc);
        frame[7] = cm_xpsr_after_skip(frame[7]); /* inside an IT block: on to the next slot */
        return exc_return;
    }
    if (a == RTM_FAULT_ABORT_THREAD && (r.can & RTM_FAULT_CAN(RTM_FAULT_ABORT_THREAD))) {
        t->aborted = true;
        t->fault_addr = r.addr;
        return cm_return_to_owner(t, (uint32_t)RTM_ERR_ACCESS, exc_return);
    }
    cm_halt(exc, &r);
}

uint32_t cm_svc_dispatch(uint32_t exc_return, uint32_t *frame)
{
    uint32_t pc = frame[6];
    uint32_t num = *(const volatile uint16_t *)(uintptr_t)(pc - 2u) & 0xFFu;
    rtm_cm_thread *t = rtm_cm_thread_current();
    bool from_thread = (exc_return & 0xCu) == 0xCu && t != NULL;

    switch (num) {
    case CM_SVC_THREAD_EXIT:
        if (!from_thread) break;
        t->result = (int)frame[0];
        return cm_return_to_owner(t, (uint32_t)RTM_OK, exc_return);
    case CM_SVC_THREAD_ID:
        frame[0] = (exc_return & 8u) != 0 ? (uint32_t)rtm_cm_thread_id_priv() : 0u;
        return exc_return;
    case CM_SVC_NOW_US: {
        uint64_t us = rtm_cm_now_us_priv();
        frame[0] = (uint32_t)us;
        frame[1] = (uint32_t)(us >> 32);
        return exc_return;
    }
    default:
        break;
    }
    rtm_report(RTM_ERR_ARG, NULL, (const void *)(uintptr_t)pc);
    return exc_return;
}

rtm_err rtm_cm_thread_init(rtm_cm_thread *t, int (*fn)(void *arg), void *arg, void *stack, size_t stack_bytes)
{
    if (t == NULL || fn == NULL || stack == NULL) return RTM_ERR_ARG;
    if (((uintptr_t)stack & 7u) != 0) return RTM_ERR_ALIGN;
    if (stack_bytes < 256u || (stack_bytes & 7u) != 0) return RTM_ERR_SIZE;
    if ((uintptr_t)stack + stack_bytes < (uintptr_t)stack) return RTM_ERR_SIZE;
    for (unsigned i = 0; i < 10u; i++) t->ctx[i] = 0;
    t->fn = fn;
    t->arg = arg;
    t->stack = (uint32_t *)stack;
    t->stack_bytes = stack_bytes;
    t->result = 0;
    t->aborted = false;
    t->fault_addr = 0;
    return RTM_OK;
}

/* MPU slots [g_dom_first, g_dom_first + g_dom_avail) hold the regions of the domain
 * rtm_cm_thread_run loaded last (avail 0: none). A thread with no domain must not run with them:
 * they are disabled before it runs, and slots of an earlier domain outside a newly loaded domain's
 * window are disabled too, so a thread only ever gets its own domain's regions (and the system
 * regions, which sit outside every domain window). */
static uint32_t g_dom_first, g_dom_avail;

static void cm_clear_domain_slots(uint32_t keep_first, uint32_t keep_avail)
{
    /* At most two runs (rtm_stale_slot_runs_), one register sequence and barrier each. */
    rtm_slot_runs_ r = rtm_stale_slot_runs_(g_dom_first, g_dom_avail, keep_first, keep_avail);
    for (unsigned i = 0; i < 2u; i++)
        if (r.count[i] != 0) (void)rtm_cm_mpu_clear_regions((unsigned)r.first[i], (unsigned)r.count[i]);
    g_dom_avail = 0;
}

/* Could the thread's exit SVC (and the SVCs of its port calls) not be taken now? With PRIMASK or
 * FAULTMASK set, or BASEPRI at or above (numerically at or below) SVCall's group priority, an SVC
 * escalates to HardFault (ARMv7-M ARM B1.5.4, "priority escalation"); the thread could not exit. */
static bool cm_svc_masked(void)
{
    uint32_t primask, faultmask, basepri;
    __asm volatile("mrs %0, primask\n\tmrs %1, faultmask\n\tmrs %2, basepri"
                   : "=r"(primask), "=r"(faultmask), "=r"(basepri));
    if ((primask & 1u) != 0 || (faultmask & 1u) != 0) return true;
    if ((basepri & 0xFFu) == 0) return false;
    uint32_t group = (0xFFu << (((CM_AIRCR >> 8) & 7u) + 1u)) & 0xFFu; /* group priority bits */
    uint32_t svc = (CM_SHPR2 >> 24) & 0xFFu;
    return (svc & group) >= (basepri & group);
}

rtm_err rtm_cm_thread_run(rtm_cm_thread *t)
{
    if (t == NULL || t->fn == NULL || t->stack == NULL) return RTM_ERR_ARG;
    if (cm_get_ipsr() != 0 || (cm_get_control() & 3u) != 0 || rtm_cm_thread_current() != NULL) return RTM_ERR_STATE;
    if (cm_svc_masked()) return RTM_ERR_STATE;
    rtm_domain *d = rtm_domain_of_thread((uintptr_t)t);
    if (d != NULL) {
        const rtm_mpu_regs *regs = rtm_domain_regs(d);
        rtm_err e = rtm_cm_mpu_load(regs);
        if (e != RTM_OK) return e;
        cm_clear_domain_slots(regs->first, regs->avail);
        g_dom_first = regs->first;
        g_dom_avail = regs->avail;
    } else {
        cm_clear_domain_slots(0, 0); /* no domain: none of the last domain's regions */
    }
    t->result = 0;
    t->aborted = false;
    t->fault_addr = 0;
    cm_set_current(t);
    uint32_t *top = (uint32_t *)((uintptr_t)t->stack + t->stack_bytes);
#if RTM_CM_V8M_MAIN
    /* Stack limit: an overflow raises UsageFault STKOF before anything below the stack is written. */
    __asm volatile("msr psplim, %0" : : "r"(t->stack) : "memory");
#endif
    uint32_t status = cm_thread_start(t->fn, t->arg, top, t->ctx);
#if RTM_CM_V8M_MAIN
    __asm volatile("msr psplim, %0" : : "r"(0u) : "memory");
#endif
    cm_set_current(NULL);
    return (rtm_err)status;
}

#else /* ARMv6-M: no fault status registers; threads and fault records are not provided. */

void rtm_cm_fault_init(void) {}

rtm_err rtm_cm_thread_init(rtm_cm_thread *t, int (*fn)(void *arg), void *arg, void *stack, size_t stack_bytes)
{
    (void)t; (void)fn; (void)arg; (void)stack; (void)stack_bytes;
    return RTM_ERR_UNSUPPORTED;
}

rtm_err rtm_cm_thread_run(rtm_cm_thread *t)
{
    (void)t;
    return RTM_ERR_UNSUPPORTED;
}

#endif
