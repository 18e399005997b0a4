/*
 * RV32 start-up, trap entry and U-mode thread switch (M-mode firmware, QEMU virt -bios none).
 *
 * Trap frame (36 words on the M-mode stack, a multiple of 16 bytes): [0] mepc, [i] = x_i for
 * i = 1..31 ([2] = the sp the trapped code had), [32] mstatus. mscratch is 0 while M-mode code runs
 * and holds the M-mode stack pointer while a U-mode thread runs, so the entry can tell the two apart
 * and switch stacks for U-mode traps.
 *
 * mstatus is saved and restored with mepc: a trap taken inside a handler (a fault in an interrupt
 * handler, in the fault policy or in an ecall service, which the port may SKIP or RETRY) rewrites
 * MPP and MPIE, and its mret leaves MPP = U (the privileged spec: mret sets MPP to the least-
 * privileged mode). Without the restore the outer trap's exit read MPP = U and returned to M-mode
 * code in U-mode (review finding; targets/rvtrap_test.c, "nested").
 *
 * Only hart 0 runs: the others park in _start (a multi-hart part runs this firmware on one hart;
 * rtm_port_critical_enter masks interrupts on its own hart only).
 */
    .equ FRAME, 144
    .equ F_MSTATUS, 128

    .section .text.start, "ax"
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, rtm_rv_trap_entry
    csrw mtvec, t0
    csrw mscratch, zero
    /* zero .bss */
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  la tp, rtm_rv_main_token
    call main
    call rtm_rv_semihost_exit
3:  j 3b
park:                          /* harts other than 0: no stack, no .bss of their own; wait forever */
    wfi
    j park

    .text
    .balign 4
    .globl rtm_rv_trap_entry
rtm_rv_trap_entry:
    csrrw sp, mscratch, sp
    bnez sp, 1f                /* from U-mode: sp = M-mode stack, mscratch = user sp */
    csrrw sp, mscratch, sp     /* from M-mode: back to the same stack, mscratch = 0 */
1:  addi sp, sp, -FRAME
    sw x1, 4(sp)
    sw x3, 12(sp)
    sw x4, 16(sp)
    sw x5, 20(sp)
    sw x6, 24(sp)
    sw x7, 28(sp)
    sw x8, 32(sp)
    sw x9, 36(sp)
    sw x10, 40(sp)
    sw x11, 44(sp)
    sw x12, 48(sp)
    sw x13, 52(sp)
    sw x14, 56(sp)
    sw x15, 60(sp)
    sw x16, 64(sp)
    sw x17, 68(sp)
    sw x18, 72(sp)
    sw x19, 76(sp)
    sw x20, 80(sp)
    sw x21, 84(sp)
    sw x22, 88(sp)
    sw x23, 92(sp)
    sw x24, 96(sp)
    sw x25, 100(sp)
    sw x26, 104(sp)
    sw x27, 108(sp)
    sw x28, 112(sp)
    sw x29, 116(sp)
    sw x30, 120(sp)
    sw x31, 124(sp)
    csrr t0, mscratch          /* user sp, or 0 when the trap came from M-mode */
    bnez t0, 2f
    addi t0, sp, FRAME
2:  sw t0, 8(sp)
    csrw mscratch, zero
    csrr t0, mepc
    sw t0, 0(sp)
    csrr t0, mstatus           /* MPP and MPIE of this trap: a trap nested in the handler rewrites them */
    sw t0, F_MSTATUS(sp)
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    li tp, 0                   /* "in a handler" for rtm_port_thread_id / rtm_port_in_isr */
    mv a0, sp
    call rtm_rv_trap_dispatch
    lw t0, 0(sp)
    csrw mepc, t0
    lw t0, F_MSTATUS(sp)       /* MIE is 0 here, as at entry: no trap until mret */
    csrw mstatus, t0           /* returning to U-mode (MPP = 0): the M stack goes back to mscratch */
    li t1, 0x1800
    and t0, t0, t1
    bnez t0, 3f
    addi t0, sp, FRAME
    csrw mscratch, t0
3:  lw x1, 4(sp)
    lw x3, 12(sp)
    lw x4, 16(sp)
    lw x5, 20(sp)
    lw x6, 24(sp)
    lw x7, 28(sp)
    lw x8, 32(sp)
    lw x9, 36(sp)
    lw x10, 40(sp)
    lw x11, 44(sp)
    lw x12, 48(sp)
    lw x13, 52(sp)
    lw x14, 56(sp)
    lw x15, 60(sp)
    lw x16, 64(sp)
    lw x17, 68(sp)
    lw x18, 72(sp)
    lw x19, 76(sp)
    lw x20, 80(sp)
    lw x21, 84(sp)
    lw x22, 88(sp)
    lw x23, 92(sp)
    lw x24, 96(sp)
    lw x25, 100(sp)
    lw x26, 104(sp)
    lw x27, 108(sp)
    lw x28, 112(sp)
    lw x29, 116(sp)
    lw x30, 120(sp)
    lw x31, 124(sp)
    lw x2, 8(sp)
    mret

/* uint32_t rv_thread_start(fn a0, arg a1, stack top a2, ctx a3, thread a4)
 * Saves the M-mode context in ctx, enters U-mode at fn(arg) with ra = rv_thread_exit_stub.
 * "Returns" through rv_ctx_resume with the status the trap handler chose. */
    .globl rv_thread_start
rv_thread_start:
    sw ra, 0(a3)
    sw sp, 4(a3)
    sw s0, 8(a3)
    sw s1, 12(a3)
    sw s2, 16(a3)
    sw s3, 20(a3)
    sw s4, 24(a3)
    sw s5, 28(a3)
    sw s6, 32(a3)
    sw s7, 36(a3)
    sw s8, 40(a3)
    sw s9, 44(a3)
    sw s10, 48(a3)
    sw s11, 52(a3)
    sw tp, 56(a3)
    csrr t0, mstatus
    andi t0, t0, 0x8           /* MIE */
    sw t0, 60(a3)
    /* No interrupt from here to mret: one taken after the mscratch write returned with mscratch 0
     * (MPP was M), so the thread's next trap built its frame on the U-mode stack; one after the mepc
     * write made mepc a PC of this function, run in U-mode (review finding; rvtrap_test.c, "start").
     * In U-mode M-mode interrupts are enabled whatever MIE says; rv_ctx_resume restores MIE. */
    csrci mstatus, 8
    csrw mscratch, sp          /* traps from U-mode use the stack below the saved context */
    ori tp, a4, 1
    csrw mepc, a0
    li t0, 0x1800              /* MPP = U */
    csrc mstatus, t0
    mv sp, a2
    mv a0, a1
    la ra, rv_thread_exit_stub
    /* Nothing of the M-mode caller reaches the U-mode thread: its registers (pointers, values of the
     * kernel's) are zeroed but a0 = arg, ra, sp, tp (the thread id) and gp (the program's global
     * pointer, which U-mode code addresses through) (port review). */
    li t0, 0
    li t1, 0
    li t2, 0
    li t3, 0
    li t4, 0
    li t5, 0
    li t6, 0
    li s0, 0
    li s1, 0
    li s2, 0
    li s3, 0
    li s4, 0
    li s5, 0
    li s6, 0
    li s7, 0
    li s8, 0
    li s9, 0
    li s10, 0
    li s11, 0
    li a1, 0
    li a2, 0
    li a3, 0
    li a4, 0
    li a5, 0
    li a6, 0
    li a7, 0
    mret

/* Runs in U-mode: fn returned a0. ecall 0 = thread exit. */
    .globl rv_thread_exit_stub
rv_thread_exit_stub:
    li a7, 0
    ecall
1:  j 1b

/* void rv_ctx_resume(ctx a0, status a1): back into the M-mode caller of rv_thread_start. */
    .globl rv_ctx_resume
rv_ctx_resume:
    csrw mscratch, zero
    lw ra, 0(a0)
    lw sp, 4(a0)
    lw s0, 8(a0)
    lw s1, 12(a0)
    lw s2, 16(a0)
    lw s3, 20(a0)
    lw s4, 24(a0)
    lw s5, 28(a0)
    lw s6, 32(a0)
    lw s7, 36(a0)
    lw s8, 40(a0)
    lw s9, 44(a0)
    lw s10, 48(a0)
    lw s11, 52(a0)
    lw tp, 56(a0)
    lw t0, 60(a0)
    csrs mstatus, t0
    mv a0, a1
    ret

/* uint32_t rv_semihost(op a0, arg a1): the semihosting trap sequence, uncompressed and within
 * one aligned 16-byte block as the RISC-V semihosting spec requires. */
    .globl rv_semihost
    .balign 16
rv_semihost:
    .option push
    .option norvc
    slli x0, x0, 0x1f
    ebreak
    srai x0, x0, 7
    .option pop
    ret
