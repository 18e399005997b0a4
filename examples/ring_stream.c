/*
 * ring_stream: the ring (FIFO) allocator as a producer/consumer stream of variable-size sensor
 * batches. The producer claims room for the largest batch, fills it and commits only what it used;
 * the consumer peeks at the oldest record and releases it. Records never wrap: a tail too short
 * for the next record is skipped and the record starts again at offset 0. Releases must follow
 * commit order; an out-of-order release is reported and refused. Single-threaded here for a
 * deterministic output; on a target the producer is typically an ISR and the consumer a thread,
 * with no lock (SPSC). Host build: prints with stdio; on a target, replace printf.
 */
#include <stdint.h>
#include <stdio.h>

#include "rtmem/ring.h"

typedef struct {
    uint32_t seq;
    uint16_t n;          /* samples that follow */
    uint16_t samples[];  /* 1..MAX_SAMPLES */
} batch;
#define MAX_SAMPLES 8u
#define MAX_BATCH (sizeof(batch) + MAX_SAMPLES * sizeof(uint16_t))
#define BATCHES 40u

/* Room for 4 batches of the largest size whatever the wrap position (RTM_RING_DEFINE would also
 * do; an own buffer lets the example print offsets). */
static _Alignas(RTM_RING_GRAIN) uint8_t stream_buf[RTM_RING_BUF_SIZE(MAX_BATCH, 4)];
static rtm_ring stream;

static rtm_err last_report;
static void on_error(rtm_err code, const void *object, const void *ptr)
{
    last_report = code;
    printf("error hook: %s (ring %p, record %p)\n", rtm_err_str(code), object, ptr);
}

static int produce(uint32_t seq, batch **out)
{
    batch *b = rtm_ring_claim(&stream, MAX_BATCH); /* worst case: length known only when filled */
    if (b == NULL) return 0;                       /* full for now: not an error */
    b->seq = seq;
    b->n = (uint16_t)(1u + seq * 5u % MAX_SAMPLES);
    for (unsigned i = 0; i < b->n; i++) b->samples[i] = (uint16_t)(seq * 100u + i);
    if (out) *out = b;
    /* Commit what was used; the rest of the claim goes back to the ring. */
    return rtm_ring_commit(&stream, b, sizeof(batch) + b->n * sizeof(uint16_t)) == RTM_OK;
}

static uint32_t next_seq; /* the consumer's check that the stream is FIFO and intact */
static int consume(void)
{
    size_t len;
    batch *b = rtm_ring_peek(&stream, &len);
    if (b == NULL) return 0;
    int ok = b->seq == next_seq++ && len == sizeof(batch) + b->n * sizeof(uint16_t) &&
             b->samples[b->n - 1u] == (uint16_t)(b->seq * 100u + b->n - 1u);
    return rtm_ring_release(&stream, b) == RTM_OK && ok ? 1 : -1;
}

int main(void)
{
    int bad = 0;
    rtm_set_error_hook(on_error);
    if (rtm_ring_init(&stream, stream_buf, sizeof stream_buf) != RTM_OK) return 1;

    /* Release order: the consumer may only release the oldest record. */
    batch *second = NULL;
    bad |= !produce(0, NULL) || !produce(1, &second);
    bad |= rtm_ring_release(&stream, second) != RTM_ERR_STATE || last_report != RTM_ERR_STATE;
    bad |= consume() != 1 || consume() != 1; /* oldest first: batch 0, then batch 1 */

    /* The stream: the producer runs until the ring is full, then the consumer catches up a bit. */
    size_t last_off = 0;
    for (uint32_t seq = 2; seq < BATCHES;) {
        batch *b;
        if (produce(seq, &b)) {
            size_t off = (size_t)((uint8_t *)b - stream_buf);
            if (off < last_off) /* the payload follows a RTM_RING_GRAIN-byte header */
                printf("batch %2u wrapped to the start (payload at offset %zu)\n", (unsigned)seq, off);
            last_off = off;
            seq++;
        } else {
            for (int k = 0; k < 2; k++) bad |= consume() != 1;
            if (bad) break; /* no claim and nothing to release: the loop would never end */
        }
    }
    int c;
    while ((c = consume()) == 1) {}
    bad |= c != 0 || next_seq != BATCHES;

    rtm_ring_stats s;
    rtm_ring_get_stats(&stream, &s);
    printf("ring: %zu batches through %zu bytes: %zu wraps (%zu tail bytes skipped), high water %zu, "
           "full %zu times, rejected calls %zu\n", s.releases, s.capacity, s.wraps, s.wasted, s.high_water,
           s.failed_claims, s.bad_calls);
    bad |= s.releases != BATCHES || s.records != 0 || s.wraps == 0 || s.bad_calls != 1 ||
           rtm_ring_check(&stream) != RTM_OK;
    rtm_ring_deinit(&stream);
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad;
}
