/* The umbrella header compiles on its own, under C11 and C++-style strictness, and every module's
 * error codes have a text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rtmem/rtmem.h"

static void test_every_error_has_text(void **state)
{
    (void)state;
    for (int e = 0; e < RTM_ERR_COUNT_; e++) {
        const char *t = rtm_err_str((rtm_err)e);
        assert_non_null(t);
        assert_string_not_equal(t, "unknown error");
    }
    assert_string_equal(rtm_err_str(RTM_ERR_COUNT_), "unknown error");
    assert_string_equal(rtm_err_str((rtm_err)-1), "unknown error");
}

static int hook_calls;
static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)code, (void)object, (void)ptr;
    hook_calls++;
}

static void test_error_hook_swap(void **state)
{
    (void)state;
    rtm_error_hook old = rtm_set_error_hook(hook);
    rtm_report(RTM_ERR_ARG, NULL, NULL);
    assert_int_equal(hook_calls, 1);
    assert_ptr_equal(rtm_set_error_hook(old), hook);
    rtm_report(RTM_ERR_ARG, NULL, NULL);
    assert_int_equal(hook_calls, 1); /* our hook is gone again */
}

#if !(RTM_VERSION >= RTM_VERSION_OF(0, 1, 0)) /* the #if form the header offers works */
#error "RTM_VERSION is not usable in #if"
#endif

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(rtm_version(), RTM_VERSION); /* the library is the headers' */
    assert_int_equal(RTM_VERSION, RTM_VERSION_MAJOR * 10000 + RTM_VERSION_MINOR * 100 + RTM_VERSION_PATCH);
    assert_true(RTM_VERSION_MINOR < 100 && RTM_VERSION_PATCH < 100); /* else RTM_VERSION is ambiguous */
    /* the build took its version from the header (CMakeLists.txt) */
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", RTM_VERSION_MAJOR, RTM_VERSION_MINOR, RTM_VERSION_PATCH);
    assert_string_equal(v, RTM_TEST_PROJECT_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_has_text),
        cmocka_unit_test(test_error_hook_swap),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
