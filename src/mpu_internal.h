/*
 * Private interface between the architecture-independent planner (src/mpu_plan.c) and the
 * per-architecture encoders (src/mpu_armv7m.c, src/mpu_armv8m.c, src/mpu_pmp.c). Never installed.
 *
 * rtm_mpu_plan_avoid() (rtm_mpu_plan: with no ranges to avoid) validates what is common to all
 * architectures (arguments, sizes, granule, overlaps, attributes, the ranges to avoid) and then
 * calls one encoder with the ranges, the slot budget, the first slot and (ARMv7-M) the smallest
 * region exponent already set in *out. An encoder fills
 * out->count, out->owner, out->r, out->wasted and returns RTM_OK, or an error with diag->index set.
 *
 * Also shared with the ports (port/cortex-m, port/riscv): rtm_stale_slot_runs_, the slots of the
 * last domain to turn off when the next thread runs.
 */
#ifndef RTM_MPU_INTERNAL_H
#define RTM_MPU_INTERNAL_H

#include "rtmem/mpu.h"
#include "rtm_internal.h"

#define RTM_ADDR_SPACE_END 0x100000000ull /* 2^32: the targets' address space */

/* The smallest ARMv7-M-family region exponent that a min_log2 field (rtm_mpu_arch, rtm_mpu_regs)
 * stands for: 0 is the build's default. */
RTM_INLINE uint32_t rtm_mpu_v7m_min_log2_(uint32_t field)
{
    return field != 0 ? field : RTM_MPU_V7M_MIN_LOG2;
}

/* True if an ARMv7-M-encoded plan with this min_log2 field (raw or resolved) is for ARMv6-M: no
 * region below 256 B, TEX 000, and the rule texts say armv6m. */
RTM_INLINE bool rtm_mpu_v6m_(uint32_t field) { return rtm_mpu_v7m_min_log2_(field) >= RTM_MPU_V6M_MIN_LOG2; }

/* True for the values rtm_mpu_arch.min_log2 may take on ARMv7-M: 0 (default), 5 (ARMv7-M), 8
 * (ARMv6-M). No implementation has another minimum, so anything else is a corrupt description. */
RTM_INLINE bool rtm_mpu_v7m_min_log2_valid_(uint32_t field)
{
    return field == 0 || field == 5u || field == RTM_MPU_V6M_MIN_LOG2;
}

/* Sets *diag (if not NULL) and returns err. */
rtm_err rtm_mpu_fail_(rtm_mpu_diag *diag, rtm_err err, int32_t index, int32_t other, const char *rule);

/* Attribute checks per architecture: NULL if expressible, else the rule broken. */
const char *rtm_mpu_v8m_attr_rule_(rtm_part_attr attr);
const char *rtm_mpu_pmp_attr_rule_(rtm_part_attr attr, rtm_mpu_set set);

/* avoid[0..n_avoid): ranges the waste must stay off (rtm_mpu_plan_avoid, checked there); the
 * other encoders' plans are exact and take none. */
rtm_err rtm_mpu_plan_v7m_(const rtm_mpu_range *ranges, size_t n, const rtm_mpu_range *avoid, size_t n_avoid,
                         rtm_mpu_regs *out, rtm_mpu_diag *diag);
rtm_err rtm_mpu_plan_v8m_(const rtm_mpu_range *ranges, size_t n, rtm_mpu_regs *out, rtm_mpu_diag *diag);
rtm_err rtm_mpu_plan_pmp_(const rtm_mpu_range *ranges, size_t n, rtm_mpu_set set, rtm_mpu_regs *out,
                          rtm_mpu_diag *diag);

/* True when [b1, b1+s1) and [b2, b2+s2) share a byte (sizes > 0; the last bytes b + s - 1 do
 * not wrap, checked before: a POSIX range may end at 2^64). */
RTM_INLINE bool rtm_mpu_overlap_(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
    return b1 <= b2 + (s2 - 1u) && b2 <= b1 + (s1 - 1u);
}

/* The slots of a domain's window [old_first, old_first + old_avail) that lie outside the window
 * [keep_first, keep_first + keep_avail) the next thread's domain occupies (keep_avail 0: none is
 * kept, the next thread has no domain). They are at most two runs, the part below the kept window
 * and the part above it: a port turns each run off with one register sequence (one critical
 * section, one barrier), not one per slot. run[i] = {first, count}; count 0: no such run. Both
 * ports' rule (a thread gets its own domain's slots and the system slots, nothing a thread before
 * it had); tests/domain/test_mpu.c checks it against the per-slot rule for every pair of windows
 * whose first slot and length are 0..10. */
typedef struct {
    uint32_t first[2], count[2];
} rtm_slot_runs_;
RTM_INLINE rtm_slot_runs_ rtm_stale_slot_runs_(uint32_t old_first, uint32_t old_avail, uint32_t keep_first,
                                               uint32_t keep_avail)
{
    uint32_t lo = old_first, end = old_first + old_avail, keep_end = keep_first + keep_avail;
    if (keep_avail == 0) keep_first = keep_end = end; /* nothing kept: all of the old window is below */
    uint32_t below_end = keep_first < end ? keep_first : end, above = keep_end > lo ? keep_end : lo;
    rtm_slot_runs_ r;
    r.first[0] = lo;
    r.count[0] = below_end > lo ? below_end - lo : 0u;
    r.first[1] = above;
    r.count[1] = end > above ? end - above : 0u;
    return r;
}

#endif /* RTM_MPU_INTERNAL_H */
