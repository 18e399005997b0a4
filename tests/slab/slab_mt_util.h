/* Helpers of the slab's thread tests (test_slab_mt.c, test_slab_isr.c). */
#ifndef RTM_SLAB_MT_UTIL_H
#define RTM_SLAB_MT_UTIL_H

#include <sched.h>
#include <stddef.h>

#include "rtmem/slab.h"

/* Callers in s's wait path now (rtm_slab_stats.waiters). */
static inline size_t waiters_of(const rtm_slab *s)
{
    rtm_slab_stats st;
    rtm_slab_get_stats(s, &st);
    return st.waiters;
}

/* Yields until exactly n callers are in s's wait path. */
static inline void wait_for_waiters(const rtm_slab *s, size_t n)
{
    while (waiters_of(s) != n) sched_yield();
}

#endif
