/*
 * rtmem demo: replays workloads A, B and C of WORKLOADS.md on every heap fit policy in one fixed
 * arena and prints one table (tools/lib/runner.h defines the columns and the end state).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "runner.h"
#include "workloads.h"

#define DEMO_ARENA_DEFAULT (256u * 1024u)

static void demo_usage(FILE *out)
{
    fprintf(out,
            "usage: rtmem demo [--arena BYTES] [--malloc] [--ops N]\n"
            "Replays workloads A, B and C (WORKLOADS.md; docs/bench.md) on the good-, best- and first-fit\n"
            "heap policies, each in a fresh arena of BYTES (default 256K; suffixes K, M), and prints\n"
            "allocations, failures, peak used, end-state free blocks, external fragmentation, ns/op.\n"
            "  --malloc   also run the system allocator (reference for ns/op)\n"
            "  --ops N    replay only the first N ops of each workload (a quick look; no clean-up;\n"
            "             suffixes K, M as for BYTES)\n");
}

int rtm_cmd_demo(int argc, char **argv)
{
    size_t arena = DEMO_ARENA_DEFAULT;
    bool with_malloc = false;
    size_t max_ops = SIZE_MAX;
    int seen_arena = 0, seen_ops = 0; /* argument index of each, 0: not given */
    for (int i = 1; i < argc; i++) {
        int *seen = !strcmp(argv[i], "--arena") ? &seen_arena : !strcmp(argv[i], "--ops") ? &seen_ops : NULL;
        if (seen && *seen) return rtm_cli_given_twice("demo", i, argv[i], *seen);
        if (seen) *seen = i;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            demo_usage(stdout);
            return 0;
        } else if ((!strcmp(argv[i], "--arena") || !strcmp(argv[i], "--ops")) && i + 1 >= argc) {
            /* name the option: there is no argument i + 1 to name */
            fprintf(stderr, "rtmem demo: argument %d: %s needs a value\n", i, argv[i]);
            return 2;
        } else if (!strcmp(argv[i], "--arena")) {
            if (!rtm_parse_size(argv[i + 1], &arena)) {
                fprintf(stderr, "rtmem demo: argument %d: --arena needs a byte count such as 262144 or 256K, got '%s'\n",
                        i + 1, argv[i + 1]);
                return 2;
            }
            i++;
        } else if (!strcmp(argv[i], "--ops")) {
            if (!rtm_parse_size(argv[i + 1], &max_ops)) {
                fprintf(stderr, "rtmem demo: argument %d: --ops needs a positive op count, got '%s'\n", i + 1,
                        argv[i + 1]);
                return 2;
            }
            i++;
        } else if (!strcmp(argv[i], "--malloc")) {
            with_malloc = true;
        } else {
            fprintf(stderr, "rtmem demo: argument %d: unknown option '%s' (try --help)\n", i, argv[i]);
            return 2;
        }
    }

    /* One clear line for an arena no heap can live in, instead of one per run. */
    rtm_oplist none = {0};
    rtm_run_config probe;
    rtm_run_config_init(&probe);
    probe.arena = arena;
    rtm_run_result pr;
    rtm_err pe = rtm_run(&none, &probe, &pr);
    if (pe == RTM_ERR_NOMEM) { /* not the heap's limit: the host's */
        fprintf(stderr, "rtmem demo: --arena %zu: the host could not allocate %zu bytes for the arena\n", arena, arena);
        return 2;
    }
    if (pe != RTM_OK) {
        fprintf(stderr, "rtmem demo: --arena %zu: %s (a heap needs its control data and one block)\n", arena,
                rtm_err_str(pe));
        return 2;
    }

    const rtm_workload wls[] = {RTM_WL_A, RTM_WL_B, RTM_WL_C};
    printf("rtmem demo: workloads A, B, C of WORKLOADS.md\n");
    rtm_run_print_header(stdout, arena);
    int rc = 0;
    for (size_t w = 0; w < sizeof wls / sizeof wls[0]; w++) {
        rtm_oplist ops = {0};
        rtm_workload_info info;
        rtm_workload_generate(wls[w], &ops, &info);
        if (ops.n > max_ops) ops.n = max_ops;
        for (int t = 0; t < RTM_RUN_TARGETS_; t++) {
            if (t == RTM_RUN_SYSTEM && !with_malloc) continue;
            rtm_run_config cfg;
            rtm_run_config_init(&cfg);
            cfg.target = (rtm_run_target)t;
            cfg.arena = arena;
            cfg.end_at = info.cleanup_at;
            cfg.timing = true;
            rtm_run_result r;
            rtm_err e = rtm_run(&ops, &cfg, &r);
            if (e != RTM_OK) {
                fprintf(stderr, "rtmem demo: %s on %s policy, arena %zu bytes: %s\n", ops.name,
                        rtm_run_target_name(cfg.target), arena, rtm_err_str(e));
                rc = 1;
                continue;
            }
            rtm_run_print_row(stdout, ops.name, &r);
        }
        printf("%-10s peak live %" PRIu64 " B (sum of requested sizes) in %zu ops\n", "", rtm_oplist_peak_live(&ops),
               ops.n);
        rtm_oplist_free(&ops);
    }
    return rc;
}
