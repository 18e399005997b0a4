/* Private to port/cortex-m: System Control Space registers used by the port (ARMv6/7/8-M). */
#ifndef RTM_CM_REGS_H
#define RTM_CM_REGS_H

#include <stdint.h>

#define RTM_CM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#define CM_SYST_CSR RTM_CM_REG(0xE000E010u)
#define CM_SYST_RVR RTM_CM_REG(0xE000E014u)
#define CM_SYST_CVR RTM_CM_REG(0xE000E018u)
#define CM_ICSR RTM_CM_REG(0xE000ED04u)
#define CM_VTOR RTM_CM_REG(0xE000ED08u)
#define CM_AIRCR RTM_CM_REG(0xE000ED0Cu) /* PRIGROUP [10:8] */
#define CM_SHPR2 RTM_CM_REG(0xE000ED1Cu) /* SVCall priority [31:24] */
#define CM_SHPR3 RTM_CM_REG(0xE000ED20u) /* PendSV [23:16], SysTick [31:24] priorities */
#define CM_SHCSR RTM_CM_REG(0xE000ED24u)
#define CM_CFSR RTM_CM_REG(0xE000ED28u)
#define CM_HFSR RTM_CM_REG(0xE000ED2Cu)
#define CM_MMFAR RTM_CM_REG(0xE000ED34u)
#define CM_BFAR RTM_CM_REG(0xE000ED38u)
#define CM_CPACR RTM_CM_REG(0xE000ED88u)
#define CM_MPU_TYPE RTM_CM_REG(0xE000ED90u)
#define CM_MPU_CTRL RTM_CM_REG(0xE000ED94u)
#define CM_MPU_RNR RTM_CM_REG(0xE000ED98u)
#define CM_MPU_RBAR RTM_CM_REG(0xE000ED9Cu)
#define CM_MPU_RASR RTM_CM_REG(0xE000EDA0u) /* RLAR on PMSAv8 */
#define CM_MPU_MAIR0 RTM_CM_REG(0xE000EDC0u)
#define CM_MPU_MAIR1 RTM_CM_REG(0xE000EDC4u)

#define CM_ICSR_PENDSTSET (1u << 26)
#define CM_SHCSR_SYSTICKACT (1u << 11) /* ARMv7-M / ARMv8-M Mainline */
#define CM_SHCSR_MEMFAULTENA (1u << 16)
#define CM_SHCSR_BUSFAULTENA (1u << 17)
#define CM_SHCSR_USGFAULTENA (1u << 18)

/* CFSR bits (MMFSR 0-7, BFSR 8-15, UFSR 16-31) */
#define CM_CFSR_IACCVIOL (1u << 0)
#define CM_CFSR_DACCVIOL (1u << 1)
#define CM_CFSR_MUNSTKERR (1u << 3)
#define CM_CFSR_MSTKERR (1u << 4)
#define CM_CFSR_MLSPERR (1u << 5)
#define CM_CFSR_MMARVALID (1u << 7)
#define CM_CFSR_IBUSERR (1u << 8)
#define CM_CFSR_PRECISERR (1u << 9)
#define CM_CFSR_IMPRECISERR (1u << 10)
#define CM_CFSR_UNSTKERR (1u << 11)
#define CM_CFSR_STKERR (1u << 12)
#define CM_CFSR_LSPERR (1u << 13)
#define CM_CFSR_BFARVALID (1u << 15)
#define CM_CFSR_STKOF (1u << 20) /* ARMv8-M: stack limit violation */

static inline uint32_t cm_get_ipsr(void)
{
    uint32_t v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}
static inline uint32_t cm_get_control(void)
{
    uint32_t v;
    __asm volatile("mrs %0, control" : "=r"(v));
    return v;
}
static inline void cm_set_control(uint32_t v)
{
    __asm volatile("msr control, %0\n\tisb" : : "r"(v) : "memory");
}
static inline void cm_dsb_isb(void) { __asm volatile("dsb\n\tisb" : : : "memory"); }
static inline void cm_dmb(void) { __asm volatile("dmb" : : : "memory"); }

/* Shared between port_cortex_m.c and fault_cortex_m.c. */
struct rtm_cm_thread;
void cm_set_current(struct rtm_cm_thread *t);
uintptr_t rtm_cm_thread_id_priv(void); /* rtm_port_thread_id for privileged thread mode */
uint64_t rtm_cm_now_us_priv(void);     /* rtm_port_now_us for privileged code */

#endif /* RTM_CM_REGS_H */
