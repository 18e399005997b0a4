/* Board glue for pc-i386 (qemu-system-i386 -kernel, multiboot): the instruction-count benchmark
 * of the 32-bit block layout (bench_workloads.c) where callgrind cannot run 32-bit programs. Console
 * on QEMU's debug port (0xE9, -debugcon), exit through isa-debug-exit (port 0xF4: QEMU exits with
 * status 2 * code + 1, which targets/qemu_debug_exit.sh turns back into code). Counting: under
 * -icount shift=S the time-stamp counter advances 2^S per instruction, and RDTSC is exact there
 * (QEMU ends the translation block at it). No interrupts are enabled. */
#include "rtmem/port.h"
#include "tgt.h"

#ifndef RTM_BOARD_NAME
#error "RTM_BOARD_NAME must name the board (set by targets/CMakeLists.txt)"
#endif
/* The -icount shift the board's QEMU command uses (targets/CMakeLists.txt: 7 for every board). */
#ifndef RTM_X86_ICOUNT_SHIFT
#define RTM_X86_ICOUNT_SHIFT 7
#endif

static inline void outb(uint16_t port, uint8_t v) { __asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory"); }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

void board_init(void) {}

void board_puts(const char *s)
{
    while (*s != '\0') outb(0xE9, (uint8_t)*s++);
}

void board_exit(int code)
{
    outb(0xF4, (uint8_t)(code & 0x7F));
    for (;;) __asm volatile("cli; hlt");
}

const char *board_name(void) { return RTM_BOARD_NAME; }

/* No timer interrupt on this board: the programs that need a tick are not built for it. */
void board_tick_start(void (*fn)(void)) { (void)fn; }
void board_tick_stop(void) {}

uint32_t board_icount_start(void) { return (uint32_t)(rdtsc() >> RTM_X86_ICOUNT_SHIFT); }

uint32_t board_icount_read(uint32_t start) { return (uint32_t)(rdtsc() >> RTM_X86_ICOUNT_SHIFT) - start; }

/* The critical section port/baremetal/sync_baremetal.c builds its lock on: interrupts off. */
rtm_port_key rtm_port_critical_enter(void)
{
    uint32_t flags;
    __asm volatile("pushf; pop %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

void rtm_port_critical_exit(rtm_port_key key)
{
    if (key & 0x200u) __asm volatile("sti" : : : "memory"); /* IF was set on entry */
}
