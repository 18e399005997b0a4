/*
 * Every public function (the prototypes of the headers in include/rtmem, listed at build time by
 * scripts/gen_api_sweep.py) is called with every pointer argument NULL, then pointing at a
 * zero-filled buffer (a handle to an object nobody initialised; each pointer argument its own
 * 16 KiB buffer), with every integer argument 0, 1, 64 and SIZE_MAX (NULL rounds) or 0, 1, 8 and
 * 64 (zero-filled rounds: a larger size would only overrun the test's own buffers). Bad input
 * must get an error or a report, never undefined behaviour: each call runs in a child process,
 * which must exit normally (under ASan/UBSan a sanitizer report ends it with an error).
 * A new public function is covered without editing this file.
 *
 * The one documented exception: rtm_slab_alloc on a zero-filled slab (slab.h, rtm_slab_init: the
 * alloc fast path does not test for it). The NULL rounds have no exception.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rtmem/rtmem.h"
#include "rtmem/domain.h"
#include "rtmem/fault.h"
#include "rtmem/mpu.h"
#include "rtmem/trace.h"

/* Pointer argument k points at buffer k (distinct objects, as a caller's would be), or is NULL. */
static _Alignas(64) unsigned char g_zero[8][16 * 1024];
static bool sweep_zero_filled;
static size_t sweep_int;
#define SWEEP_PTR(k) (sweep_zero_filled ? (void *)g_zero[(k) % 8] : NULL)
#define SWEEP_INT sweep_int

static const char *const g_names[] = {
#define SWEEP_NAMES
#include "api_sweep.inc"
#undef SWEEP_NAMES
};

static void call(int i)
{
    switch (i) {
#include "api_sweep.inc"
    default: break;
    }
}

static void quiet_hook(rtm_err code, const void *object, const void *ptr) { (void)code, (void)object, (void)ptr; }

/* Calls function i in a child; returns a description of how the child ended, or NULL if it
 * exited with status 0. */
static const char *run_one(int i, char *buf, size_t n)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        /* cmocka catches these to fail a test; in the child they must end the process, or it would
         * go back into the test run */
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP};
        for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) signal(sigs[k], SIG_DFL);
        alarm(10); /* a call that hangs fails too */
        rtm_set_error_hook(quiet_hook);
        call(i);
        _exit(0);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) return "waitpid failed";
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return NULL;
    if (WIFSIGNALED(st))
        snprintf(buf, n, "signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(buf, n, "exit status %d", WEXITSTATUS(st));
    return buf;
}

static int sweep(bool zero_filled, size_t integer, const char *const *allowed, size_t nallowed)
{
    sweep_zero_filled = zero_filled;
    memset(g_zero, 0, sizeof g_zero);
    sweep_int = integer;
    int failures = 0;
    for (int i = 0; i < SWEEP_COUNT; i++) {
        bool excused = false;
        for (size_t k = 0; k < nallowed; k++) excused |= strcmp(g_names[i], allowed[k]) == 0;
        if (excused) continue;
        char why[96];
        const char *r = run_one(i, why, sizeof why);
        if (r != NULL) {
            printf("  %s(%s, %zu): %s\n", g_names[i], zero_filled ? "zero-filled" : "NULL", integer, r);
            failures++;
        }
    }
    return failures;
}

static void test_table_is_complete(void **state)
{
    (void)state;
    /* the generator refuses fewer than 100; these are the ones every build has */
    static const char *const must[] = {"rtm_heap_init", "rtm_heap_locked_free", "rtm_slab_alloc", "rtm_pools_alloc",
                                       "rtm_ring_claim", "rtm_track_alloc_at", "rtm_domain_init", "rtm_stack_paint",
                                       "rtm_port_lock", "rtm_trace_event_put"};
    for (size_t k = 0; k < sizeof must / sizeof must[0]; k++) {
        bool found = false;
        for (int i = 0; i < SWEEP_COUNT; i++) found |= strcmp(g_names[i], must[k]) == 0;
        if (!found) printf("  %s missing from the table\n", must[k]);
        assert_true(found);
    }
    printf("  %d public functions\n", SWEEP_COUNT);
}

/* RTM_QUICK=1 (make check's memcheck step, where every child is a forked Valgrind process at about
 * 54 ms whatever it runs) and RTM_EMULATED=1 (the -m32 tests under qemu-i386, where a fork costs
 * about as much: 10 s per half): two integer values per half, the extremes, instead of four. The
 * other configurations run all four, ASan+UBSan among them; under Valgrind this halves the step's
 * longest tests (56 s each at 7b1e8bf, on two cores, most of the step's 148 s). */
static bool env_on(const char *name)
{
    const char *e = getenv(name);
    return e && *e && *e != '0';
}
static bool quick(void) { return env_on("RTM_QUICK") || env_on("RTM_EMULATED"); }

static void test_null_arguments(void **state)
{
    (void)state;
    assert_int_equal(sweep(false, 0, NULL, 0), 0);
    assert_int_equal(sweep(false, SIZE_MAX, NULL, 0), 0);
    if (quick()) {
        printf("  RTM_QUICK / RTM_EMULATED: integers 0 and SIZE_MAX only\n");
        return;
    }
    assert_int_equal(sweep(false, 64, NULL, 0), 0);
    assert_int_equal(sweep(false, 1, NULL, 0), 0);
}

static void test_zero_filled_objects(void **state)
{
    (void)state;
    static const char *const allowed[] = {"rtm_slab_alloc"};
    assert_int_equal(sweep(true, 0, allowed, 1), 0);
    assert_int_equal(sweep(true, 64, allowed, 1), 0);
    if (quick()) {
        printf("  RTM_QUICK / RTM_EMULATED: integers 0 and 64 only\n");
        return;
    }
    assert_int_equal(sweep(true, 1, allowed, 1), 0);
    assert_int_equal(sweep(true, 8, allowed, 1), 0);
}

/* argv[1] "null" or "zero" runs that half (with the table check in the "null" half): ctest runs
 * them as two tests, so that the two halves run side by side. Under Valgrind every one of the
 * sweep's ~1,300 children is a forked Valgrind process, and the whole sweep (76 s) was the memcheck
 * step's longest test by far, most of that step's time. No argument: both. */
int main(int argc, char **argv)
{
    const struct CMUnitTest null_half[] = {
        cmocka_unit_test(test_table_is_complete),
        cmocka_unit_test(test_null_arguments),
    };
    const struct CMUnitTest zero_half[] = {
        cmocka_unit_test(test_zero_filled_objects),
    };
    const char *half = argc > 1 ? argv[1] : "";
    if (argc > 2 || (half[0] != '\0' && strcmp(half, "null") != 0 && strcmp(half, "zero") != 0)) {
        fprintf(stderr, "usage: test_api_sweep [null|zero]\n");
        return 2;
    }
    int rc = 0;
    if (strcmp(half, "zero") != 0) rc |= cmocka_run_group_tests_name("api_sweep_null", null_half, NULL, NULL);
    if (strcmp(half, "null") != 0) rc |= cmocka_run_group_tests_name("api_sweep_zero", zero_half, NULL, NULL);
    return rc;
}
