/*
 * snapshot.h — continuous copy-on-write snapshots of the object space in the kernel
 * (snapshot.c): the snapshot cycle of core/snapshot_cycle.h started with the pager as its
 * machine, moved along at the VM's safe points (freeze the dirty pages when the interval is due,
 * the only stop-the-world step; write a bounded chunk of frozen pages at each safe point; commit
 * when all are written). The debug channel (debug_channel.c) calls snapshot_step from its
 * safe-point hook and gets its snapshot hooks from snapshot_debug_hooks.
 *
 * Not here: the cycle itself (core/snapshot_cycle.c), dirty tracking and copy-on-write (pager.c),
 * the store format and commit (core/store.c), mounting the store at boot (space.c), the debug
 * protocol itself (core/debug_agent.c).
 */
#ifndef PHANTOM_SNAPSHOT_H
#define PHANTOM_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"
#include "snapshot_cycle.h"
#include "store.h"

/* ── snapshot.c ── */

/**
 * Starts continuous snapshots of the mounted store every options->snap_ms (0: off; snapshot_now
 * still works). debug=snapshots prints one console line per generation.
 */
void snapshot_init(struct store *store, const struct kernel_options *options);

/**
 * Fills the debug agent's snapshot hooks (snapshot now, pages of past generations, the
 * snapshot count in stats) and announces every commit on the channel (EV_GENERATION).
 */
struct debug_hooks;
void snapshot_debug_hooks(struct debug_hooks *hooks);

#endif
