/*
 * rtmem heap: one block format, three fit policies (good = two-level segregated fit, best, first).
 *
 * What it guarantees (how to verify it: docs/heap.md, tests/heap/, bench/):
 *  - Good-fit alloc and free are O(1): no loop depends on the heap size or the number of blocks
 *    (a small or large request that rounds up compares at most RTM_HEAP_LOW_PICK class heads).
 *    The one exception, documented and removable (RTM_HEAP_STRICT_O1=1), is the scan of the
 *    request's own size class made only when every larger class is empty: it is what makes the
 *    heap never fail while one free block could hold the request.
 *  - Worst-case memory: a request of n bytes occupies max(MIN_BLOCK, round_up(n + H, A)) bytes,
 *    H = sizeof(size_t), A = RTM_ALIGN. Free blocks are always coalesced, so no two are adjacent.
 *  - Every input is validated in O(1) before the heap is touched; rejected calls are reported
 *    through the error hook and counted, and leave the heap as it was.
 *
 * Block layout. Blocks tile each segment from its first block up to a header-only sentinel:
 *
 *     used block                          free block
 *     +--------------------------+        +--------------------------+
 *     | head: size | flags       |  H     | head: size | FREE        |  H
 *     +--------------------------+ <-p    +--------------------------+
 *     | payload ...              |        | next_free                |  pointer
 *     |                          |        | pprev_free               |  pointer
 *     |                          |        | ... (unused) ...         |
 *     |                          |        | footer: size | FREE      |  H
 *     +--------------------------+        +--------------------------+
 *
 *  head = block size in bytes (a multiple of A >= 8, header included) | flag bits:
 *    FREE      (bit 0) this block is free;
 *    PREV_FREE (bit 1) the block physically before this one is free, so the word just below this
 *                      header is that block's footer (its head again): free finds its left
 *                      neighbour in O(1) without a second header word on used blocks (the TLSF
 *                      trick);
 *    ALIGNED   (bit 2) the block came from aligned_alloc with align > A (realloc keeps alignment).
 *  Payload addresses are multiples of A, so headers sit at A - H mod A (4 mod 8 on 32-bit): one
 *  header word per used block with 8-byte alignment on 32-bit targets.
 *  pprev_free points at whatever points at this block (a list head or the previous block's
 *  next_free), so unlinking needs neither the size class nor a branch on "is it the head".
 *  The sentinel is a head with size SENTINEL_SIZE (the top granule of the address space, a size no
 *  block has) and FREE clear: coalescing stops there, walks end there.
 *
 * Size classes (good and best fit). SL = 32 (RTM_HEAP_SL_LOG2) linear subclasses per power of two; sizes below
 * 32 * A (256 bytes) map linearly in steps of A into first-level class 0; a size s >= 256 maps to
 * fl = log2(s) - 7, sl = the 5 bits below the top bit. Class (fl, sl) holds block sizes in
 * [start, start + step), step = A for fl 0 and 2^(log2(s) - 5) above. A bitmap word over first
 * levels and one 32-bit word per first level find the next non-empty class in two bit scans.
 * The number of first levels is set at init from the buffer size, so a 4 KiB heap does not pay
 * for classes it can never use; larger regions added later are cut into segments no larger than
 * the largest class.
 */
#include "rtmem/heap.h"

#include "rtm_internal.h"
#include "rtm_sanitize.h"
/* GCC's -O2 pairs the two link stores of a free block into an SSE store, which costs two more
 * instructions than the stores it replaces (x86-64 A: free 76.2 -> 74.2 instructions without). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif

/* ---- configuration ---------------------------------------------------------------------------- */
/* Policies compiled in: a mask of RTM_HEAP_FITS_GOOD | _BEST | _FIRST (heap.h). A good-fit-only
 * build drops the other searches and the run-time dispatch. */
#ifndef RTM_HEAP_FITS
#define RTM_HEAP_FITS (RTM_HEAP_FITS_GOOD | RTM_HEAP_FITS_BEST | RTM_HEAP_FITS_FIRST)
#endif
#ifndef RTM_HEAP_STRICT_O1
#define RTM_HEAP_STRICT_O1 0 /* 1: good-fit never scans a list; may fail while a block would fit */
#endif
#ifndef RTM_HEAP_CHECK_EVERY_OP
#define RTM_HEAP_CHECK_EVERY_OP 0 /* 1: assert rtm_heap_check() after every successful operation */
#endif
#ifndef RTM_HEAP_SL_LOG2
#define RTM_HEAP_SL_LOG2 5 /* log2 of subclasses per power of two: 5 (32, 3% steps) or 4 (16) */
#endif
#ifndef RTM_HEAP_TOP_SPLIT_MIN
/* Good fit: blocks >= this are cut from the top of a segment's last free block (the one below the
 * sentinel: RTM_HEAP_TOP_SPLIT_LAST), others from the bottom; 0: never from the top. 512 with the
 * last-block rule and RTM_HEAP_LOW_PICK_FROM = 512: see find_good (2048 was the threshold when
 * every free block was cut from the top). */
#define RTM_HEAP_TOP_SPLIT_MIN 512
#endif
#ifndef RTM_HEAP_TOP_SPLIT_LAST
/* 1: good fit cuts from the top only a segment's last block (followed by the sentinel), so large
 * blocks pile up from the top end while holes are used from their bottom, like first fit; 0: from
 * the top of any free block (the old rule). Measured with RTM_HEAP_LOW_PICK_FROM: find_good. */
#define RTM_HEAP_TOP_SPLIT_LAST 1
#endif
#ifndef RTM_HEAP_BEST_TOP_BY_NEXT
#define RTM_HEAP_BEST_TOP_BY_NEXT 1 /* 0: best fit always cuts from the bottom (the old placement) */
#endif
#ifndef RTM_HEAP_LOW_PICK
/* Good fit, small requests whose own class has no fitting head: take the lowest-addressed head
 * among this many non-empty larger classes (1: the smallest one, the plain good-fit answer). Small
 * blocks then settle low, as under first fit, instead of pinning holes among large blocks.
 * Minimum arena, -m32, robust, reference seeds A/B/C (and mean over six seeds each) with 1 / 4 /
 * 6 / 8 classes: A 1.138 / 1.149 / 1.141 / 1.136 (mean 1.139 -> 1.136 at 6); B 1.262 / 1.195 /
 * 1.173 / 1.163 (mean 1.242 -> 1.183 at 6); C 1.352 / 1.365 / 1.373 / 1.378 (mean 1.332 -> 1.327
 * at 6: C moves within its seed-to-seed noise of +-0.05). 6 takes most of B's gain; 8 costs more
 * instructions for little. Each class beyond the first costs one more pair of bit scans: O(1). */
#define RTM_HEAP_LOW_PICK 6
#endif
#ifndef RTM_HEAP_LOW_PICK_BELOW
/* ... for block sizes below this many bytes (requests up to 43 bytes on 32-bit): the sizes where
 * B (16..32-byte objects among 1..4 KiB ones) gains. 128 did no better on B and costs A more. */
#define RTM_HEAP_LOW_PICK_BELOW 48
#endif
#ifndef RTM_HEAP_COMPACT
/* 1: the good-fit paths written for code size (find_good's search as one loop, flip_class shared
 * by list insert and remove), 0: written for instruction count. Same behaviour either way (same
 * blocks, counters and reports; the heap tests run both: test_heap_*_compact). Default: 1 under
 * -Os, 0 otherwise. Cortex-M4 -Os good-fit core: 1556 bytes with 0, 1118 with 1 (at 22a7106);
 * x86-64 -O2, workload A (at f2e4467): 74.9 / 57.4 instructions per alloc / free with 0, 89.7 /
 * 78.2 with 1 (with 1, free has no fast path: free_general is all of it). */
#ifdef __OPTIMIZE_SIZE__
#define RTM_HEAP_COMPACT 1
#else
#define RTM_HEAP_COMPACT 0
#endif
#endif
#ifndef RTM_HEAP_LOW_PICK_FROM
/* ... and for block sizes of at least this many bytes (0: off): large requests that round up also
 * take the lowest-addressed head among RTM_HEAP_LOW_PICK classes, so the heap fills from the
 * bottom as under first fit and the top stays one free run (find_good has the figures). Above
 * A's sizes (blocks up to 520 bytes, nearly all below 512), so A's alloc path pays one compare. */
#define RTM_HEAP_LOW_PICK_FROM 512
#endif
#ifndef RTM_HEAP_FREE_OUTLINE_MERGES
/* 1: rtm_heap_free's merge cases (RTM_HEAP_COMPACT=0 only) are out-of-line functions, so that the
 * no-merge path (87% of workload A's frees) needs no callee-saved register; 0: inline. Pays where
 * saving registers costs instructions and calls are cheap: x86-64 -O2, workload A 62.6 -> 59.3
 * instructions per free (C 96.6 -> 96.0). Not on i386, where the calls cost more than they save
 * (-m32: A 75.5 -> 76.5, C 114.0 -> 132.2), nor on Cortex-M3 (one push and one pop save any
 * number of registers): Thumb-2 -O2, A 67.7 -> 70.8 per free, C 102.1 -> 108.0. Other targets
 * unmeasured: 0. */
#if defined(__x86_64__)
#define RTM_HEAP_FREE_OUTLINE_MERGES 1
#else
#define RTM_HEAP_FREE_OUTLINE_MERGES 0
#endif
#endif
/* RTM_HEAP_REALLOC_ALIGN_MAX (a moving realloc of an aligned block keeps up to this): heap.h. */
_Static_assert((RTM_HEAP_REALLOC_ALIGN_MAX & (RTM_HEAP_REALLOC_ALIGN_MAX - 1u)) == 0 && RTM_HEAP_REALLOC_ALIGN_MAX >= RTM_ALIGN,
               "RTM_HEAP_REALLOC_ALIGN_MAX: a power of two, at least RTM_ALIGN");

/* ---- layout constants ------------------------------------------------------------------------- */
#define H ((size_t)sizeof(size_t))       /* header (and footer) bytes */
#define A ((size_t)RTM_ALIGN)            /* block granule and payload alignment */
#define MIN_BLOCK ((size_t)(4 * sizeof(size_t) + RTM_ALIGN - 1) & ~((size_t)RTM_ALIGN - 1))
/* The smallest segment init and add_region accept: one block that serves an RTM_ALIGN-byte
 * request (heap.h). MIN_BLOCK itself except where a header and A bytes round past it
 * (RTM_ALIGN = 16 on 32-bit: MIN_BLOCK 16, such a block 32). */
#define A_REQUEST_BLOCK (((size_t)RTM_ALIGN + sizeof(size_t) + RTM_ALIGN - 1) & ~((size_t)RTM_ALIGN - 1))
#define MIN_SEGMENT (A_REQUEST_BLOCK > MIN_BLOCK ? A_REQUEST_BLOCK : MIN_BLOCK)
#define SL_LOG2 ((unsigned)RTM_HEAP_SL_LOG2)
#define SL (1u << SL_LOG2)
#define FREE_BIT ((size_t)1)
#define PREV_FREE_BIT ((size_t)2)
#define ALIGNED_BIT ((size_t)4)
#define FLAG_MASK ((size_t)7)
#define HEAP_MAGIC 0x72746D48u /* "rtmH" */
/* The sentinel's size: 0 - A, so that the block after any used block, the sentinel included, has
 * a head of at least MIN_BLOCK. free tests that in one compare and so refuses a fake block whose
 * "next block" is a zero word: a free list's NULL link, or zeroed user data (review finding: with
 * the sentinel's size 0 the test needed a second compare, and without it free(p - 8) could pass on
 * 64-bit and write a free block over a live one). cut_top tells the sentinel by next + A == 0. */
#define SENTINEL_SIZE ((size_t)0 - (size_t)RTM_ALIGN)

typedef struct rtm_block {
    size_t head;
    struct rtm_block *next_free;   /* free blocks only */
    struct rtm_block **pprev_free; /* free blocks only */
} rtm_block;

_Static_assert((RTM_ALIGN & (RTM_ALIGN - 1)) == 0, "RTM_ALIGN must be a power of two");
_Static_assert(RTM_ALIGN >= 8, "three flag bits live in the low bits of block sizes");
_Static_assert(RTM_ALIGN >= sizeof(size_t) && RTM_ALIGN >= sizeof(void *), "payload must hold a word");
_Static_assert(sizeof(void *) == sizeof(size_t), "header, links and footer are one word each");
_Static_assert(sizeof(rtm_block) == 3 * sizeof(size_t), "free-block fields are packed words");
_Static_assert(MIN_BLOCK >= sizeof(rtm_block) + sizeof(size_t), "a minimum block holds links + footer");

/* A segment: a stretch of blocks ending in a sentinel. Regions are cut into segments. */
typedef struct rtm_segment {
    rtm_block *first;          /* first block */
    rtm_block *end;            /* sentinel header */
    uintptr_t raw_lo, raw_hi;  /* the caller's memory this segment came from (overlap checks) */
    struct rtm_segment *next;  /* in address order */
    unsigned region;           /* user-visible region index */
} rtm_segment;

struct rtm_heap {
    /* The init region's segment, first: &h->seg0 is h itself, so init links it without an add
     * (Cortex-M4 -Os: 4 bytes). The fields it moves stay within the short load offsets. */
    rtm_segment seg0;
    uint32_t magic;
    uint8_t fit;
    uint8_t fl_count;
    uint8_t top_rule;      /* TOP_ALWAYS, TOP_NEXT_SMALLER (best fit) or TOP_LAST_BLOCK (good fit): cut_top */
    uint32_t fl_bitmap;
    uint32_t *sl_bitmap;   /* fl_count words + one zero word, after heads[] (see next_nonempty) */
    size_t max_request;    /* largest request: a block of max_block(h) bytes less its header */
    size_t top_split_min;  /* blocks this large may be cut from the top of a free block (good, best) */
    uintptr_t lo, hi;      /* lowest first block, highest sentinel over all segments */
    uintptr_t p_lo, p_units; /* payload bounds: p is aligned and inside iff ror(p - p_lo, A_LOG2) < p_units */
    rtm_segment *segments; /* address order */
    /* unsigned, as rtm_segment.region: 2^32 segments would take 320 GiB of descriptors and
     * minimum blocks. On 64-bit the control block is 8 bytes shorter for it, and the list heads
     * start at 0xd8 rather than 0xe0, where GCC 12 -O2 indexed them with an extra lea on the free
     * path (x86-64, good fit, per free: A 55.5 -> 54.5, C 97.2 -> 96.2, A64 109.9 -> 108.9); 32-bit
     * layouts are unchanged. */
    unsigned segment_count, regions;
    /* used blocks = allocs - frees; free blocks = free_less_frees + frees, so that a free that
     * merges with neither neighbour (frees and free blocks both + 1) counts in one store (x86-64
     * -O2: one instruction less per free; the value wraps round as unsigned arithmetic may). */
    size_t capacity, used, free_less_frees, peak_used;
    size_t allocs, frees, failed_allocs, bad_frees, bad_requests;
    uintptr_t p_hi;        /* highest payload of a single segment: p_lo + (p_units - 1) * A (own_size_fits) */
    rtm_block *heads[];    /* fl_count * SL free-list heads, then sl_bitmap */
};

_Static_assert(sizeof(rtm_heap) <= 32u * sizeof(void *), "RTM_HEAP_OVERHEAD bounds the fixed part");
/* The smallest control block init makes (MIN_FL_COUNT levels of list heads and their bitmap
 * words). When it holds a header and a minimum block, as it does unless RTM_ALIGN is 128 or more
 * (MIN_BLOCK = RTM_ALIGN there), init's "l <= hi" also refuses a buffer ending below
 * H + MIN_BLOCK, and init leaves that test out; else init makes it (RTM_ALIGN 256, and 128 on
 * 32-bit, did not compile: this was an assertion on sizeof(rtm_heap) alone; review finding,
 * 2026-11-29). */
/* The control block of a heap of fl first levels: the struct, the list heads, and one second-level
 * word more than there are levels (rtm_heap_init). */
#define CTRL_BYTES(fl) (sizeof(rtm_heap) + (size_t)(fl) * SL * sizeof(rtm_block *) + ((fl) + 1u) * sizeof(uint32_t))
#define CTRL_MIN CTRL_BYTES(MIN_FL_COUNT)
#define CTRL_HOLDS_MIN_BLOCK (CTRL_MIN >= sizeof(size_t) + MIN_BLOCK)

/* ---- sanitizer-aware metadata access ---------------------------------------------------------- */
/* With ASan or Valgrind, every header and all free space is poisoned so that user overruns and
 * use-after-free are caught. The heap itself reaches its metadata only through load_word and
 * store_word: under ASan they are not instrumented (no poison toggling, so a bad pointer handed to
 * free never changes what the user may touch); under Valgrind they open exactly the word they
 * touch and close it again. Without either they are plain loads and stores. */
#if RTM_ASAN
#define META_FN static __attribute__((no_sanitize_address, noinline))
#else
#define META_FN RTM_INLINE
#endif
META_FN size_t load_word(const void *p)
{
#if RTM_VALGRIND
    rtm_san_access((void *)(uintptr_t)p, sizeof(size_t));
    size_t v = *(const size_t *)p;
    rtm_san_noaccess((void *)(uintptr_t)p, sizeof(size_t));
    return v;
#else
    return *(const size_t *)p;
#endif
}
META_FN void store_word(void *p, size_t v)
{
#if RTM_VALGRIND
    rtm_san_access(p, sizeof(size_t));
    *(size_t *)p = v;
    rtm_san_noaccess(p, sizeof(size_t));
#else
    *(size_t *)p = v;
#endif
}

RTM_INLINE size_t head_of(const rtm_block *b) { return load_word(&b->head); }
RTM_INLINE void set_head(rtm_block *b, size_t v) { store_word(&b->head, v); }
RTM_INLINE size_t size_of_head(size_t head) { return head & ~FLAG_MASK; }
RTM_INLINE rtm_block *next_free(const rtm_block *b) { return (rtm_block *)load_word(&b->next_free); }
RTM_INLINE rtm_block **pprev_free(const rtm_block *b) { return (rtm_block **)load_word(&b->pprev_free); }
RTM_INLINE void set_next_free(rtm_block *b, rtm_block *n) { store_word(&b->next_free, (size_t)n); }
RTM_INLINE void set_pprev_free(rtm_block *b, rtm_block **pp) { store_word(&b->pprev_free, (size_t)pp); }
/* Is pp one of the list-head slots (in the control block), rather than a free block's next_free?
 * The slots end where sl_bitmap starts (== heads_end(h): rtm_heap_check verifies it first). */
RTM_INLINE bool is_head_slot(const rtm_heap *h, rtm_block *const *pp)
{
    return (uintptr_t)pp - (uintptr_t)h->heads < (uintptr_t)h->sl_bitmap - (uintptr_t)h->heads;
}
/* *pp is either a list head (control block, never poisoned) or a free block's next_free field. */
RTM_INLINE void store_link(const rtm_heap *h, rtm_block **pp, rtm_block *v)
{
#if RTM_VALGRIND
    if (is_head_slot(h, pp)) {
        *pp = v;
        return;
    }
#endif
    (void)h;
    store_word(pp, (size_t)v);
}
RTM_INLINE rtm_block *block_at(const void *base, size_t offset) { return (rtm_block *)((char *)(uintptr_t)base + offset); }
RTM_INLINE size_t *footer_of(const rtm_block *b, size_t size) { return (size_t *)((char *)(uintptr_t)b + size - H); }
/* The footer just below b: a free left neighbour's head (size | FREE_BIT), valid iff b says
 * PREV_FREE. */
RTM_INLINE size_t prev_foot(const rtm_block *b) { return load_word((const char *)b - H); }
RTM_INLINE void *payload_of(const rtm_block *b) { return (char *)(uintptr_t)b + H; }
RTM_INLINE rtm_block *block_of_payload(const void *p) { return (rtm_block *)((char *)(uintptr_t)p - H); }

/* The largest block size the classes hold. Derived, not stored: the alloc paths test requests
 * against max_request, and a word less in the control block keeps its size where it was when
 * p_hi came in (the minimum arenas move with it). */
RTM_INLINE size_t max_block(const rtm_heap *h) { return h->max_request + H; }
RTM_INLINE rtm_block **heads_end(const rtm_heap *h) { return (rtm_block **)&h->heads[(size_t)h->fl_count * SL]; }

/* ---- size classes ----------------------------------------------------------------------------- */
#define A_LOG2 (RTM_ALIGN >= 256 ? 8u : RTM_ALIGN >= 128 ? 7u : RTM_ALIGN >= 64 ? 6u : RTM_ALIGN >= 32 ? 5u : RTM_ALIGN >= 16 ? 4u : 3u)
#define LIN_LOG2 (SL_LOG2 + A_LOG2) /* sizes below 2^LIN_LOG2 are in first level 0 */
_Static_assert(((size_t)1 << A_LOG2) == RTM_ALIGN, "A_LOG2 table covers RTM_ALIGN up to 256");
_Static_assert(RTM_HEAP_SL_LOG2 >= 2 && RTM_HEAP_SL_LOG2 <= 5, "second-level bitmaps are 32-bit words");
_Static_assert(RTM_HEAP_LOW_PICK >= 1, "good fit compares at least the smallest non-empty larger class");
_Static_assert(RTM_HEAP_LOW_PICK_FROM == 0 || RTM_HEAP_LOW_PICK_FROM > RTM_HEAP_LOW_PICK_BELOW, "low pick: two ranges, small and large");
/* The fewest first levels a heap may have: enough for its largest block (2^(LIN_LOG2 + fl_count
 * - 1) - A) to be at least MIN_SEGMENT. One with the default classes; two where level 0 is narrower
 * than that (RTM_HEAP_SL_LOG2=2 on 64-bit: level 0's largest block is 24 bytes, MIN_BLOCK 32). */
#define MIN_FL_COUNT ((((size_t)1 << LIN_LOG2) - A >= MIN_SEGMENT) ? 1u : 2u)
_Static_assert(((size_t)2 << LIN_LOG2) - A >= MIN_SEGMENT, "two first levels always hold the smallest segment");
/* Block sizes in [RTM_HEAP_LOW_PICK_BELOW, LOW_PICK_TO) take the smallest larger class. */
#define LOW_PICK_TO (RTM_HEAP_LOW_PICK_FROM > 0 ? (size_t)RTM_HEAP_LOW_PICK_FROM : SIZE_MAX)
/* Does a good-fit request of block size bs that must round up take the lowest-addressed head
 * among RTM_HEAP_LOW_PICK classes (small and large requests), rather than the smallest class's?
 * One unsigned compare covers both ranges (bs below RTM_HEAP_LOW_PICK_BELOW wraps round). */
RTM_INLINE bool low_pick(size_t bs)
{
    return bs - (size_t)RTM_HEAP_LOW_PICK_BELOW >= LOW_PICK_TO - (size_t)RTM_HEAP_LOW_PICK_BELOW;
}

/* Flat class index fl * SL + sl of a block size (size >= MIN_BLOCK, <= max_block). Sizes below
 * 2^LIN_LOG2 step linearly by A. Above, with f = log2(size), size >> (f - SL_LOG2) is SL + sl (the
 * top bit and the SL_LOG2 bits below it), so the index is (f - LIN_LOG2) * SL + that, with no mask:
 * bsr, shift, add (x86: 7 instructions where the written-out (fl + 1) * SL + (bits & (SL - 1))
 * took 13). The branch stays: most requests are small, and the linear path is cheaper still. It
 * covers the first level above the linear one too, where f = LIN_LOG2 makes the formula
 * size >> A_LOG2 as well (the same classes; workload A's blocks of 256-511 bytes skip the bit
 * scan). size_t, not unsigned: the index goes straight into heads[] with no zero-extension (x86-64
 * -O2, good fit, workload A, per alloc / free: 74.9 / 57.8 -> 72.7 / 56.2, both changes). */
RTM_INLINE size_t class_of(size_t size)
{
    if (RTM_HEAP_COMPACT) {
        /* Written for code size: no branch. Setting bit LIN_LOG2 makes f = LIN_LOG2 for every
         * size the linear path takes, and there the formula is size >> A_LOG2 (Cortex-M4 -Os
         * good-fit core: 6 bytes). */
        unsigned f = rtm_log2_size(size | ((size_t)1 << LIN_LOG2));
        return ((size_t)(f - LIN_LOG2) << SL_LOG2) + (size >> (f - SL_LOG2));
    }
    /* Likely: the linear classes (blocks below 2^(LIN_LOG2+1), 512 B at RTM_ALIGN 8) are where
     * small-system allocations live, so their path falls through (x86-64 -O2, good fit, per
     * alloc / free: A 72.5 / 57.2 -> 72.4 / 56.3, A64 184.2 / 111.2 -> 183.3 / 110.5; C, whose
     * buffers grow to 8 KiB, 161.3 / 99.5 -> 160.7 / 99.8). */
    if (RTM_LIKELY(size < ((size_t)2 << LIN_LOG2))) return size >> A_LOG2;
    unsigned f = rtm_log2_size(size);
    return ((size_t)f << SL_LOG2) + (size >> (f - SL_LOG2)) - ((size_t)LIN_LOG2 << SL_LOG2);
}

/* ---- free lists ------------------------------------------------------------------------------- */
/* Class idx's list became non-empty / empty: set / clear its bit in its second-level word, and
 * keep the first-level bit equal to "that word is non-zero". */
#if RTM_HEAP_COMPACT
/* One helper flips the bit for both directions (the bit is known to be clear / set): list_insert
 * and list_remove share it (Cortex-M4 -Os good-fit core: 14 bytes less; inlined on x86-64 -O2 it
 * costs 2.5 / 4.5 instructions per alloc / free on workload A, hence the RTM_HEAP_COMPACT=0 pair
 * below). The level's bit flips too iff no other class of the level is non-empty: one xor under
 * one test, where setting or clearing it by the word left took both (44 -> 40 bytes). */
static RTM_NOINLINE void flip_class(rtm_heap *h, unsigned idx)
{
    uint32_t *w = &h->sl_bitmap[idx >> SL_LOG2];
    uint32_t bit = 1u << (idx & (SL - 1u)), v = *w ^ bit;
    *w = v;
    if ((v & ~bit) == 0) h->fl_bitmap ^= 1u << (idx >> SL_LOG2);
}
RTM_INLINE void class_filled(rtm_heap *h, unsigned idx) { flip_class(h, idx); }
RTM_INLINE void class_emptied(rtm_heap *h, unsigned idx) { flip_class(h, idx); }
#else
RTM_INLINE void class_filled(rtm_heap *h, size_t idx)
{
    /* The level's bit only when the level was empty: one test, where setting it each time took a
     * second variable shift (x86-64 -O2, good fit, per free: A 56.3 -> 55.6, C 99.8 -> 99.0, A64
     * 110.5 -> 109.3; a third of A's frees fill an empty class). */
    uint32_t *w = &h->sl_bitmap[idx >> SL_LOG2], old = *w;
    *w = old | (1u << (idx & (SL - 1u)));
    if (old == 0) h->fl_bitmap |= 1u << (idx >> SL_LOG2);
}
RTM_INLINE void class_emptied(rtm_heap *h, unsigned idx)
{
    if ((h->sl_bitmap[idx >> SL_LOG2] &= ~(1u << (idx & (SL - 1u)))) == 0)
        h->fl_bitmap &= ~(1u << (idx >> SL_LOG2));
}
#endif

RTM_INLINE void list_insert(rtm_heap *h, rtm_block *b, size_t size)
{
    size_t idx = class_of(size);
    rtm_block **head = &h->heads[idx];
    rtm_block *first = *head;
    rtm_block **pp = head;
    rtm_block *nx = first;
    if (first != NULL && first < b) {
        /* Lean the list towards address order in O(1): a block above the head goes second, so
         * the head (what good fit takes) tends to be the lowest address. Address-ordered reuse
         * keeps long-lived blocks low and free space in large runs (A: 1.155 -> 1.148, B: 1.254
         * -> 1.240 minimum-arena ratio, -m32). */
        pp = &first->next_free;
        nx = next_free(first);
    }
    /* Either way b goes in after the slot pp (one code path for both: code size). */
    set_next_free(b, nx);
    set_pprev_free(b, pp);
    if (nx != NULL) {
        set_pprev_free(nx, &b->next_free);
    } else if (first == NULL) {
        class_filled(h, idx);
    }
    store_link(h, pp, b);
}

RTM_INLINE void list_remove(rtm_heap *h, rtm_block *b)
{
    rtm_block *next = next_free(b);
    rtm_block **pp = pprev_free(b);
    store_link(h, pp, next);
    if (next != NULL) {
        set_pprev_free(next, pp);
    } else if (is_head_slot(h, pp)) {
        /* b was alone in its list: pp is the head slot, which tells the class. */
        class_emptied(h, (unsigned)(pp - h->heads));
    }
}

/* Smallest class index >= idx with a non-empty list, or -1. Two bit scans. idx may be one past
 * the last class: sl_bitmap[fl_count] exists and is always 0. */
_Static_assert(SIZE_MAX > 0xFFFFFFFFu || 31u - LIN_LOG2 + 2u + 1u < 32u, "next_nonempty: fl + 1 < 32 on 32-bit");
/* The walks over class bits below (next_nonempty, lowest_head; the compact find_good has its own
 * copy) keep a level fl and the bits still to visit in it, map. When map is empty, moves to the
 * next level with a non-empty class (fl_bitmap, one bit scan) and loads its bits; false when
 * there is none. */
RTM_INLINE bool level_with_classes(const rtm_heap *h, unsigned *fl, uint32_t *map)
{
    if (*map != 0) return true;
    /* fl + 1 can reach 32 (past a 32-level heap) only where size_t is wider than 32 bits: a
     * 32-bit heap has at most 31 - LIN_LOG2 + 2 <= 28 levels, so 32-bit targets skip the test
     * (code size). */
    uint32_t fl_map = (SIZE_MAX <= 0xFFFFFFFFu || *fl + 1u < 32u) ? (h->fl_bitmap & (~(uint32_t)0 << (*fl + 1u))) : 0u;
    if (fl_map == 0) return false;
    *fl = rtm_ctz32(fl_map);
    *map = h->sl_bitmap[*fl];
    return true;
}

RTM_INLINE int next_nonempty(const rtm_heap *h, unsigned idx)
{
    unsigned fl = idx >> SL_LOG2;
    uint32_t sl_map = h->sl_bitmap[fl] & (~(uint32_t)0 << (idx & (SL - 1u)));
    if (!level_with_classes(h, &fl, &sl_map)) return -1;
    return (int)((fl << SL_LOG2) + rtm_ctz32(sl_map));
}

/* ---- the three searches ----------------------------------------------------------------------- */
/* Each returns a free block of at least bs bytes (still in its list), or NULL. */

/* Scans one list for a block of at least bs bytes. best: the smallest such block, the lowest
 * address among equals (address-ordered best fit fragments least); else the first one found. */
static rtm_block *scan_list(rtm_block *b, size_t bs, bool best)
{
    rtm_block *found = NULL;
    size_t found_size = SIZE_MAX;
    for (; b != NULL; b = next_free(b)) {
        size_t s = size_of_head(head_of(b));
        if (s >= bs && (s < found_size || (s == found_size && b < found))) {
            found = b;
            found_size = s;
            if (!best) break;
        }
    }
    return found;
}

/* Good fit's last resort, when no larger class holds a block: the rest of the request's own class
 * (b is its head, already found too small), so that it never fails while a block would fit. The
 * one scan in good fit; RTM_HEAP_STRICT_O1=1 leaves it out. */
RTM_INLINE rtm_block *scan_own_class(rtm_block *b, size_t bs)
{
#if RTM_HEAP_STRICT_O1
    (void)b;
    (void)bs;
    return NULL;
#else
    return b != NULL ? scan_list(next_free(b), bs, false) : NULL;
#endif
}

#if RTM_HEAP_COMPACT
/* Good fit written for code size. After the own class's head, walks the set bits of the
 * non-empty classes above idx in order (two bit scans to step to the next level). A mid-sized
 * request takes the head of the first one (the plain good-fit answer); a small or large one
 * (low_pick) takes the lowest-addressed head among the first RTM_HEAP_LOW_PICK of them (the
 * figures are at the other find_good below). At most RTM_HEAP_LOW_PICK steps: O(1). One loop
 * serves both (the first class found is the plain answer): Cortex-M4 -Os, find_good 234 -> 168
 * bytes, against a separate next_nonempty search followed by the walk of lowest_head (the
 * RTM_HEAP_COMPACT=0 code, which takes 5.5 instructions fewer per alloc on x86-64, workload A).
 * The walk starts in idx's own level with the bits above idx (~1 << sl: none when idx is a
 * level's last class), not from idx + 1, and only its first step can find no class at all, so
 * that is where it falls back to scan_own_class, inside the loop (Cortex-M4 -Os: 170 -> 166). */
RTM_INLINE rtm_block *find_good(const rtm_heap *h, size_t bs)
{
    unsigned idx = class_of(bs);
    rtm_block *b = h->heads[idx];
    /* Before rounding the search up to the next class (TLSF's RAM cost), try the head of the
     * request's own class: one compare, and it often fits. */
    if (b != NULL && size_of_head(head_of(b)) >= bs) return b;
    unsigned fl = idx >> SL_LOG2;
    uint32_t map = h->sl_bitmap[fl] & (~(uint32_t)1 << (idx & (SL - 1u)));
    unsigned left = low_pick(bs) ? (unsigned)RTM_HEAP_LOW_PICK : 1u;
    uintptr_t r = UINTPTR_MAX;
    do {
        if (map == 0) {
            /* level_with_classes, with the levels above fl shifted down rather than masked:
             * no all-ones mask to keep in a register, and two shifts never shift by 32
             * (Cortex-M4 -Os: 166 -> 162 bytes). */
            uint32_t up = h->fl_bitmap >> fl >> 1;
            if (up == 0) {
                if (RTM_LIKELY(r != UINTPTR_MAX)) break;
                return scan_own_class(b, bs);
            }
            fl += 1u + rtm_ctz32(up);
            map = h->sl_bitmap[fl];
        }
        uintptr_t c = (uintptr_t)h->heads[(fl << SL_LOG2) + rtm_ctz32(map)];
        map &= map - 1u;
        if (c < r) r = c;
    } while (--left != 0);
    return (rtm_block *)r;
}
#else
/* The lowest-addressed head among r = heads[up] and the heads of the next RTM_HEAP_LOW_PICK - 1
 * non-empty classes above up. Every block there fits whatever class up fits. At most
 * RTM_HEAP_LOW_PICK - 1 searches of two bit scans each: O(1). */
RTM_INLINE rtm_block *lowest_head(const rtm_heap *h, unsigned up, rtm_block *r)
{
    /* Walks the set bits above up directly (the classes next_nonempty(up + 1) would return one
     * after another) rather than searching again from each: about 10 instructions a class instead
     * of 28, which keeps a small request's worst case near the large ones'. */
    unsigned fl = up >> SL_LOG2;
    uint32_t map = h->sl_bitmap[fl] & ~((2u << (up & (SL - 1u))) - 1u); /* classes above up in its level */
    for (unsigned k = 1; k < (unsigned)RTM_HEAP_LOW_PICK; k++) {
        if (!level_with_classes(h, &fl, &map)) break;
        rtm_block *c = h->heads[(fl << SL_LOG2) + rtm_ctz32(map)];
        map &= map - 1u;
        if (c < r) r = c;
    }
    return r;
}

RTM_INLINE rtm_block *find_good(const rtm_heap *h, size_t bs)
{
    size_t idx = class_of(bs);
    rtm_block *b = h->heads[idx];
    /* Before rounding the search up to the next class (TLSF's RAM cost), try the head of the
     * request's own class: one compare, and it often fits. */
    if (b != NULL && size_of_head(head_of(b)) >= bs) return b;
    int up = next_nonempty(h, (unsigned)idx + 1u);
    if (RTM_LIKELY(up >= 0)) {
        /* A small request rounded up would otherwise split whatever the smallest larger class
         * holds, often a hole between large blocks that it then pins; the lowest address among a
         * few classes keeps small blocks low and holes mergeable (RTM_HEAP_LOW_PICK). Large
         * requests (RTM_HEAP_LOW_PICK_FROM) do the same, and are cut from the top only of the
         * segment's last block (carve): the heap then fills from the bottom, holes are reused
         * from their low end, and the top stays one free run, as under first fit. Workload C
         * (growing buffers), -m32 robust minimum arena, mean over 24 seeds: 1.339 -> 1.288
         * (first fit 1.290 over 12), better on 23 of 24 seeds; reference seed 1.373 -> 1.366.
         * A and B unchanged within noise (six-seed means 1.136 -> 1.136, 1.183 -> 1.184).
         * Either half alone does less: the last-block rule (threshold 2048) 1.323 over 24 seeds;
         * the low pick from 512 with top splits anywhere 1.375 over 12 (main 1.346 on those);
         * the last-block rule with the low pick from 2048, 1.314 over 12 (docs/benchmarks.md).
         * low_pick() says which requests. */
        if (low_pick(bs)) return lowest_head(h, (unsigned)up, h->heads[up]);
        return h->heads[up];
    }
    return scan_own_class(b, bs);
}
#endif

static rtm_block *find_best(const rtm_heap *h, size_t bs)
{
    unsigned idx = class_of(bs);
    rtm_block *b = scan_list(h->heads[idx], bs, true);
    if (b != NULL) return b;
    int up = next_nonempty(h, idx + 1u);
    return up >= 0 ? scan_list(h->heads[up], bs, true) : NULL;
}

static rtm_block *find_first(const rtm_heap *h, size_t bs)
{
    rtm_block *found = NULL;
    for (int idx = (int)class_of(bs); (idx = next_nonempty(h, (unsigned)idx)) >= 0; idx++) {
        for (rtm_block *b = h->heads[idx]; b != NULL; b = next_free(b))
            if ((found == NULL || b < found) && size_of_head(head_of(b)) >= bs) found = b;
        if ((unsigned)idx + 1u >= (unsigned)h->fl_count * SL) break;
    }
    return found;
}

/* Policies left out by RTM_HEAP_FITS fold away here (the conditions are constants). */
RTM_INLINE rtm_block *find_block(const rtm_heap *h, size_t bs)
{
    rtm_fit fit = RTM_HEAP_FITS == RTM_HEAP_FITS_GOOD ? RTM_FIT_GOOD : (rtm_fit)h->fit;
    if ((RTM_HEAP_FITS & RTM_HEAP_FITS_GOOD) && RTM_LIKELY(fit == RTM_FIT_GOOD)) return find_good(h, bs);
    if ((RTM_HEAP_FITS & RTM_HEAP_FITS_BEST) && fit == RTM_FIT_BEST) return find_best(h, bs);
    if (RTM_HEAP_FITS & RTM_HEAP_FITS_FIRST) return find_first(h, bs);
    return NULL;
}

/* ---- carving ---------------------------------------------------------------------------------- */
/* Block size for a request of n bytes (1 <= n <= max_request). */
RTM_INLINE size_t block_size_for(size_t n)
{
    size_t bs = (n + H + A - 1u) & ~(A - 1u);
    return bs < MIN_BLOCK ? MIN_BLOCK : bs;
}

/* Makes a free block [r, r + size) whose left neighbour is used, and links it. The block after it
 * must already say PREV_FREE. The footer repeats the head, FREE bit included: where H == A (64-bit
 * with 8-byte alignment) a footer can sit on a word that was a used block's header, and a stale
 * pointer to that block (a double free) must then read FREE, not a used block of the footer's size
 * whose end may land on a real block: free would write a free block over live data (review
 * finding, test_double_free_onto_footer). The same store either way: no cost. */
RTM_INLINE void make_free(rtm_heap *h, rtm_block *r, size_t size)
{
    size_t fh = size + FREE_BIT; /* size's flag bits are 0: + lets x86 use one lea */
    set_head(r, fh);
    store_word(footer_of(r, size), fh);
    list_insert(h, r, size);
}

/* Best fit's placement inside the chosen block, with RTM_HEAP_BEST_TOP_BY_NEXT=1, the default
 * (asked only when the block is split, and never for aligned allocations; best fit's top_split_min
 * is then MIN_BLOCK and top_rule is set): the used block goes to the top, next to the block
 * after it, iff that block is smaller than the request (the sentinel counts as 0, so a segment's
 * last free block is used from its top end down and a fresh heap fills from the top); otherwise to
 * the bottom. RTM_HEAP_BEST_TOP_BY_NEXT=0 restores the old rule, always the bottom. Measured on the
 * -m32 robust minimum arena, mean over five seeds of each workload (1/11/21/31/41 for A, +1 for B,
 * +2 for C): always bottom 1.138 / 1.236 / 1.401 (A / B / C), this rule 1.134 / 1.225 / 1.336,
 * better on all five C seeds; on the reference seeds 1.140 -> 1.135, 1.252 -> 1.230, 1.349 ->
 * 1.341. The exact-layout tests write out best fit's layouts for both settings
 * (test_heap_layout, test_heap_layout_best_bottom). What did not help (same measure): top iff the
 * request is >= 64, 256 or 1024 bytes (good fit's rule); next to the larger right neighbour; top
 * only in the last block; the highest address among equal sizes; leaving remainders under 24 or
 * 32 bytes unsplit. */
/* Good fit's placement (RTM_HEAP_TOP_SPLIT_LAST=1, the default): a block of top_split_min bytes
 * or more goes to the top only of a segment's last free block (the block after it is the sentinel,
 * size 0); from any other free block, to the bottom (find_good has the figures). */
enum { TOP_ALWAYS = 0, TOP_NEXT_SMALLER = 1, TOP_LAST_BLOCK = 2 };
#define TOP_RULE_BEST (RTM_HEAP_BEST_TOP_BY_NEXT && (RTM_HEAP_FITS & RTM_HEAP_FITS_BEST))
#define TOP_RULE_GOOD (RTM_HEAP_TOP_SPLIT_LAST && (RTM_HEAP_FITS & RTM_HEAP_FITS_GOOD))
/* A policy's top-split threshold and rule (init stores them in the heap). */
RTM_INLINE size_t top_split_min_of(rtm_fit fit)
{
    return (fit == RTM_FIT_GOOD && RTM_HEAP_TOP_SPLIT_MIN > 0) ? (size_t)RTM_HEAP_TOP_SPLIT_MIN
           : (fit == RTM_FIT_BEST && RTM_HEAP_BEST_TOP_BY_NEXT) ? MIN_BLOCK /* cut_top decides */
                                                                : SIZE_MAX;
}
RTM_INLINE unsigned top_rule_of(rtm_fit fit)
{
    return (fit == RTM_FIT_BEST && RTM_HEAP_BEST_TOP_BY_NEXT)   ? TOP_NEXT_SMALLER
           : (fit == RTM_FIT_GOOD && RTM_HEAP_TOP_SPLIT_LAST) ? TOP_LAST_BLOCK
                                                                : TOP_ALWAYS;
}
/* A good-fit-only build knows both at compile time: init stores neither, and alloc compares with
 * constants instead of loading them (Cortex-M4 -Os good-fit core: 14 bytes). */
#define ONLY_GOOD (RTM_HEAP_FITS == RTM_HEAP_FITS_GOOD)
RTM_INLINE size_t top_split_min(const rtm_heap *h) { return ONLY_GOOD ? top_split_min_of(RTM_FIT_GOOD) : h->top_split_min; }
RTM_INLINE unsigned top_rule(const rtm_heap *h) { return ONLY_GOOD ? top_rule_of(RTM_FIT_GOOD) : h->top_rule; }
RTM_INLINE bool cut_top(const rtm_heap *h, const rtm_block *b, size_t size, size_t bs)
{
    /* A field of its own rather than h->fit: keeping fit live until here costs good fit a saved
     * register (+1 instruction per alloc on x86-64, workload A). */
    if (!(TOP_RULE_BEST || TOP_RULE_GOOD) || top_rule(h) == TOP_ALWAYS) return true;
    size_t next = size_of_head(head_of(block_at(b, size)));
    /* next + A wraps to 0 for the sentinel only, which thus counts as 0: best fit, next < bs (both
     * multiples of A); good fit, the sentinel alone. */
    return next + A <= ((TOP_RULE_BEST && top_rule(h) == TOP_NEXT_SMALLER) ? bs : 0u);
}

/* used has just grown: peak_used is its maximum so far (alloc, aligned_alloc, realloc in place). */
RTM_INLINE void raise_peak(rtm_heap *h)
{
    if (h->used > h->peak_used) h->peak_used = h->used;
}

/* b (not in any list; its head gives its size; left neighbour used; the block after it says
 * PREV_FREE iff b was free) becomes a used block of bs bytes plus, when the rest can hold a block,
 * a free block: above it (bottom split) or below it (top split: large good-fit blocks, and best
 * fit's blocks where cut_top says so).
 * Returns the payload. rtm_heap_alloc is its only caller (rtm_heap_aligned_alloc finishes its
 * block the way realloc's shrink does), so -Os inlines it there. */
RTM_INLINE void *carve(rtm_heap *h, rtm_block *b, size_t bs)
{
    size_t size = size_of_head(head_of(b));
    size_t rest = size - bs;
    if (rest < MIN_BLOCK) {
        /* Used whole: one free block less. */
        h->free_less_frees--;
        bs = size;
        set_head(b, bs);
    } else if (bs >= top_split_min(h) && cut_top(h, b, size, bs)) {
        /* Good fit: large blocks are cut from the top of the segment's last free block and
         * everything else from the bottom, so large blocks pile up from the top end and small
         * ones from the bottom (cut_top; with RTM_HEAP_TOP_SPLIT_LAST=0 from the top of any free
         * block: workload C, growing buffers, 1.424 -> 1.342 minimum-arena ratio, -m32, when it
         * came in). Best fit decides by the block above instead (cut_top). */
        make_free(h, b, rest);
        b = block_at(b, rest);
        set_head(b, bs | PREV_FREE_BIT);
    } else {
        make_free(h, block_at(b, bs), rest);
        set_head(b, bs);
        goto count; /* the counters are shared with the other paths (code size) */
    }
    /* Used whole or cut from the top: either way the block ends where the free one did, and the
     * block after it, b + bs, loses its free left neighbour. One store for both cases, the
     * whole-block test first: Cortex-M4 -Os good-fit core 1168 -> 1158 B, and x86-64 -O2 good
     * fit takes fewer instructions per alloc (A 72.67 -> 72.66, C 162.10 -> 161.63) than with
     * the top split tested first and the store in each case. */
    rtm_block *n = block_at(b, bs);
    set_head(n, head_of(n) & ~PREV_FREE_BIT);
count:
    h->used += bs;
    raise_peak(h);
    h->allocs++;
    return payload_of(b);
}

/* ---- validation of caller pointers ------------------------------------------------------------ */
/* The highest payload address of a segment whose sentinel is at end that has room for a block
 * below the sentinel: in_single_segment's upper bound, h->p_hi. */
RTM_INLINE uintptr_t last_payload(uintptr_t end) { return end + H - MIN_BLOCK; }

/* The segment whose blocks a payload address a may belong to, or NULL. O(segments). */
static const rtm_segment *segment_of(const rtm_heap *h, uintptr_t a)
{
    for (const rtm_segment *s = h->segments; s != NULL; s = s->next)
        if (a > (uintptr_t)s->first && a <= (uintptr_t)s->end) return s;
    return NULL;
}

/* Is a an aligned payload address inside the heap's one segment? One compare: rotating the
 * offset right by A_LOG2 turns a misaligned offset into a huge number (p_lo is aligned). NULL
 * fails too (p_lo > 0), and so does every address in a heap of several segments (p_units == 0):
 * validate_used then finds the segment, and the common single-segment heap pays nothing for it.
 * True implies first <= a - H <= end - MIN_BLOCK, first and end the segment's (payload_units). */
RTM_INLINE bool in_single_segment(const rtm_heap *h, uintptr_t a)
{
    return RTM_LIKELY(rtm_rotr_uptr(a - h->p_lo, A_LOG2) < h->p_units);
}

/* Is size (from a head at b, flag bits masked) plausible for a block that ends at or before
 * seg_end? A multiple of A: with RTM_ALIGN above 8 the bits between the flags and A must be 0 too
 * (review finding: a word of 8 mod 16 passed with RTM_ALIGN 16); with 8 the test folds away. */
RTM_INLINE bool size_fits(size_t size, const rtm_block *b, uintptr_t seg_end)
{
    return RTM_LIKELY((size & (A - 1u)) == 0 && size >= MIN_BLOCK && size <= seg_end - (uintptr_t)b);
}

/* size_fits for rtm_heap_free's fast path: the block whose payload a has passed in_single_segment
 * (so a <= p_hi, the heap's h->p_hi). One compare where size_fits takes two: below MIN_BLOCK,
 * size - MIN_BLOCK wraps round, and p_hi - a does not wrap; size <= end - b is
 * size - MIN_BLOCK <= end + H - MIN_BLOCK - a. x86-64 -O2 per free, good fit: A 56.5 -> 54.5,
 * C 98.2 -> 96.2, A64 110.9 -> 108.9 (one instruction here, one in the addressing of heads[]: see
 * rtm_heap.segment_count). A compact build has no fast path and does not keep p_hi (Cortex-M4 -Os:
 * 8 bytes); max_block is derived, so that the control block keeps its size (a word more moved
 * every -m32 minimum arena, as any change of that size does: best fit B 1.230 -> 1.270). */
#if !RTM_HEAP_COMPACT /* its only caller; clang -Os warns of an unused static inline function */
RTM_INLINE bool own_size_fits(size_t size, uintptr_t a, uintptr_t p_hi)
{
    return (size & (A - 1u)) == 0 && size - MIN_BLOCK <= p_hi - a;
}
#endif

/* nh, the head after a used block: is it no block's head there? Every block's head, the
 * sentinel's included (SENTINEL_SIZE), is at least MIN_BLOCK, which a zero word (a NULL list link,
 * zeroed user data) is not; and the block after a used block never says its left neighbour is
 * free. check_used and free_left refuse such a pointer; rtm_heap_free's fast path makes the same
 * two tests apart, so as to share its flag tests. */
RTM_INLINE bool next_head_bad(size_t nh) { return RTM_HEAP_VALIDATE && (nh < MIN_BLOCK || (nh & PREV_FREE_BIT) != 0); }

/* Used block b, whose head says PREV_FREE: does the footer below it give a plausible size whose
 * block, inside the segment, has a head that agrees (free, that size)? */
RTM_INLINE bool left_ok(const rtm_block *b, uintptr_t seg_first)
{
    if (!RTM_HEAP_VALIDATE) return true; /* trusted (heap.h) */
    /* Under ASan or Valgrind: a real footer and head are never user-accessible; a forged PREV_FREE
     * points them into a live block's payload, and reading them there would close the user's words
     * (Valgrind: the word is opened and closed again), so that the owner's next write is reported.
     * Constant false without a sanitizer. */
    if (rtm_san_is_user_memory((const char *)b - H, H)) return false;
    size_t pf = prev_foot(b), ps = pf ^ FREE_BIT; /* ps's flag bits are 0 iff pf's are FREE alone */
    if (RTM_UNLIKELY(ps < MIN_BLOCK || (ps & (A - 1u)) != 0 || ps > (uintptr_t)b - seg_first)) return false;
    const rtm_block *prev = (const rtm_block *)((const char *)b - ps);
    if (rtm_san_is_user_memory(prev, H)) return false;
    return RTM_LIKELY(head_of(prev) == pf);
}

/* The block n after a used block, whose head nh says FREE: do its size (plausible, inside the
 * segment) and its footer agree? A forged or stale header (an interior pointer, a double free into
 * reused bytes) can put n on any word with bit 0 set; without this, free would unlink whatever that
 * "block" points at and write a footer past it. Both words must agree, as for the left neighbour
 * (left_ok). Checked where a merge with n is decided (validate_used; free_right and free_both on
 * the fast path, not before them: in rtm_heap_free itself it kept the segment end in a register and
 * cost every free). Instructions per free, before -> after: x86-64 -O2 A 57.4 -> 57.8, C 94.5 ->
 * 97.2, A64 99.1 -> 109.9 (83% of its frees merge right); Cortex-M3 -O2 A 67.7 -> 68.7, C 102.1 ->
 * 106.0, A64 105.4 -> 115.3; i386 -O2 A 69.9 -> 84.0 (its six registers no longer hold the fast
 * path: out of line, or only the right merges out of line, was worse there or on Cortex-M3). */
RTM_INLINE bool right_ok(const rtm_block *n, size_t nh, uintptr_t seg_end)
{
    if (!RTM_HEAP_VALIDATE) return true; /* trusted (heap.h) */
    size_t ns = size_of_head(nh);
    if (RTM_UNLIKELY(!size_fits(ns, n, seg_end))) return false;
    /* The footer repeats a free block's head exactly: with no PREV_FREE (every caller has refused
     * that already) and no ALIGNED bit, nh is that word. */
    return RTM_LIKELY(load_word(footer_of(n, ns)) == nh);
}

/* Counts and reports a rejected free (or realloc). Out of line: keeps the hot paths leaves.
 * h == NULL (why is then RTM_ERR_ARG): reported, with no heap to count it in; free's NULL-heap
 * test shares this call (code size). Its arguments come in rtm_report's order, so that it ends
 * in a plain tail call with no register moves (Cortex-M4 -Os: 28 -> 12 bytes, good-fit core
 * 1216 -> 1198). */
static RTM_NOINLINE void reject_free(rtm_err why, rtm_heap *h, const void *p)
{
    if (h != NULL) h->bad_frees++;
    rtm_report(why, h, p);
}

/* ---- debug: invariant walk around operations -------------------------------------------------- */
#if RTM_HEAP_CHECK_EVERY_OP
#define AFTER_OP(h) RTM_ASSERT(rtm_heap_check(h) == RTM_OK)
#else
#define AFTER_OP(h) ((void)0)
#endif

/* ---- init and regions ------------------------------------------------------------------------- */
/* Block area of a segment in [lo, hi): first header and sentinel, payloads aligned, at most
 * max_block bytes of blocks. False if it cannot hold one minimum block. */
static bool segment_bounds(uintptr_t lo, uintptr_t hi, size_t max_block, uintptr_t *first, uintptr_t *end)
{
    uintptr_t f = rtm_align_up_uptr(lo + H, A) - H;
    uintptr_t e = rtm_align_down_uptr(hi, A) - H;
    if (hi < lo || lo + H < lo || f < lo || hi < H + MIN_BLOCK || e < f || e - f < MIN_SEGMENT) return false;
    if (e - f > max_block) e = f + max_block;
    *first = f;
    *end = e;
    return true;
}

/* How many payload addresses (A apart, from first + H) the blocks of a single segment with first
 * block first and sentinel end can start at: the last payload starts MIN_BLOCK - H below end.
 * validate_used's one-compare range test (p_lo, p_units). */
RTM_INLINE uintptr_t payload_units(uintptr_t first, uintptr_t end) { return (end - first - MIN_BLOCK) / A + 1u; }

/* Makes [first, end) one free block with a sentinel at end, described by seg (kept in address
 * order), and adds it to the heap's totals. raw_lo..end + H is what overlap checks protect. */
static void commit_segment(rtm_heap *h, rtm_segment *seg, uintptr_t first, uintptr_t end, uintptr_t raw_lo)
{
    seg->first = (rtm_block *)first;
    seg->end = (rtm_block *)end;
    seg->raw_lo = raw_lo;
    seg->raw_hi = end + H;
    seg->region = (unsigned)h->regions;
    rtm_segment **pp = &h->segments;
    while (*pp != NULL && (*pp)->first < seg->first) pp = &(*pp)->next;
    seg->next = *pp;
    *pp = seg;
    h->segment_count++;
    size_t size = end - first;
    rtm_san_noaccess((void *)first, size + H);
    set_head((rtm_block *)end, SENTINEL_SIZE | PREV_FREE_BIT);
    make_free(h, (rtm_block *)first, size);
    h->free_less_frees++;
    h->capacity += size;
    if (first < h->lo) h->lo = first;
    if (end > h->hi) h->hi = end;
    h->p_lo = h->lo + H;
    h->p_units = h->segment_count == 1 ? payload_units(h->lo, h->hi) : 0; /* 0: validate_used */
    if (!RTM_HEAP_COMPACT) h->p_hi = last_payload(h->hi);
}

/* What rtm_heap_init says of its arguments before it looks at sizes: RTM_ERR_ARG (no memory, no
 * such policy, a buffer that wraps round the address space), RTM_ERR_UNSUPPORTED (a policy left
 * out of this build, RTM_HEAP_FITS), or RTM_OK. Shared with rtm_heap_init_error. */
RTM_INLINE rtm_err init_arg_error(uintptr_t lo, size_t bytes, rtm_fit fit)
{
    if (lo == 0 || (unsigned)fit > (unsigned)RTM_FIT_FIRST || lo + bytes < lo) return RTM_ERR_ARG;
    if (((RTM_HEAP_FITS >> fit) & 1u) == 0) return RTM_ERR_UNSUPPORTED;
    return RTM_OK;
}

rtm_err rtm_heap_init_error(const void *mem, size_t bytes, int fit)
{
    rtm_err e = init_arg_error((uintptr_t)mem, bytes, (rtm_fit)fit);
    return e != RTM_OK ? e : RTM_ERR_TOO_SMALL;
}

rtm_heap *rtm_heap_init(void *mem, size_t bytes, rtm_fit fit)
{
    uintptr_t lo = (uintptr_t)mem, hi = lo + bytes, first, end;
    uintptr_t base = rtm_align_up_uptr(lo, sizeof(void *));
    rtm_err e = init_arg_error(lo, bytes, fit);
    if (e != RTM_OK) goto fail;
    e = RTM_ERR_TOO_SMALL;
    if (base < lo) goto fail;
    /* First levels: enough for a block as large as the whole buffer. RTM_HEAP_OVERHEAD (heap.h)
     * bounds this count from above as a constant expression (for the whole buffer: the bytes the
     * caller wants plus the overhead itself). Larger regions are cut into segments. Buffers
     * below 2^LIN_LOG2 bytes get one level: the bit set here makes their log2 LIN_LOG2 - 1 with
     * no branch (Cortex-M4 -Os: 4 bytes less than testing the size first). */
    unsigned fl_count = rtm_log2_size(bytes | ((size_t)1 << (LIN_LOG2 - 1u))) - LIN_LOG2 + 2u;
    /* Only where size_t is wider than 32 bits: a 32-bit size asks for at most 31 - LIN_LOG2 + 2
     * levels, which GCC cannot tell from the bit scan (Cortex-M4 -Os: 4 bytes). */
    if (SIZE_MAX > 0xFFFFFFFFu && fl_count > 32u) fl_count = 32u;
    /* A small buffer may not hold the list heads of every level its size asks for: then it gets
     * the most levels that still leave room for a block (so a larger buffer never fails where a
     * smaller one works), and its largest class bounds the block, as for any segment. The
     * control block: the struct, the list heads, and one second-level word more than there are
     * levels, always 0: a search that starts just past the last class reads it and finds
     * nothing, with no bounds test on the hot path. */
    size_t ctrl;
    for (;; fl_count--) {
        if (fl_count < MIN_FL_COUNT) goto fail;
        ctrl = CTRL_BYTES(fl_count);
        /* What segment_bounds(base + ctrl, hi, ...) checks, inline and with two tests fewer:
         * base + ctrl does not wrap and is <= hi, rounding first up does not wrap, one block
         * fits. "l + H wraps" is caught by first >= l or end >= first (first then wraps to
         * A - H or to UINTPTR_MAX + 1 - H), "hi < H + MIN_BLOCK" by l <= hi (l >= ctrl, see
         * CTRL_HOLDS_MIN_BLOCK), or by its own test where that does not hold. Checked against
         * segment_bounds on 23.7 million (mem, bytes) pairs, near 0 and near UINTPTR_MAX, 32- and
         * 64-bit. */
        uintptr_t l = base + ctrl;
        first = rtm_align_up_uptr(l + H, A) - H;
        end = rtm_align_down_uptr(hi, A) - H;
        if (l >= base && l <= hi && first >= l && end >= first && end - first >= MIN_SEGMENT &&
            (CTRL_HOLDS_MIN_BLOCK || hi >= H + MIN_BLOCK))
            break;
    }
    unsigned top_shift = fl_count - 1u + LIN_LOG2;
    size_t max_block = top_shift >= sizeof(size_t) * CHAR_BIT ? (SIZE_MAX & ~(A - 1u)) - A
                                                              : ((size_t)1 << top_shift) - A;
    if (end - first > max_block) end = first + max_block;
    /* The buffer may have held another heap: forget what the checkers learnt about it. */
    rtm_san_region_fresh((void *)base, mem, bytes);
    rtm_heap *h = (rtm_heap *)base;
    /* Up to the first block, not just ctrl bytes: the padding between them (under A bytes) is
     * the heap's and nobody reads it, and first is still in a register where ctrl is not
     * (Cortex-M4 -Os: 8 bytes). */
    rtm_memset(h, 0, first - base);
    h->magic = HEAP_MAGIC;
    /* A good-fit-only build stores none of the policy's fields: fit is 0 (RTM_FIT_GOOD) from the
     * memset, and the top-split pair are constants there (top_split_min). */
    if (!ONLY_GOOD) {
        h->fit = (uint8_t)fit;
        h->top_split_min = top_split_min_of(fit);
        h->top_rule = (uint8_t)top_rule_of(fit);
    }
    h->fl_count = (uint8_t)fl_count;
    h->sl_bitmap = (uint32_t *)(void *)heads_end(h);
    h->max_request = max_block - H;
    rtm_san_pool_create(h);
    /* The init region's segment: the first and only one so far, so no sorted insert and no
     * min/max with other segments (commit_segment does that for rtm_heap_add_region); region
     * index 0 and next NULL come from the memset. raw_lo is mem: the control block is inside
     * what overlap checks protect. */
    rtm_segment *s = &h->seg0;
    s->first = (rtm_block *)first;
    s->end = (rtm_block *)end;
    s->raw_lo = lo;
    s->raw_hi = end + H;
    h->segments = s;
    h->segment_count = 1;
    h->regions = 1;
    size_t size = end - first;
    rtm_san_noaccess((void *)first, size + H);
    set_head((rtm_block *)end, SENTINEL_SIZE | PREV_FREE_BIT);
    make_free(h, (rtm_block *)first, size);
    h->free_less_frees = 1;
    h->capacity = size;
    h->lo = first;
    h->hi = end;
    h->p_lo = first + H;
    h->p_units = payload_units(first, end);
    if (!RTM_HEAP_COMPACT) h->p_hi = last_payload(end);
    AFTER_OP(h);
    return h;
fail:
    rtm_report(e, NULL, mem);
    return NULL;
}

/* Where a segment carved from [at, hi) starts its blocks: after its descriptor. */
RTM_INLINE uintptr_t segment_blocks_lo(uintptr_t at)
{
    return rtm_align_up_uptr(at, sizeof(void *)) + sizeof(rtm_segment);
}

rtm_err rtm_heap_add_region(rtm_heap *h, void *mem, size_t bytes)
{
    uintptr_t lo = (uintptr_t)mem, hi = lo + bytes, first, end;
    rtm_err e = RTM_OK;
    /* A handle that is not a heap (never initialised, or not a heap at all) is refused before its
     * fields are used: a zero-filled one would otherwise commit a segment of max_block = 0 bytes
     * and write through its NULL bitmap. Not on the alloc/free paths: this is a set-up call. */
    bool is_heap = h != NULL && h->magic == HEAP_MAGIC;
    if (!is_heap || mem == NULL || hi < lo) {
        e = RTM_ERR_ARG;
    } else {
        for (const rtm_segment *s = h->segments; s != NULL; s = s->next)
            if (lo < s->raw_hi && s->raw_lo < hi) e = RTM_ERR_OVERLAP;
        if (e == RTM_OK && (segment_blocks_lo(lo) < lo || !segment_bounds(segment_blocks_lo(lo), hi, max_block(h), &first, &end)))
            e = RTM_ERR_TOO_SMALL;
    }
    if (e != RTM_OK) {
        rtm_report(e, h, mem);
        if (is_heap) h->bad_requests++;
        return e;
    }
    /* Regions larger than the largest class become several segments. */
    uintptr_t at = lo;
    do {
        commit_segment(h, (rtm_segment *)rtm_align_up_uptr(at, sizeof(void *)), first, end, at);
        at = end + H;
    } while (segment_blocks_lo(at) > at && segment_bounds(segment_blocks_lo(at), hi, max_block(h), &first, &end));
    h->regions++;
    AFTER_OP(h);
    return RTM_OK;
}

/* ---- allocation ------------------------------------------------------------------------------- */
RTM_INLINE void *fail_alloc(rtm_heap *h)
{
    h->failed_allocs++;
    return NULL;
}

void *rtm_heap_alloc(rtm_heap *h, size_t bytes)
{
    if (RTM_UNLIKELY(h == NULL)) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    if (RTM_UNLIKELY(bytes - 1u >= h->max_request)) return bytes == 0 ? NULL : fail_alloc(h);
    size_t bs = block_size_for(bytes);
    rtm_block *b = find_block(h, bs);
    if (RTM_UNLIKELY(b == NULL)) return fail_alloc(h);
    list_remove(h, b);
    void *p = carve(h, b, bs);
    rtm_san_alloc(h, p, bytes);
    AFTER_OP(h);
    return p;
}

/* Gives the tail [b + keep, b + size) of used block b back to the heap, merging it with a free
 * block after it. keep and size - keep are multiples of A; size - keep >= MIN_BLOCK. */
static void release_tail(rtm_heap *h, rtm_block *b, size_t keep, size_t size)
{
    rtm_block *t = block_at(b, keep);
    size_t tsize = size - keep;
    rtm_block *n = block_at(b, size);
    size_t nh = head_of(n);
    if (nh & FREE_BIT) {
        list_remove(h, n);
        tsize += size_of_head(nh);
    } else {
        h->free_less_frees++;
        set_head(n, nh | PREV_FREE_BIT);
    }
    h->used -= size - keep;
    make_free(h, t, tsize);
}

void *rtm_heap_aligned_alloc(rtm_heap *h, size_t align, size_t bytes)
{
    if (h == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    if (!rtm_is_pow2(align)) {
        h->bad_requests++;
        rtm_report(RTM_ERR_ALIGN, h, NULL);
        return NULL;
    }
    if (align <= A) return rtm_heap_alloc(h, bytes);
    if (bytes == 0) return NULL;
    /* Worst case the payload must move up by MIN_BLOCK + align - A to land on a boundary while
     * leaving a gap that can be a free block of its own. */
    if (bytes > h->max_request) return fail_alloc(h);
    size_t bs = block_size_for(bytes), need;
    if (rtm_add_overflow(bs, align - A + MIN_BLOCK, &need) || need > max_block(h)) return fail_alloc(h);
    rtm_block *b = find_block(h, need);
    if (b == NULL) return fail_alloc(h);
    list_remove(h, b);
    size_t size = size_of_head(head_of(b));
    uintptr_t p = (uintptr_t)payload_of(b);
    uintptr_t q = rtm_align_up_uptr(p, align);
    if (q != p && q - p < MIN_BLOCK) q = rtm_align_up_uptr(p + MIN_BLOCK, align);
    size_t gap = q - p;
    size_t flags = ALIGNED_BIT;
    if (gap != 0) {
        /* The head gap becomes a free block; the block after it now has a free left neighbour. */
        make_free(h, b, gap);
        h->free_less_frees++;
        b = block_at(b, gap);
        size -= gap;
        flags |= PREV_FREE_BIT;
    }
    /* b is used whole, then its tail goes back as rtm_heap_realloc's shrink does: the same end
     * state as carve (a bottom split), without a second caller of carve, which -Os then inlines
     * into rtm_heap_alloc (good-fit core, Cortex-M4 -Os: 1186 -> 1154 bytes). */
    rtm_block *n = block_at(b, size);
    set_head(n, head_of(n) & ~PREV_FREE_BIT);
    h->free_less_frees--;
    h->used += size;
    if (size - bs >= MIN_BLOCK) release_tail(h, b, bs, size);
    else bs = size;
    set_head(b, bs | flags);
    raise_peak(h);
    h->allocs++;
    void *out = payload_of(b);
    rtm_san_alloc(h, out, bytes);
    AFTER_OP(h);
    return out;
}

void *rtm_heap_calloc(rtm_heap *h, size_t n, size_t size)
{
    size_t total;
    if (h == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return NULL;
    }
    if (rtm_mul_overflow(n, size, &total)) {
        h->bad_requests++;
        rtm_report(RTM_ERR_SIZE, h, NULL);
        return NULL;
    }
    void *p = rtm_heap_alloc(h, total);
    if (p != NULL) rtm_memset(p, 0, total);
    return p;
}

/* ---- free ------------------------------------------------------------------------------------- */
/* A used block b of size bytes goes back: the counters, and the sanitizers see its payload freed. */
RTM_INLINE void count_free(rtm_heap *h, rtm_block *b, size_t size)
{
    h->used -= size;
    h->frees++;
    rtm_san_free(h, payload_of(b), size - H);
}

/* A free's work once validation has passed: used block b (head hd, size size; n the block after
 * it, nh n's head) goes back to the lists, merged with a free neighbour on either side. */
RTM_INLINE void free_block(rtm_heap *h, rtm_block *b, size_t hd, size_t size, rtm_block *n, size_t nh)
{
    count_free(h, b, size);
    if (hd & PREV_FREE_BIT) {
        /* Stamp the header free although it is merged away: a second free of this pointer then
         * reads FREE and is reported as a double free, as long as nobody reuses the bytes. */
        set_head(b, hd | FREE_BIT);
        size_t ps = prev_foot(b) - FREE_BIT; /* left_ok has checked it */
        b = (rtm_block *)((char *)b - ps);
        list_remove(h, b);
        h->free_less_frees--;
        size += ps;
    }
    if (nh & FREE_BIT) {
        list_remove(h, n);
        size += size_of_head(nh);
        h->free_less_frees--;
    } else {
        set_head(n, nh | PREV_FREE_BIT);
    }
    make_free(h, b, size); /* one free block more, one free more: free_less_frees unchanged */
    AFTER_OP(h);
}

/* Checks that p is the payload of a used block and, when free_in is not NULL (it is then h), frees
 * it (free_block). RTM_OK, or why not: RTM_ERR_BAD_PTR or RTM_ERR_DOUBLE_FREE. O(1) (O(segments)
 * when there are several). Checks: p inside the heap and aligned; head says used, a plausible size
 * that stays inside the segment; the next block does not claim a free left neighbour, and if it
 * says it is free, its size and footer agree (right_ok); if our head claims a free left neighbour,
 * that block's footer and head agree. A FREE-looking head is a double free only when its size is
 * plausible too. rtm_heap_free's fast path (RTM_HEAP_COMPACT=0) makes the same checks (the two
 * neighbours' in the other order: the same report either way). Validation and free are one function
 * so that the free has what validation loaded still in registers: -Os, where validation is not
 * inlined (it has three callers), had free reload them after a call (Cortex-M4 -Os good-fit core:
 * 1138 -> 1126 bytes; heap.o 3280 -> 3276); validate_used (free_in NULL) serves realloc and
 * usable_size. */
RTM_INLINE rtm_err check_used(const rtm_heap *h, const void *p, rtm_heap *free_in)
{
    if (!RTM_HEAP_VALIDATE) {
        /* Trusted (heap.h): NULL, and a header that says free, are all that is told apart. */
        if (p == NULL) return RTM_ERR_BAD_PTR;
        rtm_block *b = block_of_payload(p);
        size_t hd = head_of(b), size = size_of_head(hd);
        if (RTM_UNLIKELY(hd & FREE_BIT)) return RTM_ERR_DOUBLE_FREE;
        if (free_in != NULL) free_block(free_in, b, hd, size, block_at(b, size), head_of(block_at(b, size)));
        return RTM_OK;
    }
    uintptr_t a = (uintptr_t)p;
    uintptr_t seg_first = h->lo, seg_end = h->hi;
    if (RTM_UNLIKELY(!in_single_segment(h, a))) {
        /* A heap of one segment walks it too (no segment_count == 1 shortcut: 6 bytes on
         * Cortex-M4 -Os, and only rejected pointers come here then): segment_of turns away what
         * lies outside it, and the few aligned addresses it accepts that the range test did not
         * (the last MIN_BLOCK - H bytes) have no room for a block, which size_fits rejects with
         * the same RTM_ERR_BAD_PTR. */
        const rtm_segment *seg;
        if ((a & (A - 1u)) != 0 || (seg = segment_of(h, a)) == NULL) return RTM_ERR_BAD_PTR;
        seg_first = (uintptr_t)seg->first;
        seg_end = (uintptr_t)seg->end;
    }
    rtm_block *b = block_of_payload(p);
    if (rtm_san_is_user_memory(b, H)) return RTM_ERR_BAD_PTR; /* a real header is never user-accessible */
    size_t hd = head_of(b);
    size_t size = size_of_head(hd);
    if (RTM_UNLIKELY(!size_fits(size, b, seg_end))) return RTM_ERR_BAD_PTR;
    if (RTM_UNLIKELY(hd & FREE_BIT)) return RTM_ERR_DOUBLE_FREE; /* free, or merged and stamped */
    size_t nh = head_of(block_at(b, size));
    if (RTM_UNLIKELY(next_head_bad(nh))) return RTM_ERR_BAD_PTR;
    if ((nh & FREE_BIT) && RTM_UNLIKELY(!right_ok(block_at(b, size), nh, seg_end))) return RTM_ERR_BAD_PTR;
    if ((hd & PREV_FREE_BIT) && RTM_UNLIKELY(!left_ok(b, seg_first))) return RTM_ERR_BAD_PTR;
    if (free_in != NULL) free_block(free_in, b, hd, size, block_at(b, size), nh);
    return RTM_OK;
}
RTM_INLINE rtm_err validate_used(const rtm_heap *h, const void *p) { return check_used(h, p, NULL); }

/* The general free: check_used, which validates, then frees (free_block). All of rtm_heap_free at -Os
 * (RTM_HEAP_COMPACT=1); else the path of what the fast path's range test turns away (NULL,
 * pointers outside the heap, any pointer of a heap of several segments). */
#if RTM_HEAP_COMPACT
void rtm_heap_free(rtm_heap *h, void *ptr)
#else
static RTM_NOINLINE void free_general(rtm_heap *h, void *ptr)
#endif
{
    rtm_err why = RTM_UNLIKELY(h == NULL) ? RTM_ERR_ARG : check_used(h, ptr, h);
    /* free(NULL) is a no-op; it is tested here, off the hot path (validation rejects NULL). */
    if (RTM_UNLIKELY(why != RTM_OK) && ptr != NULL) reject_free(why, h, ptr);
}

#if !RTM_HEAP_COMPACT
/* rtm_heap_free's merges out of line (RTM_HEAP_FREE_OUTLINE_MERGES, at the top) or inline. */
#if RTM_HEAP_FREE_OUTLINE_MERGES
#define MERGE_FN static RTM_NOINLINE
#else
#define MERGE_FN RTM_INLINE
#endif
/* rtm_heap_free: used block b merges with the free block n after it (nh its head) only. Its own
 * code, not right_ok + free_block as free_both: out of line, free_block tests b's PREV_FREE again
 * and needs more registers (x86-64 -O2 per free: A 57.8 -> 58.6, C 97.2 -> 100.6). Nor does the
 * fast path's no-merge tail call free_block: GCC does not fold its flag tests (A 57.8 -> 64.1). */
MERGE_FN void free_right(rtm_heap *h, rtm_block *b, size_t size, rtm_block *n, size_t nh)
{
    if (RTM_UNLIKELY(!right_ok(n, nh, h->hi))) {
        reject_free(RTM_ERR_BAD_PTR, h, payload_of(b));
        return;
    }
    count_free(h, b, size);
    list_remove(h, n); /* two free blocks become one: free blocks unchanged, one free more */
    h->free_less_frees--;
    make_free(h, b, size + size_of_head(nh));
    AFTER_OP(h);
}

/* free_left's block b merges with both neighbours, once the right one's size and footer agree. */
MERGE_FN void free_both(rtm_heap *h, rtm_block *b, size_t hd, size_t size, rtm_block *n, size_t nh)
{
    if (RTM_UNLIKELY(!right_ok(n, nh, h->hi))) {
        reject_free(RTM_ERR_BAD_PTR, h, payload_of(b));
        return;
    }
    free_block(h, b, hd, size, n, nh);
}

/* rtm_heap_free: the rest of validate_used's checks for a block b of a single-segment heap whose
 * head hd says PREV_FREE (not FREE) and a plausible size, then the merges. */
MERGE_FN void free_left(rtm_heap *h, rtm_block *b, size_t hd)
{
    size_t size = size_of_head(hd);
    rtm_block *n = block_at(b, size);
    size_t nh = head_of(n);
    if (RTM_UNLIKELY(next_head_bad(nh)) || !left_ok(b, h->lo)) {
        reject_free(RTM_ERR_BAD_PTR, h, payload_of(b));
        return;
    }
    if (nh & FREE_BIT) {
        free_both(h, b, hd, size, n, nh);
        return;
    }
    free_block(h, b, hd, size, n, nh);
}

/* validate_used's checks in its order, each case's work after them, for a pointer of a
 * single-segment heap (free_general takes the rest). The four flag tests (b's FREE: double free;
 * n's PREV_FREE: bad pointer; b's PREV_FREE: merge left; n's FREE: merge right) are two, one of
 * each head's two bits, for a block that merges with neither neighbour (87% of workload A's
 * frees); the merges are out of line so that this path saves no registers. */
void rtm_heap_free(rtm_heap *h, void *ptr)
{
    /* Unvalidated (RTM_HEAP_VALIDATE=0), every non-NULL pointer takes this path, whatever the
     * number of segments: it needs none of their bounds. */
    if (RTM_UNLIKELY(h == NULL || (RTM_HEAP_VALIDATE ? !in_single_segment(h, (uintptr_t)ptr) : ptr == NULL))) {
        free_general(h, ptr);
        return;
    }
    rtm_block *b = block_of_payload(ptr);
    /* Before the head is read: under Valgrind, reading opens and closes the word. */
    if (RTM_HEAP_VALIDATE && rtm_san_is_user_memory(b, H)) goto bad_ptr; /* a real header is never user-accessible */
    size_t hd = head_of(b);
    size_t size = size_of_head(hd);
    if (RTM_HEAP_VALIDATE && RTM_UNLIKELY(!own_size_fits(size, (uintptr_t)ptr, h->p_hi))) goto bad_ptr;
    if (RTM_UNLIKELY(hd & (FREE_BIT | PREV_FREE_BIT))) {
        if (RTM_UNLIKELY(hd & FREE_BIT)) {
            reject_free(RTM_ERR_DOUBLE_FREE, h, ptr); /* free, or merged and stamped */
            return;
        }
        free_left(h, b, hd);
        return;
    }
    /* n's head only now, as validate_used reads it: not for a double free, whose size may be
     * stale (Valgrind). */
    rtm_block *n = block_at(b, size);
    size_t nh = head_of(n);
    if (RTM_HEAP_VALIDATE && RTM_UNLIKELY(nh < MIN_BLOCK)) goto bad_ptr; /* next_head_bad, in two tests */
    /* Unvalidated, a used block's next head never says PREV_FREE: FREE alone decides. */
    if (RTM_UNLIKELY(nh & (RTM_HEAP_VALIDATE ? FREE_BIT | PREV_FREE_BIT : FREE_BIT))) {
        if (RTM_HEAP_VALIDATE && RTM_UNLIKELY(nh & PREV_FREE_BIT)) goto bad_ptr;
        free_right(h, b, size, n, nh);
        return;
    }
    count_free(h, b, size);
    set_head(n, nh | PREV_FREE_BIT);
    make_free(h, b, size); /* one free block more, one free more: free_less_frees unchanged */
    AFTER_OP(h);
    return;
bad_ptr:
    reject_free(RTM_ERR_BAD_PTR, h, ptr);
}
#endif

/* ---- realloc ---------------------------------------------------------------------------------- */
void *rtm_heap_realloc(rtm_heap *h, void *ptr, size_t bytes)
{
    if (ptr == NULL) return rtm_heap_alloc(h, bytes);
    if (h == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, ptr);
        return NULL;
    }
    if (bytes == 0) {
        rtm_heap_free(h, ptr);
        return NULL;
    }
    rtm_err why = validate_used(h, ptr);
    if (why != RTM_OK) {
        reject_free(why, h, ptr);
        return NULL;
    }
    if (bytes > h->max_request) return fail_alloc(h);
    rtm_block *b = block_of_payload(ptr);
    size_t hd = head_of(b);
    size_t size = size_of_head(hd);
    size_t bs = block_size_for(bytes);
    size_t old_usable = size - H;
    if (bs <= size) {
        if (size - bs >= MIN_BLOCK) {
            release_tail(h, b, bs, size);
            set_head(b, bs | (hd & FLAG_MASK));
        }
        rtm_san_resize(h, ptr, old_usable, bytes);
        AFTER_OP(h);
        return ptr;
    }
    rtm_block *n = block_at(b, size);
    size_t nh = head_of(n);
    if ((nh & FREE_BIT) && size + size_of_head(nh) >= bs) {
        size_t total = size + size_of_head(nh);
        list_remove(h, n);
        h->free_less_frees--;
        h->used += total - size;
        if (total - bs >= MIN_BLOCK) {
            make_free(h, block_at(b, bs), total - bs);
            h->free_less_frees++;
            h->used -= total - bs;
            total = bs;
        } else {
            rtm_block *after = block_at(b, total);
            set_head(after, head_of(after) & ~PREV_FREE_BIT);
        }
        raise_peak(h);
        set_head(b, total | (hd & FLAG_MASK));
        rtm_san_resize(h, ptr, old_usable, bytes);
        AFTER_OP(h);
        return ptr;
    }
    void *np;
    if (hd & ALIGNED_BIT) {
        uintptr_t low = (uintptr_t)ptr & (0 - (uintptr_t)ptr);
        np = rtm_heap_aligned_alloc(h, low > RTM_HEAP_REALLOC_ALIGN_MAX ? RTM_HEAP_REALLOC_ALIGN_MAX : low, bytes);
    } else {
        np = rtm_heap_alloc(h, bytes);
    }
    if (np == NULL) return NULL;
    size_t copy = old_usable < bytes ? old_usable : bytes;
    rtm_san_access(ptr, copy);
    rtm_memcpy(np, ptr, copy);
    /* Closed again before the free: Memcheck's free closes only the bytes the caller had asked
     * for, and free memory left open past them would later be absorbed by an in-place resize,
     * whose search for the open prefix (rtm_san_resize) assumes free memory is closed. */
    rtm_san_noaccess(ptr, copy);
    rtm_heap_free(h, ptr);
    return np;
}

/* ---- queries ---------------------------------------------------------------------------------- */
size_t rtm_heap_usable_size(const rtm_heap *h, const void *ptr)
{
    if (h == NULL || ptr == NULL) return 0;
    if (validate_used(h, ptr) != RTM_OK) return 0;
    size_t usable = size_of_head(head_of(block_of_payload(ptr))) - H;
    rtm_san_open(h, (void *)(uintptr_t)ptr, usable); /* the caller may now use all of it */
    return usable;
}

rtm_fit rtm_heap_fit(const rtm_heap *h) { return h != NULL ? (rtm_fit)h->fit : RTM_FIT_GOOD; }

const char *rtm_fit_name(rtm_fit fit)
{
    switch (fit) {
    case RTM_FIT_GOOD: return "good";
    case RTM_FIT_BEST: return "best";
    case RTM_FIT_FIRST: return "first";
    }
    return "unknown";
}

void rtm_heap_reset_peak(rtm_heap *h)
{
    if (h != NULL) h->peak_used = h->used;
}

void rtm_heap_get_stats(const rtm_heap *h, rtm_heap_stats *out)
{
    if (out == NULL) return;
    rtm_memset(out, 0, sizeof *out);
    if (h == NULL) return;
    out->capacity = h->capacity;
    out->used = h->used;
    out->free = h->capacity - h->used;
    out->free_blocks = h->free_less_frees + h->frees;
    out->peak_used = h->peak_used;
    out->allocs = h->allocs;
    out->frees = h->frees;
    out->failed_allocs = h->failed_allocs;
    out->bad_frees = h->bad_frees;
    out->used_blocks = h->allocs - h->frees;
    out->bad_requests = h->bad_requests;
    out->regions = h->regions;
    out->max_alloc = h->max_request;
    /* The largest free block is in the highest non-empty class. */
    if (h->fl_bitmap != 0) {
        unsigned fl = rtm_log2_32(h->fl_bitmap);
        unsigned idx = (fl << SL_LOG2) + rtm_log2_32(h->sl_bitmap[fl]);
        for (rtm_block *b = h->heads[idx]; b != NULL; b = next_free(b)) {
            size_t s = size_of_head(head_of(b));
            if (s > out->largest_free) out->largest_free = s;
        }
    }
    if (out->free != 0)
        out->frag_permille = (unsigned)(1000u - (unsigned)((out->largest_free * (uint64_t)1000u) / out->free));
}

/* ---- walk and check --------------------------------------------------------------------------- */
void rtm_heap_walk(const rtm_heap *h, rtm_heap_walker fn, void *ctx)
{
    if (h == NULL || fn == NULL) return;
    for (const rtm_segment *s = h->segments; s != NULL; s = s->next) {
        for (rtm_block *b = s->first; b < s->end;) {
            size_t hd = head_of(b), size = size_of_head(hd);
            /* corrupted (rtm_heap_check reports it): never hand the callback a block that runs past
             * its region's sentinel */
            if (size == 0 || size > (uintptr_t)s->end - (uintptr_t)b) return;
            rtm_heap_block info = {payload_of(b), size - H, size, (hd & FREE_BIT) == 0, s->region};
            if (!fn(&info, ctx)) return;
            b = block_at(b, size);
        }
    }
}

/* Is [b, b + bytes) inside a segment's block area, with b at a header position? */
static const rtm_segment *segment_holding(const rtm_heap *h, const rtm_block *b, size_t bytes)
{
    uintptr_t a = (uintptr_t)b;
    if (((a + H) & (A - 1u)) != 0) return NULL;
    for (const rtm_segment *s = h->segments; s != NULL; s = s->next)
        if (a >= (uintptr_t)s->first && a < (uintptr_t)s->end && bytes <= (uintptr_t)s->end - a) return s;
    return NULL;
}

static rtm_err corrupt(const rtm_heap *h, const void *where)
{
    rtm_report(RTM_ERR_CORRUPT, h, where);
    return RTM_ERR_CORRUPT;
}

rtm_err rtm_heap_check(const rtm_heap *h)
{
    if (h == NULL) {
        rtm_report(RTM_ERR_ARG, NULL, NULL);
        return RTM_ERR_ARG;
    }
    if (h->magic != HEAP_MAGIC || h->fl_count == 0 || h->fl_count > 32 ||
        h->sl_bitmap != (uint32_t *)(void *)heads_end(h))
        return corrupt(h, h);
    /* 1. Physical walk: sizes, flags, boundary tags, coalescing, links point back at the block. */
    size_t used = 0, used_blocks = 0, free_bytes = 0, free_blocks = 0, segments = 0;
    for (const rtm_segment *s = h->segments; s != NULL; s = s->next) {
        if (++segments > h->segment_count) return corrupt(h, s);
        bool prev_free = false;
        rtm_block *b = s->first;
        for (;;) {
            size_t hd = head_of(b), size = size_of_head(hd);
            if (((hd & PREV_FREE_BIT) != 0) != prev_free) return corrupt(h, b);
            if (b == s->end) {
                if (size != SENTINEL_SIZE || (hd & (FREE_BIT | ALIGNED_BIT))) return corrupt(h, b);
                break;
            }
            if (!size_fits(size, b, (uintptr_t)s->end)) return corrupt(h, b);
            if (hd & FREE_BIT) {
                if (prev_free || size > max_block(h) || (hd & ALIGNED_BIT)) return corrupt(h, b);
                if (load_word(footer_of(b, size)) != hd) return corrupt(h, footer_of(b, size));
                rtm_block **pp = pprev_free(b);
                rtm_block *nx = next_free(b);
                if (is_head_slot(h, pp)) {
                    if (((uintptr_t)pp - (uintptr_t)h->heads) % sizeof(*pp) != 0 ||
                        (unsigned)(pp - h->heads) != class_of(size) || *pp != b)
                        return corrupt(h, b);
                } else {
                    /* pp may be any value here (that is what is being checked): integer
                     * arithmetic, and no dereference until it is known to lie in a segment. */
                    rtm_block *pb = (rtm_block *)((uintptr_t)pp - offsetof(rtm_block, next_free));
                    if (segment_holding(h, pb, MIN_BLOCK) == NULL || next_free(pb) != b) return corrupt(h, b);
                }
                if (nx != NULL && (segment_holding(h, nx, MIN_BLOCK) == NULL || pprev_free(nx) != &b->next_free))
                    return corrupt(h, b);
                free_bytes += size;
                free_blocks++;
            } else {
                used += size;
                used_blocks++;
            }
            prev_free = (hd & FREE_BIT) != 0;
            b = block_at(b, size);
        }
    }
    if (segments != h->segment_count || used != h->used || used_blocks != h->allocs - h->frees ||
        free_blocks != h->free_less_frees + h->frees || used + free_bytes != h->capacity)
        return corrupt(h, h);
    /* 2. Lists: every entry is a free block of that class; bitmaps say which lists are non-empty;
     * the lists together hold exactly the free blocks found above. */
    size_t listed = 0;
    for (unsigned fl = 0; fl < h->fl_count; fl++) {
        if (((h->fl_bitmap >> fl) & 1u) != (h->sl_bitmap[fl] != 0)) return corrupt(h, &h->sl_bitmap[fl]);
        for (unsigned sl = 0; sl < SL; sl++) {
            unsigned idx = (fl << SL_LOG2) + sl;
            rtm_block *b = h->heads[idx];
            if ((b != NULL) != ((h->sl_bitmap[fl] >> sl) & 1u)) return corrupt(h, &h->heads[idx]);
            for (; b != NULL; b = next_free(b)) {
                if (++listed > free_blocks || segment_holding(h, b, MIN_BLOCK) == NULL) return corrupt(h, b);
                size_t hd = head_of(b);
                if (!(hd & FREE_BIT) || class_of(size_of_head(hd)) != idx) return corrupt(h, b);
            }
        }
    }
    if ((h->fl_count < 32 && (h->fl_bitmap >> h->fl_count) != 0) || h->sl_bitmap[h->fl_count] != 0)
        return corrupt(h, h);
    if (listed != free_blocks) return corrupt(h, h);
    return RTM_OK;
}
