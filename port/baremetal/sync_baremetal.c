/*
 * rtm_port_sync for bare-metal ports without a scheduler (port/cortex-m, port/riscv): one thread of
 * control, so a lock is a flag set inside the port's critical section, and waiting is not possible
 * (rtm_port_wait returns RTM_ERR_UNSUPPORTED; callers such as the slab then fail the request
 * instead of blocking). Each port supplies rtm_port_critical_enter/exit.
 */
#include "rtmem/port.h"

void rtm_port_lock(rtm_port_sync *s)
{
    if (s == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return;
    }
    rtm_port_key k = rtm_port_critical_enter();
    bool held = s->u.words[0] != 0;
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
    if (s->u.words[0] == 0) rtm_report(RTM_ERR_STATE, s, NULL);
    s->u.words[0] = 0;
}

rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms)
{
    (void)deadline_ms;
    return s == NULL ? RTM_ERR_ARG : RTM_ERR_UNSUPPORTED; /* port.h: NULL is RTM_ERR_ARG on every port */
}

void rtm_port_notify_all(rtm_port_sync *s) { (void)s; }

void rtm_port_notify_from_isr(rtm_port_sync *s) { (void)s; } /* nobody waits: rtm_port_wait cannot */

void rtm_port_sync_destroy(rtm_port_sync *s)
{
    if (s == NULL) return;
    for (unsigned i = 0; i < RTM_PORT_SYNC_WORDS; i++) s->u.words[i] = 0; /* zero-filled, as port.h says */
}
