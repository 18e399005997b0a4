/*
 * rtmem stack: worst-case stack depth from GCC's -fstack-usage (.su) and -fcallgraph-info=su (.ci)
 * output. See docs/stack.md (semantics) and docs/stack-annotations.md (annotation files).
 * Exit status: 0 every worst case fits (or no stack sizes given), 1 a worst case exceeds its stack
 * (with --strict: or a reported root's result is only a lower bound or unbounded, stack size or not;
 * one line on stderr says why; the same for the interrupt stack of --isr-stack), 2 bad usage or
 * malformed input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "stackgraph.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rtmem stack [OPTIONS] PATH...\n"
            "Worst-case stack depth of every root (a function, or recursion cycle, nobody else calls; or\n"
            "--root NAME) from GCC's -fstack-usage (.su) and -fcallgraph-info[=su] (.ci) files.\n"
            "  PATH                 a .su or .ci file, or a directory searched recursively for them\n"
            "  @LIST                a file listing PATHs, one per line\n"
            "  -a, --annotations F  annotation file (docs/stack-annotations.md); repeatable\n"
            "  --root NAME          report only this root (repeatable)\n"
            "  --stack NAME=BYTES   NAME is a thread entry with a stack of BYTES (like 'thread NAME BYTES')\n"
            "  --isr NAME=LEVEL     NAME is an interrupt handler of preemption LEVEL (higher preempts lower)\n"
            "  --isr-frame BYTES    bytes an interrupt entry adds below the interrupted sp (Cortex-M: 36,\n"
            "                       108 with the FP context: 8 or 26 words and 4 bytes of realignment)\n"
            "  --isr-stack BYTES|own  interrupt handlers run on a stack of their own, of BYTES (like\n"
            "                       'isr_stack BYTES'; Cortex-M MSP under an RTOS, a RISC-V trap stack): a\n"
            "                       thread (--stack, 'thread') takes one --isr-frame from interrupts, the\n"
            "                       interrupt stack the nesting, checked against BYTES ('own': not checked)\n"
            "  --call-margin BYTES  add BYTES per frame of every chain\n"
            "  --json               JSON instead of the text report\n"
            "  --strict             exit 1 also when a reported root's worst case is not proven (a lower\n"
            "                       bound or unbounded), whether or not it has a stack size, or when the\n"
            "                       inputs hold no function at all\n"
            "exit status: 0 fits, 1 a worst case exceeds its stack, 2 usage or input error\n");
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct {
    char **v;
    size_t n, cap;
} strvec;

static void sv_push(strvec *s, const char *p)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) abort();
    }
    s->v[s->n] = strdup(p);
    if (!s->v[s->n]) abort();
    s->n++;
}

/* What a directory walk skipped, one kind per counter: each kind is one warning line at the end
 * (count and first path), so that a partial analysis never looks complete. */
typedef struct {
    strvec *out;
    size_t n_deep, n_dirlink, n_dangling;
    char first_deep[512], first_dirlink[512], first_dangling[512];
} walk_ctx;

#define WALK_DEPTH_MAX 64

static void skipped(size_t *n, char *first, size_t len, const char *path)
{
    if ((*n)++ == 0) snprintf(first, len, "%s", path);
}

/* Collects .su and .ci files under dir (sorted, for stable output). Symbolic links to files are
 * followed (a build tree that links its object directories' outputs); links to directories are
 * not (they could loop, or bring in a tree twice), nor directories deeper than WALK_DEPTH_MAX:
 * both counted in @p w for the warnings (walk_warn). */
static int walk(const char *dir, walk_ctx *w, int depth)
{
    if (depth > WALK_DEPTH_MAX) {
        skipped(&w->n_deep, w->first_deep, sizeof w->first_deep, dir);
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open directory: %s\n", dir, strerror(errno));
        return -1;
    }
    strvec here = {0};
    struct dirent *de;
    /* readdir's NULL is the end or an error (errno): a directory read in part would be a silently
     * partial analysis (seen: EOVERFLOW from a 32-bit build without large-file support). */
    while ((errno = 0, de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(n);
        if (!p) abort();
        size_t dl = strlen(dir);
        snprintf(p, n, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", de->d_name);
        sv_push(&here, p);
        free(p);
    }
    int rc = 0;
    if (errno != 0) {
        fprintf(stderr, "%s: cannot read directory: %s\n", dir, strerror(errno));
        rc = -1;
    }
    closedir(d);
    if (here.n) qsort(here.v, here.n, sizeof *here.v, cmp_str); /* an empty directory: v is NULL (qsort's is nonnull) */
    for (size_t i = 0; i < here.n; i++) {
        struct stat st;
        if (lstat(here.v[i], &st) != 0) {
            fprintf(stderr, "%s: cannot stat: %s\n", here.v[i], strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc |= walk(here.v[i], w, depth + 1);
        } else if (S_ISLNK(st.st_mode)) {
            struct stat to;
            if (stat(here.v[i], &to) != 0) {
                if (rtm_sg_is_input(here.v[i]))
                    skipped(&w->n_dangling, w->first_dangling, sizeof w->first_dangling, here.v[i]);
            } else if (S_ISDIR(to.st_mode)) {
                skipped(&w->n_dirlink, w->first_dirlink, sizeof w->first_dirlink, here.v[i]);
            } else if (S_ISREG(to.st_mode) && rtm_sg_is_input(here.v[i])) {
                sv_push(w->out, here.v[i]);
            }
        } else if (S_ISREG(st.st_mode) && rtm_sg_is_input(here.v[i])) {
            sv_push(w->out, here.v[i]);
        }
        free(here.v[i]);
    }
    free(here.v);
    return rc;
}

/* One warning line per kind of entry a walk skipped. */
static void walk_warn(const walk_ctx *w)
{
    if (w->n_deep)
        fprintf(stderr, "rtmem stack: warning: skipped %zu directories deeper than %d levels (first: %s)\n", w->n_deep,
                WALK_DEPTH_MAX, w->first_deep);
    if (w->n_dirlink)
        fprintf(stderr,
                "rtmem stack: warning: did not follow %zu symbolic links to directories (first: %s); name them "
                "as PATHs to include them\n",
                w->n_dirlink, w->first_dirlink);
    if (w->n_dangling)
        fprintf(stderr, "rtmem stack: warning: skipped %zu .su/.ci symbolic links to nothing (first: %s)\n",
                w->n_dangling, w->first_dangling);
}

static bool parse_num(const char *s, long *out)
{
    if (*s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || errno == ERANGE) return false;
    *out = v;
    return true;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Hidden: rtmem stack --bench-generate NFUNC NEDGES [SEED]: generate, parse and analyse a synthetic
 * call graph; prints the times (bench/stack_scale.sh). */
static int bench(int argc, char **argv)
{
    long nf, ne, seed = 1;
    /* bounded: the .ci text takes about 80 bytes per call and 60 per function (9 MB for the
     * documented 20000 100000); 10^14 functions aborted in the generator's allocation */
    if (argc < 3 || argc > 4 || !parse_num(argv[1], &nf) || !parse_num(argv[2], &ne) ||
        (argc > 3 && !parse_num(argv[3], &seed)) || nf < 1 || nf > 1000000 || ne > 5000000) {
        fprintf(stderr, "usage: rtmem stack --bench-generate NFUNC NEDGES [SEED] (NFUNC 1 to 1000000, NEDGES 0 to 5000000)\n");
        return 2;
    }
    char *text;
    size_t len = rtm_sg_generate_ci((size_t)nf, (size_t)ne, (uint64_t)seed, &text);
    double t0 = now_s();
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    if (rtm_sg_load_ci(g, text, len, "gen.ci", &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    double t1 = now_s();
    rtm_sg_options opt = {0};
    if (rtm_sg_analyse(g, &opt, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    double t2 = now_s();
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        rtm_sg_report_json(g, null);
        fclose(null);
    }
    double t3 = now_s();
    const rtm_sg_root_result *top = rtm_sg_root(g, 0);
    printf("stack scale: %zu functions, %zu calls, %zu recursion cycles, %zu unresolved indirect calls, %zu roots; "
           "worst %ld bytes\n",
           rtm_sg_function_count(g), rtm_sg_edge_count(g), rtm_sg_cycle_count(g), rtm_sg_unresolved_count(g),
           rtm_sg_root_count(g), top ? top->total : 0);
    printf("stack scale: .ci text %.1f MB parsed in %.3f s, analysed in %.3f s, JSON report in %.3f s, total %.3f s\n",
           (double)len / 1e6, t1 - t0, t2 - t1, t3 - t2, t3 - t0);
    rtm_sg_free(g);
    free(text);
    return 0;
}

/* Loads the annotation line an option stands for (--stack: 'thread', --isr: 'isr', --isr-stack:
 * 'isr_stack'): the file's rules and messages, with @p option named where a file would be. The
 * line is sized for the value: a fixed buffer cut a long (e.g. C++ mangled) NAME's BYTES short,
 * "f...f=65536" became a stack of 655 bytes without a word. Returns rtm_sg_annotate's result. */
__attribute__((format(printf, 4, 5))) static int annotate_option(rtm_sg_graph *g, const char *option,
                                                                  rtm_sg_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *line = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!line) abort();
    va_start(ap, fmt);
    vsnprintf(line, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = rtm_sg_annotate(g, line, option, err);
    free(line);
    return rc;
}

int rtm_cmd_stack(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--bench-generate")) return bench(argc - 1, argv + 1);
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    rtm_sg_options opt = {0};
    strvec inputs = {0}, roots = {0};
    walk_ctx wk = {.out = &inputs};
    bool json = false, strict = false;
    int seen_isr_frame = 0, seen_call_margin = 0, seen_isr_stack = 0; /* argument index of each, 0: not given */
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--strict")) {
            strict = true;
        } else if (!strcmp(a, "-a") || !strcmp(a, "--annotations") || !strcmp(a, "--root") || !strcmp(a, "--stack") ||
                   !strcmp(a, "--isr") || !strcmp(a, "--isr-frame") || !strcmp(a, "--call-margin") ||
                   !strcmp(a, "--isr-stack")) {
            if (!val) {
                fprintf(stderr, "rtmem stack: %s needs a value\n", a);
                goto out;
            }
            i++;
            /* one value each (not repeatable, as --help says -a and --root are): a second one
             * silently replaced the first. An isr_stack line of an annotation file against
             * --isr-stack is refused by the library ("interrupt stack given twice"). */
            int *seen = !strcmp(a, "--isr-frame")     ? &seen_isr_frame
                        : !strcmp(a, "--call-margin") ? &seen_call_margin
                        : !strcmp(a, "--isr-stack")   ? &seen_isr_stack
                                                      : NULL;
            if (seen && *seen) {
                fprintf(stderr, "rtmem stack: %s given twice (arguments %d and %d)\n", a, *seen, i - 1);
                goto out;
            }
            if (seen) *seen = i - 1;
            if (!strcmp(a, "-a") || !strcmp(a, "--annotations")) {
                if (rtm_sg_load_file(g, val, &err)) goto bad;
            } else if (!strcmp(a, "--root")) {
                sv_push(&roots, val);
            } else if (!strcmp(a, "--isr-stack")) {
                /* one word: the annotation line would take a space as a second word, '#' as a comment */
                if (!*val || strpbrk(val, " \t#")) {
                    fprintf(stderr, "rtmem stack: %s expects BYTES or own, got '%s'\n", a, val);
                    goto out;
                }
                if (annotate_option(g, a, &err, "isr_stack %s", val)) goto bad;
            } else if (!strcmp(a, "--isr-frame") || !strcmp(a, "--call-margin")) {
                long v;
                if (!parse_num(val, &v) || v > 1000000) {
                    fprintf(stderr, "rtmem stack: %s: bad byte count '%s'\n", a, val);
                    goto out;
                }
                *(!strcmp(a, "--isr-frame") ? &opt.isr_frame : &opt.call_margin) = v;
            } else {
                const char *eq = strchr(val, '=');
                if (!eq || eq == val) {
                    fprintf(stderr, "rtmem stack: %s expects NAME=%s, got '%s'\n", a,
                            !strcmp(a, "--stack") ? "BYTES" : "LEVEL", val);
                    goto out;
                }
                if (annotate_option(g, a, &err, "%s %.*s %s", !strcmp(a, "--stack") ? "thread" : "isr",
                                    (int)(eq - val), val, eq + 1))
                    goto bad;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rtmem stack: unknown option '%s' (try --help)\n", a);
            goto out;
        } else if (a[0] == '@' && a[1]) {
            /* @LIST: a file with one path (.su, .ci or directory) per line, e.g. from `find` */
            FILE *lf = fopen(a + 1, "r");
            if (!lf) {
                fprintf(stderr, "%s: cannot open list file: %s\n", a + 1, strerror(errno));
                goto out;
            }
            char path[4096];
            unsigned ln = 0;
            int lrc = 0;
            while (!lrc && fgets(path, sizeof path, lf)) {
                ln++;
                size_t pl = strlen(path);
                if (pl == sizeof path - 1 && path[pl - 1] != '\n' && !feof(lf)) {
                    /* the rest of the line would be read as the next line: a path of its own */
                    if (path[0] == '#') { /* a long comment: skip the rest */
                        int ch;
                        while ((ch = fgetc(lf)) != EOF && ch != '\n') {}
                        continue;
                    }
                    fprintf(stderr, "%s:%u: line longer than %zu bytes\n", a + 1, ln, sizeof path - 2);
                    lrc = -1;
                    break;
                }
                while (pl && (path[pl - 1] == '\n' || path[pl - 1] == '\r' || path[pl - 1] == ' ')) path[--pl] = '\0';
                if (pl == 0 || path[0] == '#') continue;
                struct stat st;
                if (stat(path, &st) != 0) {
                    fprintf(stderr, "%s:%u: %s: %s\n", a + 1, ln, path, strerror(errno));
                    lrc = -1;
                } else if (S_ISDIR(st.st_mode)) {
                    lrc = walk(path, &wk, 0);
                } else {
                    sv_push(&inputs, path);
                }
            }
            /* fgets's NULL is the end or an error: a list that could not be read (a directory, EIO)
             * was an empty list, and the analysis of the other PATHs passed as complete */
            if (!lrc && ferror(lf)) {
                fprintf(stderr, "%s: cannot read list file: %s\n", a + 1, strerror(errno));
                lrc = -1;
            }
            fclose(lf);
            if (lrc) goto out;
        } else {
            struct stat st;
            if (stat(a, &st) != 0) {
                fprintf(stderr, "%s: %s\n", a, strerror(errno)); /* not always ENOENT: EACCES, ENOTDIR, ELOOP */
                goto out;
            }
            if (S_ISDIR(st.st_mode)) {
                if (walk(a, &wk, 0)) goto out;
            } else {
                sv_push(&inputs, a);
            }
        }
    }
    walk_warn(&wk);
    if (inputs.n == 0) {
        fprintf(stderr, "rtmem stack: no .su or .ci input (try --help)\n");
        goto out;
    }
    if (rtm_sg_load_inputs(g, (const char *const *)inputs.v, inputs.n, &err)) goto bad;
    opt.roots = (const char *const *)roots.v;
    opt.nroots = roots.n;
    if (rtm_sg_analyse(g, &opt, &err)) goto bad;
    if (json) rtm_sg_report_json(g, stdout);
    else rtm_sg_report_text(g, stdout);
    rc = rtm_sg_check(g, strict, &err);
    if (rc) fprintf(stderr, "rtmem stack: %s\n", err.msg);
    goto out;
bad:
    fprintf(stderr, "%s\n", err.msg);
    rc = 2;
out:
    for (size_t i = 0; i < inputs.n; i++) free(inputs.v[i]);
    for (size_t i = 0; i < roots.n; i++) free(roots.v[i]);
    free(inputs.v);
    free(roots.v);
    rtm_sg_free(g);
    return rc;
}
