/*
 * libFuzzer target: the plan-file parser of `rtmem mpu` and the planner behind it. Any input must
 * either parse or fail with a line number and a one-line message; a parsed plan must plan or fail
 * the same way for every architecture, and a planned result must print. Seeds:
 * fuzz/corpus/fuzz_mpuplan (the example plans).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpuplan.h"

static rtm_plan g_plan;
static rtm_plan_result g_res;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    rtm_plan_error err;
    if (rtm_plan_parse((const char *)data, size, &g_plan, &err) != 0) {
        if (err.line < 0 || !memchr(err.msg, 0, sizeof err.msg) || strchr(err.msg, '\n')) abort();
        return 0;
    }
    const rtm_mpu_kind kinds[3] = {RTM_MPU_ARMV7M, RTM_MPU_ARMV8M, RTM_MPU_RISCV_PMP};
    for (int k = 0; k < 3; k++) {
        if (rtm_plan_compute(&g_plan, kinds[k], &g_res, &err) != 0) {
            if (err.line < 0 || strchr(err.msg, '\n')) abort();
            continue;
        }
        for (size_t d = 0; d < g_plan.ndoms; d++)
            if (g_res.dom[d].count > g_res.dom[d].avail) abort();
        if (sink) rtm_plan_print(sink, &g_plan, &g_res);
    }
    return 0;
}
