/*
 * space.c — brings up the object space at boot: finds the store disk named on the command
 * line, mounts the store (core/store.c) at the newest generation that verifies (or gen=N) and
 * whose object space is sound, hands the pager its page reader, and starts the VM on the space.
 * Nothing of the object space is compiled into the kernel: every byte comes from the store.
 *
 * The mount reads every non-zero page of the generation it picks and checks its CRC
 * (STORE_CHECK_PAGES_AT_MOUNT), so a damaged page makes the mount fall back to an older
 * generation instead of stopping the machine later, at the first touch of that page. The pages
 * it checks are kept (in frames the space could never need, see keep_budget) and given to the
 * pager at its first read of each, so booting reads every page from the disk once, in the
 * mount's multi-block requests, instead of again one page-fault read at a time when vm_try_start
 * validates the space. docs/persistence.md has what that costs and saves at boot.
 *
 * A rollback in place (the debug channel's ROLLBACK, rollback below) drops the live space and
 * mounts the store again lazily (STORE_CHECK_PAGES_ON_READ): records and maps are checked, the
 * frames of clean pages whose block is unchanged are mapped again (adopt_reusable), and every
 * other page is read and checked by the pager's fault when first touched, with the untouched
 * pages after it (one wait for the disk, wherever their blocks lie). A page that fails its CRC
 * then is handled by page_damaged: inside the contents check it rejects the generation (the
 * mount falls back, as from an eager check); once programs run, the kernel rolls back in place
 * to the newest generation before it whose every page verifies (space_recover_from_damage).
 * docs/persistence.md, "The mount rule".
 *
 * vm_try_start is the mount's contents check (store_check_contents): checksums only say the
 * blocks are as written, so a generation whose pages verify but whose space is not sound (a bad
 * object header, a dangling root) would otherwise stop every boot although its parent is
 * intact. The check runs over the pager; a rejected generation's pages are discarded and the
 * mount falls back as from a damaged page, with a console line saying why.
 */
#include "arch.h"
#include "cpu.h"
#include "debug_agent.h"
#include "gc.h"
#include "klib.h"
#include "platform.h"
#include "snapshot.h"
#include "spec.h"
#include "store.h"
#include "vm.h"

static struct store store;

static void *store_alloc(void *context, size_t bytes) {
  uint32_t frames = (uint32_t)((bytes + PAGE_BYTES - 1) / PAGE_BYTES);
  uint32_t addr = pmm_alloc_contiguous(frames);
  if (addr) memset((void *)addr, 0, frames * PAGE_BYTES);
  return (void *)addr;
}

/*
 * Pages of the mounted generation that the mount checked: kept_frames[page] is a frame holding
 * the page's bytes, 0 when not kept. The contents check hands them to the pager (pager_adopt)
 * before it touches the space; one the pager could not take stays here until its first read.
 * A kept page is never resident, and it cannot change on the store before the pager has it (a
 * page is written only after that), so a kept frame is always the page's bytes.
 */
static uint32_t *kept_frames;
static uint32_t kept_count, kept_budget;
static uint32_t kept_total; /* pages kept since the last forget: of the mounted generation, after a mount */

/*
 * How many frames kept pages may take: those beyond what the pager could ever want for the
 * space on its own, every page resident plus its tables (16 bytes a page), the space's page
 * tables (4 bytes a page) and a few MiB for the rest of the kernel. So keeping pages never makes
 * the pager evict or run out; a space too large for that keeps none and reads pages on demand.
 */
static uint32_t keep_budget(uint32_t space_pages) {
  uint32_t needed = space_pages + space_pages / 128 + 1024;
  uint32_t free = pmm_free_count();
  return free > needed ? free - needed : 0;
}

static void store_release(void *context, void *memory, size_t bytes) {
  for (size_t off = 0; off < bytes; off += PAGE_BYTES) pmm_free((uint32_t)memory + (uint32_t)off);
}

/*
 * A rollback in place: the frames of the clean pages of the space it dropped, with the block and
 * CRC each had in the generation the machine ran on. A page of the generation mounted next that
 * has the same block and CRC is those bytes (a block is never written while a generation uses
 * it), so the mount takes the frame (have_page) instead of reading and checking the block again.
 */
struct reusable {
  uint32_t frame, block, crc;
};
static struct reusable *reusable;
static uint32_t reused_total;

static bool have_page(void *context, uint32_t page, uint32_t block, uint32_t crc);

static bool have_kept_table(void) {
  if (!kept_frames) {
    kept_frames = store_alloc(0, store.space_pages * sizeof *kept_frames);
    if (!kept_frames) return false;
    kept_budget = keep_budget(store.space_pages);
  }
  return true;
}

static uint64_t keep_cycles; /* TSC cycles the last mount spent copying checked pages into kept frames */

/*
 * Pages the boot's mount checks between two flushes of the TLB. The CRC's tables are 512 KiB
 * (core/crc32c.c), looked up at random: under QEMU TCG they want some 130 entries of its software
 * TLB, which QEMU sizes anew only when the TLB is flushed whole, and which boot leaves at its
 * smallest (nothing flushes it for the whole mount). There every CRC lookup missed: 1667 pages
 * took 300 to 900 ms of CRCs at boot against 20 ms in a rollback's mount. A flush now and then
 * lets QEMU grow the TLB while the check runs (measured: 33 to 37 ms); on hardware it costs a
 * few refills.
 */
#define TLB_FLUSH_PAGES 64

static void keep_checked_page(void *context, uint32_t page, const void *bytes) {
  if (!have_kept_table()) return;
  if (kept_count >= kept_budget || page >= store.space_pages || kept_frames[page]) return;
  uint64_t started = ph_tsc();
  uint32_t frame = pmm_alloc();
  if (!frame) return;
  memcpy((void *)frame, bytes, PAGE_BYTES);
  keep_cycles += ph_tsc() - started;
  kept_frames[page] = frame;
  kept_count++;
  kept_total++;
  if (kept_total % TLB_FLUSH_PAGES == 0) paging_flush_all();
}

static void forget_checked_pages(void *context) {
  kept_total = 0;
  reused_total = 0;
  for (uint32_t page = 0; kept_frames && kept_count && page < store.space_pages; page++)
    if (kept_frames[page]) {
      pmm_free(kept_frames[page]);
      kept_frames[page] = 0;
      kept_count--;
    }
}

static int read_store_page(uint32_t page, void *frame) {
  if (kept_frames && kept_frames[page]) {
    memcpy(frame, (const void *)kept_frames[page], PAGE_BYTES);
    pmm_free(kept_frames[page]);
    kept_frames[page] = 0;
    kept_count--;
    return 0;
  }
  int r = store_read_page(&store, page, frame);
  if (r == STORE_ZERO_PAGE) return PAGER_ZERO_PAGE;
  return r < 0 ? r : 0;
}

/* A run never takes in a page the mount kept (its frame holds the checked bytes already). */
static uint32_t page_run(uint32_t page, uint32_t max) {
  uint32_t n = store_page_run(&store, page, max);
  for (uint32_t k = 0; kept_frames && kept_count && k < n; k++)
    if (kept_frames[page + k]) return k;
  return n;
}

static int read_store_run(uint32_t page, uint32_t count, void *va, uint32_t *bad) {
  int r = store_read_pages(&store, page, count, va, bad);
  return r < 0 ? r : 0;
}

/* Page-out: the pager's held blocks are the store's (store_stash_page and friends). */
static const char *stash_store_page(const void *frame, uint32_t *block, uint32_t *crc) {
  int r = store_stash_page(&store, frame, block, crc);
  return r == STORE_OK ? 0 : store_status_name(r);
}

static int read_stashed_page(uint32_t block, uint32_t crc, void *frame) {
  int r = store_read_stash(&store, block, crc, frame);
  if (r != STORE_OK) kprintf("store: block %u, written out by the pager, cannot be read back: %s\n", block, store_status_name(r));
  return r == STORE_OK ? 0 : PH_EIO;
}

static void release_stashed_page(uint32_t block) { store_release_stash(&store, block); }

/** The disk index of store=virtioN; false when the option names no disk we can drive. */
static bool store_disk_index(const char *name, unsigned *index) {
  if (strncmp(name, "virtio", 6) || name[6] < '0' || name[6] > '9' || name[7]) return false;
  *index = (unsigned)(name[6] - '0');
  return true;
}

/** TSC cycles the contents checks of the last mount took (vm_try_start over the pager). */
static uint64_t check_cycles;

/* ── a page found damaged when first read (docs/persistence.md, "The mount rule") ── */

/*
 * Where a fault that read a damaged page goes instead of back to its instruction: into the
 * contents check, which then rejects the generation (check_jump, while `checking`), or, once
 * programs run, to the kernel's main loop (space_catch_damage), which rolls back in place
 * (space_recover_from_damage). Unset, the pager stops the machine as before.
 */
static void *check_jump[5];
static bool checking;
static void **run_jump;
static bool recovering; /* space_recover_from_damage's own mount checks every page: a failure there is not caught */
static struct {
  uint32_t page, block, generation;
  int error;
} damaged;

static void page_damaged(uint32_t page, int error) {
  damaged.page = page;
  damaged.block = page < store.space_pages ? store.map[page].block : 0;
  damaged.generation = store_current_generation(&store);
  damaged.error = error;
  if (checking) __builtin_longjmp(check_jump, 1);
  if (run_jump && !recovering) __builtin_longjmp(run_jump, 1);
  kprintf("store: page %u of generation %u (block %u) cannot be used: %s\n", page, damaged.generation, damaged.block,
          store_status_name(error));
}

void space_catch_damage(void **jump) { run_jump = jump; }

/* The candidate's pages that the space dropped by a rollback in place still holds: mapped, not read (lazy mount). */
static void adopt_reusable(struct store *s) {
  for (uint32_t page = 0; reusable && page < s->space_pages; page++) {
    struct reusable *r = &reusable[page];
    if (r->frame && r->block == s->map[page].block && r->crc == s->map[page].crc && pager_adopt(page, r->frame)) {
      r->frame = 0;
      reused_total++;
    }
  }
}

/* ── earlier versions of pages, kept in memory for a rollback in place ── */

/*
 * The bytes of the pages the snapshot writer wrote lately, by block (store_watch_blocks): a
 * rollback in place to a recent generation takes the pages that changed since from here
 * (adopt_versions) instead of reading each from the disk and checking its CRC, which is most of
 * what a rollback costs under TCG (kernel-src/docs/bench-rollback.md). The commits' records and
 * map blocks are kept too (and at boot the mounted generation's), and the store's switch reads
 * them from here (version_copy). A copy is the block's bytes as the store wrote them until the
 * store takes the block for other bytes (forget_version), so a page whose map entry names the
 * block with the copy's CRC is the copy: as trusted as a clean page of the dropped space
 * (have_page), which the rollback already keeps.
 *
 * A ring in the order written: when it is full, or memory is short, the oldest copy gives its
 * frame to the newest. Copies take only frames the pager could not want (pager_may_want: every
 * page of the space resident, a copy of each frozen page, a fault's run and more), and the pager
 * takes the oldest copy's frame back before it would evict a page (reclaim_version). A machine
 * with no memory beyond its space's needs keeps none, and rolls back by reading as before.
 */
struct version {
  uint32_t block, crc, frame;
};
static struct version *versions;   /* the ring; a slot with frame 0 is empty */
static uint32_t version_capacity;  /* its slots; 0: no copies kept */
static uint32_t version_next;      /* the slot the next copy goes to: the oldest copies follow it */
static uint32_t *version_of_block; /* per block of the store: its slot + 1, 0 when no copy */
static uint32_t versions_held, versions_taken; /* copies in the ring; pages the last rollback took from it */

/* Frames the pager may still want beyond the free ones it is counting on: never given to a copy. */
static uint32_t pager_may_want(void) {
  struct pager_stats st;
  pager_get_stats(&st);
  return st.pages - st.resident + st.frozen + 2048;
}

/*
 * Sizes the ring by the memory the pager can never want at this mount (no frame is taken yet),
 * at most `most` copies (versions=N); no ring below 64.
 */
static void start_versions(uint32_t most) {
  uint32_t needed = store.space_pages + store.space_pages / 128 + 2048, free = pmm_free_count();
  uint32_t capacity = free > needed ? free - needed : 0;
  if (capacity > (1u << 20)) capacity = 1u << 20;
  if (capacity > most) capacity = most;
  if (capacity < 64) {
    if (capacity < most) kprintf("store: no earlier page versions kept: no memory beyond what the space may need\n");
    return;
  }
  versions = store_alloc(0, (size_t)capacity * sizeof *versions);
  version_of_block = versions ? store_alloc(0, (size_t)store.block_count * sizeof *version_of_block) : 0;
  if (!version_of_block) {
    if (versions) store_release(0, versions, (size_t)capacity * sizeof *versions);
    versions = 0;
    return;
  }
  version_capacity = capacity;
  kprintf("store: up to %u earlier page versions kept in memory (%u MiB) for rollbacks in place\n", capacity,
          capacity >> 8);
}

/* Empties slot i; returns its frame (the caller frees or reuses it). */
static uint32_t clear_version(uint32_t i) {
  struct version *v = &versions[i];
  uint32_t frame = v->frame;
  version_of_block[v->block] = 0;
  *v = (struct version){0, 0, 0};
  versions_held--;
  return frame;
}

/* The oldest copy's frame, its slot emptied; 0 when the ring holds none. */
static uint32_t take_oldest_version(void) {
  for (uint32_t n = 0; versions_held && n < version_capacity; n++) {
    uint32_t i = (version_next + n) % version_capacity;
    if (versions[i].frame) return clear_version(i);
  }
  return 0;
}

/* The store takes `block` for other bytes: a copy of it is no longer its bytes. */
static void forget_version(void *context, uint32_t block) {
  if (version_capacity && block < store.block_count && version_of_block[block])
    pmm_free_unfilled(clear_version(version_of_block[block] - 1)); /* a copy: bytes no one reads again */
}

/* The store wrote a page's bytes to `block`: the newest copy, in the oldest's slot or a free frame. */
static void keep_version(void *context, uint32_t block, uint32_t crc, const void *bytes) {
  if (!version_capacity || block >= store.block_count) return;
  forget_version(context, block);
  uint32_t frame = versions[version_next].frame ? clear_version(version_next) : 0;
  if (!frame && pmm_free_count() > pager_may_want()) frame = pmm_alloc();
  if (!frame) frame = take_oldest_version();
  if (!frame) return;
  memcpy((void *)frame, bytes, PAGE_BYTES);
  versions[version_next] = (struct version){block, crc, frame};
  version_of_block[block] = version_next + 1;
  versions_held++;
  version_next = (version_next + 1) % version_capacity;
}

/* The copy of `block` with CRC `crc`, or 0 (the store's switch reads records and map blocks from here). */
static const void *version_copy(void *context, uint32_t block, uint32_t crc) {
  if (!version_capacity || block >= store.block_count || !version_of_block[block]) return 0;
  const struct version *v = &versions[version_of_block[block] - 1];
  return v->crc == crc ? (const void *)v->frame : 0;
}

/* The pager is out of frames: the oldest copy gives its frame back. */
static bool reclaim_version(void) {
  uint32_t frame = take_oldest_version();
  if (frame) pmm_free(frame);
  return frame != 0;
}

/* The candidate's pages that a copy holds, not yet in memory: mapped from the copy's frame, not read (lazy mount). */
static void adopt_versions(struct store *s) {
  for (uint32_t page = 0; versions_held && page < s->space_pages; page++) {
    struct store_page_entry e = s->map[page];
    if (!version_copy(0, e.block, e.crc) || pager_page_present(page)) continue;
    uint32_t frame = clear_version(version_of_block[e.block] - 1);
    if (pager_adopt(page, frame)) versions_taken++;
    else pmm_free(frame);
  }
}

/* The store's contents check: the candidate generation's space, paged in on demand, checked and prepared by the VM. */
static const char *check_contents(void *context, struct store *s) {
  static const struct pager_backing backing = {read_store_page, stash_store_page, read_stashed_page, release_stashed_page,
                                               page_run,        read_store_run,   page_damaged,      reclaim_version};
  static char why_damaged[96];
  static uint32_t flags;
  static bool pager_started;
  if (!pager_started) {
    pager_init(s->space_size, &backing);
    pager_started = true;
  }
  static uint64_t started;
  started = ph_tsc();
  /* The kept pages go to the pager now, mapped as they are: no fault and no copy for each when the check touches it. */
  for (uint32_t page = 0; kept_frames && kept_count && page < s->space_pages; page++)
    if (kept_frames[page] && pager_adopt(page, kept_frames[page])) {
      kept_frames[page] = 0;
      kept_count--;
    }
  if (s->config.page_check == STORE_CHECK_PAGES_ON_READ) {
    adopt_reusable(s);
    adopt_versions(s);
  }
  const char *why;
  flags = irq_save();
  irq_restore(flags);
  if (__builtin_setjmp(check_jump)) {
    irq_restore(flags); /* left the page fault (interrupts off) for here */
    gc_forget();
    ksnprintf(why_damaged, sizeof why_damaged, "page %u fails its checksum or cannot be read (block %u: %s)", damaged.page,
              damaged.block, store_status_name(damaged.error));
    why = why_damaged;
  } else {
    checking = true; /* from here every touch of the space may read a page that fails */
    const uint32_t *header = (const uint32_t *)SPACE_BASE;
    kprintf("space: generation %u: magic %08x version %u size %u root %08x top %08x objects %u\n",
            store_current_generation(s), header[SH_MAGIC / 4], header[SH_VERSION / 4], header[SH_SIZE / 4],
            header[SH_ROOT / 4], header[SH_TOP / 4], header[SH_OBJECTS / 4]);
    why = vm_try_start(s->space_size);
  }
  checking = false;
  if (why) pager_discard();
  check_cycles += ph_tsc() - started;
  return why;
}

/* The console line with what the last mount's page reads cost (the rollback benchmark and the cold start one read it). */
static void report_page_costs(void) {
  uint64_t per_us = ph_tsc_per_us();
  kprintf("store: the mount's pages: %u read in %u requests and %u waits, waiting for the disk %u us, CRCs %u us, "
          "kept copies %u us; contents check %u us\n",
          store.mount_costs.pages_read, store.mount_costs.requests, store.mount_costs.waits,
          (uint32_t)(store.mount_costs.read_cycles / per_us), (uint32_t)(store.mount_costs.crc_cycles / per_us),
          (uint32_t)(keep_cycles / per_us), (uint32_t)(check_cycles / per_us));
}

uint32_t space_boot(const struct kernel_options *options) {
  unsigned disk;
  if (!store_disk_index(options->store, &disk)) {
    kprintf("store: unknown store device '%s' (expected virtio0 .. virtio9)\n", options->store);
    return 0;
  }
  if (!virtio_blk_init(disk)) return 0;
  struct store_config config = {{store_alloc, store_release, 0}, STORE_RETENTION_DEFAULTS, STORE_CHECK_PAGES_AT_MOUNT};
  uint64_t started = ph_tsc();
  int r = store_init(&store, &config);
  struct store_page_sink keep = {keep_checked_page, forget_checked_pages, 0, have_page};
  store_keep_checked_pages(&store, &keep);
  struct store_contents_check contents = {check_contents, 0};
  store_check_contents(&store, &contents);
  if (r == STORE_OK) r = store_mount(&store, options->gen == CMDLINE_NO_GEN ? NO_GENERATION : options->gen);
  if (r == STORE_ENOGEN) {
    kprintf("store: generation %u is not kept on the store; booting the newest instead\n", options->gen);
    r = store_mount(&store, NO_GENERATION);
  }
  if (r != STORE_OK) {
    kprintf("store: cannot mount the store on %s: %s\n", options->store, store_status_name(r));
    return 0;
  }
  kprintf("store: mounted generation %u of %u blocks, object space %u MiB, %u pages kept for the pager, in %llu ms\n",
          store_current_generation(&store), store.block_count, store.space_size >> 20, kept_total,
          (ph_tsc() - started) / ph_tsc_per_us() / 1000);
  report_page_costs();
  start_versions(options->versions);
  struct store_block_watch watch = {keep_version, forget_version, version_copy, 0};
  store_watch_blocks(&store, &watch);
  store_offer_current_metadata(&store); /* the map blocks no commit of this boot will write, for the switches */
  return store.space_size;
}

struct store *space_store(void) { return store.mounted ? &store : 0; }

uint32_t space_generation(void) { return store.mounted ? store_current_generation(&store) : 0; }

static uint32_t generation_count(void) { return store_generation_count(&store); }

static int generation_at(uint32_t i, struct generation *out) {
  if (i >= store_generation_count(&store)) return DE_NOT_FOUND;
  const struct store_generation *g = store_generation_at(&store, i);
  *out = (struct generation){g->number,        g->parent,   g->wall_seconds, g->uptime_ms,
                                   g->pause_us,      g->pages_cow, g->pages_written, g->bytes_written,
                                   g->write_us,      g->commit_us};
  return 0;
}

/* ── rollback in place ── */

static bool have_page(void *context, uint32_t page, uint32_t block, uint32_t crc) {
  if (!reusable || page >= store.space_pages || !have_kept_table()) return false;
  if (kept_frames[page]) return true; /* taken already (the store asks again at a run's end) */
  struct reusable *r = &reusable[page];
  if (!r->frame || r->block != block || r->crc != crc) return false;
  kept_frames[page] = r->frame;
  r->frame = 0;
  kept_count++;
  kept_total++;
  reused_total++;
  return true;
}

static void keep_clean_frame(uint32_t page, uint32_t frame) {
  struct store_page_entry e = page < store.space_pages ? store.map[page] : (struct store_page_entry){0, 0};
  if (!e.block) {
    pmm_free(frame);
    return;
  }
  reusable[page] = (struct reusable){frame, e.block, e.crc};
}

static void free_reusable(void) {
  for (uint32_t page = 0; reusable && page < store.space_pages; page++)
    if (reusable[page].frame) {
      pmm_free(reusable[page].frame);
      reusable[page].frame = 0;
    }
}

/*
 * ROLLBACK, at a safe point (the threads are between turns, their frames written back): drop
 * the live space (and a generation being written, which a restart would lose as well), mount the
 * generation lazily by the mount rule (records and page maps checked, pages read and checked as
 * they are touched, the VM's contents check, falling back to the parent from a damaged one) with
 * vm_try_start rebuilding the VM's state from it, and let the scheduler go on. The store switches
 * generation in place (store_switch: the target's record and maps read and checked again, the
 * other generations' tables and reference counts kept, as the store has kept them current), so
 * the next commit's parent is the generation mounted, as after a boot with gen=N.
 */
static int rollback(uint32_t number, struct rollback_reply *reply, const char **why) {
  static char message[96];
  uint64_t started = ph_tsc();
  uint32_t i = 0, n = store_generation_count(&store);
  while (i < n && store_generation_at(&store, i)->number != number) i++;
  if (i == n || number == NO_GENERATION) {
    ksnprintf(message, sizeof message, "generation %u is not kept on the store", number);
    *why = message;
    return DE_NOT_FOUND;
  }
  if (store_generation_at(&store, i)->damage != STORE_DAMAGE_NONE) {
    ksnprintf(message, sizeof message, "generation %u is damaged: %s", number,
              store_damage_text(store_generation_at(&store, i)->damage));
    *why = message;
    return DE_NOT_FOUND;
  }
  uint32_t previous = store_current_generation(&store);
  if (!reusable) reusable = store_alloc(0, store.space_pages * sizeof *reusable);
  reply->abandoned = snapshot_cycle_drop();
  /* Pages written for a generation in progress changed the map: its clean pages are not the current generation's. */
  /* A clean page is not frozen, so the pages a generation in progress wrote (into the map) are none of them. */
  pager_drop_space(reusable ? keep_clean_frame : 0);
  uint64_t dropped = ph_tsc();
  check_cycles = keep_cycles = 0;
  versions_taken = 0;
  store_set_page_check(&store, STORE_CHECK_PAGES_ON_READ); /* lazily: pages come in as they are touched */
  int r = store_switch(&store, number);
  store_set_page_check(&store, STORE_CHECK_PAGES_AT_MOUNT);
  free_reusable();
  if (r != STORE_OK) {
    kprintf("store: cannot mount generation %u of the store: %s\n", number, store_status_name(r));
    kprintf("rollback: the live space is gone and no generation mounts; stopping the machine\nhalted\n");
    machine_halt(HALT_NO_SPACE);
  }
  uint32_t mounted = store_current_generation(&store);
  *reply = (struct rollback_reply){mounted,
                                   previous,
                                   reply->abandoned,
                                   reused_total + versions_taken,
                                   store.mount_costs.pages_read,
                                   (uint32_t)((ph_tsc() - started) / ph_tsc_per_us())};
  uint64_t per_us = ph_tsc_per_us();
  kprintf("store: rolled back in place from generation %u to generation %u: %u pages kept from memory (%u of them "
          "earlier versions), %u read, in %u us (space dropped in %u us, mount %u us, contents check %u us)\n",
          previous, mounted, reply->pages_kept, versions_taken, reply->pages_read, reply->micros,
          (uint32_t)((dropped - started) / per_us), (uint32_t)((ph_tsc() - dropped - check_cycles) / per_us),
          (uint32_t)(check_cycles / per_us));
  report_page_costs();
  return 0;
}

/*
 * A page failed its CRC (or could not be read) when a program, the debug channel or the VM first
 * touched it, after a lazy mount: the fault cannot go back to its instruction, and the bytes are
 * not the generation's. So the kernel rolls back in place, loudly, to the newest generation
 * before the damage whose every page verifies: it drops the space and mounts the current
 * generation again with every page checked, which rejects it (it maps the damaged block) and
 * falls back through its parents exactly as a boot does. Generations committed since the lazy
 * mount map the block too (a page never read keeps its block), so they are passed over as well;
 * what the programs did since the generation mounted is lost, as after a power cut.
 */
void space_recover_from_damage(void) {
  cpu_sti();
  gc_forget();
  uint32_t current = store_current_generation(&store);
  kprintf("store: page %u of generation %u fails its checksum or cannot be read (block %u: %s), found when first touched\n",
          damaged.page, damaged.generation, damaged.block, store_status_name(damaged.error));
  kprintf("store: rolling back in place to the newest generation before it whose every page verifies; "
          "the work since then is lost\n");
  uint32_t abandoned = snapshot_cycle_drop();
  pager_drop_space(0);
  check_cycles = keep_cycles = 0;
  recovering = true;
  store_set_page_check(&store, STORE_CHECK_PAGES_AT_MOUNT);
  int r = store_mount(&store, current);
  recovering = false;
  if (r != STORE_OK) {
    kprintf("store: cannot mount a generation of the store: %s\n", store_status_name(r));
    kprintf("rollback: the live space is gone and no generation mounts; stopping the machine\nhalted\n");
    machine_halt(HALT_NO_SPACE);
  }
  kprintf("store: rolled back in place from generation %u to generation %u after a damaged page (%u frozen pages abandoned)\n",
          current, store_current_generation(&store), abandoned);
}

/*
 * Pages staged for BRANCH (STAGE_PAGE): staged_frames[page] is a frame holding the page's bytes,
 * 0 when the page is not staged. Frames come from the allocator one by one and go back after
 * every BRANCH (and when a new first page drops them); the space itself is not touched.
 */
static uint32_t *staged_frames;
static uint32_t staged_count;

static void drop_staged(void) {
  for (uint32_t page = 0; staged_frames && page < store.space_pages; page++)
    if (staged_frames[page]) {
      pmm_free(staged_frames[page]);
      staged_frames[page] = 0;
    }
  staged_count = 0;
}

static int stage_page(uint32_t first, uint32_t page, const uint8_t *bytes, uint32_t *staged, const char **why) {
  if (page >= store.space_pages) {
    *why = "STAGE_PAGE: page outside the space";
    return DE_NOT_FOUND;
  }
  if (!staged_frames) staged_frames = store_alloc(0, store.space_pages * sizeof *staged_frames);
  if (!staged_frames) {
    *why = "STAGE_PAGE: no memory for the table of staged pages";
    return DE_FAILED;
  }
  if (first) drop_staged();
  if (!staged_frames[page]) {
    uint32_t frame = pmm_alloc();
    if (!frame) {
      drop_staged();
      *why = "STAGE_PAGE: no memory left for staged pages; every staged page was dropped";
      return DE_FAILED;
    }
    staged_frames[page] = frame;
    staged_count++;
  }
  memcpy((void *)staged_frames[page], bytes, PAGE_BYTES);
  *staged = staged_count;
  return 0;
}

/*
 * BRANCH, at a safe point: a disk without room for it refused first, then the rollback in place to `parent` (so the store's next commit names it
 * as parent), then the staged pages written over the live space through the pager like any write,
 * then vm_try_start on the result (the boot's check, which also rebuilds the VM's C state from
 * it), then a snapshot at once. A space the check refuses is not committed: the machine rolls back
 * to the generation it ran on before, which still verifies (it mounted a moment ago).
 */
static int branch(uint32_t parent, struct branch_reply *reply, const char **why) {
  static char message[128];
  uint64_t started = ph_tsc();
  uint32_t previous = store_current_generation(&store);
  uint32_t pages = staged_count;
  /*
   * Room first, before anything changes: the staged pages, a map block per range they touch, the
   * record and the index. The snapshot would otherwise drop old generations to make room, which
   * a periodic snapshot may do but a branch made by hand must not (docs/store.md).
   */
  uint32_t ranges = 0, last_range = ~0u;
  for (uint32_t page = 0; staged_frames && page < store.space_pages; page++)
    if (staged_frames[page] && page / PME_PER_BLOCK != last_range) {
      ranges++;
      last_range = page / PME_PER_BLOCK;
    }
  uint32_t needed = pages + ranges + 3;
  if (store_free_blocks(&store) < needed) {
    ksnprintf(message, sizeof message, "the disk is full: the branch needs %u free blocks, the store has %u; nothing changed",
              needed, store_free_blocks(&store));
    *why = message;
    drop_staged();
    return DE_FAILED;
  }
  struct rollback_reply rolled = {0};
  int r = rollback(parent, &rolled, why);
  if (r) {
    drop_staged();
    return r;
  }
  for (uint32_t page = 0; staged_frames && page < store.space_pages; page++)
    if (staged_frames[page])
      memcpy((void *)(uintptr_t)(SPACE_BASE + page * PAGE_BYTES), (const void *)staged_frames[page], PAGE_BYTES);
  drop_staged();
  const char *refused = vm_try_start(store.space_size);
  if (refused) {
    ksnprintf(message, sizeof message, "the space is not one the kernel would run: %s", refused);
    *why = message;
    const char *ignored;
    rollback(previous, &rolled, &ignored);
    return DE_FAILED;
  }
  uint32_t generation = 0;
  if (snapshot_now(&generation) != STORE_OK) {
    *why = "the new generation could not be committed (the store said why on the console)";
    const char *ignored;
    rollback(previous, &rolled, &ignored);
    return DE_FAILED;
  }
  *reply = (struct branch_reply){generation, previous, pages, (uint32_t)((ph_tsc() - started) / ph_tsc_per_us())};
  kprintf("store: continued from a space in place: generation %u (parent %u), %u pages put over it, in %u us\n",
          generation, parent, pages, reply->micros);
  return 0;
}

void space_debug_hooks(struct debug_hooks *hooks) {
  if (!store.mounted) return;
  hooks->generation_count = generation_count;
  hooks->generation_at = generation_at;
  hooks->rollback = rollback;
  hooks->stage_page = stage_page;
  hooks->branch = branch;
}
