/* Subcommands of the `rtmem` tool: each lives in tools/cmd_<name>.c and returns the exit status. */
#ifndef RTM_COMMANDS_H
#define RTM_COMMANDS_H

#include <stdio.h>

int rtm_cmd_demo(int argc, char **argv);   /* workloads A, B, C on every policy: one table */
int rtm_cmd_replay(int argc, char **argv); /* replay a captured trace on every policy */
int rtm_cmd_frag(int argc, char **argv);   /* fragmentation over time, with plots */
int rtm_cmd_stack(int argc, char **argv);  /* static worst-case stack analysis */
int rtm_cmd_mpu(int argc, char **argv);    /* MPU / PMP region planning */

/* An option that takes one value came a second time, at argument @p i, first at @p first (a
 * second value silently replaced the first before): one line, and the usage exit status 2. */
static inline int rtm_cli_given_twice(const char *cmd, int i, const char *opt, int first)
{
    fprintf(stderr, "rtmem %s: argument %d: %s given twice (first as argument %d)\n", cmd, i, opt, first);
    return 2;
}

#endif
