/*
 * Interrupts against thread code, on the real instruction sets, through the port:
 *  - ring (src/ring.c): the producer runs in a periodic interrupt (Cortex-M SysTick, RISC-V machine
 *    timer), the consumer in main; lock-free SPSC, no CAS. Every record carries its sequence number
 *    and a pattern; the consumer sees all of them, in order, intact.
 *  - slab (src/slab.c, RTM_SLAB_LOCKING=1): main and the interrupt allocate and free blocks of one
 *    slab at the same time; the slab's list work runs inside rtm_port_critical_enter/exit (PRIMASK,
 *    BASEPRI or mstatus.MIE). Every block is filled with its owner's pattern and checked before it
 *    is freed; rtm_slab_check must pass at the end.
 *  - in the interrupt, rtm_port_in_isr() is true and rtm_port_thread_id() is 0.
 * The run ends after RECORDS records, whatever the timing (no wall-clock assertion).
 */
#include "rtmem/ring.h"
#include "rtmem/slab.h"
#include "tgt.h"

#define RECORDS 1000u
#define PER_TICK 4u

static uint64_t g_ring_buf[512];
static rtm_ring g_ring;
static unsigned char g_slab_buf[RTM_SLAB_BUF_SIZE(32, 16)] __attribute__((aligned(8)));
static rtm_slab g_slab;

static volatile uint32_t g_prod_seq, g_ticks, g_full, g_isr_errors, g_isr_blocks;

static size_t rec_size(uint32_t seq) { return 4u + (seq * 7u) % 61u; }
static unsigned char rec_byte(uint32_t seq, size_t i) { return (unsigned char)(seq * 13u + i); }

static void fill_block(uint32_t *b, uint32_t tag)
{
    for (unsigned i = 0; i < 8; i++) b[i] = tag ^ (i * 0x01010101u);
}
static bool block_ok(const uint32_t *b, uint32_t tag)
{
    for (unsigned i = 0; i < 8; i++)
        if (b[i] != (tag ^ (i * 0x01010101u))) return false;
    return true;
}

static void tick(void)
{
    g_ticks++;
    if (!rtm_port_in_isr() || rtm_port_thread_id() != 0) g_isr_errors++;
    for (unsigned k = 0; k < PER_TICK && g_prod_seq < RECORDS; k++) {
        uint32_t seq = g_prod_seq;
        size_t n = rec_size(seq);
        unsigned char *p = rtm_ring_claim(&g_ring, n);
        if (p == NULL) {
            g_full++;
            break;
        }
        p[0] = (unsigned char)seq;
        p[1] = (unsigned char)(seq >> 8);
        for (size_t i = 2; i < n; i++) p[i] = rec_byte(seq, i);
        if (rtm_ring_commit(&g_ring, p, n) != RTM_OK) g_isr_errors++;
        g_prod_seq = seq + 1u;
    }
    uint32_t *a = rtm_slab_alloc(&g_slab, RTM_NO_WAIT);
    uint32_t *b = rtm_slab_alloc(&g_slab, RTM_NO_WAIT);
    uint32_t tag = 0x15500000u + g_ticks;
    if (a != NULL) fill_block(a, tag);
    if (b != NULL) fill_block(b, ~tag);
    if (a != NULL && !block_ok(a, tag)) g_isr_errors++;
    if (b != NULL && !block_ok(b, ~tag)) g_isr_errors++;
    g_isr_blocks += (a != NULL) + (b != NULL);
    rtm_slab_free(&g_slab, a);
    rtm_slab_free(&g_slab, b);
}

#if defined(__arm__)
#include "rtmem/port.h"

#ifndef RTM_CM_USE_BASEPRI_BUILD
#define RTM_CM_USE_BASEPRI_BUILD 0 /* targets/CMakeLists.txt: 1 for the *_basepri programs */
#endif

static uint32_t primask_now(void)
{
    uint32_t v;
    __asm volatile("mrs %0, primask" : "=r"(v) : : "memory");
    return v & 1u;
}

/* (Cortex-M) The critical section leaves a PRIMASK the caller set as it was: set before
 * rtm_port_critical_enter, still set inside and after rtm_port_critical_exit. The erratum 837070
 * raise of BASEPRI (isr_basepri on mps2-an505) masks with PRIMASK around it and must put it back,
 * not clear it; a bare cpsie there fails the first check. Clear before: clear after; inside, set
 * under the PRIMASK critical section and clear under BASEPRI (higher interrupts keep running). */
static void case_caller_primask(void)
{
    tgt_case_begin("isr.caller_primask_kept");
    __asm volatile("cpsid i" : : : "memory");
    rtm_port_key k = rtm_port_critical_enter();
    TGT_CHECK(primask_now() == 1u);
    rtm_port_critical_exit(k);
    TGT_CHECK(primask_now() == 1u);
    __asm volatile("cpsie i" : : : "memory");
    k = rtm_port_critical_enter();
    TGT_CHECK(primask_now() == (RTM_CM_USE_BASEPRI_BUILD ? 0u : 1u));
    rtm_port_critical_exit(k);
    TGT_CHECK(primask_now() == 0u);
    tgt_case_end();
}
#endif

int main(void)
{
    board_init();
#if defined(__arm__)
    case_caller_primask();
#endif
    tgt_case_begin("isr.ring_and_slab");
    if (rtm_ring_init(&g_ring, g_ring_buf, sizeof g_ring_buf) != RTM_OK ||
        rtm_slab_init(&g_slab, g_slab_buf, 32, 16) != RTM_OK) {
        tgt_check_failed(__FILE__, __LINE__, "init");
        tgt_case_end();
        return tgt_summary();
    }
    uint32_t consumed = 0, bad_records = 0, main_blocks = 0, main_errors = 0;
    uint32_t *held[6] = {0};
    unsigned turn = 0;
    board_tick_start(tick);
    while (consumed < RECORDS) {
        size_t n = 0;
        unsigned char *p = rtm_ring_peek(&g_ring, &n);
        if (p != NULL) {
            bool ok = n == rec_size(consumed) && p[0] == (unsigned char)consumed &&
                      p[1] == (unsigned char)(consumed >> 8);
            for (size_t i = 2; ok && i < n; i++) ok = p[i] == rec_byte(consumed, i);
            bad_records += !ok;
            if (rtm_ring_release(&g_ring, p) != RTM_OK) bad_records++;
            consumed++;
        }
        /* Keep up to 6 blocks of our own, replacing one per turn, while the interrupt churns. */
        unsigned slot = turn++ % 6u;
        if (held[slot] != NULL) {
            main_errors += !block_ok(held[slot], 0xA1100000u + slot);
            rtm_slab_free(&g_slab, held[slot]);
            held[slot] = NULL;
        }
        held[slot] = rtm_slab_alloc(&g_slab, RTM_NO_WAIT);
        if (held[slot] != NULL) {
            fill_block(held[slot], 0xA1100000u + slot);
            main_blocks++;
        }
    }
    board_tick_stop();
    for (unsigned i = 0; i < 6; i++) {
        if (held[i] == NULL) continue;
        main_errors += !block_ok(held[i], 0xA1100000u + i);
        rtm_slab_free(&g_slab, held[i]);
    }
    TGT_CHECK(consumed == RECORDS && bad_records == 0);
    TGT_CHECK(g_prod_seq == RECORDS && g_isr_errors == 0 && main_errors == 0);
    TGT_CHECK(rtm_ring_check(&g_ring) == RTM_OK && rtm_ring_peek(&g_ring, NULL) == NULL);
    TGT_CHECK(rtm_slab_check(&g_slab) == RTM_OK);
    rtm_slab_stats st;
    rtm_slab_get_stats(&g_slab, &st);
    TGT_CHECK(st.used == 0 && st.bad_frees == 0);
    TGT_CHECK(g_ticks > 0 && g_isr_blocks > 0 && main_blocks > 0);
    tgt_puts("  ");
    tgt_put_u(g_ticks);
    tgt_puts(" interrupts, ");
    tgt_put_u(consumed);
    tgt_puts(" records, ring full ");
    tgt_put_u(g_full);
    tgt_puts(" times, slab blocks: ");
    tgt_put_u(g_isr_blocks);
    tgt_puts(" in the interrupt, ");
    tgt_put_u(main_blocks);
    tgt_puts(" in main\n");
    tgt_case_end();
    return tgt_summary();
}
