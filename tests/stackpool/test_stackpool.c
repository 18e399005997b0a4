/*
 * Stack pool unit tests: exact layout, painting, high-water and guard (overflow) detection,
 * RTM_STACKPOOL_DEFINE, bad input (pool unchanged), deliberate corruption of the state, and a
 * randomized test against a model of the free list (RTM_SEED replays it). rtm_stackpool_check()
 * runs after every operation in debug builds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "posix_private.h" /* rtm_posix_rtm_locks_held: the host tests run on the POSIX port */
#include "rtm_sanitize.h"
#include "rtm_test.h"
#include "rtmem/port.h"
#include "rtmem/stackpool.h"

#if defined(RTM_DEBUG) && RTM_DEBUG
#define CHECK_EVERY_OP 1
#else
#define CHECK_EVERY_OP 0
#endif

/* Stack size: a multiple of RTM_ALIGN but not of the alignment, so that each stack is followed by
 * a gap (1000 with RTM_ALIGN 8, 976 with 16); the stride is STRIDE (1024) either way. */
#define A 256u    /* alignment */
#define STRIDE 1024u
#define S (STRIDE - 3u * RTM_ALIGN)
#define N 6u
_Static_assert(A >= RTM_ALIGN && S % RTM_ALIGN == 0 && S % A != 0 && S > STRIDE - A, "test geometry");
#define GUARD RTM_STACKPOOL_GUARD
#define PAINT ((unsigned char)RTM_STACK_PAINT_BYTE)

static _Alignas(4096) unsigned char g_buf[RTM_STACKPOOL_BUF_SIZE(S, 64, A) + 4096];

static rtm_stackpool_stats stats(rtm_stackpool *p)
{
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(p, &st);
    return st;
}

static void expect_stats(rtm_stackpool *p, size_t in_use, size_t max_in_use, size_t worst, size_t failed, size_t bad,
                         size_t overflows)
{
    rtm_stackpool_stats st = stats(p);
    assert_int_equal(st.in_use, in_use);
    assert_int_equal(st.max_in_use, max_in_use);
    assert_int_equal(st.worst_used, worst);
    assert_int_equal(st.failed, failed);
    assert_int_equal(st.bad_releases, bad);
    assert_int_equal(st.overflows, overflows);
    assert_int_equal(rtm_stackpool_check(p), RTM_OK);
}

static int all_paint(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != PAINT) return 0;
    return 1;
}

/* Touches the top @p depth bytes of a stack, as a down-growing stack would. */
/* Uses @p depth bytes of stack @p s from the end a thread starts at (the top, or the bottom with
 * RTM_STACK_GROWS_UP=1). */
static void touch_top(unsigned char *s, size_t depth)
{
    memset(RTM_STACK_GROWS_UP ? s : s + S - depth, (int)(PAINT ^ 0xFFu), depth);
}

static void test_layout(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    assert_int_equal(RTM_STACKPOOL_STRIDE(S, A), STRIDE);
    assert_int_equal(RTM_STACKPOOL_BUF_SIZE(S, N, A), N * STRIDE + N * 4);
    memset(g_buf, 0, N * STRIDE);
    assert_int_equal(rtm_stackpool_init(&p, g_buf, RTM_STACKPOOL_BUF_SIZE(S, N, A), S, N, A), RTM_OK);
    assert_int_equal(rtm_stackpool_stack_size(&p), S);
    unsigned char *s[N];
    for (size_t i = 0; i < N; i++) {
        s[i] = rtm_stackpool_acquire(&p);
        assert_ptr_equal(s[i], g_buf + i * STRIDE);         /* address order, each aligned to A */
        assert_int_equal((uintptr_t)s[i] % A, 0);
        assert_true(all_paint(s[i], S));                    /* painted on acquire ... */
        if (!RTM_SAN_ACTIVE) assert_int_equal(s[i][S], 0); /* ... and not one byte more (no-access
                                                                under sanitizers) */
        assert_int_equal(rtm_stackpool_used(&p, s[i]), 0);
        expect_stats(&p, i + 1, i + 1, 0, 0, 0, 0);
    }
    assert_null(rtm_stackpool_acquire(&p));
    expect_stats(&p, N, N, 0, 1, 0, 0);

    touch_top(s[2], 300);
    assert_int_equal(rtm_stackpool_used(&p, s[2]), 300);
    assert_int_equal(rtm_stackpool_release(&p, s[2]), RTM_OK);
    expect_stats(&p, N - 1, N, 300, 1, 0, 0);
    touch_top(s[4], S - GUARD);                             /* deepest legal use: up to the guard */
    assert_int_equal(rtm_stackpool_release(&p, s[4]), RTM_OK);
    expect_stats(&p, N - 2, N, S - GUARD, 1, 0, 0);
    assert_int_equal(rtm_test_hook_total(), 0);

    /* LIFO reuse, repainted */
    assert_ptr_equal(rtm_stackpool_acquire(&p), s[4]);
    assert_true(all_paint(s[4], S));
    assert_ptr_equal(rtm_stackpool_acquire(&p), s[2]);
    assert_true(all_paint(s[2], S));
    rtm_stackpool_stats st = stats(&p);
    assert_int_equal(st.acquires, N + 2);
    assert_int_equal(st.releases, 2);
    assert_int_equal(st.count, N);
    assert_int_equal(st.stack_size, S);
    for (size_t i = 0; i < N; i++) assert_int_equal(rtm_stackpool_release(&p, s[i]), RTM_OK);
    expect_stats(&p, 0, N, S - GUARD, 1, 0, 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_stackpool_deinit(&p);
}

static void test_overflow(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&p, g_buf, sizeof g_buf, S, N, A), RTM_OK);
    /* one byte into the guard, at each end of it, and a write that skips the rest of the stack */
    size_t hits[] = { GUARD - 1, GUARD / 2, 0 };
    for (size_t k = 0; k < 3; k++) {
        unsigned char *s = rtm_stackpool_acquire(&p);
        if (RTM_STACK_GROWS_UP) s[S - 1 - hits[k]] = 0; else s[hits[k]] = 0;
        assert_int_equal(rtm_stackpool_release(&p, s), RTM_ERR_OVERFLOW);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_OVERFLOW), k + 1);
        assert_ptr_equal(rtm_test_hook_last_ptr, s);
        assert_ptr_equal(rtm_test_hook_last_obj, &p);
        /* released anyway */
        expect_stats(&p, 0, 1, S - hits[k], 0, 0, k + 1);
    }
    /* just above the guard: no report */
    unsigned char *s = rtm_stackpool_acquire(&p);
    if (RTM_STACK_GROWS_UP) s[S - 1 - GUARD] = 0; else s[GUARD] = 0;
    assert_int_equal(rtm_stackpool_release(&p, s), RTM_OK);
    assert_int_equal(rtm_test_hook_total(), 3);
    rtm_stackpool_deinit(&p);
}

RTM_STACKPOOL_DEFINE(g_static_pool, 2048, 3, 1024);

static void test_define(void **state)
{
    (void)state;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_check(&g_static_pool), RTM_OK);
    assert_int_equal(rtm_stackpool_stack_size(&g_static_pool), 2048);
    unsigned char *s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = rtm_stackpool_acquire(&g_static_pool);
        assert_non_null(s[i]);
        assert_int_equal((uintptr_t)s[i] % 1024, 0);
        if (i > 0) assert_int_equal(s[i] - s[i - 1], 2048);
        assert_true(all_paint(s[i], 2048));
    }
    assert_null(rtm_stackpool_acquire(&g_static_pool));
    for (int i = 0; i < 3; i++) assert_int_equal(rtm_stackpool_release(&g_static_pool, s[i]), RTM_OK);
    assert_int_equal(stats(&g_static_pool).max_in_use, 3);
    assert_int_equal(rtm_stackpool_check(&g_static_pool), RTM_OK);
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_stackpool_deinit(&g_static_pool);
}

static void test_init_errors(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    memset(&p, 0x5A, sizeof p);
    unsigned char before[sizeof p];
    memcpy(before, &p, sizeof p);
    const size_t need = RTM_STACKPOOL_BUF_SIZE(S, N, A);
    struct {
        void *buf;
        size_t bytes, size, count, align;
        rtm_err e;
    } cases[] = {
        { NULL, need, S, N, A, RTM_ERR_ARG },
        { g_buf, need, S, N, 0, RTM_ERR_ALIGN },
        { g_buf, need, S, N, 384, RTM_ERR_ALIGN },            /* not a power of two */
        { g_buf, need, S, N, RTM_ALIGN / 2, RTM_ERR_ALIGN },  /* below RTM_ALIGN */
        { g_buf + 128, need, S, N, A, RTM_ERR_ALIGN },        /* buffer not aligned to A */
        { g_buf + 1, need, S, N, A, RTM_ERR_ALIGN },          /* odd: bit 0 is part of the mask too */
        { g_buf, need, 0, N, A, RTM_ERR_SIZE },
        { g_buf, need, S + 1, N, A, RTM_ERR_SIZE },           /* not a multiple of RTM_ALIGN */
        { g_buf, need, GUARD, N, A, RTM_ERR_SIZE },           /* nothing above the guard */
        { g_buf, need, S, 0, A, RTM_ERR_SIZE },
        { g_buf, SIZE_MAX, S, (size_t)0xFFFFFF01u, A, RTM_ERR_SIZE },
        { g_buf, SIZE_MAX, SIZE_MAX - (RTM_ALIGN - 1u), 1, A, RTM_ERR_SIZE }, /* rounding up overflows */
        { g_buf, SIZE_MAX, SIZE_MAX / 2 / A * A, 3, A, RTM_ERR_SIZE }, /* size * count overflows */
        { g_buf, 1u << 20, 1024, 0xFFFFFF00u, A, (SIZE_MAX > 0xFFFFFFFFu) ? RTM_ERR_TOO_SMALL : RTM_ERR_SIZE },
        { g_buf, need - 1, S, N, A, RTM_ERR_TOO_SMALL },
        { g_buf, 0, S, N, A, RTM_ERR_TOO_SMALL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rtm_test_hook_install();
        assert_int_equal(rtm_stackpool_init(&p, cases[i].buf, cases[i].bytes, cases[i].size, cases[i].count,
                                            cases[i].align),
                         cases[i].e);
        assert_int_equal(rtm_test_hook_count(cases[i].e), 1);
        assert_memory_equal(&p, before, sizeof p);
    }
    /* a buffer that wraps around the address space */
    assert_int_equal(rtm_stackpool_init(&p, (void *)(UINTPTR_MAX - 1023u), SIZE_MAX, 64, 32, 1024), RTM_ERR_SIZE);
    assert_int_equal(rtm_stackpool_init(NULL, g_buf, need, S, N, A), RTM_ERR_ARG);
    rtm_test_hook_install();
    assert_null(rtm_stackpool_acquire(NULL));
    assert_int_equal(rtm_stackpool_release(NULL, g_buf), RTM_ERR_ARG);
    assert_int_equal(rtm_stackpool_used(NULL, g_buf), 0);
    assert_int_equal(rtm_stackpool_stack_size(NULL), 0);
    assert_int_equal(rtm_stackpool_check(NULL), RTM_ERR_ARG);
    rtm_stackpool_stats st;
    rtm_stackpool_get_stats(NULL, &st);
    assert_int_equal(st.count, 0);
    rtm_stackpool_deinit(NULL);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 7);
}

static void test_bad_release(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&p, g_buf, sizeof g_buf, S, N, A), RTM_OK);
    unsigned char *a = rtm_stackpool_acquire(&p), *b = rtm_stackpool_acquire(&p), *c = rtm_stackpool_acquire(&p);
    assert_int_equal(rtm_stackpool_release(&p, b), RTM_OK);
    touch_top(a, 100);
    rtm_stackpool_stats before = stats(&p);
    int local;
    struct {
        void *ptr;
        rtm_err e;
    } cases[] = {
        { NULL, RTM_ERR_BAD_PTR },
        { &local, RTM_ERR_BAD_PTR },
        { a + 8, RTM_ERR_BAD_PTR },              /* interior */
        { a + S, RTM_ERR_BAD_PTR },              /* the alignment gap after a stack */
        { a - STRIDE, RTM_ERR_BAD_PTR },         /* below the pool */
        { g_buf + N * STRIDE, RTM_ERR_BAD_PTR }, /* the state array after the last stack */
        { b, RTM_ERR_DOUBLE_FREE },              /* released already */
        { c + STRIDE, RTM_ERR_DOUBLE_FREE },     /* never handed out */
        { g_buf + (N - 1) * STRIDE, RTM_ERR_DOUBLE_FREE },
    };
    size_t bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rtm_test_hook_install();
        assert_int_equal(rtm_stackpool_release(&p, cases[i].ptr), cases[i].e);
        assert_int_equal(rtm_posix_rtm_locks_held(), 0);
        assert_int_equal(rtm_test_hook_count(cases[i].e), 1);
        assert_ptr_equal(rtm_test_hook_last_ptr, cases[i].ptr);
        rtm_stackpool_stats now = stats(&p);
        assert_int_equal(now.bad_releases, ++bad);
        now.bad_releases = before.bad_releases;
        assert_memory_equal(&now, &before, sizeof now);
        assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
        /* rtm_stackpool_used rejects the same pointers */
        assert_int_equal(rtm_stackpool_used(&p, cases[i].ptr), 0);
        assert_int_equal(rtm_test_hook_count(cases[i].e), 2);
        bad++;
    }
    assert_int_equal(rtm_stackpool_used(&p, a), 100);         /* a is untouched by all of that */
    assert_ptr_equal(rtm_stackpool_acquire(&p), b);
    assert_int_equal(rtm_stackpool_release(&p, a), RTM_OK);
    assert_int_equal(rtm_stackpool_release(&p, b), RTM_OK);
    assert_int_equal(rtm_stackpool_release(&p, c), RTM_OK);
    assert_int_equal(stats(&p).in_use, 0);
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    rtm_stackpool_deinit(&p);
}

static void test_corruption(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&p, g_buf, sizeof g_buf, S, N, A), RTM_OK);
    void *s[4];
    for (int i = 0; i < 4; i++) s[i] = rtm_stackpool_acquire(&p);
    assert_int_equal(rtm_stackpool_release(&p, s[1]), RTM_OK);
    assert_int_equal(rtm_stackpool_release(&p, s[3]), RTM_OK); /* free list: 3 -> 1 */
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    uint32_t l3 = p.link[3], l1 = p.link[1];
    struct {
        int what;
        uint32_t v;
    } damage[] = { { 3, 4 }, { 3, 0 }, { 3, 0xFFFFFFFFu }, { 1, 4 }, { 1, 2 }, { 1, N + 5 }, { 1, 0 } };
    for (size_t k = 0; k < sizeof damage / sizeof damage[0]; k++) {
        p.link[damage[k].what] = damage[k].v;  /* 3->itself, used, releasing, cycle, used entry, range */
        rtm_test_hook_install();
        assert_int_equal(rtm_stackpool_check(&p), RTM_ERR_CORRUPT);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 1);
        p.link[3] = l3;
        p.link[1] = l1;
        assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    }
    /* ... and the geometry: an alignment below RTM_ALIGN, a stack no larger than its guard band */
    /* (a stride one alignment too large is still a multiple of it and holds the stack: stacks past
     * the first would lie beyond the buffer) */
    size_t *fields[] = { &p.free_head, &p.in_use, &p.max_in_use, &p.fresh, &p.stride, &p.stride, &p.align, &p.stack_size };
    size_t vals[] = { N + 1, N + 1, 1, N + 1, 1000, p.stride + A, RTM_ALIGN / 2, GUARD };
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        size_t old = *fields[k];
        *fields[k] = vals[k];
        assert_int_equal(rtm_stackpool_check(&p), RTM_ERR_CORRUPT);
        *fields[k] = old;
        assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    }
    p.base += 1; /* an odd base: bit 0 is part of the alignment mask too */
    assert_int_equal(rtm_stackpool_check(&p), RTM_ERR_CORRUPT);
    p.base -= 1;
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    p.free_head = 0; /* the list lost: free count no longer adds up */
    assert_int_equal(rtm_stackpool_check(&p), RTM_ERR_CORRUPT);
    p.free_head = 4;
    /* acquire refuses a damaged list head instead of writing through it */
    p.link[3] = 0;
    rtm_test_hook_install();
    assert_null(rtm_stackpool_acquire(&p));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 1);
    assert_int_equal(rtm_posix_rtm_locks_held(), 0); /* the refusal left the critical section */
    p.free_head = N + 7;
    assert_null(rtm_stackpool_acquire(&p));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 2);
    assert_int_equal(rtm_posix_rtm_locks_held(), 0);
    p.free_head = 4;
    /* ... and a head whose link is out of range, which acquire took for the end of the list (the
     * rest of the list, stack 1, was lost) */
    p.link[3] = N + 5;
    assert_null(rtm_stackpool_acquire(&p));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 3);
    assert_int_equal(p.free_head, 4);
    p.link[3] = l3;
    /* ... and a head past count with fresh damaged past it too: the head is below fresh and its
     * "link" (a word of g_buf past the links) reads as the end of the list, so every check but
     * fresh <= count passed and the pool handed out stack N, which lies over the links */
    size_t fresh = p.fresh;
    p.fresh = N + 2;
    p.free_head = N + 1;
    p.link[N] = N + 1;
    assert_null(rtm_stackpool_acquire(&p));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 4);
    assert_int_equal(p.free_head, N + 1);
    assert_int_equal(p.link[N], N + 1);
    p.link[N] = 0;
    p.fresh = fresh;
    p.free_head = 4;
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    assert_int_equal(rtm_stackpool_release(&p, s[0]), RTM_OK);
    assert_int_equal(rtm_stackpool_release(&p, s[2]), RTM_OK);
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    rtm_stackpool_deinit(&p);
    /* The smallest alignment init accepts, RTM_ALIGN, is not damage (A is larger elsewhere). */
    assert_int_equal(rtm_stackpool_init(&p, g_buf, sizeof g_buf, S, N, RTM_ALIGN), RTM_OK);
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    /* S is a multiple of RTM_ALIGN: stride == S. A stride one alignment larger is still a multiple
     * of it and holds the stack, but is not S rounded up (the gap equals the alignment) */
    assert_int_equal(p.stride, S);
    rtm_test_hook_install();
    p.stride += RTM_ALIGN;
    assert_int_equal(rtm_stackpool_check(&p), RTM_ERR_CORRUPT);
    p.stride -= RTM_ALIGN;
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 1);
    rtm_stackpool_deinit(&p);
}

/* A pool of one stack: its whole life, checked at each step (count 1 is no damage). */
static void test_single_stack(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&p, g_buf, RTM_STACKPOOL_BUF_SIZE(S, 1, A), S, 1, A), RTM_OK);
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    unsigned char *s = rtm_stackpool_acquire(&p);
    assert_ptr_equal(s, g_buf);
    expect_stats(&p, 1, 1, 0, 0, 0, 0);
    assert_null(rtm_stackpool_acquire(&p));
    expect_stats(&p, 1, 1, 0, 1, 0, 0);
    assert_int_equal(rtm_stackpool_release(&p, s), RTM_OK);
    expect_stats(&p, 0, 1, 0, 1, 0, 0);
    assert_ptr_equal(rtm_stackpool_acquire(&p), s);
    assert_int_equal(rtm_stackpool_release(&p, s), RTM_OK);
    expect_stats(&p, 0, 1, 0, 1, 0, 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    rtm_stackpool_deinit(&p);
}

/* A release from inside the caller's own critical section (they nest) leaves it held: the release
 * enters and leaves its own sections in pairs, and never leaves one it did not enter. */
static void test_release_in_critical_section(void **state)
{
    (void)state;
    rtm_stackpool p;
    rtm_test_hook_install();
    assert_int_equal(rtm_stackpool_init(&p, g_buf, sizeof g_buf, S, N, A), RTM_OK);
    unsigned char *s = rtm_stackpool_acquire(&p);
    assert_int_equal(rtm_posix_rtm_locks_held(), 0);
    rtm_port_key key = rtm_port_critical_enter();
    assert_int_equal(rtm_posix_rtm_locks_held(), 1);
    assert_int_equal(rtm_stackpool_release(&p, s), RTM_OK);
    assert_int_equal(rtm_posix_rtm_locks_held(), 1);
    assert_int_equal(rtm_stackpool_release(&p, s), RTM_ERR_DOUBLE_FREE);
    assert_int_equal(rtm_posix_rtm_locks_held(), 1);
    rtm_port_critical_exit(key);
    assert_int_equal(rtm_posix_rtm_locks_held(), 0);
    expect_stats(&p, 0, 1, 0, 0, 1, 0);
    rtm_stackpool_deinit(&p);
}

/* Randomized against a model: free stacks form a LIFO after the never-used ones in address order. */
static void test_random_model(void **state)
{
    (void)state;
    uint64_t seed = rtm_test_seed();
    rtm_test_rng rng = { seed };
    rtm_test_hook_install();
    enum { M = 64 };
    const size_t sz = 64, al = 64;
    rtm_stackpool p;
    size_t ops = rtm_test_ops(1000000);
    assert_int_equal(rtm_stackpool_init(&p, g_buf, sizeof g_buf, sz, M, al), RTM_OK);
    unsigned char *live[M];
    size_t nlive = 0, fresh = 0, nfree = 0, free_stack[M], max_live = 0, worst = 0, failed = 0, bad = 0, ovf = 0;
    for (size_t op = 0; op < ops; op++) {
        unsigned k = (unsigned)rtm_test_rnd(&rng, 100);
        if (k < 50) {
            unsigned char *s = rtm_stackpool_acquire(&p);
            size_t want;
            if (nfree > 0) want = free_stack[--nfree];
            else if (fresh < M) want = fresh++;
            else want = SIZE_MAX;
            if (want == SIZE_MAX) {
                assert_null(s);
                failed++;
            } else {
                assert_ptr_equal(s, g_buf + want * al);
                assert_true(all_paint(s, sz));
                size_t depth = (size_t)rtm_test_rnd(&rng, sz + 1); /* sometimes into the guard */
                /* anything but the paint, from the end the stack grows from (the bottom if it grows up) */
                memset(RTM_STACK_GROWS_UP ? s : s + sz - depth, (int)(RTM_STACK_PAINT_BYTE ^ 0xFFu), depth);
                if (depth > worst) worst = depth;
                live[nlive++] = s;
                if (nlive > max_live) max_live = nlive;
            }
        } else if (k < 95) {
            if (nlive == 0) continue;
            size_t i = (size_t)rtm_test_rnd(&rng, nlive);
            unsigned char *s = live[i];
            live[i] = live[--nlive];
            size_t used = rtm_stackpool_used(&p, s);
            rtm_err e = rtm_stackpool_release(&p, s);
            assert_int_equal(e, used > sz - GUARD ? RTM_ERR_OVERFLOW : RTM_OK);
            ovf += e == RTM_ERR_OVERFLOW;
            free_stack[nfree++] = (size_t)(s - g_buf) / al;
        } else { /* a bad release */
            size_t idx = (size_t)rtm_test_rnd(&rng, M);
            unsigned char *s = g_buf + idx * al + (rtm_test_rnd(&rng, 2) ? 0 : 8);
            int is_live = 0;
            for (size_t i = 0; i < nlive; i++) is_live |= live[i] == s;
            if (is_live) continue;
            rtm_err e = rtm_stackpool_release(&p, s);
            assert_int_equal(e, ((size_t)(s - g_buf) % al) ? RTM_ERR_BAD_PTR : RTM_ERR_DOUBLE_FREE);
            bad++;
        }
        if (CHECK_EVERY_OP || op % 1024 == 0) {
            assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
            rtm_stackpool_stats st = stats(&p);
            assert_int_equal(st.in_use, nlive);
            assert_int_equal(st.max_in_use, max_live);
            assert_int_equal(st.failed, failed);
            assert_int_equal(st.bad_releases, bad);
            assert_int_equal(st.overflows, ovf);
        }
    }
    while (nlive > 0) ovf += rtm_stackpool_release(&p, live[--nlive]) == RTM_ERR_OVERFLOW;
    rtm_stackpool_stats st = stats(&p);
    assert_int_equal(st.overflows, ovf);
    assert_int_equal(st.worst_used, worst);
    assert_int_equal(st.in_use, 0);
    assert_int_equal(rtm_stackpool_check(&p), RTM_OK);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_OVERFLOW), ovf);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR) + rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), bad);
    rtm_stackpool_deinit(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_define),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_bad_release),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_single_stack),
        cmocka_unit_test(test_release_in_critical_section),
        cmocka_unit_test(test_random_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
