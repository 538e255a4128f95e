/*
 * snapshot.h — continuous copy-on-write snapshots of the object space (snapshot.c), moved along
 * at the VM's safe points: freeze the dirty pages when the interval is due (the only
 * stop-the-world step), write a bounded chunk of frozen pages at each safe point, commit when
 * all are written. The debug channel (debug_channel.c) calls snapshot_step from its safe-point
 * hook and gets its snapshot hooks from snapshot_debug_hooks.
 *
 * Not here: dirty tracking and copy-on-write (pager.c), the store format and commit (core/store.c),
 * mounting the store at boot (space.c), the debug protocol itself (core/debug_agent.c).
 */
#ifndef PHANTOM_SNAPSHOT_H
#define PHANTOM_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"
#include "store.h"

/* ── snapshot.c ── */

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

/** When the snapshot machine next needs a safe point (ph_uptime_ms; UINT64_MAX: never), for an idle loop. */
uint64_t snapshot_next_step_ms(void);

/**
 * Fills the debug agent's snapshot hooks (snapshot now, pages of past generations, the
 * snapshot count in stats) and announces every commit on the channel (EV_GENERATION).
 */
struct debug_hooks;
void snapshot_debug_hooks(struct debug_hooks *hooks);

#endif
