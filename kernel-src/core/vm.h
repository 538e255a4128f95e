/*
 * vm.h — the VM as the rest of the kernel sees it: check the mapped object space, then run its
 * threads. The kernel's main calls vm_start() once the space is mapped at SPACE_BASE and then
 * vm_run_for() without limits, which returns when every thread has ended; the hosted runner
 * (phrun) and tests give it limits.
 *
 * Everything a running machine needs lives in the object space; the VM's C state (the cached
 * internal classes, the clock base, counters) is rebuilt by vm_start, so a snapshot of the space
 * taken at a safe point (vm_set_safe_point_hook) is the whole machine.
 */
#ifndef PHANTOM_VM_H
#define PHANTOM_VM_H

#include <stdint.h>

/**
 * Validate the space (space_validate) and prepare to run it. A corrupt space stops the machine
 * with ph_panic naming the problem; nothing of it has run by then.
 */
void vm_start(uint32_t mapped_bytes);

/** Like vm_start, but returns the validation failure (0 when sound) instead of panicking. */
const char *vm_try_start(uint32_t mapped_bytes);

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

/** Called when a thread's turn ends its run (done or failed), with its address, id and final state: the
 * debug agent's THREAD_END event goes here. */
void vm_set_thread_end_hook(void (*hook)(uint32_t thread_addr, uint32_t id, uint8_t state));

/** Bytecodes executed since vm_start; at a safe point, whether a thread ran since the last one. */
uint64_t vm_instructions(void);

struct vm_stats {
  uint64_t instructions; /**< bytecodes executed since vm_start */
  uint32_t threads;      /**< in ROOT_THREADS */
  uint32_t live_threads; /**< runnable or sleeping */
  int32_t machine_ms;    /**< ROOT_CLOCK */
};
void vm_get_stats(struct vm_stats *out);

#endif
