/*
 * POSIX backend under threads: several threads fault on a read-only partition over and over while
 * others write their own read-write partition and read the fault ring. Every fault is recorded with
 * the faulting thread, its domain and the exact address; every aborted body ends in its own thread
 * and the others keep running. Faults while another thread changes the faulting domain's
 * partitions. TSan must stay quiet.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "domain_posix.h"
#include "rtm_test.h"
#include "rtmem/port.h"

enum { FAULTERS = 3, WRITERS = 2 };

static size_t g_page;
static uint8_t *g_mem; /* page 0: read-only partition; pages 1..WRITERS: one RW partition each */
static rtm_domain g_dom;
static size_t g_rounds;
static atomic_uint g_aborted, g_done_writes, g_ring_reads;
static pthread_barrier_t g_start;

typedef struct {
    unsigned id;
    uintptr_t thread;
} worker;

static void *write_ro(void *p)
{
    *(volatile uint8_t *)p = 1;
    return NULL;
}

static void *faulter(void *arg)
{
    worker *w = arg;
    w->thread = rtm_port_thread_id();
    bool added = rtm_domain_add_thread(&g_dom, w->thread) == RTM_OK;
    pthread_barrier_wait(&g_start); /* on failure too: the other threads must not wait forever */
    if (!added) return (void *)1;   /* (RTM_DOMAIN_MAX_THREADS < FAULTERS hung the test) */
    for (size_t k = 0; k < g_rounds; k++) {
        uint8_t *target = g_mem + (w->id * 64u + k % 64u);
        if (rtm_posix_run(write_ro, target, NULL) != RTM_ERR_ACCESS) return (void *)2;
        atomic_fetch_add(&g_aborted, 1u);
        /* read back a record of ours from the ring while others keep faulting */
        rtm_fault_record r;
        for (uint32_t i = 0; i < RTM_FAULT_RING_SIZE; i++) {
            if (rtm_fault_get(i, &r) != RTM_OK) break;
            if (r.thread != w->thread) continue;
            if (r.domain != &g_dom || r.part_index != 0 || r.action != RTM_FAULT_ABORT_THREAD) return (void *)3;
            if (r.addr < (uintptr_t)g_mem + w->id * 64u || r.addr >= (uintptr_t)g_mem + w->id * 64u + 64u)
                return (void *)4;
            atomic_fetch_add(&g_ring_reads, 1u);
            break;
        }
    }
    return NULL;
}

static void *fill(void *p)
{
    worker *w = p;
    uint8_t *mine = g_mem + (1u + w->id) * g_page;
    for (size_t k = 0; k < g_rounds; k++) {
        for (size_t i = 0; i < 256; i++) mine[(k * 256 + i) % g_page] = (uint8_t)(k + i);
        atomic_fetch_add(&g_done_writes, 1u);
    }
    return NULL;
}

static void *writer(void *arg)
{
    pthread_barrier_wait(&g_start);
    void *ret = (void *)1;
    if (rtm_posix_run(fill, arg, &ret) != RTM_OK) return (void *)5;
    return ret;
}

static void faults_in_many_threads(void **state)
{
    (void)state;
    g_page = rtm_posix_page_size();
    g_rounds = rtm_test_ops(20000) / 10u + 10u;
    g_mem = mmap(NULL, (1 + WRITERS) * g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g_mem != MAP_FAILED);
    rtm_partition parts[1 + WRITERS];
    const rtm_partition *pp[1 + WRITERS];
    parts[0] = (rtm_partition){(uintptr_t)g_mem, g_page, RTM_PART_P_RW_U_RO | RTM_PART_XN};
    for (unsigned i = 1; i <= WRITERS; i++)
        parts[i] = (rtm_partition){(uintptr_t)g_mem + i * g_page, g_page, RTM_PART_P_RW_U_RW | RTM_PART_XN};
    for (unsigned i = 0; i <= WRITERS; i++) pp[i] = &parts[i];
    rtm_mpu_arch arch = rtm_posix_mpu_arch();
    assert_int_equal(rtm_domain_init(&g_dom, &arch, pp, 1 + WRITERS, NULL), RTM_OK);
    assert_int_equal(rtm_posix_fault_install(), RTM_OK);
    assert_int_equal(rtm_posix_domain_apply(&g_dom), RTM_OK);
    rtm_fault_clear();
    assert_int_equal(pthread_barrier_init(&g_start, NULL, FAULTERS + WRITERS), 0);
    pthread_t th[FAULTERS + WRITERS];
    worker w[FAULTERS + WRITERS];
    for (unsigned i = 0; i < FAULTERS; i++) {
        w[i] = (worker){i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, faulter, &w[i]), 0);
    }
    for (unsigned i = 0; i < WRITERS; i++) {
        w[FAULTERS + i] = (worker){i, 0};
        assert_int_equal(pthread_create(&th[FAULTERS + i], NULL, writer, &w[FAULTERS + i]), 0);
    }
    for (unsigned i = 0; i < FAULTERS + WRITERS; i++) {
        void *ret = (void *)99;
        assert_int_equal(pthread_join(th[i], &ret), 0);
        assert_null(ret);
    }
    assert_int_equal(atomic_load(&g_aborted), FAULTERS * g_rounds);
    assert_int_equal(atomic_load(&g_done_writes), WRITERS * g_rounds);
    assert_int_equal(rtm_fault_count(), FAULTERS * g_rounds);
    assert_true(atomic_load(&g_ring_reads) > 0);
    /* the read-only page was never written */
    for (size_t i = 0; i < g_page; i++) assert_int_equal(g_mem[i], 0);
    pthread_barrier_destroy(&g_start);
    assert_int_equal(rtm_posix_domain_release(&g_dom), RTM_OK);
    assert_int_equal(rtm_domain_deinit(&g_dom), RTM_OK);
    rtm_posix_fault_uninstall();
    munmap(g_mem, (1 + WRITERS) * g_page);
}

/* Faults in one partition while another thread removes and re-adds the partition in front of it,
 * shifting the domain's partition array. The fault handler once read the faulting partition
 * through rtm_domain_find's pointer after the critical section: a data race that TSan reported
 * (on_fault's read of the attributes against rtm_domain_remove_partition's copy). */
static atomic_bool g_churn_stop;
static atomic_uint g_churns;

static void *churn_first_partition(void *arg)
{
    const rtm_partition *first = arg;
    while (!atomic_load(&g_churn_stop)) {
        if (rtm_domain_remove_partition(&g_dom, first, NULL) != RTM_OK) return (void *)1;
        if (rtm_domain_add_partition(&g_dom, first, NULL) != RTM_OK) return (void *)2;
        atomic_fetch_add(&g_churns, 1u);
    }
    return NULL;
}

static void faults_while_partitions_change(void **state)
{
    (void)state;
    g_page = rtm_posix_page_size();
    g_mem = mmap(NULL, 2 * g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g_mem != MAP_FAILED);
    rtm_partition rw = {(uintptr_t)g_mem, g_page, RTM_PART_P_RW_U_RW | RTM_PART_XN};
    rtm_partition ro = {(uintptr_t)g_mem + g_page, g_page, RTM_PART_P_RW_U_RO | RTM_PART_XN};
    const rtm_partition *pp[] = {&rw, &ro};
    rtm_mpu_arch arch = rtm_posix_mpu_arch();
    assert_int_equal(rtm_domain_init(&g_dom, &arch, pp, 2, NULL), RTM_OK);
    assert_int_equal(rtm_domain_add_thread(&g_dom, rtm_port_thread_id()), RTM_OK);
    assert_int_equal(rtm_posix_fault_install(), RTM_OK);
    assert_int_equal(rtm_posix_domain_apply(&g_dom), RTM_OK);
    rtm_fault_clear();
    atomic_store(&g_churn_stop, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, churn_first_partition, &rw), 0);
    size_t rounds = rtm_test_ops(20000) / 4u + 10u;
    for (size_t k = 0; k < rounds; k++)
        assert_int_equal(rtm_posix_run(write_ro, g_mem + g_page + k % 64u, NULL), RTM_ERR_ACCESS);
    atomic_store(&g_churn_stop, true);
    void *ret = (void *)99;
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_null(ret);
    assert_int_equal(rtm_fault_count(), rounds);
    rtm_fault_record r;
    assert_int_equal(rtm_fault_get(0, &r), RTM_OK);
    assert_int_equal(r.access, RTM_ACCESS_WRITE);
    assert_int_equal(r.partition.start, (uintptr_t)g_mem + g_page);
    assert_int_equal(r.action, RTM_FAULT_ABORT_THREAD);
    assert_int_equal(rtm_posix_domain_release(&g_dom), RTM_OK);
    assert_int_equal(rtm_domain_deinit(&g_dom), RTM_OK);
    rtm_posix_fault_uninstall();
    munmap(g_mem, 2 * g_page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(faults_in_many_threads),
        cmocka_unit_test(faults_while_partitions_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
