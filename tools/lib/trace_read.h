/*
 * trace_read.h - host-side reader of rtmem allocation traces (binary and text formats of
 * docs/trace-format.md) and their conversion to an operation list (rtm_ops.h) for replay.
 * Host-only (libc). Every malformed, truncated or hostile input yields an error message naming the
 * byte offset (binary) or line (text); never a crash, never unbounded memory beyond O(input size).
 */
#ifndef RTM_TRACE_READ_H
#define RTM_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtm_ops.h"
#include "rtmem/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTM_TRACE_NO_FILE UINT32_MAX

/** One decoded event (fields as in rtm_trace_event; the site file is an index into files). */
typedef struct {
    uint8_t kind;        /**< rtm_trace_kind */
    uint8_t align_log2;
    uint32_t file;       /**< index into rtm_trace_data.files, or RTM_TRACE_NO_FILE */
    uint32_t line;
    uint64_t time, thread, obj, new_obj, size;
    uint64_t offset;     /**< where the record is: its byte offset in a binary trace, its line in a text trace */
} rtm_trace_rec;

/** Heap layout of the build that captured a trace (recorded from version 2 on). */
typedef struct {
    uint32_t version;    /**< format version of the trace: 1 or 2 */
    uint32_t word_size;  /**< capturing build's sizeof(size_t): 4 or 8; 0: not recorded (version 1) */
    uint32_t align;      /**< its RTM_ALIGN in bytes (a power of two, word_size .. 4096); 0: not recorded */
} rtm_trace_layout;

typedef struct {
    int binary;          /**< 1: binary format, 0: text */
    rtm_trace_layout layout; /**< version (1 or 2); version 2: the capturing build's layout */
    uint32_t clock_hz;
    rtm_trace_rec *ev;
    size_t n, cap;
    char **files;        /**< site file names (NUL-terminated copies) */
    size_t nfiles, files_cap;
    uint64_t chunks;     /**< complete binary chunks read */
    uint64_t good_bytes; /**< input bytes before the first error (all of it on success) */
} rtm_trace_data;

/**
 * Decodes @p len bytes at @p data (format detected from the first bytes) into @p out (which must be
 * zero-filled or freed). Returns 0 on success. On error returns -1 and writes one line (no newline)
 * "byte N: what" (binary) or "line N: what" (text) to @p err; @p out then holds every event before
 * the break (binary: every complete, valid chunk before it), so a truncated capture is still
 * usable. O(len).
 */
int rtm_trace_parse(const uint8_t *data, size_t len, rtm_trace_data *out, char *err, size_t errlen);

/** rtm_trace_parse on the contents of file @p path; err names the file ("PATH: byte N: ..." or "PATH:N: ..."). */
int rtm_trace_load(const char *path, rtm_trace_data *out, char *err, size_t errlen);

/** Frees what rtm_trace_parse allocated; @p d is zero-filled afterwards. */
void rtm_trace_data_free(rtm_trace_data *d);

/** What the conversion to an op list found. */
typedef struct {
    size_t allocs;         /**< ALLOC / ALIGNED events (and REALLOC from nothing, and the object of 0
                                bytes a REALLOC to size 0 returned) turned into ops */
    size_t frees;          /**< FREE events of live objects (and REALLOC to size 0) */
    size_t reallocs;       /**< REALLOC events of live objects */
    size_t unknown_frees;  /**< FREE / REALLOC of an object that is not live: skipped */
    size_t dup_allocs;     /**< ALLOC of an object that is still live: the old one is freed first */
    size_t failed;         /**< events recording a failed request (object 0): skipped */
    size_t live_at_end;    /**< objects never freed */
    uint64_t peak_live;    /**< highest sum of sizes of live objects */
    uint64_t end_live;     /**< sum of sizes of objects never freed */
} rtm_trace_convert_stats;

/**
 * Turns the events of @p d into ops appended to @p out (object addresses become dense ids, reused
 * after a free). @p st (may be NULL) receives the counts above. Returns 0, or -1 with "byte N:
 * what" ("line N: what" for a text trace) in @p err for an event the op list cannot express (size
 * above 4 GiB - 1, alignment above 2^31); @p out then holds the ops before it. O(events) expected.
 */
int rtm_trace_to_oplist(const rtm_trace_data *d, rtm_oplist *out, rtm_trace_convert_stats *st, char *err,
                        size_t errlen);

/**
 * rtm_trace_load() then rtm_trace_to_oplist(), for the CLI commands that replay a trace file: @p out
 * (empty: {0}) gets the ops, named after the file's base name; @p st the conversion's counts,
 * @p events the number of events read, @p layout (may be NULL) the trace's recorded layout. With @p partial, a file that is cut short or corrupt after
 * at least one event gives the events before the damage: *@p damaged is then true and @p err says
 * where (a warning for the caller to print); otherwise that is an error. Returns 0, or -1 with @p err
 * set (a load error as rtm_trace_load words it, a conversion error prefixed with "PATH: ") and
 * @p out freed. O(events).
 */
int rtm_trace_load_oplist(const char *path, bool partial, rtm_oplist *out, rtm_trace_convert_stats *st,
                          size_t *events, bool *damaged, rtm_trace_layout *layout, char *err, size_t errlen);

/**
 * Writes "no allocations to replay (...)" into @p buf (@p n bytes; 128 hold any): what a trace whose
 * conversion gave no op holds instead (no event, or only frees of unknown objects and failed
 * requests; from @p st and @p events of rtm_trace_load_oplist). The one-line error of the commands
 * that replay a trace (a trace that replays nothing is almost always the wrong file or a capture
 * that did not start). Returns @p buf. O(1).
 */
const char *rtm_trace_describe_empty(const rtm_trace_convert_stats *st, size_t events, char *buf, size_t n);

/** This build's heap layout (sizeof(size_t), RTM_ALIGN), as a version 2 trace records it. */
rtm_trace_layout rtm_trace_layout_host(void);

/** Writes "W-bit, N-byte headers, A-byte alignment" for the recorded layout @p l into @p buf
 *  (@p n bytes; 64 hold any layout) and returns @p buf. O(1). */
const char *rtm_trace_layout_describe(const rtm_trace_layout *l, char *buf, size_t n);

/**
 * Prints the trace layout @p l to @p out, each line starting with @p indent: "trace's layout: not
 * recorded (version 1 trace)", or the layout and whether it is this build's; when it is not, a
 * second line says that figures are for this build's layout and which build options (-DRTM_M32=ON,
 * -DRTM_ALIGN=N) give the trace's. Returns 1 if the layout differs from this build's, 0 if it is
 * the same, -1 if it is not recorded. O(1).
 */
int rtm_trace_layout_print(FILE *out, const char *indent, const rtm_trace_layout *l);

#ifdef __cplusplus
}
#endif

#endif /* RTM_TRACE_READ_H */
