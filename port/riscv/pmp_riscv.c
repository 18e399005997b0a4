/* RISC-V PMP CSR access: the values come from the encoder in src/mpu_pmp.c. */
#include "rtm_riscv.h"
#ifndef RTM_RV_PMP_MODEL
#include "rv_csr.h"
#else
/* A host test's model of the hart's PMP CSRs (tests/port/test_rv_pmp.c) stands in for the CSR
 * instructions: the load's logic then runs on the host against a hart of any granularity, locked
 * entries and address width (QEMU's PMP has G = 0 and no locked entries unless a test locks them). */
uint32_t rtm_rv_model_pmpaddr_read(unsigned i);
void rtm_rv_model_pmpaddr_write(unsigned i, uint32_t v);
uint32_t rtm_rv_model_pmpcfg_read(unsigned w);
void rtm_rv_model_pmpcfg_write(unsigned w, uint32_t v);
void rtm_rv_model_sync(void);
#endif

/* The privileged spec numbers up to 64 PMP entries, pmpaddr0..63 with their cfg bytes packed four
 * to a pmpcfg register on RV32 (pmpcfg0..15). The port touches only the first RTM_RV_PMP_ENTRIES
 * and the pmpcfg words that hold them. */
_Static_assert(RTM_RV_PMP_ENTRIES >= 1u && RTM_RV_PMP_ENTRIES <= 64u, "RTM_RV_PMP_ENTRIES: 1 to 64 PMP entries");
#define PMP_CFG_WORDS ((RTM_RV_PMP_ENTRIES + 3u) / 4u)

/* CSR numbers must be immediates: one case per register, generated (a table of 16 cases let
 * RTM_RV_PMP_ENTRIES = 32 write nothing to entries 16 and up, and index a 4-word cfg copy past its
 * end: port review finding, 2026-11-29). */
#define PMP_CASES_64(X)                                                                                \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16) X(17)  \
    X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31) X(32) X(33)   \
    X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47) X(48) X(49)   \
    X(50) X(51) X(52) X(53) X(54) X(55) X(56) X(57) X(58) X(59) X(60) X(61) X(62) X(63)
#define PMP_CASES_16(X)                                                                                \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

/* Each accessor first drops indices the port does not use, so that the compiler keeps only the
 * cases below RTM_RV_PMP_ENTRIES (and PMP_CFG_WORDS). */
static void pmpaddr_write(unsigned i, uint32_t v)
{
    if (i >= RTM_RV_PMP_ENTRIES) return;
#ifdef RTM_RV_PMP_MODEL
    rtm_rv_model_pmpaddr_write(i, v);
#else
    switch (i) {
#define PMPADDR_WRITE(n) case n: RV_CSR_WRITE(pmpaddr##n, v); break;
        PMP_CASES_64(PMPADDR_WRITE)
#undef PMPADDR_WRITE
    default: break;
    }
#endif
}

static uint32_t pmpaddr_read(unsigned i)
{
    if (i >= RTM_RV_PMP_ENTRIES) return 0;
#ifdef RTM_RV_PMP_MODEL
    return rtm_rv_model_pmpaddr_read(i);
#else
    switch (i) {
#define PMPADDR_READ(n) case n: return RV_CSR_READ(pmpaddr##n);
        PMP_CASES_64(PMPADDR_READ)
#undef PMPADDR_READ
    default: return 0;
    }
#endif
}

static uint32_t pmpcfg_read(unsigned w)
{
    if (w >= PMP_CFG_WORDS) return 0;
#ifdef RTM_RV_PMP_MODEL
    return rtm_rv_model_pmpcfg_read(w);
#else
    switch (w) {
#define PMPCFG_READ(n) case n: return RV_CSR_READ(pmpcfg##n);
        PMP_CASES_16(PMPCFG_READ)
#undef PMPCFG_READ
    default: return 0;
    }
#endif
}

static void pmpcfg_write(unsigned w, uint32_t v)
{
    if (w >= PMP_CFG_WORDS) return;
#ifdef RTM_RV_PMP_MODEL
    rtm_rv_model_pmpcfg_write(w, v);
#else
    switch (w) {
#define PMPCFG_WRITE(n) case n: RV_CSR_WRITE(pmpcfg##n, v); break;
        PMP_CASES_16(PMPCFG_WRITE)
#undef PMPCFG_WRITE
    default: break;
    }
#endif
}

rtm_mpu_arch rtm_rv_pmp_arch(uint32_t sys_regions)
{
    rtm_mpu_arch a;
    a.kind = RTM_MPU_RISCV_PMP;
    a.regions = RTM_RV_PMP_ENTRIES;
    a.sys_regions = sys_regions;
    a.granule = 0;
    a.min_log2 = 0;
    return a;
}

rtm_err rtm_rv_pmp_get(unsigned i, uint32_t *pmpaddr, uint8_t *pmpcfg)
{
    if (i >= RTM_RV_PMP_ENTRIES) return RTM_ERR_NO_SLOT;
    if (pmpaddr != NULL) *pmpaddr = pmpaddr_read(i);
    if (pmpcfg != NULL) *pmpcfg = (uint8_t)(pmpcfg_read(i / 4u) >> (8u * (i % 4u)));
    return RTM_OK;
}

/* Turns off pmpcfg slots [first, first + n) (their cfg bytes 0) and leaves in cfg[] the pmpcfg
 * words as written. Nothing is written if one of the slots is locked (RTM_ERR_STATE): a locked slot
 * cannot change until reset. The caller has checked the range. */
static rtm_err pmp_slots_off(uint32_t first, uint32_t n, uint32_t cfg[PMP_CFG_WORDS])
{
    for (unsigned w = 0; w < PMP_CFG_WORDS; w++) cfg[w] = pmpcfg_read(w);
    for (uint32_t i = 0; i < n; i++) {
        unsigned slot = (unsigned)(first + i);
        uint32_t shift = 8u * (slot % 4u);
        if ((cfg[slot / 4u] >> shift) & RTM_PMP_L) return RTM_ERR_STATE;
    }
    for (uint32_t i = 0; i < n; i++) {
        unsigned slot = (unsigned)(first + i);
        cfg[slot / 4u] &= ~(0xFFu << (8u * (slot % 4u)));
    }
    for (unsigned w = 0; w < PMP_CFG_WORDS; w++) pmpcfg_write(w, cfg[w]);
    return RTM_OK;
}

/* After PMP writes. A hart with page-based virtual memory (S-mode) may cache PMP results with its
 * translations: the privileged spec (PMP, "Memory Management Fences") asks for SFENCE.VMA x0, x0
 * after PMP writes there, even with translation off. On a hart without S-mode the instruction is
 * illegal, so misa's S bit decides (misa may read 0: then it is not executed). QEMU virt has S-mode. */
static void pmp_sync(void)
{
#ifdef RTM_RV_PMP_MODEL
    rtm_rv_model_sync();
#else
    __asm volatile("fence" : : : "memory");
    uint32_t misa;
    __asm volatile("csrr %0, misa" : "=r"(misa));
    if (misa & (1u << ('S' - 'A'))) __asm volatile("sfence.vma zero, zero" : : : "memory");
#endif
}

/* The hart's PMP granularity G (privileged spec: a pmpaddr written with all ones while its entry
 * is OFF reads back with G trailing zeros), probed on slot @p slot, unlocked and OFF, whose next
 * entry is no locked TOR (which would make the hart ignore the write: the caller sees to it); its
 * address is put back. 32 when the slot reads back 0: no PMP there. Probed on every load (four CSR
 * accesses), not cached: a cached value was state shared by every hart and every load, and a first
 * probe on a slot without PMP would have refused every later load. */
static unsigned pmp_g(unsigned slot)
{
    uint32_t old = pmpaddr_read(slot);
    pmpaddr_write(slot, 0xFFFFFFFFu);
    uint32_t v = pmpaddr_read(slot);
    pmpaddr_write(slot, old);
    unsigned g = 0;
    while (g < 32u && ((v >> g) & 1u) == 0) g++;
    return g;
}

/* What an OFF entry's pmpaddr reads after @p a is written on a PMP of granularity G = @p g (<= 29:
 * the load refuses coarser ones): the low G bits read as zero while A is OFF or TOR, whatever the
 * mode the cfg byte written later sets (privileged spec: the value read depends on the current A;
 * the stored value does not change). */
static uint32_t pmp_read_off(uint32_t a, unsigned g) { return a & ~(((uint32_t)1 << g) - 1u); }

/* Is slot @p i a locked TOR entry? Then the hart ignores writes to pmpaddr i - 1, its base. */
static bool pmp_locked_tor(unsigned i)
{
    if (i >= RTM_RV_PMP_ENTRIES) return false;
    uint8_t c = (uint8_t)(pmpcfg_read(i / 4u) >> (8u * (i % 4u)));
    return (c & RTM_PMP_L) && (c & RTM_PMP_A_NAPOT) == RTM_PMP_A_TOR;
}

rtm_err rtm_rv_pmp_load(const rtm_mpu_regs *regs)
{
    if (regs == NULL || regs->kind != RTM_MPU_RISCV_PMP) return RTM_ERR_ARG;
    if (regs->count > regs->avail || regs->avail > RTM_MPU_MAX_REGIONS) return RTM_ERR_ARG;
    /* no wrap of first + avail (a first near 2^32 once passed and indexed cfg[] far out of bounds) */
    if (regs->first > RTM_RV_PMP_ENTRIES || regs->avail > RTM_RV_PMP_ENTRIES - regs->first) return RTM_ERR_NO_SLOT;
    /* Turn the slots off first, so that no half-written TOR pair is ever active. */
    uint32_t cfg[PMP_CFG_WORDS];
    rtm_err e = pmp_slots_off(regs->first, regs->avail, cfg);
    if (e != RTM_OK) return e;
    /* The pmpaddr below a locked TOR entry is that entry's base, which the hart does not let change:
     * a plan that writes it would leave an entry over another range (refused, slots left off). */
    if (regs->count != 0 && regs->count == regs->avail && pmp_locked_tor(regs->first + regs->avail)) {
        pmp_sync();
        return RTM_ERR_STATE;
    }
    /* A PMP coarser than the plan's 4-byte granules would widen its entries: refused, the slots
     * left off (fewer rights, never more). G >= 30 cannot hold any plan: no PMP in the slot. The
     * probe's slot, `first`, is below another slot of the window (off, unlocked) or, with a window
     * of one slot, below no locked TOR entry (the test above). */
    unsigned g = 0;
    if (regs->count != 0) {
        g = pmp_g(regs->first);
        e = g > 29u ? RTM_ERR_UNSUPPORTED : rtm_pmp_check_granule(regs, g);
        if (e != RTM_OK) {
            pmp_sync();
            return e;
        }
    }
    for (uint32_t i = 0; i < regs->count; i++) {
        unsigned slot = (unsigned)(regs->first + i);
        pmpaddr_write(slot, regs->r.pmp[i].pmpaddr);
        cfg[slot / 4u] |= (uint32_t)regs->r.pmp[i].pmpcfg << (8u * (slot % 4u));
    }
    /* Every address must read back as written, while the slots are still off (the cfg bytes come
     * next): a write the hart ignores would leave an entry over another range. Refused like a
     * locked slot, the entries left off. (A hart that implements fewer address bits, pmpaddr being
     * WARL, refuses an address it cannot hold here too, e.g. a TOR top at 4 GiB.) */
    for (uint32_t i = 0; i < regs->count; i++) {
        unsigned slot = (unsigned)(regs->first + i);
        if (pmpaddr_read(slot) != pmp_read_off(regs->r.pmp[i].pmpaddr, g)) {
            pmp_sync();
            return RTM_ERR_STATE;
        }
    }
    for (unsigned w = 0; w < PMP_CFG_WORDS; w++) pmpcfg_write(w, cfg[w]);
    pmp_sync();
    return RTM_OK;
}

rtm_err rtm_rv_pmp_clear(unsigned first, unsigned n)
{
    if (first > RTM_RV_PMP_ENTRIES || n > RTM_RV_PMP_ENTRIES - first) return RTM_ERR_NO_SLOT;
    uint32_t cfg[PMP_CFG_WORDS];
    rtm_err e = pmp_slots_off(first, n, cfg);
    if (e == RTM_OK) pmp_sync();
    return e;
}
