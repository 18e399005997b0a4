/*
 * What the cmocka tests on the FreeRTOS model (test_port_freertos.c, test_slab_rtos.c) share:
 * failures recorded on other threads (TCHECK), the lost-wake-up bound, and the setup / teardown
 * that start the "scheduler", reset the model's test controls and assert that the model saw no
 * misuse of its API. Include after <cmocka.h>.
 */
#ifndef RTM_FREERTOS_TEST_H
#define RTM_FREERTOS_TEST_H

#include <stdatomic.h>
#include <stdio.h>

#include "freertos_model.h"

/* cmocka's asserts must not run on other threads: threads record failures here instead. */
static atomic_int g_thread_failures;
#define TCHECK(cond)                                                                                 \
    do {                                                                                             \
        if (!(cond)) {                                                                               \
            fprintf(stderr, "%s:%d: thread check failed: %s\n", __FILE__, __LINE__, #cond);           \
            atomic_fetch_add(&g_thread_failures, 1);                                                 \
        }                                                                                            \
    } while (0)

#define LOST_WAKEUP_MS 10000u /* a wait that should end at once: a timeout after this is a lost wake-up */

static unsigned g_misuse_before;
static int setup(void **state)
{
    (void)state;
    rtm_model_set_scheduler_state(taskSCHEDULER_RUNNING);
    g_misuse_before = rtm_model_misuse_count();
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    rtm_model_freeze_ticks(false); /* a test that failed with the tick count frozen must not hang the next */
    rtm_model_on_take_timeout(NULL);
    assert_int_equal(rtm_model_misuse_count(), g_misuse_before); /* the model saw no misuse */
    assert_int_equal(atomic_load(&g_thread_failures), 0);
    return 0;
}

#endif
