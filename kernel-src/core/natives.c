/*
 * natives.c — the table of native methods (natives.def) and the natives of the small system
 * classes: console (.internal.io.tty), time, thread, object. Strings, arrays and directories have
 * files of their own (string.c, array.c, directory.c).
 *
 * A native gets its arguments in place on the caller's operand stack (so they stay reachable
 * across allocations), sets c->result or c->error, and runs to completion: it is atomic for the
 * other threads. Receivers and arguments are checked here, not trusted: a wrong-class receiver
 * raises BadCast, a null one NullReference.
 */
#include "interp.h"
#include "klib.h"
#include "platform.h"

const native_fn native_table[NATIVE_LIMIT] = {
#include "spec_ignore.h"
#undef NATIVE
#define NATIVE(name, id, cls, method, kind, argc, sig, doc) [id] = native_##name,
#include "../../lang/spec/natives.def"
#include "spec_ignore_end.h"
};

const uint8_t native_argc[NATIVE_LIMIT] = {
#include "spec_ignore.h"
#undef NATIVE
#define NATIVE(name, id, cls, method, kind, argc, sig, doc) [id] = (argc),
#include "../../lang/spec/natives.def"
#include "spec_ignore_end.h"
};

void native_TTY_PRINT(struct native_call *c) { console_write_value(c->args[0]); }

void native_TTY_PRINTLN(struct native_call *c) {
  console_write_value(c->args[0]);
  ph_console_write("\n", 1);
}

void native_TIME_UPTIME(struct native_call *c) { c->result = int_to_word(clock_now()); }

void native_TIME_SLEEP(struct native_call *c) {
  if (!word_is_int(c->args[0])) {
    c->error = ERR_BAD_ARGUMENT;
    return;
  }
  int32_t ms = word_to_int(c->args[0]);
  word_t *t = obj_slots(thread_current());
  t[THREAD_STATE] = int_to_word(TS_SLEEPING);
  t[THREAD_WAKE_AT] = int_to_word(clock_now() + (ms > 0 ? ms : 0));
  c->turn = TURN_YIELD;
}

void native_THREAD_START(struct native_call *c) { c->result = thread_spawn(c->args[0], &c->error); }

void native_THREAD_CURRENT(struct native_call *c) { c->result = thread_current(); }

void native_THREAD_YIELD(struct native_call *c) { c->turn = TURN_YIELD; }

/** The receiver as a thread, or 0 with the error set. */
static word_t thread_receiver(struct native_call *c) {
  word_t t = c->args[0];
  if (!t) c->error = ERR_NULL_REFERENCE;
  else if (!is_thread(t)) c->error = ERR_BAD_CAST;
  return c->error ? 0 : t;
}

void native_THREAD_ID(struct native_call *c) {
  word_t t = thread_receiver(c);
  if (t) c->result = int_to_word(slot_int(t, THREAD_ID, 0));
}

void native_THREAD_ALIVE(struct native_call *c) {
  word_t t = thread_receiver(c);
  if (!t) return;
  int32_t state = slot_int(t, THREAD_STATE, TS_FAILED);
  c->result = int_to_word(state == TS_RUNNABLE || state == TS_SLEEPING);
}

void native_OBJ_CLASS_NAME(struct native_call *c) {
  word_t o = c->args[0];
  if (!o) {
    c->error = ERR_NULL_REFERENCE;
    return;
  }
  if (!word_is_ref(o)) {
    c->error = ERR_BAD_CAST;
    return;
  }
  word_t name = obj_slots(obj_class(o))[CLASS_NAME];
  c->result = is_string(name) ? name : string_new("", 0);
  if (!c->result) c->error = ERR_OUT_OF_MEMORY;
}
