/*
 * slab_pools: fixed-block allocation three ways. A static pool of message buffers defined with
 * RTM_SLAB_DEFINE (no init call, O(1) alloc/free) and a double free that the error hook reports;
 * a size-class router (rtm_pools) that serves small requests from slabs and falls back to a heap
 * when a class runs out; priority reserves in one heap (rtm_reserve) that keep headroom for an
 * alarm while logging is refused. Host build: prints with stdio; on a target, replace printf.
 */
#include <stdint.h>
#include <stdio.h>

#include "rtmem/heap.h"
#include "rtmem/pools.h"
#include "rtmem/reserve.h"
#include "rtmem/slab.h"

typedef struct {
    uint16_t id;
    uint8_t len;
    uint8_t data[61];
} msg;

/* 8 message buffers in .bss, ready before main (no init call): usable from the first ISR on.
 * Other files reach it with `extern rtm_slab msg_pool;` (RTM_SLAB_DEFINE_STATIC: this file only). */
RTM_SLAB_DEFINE(msg_pool, sizeof(msg), 8, _Alignof(msg));

static unsigned double_frees;
static void on_error(rtm_err code, const void *object, const void *ptr)
{
    if (code == RTM_ERR_DOUBLE_FREE) double_frees++;
    printf("error hook: %s (object %p, pointer %p)\n", rtm_err_str(code), object, ptr);
}

/* The fallback heap takes what the classes cannot, and is the one heap behind the reserves. */
#define HEAP_BYTES 4096u
static uint8_t heap_mem[HEAP_BYTES + RTM_HEAP_OVERHEAD(HEAP_BYTES)];

/* Two classes; each falls back to the heap when its slab is empty. Sized at compile time. */
static const rtm_pools_class classes[] = {
    {32, 8, RTM_POOLS_FALLBACK},
    {128, 4, RTM_POOLS_FALLBACK},
};
static _Alignas(RTM_ALIGN) uint8_t pools_mem[RTM_POOLS_OVERHEAD(2) + RTM_POOLS_CLASS_BYTES(32, 8) +
                                             RTM_POOLS_CLASS_BYTES(128, 4)];

int main(void)
{
    int bad = 0;
    rtm_set_error_hook(on_error);

    /* 1. The static slab: no init call, O(1), and a double free is refused, not corrupting. */
    msg *m = rtm_slab_alloc(&msg_pool, RTM_NO_WAIT);
    if (m == NULL) return 1;
    m->id = 7;
    rtm_slab_free(&msg_pool, m);
    rtm_slab_free(&msg_pool, m); /* reported as a double free; the slab is unchanged */
    rtm_slab_stats ss;
    rtm_slab_get_stats(&msg_pool, &ss);
    printf("slab: %zu blocks of %zu bytes, used %zu, bad frees %zu\n", ss.count, ss.block_size, ss.used, ss.bad_frees);
    bad |= double_frees != 1 || ss.bad_frees != 1 || ss.used != 0 || rtm_slab_check(&msg_pool) != RTM_OK;

    /* 2. Size classes: ten 24-byte requests, eight fit the 32-byte class, two fall back. */
    rtm_heap *h = rtm_heap_init(heap_mem, sizeof heap_mem, RTM_FIT_GOOD);
    rtm_pools *p;
    if (h == NULL || rtm_pools_init(&p, pools_mem, sizeof pools_mem, classes, 2, h) != RTM_OK) return 1;
    void *small[10];
    for (int i = 0; i < 10; i++) small[i] = rtm_pools_alloc(p, 24);
    void *big = rtm_pools_alloc(p, 600); /* above every class: straight to the heap */
    rtm_pools_class_stats cs;
    rtm_pools_get_class_stats(p, 0, &cs);
    printf("pools: class %zu B: %zu from the slab, %zu from the heap\n", cs.block_size, cs.allocs, cs.fallbacks);
    rtm_pools_class advice[2] = {{0}};
    size_t need = 0;
    size_t nadvice = rtm_pools_advise(p, advice, 2, &need); /* counts that would never fall back */
    printf("pools: advice %zu x %zu B (buffer %zu B)\n", advice[0].count, advice[0].block_size, need);
    bad |= cs.allocs != 8 || cs.fallbacks != 2 || nadvice != 2 || advice[0].count != 10 || small[9] == NULL ||
           big == NULL;
    for (int i = 0; i < 10; i++) rtm_pools_free(p, small[i]); /* no size needed: found from the address */
    rtm_pools_free(p, big);
    bad |= rtm_pools_check(p) != RTM_OK;
    rtm_pools_destroy(p);

    /* 3. Reserves: logging (priority 0) must leave 1 KiB free; alarms (priority 1) may use it all. */
    static const size_t watermarks[] = {1024, 0};
    rtm_reserve r;
    if (rtm_reserve_init(&r, h, watermarks, 2) != RTM_OK) return 1;
    void *logs[16];
    int n = 0;
    while (n < 16 && (logs[n] = rtm_reserve_alloc(&r, 256, 0)) != NULL) n++;
    void *alarm = rtm_reserve_alloc(&r, 512, 1); /* still served: the headroom was kept for it */
    rtm_reserve_level_stats ls;
    rtm_reserve_get_stats(&r, 0, &ls);
    printf("reserve: %d log buffers, then %zu denied; alarm %s\n", n, ls.denied, alarm ? "served" : "FAILED");
    bad |= alarm == NULL || ls.denied != 1 || n == 16;
    rtm_reserve_free(&r, alarm);
    while (n > 0) rtm_reserve_free(&r, logs[--n]);
    rtm_reserve_destroy(&r);

    bad |= rtm_heap_check(h) != RTM_OK;
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad;
}
