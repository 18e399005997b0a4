/* rtmem stack (tools/lib/stackgraph*): exact scenarios on hand-written .ci/.su text, fixtures
 * compiled at test time with gcc and arm-none-eabi-gcc (-O0, -O2) checked against the formulas in
 * their comments, malformed input, the command line, and random graphs against a reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "commands.h"
#include "rtm_test.h"
#include "stackgraph.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static rtm_sg_graph *load(const char *ci, const char *su, const char *ann, const rtm_sg_options *opt)
{
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    if (ci && rtm_sg_load_ci(g, ci, strlen(ci), "t.ci", &err)) fail_msg("%s", err.msg);
    if (su && rtm_sg_load_su(g, su, strlen(su), "t.su", &err)) fail_msg("%s", err.msg);
    if (ann && rtm_sg_load_annotations(g, ann, strlen(ann), "t.ann", &err)) fail_msg("%s", err.msg);
    if (rtm_sg_analyse(g, opt, &err)) fail_msg("%s", err.msg);
    return g;
}

static const rtm_sg_root_result *root(const rtm_sg_graph *g, const char *name)
{
    const rtm_sg_root_result *r = rtm_sg_root_by_name(g, name);
    if (!r) fail_msg("no root %s", name);
    return r;
}

/* Index of root @p name in the sorted list (for rtm_sg_chain_name). */
static size_t root_index(const rtm_sg_graph *g, const char *name)
{
    for (size_t i = 0; i < rtm_sg_root_count(g); i++)
        if (!strcmp(rtm_sg_root(g, i)->name, name)) return i;
    fail_msg("no root %s", name);
    return 0;
}

static void expect_chain(const rtm_sg_graph *g, const char *rootname, const char *const *names, size_t n)
{
    size_t i = root_index(g, rootname);
    assert_int_equal(rtm_sg_root(g, i)->chain_len, n);
    for (size_t k = 0; k < n; k++) assert_string_equal(rtm_sg_chain_name(g, i, k), names[k]);
}

#define NODE(t, name, line, bytes, q) "node: { title: \"" t "\" label: \"" name "\\na.c:" #line ":1\\n" #bytes " bytes (" q ")\" }\n"
#define EDGE(a, b, line) "edge: { sourcename: \"" a "\" targetname: \"" b "\" label: \"a.c:" #line ":9\" }\n"
#define ICALL(a, line) "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n" \
    "edge: { sourcename: \"" a "\" targetname: \"__indirect_call\" label: \"a.c:" #line ":7\" }\n"

/* ---- exact scenarios ------------------------------------------------------------------------------ */

static void test_diamond_exact(void **state)
{
    (void)state;
    /* main 16 -> l 40 -> leaf 8; main -> r 100 -> leaf; r -> a.c:leaf2 (static) 24.
     * main: 16 + max(40 + 8, 100 + max(8, 24)) = 140, chain main r leaf2. */
    const char *ci = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("l", "l", 2, 40, "static")
        NODE("r", "r", 3, 100, "static") NODE("leaf", "leaf", 4, 8, "static") NODE("a.c:leaf2", "leaf2", 5, 24, "static")
        EDGE("main", "l", 1) EDGE("main", "r", 1) EDGE("l", "leaf", 2) EDGE("r", "leaf", 3) EDGE("r", "a.c:leaf2", 3) "}\n";
    rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_root_count(g), 1);
    const rtm_sg_root_result *r = root(g, "main");
    assert_int_equal(r->frames, 140);
    assert_int_equal(r->total, 140);
    assert_int_equal(r->flags, 0);
    assert_int_equal(r->stack, -1);
    static const char *const chain[] = {"main", "r", "leaf2"};
    expect_chain(g, "main", chain, 3);
    rtm_sg_free(g);

    /* Same graph, call margin 4 per frame and a 150-byte stack for main: 140 + 3 * 4 = 152 > 150. */
    rtm_sg_options opt = {.call_margin = 4};
    g = load(ci, NULL, "thread main 150\n", &opt);
    r = root(g, "main");
    assert_int_equal(r->frames, 140);
    assert_int_equal(r->margin, 12);
    assert_int_equal(r->total, 152);
    assert_int_equal(rtm_sg_exit_status(g, false), 1);
    rtm_sg_free(g);
    g = load(ci, NULL, "thread main 152\n", &opt);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    rtm_sg_free(g);

    /* No function at all (an empty .su file): nothing to fail, but nothing proven for --strict. */
    g = load(NULL, "", NULL, NULL);
    assert_int_equal(rtm_sg_root_count(g), 0);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_error why;
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: no function in the inputs: nothing is proven");
    rtm_sg_free(g);
}

static void test_su_only_and_merge(void **state)
{
    (void)state;
    /* .su alone: no calls, every function is a root with its own frame; "dynamic,bounded" counts
     * as exact; plain "dynamic" is a lower bound. A file name with a colon-free path and a C++-style
     * name with spaces and colons parse. */
    const char *su = "x/a.c:3:5:f\t32\tstatic\n"
                     "a.c:7:1:g\t48\tdynamic,bounded\r\n"
                     "\n"
                     "b.cc:9:2:int ns::h(int)\t64\tdynamic\n";
    rtm_sg_graph *g = load(NULL, su, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 3);
    assert_int_equal(root(g, "f")->total, 32);
    assert_int_equal(root(g, "g")->total, 48);
    assert_int_equal(root(g, "g")->flags, 0);
    assert_int_equal(root(g, "int ns::h(int)")->flags, RTM_SG_F_DYNAMIC);
    rtm_sg_free(g);

    /* .ci without sizes (-fcallgraph-info without =su) + .su: figures merge by name/location. */
    const char *ci = "graph: { title: \"a.c\"\n"
                     "node: { title: \"main\" label: \"main\\na.c:1:5\" }\n"
                     "node: { title: \"a.c:s\" label: \"s\\na.c:2:12\" }\n" EDGE("main", "a.c:s", 1) "}\n";
    const char *su2 = "a.c:1:5:main\t16\tstatic\na.c:2:12:s\t40\tstatic\n";
    g = load(ci, su2, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 2);
    assert_int_equal(root(g, "main")->total, 56);
    assert_int_equal(root(g, "main")->flags, 0);
    rtm_sg_free(g);

    /* C++ (g++ output): .ci titles are mangled, labels and .su demangled; they merge by location,
     * and annotations name functions by their mangled title. */
    const char *cci = "graph: { title: \"p.cc\"\n"
                      "node: { title: \"p.cc:_ZN2nsL1hEi\" label: \"int ns::h(int)\\np.cc:1:27\\n16 bytes (static)\" }\n"
                      "node: { title: \"_ZN2ns1gEi\" label: \"int ns::g(int)\\np.cc:1:86\\n32 bytes (static)\" }\n"
                      "edge: { sourcename: \"_ZN2ns1gEi\" targetname: \"p.cc:_ZN2nsL1hEi\" label: \"p.cc:1:105\" }\n}\n";
    const char *csu = "p.cc:1:27:int ns::h(int)\t16\tstatic\np.cc:1:86:int ns::g(int)\t40\tstatic\n";
    g = load(cci, csu, "thread _ZN2ns1gEi 100\n", NULL);
    assert_int_equal(rtm_sg_function_count(g), 2);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "int ns::g(int)")->total, 56); /* the larger of .ci 32 / .su 40 */
    assert_int_equal(root(g, "int ns::g(int)")->stack, 100);
    rtm_sg_free(g);
}

/* The same name in two .su files without a .ci (two static functions): which one keeps the plain
 * name and which is FILE:NAME must not depend on the order the files are given in (a directory walk
 * sorts them, a list or the command line need not). Found by fuzz_stack (reverse file order). */
static void test_su_file_order(void **state)
{
    (void)state;
    static const char a[] = "src/a.c:8:38:util\t40\tstatic\n";
    static const char b[] = "src/b.c:2:38:util\t96\tstatic\n";
    static const char ann[] = "thread src/b.c:util 200\n";
    for (int order = 0; order < 2; order++) {
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err;
        const char *first = order ? b : a, *second = order ? a : b;
        assert_int_equal(rtm_sg_load_su(g, first, strlen(first), order ? "b.su" : "a.su", &err), 0);
        assert_int_equal(rtm_sg_load_su(g, second, strlen(second), order ? "a.su" : "b.su", &err), 0);
        assert_int_equal(rtm_sg_load_annotations(g, ann, strlen(ann), "t.ann", &err), 0);
        if (rtm_sg_analyse(g, NULL, &err)) fail_msg("order %d: %s", order, err.msg);
        assert_int_equal(rtm_sg_function_count(g), 2);
        const rtm_sg_root_result *r = root(g, "src/b.c:util");
        assert_int_equal(r->total, 96);
        assert_int_equal(r->stack, 200);
        rtm_sg_free(g);
    }
}

/* Two programs in one run, main defined in app.c and in boot.c: the larger figure counts whichever
 * .ci comes first, and each .su figure joins that one main (docs/stack.md, Analysis 1). The .su
 * record of the unit whose definition was not kept made a second, uncalled "main" (a static
 * "FILE:main") with its own figure, so which main got the calls and which figure depended on the
 * order of the .ci files. Found by fuzz_stack (reverse-order check, two .ci defining a_rec). */
static void test_defined_twice_file_order(void **state)
{
    (void)state;
    static const char app_ci[] = "graph: { title: \"app.c\"\n"
                                 "node: { title: \"main\" label: \"main\\napp.c:10:5\\n16 bytes (static)\" }\n"
                                 "node: { title: \"app.c:leaf\" label: \"leaf\\napp.c:3:12\\n100 bytes (static)\" }\n"
                                 "edge: { sourcename: \"main\" targetname: \"app.c:leaf\" label: \"app.c:11:3\" }\n}\n";
    static const char boot_ci[] = "graph: { title: \"boot.c\"\n"
                                  "node: { title: \"main\" label: \"main\\nboot.c:5:5\\n24 bytes (static)\" }\n}\n";
    static const char app_su[] = "app.c:10:5:main\t40\tstatic\napp.c:3:12:leaf\t100\tstatic\n";
    static const char boot_su[] = "boot.c:5:5:main\t64\tstatic\n";
    char *reports[2][2] = {{NULL, NULL}, {NULL, NULL}}; /* [order][text, JSON] */
    size_t lens[2][2];
    for (int order = 0; order < 2; order++) {
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err;
        const char *ci1 = order ? boot_ci : app_ci, *ci2 = order ? app_ci : boot_ci;
        assert_int_equal(rtm_sg_load_ci(g, ci1, strlen(ci1), "1.ci", &err), 0);
        assert_int_equal(rtm_sg_load_ci(g, ci2, strlen(ci2), "2.ci", &err), 0);
        assert_int_equal(rtm_sg_load_su(g, app_su, strlen(app_su), "app.su", &err), 0);
        assert_int_equal(rtm_sg_load_su(g, boot_su, strlen(boot_su), "boot.su", &err), 0);
        if (rtm_sg_analyse(g, NULL, &err)) fail_msg("order %d: %s", order, err.msg);
        assert_int_equal(rtm_sg_function_count(g), 2);
        assert_int_equal(rtm_sg_root_count(g), 1);
        assert_int_equal(root(g, "main")->total, 164);
        /* The reports (main's location included: app.c:10:5, the smaller of the two) do not
         * depend on the file order either. */
        for (int json = 0; json < 2; json++) {
            FILE *out = open_memstream(&reports[order][json], &lens[order][json]);
            assert_non_null(out);
            if (json) rtm_sg_report_json(g, out);
            else rtm_sg_report_text(g, out);
            fclose(out);
        }
        assert_non_null(strstr(reports[order][0], "app.c:10:5"));
        assert_null(strstr(reports[order][0], "boot.c:5:5"));
        rtm_sg_free(g);
    }
    for (int json = 0; json < 2; json++) {
        assert_string_equal(reports[0][json], reports[1][json]);
        free(reports[0][json]);
        free(reports[1][json]);
    }
}

/* One title, two labels that disagree on the name (not GCC's output, but accepted): the name the
 * reports show and annotations use must not depend on which .ci comes first. Found by fuzz_stack. */
static void test_label_name_file_order(void **state)
{
    (void)state;
    static const char ci_a[] = "graph: { title: \"a.c\"\n"
                               "node: { title: \"f\" label: \"f_b\\na.c:1:5\\n16 bytes (static)\" }\n}\n";
    static const char ci_b[] = "graph: { title: \"b.c\"\n"
                               "node: { title: \"f\" label: \"f_a\\na.c:1:5\\n16 bytes (static)\" }\n}\n";
    static const char ann[] = "thread f_a 100\n";
    for (int order = 0; order < 2; order++) {
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err;
        const char *c1 = order ? ci_b : ci_a, *c2 = order ? ci_a : ci_b;
        assert_int_equal(rtm_sg_load_ci(g, c1, strlen(c1), "1.ci", &err), 0);
        assert_int_equal(rtm_sg_load_ci(g, c2, strlen(c2), "2.ci", &err), 0);
        assert_int_equal(rtm_sg_load_annotations(g, ann, strlen(ann), "t.ann", &err), 0);
        if (rtm_sg_analyse(g, NULL, &err)) fail_msg("order %d: %s", order, err.msg);
        assert_int_equal(rtm_sg_root_count(g), 1);
        assert_string_equal(rtm_sg_root(g, 0)->name, "f_a");
        assert_int_equal(rtm_sg_root(g, 0)->stack, 100);
        rtm_sg_free(g);
    }
}

/* --json is valid UTF-8 whatever bytes the names have: well-formed UTF-8 passes, stray bytes
 * (a Latin-1 source file name) become \u00XX, control characters and DEL are escaped. */
static void test_json_utf8(void **state)
{
    (void)state;
    const char *su = "caf\xc3\xa9.c:1:1:\xce\xbb_sum\t16\tstatic\n" /* UTF-8: cafe-acute, lambda */
                     "d\xe9j\xe0.c:2:1:f\x7f\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\t24\tstatic\n"; /* Latin-1, DEL, overlong, surrogate, > U+10FFFF */
    rtm_sg_graph *g = load(NULL, su, NULL, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    rtm_sg_report_json(g, out);
    fclose(out);
    assert_non_null(strstr(buf, "\"\xce\xbb_sum\""));
    assert_non_null(strstr(buf, "\"f\\u007f\\u00c0\\u00af\\u00ed\\u00a0\\u0080\\u00f4\\u0090\\u0080\\u0080\""));
    /* every byte >= 0x80 left in the output belongs to a well-formed sequence */
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x80) continue;
        assert_true((p[0] == 0xc3 && p[1] == 0xa9) || (p[0] == 0xce && p[1] == 0xbb));
        p++;
    }
    free(buf);
    rtm_sg_free(g);
    /* the edges of the ranges: U+0080 and U+0800 (the smallest second bytes), U+10FFFF (lead 0xF4)
     * are well-formed; a lead without continuation ("\xc3" + 'A'), an overlong 3-byte form, a lone
     * continuation byte and a lead above 0xF4, each followed by continuation bytes, are not */
    su = "a.c:1:1:g\xc2\x80\xe0\xa0\x80\xf4\x8f\xbf\xbf\t8\tstatic\n"
         "a.c:2:1:h\xc3" "A\xe0\x80\x80\x80\x80\x80\x80\xf5\x80\x80\x80\t8\tstatic\n";
    g = load(NULL, su, NULL, NULL);
    out = open_memstream(&buf, &len);
    assert_non_null(out);
    rtm_sg_report_json(g, out);
    fclose(out);
    assert_non_null(strstr(buf, "\"g\xc2\x80\xe0\xa0\x80\xf4\x8f\xbf\xbf\""));
    assert_non_null(strstr(buf, "\"h\\u00c3A\\u00e0\\u0080\\u0080\\u0080\\u0080\\u0080\\u0080\\u00f5\\u0080\\u0080\\u0080\""));
    free(buf);
    rtm_sg_free(g);
}

static void test_external_and_nodata(void **state)
{
    (void)state;
    /* Two units: a.ci calls ext (declared only, "shape: ellipse"), b.ci defines it. memcpy has no
     * data anywhere: the result is a lower bound until a 'frame' annotation bounds it. */
    const char *a = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
        "node: { title: \"ext\" label: \"ext\\na.c:0:12\" shape : ellipse }\n" EDGE("main", "ext", 1)
        EDGE("main", "memcpy", 1) "}\n";
    const char *b = "graph: { title: \"b.c\"\n" NODE("ext", "ext", 3, 72, "static") "}\n";
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_ci(g, a, strlen(a), "a.ci", &err), 0);
    assert_int_equal(rtm_sg_load_ci(g, b, strlen(b), "b.ci", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "main")->total, 88);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_NODATA);
    /* the chain shows ext where it is defined (b.c:3), not where a.c declared it */
    char *txt = NULL;
    size_t tl = 0;
    FILE *mf = open_memstream(&txt, &tl);
    assert_non_null(mf);
    rtm_sg_report_text(g, mf);
    fclose(mf);
    assert_non_null(strstr(txt, "ext                          a.c:3:1 "));
    assert_non_null(strstr(txt, "no stack data: memcpy"));
    free(txt);
    rtm_sg_free(g);

    g = rtm_sg_new();
    assert_int_equal(rtm_sg_load_ci(g, a, strlen(a), "a.ci", &err), 0);
    assert_int_equal(rtm_sg_load_ci(g, b, strlen(b), "b.ci", &err), 0);
    assert_int_equal(rtm_sg_annotate(g, "frame memcpy 100", "cmdline", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    assert_int_equal(root(g, "main")->total, 116);
    assert_int_equal(root(g, "main")->flags, 0);
    rtm_sg_free(g);

    /* The same title defined in two units (two programs given at once): the larger frame counts and
     * the report says so. */
    const char *c2 = "graph: { title: \"c.c\"\n"
                     "node: { title: \"ext\" label: \"ext\\nc.c:9:1\\n80 bytes (static)\" }\n}\n";
    g = rtm_sg_new();
    assert_int_equal(rtm_sg_load_ci(g, a, strlen(a), "a.ci", &err), 0);
    assert_int_equal(rtm_sg_load_ci(g, b, strlen(b), "b.ci", &err), 0);
    assert_int_equal(rtm_sg_load_ci(g, c2, strlen(c2), "c.ci", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    assert_int_equal(root(g, "main")->total, 96);
    txt = NULL;
    mf = open_memstream(&txt, &tl);
    rtm_sg_report_text(g, mf);
    fclose(mf);
    assert_non_null(strstr(txt, "defined in more than one unit: ext"));
    free(txt);
    rtm_sg_free(g);
}

static void test_recursion_exact(void **state)
{
    (void)state;
    /* main 8 -> a 10 -> b 20 -> a (cycle), b -> c 30 -> c (self), c -> d 1.
     * Components: {a,b} and {c}. Without annotations: depth 1 each, unbounded:
     *   8 + (10 + 20) + 30 + 1 = 69. With recursion a 3, c 5: 8 + 3 * 30 + 5 * 30 + 1 = 249. */
    const char *ci = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 8, "static") NODE("a", "a", 2, 10, "static")
        NODE("b", "b", 3, 20, "static") NODE("c", "c", 4, 30, "static") NODE("d", "d", 5, 1, "static")
        EDGE("main", "a", 1) EDGE("a", "b", 2) EDGE("b", "a", 3) EDGE("b", "c", 3) EDGE("c", "c", 4) EDGE("c", "d", 4) "}\n";
    rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_cycle_count(g), 2);
    assert_int_equal(root(g, "main")->total, 69);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_RECURSION);
    static const char *const chain[] = {"main", "a", "c", "d"};
    expect_chain(g, "main", chain, 4);
    rtm_sg_free(g);
    g = load(ci, NULL, "recursion b 3 # names any member of the cycle\nrecursion c 5\n", NULL);
    assert_int_equal(root(g, "main")->total, 249);
    assert_int_equal(root(g, "main")->flags, 0);
    rtm_sg_free(g);
    /* The same member twice: the larger depth counts, in either order. */
    g = load(ci, NULL, "recursion b 3\nrecursion c 5\nrecursion c 2\n", NULL);
    assert_int_equal(root(g, "main")->total, 249);
    rtm_sg_free(g);
    g = load(ci, NULL, "recursion c 2\nrecursion b 3\nrecursion c 5\n", NULL);
    assert_int_equal(root(g, "main")->total, 249);
    rtm_sg_free(g);
    /* Only one of the two cycles bounded: still unbounded. */
    g = load(ci, NULL, "recursion c 5\n", NULL);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_RECURSION);
    rtm_sg_free(g);
}

static void test_icall_exact(void **state)
{
    (void)state;
    /* main 16 -> disp 8 -> (indirect, line 7) ; main -> run 4 -> (indirect, line 9);
     * t1 100, t2 200, t3 50 are only reachable through pointers. */
    const char *ci = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("disp", "disp", 6, 8, "static")
        NODE("run", "run", 8, 4, "static") NODE("t1", "t1", 10, 100, "static") NODE("t2", "t2", 11, 200, "static")
        NODE("t3", "t3", 12, 50, "static") EDGE("main", "disp", 1) EDGE("main", "run", 1) ICALL("disp", 7)
        ICALL("run", 9) "}\n";
    rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_unresolved_count(g), 2);
    assert_int_equal(root(g, "main")->total, 24);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_ICALL);
    assert_int_equal(rtm_sg_root_count(g), 4); /* main, t1, t2, t3 */
    rtm_sg_free(g);
    /* site form + type form: disp -> t1 | t3 ; run -> handler type -> t2 | t3 */
    g = load(ci, NULL, "icall a.c:7 t1 t3\nfptype handler t2 t3\nicall run @handler\n", NULL);
    assert_int_equal(rtm_sg_unresolved_count(g), 0);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "main")->total, 16 + 4 + 200);
    assert_int_equal(root(g, "main")->flags, 0);
    static const char *const chain[] = {"main", "run", "t2"};
    expect_chain(g, "main", chain, 3);
    rtm_sg_free(g);
    /* site with column; only one of the two resolved */
    g = load(ci, NULL, "icall a.c:9:7 t1\n", NULL);
    assert_int_equal(rtm_sg_unresolved_count(g), 1);
    assert_int_equal(root(g, "main")->total, 16 + 4 + 100);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_ICALL);
    rtm_sg_free(g);
}

/* Several icall directives for the same site, or for the same function, add up: every target any
 * of them names is a possible callee, whatever order the files and lines come in (once the first
 * match won and the others' targets were dropped without a word: a bound too small). */
static void test_icall_directives_add_up(void **state)
{
    (void)state;
    const char *ci = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("run", "run", 8, 4, "static")
        NODE("t1", "t1", 10, 100, "static") NODE("t2", "t2", 11, 200, "static") NODE("t3", "t3", 12, 50, "static")
        EDGE("main", "run", 1) ICALL("run", 9) "}\n";
    static const char *const anns[] = {
        "icall run t1\nicall run t2\n",           "icall run t2\nicall run t1\n",
        "icall a.c:9 t1\nicall a.c:9:7 t2\n",     "icall a.c:9:7 t2\nicall a.c:9 t1\n",
        "icall a.c:9 t1\nicall a.c:9 t2 t1\n",    "fptype h t1\nicall run @h\nfptype h t2\nicall run t1\n",
    };
    for (size_t i = 0; i < sizeof anns / sizeof anns[0]; i++) {
        rtm_sg_graph *g = load(ci, NULL, anns[i], NULL);
        assert_int_equal(rtm_sg_unresolved_count(g), 0);
        assert_int_equal(root(g, "main")->total, 16 + 4 + 200);
        assert_int_equal(root(g, "main")->flags, 0);
        assert_int_equal(rtm_sg_root_count(g), 2); /* main, and t3 which nothing names */
        assert_int_equal(rtm_sg_edge_count(g), 3);  /* main -> run, run -> t1, run -> t2: once each */
        static const char *const chain[] = {"main", "run", "t2"};
        expect_chain(g, "main", chain, 3);
        rtm_sg_free(g);
    }
    /* A site directive still takes precedence over its function's: the function's covers only the
     * calls no site names. */
    rtm_sg_graph *g = load(ci, NULL, "icall run t2\nicall a.c:9 t1\n", NULL);
    assert_int_equal(root(g, "main")->total, 16 + 4 + 100);
    rtm_sg_free(g);
}

/* thread, isr and frame given twice for one NAME: the later value counts (docs/stack-annotations.md:
 * files and options in command-line order, so an option after a file overrides it). */
static void test_repeated_directives_later_wins(void **state)
{
    (void)state;
    const char *ci = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("w", "w", 2, 100, "static")
        EDGE("main", "w", 1) "}\n";
    rtm_sg_graph *g = load(ci, NULL, "thread main 64\nframe w 40\nthread main 200\nframe w 20\n", NULL);
    assert_int_equal(root(g, "main")->stack, 200);
    assert_int_equal(root(g, "main")->total, 16 + 20);
    rtm_sg_free(g);
    g = load(ci, NULL, "thread main 200\nframe w 20\nthread main 64\nframe w 40\n", NULL);
    assert_int_equal(root(g, "main")->stack, 64);
    assert_int_equal(root(g, "main")->total, 16 + 40);
    rtm_sg_free(g);
    g = load(ci, NULL, "isr w 3\nisr w 7\n", NULL);
    assert_true(root(g, "w")->isr);
    assert_int_equal(root(g, "w")->level, 7);
    rtm_sg_free(g);
}

static void test_isr_nesting_exact(void **state)
{
    (void)state;
    /* thread t 10 -> w 90; ISRs: i1 (level 1) 20 -> h1 30; i2 (level 1) 5; i3 (level 2) 40; i4 (level 7) 2.
     * isr_frame 8. Per level: L1 max(50, 5) + 8 = 58, L2 48, L7 10. Nesting = 116.
     * t = 100 + 116 = 216. i1 = 50 + 8 + (48 + 10) = 116. i4 = 2 + 8 = 10. */
    const char *ci = "graph: { title: \"a.c\"\n" NODE("t", "t", 1, 10, "static") NODE("w", "w", 2, 90, "static")
        NODE("i1", "i1", 3, 20, "static") NODE("h1", "h1", 4, 30, "static") NODE("i2", "i2", 5, 5, "static")
        NODE("i3", "i3", 6, 40, "static") NODE("i4", "i4", 7, 2, "static") EDGE("t", "w", 1) EDGE("i1", "h1", 3) "}\n";
    rtm_sg_options opt = {.isr_frame = 8};
    rtm_sg_graph *g = load(ci, NULL, "thread t 216\nisr i1 1\nisr i2 1\nisr i3 2\nisr i4 7\n", &opt);
    assert_int_equal(root(g, "t")->frames, 100);
    assert_int_equal(root(g, "t")->isr_nesting, 116);
    assert_int_equal(root(g, "t")->total, 216);
    assert_int_equal(root(g, "i1")->total, 116);
    assert_int_equal(root(g, "i1")->level, 1);
    assert_true(root(g, "i1")->isr);
    assert_int_equal(root(g, "i2")->total, 5 + 8 + 58);
    assert_int_equal(root(g, "i3")->total, 40 + 8 + 10);
    assert_int_equal(root(g, "i4")->total, 10);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    rtm_sg_free(g);
    /* An unbounded ISR makes every thread a lower bound; --strict then fails. */
    g = load(ci, NULL, "thread t 1000\nisr i1 1\nisr i2 1\nframe h1 30\n", &opt);
    assert_int_equal(rtm_sg_exit_status(g, true), 0);
    rtm_sg_free(g);
    const char *ci2 = "graph: { title: \"a.c\"\n" NODE("t", "t", 1, 10, "static") NODE("i1", "i1", 3, 20, "dynamic") "}\n";
    g = load(ci2, NULL, "thread t 1000\nisr i1 1\n", &opt);
    assert_int_equal(root(g, "t")->flags, RTM_SG_F_DYNAMIC);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
}

static void test_roots_option(void **state)
{
    (void)state;
    const char *ci = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("x", "x", 2, 40, "static")
        NODE("y", "y", 3, 4, "static") EDGE("main", "x", 1) EDGE("x", "y", 2) "}\n";
    const char *const roots[] = {"x"};
    rtm_sg_options opt = {.roots = roots, .nroots = 1};
    rtm_sg_graph *g = load(ci, NULL, NULL, &opt);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "x")->total, 44);
    rtm_sg_free(g);
    const char *const bad[] = {"nosuch"};
    opt.roots = bad;
    g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_ci(g, ci, strlen(ci), "t.ci", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, &opt, &err), -1);
    assert_non_null(strstr(err.msg, "unknown function 'nosuch'"));
    rtm_sg_free(g);
}

/* Text report of @p g (malloc'd). */
static char *report_text(const rtm_sg_graph *g)
{
    char *txt = NULL;
    size_t tl = 0;
    FILE *mf = open_memstream(&txt, &tl);
    assert_non_null(mf);
    rtm_sg_report_text(g, mf);
    fclose(mf);
    return txt;
}

/* GCC labels a callee it knows as a built-in with the pseudo-location "<built-in>": memset/memcpy
 * with a variable size, strlen, abort; __cxa_atexit in C++, __gcov_init with --coverage (gcc 12 -O2:
 * void f1(char *d, unsigned n) { __builtin_memset(d, 0, n); }, fixtures/gcc/builtin). Such .ci files
 * were rejected ("node label: expected FILE:LINE:COL on line 2"). They are external functions without
 * data, like any undefined callee, named by their title (the link name, which 'frame' annotations
 * and the linker use) rather than "__builtin_memset". */
static void test_builtin_callees(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"b.c\"\n"
                             "node: { title: \"f1\" label: \"f1\\nb.c:1:6\\n8 bytes (static)\" }\n"
                             "node: { title: \"memset\" label: \"__builtin_memset\\n<built-in>\" shape : ellipse }\n"
                             "edge: { sourcename: \"f1\" targetname: \"memset\" }\n"
                             "node: { title: \"f3\" label: \"f3\\nb.c:3:5\\n16 bytes (static)\" }\n"
                             "node: { title: \"strlen\" label: \"__builtin_strlen\\n<built-in>\" shape : ellipse }\n"
                             "edge: { sourcename: \"f3\" targetname: \"strlen\" label: \"b.c:3:32\" }\n"
                             "}\n";
    rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 4);
    assert_int_equal(rtm_sg_root_count(g), 2);
    assert_int_equal(root(g, "f1")->total, 8);
    assert_int_equal(root(g, "f1")->flags, RTM_SG_F_NODATA);
    assert_int_equal(root(g, "f3")->flags, RTM_SG_F_NODATA);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "  LOWER BOUND: no stack data for memset\n"));
    assert_non_null(strstr(txt, "         0  memset                       ?                          NO DATA\n"));
    assert_non_null(strstr(txt, "  no stack data: memset (add its .su/.ci, or: frame memset BYTES)\n"));
    assert_non_null(strstr(txt, "  no stack data: strlen (add its .su/.ci, or: frame strlen BYTES)\n"));
    assert_null(strstr(txt, "__builtin"));
    free(txt);
    rtm_sg_free(g);
    g = load(ci, NULL, "frame memset 24\nframe strlen 8\n", NULL);
    assert_int_equal(root(g, "f1")->total, 32);
    assert_int_equal(root(g, "f1")->flags, 0);
    assert_int_equal(root(g, "f3")->total, 24);
    rtm_sg_free(g);
    /* Another unit's call to memset through <string.h>: the same function, located there, whichever
     * file comes first. */
    static const char ci2[] = "graph: { title: \"c.c\"\n" NODE("g", "g", 2, 40, "static")
        "node: { title: \"memset\" label: \"memset\\n/usr/include/string.h:61:14\" shape : ellipse }\n"
        EDGE("g", "memset", 2) "}\n";
    for (int order = 0; order < 2; order++) {
        g = rtm_sg_new();
        rtm_sg_error err;
        assert_int_equal(rtm_sg_load_ci(g, order ? ci2 : ci, strlen(order ? ci2 : ci), "1.ci", &err), 0);
        assert_int_equal(rtm_sg_load_ci(g, order ? ci : ci2, strlen(order ? ci : ci2), "2.ci", &err), 0);
        assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
        assert_int_equal(rtm_sg_function_count(g), 5);
        txt = report_text(g);
        assert_non_null(strstr(txt, "         0  memset                       /usr/include/string.h:61:14 a.c:2:9  NO DATA\n"));
        free(txt);
        rtm_sg_free(g);
    }
}

/* Preempting handlers count with every one of them: big_isr (400 bytes) is level 2's worst chain,
 * and vla_isr (32 bytes + a VLA) on the same level can preempt low_isr as well. low_isr took the
 * flags of big_isr only: "ok" and --strict passed although its bound is not one. */
static void test_isr_flags_every_handler(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"i.c\"\n" NODE("low_isr", "low_isr", 1, 16, "static")
        NODE("big_isr", "big_isr", 2, 400, "static") NODE("vla_isr", "vla_isr", 3, 32, "dynamic")
        NODE("main", "main", 4, 64, "static") NODE("rec_isr", "rec_isr", 5, 8, "static") EDGE("rec_isr", "rec_isr", 5) "}\n";
    static const char ann[] = "isr low_isr 1\nisr big_isr 2\nisr vla_isr 2\nthread low_isr 1024\nthread main 2048\n";
    rtm_sg_graph *g = load(ci, NULL, ann, NULL);
    assert_int_equal(root(g, "low_isr")->total, 416);
    assert_int_equal(root(g, "low_isr")->flags, RTM_SG_F_DYNAMIC);
    assert_int_equal(root(g, "big_isr")->flags, 0); /* level 2 has nothing above it */
    assert_int_equal(root(g, "main")->total, 64 + 416);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_DYNAMIC);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "low_isr: 416 bytes = 16 frames + 400 higher-priority ISRs; stack 1024\n"
                                "  LOWER BOUND: interrupt handler vla_isr (level 2) is not bounded\n"));
    free(txt);
    rtm_sg_free(g);
    /* The same with the unbounded handler the level's worst: unchanged (it was right then). */
    g = load(ci, NULL, "isr low_isr 1\nisr big_isr 2\nisr vla_isr 2\nframe big_isr 8\nthread low_isr 1024\n", NULL);
    assert_int_equal(root(g, "low_isr")->total, 16 + 32);
    assert_int_equal(root(g, "low_isr")->flags, RTM_SG_F_DYNAMIC);
    rtm_sg_free(g);
    /* Recursion in a smaller handler of a higher level: unbounded. */
    g = load(ci, NULL, "isr low_isr 1\nisr big_isr 2\nisr rec_isr 2\nthread low_isr 1024\n", NULL);
    assert_int_equal(root(g, "low_isr")->total, 416);
    assert_int_equal(root(g, "low_isr")->flags, RTM_SG_F_RECURSION);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
    /* A handler of the same or a lower level never preempts: no flags from those. (--strict checks
     * every reported root: vla_isr, rec_isr and main are not bounded, so low_isr is reported alone.) */
    g = load(ci, NULL, "isr low_isr 3\nisr big_isr 2\nisr vla_isr 3\nthread low_isr 1024\n", NULL);
    assert_int_equal(root(g, "low_isr")->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
    static const char *const only_low[] = {"low_isr"};
    rtm_sg_options opt = {.roots = only_low, .nroots = 1};
    g = load(ci, NULL, "isr low_isr 3\nisr big_isr 2\nisr vla_isr 3\nthread low_isr 1024\n", &opt);
    assert_int_equal(root(g, "low_isr")->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 0);
    rtm_sg_free(g);
}

/* -fcallgraph-info without =su: definitions have a two-line label too (no figure), told from a
 * declaration by the missing "shape : ellipse". Such a node was taken for a declaration, so a .su
 * line found it by title or name only: a header's static (title "m.c:hwork", .su "h.h:1:38:hwork")
 * or a clone (title "m.c:hwork.constprop.0", .su name "hwork.constprop") never, and its figure
 * became a spurious root while its callers were lower bounds ("no stack data for hwork.constprop").
 * The .su now completes the .ci by location, as docs/stack.md says. gcc 12 -O2 and -O1 output. */
static void test_plain_ci_by_location(void **state)
{
    (void)state;
    static const char ci_o2[] = "graph: { title: \"m.c\"\n"
                                "node: { title: \"m.c:hwork.constprop.0\" label: \"hwork.constprop\\nh.h:1:38\" }\n"
                                "node: { title: \"api1\" label: \"api1\\nm.c:2:5\" }\n"
                                "edge: { sourcename: \"api1\" targetname: \"m.c:hwork.constprop.0\" label: \"m.c:2:26\" }\n"
                                "node: { title: \"api2\" label: \"api2\\nm.c:3:5\" }\n"
                                "edge: { sourcename: \"api2\" targetname: \"m.c:hwork.constprop.0\" label: \"m.c:3:26\" }\n"
                                "}\n";
    static const char su_o2[] = "h.h:1:38:hwork.constprop\t104\tstatic\nm.c:2:5:api1\t8\tstatic\nm.c:3:5:api2\t8\tstatic\n";
    rtm_sg_graph *g = load(ci_o2, su_o2, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 3);
    assert_int_equal(rtm_sg_root_count(g), 2);
    assert_int_equal(root(g, "api1")->total, 112);
    assert_int_equal(root(g, "api1")->flags, 0);
    assert_int_equal(root(g, "api2")->total, 112);
    static const char *const chain[] = {"api1", "hwork.constprop"};
    expect_chain(g, "api1", chain, 2);
    rtm_sg_free(g);
    static const char ci_o1[] = "graph: { title: \"m.c\"\n"
                                "node: { title: \"m.c:hwork\" label: \"hwork\\nh.h:1:38\" }\n"
                                "node: { title: \"api1\" label: \"api1\\nm.c:2:5\" }\n"
                                "edge: { sourcename: \"api1\" targetname: \"m.c:hwork\" label: \"m.c:2:26\" }\n"
                                "}\n";
    static const char su_o1[] = "h.h:1:38:hwork\t104\tstatic\nm.c:2:5:api1\t16\tstatic\n";
    g = load(ci_o1, su_o1, "frame m.c:hwork 200\n", NULL);
    assert_int_equal(rtm_sg_function_count(g), 2);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "api1")->total, 216);
    rtm_sg_free(g);
    /* A declaration's two-line label (shape : ellipse) is still no definition: its location gives
     * way to the defining unit's, and a .su line of the same name elsewhere is the definition. */
    static const char decl[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
        "node: { title: \"ext\" label: \"ext\\na.h:7:5\" shape : ellipse }\n" EDGE("main", "ext", 1) "}\n";
    g = load(decl, "b.c:3:5:ext\t72\tstatic\n", NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 2);
    assert_int_equal(root(g, "main")->total, 88);
    assert_int_equal(root(g, "main")->flags, 0);
    rtm_sg_free(g);
}

/* -fcallgraph-info=da writes, after the location (and the figure with =su,da), "N dynamic objects"
 * and one line " NAME FILE:LINE:COL" per object ("(null)" for an alloca): nothing the analysis
 * needs (.su's "dynamic" says it), so it is checked and skipped. =da alone was rejected
 * ("unknown qualifier in '0 dynamic objects'"). gcc 12 -O1 output (fixtures/gcc/da). */
static void test_da_labels(void **state)
{
    (void)state;
    static const char da[] = "graph: { title: \"a.c\"\n"
                              "node: { title: \"a.c:leaf\" label: \"leaf\\na.c:3:12\\n0 dynamic objects\" }\n"
                              "node: { title: \"vla\" label: \"vla\\na.c:4:5\\n1 dynamic objects\\n b a.c:4:23\" }\n"
                              "node: { title: \"al\" label: \"al\\na.c:6:5\\n2 dynamic objects\\n (null) a.c:6:27\\n "
                              "(null) a.c:6:40\" }\n"
                              "node: { title: \"main\" label: \"main\\na.c:10:5\\n0 dynamic objects\" }\n"
                              "edge: { sourcename: \"main\" targetname: \"vla\" label: \"a.c:10:25\" }\n"
                              "edge: { sourcename: \"main\" targetname: \"al\" label: \"a.c:10:30\" }\n"
                              "edge: { sourcename: \"vla\" targetname: \"a.c:leaf\" label: \"a.c:4:62\" }\n"
                              "}\n";
    static const char su[] = "a.c:3:12:leaf\t8\tstatic\na.c:4:5:vla\t80\tdynamic\na.c:6:5:al\t48\tdynamic\n"
                             "a.c:10:5:main\t16\tstatic\n";
    rtm_sg_graph *g = load(da, su, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 4);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "main")->total, 16 + 80 + 8);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_DYNAMIC);
    rtm_sg_free(g);
    /* =su,da: the figure, then the objects */
    static const char suda[] = "graph: { title: \"a.c\"\n"
                                "node: { title: \"vla\" label: \"vla\\na.c:4:5\\n80 bytes (dynamic)\\n1 dynamic objects\\n b "
                                "a.c:4:23\" }\n"
                                "node: { title: \"main\" label: \"main\\na.c:10:5\\n16 bytes (static)\\n0 dynamic objects\" }\n"
                                "edge: { sourcename: \"main\" targetname: \"vla\" label: \"a.c:10:25\" }\n"
                                "}\n";
    g = load(suda, NULL, NULL, NULL);
    assert_int_equal(root(g, "main")->total, 96);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_DYNAMIC);
    rtm_sg_free(g);
}

/* A recursion cycle that nothing outside it calls (ping <-> pong) is one root, named by its first
 * member by name (whatever order the files list them in), and unbounded without a depth. It gave no
 * root at all, as each member has a caller, while a function that only calls itself was a root. */
static void test_uncalled_cycle_root(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"c.c\"\n" NODE("pong", "pong", 3, 1024, "static")
        EDGE("pong", "ping", 3) NODE("ping", "ping", 2, 1024, "static") EDGE("ping", "pong", 2)
        NODE("self", "self", 5, 100, "static") EDGE("self", "self", 5)
        NODE("main", "main", 7, 8, "static") NODE("a", "a", 8, 10, "static") NODE("b", "b", 9, 20, "static")
        EDGE("main", "a", 7) EDGE("a", "b", 8) EDGE("b", "a", 9) "}\n";
    rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_cycle_count(g), 3);
    assert_int_equal(rtm_sg_root_count(g), 3); /* ping, self, main: pong, a and b are not roots */
    assert_null(rtm_sg_root_by_name(g, "pong"));
    assert_null(rtm_sg_root_by_name(g, "a"));
    const rtm_sg_root_result *r = root(g, "ping");
    assert_int_equal(r->total, 2048);
    assert_int_equal(r->flags, RTM_SG_F_RECURSION);
    assert_int_equal(r->chain_len, 1);
    assert_int_equal(root(g, "self")->flags, RTM_SG_F_RECURSION);
    assert_int_equal(root(g, "main")->total, 38);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "ping                         root        2048       0       0     2048        -  unbounded\n"));
    free(txt);
    rtm_sg_free(g);
    /* the same root with the functions in the other order */
    static const char ci2[] = "graph: { title: \"c.c\"\n" NODE("ping", "ping", 2, 1024, "static") EDGE("ping", "pong", 2)
        NODE("pong", "pong", 3, 1024, "static") EDGE("pong", "ping", 3) "}\n";
    g = load(ci2, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(root(g, "ping")->total, 2048);
    rtm_sg_free(g);
    /* bounded by a depth; --strict fails on the unbounded one with a stack */
    g = load(ci, NULL, "recursion pong 4\n", NULL);
    assert_int_equal(root(g, "ping")->total, 4 * 2048);
    assert_int_equal(root(g, "ping")->flags, 0);
    rtm_sg_free(g);
    g = load(ci, NULL, "thread ping 8192\n", NULL);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
    /* a member named as a root (annotation) stands for the cycle: no second root */
    g = load(ci, NULL, "root pong\n", NULL);
    assert_int_equal(rtm_sg_root_count(g), 3);
    assert_non_null(rtm_sg_root_by_name(g, "pong"));
    assert_null(rtm_sg_root_by_name(g, "ping"));
    rtm_sg_free(g);
}

/* A message is "FILE:LINE: message" however long FILE is: the file name gives way (its start is
 * replaced by "..."), never the line or the message. With a path that filled the 512-byte buffer
 * the message was the path alone, cut. */
static void test_long_file_name(void **state)
{
    (void)state;
    char name[1024] = "";
    for (int i = 0; i < 3; i++) {
        strcat(name, "/");
        for (int k = 0; k < 200; k++) strcat(name, "d");
    }
    strcat(name, "/x.su");
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_su(g, "a.c:1:2:f\t16\tstatik\n", 20, name, &err), -1);
    static const char tail[] = "d/x.su:1: unknown qualifier 'statik' (static, dynamic or dynamic,bounded)";
    size_t n = strlen(err.msg);
    assert_true(n < sizeof err.msg);
    assert_memory_equal(err.msg, "...", 3);
    assert_true(n > strlen(tail));
    assert_string_equal(err.msg + n - strlen(tail), tail);
    const char *colon = strstr(err.msg, ":1: ");
    assert_non_null(colon);
    size_t kept = (size_t)(colon - (err.msg + 3)); /* the end of the name, as much as fits */
    assert_true(kept > 100);
    assert_memory_equal(err.msg + 3, name + strlen(name) - kept, kept);
    rtm_sg_free(g);
    /* annotation files too (their names are in messages of the analysis) */
    g = rtm_sg_new();
    name[strlen(name) - 3] = '\0';
    strcat(name, ".ann");
    assert_int_equal(rtm_sg_load_ci(g, "graph: { }", 10, "a.ci", &err), 0);
    assert_int_equal(rtm_sg_load_annotations(g, "\nthread nosuch 100\n", 19, name, &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), -1);
    static const char tail2[] = "d/x.ann:2: unknown function 'nosuch'";
    n = strlen(err.msg);
    assert_memory_equal(err.msg, "...", 3);
    assert_true(n > strlen(tail2));
    assert_string_equal(err.msg + n - strlen(tail2), tail2);
    rtm_sg_free(g);
}

/* ---- malformed input ----------------------------------------------------------------------------- */

typedef struct {
    int kind; /* 0 ci, 1 su, 2 annotation (load), 3 annotation (analyse) */
    const char *text;
    const char *msg; /* expected prefix of the error */
} bad_case;

static void test_malformed(void **state)
{
    (void)state;
    static const char base_ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") ICALL("main", 1) "}\n";
    static const bad_case cases[] = {
        {1, "a.c:1:1:f\t12\n", "t.su:1: expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER"},
        /* a message is one line: control characters of the input it quotes show as '?' (found by
         * fuzz_stack: a quoted .ci string with "\n" in it split the message) */
        {0, "graph: { title: \"a\" \"x\\ny\" }", "t.ci:1: expected node, edge or an attribute, found 'x?y'"},
        {0, "graph: {\nnode: { \"a\\nb\\tc\" }\n}", "t.ci:2: expected an attribute name, found 'a?b?c'"},
        {1, "a.c:1:1:f\t1\x1b" "2\tstatic\n", "t.su:1: bad stack size '1?2'"},
        {3, "root a\rb\n", "t.ann:1: unknown function 'a?b'"},
        {1, "a.c:1:1:f\t12\tstatic\na.c:2:1:g\tx\tstatic\n", "t.su:2: bad stack size 'x'"},
        {1, "a.c:1:1:f\t-3\tstatic\n", "t.su:1: bad stack size '-3'"},
        {1, "a.c:1:1:f\t99999999999999999999999\tstatic\n", "t.su:1: bad stack size"},
        {1, "a.c:f\t12\tstatic\n", "t.su:1: expected FILE:LINE:COL:NAME before the first tab"},
        {1, "a.c:1:1:\t12\tstatic\n", "t.su:1: expected FILE:LINE:COL:NAME before the first tab"},
        {1, "\n\na.c:1:1:f\t12\tstatik\n", "t.su:3: unknown qualifier 'statik'"},
        {0, "", "t.ci:1: expected 'graph:', found end of file"},
        {0, "digraph {", "t.ci:1: expected 'graph:', found 'digraph'"},
        {0, "graph: {\nnode: { title: \"a }\n}", "t.ci:2: unterminated string"},
        {0, "graph: {\nnode: { label: \"x\" }\n}", "t.ci:2: node without title"},
        {0, "graph: {\n\nedge: { sourcename: \"a\" }\n}", "t.ci:3: edge without sourcename or targetname"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\nxx bytes (static)\" }\n}",
         "t.ci:2: node label: expected 'BYTES bytes (QUALIFIER)' on line 3"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n8 bytes (weird)\" }\n}",
         "t.ci:2: node label: unknown qualifier"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\nnowhere\" }\n}", "t.ci:2: node label: expected FILE:LINE:COL"},
        {0, "graph: {\nnode: { title: \"f\" }\n", "t.ci:3: missing '}' at end of graph"},
        {0, "graph: { }\ngraph: { }\n", "t.ci:2: text after the end of the graph"},
        {0, "graph: {\nnode: { title: \"f\" title: \"g\" }\n}", "t.ci:2: duplicate attribute 'title'"},
        {0, "graph: {\nnode: { title: \"f\" $ }\n}", "t.ci:2: unexpected character '$'"},
        {0, "graph: {\nnode: { title \"f\" }\n}", "t.ci:2: expected ':', found 'f'"},
        {0, "graph: {\ngraph: { }\n}", "t.ci:2: nested graphs are not supported"},
        {0, "graph: {\nedge: { sourcename: \"__indirect_call\" targetname: \"f\" }\n}", "t.ci:2: edge from __indirect_call"},
        /* empty names and fields: GCC writes none of them (a label's first line is the function's name,
         * an edge's label its call site, the graph's title the unit's main file); the empty label and
         * the empty edge label and graph title were accepted */
        {0, "graph: {\nnode: { title: \"\" label: \"\" }\n}", "t.ci:2: node with an empty title"},
        {0, "graph: { title: \"a.c\"\nnode: { title: \"f\" label: \"\" }\n}", "t.ci:2: node label: empty function name on line 1"},
        {0, "graph: {\nnode: { title: \"f\"\n label: \"\\na.c:1:1\\n16 bytes (static)\" }\n}",
         "t.ci:3: node label: empty function name on line 1"},
        {0, "graph: {\nnode: { title: \"m\" label: \"\\n<built-in>\" shape : ellipse }\n}",
         "t.ci:2: node label: empty function name on line 1"},
        {0, "graph: {\n\nedge: { sourcename: \"\" targetname: \"f\" }\n}", "t.ci:3: edge with an empty sourcename"},
        {0, "graph: {\nedge: { sourcename: \"f\" targetname: \"\" label: \"a.c:1:2\" }\n}",
         "t.ci:2: edge with an empty targetname"},
        {0, "graph: {\nedge: { sourcename: \"f\" targetname: \"g\"\n label: \"\" }\n}", "t.ci:3: edge with an empty label"},
        {0, "graph: { title: \"\"\n}", "t.ci:1: graph with an empty title"},
        /* a function defined twice in one unit: GCC writes each definition once (the larger figure
         * was taken without a word) */
        {0, "graph: { title: \"a.c\"\n" NODE("f", "f", 1, 16, "static") NODE("f", "f", 1, 32, "static") "}\n",
         "t.ci:3: node 'f' defined twice in one graph (first on line 2)"},
        /* .su: exactly three tab-separated fields (a fourth made "f<TAB>x" a name); GCC's figures are
         * decimal, without the k suffix or 0x prefix that annotations accept */
        {1, "a.c:1:2:f\tx\t16\tstatic\n",
         "t.su:1: expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER, found 4 tab-separated fields"},
        {1, "a.c:1:2:f\t16\tstatic\t\n",
         "t.su:1: expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER, found 4 tab-separated fields"},
        {1, "a.c:1:2:f\t16\tstatic\n\na.c:1:2:g\t16k\tstatic\n", "t.su:3: bad stack size '16k'"},
        {1, "a.c:1:2:f\t0x10\tstatic\n", "t.su:1: bad stack size '0x10'"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n16k bytes (static)\" }\n}",
         "t.ci:2: node label: expected 'BYTES bytes (QUALIFIER)' on line 3"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n0x10 bytes (static)\" }\n}",
         "t.ci:2: node label: expected 'BYTES bytes (QUALIFIER)' on line 3"},
        /* a label's error names the line the label is on, not the node's first line */
        {0, "graph: { title: \"a.c\"\n\n\nnode: { title: \"f\"\n label: \"f\\na.c:1:2\\n16 bytes (stat)\" }\n}\n",
         "t.ci:5: node label: unknown qualifier in '16 bytes (stat)'"},
        {0, "graph: {\nnode: {\ntitle: \"f\"\nlabel: \"f\\nnowhere\" }\n}", "t.ci:4: node label: expected FILE:LINE:COL"},
        /* "<built-in>" (any "<...>") is a callee's location only; anything else on line 2 is not one */
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\n<built-in\" shape : ellipse }\n}",
         "t.ci:2: node label: expected FILE:LINE:COL on line 2"},
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\n<>\" shape : ellipse }\n}",
         "t.ci:2: node label: expected FILE:LINE:COL on line 2"},
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\n<built-in>x\" shape : ellipse }\n}",
         "t.ci:2: node label: expected FILE:LINE:COL on line 2"},
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\n<built-in>\\n8 bytes (static)\" }\n}",
         "t.ci:2: node label: '<built-in>' is no location for a function defined here"},
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\n<built-in>\" }\n}",
         "t.ci:2: node label: '<built-in>' is no location for a function defined here"},
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\na.c:1:1\\n8 bytes (static)\" shape : ellipse }\n}",
         "t.ci:2: node label: a declaration (shape : ellipse) has no line 3"},
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\na.c:1:1\" shape : box }\n}",
         "t.ci:2: node shape: expected 'ellipse', found 'box'"},
        /* -fcallgraph-info=da: "N dynamic objects", then N lines " NAME FILE:LINE:COL"; nothing after */
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n2 dynamic objects\\n b a.c:1:5\" }\n}",
         "t.ci:2: node label: 2 dynamic objects, 1 listed"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n1 dynamic objects\\nb a.c:1:5\" }\n}",
         "t.ci:2: node label: expected ' NAME FILE:LINE:COL' on line 4"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n1 dynamic objects\\n b nowhere\" }\n}",
         "t.ci:2: node label: expected ' NAME FILE:LINE:COL' on line 4"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n0 dynamic objects\\n8 bytes (static)\" }\n}",
         "t.ci:2: node label: expected ' NAME FILE:LINE:COL' on line 4"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\nx dynamic objects\" }\n}",
         "t.ci:2: node label: expected 'N dynamic objects' on line 3"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:2\\n16 bytes (static)\\n\" }\n}",
         "t.ci:2: node label: expected 'N dynamic objects' on line 4"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:2\\n16 bytes (static)\\n16 bytes (static)\" }\n}",
         "t.ci:2: node label: expected 'N dynamic objects' on line 4"},
        {2, "thread main\n", "t.ann:1: usage: thread NAME stack size in bytes"},
        {2, "# c\n\nisr x 300\n", "t.ann:3: preemption level 300 out of range 0-255"},
        {2, "stack main 12\n", "t.ann:1: unknown directive 'stack'"},
        {2, "recursion f 0\n", "t.ann:1: recursion depth 0 out of range"},
        {2, "frame f 12q\n", "t.ann:1: bad frame size in bytes '12q'"},
        {2, "icall f\n", "t.ann:1: usage: icall FILE:LINE[:COL]|FUNCTION TARGET..."},
        {3, "\nthread nosuch 100\n", "t.ann:2: unknown function 'nosuch'"},
        {3, "icall main nosuch\n", "t.ann:1: unknown function 'nosuch'"},
        {3, "icall a.c:99 main\n", "t.ann:1: no indirect call at 'a.c:99'"},
        {3, "icall main @nosuch\n", "t.ann:1: no fptype annotation for type 'nosuch'"},
        /* a site's file is compared whole: b.c is not a.c (same length), nor is xa.c */
        {3, "icall b.c:1 main\n", "t.ann:1: no indirect call at 'b.c:1'"},
        {3, "icall xa.c:1 main\n", "t.ann:1: no indirect call at 'xa.c:1'"},
        /* an unknown calling function is unknown, also while indirect calls look for their directives */
        {3, "icall nosuch main\n", "t.ann:1: unknown function 'nosuch'"},
        /* a line or column of more than 9 digits is not GCC's (the limit keeps it in an unsigned) */
        {1, "a.c:1000000000:1:f\t16\tstatic\n", "t.su:1: expected FILE:LINE:COL:NAME before the first tab"},
        /* the second tab is looked for in its own line only */
        {1, "a.c:1:1:f\t16\n\tstatic\n", "t.su:1: expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER"},
        /* a quoted figure is cut at 40 characters */
        {1, "a.c:1:1:f\t1234567890123456789012345678901234567890x\tstatic\n",
         "t.su:1: bad stack size '1234567890123456789012345678901234567890'"},
        /* "<...>" holds no other '<' or '>'; qualifiers compare whole */
        {0, "graph: {\nnode: { title: \"m\" label: \"m\\n<a>b>\" shape : ellipse }\n}",
         "t.ci:2: node label: expected FILE:LINE:COL on line 2"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n16 bytes (static]\" }\n}",
         "t.ci:2: node label: unknown qualifier in '16 bytes (static]'"},
        {0, "graph: {\nnode: { title: \"f\" label: \"f\\na.c:1:1\\n16 bytes (dynamic,bounded]\" }\n}",
         "t.ci:2: node label: unknown qualifier in '16 bytes (dynamic,bounded]'"},
        /* annotations: a quoted figure is cut at 40 characters; the ranges' first values outside */
        {2, "frame f 1234567890123456789012345678901234567890x\n",
         "t.ann:1: bad frame size in bytes '1234567890123456789012345678901234567890'"},
        {2, "isr f 256\n", "t.ann:1: preemption level 256 out of range 0-255"},
        {2, "recursion f 1000001\n", "t.ann:1: recursion depth 1000001 out of range 1-1000000"},
        {2, "thread f 0\n", "t.ann:1: stack size must be at least 1 byte"},
        {2, "icall main t1 @\n", "t.ann:1: empty target name"},
        /* a graph attribute needs a value */
        {0, "graph: { title: }", "t.ci:1: expected a value after ':'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_case *c = &cases[i];
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err = {{0}};
        int rc;
        if (c->kind == 0) rc = rtm_sg_load_ci(g, c->text, strlen(c->text), "t.ci", &err);
        else if (c->kind == 1) rc = rtm_sg_load_su(g, c->text, strlen(c->text), "t.su", &err);
        else {
            assert_int_equal(rtm_sg_load_ci(g, base_ci, strlen(base_ci), "b.ci", &err), 0);
            rc = rtm_sg_load_annotations(g, c->text, strlen(c->text), "t.ann", &err);
            if (c->kind == 3) {
                assert_int_equal(rc, 0);
                rc = rtm_sg_analyse(g, NULL, &err);
            }
        }
        if (rc != -1 || strncmp(err.msg, c->msg, strlen(c->msg)) != 0)
            fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, err.msg, c->msg);
        rtm_sg_free(g);
    }
    /* NUL bytes anywhere are malformed, with their line. */
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_su(g, "a.c:1:1:f\t1\tstatic\nx\0y", 22, "t.su", &err), -1);
    assert_string_equal(err.msg, "t.su:2: NUL byte in .su file");
    rtm_sg_free(g);
}

/* ---- fixtures compiled now ------------------------------------------------------------------------ */

typedef struct {
    char name[64];
    long frame;
} su_entry;
static su_entry g_su[64];
static size_t g_nsu;

/* Independent reader of GCC's .su lines: NAME -> BYTES. */
static void read_su(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    g_nsu = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *t1 = strchr(line, '\t');
        if (!t1) continue;
        *t1 = '\0';
        char *name = strrchr(line, ':') + 1;
        assert_true(g_nsu < 64);
        snprintf(g_su[g_nsu].name, sizeof g_su[g_nsu].name, "%s", name);
        g_su[g_nsu++].frame = strtol(t1 + 1, NULL, 10);
    }
    fclose(f);
}

static long F(const char *name)
{
    for (size_t i = 0; i < g_nsu; i++)
        if (!strcmp(g_su[i].name, name)) return g_su[i].frame;
    fail_msg("no .su figure for %s", name);
    return 0;
}

static long maxl(long a, long b) { return a > b ? a : b; }

typedef struct {
    const char *tag, *cc;
} compiler;
static const compiler k_compilers[] = {
    /* x86-64 leaf functions may use the 128-byte red zone below the stack pointer, which
     * -fstack-usage does not count (docs/stack.md); firmware targets have none. */
    {"gcc-O0", "gcc -mno-red-zone -O0"},
    {"gcc-O2", "gcc -mno-red-zone -O2"},
    {"m0-O0", "arm-none-eabi-gcc -mthumb -mcpu=cortex-m0plus -O0"},
    {"m4-O2", "arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2"},
    {"m33-O2", "arm-none-eabi-gcc -mthumb -mcpu=cortex-m33 -O2"},
    {"rv32-O2", "riscv64-unknown-elf-gcc -march=rv32imac_zicsr -mabi=ilp32 -ffreestanding -O2"},
};

/* Compiles fixture @p fx with compiler @p c and -fcallgraph-info@p ci ("=su", "", "=da", "=su,da")
 * and loads its .ci and .su (with its annotation file if @p ann).
 * The outputs go to the test's build directory, or, when RTM_STACK_FIXTURE_CACHE names a directory,
 * there under a name with the compile command's hash, and a later run (make check's next
 * configuration: the compile is the same in all of them, only the reader differs) reuses them
 * instead of compiling again: about 7 s of each configuration's tests. scripts/check.sh empties
 * the directory when it starts, so a check never reads another run's compiles. */
static rtm_sg_graph *fixture_ci(const compiler *c, const char *fx, const char *ci_opt, bool ann,
                                const rtm_sg_options *opt)
{
    char cmd[2048], base[1024], obj[1200], ci[1200], su[1200], af[512], tag[64];
    /* -fcallgraph-info=su keeps the file names it always had; the others get their own */
    snprintf(tag, sizeof tag, "%s%s", c->tag, !strcmp(ci_opt, "=su") ? "" : !strcmp(ci_opt, "") ? "-plain"
                                             : !strcmp(ci_opt, "=da") ? "-da" : "-su_da");
    snprintf(af, sizeof af, "%s/%s.ann", RTM_STACK_FIXTURES, fx);
    snprintf(cmd, sizeof cmd, "%s -std=gnu11 -fstack-usage -fcallgraph-info%s -c %s/%s.c", c->cc, ci_opt,
             RTM_STACK_FIXTURES, fx);
    /* FNV-1a of the command without its output: the same compile has the same hash */
    uint64_t h = 1469598103934665603ull;
    for (const char *p = cmd; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    const char *cache = getenv("RTM_STACK_FIXTURE_CACHE");
    bool cached = cache && *cache;
    if (cached) snprintf(base, sizeof base, "%s/%s-%s-%016" PRIx64, cache, fx, tag, h);
    else snprintf(base, sizeof base, "%s/%s-%s", RTM_STACK_WORKDIR, fx, tag);
    snprintf(obj, sizeof obj, "%s.o", base);
    snprintf(ci, sizeof ci, "%s.ci", base);
    snprintf(su, sizeof su, "%s.su", base);
    size_t cl = strlen(cmd);
    snprintf(cmd + cl, sizeof cmd - cl, " -o %s", obj);
    /* each command runs once per test run: a fixture is loaded with and without .ann, and again by
     * test_fixtures_ci_variants (the hashes of the commands run); with the cache, once per check */
    static uint64_t done[512];
    static size_t ndone;
    bool compiled = cached && access(obj, R_OK) == 0 && access(ci, R_OK) == 0 && access(su, R_OK) == 0;
    for (size_t i = 0; i < ndone && !compiled; i++) compiled = done[i] == h;
    if (!compiled) {
        if (cached) {
            char mk[1200];
            snprintf(mk, sizeof mk, "mkdir -p '%s'", cache);
            if (system(mk) != 0) fail_msg("cannot create %s", cache);
        }
        if (system(cmd) != 0) {
            remove(obj), remove(ci), remove(su); /* nothing half-written for the next run to reuse */
            fail_msg("fixture compile failed: %s", cmd);
        }
        assert_true(ndone < sizeof done / sizeof done[0]);
        done[ndone++] = h;
    }
    read_su(su);
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    if (rtm_sg_load_file(g, ci, &err) || rtm_sg_load_file(g, su, &err) || (ann && rtm_sg_load_file(g, af, &err)) ||
        rtm_sg_analyse(g, opt, &err))
        fail_msg("%s", err.msg);
    return g;
}

static rtm_sg_graph *fixture(const compiler *c, const char *fx, bool ann, const rtm_sg_options *opt)
{
    return fixture_ci(c, fx, "=su", ann, opt);
}

/* F() of the one .su function whose name starts with @p prefix (a clone's suffix differs per compiler). */
static long F_prefix(const char *prefix)
{
    long v = -1;
    for (size_t i = 0; i < g_nsu; i++)
        if (!strncmp(g_su[i].name, prefix, strlen(prefix))) {
            if (v >= 0) fail_msg("two .su functions named %s*", prefix);
            v = g_su[i].frame;
        }
    if (v < 0) fail_msg("no .su figure for %s*", prefix);
    return v;
}

static void test_fixtures(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < sizeof k_compilers / sizeof k_compilers[0]; ci++) {
        const compiler *c = &k_compilers[ci];
        printf("fixtures with %s\n", c->cc);
        /* chain.c */
        rtm_sg_graph *g = fixture(c, "chain", false, NULL);
        assert_int_equal(rtm_sg_root_count(g), 1);
        assert_int_equal(root(g, "main")->total, F("main") + F("a") + F("b") + F("c"));
        assert_int_equal(root(g, "main")->flags, 0);
        static const char *const ch1[] = {"main", "a", "b", "c"};
        expect_chain(g, "main", ch1, 4);
        rtm_sg_free(g);
        /* diamond.c */
        g = fixture(c, "diamond", false, NULL);
        assert_true(F("right") > F("left"));
        assert_int_equal(root(g, "main")->total, F("main") + F("right") + F("bottom"));
        static const char *const ch2[] = {"main", "right", "bottom"};
        expect_chain(g, "main", ch2, 3);
        rtm_sg_free(g);
        /* recursion.c */
        g = fixture(c, "recursion", false, NULL);
        assert_int_equal(rtm_sg_cycle_count(g), 2);
        assert_int_equal(root(g, "walk_main")->total, F("walk_main") + F("walk") + F("walk_leaf"));
        assert_int_equal(root(g, "walk_main")->flags, RTM_SG_F_RECURSION);
        assert_int_equal(root(g, "pp_main")->total, F("pp_main") + F("ping") + F("pong") + F("pp_leaf"));
        assert_int_equal(root(g, "pp_main")->flags, RTM_SG_F_RECURSION);
        rtm_sg_free(g);
        g = fixture(c, "recursion", true, NULL);
        assert_int_equal(root(g, "walk_main")->total, F("walk_main") + 10 * F("walk") + F("walk_leaf"));
        assert_int_equal(root(g, "pp_main")->total, F("pp_main") + 4 * (F("ping") + F("pong")) + F("pp_leaf"));
        assert_int_equal(root(g, "walk_main")->flags | root(g, "pp_main")->flags, 0);
        rtm_sg_free(g);
        /* fptr.c */
        g = fixture(c, "fptr", false, NULL);
        assert_int_equal(rtm_sg_unresolved_count(g), 2);
        assert_int_equal(root(g, "main")->total, F("main") + maxl(F("apply"), F("dispatch")));
        assert_int_equal(root(g, "main")->flags, RTM_SG_F_ICALL);
        assert_int_equal(rtm_sg_root_count(g), 4);
        rtm_sg_free(g);
        g = fixture(c, "fptr", true, NULL);
        assert_int_equal(rtm_sg_unresolved_count(g), 0);
        assert_int_equal(rtm_sg_root_count(g), 1);
        long want = F("main") + maxl(F("apply") + maxl(F("op_small"), F("op_big")),
                                     F("dispatch") + maxl(F("op_mid"), F("op_small")));
        assert_int_equal(want, F("main") + F("apply") + F("op_big"));
        assert_int_equal(root(g, "main")->total, want);
        assert_int_equal(root(g, "main")->flags, 0);
        static const char *const ch3[] = {"main", "apply", "op_big"};
        expect_chain(g, "main", ch3, 3);
        rtm_sg_free(g);
        /* dynamic.c */
        g = fixture(c, "dynamic", false, NULL);
        assert_int_equal(root(g, "main")->total, F("main") + maxl(F("use_vla"), F("use_alloca")));
        assert_int_equal(root(g, "main")->flags, RTM_SG_F_DYNAMIC);
        rtm_sg_free(g);
        g = fixture(c, "dynamic", true, NULL);
        assert_int_equal(root(g, "main")->total, F("main") + 512);
        assert_int_equal(root(g, "main")->flags, 0);
        static const char *const ch4[] = {"main", "use_alloca"};
        expect_chain(g, "main", ch4, 2);
        rtm_sg_free(g);
        /* isr.c */
        rtm_sg_options opt = {.isr_frame = 32};
        g = fixture(c, "isr", true, &opt);
        long E = 32;
        long d_low = F("isr_low") + F("handler_low"), d_low2 = F("isr_low2") + F("small");
        long d_high = F("isr_high") + F("handler_high");
        assert_true(d_low > d_low2);
        long nesting = maxl(d_low, d_low2) + E + d_high + E;
        assert_int_equal(root(g, "task_a")->total, F("task_a") + F("work_a") + nesting);
        assert_int_equal(root(g, "task_a")->isr_nesting, nesting);
        assert_int_equal(root(g, "task_b")->total, F("task_b") + F("work_b") + nesting);
        assert_int_equal(root(g, "task_b")->stack, 64);
        assert_int_equal(root(g, "isr_low")->total, d_low + E + d_high + E);
        assert_int_equal(root(g, "isr_low2")->total, d_low2 + E + d_high + E);
        assert_int_equal(root(g, "isr_high")->total, d_high + E);
        assert_int_equal(rtm_sg_root_count(g), 5);
        assert_int_equal(rtm_sg_exit_status(g, false), 1); /* task_b overflows its 64 bytes */
        rtm_sg_free(g);
        /* header_static.c */
        g = fixture(c, "header_static", false, NULL);
        assert_int_equal(rtm_sg_root_count(g), 2);
        assert_int_equal(root(g, "api1")->total, F("api1") + F_prefix("hwork"));
        assert_int_equal(root(g, "api2")->total, F("api2") + F_prefix("hwork"));
        /* Cortex-M0+ has no divide instruction: hwork's i % 200 calls libgcc's __aeabi_idivmod, a
         * callee GCC labels "<built-in>", without data */
        unsigned want_flags = !strncmp(c->tag, "m0-", 3) ? RTM_SG_F_NODATA : 0;
        assert_int_equal(root(g, "api1")->flags, want_flags);
        assert_int_equal(root(g, "api2")->flags, want_flags);
        rtm_sg_free(g);
    }
}

/* The fixtures compiled with -fcallgraph-info without =su (definitions then have a two-line label,
 * like a declaration's but without "shape : ellipse") and with =da (a line "N dynamic objects" and
 * one line per object instead of the figure), each with its .su: the same roots, totals, flags and
 * chain lengths as with =su. Plain -fcallgraph-info left header_static's clone without
 * data and made it a root of its own (its .su line matched neither title nor name); =da was
 * rejected ("unknown qualifier in '0 dynamic objects'"). */
static void test_fixtures_ci_variants(void **state)
{
    (void)state;
    static const struct {
        const char *fx;
        bool ann;
        long isr_frame;
    } fixtures[] = {{"chain", false, 0},  {"diamond", false, 0}, {"recursion", true, 0},  {"fptr", true, 0},
                    {"fptr", false, 0},   {"dynamic", false, 0}, {"isr", true, 32},       {"header_static", false, 0}};
    /* (=su,da, the figure and then the objects, is test_da_labels'; two compilers keep the number of
     * compiles down: gcc -O2 clones, the Cortex-M0+ calls libgcc's __aeabi_idivmod) */
    static const char *const variants[] = {"", "=da"};
    static const size_t compilers[] = {1, 2}; /* gcc -O2, Cortex-M0+ -O0 */
    for (size_t ci = 0; ci < sizeof compilers / sizeof compilers[0]; ci++) {
        const compiler *c = &k_compilers[compilers[ci]];
        for (size_t k = 0; k < sizeof fixtures / sizeof fixtures[0]; k++) {
            rtm_sg_options opt = {.isr_frame = fixtures[k].isr_frame};
            rtm_sg_graph *want = fixture(c, fixtures[k].fx, fixtures[k].ann, &opt);
            for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
                rtm_sg_graph *g = fixture_ci(c, fixtures[k].fx, variants[v], fixtures[k].ann, &opt);
                if (rtm_sg_root_count(g) != rtm_sg_root_count(want))
                    fail_msg("%s %s -fcallgraph-info%s: %zu roots, =su %zu", c->tag, fixtures[k].fx, variants[v],
                             rtm_sg_root_count(g), rtm_sg_root_count(want));
                for (size_t i = 0; i < rtm_sg_root_count(want); i++) {
                    const rtm_sg_root_result *w = rtm_sg_root(want, i), *r = rtm_sg_root_by_name(g, w->name);
                    if (!r || r->total != w->total || r->flags != w->flags || r->chain_len != w->chain_len)
                        fail_msg("%s %s -fcallgraph-info%s: root %s total %ld flags %u chain %zu, =su %ld %u %zu",
                                 c->tag, fixtures[k].fx, variants[v], w->name, r ? r->total : -1, r ? r->flags : 0,
                                 r ? r->chain_len : 0, w->total, w->flags, w->chain_len);
                }
                rtm_sg_free(g);
            }
            rtm_sg_free(want);
        }
    }
}

/* ---- the command line, in-process ------------------------------------------------------------------ */

static char g_out[65536], g_errtxt[4096];

static int run_cli(const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"stack";
    for (; *args; args++) argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    char outp[512], errp[512];
    snprintf(outp, sizeof outp, "%s/cli.out", RTM_STACK_WORKDIR);
    snprintf(errp, sizeof errp, "%s/cli.err", RTM_STACK_WORKDIR);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0);
    dup2(fo, 1), dup2(fe, 2);
    int rc = rtm_cmd_stack(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1), dup2(se, 2);
    close(so), close(se), close(fo), close(fe);
    FILE *f = fopen(outp, "r");
    size_t n = fread(g_out, 1, sizeof g_out - 1, f);
    g_out[n] = '\0';
    fclose(f);
    f = fopen(errp, "r");
    n = fread(g_errtxt, 1, sizeof g_errtxt - 1, f);
    g_errtxt[n] = '\0';
    fclose(f);
    return rc;
}

static void write_file(const char *name, const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", RTM_STACK_WORKDIR, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_cli(void **state)
{
    (void)state;
    char ci[512], su[512], ann[512], bad[512], dir[512];
    snprintf(dir, sizeof dir, "%s/cli", RTM_STACK_WORKDIR);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s/sub", dir, dir);
    assert_int_equal(system(cmd), 0);
    write_file("cli/sub/a.ci",
               "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("f", "f", 2, 100, "static")
                   EDGE("main", "f", 1) "}\n",
               ci, sizeof ci);
    write_file("cli/b.su", "b.c:1:1:lonely\t40\tstatic\n", su, sizeof su);
    write_file("cli.ann", "thread main 200\n", ann, sizeof ann);

    /* directory walk finds both; fits */
    assert_int_equal(run_cli((const char *const[]){"-a", ann, dir, NULL}), 0);
    assert_non_null(strstr(g_out, "main                         thread       116"));
    assert_non_null(strstr(g_out, "lonely"));
    /* @LIST: paths one per line */
    char list[512], listtxt[1200];
    snprintf(listtxt, sizeof listtxt, "# inputs\n%s\n\n%s\n", ci, su);
    write_file("cli.list", listtxt, list, sizeof list);
    char at[520];
    snprintf(at, sizeof at, "@%s", list);
    assert_int_equal(run_cli((const char *const[]){"-a", ann, at, NULL}), 0);
    assert_non_null(strstr(g_out, "main                         thread       116"));
    assert_non_null(strstr(g_out, "lonely"));
    snprintf(listtxt, sizeof listtxt, "%s\n/nonexistent.su\n", ci);
    write_file("cli.list", listtxt, list, sizeof list);
    assert_int_equal(run_cli((const char *const[]){at, NULL}), 2);
    char want2[700];
    snprintf(want2, sizeof want2, "%s:2: /nonexistent.su: No such file or directory\n", list);
    assert_string_equal(g_errtxt, want2);
    /* a directory walk follows symbolic links to files; links to directories, links to nothing and
     * directories deeper than 64 levels are skipped with one warning line per kind (they were
     * skipped silently, and a linked .su file was not read at all) */
    {
        char *ldir, *deep, *c, *want3;
        assert_true(asprintf(&ldir, "%s/links", RTM_STACK_WORKDIR) > 0);
        assert_true(asprintf(&c, "rm -rf %s && mkdir -p %s && ln -s %s %s/b.su && ln -s %s/sub %s/dir && "
                                 "ln -s nowhere.su %s/x.su", ldir, ldir, su, ldir, dir, ldir, ldir) > 0);
        assert_int_equal(system(c), 0);
        free(c);
        deep = calloc(1, strlen(ldir) + 3 * 66 + 1);
        assert_non_null(deep);
        strcpy(deep, ldir);
        for (int i = 0; i < 66; i++) strcat(deep, "/d");
        assert_true(asprintf(&c, "mkdir -p %s && cp %s %s/deep.su", deep, su, deep) > 0);
        assert_int_equal(system(c), 0);
        free(c);
        assert_int_equal(run_cli((const char *const[]){ldir, NULL}), 0);
        assert_non_null(strstr(g_out, "lonely"));
        deep[strlen(deep) - 2] = '\0'; /* the walk's depth 65: the first one skipped */
        assert_true(asprintf(&want3,
                             "rtmem stack: warning: skipped 1 directories deeper than 64 levels (first: %s)\n"
                             "rtmem stack: warning: did not follow 1 symbolic links to directories (first: %s/dir); "
                             "name them as PATHs to include them\n"
                             "rtmem stack: warning: skipped 1 .su/.ci symbolic links to nothing (first: %s/x.su)\n",
                             deep, ldir, ldir) > 0);
        assert_string_equal(g_errtxt, want3);
        free(ldir);
        free(deep);
        free(want3);
    }
    /* --stack overrides into an overflow: exit 1 */
    assert_int_equal(run_cli((const char *const[]){"--stack", "main=100", ci, NULL}), 1);
    assert_non_null(strstr(g_out, "OVERFLOW by 16"));
    /* JSON */
    assert_int_equal(run_cli((const char *const[]){"--json", "--root", "main", "--call-margin", "2", ci, NULL}), 0);
    assert_non_null(strstr(g_out, "\"name\":\"main\",\"kind\":\"root\",\"level\":-1,\"frames\":116,\"margin\":4,"));
    /* byte counts are decimal: 010 is 10 (strtol's base 0 read it as octal 8: margin 16), and no sign */
    assert_int_equal(run_cli((const char *const[]){"--json", "--root", "main", "--call-margin", "010", ci, NULL}), 0);
    assert_non_null(strstr(g_out, "\"frames\":116,\"margin\":20,"));
    assert_int_equal(run_cli((const char *const[]){"--call-margin", "+2", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "rtmem stack: --call-margin: bad byte count '+2'\n");
    /* --isr + --isr-frame */
    assert_int_equal(run_cli((const char *const[]){"--isr", "f=2", "--isr-frame", "8", "--stack", "main=224", ci, NULL}), 0);
    assert_non_null(strstr(g_out, "ISR nesting: 108 bytes over 1 level"));
    /* malformed: FILE:LINE: message on stderr, exit 2, nothing on stdout */
    write_file("cli_bad.su", "a.c:1:1:f\t12\tstatic\na.c:2:1:g\t12\n", bad, sizeof bad);
    assert_int_equal(run_cli((const char *const[]){bad, NULL}), 2);
    char want[600];
    snprintf(want, sizeof want, "%s:2: expected FILE:LINE:COL:NAME<TAB>BYTES<TAB>QUALIFIER\n", bad);
    assert_string_equal(g_errtxt, want);
    assert_string_equal(g_out, "");
    write_file("cli_bad.ci", "graph: {\nnode: { title: \"x\" label: \"x\\na.c:1:1\\n12 bytes (sttic)\" }\n}\n", bad,
               sizeof bad);
    assert_int_equal(run_cli((const char *const[]){bad, NULL}), 2);
    snprintf(want, sizeof want, "%s:2: node label: unknown qualifier", bad);
    assert_int_equal(strncmp(g_errtxt, want, strlen(want)), 0);
    write_file("cli_bad.ann", "thread main 1x\n", bad, sizeof bad);
    assert_int_equal(run_cli((const char *const[]){"-a", bad, ci, NULL}), 2);
    snprintf(want, sizeof want, "%s:1: bad stack size in bytes '1x'\n", bad);
    assert_string_equal(g_errtxt, want);
    /* usage errors */
    assert_int_equal(run_cli((const char *const[]){NULL}), 2);
    assert_int_equal(run_cli((const char *const[]){"--bogus", ci, NULL}), 2);
    assert_int_equal(run_cli((const char *const[]){"--stack", "main", ci, NULL}), 2);
    assert_int_equal(run_cli((const char *const[]){"--root", "nosuch", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "--root: unknown function 'nosuch'\n");
    assert_int_equal(run_cli((const char *const[]){"/nonexistent/x.ci", NULL}), 2);
    assert_int_equal(run_cli((const char *const[]){"--help", NULL}), 0);
    /* the benchmark option (small) */
    assert_int_equal(run_cli((const char *const[]){"--bench-generate", "500", "2000", "7", NULL}), 0);
    assert_non_null(strstr(g_out, "stack scale: 500 functions"));
}

/* --strict fails whenever a reported root's figure is not a proven worst case, whether or not the
 * root has a stack size, and says why on one line naming the function and where it is. Before the
 * fix a root without a stack size was never checked, and an uncalled function without stack data
 * (its .su line missing, e.g. plain -fcallgraph-info without the .su) was no root at all: an
 * uncalled self-recursion r passed --strict either way. */
static const char k_strict_ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
    "node: { title: \"r\" label: \"r\\na.c:3:5\" }\n" EDGE("r", "r", 3) "}\n";

static void test_strict_unproven(void **state)
{
    (void)state;
    rtm_sg_graph *g = load(k_strict_ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_root_count(g), 2);
    const rtm_sg_root_result *r = root(g, "r");
    assert_int_equal(r->flags, RTM_SG_F_NODATA | RTM_SG_F_RECURSION);
    assert_int_equal(r->stack, -1);
    assert_int_equal(root(g, "main")->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
    /* taken as the only root */
    const char *const only_r[] = {"r"}, *const only_main[] = {"main"};
    rtm_sg_options opt = {.roots = only_r, .nroots = 1};
    g = load(k_strict_ci, NULL, NULL, &opt);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
    /* only what a reported root reaches counts */
    opt = (rtm_sg_options){.roots = only_main, .nroots = 1};
    g = load(k_strict_ci, NULL, NULL, &opt);
    assert_int_equal(rtm_sg_exit_status(g, true), 0);
    rtm_sg_free(g);
    /* with its .su line: still unbounded (no depth), no stack size */
    g = load(k_strict_ci, "a.c:3:5:r\t32\tstatic\n", NULL, NULL);
    assert_int_equal(root(g, "r")->flags, RTM_SG_F_RECURSION);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);
    /* a frame and a depth make it a proven bound: 4 x 32 */
    g = load(k_strict_ci, NULL, "frame r 32\nrecursion r 4\n", NULL);
    assert_int_equal(root(g, "r")->total, 128);
    assert_int_equal(root(g, "r")->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 0);
    rtm_sg_free(g);
    /* a callee without data below a root without a stack size */
    static const char ci2[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
        "node: { title: \"memcpy\" label: \"memcpy\\na.c:0:7\" shape : ellipse }\n" EDGE("main", "memcpy", 1) "}\n";
    g = load(ci2, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    rtm_sg_free(g);

    /* the command line: exit 1 and one line on stderr naming the function and its place */
    char ci[512], ci_isr[512];
    write_file("strict.ci", k_strict_ci, ci, sizeof ci);
    assert_int_equal(run_cli((const char *const[]){ci, NULL}), 0);
    assert_string_equal(g_errtxt, "");
    assert_int_equal(run_cli((const char *const[]){"--strict", ci, NULL}), 1);
    assert_string_equal(g_errtxt, "rtmem stack: --strict: root r is unbounded: no stack data for r (a.c:3:5), "
                                  "recursion without depth through r (a.c:3:5)\n");
    assert_non_null(strstr(g_out, "\nr                            root           0       0       0        0        -  unbounded\n"));
    assert_int_equal(run_cli((const char *const[]){"--strict", "--root", "main", ci, NULL}), 0);
    assert_string_equal(g_errtxt, "");
    /* an overflow says so too (with or without --strict) */
    assert_int_equal(run_cli((const char *const[]){"--stack", "main=10", ci, NULL}), 1);
    assert_string_equal(g_errtxt, "rtmem stack: root main: worst case 16 bytes exceeds its stack of 10 bytes\n");
    /* a reason that comes from a preempting handler names the handler and the function */
    write_file("strict_isr.ci",
               "graph: { title: \"a.c\"\n" NODE("t", "t", 1, 10, "static") NODE("i1", "i1", 3, 20, "dynamic") "}\n",
               ci_isr, sizeof ci_isr);
    assert_int_equal(run_cli((const char *const[]){"--strict", "--stack", "t=1000", "--isr", "i1=1", ci_isr, NULL}), 1);
    assert_string_equal(g_errtxt, "rtmem stack: --strict: root t is a lower bound: interrupt handler i1 (level 1) is "
                                  "not bounded: dynamic frame in i1 (a.c:3:1)\n");
}

/* Byte counts stop at RTM_SG_BYTES_MAX instead of overflowing (absurd annotations: a huge frame,
 * a deep recursion). A root whose sum reaches the limit has a larger true worst case: not a bound.
 * Before RTM_SG_F_LIMIT it was reported as a proven bound of exactly the limit ("-" or "ok" against
 * a stack of more than that) and passed --strict; in an i386 build of the tool the limit is only
 * 512 MiB, a 1 MiB frame times a recursion depth of 600. */
static void test_count_limit(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
        NODE("f", "f", 2, 16, "static") EDGE("main", "f", 1) "}\n";
    const long half = RTM_SG_BYTES_MAX / 2; /* the limit is odd: 2 x half is one below it */
    char ann[256], msg[512];
    /* one below the limit: a bound */
    snprintf(ann, sizeof ann, "frame main %ld\nframe f %ld\n", half, half);
    rtm_sg_graph *g = load(ci, NULL, ann, NULL);
    assert_int_equal(root(g, "main")->total, RTM_SG_BYTES_MAX - 1);
    assert_int_equal(root(g, "main")->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 0);
    rtm_sg_free(g);
    /* at the limit: not a bound */
    snprintf(ann, sizeof ann, "frame main %ld\nframe f %ld\n", half, half + 1);
    g = load(ci, NULL, ann, NULL);
    assert_int_equal(root(g, "main")->total, RTM_SG_BYTES_MAX);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_LIMIT);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    rtm_sg_error why;
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    snprintf(msg, sizeof msg, "--strict: root main is beyond the limit: worst case more than %ld bytes, the largest "
             "figure counted", RTM_SG_BYTES_MAX);
    assert_string_equal(why.msg, msg);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "beyond limit\n"));
    snprintf(msg, sizeof msg, "  BEYOND LIMIT: the worst case is more than %ld bytes, the largest figure counted\n",
             RTM_SG_BYTES_MAX);
    assert_non_null(strstr(txt, msg));
    assert_null(strstr(txt, "LOWER BOUND"));
    free(txt);
    size_t jl = 0;
    char *js = NULL;
    FILE *mf = open_memstream(&js, &jl);
    assert_non_null(mf);
    rtm_sg_report_json(g, mf);
    fclose(mf);
    assert_non_null(strstr(js, "\"status\":\"beyond limit\",\"lower_bound\":true,\"unbounded\":false,\"reasons\":[\"limit\"]"));
    free(js);
    rtm_sg_free(g);
    /* with a stack size: an overflow of unknown size, with or without --strict */
    snprintf(ann, sizeof ann, "frame main %ld\nframe f 16\nthread main 4096\n", RTM_SG_BYTES_MAX);
    g = load(ci, NULL, ann, NULL);
    assert_int_equal(root(g, "main")->flags, RTM_SG_F_LIMIT);
    assert_int_equal(rtm_sg_check(g, false, &why), 1);
    snprintf(msg, sizeof msg, "root main: worst case exceeds its stack of 4096 bytes: more than %ld bytes, the "
             "largest figure counted", RTM_SG_BYTES_MAX);
    assert_string_equal(why.msg, msg);
    txt = report_text(g);
    assert_non_null(strstr(txt, "  OVERFLOW\n"));
    free(txt);
    rtm_sg_free(g);
    /* ... a stack of the limit itself too (the check compared total > stack: equal, it passed while
     * the report said OVERFLOW; review finding) */
    snprintf(ann, sizeof ann, "frame main %ld\nframe f 16\nthread main %ld\n", RTM_SG_BYTES_MAX, RTM_SG_BYTES_MAX);
    g = load(ci, NULL, ann, NULL);
    assert_int_equal(root(g, "main")->total, RTM_SG_BYTES_MAX);
    assert_int_equal(rtm_sg_check(g, false, &why), 1);
    txt = report_text(g);
    assert_non_null(strstr(txt, "  OVERFLOW\n"));
    free(txt);
    rtm_sg_free(g);
    /* with the other reasons: all of them, the limit first */
    snprintf(ann, sizeof ann, "frame r %ld\n", RTM_SG_BYTES_MAX);
    g = load(k_strict_ci, NULL, ann, NULL);
    assert_int_equal(root(g, "r")->flags, RTM_SG_F_LIMIT | RTM_SG_F_RECURSION);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    snprintf(msg, sizeof msg, "--strict: root r is unbounded: worst case more than %ld bytes, the largest figure "
             "counted; recursion without depth through r (a.c:3:5)", RTM_SG_BYTES_MAX);
    assert_string_equal(why.msg, msg);
    rtm_sg_free(g);
}

/* The same unit given twice (one file twice, or a debug and a release build under one directory):
 * every function is defined twice, and the report must say so (docs/stack.md, Analysis 1) whether
 * or not the figures agree; the larger counts. Before the fix only definitions in different places
 * were noticed: a 512-byte and a 1024-byte build of the same ping were merged without a word. */
static void test_same_unit_twice(void **state)
{
    (void)state;
    static const char c1[] = "graph: { title: \"c.c\"\n" NODE("ping", "ping", 2, 1024, "static") EDGE("ping", "pong", 2)
        NODE("pong", "pong", 3, 1024, "static") EDGE("pong", "ping", 3) "}\n";
    static const char c2[] = "graph: { title: \"c.c\"\n" NODE("ping", "ping", 2, 512, "static") EDGE("ping", "pong", 2)
        NODE("pong", "pong", 3, 512, "static") EDGE("pong", "ping", 3) "}\n";
    for (int k = 0; k < 3; k++) {
        const char *x = k == 2 ? c2 : c1, *y = k == 0 ? c1 : k == 1 ? c2 : c1;
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err;
        assert_int_equal(rtm_sg_load_ci(g, x, strlen(x), "1.ci", &err), 0);
        assert_int_equal(rtm_sg_load_ci(g, y, strlen(y), "2.ci", &err), 0);
        assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
        assert_int_equal(root(g, "ping")->total, 2048);
        char *txt = report_text(g);
        assert_non_null(strstr(txt, "defined in more than one unit: ping "));
        assert_non_null(strstr(txt, "defined in more than one unit: pong "));
        free(txt);
        rtm_sg_free(g);
    }
    /* two declarations of one callee in a unit are GCC's (a builtin and a declared memset): accepted */
    static const char decl2[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
        "node: { title: \"memset\" label: \"__builtin_memset\\n<built-in>\" shape : ellipse }\n"
        "node: { title: \"memset\" label: \"memset\\na.c:0:7\" shape : ellipse }\n" EDGE("main", "memset", 1) "}\n";
    rtm_sg_graph *g = load(decl2, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 2);
    char *txt = report_text(g);
    assert_null(strstr(txt, "defined in more than one unit"));
    free(txt);
    rtm_sg_free(g);
}

/* ---- weak definitions: GCC titles them FILE:NAME, like statics -------------------------------------- */

/* Text of gcc 12 -O1 -fstack-usage -fcallgraph-info=su (x86-64) for a vendor HAL and an application:
 *   hal.c: __attribute__((weak)) void rx_callback(int n) { (void)n; }
 *          void uart_isr(void) { rx_callback(1); }
 *   app.c: void rx_callback(int n) { volatile char buf[3000]; buf[0] = n; buf[2999] = n; }
 *          int main(void) { return 0; }
 * The linker keeps app.c's rx_callback, but hal.c's call names "hal.c:rx_callback" (a weak
 * definition is titled like a static one, and nothing in either file tells them apart). */
static const char k_hal_ci[] =
    "graph: { title: \"hal.c\"\n"
    "node: { title: \"hal.c:rx_callback\" label: \"rx_callback\\nhal.c:2:28\\n8 bytes (static)\" }\n"
    "node: { title: \"uart_isr\" label: \"uart_isr\\nhal.c:3:6\\n16 bytes (static)\" }\n"
    "edge: { sourcename: \"uart_isr\" targetname: \"hal.c:rx_callback\" label: \"hal.c:3:23\" }\n"
    "}\n";
static const char k_app_ci[] =
    "graph: { title: \"app.c\"\n"
    "node: { title: \"rx_callback\" label: \"rx_callback\\napp.c:2:6\\n2904 bytes (static)\" }\n"
    "node: { title: \"main\" label: \"main\\napp.c:3:5\\n8 bytes (static)\" }\n"
    "}\n";
static const char k_hal_su[] = "hal.c:2:28:rx_callback\t8\tstatic\nhal.c:3:6:uart_isr\t16\tstatic\n";
static const char k_app_su[] = "app.c:2:6:rx_callback\t2904\tstatic\napp.c:3:5:main\t8\tstatic\n";

/* Case A: the ISR's call to the weak default must count the strong override (2904 bytes), not the
 * default (8): uart_isr 16 + 2904, main 8 + 2920 nesting > 1024. Before the fix the override was an
 * unrelated root and `--strict` said ok (exit 0) with main at 32 bytes. */
static void test_weak_overridden(void **state)
{
    (void)state;
    char p[5][512];
    write_file("weak_hal.ci", k_hal_ci, p[0], sizeof p[0]);
    write_file("weak_app.ci", k_app_ci, p[1], sizeof p[1]);
    write_file("weak_hal.su", k_hal_su, p[2], sizeof p[2]);
    write_file("weak_app.su", k_app_su, p[3], sizeof p[3]);
    write_file("weak_isr.ann", "isr uart_isr 1\n", p[4], sizeof p[4]);
    static const char want[] =
        "rtmem stack: 4 functions, 2 calls (0 from annotations), 0 recursion cycles, 0 unresolved indirect calls\n"
        "ISR nesting: 2920 bytes over 1 level (level 1: uart_isr 2920)\n"
        "\n"
        "root                         kind      frames  margin     isr    total    stack  status\n"
        "main                         thread         8       0    2920     2928     1024  OVERFLOW by 1904\n"
        "uart_isr                     isr/1       2920       0       0     2920        -  -\n"
        "\n"
        "main: 2928 bytes = 8 frames + 2920 ISR nesting; stack 1024\n"
        "     bytes  function                     defined at               called at\n"
        "         8  main                         app.c:3:5                \n"
        "\n"
        "uart_isr: 2920 bytes = 2920 frames\n"
        "     bytes  function                     defined at               called at\n"
        "        16  uart_isr                     hal.c:3:6                \n"
        "      2904  rx_callback                  app.c:2:6                hal.c:3:23\n"
        "\n"
        "problems (all but the last two kinds make the results that reach them lower bounds; see "
        "docs/stack-annotations.md):\n"
        "  rx_callback defined file-local or weak in hal.c and external in app.c: calls to hal.c's counted as "
        "either\n";
    /* the same whichever unit comes first */
    assert_int_equal(run_cli((const char *const[]){"--strict", "--stack", "main=1024", "-a", p[4], p[0], p[1], p[2],
                                                   p[3], NULL}), 1);
    assert_string_equal(g_out, want);
    assert_int_equal(run_cli((const char *const[]){"--strict", "--stack", "main=1024", "-a", p[4], p[1], p[0], p[3],
                                                   p[2], NULL}), 1);
    assert_string_equal(g_out, want);
    /* The join is an upper bound, not a lower one: it fails neither --strict nor a stack that holds
     * the worst of the two. */
    assert_int_equal(run_cli((const char *const[]){"--strict", "--stack", "main=2928", "-a", p[4], p[0], p[1], p[2],
                                                   p[3], NULL}), 0);
    assert_int_equal(run_cli((const char *const[]){"--json", "-a", p[4], p[0], p[1], p[2], p[3], NULL}), 0);
    assert_non_null(strstr(g_out, "\"file_local_joins\":[{\"name\":\"rx_callback\",\"file_local\":[\"hal.c:rx_callback\"],"
                                  "\"external\":true}],"));
    /* With the application's .su alone (no app.ci) the strong definition is still found. */
    assert_int_equal(run_cli((const char *const[]){"--stack", "main=1024", "-a", p[4], p[0], p[2], p[3], NULL}), 1);
    assert_non_null(strstr(g_out, "main                         thread         8       0    2920     2928     1024  "
                                  "OVERFLOW by 1904\n"));
}

/* Text of gcc 12 -O1 -fno-inline for a weak function that nothing overrides, called from another unit:
 *   w1.c: __attribute__((weak)) void hook(int n) { volatile char big[4000]; big[0] = n; }
 *   w2.c: void hook(int);  int main(void) { hook(1); return 0; }
 * w2.c's call names a plain "hook" that no .ci defines; the data are under "w1.c:hook". */
static const char k_w1_ci[] = "graph: { title: \"w1.c\"\n"
                              "node: { title: \"w1.c:hook\" label: \"hook\\nw1.c:1:28\\n3896 bytes (static)\" }\n"
                              "}\n";
static const char k_w2_ci[] = "graph: { title: \"w2.c\"\n"
                              "node: { title: \"main\" label: \"main\\nw2.c:2:5\\n16 bytes (static)\" }\n"
                              "node: { title: \"hook\" label: \"hook\\nw2.c:1:6\" shape : ellipse }\n"
                              "edge: { sourcename: \"main\" targetname: \"hook\" label: \"w2.c:2:18\" }\n"
                              "}\n";
static const char k_w1_su[] = "w1.c:1:28:hook\t3896\tstatic\n";
static const char k_w2_su[] = "w2.c:2:5:main\t16\tstatic\n";

/* Case B: main calls the weak hook, whose data were given: 16 + 3896, no "lower bound", no advice to
 * add files that were added. Before the fix: main 16, lower bound, "no stack data: hook (add its
 * .su/.ci ...)", and hook an unrelated root. */
static void test_weak_not_overridden(void **state)
{
    (void)state;
    char p[6][512];
    write_file("weak_w1.ci", k_w1_ci, p[0], sizeof p[0]);
    write_file("weak_w2.ci", k_w2_ci, p[1], sizeof p[1]);
    write_file("weak_w1.su", k_w1_su, p[2], sizeof p[2]);
    write_file("weak_w2.su", k_w2_su, p[3], sizeof p[3]);
    static const char want[] =
        "rtmem stack: 3 functions, 1 calls (0 from annotations), 0 recursion cycles, 0 unresolved indirect calls\n"
        "\n"
        "root                         kind      frames  margin     isr    total    stack  status\n"
        "main                         thread      3912       0       0     3912     4096  ok\n"
        "\n"
        "main: 3912 bytes = 3912 frames; stack 4096\n"
        "     bytes  function                     defined at               called at\n"
        "        16  main                         w2.c:2:5                 \n"
        "      3896  hook                         w1.c:1:28                w2.c:2:18\n"
        "\n"
        "problems (all but the last two kinds make the results that reach them lower bounds; see "
        "docs/stack-annotations.md):\n"
        "  hook defined file-local or weak in w1.c only: calls to hook resolved to it\n";
    assert_int_equal(run_cli((const char *const[]){"--strict", "--stack", "main=4096", p[0], p[1], p[2], p[3], NULL}), 0);
    assert_string_equal(g_out, want);
    assert_int_equal(run_cli((const char *const[]){"--strict", "--stack", "main=4096", p[3], p[2], p[1], p[0], NULL}), 0);
    assert_string_equal(g_out, want);
    assert_int_equal(run_cli((const char *const[]){"--json", p[0], p[1], p[2], p[3], NULL}), 0);
    assert_non_null(strstr(g_out, "\"no_data\":[],\n\"file_local_joins\":[{\"name\":\"hook\",\"file_local\":[\"w1.c:hook\"],"
                                  "\"external\":false}],"));
    /* An annotation naming hook applies to the definition its calls went to. */
    write_file("weak_hook.ann", "frame hook 4000\n", p[4], sizeof p[4]);
    assert_int_equal(run_cli((const char *const[]){"-a", p[4], p[0], p[1], p[2], p[3], NULL}), 0);
    assert_non_null(strstr(g_out, "main                         root        4016"));

    /* Two weak definitions, neither overridden (two programs, or a weak and a static hook): calls
     * count as the worse; an annotation naming hook is ambiguous. */
    write_file("weak_w3.ci",
               "graph: { title: \"w3.c\"\n"
               "node: { title: \"w3.c:hook\" label: \"hook\\nw3.c:4:6\\n5000 bytes (static)\" }\n}\n",
               p[5], sizeof p[5]);
    assert_int_equal(run_cli((const char *const[]){p[5], p[0], p[1], p[2], p[3], NULL}), 0);
    assert_non_null(strstr(g_out, "main                         root        5016"));
    assert_non_null(strstr(g_out, "  hook defined file-local or weak in w1.c and w3.c only: calls to hook counted as "
                                  "any of them\n"));
    assert_int_equal(run_cli((const char *const[]){"-a", p[4], p[5], p[0], p[1], p[2], p[3], NULL}), 2);
    assert_non_null(strstr(g_errtxt, ":1: ambiguous name (use FILE:NAME) 'hook'\n"));
}

/* ---- random graphs against a reference ---------------------------------------------------------------- */

#define RN 10
static void test_random_vs_reference(void **state)
{
    (void)state;
    rtm_test_rng rng = {rtm_test_seed()};
    size_t rounds = rtm_test_ops(5000);
    char *text = malloc(1 << 16);
    assert_non_null(text);
    for (size_t round = 0; round < rounds; round++) {
        unsigned n = 2 + (unsigned)rtm_test_rnd(&rng, RN - 1);
        long frame[RN];
        unsigned qual[RN], depth[RN];
        bool adj[RN][RN] = {{false}};
        size_t len = (size_t)sprintf(text, "graph: { title: \"r.c\"\n");
        for (unsigned i = 0; i < n; i++) {
            frame[i] = (long)rtm_test_rnd(&rng, 200);
            qual[i] = rtm_test_rnd(&rng, 10) == 0 ? 2 : rtm_test_rnd(&rng, 10) == 0 ? 1 : 0; /* 0 static 1 bounded 2 dyn */
            depth[i] = rtm_test_rnd(&rng, 3) == 0 ? 0 : 1 + (unsigned)rtm_test_rnd(&rng, 5);
            len += (size_t)sprintf(text + len, "node: { title: \"f%u\" label: \"f%u\\nr.c:%u:1\\n%ld bytes (%s)\" }\n", i, i,
                                   i + 1, frame[i], qual[i] == 0 ? "static" : qual[i] == 1 ? "dynamic,bounded" : "dynamic");
        }
        unsigned ne = (unsigned)rtm_test_rnd(&rng, 2 * n + 1);
        for (unsigned k = 0; k < ne; k++) {
            unsigned a = (unsigned)rtm_test_rnd(&rng, n), b = (unsigned)rtm_test_rnd(&rng, n);
            if (rtm_test_rnd(&rng, 4) != 0 && a > b) { unsigned t = a; a = b; b = t; } /* mostly forward */
            adj[a][b] = true;
            len += (size_t)sprintf(text + len, "edge: { sourcename: \"f%u\" targetname: \"f%u\" }\n", a, b);
        }
        len += (size_t)sprintf(text + len, "}\n");
        char ann[1024];
        size_t al = 0;
        for (unsigned i = 0; i < n; i++)
            if (depth[i]) al += (size_t)sprintf(ann + al, "recursion f%u %u\n", i, depth[i]);
        ann[al] = '\0';

        /* reference: reachability closure, components by mutual reachability */
        bool reach[RN][RN];
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = 0; j < n; j++) reach[i][j] = adj[i][j];
        for (unsigned k = 0; k < n; k++)
            for (unsigned i = 0; i < n; i++)
                for (unsigned j = 0; j < n; j++) reach[i][j] = reach[i][j] || (reach[i][k] && reach[k][j]);
        long cost[RN];
        bool cyc[RN], unb[RN];
        for (unsigned i = 0; i < n; i++) {
            long sum = 0;
            unsigned d = 0;
            bool cycle = reach[i][i];
            for (unsigned j = 0; j < n; j++)
                if (j == i || (reach[i][j] && reach[j][i])) {
                    sum += frame[j];
                    if (depth[j] > d) d = depth[j];
                }
            cyc[i] = cycle;
            unb[i] = cycle && d == 0;
            cost[i] = cycle ? sum * (long)(d ? d : 1) : frame[i];
        }
        /* best[i] = cost(comp i) + max over j reachable from i, not in i's component, with an edge from
         * the component: computed by repeated relaxation (n rounds suffice on the DAG of components). */
        long best[RN];
        for (unsigned i = 0; i < n; i++) best[i] = cost[i];
        for (unsigned it = 0; it < n; it++)
            for (unsigned i = 0; i < n; i++) {
                long m = 0;
                for (unsigned u = 0; u < n; u++) {
                    bool same = u == i || (reach[i][u] && reach[u][i]);
                    if (!same) continue;
                    for (unsigned v = 0; v < n; v++) {
                        bool vsame = v == i || (reach[i][v] && reach[v][i]);
                        if (adj[u][v] && !vsame && best[v] > m) m = best[v];
                    }
                }
                best[i] = cost[i] + m;
            }

        rtm_sg_graph *g = load(text, NULL, ann, NULL);
        for (unsigned i = 0; i < n; i++) {
            char nm[16];
            snprintf(nm, sizeof nm, "f%u", i);
            const rtm_sg_root_result *r = rtm_sg_root_by_name(g, nm);
            /* a root: the first function (by name: f0 < f1 < ... < f9) of a component that no
             * function outside it calls */
            bool called = false, first = true;
            for (unsigned j = 0; j < n; j++) {
                bool jsame = j == i || (reach[i][j] && reach[j][i]);
                if (!jsame) continue;
                if (j < i) first = false;
                for (unsigned u = 0; u < n; u++) {
                    bool usame = u == i || (reach[i][u] && reach[u][i]);
                    called = called || (adj[u][j] && !usame);
                }
            }
            if (called || !first) {
                assert_null(r);
                continue;
            }
            assert_non_null(r);
            unsigned want_flags = 0;
            for (unsigned j = 0; j < n; j++)
                if (j == i || reach[i][j]) {
                    if (qual[j] == 2) want_flags |= RTM_SG_F_DYNAMIC;
                    if (unb[j]) want_flags |= RTM_SG_F_RECURSION;
                }
            if (r->total != best[i] || r->flags != want_flags)
                fail_msg("round %zu root f%u: total %ld flags %u, reference %ld flags %u (cycle %d)", round, i, r->total,
                         r->flags, best[i], want_flags, cyc[i]);
        }
        rtm_sg_free(g);
    }
    free(text);
}

/* A generated large graph: the analysis holds together (no crash, every root has a chain). */
static void test_generated_graph(void **state)
{
    (void)state;
    char *text;
    size_t n = rtm_test_ops(20000);
    if (n < 500) n = 500;
    size_t len = rtm_sg_generate_ci(n, n * 5, 42, &text);
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_ci(g, text, len, "gen.ci", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    assert_int_equal(rtm_sg_function_count(g), n);
    assert_true(rtm_sg_root_count(g) > 0);
    assert_true(rtm_sg_cycle_count(g) > 0);
    assert_true(rtm_sg_unresolved_count(g) > 0); /* one call in 500 through a pointer */
    for (size_t i = 0; i < rtm_sg_root_count(g); i++) {
        const rtm_sg_root_result *r = rtm_sg_root(g, i);
        assert_true(r->chain_len >= 1);
        if (i) assert_true(r->total <= rtm_sg_root(g, i - 1)->total);
    }
    rtm_sg_free(g);
    free(text);
}

/* ---- gaps found by mutation testing (scripts/mutate.py on tools/lib/stackgraph*.c) ------------------ */

/* JSON report of @p g (malloc'd). */
static char *report_json(const rtm_sg_graph *g)
{
    char *js = NULL;
    size_t jl = 0;
    FILE *mf = open_memstream(&js, &jl);
    assert_non_null(mf);
    rtm_sg_report_json(g, mf);
    fclose(mf);
    return js;
}

/* Error messages: a caller may pass no rtm_sg_error (the result is still -1), and a file name gives
 * way exactly when "FILE:LINE: message" would not fit in the 511 characters of err.msg: at 511 it is
 * kept whole, at 512 its start becomes "..." (without the cut, one byte more than the buffer). */
static void test_fail_message_bounds(void **state)
{
    (void)state;
    rtm_sg_graph *g = rtm_sg_new();
    assert_int_equal(rtm_sg_load_su(g, "a.c:1:2:f\t16\tstatik\n", 20, "t.su", NULL), -1);
    assert_int_equal(rtm_sg_load_ci(g, "digraph {", 9, "t.ci", NULL), -1);
    assert_int_equal(rtm_sg_load_annotations(g, "stack main 12\n", 14, "t.ann", NULL), -1);
    rtm_sg_free(g);
    static const char text[] = ":1: unknown qualifier 'statik' (static, dynamic or dynamic,bounded)";
    rtm_sg_error err;
    for (size_t fn = 511 - strlen(text); fn <= 512 - strlen(text); fn++) {
        char name[600];
        memset(name, 'd', fn);
        memcpy(name, "/", 1);
        memcpy(name + fn - 5, "/x.su", 5);
        name[fn] = '\0';
        g = rtm_sg_new();
        assert_int_equal(rtm_sg_load_su(g, "a.c:1:2:f\t16\tstatik\n", 20, name, &err), -1);
        assert_int_equal(strlen(err.msg), 511);
        assert_string_equal(err.msg + 511 - strlen(text), text);
        if (fn + strlen(text) == 511) {
            assert_memory_equal(err.msg, name, fn); /* fits: the whole name */
        } else {
            assert_memory_equal(err.msg, "...", 3); /* one byte over: "..." + the name's last fn - 4 */
            assert_memory_equal(err.msg + 3, name + 4, fn - 4);
        }
        rtm_sg_free(g);
    }
}

/* More functions than the name table's first size (1024 slots, grown at half full): every one is
 * found by its name afterwards. (The table was only ever exercised at its first size in a Debug
 * build, where test_generated_graph makes 500 functions.) */
static void test_name_map_grows(void **state)
{
    (void)state;
    enum { N = 2100 };
    char *su = malloc(N * 40);
    assert_non_null(su);
    size_t len = 0;
    for (unsigned i = 0; i < N; i++) len += (size_t)sprintf(su + len, "a.c:%u:1:f%u\t%u\tstatic\n", i + 1, i, 8 * (i % 7 + 1));
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_su(g, su, len, "a.su", &err), 0);
    /* the same records again (a second build of the unit): found by name, no new function */
    assert_int_equal(rtm_sg_load_su(g, su, len, "b.su", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    assert_int_equal(rtm_sg_function_count(g), N);
    assert_int_equal(rtm_sg_root_count(g), N);
    for (unsigned i = 0; i < N; i += 97) {
        char nm[16];
        snprintf(nm, sizeof nm, "f%u", i);
        assert_int_equal(root(g, nm)->total, 8 * (i % 7 + 1));
    }
    rtm_sg_free(g);
    free(su);
}

/* .su records against .ci nodes: a record of the same name in another file is another function (a
 * static of a unit without .ci), even on the same line; and of a .ci figure and a .su figure for one
 * function the larger counts, also when the .su has the smaller one. */
static void test_su_merge_rules(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 48, "static") NODE("f", "f", 2, 16, "static")
        EDGE("main", "f", 1) "}\n";
    /* main: .ci 48, .su 16 -> 48; f 16; b.c's f at the same line 2: its own root of 500 */
    rtm_sg_graph *g = load(ci, "a.c:1:1:main\t16\tstatic\na.c:2:1:f\t16\tstatic\nb.c:2:1:f\t500\tstatic\n", NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 3);
    assert_int_equal(rtm_sg_root_count(g), 2);
    assert_int_equal(root(g, "main")->total, 48 + 16);
    assert_int_equal(root(g, "b.c:f")->total, 500);
    rtm_sg_free(g);
    /* the same file, another line: another function too (a second static f of a.c's) */
    g = load(ci, "a.c:9:1:f\t500\tstatic\n", NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 3);
    assert_int_equal(root(g, "main")->total, 48 + 16);
    assert_int_equal(root(g, "a.c:f")->total, 500);
    rtm_sg_free(g);
}

/* Annotations name a static function by its plain name when that is unique, whatever order the
 * functions came in (a binary search over them sorted by name), and fail on a plain name that two
 * statics share ("ambiguous"), wherever the name sorts: first (aa) or after others (zz). */
static void test_annotation_plain_names(void **state)
{
    (void)state;
    /* inserted in the order z, a.c:m, b: not sorted by name */
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("z", "z", 1, 8, "static") NODE("a.c:m", "m", 2, 24, "static")
        NODE("b", "b", 3, 40, "static") "}\n";
    rtm_sg_graph *g = load(ci, NULL, "thread m 100\n", NULL);
    assert_int_equal(root(g, "m")->stack, 100);
    assert_int_equal(root(g, "m")->total, 24);
    rtm_sg_free(g);
    static const char *const anns[] = {"thread aa 100\n", "thread zz 100\n", "icall main aa\n", "recursion zz 2\n"};
    static const char ua[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 8, "static") ICALL("main", 1)
        NODE("a.c:aa", "aa", 2, 16, "static") NODE("a.c:zz", "zz", 3, 16, "static") "}\n";
    static const char ub[] = "graph: { title: \"b.c\"\n" NODE("b.c:aa", "aa", 2, 32, "static")
        NODE("b.c:zz", "zz", 3, 32, "static") "}\n";
    for (size_t i = 0; i < sizeof anns / sizeof anns[0]; i++) {
        g = rtm_sg_new();
        rtm_sg_error err;
        assert_int_equal(rtm_sg_load_ci(g, ua, strlen(ua), "a.ci", &err), 0);
        assert_int_equal(rtm_sg_load_ci(g, ub, strlen(ub), "b.ci", &err), 0);
        assert_int_equal(rtm_sg_load_annotations(g, anns[i], strlen(anns[i]), "t.ann", &err), 0);
        assert_int_equal(rtm_sg_analyse(g, NULL, &err), -1);
        char want[80];
        snprintf(want, sizeof want, "t.ann:1: ambiguous name (use FILE:NAME) '%s'", i % 2 ? "zz" : "aa");
        assert_string_equal(err.msg, want);
        rtm_sg_free(g);
    }
    /* FILE:NAME is not ambiguous */
    g = load(ua, NULL, "thread a.c:aa 100\nicall main a.c:zz\n", NULL);
    assert_int_equal(root(g, "aa")->stack, 100);
    assert_int_equal(root(g, "main")->total, 8 + 16);
    rtm_sg_free(g);
}

/* The edge array at its capacity (16, then 32, ...) when the analysis adds edges: 16 calls in the
 * .ci, then the call of a FILE:NAME definition also made to the plain NAME (join_file_local_names)
 * and an icall annotation's targets. Every added edge counts. */
static void test_edges_past_capacity(void **state)
{
    (void)state;
    char ci[4096];
    size_t len = (size_t)sprintf(ci, "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 8, "static") ICALL("main", 1)
                                     NODE("a.c:w", "w", 2, 8, "static") NODE("t1", "t1", 3, 100, "static")
                                     NODE("t2", "t2", 4, 200, "static") NODE("t3", "t3", 5, 300, "static")
                                     EDGE("main", "a.c:w", 1));
    for (int i = 0; i < 15; i++)
        len += (size_t)sprintf(ci + len, "node: { title: \"l%d\" label: \"l%d\\na.c:%d:1\\n%d bytes (static)\" }\n"
                                         "edge: { sourcename: \"main\" targetname: \"l%d\" label: \"a.c:1:%d\" }\n",
                               i, i, 10 + i, i, i, 20 + i);
    sprintf(ci + len, "}\n");
    static const char wdef[] = "graph: { title: \"b.c\"\n" NODE("w", "w", 7, 1000, "static") "}\n";
    for (int icall = 0; icall < 2; icall++) {
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err;
        assert_int_equal(rtm_sg_load_ci(g, ci, strlen(ci), "a.ci", &err), 0);
        if (!icall) assert_int_equal(rtm_sg_load_ci(g, wdef, strlen(wdef), "b.ci", &err), 0);
        else assert_int_equal(rtm_sg_load_annotations(g, "icall main t1 t2 t3\n", 20, "t.ann", &err), 0);
        assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
        if (!icall) { /* + main -> w (b.c's); the icall unresolved */
            assert_int_equal(rtm_sg_edge_count(g), 16 + 1);
            assert_int_equal(root(g, "main")->total, 8 + 1000);
            assert_int_equal(root(g, "main")->flags, RTM_SG_F_ICALL);
        } else { /* + main -> t1, t2, t3 */
            assert_int_equal(rtm_sg_edge_count(g), 16 + 3);
            assert_int_equal(root(g, "main")->total, 8 + 300);
            assert_int_equal(root(g, "main")->flags, 0);
        }
        rtm_sg_free(g);
    }
}

/* A .ci without functions (a unit of data only): analysed, nothing to report, exit 0; --strict
 * exits 1, as inputs without any function prove nothing (it exited 0). */
static void test_empty_graph(void **state)
{
    (void)state;
    rtm_sg_graph *g = load("graph: { title: \"data.c\"\n}\n", NULL, NULL, NULL);
    assert_int_equal(rtm_sg_function_count(g), 0);
    assert_int_equal(rtm_sg_root_count(g), 0);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    char *txt = report_text(g);
    assert_string_equal(txt, "rtmem stack: 0 functions, 0 calls (0 from annotations), 0 recursion cycles, 0 unresolved "
                             "indirect calls\n\nroot                         kind      frames  margin     isr    total    "
                             "stack  status\n");
    free(txt);
    rtm_sg_free(g);
}

/* 'frame NAME 0' is a bound like any other (a function that uses no stack: a tail-calling
 * trampoline): the function has data then, and the result is no lower bound. */
static void test_frame_zero(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") EDGE("main", "tramp", 1)
        NODE("x", "x", 2, 48, "dynamic") EDGE("main", "x", 1) "}\n";
    rtm_sg_graph *g = load(ci, NULL, "frame tramp 0\nframe x 0\n", NULL);
    assert_int_equal(root(g, "main")->total, 16);
    assert_int_equal(root(g, "main")->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 0);
    char *txt = report_text(g); /* no problems: neither "no stack data" nor "dynamic frame" */
    assert_null(strstr(txt, "problems"));
    assert_non_null(strstr(txt, "\n         0  tramp                        ?                        a.c:1:9  annotated (no data)\n"));
    free(txt);
    char *js = report_json(g);
    assert_non_null(strstr(js, "\"dynamic_frames\":[],\n\"no_data\":[],"));
    assert_non_null(strstr(js, "{\"name\":\"tramp\",\"key\":\"tramp\",\"file\":null,\"line\":0,\"col\":0,\"frame\":0,"
                               "\"qualifier\":\"annotated\"}"));
    free(js);
    rtm_sg_free(g);
}

/* Why a result is not a bound, in the text report: every reason of the root's own chain, named
 * (recursion included), and a reason from a preempting handler with that handler and its level,
 * level 0 included. */
static void test_text_reasons(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("r", "r", 2, 8, "dynamic")
        EDGE("main", "r", 1) EDGE("r", "r", 2) NODE("i0", "i0", 3, 8, "static") EDGE("i0", "memcpy", 3) "}\n";
    rtm_sg_graph *g = load(ci, NULL, "isr i0 0\nthread main 4096\n", NULL);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "\nmain: 32 bytes = 24 frames + 8 ISR nesting; stack 4096\n"
                                "  UNBOUNDED: dynamic frame in r, recursion without depth through r; interrupt handler i0 "
                                "(level 0) is not bounded\n"));
    free(txt);
    rtm_sg_free(g);
}

/* The depth a recursion cycle is counted with, in the chain of the text report ("[recursion x3]")
 * and in JSON (the chain's recursion_depth, recursion_cycles' depth). */
static void test_recursion_depth_reported(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 8, "static") NODE("a", "a", 2, 10, "static")
        NODE("b", "b", 3, 20, "static") EDGE("main", "a", 1) EDGE("a", "b", 2) EDGE("b", "a", 3) "}\n";
    rtm_sg_graph *g = load(ci, NULL, "recursion a 3\n", NULL);
    assert_int_equal(root(g, "main")->total, 8 + 3 * 30);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "\n        90  [recursion x3] a.c:1:9\n"));
    free(txt);
    char *js = report_json(g);
    assert_non_null(strstr(js, "{\"bytes\":90,\"called_at\":\"a.c:1:9\",\"recursion_depth\":3,\"functions\":["));
    assert_non_null(strstr(js, "\"recursion_cycles\":[{\"depth\":3,\"functions\":["));
    free(js);
    rtm_sg_free(g);
}

/* Annotation sizes: decimal, 0x/0X hex, a k or K suffix (x 1024). */
static void test_annotation_sizes(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") "}\n";
    static const struct {
        const char *ann;
        long total;
    } cases[] = {{"frame main 2K\n", 2048}, {"frame main 3k\n", 3072}, {"frame main 0x1F\n", 31}, {"frame main 0X1f\n", 31},
                 {"frame main 40\n", 40}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rtm_sg_graph *g = load(ci, NULL, cases[i].ann, NULL);
        assert_int_equal(root(g, "main")->total, cases[i].total);
        rtm_sg_free(g);
    }
}

/* The ranges' last values inside: level 255, depth 1000000, a stack of 1 byte (1 MB of 1-byte
 * frames: the sum stays far below RTM_SG_BYTES_MAX also with 32-bit long). */
static void test_annotation_ranges(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("r", "r", 2, 1, "static")
        EDGE("r", "r", 2) NODE("i", "i", 3, 8, "static") "}\n";
    rtm_sg_graph *g = load(ci, NULL, "isr i 255\nrecursion r 1000000\nthread main 1\n", NULL);
    assert_int_equal(root(g, "i")->level, 255);
    assert_int_equal(root(g, "r")->total, 1000000 + 8); /* + the ISR i preempting it */
    assert_int_equal(root(g, "r")->flags, 0);
    assert_int_equal(root(g, "main")->stack, 1);
    assert_int_equal(root(g, "main")->total, 16 + 8);
    rtm_sg_free(g);
}

/* One function defined in two units: the smaller location (file name, line, column) is reported,
 * in either order of the files: by the file name first (b.c:1:5 after a.c:9:5), by the column on
 * one line (a.c:3:5 before a.c:3:9). A line of 9 digits is still one. Two labels of one title,
 * one name a prefix of the other: the shorter (smaller) name. */
static void test_defined_twice_smaller_location(void **state)
{
    (void)state;
    static const struct {
        const char *loc1, *loc2, *want;
    } cases[] = {{"b.c:1:5", "a.c:9:5", "a.c:9:5"}, {"a.c:3:9", "a.c:3:5", "a.c:3:5"},
                 {"a.c:999999999:5", "a.c:999999999:7", "a.c:999999999:5"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int order = 0; order < 2; order++) {
            char c1[256], c2[256];
            snprintf(c1, sizeof c1, "graph: { title: \"x.c\"\nnode: { title: \"f\" label: \"f_a\\n%s\\n16 bytes (static)\" }\n}\n",
                     order ? cases[i].loc2 : cases[i].loc1);
            snprintf(c2, sizeof c2, "graph: { title: \"y.c\"\nnode: { title: \"f\" label: \"f_ab\\n%s\\n16 bytes (static)\" }\n}\n",
                     order ? cases[i].loc1 : cases[i].loc2);
            rtm_sg_graph *g = rtm_sg_new();
            rtm_sg_error err;
            assert_int_equal(rtm_sg_load_ci(g, order ? c2 : c1, strlen(order ? c2 : c1), "1.ci", &err), 0);
            assert_int_equal(rtm_sg_load_ci(g, order ? c1 : c2, strlen(order ? c1 : c2), "2.ci", &err), 0);
            assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
            assert_int_equal(rtm_sg_root_count(g), 1);
            assert_string_equal(rtm_sg_root(g, 0)->name, "f_a");
            char *txt = report_text(g);
            char want[128];
            snprintf(want, sizeof want, "\n        16  f_a                          %-24s \n", cases[i].want);
            if (!strstr(txt, want)) fail_msg("case %zu order %d: no '%s' in\n%s", i, order, want, txt);
            free(txt);
            rtm_sg_free(g);
        }
}

/* The results' accessors: past the last root there is none (NULL), and a second rtm_sg_analyse()
 * is refused (the graph holds the first one's results). */
static void test_results_api(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") NODE("f", "f", 2, 8, "static")
        EDGE("main", "f", 1) "}\n";
    rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_root_count(g), 1);
    assert_non_null(rtm_sg_root(g, 0));
    assert_null(rtm_sg_root(g, 1));
    assert_null(rtm_sg_chain_name(g, 1, 0));
    assert_null(rtm_sg_chain_name(g, 0, 2));
    assert_string_equal(rtm_sg_chain_name(g, 0, 1), "f");
    rtm_sg_error err;
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), -1);
    assert_string_equal(err.msg, "rtm_sg_analyse: called twice");
    assert_int_equal(root(g, "main")->total, 24);
    rtm_sg_free(g);
}

/* Both reports in full for a graph that has every kind of list: main (no figure: plain
 * -fcallgraph-info, defined in a.c and b.c) -> {p 8, q 16} (a cycle) -> s (4 + alloca, calls itself,
 * an unresolved indirect call); p -> t (declared, 'frame t 0': annotated, no problem); the handler
 * i of level 0 uses 0 bytes (its level is listed with 0). main = 0 + 24 + max(0, 4) = 28, and every
 * reason. Tarjan finishes s first, then t, {q, p}, main, i. */
static const char k_all_a_ci[] =
    "graph: { title: \"a.c\"\n"
    "node: { title: \"main\" label: \"main\\na.c:1:5\" }\n"
    "node: { title: \"p\" label: \"p\\na.c:2:5\\n8 bytes (static)\" }\n"
    "edge: { sourcename: \"main\" targetname: \"p\" label: \"a.c:1:20\" }\n"
    "node: { title: \"q\" label: \"q\\na.c:3:5\\n16 bytes (static)\" }\n"
    "edge: { sourcename: \"p\" targetname: \"q\" label: \"a.c:2:20\" }\n"
    "edge: { sourcename: \"q\" targetname: \"p\" label: \"a.c:3:20\" }\n"
    "node: { title: \"t\" label: \"t\\na.c:9:6\" shape : ellipse }\n"
    "edge: { sourcename: \"p\" targetname: \"t\" label: \"a.c:2:30\" }\n"
    "node: { title: \"s\" label: \"s\\na.c:4:5\\n4 bytes (dynamic)\" }\n"
    "edge: { sourcename: \"q\" targetname: \"s\" label: \"a.c:3:30\" }\n"
    "edge: { sourcename: \"s\" targetname: \"s\" label: \"a.c:4:20\" }\n"
    "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
    "edge: { sourcename: \"s\" targetname: \"__indirect_call\" label: \"a.c:4:30\" }\n"
    "node: { title: \"i\" label: \"i\\na.c:5:5\\n0 bytes (static)\" }\n"
    "}\n";
static const char k_all_b_ci[] = "graph: { title: \"b.c\"\nnode: { title: \"main\" label: \"main\\nb.c:1:5\" }\n}\n";

static void test_reports_in_full(void **state)
{
    (void)state;
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_ci(g, k_all_a_ci, strlen(k_all_a_ci), "a.ci", &err), 0);
    assert_int_equal(rtm_sg_load_ci(g, k_all_b_ci, strlen(k_all_b_ci), "b.ci", &err), 0);
    assert_int_equal(rtm_sg_load_annotations(g, "isr i 0\nframe t 0\n", 18, "t.ann", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    char *txt = report_text(g);
    assert_string_equal(txt,
        "rtmem stack: 6 functions, 6 calls (0 from annotations), 2 recursion cycles, 1 unresolved indirect calls\n"
        "ISR nesting: 0 bytes over 1 level (level 0: i 0)\n"
        "\n"
        "root                         kind      frames  margin     isr    total    stack  status\n"
        "main                         root          28       0       0       28        -  unbounded\n"
        "i                            isr/0          0       0       0        0        -  -\n"
        "\n"
        "main: 28 bytes = 28 frames\n"
        "  UNBOUNDED: dynamic frame in s, unresolved indirect call in s (a.c:4:30), no stack data for main, "
        "recursion without depth through q\n"
        "     bytes  function                     defined at               called at\n"
        "         0  main                         a.c:1:5                    NO DATA\n"
        "        24  [recursion x1, depth unknown] a.c:1:20\n"
        "        16    q                          a.c:3:5                  \n"
        "         8    p                          a.c:2:5                  \n"
        "         4  [recursion x1, depth unknown] a.c:3:30\n"
        "         4    s                          a.c:4:5                  DYNAMIC (alloca/VLA not counted)\n"
        "\n"
        "i: 0 bytes = 0 frames\n"
        "     bytes  function                     defined at               called at\n"
        "         0  i                            a.c:5:5                  \n"
        "\n"
        "problems (all but the last two kinds make the results that reach them lower bounds; see "
        "docs/stack-annotations.md):\n"
        "  indirect call without targets: in s at a.c:4:30 (add: icall a.c:4:30 TARGET...)\n"
        "  recursion without depth: s (add: recursion s DEPTH)\n"
        "  recursion without depth: q, p (add: recursion q DEPTH)\n"
        "  no stack data: main (add its .su/.ci, or: frame main BYTES)\n"
        "  dynamic frame without bound: s (a.c:4:5), 4 bytes + alloca/VLA (add: frame s BYTES)\n"
        "  defined in more than one unit: main (the largest frame is used; one program per run?)\n");
    free(txt);
    char *js = report_json(g);
    assert_string_equal(js,
        "{\"functions\":6,\"calls\":6,\"isr_frame\":0,\"call_margin\":0,\"isr_nesting\":0,"
        "\"isr_levels\":[{\"level\":0,\"isr\":\"i\",\"bytes\":0}],\n"
        "\"roots\":[\n"
        "{\"name\":\"main\",\"kind\":\"root\",\"level\":-1,\"frames\":28,\"margin\":0,\"isr_nesting\":0,"
        "\"total\":28,\"stack\":null,\"status\":\"unbounded\",\"lower_bound\":true,\"unbounded\":true,"
        "\"reasons\":[\"dynamic\",\"indirect\",\"nodata\",\"recursion\"],\"chain\":[{\"bytes\":0,"
        "\"called_at\":null,\"functions\":[{\"name\":\"main\",\"key\":\"main\",\"file\":\"a.c\",\"line\":1,"
        "\"col\":5,\"frame\":0,\"qualifier\":\"none\"}]},{\"bytes\":24,\"called_at\":\"a.c:1:20\","
        "\"recursion_depth\":1,\"functions\":[{\"name\":\"q\",\"key\":\"q\",\"file\":\"a.c\",\"line\":3,"
        "\"col\":5,\"frame\":16,\"qualifier\":\"static\"},{\"name\":\"p\",\"key\":\"p\",\"file\":\"a.c\","
        "\"line\":2,\"col\":5,\"frame\":8,\"qualifier\":\"static\"}]},{\"bytes\":4,"
        "\"called_at\":\"a.c:3:30\",\"recursion_depth\":1,\"functions\":[{\"name\":\"s\",\"key\":\"s\","
        "\"file\":\"a.c\",\"line\":4,\"col\":5,\"frame\":4,\"qualifier\":\"dynamic\"}]}]},\n"
        "{\"name\":\"i\",\"kind\":\"isr\",\"level\":0,\"frames\":0,\"margin\":0,\"isr_nesting\":0,"
        "\"total\":0,\"stack\":null,\"status\":\"-\",\"lower_bound\":false,\"unbounded\":false,"
        "\"reasons\":[],\"chain\":[{\"bytes\":0,\"called_at\":null,\"functions\":[{\"name\":\"i\","
        "\"key\":\"i\",\"file\":\"a.c\",\"line\":5,\"col\":5,\"frame\":0,\"qualifier\":\"static\"}]}]}],\n"
        "\"unresolved_indirect_calls\":[{\"caller\":\"s\",\"site\":\"a.c:4:30\"}],\n"
        "\"recursion_cycles\":[{\"depth\":null,\"functions\":[\"s\"]},{\"depth\":null,\"functions\":[\"q\",\"p\"]}],\n"
        "\"dynamic_frames\":[{\"name\":\"s\",\"key\":\"s\",\"file\":\"a.c\",\"line\":4,\"col\":5,\"frame\":4,"
        "\"qualifier\":\"dynamic\"}],\n"
        "\"no_data\":[\"main\"],\n"
        "\"file_local_joins\":[],\n"
        "\"defined_twice\":[\"main\"]}\n");
    free(js);
    rtm_sg_free(g);
}

/* The problem list counts every kind: with one function defined twice as the only problem (the
 * first function there is), the list is printed. */
static void test_only_problem_defined_twice(void **state)
{
    (void)state;
    static const char c1[] = "graph: { title: \"a.c\"\n" NODE("f", "f", 1, 16, "static") "}\n";
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_load_ci(g, c1, strlen(c1), "1.ci", &err), 0);
    assert_int_equal(rtm_sg_load_ci(g, c1, strlen(c1), "2.ci", &err), 0);
    assert_int_equal(rtm_sg_analyse(g, NULL, &err), 0);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "\n\nproblems (all but the last two kinds make the results that reach them lower bounds; see "
                                "docs/stack-annotations.md):\n  defined in more than one unit: f (the largest frame is used; "
                                "one program per run?)\n"));
    free(txt);
    rtm_sg_free(g);
}

/* A recursion cycle's problem line names at most 8 members, then "..." and the count. */
static void test_long_cycle_listed(void **state)
{
    (void)state;
    for (int n = 8; n <= 9; n++) {
        char ci[4096];
        size_t len = (size_t)sprintf(ci, "graph: { title: \"a.c\"\n");
        for (int i = 0; i < n; i++)
            len += (size_t)sprintf(ci + len, "node: { title: \"c%d\" label: \"c%d\\na.c:%d:1\\n8 bytes (static)\" }\n"
                                             "edge: { sourcename: \"c%d\" targetname: \"c%d\" label: \"a.c:%d:9\" }\n",
                                   i, i, i + 1, i, (i + 1) % n, i + 1);
        sprintf(ci + len, "}\n");
        rtm_sg_graph *g = load(ci, NULL, NULL, NULL);
        assert_int_equal(root(g, "c0")->total, 8 * n);
        char *txt = report_text(g);
        /* the members in Tarjan's stack order: the last one reached first */
        if (n == 8)
            assert_non_null(strstr(txt, "  recursion without depth: c7, c6, c5, c4, c3, c2, c1, c0 (add: recursion c7 DEPTH)\n"));
        else
            assert_non_null(strstr(txt, "  recursion without depth: c8, c7, c6, c5, c4, c3, c2, c1, ... (9 functions) (add: "
                                        "recursion c8 DEPTH)\n"));
        free(txt);
        rtm_sg_free(g);
    }
}

/* rtm_sg_check()'s reasons: an unresolved indirect call is named by its site, or without one by
 * its caller's place; a handler's lower bound that comes from handlers preempting it names the first
 * flagged handler of a higher level, not one of its own level (which cannot preempt it). */
static void test_check_reasons(void **state)
{
    (void)state;
    rtm_sg_error why;
    static const char ci1[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static") ICALL("main", 1) "}\n";
    rtm_sg_graph *g = load(ci1, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: root main is a lower bound: unresolved indirect call in main (a.c:1:7)");
    rtm_sg_free(g);
    static const char ci2[] = "graph: { title: \"a.c\"\n" NODE("main", "main", 1, 16, "static")
        "node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
        "edge: { sourcename: \"main\" targetname: \"__indirect_call\" }\n}\n";
    g = load(ci2, NULL, NULL, NULL);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: root main is a lower bound: unresolved indirect call in main (a.c:1:1)");
    rtm_sg_free(g);
    static const char ci3[] = "graph: { title: \"i.c\"\n" NODE("low_isr", "low_isr", 1, 16, "static")
        NODE("dyn1", "dyn1", 2, 8, "dynamic") NODE("vla_isr", "vla_isr", 3, 32, "dynamic") "}\n";
    static const char *const only_low[] = {"low_isr"};
    rtm_sg_options opt = {.roots = only_low, .nroots = 1};
    g = load(ci3, NULL, "isr low_isr 1\nisr dyn1 1\nisr vla_isr 2\n", &opt);
    assert_int_equal(root(g, "low_isr")->total, 16 + 32);
    assert_int_equal(root(g, "low_isr")->flags, RTM_SG_F_DYNAMIC);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: root low_isr is a lower bound: interrupt handler vla_isr (level 2) is not "
                                 "bounded: dynamic frame in vla_isr (a.c:3:1)");
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "\n  LOWER BOUND: interrupt handler vla_isr (level 2) is not bounded\n"));
    free(txt);
    rtm_sg_free(g);
}

/* ---- interrupt handlers on a stack of their own (isr_stack / --isr-stack) -------------------------- */

/* Thread t 10 -> w 90; handlers i1 (level 1) 20 -> h1 30, i2 (level 1) 5, i3 (level 2) 40; main 16,
 * called by nobody. --isr-frame 36. Per level: L1 max(50, 5) + 36 = 86, L2 40 + 36 = 76: nesting 162. */
static const char k_isrs_ci[] = "graph: { title: \"a.c\"\n" NODE("t", "t", 1, 10, "static") NODE("w", "w", 2, 90, "static")
    NODE("i1", "i1", 3, 20, "static") NODE("h1", "h1", 4, 30, "static") NODE("i2", "i2", 5, 5, "static")
    NODE("i3", "i3", 6, 40, "static") NODE("main", "main", 7, 16, "static") EDGE("t", "w", 1) EDGE("i1", "h1", 3) "}\n";
static const char k_isrs_ann[] = "thread t 200\nisr i1 1\nisr i2 1\nisr i3 2\n";

static rtm_sg_graph *load_ann2(const char *ci, const char *ann1, const char *ann2, const rtm_sg_options *opt)
{
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    if (rtm_sg_load_ci(g, ci, strlen(ci), "t.ci", &err)) fail_msg("%s", err.msg);
    if (rtm_sg_load_annotations(g, ann1, strlen(ann1), "t.ann", &err)) fail_msg("%s", err.msg);
    if (rtm_sg_load_annotations(g, ann2, strlen(ann2), "u.ann", &err)) fail_msg("%s", err.msg);
    if (rtm_sg_analyse(g, opt, &err)) fail_msg("%s", err.msg);
    return g;
}

/* Two handler levels, without and with the interrupt stack: the thread takes the whole nesting, or
 * one entry frame; main and the handlers keep theirs; the interrupt stack holds both levels' worst
 * chains and the one nested entry's frame: 50 + 40 + 36 = 126 (= 162 - the first entry's 36). */
static void test_isr_stack_exact(void **state)
{
    (void)state;
    rtm_sg_options opt = {.isr_frame = 36};
    rtm_sg_graph *g = load_ann2(k_isrs_ci, k_isrs_ann, "", &opt);
    assert_null(rtm_sg_isr_stack(g));
    assert_int_equal(root(g, "t")->isr_nesting, 162);
    assert_int_equal(root(g, "t")->total, 262);
    assert_int_equal(rtm_sg_exit_status(g, false), 1); /* 262 > 200 */
    char *js = report_json(g);
    assert_null(strstr(js, "isr_stack"));
    free(js);
    rtm_sg_free(g);

    g = load_ann2(k_isrs_ci, k_isrs_ann, "isr_stack 126\n", &opt);
    assert_int_equal(root(g, "t")->frames, 100);
    assert_int_equal(root(g, "t")->isr_nesting, 36);
    assert_int_equal(root(g, "t")->total, 136);
    assert_int_equal(root(g, "t")->stack, 200);
    assert_int_equal(root(g, "main")->isr_nesting, 162); /* not a thread: may run on the interrupt stack */
    assert_int_equal(root(g, "main")->total, 178);
    assert_int_equal(root(g, "i1")->total, 50 + 36 + 76);
    assert_int_equal(root(g, "i2")->total, 5 + 36 + 76);
    assert_int_equal(root(g, "i3")->total, 40 + 36);
    const rtm_sg_isr_stack_result *is = rtm_sg_isr_stack(g);
    assert_non_null(is);
    assert_int_equal(is->size, 126);
    assert_int_equal(is->levels, 2);
    assert_int_equal(is->handlers, 90);
    assert_int_equal(is->entry_frames, 36);
    assert_int_equal(is->total, 126);
    assert_int_equal(is->flags, 0);
    assert_int_equal(rtm_sg_exit_status(g, true), 0); /* 136 <= 200, 126 <= 126 */
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "\ninterrupt stack: 126 bytes = 90 handlers over 2 levels + 36 nested entry frames; size 126: ok\n"
                                "  threads take 36 bytes from interrupts (one entry frame); other roots the whole ISR nesting\n\n"));
    assert_non_null(strstr(txt, "\nt                            thread       100       0      36      136      200  ok\n"));
    assert_non_null(strstr(txt, "\nmain                         root          16       0     162      178        -  -\n"));
    assert_non_null(strstr(txt, "\nt: 136 bytes = 100 frames + 36 interrupt entry (handlers on the interrupt stack); stack 200\n"));
    free(txt);
    js = report_json(g);
    assert_non_null(strstr(js, "\"isr_levels\":[{\"level\":1,\"isr\":\"i1\",\"bytes\":86},{\"level\":2,\"isr\":\"i3\",\"bytes\":76}],"
                               "\"isr_stack\":{\"size\":126,\"levels\":2,\"handlers\":90,\"entry_frames\":36,\"total\":126,"
                               "\"thread_isr_nesting\":36,\"status\":\"ok\",\"lower_bound\":false,\"unbounded\":false,"
                               "\"reasons\":[]},\n\"roots\":["));
    assert_non_null(strstr(js, "{\"name\":\"t\",\"kind\":\"thread\",\"level\":-1,\"frames\":100,\"margin\":0,\"isr_nesting\":36,"
                               "\"total\":136,\"stack\":200,\"status\":\"ok\","));
    free(js);
    rtm_sg_free(g);

    /* with a call margin of 4 per frame: in the chains on both stacks (t 2 frames, h1's 2, i3's 1) */
    opt.call_margin = 4;
    g = load_ann2(k_isrs_ci, k_isrs_ann, "isr_stack own\n", &opt);
    assert_int_equal(root(g, "t")->total, 100 + 8 + 36);
    is = rtm_sg_isr_stack(g);
    assert_int_equal(is->size, -1);
    assert_int_equal(is->handlers, 58 + 44);
    assert_int_equal(is->total, 58 + 44 + 36);
    txt = report_text(g);
    assert_non_null(strstr(txt, "\ninterrupt stack: 138 bytes = 102 handlers over 2 levels + 36 nested entry frames; size not given: -\n"));
    free(txt);
    rtm_sg_free(g);

    /* one level: no nested entry; no level at all: nothing from interrupts, an empty interrupt stack */
    opt.call_margin = 0;
    g = load_ann2(k_isrs_ci, "thread t 200\nisr i1 1\nisr i2 1\n", "isr_stack 50\n", &opt);
    assert_int_equal(root(g, "t")->total, 136);
    is = rtm_sg_isr_stack(g);
    assert_int_equal(is->levels, 1);
    assert_int_equal(is->entry_frames, 0);
    assert_int_equal(is->total, 50);
    assert_int_equal(rtm_sg_exit_status(g, false), 0);
    rtm_sg_free(g);
    g = load_ann2(k_isrs_ci, "thread t 200\n", "isr_stack 50\n", &opt);
    assert_int_equal(root(g, "t")->total, 100);
    assert_int_equal(root(g, "t")->isr_nesting, 0);
    is = rtm_sg_isr_stack(g);
    assert_int_equal(is->levels, 0);
    assert_int_equal(is->total, 0);
    txt = report_text(g);
    assert_non_null(strstr(txt, "\ninterrupt stack: 0 bytes = 0 handlers over 0 levels; size 50: ok\n"
                                "  threads take 0 bytes from interrupts (one entry frame); other roots the whole ISR nesting\n"));
    free(txt);
    rtm_sg_free(g);
}

/* An unbounded handler (i3 calls itself): without the interrupt stack every thread is unbounded;
 * with it the thread is a bound and the interrupt stack is unbounded, and --strict says so. */
static void test_isr_stack_unbounded_handler(void **state)
{
    (void)state;
    static const char ci[] = "graph: { title: \"a.c\"\n" NODE("t", "t", 1, 10, "static") NODE("w", "w", 2, 90, "static")
        NODE("i1", "i1", 3, 20, "static") NODE("i3", "i3", 6, 40, "static") EDGE("t", "w", 1) EDGE("i3", "i3", 6) "}\n";
    static const char *const only_t[] = {"t"};
    rtm_sg_options opt = {.isr_frame = 36, .roots = only_t, .nroots = 1};
    rtm_sg_error why;
    rtm_sg_graph *g = load_ann2(ci, "thread t 1000\nisr i1 1\nisr i3 2\n", "", &opt);
    assert_int_equal(root(g, "t")->flags, RTM_SG_F_RECURSION);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: root t is unbounded: interrupt handler i3 (level 2) is not bounded: recursion "
                                 "without depth through i3 (a.c:6:1)");
    rtm_sg_free(g);

    g = load_ann2(ci, "thread t 1000\nisr i1 1\nisr i3 2\n", "isr_stack 1024\n", &opt);
    assert_int_equal(root(g, "t")->flags, 0);
    assert_int_equal(root(g, "t")->total, 100 + 36);
    const rtm_sg_isr_stack_result *is = rtm_sg_isr_stack(g);
    assert_int_equal(is->flags, RTM_SG_F_RECURSION);
    assert_int_equal(is->total, 20 + 40 + 36);
    assert_int_equal(rtm_sg_check(g, false, &why), 0);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: the interrupt stack is unbounded: interrupt handler i3 (level 2) is not bounded: "
                                 "recursion without depth through i3 (a.c:6:1)");
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "; size 1024: unbounded\n"
                                "  threads take 36 bytes from interrupts (one entry frame); other roots the whole ISR nesting\n"
                                "  UNBOUNDED: interrupt handler i3 (level 2) is not bounded\n"));
    assert_non_null(strstr(txt, "\nt                            thread       100       0      36      136     1000  ok\n"));
    free(txt);
    char *js = report_json(g);
    assert_non_null(strstr(js, "\"isr_stack\":{\"size\":1024,\"levels\":2,\"handlers\":60,\"entry_frames\":36,\"total\":96,"
                               "\"thread_isr_nesting\":36,\"status\":\"unbounded\",\"lower_bound\":true,\"unbounded\":true,"
                               "\"reasons\":[\"recursion\"]}"));
    free(js);
    rtm_sg_free(g);
    /* a dynamic frame in a handler: a lower bound */
    g = load_ann2(ci, "thread t 1000\nisr i1 1\nisr i3 2\nrecursion i3 2\n", "isr_stack own\nframe i1 20\n", &opt);
    assert_int_equal(rtm_sg_isr_stack(g)->flags, 0);
    assert_int_equal(rtm_sg_isr_stack(g)->total, 20 + 80 + 36);
    assert_int_equal(rtm_sg_check(g, true, &why), 0);
    rtm_sg_free(g);
    static const char ci2[] = "graph: { title: \"a.c\"\n" NODE("t", "t", 1, 10, "static") NODE("i1", "i1", 3, 20, "dynamic") "}\n";
    g = load_ann2(ci2, "thread t 1000\nisr i1 1\n", "isr_stack own\n", &opt);
    assert_int_equal(root(g, "t")->flags, 0);
    assert_int_equal(rtm_sg_isr_stack(g)->flags, RTM_SG_F_DYNAMIC);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    assert_string_equal(why.msg, "--strict: the interrupt stack is a lower bound: interrupt handler i1 (level 1) is not bounded: "
                                 "dynamic frame in i1 (a.c:3:1)");
    js = report_json(g);
    assert_non_null(strstr(js, "\"isr_stack\":{\"size\":null,\"levels\":1,\"handlers\":20,\"entry_frames\":0,\"total\":20,"
                               "\"thread_isr_nesting\":36,\"status\":\"lower bound\",\"lower_bound\":true,\"unbounded\":false,"
                               "\"reasons\":[\"dynamic\"]}"));
    free(js);
    rtm_sg_free(g);
}

/* The interrupt stack overflows: exit status 1 whether or not --strict, one line; by one byte. */
static void test_isr_stack_overflow(void **state)
{
    (void)state;
    rtm_sg_options opt = {.isr_frame = 36};
    rtm_sg_error why;
    rtm_sg_graph *g = load_ann2(k_isrs_ci, "thread t 1000\nthread main 1000\nisr i1 1\nisr i2 1\nisr i3 2\n",
                                "isr_stack 125\n", &opt);
    assert_int_equal(rtm_sg_isr_stack(g)->total, 126);
    assert_int_equal(rtm_sg_check(g, false, &why), 1);
    assert_string_equal(why.msg, "interrupt stack: worst case 126 bytes exceeds its size of 125 bytes");
    assert_int_equal(rtm_sg_exit_status(g, true), 1);
    char *txt = report_text(g);
    assert_non_null(strstr(txt, "\ninterrupt stack: 126 bytes = 90 handlers over 2 levels + 36 nested entry frames; size 125: "
                                "OVERFLOW by 1\n"));
    free(txt);
    char *js = report_json(g);
    assert_non_null(strstr(js, "\"total\":126,\"thread_isr_nesting\":36,\"status\":\"OVERFLOW by 1\",\"lower_bound\":false,"));
    free(js);
    rtm_sg_free(g);
    /* a root that overflows is named first */
    g = load_ann2(k_isrs_ci, "thread t 135\nisr i1 1\nisr i2 1\nisr i3 2\n", "isr_stack 125\n", &opt);
    assert_int_equal(rtm_sg_check(g, false, &why), 1);
    assert_string_equal(why.msg, "root t: worst case 136 bytes exceeds its stack of 135 bytes");
    rtm_sg_free(g);
    /* a handler beyond the count limit (an absurd frame): the interrupt stack is OVERFLOW without a
     * figure, or beyond the limit without a size; the thread is not (136) */
    static const char *const only_t[] = {"t"};
    opt.roots = only_t, opt.nroots = 1;
    /* (the limit is the build's: RTM_SG_BYTES_MAX, LONG_MAX / 4, is 2^29 - 1 where long has 32 bits) */
    char huge[128], want[256];
    snprintf(huge, sizeof huge, "thread t 1000\nisr i1 1\nisr i3 2\nframe h1 %ld\n", RTM_SG_BYTES_MAX);
    g = load_ann2(k_isrs_ci, huge, "isr_stack 4096\n", &opt);
    assert_int_equal(root(g, "t")->total, 136);
    assert_int_equal(root(g, "t")->flags, 0);
    assert_int_equal(rtm_sg_isr_stack(g)->flags, RTM_SG_F_LIMIT);
    assert_int_equal(rtm_sg_check(g, false, &why), 1);
    snprintf(want, sizeof want,
             "interrupt stack: worst case exceeds its size of 4096 bytes: more than %ld bytes, the largest figure counted",
             RTM_SG_BYTES_MAX);
    assert_string_equal(why.msg, want);
    rtm_sg_free(g);
    g = load_ann2(k_isrs_ci, huge, "isr_stack own\n", &opt);
    assert_int_equal(rtm_sg_check(g, false, &why), 0);
    assert_int_equal(rtm_sg_check(g, true, &why), 1);
    snprintf(want, sizeof want,
             "--strict: the interrupt stack is beyond the limit: worst case more than %ld bytes, the largest figure counted",
             RTM_SG_BYTES_MAX);
    assert_string_equal(why.msg, want);
    char *js2 = report_json(g);
    assert_non_null(strstr(js2, "\"status\":\"beyond limit\",\"lower_bound\":true,\"unbounded\":false,\"reasons\":[\"limit\"]}"));
    free(js2);
    rtm_sg_free(g);
}

/* isr_stack lines: sizes as in every annotation, 'own', and what is refused, on one line with the
 * file and line (or the option): given twice, in one file, two files, or a file and --isr-stack,
 * in either order. */
static void test_isr_stack_annotation_errors(void **state)
{
    (void)state;
    static const struct {
        const char *ann, *origin2, *line2, *msg;
    } cases[] = {
        {"isr_stack 12x\n", NULL, NULL, "t.ann:1: bad interrupt stack size '12x' (BYTES or own)"},
        {"isr_stack -4\n", NULL, NULL, "t.ann:1: bad interrupt stack size '-4' (BYTES or own)"},
        {"isr_stack 0\n", NULL, NULL, "t.ann:1: interrupt stack size must be at least 1 byte"},
        {"isr_stack\n", NULL, NULL, "t.ann:1: usage: isr_stack BYTES|own"},
        {"isr_stack 4 k\n", NULL, NULL, "t.ann:1: usage: isr_stack BYTES|own"},
        {"isr_stack 99999999999999999999\n", NULL, NULL, "t.ann:1: bad interrupt stack size '99999999999999999999' (BYTES or own)"},
        {"isr_stack 1k\n# again\nisr_stack own\n", NULL, NULL, "t.ann:3: interrupt stack given twice (first: t.ann:1)"},
        {"isr_stack 1k\n", "u.ann", "isr_stack 1k", "u.ann:1: interrupt stack given twice (first: t.ann:1)"},
        {"isr_stack 1k\n", "--isr-stack", "isr_stack own", "--isr-stack: interrupt stack given twice (first: t.ann:1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rtm_sg_graph *g = rtm_sg_new();
        rtm_sg_error err;
        int rc = rtm_sg_load_annotations(g, cases[i].ann, strlen(cases[i].ann), "t.ann", &err);
        if (cases[i].origin2) {
            assert_int_equal(rc, 0);
            rc = !strcmp(cases[i].origin2, "--isr-stack")
                     ? rtm_sg_annotate(g, cases[i].line2, cases[i].origin2, &err)
                     : rtm_sg_load_annotations(g, cases[i].line2, strlen(cases[i].line2), cases[i].origin2, &err);
        }
        if (rc != -1 || strcmp(err.msg, cases[i].msg)) fail_msg("case %zu: rc %d '%s'", i, rc, err.msg);
        rtm_sg_free(g);
    }
    /* the option first, then the file */
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    assert_int_equal(rtm_sg_annotate(g, "isr_stack 512", "--isr-stack", &err), 0);
    assert_int_equal(rtm_sg_load_annotations(g, "\nisr_stack 512\n", 15, "t.ann", &err), -1);
    assert_string_equal(err.msg, "t.ann:2: interrupt stack given twice (first: --isr-stack)");
    rtm_sg_free(g);
    /* sizes: hexadecimal, k suffix, comments */
    static const struct { const char *ann; long size; } sizes[] = {
        {"isr_stack 0x100\n", 256}, {"isr_stack 2k # MSP\n", 2048}, {"  isr_stack\town\r\n", -1}};
    for (size_t i = 0; i < 3; i++) {
        g = load_ann2(k_isrs_ci, k_isrs_ann, sizes[i].ann, NULL);
        assert_int_equal(rtm_sg_isr_stack(g)->size, sizes[i].size);
        rtm_sg_free(g);
    }
}

/* --isr-stack on the command line: the figures, exit statuses and one-line messages. */
static void test_isr_stack_cli(void **state)
{
    (void)state;
    char ci[512], ann[512], ann2[512];
    write_file("isrs.ci", k_isrs_ci, ci, sizeof ci);
    write_file("isrs.ann", k_isrs_ann, ann, sizeof ann);
    write_file("isrs2.ann", "# the MSP\nisr_stack 0x7e\n", ann2, sizeof ann2);
    assert_int_equal(run_cli((const char *const[]){"--isr-frame", "36", "-a", ann, ci, NULL}), 1);
    assert_non_null(strstr(g_out, "\nt                            thread       100       0     162      262      200  OVERFLOW by 62\n"));
    assert_null(strstr(g_out, "interrupt stack"));
    assert_int_equal(run_cli((const char *const[]){"--isr-frame", "36", "-a", ann, "--isr-stack", "126", ci, NULL}), 0);
    assert_non_null(strstr(g_out, "\nt                            thread       100       0      36      136      200  ok\n"));
    assert_non_null(strstr(g_out, "\ninterrupt stack: 126 bytes = 90 handlers over 2 levels + 36 nested entry frames; size 126: ok\n"));
    assert_string_equal(g_errtxt, "");
    /* the annotation, the same; one byte short: exit 1, one line */
    assert_int_equal(run_cli((const char *const[]){"--isr-frame", "36", "-a", ann, "-a", ann2, ci, NULL}), 0);
    assert_int_equal(run_cli((const char *const[]){"--isr-frame", "36", "-a", ann, "--isr-stack", "125", "--json", ci, NULL}), 1);
    assert_string_equal(g_errtxt, "rtmem stack: interrupt stack: worst case 126 bytes exceeds its size of 125 bytes\n");
    assert_non_null(strstr(g_out, ",\"isr_stack\":{\"size\":125,\"levels\":2,\"handlers\":90,\"entry_frames\":36,\"total\":126,"));
    assert_int_equal(run_cli((const char *const[]){"--isr-frame", "36", "-a", ann, "--isr-stack", "own", ci, NULL}), 0);
    assert_non_null(strstr(g_out, "; size not given: -\n"));
    /* refused: a bad size, given twice (option, or option and file in either order), no value */
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "12x", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "--isr-stack: bad interrupt stack size '12x' (BYTES or own)\n");
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "0", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "--isr-stack: interrupt stack size must be at least 1 byte\n");
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "1 k", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "rtmem stack: --isr-stack expects BYTES or own, got '1 k'\n");
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "own#", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "rtmem stack: --isr-stack expects BYTES or own, got 'own#'\n");
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "rtmem stack: --isr-stack expects BYTES or own, got ''\n");
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "1k", "--json", "--isr-stack", "1k", ci, NULL}), 2);
    assert_string_equal(g_errtxt, "rtmem stack: --isr-stack given twice (arguments 1 and 4)\n");
    assert_int_equal(run_cli((const char *const[]){"-a", ann2, "--isr-stack", "own", ci, NULL}), 2);
    char want[700];
    snprintf(want, sizeof want, "--isr-stack: interrupt stack given twice (first: %s:2)\n", ann2);
    assert_string_equal(g_errtxt, want);
    assert_int_equal(run_cli((const char *const[]){"--isr-stack", "own", "-a", ann2, ci, NULL}), 2);
    snprintf(want, sizeof want, "%s:2: interrupt stack given twice (first: --isr-stack)\n", ann2);
    assert_string_equal(g_errtxt, want);
    assert_string_equal(g_out, "");
    assert_int_equal(run_cli((const char *const[]){ci, "--isr-stack", NULL}), 2);
    assert_string_equal(g_errtxt, "rtmem stack: --isr-stack needs a value\n");
    assert_int_equal(run_cli((const char *const[]){"--help", NULL}), 0);
    assert_non_null(strstr(g_out, "\n  --isr-stack BYTES|own  interrupt handlers run on a stack of their own"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diamond_exact),
        cmocka_unit_test(test_su_only_and_merge),
        cmocka_unit_test(test_su_file_order),
        cmocka_unit_test(test_defined_twice_file_order),
        cmocka_unit_test(test_label_name_file_order),
        cmocka_unit_test(test_json_utf8),
        cmocka_unit_test(test_external_and_nodata),
        cmocka_unit_test(test_recursion_exact),
        cmocka_unit_test(test_icall_exact),
        cmocka_unit_test(test_icall_directives_add_up),
        cmocka_unit_test(test_repeated_directives_later_wins),
        cmocka_unit_test(test_isr_nesting_exact),
        cmocka_unit_test(test_roots_option),
        cmocka_unit_test(test_builtin_callees),
        cmocka_unit_test(test_isr_flags_every_handler),
        cmocka_unit_test(test_plain_ci_by_location),
        cmocka_unit_test(test_da_labels),
        cmocka_unit_test(test_uncalled_cycle_root),
        cmocka_unit_test(test_long_file_name),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_fixtures_ci_variants),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_strict_unproven),
        cmocka_unit_test(test_count_limit),
        cmocka_unit_test(test_same_unit_twice),
        cmocka_unit_test(test_weak_overridden),
        cmocka_unit_test(test_weak_not_overridden),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_generated_graph),
        cmocka_unit_test(test_fail_message_bounds),
        cmocka_unit_test(test_name_map_grows),
        cmocka_unit_test(test_su_merge_rules),
        cmocka_unit_test(test_annotation_plain_names),
        cmocka_unit_test(test_edges_past_capacity),
        cmocka_unit_test(test_empty_graph),
        cmocka_unit_test(test_frame_zero),
        cmocka_unit_test(test_text_reasons),
        cmocka_unit_test(test_recursion_depth_reported),
        cmocka_unit_test(test_annotation_sizes),
        cmocka_unit_test(test_annotation_ranges),
        cmocka_unit_test(test_defined_twice_smaller_location),
        cmocka_unit_test(test_results_api),
        cmocka_unit_test(test_reports_in_full),
        cmocka_unit_test(test_only_problem_defined_twice),
        cmocka_unit_test(test_long_cycle_listed),
        cmocka_unit_test(test_check_reasons),
        cmocka_unit_test(test_isr_stack_exact),
        cmocka_unit_test(test_isr_stack_unbounded_handler),
        cmocka_unit_test(test_isr_stack_overflow),
        cmocka_unit_test(test_isr_stack_annotation_errors),
        cmocka_unit_test(test_isr_stack_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
