/*
 * snapshot_cycle.h — the freeze/write/commit cycle of continuous snapshots (snapshot_cycle.c):
 * when a generation is due, how much of it is written at one safe point, when it is committed,
 * what a refused commit keeps, and when the machine must stop rather than run without
 * persistence. Portable: what it asks of the machine (freezing the dirty pages, reading frozen
 * ones, stopping) goes through struct snapshot_machine, which arch/snapshot.c fills with the
 * pager and the hosted unit tests with a fake one.
 *
 * Not here: dirty tracking and copy-on-write (arch/pager.c), the store format and commit
 * (store.c), reading options and the debug channel's snapshot hooks (arch/snapshot.c).
 */
#ifndef PHANTOM_SNAPSHOT_CYCLE_H
#define PHANTOM_SNAPSHOT_CYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/** Longest the writer holds the threads at one safe point; short, so threads keep running. */
#define SNAPSHOT_WRITE_BUDGET_US 2000u

/**
 * How long before a freeze is due an idle machine may prepare it (snapshot_before_idle). Well
 * inside the 100 ms over which QEMU's TCG sizes its software TLB, so that the freeze's own flush
 * falls in the same window as the preparation's and finds the table already sized; long enough
 * that a program waking every few tens of milliseconds still leaves an idle in it.
 */
#define SNAPSHOT_PREPARE_AHEAD_MS 40u

/** A frozen page as the writer gets it: its bytes in memory, or the held block that has them. */
struct snapshot_frozen_page {
  uint32_t page;
  const void *bytes;   /**< the frozen bytes, or 0 when they are in `block` */
  uint32_t block, crc; /**< a held block (0: an all-zero page) and its crc, when bytes is 0 */
};

/** What the pager did since the last freeze, for the generation's record and the verbose lines. */
struct snapshot_pager_stats {
  uint32_t copies;              /**< frozen pages copied aside on write */
  uint32_t region_faults;       /**< frozen regions unprotected by a write */
  uint32_t region_fault_us_max; /**< the longest of those */
};

/** What the cycle asks of the machine. Every member is required. */
struct snapshot_machine {
  /**
   * Stop-the-world: every page dirtied since the last freeze becomes frozen; returns how many,
   * and in *pause_us how long the world waited (interrupts held, so no tick counts as pause).
   */
  uint32_t (*freeze)(uint32_t *pause_us);
  /**
   * The machine is about to idle and the next freeze falls due soon after: does now, while no thread
   * waits, what would make the freeze's stop long the first time (the pager's TLB flush). Changes
   * nothing the freeze hands over. Returns how long it took (us).
   */
  uint32_t (*prepare_freeze)(void);
  /** The i-th frozen page (0 <= i < freeze's count). */
  void (*frozen_page)(uint32_t i, struct snapshot_frozen_page *out);
  /** Ends a freeze once its generation is committed (or when it froze nothing). */
  void (*release_frozen)(void);
  void (*pager_stats)(struct snapshot_pager_stats *out);
  /** Stops the machine without persistence (the console lines are printed). Must not return. */
  void (*halt)(void);
  /** A generation was committed: g is its record (for the debug channel's GENERATION event). */
  void (*committed)(const struct store_generation *g);
};

/**
 * Starts the cycle on the mounted store (0: none; every step then does nothing) with a
 * generation every interval_ms from now (0: none unless snapshot_now); verbose prints a console
 * line per freeze and commit. Stops the machine at once when snapshots are on and the store can
 * never take a generation. Resets every count.
 */
void snapshot_cycle_start(struct store *store, uint32_t interval_ms, bool verbose,
                          const struct snapshot_machine *machine);

/** One step of the cycle: freeze when due, write a chunk, commit when done. Safe points only. */
void snapshot_step(void);

/**
 * Finishes the generation being written, if any, then freezes, writes and commits a new one at
 * once: its number in *generation. STORE_OK or the store's error. Safe points only.
 */
int snapshot_now(uint32_t *generation);

/**
 * Forgets the generation in progress for a rollback in place, which drops the live space and
 * remounts the store (so the store's pending generation goes with it): the cycle is idle, and the
 * next interval counts from now. The caller drops the pager's freeze (pager_drop_space). Returns
 * how many frozen pages were dropped uncommitted (0: no generation was in progress).
 */
uint32_t snapshot_cycle_drop(void);

/** When the cycle next needs a safe point (ph_uptime_ms; UINT64_MAX: never), for an idle loop. */
uint64_t snapshot_next_step_ms(void);

/**
 * The machine is about to idle until until_ms (ph_uptime_ms) with every thread asleep: when the
 * next freeze falls due at most SNAPSHOT_PREPARE_AHEAD_MS after that, and was not prepared yet
 * (or falls due by until_ms and threads ran since it was), the machine prepares it now
 * (prepare_freeze), in time no thread waits for, so the freeze's own stop is short. Safe points
 * only (between turns).
 */
void snapshot_before_idle(uint64_t until_ms);

/** What the cycle has done since it started. */
struct snapshot_totals {
  uint32_t committed; /**< generations committed */
  uint32_t failed;    /**< generations the store refused (written again at the next interval) */
};
struct snapshot_totals snapshot_totals(void);

#endif
