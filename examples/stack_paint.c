/*
 * stack_paint: stack painting and high-water marks. A buffer stands for a thread's stack: it is
 * painted before the thread starts, the thread's use is simulated by writing it from the top down
 * (as a down-growing stack fills), and the high-water mark and the guard band are read back; then a
 * pool of painted worker stacks (rtm_stackpool) that measures each stack when it is released and
 * reports one that reached its guard. On a target the buffer is the RTOS thread's stack and the
 * checks run in the idle task. Host build: prints with stdio; on a target, replace printf.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtmem/stack.h"
#include "rtmem/stackpool.h"

#define STACK_BYTES 1024u
static _Alignas(8) uint8_t sensor_stack[STACK_BYTES];

/* Two worker stacks of 512 bytes, each aligned to its size so that one ARMv7-M region covers it. */
RTM_STACKPOOL_DEFINE(workers, 512, 2, 512);

/* What a thread does to its stack: frames written from the top (base + size) downwards. */
static void run_on(uint8_t *stack, size_t size, size_t depth)
{
    memset(stack + size - depth, 0x5A, depth);
}

static unsigned overflows_reported;
static void on_error(rtm_err code, const void *object, const void *ptr)
{
    if (code == RTM_ERR_OVERFLOW) overflows_reported++;
    printf("error hook: %s (object %p, address %p)\n", rtm_err_str(code), object, ptr);
}

int main(void)
{
    int bad = 0;
    rtm_set_error_hook(on_error);

    /* Paint before the thread first runs: painting a live stack would destroy it. */
    rtm_stack_paint(sensor_stack, STACK_BYTES);
    run_on(sensor_stack, STACK_BYTES, 296); /* a normal run */
    rtm_stack_info info;
    rtm_stack_get_info(sensor_stack, STACK_BYTES, &info);
    printf("sensor stack: used %zu of %zu bytes (%u/1000), %zu never touched\n", info.used, info.size,
           info.permille, info.unused);
    bad |= info.used != 296 || rtm_stack_check(sensor_stack, STACK_BYTES, 0) != RTM_OK;

    /* A deeper call chain reaches the 32-byte guard band at the far end: time to enlarge the stack. */
    run_on(sensor_stack, STACK_BYTES, STACK_BYTES - 8);
    rtm_err e = rtm_stack_check(sensor_stack, STACK_BYTES, 0);
    printf("sensor stack guard: %s, %zu bytes left\n", rtm_err_str(e), rtm_stack_unused(sensor_stack, STACK_BYTES));
    bad |= e != RTM_ERR_OVERFLOW || overflows_reported != 1 ||
           rtm_stack_unused(sensor_stack, STACK_BYTES) != 8;

    /* The pool: acquire paints, release measures and checks the guard. */
    uint8_t *a = rtm_stackpool_acquire(&workers);
    uint8_t *b = rtm_stackpool_acquire(&workers);
    bad |= a == NULL || b == NULL || rtm_stackpool_acquire(&workers) != NULL; /* both in use */
    if (a == NULL || b == NULL) return 1;
    run_on(a, rtm_stackpool_stack_size(&workers), 200);
    size_t used_now = rtm_stackpool_used(&workers, a); /* while the worker runs */
    bad |= used_now != 200 || rtm_stackpool_release(&workers, a) != RTM_OK;
    run_on(b, rtm_stackpool_stack_size(&workers), 500); /* within 12 bytes of the end */
    bad |= rtm_stackpool_release(&workers, b) != RTM_ERR_OVERFLOW; /* reported, and released */

    rtm_stackpool_stats s;
    rtm_stackpool_get_stats(&workers, &s);
    printf("workers: %zu stacks of %zu bytes, worst use %zu, overflows %zu, acquires refused %zu\n",
           s.count, s.stack_size, s.worst_used, s.overflows, s.failed);
    bad |= s.worst_used != 500 || s.overflows != 1 || s.failed != 1 || s.in_use != 0 ||
           overflows_reported != 2 || rtm_stackpool_check(&workers) != RTM_OK;
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad;
}
