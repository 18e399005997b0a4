/*
 * The bare-metal rtm_port_sync (port/baremetal/sync_baremetal.c, shared by the Cortex-M and RISC-V
 * ports) on the host, with a counting critical section: the contract of port.h for a port that
 * cannot block. NULL is RTM_ERR_ARG on every port (it returned RTM_ERR_UNSUPPORTED for wait: port
 * review finding, 2026-11-29), destroy leaves the object zero-filled (it cleared one word).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtm_test.h"
#include "rtmem/port.h"

static unsigned g_depth, g_enters;

rtm_port_key rtm_port_critical_enter(void)
{
    g_enters++;
    return (rtm_port_key)(++g_depth);
}

void rtm_port_critical_exit(rtm_port_key key)
{
    assert_int_equal(key, g_depth);
    g_depth--;
}

static void test_null(void **state)
{
    (void)state;
    rtm_test_hook_install();
    rtm_port_lock(NULL);
    rtm_port_unlock(NULL);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 2);
    assert_int_equal(rtm_port_wait(NULL, 0), RTM_ERR_ARG);
    assert_int_equal(rtm_port_wait(NULL, UINT64_MAX), RTM_ERR_ARG);
    rtm_port_notify_all(NULL);
    rtm_port_sync_destroy(NULL);
    assert_int_equal(g_depth, 0);
}

static void test_lock_wait_destroy(void **state)
{
    (void)state;
    rtm_port_sync s;
    memset(&s, 0, sizeof s); /* a zero-filled object is valid and unlocked */
    rtm_test_hook_install();
    rtm_port_lock(&s);
    assert_int_equal(rtm_test_hook_total(), 0);
    assert_int_equal(rtm_port_wait(&s, 5), RTM_ERR_UNSUPPORTED); /* cannot block: callers fail instead */
    rtm_port_notify_all(&s);
    rtm_port_lock(&s); /* one thread of control: recursion or an ISR on a thread-only object */
    assert_int_equal(rtm_test_hook_count(RTM_ERR_STATE), 1);
    rtm_port_unlock(&s);
    rtm_port_unlock(&s); /* not held */
    assert_int_equal(rtm_test_hook_count(RTM_ERR_STATE), 2);
    assert_int_equal(g_depth, 0);
    /* destroy: zero-filled afterwards, every word (a port that used more words would have kept them) */
    memset(&s, 0xA5, sizeof s);
    rtm_port_sync_destroy(&s);
    for (unsigned i = 0; i < RTM_PORT_SYNC_WORDS; i++) assert_int_equal(s.u.words[i], 0);
    rtm_test_hook_install();
    rtm_port_lock(&s);
    rtm_port_unlock(&s);
    assert_int_equal(rtm_test_hook_total(), 0);
}

/* destroy writes the object and nothing past it: a word after it keeps its value (a loop bound of
 * <= RTM_PORT_SYNC_WORDS cleared it; mutation testing, 2026-11-29). */
static void test_destroy_stays_inside(void **state)
{
    (void)state;
    struct {
        rtm_port_sync s;
        uintptr_t after[2];
    } g;
    uintptr_t pattern;
    memset(&pattern, 0xA5, sizeof pattern);
    memset(&g, 0xA5, sizeof g);
    rtm_port_sync_destroy(&g.s);
    for (unsigned i = 0; i < RTM_PORT_SYNC_WORDS; i++) assert_int_equal(g.s.u.words[i], 0);
    for (unsigned i = 0; i < 2; i++) assert_true(g.after[i] == pattern);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_lock_wait_destroy),
        cmocka_unit_test(test_destroy_stays_inside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
