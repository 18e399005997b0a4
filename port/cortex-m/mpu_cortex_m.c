/*
 * Cortex-M MPU register access (PMSAv7 on ARMv6-M/ARMv7-M, PMSAv8 on ARMv8-M). The register values
 * themselves come from the encoders in src/mpu_armv7m.c / src/mpu_armv8m.c; this file only writes
 * them, with the barriers the architecture asks for.
 *
 * A region is written through the RNR -> RBAR -> RASR/RLAR sequence (RNR selects the slot the other
 * two address). An interrupt that also programs the MPU between those writes would change RNR and
 * the rest of the sequence would land in its slot; so every sequence (and the MAIR0 read-modify-
 * write, and rtm_cm_mpu_load as a whole) runs inside rtm_port_critical_enter/exit. With the BASEPRI critical section
 * (RTM_CM_USE_BASEPRI) interrupts above RTM_CM_BASEPRI are not masked: they must not program the
 * MPU (the same rule as for every rtmem call, port.h).
 */
#include "cm_regs.h"
#include "rtm_cortex_m.h"

#define CM_MPU_CTRL_ENABLE (1u << 0)
#define CM_MPU_CTRL_HFNMIENA (1u << 1)
#define CM_MPU_CTRL_PRIVDEFENA (1u << 2)

unsigned rtm_cm_mpu_regions(void) { return (unsigned)((CM_MPU_TYPE >> 8) & 0xFFu); }

void rtm_cm_mpu_disable(void)
{
    cm_dmb();
    CM_MPU_CTRL = 0;
    cm_dsb_isb();
}

void rtm_cm_mpu_enable(bool privdefena, bool hfnmiena)
{
    uint32_t v = CM_MPU_CTRL_ENABLE;
    if (privdefena) v |= CM_MPU_CTRL_PRIVDEFENA;
    if (hfnmiena) v |= CM_MPU_CTRL_HFNMIENA;
    CM_MPU_CTRL = v;
    cm_dsb_isb();
}

/* An update of one or more slots: mpu_update_begin, the slot writes (mpu_write_slot,
 * mpu_clear_slot), mpu_update_end. Every writer goes through the pair, so the rule is kept once:
 * the port's critical section around the whole update (an interrupt that programs the MPU cannot
 * move RNR in the middle of a sequence), and Arm's barriers (Cortex-M4 Devices Generic User Guide,
 * DUI 0553, 4.5.9 "Updating an MPU region"): a DMB before, so that buffered writes finish under
 * the old settings, none between the register writes (the PPB is strongly ordered), DSB + ISB
 * after. rtm_cm_mpu_load and rtm_cm_mpu_clear_regions write several slots in one update (they used
 * to nest a critical section and pay a DSB + ISB per slot, through rtm_cm_mpu_set_region /
 * _clear_region). In between, interrupts are masked and the privileged code runs under the system
 * regions or the default map, which a load's slots do not take away. */
static rtm_port_key mpu_update_begin(void)
{
    rtm_port_key k = rtm_port_critical_enter();
    cm_dmb();
    return k;
}
static void mpu_update_end(rtm_port_key k)
{
    cm_dsb_isb();
    rtm_port_critical_exit(k);
}
static void mpu_write_slot(unsigned index, uint32_t rbar, uint32_t rasr_or_rlar)
{
    CM_MPU_RNR = index;
#if RTM_CM_PMSAV8
    CM_MPU_RASR = 0; /* RLAR: disable while the base changes */
    CM_MPU_RBAR = rbar;
    CM_MPU_RASR = rasr_or_rlar;
#else
    CM_MPU_RASR = 0;
    CM_MPU_RBAR = rbar & ~0x1Fu; /* VALID = 0: the region number is the one in RNR */
    CM_MPU_RASR = rasr_or_rlar;
#endif
}
static void mpu_clear_slot(unsigned index)
{
    CM_MPU_RNR = index;
    CM_MPU_RASR = 0; /* RASR.ENABLE / RLAR.EN */
}

rtm_err rtm_cm_mpu_set_region(unsigned index, uint32_t rbar, uint32_t rasr_or_rlar)
{
    if (index >= rtm_cm_mpu_regions()) return RTM_ERR_NO_SLOT;
    rtm_port_key k = mpu_update_begin();
    mpu_write_slot(index, rbar, rasr_or_rlar);
    mpu_update_end(k);
    return RTM_OK;
}

rtm_err rtm_cm_mpu_clear_region(unsigned index) { return rtm_cm_mpu_clear_regions(index, 1); }

rtm_err rtm_cm_mpu_clear_regions(unsigned first, unsigned n)
{
    unsigned regions = rtm_cm_mpu_regions();
    if (first > regions || n > regions - first) return RTM_ERR_NO_SLOT;
    if (n == 0) return RTM_OK;
    rtm_port_key k = mpu_update_begin();
    for (unsigned i = 0; i < n; i++) mpu_clear_slot(first + i);
    mpu_update_end(k);
    return RTM_OK;
}

rtm_err rtm_cm_mpu_get_region(unsigned index, uint32_t *rbar, uint32_t *rasr_or_rlar)
{
    if (index >= rtm_cm_mpu_regions()) return RTM_ERR_NO_SLOT;
    rtm_port_key k = rtm_port_critical_enter();
    CM_MPU_RNR = index;
    __asm volatile("dsb" : : : "memory");
    uint32_t w0 = CM_MPU_RBAR, w1 = CM_MPU_RASR;
    rtm_port_critical_exit(k);
    if (rbar != NULL) *rbar = w0;
    if (rasr_or_rlar != NULL) *rasr_or_rlar = w1;
    return RTM_OK;
}

void rtm_cm_mpu_set_mair(uint32_t mair0, uint32_t mair1)
{
#if RTM_CM_PMSAV8
    CM_MPU_MAIR0 = mair0;
    CM_MPU_MAIR1 = mair1;
    cm_dsb_isb();
#else
    (void)mair0;
    (void)mair1;
#endif
}

rtm_mpu_arch rtm_cm_mpu_arch(uint32_t sys_regions)
{
    rtm_mpu_arch a;
    a.kind = RTM_CM_PMSAV8 ? RTM_MPU_ARMV8M : RTM_MPU_ARMV7M;
    a.regions = rtm_cm_mpu_regions();
    a.sys_regions = sys_regions;
    a.granule = 0;
    /* ARMv6-M's MPU takes no region below 256 B: RTM_MPU_V7M_MIN_LOG2 is 8 in its builds */
    a.min_log2 = RTM_CM_PMSAV8 ? 0u : RTM_MPU_V7M_MIN_LOG2;
    return a;
}

rtm_err rtm_cm_mpu_load(const rtm_mpu_regs *regs)
{
    if (regs == NULL) return RTM_ERR_ARG;
    if (regs->kind != (RTM_CM_PMSAV8 ? RTM_MPU_ARMV8M : RTM_MPU_ARMV7M)) return RTM_ERR_ARG;
    /* A plan for 32 B regions (ARMv7-M) may hold RASR sizes an ARMv6-M MPU does not permit. */
    if (!RTM_CM_PMSAV8 && regs->min_log2 != 0 && regs->min_log2 < RTM_MPU_V7M_MIN_LOG2) return RTM_ERR_ARG;
    if (regs->count > regs->avail || regs->avail > RTM_MPU_MAX_REGIONS) return RTM_ERR_ARG;
    /* no wrap of first + avail: a first near 2^32 once passed and wrote RNR values >= DREGION */
    unsigned regions = rtm_cm_mpu_regions();
    if (regs->first > regions || regs->avail > regions - regs->first) return RTM_ERR_NO_SLOT;
    rtm_port_key k = mpu_update_begin(); /* the whole load: no other MPU writer in between */
#if RTM_CM_PMSAV8
    /* MAIR0: only rtmem's attribute bytes are written from the plan: Attr0 (normal) and Attr1
     * (device), the indices rtmem's encoder uses (RTM_V8M_ATTR_NORMAL/DEVICE), and any other index
     * below 4 a loaded region names in RLAR.AttrIndx. The rest (Attr2, Attr3, all of MAIR1) belongs
     * to the application and keeps its value. */
    uint32_t owned = 0;
    if (regs->count != 0)
        owned = (0xFFu << (8u * RTM_V8M_ATTR_NORMAL)) | (0xFFu << (8u * RTM_V8M_ATTR_DEVICE));
    for (uint32_t i = 0; i < regs->count; i++) {
        uint32_t idx = (regs->r.v8m[i].rlar >> 1) & 7u;
        if (idx < 4u) owned |= 0xFFu << (8u * idx);
    }
    if (owned != 0) {
        uint32_t mair0 = (CM_MPU_MAIR0 & ~owned) | (regs->mair0 & owned);
        if (mair0 != CM_MPU_MAIR0) rtm_cm_mpu_set_mair(mair0, CM_MPU_MAIR1);
    }
#endif
    for (uint32_t i = 0; i < regs->avail; i++) {
        unsigned slot = (unsigned)(regs->first + i);
        if (i < regs->count) {
#if RTM_CM_PMSAV8
            mpu_write_slot(slot, regs->r.v8m[i].rbar, regs->r.v8m[i].rlar);
#else
            mpu_write_slot(slot, regs->r.v7m[i].rbar, regs->r.v7m[i].rasr);
#endif
        } else {
            mpu_clear_slot(slot);
        }
    }
    mpu_update_end(k); /* one barrier for the whole load */
    return RTM_OK;
}
