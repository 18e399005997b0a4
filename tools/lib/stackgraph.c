/*
 * stackgraph analysis: worst-case stack depth over GCC's call graph.
 *
 * 1. .su records are merged into the .ci nodes (matched by file:line:col and name); functions seen
 *    only in .su files become nodes without calls. "FILE:NAME" definitions (static, weak or COMDAT)
 *    are joined with the plain "NAME" of the same name: callers of a weak default also reach the
 *    external definition that may override it, and calls to a NAME that only FILE:NAME definitions
 *    define go to those (join_file_local_names).
 * 2. Annotations are applied: frame bounds, thread stacks, ISR levels, recursion depths, and the
 *    targets of indirect calls (per call site, per calling function, or per function-pointer type),
 *    which become ordinary edges. Indirect calls left without targets are listed.
 * 3. Tarjan's algorithm (iterative) finds the strongly connected components; a component with more
 *    than one function or a self-call is a recursion cycle. Its weight is depth x (sum of its
 *    frames), depth from a 'recursion' annotation, else 1 and the result is marked unbounded.
 *    This is an upper bound for any path that stays inside the cycle while each of its functions
 *    is active at most `depth` times at once.
 * 4. Tarjan emits components callees-first, so one pass computes each component's worst chain:
 *    best = weight + max(best of the components it calls). Flags (unbounded dynamic frame,
 *    unresolved indirect call, function without data, unbounded recursion) are OR-ed along every
 *    edge, so a root is marked when anything it can reach is, not only its worst chain.
 * 5. Roots (unless --root names them): annotated ones, and one function per component that nothing
 *    outside it calls (a recursion cycle nobody else calls is one root; a function without data
 *    too, a lower bound, so that --strict sees it).
 *    ISR nesting: the worst ISR chain of each preemption level (plus the bytes the hardware pushes
 *    per entry), summed over levels, is added on top of every non-ISR root; an ISR gets the levels
 *    above its own. Flags come from every handler that can preempt, not only the worst per level.
 *    With an interrupt stack (isr_stack): a thread takes one entry frame and no handler's flags; the
 *    interrupt stack holds the levels' worst chains and the frames of the nested entries.
 * O(F + E) time and memory for F functions and E calls (plus hashing of the names).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stackgraph_int.h"

/* ---- helpers (shared with stackgraph_parse.c) ------------------------------------------------ */

uint32_t rtm_sg__func(rtm_sg_graph *g, const char *key, size_t keylen);

/* An error message is one line: control characters it quotes from the input (a .ci string with
 * "\n" in it, a CR or ESC inside a name) become '?'. */
void rtm_sg__one_line(char *msg)
{
    for (; *msg; msg++)
        if ((unsigned char)*msg < 0x20 || *msg == 0x7f) *msg = '?';
}

/* Bytes of a file name a message keeps at least (the message is cut before the name goes below). */
#define SG_FILE_MIN 64

/* err->msg = "FILE:LINE: message" ("FILE: message" if line is 0), one line. When it does not fit,
 * FILE gives way, not the line or the message (a deep build tree's path filled the buffer and the
 * message was the path alone): its start is replaced by "...", keeping the end, the part that tells
 * files apart ("...build/lib/x.su:3: ..."). Returns -1 (err may be NULL). */
int rtm_sg__fail(rtm_sg_error *err, const char *file, unsigned line, const char *fmt, ...)
{
    if (!err) return -1;
    va_list ap;
    va_start(ap, fmt);
    char text[sizeof err->msg], where[16];
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (line) snprintf(where, sizeof where, ":%u: ", line);
    else snprintf(where, sizeof where, ": ");
    size_t cap = sizeof err->msg - 1, wn = strlen(where), tn = strlen(text), fn = strlen(file);
    if (wn + tn > cap - SG_FILE_MIN) tn = cap - SG_FILE_MIN - wn, text[tn] = '\0';
    char *o = err->msg;
    if (fn > cap - wn - tn) {
        size_t keep = cap - wn - tn - 3;
        file += fn - keep, fn = keep;
        while (fn && ((unsigned char)*file & 0xC0) == 0x80) file++, fn--; /* not inside a UTF-8 sequence */
        memcpy(o, "...", 3), o += 3;
    }
    memcpy(o, file, fn), o += fn;
    memcpy(o, where, wn), o += wn;
    memcpy(o, text, tn), o += tn;
    *o = '\0';
    rtm_sg__one_line(err->msg);
    return -1;
}

void *rtm_sg__grow(void *p, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap) return p;
    size_t c = *cap ? *cap : 16;
    while (c < n) c *= 2;
    void *q = realloc(p, c * elem);
    if (!q) abort(); /* host tool: out of memory is fatal */
    *cap = c;
    return q;
}

char *rtm_sg__strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static void map_insert(rtm_sg_graph *g, uint32_t id)
{
    size_t mask = g->map.cap - 1;
    size_t i = (size_t)hash_str(g->f[id].key, strlen(g->f[id].key)) & mask;
    while (g->map.keys[i] != SG_NONE) i = (i + 1) & mask;
    g->map.keys[i] = id;
}

static uint32_t map_find(const rtm_sg_graph *g, const char *key, size_t n)
{
    if (!g->map.cap) return SG_NONE;
    size_t mask = g->map.cap - 1;
    for (size_t i = (size_t)hash_str(key, n) & mask;; i = (i + 1) & mask) {
        uint32_t id = g->map.keys[i];
        if (id == SG_NONE) return SG_NONE;
        if (strlen(g->f[id].key) == n && !memcmp(g->f[id].key, key, n)) return id;
    }
}

uint32_t rtm_sg__func(rtm_sg_graph *g, const char *key, size_t n)
{
    uint32_t id = map_find(g, key, n);
    if (id != SG_NONE) return id;
    if (g->nf + 1 > g->map.cap / 2) {
        size_t cap = g->map.cap ? g->map.cap * 2 : 1024;
        free(g->map.keys);
        g->map.keys = malloc(cap * sizeof *g->map.keys);
        if (!g->map.keys) abort();
        memset(g->map.keys, 0xFF, cap * sizeof *g->map.keys);
        g->map.cap = cap;
        for (uint32_t i = 0; i < g->nf; i++) map_insert(g, i);
    }
    g->f = rtm_sg__grow(g->f, &g->cf, g->nf + 1, sizeof *g->f);
    id = (uint32_t)g->nf++;
    sg_func *f = &g->f[id];
    memset(f, 0, sizeof *f);
    f->key = rtm_sg__strndup(key, n);
    f->name = rtm_sg__strndup(key, n);
    f->frame_override = -1;
    f->isr_level = -1;
    f->stack = -1;
    f->alias = SG_NONE;
    map_insert(g, id);
    return id;
}

rtm_sg_graph *rtm_sg_new(void)
{
    rtm_sg_graph *g = calloc(1, sizeof *g);
    if (!g) abort();
    for (int l = 0; l < 256; l++) g->isr_level_max[l] = -1, g->isr_level_root[l] = SG_NONE;
    return g;
}

void rtm_sg_free(rtm_sg_graph *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->nf; i++) {
        free(g->f[i].key);
        free(g->f[i].name);
        free(g->f[i].file);
    }
    for (size_t i = 0; i < g->ne; i++) free(g->e[i].site);
    for (size_t i = 0; i < g->nic; i++) free(g->ic[i].site);
    for (size_t i = 0; i < g->nsu; i++) {
        free(g->su[i].file);
        free(g->su[i].name);
    }
    for (size_t i = 0; i < g->nd; i++) {
        free(g->d[i].origin);
        free(g->d[i].a);
        for (size_t t = 0; t < g->d[i].ntargets; t++) free(g->d[i].targets[t]);
        free(g->d[i].targets);
    }
    for (size_t i = 0; i < g->nroots; i++) free(g->roots[i].chain);
    free(g->f);
    free(g->map.keys);
    free(g->e);
    free(g->ic);
    free(g->su);
    free(g->d);
    free(g->joins);
    free(g->adj_start);
    free(g->adj);
    free(g->scc_of);
    free(g->scc_members);
    free(g->scc);
    free(g->unres);
    free(g->unres_of);
    free(g->roots);
    free(g->isr_stack_origin);
    free(g);
}

static int afail(rtm_sg_error *err, const sg_directive *d, const char *msg, const char *name)
{
    return rtm_sg__fail(err, d->origin, d->line, "%s '%s'", msg, name);
}

/* ---- step 1: .su records ---------------------------------------------------------------------- */

static uint64_t loc_hash(const char *file, unsigned line, unsigned col, const char *name)
{
    return hash_str(file, strlen(file)) ^ (hash_str(name, strlen(name)) * 31u) ^ ((uint64_t)line << 20) ^ col;
}

/* .su records in a fixed order (file, line, col, name, figure, qualifier), whatever order the files
 * came in: a record that matches no .ci node takes the plain name if it is free, else FILE:NAME, so
 * the first of two same-named functions must be the same one however the files are ordered. */
static int cmp_su(const void *pa, const void *pb)
{
    const sg_su *a = pa, *b = pb;
    int c = strcmp(a->file, b->file);
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    c = strcmp(a->name, b->name);
    if (c) return c;
    if (a->frame != b->frame) return a->frame < b->frame ? -1 : 1;
    return (int)a->qual - (int)b->qual;
}

static void merge_su(rtm_sg_graph *g)
{
    if (g->nsu) qsort(g->su, g->nsu, sizeof *g->su, cmp_su);
    /* .ci functions defined at a known place, indexed by (file, line, col, name): C++ titles are
     * mangled (_ZN2ns1gEi) while .su and labels carry the demangled name ("int ns::g(int)"). */
    size_t cap = 16;
    while (cap < 2 * g->nf + 2) cap *= 2;
    uint32_t *tab = malloc(cap * sizeof *tab);
    if (!tab) abort();
    memset(tab, 0xFF, cap * sizeof *tab);
    for (uint32_t id = 0; id < g->nf; id++) {
        const sg_func *f = &g->f[id];
        if (!f->loc_def) continue;
        size_t k = (size_t)loc_hash(f->file, f->line, f->col, f->name) & (cap - 1);
        while (tab[k] != SG_NONE) k = (k + 1) & (cap - 1);
        tab[k] = id;
    }
    for (size_t i = 0; i < g->nsu; i++) {
        sg_su *s = &g->su[i];
        uint32_t hit = SG_NONE;
        for (size_t k = (size_t)loc_hash(s->file, s->line, s->col, s->name) & (cap - 1); tab[k] != SG_NONE;
             k = (k + 1) & (cap - 1)) {
            const sg_func *f = &g->f[tab[k]];
            if (f->line == s->line && f->col == s->col && !strcmp(f->file, s->file) && !strcmp(f->name, s->name)) {
                hit = tab[k];
                break;
            }
        }
        if (hit != SG_NONE) goto merge;
        /* A .ci node has key = name (external) or "file:name" (static). Try both. A function defined
         * in two units keeps one place (the smaller location: apply_node_label): a record from the
         * other unit is the same function too (the larger figure counts), whichever .ci came first. */
        uint32_t a = map_find(g, s->name, strlen(s->name));
        if (a != SG_NONE && (!g->f[a].loc_def || g->f[a].dup_def ||
                             (g->f[a].line == s->line && !strcmp(g->f[a].file, s->file))))
            hit = a;
        if (hit == SG_NONE) {
            size_t kn = strlen(s->file) + 1 + strlen(s->name);
            char *k = malloc(kn + 1);
            if (!k) abort();
            snprintf(k, kn + 1, "%s:%s", s->file, s->name);
            uint32_t b = map_find(g, k, kn);
            if (b == SG_NONE && a == SG_NONE) b = rtm_sg__func(g, s->name, strlen(s->name));
            else if (b == SG_NONE) b = rtm_sg__func(g, k, kn); /* same name elsewhere: a static */
            free(k);
            hit = b;
        }
    merge:;
        sg_func *f = &g->f[hit];
        if (strcmp(f->name, f->key) == 0 || strchr(f->name, ':')) {
            free(f->name);
            f->name = rtm_sg__strndup(s->name, strlen(s->name));
        }
        if (!f->loc_def) {
            free(f->file);
            f->loc_def = true;
            f->file = rtm_sg__strndup(s->file, strlen(s->file));
            f->line = s->line;
            f->col = s->col;
        }
        if (f->qual == RTM_SG_NODATA || s->frame > f->frame) f->frame = s->frame;
        if (s->qual > f->qual) f->qual = s->qual;
    }
    free(tab);
}

/* ---- step 1b: file-local and weak definitions ------------------------------------------------------ */

static const rtm_sg_graph *g_join_graph; /* qsort has no context argument in C11 */
static int cmp_join(const void *pa, const void *pb)
{
    const sg_join *a = pa, *b = pb;
    int c = strcmp(g_join_graph->f[a->plain].key, g_join_graph->f[b->plain].key);
    return c ? c : strcmp(g_join_graph->f[a->local].key, g_join_graph->f[b->local].key);
}

static void add_call(rtm_sg_graph *g, uint32_t from, uint32_t to, const char *site)
{
    g->e = rtm_sg__grow(g->e, &g->ce, g->ne + 1, sizeof *g->e);
    g->e[g->ne++] = (sg_edge){from, to, site ? rtm_sg__strndup(site, strlen(site)) : NULL, false};
}

/* GCC titles "FILE:NAME" whatever is not public and strong: a static function, but also a weak
 * definition or a C++ inline function, and the .ci and .su do not say which (stackgraph_parse.c).
 * Taking every FILE:NAME for a static under-reports without a word when a unit calls its own weak
 * default (a HAL's rx_callback) that the application overrides: the call names FILE:NAME, while
 * the linker keeps the strong NAME. So, per name that has both:
 *   - NAME is defined (an external definition, or data from a .su): every caller of FILE:NAME
 *     also calls NAME, and the worst of the two counts. If FILE:NAME was a true static that shares
 *     its name with an external function, that is an overestimate, never an underestimate.
 *   - NAME is only declared (a call from another unit to a weak function nobody overrides): its
 *     calls go to the FILE:NAME definition, or to all of them (the worst counts) if there are
 *     several; annotations naming NAME apply to that one definition (ambiguous if several).
 * Each join is listed in the report's problems: it rests on the files given being one program.
 * Runs before annotations; edges added by icall annotations name their targets themselves.
 * O(F + E) after sorting the joins. */
static void join_file_local_names(rtm_sg_graph *g)
{
    for (uint32_t id = 0; id < g->nf; id++) {
        const sg_func *f = &g->f[id];
        if (!f->local_off) continue;
        const char *name = f->key + f->local_off;
        uint32_t p = map_find(g, name, strlen(name));
        if (p == SG_NONE || p == id) continue;
        g->joins = rtm_sg__grow(g->joins, &g->cjoins, g->njoins + 1, sizeof *g->joins);
        g->joins[g->njoins++] = (sg_join){p, id};
    }
    if (!g->njoins) return;
    g_join_graph = g;
    qsort(g->joins, g->njoins, sizeof *g->joins, cmp_join);
    /* per node: the external NAME a FILE:NAME also stands for; the first join of a declared NAME */
    uint32_t *also = malloc(g->nf * sizeof *also), *first = malloc(g->nf * sizeof *first);
    if (!also || !first) abort();
    memset(also, 0xFF, g->nf * sizeof *also);
    memset(first, 0xFF, g->nf * sizeof *first);
    for (size_t j = 0; j < g->njoins; j++) {
        const sg_join *jn = &g->joins[j];
        sg_func *p = &g->f[jn->plain];
        bool defined = p->loc_def || p->qual != RTM_SG_NODATA;
        if (defined) {
            also[jn->local] = jn->plain;
        } else if (first[jn->plain] == SG_NONE) {
            first[jn->plain] = (uint32_t)j;
            p->alias = jn->local;
        } else {
            p->alias = SG_NONE - 1;
        }
    }
    size_t ne = g->ne; /* the edges added here need no joining: their targets are plain names */
    for (size_t i = 0; i < ne; i++) {
        uint32_t to = g->e[i].to;
        if (also[to] != SG_NONE) add_call(g, g->e[i].from, also[to], g->e[i].site);
        if (first[to] == SG_NONE) continue;
        size_t j = first[to];
        g->e[i].to = g->joins[j].local;
        for (j++; j < g->njoins && g->joins[j].plain == to; j++)
            add_call(g, g->e[i].from, g->joins[j].local, g->e[i].site);
    }
    free(also);
    free(first);
}

/* ---- step 2: annotations ------------------------------------------------------------------------ */

/* A function named by an annotation: its .ci key ("name" or "file.c:name"; a declared name whose
 * calls went to FILE:NAME definitions stands for them), else its plain name if that is unique.
 * Returns SG_NONE if unknown, SG_NONE - 1 if ambiguous. */
static uint32_t lookup_name(const rtm_sg_graph *g, const uint32_t *byname, size_t nbyname, const char *name)
{
    uint32_t id = map_find(g, name, strlen(name));
    if (id != SG_NONE) return g->f[id].alias != SG_NONE ? g->f[id].alias : id;
    /* binary search in byname (ids sorted by name) */
    size_t lo = 0, hi = nbyname;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(g->f[byname[mid]].name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= nbyname || strcmp(g->f[byname[lo]].name, name) != 0) return SG_NONE;
    if (lo + 1 < nbyname && strcmp(g->f[byname[lo + 1]].name, name) == 0) return SG_NONE - 1;
    return byname[lo];
}

static const rtm_sg_graph *g_sort_graph; /* qsort has no context argument in C11 */
static int cmp_byname(const void *a, const void *b)
{
    const sg_func *fa = &g_sort_graph->f[*(const uint32_t *)a], *fb = &g_sort_graph->f[*(const uint32_t *)b];
    return strcmp(fa->name, fb->name);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Does call site "file:line:col" match the annotation "FILE:LINE[:COL]"? Files compare by base name
 * when the annotation gives none, else as a path suffix. */
static bool site_matches(const char *site, const char *pat)
{
    if (!site) return false;
    const char *sc1 = strrchr(site, ':');
    if (!sc1) return false;
    const char *sc2 = sc1;
    while (sc2 > site && sc2[-1] != ':') sc2--;
    if (sc2 == site) return false;
    sc2--; /* site = FILE sc2 LINE sc1 COL */
    /* pattern: FILE:LINE or FILE:LINE:COL */
    const char *pc1 = strrchr(pat, ':');
    if (!pc1) return false;
    const char *pline, *pcol = NULL;
    const char *pfile_end;
    const char *pc0 = pc1;
    while (pc0 > pat && pc0[-1] != ':') pc0--;
    /* is the part before pc1 also a number (then the pattern has a column)? */
    bool two = false;
    if (pc0 > pat) {
        two = true;
        for (const char *q = pc0; q < pc1; q++)
            if (*q < '0' || *q > '9') two = false;
        if (pc0 == pc1) two = false;
    }
    if (two) pfile_end = pc0 - 1, pline = pc0, pcol = pc1 + 1;
    else pfile_end = pc1, pline = pc1 + 1;
    size_t plen = (size_t)(pfile_end - pat);
    size_t slen = (size_t)(sc2 - site);
    /* line */
    size_t pl = (size_t)((two ? pc1 : pat + strlen(pat)) - pline);
    if ((size_t)(sc1 - sc2 - 1) != pl || memcmp(sc2 + 1, pline, pl) != 0) return false;
    if (pcol && strcmp(sc1 + 1, pcol) != 0) return false;
    /* file */
    if (memchr(pat, '/', plen) == NULL) {
        const char *sb = site;
        for (const char *q = site; q < sc2; q++)
            if (*q == '/') sb = q + 1;
        return (size_t)(sc2 - sb) == plen && !memcmp(sb, pat, plen);
    }
    return slen >= plen && !memcmp(sc2 - plen, pat, plen) && (slen == plen || sc2[-(long)plen - 1] == '/');
}

static bool is_site(const char *s)
{
    const char *c = strrchr(s, ':');
    if (!c || !c[1]) return false;
    for (const char *q = c + 1; *q; q++)
        if (*q < '0' || *q > '9') return false;
    return true;
}

static void add_edge(rtm_sg_graph *g, uint32_t from, uint32_t to, const char *site)
{
    g->e = rtm_sg__grow(g->e, &g->ce, g->ne + 1, sizeof *g->e);
    g->e[g->ne++] = (sg_edge){from, to, site ? rtm_sg__strndup(site, strlen(site)) : NULL, true};
}

/* The edges from index first on were added for one indirect call: keeps the first edge to each
 * target. O(k^2) in the k targets of that call, which annotations list by hand. */
static void drop_repeated_targets(rtm_sg_graph *g, size_t first)
{
    size_t kept = first;
    for (size_t i = first; i < g->ne; i++) {
        bool seen = false;
        for (size_t j = first; j < kept && !seen; j++) seen = g->e[j].to == g->e[i].to;
        if (seen) {
            free(g->e[i].site);
        } else {
            g->e[kept++] = g->e[i];
        }
    }
    g->ne = kept;
}

/* Adds the targets of directive d (names or @types) as edges from caller. */
static int add_targets(rtm_sg_graph *g, const uint32_t *byname, size_t nb, const sg_directive *d, uint32_t caller,
                       const char *site, rtm_sg_error *err)
{
    for (size_t t = 0; t < d->ntargets; t++) {
        const char *name = d->targets[t];
        if (name[0] == '@') {
            bool found = false;
            for (size_t j = 0; j < g->nd; j++) {
                const sg_directive *td = &g->d[j];
                if (td->kind != SG_D_FPTYPE || strcmp(td->a, name + 1)) continue;
                found = true;
                for (size_t k = 0; k < td->ntargets; k++) {
                    uint32_t id = lookup_name(g, byname, nb, td->targets[k]);
                    if (id >= SG_NONE - 1)
                        return afail(err, td, id == SG_NONE ? "unknown function" : "ambiguous name (use FILE:NAME)",
                                     td->targets[k]);
                    add_edge(g, caller, id, site);
                }
            }
            if (!found) return afail(err, d, "no fptype annotation for type", name + 1);
            continue;
        }
        uint32_t id = lookup_name(g, byname, nb, name);
        if (id >= SG_NONE - 1)
            return afail(err, d, id == SG_NONE ? "unknown function" : "ambiguous name (use FILE:NAME)", name);
        add_edge(g, caller, id, site);
    }
    return 0;
}

static int apply_annotations(rtm_sg_graph *g, rtm_sg_error *err)
{
    uint32_t *byname = malloc((g->nf + 1) * sizeof *byname);
    if (!byname) abort();
    for (uint32_t i = 0; i < g->nf; i++) byname[i] = i;
    g_sort_graph = g;
    qsort(byname, g->nf, sizeof *byname, cmp_byname);
    size_t nb = g->nf;
    int rc = -1;
    for (size_t i = 0; i < g->nd; i++) {
        const sg_directive *d = &g->d[i];
        if (d->kind == SG_D_FPTYPE || d->kind == SG_D_ICALL) continue;
        uint32_t id = lookup_name(g, byname, nb, d->a);
        if (id == SG_NONE - 1) {
            afail(err, d, "ambiguous name (use FILE:NAME)", d->a);
            goto out;
        }
        if (id == SG_NONE) {
            if (d->kind == SG_D_FRAME) continue; /* a bound for a function this program does not use */
            afail(err, d, "unknown function", d->a);
            goto out;
        }
        sg_func *f = &g->f[id];
        switch (d->kind) {
        case SG_D_THREAD: f->stack = d->n, f->want_root = true; break;
        case SG_D_ISR: f->isr_level = (int)d->n, f->want_root = true; break;
        case SG_D_ROOT: f->want_root = true; break;
        case SG_D_FRAME: f->frame_override = d->n; break;
        case SG_D_RECURSION: /* the same member twice: the larger depth, as for two members */
            if ((unsigned)d->n > f->rec_depth) f->rec_depth = (unsigned)d->n;
            break;
        default: break;
        }
    }
    /* Indirect calls: the site directives that match a call, or if there are none, the directives
     * for its calling function. Every matching directive of that kind adds its targets (the union,
     * whatever order files and lines come in: dropping one's targets would make the bound too
     * small); a target named twice is one edge. */
    for (size_t i = 0; i < g->nic; i++) {
        sg_icall *ic = &g->ic[i];
        size_t first_edge = g->ne;
        bool done = false;
        for (size_t j = 0; j < g->nd; j++) {
            const sg_directive *d = &g->d[j];
            if (d->kind != SG_D_ICALL || !is_site(d->a) || !site_matches(ic->site, d->a)) continue;
            if (add_targets(g, byname, nb, d, ic->caller, ic->site, err)) goto out;
            done = true;
        }
        for (size_t j = 0; j < g->nd && !done; j++) {
            const sg_directive *d = &g->d[j];
            if (d->kind != SG_D_ICALL || is_site(d->a)) continue;
            uint32_t id = lookup_name(g, byname, nb, d->a);
            if (id == SG_NONE - 1) {
                afail(err, d, "ambiguous name (use FILE:NAME)", d->a);
                goto out;
            }
            if (id != ic->caller) continue;
            if (add_targets(g, byname, nb, d, ic->caller, ic->site, err)) goto out;
        }
        drop_repeated_targets(g, first_edge);
        done = g->ne > first_edge;
        if (!done) {
            g->unres = rtm_sg__grow(g->unres, &g->cunres, g->nunres + 1, sizeof *g->unres);
            g->unres[g->nunres++] = *ic;
        }
    }
    /* icall directives that name an unknown function, or a site no call matches, are errors: an
     * annotation that silently does nothing is how stale files hide real problems. */
    for (size_t j = 0; j < g->nd; j++) {
        const sg_directive *d = &g->d[j];
        if (d->kind != SG_D_ICALL) continue;
        bool used = false;
        if (is_site(d->a)) {
            for (size_t i = 0; i < g->nic && !used; i++) used = site_matches(g->ic[i].site, d->a);
            if (!used) {
                afail(err, d, "no indirect call at", d->a);
                goto out;
            }
        } else {
            uint32_t id = lookup_name(g, byname, nb, d->a);
            if (id >= SG_NONE - 1) {
                afail(err, d, id == SG_NONE ? "unknown function" : "ambiguous name (use FILE:NAME)", d->a);
                goto out;
            }
            if (!g->f[id].has_icall) {
                afail(err, d, "no indirect call in", d->a);
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(byname);
    return rc;
}

/* ---- step 3 and 4: components and worst chains ------------------------------------------------- */

static void build_adjacency(rtm_sg_graph *g)
{
    g->adj_start = calloc(g->nf + 1, sizeof *g->adj_start);
    g->adj = malloc((g->ne + 1) * sizeof *g->adj);
    if (!g->adj_start || !g->adj) abort();
    for (size_t i = 0; i < g->ne; i++) g->adj_start[g->e[i].from + 1]++;
    for (size_t i = 0; i < g->nf; i++) g->adj_start[i + 1] += g->adj_start[i];
    uint32_t *fill = malloc((g->nf + 1) * sizeof *fill);
    if (!fill) abort();
    memcpy(fill, g->adj_start, (g->nf + 1) * sizeof *fill);
    for (size_t i = 0; i < g->ne; i++) g->adj[fill[g->e[i].from]++] = (uint32_t)i;
    free(fill);
}

static void tarjan(rtm_sg_graph *g)
{
    size_t n = g->nf;
    uint32_t *index = malloc((n + 1) * sizeof *index), *low = malloc((n + 1) * sizeof *low);
    uint32_t *stack = malloc((n + 1) * sizeof *stack), *cstack = malloc((n + 1) * sizeof *cstack);
    uint32_t *cpos = malloc((n + 1) * sizeof *cpos);
    bool *on = calloc(n + 1, sizeof *on);
    g->scc_of = malloc((n + 1) * sizeof *g->scc_of);
    g->scc_members = malloc((n + 1) * sizeof *g->scc_members);
    g->scc = calloc(n + 1, sizeof *g->scc);
    if (!index || !low || !stack || !cstack || !cpos || !on || !g->scc_of || !g->scc_members || !g->scc) abort();
    memset(index, 0xFF, (n + 1) * sizeof *index);
    uint32_t next_index = 0, sp = 0, members = 0;
    for (uint32_t r = 0; r < n; r++) {
        if (index[r] != SG_NONE) continue;
        size_t csp = 0;
        cstack[csp] = r, cpos[csp++] = g->adj_start[r];
        index[r] = low[r] = next_index++;
        stack[sp++] = r, on[r] = true;
        while (csp) {
            uint32_t v = cstack[csp - 1];
            if (cpos[csp - 1] < g->adj_start[v + 1]) {
                uint32_t w = g->e[g->adj[cpos[csp - 1]++]].to;
                if (index[w] == SG_NONE) {
                    index[w] = low[w] = next_index++;
                    stack[sp++] = w, on[w] = true;
                    cstack[csp] = w, cpos[csp++] = g->adj_start[w];
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            csp--;
            if (csp && low[v] < low[cstack[csp - 1]]) low[cstack[csp - 1]] = low[v];
            if (low[v] != index[v]) continue;
            sg_scc *c = &g->scc[g->nscc];
            c->first = members;
            uint32_t w;
            do {
                w = stack[--sp];
                on[w] = false;
                g->scc_of[w] = (uint32_t)g->nscc;
                g->scc_members[members++] = w;
            } while (w != v);
            c->size = members - c->first;
            g->nscc++;
        }
    }
    free(index), free(low), free(stack), free(cstack), free(cpos), free(on);
}

/* Byte counts saturate at RTM_SG_BYTES_MAX (a figure no stack has) instead of overflowing: a .su
 * file or annotation may hold absurd numbers. All operands are >= 0; once a sum reaches the limit,
 * every sum it goes into stays there, so a root whose total is at the limit is flagged
 * RTM_SG_F_LIMIT (its true worst case is larger: not a bound). */
#define SG_BYTES_MAX RTM_SG_BYTES_MAX
static long sat_add(long a, long b) { return a > SG_BYTES_MAX - b ? SG_BYTES_MAX : a + b; }
static long sat_mul(long a, unsigned b) { return b && a > SG_BYTES_MAX / (long)b ? SG_BYTES_MAX : a * (long)b; }

static long func_frame(const sg_func *f)
{
    if (f->frame_override >= 0) return f->frame_override;
    return f->frame;
}

static unsigned func_flags(const sg_func *f)
{
    if (f->frame_override >= 0) return 0;
    if (f->qual == RTM_SG_NODATA) return RTM_SG_F_NODATA;
    if (f->qual == RTM_SG_DYNAMIC) return RTM_SG_F_DYNAMIC;
    return 0;
}

static int flag_bit(unsigned flag)
{
    int b = 0;
    while (!(flag & 1u)) flag >>= 1, b++;
    return b;
}

static void chains(rtm_sg_graph *g)
{
    long margin = g->opt.call_margin;
    g->unres_of = malloc((g->nf + 1) * sizeof *g->unres_of);
    if (!g->unres_of) abort();
    memset(g->unres_of, 0xFF, (g->nf + 1) * sizeof *g->unres_of);
    for (size_t i = g->nunres; i-- > 0;) g->unres_of[g->unres[i].caller] = (uint32_t)i;
    for (size_t s = 0; s < g->nscc; s++) {
        sg_scc *c = &g->scc[s];
        for (int b = 0; b < 4; b++) c->witness[b] = SG_NONE;
        c->cycle = c->size > 1;
        unsigned depth = 0;
        long sum = 0, fsum = 0;
        for (uint32_t m = 0; m < c->size; m++) {
            uint32_t v = g->scc_members[c->first + m];
            const sg_func *f = &g->f[v];
            for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1]; k++)
                if (g->e[g->adj[k]].to == v) c->cycle = true;
            if (f->rec_depth > depth) depth = f->rec_depth;
            sum = sat_add(sum, sat_add(func_frame(f), margin));
            fsum = sat_add(fsum, func_frame(f));
            unsigned fl = func_flags(f);
            if (fl && !(c->flags & fl)) c->flags |= fl, c->witness[flag_bit(fl)] = v;
            if (g->unres_of[v] != SG_NONE && !(c->flags & RTM_SG_F_ICALL)) {
                c->flags |= RTM_SG_F_ICALL;
                c->witness[flag_bit(RTM_SG_F_ICALL)] = g->unres_of[v];
            }
        }
        if (!c->cycle) depth = 1;
        else if (depth == 0) {
            depth = 1;
            c->nodepth = true;
            c->flags |= RTM_SG_F_RECURSION;
            c->witness[flag_bit(RTM_SG_F_RECURSION)] = g->scc_members[c->first];
        }
        if (c->cycle) g->ncycles++;
        c->depth = depth;
        c->cost = sat_mul(sum, depth);
        c->frames = sat_mul(fsum, depth);
        c->count = sat_mul((long)c->size, depth);
        c->best = c->cost, c->best_frames = c->frames, c->best_count = c->count;
        c->next = SG_NONE;
        c->exit_edge = SG_NONE;
        long bestnext = -1;
        for (uint32_t m = 0; m < c->size; m++) {
            uint32_t v = g->scc_members[c->first + m];
            for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1]; k++) {
                uint32_t eid = g->adj[k];
                uint32_t t = g->scc_of[g->e[eid].to];
                if (t == s) continue;
                const sg_scc *tc = &g->scc[t];
                for (int b = 0; b < 4; b++)
                    if ((tc->flags & (1u << b)) && !(c->flags & (1u << b))) c->flags |= 1u << b, c->witness[b] = tc->witness[b];
                /* ties: the first edge in input order wins, for stable output */
                if (tc->best > bestnext) {
                    bestnext = tc->best;
                    c->next = t;
                    c->exit_edge = eid;
                }
            }
        }
        if (c->next != SG_NONE) {
            const sg_scc *tc = &g->scc[c->next];
            c->best = sat_add(c->best, tc->best);
            c->best_frames = sat_add(c->best_frames, tc->best_frames);
            c->best_count = sat_add(c->best_count, tc->best_count);
        }
    }
}

/* ---- step 5: roots ------------------------------------------------------------------------------ */

static int cmp_roots(const void *a, const void *b)
{
    const sg_root *x = a, *y = b;
    if (x->r.total != y->r.total) return x->r.total > y->r.total ? -1 : 1;
    return strcmp(x->r.name, y->r.name);
}

/* Orders functions by name, then key: which member stands for a component, whatever the order of
 * the files. */
static bool name_before(const sg_func *a, const sg_func *b)
{
    int c = strcmp(a->name, b->name);
    return c ? c < 0 : strcmp(a->key, b->key) < 0;
}

/* Roots without --root: the functions an annotation makes roots, and one function per strongly
 * connected component that nothing outside it calls: the first by name (name_before) of its
 * functions with stack data, or if none has any, of the others. For a single function that is
 * "nobody else calls it"; a recursion cycle nobody outside calls (ping <-> pong: each has a caller)
 * is one root standing for the cycle, unless an annotation already names one of its members.
 * A function without data nobody calls is a definition whose .su is missing (plain
 * -fcallgraph-info), and its result is no bound: a root, so that --strict sees it. Not one: a
 * declared NAME whose calls went to FILE:NAME definitions (join_file_local_names). */
static void choose_default_roots(rtm_sg_graph *g, bool *chosen)
{
    bool *called = calloc(g->nscc + 1, sizeof *called), *named = calloc(g->nscc + 1, sizeof *named);
    uint32_t *pick = malloc((g->nscc + 1) * sizeof *pick), *pick_nodata = malloc((g->nscc + 1) * sizeof *pick_nodata);
    if (!called || !named || !pick || !pick_nodata) abort();
    memset(pick, 0xFF, (g->nscc + 1) * sizeof *pick);
    memset(pick_nodata, 0xFF, (g->nscc + 1) * sizeof *pick_nodata);
    for (size_t i = 0; i < g->ne; i++)
        if (g->scc_of[g->e[i].from] != g->scc_of[g->e[i].to]) called[g->scc_of[g->e[i].to]] = true;
    for (uint32_t v = 0; v < g->nf; v++) {
        const sg_func *f = &g->f[v];
        uint32_t s = g->scc_of[v];
        uint32_t *p = f->qual != RTM_SG_NODATA ? &pick[s] : f->alias == SG_NONE ? &pick_nodata[s] : NULL;
        if (f->want_root) chosen[v] = named[s] = true;
        else if (!called[s] && p && (*p == SG_NONE || name_before(f, &g->f[*p]))) *p = v;
    }
    for (size_t s = 0; s < g->nscc; s++) {
        uint32_t v = pick[s] != SG_NONE ? pick[s] : pick_nodata[s];
        if (v != SG_NONE && !named[s]) chosen[v] = true;
    }
    free(called), free(named), free(pick), free(pick_nodata);
}

/* ISR nesting: per preemption level the worst chain of its handlers (bytes, with the entry frame),
 * and the flags of every handler of the level, not only of the worst: a smaller handler with an
 * alloca, an unresolved call or recursion preempts just as well. The witness of a level's flags is
 * its first flagged handler by name. */
static void isr_levels(rtm_sg_graph *g)
{
    for (int l = 0; l < 256; l++) {
        g->isr_level_max[l] = -1, g->isr_level_root[l] = SG_NONE;
        g->isr_level_flags[l] = 0, g->isr_level_witness[l] = SG_NONE;
    }
    g->isr_flags = 0;
    for (uint32_t v = 0; v < g->nf; v++) {
        const sg_func *f = &g->f[v];
        int l = f->isr_level;
        if (l < 0) continue;
        const sg_scc *c = &g->scc[g->scc_of[v]];
        long d = sat_add(c->best, g->opt.isr_frame);
        if (d > g->isr_level_max[l]) g->isr_level_max[l] = d, g->isr_level_root[l] = v;
        if (c->flags) {
            g->isr_level_flags[l] |= c->flags;
            g->isr_flags |= c->flags;
            if (g->isr_level_witness[l] == SG_NONE || name_before(f, &g->f[g->isr_level_witness[l]]))
                g->isr_level_witness[l] = v;
        }
    }
    g->nesting_all = 0;
    g->isr_levels_used = 0;
    for (int l = 0; l < 256; l++)
        if (g->isr_level_max[l] >= 0) g->nesting_all = sat_add(g->nesting_all, g->isr_level_max[l]), g->isr_levels_used++;
    if (!g->isr_stack_given) return;
    /* Handlers on a stack of their own (Cortex-M: MSP under an RTOS whose threads run on PSP; a
     * RISC-V trap that switches stacks first). The worst nesting there is one handler per level,
     * each preempting the one below, as for the nesting above: every level's worst chain, and the
     * frame of every entry but the first, which interrupts a thread and pushes its frame on the
     * thread's stack; a nested entry interrupts a handler, on this stack. Whichever level is entered
     * first, that is levels - 1 frames. Flags: every handler's, as for a thread without it. */
    rtm_sg_isr_stack_result *is = &g->isr_stack;
    is->size = g->isr_stack_size;
    is->levels = g->isr_levels_used;
    is->handlers = 0;
    for (int l = 0; l < 256; l++)
        if (g->isr_level_root[l] != SG_NONE) is->handlers = sat_add(is->handlers, g->scc[g->scc_of[g->isr_level_root[l]]].best);
    is->entry_frames = is->levels > 1 ? sat_mul(g->opt.isr_frame, (unsigned)(is->levels - 1)) : 0;
    is->total = sat_add(is->handlers, is->entry_frames);
    is->thread_entry = is->levels ? g->opt.isr_frame : 0;
    is->flags = g->isr_flags;
    if (is->total >= SG_BYTES_MAX) is->flags |= RTM_SG_F_LIMIT;
}

static void fill_root(rtm_sg_graph *g, sg_root *r, uint32_t v)
{
    const sg_func *f = &g->f[v];
    const sg_scc *c = &g->scc[g->scc_of[v]];
    r->func = v;
    r->r.name = f->name;
    r->r.isr = f->isr_level >= 0;
    r->r.level = f->isr_level;
    r->r.frames = c->best_frames;
    r->r.margin = c->best - c->best_frames;
    r->r.stack = f->stack;
    r->r.flags = c->flags;
    size_t len = 0;
    for (uint32_t s = g->scc_of[v]; s != SG_NONE; s = g->scc[s].next) len++;
    r->chain = malloc(len * sizeof *r->chain);
    if (!r->chain) abort();
    len = 0;
    for (uint32_t s = g->scc_of[v]; s != SG_NONE; s = g->scc[s].next) r->chain[len++] = s;
    r->r.chain_len = len;
}

int rtm_sg_analyse(rtm_sg_graph *g, const rtm_sg_options *opts, rtm_sg_error *err)
{
    if (g->analysed) {
        if (err) snprintf(err->msg, sizeof err->msg, "rtm_sg_analyse: called twice");
        return -1;
    }
    g->analysed = true;
    if (opts) g->opt = *opts;
    if (g->opt.call_margin < 0 || g->opt.isr_frame < 0) {
        if (err) snprintf(err->msg, sizeof err->msg, "negative margin or ISR frame");
        return -1;
    }
    merge_su(g);
    join_file_local_names(g);
    if (apply_annotations(g, err)) return -1;
    build_adjacency(g);
    tarjan(g);
    chains(g);

    /* roots */
    bool *chosen = calloc(g->nf + 1, sizeof *chosen);
    if (!chosen) abort();
    g->roots = calloc(g->nf + 1, sizeof *g->roots);
    if (!g->roots) abort();
    if (g->opt.roots && g->opt.nroots) {
        for (size_t i = 0; i < g->opt.nroots; i++) {
            sg_directive d = {.origin = "--root", .line = 0};
            uint32_t *byname = malloc((g->nf + 1) * sizeof *byname);
            if (!byname) abort();
            for (uint32_t k = 0; k < g->nf; k++) byname[k] = k;
            g_sort_graph = g;
            qsort(byname, g->nf, sizeof *byname, cmp_byname);
            uint32_t id = lookup_name(g, byname, g->nf, g->opt.roots[i]);
            free(byname);
            if (id >= SG_NONE - 1) {
                free(chosen);
                return afail(err, &d, id == SG_NONE ? "unknown function" : "ambiguous name (use FILE:NAME)",
                             g->opt.roots[i]);
            }
            chosen[id] = true;
        }
    } else {
        choose_default_roots(g, chosen);
    }
    isr_levels(g);
    for (uint32_t v = 0; v < g->nf; v++) {
        if (!chosen[v]) continue;
        sg_root *r = &g->roots[g->nroots++];
        fill_root(g, r, v);
        if (r->r.isr) {
            long above = g->opt.isr_frame;
            unsigned fl = 0;
            for (int l = r->r.level + 1; l < 256; l++)
                if (g->isr_level_max[l] >= 0) {
                    above = sat_add(above, g->isr_level_max[l]);
                    fl |= g->isr_level_flags[l];
                }
            r->r.isr_nesting = above;
            r->r.flags |= fl;
        } else if (g->isr_stack_given && r->r.stack >= 0) {
            /* a thread, with the handlers on their own stack: an interrupt puts only its entry frame
             * here, once (a nested entry interrupts a handler, on the interrupt stack), and no
             * handler's chain, so none of their reasons either */
            r->r.isr_nesting = g->isr_stack.thread_entry;
        } else {
            /* other roots (main, an uncalled function) may run on the interrupt stack itself (before
             * a scheduler starts): the whole nesting, conservatively, with or without isr_stack */
            r->r.isr_nesting = g->nesting_all;
            r->r.flags |= g->isr_flags;
        }
        r->r.total = sat_add(sat_add(r->r.frames, r->r.margin), r->r.isr_nesting);
        if (r->r.total >= SG_BYTES_MAX) r->r.flags |= RTM_SG_F_LIMIT;
    }
    free(chosen);
    qsort(g->roots, g->nroots, sizeof *g->roots, cmp_roots);
    return 0;
}

int rtm_sg_exit_status(const rtm_sg_graph *g, bool strict) { return rtm_sg_check(g, strict, NULL); }

const rtm_sg_isr_stack_result *rtm_sg_isr_stack(const rtm_sg_graph *g)
{
    return g->analysed && g->isr_stack_given ? &g->isr_stack : NULL;
}

size_t rtm_sg_root_count(const rtm_sg_graph *g) { return g->nroots; }
const rtm_sg_root_result *rtm_sg_root(const rtm_sg_graph *g, size_t i)
{
    return i < g->nroots ? &g->roots[i].r : NULL;
}
const rtm_sg_root_result *rtm_sg_root_by_name(const rtm_sg_graph *g, const char *name)
{
    for (size_t i = 0; i < g->nroots; i++)
        if (!strcmp(g->roots[i].r.name, name) || !strcmp(g->f[g->roots[i].func].key, name)) return &g->roots[i].r;
    return NULL;
}
const char *rtm_sg_chain_name(const rtm_sg_graph *g, size_t i, size_t k)
{
    if (i >= g->nroots || k >= g->roots[i].r.chain_len) return NULL;
    const sg_scc *c = &g->scc[g->roots[i].chain[k]];
    /* the entry function: for the first entry the root, else the target of the previous exit */
    if (k == 0) return g->f[g->roots[i].func].name;
    const sg_scc *prev = &g->scc[g->roots[i].chain[k - 1]];
    (void)c;
    return g->f[g->e[prev->exit_edge].to].name;
}
size_t rtm_sg_function_count(const rtm_sg_graph *g) { return g->nf; }
size_t rtm_sg_edge_count(const rtm_sg_graph *g) { return g->ne; }
size_t rtm_sg_cycle_count(const rtm_sg_graph *g) { return g->ncycles; }
size_t rtm_sg_unresolved_count(const rtm_sg_graph *g) { return g->nunres; }

/* ---- synthetic graphs for the scale benchmark ---------------------------------------------------- */

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->p = rtm_sg__grow(b->p, &b->cap, b->cap + (size_t)(k > 0 ? k : 0) + 4096, 1);
    }
}

static uint64_t sm64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

size_t rtm_sg_generate_ci(size_t nfunc, size_t nedges, uint64_t seed, char **out)
{
    sbuf b = {0};
    b.p = rtm_sg__grow(NULL, &b.cap, 1 << 20, 1);
    sb_printf(&b, "graph: { title: \"gen.c\"\n");
    if (nfunc == 0) nfunc = 1;
    for (size_t i = 0; i < nfunc; i++) {
        unsigned frame = 8u * (unsigned)(1 + sm64(&seed) % 32);
        const char *q = sm64(&seed) % 100 == 0 ? "dynamic" : "static";
        sb_printf(&b, "node: { title: \"f%zu\" label: \"f%zu\\ngen.c:%zu:5\\n%u bytes (%s)\" }\n", i, i, i + 1,
                  frame, q);
    }
    /* Firmware-like shape: functions in 24 layers (entry points, drivers, library, ...); calls go
     * from a layer to deeper ones. One call in 1000 is a self-call and one in 1000 a two-function
     * cycle (recursion); one in 500 goes through a function pointer. */
    size_t layers = 24, per = nfunc / layers ? nfunc / layers : 1;
    for (size_t k = 0; k < nedges; k++) {
        size_t a = (size_t)(sm64(&seed) % nfunc);
        size_t la = a / per;
        size_t lo = (la + 1) * per;
        uint64_t r = sm64(&seed) % 1000;
        if (lo >= nfunc) { /* deepest layer: leaf functions call each other only downwards */
            lo = a + 1;
            if (lo >= nfunc) { a = 0, lo = 1 < nfunc ? 1 : 0; }
        }
        size_t span = nfunc - lo;
        if (span > 3 * per) span = 3 * per;
        size_t t = lo + (size_t)(span ? sm64(&seed) % span : 0);
        if (r == 0) t = a;
        if (r == 3 && t != a)
            sb_printf(&b, "edge: { sourcename: \"f%zu\" targetname: \"f%zu\" label: \"gen.c:%zu:%zu\" }\n", t, a, t + 1,
                      k % 80 + 1);
        if (r == 1 || r == 2)
            sb_printf(&b, "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
                          "edge: { sourcename: \"f%zu\" targetname: \"__indirect_call\" label: \"gen.c:%zu:%zu\" }\n",
                      a, a + 1, k % 80 + 1);
        else
            sb_printf(&b, "edge: { sourcename: \"f%zu\" targetname: \"f%zu\" label: \"gen.c:%zu:%zu\" }\n", a, t, a + 1,
                      k % 80 + 1);
    }
    sb_printf(&b, "}\n");
    *out = b.p;
    return b.n;
}
