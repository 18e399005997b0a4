/*
 * libFuzzer target: the plan-file parser of `rtmem mpu` and the planner behind it. Any input must
 * either parse or fail with a line number and a one-line message; a parsed plan must plan or fail
 * the same way for every architecture, every domain of a planned result must pass the same
 * decoding check as binary mode (check_plan), and a planned result must print. Inputs starting with 0xFF
 * drive rtm_mpu_plan() directly with binary ranges and check each plan by decoding it. Seeds:
 * fuzz/corpus/fuzz_mpuplan (the example plans and one binary input).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpuplan.h"

static rtm_plan g_plan;
static rtm_plan_result g_res;

/* Binary mode (first byte 0xFF): byte 1 = arch/set/slots, then 9-byte ranges (base/32 as 4 bytes,
 * size/32 as 4 bytes, attribute byte). Checks every successful plan by decoding it: each range is
 * covered by the slots it owns, no slot grants bytes of another range, and the wasted bytes add up. */
static uint64_t rd32(const uint8_t *p) { return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24; }

static void check_plan(const rtm_mpu_range *r, size_t n, const rtm_mpu_regs *g)
{
    if (g->count > g->avail) abort();
    uint64_t waste = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t lo = UINT64_MAX, hi = 0, granted = 0;
        uint64_t b[RTM_MPU_MAX_REGIONS], e[RTM_MPU_MAX_REGIONS];
        size_t k = 0;
        for (uint32_t sl = 0; sl < g->count; sl++) {
            uint64_t base, sz;
            bool en;
            if (rtm_mpu_decode(g, sl, &base, &sz, &en) != RTM_OK) abort();
            if (g->owner[sl] != i || !en) continue;
            b[k] = base;
            e[k++] = base + sz;
            if (base < lo) lo = base;
            if (base + sz > hi) hi = base + sz;
            for (size_t j = 0; j < n; j++) /* never grant another range's bytes */
                if (j != i && base < r[j].base + r[j].size && r[j].base < base + sz) abort();
        }
        if (k == 0 || lo > r[i].base || hi < r[i].base + r[i].size) abort();
        /* covered bytes of [lo, hi): walk left to right over the union */
        uint64_t p = lo;
        while (p < hi) {
            uint64_t reach = p, next = hi;
            for (size_t q = 0; q < k; q++) {
                if (b[q] <= p && e[q] > reach) reach = e[q];
                if (b[q] > p && b[q] < next) next = b[q];
            }
            if (reach > p) {
                granted += reach - p;
                p = reach;
            } else {
                if (p < r[i].base + r[i].size && next > r[i].base) abort(); /* hole inside the range */
                p = next;
            }
        }
        waste += granted - r[i].size;
    }
    if (waste != g->wasted) abort();
    if (g->kind == RTM_MPU_RISCV_PMP) {
        /* the planner plans 4-byte granules: G = 0 holds every plan, and a coarser granule holds
         * it iff every range's bounds are multiples of it (PMP plans are exact) and no range of
         * 4 bytes needs NA4 */
        if (rtm_pmp_check_granule(g, 0) != RTM_OK) abort();
        for (unsigned gr = 1; gr < 12; gr++) {
            uint64_t gran = 4ull << gr;
            bool fits = true;
            for (size_t i = 0; i < n; i++) fits = fits && r[i].base % gran == 0 && r[i].size % gran == 0;
            if (fits && rtm_pmp_check_granule(g, gr) != RTM_OK) abort();
        }
    }
}

static void binary_mode(const uint8_t *data, size_t size)
{
    if (size < 2) return;
    static const rtm_mpu_kind kinds[3] = {RTM_MPU_ARMV7M, RTM_MPU_ARMV8M, RTM_MPU_RISCV_PMP};
    rtm_mpu_arch a = {kinds[(data[1] & 3u) % 3u], 8u + 8u * ((data[1] >> 2) & 1u), (data[1] >> 3) & 7u, 0, 0};
    if (a.kind == RTM_MPU_ARMV7M && (data[1] & 0x40u)) a.min_log2 = RTM_MPU_V6M_MIN_LOG2; /* ARMv6-M */
    rtm_mpu_set set = (data[1] & 0x80u) ? RTM_MPU_SET_SYSTEM : RTM_MPU_SET_DOMAIN;
    rtm_mpu_range r[RTM_MPU_MAX_REGIONS];
    size_t n = 0;
    for (size_t off = 2; off + 9 <= size && n < RTM_MPU_MAX_REGIONS; off += 9, n++) {
        uint32_t unit = (data[off + 8] & 0x40u) ? 4u : 32u;
        r[n].base = rd32(data + off) * unit;
        r[n].size = rd32(data + off + 4) * unit;
        r[n].attr = (rtm_part_attr)(data[off + 8] & 0x3Fu) % 7u | ((data[off + 8] & 0x80u) ? RTM_PART_XN : 0u);
    }
    rtm_mpu_regs g;
    rtm_mpu_diag d;
    rtm_err e = rtm_mpu_plan(&a, set, r, n, &g, &d);
    if (e != RTM_OK) {
        if (g.count != 0 || d.err != e || !d.rule || d.index >= (int32_t)n) abort();
        return;
    }
    if (set == RTM_MPU_SET_DOMAIN) check_plan(r, n, &g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == 0xFF) {
        binary_mode(data, size);
        return 0;
    }
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    rtm_plan_error err;
    if (rtm_plan_parse((const char *)data, size, &g_plan, &err) != 0) {
        if (err.line < 0 || !memchr(err.msg, 0, sizeof err.msg) || strchr(err.msg, '\n')) abort();
        return 0;
    }
    static const char *const arches[4] = {"armv6m", "armv7m", "armv8m", "riscv-pmp"};
    for (int k = 0; k < 4; k++) {
        rtm_mpu_arch a;
        if (!rtm_plan_arch_named(arches[k], &a)) abort();
        if (rtm_plan_compute_arch(&g_plan, &a, &g_res, &err) != 0) {
            if (err.line < 0 || strchr(err.msg, '\n')) abort();
            continue;
        }
        for (size_t d = 0; d < g_plan.ndoms; d++) {
            if (g_res.dom[d].count > g_res.dom[d].avail) abort();
            rtm_mpu_range r[RTM_PLAN_MAX_DOMAIN_PARTS];
            for (size_t i = 0; i < g_plan.doms[d].n; i++) r[i] = g_plan.parts[g_plan.doms[d].part[i]].r;
            check_plan(r, g_plan.doms[d].n, &g_res.dom[d]);
        }
        if (sink) rtm_plan_print(sink, &g_plan, &g_res);
    }
    return 0;
}
