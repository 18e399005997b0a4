/*
 * Shared by the libFuzzer targets in fuzz/: the check that ends a run, and a counting error hook.
 * Included by each target's one .c file (static definitions; not a library).
 */
#ifndef RTM_FUZZ_COMMON_H
#define RTM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rtmem/common.h"

/* A property the target checks: on failure, one line FILE:LINE (the target's source, so also its
 * configuration variants) and the condition, then abort(), which libFuzzer turns into a saved
 * crash input. */
#define REQUIRE(c)                                                                                   \
    do {                                                                                             \
        if (!(c)) {                                                                                  \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #c);                  \
            abort();                                                                                 \
        }                                                                                            \
    } while (0)

/* The input, read a byte at a time; bytes past its end read as 0, so that every input is a whole
 * program (a short one ends in zero operands). */
typedef struct {
    const uint8_t *d;
    size_t n, at;
} reader;
static unsigned u8(reader *r) { return r->at < r->n ? r->d[r->at++] : 0u; }
static unsigned u16(reader *r) /* little-endian */
{
    unsigned lo = u8(r);
    return lo | (u8(r) << 8);
}

/* A counting error hook for targets that check "this call made exactly one report, with one of
 * these codes" (fuzz_expect_report). RTM_ERR_CORRUPT aborts: no input may make a module see its own
 * state damaged. While fuzz_reports_muted is set, reports are not counted (a target's shadow
 * objects, whose reports the model does not expect). */
static size_t fuzz_reports, fuzz_reports_expected;
static rtm_err fuzz_last_code;
static bool fuzz_reports_muted;

static void fuzz_count_hook(rtm_err code, const void *object, const void *ptr)
{
    (void)object, (void)ptr;
    REQUIRE(code != RTM_ERR_CORRUPT);
    if (fuzz_reports_muted) return;
    fuzz_reports++;
    fuzz_last_code = code;
}

/* The mask bit of code e, for fuzz_expect_report. */
#define EBIT(e) (1u << (unsigned)(e))
/* The call just made reported once more than the model has counted so far, with a code in mask. */
static void fuzz_expect_report(unsigned mask)
{
    REQUIRE(fuzz_reports == ++fuzz_reports_expected);
    REQUIRE((mask & EBIT(fuzz_last_code)) != 0);
}

#endif
