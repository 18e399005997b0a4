/*
 * The POSIX fault handler (port/posix/domain_posix.c) and signals that are not faults: a SIGSEGV or
 * SIGBUS sent with kill carries the sender's pid and uid where a fault has its address. It must
 * take the action it would have taken without rtmem (the default: the process dies of it; ignored
 * if it was ignored before), and leave rtmem's handler in place when it does not kill. It was
 * looked up as a fault address, then swallowed, and rtmem's handler silently replaced by SIG_DFL
 * (port review finding, 2026-11-29). Each case runs in a forked child.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain_posix.h"
#include "rtm_test.h"

/* The child's handler of sig is rtmem's (not SIG_DFL nor SIG_IGN). */
static bool handler_is_rtmem(int sig)
{
    struct sigaction cur;
    if (sigaction(sig, NULL, &cur) != 0) return false;
    return (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction != NULL;
}

/* In a child: sig's action before rtmem is @p before, rtmem installs, kill sends sig. Exit status:
 * 0 when the child lives on with rtmem's handler still installed, 2 or 3 on a set-up failure, 4
 * when it lives on without rtmem's handler. */
static int child(int sig, void (*before)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = before;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) return 2;
    if (rtm_posix_fault_install() != RTM_OK) return 3;
    kill(getpid(), sig);
    return handler_is_rtmem(sig) ? 0 : 4;
}

static int run_child(int sig, void (*before)(int))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(child(sig, before));
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static void test_sent_signal_default(void **state)
{
    (void)state;
    int sigs[] = {SIGSEGV, SIGBUS};
    for (int i = 0; i < 2; i++) {
        int st = run_child(sigs[i], SIG_DFL);
        assert_true(WIFSIGNALED(st)); /* not swallowed: the default action, as without rtmem */
        assert_int_equal(WTERMSIG(st), sigs[i]);
    }
}

static void test_sent_signal_ignored(void **state)
{
    (void)state;
    int sigs[] = {SIGSEGV, SIGBUS};
    for (int i = 0; i < 2; i++) {
        int st = run_child(sigs[i], SIG_IGN);
        assert_true(WIFEXITED(st)); /* ignored, as it was before rtmem, and rtmem still installed */
        assert_int_equal(WEXITSTATUS(st), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sent_signal_default),
        cmocka_unit_test(test_sent_signal_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
