/* Programs that meet librtmem-trace.so where it is fragile, run by test_preload (one mode per run):
 *   preload_edge sigfork          fork() from a signal handler, 200 times, while allocating
 *   preload_edge sigexit          exit() from a signal handler while allocating
 *   preload_edge closefd FILE     closes descriptors 3..63 (as daemons do), then writes FILE
 *   preload_edge fillfd FILE      closes every descriptor from 3 and dup()s FILE onto all of them
 *   preload_edge spawn            forks and execs itself ("child") with the same environment
 *   preload_edge errno            checks that malloc and free leave errno alone while the trace
 *                                 file hits RLIMIT_FSIZE
 *   preload_edge memalign         memalign with alignments that are not powers of two
 *   preload_edge plain            allocates 50,000 small blocks
 *   preload_edge xfsz             allocates past RLIMIT_FSIZE with SIGXFSZ's default action
 *   preload_edge epipe            runs itself (pipechild) tracing into a pipe whose reader is gone
 * Each exits 0 when what it sees of its own behaviour is right (test_preload then checks the trace
 * and the files); a deadlock is caught by test_preload's deadline, not here. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARK 77000u /* the sizes test_preload looks for: libc and the loader never ask for them */

static volatile sig_atomic_t g_forks;

/* One shot, re-armed at the end of the handler: an interval timer shorter than a fork (slow or
 * busy machines) would keep a signal pending on every return and the loop would never run. */
static void arm_2ms(void)
{
    struct itimerval it = {{0, 0}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void on_alarm_fork(int sig)
{
    (void)sig;
    pid_t c = fork();
    if (c == 0) _exit(0);
    if (c > 0) waitpid(c, NULL, 0);
    g_forks++;
    if (g_forks < 200) arm_2ms();
}

static void on_alarm_exit(int sig)
{
    (void)sig;
    exit(0); /* not async-signal-safe in general; programs do it, and the library must not hang */
}

/* The timer fires at arbitrary points of the loop; most of the loop's time is spent inside the
 * library, holding its lock, which is where a handler that forks or exits used to deadlock. */
static int sigfork(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm_fork;
    sigaction(SIGALRM, &sa, NULL);
    arm_2ms();
    while (g_forks < 200) free(malloc(64));
    return 0;
}

static _Noreturn void sigexit(void)
{
    signal(SIGALRM, on_alarm_exit);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    for (;;) free(malloc(64));
}

static const char g_data[] = "program data\n";

static int write_and_check(int fd, const char *path)
{
    for (int i = 0; i < 20000; i++) free(malloc(16)); /* several trace chunks' worth */
    if (write(fd, g_data, sizeof g_data - 1) != (ssize_t)(sizeof g_data - 1)) return 1;
    if (close(fd)) return 1;
    (void)path; /* the file's content is checked by test_preload after exit (the final flush) */
    return 0;
}

static int closefd(const char *path)
{
    for (int fd = 3; fd < 64; fd++) close(fd);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 1;
    return write_and_check(fd, path);
}

/* The worst case for a library that keeps a descriptor: every number it might hold is closed and
 * then refers to the program's file. Capped so that a huge soft limit does not make this slow. */
static int fillfd(const char *path)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl)) return 1;
    int top = rl.rlim_cur > 2048 ? 2048 : (int)rl.rlim_cur;
    for (int fd = 3; fd < top; fd++) close(fd);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 1;
    for (int k = 3; k < top; k++)
        if (k != fd && dup2(fd, k) != k) return 1;
    int rc = write_and_check(fd, path);
    for (int k = 3; k < top; k++) close(k);
    return rc;
}

/* The parent's marker blocks are MARK + 0..9, the child's MARK + 500..: the trace must hold the
 * parent's ten and none of the child's. The child writes well over one trace chunk. */
static int spawn(const char *self)
{
    void *keep[10];
    for (unsigned i = 0; i < 5; i++) keep[i] = malloc(MARK + i);
    pid_t c = fork();
    if (c < 0) return 1;
    if (c == 0) {
        execl(self, self, "child", (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
    for (unsigned i = 5; i < 10; i++) keep[i] = malloc(MARK + i);
    for (unsigned i = 0; i < 10; i++) free(keep[i]);
    return 0;
}

static int child(void)
{
    for (unsigned i = 0; i < 50000; i++) free(malloc(MARK + 500 + i % 100));
    return 0;
}

/* A free that writes a chunk which fails (EFBIG past RLIMIT_FSIZE) must not leave write()'s errno
 * behind: glibc >= 2.33 promises that free preserves errno, and programs rely on it. The limit
 * lets the header and the first chunk through and stops the second. */
static int errno_kept(void)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {70000, 70000};
    if (setrlimit(RLIMIT_FSIZE, &rl)) return 1;
    unsigned bad = 0;
    for (int i = 0; i < 60000; i++) {
        errno = 0;
        void *p = malloc(16);
        if (errno) bad++;
        errno = 0;
        free(p);
        if (errno) {
            if (bad == 0) fprintf(stderr, "free() set errno %d at %d\n", errno, i);
            bad++;
        }
    }
    errno = 0;
    /* fails with ENOMEM everywhere (more than PTRDIFF_MAX: glibc refuses it before trying); SIZE_MAX / 2
     * did not: a 32-bit process can get 2 GiB (CI of the -m32 build under qemu-i386) */
    volatile size_t too_big = SIZE_MAX - 4095; /* (volatile: not a compile-time -Walloc-size-larger-than) */
    void *huge = malloc(too_big);                /* the hook returns libc's NULL and ENOMEM */
    if (huge != NULL || errno != ENOMEM) bad++;
    printf("errno changed %u times\n", bad);
    return bad != 0;
}

/* memalign rounds an alignment that is not a power of two up to the next one (glibc); the trace
 * records that alignment: 24 -> 32, 48 -> 64, 3 -> 4. */
static int memalign_odd(void)
{
    static const size_t al[] = {24, 48, 3};
    for (unsigned i = 0; i < 3; i++) {
        void *p = memalign(al[i], MARK + i);
        if (p == NULL) return 1;
        size_t want = al[i] == 24 ? 32 : al[i] == 48 ? 64 : 4;
        if ((uintptr_t)p % want) return 1;
        free(p);
    }
    /* alignments 1 and 0 (recorded as 1: log2 0), and requests that fail: recorded too, with what was
     * asked (a calloc whose product overflows as SIZE_MAX) */
    void *p = memalign(1, MARK + 3);
    if (p == NULL) return 1;
    free(p);
    volatile size_t zero = 0;     /* (volatile: clang refuses a constant 0 as an alignment) */
    p = memalign(zero, MARK + 4); /* alignment 0: glibc's malloc alignment; recorded as 1 too */
    if (p == NULL) return 1;
    free(p);
    volatile size_t huge = SIZE_MAX / 16 + 1, too_big = SIZE_MAX - 4095;
    if (calloc(huge, 16) != NULL) return 1;
    void *q = NULL;
    if (posix_memalign(&q, 64, too_big) != ENOMEM) return 1;
    return 0;
}

/* Signals the trace's writes raise must not reach the program: SIGXFSZ past RLIMIT_FSIZE (the
 * default action kills, with a core), SIGPIPE on a pipe without reader (kills). Without the trace
 * the program meets neither; with it, it was killed by its tracer. Both write modes end here. */
/* Is sig blocked in this thread / pending? */
static int blocked(int sig)
{
    sigset_t cur;
    return pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0 && sigismember(&cur, sig) == 1;
}

static int pending(int sig)
{
    sigset_t p;
    return sigpending(&p) == 0 && sigismember(&p, sig) == 1;
}

/* Allocates (the library writes chunks, failing ones too), then: 4 when the library left SIGPIPE
 * or SIGXFSZ blocked (it blocks them around each write: the program's mask must be its own
 * again). */
static int allocate_on(void)
{
    for (int i = 0; i < 60000; i++) free(malloc(16));
    return blocked(SIGPIPE) || blocked(SIGXFSZ) ? 4 : 0;
}

static int xfsz(void)
{
    signal(SIGXFSZ, SIG_DFL);
    struct rlimit rl = {70000, 70000}; /* the header and the first chunk, not the second */
    if (setrlimit(RLIMIT_FSIZE, &rl)) return 1;
    return allocate_on();
}

/* The child traces into its stdout, a pipe whose only reader is the child's own copy (fd rd):
 * open at the library's start, closed in main, so that every chunk write meets a pipe without
 * reader. The parent's own trace is the file test_preload named. */
static int epipe_run(const char *self, const char *how)
{
    int fds[2];
    if (pipe(fds)) return 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        char rd[16];
        snprintf(rd, sizeof rd, "%d", fds[0]);
        if (dup2(fds[1], 1) < 0) _exit(1);
        close(fds[1]);
        setenv("RTMEM_TRACE", "/dev/stdout", 1);
        execl(self, self, "pipechild", rd, how, (char *)NULL);
        _exit(1);
    }
    close(fds[0]);
    close(fds[1]);
    int st;
    if (waitpid(pid, &st, 0) != pid) return 1;
    if (!WIFEXITED(st)) fprintf(stderr, "pipechild %s killed by signal %d\n", how, WTERMSIG(st));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
}

static int epipe(const char *self)
{
    int rc = epipe_run(self, "default");
    return rc ? rc : epipe_run(self, "pending");
}

/* @p how "default": SIGPIPE's default action, which must not be met. "pending": the program
 * blocks SIGPIPE and has one pending: still pending afterwards (the library takes back only the
 * one its own write raised), else exit status 5. */
static int pipechild(const char *rd, const char *how)
{
    signal(SIGPIPE, SIG_DFL);
    close(atoi(rd));
    if (strcmp(how, "pending")) return allocate_on();
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &pipe_only, NULL) != 0 || raise(SIGPIPE) != 0 || !pending(SIGPIPE)) return 1;
    for (int i = 0; i < 60000; i++) free(malloc(16));
    if (!pending(SIGPIPE)) return 5;
    return blocked(SIGPIPE) && !blocked(SIGXFSZ) ? 0 : 4;
}

static int plain(void)
{
    for (int i = 0; i < 50000; i++) free(malloc(16));
    return blocked(SIGPIPE) || blocked(SIGXFSZ) ? 4 : 0; /* the writes' blocking undone */
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    int rc = 2;
    if (!strcmp(m, "sigfork")) rc = sigfork();
    else if (!strcmp(m, "sigexit")) sigexit();
    else if (!strcmp(m, "closefd") && argc > 2) rc = closefd(argv[2]);
    else if (!strcmp(m, "fillfd") && argc > 2) rc = fillfd(argv[2]);
    else if (!strcmp(m, "spawn")) rc = spawn(argv[0]);
    else if (!strcmp(m, "child")) rc = child();
    else if (!strcmp(m, "errno")) rc = errno_kept();
    else if (!strcmp(m, "memalign")) rc = memalign_odd();
    else if (!strcmp(m, "plain")) rc = plain();
    else if (!strcmp(m, "xfsz")) rc = xfsz();
    else if (!strcmp(m, "epipe")) rc = epipe(argv[0]);
    else if (!strcmp(m, "pipechild") && argc > 2) rc = pipechild(argv[2], argc > 3 ? argv[3] : "default");
    else fprintf(stderr, "usage: preload_edge sigfork|sigexit|closefd F|fillfd F|spawn|errno|memalign|plain|xfsz|epipe\n");
    return rc;
}
