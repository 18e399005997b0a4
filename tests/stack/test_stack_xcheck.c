/* Static worst case against the measured high-water mark, on the same code: fixtures/xcheck.c is
 * compiled into this test with -fstack-usage -fcallgraph-info=su; a thread on a painted stack runs
 * its worst path; `rtmem stack`'s figure (from that build's own .su/.ci) must cover the measurement
 * and be within a small margin of it. GCC builds only (clang has no -fcallgraph-info).
 * argv[1]: the fixture's object file (its .su/.ci sit next to it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "rtm_test.h"
#include "rtmem/stack.h"
#include "stackgraph.h"

int xc_root(int x);

#define STACK_SIZE (256u * 1024u)
#define SLACK 96 /* thread_main's own frame differs between the two runs by a few words */

static const char *g_obj;

typedef struct {
    void *stack;
    int arg;
    size_t used;
} job;

static void *thread_main(void *p)
{
    job *j = p;
    if (j->arg) j->arg = xc_root(j->arg);
    return NULL;
}

static size_t run(job *j)
{
    rtm_stack_paint(j->stack, STACK_SIZE);
    pthread_attr_t a;
    pthread_t t;
    assert_int_equal(pthread_attr_init(&a), 0);
    assert_int_equal(pthread_attr_setstack(&a, j->stack, STACK_SIZE), 0);
    assert_int_equal(pthread_create(&t, &a, thread_main, j), 0);
    pthread_attr_destroy(&a);
    assert_int_equal(pthread_join(t, NULL), 0);
    return STACK_SIZE - rtm_stack_unused(j->stack, STACK_SIZE);
}

static long static_worst(void)
{
    char path[1024];
    size_t n = strlen(g_obj);
    assert_true(n > 2 && n < sizeof path - 4 && !strcmp(g_obj + n - 2, ".o"));
    rtm_sg_graph *g = rtm_sg_new();
    rtm_sg_error err;
    snprintf(path, sizeof path, "%.*s.ci", (int)(n - 2), g_obj);
    if (rtm_sg_load_file(g, path, &err)) fail_msg("%s", err.msg);
    snprintf(path, sizeof path, "%.*s.su", (int)(n - 2), g_obj);
    if (rtm_sg_load_file(g, path, &err)) fail_msg("%s", err.msg);
    const char *ann = "recursion xc_rec 5\nicall xc_apply xc_rec xc_small\n";
    if (rtm_sg_load_annotations(g, ann, strlen(ann), "xcheck.ann", &err)) fail_msg("%s", err.msg);
    const char *const roots[] = {"xc_root"};
    rtm_sg_options opt = {.roots = roots, .nroots = 1};
    if (rtm_sg_analyse(g, &opt, &err)) fail_msg("%s", err.msg);
    const rtm_sg_root_result *r = rtm_sg_root_by_name(g, "xc_root");
    assert_non_null(r);
    assert_int_equal(r->flags, 0);
    assert_int_equal(r->chain_len, 5); /* xc_root, xc_apply, [xc_rec x5], xc_big, xc_leaf */
    long total = r->total;
    rtm_sg_free(g);
    return total;
}

static void test_static_covers_measured(void **state)
{
    (void)state;
    long worst = static_worst();
    job j = {aligned_alloc(4096, STACK_SIZE), 0, 0};
    assert_non_null(j.stack);
    size_t base = run(&j);
    j.arg = 5;
    size_t used = run(&j);
    free(j.stack);
    long measured = (long)used - (long)base;
    printf("static worst case of xc_root: %ld bytes; measured above the thread baseline: %ld bytes\n", worst,
           measured);
    /* the static figure is an upper bound ... */
    assert_true(measured <= worst + SLACK);
    /* ... and not a loose one: every function writes its whole frame */
    assert_true(measured >= worst - SLACK);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURE_OBJECT\n", argv[0]);
        return 2;
    }
    g_obj = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_covers_measured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
