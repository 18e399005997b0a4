/*
 * librtmem-trace.so: records the heap activity of any Linux program in the rtmem trace format.
 *
 *   RTMEM_TRACE=out.rtt LD_PRELOAD=/path/librtmem-trace.so program args...
 *   rtmem replay out.rtt
 *
 * Interposes malloc, free, calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign,
 * valloc and pvalloc of every thread and writes one binary trace record per call (object = the
 * address, thread = the kernel thread id, time = CLOCK_MONOTONIC in microseconds, no site) to the
 * file named by RTMEM_TRACE ("%p" in the name is replaced by the process id, for programs that
 * start others; without it only the first process to lock the file traces, see open_output).
 * docs/trace-format.md ("Capturing on a host") is the user's side of what follows.
 *
 * What passes straight through to libc, unrecorded: every call when RTMEM_TRACE is unset, names a
 * file another process is tracing into, or tracing stopped (a failed write, the descriptor taken
 * over by the program: see sink_write, fd_is_ours); calls made while the library itself is working
 * (its sink, libc functions it calls), including calls from a signal handler that interrupted it;
 * every call in a forked child. The malloc family's other members (malloc_usable_size, mallinfo,
 * malloc_trim...) are not interposed.
 *
 * How it stays out of the way:
 *  - Bootstrap: the first call of any hook (or our constructor, whichever comes first: another
 *    library's constructor may allocate before ours runs) finds the real functions with
 *    dlsym(RTLD_NEXT, ...), which may itself call calloc/malloc; only those calls, made by the
 *    booting thread while it boots, are served from a static bump buffer (never freed to libc).
 *  - Reentrancy: a thread-local flag (initial-exec TLS: no allocation on first access) makes calls
 *    made while the library is working pass straight through.
 *  - Ordering: one mutex serialises the encoder. A free is recorded before the block goes back to
 *    libc and an allocation after it returns, and realloc runs under the mutex, so an address is
 *    never recorded as handed out twice even when threads race.
 *  - Output: each chunk is written with one writev(2) (a process that dies leaves whole chunks) to
 *    a descriptor moved high (>= 512) and checked before each write to still name our file (a
 *    program may close it and reuse the number: then tracing stops, see fd_is_ours); the last
 *    partial chunk is flushed by a destructor at exit. The SIGPIPE or SIGXFSZ a failed write raises
 *    (a pipe whose reader has gone, RLIMIT_FSIZE) is kept from the program. A forked child stops tracing (its parent
 *    owns the file) and never takes the library's lock again; fork() from a signal handler works
 *    too. Programs that end with _exit() or a signal lose the last chunk (up to 64 KiB of
 *    records), and so may a program that calls exit() from a signal handler (when the signal came
 *    inside the library).
 *  - Results: every call returns what libc returned, with libc's errno (what the library does in
 *    between, a failed write included, never shows). Limits: dlsym's own bootstrap blocks are not
 *    libc's (malloc_usable_size must not see them; free ignores them, realloc moves them to libc);
 *    the program runs slower and its threads' allocations are serialised, so timing-dependent
 *    behaviour may change; it shares its process with one more descriptor (>= 512), a flock() on
 *    the trace file, 128 KiB of static buffers, and, when the file is taken, one line on stderr.
 */
#define _GNU_SOURCE 1
#define _FILE_OFFSET_BITS 64 /* st_ino of a -m32 build on a file system with 64-bit inodes */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "rtmem/trace.h"

#define EXPORT __attribute__((visibility("default")))

typedef void *(*malloc_fn)(size_t);
typedef void (*free_fn)(void *);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void *(*reallocarray_fn)(void *, size_t, size_t);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);
typedef void *(*valloc_fn)(size_t);

static malloc_fn real_malloc;
static free_fn real_free;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static reallocarray_fn real_reallocarray;
static posix_memalign_fn real_posix_memalign;
static aligned_alloc_fn real_aligned_alloc;
static aligned_alloc_fn real_memalign;
static valloc_fn real_valloc;
static valloc_fn real_pvalloc;

enum { ST_NONE, ST_BOOTING, ST_READY };
static volatile int g_state = ST_NONE;
static int g_tracing; /* under g_lock */
static int g_fd = -1;
static dev_t g_dev; /* what g_fd was opened on: a program may close it and reuse the number */
static ino_t g_ino;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static rtm_trace g_tr;
static uint8_t g_chunk[1 << 16];
static __thread int t_busy __attribute__((tls_model("initial-exec")));
static __thread uint64_t t_tid __attribute__((tls_model("initial-exec")));
/* Set while this thread runs boot(): its malloc and calloc calls come from dlsym, before the real
 * functions are known, and go to the bump buffer. Another thread's calls wait for boot() instead. */
static __thread int t_booting __attribute__((tls_model("initial-exec")));

/* ---- bootstrap buffer ---------------------------------------------------------------------------- */
static _Alignas(64) unsigned char g_bump[1 << 16];
static size_t g_bump_pos;

static int in_bump(const void *p)
{
    return (const unsigned char *)p >= g_bump && (const unsigned char *)p < g_bump + sizeof g_bump;
}

static void *bump_alloc(size_t n, size_t align)
{
    if (align < 16) align = 16;
    size_t hdr = align; /* the size sits just before the block */
    size_t pos = (g_bump_pos + hdr + align - 1) & ~(align - 1);
    if (n > sizeof g_bump || pos + n > sizeof g_bump) return NULL;
    ((size_t *)(void *)(g_bump + pos))[-1] = n;
    g_bump_pos = pos + n;
    return g_bump + pos; /* static storage: already zero */
}

static size_t bump_size(const void *p) { return ((const size_t *)p)[-1]; }

/* ---- trace output --------------------------------------------------------------------------------- */
/* Programs close descriptors they did not open (daemons close everything from 3 up) and open
 * files that get the same number: g_fd then names the program's file. Writing there would corrupt
 * it, closing it would close the program's file: check before either, and never touch it again
 * once it is not ours. */
enum { FD_HIGH = 512 }; /* moved up to here, out of the range programs usually close or reuse */

static int fd_is_ours(void)
{
    struct stat sb;
    return g_fd >= 0 && fstat(g_fd, &sb) == 0 && sb.st_dev == g_dev && sb.st_ino == g_ino;
}

/* A write past RLIMIT_FSIZE raises SIGXFSZ, one into a pipe or FIFO whose reader has gone SIGPIPE:
 * signals whose default action kills a program that, untraced, would never have met them. Blocked
 * around the write (the write then fails, EFBIG or EPIPE, and tracing stops), and the one the write
 * raised is taken back unless the program had one pending already. */
static int quiet_begin(sigset_t *old, sigset_t *pending)
{
    sigset_t quiet;
    sigemptyset(&quiet);
    sigaddset(&quiet, SIGPIPE);
    sigaddset(&quiet, SIGXFSZ);
    if (pthread_sigmask(SIG_BLOCK, &quiet, old) != 0) return 0;
    if (sigpending(pending) != 0) sigfillset(pending); /* (then take nothing back) */
    return 1;
}

static void quiet_end(const sigset_t *old, const sigset_t *pending, int failed_errno)
{
    int sig = failed_errno == EPIPE ? SIGPIPE : failed_errno == EFBIG ? SIGXFSZ : 0;
    if (sig != 0 && !sigismember(pending, sig)) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        const struct timespec now = {0, 0};
        (void)sigtimedwait(&one, NULL, &now);
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Writes both pieces, the first possibly empty; 0 when a write failed (disk full, closed). */
static int write_all(const void *a, size_t alen, const void *b, size_t blen)
{
    struct iovec iov[2] = {{(void *)(uintptr_t)a, alen}, {(void *)(uintptr_t)b, blen}};
    int i = alen == 0;
    sigset_t old, pending;
    int quiet = quiet_begin(&old, &pending);
    while (i < 2) {
        ssize_t w = writev(g_fd, iov + i, 2 - i);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (quiet) quiet_end(&old, &pending, errno);
            return 0;
        }
        size_t done = (size_t)w; /* a partial write: go on after what was written */
        while (i < 2 && done >= iov[i].iov_len) {
            done -= iov[i].iov_len;
            i++;
        }
        if (i < 2) {
            iov[i].iov_base = (char *)iov[i].iov_base + done;
            iov[i].iov_len -= done;
        }
    }
    if (quiet) quiet_end(&old, &pending, 0);
    return 1;
}

/* The encoder emits the file header (16 bytes) once, then each chunk as two pieces: its header
 * (marker, length, checksum: at most 15 bytes) and its payload. A process that ends between two
 * write()s (exit() from a signal handler, a kill) would leave a chunk header without its payload,
 * and the file would no longer end at a chunk boundary: the chunk header is held back and written
 * with its payload in one writev(). */
static uint8_t g_pend[16];
static size_t g_pend_len;
static int g_header_done;

static void sink_write(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    if (g_header_done && g_pend_len == 0 && len <= sizeof g_pend) {
        memcpy(g_pend, data, len);
        g_pend_len = len;
        return;
    }
    if (!fd_is_ours()) { /* checked where it writes: one fstat per chunk, not per piece */
        g_tracing = 0;
        g_fd = -1;
        return;
    }
    g_header_done = 1;
    if (!write_all(g_pend, g_pend_len, data, len)) g_tracing = 0; /* stop, keep the program running */
    g_pend_len = 0;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t thread_id(void)
{
    if (t_tid == 0) t_tid = (uint64_t)syscall(SYS_gettid);
    return t_tid;
}

/* fork() from a signal handler that interrupted this thread inside the library (t_busy) must not
 * lock: g_lock may be held by the interrupted frame, and the thread would wait for itself. The
 * encoder may then be copied mid-record, which does not matter: the child never traces, and never
 * takes g_lock again (g_child), since without the prepare lock another thread of the parent may
 * have held it at the fork, and that thread does not exist in the child to release it. */
static __thread int t_fork_locked __attribute__((tls_model("initial-exec")));
static int g_child; /* this process is a forked child: hooks pass straight through */

static void atfork_prepare(void)
{
    t_fork_locked = !t_busy;
    if (t_fork_locked) pthread_mutex_lock(&g_lock);
}
static void atfork_parent(void)
{
    if (t_fork_locked) pthread_mutex_unlock(&g_lock);
    t_fork_locked = 0;
}
static void atfork_child(void)
{
    int saved_errno = errno; /* (fstat, close) */
    g_child = 1;
    g_tracing = 0; /* the parent's file and buffer are the parent's */
    if (fd_is_ours()) close(g_fd);
    g_fd = -1;
    errno = saved_errno;
    if (t_fork_locked) pthread_mutex_unlock(&g_lock);
    t_fork_locked = 0;
}

/* Output name: RTMEM_TRACE with each "%p" replaced by the process id.
 * One file, one process: a traced program that starts others with the same environment (a shell,
 * `timeout 60 prog`) would otherwise see each exec'd child truncate the file and write from offset
 * 0 while the parent writes on at its own offset, leaving a file no reader can decode. The process
 * that gets an exclusive flock() on the file traces into it (the lock lives as long as its open
 * file description: forked children that close their copy do not release it); one that does not
 * get it says so on stderr and does not trace. The file is truncated only under the lock. */
static int open_output(const char *pattern)
{
    char name[4096];
    size_t n = 0;
    for (const char *s = pattern; *s && n < sizeof name - 24; s++) {
        if (s[0] == '%' && s[1] == 'p') {
            char digits[24];
            size_t k = 0;
            unsigned long pid = (unsigned long)getpid();
            do {
                digits[k++] = (char)('0' + pid % 10);
                pid /= 10;
            } while (pid);
            while (k) name[n++] = digits[--k];
            s++;
        } else {
            name[n++] = *s;
        }
    }
    name[n] = '\0';
    int fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        close(fd);
        static const char head[] = "rtmem-trace: ", tail[] = " is being written by another process; use %p in RTMEM_TRACE\n";
        char msg[sizeof name + sizeof head + sizeof tail];
        size_t k = 0;
        memcpy(msg, head, sizeof head - 1);
        k += sizeof head - 1;
        memcpy(msg + k, name, n);
        k += n;
        memcpy(msg + k, tail, sizeof tail - 1);
        k += sizeof tail - 1;
        ssize_t w = write(2, msg, k); /* one write: one line, even among other processes' output */
        (void)w;
        return -1;
    } /* other errors (a file system without flock): trace unprotected, as before */
    int high = fcntl(fd, F_DUPFD_CLOEXEC, FD_HIGH); /* fails above RLIMIT_NOFILE: keep fd then */
    if (high >= 0) {
        close(fd);
        fd = high;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return -1;
    }
    if (S_ISREG(sb.st_mode) && ftruncate(fd, 0) != 0) { /* (not /dev/null, a pipe, ...) */
        close(fd);
        return -1;
    }
    g_dev = sb.st_dev;
    g_ino = sb.st_ino;
    return fd;
}

static void boot(void)
{
    if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) == ST_READY) return;
    if (t_booting) return; /* called from inside our own boot (dlsym allocating): g_lock is ours */
    int saved_errno = errno; /* (open, dlsym... may set it; see record) */
    pthread_mutex_lock(&g_lock);
    if (g_state == ST_NONE) {
        g_state = ST_BOOTING;
        t_booting = 1; /* allocations from dlsym go to the bump buffer */
        t_busy++;      /* and those of getenv, open, pthread_atfork pass straight through */
        /* Every function is looked up before any is published: a dlsym that allocates and frees
         * (a wrapper preloaded ahead of us) was served by libc's malloc once real_malloc was set,
         * and its free then called real_free, still NULL, or its realloc got NULL. */
        malloc_fn m = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
        free_fn f = (free_fn)dlsym(RTLD_NEXT, "free");
        calloc_fn c = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
        realloc_fn r = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
        reallocarray_fn ra = (reallocarray_fn)dlsym(RTLD_NEXT, "reallocarray");
        posix_memalign_fn pm = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
        aligned_alloc_fn aa = (aligned_alloc_fn)dlsym(RTLD_NEXT, "aligned_alloc");
        aligned_alloc_fn ma = (aligned_alloc_fn)dlsym(RTLD_NEXT, "memalign");
        valloc_fn va = (valloc_fn)dlsym(RTLD_NEXT, "valloc");
        valloc_fn pva = (valloc_fn)dlsym(RTLD_NEXT, "pvalloc");
        real_free = f;
        real_calloc = c;
        real_realloc = r;
        real_reallocarray = ra;
        real_posix_memalign = pm;
        real_aligned_alloc = aa;
        real_memalign = ma;
        real_valloc = va;
        real_pvalloc = pva;
        real_malloc = m;
        const char *out = getenv("RTMEM_TRACE");
        if (out != NULL && *out != '\0' && real_malloc && real_free && real_calloc && real_realloc) {
            g_fd = open_output(out);
            if (g_fd >= 0) {
                /* on before the header's write, so that sink_write's "stop" on a failed write
                 * sticks: chunks after a lost header would make a file no reader can place */
                g_tracing = 1;
                if (rtm_trace_init(&g_tr, RTM_TRACE_BINARY, g_chunk, sizeof g_chunk, 1000000u, sink_write, NULL) !=
                    RTM_OK)
                    g_tracing = 0;
            }
            pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
        }
        t_busy--;
        t_booting = 0;
        __atomic_store_n(&g_state, ST_READY, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&g_lock);
    errno = saved_errno;
}

__attribute__((constructor)) static void rtm_preload_init(void)
{
    t_busy++;
    boot();
    t_busy--;
}

__attribute__((destructor)) static void rtm_preload_fini(void)
{
    if (g_child) return; /* nothing to flush, and g_lock may be held by a thread left behind */
    /* exit() from a signal handler that interrupted this thread inside the library: g_lock may be
     * held by the interrupted frame, which never resumes. Flush only if the lock is free (then no
     * record is half-written); otherwise the last chunk is lost, as at _exit(). */
    if (t_busy) {
        if (pthread_mutex_trylock(&g_lock) != 0) return;
    } else {
        pthread_mutex_lock(&g_lock);
    }
    if (g_tracing) rtm_trace_flush(&g_tr);
    g_tracing = 0;
    if (fd_is_ours()) close(g_fd);
    g_fd = -1;
    pthread_mutex_unlock(&g_lock);
}

static unsigned log2_of(size_t a)
{
    unsigned n = 0;
    while (a > 1) {
        a >>= 1;
        n++;
    }
    return n;
}

/* Appends an event; g_lock held. */
static void put(uint8_t kind, const void *obj, const void *new_obj, size_t size, size_t align)
{
    if (!g_tracing) return;
    rtm_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.align_log2 = (uint8_t)(kind == RTM_TEV_ALIGNED ? log2_of(align) : 0u);
    ev.time = now_us();
    ev.thread = thread_id();
    ev.obj = (uint64_t)(uintptr_t)obj;
    ev.new_obj = (uint64_t)(uintptr_t)new_obj;
    ev.size = size;
    (void)rtm_trace_event_put(&g_tr, &ev);
}

/* A hook records only when the library is ready, tracing, and not inside itself. */
static int enter(void)
{
    if (t_busy || g_child) return 0;
    t_busy++;
    boot();
    return 1;
}
static void leave(void) { t_busy--; }

/* The caller sees libc's errno, whatever recording did to it (a failed chunk write sets it):
 * free() in particular must keep errno (glibc >= 2.33 promises it, programs rely on it). */
static void record(uint8_t kind, const void *obj, const void *new_obj, size_t size, size_t align)
{
    int saved_errno = errno;
    pthread_mutex_lock(&g_lock);
    put(kind, obj, new_obj, size, align);
    pthread_mutex_unlock(&g_lock);
    errno = saved_errno;
}

EXPORT void *malloc(size_t n)
{
    if (real_malloc == NULL) {
        boot();
        if (real_malloc == NULL) return bump_alloc(n, 16); /* dlsym's own, while this thread boots */
    }
    if (!enter()) return real_malloc(n);
    void *p = real_malloc(n);
    record(RTM_TEV_ALLOC, p, NULL, n, 0);
    leave();
    return p;
}

EXPORT void free(void *p)
{
    if (p == NULL || in_bump(p)) return;
    if (!enter()) {
        real_free(p);
        return;
    }
    record(RTM_TEV_FREE, p, NULL, 0, 0);
    real_free(p);
    leave();
}

EXPORT void *calloc(size_t n, size_t m)
{
    if (real_calloc == NULL) {
        /* Before our constructor (another library's constructor calls calloc first), boot as malloc
         * does: the bump buffer is never reclaimed, and serving such a program from it ran it dry. */
        boot();
        if (real_calloc == NULL) { /* dlsym's own calloc, while this thread boots */
            if (m != 0 && n > SIZE_MAX / m) return NULL;
            return bump_alloc(n * m, 16);
        }
    }
    if (!enter()) return real_calloc(n, m);
    void *p = real_calloc(n, m);
    size_t bytes = (m != 0 && n > SIZE_MAX / m) ? SIZE_MAX : n * m;
    record(RTM_TEV_ALLOC, p, NULL, bytes, 0);
    leave();
    return p;
}

static void *realloc_common(void *p, size_t n, int array, size_t count)
{
    if (p != NULL && in_bump(p)) { /* a bootstrap block: move it out to libc */
        size_t old = bump_size(p), want = n;
        if (array && n != 0 && count > SIZE_MAX / n) {
            errno = ENOMEM;
            return NULL;
        }
        if (array) want = count * n;
        void *q = malloc(want);
        if (q != NULL) memcpy(q, p, old < want ? old : want);
        return q;
    }
    if (real_realloc == NULL) boot();
    size_t bytes = n;
    if (array) bytes = (n != 0 && count > SIZE_MAX / n) ? SIZE_MAX : count * n;
    if (real_realloc == NULL) return p == NULL ? malloc(bytes) : NULL; /* dlsym's, while booting */
    if (!enter()) return array ? real_reallocarray(p, count, n) : real_realloc(p, n);
    pthread_mutex_lock(&g_lock); /* no other thread may record the old address before we do */
    void *q = array ? real_reallocarray(p, count, n) : real_realloc(p, n);
    int saved_errno = errno; /* libc's, as in record */
    if (p == NULL) put(RTM_TEV_ALLOC, q, NULL, bytes, 0);
    else put(RTM_TEV_REALLOC, p, q, bytes, 0); /* q NULL: failed (bytes > 0) or freed (bytes 0) */
    pthread_mutex_unlock(&g_lock);
    errno = saved_errno;
    leave();
    return q;
}

EXPORT void *realloc(void *p, size_t n) { return realloc_common(p, n, 0, 0); }

EXPORT void *reallocarray(void *p, size_t count, size_t n)
{
    if (real_reallocarray == NULL) boot();
    if (real_reallocarray == NULL) { /* very old libc */
        if (n != 0 && count > SIZE_MAX / n) {
            errno = ENOMEM;
            return NULL;
        }
        return realloc_common(p, count * n, 0, 0);
    }
    return realloc_common(p, n, 1, count);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (real_posix_memalign == NULL) boot();
    if (real_posix_memalign == NULL) return ENOMEM; /* dlsym's, while booting */
    if (!enter()) return real_posix_memalign(out, align, n);
    int rc = real_posix_memalign(out, align, n);
    if (rc == 0) record(RTM_TEV_ALIGNED, *out, NULL, n, align);
    else if (rc == ENOMEM) record(RTM_TEV_ALIGNED, NULL, NULL, n, align);
    leave();
    return rc;
}

static void *aligned_common(aligned_alloc_fn fn, size_t align, size_t n)
{
    if (fn == NULL) return NULL;
    if (!enter()) return fn(align, n);
    void *p = fn(align, n);
    if (p != NULL || errno == ENOMEM) {
        /* glibc's memalign (and aligned_alloc before 2.38) rounds an alignment that is not a power
         * of two up to the next one and aligns to that: record that alignment. (One above
         * SIZE_MAX / 2 + 1 has none; glibc refuses it with EINVAL, which is not recorded.) */
        size_t a = align < 1 ? 1 : align;
        while (a & (a - 1)) a = (a | (a - 1)) + 1; /* next power of two up */
        if (a != 0) record(RTM_TEV_ALIGNED, p, NULL, n, a);
    }
    leave();
    return p;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (real_aligned_alloc == NULL) boot();
    return aligned_common(real_aligned_alloc, align, n);
}

EXPORT void *memalign(size_t align, size_t n)
{
    if (real_memalign == NULL) boot();
    return aligned_common(real_memalign, align, n);
}

static void *page_common(valloc_fn fn, size_t n)
{
    if (fn == NULL) return NULL;
    if (!enter()) return fn(n);
    void *p = fn(n);
    int saved_errno = errno;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    errno = saved_errno;
    record(RTM_TEV_ALIGNED, p, NULL, n, page);
    leave();
    return p;
}

EXPORT void *valloc(size_t n)
{
    if (real_valloc == NULL) boot();
    return page_common(real_valloc, n);
}

EXPORT void *pvalloc(size_t n) /* records the size asked for; libc rounds it up to whole pages */
{
    if (real_pvalloc == NULL) boot();
    return page_common(real_pvalloc, n);
}
