/*
 * rtmem replay: replays a captured allocation trace (binary or text, docs/trace-format.md; e.g.
 * from librtmem-trace.so or rtm_trace on a device) on the rtmem heap policies, prints the demo table
 * (tools/lib/runner.h) and the smallest arena that serves the whole trace under each policy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "runner.h"
#include "trace_read.h"

/* @p n exactly, in the largest binary unit that divides it ("1 GiB", "1536 KiB", "100 B"): the
 * "no arena up to ..." line names the search's hard cap (runner.h) without rounding it. */
static const char *exact_size(size_t n, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB"};
    unsigned u = 0;
    while (u < 3 && n != 0 && n % 1024u == 0) {
        n /= 1024u;
        u++;
    }
    snprintf(buf, len, "%zu %s", n, unit[u]);
    return buf;
}

static void replay_usage(FILE *out)
{
    fprintf(out,
            "usage: rtmem replay FILE [--policy good|best|first|all] [--arena BYTES] [--limit BYTES] [--partial]\n"
            "Replays the allocation trace FILE (binary or text, docs/trace-format.md) on the heap\n"
            "policies (default all) in an arena of BYTES (default 2 x the trace's peak live bytes,\n"
            "at least 64K; suffixes K, M), prints the same table as `rtmem demo`, then the smallest\n"
            "arena that serves the whole trace for each policy. Each arena starts at a multiple of the\n"
            "largest alignment the trace requests (at least RTM_ALIGN; at least RTM_HEAP_REALLOC_ALIGN_MAX\n"
            "when the trace has both aligned requests and reallocs): with aligned requests, a buffer\n"
            "placed otherwise may need more.\n"
            "  --limit    the largest arena the smallest-arena search tries (default 1G; suffixes K, M, G)\n"
            "  --partial  a damaged or truncated trace is replayed up to the break (with a warning)\n"
            "             instead of rejected\n");
}

int rtm_cmd_replay(int argc, char **argv)
{
    const char *file = NULL;
    bool on[3] = {true, true, true};
    size_t arena = 0;
    size_t limit = RTM_RUN_MIN_ARENA_LIMIT;
    bool partial = false;
    int seen_policy = 0, seen_limit = 0, seen_arena = 0; /* argument index of each, 0: not given */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int *seen = !strcmp(a, "--policy") ? &seen_policy : !strcmp(a, "--limit") ? &seen_limit
                  : !strcmp(a, "--arena") ? &seen_arena : NULL;
        if (seen && *seen) return rtm_cli_given_twice("replay", i, a, *seen);
        if (seen) *seen = i;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            replay_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--policy")) {
            if (i + 1 >= argc) { /* name the option: there is no argument i + 1 to name */
                fprintf(stderr, "rtmem replay: argument %d: --policy needs a value (good, best, first or all)\n", i);
                return 2;
            }
            const char *v = argv[i + 1];
            rtm_run_target t;
            if (!strcmp(v, "all")) {
                on[0] = on[1] = on[2] = true;
            } else if (rtm_run_target_parse(v, &t) && t != RTM_RUN_SYSTEM) {
                on[0] = on[1] = on[2] = false;
                on[t] = true;
            } else {
                fprintf(stderr, "rtmem replay: argument %d: --policy needs good, best, first or all, got '%s'\n",
                        i + 1, v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--limit")) {
            /* at most half of size_t (the search's 1.15 x above a passing size stays in range) and
             * 2^40 (its robust scan computes its sizes exactly in 64 bits: runner.c) */
            const size_t most = (size_t)((uint64_t)SIZE_MAX / 2 < RTM_RUN_LIMIT_MAX ? (uint64_t)SIZE_MAX / 2 : RTM_RUN_LIMIT_MAX);
            if (i + 1 >= argc || !rtm_parse_size(argv[i + 1], &limit) || limit < 64 || limit > most) {
                fprintf(stderr, "rtmem replay: argument %d: --limit needs a byte count from 64 to %zu such as 1G or 64M%s%s%s\n",
                        i + 1 < argc ? i + 1 : i, most, i + 1 < argc ? ", got '" : "",
                        i + 1 < argc ? argv[i + 1] : "", i + 1 < argc ? "'" : "");
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--arena")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "rtmem replay: argument %d: --arena needs a value (a byte count such as 65536 or 64K)\n", i);
                return 2;
            }
            if (!rtm_parse_size(argv[i + 1], &arena)) {
                fprintf(stderr, "rtmem replay: argument %d: --arena needs a byte count such as 65536 or 64K, got '%s'\n",
                        i + 1, argv[i + 1]);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--partial")) {
            partial = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "rtmem replay: argument %d: unknown option '%s' (try --help)\n", i, a);
            return 2;
        } else if (file == NULL) {
            file = a;
        } else {
            fprintf(stderr, "rtmem replay: argument %d: only one trace file, got '%s' after '%s'\n", i, a, file);
            return 2;
        }
    }
    if (file == NULL) {
        replay_usage(stderr);
        return 2;
    }

    char err[512];
    rtm_oplist ops = {0};
    rtm_trace_convert_stats cs;
    size_t events;
    bool damaged;
    rtm_trace_layout layout;
    if (rtm_trace_load_oplist(file, partial, &ops, &cs, &events, &damaged, &layout, err, sizeof err) != 0) {
        fprintf(stderr, "rtmem replay: %s\n", err);
        return 1;
    }
    if (ops.n == 0) { /* nothing to replay is an error: one line, before any report */
        char why[128];
        fprintf(stderr, "rtmem replay: %s: %s\n", file, rtm_trace_describe_empty(&cs, events, why, sizeof why));
        rtm_oplist_free(&ops);
        return 1;
    }
    uint64_t peak = rtm_oplist_peak_live(&ops); /* one pass over the ops: the default arena, the report */
    char why[200];
    if (!rtm_run_peak_fits(peak, why, sizeof why)) { /* one line, before any report */
        fprintf(stderr, "rtmem replay: %s: %s\n", file, why);
        rtm_oplist_free(&ops);
        return 1;
    }
    if (damaged) fprintf(stderr, "rtmem replay: warning: %s; replaying the %zu events before it\n", err, events);
    printf("rtmem replay: %s: %zu events -> %zu ops (%zu allocations, %zu frees, %zu reallocs), peak live %llu B, "
           "%zu objects never freed\n",
           file, events, ops.n, cs.allocs, cs.frees, cs.reallocs, (unsigned long long)cs.peak_live, cs.live_at_end);
    if (cs.unknown_frees || cs.dup_allocs || cs.failed)
        printf("rtmem replay: skipped %zu frees of unknown objects, %zu allocations over a live object, %zu failed "
               "requests recorded\n",
               cs.unknown_frees, cs.dup_allocs, cs.failed);
    if (arena == 0) {
        arena = peak > SIZE_MAX / 4 ? SIZE_MAX / 2 : (size_t)((2 * peak + 1023) / 1024) * 1024;
        if (arena < 64u * 1024u) arena = 64u * 1024u;
    }

    rtm_run_print_header(stdout, arena);
    int rc = 0;
    for (int p = 0; p < 3; p++) {
        if (!on[p]) continue;
        rtm_run_config cfg;
        rtm_run_config_init(&cfg);
        cfg.target = (rtm_run_target)p;
        cfg.arena = arena;
        cfg.timing = true;
        rtm_run_result r;
        rtm_err e = rtm_run(&ops, &cfg, &r);
        if (e != RTM_OK) {
            fprintf(stderr, "rtmem replay: %s on %s policy, arena %zu bytes: %s\n", file, rtm_run_target_name(cfg.target),
                    arena, rtm_err_str(e));
            rc = 1;
            break;
        }
        rtm_run_print_row(stdout, ops.name, &r);
    }
    if (rc == 0) {
        printf("%-10s peak live %" PRIu64 " B (sum of requested sizes) in %zu ops\n", "", peak, ops.n);
        /* The figures are this build's heap layout: a 64-bit host's 8-byte headers and larger
         * control block overstate what a 32-bit target needs (4-byte headers). A version 2 trace
         * says which layout captured it; a version 1 trace does not. */
        rtm_trace_layout host = rtm_trace_layout_host();
        char what[64];
        /* The placement of the buffer matters for aligned requests: the search runs every trial in a
         * buffer whose start is a multiple of the largest alignment requested (runner.h), and says so. */
        size_t place = rtm_oplist_max_align(&ops);
        /* A trial arena smaller than place starts at a multiple of the largest power of two that
         * fits in it (rtm_run_placement: a larger alignment is never served there, so it cannot
         * matter), not of place: say so rather than name an alignment no trial used. */
        printf("smallest arena serving the whole trace (bytes given to rtm_heap_init, its start a multiple of %zu B%s; "
               "this build's layout: %s):\n",
               place, place > RTM_HEAP_REALLOC_ALIGN_MAX ? " or, if the arena is smaller, of the largest power of two in it" : "",
               rtm_trace_layout_describe(&host, what, sizeof what));
        if (rtm_trace_layout_print(stdout, "  ", &layout) < 0 && sizeof(size_t) > 4u)
            printf("  (a 32-bit target has 4-byte headers and needs less: build rtmem with -DRTM_M32=ON for its figures)\n");
        /* Only zero-byte requests (malloc(0)): any arena serves them, there is nothing to size. */
        if (peak == 0) printf("  nothing to size: no byte is live at any point of the trace\n");
        /* The policies no arena up to the search limit serves: one line for all of them after the
         * loop (a trace that none can serve, e.g. an alignment of 2^31, said it three times). */
        char none[32] = "";
        int n_none = 0, n_on = 0;
        for (int p = 0; p < 3 && peak != 0; p++) {
            if (!on[p]) continue;
            n_on++;
            rtm_min_arena m;
            rtm_err e = rtm_run_min_arena_upto(&ops, (rtm_run_target)p, limit, &m);
            if (e == RTM_ERR_SIZE) {
                snprintf(none + strlen(none), sizeof none - strlen(none), "%s%s", n_none ? ", " : "",
                         rtm_run_target_name((rtm_run_target)p));
                n_none++;
                rc = 1;
                continue;
            }
            if (e != RTM_OK) {
                fprintf(stderr, "rtmem replay: %s: %s policy: no smallest arena found: %s\n", file,
                        rtm_run_target_name((rtm_run_target)p), rtm_err_str(e));
                rc = 1;
                continue;
            }
            size_t step400 = (size_t)(m.peak_live / 400 + 7) / 8 * 8;
            if (m.robust_step > step400 && m.robust_step > 8) /* widened: runner.h, rtm_run_min_arena */
                printf("  %-6s %zu B (%.3f x peak live; robust %zu B, %.3f x, in steps of %zu B)\n",
                       rtm_run_target_name((rtm_run_target)p), m.bisect, m.bisect_ratio, m.robust, m.robust_ratio,
                       m.robust_step);
            else
                printf("  %-6s %zu B (%.3f x peak live; robust %zu B, %.3f x)\n", rtm_run_target_name((rtm_run_target)p),
                       m.bisect, m.bisect_ratio, m.robust, m.robust_ratio);
        }
        size_t asked = rtm_oplist_max_requested_align(&ops);
        if (n_none > 0) {
            /* in 64 bits: a 32-bit size_t cannot hold 2^31 as rtm_oplist_max_requested_align's result */
            unsigned lg = 0;
            for (size_t i = 0; i < ops.n; i++)
                if (ops.ops[i].kind == RTM_OP_ALIGNED && ops.ops[i].align_log2 > lg) lg = ops.ops[i].align_log2;
            char al[64] = "";
            if (((uint64_t)1 << lg) > RTM_ALIGN) snprintf(al, sizeof al, " (alignment %" PRIu64 ")", (uint64_t)1 << lg);
            char lim[32];
            fprintf(stderr, "rtmem replay: %s: no arena up to %s serves this trace%s%s%s%s\n", file,
                    exact_size(limit & ~(size_t)7u, lim, sizeof lim), al, n_none < n_on ? " under the " : "", n_none < n_on ? none : "",
                    n_none < n_on ? (n_none > 1 ? " policies" : " policy") : "");
        }
        /* The trace's own largest alignment and the placement are told apart: with aligned requests
         * and reallocs the placement is RTM_HEAP_REALLOC_ALIGN_MAX whatever the trace asked for
         * (rtm_oplist_max_align), and the reader must not take that for the trace's request. */
        if (n_on > 0 && n_none == n_on) {
            /* nothing sized: no note on placements */
        } else if (peak != 0 && place > asked)
            printf("  (the trace requests alignments up to %zu B, but it also reallocs, and a moving realloc keeps a\n"
                   "  block's alignment up to RTM_HEAP_REALLOC_ALIGN_MAX = %zu B: the arena's start is a multiple of\n"
                   "  %zu B, and a buffer whose start is not may need up to about %zu B more)\n",
                   asked, (size_t)RTM_HEAP_REALLOC_ALIGN_MAX, place, place - (size_t)RTM_ALIGN);
        else if (peak != 0 && place > RTM_ALIGN)
            printf("  (the trace requests alignments up to %zu B: a buffer whose start is not a multiple of %zu B may\n"
                   "  need up to about %zu B more)\n",
                   asked, place, place - (size_t)RTM_ALIGN);
    }
    rtm_oplist_free(&ops);
    return rc;
}
