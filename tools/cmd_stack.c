/* rtmem stack: placeholder until its module lands. */
#include <stdio.h>

#include "commands.h"

int rtm_cmd_stack(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtmem stack: not implemented yet\n");
    return 2;
}
