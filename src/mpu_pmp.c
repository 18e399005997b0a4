/*
 * RISC-V PMP encoder (RISC-V Privileged Architecture, section "Physical Memory Protection").
 *
 *   pmpcfgN byte: [7] L | [6:5] 0 | [4:3] A | [2] X | [1] W | [0] R
 *     A = 0 OFF, 1 TOR, 2 NA4, 3 NAPOT. On RV32, pmpcfg0..3 hold the bytes of entries 0..15
 *     (entry i is byte i%4 of pmpcfg(i/4)); rtm_pmp_pack_cfg() builds those words.
 *   pmpaddrN: bits [33:2] of an address (so the value is address >> 2).
 *     TOR   entry i matches pmpaddr(i-1) <= a>>2 < pmpaddr(i) (entry 0: from address 0).
 *     NA4   matches the 4 bytes at pmpaddr << 2.
 *     NAPOT a run of t trailing ones in pmpaddr means 2^(t+3) bytes: pmpaddr = (base >> 2) |
 *           ((size >> 3) - 1) for size >= 8, a power of two, base aligned to size.
 *   Priority: the lowest-numbered matching entry decides. M-mode is only checked against locked
 *   entries (L = 1), whose permissions then apply to M-mode too and which cannot be rewritten until
 *   reset. U-mode accesses that match no entry fail (when at least one entry is implemented).
 *
 * Per range: one TOR entry when the previous slot's pmpaddr already equals base >> 2 (entry 0:
 * base 0), else NA4 / NAPOT when the range has that shape, else two entries (OFF entry holding
 * base >> 2, then TOR). Ranges are placed in address order so that touching ranges chain their TOR
 * bounds. System ranges that overlap keep the plan's rule "later overrides earlier": they are
 * placed in reverse order of the input. PMP is exact at 4-byte granularity: nothing is wasted.
 */
#include "mpu_internal.h"

const char *rtm_mpu_pmp_attr_rule_(rtm_part_attr attr, rtm_mpu_set set)
{
    unsigned perm = attr & RTM_PART_PERM_MASK;
    bool p_rw = perm == RTM_PART_P_RW_U_RW || perm == RTM_PART_P_RW_U_RO || perm == RTM_PART_P_RW_U_NA;
    bool same = perm == RTM_PART_P_RW_U_RW || perm == RTM_PART_P_RO_U_RO || perm == RTM_PART_P_NA_U_NA;
    if (attr & RTM_PART_LOCKED) {
        if (set == RTM_MPU_SET_DOMAIN) return "riscv-pmp: locked entries cannot be switched per domain (system only)";
        if (!same) return "riscv-pmp: a locked entry binds M-mode and U-mode alike; their rights must match";
    } else if (!p_rw) {
        return "riscv-pmp: M-mode ignores unlocked entries; privileged read-only or no access needs 'locked'";
    }
    return NULL;
}

static uint8_t pmp_cfg(rtm_part_attr attr)
{
    unsigned u = rtm_part_access(attr, false);
    uint8_t cfg = 0;
    if (u & RTM_ACCESS_READ) cfg |= RTM_PMP_R;
    if (u & RTM_ACCESS_WRITE) cfg |= RTM_PMP_W;
    if (u & RTM_ACCESS_EXEC) cfg |= RTM_PMP_X;
    if (attr & RTM_PART_LOCKED) cfg |= RTM_PMP_L;
    return cfg;
}

rtm_err rtm_mpu_plan_pmp_(const rtm_mpu_range *ranges, size_t n, rtm_mpu_set set, rtm_mpu_regs *out,
                          rtm_mpu_diag *diag)
{
    uint8_t order[RTM_MPU_MAX_REGIONS];
    bool overlaps = false;
    if (n > RTM_MPU_MAX_REGIONS) /* n <= avail <= RTM_MPU_MAX_REGIONS already; keeps the bound visible */
        return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, RTM_MPU_MAX_REGIONS, -1, "more ranges than slots");
    for (size_t i = 0; i < n; i++) {
        order[i] = (uint8_t)i;
        for (size_t j = 0; j < i; j++)
            if (rtm_mpu_overlap_(ranges[i].base, ranges[i].size, ranges[j].base, ranges[j].size)) overlaps = true;
    }
    RTM_ASSERT(!overlaps || set == RTM_MPU_SET_SYSTEM); /* domain overlaps were refused */
    (void)set;
    if (overlaps) { /* later input first, so that it wins */
        for (size_t i = 0; i < n; i++) order[i] = (uint8_t)(n - 1u - i);
    } else { /* insertion sort by base, n <= 16 */
        for (size_t i = 1; i < n; i++) {
            uint8_t v = order[i];
            size_t j = i;
            for (; j > 0 && ranges[order[j - 1]].base > ranges[v].base; j--) order[j] = order[j - 1];
            order[j] = v;
        }
    }
    /* The slot below a domain set is "address 0" (slot 0); below a system set it is a domain slot
     * whose value changes with the domain, so no chaining there. */
    bool prev_known = out->first == 0;
    uint32_t prev = 0;
    uint32_t c = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        const rtm_mpu_range *r = &ranges[i];
        uint64_t end = r->base + r->size;
        uint32_t b = (uint32_t)(r->base >> 2), t = (uint32_t)(end >> 2);
        uint8_t cfg = pmp_cfg(r->attr);
        rtm_pmp_entry e[2] = {{0, 0}, {0, 0}};
        uint32_t need = 1;
        if (prev_known && prev == b) {
            e[0] = (rtm_pmp_entry){t, (uint8_t)(cfg | RTM_PMP_A_TOR)};
        } else if (r->size == 4u) {
            e[0] = (rtm_pmp_entry){b, (uint8_t)(cfg | RTM_PMP_A_NA4)};
        } else if (r->size >= 8u && rtm_is_pow2((size_t)(r->size >> 2)) && (r->base & (r->size - 1u)) == 0) {
            e[0] = (rtm_pmp_entry){b | (uint32_t)((r->size >> 3) - 1u), (uint8_t)(cfg | RTM_PMP_A_NAPOT)};
        } else {
            e[0] = (rtm_pmp_entry){b, RTM_PMP_A_OFF};
            e[1] = (rtm_pmp_entry){t, (uint8_t)(cfg | RTM_PMP_A_TOR)};
            need = 2;
        }
        if (c + need > out->avail)
            return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, (int32_t)i, -1,
                                 "riscv-pmp: ranges need more entries than free slots");
        for (uint32_t q = 0; q < need; q++) {
            out->r.pmp[c] = e[q];
            out->owner[c] = (uint8_t)i;
            prev = e[q].pmpaddr;
            c++;
        }
        prev_known = true;
    }
    out->count = c;
    return RTM_OK;
}
