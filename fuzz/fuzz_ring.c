/*
 * libFuzzer target for the ring allocator: the input is an operation sequence applied to one ring.
 *
 * Input format: byte 0 picks the capacity (2..257 granules); then operations of 1 opcode byte plus
 * operand bytes (missing bytes read as 0):
 *   0 claim    size:2      1 commit   size:2 (clamped to the claim)   2 abort (no claim: reset)
 *   3 peek + release (contents checked)   4 bad release  offset:2   5 bad claim kind:1 (0 / huge)
 *   6 bad commit kind:1    7 max_claim then claim of exactly that size
 * After every step: rtm_ring_check must be RTM_OK, the statistics must match a shadow FIFO of
 * (id, size), every rejected call must have been reported, and records come out in order with the
 * pattern they were written with. Any violation aborts (a crash for libFuzzer).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtmem/ring.h"

#define G RTM_RING_GRAIN
#define MAXREC 1024

static _Alignas(64) unsigned char g_buf[258 * 64];
static unsigned g_reports;

static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)code, (void)object, (void)ptr;
    g_reports++;
}

#define REQUIRE(x)                                                                                 \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "fuzz_ring: %s:%d: %s\n", __FILE__, __LINE__, #x);                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static unsigned char pat(uint32_t id, size_t j) { return (unsigned char)(id * 29u + j * 13u + 1u); }

typedef struct {
    const uint8_t *d;
    size_t n, i;
} input;
static unsigned get8(input *in) { return in->i < in->n ? in->d[in->i++] : 0u; }
static size_t get16(input *in) { return (size_t)get8(in) | (size_t)get8(in) << 8; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = { data, size, 0 };
    static uint32_t fifo_id[MAXREC];
    static size_t fifo_len[MAXREC];
    size_t head = 0, count = 0;
    rtm_set_error_hook(hook);
    g_reports = 0;
    unsigned expected = 0;

    size_t cap = (2u + get8(&in)) * G;
    rtm_ring r;
    REQUIRE(rtm_ring_init(&r, g_buf, cap) == RTM_OK);
    unsigned char *claim = NULL;
    size_t claim_len = 0;
    uint32_t next_id = 1;
    size_t commits = 0, releases = 0;

    while (in.i < in.n) {
        unsigned op = get8(&in) % 8u;
        switch (op) {
        case 0:
        case 7: {
            size_t want = op == 0 ? 1 + get16(&in) % (cap - G) : rtm_ring_max_claim(&r);
            if (want == 0) break;
            unsigned char *p = rtm_ring_claim(&r, want);
            if (claim != NULL) {
                REQUIRE(p == NULL);
                expected++;
            } else if (p != NULL) {
                REQUIRE(((uintptr_t)p & (G - 1u)) == 0 && p > g_buf && p + want <= g_buf + cap);
                claim = p;
                claim_len = want;
            } else {
                REQUIRE(op == 0); /* max_claim promised it */
            }
            break;
        }
        case 1: {
            if (claim == NULL || count == MAXREC) break;
            size_t len = 1 + get16(&in) % claim_len;
            for (size_t j = 0; j < len; j++) claim[j] = pat(next_id, j);
            REQUIRE(rtm_ring_commit(&r, claim, len) == RTM_OK);
            fifo_id[(head + count) % MAXREC] = next_id++;
            fifo_len[(head + count) % MAXREC] = len;
            count++;
            commits++;
            claim = NULL;
            break;
        }
        case 2:
            if (claim == NULL) { /* rtm_ring_reset: every record dropped, the counters kept */
                rtm_ring_reset(&r);
                head = count = 0;
                break;
            }
            REQUIRE(rtm_ring_abort(&r, claim) == RTM_OK);
            claim = NULL;
            break;
        case 3: {
            size_t n;
            unsigned char *p = rtm_ring_peek(&r, &n);
            if (count == 0) {
                REQUIRE(p == NULL);
                break;
            }
            REQUIRE(p != NULL && n == fifo_len[head]);
            for (size_t j = 0; j < n; j++) REQUIRE(p[j] == pat(fifo_id[head], j));
            REQUIRE(rtm_ring_release(&r, p) == RTM_OK);
            head = (head + 1) % MAXREC;
            count--;
            releases++;
            break;
        }
        case 4: { /* any address but the oldest record's is refused */
            size_t off = get16(&in) % (cap + 2 * G);
            unsigned char *p = g_buf + off;
            size_t n;
            unsigned char *oldest = rtm_ring_peek(&r, &n);
            if (p == oldest) break;
            REQUIRE(rtm_ring_release(&r, p) != RTM_OK);
            expected++;
            break;
        }
        case 5:
            REQUIRE(rtm_ring_claim(&r, get8(&in) & 1u ? SIZE_MAX - get8(&in) : 0) == NULL);
            expected++;
            break;
        case 6:
            if (claim == NULL) {
                REQUIRE(rtm_ring_commit(&r, g_buf + G, 1) == RTM_ERR_STATE);
            } else {
                unsigned k = get8(&in) % 3u;
                if (k == 0) REQUIRE(rtm_ring_commit(&r, claim, 0) == RTM_ERR_SIZE);
                else if (k == 1) REQUIRE(rtm_ring_commit(&r, claim, claim_len + 1) == RTM_ERR_SIZE);
                else REQUIRE(rtm_ring_commit(&r, claim + G, 1) == RTM_ERR_BAD_PTR);
            }
            expected++;
            break;
        }
        REQUIRE(rtm_ring_check(&r) == RTM_OK);
        REQUIRE(g_reports == expected);
        rtm_ring_stats st;
        rtm_ring_get_stats(&r, &st);
        REQUIRE(st.commits == commits && st.releases == releases && st.records == count);
        REQUIRE(st.bad_calls == expected && st.corrupt == 0);
        REQUIRE(st.used <= cap && st.high_water <= cap && st.capacity == cap);
    }
    if (claim != NULL) REQUIRE(rtm_ring_abort(&r, claim) == RTM_OK);
    rtm_ring_deinit(&r);
    rtm_set_error_hook(NULL);
    return 0;
}
