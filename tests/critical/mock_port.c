/* mock_port.h: the critical section checks its keys; the rest of port.h does nothing (no
 * threads here: locks are not taken by anyone else, waiting is unsupported as on a bare-metal
 * port without an OS). */
#include "mock_port.h"

static rtm_port_key g_keys[MOCK_PORT_MAX_DEPTH]; /* g_keys[i]: key of the enter at nesting depth i */
static unsigned g_depth;
static rtm_port_key g_serial;
static unsigned g_bad;
static rtm_port_key g_bad_got, g_bad_want;

static void bad_exit(rtm_port_key got, rtm_port_key want)
{
    if (g_bad++ == 0) {
        g_bad_got = got;
        g_bad_want = want;
    }
}

rtm_port_key rtm_port_critical_enter(void)
{
    /* distinct per call and per depth, never 0 (the value a helper that lost the key would pass) */
    rtm_port_key key = (++g_serial << 4) | g_depth;
    if (g_depth < MOCK_PORT_MAX_DEPTH) g_keys[g_depth] = key;
    else bad_exit(key, 0);
    g_depth++;
    return key;
}

void rtm_port_critical_exit(rtm_port_key key)
{
    if (g_depth == 0) {
        bad_exit(key, 0);
        return;
    }
    g_depth--;
    if (g_depth < MOCK_PORT_MAX_DEPTH && key != g_keys[g_depth]) bad_exit(key, g_keys[g_depth]);
}

unsigned mock_port_depth(void) { return g_depth; }
unsigned mock_port_bad_exits(void) { return g_bad; }
void mock_port_first_bad(rtm_port_key *got, rtm_port_key *want)
{
    *got = g_bad_got;
    *want = g_bad_want;
}
void mock_port_reset(void) { g_bad = 0; }

void rtm_port_lock(rtm_port_sync *s) { (void)s; }
void rtm_port_unlock(rtm_port_sync *s) { (void)s; }
rtm_err rtm_port_wait(rtm_port_sync *s, uint64_t deadline_ms)
{
    (void)s;
    (void)deadline_ms;
    return RTM_ERR_UNSUPPORTED;
}
void rtm_port_notify_all(rtm_port_sync *s) { (void)s; }
void rtm_port_notify_from_isr(rtm_port_sync *s) { (void)s; }
void rtm_port_sync_destroy(rtm_port_sync *s) { (void)s; }
uintptr_t rtm_port_thread_id(void) { return 1; }
bool rtm_port_in_isr(void) { return false; }
uint64_t rtm_port_now_ms(void) { return 0; }
uint64_t rtm_port_now_us(void) { return 0; }
