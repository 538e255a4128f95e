/*
 * snapshot_cycle.c — the cycle that takes continuous copy-on-write snapshots of the object space
 * into the store.
 *
 * A generation goes through three steps, each at a safe point of the VM (between two turns,
 * every frame written back, so the space is the whole machine):
 *   freeze  when the interval is due: the machine's freeze write-protects the pages dirtied
 *           since the last freeze and hands them over. This is the only time the world waits for
 *           a snapshot; the machine measures it (pause_us). When the machine idles shortly
 *           before (every thread asleep, the freeze due at most SNAPSHOT_PREPARE_AHEAD_MS after
 *           the idle's end), the machine prepares the freeze (snapshot_before_idle; again at the
 *           last idle before it when threads ran in between): the costs it has only the first
 *           time after a long run (under TCG, QEMU's resizing and clearing of its software TLB)
 *           then fall in idle time, and the freeze's stop is short.
 *   write   at every following safe point, frozen pages are written to the store for at most
 *           SNAPSHOT_WRITE_BUDGET_US (at least one page), then the threads run on. A thread
 *           writing a frozen page gets a copy first (the pager), so the store receives the bytes
 *           as they were at the freeze. A frozen page the pager took out of memory is in a block
 *           it holds: the generation adopts that block instead (store_adopt_page).
 *   commit  once every frozen page is written: store_commit_start with the measured stats
 *           starts the commit's writes, and later safe points move it on (store_commit_poll)
 *           while the threads run, so they do not wait for the disk's flushes. Once the
 *           superblock is flushed the generation is committed and the frozen list is released.
 *           When the next freeze is due first, the commit goes on in the background: every
 *           frozen page is in the store's hands by then (copied into its runs, or a held block
 *           adopted), so the freeze is released and the next one taken, and the next
 *           generation's pages are written while the disk finishes the commit. Its own commit
 *           waits for that one (superblocks go to the disk in order), so at most one commit is
 *           in the background. When the freeze after that is due while the disk is still busy,
 *           a generation written whole is queued behind it the same way (its freeze released,
 *           its commit started as soon as the one in the background ends), and only a third
 *           freeze falling due before then waits for the disk. Freezes are due on a steady
 *           cadence, one interval apart.
 * If the store refuses the generation (an I/O error), the frozen pages stay frozen and the whole
 * generation is written again at the next interval: the pages it holds are no longer dirty in
 * the pager, so dropping them would lose them from every later generation. A commit in the
 * background that fails has released its freeze already: nothing can write it again, so the
 * machine stops as below. A store that cannot
 * take another generation at all (no generation number left, a disk full with nothing left to
 * drop, a superblock write that failed) stops the machine with a console line: running on would
 * look like a working machine whose every change is lost at the next power cut. The same check
 * runs at start, before any thread does.
 *
 * Not here: what is dirty and the copy on write (arch/pager.c, reached through struct
 * snapshot_machine), the disk format (store.c), choosing the generation to boot (arch/space.c
 * with store_mount), the options and the debug channel's hooks (arch/snapshot.c).
 */
#include "snapshot_cycle.h"

#include "klib.h"
#include "objspace.h"
#include "platform.h"
#include "vm.h"

enum phase { IDLE, WRITING, COMMITTING };

static const struct snapshot_machine *machine;
static struct store *store;
static uint32_t interval_ms;
static bool verbose;

static enum phase phase = IDLE;
static uint64_t next_due_ms;
static uint32_t frozen_pages, written_pages;
static uint64_t tsc_per_us;
static struct store_snapshot_stats pending;
static struct snapshot_totals totals;
static bool holding_freeze;   /* a freeze whose generation is not committed yet */
static bool generation_begun; /* store_begin_generation succeeded for the frozen pages */
static struct snapshot_pager_stats pager_at_commit; /* the pager's counts when the commit started */
static bool background; /* the previous generation's commit is in flight, its freeze released */
static bool queued;     /* a generation written whole, its freeze released, its commit waiting for that one */
static struct store_snapshot_stats queued_stats;
static struct snapshot_pager_stats queued_pager;
static uint32_t prepared_us; /* time the machine spent preparing the next freeze while idle (0: it did not) */
static uint64_t prepared_for_ms; /* the due time (next_due_ms) of the freeze last prepared */
static uint64_t prepared_after;  /* vm_instructions() when it was prepared */

static uint32_t us_since(uint64_t tsc_start) { return (uint32_t)((ph_tsc() - tsc_start) / tsc_per_us); }

/** Why the store can never take this generation or a later one, or 0 when it may yet. */
static const char *lasting_refusal(int status) {
  if (status == STORE_ENONUMBER) return "no generation number is left";
  if (status == STORE_ENOSPACE) return "the disk is full and no other generation is left to drop";
  if (status == STORE_EIO && store_check_commit(store) == STORE_EIO)
    return "a superblock write failed, or a commit's while the next generation was being written";
  return 0;
}

__attribute__((noreturn)) static void stop_without_persistence(const char *why, int status) {
  kprintf("snapshot: the store cannot take another generation: %s (%s)\n", why, store_status_name(status));
  kprintf("snapshot: stopping the machine rather than run without persistence\nhalted\n");
  machine->halt();
  ph_panic("snapshot: the machine did not stop");
}

void snapshot_cycle_start(struct store *mounted, uint32_t interval, bool verbose_lines,
                          const struct snapshot_machine *m) {
  machine = m;
  store = mounted;
  interval_ms = interval;
  verbose = verbose_lines;
  phase = IDLE;
  frozen_pages = written_pages = 0;
  pending = (struct store_snapshot_stats){0};
  totals = (struct snapshot_totals){0};
  holding_freeze = generation_begun = background = queued = false;
  prepared_us = 0;
  prepared_for_ms = UINT64_MAX;
  tsc_per_us = ph_tsc_per_us() ? ph_tsc_per_us() : 1;
  next_due_ms = ph_uptime_ms() + interval_ms;
  if (!interval_ms) kprintf("snapshot: continuous snapshots off (snap=0)\n");
  int status = store && interval_ms ? store_check_commit(store) : STORE_OK;
  const char *why = status == STORE_OK ? 0 : lasting_refusal(status);
  if (why) stop_without_persistence(why, status);
}

uint64_t snapshot_next_step_ms(void) {
  if (!store) return UINT64_MAX;
  if (phase != IDLE || background || queued) return 0;
  return interval_ms ? next_due_ms : UINT64_MAX;
}

struct snapshot_totals snapshot_totals(void) { return totals; }

void snapshot_before_idle(uint64_t until_ms) {
  /* While a generation is being written, the next freeze is not the cycle's next step. */
  if (!store || !interval_ms || phase == WRITING || until_ms + SNAPSHOT_PREPARE_AHEAD_MS < next_due_ms) return;
  /* Once, at the first idle that may be the last before the freeze, and once more at the idle
   * that is (the freeze falls due by its end) when threads ran since: what they used may grow
   * QEMU's table again, which it does by one doubling a flush. Not at every idle: each flush is
   * one more QEMU sizes its table by, and a run of nearly empty ones shrinks it. */
  bool first = prepared_for_ms != next_due_ms;
  bool again = next_due_ms <= until_ms && vm_instructions() != prepared_after;
  if (!first && !again) return;
  prepared_for_ms = next_due_ms;
  prepared_after = vm_instructions();
  uint32_t us = machine->prepare_freeze();
  prepared_us += us ? us : 1; /* "prepared" even when it took under a microsecond */
}

/** The stop-the-world step: freeze the dirty pages (or, after a refused commit, keep the old freeze). */
static void freeze(void) {
  struct vm_stats vm;
  vm_get_stats(&vm);
  if (!holding_freeze) {
    frozen_pages = machine->freeze(&pending.pause_us);
    pending.uptime_ms = (uint64_t)(uint32_t)vm.machine_ms;
    pending.write_us = 0;
    holding_freeze = true;
    if (frozen_pages) space_new_epoch();
    /* The line names the generation the pages become: the commits before it (one in the
     * background, one queued) come first, and each failure of theirs stops the machine. With
     * commits on their way, its commit line comes after later freezes' lines, so a reader of the
     * log (what the machine printed after a generation) finds its freeze by number. */
    uint32_t number = store_newest_number(store) + 1 + background + queued;
    if (verbose && frozen_pages && prepared_us)
      kprintf("snapshot: froze %u pages of generation %u in %u us, prepared in %u us while idle\n", frozen_pages,
              number, pending.pause_us, prepared_us);
    else if (verbose && frozen_pages)
      kprintf("snapshot: froze %u pages of generation %u in %u us\n", frozen_pages, number, pending.pause_us);
  }
  prepared_us = 0;
  written_pages = 0;
  generation_begun = false;
  phase = WRITING;
}

static void fail(int status) {
  const char *why = lasting_refusal(status);
  if (why) stop_without_persistence(why, status);
  totals.failed++;
  phase = IDLE;
  generation_begun = false;
  kprintf("snapshot: the store refused the generation (%s); it is written again at the next interval\n",
          store_status_name(status));
}

static void announce(void) {
  const struct store_generation *g = store_generation_at(store, store_current_index(store));
  if (verbose)
    kprintf("snapshot: generation %u (parent %u): pause %u us, %u pages written, %u copied on write, "
            "write %u us, commit %u us, %u bytes\n",
            g->number, g->parent, g->pause_us, g->pages_written, g->pages_cow, g->write_us, g->commit_us,
            g->bytes_written);
  machine->committed(g);
}

static bool freeze_due(void) { return interval_ms && ph_uptime_ms() >= next_due_ms; }

/** A generation's commit came back STORE_OK: it is committed. */
static void committed(void) {
  struct snapshot_pager_stats pager = pager_at_commit;
  if (verbose && pager.region_faults)
    kprintf("snapshot: %u frozen regions unprotected by a write, the longest in %u us\n", pager.region_faults,
            pager.region_fault_us_max);
  totals.committed++;
  announce();
}

/** A generation whose freeze was released failed: nothing can write it again. */
__attribute__((noreturn)) static void stop_released(int status) {
  const char *why = lasting_refusal(status);
  stop_without_persistence(why ? why : "a commit failed after its freeze was released for the next one", status);
}

/**
 * Moves the commit in the background on (with `wait`, to its end): STORE_IN_FLIGHT while it is
 * on its way, else STORE_OK once it is committed. Its failure stops the machine: its freeze is
 * released, so its pages cannot be written again.
 */
static int poll_background(bool wait) {
  if (!background) return STORE_OK;
  int r = store_commit_poll(store, wait);
  if (r == STORE_IN_FLIGHT) return r;
  background = false;
  if (r != STORE_OK) stop_released(r);
  committed();
  return STORE_OK;
}

/** The queued generation's commit starts, the one in the background having ended, and takes its place. */
static void start_queued(void) {
  queued = false;
  pager_at_commit = queued_pager;
  queued_stats.wall_seconds = ph_wall_seconds();
  int r = store_commit_start(store, &queued_stats);
  if (r != STORE_OK) stop_released(r);
  background = true;
}

/**
 * Moves the commits whose freezes are released on (with `wait`, until the store has no pending
 * generation left): STORE_IN_FLIGHT while a queued one still waits for the one in the background.
 */
static int advance_released(bool wait) {
  if (poll_background(wait) == STORE_IN_FLIGHT) return STORE_IN_FLIGHT;
  if (queued) start_queued();
  return STORE_OK;
}

/** Every frozen page is in the store's hands: the freeze is released before the generation is committed. */
static void release_written(void) {
  machine->release_frozen();
  holding_freeze = false;
  frozen_pages = written_pages = 0;
  generation_begun = false;
  phase = IDLE;
}

/** The next freeze is due while a generation written whole waits for the commit in the background: it is queued. */
static void queue_written(void) {
  machine->pager_stats(&queued_pager);
  queued_stats = pending;
  queued_stats.pages_cow = queued_pager.copies;
  release_written();
  queued = true;
}

/** The next freeze is due while the commit is in flight: it goes on in the background (see the top). */
static void commit_in_background(void) {
  release_written();
  background = true;
}

/** Writes frozen pages until the budget is spent (0: no budget), then commits when all are written. */
static int write_and_commit(uint32_t budget_us) {
  if (!generation_begun) {
    /* The store takes one generation at a time: a queued one's commit must start first. */
    if (queued && advance_released(budget_us == 0 || freeze_due()) == STORE_IN_FLIGHT) return STORE_OK;
    int r = store_begin_generation(store);
    if (r != STORE_OK) return r;
    generation_begun = true;
  }
  uint64_t start = ph_tsc();
  while (written_pages < frozen_pages) {
    struct snapshot_frozen_page f;
    machine->frozen_page(written_pages, &f);
    /* A page the pager took out of memory is already on the store: its block joins the generation. */
    int r = f.bytes ? store_write_page(store, f.page, f.bytes) : store_adopt_page(store, f.page, f.block, f.crc);
    if (r != STORE_OK) return r;
    written_pages++;
    if (budget_us && us_since(start) >= budget_us) break;
    /* The next page would wait for the disk to take the run before: let the programs run meanwhile. */
    if (budget_us && store_write_would_wait(store) && !freeze_due()) break;
  }
  pending.write_us += us_since(start);
  if (written_pages < frozen_pages) return STORE_OK;

  if (phase == WRITING) {
    if (budget_us && background && freeze_due()) { /* rather than wait for it: see the top */
      queue_written();
      return STORE_OK;
    }
    /* The commit before goes first, then the last run: the programs run while the disk is busy. */
    bool now = budget_us == 0 || freeze_due();
    if (poll_background(now) == STORE_IN_FLIGHT) return STORE_OK;
    if (!now && store_commit_would_wait(store)) return STORE_OK;
    machine->pager_stats(&pager_at_commit);
    pending.pages_cow = pager_at_commit.copies;
    pending.wall_seconds = ph_wall_seconds();
    int r = store_commit_start(store, &pending);
    if (r != STORE_OK) return r;
    phase = COMMITTING;
  }
  /* The programs run on while the disk writes and flushes the commit, until the next freeze is
   * due: then it goes on in the background (snapshot_step). 0: wait at once, for snapshot_now. */
  int r = store_commit_poll(store, budget_us == 0);
  if (r == STORE_IN_FLIGHT) return STORE_OK;
  if (r != STORE_OK) return r;
  machine->release_frozen();
  holding_freeze = false;
  frozen_pages = 0;
  phase = IDLE;
  generation_begun = false;
  committed();
  return STORE_OK;
}

void snapshot_step(void) {
  if (!store) return;
  advance_released(false);
  if (phase == COMMITTING && freeze_due()) {
    advance_released(true); /* nothing is: this commit started after they ended */
    commit_in_background();
  }
  if (phase == IDLE) {
    uint64_t now = ph_uptime_ms();
    if (!interval_ms || now < next_due_ms) return;
    /* A steady cadence: the next freeze is due one interval after this one was due, so the
     * few milliseconds a freeze waits for its safe point do not add up from one generation to
     * the next. A cycle that fell a whole interval behind (a long write) starts afresh from now
     * rather than freezing back to back to catch up. */
    next_due_ms += interval_ms;
    if (next_due_ms <= now) next_due_ms = now + interval_ms;
    freeze();
    if (!frozen_pages) { /* nothing changed since the last generation: no new one */
      machine->release_frozen();
      holding_freeze = false;
      phase = IDLE;
      return;
    }
  }
  int r = write_and_commit(SNAPSHOT_WRITE_BUDGET_US);
  if (r != STORE_OK) fail(r);
}

int snapshot_now(uint32_t *generation) {
  if (!store) return STORE_ESTATE;
  while (background || queued) advance_released(true);
  for (int round = phase != IDLE ? 0 : 1; round < 2; round++) {
    if (round == 1) freeze();
    int r = write_and_commit(0);
    if (r != STORE_OK) {
      fail(r);
      return r;
    }
  }
  if (interval_ms) next_due_ms = ph_uptime_ms() + interval_ms;
  *generation = store_current_generation(store);
  return STORE_OK;
}

uint32_t snapshot_cycle_drop(void) {
  if (background) { /* its writes are on their way: finish it (a failure loses nothing the rollback keeps) */
    background = false;
    if (store_commit_poll(store, true) == STORE_OK) committed();
  }
  if (queued) { /* written whole: commit it too */
    queued = false;
    pager_at_commit = queued_pager;
    queued_stats.wall_seconds = ph_wall_seconds();
    if (store_commit_start(store, &queued_stats) == STORE_OK && store_commit_poll(store, true) == STORE_OK) committed();
  }
  if (phase == COMMITTING && write_and_commit(0) != STORE_OK) /* its writes are on their way: finish it */
    phase = IDLE;
  uint32_t dropped = holding_freeze ? frozen_pages : 0;
  phase = IDLE;
  frozen_pages = written_pages = 0;
  pending = (struct store_snapshot_stats){0};
  holding_freeze = generation_begun = false;
  prepared_us = 0;
  next_due_ms = ph_uptime_ms() + interval_ms;
  return dropped;
}
