/*
 * objspace.c — object access, validation of a loaded space, and the allocator.
 *
 * The allocator follows lang/docs/object-format.md: first fit over the free list (SH_FREE) the
 * collector builds, then bump allocation at SH_TOP. Both are persistent (in the space header), so
 * a snapshot taken between two allocations is consistent. A block on the free list needs room for
 * its next link (FREE_BLOCK_MIN bytes); a dead 12-byte object with no free neighbour becomes a
 * size-0 free block that is not linked ("filler") until a neighbour dies and the sweep merges it.
 *
 * Not here: deciding what is garbage (gc.c).
 */
#include "objspace.h"

#include "klib.h"

/** The pattern freed payloads are filled with where junk filling is on. */
#define JUNK_WORD 0xDEADBEEFu

static int addr_in_heap(uint32_t addr) { return addr >= SPACE_FIRST_OBJECT && addr < space_top() && (addr & 3u) == 0; }

int obj_is_sane(word_t w) {
  if (!word_is_ref(w)) return 0;
  uint32_t addr = obj_addr(w);
  if (!addr_in_heap(addr) || space_top() - addr < HEADER_BYTES) return 0;
  uint32_t *h = obj_header(w);
  uint32_t kind = h[HDR_FLAGS / 4] & FLAG_KIND_MASK;
  if (kind != KIND_SLOTS && kind != KIND_BYTES) return 0;
  if (!word_is_ref(h[HDR_CLASS / 4])) return 0;
  return (uint64_t)addr + footprint(h[HDR_SIZE / 4]) <= space_top() && h[HDR_SIZE / 4] < 0x7FFFFFF0u;
}

/* ── validation ── */

/**
 * During validation, FLAG_MARK flags every object start the linear walk found. The walk only
 * marks headers that lie wholly below SH_TOP, so nothing past it is read here either.
 */
static int is_walked_start(word_t w) {
  if (!word_is_ref(w) || !addr_in_heap(obj_addr(w)) || space_top() - obj_addr(w) < HEADER_BYTES) return 0;
  return (obj_header(w)[HDR_FLAGS / 4] & FLAG_MARK) != 0;
}

static int is_walked_object(word_t w) { return is_walked_start(w) && obj_kind(w) != KIND_FREE; }

static int is_walked_slots(word_t w, uint32_t min_slots) {
  return is_walked_object(w) && obj_kind(w) == KIND_SLOTS && obj_slot_count(w) >= min_slots;
}

static char validate_message[160];

static const char *fail_at(const char *what, uint32_t addr) {
  ksnprintf(validate_message, sizeof validate_message, "%s (object at 0x%08x)", what, addr);
  return validate_message;
}

static void clear_marks(uint32_t end) {
  for (uint32_t addr = SPACE_FIRST_OBJECT; addr < end;) {
    uint32_t *h = (uint32_t *)(uintptr_t)addr;
    h[HDR_FLAGS / 4] &= ~(uint32_t)FLAG_MARK;
    addr += footprint(h[HDR_SIZE / 4]);
  }
}

/** Pass 1: every header from the first object to SH_TOP is well formed; marks each start. */
static const char *walk_headers(uint32_t *walked_end) {
  uint32_t top = space_top();
  uint32_t addr = SPACE_FIRST_OBJECT;
  *walked_end = addr;
  while (addr < top) {
    if (top - addr < HEADER_BYTES) return fail_at("object header runs past SH_TOP", addr);
    uint32_t *h = (uint32_t *)(uintptr_t)addr;
    uint32_t flags = h[HDR_FLAGS / 4], kind = flags & FLAG_KIND_MASK, size = h[HDR_SIZE / 4];
    if (kind == KIND_FREE ? h[HDR_CLASS / 4] != 0 : (kind != KIND_SLOTS && kind != KIND_BYTES))
      return fail_at("bad object kind or class word", addr);
    if (kind == KIND_SLOTS && (size & 3u)) return fail_at("slot object size not a multiple of 4", addr);
    if (size > top - addr || footprint(size) > top - addr) return fail_at("object runs past SH_TOP", addr);
    h[HDR_FLAGS / 4] = flags | FLAG_MARK;
    addr += footprint(size);
    *walked_end = addr;
  }
  return 0;
}

static const char *check_classes(void) {
  word_t root = space_root();
  if (!is_walked_slots(root, CID_ROOT_SLOTS)) return "SH_ROOT is not an object with the root's slots";
  word_t classes = obj_slots(root)[ROOT_CLASSES];
  if (!is_walked_slots(classes, CID_BOOT + 1)) return "ROOT_CLASSES is not an array of the internal classes";
  word_t class_class = obj_slots(classes)[CID_CLASS];
  for (uint32_t cid = 1; cid <= CID_BOOT; cid++) {
    word_t c = obj_slots(classes)[cid];
    if (!is_walked_slots(c, CID_CLASS_SLOTS) || obj_class(c) != class_class)
      return fail_at("ROOT_CLASSES entry is not a class", word_is_ref(c) ? obj_addr(c) : 0);
    if (obj_slots(c)[CLASS_INTERNAL_ID] != int_to_word((int32_t)cid))
      return fail_at("ROOT_CLASSES entry has the wrong internal id", obj_addr(c));
  }
  if (obj_class(root) != obj_slots(classes)[CID_ROOT]) return "the root object is not a .internal.root";
  return 0;
}

/** Pass 2: every object's class is a class, every reference in a slot names an object start. */
static const char *walk_references(void) {
  word_t class_class = obj_slots(obj_slots(space_root())[ROOT_CLASSES])[CID_CLASS];
  uint32_t top = space_top();
  for (uint32_t addr = SPACE_FIRST_OBJECT; addr < top;) {
    word_t ref = addr_ref(addr);
    uint32_t kind = obj_kind(ref), size = obj_size(ref);
    if (kind == KIND_FREE) {
      word_t next = size >= 4 ? obj_slots(ref)[0] : 0;
      if (next && (!is_walked_start(addr_ref(next)) || obj_kind(addr_ref(next)) != KIND_FREE))
        return fail_at("free block links to something that is not a free block", addr);
    } else {
      word_t cls = obj_class(ref);
      if (!is_walked_slots(cls, CID_CLASS_SLOTS) || obj_class(cls) != class_class)
        return fail_at("object's class word is not a class", addr);
      if (kind == KIND_SLOTS) {
        word_t *slots = obj_slots(ref);
        uint32_t n = size / 4, i = 0;
        /* Eight slots at a time while none is a reference (an int array's slots): under TCG every
           guest instruction counts, and this walk is most of a rollback's contents check (measured
           on the rollback bench's 1666 pages of int arrays: 12.4 → 8.2 ms). */
        for (; i + 8 <= n; i += 8) {
          word_t any = slots[i] | slots[i + 1] | slots[i + 2] | slots[i + 3] | slots[i + 4] | slots[i + 5] |
                       slots[i + 6] | slots[i + 7];
          if (!word_is_ref(any)) continue;
          for (uint32_t k = i; k < i + 8; k++)
            if (word_is_ref(slots[k]) && !is_walked_object(slots[k]))
              return fail_at("slot holds a reference to no object", addr);
        }
        for (; i < n; i++)
          if (word_is_ref(slots[i]) && !is_walked_object(slots[i]))
            return fail_at("slot holds a reference to no object", addr);
      }
    }
    addr += footprint(size);
  }
  return 0;
}

static const char *check_free_list(void) {
  uint32_t limit = (space_top() - SPACE_FIRST_OBJECT) / FREE_BLOCK_MIN + 1;
  for (uint32_t block = *space_field(SH_FREE); block; block = obj_slots(addr_ref(block))[0]) {
    word_t ref = addr_ref(block);
    if (!is_walked_start(ref) || obj_kind(ref) != KIND_FREE || obj_size(ref) < 4)
      return fail_at("SH_FREE list holds something that is not a free block", block);
    if (limit-- == 0) return "SH_FREE list has a cycle";
  }
  return 0;
}

static const char *check_threads(void) {
  word_t root = space_root();
  word_t thread_class = obj_slots(obj_slots(root)[ROOT_CLASSES])[CID_THREAD];
  uint32_t limit = (space_top() - SPACE_FIRST_OBJECT) / HEADER_BYTES;
  for (word_t t = obj_slots(root)[ROOT_THREADS]; t; t = obj_slots(t)[THREAD_NEXT]) {
    if (!is_walked_slots(t, CID_THREAD_SLOTS) || obj_class(t) != thread_class)
      return fail_at("ROOT_THREADS list holds something that is not a thread", word_is_ref(t) ? obj_addr(t) : 0);
    if (limit-- == 0) return "ROOT_THREADS list has a cycle";
  }
  return 0;
}

const char *space_validate(uint32_t mapped_bytes) {
  uint32_t size = *space_field(SH_SIZE), top = space_top();
  if (*space_field(SH_MAGIC) != SPACE_MAGIC) return "not an object space (bad SH_MAGIC)";
  if (*space_field(SH_VERSION) != FORMAT_VERSION) return "object space has an unknown format version";
  if (size < SPACE_SIZE_MIN || size > SPACE_SIZE_MAX || size % PAGE_SIZE) return "SH_SIZE out of range";
  if (size > mapped_bytes) return "SH_SIZE is larger than the mapped region";
  if (top < SPACE_FIRST_OBJECT || top > SPACE_BASE + size || (top & 3u)) return "SH_TOP out of range";
  uint32_t walked_end;
  const char *err = walk_headers(&walked_end);
  if (!err) err = check_classes();
  if (!err) err = walk_references();
  if (!err) err = check_free_list();
  if (!err) err = check_threads();
  clear_marks(walked_end);
  return err;
}

/* ── allocation ── */

void space_junk(uint32_t addr, uint32_t bytes) {
#ifdef PH_JUNK_FILL
  uint32_t *w = (uint32_t *)(uintptr_t)addr;
  for (uint32_t i = 0; i < bytes / 4; i++) w[i] = JUNK_WORD;
#else
  (void)addr;
  (void)bytes;
#endif
}

void space_make_free(uint32_t addr, uint32_t bytes, int link) {
  uint32_t *h = (uint32_t *)(uintptr_t)addr;
  h[HDR_CLASS / 4] = 0;
  h[HDR_SIZE / 4] = bytes - HEADER_BYTES;
  h[HDR_FLAGS / 4] = KIND_FREE;
  if (bytes >= FREE_BLOCK_MIN && link) {
    h[HEADER_BYTES / 4] = *space_field(SH_FREE);
    *space_field(SH_FREE) = addr;
  }
}

/* Not in the space: set when the space was captured or loaded, cleared by the next allocation. */
static int epoch_pending = 1;

void space_new_epoch(void) { epoch_pending = 1; }

/** The stamp an object allocated now carries, opening a new epoch first when one is pending. */
static uint32_t birth_stamp(void) {
  if (epoch_pending) {
    *space_field(SH_EPOCH) += 1;
    epoch_pending = 0;
  }
  return (*space_field(SH_EPOCH) << STAMP_SHIFT) & FLAG_STAMP_MASK;
}

void space_stamp(word_t ref) {
  uint32_t *h = obj_header(ref);
  h[HDR_FLAGS / 4] = (h[HDR_FLAGS / 4] & ~FLAG_STAMP_MASK) | birth_stamp();
}

static word_t init_object(uint32_t addr, word_t cls, uint32_t kind, uint32_t size_bytes) {
  uint32_t *h = (uint32_t *)(uintptr_t)addr;
  h[HDR_CLASS / 4] = cls;
  h[HDR_SIZE / 4] = size_bytes;
  h[HDR_FLAGS / 4] = kind | birth_stamp();
  memset(h + HEADER_BYTES / 4, 0, align4(size_bytes));
  *space_field(SH_OBJECTS) += 1;
  *space_field(SH_LIVE_BYTES) += footprint(size_bytes);
  return addr_ref(addr);
}

/** A free block of `have` bytes can hold `need` when what is left is nothing, a filler or a block. */
static int fits(uint32_t have, uint32_t need) {
  return have == need || have == need + HEADER_BYTES || have >= need + FREE_BLOCK_MIN;
}

/** First fit over at most `limit` blocks of the free list; unlinks and splits the block found. */
static uint32_t take_free(uint32_t need, uint32_t limit) {
  uint32_t *link = space_field(SH_FREE);
  while (*link && limit--) {
    uint32_t block = *link;
    uint32_t *h = (uint32_t *)(uintptr_t)block;
    uint32_t have = footprint(h[HDR_SIZE / 4]);
    if (fits(have, need)) {
      *link = h[HEADER_BYTES / 4];
      if (have > need) space_make_free(block + need, have - need, 1);
      return block;
    }
    link = &h[HEADER_BYTES / 4];
  }
  return 0;
}

word_t space_alloc(word_t cls, uint32_t kind, uint32_t size_bytes) {
  if (size_bytes > SPACE_SIZE_MAX) return 0;
  uint32_t need = footprint(size_bytes);
  /* A short scan keeps allocation O(1) when the list is long and fragmented; the whole list is
   * still tried before the space is reported full. */
  uint32_t addr = take_free(need, FREE_SCAN_QUICK);
  if (!addr && space_end() - space_top() >= need) {
    addr = space_top();
    *space_field(SH_TOP) = addr + need;
  }
  if (!addr) addr = take_free(need, UINT32_MAX);
  if (!addr) return 0;
  return init_object(addr, cls, kind, size_bytes);
}

void space_free(word_t ref) {
  uint32_t bytes = footprint(obj_size(ref));
  *space_field(SH_OBJECTS) -= 1;
  *space_field(SH_LIVE_BYTES) -= bytes;
  space_junk(obj_addr(ref) + HEADER_BYTES, bytes - HEADER_BYTES);
  space_make_free(obj_addr(ref), bytes, 1);
}
