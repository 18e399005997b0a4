/*
 * Stack pool (rtmem/stackpool.h).
 *
 * Guarantees: acquire and release do O(1) bookkeeping in a critical section of a few dozen
 * instructions; the O(stack size) paint and the O(unused) scan run outside it, on a stack the caller
 * owns. No stack byte is ever used by the pool, so a stack can be handed whole to a thread (or
 * covered by an MPU region).
 * How to verify: rtm_stackpool_check() walks the free list; tests/stackpool/ runs it after every
 * operation of a randomized test against a model, and runs real pthreads on pool stacks.
 *
 * State of stack i (link[i], uint32_t):
 *   i >= fresh                   never handed out: free, not in the list (whatever link[i] holds),
 *                                so a zero-filled pool (RTM_STACKPOOL_DEFINE) needs no init walk
 *   link[i] == LINK_USED (0)     acquired
 *   link[i] == LINK_RELEASING    being released (between the two critical sections of a release)
 *   otherwise                    free, in the list; next free index = link[i] - 1 (count: none)
 * The list is LIFO: the stack released last is handed out next (its lines are likely cached).
 */
#include "rtmem/stackpool.h"

#include "rtmem/port.h"
#include "rtmem/stack.h"

#include "rtm_internal.h"
#include "rtm_sanitize.h"

#define LINK_USED 0u
#define LINK_RELEASING 0xFFFFFFFFu
#define COUNT_MAX 0xFFFFFF00u

_Static_assert(COUNT_MAX + 1u < LINK_RELEASING, "free links never collide with LINK_RELEASING");

/* With the critical section held: the index the free list goes on to after a free stack whose
 * link is @p l, @p p->count for the end of the list; false for a link no free stack can hold
 * (LINK_USED, LINK_RELEASING, past the end, or a stack never handed out): damaged state. */
static bool free_link_next(const rtm_stackpool *p, uint32_t l, size_t *next)
{
    if (l == LINK_USED || l == LINK_RELEASING) return false;
    size_t n = (size_t)l - 1u;
    *next = n;
    return n == p->count || n < p->fresh;
}

static inline unsigned char *stack_at(const rtm_stackpool *p, size_t i) { return p->base + i * p->stride; }

/* Sanitizer view: stacks not acquired are no-access. Set up at init, or at the first acquire of a
 * RTM_STACKPOOL_DEFINE pool (called inside the critical section). Empty without a sanitizer. */
static inline void san_setup(rtm_stackpool *p)
{
    if (!RTM_SAN_ACTIVE || p->san_ready) return;
    rtm_san_pool_create(p);
    rtm_san_noaccess(p->base, p->count * p->stride);
    p->san_ready = true;
}

rtm_err rtm_stackpool_init(rtm_stackpool *p, void *buf, size_t buf_size, size_t stack_size, size_t count,
                           size_t align)
{
    rtm_err e = RTM_OK;
    size_t stride = 0, stacks = 0, links = 0, need = 0;
    if (p == NULL || buf == NULL) e = RTM_ERR_ARG;
    else if (!rtm_is_pow2(align) || align < RTM_ALIGN || ((uintptr_t)buf & (align - 1u)) != 0) e = RTM_ERR_ALIGN;
    else if (stack_size % RTM_ALIGN != 0 || stack_size <= RTM_STACKPOOL_GUARD || count == 0 || count > COUNT_MAX ||
             rtm_add_overflow(stack_size, align - 1u, &stride) ||
             rtm_mul_overflow(stride / align * align, count, &stacks) ||
             rtm_mul_overflow(count, sizeof(uint32_t), &links) || rtm_add_overflow(stacks, links, &need) ||
             (uintptr_t)buf + need < (uintptr_t)buf)
        e = RTM_ERR_SIZE;
    else if (buf_size < need) e = RTM_ERR_TOO_SMALL;
    if (e != RTM_OK) {
        rtm_report(e, p, buf);
        return e;
    }
    rtm_memset(p, 0, sizeof *p);
    p->base = (unsigned char *)buf;
    p->link = (uint32_t *)(void *)(p->base + stacks); /* stacks is a multiple of align >= RTM_ALIGN */
    p->stack_size = stack_size;
    p->stride = stride / align * align;
    p->count = count;
    p->align = align;
    san_setup(p);
    return RTM_OK;
}

void rtm_stackpool_deinit(rtm_stackpool *p)
{
    if (p == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return;
    }
    if (p->san_ready) {
        rtm_san_pool_destroy(p);
        rtm_san_access(p->base, p->count * p->stride);
    }
    p->san_ready = false;
}

size_t rtm_stackpool_stack_size(const rtm_stackpool *p)
{
    if (p == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return 0;
    }
    return p->stack_size;
}

void *rtm_stackpool_acquire(rtm_stackpool *p)
{
    if (p == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    size_t i;
    rtm_port_key key = rtm_port_critical_enter();
    san_setup(p);
    if (p->free_head != 0) {
        i = p->free_head - 1u;
        size_t next;
        if (RTM_UNLIKELY(i >= p->fresh || p->fresh > p->count || !free_link_next(p, p->link[i], &next))) {
            /* damaged state: refuse rather than write out of bounds, or drop the rest of the list.
             * fresh is checked too: with fresh and the head both past count (two damaged fields),
             * i < fresh held and the stack handed out lay past the pool, over the links. */
            rtm_port_critical_exit(key);
            rtm_report(RTM_ERR_CORRUPT, p, p);
            return NULL;
        }
        p->free_head = next == p->count ? 0 : next + 1u;
    } else if (p->fresh < p->count) {
        i = p->fresh++;
    } else {
        p->failed++;
        rtm_port_critical_exit(key);
        return NULL;
    }
    p->link[i] = LINK_USED;
    p->acquires++;
    if (++p->in_use > p->max_in_use) p->max_in_use = p->in_use;
    rtm_port_critical_exit(key);

    unsigned char *s = stack_at(p, i);
    rtm_san_alloc(p, s, p->stack_size);
    rtm_stack_paint(s, p->stack_size);
    return s;
}

/* Index of the stack at @p stack, or an error (not reported). */
static rtm_err stack_index(const rtm_stackpool *p, const void *stack, size_t *idx)
{
    uintptr_t a = (uintptr_t)stack, b = (uintptr_t)p->base;
    if (stack == NULL || a < b || a - b >= p->count * p->stride || (a - b) % p->stride != 0) return RTM_ERR_BAD_PTR;
    *idx = (size_t)((a - b) / p->stride);
    return RTM_OK;
}

/* Counts and reports a rejected call, in the critical section the caller entered with @p key, and
 * leaves it with that key: on the MCU ports the key is the interrupt state from before that enter,
 * so any other value (a 0 of our own) would leave interrupts masked for good (RISC-V) or unmask
 * them inside an ISR or the caller's own critical section (Cortex-M). */
static void bad_release_locked(rtm_stackpool *p, rtm_err e, const void *stack, rtm_port_key key)
{
    p->bad_releases++;
    rtm_port_critical_exit(key);
    rtm_report(e, p, stack);
}

/* Counts and reports a rejected call, from outside the critical section. */
static void bad_release(rtm_stackpool *p, rtm_err e, const void *stack)
{
    bad_release_locked(p, e, stack, rtm_port_critical_enter());
}

/* With the critical section held: is stack i acquired? */
static inline bool is_used(const rtm_stackpool *p, size_t i) { return i < p->fresh && p->link[i] == LINK_USED; }

/* Did the stack reach into the guard band, with @p unused bytes still painted? A function, not
 * the comparison written inline, so that RTM_STACKPOOL_GUARD=0 (no guard band: overflows are not
 * measured) is not "unsigned < 0", which -Wtype-limits (-Wextra) rejects under -Werror. */
static bool guard_touched(size_t unused, size_t guard) { return unused < guard; }

rtm_err rtm_stackpool_release(rtm_stackpool *p, void *stack)
{
    if (p == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, stack);
        return RTM_ERR_ARG;
    }
    size_t i;
    if (stack_index(p, stack, &i) != RTM_OK) {
        bad_release(p, RTM_ERR_BAD_PTR, stack);
        return RTM_ERR_BAD_PTR;
    }
    /* 1: claim the release, so that a concurrent second release of the same stack is refused. */
    rtm_port_key key = rtm_port_critical_enter();
    if (!is_used(p, i)) {
        bad_release_locked(p, RTM_ERR_DOUBLE_FREE, stack, key);
        return RTM_ERR_DOUBLE_FREE;
    }
    p->link[i] = LINK_RELEASING;
    rtm_port_critical_exit(key);

    /* 2: measure, outside the critical section: the stack is still ours. */
    size_t unused = rtm_stack_unused(stack, p->stack_size);
    size_t used = p->stack_size - unused;
    bool overflow = guard_touched(unused, RTM_STACKPOOL_GUARD);
    rtm_san_free(p, stack, p->stack_size);

    /* 3: give it back. */
    key = rtm_port_critical_enter();
    p->link[i] = (uint32_t)(p->free_head == 0 ? p->count : p->free_head - 1u) + 1u;
    p->free_head = i + 1u;
    p->in_use--;
    p->releases++;
    if (used > p->worst_used) p->worst_used = used;
    if (overflow) p->overflows++;
    rtm_port_critical_exit(key);
    if (overflow) {
        rtm_report(RTM_ERR_OVERFLOW, p, stack);
        return RTM_ERR_OVERFLOW;
    }
    return RTM_OK;
}

size_t rtm_stackpool_used(rtm_stackpool *p, const void *stack)
{
    if (p == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, stack);
        return 0;
    }
    size_t i;
    if (stack_index(p, stack, &i) != RTM_OK) {
        bad_release(p, RTM_ERR_BAD_PTR, stack);
        return 0;
    }
    rtm_port_key key = rtm_port_critical_enter();
    bool used = is_used(p, i);
    rtm_port_critical_exit(key);
    if (!used) {
        bad_release(p, RTM_ERR_DOUBLE_FREE, stack);
        return 0;
    }
    return p->stack_size - rtm_stack_unused(stack, p->stack_size);
}

void rtm_stackpool_get_stats(rtm_stackpool *p, rtm_stackpool_stats *out)
{
    if (out != NULL) rtm_memset(out, 0, sizeof *out);
    if (p == NULL || out == NULL) {
        rtm_report(RTM_ERR_ARG, p, NULL);
        return;
    }
    rtm_port_key key = rtm_port_critical_enter();
    out->count = p->count;
    out->stack_size = p->stack_size;
    out->in_use = p->in_use;
    out->max_in_use = p->max_in_use;
    out->worst_used = p->worst_used;
    out->acquires = p->acquires;
    out->releases = p->releases;
    out->failed = p->failed;
    out->bad_releases = p->bad_releases;
    out->overflows = p->overflows;
    rtm_port_critical_exit(key);
}

static rtm_err check_locked(const rtm_stackpool *p)
{
    if (p->base == NULL || p->link == NULL || !rtm_is_pow2(p->align) || p->align < RTM_ALIGN ||
        ((uintptr_t)p->base & (p->align - 1u)) != 0 || p->stride % p->align != 0 || p->stride < p->stack_size ||
        p->stride - p->stack_size >= p->align /* stride is stack_size rounded up to align, as init set it */ ||
        p->stack_size <= RTM_STACKPOOL_GUARD || p->count == 0 || p->count > COUNT_MAX || p->fresh > p->count ||
        p->in_use > p->fresh || p->in_use > p->max_in_use || p->max_in_use > p->count || p->free_head > p->fresh)
        return RTM_ERR_CORRUPT;
    size_t n = 0, want = p->fresh - p->in_use;
    for (size_t h = p->free_head; h != 0;) {
        size_t i = h - 1u;
        size_t next;
        if (i >= p->fresh || !free_link_next(p, p->link[i], &next) || ++n > want) return RTM_ERR_CORRUPT;
        h = next == p->count ? 0 : next + 1u;
    }
    return n == want ? RTM_OK : RTM_ERR_CORRUPT;
}

rtm_err rtm_stackpool_check(rtm_stackpool *p)
{
    if (p == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_ERR_ARG;
    }
    rtm_port_key key = rtm_port_critical_enter();
    rtm_err e = check_locked(p);
    rtm_port_critical_exit(key);
    if (e != RTM_OK) rtm_report(e, p, p);
    return e;
}
