/* rtmem: command-line front end. `rtmem help` lists the subcommands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "rtmem/common.h"
#include "trace_read.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command k_commands[] = {
    {"demo", rtm_cmd_demo, "replay workloads A, B, C of WORKLOADS.md on every fit policy"},
    {"replay", rtm_cmd_replay, "replay a captured allocation trace; smallest arena per policy"},
    {"frag", rtm_cmd_frag, "fragmentation over time of a trace or workload, as a table or SVG plot"},
    {"stack", rtm_cmd_stack, "worst-case stack depth from GCC -fstack-usage / -fcallgraph-info output"},
    {"mpu", rtm_cmd_mpu, "plan MPU / PMP regions for a partition plan file"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: rtmem COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        fprintf(out, "  %-8s %s\n", k_commands[i].name, k_commands[i].summary);
    fprintf(out, "\n`rtmem COMMAND --help` describes a command's options;\n"
                 "`rtmem --version` gives this build's version and heap layout.\n");
}

/* A report that did not reach its reader (a full disk, a closed pipe's EIO, /dev/full) must not
 * look like success: stdout is buffered, so a write error may only show when it is flushed here,
 * after the command returned (the commands leave that flush to this function: a flush of their own
 * would meet the error first and leave none for this one to name). Keeps the command's own
 * non-zero status; turns 0 into 1. */
static int finish_output(int rc)
{
    errno = 0;
    int flushed = fflush(stdout);
    int e = errno;
    if (flushed == 0 && !ferror(stdout)) return rc;
    fprintf(stderr, "rtmem: writing output: %s\n", e ? strerror(e) : "I/O error");
    return rc ? rc : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return finish_output(0);
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        /* the layout too: a replay's arena figures are this build's (README, "Capture and replay") */
        rtm_trace_layout host = rtm_trace_layout_host();
        char what[64];
        printf("rtmem %d.%d.%d (heap layout: %s)\n", RTM_VERSION_MAJOR, RTM_VERSION_MINOR, RTM_VERSION_PATCH,
               rtm_trace_layout_describe(&host, what, sizeof what));
        return finish_output(0);
    }
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        if (!strcmp(argv[1], k_commands[i].name)) return finish_output(k_commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "rtmem: unknown command '%s' (try 'rtmem help')\n", argv[1]);
    return 2;
}
