/*
 * rv_decode_data_addr (port/riscv/rv_decode.h) on the host: the address of a faulting load, store
 * or AMO, decoded from its instruction for a hart whose mtval is read-only zero (trap_riscv.c).
 *  - exact cases: instruction words as GNU as (rv32imafdc) encodes them, each form with negative,
 *    largest and zero offsets, x0 as the base, sp-relative, every compressed register x8..x15, and
 *    encodings that must be refused (F and D accesses, RV64's LD/LWU/SD/AMO*.D, non-accesses);
 *  - randomized: instruction fields drawn at random, encoded here from the spec's bit tables (not
 *    from the decoder's shifts), and random words classified by mask/match against the same table;
 *    RTM_SEED replays a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rtm_test.h"
#include "rv_decode.h"

/* The trap frame's layout (start.S): [0] mepc, [i] = x_i. x0 must never be read as a base: the
 * frame holds mepc there, set to a value no expected address has. */
#define MEPC_MARK 0x5EC0DE00u

static void fixed_regs(uint32_t x[32])
{
    x[0] = MEPC_MARK;
    for (uint32_t i = 1; i < 32; i++) x[i] = 0x80000000u + 0x1000u * i;
    x[11] = 0; /* a1: lb a0, -1(a1) wraps to 0xFFFFFFFF */
}

typedef struct {
    const char *text; /* as GNU as spells it */
    uint32_t insn;
    bool ok;
    uint32_t addr; /* with fixed_regs */
} exact_case;

static const exact_case k_exact[] = {
    /* RV32I loads: sign-extended 12-bit offsets */
    {"lb a0,-1(a1)", 0xfff58503u, true, 0xFFFFFFFFu},
    {"lh t0,2047(s0)", 0x7ff41283u, true, 0x800087FFu},
    {"lw ra,-2048(sp)", 0x80012083u, true, 0x80001800u},
    {"lbu a5,0(zero)", 0x00004783u, true, 0x00000000u},
    {"lhu s11,1284(zero)", 0x50405d83u, true, 0x00000504u},
    {"lw zero,4(t6)", 0x004fa003u, true, 0x8001F004u},
    {"lw a0,8(sp)", 0x00812503u, true, 0x80002008u},
    {"lw a0,0(s0)", 0x00042503u, true, 0x80008000u},
    /* stores: imm[11:5] | imm[4:0] */
    {"sb a2,-1(a3)", 0xfec68fa3u, true, 0x8000CFFFu},
    {"sh zero,2047(s1)", 0x7e049fa3u, true, 0x800097FFu},
    {"sw a1,-2048(t0)", 0x80b2a023u, true, 0x80004800u},
    {"sw t1,0(zero)", 0x00602023u, true, 0x00000000u},
    {"sw a0,8(sp)", 0x00a12423u, true, 0x80002008u},
    /* A: the address is rs1 */
    {"lr.w a0,(a2)", 0x1006252fu, true, 0x8000C000u},
    {"sc.w.aq a2,a3,(a4)", 0x1cd7262fu, true, 0x8000E000u},
    {"amoswap.w.aqrl t0,t1,(sp)", 0x0e6122afu, true, 0x80002000u},
    {"amoadd.w zero,a0,(s2)", 0x00a9202fu, true, 0x80012000u},
    {"amomaxu.w a0,a1,(zero)", 0xe0b0252fu, true, 0x00000000u},
    {"amoor.w a0,a1,(t3)", 0x40be252fu, true, 0x8001C000u},
    /* C: rs1' + uimm, sp + uimm */
    {"c.lw a0,0(s1)", 0x4088u, true, 0x80009000u},
    {"c.lw s0,124(a5)", 0x5fe0u, true, 0x8000F07Cu},
    {"c.sw a5,64(s0)", 0xc03cu, true, 0x80008040u},
    {"c.sw a0,4(a3)", 0xc2c8u, true, 0x8000D004u},
    {"c.lwsp ra,252(sp)", 0x50feu, true, 0x800020FCu},
    {"c.lwsp a0,0(sp)", 0x4502u, true, 0x80002000u},
    {"c.swsp s0,0(sp)", 0xc022u, true, 0x80002000u},
    {"c.swsp t6,252(sp)", 0xdffeu, true, 0x800020FCu},
    {"c.swsp a1,132(sp)", 0xc32eu, true, 0x80002084u},
    /* compressed registers: rs1' 0..7 = x8..x15 */
    {"c.lw a0,4(s0)", 0x4048u, true, 0x80008004u},
    {"c.lw a0,4(s1)", 0x40c8u, true, 0x80009004u},
    {"c.lw a0,4(a0)", 0x4148u, true, 0x8000A004u},
    {"c.lw a0,4(a1)", 0x41c8u, true, 0x00000004u},
    {"c.lw a0,4(a2)", 0x4248u, true, 0x8000C004u},
    {"c.lw a0,4(a3)", 0x42c8u, true, 0x8000D004u},
    {"c.lw a0,4(a4)", 0x4348u, true, 0x8000E004u},
    {"c.lw a0,4(a5)", 0x43c8u, true, 0x8000F004u},
    {"c.sw s0,8(s0)", 0xc400u, true, 0x80008008u},
    {"c.sw s0,8(s1)", 0xc480u, true, 0x80009008u},
    {"c.sw s0,8(a0)", 0xc500u, true, 0x8000A008u},
    {"c.sw s0,8(a1)", 0xc580u, true, 0x00000008u},
    {"c.sw s0,8(a2)", 0xc600u, true, 0x8000C008u},
    {"c.sw s0,8(a3)", 0xc680u, true, 0x8000D008u},
    {"c.sw s0,8(a4)", 0xc700u, true, 0x8000E008u},
    {"c.sw s0,8(a5)", 0xc780u, true, 0x8000F008u},
    /* refused: F and D accesses (a build with F), RV64 widths, instructions that access nothing */
    {"flw fa0,-4(a1)", 0xffc5a507u, false, 0},
    {"fsw fa0,8(sp)", 0x00a12427u, false, 0},
    {"c.flw fa0,4(s0) (RV64: c.ld)", 0x6048u, false, 0},
    {"c.fsw fa0,4(s0) (RV64: c.sd)", 0xe048u, false, 0},
    {"c.flwsp fa0,8(sp)", 0x6522u, false, 0},
    {"c.fswsp fa0,8(sp)", 0xe42au, false, 0},
    {"c.fld fa0,8(s0)", 0x2408u, false, 0},
    {"c.fsd fa0,8(s0)", 0xa408u, false, 0},
    {"ld a0,0(a1) (RV64)", 0x0005b503u, false, 0},
    {"lwu a0,0(a1) (RV64)", 0x0005e503u, false, 0},
    {"sd a0,0(a1) (RV64)", 0x00a5b023u, false, 0},
    {"amoadd.d a0,a1,(a2) (RV64)", 0x00b6352fu, false, 0},
    {"LOAD funct3 7", 0x0005f503u, false, 0},
    {"STORE funct3 4", 0x00b5c023u, false, 0},
    {"c.addi4spn a0,sp,16", 0x0808u, false, 0},
    {"c.li a0,5", 0x4515u, false, 0},
    {"c.addi a0,1", 0x0505u, false, 0},
    {"c.mv a0,a1", 0x852eu, false, 0},
    {"c.jr ra", 0x8082u, false, 0},
    {"addi a0,a1,4", 0x00458513u, false, 0},
    {"jalr ra,0(a1)", 0x000580e7u, false, 0},
    {"csrrs a0,mtval,zero", 0x34302573u, false, 0},
    {"fence iorw,iorw", 0x0ff0000fu, false, 0},
    {"all zero (illegal)", 0x00000000u, false, 0},
    {"all ones (illegal)", 0xFFFFFFFFu, false, 0},
    {"48-bit prefix, LOAD-like low bits", 0x0000001Fu, false, 0},
};

static void test_exact(void **state)
{
    (void)state;
    uint32_t x[32];
    fixed_regs(x);
    for (size_t i = 0; i < sizeof k_exact / sizeof k_exact[0]; i++) {
        const exact_case *c = &k_exact[i];
        uint32_t addr = 0xA5A5A5A5u;
        bool ok = rv_decode_data_addr(c->insn, x, &addr);
        if (ok != c->ok || (ok && addr != c->addr) || (!ok && addr != 0xA5A5A5A5u))
            fail_msg("%s (%08x): got %s %08x, want %s %08x", c->text, (unsigned)c->insn, ok ? "ok" : "refused",
                     (unsigned)addr, c->ok ? "ok" : "refused (address untouched)", (unsigned)(c->ok ? c->addr : 0xA5A5A5A5u));
        /* a 16-bit instruction's high half (the next instruction) is not looked at */
        if ((c->insn & 3u) != 3u) {
            uint32_t a2 = 0xA5A5A5A5u;
            bool ok2 = rv_decode_data_addr(c->insn | 0xFFFF0000u, x, &a2);
            if (ok2 != ok || a2 != addr) fail_msg("%s: the high half changed the answer", c->text);
        }
    }
}

/* x0 as the base reads 0 whatever frame[0] (mepc) holds; a compressed base is never x0..x7. */
static void test_x0_base_is_zero(void **state)
{
    (void)state;
    uint32_t x[32];
    fixed_regs(x);
    static const uint32_t marks[] = {0u, 1u, 0x80000000u, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        x[0] = marks[i];
        uint32_t a = 1;
        assert_true(rv_decode_data_addr(0x50405d83u, x, &a)); /* lhu s11,1284(zero) */
        assert_int_equal(a, 0x504u);
        assert_true(rv_decode_data_addr(0xe0b0252fu, x, &a)); /* amomaxu.w a0,a1,(zero) */
        assert_int_equal(a, 0u);
        assert_true(rv_decode_data_addr(0x80002023u, x, &a)); /* sw zero,-2048(zero) */
        assert_int_equal(a, 0xFFFFF800u);
    }
}

/* ---- the reference: forms as the spec draws them, bit by bit ---------------------------------- */

enum { BASE_RS1, BASE_RS1C, BASE_SP };

/* {instruction bit, immediate bit} pairs, ended by {-1, -1} */
typedef struct {
    int8_t insn_bit, imm_bit;
} bitmap;

static const bitmap k_imm_i[] = {{20, 0}, {21, 1}, {22, 2}, {23, 3}, {24, 4}, {25, 5}, {26, 6}, {27, 7},
                                 {28, 8}, {29, 9}, {30, 10}, {31, 11}, {-1, -1}};
static const bitmap k_imm_s[] = {{7, 0}, {8, 1}, {9, 2}, {10, 3}, {11, 4}, {25, 5}, {26, 6}, {27, 7},
                                 {28, 8}, {29, 9}, {30, 10}, {31, 11}, {-1, -1}};
static const bitmap k_imm_none[] = {{-1, -1}};
static const bitmap k_imm_cl[] = {{6, 2}, {10, 3}, {11, 4}, {12, 5}, {5, 6}, {-1, -1}};
static const bitmap k_imm_clwsp[] = {{4, 2}, {5, 3}, {6, 4}, {12, 5}, {2, 6}, {3, 7}, {-1, -1}};
static const bitmap k_imm_cswsp[] = {{9, 2}, {10, 3}, {11, 4}, {12, 5}, {7, 6}, {8, 7}, {-1, -1}};

typedef struct {
    const char *name;
    uint32_t mask, match; /* riscv-opcodes style; 16-bit forms: the low half only */
    int base;
    const bitmap *imm;
    int imm_bits; /* sign bit = imm_bits - 1 if signed */
    bool sext;
} form;

/* The word AMOs as the A extension lists them (funct5 in [31:27]), and one line that stands for
 * the decoder's rule (any funct5 with funct3 010: also Zacas's AMOCAS.W, all at x[rs1]). */
static const form k_forms[] = {
    {"lb", 0x707Fu, 0x0003u, BASE_RS1, k_imm_i, 12, true},
    {"lh", 0x707Fu, 0x1003u, BASE_RS1, k_imm_i, 12, true},
    {"lw", 0x707Fu, 0x2003u, BASE_RS1, k_imm_i, 12, true},
    {"lbu", 0x707Fu, 0x4003u, BASE_RS1, k_imm_i, 12, true},
    {"lhu", 0x707Fu, 0x5003u, BASE_RS1, k_imm_i, 12, true},
    {"sb", 0x707Fu, 0x0023u, BASE_RS1, k_imm_s, 12, true},
    {"sh", 0x707Fu, 0x1023u, BASE_RS1, k_imm_s, 12, true},
    {"sw", 0x707Fu, 0x2023u, BASE_RS1, k_imm_s, 12, true},
    {"lr.w", 0xF9F0707Fu, 0x1000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"sc.w", 0xF800707Fu, 0x1800202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amoswap.w", 0xF800707Fu, 0x0800202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amoadd.w", 0xF800707Fu, 0x0000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amoxor.w", 0xF800707Fu, 0x2000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amoand.w", 0xF800707Fu, 0x6000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amoor.w", 0xF800707Fu, 0x4000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amomin.w", 0xF800707Fu, 0x8000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amomax.w", 0xF800707Fu, 0xA000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amominu.w", 0xF800707Fu, 0xC000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amomaxu.w", 0xF800707Fu, 0xE000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"amo.w (any funct5)", 0x0000707Fu, 0x0000202Fu, BASE_RS1, k_imm_none, 0, false},
    {"c.lw", 0xE003u, 0x4000u, BASE_RS1C, k_imm_cl, 7, false},
    {"c.sw", 0xE003u, 0xC000u, BASE_RS1C, k_imm_cl, 7, false},
    {"c.lwsp", 0xE003u, 0x4002u, BASE_SP, k_imm_clwsp, 8, false},
    {"c.swsp", 0xE003u, 0xC002u, BASE_SP, k_imm_cswsp, 8, false},
};
#define N_FORMS (sizeof k_forms / sizeof k_forms[0])

static bool is_16bit(const form *f) { return (f->match & 3u) != 3u; }

/* The immediate's value as a signed offset (two's complement in uint32_t). */
static uint32_t imm_value(const form *f, uint32_t raw)
{
    if (f->sext && f->imm_bits > 0 && ((raw >> (f->imm_bits - 1)) & 1u)) raw |= ~((1u << f->imm_bits) - 1u);
    return raw;
}

/* Encodes form f with base register field b (rs1, or rs1' 0..7; ignored for sp-relative) and
 * immediate bits raw (only the bits the form has), the other fields (rd, rs2, aq/rl, ...) from
 * noise. */
static uint32_t encode(const form *f, uint32_t b, uint32_t raw, uint32_t noise)
{
    uint32_t w = (noise & ~f->mask) | f->match;
    if (is_16bit(f)) w &= 0xFFFFu;
    for (const bitmap *m = f->imm; m->insn_bit >= 0; m++) {
        w &= ~(1u << m->insn_bit);
        w |= ((raw >> m->imm_bit) & 1u) << m->insn_bit;
    }
    if (f->base == BASE_RS1) w = (w & ~(31u << 15)) | (b << 15);
    if (f->base == BASE_RS1C) w = (w & ~(7u << 7)) | (b << 7);
    return w;
}

/* The reference decode of a word: the first form whose mask/match it has; its fields pulled out
 * bit by bit through the same table. */
static bool reference(uint32_t w, const uint32_t x[32], uint32_t *addr)
{
    for (size_t i = 0; i < N_FORMS; i++) {
        const form *f = &k_forms[i];
        uint32_t v = is_16bit(f) ? (w & 0xFFFFu) : w;
        if (is_16bit(f) != ((w & 3u) != 3u) || (v & f->mask) != f->match) continue;
        uint32_t raw = 0;
        for (const bitmap *m = f->imm; m->insn_bit >= 0; m++) raw |= ((v >> m->insn_bit) & 1u) << m->imm_bit;
        uint32_t base;
        if (f->base == BASE_RS1) {
            uint32_t r = (v >> 15) & 31u;
            base = r == 0 ? 0u : x[r];
        } else if (f->base == BASE_RS1C) {
            base = x[8u + ((v >> 7) & 7u)];
        } else {
            base = x[2];
        }
        *addr = base + imm_value(f, raw);
        return true;
    }
    return false;
}

static void random_regs(rtm_test_rng *rng, uint32_t x[32])
{
    for (int i = 0; i < 32; i++) x[i] = (uint32_t)rtm_test_next(rng);
    x[0] |= 1u; /* mepc-like, but never 0: a decoder that read x[0] for x0 would be seen */
}

/* Random fields, encoded here: the decoder must give base + offset. */
static void test_random_encoded(void **state)
{
    (void)state;
    rtm_test_rng rng = {rtm_test_seed()};
    uint32_t x[32];
    size_t n = rtm_test_ops(1000000);
    size_t per_form[N_FORMS] = {0};
    for (size_t i = 0; i < n; i++) {
        if ((i & 63u) == 0) random_regs(&rng, x);
        size_t fi = (size_t)rtm_test_rnd(&rng, N_FORMS);
        const form *f = &k_forms[fi];
        uint32_t b = f->base == BASE_RS1C ? (uint32_t)rtm_test_rnd(&rng, 8) : (uint32_t)rtm_test_rnd(&rng, 32);
        uint32_t raw = 0, bits = 0;
        for (const bitmap *m = f->imm; m->insn_bit >= 0; m++) bits |= 1u << m->imm_bit;
        /* the extremes (all bits, none, only the sign) as often as the rest */
        switch (rtm_test_rnd(&rng, 4)) {
        case 0: raw = bits; break;
        case 1: raw = 0; break;
        case 2: raw = f->imm_bits > 0 ? 1u << (f->imm_bits - 1) : 0u; break;
        default: raw = (uint32_t)rtm_test_next(&rng) & bits; break;
        }
        uint64_t noise = rtm_test_next(&rng);
        uint32_t w = encode(f, b, raw, (uint32_t)noise);
        uint32_t base = f->base == BASE_RS1 ? (b == 0 ? 0u : x[b]) : f->base == BASE_RS1C ? x[8 + b] : x[2];
        uint32_t want = base + imm_value(f, raw);
        uint32_t got = 0;
        if (!rv_decode_data_addr(w, x, &got) || got != want)
            fail_msg("op %zu: %s base field %u imm 0x%x -> %08x: got %08x, want %08x", i, f->name, (unsigned)b,
                     (unsigned)raw, (unsigned)w, (unsigned)got, (unsigned)want);
        /* a 16-bit instruction followed by anything */
        if (is_16bit(f)) {
            uint32_t got2 = 0;
            if (!rv_decode_data_addr(w | (uint32_t)(noise >> 32) << 16, x, &got2) || got2 != want)
                fail_msg("op %zu: %s %04x: the high half changed the answer", i, f->name, (unsigned)w);
        }
        per_form[fi]++;
    }
    for (size_t i = 0; i < N_FORMS; i++) assert_true(per_form[i] > 0);
}

/* Random words, biased to the major opcodes and compressed funct3 values around the accesses
 * (LOAD, LOAD-FP, STORE, STORE-FP, AMO, MISC-MEM, OP-IMM; every quadrant): recognised iff the
 * reference's table has the word, and then with its address. */
static void test_random_words(void **state)
{
    (void)state;
    static const uint32_t ops[] = {0x03u, 0x07u, 0x23u, 0x27u, 0x2Fu, 0x0Fu, 0x13u, 0x73u};
    rtm_test_rng rng = {rtm_test_seed() ^ 0x5A5Au};
    uint32_t x[32];
    size_t n = rtm_test_ops(1000000), recognised = 0;
    for (size_t i = 0; i < n; i++) {
        if ((i & 63u) == 0) random_regs(&rng, x);
        uint32_t w = (uint32_t)rtm_test_next(&rng);
        switch (rtm_test_rnd(&rng, 4)) {
        case 0: w = (w & ~0x7Fu) | ops[rtm_test_rnd(&rng, sizeof ops / sizeof ops[0])]; break;
        case 1: w &= ~3u; break;              /* quadrant 0 */
        case 2: w = (w & ~3u) | 2u; break;    /* quadrant 2 */
        default: break;                        /* anything */
        }
        uint32_t want = 0x11111111u, got = 0x11111111u;
        bool ref = reference(w, x, &want), ok = rv_decode_data_addr(w, x, &got);
        if (ref != ok || got != want)
            fail_msg("op %zu: %08x: got %s %08x, want %s %08x", i, (unsigned)w, ok ? "ok" : "refused",
                     (unsigned)got, ref ? "ok" : "refused", (unsigned)want);
        recognised += ok;
    }
    /* both answers seen often: the bias works */
    assert_true(recognised > n / 8 && recognised < n - n / 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_x0_base_is_zero),
        cmocka_unit_test(test_random_encoded),
        cmocka_unit_test(test_random_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
