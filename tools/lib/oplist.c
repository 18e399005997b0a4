/* Growable operation list (host-side). */
#include <stdio.h>
#include <stdlib.h>

#include "rtm_ops.h"

void rtm_oplist_push(rtm_oplist *l, rtm_op_kind kind, uint32_t id, uint32_t size, unsigned align_log2)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        rtm_op *ops = realloc(l->ops, cap * sizeof *ops);
        if (ops == NULL) {
            fprintf(stderr, "rtmem: out of host memory for %zu operations\n", cap);
            exit(3);
        }
        l->ops = ops;
        l->cap = cap;
    }
    rtm_op *op = &l->ops[l->n++];
    op->id = id;
    op->kind = (uint8_t)kind;
    op->align_log2 = (uint8_t)align_log2;
    op->size = size;
    if (id + 1u > l->max_id) l->max_id = id + 1u;
}

void rtm_oplist_free(rtm_oplist *l)
{
    free(l->ops);
    l->ops = NULL;
    l->n = l->cap = 0;
    l->max_id = 0;
}
