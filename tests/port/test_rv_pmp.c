/*
 * The RISC-V port's PMP load and clear (port/riscv/pmp_riscv.c) on the host, against a model of
 * the hart's PMP CSRs (privileged spec, "Physical Memory Protection"): a granularity G of the
 * test's choosing, locked entries, locked TOR neighbours, fewer implemented entries or address
 * bits. QEMU's PMP has G = 0, so the firmware tests (targets/rvtrap_test.c) cannot reach the
 * load's granularity probe, its refusal of a plan a coarser PMP would widen, or its read-back on
 * such a hart; this test does. pmp_riscv.c is compiled with RTM_RV_PMP_MODEL, which routes its CSR
 * accesses and fences to the functions below.
 *
 * The model, per the spec: pmpaddr reads depend on the entry's current A field (G >= 1: bits
 * G-1..0 read as zeros while OFF or TOR; G >= 2: bits G-2..0 read as ones while NAPOT), the stored
 * value does not change; writes to a locked entry's pmpaddr and cfg byte, and to the pmpaddr below
 * a locked TOR entry, are ignored; NA4 is not selectable when G >= 1 (this model stores OFF);
 * unimplemented entries read 0 and ignore writes; pmpaddr keeps only the implemented address
 * bits (WARL). Every write must be followed by a fence (rtm_rv_model_sync) before the port
 * returns, and no entry may be turned on before its address (and a TOR entry's base) is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtm_riscv.h"
#include "rtm_test.h"

_Static_assert(RTM_RV_PMP_ENTRIES == 16u, "the test's plans assume the port's default 16 PMP entries");

/* ---- the model -------------------------------------------------------------------------------- */

static struct {
    unsigned entries;   /* implemented entries */
    unsigned g;         /* granularity: 2^(g + 2) bytes, 0..29 */
    uint32_t addr_mask; /* implemented pmpaddr bits */
    uint32_t addr[64];  /* stored pmpaddr values */
    uint8_t cfg[64];
    unsigned addr_writes, cfg_writes, ignored_addr_writes, syncs;
    bool dirty;                   /* a write not yet followed by a fence */
    const rtm_mpu_regs *expect;   /* the plan being loaded: entries may only go on as planned */
    unsigned early_on;            /* entries turned on before their addresses were written */
} m;

static void model_reset(unsigned g, unsigned entries, uint32_t addr_mask)
{
    memset(&m, 0, sizeof m);
    m.g = g;
    m.entries = entries;
    m.addr_mask = addr_mask;
}

static uint32_t low_bits(unsigned n) { return n >= 32u ? 0xFFFFFFFFu : ((uint32_t)1 << n) - 1u; }

uint32_t rtm_rv_model_pmpaddr_read(unsigned i)
{
    assert_true(i < 64u);
    if (i >= m.entries) return 0;
    uint32_t v = m.addr[i];
    if ((m.cfg[i] & RTM_PMP_A_NA4) == 0) { /* A[1] clear: OFF or TOR */
        v &= ~low_bits(m.g);
    } else if (m.g >= 2u) { /* NAPOT (NA4 cannot be selected when G >= 1) */
        v |= low_bits(m.g - 1u);
    }
    return v;
}

void rtm_rv_model_pmpaddr_write(unsigned i, uint32_t v)
{
    assert_true(i < 64u);
    m.dirty = true;
    m.addr_writes++;
    bool tor_above_locked = i + 1u < m.entries && (m.cfg[i + 1u] & RTM_PMP_L) &&
                            (m.cfg[i + 1u] & RTM_PMP_A_NAPOT) == RTM_PMP_A_TOR;
    if (i >= m.entries || (m.cfg[i] & RTM_PMP_L) || tor_above_locked) {
        m.ignored_addr_writes++;
        return;
    }
    m.addr[i] = v & m.addr_mask;
}

uint32_t rtm_rv_model_pmpcfg_read(unsigned w)
{
    assert_true(w < 16u);
    uint32_t v = 0;
    for (unsigned b = 0; b < 4u; b++) v |= (uint32_t)m.cfg[4u * w + b] << (8u * b);
    return v;
}

/* Did the plan being loaded put @p slot's address (and a TOR entry's base) in place? */
static bool addresses_written_for(unsigned slot, uint8_t c)
{
    const rtm_mpu_regs *r = m.expect;
    if (r == NULL || slot < r->first || slot >= r->first + r->count) return true;
    unsigned i = slot - r->first;
    if (m.addr[slot] != (r->r.pmp[i].pmpaddr & m.addr_mask)) return false;
    if ((c & RTM_PMP_A_NAPOT) == RTM_PMP_A_TOR && slot > 0 && i > 0)
        return m.addr[slot - 1u] == (r->r.pmp[i - 1u].pmpaddr & m.addr_mask);
    return true;
}

void rtm_rv_model_pmpcfg_write(unsigned w, uint32_t v)
{
    assert_true(w < 16u);
    m.dirty = true;
    m.cfg_writes++;
    for (unsigned b = 0; b < 4u; b++) {
        unsigned slot = 4u * w + b;
        uint8_t c = (uint8_t)(v >> (8u * b));
        if (slot >= m.entries || (m.cfg[slot] & RTM_PMP_L)) continue;
        if (m.g >= 1u && (c & RTM_PMP_A_NAPOT) == RTM_PMP_A_NA4) c &= (uint8_t)~RTM_PMP_A_NAPOT;
        if ((c & RTM_PMP_A_NAPOT) != RTM_PMP_A_OFF && (m.cfg[slot] & RTM_PMP_A_NAPOT) == RTM_PMP_A_OFF &&
            !addresses_written_for(slot, c))
            m.early_on++;
        m.cfg[slot] = c;
    }
}

void rtm_rv_model_sync(void)
{
    m.syncs++;
    m.dirty = false;
}

/* What every call must leave: no write without a fence after it, no entry on before its address. */
static void assert_model_clean(void)
{
    assert_false(m.dirty);
    assert_int_equal(m.early_on, 0);
}

/* The model's slots at one moment, to compare with after a call. */
typedef struct {
    uint32_t addr[64];
    uint8_t cfg[64];
} hart_state;

static hart_state snapshot(void)
{
    hart_state h;
    memcpy(h.addr, m.addr, sizeof h.addr);
    memcpy(h.cfg, m.cfg, sizeof h.cfg);
    return h;
}

/* ---- plans ------------------------------------------------------------------------------------ */

/* A domain plan for the port's arch with 2 system slots (slots 14 and 15): domain slots [0, 14). */
static rtm_mpu_regs plan_of(const rtm_mpu_range *ranges, size_t n)
{
    rtm_mpu_arch arch = rtm_rv_pmp_arch(2);
    rtm_mpu_regs r;
    rtm_mpu_diag d;
    assert_int_equal(rtm_mpu_plan(&arch, RTM_MPU_SET_DOMAIN, ranges, n, &r, &d), RTM_OK);
    assert_int_equal(r.first, 0);
    assert_int_equal(r.avail, 14);
    return r;
}

/* The 4 KiB NAPOT region, a 48-byte TOR range on 16-byte boundaries and a 256-byte NAPOT one. */
static const rtm_mpu_range k_coarse_ok[] = {
    {0x80010000u, 0x1000u, RTM_PART_P_RW_U_RW | RTM_PART_XN},
    {0x80020010u, 0x30u, RTM_PART_P_RW_U_RO | RTM_PART_XN},
    {0x80030100u, 0x100u, RTM_PART_P_RW_U_RO},
};

/* rtm_rv_pmp_get reads every slot as the hart does (the cfg byte from its word and place). */
static void assert_gets_match_model(void)
{
    for (unsigned s = 0; s < RTM_RV_PMP_ENTRIES; s++) {
        uint32_t a = 0xDEADBEEFu;
        uint8_t c = 0xA5u;
        assert_int_equal(rtm_rv_pmp_get(s, &a, &c), RTM_OK);
        assert_int_equal(a, rtm_rv_model_pmpaddr_read(s));
        assert_int_equal(c, m.cfg[s]);
    }
}

/* Is every slot of the plan's window loaded as planned, and every other slot as before? */
static void assert_loaded(const rtm_mpu_regs *r, const hart_state *before)
{
    for (unsigned s = 0; s < 64u; s++) {
        if (s >= r->first && s < r->first + r->count) {
            unsigned i = s - r->first;
            assert_int_equal(m.cfg[s], r->r.pmp[i].pmpcfg);
            assert_int_equal(m.addr[s], r->r.pmp[i].pmpaddr);
            uint32_t a;
            uint8_t c;
            assert_int_equal(rtm_rv_pmp_get(s, &a, &c), RTM_OK);
            assert_int_equal(a, r->r.pmp[i].pmpaddr); /* read as the hart reads it: exact when it fits G */
            assert_int_equal(c, r->r.pmp[i].pmpcfg);
        } else if (s >= r->first && s < r->first + r->avail) {
            assert_int_equal(m.cfg[s], 0);
        } else {
            assert_int_equal(m.cfg[s], before->cfg[s]);
            if (s != r->first) assert_int_equal(m.addr[s], before->addr[s]);
        }
    }
    assert_gets_match_model();
}

/* Loads @p r, which must load (RTM_OK): every slot as planned, the rest as before (assert_loaded),
 * entries on only after their addresses, a fence last. Returns the slots as they were before. */
static hart_state load_ok(const rtm_mpu_regs *r)
{
    hart_state before = snapshot();
    m.expect = r;
    assert_int_equal(rtm_rv_pmp_load(r), RTM_OK);
    assert_model_clean();
    assert_loaded(r, &before);
    return before;
}

static void assert_window_off_rest_kept(const rtm_mpu_regs *r, const uint8_t before_cfg[64])
{
    for (unsigned s = 0; s < 64u; s++) {
        if (s >= r->first && s < r->first + r->avail)
            assert_int_equal(m.cfg[s], 0);
        else
            assert_int_equal(m.cfg[s], before_cfg[s]);
    }
}

/* System slots 14 and 15 as a boot loader might leave them: a locked NAPOT region (M-mode's own
 * code, read-execute) and an unlocked one. */
static void preset_system_slots(void)
{
    m.addr[14] = (0x80000000u >> 2) | 0x7FFu; /* 8 KiB at 0x80000000 */
    m.cfg[14] = RTM_PMP_L | RTM_PMP_A_NAPOT | RTM_PMP_R | RTM_PMP_X;
    m.addr[15] = (0x10000000u >> 2) | 0x1Fu; /* 256 B of device */
    m.cfg[15] = RTM_PMP_A_NAPOT | RTM_PMP_R | RTM_PMP_W;
}

/* ---- tests ------------------------------------------------------------------------------------ */

/* G = 0 (QEMU's PMP): a plan loads exactly, the system slots are untouched, the fence comes last. */
static void test_load_g0(void **state)
{
    (void)state;
    model_reset(0, 16, 0xFFFFFFFFu);
    preset_system_slots();
    static const rtm_mpu_range ranges[] = {
        {0x80010000u, 0x1000u, RTM_PART_P_RW_U_RW | RTM_PART_XN},
        {0x80020004u, 0x4u, RTM_PART_P_RW_U_RO | RTM_PART_XN}, /* NA4 */
        {0x80020104u, 0x1Cu, RTM_PART_P_RW_U_RO},               /* TOR pair */
    };
    rtm_mpu_regs r = plan_of(ranges, 3);
    hart_state before = load_ok(&r);
    assert_int_equal(m.ignored_addr_writes, 0);

    /* Loading an empty plan turns the window off and leaves the addresses. */
    rtm_mpu_regs none = r;
    none.count = 0;
    uint32_t addr_before[64];
    memcpy(addr_before, m.addr, sizeof addr_before);
    assert_int_equal(rtm_rv_pmp_load(&none), RTM_OK);
    assert_model_clean();
    assert_window_off_rest_kept(&none, before.cfg);
    assert_memory_equal(m.addr, addr_before, sizeof addr_before);
}

/* A coarser PMP (G = 1, 2, 4) loads a plan whose entries it can hold: NAPOT entries of 16 B and up
 * read back, while still OFF, with their low G bits as zeros. (The review of 2026-11-29 found the
 * read-back expecting them as written: every NAPOT entry of 16 B or more refused on such a hart.)
 * Read through rtm_rv_pmp_get once on, each entry reads as planned. */
static void test_load_coarse_fits(void **state)
{
    (void)state;
    static const unsigned gs[] = {1, 2, 4};
    for (size_t k = 0; k < sizeof gs / sizeof gs[0]; k++) {
        model_reset(gs[k], 16, 0xFFFFFFFFu);
        preset_system_slots();
        rtm_mpu_regs r = plan_of(k_coarse_ok, gs[k] == 4u ? 1u : 3u); /* G = 4: 64-byte granules */
        assert_int_equal(rtm_pmp_check_granule(&r, gs[k]), RTM_OK);
        hart_state before = snapshot();
        m.expect = &r;
        print_message("G = %u: %u entries\n", gs[k], (unsigned)r.count);
        assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
        assert_model_clean();
        assert_loaded(&r, &before);
    }
}

/* A coarser PMP refuses what it would widen: NA4 (not selectable when G >= 1), NAPOT below its
 * granule, TOR bounds off its granule. The window is left off (entries of the previous plan
 * included: fewer rights, never more), the system slots are kept, the fence still comes. */
static void test_load_coarse_refused(void **state)
{
    (void)state;
    static const rtm_mpu_range na4[] = {{0x80020004u, 0x4u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    static const rtm_mpu_range napot8[] = {{0x80020008u, 0x8u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    static const rtm_mpu_range tor8[] = {{0x80020008u, 0x18u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    static const rtm_mpu_range napot16[] = {{0x80020010u, 0x10u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    const struct {
        const rtm_mpu_range *ranges;
        unsigned g;
    } cases[] = {{na4, 1}, {napot8, 2}, {tor8, 2}, {napot16, 3}, {k_coarse_ok, 5}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        model_reset(cases[k].g, 16, 0xFFFFFFFFu);
        preset_system_slots();
        /* a previous plan that fits, loaded and on */
        rtm_mpu_regs prev = plan_of(k_coarse_ok, 1);
        assert_int_equal(rtm_rv_pmp_load(&prev), RTM_OK);
        assert_int_not_equal(m.cfg[0], 0);
        hart_state before = snapshot();
        before.cfg[0] = 0;
        rtm_mpu_regs r = plan_of(cases[k].ranges, cases[k].ranges == k_coarse_ok ? 3u : 1u);
        assert_int_equal(rtm_pmp_check_granule(&r, cases[k].g), RTM_ERR_UNSUPPORTED);
        print_message("case %u: G = %u, %u entries refused\n", (unsigned)k, cases[k].g, (unsigned)r.count);
        unsigned syncs = m.syncs;
        assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_UNSUPPORTED);
        assert_model_clean();
        assert_true(m.syncs > syncs);
        assert_window_off_rest_kept(&r, before.cfg);
    }
}

/* Every plan of a sample against every G up to 12: the load does what rtm_pmp_check_granule says
 * (loaded exactly, or refused with the window off), and the probe puts the first slot's address
 * back whatever G is. */
static void test_load_follows_check_granule(void **state)
{
    (void)state;
    static const rtm_mpu_range plans[][2] = {
        {{0x80000000u, 0x10000u, RTM_PART_P_RW_U_RW}, {0x80100000u, 0x40u, RTM_PART_P_RW_U_RO}},
        {{0x80000100u, 0x300u, RTM_PART_P_RW_U_RW}, {0x80100000u, 0x4000u, RTM_PART_P_RW_U_RO}},
        {{0x80000020u, 0x20u, RTM_PART_P_RW_U_RW}, {0x80100800u, 0x800u, RTM_PART_P_RW_U_RO}},
        {{0x80000000u, 0x1000u, RTM_PART_P_RW_U_RW}, {0x80002000u, 0x2000u, RTM_PART_P_RW_U_RO}},
    };
    unsigned loaded = 0, refused = 0;
    for (size_t p = 0; p < sizeof plans / sizeof plans[0]; p++) {
        for (unsigned g = 0; g <= 12u; g++) {
            model_reset(g, 16, 0xFFFFFFFFu);
            preset_system_slots();
            m.addr[0] = 0x2000ABCFu; /* what the probe must put back (as an OFF entry reads it) */
            rtm_mpu_regs r = plan_of(plans[p], 2);
            hart_state before = snapshot();
            m.expect = &r;
            rtm_err want = rtm_pmp_check_granule(&r, g);
            rtm_err got = rtm_rv_pmp_load(&r);
            assert_int_equal(got, want);
            assert_model_clean();
            if (got == RTM_OK) {
                assert_loaded(&r, &before);
                loaded++;
            } else {
                assert_window_off_rest_kept(&r, before.cfg);
                assert_int_equal(m.addr[r.first], before.addr[r.first] & ~low_bits(g));
                refused++;
            }
        }
    }
    print_message("%u loads, %u refusals\n", loaded, refused);
    assert_true(loaded >= 10u && refused >= 10u); /* the sample covers both answers */
}

/* No PMP in the window's first slot (RTM_RV_PMP_ENTRIES above what the hart has: the probe reads
 * 0): refused, RTM_ERR_UNSUPPORTED. A later load into slots the hart has is not affected (the
 * port cached the first probe's G before: every later load was refused). */
static void test_load_no_pmp_in_slot(void **state)
{
    (void)state;
    model_reset(0, 8, 0xFFFFFFFFu);
    rtm_mpu_regs r = plan_of(k_coarse_ok, 3);
    rtm_mpu_regs high = r;
    high.first = 8;
    high.avail = 6;
    assert_int_equal(rtm_rv_pmp_load(&high), RTM_ERR_UNSUPPORTED);
    assert_model_clean();
    hart_state before = snapshot();
    rtm_mpu_regs low = r;
    low.avail = 8;
    m.expect = &low;
    assert_int_equal(rtm_rv_pmp_load(&low), RTM_OK);
    assert_model_clean();
    assert_loaded(&low, &before);
}

/* A locked slot in the window: RTM_ERR_STATE and nothing written (it cannot change until reset). */
static void test_load_locked_slot(void **state)
{
    (void)state;
    model_reset(0, 16, 0xFFFFFFFFu);
    preset_system_slots();
    rtm_mpu_regs r = plan_of(k_coarse_ok, 3);
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
    m.cfg[5] = RTM_PMP_L | RTM_PMP_A_NAPOT | RTM_PMP_R;
    m.addr[5] = 0x20000000u | 0xFFu;
    hart_state before = snapshot();
    unsigned writes = m.addr_writes + m.cfg_writes;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_STATE);
    assert_int_equal(m.addr_writes + m.cfg_writes, writes);
    assert_memory_equal(m.addr, before.addr, sizeof before.addr);
    assert_memory_equal(m.cfg, before.cfg, sizeof before.cfg);
    assert_model_clean();
    assert_int_equal(rtm_rv_pmp_clear(0, 14), RTM_ERR_STATE);
    assert_memory_equal(m.cfg, before.cfg, sizeof before.cfg);
    /* the first slot of the window locked, or the last: nothing written either */
    static const unsigned locked_at[] = {0, 13};
    m.cfg[5] &= (uint8_t)~RTM_PMP_L; /* the only locked slot of the window each time */
    for (size_t k = 0; k < 2u; k++) {
        uint8_t keep = m.cfg[locked_at[k]];
        m.cfg[locked_at[k]] = RTM_PMP_L | RTM_PMP_A_NAPOT | RTM_PMP_R;
        uint8_t cfg_now[64];
        memcpy(cfg_now, m.cfg, sizeof cfg_now);
        writes = m.addr_writes + m.cfg_writes;
        assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_STATE);
        assert_int_equal(rtm_rv_pmp_clear(0, 14), RTM_ERR_STATE);
        assert_int_equal(m.addr_writes + m.cfg_writes, writes);
        assert_memory_equal(m.cfg, cfg_now, sizeof cfg_now);
        m.cfg[locked_at[k]] = keep;
    }
    m.cfg[5] |= RTM_PMP_L;
    assert_int_equal(rtm_rv_pmp_clear(0, 5), RTM_OK);
    assert_model_clean();
    for (unsigned s = 0; s < 5u; s++) assert_int_equal(m.cfg[s], 0);
    assert_int_equal(m.cfg[5], before.cfg[5]);
    assert_memory_equal(m.addr, before.addr, sizeof before.addr); /* clear leaves the addresses */
}

/* A locked TOR entry just above a full window: its base is the window's top pmpaddr, which the hart
 * ignores writes to. Refused (RTM_ERR_STATE, window off) before any write to that pmpaddr: with a
 * window of one slot, the granularity probe would be that write (ignored: a wrong G, and
 * RTM_ERR_UNSUPPORTED for what is a locked neighbour). A plan that leaves the top slot unused loads. */
static void test_load_locked_tor_above(void **state)
{
    (void)state;
    model_reset(2, 16, 0xFFFFFFFFu);
    m.addr[4] = 0x20000400u; /* a locked TOR range [pmpaddr3 << 2, 0x80001000) */
    m.addr[3] = 0x1FFFFF00u;
    m.cfg[4] = RTM_PMP_L | RTM_PMP_A_TOR | RTM_PMP_R | RTM_PMP_X;
    static const rtm_mpu_range one[] = {{0x80020000u, 0x1000u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    rtm_mpu_regs r = plan_of(one, 1);
    r.first = 3;
    r.avail = 1;
    hart_state before = snapshot();
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_STATE);
    assert_model_clean();
    assert_int_equal(m.ignored_addr_writes, 0);
    assert_int_equal(m.addr_writes, 0);
    assert_memory_equal(m.addr, before.addr, sizeof before.addr);
    assert_int_equal(m.cfg[3], 0);

    /* a window of three slots whose plan uses one: the top slot stays off and unwritten */
    r.first = 1;
    r.avail = 3;
    before = snapshot();
    m.expect = &r;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
    assert_model_clean();
    assert_int_equal(m.ignored_addr_writes, 0);
    assert_loaded(&r, &before);
    assert_int_equal(m.addr[3], before.addr[3]);

    /* the same at slot 7 (byte 3 of pmpcfg1), a full window [0, 7) of seven entries below it */
    static const rtm_mpu_range seven[] = {
        {0x80020000u, 0x1000u, RTM_PART_P_RW_U_RW}, {0x80030000u, 0x1000u, RTM_PART_P_RW_U_RW},
        {0x80040000u, 0x1000u, RTM_PART_P_RW_U_RW}, {0x80050000u, 0x1000u, RTM_PART_P_RW_U_RW},
        {0x80060000u, 0x1000u, RTM_PART_P_RW_U_RW}, {0x80070000u, 0x1000u, RTM_PART_P_RW_U_RW},
        {0x80080000u, 0x1000u, RTM_PART_P_RW_U_RW},
    };
    model_reset(0, 16, 0xFFFFFFFFu);
    m.addr[7] = 0x20000400u;
    m.cfg[7] = RTM_PMP_L | RTM_PMP_A_TOR | RTM_PMP_R | RTM_PMP_X;
    r = plan_of(seven, 7);
    assert_int_equal(r.count, 7);
    r.avail = 7;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_STATE);
    assert_model_clean();
    assert_int_equal(m.addr_writes, 0);
    /* unlocked, the TOR entry above is the caller's to move: the plan loads */
    m.cfg[7] = RTM_PMP_A_TOR | RTM_PMP_R | RTM_PMP_X;
    before = load_ok(&r);
    /* a locked NAPOT entry above binds nothing below it */
    m.cfg[7] = RTM_PMP_L | RTM_PMP_A_NAPOT | RTM_PMP_R;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
    assert_model_clean();
}

/* A hart with fewer address bits (pmpaddr WARL: here bits 31..30 hard-wired to zero, 4 GiB of
 * physical space) cannot hold a TOR top at 4 GiB: the read-back refuses it (RTM_ERR_STATE), window
 * off. Below the top it loads. */
static void test_load_address_width(void **state)
{
    (void)state;
    model_reset(0, 16, 0x3FFFFFFFu);
    static const rtm_mpu_range top[] = {{0xFFFFF100u, 0xF00u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    rtm_mpu_regs r = plan_of(top, 1);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.r.pmp[1].pmpaddr, 0x40000000u);
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_STATE);
    assert_model_clean();
    for (unsigned s = 0; s < 14u; s++) assert_int_equal(m.cfg[s], 0);
    static const rtm_mpu_range below[] = {{0xFFFFE100u, 0xF00u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    r = plan_of(below, 1);
    m.expect = &r;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
    assert_model_clean();
    assert_int_equal(m.cfg[1], r.r.pmp[1].pmpcfg);
    /* 31 physical address bits (2 GiB): the first entry, at 0x80010000, cannot be held (the second can) */
    model_reset(0, 16, 0x1FFFFFFFu);
    static const rtm_mpu_range high_first[] = {{0x80010000u, 0x1000u, RTM_PART_P_RW_U_RW | RTM_PART_XN},
                                               {0x10000000u, 0x1000u, RTM_PART_P_RW_U_RW | RTM_PART_XN}};
    r = plan_of(high_first, 2);
    assert_int_equal(r.count, 2);
    rtm_pmp_entry low_entry = r.r.pmp[0]; /* the planner sorts by address: two NAPOT entries swapped */
    r.r.pmp[0] = r.r.pmp[1];
    r.r.pmp[1] = low_entry;
    assert_true(r.r.pmp[0].pmpaddr > 0x1FFFFFFFu && r.r.pmp[1].pmpaddr <= 0x1FFFFFFFu);
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_STATE);
    assert_model_clean();
    for (unsigned s = 0; s < 14u; s++) assert_int_equal(m.cfg[s], 0);
}

/* Arguments: NULL, another kind, count above avail, avail above the limit, a window past the
 * port's entries or wrapping 2^32: refused before any CSR access. */
static void test_load_args(void **state)
{
    (void)state;
    model_reset(0, 16, 0xFFFFFFFFu);
    rtm_mpu_regs r = plan_of(k_coarse_ok, 3);
    assert_int_equal(rtm_rv_pmp_load(NULL), RTM_ERR_ARG);
    rtm_mpu_regs bad = r;
    bad.kind = RTM_MPU_ARMV8M;
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_ERR_ARG);
    bad = r;
    bad.count = bad.avail + 1u;
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_ERR_ARG);
    bad = r;
    bad.avail = RTM_MPU_MAX_REGIONS + 1u;
    bad.count = 0;
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_ERR_ARG);
    bad = r;
    bad.first = 3;
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_ERR_NO_SLOT); /* [3, 17) */
    bad.first = 0xFFFFFFF8u;
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_ERR_NO_SLOT); /* wraps */
    bad.first = 17;
    bad.avail = 0;
    bad.count = 0;
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_ERR_NO_SLOT);
    bad.first = 16; /* an empty window at the end: nothing to do */
    assert_int_equal(rtm_rv_pmp_load(&bad), RTM_OK);
    assert_int_equal(m.addr_writes, 0);
    assert_int_equal(m.cfg_writes, 2u * (16u / 4u)); /* the pmpcfg words, rewritten as read: off, then on */
    assert_int_equal(m.syncs, 1);
    assert_model_clean();
    assert_int_equal(rtm_rv_pmp_clear(16, 1), RTM_ERR_NO_SLOT);
    assert_int_equal(rtm_rv_pmp_clear(1, 0xFFFFFFFFu), RTM_ERR_NO_SLOT);
    assert_int_equal(rtm_rv_pmp_get(16, NULL, NULL), RTM_ERR_NO_SLOT);
    assert_int_equal(rtm_rv_pmp_get(15, NULL, NULL), RTM_OK);
    assert_int_equal(rtm_rv_pmp_arch(2).regions, RTM_RV_PMP_ENTRIES);
}


/* Twelve entries, then two: every slot of the first plan past the second's count goes off (each
 * in its own pmpcfg word and byte), the system slots stay. */
static void test_load_many_then_few(void **state)
{
    (void)state;
    model_reset(0, 16, 0xFFFFFFFFu);
    preset_system_slots();
    rtm_mpu_range many[12];
    for (unsigned i = 0; i < 12u; i++) {
        many[i].base = 0x80100000u + 0x10000u * i;
        many[i].size = 0x1000u << (i % 3u);
        many[i].attr = (i % 2u ? RTM_PART_P_RW_U_RO : RTM_PART_P_RW_U_RW) | RTM_PART_XN;
    }
    rtm_mpu_regs r = plan_of(many, 12);
    assert_int_equal(r.count, 12);
    hart_state before = load_ok(&r);

    before = snapshot();
    rtm_mpu_regs few = plan_of(many + 10, 2);
    m.expect = &few;
    assert_int_equal(rtm_rv_pmp_load(&few), RTM_OK);
    assert_model_clean();
    assert_loaded(&few, &before);
    for (unsigned s = 2; s < 14u; s++) assert_int_equal(m.cfg[s], 0);

    /* clear stops at its window: the slot after it (on, unlocked) keeps its byte */
    m.expect = &r;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
    assert_int_equal(rtm_rv_pmp_clear(4, 5), RTM_OK);
    assert_model_clean();
    for (unsigned s = 0; s < 14u; s++) {
        if (s >= 4u && s < 9u)
            assert_int_equal(m.cfg[s], 0);
        else
            assert_int_equal(m.cfg[s], r.r.pmp[s].pmpcfg);
    }
    assert_int_equal(m.cfg[15], before.cfg[15]);
    /* whole-range windows: every slot at once, and an empty one at the end */
    assert_int_equal(rtm_rv_pmp_clear(16, 0), RTM_OK);
    m.cfg[14] = 0; /* unlock the boot loader's slot for the rest */
    assert_int_equal(rtm_rv_pmp_clear(0, 16), RTM_OK);
    for (unsigned s = 0; s < 16u; s++) assert_int_equal(m.cfg[s], 0);
    rtm_mpu_regs all = r;
    all.avail = 16;
    m.expect = &all;
    assert_int_equal(rtm_rv_pmp_load(&all), RTM_OK);
    assert_model_clean();
    for (unsigned s = 12; s < 16u; s++) assert_int_equal(m.cfg[s], 0);
}

/* The coarsest granularity a plan can use, G = 29 (2 GiB): a 2 GiB NAPOT region loads. G = 30
 * and up holds no 32-bit plan: refused as unsupported (not as a bad argument to the check). */
static void test_load_coarsest(void **state)
{
    (void)state;
    static const rtm_mpu_range half[] = {{0x80000000u, 0x80000000u, RTM_PART_P_RW_U_RW}};
    model_reset(29, 16, 0xFFFFFFFFu);
    rtm_mpu_regs r = plan_of(half, 1);
    m.expect = &r;
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_OK);
    assert_model_clean();
    assert_int_equal(m.cfg[0], r.r.pmp[0].pmpcfg);
    model_reset(30, 16, 0xFFFFFFFFu);
    assert_int_equal(rtm_rv_pmp_load(&r), RTM_ERR_UNSUPPORTED);
    assert_model_clean();
    assert_int_equal(m.cfg[0], 0);
}

/* ---- randomized: the load against a reference of what it must do ------------------------------- */

static uint64_t g_seed;

static unsigned ctz_or_32(uint32_t v)
{
    unsigned n = 0;
    while (n < 32u && ((v >> n) & 1u) == 0) n++;
    return n;
}

/* A random plan for a random arch and set: up to five ranges of NAPOT sizes or 4-byte multiples,
 * ascending with random gaps (no overlap), at 2^k-aligned or 4-aligned bases. false if the planner
 * refuses it (no slot, an attribute PMP cannot express): the caller draws again. */
static bool random_plan(rtm_test_rng *rng, rtm_mpu_regs *out)
{
    rtm_mpu_arch arch = rtm_rv_pmp_arch((uint32_t)rtm_test_rnd(rng, 5));
    rtm_mpu_set set = rtm_test_rnd(rng, 4) == 0 ? RTM_MPU_SET_SYSTEM : RTM_MPU_SET_DOMAIN;
    rtm_mpu_range ranges[5];
    size_t n = (size_t)rtm_test_rnd(rng, 6);
    uint64_t at = 0x80000000u + 4u * rtm_test_rnd(rng, 0x4000);
    for (size_t i = 0; i < n; i++) {
        uint64_t size, base;
        if (rtm_test_rnd(rng, 2)) { /* NAPOT-able: 2^k at a multiple of 2^k */
            size = (uint64_t)4u << rtm_test_rnd(rng, 16);
            base = (at + size - 1u) & ~(size - 1u);
        } else {
            size = 4u * (1u + rtm_test_rnd(rng, 0x800));
            base = at;
        }
        if (base + size > 0x100000000ull) {
            n = i;
            break;
        }
        static const rtm_part_attr attrs[] = {RTM_PART_P_RW_U_RW, RTM_PART_P_RW_U_RO | RTM_PART_XN,
                                              RTM_PART_P_RW_U_NA, RTM_PART_P_RW_U_RW | RTM_PART_XN};
        ranges[i] = (rtm_mpu_range){base, size, attrs[rtm_test_rnd(rng, 4)]};
        at = base + size + 4u * rtm_test_rnd(rng, 3) * rtm_test_rnd(rng, 0x400);
    }
    rtm_mpu_diag d;
    if (rtm_mpu_plan(&arch, set, ranges, n, out, &d) != RTM_OK) return false;
    /* a smaller window now and then, often exactly the plan's: its top slot is then written */
    if (rtm_test_rnd(rng, 4) == 0 && out->count < out->avail)
        out->avail = rtm_test_rnd(rng, 2) ? out->count : out->count + (uint32_t)rtm_test_rnd(rng, out->avail - out->count + 1u);
    return true;
}

/* A random hart: granularity (mostly small), implemented entries and address bits, and slots
 * holding what earlier code left there (some locked, some on, TOR among them). */
static void random_hart(rtm_test_rng *rng)
{
    unsigned g = rtm_test_rnd(rng, 10) < 7u ? (unsigned)rtm_test_rnd(rng, 5) : (unsigned)rtm_test_rnd(rng, 32);
    unsigned entries = rtm_test_rnd(rng, 5) ? 16u : 1u + (unsigned)rtm_test_rnd(rng, 16);
    static const uint32_t masks[] = {0xFFFFFFFFu, 0x3FFFFFFFu, 0x1FFFFFFFu, 0x0FFFFFFFu};
    uint32_t mask = rtm_test_rnd(rng, 5) ? masks[0] : masks[rtm_test_rnd(rng, 4)];
    model_reset(g, entries, mask);
    for (unsigned s = 0; s < entries; s++) {
        if (rtm_test_rnd(rng, 2)) m.addr[s] = (uint32_t)rtm_test_next(rng) & mask;
        if (rtm_test_rnd(rng, 3) == 0) {
            uint8_t c = (uint8_t)(rtm_test_next(rng) & 0x1Fu); /* R W X, any A */
            if (rtm_test_rnd(rng, 12) == 0) c |= RTM_PMP_L;
            if (g >= 1u && (c & RTM_PMP_A_NAPOT) == RTM_PMP_A_NA4) c &= (uint8_t)~RTM_PMP_A_NAPOT;
            m.cfg[s] = c;
        }
    }
    if (rtm_test_rnd(rng, 4) == 0) { /* a locked TOR entry somewhere: the base below it is fixed */
        unsigned s = (unsigned)rtm_test_rnd(rng, entries);
        m.cfg[s] = RTM_PMP_L | RTM_PMP_A_TOR | RTM_PMP_R;
    }
}

static bool locked(const uint8_t cfg[64], unsigned s) { return s < 64u && (cfg[s] & RTM_PMP_L); }

/* What rtm_rv_pmp_load must answer for @p r on the hart as it was (@p cfg, the model's settings). */
static rtm_err expected_load(const rtm_mpu_regs *r, const uint8_t cfg[64])
{
    for (uint32_t s = r->first; s < r->first + r->avail; s++)
        if (locked(cfg, s)) return RTM_ERR_STATE;
    if (r->count == 0) return RTM_OK;
    unsigned above = r->first + r->avail;
    if (r->count == r->avail && above < RTM_RV_PMP_ENTRIES && locked(cfg, above) &&
        (cfg[above] & RTM_PMP_A_NAPOT) == RTM_PMP_A_TOR)
        return RTM_ERR_STATE;
    unsigned g = r->first < m.entries ? ctz_or_32(m.addr_mask & ~low_bits(m.g)) : 32u;
    if (g > 29u || rtm_pmp_check_granule(r, g) != RTM_OK) return RTM_ERR_UNSUPPORTED;
    for (uint32_t i = 0; i < r->count; i++) {
        uint32_t a = r->r.pmp[i].pmpaddr & ~low_bits(g);
        uint32_t held = r->first + i < m.entries ? a & m.addr_mask : 0;
        if (held != a) return RTM_ERR_STATE;
    }
    return RTM_OK;
}

static void test_load_random(void **state)
{
    (void)state;
    rtm_test_rng rng = {g_seed};
    size_t iters = rtm_test_ops_min(200000, 5000);
    size_t seen[RTM_ERR_COUNT_] = {0};
    for (size_t it = 0; it < iters; it++) {
        random_hart(&rng);
        rtm_mpu_regs r;
        if (!random_plan(&rng, &r)) continue;
        hart_state before = snapshot();
        rtm_err want = expected_load(&r, before.cfg);
        m.expect = &r;
        rtm_err got = rtm_rv_pmp_load(&r);
        if (got != want)
            fail_msg("iteration %zu (RTM_SEED=%" PRIu64 "): G %u, %u entries, mask %08x, window [%u, %u) of %u "
                     "entries: got %d, expected %d",
                     it, g_seed, m.g, m.entries, m.addr_mask, (unsigned)r.first, (unsigned)(r.first + r.avail),
                     (unsigned)r.count, (int)got, (int)want);
        seen[got]++;
        assert_model_clean();
        bool any_locked = false;
        for (uint32_t s = r.first; s < r.first + r.avail; s++) any_locked |= locked(before.cfg, s);
        for (unsigned s = 0; s < 64u; s++) {
            bool in_window = s >= r.first && s < r.first + r.avail;
            if (!in_window || any_locked || locked(before.cfg, s)) {
                assert_int_equal(m.cfg[s], before.cfg[s]); /* outside the window, or nothing to touch */
                if (!in_window || any_locked) assert_int_equal(m.addr[s], before.addr[s]);
            } else if (got == RTM_OK && s < r.first + r.count) {
                assert_int_equal(m.cfg[s], r.r.pmp[s - r.first].pmpcfg);
                assert_int_equal(m.addr[s], r.r.pmp[s - r.first].pmpaddr);
            } else {
                assert_int_equal(m.cfg[s], 0); /* off: past the plan, or the plan refused */
            }
        }
        if (got == RTM_ERR_UNSUPPORTED && r.first < m.entries) /* the probe put the address back */
            assert_int_equal(m.addr[r.first], before.addr[r.first] & ~low_bits(m.g) & m.addr_mask);
    }
    print_message("%zu loads: %zu loaded, %zu locked or not held, %zu too coarse\n", iters, seen[RTM_OK],
                  seen[RTM_ERR_STATE], seen[RTM_ERR_UNSUPPORTED]);
    assert_true(seen[RTM_OK] > iters / 10u && seen[RTM_ERR_STATE] > iters / 50u && seen[RTM_ERR_UNSUPPORTED] > iters / 50u);
}

int main(void)
{
    g_seed = rtm_test_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_g0),
        cmocka_unit_test(test_load_coarse_fits),
        cmocka_unit_test(test_load_coarse_refused),
        cmocka_unit_test(test_load_follows_check_granule),
        cmocka_unit_test(test_load_no_pmp_in_slot),
        cmocka_unit_test(test_load_locked_slot),
        cmocka_unit_test(test_load_locked_tor_above),
        cmocka_unit_test(test_load_address_width),
        cmocka_unit_test(test_load_args),
        cmocka_unit_test(test_load_many_then_few),
        cmocka_unit_test(test_load_coarsest),
        cmocka_unit_test(test_load_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
