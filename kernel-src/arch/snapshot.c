/*
 * snapshot.c — the kernel's side of continuous snapshots: the snapshot cycle (core/snapshot_cycle.c,
 * freeze, write, commit) started on the mounted store with the pager as its machine, and the
 * debug channel's snapshot hooks.
 *
 * The machine the cycle gets: the pager's freeze with interrupts held (a timer tick handled
 * inside would count as pause, measured with the TSC), its preparation while the machine idles
 * (pager_prepare_freeze, timed the same way), its frozen pages and their release, its
 * copy-on-write counts, machine_halt(HALT_NO_PERSISTENCE) to stop, and the debug agent's
 * GENERATION event for every commit.
 * The debug channel's hooks: STATS's snapshot count, SNAPSHOT_NOW, pages of past generations, and
 * the pages that differ from the committed generation (DIRTY_PAGES).
 *
 * Not here: when to freeze, the write budget, commit and refusals (core/snapshot_cycle.c), what
 * is dirty and the copy on write (pager.c), the disk format (core/store.c), choosing the
 * generation to boot (space.c with store_mount).
 */
#include "snapshot.h"

#include "arch.h"
#include "cpu.h"
#include "debug_agent.h"
#include "klib.h"
#include "platform.h"
#include "vm.h"

static struct store *store;
static uint64_t tsc_per_us;

/* ── the pager as the cycle's machine ── */

static uint32_t freeze_pages(uint32_t *pause_us) {
  vm_clock_at_freeze(); /* the generation's machine time is its freeze's: a write to a page it holds anyway */
  uint32_t flags = irq_save(); /* a timer tick handled inside would count as pause */
  uint64_t start = ph_tsc();
  uint32_t frozen = pager_freeze();
  *pause_us = (uint32_t)((ph_tsc() - start) / tsc_per_us);
  irq_restore(flags);
  return frozen;
}

/* Interrupts stay on: no thread waits, and what a tick adds only lengthens the idle. */
static uint32_t prepare_freeze(void) {
  uint64_t start = ph_tsc();
  pager_prepare_freeze();
  return (uint32_t)((ph_tsc() - start) / tsc_per_us);
}

static void frozen_page(uint32_t i, struct snapshot_frozen_page *out) {
  struct pager_frozen f;
  pager_frozen_page(i, &f);
  *out = (struct snapshot_frozen_page){f.page, f.bytes, f.block, f.crc};
}

static void pager_stats(struct snapshot_pager_stats *out) {
  struct pager_stats s;
  pager_get_stats(&s);
  *out = (struct snapshot_pager_stats){s.copies, s.region_faults, (uint32_t)(s.region_fault_cycles_max / tsc_per_us)};
}

static void halt(void) { machine_halt(HALT_NO_PERSISTENCE); }

static void committed(const struct store_generation *g) {
  struct generation d = {g->number,   g->parent,    g->wall_seconds,  g->uptime_ms,     g->pause_us,
                         g->pages_cow, g->pages_written, g->bytes_written, g->write_us, g->commit_us};
  debug_agent_notify_generation(&d);
}

void snapshot_init(struct store *mounted, const struct kernel_options *options) {
  static const struct snapshot_machine pager = {freeze_pages, prepare_freeze, frozen_page, pager_release_frozen,
                                                pager_stats,  halt,           committed};
  store = mounted;
  tsc_per_us = ph_tsc_per_us() ? ph_tsc_per_us() : 1;
  snapshot_cycle_start(mounted, options->snap_ms, cmdline_debug(options, "snapshots"), &pager);
}

/* ── the debug channel's hooks ── */

static void (*machine_stats)(struct debug_machine_stats *out);

static void stats_with_snapshots(struct debug_machine_stats *out) {
  machine_stats(out);
  out->snapshots = snapshot_totals().committed;
}

static int snapshot_now_hook(uint32_t *generation) { return snapshot_now(generation) == STORE_OK ? 0 : DE_FAILED; }

/*
 * Pages of past generations, for the debug channel: the store reads and checks them
 * (store_read_page_at), caching the last record and map block in this reader because the
 * inspector reads many objects of one generation in a row. A generation that retention dropped
 * meanwhile is not found, or fails a CRC (its blocks may be reused): never wrong bytes.
 */
static struct store_page_reader past_reader;

static int read_page_at(uint32_t number, uint32_t page, uint8_t *buf) {
  int r = store_read_page_at(store, &past_reader, number, page, buf);
  if (r == STORE_ZERO_PAGE) memset(buf, 0, BLOCK_SIZE);
  if (r == STORE_OK || r == STORE_ZERO_PAGE) return 0;
  return r == STORE_ENOGEN || r == STORE_ERANGE ? DE_NOT_FOUND : DE_FAILED;
}

/* Runs at a safe point, like the freeze: the lists it reads cannot change meanwhile. */
static uint32_t uncommitted_pages(uint8_t *bitmap, uint32_t *generation) {
  *generation = store_current_generation(store);
  return pager_mark_uncommitted(bitmap);
}

void snapshot_debug_hooks(struct debug_hooks *hooks) {
  if (!store) return;
  if (hooks->stats) {
    machine_stats = hooks->stats;
    hooks->stats = stats_with_snapshots;
  }
  hooks->snapshot_now = snapshot_now_hook;
  hooks->read_page_at = read_page_at;
  hooks->uncommitted_pages = uncommitted_pages;
}
