/*
 * ARMv7-M PMSAv7 encoder (ARMv7-M ARM, B3.5 "Protected Memory System Architecture").
 *
 * Registers (B3.5.8, B3.5.9):
 *   MPU_RBAR  [31:5] ADDR (region base, aligned to the region size) | [4] VALID | [3:0] REGION
 *             With VALID = 1 a write to RBAR also selects region REGION (no MPU_RNR write).
 *   MPU_RASR  [28] XN | [26:24] AP | [21:19] TEX | [18] S | [17] C | [16] B |
 *             [15:8] SRD (bit i = 1 disables subregion i) | [5:1] SIZE | [0] ENABLE
 *             Region size = 2^(SIZE+1) bytes, SIZE 4..31 (32 B .. 4 GiB). Regions of 256 B or
 *             more have 8 equal subregions; for 32..128 B regions SRD must be 0.
 *   ARMv6-M (Cortex-M0+, PMSAv6; Cortex-M0+ Devices Generic User Guide, MPU_RASR): the same
 *             layout, but "the smallest permitted region size is 256B" (SIZE 7..31). The arch says
 *             which (rtm_mpu_arch.min_log2, planned as out->min_log2): no window below 2^min_log2
 *             is ever tried, so a small range is a 256 B window with its other subregions off.
 *   AP (Table B3-15):  000 P:NA U:NA  001 P:RW U:NA  010 P:RW U:RO  011 P:RW U:RW
 *                      101 P:RO U:NA  110 P:RO U:RO  (111 also RO/RO; 100 reserved)
 *   Memory type (Table B3-13): normal memory, write-back read/write-allocate, non-shareable:
 *   TEX=001 C=1 B=1 S=0 (TEX = RTM_MPU_V7M_NORMAL_TEX; 000 in every plan for ARMv6-M, min_log2 8,
 *   whose MPU has no other TEX: the Cortex-M0+ guide lists TEX=000 only);
 *   device (peripherals): shareable device TEX=000 C=0 B=1 S=1.
 *   Overlaps: the region with the higher number decides the attributes (B3.5.3). A disabled
 *   subregion is as if the region did not cover it (the access falls to lower regions or the
 *   background map).
 *
 * Covering a range [S, E) (multiples of 32) with at most r regions (cover_range): every cover
 * grants one span [L, R) around the range, L = S rounded down to 2^j and R = E rounded up to 2^j
 * for some j in 5..29 (on ARMv6-M too: a 256 B window's subregion is 32 B), and wastes
 * (S - L) + (R - E). For each candidate L (nearest first) the planner finds the nearest R for
 * which the farthest-reach greedy over the runs inside [L, R) (any window size from 2^min_log2,
 * one contiguous run of subregions each, overlaps allowed) covers the range
 * with <= r regions; the least waste wins (ties: fewer regions). This rounds at the start, at the
 * end, at both or at neither, and is the least waste of any cover of <= r regions that carry the
 * range's attributes (the argument is at cover_range). Bounds whose waste would cover another
 * range of the same set, or a range the caller asked to avoid (rtm_mpu_plan_avoid: the system
 * regions, other domains' partitions), are never tried (that would grant access to it). When no
 * cover within the budget is left, the diagnostic names one range its waste would touch
 * (blocker). Across ranges a small dynamic program spends the slot budget where it saves most
 * bytes; RTM_MPU_V7M_MAX_SPLIT caps the regions of one range, and a region never serves two
 * ranges.
 * Stack use about 2 KiB with the defaults (RTM_MPU_MAX_REGIONS 16, RTM_MPU_V7M_MAX_SPLIT 4;
 * -Os -fstack-usage, Cortex-M4 / M0+: plan_v7m 1376 + blocker 112 (on failure) + cover_range
 * 312 / 328 + cover_within 120 / 112).
 */
#include "mpu_internal.h"

/* Slots this encoder can number: RBAR's REGION field is 4 bits (rtm_mpu_arch_check refuses an
 * ARMv7-M arch with more). RTM_MPU_MAX_REGIONS may be larger for the other kinds (RISC-V PMP has
 * up to 64 entries): the arrays below are sized by it, slot numbers stay below V7_SLOTS. */
#define V7_SLOTS (RTM_MPU_MAX_REGIONS < RTM_MPU_V7M_SLOTS ? RTM_MPU_MAX_REGIONS : RTM_MPU_V7M_SLOTS)
_Static_assert(RTM_MPU_V7M_MAX_SPLIT >= 1 && RTM_MPU_V7M_MAX_SPLIT <= V7_SLOTS, "split budget");
/* The windows below 256 B have no subregions (encode, cover_step): only 32 B (ARMv7-M) and 256 B
 * (ARMv6-M) minimums exist, and 0 in an arch must stand for one of them. */
_Static_assert(RTM_MPU_V7M_MIN_LOG2 == 5u || RTM_MPU_V7M_MIN_LOG2 == RTM_MPU_V6M_MIN_LOG2, "RTM_MPU_V7M_MIN_LOG2");

#define V7_INF UINT64_MAX

typedef struct {
    uint64_t base; /* window base, aligned to 2^log2 */
    uint32_t log2; /* min_log2..32 */
    uint64_t rs;   /* enabled run [rs, re) */
    uint64_t re;
} v7_region;

typedef struct {
    uint32_t n;
    uint64_t waste;
    v7_region reg[RTM_MPU_V7M_MAX_SPLIT];
} v7_cover;

/* What the waste of a cover must stay off: the other ranges of the set, and the ranges the caller
 * of rtm_mpu_plan_avoid names (system regions, other domains' partitions; none for rtm_mpu_plan).
 * Waste over either would grant access nobody asked for. Also the smallest region of the arch. */
typedef struct {
    const rtm_mpu_range *ranges;
    size_t n;
    const rtm_mpu_range *avoid;
    size_t n_avoid;
    uint32_t min_log2;
} v7_set;

/* Range k of the set: 0..n-1 its own ranges, n.. the ranges to avoid (the numbering of diag). */
static const rtm_mpu_range *set_range(const v7_set *set, size_t k)
{
    return k < set->n ? &set->ranges[k] : &set->avoid[k - set->n];
}

/* True when [ws, we) shares a byte with range k of the set (an empty span shares none). */
static bool span_touches(uint64_t ws, uint64_t we, const v7_set *set, size_t k)
{
    const rtm_mpu_range *r = set_range(set, k);
    return ws < we && rtm_mpu_overlap_(ws, we - ws, r->base, r->size);
}

/* True when the bytes of run [rs, re) outside [S, E) (range self) touch no other range of the set
 * and no range to avoid. */
static bool waste_ok(uint64_t rs, uint64_t re, uint64_t S, uint64_t E, const v7_set *set, size_t self)
{
    uint64_t below_end = re < S ? re : S, above_start = rs > E ? rs : E;
    for (size_t k = 0; k < set->n + set->n_avoid; k++) {
        if (k == self) continue;
        if (span_touches(rs, below_end, set, k) || span_touches(above_start, re, set, k)) return false;
    }
    return true;
}

/* Greedy step at p: the region of at least 2^min_log2 bytes whose enabled run lies in [lo, hi),
 * starts <= p and ends farthest. Always succeeds when lo <= p and p + 32 <= hi, all multiples of
 * 32: the 32-byte window at p, or with min_log2 8 (ARMv6-M) the 32-byte subregion at p of the
 * 256-byte window around it. */
static void cover_step(uint64_t lo, uint64_t hi, uint64_t p, uint32_t min_log2, v7_region *best)
{
    uint64_t reach = p;
    /* An empty run at p otherwise, so that *best is always written (and GCC can see it). */
    v7_region none = {p, min_log2, p, p};
    *best = none;
    for (uint32_t k = min_log2; k <= 32; k++) {
        uint64_t size = 1ull << k;
        uint64_t base = p & ~(size - 1u);
        uint64_t wend = base + size;
        v7_region r = {base, k, base, wend};
        if (k < 8) {
            if (base < lo || wend > hi) continue;
        } else {
            uint64_t sub = size / 8u;
            uint64_t from = lo > base ? lo : base;
            r.rs = base + ((from - base + sub - 1u) / sub) * sub;
            r.re = base + ((hi - base) / sub) * sub;
            if (r.re > wend) r.re = wend;
            if (r.rs > p || r.re <= p) continue;
        }
        if (r.re > reach) {
            reach = r.re;
            *best = r;
        }
    }
}

/* Fewest-region cover of [S, E) by runs inside [lo, hi) (lo <= S, hi >= E): farthest-reach greedy
 * from S. False when it needs more than budget regions. c->waste is the span granted outside
 * [S, E) (regions may overlap each other, so it is not the sum of their own excesses). */
static bool cover_within(uint64_t S, uint64_t E, uint64_t lo, uint64_t hi, uint32_t budget, uint32_t min_log2,
                         v7_cover *c)
{
    uint64_t p = S, low = S;
    c->n = 0;
    while (p < E) {
        if (c->n == budget) return false;
        v7_region *r = &c->reg[c->n++];
        cover_step(lo, hi, p, min_log2, r);
        if (r->re <= p) return false; /* cannot happen for validated ranges; never loop */
        if (r->rs < low) low = r->rs;
        p = r->re;
    }
    c->waste = (S - low) + (p - E);
    return true;
}

/* v rounded down (or up) to a multiple of 2^j. */
static uint64_t round_pow2(uint64_t v, uint32_t j, bool up)
{
    uint64_t g = 1ull << j;
    return up ? (v + g - 1u) & ~(g - 1u) : v & ~(g - 1u);
}

/* Candidate bounds: v rounded to 2^j for j = 5..29 (down for a lower bound, up for an upper one),
 * nearest first, duplicates dropped, cut at the first bound whose waste would touch another range
 * of the set or a range to avoid (every farther bound contains that waste too). 29 is the largest
 * subregion (4 GiB / 8); 5 gives v itself, which is always kept. Stores the exponents (bytes, to
 * keep the planner's stack small) and returns their count. */
#define V7_BOUNDS 25u
static uint32_t bounds(uint64_t v, bool up, uint64_t S, uint64_t E, const v7_set *set, size_t self,
                       uint8_t out[V7_BOUNDS])
{
    uint32_t m = 0;
    for (uint32_t j = 5; j <= 29; j++) {
        uint64_t b = round_pow2(v, j, up);
        if (m > 0 && b == round_pow2(v, out[m - 1u], up)) continue;
        if (!(up ? waste_ok(S, b, S, E, set, self) : waste_ok(b, E, S, E, set, self))) break;
        out[m++] = (uint8_t)j;
    }
    return m;
}

/*
 * Least-waste cover of range i with at most `budget` regions (ties: fewer regions). False if none
 * (the waste would hit another range or a range to avoid, and the exact cover needs more than
 * budget regions).
 *
 * Why this is optimal among covers whose regions all carry the range's attributes: take any cover.
 * Dropping regions that miss [S, E) and trimming each run to start at the subregion that holds S
 * (or end at the one that holds E) only removes waste, and its runs are contiguous (a run beyond
 * the range is pure waste; a hole inside it must be covered by another region anyway). What it
 * grants is then one span [L, R) with L = S rounded down to some 2^j and R = E rounded up to some
 * 2^j, j = 5..29 (a run's ends are multiples of its subregion, or window, size; no window is below
 * 2^min_log2, and the smallest subregion is 32 B whatever min_log2), and its waste is
 * (S - L) + (R - E). Farthest-reach greedy over all runs inside [L, R) is the classic optimal
 * interval cover (cover_step offers every window of 2^min_log2 bytes or more, so every region the
 * MPU allows), so it needs no more regions than that cover. Searching every candidate pair
 * (L, R) therefore finds the least waste. Feasibility is monotone (a wider span only adds runs),
 * so for L from nearest to farthest the least feasible R only moves down: one walk over both
 * lists, at most 2 * V7_BOUNDS + V7_BOUNDS greedy covers of <= budget steps of 28 windows.
 */
static bool cover_range(const v7_set *set, size_t i, uint32_t budget, v7_cover *out)
{
    uint64_t S = set->ranges[i].base, E = S + set->ranges[i].size;
    uint32_t min_log2 = set->min_log2;
    uint8_t lo_j[V7_BOUNDS], hi_j[V7_BOUNDS];
    uint32_t nl = bounds(S, false, S, E, set, i, lo_j);
    uint32_t nh = bounds(E, true, S, E, set, i, hi_j);
    uint32_t h = nh - 1u; /* bounds() keeps S and E themselves: nl, nh >= 1 */
    bool found = false;
    out->n = 0;
    out->waste = V7_INF;
    for (uint32_t l = 0; l < nl; l++) {
        uint64_t lo = round_pow2(S, lo_j[l], false);
        if (found && S - lo > out->waste) break; /* the lower waste alone is already worse */
        v7_cover c; /* one scratch cover, not two: the planner's stack is what embedded users budget */
        if (!cover_within(S, E, lo, round_pow2(E, hi_j[h], true), budget, min_log2, &c)) continue;
        while (h > 0 && cover_within(S, E, lo, round_pow2(E, hi_j[h - 1u], true), budget, min_log2, &c)) h--;
        /* A failed try above overwrote c: build it again for the bound kept (cannot fail). */
        if (!cover_within(S, E, lo, round_pow2(E, hi_j[h], true), budget, min_log2, &c)) continue;
        if (!found || c.waste < out->waste || (c.waste == out->waste && c.n < out->n)) {
            *out = c;
            found = true;
        }
        if (out->waste == 0) break;
    }
    return found;
}

static uint32_t v7_ap(rtm_part_attr attr)
{
    switch (attr & RTM_PART_PERM_MASK) {
    case RTM_PART_P_RW_U_RW: return 3u;
    case RTM_PART_P_RW_U_RO: return 2u;
    case RTM_PART_P_RW_U_NA: return 1u;
    case RTM_PART_P_RO_U_RO: return 6u;
    case RTM_PART_P_RO_U_NA: return 5u;
    default: return 0u; /* P_NA_U_NA */
    }
}

/* TEX of normal memory: ARMv6-M (min_log2 8) takes 000 only, wherever the plan is made (a host
 * plan for a Cortex-M0+ must not carry the host build's RTM_MPU_V7M_NORMAL_TEX of 1). */
static uint32_t normal_tex(uint32_t min_log2)
{
    return rtm_mpu_v6m_(min_log2) ? 0u : (uint32_t)RTM_MPU_V7M_NORMAL_TEX;
}

static void encode(const v7_region *r, rtm_part_attr attr, uint32_t slot, uint32_t min_log2,
                   rtm_mpu_v7m_region *out)
{
    uint32_t rasr = RTM_V7M_RASR_SIZE(r->log2) | RTM_V7M_RASR_ENABLE | RTM_V7M_RASR_AP(v7_ap(attr));
    if (attr & RTM_PART_XN) rasr |= RTM_V7M_RASR_XN;
    if (attr & RTM_PART_DEVICE)
        rasr |= RTM_V7M_RASR_TEX(0) | RTM_V7M_RASR_B | RTM_V7M_RASR_S;
    else
        rasr |= RTM_V7M_RASR_TEX(normal_tex(min_log2)) | RTM_V7M_RASR_C | RTM_V7M_RASR_B;
    if (r->log2 >= 8) {
        uint64_t sub = (1ull << r->log2) / 8u;
        uint32_t lo = (uint32_t)((r->rs - r->base) / sub), hi = (uint32_t)((r->re - r->base) / sub);
        uint32_t en = ((1u << hi) - 1u) & ~((1u << lo) - 1u);
        rasr |= RTM_V7M_RASR_SRD(~en & 0xFFu);
    }
    out->rbar = (uint32_t)r->base | RTM_V7M_RBAR_VALID | (slot & 0xFu);
    out->rasr = rasr;
}

static void emit(const v7_cover *c, rtm_part_attr attr, size_t owner, rtm_mpu_regs *out)
{
    for (uint32_t k = 0; k < c->n; k++) {
        uint32_t i = out->count++;
        encode(&c->reg[k], attr, out->first + i, out->min_log2, &out->r.v7m[i]);
        out->owner[i] = (uint8_t)owner;
    }
    out->wasted += c->waste;
}

rtm_err rtm_mpu_v7m_cover_min(const rtm_mpu_range *range, uint32_t first, uint32_t max_regions, uint32_t min_log2,
                              rtm_mpu_regs *out)
{
    if (!range || !out || max_regions == 0 || max_regions > RTM_MPU_V7M_MAX_SPLIT || first >= V7_SLOTS ||
        max_regions > V7_SLOTS - first || !rtm_mpu_v7m_min_log2_valid_(min_log2))
        return RTM_ERR_ARG;
    rtm_mpu_arch arch = RTM_MPU_ARCH_ARMV7M(V7_SLOTS, 0);
    arch.min_log2 = min_log2;
    rtm_mpu_regs tmp;
    rtm_err e = rtm_mpu_plan(&arch, RTM_MPU_SET_DOMAIN, range, 1, &tmp, NULL); /* validation */
    rtm_memset(out, 0, sizeof *out);
    if (e != RTM_OK) return e;
    v7_set alone = {range, 1, NULL, 0, tmp.min_log2};
    v7_cover c;
    if (!cover_range(&alone, 0, max_regions, &c)) return RTM_ERR_NO_SLOT;
    out->kind = RTM_MPU_ARMV7M;
    out->first = first;
    out->avail = max_regions;
    out->min_log2 = tmp.min_log2; /* before emit: it picks the TEX */
    emit(&c, range->attr, 0, out);
    return RTM_OK;
}

rtm_err rtm_mpu_v7m_cover(const rtm_mpu_range *range, uint32_t first, uint32_t max_regions, rtm_mpu_regs *out)
{
    return rtm_mpu_v7m_cover_min(range, first, max_regions, 0, out);
}

/*
 * A range that keeps range i from every cover of at most `budget` regions, for the diagnostic: the
 * least-waste cover of i alone (no rule on its waste) grants bytes of it. Of several, the smallest
 * (the most specific claim: a partition rather than the 4 GiB background region around it). Index
 * as in diag (set range, or n + j for avoid[j]); -1 if none: every cover of that many regions
 * whose waste touched nothing would have been allowed, so -1 means the budget alone is short.
 */
static int32_t blocker(const v7_set *set, size_t i, uint32_t budget, v7_cover *c /* scratch */)
{
    v7_set alone = {&set->ranges[i], 1, NULL, 0, set->min_log2};
    if (!cover_range(&alone, 0, budget, c)) return -1;
    uint64_t S = set->ranges[i].base, E = S + set->ranges[i].size, low = S, high = E;
    for (uint32_t k = 0; k < c->n; k++) {
        if (c->reg[k].rs < low) low = c->reg[k].rs;
        if (c->reg[k].re > high) high = c->reg[k].re;
    }
    int32_t best = -1;
    uint64_t best_size = UINT64_MAX;
    for (size_t k = 0; k < set->n + set->n_avoid; k++) {
        if (k == i || !(span_touches(low, S, set, k) || span_touches(E, high, set, k))) continue;
        if (set_range(set, k)->size < best_size) {
            best = (int32_t)k;
            best_size = set_range(set, k)->size;
        }
    }
    return best;
}

static rtm_err plan_v7m(const v7_set *set, rtm_mpu_regs *out, rtm_mpu_diag *diag)
{
    const rtm_mpu_range *ranges = set->ranges;
    size_t n = set->n;
    uint32_t avail = out->avail;
    bool v6m = rtm_mpu_v6m_(set->min_log2); /* the texts name the architecture planned for */
    uint32_t splits = avail < RTM_MPU_V7M_MAX_SPLIT ? avail : RTM_MPU_V7M_MAX_SPLIT;
    /* Options per range: cover with <= r regions, r = 1..splits. Every entry read below is written
     * first; the zero fill is for GCC, which cannot always see it (RTM_MPU_MAX_REGIONS=1, -m32 -Os:
     * "may be used uninitialized" under -Werror). */
    uint64_t opt_waste[RTM_MPU_MAX_REGIONS][RTM_MPU_V7M_MAX_SPLIT] = {{0}};
    uint8_t opt_n[RTM_MPU_MAX_REGIONS][RTM_MPU_V7M_MAX_SPLIT] = {{0}};
    uint8_t choice[RTM_MPU_MAX_REGIONS][RTM_MPU_MAX_REGIONS + 1];
    uint64_t dp[RTM_MPU_MAX_REGIONS + 1], nd[RTM_MPU_MAX_REGIONS + 1];
    uint32_t min_total = 0;
    v7_cover c; /* one scratch cover for every step below: the stack is what embedded users budget */
    if (n > RTM_MPU_MAX_REGIONS || avail > RTM_MPU_MAX_REGIONS) /* guaranteed by the caller */
        return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, RTM_MPU_MAX_REGIONS, -1, "more ranges than slots");
    for (size_t i = 0; i < n; i++) {
        uint32_t min_n = UINT32_MAX;
        for (uint32_t r = 0; r < splits; r++) {
            if (cover_range(set, i, r + 1u, &c)) {
                opt_waste[i][r] = c.waste;
                opt_n[i][r] = (uint8_t)c.n;
                if (c.n < min_n) min_n = c.n;
            } else {
                opt_waste[i][r] = V7_INF;
                opt_n[i][r] = 0;
            }
        }
        if (min_n == UINT32_MAX)
            return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, (int32_t)i, blocker(set, i, splits, &c),
                                 v6m ? "armv6m: every cover within the slot budget grants bytes of another range"
                                     : "armv7m: every cover within the slot budget grants bytes of another range");
        if (min_total + min_n > avail) {
            /* The ranges before it at their fewest regions leave `left` slots: when a cover of
             * that many exists but its waste touches another range, name that range too. */
            uint32_t left = avail - min_total;
            int32_t other = left ? blocker(set, i, left < splits ? left : splits, &c) : -1;
            return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, (int32_t)i, other,
                                 v6m ? "armv6m: ranges need more regions than free slots"
                                     : "armv7m: ranges need more regions than free slots");
        }
        min_total += min_n;
    }
    for (uint32_t s = 0; s <= avail; s++) dp[s] = s == 0 ? 0u : V7_INF;
    for (size_t i = 0; i < n; i++) {
        for (uint32_t s = 0; s <= avail; s++) {
            nd[s] = V7_INF;
            choice[i][s] = 0xFFu;
            for (uint32_t r = 0; r < splits; r++) {
                uint32_t u = opt_n[i][r];
                if (opt_waste[i][r] == V7_INF || u > s || dp[s - u] == V7_INF) continue;
                uint64_t w = dp[s - u] + opt_waste[i][r];
                if (w < nd[s]) {
                    nd[s] = w;
                    choice[i][s] = (uint8_t)r;
                }
            }
        }
        rtm_memcpy(dp, nd, sizeof dp);
    }
    uint32_t best_s = 0;
    uint64_t best_w = V7_INF;
    for (uint32_t s = 0; s <= avail; s++)
        if (dp[s] < best_w) {
            best_w = dp[s];
            best_s = s;
        }
    RTM_ASSERT(best_w != V7_INF); /* the min_total check guarantees a solution */
    if (best_w == V7_INF)
        return rtm_mpu_fail_(diag, RTM_ERR_NO_SLOT, (int32_t)(n ? n - 1 : 0), -1,
                             v6m ? "armv6m: no layout fits" : "armv7m: no layout fits");
    uint8_t pick[RTM_MPU_MAX_REGIONS];
    for (size_t i = n; i-- > 0;) {
        pick[i] = choice[i][best_s];
        best_s -= opt_n[i][pick[i]];
    }
    for (size_t i = 0; i < n; i++) {
        bool ok = cover_range(set, i, pick[i] + 1u, &c);
        RTM_ASSERT(ok && c.n == opt_n[i][pick[i]]);
        (void)ok;
        emit(&c, ranges[i].attr, i, out);
    }
    return RTM_OK;
}

rtm_err rtm_mpu_plan_v7m_(const rtm_mpu_range *ranges, size_t n, const rtm_mpu_range *avoid, size_t n_avoid,
                         rtm_mpu_regs *out, rtm_mpu_diag *diag)
{
    /* out->min_log2 was set by rtm_mpu_plan_avoid from the arch: 5, or 8 on ARMv6-M */
    v7_set set = {ranges, n, avoid, n_avoid, out->min_log2};
    return plan_v7m(&set, out, diag);
}
