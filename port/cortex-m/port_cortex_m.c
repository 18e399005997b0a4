/*
 * Cortex-M implementation of include/rtmem/port.h for bare-metal firmware (no RTOS).
 *
 * Critical section: PRIMASK (default) or BASEPRI (RTM_CM_USE_BASEPRI, ARMv7-M/ARMv8-M Mainline).
 *   Only privileged code can mask interrupts: from an unprivileged thread the mask write is ignored
 *   by the hardware, so unprivileged code must not use rtmem objects that need the critical section
 *   (give it its own objects, or reach shared ones through a privileged service).
 * Locks: there is no scheduler, so a lock can never be contended by another thread; it is a flag
 *   that catches recursive locking (reported as RTM_ERR_STATE). rtm_port_wait cannot block and
 *   returns RTM_ERR_UNSUPPORTED, as port.h allows.
 * Thread id: the running rtm_cm_thread (fault_cortex_m.c), the address of a static token in the
 *   privileged main context, 0 in handler mode. Unprivileged callers get it through SVC #1.
 * Time: SysTick with a 1 ms period counts milliseconds; microseconds come from the current value
 *   of the counter; never less than a value returned before, also from an interrupt that preempts
 *   the SysTick handler (see "The millisecond count" below). Unprivileged callers read it through
 *   SVC #2.
 */
#include "cm_regs.h"
#include "rtm_cortex_m.h"

/* SVC numbers shared with fault_cortex_m.c */
#define CM_SVC_THREAD_ID 1
#define CM_SVC_NOW_US 2

static const uint32_t g_main_token; /* identity of the privileged main context (word-aligned, like threads) */

#if RTM_CM_MAINLINE
static bool cm_unprivileged_thread(void)
{
    return cm_get_ipsr() == 0 && (cm_get_control() & 1u) != 0;
}
#endif

/* ---- critical section ---------------------------------------------------------------------- */

#if RTM_CM_USE_BASEPRI && RTM_CM_MAINLINE
/* BASEPRI 0 masks nothing (and 0x100 or more is not a priority): such a critical section would
 * exclude no interrupt at all. Bits below the core's implemented priority bits read as zero too,
 * so on a part with 3 bits a value under 0x20 is the same as 0 (rtm_cortex_m.h). */
_Static_assert(RTM_CM_BASEPRI > 0u && RTM_CM_BASEPRI <= 0xFFu, "RTM_CM_BASEPRI must be a priority 1..255");
rtm_port_key rtm_port_critical_enter(void)
{
    uint32_t old;
    uint32_t level = RTM_CM_BASEPRI;
#if RTM_CM_ERRATUM_837070
    /* The raise with every interrupt masked, then PRIMASK as it was (rtm_cortex_m.h): not a bare
     * cpsie, which would unmask interrupts a caller had masked with PRIMASK (isr_test.c,
     * isr.caller_primask_kept). */
    uint32_t primask;
    __asm volatile("mrs %0, basepri\n\tmrs %1, primask\n\tcpsid i\n\tmsr basepri_max, %2\n\tisb\n\tmsr primask, %1"
                   : "=&r"(old), "=&r"(primask)
                   : "r"(level)
                   : "memory");
#else
    __asm volatile("mrs %0, basepri\n\tmsr basepri_max, %1\n\tisb" : "=&r"(old) : "r"(level) : "memory");
#endif
    return (rtm_port_key)old;
}
void rtm_port_critical_exit(rtm_port_key key)
{
    __asm volatile("msr basepri, %0\n\tisb" : : "r"((uint32_t)key) : "memory");
}
#else
rtm_port_key rtm_port_critical_enter(void)
{
    uint32_t old;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(old) : : "memory");
    return (rtm_port_key)old;
}
void rtm_port_critical_exit(rtm_port_key key)
{
    if ((key & 1u) == 0) __asm volatile("cpsie i" : : : "memory");
}
#endif

/* ---- locks --------------------------------------------------------------------------------- */

/* rtm_port_lock/unlock/wait/notify_all/sync_destroy: port/baremetal/sync_baremetal.c. */

/* ---- identity ------------------------------------------------------------------------------ */

bool rtm_port_in_isr(void) { return (cm_get_ipsr() & 0x1FFu) != 0; }

#if RTM_CM_MAINLINE
static uint32_t cm_svc_thread_id(void)
{
    register uint32_t r0 __asm("r0");
    __asm volatile("svc %1" : "=r"(r0) : "i"(CM_SVC_THREAD_ID) : "memory");
    return r0;
}
static uint64_t cm_svc_now_us(void)
{
    register uint32_t r0 __asm("r0");
    register uint32_t r1 __asm("r1");
    __asm volatile("svc %2" : "=r"(r0), "=r"(r1) : "i"(CM_SVC_NOW_US) : "memory");
    return ((uint64_t)r1 << 32) | r0;
}
#endif

static rtm_cm_thread *volatile g_current;

rtm_cm_thread *rtm_cm_thread_current(void) { return g_current; }

void cm_set_current(rtm_cm_thread *t) { g_current = t; }

uintptr_t rtm_cm_thread_id_priv(void)
{
    rtm_cm_thread *t = rtm_cm_thread_current();
    return t != NULL ? (uintptr_t)t : (uintptr_t)&g_main_token;
}

uintptr_t rtm_port_thread_id(void)
{
    if (rtm_port_in_isr()) return 0;
#if RTM_CM_MAINLINE
    if (cm_unprivileged_thread()) return cm_svc_thread_id();
#endif
    return rtm_cm_thread_id_priv();
}

/* ---- time ---------------------------------------------------------------------------------- */

#define CM_TICKS_PER_MS (RTM_CM_CPU_HZ / 1000u)

void rtm_cm_systick_start(void)
{
    /* Lowest priority: every critical section masks it (BASEPRI too), so the tick count and the
     * hook never run inside one. */
    CM_SHPR3 |= 0xFFu << 24;
    CM_SYST_CSR = 0;
    CM_SYST_RVR = CM_TICKS_PER_MS - 1u;
    CM_SYST_CVR = 0;
    CM_SYST_CSR = 7u; /* ENABLE | TICKINT | CLKSOURCE = core clock */
}

static void (*volatile g_tick_hook)(void);

void (*rtm_cm_systick_set_hook(void (*hook)(void)))(void)
{
    void (*old)(void) = g_tick_hook;
    g_tick_hook = hook;
    return old;
}

/*
 * The millisecond count, and the clock's last value.
 *
 * SysTick pends its exception when the counter reaches 0 (and reloads on the next clock); the
 * handler counts that millisecond in g_ms. A reader (rtm_cm_now_us_priv) adds the microseconds
 * from the counter, and a reload the handler has not counted yet. Readers and the handler's update
 * run inside the critical section, so a reader never sees half of the 64-bit count (the handler's
 * update used to be two separate word stores, torn at the 2^32 ms wrap), and in BASEPRI builds
 * every reader is masked by it (port.h's contract: interrupts that use rtmem have a priority value
 * >= RTM_CM_BASEPRI). A sequence counter would not do here: a reader that preempts the handler in
 * the middle of its update would retry forever, because the handler cannot run again until the
 * reader returns.
 *
 * A reload is not yet counted while SysTick is pending (ICSR.PENDSTSET), and also while the
 * handler is active but has not reached its update: on exception entry the pending state becomes
 * active, so an interrupt that preempts the handler at its first instructions sees the old count,
 * a reloaded counter and nothing pending, i.e. a time about 1 ms early. Nothing in the hardware
 * tells that window apart from the rest of the handler (SHCSR.SYSTICKACT is set in both, and a flag
 * the handler sets cannot be cleared atomically with its exception return). So every value returned
 * is also kept in g_last_us, and a reader never returns less than it: the clock is monotonic
 * whatever the interleaving (the cost: inside that window a reading can stall at the last value).
 * The window is also recognised when it can be: every reading is at most the true time (the count
 * only lags), so a reading below the last returned value, with SysTick active, by at most 1 ms, is
 * missing exactly the reload of the active handler; that reading gets its millisecond back
 * (ARMv7-M/ARMv8-M Mainline, which have SHCSR.SYSTICKACT; ARMv6-M stalls instead).
 * Both are read and written only inside the critical section.
 */
static uint64_t g_ms;
static uint64_t g_last_us;

void rtm_cm_systick_handler(void);
void rtm_cm_systick_handler(void)
{
    rtm_port_key k = rtm_port_critical_enter();
    g_ms++;
    rtm_port_critical_exit(k);
    void (*hook)(void) = g_tick_hook;
    if (hook != NULL) hook();
}

/* Counter ticks since the millisecond began: it begins when the counter reaches 0 (where SysTick
 * pends), so 0 is its first tick and the reload value its second. */
static uint32_t cm_ticks_into_ms(uint32_t val)
{
    return (val == 0 || val >= CM_TICKS_PER_MS) ? 0u : CM_TICKS_PER_MS - val;
}

static bool cm_systick_active(void)
{
#if RTM_CM_MAINLINE
    return (CM_SHCSR & CM_SHCSR_SYSTICKACT) != 0;
#else
    return false; /* ARMv6-M: SHCSR is not visible to software */
#endif
}

uint64_t rtm_cm_now_us_priv(void)
{
    rtm_port_key k = rtm_port_critical_enter();
    uint64_t ms = g_ms;
    uint32_t val = CM_SYST_CVR;
    bool running = (CM_SYST_CSR & 0x7u) == 0x7u;
    /* A reload that happened while we were masked is pending, not yet counted: count it, and
     * re-read the counter so that the value belongs to the new period. */
    if (running && (CM_ICSR & CM_ICSR_PENDSTSET) != 0) {
        ms++;
        val = CM_SYST_CVR;
    }
    uint64_t us = ms * 1000u + (uint64_t)cm_ticks_into_ms(val) * 1000u / CM_TICKS_PER_MS;
    uint64_t last = g_last_us;
    if (us < last) {
        /* The handler is active and has not counted its reload yet (see above). */
        if (running && last - us <= 1000u && cm_systick_active()) us += 1000u;
        if (us < last) us = last;
    }
    g_last_us = us;
    rtm_port_critical_exit(k);
    return us;
}

uint64_t rtm_port_now_us(void)
{
#if RTM_CM_MAINLINE
    if (cm_unprivileged_thread()) return cm_svc_now_us();
#endif
    return rtm_cm_now_us_priv();
}

uint64_t rtm_port_now_ms(void) { return rtm_port_now_us() / 1000u; }
