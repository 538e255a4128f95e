/*
 * snapshot.h — continuous snapshots of the object space (snapshot.c) and the debug channel's
 * port and hooks on COM2 (debug_port.c): the two subsystems that run at the VM's safe points.
 *
 * At every safe point (vm_set_safe_point_hook(machine_safe_point)) the kernel first serves the
 * debug channel (and stays there, polling, while the host holds the world paused), then moves
 * the snapshot along: freeze the dirty pages when the interval is due (the only stop-the-world
 * step), write a bounded chunk of frozen pages, commit when all are written.
 *
 * Not here: dirty tracking and copy-on-write (pager.c), the store format and commit (core/store.c),
 * the debug protocol itself (core/debug_agent.c).
 */
#ifndef PHANTOM_SNAPSHOT_H
#define PHANTOM_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"
#include "store.h"

/* ── snapshot.c ── */

/** What the snapshot code has done since boot, for the debug channel and the console. */
struct snapshot_totals {
  uint32_t committed; /* generations committed since boot */
  uint32_t failed;    /* generations the store refused (retried at the next interval) */
  bool writing;       /* a frozen generation is being written now */
};

/**
 * Starts continuous snapshots of the mounted store every options->snap_ms (0: off; snapshot_now
 * still works). debug=snapshots prints one console line per generation.
 */
void snapshot_init(struct store *store, const struct kernel_options *options);

/** One step of the snapshot machine: freeze when due, write a chunk, commit when done. Safe points only. */
void snapshot_step(void);

/**
 * Finishes the generation being written, if any, then freezes, writes and commits a new one at
 * once: its number in *generation. STORE_OK or the store's error. Safe points only.
 */
int snapshot_now(uint32_t *generation);

/** Called after every commit with the committed generation (the debug channel announces it). */
void snapshot_set_commit_listener(void (*listener)(const struct store_generation *generation));

void snapshot_get_totals(struct snapshot_totals *out);

/** The mounted store (for the debug channel's generation list and past pages). */
struct store *snapshot_store(void);

/* ── debug_port.c ── */

/** Connects the debug agent to COM2 with hooks into the VM, the store and the snapshots. */
void debug_port_init(void);

/** Serves pending debug requests; while the host holds a PAUSE, keeps serving without returning. */
void debug_port_serve(void);

/** The VM's safe-point hook: debug_port_serve, then snapshot_step. */
void machine_safe_point(void);

#endif
