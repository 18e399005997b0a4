/*
 * mpu_plan: one set of memory partitions planned for three protection units (ARMv7-M MPU, ARMv8-M
 * MPU, RISC-V PMP) through a domain per unit, with the register values each would load at a
 * context switch; a software access check (the system-call test) that passes for the domain's own
 * buffer and fails for a partition another domain holds; and a partition the ARMv8-M MPU cannot
 * express, refused with the rule it breaks. Pure computation: no register is written, so it runs
 * on the host. Host build: prints with stdio; on a target, replace printf.
 */
#include <inttypes.h>
#include <stdio.h>

#include "rtmem/domain.h"
#include "rtmem/mpu.h"

/* An MCU with SRAM at 0x20000000 and a UART at 0x40004000; addresses as the linker would place them. */
static RTM_PARTITION_DEFINE(app_data, 0x20000000u, 33 * 1024, RTM_PART_P_RW_U_RW | RTM_PART_XN);
static RTM_PARTITION_DEFINE(app_stack, 0x20010000u, 4 * 1024, RTM_PART_P_RW_U_RW | RTM_PART_XN);
static RTM_PARTITION_DEFINE(uart, 0x40004000u, 1024, RTM_PART_P_RW_U_RW | RTM_PART_XN | RTM_PART_DEVICE);
static RTM_PARTITION_DEFINE(keys, 0x20020000u, 1024, RTM_PART_P_RW_U_RW | RTM_PART_XN); /* crypto's */
static const rtm_partition *const app_parts[] = {&app_data, &app_stack, &uart};
static const char *const names[] = {"app_data", "app_stack", "uart"};

/* 8 MPU regions (2 for the kernel's system regions), 16 PMP entries (2 for the system). */
static const rtm_mpu_arch arch[] = {RTM_MPU_ARCH_ARMV7M(8, 2), RTM_MPU_ARCH_ARMV8M(8, 2),
                                    RTM_MPU_ARCH_RISCV_PMP(16, 2)};
static const char *const arch_name[] = {"ARMv7-M", "ARMv8-M", "RISC-V PMP"};

/* Static, as firmware keeps them (a domain on the stack works too: rtm_domain_init does not read
 * an object it has not initialised). */
static rtm_domain app[3], crypto;

/* Prints each slot with the range it grants; non-zero if a slot does not decode. */
static int print_regs(const rtm_mpu_regs *g)
{
    int bad = 0;
    for (uint32_t i = 0; i < g->count; i++) {
        uint64_t base = 0, size = 0;
        bool on = false;
        bad |= rtm_mpu_decode(g, i, &base, &size, &on) != RTM_OK;
        unsigned slot = (unsigned)(g->first + i);
        if (g->kind == RTM_MPU_ARMV7M)
            printf("  region %u RBAR 0x%08" PRIx32 " RASR 0x%08" PRIx32, slot, g->r.v7m[i].rbar, g->r.v7m[i].rasr);
        else if (g->kind == RTM_MPU_ARMV8M)
            printf("  region %u RBAR 0x%08" PRIx32 " RLAR 0x%08" PRIx32, slot, g->r.v8m[i].rbar, g->r.v8m[i].rlar);
        else
            printf("  pmp%-2u pmpaddr 0x%08" PRIx32 " cfg 0x%02x", slot, g->r.pmp[i].pmpaddr, g->r.pmp[i].pmpcfg);
        if (on)
            printf("  %-9s 0x%08" PRIx64 "..0x%08" PRIx64 "\n", names[g->owner[i]], base, base + size - 1u);
        else
            printf("  (off: base of the next TOR entry)\n");
    }
    return bad;
}

static unsigned reports;
static void on_error(rtm_err code, const void *object, const void *ptr)
{
    (void)code, (void)object, (void)ptr;
    reports++;
}

int main(void)
{
    int bad = 0;
    rtm_set_error_hook(on_error);
    rtm_domain_diag diag;
    for (int k = 0; k < 3; k++) {
        if (rtm_domain_init(&app[k], &arch[k], app_parts, 3, &diag) != RTM_OK) {
            printf("%s: %s\n", arch_name[k], diag.rule);
            return 1;
        }
        const rtm_mpu_regs *g = rtm_domain_regs(&app[k]); /* what the port copies at a switch */
        printf("%s: %" PRIu32 " slots from %" PRIu32 ", %" PRIu64 " bytes granted beyond the partitions",
               arch_name[k], g->count, g->first, g->wasted);
        if (g->kind == RTM_MPU_ARMV8M) printf(", MAIR0 0x%08" PRIx32, g->mair0);
        printf("\n");
        bad |= print_regs(g);
        static const uint32_t slots[] = {4, 3, 4}; /* v7-M splits 33 KiB as 32 + 1; PMP: a TOR pair */
        bad |= g->count != slots[k] || g->wasted != 0 || rtm_domain_verify(&app[k]) != RTM_OK;
    }

    /* The key store belongs to another domain; the app's domain does not hold it. */
    const rtm_partition *const crypto_parts[] = {&keys};
    if (rtm_domain_init(&crypto, &arch[1], crypto_parts, 1, NULL) != RTM_OK) return 1;

    /* A system call handing a buffer to the kernel checks it against the caller's domain. */
    rtm_err own = rtm_domain_check(&app[1], app_data.start + 100, 64, RTM_ACCESS_WRITE);
    rtm_err other = rtm_domain_check(&app[1], keys.start, 32, RTM_ACCESS_READ);
    rtm_domain *holder = NULL;
    rtm_domain_find(NULL, keys.start, &holder, NULL);
    printf("check app_data+100 write: %s; keys read: %s (held by %s)\n", rtm_err_str(own),
           rtm_err_str(other), holder == &crypto ? "crypto" : "?");
    bad |= own != RTM_OK || other != RTM_ERR_ACCESS || holder != &crypto;

    /* ARMv8-M has no "privileged RW, unprivileged RO": refused, domain unchanged, rule named. */
    RTM_PARTITION_DEFINE(log_ro, 0x20030000u, 2048, RTM_PART_P_RW_U_RO | RTM_PART_XN);
    rtm_err e = rtm_domain_add_partition(&app[1], &log_ro, &diag);
    printf("ARMv8-M add log_ro: %s: %s\n", rtm_err_str(e), diag.rule);
    bad |= e != RTM_ERR_UNSUPPORTED || reports != 1 || rtm_domain_partition_count(&app[1]) != 3;
    bad |= rtm_domain_add_partition(&app[0], &log_ro, NULL) != RTM_OK; /* ARMv7-M can: AP 010 */

    rtm_domain_deinit(&crypto);
    for (int k = 0; k < 3; k++) rtm_domain_deinit(&app[k]);
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad;
}
