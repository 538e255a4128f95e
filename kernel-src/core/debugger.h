/*
 * debugger.h — breakpoints, stopped threads and steps (the DBG_* debugger requests of
 * lang/spec/debug.def, explained in docs/debug-protocol.md, "The debugger").
 *
 * The debugger's state is machine state: one VM-owned array (a .internal.array, read-only to
 * programs) under the name DEBUGGER_NAME in the root directory holds every breakpoint and every
 * thread that is stopped or stepping, so snapshots keep it, a restart after a power cut finds
 * threads still stopped where they were, and a rollback brings back the breakpoints of that
 * generation. The C side only caches what the interpreter asks on its hot path (is anything set;
 * which methods have breakpoints); debugger_load rebuilds the cache from the space.
 *
 * The interpreter pays for the possibility only when something is set: debugger_armed is 0
 * otherwise, and the dispatch loop then runs exactly as without a debugger.
 */
#ifndef PHANTOM_DEBUGGER_H
#define PHANTOM_DEBUGGER_H

#include <stdint.h>

#include "debug_wire.h"
#include "objspace.h"

/** The root-directory name of the debugger's state array. */
#define DEBUGGER_NAME "$debugger"

/** Nonzero while a breakpoint is set, a thread is stopped or stepping, or throws stop threads. */
extern uint32_t debugger_armed;
/** The DBG_EXCEPTIONS_* mode in force. */
extern uint32_t debugger_exceptions;

/** Find the state in the space just started (vm_try_start) and rebuild the caches; a state of the wrong shape is ignored. */
void debugger_load(void);

/** What the debugger tells the channel (each may be 0). */
struct debugger_events {
  void (*stopped)(const struct stopped_event *e);
  void (*continued)(uint32_t thread_addr, uint32_t id);
  void (*logpoint)(uint32_t breakpoint, uint32_t thread_addr, uint32_t thread_id, uint32_t hits, struct wire_bytes message);
};
void debugger_set_events(const struct debugger_events *events);

/* ── the interpreter's side (interp.c, thread.c) ── */

/** Bit (method >> 2) % 32 is set for every method a breakpoint names: most calls need no more than this bit. */
extern uint32_t debugger_method_filter;
/** Does a breakpoint name this method? */
int debugger_method_has_breakpoint(word_t method);
/** debugger_method_has_breakpoint, after a look at the filter that answers most calls of other methods. */
static inline int debugger_may_break_in(word_t method) {
  return (debugger_method_filter >> ((method >> 2) & 31)) & 1 && debugger_method_has_breakpoint(method);
}
/** Is the thread stopped (the scheduler must not run it)? */
int debugger_thread_parked(word_t thread);

/**
 * At the start of a thread's turn: returns 1 when every instruction of the turn must be checked
 * (the thread steps or has just been continued); *throw_pending is an error to throw first (the
 * thread was stopped by that throw), else 0.
 */
int debugger_turn_start(word_t thread, word_t *throw_pending);

/** What debugger_check found. */
enum debugger_verdict {
  DEBUGGER_GO = 0,      /**< run the instruction */
  DEBUGGER_STOP = 1,    /**< the thread is stopped before it (the turn ends, pc stays) */
  DEBUGGER_UNWATCH = 2, /**< run it; the thread needs no more checks this turn but breakpoints */
};

/** Before the instruction at pc of method, at call depth depth (1 = the thread's first frame). */
enum debugger_verdict debugger_check(word_t thread, word_t method, uint32_t pc, uint32_t depth, const word_t *locals,
                                     uint32_t nlocals);

/** A throw of obj at pc: stop the thread there? (caught: some frame's handler takes it). 1 when it stopped. */
int debugger_stop_on_throw(word_t thread, word_t method, uint32_t pc, word_t obj, int caught);

/** The thread ended: forget it. */
void debugger_thread_ended(word_t thread);

/* ── the channel's side (debug_agent.c): check, then do; each returns 0 or a DE_* code with *why ── */

int debugger_set_breakpoint(const struct set_breakpoint_request *r, uint32_t *id, const char **why);
int debugger_clear_breakpoint(uint32_t id, const char **why);
/** Calls each for every breakpoint, in the order they were set. */
void debugger_list_breakpoints(void (*each)(const struct breakpoint_entry *e, void *ctx), void *ctx);
/** Calls each for every stopped thread. */
void debugger_list_stopped(void (*each)(const struct stopped_event *e, void *ctx), void *ctx);
int debugger_pause_thread(uint32_t thread_addr, const char **why);
int debugger_continue_thread(uint32_t thread_addr, const char **why);
int debugger_step(uint32_t thread_addr, uint8_t kind, const char **why);
int debugger_set_exceptions(uint8_t mode, const char **why);
/**
 * The frame at depth of a stopped thread and its source line (of its pc for the innermost frame,
 * of its call for a caller), or a DE_* code when there is none.
 */
int debugger_frame(uint32_t thread_addr, uint32_t depth, word_t *frame, int32_t *line, const char **why);

/** A checked SET_LOCAL or SET_FIELD: the slot in the space and the value it gets. */
struct debugger_write {
  word_t *slot;
  word_t value;
};
/**
 * Check a write (may fail, changing nothing): a local of a stopped frame other than this, or a
 * field of a program object or an element of a program's array, and a value the slot may hold
 * (the kinds of refuse_kind in debugger.c; an array's element type; never a system class's field).
 */
int debugger_check_set_local(const struct set_local_request *r, struct debugger_write *w, const char **why);
int debugger_check_set_field(const struct set_field_request *r, struct debugger_write *w, const char **why);
/** Do a checked write (cannot fail). */
void debugger_write(const struct debugger_write *w);

#endif
