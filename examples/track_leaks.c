/*
 * track_leaks: allocation tracking over a heap. RTM_TRACK_ALLOC/FREE record the file:line of every
 * call; a leak report since a checkpoint names the site that leaked, the per-site report shows who
 * holds what; an off-by-one write into the red zone is reported when the block is freed, and with
 * a quarantine freed blocks are poisoned, so a write after free and a double free are caught too.
 * Report lines go to a sink (here stdout; on a target a UART or RTT writer, replace printf).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtmem/heap.h"
#include "rtmem/track.h"

#define HEAP_BYTES 8192u
static uint8_t heap_mem[HEAP_BYTES + RTM_HEAP_OVERHEAD(HEAP_BYTES)];
static uint8_t track_mem[RTM_TRACK_BYTES(32, 8, 4)]; /* 32 live blocks, 8 sites, 4 quarantined */
static rtm_track *t;

static void uart_sink(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    fwrite(text, 1, len, stdout); /* one whole line per call */
}

static unsigned reported[RTM_ERR_COUNT_];
static void on_error(rtm_err code, const void *object, const void *ptr)
{
    (void)object, (void)ptr;
    reported[code]++; /* the details went to the sink already */
}

/* A request handler with a bug: on an odd request id it returns without freeing the reply. */
static int handle_request(int id)
{
    char *req = RTM_TRACK_ALLOC(t, 32);
    char *reply = RTM_TRACK_ALLOC(t, 64);
    if (req == NULL || reply == NULL) { /* out of memory: give back the one that succeeded */
        RTM_TRACK_FREE(t, req);
        RTM_TRACK_FREE(t, reply);
        return -1;
    }
    snprintf(req, 32, "GET /sensor/%d", id);
    RTM_TRACK_FREE(t, req);
    if (id % 2) return -1; /* the leak */
    RTM_TRACK_FREE(t, reply);
    return 0;
}

int main(void)
{
    rtm_set_error_hook(on_error);
    rtm_heap *h = rtm_heap_init(heap_mem, sizeof heap_mem, RTM_FIT_GOOD);
    rtm_track_config cfg = {0};
    if (rtm_allocator_from_heap(&cfg.allocator, h) != RTM_OK) return 1;
    cfg.max_sites = 8;
    cfg.guard = 8;       /* red zones before and after every block, checked on free */
    cfg.quarantine = 4;  /* freed blocks stay poisoned for 4 more frees */
    cfg.sink = uart_sink; /* errors found on free; cfg.locked = true if threads share it */
    if (rtm_track_init(&t, track_mem, sizeof track_mem, &cfg) != RTM_OK) return 1;

    /* Leaks: everything allocated after the checkpoint and still live is a suspect. */
    rtm_track_cp cp = rtm_track_checkpoint(t);
    for (int id = 0; id < 4; id++) (void)handle_request(id);
    size_t leaks = rtm_track_leaks_since(t, cp, uart_sink, NULL);
    rtm_track_report(t, uart_sink, NULL); /* live blocks and peaks per site and per thread */

    /* An off-by-one: 12 bytes asked, 13 written. Found in the red zone when the block is freed. */
    char *name = RTM_TRACK_ALLOC(t, 12);
    if (name == NULL) return 1;
    for (int i = 0; i <= 12; i++) name[i] = 'x';
    rtm_track_info info; /* what a fault handler would ask: whose block is this address in? */
    bool found = rtm_track_find(t, name + 12, &info) && info.ptr == name && info.size == 12;
    if (found) printf("address %p: %zu-byte block from %s:%u\n", (void *)(name + 12), info.size, info.file, info.line);
    RTM_TRACK_FREE(t, name);

    /* A write after free and a double free: the block is still in the quarantine, poisoned. */
    uint32_t *cal = RTM_TRACK_ALLOC(t, 16);
    if (cal == NULL) return 1;
    RTM_TRACK_FREE(t, cal);
    cal[1] = 0;            /* a stale pointer writes into the poison */
    RTM_TRACK_FREE(t, cal); /* refused: names the first free */
    rtm_track_drain(t);    /* poison checked as blocks leave the quarantine */

    rtm_track_stats s;
    rtm_track_get_stats(t, &s);
    printf("leaks %zu, overflows %zu, writes after free %zu, bad frees %zu\n", leaks, s.overflows,
           s.after_free_writes, s.bad_frees);
    int bad = !found || leaks != 2 || s.live_blocks != 2 || s.overflows != 1 || s.after_free_writes != 1 || s.bad_frees != 1 ||
              reported[RTM_ERR_OVERFLOW] != 1 || reported[RTM_ERR_CORRUPT] != 1 ||
              reported[RTM_ERR_DOUBLE_FREE] != 1 || rtm_track_validate(t) != RTM_OK ||
              rtm_heap_check(h) != RTM_OK;
    rtm_track_destroy(t);
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad;
}
