/* libFuzzer target: the trace reader (both formats) and the conversion to an op list must accept
 * or reject any input with a message, never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trace_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rtm_trace_data d;
    char err[256];
    int rc = rtm_trace_parse(data, size, &d, err, sizeof err);
    if (rc != 0 && (strncmp(err, "byte ", 5) != 0 || memchr(err, '\n', strlen(err)) != NULL))
        __builtin_trap(); /* every error names its byte offset, on one line */
    if (rc == 0 && d.good_bytes != size) __builtin_trap();
    for (size_t i = 0; i < d.n; i++) {
        if (d.ev[i].file != RTM_TRACE_NO_FILE && d.ev[i].file >= d.nfiles) __builtin_trap();
        if (d.ev[i].offset >= size) __builtin_trap();
    }
    /* the events before a break are usable: convert them */
    rtm_oplist ops = {0};
    rtm_trace_convert_stats st;
    (void)rtm_trace_to_oplist(&d, &ops, &st, err, sizeof err);
    for (size_t i = 0; i < ops.n; i++)
        if (ops.ops[i].id >= ops.max_id) __builtin_trap();
    rtm_oplist_free(&ops);
    rtm_trace_data_free(&d);
    return 0;
}
