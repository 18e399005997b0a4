/* Preloaded with librtmem-trace.so by test_preload (modes shortwrite, killwrite): a writev() as
 * the kernel may give it, deterministic. RTM_WRITEV_MODE=short: every call first fails with EINTR
 * (every other call), and writes at most 1000 bytes when it goes through, splitting pieces and
 * chunks anywhere. RTM_WRITEV_MODE=kill3: the process is killed (SIGKILL) at its third writev,
 * before it writes: the file holds what the first two wrote. Other writes are left alone. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

enum { SHORT_MAX = 1000 };

__attribute__((visibility("default"))) ssize_t writev(int fd, const struct iovec *iov, int n)
{
    static unsigned calls;
    const char *mode = getenv("RTM_WRITEV_MODE");
    calls++;
    if (mode && !strcmp(mode, "kill3") && calls == 3) kill(getpid(), SIGKILL);
    if (!mode || strcmp(mode, "short")) return syscall(SYS_writev, fd, iov, n);
    if (calls % 2) {
        errno = EINTR;
        return -1;
    }
    struct iovec cut[8];
    size_t room = SHORT_MAX;
    int k = 0;
    for (int i = 0; i < n && i < 8 && room > 0; i++) {
        cut[k] = iov[i];
        if (cut[k].iov_len > room) cut[k].iov_len = room;
        room -= cut[k].iov_len;
        k++;
    }
    return syscall(SYS_writev, fd, cut, k);
}
