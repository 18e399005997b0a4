/*
 * Private to port/riscv: the address a faulting load, store or AMO accessed, decoded from the
 * instruction, for harts whose mtval is read-only zero (the privileged spec allows it; QEMU writes
 * mtval). trap_riscv.c calls it for a data fault with mtval == 0; tests/port/test_rv_decode.c runs
 * it on the host. Freestanding C11, no CSR access: the caller reads the instruction at mepc.
 *
 * Recognised: the data accesses of RV32IMAC, the only instructions of RV32IMAC that raise a load or
 * store/AMO fault:
 *   LB LH LW LBU LHU (LOAD, funct3 0 1 2 4 5)   x[rs1] + sext(imm[11:0])
 *   SB SH SW (STORE, funct3 0 1 2)               x[rs1] + sext(imm[11:5] | imm[4:0])
 *   LR.W SC.W AMO*.W (AMO, funct3 010)           x[rs1]
 *   C.LW C.SW (quadrant 0, funct3 010 110)       x[8 + rs1'] + uimm[6:2]
 *   C.LWSP C.SWSP (quadrant 2, funct3 010 110)   x2 + uimm[7:2]
 * Anything else (FLW, FSW, C.FLW, C.FLWSP, ... of a build with F; RV64's LD, LWU, C.LD; a vendor's
 * access instruction) is refused rather than guessed: the fault then carries no address. The
 * 12-bit immediates are sign-extended and the sums wrap modulo 2^32, as the hart computes them; the
 * compressed offsets are zero-extended multiples of 4.
 */
#ifndef RTM_RV_DECODE_H
#define RTM_RV_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Sets *addr to the address instruction insn accesses and returns true if it is one of the forms
 * above; returns false (*addr untouched) otherwise. insn: the instruction's 16 bits (in the low
 * half; the high half is not read) or its 32 bits. x[i]: register x_i when the instruction ran, for
 * i = 1..31; x[0] is never read (the port's trap frame keeps mepc there) and x0 as a base is 0.
 * Reserved encodings inside these forms (LR.W with rs2 != 0, C.LWSP with rd = 0) are not told
 * apart: a hart raises an illegal-instruction exception for them, never a data fault. Every AMO
 * with funct3 010 is taken, as the A extension's are: all address x[rs1] (Zacas's AMOCAS.W too).
 * The 12-bit immediates are sign-extended by an arithmetic shift of the instruction as int32_t:
 * GCC and clang define >> of a negative int so (the port is GNU C already: rv_csr.h), and it is one
 * instruction where a portable sign extension takes four. */
static inline bool rv_decode_data_addr(uint32_t insn, const uint32_t *x, uint32_t *addr)
{
    uint32_t q = insn & 3u, c3 = (insn >> 13) & 7u; /* quadrant; funct3 of a compressed instruction */
    uint32_t base, off;
    if (q == 3u) {
        uint32_t op = insn & 0x7Fu, f3 = (insn >> 12) & 7u, rs1 = (insn >> 15) & 31u;
        base = rs1 != 0 ? x[rs1] : 0u;
        if (op == 0x03u && ((0x37u >> f3) & 1u) != 0) /* LOAD: LB LH LW LBU LHU, imm[11:0] = [31:20] */
            off = (uint32_t)((int32_t)insn >> 20);
        else if (op == 0x23u && f3 <= 2u) /* STORE: SB SH SW, imm[11:5] = [31:25], imm[4:0] = [11:7] */
            off = (uint32_t)((int32_t)(insn & 0xFE000000u) >> 20) | ((insn >> 7) & 0x1Fu);
        else if (op == 0x2Fu && f3 == 2u) /* AMO, word */
            off = 0;
        else
            return false;
    } else if (q == 1u || (c3 & 3u) != 2u) { /* quadrant 1 has no access; 0 and 2: funct3 010, 110 */
        return false;
    } else if (q == 0u) { /* C.LW, C.SW: [12:10] uimm[5:3], [9:7] rs1', [6] uimm[2], [5] uimm[6] */
        base = x[8u + ((insn >> 7) & 7u)];
        off = ((insn >> 7) & 0x38u) | ((insn >> 4) & 0x4u) | ((insn << 1) & 0x40u);
    } else {
        base = x[2];
        if (c3 == 2u) /* C.LWSP: [12] uimm[5], [11:7] rd, [6:4] uimm[4:2], [3:2] uimm[7:6] */
            off = ((insn >> 7) & 0x20u) | ((insn >> 2) & 0x1Cu) | ((insn << 4) & 0xC0u);
        else /* C.SWSP: [12:9] uimm[5:2], [8:7] uimm[7:6] */
            off = ((insn >> 7) & 0x3Cu) | ((insn >> 1) & 0xC0u);
    }
    *addr = base + off;
    return true;
}

#endif /* RTM_RV_DECODE_H */
