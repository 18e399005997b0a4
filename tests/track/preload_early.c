/* Linked with preload_early_lib: exits 0 iff every calloc made by that library's constructor
 * (before the trace library's own constructor) succeeded and returned zeroed memory. */
#include <stdio.h>
#include <stdlib.h>

extern int rtm_early_fails;
extern void *rtm_early_big;

int main(void)
{
    printf("early_fails=%d big=%s\n", rtm_early_fails, rtm_early_big ? "ok" : "NULL");
    if (rtm_early_big == NULL) return 1;
    for (size_t i = 0; i < 100000; i++)
        if (((unsigned char *)rtm_early_big)[i]) return 1;
    free(rtm_early_big);
    return rtm_early_fails != 0;
}
