/*
 * mpuplan.h - the plan file of `rtmem mpu` (format: docs/mpu-plan.md): parser, planner driver and
 * report printer. Host-side (libc allowed). Every function is pure apart from the FILE it prints
 * to; errors come back as {line, message} so the CLI prints `PLAN:LINE: message`.
 */
#ifndef RTM_MPUPLAN_H
#define RTM_MPUPLAN_H

#include <stdio.h>

#include "rtmem/mpu.h"

#define RTM_PLAN_NAME_MAX 32      /* including the terminating NUL */
#define RTM_PLAN_MAX_SYSTEM 16
#define RTM_PLAN_MAX_PARTS 64
#define RTM_PLAN_MAX_DOMAINS 16
#define RTM_PLAN_MAX_DOMAIN_PARTS RTM_MPU_MAX_REGIONS
#define RTM_PLAN_LINE_MAX 512

typedef struct {
    char name[RTM_PLAN_NAME_MAX];
    rtm_mpu_range r;
    int line;
} rtm_plan_range;

typedef struct {
    char name[RTM_PLAN_NAME_MAX];
    int line;
    size_t n;
    size_t part[RTM_PLAN_MAX_DOMAIN_PARTS]; /* indices into rtm_plan.parts */
} rtm_plan_domain;

typedef struct {
    uint32_t regions; /* from a `regions N` line; 0: the architecture's default */
    int regions_line;
    size_t nsys, nparts, ndoms;
    rtm_plan_range sys[RTM_PLAN_MAX_SYSTEM];
    rtm_plan_range parts[RTM_PLAN_MAX_PARTS];
    rtm_plan_domain doms[RTM_PLAN_MAX_DOMAINS];
} rtm_plan;

/* Room for the longest message: four names of 31 characters, line numbers, a rule text and
 * words around them come to under 400 bytes (200 cut some off). */
#define RTM_PLAN_MSG_MAX 512

typedef struct {
    int line;       /* 1-based; 0 when no line applies */
    char msg[RTM_PLAN_MSG_MAX];
} rtm_plan_error;

/** Result of planning one file for one architecture. */
typedef struct {
    rtm_mpu_arch arch;
    rtm_mpu_regs sys;                           /* system regions */
    rtm_mpu_regs dom[RTM_PLAN_MAX_DOMAINS];     /* one per domain */
} rtm_plan_result;

/** Parses @p len bytes of @p text. 0 on success, -1 with *err filled otherwise. */
int rtm_plan_parse(const char *text, size_t len, rtm_plan *out, rtm_plan_error *err);

/** Kind of the architecture named @p name ("armv6m" and "armv7m": RTM_MPU_ARMV7M, "armv8m",
 *  "riscv-pmp"); RTM_MPU_NONE if unknown. */
rtm_mpu_kind rtm_plan_arch(const char *name);

/** Fills kind and min_log2 of *@p out (regions and slots 0) for the architecture named @p name:
 *  "armv6m" is RTM_MPU_ARMV7M with 256 B regions at least, "armv7m" with 32 B, whatever the build.
 *  False (and *out zeroed) if unknown. */
bool rtm_plan_arch_named(const char *name, rtm_mpu_arch *out);

/**
 * Plans @p p for @p kind: system regions in the fewest slots they fit in, their waste kept off
 * every partition; then every domain in the remaining slots, its waste kept off the system regions
 * and every partition it does not list (rtm_mpu_plan_avoid); then each partition listed in no
 * domain alone, as a check. 0 on success, -1 with *err naming the line of the offending range (or
 * domain).
 * RTM_MPU_ARMV7M is ARMv7-M (32 B regions at least); rtm_plan_compute_arch plans for ARMv6-M.
 */
int rtm_plan_compute(const rtm_plan *p, rtm_mpu_kind kind, rtm_plan_result *res, rtm_plan_error *err);

/** rtm_plan_compute for the kind and min_log2 of @p arch (rtm_plan_arch_named); its regions and
 *  sys_regions are not used (the plan's `regions` line or the default, then the fewest slots). */
int rtm_plan_compute_arch(const rtm_plan *p, const rtm_mpu_arch *arch, rtm_plan_result *res, rtm_plan_error *err);

/** Prints the report (regions, register values, waste) of @p res for @p p. Waste is counted in
 *  distinct bytes granted outside the set's ranges (rtm_mpu_regs.wasted sums per range), and every
 *  partition in no domain gets a `note:` line. */
void rtm_plan_print(FILE *f, const rtm_plan *p, const rtm_plan_result *res);

#endif
