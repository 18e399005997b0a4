/*
 * Critical-section keys: every rtm_port_critical_exit of the stack pool and the slab gets the key
 * its matching rtm_port_critical_enter returned, on every path, rejected calls included. Built
 * with mock_port.c instead of port/posix (which ignores the key): see mock_port.h for why a wrong
 * key matters on the MCU ports. Each scenario runs twice: from thread code (no section held) and
 * inside a section the caller already holds, as in an ISR or the caller's own critical section,
 * where a helper that leaves with a key of its own would unmask interrupts on Cortex-M.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock_port.h"
#include "rtm_test.h"
#include "rtmem/slab.h"
#include "rtmem/stackpool.h"

/* Runs @p scenario at depth 0 and inside a held section; fails if any exit got a wrong key or a
 * section was left open. The outer section is left before failing, so later tests start clean. */
static void expect_keys_kept(void (*scenario)(void))
{
    for (int nested = 0; nested <= 1; nested++) {
        assert_int_equal(mock_port_depth(), 0);
        mock_port_reset();
        rtm_port_key outer = nested ? rtm_port_critical_enter() : 0;
        unsigned depth = mock_port_depth();
        scenario();
        unsigned bad = mock_port_bad_exits(), depth_after = mock_port_depth();
        rtm_port_key got, want;
        mock_port_first_bad(&got, &want);
        if (nested) rtm_port_critical_exit(outer);
        if (bad != 0)
            fail_msg("%s: %u critical exit(s) with a key their enter did not return (first: got %#lx, expected %#lx)",
                     nested ? "inside a held section" : "from thread code", bad, (unsigned long)got,
                     (unsigned long)want);
        assert_int_equal(depth_after, depth);
        assert_int_equal(mock_port_bad_exits(), 0);
    }
}

/* ---- stack pool ---------------------------------------------------------------------------------- */
#define SP_SIZE 256u
#define SP_COUNT 4u
#define SP_ALIGN 64u
static _Alignas(SP_ALIGN) unsigned char g_sp_buf[RTM_STACKPOOL_BUF_SIZE(SP_SIZE, SP_COUNT, SP_ALIGN)];
static rtm_stackpool g_sp;

static void sp_fresh(void)
{
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&g_sp, g_sp_buf, sizeof g_sp_buf, SP_SIZE, SP_COUNT, SP_ALIGN), RTM_OK);
}

static void sp_release_twice(void)
{
    sp_fresh();
    void *s = rtm_stackpool_acquire(&g_sp);
    assert_non_null(s);
    assert_int_equal(rtm_stackpool_release(&g_sp, s), RTM_OK);
    assert_int_equal(rtm_stackpool_release(&g_sp, s), RTM_ERR_DOUBLE_FREE);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
}

static void sp_release_never_acquired(void)
{
    sp_fresh();
    assert_non_null(rtm_stackpool_acquire(&g_sp));
    /* a stack base, never handed out (stack 2, past fresh) */
    assert_int_equal(rtm_stackpool_release(&g_sp, g_sp_buf + 2u * SP_SIZE), RTM_ERR_DOUBLE_FREE);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
}

static void sp_release_bad_ptr(void)
{
    sp_fresh();
    void *s = rtm_stackpool_acquire(&g_sp);
    assert_int_equal(rtm_stackpool_release(&g_sp, (unsigned char *)s + 8), RTM_ERR_BAD_PTR);
    assert_int_equal(rtm_stackpool_release(&g_sp, NULL), RTM_ERR_BAD_PTR);
    assert_int_equal(rtm_stackpool_release(NULL, s), RTM_ERR_ARG);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 2);
}

static void sp_used_rejected(void)
{
    sp_fresh();
    void *s = rtm_stackpool_acquire(&g_sp);
    assert_int_equal(rtm_stackpool_used(&g_sp, g_sp_buf + SP_SIZE), 0);     /* not acquired */
    assert_int_equal(rtm_stackpool_used(&g_sp, (unsigned char *)s + 8), 0); /* not a stack base */
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
}

static void sp_good_and_full(void)
{
    sp_fresh();
    void *s[SP_COUNT];
    for (size_t i = 0; i < SP_COUNT; i++) assert_non_null(s[i] = rtm_stackpool_acquire(&g_sp));
    assert_null(rtm_stackpool_acquire(&g_sp)); /* full */
    (void)rtm_stackpool_used(&g_sp, s[0]);
    for (size_t i = 0; i < SP_COUNT; i++) assert_int_equal(rtm_stackpool_release(&g_sp, s[i]), RTM_OK);
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(&g_sp, &st);
    assert_int_equal(st.failed, 1);
    assert_int_equal(rtm_stackpool_check(&g_sp), RTM_OK);
    assert_int_equal(rtm_test_hook_total(), 0);
}

static void test_stackpool_release_twice(void **state) { (void)state; expect_keys_kept(sp_release_twice); }
static void test_stackpool_release_never_acquired(void **state) { (void)state; expect_keys_kept(sp_release_never_acquired); }
static void test_stackpool_release_bad_ptr(void **state) { (void)state; expect_keys_kept(sp_release_bad_ptr); }
static void test_stackpool_used_rejected(void **state) { (void)state; expect_keys_kept(sp_used_rejected); }
static void test_stackpool_good_and_full(void **state) { (void)state; expect_keys_kept(sp_good_and_full); }

/* ---- slab ---------------------------------------------------------------------------------------- */
#define SL_BLOCK 32u
#define SL_COUNT 4u
static _Alignas(16) unsigned char g_sl_buf[RTM_SLAB_BUF_SIZE(SL_BLOCK, SL_COUNT)];
static rtm_slab g_sl;

static void sl_fresh(void)
{
    rtm_test_hook_install();
    assert_int_equal(rtm_slab_init(&g_sl, g_sl_buf, SL_BLOCK, SL_COUNT), RTM_OK);
}

static void sl_free_rejected(void)
{
    sl_fresh();
    unsigned char *a = rtm_slab_alloc(&g_sl, RTM_NO_WAIT);
    assert_non_null(a);
    rtm_slab_free(&g_sl, a);
    rtm_slab_free(&g_sl, a);                  /* double free */
    rtm_slab_free(&g_sl, g_sl_buf + 2u * SL_BLOCK); /* never carved */
    rtm_slab_free(&g_sl, a + 8);              /* interior */
    rtm_slab_free(&g_sl, &g_sl);              /* foreign */
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_sl, &st);
    assert_int_equal(st.bad_frees, 4);
    assert_int_equal(rtm_slab_check(&g_sl), RTM_OK);
}

static void sl_exhausted(void)
{
    sl_fresh();
    void *b[SL_COUNT];
    for (size_t i = 0; i < SL_COUNT; i++) assert_non_null(b[i] = rtm_slab_alloc(&g_sl, RTM_NO_WAIT));
    assert_null(rtm_slab_alloc(&g_sl, RTM_NO_WAIT));
    assert_null(rtm_slab_alloc(&g_sl, 10)); /* the mock cannot wait: the waiting path gives up */
    for (size_t i = 0; i < SL_COUNT; i++) rtm_slab_free(&g_sl, b[i]);
    rtm_slab_reset_max(&g_sl);
    assert_int_equal(rtm_slab_check(&g_sl), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&g_sl), RTM_OK);
}

static void test_slab_free_rejected(void **state) { (void)state; expect_keys_kept(sl_free_rejected); }
static void test_slab_exhausted(void **state) { (void)state; expect_keys_kept(sl_exhausted); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stackpool_release_twice),
        cmocka_unit_test(test_stackpool_release_never_acquired),
        cmocka_unit_test(test_stackpool_release_bad_ptr),
        cmocka_unit_test(test_stackpool_used_rejected),
        cmocka_unit_test(test_stackpool_good_and_full),
        cmocka_unit_test(test_slab_free_rejected),
        cmocka_unit_test(test_slab_exhausted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
