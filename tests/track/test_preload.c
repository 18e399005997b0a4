/* librtmem-trace.so on real programs: the traced program's output is unchanged, and the trace
 * agrees with what the program did.
 *   test_preload victim VICTIM LIB   the known pattern of preload_victim.c: counts and peak exact
 *   test_preload sort   -      LIB   /usr/bin/sort on 40,000 lines: same output, consistent trace
 *   test_preload python -      LIB   python3 building 60 bytearrays of known sizes
 * "Consistent": every free and realloc names a live object, no address is handed out twice
 * while live, and the trace decodes without error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtm_test.h"
#include "trace_read.h"

extern char **environ;

static const char *g_mode, *g_victim, *g_lib;
static char g_dir[] = "/tmp/rtm_preload_XXXXXX";

/* Runs argv with stdin from @p in (or /dev/null), stdout to @p out; with the library preloaded and
 * tracing to @p trace if trace is not NULL. Returns the exit status. */
static int run(char *const argv[], const char *in, const char *out, const char *trace)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fi = open(in ? in : "/dev/null", O_RDONLY);
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fi < 0 || fo < 0) _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        size_t n = 0;
        while (environ[n]) n++;
        char **env = calloc(n + 3, sizeof *env);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (strncmp(environ[i], "LD_PRELOAD=", 11) && strncmp(environ[i], "RTMEM_TRACE=", 12)) env[k++] = environ[i];
        static char pre[4200], tr[4200];
        if (trace) {
            snprintf(pre, sizeof pre, "LD_PRELOAD=%s", g_lib);
            snprintf(tr, sizeof tr, "RTMEM_TRACE=%s", trace);
            env[k++] = pre;
            env[k++] = tr;
        }
        env[k] = NULL;
        execve(argv[0], argv, env);
        _exit(127);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
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
    assert_true(st.allocs > 0);
    rtm_oplist_free(&ops);
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

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_preload victim|sort|python VICTIM LIB\n");
        return 2;
    }
    g_mode = argv[1];
    g_victim = argv[2];
    g_lib = argv[3];
    if (mkdtemp(g_dir) == NULL) return 2;
    const struct CMUnitTest victim[] = {cmocka_unit_test(test_victim)};
    const struct CMUnitTest sort[] = {cmocka_unit_test(test_sort)};
    const struct CMUnitTest python[] = {cmocka_unit_test(test_python)};
    int rc;
    if (!strcmp(g_mode, "victim")) rc = cmocka_run_group_tests(victim, NULL, NULL);
    else if (!strcmp(g_mode, "sort")) rc = cmocka_run_group_tests(sort, NULL, NULL);
    else if (!strcmp(g_mode, "python")) rc = cmocka_run_group_tests(python, NULL, NULL);
    else rc = 2;
    rmdir(g_dir);
    return rc;
}
