/*
 * A heap built with one policy (RTM_HEAP_FITS=RTM_HEAP_FITS_GOOD, the build the Cortex-M4 code-size
 * figure is taken of; the heap and its locked wrapper are compiled into this test with the option)
 * and the locked wrapper's handling of bad input: which error rtm_heap_locked_init returns for each
 * way rtm_heap_init can refuse, and that a NULL wrapper is reported, never dereferenced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rtm_test.h"
#include "heap_test_util.h"

static uint64_t g_seed;

/* The policies left out are refused with RTM_ERR_UNSUPPORTED (reported, object NULL); good fit
 * works, including a small randomized run with the invariant walk after every operation. */
static void test_good_only_build(void **state)
{
    (void)state;
    rtm_test_hook_install();
    unsigned char *mem = ht_buffer(16384, 0);
    assert_null(rtm_heap_init(mem, 16384, RTM_FIT_BEST));
    assert_null(rtm_heap_init(mem, 16384, RTM_FIT_FIRST));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_UNSUPPORTED), 2);
    assert_null(rtm_test_hook_last_obj);
    rtm_heap *h = rtm_heap_init(mem, 16384, RTM_FIT_GOOD);
    assert_non_null(h);
    assert_int_equal(rtm_heap_fit(h), RTM_FIT_GOOD);

    rtm_test_rng rng = {g_seed};
    void *live[64] = {0};
    for (unsigned i = 0; i < 20000; i++) {
        unsigned k = (unsigned)(rtm_test_rnd(&rng, 64));
        if (live[k] != NULL) {
            rtm_heap_free(h, live[k]);
            live[k] = NULL;
        } else {
            live[k] = rtm_heap_alloc(h, 1u + (size_t)rtm_test_rnd(&rng, 600));
        }
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
    for (unsigned k = 0; k < 64; k++) rtm_heap_free(h, live[k]);
    rtm_heap_stats s;
    rtm_heap_get_stats(h, &s);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.free_blocks, 1);
    assert_int_equal(rtm_test_hook_total(), 2); /* nothing else was reported */
}

/* rtm_heap_locked_init returns the code rtm_heap_init reported, for each way it refuses. */
static void test_locked_init_errors(void **state)
{
    (void)state;
    rtm_heap_locked lh;
    unsigned char *mem = ht_buffer(8192, 0);
    rtm_test_hook_install();
    assert_int_equal(rtm_heap_locked_init(&lh, NULL, 8192, RTM_FIT_GOOD), RTM_ERR_ARG);
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 8192, (rtm_fit)7), RTM_ERR_ARG);
    /* A buffer that wraps round the address space: refused on its arguments, never touched. */
    assert_int_equal(rtm_heap_locked_init(&lh, (void *)(UINTPTR_MAX - 63u), 4096, RTM_FIT_GOOD), RTM_ERR_ARG);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 3);
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 8192, RTM_FIT_BEST), RTM_ERR_UNSUPPORTED);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_UNSUPPORTED), 1);
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 40, RTM_FIT_GOOD), RTM_ERR_TOO_SMALL);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_TOO_SMALL), 1);
    assert_null(lh.heap);
    assert_int_equal(rtm_test_hook_total(), 5);
    /* The failed wrapper is still safe to call: the heap calls see a NULL heap and report it. */
    assert_null(rtm_heap_locked_alloc(&lh, 16));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 4);
    assert_int_equal(rtm_heap_locked_init(&lh, mem, 8192, RTM_FIT_GOOD), RTM_OK);
    assert_non_null(lh.heap);
    rtm_heap_locked_destroy(&lh);
}

/* A NULL wrapper: every call reports RTM_ERR_ARG (object NULL) and does nothing, except the ones
 * that are no-ops or queries for the unlocked heap too (free of NULL, stats, destroy). */
static void test_locked_null_wrapper(void **state)
{
    (void)state;
    int x = 0;
    rtm_test_hook_install();
    assert_int_equal(rtm_heap_locked_init(NULL, &x, sizeof x, RTM_FIT_GOOD), RTM_ERR_ARG);
    assert_null(rtm_heap_locked_alloc(NULL, 16));
    assert_null(rtm_heap_locked_aligned_alloc(NULL, 64, 16));
    assert_null(rtm_heap_locked_realloc(NULL, &x, 16));
    assert_ptr_equal(rtm_test_hook_last_ptr, &x);
    rtm_heap_locked_free(NULL, &x);
    assert_ptr_equal(rtm_test_hook_last_ptr, &x);
    assert_int_equal(rtm_heap_locked_check(NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 6);
    assert_null(rtm_test_hook_last_obj);
    rtm_heap_locked_free(NULL, NULL); /* free(NULL): a no-op whatever the wrapper */
    rtm_heap_stats s;
    memset(&s, 0xFF, sizeof s);
    rtm_heap_locked_get_stats(NULL, &s);
    assert_int_equal(s.capacity, 0);
    assert_int_equal(s.allocs, 0);
    rtm_heap_locked_destroy(NULL);
    assert_int_equal(rtm_test_hook_total(), 6);
    assert_int_equal(x, 0);
}

int main(void)
{
    g_seed = rtm_test_seed(); /* printed; RTM_SEED replays */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_only_build),
        cmocka_unit_test(test_locked_init_errors),
        cmocka_unit_test(test_locked_null_wrapper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
