/*
 * vm.h — the VM as the rest of the kernel sees it: check the mapped object space, then run its
 * threads. The kernel's mount calls vm_try_start() on the space mapped at SPACE_BASE, main then
 * calls vm_run_for() without limits, which returns when every thread has ended; the hosted runner
 * (phrun) and tests give it limits.
 *
 * Everything a running machine needs lives in the object space; the VM's C state (the cached
 * internal classes, the clock base, counters) is rebuilt by vm_try_start, so a snapshot of the space
 * taken at a safe point (vm_set_safe_point_hook) is the whole machine.
 */
#ifndef PHANTOM_VM_H
#define PHANTOM_VM_H

#include <stdint.h>

/**
 * Checks the space mapped at SPACE_BASE, `space_bytes` long ("A sound object space" in
 * lang/docs/object-format.md: space_validate, and SH_SIZE equal to space_bytes) and prepares to
 * run it. Returns 0, or the first problem; nothing of the space has run either way. The kernel
 * calls it as the store's contents check at mount, so it never runs a space that fails it.
 */
const char *vm_try_start(uint32_t space_bytes);

struct vm_limits {
  uint64_t max_instructions; /**< stop after this many bytecodes (a turn is cut short); 0 = no limit */
  int64_t max_ms;            /**< stop once machine time passes this; < 0 = no limit */
};

enum vm_stop {
  VM_ALL_ENDED,        /**< every thread is done or failed */
  VM_INSTRUCTION_LIMIT, /**< max_instructions reached */
  VM_TIME_LIMIT,        /**< max_ms passed */
};

enum vm_stop vm_run_for(const struct vm_limits *limits);

/** Called at every safe point between two turns (every frame's pc/sp written back): snapshots go here. */
void vm_set_safe_point_hook(void (*hook)(void));

/**
 * Called when every thread sleeps, at a safe point just before the machine idles until until_ms
 * (ph_uptime_ms): work no thread waits for goes here (the snapshot cycle prepares a freeze due by then).
 */
void vm_set_idle_hook(void (*hook)(uint64_t until_ms));

/** Called when a thread's turn ends its run (done or failed), with its address, id and final state: the
 * debug agent's THREAD_END event goes here. */
void vm_set_thread_end_hook(void (*hook)(uint32_t thread_addr, uint32_t id, uint8_t state));

/**
 * At a freeze (a safe point): brings ROOT_CLOCK up to now when a thread ran since the last freeze,
 * so the generation stands for the machine time of its freeze, not of its last turn's start; a
 * thread asleep then, resumed from the generation (a power cut, a rollback), sleeps only what was
 * left of its sleep instead of again what had passed before the freeze. The root's page is in that
 * generation anyway (every turn writes the clock); after no turn nothing is written, so an idle
 * machine still commits no generation for its clock alone (IDLE_CLOCK_WRITE_MS in thread.c).
 */
void vm_clock_at_freeze(void);

/** Bytecodes executed since vm_try_start accepted the space; at a safe point, whether a thread ran since the last one. */
uint64_t vm_instructions(void);

struct vm_stats {
  uint64_t instructions; /**< bytecodes executed since vm_try_start */
  uint32_t threads;      /**< in ROOT_THREADS */
  uint32_t live_threads; /**< runnable or sleeping */
  int32_t machine_ms;    /**< ROOT_CLOCK */
};
void vm_get_stats(struct vm_stats *out);

#endif
