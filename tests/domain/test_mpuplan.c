/*
 * Plan files: parsing (numbers, suffixes, comments, every error with its line), planning errors
 * that name the offending line, and the printed report. The example plans of tests/domain/plans
 * are planned for their architecture and spot-checked against hand-derived register values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mpuplan.h"
#include "rtm_test.h"

static rtm_plan g_plan;
static rtm_plan_result g_res;
static const char *g_dir = "tests/domain/plans";

static int parse(const char *text, rtm_plan_error *err) { return rtm_plan_parse(text, strlen(text), &g_plan, err); }

/* What rtm_plan_print writes for g_plan and g_res (malloc'd, the caller frees it). */
static char *printed_report(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rtm_plan_print(f, &g_plan, &g_res);
    fclose(f);
    return buf;
}

static void expect_error(const char *text, int line, const char *needle)
{
    rtm_plan_error err;
    int rc = parse(text, &err);
    if (rc == 0) rc = rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err);
    if (rc == 0 || err.line != line || !strstr(err.msg, needle))
        print_error("input:\n%s\ngot rc %d line %d '%s', want line %d '%s'\n", text, rc, err.line, err.msg, line, needle);
    assert_int_equal(rc, -1);
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.msg, needle));
    assert_null(strchr(err.msg, '\n'));
}

static void parse_ok(void **state)
{
    (void)state;
    rtm_plan_error err;
    const char *t = "# comment\n"
                    "\n"
                    "regions 0x8   # trailing comment\n"
                    "system bg 0 4G P_RW_U_NA xn\n"
                    "partition a 0x20000000 33K p_rw_u_rw XN\n"
                    "partition b 0x20010000 1024 P_RO_U_RO\n"
                    "\tpartition\tc 0x40000000 1M P_RW_U_NA device xn\r\n"
                    "domain d a b c\n";
    assert_int_equal(parse(t, &err), 0);
    assert_int_equal(g_plan.regions, 8);
    assert_int_equal(g_plan.nsys, 1);
    assert_int_equal(g_plan.sys[0].r.size, 1ull << 32);
    assert_int_equal(g_plan.nparts, 3);
    assert_int_equal(g_plan.parts[0].r.size, 33 * 1024);
    assert_int_equal(g_plan.parts[0].r.attr, RTM_PART_P_RW_U_RW | RTM_PART_XN);
    assert_int_equal(g_plan.parts[2].r.attr, RTM_PART_P_RW_U_NA | RTM_PART_XN | RTM_PART_DEVICE);
    assert_int_equal(g_plan.parts[2].line, 7);
    assert_int_equal(g_plan.ndoms, 1);
    assert_int_equal(g_plan.doms[0].n, 3);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.arch.sys_regions, 1);
    assert_int_equal(g_res.dom[0].count, 4); /* a needs 2 (32K + 1K exact), b 1, c 1 */
    assert_int_equal(g_res.dom[0].wasted, 0);
    /* report */
    char *buf = printed_report();
    assert_non_null(strstr(buf, "domain d: 4 of 7 regions, 0 bytes wasted"));
    assert_non_null(strstr(buf, "RBAR=0x20000011 RASR=0x130B001D"));
    /* each range's line: name, base, size, permission and flags (mutation testing: none was checked) */
    assert_non_null(strstr(buf, "\n  bg               0x00000000 +0x100000000 P_RW_U_NA xn\n  slot  0  bg "));
    assert_non_null(strstr(buf, "\n  a                0x20000000 +0x8400 P_RW_U_RW xn\n"
                                "  b                0x20010000 +0x400 P_RO_U_RO\n"
                                "  c                0x40000000 +0x100000 P_RW_U_NA xn device\n  slot  1  a "));
    free(buf);
    /* numbers and names with every digit and hex letter, "0X" too (mutation testing: no number
     * had a 9 or a lowercase hex letter) */
    assert_int_equal(parse("partition p0123456789 0X2000A000 0x9f0 P_RW_U_RW\n"
                           "partition q 0xabcdef00 0x100 P_RW_U_RW\n"
                           "partition r 0xABCDEF00 0x100 P_RW_U_RW\n"
                           "partition s 987654320 16 P_RW_U_RW\n"
                           "domain d p0123456789\n",
                           &err),
                     0);
    assert_string_equal(g_plan.parts[0].name, "p0123456789");
    assert_int_equal(g_plan.parts[0].r.base, 0x2000A000u);
    assert_int_equal(g_plan.parts[0].r.size, 0x9F0u);
    assert_int_equal(g_plan.parts[1].r.base, 0xABCDEF00u);
    assert_int_equal(g_plan.parts[2].r.base, 0xABCDEF00u);
    assert_int_equal(g_plan.parts[3].r.base, 987654320u);
}

static void syntax_errors(void **state)
{
    (void)state;
    expect_error("partition a 0x20000000 1K P_RW_U_XX\n", 1, "partition a: unknown permission 'P_RW_U_XX'");
    /* the messages name the range and the word (mutation testing: only their ends were checked) */
    expect_error("\n\npartition a 0x2000000G 1K P_RW_U_RW\n", 3, "partition a: bad base '0x2000000G'");
    expect_error("partition a 0x20000000 1Q P_RW_U_RW\n", 1, "partition a: bad size '1Q'");
    expect_error("system a 0x20000000 0 P_RW_U_RW\n", 1, "system a: size must not be 0");
    expect_error("partition a 0xFFFFFF00 1K P_RW_U_RW\n", 1, "partition a: range ends beyond the 32-bit address space");
    /* a base past 4 GiB (the space left, 2^32 - base, wraps there) */
    expect_error("partition a 0x100001000 1K P_RW_U_RW\n", 1, "partition a: range ends beyond the 32-bit address space");
    expect_error("partition a 0x20000000 99999999999999999999 P_RW_U_RW\n", 1, "bad size");
    expect_error("partition a 0xK 1K P_RW_U_RW\n", 1, "partition a: bad base '0xK'"); /* no digit */
    expect_error("partition a K 1K P_RW_U_RW\n", 1, "partition a: bad base 'K'");
    expect_error("partition a 0x20000000 1K P_RW_U_RW locked\n", 1, "partition a: unknown flag 'locked'");
    /* a size far past 4 GiB is a range past the address space, not a bad number */
    expect_error("partition a 0 4096G P_RW_U_RW\n", 1, "partition a: range ends beyond the 32-bit address space");
    /* names: a letter or '_' first, then letters, digits, '_', '-', '.'; nothing else */
    {
        rtm_plan_error e2;
        assert_int_equal(parse("partition _xAZaz09_-. 0x20000000 1K P_RW_U_RW\ndomain Zz.-_9 _xAZaz09_-.\n", &e2), 0);
        assert_string_equal(g_plan.parts[0].name, "_xAZaz09_-.");
        assert_string_equal(g_plan.doms[0].name, "Zz.-_9");
    }
    expect_error("partition a$b 0x20000000 1K P_RW_U_RW\n", 1, "partition: bad name 'a$b'");
    expect_error("partition a/b 0x20000000 1K P_RW_U_RW\n", 1, "partition: bad name 'a/b'");
    expect_error("partition 9a 0x20000000 1K P_RW_U_RW\n", 1, "partition: bad name '9a'");
    /* names: 31 characters, not 32 */
    expect_error("partition aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0x20000000 1K P_RW_U_RW\n", 1,
                 "partition: bad name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
    /* a domain of RTM_PLAN_MAX_DOMAIN_PARTS partitions; one more is refused as such, and so are
     * two more (they said "too many words on one line", the tokenizer's limit) */
    {
        char text[4096];
        size_t n = 0;
        for (int i = 0; i < RTM_PLAN_MAX_DOMAIN_PARTS + 2; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "partition p%d 0x%x 32 P_RW_U_RW\n", i, 0x20000000 + 64 * i);
        size_t parts_end = n;
        for (int extra = 0; extra < 3; extra++) {
            n = parts_end;
            n += (size_t)snprintf(text + n, sizeof text - n, "domain d");
            for (int i = 0; i < RTM_PLAN_MAX_DOMAIN_PARTS + extra; i++) n += (size_t)snprintf(text + n, sizeof text - n, " p%d", i);
            snprintf(text + n, sizeof text - n, "\n");
            rtm_plan_error e2;
            int rc = parse(text, &e2);
            if (extra == 0) {
                assert_int_equal(rc, 0);
                assert_int_equal(g_plan.doms[0].n, RTM_PLAN_MAX_DOMAIN_PARTS);
                continue;
            }
            char want[64];
            snprintf(want, sizeof want, "domain d: more than %d partitions", RTM_PLAN_MAX_DOMAIN_PARTS);
            expect_error(text, RTM_PLAN_MAX_DOMAIN_PARTS + 3, want);
        }
    }
    { /* any other line that long: its words are more than any keyword takes */
        char text[1024];
        size_t n = (size_t)snprintf(text, sizeof text, "partition a 0x20000000 1K P_RW_U_RW");
        for (int i = 0; i < RTM_PLAN_MAX_DOMAIN_PARTS; i++) n += (size_t)snprintf(text + n, sizeof text - n, " xn");
        snprintf(text + n, sizeof text - n, "\n");
        expect_error(text, 1, "too many words on one line");
    }
    expect_error("partition a 0x20000000 1K\n", 1, "expected NAME BASE SIZE PERM");
    expect_error("partition a 0x20000000 1K P_RW_U_RW\npartition a 0x20001000 1K P_RW_U_RW\n", 2, "name 'a' already used on line 1");
    expect_error("partition a 0x20000000 1K P_RW_U_RW\ndomain a a\n", 2, "name 'a' already used on line 1");
    expect_error("partition a 0x20000000 1K P_RW_U_RW\ndomain d a b\n", 2, "no partition named 'b'");
    expect_error("partition a 0x20000000 1K P_RW_U_RW\ndomain d a a\n", 2, "listed twice");
    expect_error("domain\n", 1, "expected NAME");
    expect_error("partition a 0x20000000 1K P_RW_U_RW\ndomain d\n", 2, "expected NAME PARTITION"); /* review finding */
    rtm_plan_error err;
    expect_error("regions 0\n", 1, "regions: expected a count");
    char above[32]; /* "regions 17": one above RTM_MPU_MAX_REGIONS */
    snprintf(above, sizeof above, "regions %d\n", RTM_MPU_MAX_REGIONS + 1);
    expect_error(above, 1, "regions: expected a count");
    snprintf(above, sizeof above, "regions %d\n", RTM_MPU_MAX_REGIONS);
    assert_int_equal(parse(above, &err), -1); /* accepted; the plan then has nothing in it */
    assert_non_null(strstr(err.msg, "no system region and no domain"));
    expect_error("regions 8\nregions 8\n", 2, "already given on line 1");
    expect_error("frobnicate 1 2 3\n", 1, "unknown keyword 'frobnicate'");
    expect_error("# nothing\n", 1, "no system region and no domain");
    expect_error("", 1, "no system region and no domain");
    char longline[700];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    expect_error(longline, 1, "longer than");
    /* binary or damaged input: refused at the first control byte, which is never echoed */
    expect_error("regions 8\n\x1b[31mfoo\n", 2, "control byte 0x1b at column 1");
    expect_error("regions\x7f 8\n", 1, "control byte 0x7f at column 8");
    expect_error("# tabs\tand a CR are text\r\nregions\t8\r\n", 2, "no system region and no domain");
    const char nul[] = "regions 8\nsys\0tem\n";
    assert_int_equal(rtm_plan_parse(nul, sizeof nul - 1, &g_plan, &err), -1);
    assert_int_equal(err.line, 2);
    assert_int_equal(rtm_plan_parse(NULL, 3, &g_plan, &err), -1);
    assert_int_equal(err.line, 0); /* no line applies */
    assert_string_equal(err.msg, "no input");
    /* a parse that succeeds clears the error; the error may be NULL */
    err.line = 7;
    strcpy(err.msg, "old");
    assert_int_equal(parse("partition a 0x20000000 1K P_RW_U_RW\ndomain d a\n", &err), 0);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "");
    assert_int_equal(parse("partition a 0x20000000 1K P_RW_U_RW\ndomain d a\n", NULL), 0);
    assert_int_equal(parse("partition a 0x20000000 1K\n", NULL), -1);
    /* RTM_PLAN_MAX_PARTS partitions, not one more; a name is looked up among exactly those (a
     * system region named after a domain: the domain's line) */
    {
        char *text = malloc(100u * (RTM_PLAN_MAX_PARTS + 4));
        assert_non_null(text);
        size_t n = 0;
        for (int i = 0; i < RTM_PLAN_MAX_PARTS; i++)
            n += (size_t)sprintf(text + n, "partition p%d 0x%x 32 P_RW_U_RW\n", i, 0x20000000 + 64 * i);
        n += (size_t)sprintf(text + n, "domain d p0\n");
        size_t base = n;
        sprintf(text + n, "system d 0 4K P_RW_U_NA\n");
        char want[64];
        snprintf(want, sizeof want, "name 'd' already used on line %d", RTM_PLAN_MAX_PARTS + 1);
        expect_error(text, RTM_PLAN_MAX_PARTS + 2, want);
        sprintf(text + base, "partition q 0x30000000 32 P_RW_U_RW\n");
        snprintf(want, sizeof want, "more than %d partitions", RTM_PLAN_MAX_PARTS);
        expect_error(text, RTM_PLAN_MAX_PARTS + 2, want);
        text[base] = 0;
        assert_int_equal(parse(text, &err), 0);
        assert_int_equal(g_plan.nparts, RTM_PLAN_MAX_PARTS);
        free(text);
    }
}

static void planning_errors_name_lines(void **state)
{
    (void)state;
    /* overlap inside a domain: the later partition's line, naming the other */
    expect_error("partition a 0x20000000 4K P_RW_U_RW\n"
                 "partition b 0x20000800 4K P_RW_U_RW\n"
                 "domain d a b\n",
                 2, "partition b overlaps partition a (line 1)");
    /* alignment */
    expect_error("partition a 0x20000010 4K P_RW_U_RW\ndomain d a\n", 1, "multiples of 32");
    /* slots: 8 regions, 2 system, 7 partitions of 1 region each */
    expect_error("system bg 0 4G P_RW_U_NA\n"
                 "system fl 0 1M P_RO_U_RO\n"
                 "partition p0 0x20000000 1K P_RW_U_RW\n"
                 "partition p1 0x20001000 1K P_RW_U_RW\n"
                 "partition p2 0x20002000 1K P_RW_U_RW\n"
                 "partition p3 0x20003000 1K P_RW_U_RW\n"
                 "partition p4 0x20004000 1K P_RW_U_RW\n"
                 "partition p5 0x20005000 1K P_RW_U_RW\n"
                 "partition p6 0x20006000 1K P_RW_U_RW\n"
                 "domain d p0 p1 p2 p3 p4 p5 p6\n",
                 10, "partition p6 (line 9) does not fit");
    /* system regions that do not fit at all */
    expect_error("regions 1\nsystem bg 0 4G P_RW_U_NA\n", 2, "system regions need more than 0 slots");
    /* more system regions than slots before any is planned: the last system line (mutation
     * testing: every such test had one system region, whose line is the first too) */
    expect_error("regions 2\nsystem a 0x20000000 0x100 P_RW_U_NA\nsystem b 0x20000100 0x3F00 P_RW_U_RW\n", 3,
                 "system regions need more than 1 slots (2 exist, one is kept for domains)");
    /* ... and when a cover that fits would grant another system region's bytes, the first one
     * (index 0) is named */
    expect_error("regions 3\nsystem a 0x20000000 0x100 P_RW_U_NA\nsystem b 0x20000100 0x3F00 P_RW_U_RW\n", 3,
                 "system regions need more than 2 slots (3 exist, one is kept for domains): system b does not fit "
                 "without granting bytes of system a (line 2)");
    {
        rtm_plan_error e2;
        assert_int_equal(parse("regions 2\nsystem a 0x20000000 0x100 P_RW_U_NA\nsystem b 0x20000100 0x3F00 P_RW_U_RW\n",
                               &e2), 0);
        assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &e2), -1);
        assert_null(strstr(e2.msg, "granting"));
    }
    /* arch-specific rules, planned for other architectures */
    rtm_plan_error err;
    assert_int_equal(parse("partition a 0x20000000 4K P_RW_U_RO\ndomain d a\n", &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV8M, &g_res, &err), -1);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "armv8m"));
    assert_int_equal(parse("system k 0x20000000 64K P_RW_U_NA\npartition a 0x20008000 4K P_RW_U_RW\ndomain d a\n", &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0); /* v7-M: priority */
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV8M, &g_res, &err), -1);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "overlaps system k (line 1)"));
    assert_int_equal(parse("system f 0x80000000 64K P_RO_U_RO\n", &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_RISCV_PMP, &g_res, &err), -1);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "locked"));
    assert_memory_equal(err.msg, "system f: ", 10); /* the first system region is named, not "?" */
    /* an architecture the planner refuses (ARMv7-M regions of at least 2^7 B: no such MPU) is
     * reported on the first system line, the set's first (mutation testing: never tested) */
    {
        rtm_mpu_arch bad = {RTM_MPU_ARMV7M, 0u, 0u, 0u, 7u};
        assert_int_equal(parse("system a 0x20000000 256 P_RW_U_NA\nsystem b 0x20001000 256 P_RW_U_NA\n", &err), 0);
        assert_int_equal(rtm_plan_compute_arch(&g_plan, &bad, &g_res, &err), -1);
        assert_int_equal(err.line, 1);
        assert_string_equal(err.msg, "invalid architecture description"); /* no "system ?: " before it */
    }
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_NONE, &g_res, &err), -1);
    assert_int_equal(rtm_plan_arch("armv8m"), RTM_MPU_ARMV8M);
    assert_int_equal(rtm_plan_arch("x86"), RTM_MPU_NONE);
}

/* RTM_PLAN_MAX_DOMAINS domains are planned, with a partition in none of them; one more domain is
 * refused on its line (mutation testing: no plan had more than two domains; a loop over one domain
 * too many read past the plan's last, seen under ASan). */
static void most_domains(void **state)
{
    (void)state;
    char text[4096];
    size_t n = 0;
    for (int i = 0; i <= RTM_PLAN_MAX_DOMAINS + 1; i++) /* the last one in no domain */
        n += (size_t)snprintf(text + n, sizeof text - n, "partition p%d 0x%x 32 P_RW_U_RW\n", i, 0x20000000 + 64 * i);
    for (int i = 0; i < RTM_PLAN_MAX_DOMAINS; i++) n += (size_t)snprintf(text + n, sizeof text - n, "domain d%d p%d p%d\n", i, i, i + 1);
    rtm_plan_error err;
    assert_int_equal(parse(text, &err), 0);
    assert_int_equal(g_plan.ndoms, RTM_PLAN_MAX_DOMAINS);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    for (int i = 0; i < RTM_PLAN_MAX_DOMAINS; i++) assert_int_equal(g_res.dom[i].count, 2);
    char *buf = printed_report();
    char want[80];
    snprintf(want, sizeof want, "\nnote: partition p%d (line %d) is in no domain", RTM_PLAN_MAX_DOMAINS + 1,
             RTM_PLAN_MAX_DOMAINS + 2);
    assert_non_null(strstr(buf, want));
    assert_int_equal(strstr(buf, "note: partition") - buf, strstr(buf, want) + 1 - buf); /* the only one */
    free(buf);
    snprintf(text + n, sizeof text - n, "domain extra p0\n");
    snprintf(want, sizeof want, "more than %d domains", RTM_PLAN_MAX_DOMAINS);
    expect_error(text, RTM_PLAN_MAX_DOMAINS + 2 + RTM_PLAN_MAX_DOMAINS + 1, want);
}

/* Without a `regions` line: 8 slots on ARM, 16 on PMP, never more than RTM_MPU_MAX_REGIONS (the
 * planner refuses more: at RTM_MPU_MAX_REGIONS=8 every PMP plan without the line once failed). */
static void default_regions(void **state)
{
    (void)state;
    rtm_plan_error err;
    const uint32_t pmp = RTM_MPU_MAX_REGIONS < 16 ? RTM_MPU_MAX_REGIONS : 16;
    const uint32_t arm = RTM_MPU_MAX_REGIONS < 8 ? RTM_MPU_MAX_REGIONS : 8;
    assert_int_equal(parse("system f 0x80000000 64K P_RO_U_RO locked\n"
                           "partition a 0x80020000 4K P_RW_U_RW xn\n"
                           "domain d a\n",
                           &err),
                     0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_RISCV_PMP, &g_res, &err), 0);
    assert_int_equal(g_res.arch.regions, pmp);
    assert_int_equal(g_res.sys.first, pmp - 1);
    assert_int_equal(g_res.dom[0].count, 1);
    /* the packed pmpcfg words, one per 4 entries, of the domain (its entry 0: R|W|NAPOT = 0x1B) and
     * of the system regions (entry pmp - 1: L|NAPOT|X|R = 0x9D, the last word's top byte); ARM
     * reports have none (mutation testing: the words were never checked) */
    {
        char *buf = printed_report();
        char want[256];
        size_t n = (size_t)snprintf(want, sizeof want, "\n  pmpcfg words (this domain's bytes only): pmpcfg0=0x0000001B");
        for (uint32_t j = 1; j < (pmp + 3) / 4; j++) n += (size_t)snprintf(want + n, sizeof want - n, " pmpcfg%u=0x00000000", (unsigned)j);
        snprintf(want + n, sizeof want - n, "\n");
        if (!strstr(buf, want)) fail_msg("report lacks '%s':\n%s", want, buf);
        n = (size_t)snprintf(want, sizeof want, "\nsystem pmpcfg words:");
        for (uint32_t j = 0; j + 1 < (pmp + 3) / 4; j++) n += (size_t)snprintf(want + n, sizeof want - n, " pmpcfg%u=0x00000000", (unsigned)j);
        snprintf(want + n, sizeof want - n, " pmpcfg%u=0x9D000000\n", (unsigned)((pmp + 3) / 4 - 1));
        if (!strstr(buf, want)) fail_msg("report lacks '%s':\n%s", want, buf);
        free(buf);
    }
    /* min_log2 0 stands for the build's RTM_MPU_V7M_MIN_LOG2: the report names that architecture */
    {
        rtm_mpu_arch a = {RTM_MPU_ARMV7M, 0u, 0u, 0u, 0u};
        assert_int_equal(rtm_plan_compute_arch(&g_plan, &a, &g_res, &err), 0);
        char *buf = printed_report();
        const char *want = RTM_MPU_V7M_MIN_LOG2 == RTM_MPU_V6M_MIN_LOG2 ? "arch armv6m: " : "arch armv7m: ";
        if (strncmp(buf, want, strlen(want))) fail_msg("report starts '%.40s', want '%s'", buf, want);
        assert_null(strstr(buf, "pmpcfg"));
        free(buf);
    }
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.arch.regions, arm);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV8M, &g_res, &err), 0);
    assert_int_equal(g_res.arch.regions, arm);
}

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    static char buf[8192];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void example_plans(void **state)
{
    (void)state;
    rtm_plan_error err;
    size_t len;
    char *t = slurp("example.plan", &len);
    assert_int_equal(rtm_plan_parse(t, len, &g_plan, &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.arch.sys_regions, 3);
    /* app: app_data split 32K + 1K (5 slots free, nothing wasted) */
    assert_int_equal(g_res.dom[0].count, 4);
    assert_int_equal(g_res.dom[0].wasted, 0);
    assert_int_equal(g_res.dom[0].r.v7m[0].rasr, 0x130B001Du);
    /* flash 256K RO/RO executable: SIZE = 17 -> 0x22 | EN; AP 110 -> 0x060B0023 */
    assert_int_equal(g_res.sys.r.v7m[1].rasr, 0x060B0023u);
    /* periph 512M device P:RW U:NA XN: SIZE 28 -> 0x38|1, 0x10000000|0x01000000|0x00050000 */
    assert_int_equal(g_res.sys.r.v7m[2].rasr, 0x11050039u);
    t = slurp("example-v8m.plan", &len);
#if RTM_MPU_MAX_REGIONS >= 16 /* the v8m and PMP examples say `regions 16` (test_mpuplan_regions8: 8) */
    assert_int_equal(rtm_plan_parse(t, len, &g_plan, &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV8M, &g_res, &err), 0);
    /* periph: RBAR 0x40000000 | AP 00 | XN = 0x40000001, RLAR 0x5FFFFFE0 | Attr1 | EN = 0x5FFFFFE3 */
    assert_int_equal(g_res.sys.r.v8m[2].rbar, 0x40000001u);
    assert_int_equal(g_res.sys.r.v8m[2].rlar, 0x5FFFFFE3u);
    t = slurp("example-pmp.plan", &len);
    assert_int_equal(rtm_plan_parse(t, len, &g_plan, &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_RISCV_PMP, &g_res, &err), 0);
    /* flash_text 64K locked RO/RO exec at 0x80000000: NAPOT 0x20000000 | 0x1FFF, cfg L|NAPOT|X|R = 0x9D */
    assert_int_equal(g_res.sys.first, 14);
    assert_int_equal(g_res.sys.r.pmp[0].pmpaddr, 0x20001FFFu);
    assert_int_equal(g_res.sys.r.pmp[0].pmpcfg, 0x9D);
    /* guard: NA4 locked no access: 0x20004000, cfg L|NA4 = 0x90 */
    assert_int_equal(g_res.sys.r.pmp[1].pmpcfg, 0x90);
    assert_int_equal(g_res.dom[0].count, 6);
#else
    /* both plans ask for 16 slots: refused on their `regions` line below that limit */
    assert_int_equal(rtm_plan_parse(t, len, &g_plan, &err), -1);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "regions: expected a count"));
    t = slurp("example-pmp.plan", &len);
    assert_int_equal(rtm_plan_parse(t, len, &g_plan, &err), -1);
    assert_int_equal(err.line, 2);
#endif
}

/* ARMv6-M (Cortex-M0+) by name: the ARMv7-M layout, no region below 256 B. example-v6m.plan's
 * domain takes slots 3..5 after the 3 system regions:
 * Normal memory is TEX=000 C=1 B=1 (0x00030000; ARMv7-M TEX=001, 0x000B0000).
 *   app_data 4K at 0x20000000: SIZE 11 -> 0x16 | EN: RASR 0x13030017, RBAR 0x20000013
 *   mailbox 128 B at 0x20001080 P:RW U:RO: the 256 B window at 0x20001000 (SIZE 7 -> 0x0E), 32 B
 *     subregions 4..7 on (SRD 0x0F): RASR 0x12030F0F, RBAR 0x20001014 (ARMv7-M: the 128 B window,
 *     RASR 0x120B000D, RBAR 0x20001094)
 *   flag 32 B at 0x20001100: the 256 B window there, subregion 0 on (SRD 0xFE): RASR 0x1303FE0F,
 *     RBAR 0x20001115 (ARMv7-M: RASR 0x130B0009)
 *   system background 4 GiB P:RW U:NA XN: RASR 0x1103003F (ARMv7-M 0x110B003F) */
static void armv6m_plans(void **state)
{
    (void)state;
    rtm_plan_error err;
    rtm_mpu_arch a;
    assert_true(rtm_plan_arch_named("armv6m", &a));
    assert_int_equal(a.kind, RTM_MPU_ARMV7M);
    assert_int_equal(a.min_log2, RTM_MPU_V6M_MIN_LOG2);
    assert_int_equal(rtm_plan_arch("armv6m"), RTM_MPU_ARMV7M);
    assert_true(rtm_plan_arch_named("armv7m", &a));
    assert_int_equal(a.min_log2, 5);
    assert_false(rtm_plan_arch_named("cortex-m0", &a));
    assert_int_equal(a.kind, RTM_MPU_NONE);
    size_t len;
    char *t = slurp("example-v6m.plan", &len);
    assert_int_equal(rtm_plan_parse(t, len, &g_plan, &err), 0);
    assert_true(rtm_plan_arch_named("armv6m", &a));
    assert_int_equal(rtm_plan_compute_arch(&g_plan, &a, &g_res, &err), 0);
    assert_int_equal(g_res.arch.min_log2, RTM_MPU_V6M_MIN_LOG2);
    assert_int_equal(g_res.arch.sys_regions, 3);
    const rtm_mpu_regs *g = &g_res.dom[0];
    assert_int_equal(g->count, 3);
    assert_int_equal(g->wasted, 0);
    assert_int_equal(g->r.v7m[0].rbar, 0x20000013u);
    assert_int_equal(g->r.v7m[0].rasr, 0x13030017u);
    assert_int_equal(g->r.v7m[1].rbar, 0x20001014u);
    assert_int_equal(g->r.v7m[1].rasr, 0x12030F0Fu);
    assert_int_equal(g->r.v7m[2].rbar, 0x20001115u);
    assert_int_equal(g->r.v7m[2].rasr, 0x1303FE0Fu);
    assert_int_equal(g_res.sys.r.v7m[0].rasr, 0x1103003Fu);
    assert_int_equal(g_res.sys.r.v7m[2].rasr, 0x11050039u); /* device: TEX 000 on both */
    /* the same plan for ARMv7-M keeps its small regions */
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.dom[0].r.v7m[1].rbar, 0x20001094u);
    assert_int_equal(g_res.dom[0].r.v7m[1].rasr, 0x120B000Du);
    assert_int_equal(g_res.dom[0].r.v7m[2].rasr, 0x130B0009u);
}

/* Waste is acceptable over memory nobody claimed, never over a system region or a partition the
 * domain does not hold (review finding: one free slot, and app's one-region cover, the 16 KiB
 * window at 0x20000000, handed the kernel's system region or vault's partition to unprivileged
 * code, exit 0, "256 bytes wasted"). Refused on the partition's line, naming both; with a second
 * slot the exact cover is taken instead. */
static void claimed_memory_is_never_waste(void **state)
{
    (void)state;
    expect_error("regions 2\n"
                 "system kernel 0x20000000 0x100 P_RW_U_NA xn\n"
                 "partition app 0x20000100 0x3F00 P_RW_U_RW xn\n"
                 "domain d app\n",
                 3, "domain d (line 4): partition app does not fit in 1 free slot without granting bytes of "
                    "system kernel (line 2): armv7m: every cover within the slot budget grants bytes of another range");
    /* another domain's partition; of the two claims under the waste the smaller is named (the
     * background region covers everything) */
    expect_error("regions 2\n"
                 "system background 0 4G P_RW_U_NA xn\n"
                 "partition secret  0x20000000 0x100  P_RW_U_NA xn\n"
                 "partition app_ram 0x20000100 0x3F00 P_RW_U_RW xn\n"
                 "domain app app_ram\n"
                 "domain vault secret\n",
                 4, "without granting bytes of partition secret (line 3)");
    /* a partition in no domain is claimed too */
    expect_error("regions 1\n"
                 "partition spare 0x20000000 0x100 P_RW_U_NA xn\n"
                 "partition app   0x20000100 0x3F00 P_RW_U_RW xn\n"
                 "domain d app\n",
                 3, "without granting bytes of partition spare (line 2)");
    rtm_plan_error err;
    /* two free slots: [0x20000100, 0x20000800) (a 2 KiB window, subregions 1..7) + [0x20000800,
     * 0x20004000) (a 16 KiB window, subregions 1..7), nothing wasted */
    assert_int_equal(parse("regions 3\n"
                           "system kernel 0x20000000 0x100 P_RW_U_NA xn\n"
                           "partition app 0x20000100 0x3F00 P_RW_U_RW xn\n"
                           "domain d app\n",
                           &err),
                     0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.dom[0].count, 2);
    assert_int_equal(g_res.dom[0].wasted, 0);
    for (uint32_t i = 0; i < g_res.dom[0].count; i++) {
        uint64_t b, sz;
        bool en;
        assert_int_equal(rtm_mpu_decode(&g_res.dom[0], i, &b, &sz, &en), RTM_OK);
        assert_true(b >= 0x20000100u);
    }
    /* memory nobody claimed may be wasted: the same partition without the kernel region */
    assert_int_equal(parse("regions 1\npartition app 0x20000100 0x3F00 P_RW_U_RW xn\ndomain d app\n", &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.dom[0].wasted, 256);
    /* a partition shared by two domains is neither's waste: each holds it */
    assert_int_equal(parse("regions 3\n"
                           "partition shared 0x20000000 0x100  P_RW_U_RO xn\n"
                           "partition a      0x20000100 0x3F00 P_RW_U_RW xn\n"
                           "partition b      0x20010000 0x1000 P_RW_U_RW xn\n"
                           "domain da shared a\n"
                           "domain db shared b\n",
                           &err),
                     0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    /* system regions keep their waste off partitions (a system region is active in every domain):
     * 160 B at 0x20000020 fits one slot only as the 256 B window at 0x20000000 (subregions of 32 B:
     * exact) - so put the partition where the rounding would go */
    assert_int_equal(parse("regions 3\n"
                           "system shm 0x20000100 0x3F00 P_RW_U_RW xn\n"
                           "partition secret 0x20000000 0x100 P_RW_U_NA xn\n"
                           "domain vault secret\n",
                           &err),
                     0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(g_res.arch.sys_regions, 2); /* exact in two slots, not one with 256 B over secret */
    assert_int_equal(g_res.sys.wasted, 0);
    expect_error("regions 2\n"
                 "system shm 0x20000100 0x3F00 P_RW_U_RW xn\n"
                 "partition secret 0x20000000 0x100 P_RW_U_NA xn\n"
                 "domain vault secret\n",
                 2, "system shm does not fit without granting bytes of partition secret (line 3)");
}

/* Partitions listed in no domain are checked for the architecture (a bad one passed unseen) and
 * named in a note of the report (a typo in a domain line would otherwise go unnoticed). */
static void unused_partitions(void **state)
{
    (void)state;
    expect_error("partition p 0x20000001 33 P_RW_U_RW\npartition q 0x20000000 32 P_RW_U_RW\ndomain d q\n", 1,
                 "partition p (in no domain): armv7m: base and size must be multiples of 32 bytes");
    rtm_plan_error err;
    assert_int_equal(parse("partition p 0x20000000 4K P_RW_U_RO\npartition q 0x20001000 32 P_RW_U_RW\ndomain d q\n",
                           &err),
                     0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV8M, &g_res, &err), -1); /* no P_RW_U_RO there */
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "partition p (in no domain): armv8m"));
    assert_int_equal(rtm_plan_compute(&g_plan, RTM_MPU_ARMV7M, &g_res, &err), 0);
    char *buf = printed_report();
    assert_non_null(strstr(buf, "\nnote: partition p (line 1) is in no domain: checked, not planned\n"));
    assert_null(strstr(buf, "partition q (line 2) is in no domain"));
    free(buf);
}

/* The overlap error names the partition that comes later in the file, whatever the order of the
 * domain line (it named the later one in the domain line: line 1 here). */
static void overlap_names_later_line_of_the_file(void **state)
{
    (void)state;
    const char *pq = "partition p 0x20000000 64 P_RW_U_RW\npartition q 0x20000020 32 P_RW_U_RW\n";
    char text[256];
    snprintf(text, sizeof text, "%sdomain d q p\n", pq);
    expect_error(text, 2, "domain d (line 3): partition q overlaps partition p (line 1)");
    snprintf(text, sizeof text, "%sdomain d p q\n", pq);
    expect_error(text, 2, "domain d (line 3): partition q overlaps partition p (line 1)");
}

/* Line endings: CRLF lines take 512 bytes like LF lines (the CR was counted); a CR anywhere else
 * (CR-only files) is refused as such, not as a bad count of `regions` on the one long line. */
static void line_endings(void **state)
{
    (void)state;
    char text[1200];
    const char *head = "partition p 0x20000000 32 P_RW_U_RW";
    for (int crlf = 0; crlf < 2; crlf++) {
        for (int extra = 0; extra < 2; extra++) { /* a line of 512 bytes, then 513 */
            size_t n = 0;
            n += (size_t)snprintf(text + n, sizeof text - n, "%s #", head);
            while (n < RTM_PLAN_LINE_MAX + (size_t)extra) text[n++] = 'x';
            const char *eol = crlf ? "\r\n" : "\n";
            n += (size_t)snprintf(text + n, sizeof text - n, "%sdomain d p%s", eol, eol);
            rtm_plan_error err;
            int rc = rtm_plan_parse(text, n, &g_plan, &err);
            assert_int_equal(rc, extra ? -1 : 0);
            if (extra) assert_non_null(strstr(err.msg, "line longer than 512 bytes"));
        }
    }
    expect_error("regions 8\rpartition p 0x20000000 32 P_RW_U_RW\rdomain d p\r", 1,
                 "CR line endings are not supported (a CR without LF at column 10");
    expect_error("regions 8\npartition p 0x20000000 32\rP_RW_U_RW\ndomain d p\n", 2,
                 "CR line endings are not supported");
    /* a CR before the end of the file without LF ends the last line like CRLF */
    rtm_plan_error err;
    assert_int_equal(parse("partition p 0x20000000 32 P_RW_U_RW\r\ndomain d p\r", &err), 0);
}

/* The longest messages fit whole: names of 31 characters, a rule text and the words around them
 * (200 bytes cut them off: "... (2 slots free aft"). */
static void long_messages_fit(void **state)
{
    (void)state;
    const char *text = "regions 2\n"
                       "partition aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0x20000000 32 P_RW_U_RW\n"
                       "partition bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 0x20000020 0x10000 P_RW_U_RW\n"
                       "domain ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb "
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";
    rtm_plan_error err;
    assert_int_equal(parse(text, &err), 0);
    rtm_mpu_arch a;
    assert_true(rtm_plan_arch_named("armv6m", &a));
    assert_int_equal(rtm_plan_compute_arch(&g_plan, &a, &g_res, &err), -1);
    size_t n = strlen(err.msg);
    assert_true(n < sizeof err.msg - 1);
    assert_non_null(strstr(err.msg, "domain ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ (line 4): partition "
                                    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb does not fit in 2 free slots without granting "
                                    "bytes of partition aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (line 2): armv6m: "));
    const char *tail = "grants bytes of another range";
    assert_string_equal(err.msg + n - strlen(tail), tail);
    /* the overlap message with four long names */
    assert_int_equal(parse("partition aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0x20000000 64 P_RW_U_RW\n"
                           "partition bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 0x20000020 32 P_RW_U_RW\n"
                           "domain ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb "
                           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
                           &err),
                     0);
    assert_int_equal(rtm_plan_compute_arch(&g_plan, &a, &g_res, &err), -1);
    n = strlen(err.msg);
    tail = "ranges of one set must not overlap";
    assert_true(n >= strlen(tail));
    assert_string_equal(err.msg + n - strlen(tail), tail);
}

/* The report counts wasted bytes once: two system regions ending at one address round up over the
 * same 64 bytes (the sum per range, rtm_mpu_regs.wasted, is 65,600; 65,536 distinct bytes). */
static void report_counts_waste_once(void **state)
{
    (void)state;
    rtm_plan_error err;
    assert_int_equal(parse("regions 8\n"
                           "system big   0xFFFAFFC0 0x50000 P_RO_U_RO\n"
                           "system inner 0xFFFF7FC0 0x8000  P_RO_U_NA xn\n",
                           &err),
                     0);
    rtm_mpu_arch a;
    assert_true(rtm_plan_arch_named("armv6m", &a));
    assert_int_equal(rtm_plan_compute_arch(&g_plan, &a, &g_res, &err), 0);
    assert_int_equal(g_res.sys.wasted, 65600);
    char *buf = printed_report();
    assert_non_null(strstr(buf, "system: 3 of 3 regions, 65536 bytes wasted\n"));
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc > 1) g_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_ok),
        cmocka_unit_test(syntax_errors),
        cmocka_unit_test(planning_errors_name_lines),
        cmocka_unit_test(default_regions),
        cmocka_unit_test(most_domains),
        cmocka_unit_test(example_plans),
        cmocka_unit_test(armv6m_plans),
        cmocka_unit_test(claimed_memory_is_never_waste),
        cmocka_unit_test(unused_partitions),
        cmocka_unit_test(overlap_names_later_line_of_the_file),
        cmocka_unit_test(line_endings),
        cmocka_unit_test(long_messages_fit),
        cmocka_unit_test(report_counts_waste_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
