/*
 * Host-side operation streams: what `rtmem demo`, `rtmem replay` and the benchmark run on an
 * allocator. Workloads (bench/workloads.c) generate them; trace readers (trace module) decode
 * captured traces into them; the runner (tools/lib/runner.c) executes them on an rtmem heap policy
 * or the system allocator. Host-only code: may use libc.
 */
#ifndef RTM_OPS_H
#define RTM_OPS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RTM_OP_ALLOC = 0,   /* id = new object, size */
    RTM_OP_FREE,        /* id = object to free (size ignored) */
    RTM_OP_REALLOC,     /* id = existing object (or new one if not live), size = new size */
    RTM_OP_ALIGNED,     /* id = new object, size, align (power of two) */
} rtm_op_kind;

typedef struct {
    uint32_t id;     /* object id, dense from 0; ids may be reused after a free */
    uint8_t kind;    /* rtm_op_kind */
    uint8_t align_log2; /* RTM_OP_ALIGNED only */
    uint32_t size;   /* bytes requested */
} rtm_op;

typedef struct {
    rtm_op *ops;
    size_t n, cap;
    uint32_t max_id;  /* one more than the largest id used */
    char name[32];    /* e.g. "A", "B", "trace.bin" */
} rtm_oplist;

/* Appends one op (grows with realloc; aborts on host OOM). */
void rtm_oplist_push(rtm_oplist *l, rtm_op_kind kind, uint32_t id, uint32_t size, unsigned align_log2);
void rtm_oplist_free(rtm_oplist *l);

#endif
