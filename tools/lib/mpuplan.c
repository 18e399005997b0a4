/*
 * Plan files for `rtmem mpu` (docs/mpu-plan.md). Line-oriented:
 *   # comment (to the end of the line)
 *   regions N
 *   system    NAME BASE SIZE PERM [xn] [device] [locked]
 *   partition NAME BASE SIZE PERM [xn] [device]
 *   domain    NAME PARTITION...
 * Numbers are decimal or 0x-hex with an optional K, M or G suffix (powers of 1024).
 */
#include "mpuplan.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(rtm_plan_error *err, int line, const char *fmt, ...)
{
    if (err) {
        err->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Names of the architectures a plan can be made for, with what sets them apart. "armv7m" says
 * 32 B explicitly: the tool may be built for anything, RTM_MPU_V7M_MIN_LOG2 is the build's. */
static const struct {
    const char *name;
    rtm_mpu_kind kind;
    uint32_t min_log2;
} k_arches[] = {
    {"armv6m", RTM_MPU_ARMV7M, RTM_MPU_V6M_MIN_LOG2}, {"armv7m", RTM_MPU_ARMV7M, 5u},
    {"armv8m", RTM_MPU_ARMV8M, 0u},                   {"riscv-pmp", RTM_MPU_RISCV_PMP, 0u},
};

bool rtm_plan_arch_named(const char *name, rtm_mpu_arch *out)
{
    if (out) memset(out, 0, sizeof *out);
    for (size_t i = 0; name && out && i < sizeof k_arches / sizeof k_arches[0]; i++)
        if (!strcmp(name, k_arches[i].name)) {
            out->kind = k_arches[i].kind;
            out->min_log2 = k_arches[i].min_log2;
            return true;
        }
    return false;
}

rtm_mpu_kind rtm_plan_arch(const char *name)
{
    rtm_mpu_arch a;
    return rtm_plan_arch_named(name, &a) ? a.kind : RTM_MPU_NONE;
}

/* Number with optional K/M/G suffix; false on junk or overflow past 2^32 * 1024 (plenty). */
static bool parse_num(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s) return false;
    const uint64_t cap = 1ull << 42;
    size_t digits = 0;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
        else break;
        v = v * base + d;
        if (v > cap) return false;
        digits++;
    }
    if (!digits) return false;
    uint64_t mul = 1;
    if (*s == 'K' || *s == 'k') mul = 1024u, s++;
    else if (*s == 'M' || *s == 'm') mul = 1024u * 1024u, s++;
    else if (*s == 'G' || *s == 'g') mul = 1024u * 1024u * 1024u, s++;
    if (*s) return false;
    if (v > cap / mul) return false;
    *out = v * mul;
    return true;
}

static bool valid_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return false;
    size_t n = 0;
    for (; *s; s++, n++) {
        char c = *s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    }
    return n < RTM_PLAN_NAME_MAX;
}

static const struct {
    const char *name;
    rtm_part_attr perm;
} k_perms[] = {
    {"P_RW_U_RW", RTM_PART_P_RW_U_RW}, {"P_RW_U_RO", RTM_PART_P_RW_U_RO}, {"P_RW_U_NA", RTM_PART_P_RW_U_NA},
    {"P_RO_U_RO", RTM_PART_P_RO_U_RO}, {"P_RO_U_NA", RTM_PART_P_RO_U_NA}, {"P_NA_U_NA", RTM_PART_P_NA_U_NA},
};

static const char *perm_name(rtm_part_attr a)
{
    for (size_t i = 0; i < sizeof k_perms / sizeof k_perms[0]; i++)
        if (k_perms[i].perm == (a & RTM_PART_PERM_MASK)) return k_perms[i].name;
    return "?";
}

/* Looks a name up among system regions, partitions and domains. */
static bool name_taken(const rtm_plan *p, const char *name, int *line)
{
    for (size_t i = 0; i < p->nsys; i++)
        if (!strcmp(p->sys[i].name, name)) return *line = p->sys[i].line, true;
    for (size_t i = 0; i < p->nparts; i++)
        if (!strcmp(p->parts[i].name, name)) return *line = p->parts[i].line, true;
    for (size_t i = 0; i < p->ndoms; i++)
        if (!strcmp(p->doms[i].name, name)) return *line = p->doms[i].line, true;
    return false;
}

static int parse_range(char **tok, size_t nt, bool sys, int line, rtm_plan_range *out, const rtm_plan *p,
                       rtm_plan_error *err)
{
    const char *what = sys ? "system" : "partition";
    if (nt < 5) return fail(err, line, "%s: expected NAME BASE SIZE PERM [flags]", what);
    int prev;
    if (!valid_name(tok[1])) return fail(err, line, "%s: bad name '%.40s'", what, tok[1]);
    if (name_taken(p, tok[1], &prev)) return fail(err, line, "name '%s' already used on line %d", tok[1], prev);
    uint64_t base, size;
    if (!parse_num(tok[2], &base)) return fail(err, line, "%s %s: bad base '%.40s'", what, tok[1], tok[2]);
    if (!parse_num(tok[3], &size)) return fail(err, line, "%s %s: bad size '%.40s'", what, tok[1], tok[3]);
    if (size == 0) return fail(err, line, "%s %s: size must not be 0", what, tok[1]);
    if (base >= (1ull << 32) || size > (1ull << 32) - base)
        return fail(err, line, "%s %s: range ends beyond the 32-bit address space", what, tok[1]);
    rtm_part_attr attr = 0;
    for (size_t i = 0; i < sizeof k_perms / sizeof k_perms[0]; i++)
        if (!strcasecmp(tok[4], k_perms[i].name)) attr = k_perms[i].perm;
    if (!attr) return fail(err, line, "%s %s: unknown permission '%.40s' (P_RW_U_RW, P_RW_U_RO, ...)", what, tok[1], tok[4]);
    for (size_t i = 5; i < nt; i++) {
        if (!strcasecmp(tok[i], "xn")) attr |= RTM_PART_XN;
        else if (!strcasecmp(tok[i], "device")) attr |= RTM_PART_DEVICE;
        else if (sys && !strcasecmp(tok[i], "locked")) attr |= RTM_PART_LOCKED;
        else return fail(err, line, "%s %s: unknown flag '%.40s'", what, tok[1], tok[i]);
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", tok[1]);
    out->r.base = base;
    out->r.size = size;
    out->r.attr = attr;
    out->line = line;
    return 0;
}

static int parse_line(char *s, int line, rtm_plan *p, rtm_plan_error *err)
{
    char *hash = strchr(s, '#');
    if (hash) *hash = 0;
    char *tok[RTM_PLAN_MAX_DOMAIN_PARTS + 3];
    size_t nt = 0;
    bool more = false; /* words beyond tok[] */
    char *save = NULL;
    for (char *t = strtok_r(s, " \t\r\v\f", &save); t; t = strtok_r(NULL, " \t\r\v\f", &save)) {
        if (nt == sizeof tok / sizeof tok[0]) {
            more = true;
            break;
        }
        tok[nt++] = t;
    }
    if (nt == 0) return 0;
    /* A domain line that long lists more partitions than a domain may have, and says so below (its
     * tok[] holds one more than the limit); any other line has words no keyword takes. */
    if (more && strcmp(tok[0], "domain")) return fail(err, line, "too many words on one line");
    if (!strcmp(tok[0], "regions")) {
        uint64_t n;
        if (nt != 2 || !parse_num(tok[1], &n) || n == 0 || n > RTM_MPU_MAX_REGIONS)
            return fail(err, line, "regions: expected a count from 1 to %d", RTM_MPU_MAX_REGIONS);
        if (p->regions) return fail(err, line, "regions: already given on line %d", p->regions_line);
        p->regions = (uint32_t)n;
        p->regions_line = line;
        return 0;
    }
    if (!strcmp(tok[0], "system")) {
        if (p->nsys == RTM_PLAN_MAX_SYSTEM) return fail(err, line, "more than %d system regions", RTM_PLAN_MAX_SYSTEM);
        if (parse_range(tok, nt, true, line, &p->sys[p->nsys], p, err)) return -1;
        p->nsys++;
        return 0;
    }
    if (!strcmp(tok[0], "partition")) {
        if (p->nparts == RTM_PLAN_MAX_PARTS) return fail(err, line, "more than %d partitions", RTM_PLAN_MAX_PARTS);
        if (parse_range(tok, nt, false, line, &p->parts[p->nparts], p, err)) return -1;
        p->nparts++;
        return 0;
    }
    if (!strcmp(tok[0], "domain")) {
        if (nt < 3) return fail(err, line, "domain: expected NAME PARTITION...");
        if (p->ndoms == RTM_PLAN_MAX_DOMAINS) return fail(err, line, "more than %d domains", RTM_PLAN_MAX_DOMAINS);
        int prev;
        if (!valid_name(tok[1])) return fail(err, line, "domain: bad name '%.40s'", tok[1]);
        if (name_taken(p, tok[1], &prev)) return fail(err, line, "name '%s' already used on line %d", tok[1], prev);
        if (nt - 2 > RTM_PLAN_MAX_DOMAIN_PARTS)
            return fail(err, line, "domain %s: more than %d partitions", tok[1], RTM_PLAN_MAX_DOMAIN_PARTS);
        rtm_plan_domain *d = &p->doms[p->ndoms];
        memset(d, 0, sizeof *d);
        snprintf(d->name, sizeof d->name, "%s", tok[1]);
        d->line = line;
        for (size_t i = 2; i < nt; i++) {
            size_t k = 0;
            while (k < p->nparts && strcmp(p->parts[k].name, tok[i])) k++;
            if (k == p->nparts) return fail(err, line, "domain %s: no partition named '%.40s' (define it above)", d->name, tok[i]);
            for (size_t j = 0; j < d->n; j++)
                if (d->part[j] == k) return fail(err, line, "domain %s: partition %s listed twice", d->name, tok[i]);
            d->part[d->n++] = k;
        }
        p->ndoms++;
        return 0;
    }
    return fail(err, line, "unknown keyword '%.40s' (regions, system, partition, domain)", tok[0]);
}

int rtm_plan_parse(const char *text, size_t len, rtm_plan *out, rtm_plan_error *err)
{
    if (err) err->line = 0, err->msg[0] = 0;
    if (!out || (!text && len)) return fail(err, 0, "no input");
    memset(out, 0, sizeof *out);
    char buf[RTM_PLAN_LINE_MAX + 1];
    int line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        size_t end = pos;
        while (end < len && text[end] != '\n') end++;
        /* A CR right before the LF (or the end of the file) belongs to the line ending, so that a
         * CRLF file takes the same 512 bytes per line as an LF file (its CR was counted). */
        size_t stop = end > pos && text[end - 1] == '\r' ? end - 1 : end;
        /* A plan is text: a control byte means a binary or damaged file, and echoing it back in a
         * message would garble the terminal. Tabs are text. Any other CR means CR-only line endings
         * (old Mac files): the whole file would read as one line and fail on a confusing word. */
        for (size_t k = pos; k < stop; k++) {
            unsigned char c = (unsigned char)text[k];
            if (c == 0) return fail(err, line, "NUL byte in the line");
            if (c == '\r')
                return fail(err, line,
                            "CR line endings are not supported (a CR without LF at column %zu; use LF or CRLF)",
                            k - pos + 1);
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return fail(err, line, "control byte 0x%02x at column %zu (a plan file is text)", c, k - pos + 1);
        }
        size_t n = stop - pos;
        if (n > RTM_PLAN_LINE_MAX) return fail(err, line, "line longer than %d bytes", RTM_PLAN_LINE_MAX);
        memcpy(buf, text + pos, n);
        buf[n] = 0;
        if (parse_line(buf, line, out, err)) return -1;
        pos = end + 1;
    }
    if (out->ndoms == 0 && out->nsys == 0) return fail(err, line ? line : 1, "plan defines no system region and no domain");
    return 0;
}

/* 8 on ARM, 16 on PMP; never above RTM_MPU_MAX_REGIONS, which the planner would refuse (with
 * RTM_MPU_MAX_REGIONS=8 a PMP plan without a `regions` line failed "invalid architecture description"). */
static uint32_t default_regions(rtm_mpu_kind k)
{
    uint32_t n = k == RTM_MPU_RISCV_PMP ? 16u : 8u;
    return n < RTM_MPU_MAX_REGIONS ? n : (uint32_t)RTM_MPU_MAX_REGIONS;
}

int rtm_plan_compute(const rtm_plan *p, rtm_mpu_kind kind, rtm_plan_result *res, rtm_plan_error *err)
{
    rtm_mpu_arch a = {kind, 0u, 0u, 0u, kind == RTM_MPU_ARMV7M ? 5u : 0u};
    return rtm_plan_compute_arch(p, &a, res, err);
}

/* The system regions of @p p as the planner takes them. */
static void system_ranges(const rtm_plan *p, rtm_mpu_range out[RTM_PLAN_MAX_SYSTEM])
{
    for (size_t i = 0; i < p->nsys; i++) out[i] = p->sys[i].r;
}

/* The partitions of domain @p dm as the planner takes them, in the domain's order. */
static void domain_ranges(const rtm_plan *p, const rtm_plan_domain *dm, rtm_mpu_range out[RTM_PLAN_MAX_DOMAIN_PARTS])
{
    for (size_t i = 0; i < dm->n; i++) out[i] = p->parts[dm->part[i]].r;
}

/* True when partition @p k is listed in domain @p dm. */
static bool in_domain(const rtm_plan_domain *dm, size_t k)
{
    for (size_t i = 0; i < dm->n; i++)
        if (dm->part[i] == k) return true;
    return false;
}

/* True when partition @p k is listed in some domain. */
static bool partition_used(const rtm_plan *p, size_t k)
{
    for (size_t d = 0; d < p->ndoms; d++)
        if (in_domain(&p->doms[d], k)) return true;
    return false;
}

/* "system NAME (line N)" or "partition NAME (line N)" for a range of @p p. */
static const char *range_desc(const rtm_plan *p, const rtm_plan_range *r, char *buf, size_t size)
{
    bool sys = r >= p->sys && r < p->sys + p->nsys;
    snprintf(buf, size, "%s %s (line %d)", sys ? "system" : "partition", r->name, r->line);
    return buf;
}

/* The ranges a set's waste must stay off (rtm_mpu_plan_avoid): for a domain, every system region
 * and every partition it does not list; for the system set (@p dm NULL), every partition. Fills
 * @p out and, index for index, @p who (for the messages); returns the count. */
#define PLAN_MAX_AVOID (RTM_PLAN_MAX_SYSTEM + RTM_PLAN_MAX_PARTS)
static size_t avoid_list(const rtm_plan *p, const rtm_plan_domain *dm, rtm_mpu_range out[PLAN_MAX_AVOID],
                         const rtm_plan_range *who[PLAN_MAX_AVOID])
{
    size_t n = 0;
    for (size_t i = 0; dm && i < p->nsys; i++) who[n++] = &p->sys[i];
    for (size_t k = 0; k < p->nparts; k++)
        if (!dm || !in_domain(dm, k)) who[n++] = &p->parts[k];
    for (size_t i = 0; i < n; i++) out[i] = who[i]->r;
    return n;
}

int rtm_plan_compute_arch(const rtm_plan *p, const rtm_mpu_arch *arch, rtm_plan_result *res, rtm_plan_error *err)
{
    if (!p || !res || !arch) return fail(err, 0, "no plan");
    rtm_mpu_kind kind = arch->kind;
    if (kind != RTM_MPU_ARMV7M && kind != RTM_MPU_ARMV8M && kind != RTM_MPU_RISCV_PMP)
        return fail(err, 0, "unknown architecture");
    memset(res, 0, sizeof *res);
    uint32_t regions = p->regions ? p->regions : default_regions(kind);
    rtm_mpu_range sys[RTM_PLAN_MAX_SYSTEM];
    system_ranges(p, sys);
    rtm_mpu_range avoid[PLAN_MAX_AVOID];
    const rtm_plan_range *who[PLAN_MAX_AVOID];
    char other[RTM_PLAN_NAME_MAX + 40];
    /* System regions: the fewest slots they fit in, leaving the most to the domains. Their waste
     * stays off every partition: a system region is active whichever domain runs. */
    uint32_t s = (uint32_t)p->nsys;
    rtm_mpu_diag d = {RTM_OK, -1, -1, NULL};
    rtm_err e = RTM_OK;
    if (p->nsys > 0) {
        size_t na = avoid_list(p, NULL, avoid, who);
        for (;; s++) {
            if (s >= regions) {
                int line = d.index >= 0 ? p->sys[d.index].line : p->sys[p->nsys - 1].line;
                if (d.index >= 0 && d.other >= 0) { /* a cover that fits would grant another's bytes */
                    size_t o = (size_t)d.other;
                    return fail(err, line, "system regions need more than %" PRIu32 " slots (%" PRIu32 " exist, one "
                                           "is kept for domains): system %s does not fit without granting bytes of %s",
                                regions - 1, regions, p->sys[d.index].name,
                                range_desc(p, o < p->nsys ? &p->sys[o] : who[o - p->nsys], other, sizeof other));
                }
                return fail(err, line, "system regions need more than %" PRIu32 " slots (%" PRIu32 " exist, one is "
                                       "kept for domains)", regions - 1, regions);
            }
            res->arch = (rtm_mpu_arch){kind, regions, s, 0, arch->min_log2};
            e = rtm_mpu_plan_avoid(&res->arch, RTM_MPU_SET_SYSTEM, sys, p->nsys, avoid, na, &res->sys, &d);
            if (e == RTM_OK) break;
            if (e != RTM_ERR_NO_SLOT) {
                int line = d.index >= 0 ? p->sys[d.index].line : p->sys[0].line;
                if (d.other >= 0)
                    return fail(err, line, "system %s overlaps system %s (line %d): %s", p->sys[d.index].name,
                                p->sys[d.other].name, p->sys[d.other].line, d.rule);
                if (d.index < 0) return fail(err, line, "%s", d.rule); /* no range to blame: the arch */
                return fail(err, line, "system %s: %s", p->sys[d.index].name, d.rule);
            }
        }
    } else {
        res->arch = (rtm_mpu_arch){kind, regions, 0, 0, arch->min_log2};
    }
    uint32_t free_slots = regions - res->arch.sys_regions;
    for (size_t k = 0; k < p->ndoms; k++) {
        const rtm_plan_domain *dm = &p->doms[k];
        /* ARMv8-M: any address matched by two enabled regions faults, so partitions and system
         * regions (enabled at the same time) must not share a byte. */
        for (size_t i = 0; kind == RTM_MPU_ARMV8M && i < dm->n; i++) {
            const rtm_plan_range *pr = &p->parts[dm->part[i]];
            for (size_t j = 0; j < p->nsys; j++) {
                const rtm_mpu_range *a = &pr->r, *b = &p->sys[j].r;
                if (a->base < b->base + b->size && b->base < a->base + a->size)
                    return fail(err, pr->line, "partition %s overlaps system %s (line %d): armv8m: regions must not overlap",
                                pr->name, p->sys[j].name, p->sys[j].line);
            }
        }
        /* The domain's waste stays off the system regions (its regions outrank them) and off every
         * partition it does not hold (another domain's, or one in none). */
        rtm_mpu_range r[RTM_PLAN_MAX_DOMAIN_PARTS];
        domain_ranges(p, dm, r);
        size_t na = avoid_list(p, dm, avoid, who);
        e = rtm_mpu_plan_avoid(&res->arch, RTM_MPU_SET_DOMAIN, r, dm->n, avoid, na, &res->dom[k], &d);
        if (e != RTM_OK) {
            if (d.index < 0 || (size_t)d.index >= dm->n) return fail(err, dm->line, "domain %s: %s", dm->name, d.rule);
            const rtm_plan_range *bad = &p->parts[dm->part[d.index]];
            const rtm_plan_range *oth = NULL;
            if (d.other >= 0) /* a partition of the domain, or a range to avoid */
                oth = (size_t)d.other < dm->n ? &p->parts[dm->part[d.other]] : who[(size_t)d.other - dm->n];
            if (e == RTM_ERR_OVERLAP && oth) {
                /* the planner names the later in the domain's list; the file's order is the one to
                 * report (docs/mpu-plan.md: the later partition's line) */
                if (oth->line > bad->line) {
                    const rtm_plan_range *t = bad;
                    bad = oth;
                    oth = t;
                }
                return fail(err, bad->line, "domain %s (line %d): partition %s overlaps partition %s (line %d): %s",
                            dm->name, dm->line, bad->name, oth->name, oth->line, d.rule);
            }
            if (e == RTM_ERR_NO_SLOT && oth) /* it would fit if its waste could cover oth */
                return fail(err, bad->line, "domain %s (line %d): partition %s does not fit in %" PRIu32
                                            " free slot%s without granting bytes of %s: %s",
                            dm->name, dm->line, bad->name, free_slots, free_slots == 1 ? "" : "s",
                            range_desc(p, oth, other, sizeof other), d.rule);
            if (e == RTM_ERR_NO_SLOT)
                return fail(err, dm->line, "domain %s: partition %s (line %d) does not fit: %s (%" PRIu32
                                           " slots free after %" PRIu32 " system)",
                            dm->name, bad->name, bad->line, d.rule, free_slots, res->arch.sys_regions);
            return fail(err, bad->line, "partition %s (domain %s): %s", bad->name, dm->name, d.rule);
        }
    }
    /* A partition in no domain is never loaded, but it is still checked for the architecture: a
     * bad one is an error like any other (it was left out silently), and the report notes it. */
    for (size_t k = 0; k < p->nparts; k++) {
        if (partition_used(p, k)) continue;
        rtm_mpu_regs alone;
        e = rtm_mpu_plan(&res->arch, RTM_MPU_SET_DOMAIN, &p->parts[k].r, 1, &alone, &d);
        if (e != RTM_OK)
            return fail(err, p->parts[k].line, "partition %s (in no domain): %s", p->parts[k].name, d.rule);
    }
    return 0;
}

static const char *arch_name(const rtm_mpu_arch *a)
{
    /* min_log2 0 is the build's default: the name that default stands for */
    uint32_t min = a->kind == RTM_MPU_ARMV7M && a->min_log2 == 0 ? RTM_MPU_V7M_MIN_LOG2 : a->min_log2;
    for (size_t i = 0; i < sizeof k_arches / sizeof k_arches[0]; i++)
        if (k_arches[i].kind == a->kind && (a->kind != RTM_MPU_ARMV7M || k_arches[i].min_log2 == min))
            return k_arches[i].name;
    return "?";
}

static void print_flags(FILE *f, rtm_part_attr a)
{
    fprintf(f, "%s%s%s%s", perm_name(a), (a & RTM_PART_XN) ? " xn" : "", (a & RTM_PART_DEVICE) ? " device" : "",
            (a & RTM_PART_LOCKED) ? " locked" : "");
}

static void print_set(FILE *f, const rtm_mpu_regs *g, const rtm_plan_range *const *names)
{
    for (uint32_t i = 0; i < g->count; i++) {
        uint64_t b = 0, sz = 0;
        bool en = false;
        rtm_err e = rtm_mpu_decode(g, i, &b, &sz, &en);
        const char *name = names[g->owner[i]]->name;
        fprintf(f, "  slot %2" PRIu32 "  %-16s ", g->first + i, name);
        switch (g->kind) {
        case RTM_MPU_ARMV7M:
            fprintf(f, "RBAR=0x%08" PRIX32 " RASR=0x%08" PRIX32, g->r.v7m[i].rbar, g->r.v7m[i].rasr);
            break;
        case RTM_MPU_ARMV8M:
            fprintf(f, "RBAR=0x%08" PRIX32 " RLAR=0x%08" PRIX32, g->r.v8m[i].rbar, g->r.v8m[i].rlar);
            break;
        default: {
            static const char *const mode[4] = {"OFF", "TOR", "NA4", "NAPOT"};
            fprintf(f, "pmpaddr=0x%08" PRIX32 " pmpcfg=0x%02X %-5s", g->r.pmp[i].pmpaddr, g->r.pmp[i].pmpcfg,
                    mode[(g->r.pmp[i].pmpcfg >> 3) & 3u]);
            break;
        }
        }
        if (e == RTM_OK && en)
            fprintf(f, "  [0x%08" PRIX64 ", 0x%08" PRIX64 ")\n", b, b + sz);
        else
            fprintf(f, "  (base of the next entry)\n");
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Bytes the enabled slots of @p g grant outside every range of @p r[0..n), each byte once: what
 * the linker must keep free. rtm_mpu_regs.wasted sums each range's waste, which counts a byte
 * twice where two ranges' waste meets (nested system regions that end at one address, two
 * partitions rounding into one gap). */
static uint64_t distinct_waste(const rtm_mpu_regs *g, const rtm_mpu_range *r, size_t n)
{
    uint64_t lo[RTM_MPU_MAX_REGIONS], hi[RTM_MPU_MAX_REGIONS];
    uint64_t pts[2 * RTM_MPU_MAX_REGIONS + 2 * RTM_PLAN_MAX_SYSTEM + 2 * RTM_PLAN_MAX_DOMAIN_PARTS];
    size_t ns = 0, np = 0;
    for (uint32_t i = 0; i < g->count && i < RTM_MPU_MAX_REGIONS; i++) {
        uint64_t b, sz;
        bool en;
        if (rtm_mpu_decode(g, i, &b, &sz, &en) != RTM_OK || !en || sz == 0) continue;
        lo[ns] = b;
        hi[ns++] = b + sz;
        pts[np++] = b;
        pts[np++] = b + sz;
    }
    for (size_t i = 0; i < n; i++) {
        pts[np++] = r[i].base;
        pts[np++] = r[i].base + r[i].size;
    }
    qsort(pts, np, sizeof pts[0], cmp_u64);
    uint64_t waste = 0;
    for (size_t k = 0; k + 1 < np; k++) { /* elementary intervals: granted or not, claimed or not */
        uint64_t a = pts[k], b = pts[k + 1];
        bool granted = false, claimed = false;
        for (size_t i = 0; a < b && i < ns; i++) granted |= lo[i] <= a && a < hi[i];
        for (size_t i = 0; a < b && i < n; i++) claimed |= r[i].base <= a && a < r[i].base + r[i].size;
        if (granted && !claimed) waste += b - a;
    }
    return waste;
}

void rtm_plan_print(FILE *f, const rtm_plan *p, const rtm_plan_result *res)
{
    const rtm_mpu_arch *a = &res->arch;
    fprintf(f, "arch %s: %" PRIu32 " regions, %" PRIu32 " for system regions, %" PRIu32 " for each domain\n",
            arch_name(a), a->regions, a->sys_regions, a->regions - a->sys_regions);
    if (a->kind == RTM_MPU_ARMV8M) fprintf(f, "MAIR0=0x%08" PRIX32 " (Attr0 normal WB RW-allocate, Attr1 Device-nGnRE)\n", (uint32_t)RTM_V8M_MAIR0);
    const rtm_plan_range *names[RTM_PLAN_MAX_PARTS];
    if (p->nsys) {
        rtm_mpu_range sys[RTM_PLAN_MAX_SYSTEM];
        system_ranges(p, sys);
        for (size_t i = 0; i < p->nsys; i++) names[i] = &p->sys[i];
        fprintf(f, "\nsystem: %" PRIu32 " of %" PRIu32 " regions, %" PRIu64 " bytes wasted\n", res->sys.count,
                res->sys.avail, distinct_waste(&res->sys, sys, p->nsys));
        for (size_t i = 0; i < p->nsys; i++) {
            fprintf(f, "  %-16s 0x%08" PRIX64 " +0x%" PRIX64 " ", p->sys[i].name, p->sys[i].r.base, p->sys[i].r.size);
            print_flags(f, p->sys[i].r.attr);
            fprintf(f, "\n");
        }
        print_set(f, &res->sys, names);
    }
    for (size_t k = 0; k < p->ndoms; k++) {
        const rtm_plan_domain *dm = &p->doms[k];
        const rtm_mpu_regs *g = &res->dom[k];
        rtm_mpu_range parts[RTM_PLAN_MAX_DOMAIN_PARTS];
        domain_ranges(p, dm, parts);
        fprintf(f, "\ndomain %s: %" PRIu32 " of %" PRIu32 " regions, %" PRIu64 " bytes wasted\n", dm->name, g->count,
                g->avail, distinct_waste(g, parts, dm->n));
        for (size_t i = 0; i < dm->n; i++) {
            const rtm_plan_range *r = &p->parts[dm->part[i]];
            names[i] = r;
            fprintf(f, "  %-16s 0x%08" PRIX64 " +0x%" PRIX64 " ", r->name, r->r.base, r->r.size);
            print_flags(f, r->r.attr);
            fprintf(f, "\n");
        }
        print_set(f, g, names);
        if (g->kind == RTM_MPU_RISCV_PMP) {
            uint32_t cfg[(RTM_MPU_MAX_REGIONS + 3) / 4];
            if (rtm_pmp_pack_cfg(g, cfg) == RTM_OK) {
                fprintf(f, "  pmpcfg words (this domain's bytes only):");
                for (uint32_t j = 0; j < (a->regions + 3) / 4; j++) fprintf(f, " pmpcfg%" PRIu32 "=0x%08" PRIX32, j, cfg[j]);
                fprintf(f, "\n");
            }
        }
    }
    if (a->kind == RTM_MPU_RISCV_PMP && p->nsys) {
        uint32_t cfg[(RTM_MPU_MAX_REGIONS + 3) / 4];
        if (rtm_pmp_pack_cfg(&res->sys, cfg) == RTM_OK) {
            fprintf(f, "\nsystem pmpcfg words:");
            for (uint32_t j = 0; j < (a->regions + 3) / 4; j++) fprintf(f, " pmpcfg%" PRIu32 "=0x%08" PRIX32, j, cfg[j]);
            fprintf(f, "\n");
        }
    }
    /* checked by rtm_plan_compute, loaded by nobody: most likely a name missing from a domain line */
    bool first = true;
    for (size_t k = 0; k < p->nparts; k++) {
        if (partition_used(p, k)) continue;
        fprintf(f, "%snote: partition %s (line %d) is in no domain: checked, not planned\n", first ? "\n" : "",
                p->parts[k].name, p->parts[k].line);
        first = false;
    }
}
