/*
 * rtmem/mpu.h - region planning and register encoding for memory protection units.
 *
 * Three architectures, all planned and encoded on any host (no hardware access here):
 *  - RTM_MPU_ARMV7M    ARMv7-M PMSAv7 (Cortex-M3/M4/M7) and the PMSAv6 MPU of ARMv6-M (Cortex-M0+):
 *                      RBAR/RASR pairs. A region is a power of two from 32 B (ARMv7-M) or 256 B
 *                      (ARMv6-M: rtm_mpu_arch.min_log2 8, RTM_MPU_ARCH_ARMV6M) to 4 GiB, aligned to
 *                      its size; regions of 256 B or more have eight subregions that can be disabled
 *                      one by one. Overlaps are allowed; the higher region number wins.
 *  - RTM_MPU_ARMV8M    ARMv8-M PMSAv8 (Cortex-M23/M33/M55): RBAR/RLAR pairs plus MAIR0. Any
 *                      32-byte aligned range. Overlapping enabled regions fault, so they are refused.
 *  - RTM_MPU_RISCV_PMP RISC-V PMP (RV32): pmpaddr + an 8-bit pmpcfg per entry. NA4 (4 bytes), NAPOT
 *                      (power of two >= 8, aligned) or TOR (any 4-byte aligned range: one entry when
 *                      the previous entry's address is the range's base, else two). The
 *                      lowest-numbered matching entry wins.
 *  - RTM_MPU_POSIX     host pages (port/posix, mprotect): page-aligned ranges, one "region" each.
 *
 * The planner turns a list of address ranges with attributes into register values. It picks the
 * cheapest layout: ARMv7-M uses subregion disable bits and splits a range over several regions
 * when that wastes fewer bytes and the slot budget allows (a 33 KiB range is one 64 KiB region with
 * 5 of 8 subregions enabled, 7 KiB wasted, when only one slot is free; two exact regions when two
 * are free). "Wasted" bytes are bytes the regions grant beyond the ranges: the linker must keep
 * them free of other data. The planner never lets them cover another range of the same set, nor,
 * through rtm_mpu_plan_avoid, a range the caller names: a domain's waste must not reach the system
 * regions or another domain's partitions (it would grant access to them, and a domain region
 * outranks a system region). Waste is acceptable only over memory nobody claimed.
 *
 * Slots: a hardware unit has `regions` slots; `sys_regions` of them hold system regions (set once
 * at boot: background, kernel, peripherals) and the rest hold the current domain's partitions,
 * rewritten at each context switch. Where the hardware lets regions overlap, domain regions take
 * priority over system regions:
 *   ARMv7-M:    system regions in slots [0, sys_regions), domain regions above them (higher wins).
 *   RISC-V PMP: domain entries in slots [0, n), system entries in the top sys_regions slots (lower
 *               wins).
 *   ARMv8-M:    the same slots as ARMv7-M, but overlapping enabled regions fault on every access to
 *               the overlap, whatever their numbers: a partition must not overlap a system region.
 *               The planner sees one set at a time and cannot check that; the port and the
 *               linker script must (docs/domain.md).
 *
 * Writing the registers is the port's job (port/cortex-m, port/riscv): it copies the values of an
 * rtm_mpu_regs into the slots [first, first + count) and disables the domain slots above `count`
 * (RASR = 0 / RLAR = 0 / pmpcfg byte = 0). See docs/domain.md for sequences.
 *
 * Everything here is pure computation: thread- and ISR-safe, no global state.
 */
#ifndef RTMEM_MPU_H
#define RTMEM_MPU_H

#include "rtmem/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of hardware slots rtmem plans for (PMSAv7/v8: 8 or 16; QEMU virt PMP: 16; RISC-V
 *  PMP up to 64). Sizes the plan arrays (rtm_mpu_regs); ARMv7-M plans stay within 16 slots. */
#ifndef RTM_MPU_MAX_REGIONS
#define RTM_MPU_MAX_REGIONS 16
#endif

/** Slots an ARMv7-M MPU can have (RBAR's REGION field is 4 bits): rtm_mpu_arch_check refuses more. */
#define RTM_MPU_V7M_SLOTS 16u

/** Largest number of regions the ARMv7-M planner may spend on one range before giving up (4, or
 *  RTM_MPU_MAX_REGIONS if that is smaller). */
#ifndef RTM_MPU_V7M_MAX_SPLIT
#define RTM_MPU_V7M_MAX_SPLIT (RTM_MPU_MAX_REGIONS < 4 ? RTM_MPU_MAX_REGIONS : 4)
#endif

/**
 * TEX value the ARMv7-M encoder uses for normal (non-device) memory, with C=1 B=1: 1 = write-back
 * read/write-allocate (ARMv7-M). ARMv6-M (Cortex-M0+) MPUs only take TEX=000, so builds for
 * ARMv6-M default to 0 (C=1 B=1: write-back, no write-allocate; these cores have no cache), and a
 * plan for an ARMv6-M arch (min_log2 8) uses 0 whatever this says.
 */
#ifndef RTM_MPU_V7M_NORMAL_TEX
#if defined(__ARM_ARCH_6M__)
#define RTM_MPU_V7M_NORMAL_TEX 0u
#else
#define RTM_MPU_V7M_NORMAL_TEX 1u
#endif
#endif

/**
 * Smallest ARMv7-M-family region, as log2(bytes), that an arch with min_log2 = 0 stands for: 5
 * (32 B, ARMv7-M), or 8 (256 B) in builds for ARMv6-M, whose PMSAv6 MPU refuses RASR.SIZE below 7
 * (Cortex-M0+ Devices Generic User Guide, MPU_RASR). Plans made on a host for a Cortex-M0+ say so
 * in the arch (RTM_MPU_ARCH_ARMV6M) instead of relying on this default. 5 or 8.
 */
#ifndef RTM_MPU_V7M_MIN_LOG2
#if defined(__ARM_ARCH_6M__)
#define RTM_MPU_V7M_MIN_LOG2 8u
#else
#define RTM_MPU_V7M_MIN_LOG2 5u
#endif
#endif

/* ---- access kinds and partition attributes ---------------------------------------------------- */

/** Kinds of access, combinable: used by rtm_domain_check() and in fault records. */
typedef enum {
    RTM_ACCESS_READ = 1u,
    RTM_ACCESS_WRITE = 2u,
    RTM_ACCESS_EXEC = 4u,
} rtm_access;

/**
 * Attributes of a partition or region: one permission code (low 4 bits) | optional flags.
 * Zero is invalid (a zero-filled partition is rejected, never treated as "no access").
 * "P" is privileged (handler / M-mode), "U" unprivileged (thread / U-mode).
 */
typedef uint32_t rtm_part_attr;
#define RTM_PART_P_RW_U_RW 0x1u /**< read-write for everyone */
#define RTM_PART_P_RW_U_RO 0x2u /**< privileged read-write, unprivileged read-only */
#define RTM_PART_P_RW_U_NA 0x3u /**< privileged read-write, unprivileged no access */
#define RTM_PART_P_RO_U_RO 0x4u /**< read-only for everyone */
#define RTM_PART_P_RO_U_NA 0x5u /**< privileged read-only, unprivileged no access */
#define RTM_PART_P_NA_U_NA 0x6u /**< no access at all (guards); not expressible on ARMv8-M */
#define RTM_PART_PERM_MASK 0xFu
#define RTM_PART_XN 0x100u      /**< execute-never (without it, readable means executable) */
#define RTM_PART_DEVICE 0x200u  /**< device memory (peripherals): ARM memory type Device-nGnRE */
#define RTM_PART_LOCKED 0x400u  /**< RISC-V PMP lock bit: also binds M-mode, fixed until reset.
                                     Only for system regions; ignored by the ARM encoders */
#define RTM_PART_ATTR_MASK (RTM_PART_PERM_MASK | RTM_PART_XN | RTM_PART_DEVICE | RTM_PART_LOCKED)

/**
 * Access rights (RTM_ACCESS_* mask) that attributes @p attr give privileged (@p privileged true)
 * or unprivileged code. 0 for an invalid permission code. O(1), ISR-safe.
 */
unsigned rtm_part_access(rtm_part_attr attr, bool privileged);

/** True when @p attr has a valid permission code and no unknown bits. O(1), ISR-safe. */
bool rtm_part_attr_valid(rtm_part_attr attr);

/* ---- architecture description -------------------------------------------------------------------- */

typedef enum {
    RTM_MPU_NONE = 0,
    RTM_MPU_ARMV7M,
    RTM_MPU_ARMV8M,
    RTM_MPU_RISCV_PMP,
    RTM_MPU_POSIX,
} rtm_mpu_kind;

/** A protection unit as the planner sees it. Fill it from the hardware (MPU_TYPE.DREGION, ...). */
typedef struct rtm_mpu_arch {
    rtm_mpu_kind kind;
    uint32_t regions;     /**< hardware slots in total, 1..RTM_MPU_MAX_REGIONS (POSIX: any) */
    uint32_t sys_regions; /**< slots reserved for system regions (< regions) */
    uint32_t granule;     /**< RTM_MPU_POSIX: page size (power of two); others: 0 (architectural) */
    uint32_t min_log2;    /**< RTM_MPU_ARMV7M: log2 of the smallest region the MPU takes: 5 (32 B,
                               ARMv7-M), 8 (256 B, ARMv6-M / Cortex-M0+) or 0 for the build's
                               default, RTM_MPU_V7M_MIN_LOG2. Others: 0 */
} rtm_mpu_arch;

/** Exponent of the smallest region of ARMv6-M's PMSAv6 MPU (256 B: MPU_RASR.SIZE >= 7). */
#define RTM_MPU_V6M_MIN_LOG2 8u

/** Constant initialisers, e.g. `static const rtm_mpu_arch a = RTM_MPU_ARCH_ARMV7M(8, 2);`.
 *  RTM_MPU_ARCH_ARMV7M takes the build's smallest region (RTM_MPU_V7M_MIN_LOG2: 256 B when built
 *  for ARMv6-M); RTM_MPU_ARCH_ARMV6M is a Cortex-M0+ MPU wherever the plan is made. */
#define RTM_MPU_ARCH_ARMV7M(regions, sys) {RTM_MPU_ARMV7M, (regions), (sys), 0u, 0u}
#define RTM_MPU_ARCH_ARMV6M(regions, sys) {RTM_MPU_ARMV7M, (regions), (sys), 0u, RTM_MPU_V6M_MIN_LOG2}
#define RTM_MPU_ARCH_ARMV8M(regions, sys) {RTM_MPU_ARMV8M, (regions), (sys), 0u, 0u}
#define RTM_MPU_ARCH_RISCV_PMP(entries, sys) {RTM_MPU_RISCV_PMP, (entries), (sys), 0u, 0u}
#define RTM_MPU_ARCH_POSIX(slots, page) {RTM_MPU_POSIX, (slots), 0u, (page), 0u}

/**
 * Checks @p arch: known kind, 1 <= regions <= RTM_MPU_MAX_REGIONS (any count >= 1 for POSIX; at
 * most RTM_MPU_V7M_SLOTS for ARMv7-M),
 * sys_regions < regions, granule a power of two for POSIX and 0 otherwise, min_log2 0, 5 or 8 for
 * ARMv7-M and 0 otherwise.
 * Returns RTM_OK, RTM_ERR_ARG (NULL), RTM_ERR_UNSUPPORTED (kind), RTM_ERR_SIZE (counts, min_log2),
 * RTM_ERR_ALIGN (granule). O(1), ISR-safe.
 */
rtm_err rtm_mpu_arch_check(const rtm_mpu_arch *arch);

/** Smallest unit (bytes) a range's base and size must be a multiple of: 32 (ARM, ARMv6-M too: a
 *  256 B region's subregion), 4 (PMP), granule (POSIX). 0 for an invalid @p arch. O(1), ISR-safe. */
uint32_t rtm_mpu_granule(const rtm_mpu_arch *arch);

/* ---- input and output of the planner ------------------------------------------------------------- */

/** One address range to protect. 64-bit so that a 4 GiB range (base 0) can be written. */
typedef struct rtm_mpu_range {
    uint64_t base;      /**< first byte */
    uint64_t size;      /**< bytes, > 0; base + size <= 2^32 (the targets' address space) */
    rtm_part_attr attr; /**< RTM_PART_* */
} rtm_mpu_range;

/** ARMv7-M region. rbar = ADDR[31:5] | VALID (bit 4) | REGION[3:0] (slot number), so writing
 *  RBAR alone selects the slot; then write rasr. A disabled slot has rasr == 0. */
typedef struct {
    uint32_t rbar;
    uint32_t rasr;
} rtm_mpu_v7m_region;

/** ARMv8-M region. Write MPU_RNR = slot, then RBAR, then RLAR. A disabled slot has rlar == 0. */
typedef struct {
    uint32_t rbar;
    uint32_t rlar;
} rtm_mpu_v8m_region;

/** RISC-V PMP entry: the pmpaddrN value and the pmpcfgN byte (R=1, W=2, X=4, A[4:3], L=0x80). */
typedef struct {
    uint32_t pmpaddr;
    uint8_t pmpcfg;
} rtm_pmp_entry;

/* Field encodings, for ports and tests. */
#define RTM_V7M_RBAR_VALID (1u << 4)
#define RTM_V7M_RASR_ENABLE 1u
#define RTM_V7M_RASR_SIZE(log2) ((uint32_t)((log2) - 1u) << 1) /* region = 2^log2 bytes, 5..32 (v6-M 8..32) */
#define RTM_V7M_RASR_SRD(mask) ((uint32_t)(mask) << 8)         /* bit i disables subregion i */
#define RTM_V7M_RASR_B (1u << 16)
#define RTM_V7M_RASR_C (1u << 17)
#define RTM_V7M_RASR_S (1u << 18)
#define RTM_V7M_RASR_TEX(t) ((uint32_t)(t) << 19)
#define RTM_V7M_RASR_AP(ap) ((uint32_t)(ap) << 24)
#define RTM_V7M_RASR_XN (1u << 28)
#define RTM_V8M_RBAR_XN 1u
#define RTM_V8M_RBAR_AP(ap) ((uint32_t)(ap) << 1) /* 0 P-RW, 1 RW, 2 P-RO, 3 RO */
#define RTM_V8M_RBAR_SH(sh) ((uint32_t)(sh) << 3)
#define RTM_V8M_RLAR_EN 1u
#define RTM_V8M_RLAR_ATTR(i) ((uint32_t)(i) << 1)
#define RTM_V8M_ATTR_NORMAL 0u        /* MAIR attribute index 0: normal, write-back RW-allocate */
#define RTM_V8M_ATTR_DEVICE 1u        /* MAIR attribute index 1: Device-nGnRE */
#define RTM_V8M_MAIR0 0x000004FFu     /* Attr0 = 0xFF, Attr1 = 0x04 */
#define RTM_PMP_R 0x01u
#define RTM_PMP_W 0x02u
#define RTM_PMP_X 0x04u
#define RTM_PMP_A_OFF 0x00u
#define RTM_PMP_A_TOR 0x08u
#define RTM_PMP_A_NA4 0x10u
#define RTM_PMP_A_NAPOT 0x18u
#define RTM_PMP_L 0x80u

/** No input range owns this slot (never produced today; reserved). */
#define RTM_MPU_OWNER_NONE 0xFFu

/**
 * Register values for a set of slots [first, first + count). Which array of `r` is valid depends
 * on `kind`. owner[i] is the index (in the planner's input) of the range slot first + i serves; a
 * range may own several slots (ARMv7-M split, PMP TOR base entry).
 */
typedef struct rtm_mpu_regs {
    rtm_mpu_kind kind;
    uint32_t first;      /**< hardware slot number of entry 0 */
    uint32_t count;      /**< slots used */
    uint32_t avail;      /**< slots this set may use (the budget) */
    uint32_t mair0;      /**< ARMv8-M: value for MPU_MAIR0 (RTM_V8M_MAIR0); else 0 */
    uint32_t min_log2;   /**< ARMv7-M: the arch's smallest region exponent planned for (5, or 8 for
                              ARMv6-M); rtm_mpu_decode refuses smaller regions. Else 0 (0 in an
                              ARMv7-M value made by hand stands for RTM_MPU_V7M_MIN_LOG2) */
    uint64_t wasted;     /**< bytes granted beyond the ranges, summed over all ranges (a byte the
                              waste of two ranges shares counts twice; `rtmem mpu` reports distinct
                              bytes) */
    uint8_t owner[RTM_MPU_MAX_REGIONS];
    union {
        rtm_mpu_v7m_region v7m[RTM_MPU_MAX_REGIONS];
        rtm_mpu_v8m_region v8m[RTM_MPU_MAX_REGIONS];
        rtm_pmp_entry pmp[RTM_MPU_MAX_REGIONS];
    } r;
} rtm_mpu_regs;

/** Which slots a plan is for. */
typedef enum {
    RTM_MPU_SET_SYSTEM, /**< the arch's sys_regions slots; later ranges override earlier ones */
    RTM_MPU_SET_DOMAIN, /**< the remaining slots; ranges must not overlap */
} rtm_mpu_set;

/** Where a plan failed: the offending range, the other range involved, and the rule broken. */
typedef struct rtm_mpu_diag {
    rtm_err err;      /**< same value as returned */
    int32_t index;    /**< input index of the offending range, -1 if none (e.g. bad arch);
                           rtm_mpu_plan_avoid: n + j for avoid[j] */
    int32_t other;    /**< input index of the other range, -1 if none: the one it overlaps
                           (RTM_ERR_OVERLAP), or, for an ARMv7-M RTM_ERR_NO_SLOT, one whose bytes
                           every cover within the slots left would grant (rtm_mpu_plan_avoid: n + j
                           for avoid[j]) */
    const char *rule; /**< static English text, e.g. "armv8m: base and size must be multiples of 32" */
} rtm_mpu_diag;

/**
 * Plans and encodes @p n ranges into the slots of @p set of @p arch, choosing the layout that
 * wastes the fewest bytes within the slot budget (ties: fewest slots). ARMv8-M, PMP and POSIX are
 * exact (no waste). ARMv7-M: for each range and each region count up to RTM_MPU_V7M_MAX_SPLIT the
 * cover is the least waste of any cover by that many regions carrying the range's attributes (one
 * contiguous run of subregions each; it may round at the start, the end or both) whose waste
 * touches no other range of the set; the slots are then shared out among the ranges to minimise
 * the total (ties in waste: fewest slots, then the earlier range in the input is the one split
 * into more regions). Not considered: a region shared by two ranges, more than RTM_MPU_V7M_MAX_SPLIT
 * regions for one range, and extra "no access" regions laid over waste to hide it. No region is
 * smaller than 2^min_log2 of the arch: on ARMv6-M a range under 256 B is a 256 B region whose
 * subregions outside it are disabled (no waste when the range is 32-byte aligned within one 256 B
 * block; else the least-waste rule above, e.g. [0xE0, 0x120) is two such regions, or one 512 B
 * region with subregions 3..4 on, 64 B wasted, when one slot is free).
 * Fails (and leaves *out zeroed, fills *diag if not NULL) when:
 *   RTM_ERR_ARG        arch, out NULL; ranges NULL with n > 0; attribute invalid
 *   RTM_ERR_UNSUPPORTED attr the architecture cannot express (ARMv8-M: P_RW_U_RO, P_NA_U_NA;
 *                      PMP: privileged read-only without RTM_PART_LOCKED, locked with P != U)
 *   RTM_ERR_SIZE       size 0, or base + size beyond 2^32
 *   RTM_ERR_ALIGN      base or size not a multiple of rtm_mpu_granule() (POSIX, ARMv8-M, PMP,
 *                      ARMv7-M: 32)
 *   RTM_ERR_OVERLAP    two ranges overlap in a domain set (any arch), or in the system set on
 *                      ARMv8-M or POSIX (whose page protections have no priority either)
 *   RTM_ERR_NO_SLOT    the ranges need more slots than the set has (diag names the first range
 *                      that did not fit; ARMv7-M: diag->other, if not -1, a range whose bytes the
 *                      waste of every cover within the slots left to it would touch: the smallest
 *                      such range, the first in the input of equal sizes), or more than
 *                      RTM_MPU_MAX_REGIONS ranges (a POSIX arch may have more slots than a plan
 *                      holds)
 * Complexity: O(n^2 + n * slots * 32) with n <= RTM_MPU_MAX_REGIONS; ARMv7-M O(n^2 * 50 +
 * n * split^2 * 75 * 28), split = min(free slots, RTM_MPU_V7M_MAX_SPLIT): at most 75 greedy covers
 * of 28 window sizes per step (one, when the range needs no waste). Thread- and ISR-safe.
 */
rtm_err rtm_mpu_plan(const rtm_mpu_arch *arch, rtm_mpu_set set, const rtm_mpu_range *ranges, size_t n,
                     rtm_mpu_regs *out, rtm_mpu_diag *diag);

/**
 * rtm_mpu_plan, with the waste also kept off every byte of @p avoid[0..n_avoid): ranges that other
 * regions protect and that this set's regions must not grant. For a domain set: the system
 * regions (a domain region outranks them, so waste over the kernel's region hands it to the
 * domain's threads), and the partitions of the other domains this one must not reach (a
 * partition of its own may be listed too: a range's waste never covers the set's own ranges). For
 * the system set: the partitions (a system region is active for every domain). Only base and size
 * of an avoid range are read; it may overlap the ranges (a partition inside a system region):
 * only bytes granted beyond the ranges are checked against it. Only ARMv7-M plans waste bytes;
 * on the other kinds the avoid ranges are checked and change nothing.
 * Fails as rtm_mpu_plan, its argument and range checks (up to the overlaps) first, then:
 *   RTM_ERR_ARG        avoid NULL with n_avoid > 0 (checked with the other NULL arguments)
 *   RTM_ERR_SIZE       an avoid range of size 0 or whose base + size overflows 64 bits (diag
 *                      index n + j), or n + n_avoid above INT32_MAX (before the slot budget)
 *   RTM_ERR_NO_SLOT    ARMv7-M: no cover within the slots left keeps its waste off them: diag
 *                      names the range and, in other, one range its waste would touch (n + j for
 *                      avoid[j]; of several, the smallest), e.g. the system region below a
 *                      partition when the only cover that fits rounds down over it
 * With n_avoid 0 it is rtm_mpu_plan; a plan that wastes nothing is rtm_mpu_plan's plan. One plan:
 * complexity rtm_mpu_plan's, with the ARMv7-M waste checks costing O(n + n_avoid) each (its n^2
 * terms become n * (n + n_avoid)), plus O(n_avoid) for the checks. Thread- and ISR-safe.
 */
rtm_err rtm_mpu_plan_avoid(const rtm_mpu_arch *arch, rtm_mpu_set set, const rtm_mpu_range *ranges, size_t n,
                           const rtm_mpu_range *avoid, size_t n_avoid, rtm_mpu_regs *out, rtm_mpu_diag *diag);

/**
 * ARMv7-M only: the least-waste cover of one range [base, base+size) with at most @p max_regions
 * regions (ties: fewer regions; slot numbers first, first+1, ...), for tools and tests. Least
 * waste among all covers by regions that carry the range's attributes (see rtm_mpu_plan). Same
 * failure rules as rtm_mpu_plan; RTM_ERR_NO_SLOT when no cover within max_regions exists.
 * Regions of at least 2^RTM_MPU_V7M_MIN_LOG2 bytes (the build's default).
 * O(75 * 28 * max_regions).
 */
rtm_err rtm_mpu_v7m_cover(const rtm_mpu_range *range, uint32_t first, uint32_t max_regions, rtm_mpu_regs *out);

/**
 * rtm_mpu_v7m_cover with regions of at least 2^@p min_log2 bytes, as rtm_mpu_arch.min_log2: 5
 * (ARMv7-M), 8 (ARMv6-M) or 0 (RTM_MPU_V7M_MIN_LOG2); RTM_ERR_ARG for another value.
 */
rtm_err rtm_mpu_v7m_cover_min(const rtm_mpu_range *range, uint32_t first, uint32_t max_regions, uint32_t min_log2,
                              rtm_mpu_regs *out);

/**
 * Packs the pmpcfg bytes of @p regs (PMP) into the RV32 CSR words pmpcfg0..pmpcfg3: byte k of
 * cfg[j] is entry 4j+k. Entries outside [first, first+count) are 0 (OFF) in the output; the port
 * merges with the bytes of other slots (or writes only the words it owns). Returns RTM_ERR_ARG
 * for NULL or a non-PMP @p regs, else RTM_OK. O(RTM_MPU_MAX_REGIONS).
 */
rtm_err rtm_pmp_pack_cfg(const rtm_mpu_regs *regs, uint32_t cfg[(RTM_MPU_MAX_REGIONS + 3) / 4]);

/**
 * Can a PMP whose granularity is 2^(@p g + 2) bytes hold every entry of @p regs (PMP) exactly? The
 * privileged spec's G: a pmpaddr written with all ones while its entry is OFF reads back with G
 * trailing zeros (rtm_rv_pmp_load probes it). The planner plans for G = 0, 4-byte granules; on a
 * coarser PMP an entry would be silently widened (more access than planned), so a port refuses
 * the plan instead. RTM_OK, or RTM_ERR_UNSUPPORTED when an entry is NA4 and G >= 1, a NAPOT region
 * is smaller than 2^(G+2) bytes, or a TOR range's top (or its base, the OFF entry before it) is not
 * a multiple of 2^(G+2) bytes. RTM_ERR_ARG for NULL or a non-PMP @p regs, count beyond
 * RTM_MPU_MAX_REGIONS, or g > 29. O(count). Keep partitions aligned to the part's granule (and
 * sized in multiples of it) for plans that load there.
 */
rtm_err rtm_pmp_check_granule(const rtm_mpu_regs *regs, unsigned g);

/**
 * True when @p a and @p b program the same slots with the same values (kind, first, count, budget,
 * MAIR0, smallest region, waste, owners and the `count` entries; padding and unused entries are
 * ignored). A port can use it to skip reprogramming on a switch between threads of the same
 * layout. False if either is NULL. O(count).
 */
bool rtm_mpu_regs_equal(const rtm_mpu_regs *a, const rtm_mpu_regs *b);

/**
 * Decodes slot @p i of @p regs back into the byte range it grants ([*base, *base + *size), 64-bit)
 * and whether it is enabled, for tools and tests. ARMv7-M: the span of enabled subregions only when
 * they are contiguous (else RTM_ERR_UNSUPPORTED); RTM_ERR_UNSUPPORTED for a region smaller than
 * 2^regs->min_log2 (reserved RASR.SIZE values: below 32 B, or below 256 B on ARMv6-M). PMP: TOR
 * uses the previous entry of @p regs (or 0 for slot 0). RTM_ERR_ARG for bad arguments. O(1).
 */
rtm_err rtm_mpu_decode(const rtm_mpu_regs *regs, uint32_t i, uint64_t *base, uint64_t *size, bool *enabled);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_MPU_H */
