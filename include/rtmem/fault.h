/*
 * rtmem/fault.h - memory fault records, the ring of recent faults, and the recovery policy.
 *
 * A port's fault handler (MemManage on Cortex-M, the trap handler on RISC-V, SIGSEGV on POSIX)
 * fills an rtm_fault_record with what the hardware says (address, access, PC, cause registers,
 * whether the fault came from an ISR, which actions it can carry out) and calls rtm_fault_handle().
 * rtmem completes the record (thread, domain, partition, sequence number), asks the policy hook what
 * to do, stores the record in a small ring and returns the action; the port then carries it out:
 *   RTM_FAULT_RETRY        return and re-execute the access (the hook fixed the cause)
 *   RTM_FAULT_SKIP         return past the faulting instruction
 *   RTM_FAULT_ABORT_THREAD end the faulting thread; the rest of the system keeps running (the
 *                          POSIX port does not offer it where ending the thread would leave a lock
 *                          of rtmem's held for the others: a fault inside rtmem's critical section
 *                          or while it holds an object's lock. The bare-metal ports cannot tell: an
 *                          unprivileged thread's lock is a flag in the object, and a count of held
 *                          locks would have to live where the thread may not write. There, an
 *                          object an unprivileged thread locks must not be used after that thread
 *                          is aborted, or the policy must not choose ABORT_THREAD for it)
 *   RTM_FAULT_HALT         stop the system (MCU: loop/reset; POSIX: abort())
 * Default policy: abort the thread when the fault came from thread context, halt otherwise.
 *
 * The ring keeps the last RTM_FAULT_RING_SIZE records. Place it in memory that survives a reset
 * with RTM_FAULT_RING_ATTR (e.g. __attribute__((section(".noinit")))): rtm_fault_get() only returns
 * records whose checksum is intact, so a ring of garbage after power-up reads as empty.
 *
 * Concurrency: rtm_fault_handle() and the readers take the port's critical section (rtmem/port.h)
 * around the ring only; the policy hook runs outside it, in the fault handler's context.
 */
#ifndef RTMEM_FAULT_H
#define RTMEM_FAULT_H

#include "rtmem/common.h"
#include "rtmem/domain.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Records kept in the ring (>= 1). */
#ifndef RTM_FAULT_RING_SIZE
#define RTM_FAULT_RING_SIZE 8
#endif

/** Attributes of the ring object (e.g. a no-init section so that it survives a reset). */
#ifndef RTM_FAULT_RING_ATTR
#define RTM_FAULT_RING_ATTR
#endif

/** A RETRY that faults again at the same PC and address this many times in a row (in the same
 *  thread, whatever other threads fault in between, as long as its last record is still among
 *  the last RTM_FAULT_RING_SIZE) becomes ABORT_THREAD (thread context) or HALT (ISR), so that a
 *  bad policy cannot loop forever. A retry that worked cannot be told from one that did not: a
 *  thread whose next fault is again at that PC and address (a loop over a page the policy
 *  protects again each time, for dirty tracking) counts as retrying too; such a policy raises the
 *  limit. */
#ifndef RTM_FAULT_MAX_RETRY
#define RTM_FAULT_MAX_RETRY 3
#endif

/** rtm_fault_get copies a record at most this many times (>= 1) when faults are recorded during
 *  the copy: possible where the critical section leaves some interrupts on (Cortex-M with
 *  RTM_CM_USE_BASEPRI) and one of them faults. */
#ifndef RTM_FAULT_GET_TRIES
#define RTM_FAULT_GET_TRIES 4u
#endif

/** Words of architecture cause registers kept per record. */
#define RTM_FAULT_CAUSE_WORDS 4

/** What to do about a fault. Also a bit in rtm_fault_record.can (1u << action). */
typedef enum {
    RTM_FAULT_RETRY = 0,
    RTM_FAULT_SKIP = 1,
    RTM_FAULT_ABORT_THREAD = 2,
    RTM_FAULT_HALT = 3,
} rtm_fault_action;

#define RTM_FAULT_CAN(action) (1u << (unsigned)(action))
#define RTM_FAULT_CAN_ALL 0xFu

/** Record flags. */
#define RTM_FAULT_F_ADDR_VALID 0x1u /**< addr is the faulting address (MMFAR valid, mtval, si_addr) */
#define RTM_FAULT_F_IN_ISR 0x2u     /**< the fault came from an interrupt / handler context */
#define RTM_FAULT_F_PRIVILEGED 0x4u /**< the faulting code ran privileged */
#define RTM_FAULT_F_ESCALATED 0x8u  /**< the action was changed from what the policy returned */

/**
 * One fault. Ports fill the "port" fields before rtm_fault_handle(); rtmem fills the rest.
 * cause[] per architecture:
 *   ARMv7-M/ARMv8-M: {CFSR, HFSR, MMFAR, stacked xPSR}   RISC-V: {mcause, mtval, mepc, mstatus}
 *   POSIX:           {si_signo, si_code, 0, 0}
 */
typedef struct rtm_fault_record {
    /* port fields */
    uintptr_t addr;                          /**< faulting data/instruction address */
    uintptr_t pc;                            /**< program counter of the faulting instruction */
    uint32_t access;                         /**< RTM_ACCESS_* (0 if unknown) */
    uint32_t flags;                          /**< RTM_FAULT_F_* */
    uint32_t can;                            /**< RTM_FAULT_CAN(a) for each action the port can do */
    rtm_mpu_kind arch;                       /**< which cause[] layout */
    uint32_t cause[RTM_FAULT_CAUSE_WORDS];   /**< architecture cause registers, see above */
    uintptr_t thread;                        /**< rtm_port_thread_id() of the faulting thread (0:
                                                  ISR); rtm_fault_handle() fills it if 0 and not ISR */
    /* filled by rtm_fault_handle() */
    uint32_t seq;                            /**< 1, 2, ... since rtm_fault_clear() (after 2^32 - 1 it
                                                  goes on from RTM_FAULT_RING_SIZE) */
    uint32_t repeat;                         /**< consecutive retries of this same fault so far */
    const rtm_domain *domain;                /**< the faulting thread's domain, or NULL */
    const rtm_domain *part_domain;           /**< the domain owning `partition`, or NULL */
    rtm_partition partition;                 /**< copy of the partition containing addr (size 0: none) */
    int32_t part_index;                      /**< its index in part_domain, -1 if none */
    rtm_fault_action action;                 /**< what was decided (after escalation) */
    uint32_t check_;                         /**< private checksum for the ring */
} rtm_fault_record;

/**
 * Policy hook: decides what to do with @p rec (complete except `action`). Runs in the fault
 * handler's context (MCU: handler mode; POSIX: a signal handler on the thread's alternate stack):
 * it must not fault and must not block. It may change a protection (e.g. grow a partition) and
 * return RTM_FAULT_RETRY. An action the port cannot perform (not in rec->can) is escalated:
 * RETRY/SKIP -> ABORT_THREAD -> HALT, and ABORT_THREAD from an ISR -> HALT.
 */
typedef rtm_fault_action (*rtm_fault_policy)(const rtm_fault_record *rec, void *ctx);

/** The default policy: RTM_FAULT_HALT when rec->flags has RTM_FAULT_F_IN_ISR, else
 *  RTM_FAULT_ABORT_THREAD. O(1). */
rtm_fault_action rtm_fault_default_policy(const rtm_fault_record *rec, void *ctx);

/** Installs @p policy with @p ctx (NULL: the default policy); returns the previous hook. Set it
 *  before faults can occur; not synchronised with a running rtm_fault_handle(). O(1). */
rtm_fault_policy rtm_fault_set_policy(rtm_fault_policy policy, void *ctx);

/**
 * Completes @p rec, calls the policy, escalates an impossible action, stores the record in the
 * ring and returns the action the port must carry out (also in rec->action). @p rec NULL: reports
 * RTM_ERR_ARG and returns RTM_FAULT_HALT. Completion: thread (if 0 outside an ISR) from
 * rtm_port_thread_id(); domain from rtm_domain_of_thread(); partition from rtm_domain_find(domain,
 * addr) when RTM_FAULT_F_ADDR_VALID. O(domains * (threads + partitions)), callable from fault
 * handlers and signal handlers.
 */
rtm_fault_action rtm_fault_handle(rtm_fault_record *rec);

/** Faults handled since rtm_fault_clear() (or since the ring was found invalid); after 2^32 - 1 it
 *  goes on from RTM_FAULT_RING_SIZE, so that a full ring never reads as empty. O(1). */
uint32_t rtm_fault_count(void);

/**
 * Copies the @p i-th most recent record (0 = newest) into *out. Fails: RTM_ERR_ARG (out NULL),
 * RTM_ERR_SIZE (i >= number of records kept), RTM_ERR_CORRUPT (the record's checksum does not
 * match: memory damaged, or a ring that survived power-up). A fault recorded while the copy is
 * under way (an interrupt that the critical section leaves on faulted) makes it count i anew and
 * copy again, up to RTM_FAULT_GET_TRIES times; the record returned is then the i-th most recent
 * at the last try. O(RTM_FAULT_GET_TRIES). Thread and ISR context.
 */
rtm_err rtm_fault_get(uint32_t i, rtm_fault_record *out);

/** Empties the ring and resets the counters. O(RTM_FAULT_RING_SIZE). */
void rtm_fault_clear(void);

/** Short static name of @p a ("retry", "skip", "abort-thread", "halt"). O(1). */
const char *rtm_fault_action_str(rtm_fault_action a);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_FAULT_H */
