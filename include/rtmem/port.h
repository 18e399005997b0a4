/*
 * rtmem/port.h - the one interface between rtmem and an OS / CPU.
 *
 * The portable core never calls an OS. Modules that need locking, a thread identity, time or
 * waiting call these functions, and one port (port/posix, port/cortex-m, port/riscv, or the user's
 * own) implements them. A port is linked in only by programs that use such a module.
 *
 * Contract common to all functions here: they never allocate from an rtmem allocator.
 */
#ifndef RTMEM_PORT_H
#define RTMEM_PORT_H

#include "rtmem/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Words of storage a port may use inside an rtm_port_sync. 16 words hold a glibc pthread mutex and
 * condition variable; an MCU port needs one or two. Override to shrink objects on small targets.
 */
#ifndef RTM_PORT_SYNC_WORDS
#if UINTPTR_MAX > 0xFFFFFFFFu
#define RTM_PORT_SYNC_WORDS 16
#else
#define RTM_PORT_SYNC_WORDS 24
#endif
#endif

/**
 * A lock with a wait queue, embedded in rtmem objects that are thread-safe or can block.
 * A zero-filled object is valid and unlocked (so static objects need no init call); the port
 * initialises its storage lazily on first use. rtm_port_sync_destroy() releases OS resources.
 * A NULL @p s is never dereferenced: lock and unlock report it (RTM_ERR_ARG) and do nothing,
 * rtm_port_wait returns an error without waiting (RTM_ERR_ARG), notify does nothing (the POSIX port
 * reports it, RTM_ERR_ARG), destroy does nothing.
 */
typedef struct rtm_port_sync {
    union {
        uintptr_t words[RTM_PORT_SYNC_WORDS];
        long long ll_;   /* alignment for the port's objects */
        void *p_;
        double d_;
    } u;
} rtm_port_sync;

/** Opaque state returned by rtm_port_critical_enter() and given back to rtm_port_critical_exit(). */
typedef uintptr_t rtm_port_key;

/**
 * Enters a short critical section that excludes interrupts and other threads (MCU: masks
 * interrupts, returns the previous mask; POSIX: a process-wide recursive mutex). Nests.
 * ISR-safe. Keep the section O(1).
 */
rtm_port_key rtm_port_critical_enter(void);
/** Leaves the section entered by the matching rtm_port_critical_enter(). ISR-safe. */
void rtm_port_critical_exit(rtm_port_key key);

/** Locks @p s (blocking). Thread context only. Not recursive. */
void rtm_port_lock(rtm_port_sync *s);
/** Unlocks @p s, which the caller holds. */
void rtm_port_unlock(rtm_port_sync *s);
/**
 * With @p s held: releases it, waits until rtm_port_notify_all(s) or until @p deadline_ms
 * (absolute, on rtm_port_now_ms()'s clock; UINT64_MAX: forever) passes, re-acquires it.
 * Returns RTM_OK when notified (or spuriously woken), RTM_ERR_TIMEOUT when the deadline passed,
 * RTM_ERR_UNSUPPORTED on ports that cannot block (callers then fail the request).
 * Callers re-check their condition in a loop.
 */
rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms);
/** Wakes every waiter of @p s. Call with @p s held. */
void rtm_port_notify_all(rtm_port_sync *s);
/**
 * Wakes every waiter of @p s from an interrupt handler, which cannot take @p s. No wake-up may be
 * lost: a thread that holds @p s on its way into rtm_port_wait (it checked its condition under
 * the lock, the interrupt came before it slept) must return from that wait at once, so a port
 * keeps the wake-up pending for it (FreeRTOS: a task notification given from the ISR to each
 * listed waiter, and a pending flag the next wait consumes; Zephyr: k_sem_give / k_poll_signal_raise,
 * both ISR-safe; docs/porting.md). Ports whose rtm_port_wait cannot block (RTM_ERR_UNSUPPORTED:
 * nobody waits) do nothing; so may a first port, at a cost: the slab then wakes a waiter its ISR
 * served only at the next free from a thread or the next wait (slab.h). ISR-safe and
 * thread-safe; from a thread the caller must not hold @p s (ports may take it there, and their
 * locks need not be recursive: the FreeRTOS port's mutex is not). A NULL @p s does nothing (the
 * POSIX port reports it, RTM_ERR_ARG).
 */
void rtm_port_notify_from_isr(rtm_port_sync *s);
/** Frees OS resources of @p s (none on MCU ports). The object is zero-filled (valid) afterwards. */
void rtm_port_sync_destroy(rtm_port_sync *s);

/** Identity of the calling thread (0 in interrupt context or before the OS runs). ISR-safe. */
uintptr_t rtm_port_thread_id(void);
/** True when called from an interrupt handler. ISR-safe. */
bool rtm_port_in_isr(void);
/** Monotonic time in milliseconds. ISR-safe. */
uint64_t rtm_port_now_ms(void);
/** Monotonic time in microseconds (as precise as the port's clock). ISR-safe. */
uint64_t rtm_port_now_us(void);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_PORT_H */
