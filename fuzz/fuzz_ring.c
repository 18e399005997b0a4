/*
 * libFuzzer target for the ring allocator: the input places one ring in a buffer of its choosing
 * (any start address, any length) and applies an operation sequence to it.
 *
 * Input format: 3 bytes of geometry, then operations (missing bytes read as 0).
 *   byte 0  n: granules;  byte 2  x: extra bytes. The buffer is n * RTM_RING_GRAIN + x bytes long
 *           (0 .. 255 G + 255: any length, odd ones included; the seeds of the old format, whose
 *           byte 0 gave 2 + n granules, were converted by inserting bytes 1 and 2 as 00 10).
 *   byte 1  bits 0-5: misalignment of the buffer start (0..63 bytes past a 64-aligned address);
 *           bits 6-7: how the ring is made: 0, 3 rtm_ring_init; 1 RTM_RING_INITIALIZER (a static
 *           ring, first used by a claim); 2 rtm_ring_init, rtm_ring_deinit, rtm_ring_init again.
 * What ring.h promises for the buffer, and this target requires: rtm_ring_init fails with
 * RTM_ERR_ALIGN for a start not aligned to RTM_RING_GRAIN, with RTM_ERR_TOO_SMALL when the length
 * rounded down to RTM_RING_GRAIN is below 2 G, reports the failure and leaves the ring untouched;
 * otherwise the capacity is the length rounded down to G. RTM_RING_INITIALIZER needs what
 * RTM_RING_DEFINE checks (aligned start, a multiple of G, at least 2 G): given less,
 * rtm_ring_check must call the ring corrupt. NULL arguments, lengths above RTM_RING_CAP_MAX and
 * buffers that wrap around the address space are refused as documented on every input.
 * Operations: 1 opcode byte plus operand bytes:
 *   0 claim    size:2      1 commit   size:2 (clamped to the claim)   2 abort (no claim: reset)
 *   3 peek + release (contents checked)   4 bad release  offset:2   5 bad claim kind:1 (0 / huge)
 *   6 bad commit kind:1    7 max_claim then claim of exactly that size
 * After every step: rtm_ring_check must be RTM_OK, the statistics must match a shadow FIFO of
 * (id, size), every rejected call must have been reported, records come out in order with the
 * pattern they were written with, and every record handed out (claim, peek) is RTM_RING_GRAIN-
 * aligned and lies inside [start, start + capacity) of the caller's buffer. The bytes around the
 * ring (before its start, and from start + capacity to past the end of the buffer) are poisoned
 * under ASan and filled with a canary that must be intact at the end. Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_sanitize.h"
#include "rtmem/ring.h"

#include "fuzz_common.h"

#define G RTM_RING_GRAIN
#define MAXREC 1024

#define PRE 128                     /* guard bytes before the furthest start */
#define AREA (255u * G + 255u + 64u) /* longest buffer + largest misalignment */
#define CANARY 0xE7u
static _Alignas(64) unsigned char g_buf[PRE + AREA + 128];
static unsigned g_reports;

static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)code, (void)object, (void)ptr;
    g_reports++;
}

static unsigned char pat(uint32_t id, size_t j) { return (unsigned char)(id * 29u + j * 13u + 1u); }

typedef struct {
    const uint8_t *d;
    size_t n, i;
} input;
static unsigned get8(input *in) { return in->i < in->n ? in->d[in->i++] : 0u; }
static size_t get16(input *in) { return (size_t)get8(in) | (size_t)get8(in) << 8; }

/* The refusals of rtm_ring_init that do not depend on the input: NULLs, a length above
 * RTM_RING_CAP_MAX, a buffer that wraps around the address space. Each is reported and leaves the
 * ring untouched (and the buffer: nothing is written through the pointer). */
static void init_refusals(unsigned char *buf, size_t bytes, unsigned *expected)
{
    rtm_ring r;
    unsigned char before[sizeof r];
    memset(&r, 0x5A, sizeof r);
    memcpy(before, &r, sizeof r);
    REQUIRE(rtm_ring_init(NULL, buf, bytes) == RTM_ERR_ARG);
    REQUIRE(rtm_ring_init(&r, NULL, bytes) == RTM_ERR_ARG);
    void *top = (void *)(~(uintptr_t)0 - 4u * G + 1u); /* aligned, 4 G below the end of memory */
    REQUIRE(rtm_ring_init(&r, top, 8u * G) == RTM_ERR_SIZE);
    if (((uintptr_t)buf & (G - 1u)) == 0) {
        REQUIRE(rtm_ring_init(&r, buf, RTM_RING_CAP_MAX + 1u + bytes % G) == RTM_ERR_SIZE);
        *expected += 1;
    }
    *expected += 3;
    REQUIRE(g_reports == *expected && memcmp(before, &r, sizeof r) == 0);
}

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

    size_t n_gran = get8(&in), b1 = get8(&in), extra = get8(&in);
    size_t mis = b1 & 63u, variant = b1 >> 6, bytes = n_gran * G + extra;
    unsigned char *buf = g_buf + PRE + mis;
    size_t cap = bytes / G * G;
    rtm_san_access(g_buf, sizeof g_buf); /* the previous input's ring may have left it poisoned */
    memset(g_buf, CANARY, sizeof g_buf);

    init_refusals(buf, bytes, &expected);
    bool aligned = ((uintptr_t)buf & (G - 1u)) == 0;
    rtm_ring r = RTM_RING_INITIALIZER(buf, bytes);
    if (variant == 1) {
        if (!aligned || bytes % G != 0 || bytes < 2u * G) { /* below RTM_RING_DEFINE's checks */
            REQUIRE(rtm_ring_check(&r) == RTM_ERR_CORRUPT);
            REQUIRE(++expected == g_reports);
            rtm_set_error_hook(NULL);
            return 0;
        }
    } else {
        rtm_err want = !aligned ? RTM_ERR_ALIGN : cap < 2u * G ? RTM_ERR_TOO_SMALL : RTM_OK;
        memset(&r, 0x5A, sizeof r);
        unsigned char before[sizeof r];
        memcpy(before, &r, sizeof r);
        REQUIRE(rtm_ring_init(&r, buf, bytes) == want);
        if (want != RTM_OK) { /* reported, ring untouched, buffer untouched */
            REQUIRE(++expected == g_reports && memcmp(before, &r, sizeof r) == 0);
            for (size_t i = 0; i < sizeof g_buf; i++) REQUIRE(g_buf[i] == CANARY);
            rtm_set_error_hook(NULL);
            return 0;
        }
        if (variant == 2) {
            rtm_ring_deinit(&r);
            REQUIRE(rtm_ring_init(&r, buf, bytes) == RTM_OK);
        }
    }
    const unsigned init_reports = expected; /* not the ring's bad_calls */
    /* The ring may use [buf, buf + cap) and nothing else. */
    rtm_san_noaccess(g_buf, (size_t)(buf - g_buf));
    rtm_san_noaccess(buf + cap, sizeof g_buf - (size_t)(buf + cap - g_buf));
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
                REQUIRE(((uintptr_t)p & (G - 1u)) == 0 && p >= buf + G && p + want <= buf + cap);
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
            REQUIRE(((uintptr_t)p & (G - 1u)) == 0 && p >= buf + G && p + n <= buf + cap);
            for (size_t j = 0; j < n; j++) REQUIRE(p[j] == pat(fifo_id[head], j));
            REQUIRE(rtm_ring_release(&r, p) == RTM_OK);
            head = (head + 1) % MAXREC;
            count--;
            releases++;
            break;
        }
        case 4: { /* any address but the oldest record's is refused */
            size_t off = get16(&in) % (cap + 3 * G); /* from G before the buffer to 2 G past it */
            unsigned char *p = buf - G + off;
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
                REQUIRE(rtm_ring_commit(&r, buf + G, 1) == RTM_ERR_STATE);
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
        REQUIRE(st.bad_calls == expected - init_reports && st.corrupt == 0);
        REQUIRE(st.used <= cap && st.high_water <= cap && st.capacity == cap);
    }
    if (claim != NULL) REQUIRE(rtm_ring_abort(&r, claim) == RTM_OK);
    rtm_ring_deinit(&r);
    rtm_san_access(g_buf, sizeof g_buf);
    for (size_t i = 0; i < (size_t)(buf - g_buf); i++) REQUIRE(g_buf[i] == CANARY);
    for (size_t i = (size_t)(buf + cap - g_buf); i < sizeof g_buf; i++) REQUIRE(g_buf[i] == CANARY);
    REQUIRE(g_reports == expected);
    rtm_set_error_hook(NULL);
    return 0;
}
