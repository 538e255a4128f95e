/*
 * gc.h — the garbage collector: stop-the-world mark–sweep over the object space.
 *
 * Roots: the root object (SH_ROOT) — threads, frames and operand stacks hang off it through
 * ROOT_THREADS — plus the few words C code holds across an allocation, pinned with gc_pin.
 * Objects never move. gc_alloc decides when: once max(GC_BUDGET_MIN, live bytes) have been
 * allocated since the last collection (SH_GC_ALLOWANCE counts them down, in the space), and when
 * space_alloc fails.
 */
#ifndef PHANTOM_GC_H
#define PHANTOM_GC_H

#include <stdint.h>

#include "objspace.h"

struct gc_stats {
  uint32_t collections;
  uint32_t live_objects;   /**< after the last collection */
  uint32_t live_bytes;     /**< after the last collection, headers included */
  uint32_t freed_objects;  /**< by the last collection */
  uint32_t freed_bytes;    /**< by the last collection */
  uint32_t free_bytes;     /**< below SH_TOP in free blocks after the last collection */
  uint32_t mark_overflows; /**< times the mark stack filled and the heap was rescanned */
  uint64_t last_pause_us;
  uint64_t max_pause_us;
};

/** Collect now. Returns the bytes freed. */
uint32_t gc_collect(void);

/** space_alloc, collecting first when SH_GC_ALLOWANCE is spent, and once more when it fails. 0 means out of memory. */
word_t gc_alloc(word_t cls, uint32_t kind, uint32_t size_bytes);

/** Keep *slot alive (and read it again after) across allocations; pops in LIFO order. */
void gc_pin(word_t *slot);
void gc_unpin(int count);
/**
 * Forgets every pin and a collection cut short: for a space dropped in the middle of a turn
 * (arch/space.c, after a page found damaged when first touched), whose C stack is gone.
 */
void gc_forget(void);

const struct gc_stats *gc_get_stats(void);

/** Mark-stack capacity in entries; tests shrink it to exercise overflow. */
void gc_set_mark_stack_limit(uint32_t entries);

#endif
