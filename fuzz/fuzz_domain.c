/*
 * libFuzzer target for protection domains (rtmem/domain.h) and, through them, the planner and the
 * encoders (src/mpu_plan.c, mpu_armv7m.c, mpu_armv8m.c, mpu_pmp.c): the input is an operation
 * sequence on two domain objects over a fake address space (a domain stores addresses only: no
 * call here dereferences a partition's bytes, so any address is fair), checked against a model
 * of what domain.h and mpu.h promise.
 *
 * Input: byte 0 the kind (% 4: 0 ARMv7-M, 1 ARMv8-M, 2 RISC-V PMP, 3 POSIX pages), byte 1 p the
 * unit: ARM and PMP: regions 8 (p bit 0 clear) or 16, sys_regions (p >> 1) & 7 (below regions);
 * ARMv7-M p bit 4: min_log2 8 (ARMv6-M), bit 5: min_log2 5 written out (else 0, the default).
 * POSIX: slots {1, 4, 16, 40}[p & 3] (40: more than a plan holds), page 2^((p >> 2) & 31).
 * Both domains start with this arch; an init may give another (op 0). Then at most MAX_OPS
 * operations: one byte c (c & 15 the operation, c bit 7 the domain, 0 or 1; bits 4-6 flags),
 * then its operands (bytes past the end read as 0):
 *   0 init     n:1 [arch:1 if n bit 7] [garbage:1 if c bit 6] n & 31 partitions,
 *              [avoid list if c bit 4]: rtm_domain_init, or rtm_domain_init_avoid with c bit 4.
 *              n bit 5: entry (next byte % n) NULL; n bit 6: the list NULL; n bit 7: a bad or
 *              other arch (bad_arch below); c bit 5: a diag is passed; c bit 6: a domain that is
 *              not live is first filled with garbage (byte g: all bytes g, the first 4 copied from
 *              the other domain if live, i.e. its magic; g = 0xFF with the other live: a byte copy
 *              of the other, a live-looking object the registry does not know), and after a
 *              refusal it must be untouched, deinit must refuse it too (untouched), and the target
 *              zero-fills it again (the caller's job: domain.h). Avoid list: byte k, k & 7 ranges
 *              (k bit 3: a NULL list, k bit 4: n_avoid above INT32_MAX - RTM_DOMAIN_MAX_PARTITIONS
 *              with a one-entry table) each 1 byte v + operands: v % 5: 0 a partition of the other
 *              domain (byte: index), 1 one of this init's partitions (byte: index), 2 a range read
 *              as a partition (a system region), 3 a bad range (byte: bit 0 size 0, else base + size
 *              past 2^64), 4 the 4 GiB background region or [0x20000000, +512 KiB) (v bit 3).
 *   1 deinit
 *   2 add      partition; c bit 4: NULL partition, c bit 5: a diag.
 *   3 remove   byte i: partition i % n of the model (c bit 4: with XN toggled, c bit 5: one unit
 *              longer: no such partition); an empty model reads a partition. c bit 6: NULL.
 *   4 add thread byte t: thread t % 12 (0 is invalid); c bit 4: a thread of the other domain;
 *              c bit 5: no operand, threads 0..11 one after the other (fills the domain).
 *   5 remove thread, as 4.
 *   6 check    addr, len, access byte a: a & 7 (0 invalid), a bit 3: unknown bit 8.
 *   7 find     addr, byte f: prefer f & 3 (NULL, domain 0, domain 1, this one), f bit 2: lookup
 *              instead of find, f bit 3: NULL outputs.
 *   8 bad call byte b: a NULL object, a NULL output or an index out of range (b % 12).
 *   9 nothing  (the checks of every step only)
 *   else       as 9.
 * A partition: mode m, size s, attributes a, then operands. s bit 7: unit << (s & 31), else
 * (s & 127) * unit (unit: the domain arch's granule, rtm_mpu_granule). m & 3 the start: 0 after a
 * pool partition (byte: index into both domains' and the list being built), (m >> 2) & 3: adjacent,
 * one unit above, rounded up to the size's power-of-two ceiling, one unit into it (overlap); 1
 * below it, the same four ways; 2 u16 * unit << 4 * ((m >> 2) & 3); 3 (m >> 2) & 3: raw u32, raw
 * u64, ending at the top of the address space (2^32, POSIX 2^64), 2^32 - size - u16 * unit.
 * m bit 4: start + 1 + byte % (unit - 1), bit 5: size likewise, bit 6: size UINTPTR_MAX - byte,
 * bit 7: start rounded down to the size's power-of-two ceiling. a: a bit 7 clear: permission
 * 1 + (a & 7) % 6, set: a & 15 raw (0, 7..15 invalid); bit 3 XN, 4 DEVICE, 5 LOCKED, 6 an unknown
 * flag (0x800).
 * An address: byte m, byte i: m & 3: 0 pool partition i's start, 1 its end, 2 raw u32, 3 raw
 * u64; (m >> 2) & 3: 0 as is, 1 minus 1, 2 plus 1, 3 plus a signed byte (times the unit: m bit 4). A length: byte l:
 * l >> 6: 0 l & 63, 1 (l & 63) * unit, 2 the pool partition's size + (l & 31) - 16, 3 (l & 63)
 * == 63: SIZE_MAX - byte, else the end of pool partition l & 63 minus the address (wrapping).
 *
 * The model: per domain, live or not, its arch, its partitions in insertion order (remove keeps the
 * others' order), its table of ranges to avoid, its rejected count; per thread, its domain.
 * A change (init, deinit, add/remove partition or thread) must return OK exactly when no rule of
 * domain.h (and of mpu.h, which it defers to) is broken, and else one of the codes of the rules
 * broken (any of them when several are); the slot budget is exact for ARMv8-M, POSIX and PMP (the
 * fewest entries by a dynamic program over the TOR chaining rule of mpu.h, independent of the
 * encoder's greedy), and on ARMv7-M a set whose every partition is one region without waste
 * (a window, or a run of its subregions) must fit when there are slots for one region each. A
 * refusal sends exactly one report with the code returned, counts in the domain's `rejected` when
 * it is live, and leaves both domain objects byte for byte as they were (but that count); its
 * diag (when asked) names the code, a rule, and an index in range (add's RTM_ERR_OVERLAP: the
 * existing partition p overlaps, at diag->index, in diag->other). A success reports nothing.
 * The queries (check, find, lookup, partition, stats, verify, regs, of_thread, max_partitions)
 * never report and change nothing. rtm_domain_check is compared with the byte model (every byte
 * of [addr, addr + len) in partitions whose unprivileged rights include the access, adjacent ones
 * together; len 0: inside or at the end of such a partition; RTM_ERR_SIZE when the last byte is
 * past the address space); find and lookup with the partitions holding the address (prefer's
 * first, else any live domain's; nothing stored on a miss).
 * After every step: rtm_domain_verify is RTM_OK for a live domain; its partitions (count and each
 * one), statistics (partitions, max_partitions, threads, regions used and available, waste,
 * rejected) and thread membership (rtm_domain_of_thread) equal the model's; a domain that is not
 * live is all zero bytes and every query refuses it. Its registers are decoded independently of
 * the encoders: slot numbers, budget, MAIR0, every field of each RASR / RBAR / RLAR / pmpcfg from
 * the partition's attributes (access for privileged and unprivileged code, XN, memory type), each
 * partition covered by its own slots with no hole, nothing granted beyond its partitions on
 * ARMv8-M and PMP, and on ARMv7-M no granted byte outside a partition on another partition of
 * the domain or on a range of its avoid table, the waste adding up to rtm_mpu_regs.wasted.
 * Any violation aborts. Seeds: fuzz/corpus/fuzz_domain (a few operations per arch). FUZZ_DOMAIN_TRACE=1
 * in the environment prints each operation's result (to read a seed or a crash input).
 * What it catches (each line broken on purpose, fuzzed 10 s from the seeds alone as check step 50
 * does, 2026-11-29): in domain.c, len 0 at a partition's end refused, len 0 without the rights
 * allowed, a buffer whose last byte is uncovered allowed, a buffer ending at the top refused,
 * find missing a partition's last byte, a partition ending at the top refused, the wrong partition
 * removed, deinit not clearing, the thread table's limit one off (UBSan), refusals (FULL, init of
 * a live domain) not counted: all in under 1 s; in the encoders, ARMv7-M waste over a range to
 * avoid or over another partition, a subregion left on, a wrong AP or device attribute, an ARMv8-M
 * limit one block short, PMP without X, a PMP slot budget one off (4 s), no TOR chain from address
 * 0 (3 s), a range ending at 2^32 refused (1 s). Not caught: ARMv7-M covers that round to 2^29
 * (bounds up to 2^28 only): the waste is still legal, only not the least, which takes the
 * brute-force reference of tests/domain/test_mpu.c to see.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/domain.h"

#include "fuzz_common.h"

#define MAXP ((uint32_t)RTM_DOMAIN_MAX_PARTITIONS)
#define MAXT ((uint32_t)RTM_DOMAIN_MAX_THREADS)
#define NTHREAD 12u /* thread handles 0..11; 0 is invalid */
#define MAX_OPS 48  /* a step on a full ARMv7-M domain replans (verify) twice: keep inputs cheap */
#define MAX_LIST 31u
#define MAX_AVOID 7u
#define SPACE32 0x100000000ull
#define R_ RTM_ACCESS_READ
#define W_ RTM_ACCESS_WRITE
#define X_ RTM_ACCESS_EXEC
#define HUGE_AVOID ((size_t)INT32_MAX - RTM_DOMAIN_MAX_PARTITIONS + 1u)

typedef struct {
    bool live;
    rtm_mpu_arch arch;
    uint32_t n;
    rtm_partition parts[RTM_DOMAIN_MAX_PARTITIONS];
    uint32_t rejected;
    rtm_mpu_range *avoid; /* the table given to init_avoid (malloc'ed, exactly n_avoid entries) */
    size_t n_avoid;
} mdom;

static rtm_domain g_dom[2];
static mdom g_m[2];
static int g_thread_of[NTHREAD]; /* model: the domain of each thread, -1 none */
static rtm_mpu_arch g_arch;      /* the input's arch */
static rtm_partition g_list[MAX_LIST];

/* ---- input ------------------------------------------------------------------------------------ */
static uint64_t u32(reader *r) { return (uint64_t)u16(r) | (uint64_t)u16(r) << 16; }
static uint64_t u64(reader *r) { return u32(r) | u32(r) << 32; }

/* ---- the rules, from the headers ---------------------------------------------------------------- */
/* mpu.h's permission codes: {privileged, unprivileged} rights; readable means executable without
 * RTM_PART_XN. */
static const unsigned k_perm[7][2] = {{0, 0},       {R_ | W_, R_ | W_}, {R_ | W_, R_}, {R_ | W_, 0},
                                      {R_, R_},     {R_, 0},           {0, 0}};

static bool attr_ok(rtm_part_attr a)
{
    unsigned perm = a & RTM_PART_PERM_MASK;
    return (a & ~(rtm_part_attr)RTM_PART_ATTR_MASK) == 0 && perm >= 1 && perm <= 6;
}

static unsigned rights(rtm_part_attr a, bool priv)
{
    if (!attr_ok(a)) return 0;
    unsigned x = k_perm[a & RTM_PART_PERM_MASK][priv ? 0 : 1];
    if ((x & R_) && !(a & RTM_PART_XN)) x |= X_;
    return x;
}

/* rtm_mpu_arch_check's codes for @p a (mpu.h), as a mask: 0 when valid. */
static unsigned arch_errs(const rtm_mpu_arch *a)
{
    if (!a) return EBIT(RTM_ERR_ARG);
    unsigned m = 0;
    switch (a->kind) {
    case RTM_MPU_ARMV7M:
    case RTM_MPU_ARMV8M:
    case RTM_MPU_RISCV_PMP:
        if (a->granule != 0) m |= EBIT(RTM_ERR_ALIGN);
        if (a->regions == 0 || a->regions > RTM_MPU_MAX_REGIONS) m |= EBIT(RTM_ERR_SIZE);
        if (a->kind == RTM_MPU_ARMV7M && a->regions > RTM_MPU_V7M_SLOTS) m |= EBIT(RTM_ERR_SIZE);
        if (a->kind == RTM_MPU_ARMV7M ? !(a->min_log2 == 0 || a->min_log2 == 5 || a->min_log2 == 8) : a->min_log2 != 0)
            m |= EBIT(RTM_ERR_SIZE);
        break;
    case RTM_MPU_POSIX:
        if (a->granule == 0 || (a->granule & (a->granule - 1u))) m |= EBIT(RTM_ERR_ALIGN);
        if (a->regions == 0 || a->min_log2 != 0) m |= EBIT(RTM_ERR_SIZE);
        break;
    default: return EBIT(RTM_ERR_UNSUPPORTED);
    }
    if (a->sys_regions >= a->regions) m |= EBIT(RTM_ERR_SIZE);
    return m;
}

static uint64_t unit_of(const rtm_mpu_arch *a)
{
    if (arch_errs(a)) return 32;
    if (a->kind == RTM_MPU_POSIX) return a->granule;
    return a->kind == RTM_MPU_RISCV_PMP ? 4u : 32u;
}

static uint32_t v7_min(const rtm_mpu_arch *a) { return a->min_log2 ? a->min_log2 : RTM_MPU_V7M_MIN_LOG2; }
static uint32_t dom_slots(const rtm_mpu_arch *a) { return a->regions - a->sys_regions; }

static uintptr_t plast(const rtm_partition *p) { return p->start + (p->size - 1u); }
static bool wraps(const rtm_partition *p) { return p->size == 0 || p->size - 1u > UINTPTR_MAX - p->start; }
static bool overlap(const rtm_partition *a, const rtm_partition *b)
{
    return a->start <= plast(b) && b->start <= plast(a);
}
static bool same_part(const rtm_partition *a, const rtm_partition *b)
{
    return a->start == b->start && a->size == b->size && a->attr == b->attr;
}

/* ARMv7-M: can one region (a window of 2^k >= 2^min_log2 bytes aligned to its size, or from 256 B
 * a contiguous run of its eighths) grant exactly [start, start + size)? */
static bool v7_exact(const rtm_partition *p, uint32_t min_log2)
{
    uint64_t S = p->start, E = S + p->size;
    for (uint32_t k = min_log2; k <= 32; k++) {
        uint64_t w = 1ull << k, W = S & ~(w - 1u);
        if (E > W + w) continue;
        if (k < 8 ? (S == W && E == W + w) : ((S - W) % (w / 8u) == 0 && (E - W) % (w / 8u) == 0)) return true;
    }
    return false;
}

/* RISC-V PMP: the fewest entries of any encoding mpu.h allows (NA4 for 4 bytes, NAPOT for an
 * aligned power of two >= 8, TOR: one entry when the previous entry's address is the range's base
 * - address 0 before slot 0 - else two), ranges in address order (TOR needs its base below).
 * Dynamic program over "the last entry's address is the last range's top" (after a TOR) or not. */
static uint32_t pmp_min_entries(const rtm_partition *const *parts, size_t n)
{
    const rtm_partition *s[RTM_DOMAIN_MAX_PARTITIONS + 1];
    for (size_t i = 0; i < n; i++) { /* insertion sort by start */
        size_t j = i;
        for (; j > 0 && s[j - 1]->start > parts[i]->start; j--) s[j] = s[j - 1];
        s[j] = parts[i];
    }
    const uint32_t inf = UINT32_MAX / 4;
    uint32_t at_top = 0, other = inf; /* before slot 0: "address 0" */
    uint64_t top = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t b = s[i]->start, z = s[i]->size;
        bool napot = z == 4 || (z >= 8 && (z & (z - 1u)) == 0 && b % z == 0);
        uint32_t t = (top == b ? at_top + 1u : at_top + 2u);
        if (other + 2u < t) t = other + 2u;
        uint32_t o = napot ? (at_top < other ? at_top : other) + 1u : inf;
        at_top = t;
        other = o;
        top = b + z;
    }
    return at_top < other ? at_top : other;
}

/*
 * The codes a plan of parts[0..n) (entries may be NULL: init's list) on @p a may fail with:
 * *must: a rule is broken (the call must fail with one of these, or one of *may); *may: ARMv7-M's
 * budget, which only the planner's search knows (a set it cannot rule in). ARMv7-M must succeed
 * when every partition is one exact region and there is a slot for each.
 */
static void plan_errs(const rtm_mpu_arch *a, const rtm_partition *const *parts, size_t n, const rtm_mpu_range *avoid,
                      size_t n_avoid, unsigned *must, unsigned *may)
{
    *must = *may = 0;
    unsigned ae = arch_errs(a);
    if (ae) {
        *must = ae;
        return;
    }
    uint64_t unit = unit_of(a);
    bool posix = a->kind == RTM_MPU_POSIX, shaped = true;
    for (size_t i = 0; i < n; i++) {
        const rtm_partition *p = parts[i];
        if (!p) {
            *must |= EBIT(RTM_ERR_ARG);
            shaped = false;
            continue;
        }
        unsigned perm = p->attr & RTM_PART_PERM_MASK;
        if (!attr_ok(p->attr)) *must |= EBIT(RTM_ERR_ARG);
        if (wraps(p) || (!posix && ((uint64_t)p->size > SPACE32 || (uint64_t)p->start > SPACE32 - p->size))) {
            *must |= EBIT(RTM_ERR_SIZE);
            shaped = false;
        }
        if (((uint64_t)p->start | (uint64_t)p->size) % unit) *must |= EBIT(RTM_ERR_ALIGN);
        if (a->kind == RTM_MPU_ARMV8M && (perm == RTM_PART_P_RW_U_RO || perm == RTM_PART_P_NA_U_NA))
            *must |= EBIT(RTM_ERR_UNSUPPORTED);
        if (a->kind == RTM_MPU_RISCV_PMP && ((p->attr & RTM_PART_LOCKED) || perm >= RTM_PART_P_RO_U_RO))
            *must |= EBIT(RTM_ERR_UNSUPPORTED);
    }
    if (shaped)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (overlap(parts[i], parts[j])) *must |= EBIT(RTM_ERR_OVERLAP);
    for (size_t j = 0; j < n_avoid; j++)
        if (avoid[j].size == 0 || avoid[j].size - 1u > UINT64_MAX - avoid[j].base) *must |= EBIT(RTM_ERR_SIZE);
    if (n > MAXP || n > dom_slots(a) || n > RTM_MPU_MAX_REGIONS) *must |= EBIT(RTM_ERR_NO_SLOT);
    if (*must) return;
    if (a->kind == RTM_MPU_RISCV_PMP && pmp_min_entries(parts, n) > dom_slots(a)) *must |= EBIT(RTM_ERR_NO_SLOT);
    if (a->kind == RTM_MPU_ARMV7M)
        for (size_t i = 0; i < n; i++)
            if (!v7_exact(parts[i], v7_min(a))) *may |= EBIT(RTM_ERR_NO_SLOT);
}

/* ---- checks --------------------------------------------------------------------------------------- */
/* A query or a success: no report. */
static void expect_no_report(void) { REQUIRE(fuzz_reports == fuzz_reports_expected); }

static rtm_domain g_snap[2];
static void snap_take(void) { memcpy(g_snap, g_dom, sizeof g_dom); }
/* Both objects as at snap_take, but domain k's rejected count one higher when @p counted. */
static void snap_same(int k, bool counted)
{
    rtm_domain want[2];
    memcpy(want, g_snap, sizeof want);
    if (counted) want[k].rejected_++;
    REQUIRE(memcmp(want, g_dom, sizeof want) == 0);
}

/* The outcome of a change on domain k: e must be OK iff must is 0, else a
 * code of must | may; a refusal reports once (code e), counts when the domain was live, and
 * changes nothing. */
static rtm_err g_last; /* the last call's result, for the trace */
static bool g_trace;
static void expect_change(int k, bool was_live, rtm_err e, unsigned must, unsigned may)
{
    g_last = e;
    if (e == RTM_OK) {
        REQUIRE(must == 0);
        expect_no_report();
        return;
    }
    REQUIRE((EBIT(e) & (must | may)) != 0);
    fuzz_expect_report(EBIT(e));
    REQUIRE(fuzz_last_code == e);
    snap_same(k, was_live);
    if (was_live) g_m[k].rejected++;
}

/* A refusal's diag: the code, a rule, indices in range; `other` (when set) a copy of one of the
 * partitions planned, set[0..n_set), or of the range to avoid it names (capped at the address
 * width). */
static void check_diag(const rtm_domain_diag *dg, rtm_err e, int32_t n_index, const rtm_mpu_range *avoid,
                       size_t n_avoid, const rtm_partition *const *set, size_t n_set)
{
    REQUIRE(dg->err == e);
    REQUIRE(dg->rule != NULL);
    REQUIRE(dg->index >= -1 && dg->index < n_index);
    REQUIRE(dg->avoid_index >= -1 && (dg->avoid_index < 0 || (size_t)dg->avoid_index < n_avoid));
    if (dg->avoid_index >= 0 && e != RTM_ERR_SIZE) {
        const rtm_mpu_range *a = &avoid[dg->avoid_index];
        REQUIRE(dg->has_other);
        REQUIRE(dg->other.start == (a->base > UINTPTR_MAX ? UINTPTR_MAX : (uintptr_t)a->base));
        REQUIRE(dg->other.size == (a->size > SIZE_MAX ? SIZE_MAX : (size_t)a->size));
    } else if (dg->has_other) {
        bool known = false;
        for (size_t i = 0; i < n_set; i++) known = known || (set[i] && same_part(set[i], &dg->other));
        REQUIRE(known);
        if (e == RTM_ERR_OVERLAP) REQUIRE(overlap(&dg->other, &dg->partition));
    }
    if (e == RTM_ERR_NO_SLOT && dg->has_other && dg->avoid_index < 0) /* a range blocks a cover of another */
        REQUIRE(!same_part(&dg->other, &dg->partition) || dg->index >= 0);
}

/* The decoded access of one slot: its rights for privileged / unprivileged code. */
static void slot_rights(const rtm_mpu_regs *g, uint32_t i, unsigned *p, unsigned *u)
{
    switch (g->kind) {
    case RTM_MPU_ARMV7M: {
        uint32_t rasr = g->r.v7m[i].rasr;
        static const unsigned ap[8][2] = {{0, 0}, {R_ | W_, 0}, {R_ | W_, R_}, {R_ | W_, R_ | W_},
                                          {9, 9}, {R_, 0},      {R_, R_},      {R_, R_}};
        unsigned a = (rasr >> 24) & 7u;
        REQUIRE(a != 4); /* reserved */
        *p = ap[a][0], *u = ap[a][1];
        if (!(rasr & RTM_V7M_RASR_XN)) {
            if (*p & R_) *p |= X_;
            if (*u & R_) *u |= X_;
        }
        break;
    }
    case RTM_MPU_ARMV8M: {
        uint32_t rbar = g->r.v8m[i].rbar;
        static const unsigned ap[4][2] = {{R_ | W_, 0}, {R_ | W_, R_ | W_}, {R_, 0}, {R_, R_}};
        unsigned a = (rbar >> 1) & 3u;
        *p = ap[a][0], *u = ap[a][1];
        if (!(rbar & RTM_V8M_RBAR_XN)) {
            if (*p & R_) *p |= X_;
            if (*u & R_) *u |= X_;
        }
        break;
    }
    default: { /* PMP: unlocked entries bind U-mode only */
        uint8_t c = g->r.pmp[i].pmpcfg;
        *u = (c & RTM_PMP_R ? R_ : 0u) | (c & RTM_PMP_W ? W_ : 0u) | (c & RTM_PMP_X ? X_ : 0u);
        *p = 0;
        break;
    }
    }
}

/* The encoding of slot i, field by field, against its partition's attributes. */
static void check_slot_fields(const rtm_mpu_regs *g, uint32_t i, const rtm_partition *p, uint32_t min_log2)
{
    unsigned pr, ur;
    bool dev = (p->attr & RTM_PART_DEVICE) != 0;
    slot_rights(g, i, &pr, &ur);
    REQUIRE(ur == rights(p->attr, false));
    if (g->kind != RTM_MPU_RISCV_PMP) REQUIRE(pr == rights(p->attr, true));
    switch (g->kind) {
    case RTM_MPU_ARMV7M: {
        uint32_t rbar = g->r.v7m[i].rbar, rasr = g->r.v7m[i].rasr;
        uint32_t log2 = ((rasr >> 1) & 0x1Fu) + 1u;
        REQUIRE((rbar & 0x1Fu) == (RTM_V7M_RBAR_VALID | ((g->first + i) & 0xFu)));
        REQUIRE(log2 >= min_log2);
        REQUIRE(log2 == 32 ? (rbar & ~0x1Fu) == 0 : (rbar & ~0x1Fu) % (1ull << log2) == 0);
        if (log2 < 8) REQUIRE(((rasr >> 8) & 0xFFu) == 0);
        REQUIRE((rasr & 0xE8C000C0u) == 0); /* reserved bits */
        uint32_t tex = (rasr >> 19) & 7u;
        bool s = rasr & RTM_V7M_RASR_S, c = rasr & RTM_V7M_RASR_C, b = rasr & RTM_V7M_RASR_B;
        if (dev)
            REQUIRE(tex == 0 && !c && b && s);
        else
            REQUIRE(tex == (min_log2 >= 8 ? 0u : (uint32_t)RTM_MPU_V7M_NORMAL_TEX) && c && b && !s);
        break;
    }
    case RTM_MPU_ARMV8M: {
        uint32_t rbar = g->r.v8m[i].rbar, rlar = g->r.v8m[i].rlar;
        REQUIRE(((rbar >> 3) & 3u) == 0);      /* SH: non-shareable */
        REQUIRE((rlar & 0x10u) == 0);          /* reserved */
        REQUIRE(((rlar >> 1) & 7u) == (dev ? RTM_V8M_ATTR_DEVICE : RTM_V8M_ATTR_NORMAL));
        REQUIRE(rlar & RTM_V8M_RLAR_EN);
        break;
    }
    default: {
        uint8_t c = g->r.pmp[i].pmpcfg;
        REQUIRE((c & (RTM_PMP_L | 0x60u)) == 0);
        REQUIRE(!((c & RTM_PMP_W) && !(c & RTM_PMP_R))); /* W without R is reserved */
        break;
    }
    }
}

/* Decodes domain k's registers and checks them against its model (see the header comment). */
static void check_regs(int k)
{
    const mdom *m = &g_m[k];
    const rtm_mpu_regs *g = rtm_domain_regs(&g_dom[k]);
    REQUIRE(g != NULL);
    REQUIRE(g->kind == m->arch.kind);
    REQUIRE(g->avail == dom_slots(&m->arch));
    REQUIRE(g->first == (m->arch.kind == RTM_MPU_RISCV_PMP ? 0u : m->arch.sys_regions));
    REQUIRE(g->count <= g->avail && g->count <= RTM_MPU_MAX_REGIONS && g->count >= m->n);
    REQUIRE(g->mair0 == (m->arch.kind == RTM_MPU_ARMV8M ? RTM_V8M_MAIR0 : 0u));
    uint32_t min_log2 = m->arch.kind == RTM_MPU_ARMV7M ? v7_min(&m->arch) : 0u;
    REQUIRE(g->min_log2 == min_log2);
    if (m->arch.kind == RTM_MPU_POSIX) { /* one page range per partition, nothing encoded */
        REQUIRE(g->count == m->n && g->wasted == 0);
        for (uint32_t i = 0; i < m->n; i++) REQUIRE(g->owner[i] == i);
        return;
    }
    if (m->arch.kind == RTM_MPU_ARMV8M) REQUIRE(g->count == m->n);
    if (m->arch.kind == RTM_MPU_ARMV7M) { /* one exact region each: no waste, one slot each */
        bool exact = true;
        for (uint32_t i = 0; i < m->n; i++) exact = exact && v7_exact(&m->parts[i], min_log2);
        if (exact) REQUIRE(g->wasted == 0 && g->count == m->n);
    }
    if (m->arch.kind == RTM_MPU_RISCV_PMP) {
        const rtm_partition *pp[RTM_DOMAIN_MAX_PARTITIONS];
        for (uint32_t i = 0; i < m->n; i++) pp[i] = &m->parts[i];
        REQUIRE(g->count == pmp_min_entries(pp, m->n)); /* exact plans: ties go to the fewest slots */
    }
    uint64_t b[RTM_MPU_MAX_REGIONS], e[RTM_MPU_MAX_REGIONS];
    bool en[RTM_MPU_MAX_REGIONS];
    for (uint32_t i = 0; i < g->count; i++) {
        uint64_t sz;
        REQUIRE(g->owner[i] < m->n);
        REQUIRE(rtm_mpu_decode(g, i, &b[i], &sz, &en[i]) == RTM_OK);
        e[i] = b[i] + sz;
        if (!en[i]) continue;
        const rtm_partition *own = &m->parts[g->owner[i]];
        REQUIRE(e[i] <= SPACE32);
        check_slot_fields(g, i, own, min_log2);
        /* what it grants outside its partition touches no other partition and no range to avoid */
        uint64_t S = own->start, E = S + own->size;
        uint64_t lo[2] = {b[i], e[i] > E ? (b[i] > E ? b[i] : E) : e[i]};
        uint64_t hi[2] = {e[i] < S ? e[i] : S, e[i]};
        for (int h = 0; h < 2; h++) {
            if (lo[h] >= hi[h]) continue;
            REQUIRE(m->arch.kind == RTM_MPU_ARMV7M); /* only ARMv7-M rounds */
            for (uint32_t j = 0; j < m->n; j++)
                if (j != g->owner[i])
                    REQUIRE(!(lo[h] < (uint64_t)m->parts[j].start + m->parts[j].size && m->parts[j].start < hi[h]));
            for (size_t j = 0; j < m->n_avoid; j++)
                REQUIRE(!(lo[h] <= m->avoid[j].base + (m->avoid[j].size - 1u) && m->avoid[j].base < hi[h]));
        }
    }
    /* each partition: the union of its enabled slots covers it with no hole; the waste adds up */
    uint64_t waste = 0;
    for (uint32_t j = 0; j < m->n; j++) {
        uint64_t S = m->parts[j].start, E = S + m->parts[j].size, granted = 0;
        uint32_t idx[RTM_MPU_MAX_REGIONS], c = 0;
        for (uint32_t i = 0; i < g->count; i++)
            if (g->owner[i] == j && en[i] && e[i] > b[i]) {
                uint32_t q = c++;
                for (; q > 0 && b[idx[q - 1]] > b[i]; q--) idx[q] = idx[q - 1];
                idx[q] = i;
            }
        REQUIRE(c > 0);
        uint64_t run_lo = b[idx[0]], run_hi = e[idx[0]];
        bool covered = false;
        for (uint32_t q = 1; q <= c; q++) {
            if (q < c && b[idx[q]] <= run_hi) {
                if (e[idx[q]] > run_hi) run_hi = e[idx[q]];
                continue;
            }
            granted += run_hi - run_lo;
            if (run_lo <= S && run_hi >= E) covered = true;
            if (q < c) run_lo = b[idx[q]], run_hi = e[idx[q]];
        }
        REQUIRE(covered);
        waste += granted - (E - S);
        if (m->arch.kind != RTM_MPU_ARMV7M) REQUIRE(granted == E - S);
    }
    REQUIRE(waste == g->wasted);
}

/* Everything after every step. */
static void check_all(void)
{
    for (int k = 0; k < 2; k++) {
        const rtm_domain *d = &g_dom[k];
        const mdom *m = &g_m[k];
        rtm_partition out;
        rtm_domain_stats st;
        if (!m->live) {
            static const rtm_domain zero;
            REQUIRE(memcmp(d, &zero, sizeof zero) == 0);
            REQUIRE(rtm_domain_partition_count(d) == 0);
            REQUIRE(rtm_domain_regs(d) == NULL);
            REQUIRE(rtm_domain_get_stats(d, &st) == RTM_ERR_ARG);
            REQUIRE(rtm_domain_verify(d) == RTM_ERR_STATE);
            REQUIRE(rtm_domain_partition(d, 0, &out) == RTM_ERR_ARG);
            REQUIRE(rtm_domain_check(d, 0, 0, R_) == RTM_ERR_ARG);
            continue;
        }
        REQUIRE(rtm_domain_verify(d) == RTM_OK);
        REQUIRE(rtm_domain_partition_count(d) == m->n);
        for (uint32_t i = 0; i < m->n; i++) {
            REQUIRE(rtm_domain_partition(d, i, &out) == RTM_OK);
            REQUIRE(same_part(&out, &m->parts[i]));
        }
        REQUIRE(rtm_domain_partition(d, m->n, &out) == RTM_ERR_SIZE);
        check_regs(k);
        uint32_t threads = 0;
        for (uint32_t t = 0; t < NTHREAD; t++) threads += g_thread_of[t] == k;
        REQUIRE(rtm_domain_get_stats(d, &st) == RTM_OK);
        uint32_t slots = dom_slots(&m->arch);
        REQUIRE(st.partitions == m->n);
        REQUIRE(st.max_partitions == (slots < MAXP ? slots : MAXP));
        REQUIRE(st.threads == threads);
        REQUIRE(st.regions_used == rtm_domain_regs(d)->count);
        REQUIRE(st.regions_avail == slots);
        REQUIRE(st.bytes_wasted == rtm_domain_regs(d)->wasted);
        REQUIRE(st.rejected == m->rejected);
        REQUIRE(rtm_domain_max_partitions(&m->arch) == st.max_partitions);
    }
    REQUIRE(rtm_domain_of_thread(0) == NULL);
    for (uint32_t t = 1; t < NTHREAD; t++)
        REQUIRE(rtm_domain_of_thread(t) == (g_thread_of[t] < 0 ? NULL : &g_dom[g_thread_of[t]]));
    expect_no_report();
}

/* ---- operands --------------------------------------------------------------------------------------- */
/* Partition i of the pool: domain 0's, domain 1's, then the list being built; {0, 0} if empty. */
static rtm_partition pool(unsigned i, size_t n_list)
{
    size_t total = g_m[0].n + g_m[1].n + n_list;
    rtm_partition none = {0, 0, 0};
    if (total == 0) return none;
    i %= (unsigned)total;
    if (i < g_m[0].n) return g_m[0].parts[i];
    i -= g_m[0].n;
    if (i < g_m[1].n) return g_m[1].parts[i];
    return g_list[i - g_m[1].n];
}

static uint64_t pow2_ceil(uint64_t v)
{
    uint64_t c = 1;
    while (c < v && c < (1ull << 62)) c <<= 1;
    return c;
}

static rtm_partition read_part(reader *r, uint64_t unit, bool posix, size_t n_list)
{
    unsigned m = u8(r), s = u8(r), a = u8(r);
    uintptr_t size = (s & 0x80u) ? (uintptr_t)(unit << (s & 31u)) : (uintptr_t)((s & 0x7Fu) * unit);
    uintptr_t start = 0, gap = (m >> 2) & 3u;
    switch (m & 3u) {
    case 0:
    case 1: {
        rtm_partition q = pool(u8(r), n_list);
        uintptr_t at = (m & 3u) == 0 ? q.start + q.size : q.start - size;
        switch (gap) {
        case 0: start = at; break;
        case 1: start = (m & 3u) == 0 ? at + unit : at - unit; break;
        case 2: {
            uintptr_t al = (uintptr_t)pow2_ceil(size ? size : 1);
            start = (m & 3u) == 0 ? (at + al - 1u) & ~(al - 1u) : at & ~(al - 1u);
            break;
        }
        default: start = (m & 3u) == 0 ? at - unit : at + unit; break; /* into q */
        }
        break;
    }
    case 2: start = (uintptr_t)((uint64_t)u16(r) * unit << (4u * gap)); break;
    default:
        switch (gap) {
        case 0: start = (uintptr_t)u32(r); break;
        case 1: start = (uintptr_t)u64(r); break;
        case 2: start = posix ? (uintptr_t)0 - size : (uintptr_t)(SPACE32 - size); break;
        default: start = (uintptr_t)(SPACE32 - size - (uint64_t)u16(r) * unit); break;
        }
        break;
    }
    if ((m & 0x10u) && unit > 1) start += 1u + u8(r) % (unit - 1u);
    if ((m & 0x20u) && unit > 1) size += 1u + u8(r) % (unit - 1u);
    if (m & 0x40u) size = UINTPTR_MAX - u8(r);
    if (m & 0x80u) start &= ~((uintptr_t)pow2_ceil(size ? size : 1) - 1u);
    rtm_part_attr at = (a & 0x80u) ? (a & 15u) : 1u + (a & 7u) % 6u;
    if (a & 0x08u) at |= RTM_PART_XN;
    if (a & 0x10u) at |= RTM_PART_DEVICE;
    if (a & 0x20u) at |= RTM_PART_LOCKED;
    if (a & 0x40u) at |= 0x800u;
    rtm_partition p = {start, size, at};
    return p;
}

static uintptr_t read_addr(reader *r, uint64_t unit, rtm_partition *ref)
{
    unsigned m = u8(r);
    uintptr_t a;
    *ref = pool(u8(r), 0);
    switch (m & 3u) {
    case 0: a = ref->start; break;
    case 1: a = ref->start + ref->size; break;
    case 2: a = (uintptr_t)u32(r); break;
    default: a = (uintptr_t)u64(r); break;
    }
    switch ((m >> 2) & 3u) { /* the bytes next to a bound, where off-by-ones live */
    case 0: break;
    case 1: a -= 1u; break;
    case 2: a += 1u; break;
    default: {
        uintptr_t off = (uintptr_t)((int)u8(r) - 128);
        a += (m & 0x10u) ? off * (uintptr_t)unit : off;
        break;
    }
    }
    return a;
}

static size_t read_len(reader *r, uint64_t unit, uintptr_t addr, const rtm_partition *ref)
{
    unsigned l = u8(r);
    switch (l >> 6) {
    case 0: return l & 63u;
    case 1: return (size_t)((l & 63u) * unit);
    case 2: return ref->size + (l & 31u) - 16u;
    default:
        if ((l & 63u) == 63u) return SIZE_MAX - u8(r);
        rtm_partition q = pool(l & 63u, 0);
        return (size_t)(q.start + q.size - addr);
    }
}

/* An arch for init other than the input's (op 0, n bit 7): byte v, v % 10. */
static const rtm_mpu_arch *bad_arch(unsigned v, rtm_mpu_arch *a)
{
    *a = g_arch;
    switch (v % 10u) {
    case 0: return NULL;
    case 1: a->kind = RTM_MPU_NONE; break;
    case 2: a->kind = (rtm_mpu_kind)(RTM_MPU_POSIX + 1); break;
    case 3: a->regions = 0; break;
    case 4: a->regions = RTM_MPU_MAX_REGIONS + 1u; break; /* POSIX: allowed */
    case 5: a->sys_regions = a->regions; break;
    case 6: a->granule = a->kind == RTM_MPU_POSIX ? 3u * (v >> 4) : 32u; break;
    case 7: a->min_log2 = 7; break;
    case 8: a->min_log2 = 8; break; /* ARMv6-M for ARMv7-M, else invalid */
    default: a->sys_regions = v >> 4; break;
    }
    return a;
}

/* ---- operations ---------------------------------------------------------------------------------- */
static void op_init(reader *r, int k, unsigned c)
{
    rtm_domain *d = &g_dom[k];
    mdom *m = &g_m[k];
    unsigned nb = u8(r);
    size_t n = nb & 31u;
    rtm_mpu_arch alt;
    const rtm_mpu_arch *arch = (nb & 0x80u) ? bad_arch(u8(r), &alt) : &g_arch;
    bool garbage = (c & 0x40u) && !m->live;
    if (garbage) {
        unsigned gb = u8(r);
        if (gb == 0xFFu && g_m[!k].live) {
            memcpy(d, &g_dom[!k], sizeof *d);
        } else {
            memset(d, (int)gb, sizeof *d);
            if (g_m[!k].live) memcpy(d, &g_dom[!k], sizeof(uint32_t));
        }
    }
    uint64_t unit = unit_of(arch);
    bool posix = arch && arch->kind == RTM_MPU_POSIX;
    for (size_t i = 0; i < n; i++) g_list[i] = read_part(r, unit, posix, i);
    const rtm_partition **pp = malloc((n ? n : 1) * sizeof *pp); /* exactly n: ASan sees a read past */
    REQUIRE(pp != NULL);
    for (size_t i = 0; i < n; i++) pp[i] = &g_list[i];
    if ((nb & 0x20u) && n) pp[u8(r) % n] = NULL;
    const rtm_partition *const *parts = (nb & 0x40u) ? NULL : pp;
    /* the ranges to avoid */
    bool with_avoid = (c & 0x10u) != 0;
    rtm_mpu_range *av = NULL;
    size_t n_av = 0, n_pass = 0;
    bool av_null = false;
    if (with_avoid) {
        unsigned kb = u8(r);
        n_av = kb & 7u;
        av = malloc((n_av ? n_av : 1) * sizeof *av);
        REQUIRE(av != NULL);
        for (size_t j = 0; j < n_av; j++) {
            unsigned v = u8(r);
            rtm_mpu_range *x = &av[j];
            rtm_partition q;
            switch (v % 5u) {
            case 0: q = g_m[!k].n ? g_m[!k].parts[u8(r) % g_m[!k].n] : read_part(r, unit, posix, n); break;
            case 1: q = n ? g_list[u8(r) % n] : read_part(r, unit, posix, n); break;
            case 2: q = read_part(r, unit, posix, n); break;
            case 3: {
                unsigned w = u8(r);
                q.attr = RTM_PART_P_RW_U_NA;
                x->base = (w & 1u) ? 0x20000000u : UINT64_MAX - (w >> 1);
                x->size = (w & 1u) ? 0u : (uint64_t)(w >> 1) + 2u;
                x->attr = q.attr;
                continue;
            }
            default:
                q.start = (v & 8u) ? 0x20000000u : 0u;
                q.size = (v & 8u) ? 0x80000u : 0;
                q.attr = RTM_PART_P_RW_U_NA;
                x->base = q.start;
                x->size = (v & 8u) ? q.size : SPACE32;
                x->attr = q.attr;
                continue;
            }
            x->base = q.start;
            x->size = q.size;
            x->attr = q.attr;
        }
        av_null = (kb & 8u) != 0;
        n_pass = (kb & 0x10u) ? HUGE_AVOID : n_av;
    }
    rtm_domain_diag dg;
    bool want_diag = (c & 0x20u) != 0;
    bool was_live = m->live;
    unsigned must = 0, may = 0;
    if (was_live) must |= EBIT(RTM_ERR_STATE);
    if (!arch || (!parts && n > 0) || (av_null && n_pass > 0)) must |= EBIT(RTM_ERR_ARG);
    if (n_pass > n_av) must |= EBIT(RTM_ERR_SIZE);
    if (n > MAXP) must |= EBIT(RTM_ERR_NO_SLOT);
    unsigned pm, pv; /* every rule broken counts, whichever the code checks first */
    plan_errs(arch, pp, n, av, n_av, &pm, &pv);
    must |= pm;
    may |= pv;
    REQUIRE(rtm_domain_max_partitions(arch) ==
            (arch_errs(arch) ? 0u : (dom_slots(arch) < MAXP ? dom_slots(arch) : MAXP)));
    snap_take();
    rtm_domain_diag *dgp = want_diag ? &dg : NULL;
    rtm_err e = with_avoid ? rtm_domain_init_avoid(d, arch, parts, n, av_null ? NULL : av, n_pass, dgp)
                           : rtm_domain_init(d, arch, parts, n, dgp);
    expect_change(k, was_live, e, must, may);
    if (want_diag && e != RTM_OK) {
        check_diag(&dg, e, (int32_t)n, av, n_av, pp, n);
        if (dg.index >= 0 && (size_t)dg.index < n && parts && parts[dg.index] && !(e == RTM_ERR_NO_SLOT && n > MAXP) &&
            e != RTM_ERR_STATE && !was_live)
            REQUIRE(same_part(&dg.partition, parts[dg.index]));
    }
    if (e == RTM_OK) {
        m->live = true;
        m->arch = *arch;
        m->n = (uint32_t)n;
        for (size_t i = 0; i < n; i++) m->parts[i] = g_list[i];
        m->rejected = 0;
        m->avoid = av;
        m->n_avoid = n_av;
        av = NULL;
    } else if (garbage) {
        /* refused: the garbage is as it was; deinit refuses it too (the registry does not know it)
         * and reads nothing; then the caller zero-fills it */
        snap_take();
        e = rtm_domain_deinit(d);
        REQUIRE(e == RTM_ERR_STATE);
        fuzz_expect_report(EBIT(RTM_ERR_STATE));
        snap_same(k, false);
        memset(d, 0, sizeof *d);
    }
    free(av);
    free(pp);
}

static void op_deinit(int k)
{
    mdom *m = &g_m[k];
    bool was_live = m->live;
    snap_take();
    rtm_err e = rtm_domain_deinit(&g_dom[k]);
    expect_change(k, false, e, was_live ? 0u : EBIT(RTM_ERR_STATE), 0);
    if (e != RTM_OK) return;
    free(m->avoid);
    memset(m, 0, sizeof *m);
    for (uint32_t t = 0; t < NTHREAD; t++)
        if (g_thread_of[t] == k) g_thread_of[t] = -1;
}

static void op_add(reader *r, int k, unsigned c)
{
    mdom *m = &g_m[k];
    const rtm_mpu_arch *arch = m->live ? &m->arch : &g_arch;
    rtm_partition p = read_part(r, unit_of(arch), arch->kind == RTM_MPU_POSIX, 0);
    bool nullp = (c & 0x10u) != 0, want_diag = (c & 0x20u) != 0;
    unsigned must = 0, may = 0;
    if (nullp) must |= EBIT(RTM_ERR_ARG);
    if (!m->live) must |= EBIT(RTM_ERR_STATE);
    if (m->live && m->n >= MAXP) must |= EBIT(RTM_ERR_FULL);
    if (m->live && !nullp) {
        const rtm_partition *pp[RTM_DOMAIN_MAX_PARTITIONS + 1];
        for (uint32_t i = 0; i < m->n; i++) pp[i] = &m->parts[i];
        pp[m->n] = &p;
        unsigned pm, pv;
        plan_errs(&m->arch, pp, m->n + 1u, m->avoid, m->n_avoid, &pm, &pv);
        must |= pm;
        may |= pv;
    }
    rtm_domain_diag dg;
    bool was_live = m->live;
    snap_take();
    rtm_err e = rtm_domain_add_partition(&g_dom[k], nullp ? NULL : &p, want_diag ? &dg : NULL);
    expect_change(k, was_live, e, must, may);
    if (e == RTM_OK) {
        m->parts[m->n++] = p;
        return;
    }
    if (!want_diag) return;
    const rtm_partition *set[RTM_DOMAIN_MAX_PARTITIONS + 1];
    for (uint32_t i = 0; i < m->n; i++) set[i] = &m->parts[i];
    set[m->n] = &p;
    check_diag(&dg, e, was_live ? (int32_t)m->n : 0, m->avoid, m->n_avoid, set, m->n + 1u);
    if (nullp) return;
    REQUIRE(same_part(&dg.partition, &p));
    if (e == RTM_ERR_OVERLAP) { /* domain.h: the existing partition in other, its index in index */
        REQUIRE(dg.index >= 0 && dg.has_other);
        REQUIRE(same_part(&dg.other, &m->parts[dg.index]));
        REQUIRE(overlap(&p, &m->parts[dg.index]));
    }
}

static void op_remove(reader *r, int k, unsigned c)
{
    mdom *m = &g_m[k];
    const rtm_mpu_arch *arch = m->live ? &m->arch : &g_arch;
    rtm_partition p;
    uint32_t at = UINT32_MAX;
    if (m->n) {
        at = u8(r) % m->n;
        p = m->parts[at];
        if (c & 0x10u) p.attr ^= RTM_PART_XN;
        if (c & 0x20u) p.size += (size_t)unit_of(arch);
    } else {
        p = read_part(r, unit_of(arch), arch->kind == RTM_MPU_POSIX, 0);
    }
    bool nullp = (c & 0x40u) != 0;
    uint32_t found = UINT32_MAX;
    for (uint32_t i = 0; i < m->n && found == UINT32_MAX; i++)
        if (same_part(&m->parts[i], &p)) found = i;
    unsigned must = 0;
    if (nullp) must |= EBIT(RTM_ERR_ARG);
    if (!m->live) must |= EBIT(RTM_ERR_STATE);
    if (m->live && found == UINT32_MAX) must |= EBIT(RTM_ERR_BAD_PTR);
    rtm_domain_diag dg;
    bool was_live = m->live;
    snap_take();
    rtm_err e = rtm_domain_remove_partition(&g_dom[k], nullp ? NULL : &p, &dg);
    expect_change(k, was_live, e, must, 0);
    if (e != RTM_OK) {
        check_diag(&dg, e, was_live ? (int32_t)m->n : 0, m->avoid, m->n_avoid, NULL, 0);
        return;
    }
    for (uint32_t i = found; i + 1u < m->n; i++) m->parts[i] = m->parts[i + 1u];
    m->n--;
}

static uintptr_t read_thread(reader *r, int k, unsigned c)
{
    uintptr_t t = u8(r) % NTHREAD;
    if (c & 0x10u)
        for (uint32_t i = 1; i < NTHREAD; i++)
            if (g_thread_of[i] == !k) return i;
    return t;
}

static void thread_call(int k, uintptr_t t, bool add)
{
    mdom *m = &g_m[k];
    uint32_t members = 0;
    for (uint32_t i = 0; i < NTHREAD; i++) members += g_thread_of[i] == k;
    unsigned must = 0;
    if (t == 0) must |= EBIT(RTM_ERR_ARG);
    if (!m->live) must |= EBIT(RTM_ERR_STATE);
    if (add) {
        if (m->live && t != 0 && g_thread_of[t] >= 0) must |= EBIT(RTM_ERR_STATE);
        if (m->live && members >= MAXT) must |= EBIT(RTM_ERR_FULL);
    } else if (m->live && t != 0 && g_thread_of[t] != k) {
        must |= EBIT(RTM_ERR_BAD_PTR);
    }
    bool was_live = m->live;
    snap_take();
    rtm_err e = add ? rtm_domain_add_thread(&g_dom[k], t) : rtm_domain_remove_thread(&g_dom[k], t);
    expect_change(k, was_live, e, must, 0);
    if (e == RTM_OK) g_thread_of[t] = add ? k : -1;
}

static void op_thread(reader *r, int k, unsigned c, bool add)
{
    if (c & 0x20u) { /* every thread handle in turn: fills a domain (RTM_DOMAIN_MAX_THREADS) */
        for (uintptr_t t = 0; t < NTHREAD; t++) thread_call(k, t, add);
        return;
    }
    thread_call(k, read_thread(r, k, c), add);
}

/* rtm_domain_check's answer from the model: *ok true when RTM_OK is the answer, else *codes. */
static void model_check(const mdom *m, uintptr_t addr, size_t len, unsigned access, bool *ok, unsigned *codes)
{
    *ok = false;
    *codes = 0;
    bool wrap = len > 0 && len - 1u > UINTPTR_MAX - addr;
    if (!m->live || access == 0 || (access & ~7u)) {
        *codes = EBIT(RTM_ERR_ARG) | (wrap ? EBIT(RTM_ERR_SIZE) : 0u);
        return;
    }
    /* the allowed partitions, merged into maximal runs (inclusive last bytes) */
    uintptr_t lo[RTM_DOMAIN_MAX_PARTITIONS], hi[RTM_DOMAIN_MAX_PARTITIONS];
    uint32_t c = 0;
    for (uint32_t i = 0; i < m->n; i++) {
        if ((rights(m->parts[i].attr, false) & access) != access) continue;
        uint32_t q = c++;
        for (; q > 0 && lo[q - 1] > m->parts[i].start; q--) lo[q] = lo[q - 1], hi[q] = hi[q - 1];
        lo[q] = m->parts[i].start;
        hi[q] = plast(&m->parts[i]);
    }
    uint32_t runs = 0;
    for (uint32_t i = 0; i < c; i++) {
        if (runs > 0 && hi[runs - 1] != UINTPTR_MAX && lo[i] <= hi[runs - 1] + 1u) {
            if (hi[i] > hi[runs - 1]) hi[runs - 1] = hi[i];
        } else {
            lo[runs] = lo[i];
            hi[runs++] = hi[i];
        }
    }
    if (len == 0) { /* inside a partition with the rights, or at its end */
        for (uint32_t i = 0; i < m->n; i++) {
            const rtm_partition *p = &m->parts[i];
            if ((rights(p->attr, false) & access) == access && addr >= p->start && addr - p->start <= p->size)
                *ok = true;
        }
        if (!*ok) *codes = EBIT(RTM_ERR_ACCESS);
        return;
    }
    uintptr_t last = wrap ? UINTPTR_MAX : addr + (len - 1u);
    bool covered = false;
    for (uint32_t i = 0; i < runs; i++)
        if (lo[i] <= addr && last <= hi[i]) covered = true;
    if (wrap) {
        *codes = EBIT(RTM_ERR_SIZE) | (covered ? 0u : EBIT(RTM_ERR_ACCESS));
        return;
    }
    *ok = covered;
    if (!covered) *codes = EBIT(RTM_ERR_ACCESS);
}

static void op_check(reader *r, int k)
{
    const mdom *m = &g_m[k];
    uint64_t unit = unit_of(m->live ? &m->arch : &g_arch);
    rtm_partition ref;
    uintptr_t addr = read_addr(r, unit, &ref);
    size_t len = read_len(r, unit, addr, &ref);
    unsigned a = u8(r);
    unsigned access = (a & 7u) | ((a & 8u) ? 8u : 0u);
    bool ok;
    unsigned codes;
    model_check(m, addr, len, access, &ok, &codes);
    snap_take();
    rtm_err e = rtm_domain_check(&g_dom[k], addr, len, access);
    g_last = e;
    if (ok)
        REQUIRE(e == RTM_OK);
    else
        REQUIRE(e != RTM_OK && (EBIT(e) & codes));
    expect_no_report();
    snap_same(0, false);
}

static void op_find(reader *r, int k)
{
    uint64_t unit = unit_of(g_m[k].live ? &g_m[k].arch : &g_arch);
    rtm_partition ref;
    uintptr_t addr = read_addr(r, unit, &ref);
    unsigned f = u8(r);
    int pk = (f & 3u) == 0 ? -1 : (f & 3u) == 3 ? k : (int)(f & 3u) - 1;
    const rtm_domain *prefer = pk < 0 ? NULL : &g_dom[pk];
    /* the partition holding addr in each live domain, -1 none */
    int32_t hit[2] = {-1, -1};
    for (int q = 0; q < 2; q++)
        for (uint32_t i = 0; g_m[q].live && i < g_m[q].n; i++)
            if (addr >= g_m[q].parts[i].start && addr <= plast(&g_m[q].parts[i])) hit[q] = (int32_t)i;
    rtm_domain *dom = (rtm_domain *)(uintptr_t)1; /* sentinels: a miss stores nothing */
    uint32_t idx = 0xDEADu;
    rtm_partition got = {1, 2, 3};
    bool outs = !(f & 8u);
    bool found;
    snap_take();
    if (f & 4u) {
        found = rtm_domain_lookup(prefer, addr, outs ? &got : NULL, outs ? &dom : NULL, outs ? &idx : NULL);
    } else {
        const rtm_partition *p = rtm_domain_find(prefer, addr, outs ? &dom : NULL, outs ? &idx : NULL);
        found = p != NULL;
        if (p && outs) {
            /* a pointer into that domain's object */
            REQUIRE((const char *)p >= (const char *)dom && (const char *)(p + 1) <= (const char *)(dom + 1));
            got = *p;
        } else if (p) {
            got = *p;
        }
    }
    expect_no_report();
    snap_same(0, false);
    REQUIRE(found == (hit[0] >= 0 || hit[1] >= 0));
    if (!found) {
        REQUIRE(dom == (rtm_domain *)(uintptr_t)1 && idx == 0xDEADu);
        REQUIRE(got.start == 1 && got.size == 2 && got.attr == 3);
        return;
    }
    if (!outs) return;
    int q = dom == &g_dom[0] ? 0 : dom == &g_dom[1] ? 1 : -1;
    REQUIRE(q >= 0 && hit[q] >= 0);
    if (pk >= 0 && hit[pk] >= 0) REQUIRE(q == pk); /* prefer first */
    REQUIRE(idx == (uint32_t)hit[q]);
    REQUIRE(same_part(&got, &g_m[q].parts[hit[q]]));
}

static void op_bad(reader *r, int k)
{
    unsigned b = u8(r);
    rtm_domain *d = &g_dom[k];
    const mdom *m = &g_m[k];
    rtm_partition p = {0x20000000u, 0x100u, RTM_PART_P_RW_U_RW};
    rtm_partition out;
    rtm_domain_stats st;
    snap_take();
    switch (b % 12u) {
    case 0: {
        const rtm_partition *pp[1] = {&p};
        REQUIRE(rtm_domain_init(NULL, &g_arch, pp, 1, NULL) == RTM_ERR_ARG);
        fuzz_expect_report(EBIT(RTM_ERR_ARG));
        break;
    }
    case 1:
        REQUIRE(rtm_domain_deinit(NULL) == RTM_ERR_ARG);
        fuzz_expect_report(EBIT(RTM_ERR_ARG));
        break;
    case 2:
        REQUIRE(rtm_domain_add_partition(NULL, &p, NULL) == RTM_ERR_ARG);
        fuzz_expect_report(EBIT(RTM_ERR_ARG));
        break;
    case 3:
        REQUIRE(rtm_domain_remove_partition(NULL, &p, NULL) == RTM_ERR_ARG);
        fuzz_expect_report(EBIT(RTM_ERR_ARG));
        break;
    case 4:
        REQUIRE(rtm_domain_add_thread(NULL, 1 + (b >> 4) % (NTHREAD - 1u)) == RTM_ERR_ARG);
        fuzz_expect_report(EBIT(RTM_ERR_ARG));
        break;
    case 5:
        REQUIRE(rtm_domain_remove_thread(NULL, 1 + (b >> 4) % (NTHREAD - 1u)) == RTM_ERR_ARG);
        fuzz_expect_report(EBIT(RTM_ERR_ARG));
        break;
    case 6: REQUIRE(rtm_domain_check(NULL, p.start, 1, R_) == RTM_ERR_ARG); break;
    case 7:
        REQUIRE(rtm_domain_partition(d, 0, NULL) == RTM_ERR_ARG);
        REQUIRE(rtm_domain_partition(d, m->n + (b >> 4), &out) == (m->live ? RTM_ERR_SIZE : RTM_ERR_ARG));
        REQUIRE(rtm_domain_partition(NULL, 0, &out) == RTM_ERR_ARG);
        break;
    case 8:
        REQUIRE(rtm_domain_get_stats(d, NULL) == RTM_ERR_ARG);
        REQUIRE(rtm_domain_get_stats(NULL, &st) == RTM_ERR_ARG);
        break;
    case 9:
        REQUIRE(rtm_domain_verify(NULL) == RTM_ERR_ARG);
        REQUIRE(rtm_domain_regs(NULL) == NULL);
        REQUIRE(rtm_domain_partition_count(NULL) == 0);
        break;
    case 10: REQUIRE(rtm_domain_of_thread(0) == NULL); break;
    default: {
        rtm_mpu_arch a;
        const rtm_mpu_arch *pa = bad_arch(b >> 4, &a);
        REQUIRE(rtm_domain_max_partitions(pa) ==
                (arch_errs(pa) ? 0u : (dom_slots(pa) < MAXP ? dom_slots(pa) : MAXP)));
        break;
    }
    }
    expect_no_report();
    snap_same(0, false);
}

/* ---- driver ------------------------------------------------------------------------------------- */
static void read_arch(reader *r)
{
    unsigned kind = u8(r) % 4u, p = u8(r);
    memset(&g_arch, 0, sizeof g_arch);
    if (kind == 3) {
        static const uint32_t slots[4] = {1, 4, 16, 40};
        g_arch = (rtm_mpu_arch)RTM_MPU_ARCH_POSIX(slots[p & 3u], (uint32_t)1 << ((p >> 2) & 31u));
        return;
    }
    static const rtm_mpu_kind kinds[3] = {RTM_MPU_ARMV7M, RTM_MPU_ARMV8M, RTM_MPU_RISCV_PMP};
    g_arch.kind = kinds[kind];
    g_arch.regions = (p & 1u) ? 16u : 8u;
    g_arch.sys_regions = ((p >> 1) & 7u) % g_arch.regions;
    if (g_arch.kind == RTM_MPU_ARMV7M) g_arch.min_log2 = (p & 0x10u) ? 8u : (p & 0x20u) ? 5u : 0u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool hooked;
    if (!hooked) {
        rtm_set_error_hook(fuzz_count_hook);
        g_trace = getenv("FUZZ_DOMAIN_TRACE") != NULL;
        hooked = true;
    }
    fuzz_reports = fuzz_reports_expected = 0;
    memset(g_dom, 0, sizeof g_dom);
    memset(g_m, 0, sizeof g_m);
    for (uint32_t t = 0; t < NTHREAD; t++) g_thread_of[t] = -1;
    reader rd = {data, size, 0};
    reader *r = &rd;
    read_arch(r);
    check_all();
    for (int ops = 0; ops < MAX_OPS && r->at < r->n; ops++) {
        unsigned c = u8(r);
        int k = (c >> 7) & 1;
        switch (c & 15u) {
        case 0: op_init(r, k, c); break;
        case 1: op_deinit(k); break;
        case 2: op_add(r, k, c); break;
        case 3: op_remove(r, k, c); break;
        case 4: op_thread(r, k, c, true); break;
        case 5: op_thread(r, k, c, false); break;
        case 6: op_check(r, k); break;
        case 7: op_find(r, k); break;
        case 8: op_bad(r, k); break;
        default: break;
        }
        if (g_trace) /* FUZZ_DOMAIN_TRACE=1: what each operation did, to read a seed or a crash */
            fprintf(stderr, "op %2u dom %d -> %-2d  parts %u/%u live %d/%d rejected %u/%u\n", c & 15u, k, (int)g_last,
                    g_m[0].n, g_m[1].n, g_m[0].live, g_m[1].live, g_m[0].rejected, g_m[1].rejected);
        g_last = RTM_OK;
        check_all();
    }
    /* leave the process-wide registry empty for the next input */
    for (int k = 0; k < 2; k++)
        if (g_m[k].live) {
            REQUIRE(rtm_domain_deinit(&g_dom[k]) == RTM_OK);
            free(g_m[k].avoid);
        }
    expect_no_report();
    return 0;
}
