/*
 * domain_posix.h - the POSIX backend of rtmem's protection module (host builds only).
 *
 * Partitions of a domain are enforced with mprotect() at page granularity: rtm_posix_domain_apply()
 * gives each partition's pages the rights unprivileged code has (RTM_PART_P_RW_U_RO -> PROT_READ,
 * ..._U_NA -> PROT_NONE). The host process plays the unprivileged side. Page protection is
 * process-wide, so the backend enforces attributes, not per-thread isolation between domains (the
 * MCU ports do that by reprogramming the MPU on each context switch).
 *
 * A SIGSEGV / SIGBUS whose address lies in a partition of a registered domain becomes a fault
 * record (rtmem/fault.h) and the policy's action is carried out:
 *   RETRY         return from the handler (the policy must have fixed the protection; a fault that
 *                 repeats RTM_FAULT_MAX_RETRY times is escalated)
 *   ABORT_THREAD  siglongjmp to the recovery point of the enclosing rtm_posix_run(), which returns
 *                 RTM_ERR_ACCESS; the thread then carries on (or exits) normally
 *   HALT          abort()
 * SKIP is not offered (x86 instructions have no fixed length); it is escalated to ABORT_THREAD.
 * Code that runs outside rtm_posix_run() cannot be aborted: ABORT_THREAD escalates to HALT there.
 * Nor can a thread that faults while it holds one of rtmem's locks: the critical section (e.g.
 * rtm_fault_get() copying into a read-only *out) or an object's rtm_port_sync (e.g.
 * rtm_heap_locked_get_stats() doing the same). Unwinding it would leave that lock held and every
 * other thread blocked on its next rtmem call, and releasing it is not safe (the data it guards may
 * be half-updated). ABORT_THREAD is not offered then, so it escalates to HALT; RETRY still works.
 * A fault at any other address goes to the handler that was installed before (e.g. ASan's) or to
 * the default action, so real crashes still crash.
 *
 * The handler runs on an alternate signal stack set up by rtm_posix_run() (so a stack overflow
 * into a guard partition can still be handled). It is async-signal-safe except for the port's
 * critical section (a recursive mutex), which a synchronous fault can only meet held by another
 * thread (then it waits) or by its own thread (recursion: when rtmem code faulted inside it, see
 * above).
 */
#ifndef RTMEM_DOMAIN_POSIX_H
#define RTMEM_DOMAIN_POSIX_H

#include "rtmem/domain.h"
#include "rtmem/fault.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The host page size (the granule partitions must respect). */
size_t rtm_posix_page_size(void);

/** The protection unit as rtm_domain_init() wants it: RTM_MPU_POSIX, RTM_DOMAIN_MAX_PARTITIONS
 *  slots, no system slots, granule = page size. */
rtm_mpu_arch rtm_posix_mpu_arch(void);

/**
 * Installs the SIGSEGV and SIGBUS handlers and keeps the previous ones for faults outside
 * partitions. Idempotent; if another component took a signal since, calling it again takes it
 * back and chains to that component (test frameworks such as cmocka replace SIGSEGV around each
 * test: call it inside the test). RTM_ERR_UNSUPPORTED if sigaction fails.
 */
rtm_err rtm_posix_fault_install(void);

/** Restores the handlers that rtm_posix_fault_install() replaced. RTM_ERR_STATE if not installed. */
rtm_err rtm_posix_fault_uninstall(void);

/**
 * mprotect()s every partition of @p d to its unprivileged rights (execute is never granted: no
 * code runs from partitions on the host). RTM_ERR_ARG (d not initialised, or not an RTM_MPU_POSIX
 * domain), RTM_ERR_ACCESS (mprotect failed: memory not mapped by the caller; partitions already
 * changed stay changed, call rtm_posix_domain_release()). O(partitions) system calls.
 */
rtm_err rtm_posix_domain_apply(const rtm_domain *d);

/** Gives every partition of @p d back PROT_READ | PROT_WRITE. Errors as rtm_posix_domain_apply(). */
rtm_err rtm_posix_domain_release(const rtm_domain *d);

/**
 * Runs fn(arg) in the calling thread as an abortable body: sets a recovery point for ABORT_THREAD
 * and makes sure the thread has an alternate signal stack (a thread without one gets a 64 KiB stack
 * that stays installed until the thread exits). Returns RTM_OK when fn returned (its value in *ret if ret is not
 * NULL), RTM_ERR_ACCESS when the fault policy aborted it (fn's stack frames are discarded without
 * running further code in them: locks fn took itself stay held; rtmem's own are never left held,
 * since a fault while rtmem holds one halts instead), RTM_ERR_ARG (fn NULL),
 * RTM_ERR_NOMEM (no memory for the signal stack), RTM_ERR_UNSUPPORTED (the system refuses an
 * alternate signal stack), RTM_ERR_STATE (called from inside fn: not nestable).
 */
rtm_err rtm_posix_run(void *(*fn)(void *arg), void *arg, void **ret);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_DOMAIN_POSIX_H */
