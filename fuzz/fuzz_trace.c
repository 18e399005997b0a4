/* libFuzzer target: the trace reader (both formats) and the conversion to an op list must accept
 * or reject any input with a message, never crash, hang or leak. The op list is then replayed as
 * `rtmem replay` does (tools/lib/runner.c, every heap policy, a 64 KiB arena, with the pattern
 * check): a converted list is well-formed, so nothing may be skipped as malformed, no pattern may
 * be damaged and the heap must reject no free.
 * A binary input is also run a second time with the checksum of every chunk corrected: a mutated
 * payload otherwise fails the CRC and the record decoder behind it is never reached. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "trace_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size)
{
    rtm_trace_data d;
    char err[256];
    int rc = rtm_trace_parse(data, size, &d, err, sizeof err);
    /* every error says where, on one line: a binary trace's byte offset, a text trace's line */
    if (rc != 0 && ((strncmp(err, "byte ", 5) != 0 && strncmp(err, "line ", 5) != 0) ||
                    memchr(err, '\n', strlen(err)) != NULL))
        __builtin_trap();
    if (rc == 0 && d.good_bytes != size) __builtin_trap();
    /* a header that was accepted has a version the reader knows and, for version 2, a valid layout
     * (docs/trace-format.md): word 4 or 8, alignment a power of two from the word size to 4096 */
    const rtm_trace_layout *l = &d.layout;
    if (rc == 0 && l->version == 1 && (l->word_size != 0 || l->align != 0)) __builtin_trap();
    if (rc == 0 && l->version == 2 &&
        ((l->word_size != 4 && l->word_size != 8) || l->align < l->word_size || l->align > 4096 || (l->align & (l->align - 1))))
        __builtin_trap();
    if (rc == 0 && l->version != 1 && l->version != 2 && size > 0) __builtin_trap();
    for (size_t i = 0; i < d.n; i++) {
        if (d.ev[i].file != RTM_TRACE_NO_FILE && d.ev[i].file >= d.nfiles) __builtin_trap();
        if (d.ev[i].offset >= size) __builtin_trap(); /* a byte offset, or a line number (< bytes) */
    }
    /* the events before a break are usable: convert them */
    rtm_oplist ops = {0};
    rtm_trace_convert_stats st;
    (void)rtm_trace_to_oplist(&d, &ops, &st, err, sizeof err);
    for (size_t i = 0; i < ops.n; i++)
        if (ops.ops[i].id >= ops.max_id) __builtin_trap();
    (void)rtm_oplist_peak_live(&ops);
    for (int t = RTM_RUN_GOOD; t <= RTM_RUN_FIRST && ops.n > 0; t++) {
        rtm_run_config cfg;
        rtm_run_config_init(&cfg);
        cfg.target = (rtm_run_target)t;
        cfg.arena = 64u * 1024u; /* `rtmem replay`'s smallest default arena */
        cfg.verify = true;
        rtm_run_result r;
        if (rtm_run(&ops, &cfg, &r) != RTM_OK) __builtin_trap();
        if (r.ops != ops.n || r.bad_ops != 0 || r.verify_errors != 0 || r.heap_bad_frees != 0) __builtin_trap();
    }
    rtm_oplist_free(&ops);
    rtm_trace_data_free(&d);
}

/* Rewrites the CRC of each chunk (marker 0x43, varint length, CRC32, payload) of the binary trace
 * in buf[0..n) that is complete; stops at the first one that is not. True if anything changed. */
static bool fix_crcs(uint8_t *buf, size_t n)
{
    bool changed = false;
    size_t pos = 16;
    while (pos < n && buf[pos] == 0x43u) {
        size_t q = pos + 1;
        uint64_t len = 0;
        unsigned shift = 0;
        for (;; shift += 7) {
            if (q >= n || shift > 63) return changed;
            len |= (uint64_t)(buf[q] & 0x7Fu) << shift;
            if (!(buf[q++] & 0x80u)) break;
        }
        if (len == 0 || len > RTM_TRACE_CHUNK_MAX || n - q < 4 || n - q - 4 < len) return changed;
        uint32_t crc = rtm_trace_crc32(0, buf + q + 4, (size_t)len);
        uint8_t c[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24)};
        if (memcmp(buf + q, c, 4) != 0) {
            memcpy(buf + q, c, 4);
            changed = true;
        }
        pos = q + 4 + (size_t)len;
    }
    return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size);
    if (size > 16 && !memcmp(data, "RTMTRACE", 8)) {
        uint8_t *copy = malloc(size);
        if (copy == NULL) return 0;
        memcpy(copy, data, size);
        if (fix_crcs(copy, size)) one(copy, size);
        free(copy);
    }
    return 0;
}
