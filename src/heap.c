/* TEMPORARY stub: replaced by the real heap. */
#include "rtmem/heap.h"

rtm_heap * rtm_heap_init(void *mem, size_t bytes, rtm_fit fit) { (void)mem; (void)bytes; (void)fit; return NULL; }
rtm_err rtm_heap_add_region(rtm_heap *h, void *mem, size_t bytes) { (void)h; (void)mem; (void)bytes; return RTM_ERR_UNSUPPORTED; }
void * rtm_heap_alloc(rtm_heap *h, size_t bytes) { (void)h; (void)bytes; return NULL; }
void * rtm_heap_aligned_alloc(rtm_heap *h, size_t align, size_t bytes) { (void)h; (void)align; (void)bytes; return NULL; }
void * rtm_heap_calloc(rtm_heap *h, size_t n, size_t size) { (void)h; (void)n; (void)size; return NULL; }
void * rtm_heap_realloc(rtm_heap *h, void *ptr, size_t bytes) { (void)h; (void)ptr; (void)bytes; return NULL; }
void rtm_heap_free(rtm_heap *h, void *ptr) { (void)h; (void)ptr;  }
size_t rtm_heap_usable_size(const rtm_heap *h, const void *ptr) { (void)h; (void)ptr; return 0; }
void rtm_heap_get_stats(const rtm_heap *h, rtm_heap_stats *out) { (void)h; (void)out;  }
void rtm_heap_reset_peak(rtm_heap *h) { (void)h;  }
rtm_err rtm_heap_check(const rtm_heap *h) { (void)h; return RTM_ERR_UNSUPPORTED; }
void rtm_heap_walk(const rtm_heap *h, rtm_heap_walker fn, void *ctx) { (void)h; (void)fn; (void)ctx;  }
rtm_fit rtm_heap_fit(const rtm_heap *h) { (void)h; return RTM_FIT_GOOD; }
rtm_err rtm_heap_locked_init(rtm_heap_locked *lh, void *mem, size_t bytes, rtm_fit fit) { (void)lh; (void)mem; (void)bytes; (void)fit; return RTM_ERR_UNSUPPORTED; }
void * rtm_heap_locked_alloc(rtm_heap_locked *lh, size_t bytes) { (void)lh; (void)bytes; return NULL; }
void * rtm_heap_locked_aligned_alloc(rtm_heap_locked *lh, size_t align, size_t bytes) { (void)lh; (void)align; (void)bytes; return NULL; }
void * rtm_heap_locked_realloc(rtm_heap_locked *lh, void *ptr, size_t bytes) { (void)lh; (void)ptr; (void)bytes; return NULL; }
void rtm_heap_locked_free(rtm_heap_locked *lh, void *ptr) { (void)lh; (void)ptr;  }
void rtm_heap_locked_get_stats(rtm_heap_locked *lh, rtm_heap_stats *out) { (void)lh; (void)out;  }
rtm_err rtm_heap_locked_check(rtm_heap_locked *lh) { (void)lh; return RTM_ERR_UNSUPPORTED; }
void rtm_heap_locked_destroy(rtm_heap_locked *lh) { (void)lh;  }
const char *rtm_fit_name(rtm_fit fit) { (void)fit; return "?"; }
