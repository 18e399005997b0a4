/*
 * Controls of the host model of Zephyr (zephyr_model.c), for the tests: interrupt handlers
 * simulated on a thread, the kernel's start, the tick count, and what the model saw the code under
 * test do wrong.
 */
#ifndef RTM_ZEPHYR_MODEL_H
#define RTM_ZEPHYR_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <zephyr/kernel.h>

/* The calling thread runs as an interrupt handler from enter to exit (k_is_in_isr() says so;
 * blocking calls are misuse there). Handlers do not nest per thread. */
void rtm_zmodel_isr_enter(void);
void rtm_zmodel_isr_exit(void);

/* k_is_pre_kernel() from now on (true until a test says otherwise). */
void rtm_zmodel_set_pre_kernel(bool pre);

/* The uptime in ticks follows CLOCK_MONOTONIC at CONFIG_SYS_CLOCK_TICKS_PER_SEC (the default), from
 * the value set here on; or, frozen, it changes only by rtm_zmodel_advance_ticks. */
void rtm_zmodel_set_ticks(uint64_t ticks);
void rtm_zmodel_freeze_ticks(bool frozen);
void rtm_zmodel_advance_ticks(uint64_t n);

/* True while @p thread is blocked inside k_sem_take (its timeout counted from then on). */
bool rtm_zmodel_thread_waiting(k_tid_t thread);

/* k_sem_take calls that blocked (a timeout other than K_NO_WAIT), since the start. */
unsigned rtm_zmodel_sem_sleeps(void);

/* Misuse of the API the model detected since the start (each is printed to stderr when seen):
 * a blocking call in an interrupt handler, inside irq_lock() or before the kernel runs; a k_mutex
 * or k_sem used before its init call (its wait queue does not point at itself); k_mutex_init on a
 * mutex already initialised (a racy lazy init; after a zero fill it is a first init again); a
 * k_mutex locked in a handler, locked again by its owner (rtmem's locks are not recursive, though
 * Zephyr's is) or unlocked by a thread that does not own it; irq_unlock with a key other than the
 * one its irq_lock returned, or without an irq_lock. */
unsigned rtm_zmodel_misuse_count(void);

/* @p fn (NULL: none) is called on the thread whose k_sem_take has just timed out, before the take
 * returns: an interrupt arriving at that moment. */
void rtm_zmodel_on_take_timeout(void (*fn)(void));

#endif
