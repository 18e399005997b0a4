/* RISC-V PMP CSR access: the values come from the encoder in src/mpu_pmp.c. */
#include "rtm_riscv.h"
#include "rv_csr.h"

/* CSR numbers must be immediates: one case per register. */
static void pmpaddr_write(unsigned i, uint32_t v)
{
    switch (i) {
    case 0: RV_CSR_WRITE(pmpaddr0, v); break;
    case 1: RV_CSR_WRITE(pmpaddr1, v); break;
    case 2: RV_CSR_WRITE(pmpaddr2, v); break;
    case 3: RV_CSR_WRITE(pmpaddr3, v); break;
    case 4: RV_CSR_WRITE(pmpaddr4, v); break;
    case 5: RV_CSR_WRITE(pmpaddr5, v); break;
    case 6: RV_CSR_WRITE(pmpaddr6, v); break;
    case 7: RV_CSR_WRITE(pmpaddr7, v); break;
    case 8: RV_CSR_WRITE(pmpaddr8, v); break;
    case 9: RV_CSR_WRITE(pmpaddr9, v); break;
    case 10: RV_CSR_WRITE(pmpaddr10, v); break;
    case 11: RV_CSR_WRITE(pmpaddr11, v); break;
    case 12: RV_CSR_WRITE(pmpaddr12, v); break;
    case 13: RV_CSR_WRITE(pmpaddr13, v); break;
    case 14: RV_CSR_WRITE(pmpaddr14, v); break;
    case 15: RV_CSR_WRITE(pmpaddr15, v); break;
    default: break;
    }
}

static uint32_t pmpaddr_read(unsigned i)
{
    switch (i) {
    case 0: return RV_CSR_READ(pmpaddr0);
    case 1: return RV_CSR_READ(pmpaddr1);
    case 2: return RV_CSR_READ(pmpaddr2);
    case 3: return RV_CSR_READ(pmpaddr3);
    case 4: return RV_CSR_READ(pmpaddr4);
    case 5: return RV_CSR_READ(pmpaddr5);
    case 6: return RV_CSR_READ(pmpaddr6);
    case 7: return RV_CSR_READ(pmpaddr7);
    case 8: return RV_CSR_READ(pmpaddr8);
    case 9: return RV_CSR_READ(pmpaddr9);
    case 10: return RV_CSR_READ(pmpaddr10);
    case 11: return RV_CSR_READ(pmpaddr11);
    case 12: return RV_CSR_READ(pmpaddr12);
    case 13: return RV_CSR_READ(pmpaddr13);
    case 14: return RV_CSR_READ(pmpaddr14);
    case 15: return RV_CSR_READ(pmpaddr15);
    default: return 0;
    }
}

static uint32_t pmpcfg_read(unsigned w)
{
    switch (w) {
    case 0: return RV_CSR_READ(pmpcfg0);
    case 1: return RV_CSR_READ(pmpcfg1);
    case 2: return RV_CSR_READ(pmpcfg2);
    case 3: return RV_CSR_READ(pmpcfg3);
    default: return 0;
    }
}

static void pmpcfg_write(unsigned w, uint32_t v)
{
    switch (w) {
    case 0: RV_CSR_WRITE(pmpcfg0, v); break;
    case 1: RV_CSR_WRITE(pmpcfg1, v); break;
    case 2: RV_CSR_WRITE(pmpcfg2, v); break;
    case 3: RV_CSR_WRITE(pmpcfg3, v); break;
    default: break;
    }
}

rtm_mpu_arch rtm_rv_pmp_arch(uint32_t sys_regions)
{
    rtm_mpu_arch a;
    a.kind = RTM_MPU_RISCV_PMP;
    a.regions = RTM_RV_PMP_ENTRIES;
    a.sys_regions = sys_regions;
    a.granule = 0;
    a.min_log2 = 0;
    return a;
}

rtm_err rtm_rv_pmp_get(unsigned i, uint32_t *pmpaddr, uint8_t *pmpcfg)
{
    if (i >= RTM_RV_PMP_ENTRIES) return RTM_ERR_NO_SLOT;
    if (pmpaddr != NULL) *pmpaddr = pmpaddr_read(i);
    if (pmpcfg != NULL) *pmpcfg = (uint8_t)(pmpcfg_read(i / 4u) >> (8u * (i % 4u)));
    return RTM_OK;
}

/* Turns off pmpcfg slots [first, first + n) (their cfg bytes 0) and leaves in cfg[] the four pmpcfg
 * words as written. Nothing is written if one of the slots is locked (RTM_ERR_STATE): a locked slot
 * cannot change until reset. The caller has checked the range. */
static rtm_err pmp_slots_off(uint32_t first, uint32_t n, uint32_t cfg[4])
{
    for (unsigned w = 0; w < 4u; w++) cfg[w] = pmpcfg_read(w);
    for (uint32_t i = 0; i < n; i++) {
        unsigned slot = (unsigned)(first + i);
        uint32_t shift = 8u * (slot % 4u);
        if ((cfg[slot / 4u] >> shift) & RTM_PMP_L) return RTM_ERR_STATE;
    }
    for (uint32_t i = 0; i < n; i++) {
        unsigned slot = (unsigned)(first + i);
        cfg[slot / 4u] &= ~(0xFFu << (8u * (slot % 4u)));
    }
    for (unsigned w = 0; w < 4u; w++) pmpcfg_write(w, cfg[w]);
    return RTM_OK;
}

/* After PMP writes. A hart with page-based virtual memory (S-mode) may cache PMP results with its
 * translations: the privileged spec (PMP, "Memory Management Fences") asks for SFENCE.VMA x0, x0
 * after PMP writes there, even with translation off. On a hart without S-mode the instruction is
 * illegal, so misa's S bit decides (misa may read 0: then it is not executed). QEMU virt has S-mode. */
static void pmp_sync(void)
{
    __asm volatile("fence" : : : "memory");
    uint32_t misa;
    __asm volatile("csrr %0, misa" : "=r"(misa));
    if (misa & (1u << ('S' - 'A'))) __asm volatile("sfence.vma zero, zero" : : : "memory");
}

rtm_err rtm_rv_pmp_load(const rtm_mpu_regs *regs)
{
    if (regs == NULL || regs->kind != RTM_MPU_RISCV_PMP) return RTM_ERR_ARG;
    if (regs->count > regs->avail || regs->avail > RTM_MPU_MAX_REGIONS) return RTM_ERR_ARG;
    if (regs->first + regs->avail > RTM_RV_PMP_ENTRIES) return RTM_ERR_NO_SLOT;
    /* Turn the slots off first, so that no half-written TOR pair is ever active. */
    uint32_t cfg[4];
    rtm_err e = pmp_slots_off(regs->first, regs->avail, cfg);
    if (e != RTM_OK) return e;
    for (uint32_t i = 0; i < regs->count; i++) {
        unsigned slot = (unsigned)(regs->first + i);
        pmpaddr_write(slot, regs->r.pmp[i].pmpaddr);
        cfg[slot / 4u] |= (uint32_t)regs->r.pmp[i].pmpcfg << (8u * (slot % 4u));
    }
    for (unsigned w = 0; w < 4u; w++) pmpcfg_write(w, cfg[w]);
    pmp_sync();
    return RTM_OK;
}

rtm_err rtm_rv_pmp_clear(unsigned first, unsigned n)
{
    if (first > RTM_RV_PMP_ENTRIES || n > RTM_RV_PMP_ENTRIES - first) return RTM_ERR_NO_SLOT;
    uint32_t cfg[4];
    rtm_err e = pmp_slots_off(first, n, cfg);
    if (e == RTM_OK) pmp_sync();
    return e;
}
