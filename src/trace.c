/*
 * Allocation trace encoder (binary and text), see rtmem/trace.h and docs/trace-format.md.
 *
 * Binary layout (all multi-byte integers little-endian, varints LEB128 unsigned):
 *   header  "RTMTRACE" | u8 version (2) | u8 flags (0) | u8 word size | u8 log2(RTM_ALIGN) |
 *           u32 clock_hz                                                                  16 bytes
 *   chunk   0x43 'C' | varint payload_len | u32 crc32(payload) | payload
 *   record  u8 tag = kind (bits 0-2) | 0x08 thread follows | 0x10 site follows
 *           varint dt                   time - previous record's time (chunk start: time itself)
 *           [varint thread]             when it differs from the previous record's (start: 0)
 *           kind ALLOC:   zz(obj - prev) varint size
 *           kind ALIGNED: zz(obj - prev) varint size, u8 align_log2
 *           kind FREE:    zz(obj - prev)
 *           kind REALLOC: zz(old - prev) zz(new - old) varint size          (prev := new)
 *           [site]  varint (slot << 1 | defines); if defines: varint len, len bytes; varint line
 *   zz(d) is the zigzag mapping of the 64-bit two's-complement difference d.
 * The chunk's delta state (time, object, thread, file slots) starts at zero for every chunk, so
 * each chunk decodes on its own.
 *
 * Guarantees: O(1) per event plus the file name (compared by content with the names the chunk has
 * defined: at most RTM_TRACE_FILE_SLOTS of them); a record is at most RTM_TRACE_REC_MAX bytes, so a
 * chunk never exceeds the caller's buffer; the encoder never allocates and never calls the OS.
 */
#include "rtmem/trace.h"

#include "rtm_internal.h"

/* tag(1) + dt(10) + thread(10) + obj(10) + new(10) + size(10) + align(1) + slot(2) + len(2) +
 * name + line(5) */
#define RTM_TRACE_REC_MAX (61u + RTM_TRACE_FILE_MAX)
#define RTM_TRACE_HDR_BYTES 16u
#define RTM_TRACE_CHUNK_MARK 0x43u
#define TAG_THREAD 0x08u
#define TAG_SITE 0x10u

_Static_assert(RTM_TRACE_FILE_SLOTS >= 1 && RTM_TRACE_FILE_SLOTS <= 64, "file slots: 1..64");
_Static_assert(RTM_TRACE_FILE_MAX >= 8 && RTM_TRACE_FILE_MAX <= 255, "file name limit: 8..255");
/* The header records this build's layout; readers accept word sizes 4 and 8 and alignments from
 * the word size to 4096 (docs/trace-format.md). */
_Static_assert(sizeof(size_t) == 4u || sizeof(size_t) == 8u, "trace header: word size 4 or 8");
_Static_assert((RTM_ALIGN & (RTM_ALIGN - 1u)) == 0 && RTM_ALIGN >= sizeof(size_t) && RTM_ALIGN <= 4096u,
               "trace header: RTM_ALIGN a power of two from sizeof(size_t) to 4096");
_Static_assert(RTM_TRACE_REC_MAX + 16u <= RTM_TRACE_BUF_MIN, "minimum buffer holds one record");

/* ---- CRC-32, 4 bits at a time (64-byte table: small enough for an MCU) ------------------------ */
static const uint32_t k_crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t rtm_trace_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    if (p == NULL) return crc; /* no bytes (trace.h) */
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ k_crc_nibble[crc & 15u];
        crc = (crc >> 4) ^ k_crc_nibble[crc & 15u];
    }
    return ~crc;
}

/* ---- small encoders ---------------------------------------------------------------------------- */
static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80u) {
        p[n++] = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static uint64_t zigzag(uint64_t a, uint64_t b)
{
    uint64_t d = a - b; /* two's complement difference */
    return (d << 1) ^ (0u - (d >> 63));
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

static void emit(rtm_trace *tr, const void *data, size_t len)
{
    tr->sink_(tr->ctx_, data, len);
    tr->bytes_ += len;
}

static void chunk_reset(rtm_trace *tr)
{
    tr->pos_ = 0;
    tr->prev_time_ = 0;
    tr->prev_obj_ = 0;
    tr->thread_ = 0;
    tr->next_slot_ = 0;
    tr->slots_used_ = 0;
}

void rtm_trace_flush(rtm_trace *tr)
{
    if (tr == NULL || tr->sink_ == NULL || tr->pos_ == 0) return;
    if (tr->format_ == RTM_TRACE_BINARY) {
        uint8_t hdr[1 + 10 + 4];
        size_t n = 0;
        hdr[n++] = RTM_TRACE_CHUNK_MARK;
        n += put_varint(hdr + n, tr->pos_);
        put_le32(hdr + n, rtm_trace_crc32(0, tr->buf_, tr->pos_));
        n += 4;
        emit(tr, hdr, n);
    }
    emit(tr, tr->buf_, tr->pos_);
    tr->chunks_++;
    chunk_reset(tr);
}

/* ---- text formatting ------------------------------------------------------------------------- */
static size_t fmt_dec(char *p, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) p[i] = tmp[n - 1 - i];
    return n;
}

static size_t fmt_hex(char *p, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = digits[v & 15u];
        v >>= 4;
    } while (v != 0);
    p[0] = '0';
    p[1] = 'x';
    for (size_t i = 0; i < n; i++) p[2 + i] = tmp[n - 1 - i];
    return n + 2;
}

/* File name as it goes into a record: at most RTM_TRACE_FILE_MAX bytes, the tail of long paths. */
static const char *file_tail(const char *file, size_t *len)
{
    size_t n = str_len(file);
    if (n > RTM_TRACE_FILE_MAX) {
        file += n - RTM_TRACE_FILE_MAX;
        n = RTM_TRACE_FILE_MAX;
    }
    *len = n;
    return file;
}

/* Longest text line: kind + 5 numbers (<= 20 chars each) + align + site + spaces + newline. */
#define TEXT_LINE_MAX (8u + 6u * 21u + RTM_TRACE_FILE_MAX + 12u)

_Static_assert(TEXT_LINE_MAX <= RTM_TRACE_BUF_MIN, "minimum buffer holds one text line");

/* One text line for ev, with time as its timestamp (the clamped one, not ev->time). */
static size_t text_line(char *p, const rtm_trace_event *ev, uint64_t time)
{
    static const char kinds[] = "?afrm";
    size_t n = 0;
    p[n++] = kinds[ev->kind];
    p[n++] = ' ';
    n += fmt_dec(p + n, time);
    p[n++] = ' ';
    n += fmt_hex(p + n, ev->thread);
    p[n++] = ' ';
    n += fmt_hex(p + n, ev->obj);
    if (ev->kind == RTM_TEV_REALLOC) {
        p[n++] = ' ';
        n += fmt_hex(p + n, ev->new_obj);
    }
    if (ev->kind != RTM_TEV_FREE) {
        p[n++] = ' ';
        n += fmt_dec(p + n, ev->size);
    }
    if (ev->kind == RTM_TEV_ALIGNED) {
        p[n++] = ' ';
        n += fmt_dec(p + n, (uint64_t)1u << ev->align_log2);
    }
    if (ev->file != NULL) {
        size_t len;
        const char *f = file_tail(ev->file, &len);
        p[n++] = ' ';
        for (size_t i = 0; i < len; i++) {
            char c = f[i];
            p[n++] = (c == ' ' || c == '\t' || c == '\n' || c == '\r') ? '_' : c;
        }
        p[n++] = ':';
        n += fmt_dec(p + n, ev->line);
    }
    p[n++] = '\n';
    return n;
}

/* ---- public ------------------------------------------------------------------------------------ */
rtm_err rtm_trace_init(rtm_trace *tr, rtm_trace_format format, void *buf, size_t bytes, uint32_t clock_hz,
                       rtm_trace_sink sink, void *ctx)
{
    if (tr == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_ERR_ARG;
    }
    rtm_memset(tr, 0, sizeof *tr);
    if (sink == NULL || buf == NULL || (format != RTM_TRACE_BINARY && format != RTM_TRACE_TEXT)) {
        rtm_report(RTM_ERR_ARG, tr, buf);
        return RTM_ERR_ARG;
    }
    if (bytes < RTM_TRACE_BUF_MIN) {
        rtm_report(RTM_ERR_TOO_SMALL, tr, buf);
        return RTM_ERR_TOO_SMALL;
    }
    if (bytes > RTM_TRACE_CHUNK_MAX) bytes = RTM_TRACE_CHUNK_MAX;
    tr->buf_ = (uint8_t *)buf;
    tr->cap_ = bytes;
    tr->format_ = (uint8_t)format;
    tr->sink_ = sink;
    tr->ctx_ = ctx;
    chunk_reset(tr);
    if (format == RTM_TRACE_BINARY) {
        uint8_t hdr[RTM_TRACE_HDR_BYTES] = {'R', 'T', 'M', 'T', 'R', 'A', 'C', 'E', RTM_TRACE_VERSION, 0,
                                            (uint8_t)sizeof(size_t), (uint8_t)rtm_log2_size(RTM_ALIGN)};
        put_le32(hdr + 12, clock_hz);
        emit(tr, hdr, sizeof hdr);
    } else {
        static const char head[] = "# rtmem-trace text 2 clock_hz=";
        char line[sizeof head + 48];
        size_t n = sizeof head - 1;
        rtm_memcpy(line, head, n);
        n += fmt_dec(line + n, clock_hz);
        rtm_memcpy(line + n, " word=", 6);
        n += 6;
        n += fmt_dec(line + n, sizeof(size_t));
        rtm_memcpy(line + n, " align=", 7);
        n += 7;
        n += fmt_dec(line + n, RTM_ALIGN);
        line[n++] = '\n';
        emit(tr, line, n);
    }
    return RTM_OK;
}

/* The slot of this chunk that holds the name f[0..len), or RTM_TRACE_FILE_SLOTS. Names are matched
 * by content, not by pointer (review finding: a caller reusing one buffer for different names got
 * the first name recorded for all): each defined name's bytes are in the chunk buffer until the
 * flush that also empties the slots. Compared from the end, where paths differ.
 * O(slots x len). */
static unsigned find_slot(const rtm_trace *tr, const char *f, size_t len)
{
    for (unsigned slot = 0; slot < tr->slots_used_; slot++) {
        if (tr->file_len_[slot] != len) continue;
        const uint8_t *b = tr->buf_ + tr->file_at_[slot];
        size_t i = len;
        while (i > 0 && b[i - 1] == (uint8_t)f[i - 1]) i--;
        if (i == 0) return slot;
    }
    return RTM_TRACE_FILE_SLOTS;
}

static size_t put_site(rtm_trace *tr, uint8_t *p, const rtm_trace_event *ev)
{
    size_t n = 0, len;
    const char *f = file_tail(ev->file, &len);
    unsigned slot = find_slot(tr, f, len);
    if (slot < RTM_TRACE_FILE_SLOTS) {
        n += put_varint(p, (uint64_t)slot << 1);
    } else {
        slot = tr->next_slot_;
        tr->next_slot_ = (tr->next_slot_ + 1u) % RTM_TRACE_FILE_SLOTS;
        if (tr->slots_used_ < RTM_TRACE_FILE_SLOTS) tr->slots_used_++;
        n += put_varint(p, ((uint64_t)slot << 1) | 1u);
        n += put_varint(p + n, len);
        rtm_memcpy(p + n, f, len);
        tr->file_at_[slot] = (uint32_t)(p + n - tr->buf_); /* < cap_ <= RTM_TRACE_CHUNK_MAX */
        tr->file_len_[slot] = (uint8_t)len;                /* <= RTM_TRACE_FILE_MAX <= 255 */
        n += len;
    }
    n += put_varint(p + n, ev->line);
    return n;
}

rtm_err rtm_trace_event_put(rtm_trace *tr, const rtm_trace_event *ev)
{
    /* Rejected calls are reported and, on an initialised trace, counted (HACKING.md); a trace that
     * failed init (sink_ NULL) stays zero-filled, as its contract says. */
    if (tr == NULL || tr->sink_ == NULL) {
        rtm_report(RTM_ERR_ARG, tr, ev);
        return RTM_ERR_ARG;
    }
    if (ev == NULL) {
        tr->bad_requests_++;
        rtm_report(RTM_ERR_ARG, tr, ev);
        return RTM_ERR_ARG;
    }
    if (ev->kind < RTM_TEV_ALLOC || ev->kind > RTM_TEV_ALIGNED || (ev->kind == RTM_TEV_ALIGNED && ev->align_log2 > 63u)) {
        tr->bad_requests_++;
        rtm_report(RTM_ERR_FORMAT, tr, ev);
        return RTM_ERR_FORMAT;
    }
    /* The clamp floor is last_time_, not prev_time_: prev_time_ is the chunk's delta base, which a
     * flush resets to 0 (review finding: the first event after rtm_trace_flush went unclamped). */
    uint64_t time = ev->time;
    if (time < tr->last_time_ && tr->events_ != 0) {
        time = tr->last_time_;
        tr->clamped_++;
    }
    tr->last_time_ = time;
    tr->events_++;
    if (tr->format_ == RTM_TRACE_TEXT) {
        if (tr->cap_ - tr->pos_ < TEXT_LINE_MAX) rtm_trace_flush(tr);
        tr->pos_ += text_line((char *)tr->buf_ + tr->pos_, ev, time);
        return RTM_OK;
    }
    if (tr->cap_ - tr->pos_ < RTM_TRACE_REC_MAX) rtm_trace_flush(tr);
    uint8_t *p = tr->buf_ + tr->pos_;
    size_t n = 1;
    uint8_t tag = ev->kind;
    n += put_varint(p + n, time - tr->prev_time_);
    tr->prev_time_ = time;
    if (ev->thread != tr->thread_) {
        tag |= TAG_THREAD;
        n += put_varint(p + n, ev->thread);
        tr->thread_ = ev->thread;
    }
    n += put_varint(p + n, zigzag(ev->obj, tr->prev_obj_));
    tr->prev_obj_ = ev->obj;
    if (ev->kind == RTM_TEV_REALLOC) {
        n += put_varint(p + n, zigzag(ev->new_obj, ev->obj));
        tr->prev_obj_ = ev->new_obj;
    }
    if (ev->kind != RTM_TEV_FREE) n += put_varint(p + n, ev->size);
    if (ev->kind == RTM_TEV_ALIGNED) p[n++] = ev->align_log2;
    if (ev->file != NULL) {
        tag |= TAG_SITE;
        n += put_site(tr, p + n, ev);
    }
    p[0] = tag;
    tr->pos_ += n;
    return RTM_OK;
}

void rtm_trace_get_stats(const rtm_trace *tr, rtm_trace_stats *out)
{
    if (out == NULL) return;
    rtm_memset(out, 0, sizeof *out);
    if (tr == NULL) return;
    out->events = tr->events_;
    out->bytes = tr->bytes_;
    out->chunks = tr->chunks_;
    out->clamped = tr->clamped_;
    out->bad_requests = tr->bad_requests_;
}
