/*
 * rtmem/rtmem.h - every rtmem module in one include. Prefer the module headers in firmware that
 * uses one or two modules: each is self-contained.
 */
#ifndef RTMEM_RTMEM_H
#define RTMEM_RTMEM_H

#include "rtmem/common.h"
#include "rtmem/port.h"

#include "rtmem/heap.h"      /* variable-size heap: good / best / first fit */

#include "rtmem/slab.h"      /* O(1) fixed-block pools */
#include "rtmem/pools.h"     /* size-class router with heap fallback */
#include "rtmem/reserve.h"   /* priority reserves: tiered heaps, watermarks */
#include "rtmem/ring.h"      /* FIFO ring allocator for streaming */
#include "rtmem/stackpool.h" /* pool of thread stacks */

#include "rtmem/track.h"     /* allocation tracking, leak and site reports, guards */
#include "rtmem/trace.h"     /* allocation trace capture for replay */

#include "rtmem/domain.h"    /* memory partitions and domains */
#include "rtmem/mpu.h"       /* MPU / PMP region planning and encoding */
#include "rtmem/fault.h"     /* fault records and recovery policy */

#include "rtmem/stack.h"     /* stack painting and high-water marks */

#endif /* RTMEM_RTMEM_H */
