/*
 * debug_agent.h — the kernel's side of the debug channel (lang/spec/debug.def, explained in
 * docs/debug-protocol.md): it reads frames from a byte port, validates every request before
 * acting on it, and answers from the live object space or, through hooks, from the store.
 *
 * The agent is portable: the kernel connects it to serial port 2 and polls it between two
 * turns of the scheduler (a safe point: no object is half-written); the hosted tests connect it
 * to memory. Each request does bounded work and each poll has a time budget, so serving never
 * holds the threads for long; how much time the channel gets is the caller's choice.
 *
 * Not here: the UART (arch/serial.c), snapshots and the store (reached through debug_hooks, any
 * of which may be 0: the request then gets a FAILED error naming what this kernel lacks).
 */
#ifndef PHANTOM_DEBUG_AGENT_H
#define PHANTOM_DEBUG_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "debug_wire.h"

/**
 * The byte port the agent talks over; nothing here blocks. read returns the bytes available now (0
 * if none); room, how many bytes write takes now; write takes at most that many. The agent
 * answers a request only when the largest reply fits, so requests wait while the host does not
 * read its replies, and it drops an event that does not fit.
 */
struct debug_port {
  size_t (*read)(uint8_t *buf, size_t max);
  size_t (*room)(void);
  void (*write)(const uint8_t *bytes, size_t n);
};

struct debug_machine_stats {
  uint64_t uptime_ms, machine_ms;
  uint32_t generation, threads, gc_runs, gc_pause_us, snapshots;
};

/** What the agent asks of the rest of the kernel. Every member may be 0. */
struct debug_hooks {
  void (*stats)(struct debug_machine_stats *out);
  uint32_t (*generation_count)(void);
  /** Generation i (0 = oldest); returns 0, or a DE_* code. */
  int (*generation_at)(uint32_t i, struct generation *out);
  /** Take a snapshot and commit it now; returns 0 and the generation, or a DE_* code. */
  int (*snapshot_now)(uint32_t *generation);
  /** One object-space page as of a committed generation; returns 0, or a DE_* code. */
  int (*read_page_at)(uint32_t generation, uint32_t page, uint8_t *buf);
  /**
   * Sets the bit of every page that may differ from the committed generation the machine runs on
   * (bitmap: one bit per page of the space, zeroed); returns how many, and that generation.
   */
  uint32_t (*uncommitted_pages)(uint8_t *bitmap, uint32_t *generation);
  /**
   * Rolls the machine back in place to kept generation `generation` (ROLLBACK): returns 0 with
   * *out filled once the threads may run on the mounted generation, or a DE_* code and *why
   * (nothing changed). Called at a safe point.
   */
  int (*rollback)(uint32_t generation, struct rollback_reply *out, const char **why);
  /**
   * Stages one page of a space for branch (STAGE_PAGE), in memory beside the space; first drops
   * every page staged before. Returns 0 with *staged the pages staged now, or a DE_* code and *why.
   */
  int (*stage_page)(uint32_t first, uint32_t page, const uint8_t *bytes, uint32_t *staged, const char **why);
  /**
   * BRANCH: rolls back in place to `parent`, puts the staged pages over it, checks the space and
   * commits it as a new generation (parent `parent`); 0 with *out filled once the threads may run
   * on it, or a DE_* code and *why (the machine back on the generation it ran on). Safe point.
   */
  int (*branch)(uint32_t parent, struct branch_reply *out, const char **why);
};

/** The kernel's version string HELLO reports. */
#define DEBUG_KERNEL_NAME "phantom-kernel 0.1"

void debug_agent_init(const struct debug_port *port, const struct debug_hooks *hooks);

/**
 * Read what the port has and answer the complete requests in it until budget_us microseconds
 * have been spent (one step at least, a request answered or noise dropped, however small the
 * budget). Returns 1 when it stopped for the budget (requests may be waiting), 0 when the port
 * has nothing more or no room for a reply. Call at safe points only.
 */
int debug_agent_poll(uint32_t budget_us);

/**
 * When the agent must be polled even if no byte arrives (an unfinished frame's timeout,
 * DBG_FRAME_TIMEOUT_MS after its last byte), or UINT64_MAX.
 */
uint64_t debug_agent_deadline_ms(void);

/** True while a PAUSE is in force: the scheduler must not run threads, but keep polling. */
int debug_agent_paused(void);

/** Tell the host that a generation was committed (EV_GENERATION). */
void debug_agent_notify_generation(const struct generation *g);

/** Tell the host that a thread ended (EV_THREAD_END). */
void debug_agent_notify_thread_end(uint32_t thread_addr, uint32_t id, uint8_t state);

#endif
