/* Private structures of stackgraph (shared by stackgraph*.c only). */
#ifndef RTM_STACKGRAPH_INT_H
#define RTM_STACKGRAPH_INT_H

#include "stackgraph.h"

#define SG_NONE UINT32_MAX

/* Helpers shared by stackgraph*.c (defined in stackgraph.c). */
void *rtm_sg__grow(void *p, size_t *cap, size_t n, size_t elem);
char *rtm_sg__strndup(const char *s, size_t n);
/* An error message is one line: control characters become '?'. */
void rtm_sg__one_line(char *msg);
/* err->msg = "FILE:LINE: message" ("FILE: message" if line is 0), one line; a long FILE gives way,
 * never LINE or the message. Returns -1 (err may be NULL). */
int rtm_sg__fail(rtm_sg_error *err, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct {
    char *key;        /* .ci title: the link name, or "FILE:NAME" (FILE: the unit's main file, the graph
                       * title) for what is not public and strong: static, weak, C++ COMDAT */
    char *name;       /* function name as GCC prints it */
    bool name_label;  /* name comes from a .ci label (of several that disagree: the smallest) */
    char *file;       /* definition file:line:col, NULL if unknown */
    unsigned line, col;
    bool loc_def;     /* file:line:col is the definition (not a declaration) */
    bool dup_def;     /* a second .ci defines the same title (two programs in one run, one unit twice?) */
    uint32_t def_unit; /* the .ci (1, 2, ... in load order) that last defined it, 0 if none */
    unsigned def_line; /* the line of that definition's node */
    long frame;       /* GCC's figure (bytes), 0 without data */
    uint8_t qual;     /* rtm_sg_qual */
    long frame_override; /* 'frame' annotation, -1 if none */
    int isr_level;    /* 'isr' annotation, -1 if not an ISR */
    long stack;       /* 'thread' annotation or --stack, -1 if none */
    unsigned rec_depth; /* 'recursion' annotation, 0 if none */
    bool want_root;   /* 'root' / 'thread' / 'isr' annotation */
    bool has_icall;   /* calls __indirect_call */
    size_t local_off; /* key is "FILE:NAME" of its unit's graph: offset of NAME in key; else 0 */
    uint32_t alias;   /* a declared-only "NAME" whose calls went to FILE:NAME definitions: the one
                       * (annotations naming NAME apply to it) or SG_NONE - 1 if several; else SG_NONE */
} sg_func;

typedef struct {
    uint32_t from, to;
    char *site;     /* "file:line:col" of the call, or NULL */
    bool indirect;  /* added from an icall annotation */
} sg_edge;

typedef struct {
    uint32_t caller;
    char *site;
} sg_icall;

/* A "FILE:NAME" definition (static, weak or COMDAT: GCC does not say which) and the plain "NAME"
 * node of the same name: an external definition (plain's alias is SG_NONE), or a declaration that
 * no unit defines, whose calls were given to the FILE:NAME definitions. */
typedef struct {
    uint32_t plain, local;
} sg_join;

typedef struct {
    char *file;
    unsigned line, col;
    char *name;
    long frame;
    uint8_t qual;
} sg_su;

typedef enum { SG_D_THREAD, SG_D_ISR, SG_D_ROOT, SG_D_FRAME, SG_D_RECURSION, SG_D_ICALL, SG_D_FPTYPE } sg_dkind;

typedef struct {
    sg_dkind kind;
    char *origin;     /* annotation file name */
    unsigned line;
    char *a;          /* function name, call site or type */
    long n;           /* bytes / level / depth */
    char **targets;   /* icall / fptype: names, or "@type" */
    size_t ntargets;
} sg_directive;

typedef struct {
    uint32_t *keys; /* function ids, SG_NONE = empty */
    size_t cap;     /* power of two */
} sg_map;

/* Per strongly connected component. */
typedef struct {
    uint32_t first;   /* first member in scc_members */
    uint32_t size;
    bool cycle;       /* more than one member, or a self-call */
    bool nodepth;     /* a cycle without a 'recursion' annotation */
    unsigned depth;   /* recursion depth used (1 when unbounded) */
    long cost;        /* weight of the component: depth * sum(frame + margin) */
    long frames;      /* depth * sum(frame) */
    long count;       /* frames on the chain inside the component */
    long best;        /* worst total from here (cost included) */
    long best_frames; /* frames part of best */
    long best_count;  /* number of frames on the worst chain */
    uint32_t next;    /* next component on the worst chain, SG_NONE at the end */
    uint32_t exit_edge; /* the edge that leaves to next */
    unsigned flags;   /* RTM_SG_F_* of everything reachable */
    uint32_t witness[4]; /* a function (or icall index for ICALL) behind each flag */
} sg_scc;

typedef struct {
    rtm_sg_root_result r;
    uint32_t func;
    uint32_t *chain;  /* component ids */
} sg_root;

struct rtm_sg_graph {
    sg_func *f;
    size_t nf, cf;
    sg_map map;
    sg_edge *e;
    size_t ne, ce;
    sg_icall *ic;
    size_t nic, cic;
    sg_su *su;
    size_t nsu, csu;
    uint32_t nci;     /* .ci texts loaded (sg_func.def_unit) */
    sg_directive *d;
    size_t nd, cd;
    sg_join *joins;   /* sorted by plain key, then local key */
    size_t njoins, cjoins;

    /* results */
    bool analysed;
    rtm_sg_options opt;
    uint32_t *adj_start, *adj;  /* CSR of edge ids by caller */
    uint32_t *scc_of, *scc_members;
    sg_scc *scc;
    size_t nscc, ncycles;
    sg_icall *unres;            /* indirect calls no annotation resolves */
    size_t nunres, cunres;
    uint32_t *unres_of;         /* per function: its first unresolved indirect call, SG_NONE */
    sg_root *roots;
    size_t nroots;
    long isr_level_max[256];     /* worst ISR chain per level (frame pushed by hardware included) */
    uint32_t isr_level_root[256];
    unsigned isr_level_flags[256];   /* RTM_SG_F_* of every handler of the level */
    uint32_t isr_level_witness[256]; /* the level's first handler (by name) with flags, or SG_NONE */
    unsigned isr_flags;              /* of every handler */
    int isr_levels_used;
    long nesting_all;           /* sum over levels */

    /* 'isr_stack' annotation or --isr-stack: handlers run on a stack of their own */
    bool isr_stack_given;
    long isr_stack_size;        /* bytes, -1: not given ('own') */
    char *isr_stack_origin;     /* where it was given (file or option), for "given twice" */
    unsigned isr_stack_line;    /* its line, 0 for an option */
    rtm_sg_isr_stack_result isr_stack; /* the result (when given) */
};

#endif
