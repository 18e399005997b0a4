/*
 * rtmem/stackpool.h - a pool of N thread stacks of S bytes, carved from one buffer.
 *
 * Each stack starts at a multiple of a power-of-two alignment chosen at init, so one MPU region
 * can cover one stack (ARMv7-M: pass align == stack_size, a power of two; ARMv8-M: 32 bytes).
 * Acquire and release are O(1) bookkeeping under a short critical section
 * (rtm_port_critical_enter: ISR- and thread-safe), plus the stack work done outside it, on memory
 * the caller owns: acquire paints the whole stack (rtm_stack_paint, O(S)); release measures the
 * high-water mark (rtm_stack_unused, O(unused bytes)) and checks the guard band.
 *
 *     stack i = base + i * stride                                  (down-growing, the default)
 *     | guard (RTM_STACKPOOL_GUARD) | never touched ... | used <--- sp |  TLS (glibc) |
 *     ^ stack base: what acquire returns                              initial sp = base + size ^
 *
 * The guard band is the RTM_STACKPOOL_GUARD bytes at the far end of the stack (the lowest bytes,
 * or the highest with RTM_STACK_GROWS_UP=1). A release that finds any of them touched reports
 * RTM_ERR_OVERFLOW through the error hook: the thread came within the guard of overflowing, or
 * overflowed (past the guard it writes into the neighbouring stack or below the buffer; an MPU
 * region or a stack-limit register, e.g. ARMv8-M PSPLIM, catches that at the moment it happens).
 *
 * Per-stack state lives in a small array (4 bytes per stack) after the last stack, never inside a
 * stack, so a stack is entirely the caller's while acquired.
 *
 * Every rejected call reports through the error hook (rtmem/common.h) and leaves the pool
 * unchanged; a rejected rtm_stackpool_release or rtm_stackpool_used of a pool is also counted
 * (bad_releases). Calls without a pool, or rtm_stackpool_get_stats with no place for the figures,
 * are only reported: there is no pool to count them in, or they are no release.
 */
#ifndef RTMEM_STACKPOOL_H
#define RTMEM_STACKPOOL_H

#include "rtmem/common.h"
#include "rtmem/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes at the far end of every stack that must still hold the paint at release. Default: the
 *  stack module's guard (32). Every pool's stack size must be larger. */
#ifndef RTM_STACKPOOL_GUARD
#define RTM_STACKPOOL_GUARD ((size_t)RTM_STACK_GUARD_BYTES)
#endif

/** Distance between two stacks of @p size bytes aligned to @p align (a power of two). */
#define RTM_STACKPOOL_STRIDE(size, align) ((((size_t)(size) + (size_t)(align) - 1u) / (size_t)(align)) * (size_t)(align))

/** Bytes of buffer rtm_stackpool_init() needs for @p count stacks (stacks, then 4 bytes of state
 *  per stack). The buffer itself must be aligned to @p align. A constant expression. */
#define RTM_STACKPOOL_BUF_SIZE(size, count, align)                                                 \
    ((size_t)(count) * RTM_STACKPOOL_STRIDE(size, align) + (size_t)(count) * sizeof(uint32_t))

/**
 * Pool state; lives in the caller's memory. Initialise with rtm_stackpool_init() or define with
 * RTM_STACKPOOL_DEFINE(). The fields are private: use the functions below.
 */
typedef struct rtm_stackpool {
    unsigned char *base; /* stack 0; stack i at base + i * stride */
    uint32_t *link;      /* per stack: 0 in use, LINK_RELEASING, or 1 + next free index (count: end) */
    size_t stack_size, stride, count, align;
    size_t fresh;     /* stacks [fresh, count) were never handed out (so zero-filled state is valid) */
    size_t free_head; /* 1 + index of the first free stack in the list; 0: list empty */
    size_t in_use, max_in_use, worst_used, acquires, releases, failed, bad_releases, overflows;
    bool san_ready;
} rtm_stackpool;

/** Statistics by value (rtm_stackpool_get_stats). */
typedef struct {
    size_t count;         /**< stacks in the pool */
    size_t stack_size;    /**< bytes per stack */
    size_t in_use;        /**< stacks acquired now */
    size_t max_in_use;    /**< highest in_use since init */
    size_t worst_used;    /**< worst high-water mark (bytes touched) seen at any release */
    size_t acquires;      /**< successful acquires */
    size_t releases;      /**< successful releases (overflowed ones included) */
    size_t failed;        /**< acquires that returned NULL because every stack was in use */
    size_t bad_releases;  /**< releases and rtm_stackpool_used calls rejected: foreign, interior or
                               not acquired pointer */
    size_t overflows;     /**< releases that found the guard band touched */
} rtm_stackpool_stats;

/* True when the layout of @p count stacks fits in a size_t, as rtm_stackpool_init() requires (it
 * refuses the rest with RTM_ERR_SIZE): the stride does not wrap, and count * (stride + 4 bytes of
 * state) does not exceed SIZE_MAX. Without it, RTM_STACKPOOL_DEFINE's array size would wrap and the
 * pool would hand out stacks past its end (32-bit: 65537 stacks of 64 KiB). */
#define RTM_STACKPOOL__FITS(size, count, align)                                                    \
    ((size_t)(size) <= SIZE_MAX - ((size_t)(align) - 1u) &&                                         \
     (size_t)(count) <= SIZE_MAX / (RTM_STACKPOOL_STRIDE(size, align) + sizeof(uint32_t)))

/**
 * Defines `rtm_stackpool name` (file scope) with static storage for @p count_ stacks of @p size_
 * bytes aligned to @p align_, ready to use with no init call. Checked at compile time as
 * rtm_stackpool_init() checks at run time: parameters it refuses, a layout too large for a size_t
 * included, fail to compile.
 */
#define RTM_STACKPOOL_DEFINE(name, size_, count_, align_)                                             \
    _Static_assert((align_) >= RTM_ALIGN && ((align_) & ((align_) - 1u)) == 0 && (size_) % RTM_ALIGN == 0 && \
                       (size_) > RTM_STACKPOOL_GUARD && (count_) > 0 && (count_) <= 0xFFFFFF00u,      \
                   "RTM_STACKPOOL_DEFINE: bad size, count or alignment");                          \
    _Static_assert(RTM_STACKPOOL__FITS(size_, count_, align_),                                      \
                   "RTM_STACKPOOL_DEFINE: size + align or count * stride overflows size_t");       \
    static _Alignas(align_) unsigned char name##_rtm_sp_stacks_[(count_) * RTM_STACKPOOL_STRIDE(size_, align_)]; \
    static uint32_t name##_rtm_sp_link_[(count_)];                                                  \
    rtm_stackpool name = { .base = name##_rtm_sp_stacks_, .link = name##_rtm_sp_link_,              \
                           .stack_size = (size_), .stride = RTM_STACKPOOL_STRIDE(size_, align_),      \
                           .count = (count_), .align = (align_) }

/**
 * Makes @p p a pool of @p count stacks of @p stack_size bytes in [@p buf, @p buf + @p buf_size),
 * stack i at buf + i * RTM_STACKPOOL_STRIDE(stack_size, align), state after the last stack.
 * Fails iff (reported; @p p not touched): @p p or @p buf NULL (RTM_ERR_ARG); @p align not a power of
 * two or below RTM_ALIGN, or @p buf not aligned to @p align (RTM_ERR_ALIGN); @p stack_size not a
 * multiple of RTM_ALIGN or not above RTM_STACKPOOL_GUARD, @p count 0 or above 0xFFFFFF00, or the
 * layout size overflows (RTM_ERR_SIZE); @p buf_size below RTM_STACKPOOL_BUF_SIZE(stack_size, count,
 * align) (RTM_ERR_TOO_SMALL).
 * O(1) (no stack is painted here). Not concurrent with other calls on @p p.
 */
rtm_err rtm_stackpool_init(rtm_stackpool *p, void *buf, size_t buf_size, size_t stack_size, size_t count,
                           size_t align);

/**
 * Ends the use of @p p (tells Valgrind the stacks are gone); stacks still acquired must not be used
 * any more. NULL: reported (RTM_ERR_ARG). O(1). Not concurrent with other calls on @p p.
 */
void rtm_stackpool_deinit(rtm_stackpool *p);

/**
 * Takes a free stack, paints it (every byte RTM_STACK_PAINT_BYTE) and returns its base, the lowest
 * address; it spans rtm_stackpool_stack_size() bytes (initial stack pointer: base + size for
 * down-growing stacks). Returns NULL when every stack is in use (counted in failed, not reported),
 * @p p is NULL (reported, RTM_ERR_ARG) or the free list is damaged (reported, RTM_ERR_CORRUPT with
 * @p p; nothing taken or counted).
 * O(1) + O(stack size) for the paint, which runs outside the critical section.
 * Thread- and ISR-safe (painting in an ISR costs the whole stack size, though).
 */
void *rtm_stackpool_acquire(rtm_stackpool *p);

/**
 * Gives @p stack back. Measures its high-water mark (stats.worst_used) and checks the guard band.
 * Returns RTM_OK, or RTM_ERR_OVERFLOW (reported with @p stack, counted in overflows) when the guard
 * was touched: the stack IS released in that case too.
 * Fails, reported with @p stack, counted in bad_releases, pool unchanged, iff: @p p NULL (RTM_ERR_ARG,
 * not counted); @p stack NULL, outside the pool or not a stack base (RTM_ERR_BAD_PTR); @p stack not
 * acquired: released already, or never handed out (RTM_ERR_DOUBLE_FREE).
 * O(1) + O(unused bytes) for the measurement, outside the critical section. Thread- and ISR-safe.
 * The thread that ran on @p stack must have ended (joined) before.
 */
rtm_err rtm_stackpool_release(rtm_stackpool *p, void *stack);

/**
 * High-water mark of the acquired @p stack now: bytes touched since acquire (glibc's thread
 * descriptor and TLS at the top of a POSIX thread's stack included). Returns 0 and reports
 * (RTM_ERR_BAD_PTR / RTM_ERR_DOUBLE_FREE as release, counted in bad_releases; RTM_ERR_ARG for a NULL
 * @p p) when @p stack is not an acquired stack of @p p.
 * O(unused bytes). Thread-safe; may scan the stack of a running thread (a benign race on targets).
 * The scan runs outside the critical section: @p stack must not be released (by another thread
 * or an ISR) while this runs, or the figure is that of whatever the stack holds meanwhile (after a
 * release and a new acquire: its fresh paint).
 */
size_t rtm_stackpool_used(rtm_stackpool *p, const void *stack);

/** Bytes per stack of @p p (0 and reported for NULL). O(1). Any context. */
size_t rtm_stackpool_stack_size(const rtm_stackpool *p);

/**
 * Fills @p out with the statistics of @p p, consistent with each other (read in one critical
 * section). NULL @p p or @p out: reported (RTM_ERR_ARG), @p out zero-filled if not NULL.
 * O(1). Thread- and ISR-safe.
 */
void rtm_stackpool_get_stats(rtm_stackpool *p, rtm_stackpool_stats *out);

/**
 * Integrity check: geometry consistent and aligned; the free list is acyclic, stays in range and
 * has exactly fresh - in_use entries, all marked free; in_use <= max_in_use <= count.
 * Returns RTM_OK, RTM_ERR_CORRUPT (reported, with the address of the bad state entry or of @p p),
 * RTM_ERR_ARG for NULL (reported). Does not modify the pool.
 * O(count) inside one critical section: for tests and debug builds.
 */
rtm_err rtm_stackpool_check(rtm_stackpool *p);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_STACKPOOL_H */
