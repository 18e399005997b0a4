/*
 * Post-mortem fault records across a reset. The fault ring (src/fault.c) is placed in .noinit
 * (targets/common/rtm_target_config.h): no loadable segment covers it and start-up does not zero it.
 *
 * First boot (a boot marker in .noinit is not set): an unprivileged thread writes outside its
 * domain, the fault is recorded and the thread aborted; the firmware notes what it expects, sets the
 * marker and resets the whole system (Cortex-M: AIRCR.SYSRESETREQ; RISC-V: the virt test device).
 * Second boot: the record must still be in the ring, checksum intact, with the same address, access,
 * partition and action. A power-up ring of garbage would read as empty (fault.c's checksum), and
 * QEMU starts with zeroed RAM, so a first boot is always recognised.
 */
#include "board_prot.h"
#include "tgt.h"

#define BOOT_MAGIC 0x5EB00700u

typedef struct {
    uint32_t magic;
    uint32_t resets;
    uintptr_t addr;
    uintptr_t part_start;
    uint32_t seq;
} boot_note;

static boot_note g_note __attribute__((section(".noinit")));

static uint32_t g_part_own[256] __attribute__((section(".partitions.pm_own"), aligned(1024)));
static uint32_t g_part_other[64] __attribute__((section(".partitions.pm_other"), aligned(256)));

static rtm_domain g_dom_own, g_dom_other;
static board_thread g_thread;

static int th_write_other(void *arg)
{
    volatile uint32_t *p = arg;
    *p = 0xDEADu;
    return 1;
}

static void first_boot(void)
{
    rtm_mpu_arch arch;
    static rtm_mpu_regs regs;
    TGT_REQUIRE(board_system_plan(&arch, &regs) == RTM_OK);
    static RTM_PARTITION_DEFINE(own, g_part_own, sizeof g_part_own, RTM_PART_P_RW_U_RW | RTM_PART_XN);
    static RTM_PARTITION_DEFINE(other, g_part_other, sizeof g_part_other, RTM_PART_P_RW_U_RW | RTM_PART_XN);
    const rtm_partition *po[] = {&own};
    const rtm_partition *pt[] = {&other};
    TGT_REQUIRE(rtm_domain_init(&g_dom_own, &arch, po, 1, NULL) == RTM_OK);
    TGT_REQUIRE(rtm_domain_init(&g_dom_other, &arch, pt, 1, NULL) == RTM_OK);
    TGT_REQUIRE(board_thread_init(&g_thread, th_write_other, (void *)&g_part_other[5],
                                  (unsigned char *)g_part_own + 512, 512) == RTM_OK);
    TGT_REQUIRE(rtm_domain_add_thread(&g_dom_own, (uintptr_t)&g_thread) == RTM_OK);
    TGT_REQUIRE(board_protection_on(&regs) == RTM_OK);
    rtm_fault_clear();
    TGT_CHECK(board_thread_run(&g_thread) == RTM_ERR_ACCESS);
    rtm_fault_record r;
    TGT_REQUIRE(rtm_fault_get(0, &r) == RTM_OK);
    TGT_CHECK(r.addr == (uintptr_t)&g_part_other[5] && r.part_domain == &g_dom_other);
    g_note.addr = r.addr;
    g_note.part_start = r.partition.start;
    g_note.seq = r.seq;
}

static void second_boot(void)
{
    rtm_fault_record r;
    TGT_CHECK(rtm_fault_count() == 1);
    TGT_REQUIRE(rtm_fault_get(0, &r) == RTM_OK);
    TGT_CHECK(rtm_fault_get(1, &r) == RTM_ERR_SIZE || r.seq != g_note.seq);
    TGT_REQUIRE(rtm_fault_get(0, &r) == RTM_OK);
    TGT_CHECK(r.addr == g_note.addr && r.addr == (uintptr_t)&g_part_other[5]);
    TGT_CHECK(r.partition.start == g_note.part_start && r.partition.size == sizeof g_part_other);
    TGT_CHECK(r.seq == g_note.seq && r.access == RTM_ACCESS_WRITE && r.action == RTM_FAULT_ABORT_THREAD);
    TGT_CHECK(r.thread == (uintptr_t)&g_thread); /* same image, same address */
}

int main(void)
{
    board_init();
    if (g_note.magic != BOOT_MAGIC) {
        tgt_case_begin("postmortem.before_reset");
        first_boot();
        bool ok = tgt_case_failures() == 0;
        tgt_case_end();
        if (!ok) return tgt_summary();
        g_note.magic = BOOT_MAGIC;
        g_note.resets = 1;
        tgt_puts("  resetting the system\n");
        tgt_flush();
        board_reset();
    }
    g_note.magic = 0;
    tgt_case_begin("postmortem.after_reset");
    TGT_CHECK(g_note.resets == 1);
    second_boot();
    tgt_case_end();
    return tgt_summary();
}
