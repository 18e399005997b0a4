/*
 * Test hook of src/track.c (RTM_DEBUG builds only): the fields rtm_track_debug_poke_ can swap, so
 * that the corruption tests damage exactly one field of the tracker's private data, expect
 * rtm_track_validate to report RTM_ERR_CORRUPT, and put the field back. Not part of the API.
 */
#ifndef RTM_TRACK_DEBUG_H
#define RTM_TRACK_DEBUG_H

#include <stdint.h>

#include "rtmem/track.h"

typedef enum {
    /* of the record of a user pointer */
    RTM_TRACK_POKE_REC_STATE,     /* rec.state */
    RTM_TRACK_POKE_REC_SITE,      /* rec.site */
    RTM_TRACK_POKE_REC_THREAD_IX, /* rec.thread_ix */
    RTM_TRACK_POKE_REC_SIZE,      /* rec.size */
    RTM_TRACK_POKE_REC_PTR,       /* rec.ptr */
    RTM_TRACK_POKE_REC_PTR_LOST,  /* rec.ptr, to a pointer from whose home slot the record is not found */
    /* of the record's site and thread slots */
    RTM_TRACK_POKE_SITE_LIVE_BLOCKS,
    RTM_TRACK_POKE_SITE_LIVE_BYTES,
    RTM_TRACK_POKE_SITE_PEAK_BYTES,
    RTM_TRACK_POKE_THREAD_LIVE_BLOCKS,
    RTM_TRACK_POKE_THREAD_LIVE_BYTES,
    /* of the tracker */
    RTM_TRACK_POKE_LIVE_BLOCKS,   /* st.live_blocks */
    RTM_TRACK_POKE_LIVE_BYTES,    /* st.live_bytes */
    RTM_TRACK_POKE_PEAK_BYTES,    /* st.peak_bytes */
    RTM_TRACK_POKE_QUARANTINED,   /* st.quarantined */
    RTM_TRACK_POKE_QCOUNT,        /* the quarantine ring's count */
    RTM_TRACK_POKE_QRING_FIRST,   /* the quarantine ring's oldest entry (a user pointer) */
    RTM_TRACK_POKE_EMPTY_STATE,   /* the state byte of the first empty slot of the table */
    RTM_TRACK_POKE_SITE_USED      /* the used flag of site slot (uintptr_t)ptr */
} rtm_track_poke_field;

/** Sets @p field to *value_io and returns its old value; ptr names the record for the record,
 *  site and thread fields (found by a scan of the table, so also after its ptr was poked).
 *  RTM_TRACK_POKE_REC_PTR_LOST takes the first pointer from *value_io on from whose home slot
 *  the record cannot be found, and writes it back to *value_io. UINT64_MAX (nothing changed) for an
 *  unknown pointer or field. */
uint64_t rtm_track_debug_poke_(rtm_track *t, const void *ptr, rtm_track_poke_field field, uint64_t *value_io);
/** Site-table slots looked at so far by the site lookup (its cache hits look at none). */
size_t rtm_track_debug_site_probes_(const rtm_track *t);

#endif /* RTM_TRACK_DEBUG_H */
