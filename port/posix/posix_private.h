/*
 * posix_private.h - what the POSIX port's two files share and nothing else may use (not API).
 */
#ifndef RTMEM_POSIX_PRIVATE_H
#define RTMEM_POSIX_PRIVATE_H

/**
 * How many of rtmem's locks the calling thread holds: nested rtm_port_critical_enter()s plus
 * rtm_port_lock()ed syncs (rtm_port_wait() keeps the count: the thread runs no code while waiting).
 * Async-signal-safe, so that the fault handler can ask whether a fault interrupted rtmem code
 * inside one (unwinding that thread would leave the lock held for every other thread). O(1).
 */
unsigned rtm_posix_rtm_locks_held(void);

#endif /* RTMEM_POSIX_PRIVATE_H */
