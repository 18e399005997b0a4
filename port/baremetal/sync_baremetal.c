/*
 * rtm_port_sync for bare-metal ports without a scheduler (port/cortex-m, port/riscv): one thread of
 * control, so a lock is a flag set inside the port's critical section, and waiting is not possible
 * (rtm_port_wait returns RTM_ERR_UNSUPPORTED; callers such as the slab then fail the request
 * instead of blocking). Each port supplies rtm_port_critical_enter/exit.
 */
#include "rtmem/port.h"
#include "sync_baremetal.h"

/* Written in the critical section by lock and unlock: a fault handler reads it (the count goes up
 * before the flag is set and down after it is cleared, so a fault between the two never sees a
 * held flag with a count of 0). A thread whose protection does not let it write here faults in
 * rtm_port_lock before it holds anything. */
static volatile uint32_t g_locks_held;

uint32_t rtm_bm_locks_held(void) { return g_locks_held; }

void rtm_port_lock(rtm_port_sync *s)
{
    if (s == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return;
    }
    rtm_port_key k = rtm_port_critical_enter();
    bool held = s->u.words[0] != 0;
    if (!held) g_locks_held = g_locks_held + 1u; /* one count per flag: unlock clears it once */
    s->u.words[0] = 1;
    rtm_port_critical_exit(k);
    /* Single thread of control: a held lock means recursion or an ISR using a thread-only object. */
    if (held) rtm_report(RTM_ERR_STATE, s, NULL);
}

void rtm_port_unlock(rtm_port_sync *s)
{
    if (s == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return;
    }
    rtm_port_key k = rtm_port_critical_enter();
    bool held = s->u.words[0] != 0;
    s->u.words[0] = 0;
    if (held && g_locks_held != 0) g_locks_held = g_locks_held - 1u;
    rtm_port_critical_exit(k);
    if (!held) rtm_report(RTM_ERR_STATE, s, NULL);
}

rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms)
{
    (void)s;
    (void)deadline_ms;
    return RTM_ERR_UNSUPPORTED;
}

void rtm_port_notify_all(rtm_port_sync *s) { (void)s; }

void rtm_port_sync_destroy(rtm_port_sync *s)
{
    if (s != NULL) s->u.words[0] = 0;
}
