/*
 * rtm_port_now_us() is monotonic across thread and interrupt reads (port.h), on Cortex-M boards,
 * also when the interrupt that reads it preempts the SysTick handler (port_cortex_m.c).
 *
 * SysTick runs at the lowest priority. A second timer (an385: CMSDK TIMER0, IRQ 8; an505: the
 * SSE-200's TIMER0, IRQ 3) interrupts at priority RTM_CM_BASEPRI (so that the BASEPRI build masks
 * it, as its contract requires), above SysTick, with a period one timer tick longer than SysTick's:
 * started 8 ticks before a SysTick reload, it comes 1 tick later relative to SysTick every period,
 * so over the run it lands on every instruction of the SysTick handler, including the ones between
 * the counter's reload and the handler's update of the millisecond count. Main reads the clock in a
 * loop, the timer interrupt and the SysTick hook read it too; every read must return at least the
 * largest value returned by a read that completed before it started. The run is CLOCK_MS SysTick
 * periods; targets/CMakeLists.txt runs it under QEMU -icount (deterministic timing).
 * Also: over the run the clock advanced by the SysTick periods counted (within one period).
 */
#include "rtm_cortex_m.h"
#include "tgt.h"

#define CLOCK_MS 64u

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#if defined(__ARM_ARCH_8M_MAIN__)
#define TMR_BASE 0x50000000u /* mps2-an505: SSE-200 TIMER0, Secure alias */
#define TMR_IRQ 3u
#else
#define TMR_BASE 0x40000000u /* mps2-an385: CMSDK APB TIMER0 */
#define TMR_IRQ 8u
#endif
#define TMR_CTRL REG(TMR_BASE + 0x0u) /* bit 0 enable, bit 3 interrupt enable */
#define TMR_VALUE REG(TMR_BASE + 0x4u)
#define TMR_RELOAD REG(TMR_BASE + 0x8u)
#define TMR_INTCLR REG(TMR_BASE + 0xCu)
#define NVIC_ISER REG(0xE000E100u)
#define NVIC_ICER REG(0xE000E180u)
#define NVIC_IPR(n) (*(volatile uint8_t *)(uintptr_t)(0xE000E400u + (n)))
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SHCSR REG(0xE000ED24u)
#define SHCSR_SYSTICKACT (1u << 11)

enum { CTX_MAIN, CTX_IRQ, CTX_TICK, CTX_N };
static const char *const k_ctx_name[CTX_N] = {"main", "irq", "systick hook"};

static uint64_t g_hi; /* largest value returned by a completed read; under the critical section */
static volatile uint32_t g_reads[CTX_N], g_backwards, g_ticks, g_irq_in_systick;
static volatile uint64_t g_bad_t, g_bad_before;
static volatile uint32_t g_bad_ctx, g_bad_systick_active;

static void clock_read(unsigned ctx)
{
    uint32_t systick_active = SHCSR & SHCSR_SYSTICKACT;
    rtm_port_key k = rtm_port_critical_enter();
    uint64_t before = g_hi;
    rtm_port_critical_exit(k);
    uint64_t t = rtm_port_now_us();
    k = rtm_port_critical_enter();
    if (t < before && g_backwards++ == 0) {
        g_bad_t = t;
        g_bad_before = before;
        g_bad_ctx = ctx;
        g_bad_systick_active = systick_active != 0;
    }
    if (t > g_hi) g_hi = t;
    rtm_port_critical_exit(k);
    g_reads[ctx]++;
}

void rtm_cm_irq_handler(void)
{
    TMR_INTCLR = 1u;
    if (SHCSR & SHCSR_SYSTICKACT) g_irq_in_systick++;
    clock_read(CTX_IRQ);
}

static void tick(void)
{
    g_ticks++;
    clock_read(CTX_TICK);
}

int main(void)
{
    board_init();
    tgt_case_begin("clock.monotonic_across_interrupts");
    uint32_t period = SYST_RVR + 1u;
    NVIC_IPR(TMR_IRQ) = (uint8_t)RTM_CM_BASEPRI;
    __asm volatile("cpsid i" : : : "memory");
    TMR_CTRL = 0;
    TMR_INTCLR = 1u;
    TMR_RELOAD = period; /* period + 1 ticks: one tick later against SysTick every period */
    uint32_t v = SYST_CVR;
    TMR_VALUE = v > 8u ? v - 8u : v + period - 8u;
    TMR_CTRL = 1u | 8u;
    NVIC_ISER = 1u << TMR_IRQ;
    board_tick_start(tick);
    __asm volatile("cpsie i" : : : "memory");

    uint64_t t0 = rtm_port_now_us();
    uint32_t ticks0 = g_ticks;
    while (g_ticks - ticks0 < CLOCK_MS) clock_read(CTX_MAIN);
    uint64_t t1 = rtm_port_now_us();
    uint32_t ticks = g_ticks - ticks0;

    TMR_CTRL = 0;
    NVIC_ICER = 1u << TMR_IRQ;
    board_tick_stop();

    tgt_puts("  reads main/irq/tick ");
    tgt_put_u(g_reads[CTX_MAIN]);
    tgt_puts("/");
    tgt_put_u(g_reads[CTX_IRQ]);
    tgt_puts("/");
    tgt_put_u(g_reads[CTX_TICK]);
    tgt_puts(", irq reads with the SysTick handler active ");
    tgt_put_u(g_irq_in_systick);
    tgt_puts(", clock ");
    tgt_put_u(t1 - t0);
    tgt_puts(" us over ");
    tgt_put_u(ticks);
    tgt_puts(" ticks\n");
    if (g_backwards != 0) {
        tgt_puts("  backwards ");
        tgt_put_u(g_backwards);
        tgt_puts(" times; first: ");
        tgt_puts(k_ctx_name[g_bad_ctx]);
        tgt_puts(" read ");
        tgt_put_u(g_bad_t);
        tgt_puts(" after a completed read of ");
        tgt_put_u(g_bad_before);
        tgt_puts(" (SysTick handler active: ");
        tgt_put_u(g_bad_systick_active);
        tgt_puts(")\n");
    }
    TGT_CHECK(g_backwards == 0);
    /* The scenario happened: the timer interrupt came while the SysTick handler ran. */
    TGT_CHECK(g_reads[CTX_IRQ] >= CLOCK_MS - 2u);
    TGT_CHECK(g_irq_in_systick > 0);
    /* The clock kept time: t0 was read inside the period before the first counted tick, t1 just
     * after the last one (plus the loop's latency, well under 0.5 ms): no tick lost, none counted
     * twice, no millisecond gained. */
    TGT_CHECK(t1 - t0 > (uint64_t)(ticks - 1u) * 1000u && t1 - t0 < (uint64_t)ticks * 1000u + 500u);
    tgt_case_end();
    return tgt_summary();
}
