/*
 * rtmem/common.h - types shared by every rtmem module: error codes, the error hook, configuration.
 *
 * Every option is an #ifndef default that a build may override with -D or in a header named by
 * RTM_CONFIG_HEADER. The README lists all of them.
 */
#ifndef RTMEM_COMMON_H
#define RTMEM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef RTM_CONFIG_HEADER
#include RTM_CONFIG_HEADER
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Version of these headers: RTM_VERSION_MAJOR.MINOR.PATCH, and the three as one number for #if
 * (RTM_VERSION >= RTM_VERSION_OF(0, 2, 0)). Before 1.0 a MINOR step may change an API; a PATCH step
 * does not. The build reads the version from here (CMakeLists.txt), so it is written once.
 */
#define RTM_VERSION_MAJOR 0
#define RTM_VERSION_MINOR 1
#define RTM_VERSION_PATCH 0
#define RTM_VERSION_OF(major, minor, patch) ((major) * 10000L + (minor) * 100L + (patch))
#define RTM_VERSION RTM_VERSION_OF(RTM_VERSION_MAJOR, RTM_VERSION_MINOR, RTM_VERSION_PATCH)

/** Alignment of every pointer an rtmem allocator returns. A power of two >= sizeof(void *). */
#ifndef RTM_ALIGN
#define RTM_ALIGN 8u
#endif

/**
 * Result of every init and configuration call. RTM_OK is 0; every other value names the rule the
 * input broke. rtm_err_str() gives a short English text for logs.
 */
typedef enum {
    RTM_OK = 0,
    RTM_ERR_ARG,         /**< NULL or otherwise invalid argument */
    RTM_ERR_SIZE,        /**< zero, too large or overflowing size or count */
    RTM_ERR_ALIGN,       /**< misaligned buffer or alignment that is not a power of two */
    RTM_ERR_TOO_SMALL,   /**< buffer cannot hold the control data and one block */
    RTM_ERR_NOMEM,       /**< no memory to satisfy the request */
    RTM_ERR_BAD_PTR,     /**< pointer not handed out by this object (foreign or interior) */
    RTM_ERR_DOUBLE_FREE, /**< pointer already free */
    RTM_ERR_CORRUPT,     /**< an integrity check found damaged metadata */
    RTM_ERR_TIMEOUT,     /**< a wait ran out */
    RTM_ERR_OVERLAP,     /**< regions or partitions overlap */
    RTM_ERR_NO_SLOT,     /**< no free slot (MPU region, table entry, ...) */
    RTM_ERR_UNSUPPORTED, /**< the target or build cannot do this */
    RTM_ERR_STATE,       /**< call not valid now (e.g. release out of order) */
    RTM_ERR_OVERFLOW,    /**< a guard or red zone was overwritten (stack or buffer overflow) */
    RTM_ERR_FORMAT,      /**< malformed input data (trace, plan file, ...) */
    RTM_ERR_ACCESS,      /**< access not permitted by a partition or domain */
    RTM_ERR_FULL,        /**< a fixed-size table is full */
    RTM_ERR_COUNT_       /**< number of codes; not an error */
} rtm_err;

/**
 * RTM_VERSION of the library as it was compiled, to compare with the headers a program was built
 * against (a firmware that links an rtmem built from other sources than its includes). O(1), ISR-safe.
 */
long rtm_version(void);

/** Short, static English description of @p e ("ok", "bad pointer", ...). Never NULL. O(1), ISR-safe. */
const char *rtm_err_str(rtm_err e);

/**
 * Called for every call that an rtmem object rejects: a bad free, a bad argument, detected
 * corruption. @p object is the allocator (heap, slab, ...) or NULL, @p ptr the offending pointer or
 * NULL. The hook runs in the caller's context (possibly an ISR, possibly with a lock held): it must
 * not call back into the object that reported, nor into an object built on it (a pools' class
 * slab reports a bad free with the pools' lock held: a hook that calls rtm_pools_* deadlocks).
 */
typedef void (*rtm_error_hook)(rtm_err code, const void *object, const void *ptr);

/**
 * Installs @p hook (NULL: none, the default) for all rtmem modules and returns the previous one.
 * Set it at start-up: installing concurrently with a report is not synchronised. O(1).
 */
rtm_error_hook rtm_set_error_hook(rtm_error_hook hook);

/** Sends a report to the installed hook, if any. For rtmem modules and ports. O(1). */
void rtm_report(rtm_err code, const void *object, const void *ptr);

/** Timeouts for calls that may wait (slab, ...): a time in milliseconds, or one of these. */
typedef uint32_t rtm_timeout;
#define RTM_NO_WAIT ((rtm_timeout)0)
#define RTM_FOREVER ((rtm_timeout)UINT32_MAX)

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_COMMON_H */
