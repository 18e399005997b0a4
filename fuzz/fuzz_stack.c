/* libFuzzer target for `rtmem stack`: the parsers (.ci, .su, annotations), loading a program of
 * several translation units the way the command line does, the analysis and both reports.
 *
 * Input: one selector byte, then files, each introduced by a header line
 *     %%ci NAME      a .ci file (-fcallgraph-info=su)
 *     %%su NAME      a .su file (-fstack-usage)
 *     %%ann NAME     an annotation file (any other kind word is an annotation file too)
 * NAME (optional; letters, digits, '.', '-' and '_' kept, anything else becomes '_') only names the
 * file in messages. Text before the first header is a .ci file. At most 16 files.
 *   (selector >> 2) % 4 picks the options: call margin / ISR frame of 4 / 32, 0 / 0, LONG_MAX /
 *                   LONG_MAX (what the library accepts) or a large margin;
 *   selector bit 4: analyse from the roots --root main and --root a.c:f (unknown or ambiguous
 *                   names must fail with a message);
 *   (selector >> 5) % 4: --isr-stack none, own, 256 or 1 (an overflow whenever a handler has a
 *                   frame), given before the annotation files (which may hold an isr_stack line:
 *                   then refused as given twice).
 * The files are written to a private temporary directory and loaded through the command line's code
 * path: annotation files with rtm_sg_load_file (-a FILE) in input order, then the .ci and .su files
 * with rtm_sg_load_inputs (PATH...). Checked, as docs/stack.md promises:
 *   - a rejected input fails with one line "FILE:LINE: message" naming one of the files (or
 *     "--root: message" for a root option);
 *   - the result does not depend on the order of the .ci and .su files (a directory walk sorts them
 *     by name): the same input loaded with those files in reverse order is rejected too, or gives
 *     the same functions, calls, cycles, unresolved calls and roots (name, total, ISR nesting, stack,
 *     flags; not the split of a total between frames and call margin, which depends on which of
 *     two equal chains comes first);
 *   - nor on the order of the annotation lines whose order docs/stack-annotations.md says does not
 *     matter (root, recursion, fptype, icall; comments, blank lines): the same input with those lines
 *     of all annotation files taken in reverse order, `thread`, `isr` and `frame` lines (the later one
 *     counts) staying where they are, is rejected too or gives the same results;
 *   - every accepted input is analysed and reported as text and as well-formed JSON without a crash,
 *     leak or ASan/UBSan report;
 *   - with --isr-stack (docs/stack.md, Analysis 6), against the same input without it: every root
 *     but a thread has the same result; a thread the same chain, one --isr-frame (if a handler level
 *     exists) instead of the nesting, and its flags without the handlers' (which the interrupt stack
 *     has); thread + interrupt stack = the thread without the option, when nothing saturates; the
 *     exit status counts the interrupt stack's overflow; the JSON's isr_stack object and the text's
 *     interrupt stack line give its figures (and neither is there without an interrupt stack). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, open_memstream */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stackgraph.h"

#define MAX_FILES 16

static FILE *g_null;
static char g_dir[256];

typedef struct {
    char path[320];
    bool ann;
    const uint8_t *text; /* the file's contents in the input */
    size_t len;
} part;

static void cleanup_dir(void)
{
    if (g_dir[0]) rmdir(g_dir);
}

static bool setup(void)
{
    if (g_dir[0]) return true;
    g_null = fopen("/dev/null", "w");
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(g_dir, sizeof g_dir, "%s/rtm_fuzz_stack.XXXXXX", base);
    if (!mkdtemp(g_dir)) {
        perror(g_dir);
        abort();
    }
    atexit(cleanup_dir);
    return true;
}

/* A broken promise: says which, then stops with a trap (libFuzzer saves the input). */
static void bad(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_stack: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    __builtin_trap();
}

/* A header line "%%KIND[ NAME]" at s[0..n): sets kind (0 ci, 1 su, 2 annotations) and the file name. */
static bool header(const uint8_t *s, size_t n, unsigned idx, part *pt)
{
    if (n < 2 || s[0] != '%' || s[1] != '%') return false;
    size_t k = 2;
    while (k < n && s[k] != ' ') k++;
    int kind = (k - 2 == 2 && !memcmp(s + 2, "ci", 2)) ? 0 : (k - 2 == 2 && !memcmp(s + 2, "su", 2)) ? 1 : 2;
    char name[48];
    size_t m = 0;
    for (size_t i = k + 1; i < n && m + 1 < sizeof name; i++) {
        char c = (char)s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                  c == '_';
        name[m++] = ok ? c : '_';
    }
    name[m] = '\0';
    static const char *const ext[3] = {".ci", ".su", ".ann"};
    snprintf(pt->path, sizeof pt->path, "%s/%02u_%s%s", g_dir, idx, name, ext[kind]);
    pt->ann = kind == 2;
    return true;
}

static void write_file(const char *path, const uint8_t *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s, 1, n, f) != n || fclose(f)) {
        perror(path);
        abort();
    }
}

static void write_part(part *pt, const uint8_t *s, size_t n)
{
    pt->text = s, pt->len = n;
    write_file(pt->path, s, n);
}

/* Splits the input into files and writes them; returns how many. */
static size_t split(const uint8_t *p, const uint8_t *end, part *parts)
{
    size_t np = 0;
    unsigned nh = 0;
    part cur;
    snprintf(cur.path, sizeof cur.path, "%s/00_f.ci", g_dir); /* text before the first header */
    cur.ann = false;
    bool explicit_part = false;
    const uint8_t *body = p;
    for (const uint8_t *q = p;;) {
        const uint8_t *eol = memchr(q, '\n', (size_t)(end - q));
        part next;
        if (nh + 1 < MAX_FILES && header(q, (size_t)((eol ? eol : end) - q), nh + 1, &next)) {
            nh++;
            if (explicit_part || q > body) write_part(&cur, body, (size_t)(q - body)), parts[np++] = cur;
            cur = next;
            explicit_part = true;
            body = eol ? eol + 1 : end;
        }
        if (!eol) break;
        q = eol + 1;
    }
    if (explicit_part || end > body) write_part(&cur, body, (size_t)(end - body)), parts[np++] = cur;
    return np;
}

/* ---- annotation lines in another order --------------------------------------------------------- */

/* The line's directive is thread, isr or frame (its first word, split as stackgraph_parse.c splits
 * it: at spaces and tabs, before a '#'; the line without its "\n" or "\r\n"): given twice for one
 * NAME, the later one counts. */
static bool later_counts(const uint8_t *s, size_t n)
{
    if (n && s[n - 1] == '\r') n--;
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t j = i;
    while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '#') j++;
    const char *w = (const char *)s + i;
    size_t l = j - i;
    return (l == 6 && !memcmp(w, "thread", 6)) || (l == 3 && !memcmp(w, "isr", 3)) || (l == 5 && !memcmp(w, "frame", 5));
}

typedef struct {
    const uint8_t *s;
    size_t n;     /* without the "\n" */
    size_t owner; /* index of its file in parts */
} ann_line;

/* Rewrites the annotation files with their lines that are not thread, isr or frame in reverse order
 * over all of them (into the slots such lines had: the others keep their files and places; every
 * line gets a "\n"). Returns false, writing nothing, when that order is the same. */
static bool write_permuted_annotations(const part *parts, size_t np)
{
    size_t nl = 0, cap = 0, nmov = 0;
    ann_line *l = NULL;
    for (size_t i = 0; i < np; i++) {
        if (!parts[i].ann) continue;
        for (const uint8_t *q = parts[i].text, *end = q + parts[i].len; q < end;) {
            const uint8_t *eol = memchr(q, '\n', (size_t)(end - q));
            if (nl == cap) {
                cap = cap ? 2 * cap : 64;
                if (!(l = realloc(l, cap * sizeof *l))) abort();
            }
            l[nl++] = (ann_line){q, (size_t)((eol ? eol : end) - q), i};
            nmov += !later_counts(l[nl - 1].s, l[nl - 1].n);
            q = eol ? eol + 1 : end;
        }
    }
    size_t *mov = malloc((nmov + 1) * sizeof *mov);
    if (!mov) abort();
    size_t k = 0;
    for (size_t i = 0; i < nl; i++)
        if (!later_counts(l[i].s, l[i].n)) mov[k++] = i;
    bool changed = false;
    for (size_t a = 0, b = nmov ? nmov - 1 : 0; a < b; a++, b--)
        if (l[mov[a]].n != l[mov[b]].n || memcmp(l[mov[a]].s, l[mov[b]].s, l[mov[a]].n)) changed = true;
    if (changed) {
        ann_line *out = malloc((nl + 1) * sizeof *out);
        if (!out) abort();
        memcpy(out, l, nl * sizeof *out);
        for (size_t a = 0; a < nmov; a++) out[mov[a]].s = l[mov[nmov - 1 - a]].s, out[mov[a]].n = l[mov[nmov - 1 - a]].n;
        for (size_t i = 0, li = 0; i < np; i++) {
            if (!parts[i].ann) continue;
            char *buf = NULL;
            size_t len = 0;
            FILE *m = open_memstream(&buf, &len);
            if (!m) abort();
            for (; li < nl && out[li].owner == i; li++) fwrite(out[li].s, 1, out[li].n, m), fputc('\n', m);
            fclose(m);
            write_file(parts[i].path, (const uint8_t *)buf, len);
            free(buf);
        }
        free(out);
    }
    free(mov);
    free(l);
    return changed;
}

/* Writes the annotation files back as the input gives them (after write_permuted_annotations). */
static void write_split_back(const part *parts, size_t np)
{
    for (size_t i = 0; i < np; i++)
        if (parts[i].ann) write_file(parts[i].path, parts[i].text, parts[i].len);
}

/* "PATH:LINE: message" with PATH one of the files, on one line. */
static bool error_names_file(const char *msg, const part *parts, size_t np, bool ann_only)
{
    if (!msg[0] || strchr(msg, '\n')) return false;
    for (size_t i = 0; i < np; i++) {
        if (ann_only && !parts[i].ann) continue;
        size_t l = strlen(parts[i].path);
        if (strncmp(msg, parts[i].path, l) || msg[l] != ':') continue;
        const char *d = msg + l + 1;
        if (*d < '0' || *d > '9') continue;
        while (*d >= '0' && *d <= '9') d++;
        if (d[0] == ':' && d[1] == ' ' && d[2]) return true;
    }
    return false;
}

/* ---- a strict JSON checker (RFC 8259 syntax; strings: no raw control characters) ------------------ */

static const char *js_ws(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') s++;
    return s;
}

static const char *js_value(const char *s, int depth);

static const char *js_string(const char *s)
{
    if (*s++ != '"') return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*s++;
        if (c == '"') return s;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            c = (unsigned char)*s++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, s++)
                    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F'))) return NULL;
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                return NULL;
            }
        }
    }
}

static const char *js_number(const char *s)
{
    if (*s == '-') s++;
    if (*s == '0') s++;
    else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
    else return NULL;
    return s;
}

static const char *js_value(const char *s, int depth)
{
    if (depth > 16) return NULL;
    s = js_ws(s);
    if (*s == '{' || *s == '[') {
        char close = *s == '{' ? '}' : ']';
        bool obj = *s == '{';
        s = js_ws(s + 1);
        if (*s == close) return s + 1;
        for (;;) {
            if (obj) {
                s = js_string(js_ws(s));
                if (!s) return NULL;
                s = js_ws(s);
                if (*s++ != ':') return NULL;
            }
            s = js_value(s, depth + 1);
            if (!s) return NULL;
            s = js_ws(s);
            if (*s == close) return s + 1;
            if (*s++ != ',') return NULL;
        }
    }
    if (*s == '"') return js_string(s);
    if (!strncmp(s, "true", 4)) return s + 4;
    if (!strncmp(s, "false", 5)) return s + 5;
    if (!strncmp(s, "null", 4)) return s + 4;
    return js_number(s);
}

static void check_json(const rtm_sg_graph *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) abort();
    rtm_sg_report_json(g, m);
    fclose(m);
    const char *end = js_value(buf, 0);
    if (!end || *js_ws(end) != '\0' || strlen(buf) != len) bad("malformed JSON", end ? end : buf);
    free(buf);
}

/* ---- one program, loaded like `rtmem stack -a ANN... PATH...` ------------------------------------- */

static rtm_sg_graph *load(const part *parts, size_t np, bool reverse, const char *isr_stack, rtm_sg_error *err,
                          int *stage)
{
    rtm_sg_graph *g = rtm_sg_new();
    const char *paths[MAX_FILES];
    size_t n = 0;
    *stage = 0;
    if (isr_stack && rtm_sg_annotate(g, isr_stack, "--isr-stack", err)) bad("--isr-stack refused", err->msg);
    for (size_t i = 0; i < np; i++) {
        if (!parts[i].ann) paths[n++] = parts[i].path;
        else if (rtm_sg_load_file(g, parts[i].path, err)) return g;
    }
    if (reverse)
        for (size_t i = 0; i < n / 2; i++) {
            const char *t = paths[i];
            paths[i] = paths[n - 1 - i], paths[n - 1 - i] = t;
        }
    if (rtm_sg_load_inputs(g, paths, n, err)) return g;
    *stage = 1;
    return g;
}

static int cmp_root(const void *a, const void *b)
{
    const rtm_sg_root_result *x = *(const rtm_sg_root_result *const *)a, *y = *(const rtm_sg_root_result *const *)b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
    /* not frames and margin: of two chains with the same total, the first call in input order wins,
     * and their split between frames and margin can differ (so can it under saturation) */
    CMP(total); CMP(isr_nesting); CMP(stack); CMP(flags); CMP(isr); CMP(level);
#undef CMP
    return 0;
}

/* Same program, files (or annotation lines) in another order: same results. */
static void check_same(const rtm_sg_graph *a, const rtm_sg_graph *b, const char *order)
{
    char what[96];
    if (rtm_sg_function_count(a) != rtm_sg_function_count(b) || rtm_sg_edge_count(a) != rtm_sg_edge_count(b) ||
        rtm_sg_cycle_count(a) != rtm_sg_cycle_count(b) || rtm_sg_unresolved_count(a) != rtm_sg_unresolved_count(b) ||
        rtm_sg_root_count(a) != rtm_sg_root_count(b))
        snprintf(what, sizeof what, "counts depend on the order of the %s", order), bad(what, NULL);
    size_t n = rtm_sg_root_count(a);
    const rtm_sg_root_result **ra = malloc((n + 1) * sizeof *ra), **rb = malloc((n + 1) * sizeof *rb);
    if (!ra || !rb) abort();
    for (size_t i = 0; i < n; i++) ra[i] = rtm_sg_root(a, i), rb[i] = rtm_sg_root(b, i);
    qsort(ra, n, sizeof *ra, cmp_root);
    qsort(rb, n, sizeof *rb, cmp_root);
    for (size_t i = 0; i < n; i++)
        if (cmp_root(&ra[i], &rb[i]))
            snprintf(what, sizeof what, "a root's result depends on the order of the %s", order), bad(what, ra[i]->name);
    free(ra);
    free(rb);
}

/* ---- --isr-stack against the same input without it ------------------------------------------------ */

static long sat(long a, long b) { return a > RTM_SG_BYTES_MAX - b ? RTM_SG_BYTES_MAX : a + b; }

static bool is_thread(const rtm_sg_root_result *r) { return !r->isr && r->stack >= 0; }

static bool root_over(const rtm_sg_root_result *r)
{
    return r->stack >= 0 && (r->total > r->stack || (r->flags & RTM_SG_F_LIMIT));
}

static bool is_thread(const rtm_sg_root_result *r);
static unsigned g_isr_flags; /* the handlers' RTM_SG_F_* (qsort has no context argument) */

/* Orders roots by what --isr-stack leaves alone: name, kind, level, stack, frames, margin; the total
 * and flags of a root that is not a thread; a thread's flags but the handlers' (names need not be
 * unique: a plain NAME and a FILE:NAME). */
static int cmp_chain(const void *pa, const void *pb)
{
    const rtm_sg_root_result *x = *(const rtm_sg_root_result *const *)pa, *y = *(const rtm_sg_root_result *const *)pb;
    int c = strcmp(x->name, y->name);
    if (c) return c;
#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
    CMP(isr); CMP(level); CMP(stack); CMP(frames); CMP(margin);
#undef CMP
    unsigned keep = is_thread(x) ? ~(g_isr_flags | RTM_SG_F_LIMIT) : ~0u;
    if ((x->flags & keep) != (y->flags & keep)) return (x->flags & keep) < (y->flags & keep) ? -1 : 1;
    if (!is_thread(x) && x->total != y->total) return x->total < y->total ? -1 : 1;
    return 0;
}

/* The report of @p g as text (json false) or JSON, malloc'd. */
static char *report(const rtm_sg_graph *g, bool json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) abort();
    if (json) rtm_sg_report_json(g, m);
    else rtm_sg_report_text(g, m);
    fclose(m);
    return buf;
}

/* The interrupt stack in both reports: there iff given, with its figures. */
static void check_isr_stack_reports(const rtm_sg_graph *g)
{
    const rtm_sg_isr_stack_result *is = rtm_sg_isr_stack(g);
    char want[256], size[32];
    char *js = report(g, true), *txt = report(g, false);
    if (is) {
        if (is->size >= 0) snprintf(size, sizeof size, "%ld", is->size);
        else snprintf(size, sizeof size, "null");
        snprintf(want, sizeof want, ",\"isr_stack\":{\"size\":%s,\"levels\":%d,\"handlers\":%ld,\"entry_frames\":%ld,"
                 "\"total\":%ld,", size, is->levels, is->handlers, is->entry_frames, is->total);
        if (!strstr(js, want)) bad("JSON without the interrupt stack's figures", want);
        snprintf(want, sizeof want, "\ninterrupt stack: %ld bytes = %ld handlers over %d levels", is->total, is->handlers,
                 is->levels);
        if (!strstr(txt, want)) bad("text report without the interrupt stack's line", want);
    } else {
        if (strstr(js, "\"isr_stack\":{")) bad("JSON has an interrupt stack that was not given", NULL);
        if (strstr(txt, "\ninterrupt stack: ")) bad("text report has an interrupt stack that was not given", NULL);
    }
    free(js);
    free(txt);
}

/* @p w analysed with --isr-stack (@p isr_stack), @p o the same input without it (no isr_stack line
 * in the files either). */
static void check_isr_stack_split(const rtm_sg_graph *w, const rtm_sg_graph *o, long isr_frame, const char *isr_stack)
{
    const rtm_sg_isr_stack_result *is = rtm_sg_isr_stack(w);
    if (!is || rtm_sg_isr_stack(o)) bad("interrupt stack not as given", isr_stack);
    size_t n = rtm_sg_root_count(w);
    if (n != rtm_sg_root_count(o)) bad("--isr-stack changed the roots", NULL);
    long want_size = !strcmp(isr_stack, "isr_stack own") ? -1 : strtol(isr_stack + 10, NULL, 10);
    if (is->size != want_size) bad("interrupt stack size not the one given", isr_stack);
    if (is->entry_frames != (is->levels > 1 ? (isr_frame > RTM_SG_BYTES_MAX / (is->levels - 1) ? RTM_SG_BYTES_MAX
                                                                                            : isr_frame * (is->levels - 1))
                                            : 0) ||
        is->total != sat(is->handlers, is->entry_frames) || ((is->flags & RTM_SG_F_LIMIT) != 0) != (is->total >= RTM_SG_BYTES_MAX))
        bad("interrupt stack figures do not add up", NULL);
    bool over = is->size >= 0 && (is->total > is->size || (is->flags & RTM_SG_F_LIMIT));
    /* paired in an order the option does not change (the report's is by total) */
    g_isr_flags = is->flags & ~RTM_SG_F_LIMIT;
    char *txt = report(w, false);
    const rtm_sg_root_result **ra = malloc((n + 1) * sizeof *ra), **rb = malloc((n + 1) * sizeof *rb);
    if (!ra || !rb) abort();
    for (size_t i = 0; i < n; i++) ra[i] = rtm_sg_root(w, i), rb[i] = rtm_sg_root(o, i);
    qsort(ra, n, sizeof *ra, cmp_chain);
    qsort(rb, n, sizeof *rb, cmp_chain);
    for (size_t i = 0; i < n; i++) {
        const rtm_sg_root_result *a = ra[i], *b = rb[i];
        if (cmp_chain(&ra[i], &rb[i])) bad("--isr-stack changed a root's chain", a->name);
        over = over || root_over(a);
        if (!is_thread(a)) {
            if (a->total != b->total || a->isr_nesting != b->isr_nesting || a->flags != b->flags)
                bad("--isr-stack changed a root that is not a thread", a->name);
            continue;
        }
        if (a->isr_nesting != (is->levels ? isr_frame : 0) || a->total != sat(sat(a->frames, a->margin), a->isr_nesting))
            bad("a thread does not take one entry frame from interrupts", a->name);
        unsigned own = a->flags & ~RTM_SG_F_LIMIT, isrf = is->flags & ~RTM_SG_F_LIMIT;
        if ((own & ~b->flags) || ((own | isrf) != (b->flags & ~RTM_SG_F_LIMIT)))
            bad("a thread's flags are not its own and the handlers' its interrupt stack's", a->name);
        if (b->total < RTM_SG_BYTES_MAX / 2 && a->total + is->total != b->total)
            bad("thread + interrupt stack is not the thread without --isr-stack", a->name);
        /* its own flags cannot be told from the handlers' where they share bits; its reason line
         * can: no handler may be named there (with the handlers' flags the report names one) */
        char head[160];
        snprintf(head, sizeof head, "\n\n%.100s: %ld bytes = %ld frames", a->name, a->total, a->frames);
        for (const char *p = strstr(txt, head); p; p = strstr(p + 1, head)) {
            const char *l2 = strchr(p + 2, '\n'), *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
            const char *h = l3 ? strstr(l2, "interrupt handler ") : NULL;
            if (h && h < l3 && (!strncmp(l2, "\n  LOWER BOUND: ", 16) || !strncmp(l2, "\n  UNBOUNDED: ", 14)))
                bad("a thread is not bounded by a handler on the interrupt stack", a->name);
        }
    }
    free(txt);
    free(ra);
    free(rb);
    if (rtm_sg_exit_status(w, false) != over) bad("exit status without the interrupt stack's overflow", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    setup();
    part parts[MAX_FILES];
    size_t np = split(data + 1, data + size, parts);

    static const long k_opts[4][2] = {{4, 32}, {0, 0}, {LONG_MAX, LONG_MAX}, {LONG_MAX / 4, 1}};
    static const char *const k_roots[2] = {"main", "a.c:f"};
    unsigned o = (data[0] >> 2) % 4u;
    rtm_sg_options opt = {.call_margin = k_opts[o][0], .isr_frame = k_opts[o][1]};
    if (data[0] & 0x10u) opt.roots = k_roots, opt.nroots = 2;
    static const char *const k_isr_stack[4] = {NULL, "isr_stack own", "isr_stack 256", "isr_stack 1"};
    const char *isr_stack = k_isr_stack[(data[0] >> 5) % 4u];

    /* 0: as given; 1: .ci and .su files reversed; 2: annotation lines reordered (when that changes
     * anything) */
    rtm_sg_graph *g[3] = {NULL, NULL, NULL};
    rtm_sg_error err[3];
    int ok[3];
    int runs = 0;
    for (int r = 0; r < 3; r++) {
        int stage;
        if (r == 2 && !write_permuted_annotations(parts, np)) break;
        runs = r + 1;
        g[r] = load(parts, np, r == 1, isr_stack, &err[r], &stage);
        if (stage == 0) {
            ok[r] = 0;
            if (!error_names_file(err[r].msg, parts, np, false)) bad("load error not 'FILE:LINE: message'", err[r].msg);
            continue;
        }
        ok[r] = rtm_sg_analyse(g[r], &opt, &err[r]) == 0;
        if (!ok[r] && !error_names_file(err[r].msg, parts, np, true) &&
            !(strncmp(err[r].msg, "--root: ", 8) == 0 && !strchr(err[r].msg, '\n')))
            bad("analysis error not 'FILE:LINE: message'", err[r].msg);
    }
    /* the same input without --isr-stack, for the split's checks (when the files give none either) */
    rtm_sg_graph *plain = NULL;
    if (isr_stack && ok[0]) {
        int stage;
        rtm_sg_error perr;
        if (runs == 3) write_split_back(parts, np); /* the annotation files as given */
        plain = load(parts, np, false, NULL, &perr, &stage);
        if (stage == 0 || rtm_sg_analyse(plain, &opt, &perr)) bad("accepted with --isr-stack, rejected without", perr.msg);
    }
    for (size_t i = 0; i < np; i++) unlink(parts[i].path); /* before anything can fail below */
    if (ok[0] != ok[1]) bad("accepted in one file order, rejected in the other", ok[0] ? err[1].msg : err[0].msg);
    if (runs == 3 && ok[0] != ok[2])
        bad("accepted in one order of the annotation lines, rejected in the other", ok[0] ? err[2].msg : err[0].msg);
    if (ok[0]) {
        check_same(g[0], g[1], "files");
        if (runs == 3) check_same(g[0], g[2], "annotation lines");
        if (g_null) rtm_sg_report_text(g[0], g_null);
        check_json(g[0]);
        (void)rtm_sg_exit_status(g[0], true);
        check_isr_stack_reports(g[0]);
        if (plain && !rtm_sg_isr_stack(plain)) check_isr_stack_split(g[0], plain, opt.isr_frame, isr_stack);
    }
    rtm_sg_free(plain);
    for (int r = 0; r < runs; r++) rtm_sg_free(g[r]);
    return 0;
}
