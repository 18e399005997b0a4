/*
 * rtm_bench: the measurements of `make bench` (scripts/bench.sh drives it; ../shared/WORKLOADS.md
 * defines the work). One measurement per invocation, so that Valgrind callgrind can wrap exactly
 * the run it counts. Output: "key value" lines on stdout, read by bench/report.py.
 *
 *   rtm_bench run WORKLOAD TARGET [ARENA]     one run of the whole op list, for callgrind: the
 *                                             calls from runner.c into the allocator are the
 *                                             ones counted (allocs, frees, failures printed)
 *   rtm_bench time WORKLOAD TARGET [ARENA] [REPS]   ns/op of REPS (5) timed runs: median, min, max
 *   rtm_bench wc V1|V2 K TARGET               worst-case construction, then one alloc(probe) in
 *                                             bench_wc_alloc() and its free in bench_wc_free()
 *   rtm_bench minarena WORKLOAD TARGET        minimum arena: bisection and robust (runner.h)
 *   rtm_bench path small|large                good fit's longest O(1) alloc path, constructed (below),
 *                                             then one alloc in bench_wc_alloc() and its free
 * WORKLOAD: A, B, C, A64. TARGET: good, best, first, malloc. ARENA default 1 MiB.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "runner.h"
#include "workloads.h"

#define BENCH_ARENA_DEFAULT (1024u * 1024u)

static int usage(void)
{
    fprintf(stderr, "usage: rtm_bench run|time WORKLOAD TARGET [ARENA] [REPS] | wc V1|V2 K TARGET | "
                    "minarena WORKLOAD TARGET|MODEL [SEED] | path small|large\n"
                    "  MODEL: heap4, first32, best32 (bench/models.h); SEED: another SplitMix64 seed for the workload\n");
    return 2;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The measured calls of the worst case live in functions of their own, so that callgrind reports
 * exactly one call of rtm_heap_alloc / rtm_heap_free from each. */
__attribute__((noinline)) void *bench_wc_alloc(rtm_heap *h, size_t bytes);
__attribute__((noinline)) void bench_wc_free(rtm_heap *h, void *p);
__attribute__((noinline)) void *bench_wc_alloc(rtm_heap *h, size_t bytes) { return rtm_heap_alloc(h, bytes); }
__attribute__((noinline)) void bench_wc_free(rtm_heap *h, void *p) { rtm_heap_free(h, p); }

static int cmd_wc(int argc, char **argv)
{
    if (argc != 5) return usage();
    rtm_wc_variant v;
    if (!strcmp(argv[2], "V1")) v = RTM_WC_V1;
    else if (!strcmp(argv[2], "V2")) v = RTM_WC_V2;
    else return usage();
    size_t k = (size_t)strtoull(argv[3], NULL, 10);
    rtm_run_target t;
    if (!rtm_run_target_parse(argv[4], &t) || t == RTM_RUN_SYSTEM) return usage();
    void *mem = malloc(RTM_WC_ARENA);
    rtm_heap *h = mem ? rtm_heap_init(mem, RTM_WC_ARENA, (rtm_fit)t) : NULL;
    if (h == NULL) {
        fprintf(stderr, "rtm_bench: cannot create a %u-byte heap\n", RTM_WC_ARENA);
        free(mem);
        return 1;
    }
    rtm_wc_state s;
    if (!rtm_wc_build(h, v, k, &s)) {
        fprintf(stderr, "rtm_bench: worst-case construction failed (step 1 allocation)\n");
        free(mem);
        return 1;
    }
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    void *p = bench_wc_alloc(h, s.probe);
    bench_wc_free(h, p);
    printf("free_blocks %zu\nfill_allocs %zu\nnull %d\n", st.free_blocks, s.fill_allocs, p == NULL);
    free(mem);
    return 0;
}

/* Good fit's longest O(1) path: the construction is rtm_path_construct (workloads_gen.h), then one
 * alloc in bench_wc_alloc() and its free in bench_wc_free(). */
static int cmd_path(int argc, char **argv)
{
    if (argc != 3) return usage();
    rtm_path_kind kind;
    if (!strcmp(argv[2], "small")) kind = RTM_PATH_SMALL;
    else if (!strcmp(argv[2], "large")) kind = RTM_PATH_LARGE;
    else return usage();
    void *mem = malloc(RTM_PATH_ARENA);
    rtm_heap *h = mem ? rtm_heap_init(mem, RTM_PATH_ARENA, RTM_FIT_GOOD) : NULL;
    if (h == NULL) {
        fprintf(stderr, "rtm_bench: cannot create a %u-byte heap\n", (unsigned)RTM_PATH_ARENA);
        free(mem);
        return 1;
    }
    rtm_path path;
    if (!rtm_path_construct(h, kind, &path)) {
        fprintf(stderr, "rtm_bench: path construction failed\n");
        free(mem);
        return 1;
    }
    rtm_heap_stats st;
    rtm_heap_get_stats(h, &st);
    void *p = bench_wc_alloc(h, path.request);
    /* which block was cut tells how many classes were visited (RTM_HEAP_LOW_PICK = 6: six) */
    unsigned classes = rtm_path_classes_visited(&path, p);
    bench_wc_free(h, p);
    printf("free_blocks %zu\nrequest %zu\nnull %d\nclasses_visited %u\ncheck %d\n", st.free_blocks, path.request,
           p == NULL, classes, rtm_heap_check(h) == RTM_OK);
    free(mem);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (!strcmp(argv[1], "wc")) return cmd_wc(argc, argv);
    if (!strcmp(argv[1], "path")) return cmd_path(argc, argv);
    if (argc < 4) return usage();
    rtm_workload w;
    rtm_run_target t = RTM_RUN_SYSTEM;
    rtm_model model;
    bool is_model = !strcmp(argv[1], "minarena") && rtm_model_parse(argv[3], &model);
    if (!rtm_workload_parse(argv[2], &w) || (!is_model && !rtm_run_target_parse(argv[3], &t))) return usage();
    uint64_t seed = rtm_workload_seed(w);
    if (!strcmp(argv[1], "minarena") && argc > 4) {
        char *end;
        errno = 0;
        seed = strtoull(argv[4], &end, 0);
        if (*argv[4] < '0' || *argv[4] > '9' || *end != '\0' || errno == ERANGE) return usage();
    }
    rtm_oplist ops = {0};
    rtm_workload_info info;
    rtm_workload_generate_seed(w, seed, &ops, &info);
    int rc = 0;

    if (!strcmp(argv[1], "run") || !strcmp(argv[1], "time")) {
        rtm_run_config cfg;
        rtm_run_config_init(&cfg);
        cfg.target = t;
        cfg.arena = BENCH_ARENA_DEFAULT;
        cfg.end_at = info.cleanup_at;
        if (argc > 4 && !rtm_parse_size(argv[4], &cfg.arena)) return usage();
        int reps = 1;
        if (!strcmp(argv[1], "time")) {
            cfg.timing = true;
            reps = argc > 5 ? atoi(argv[5]) : 5;
            if (reps < 1 || reps > 101) return usage();
        }
        double ns[101];
        rtm_run_result r;
        for (int i = 0; i < reps; i++) {
            if (rtm_run(&ops, &cfg, &r) != RTM_OK) {
                fprintf(stderr, "rtm_bench: %s on %s: cannot run (arena %zu)\n", ops.name, argv[3], cfg.arena);
                return 1;
            }
            ns[i] = r.ns_per_op;
        }
        printf("ops %zu\nallocs %zu\nfrees %zu\nfailures %zu\npeak_used %zu\npeak_live %" PRIu64 "\n", r.ops, r.allocs,
               r.frees, r.failures, r.peak_used, r.peak_live);
        if (cfg.timing) {
            qsort(ns, (size_t)reps, sizeof ns[0], cmp_double);
            printf("ns_median %.2f\nns_min %.2f\nns_max %.2f\n", ns[reps / 2], ns[0], ns[reps - 1]);
        }
    } else if (!strcmp(argv[1], "minarena")) {
        rtm_min_arena m;
        rtm_err e = is_model ? rtm_model_min_arena(model, &ops, &m) : rtm_run_min_arena(&ops, t, &m);
        if (e != RTM_OK) {
            fprintf(stderr, "rtm_bench: minimum arena of %s on %s: %s%s\n", ops.name, argv[3], rtm_err_str(e),
                    is_model && e == RTM_ERR_ARG ? " (models run ALLOC and FREE ops only: not A64)" : "");
            rc = 1;
        } else {
            printf("peak_live %" PRIu64 "\nbisect %zu\nrobust %zu\nbisect_ratio %.4f\nrobust_ratio %.4f\nruns %u\n"
                   "arena_align %zu\n",
                   m.peak_live, m.bisect, m.robust, m.bisect_ratio, m.robust_ratio, m.runs, m.arena_align);
            if (is_model) {
                uint64_t floor = rtm_model_floor(rtm_model_get(model), &ops);
                printf("floor %" PRIu64 "\nfloor_ratio %.4f\n", floor, (double)floor / (double)m.peak_live);
            }
        }
    } else {
        rc = usage();
    }
    rtm_oplist_free(&ops);
    return rc;
}
