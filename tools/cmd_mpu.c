/* rtmem mpu: placeholder until its module lands. */
#include <stdio.h>

#include "commands.h"

int rtm_cmd_mpu(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rtmem mpu: not implemented yet\n");
    return 2;
}
