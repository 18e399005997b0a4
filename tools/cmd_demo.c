/* rtmem demo: placeholder until its module lands. */
#include <stdio.h>

#include "commands.h"

int rtm_cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtmem demo: not implemented yet\n");
    return 2;
}
