/*
 * ARMv8-M PMSAv8 encoder (ARMv8-M ARM, "Protected Memory System Architecture, PMSAv8";
 * registers MPU_RBAR, MPU_RLAR, MPU_MAIR0).
 *
 *   MPU_RBAR  [31:5] BASE (base address bits, 32-byte granule) | [4:3] SH | [2:1] AP | [0] XN
 *             AP: 00 RW privileged only, 01 RW any, 10 RO privileged only, 11 RO any
 *             SH: 00 non-shareable (single core; ignored for device memory)
 *   MPU_RLAR  [31:5] LIMIT (address of the last 32-byte block; the region ends at LIMIT:0x1F
 *             inclusive) | [3:1] AttrIndx | [0] EN
 *   MPU_MAIR0 Attr0 = 0xFF (normal, outer and inner write-back non-transient, read/write-allocate),
 *             Attr1 = 0x04 (Device-nGnRE) -> 0x000004FF
 * There is no "no access" AP value and no "privileged RW, unprivileged RO" value: those attributes
 * are refused (a guard on ARMv8-M is a gap between regions). Overlapping enabled regions make every
 * access to the overlap fault, so rtm_mpu_plan refuses overlaps in both sets. One region per range,
 * no rounding: nothing is wasted.
 */
#include "mpu_internal.h"

const char *rtm_mpu_v8m_attr_rule_(rtm_part_attr attr)
{
    switch (attr & RTM_PART_PERM_MASK) {
    case RTM_PART_P_RW_U_RO: return "armv8m: no AP value for privileged read-write, unprivileged read-only";
    case RTM_PART_P_NA_U_NA: return "armv8m: no AP value for no access (leave a gap instead)";
    default: return NULL;
    }
}

static uint32_t v8_ap(rtm_part_attr attr)
{
    switch (attr & RTM_PART_PERM_MASK) {
    case RTM_PART_P_RW_U_NA: return 0u;
    case RTM_PART_P_RW_U_RW: return 1u;
    case RTM_PART_P_RO_U_NA: return 2u;
    default: return 3u; /* P_RO_U_RO */
    }
}

rtm_err rtm_mpu_plan_v8m_(const rtm_mpu_range *ranges, size_t n, rtm_mpu_regs *out, rtm_mpu_diag *diag)
{
    (void)diag; /* the common checks (granule, overlap, count) leave nothing to fail here */
    out->mair0 = RTM_V8M_MAIR0;
    for (size_t i = 0; i < n; i++) {
        const rtm_mpu_range *r = &ranges[i];
        uint64_t last = r->base + r->size - 32u; /* start of the last 32-byte block */
        uint32_t rbar = (uint32_t)r->base | RTM_V8M_RBAR_AP(v8_ap(r->attr)) | RTM_V8M_RBAR_SH(0);
        if (r->attr & RTM_PART_XN) rbar |= RTM_V8M_RBAR_XN;
        uint32_t idx = (r->attr & RTM_PART_DEVICE) ? RTM_V8M_ATTR_DEVICE : RTM_V8M_ATTR_NORMAL;
        out->r.v8m[i].rbar = rbar;
        out->r.v8m[i].rlar = (uint32_t)last | RTM_V8M_RLAR_ATTR(idx) | RTM_V8M_RLAR_EN;
        out->owner[i] = (uint8_t)i;
    }
    out->count = (uint32_t)n;
    return RTM_OK;
}
