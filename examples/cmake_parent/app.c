/* The application of examples/cmake_parent: one heap, one allocation, its statistics. On the host
 * it is a program whose exit status says whether the heap worked; on bare metal app_heap_selftest
 * is what the firmware would call. */
#include "rtmem/heap.h"

#include <stdint.h>

#define APP_HEAP 4096u
static uint8_t g_heap_mem[APP_HEAP + RTM_HEAP_OVERHEAD(APP_HEAP)] __attribute__((aligned(8)));

int app_heap_selftest(void);
int app_heap_selftest(void)
{
    rtm_heap *h = rtm_heap_init(g_heap_mem, sizeof g_heap_mem, RTM_FIT_GOOD);
    if (h == NULL) return 1;
    void *p = rtm_heap_alloc(h, 200);
    if (p == NULL || ((uintptr_t)p & (RTM_ALIGN - 1u)) != 0) return 2;
    rtm_heap_stats s;
    rtm_heap_get_stats(h, &s);
    if (s.allocs != 1 || s.used < 200 || s.capacity < APP_HEAP) return 3;
    rtm_heap_free(h, p);
    rtm_heap_get_stats(h, &s);
    if (s.frees != 1 || s.used != 0 || s.free_blocks != 1) return 4;
    return rtm_heap_check(h) == RTM_OK ? 0 : 5;
}

#if !defined(__arm__) && !defined(__riscv)
int main(void) { return app_heap_selftest(); }
#endif
