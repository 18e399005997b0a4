/*
 * libFuzzer target for the slab and the size-class pools: the input is an operation sequence
 * applied to one slab (geometry from the first bytes) and one rtm_pools with a fallback heap.
 *
 * Input: byte 0 block size (8..263), byte 1 count (1..256), byte 2 slab buffer misalignment
 * (multiple of a pointer, 0..3 words); then operations of 1 opcode byte plus operand bytes
 * (missing bytes read as 0):
 *   0 slab alloc          1 slab free slot:1        2 slab bad free slot:1 offset:1
 *   3 slab double free    4 pools alloc size:2      5 pools free slot:1
 *   6 pools bad free slot:1 offset:1 (offset bit 7: a double free of the block instead)
 *   7 reset peaks
 * After every step: rtm_slab_check and rtm_pools_check must be RTM_OK, the statistics must match
 * the live tables, every rejected call must have been reported, and live blocks keep their
 * pattern (checked before free and at the end). Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_sanitize.h"
#include "rtmem/pools.h"
#include "rtmem/slab.h"

#define SLOTS 256

typedef struct {
    unsigned char *p;
    size_t n;
    uint8_t id;
} slot;

static _Alignas(64) unsigned char g_slab_buf[RTM_SLAB_BUF_SIZE(263, 256) + 64];
static _Alignas(64) unsigned char g_pools_buf[16 * 1024];
static _Alignas(64) unsigned char g_heap_buf[8 * 1024];
static size_t g_reports;

static void hook(rtm_err code, const void *object, const void *ptr)
{
    (void)object, (void)ptr;
    if (code == RTM_ERR_CORRUPT) {
        fprintf(stderr, "fuzz_slab: corruption reported\n");
        abort();
    }
    g_reports++;
}

#define REQUIRE(c)                                                                                   \
    do {                                                                                             \
        if (!(c)) {                                                                                  \
            fprintf(stderr, "fuzz_slab: %s:%d: %s\n", __FILE__, __LINE__, #c);                       \
            abort();                                                                                 \
        }                                                                                            \
    } while (0)

static void fill(slot *s) { memset(s->p, s->id, s->n); }
static void verify(const slot *s)
{
    for (size_t i = 0; i < s->n; i++) REQUIRE(s->p[i] == s->id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;
#define BYTE() (pos < size ? data[pos++] : 0u)
    rtm_set_error_hook(hook);
    size_t bs = 8 + BYTE(), count = 1 + (size_t)BYTE(), mis = (BYTE() & 3u) * sizeof(void *);
    unsigned char *buf = g_slab_buf + mis;
    rtm_san_access(g_slab_buf, sizeof g_slab_buf);
    rtm_san_access(g_heap_buf, sizeof g_heap_buf);
    rtm_slab s;
    REQUIRE(rtm_slab_init(&s, buf, bs, count) == RTM_OK);
    size_t stride = rtm_slab_block_size(&s);

    static const rtm_pools_class cls[] = {{16, 8, RTM_POOLS_FALLBACK}, {64, 4, 0}, {200, 2, RTM_POOLS_FALLBACK}};
    rtm_heap *h = rtm_heap_init(g_heap_buf, sizeof g_heap_buf, RTM_FIT_GOOD);
    REQUIRE(h != NULL);
    rtm_pools *p;
    REQUIRE(rtm_pools_init(&p, g_pools_buf, sizeof g_pools_buf, cls, 3, h) == RTM_OK);

    static slot sl[SLOTS], pl[SLOTS];
    size_t ns = 0, np = 0, expected_reports = 0, slab_failed = 0, slab_bad = 0, pools_bad = 0;
    uint8_t id = 1;
    g_reports = 0;
    while (pos < size) {
        unsigned op = BYTE() % 8u;
        switch (op) {
        case 0: {
            unsigned char *q = rtm_slab_alloc(&s, RTM_NO_WAIT);
            if (ns == count) {
                REQUIRE(q == NULL);
                slab_failed++;
            } else {
                REQUIRE(q != NULL && q >= buf && q < buf + stride * count && (size_t)(q - buf) % stride == 0);
                sl[ns] = (slot){q, stride < 32 ? stride : 32, id++};
                fill(&sl[ns++]);
            }
            break;
        }
        case 1:
            if (ns) {
                size_t k = BYTE() % ns;
                verify(&sl[k]);
                rtm_slab_free(&s, sl[k].p);
                sl[k] = sl[--ns];
            }
            break;
        case 2: {
            size_t k = BYTE(), off = BYTE();
            unsigned char *q = ns ? sl[k % ns].p : buf;
            q += off % (stride * 2u) + 1u; /* never a live block start: interior or a later block */
            /* a later block start may be live: only count it as bad if it is not */
            bool live = false;
            for (size_t i = 0; i < ns; i++) live |= sl[i].p == q;
            if (!live) {
                rtm_slab_free(&s, q);
                slab_bad++;
                expected_reports++;
            }
            break;
        }
        case 3:
            if (ns) {
                size_t k = BYTE() % ns;
                unsigned char *q = sl[k].p;
                verify(&sl[k]);
                rtm_slab_free(&s, q);
                sl[k] = sl[--ns];
                rtm_slab_free(&s, q);
                slab_bad++;
                expected_reports++;
            }
            break;
        case 4: {
            size_t lo = BYTE(), hi = BYTE(), sz = lo | hi << 8;
            sz %= 1200;
            unsigned char *q = rtm_pools_alloc(p, sz);
            if (sz == 0) {
                REQUIRE(q == NULL);
                expected_reports++;
            } else if (q != NULL) {
                REQUIRE(np < SLOTS);
                REQUIRE(rtm_pools_usable_size(p, q) >= sz);
                pl[np] = (slot){q, sz < 48 ? sz : 48, id++};
                fill(&pl[np++]);
            }
            if (np == SLOTS) { /* keep room */
                verify(&pl[0]);
                rtm_pools_free(p, pl[0].p);
                pl[0] = pl[--np];
            }
            break;
        }
        case 5:
            if (np) {
                size_t k = BYTE() % np;
                verify(&pl[k]);
                rtm_pools_free(p, pl[k].p);
                pl[k] = pl[--np];
            }
            break;
        case 6:
            if (np) {
                size_t k = BYTE() % np, b = BYTE(), off = 1 + b % 15u;
                if (b & 0x80u) { /* double free: of a slab block or of a fallback block */
                    unsigned char *q = pl[k].p;
                    verify(&pl[k]);
                    rtm_pools_free(p, q);
                    pl[k] = pl[--np];
                    rtm_pools_free(p, q);
                } else {
                    rtm_pools_free(p, pl[k].p + off);
                }
                pools_bad++;
                expected_reports++;
            }
            break;
        default:
            rtm_slab_reset_max(&s);
            rtm_pools_reset_peaks(p);
            break;
        }
        REQUIRE(rtm_slab_check(&s) == RTM_OK);
        REQUIRE(rtm_pools_check(p) == RTM_OK);
        rtm_slab_stats st;
        rtm_slab_get_stats(&s, &st);
        REQUIRE(st.used == ns && st.failed_allocs == slab_failed && st.bad_frees == slab_bad);
        rtm_pools_stats ps;
        rtm_pools_get_stats(p, &ps);
        REQUIRE(ps.bad_frees == pools_bad);
        REQUIRE(g_reports == expected_reports);
    }
    for (size_t i = 0; i < ns; i++) {
        verify(&sl[i]);
        rtm_slab_free(&s, sl[i].p);
    }
    for (size_t i = 0; i < np; i++) {
        verify(&pl[i]);
        rtm_pools_free(p, pl[i].p);
    }
    rtm_heap_stats hs;
    rtm_heap_get_stats(h, &hs);
    REQUIRE(hs.used == 0);
    REQUIRE(g_reports == expected_reports);
    REQUIRE(rtm_slab_destroy(&s) == RTM_OK);
    REQUIRE(rtm_pools_destroy(p) == RTM_OK);
    rtm_san_access(g_pools_buf, sizeof g_pools_buf);
    return 0;
#undef BYTE
}
