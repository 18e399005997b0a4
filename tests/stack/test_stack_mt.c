/* POSIX threads on painted stacks: each thread runs a chain of functions with known frame sizes;
 * the high-water mark measured by rtm_stack_unused() must cover the frames and stay within a small
 * margin of them. Several threads run at once on their own stacks (label mt: also under TSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>

#include "rtm_test.h"
#include "rtmem/stack.h"

#define FRAME 1024u          /* bytes every frame_chain() frame writes */
#define FRAME_SLACK 160u     /* saved registers, return address, alignment per frame (x86-64: ~48) */
#define STACK_SIZE (512u * 1024u)
#define NTHREADS 4
#define BASE_DEPTH 8u

/* The measured functions keep their arrays on the real stack even under ASan (no fake stack, no
 * red zones), so their frames have the size the test expects. */
#if defined(__clang__) || defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize("address")))
#else
#define NO_ASAN
#endif

/* depth frames of FRAME bytes each, every byte written. */
NO_ASAN __attribute__((noinline)) static unsigned frame_chain(unsigned depth)
{
    volatile uint8_t buf[FRAME];
    for (unsigned i = 0; i < FRAME; i++) buf[i] = (uint8_t)(i * 7u + depth);
    unsigned r = depth > 1 ? frame_chain(depth - 1) : 0;
    return r + buf[depth % FRAME]; /* use after the call: no tail call */
}

typedef struct {
    void *stack;
    unsigned depth;
    size_t used;
} job;

static void *thread_main(void *arg)
{
    job *j = arg;
    if (j->depth) (void)frame_chain(j->depth);
    return NULL;
}

/* Runs one thread on a freshly painted stack and returns its high-water mark. */
static void run_threads(job *jobs, unsigned n)
{
    pthread_t t[NTHREADS];
    for (unsigned i = 0; i < n; i++) {
        rtm_stack_paint(jobs[i].stack, STACK_SIZE);
        assert_int_equal(rtm_stack_unused(jobs[i].stack, STACK_SIZE), STACK_SIZE);
        pthread_attr_t a;
        assert_int_equal(pthread_attr_init(&a), 0);
        assert_int_equal(pthread_attr_setstack(&a, jobs[i].stack, STACK_SIZE), 0);
        assert_int_equal(pthread_create(&t[i], &a, thread_main, &jobs[i]), 0);
        pthread_attr_destroy(&a);
    }
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        jobs[i].used = STACK_SIZE - rtm_stack_unused(jobs[i].stack, STACK_SIZE);
        assert_int_equal(rtm_stack_check(jobs[i].stack, STACK_SIZE, 256), RTM_OK);
    }
}

static void test_threads_high_water(void **state)
{
    (void)state;
    job jobs[NTHREADS];
    for (unsigned i = 0; i < NTHREADS; i++) {
        jobs[i].stack = aligned_alloc(4096, STACK_SIZE);
        assert_non_null(jobs[i].stack);
    }
    /* Baseline: threads with a chain of BASE_DEPTH frames. Below it lie thread start-up (glibc puts
     * the thread descriptor and TLS at the top of a caller-supplied stack) and, overlapping the
     * first frames, the thread-exit path; every deeper frame adds to the high-water mark. */
    size_t base = SIZE_MAX;
    for (unsigned i = 0; i < NTHREADS; i++) jobs[i].depth = BASE_DEPTH;
    run_threads(jobs, NTHREADS);
    for (unsigned i = 0; i < NTHREADS; i++) {
        assert_true(jobs[i].used > 0);
        if (jobs[i].used < base) base = jobs[i].used;
    }
    size_t base_max = 0;
    for (unsigned i = 0; i < NTHREADS; i++)
        if (jobs[i].used > base_max) base_max = jobs[i].used;
    printf("baseline high-water: %zu..%zu bytes\n", base, base_max);

    /* Rounds of threads with different depths at the same time. */
    rtm_test_rng rng = {rtm_test_seed()};
    unsigned rounds = (unsigned)rtm_test_ops(200) ;
    if (rounds < 4) rounds = 4;
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned i = 0; i < NTHREADS; i++) jobs[i].depth = BASE_DEPTH + (unsigned)rtm_test_rnd(&rng, 64);
        run_threads(jobs, NTHREADS);
        for (unsigned i = 0; i < NTHREADS; i++) {
            unsigned more = jobs[i].depth - BASE_DEPTH;
            size_t frames = (size_t)more * FRAME;
            size_t extra = jobs[i].used - base;
            if (jobs[i].used < (size_t)jobs[i].depth * FRAME || extra + (base_max - base) < frames ||
                extra > frames + more * FRAME_SLACK + (base_max - base))
                fail_msg("depth %u: measured %zu bytes above baseline, frames need %zu", jobs[i].depth, extra,
                         frames);
        }
    }
    for (unsigned i = 0; i < NTHREADS; i++) free(jobs[i].stack);
    assert_true(base_max - base <= 256u); /* the baseline itself is reproducible */
}

/* A thread that overflows into the guard band is caught by rtm_stack_check(). The "overflow" is
 * simulated by giving the check a guard that reaches into the used part. */
static void test_threads_guard(void **state)
{
    (void)state;
    job j = {aligned_alloc(4096, STACK_SIZE), 40, 0};
    assert_non_null(j.stack);
    run_threads(&j, 1);
    rtm_test_hook_install();
    size_t unused = STACK_SIZE - j.used;
    assert_int_equal(rtm_stack_check(j.stack, STACK_SIZE, unused), RTM_OK);
    assert_int_equal(rtm_stack_check(j.stack, STACK_SIZE, unused + 1), RTM_ERR_OVERFLOW);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_OVERFLOW), 1);
    assert_ptr_equal(rtm_test_hook_last_ptr, (uint8_t *)j.stack + unused);
    rtm_set_error_hook(NULL);
    free(j.stack);
}

/* rtm_stack_check on a thread's stack right after the thread ran, before anything else scanned
 * it: under valgrind memcheck (RTM_VALGRIND, step 30) the bytes of the thread's returned frames are
 * undefined, and the check tells memcheck that it reads them on purpose (mutation testing: without
 * that, no test failed, as every check came after rtm_stack_unused, which tells memcheck about the
 * whole stack). */
static void test_threads_check_first(void **state)
{
    (void)state;
    job j = {aligned_alloc(4096, STACK_SIZE), 40, 0};
    assert_non_null(j.stack);
    rtm_stack_paint(j.stack, STACK_SIZE);
    pthread_attr_t a;
    pthread_t t;
    assert_int_equal(pthread_attr_init(&a), 0);
    assert_int_equal(pthread_attr_setstack(&a, j.stack, STACK_SIZE), 0);
    assert_int_equal(pthread_create(&t, &a, thread_main, &j), 0);
    pthread_attr_destroy(&a);
    assert_int_equal(pthread_join(t, NULL), 0);
    rtm_test_hook_install();
    /* a guard of the whole stack reaches into the returned frames: the scan stops in them */
    assert_int_equal(rtm_stack_check_dir(j.stack, STACK_SIZE, STACK_SIZE, false), RTM_ERR_OVERFLOW);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_OVERFLOW), 1);
    rtm_set_error_hook(NULL);
    free(j.stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_high_water),
        cmocka_unit_test(test_threads_guard),
        cmocka_unit_test(test_threads_check_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
