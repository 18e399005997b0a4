/* Preloaded with librtmem-trace.so by test_preload: write() and writev() fail (EIO) for data that
 * starts with the trace header's magic and work for everything else, i.e. the header of a trace is lost
 * and its chunks could still be written. The trace library must then stop tracing, not write
 * chunks that no reader could place. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

__attribute__((visibility("default"))) ssize_t write(int fd, const void *buf, size_t n)
{
    if (n >= 8 && memcmp(buf, "RTMTRACE", 8) == 0) {
        errno = EIO;
        return -1;
    }
    return syscall(SYS_write, fd, buf, n);
}

__attribute__((visibility("default"))) ssize_t writev(int fd, const struct iovec *iov, int n)
{
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len == 0) continue;
        if (iov[i].iov_len >= 8 && memcmp(iov[i].iov_base, "RTMTRACE", 8) == 0) {
            errno = EIO;
            return -1;
        }
        break;
    }
    return syscall(SYS_writev, fd, iov, n);
}
