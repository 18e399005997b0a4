/*
 * Ring allocator, single-producer / single-consumer stress: a producer thread and a consumer thread
 * move rtm_test_ops(20,000,000) records (tens of millions in Release; scaled down for debug,
 * sanitizer and valgrind builds) through one ring with no lock. Both sides draw record sizes from
 * the same seeded generator, so the consumer knows the exact size and contents of every record;
 * every byte is checked. The producer also checks that a claim of at most rtm_ring_max_claim()
 * bytes never fails (the consumer can only make room); a third thread reads the statistics all
 * along. Label mt: runs under ThreadSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "rtm_test.h"
#include "rtmem/ring.h"

#define RING_BYTES 65536u
#define MAX_REC 200u

static _Alignas(64) unsigned char g_buf[RING_BYTES];
static rtm_ring g_ring;
static size_t g_count;
static uint64_t g_seed;
static atomic_int g_done;

typedef struct {
    size_t waits;       /* times the side found nothing to do */
    size_t errors;      /* unexpected results (must stay 0) */
    size_t first_bad;   /* record index of the first error */
    uint64_t checksum;  /* sum over contents (consumer) */
} side;

/* Size of record i and how much of the claim is committed: a shared deterministic sequence. */
static void rec_shape(rtm_test_rng *rng, size_t *claim, size_t *len)
{
    uint64_t x = rtm_test_next(rng);
    size_t c = (x & 7u) == 0 ? 1 + (size_t)((x >> 8) % MAX_REC) : 1 + (size_t)((x >> 8) % 48u);
    *claim = c;
    *len = (x & 0x30u) == 0 ? 1 + (size_t)((x >> 20) % c) : c; /* a quarter commit less */
}
static inline unsigned char rec_byte(size_t i, size_t j) { return (unsigned char)(i * 0x9Du + j * 0x3Bu + (i >> 9)); }

static void backoff(size_t *waits)
{
    if ((++*waits & 7u) == 0) sched_yield();
}

static void *producer(void *arg)
{
    side *s = arg;
    rtm_test_rng rng = { g_seed };
    for (size_t i = 0; i < g_count; i++) {
        size_t want, len;
        rec_shape(&rng, &want, &len);
        unsigned char *p;
        for (;;) {
            size_t room = rtm_ring_max_claim(&g_ring);
            p = rtm_ring_claim(&g_ring, want);
            if (p != NULL) break;
            if (room >= want && s->errors++ == 0) s->first_bad = i; /* room can only grow */
            backoff(&s->waits);
        }
        memcpy(p, &i, sizeof i < len ? sizeof i : len);
        for (size_t j = sizeof i; j < len; j++) p[j] = rec_byte(i, j);
        if (rtm_ring_commit(&g_ring, p, len) != RTM_OK && s->errors++ == 0) s->first_bad = i;
    }
    return NULL;
}

static void *consumer(void *arg)
{
    side *s = arg;
    rtm_test_rng rng = { g_seed };
    for (size_t i = 0; i < g_count; i++) {
        size_t want, len, n;
        rec_shape(&rng, &want, &len);
        unsigned char *p;
        while ((p = rtm_ring_peek(&g_ring, &n)) == NULL) backoff(&s->waits);
        bool ok = n == len && ((uintptr_t)p & (RTM_ALIGN - 1u)) == 0;
        size_t id = 0;
        memcpy(&id, p, sizeof id < n ? sizeof id : n);
        if (n >= sizeof id) ok = ok && id == i;
        for (size_t j = sizeof i; ok && j < n; j++) ok = p[j] == rec_byte(i, j);
        s->checksum += n + p[n - 1];
        if (!ok && s->errors++ == 0) s->first_bad = i;
        if (rtm_ring_release(&g_ring, p) != RTM_OK && s->errors++ == 0) s->first_bad = i;
    }
    return NULL;
}

/* A third context reads the statistics while both sides run: figures must stay within bounds. */
static void *monitor(void *arg)
{
    side *s = arg;
    while (!atomic_load(&g_done)) {
        rtm_ring_stats st;
        rtm_ring_get_stats(&g_ring, &st);
        s->waits++;
        /* (figures of the two sides are read one by one: only per-figure bounds hold) */
        size_t bad = (size_t)(st.used > st.capacity) | (size_t)(st.high_water > st.capacity) << 1 |
                     (size_t)(st.max_claim > st.capacity - RTM_RING_GRAIN) << 2 | (size_t)(st.bad_calls != 0) << 3 |
                     (size_t)(st.capacity != RING_BYTES) << 4;
        if (bad && s->errors++ == 0) s->first_bad = bad;
        struct timespec ts = { 0, 20000 }; /* 20 us: a slow observer, not a third spinner */
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void run(size_t count, uint64_t seed)
{
    g_count = count;
    g_seed = seed;
    assert_int_equal(rtm_ring_init(&g_ring, g_buf, sizeof g_buf), RTM_OK);
    side ps = { 0 }, cs = { 0 }, ms = { 0 };
    pthread_t tp, tc, tm;
    atomic_store(&g_done, 0);
    assert_int_equal(pthread_create(&tm, NULL, monitor, &ms), 0);
    assert_int_equal(pthread_create(&tc, NULL, consumer, &cs), 0);
    assert_int_equal(pthread_create(&tp, NULL, producer, &ps), 0);
    assert_int_equal(pthread_join(tp, NULL), 0);
    assert_int_equal(pthread_join(tc, NULL), 0);
    atomic_store(&g_done, 1);
    assert_int_equal(pthread_join(tm, NULL), 0);
    if (ms.errors) fail_msg("statistics out of bounds %zu times (first: condition mask %zu)", ms.errors, ms.first_bad);
    printf("[ INFO     ] %zu records, producer waited %zu times, consumer %zu times\n", count, ps.waits, cs.waits);
    if (ps.errors || cs.errors)
        fail_msg("producer errors %zu (first at record %zu), consumer errors %zu (first at record %zu)", ps.errors,
                 ps.first_bad, cs.errors, cs.first_bad);
    rtm_ring_stats st;
    rtm_ring_get_stats(&g_ring, &st);
    assert_int_equal(st.commits, count);
    assert_int_equal(st.releases, count);
    assert_int_equal(st.claims, count);
    assert_int_equal(st.used, 0);
    assert_int_equal(st.records, 0);
    assert_int_equal(st.bad_calls, 0);
    assert_int_equal(st.corrupt, 0);
    assert_true(st.high_water <= RING_BYTES);
    assert_true(st.wraps > 0 || count < 100);
    assert_int_equal(rtm_ring_check(&g_ring), RTM_OK);
    rtm_ring_deinit(&g_ring);
}

static void test_spsc_stress(void **state)
{
    (void)state;
    uint64_t seed = rtm_test_seed();
    rtm_test_hook_install(); /* before the threads start: the hook is not synchronised */
    size_t n = rtm_test_ops(20000000);
#if defined(RTM_VALGRIND) && RTM_VALGRIND
    n /= 5; /* memcheck serialises the two threads: 20,000 records under RTM_QUICK=1 */
#endif
    run(n, seed);
    assert_int_equal(rtm_test_hook_total(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spsc_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
