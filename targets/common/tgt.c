/* Target test harness: see tgt.h. Output is buffered per line to keep semihosting traps few. */
#include "tgt.h"

static char g_line[160];
static size_t g_len;
static const char *g_case;
static unsigned g_case_fail;
static unsigned g_passed, g_failed;

void tgt_flush(void)
{
    if (g_len == 0) return;
    g_line[g_len] = '\0';
    board_puts(g_line);
    g_len = 0;
}

void tgt_puts(const char *s)
{
    for (; *s != '\0'; s++) {
        g_line[g_len++] = *s;
        if (*s == '\n' || g_len == sizeof g_line - 1) tgt_flush();
    }
}

const char *tgt_u_text(char buf[TGT_U_TEXT], uint64_t v)
{
    int i = TGT_U_TEXT - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0);
    return buf + i;
}

void tgt_put_u(uint64_t v)
{
    char buf[TGT_U_TEXT];
    tgt_puts(tgt_u_text(buf, v));
}

void tgt_put_hex(uint32_t v)
{
    char buf[11] = "0x";
    for (int i = 0; i < 8; i++) {
        uint32_t d = (v >> (28 - 4 * i)) & 0xFu;
        buf[2 + i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    buf[10] = '\0';
    tgt_puts(buf);
}

void tgt_case_begin(const char *name)
{
    g_case = name;
    g_case_fail = 0;
}

unsigned tgt_case_failures(void) { return g_case_fail; }

void tgt_case_end(void)
{
    tgt_puts(g_case_fail == 0 ? "PASS " : "FAIL ");
    tgt_puts(board_name());
    tgt_puts(" ");
    tgt_puts(g_case != NULL ? g_case : "?");
    tgt_puts("\n");
    if (g_case_fail == 0) g_passed++;
    else g_failed++;
    g_case = NULL;
}

uint32_t tgt_icount_calibrate(const char *name)
{
    uint32_t t = board_icount_start();
    uint32_t overhead = board_icount_read(t);
    tgt_case_begin(name);
    TGT_CHECK(overhead < 100);
    volatile uint32_t sink = 0;
    t = board_icount_start();
    for (unsigned i = 0; i < 1000; i++) sink = sink + i;
    uint32_t loop = board_icount_read(t);
    TGT_CHECK(loop >= 2000 && loop < 20000); /* ~4-8 instructions per iteration: the counter counts */
    tgt_puts("  counter overhead ");
    tgt_put_u(overhead);
    tgt_puts(" instructions (subtracted from every call), 1000-iteration loop ");
    tgt_put_u(loop);
    tgt_puts("\n");
    tgt_case_end();
    return overhead;
}

void tgt_check_failed(const char *file, int line, const char *expr)
{
    g_case_fail++;
    tgt_puts(file);
    tgt_puts(":");
    tgt_put_u((uint64_t)line);
    tgt_puts(": check failed: ");
    tgt_puts(expr);
    tgt_puts("\n");
}

int tgt_summary(void)
{
    tgt_puts("SUMMARY ");
    tgt_puts(board_name());
    tgt_puts(": ");
    tgt_put_u(g_passed);
    tgt_puts(" passed, ");
    tgt_put_u(g_failed);
    tgt_puts(" failed\n");
    tgt_flush();
    return (g_failed == 0 && g_passed > 0) ? 0 : 1;
}

#if defined(__riscv)
uint32_t tgt_rv_open_pmp15(void)
{
    __asm volatile("csrw pmpaddr15, %0" : : "r"(0xFFFFFFFFu));
    uint32_t cfg3;
    __asm volatile("csrr %0, pmpcfg3" : "=r"(cfg3));
    __asm volatile("csrw pmpcfg3, %0" : : "r"((cfg3 & 0x00FFFFFFu) | (0x0Fu << 24)));
    return cfg3;
}

void tgt_rv_close_pmp15(uint32_t cfg3) { __asm volatile("csrw pmpcfg3, %0" : : "r"(cfg3)); }
#endif

uint64_t tgt_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
