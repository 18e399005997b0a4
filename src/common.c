/* Error codes and the process-wide error hook. */
#include "rtmem/common.h"

static rtm_error_hook g_error_hook;

static const char *const k_err_text[RTM_ERR_COUNT_] = {
    [RTM_OK] = "ok",
    [RTM_ERR_ARG] = "invalid argument",
    [RTM_ERR_SIZE] = "invalid size",
    [RTM_ERR_ALIGN] = "bad alignment",
    [RTM_ERR_TOO_SMALL] = "buffer too small",
    [RTM_ERR_NOMEM] = "out of memory",
    [RTM_ERR_BAD_PTR] = "bad pointer",
    [RTM_ERR_DOUBLE_FREE] = "double free",
    [RTM_ERR_CORRUPT] = "corrupted metadata",
    [RTM_ERR_TIMEOUT] = "timed out",
    [RTM_ERR_OVERLAP] = "overlap",
    [RTM_ERR_NO_SLOT] = "no free slot",
    [RTM_ERR_UNSUPPORTED] = "unsupported",
    [RTM_ERR_STATE] = "invalid state",
    [RTM_ERR_OVERFLOW] = "overflow detected",
    [RTM_ERR_FORMAT] = "malformed input",
    [RTM_ERR_ACCESS] = "access denied",
    [RTM_ERR_FULL] = "table full",
};

long rtm_version(void) { return RTM_VERSION; }

const char *rtm_err_str(rtm_err e)
{
    if ((unsigned)e >= (unsigned)RTM_ERR_COUNT_ || k_err_text[e] == NULL) return "unknown error";
    return k_err_text[e];
}

rtm_error_hook rtm_set_error_hook(rtm_error_hook hook)
{
    rtm_error_hook old = g_error_hook;
    g_error_hook = hook;
    return old;
}

void rtm_report(rtm_err code, const void *object, const void *ptr)
{
    rtm_error_hook hook = g_error_hook;
    if (hook != NULL) hook(code, object, ptr);
}
