/* Helper for the Valgrind / ASan awareness tests: misuses an rtmem heap block on purpose.
 *   san_victim ok        clean use: must pass under memcheck and ASan (the control)
 *   san_victim uaf       reads a block after rtm_heap_free
 *   san_victim leak      loses the only pointer to a live heap block (memcheck: definitely lost)
 *   san_victim overflow  writes past the end of a block into the heap's free space
 * The heap's arena is an ordinary static array: only the rtm_san_* hooks of the heap tell the
 * tools which bytes are blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/heap.h"

static _Alignas(16) unsigned char g_arena[16384];
static void *volatile g_keep;
/* Valgrind 3.19 skips the whole leak search ("All heap blocks were freed -- no leaks are
 * possible") when no malloc block is in use at exit, even if mempool chunks leaked. Real programs
 * nearly always hold some malloc block; this one holds one (reachable, so not an error). */
static void *volatile g_malloc_block;

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    g_malloc_block = malloc(16);
    rtm_heap *h = rtm_heap_init(g_arena, sizeof g_arena, RTM_FIT_GOOD);
    if (h == NULL) return 3;
    volatile unsigned char *p = rtm_heap_alloc(h, 64);
    if (p == NULL) return 3;
    for (int i = 0; i < 64; i++) p[i] = (unsigned char)i;
    const char *mode = argv[1];
    int sum = 0;
    if (!strcmp(mode, "ok")) {
        for (int i = 0; i < 64; i++) sum += p[i];
        rtm_heap_free(h, (void *)p);
    } else if (!strcmp(mode, "uaf")) {
        rtm_heap_free(h, (void *)p);
        sum = p[10]; /* use after free */
    } else if (!strcmp(mode, "leak")) {
        volatile unsigned char *q = rtm_heap_alloc(h, 200);
        if (q == NULL) return 3;
        q[0] = 1;
        q = NULL; /* the only pointer to the block is gone */
        rtm_heap_free(h, (void *)p);
    } else if (!strcmp(mode, "overflow")) {
        size_t n = rtm_heap_usable_size(h, (const void *)p);
        p[n + 32] = 0xEE; /* past the block and its neighbour's header: free space */
        rtm_heap_free(h, (void *)p);
    } else {
        return 2;
    }
    g_keep = (void *)h;
    printf("san_victim %s: %d\n", mode, sum);
    return 0;
}
