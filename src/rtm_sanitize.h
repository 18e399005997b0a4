/*
 * Telling Valgrind memcheck and AddressSanitizer about rtmem's blocks (private header).
 *
 * Every rtmem allocator calls these at the points where a block changes hands. They compile to
 * nothing unless the build asks for them:
 *   RTM_VALGRIND=1          memcheck client requests (needs <valgrind/memcheck.h>, host builds)
 *   -fsanitize=address      ASan manual poisoning (detected from the compiler)
 *
 * Model (the same for memcheck and ASan):
 *   rtm_san_pool_create(pool)          the allocator `pool` now exists
 *   rtm_san_pool_destroy(pool)         ... no longer exists
 *   rtm_san_alloc(pool, ptr, size)     [ptr, ptr+size) was handed to the user (undefined contents)
 *   rtm_san_free(pool, ptr)            the block at ptr was given back (any access is an error)
 *   rtm_san_resize(pool, ptr, old, new) in-place resize of a live block
 *   rtm_san_noaccess(p, n)             allocator-private bytes: the user must not touch them
 *   rtm_san_access(p, n)               the allocator is about to use these bytes itself
 *   rtm_san_defined(p, n)              bytes the allocator initialised for the user (calloc)
 * Memcheck uses the mempool requests, so its leak report lists rtmem blocks still live at exit
 * and use-after-free of rtmem blocks is reported like that of malloc blocks.
 */
#ifndef RTM_SANITIZE_H
#define RTM_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define RTM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTM_ASAN 1
#endif
#endif
#ifndef RTM_ASAN
#define RTM_ASAN 0
#endif

#ifndef RTM_VALGRIND
#define RTM_VALGRIND 0
#endif

#if RTM_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define RTM_ASAN_POISON(p, n) __asan_poison_memory_region((p), (n))
#define RTM_ASAN_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define RTM_ASAN_POISON(p, n) ((void)(p), (void)(n))
#define RTM_ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#if RTM_VALGRIND
#include <valgrind/memcheck.h>
#define RTM_VG(x) x
#else
#define RTM_VG(x) ((void)0)
#endif

/* True when allocator metadata inside free space must be unpoisoned around each access. */
#define RTM_SAN_ACTIVE (RTM_ASAN || RTM_VALGRIND)

static inline void rtm_san_pool_create(const void *pool)
{
    (void)pool;
    /* A buffer may be initialised again without its old allocator being destroyed (rtmem objects
     * have no destroy call; the runner frees an arena and malloc hands the same address to the
     * next heap). Memcheck aborts on a second CREATE_MEMPOOL with the same anchor ("duplicate pool
     * creation"), so the old pool, and with it its chunks, goes first. */
    RTM_VG(if (VALGRIND_MEMPOOL_EXISTS(pool)) VALGRIND_DESTROY_MEMPOOL(pool));
    RTM_VG(VALGRIND_CREATE_MEMPOOL(pool, 0, 0));
}
/*
 * An allocator is about to be (re)initialised over [mem, mem + n) with anchor @p pool. rtmem
 * objects have no destroy call, so the buffer may still carry what the tools learnt from an
 * earlier allocator there: a memcheck pool at the same anchor (whose chunks DESTROY marks
 * NOACCESS) and ASan poison. This forgets both and declares the whole buffer fresh (undefined,
 * addressable). Call it first in an init, before the buffer is touched; rtm_san_pool_create may
 * follow. Without it, re-initialising a heap in a reused arena of a different size makes memcheck
 * report the new control data as inaccessible (the runner's minimum-arena search does this).
 */
static inline void rtm_san_region_fresh(const void *pool, void *mem, size_t n)
{
    (void)pool, (void)mem, (void)n;
    RTM_VG(if (VALGRIND_MEMPOOL_EXISTS(pool)) VALGRIND_DESTROY_MEMPOOL(pool));
    RTM_ASAN_UNPOISON(mem, n);
    RTM_VG(VALGRIND_MAKE_MEM_UNDEFINED(mem, n));
}
static inline void rtm_san_pool_destroy(const void *pool)
{
    (void)pool;
    RTM_VG(VALGRIND_DESTROY_MEMPOOL(pool));
}
static inline void rtm_san_alloc(const void *pool, void *ptr, size_t size)
{
    (void)pool, (void)ptr, (void)size;
    RTM_ASAN_UNPOISON(ptr, size);
    RTM_VG(VALGRIND_MEMPOOL_ALLOC(pool, ptr, size));
}
static inline void rtm_san_free(const void *pool, void *ptr, size_t size)
{
    (void)pool, (void)ptr, (void)size;
    RTM_VG(VALGRIND_MEMPOOL_FREE(pool, ptr));
    RTM_ASAN_POISON(ptr, size);
}
#if RTM_VALGRIND
/* Memcheck opened only the bytes the caller asked for, a prefix of the block that an allocator
 * resizing in place does not know: finds the end of the addressable prefix of [p, p + n) (binary
 * search; VALGRIND_GET_VBITS reports no error) and opens the rest as undefined. */
static inline void rtm_san_vg_open_tail(char *p, size_t n)
{
    unsigned char vb;
    size_t lo = 0, hi = n;
    if (!RUNNING_ON_VALGRIND) return;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (VALGRIND_GET_VBITS(p + mid, &vb, 1) == 3) hi = mid;
        else lo = mid + 1;
    }
    if (lo < n) VALGRIND_MAKE_MEM_UNDEFINED(p + lo, n - lo);
}
#endif
/* ptr's usable bytes were old_size (whole block) and the user now asks for new_size. */
/* The user may now use all of [ptr, ptr + n) of its live block (e.g. after asking for the usable
 * size): bytes already open keep their state (written bytes stay defined), the rest opens as
 * undefined. */
static inline void rtm_san_open(const void *pool, void *ptr, size_t n)
{
    (void)pool, (void)ptr, (void)n;
    RTM_VG(VALGRIND_MEMPOOL_CHANGE(pool, ptr, ptr, n));
    RTM_VG(rtm_san_vg_open_tail((char *)ptr, n));
    RTM_ASAN_UNPOISON(ptr, n);
}
static inline void rtm_san_resize(const void *pool, void *ptr, size_t old_size, size_t new_size)
{
    (void)pool, (void)ptr, (void)old_size, (void)new_size;
    RTM_VG(VALGRIND_MEMPOOL_CHANGE(pool, ptr, ptr, new_size));
    RTM_VG(rtm_san_vg_open_tail((char *)ptr, new_size));
    if (new_size > old_size) {
        RTM_ASAN_UNPOISON((char *)ptr + old_size, new_size - old_size);
        RTM_VG(VALGRIND_MAKE_MEM_UNDEFINED((char *)ptr + old_size, new_size - old_size));
    } else {
        RTM_ASAN_POISON((char *)ptr + new_size, old_size - new_size);
        RTM_VG(VALGRIND_MAKE_MEM_NOACCESS((char *)ptr + new_size, old_size - new_size));
    }
    RTM_ASAN_UNPOISON(ptr, new_size);
}
static inline void rtm_san_noaccess(void *p, size_t n)
{
    (void)p, (void)n;
    RTM_ASAN_POISON(p, n);
    RTM_VG(VALGRIND_MAKE_MEM_NOACCESS(p, n));
}
static inline void rtm_san_access(void *p, size_t n)
{
    (void)p, (void)n;
    RTM_ASAN_UNPOISON(p, n);
    RTM_VG(VALGRIND_MAKE_MEM_DEFINED(p, n));
}
/* True only when a checker is active and says [p, p+n) is open to the user: allocators use it to
 * recognise a pointer into a live block without touching (and re-poisoning) the user's bytes.
 * Without Valgrind it is always false (ASan builds reach metadata uninstrumented instead). */
static inline bool rtm_san_is_user_memory(const void *p, size_t n)
{
    (void)p, (void)n;
#if RTM_VALGRIND
    unsigned char vbits[16];
    if (n > sizeof vbits) n = sizeof vbits;
    return RUNNING_ON_VALGRIND && VALGRIND_GET_VBITS(p, vbits, n) == 1;
#else
    return false;
#endif
}
static inline void rtm_san_defined(void *p, size_t n)
{
    (void)p, (void)n;
    RTM_VG(VALGRIND_MAKE_MEM_DEFINED(p, n));
}

#endif /* RTM_SANITIZE_H */
