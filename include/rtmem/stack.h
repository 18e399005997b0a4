/*
 * rtmem/stack.h - stack painting, high-water marks and overflow guards at run time.
 *
 * Paint a stack with a known pattern before the thread (or ISR stack) first runs; later, the bytes
 * that still hold the pattern were never touched. rtm_stack_unused() finds how many, scanning one
 * word at a time from the far end of the stack (the end a growing stack reaches last) and stopping
 * at the first touched word, so its cost is proportional to the unused part only.
 *
 *    down-growing (default)                     up-growing (RTM_STACK_GROWS_UP=1 or *_up calls)
 *    base                          base+size    base                          base+size
 *    | guard | never touched ... | used <--- sp |   | sp ---> used | never touched ... | guard |
 *    '--- rtm_stack_unused() ---'                                  '--- rtm_stack_unused() ---'
 *
 * The measured high-water mark is a lower bound of the true worst case: it is what this run
 * touched. `rtmem stack` (docs/stack.md) computes the static upper bound from the compiler output.
 * A function that reserves a frame but never writes some of it (e.g. a large array that is only
 * partly used) leaves pattern bytes inside the used part; the scan stops at the first touched word,
 * so such holes are counted as used only when something below them was touched.
 *
 * Any region works: [base, base + size) need not be aligned; unaligned head and tail bytes are
 * painted and checked one byte at a time, the rest one word (uintptr_t) at a time.
 *
 * Thread/ISR safety: every function only reads or writes the region it is given and no global state
 * (besides rtm_report on bad input). Scanning a live stack of another thread is a benign race on
 * real targets; the scan functions are excluded from ASan/TSan instrumentation for that reason.
 * Painting a stack that is in use destroys it: paint before the thread starts.
 */
#ifndef RTMEM_STACK_H
#define RTMEM_STACK_H

#include "rtmem/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The byte painted into every stack byte. 0xA5 is unlikely as data, address or return value. */
#ifndef RTM_STACK_PAINT_BYTE
#define RTM_STACK_PAINT_BYTE 0xA5u
#endif

/** 1: rtm_stack_unused() and rtm_stack_check() treat stacks as growing up (toward base + size).
 *  0 (default): stacks grow down, as on Arm Cortex-M, RISC-V (psABI), x86 and every common MCU. */
#ifndef RTM_STACK_GROWS_UP
#define RTM_STACK_GROWS_UP 0
#endif

/** Default guard-band size used by rtm_stack_check() when its @p guard argument is 0. */
#ifndef RTM_STACK_GUARD_BYTES
#define RTM_STACK_GUARD_BYTES 32u
#endif

/** High-water figures of one stack, by value (rtm_stack_get_info). */
typedef struct {
    size_t size;       /**< bytes in the region */
    size_t unused;     /**< bytes never touched, counted from the far end */
    size_t used;       /**< high-water mark: size - unused */
    unsigned permille; /**< used * 1000 / size (0 when size == 0) */
} rtm_stack_info;

/**
 * Fills [@p base, @p base + @p size) with RTM_STACK_PAINT_BYTE.
 * Rejects (reports RTM_ERR_ARG for a NULL base, RTM_ERR_SIZE for a zero size or a region that
 * wraps around the address space; paints nothing) bad input.
 * O(size). ISR-safe; must not be called on the stack the caller is running on.
 */
void rtm_stack_paint(void *base, size_t size);

/**
 * Bytes of [@p base, @p base + @p size) never touched since rtm_stack_paint(), counted from the end
 * the stack reaches last (the low end for down-growing stacks, the default; the high end when
 * RTM_STACK_GROWS_UP=1). Returns @p size when nothing was touched, 0 when the far end was touched
 * (the stack overflowed or came within one byte of it).
 * Fails (reports RTM_ERR_ARG / RTM_ERR_SIZE as rtm_stack_paint, returns 0) on bad input.
 * O(unused / sizeof(uintptr_t)): a word-wise scan that stops at the first touched word.
 * ISR-safe, reentrant; may scan the live stack of another thread.
 */
size_t rtm_stack_unused(const void *base, size_t size);

/** rtm_stack_unused() for a stack that grows down, whatever RTM_STACK_GROWS_UP says. Same contract. */
size_t rtm_stack_unused_down(const void *base, size_t size);

/** rtm_stack_unused() for a stack that grows up, whatever RTM_STACK_GROWS_UP says. Same contract. */
size_t rtm_stack_unused_up(const void *base, size_t size);

/**
 * Fills @p out with the size, unused bytes (as rtm_stack_unused), high-water mark and fill ratio.
 * Returns RTM_OK; RTM_ERR_ARG for a NULL base or out, RTM_ERR_SIZE for a zero or wrapping size
 * (both also reported through the error hook; @p out is then zero-filled if not NULL).
 * O(unused / sizeof(uintptr_t)). ISR-safe.
 */
rtm_err rtm_stack_get_info(const void *base, size_t size, rtm_stack_info *out);

/**
 * Guard check: verifies that the @p guard bytes at the far end of the stack (the lowest bytes for
 * down-growing stacks, the highest for up-growing ones; RTM_STACK_GUARD_BYTES when @p guard is 0;
 * clamped to @p size) still hold the paint. Call it periodically (idle task, context switch hook)
 * or after a test run.
 * Returns RTM_OK when the guard is intact. Returns RTM_ERR_OVERFLOW and reports
 * rtm_report(RTM_ERR_OVERFLOW, base, address of the touched guard byte nearest the far end) when any
 * guard byte was written: the stack reached its guard band and has probably overflowed past it.
 * Returns RTM_ERR_ARG / RTM_ERR_SIZE (also reported) on bad input.
 * O(guard). ISR-safe.
 */
rtm_err rtm_stack_check(const void *base, size_t size, size_t guard);

/** rtm_stack_check() with an explicit direction: @p grows_up true for up-growing stacks. */
rtm_err rtm_stack_check_dir(const void *base, size_t size, size_t guard, bool grows_up);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_STACK_H */
