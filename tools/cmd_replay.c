/* rtmem replay: placeholder until its module lands. */
#include <stdio.h>

#include "commands.h"

int rtm_cmd_replay(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtmem replay: not implemented yet\n");
    return 2;
}
