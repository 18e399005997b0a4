/*
 * heap_basics: a static heap buffer sized with RTM_HEAP_OVERHEAD, an error hook that logs rejected
 * calls, allocation, a bad free that is reported instead of corrupting the heap, statistics and the
 * integrity check. Host build: links rtmem and prints with stdio; on a target, replace printf.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtmem/heap.h"

#define PAYLOAD_BYTES (8u * 1024u)
static uint8_t heap_mem[PAYLOAD_BYTES + RTM_HEAP_OVERHEAD(PAYLOAD_BYTES)];

static unsigned reports;
static void on_error(rtm_err code, const void *object, const void *ptr)
{
    reports++;
    printf("error hook: %s (heap %p, pointer %p)\n", rtm_err_str(code), object, ptr);
}

int main(void)
{
    rtm_set_error_hook(on_error);
    rtm_heap *h = rtm_heap_init(heap_mem, sizeof heap_mem, RTM_FIT_GOOD);
    if (h == NULL) return 1;

    char *name = rtm_heap_alloc(h, 32);
    uint32_t *samples = rtm_heap_calloc(h, 256, sizeof *samples);
    if (name == NULL || samples == NULL) return 1;
    strcpy(name, "sensor-0");
    /* Grows in place if it can. On failure the old block stays valid: never `p = realloc(p, n)`. */
    uint32_t *more = rtm_heap_realloc(h, samples, 512 * sizeof *samples);
    if (more == NULL) return 1;
    samples = more;

    rtm_heap_free(h, name + 8); /* an interior pointer: reported and counted, heap untouched */
    rtm_heap_free(h, name);
    rtm_heap_free(h, name);     /* a double free: reported too */

    rtm_heap_stats s;
    rtm_heap_get_stats(h, &s);
    printf("capacity %zu, used %zu, largest free %zu, free blocks %zu, fragmentation %u/1000, "
           "bad frees %zu\n", s.capacity, s.used, s.largest_free, s.free_blocks, s.frag_permille, s.bad_frees);
    rtm_heap_free(h, samples);
    rtm_err e = rtm_heap_check(h);
    printf("check: %s\n", rtm_err_str(e));
    /* The example is also a test: exactly the two bad frees were reported, the heap is intact. */
    return (e == RTM_OK && reports == 2 && s.bad_frees == 2 && s.capacity >= PAYLOAD_BYTES) ? 0 : 1;
}
