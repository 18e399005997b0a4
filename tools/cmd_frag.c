/* rtmem frag: placeholder until its module lands. */
#include <stdio.h>

#include "commands.h"

int rtm_cmd_frag(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtmem frag: not implemented yet\n");
    return 2;
}
