/* A program with a known allocation pattern, run under librtmem-trace.so by test_preload.
 * Every allocation of interest has a "marker" size in [77000, 78000) (libc and the loader never ask
 * for such sizes here); the program counts its own marker allocations, frees, reallocs and peak
 * live marker bytes, and prints them, so the test can compare them with what the trace recorded.
 * The accounting and the call happen under one mutex, so the order the trace sees is the order the
 * program counted in, even with several threads. */
#define _GNU_SOURCE 1
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK 77000u
#define THREADS 4
#define PER_THREAD 300
#define KEEP 8

static pthread_mutex_t g_m = PTHREAD_MUTEX_INITIALIZER;
static size_t g_live, g_peak, g_allocs, g_frees, g_reallocs;
static unsigned long g_sum;

static void grow(size_t n)
{
    g_live += n;
    if (g_live > g_peak) g_peak = g_live;
}

static void *mark_alloc(size_t n)
{
    pthread_mutex_lock(&g_m);
    void *p = malloc(n);
    if (p) {
        g_allocs++;
        grow(n);
    }
    pthread_mutex_unlock(&g_m);
    return p;
}

static void mark_free(void *p, size_t n)
{
    pthread_mutex_lock(&g_m);
    free(p);
    g_frees++;
    g_live -= n;
    pthread_mutex_unlock(&g_m);
}

static void *worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    unsigned char *ring[KEEP] = {0};
    size_t sizes[KEEP] = {0};
    unsigned long sum = 0;
    for (unsigned i = 0; i < PER_THREAD; i++) {
        unsigned k = i % KEEP;
        if (ring[k]) {
            for (size_t j = 0; j < sizes[k]; j += 97) sum += ring[k][j];
            mark_free(ring[k], sizes[k]);
        }
        sizes[k] = MARK + (i * 7u + id * 13u) % 900u;
        ring[k] = mark_alloc(sizes[k]);
        if (ring[k] == NULL) abort();
        memset(ring[k], (int)(i + id), sizes[k]);
    }
    for (unsigned k = 0; k < KEEP; k++) mark_free(ring[k], sizes[k]);
    pthread_mutex_lock(&g_m);
    g_sum += sum;
    pthread_mutex_unlock(&g_m);
    return NULL;
}

int main(int argc, char **argv)
{
    /* calloc, a growing realloc chain, the three aligned interfaces */
    pthread_mutex_lock(&g_m);
    char *c = calloc(10, (MARK + 10u) / 10u); /* 77010 bytes */
    g_allocs++;
    grow(77010);
    char *r = malloc(MARK + 100);
    g_allocs++;
    grow(MARK + 100);
    for (unsigned step = 2; step <= 4; step++) {
        r = realloc(r, MARK + 100 * step);
        g_reallocs++;
        grow(100); /* old and new coexist only inside libc: the trace sees one event */
    }
    void *a1 = NULL;
    if (posix_memalign(&a1, 64, MARK + 400)) abort();
    grow(MARK + 400);
    void *a2 = aligned_alloc(128, MARK + 440); /* a multiple of 128 */
    grow(MARK + 440);
    void *a3 = memalign(256, MARK + 500);
    grow(MARK + 500);
    void *a4 = valloc(MARK + 600);
    grow(MARK + 600);
    void *a5 = pvalloc(MARK + 700); /* recorded with the size asked for */
    grow(MARK + 700);
    g_allocs += 5;
    pthread_mutex_unlock(&g_m);
    long page = sysconf(_SC_PAGESIZE);
    if (!a4 || !a5 || ((uintptr_t)a4 % (uintptr_t)page) || ((uintptr_t)a5 % (uintptr_t)page)) abort();
    if (!c || !r || !a2 || !a3 || ((uintptr_t)a1 & 63) || ((uintptr_t)a2 & 127) || ((uintptr_t)a3 & 255)) abort();
    for (size_t i = 0; i < 77010; i++) g_sum += (unsigned char)c[i]; /* zeroed */

    pthread_t th[THREADS];
    for (unsigned i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
    for (unsigned i = 0; i < THREADS; i++) pthread_join(th[i], NULL);

    mark_free(c, 77010);
    mark_free(r, MARK + 400);
    mark_free(a1, MARK + 400);
    mark_free(a2, MARK + 440);
    mark_free(a3, MARK + 500);
    mark_free(a4, MARK + 600);
    mark_free(a5, MARK + 700);
    /* stdout: deterministic (compared between plain and traced runs); the peak depends on how the
     * threads interleaved, so the accounting goes to the file named by argv[1] */
    printf("victim: allocs=%zu frees=%zu reallocs=%zu live=%zu sum=%lu\n", g_allocs, g_frees, g_reallocs, g_live,
           g_sum);
    if (argc > 1) {
        FILE *f = fopen(argv[1], "w");
        if (f == NULL) return 1;
        fprintf(f, "allocs=%zu frees=%zu reallocs=%zu peak=%zu live=%zu\n", g_allocs, g_frees, g_reallocs, g_peak,
                g_live);
        fclose(f);
    }
    return 0;
}
