/*
 * Slab unit tests: exact-layout scenarios, RTM_SLAB_DEFINE, bad input, deliberate corruption,
 * randomized test against a reference model (RTM_SEED replays it).
 * Built five times (tests/slab/CMakeLists.txt): default options, RTM_SLAB_WAIT=0,
 * RTM_SLAB_LOCKING=0, RTM_SLAB_LOCKING=0 + RTM_SLAB_DOUBLE_FREE_CHECK=0, RTM_SLAB_DOUBLE_FREE_CHECK=2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rtm_sanitize.h"
#include "rtm_test.h"
#include "rtmem/slab.h"

#if defined(RTM_DEBUG) && RTM_DEBUG
#define CHECK_EVERY_OP 1
#else
#define CHECK_EVERY_OP 0
#endif

static _Alignas(64) unsigned char g_buf[RTM_SLAB_BUF_SIZE(4096, 64) + 64];

static void expect_stats(const rtm_slab *s, size_t used, size_t max_used, size_t failed, size_t bad)
{
    rtm_slab_stats st;
    rtm_slab_get_stats(s, &st);
    assert_int_equal(st.used, used);
    assert_int_equal(st.free, st.count - used);
    assert_int_equal(st.max_used, max_used);
    assert_int_equal(st.failed_allocs, failed);
    assert_int_equal(st.bad_frees, bad);
    assert_int_equal(st.waiters, 0);
    assert_int_equal(rtm_slab_check(s), RTM_OK);
}

/* Writes the free-list link of free block @p blk (poisoned under ASan/memcheck). */
static void *poke_link(void *blk, void *val)
{
    void *old;
    rtm_san_access(blk, sizeof old);
    memcpy(&old, blk, sizeof old);
    memcpy(blk, &val, sizeof val);
    rtm_san_noaccess(blk, sizeof old);
    return old;
}

/* ---- scenarios ---------------------------------------------------------------------------------- */
static void test_layout(void **state)
{
    (void)state;
    rtm_slab s;
    rtm_test_hook_install();
    assert_int_equal(rtm_slab_init(&s, g_buf, 24, 4), RTM_OK);
    assert_int_equal(rtm_slab_block_size(&s), 24);
    expect_stats(&s, 0, 0, 0, 0);
    rtm_slab_stats st;
    rtm_slab_get_stats(&s, &st);
    assert_int_equal(st.block_size, 24);
    assert_int_equal(st.count, 4);
    /* lazy carving hands out blocks in address order */
    unsigned char *b[4];
    for (int i = 0; i < 4; i++) {
        b[i] = rtm_slab_alloc(&s, RTM_NO_WAIT);
        assert_ptr_equal(b[i], g_buf + 24 * i);
        expect_stats(&s, (size_t)i + 1, (size_t)i + 1, 0, 0);
    }
    assert_null(rtm_slab_alloc(&s, RTM_NO_WAIT));
    expect_stats(&s, 4, 4, 1, 0);
    /* recycled blocks come back last-in first-out */
    rtm_slab_free(&s, b[1]);
    expect_stats(&s, 3, 4, 1, 0);
    assert_ptr_equal(rtm_slab_alloc(&s, RTM_NO_WAIT), b[1]);
    rtm_slab_free(&s, b[2]);
    rtm_slab_free(&s, b[0]);
    expect_stats(&s, 2, 4, 1, 0);
    rtm_slab_reset_max(&s);
    expect_stats(&s, 2, 2, 1, 0);
    assert_ptr_equal(rtm_slab_alloc(&s, RTM_NO_WAIT), b[0]);
    assert_ptr_equal(rtm_slab_alloc(&s, RTM_NO_WAIT), b[2]);
    expect_stats(&s, 4, 4, 1, 0);
    for (int i = 0; i < 4; i++) rtm_slab_free(&s, b[i]);
    expect_stats(&s, 0, 4, 1, 0);
    assert_int_equal(rtm_test_hook_total(), 0);
    /* the bitmap sits right after the blocks: nothing else in the buffer is touched */
    assert_int_equal(RTM_SLAB_BUF_SIZE(24, 4), 4 * 24 + RTM_SLAB_MAP_BYTES(4));
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}

static void test_stride_rounding(void **state)
{
    (void)state;
    rtm_slab s;
    /* 13 bytes -> one pointer multiple; strides with odd parts 1, 3, 5, 7 and large ones */
    static const size_t sizes[] = {sizeof(void *), 13, 24, 40, 56, 100, 4096, 4104};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t bs = sizes[k], n = 7;
        assert_int_equal(rtm_slab_init(&s, g_buf, bs, n), RTM_OK);
        size_t stride = rtm_slab_block_size(&s);
        assert_true(stride >= bs && stride % sizeof(void *) == 0 && stride < bs + sizeof(void *));
        assert_true(RTM_SLAB_BUF_SIZE(bs, n) == stride * n + RTM_SLAB_MAP_BYTES(n));
        void *p[7];
        for (size_t i = 0; i < n; i++) {
            p[i] = rtm_slab_alloc(&s, RTM_NO_WAIT);
            assert_ptr_equal(p[i], g_buf + i * stride);
            assert_true(rtm_slab_contains(&s, p[i]));
            assert_true(rtm_slab_contains(&s, (char *)p[i] + stride - 1));
        }
        assert_false(rtm_slab_contains(&s, g_buf + n * stride));
        assert_false(rtm_slab_contains(&s, (void *)((uintptr_t)g_buf - 1)));
        for (size_t i = 0; i < n; i++) rtm_slab_free(&s, p[n - 1 - i]);
        expect_stats(&s, 0, n, 0, 0);
        assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
    }
}

/* ---- RTM_SLAB_DEFINE: usable with no init call -------------------------------------------------- */
RTM_SLAB_DEFINE_STATIC(def_small, 13, 10, 16);
RTM_SLAB_DEFINE_STATIC(def_odd, 24, 5, 8);
RTM_SLAB_DEFINE_STATIC(def_big, 100, 3, 64);
RTM_SLAB_DEFINE(def_extern, 8, 65, 1);

static void define_case(rtm_slab *s, size_t stride, size_t count, size_t align)
{
    void *p[65];
    assert_int_equal(rtm_slab_block_size(s), stride);
    assert_int_equal(rtm_slab_check(s), RTM_OK);
    for (size_t i = 0; i < count; i++) {
        p[i] = rtm_slab_alloc(s, RTM_NO_WAIT);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % align, 0);
        if (i) assert_int_equal((uintptr_t)p[i] - (uintptr_t)p[i - 1], stride);
        memset(p[i], 0xA5, stride);
    }
    assert_null(rtm_slab_alloc(s, RTM_NO_WAIT));
    assert_int_equal(rtm_slab_check(s), RTM_OK);
    for (size_t i = 0; i < count; i++) rtm_slab_free(s, p[i]);
    expect_stats(s, 0, count, 1, 0);
}

static void test_define(void **state)
{
    (void)state;
    define_case(&def_small, 16, 10, 16);
    define_case(&def_odd, 24, 5, 8);
    define_case(&def_big, 128, 3, 64);
    define_case(&def_extern, 8, 65, sizeof(void *));
}

/* ---- bad input ----------------------------------------------------------------------------------- */
static void test_init_rejects(void **state)
{
    (void)state;
    rtm_slab s, before;
    rtm_test_hook_install();
    memset(&s, 0x5A, sizeof s);
    before = s;
    assert_int_equal(rtm_slab_init(NULL, g_buf, 16, 4), RTM_ERR_ARG);
    assert_int_equal(rtm_slab_init(&s, NULL, 16, 4), RTM_ERR_ARG);
    assert_int_equal(rtm_slab_init(&s, g_buf, sizeof(void *) - 1, 4), RTM_ERR_SIZE);
    assert_int_equal(rtm_slab_init(&s, g_buf, 0, 4), RTM_ERR_SIZE);
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, 0), RTM_ERR_SIZE);
    assert_int_equal(rtm_slab_init(&s, g_buf + 1, 16, 4), RTM_ERR_ALIGN);
    assert_int_equal(rtm_slab_init(&s, g_buf, SIZE_MAX, 4), RTM_ERR_SIZE);
    assert_int_equal(rtm_slab_init(&s, g_buf, SIZE_MAX - 3, 1), RTM_ERR_SIZE);
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, SIZE_MAX / 8), RTM_ERR_SIZE);
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, SIZE_MAX), RTM_ERR_SIZE);
    /* fits size_t, but the buffer would wrap around the end of the address space */
    assert_int_equal(rtm_slab_init(&s, g_buf, 64, (SIZE_MAX - (uintptr_t)g_buf) / 64 + 1), RTM_ERR_SIZE);
    assert_memory_equal(&s, &before, sizeof s);
    assert_int_equal(rtm_test_hook_total(), 11);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_SIZE), 8);
    /* NULL handles elsewhere */
    assert_null(rtm_slab_alloc(NULL, RTM_NO_WAIT));
    rtm_slab_free(NULL, g_buf);
    rtm_slab_free(NULL, NULL);
    assert_int_equal(rtm_slab_check(NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_slab_destroy(NULL), RTM_ERR_ARG);
    assert_int_equal(rtm_slab_block_size(NULL), 0);
    rtm_slab_stats st;
    rtm_slab_get_stats(NULL, &st);
    assert_int_equal(st.count, 0);
    rtm_slab_get_stats(NULL, NULL);
    rtm_slab_reset_max(NULL);
    assert_false(rtm_slab_contains(NULL, g_buf));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 2 + 2);
}

/* A zero-filled slab (a static one nobody initialised, slab.h) is not a slab: the calls that can
 * tell without costing the alloc fast path say so, and none divides by its zero stride. */
static void test_never_initialised(void **state)
{
    (void)state;
    static rtm_slab zero;
    rtm_test_hook_install();
    assert_false(rtm_slab_contains(&zero, g_buf));
    assert_false(rtm_slab_contains(&zero, (void *)(uintptr_t)8));
    assert_int_equal(rtm_slab_check(&zero), RTM_ERR_CORRUPT);
    rtm_slab_free(&zero, g_buf);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
    rtm_slab_stats st;
    rtm_slab_get_stats(&zero, &st);
    assert_int_equal(st.count, 0);
    assert_int_equal(st.bad_frees, 1);
    assert_int_equal(rtm_slab_block_size(&zero), 0);
}

static void test_bad_frees(void **state)
{
    (void)state;
    rtm_slab s;
    static _Alignas(16) unsigned char other[64];
    assert_int_equal(rtm_slab_init(&s, g_buf, 40, 8), RTM_OK);
    rtm_test_hook_install();
    unsigned char *a = rtm_slab_alloc(&s, RTM_NO_WAIT), *b = rtm_slab_alloc(&s, RTM_NO_WAIT);
    rtm_slab_free(&s, NULL); /* no-op, not counted */
    expect_stats(&s, 2, 2, 0, 0);
    size_t bad = 0;
    /* interior, foreign, past the end, just before the start */
    void *const wrong[] = {a + 1, a + 8, b + 39, other, g_buf + 8 * 40, (void *)((uintptr_t)g_buf - 40), (void *)((uintptr_t)g_buf - 1),
                           (void *)(uintptr_t)1, (void *)UINTPTR_MAX};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        rtm_slab_free(&s, wrong[i]);
        assert_ptr_equal(rtm_test_hook_last_ptr, wrong[i]);
        assert_ptr_equal(rtm_test_hook_last_obj, &s);
        expect_stats(&s, 2, 2, 0, ++bad);
    }
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), bad);
#if RTM_SLAB_DOUBLE_FREE_CHECK
    /* a block never handed out yet: far in the tail, and the next one to be carved */
    rtm_slab_free(&s, g_buf + 5 * 40);
    expect_stats(&s, 2, 2, 0, ++bad);
    rtm_slab_free(&s, g_buf + 2 * 40);
    expect_stats(&s, 2, 2, 0, ++bad);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), bad);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 0);
    /* double free */
    rtm_slab_free(&s, a);
    expect_stats(&s, 1, 2, 0, bad);
    rtm_slab_free(&s, a);
    expect_stats(&s, 1, 2, 0, ++bad);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    assert_ptr_equal(rtm_slab_alloc(&s, RTM_NO_WAIT), a); /* the list is intact */
    rtm_slab_free(&s, a);
    rtm_slab_free(&s, b);
    rtm_slab_free(&s, b);
    expect_stats(&s, 0, 2, 0, ++bad);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 2);
#else
    /* without the bitmap a never-allocated block is accepted: documented */
    (void)bad;
#endif
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}

#if RTM_SLAB_WAIT
static void test_timeout_single_thread(void **state)
{
    (void)state;
    rtm_slab s;
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, 1), RTM_OK);
    void *a = rtm_slab_alloc(&s, 5);
    assert_non_null(a);
    assert_null(rtm_slab_alloc(&s, 5)); /* waits, nobody frees, times out */
    assert_null(rtm_slab_alloc(&s, 1));
    expect_stats(&s, 1, 1, 2, 0);
    rtm_slab_free(&s, a);
    assert_ptr_equal(rtm_slab_alloc(&s, RTM_FOREVER), a); /* free block: no wait */
    rtm_slab_free(&s, a);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}

/* rtm_slab_check with a caller queued: a waiter is queued only while the slab has nothing to give,
 * no recycled block and no never-used one. The record is a stand-in with slab.c's layout of
 * struct rtm_slab_waiter (next, prev, block), linked in by hand. */
static void test_check_waiters(void **state)
{
    (void)state;
    rtm_slab s;
    struct {
        void *next, *prev, *block;
    } fake = {NULL, NULL, NULL};
    rtm_test_hook_install();
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, 2), RTM_OK);
    void *a = rtm_slab_alloc(&s, RTM_NO_WAIT), *b = rtm_slab_alloc(&s, RTM_NO_WAIT);
    rtm_slab copy = s;
    s.wait_head = s.wait_tail = (struct rtm_slab_waiter *)(void *)&fake;
    s.waiters = 1;
    assert_int_equal(rtm_slab_check(&s), RTM_OK); /* exhausted: a caller may wait */
    s = copy;
    rtm_slab_free(&s, b); /* every block carved, one recycled: nobody may be waiting */
    copy = s;
    s.wait_head = s.wait_tail = (struct rtm_slab_waiter *)(void *)&fake;
    s.waiters = 1;
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
    assert_int_equal(rtm_slab_check(&s), RTM_OK);
    rtm_slab_free(&s, a);
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, 2), RTM_OK);
    a = rtm_slab_alloc(&s, RTM_NO_WAIT); /* none recycled, one never used: nobody may be waiting */
    copy = s;
    s.wait_head = s.wait_tail = (struct rtm_slab_waiter *)(void *)&fake;
    s.waiters = 1;
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
    rtm_slab_free(&s, a);
    expect_stats(&s, 0, 1, 0, 0);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 2);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}
#else
/* Without waiting support every timeout acts as RTM_NO_WAIT (RTM_FOREVER would hang otherwise). */
static void test_timeout_is_no_wait(void **state)
{
    (void)state;
    rtm_slab s;
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, 1), RTM_OK);
    void *a = rtm_slab_alloc(&s, RTM_FOREVER);
    assert_non_null(a);
    assert_null(rtm_slab_alloc(&s, RTM_FOREVER));
    assert_null(rtm_slab_alloc(&s, 1000));
    expect_stats(&s, 1, 1, 2, 0);
    rtm_slab_free(&s, a);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}
#endif

/* ---- deliberate corruption --------------------------------------------------------------------- */
static void test_corruption(void **state)
{
    (void)state;
    rtm_slab s;
    rtm_test_hook_install();
    assert_int_equal(rtm_slab_init(&s, g_buf, 32, 70), RTM_OK);
    void *p[10];
    for (int i = 0; i < 10; i++) {
        p[i] = rtm_slab_alloc(&s, RTM_NO_WAIT);
        memset(p[i], 0, 32);
    }
    rtm_slab_free(&s, p[3]);
    rtm_slab_free(&s, p[7]);
    assert_int_equal(rtm_slab_check(&s), RTM_OK);

    /* The link in a free block is an address or a block index (slab.h); find out which from the
     * link of p[7], freed last, which names p[3]. */
    void *raw = poke_link(p[7], NULL);
    poke_link(p[7], raw);
    bool index_links = (uintptr_t)raw == 3;
    assert_true(index_links || raw == p[3]);
#define ENC(blk) ((void *)(index_links ? (uintptr_t)(((unsigned char *)(blk) - g_buf) / 32) : (uintptr_t)(blk)))
    /* a free-list link overwritten (use after free): interior, foreign, cycle, never-used block */
    void *const links[] = {index_links ? (void *)(uintptr_t)70 : (char *)p[5] + 4,
                           index_links ? (void *)(UINTPTR_MAX - 1) : (void *)&s, ENC(p[7]), ENC(g_buf + 32 * 40)};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        void *old = poke_link(p[7], links[i]);
        assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
        assert_ptr_equal(rtm_test_hook_last_ptr, p[7]); /* the block whose link is bad */
        poke_link(p[7], old);
        assert_int_equal(rtm_slab_check(&s), RTM_OK);
    }
    /* a free block linked to a used one */
    void *old = poke_link(p[3], ENC(p[2]));
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    poke_link(p[3], old);
#undef ENC

#if RTM_SLAB_DOUBLE_FREE_CHECK
    /* one byte written past the last block lands in the bitmap */
    unsigned char *map = g_buf + 70 * 32, saved = map[0];
    map[0] ^= 0x08; /* block 3 (free) now looks used */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    map[0] = saved;
    map[1] ^= 0x80; /* block 15: never handed out */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    map[1] ^= 0x80;
    map[RTM_SLAB_MAP_BYTES(70) - 1] ^= 0x80; /* padding bit past count */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    map[RTM_SLAB_MAP_BYTES(70) - 1] ^= 0x80;
    map[0] ^= 0x01; /* block 0 (used) now looks free: the count is off */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    /* and its free is refused as a double free, the list untouched */
    rtm_slab_free(&s, p[0]);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    map[0] = saved;
#endif
    assert_int_equal(rtm_slab_check(&s), RTM_OK);
    /* corrupted control block */
    rtm_slab copy = s;
    s.used = 11;
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
    s.inv ^= 2;
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
    s.fresh = 71;
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
    s.max_used = s.used - 1; /* a peak below the current use */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
    s.max_used = 71; /* a peak above count, every other figure right */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
#if RTM_SLAB_WAIT
    /* (a waiter counted but none queued is no damage: a caller served by a free stays counted
     * until it returns from rtm_slab_alloc, so that rtm_slab_destroy waits for it) */
    s.waiters = 1;
    assert_int_equal(rtm_slab_check(&s), RTM_OK);
    s = copy;
    s.wake_owed = 2; /* a flag that is 0 or 1 */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    s = copy;
#endif
    assert_int_equal(rtm_slab_check(&s), RTM_OK);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), (RTM_SLAB_DOUBLE_FREE_CHECK ? 12 : 8) + 2 + RTM_SLAB_WAIT);
    for (int i = 0; i < 10; i++)
        if (i != 3 && i != 7) rtm_slab_free(&s, p[i]);
    expect_stats(&s, 0, 10, 0, RTM_SLAB_DOUBLE_FREE_CHECK ? 1 : 0);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}

#if RTM_SLAB_DOUBLE_FREE_CHECK == 2
/* The byte map holds 0 or 1 per block; a free finds any other value (a stray write) and refuses
 * the block as not in use, leaving the byte for rtm_slab_check to report. */
static void test_bytemap_garbage(void **state)
{
    (void)state;
    rtm_slab s;
    rtm_test_hook_install();
    assert_int_equal(rtm_slab_init(&s, g_buf, 16, 4), RTM_OK);
    void *a = rtm_slab_alloc(&s, RTM_NO_WAIT), *b = rtm_slab_alloc(&s, RTM_NO_WAIT);
    unsigned char *map = g_buf + 4 * 16;
    assert_int_equal(map[0], 1);
    assert_int_equal(map[1], 1);
    map[0] = 3; /* bit 0 still set: a bitwise test would take it */
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    rtm_slab_free(&s, a);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    assert_int_equal(map[0], 3);
    map[0] = 1;
    expect_stats(&s, 2, 2, 0, 1);
    rtm_slab_free(&s, a);
    rtm_slab_free(&s, b);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 0);
    expect_stats(&s, 0, 2, 0, 1);
    /* a stray 2 in the byte of a free block: bit 0 clear, so it does not count as used and the
     * used count still adds up; only the 0-or-1 rule finds it */
    map[1] = 2;
    assert_int_equal(rtm_slab_check(&s), RTM_ERR_CORRUPT);
    map[1] = 0;
    assert_int_equal(rtm_slab_check(&s), RTM_OK);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
}
#endif

/* ---- randomized against a model ------------------------------------------------------------------ */
typedef struct {
    size_t count, stride;
    void **blk;        /* per index: address, or NULL while free */
    uint64_t *id;      /* per index: id of the live block (pattern seed) */
    size_t used, max_used, failed, bad;
    size_t *live;      /* indices of live blocks, for O(1) random choice */
} model;

static void fill(void *p, size_t n, uint64_t id)
{
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++) c[i] = (unsigned char)(id * 131u + i);
}
static void verify(const void *p, size_t n, uint64_t id)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(id * 131u + i)) fail_msg("block %p (id %llu) damaged at +%zu", p, (unsigned long long)id, i);
}

static void random_run(rtm_test_rng *rng, size_t block_size, size_t count, size_t ops)
{
    rtm_slab s;
    size_t bytes = RTM_SLAB_BUF_SIZE(block_size, count);
    unsigned char *buf = aligned_alloc(64, (bytes + 63) / 64 * 64);
    assert_non_null(buf);
    assert_int_equal(rtm_slab_init(&s, buf, block_size, count), RTM_OK);
    model m = {count, rtm_slab_block_size(&s), calloc(count, sizeof(void *)), calloc(count, sizeof(uint64_t)),
               0, 0, 0, 0, calloc(count, sizeof(size_t))};
    assert_true(m.blk && m.id && m.live);
    rtm_test_hook_install();
    uint64_t next_id = 1;
    size_t fill_bytes = m.stride < 64 ? m.stride : 64;
    for (size_t op = 0; op < ops; op++) {
        uint64_t r = rtm_test_rnd(rng, 1000);
        /* bias towards filling up, then draining, so both ends are visited */
        bool grow = ((op / (count * 2 + 1)) & 1) == 0;
        if (r < (grow ? 600u : 350u)) {
            void *p = rtm_slab_alloc(&s, RTM_NO_WAIT);
            if (m.used == count) {
                assert_null(p);
                m.failed++;
            } else {
                assert_non_null(p);
                size_t i = (size_t)((unsigned char *)p - buf) / m.stride;
                assert_true(i < count && buf + i * m.stride == p && m.blk[i] == NULL);
                m.blk[i] = p;
                m.id[i] = next_id++;
                m.live[m.used++] = i;
                if (m.used > m.max_used) m.max_used = m.used;
                fill(p, fill_bytes, m.id[i]);
            }
        } else if (r < 990u) {
            if (m.used == 0) continue;
            size_t k = (size_t)rtm_test_rnd(rng, m.used), i = m.live[k];
            verify(m.blk[i], fill_bytes, m.id[i]);
            rtm_slab_free(&s, m.blk[i]);
            m.blk[i] = NULL;
            m.live[k] = m.live[--m.used];
        } else if (r < 995u) {
            /* a wrong pointer: interior of a random block, or a free block (double free) */
            size_t i = (size_t)rtm_test_rnd(rng, count);
            if (m.blk[i] != NULL || RTM_SLAB_DOUBLE_FREE_CHECK != 0) {
                size_t off = m.blk[i] != NULL ? 1 + (size_t)rtm_test_rnd(rng, m.stride - 1) : 0;
                rtm_slab_free(&s, buf + i * m.stride + off);
                m.bad++;
            }
        } else {
            rtm_slab_reset_max(&s);
            m.max_used = m.used;
        }
        if (CHECK_EVERY_OP || (op & 1023u) == 0) {
            rtm_slab_stats st;
            assert_int_equal(rtm_slab_check(&s), RTM_OK);
            rtm_slab_get_stats(&s, &st);
            assert_int_equal(st.used, m.used);
            assert_int_equal(st.max_used, m.max_used);
            assert_int_equal(st.failed_allocs, m.failed);
            assert_int_equal(st.bad_frees, m.bad);
        }
    }
    assert_int_equal(rtm_test_hook_total(), m.bad);
    while (m.used) {
        size_t i = m.live[--m.used];
        verify(m.blk[i], fill_bytes, m.id[i]);
        rtm_slab_free(&s, m.blk[i]);
    }
    expect_stats(&s, 0, m.max_used, m.failed, m.bad);
    assert_int_equal(rtm_slab_destroy(&s), RTM_OK);
    free(m.blk);
    free(m.id);
    free(m.live);
    free(buf);
}

static void test_random(void **state)
{
    (void)state;
    rtm_test_rng rng = {rtm_test_seed()};
    static const struct { size_t bs, n; } geo[] = {{8, 1}, {8, 64}, {13, 65}, {24, 200}, {40, 129}, {96, 1000}, {520, 33}};
    size_t total = rtm_test_ops(1200000), per = total / (sizeof geo / sizeof geo[0]) + 1;
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) random_run(&rng, geo[g].bs, geo[g].n, per);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_stride_rounding),
        cmocka_unit_test(test_define),
        cmocka_unit_test(test_init_rejects),
        cmocka_unit_test(test_never_initialised),
        cmocka_unit_test(test_bad_frees),
#if RTM_SLAB_WAIT
        cmocka_unit_test(test_timeout_single_thread),
        cmocka_unit_test(test_check_waiters),
#else
        cmocka_unit_test(test_timeout_is_no_wait),
#endif
        cmocka_unit_test(test_corruption),
#if RTM_SLAB_DOUBLE_FREE_CHECK == 2
        cmocka_unit_test(test_bytemap_garbage),
#endif
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
