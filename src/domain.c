/*
 * Memory partitions and domains (rtmem/domain.h).
 *
 * A domain stores copies of its partitions (insertion order) and the register values the planner
 * (rtmem/mpu.h) produced for them. Every change plans the new partition set first, on the stack,
 * and commits it only when the plan succeeded, so a rejected call changes nothing. Planning runs
 * outside the critical section (it may take tens of microseconds on ARMv7-M); the commit (a copy of
 * a few hundred bytes) and all registry walks run inside it, so a fault handler that looks up a
 * domain always sees a consistent one. Changes to one domain must be serialised by the caller
 * (one configuration thread, or the caller's lock); changes to different domains may run in parallel
 * with each other and with lookups.
 *
 * Ranges are kept as [start, last] with an inclusive last byte, so that a partition may end at the
 * top of the address space (start + size == 2^32 on a 32-bit target) without wrapping.
 *
 * Every plan of a domain (init, add, remove, verify) goes through rtm_mpu_plan_avoid with the
 * domain's ranges to avoid (rtm_domain_init_avoid, the caller's table; why: rtmem/domain.h).
 */
#include "rtmem/domain.h"

#include "rtm_internal.h"
#include "rtmem/port.h"

/* Each partition of a domain takes at least one region of its plan, and a plan holds at most
 * RTM_MPU_MAX_REGIONS: more partitions could never be applied. */
_Static_assert(RTM_DOMAIN_MAX_PARTITIONS <= RTM_MPU_MAX_REGIONS,
               "RTM_DOMAIN_MAX_PARTITIONS > RTM_MPU_MAX_REGIONS: raise RTM_MPU_MAX_REGIONS too");

#define DOMAIN_MAGIC 0x444F4D31u /* "DOM1" */

static rtm_domain *g_domains; /* registry, guarded by the port's critical section */

static uintptr_t part_last(const rtm_partition *p) { return p->start + (p->size - 1u); }

static rtm_err fail(rtm_domain_diag *diag, rtm_err err, int32_t index, const rtm_partition *p,
                    const rtm_partition *other, const char *rule)
{
    if (diag) {
        rtm_memset(diag, 0, sizeof *diag);
        diag->err = err;
        diag->index = index;
        if (p) diag->partition = *p;
        if (other) {
            diag->has_other = true;
            diag->other = *other;
        }
        diag->avoid_index = -1;
        diag->rule = rule;
    }
    return err;
}

/* A range to avoid in partition form, for rtm_domain_diag.other: start and size capped at the
 * address width (a 4 GiB system region on a 32-bit target). */
static rtm_partition avoid_as_partition(const rtm_mpu_range *r)
{
    rtm_partition p;
    p.start = r->base > (uint64_t)UINTPTR_MAX ? UINTPTR_MAX : (uintptr_t)r->base;
    p.size = r->size > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)r->size;
    p.attr = r->attr;
    return p;
}

/* Completes a diagnostic fail() filled for a plan of parts[0..n) that failed: planner index
 * `other` (or `bad`, for an invalid range to avoid) at n + j or above is avoid[j], below n a
 * partition of parts. */
static void diag_plan_other(rtm_domain_diag *diag, const rtm_partition *parts, size_t n, const rtm_mpu_range *avoid,
                            int32_t bad, int32_t other)
{
    if (!diag) return;
    if (other >= 0) {
        diag->has_other = true;
        if ((size_t)other < n) {
            diag->other = parts[other];
        } else {
            diag->avoid_index = (int32_t)((size_t)other - n);
            diag->other = avoid_as_partition(&avoid[diag->avoid_index]);
        }
    } else if (bad >= 0 && (size_t)bad >= n) {
        diag->avoid_index = (int32_t)((size_t)bad - n);
    }
}

/* Rejections by an initialised domain count in its stats; all go to the error hook. */
static rtm_err reject(rtm_domain *d, rtm_err err, const void *ptr)
{
    if (d && d->magic_ == DOMAIN_MAGIC) d->rejected_++;
    rtm_report(err, d, ptr);
    return err;
}

static bool registered(const rtm_domain *d)
{
    for (const rtm_domain *it = g_domains; it; it = it->next_)
        if (it == d) return true;
    return false;
}

static bool is_live(const rtm_domain *d) { return d && d->magic_ == DOMAIN_MAGIC; }

/* Checks what the planner cannot see (size 0, wrap on this host) and plans parts[0..n), its waste
 * kept off avoid[0..n_avoid). On failure *bad / *other are the planner's indices of the offender
 * and the range it conflicts with (-1: none; n + j: avoid[j], diag_plan_other). */
static rtm_err plan(const rtm_mpu_arch *arch, const rtm_partition *parts, size_t n, const rtm_mpu_range *avoid,
                    size_t n_avoid, rtm_mpu_regs *regs, int32_t *bad, int32_t *other, const char **rule)
{
    rtm_mpu_range ranges[RTM_DOMAIN_MAX_PARTITIONS];
    *bad = *other = -1;
    *rule = NULL;
    for (size_t i = 0; i < n; i++) {
        const rtm_partition *p = &parts[i];
        if (!rtm_part_attr_valid(p->attr)) {
            *bad = (int32_t)i;
            *rule = "attributes: unknown permission code or flag";
            return RTM_ERR_ARG;
        }
        if (p->size == 0 || p->size - 1u > UINTPTR_MAX - p->start) {
            *bad = (int32_t)i;
            *rule = p->size == 0 ? "size must not be 0" : "start + size wraps around the address space";
            return RTM_ERR_SIZE;
        }
        ranges[i].base = (uint64_t)p->start;
        ranges[i].size = (uint64_t)p->size;
        ranges[i].attr = p->attr;
    }
    rtm_mpu_diag md;
    rtm_err e = rtm_mpu_plan_avoid(arch, RTM_MPU_SET_DOMAIN, ranges, n, avoid, n_avoid, regs, &md);
    if (e != RTM_OK) {
        *bad = md.index;
        *other = md.other;
        *rule = md.rule;
    }
    return e;
}

uint32_t rtm_domain_max_partitions(const rtm_mpu_arch *arch)
{
    if (rtm_mpu_arch_check(arch) != RTM_OK) return 0;
    uint32_t free_slots = arch->regions - arch->sys_regions;
    return free_slots < RTM_DOMAIN_MAX_PARTITIONS ? free_slots : RTM_DOMAIN_MAX_PARTITIONS;
}

rtm_err rtm_domain_init(rtm_domain *d, const rtm_mpu_arch *arch, const rtm_partition *const parts[], size_t n,
                        rtm_domain_diag *diag)
{
    return rtm_domain_init_avoid(d, arch, parts, n, NULL, 0, diag);
}

rtm_err rtm_domain_init_avoid(rtm_domain *d, const rtm_mpu_arch *arch, const rtm_partition *const parts[], size_t n,
                              const rtm_mpu_range *avoid, size_t n_avoid, rtm_domain_diag *diag)
{
    if (diag) fail(diag, RTM_OK, -1, NULL, NULL, NULL);
    rtm_port_key key = rtm_port_critical_enter();
    /* Live means registered, as for rtm_domain_deinit: the registry compares addresses only, so
     * an object nobody has written yet (a domain on the stack) is never read. */
    bool live = d && registered(d);
    rtm_port_critical_exit(key);
    /* a live d counts this rejection too (it counted only when the other arguments were good) */
    if (!d || !arch || (!parts && n > 0) || (!avoid && n_avoid > 0))
        return reject(live ? d : NULL,
                      fail(diag, RTM_ERR_ARG, -1, NULL, NULL, "NULL domain, arch, partition or avoid list"), d);
    /* d is live: counted in its stats.rejected like every other rejection by a live domain (it was
     * only reported; review finding, 2026-11-29) */
    if (live) return reject(d, fail(diag, RTM_ERR_STATE, -1, NULL, NULL, "domain already initialised"), d);
    rtm_err e = rtm_mpu_arch_check(arch);
    if (e != RTM_OK) return reject(NULL, fail(diag, e, -1, NULL, NULL, "invalid architecture description"), arch);
    if (n > RTM_DOMAIN_MAX_PARTITIONS)
        return reject(NULL, fail(diag, RTM_ERR_NO_SLOT, RTM_DOMAIN_MAX_PARTITIONS, NULL, NULL,
                                 "more partitions than RTM_DOMAIN_MAX_PARTITIONS"),
                      d);
    /* the planner numbers ranges and ranges to avoid together in an int32_t */
    if (n_avoid > (size_t)INT32_MAX - RTM_DOMAIN_MAX_PARTITIONS)
        return reject(NULL, fail(diag, RTM_ERR_SIZE, -1, NULL, NULL, "too many ranges to avoid"), avoid);
    rtm_partition copy[RTM_DOMAIN_MAX_PARTITIONS] = {{0}};
    for (size_t i = 0; i < n; i++) {
        if (!parts[i]) return reject(NULL, fail(diag, RTM_ERR_ARG, (int32_t)i, NULL, NULL, "NULL partition"), d);
        copy[i] = *parts[i];
    }
    rtm_mpu_regs regs;
    int32_t bad, other;
    const char *rule;
    e = plan(arch, copy, n, avoid, n_avoid, &regs, &bad, &other, &rule);
    if (e != RTM_OK) {
        bool own = bad >= 0 && (size_t)bad < n; /* else none, or a range to avoid */
        fail(diag, e, own ? bad : -1, own ? &copy[bad] : NULL, NULL, rule);
        diag_plan_other(diag, copy, n, avoid, bad, other);
        return reject(NULL, e, own ? (const void *)parts[bad] : (const void *)d);
    }
    rtm_memset(d, 0, sizeof *d);
    d->arch_ = *arch;
    d->n_parts_ = (uint32_t)n;
    if (n) rtm_memcpy(d->parts_, copy, n * sizeof copy[0]);
    d->regs_ = regs;
    d->avoid_ = avoid;
    d->n_avoid_ = n_avoid;
    key = rtm_port_critical_enter();
    d->magic_ = DOMAIN_MAGIC;
    d->next_ = g_domains;
    g_domains = d;
    rtm_port_critical_exit(key);
    return RTM_OK;
}

rtm_err rtm_domain_deinit(rtm_domain *d)
{
    if (!d) return reject(NULL, RTM_ERR_ARG, NULL);
    rtm_port_key key = rtm_port_critical_enter();
    rtm_err e = RTM_ERR_STATE;
    /* Live means registered: the registry alone decides, so an object init refused (never
     * written) is not read here either. */
    for (rtm_domain **pp = &g_domains; *pp; pp = &(*pp)->next_)
        if (*pp == d) {
            *pp = d->next_;
            e = RTM_OK;
            break;
        }
    if (e == RTM_OK) rtm_memset(d, 0, sizeof *d);
    rtm_port_critical_exit(key);
    if (e != RTM_OK) return reject(NULL, e, d);
    return RTM_OK;
}

/* Installs a planned partition set (caller planned it successfully). */
static void commit(rtm_domain *d, const rtm_partition *parts, uint32_t n, const rtm_mpu_regs *regs)
{
    rtm_port_key key = rtm_port_critical_enter();
    if (n) rtm_memcpy(d->parts_, parts, n * sizeof parts[0]);
    d->n_parts_ = n;
    d->regs_ = *regs;
    rtm_port_critical_exit(key);
}

rtm_err rtm_domain_add_partition(rtm_domain *d, const rtm_partition *p, rtm_domain_diag *diag)
{
    if (diag) fail(diag, RTM_OK, -1, p, NULL, NULL);
    if (!d || !p) return reject(is_live(d) ? d : NULL, fail(diag, RTM_ERR_ARG, -1, NULL, NULL, "NULL argument"), p);
    if (!is_live(d)) return reject(NULL, fail(diag, RTM_ERR_STATE, -1, p, NULL, "domain not initialised"), d);
    uint32_t n = d->n_parts_;
    if (n >= RTM_DOMAIN_MAX_PARTITIONS)
        return reject(d, fail(diag, RTM_ERR_FULL, -1, p, NULL, "domain holds RTM_DOMAIN_MAX_PARTITIONS"), p);
    rtm_partition copy[RTM_DOMAIN_MAX_PARTITIONS];
    rtm_memcpy(copy, d->parts_, n * sizeof copy[0]);
    copy[n] = *p;
    rtm_mpu_regs regs;
    int32_t bad, other;
    const char *rule;
    rtm_err e = plan(&d->arch_, copy, n + 1u, d->avoid_, d->n_avoid_, &regs, &bad, &other, &rule);
    if (e != RTM_OK) {
        /* diag->index is the partition of d involved: one that no longer fits beside p, else the
         * one p overlaps (the planner names the later of two overlapping ranges, and p is last) or
         * whose bytes p's waste would touch. A blocker of the one that no longer fits is in
         * diag->other only: the index went to the blocker, and the partition that no longer fit
         * was named nowhere (found writing fuzz_domain, 2026-11-29). p itself is diag->partition. */
        int32_t existing = -1;
        if (other >= 0 && (uint32_t)other < n) existing = other;
        if (bad >= 0 && (uint32_t)bad < n) existing = bad;
        fail(diag, e, existing, p, NULL, rule);
        diag_plan_other(diag, copy, n + 1u, d->avoid_, bad, other);
        return reject(d, e, p);
    }
    commit(d, copy, n + 1u, &regs);
    return RTM_OK;
}

static bool same_part(const rtm_partition *a, const rtm_partition *b)
{
    return a->start == b->start && a->size == b->size && a->attr == b->attr;
}

rtm_err rtm_domain_remove_partition(rtm_domain *d, const rtm_partition *p, rtm_domain_diag *diag)
{
    if (diag) fail(diag, RTM_OK, -1, p, NULL, NULL);
    if (!d || !p) return reject(is_live(d) ? d : NULL, fail(diag, RTM_ERR_ARG, -1, NULL, NULL, "NULL argument"), p);
    if (!is_live(d)) return reject(NULL, fail(diag, RTM_ERR_STATE, -1, p, NULL, "domain not initialised"), d);
    uint32_t n = d->n_parts_, at = n;
    for (uint32_t i = 0; i < n; i++)
        if (same_part(&d->parts_[i], p)) {
            at = i;
            break;
        }
    if (at == n)
        return reject(d, fail(diag, RTM_ERR_BAD_PTR, -1, p, NULL, "no partition with this start, size and attributes"), p);
    /* zero-filled for GCC: at -O3 with RTM_DOMAIN_MAX_PARTITIONS <= 8 it warns that copy may be
     * read uninitialised (m == 0 passes no partition to plan); -Werror made that a build failure */
    rtm_partition copy[RTM_DOMAIN_MAX_PARTITIONS] = {{0}};
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (i != at) copy[m++] = d->parts_[i];
    rtm_mpu_regs regs;
    int32_t bad, other;
    const char *rule;
    rtm_err e = plan(&d->arch_, copy, m, d->avoid_, d->n_avoid_, &regs, &bad, &other, &rule);
    /* a subset of a valid set is valid: fewer ranges to keep the waste off, the same slots */
    RTM_ASSERT(e == RTM_OK);
    if (e != RTM_OK) return reject(d, fail(diag, e, bad >= 0 && (uint32_t)bad < m ? bad : -1, p, NULL, rule), p);
    commit(d, copy, m, &regs);
    return RTM_OK;
}

static bool has_thread(const rtm_domain *d, uintptr_t t)
{
    for (uint32_t i = 0; i < d->n_threads_; i++)
        if (d->threads_[i] == t) return true;
    return false;
}

rtm_err rtm_domain_add_thread(rtm_domain *d, uintptr_t thread)
{
    if (!d || thread == 0) return reject(is_live(d) ? d : NULL, RTM_ERR_ARG, d);
    rtm_port_key key = rtm_port_critical_enter();
    rtm_err e = RTM_OK;
    if (d->magic_ != DOMAIN_MAGIC) {
        e = RTM_ERR_STATE;
    } else {
        for (const rtm_domain *it = g_domains; it && e == RTM_OK; it = it->next_)
            if (has_thread(it, thread)) e = RTM_ERR_STATE;
        if (e == RTM_OK && d->n_threads_ >= RTM_DOMAIN_MAX_THREADS) e = RTM_ERR_FULL;
        if (e == RTM_OK) d->threads_[d->n_threads_++] = thread;
    }
    rtm_port_critical_exit(key);
    if (e != RTM_OK) return reject(is_live(d) ? d : NULL, e, (const void *)thread);
    return RTM_OK;
}

rtm_err rtm_domain_remove_thread(rtm_domain *d, uintptr_t thread)
{
    if (!d || thread == 0) return reject(is_live(d) ? d : NULL, RTM_ERR_ARG, d);
    rtm_port_key key = rtm_port_critical_enter();
    rtm_err e = RTM_ERR_BAD_PTR;
    if (d->magic_ != DOMAIN_MAGIC) {
        e = RTM_ERR_STATE;
    } else {
        for (uint32_t i = 0; i < d->n_threads_; i++)
            if (d->threads_[i] == thread) {
                d->threads_[i] = d->threads_[--d->n_threads_];
                d->threads_[d->n_threads_] = 0;
                e = RTM_OK;
                break;
            }
    }
    rtm_port_critical_exit(key);
    if (e != RTM_OK) return reject(is_live(d) ? d : NULL, e, (const void *)thread);
    return RTM_OK;
}

/* The partition of d holding byte a with unprivileged rights including access, or NULL. */
static const rtm_partition *find_allowed(const rtm_domain *d, uintptr_t a, unsigned access)
{
    for (uint32_t i = 0; i < d->n_parts_; i++) {
        const rtm_partition *p = &d->parts_[i];
        if (a >= p->start && a <= part_last(p) && (rtm_part_access(p->attr, false) & access) == access) return p;
    }
    return NULL;
}

rtm_err rtm_domain_check(const rtm_domain *d, uintptr_t addr, size_t len, unsigned access)
{
    const unsigned known = RTM_ACCESS_READ | RTM_ACCESS_WRITE | RTM_ACCESS_EXEC;
    if (!is_live(d) || access == 0 || (access & ~known)) return RTM_ERR_ARG;
    if (len == 0) {
        /* An empty buffer is fine inside a partition or right at its end. */
        for (uint32_t i = 0; i < d->n_parts_; i++) {
            const rtm_partition *p = &d->parts_[i];
            if ((rtm_part_access(p->attr, false) & access) != access) continue;
            if (addr >= p->start && (addr - p->start) <= p->size) return RTM_OK;
        }
        return RTM_ERR_ACCESS;
    }
    if (len - 1u > UINTPTR_MAX - addr) return RTM_ERR_SIZE;
    uintptr_t last = addr + (len - 1u);
    uintptr_t a = addr;
    for (;;) {
        const rtm_partition *p = find_allowed(d, a, access);
        if (!p) return RTM_ERR_ACCESS;
        uintptr_t plast = part_last(p);
        if (plast >= last) return RTM_OK;
        a = plast + 1u; /* plast < last, so no wrap */
    }
}

rtm_err rtm_domain_verify(const rtm_domain *d)
{
    if (!d) return RTM_ERR_ARG;
    if (d->magic_ != DOMAIN_MAGIC) return RTM_ERR_STATE;
    bool ok = d->n_parts_ <= RTM_DOMAIN_MAX_PARTITIONS && d->n_threads_ <= RTM_DOMAIN_MAX_THREADS &&
              rtm_mpu_arch_check(&d->arch_) == RTM_OK;
    for (uint32_t i = 0; ok && i < d->n_threads_; i++) {
        if (d->threads_[i] == 0) ok = false;
        for (uint32_t j = 0; ok && j < i; j++)
            if (d->threads_[i] == d->threads_[j]) ok = false;
    }
    if (ok) {
        rtm_mpu_regs regs;
        int32_t bad, other;
        const char *rule;
        /* plan() checks every partition, overlaps and the slot budget. */
        ok = plan(&d->arch_, d->parts_, d->n_parts_, d->avoid_, d->n_avoid_, &regs, &bad, &other, &rule) == RTM_OK &&
             rtm_mpu_regs_equal(&regs, &d->regs_);
    }
    if (!ok) {
        rtm_report(RTM_ERR_CORRUPT, d, NULL);
        return RTM_ERR_CORRUPT;
    }
    return RTM_OK;
}

uint32_t rtm_domain_partition_count(const rtm_domain *d) { return is_live(d) ? d->n_parts_ : 0u; }

rtm_err rtm_domain_partition(const rtm_domain *d, uint32_t i, rtm_partition *out)
{
    if (!is_live(d) || !out) return RTM_ERR_ARG;
    if (i >= d->n_parts_) return RTM_ERR_SIZE;
    *out = d->parts_[i];
    return RTM_OK;
}

const rtm_mpu_regs *rtm_domain_regs(const rtm_domain *d) { return is_live(d) ? &d->regs_ : NULL; }

rtm_err rtm_domain_get_stats(const rtm_domain *d, rtm_domain_stats *out)
{
    if (!is_live(d) || !out) return RTM_ERR_ARG;
    rtm_memset(out, 0, sizeof *out);
    out->partitions = d->n_parts_;
    out->max_partitions = rtm_domain_max_partitions(&d->arch_);
    out->threads = d->n_threads_;
    out->regions_used = d->regs_.count;
    out->regions_avail = d->arch_.regions - d->arch_.sys_regions;
    out->bytes_wasted = d->regs_.wasted;
    out->rejected = d->rejected_;
    return RTM_OK;
}

rtm_domain *rtm_domain_of_thread(uintptr_t thread)
{
    if (thread == 0) return NULL;
    rtm_port_key key = rtm_port_critical_enter();
    rtm_domain *found = NULL;
    for (rtm_domain *it = g_domains; it && !found; it = it->next_)
        if (has_thread(it, thread)) found = it;
    rtm_port_critical_exit(key);
    return found;
}

static int32_t find_in(const rtm_domain *d, uintptr_t addr)
{
    for (uint32_t i = 0; i < d->n_parts_; i++)
        if (addr >= d->parts_[i].start && addr <= part_last(&d->parts_[i])) return (int32_t)i;
    return -1;
}

/* rtm_domain_find and rtm_domain_lookup, inside the critical section: the partition's domain and
 * index, -1 if none; with @p copy, the partition copied while nothing can change it. */
static int32_t find_locked(const rtm_domain *prefer, uintptr_t addr, rtm_domain **dom, rtm_partition *copy)
{
    rtm_port_key key = rtm_port_critical_enter();
    int32_t idx = -1;
    if (prefer && prefer->magic_ == DOMAIN_MAGIC && registered(prefer)) {
        idx = find_in(prefer, addr);
        if (idx >= 0) *dom = (rtm_domain *)(uintptr_t)prefer;
    }
    for (rtm_domain *it = g_domains; it && idx < 0; it = it->next_) {
        idx = find_in(it, addr);
        if (idx >= 0) *dom = it;
    }
    if (idx >= 0 && copy) *copy = (*dom)->parts_[idx];
    rtm_port_critical_exit(key);
    return idx;
}

const rtm_partition *rtm_domain_find(const rtm_domain *prefer, uintptr_t addr, rtm_domain **dom_out,
                                     uint32_t *index_out)
{
    rtm_domain *dom = NULL;
    int32_t idx = find_locked(prefer, addr, &dom, NULL);
    if (idx < 0) return NULL;
    if (dom_out) *dom_out = dom;
    if (index_out) *index_out = (uint32_t)idx;
    return &dom->parts_[idx];
}

bool rtm_domain_lookup(const rtm_domain *prefer, uintptr_t addr, rtm_partition *out, rtm_domain **dom_out,
                       uint32_t *index_out)
{
    rtm_domain *dom = NULL;
    rtm_partition copy;
    int32_t idx = find_locked(prefer, addr, &dom, &copy);
    if (idx < 0) return false;
    if (out) *out = copy;
    if (dom_out) *dom_out = dom;
    if (index_out) *index_out = (uint32_t)idx;
    return true;
}
