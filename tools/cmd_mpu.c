/*
 * rtmem mpu --arch armv6m|armv7m|armv8m|riscv-pmp PLAN
 * Plans the MPU / PMP regions of a plan file (docs/mpu-plan.md) and prints, per domain, the
 * regions used out of those available, the bytes wasted by rounding and every register value.
 * Errors: one line `PLAN:LINE: message` on stderr and exit status 1; usage errors exit 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "mpuplan.h"

#define PLAN_FILE_MAX (1024u * 1024u)

static void usage(FILE *f)
{
    fprintf(f, "usage: rtmem mpu --arch armv6m|armv7m|armv8m|riscv-pmp PLAN\n"
               "Plans MPU/PMP regions for the system regions and domains of PLAN (format: docs/mpu-plan.md)\n"
               "and prints regions used, bytes wasted and register values per domain.\n"
               "armv6m: the ARMv7-M layout with the Cortex-M0+ minimum region of 256 B.\n");
}

int rtm_cmd_mpu(int argc, char **argv)
{
    const char *arch = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (arch && (!strcmp(argv[i], "--arch") || !strncmp(argv[i], "--arch=", 7))) {
            /* one architecture per run: a second one silently replaced the first */
            fprintf(stderr, "rtmem mpu: --arch given twice ('%s', then '%s')\n", arch,
                    argv[i][6] == '=' ? argv[i] + 7 : i + 1 < argc ? argv[i + 1] : "");
            return 2;
        }
        if (!strcmp(argv[i], "--arch")) {
            if (i + 1 >= argc) { /* as rtmem stack words a missing value: one line, not the usage */
                fprintf(stderr, "rtmem mpu: --arch needs a value\n");
                return 2;
            }
            arch = argv[++i];
        } else if (!strncmp(argv[i], "--arch=", 7)) {
            arch = argv[i] + 7;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "rtmem mpu: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "rtmem mpu: more than one plan file ('%s')\n", argv[i]);
            return 2;
        }
    }
    if (!arch || !path) {
        usage(stderr);
        return 2;
    }
    rtm_mpu_arch target;
    if (!rtm_plan_arch_named(arch, &target)) {
        fprintf(stderr, "rtmem mpu: unknown architecture '%s' (armv6m, armv7m, armv8m, riscv-pmp)\n", arch);
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s:0: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    char *text = malloc(PLAN_FILE_MAX + 1);
    if (!text) {
        fclose(f);
        fprintf(stderr, "%s:0: out of memory\n", path);
        return 1;
    }
    size_t len = fread(text, 1, PLAN_FILE_MAX + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err || len > PLAN_FILE_MAX) {
        free(text);
        fprintf(stderr, "%s:0: %s\n", path, rd_err ? "read error" : "file larger than 1 MiB");
        return 1;
    }
    static rtm_plan plan;
    static rtm_plan_result res;
    rtm_plan_error err;
    int rc = rtm_plan_parse(text, len, &plan, &err);
    free(text);
    if (rc == 0) rc = rtm_plan_compute_arch(&plan, &target, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "%s:%d: %s\n", path, err.line, err.msg);
        return 1;
    }
    rtm_plan_print(stdout, &plan, &res);
    return 0;
}
