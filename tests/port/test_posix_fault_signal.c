/*
 * The POSIX fault handler (port/posix/domain_posix.c) and signals that are not faults: a SIGSEGV or
 * SIGBUS sent with kill carries the sender's pid and uid where a fault has its address. It must
 * take the action it would have taken without rtmem (the default: the process dies of it; ignored
 * if it was ignored before), and leave rtmem's handler in place when it does not kill. It was
 * looked up as a fault address, then swallowed, and rtmem's handler silently replaced by SIG_DFL
 * (port review finding, 2026-11-29). Each case runs in a forked child.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
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

/* A handler installed before rtmem, with and without SA_SIGINFO: a signal sent with kill reaches it
 * once (the plain one was never called by any test), and the interrupted code finds its errno as
 * it left it, whatever the handler did to errno (chain's errno restore was not tested either). */
static volatile sig_atomic_t g_plain_calls, g_info_calls, g_info_code;

static void plain_handler(int sig)
{
    (void)sig;
    g_plain_calls++;
    errno = ENOTTY;
}

static void info_handler(int sig, siginfo_t *si, void *uctx)
{
    (void)sig;
    (void)uctx;
    g_info_calls++;
    g_info_code = si->si_code;
    errno = ENOTTY;
}

/* Exit status 0 when sig, sent twice, reached the previous handler twice, errno stayed and rtmem
 * is still installed; 5 when the handler was not called, 6 when errno changed. Installs twice when
 * @p twice: the second install must keep chaining to that handler, not to rtmem's own. */
static int child_prev(int sig, bool siginfo, bool twice)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (siginfo) {
        sa.sa_sigaction = info_handler;
        sa.sa_flags = SA_SIGINFO;
    } else {
        sa.sa_handler = plain_handler;
    }
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) return 2;
    if (rtm_posix_fault_install() != RTM_OK) return 3;
    if (twice && rtm_posix_fault_install() != RTM_OK) return 3;
    for (int i = 0; i < 2; i++) {
        errno = 0;
        kill(getpid(), sig);
        if (errno != 0) return 6;
    }
    if ((siginfo ? g_info_calls : g_plain_calls) != 2) return 5;
    if (siginfo && g_info_code != SI_USER) return 5;
    return handler_is_rtmem(sig) ? 0 : 4;
}

static int run_child_prev(int sig, bool siginfo, bool twice)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(child_prev(sig, siginfo, twice));
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static void test_sent_signal_previous_handler(void **state)
{
    (void)state;
    int sigs[] = {SIGSEGV, SIGBUS};
    for (int i = 0; i < 2; i++) {
        for (int info = 0; info < 2; info++) {
            int st = run_child_prev(sigs[i], info != 0, false);
            assert_true(WIFEXITED(st));
            assert_int_equal(WEXITSTATUS(st), 0);
        }
    }
}

/* The previous handler is called as the kernel would call it: with its sa_mask blocked (SIGUSR1
 * here, unblocked again after it), with SA_RESETHAND only once, the next signal taking the
 * default action, and with the signal itself blocked unless it has SA_NODEFER. chain called it with
 * rtmem's mask and for ever (review of domain_posix.c), and, SA_NODEFER or not, with the signal
 * blocked: a handler that may fault again itself (a garbage collector's write barrier, a crash
 * reporter that touches a bad page) was killed by that nested fault, which the kernel does not
 * deliver while the signal is blocked (review, 2026-11-29). */
static volatile sig_atomic_t g_mask_calls, g_usr1_blocked, g_sig_blocked;

static void mask_handler(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    g_usr1_blocked = sigismember(&cur, SIGUSR1);
    g_sig_blocked = sigismember(&cur, sig);
    g_mask_calls++;
}

/* Exit status 0: the handler ran once per signal with SIGUSR1 blocked, unblocked after, and sig
 * blocked unless @p flags has SA_NODEFER. With SA_RESETHAND the second signal must kill the child
 * (sig, the default action). */
static int child_prev_flags(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = mask_handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sa.sa_flags = flags;
    if (sigaction(sig, &sa, NULL) != 0) return 2;
    if (rtm_posix_fault_install() != RTM_OK) return 3;
    kill(getpid(), sig);
    if (g_mask_calls != 1) return 5;
    if (g_usr1_blocked != 1) return 6;
    if (g_sig_blocked != ((flags & SA_NODEFER) ? 0 : 1)) return 10;
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    if (sigismember(&cur, SIGUSR1)) return 7;
    kill(getpid(), sig); /* SA_RESETHAND: dies here */
    if (g_mask_calls != 2) return 8;
    return (flags & SA_RESETHAND) ? 9 : 0;
}

static void test_previous_handler_flags(void **state)
{
    (void)state;
    int sigs[] = {SIGSEGV, SIGBUS};
    for (int i = 0; i < 2; i++) {
        int flags[] = {0, SA_RESETHAND, SA_NODEFER, SA_NODEFER | SA_RESETHAND};
        for (int f = 0; f < 4; f++) {
            fflush(NULL);
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) _exit(child_prev_flags(sigs[i], flags[f]));
            int st = 0;
            assert_int_equal(waitpid(pid, &st, 0), pid);
            if (flags[f] & SA_RESETHAND) {
                assert_true(WIFSIGNALED(st));
                assert_int_equal(WTERMSIG(st), sigs[i]);
            } else {
                assert_true(WIFEXITED(st));
                assert_int_equal(WEXITSTATUS(st), 0);
            }
        }
    }
}

/* A second install (idempotent) must not take rtmem's own handler for the previous one: chain then
 * called on_fault from on_fault without end. SIG_IGN before (the child lives on) and a function. */
static int child_twice_ignored(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) return 2;
    if (rtm_posix_fault_install() != RTM_OK || rtm_posix_fault_install() != RTM_OK) return 3;
    kill(getpid(), sig);
    return handler_is_rtmem(sig) ? 0 : 4;
}

static void test_install_twice_keeps_previous(void **state)
{
    (void)state;
    int st = run_child_prev(SIGSEGV, true, true);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(child_twice_ignored(SIGBUS));
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* Uninstall gives back the handler found at install and says so; a second one is RTM_ERR_STATE. */
static int child_uninstall(void)
{
    struct sigaction sa, cur;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) != 0) return 2;
    if (rtm_posix_fault_uninstall() != RTM_ERR_STATE) return 10; /* never installed */
    if (rtm_posix_fault_install() != RTM_OK) return 3;
    if (rtm_posix_fault_uninstall() != RTM_OK) return 11;
    if (sigaction(SIGBUS, NULL, &cur) != 0 || (cur.sa_flags & SA_SIGINFO) || cur.sa_handler != plain_handler) return 12;
    if (rtm_posix_fault_uninstall() != RTM_ERR_STATE) return 13;
    return 0;
}

static void test_uninstall_restores(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(child_uninstall());
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sent_signal_default),
        cmocka_unit_test(test_sent_signal_ignored),
        cmocka_unit_test(test_sent_signal_previous_handler),
        cmocka_unit_test(test_install_twice_keeps_previous),
        cmocka_unit_test(test_previous_handler_flags),
        cmocka_unit_test(test_uninstall_restores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
