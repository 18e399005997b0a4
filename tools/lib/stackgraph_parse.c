/*
 * stackgraph input: GCC .su and .ci files, annotation files.
 *
 * .su (-fstack-usage), one line per function:
 *     FILE:LINE:COL:NAME <TAB> BYTES <TAB> static | dynamic | dynamic,bounded
 * .ci (-fcallgraph-info=su), a VCG graph per translation unit:
 *     graph: { title: "a.c"
 *     node: { title: "a.c:leaf" label: "leaf\na.c:4:12\n16 bytes (static)" }
 *     node: { title: "ext" label: "ext\nb.c:1:12" shape : ellipse }          (declared, not defined)
 *     node: { title: "memset" label: "__builtin_memset\n<built-in>" shape : ellipse }   (a built-in)
 *     node: { title: "__indirect_call" label: "Indirect Call Placeholder" shape : ellipse }
 *     edge: { sourcename: "mid" targetname: "a.c:leaf" label: "a.c:5:55" }    (label: call site)
 *     }
 * (node labels in full, with what -fcallgraph-info without =su and with =da write: apply_node_label)
 * A title is the function's link name when it is public and strong. Anything else, static functions
 * but also weak definitions and C++ inline functions and template instantiations (COMDAT), is
 * titled "FILE:NAME" with FILE the unit's main file (the graph title), because its link name need
 * not be unique in the program; nothing in the .ci or .su says which of these it is. So a call to a
 * weak function defined in the same unit names "FILE:NAME" although the linker may pick a strong
 * NAME from another unit, and a call from another unit names a plain "NAME" that no .ci defines
 * (stackgraph.c joins them: join_file_local_names). Both parsers reject anything else with
 * "FILE:LINE: message".
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "stackgraph_int.h"

/* Defined in stackgraph.c. */
uint32_t rtm_sg__func(rtm_sg_graph *g, const char *key, size_t keylen);

/* Unsigned decimal, the whole string: GCC's figures (.su, .ci labels) are printed with %ld, so a
 * sign, a k suffix or a 0x prefix there is not GCC's output (annotations take those: parse_size). */
static bool parse_decimal(const char *s, size_t n, long *out)
{
    if (n == 0) return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        int d = s[i] - '0';
        if (v > (RTM_SG_BYTES_MAX - d) / 10) return false; /* keep sums far from overflow */
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Annotation figures: unsigned decimal (or 0x hex) with an optional k/K (x1024) suffix; the whole
 * string. */
static bool parse_size(const char *s, size_t n, long *out)
{
    if (n == 0) return false;
    unsigned base = 10;
    long mult = 1;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2, n -= 2;
    else if (n > 1 && (s[n - 1] == 'k' || s[n - 1] == 'K')) mult = 1024, n--;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && isxdigit(c)) d = 10 + (tolower(c) - 'a');
        else return false;
        if (v > (RTM_SG_BYTES_MAX - d) / (long)base) return false; /* keep sums far from overflow */
        v = v * (long)base + d;
    }
    if (v > RTM_SG_BYTES_MAX / mult) return false;
    *out = v * mult;
    return true;
}

/* "FILE:LINE:COL" at the start of s[0..n): the first ":digits:digits" whose end is at n or at a ':'.
 * Returns the length of FILE (0 if no match) and sets *end to the index after COL. */
static size_t parse_loc(const char *s, size_t n, unsigned *line, unsigned *col, size_t *end)
{
    for (size_t i = 1; i < n; i++) {
        if (s[i] != ':') continue;
        size_t j = i + 1;
        unsigned long l = 0, c = 0;
        size_t d0 = j;
        while (j < n && isdigit((unsigned char)s[j]) && l < 100000000ul) l = l * 10 + (unsigned long)(s[j++] - '0');
        if (j == d0 || j >= n || s[j] != ':') continue;
        size_t d1 = ++j;
        while (j < n && isdigit((unsigned char)s[j]) && c < 100000000ul) c = c * 10 + (unsigned long)(s[j++] - '0');
        if (j == d1 || (j < n && s[j] != ':')) continue;
        *line = (unsigned)l;
        *col = (unsigned)c;
        *end = j;
        return i;
    }
    return 0;
}

static bool has_nul(const char *text, size_t len, unsigned *line)
{
    const char *z = memchr(text, '\0', len);
    if (!z) return false;
    *line = 1;
    for (const char *p = text; p < z; p++) *line += *p == '\n';
    return true;
}

/* Cuts the next line off [*p, end): returns where it starts, sets *n to its length without the
 * "\n" or "\r\n" that ends it, and moves *p past it. */
static const char *next_line(const char **p, const char *end, size_t *n)
{
    const char *s = *p;
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    *n = (size_t)(eol - s);
    if (*n && s[*n - 1] == '\r') (*n)--;
    *p = eol < end ? eol + 1 : end;
    return s;
}

/* ---- .su ------------------------------------------------------------------------------------- */

int rtm_sg_load_su(rtm_sg_graph *g, const char *text, size_t len, const char *fname, rtm_sg_error *err)
{
    unsigned ln;
    if (has_nul(text, len, &ln)) return rtm_sg__fail(err, fname, ln, "NUL byte in .su file");
    const char *p = text, *end = text + len;
    for (ln = 1; p < end; ln++) {
        size_t n;
        const char *s = next_line(&p, end, &n);
        if (n == 0) continue;
        /* Exactly three fields: no name GCC prints holds a tab, and a fourth field would hide in the
         * name (a.c:1:2:f<TAB>x<TAB>16<TAB>static read as a function "f<TAB>x"). */
        const char *t1 = memchr(s, '\t', n);
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(s + n - t1 - 1)) : NULL;
        if (!t2)
            return rtm_sg__fail(err, fname, ln, "expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER");
        size_t fields = 3;
        for (const char *t = t2 + 1; t < s + n; t++) fields += *t == '\t';
        if (fields != 3)
            return rtm_sg__fail(err, fname, ln, "expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER, found %zu tab-separated fields",
                        fields);
        unsigned fl, fc;
        size_t locend;
        size_t flen = parse_loc(s, (size_t)(t1 - s), &fl, &fc, &locend);
        if (flen == 0 || locend >= (size_t)(t1 - s) || s[locend] != ':' || locend + 1 == (size_t)(t1 - s))
            return rtm_sg__fail(err, fname, ln, "expected FILE:LINE:COL:NAME before the first tab");
        long bytes;
        if (!parse_decimal(t1 + 1, (size_t)(t2 - t1 - 1), &bytes))
            return rtm_sg__fail(err, fname, ln, "bad stack size '%.*s'", (int)(t2 - t1 - 1 > 40 ? 40 : t2 - t1 - 1), t1 + 1);
        const char *q = t2 + 1;
        size_t qn = (size_t)(s + n - q);
        uint8_t qual;
        if (qn == 6 && !memcmp(q, "static", 6)) qual = RTM_SG_STATIC;
        else if (qn == 7 && !memcmp(q, "dynamic", 7)) qual = RTM_SG_DYNAMIC;
        else if (qn == 15 && !memcmp(q, "dynamic,bounded", 15)) qual = RTM_SG_BOUNDED;
        else return rtm_sg__fail(err, fname, ln, "unknown qualifier '%.*s' (static, dynamic or dynamic,bounded)",
                         (int)(qn > 40 ? 40 : qn), q);
        g->su = rtm_sg__grow(g->su, &g->csu, g->nsu + 1, sizeof *g->su);
        sg_su *r = &g->su[g->nsu++];
        r->file = rtm_sg__strndup(s, flen);
        r->line = fl;
        r->col = fc;
        r->name = rtm_sg__strndup(s + locend + 1, (size_t)(t1 - s) - locend - 1);
        r->frame = bytes;
        r->qual = qual;
    }
    return 0;
}

/* ---- .ci (VCG) --------------------------------------------------------------------------------- */

typedef enum { T_END, T_LBRACE, T_RBRACE, T_COLON, T_STRING, T_WORD } tok_kind;

typedef struct {
    const char *p, *end, *fname;
    unsigned line;
    tok_kind kind;
    char *buf;      /* token text (strings unescaped) */
    size_t len, cap;
    unsigned tok_line;
    rtm_sg_error *err;
} lexer;

static void lex_put(lexer *lx, char c)
{
    lx->buf = rtm_sg__grow(lx->buf, &lx->cap, lx->len + 2, 1);
    lx->buf[lx->len++] = c;
    lx->buf[lx->len] = '\0';
}

static int lex_next(lexer *lx)
{
    lx->len = 0;
    if (lx->cap) lx->buf[0] = '\0';
    for (;;) {
        while (lx->p < lx->end && isspace((unsigned char)*lx->p)) lx->line += *lx->p++ == '\n';
        if (lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '/') {
            while (lx->p < lx->end && *lx->p != '\n') lx->p++;
            continue;
        }
        break;
    }
    lx->tok_line = lx->line;
    if (lx->p >= lx->end) return lx->kind = T_END, 0;
    char c = *lx->p;
    if (c == '{' || c == '}' || c == ':') {
        lx->p++;
        lx->kind = c == '{' ? T_LBRACE : c == '}' ? T_RBRACE : T_COLON;
        lex_put(lx, c);
        return 0;
    }
    if (c == '"') {
        lx->p++;
        lex_put(lx, 0), lx->len = 0;
        for (;;) {
            /* copy the run up to the next quote, backslash or newline in one go */
            const char *q = lx->p;
            while (q < lx->end && *q != '"' && *q != '\\' && *q != '\n') q++;
            if (q > lx->p) {
                size_t k = (size_t)(q - lx->p);
                lx->buf = rtm_sg__grow(lx->buf, &lx->cap, lx->len + k + 1, 1);
                memcpy(lx->buf + lx->len, lx->p, k);
                lx->len += k;
                lx->buf[lx->len] = '\0';
                lx->p = q;
            }
            if (lx->p >= lx->end) return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "unterminated string");
            c = *lx->p++;
            if (c == '"') break;
            if (c == '\n') return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "unterminated string");
            if (c == '\\') {
                if (lx->p >= lx->end) return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "unterminated string");
                c = *lx->p++;
                if (c == 'n') c = '\n';
                else if (c == 't') c = '\t';
                else if (c == '\n') return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "unterminated string");
            }
            lex_put(lx, c);
        }
        lx->kind = T_STRING;
        return 0;
    }
    if (isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '+') {
        while (lx->p < lx->end &&
               (isalnum((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '.' || *lx->p == '-' || *lx->p == '+'))
            lex_put(lx, *lx->p++);
        lx->kind = T_WORD;
        return 0;
    }
    return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
}

static int expect(lexer *lx, tok_kind k, const char *what)
{
    if (lex_next(lx)) return -1;
    if (lx->kind != k) {
        if (lx->kind == T_END) return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "expected %s, found end of file", what);
        return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "expected %s, found '%.40s'", what, lx->buf);
    }
    return 0;
}

/* Parses "{ key: value ... }" (after the '{'); values of wanted keys are copied into out[], the
 * lines they are on into lines[] (for messages about a value). */
static int parse_attrs(lexer *lx, const char *const *keys, char **out, unsigned *lines, size_t nkeys)
{
    for (;;) {
        if (lex_next(lx)) return -1;
        if (lx->kind == T_RBRACE) return 0;
        if (lx->kind != T_WORD) {
            if (lx->kind == T_END) return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "missing '}'");
            return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "expected an attribute name, found '%.40s'", lx->buf);
        }
        size_t which = nkeys;
        for (size_t i = 0; i < nkeys; i++)
            if (!strcmp(lx->buf, keys[i])) which = i;
        if (expect(lx, T_COLON, "':'")) return -1;
        if (lex_next(lx)) return -1;
        if (lx->kind != T_STRING && lx->kind != T_WORD)
            return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "expected a value after ':'");
        if (which < nkeys) {
            if (out[which]) return rtm_sg__fail(lx->err, lx->fname, lx->tok_line, "duplicate attribute '%s'", keys[which]);
            out[which] = rtm_sg__strndup(lx->buf, lx->len);
            lines[which] = lx->tok_line;
        }
    }
}

/* Orders FILE:LINE:COL (file = the flen bytes at file) against f's location (set): < 0 before it,
 * 0 the same place, > 0 after it. */
static int loc_cmp(const char *file, size_t flen, unsigned line, unsigned col, const sg_func *f)
{
    size_t n = strlen(f->file);
    int c = memcmp(file, f->file, flen < n ? flen : n);
    if (c != 0) return c;
    if (flen != n) return flen < n ? -1 : 1;
    if (line != f->line) return line < f->line ? -1 : 1;
    return col < f->col ? -1 : col > f->col;
}

/* Cuts the next line off a label (NUL-terminated, "\n" already unescaped by the lexer): returns
 * where it starts and sets *n to its length, or NULL after the last line. */
static const char *label_line(const char **p, size_t *n)
{
    const char *s = *p;
    if (!s) return NULL;
    const char *nl = strchr(s, '\n');
    *n = nl ? (size_t)(nl - s) : strlen(s);
    *p = nl ? nl + 1 : NULL;
    return s;
}

/* "<built-in>" (any "<...>"): what GCC prints for a declaration that is in no file. */
static bool is_pseudo_loc(const char *s, size_t n)
{
    if (n < 3 || s[0] != '<' || s[n - 1] != '>') return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i] == '<' || s[i] == '>') return false;
    return true;
}

#define DA_SUFFIX " dynamic objects"

/* Is this -fcallgraph-info=da's line "N dynamic objects" (if N is a number)? */
static bool has_da_suffix(const char *s, size_t n)
{
    size_t k = strlen(DA_SUFFIX);
    return n >= k && !memcmp(s + n - k, DA_SUFFIX, k);
}

/* "N dynamic objects"; sets *count. */
static bool parse_da_count(const char *s, size_t n, long *count)
{
    return has_da_suffix(s, n) && parse_decimal(s, n - strlen(DA_SUFFIX), count);
}

/* " NAME FILE:LINE:COL", one dynamic object (NAME "(null)" for an alloca). */
static bool is_da_object(const char *s, size_t n)
{
    if (n < 2 || s[0] != ' ') return false;
    const char *sp = s + n;
    while (sp > s + 1 && sp[-1] != ' ') sp--;
    if (sp <= s + 2) return false; /* no second space, or no NAME before it */
    unsigned line, col;
    size_t locend, rest = (size_t)(s + n - sp);
    return parse_loc(sp, rest, &line, &col, &locend) != 0 && locend == rest;
}

/* Labels of one title should agree; if they do not, the smallest name wins, whichever .ci came
 * first (annotations find functions by these names). */
static void take_label_name(sg_func *f, const char *name, size_t nn)
{
    int c = nn ? strncmp(name, f->name, nn) : 0;
    if (nn && (!f->name_label || c < 0 || (c == 0 && f->name[nn] != '\0'))) {
        free(f->name);
        f->name = rtm_sg__strndup(name, nn);
        f->name_label = true;
    }
}

/* A node's label, line by line, as GCC writes it (dump_final_node_vcg, dump_final_callee_vcg):
 *     NAME                    C++: demangled
 *     FILE:LINE:COL           the definition; for a node with "shape : ellipse" (called, not defined
 *                             in the unit) its declaration, or "<built-in>" for a callee GCC knows as
 *                             a built-in: memset/memcpy with a variable size, strlen, abort,
 *                             __cxa_atexit, __gcov_init, libgcc's __aeabi_idivmod
 *     BYTES bytes (QUALIFIER) -fcallgraph-info=su
 *     N dynamic objects       -fcallgraph-info=da, then N lines " NAME FILE:LINE:COL" (alloca: NAME
 *                             "(null)"), which the .su's "dynamic" already covers: checked, not used
 * A declaration has the first two lines only; a definition the lines its options ask for, so plain
 * -fcallgraph-info gives it two lines too: @p decl (the shape), not the number of lines, tells them
 * apart. A label of NAME alone (made-up input) is accepted. @p ln: the label's line in the file. */
static int apply_node_label(lexer *lx, sg_func *f, const char *label, unsigned ln, bool decl)
{
    const char *p = label;
    size_t n1, n;
    const char *name = label_line(&p, &n1);
    /* an empty name would leave the title's in reports, where GCC's label names the function */
    if (n1 == 0) return rtm_sg__fail(lx->err, lx->fname, ln, "node label: empty function name on line 1");
    const char *l = label_line(&p, &n);
    if (!l) {
        take_label_name(f, name, n1);
        return 0;
    }
    if (is_pseudo_loc(l, n)) {
        /* no place; the name stays the title, the link name (what the linker resolves and a 'frame'
         * annotation names), not GCC's internal "__builtin_memset" */
        if (!decl)
            return rtm_sg__fail(lx->err, lx->fname, ln, "node label: '%.*s' is no location for a function defined here",
                        (int)(n > 40 ? 40 : n), l);
    } else {
        take_label_name(f, name, n1);
        unsigned line, col;
        size_t locend;
        size_t flen = parse_loc(l, n, &line, &col, &locend);
        if (flen == 0 || locend != n) return rtm_sg__fail(lx->err, lx->fname, ln, "node label: expected FILE:LINE:COL on line 2");
        /* A declaration's location (a function called here, defined elsewhere) gives way to a
         * definition's. (A second definition, here or in another place, is dup_def already:
         * rtm_sg_load_ci.) */
        bool def = !decl;
        /* Two definitions (or two declarations) in different places: the smaller location (file
         * name, line, column) is the one reported, so reports do not depend on the order of the
         * files. */
        if (!f->file || (def && !f->loc_def) || (def == f->loc_def && loc_cmp(l, flen, line, col, f) < 0)) {
            free(f->file);
            f->file = rtm_sg__strndup(l, flen);
            f->line = line;
            f->col = col;
            f->loc_def = def;
        }
    }
    unsigned k = 3; /* line number within the label */
    if (!(l = label_line(&p, &n))) return 0;
    if (decl) return rtm_sg__fail(lx->err, lx->fname, ln, "node label: a declaration (shape : ellipse) has no line 3");
    if (!has_da_suffix(l, n)) { /* the figure (=su), then maybe the dynamic objects (=su,da) */
        const char *sp = memchr(l, ' ', n);
        long bytes;
        if (!sp || !parse_decimal(l, (size_t)(sp - l), &bytes))
            return rtm_sg__fail(lx->err, lx->fname, ln, "node label: expected 'BYTES bytes (QUALIFIER)' on line 3");
        const char *q = sp + 1;
        size_t qn = n - (size_t)(q - l);
        uint8_t qual;
        if (qn == 14 && !memcmp(q, "bytes (static)", 14)) qual = RTM_SG_STATIC;
        else if (qn == 15 && !memcmp(q, "bytes (dynamic)", 15)) qual = RTM_SG_DYNAMIC;
        else if (qn == 23 && !memcmp(q, "bytes (dynamic,bounded)", 23)) qual = RTM_SG_BOUNDED;
        else return rtm_sg__fail(lx->err, lx->fname, ln, "node label: unknown qualifier in '%.*s'", (int)(n > 60 ? 60 : n), l);
        /* The same function in two units (e.g. a header's static inline, or one file given twice):
         * keep the larger figure. */
        if (f->qual == RTM_SG_NODATA || bytes > f->frame) f->frame = bytes;
        if (qual > f->qual) f->qual = qual;
        k++;
        if (!(l = label_line(&p, &n))) return 0;
    }
    long count;
    if (!parse_da_count(l, n, &count))
        return rtm_sg__fail(lx->err, lx->fname, ln, "node label: expected 'N dynamic objects' on line %u", k);
    long listed = 0;
    while ((l = label_line(&p, &n)) != NULL) {
        k++;
        if (!is_da_object(l, n))
            return rtm_sg__fail(lx->err, lx->fname, ln, "node label: expected ' NAME FILE:LINE:COL' on line %u", k);
        listed++;
    }
    if (listed != count) return rtm_sg__fail(lx->err, lx->fname, ln, "node label: %ld dynamic objects, %ld listed", count, listed);
    return 0;
}

/* Marks f as titled "GTITLE:NAME" in the unit whose graph title is gtitle (see the top of this file).
 * Of two graph titles that both prefix the key (only in made-up input), the longer counts, whatever
 * the order of the files. */
static void note_file_local(sg_func *f, const char *gtitle)
{
    if (!gtitle || !gtitle[0]) return;
    size_t n = strlen(gtitle);
    if (strlen(f->key) > n + 1 && !memcmp(f->key, gtitle, n) && f->key[n] == ':' && n + 1 > f->local_off)
        f->local_off = n + 1;
}

int rtm_sg_load_ci(rtm_sg_graph *g, const char *text, size_t len, const char *fname, rtm_sg_error *err)
{
    unsigned ln;
    if (has_nul(text, len, &ln)) return rtm_sg__fail(err, fname, ln, "NUL byte in .ci file");
    lexer lx = {.p = text, .end = text + len, .fname = fname, .line = 1, .err = err};
    int rc = -1;
    char *gtitle = NULL; /* the unit's main file: prefix of its file-local titles */
    uint32_t unit = ++g->nci; /* this graph, for the definitions it gives (sg_func.def_unit) */
    if (expect(&lx, T_WORD, "'graph:'") || strcmp(lx.buf, "graph")) {
        if (lx.kind == T_WORD) rtm_sg__fail(err, fname, lx.tok_line, "expected 'graph:', found '%.40s'", lx.buf);
        goto out;
    }
    if (expect(&lx, T_COLON, "':'") || expect(&lx, T_LBRACE, "'{'")) goto out;
    for (;;) {
        if (lex_next(&lx)) goto out;
        if (lx.kind == T_RBRACE) break;
        if (lx.kind != T_WORD) {
            if (lx.kind == T_END) rtm_sg__fail(err, fname, lx.tok_line, "missing '}' at end of graph");
            else rtm_sg__fail(err, fname, lx.tok_line, "expected node, edge or an attribute, found '%.40s'", lx.buf);
            goto out;
        }
        unsigned item_line = lx.tok_line;
        bool is_node = !strcmp(lx.buf, "node"), is_edge = !strcmp(lx.buf, "edge");
        bool is_graph = !strcmp(lx.buf, "graph"), is_title = !strcmp(lx.buf, "title");
        if (expect(&lx, T_COLON, "':'")) goto out;
        if (is_graph) {
            rtm_sg__fail(err, fname, item_line, "nested graphs are not supported");
            goto out;
        }
        if (!is_node && !is_edge) { /* graph attribute (title, ...) */
            if (lex_next(&lx)) goto out;
            if (lx.kind != T_STRING && lx.kind != T_WORD) {
                rtm_sg__fail(err, fname, lx.tok_line, "expected a value after ':'");
                goto out;
            }
            if (is_title && lx.len == 0) {
                rtm_sg__fail(err, fname, lx.tok_line, "graph with an empty title");
                goto out;
            }
            if (is_title) {
                free(gtitle);
                gtitle = rtm_sg__strndup(lx.buf, lx.len);
            }
            continue;
        }
        if (expect(&lx, T_LBRACE, "'{'")) goto out;
        if (is_node) {
            static const char *const keys[] = {"title", "label", "shape"};
            char *v[3] = {NULL, NULL, NULL};
            unsigned vline[3] = {0, 0, 0};
            int r = parse_attrs(&lx, keys, v, vline, 3);
            if (r == 0 && !v[0]) r = rtm_sg__fail(err, fname, item_line, "node without title");
            if (r == 0 && v[0][0] == '\0') r = rtm_sg__fail(err, fname, item_line, "node with an empty title");
            /* GCC gives a shape, "ellipse", to the functions a unit calls but does not define only */
            if (r == 0 && v[2] && strcmp(v[2], "ellipse") != 0)
                r = rtm_sg__fail(err, fname, vline[2], "node shape: expected 'ellipse', found '%.40s'", v[2]);
            if (r == 0 && strcmp(v[0], "__indirect_call") != 0) {
                uint32_t id = rtm_sg__func(g, v[0], strlen(v[0]));
                sg_func *f = &g->f[id];
                note_file_local(f, gtitle);
                /* GCC writes each function a unit defines once (a callee it only declares may come
                 * twice: a built-in and a declared memset). A definition from another graph is the
                 * function defined in two units, or one unit given twice (one file twice, two builds
                 * of it): reported, the larger figure counts. */
                if (!v[2] && f->def_unit == unit) {
                    r = rtm_sg__fail(err, fname, item_line, "node '%.40s' defined twice in one graph (first on line %u)", v[0],
                             f->def_line);
                } else if (!v[2]) {
                    if (f->def_unit) f->dup_def = true;
                    f->def_unit = unit;
                    f->def_line = item_line;
                }
                if (r == 0 && v[1]) r = apply_node_label(&lx, f, v[1], vline[1], v[2] != NULL);
            }
            for (int i = 0; i < 3; i++) free(v[i]);
            if (r) goto out;
        } else {
            static const char *const keys[] = {"sourcename", "targetname", "label"};
            char *v[3] = {NULL, NULL, NULL};
            unsigned vline[3];
            int r = parse_attrs(&lx, keys, v, vline, 3);
            if (r == 0 && (!v[0] || !v[1])) r = rtm_sg__fail(err, fname, item_line, "edge without sourcename or targetname");
            if (r == 0 && (!v[0][0] || !v[1][0]))
                r = rtm_sg__fail(err, fname, item_line, "edge with an empty %s", v[0][0] ? "targetname" : "sourcename");
            /* the call site (GCC leaves the label out when the call has no location, never empty) */
            if (r == 0 && v[2] && !v[2][0]) r = rtm_sg__fail(err, fname, vline[2], "edge with an empty label");
            if (r == 0 && !strcmp(v[0], "__indirect_call"))
                r = rtm_sg__fail(err, fname, item_line, "edge from __indirect_call");
            if (r == 0) {
                uint32_t from = rtm_sg__func(g, v[0], strlen(v[0]));
                note_file_local(&g->f[from], gtitle);
                if (!strcmp(v[1], "__indirect_call")) {
                    g->f[from].has_icall = true;
                    g->ic = rtm_sg__grow(g->ic, &g->cic, g->nic + 1, sizeof *g->ic);
                    g->ic[g->nic].caller = from;
                    g->ic[g->nic++].site = v[2];
                } else {
                    uint32_t to = rtm_sg__func(g, v[1], strlen(v[1]));
                    note_file_local(&g->f[to], gtitle);
                    g->e = rtm_sg__grow(g->e, &g->ce, g->ne + 1, sizeof *g->e);
                    g->e[g->ne++] = (sg_edge){from, to, v[2], false};
                }
                v[2] = NULL;
            }
            free(v[0]);
            free(v[1]);
            free(v[2]);
            if (r) goto out;
        }
    }
    if (lex_next(&lx)) goto out;
    if (lx.kind != T_END) {
        rtm_sg__fail(err, fname, lx.tok_line, "text after the end of the graph");
        goto out;
    }
    rc = 0;
out:
    free(lx.buf);
    free(gtitle);
    return rc;
}

/* ---- annotations ------------------------------------------------------------------------------- */

typedef struct {
    const char *s;
    size_t n;
} word;

static size_t split_words(const char *s, size_t n, word *w, size_t maxw)
{
    size_t k = 0, i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= n || s[i] == '#') break;
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '#') j++;
        if (k < maxw) w[k] = (word){s + i, j - i};
        k++;
        i = j;
    }
    return k;
}

static bool word_is(word w, const char *s) { return strlen(s) == w.n && !memcmp(w.s, s, w.n); }

static int annotate_line(rtm_sg_graph *g, const char *s, size_t n, const char *fname, unsigned ln,
                         rtm_sg_error *err)
{
    enum { MAXW = 256 };
    word w[MAXW];
    size_t k = split_words(s, n, w, MAXW);
    if (k == 0) return 0;
    if (k > MAXW) return rtm_sg__fail(err, fname, ln, "too many words (at most %d)", MAXW);
    sg_directive d = {0};
    d.line = ln;
    long v = 0;
    if (word_is(w[0], "thread") || word_is(w[0], "isr") || word_is(w[0], "frame") || word_is(w[0], "recursion")) {
        const char *what = word_is(w[0], "thread") ? "stack size in bytes"
                         : word_is(w[0], "isr") ? "preemption level (0-255)"
                         : word_is(w[0], "frame") ? "frame size in bytes" : "maximum recursion depth";
        if (k != 3) return rtm_sg__fail(err, fname, ln, "usage: %.*s NAME %s", (int)w[0].n, w[0].s, what);
        if (!parse_size(w[2].s, w[2].n, &v)) return rtm_sg__fail(err, fname, ln, "bad %s '%.*s'", what, (int)(w[2].n > 40 ? 40 : w[2].n), w[2].s);
        d.kind = word_is(w[0], "thread") ? SG_D_THREAD
               : word_is(w[0], "isr") ? SG_D_ISR : word_is(w[0], "frame") ? SG_D_FRAME : SG_D_RECURSION;
        if (d.kind == SG_D_ISR && v > 255) return rtm_sg__fail(err, fname, ln, "preemption level %ld out of range 0-255", v);
        if (d.kind == SG_D_RECURSION && (v < 1 || v > 1000000))
            return rtm_sg__fail(err, fname, ln, "recursion depth %ld out of range 1-1000000", v);
        if (d.kind == SG_D_THREAD && v < 1) return rtm_sg__fail(err, fname, ln, "stack size must be at least 1 byte");
    } else if (word_is(w[0], "isr_stack")) {
        /* not a directive about a function: the graph holds it (one interrupt stack, one size) */
        if (k != 2) return rtm_sg__fail(err, fname, ln, "usage: isr_stack BYTES|own");
        long size = -1; /* "own": handlers on a stack of their own whose size is not checked */
        if (!word_is(w[1], "own")) {
            if (!parse_size(w[1].s, w[1].n, &size))
                return rtm_sg__fail(err, fname, ln, "bad interrupt stack size '%.*s' (BYTES or own)",
                                    (int)(w[1].n > 40 ? 40 : w[1].n), w[1].s);
            if (size < 1) return rtm_sg__fail(err, fname, ln, "interrupt stack size must be at least 1 byte");
        }
        /* refused rather than "the later counts" as for thread: two figures for the one interrupt
         * stack (two boards' files, or a file and an option) leave it unclear which one was meant */
        if (g->isr_stack_given) {
            char at[16] = "";
            if (g->isr_stack_line) snprintf(at, sizeof at, ":%u", g->isr_stack_line);
            return rtm_sg__fail(err, fname, ln, "interrupt stack given twice (first: %s%s)", g->isr_stack_origin, at);
        }
        g->isr_stack_given = true;
        g->isr_stack_size = size;
        g->isr_stack_origin = rtm_sg__strndup(fname, strlen(fname));
        g->isr_stack_line = ln;
        return 0;
    } else if (word_is(w[0], "root")) {
        if (k != 2) return rtm_sg__fail(err, fname, ln, "usage: root NAME");
        d.kind = SG_D_ROOT;
    } else if (word_is(w[0], "icall") || word_is(w[0], "fptype")) {
        d.kind = word_is(w[0], "icall") ? SG_D_ICALL : SG_D_FPTYPE;
        if (k < 3)
            return rtm_sg__fail(err, fname, ln, "usage: %s %s TARGET...", d.kind == SG_D_ICALL ? "icall" : "fptype",
                        d.kind == SG_D_ICALL ? "FILE:LINE[:COL]|FUNCTION" : "TYPE");
        if (d.kind == SG_D_FPTYPE && w[1].s[0] == '@') w[1].s++, w[1].n--;
        if (w[1].n == 0) return rtm_sg__fail(err, fname, ln, "empty name");
        for (size_t i = 2; i < k; i++)
            if (w[i].n == 0 || (w[i].s[0] == '@' && w[i].n == 1))
                return rtm_sg__fail(err, fname, ln, "empty target name");
    } else {
        return rtm_sg__fail(err, fname, ln, "unknown directive '%.*s' (thread, isr, isr_stack, root, frame, recursion, icall, fptype)",
                    (int)(w[0].n > 40 ? 40 : w[0].n), w[0].s);
    }
    d.n = v;
    d.origin = rtm_sg__strndup(fname, strlen(fname));
    d.a = rtm_sg__strndup(w[1].s, w[1].n);
    if (d.kind == SG_D_ICALL || d.kind == SG_D_FPTYPE) {
        d.ntargets = k - 2;
        d.targets = calloc(d.ntargets, sizeof *d.targets);
        if (!d.targets) abort();
        for (size_t i = 2; i < k; i++) d.targets[i - 2] = rtm_sg__strndup(w[i].s, w[i].n);
    }
    g->d = rtm_sg__grow(g->d, &g->cd, g->nd + 1, sizeof *g->d);
    g->d[g->nd++] = d;
    return 0;
}

int rtm_sg_load_annotations(rtm_sg_graph *g, const char *text, size_t len, const char *fname, rtm_sg_error *err)
{
    unsigned ln;
    if (has_nul(text, len, &ln)) return rtm_sg__fail(err, fname, ln, "NUL byte in annotation file");
    const char *p = text, *end = text + len;
    for (ln = 1; p < end; ln++) {
        size_t n;
        const char *s = next_line(&p, end, &n);
        if (annotate_line(g, s, n, fname, ln, err)) return -1;
    }
    return 0;
}

int rtm_sg_annotate(rtm_sg_graph *g, const char *line, const char *origin, rtm_sg_error *err)
{
    return annotate_line(g, line, strlen(line), origin, 0, err);
}

/* s ends in suf and has something before it (".su" alone is not a .su file). */
static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a > b && !strcmp(s + a - b, suf);
}

bool rtm_sg_is_input(const char *path) { return has_suffix(path, ".ci") || has_suffix(path, ".su"); }

int rtm_sg_load_file(rtm_sg_graph *g, const char *path, rtm_sg_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return rtm_sg__fail(err, path, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        buf = rtm_sg__grow(buf, &cap, len + 65536, 1);
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return rtm_sg__fail(err, path, 0, "read error");
    }
    int rc;
    if (has_suffix(path, ".ci")) rc = rtm_sg_load_ci(g, buf, len, path, err);
    else if (has_suffix(path, ".su")) rc = rtm_sg_load_su(g, buf, len, path, err);
    else rc = rtm_sg_load_annotations(g, buf, len, path, err);
    free(buf);
    return rc;
}

int rtm_sg_load_inputs(rtm_sg_graph *g, const char *const *paths, size_t n, rtm_sg_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!rtm_sg_is_input(paths[i]))
            return rtm_sg__fail(err, paths[i], 0, "not a .su or .ci file");
    /* .ci first: .su records then attach to the nodes the graphs define. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            if (has_suffix(paths[i], ".ci") == (pass == 0) && rtm_sg_load_file(g, paths[i], err)) return -1;
    return 0;
}
