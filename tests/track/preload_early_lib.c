/* A library whose constructor allocates before librtmem-trace.so's constructor has run (the
 * loader runs a program's own libraries' constructors first): 2,000 calloc/free pairs, more than
 * the trace library's 64 KiB bootstrap buffer would hold if it served them, and one calloc larger
 * than that buffer. preload_early prints what they returned. */
#include <stdlib.h>

int rtm_early_fails;
void *rtm_early_big;

__attribute__((constructor)) static void early(void)
{
    for (int i = 0; i < 2000; i++) {
        void *p = calloc(1, 100);
        if (p == NULL) rtm_early_fails++;
        free(p);
    }
    rtm_early_big = calloc(1, 100000);
}
