/*
 * rtmem/trace.h - allocation trace capture: every alloc / free / realloc / aligned alloc event to a
 * sink, in a compact binary format or a line-oriented text format (both in docs/trace-format.md).
 *
 * Binary: a 16-byte header (magic "RTMTRACE", version, the capturing build's word size and
 * RTM_ALIGN, clock rate) then chunks. A chunk is a
 * marker byte, the payload length, a CRC-32 of the payload and the payload: records with
 * varint/zigzag delta encoding against the previous record of the same chunk. Every chunk starts
 * from a clean state, so a capture cut short (a device reset, a full UART buffer) is readable up
 * to the last complete chunk. A record costs 4-8 bytes typically (plus the site file name once per
 * chunk).
 * Text: one line per event, for humans and hand-written tests.
 *
 * The encoder buffers one chunk (binary) or a few lines (text) in a caller-provided buffer and
 * hands complete chunks / lines to the sink. It never allocates and never calls the OS: the caller
 * supplies timestamps and thread ids (rtmem/track.h does so from the port). Not thread-safe: the
 * caller serialises (a tracker with cfg.locked does). ISR-safe if the sink is.
 */
#ifndef RTMEM_TRACE_H
#define RTMEM_TRACE_H

#include "rtmem/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest site file name a record carries (8..255); longer names keep their last RTM_TRACE_FILE_MAX
 *  bytes. */
#ifndef RTM_TRACE_FILE_MAX
#define RTM_TRACE_FILE_MAX 64
#endif
/** Distinct file names a chunk remembers (each is sent once per chunk per slot). At most 64. */
#ifndef RTM_TRACE_FILE_SLOTS
#define RTM_TRACE_FILE_SLOTS 8
#endif
/** Smallest buffer rtm_trace_init accepts: 256 bytes, more when RTM_TRACE_FILE_MAX is above 110 (the
 *  longest text line, 146 bytes plus the file name, must fit: trace.c asserts it). */
#define RTM_TRACE_BUF_MIN (RTM_TRACE_FILE_MAX > 110u ? 146u + RTM_TRACE_FILE_MAX : 256u)
/** Largest chunk payload a reader accepts (and so the largest useful buffer). */
#define RTM_TRACE_CHUNK_MAX (1u << 20)
/** Format version written in the header. Version 2 records the capturing build's heap layout
 *  (sizeof(size_t) and RTM_ALIGN) in the header; readers also accept version 1 (layout unknown). */
#define RTM_TRACE_VERSION 2u

/** Receives @p len bytes of trace data (binary: a header or a chunk part; text: whole lines). */
typedef void (*rtm_trace_sink)(void *ctx, const void *data, size_t len);

typedef enum { RTM_TRACE_BINARY = 0, RTM_TRACE_TEXT = 1 } rtm_trace_format;

/** Event kinds (also their codes in the binary format). */
typedef enum {
    RTM_TEV_ALLOC = 1,   /**< obj, size */
    RTM_TEV_FREE = 2,    /**< obj */
    RTM_TEV_REALLOC = 3, /**< obj (old, 0: none), new_obj (0: failed or freed), size */
    RTM_TEV_ALIGNED = 4, /**< obj, size, align_log2 */
} rtm_trace_kind;

/** One event. obj values are object identities: addresses, or any ids (0 means "none"). */
typedef struct {
    uint8_t kind;        /**< rtm_trace_kind */
    uint8_t align_log2;  /**< RTM_TEV_ALIGNED: log2 of the alignment (0..63) */
    uint32_t line;       /**< site line (0 with file NULL: no site) */
    uint64_t time;       /**< timestamp in ticks of the clock rate given at init */
    uint64_t thread;     /**< thread identity */
    uint64_t obj;        /**< the object (REALLOC: the old one) */
    uint64_t new_obj;    /**< REALLOC: the new object */
    uint64_t size;       /**< bytes requested (ALLOC, ALIGNED, REALLOC) */
    const char *file;    /**< site file or NULL; a NUL-terminated string, read during the call only
                              (names are matched by content: one buffer may carry different names) */
} rtm_trace_event;

/**
 * Encoder state. Lives wherever the caller wants (static, stack); fields are private: use the
 * functions below.
 */
typedef struct rtm_trace {
    rtm_trace_sink sink_;
    void *ctx_;
    uint8_t *buf_;
    size_t cap_, pos_;
    uint64_t prev_time_, prev_obj_, thread_;
    uint64_t last_time_; /* the last event's (clamped) time: the clamp floor, kept across chunks */
    uint32_t file_at_[RTM_TRACE_FILE_SLOTS]; /* where each slot's name bytes are in buf_ */
    uint8_t file_len_[RTM_TRACE_FILE_SLOTS]; /* and their length */
    unsigned next_slot_;
    uint8_t format_, slots_used_, pad_[2];
    uint64_t events_, bytes_, chunks_, clamped_;
    uint64_t bad_requests_; /* rtm_trace_event_put calls rejected since init */
} rtm_trace;

/**
 * Starts a trace in @p tr writing to @p sink; @p buf (@p bytes >= RTM_TRACE_BUF_MIN) holds the
 * current chunk (binary; payloads above RTM_TRACE_CHUNK_MAX are never produced) or pending lines
 * (text). @p clock_hz is the tick rate of event timestamps (0: unknown). Sends the header to the
 * sink at once; it records this build's sizeof(size_t) and RTM_ALIGN (docs/trace-format.md). Fails with RTM_ERR_ARG (tr, sink or buf NULL, format unknown) or
 * RTM_ERR_TOO_SMALL (bytes < RTM_TRACE_BUF_MIN); tr is then zero-filled (calls on it do nothing).
 * O(1).
 */
rtm_err rtm_trace_init(rtm_trace *tr, rtm_trace_format format, void *buf, size_t bytes, uint32_t clock_hz,
                       rtm_trace_sink sink, void *ctx);

/**
 * Appends one event. Timestamps must not decrease (a smaller one is clamped to the previous value
 * and counted). Returns RTM_OK, RTM_ERR_ARG (tr/ev NULL or a trace that failed init) or
 * RTM_ERR_FORMAT (unknown kind, align_log2 > 63); nothing is written then, the error is reported
 * through the error hook, and on an initialised trace (ev NULL or a bad event) counted in
 * stats.bad_requests (a trace that failed init stays zero-filled). May call the sink
 * (a full chunk). O(1) (+ O(RTM_TRACE_FILE_SLOTS x length of the file name) with a site: the binary
 * format compares the name with those the chunk has defined, from the end, byte by byte).
 */
rtm_err rtm_trace_event_put(rtm_trace *tr, const rtm_trace_event *ev);

/** Sends what is buffered (a partial chunk, pending lines) to the sink. O(buffered bytes). */
void rtm_trace_flush(rtm_trace *tr);

/** Counters of a trace. */
typedef struct {
    uint64_t events;   /**< events appended */
    uint64_t bytes;    /**< bytes sent to the sink (header included) */
    uint64_t chunks;   /**< binary chunks (or text flushes) sent */
    uint64_t clamped;  /**< events whose timestamp went backwards */
    uint64_t bad_requests; /**< rtm_trace_event_put calls rejected (ev NULL, unknown kind, align_log2
                                above 63): reported, not written, not in events */
} rtm_trace_stats;

/** Fills @p out (zeroed for NULL tr). O(1). */
void rtm_trace_get_stats(const rtm_trace *tr, rtm_trace_stats *out);

/** CRC-32 (IEEE 802.3, reflected, as zlib) of @p len bytes, continuing from @p crc (start: 0).
 *  NULL @p data counts as no bytes (returns @p crc). O(len); pure: thread- and ISR-safe. */
uint32_t rtm_trace_crc32(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RTMEM_TRACE_H */
