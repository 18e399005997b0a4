/* stackgraph reports: the text table with chains and problems, the same as JSON, and the one-line
 * reason for exit status 1 (rtm_sg_check). */
#include <stdarg.h>
#include <string.h>

#include "stackgraph_int.h"

/* Why a result is not a proven bound, per RTM_SG_F_* bit: each followed by the function. */
static const char *const k_reason[4] = {"dynamic frame in", "unresolved indirect call in", "no stack data for",
                                        "recursion without depth through"};

#define LIST_MAX 50 /* entries per problem list in the text report (JSON lists all) */

/* Does root @p r exceed its stack? A total at the count limit exceeds any, one of the limit's size
 * too (its true worst case is larger). */
static bool root_over(const rtm_sg_root_result *r)
{
    return r->stack >= 0 && (r->total > r->stack || (r->flags & RTM_SG_F_LIMIT));
}

static const char *status_of(const rtm_sg_root_result *r, char *buf, size_t n)
{
    if (r->flags & RTM_SG_F_LIMIT) return r->stack >= 0 ? "OVERFLOW" : "beyond limit"; /* total unknown */
    if (root_over(r)) {
        snprintf(buf, n, "OVERFLOW by %ld", r->total - r->stack);
        return buf;
    }
    if (r->flags & RTM_SG_F_RECURSION) return "unbounded";
    if (r->flags) return "lower bound";
    return r->stack >= 0 ? "ok" : "-";
}

static const char *kind_of(const rtm_sg_root_result *r, char *buf, size_t n)
{
    if (r->isr) {
        snprintf(buf, n, "isr/%d", r->level);
        return buf;
    }
    return r->stack >= 0 ? "thread" : "root";
}

static const char *qual_note(const sg_func *f)
{
    if (f->frame_override >= 0) return f->qual == RTM_SG_NODATA ? "annotated (no data)" : "annotated bound";
    switch (f->qual) {
    case RTM_SG_NODATA: return "NO DATA";
    case RTM_SG_BOUNDED: return "dynamic,bounded";
    case RTM_SG_DYNAMIC: return "DYNAMIC (alloca/VLA not counted)";
    default: return "";
    }
}

static void loc(const sg_func *f, char *buf, size_t n)
{
    if (f->file) snprintf(buf, n, "%s:%u:%u", f->file, f->line, f->col);
    else snprintf(buf, n, "?");
}

static long func_frame(const sg_func *f) { return f->frame_override >= 0 ? f->frame_override : f->frame; }

/* A function to list as "no stack data": not a declaration whose calls went to FILE:NAME definitions
 * (join_file_local_names), which has no calls left. */
static bool lacks_data(const sg_func *f)
{
    return f->frame_override < 0 && f->qual == RTM_SG_NODATA && f->alias == SG_NONE;
}

/* The joins of one plain name: joins[j .. returned index). */
static size_t join_group_end(const rtm_sg_graph *g, size_t j)
{
    size_t k = j + 1;
    while (k < g->njoins && g->joins[k].plain == g->joins[j].plain) k++;
    return k;
}

/* The unit of a "FILE:NAME" title: its FILE. */
static void local_file(const sg_func *f, FILE *out) { fprintf(out, "%.*s", (int)(f->local_off - 1), f->key); }

/* One problem line per name that is defined file-local or weak (FILE:NAME) and also plain. */
static void join_line(const rtm_sg_graph *g, size_t j, size_t end, FILE *out)
{
    const sg_func *p = &g->f[g->joins[j].plain];
    fprintf(out, "  %s defined file-local or weak in ", p->key);
    for (size_t k = j; k < end; k++) {
        fprintf(out, "%s", k == j ? "" : k + 1 == end ? " and " : ", ");
        local_file(&g->f[g->joins[k].local], out);
    }
    if (p->alias == SG_NONE) {
        fprintf(out, " and external in %s: calls to ", p->file ? p->file : "?");
        if (end - j == 1) local_file(&g->f[g->joins[j].local], out), fprintf(out, "'s");
        else fprintf(out, "these");
        fprintf(out, " counted as either\n");
    } else if (end - j == 1) {
        fprintf(out, " only: calls to %s resolved to it\n", p->key);
    } else {
        fprintf(out, " only: calls to %s counted as any of them\n", p->key);
    }
}

static void why(const rtm_sg_graph *g, const sg_scc *c, unsigned flags, FILE *out)
{
    const char *sep = "";
    for (int b = 0; b < 4; b++) {
        if (!(flags & (1u << b))) continue;
        fprintf(out, "%s%s ", sep, k_reason[b]);
        uint32_t w = c->witness[b];
        if (w == SG_NONE) fprintf(out, "an interrupt handler");
        else if (b == 1) fprintf(out, "%s (%s)", g->f[g->unres[w].caller].name, g->unres[w].site ? g->unres[w].site : "?");
        else fprintf(out, "%s", g->f[w].name);
        sep = ", ";
    }
}

/* The flags @p from_isr of root @p r that come from the handlers that can preempt it: names the
 * lowest such level that has them, and its first flagged handler. */
static void isr_why(const rtm_sg_graph *g, const rtm_sg_root_result *r, unsigned from_isr, FILE *out)
{
    for (int l = r->isr ? r->level + 1 : 0; l < 256; l++)
        if (g->isr_level_flags[l] & from_isr) {
            fprintf(out, "interrupt handler %s (level %d) is not bounded", g->f[g->isr_level_witness[l]].name, l);
            return;
        }
    fprintf(out, "an interrupt handler is not bounded");
}

/* The interrupt stack as a root-like result, for status_of() and root_over(). */
static rtm_sg_root_result isr_stack_as_root(const rtm_sg_graph *g)
{
    rtm_sg_root_result r = {.name = "interrupt stack", .level = -1, .total = g->isr_stack.total,
                            .stack = g->isr_stack.size, .flags = g->isr_stack.flags};
    return r;
}

/* Is @p r (a thread) analysed with the handlers on the interrupt stack (one entry frame only)? */
static bool on_own_stack(const rtm_sg_graph *g, const rtm_sg_root_result *r)
{
    return g->isr_stack_given && !r->isr && r->stack >= 0;
}

/* The interrupt stack's lines of the text report: figure, size and status; what threads get
 * instead; why it is not a bound. */
static void isr_stack_text(const rtm_sg_graph *g, FILE *out)
{
    const rtm_sg_isr_stack_result *is = &g->isr_stack;
    rtm_sg_root_result r = isr_stack_as_root(g);
    char st[64];
    fprintf(out, "interrupt stack: %ld bytes = %ld handlers over %d level%s", is->total, is->handlers, is->levels,
            is->levels == 1 ? "" : "s");
    if (is->entry_frames) fprintf(out, " + %ld nested entry frames", is->entry_frames);
    if (is->size >= 0) fprintf(out, "; size %ld", is->size);
    else fprintf(out, "; size not given");
    fprintf(out, ": %s\n", status_of(&r, st, sizeof st));
    fprintf(out, "  threads take %ld bytes from interrupts (one entry frame); other roots the whole ISR nesting\n",
            is->thread_entry);
    if (is->flags & RTM_SG_F_LIMIT)
        fprintf(out, "  BEYOND LIMIT: the worst case is more than %ld bytes, the largest figure counted\n",
                (long)RTM_SG_BYTES_MAX);
    if (is->flags & ~RTM_SG_F_LIMIT) {
        fprintf(out, "  %s: ", (is->flags & RTM_SG_F_RECURSION) ? "UNBOUNDED" : "LOWER BOUND");
        isr_why(g, &r, is->flags & ~RTM_SG_F_LIMIT, out);
        fprintf(out, "\n");
    }
}

void rtm_sg_report_text(const rtm_sg_graph *g, FILE *out)
{
    size_t nind = 0;
    for (size_t i = 0; i < g->ne; i++) nind += g->e[i].indirect;
    fprintf(out, "rtmem stack: %zu functions, %zu calls (%zu from annotations), %zu recursion cycles, %zu unresolved indirect calls\n",
            g->nf, g->ne, nind, g->ncycles, g->nunres);
    if (g->isr_levels_used) {
        fprintf(out, "ISR nesting: %ld bytes over %d level%s (", g->nesting_all, g->isr_levels_used,
                g->isr_levels_used == 1 ? "" : "s");
        const char *sep = "";
        for (int l = 0; l < 256; l++)
            if (g->isr_level_max[l] >= 0) {
                fprintf(out, "%slevel %d: %s %ld", sep, l, g->f[g->isr_level_root[l]].name, g->isr_level_max[l]);
                sep = ", ";
            }
        fprintf(out, ")");
        if (g->opt.isr_frame) fprintf(out, ", %ld bytes pushed per interrupt entry included", g->opt.isr_frame);
        fprintf(out, "\n");
    }
    if (g->isr_stack_given) isr_stack_text(g, out);
    if (g->opt.call_margin) fprintf(out, "call margin: %ld bytes per frame\n", g->opt.call_margin);
    fprintf(out, "\n%-28s %-7s %8s %7s %7s %8s %8s  %s\n", "root", "kind", "frames", "margin", "isr", "total", "stack",
            "status");
    char b1[64], b2[64];
    for (size_t i = 0; i < g->nroots; i++) {
        const rtm_sg_root_result *r = &g->roots[i].r;
        char st[32];
        if (r->stack >= 0) snprintf(st, sizeof st, "%ld", r->stack);
        else snprintf(st, sizeof st, "-");
        fprintf(out, "%-28s %-7s %8ld %7ld %7ld %8ld %8s  %s\n", r->name, kind_of(r, b1, sizeof b1), r->frames, r->margin,
                r->isr_nesting, r->total, st, status_of(r, b2, sizeof b2));
    }
    for (size_t i = 0; i < g->nroots; i++) {
        const sg_root *rt = &g->roots[i];
        const rtm_sg_root_result *r = &rt->r;
        fprintf(out, "\n%s: %ld bytes = %ld frames", r->name, r->total, r->frames);
        if (r->margin) fprintf(out, " + %ld call margin", r->margin);
        if (r->isr) {
            if (g->opt.isr_frame) fprintf(out, " + %ld interrupt entry", g->opt.isr_frame);
            if (r->isr_nesting > g->opt.isr_frame)
                fprintf(out, " + %ld higher-priority ISRs", r->isr_nesting - g->opt.isr_frame);
        } else if (r->isr_nesting && on_own_stack(g, r)) {
            fprintf(out, " + %ld interrupt entry (handlers on the interrupt stack)", r->isr_nesting);
        } else if (r->isr_nesting) {
            fprintf(out, " + %ld ISR nesting", r->isr_nesting);
        }
        if (r->stack >= 0) fprintf(out, "; stack %ld", r->stack);
        fprintf(out, "\n");
        if (r->flags & RTM_SG_F_LIMIT)
            fprintf(out, "  BEYOND LIMIT: the worst case is more than %ld bytes, the largest figure counted\n",
                    (long)RTM_SG_BYTES_MAX);
        if (r->flags & ~RTM_SG_F_LIMIT) {
            fprintf(out, "  %s: ", (r->flags & RTM_SG_F_RECURSION) ? "UNBOUNDED" : "LOWER BOUND");
            why(g, &g->scc[rt->chain[0]], g->scc[rt->chain[0]].flags, out);
            unsigned from_isr = r->flags & ~g->scc[rt->chain[0]].flags & ~RTM_SG_F_LIMIT;
            if (from_isr) {
                if (g->scc[rt->chain[0]].flags) fprintf(out, "; ");
                isr_why(g, r, from_isr, out);
            }
            fprintf(out, "\n");
        }
        fprintf(out, "  %8s  %-28s %-24s %s\n", "bytes", "function", "defined at", "called at");
        const char *site = NULL;
        bool ind = false;
        for (size_t k = 0; k < r->chain_len; k++) {
            const sg_scc *c = &g->scc[rt->chain[k]];
            char l[256], s[160];
            snprintf(s, sizeof s, "%s%s", site ? site : "", ind ? " (indirect)" : "");
            if (!c->cycle) {
                const sg_func *f = &g->f[g->scc_members[c->first]];
                loc(f, l, sizeof l);
                fprintf(out, "  %8ld  %-28s %-24s %s%s%s\n", func_frame(f), f->name, l, s, *qual_note(f) ? "  " : "",
                        qual_note(f));
            } else {
                fprintf(out, "  %8ld  [recursion x%u%s] %s\n", c->frames, c->depth,
                        c->nodepth ? ", depth unknown" : "", s);
                for (uint32_t m = 0; m < c->size; m++) {
                    const sg_func *f = &g->f[g->scc_members[c->first + m]];
                    loc(f, l, sizeof l);
                    fprintf(out, "  %8ld    %-26s %-24s %s\n", func_frame(f), f->name, l, qual_note(f));
                }
            }
            if (c->exit_edge != SG_NONE) {
                site = g->e[c->exit_edge].site;
                ind = g->e[c->exit_edge].indirect;
            }
        }
    }
    /* problems */
    size_t nprob = g->nunres;
    for (size_t i = 0; i < g->nf; i++)
        nprob += (g->f[i].frame_override < 0 && g->f[i].qual == RTM_SG_DYNAMIC) || lacks_data(&g->f[i]);
    for (size_t s = 0; s < g->nscc; s++) nprob += g->scc[s].nodepth;
    for (size_t j = 0; j < g->njoins; j = join_group_end(g, j)) nprob++;
    for (size_t i = 0; i < g->nf; i++) nprob += g->f[i].dup_def;
    if (!nprob) return;
    fprintf(out, "\nproblems (all but the last two kinds make the results that reach them lower bounds; see docs/stack-annotations.md):\n");
    size_t shown = 0;
    for (size_t i = 0; i < g->nunres && shown < LIST_MAX; i++, shown++)
        fprintf(out, "  indirect call without targets: in %s at %s (add: icall %s TARGET...)\n", g->f[g->unres[i].caller].name,
                g->unres[i].site ? g->unres[i].site : "?", g->unres[i].site ? g->unres[i].site : g->f[g->unres[i].caller].key);
    for (size_t s = 0; s < g->nscc && shown < LIST_MAX; s++) {
        const sg_scc *c = &g->scc[s];
        if (!c->nodepth)
            continue;
        fprintf(out, "  recursion without depth: ");
        for (uint32_t m = 0; m < c->size && m < 8; m++) fprintf(out, "%s%s", m ? ", " : "", g->f[g->scc_members[c->first + m]].name);
        if (c->size > 8) fprintf(out, ", ... (%u functions)", c->size);
        fprintf(out, " (add: recursion %s DEPTH)\n", g->f[g->scc_members[c->first]].key);
        shown++;
    }
    for (size_t i = 0; i < g->nf && shown < LIST_MAX; i++) {
        const sg_func *f = &g->f[i];
        if (f->frame_override >= 0) continue;
        char l[256];
        loc(f, l, sizeof l);
        if (f->qual == RTM_SG_DYNAMIC)
            fprintf(out, "  dynamic frame without bound: %s (%s), %ld bytes + alloca/VLA (add: frame %s BYTES)\n", f->name, l,
                    f->frame, f->key), shown++;
        else if (lacks_data(f))
            fprintf(out, "  no stack data: %s (add its .su/.ci, or: frame %s BYTES)\n", f->name, f->key), shown++;
    }
    for (size_t j = 0, e; j < g->njoins && shown < LIST_MAX; j = e, shown++) {
        e = join_group_end(g, j);
        join_line(g, j, e, out);
    }
    for (size_t i = 0; i < g->nf && shown < LIST_MAX; i++)
        if (g->f[i].dup_def)
            fprintf(out, "  defined in more than one unit: %s (the largest frame is used; one program per run?)\n",
                    g->f[i].key), shown++;
    if (shown < nprob) fprintf(out, "  ... and %zu more (--json lists all)\n", nprob - shown);
}

/* ---- exit status --------------------------------------------------------------------------------- */

/* Appends to the NUL-terminated buf of cap bytes; what does not fit is cut. */
static void cat(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/* NAME (FILE:LINE:COL), or NAME alone where the place is unknown (a built-in, code without .ci). */
static void cat_func(char *buf, size_t cap, const sg_func *f)
{
    cat(buf, cap, "%s", f->name);
    if (f->file) cat(buf, cap, " (%s:%u:%u)", f->file, f->line, f->col);
}

/* The reasons @p flags of component @p c, as why() words them, each naming where its function is
 * (an unresolved indirect call: its site). */
static void cat_why(const rtm_sg_graph *g, const sg_scc *c, unsigned flags, char *buf, size_t cap)
{
    const char *sep = "";
    for (int b = 0; b < 4; b++) {
        if (!(flags & (1u << b))) continue;
        cat(buf, cap, "%s%s ", sep, k_reason[b]);
        uint32_t w = c->witness[b];
        if (w == SG_NONE) {
            cat(buf, cap, "an interrupt handler");
        } else if (b == 1) {
            const sg_icall *ic = &g->unres[w];
            if (ic->site) cat(buf, cap, "%s (%s)", g->f[ic->caller].name, ic->site);
            else cat_func(buf, cap, &g->f[ic->caller]);
        } else {
            cat_func(buf, cap, &g->f[w]);
        }
        sep = ", ";
    }
}

/* The reasons @p from_isr of @p r that come from a handler that can preempt it: the lowest such
 * level, its first such handler, after @p sep. */
static void cat_isr_why(const rtm_sg_graph *g, const rtm_sg_root_result *r, unsigned from_isr, char *buf, size_t cap,
                        const char *sep)
{
    for (int l = r->isr ? r->level + 1 : 0; from_isr && l < 256; l++) {
        if (!(g->isr_level_flags[l] & from_isr)) continue;
        const sg_func *h = &g->f[g->isr_level_witness[l]];
        const sg_scc *hc = &g->scc[g->scc_of[g->isr_level_witness[l]]];
        cat(buf, cap, "%sinterrupt handler %s (level %d) is not bounded: ", sep, h->name, l);
        cat_why(g, hc, hc->flags & from_isr, buf, cap);
        break;
    }
}

int rtm_sg_check(const rtm_sg_graph *g, bool strict, rtm_sg_error *why)
{
    /* Inputs with no function at all (empty .su files: GCC writes them for units without
     * functions; a build directory searched before the build) prove nothing: --strict, the CI
     * gate, passed on them. */
    if (strict && g->nroots == 0) {
        if (why) snprintf(why->msg, sizeof why->msg, "--strict: no function in the inputs: nothing is proven");
        return 1;
    }
    for (size_t i = 0; i < g->nroots; i++) {
        const sg_root *rt = &g->roots[i];
        const rtm_sg_root_result *r = &rt->r;
        bool over = root_over(r);
        if (!over && !(strict && r->flags)) continue;
        if (!why) return 1;
        char *m = why->msg;
        size_t cap = sizeof why->msg;
        m[0] = '\0';
        bool limit = r->flags & RTM_SG_F_LIMIT;
        if (over && limit) {
            cat(m, cap, "root %s: worst case exceeds its stack of %ld bytes: more than %ld bytes, the largest figure "
                        "counted", r->name, r->stack, (long)RTM_SG_BYTES_MAX);
        } else if (over) {
            cat(m, cap, "root %s: worst case %ld bytes exceeds its stack of %ld bytes", r->name, r->total, r->stack);
        } else {
            cat(m, cap, "--strict: root %s is %s: ", r->name,
                (r->flags & RTM_SG_F_RECURSION) ? "unbounded" : limit ? "beyond the limit" : "a lower bound");
            const sg_scc *c = &g->scc[rt->chain[0]];
            if (limit)
                cat(m, cap, "worst case more than %ld bytes, the largest figure counted%s", (long)RTM_SG_BYTES_MAX,
                    r->flags & ~RTM_SG_F_LIMIT ? "; " : "");
            cat_why(g, c, c->flags, m, cap);
            cat_isr_why(g, r, r->flags & ~c->flags & ~RTM_SG_F_LIMIT, m, cap, c->flags ? "; " : "");
        }
        rtm_sg__one_line(m);
        return 1;
    }
    /* the interrupt stack, after the roots (its lines come before the table, but a root is what
     * most runs are about) */
    if (g->isr_stack_given) {
        rtm_sg_root_result r = isr_stack_as_root(g);
        bool over = root_over(&r);
        if (over || (strict && r.flags)) {
            if (!why) return 1;
            char *m = why->msg;
            size_t cap = sizeof why->msg;
            m[0] = '\0';
            bool limit = r.flags & RTM_SG_F_LIMIT;
            if (over && limit)
                cat(m, cap, "interrupt stack: worst case exceeds its size of %ld bytes: more than %ld bytes, the largest "
                            "figure counted", r.stack, (long)RTM_SG_BYTES_MAX);
            else if (over)
                cat(m, cap, "interrupt stack: worst case %ld bytes exceeds its size of %ld bytes", r.total, r.stack);
            else {
                cat(m, cap, "--strict: the interrupt stack is %s", (r.flags & RTM_SG_F_RECURSION) ? "unbounded"
                                                                   : limit ? "beyond the limit" : "a lower bound");
                if (limit) cat(m, cap, ": worst case more than %ld bytes, the largest figure counted", (long)RTM_SG_BYTES_MAX);
                cat_isr_why(g, &r, r.flags & ~RTM_SG_F_LIMIT, m, cap, limit ? "; " : ": ");
            }
            rtm_sg__one_line(m);
            return 1;
        }
    }
    if (why) why->msg[0] = '\0';
    return 0;
}

/* ---- JSON ---------------------------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates, at
 * most U+10FFFF), or 0 if the byte at s does not start one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

/* A JSON string. Names come from the user's files, in whatever encoding their source was: well-
 * formed UTF-8 is copied, and every other byte >= 0x80 is written as the Latin-1 character of the
 * same value (\u00XX), so the output is always valid UTF-8 that strict readers (Python's json)
 * accept; control characters and DEL are escaped too. */
static void jstr(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
        unsigned char c = *p;
        size_t n = c >= 0x80 ? utf8_len(p) : 1;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7F || n == 0) fprintf(out, "\\u%04x", c);
        else fwrite(p, 1, n, out);
        p += n == 0 ? 1 : n;
    }
    fputc('"', out);
}

static void jfunc(const rtm_sg_graph *g, FILE *out, const sg_func *f)
{
    (void)g;
    fprintf(out, "{\"name\":");
    jstr(out, f->name);
    fprintf(out, ",\"key\":");
    jstr(out, f->key);
    fprintf(out, ",\"file\":");
    if (f->file) jstr(out, f->file);
    else fprintf(out, "null");
    fprintf(out, ",\"line\":%u,\"col\":%u,\"frame\":%ld,\"qualifier\":\"%s\"}", f->line, f->col, func_frame(f),
            f->frame_override >= 0 ? "annotated"
            : f->qual == RTM_SG_STATIC ? "static"
            : f->qual == RTM_SG_BOUNDED ? "dynamic,bounded"
            : f->qual == RTM_SG_DYNAMIC ? "dynamic" : "none");
}

/* The reasons array of RTM_SG_F_* @p flags. */
static void jreasons(FILE *out, unsigned flags)
{
    static const char *const names[5] = {"dynamic", "indirect", "nodata", "recursion", "limit"};
    const char *sep = "";
    fputc('[', out);
    for (int b = 0; b < 5; b++)
        if (flags & (1u << b)) fprintf(out, "%s\"%s\"", sep, names[b]), sep = ",";
    fputc(']', out);
}

void rtm_sg_report_json(const rtm_sg_graph *g, FILE *out)
{
    fprintf(out, "{\"functions\":%zu,\"calls\":%zu,\"isr_frame\":%ld,\"call_margin\":%ld,\"isr_nesting\":%ld,\"isr_levels\":[",
            g->nf, g->ne, g->opt.isr_frame, g->opt.call_margin, g->nesting_all);
    const char *sep = "";
    for (int l = 0; l < 256; l++)
        if (g->isr_level_max[l] >= 0) {
            fprintf(out, "%s{\"level\":%d,\"isr\":", sep, l);
            jstr(out, g->f[g->isr_level_root[l]].name);
            fprintf(out, ",\"bytes\":%ld}", g->isr_level_max[l]);
            sep = ",";
        }
    fputc(']', out);
    char b1[64], b2[64];
    if (g->isr_stack_given) { /* only then: a run without it writes what it always wrote */
        const rtm_sg_isr_stack_result *is = &g->isr_stack;
        rtm_sg_root_result ir = isr_stack_as_root(g);
        fprintf(out, ",\"isr_stack\":{\"size\":");
        if (is->size >= 0) fprintf(out, "%ld", is->size);
        else fprintf(out, "null");
        fprintf(out, ",\"levels\":%d,\"handlers\":%ld,\"entry_frames\":%ld,\"total\":%ld,\"thread_isr_nesting\":%ld,"
                     "\"status\":",
                is->levels, is->handlers, is->entry_frames, is->total, is->thread_entry);
        jstr(out, status_of(&ir, b2, sizeof b2));
        fprintf(out, ",\"lower_bound\":%s,\"unbounded\":%s,\"reasons\":", ir.flags ? "true" : "false",
                (ir.flags & RTM_SG_F_RECURSION) ? "true" : "false");
        jreasons(out, ir.flags);
        fputc('}', out);
    }
    fprintf(out, ",\n\"roots\":[");
    for (size_t i = 0; i < g->nroots; i++) {
        const sg_root *rt = &g->roots[i];
        const rtm_sg_root_result *r = &rt->r;
        fprintf(out, "%s\n{\"name\":", i ? "," : "");
        jstr(out, r->name);
        fprintf(out, ",\"kind\":\"%s\",\"level\":%d,\"frames\":%ld,\"margin\":%ld,\"isr_nesting\":%ld,\"total\":%ld,\"stack\":",
                r->isr ? "isr" : r->stack >= 0 ? "thread" : "root", r->level, r->frames, r->margin, r->isr_nesting,
                r->total);
        if (r->stack >= 0) fprintf(out, "%ld", r->stack);
        else fprintf(out, "null");
        fprintf(out, ",\"status\":");
        jstr(out, status_of(r, b2, sizeof b2));
        (void)b1;
        fprintf(out, ",\"lower_bound\":%s,\"unbounded\":%s,\"reasons\":", r->flags ? "true" : "false",
                (r->flags & RTM_SG_F_RECURSION) ? "true" : "false");
        jreasons(out, r->flags);
        fprintf(out, ",\"chain\":[");
        const char *site = NULL;
        for (size_t k = 0; k < r->chain_len; k++) {
            const sg_scc *c = &g->scc[rt->chain[k]];
            fprintf(out, "%s{\"bytes\":%ld,\"called_at\":", k ? "," : "", c->frames);
            if (site) jstr(out, site);
            else fprintf(out, "null");
            if (c->cycle) fprintf(out, ",\"recursion_depth\":%u", c->depth);
            fprintf(out, ",\"functions\":[");
            for (uint32_t m = 0; m < c->size; m++) {
                if (m) fputc(',', out);
                jfunc(g, out, &g->f[g->scc_members[c->first + m]]);
            }
            fprintf(out, "]}");
            site = c->exit_edge != SG_NONE ? g->e[c->exit_edge].site : NULL;
        }
        fprintf(out, "]}");
    }
    fprintf(out, "],\n\"unresolved_indirect_calls\":[");
    for (size_t i = 0; i < g->nunres; i++) {
        fprintf(out, "%s{\"caller\":", i ? "," : "");
        jstr(out, g->f[g->unres[i].caller].name);
        fprintf(out, ",\"site\":");
        if (g->unres[i].site) jstr(out, g->unres[i].site);
        else fprintf(out, "null");
        fprintf(out, "}");
    }
    fprintf(out, "],\n\"recursion_cycles\":[");
    sep = "";
    for (size_t s = 0; s < g->nscc; s++) {
        const sg_scc *c = &g->scc[s];
        if (!c->cycle) continue;
        fprintf(out, "%s{\"depth\":", sep);
        if (c->nodepth) fprintf(out, "null");
        else fprintf(out, "%u", c->depth);
        fprintf(out, ",\"functions\":[");
        for (uint32_t m = 0; m < c->size; m++) {
            if (m) fputc(',', out);
            jstr(out, g->f[g->scc_members[c->first + m]].name);
        }
        fprintf(out, "]}");
        sep = ",";
    }
    fprintf(out, "],\n\"dynamic_frames\":[");
    sep = "";
    for (size_t i = 0; i < g->nf; i++)
        if (g->f[i].qual == RTM_SG_DYNAMIC && g->f[i].frame_override < 0) {
            fputs(sep, out);
            jfunc(g, out, &g->f[i]);
            sep = ",";
        }
    fprintf(out, "],\n\"no_data\":[");
    sep = "";
    for (size_t i = 0; i < g->nf; i++)
        if (lacks_data(&g->f[i])) {
            fputs(sep, out);
            jstr(out, g->f[i].name);
            sep = ",";
        }
    fprintf(out, "],\n\"file_local_joins\":[");
    for (size_t j = 0, e; j < g->njoins; j = e) {
        const sg_func *p = &g->f[g->joins[j].plain];
        e = join_group_end(g, j);
        fprintf(out, "%s{\"name\":", j ? "," : "");
        jstr(out, p->key);
        fprintf(out, ",\"file_local\":[");
        for (size_t k = j; k < e; k++) {
            if (k > j) fputc(',', out);
            jstr(out, g->f[g->joins[k].local].key);
        }
        fprintf(out, "],\"external\":%s}", p->alias == SG_NONE ? "true" : "false");
    }
    fprintf(out, "],\n\"defined_twice\":[");
    sep = "";
    for (size_t i = 0; i < g->nf; i++)
        if (g->f[i].dup_def) {
            fputs(sep, out);
            jstr(out, g->f[i].key);
            sep = ",";
        }
    fprintf(out, "]}\n");
}
