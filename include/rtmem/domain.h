/*
 * rtmem/domain.h - memory partitions and protection domains.
 *
 * A partition is a byte range with access attributes (rtmem/mpu.h: RTM_PART_*). A domain is a set
 * of non-overlapping partitions plus the threads that may use them. Every change to a domain is
 * validated against the protection unit it will run on (rtm_mpu_arch): overlaps, sizes and
 * alignments the unit cannot express, and the slot budget. A change that fails leaves the domain
 * exactly as it was, returns an rtm_err, reports it through rtm_report() and fills an optional
 * rtm_domain_diag that names the partition and the rule. Nothing is dropped silently.
 *
 * Rounding (ARMv7-M) makes a domain's regions grant bytes beyond its partitions. Those bytes must
 * not belong to anybody: a domain region outranks the system regions, so waste over the kernel's
 * region hands it to the domain's threads. rtm_domain_init_avoid gives a domain the ranges its
 * waste must keep off (the system regions, the partitions of other domains); rtm_domain_init
 * knows none, and its waste may cover anything but its own partitions.
 *
 * The domain keeps its encoded registers (rtm_domain_regs()), so a port's context switch copies
 * precomputed values: no planning on the switch path.
 *
 * Registry: initialised domains are linked in a process-wide list so that a fault handler can map
 * a thread to its domain and an address to its partition (rtm_domain_of_thread(),
 * rtm_domain_find()). A thread belongs to at most one domain. The list and the domains are
 * protected by the port's critical section (rtmem/port.h); every function here may be called from
 * threads, and the lookups also from ISRs / fault handlers. Changes to one domain (init, deinit,
 * adding or removing partitions or threads) must be serialised by the caller: a change plans
 * outside the critical section and commits inside it, so two at once on the same domain can
 * both succeed with one of them lost (review finding, 2026-11-29).
 */
#ifndef RTMEM_DOMAIN_H
#define RTMEM_DOMAIN_H

#include "rtmem/common.h"
#include "rtmem/mpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Partitions one domain can hold (the architecture's free slots may allow fewer). Each takes at
 *  least one region of the domain's plan, which holds RTM_MPU_MAX_REGIONS: at most that many
 *  (a static assertion in domain.c), and that many by default. */
#ifndef RTM_DOMAIN_MAX_PARTITIONS
#define RTM_DOMAIN_MAX_PARTITIONS RTM_MPU_MAX_REGIONS
#endif

/** Threads one domain can hold. */
#ifndef RTM_DOMAIN_MAX_THREADS
#define RTM_DOMAIN_MAX_THREADS 8
#endif

/** A memory partition: [start, start + size) with RTM_PART_* attributes. */
typedef struct rtm_partition {
    uintptr_t start;
    size_t size;
    rtm_part_attr attr;
} rtm_partition;

/** Defines a partition object `name` (Zephyr's K_MEM_PARTITION_DEFINE). */
#define RTM_PARTITION_DEFINE(name, start_, size_, attr_) \
    rtm_partition name = {(uintptr_t)(start_), (size_t)(size_), (rtm_part_attr)(attr_)}

/** Why a domain call failed. `rule` is a static string; `partition` a copy of the offender. */
typedef struct rtm_domain_diag {
    rtm_err err;             /**< the value the call returned */
    int32_t index;           /**< position of the offender in the array given to init, or in the
                                  domain for add/remove; -1 when the call's own argument is meant
                                  or no partition is involved */
    rtm_partition partition; /**< copy of the offending partition (zero if none) */
    bool has_other;          /**< `other` is valid (overlap, or the range a cover's waste would touch) */
    rtm_partition other;     /**< the partition it conflicts with, or a range to avoid as a partition
                                  (start and size capped at the address width: 4 GiB on a 32-bit
                                  target reads SIZE_MAX) */
    int32_t avoid_index;     /**< index into the avoid list (rtm_domain_init_avoid) of the range
                                  `other` copies, or of the invalid one (RTM_ERR_SIZE); -1 if none */
    const char *rule;        /**< e.g. "partitions of one domain must not overlap" */
} rtm_domain_diag;

/**
 * A domain. Lives in the caller's memory (static or stack; never moved while initialised); the
 * fields are private to domain.c (read them through the functions below). rtm_domain_init and
 * rtm_domain_deinit may be given an object nobody has written (a stack variable, or one whose init
 * failed); every other call needs one that rtm_domain_init accepted, or a zero-filled one.
 */
typedef struct rtm_domain {
    uint32_t magic_;
    uint32_t n_parts_;
    uint32_t n_threads_;
    uint32_t rejected_;     /* calls rejected since init */
    rtm_mpu_arch arch_;
    rtm_partition parts_[RTM_DOMAIN_MAX_PARTITIONS];
    uintptr_t threads_[RTM_DOMAIN_MAX_THREADS];
    rtm_mpu_regs regs_;
    const rtm_mpu_range *avoid_; /* the caller's list (rtm_domain_init_avoid), not a copy */
    size_t n_avoid_;
    struct rtm_domain *next_;
} rtm_domain;

/** Domain statistics by value. */
typedef struct rtm_domain_stats {
    uint32_t partitions;     /**< partitions in the domain */
    uint32_t max_partitions; /**< rtm_domain_max_partitions() for its arch */
    uint32_t threads;        /**< threads in the domain */
    uint32_t regions_used;   /**< hardware slots its partitions take */
    uint32_t regions_avail;  /**< slots available to domains on its arch */
    uint64_t bytes_wasted;   /**< bytes granted beyond the partitions by rounding (summed per
                                  partition: rtm_mpu_regs.wasted) */
    uint32_t rejected;       /**< changes refused since init: every rtm_domain_add_partition,
                                  remove_partition, add_thread, remove_thread and rtm_domain_init(_avoid)
                                  given this live domain that did not return RTM_OK (NULL
                                  arguments too); queries (check, partition, stats, verify, ...)
                                  never count */
} rtm_domain_stats;

/**
 * Upper bound on partitions per domain on @p arch: its non-system slots (each partition needs at
 * least one), capped by RTM_DOMAIN_MAX_PARTITIONS. 0 for an invalid arch. A given set may fit
 * fewer (ARMv7-M splits, PMP TOR pairs). O(1), ISR-safe.
 */
uint32_t rtm_domain_max_partitions(const rtm_mpu_arch *arch);

/**
 * Initialises @p d for @p arch with the @p n partitions @p parts[0..n) (n may be 0) and links it
 * into the registry. The partitions are copied. Fails, leaving *d not initialised (or, if it was
 * already initialised, unchanged), when:
 *   RTM_ERR_ARG     d or arch NULL, parts NULL with n > 0, a NULL entry, invalid attributes
 *   RTM_ERR_STATE   d is already initialised (rtm_domain_deinit() it first)
 *   RTM_ERR_UNSUPPORTED / RTM_ERR_SIZE / RTM_ERR_ALIGN  arch is not a valid description
 *                   (rtm_mpu_arch_check's code: unknown kind; slot counts or min_log2; granule)
 *   RTM_ERR_SIZE    a size of 0, start + size overflows
 *   RTM_ERR_ALIGN / RTM_ERR_UNSUPPORTED  the arch cannot express a partition (see rtm_mpu_plan)
 *   RTM_ERR_OVERLAP two partitions overlap
 *   RTM_ERR_NO_SLOT n > RTM_DOMAIN_MAX_PARTITIONS or the partitions need more slots than free
 * When several rules are broken, the code of any of them may be returned.
 * @p diag (may be NULL) names the offending partition (index into parts) and the rule.
 * Knows no system region and no other domain: on ARMv7-M the rounding of its regions may grant
 * their bytes (rtm_domain_init_avoid keeps it off them). Same as rtm_domain_init_avoid with no
 * ranges to avoid. O(n^2 + planning), thread context.
 */
rtm_err rtm_domain_init(rtm_domain *d, const rtm_mpu_arch *arch, const rtm_partition *const parts[], size_t n,
                        rtm_domain_diag *diag);

/**
 * rtm_domain_init, and every later plan of @p d (add, remove, verify) keeps the bytes its regions
 * grant beyond its partitions off @p avoid[0..n_avoid) (rtm_mpu_plan_avoid): list the system
 * regions (the ranges given to rtm_mpu_plan for RTM_MPU_SET_SYSTEM) and the partitions of other
 * domains that this one must not reach. The module does not add other domains' partitions by
 * itself (nor does adding a partition to another domain look at this one's waste): one table of
 * every claimed range (system regions and all partitions, this domain's own included) given to
 * every domain keeps them all apart. The list is not copied: it must stay valid and unchanged
 * while @p d is initialised (a static table; rtm_domain_verify plans with it again).
 * Fails as rtm_domain_init, and:
 *   RTM_ERR_ARG     avoid NULL with n_avoid > 0
 *   RTM_ERR_SIZE    an avoid range of size 0 or whose base + size overflows (diag->avoid_index),
 *                   n_avoid above INT32_MAX - RTM_DOMAIN_MAX_PARTITIONS
 *   RTM_ERR_NO_SLOT also when no cover within the free slots keeps its waste off them:
 *                   diag->partition is the partition, diag->other (diag->avoid_index) the range
 * Only ARMv7-M rounds; on the other units the list changes nothing. The same error for
 * rtm_domain_add_partition. O(n^2 + planning with n_avoid more ranges), thread context.
 */
rtm_err rtm_domain_init_avoid(rtm_domain *d, const rtm_mpu_arch *arch, const rtm_partition *const parts[], size_t n,
                              const rtm_mpu_range *avoid, size_t n_avoid, rtm_domain_diag *diag);

/**
 * Unlinks @p d from the registry and clears it; its threads belong to no domain afterwards.
 * RTM_ERR_ARG if d is NULL, RTM_ERR_STATE if not initialised. O(domains), thread context.
 */
rtm_err rtm_domain_deinit(rtm_domain *d);

/**
 * Adds a copy of @p p to @p d. Fails, with @p d unchanged, for the reasons of rtm_domain_init_avoid
 * (RTM_ERR_OVERLAP names the existing partition in diag->other and its index in diag->index;
 * RTM_ERR_NO_SLOT may name in diag->other the partition or range to avoid that every cover's
 * waste would touch, and in diag->index a partition of d that no longer fits beside p, or, when
 * p itself is what does not fit, the partition of d in diag->other), and
 * RTM_ERR_STATE if d is not initialised, RTM_ERR_FULL if it holds RTM_DOMAIN_MAX_PARTITIONS.
 * O(partitions + planning), thread context.
 */
rtm_err rtm_domain_add_partition(rtm_domain *d, const rtm_partition *p, rtm_domain_diag *diag);

/**
 * Removes the partition equal to @p p (same start, size and attributes) from @p d.
 * RTM_ERR_ARG (NULL), RTM_ERR_STATE (d not initialised), RTM_ERR_BAD_PTR (no such partition).
 * O(partitions + planning), thread context.
 */
rtm_err rtm_domain_remove_partition(rtm_domain *d, const rtm_partition *p, rtm_domain_diag *diag);

/**
 * Adds @p thread (the port's thread handle, rtm_port_thread_id() on POSIX; not 0) to @p d.
 * RTM_ERR_ARG (NULL d, thread 0), RTM_ERR_STATE (d not initialised, or thread already in a
 * domain: remove it first), RTM_ERR_FULL (RTM_DOMAIN_MAX_THREADS reached). O(domains * threads).
 */
rtm_err rtm_domain_add_thread(rtm_domain *d, uintptr_t thread);

/** Removes @p thread from @p d. RTM_ERR_ARG, RTM_ERR_STATE, RTM_ERR_BAD_PTR (not a member).
 *  O(threads), thread context. */
rtm_err rtm_domain_remove_thread(rtm_domain *d, uintptr_t thread);

/**
 * Software check of a user buffer (Zephyr's K_SYSCALL_MEMORY_WRITE): RTM_OK iff every byte of
 * [addr, addr + len) lies in partitions of @p d whose unprivileged rights include @p access
 * (RTM_ACCESS_* mask; adjacent partitions may together cover the buffer). len 0 is RTM_OK when addr
 * lies in such a partition or at its end. Fails: RTM_ERR_ARG (d NULL or not initialised, access 0
 * or unknown bits), RTM_ERR_SIZE (the last byte, addr + len - 1, is past the address space: a
 * buffer may end at its very top), RTM_ERR_ACCESS (some byte not covered or not allowed). Does
 * not report through the error hook (a denied check is a normal answer).
 * O(partitions^2) worst case (O(partitions) per covered partition), ISR-safe, lock-free reader:
 * call it while no one modifies d.
 */
rtm_err rtm_domain_check(const rtm_domain *d, uintptr_t addr, size_t len, unsigned access);

/** Number of partitions in @p d (0 if NULL or not initialised). O(1). */
uint32_t rtm_domain_partition_count(const rtm_domain *d);

/** Copies partition @p i of @p d into *out: partitions are numbered in the order they were given
 *  (init's list, then each add at the end; a removal keeps the others' order). RTM_ERR_ARG /
 *  RTM_ERR_SIZE (i out of range). O(1). */
rtm_err rtm_domain_partition(const rtm_domain *d, uint32_t i, rtm_partition *out);

/**
 * The register values for @p d's partitions, kept up to date by every successful change; the port
 * copies them to the hardware when switching to a thread of d. NULL if d is NULL/not initialised.
 * O(1), ISR-safe (do not call while d is being modified).
 */
const rtm_mpu_regs *rtm_domain_regs(const rtm_domain *d);

/**
 * Full consistency check of @p d (the expensive tier: tests and debug builds call it after every
 * change): magic, counts within bounds, every partition valid and inside the address space, no two
 * overlapping, no thread 0 or duplicate, and the kept registers equal to a fresh plan of the
 * partitions (with its ranges to avoid). Returns RTM_OK, RTM_ERR_ARG (NULL), RTM_ERR_STATE (not
 * initialised) or RTM_ERR_CORRUPT (also reported through rtm_report). Does not modify @p d.
 * O(partitions^2 + planning), thread context.
 */
rtm_err rtm_domain_verify(const rtm_domain *d);

/** Fills *out. RTM_ERR_ARG if d or out is NULL or d not initialised. O(1). */
rtm_err rtm_domain_get_stats(const rtm_domain *d, rtm_domain_stats *out);

/**
 * The domain @p thread belongs to, or NULL. O(domains * threads), ISR-safe (takes the port's
 * critical section).
 */
rtm_domain *rtm_domain_of_thread(uintptr_t thread);

/**
 * Finds a partition containing @p addr: first in @p prefer (if not NULL), then in every registered
 * domain. On success stores the domain (if @p dom_out) and the partition index (if @p index_out)
 * and returns a pointer to the partition inside that domain; NULL if none. The pointer is valid
 * until that domain changes (add, remove, deinit): code that may run while another thread changes
 * domains uses rtm_domain_lookup, which copies. O(domains * partitions), ISR-safe (takes the port's
 * critical section).
 */
const rtm_partition *rtm_domain_find(const rtm_domain *prefer, uintptr_t addr, rtm_domain **dom_out,
                                     uint32_t *index_out);

/**
 * As rtm_domain_find, but copies the partition into @p out (if not NULL) inside the critical
 * section, so that a concurrent rtm_domain_add_partition / remove_partition cannot tear it (the
 * fault handler's way). true if found; false, and nothing stored, if not. O(domains * partitions),
 * ISR-safe.
 */
bool rtm_domain_lookup(const rtm_domain *prefer, uintptr_t addr, rtm_partition *out, rtm_domain **dom_out,
                       uint32_t *index_out);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_DOMAIN_H */
