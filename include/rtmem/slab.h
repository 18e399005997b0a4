/*
 * rtmem/slab.h - fixed-size block allocator (slab) with O(1) alloc and free.
 *
 * A slab hands out blocks of one size from one buffer. Guarantees:
 *  - rtm_slab_alloc and rtm_slab_free are O(1): a pop from / push onto a free list, or carving
 *    the next never-used block ("lazy carving": the free list is not built up front, so a slab
 *    defined with RTM_SLAB_DEFINE is usable with no init call and no start-up cost).
 *  - Memory: count * stride bytes of blocks (stride = block size rounded up to the alignment,
 *    at least one pointer) plus one bit per block for double-free detection. Nothing else; there
 *    is no per-block header.
 *  - Every free is checked in O(1), always: the pointer lies in the buffer and on a block start
 *    (one multiply and one rotate, no division: see slab.c), and, unless
 *    RTM_SLAB_DOUBLE_FREE_CHECK is 0, the block is in use (one bit, or byte, per block). Rejected frees are
 *    reported through the error hook and counted; the slab is unchanged.
 *
 * Build variants (one per build, chosen by the options below):
 *  - RTM_SLAB_LOCKING=1 (default): every alloc/free does its O(1) list work inside
 *    rtm_port_critical_enter/exit, so a slab may be shared by threads and ISRs (ISRs with
 *    RTM_NO_WAIT only). Needs a port.
 *  - RTM_SLAB_WAIT=1 (default; needs RTM_SLAB_LOCKING): rtm_slab_alloc may block with a timeout.
 *    Waiters are served first-come first-served: a block freed while threads wait is handed to
 *    the oldest waiter directly, so a later caller cannot take it first.
 *  - RTM_SLAB_LOCKING=0 (forces RTM_SLAB_WAIT=0): the unlocked core, no port needed; the caller
 *    serialises all calls on one slab (or masks interrupts). This is the smallest and fastest
 *    build: x86-64 instructions per alloc / free: 14 / 14 without a used-map, 18 / 19 with the
 *    byte map, 22 / 27 with the bitmap (docs/slab.md has the figures and how to reproduce them).
 *
 * Buffer layout (rtm_slab_init and RTM_SLAB_DEFINE):
 *
 *   buf: | block 0 | block 1 | ... | block count-1 | used-map (RTM_SLAB_MAP_BYTES(count)) |
 *          <stride>
 *
 * A free block holds the free-list link in its first pointer-sized word; the used-map (1 = in use)
 * sits after the blocks so that it costs no alignment padding. RTM_SLAB_BUF_SIZE(block_size, count)
 * is the size of that buffer as a constant expression.
 */
#ifndef RTMEM_SLAB_H
#define RTMEM_SLAB_H

#include "rtmem/common.h"
#include "rtmem/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Double-free detection (and of frees of never-allocated blocks) with a used-map after the blocks:
 * 1: one bit per block (default); 2: one byte per block (7 bits more per block, about 10 x86-64
 * instructions less per alloc and per free); 0: no map.
 */
#ifndef RTM_SLAB_DOUBLE_FREE_CHECK
#define RTM_SLAB_DOUBLE_FREE_CHECK 1
#endif
#if RTM_SLAB_DOUBLE_FREE_CHECK < 0 || RTM_SLAB_DOUBLE_FREE_CHECK > 2
#error "RTM_SLAB_DOUBLE_FREE_CHECK must be 0, 1 or 2"
#endif

/** 1: alloc/free take the port's critical section (thread- and ISR-safe). 0: unlocked core. */
#ifndef RTM_SLAB_LOCKING
#define RTM_SLAB_LOCKING 1
#endif

/** 1: rtm_slab_alloc can wait (timeouts, FIFO hand-off). 0: every call behaves as RTM_NO_WAIT. */
#ifndef RTM_SLAB_WAIT
#define RTM_SLAB_WAIT RTM_SLAB_LOCKING
#endif

#if RTM_SLAB_WAIT && !RTM_SLAB_LOCKING
#error "RTM_SLAB_WAIT=1 needs RTM_SLAB_LOCKING=1"
#endif

/** Unit of the used-map and how many blocks one unit covers. */
#if RTM_SLAB_DOUBLE_FREE_CHECK == 2
typedef unsigned char rtm_slab_word;
#define RTM_SLAB_WORD_BLOCKS 1u
#else
typedef uintptr_t rtm_slab_word;
#define RTM_SLAB_WORD_BLOCKS (sizeof(rtm_slab_word) * 8u)
#endif

/** Smallest block size and smallest alignment: one pointer (the free-list link lives in a free block). */
#define RTM_SLAB_MIN_BLOCK sizeof(void *)

/** Distance between block starts for @p block_size and power-of-two @p align (constant expression). */
#define RTM_SLAB_STRIDE(block_size, align)                                                           \
    ((((size_t)(block_size) < RTM_SLAB_MIN_BLOCK ? RTM_SLAB_MIN_BLOCK : (size_t)(block_size)) +      \
      RTM_SLAB__ALIGN(align) - 1u) / RTM_SLAB__ALIGN(align) * RTM_SLAB__ALIGN(align))
#define RTM_SLAB__ALIGN(align) ((size_t)(align) < RTM_SLAB_MIN_BLOCK ? RTM_SLAB_MIN_BLOCK : (size_t)(align))

/** Bytes of the used-map after the blocks (0 when RTM_SLAB_DOUBLE_FREE_CHECK is 0). */
#if RTM_SLAB_DOUBLE_FREE_CHECK
#define RTM_SLAB_MAP_BYTES(count)                                                                    \
    (((size_t)(count) + RTM_SLAB_WORD_BLOCKS - 1u) / RTM_SLAB_WORD_BLOCKS * sizeof(rtm_slab_word))
#else
#define RTM_SLAB_MAP_BYTES(count) ((size_t)0)
#endif

/**
 * Bytes rtm_slab_init needs at @p buf for @p count blocks of @p block_size (constant expression):
 * the blocks, each rounded up to a multiple of a pointer, plus the used-map.
 */
#define RTM_SLAB_BUF_SIZE(block_size, count)                                                         \
    (RTM_SLAB_STRIDE(block_size, RTM_SLAB_MIN_BLOCK) * (size_t)(count) + RTM_SLAB_MAP_BYTES(count))

/** As RTM_SLAB_BUF_SIZE, with blocks spaced to keep power-of-two @p align. */
#define RTM_SLAB_BUF_SIZE_ALIGNED(block_size, count, align)                                          \
    (RTM_SLAB_STRIDE(block_size, align) * (size_t)(count) + RTM_SLAB_MAP_BYTES(count))

struct rtm_slab_waiter;

/* Free-list links: block indices when there is a used-map (alloc needs the index for it anyway),
 * addresses otherwise. RTM_SLAB__NIL ends the list. */
#if RTM_SLAB_DOUBLE_FREE_CHECK
#define RTM_SLAB__INDEX_LINKS 1
#define RTM_SLAB__NIL UINTPTR_MAX
#else
#define RTM_SLAB__INDEX_LINKS 0
#define RTM_SLAB__NIL ((uintptr_t)0)
#endif

/**
 * A slab. Lives in the caller's memory (static, global or embedded in another object). The
 * fields are private: use the functions below; they are visible only so that RTM_SLAB_DEFINE can
 * initialise a slab at compile time.
 */
typedef struct rtm_slab {
    unsigned char *blocks;   /* block 0 */
    size_t stride;           /* bytes between block starts */
    size_t count;            /* number of blocks */
    size_t inv;              /* inverse of (stride >> shift) modulo 2^bits(size_t) */
    unsigned shift;          /* trailing zero bits of stride */
    unsigned char san_ready; /* sanitizer pool registered (sanitizer builds only) */
    size_t fresh;            /* blocks [fresh, count) were never handed out */
    uintptr_t free_head;     /* first recycled free block (RTM_SLAB__NIL: none); the blocks are
                                linked through their first word. With a used-map the links are
                                block indices, else addresses (whichever the fast path needs). */
    size_t used;
    size_t max_used;
    size_t failed_allocs;
    size_t bad_frees;
#if RTM_SLAB_DOUBLE_FREE_CHECK
    rtm_slab_word *map;      /* bit (or byte) i set: block i in use */
#endif
#if RTM_SLAB_WAIT
    struct rtm_slab_waiter *wait_head, *wait_tail; /* FIFO of blocked callers */
    size_t waiters;          /* callers in the wait path: queued, or served and not yet returned */
    unsigned char wake_owed; /* an ISR handed a block over and could not wake its waiter */
    rtm_port_sync sync;      /* sleeps and wake-ups only; list state is under the critical section */
#endif
} rtm_slab;

/* ---- compile-time construction (RTM_SLAB_DEFINE) --------------------------------------------- */
/* log2 of a power of two, and a Newton iteration for the inverse of an odd number modulo 2^N
 * (each step doubles the correct low bits; 5 steps from 3 correct bits give 96 >= 64). */
#define RTM_SLAB__LOG2P(p)                                                                           \
    ((((unsigned long long)(p) & 0xFFFFFFFF00000000ull) ? 32u : 0u) +                                \
     (((unsigned long long)(p) & 0xFFFF0000FFFF0000ull) ? 16u : 0u) +                                \
     (((unsigned long long)(p) & 0xFF00FF00FF00FF00ull) ? 8u : 0u) +                                 \
     (((unsigned long long)(p) & 0xF0F0F0F0F0F0F0F0ull) ? 4u : 0u) +                                 \
     (((unsigned long long)(p) & 0xCCCCCCCCCCCCCCCCull) ? 2u : 0u) +                                 \
     (((unsigned long long)(p) & 0xAAAAAAAAAAAAAAAAull) ? 1u : 0u))
#define RTM_SLAB__NEWTON(d, x) ((size_t)(x) * ((size_t)2u - (size_t)(d) * (size_t)(x)))
#define RTM_SLAB__INV(d)                                                                             \
    RTM_SLAB__NEWTON(d, RTM_SLAB__NEWTON(d, RTM_SLAB__NEWTON(d, RTM_SLAB__NEWTON(d,                  \
                     RTM_SLAB__NEWTON(d, (size_t)(d))))))

/* True when @p n blocks of @p stride bytes and their used-map fit in a size_t, as rtm_slab_init
 * requires (it refuses the rest with RTM_ERR_SIZE): slab.c's free check relies on
 * count * stride < 2^N, and without this RTM_SLAB_DEFINE's buffer size would wrap and the slab
 * would hand out blocks past its end (32-bit: 65537 blocks of 64 KiB). A stride of 0 means
 * block_size + align wrapped (refused by "block too large"); 1 stands in for it here, so that the
 * assertion stays a constant expression. */
#define RTM_SLAB__FITS(stride, n)                                                                    \
    ((size_t)(n) <= SIZE_MAX - RTM_SLAB_WORD_BLOCKS &&                                               \
     (size_t)(n) <= (SIZE_MAX - RTM_SLAB_MAP_BYTES(n)) / ((size_t)(stride) != 0 ? (size_t)(stride) : 1u))

#define RTM_SLAB__DEFINE(qual, name, bs_, n_, al_)                                       \
    enum {                                                                                           \
        name##_rtm_stride_ = (int)RTM_SLAB_STRIDE(bs_, al_),                                \
        name##_rtm_shift_ = (int)RTM_SLAB__LOG2P((size_t)name##_rtm_stride_ &                        \
                                                 (~(size_t)name##_rtm_stride_ + 1u)),                \
        name##_rtm_odd_ = name##_rtm_stride_ >> name##_rtm_shift_                                    \
    };                                                                                               \
    _Static_assert((n_) > 0, "RTM_SLAB_DEFINE: count must be > 0");                               \
    _Static_assert(((al_) & ((al_) - 1)) == 0 && (al_) > 0, "RTM_SLAB_DEFINE: align must be a power of two"); \
    _Static_assert(RTM_SLAB_STRIDE(bs_, al_) != 0 && RTM_SLAB_STRIDE(bs_, al_) <= 0x7FFFFFFFu,     \
                   "RTM_SLAB_DEFINE: block too large");                                              \
    _Static_assert(RTM_SLAB__FITS(RTM_SLAB_STRIDE(bs_, al_), n_),                                    \
                   "RTM_SLAB_DEFINE: count * stride overflows size_t");                              \
    static _Alignas(RTM_SLAB__ALIGN(al_)) unsigned char                                            \
        name##_rtm_buf_[RTM_SLAB_BUF_SIZE_ALIGNED(bs_, n_, al_)];                        \
    qual rtm_slab name = {                                                                           \
        .blocks = name##_rtm_buf_,                                                                   \
        .stride = (size_t)name##_rtm_stride_,                                                        \
        .count = (size_t)(n_),                                                                    \
        .inv = RTM_SLAB__INV(name##_rtm_odd_),                                                       \
        .shift = (unsigned)name##_rtm_shift_,                                                        \
        .free_head = RTM_SLAB__NIL,                                                                  \
        RTM_SLAB__MAP_INIT(name, bs_, n_, al_)                                           \
    }
#if RTM_SLAB_DOUBLE_FREE_CHECK
#define RTM_SLAB__MAP_INIT(name, bs_, n_, al_)                                           \
    .map = (rtm_slab_word *)(void *)&name##_rtm_buf_[RTM_SLAB_STRIDE(bs_, al_) * (size_t)(n_)],
#else
#define RTM_SLAB__MAP_INIT(name, bs_, n_, al_)
#endif

/**
 * Defines `rtm_slab name` (external linkage) with a static buffer of @p count blocks of at least
 * @p block_size bytes, each aligned to @p align (a power of two; values below a pointer's size
 * mean a pointer's size). Ready to use: no init call, no start-up code; the free list is carved
 * lazily. Wrong parameters (count 0, align not a power of two, a block or a layout too large for
 * a size_t, which rtm_slab_init refuses with RTM_ERR_SIZE) fail at compile time.
 * Use RTM_SLAB_DEFINE_STATIC for internal linkage.
 */
#define RTM_SLAB_DEFINE(name, block_size, count, align) RTM_SLAB__DEFINE(, name, block_size, count, align)
/** As RTM_SLAB_DEFINE, but `static rtm_slab name`. */
#define RTM_SLAB_DEFINE_STATIC(name, block_size, count, align)                                       \
    RTM_SLAB__DEFINE(static, name, block_size, count, align)

/** Statistics by value (rtm_slab_get_stats). */
typedef struct {
    size_t block_size;    /**< bytes between block starts (>= the requested block size) */
    size_t count;         /**< blocks in the slab */
    size_t used;          /**< blocks handed out now */
    size_t free;          /**< count - used */
    size_t max_used;      /**< highest used since init or rtm_slab_reset_max */
    size_t failed_allocs; /**< allocations that returned NULL (no block, timeout, bad call) */
    size_t bad_frees;     /**< frees rejected: foreign, interior, never-allocated or double */
    size_t waiters;       /**< callers blocked in rtm_slab_alloc now, queued or served and not yet
                               returned (0 without RTM_SLAB_WAIT) */
} rtm_slab_stats;

/**
 * Makes @p s a slab of @p count blocks of @p block_size bytes in @p buf, which must hold
 * RTM_SLAB_BUF_SIZE(block_size, count) bytes. Blocks are spaced by block_size rounded up to a
 * multiple of sizeof(void *); a block is aligned to the largest power of two that divides both
 * that stride and the address of buf.
 * Fails, leaving @p s untouched, with RTM_ERR_ARG (s or buf NULL), RTM_ERR_SIZE (block_size
 * below sizeof(void *), count 0, or the buffer size overflows size_t or the address space) or
 * RTM_ERR_ALIGN (buf not aligned to sizeof(void *)). Failures other than s == NULL are also reported
 * through the error hook with object s.
 * O(count / bits per word) (clears the used-map). Not thread-safe: no other call may use @p s
 * during init. ISR-safe.
 * Every other call needs a slab made by this function or RTM_SLAB_DEFINE. A zero-filled rtm_slab
 * (a static one nobody initialised) is not one: rtm_slab_check reports it (RTM_ERR_CORRUPT),
 * rtm_slab_contains and the statistics see no blocks, and debug builds (RTM_DEBUG) trap in
 * rtm_slab_alloc; release builds do not test for it there (one instruction on every alloc).
 */
rtm_err rtm_slab_init(rtm_slab *s, void *buf, size_t block_size, size_t count);

/**
 * Takes one block. Returns its address (contents unspecified) or NULL.
 * @p timeout: RTM_NO_WAIT returns NULL at once when the slab is empty; RTM_FOREVER waits until a
 * block is freed; any other value waits up to that many milliseconds (rtm_port_now_ms clock).
 * Blocked callers are served in arrival order. Without RTM_SLAB_WAIT, in an ISR, or on a port that
 * cannot block, every timeout behaves as RTM_NO_WAIT.
 * NULL (counted in failed_allocs) when no block is free within the timeout; NULL and a report
 * (RTM_ERR_ARG) when s is NULL.
 * O(1) without waiting. Thread-safe and ISR-safe (RTM_NO_WAIT) with RTM_SLAB_LOCKING; the caller
 * serialises otherwise. Not with a timeout while the caller holds the port's critical section
 * (rtm_port_critical_enter): a wait takes the slab's sync lock first and would block, section
 * held, against the free that is to wake it (lock order: docs/slab.md).
 */
void *rtm_slab_alloc(rtm_slab *s, rtm_timeout timeout);

/**
 * Gives back block @p p. NULL is a no-op. A pointer outside the blocks or not at a block start is
 * rejected (RTM_ERR_BAD_PTR), a block that is not in use (RTM_ERR_DOUBLE_FREE; a never-handed-out
 * block: RTM_ERR_BAD_PTR) too, when RTM_SLAB_DOUBLE_FREE_CHECK is on: reported through the error
 * hook and counted in bad_frees, slab unchanged. If callers wait, the block goes straight to the
 * oldest. O(1). Thread-safe and ISR-safe with RTM_SLAB_LOCKING (a free from an ISR hands the block
 * over and wakes the waiter with rtm_port_notify_from_isr; on a port whose ISR notify does nothing,
 * the next free from a thread, or the next caller that starts to wait, delivers the wake-up, else
 * the waiter notices at its deadline).
 */
void rtm_slab_free(rtm_slab *s, void *p);

/** True iff @p p points into one of the blocks of @p s (any offset; false for NULLs). O(1), ISR-safe, lock-free. */
bool rtm_slab_contains(const rtm_slab *s, const void *p);

/** Stride (bytes between blocks, >= the block size asked for); 0 for NULL. O(1), ISR-safe, lock-free. */
size_t rtm_slab_block_size(const rtm_slab *s);

/** Fills @p out (zeros for s NULL). O(1). Thread/ISR-safe with RTM_SLAB_LOCKING. */
void rtm_slab_get_stats(const rtm_slab *s, rtm_slab_stats *out);

/** Sets max_used to the current used count. O(1). Thread/ISR-safe with RTM_SLAB_LOCKING. */
void rtm_slab_reset_max(rtm_slab *s);

/**
 * Full invariant walk, read-only: free list (in range, block starts, no cycle, not marked used),
 * used-map (used count, no bits at never-used blocks or past count), counters, wait queue.
 * RTM_OK; RTM_ERR_CORRUPT (also reported with the first bad address); RTM_ERR_ARG for NULL.
 * O(count). Holds the critical section for the whole walk (with RTM_SLAB_LOCKING): use it in
 * tests and debug builds, not in latency-critical paths.
 */
rtm_err rtm_slab_check(const rtm_slab *s);

/**
 * Releases the port resources of @p s and its sanitizer registration. RTM_ERR_STATE (reported) if
 * callers are waiting, or were served by a free and have not yet returned from rtm_slab_alloc
 * (nothing is released then: retry once they have), RTM_ERR_ARG for NULL. Blocks still in use stay
 * readable but the slab must not be used again until rtm_slab_init. Not needed for slabs that live
 * forever. O(1). Thread context; no other call on @p s may run concurrently.
 */
rtm_err rtm_slab_destroy(rtm_slab *s);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_SLAB_H */
