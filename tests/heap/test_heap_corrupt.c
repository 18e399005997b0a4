/*
 * Deliberate corruption: rtm_heap_check must return RTM_ERR_CORRUPT and report it through the
 * error hook; free must reject what its O(1) checks can see (double free, an overrun that leaves a
 * header's flags or size inconsistent). The check is read-only: undoing the damage makes it pass
 * again with the same block map.
 *
 * Header positions come from the public layout facts (heap_test_util.h): the header word sits just
 * before the payload; block sizes are multiples of RTM_ALIGN, so bits 3 and up of a header are the
 * size and bits 0-2 are flags (docs/heap.md: bit 0 FREE, bit 1 PREV_FREE, bit 2 ALIGNED). A free
 * block holds, after its header, the next and previous list links and ends in a footer (its header
 * word again: size | FREE).
 * Blocks left live in a damaged heap are kept reachable (ht_keep) so that leak checkers stay quiet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rtm_test.h"
#include "heap_test_util.h"

#define FLAG_FREE ((size_t)1)
#define FLAG_PREV_FREE ((size_t)2)

/* Reads / writes heap metadata as the test: opens the bytes to sanitizers for the access only. */
static size_t peek_word(const void *at)
{
    size_t v;
    rtm_san_access((void *)(uintptr_t)at, sizeof v);
    memcpy(&v, at, sizeof v);
    rtm_san_noaccess((void *)(uintptr_t)at, sizeof v);
    return v;
}
static void poke_word(void *at, size_t v)
{
    rtm_san_access(at, sizeof v);
    memcpy(at, &v, sizeof v);
    rtm_san_noaccess(at, sizeof v);
}
static void poke_byte(void *at, unsigned char v)
{
    rtm_san_access(at, 1);
    *(unsigned char *)at = v;
    rtm_san_noaccess(at, 1);
}
static unsigned char peek_byte(const void *at)
{
    rtm_san_access((void *)(uintptr_t)at, 1);
    unsigned char v = *(const unsigned char *)at;
    rtm_san_noaccess((void *)(uintptr_t)at, 1);
    return v;
}
static unsigned char *header_of(void *payload) { return (unsigned char *)payload - HT_HDR; }

/* rtm_heap_check finds the damage and reports RTM_ERR_CORRUPT (object h, a non-NULL address). */
static void expect_corrupt(const rtm_heap *h)
{
    rtm_test_hook_install();
    assert_int_equal(rtm_heap_check(h), RTM_ERR_CORRUPT);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_CORRUPT), 1);
    assert_int_equal(rtm_test_hook_total(), 1);
    assert_ptr_equal(rtm_test_hook_last_obj, h);
    assert_non_null(rtm_test_hook_last_ptr);
}

/* free(p) is rejected (reported, counted in bad_frees) */
static void expect_free_rejected(rtm_heap *h, void *p)
{
    size_t bad = ht_stats(h).bad_frees, frees = ht_stats(h).frees;
    rtm_test_hook_install();
    rtm_heap_free(h, p);
    assert_int_equal(rtm_test_hook_total(), 1);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR) + rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
    assert_ptr_equal(rtm_test_hook_last_ptr, p);
    assert_int_equal(ht_stats(h).bad_frees, bad + 1);
    assert_int_equal(ht_stats(h).frees, frees);
}

/* The heap's blocks are those @p before recorded (a rejected call changed none); frees its walk. */
static void expect_blocks_unchanged(const rtm_heap *h, ht_snap *before)
{
    ht_snap after = {0};
    ht_snap_take(h, &after);
    assert_true(ht_walk_equal(&before->w, &after.w));
    ht_walk_free(&before->w);
    ht_walk_free(&after.w);
}

/* The end of a refused forgery inside three_blocks' a, b, c (64-byte blocks; c's payload holds 0x33
 * bytes): the heap passes its check with the same blocks as before, c's bytes are untouched, and
 * freeing the three real blocks merges them into one free block. */
static void expect_three_intact_then_free(rtm_heap *h, ht_snap *before, unsigned char *a, unsigned char *b,
                                          unsigned char *c)
{
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    expect_blocks_unchanged(h, before);
    for (size_t i = 0; i < 64 - HT_HDR; i++) assert_int_equal(c[i], 0x33);
    rtm_heap_free(h, a);
    rtm_heap_free(h, b);
    rtm_heap_free(h, c);
    assert_int_equal(ht_stats(h).free_blocks, 1);
    assert_int_equal(rtm_heap_check(h), RTM_OK);
}

/* A fresh 8 KiB heap of policy fit (*hp) with one used block of 256 bytes, every byte fill: the
 * payload the forgery tests write their fake headers, footers and links into. */
static unsigned char *heap_with_block(rtm_fit fit, int fill, rtm_heap **hp)
{
    HT_NEW(*hp, 8192, fit);
    unsigned char *x = rtm_heap_alloc(*hp, 256);
    assert_non_null(x);
    memset(x, fill, 256);
    return x;
}

/* used a (64) / used b (64) / used c (64) / free rest, for every policy and placement rule: the
 * three are built under ht_lid (best fit would otherwise cut a from the top of the fresh heap). */
static rtm_heap *three_blocks(rtm_fit fit, unsigned char **a, unsigned char **b, unsigned char **c)
{
    rtm_heap *h;
    HT_NEW(h, 8192, fit);
    void *lid = ht_lid(h, 64 - HT_HDR);
    *a = rtm_heap_alloc(h, 64 - HT_HDR);
    *b = rtm_heap_alloc(h, 64 - HT_HDR);
    *c = rtm_heap_alloc(h, 64 - HT_HDR);
    assert_non_null(*a);
    assert_non_null(*b);
    assert_non_null(*c);
    ht_lid_off(h, lid);
    assert_ptr_equal(*b, *a + 64);
    assert_ptr_equal(*c, *b + 64);
    ht_walk w = {0};
    ht_walk_collect(h, &w);
    assert_int_equal(w.n, 4);
    assert_ptr_equal(w.b[0].ptr, *a);
    assert_false(w.b[3].used);
    ht_walk_free(&w);
    memset(*a, 0x11, 64 - HT_HDR);
    memset(*b, 0x22, 64 - HT_HDR);
    memset(*c, 0x33, 64 - HT_HDR);
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    return h;
}

static void keep3(void *a, void *b, void *c)
{
    ht_keep(a);
    ht_keep(b);
    ht_keep(c);
}

/* Every size bit of a used block's header, flipped and restored: detected, then clean again. */
static void test_flip_size_bits(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        ht_snap before = {0};
        ht_snap_take(h, &before);
        size_t hd = peek_word(header_of(b));
        assert_int_equal(hd & ~(size_t)7, 64); /* the header holds the block size */
        for (unsigned bit = 3; bit < sizeof(size_t) * 8; bit++) {
            poke_word(header_of(b), hd ^ ((size_t)1 << bit));
            expect_corrupt(h);
            poke_word(header_of(b), hd);
            assert_int_equal(rtm_heap_check(h), RTM_OK);
        }
        ht_snap after = {0};
        ht_snap_take(h, &after);
        assert_true(ht_walk_equal(&before.w, &after.w));
        assert_true(ht_stats_equal(&before.st, &after.st));
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        rtm_heap_free(h, c);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        assert_int_equal(ht_stats(h).free_blocks, 1);
        ht_walk_free(&before.w);
        ht_walk_free(&after.w);
    }
}

#if RTM_ALIGN > 8
/* With RTM_ALIGN above 8, a header's bits between the flags and the alignment must be 0: b's size
 * with bit 3 set (72 with RTM_ALIGN 16) ends on a word of c's payload, which the user made look
 * like a used header. Free read b as a used block of 72 bytes before (review finding), marked
 * c's payload PREV_FREE and wrote a free block over c's header; it must refuse. */
static void test_size_below_alignment(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        size_t hd = peek_word(header_of(b)), fake_head = 64;
        unsigned char *fake_at = header_of(b) + (64 | 8); /* where b's "next block" would be: */
        assert_true(fake_at >= c && fake_at + sizeof fake_head <= c + 64 - HT_HDR); /* in c's payload */
        memcpy(fake_at, &fake_head, sizeof fake_head);
        poke_word(header_of(b), hd | 8);
        expect_free_rejected(h, b);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        assert_int_equal(rtm_heap_usable_size(h, b), 0);
        expect_corrupt(h);
        poke_word(header_of(b), hd);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        assert_true(memcmp(fake_at, &fake_head, sizeof fake_head) == 0);
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        rtm_heap_free(h, c);
        assert_int_equal(ht_stats(h).free_blocks, 1);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}
#endif

/* The FREE and PREV_FREE flags of a used block flipped: the check sees it; a used block that says
 * FREE is refused by free (as a double free) and the heap is still consistent afterwards. */
static void test_flip_flag_bits(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        size_t hd = peek_word(header_of(b));
        poke_word(header_of(b), hd ^ FLAG_PREV_FREE);
        expect_corrupt(h);
        expect_free_rejected(h, b);
        poke_word(header_of(b), hd);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        poke_word(header_of(b), hd ^ FLAG_FREE);
        expect_corrupt(h);
        expect_free_rejected(h, b);
        poke_word(header_of(b), hd);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        rtm_heap_free(h, c);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        assert_int_equal(ht_stats(h).bad_frees, 2);
    }
}

/* One byte written past a's usable size lands in b's header. Detected by the check for every
 * value that changes the header; free(b) refuses it when its flags or size became inconsistent. */
static void test_overrun_one_byte(void **state)
{
    (void)state;
    const unsigned char values[] = {0x00, 0xFF, 'A', 0x01, 0x02, 0x48, 0x80};
    for (int f = 0; f < 3; f++) {
        for (size_t v = 0; v < sizeof values; v++) {
            unsigned char *a, *b, *c;
            rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
            size_t us = rtm_heap_usable_size(h, a);
            assert_ptr_equal(a + us, header_of(b));
            unsigned char old = peek_byte(a + us);
            poke_byte(a + us, values[v]); /* a[us] = value: the classic off-by-one */
            if (values[v] == old) {
                assert_int_equal(rtm_heap_check(h), RTM_OK); /* nothing changed */
                keep3(a, b, c);
                continue;
            }
            expect_corrupt(h);
            size_t hd = peek_word(header_of(b));
            size_t size = hd & ~(size_t)7;
            bool inconsistent = (hd & (FLAG_FREE | FLAG_PREV_FREE)) != 0 || size < HT_MIN_BLOCK || size > 4096;
            if (inconsistent) expect_free_rejected(h, b);
            keep3(a, b, c);
        }
    }
}

/* Double free: refused, counted; the heap stays valid. */
static void test_double_free(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        rtm_heap_free(h, b);
        ht_snap s = {0};
        ht_snap_take(h, &s);
        expect_free_rejected(h, b);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &s);
        rtm_heap_free(h, a);
        rtm_heap_free(h, c);
        assert_int_equal(ht_stats(h).free_blocks, 1);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}

/* A forged header inside a used block (an interior pointer, or a double free into bytes that were
 * reused: the user's data decide what the "header" says) whose "next block" is a user word with the
 * FREE bit set. free must refuse it: before the right neighbour's size and footer were checked, it
 * unlinked that "free block" through the user's bytes (a wild write). The heap is unchanged. */
static void test_forged_header_right_free(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        unsigned char *q = b + 16;                 /* aligned, inside b's payload */
        unsigned char *fake = q - HT_HDR;          /* the word free reads as q's header */
        size_t fake_size = 32;                     /* >= the minimum block on 32- and 64-bit */
        size_t v = fake_size;                      /* used, no flags */
        memcpy(fake, &v, sizeof v);
        v = (size_t)64 | FLAG_FREE;                /* "next block": free, 64 bytes; its footer would be */
        memcpy(fake + fake_size, &v, sizeof v);    /* in c's payload (0x33 bytes), so it disagrees */
        assert_true(fake + fake_size + sizeof v <= b + 64 - HT_HDR);
        ht_snap s = {0};
        ht_snap_take(h, &s);
        expect_free_rejected(h, q);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        assert_null(rtm_heap_realloc(h, q, 8)); /* realloc validates the same way */
        expect_three_intact_then_free(h, &s, a, b, c);
    }
}

/* A forged header inside a used block whose "next block" says PREV_FREE (with or without FREE)
 * and whose size and footer agree with it, with list links that point at a word of the test: the
 * block after a used block never says its left neighbour is free, so free (and realloc, through
 * the same validation) must refuse it before it looks at the right neighbour's size and footer
 * (which pass here) and unlinks that "free block". The links are the test's, so an accepted free
 * would not crash: the assertions see it. The heap and the user's bytes are unchanged. */
static void test_forged_next_says_prev_free(void **state)
{
    (void)state;
    const size_t next_flags[] = {FLAG_PREV_FREE, FLAG_PREV_FREE | FLAG_FREE};
    for (int f = 0; f < 3; f++) {
        for (size_t k = 0; k < 2; k++) {
            rtm_heap *h;
            unsigned char *x = heap_with_block(ht_fits[f], 0, &h);
            size_t sink[2] = {0, 0};
            unsigned char *q = x + 2 * RTM_ALIGN;
            unsigned char *fake = q - HT_HDR;
            const size_t fake_size = 64, next_size = 32; /* multiples of RTM_ALIGN, >= a minimum block */
            size_t w = fake_size; /* used, no flags */
            memcpy(fake, &w, sizeof w);
            unsigned char *n = fake + fake_size;
            size_t nh = next_size | next_flags[k];
            memcpy(n, &nh, sizeof nh);                                /* n's head */
            w = (size_t)(uintptr_t)NULL;
            memcpy(n + HT_HDR, &w, sizeof w);                         /* n's next link */
            w = (size_t)(uintptr_t)&sink[0];
            memcpy(n + HT_HDR + sizeof(void *), &w, sizeof w);        /* n's prev link */
            memcpy(n + next_size - HT_HDR, &nh, sizeof nh);           /* n's footer: agrees */
            assert_true(n + next_size <= x + 256);
            unsigned char copy[256];
            memcpy(copy, x, 256);
            ht_snap before = {0};
            ht_snap_take(h, &before);
            expect_free_rejected(h, q);
            assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
            rtm_test_hook_install();
            assert_null(rtm_heap_realloc(h, q, 8));
            assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
            assert_int_equal(rtm_heap_usable_size(h, q), 0);
            assert_int_equal(sink[0], 0);
            assert_memory_equal(x, copy, 256);
            assert_int_equal(rtm_heap_check(h), RTM_OK);
            expect_blocks_unchanged(h, &before);
            rtm_heap_free(h, x);
            assert_int_equal(ht_stats(h).free_blocks, 1);
            assert_int_equal(ht_stats(h).bad_frees, 2);
        }
    }
}

/* A double free of y whose header word has since become a free block's footer (review finding).
 * Where a header is as wide as the alignment (64-bit, RTM_ALIGN 8), footers and headers share
 * words: x (48-byte block), y (56) and z (32) are freed and merged into one block of 104, which
 * then serves u1 (56) and u2 (48); freeing u1 puts its footer on y's old header. When the footer
 * held the size alone, y read as a used block of 56 bytes that ended exactly at z's real header,
 * every check passed, and free wrote a free block over the live u2. The footer repeats the free
 * head now, so y reads FREE: a double free. Elsewhere (32-bit: headers at 4 mod 8, footers at
 * 0 mod 8) y's old header word is u1's old bytes: refused as a bad pointer. Good and first fit,
 * which cut these blocks from the bottom; best fit puts u1 at the top (RTM_HEAP_BEST_TOP_BY_NEXT). */
static void test_double_free_onto_footer(void **state)
{
    (void)state;
    const rtm_fit fits[] = {RTM_FIT_GOOD, RTM_FIT_FIRST};
    for (int f = 0; f < 2; f++) {
        rtm_heap *h;
        HT_NEW(h, 4096, fits[f]);
        unsigned char *x = rtm_heap_alloc(h, 40), *y = rtm_heap_alloc(h, 48), *z = rtm_heap_alloc(h, 24);
        assert_non_null(x);
        assert_ptr_equal(y, x + ht_block_for(40));
        assert_ptr_equal(z, y + ht_block_for(48));
        rtm_heap_free(h, y);
        rtm_heap_free(h, x);
        unsigned char *u1 = rtm_heap_alloc(h, 48), *u2 = rtm_heap_alloc(h, 40);
        assert_ptr_equal(u1, x);
        assert_ptr_equal(u2, u1 + ht_block_for(48));
        assert_ptr_equal(z, u2 + ht_block_for(40)); /* u2 took the rest whole */
        memset(u1, 0xA5, 48);
        memset(u2, 'U', 40);
        rtm_heap_free(h, u1);
        unsigned char *u1_footer = header_of(u1) + ht_block_for(48) - HT_HDR;
        if (HT_HDR == RTM_ALIGN) assert_ptr_equal(u1_footer, header_of(y)); /* the case this is about */
        ht_snap s = {0};
        ht_snap_take(h, &s);
        expect_free_rejected(h, y);
        if (HT_HDR == RTM_ALIGN) assert_int_equal(rtm_test_hook_count(RTM_ERR_DOUBLE_FREE), 1);
        assert_null(rtm_heap_realloc(h, y, 8));
        assert_int_equal(rtm_heap_usable_size(h, y), 0);
        for (int i = 0; i < 40; i++) assert_int_equal(u2[i], 'U');
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &s);
        rtm_heap_free(h, u2);
        rtm_heap_free(h, z);
        assert_int_equal(ht_stats(h).free_blocks, 1);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}

/* A free block's footer, next link and previous link damaged (one at a time, then restored). */
static void test_free_block_metadata(void **state)
{
    (void)state;
    uint64_t outside[4];
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        rtm_heap_free(h, b); /* b: a free 64-byte block between used a and c */
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        unsigned char *next_link = b, *prev_link = b + sizeof(void *);
        unsigned char *footer = header_of(b) + 64 - HT_HDR;
        assert_int_equal(peek_word(footer), 64 | FLAG_FREE);
        const size_t bad_values[] = {0, 1, 64, 64 | FLAG_FREE | FLAG_PREV_FREE, (size_t)(uintptr_t)outside, (size_t)(uintptr_t)(c + 8),
                                     (size_t)(uintptr_t)header_of(a), SIZE_MAX & ~(size_t)7,
                                     /* inside the heap but at no header position, and misaligned for
                                      * a word: the check must refuse it before it reads through it
                                      * (segment_holding's alignment term; the ASan + UBSan build
                                      * reports a misaligned load without it) */
                                     (size_t)(uintptr_t)(header_of(c) + 2)};
        unsigned char *fields[] = {next_link, prev_link, footer};
        for (size_t k = 0; k < 3; k++) {
            size_t keep = peek_word(fields[k]);
            for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
                if (bad_values[i] == keep) continue;
                poke_word(fields[k], bad_values[i]);
                expect_corrupt(h);
                poke_word(fields[k], keep);
                assert_int_equal(rtm_heap_check(h), RTM_OK);
            }
        }
        /* a damaged footer is what free(c) reads to find its free left neighbour: it must refuse */
        poke_word(footer, (64 + RTM_ALIGN) | FLAG_FREE);
        expect_free_rejected(h, c);
        poke_word(footer, 48 | FLAG_FREE);
        expect_free_rejected(h, c);
        poke_word(footer, 64); /* the size alone, without the head's FREE bit */
        expect_free_rejected(h, c);
        poke_word(footer, 64 | FLAG_FREE);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, a);
        rtm_heap_free(h, c);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* The free rest's list link pointed outside the heap (e.g. at a stack variable), and the sentinel
 * (the header just after the last block) overwritten. */
static void test_list_pointer_and_sentinel(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        assert_int_equal(w.n, 4);
        unsigned char *rest = (unsigned char *)(uintptr_t)w.b[3].ptr;
        size_t rest_bytes = w.b[3].block_bytes;
        uint64_t local[4] = {0};
        size_t keep = peek_word(rest);
        poke_word(rest, (size_t)(uintptr_t)&local[1]);
        expect_corrupt(h);
        poke_word(rest, keep);
        keep = peek_word(rest + sizeof(void *));
        poke_word(rest + sizeof(void *), (size_t)(uintptr_t)&local[2]);
        expect_corrupt(h);
        poke_word(rest + sizeof(void *), keep);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        unsigned char *sentinel = header_of(rest) + rest_bytes;
        keep = peek_word(sentinel);
        const size_t bad[] = {keep ^ FLAG_FREE, keep ^ FLAG_PREV_FREE, keep + 64, keep ^ ((size_t)1 << (sizeof(size_t) * 8 - 1)),
                              keep & 7u /* size 0: what the sentinel used to be */};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            poke_word(sentinel, bad[i]);
            expect_corrupt(h);
            poke_word(sentinel, keep);
        }
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        rtm_heap_free(h, c);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        ht_walk_free(&w);
    }
}

/* The header of a block that is really free made to look used: the check sees a free block that
 * is not in any list (or list entries that are not free). */
static void test_free_block_marked_used(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        rtm_heap_free(h, b);
        size_t hd = peek_word(header_of(b));
        assert_true(hd & FLAG_FREE);
        poke_word(header_of(b), hd & ~FLAG_FREE);
        expect_corrupt(h);
        poke_word(header_of(b), hd);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, a);
        rtm_heap_free(h, c);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* A free block's head and footer both given the ALIGNED bit (bit 2), so that they still agree:
 * only used blocks carry it, and the check must say so. */
static void test_free_block_aligned_bit(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        rtm_heap_free(h, b);
        unsigned char *footer = header_of(b) + 64 - HT_HDR;
        size_t hd = peek_word(header_of(b));
        assert_int_equal(hd, 64 | FLAG_FREE);
        assert_int_equal(peek_word(footer), hd);
        poke_word(header_of(b), hd | 4u);
        poke_word(footer, hd | 4u);
        expect_corrupt(h);
        poke_word(header_of(b), hd);
        poke_word(footer, hd);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, a);
        rtm_heap_free(h, c);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* A used block spliced into a free list in place of a free block of its class, with every link
 * made to agree: used a b c d e (64 each) / free rest; b and d freed share one list (b, then d).
 * b's next link is made used c (c's "previous link" pointing back at b), c's next link NULL, and d,
 * now in no list, keeps a previous link to a word of used e that points at d. Every free block's
 * links then point back at it, the lists hold as many entries as there are free blocks, all of the
 * right class; only the entry's head (used) tells: the check must see it. */
static void test_used_block_in_free_list(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 8192, ht_fits[f]);
        void *lid = ht_lid(h, 64 - HT_HDR);
        unsigned char *p[5];
        for (int i = 0; i < 5; i++) {
            p[i] = rtm_heap_alloc(h, 64 - HT_HDR);
            assert_non_null(p[i]);
            if (i > 0) assert_ptr_equal(p[i], p[i - 1] + 64);
        }
        ht_lid_off(h, lid);
        unsigned char *b = p[1], *c = p[2], *d = p[3], *e = p[4];
        rtm_heap_free(h, b);
        rtm_heap_free(h, d);
        /* the links of a free block: next (a block's header address), previous (the address of
         * what points at it: a list head, or the next link of the block before it) */
        assert_int_equal(peek_word(b), (size_t)(uintptr_t)header_of(d));
        assert_int_equal(peek_word(d + sizeof(void *)), (size_t)(uintptr_t)b);
        assert_int_equal(peek_word(d), 0);
        const size_t keep_b = peek_word(b), keep_d = peek_word(d + sizeof(void *));
        memset(c, 0x33, 64 - HT_HDR);
        memset(e, 0x55, 64 - HT_HDR);
        poke_word(b, (size_t)(uintptr_t)header_of(c));     /* b -> c */
        size_t w = 0;
        memcpy(c, &w, sizeof w);                            /* c's next: NULL */
        w = (size_t)(uintptr_t)b;
        memcpy(c + sizeof(void *), &w, sizeof w);           /* c's previous: b's next link */
        w = (size_t)(uintptr_t)header_of(d);
        memcpy(e, &w, sizeof w);                            /* e's "next link": d */
        poke_word(d + sizeof(void *), (size_t)(uintptr_t)e); /* d's previous: e's word */
        expect_corrupt(h);
        poke_word(b, keep_b);
        poke_word(d + sizeof(void *), keep_d);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        for (int i = 0; i < 5; i++)
            if (i != 1 && i != 3) rtm_heap_free(h, p[i]);
        assert_int_equal(ht_stats(h).free_blocks, 1);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}

/* A forged block inside a used block's payload with both neighbours "free": its head says
 * PREV_FREE and the footer below it and the left "block" agree (so the left neighbour passes), but
 * the right "block" says FREE with a footer that disagrees. free must refuse it (the fast path
 * checks the right neighbour only once it knows both merge), and realloc too; the links of the
 * fake blocks point at words of the test, so an accepted free shows in the assertions. */
static void test_forged_both_neighbours_free(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0, &h);
        size_t sink[4] = {0, 0, 0, 0}, w;
        unsigned char *q = x + 64;          /* the forged payload: aligned */
        unsigned char *bh = q - HT_HDR;     /* its head */
        unsigned char *l = bh - 32, *n = bh + 64;
        const size_t lh = 32 | FLAG_FREE, nh = 32 | FLAG_FREE;
        memcpy(l, &lh, sizeof lh);                               /* left: free 32 ... */
        memcpy(l + 32 - HT_HDR, &lh, sizeof lh);                 /* ... footer agrees */
        w = 0;
        memcpy(l + HT_HDR, &w, sizeof w);
        w = (size_t)(uintptr_t)&sink[0];
        memcpy(l + HT_HDR + sizeof(void *), &w, sizeof w);
        w = 64 | FLAG_PREV_FREE;
        memcpy(bh, &w, sizeof w);                                /* used 64, left free */
        memcpy(n, &nh, sizeof nh);                               /* right: free 32 ... */
        w = 0;
        memcpy(n + HT_HDR, &w, sizeof w);
        w = (size_t)(uintptr_t)&sink[2];
        memcpy(n + HT_HDR + sizeof(void *), &w, sizeof w);
        w = 64 | FLAG_FREE;
        memcpy(n + 32 - HT_HDR, &w, sizeof w);                   /* ... footer disagrees */
        assert_true(l >= x && n + 32 <= x + 256);
        unsigned char copy[256];
        memcpy(copy, x, 256);
        ht_snap before = {0};
        ht_snap_take(h, &before);
        expect_free_rejected(h, q);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        rtm_test_hook_install();
        assert_null(rtm_heap_realloc(h, q, 8));
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        assert_int_equal(sink[0], 0);
        assert_int_equal(sink[2], 0);
        assert_memory_equal(x, copy, 256);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &before);
        rtm_heap_free(h, x);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* The size bound free checks, at its edges: the last block, d, ends on the sentinel. A size one
 * granule or more past it, or below the smallest block (0 included: its "next block" would be
 * itself), or a huge one, is refused with the heap unchanged; d's own size is accepted. Free's
 * fast path tests "ends at or before the sentinel" and "at least a minimum block" in one unsigned
 * compare against the highest payload address (h->p_hi), so an off-by-one there shows here. */
static void test_size_bounds_at_sentinel(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        unsigned char *d = rtm_heap_alloc(h, ht_stats(h).largest_free - HT_HDR);
        assert_non_null(d);
        assert_true(ht_is_last_block(h, d));
        assert_int_equal(ht_stats(h).free_blocks, 0);
        size_t hd = peek_word(header_of(d)), size = hd & ~(size_t)7;
        const size_t forged[] = {size + RTM_ALIGN, size + 2u * RTM_ALIGN, size + 4096u, 0u,
                                 HT_ROUND(HT_MIN_BLOCK) - RTM_ALIGN, ~(size_t)7 & ~(size_t)(RTM_ALIGN - 1u)};
        for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
            ht_snap before = {0};
            ht_snap_take(h, &before);
            poke_word(header_of(d), forged[i] | (hd & 7u));
            expect_free_rejected(h, d);
            poke_word(header_of(d), hd);
            assert_int_equal(rtm_heap_check(h), RTM_OK);
            expect_blocks_unchanged(h, &before);
        }
        rtm_heap_free(h, d);
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        rtm_heap_free(h, c);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        assert_int_equal(ht_stats(h).free_blocks, 1);
        assert_int_equal(ht_stats(h).bad_frees, sizeof forged / sizeof forged[0]);
    }
}

/* Two regions side by side in one buffer: the first block of the second is free. The last block
 * of the first region, d, is given a size that ends exactly on that free block's header: inside
 * the heap's overall bounds, but past d's own sentinel. free (and realloc) must measure d against
 * its own segment, which a heap of several segments does for every pointer: a merge there would
 * join two regions across the sentinel and the second region's descriptor. */
static void test_size_past_own_segment(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        const size_t r1 = 8192, r2 = 4096;
        unsigned char *buf = ht_buffer(r1 + r2, 0);
        rtm_heap *h = rtm_heap_init(buf, r1, ht_fits[f]);
        assert_non_null(h);
        unsigned char *d = rtm_heap_alloc(h, ht_stats(h).largest_free - HT_HDR);
        assert_non_null(d);
        assert_true(ht_is_last_block(h, d));
        assert_int_equal(rtm_heap_add_region(h, buf + r1, r2), RTM_OK);
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        assert_int_equal(w.n, 2);
        assert_ptr_equal(w.b[0].ptr, d);
        assert_false(w.b[1].used);
        assert_int_equal(w.b[1].region, 1);
        unsigned char *n = header_of((void *)(uintptr_t)w.b[1].ptr);
        ht_walk_free(&w);
        size_t hd = peek_word(header_of(d));
        size_t forged = (size_t)(n - header_of(d)); /* a multiple of RTM_ALIGN: headers are A apart */
        assert_int_equal(forged % RTM_ALIGN, 0);
        assert_true(forged > (hd & ~(size_t)7));
        ht_snap before = {0};
        ht_snap_take(h, &before);
        poke_word(header_of(d), forged | (hd & 7u));
        expect_free_rejected(h, d);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        rtm_test_hook_install();
        assert_null(rtm_heap_realloc(h, d, 8));
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        assert_int_equal(rtm_heap_usable_size(h, d), 0);
        poke_word(header_of(d), hd);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &before);
        rtm_heap_free(h, d);
        assert_int_equal(ht_stats(h).free_blocks, 2);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}

/* rtm_heap_walk on a damaged heap hands its callback only blocks inside their own region: a
 * header whose size runs past the region's sentinel ends the walk there (it gave the callback a
 * block reaching over the sentinel into the next region, or past the buffer; rtm_tiers_init takes
 * a heap's extent from the walk). Damage the first of two regions' last block, then the block's
 * size far past the buffer. */
static bool walk_inside_cb(const rtm_heap_block *b, void *ctx)
{
    const uintptr_t *bounds = ctx; /* [lo, hi) of each region, two regions */
    uintptr_t lo = (uintptr_t)b->ptr - HT_HDR, hi = lo + b->block_bytes;
    assert_true(b->region < 2);
    assert_true(lo >= bounds[2 * b->region] && hi >= lo && hi <= bounds[2 * b->region + 1]);
    return true;
}
static void test_walk_stops_at_damaged_size(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        for (int big = 0; big < 2; big++) {
            const size_t r1 = 8192, r2 = 4096;
            unsigned char *buf = ht_buffer(r1 + r2, 0);
            rtm_heap *h = rtm_heap_init(buf, r1, ht_fits[f]);
            assert_non_null(h);
            unsigned char *d = rtm_heap_alloc(h, ht_stats(h).largest_free - HT_HDR);
            assert_non_null(d);
            assert_int_equal(rtm_heap_add_region(h, buf + r1, r2), RTM_OK);
            uintptr_t bounds[4] = {(uintptr_t)buf, (uintptr_t)buf + r1, (uintptr_t)buf + r1, (uintptr_t)buf + r1 + r2};
            size_t hd = peek_word(header_of(d));
            size_t forged = big ? ((SIZE_MAX / 2) & ~(size_t)(RTM_ALIGN - 1)) : (hd & ~(size_t)7) + 2 * RTM_ALIGN;
            poke_word(header_of(d), forged | (hd & 7u));
            rtm_heap_walk(h, walk_inside_cb, bounds);
            poke_word(header_of(d), hd);
            assert_int_equal(rtm_heap_check(h), RTM_OK);
            rtm_heap_walk(h, walk_inside_cb, bounds);
            rtm_heap_free(h, d);
        }
    }
}

/* An interior pointer whose "header" word holds a plausible size the user stored, and whose
 * implied next block is a zero word (zeroed user data; a free list's NULL link is another): free
 * took the zero for a used neighbour and wrote a free block into the user's payload (review
 * finding, on 64-bit with a NULL link). The block after a used block has a head of at least a
 * minimum block (the sentinel's size is 0 - RTM_ALIGN), so free refuses it. */
static void test_fake_block_onto_zero_word(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0, &h);
        size_t fake = 64; /* a multiple of RTM_ALIGN, at least a minimum block */
        unsigned char *q = x + 2 * RTM_ALIGN;
        memcpy(q - HT_HDR, &fake, sizeof fake); /* the user's data, read as a header */
        ht_snap before = {0};
        ht_snap_take(h, &before);
        expect_free_rejected(h, q);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &before);
        for (size_t i = 0; i < 256; i++)
            if (x + i < q - HT_HDR || x + i >= q - HT_HDR + sizeof fake) assert_int_equal(x[i], 0);
        rtm_heap_free(h, x);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* Used block b (between used a and c) made to say PREV_FREE, with a footer word in a's payload
 * whose size is refused by one sub-check of left_ok only: below a minimum block (RTM_ALIGN, and a
 * minimum block less RTM_ALIGN), or not a multiple of RTM_ALIGN (a flag bit above FREE set, or
 * FREE clear: left_ok's size is the footer ^ FREE, odd then); each time the "head" of that "free
 * block", in a's payload too (misaligned in the last case), repeats the footer, so that the final
 * head == footer test would pass. free (and realloc, usable_size) refuse b; the heap and a's bytes
 * are unchanged (mutants of left_ok: "ps < MIN_BLOCK" -> 0, "< MIN_BLOCK - A", "||" -> "&&",
 * "(ps & (A - 1)) != 0" -> 0, and "(ps & (A - 2))", which let the footer without FREE through). */
static void test_forged_left_footer(void **state)
{
    (void)state;
    const size_t mb = HT_ROUND(HT_MIN_BLOCK);
    const size_t feet[] = {RTM_ALIGN | FLAG_FREE, (mb - RTM_ALIGN) | FLAG_FREE, (mb + 4u) | FLAG_FREE, mb};
    for (int f = 0; f < 3; f++) {
        for (size_t k = 0; k < sizeof feet / sizeof feet[0]; k++) {
            unsigned char *a, *b, *c;
            rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
            size_t pf = feet[k], ps = pf ^ FLAG_FREE;
            unsigned char *bh = header_of(b);
            if (ps == 0 || (ps >= mb && ps % RTM_ALIGN == 0)) { /* RTM_ALIGN 16 on 32-bit: MB is A */
                rtm_heap_free(h, a);
                rtm_heap_free(h, b);
                rtm_heap_free(h, c);
                continue;
            }
            assert_true(bh - ps >= a);
            ht_snap before = {0};
            ht_snap_take(h, &before);
            memcpy(bh - HT_HDR, &pf, sizeof pf); /* the footer below b: a's last payload word */
            memcpy(bh - ps, &pf, sizeof pf);     /* the head of the "free block" it describes */
            size_t hd = peek_word(bh);
            poke_word(bh, hd | FLAG_PREV_FREE);
            expect_free_rejected(h, b);
            assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
            rtm_test_hook_install();
            assert_null(rtm_heap_realloc(h, b, 8));
            assert_int_equal(rtm_heap_usable_size(h, b), 0);
            assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
            poke_word(bh, hd);
            memset(a, 0x11, 64 - HT_HDR);
            expect_three_intact_then_free(h, &before, a, b, c);
        }
    }
}

/* A forged used header inside a block's payload whose "next block" says FREE with a size that
 * wraps round the address space (0 - 2 * RTM_ALIGN: aligned, at least a minimum block), and whose
 * "footer" (2 * RTM_ALIGN + a header below that next block, in the same payload) repeats it: only
 * right_ok's size_fits (size <= segment end - n) refuses it (mutant: right_ok "if (0) return
 * false", which then merged over the whole address space). */
static void test_forged_right_size_wraps(void **state)
{
    (void)state;
    const size_t mb = HT_ROUND(HT_MIN_BLOCK);
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0x5A, &h);
        unsigned char *q = x + 4u * RTM_ALIGN;
        unsigned char *n = q - HT_HDR + mb;
        size_t fake = mb, nh = ((size_t)0 - 2u * RTM_ALIGN) | FLAG_FREE;
        memcpy(q - HT_HDR, &fake, sizeof fake);
        memcpy(n, &nh, sizeof nh);
        memcpy(n - 2u * RTM_ALIGN - HT_HDR, &nh, sizeof nh); /* footer_of(n, size), wrapped */
        unsigned char *foot = n - 2u * RTM_ALIGN - HT_HDR; /* clear of the forged header and of n */
        assert_true(foot >= x && (foot + HT_HDR <= q - HT_HDR || foot >= q) && foot + HT_HDR <= n);
        ht_snap before = {0};
        ht_snap_take(h, &before);
        expect_free_rejected(h, q);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
        rtm_test_hook_install();
        assert_null(rtm_heap_realloc(h, q, 8));
        assert_int_equal(rtm_heap_usable_size(h, q), 0);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &before);
        rtm_heap_free(h, x);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* x: heap h's one used block. A forged used head fake at q - HT_HDR inside x's payload and the
 * head next after that "block": usable_size, realloc and free all refuse q as a bad pointer, the
 * heap is unchanged and passes its check; then x is freed, leaving one free block. */
static void expect_forged_header_refused(rtm_heap *h, unsigned char *x, unsigned char *q, size_t fake, size_t next)
{
    memcpy(q - HT_HDR, &fake, sizeof fake);
    memcpy(q - HT_HDR + fake, &next, sizeof next);
    ht_snap before = {0};
    ht_snap_take(h, &before);
    rtm_test_hook_install();
    assert_int_equal(rtm_heap_usable_size(h, q), 0);
    assert_null(rtm_heap_realloc(h, q, 8));
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
    expect_free_rejected(h, q);
    assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 1);
    assert_int_equal(rtm_heap_check(h), RTM_OK);
    expect_blocks_unchanged(h, &before);
    rtm_heap_free(h, x);
    assert_int_equal(ht_stats(h).free_blocks, 1);
}

/* The word and a minimum block in the preprocessor (sizeof is not), for the test below. */
#define HT_PP_WORD (SIZE_MAX > 0xFFFFFFFFu ? 8u : 4u)
#define HT_PP_MIN_BLOCK ((4u * HT_PP_WORD + RTM_ALIGN - 1u) / RTM_ALIGN * RTM_ALIGN)
#if HT_PP_MIN_BLOCK - RTM_ALIGN >= HT_PP_WORD
#define HT_HAS_SIZE_BELOW_MIN_BLOCK 1
/* A forged used header one granule below a minimum block, followed by a plausible used head:
 * usable_size (and realloc) take the pointer through check_used, whose size_fits must refuse it
 * (mutant: size_fits "size >= MIN_BLOCK - A"); free refuses it too. Left out where a minimum
 * block is one granule (RTM_ALIGN 16 on 32-bit, 32 and up on 64-bit): the size one granule below
 * is then 0, and a block of size 0 is its own next block, whose head (0) next_head_bad refuses:
 * the mutant cannot be told apart there. */
static void test_forged_size_below_min_block(void **state)
{
    (void)state;
    const size_t mb = HT_ROUND(HT_MIN_BLOCK);
    assert_true(mb == HT_PP_MIN_BLOCK && mb - RTM_ALIGN >= HT_HDR);
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0, &h);
        unsigned char *q = x + 4u * RTM_ALIGN;
        size_t fake = mb - RTM_ALIGN, next = 64;
        expect_forged_header_refused(h, x, q, fake, next);
    }
}
#else
#define HT_HAS_SIZE_BELOW_MIN_BLOCK 0
#endif

/* A misaligned pointer (4 bytes past an aligned one) whose "header" and "next head" in the user's
 * data look like a used block of 64 bytes and a used neighbour: refused for its alignment alone
 * (mutant: check_used "(a & (A - 1)) != 0" -> 0), by free, realloc and usable_size. */
static void test_misaligned_forged_header(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0, &h);
        unsigned char *q = x + 4u * RTM_ALIGN + 4u;
        size_t fake = 64, next = 64;
        expect_forged_header_refused(h, x, q, fake, next);
    }
}

/* A forged used header of 64 bytes whose "next block" head is one granule below a minimum block
 * (a used head, no flags): check_used's next_head_bad refuses it (mutant: next_head_bad
 * "nh < MIN_BLOCK - A"), through usable_size and realloc; free refuses it too. */
static void test_forged_next_head_below_min_block(void **state)
{
    (void)state;
    const size_t mb = HT_ROUND(HT_MIN_BLOCK);
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0, &h);
        unsigned char *q = x + 4u * RTM_ALIGN;
        size_t fake = 64, next = mb - RTM_ALIGN;
        expect_forged_header_refused(h, x, q, fake, next);
    }
}

/* A pointer two words below the first block's payload, whose "header" (a word of the control
 * block, which ends where the first block starts) is made to read as a freed block of 64 bytes:
 * free, realloc and usable_size refuse it as a bad pointer, not a double free, for it is below
 * every payload (mutant: init's p_lo = first - H, which moved the one-compare range test of
 * in_single_segment down by two words, so that the fast path read that word as a header). The
 * word is restored; the heap is unchanged. Where the pointer is not aligned (RTM_ALIGN 16 on
 * 32-bit hosts) it is refused for that, as before. */
static void test_free_below_first_payload(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 8192, ht_fits[f]);
        void *p = rtm_heap_alloc(h, 64);
        assert_non_null(p);
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        unsigned char *first = (unsigned char *)(uintptr_t)w.b[0].ptr;
        ht_walk_free(&w);
        unsigned char *q = first - 2u * HT_HDR;
        assert_true((unsigned char *)h < q - HT_HDR); /* the word is the control block's */
        ht_snap before = {0};
        ht_snap_take(h, &before);
        size_t bad = before.st.bad_frees, frees = before.st.frees;
        /* Only the three calls while the word is forged: it may be a second-level bitmap word,
         * which the statistics read. Plain copies: the control block is never closed to the
         * sanitizers (poke_word would close the word after writing it). */
        size_t old, fake = (size_t)64 | FLAG_FREE;
        memcpy(&old, q - HT_HDR, sizeof old);
        memcpy(q - HT_HDR, &fake, sizeof fake);
        rtm_test_hook_install();
        rtm_heap_free(h, q);
        assert_null(rtm_heap_realloc(h, q, 8));
        assert_int_equal(rtm_heap_usable_size(h, q), 0);
        memcpy(q - HT_HDR, &old, sizeof old);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_BAD_PTR), 2); /* free and realloc */
        assert_int_equal(rtm_test_hook_total(), 2);
        assert_ptr_equal(rtm_test_hook_last_ptr, q);
        assert_int_equal(ht_stats(h).bad_frees, bad + 2);
        assert_int_equal(ht_stats(h).frees, frees);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        expect_blocks_unchanged(h, &before);
        rtm_heap_free(h, p);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

/* The back link (pprev) of the heap's one free block R, the head of its class, made to point at
 * the next_free field of a fake entry Y at a misaligned address inside a used block's payload,
 * whose next_free does point back at R: Y + HT_HDR is 1 mod RTM_ALIGN, so that only the low bit
 * tells it from a header position. rtm_heap_check reports R (mutant: segment_holding's alignment
 * mask RTM_ALIGN - 2, which let Y through: nothing else looks at where a class head's back link
 * points). Restored, the heap passes its check. */
static void test_list_link_misaligned(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        unsigned char *x = heap_with_block(ht_fits[f], 0x5A, &h);
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        assert_int_equal(w.n, 2);
        unsigned char *r = NULL;
        for (size_t i = 0; i < w.n; i++)
            if (!w.b[i].used) r = header_of((void *)(uintptr_t)w.b[i].ptr);
        ht_walk_free(&w);
        assert_non_null(r);
        unsigned char *y = x + (RTM_ALIGN + 1u - HT_HDR % RTM_ALIGN) % RTM_ALIGN;
        assert_int_equal(((uintptr_t)y + HT_HDR) % RTM_ALIGN, 1);
        assert_true(y + 2u * HT_HDR <= x + 256);
        uintptr_t back = (uintptr_t)r;
        memcpy(y + HT_HDR, &back, sizeof back); /* Y's next_free: R */
        size_t old = peek_word(r + 2u * HT_HDR);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        poke_word(r + 2u * HT_HDR, (size_t)(uintptr_t)(y + HT_HDR)); /* R's pprev: &Y->next_free */
        expect_corrupt(h);
        assert_ptr_equal(rtm_test_hook_last_ptr, r);
        poke_word(r + 2u * HT_HDR, old);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, x);
        assert_int_equal(ht_stats(h).free_blocks, 1);
    }
}

#if RTM_ALIGN == 8 && SIZE_MAX > 0xFFFFFFFFu
/* 64-bit, RTM_ALIGN 8 (where the forged entry can be a real footer): a region of the smallest
 * size, one free block L of a minimum block, whose next_free link is made to point at L's own
 * footer, a word at a header position inside the segment but within a minimum block of its end.
 * The word after the sentinel (the caller's memory past the region) is made to point back at L's
 * link, and the footer reads as a free block of L's class, so that only segment_holding's "bytes
 * <= end - a" refuses the entry: rtm_heap_check reports L itself (mutant: segment_holding drops
 * that term, and the check then reported the sentinel's word, further on). */
static void test_list_link_into_segment_tail(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        rtm_heap *h;
        HT_NEW(h, 4096, ht_fits[f]);
        unsigned char *buf = ht_buffer(1024, 0);
        size_t n = 0;
        rtm_test_hook_install();
        while (n < 512 && rtm_heap_add_region(h, buf, n) != RTM_OK) n++;
        assert_true(n < 512);
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        unsigned char *l = NULL;
        for (size_t i = 0; i < w.n; i++)
            if (w.b[i].region == 1) {
                assert_false(w.b[i].used);
                assert_int_equal(w.b[i].block_bytes, 32);
                l = header_of((void *)(uintptr_t)w.b[i].ptr);
            }
        ht_walk_free(&w);
        assert_non_null(l);
        unsigned char *end = l + 32, *forged = end - RTM_ALIGN;
        assert_int_equal(peek_word(forged), (size_t)32 | FLAG_FREE); /* L's footer */
        size_t old_next = peek_word(l + HT_HDR), old_after = peek_word(end + HT_HDR);
        assert_int_equal(old_next, 0);
        poke_word(l + HT_HDR, (size_t)(uintptr_t)forged);
        poke_word(end + HT_HDR, (size_t)(uintptr_t)(l + HT_HDR)); /* forged's "pprev" */
        expect_corrupt(h);
        assert_ptr_equal(rtm_test_hook_last_ptr, l);
        poke_word(l + HT_HDR, old_next);
        poke_word(end + HT_HDR, old_after);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}
#endif

/* A stray write over the control block or a list's back-link into the wrong list head: the check
 * refuses the heap (coverage of src/heap.c showed no test reached these checks, 2026-11-29).
 * The magic word is found by its value, "rtmH" (0x72746D48), in the control block's fixed part
 * (at most 32 pointers, heap.c's static assertion); rtm_heap_add_region refuses a heap without it. */
static void test_control_block_and_head_slot(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        unsigned char *a, *b, *c;
        rtm_heap *h = three_blocks(ht_fits[f], &a, &b, &c);
        unsigned char *cb = (unsigned char *)h, *magic = NULL;
        /* plain accesses: the control block is never closed to sanitizers (peek and poke would
         * close it after them) */
        for (size_t off = 0; off + 4 <= 32 * sizeof(void *) && magic == NULL; off += 4) {
            uint32_t v;
            memcpy(&v, cb + off, 4);
            if (v == 0x72746D48u) magic = cb + off;
        }
        assert_non_null(magic);
        unsigned char keep_byte = *magic;
        *magic = (unsigned char)(keep_byte ^ 0x40u);
        expect_corrupt(h);
        static uint64_t more[64];
        rtm_test_hook_install();
        assert_int_equal(rtm_heap_add_region(h, more, sizeof more), RTM_ERR_ARG);
        assert_int_equal(rtm_test_hook_count(RTM_ERR_ARG), 1);
        *magic = keep_byte;
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        /* the free rest is alone in its class: its back-link is that class's list head; one slot
         * lower is a head of the wrong class (the rest is a large block: its class is not 0) */
        ht_walk w = {0};
        ht_walk_collect(h, &w);
        assert_int_equal(w.n, 4);
        unsigned char *rest = (unsigned char *)(uintptr_t)w.b[3].ptr;
        ht_walk_free(&w);
        size_t back = peek_word(rest + sizeof(void *));
        poke_word(rest + sizeof(void *), back - sizeof(void *));
        expect_corrupt(h);
        poke_word(rest + sizeof(void *), back);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_heap_free(h, a);
        rtm_heap_free(h, b);
        rtm_heap_free(h, c);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flip_size_bits),
        cmocka_unit_test(test_flip_flag_bits),
        cmocka_unit_test(test_overrun_one_byte),
        cmocka_unit_test(test_double_free),
        cmocka_unit_test(test_forged_header_right_free),
        cmocka_unit_test(test_forged_next_says_prev_free),
        cmocka_unit_test(test_double_free_onto_footer),
#if RTM_ALIGN > 8
        cmocka_unit_test(test_size_below_alignment),
#endif
        cmocka_unit_test(test_free_block_metadata),
        cmocka_unit_test(test_list_pointer_and_sentinel),
        cmocka_unit_test(test_free_block_marked_used),
        cmocka_unit_test(test_free_block_aligned_bit),
        cmocka_unit_test(test_used_block_in_free_list),
        cmocka_unit_test(test_forged_both_neighbours_free),
        cmocka_unit_test(test_size_bounds_at_sentinel),
        cmocka_unit_test(test_fake_block_onto_zero_word),
        cmocka_unit_test(test_size_past_own_segment),
        cmocka_unit_test(test_walk_stops_at_damaged_size),
        cmocka_unit_test(test_forged_left_footer),
        cmocka_unit_test(test_forged_right_size_wraps),
#if HT_HAS_SIZE_BELOW_MIN_BLOCK
        cmocka_unit_test(test_forged_size_below_min_block),
#endif
        cmocka_unit_test(test_misaligned_forged_header),
        cmocka_unit_test(test_forged_next_head_below_min_block),
        cmocka_unit_test(test_free_below_first_payload),
        cmocka_unit_test(test_list_link_misaligned),
        cmocka_unit_test(test_control_block_and_head_slot),
#if RTM_ALIGN == 8 && SIZE_MAX > 0xFFFFFFFFu
        cmocka_unit_test(test_list_link_into_segment_tail),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
