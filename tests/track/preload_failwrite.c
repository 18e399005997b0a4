/* Preloaded with librtmem-trace.so by test_preload: write() fails (EIO) for a buffer that starts
 * with the trace header's magic and works for everything else, i.e. the header of a trace is lost
 * and its chunks could still be written. The trace library must then stop tracing, not write
 * chunks that no reader could place. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((visibility("default"))) ssize_t write(int fd, const void *buf, size_t n)
{
    if (n >= 8 && memcmp(buf, "RTMTRACE", 8) == 0) {
        errno = EIO;
        return -1;
    }
    return syscall(SYS_write, fd, buf, n);
}
