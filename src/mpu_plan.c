/*
 * Architecture-independent part of the MPU / PMP planner: argument and range validation that all
 * encoders share, attribute decoding, slot-set bookkeeping, and the decoder used by tools and tests.
 *
 * Order of checks in rtm_mpu_plan_avoid() (rtm_mpu_plan: no ranges to avoid), so that a diagnostic
 * always names the first broken rule of the first offending range: arguments -> arch -> per range
 * (attributes, size, end, granule, arch attributes) -> overlaps (pairwise, O(n^2), n <= 64) ->
 * ranges to avoid (size, end) -> encoder (slot budget). The ranges to avoid go to the encoder with
 * the set: only ARMv7-M's rounds (its waste must stay off them), the other plans are exact.
 */
#include "mpu_internal.h"

rtm_err rtm_mpu_fail_(rtm_mpu_diag *diag, rtm_err err, int32_t index, int32_t other, const char *rule)
{
    if (diag) {
        diag->err = err;
        diag->index = index;
        diag->other = other;
        diag->rule = rule;
    }
    return err;
}

unsigned rtm_part_access(rtm_part_attr attr, bool privileged)
{
    unsigned rw = RTM_ACCESS_READ | RTM_ACCESS_WRITE;
    unsigned ro = RTM_ACCESS_READ;
    unsigned p, u;
    switch (attr & RTM_PART_PERM_MASK) {
    case RTM_PART_P_RW_U_RW: p = rw; u = rw; break;
    case RTM_PART_P_RW_U_RO: p = rw; u = ro; break;
    case RTM_PART_P_RW_U_NA: p = rw; u = 0; break;
    case RTM_PART_P_RO_U_RO: p = ro; u = ro; break;
    case RTM_PART_P_RO_U_NA: p = ro; u = 0; break;
    case RTM_PART_P_NA_U_NA: p = 0; u = 0; break;
    default: return 0;
    }
    unsigned a = privileged ? p : u;
    if ((a & RTM_ACCESS_READ) && !(attr & RTM_PART_XN)) a |= RTM_ACCESS_EXEC;
    return a;
}

bool rtm_part_attr_valid(rtm_part_attr attr)
{
    unsigned perm = attr & RTM_PART_PERM_MASK;
    return (attr & ~(rtm_part_attr)RTM_PART_ATTR_MASK) == 0 && perm >= RTM_PART_P_RW_U_RW &&
           perm <= RTM_PART_P_NA_U_NA;
}

rtm_err rtm_mpu_arch_check(const rtm_mpu_arch *arch)
{
    if (!arch) return RTM_ERR_ARG;
    switch (arch->kind) {
    case RTM_MPU_ARMV7M:
    case RTM_MPU_ARMV8M:
    case RTM_MPU_RISCV_PMP:
        if (arch->granule != 0) return RTM_ERR_ALIGN;
        if (arch->regions == 0 || arch->regions > RTM_MPU_MAX_REGIONS) return RTM_ERR_SIZE;
        if (arch->kind == RTM_MPU_ARMV7M && arch->regions > RTM_MPU_V7M_SLOTS) return RTM_ERR_SIZE;
        if (arch->kind == RTM_MPU_ARMV7M ? !rtm_mpu_v7m_min_log2_valid_(arch->min_log2) : arch->min_log2 != 0)
            return RTM_ERR_SIZE;
        break;
    case RTM_MPU_POSIX:
        if (!rtm_is_pow2(arch->granule)) return RTM_ERR_ALIGN;
        if (arch->regions == 0 || arch->min_log2 != 0) return RTM_ERR_SIZE;
        break;
    default:
        return RTM_ERR_UNSUPPORTED;
    }
    if (arch->sys_regions >= arch->regions) return RTM_ERR_SIZE;
    return RTM_OK;
}

uint32_t rtm_mpu_granule(const rtm_mpu_arch *arch)
{
    if (rtm_mpu_arch_check(arch) != RTM_OK) return 0;
    switch (arch->kind) {
    case RTM_MPU_ARMV7M:
    case RTM_MPU_ARMV8M: return 32u;
    case RTM_MPU_RISCV_PMP: return 4u;
    default: return arch->granule;
    }
}

/* First slot and budget of a set (see the slot map in mpu.h). */
static void set_slots(const rtm_mpu_arch *arch, rtm_mpu_set set, uint32_t *first, uint32_t *avail)
{
    uint32_t dom = arch->regions - arch->sys_regions;
    if (set == RTM_MPU_SET_SYSTEM) {
        *avail = arch->sys_regions;
        *first = arch->kind == RTM_MPU_RISCV_PMP ? dom : 0u;
    } else {
        *avail = dom;
        *first = arch->kind == RTM_MPU_RISCV_PMP ? 0u : arch->sys_regions;
    }
}

static rtm_err check_range(const rtm_mpu_arch *arch, rtm_mpu_set set, const rtm_mpu_range *r, int32_t i,
                           uint32_t granule, rtm_mpu_diag *diag)
{
    if (!rtm_part_attr_valid(r->attr))
        return rtm_mpu_fail_(diag, RTM_ERR_ARG, i, -1, "attributes: unknown permission code or flag");
    if (r->size == 0) return rtm_mpu_fail_(diag, RTM_ERR_SIZE, i, -1, "size must not be 0");
    bool past_end = arch->kind == RTM_MPU_POSIX ? r->size - 1u > UINT64_MAX - r->base /* may end at 2^64 */
                                                 : r->size > RTM_ADDR_SPACE_END || r->base > RTM_ADDR_SPACE_END - r->size;
    if (past_end)
        return rtm_mpu_fail_(diag, RTM_ERR_SIZE, i, -1,
                             arch->kind == RTM_MPU_POSIX ? "base + size overflows"
                                                         : "range ends beyond the 32-bit address space");
    if ((r->base | r->size) & (uint64_t)(granule - 1u)) {
        static const char *const k_rule[] = {
            [RTM_MPU_ARMV7M] = "armv7m: base and size must be multiples of 32 bytes",
            [RTM_MPU_ARMV8M] = "armv8m: base and size must be multiples of 32 bytes",
            [RTM_MPU_RISCV_PMP] = "riscv-pmp: base and size must be multiples of 4 bytes",
            [RTM_MPU_POSIX] = "posix: base and size must be multiples of the page size",
        };
        bool v6m = arch->kind == RTM_MPU_ARMV7M && rtm_mpu_v6m_(arch->min_log2);
        return rtm_mpu_fail_(diag, RTM_ERR_ALIGN, i, -1,
                             v6m ? "armv6m: base and size must be multiples of 32 bytes" : k_rule[arch->kind]);
    }
    const char *rule = NULL;
    if (arch->kind == RTM_MPU_ARMV8M) rule = rtm_mpu_v8m_attr_rule_(r->attr);
    if (arch->kind == RTM_MPU_RISCV_PMP) rule = rtm_mpu_pmp_attr_rule_(r->attr, set);
    /* ARMv7-M and POSIX take every permission code (POSIX's no-access is PROT_NONE): no rule. */
    if (rule) return rtm_mpu_fail_(diag, RTM_ERR_UNSUPPORTED, i, -1, rule);
    return RTM_OK;
}

rtm_err rtm_mpu_plan(const rtm_mpu_arch *arch, rtm_mpu_set set, const rtm_mpu_range *ranges, size_t n,
                     rtm_mpu_regs *out, rtm_mpu_diag *diag)
{
    return rtm_mpu_plan_avoid(arch, set, ranges, n, NULL, 0, out, diag);
}

rtm_err rtm_mpu_plan_avoid(const rtm_mpu_arch *arch, rtm_mpu_set set, const rtm_mpu_range *ranges, size_t n,
                           const rtm_mpu_range *avoid, size_t n_avoid, rtm_mpu_regs *out, rtm_mpu_diag *diag)
{
    if (diag) rtm_mpu_fail_(diag, RTM_OK, -1, -1, NULL);
    if (!out) return rtm_mpu_fail_(diag, RTM_ERR_ARG, -1, -1, "no output");
    rtm_memset(out, 0, sizeof *out);
    if (!arch || (!ranges && n > 0) || (set != RTM_MPU_SET_SYSTEM && set != RTM_MPU_SET_DOMAIN))
        return rtm_mpu_fail_(diag, RTM_ERR_ARG, -1, -1, "NULL argument or unknown set");
    if (!avoid && n_avoid > 0) return rtm_mpu_fail_(diag, RTM_ERR_ARG, -1, -1, "NULL list of ranges to avoid");
    rtm_err e = rtm_mpu_arch_check(arch);
    if (e != RTM_OK) return rtm_mpu_fail_(diag, e, -1, -1, "invalid architecture description");
    uint32_t first, avail;
    set_slots(arch, set, &first, &avail);
    if (n > INT32_MAX) return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, -1, -1, "too many ranges");
    uint32_t granule = rtm_mpu_granule(arch);
    for (size_t i = 0; i < n; i++) {
        e = check_range(arch, set, &ranges[i], (int32_t)i, granule, diag);
        if (e != RTM_OK) return e;
    }
    bool no_overlap = set == RTM_MPU_SET_DOMAIN || arch->kind == RTM_MPU_ARMV8M || arch->kind == RTM_MPU_POSIX;
    if (no_overlap) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (rtm_mpu_overlap_(ranges[i].base, ranges[i].size, ranges[j].base, ranges[j].size))
                    return rtm_mpu_fail_(diag, RTM_ERR_OVERLAP, (int32_t)i, (int32_t)j,
                                         arch->kind == RTM_MPU_ARMV8M && set == RTM_MPU_SET_SYSTEM
                                             ? "armv8m: regions must not overlap"
                                             : "ranges of one set must not overlap");
    }
    /* Diag numbers avoid[j] n + j. Any base and size below 2^64 that do not wrap: the overlap
     * tests of the encoder hold for them. */
    if (n_avoid > (size_t)INT32_MAX - n)
        return rtm_mpu_fail_(diag, RTM_ERR_SIZE, -1, -1, "too many ranges to avoid");
    for (size_t j = 0; j < n_avoid; j++)
        if (avoid[j].size == 0 || avoid[j].size - 1u > UINT64_MAX - avoid[j].base)
            return rtm_mpu_fail_(diag, RTM_ERR_SIZE, (int32_t)(n + j), -1,
                                 "range to avoid: size 0 or base + size overflows");
    /* Each range takes at least one slot; say which one did not fit before the encoder tries. */
    if (n > avail)
        return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, (int32_t)avail, -1, "more ranges than free slots");
    /* A POSIX arch may have any number of slots, but a plan holds RTM_MPU_MAX_REGIONS owners
     * (review finding: count said n while owner[] stopped at the array's end). */
    if (n > RTM_MPU_MAX_REGIONS)
        return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, RTM_MPU_MAX_REGIONS, -1,
                             "more ranges than a plan holds (RTM_MPU_MAX_REGIONS)");
    out->kind = arch->kind;
    out->first = first;
    out->avail = avail;
    if (arch->kind == RTM_MPU_ARMV7M) out->min_log2 = rtm_mpu_v7m_min_log2_(arch->min_log2);
    switch (arch->kind) {
    case RTM_MPU_ARMV7M: e = rtm_mpu_plan_v7m_(ranges, n, avoid, n_avoid, out, diag); break;
    case RTM_MPU_ARMV8M: e = rtm_mpu_plan_v8m_(ranges, n, out, diag); break;
    case RTM_MPU_RISCV_PMP: e = rtm_mpu_plan_pmp_(ranges, n, set, out, diag); break;
    default:
        /* POSIX: one mprotect call per range, nothing to encode. */
        for (size_t i = 0; i < n && i < RTM_MPU_MAX_REGIONS; i++) out->owner[i] = (uint8_t)i;
        out->count = (uint32_t)n;
        e = RTM_OK;
        break;
    }
    if (e != RTM_OK) {
        rtm_memset(out, 0, sizeof *out);
        return e;
    }
    return RTM_OK;
}

rtm_err rtm_pmp_pack_cfg(const rtm_mpu_regs *regs, uint32_t cfg[(RTM_MPU_MAX_REGIONS + 3) / 4])
{
    /* first > MAX first: first + count must not wrap past 2^32 (it once let UINT32_MAX + 1 through) */
    if (!regs || !cfg || regs->kind != RTM_MPU_RISCV_PMP || regs->first > RTM_MPU_MAX_REGIONS ||
        regs->count > RTM_MPU_MAX_REGIONS - regs->first)
        return RTM_ERR_ARG;
    for (uint32_t j = 0; j < (RTM_MPU_MAX_REGIONS + 3) / 4; j++) cfg[j] = 0;
    for (uint32_t i = 0; i < regs->count; i++) {
        uint32_t slot = regs->first + i;
        cfg[slot / 4u] |= (uint32_t)regs->r.pmp[i].pmpcfg << (8u * (slot % 4u));
    }
    return RTM_OK;
}

/* Trailing ones of a NAPOT pmpaddr: the region is 2^(t + 3) bytes (32 for all ones, 2^35: more
 * than RV32 addresses). */
static uint32_t napot_ones(uint32_t a) { return a == UINT32_MAX ? 32u : rtm_ctz32(~a); }

rtm_err rtm_pmp_check_granule(const rtm_mpu_regs *regs, unsigned g)
{
    if (!regs || regs->kind != RTM_MPU_RISCV_PMP || regs->count > RTM_MPU_MAX_REGIONS || g > 29u) return RTM_ERR_ARG;
    /* With G >= 1, the low G bits of an OFF or TOR entry's pmpaddr read as zero, NA4 cannot be
     * selected, and a NAPOT entry's low G - 1 bits read as ones (privileged spec, "Physical Memory
     * Protection"): an address must be a multiple of 2^(G+2) bytes, a NAPOT region at least that
     * large. An OFF entry's address matters only as the base of a TOR entry after it. */
    uint32_t low = ((uint32_t)1 << g) - 1u;
    for (uint32_t i = 0; i < regs->count; i++) {
        uint32_t a = regs->r.pmp[i].pmpaddr;
        switch (regs->r.pmp[i].pmpcfg & RTM_PMP_A_NAPOT) {
        case RTM_PMP_A_OFF:
            if (i + 1u < regs->count && (regs->r.pmp[i + 1u].pmpcfg & RTM_PMP_A_NAPOT) == RTM_PMP_A_TOR && (a & low))
                return RTM_ERR_UNSUPPORTED;
            break;
        case RTM_PMP_A_TOR:
            if (a & low) return RTM_ERR_UNSUPPORTED;
            break;
        case RTM_PMP_A_NA4:
            if (g != 0u) return RTM_ERR_UNSUPPORTED;
            break;
        default: /* NAPOT: at least 2^(G+2) bytes */
            if (napot_ones(a) + 1u < g) return RTM_ERR_UNSUPPORTED;
            break;
        }
    }
    return RTM_OK;
}

static rtm_err decode_v7m(const rtm_mpu_v7m_region *r, uint32_t min_log2, uint64_t *base, uint64_t *size,
                          bool *enabled)
{
    uint32_t log2 = ((r->rasr >> 1) & 0x1Fu) + 1u;
    *enabled = (r->rasr & RTM_V7M_RASR_ENABLE) != 0;
    /* SIZE < 4 is reserved on ARMv7-M, SIZE < 7 on ARMv6-M: what such a region grants is unknown */
    if (log2 < rtm_mpu_v7m_min_log2_(min_log2)) return RTM_ERR_UNSUPPORTED;
    uint64_t rsize = 1ull << log2;
    uint64_t rbase = r->rbar & 0xFFFFFFE0u;
    uint32_t srd = (r->rasr >> 8) & 0xFFu;
    if (log2 < 8 || srd == 0) {
        *base = rbase;
        *size = rsize;
        return RTM_OK;
    }
    uint32_t en = ~srd & 0xFFu;
    if (en == 0) {
        *enabled = false;
        *base = rbase;
        *size = 0;
        return RTM_OK;
    }
    unsigned lo = rtm_ctz32(en), hi = rtm_log2_32(en);
    if (((en >> lo) + 1u) != (1u << (hi - lo + 1u))) return RTM_ERR_UNSUPPORTED; /* holes */
    uint64_t sub = rsize / 8u;
    *base = rbase + lo * sub;
    *size = (uint64_t)(hi - lo + 1u) * sub;
    return RTM_OK;
}

rtm_err rtm_mpu_decode(const rtm_mpu_regs *regs, uint32_t i, uint64_t *base, uint64_t *size, bool *enabled)
{
    if (!regs || !base || !size || !enabled || i >= regs->count || i >= RTM_MPU_MAX_REGIONS) return RTM_ERR_ARG;
    switch (regs->kind) {
    case RTM_MPU_ARMV7M: return decode_v7m(&regs->r.v7m[i], regs->min_log2, base, size, enabled);
    case RTM_MPU_ARMV8M: {
        const rtm_mpu_v8m_region *r = &regs->r.v8m[i];
        *enabled = (r->rlar & RTM_V8M_RLAR_EN) != 0;
        *base = r->rbar & 0xFFFFFFE0u;
        uint64_t end = (uint64_t)(r->rlar & 0xFFFFFFE0u) + 32u;
        if (end <= *base) return RTM_ERR_UNSUPPORTED;
        *size = end - *base;
        return RTM_OK;
    }
    case RTM_MPU_RISCV_PMP: {
        const rtm_pmp_entry *e = &regs->r.pmp[i];
        uint64_t a = (uint64_t)e->pmpaddr << 2;
        switch (e->pmpcfg & RTM_PMP_A_NAPOT) {
        case RTM_PMP_A_OFF: *enabled = false; *base = a; *size = 0; return RTM_OK;
        case RTM_PMP_A_NA4: *enabled = true; *base = a; *size = 4; return RTM_OK;
        case RTM_PMP_A_NAPOT: {
            uint32_t ones = napot_ones(e->pmpaddr);
            if (ones == 32u) return RTM_ERR_UNSUPPORTED; /* 2^35: beyond RV32 */
            *enabled = true;
            *size = 1ull << (ones + 3u);
            *base = ((uint64_t)e->pmpaddr << 2) & ~(*size - 1u);
            return RTM_OK;
        }
        default: { /* TOR */
            uint64_t bottom = 0;
            if (regs->first + i > 0) {
                if (i == 0) return RTM_ERR_UNSUPPORTED; /* base lives in a slot outside regs */
                bottom = (uint64_t)regs->r.pmp[i - 1].pmpaddr << 2;
            }
            *enabled = a > bottom;
            *base = bottom;
            *size = a > bottom ? a - bottom : 0;
            return RTM_OK;
        }
        }
    }
    default: return RTM_ERR_ARG;
    }
}

bool rtm_mpu_regs_equal(const rtm_mpu_regs *a, const rtm_mpu_regs *b)
{
    if (!a || !b) return false;
    if (a->kind != b->kind || a->first != b->first || a->count != b->count || a->avail != b->avail ||
        a->mair0 != b->mair0 || a->min_log2 != b->min_log2 || a->wasted != b->wasted ||
        a->count > RTM_MPU_MAX_REGIONS)
        return false;
    for (uint32_t i = 0; i < a->count; i++) {
        if (a->owner[i] != b->owner[i]) return false;
        switch (a->kind) {
        case RTM_MPU_ARMV7M:
            if (a->r.v7m[i].rbar != b->r.v7m[i].rbar || a->r.v7m[i].rasr != b->r.v7m[i].rasr) return false;
            break;
        case RTM_MPU_ARMV8M:
            if (a->r.v8m[i].rbar != b->r.v8m[i].rbar || a->r.v8m[i].rlar != b->r.v8m[i].rlar) return false;
            break;
        case RTM_MPU_RISCV_PMP:
            if (a->r.pmp[i].pmpaddr != b->r.pmp[i].pmpaddr || a->r.pmp[i].pmpcfg != b->r.pmp[i].pmpcfg) return false;
            break;
        default: break; /* POSIX: nothing encoded */
        }
    }
    return true;
}
