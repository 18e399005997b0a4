/*
 * Fault records, the ring of recent faults and the recovery policy (rtmem/fault.h).
 *
 * Ring layout (one static object, optionally in a no-init section via RTM_FAULT_RING_ATTR):
 *   magic | head (next slot to write) | count (records since clear) | rec[RTM_FAULT_RING_SIZE]
 * Each record carries a checksum over its bytes (check_ excluded), so a reader can tell a record
 * that survived a reset from garbage. A ring whose magic or head is wrong is cleared on first use.
 *
 * rtm_fault_handle() runs in fault context: it takes the port's critical section only around the
 * registry lookups (inside domain.c) and the ring update, never around the policy hook, and it
 * neither allocates nor blocks otherwise.
 */
#include "rtmem/fault.h"

#include "rtm_internal.h"
#include "rtmem/port.h"

_Static_assert(RTM_FAULT_RING_SIZE >= 1, "the ring needs at least one record");
_Static_assert(RTM_FAULT_GET_TRIES >= 1, "rtm_fault_get copies a record at least once");

#define RING_MAGIC 0x464C5452u /* "FLTR" */

typedef struct {
    uint32_t magic;
    uint32_t head;
    uint32_t count;
    rtm_fault_record rec[RTM_FAULT_RING_SIZE];
} fault_ring;

static fault_ring g_ring RTM_FAULT_RING_ATTR;
static rtm_fault_policy g_policy = rtm_fault_default_policy;
static void *g_policy_ctx;

/* FNV-1a over the record's fields (never its padding, whose bytes a struct copy need not keep). */
static uint32_t mix(uint32_t h, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++) h = (h ^ (uint32_t)((v >> (8u * i)) & 0xFFu)) * 16777619u;
    return h;
}

static uint32_t record_sum(const rtm_fault_record *r)
{
    uint32_t h = 2166136261u;
    h = mix(h, r->addr);
    h = mix(h, r->pc);
    h = mix(h, r->access);
    h = mix(h, r->flags);
    h = mix(h, r->can);
    h = mix(h, (uint64_t)r->arch);
    for (unsigned i = 0; i < RTM_FAULT_CAUSE_WORDS; i++) h = mix(h, r->cause[i]);
    h = mix(h, r->thread);
    h = mix(h, r->seq);
    h = mix(h, r->repeat);
    h = mix(h, (uintptr_t)r->domain);
    h = mix(h, (uintptr_t)r->part_domain);
    h = mix(h, r->partition.start);
    h = mix(h, r->partition.size);
    h = mix(h, r->partition.attr);
    h = mix(h, (uint32_t)r->part_index);
    h = mix(h, (uint64_t)r->action);
    return h ^ RING_MAGIC;
}

/* Call inside the critical section. */
static void ring_ready(void)
{
    if (g_ring.magic != RING_MAGIC || g_ring.head >= RTM_FAULT_RING_SIZE) {
        rtm_memset(&g_ring, 0, sizeof g_ring);
        g_ring.magic = RING_MAGIC;
    }
}

rtm_fault_action rtm_fault_default_policy(const rtm_fault_record *rec, void *ctx)
{
    (void)ctx;
    return (rec && !(rec->flags & RTM_FAULT_F_IN_ISR)) ? RTM_FAULT_ABORT_THREAD : RTM_FAULT_HALT;
}

rtm_fault_policy rtm_fault_set_policy(rtm_fault_policy policy, void *ctx)
{
    rtm_fault_policy old = g_policy;
    g_policy = policy ? policy : rtm_fault_default_policy;
    g_policy_ctx = policy ? ctx : NULL;
    return old;
}

/* The slot of the i-th most recent record (0 = newest), i taken modulo the ring. Call inside the
 * critical section. */
static rtm_fault_record *nth_newest(uint32_t i)
{
    return &g_ring.rec[(g_ring.head + RTM_FAULT_RING_SIZE - 1u - i % RTM_FAULT_RING_SIZE) % RTM_FAULT_RING_SIZE];
}

/* The newest intact record of thread th still in the ring, or NULL. O(RTM_FAULT_RING_SIZE). Per
 * thread, not the newest overall: two threads retrying one fault each in turn saw each other's
 * record as the newest, so neither count grew and RTM_FAULT_MAX_RETRY never stopped them (review
 * finding, 2026-11-29). A thread whose last fault has left the ring (RTM_FAULT_RING_SIZE faults of
 * others since) starts counting again. */
static const rtm_fault_record *newest_of_thread_locked(uintptr_t th)
{
    uint32_t n = g_ring.count < RTM_FAULT_RING_SIZE ? g_ring.count : RTM_FAULT_RING_SIZE;
    for (uint32_t i = 0; i < n; i++) {
        const rtm_fault_record *r = nth_newest(i);
        if (r->check_ == record_sum(r) && r->thread == th) return r;
    }
    return NULL;
}

/* Has a fault retried as often as it may? A function, not the comparison written inline, so that
 * RTM_FAULT_MAX_RETRY=0 (never retry) is not "unsigned >= 0", which -Wtype-limits (-Wextra)
 * rejects under -Werror. */
static bool retries_used_up(uint32_t repeat, uint32_t max_retry) { return repeat >= max_retry; }

/* The action the port will carry out: the policy's, made possible. */
static rtm_fault_action escalate(const rtm_fault_record *rec, rtm_fault_action a)
{
    bool isr = (rec->flags & RTM_FAULT_F_IN_ISR) != 0;
    if ((unsigned)a > (unsigned)RTM_FAULT_HALT) return RTM_FAULT_HALT;
    if (a == RTM_FAULT_RETRY && retries_used_up(rec->repeat, RTM_FAULT_MAX_RETRY)) a = RTM_FAULT_ABORT_THREAD;
    for (;;) {
        if (a == RTM_FAULT_ABORT_THREAD && (isr || rec->thread == 0)) a = RTM_FAULT_HALT;
        if (a == RTM_FAULT_HALT || (rec->can & RTM_FAULT_CAN(a))) return a;
        a = (a == RTM_FAULT_RETRY || a == RTM_FAULT_SKIP) ? RTM_FAULT_ABORT_THREAD : RTM_FAULT_HALT;
    }
}

#if defined(RTM_DEBUG) && RTM_DEBUG
/* Test hooks (declared in the tests only): run between the two halves of rtm_fault_get's copy, and
 * between rtm_fault_handle's taking of a ring slot and its write, so that a test can record a
 * fault there, as a fault taken in a higher-priority interrupt would. */
extern void (*rtm_fault_debug_mid_copy_)(void);
void (*rtm_fault_debug_mid_copy_)(void);
extern void (*rtm_fault_debug_mid_record_)(void);
void (*rtm_fault_debug_mid_record_)(void);
#define MID_COPY()                                                                                 \
    do {                                                                                           \
        if (rtm_fault_debug_mid_copy_ != NULL) rtm_fault_debug_mid_copy_();                       \
    } while (0)
#define MID_RECORD()                                                                               \
    do {                                                                                           \
        if (rtm_fault_debug_mid_record_ != NULL) rtm_fault_debug_mid_record_();                   \
    } while (0)
#else
#define MID_COPY() ((void)0)
#define MID_RECORD() ((void)0)
#endif

rtm_fault_action rtm_fault_handle(rtm_fault_record *rec)
{
    if (!rec) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_FAULT_HALT;
    }
    bool isr = (rec->flags & RTM_FAULT_F_IN_ISR) != 0;
    if (!isr && rec->thread == 0) rec->thread = rtm_port_thread_id();
    rec->flags &= ~(uint32_t)RTM_FAULT_F_ESCALATED;
    rec->domain = isr ? NULL : rtm_domain_of_thread(rec->thread);
    rec->part_domain = NULL;
    rtm_memset(&rec->partition, 0, sizeof rec->partition);
    rec->part_index = -1;
    if (rec->flags & RTM_FAULT_F_ADDR_VALID) {
        rtm_domain *pd = NULL;
        uint32_t idx = 0;
        /* copied inside the critical section: another thread may be changing that domain */
        if (rtm_domain_lookup(rec->domain, rec->addr, &rec->partition, &pd, &idx)) {
            rec->part_domain = pd;
            rec->part_index = (int32_t)idx;
        }
    }
    rec->repeat = 0;
    rtm_port_key key = rtm_port_critical_enter();
    ring_ready();
    const rtm_fault_record *last = newest_of_thread_locked(rec->thread);
    if (last && last->action == RTM_FAULT_RETRY && last->pc == rec->pc && last->addr == rec->addr)
        rec->repeat = last->repeat + 1u;
    rtm_port_critical_exit(key);

    rec->action = RTM_FAULT_HALT;
    rtm_fault_action wanted = g_policy(rec, g_policy_ctx);
    rtm_fault_action a = escalate(rec, wanted);
    if (a != wanted) rec->flags |= RTM_FAULT_F_ESCALATED;
    rec->action = a;

    key = rtm_port_critical_enter();
    ring_ready();
    /* The slot is taken (head moved on) before the record is written: a fault recorded meanwhile
     * by a handler the critical section does not mask (NMI, HardFault, an interrupt above a
     * BASEPRI section, itself faulting) writes the next slot. It wrote this one before, over the
     * record being copied, and the head then moved once too few or twice over a stale slot
     * (review of fault.c; fault_recorded_during_record). Left: a nested fault between reading the
     * head and storing it, two instructions, takes the same slot. After 2^32 - 1 faults the count
     * goes on from RTM_FAULT_RING_SIZE, not 0: below that it means "the ring is not full yet", and a
     * wrap to 0 made the full ring read as empty. It still changes on every fault, before the
     * record is written, as rtm_fault_get's torn-copy check needs. */
    uint32_t slot = g_ring.head;
    g_ring.head = (slot + 1u) % RTM_FAULT_RING_SIZE;
    g_ring.count = g_ring.count == UINT32_MAX ? (uint32_t)RTM_FAULT_RING_SIZE : g_ring.count + 1u;
    rec->seq = g_ring.count;
    rec->check_ = record_sum(rec);
    RTM_COMPILER_BARRIER(); /* the slot is taken before it is written */
    MID_RECORD();
    g_ring.rec[slot] = *rec;
    rtm_port_critical_exit(key);
    return a;
}

uint32_t rtm_fault_count(void)
{
    rtm_port_key key = rtm_port_critical_enter();
    ring_ready();
    uint32_t c = g_ring.count;
    rtm_port_critical_exit(key);
    return c;
}


/* The ring's record count as it is now: a fault handler may have changed it since the last read,
 * so the compiler must not keep it in a register. */
static uint32_t count_now(void) { return *(volatile const uint32_t *)&g_ring.count; }

rtm_err rtm_fault_get(uint32_t i, rtm_fault_record *out)
{
    if (!out) return RTM_ERR_ARG;
    rtm_port_key key = rtm_port_critical_enter();
    ring_ready();
    rtm_err e = RTM_ERR_SIZE;
    /* The critical section does not keep faults out: a fault in an interrupt above a BASEPRI
     * critical section (Cortex-M, RTM_CM_USE_BASEPRI) records itself while this copy is under way,
     * and may write the very slot being copied (port review finding: a torn copy, reported as
     * RTM_ERR_CORRUPT, or worse one whose checksum happened to match). A handler runs to its end
     * before this code goes on, and it counts before it writes: an unchanged count means an
     * untouched copy. Else the copy is taken again (index i counted anew), a few times at most. */
    for (unsigned tries = 0; tries < RTM_FAULT_GET_TRIES; tries++) {
        RTM_COMPILER_BARRIER(); /* head and the records as they are now, not as last read */
        uint32_t before = count_now();
        /* and the head and the record read after the count: a volatile read orders only against
         * other volatile accesses, so without this the copy's loads could move above it (review) */
        RTM_COMPILER_BARRIER();
        uint32_t kept = before < RTM_FAULT_RING_SIZE ? before : RTM_FAULT_RING_SIZE;
        if (i >= kept) {
            e = RTM_ERR_SIZE;
            break;
        }
        const rtm_fault_record *r = nth_newest(i);
        size_t half = sizeof *out / 2u;
        rtm_memcpy(out, r, half);
        MID_COPY();
        rtm_memcpy((char *)out + half, (const char *)r + half, sizeof *out - half);
        e = out->check_ == record_sum(out) ? RTM_OK : RTM_ERR_CORRUPT;
        RTM_COMPILER_BARRIER();
        if (count_now() == before) break;
    }
    rtm_port_critical_exit(key);
    return e;
}

void rtm_fault_clear(void)
{
    rtm_port_key key = rtm_port_critical_enter();
    rtm_memset(&g_ring, 0, sizeof g_ring);
    g_ring.magic = RING_MAGIC;
    rtm_port_critical_exit(key);
}

const char *rtm_fault_action_str(rtm_fault_action a)
{
    switch (a) {
    case RTM_FAULT_RETRY: return "retry";
    case RTM_FAULT_SKIP: return "skip";
    case RTM_FAULT_ABORT_THREAD: return "abort-thread";
    case RTM_FAULT_HALT: return "halt";
    default: return "unknown";
    }
}

#if defined(RTM_DEBUG) && RTM_DEBUG
/* Test hook: lets the corruption tests damage a stored record (declared in the tests only). */
void rtm_fault_debug_poke_(uint32_t i, uint32_t xor_mask);
void rtm_fault_debug_poke_(uint32_t i, uint32_t xor_mask)
{
    rtm_port_key key = rtm_port_critical_enter();
    nth_newest(i)->pc ^= xor_mask;
    rtm_port_critical_exit(key);
}

/* Test hook: flips bits of one byte at @p offset inside the i-th most recent stored record, so that
 * the tests can damage each field the checksum covers (declared in the tests only). */
void rtm_fault_debug_poke_at_(uint32_t i, size_t offset, uint8_t xor_byte);
void rtm_fault_debug_poke_at_(uint32_t i, size_t offset, uint8_t xor_byte)
{
    if (offset >= sizeof(rtm_fault_record)) return;
    rtm_port_key key = rtm_port_critical_enter();
    ((unsigned char *)nth_newest(i))[offset] ^= xor_byte;
    rtm_port_critical_exit(key);
}

/* Test hook: sets the ring's header as a warm reset (RTM_FAULT_RING_ATTR) or a stray write may
 * leave it: the magic xor @p magic_xor (0 keeps it right), @p head and @p count as given (declared
 * in the tests only). */
void rtm_fault_debug_header_(uint32_t magic_xor, uint32_t head, uint32_t count);
void rtm_fault_debug_header_(uint32_t magic_xor, uint32_t head, uint32_t count)
{
    rtm_port_key key = rtm_port_critical_enter();
    g_ring.magic ^= magic_xor;
    g_ring.head = head;
    g_ring.count = count;
    rtm_port_critical_exit(key);
}
#endif
