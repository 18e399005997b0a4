/*
 * rtmem frag: fragmentation over time. Runs a workload of WORKLOADS.md (A, B, C, A64) or a
 * captured trace (tools/lib/trace_read.h) on one or every heap policy, samples the heap statistics
 * every N ops and prints them as a table; --svg FILE also draws them (hand-written SVG, no
 * dependencies): external fragmentation, used bytes (with the live requested bytes) and the number
 * of free blocks, one line per policy, against the op index. The live bytes are each policy's own:
 * an allocation that fails on one policy holds nothing there, so after a failure they differ.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "runner.h"
#include "trace_read.h"
#include "workloads.h"

#define FRAG_DEFAULT_ARENA (256u * 1024u)
#define FRAG_POLICIES 3

typedef struct {
    size_t op;
    uint64_t live_bytes;
    size_t used, free_blocks, largest_free, free_bytes;
    unsigned frag_permille;
} frag_point;

typedef struct {
    frag_point *pts;
    size_t n, cap;
    bool oom;
} frag_series;

static void frag_sample(const rtm_run_sample *s, void *ctx)
{
    frag_series *fs = ctx;
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 256;
        frag_point *p = realloc(fs->pts, cap * sizeof *p);
        if (p == NULL) {
            fs->oom = true;
            return;
        }
        fs->pts = p;
        fs->cap = cap;
    }
    fs->pts[fs->n++] = (frag_point){s->op, s->live_bytes, s->stats.used, s->stats.free_blocks,
                                    s->stats.largest_free, s->stats.free, s->stats.frag_permille};
}

static void frag_usage(FILE *out)
{
    fprintf(out,
            "usage: rtmem frag [--workload A|B|C|A64 | --trace FILE] [--policy good|best|first|all]\n"
            "                  [--arena BYTES] [--every N] [--ops N] [--svg FILE]\n"
            "Replays the workload (default A) or trace on the heap policies (default all), samples\n"
            "every N ops (default: ops/100) and prints, per sample and policy, the external\n"
            "fragmentation (1 - largest free / free, in %%), the bytes in used blocks, the live bytes\n"
            "(sum of the requested sizes of the objects that policy holds: a failed allocation adds\n"
            "none, so the policies differ once one fails) and the number of free blocks. --svg also\n"
            "plots them (live bytes dashed, in the policy's colour). Arena default: 256K for a\n"
            "workload, 2 x the trace's peak live bytes (at least 64K) for a trace. BYTES and N take\n"
            "the suffixes K and M (x1024, x1024^2). --ops N replays only the first N ops.\n"
            "--workload and --trace exclude each other.\n");
}

/* ---- SVG ---------------------------------------------------------------------------------------- */

static const char *const k_colors[FRAG_POLICIES] = {"#1f77b4", "#d62728", "#2ca02c"};

/* Axis ticks 0, step, 2 x step, ..., n x step: step is the smallest "nice" number (1, 2 or 5 x 10^k)
 * not below @p min_step for which n <= @p max_n intervals reach @p vmax (the top tick covers it; an
 * all-zero series gets 0 and step). @p min_step is 1 for a count (free blocks, bytes, ops): its ticks
 * are integers (a free-block axis up to 1 was labelled 0, 0.2, 0.4, ..., and the old maxima 2 and
 * 2.5 x 10^k gave steps 0.4 and 0.5 x 10^k). vmax comes from a size_t or uint64_t, so it is finite
 * and below 2^64: a step of 10^20 ends the loop (1e21 only bounds it). */
typedef struct {
    double step;
    int n;
} axis_ticks;

static axis_ticks nice_ticks(double vmax, double min_step, int max_n)
{
    static const double m[] = {1, 2, 5};
    axis_ticks a = {min_step, 1};
    if (!(vmax > 0)) return a; /* all zero (or NaN, which a count cannot be) */
    for (double p = min_step; p < 1e21; p *= 10) {
        for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
            double step = m[i] * p;
            if (vmax > step * max_n) continue;
            a.step = step;
            a.n = (int)(vmax / step); /* ceil(vmax / step) without libm, against rounding both ways */
            if (a.n * step < vmax) a.n++;
            if (a.n < 1) a.n = 1;
            return a;
        }
    }
    return a;
}

/* A tick label: as is below 10^4, then in thousands (k), millions (M), ... up to E (10^18). A tick
 * is t x (1, 2 or 5 x 10^k) with t <= 6, two significant digits, which %g (six) prints exactly: two
 * ticks never share a label. */
static void fmt_num(char *buf, size_t n, double v)
{
    static const char sfx[] = "kMGTPE";
    if (v < 1e4) {
        snprintf(buf, n, "%g", v);
        return;
    }
    size_t i = 0;
    double d = 1e3;
    while (i + 1 < sizeof sfx - 1 && v >= d * 1e3) {
        d *= 1e3;
        i++;
    }
    snprintf(buf, n, "%g%c", v / d, sfx[i]);
}

typedef enum { PANEL_FRAG, PANEL_USED, PANEL_BLOCKS } panel_kind;

/* The value plotted, in the panel's unit: %, bytes (the used panel scales them, svg_panel) or blocks. */
static double point_value(const frag_point *p, panel_kind k)
{
    switch (k) {
    case PANEL_FRAG: return p->frag_permille / 10.0;
    case PANEL_USED: return (double)p->used;
    default: return (double)p->free_blocks;
    }
}

#define SVG_W 960
#define SVG_PANEL_H 230
#define SVG_LEFT 80
#define SVG_RIGHT 30
#define SVG_TOP 70

/* A marker for a series of one sample, which a polyline cannot show (it needs two points). */
static void svg_dot(FILE *f, double x, double y, const char *color, bool hollow)
{
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" %s=\"%s\"%s/>\n", x, y, hollow ? "stroke" : "fill", color,
            hollow ? " fill=\"none\"" : "");
}

static void svg_panel(FILE *f, int y0, panel_kind kind, const frag_series *s, const bool *on, size_t n_ops,
                      size_t cleanup_at)
{
    const int pw = SVG_W - SVG_LEFT - SVG_RIGHT, ph = SVG_PANEL_H - 60;
    double vmax = 0;
    for (int p = 0; p < FRAG_POLICIES; p++) {
        for (size_t i = 0; on[p] && i < s[p].n; i++) {
            double v = point_value(&s[p].pts[i], kind);
            if (v > vmax) vmax = v;
            if (kind == PANEL_USED && (double)s[p].pts[i].live_bytes > vmax) vmax = (double)s[p].pts[i].live_bytes;
        }
    }
    /* Bytes in B, KiB, ..., EiB: the largest unit in which the maximum is at least 5, so that the
     * ticks are whole units (bytes below 5 KiB: a 100-byte run was labelled 0, 0.02, ... KiB). */
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t u = 0;
    double scale = 1;
    while (kind == PANEL_USED && u + 1 < sizeof units / sizeof units[0] && vmax >= 5 * 1024 * scale) {
        scale *= 1024;
        u++;
    }
    vmax /= scale;
    /* fragmentation is in tenths of a % and shown up to at least 1 %; the others are counts */
    axis_ticks yt = kind == PANEL_FRAG ? nice_ticks(vmax < 1 ? 1 : vmax, 0.1, 5) : nice_ticks(vmax, 1, 5);
    double ytop = yt.step * yt.n;
    double xmax = n_ops ? (double)n_ops : 1;
    int top = y0 + 30;
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">", SVG_LEFT, y0 + 18);
    if (kind == PANEL_FRAG) fprintf(f, "external fragmentation (%%) = 1 - largest free / free");
    else if (kind == PANEL_USED)
        fprintf(f, "used (%s, headers included); dashed: live requested %s, per policy", units[u], units[u]);
    else fprintf(f, "free blocks");
    fprintf(f, "</text>\n");
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n", SVG_LEFT,
            top, pw, ph);
    for (int t = 0; t <= yt.n; t++) {
        double y = top + ph - (double)ph * t / yt.n;
        char lab[32];
        fmt_num(lab, sizeof lab, t * yt.step);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", SVG_LEFT, y,
                SVG_LEFT + pw, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", SVG_LEFT - 6,
                y + 4, lab);
    }
    /* x ticks at multiples of a nice integer step, at most 6 steps, the last at most n_ops (below
     * 6 ops the old step was 0.5 or less; 13 to 15 ops gave 2.5) */
    axis_ticks xt = nice_ticks(xmax, 1, 6);
    for (int t = 0; t * xt.step <= xmax; t++) {
        char lab[32];
        double xv = t * xt.step, x = SVG_LEFT + (double)pw * xv / xmax;
        fmt_num(lab, sizeof lab, xv);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#444\"/>", x, top + ph, x,
                top + ph + 4);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n", x,
                top + ph + 16, lab);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">ops</text>\n", SVG_LEFT + pw,
            top + ph + 28);
    if (cleanup_at > 0 && cleanup_at < n_ops) {
        double x = SVG_LEFT + pw * (double)cleanup_at / xmax;
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"2,3\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" fill=\"#666\">clean-up</text>\n",
                x, top, x, top + ph, x - 3, top + 12);
    }
    /* pass 0: the used panel's live requested bytes, dashed, one line per policy (not one for all:
     * a failed allocation holds nothing, so they part once a policy fails), under the solid lines */
    for (int pass = kind == PANEL_USED ? 0 : 1; pass < 2; pass++) {
        bool live = pass == 0;
        for (int p = 0; p < FRAG_POLICIES; p++) {
            const frag_series *src = &s[p];
            if (!on[p] || src->n == 0) continue;
            fprintf(f, "<polyline fill=\"none\" stroke-width=\"%s\" stroke=\"%s\"%s points=\"", live ? "1" : "1.5",
                    k_colors[p], live ? " stroke-dasharray=\"5,3\"" : "");
            double x = 0, y = 0;
            for (size_t i = 0; i < src->n; i++) {
                double v = (live ? (double)src->pts[i].live_bytes : point_value(&src->pts[i], kind)) / scale;
                x = SVG_LEFT + pw * (double)src->pts[i].op / xmax;
                y = top + ph - ph * v / ytop;
                fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
            }
            fprintf(f, "\"/>\n");
            if (src->n == 1) svg_dot(f, x, y, k_colors[p], live);
        }
    }
}

/* Length of the well-formed UTF-8 sequence at @p s (1..4), 0 if it is not one: an invalid byte, a
 * truncated or overlong sequence, a surrogate, above U+10FFFF, or U+FFFE/U+FFFF (not XML characters). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    if (n == 3 && c == 0xEF && s[1] == 0xBF && s[2] >= 0xBE) return 0;
    return n;
}

/* Writes @p s as XML character data. A file name is bytes, an SVG is XML: besides the markup
 * characters (quotes too, so that the text could go into an attribute), the bytes XML 1.0 does not
 * allow (controls other than tab and newline, DEL) and anything that is not UTF-8 become '?', or
 * the whole plot would be rejected by a viewer. */
static void xml_put(FILE *f, const char *s)
{
    const unsigned char *c = (const unsigned char *)s;
    while (*c) {
        size_t n = utf8_len(c);
        if (*c == '<') fputs("&lt;", f);
        else if (*c == '>') fputs("&gt;", f);
        else if (*c == '&') fputs("&amp;", f);
        else if (*c == '"') fputs("&quot;", f);
        else if (*c == '\'') fputs("&apos;", f);
        else if (n == 0 || (*c < 0x20 && *c != '\t' && *c != '\n') || *c == 0x7F) fputc('?', f);
        else fwrite(c, 1, n, f);
        c += n ? n : 1;
    }
}

/* snprintf(dst, n, "%s%s", prefix, name), cut if it must be at a character boundary: a cut inside a
 * UTF-8 sequence would leave a broken character at the end of the title. */
static void title_copy(char *dst, size_t n, const char *prefix, const char *name)
{
    int len = snprintf(dst, n, "%s%s", prefix, name);
    if (len < 0 || (size_t)len < n) return;
    size_t end = strlen(dst), lead = end;
    while (lead > 0 && end - lead < 4 && ((unsigned char)dst[lead - 1] & 0xC0u) == 0x80u) lead--;
    if (lead > 0 && ((unsigned char)dst[lead - 1] & 0xC0u) == 0xC0u) { /* a lead byte: is its sequence whole? */
        unsigned char c = (unsigned char)dst[lead - 1];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (end - (lead - 1) < want) dst[lead - 1] = '\0';
    }
}

static int write_svg(const char *path, const char *title, const frag_series *s, const bool *on, size_t n_ops,
                     size_t cleanup_at)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "rtmem frag: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    /* a plot cut by a failed write (a full disk, a file size limit) is removed, not left behind as
     * a plot; only a regular file (not /dev/stdout, a pipe) */
    struct stat st;
    bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    int h = SVG_TOP + 3 * SVG_PANEL_H;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            SVG_W, h, SVG_W, h);
    fprintf(f, "<text x=\"%d\" y=\"28\" font-size=\"17\" font-weight=\"bold\">rtmem frag: ", SVG_LEFT);
    xml_put(f, title);
    fprintf(f, "</text>\n");
    int lx = SVG_LEFT;
    for (int p = 0; p < FRAG_POLICIES; p++) {
        if (!on[p]) continue;
        fprintf(f, "<line x1=\"%d\" y1=\"50\" x2=\"%d\" y2=\"50\" stroke=\"%s\" stroke-width=\"3\"/>"
                   "<text x=\"%d\" y=\"54\" font-size=\"13\">%s-fit</text>\n",
                lx, lx + 24, k_colors[p], lx + 30, rtm_run_target_name((rtm_run_target)p));
        lx += 110;
    }
    for (int k = 0; k < 3; k++) svg_panel(f, SVG_TOP + k * SVG_PANEL_H, (panel_kind)k, s, on, n_ops, cleanup_at);
    fprintf(f, "</svg>\n");
    /* a write that failed before the last one sets the error flag, which fclose does not report */
    int werr = ferror(f);
    if (fclose(f) != 0 || werr) {
        int e = errno;
        if (regular) remove(path);
        fprintf(stderr, "rtmem frag: cannot write %s: %s\n", path, e ? strerror(e) : "I/O error");
        return 1;
    }
    return 0;
}

/* ---- command ------------------------------------------------------------------------------------- */

static int need_value(int i, int argc, char **argv)
{
    if (i + 1 < argc) return 0;
    fprintf(stderr, "rtmem frag: argument %d: %s needs a value\n", i, argv[i]);
    return 1;
}

int rtm_cmd_frag(int argc, char **argv)
{
    const char *trace = NULL, *svg = NULL;
    rtm_workload wl = RTM_WL_A;
    bool wl_given = false;
    bool on[FRAG_POLICIES] = {true, true, true};
    size_t arena = 0, every = 0, max_ops = SIZE_MAX;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            frag_usage(stdout);
            return 0;
        }
        if (strcmp(a, "--workload") && strcmp(a, "--trace") && strcmp(a, "--policy") && strcmp(a, "--arena") &&
            strcmp(a, "--every") && strcmp(a, "--svg") && strcmp(a, "--ops")) {
            fprintf(stderr, "rtmem frag: argument %d: unknown option '%s' (try --help)\n", i, a);
            return 2;
        }
        if (need_value(i, argc, argv)) return 2;
        /* a file name that is an option was the option left without its value: `--svg --ops 1000`
         * wrote the plot to a file named --ops and said "unknown option '1000'" */
        if ((!strcmp(a, "--svg") || !strcmp(a, "--trace")) && !strncmp(argv[i + 1], "--", 2)) {
            fprintf(stderr, "rtmem frag: argument %d: %s needs a file name, got the option '%s' (a file of that name: ./%s)\n",
                    i, a, argv[i + 1], argv[i + 1]);
            return 2;
        }
        /* each takes one value: a second one silently replaced the first (--trace a --trace b
         * plotted b only) */
        for (int j = 1; j < i; j += 2)
            if (!strcmp(argv[j], a)) return rtm_cli_given_twice("frag", i, a, j);
        const char *v = argv[++i];
        if (!strcmp(a, "--workload")) {
            if (!rtm_workload_parse(v, &wl)) {
                fprintf(stderr, "rtmem frag: argument %d: unknown workload '%s' (A, B, C or A64)\n", i, v);
                return 2;
            }
            wl_given = true;
        } else if (!strcmp(a, "--trace")) {
            trace = v;
        } else if (!strcmp(a, "--policy")) {
            rtm_run_target t;
            if (!strcmp(v, "all")) {
                on[0] = on[1] = on[2] = true;
            } else if (rtm_run_target_parse(v, &t) && t < RTM_RUN_SYSTEM) {
                on[0] = on[1] = on[2] = false;
                on[t] = true;
            } else {
                fprintf(stderr, "rtmem frag: argument %d: unknown policy '%s' (good, best, first or all)\n", i, v);
                return 2;
            }
        } else if (!strcmp(a, "--arena")) {
            if (!rtm_parse_size(v, &arena)) {
                fprintf(stderr, "rtmem frag: argument %d: --arena needs a byte count such as 65536 or 64K, got '%s'\n", i, v);
                return 2;
            }
        } else if (!strcmp(a, "--ops")) {
            if (!rtm_parse_size(v, &max_ops)) {
                fprintf(stderr, "rtmem frag: argument %d: --ops needs a positive op count, got '%s'\n", i, v);
                return 2;
            }
        } else if (!strcmp(a, "--every")) {
            if (!rtm_parse_size(v, &every)) {
                fprintf(stderr, "rtmem frag: argument %d: --every needs a positive op count, got '%s'\n", i, v);
                return 2;
            }
        } else {
            svg = v;
        }
    }

    if (trace != NULL && wl_given) { /* one of them would be ignored without a word */
        fprintf(stderr, "rtmem frag: --workload and --trace exclude each other (one op list per run)\n");
        return 2;
    }

    rtm_oplist ops = {0};
    size_t cleanup_at = 0;
    char title[256];
    rtm_trace_layout layout = {0, 0, 0};
    if (trace != NULL) {
        char err[512];
        rtm_trace_convert_stats cs;
        size_t events;
        bool damaged;
        if (rtm_trace_load_oplist(trace, false, &ops, &cs, &events, &damaged, &layout, err, sizeof err) != 0) {
            fprintf(stderr, "rtmem frag: %s\n", err);
            return 1;
        }
        if (ops.n == 0) {
            char why[128];
            fprintf(stderr, "rtmem frag: %s: %s\n", trace, rtm_trace_describe_empty(&cs, events, why, sizeof why));
            rtm_oplist_free(&ops);
            return 1;
        }
        uint64_t peak = rtm_oplist_peak_live(&ops);
        char why[200];
        if (!rtm_run_peak_fits(peak, why, sizeof why)) {
            fprintf(stderr, "rtmem frag: %s: %s\n", trace, why);
            rtm_oplist_free(&ops);
            return 1;
        }
        if (arena == 0) {
            arena = peak > SIZE_MAX / 4 ? SIZE_MAX / 2 : (size_t)((2 * peak + 1023) / 1024) * 1024;
            if (arena < 64u * 1024u) arena = 64u * 1024u;
        }
        title_copy(title, sizeof title, "trace ", trace);
    } else {
        rtm_workload_info info;
        rtm_workload_generate(wl, &ops, &info);
        cleanup_at = info.cleanup_at;
        if (arena == 0) arena = FRAG_DEFAULT_ARENA;
        snprintf(title, sizeof title, "workload %s", ops.name);
    }
    if (ops.n > max_ops) ops.n = max_ops;
    if (ops.n == 0) { /* an empty trace was refused above; a workload is never empty (--ops >= 1) */
        fprintf(stderr, "rtmem frag: workload %s: no ops\n", ops.name);
        rtm_oplist_free(&ops);
        return 1;
    }
    if (every == 0) every = ops.n / 100 ? ops.n / 100 : 1;
    char full_title[320];
    snprintf(full_title, sizeof full_title, "%s, %zu ops, arena %zu B", title, ops.n, arena);

    frag_series series[FRAG_POLICIES] = {{0}};
    rtm_run_result res[FRAG_POLICIES];
    int rc = 0;
    for (int p = 0; p < FRAG_POLICIES && rc == 0; p++) {
        if (!on[p]) continue;
        rtm_run_config cfg;
        rtm_run_config_init(&cfg);
        cfg.target = (rtm_run_target)p;
        cfg.arena = arena;
        cfg.sample_every = every;
        cfg.sample = frag_sample;
        cfg.sample_ctx = &series[p];
        rtm_err e = rtm_run(&ops, &cfg, &res[p]);
        if (e != RTM_OK || series[p].oom) {
            fprintf(stderr, "rtmem frag: %s-fit, arena %zu bytes: %s\n", rtm_run_target_name(cfg.target), arena,
                    series[p].oom ? "out of host memory for samples" : rtm_err_str(e));
            rc = 1;
        }
    }

    if (rc == 0) {
        printf("rtmem frag: %s\n", full_title);
        printf("sample every %zu ops; frag = external fragmentation 1 - largest free / free (%%); used = bytes in\n"
               "used blocks (headers included); live = sum of the requested sizes of the objects the policy\n"
               "holds (a failed allocation adds none); blks = free blocks\n",
               every);
        printf("%10s", "op");
        for (int p = 0; p < FRAG_POLICIES; p++)
            if (on[p]) printf(" | %5s-fit %6s %6s %5s", rtm_run_target_name((rtm_run_target)p), "used", "live", "blks");
        printf("\n%10s", "");
        for (int p = 0; p < FRAG_POLICIES; p++)
            if (on[p]) printf(" | %9s %6s %6s %5s", "frag %", "B", "B", "");
        printf("\n");
        /* every policy samples at the same ops (every N and after the last); live bytes are per
         * policy, not the first one's for all: they part once an allocation fails on one */
        int first = on[0] ? 0 : on[1] ? 1 : 2;
        for (size_t i = 0; i < series[first].n; i++) {
            printf("%10zu", series[first].pts[i].op);
            for (int p = 0; p < FRAG_POLICIES; p++) {
                if (!on[p] || i >= series[p].n) continue;
                const frag_point *q = &series[p].pts[i];
                printf(" | %7u.%u %6zu %6" PRIu64 " %5zu", q->frag_permille / 10, q->frag_permille % 10, q->used,
                       q->live_bytes, q->free_blocks);
            }
            printf("\n");
        }
        for (int p = 0; p < FRAG_POLICIES; p++) {
            if (!on[p]) continue;
            printf("%s-fit: %zu allocations, %zu failed, peak used %zu B, capacity %zu B\n",
                   rtm_run_target_name((rtm_run_target)p), res[p].allocs, res[p].failures, res[p].peak_used,
                   res[p].capacity);
        }
        if (trace != NULL) { /* used bytes and capacities depend on the heap layout */
            rtm_trace_layout host = rtm_trace_layout_host();
            char what[64];
            printf("byte figures are this build's heap layout (%s)\n", rtm_trace_layout_describe(&host, what, sizeof what));
            rtm_trace_layout_print(stdout, "", &layout);
        }
        /* only if the run got there: --ops may stop it before the clean-up */
        if (cleanup_at && cleanup_at < ops.n)
            printf("clean-up (frees of every live object) starts at op %zu\n", cleanup_at);
        if (svg != NULL) {
            rc = write_svg(svg, full_title, series, on, ops.n, cleanup_at);
            if (rc == 0) printf("plot written to %s\n", svg);
        }
    }
    for (int p = 0; p < FRAG_POLICIES; p++) free(series[p].pts);
    rtm_oplist_free(&ops);
    return rc;
}
