/* Reader of rtmem allocation traces (docs/trace-format.md) and conversion to op lists. */
#include "trace_read.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_SLOTS_MAX 64u /* the most an encoder may use (RTM_TRACE_FILE_SLOTS <= 64) */
#define RTM_TRACE_ALIGN_LOG2_MAX 12u /* version 2 headers: RTM_ALIGN at most 4096 */

/* Error messages say where: "byte N: what" in a binary trace, "line N: what" in a text trace
 * (compose_err turns the latter into "FILE:N: what", the form compilers and editors know). */
static void vset_err(char *err, size_t errlen, const char *unit, uint64_t where, const char *fmt, va_list ap)
{
    if (err == NULL || errlen == 0) return;
    int n = snprintf(err, errlen, "%s %" PRIu64 ": ", unit, where);
    if (n < 0 || (size_t)n >= errlen) return;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}
static void set_err(char *err, size_t errlen, uint64_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(err, errlen, "byte", off, fmt, ap);
    va_end(ap);
}
static void set_err_line(char *err, size_t errlen, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(err, errlen, "line", line, fmt, ap);
    va_end(ap);
}
/* "PATH: byte N: what" or, for "line N: what", "PATH:N: what". */
static void compose_err(char *err, size_t errlen, const char *path, const char *e)
{
    unsigned long long line;
    int used = 0;
    if (sscanf(e, "line %llu: %n", &line, &used) == 1 && used > 0)
        snprintf(err, errlen, "%s:%llu: %s", path, line, e + used);
    else
        snprintf(err, errlen, "%s: %s", path, e);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) {
        fprintf(stderr, "rtmem: out of host memory (%zu bytes)\n", n);
        exit(3);
    }
    return q;
}

static void push_ev(rtm_trace_data *d, const rtm_trace_rec *r)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->ev = xrealloc(d->ev, d->cap * sizeof *d->ev);
    }
    d->ev[d->n++] = *r;
}

static uint32_t push_file(rtm_trace_data *d, const char *s, size_t len)
{
    if (d->nfiles && strlen(d->files[d->nfiles - 1]) == len && !memcmp(d->files[d->nfiles - 1], s, len))
        return (uint32_t)(d->nfiles - 1);
    if (d->nfiles == d->files_cap) {
        d->files_cap = d->files_cap ? d->files_cap * 2 : 64;
        d->files = xrealloc(d->files, d->files_cap * sizeof *d->files);
    }
    char *c = xrealloc(NULL, len + 1);
    memcpy(c, s, len);
    c[len] = '\0';
    d->files[d->nfiles] = c;
    return (uint32_t)d->nfiles++;
}

void rtm_trace_data_free(rtm_trace_data *d)
{
    if (d == NULL) return;
    for (size_t i = 0; i < d->nfiles; i++) free(d->files[i]);
    free(d->files);
    free(d->ev);
    memset(d, 0, sizeof *d);
}

/* ---- binary -------------------------------------------------------------------------------------- */
typedef struct {
    const uint8_t *p;
    size_t pos, end; /* positions relative to the whole input */
    const char *why;
} cursor;

/* get_u8's reason: compared by address where the input's end means something else (a chunk header) */
static const char k_past_end[] = "record runs past the end of its chunk";

static int get_u8(cursor *c, uint8_t *v)
{
    if (c->pos >= c->end) {
        c->why = k_past_end;
        return -1;
    }
    *v = c->p[c->pos++];
    return 0;
}

/* The 10th byte of a varint carries bit 63 only: a continuation bit there makes the varint longer
 * than 10 bytes (whatever its value: 0x80 x 10, 0x00 is 0), any other bit above 2^64 - 1. The length
 * is checked first, so each input gets the message of its own fault. */
static int get_varint(cursor *c, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b;
        if (get_u8(c, &b)) return -1;
        if (shift == 63 && (b & 0x80u)) {
            c->why = "varint longer than 10 bytes";
            return -1;
        }
        if (shift == 63 && b > 1) {
            c->why = "varint overflows 64 bits";
            return -1;
        }
        x |= (uint64_t)(b & 0x7Fu) << shift;
        if (!(b & 0x80u)) break;
    }
    *v = x;
    return 0;
}

static uint64_t unzigzag(uint64_t z) { return (z >> 1) ^ (0u - (z & 1u)); }

/* Decodes one chunk's payload [c->pos, c->end). On error: -1 with c->why, *bad = offset. */
static int decode_chunk(cursor *c, rtm_trace_data *d, uint64_t *bad)
{
    uint64_t time = 0, obj = 0, thread = 0;
    int32_t slots[FILE_SLOTS_MAX];
    for (unsigned i = 0; i < FILE_SLOTS_MAX; i++) slots[i] = -1;
    while (c->pos < c->end) {
        rtm_trace_rec r;
        memset(&r, 0, sizeof r);
        r.offset = c->pos;
        r.file = RTM_TRACE_NO_FILE;
        *bad = c->pos;
        uint8_t tag;
        uint64_t v;
        if (get_u8(c, &tag)) return -1;
        r.kind = tag & 7u;
        if (r.kind < RTM_TEV_ALLOC || r.kind > RTM_TEV_ALIGNED || (tag & 0xE0u)) {
            c->why = "bad record tag";
            return -1;
        }
        if (get_varint(c, &v)) return -1;
        if (time + v < time) {
            c->why = "timestamp overflows";
            return -1;
        }
        time += v;
        r.time = time;
        if (tag & 0x08u) {
            if (get_varint(c, &thread)) return -1;
        }
        r.thread = thread;
        if (get_varint(c, &v)) return -1;
        r.obj = obj + unzigzag(v);
        obj = r.obj;
        if (r.kind == RTM_TEV_REALLOC) {
            if (get_varint(c, &v)) return -1;
            r.new_obj = r.obj + unzigzag(v);
            obj = r.new_obj;
        }
        if (r.kind != RTM_TEV_FREE && get_varint(c, &r.size)) return -1;
        if (r.kind == RTM_TEV_ALIGNED) {
            if (get_u8(c, &r.align_log2)) return -1;
            if (r.align_log2 > 63) {
                c->why = "alignment above 2^63";
                return -1;
            }
        }
        if (tag & 0x10u) {
            if (get_varint(c, &v)) return -1;
            uint64_t slot = v >> 1;
            if (slot >= FILE_SLOTS_MAX) {
                c->why = "file slot out of range";
                return -1;
            }
            if (v & 1u) {
                uint64_t len;
                if (get_varint(c, &len)) return -1;
                if (len > 255 || len > c->end - c->pos) {
                    c->why = len > 255 ? "file name longer than 255 bytes" : "file name runs past the chunk";
                    return -1;
                }
                slots[slot] = (int32_t)push_file(d, (const char *)c->p + c->pos, (size_t)len);
                c->pos += (size_t)len;
            } else if (slots[slot] < 0) {
                c->why = "file slot used before it is defined";
                return -1;
            }
            r.file = (uint32_t)slots[slot];
            if (get_varint(c, &v)) return -1;
            if (v > UINT32_MAX) {
                c->why = "line number above 2^32 - 1";
                return -1;
            }
            r.line = (uint32_t)v;
        }
        push_ev(d, &r);
    }
    return 0;
}

static int parse_binary(const uint8_t *data, size_t len, rtm_trace_data *d, char *err, size_t errlen)
{
    if (len < 16) {
        set_err(err, errlen, len, "truncated header (16 bytes needed)");
        return -1;
    }
    d->binary = 1;
    d->layout.version = data[8];
    d->clock_hz = (uint32_t)data[12] | (uint32_t)data[13] << 8 | (uint32_t)data[14] << 16 | (uint32_t)data[15] << 24;
    if (d->layout.version != 1 && d->layout.version != 2) {
        set_err(err, errlen, 8, "unsupported version %u", d->layout.version);
        return -1;
    }
    if (d->layout.version == 1 && (data[9] || data[10] || data[11])) {
        set_err(err, errlen, 9, "reserved header bytes are not zero");
        return -1;
    }
    if (d->layout.version == 2) {
        if (data[9]) {
            set_err(err, errlen, 9, "header flags 0x%02x are not zero", data[9]);
            return -1;
        }
        if (data[10] != 4 && data[10] != 8) {
            set_err(err, errlen, 10, "word size %u in the header (expected 4 or 8)", data[10]);
            return -1;
        }
        if ((1u << (data[11] & 31u)) < data[10] || data[11] > RTM_TRACE_ALIGN_LOG2_MAX) {
            set_err(err, errlen, 11, "alignment log2 %u in the header (expected %u..%u: the word size to %u bytes)",
                    data[11], data[10] == 4 ? 2u : 3u, RTM_TRACE_ALIGN_LOG2_MAX, 1u << RTM_TRACE_ALIGN_LOG2_MAX);
            return -1;
        }
        d->layout.word_size = data[10];
        d->layout.align = 1u << data[11];
    }
    size_t pos = 16;
    d->good_bytes = pos;
    while (pos < len) {
        size_t start = pos;
        if (data[pos] != 0x43u) {
            set_err(err, errlen, pos, "expected chunk marker 0x43, found 0x%02x", data[pos]);
            return -1;
        }
        cursor c = {data, pos + 1, len, NULL};
        uint64_t plen;
        if (get_varint(&c, &plen)) { /* the input ended inside it, or the varint itself is bad */
            if (c.why == k_past_end) set_err(err, errlen, start, "truncated chunk header");
            else set_err(err, errlen, start, "chunk length %s", c.why);
            return -1;
        }
        if (plen == 0 || plen > RTM_TRACE_CHUNK_MAX) {
            set_err(err, errlen, start, "chunk length %" PRIu64 " out of range", plen);
            return -1;
        }
        if (len - c.pos < 4 || len - c.pos - 4 < plen) {
            set_err(err, errlen, start, "truncated chunk (%" PRIu64 " payload bytes announced, %zu present)", plen,
                    len - c.pos < 4 ? (size_t)0 : len - c.pos - 4);
            return -1;
        }
        uint32_t crc = (uint32_t)data[c.pos] | (uint32_t)data[c.pos + 1] << 8 | (uint32_t)data[c.pos + 2] << 16 |
                       (uint32_t)data[c.pos + 3] << 24;
        c.pos += 4;
        if (rtm_trace_crc32(0, data + c.pos, (size_t)plen) != crc) {
            set_err(err, errlen, start, "chunk checksum mismatch");
            return -1;
        }
        c.end = c.pos + (size_t)plen;
        size_t n_before = d->n;
        uint64_t bad = c.pos;
        if (decode_chunk(&c, d, &bad)) {
            d->n = n_before; /* the whole chunk is dropped: events stay those of complete chunks */
            set_err(err, errlen, bad, "%s", c.why);
            return -1;
        }
        pos = c.end;
        d->chunks++;
        d->good_bytes = pos;
    }
    return 0;
}

/* ---- text ---------------------------------------------------------------------------------------- */
static const char k_text_magic[] = "# rtmem-trace text ";

/* Fields are separated by spaces or tabs (a hand-written or awk-made trace has tabs). */
static bool text_sep(char c) { return c == ' ' || c == '\t'; }

/* Parses an unsigned number at *s exactly (no separators skipped: in KEY=N and FILE:LINE nothing
 * may come between), decimal, or also 0x hex with @p hex; it must end at a separator or at @p end.
 * Advances *s past it. */
static int text_num_at(const char **s, const char *end, bool hex, uint64_t *v)
{
    const char *p = *s;
    if (p == end || *p < '0' || *p > '9') return -1;
    uint64_t x = 0;
    if (hex && end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        const char *q = p;
        for (; p < end; p++) {
            int dgt;
            if (*p >= '0' && *p <= '9') dgt = *p - '0';
            else if (*p >= 'a' && *p <= 'f') dgt = *p - 'a' + 10;
            else if (*p >= 'A' && *p <= 'F') dgt = *p - 'A' + 10;
            else break;
            if (x >> 60) return -1;
            x = x << 4 | (uint64_t)dgt;
        }
        if (p == q) return -1;
    } else {
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            uint64_t dgt = (uint64_t)(*p - '0');
            if (x > (UINT64_MAX - dgt) / 10) return -1;
            x = x * 10 + dgt;
        }
    }
    if (p < end && !text_sep(*p)) return -1;
    *s = p;
    *v = x;
    return 0;
}

/* A number (decimal or 0x hex) at *s exactly: the header's KEY=N values, a site's LINE. */
static int text_num(const char **s, const char *end, uint64_t *v) { return text_num_at(s, end, true, v); }

/* The next field of a line: separators (one or more, checked by the field before ending at one),
 * then a number (decimal or 0x hex). */
static int text_field(const char **s, const char *end, uint64_t *v)
{
    while (*s < end && text_sep(**s)) (*s)++;
    return text_num(s, end, v);
}

static int parse_text(const uint8_t *data, size_t len, rtm_trace_data *d, char *err, size_t errlen)
{
    const char *base = (const char *)data, *end = base + len;
    d->binary = 0;
    const char *nl = memchr(base, '\n', len);
    const char *hend = nl ? nl : end;
    if (hend > base && hend[-1] == '\r') hend--; /* a CRLF file: its header ends before the \r too */
    const char *h = base + sizeof k_text_magic - 1;
    uint64_t ver, hz;
    while (h < hend && text_sep(*h)) h++; /* more separators after the magic's space are allowed */
    if (text_num_at(&h, hend, false, &ver) || (ver != 1 && ver != 2)) { /* decimal: "text 2", not "0x2" */
        set_err_line(err, errlen, 1, "unsupported text trace version");
        return -1;
    }
    while (h < hend && text_sep(*h)) h++;
    if (hend - h < 9 || memcmp(h, "clock_hz=", 9)) {
        set_err_line(err, errlen, 1, "expected clock_hz=N in the header line");
        return -1;
    }
    h += 9;
    if (text_num(&h, hend, &hz) || hz > UINT32_MAX) {
        set_err_line(err, errlen, 1, "bad clock_hz");
        return -1;
    }
    if (ver == 2) { /* " word=W align=A" and the end of the line */
        uint64_t word, align;
        if (hend - h < 6 || memcmp(h, " word=", 6)) {
            set_err_line(err, errlen, 1, "expected word=W after clock_hz in the header line");
            return -1;
        }
        h += 6;
        if (text_num(&h, hend, &word) || (word != 4 && word != 8)) {
            set_err_line(err, errlen, 1, "bad word size in the header (expected word=4 or word=8)");
            return -1;
        }
        if (hend - h < 7 || memcmp(h, " align=", 7)) {
            set_err_line(err, errlen, 1, "expected align=A after word=W in the header line");
            return -1;
        }
        h += 7;
        if (text_num(&h, hend, &align) || align < word || align > (1u << RTM_TRACE_ALIGN_LOG2_MAX) ||
            (align & (align - 1))) {
            set_err_line(err, errlen, 1,
                    "bad alignment in the header (expected a power of two from the word size to %u)",
                    1u << RTM_TRACE_ALIGN_LOG2_MAX);
            return -1;
        }
        if (h != hend) {
            set_err_line(err, errlen, 1, "unexpected text after align=A in the header line");
            return -1;
        }
        d->layout.word_size = (uint32_t)word;
        d->layout.align = (uint32_t)align;
    }
    d->layout.version = (uint32_t)ver;
    d->clock_hz = (uint32_t)hz;
    const char *p = nl ? nl + 1 : end;
    uint64_t prev_time = 0, line = 1; /* the header is line 1 */
    d->good_bytes = (uint64_t)(p - base);
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (e == NULL) e = end;
        const char *le = e;
        if (le > p && le[-1] == '\r') le--;
        line++;
        const char *s = p;
        while (s < le && (*s == ' ' || *s == '\t')) s++;
        if (s == le || *s == '#') {
            p = e < end ? e + 1 : end;
            d->good_bytes = (uint64_t)(p - base);
            continue;
        }
        rtm_trace_rec r;
        memset(&r, 0, sizeof r);
        r.offset = line;
        r.file = RTM_TRACE_NO_FILE;
        switch (*s) {
        case 'a': r.kind = RTM_TEV_ALLOC; break;
        case 'f': r.kind = RTM_TEV_FREE; break;
        case 'r': r.kind = RTM_TEV_REALLOC; break;
        case 'm': r.kind = RTM_TEV_ALIGNED; break;
        default:
            set_err_line(err, errlen, line, "unknown event 0x%02x (expected a, f, r or m)", (unsigned char)*s);
            return -1;
        }
        s++;
        if (s < le && !text_sep(*s)) {
            set_err_line(err, errlen, line, "unknown event (expected a, f, r or m)");
            return -1;
        }
        const char *what = "time";
        if (text_field(&s, le, &r.time)) goto bad;
        what = "thread";
        if (text_field(&s, le, &r.thread)) goto bad;
        what = "object";
        if (text_field(&s, le, &r.obj)) goto bad;
        if (r.kind == RTM_TEV_REALLOC) {
            what = "new object";
            if (text_field(&s, le, &r.new_obj)) goto bad;
        }
        if (r.kind != RTM_TEV_FREE) {
            what = "size";
            if (text_field(&s, le, &r.size)) goto bad;
        }
        if (r.kind == RTM_TEV_ALIGNED) {
            uint64_t a;
            what = "alignment (a power of two)";
            if (text_field(&s, le, &a) || a == 0 || (a & (a - 1))) goto bad;
            while (a > 1) {
                a >>= 1;
                r.align_log2++;
            }
        }
        if (r.time < prev_time) {
            set_err_line(err, errlen, line, "timestamp goes backwards");
            return -1;
        }
        prev_time = r.time;
        while (s < le && text_sep(*s)) s++;
        if (s < le) { /* site: FILE:LINE, the last ':' separates */
            const char *colon = NULL;
            for (const char *q = s; q < le; q++)
                if (*q == ':') colon = q;
            const char *ln = colon ? colon + 1 : NULL;
            uint64_t site_line;
            what = "site (FILE:LINE)";
            if (colon != NULL && colon - s > 255) {
                set_err_line(err, errlen, line, "site file name longer than 255 bytes");
                return -1;
            }
            /* FILE may be empty (a site "" with a line: the encoder writes " :7", and the binary
             * format carries length 0), so that both formats read back the same site. LINE starts
             * right after the colon (text_num skips nothing: "x.c: 12" is no site) */
            if (colon == NULL || colon - s > 255 || text_num(&ln, le, &site_line) || ln != le ||
                site_line > UINT32_MAX)
                goto bad;
            r.file = push_file(d, s, (size_t)(colon - s));
            r.line = (uint32_t)site_line;
        }
        push_ev(d, &r);
        p = e < end ? e + 1 : end;
        d->good_bytes = (uint64_t)(p - base);
        continue;
    bad:
        set_err_line(err, errlen, line, "bad or missing %s", what);
        return -1;
    }
    return 0;
}

int rtm_trace_parse(const uint8_t *data, size_t len, rtm_trace_data *out, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    memset(out, 0, sizeof *out);
    if (data == NULL && len != 0) {
        set_err(err, errlen, 0, "no data");
        return -1;
    }
    if (len >= 8 && !memcmp(data, "RTMTRACE", 8)) return parse_binary(data, len, out, err, errlen);
    if (len >= sizeof k_text_magic - 1 && !memcmp(data, k_text_magic, sizeof k_text_magic - 1))
        return parse_text(data, len, out, err, errlen);
    set_err(err, errlen, 0, "not an rtmem trace (expected \"RTMTRACE\" or \"%.*s\")",
            (int)(sizeof k_text_magic - 2), k_text_magic);
    return -1;
}

int rtm_trace_load(const char *path, rtm_trace_data *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = xrealloc(NULL, 65536);
    size_t n = 0, cap = 65536;
    errno = 0; /* so that a read error's reason is fread's (a directory: EISDIR) */
    /* The magic first: a file that is neither format (/dev/zero, a core dump, a pipe that never
     * ends) is refused from its first bytes, not after reading all of it into memory. */
    const size_t head = sizeof k_text_magic - 1;
    for (size_t got = 1; n < head && got != 0; n += got) got = fread(buf + n, 1, head - n, f);
    if (n == head && memcmp(buf, "RTMTRACE", 8) != 0 && memcmp(buf, k_text_magic, head) != 0) {
        fclose(f);
        char e[200];
        rtm_trace_parse(buf, n, out, e, sizeof e); /* its "not an rtmem trace" line */
        free(buf);
        compose_err(err, errlen, path, e);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int rd_err = ferror(f) ? (errno ? errno : EIO) : 0; /* before fclose, which may set errno */
    fclose(f);
    if (rd_err) {
        free(buf);
        snprintf(err, errlen, "%s: read error: %s", path, strerror(rd_err));
        return -1;
    }
    char e[200];
    int rc = rtm_trace_parse(buf, n, out, e, sizeof e);
    free(buf);
    if (rc) compose_err(err, errlen, path, e);
    return rc;
}

/* ---- conversion to an op list ----------------------------------------------------------------- */
typedef struct {
    uint64_t key; /* object; 0 = empty */
    uint32_t id;
    uint32_t size;
} omap_ent;

typedef struct {
    omap_ent *t;
    size_t cap, n; /* cap: power of two */
} omap;

static size_t omap_home(const omap *m, uint64_t k)
{
    k ^= k >> 33;
    k *= 0xFF51AFD7ED558CCDull;
    k ^= k >> 33;
    return (size_t)k & (m->cap - 1);
}

static omap_ent *omap_find(const omap *m, uint64_t k)
{
    if (m->cap == 0) return NULL;
    for (size_t i = omap_home(m, k);; i = (i + 1) & (m->cap - 1)) {
        if (m->t[i].key == k) return &m->t[i];
        if (m->t[i].key == 0) return NULL;
    }
}

static void omap_put(omap *m, uint64_t k, uint32_t id, uint32_t size);

static void omap_grow(omap *m)
{
    omap old = *m;
    m->cap = old.cap ? old.cap * 2 : 1024;
    m->t = calloc(m->cap, sizeof *m->t);
    if (m->t == NULL) {
        fprintf(stderr, "rtmem: out of host memory\n");
        exit(3);
    }
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.t[i].key) omap_put(m, old.t[i].key, old.t[i].id, old.t[i].size);
    free(old.t);
}

static void omap_put(omap *m, uint64_t k, uint32_t id, uint32_t size)
{
    if ((m->n + 1) * 2 > m->cap) omap_grow(m);
    size_t i = omap_home(m, k);
    while (m->t[i].key != 0) i = (i + 1) & (m->cap - 1);
    m->t[i].key = k;
    m->t[i].id = id;
    m->t[i].size = size;
    m->n++;
}

static void omap_del(omap *m, omap_ent *e)
{
    size_t hole = (size_t)(e - m->t), j = hole, mask = m->cap - 1;
    for (;;) {
        j = (j + 1) & mask;
        if (m->t[j].key == 0) break;
        size_t home = omap_home(m, m->t[j].key);
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->t[hole] = m->t[j];
            hole = j;
        }
    }
    m->t[hole].key = 0;
    m->n--;
}

typedef struct {
    uint32_t *free_ids;
    size_t n, cap;
    uint32_t next;
} idpool;

static uint32_t id_get(idpool *p) { return p->n ? p->free_ids[--p->n] : p->next++; }
static void id_put(idpool *p, uint32_t id)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->free_ids = xrealloc(p->free_ids, p->cap * sizeof *p->free_ids);
    }
    p->free_ids[p->n++] = id;
}

/* The traced program got @p obj while we think it is still live: its free was not in the trace.
 * Free it first (counted in dup_allocs), so that replay never holds both and the op list's peak is
 * the trace's. Nothing when @p obj is not live. */
static void free_unseen(omap *m, idpool *ids, rtm_oplist *out, uint64_t obj, uint64_t *live, size_t *dup_allocs)
{
    omap_ent *e = omap_find(m, obj);
    if (e == NULL) return;
    (*dup_allocs)++;
    rtm_oplist_push(out, RTM_OP_FREE, e->id, 0, 0);
    *live -= e->size;
    id_put(ids, e->id);
    omap_del(m, e);
}

int rtm_trace_to_oplist(const rtm_trace_data *d, rtm_oplist *out, rtm_trace_convert_stats *st, char *err,
                        size_t errlen)
{
    rtm_trace_convert_stats s;
    memset(&s, 0, sizeof s);
    if (err && errlen) err[0] = '\0';
    omap m = {NULL, 0, 0};
    idpool ids = {NULL, 0, 0, 0};
    uint64_t live = 0;
    int rc = 0;
    for (size_t i = 0; i < d->n; i++) {
        const rtm_trace_rec *r = &d->ev[i];
        /* A request that failed in the traced program becomes no op (counted in failed below), so
         * the op list's limits do not apply to it: a program that tried malloc(SIZE_MAX / 2), as
         * programs probing for memory do, is still replayed. */
        bool failed = r->kind == RTM_TEV_REALLOC ? (r->new_obj == 0 && r->size != 0)
                                                 : (r->kind != RTM_TEV_FREE && r->obj == 0);
        if (!failed && r->kind != RTM_TEV_FREE && r->size > UINT32_MAX) {
            (d->binary ? set_err : set_err_line)(err, errlen, r->offset, "size %" PRIu64 " too large to replay", r->size);
            rc = -1;
            break;
        }
        if (!failed && r->kind == RTM_TEV_ALIGNED && r->align_log2 > 31) {
            (d->binary ? set_err : set_err_line)(err, errlen, r->offset, "alignment 2^%u too large to replay",
                                                 r->align_log2);
            rc = -1;
            break;
        }
        uint32_t size = (uint32_t)r->size;
        omap_ent *e;
        switch (r->kind) {
        case RTM_TEV_ALLOC:
        case RTM_TEV_ALIGNED:
            if (r->obj == 0) {
                s.failed++;
                break;
            }
            free_unseen(&m, &ids, out, r->obj, &live, &s.dup_allocs);
            {
                uint32_t id = id_get(&ids);
                if (r->kind == RTM_TEV_ALIGNED) rtm_oplist_push(out, RTM_OP_ALIGNED, id, size, r->align_log2);
                else rtm_oplist_push(out, RTM_OP_ALLOC, id, size, 0);
                omap_put(&m, r->obj, id, size);
            }
            s.allocs++;
            live += size;
            break;
        case RTM_TEV_FREE:
            if (r->obj == 0) break; /* free(NULL) */
            e = omap_find(&m, r->obj);
            if (e == NULL) {
                s.unknown_frees++;
                break;
            }
            rtm_oplist_push(out, RTM_OP_FREE, e->id, 0, 0);
            live -= e->size;
            id_put(&ids, e->id);
            omap_del(&m, e);
            s.frees++;
            break;
        case RTM_TEV_REALLOC:
            e = r->obj ? omap_find(&m, r->obj) : NULL;
            if (r->obj != 0 && e == NULL) s.unknown_frees++;
            if (failed) { /* failed realloc: the old object stays */
                s.failed++;
                break;
            }
            if (e == NULL) { /* from nothing: an allocation */
                if (r->new_obj == 0) break;
                free_unseen(&m, &ids, out, r->new_obj, &live, &s.dup_allocs);
                uint32_t id = id_get(&ids);
                rtm_oplist_push(out, RTM_OP_ALLOC, id, size, 0);
                omap_put(&m, r->new_obj, id, size);
                s.allocs++;
                live += size;
                break;
            }
            {
                uint32_t id = e->id;
                live -= e->size;
                if (size == 0 || r->new_obj == 0) { /* realloc(p, 0): a free */
                    rtm_oplist_push(out, RTM_OP_FREE, id, 0, 0);
                    id_put(&ids, id);
                    omap_del(&m, e);
                    s.frees++;
                    /* ... that may return a pointer (musl: a new unique one; others: p itself),
                     * which the program frees later: an object of 0 bytes, as malloc(0)'s is (an
                     * ALLOC of 0 makes no object on any target, runner.h; its FREE is skipped there) */
                    if (r->new_obj != 0) {
                        free_unseen(&m, &ids, out, r->new_obj, &live, &s.dup_allocs);
                        uint32_t zid = id_get(&ids);
                        rtm_oplist_push(out, RTM_OP_ALLOC, zid, 0, 0);
                        omap_put(&m, r->new_obj, zid, 0);
                        s.allocs++;
                    }
                    break;
                }
                omap_del(&m, e);
                /* moved onto an object we think is live: free that one first, as for an ALLOC */
                free_unseen(&m, &ids, out, r->new_obj, &live, &s.dup_allocs);
                rtm_oplist_push(out, RTM_OP_REALLOC, id, size, 0);
                omap_put(&m, r->new_obj, id, size);
                live += size;
                s.reallocs++;
            }
            break;
        default:
            break;
        }
        if (live > s.peak_live) s.peak_live = live;
    }
    s.live_at_end = m.n;
    s.end_live = live;
    free(m.t);
    free(ids.free_ids);
    if (st) *st = s;
    return rc;
}

const char *rtm_trace_describe_empty(const rtm_trace_convert_stats *st, size_t events, char *buf, size_t n)
{
    if (events == 0) snprintf(buf, n, "no allocations to replay (no events after the header)");
    else
        snprintf(buf, n, "no allocations to replay (%zu events: %zu frees of unknown objects, %zu failed requests)",
                 events, st->unknown_frees, st->failed);
    return buf;
}

rtm_trace_layout rtm_trace_layout_host(void)
{
    rtm_trace_layout l = {RTM_TRACE_VERSION, (uint32_t)sizeof(size_t), (uint32_t)RTM_ALIGN};
    return l;
}

const char *rtm_trace_layout_describe(const rtm_trace_layout *l, char *buf, size_t n)
{
    snprintf(buf, n, "%u-bit, %u-byte headers, %u-byte alignment", (unsigned)l->word_size * 8u,
             (unsigned)l->word_size, (unsigned)l->align);
    return buf;
}

int rtm_trace_layout_print(FILE *out, const char *indent, const rtm_trace_layout *l)
{
    if (l->word_size == 0 || l->align == 0) {
        fprintf(out, "%strace's layout: not recorded (version %u trace)\n", indent, (unsigned)l->version);
        return -1;
    }
    rtm_trace_layout me = rtm_trace_layout_host();
    bool same = l->word_size == me.word_size && l->align == me.align;
    char what[64];
    fprintf(out, "%strace's layout: %s (%s)\n", indent, rtm_trace_layout_describe(l, what, sizeof what),
            same ? "the same as this build's" : "NOT this build's");
    if (same) return 0;
    char opts[64] = "";
    if (l->word_size == 4 && me.word_size != 4) snprintf(opts, sizeof opts, "-DRTM_M32=ON");
    /* RTM_ALIGN is at least 8 (heap.c): a trace of a smaller alignment (a hand-written or foreign
     * one; rtmem never writes it) is nearest to 8, and the warning says the trace's is not buildable. */
    bool buildable = l->align >= 8u;
    uint32_t want = buildable ? l->align : 8u;
    if (want != me.align)
        snprintf(opts + strlen(opts), sizeof opts - strlen(opts), "%s-DRTM_ALIGN=%u", opts[0] ? " " : "",
                 (unsigned)want);
    if (!opts[0] && !(l->word_size == 8 && me.word_size != 8)) {
        fprintf(out, "%swarning: the figures are for this build's layout, not the trace's; no build of rtmem has an "
                     "alignment below 8 (RTM_ALIGN), and this build is the nearest\n",
                indent);
        return 1;
    }
    fprintf(out,
            "%swarning: the figures are for this build's layout, not the trace's; a %sbuild of rtmem%s%s gives %s\n",
            indent, l->word_size == 8 && me.word_size != 8 ? "64-bit (no -DRTM_M32) " : "", opts[0] ? " with " : "",
            opts, buildable ? "the trace's" : "the nearest (no build has an alignment below 8)");
    return 1;
}

int rtm_trace_load_oplist(const char *path, bool partial, rtm_oplist *out, rtm_trace_convert_stats *st,
                          size_t *events, bool *damaged, rtm_trace_layout *layout, char *err, size_t errlen)
{
    rtm_trace_data d;
    memset(&d, 0, sizeof d);
    *damaged = false;
    if (rtm_trace_load(path, &d, err, errlen) != 0) {
        if (!partial || d.n == 0) {
            rtm_trace_data_free(&d);
            return -1;
        }
        *damaged = true;
    }
    if (layout != NULL) *layout = d.layout;
    char cerr[256];
    int rc = rtm_trace_to_oplist(&d, out, st, cerr, sizeof cerr);
    *events = d.n;
    rtm_trace_data_free(&d);
    if (rc != 0) {
        compose_err(err, errlen, path, cerr);
        rtm_oplist_free(out);
        return -1;
    }
    const char *base = strrchr(path, '/');
    snprintf(out->name, sizeof out->name, "%s", base ? base + 1 : path);
    return 0;
}
