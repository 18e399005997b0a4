/*
 * Host model of Zephyr's <zephyr/kernel.h> (3.x) for the tests of port/zephyr: the subset of the
 * API the port calls, under Zephyr's names, types, macro names and encodings, so that
 * port_zephyr.c compiles unchanged. Declarations only (no pthread types), plus the time-unit
 * conversions Zephyr itself has as inline functions (sys/time_units.h): the same header serves
 * the Cortex-M cross compile of the port (scripts/check.d/40-cross.sh). The implementation, on
 * pthreads, is zephyr_model.c; what it models and what it does not is written at its top.
 *
 * Kconfig options are #ifndef defaults here (a Zephyr build gets them from autoconf.h): 1000 Hz,
 * CONFIG_TIMEOUT_64BIT on (the tests also build at 128 Hz, with and without -DRTM_ZMODEL_TIMEOUT_32BIT).
 * struct k_mutex and struct k_sem have Zephyr's fields for a build with a dlist wait queue,
 * without CONFIG_POLL, object tracking or the object core: on a 32-bit target 20 and 16 bytes.
 */
#ifndef ZEPHYR_INCLUDE_KERNEL_H_
#define ZEPHYR_INCLUDE_KERNEL_H_

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Kconfig ------------------------------------------------------------------------------------ */
#ifndef CONFIG_SYS_CLOCK_TICKS_PER_SEC
#define CONFIG_SYS_CLOCK_TICKS_PER_SEC 1000
#endif
#define CONFIG_MULTITHREADING 1
#define CONFIG_SYS_CLOCK_EXISTS 1
#if !defined(RTM_ZMODEL_TIMEOUT_32BIT) && !defined(CONFIG_TIMEOUT_64BIT)
#define CONFIG_TIMEOUT_64BIT 1
#endif

/* ---- sys/time_units.h: exact, rounded as named (Zephyr's z_tmcvt) ------------------------------- */
static inline uint64_t z_model_cvt_floor(uint64_t t, uint64_t from_hz, uint64_t to_hz)
{
    return t / from_hz * to_hz + t % from_hz * to_hz / from_hz;
}
static inline uint64_t z_model_cvt_ceil(uint64_t t, uint64_t from_hz, uint64_t to_hz)
{
    return t / from_hz * to_hz + (t % from_hz * to_hz + from_hz - 1u) / from_hz;
}
static inline uint64_t k_ms_to_ticks_ceil64(uint64_t t)
{
    return z_model_cvt_ceil(t, 1000u, (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC);
}
static inline uint64_t k_ticks_to_ms_floor64(uint64_t t)
{
    return z_model_cvt_floor(t, (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC, 1000u);
}
static inline uint64_t k_ticks_to_us_floor64(uint64_t t)
{
    return z_model_cvt_floor(t, (uint64_t)CONFIG_SYS_CLOCK_TICKS_PER_SEC, 1000000u);
}

/* ---- sys_clock.h: timeouts ---------------------------------------------------------------------- */
#ifdef CONFIG_TIMEOUT_64BIT
typedef int64_t k_ticks_t;
#else
typedef uint32_t k_ticks_t;
#endif
typedef struct {
    k_ticks_t ticks;
} k_timeout_t;

#define K_TICKS_FOREVER ((k_ticks_t)-1)
#define Z_TIMEOUT_TICKS(t) ((k_timeout_t){.ticks = (t)})
#define K_NO_WAIT Z_TIMEOUT_TICKS(0)
#define K_FOREVER Z_TIMEOUT_TICKS(K_TICKS_FOREVER)
#define K_TICKS(t) Z_TIMEOUT_TICKS(t)
#define K_MSEC(ms) Z_TIMEOUT_TICKS((k_ticks_t)k_ms_to_ticks_ceil64((uint64_t)((ms) > 0 ? (ms) : 0)))
#define K_TIMEOUT_EQ(a, b) ((a).ticks == (b).ticks)
#ifdef CONFIG_TIMEOUT_64BIT
/* An absolute timeout is encoded below K_TICKS_FOREVER: -2 - tick (Zephyr's Z_TICK_ABS). */
#define Z_TICK_ABS(t) (K_TICKS_FOREVER - 1 - (t))
#define K_TIMEOUT_ABS_TICKS(t) Z_TIMEOUT_TICKS(Z_TICK_ABS((k_ticks_t)((t) > 0 ? (t) : 0)))
#define K_TIMEOUT_ABS_MS(t) K_TIMEOUT_ABS_TICKS(k_ms_to_ticks_ceil64(t))
#endif

/* ---- sys/dlist.h, wait queues ------------------------------------------------------------------- */
struct _dnode {
    union {
        struct _dnode *head;
        struct _dnode *next;
    };
    union {
        struct _dnode *tail;
        struct _dnode *prev;
    };
};
typedef struct _dnode sys_dlist_t;
typedef struct {
    sys_dlist_t waitq;
} _wait_q_t;

/* ---- threads ------------------------------------------------------------------------------------ */
struct k_thread;
typedef struct k_thread *k_tid_t;

k_tid_t k_current_get(void);
bool k_is_in_isr(void);
bool k_is_pre_kernel(void);

/* ---- irq.h: as functions (Zephyr's are macros over arch_irq_lock / arch_irq_unlock) ------------- */
unsigned int irq_lock(void);
void irq_unlock(unsigned int key);

/* ---- clock -------------------------------------------------------------------------------------- */
int64_t k_uptime_ticks(void);
static inline int64_t k_uptime_get(void) { return (int64_t)k_ticks_to_ms_floor64((uint64_t)k_uptime_ticks()); }

/* ---- mutexes ------------------------------------------------------------------------------------ */
struct k_mutex {
    _wait_q_t wait_q;
    struct k_thread *owner;
    uint32_t lock_count;
    int owner_orig_prio;
};
int k_mutex_init(struct k_mutex *mutex);
int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout);
int k_mutex_unlock(struct k_mutex *mutex);

/* ---- semaphores --------------------------------------------------------------------------------- */
struct k_sem {
    _wait_q_t wait_q;
    unsigned int count;
    unsigned int limit;
};
int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit);
int k_sem_take(struct k_sem *sem, k_timeout_t timeout);
void k_sem_give(struct k_sem *sem);

#endif /* ZEPHYR_INCLUDE_KERNEL_H_ */
