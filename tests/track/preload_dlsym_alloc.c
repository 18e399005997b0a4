/* Preloaded after librtmem-trace.so by test_preload (mode dlsymalloc; after it, so that its
 * RTLD_NEXT, relative to this library, is libc): a dlsym that allocates,
 * grows and frees blocks before it looks the name up, as older glibc's dlsym callocs its error
 * buffer and as other preloaded tools wrap dlsym. librtmem-trace.so finds libc's malloc family
 * with dlsym, so these calls reach it while it boots. Each block is checked (16-byte aligned,
 * calloc's zeroed, realloc's contents kept, no two overlapping): exit status 97 when one is
 * wrong. The first call's checks are reported on stderr ("checked N calls" at exit). */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void *(*dlsym_fn)(void *, const char *);
static dlsym_fn real_dlsym;
static unsigned g_calls;

static void check(int ok, const char *what)
{
    if (ok) return;
    static const char head[] = "preload_dlsym_alloc: bad block: ";
    ssize_t w = write(2, head, sizeof head - 1);
    w = write(2, what, strlen(what));
    w = write(2, "\n", 1);
    (void)w;
    _exit(97);
}

static int all(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v) return 0;
    return 1;
}

__attribute__((visibility("default"))) void *dlsym(void *handle, const char *name)
{
    if (real_dlsym == NULL) {
        static const char *const vers[] = {"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.0", "GLIBC_2.17"};
        for (unsigned i = 0; i < sizeof vers / sizeof vers[0] && real_dlsym == NULL; i++)
            real_dlsym = (dlsym_fn)dlvsym(RTLD_NEXT, "dlsym", vers[i]);
        check(real_dlsym != NULL, "no dlsym below");
    }
    unsigned char *a = malloc(40), *b = calloc(3, 24), *c = malloc(200);
    check(a && b && c, "NULL");
    check((uintptr_t)a % 16 == 0 && (uintptr_t)b % 16 == 0 && (uintptr_t)c % 16 == 0, "misaligned");
    check(all(b, 72, 0), "calloc not zeroed");
    memset(a, 0xA1, 40);
    memset(b, 0xB2, 72);
    memset(c, 0xC3, 200);
    unsigned char *g = realloc(a, 100);
    check(g != NULL, "realloc NULL");
    check(all(g, 40, 0xA1), "realloc lost the contents");
    memset(g + 40, 0xA4, 60);
    check(all(b, 72, 0xB2) && all(c, 200, 0xC3), "overlap");
    free(b);
    free(c);
    free(g);
    g_calls++;
    return real_dlsym(handle, name);
}

__attribute__((destructor)) static void report(void)
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "preload_dlsym_alloc: checked %u calls\n", g_calls);
    ssize_t w = write(2, msg, (size_t)n);
    (void)w;
}
