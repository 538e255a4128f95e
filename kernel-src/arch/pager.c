/*
 * pager.c — the object space [SPACE_BASE, SPACE_BASE + size): demand paging from the store,
 * dirty tracking and copy-on-write freezing for snapshots.
 *
 * Every page has a state word (frame address | PS_* flags), kept here in kernel memory (not in
 * the object space, and not persistent: it is rebuilt empty at every boot). The rules:
 *   - A page nobody touched is unmapped. The first access faults; the page is read from the
 *     store (pager_read_fn) into a fresh frame and mapped read-only. An all-zero page is mapped
 *     read-only to the one shared zero frame instead.
 *   - Every clean page is read-only, so the first write to it faults: the page gets its own
 *     frame if it had none, becomes PS_DIRTY and writable, and joins the dirty list.
 *   - pager_freeze (stop-the-world, called by the snapshot code) hands the dirty list over as
 *     the frozen list and write-protects, in the page directory, each 4 MiB region that holds
 *     a dirty page: one entry per region, so the pause does not grow with the dirty set. The
 *     region's dirty pages keep PS_DIRTY until they are converted, one by one, to PS_FROZEN,
 *     clean and read-only in their own page-table entries. Nothing can write in a protected
 *     region, so until then its PS_DIRTY pages are exactly its frozen pages. A page is
 *     converted when the writer reaches it (pager_frozen_page), or all of its region at once
 *     when a thread writes anywhere in the region (the first write fault there: at most 1024
 *     entries), which then lifts the region's protection; pager_release_frozen lifts the rest.
 *     The snapshot writer reads the frozen bytes with pager_frozen_page while the world runs
 *     on. A write to a frozen page copies it to a new frame first (PS_COPIED) and the writer
 *     keeps the old frame, so what it writes is exactly the memory at the freeze.
 *   - pager_release_frozen frees the frames that were copied aside.
 *   - pager_prepare_freeze does the freeze's TLB flush ahead of time, when the machine is about
 *     to idle with the next freeze due: under TCG the first flush after a long run is the costly
 *     one (QEMU resizes its software TLB to the run's use and clears it from cold memory), so the
 *     freeze's own flush, the next one, stays short. It changes no page and no entry.
 *   - When physical memory runs out (a space larger than RAM), a clock hand evicts clean,
 *     unfrozen pages: their bytes equal the store's current generation, so they are simply
 *     unmapped and read again on the next access. When it finds none nearby, it takes a page
 *     out: a frozen copy made aside (PS_FROZEN_OUT) or a dirty or frozen page (PS_OUT) is
 *     written to a free store block the pager then holds (backing->stash), which no generation,
 *     committed or being written, uses; the page is read back from it on the next access. The
 *     snapshot writer adopts a held block into its generation instead of writing the page again,
 *     and the hold is given back when the generation is committed (pager_release_frozen) or when
 *     the page comes back into memory. docs/persistence.md, "A space larger than memory", says
 *     why this keeps every committed generation consistent.
 * Everything runs either in the page-fault handler (an interrupt gate: interrupts off) or at a
 * VM safe point with the world stopped, and no interrupt handler touches the object space or
 * this state, so a fault and a freeze never overlap: that is the lock for all the state below.
 */
#include "arch.h"
#include "klib.h"
#include "platform.h"
#include "spec.h"

enum {
  PS_RESIDENT = 1 << 0, /* has a frame of its own (the frame bits are valid) */
  PS_ZERO = 1 << 1,     /* mapped read-only to the shared zero frame */
  PS_DIRTY = 1 << 2,    /* written since the last freeze (writable, on the dirty list) */
  PS_FROZEN = 1 << 3,   /* on the frozen list of an unreleased freeze */
  PS_COPIED = 1 << 4,   /* frozen, then written: the frozen bytes are in the list's old frame */
  PS_OUT = 1 << 5,      /* no frame: the page's bytes are in the held block out[page] (dirty or frozen) */
  PS_FROZEN_OUT = 1 << 6, /* like PS_COPIED, but the frozen bytes went to the held block frozen_out[page] */
};
#define PS_FRAME_MASK 0xFFFFF000u

/** Pages per region: one page table, covered by one page-directory entry. */
#define REGION_PAGES 1024u
/** Pages the clock hand looks at for a clean page to drop before it takes a nearby one out instead. */
#define EVICT_SCAN 64u

/** A held store block and the crc of the page in it (block 0: an all-zero page, nothing held). */
struct held {
  uint32_t block, crc;
};

static uint32_t space_pages;
static struct pager_backing backing;
static uint32_t *page_state;
static uint32_t *dirty_list;
static uint32_t dirty_count;
static uint32_t *frozen_list; /* pages; the dirty list's buffer until the freeze swapped them */
static uint32_t frozen_count;
static uint32_t *copied_frame; /* per page: the frame with its frozen bytes while PS_COPIED */
static struct held *out;        /* per page: its bytes while PS_OUT */
static struct held *frozen_out; /* per page: its frozen bytes while PS_FROZEN_OUT */
static uint32_t region_count;
static bool *region_dirty;       /* per region: a page was made dirty there since the last freeze */
static bool *region_protected;   /* per region: write-protected by the current freeze */
static bool freeze_active;
static uint32_t zero_frame;
static uint32_t spare_frame; /* a frame a zero page did not need, kept for the next fault */
static uint32_t clock_hand;  /* where the search for a page to evict resumes */
static struct pager_stats stats;

static void *alloc_table(uint32_t bytes) {
  uint32_t frames = (bytes + PAGE_BYTES - 1) / PAGE_BYTES;
  uint32_t addr = pmm_alloc_contiguous(frames);
  if (!addr) ph_panic("pager: no %u contiguous frames for its tables", frames);
  memset((void *)addr, 0, frames * PAGE_BYTES);
  return (void *)addr;
}

static void convert_frozen(uint32_t page, uint32_t *table);
static uint32_t *region_table(uint32_t region);

/** Writes the page-sized frame to a held block; a store that cannot take it stops the machine. */
static struct held hold(uint32_t page, const void *frame) {
  struct held h = {0, 0};
  const char *why = backing.stash(frame, &h.block, &h.crc);
  if (why)
    ph_panic("pager: out of physical memory, and page %u (%08x) cannot be written out: %s", page,
             SPACE_BASE + page * PAGE_BYTES, why);
  if (h.block) stats.held++;
  if (stats.page_outs++ == 0) kprintf("pager: memory is full: pages now go out to the store and back as needed\n");
  return h;
}

static void give_back(struct held *h) {
  if (h->block) {
    backing.release(h->block);
    stats.held--;
  }
  *h = (struct held){0, 0};
}

/**
 * Frees a frame of `page` by writing its bytes out: its frozen copy when it has one in memory
 * (only the snapshot writer still needs that), else the page itself, dirty or frozen, which is
 * unmapped. Returns the frame.
 */
static uint32_t take_out(uint32_t page) {
  if (region_protected[page / REGION_PAGES] && (page_state[page] & PS_DIRTY))
    convert_frozen(page, region_table(page / REGION_PAGES)); /* dirty there means frozen: say so first */
  uint32_t st = page_state[page];
  if (st & PS_COPIED) {
    uint32_t frame = copied_frame[page];
    frozen_out[page] = hold(page, (const void *)frame);
    copied_frame[page] = 0;
    page_state[page] = (st & ~PS_COPIED) | PS_FROZEN_OUT;
    return frame;
  }
  uint32_t frame = st & PS_FRAME_MASK;
  out[page] = hold(page, (const void *)frame);
  paging_unmap(SPACE_BASE + page * PAGE_BYTES);
  page_state[page] = (st & ~(PS_FRAME_MASK | PS_RESIDENT)) | PS_OUT;
  stats.resident--;
  return frame;
}

/**
 * A frame for `page` when none is free: a clean, unfrozen resident page's (dropped: the store
 * has its bytes), else, when none is among the next EVICT_SCAN pages, one taken out (take_out)
 * from the first page nearby that has a frame to give. Never `keep`'s. 0 when no page has one.
 */
static uint32_t evict_one(uint32_t keep) {
  uint32_t candidate = space_pages;
  for (uint32_t n = 0; n < space_pages && (candidate == space_pages || n < EVICT_SCAN); n++) {
    uint32_t page = clock_hand;
    clock_hand = (clock_hand + 1) % space_pages;
    uint32_t st = page_state[page];
    if (page == keep) continue;
    if ((st & (PS_RESIDENT | PS_DIRTY | PS_FROZEN)) == PS_RESIDENT) {
      paging_unmap(SPACE_BASE + page * PAGE_BYTES);
      page_state[page] = 0;
      stats.resident--;
      stats.evictions++;
      return st & PS_FRAME_MASK;
    }
    if (candidate == space_pages && (st & (PS_RESIDENT | PS_COPIED))) candidate = page;
  }
  return candidate == space_pages ? 0 : take_out(candidate);
}

static uint32_t alloc_frame(uint32_t page) {
  uint32_t frame = spare_frame;
  spare_frame = 0;
  if (!frame) frame = pmm_alloc();
  if (!frame && backing.reclaim && backing.reclaim()) frame = pmm_alloc();
  if (!frame) frame = evict_one(page);
  if (!frame)
    ph_panic("pager: out of physical memory paging in %08x (%u pages resident)", SPACE_BASE + page * PAGE_BYTES,
             stats.resident);
  return frame;
}

void pager_init(uint32_t space_size, const struct pager_backing *backing_in) {
  if (space_size % PAGE_BYTES || space_size < SPACE_SIZE_MIN || space_size > SPACE_SIZE_MAX)
    ph_panic("pager: bad object-space size %u", space_size);
  space_pages = space_size / PAGE_BYTES;
  backing = *backing_in;
  page_state = alloc_table(space_pages * sizeof *page_state);
  dirty_list = alloc_table(space_pages * sizeof *dirty_list);
  frozen_list = alloc_table(space_pages * sizeof *frozen_list);
  copied_frame = alloc_table(space_pages * sizeof *copied_frame);
  out = alloc_table(space_pages * sizeof *out);
  frozen_out = alloc_table(space_pages * sizeof *frozen_out);
  /* Every page table now: once the pager has taken every free frame, mapping must not need one. */
  paging_reserve_tables(SPACE_BASE, space_size);
  region_count = (space_pages + REGION_PAGES - 1) / REGION_PAGES;
  region_dirty = alloc_table(region_count * sizeof *region_dirty);
  region_protected = alloc_table(region_count * sizeof *region_protected);
  zero_frame = (uint32_t)alloc_table(PAGE_BYTES);
  stats = (struct pager_stats){.pages = space_pages};
  kprintf("pager: object space %08x..%08x (%u MiB), paged from the store\n", SPACE_BASE, SPACE_BASE + space_size,
          space_size >> 20);
}

static void make_dirty(uint32_t page, uint32_t va, uint32_t frame, uint32_t keep_flags) {
  page_state[page] = frame | PS_RESIDENT | PS_DIRTY | keep_flags;
  dirty_list[dirty_count++] = page;
  region_dirty[page / REGION_PAGES] = true;
  stats.dirty++;
  stats.write_faults++;
  paging_map(va, frame, PTE_WRITABLE);
}

/**
 * A dirty page of a protected region becomes what the freeze made it: frozen, clean, read-only
 * in `table`, its region's page table. No TLB flush: the region's directory entry is read-only,
 * so no cached entry allows a write.
 */
static void convert_frozen(uint32_t page, uint32_t *table) {
  page_state[page] = (page_state[page] & ~PS_DIRTY) | PS_FROZEN;
  table[page % REGION_PAGES] &= ~PTE_WRITABLE;
}

static uint32_t *region_table(uint32_t region) { return paging_table_of(SPACE_BASE + region * REGION_PAGES * PAGE_BYTES); }

/** Converts the rest of a protected region's frozen pages, then lets writes through its directory entry. */
static void unprotect_region(uint32_t region) {
  uint64_t start = ph_tsc();
  uint32_t first = region * REGION_PAGES;
  uint32_t end = first + REGION_PAGES < space_pages ? first + REGION_PAGES : space_pages;
  uint32_t *table = region_table(region);
  for (uint32_t page = first; page < end; page++)
    if (page_state[page] & PS_DIRTY) convert_frozen(page, table);
  region_protected[region] = false;
  paging_table_writable_unflushed(SPACE_BASE + first * PAGE_BYTES, true);
  paging_flush_all();
  uint32_t cycles = (uint32_t)(ph_tsc() - start);
  stats.region_faults++;
  if (cycles > stats.region_fault_cycles_max) stats.region_fault_cycles_max = cycles;
}

/**
 * Brings a page that was taken out back into a frame, and gives its block back (the snapshot
 * writer takes a resident page's bytes from memory). Mapped as before: writable when dirty, else
 * read-only, so that a write to a frozen page faults again and copies it aside.
 */
static void bring_back(uint32_t page, uint32_t va) {
  uint32_t frame = alloc_frame(page);
  struct held *h = &out[page];
  if (h->block) {
    int r = backing.read_stash(h->block, h->crc, (void *)frame);
    if (r < 0) ph_panic("pager: reading page %u (%08x) back from block %u failed: error %d", page, va, h->block, r);
  } else {
    memset((void *)frame, 0, PAGE_BYTES);
  }
  give_back(h);
  stats.page_out_reads++;
  stats.resident++;
  uint32_t st = page_state[page];
  page_state[page] = (st & ~(PS_OUT | PS_FRAME_MASK)) | frame | PS_RESIDENT;
  paging_map(va, frame, st & PS_DIRTY ? PTE_WRITABLE : 0);
}

/**
 * Pages read together at a fault, wherever the store holds them (1 MiB, one wait for the disk): a
 * lazily mounted space is touched mostly in address order (the VM's check walks it; arrays span
 * pages), and under TCG a read's cost is mostly the wait for QEMU's I/O thread, once per call
 * whatever its size (virtio_blk.c puts all of a call's requests in flight at once). Measured on a
 * loaded host: 32 pages a fault waited five times longer in all than the mount's 64-block runs.
 */
#define FAULT_RUN_PAGES 256u
/** Frames a run leaves free: a run never makes the pager evict. */
#define FAULT_RUN_SPARE_FRAMES 1024u

static void unreadable(uint32_t page, int error) {
  if (backing.damaged) backing.damaged(page, error);
  ph_panic("pager: store read of page %u (%08x) failed: error %d", page, SPACE_BASE + page * PAGE_BYTES, error);
}

/**
 * Reads `page` and the untouched pages after it that the backing holds in one run, straight into
 * frames mapped at their own addresses (no copy), each checked by the backing. False when no run
 * of two pages or more is to be had (or memory is short): the caller reads the page alone.
 */
static bool read_run(uint32_t page, bool write) {
  if (!backing.run) return false;
  uint32_t max = FAULT_RUN_PAGES < space_pages - page ? FAULT_RUN_PAGES : space_pages - page;
  uint32_t n = 1;
  while (n < max && page_state[page + n] == 0) n++;
  if (pmm_free_count() < n + FAULT_RUN_SPARE_FRAMES) return false;
  n = n > 1 ? backing.run(page, n) : 0;
  if (n < 2) return false;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t frame = pmm_alloc();
    page_state[page + k] = frame | PS_RESIDENT;
    paging_map_fresh(SPACE_BASE + (page + k) * PAGE_BYTES, frame, 0);
  }
  uint32_t bad = page;
  int r = backing.read_run(page, n, (void *)(SPACE_BASE + page * PAGE_BYTES), &bad);
  if (r < 0) {
    for (uint32_t k = 0; k < n; k++) {
      paging_unmap(SPACE_BASE + (page + k) * PAGE_BYTES);
      pmm_free(page_state[page + k] & PS_FRAME_MASK);
      page_state[page + k] = 0;
    }
    unreadable(bad, r);
  }
  stats.reads += n;
  stats.resident += n;
  stats.run_reads++;
  if (write) make_dirty(page, SPACE_BASE + page * PAGE_BYTES, page_state[page] & PS_FRAME_MASK, 0);
  return true;
}

bool pager_fault(uint32_t addr, uint32_t error_code) {
  if (!space_pages || addr < SPACE_BASE || addr - SPACE_BASE >= space_pages * PAGE_BYTES) return false;
  uint32_t page = (addr - SPACE_BASE) / PAGE_BYTES;
  uint32_t va = SPACE_BASE + page * PAGE_BYTES;
  bool write = error_code & 2;
  if (write && region_protected[page / REGION_PAGES]) unprotect_region(page / REGION_PAGES);
  uint32_t st = page_state[page];

  if (st & PS_OUT) {
    bring_back(page, va);
    return true;
  }
  if (!(st & (PS_RESIDENT | PS_ZERO))) {
    if (read_run(page, write)) return true;
    uint32_t frame = alloc_frame(page);
    int r = backing.read(page, (void *)frame);
    if (r < 0) {
      spare_frame = frame;
      unreadable(page, r);
    }
    stats.reads++;
    if (r == PAGER_ZERO_PAGE && !write) {
      spare_frame = frame;
      page_state[page] = PS_ZERO;
      stats.zero_mapped++;
      paging_map(va, zero_frame, 0);
      return true;
    }
    if (r == PAGER_ZERO_PAGE) memset((void *)frame, 0, PAGE_BYTES);
    stats.resident++;
    if (write) make_dirty(page, va, frame, 0);
    else {
      page_state[page] = frame | PS_RESIDENT;
      paging_map(va, frame, 0);
    }
    return true;
  }
  if (!write || (st & PS_DIRTY)) return false; /* a fault the pager cannot explain */

  if (st & PS_ZERO) {
    uint32_t frame = alloc_frame(page);
    memset((void *)frame, 0, PAGE_BYTES);
    stats.zero_mapped--;
    stats.resident++;
    make_dirty(page, va, frame, 0);
    return true;
  }
  uint32_t frame = st & PS_FRAME_MASK;
  uint32_t keep = st & (PS_FROZEN | PS_COPIED);
  if ((st & PS_FROZEN) && !(st & PS_COPIED)) {
    uint32_t copy = alloc_frame(page);
    memcpy((void *)copy, (const void *)frame, PAGE_BYTES);
    copied_frame[page] = frame;
    frame = copy;
    keep |= PS_COPIED;
    stats.copies++;
  }
  make_dirty(page, va, frame, keep);
  return true;
}

/**
 * Empties the space: every page unmapped, every frame freed (or, for a clean page, handed to
 * `keep` when given), every held block given back, and a freeze whose generation was not
 * committed dropped with its copies.
 */
static void drop_space(void (*keep)(uint32_t page, uint32_t frame)) {
  for (uint32_t page = 0; page < space_pages; page++) {
    uint32_t st = page_state[page];
    if (st & PS_OUT) give_back(&out[page]); /* the check dirtied it (marks), memory was full */
    if (st & PS_FROZEN_OUT) give_back(&frozen_out[page]);
    if (st & PS_COPIED) pmm_free(copied_frame[page]);
    copied_frame[page] = 0;
    if (st & (PS_RESIDENT | PS_ZERO)) paging_unmap_unflushed(SPACE_BASE + page * PAGE_BYTES); /* flushed below */
    /* Clean: not written since the generation the store has, nor frozen for one being written. */
    bool clean = (st & (PS_RESIDENT | PS_DIRTY | PS_FROZEN | PS_COPIED | PS_OUT | PS_FROZEN_OUT)) == PS_RESIDENT;
    if (clean && keep) keep(page, st & PS_FRAME_MASK);
    else if (st & PS_RESIDENT) pmm_free_unfilled(st & PS_FRAME_MASK);
    page_state[page] = 0;
  }
  for (uint32_t region = 0; region < region_count; region++) {
    if (region_protected[region])
      paging_table_writable_unflushed(SPACE_BASE + region * REGION_PAGES * PAGE_BYTES, true);
    region_protected[region] = region_dirty[region] = false;
  }
  paging_flush_all();
  dirty_count = frozen_count = 0;
  freeze_active = false;
  clock_hand = 0;
  stats = (struct pager_stats){.pages = space_pages};
}

void pager_discard(void) {
  if (freeze_active) ph_panic("pager_discard: a freeze is active");
  drop_space(0);
}

bool pager_adopt(uint32_t page, uint32_t frame) {
  if (page >= space_pages || page_state[page]) return false;
  page_state[page] = frame | PS_RESIDENT;
  stats.resident++;
  stats.reads++;
  paging_map_fresh(SPACE_BASE + page * PAGE_BYTES, frame, 0);
  return true;
}

void pager_drop_space(void (*keep_clean)(uint32_t page, uint32_t frame)) { drop_space(keep_clean); }

bool pager_page_present(uint32_t page) { return page < space_pages && page_state[page] != 0; }

void pager_get_stats(struct pager_stats *out) {
  *out = stats;
  out->frozen = frozen_count;
}

void pager_prepare_freeze(void) { paging_flush_all(); }

uint32_t pager_freeze(void) {
  if (freeze_active) ph_panic("pager_freeze: the previous freeze was not released");
  uint32_t *list = frozen_list;
  frozen_list = dirty_list;
  dirty_list = list;
  frozen_count = dirty_count;
  dirty_count = 0;
  for (uint32_t region = 0; region < region_count; region++) {
    if (!region_dirty[region]) continue;
    region_dirty[region] = false;
    region_protected[region] = true;
    paging_table_writable_unflushed(SPACE_BASE + region * REGION_PAGES * PAGE_BYTES, false);
  }
  paging_flush_all(); /* one flush for every region: this is the stop-the-world pause */
  stats.dirty = 0;
  stats.copies = 0;
  stats.region_faults = 0;
  stats.region_fault_cycles_max = 0;
  freeze_active = true;
  return frozen_count;
}

void pager_frozen_page(uint32_t i, struct pager_frozen *f) {
  if (i >= frozen_count) ph_panic("pager_frozen_page: %u of %u", i, frozen_count);
  uint32_t p = frozen_list[i];
  if (region_protected[p / REGION_PAGES] && (page_state[p] & PS_DIRTY)) convert_frozen(p, region_table(p / REGION_PAGES));
  uint32_t st = page_state[p];
  *f = (struct pager_frozen){p, 0, 0, 0};
  if (st & PS_COPIED) f->bytes = (const void *)copied_frame[p];
  else if (st & PS_FROZEN_OUT) f->block = frozen_out[p].block, f->crc = frozen_out[p].crc;
  else if (st & PS_RESIDENT) f->bytes = (const void *)(st & PS_FRAME_MASK);
  else if (st & PS_OUT) f->block = out[p].block, f->crc = out[p].crc;
  else ph_panic("pager_frozen_page: frozen page %u has no bytes (state %x)", p, st);
}

void pager_release_frozen(void) {
  bool lifted = false;
  for (uint32_t i = 0; i < frozen_count; i++) {
    uint32_t page = frozen_list[i];
    uint32_t region = page / REGION_PAGES;
    if (region_protected[region]) { /* never written since the freeze: lift its protection */
      region_protected[region] = false;
      paging_table_writable_unflushed(SPACE_BASE + region * REGION_PAGES * PAGE_BYTES, true);
      lifted = true;
    }
    if (page_state[page] & PS_DIRTY && !(page_state[page] & PS_FROZEN)) convert_frozen(page, region_table(region));
    uint32_t st = page_state[page];
    if (st & PS_COPIED) pmm_free(copied_frame[page]);
    /* The generation just committed has these frozen bytes: a block holding them is no longer needed. */
    if (st & PS_FROZEN_OUT) give_back(&frozen_out[page]);
    if ((st & PS_OUT) && !(st & PS_DIRTY)) {
      give_back(&out[page]);
      st &= ~PS_OUT; /* read from the store again, like an evicted clean page */
    }
    page_state[page] = st & ~(PS_FROZEN | PS_COPIED | PS_FROZEN_OUT);
  }
  if (lifted) paging_flush_all();
  frozen_count = 0;
  freeze_active = false;
}

static uint32_t mark_pages(uint8_t *bitmap, const uint32_t *pages, uint32_t count) {
  uint32_t set = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint8_t bit = (uint8_t)(1u << (pages[i] % 8));
    if (bitmap[pages[i] / 8] & bit) continue; /* a frozen page written again is on both lists */
    bitmap[pages[i] / 8] |= bit;
    set++;
  }
  return set;
}

uint32_t pager_mark_uncommitted(uint8_t *bitmap) {
  uint32_t set = mark_pages(bitmap, dirty_list, dirty_count);
  if (freeze_active) set += mark_pages(bitmap, frozen_list, frozen_count);
  return set;
}
