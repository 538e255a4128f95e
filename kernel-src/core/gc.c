/*
 * gc.c — mark–sweep collection of the object space (lang/docs/object-format.md, "Garbage
 * collection").
 *
 * Mark: from SH_ROOT and the pinned words, with an explicit stack (no recursion, so a list of a
 * million objects needs no C stack). When the stack is full an object is marked but not pushed,
 * and after the stack drains the heap is walked once more to scan the marked objects whose
 * children are still unmarked, until a walk finds nothing new. Every slot of a frame is scanned,
 * not just the live part of its operand stack: a stale value only delays freeing.
 *
 * Sweep: one linear walk from SPACE_BASE + 64 to SH_TOP that clears marks, merges each run of
 * dead objects and free blocks into one free block (linked large blocks first, each group in
 * address order), recounts
 * SH_OBJECTS / SH_LIVE_BYTES, and gives a free run that ends at SH_TOP back to the bump region.
 *
 * When: SH_GC_ALLOWANCE, in the space, holds what may still be allocated before the next
 * collection, so a machine restarted from a snapshot (or replayed on lang's reference
 * interpreter) collects at the same allocation as the one that went on running.
 */
#include "gc.h"

#include "klib.h"
#include "platform.h"

/** 64 K entries (256 KiB): deep enough that overflow rescans are rare for real object graphs. */
#define MARK_STACK_CAPACITY 65536u
#define PIN_CAPACITY 32

static uint32_t mark_stack[MARK_STACK_CAPACITY];
static uint32_t mark_stack_limit = MARK_STACK_CAPACITY;
static uint32_t mark_depth;
static int mark_overflowed;

static word_t *pins[PIN_CAPACITY];
static int pin_count;

static struct gc_stats stats;

void gc_set_mark_stack_limit(uint32_t entries) {
  mark_stack_limit = entries == 0 || entries > MARK_STACK_CAPACITY ? MARK_STACK_CAPACITY : entries;
}

const struct gc_stats *gc_get_stats(void) { return &stats; }

void gc_pin(word_t *slot) {
  if (pin_count == PIN_CAPACITY) ph_panic("gc: more than %d pinned words", PIN_CAPACITY);
  pins[pin_count++] = slot;
}

void gc_unpin(int count) { pin_count -= count; }

void gc_forget(void) {
  pin_count = 0;
  mark_depth = 0;
  mark_overflowed = 0;
}

static void mark_word(word_t w) {
  if (!word_is_ref(w)) return;
  uint32_t *h = obj_header(w);
  if (h[HDR_FLAGS / 4] & FLAG_MARK) return;
  h[HDR_FLAGS / 4] |= FLAG_MARK;
  if (mark_depth < mark_stack_limit)
    mark_stack[mark_depth++] = w;
  else
    mark_overflowed = 1;
}

static void scan_object(word_t ref) {
  mark_word(obj_class(ref));
  if (obj_kind(ref) != KIND_SLOTS) return;
  word_t *slots = obj_slots(ref);
  uint32_t n = obj_slot_count(ref);
  for (uint32_t i = 0; i < n; i++) mark_word(slots[i]);
}

static void drain(void) {
  while (mark_depth) scan_object(mark_stack[--mark_depth]);
}

/** After an overflow: scan every marked object again until a walk marks nothing new. */
static void rescan_overflowed(void) {
  while (mark_overflowed) {
    mark_overflowed = 0;
    stats.mark_overflows++;
    uint32_t top = space_top();
    for (uint32_t addr = SPACE_FIRST_OBJECT; addr < top;) {
      word_t ref = addr_ref(addr);
      if (obj_header(ref)[HDR_FLAGS / 4] & FLAG_MARK) {
        scan_object(ref);
        drain();
      }
      addr += footprint(obj_size(ref));
    }
  }
}

static void mark(void) {
  mark_depth = 0;
  mark_overflowed = 0;
  mark_word(space_root());
  for (int i = 0; i < pin_count; i++) mark_word(*pins[i]);
  drain();
  rescan_overflowed();
}

struct free_list {
  uint32_t head;
  uint32_t *tail; /**< where the next block's address is linked */
};

struct sweep_state {
  uint32_t run_start; /**< start of the current run of dead/free bytes, 0 when none */
  struct free_list large, small;
  uint32_t live_objects, live_bytes, freed_objects, freed_bytes, free_bytes;
};

static void append_free(struct free_list *list, uint32_t block) {
  *list->tail = block;
  list->tail = (uint32_t *)(uintptr_t)(block + HEADER_BYTES);
  *list->tail = 0;
}

static void close_run(struct sweep_state *s, uint32_t end) {
  if (!s->run_start) return;
  uint32_t bytes = end - s->run_start;
  space_make_free(s->run_start, bytes, 0);
  /* Large blocks first, so that the allocator's short first-fit scan finds room in them instead of
   * walking past many small holes and bumping SH_TOP. */
  if (bytes >= FREE_BLOCK_MIN) append_free(bytes >= FREE_BLOCK_LARGE ? &s->large : &s->small, s->run_start);
  s->free_bytes += bytes;
  s->run_start = 0;
}

static void sweep(void) {
  struct sweep_state s = {0};
  s.large.tail = &s.large.head;
  s.small.tail = &s.small.head;
  uint32_t top = space_top();
  for (uint32_t addr = SPACE_FIRST_OBJECT; addr < top;) {
    uint32_t *h = (uint32_t *)(uintptr_t)addr;
    uint32_t bytes = footprint(h[HDR_SIZE / 4]);
    uint32_t flags = h[HDR_FLAGS / 4];
    if (flags & FLAG_MARK) {
      h[HDR_FLAGS / 4] = flags & ~(uint32_t)FLAG_MARK;
      close_run(&s, addr);
      s.live_objects++;
      s.live_bytes += bytes;
    } else {
      if ((flags & FLAG_KIND_MASK) != KIND_FREE) {
        s.freed_objects++;
        s.freed_bytes += bytes;
        space_junk(addr + HEADER_BYTES, bytes - HEADER_BYTES);
      }
      if (!s.run_start) s.run_start = addr;
    }
    addr += bytes;
  }
  if (s.run_start) { /* a trailing free run goes back to the bump region */
    *space_field(SH_TOP) = s.run_start;
    space_junk(s.run_start, top - s.run_start);
  }
  *s.large.tail = s.small.head;
  *space_field(SH_FREE) = s.large.head ? s.large.head : s.small.head;
  *space_field(SH_OBJECTS) = s.live_objects;
  *space_field(SH_LIVE_BYTES) = s.live_bytes;
  stats.live_objects = s.live_objects;
  stats.live_bytes = s.live_bytes;
  stats.freed_objects = s.freed_objects;
  stats.free_bytes = s.free_bytes;
  stats.freed_bytes = s.freed_bytes;
}

uint32_t gc_collect(void) {
  uint64_t start = ph_tsc();
  mark();
  sweep();
  uint64_t per_us = ph_tsc_per_us();
  uint64_t pause = (ph_tsc() - start) / (per_us ? per_us : 1);
  /* The heap stays near live + max(GC_BUDGET_MIN, live) instead of filling the whole space first,
   * so fewer pages are touched, paged in and snapshotted. */
  *space_field(SH_GC_ALLOWANCE) = stats.live_bytes > GC_BUDGET_MIN ? stats.live_bytes : GC_BUDGET_MIN;
  stats.collections++;
  stats.last_pause_us = pause;
  if (pause > stats.max_pause_us) stats.max_pause_us = pause;
  return stats.freed_bytes;
}

static void collect_keeping(word_t *cls) {
  gc_pin(cls);
  gc_collect();
  gc_unpin(1);
}

word_t gc_alloc(word_t cls, uint32_t kind, uint32_t size_bytes) {
  uint32_t *allowance = space_field(SH_GC_ALLOWANCE);
  if (*allowance == 0) collect_keeping(&cls);
  word_t ref = space_alloc(cls, kind, size_bytes);
  if (!ref) {
    collect_keeping(&cls);
    ref = space_alloc(cls, kind, size_bytes);
  }
  if (ref) {
    uint32_t bytes = footprint(size_bytes);
    *allowance = *allowance > bytes ? *allowance - bytes : 0;
  }
  return ref;
}
