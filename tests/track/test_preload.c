/* librtmem-trace.so on real programs: the traced program's output is unchanged, and the trace
 * agrees with what the program did.
 *   test_preload victim VICTIM LIB   the known pattern of preload_victim.c: counts and peak exact
 *   test_preload sort   -      LIB   /usr/bin/sort on 40,000 lines: same output, consistent trace
 *   test_preload python -      LIB   python3 building 60 bytearrays of known sizes
 * "Consistent": every free and realloc names a live object, no address is handed out twice
 * while live, and the trace decodes without error.
 * The library's edge cases, each a mode of its own (VICTIM is preload_edge unless said otherwise):
 *   early    (VICTIM preload_early) calloc in another library's constructor, before ours ran
 *   sigfork, sigexit                fork() / exit() from a signal handler: no deadlock
 *   closefd, fillfd                 the program closes and reuses descriptors: its file gets no
 *                                   trace chunk
 *   spawn                           a traced parent execs a traced child on the same file name:
 *                                   the file holds the parent's trace, readable
 *   errno                           malloc and free keep errno when a chunk write fails
 *   hdrfail  (5th argument: a library that fails the header's write) no chunk after a lost header
 *   memalign                        an odd alignment is recorded as the power of two glibc uses
 *   pid                             "%p" in RTMEM_TRACE is the process id
 *   shortwrite, killwrite (5th argument: preload_writev) partial and interrupted writes; a kill
 *                                   between two writes leaves whole chunks
 *   xfsz, epipe                     the trace's writes past RLIMIT_FSIZE or into a pipe without
 *                                   reader do not kill the program (SIGXFSZ, SIGPIPE)
 *   dlsymalloc (5th argument: a dlsym that allocates and frees) the library's boot serves it
 * Every run has a deadline (RUN_DEADLINE_S): a deadlocked program fails the test instead of
 * hanging it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtm_test.h"
#include "trace_read.h"

extern char **environ;

static const char *g_mode, *g_victim, *g_lib, *g_extra_lib;
static bool g_extra_after;
static pid_t g_last_pid; /* of the last run: the traced program's process id */ /* g_extra_lib after the library in LD_PRELOAD, not before */
static char g_dir[] = "/tmp/rtm_preload_XXXXXX";

enum { RUN_DEADLINE_S = 20, RUN_TIMED_OUT = 124 };
static const char *g_err; /* stderr of the next run() to this file (NULL: inherited) */

/* Runs argv with stdin from @p in (or /dev/null), stdout to @p out; with the library (and
 * g_extra_lib, if set) preloaded and tracing to @p trace if trace is not NULL. Returns the exit
 * status, 128 + the signal, or RUN_TIMED_OUT when the program (in its own process group, with
 * whatever it started) had to be killed after @p deadline_s seconds. */
static int run_for(char *const argv[], const char *in, const char *out, const char *trace, int deadline_s)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    g_last_pid = pid;
    if (pid == 0) {
        setpgid(0, 0);
        int fi = open(in ? in : "/dev/null", O_RDONLY);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = g_err ? open(g_err, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;
        if (fi < 0 || fo < 0 || fe < 0) _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        /* the program starts with 0, 1 and 2 only, as from a shell, whatever ctest left open: the
         * trace file then gets descriptor 3, which preload_edge closefd depends on */
        long top = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (top > 0 && top < 65536 ? top : 65536); fd++) close(fd);
        size_t n = 0;
        while (environ[n]) n++;
        char **env = calloc(n + 3, sizeof *env);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (strncmp(environ[i], "LD_PRELOAD=", 11) && strncmp(environ[i], "RTMEM_TRACE=", 12)) env[k++] = environ[i];
        static char pre[8400], tr[4200];
        if (trace) {
            if (g_extra_lib && g_extra_after) snprintf(pre, sizeof pre, "LD_PRELOAD=%s:%s", g_lib, g_extra_lib);
            else if (g_extra_lib) snprintf(pre, sizeof pre, "LD_PRELOAD=%s:%s", g_extra_lib, g_lib);
            else snprintf(pre, sizeof pre, "LD_PRELOAD=%s", g_lib);
            snprintf(tr, sizeof tr, "RTMEM_TRACE=%s", trace);
            env[k++] = pre;
            env[k++] = tr;
        }
        env[k] = NULL;
        execve(argv[0], argv, env);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: the kill below must not depend on who ran first */
    int st;
    struct timespec t0, now, tick = {0, 5000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        assert_true(w >= 0);
        if (w == pid) break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >= deadline_s * 1000L) {
            kill(-pid, SIGKILL);
            assert_int_equal(waitpid(pid, &st, 0), pid);
            printf("%s: killed after %d s (deadlock?)\n", argv[0], deadline_s);
            return RUN_TIMED_OUT;
        }
        nanosleep(&tick, NULL);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(char *const argv[], const char *in, const char *out, const char *trace)
{
    return run_for(argv, in, out, trace, RUN_DEADLINE_S);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void path_in(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", g_dir, name); }

/* Loads the trace @p tr into @p d (what rtmem replay does first), asserts that it is consistent and
 * returns the conversion statistics. */
static rtm_trace_convert_stats load_consistent(const char *tr, rtm_trace_data *d)
{
    char err[4400];
    if (rtm_trace_load(tr, d, err, sizeof err)) fail_msg("%s", err);
    assert_true(d->binary);
    assert_int_equal(d->clock_hz, 1000000);
    for (size_t i = 1; i < d->n; i++) assert_true(d->ev[i].time >= d->ev[i - 1].time);
    rtm_oplist ops = {0};
    rtm_trace_convert_stats st;
    assert_int_equal(rtm_trace_to_oplist(d, &ops, &st, err, sizeof err), 0);
    printf("trace: %zu events, allocs %zu frees %zu reallocs %zu, peak live %llu bytes, %zu never freed\n", d->n,
           st.allocs, st.frees, st.reallocs, (unsigned long long)st.peak_live, st.live_at_end);
    assert_int_equal(st.unknown_frees, 0); /* every free names a live object */
    assert_int_equal(st.dup_allocs, 0);    /* no live address handed out twice */
    rtm_oplist_free(&ops);
    return st;
}

/* Runs the program plain and traced; asserts identical stdout; loads the trace into @p d and checks
 * its consistency; returns the conversion statistics. */
static rtm_trace_convert_stats traced_run(char *const argv[], const char *in, rtm_trace_data *d, char **output)
{
    char out1[4200], out2[4200], tr[4200];
    path_in(out1, sizeof out1, "plain.out");
    path_in(out2, sizeof out2, "traced.out");
    path_in(tr, sizeof tr, "trace.rtt");
    assert_int_equal(run(argv, in, out1, NULL), 0);
    assert_int_equal(run(argv, in, out2, tr), 0);
    size_t n1, n2;
    char *a = slurp(out1, &n1), *b = slurp(out2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1); /* the program's behaviour is unchanged */
    free(b);
    *output = a;
    rtm_trace_convert_stats st = load_consistent(tr, d);
    assert_true(st.allocs > 0);
    unlink(out1);
    unlink(out2);
    unlink(tr);
    return st;
}

/* Replays the marker-sized objects of the victim from the trace. */
typedef struct {
    uint64_t obj, size;
} live_obj;

static void test_victim(void **state)
{
    (void)state;
    char acc[4200];
    path_in(acc, sizeof acc, "victim.acc");
    char *const argv[] = {(char *)g_victim, acc, NULL};
    rtm_trace_data d;
    char *out;
    traced_run(argv, NULL, &d, &out); /* the accounting file is that of the traced run */
    size_t allocs, frees, reallocs, peak, live, n;
    char *a = slurp(acc, &n);
    assert_int_equal(sscanf(a, "allocs=%zu frees=%zu reallocs=%zu peak=%zu live=%zu", &allocs, &frees, &reallocs,
                            &peak, &live),
                     5);
    free(a);
    unlink(acc);
    assert_int_equal(allocs, 4 * 300 + 7); /* workers, calloc, malloc, five aligned */
    static live_obj objs[256];
    size_t nobj = 0, t_allocs = 0, t_frees = 0, t_reallocs = 0, t_aligned = 0;
    uint64_t t_live = 0, t_peak = 0;
    uint64_t threads[16];
    size_t nthreads = 0;
    for (size_t i = 0; i < d.n; i++) {
        const rtm_trace_rec *r = &d.ev[i];
        bool mark = r->size >= 77000 && r->size < 78000;
        size_t k = nobj;
        for (size_t j = 0; j < nobj; j++)
            if (objs[j].obj == r->obj) k = j;
        switch (r->kind) {
        case RTM_TEV_ALLOC:
        case RTM_TEV_ALIGNED:
            if (!mark) break;
            assert_int_equal(k, nobj); /* not live already */
            assert_true(nobj < 256);
            objs[nobj++] = (live_obj){r->obj, r->size};
            t_allocs++;
            t_aligned += r->kind == RTM_TEV_ALIGNED;
            t_live += r->size;
            if (r->kind == RTM_TEV_ALIGNED) assert_int_equal(r->obj & ((1u << r->align_log2) - 1), 0);
            {
                size_t j;
                for (j = 0; j < nthreads; j++)
                    if (threads[j] == r->thread) break;
                if (j == nthreads && nthreads < 16) threads[nthreads++] = r->thread;
            }
            break;
        case RTM_TEV_FREE:
            if (k == nobj) break;
            t_live -= objs[k].size;
            objs[k] = objs[--nobj];
            t_frees++;
            break;
        case RTM_TEV_REALLOC:
            if (k == nobj) break;
            assert_int_not_equal(r->new_obj, 0);
            t_live = t_live - objs[k].size + r->size;
            objs[k] = (live_obj){r->new_obj, r->size};
            t_reallocs++;
            break;
        default:
            break;
        }
        if (t_live > t_peak) t_peak = t_live;
    }
    assert_int_equal(t_allocs, allocs);
    assert_int_equal(t_frees, frees);
    assert_int_equal(t_reallocs, reallocs);
    assert_int_equal(t_peak, peak);
    assert_int_equal(t_live, live);
    assert_int_equal(nobj, 0);
    assert_int_equal(t_aligned, 5);
    assert_true(nthreads >= 5); /* main + 4 workers, each named by its own thread id */
    free(out);
    rtm_trace_data_free(&d);
}

static void test_sort(void **state)
{
    (void)state;
    char in[4200];
    path_in(in, sizeof in, "sort.in");
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    rtm_test_rng rng = {rtm_test_seed()};
    size_t bytes = 0;
    for (int i = 0; i < 40000; i++) bytes += (size_t)fprintf(f, "%016llx line %d\n", (unsigned long long)rtm_test_next(&rng), i);
    fclose(f);
    char *const argv[] = {"/usr/bin/sort", "-S", "8M", "--parallel=1", NULL};
    rtm_trace_data d;
    char *out;
    rtm_trace_convert_stats st = traced_run(argv, in, &d, &out);
    assert_int_equal(strlen(out), bytes); /* sorted: same bytes */
    /* sort holds the whole input in memory at once: the peak must cover it */
    assert_true(st.peak_live >= bytes);
    free(out);
    rtm_trace_data_free(&d);
    unlink(in);
}

static void test_python(void **state)
{
    (void)state;
    /* find the real interpreter (not a shell shim that would be traced too) */
    char where[4200];
    path_in(where, sizeof where, "py.out");
    char *const q[] = {"/bin/sh", "-c", "exec python3 -c 'import sys; print(sys.executable)'", NULL};
    assert_int_equal(run(q, NULL, where, NULL), 0);
    size_t n;
    char *exe = slurp(where, &n);
    while (n && (exe[n - 1] == '\n' || exe[n - 1] == '\r')) exe[--n] = '\0';
    unlink(where);
    char *const argv[] = {exe, "-S", "-c",
                          "x = [bytearray(300000 + i) for i in range(60)]\n"
                          "print(sum(len(b) for b in x))\n",
                          NULL};
    rtm_trace_data d;
    char *out;
    rtm_trace_convert_stats st = traced_run(argv, NULL, &d, &out);
    unsigned long long want = 0;
    for (int i = 0; i < 60; i++) want += 300000u + (unsigned)i;
    assert_int_equal(strtoull(out, NULL, 10), want);
    /* each bytearray is one malloc of (its length + 1) bytes, all live together */
    int seen[60] = {0};
    for (size_t i = 0; i < d.n; i++) {
        const rtm_trace_rec *r = &d.ev[i];
        if ((r->kind == RTM_TEV_ALLOC || r->kind == RTM_TEV_REALLOC) && r->size >= 300001 && r->size < 300061)
            seen[r->size - 300001]++;
    }
    for (int i = 0; i < 60; i++) assert_true(seen[i] >= 1);
    assert_true(st.peak_live >= want);
    free(out);
    free(exe);
    rtm_trace_data_free(&d);
}

/* ---- the library's edge cases ------------------------------------------------------------------ */
enum { MARK = 77000 }; /* preload_edge's marker sizes */

/* Runs "VICTIM mode [arg]" traced to trace.rtt with stdout (and stderr, if @p err) to files of the
 * test directory; returns the exit status. */
static int run_edge(const char *mode, const char *arg, const char *err, int deadline_s)
{
    char out[4200], tr[4200];
    path_in(out, sizeof out, "edge.out");
    path_in(tr, sizeof tr, "trace.rtt");
    char *const argv[] = {(char *)g_victim, (char *)mode, (char *)arg, NULL};
    g_err = err;
    int rc = run_for(argv, NULL, out, tr, deadline_s);
    g_err = NULL;
    unlink(out);
    return rc;
}

static void trace_path(char *buf, size_t n) { path_in(buf, n, "trace.rtt"); }

/* Fault: calloc before our constructor (another library's constructor) was served from the 64 KiB
 * bootstrap buffer, which free() never reclaims: the 2,000 pairs ran it dry (NULL without errno)
 * and the 100,000-byte request could never fit. Now calloc boots the library as malloc does, and
 * these requests reach libc and are traced. */
static void test_early(void **state)
{
    (void)state;
    char out[4200], tr[4200];
    path_in(out, sizeof out, "early.out");
    trace_path(tr, sizeof tr);
    char *const argv[] = {(char *)g_victim, NULL};
    assert_int_equal(run(argv, NULL, out, tr), 0);
    rtm_trace_data d;
    load_consistent(tr, &d);
    size_t small = 0, big = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (d.ev[i].kind != RTM_TEV_ALLOC) continue;
        small += d.ev[i].size == 100;
        big += d.ev[i].size == 100000;
    }
    assert_true(small >= 2000);
    assert_int_equal(big, 1);
    rtm_trace_data_free(&d);
    unlink(out);
    unlink(tr);
}

/* Fault: fork() in a signal handler that interrupted the library while it held its lock: the
 * prepare handler locked it again and the thread waited for itself. */
static void test_sigfork(void **state)
{
    (void)state;
    assert_int_equal(run_edge("sigfork", NULL, NULL, RUN_DEADLINE_S), 0);
    char tr[4200];
    trace_path(tr, sizeof tr);
    rtm_trace_data d;
    rtm_trace_convert_stats st = load_consistent(tr, &d); /* the children traced nothing into it */
    assert_true(st.allocs > 0);
    rtm_trace_data_free(&d);
    unlink(tr);
}

/* Fault: exit() in a signal handler that interrupted the library while it held its lock: the
 * destructor's final flush locked it again. The timer fires at a random point, inside the lock
 * most of the time: 10 runs (about 20 ms each) almost surely include such a point. */
static void test_sigexit(void **state)
{
    (void)state;
    char tr[4200];
    trace_path(tr, sizeof tr);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(run_edge("sigexit", NULL, NULL, 5), 0);
        rtm_trace_data d;
        load_consistent(tr, &d); /* the last chunk may be missing; what is there reads */
        rtm_trace_data_free(&d);
    }
    unlink(tr);
}

static void assert_file_is(const char *path, const char *want)
{
    size_t n;
    char *got = slurp(path, &n);
    if (n != strlen(want) || memcmp(got, want, n)) fail_msg("%s holds %zu bytes, not only \"%s\"", path, n, want);
    free(got);
}

/* Fault: the trace descriptor was a low number kept for the program's whole life; a program that
 * closed it and opened a file got the same number, and the trace chunks went into its file. The
 * descriptor now sits high (>= 512), out of the range such programs close, and tracing goes on. */
static void test_closefd(void **state)
{
    (void)state;
    char file[4200], tr[4200];
    path_in(file, sizeof file, "program.out");
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("closefd", file, NULL, RUN_DEADLINE_S), 0);
    assert_file_is(file, "program data\n");
    rtm_trace_data d;
    rtm_trace_convert_stats st = load_consistent(tr, &d);
    assert_true(st.allocs >= 20000); /* still tracing after the program closed 3..63 */
    rtm_trace_data_free(&d);
    unlink(file);
    unlink(tr);
}

/* Same fault, worst case: every descriptor, the high one included, is closed and then refers to
 * the program's file. The library sees that its descriptor no longer names its file and stops. */
static void test_fillfd(void **state)
{
    (void)state;
    char file[4200], tr[4200];
    path_in(file, sizeof file, "program.out");
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("fillfd", file, NULL, RUN_DEADLINE_S), 0);
    assert_file_is(file, "program data\n");
    rtm_trace_data d;
    load_consistent(tr, &d); /* what was written before the program took the descriptor */
    rtm_trace_data_free(&d);
    unlink(file);
    unlink(tr);
}

/* Fault: a traced parent that execs a traced child with the same RTMEM_TRACE (no %p): the child
 * truncated the file and wrote from offset 0, the parent's last chunk then landed over the child's
 * records and the file could not be read. Now the process holding the file's lock (the parent)
 * traces and the child says why it does not. */
static void test_spawn(void **state)
{
    (void)state;
    char err[4200], tr[4200];
    path_in(err, sizeof err, "spawn.err");
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("spawn", NULL, err, RUN_DEADLINE_S), 0);
    rtm_trace_data d;
    load_consistent(tr, &d); /* what rtmem replay does */
    size_t parent_allocs = 0, parent_frees = 0, child = 0;
    uint64_t live[10] = {0};
    for (size_t i = 0; i < d.n; i++) {
        const rtm_trace_rec *r = &d.ev[i];
        if (r->kind == RTM_TEV_ALLOC && r->size >= MARK && r->size < MARK + 10) {
            live[r->size - MARK] = r->obj;
            parent_allocs++;
        } else if (r->kind == RTM_TEV_FREE) {
            for (int k = 0; k < 10; k++)
                if (live[k] && live[k] == r->obj) {
                    live[k] = 0;
                    parent_frees++;
                }
        }
        child += r->size >= MARK + 500 && r->size < MARK + 600;
    }
    assert_int_equal(parent_allocs, 10);
    assert_int_equal(parent_frees, 10);
    assert_int_equal(child, 0);
    size_t n;
    char *e = slurp(err, &n);
    /* the child's one line, whole: the name it could not lock, nothing cut, no NUL written */
    char want[4400];
    snprintf(want, sizeof want, "rtmem-trace: %s is being written by another process; use %%p in RTMEM_TRACE\n", tr);
    assert_int_equal(n, strlen(want));
    assert_string_equal(e, want);
    free(e);
    rtm_trace_data_free(&d);
    unlink(err);
    unlink(tr);
}

/* Fault: a chunk write that failed inside free() left write()'s errno (EFBIG here) behind. */
static void test_errno(void **state)
{
    (void)state;
    assert_int_equal(run_edge("errno", NULL, NULL, RUN_DEADLINE_S), 0);
    char tr[4200];
    trace_path(tr, sizeof tr);
    unlink(tr);
}

/* Fault: when the header's write failed, the sink stopped tracing but the library turned it on
 * again, and the chunks went to a file without a header. Now nothing follows a lost header. */
static void test_hdrfail(void **state)
{
    (void)state;
    assert_non_null(g_extra_lib);
    assert_int_equal(run_edge("plain", NULL, NULL, RUN_DEADLINE_S), 0);
    char tr[4200];
    trace_path(tr, sizeof tr);
    struct stat sb;
    assert_int_equal(stat(tr, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    unlink(tr);
}

/* Fault: memalign with an alignment that is not a power of two (which glibc rounds up) was recorded
 * as a plain allocation; it is an aligned one, with the alignment glibc used. */
static void test_memalign(void **state)
{
    (void)state;
    assert_int_equal(run_edge("memalign", NULL, NULL, RUN_DEADLINE_S), 0);
    char tr[4200];
    trace_path(tr, sizeof tr);
    rtm_trace_data d;
    load_consistent(tr, &d);
    static const unsigned want_log2[3] = {5, 6, 2}; /* 24 -> 32, 48 -> 64, 3 -> 4 */
    int seen[3] = {0};
    for (size_t i = 0; i < d.n; i++) {
        const rtm_trace_rec *r = &d.ev[i];
        if (r->size < MARK || r->size >= MARK + 3 || r->kind == RTM_TEV_FREE) continue;
        assert_int_equal(r->kind, RTM_TEV_ALIGNED);
        assert_int_equal(r->align_log2, want_log2[r->size - MARK]);
        seen[r->size - MARK]++;
    }
    for (int k = 0; k < 3; k++) assert_int_equal(seen[k], 1);
    /* alignments 1 and 0; the failed calloc (its product overflows: SIZE_MAX) and posix_memalign (ENOMEM)
     * are recorded as what was asked, with no object (mutation testing: never looked at) */
    int one = 0, calloc_fail = 0, pm_fail = 0;
    for (size_t i = 0; i < d.n; i++) {
        const rtm_trace_rec *r = &d.ev[i];
        one += r->kind == RTM_TEV_ALIGNED && (r->size == MARK + 3 || r->size == MARK + 4) && r->align_log2 == 0;
        calloc_fail += r->kind == RTM_TEV_ALLOC && r->obj == 0 && r->size == (uint64_t)SIZE_MAX;
        pm_fail += r->kind == RTM_TEV_ALIGNED && r->obj == 0 && r->size == (uint64_t)(SIZE_MAX - 4095) && r->align_log2 == 6;
    }
    assert_int_equal(one, 2);
    assert_int_equal(calloc_fail, 1);
    assert_int_equal(pm_fail, 1);
    rtm_trace_data_free(&d);
    unlink(tr);
}

/* Partial writes and EINTR (EXTRA_LIB preload_writev, RTM_WRITEV_MODE=short: every write cut to
 * 1,000 bytes, every other one interrupted first): the trace is whole, every event in it. No test
 * reached write_all's loop past its first pass (mutation testing). */
static void test_shortwrite(void **state)
{
    (void)state;
    assert_non_null(g_extra_lib);
    setenv("RTM_WRITEV_MODE", "short", 1);
    char tr[4200];
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("plain", NULL, NULL, RUN_DEADLINE_S), 0);
    rtm_trace_data d;
    rtm_trace_convert_stats st = load_consistent(tr, &d);
    assert_int_equal(st.allocs, 50000 + st.live_at_end); /* plain's pairs, and whatever libc keeps */
    assert_true(st.frees >= 50000);
    size_t pairs = 0;
    for (size_t i = 0; i < d.n; i++) pairs += d.ev[i].kind == RTM_TEV_ALLOC && d.ev[i].size == 16;
    assert_true(pairs >= 50000);
    rtm_trace_data_free(&d);
    unlink(tr);
}

/* A process killed between two writes (RTM_WRITEV_MODE=kill3: at the third writev, after the header
 * and the first chunk) leaves whole chunks: the file reads without --partial. A chunk's header
 * written alone, before its payload, left a file that ends inside a chunk. */
static void test_killwrite(void **state)
{
    (void)state;
    assert_non_null(g_extra_lib);
    setenv("RTM_WRITEV_MODE", "kill3", 1);
    char tr[4200];
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("plain", NULL, NULL, RUN_DEADLINE_S), 128 + SIGKILL);
    rtm_trace_data d;
    rtm_trace_convert_stats st = load_consistent(tr, &d);
    assert_true(st.allocs > 1000); /* the first chunk is there */
    rtm_trace_data_free(&d);
    unlink(tr);
}

/* "%p" in RTMEM_TRACE is the process id, each time; any other "%" stays. No test used it: the
 * name was never checked, nor the file's mode (mutation testing). */
static void test_pid_name(void **state)
{
    (void)state;
    char pattern[4200], out[4200], tr[4200];
    path_in(pattern, sizeof pattern, "t%p_%x_%p%.rtt");
    path_in(out, sizeof out, "pid.out");
    char *const argv[] = {(char *)g_victim, (char *)"plain", NULL};
    assert_int_equal(run(argv, NULL, out, pattern), 0);
    char name[64];
    snprintf(name, sizeof name, "t%ld_%%x_%ld%%.rtt", (long)g_last_pid, (long)g_last_pid);
    path_in(tr, sizeof tr, name);
    /* created as any program's output file: 0644 less the umask */
    mode_t mask = umask(0);
    umask(mask);
    struct stat sb;
    assert_int_equal(stat(tr, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0644 & ~mask);
    rtm_trace_data d;
    rtm_trace_convert_stats st = load_consistent(tr, &d);
    assert_true(st.allocs >= 50000);
    rtm_trace_data_free(&d);
    unlink(tr);
    unlink(out);
    assert_int_equal(stat(pattern, &sb), -1); /* no file of the pattern's own name */
}

/* Fault: the trace's own writes raised SIGXFSZ (past RLIMIT_FSIZE) and SIGPIPE (a pipe whose reader
 * has gone) in programs that keep those signals' default action, and killed them. Now the library
 * stops tracing and the program runs on. */
static void test_xfsz(void **state)
{
    (void)state;
    char tr[4200];
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("xfsz", NULL, NULL, RUN_DEADLINE_S), 0);
    struct stat sb;
    assert_int_equal(stat(tr, &sb), 0);
    assert_true(sb.st_size > 16 && sb.st_size <= 70000); /* it did trace, up to the limit */
    unlink(tr);
}

static void test_epipe(void **state)
{
    (void)state;
    char tr[4200];
    trace_path(tr, sizeof tr);
    assert_int_equal(run_edge("epipe", NULL, NULL, RUN_DEADLINE_S), 0);
    unlink(tr);
}

/* Fault: a dlsym that allocates and frees (older glibc's calls calloc; other preloaded tools wrap
 * dlsym), preloaded with the library: once boot() had found malloc, the blocks dlsym asked for
 * while free was still being looked up came from libc, and their free called a NULL real_free
 * (SIGSEGV), their realloc returned NULL. Every block of the boot now comes from the bootstrap
 * buffer, and EXTRA_LIB (preload_dlsym_alloc) checks them: aligned, zeroed by calloc, kept by
 * realloc, not overlapping. */
static void test_dlsymalloc(void **state)
{
    (void)state;
    assert_non_null(g_extra_lib);
    g_extra_after = true; /* the library's dlsym binds to it, its RTLD_NEXT is then libc */
    char err[4200], tr[4200];
    path_in(err, sizeof err, "dlsym.err");
    trace_path(tr, sizeof tr);
    int rc = run_edge("plain", NULL, err, RUN_DEADLINE_S);
    size_t n;
    char *e = slurp(err, &n);
    printf("%s", e);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(e, "preload_dlsym_alloc: checked "));
    free(e);
    rtm_trace_data d;
    rtm_trace_convert_stats st = load_consistent(tr, &d);
    assert_true(st.allocs >= 50000);
    rtm_trace_data_free(&d);
    unlink(err);
    unlink(tr);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: test_preload MODE VICTIM LIB [EXTRA_LIB] (MODE: see the file's comment)\n");
        return 2;
    }
    g_mode = argv[1];
    g_victim = argv[2];
    g_lib = argv[3];
    g_extra_lib = argc == 5 ? argv[4] : NULL;
    if (mkdtemp(g_dir) == NULL) return 2;
    static const struct {
        const char *mode;
        struct CMUnitTest test;
    } modes[] = {
        {"victim", cmocka_unit_test(test_victim)},     {"sort", cmocka_unit_test(test_sort)},
        {"python", cmocka_unit_test(test_python)},     {"early", cmocka_unit_test(test_early)},
        {"sigfork", cmocka_unit_test(test_sigfork)},   {"sigexit", cmocka_unit_test(test_sigexit)},
        {"closefd", cmocka_unit_test(test_closefd)},   {"fillfd", cmocka_unit_test(test_fillfd)},
        {"spawn", cmocka_unit_test(test_spawn)},       {"errno", cmocka_unit_test(test_errno)},
        {"hdrfail", cmocka_unit_test(test_hdrfail)},   {"memalign", cmocka_unit_test(test_memalign)},
        {"xfsz", cmocka_unit_test(test_xfsz)},         {"epipe", cmocka_unit_test(test_epipe)},
        {"dlsymalloc", cmocka_unit_test(test_dlsymalloc)}, {"pid", cmocka_unit_test(test_pid_name)},
        {"shortwrite", cmocka_unit_test(test_shortwrite)}, {"killwrite", cmocka_unit_test(test_killwrite)},
    };
    int rc = 2;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (!strcmp(g_mode, modes[i].mode)) {
            const struct CMUnitTest one[] = {modes[i].test};
            rc = cmocka_run_group_tests_name(modes[i].mode, one, NULL, NULL);
        }
    rmdir(g_dir);
    return rc;
}
