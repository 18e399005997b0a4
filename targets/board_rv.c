/* Board glue for QEMU riscv32 virt: semihosting console, exit through semihosting (test finisher
 * as fallback). The trap vector is set by start.S. */
#include "rtm_riscv.h"
#include "tgt.h"

#ifndef RTM_BOARD_NAME
#error "RTM_BOARD_NAME must name the board (set by targets/CMakeLists.txt)"
#endif

void board_init(void) {}

void board_puts(const char *s) { rtm_rv_semihost_write0(s); }

/* Machine timer of the virt board's CLINT: mtime at 0x0200BFF8, mtimecmp (hart 0) at 0x02004000. */
#define RV_MTIMECMP ((volatile uint32_t *)(uintptr_t)0x02004000u)
#define RV_MTIME ((volatile uint32_t *)(uintptr_t)RTM_RV_MTIME_ADDR)
#define RV_TICK_PERIOD (RTM_RV_MTIME_HZ / 20000u) /* 50 us */

static void (*volatile g_tick_fn)(void);

static void rv_timer_arm(void)
{
    uint32_t hi, lo;
    do {
        hi = RV_MTIME[1];
        lo = RV_MTIME[0];
    } while (RV_MTIME[1] != hi);
    uint64_t next = (((uint64_t)hi << 32) | lo) + RV_TICK_PERIOD;
    RV_MTIMECMP[1] = 0xFFFFFFFFu; /* no spurious match while the halves change */
    RV_MTIMECMP[0] = (uint32_t)next;
    RV_MTIMECMP[1] = (uint32_t)(next >> 32);
}

static void rv_timer_irq(uint32_t mcause)
{
    if ((mcause & 0xFFu) != 7u) return; /* machine timer only */
    rv_timer_arm();
    void (*fn)(void) = g_tick_fn;
    if (fn != NULL) fn();
}

void board_tick_start(void (*fn)(void))
{
    g_tick_fn = fn;
    (void)rtm_rv_set_interrupt_handler(rv_timer_irq);
    rv_timer_arm();
    __asm volatile("csrs mie, %0" : : "r"(1u << 7) : "memory"); /* MTIE */
    __asm volatile("csrsi mstatus, 8" : : : "memory");          /* MIE */
}

void board_tick_stop(void)
{
    __asm volatile("csrc mie, %0" : : "r"(1u << 7) : "memory");
    g_tick_fn = NULL;
}

void board_exit(int code) { rtm_rv_semihost_exit(code); }

const char *board_name(void) { return RTM_BOARD_NAME; }

#ifndef RTM_TARGET_PROTECTION
#define RTM_TARGET_PROTECTION 1
#endif

#if RTM_TARGET_PROTECTION
#include "board_prot.h"

extern uint32_t __code_start[], __code_end[];

rtm_mpu_arch board_mpu_arch(uint32_t sys) { return rtm_rv_pmp_arch(sys); }

size_t board_system_ranges(rtm_mpu_range *ranges, uint32_t *sys_slots)
{
    ranges[0].base = (uintptr_t)__code_start;
    ranges[0].size = (uintptr_t)__code_end - (uintptr_t)__code_start;
    /* U-mode reads and executes the image; M-mode is not restricted (no lock bit). */
    ranges[0].attr = RTM_PART_P_RW_U_RO;
    *sys_slots = 2; /* TOR from address 0x80000000 needs a base entry unless the size is a power of two */
    return 1;
}

rtm_err board_protection_on(const rtm_mpu_regs *sys) { return rtm_rv_pmp_load(sys); }

rtm_err board_slot_get(unsigned slot, uint32_t *w0, uint32_t *w1)
{
    uint8_t cfg = 0;
    rtm_err e = rtm_rv_pmp_get(slot, w0, &cfg);
    *w1 = cfg;
    return e;
}

void board_reset(void)
{
    *(volatile uint32_t *)(uintptr_t)0x00100000u = 0x7777u; /* sifive_test: reset */
    for (;;) {
    }
}

volatile uint32_t *board_privileged_ro_word(uint32_t *spare, size_t bytes)
{
    /* Clear the domain slots, then one locked NAPOT entry, read-only for every mode. The encoder
     * refuses locked entries outside the system set, and the system slots hold the code region, so
     * this one entry is written by hand: pmpaddr = base/4 | (size/8 - 1), cfg = L | NAPOT | R. */
    rtm_mpu_regs none;
    for (size_t i = 0; i < sizeof none; i++) ((unsigned char *)&none)[i] = 0;
    none.kind = RTM_MPU_RISCV_PMP;
    none.avail = RTM_RV_PMP_ENTRIES - 2u;
    (void)rtm_rv_pmp_load(&none);
    uint32_t addr = (uint32_t)((uintptr_t)spare >> 2) | (uint32_t)(bytes / 8u - 1u);
    __asm volatile("csrw pmpaddr0, %0" : : "r"(addr) : "memory");
    uint32_t cfg0;
    __asm volatile("csrr %0, pmpcfg0" : "=r"(cfg0));
    cfg0 = (cfg0 & ~0xFFu) | RTM_PMP_L | RTM_PMP_A_NAPOT | RTM_PMP_R;
    __asm volatile("csrw pmpcfg0, %0" : : "r"(cfg0) : "memory");
    return spare;
}

void (*board_make_return_stub(void *mem))(void)
{
    *(volatile uint16_t *)mem = 0x8082u; /* c.ret */
    __asm volatile(".4byte 0x0000100f" : : : "memory"); /* fence.i (Zifencei, not in -march) */
    return (void (*)(void))(uintptr_t)mem;
}
#endif

/* Instruction counting (tgt.h; bench_test.c). QEMU 7.2 derives minstret from virtual time, so under
 * -icount shift=7 it advances 128 per instruction (measured: a 5-instruction loop x 1000 = 640640):
 * divide by 2^7. */

uint32_t board_icount_start(void)
{
    uint32_t v;
    __asm volatile("csrr %0, minstret" : "=r"(v) : : "memory");
    return v;
}

uint32_t board_icount_read(uint32_t start)
{
    uint32_t v;
    __asm volatile("csrr %0, minstret" : "=r"(v) : : "memory");
    return (v - start + 64u) >> 7;
}
