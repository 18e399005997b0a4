/*
 * POSIX backend of the protection module: mprotect() enforcement, SIGSEGV -> fault record, and the
 * abort-thread policy via siglongjmp to the recovery point of rtm_posix_run(). See domain_posix.h.
 */
#include "domain_posix.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "posix_private.h"
#include "rtmem/port.h"

/* Per-thread recovery point of rtm_posix_run(). */
typedef struct {
    sigjmp_buf jb;
    volatile sig_atomic_t armed;
} recovery;

static _Thread_local recovery *t_recovery;

static struct sigaction g_old_segv, g_old_bus;
static volatile sig_atomic_t g_installed;

size_t rtm_posix_page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096u;
}

rtm_mpu_arch rtm_posix_mpu_arch(void)
{
    rtm_mpu_arch a = RTM_MPU_ARCH_POSIX(RTM_DOMAIN_MAX_PARTITIONS, (uint32_t)rtm_posix_page_size());
    return a;
}

/* Program counter and x86 page-fault error code from the signal context, where the ABI has them. */
static void context_regs(void *uctx, uintptr_t *pc, unsigned long *err)
{
    *pc = 0;
    *err = 0;
#if defined(__linux__) && defined(__x86_64__)
    ucontext_t *uc = uctx;
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    *err = (unsigned long)uc->uc_mcontext.gregs[REG_ERR];
#elif defined(__linux__) && defined(__i386__)
    ucontext_t *uc = uctx;
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
    *err = (unsigned long)uc->uc_mcontext.gregs[REG_ERR];
#elif defined(__linux__) && defined(__aarch64__)
    ucontext_t *uc = uctx;
    *pc = (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uctx;
#endif
}

/* Passes a fault that is not ours to whoever handled the signal before us. */
static void chain(int sig, siginfo_t *si, void *uctx)
{
    struct sigaction *old = sig == SIGBUS ? &g_old_bus : &g_old_segv;
    /* SIG_DFL and SIG_IGN are no functions, SA_SIGINFO or not (sigaction keeps the flag with
     * them: SIG_IGN, 1, was called as a function) */
    bool is_fn = old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN;
    if (is_fn) {
        /* Called as the kernel would have called it: with its own sa_mask blocked on top, the
         * signal itself blocked as in rtmem's handler unless it has SA_NODEFER (a handler that may
         * fault again, a garbage collector's barrier or a crash reporter, relies on that: a fault
         * while the signal is blocked kills the process), and with SA_RESETHAND, once: the next
         * foreign signal takes the default action. */
        struct sigaction h = *old;
        if (h.sa_flags & SA_RESETHAND) {
            old->sa_handler = SIG_DFL;
            old->sa_flags &= ~SA_SIGINFO;
        }
        sigset_t saved;
        /* pthread_sigmask, not sigprocmask: the thread's mask (POSIX leaves sigprocmask unspecified
         * in a process with threads, and this port runs domains on several); async-signal-safe */
        pthread_sigmask(SIG_BLOCK, &h.sa_mask, &saved);
        if ((h.sa_flags & SA_NODEFER) && !sigismember(&h.sa_mask, sig)) {
            sigset_t self;
            sigemptyset(&self);
            sigaddset(&self, sig);
            pthread_sigmask(SIG_UNBLOCK, &self, NULL);
        }
        if (h.sa_flags & SA_SIGINFO) h.sa_sigaction(sig, si, uctx);
        else h.sa_handler(sig);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return;
    }
    /* A signal sent with kill, sigqueue or tgkill (si_code <= 0) faults nothing again: ignored if
     * it was ignored before us, else it takes the default action, re-raised here (blocked in this
     * handler, it is delivered when the handler returns). It was swallowed, and rtmem's handler
     * silently replaced by SIG_DFL for good (port review finding, 2026-11-29). */
    if (si->si_code <= 0 && old->sa_handler == SIG_IGN) return;
    /* Default action: restore it and return; the instruction faults again (or the signal sent is
     * raised again) and the process dies with the usual signal (and core dump). */
    signal(sig, SIG_DFL);
    if (si->si_code <= 0) raise(sig);
}

/* May the faulting thread be unwound without breaking rtmem? Not while it holds one of rtmem's
 * locks, the critical section or an object's rtm_port_sync (rtmem code copying into a caller's
 * buffer, writing into a block): the siglongjmp would skip the unlock and every other thread would
 * block on its next rtmem call (on that object). Releasing the lock
 * for them is no cure, since the data it guards may be half-updated; so ABORT_THREAD is not
 * offered and the policy's choice escalates (to HALT; RETRY stays possible). Read before
 * rtm_fault_handle(), which takes the critical section itself. */
static bool can_unwind_rtmem(void) { return rtm_posix_rtm_locks_held() == 0; }

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
    int saved_errno = errno;
    uintptr_t addr = (uintptr_t)si->si_addr;
    /* A copy taken inside the critical section (rtm_domain_lookup, not rtm_domain_find's pointer):
     * another thread may be adding or removing partitions of that domain while this one faults. */
    rtm_partition part;
    /* si_addr is a fault address only for a fault the kernel raised (si_code > 0): in a signal
     * sent with kill, sigqueue or tgkill it overlays the sender's pid and uid */
    /* Only a partition of a POSIX domain is protected by this port: one of a domain planned for an
     * MCU (ARMv7-M regions computed on the host, over host buffers) is plain memory here, and a
     * fault in it is the program's bug, for the previous handler (ASan, a crash reporter, the
     * default action); the policy took it as a protection fault (review). The faulting thread's
     * own domain decides first, then the registry's order (newest first), as in the record
     * rtm_fault_handle makes: the registry's first domain decided, and a page of the thread's POSIX
     * domain that an MCU domain registered later also held was passed on as the program's bug
     * (review, 2026-11-29). */
    /* The kind is read in the same critical section as the lookup: rtm_domain_regs() points into
     * the domain, whose registers another thread's add or remove rewrites (a data race ThreadSanitizer
     * found in CI, 2026-11-29; the section is recursive, so a fault inside rtmem code re-enters it). */
    bool posix_part = false;
    if (si->si_code > 0) {
        rtm_port_key key = rtm_port_critical_enter();
        rtm_domain *dom = NULL;
        if (rtm_domain_lookup(rtm_domain_of_thread(rtm_port_thread_id()), addr, &part, &dom, NULL)) {
            const rtm_mpu_regs *regs = rtm_domain_regs(dom);
            posix_part = regs != NULL && regs->kind == RTM_MPU_POSIX;
        }
        rtm_port_critical_exit(key);
    }
    if (!posix_part) {
        chain(sig, si, uctx);
        errno = saved_errno;
        return;
    }
    rtm_fault_record rec;
    memset(&rec, 0, sizeof rec);
    unsigned long err;
    context_regs(uctx, &rec.pc, &err);
    rec.addr = addr;
    rec.flags = RTM_FAULT_F_ADDR_VALID;
    rec.arch = RTM_MPU_POSIX;
    rec.cause[0] = (uint32_t)sig;
    rec.cause[1] = (uint32_t)si->si_code;
    /* Access kind: x86 error code bit 4 = instruction fetch, bit 1 = write. Bit 2 (user mode) is
     * set in every error code of a fault the kernel passes on as a signal: without it there is no
     * error code (other ABIs, valgrind), and a fault in a readable partition (never mapped
     * executable) is taken for a write or a fetch. With it the code decides: a readable partition's
     * pages may not be readable now (a policy that commits pages on first touch, another domain's
     * rights applied), and a read there was recorded as a write. */
    bool have_err = (err & 0x4u) != 0;
    if (err & 0x10u)
        rec.access = RTM_ACCESS_EXEC;
    else if (have_err ? (err & 0x2u) != 0 : (rtm_part_access(part.attr, false) & RTM_ACCESS_READ) != 0)
        rec.access = RTM_ACCESS_WRITE;
    else
        rec.access = RTM_ACCESS_READ;
    recovery *r = t_recovery;
    rec.can = RTM_FAULT_CAN(RTM_FAULT_RETRY) | RTM_FAULT_CAN(RTM_FAULT_HALT);
    if (r && r->armed && can_unwind_rtmem()) rec.can |= RTM_FAULT_CAN(RTM_FAULT_ABORT_THREAD);
    rtm_fault_action a = rtm_fault_handle(&rec);
    switch (a) {
    case RTM_FAULT_RETRY:
        errno = saved_errno;
        return;
    case RTM_FAULT_ABORT_THREAD:
        r->armed = 0;
        siglongjmp(r->jb, 1);
    default:
        signal(SIGABRT, SIG_DFL);
        abort();
    }
}

/* Makes on_fault the handler of sig, remembering the handler it replaces in *old unless that is
 * on_fault already (so a second install after someone else took the signal chains to them). */
static int take_signal(int sig, struct sigaction *old)
{
    struct sigaction sa, cur;
    if (sigaction(sig, NULL, &cur) != 0) return -1;
    if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault) return 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    /* The previous action is saved before on_fault can run: another thread's foreign fault right
     * after the install was chained to the action saved by an earlier install (review). */
    *old = cur;
    if (sigaction(sig, &sa, NULL) != 0) return -1;
    return 1;
}

rtm_err rtm_posix_fault_install(void)
{
    rtm_port_key key = rtm_port_critical_enter();
    rtm_err e = RTM_OK;
    int segv = take_signal(SIGSEGV, &g_old_segv);
    if (segv < 0 || take_signal(SIGBUS, &g_old_bus) < 0) {
        /* all or nothing: a SIGSEGV taken now is given back when SIGBUS cannot be (uninstall,
         * which needs g_installed, could not have undone it) */
        if (segv > 0) sigaction(SIGSEGV, &g_old_segv, NULL);
        e = RTM_ERR_UNSUPPORTED;
    } else {
        g_installed = 1;
    }
    rtm_port_critical_exit(key);
    return e;
}

rtm_err rtm_posix_fault_uninstall(void)
{
    rtm_port_key key = rtm_port_critical_enter();
    rtm_err e = RTM_ERR_STATE;
    if (g_installed) {
        sigaction(SIGSEGV, &g_old_segv, NULL);
        sigaction(SIGBUS, &g_old_bus, NULL);
        g_installed = 0;
        e = RTM_OK;
    }
    rtm_port_critical_exit(key);
    return e;
}

static rtm_err protect_all(const rtm_domain *d, bool release)
{
    const rtm_mpu_regs *regs = rtm_domain_regs(d);
    if (!regs || regs->kind != RTM_MPU_POSIX) return RTM_ERR_ARG;
    uint32_t n = rtm_domain_partition_count(d);
    for (uint32_t i = 0; i < n; i++) {
        rtm_partition p;
        if (rtm_domain_partition(d, i, &p) != RTM_OK) return RTM_ERR_ARG;
        int prot = PROT_READ | PROT_WRITE;
        if (!release) {
            unsigned u = rtm_part_access(p.attr, false);
            prot = PROT_NONE;
            if (u & RTM_ACCESS_READ) prot |= PROT_READ;
            if (u & RTM_ACCESS_WRITE) prot |= PROT_WRITE;
        }
        if (mprotect((void *)p.start, p.size, prot) != 0) return RTM_ERR_ACCESS;
    }
    return RTM_OK;
}

rtm_err rtm_posix_domain_apply(const rtm_domain *d) { return protect_all(d, false); }
rtm_err rtm_posix_domain_release(const rtm_domain *d) { return protect_all(d, true); }

/* The part of rtm_posix_run() between the recovery point and the body, kept apart so that no
 * local of the caller lives across sigsetjmp (-Wclobbered). */
static __attribute__((noinline)) rtm_err run_body(recovery *rec, void *(*fn)(void *arg), void *arg, void **ret)
{
    if (sigsetjmp(rec->jb, 1) != 0) return RTM_ERR_ACCESS;
    rec->armed = 1;
    void *v = fn(arg);
    rec->armed = 0;
    if (ret) *ret = v;
    return RTM_OK;
}

/* Alternate signal stacks: a thread that has none gets one on its first rtm_posix_run() and keeps
 * it until it exits (a pthread key destructor frees it). Keeping it installed, rather than
 * installing and removing it around each body, also avoids a valgrind bug that delivers SA_ONSTACK
 * signals onto a stack that was disabled and unmapped. A thread that already has an alternate stack
 * (the application's, a sanitizer's) keeps using that one. */
#define ALT_STACK_SIZE (64u * 1024u)
static pthread_key_t g_alt_key;
static pthread_once_t g_alt_once = PTHREAD_ONCE_INIT;
static int g_alt_key_ok;

static size_t alt_stack_size(void) { return (size_t)SIGSTKSZ > ALT_STACK_SIZE ? (size_t)SIGSTKSZ : ALT_STACK_SIZE; }

static void alt_free(void *mem)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && cur.ss_sp == mem) {
        stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    }
    munmap(mem, alt_stack_size());
}

static void alt_key_init(void) { g_alt_key_ok = pthread_key_create(&g_alt_key, alt_free) == 0; }

static rtm_err ensure_alt_stack(void)
{
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0) return RTM_ERR_UNSUPPORTED;
    if (!(cur.ss_flags & SS_DISABLE)) return RTM_OK;
    pthread_once(&g_alt_once, alt_key_init);
    if (!g_alt_key_ok) return RTM_ERR_NOMEM;
    size_t size = alt_stack_size();
    /* The thread's stack from an earlier run, turned off since by the program (or a library around
     * its own use of one): installed again. A second one was mapped and the key kept only that: the
     * first stayed mapped for good, 64 KiB lost per run. */
    void *mem = pthread_getspecific(g_alt_key);
    bool fresh = mem == NULL;
    if (fresh) {
        mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) return RTM_ERR_NOMEM;
    }
    stack_t ss = {.ss_sp = mem, .ss_size = size, .ss_flags = 0};
    /* sigaltstack refusing a stack of this size is the system's limit, not memory */
    rtm_err e = sigaltstack(&ss, NULL) != 0                           ? RTM_ERR_UNSUPPORTED
                : fresh && pthread_setspecific(g_alt_key, mem) != 0 ? RTM_ERR_NOMEM
                                                                    : RTM_OK;
    if (e != RTM_OK && fresh) {
        stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        munmap(mem, size);
    }
    return e;
}

rtm_err rtm_posix_run(void *(*fn)(void *arg), void *arg, void **ret)
{
    if (!fn) return RTM_ERR_ARG;
    if (t_recovery) return RTM_ERR_STATE;
    rtm_err e = ensure_alt_stack();
    if (e != RTM_OK) return e;
    recovery rec;
    rec.armed = 0;
    t_recovery = &rec;
    e = run_body(&rec, fn, arg, ret);
    t_recovery = NULL;
    return e;
}
