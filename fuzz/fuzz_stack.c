/* libFuzzer target for the parsers of `rtmem stack` (.ci, .su, annotations) and the analysis and
 * reports behind them. Input: one selector byte, then up to three parts separated by a line "%%":
 *   selector % 4 == 0: part 1 is a .ci file
 *                   1: part 1 is a .su file
 *                   2: part 1 is an annotation file (with a small fixed graph)
 *                   3: parts are .ci, .su, annotations
 *   (selector >> 2) % 4 picks the options: call margin / ISR frame of 4 / 32, 0 / 0, LONG_MAX /
 *                   LONG_MAX (what `--call-margin` and `--isr-frame` accept) or a large margin;
 *   selector bit 4: analyse from the roots --root main and --root a.c:f (unknown or ambiguous
 *                   names must fail with a message).
 * Every accepted input is analysed and reported (text and JSON) to /dev/null; nothing may crash,
 * leak or trip ASan/UBSan. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stackgraph.h"

static FILE *g_null;

static const char k_graph[] = "graph: { title: \"a.c\"\n"
                              "node: { title: \"main\" label: \"main\\na.c:1:5\\n16 bytes (static)\" }\n"
                              "node: { title: \"a.c:f\" label: \"f\\na.c:2:12\\n32 bytes (dynamic)\" }\n"
                              "edge: { sourcename: \"main\" targetname: \"a.c:f\" label: \"a.c:1:20\" }\n"
                              "edge: { sourcename: \"a.c:f\" targetname: \"a.c:f\" label: \"a.c:2:30\" }\n"
                              "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
                              "edge: { sourcename: \"main\" targetname: \"__indirect_call\" label: \"a.c:1:40\" }\n"
                              "}\n";

/* Splits off the next part at a line "%%". */
static const uint8_t *next_part(const uint8_t **p, const uint8_t *end, size_t *len)
{
    const uint8_t *s = *p;
    for (const uint8_t *q = s; q + 3 <= end; q++)
        if (q[0] == '%' && q[1] == '%' && q[2] == '\n' && (q == s || q[-1] == '\n')) {
            *len = (size_t)(q - s);
            *p = q + 3;
            return s;
        }
    *len = (size_t)(end - s);
    *p = end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (!g_null) g_null = fopen("/dev/null", "w");
    unsigned mode = data[0] % 4;
    const uint8_t *p = data + 1, *end = data + size;
    size_t n1, n2, n3;
    const uint8_t *a = next_part(&p, end, &n1), *b = next_part(&p, end, &n2), *c = next_part(&p, end, &n3);
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    int rc = 0;
    switch (mode) {
    case 0: rc = rtm_sg_load_ci(g, (const char *)a, n1, "f.ci", &err); break;
    case 1: rc = rtm_sg_load_su(g, (const char *)a, n1, "f.su", &err); break;
    case 2:
        rc = rtm_sg_load_ci(g, k_graph, sizeof k_graph - 1, "k.ci", &err);
        if (!rc) rc = rtm_sg_load_annotations(g, (const char *)a, n1, "f.ann", &err);
        break;
    default:
        rc = rtm_sg_load_ci(g, (const char *)a, n1, "f.ci", &err);
        if (!rc) rc = rtm_sg_load_su(g, (const char *)b, n2, "f.su", &err);
        if (!rc) rc = rtm_sg_load_annotations(g, (const char *)c, n3, "f.ann", &err);
        break;
    }
    if (rc) {
        if (strlen(err.msg) == 0 || !strchr(err.msg, ':')) __builtin_trap(); /* errors say where */
    } else {
        static const long k_opts[4][2] = {{4, 32}, {0, 0}, {LONG_MAX, LONG_MAX}, {LONG_MAX / 4, 1}};
        static const char *const k_roots[2] = {"main", "a.c:f"};
        unsigned o = (data[0] >> 2) % 4u;
        rtm_sg_options opt = {.call_margin = k_opts[o][0], .isr_frame = k_opts[o][1]};
        if (data[0] & 0x10u) opt.roots = k_roots, opt.nroots = 2;
        int arc = rtm_sg_analyse(g, &opt, &err);
        if (arc != 0 && (strlen(err.msg) == 0 || strchr(err.msg, '\n'))) __builtin_trap();
        if (arc == 0 && g_null) {
            rtm_sg_report_text(g, g_null);
            rtm_sg_report_json(g, g_null);
            (void)rtm_sg_exit_status(g, true);
        }
    }
    rtm_sg_free(g);
    return 0;
}
