/*
 * stackgraph: static worst-case stack depth from GCC's own output (host code, libc allowed).
 *
 * Input: `.su` files (-fstack-usage), `.ci` files (-fcallgraph-info=su, a VCG graph per translation
 * unit; also plain -fcallgraph-info and =da, completed from the .su) and annotation files
 * (docs/stack-annotations.md). The graph is analysed once all input is
 * loaded: strongly connected components (recursion), longest path over the condensed DAG, ISR
 * nesting per preemption level, then a text or JSON report. Formats, semantics and limits are in
 * docs/stack.md.
 *
 * Usage:
 *   rtm_sg_graph *g = rtm_sg_new();
 *   rtm_sg_load_file(g, "build/a.ci", &err);          // or rtm_sg_load_ci/su/annotations on a buffer
 *   rtm_sg_analyse(g, &opts, &err);
 *   rtm_sg_report_text(g, stdout);
 *   int status = rtm_sg_exit_status(g, strict);     // 0 fits, 1 a worst case exceeds its stack
 *   rtm_sg_free(g);
 * Every loader and rtm_sg_analyse() returns 0, or -1 with err.msg = "FILE:LINE: message" (exit 2).
 */
#ifndef RTM_STACKGRAPH_H
#define RTM_STACKGRAPH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rtm_sg_graph rtm_sg_graph;

/** Error text of a failed call: "FILE:LINE: message" (or "FILE: message" without a line), one line.
 *  A FILE too long for the buffer keeps its end after "..."; LINE and the message are kept whole. */
typedef struct {
    char msg[512];
} rtm_sg_error;

/** Frame qualifiers as GCC prints them in .su/.ci ("static", "dynamic", "dynamic,bounded"). */
typedef enum {
    RTM_SG_NODATA = 0,  /**< no stack figure known (external function, library code) */
    RTM_SG_STATIC,      /**< fixed frame */
    RTM_SG_BOUNDED,     /**< dynamic,bounded: the figure is an upper bound */
    RTM_SG_DYNAMIC,     /**< dynamic (alloca/VLA): the figure is only the fixed part */
} rtm_sg_qual;

/** Why a result is not a proven upper bound (bit set). */
enum {
    RTM_SG_F_DYNAMIC = 1u << 0, /**< an unbounded dynamic frame is reachable */
    RTM_SG_F_ICALL = 1u << 1,   /**< an unresolved indirect call is reachable */
    RTM_SG_F_NODATA = 1u << 2,  /**< a function without stack data is reachable */
    RTM_SG_F_RECURSION = 1u << 3, /**< recursion without a depth annotation: unbounded */
    RTM_SG_F_LIMIT = 1u << 4,   /**< the worst case reached RTM_SG_BYTES_MAX: the true figure is larger */
};

/** The largest byte count the analysis holds: input figures above it are refused, and sums that
 *  would pass it stop there (and flag the result RTM_SG_F_LIMIT) instead of overflowing. Far above
 *  any real stack (512 MiB where long has 32 bits), reachable only with absurd annotations such as
 *  a large frame times a deep recursion. */
#define RTM_SG_BYTES_MAX (LONG_MAX / 4)

typedef struct {
    long call_margin;      /**< bytes added per frame of a chain (default 0) */
    long isr_frame;        /**< bytes the hardware pushes per interrupt entry (default 0) */
    const char *const *roots; /**< analyse only these roots (NULL: every function, or recursion cycle,
                               *   nobody else calls, and the annotated ones) */
    size_t nroots;
} rtm_sg_options;

/* Contract common to all functions: host code, not thread-safe per graph (one thread per graph;
 * separate graphs are independent). Out of host memory aborts the process. Inputs need not be
 * NUL-terminated; a NUL byte inside is malformed input. */

/** New empty graph. Never NULL. O(1). */
rtm_sg_graph *rtm_sg_new(void);
/** Frees @p g and everything it owns (NULL: no-op). O(F + E). */
void rtm_sg_free(rtm_sg_graph *g);

/**
 * Loads one .ci (VCG) text of @p len bytes. @p fname names it in messages.
 * Returns 0; or -1 with err->msg = "FNAME:LINE: message" for anything that is not GCC's
 * -fcallgraph-info format (the graph may then hold part of the file: discard it). O(len).
 */
int rtm_sg_load_ci(rtm_sg_graph *g, const char *text, size_t len, const char *fname, rtm_sg_error *err);
/** Loads one .su text (before or after the .ci of the same unit). Returns 0 or -1 as above. O(len). */
int rtm_sg_load_su(rtm_sg_graph *g, const char *text, size_t len, const char *fname, rtm_sg_error *err);
/**
 * Parses an annotation file (docs/stack-annotations.md). Syntax errors fail here (-1,
 * "FNAME:LINE: message"); names are resolved, and unknown ones reported, by rtm_sg_analyse(). O(len).
 */
int rtm_sg_load_annotations(rtm_sg_graph *g, const char *text, size_t len, const char *fname,
                            rtm_sg_error *err);
/** Reads @p path and loads it by extension: .ci, .su, anything else as annotations. Returns 0, or -1
 *  ("PATH: cannot open: ..." or a parser's message). O(file size). */
int rtm_sg_load_file(rtm_sg_graph *g, const char *path, rtm_sg_error *err);
/**
 * Loads the .ci and .su files of one program as `rtmem stack PATH...` does: every .ci of @p paths
 * first (in the order given), then every .su, so that .su records attach to the nodes the graphs
 * define. Annotation files are loaded separately (rtm_sg_load_file). Returns 0, or -1 with the
 * first failing file's message, or "PATH: not a .su or .ci file" (nothing is loaded then).
 * O(total size).
 */
int rtm_sg_load_inputs(rtm_sg_graph *g, const char *const *paths, size_t n, rtm_sg_error *err);
/** Is @p path a .ci or .su file by its name (what rtm_sg_load_inputs accepts and a directory walk
 *  collects)? A bare ".su" is not. O(length). */
bool rtm_sg_is_input(const char *path);
/** Adds one annotation line as if read from a file named @p origin (command-line options); errors
 *  read "ORIGIN: message". O(line). */
int rtm_sg_annotate(rtm_sg_graph *g, const char *line, const char *origin, rtm_sg_error *err);

/**
 * Builds the graph and computes every root's worst case (@p opts may be NULL: defaults). Call once,
 * after all loads. Fails (-1, message naming the annotation's FILE:LINE or the option) on an
 * annotation or --root naming an unknown or ambiguous function, an icall annotation that matches no
 * indirect call, a negative margin, or a second call. O((F + E) log F + D x I) for F functions,
 * E calls, D annotations and I indirect call sites.
 */
int rtm_sg_analyse(rtm_sg_graph *g, const rtm_sg_options *opts, rtm_sg_error *err);

/** Text table + chains + problems (after a successful rtm_sg_analyse). O(output). */
void rtm_sg_report_text(const rtm_sg_graph *g, FILE *out);
/** The same as one JSON object (docs/stack.md lists the fields). O(output). */
void rtm_sg_report_json(const rtm_sg_graph *g, FILE *out);
/** 1 if a root's worst case exceeds its stack, or with @p strict if a reported root's result is not a
 *  proven worst case (a lower bound or unbounded: RTM_SG_F_* flags, whether or not the root has a
 *  stack size) or there is no root at all (no function in the inputs); else 0. Same as
 *  rtm_sg_check(g, strict, NULL). O(roots). */
int rtm_sg_exit_status(const rtm_sg_graph *g, bool strict);
/**
 * rtm_sg_exit_status(), and when it is 1 why, on one line in @p why->msg (@p why may be NULL), for
 * the first failing root in report order: "root main: worst case 152 bytes exceeds its stack of 150
 * bytes", or "--strict: root r is unbounded: no stack data for r (a.c:3:5), recursion without depth
 * through r (a.c:3:5)": every reason, each naming a function and where it is defined (an indirect
 * call: its site) when known, and for a reason from a preempting ISR that handler first. After a
 * successful rtm_sg_analyse(). O(roots + length of the message).
 */
int rtm_sg_check(const rtm_sg_graph *g, bool strict, rtm_sg_error *why);

/* ---- results, for tests ------------------------------------------------------------------------ */
typedef struct {
    const char *name;
    bool isr;
    int level;          /**< ISR preemption level (isr only) */
    long frames;        /**< sum of the chain's frames */
    long margin;        /**< call margin over the chain */
    long isr_nesting;   /**< ISR nesting added on top (threads: all levels, or with an interrupt stack
                         *   one entry frame; other roots: all levels; ISRs: higher levels) */
    long total;         /**< frames + margin + isr_nesting */
    long stack;         /**< declared stack size, -1 if none */
    unsigned flags;     /**< RTM_SG_F_* */
    size_t chain_len;   /**< entries in the chain (a recursion cycle counts as one) */
} rtm_sg_root_result;

/** The interrupt stack, when an 'isr_stack' annotation (or --isr-stack) says that interrupt handlers
 *  run on a stack of their own (docs/stack.md, Analysis 6). The first entry from a thread pushes
 *  its frame on the thread's stack; every nested entry pushes its frame here. */
typedef struct {
    long size;          /**< its size in bytes, -1 if not given ('isr_stack own': nothing to check) */
    int levels;         /**< preemption levels that have a handler */
    long handlers;      /**< sum over those levels of the level's worst handler chain (frames, call margin) */
    long entry_frames;  /**< isr_frame for each nested entry: levels - 1 of them (0 without levels) */
    long total;         /**< handlers + entry_frames */
    long thread_entry;  /**< what a thread takes from interrupts: one isr_frame (0 without levels) */
    unsigned flags;     /**< RTM_SG_F_* of every handler; RTM_SG_F_LIMIT if total reached the limit */
} rtm_sg_isr_stack_result;

/** The interrupt stack's result, or NULL when none was given (handlers nest on the stack they
 *  interrupt, the default). After a successful rtm_sg_analyse(). O(1). */
const rtm_sg_isr_stack_result *rtm_sg_isr_stack(const rtm_sg_graph *g);

size_t rtm_sg_root_count(const rtm_sg_graph *g);
/** Result of root @p i (roots sorted by total, largest first, then by name). */
const rtm_sg_root_result *rtm_sg_root(const rtm_sg_graph *g, size_t i);
/** Result of the root named @p name, or NULL. */
const rtm_sg_root_result *rtm_sg_root_by_name(const rtm_sg_graph *g, const char *name);
/** Name of chain entry @p k of root @p i (for a cycle: its first member). */
const char *rtm_sg_chain_name(const rtm_sg_graph *g, size_t i, size_t k);
size_t rtm_sg_function_count(const rtm_sg_graph *g);
size_t rtm_sg_edge_count(const rtm_sg_graph *g);
size_t rtm_sg_cycle_count(const rtm_sg_graph *g);
size_t rtm_sg_unresolved_count(const rtm_sg_graph *g);

/** Writes a synthetic .ci text of @p nfunc functions and about @p nedges calls (random DAG plus a few
 *  recursion cycles and indirect calls) into a malloc'd buffer; returns its length. For the scale
 *  benchmark and tests. */
size_t rtm_sg_generate_ci(size_t nfunc, size_t nedges, uint64_t seed, char **out);

#endif
