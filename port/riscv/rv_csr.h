/* Private to port/riscv: CSR access and shared internals. */
#ifndef RTM_RV_CSR_H
#define RTM_RV_CSR_H

#include <stdbool.h>
#include <stdint.h>

#define RV_CSR_READ(name)                                       \
    ({                                                          \
        uint32_t v_;                                            \
        __asm volatile("csrr %0, " #name : "=r"(v_));           \
        v_;                                                     \
    })
#define RV_CSR_WRITE(name, v) __asm volatile("csrw " #name ", %0" : : "r"((uint32_t)(v)) : "memory")

#define RV_MSTATUS_MIE 0x8u
#define RV_MSTATUS_MPP 0x1800u

static inline uintptr_t rv_get_tp(void)
{
    uintptr_t v;
    __asm volatile("mv %0, tp" : "=r"(v));
    return v;
}

struct rtm_rv_thread;
void rv_set_current(struct rtm_rv_thread *t);
uint64_t rv_now_us_mmode(void);
extern const uint32_t rtm_rv_main_token;
bool rv_irq_dispatch(uint32_t mcause); /* calls the installed interrupt handler; false if none */

#endif /* RTM_RV_CSR_H */
