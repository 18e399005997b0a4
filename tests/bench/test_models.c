/*
 * The placement models of bench/models.c (rtm_bench minarena ... heap4|first32|best32), the seeded
 * workloads, and RTM_FIT_FIRST against the first-fit model: exact layouts worked out by hand, the
 * split rules that tell heap_4 from rtm's block format, the minimum-arena search on a model, and
 * every block of a workload where the heap's first fit puts it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "models.h"
#include "rtm_test.h"
#include "runner.h"
#include "workloads.h"

static rtm_oplist list_of(const rtm_op *ops, size_t n)
{
    rtm_oplist l = {0};
    for (size_t i = 0; i < n; i++) rtm_oplist_push(&l, (rtm_op_kind)ops[i].kind, ops[i].id, ops[i].size, 0);
    return l;
}
#define ALLOC(id, n) {(id), RTM_OP_ALLOC, 0, (n)}
#define FREE(id) {(id), RTM_OP_FREE, 0, 0}

static void test_params(void **state)
{
    (void)state;
    rtm_model m;
    assert_true(rtm_model_parse("heap4", &m) && m == RTM_MODEL_HEAP4);
    assert_true(rtm_model_parse("BEST32", &m) && m == RTM_MODEL_BEST32);
    assert_false(rtm_model_parse("heap5", &m));
    assert_false(rtm_model_parse(NULL, &m));
    assert_null(rtm_model_get(RTM_MODEL_COUNT_));
    const rtm_model_params *h4 = rtm_model_get(RTM_MODEL_HEAP4), *f32 = rtm_model_get(RTM_MODEL_FIRST32);
    /* heap_4: request + 8, rounded to 8 */
    assert_int_equal(rtm_model_block(h4, 1), 16);
    assert_int_equal(rtm_model_block(h4, 8), 16);
    assert_int_equal(rtm_model_block(h4, 9), 24);
    /* rtm, 32-bit: request + 4, rounded to 8, at least 16 */
    assert_int_equal(rtm_model_block(f32, 1), 16);
    assert_int_equal(rtm_model_block(f32, 12), 16);
    assert_int_equal(rtm_model_block(f32, 13), 24);
    assert_int_equal(rtm_model_block(f32, 4000000000u), 4000000008u); /* no 32-bit wrap */
}

/* Holes of 208 B (low) and 104 B (higher): a 50-byte request goes to the first under first fit and
 * to the second under best fit; offsets from the first block, by hand. */
static void test_layout(void **state)
{
    (void)state;
    static const rtm_op ops[] = {
        ALLOC(0, 200), ALLOC(1, 20), ALLOC(2, 100), ALLOC(3, 20), /* blocks 208, 24, 104, 24 */
        FREE(0),       FREE(2),      ALLOC(4, 50),  ALLOC(5, 100), /* 56, 104 */
    };
    rtm_oplist l = list_of(ops, sizeof ops / sizeof ops[0]);
    static const struct {
        rtm_model m;
        int64_t at4, at5;
    } want[] = {
        {RTM_MODEL_FIRST32, 0, 56},  /* 4 cut from the low hole; 5 fits the 152 left there */
        {RTM_MODEL_BEST32, 232, 0},  /* 4 takes the 104-byte hole (48 left); 5: the 208 one */
        {RTM_MODEL_HEAP4, 0, 64},    /* blocks 208, 32, 112, 32; 4 is 64 B */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rtm_err e;
        rtm_model_run *r = rtm_model_open(rtm_model_get(want[i].m), &l, &e);
        assert_non_null(r);
        size_t fail = 99;
        assert_true(rtm_model_try(r, 4096, &fail));
        assert_int_equal(fail, 99);
        assert_int_equal(rtm_model_offset(r, 0), -1);
        assert_int_equal(rtm_model_offset(r, 1), want[i].m == RTM_MODEL_HEAP4 ? 208 : 208);
        assert_int_equal(rtm_model_offset(r, 3), want[i].m == RTM_MODEL_HEAP4 ? 352 : 336);
        assert_int_equal(rtm_model_offset(r, 4), want[i].at4);
        assert_int_equal(rtm_model_offset(r, 5), want[i].at5);
        assert_int_equal(rtm_model_offset(r, 99), -1);
        rtm_model_close(r);
    }
    rtm_oplist_free(&l);
}

/* A rest of exactly 16 B: heap_4 leaves it in the block (it splits only when more than 16 remain),
 * rtm's format makes it a free block that a small request then takes. Same 56-byte arena. */
static void test_split_rule(void **state)
{
    (void)state;
    static const rtm_op ops[] = {ALLOC(0, 24), ALLOC(1, 1), FREE(1), FREE(0), ALLOC(2, 40)};
    rtm_oplist l = list_of(ops, sizeof ops / sizeof ops[0]);
    rtm_err e;
    rtm_model_run *h4 = rtm_model_open(rtm_model_get(RTM_MODEL_HEAP4), &l, &e);
    rtm_model_run *f32 = rtm_model_open(rtm_model_get(RTM_MODEL_FIRST32), &l, &e);
    assert_non_null(h4);
    assert_non_null(f32);
    size_t fail = 0;
    /* 56 B: 48 for blocks. heap_4: 24 + 8 -> a 32-byte block, 16 left: not split, op 1 fails. */
    assert_false(rtm_model_try(h4, 56, &fail));
    assert_int_equal(fail, 1);
    /* rtm: 24 + 4 -> 32, 16 left: a free block, where the 1-byte request (16) goes; both freed
     * blocks merge again and a 40-byte request (48) takes all of it. */
    assert_true(rtm_model_try(f32, 56, &fail));
    assert_int_equal(rtm_model_offset(f32, 2), 0);
    /* 55 B is rounded down to 48: 40 for blocks, the first takes them all (8 left: no block) */
    assert_false(rtm_model_try(f32, 55, &fail));
    assert_int_equal(fail, 1);
    /* heap_4 with 64 B: 56 for blocks, 24 left after the first, split */
    assert_true(rtm_model_try(h4, 64, &fail));
    rtm_model_close(h4);
    rtm_model_close(f32);
    rtm_oplist_free(&l);
}

/* Frees in every order merge back to one block: a request of the whole usable size fits after. */
static void test_merges(void **state)
{
    (void)state;
    static const uint32_t orders[][3] = {{0, 1, 2}, {2, 1, 0}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}};
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        rtm_op ops[] = {ALLOC(0, 100), ALLOC(1, 60), ALLOC(2, 28), ALLOC(3, 4), FREE(orders[k][0]),
                        FREE(orders[k][1]), FREE(orders[k][2]), ALLOC(4, 200 - 4)};
        rtm_oplist l = list_of(ops, sizeof ops / sizeof ops[0]);
        rtm_err e;
        rtm_model_run *r = rtm_model_open(rtm_model_get(RTM_MODEL_BEST32), &l, &e);
        assert_non_null(r);
        /* blocks 104 + 64 + 32 (= 200) + 16, overhead 8: 224 */
        assert_true(rtm_model_try(r, 224, NULL));
        assert_int_equal(rtm_model_offset(r, 4), 0);
        assert_false(rtm_model_try(r, 216, NULL));
        /* the floor: 216 B of blocks live at once (the first four), plus 8 */
        assert_int_equal(rtm_model_floor(rtm_model_get(RTM_MODEL_BEST32), &l), 224);
        rtm_model_close(r);
        rtm_oplist_free(&l);
    }
}

static void test_min_arena_and_errors(void **state)
{
    (void)state;
    static const rtm_op ops[] = {ALLOC(0, 9), FREE(0)};
    rtm_oplist l = list_of(ops, 2);
    rtm_min_arena m;
    /* first32: block 16 + 8; heap4: block 24 + 8. The robust scan starts at 1.15 x bisect and steps
     * down by 8 to just above the peak. */
    assert_int_equal(rtm_model_min_arena(RTM_MODEL_FIRST32, &l, &m), RTM_OK);
    assert_int_equal(m.bisect, 24);
    assert_int_equal(m.robust, 24);
    assert_int_equal(m.peak_live, 9);
    assert_int_equal(rtm_model_min_arena(RTM_MODEL_HEAP4, &l, &m), RTM_OK);
    assert_int_equal(m.bisect, 32);
    assert_int_equal(m.robust, 32);
    assert_int_equal(m.arena_align, 0);
    /* the floor: the live blocks' peak plus the overhead, here one block */
    assert_int_equal(rtm_model_floor(rtm_model_get(RTM_MODEL_FIRST32), &l), 24);
    assert_int_equal(rtm_model_floor(rtm_model_get(RTM_MODEL_HEAP4), &l), 32);
    assert_int_equal(rtm_model_floor(NULL, &l), 0);
    assert_int_equal(rtm_model_min_arena(RTM_MODEL_COUNT_, &l, &m), RTM_ERR_ARG);
    assert_int_equal(rtm_model_min_arena(RTM_MODEL_HEAP4, NULL, &m), RTM_ERR_ARG);
    assert_int_equal(rtm_model_min_arena(RTM_MODEL_HEAP4, &l, NULL), RTM_ERR_ARG);
    rtm_oplist_free(&l);
    /* aligned and realloc ops: not modelled */
    rtm_oplist a = {0};
    rtm_oplist_push(&a, RTM_OP_ALIGNED, 0, 64, 6);
    rtm_err e = RTM_OK;
    assert_null(rtm_model_open(rtm_model_get(RTM_MODEL_HEAP4), &a, &e));
    assert_int_equal(e, RTM_ERR_ARG);
    assert_int_equal(rtm_model_min_arena(RTM_MODEL_BEST32, &a, &m), RTM_ERR_ARG);
    rtm_oplist_free(&a);
    /* the generic search refuses what rtm_run_min_arena refuses */
    assert_int_equal(rtm_min_arena_search(&(rtm_oplist){0}, NULL, NULL, &m), RTM_ERR_ARG);
}

/* The reference seed gives the reference list; another seed the same generator's other draws. */
static void test_seeds(void **state)
{
    (void)state;
    assert_int_equal(rtm_workload_seed(RTM_WL_A), 1);
    assert_int_equal(rtm_workload_seed(RTM_WL_B), 2);
    assert_int_equal(rtm_workload_seed(RTM_WL_C), 3);
    assert_int_equal(rtm_workload_seed(RTM_WL_A64), 1);
    assert_int_equal(rtm_workload_seed(RTM_WL_COUNT_), 0);
    rtm_wlgen g;
    assert_false(rtm_wlgen_init_seed(NULL, RTM_WL_C, 5));
    assert_false(rtm_wlgen_init_seed(&g, RTM_WL_COUNT_, 5));
    rtm_oplist ref = {0}, same = {0}, other = {0};
    rtm_workload_info ir, is, io;
    assert_true(rtm_workload_generate(RTM_WL_C, &ref, &ir));
    assert_true(rtm_workload_generate_seed(RTM_WL_C, 3, &same, &is));
    assert_true(rtm_workload_generate_seed(RTM_WL_C, 1003, &other, &io));
    assert_string_equal(ref.name, "C");
    assert_string_equal(same.name, "C");
    assert_string_equal(other.name, "C seed 1003");
    assert_int_equal(ref.n, same.n);
    assert_int_equal(ref.max_id, same.max_id);
    /* C's shape does not depend on the seed: 32 buffers, 500,000 replacements, the clean-up */
    assert_int_equal(other.n, ref.n);
    size_t differ = 0; /* ops of the other seed unlike the reference's (field by field: rtm_op has padding) */
    for (size_t i = 0; i < ref.n; i++) {
        assert_int_equal(ref.ops[i].kind, same.ops[i].kind);
        assert_int_equal(ref.ops[i].id, same.ops[i].id);
        assert_int_equal(ref.ops[i].size, same.ops[i].size);
        differ += other.ops[i].kind != ref.ops[i].kind || other.ops[i].id != ref.ops[i].id ||
                  other.ops[i].size != ref.ops[i].size;
    }
    assert_int_equal(ir.peak_live, 105762);
    assert_int_equal(is.peak_live, 105762);
    assert_int_equal(io.allocs, 500032);
    assert_int_not_equal(io.peak_live, 105762);
    assert_true(differ > ref.n / 2); /* sizes are drawn afresh: nearly every allocation differs */
    printf("C seed 1003: %zu of %zu ops differ from seed 3's\n", differ, ref.n);
    rtm_oplist_free(&ref);
    rtm_oplist_free(&same);
    rtm_oplist_free(&other);
}

/* RTM_FIT_FIRST, checked block by block against the first-fit model with this build's block
 * format (header a word, RTM_ALIGN granule, the heap's smallest block): on workloads A and C in an
 * arena that never runs out, every allocation lands at the model's offset from the first block. */
static bool first_payload(const rtm_heap_block *b, void *ctx)
{
    *(const void **)ctx = b->ptr;
    return false;
}

static void test_first_fit_matches_model(void **state)
{
    (void)state;
    const uint32_t word = (uint32_t)sizeof(size_t);
    uint32_t min_block = (uint32_t)((4u * word + RTM_ALIGN - 1u) & ~(RTM_ALIGN - 1u));
    const rtm_model_params p = {"first-host", word, RTM_ALIGN, min_block, min_block, 0, false};
    static const rtm_workload ws[] = {RTM_WL_A, RTM_WL_C};
    for (size_t k = 0; k < 2; k++) {
        rtm_oplist l = {0};
        assert_true(rtm_workload_generate(ws[k], &l, NULL));
        l.n = rtm_test_ops_min(400000, 20000);
        size_t arena = (size_t)1 << 20;
        void *mem = malloc(arena);
        assert_non_null(mem);
        rtm_heap *h = rtm_heap_init(mem, arena, RTM_FIT_FIRST);
        assert_non_null(h);
        const void *p0 = NULL;
        rtm_heap_walk(h, first_payload, &p0);
        assert_non_null(p0);
        rtm_heap_stats st;
        rtm_heap_get_stats(h, &st);
        rtm_err e;
        rtm_model_run *r = NULL; /* opened on each prefix below */
        /* the model's arena: the heap's block bytes (capacity), so that neither runs out first */
        void **ptr = calloc(l.max_id, sizeof *ptr);
        assert_non_null(ptr);
        size_t checked = 0;
        for (size_t n = 1; n <= l.n; n++) {
            const rtm_op *o = &l.ops[n - 1];
            if (o->kind == RTM_OP_FREE) {
                rtm_heap_free(h, ptr[o->id]);
                ptr[o->id] = NULL;
            } else {
                ptr[o->id] = rtm_heap_alloc(h, o->size);
                assert_non_null(ptr[o->id]);
            }
            /* the model replays the prefix: at 20 points and at the end (20 replays of half the
             * list on average) */
            if (n % (l.n / 20) != 0 && n != l.n) continue;
            rtm_oplist prefix = l;
            prefix.n = n;
            rtm_model_close(r);
            r = rtm_model_open(&p, &prefix, &e);
            assert_non_null(r);
            assert_true(rtm_model_try(r, st.capacity, NULL));
            for (uint32_t id = 0; id < l.max_id; id++) {
                int64_t off = rtm_model_offset(r, id);
                assert_true((off >= 0) == (ptr[id] != NULL));
                if (off >= 0) assert_int_equal((uintptr_t)ptr[id] - (uintptr_t)p0, (uint64_t)off);
            }
            checked++;
        }
        printf("%s[0..%zu): %zu states compared, every live block where the model puts it\n", l.name, l.n, checked);
        assert_true(checked > 0);
        assert_int_equal(rtm_heap_check(h), RTM_OK);
        rtm_model_close(r);
        free(ptr);
        free(mem);
        rtm_oplist_free(&l);
    }
}

/* The heap_4 model against the figures issue 2 publishes for FreeRTOS heap_4/5 (-m32, robust:
 * 1.22 / 1.20 / 1.28 on A / B / C), measured outside this repository with the same definitions:
 * the model's search gives 1.2174 / 1.2015 / 1.2748 (rtm_bench minarena W heap4). Here the
 * bisection results, each passing and 8 bytes less failing (two replays per workload). */
static void test_heap4_published(void **state)
{
    (void)state;
    static const struct {
        rtm_workload w;
        size_t bisect;
    } k[] = {{RTM_WL_A, 173016}, {RTM_WL_B, 189504}, {RTM_WL_C, 134680}};
    for (size_t i = 0; i < 3; i++) {
        rtm_oplist l = {0};
        assert_true(rtm_workload_generate(k[i].w, &l, NULL));
        rtm_err e;
        rtm_model_run *r = rtm_model_open(rtm_model_get(RTM_MODEL_HEAP4), &l, &e);
        assert_non_null(r);
        assert_true(rtm_model_try(r, k[i].bisect, NULL));
        assert_false(rtm_model_try(r, k[i].bisect - 8, NULL));
        rtm_model_close(r);
        rtm_oplist_free(&l);
    }
}

/* "published": test_heap4_published alone (ctest test_models_published, not under memcheck). */
int main(int argc, char **argv)
{
    const struct CMUnitTest published[] = {cmocka_unit_test(test_heap4_published)};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_split_rule),
        cmocka_unit_test(test_merges),
        cmocka_unit_test(test_min_arena_and_errors),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_first_fit_matches_model),
    };
    if (argc == 2 && strcmp(argv[1], "published") == 0) return cmocka_run_group_tests(published, NULL, NULL);
    if (argc != 1) {
        fprintf(stderr, "usage: test_models [published]\n");
        return 2;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
