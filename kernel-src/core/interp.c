/*
 * interp.c — the bytecode interpreter (lang/docs/bytecode.md): runs one thread for a budget of
 * instructions, with frames as objects in the space.
 *
 * The current frame's pc, sp and the pointers into its method, code, constants, locals and
 * operand stack live in C locals (struct regs) while the thread runs; the operand values
 * themselves always live in the frame object, so a collection in the middle of an instruction
 * sees them. pc and sp are written back at every safe point: a call, a return, a throw, the end
 * of the turn.
 *
 * Check, then do: before an instruction runs, its operand bytes are inside the code and the stack
 * holds what it pops and has room for what it pushes (from the opcodes.def table). Whatever the
 * code, no store writes what the VM relies on: PUT_FIELD not a system class's field (BadField),
 * ASTORE nothing an array's class does not admit (ArrayStore, array.c). A program
 * error (null, bounds, cast, division, depth, memory) raises a .internal.error in the thread;
 * where the spec leaves the error open (an integer used as an object, a vtable index beyond the
 * receiver's vtable) it is the one lang's reference interpreter raises (BadField for fields and
 * vtables, BadCast otherwise), so that both give the same output. Code
 * that breaks the compiler's guarantees (a jump out of the code, a stack overflow of
 * METHOD_MAX_STACK, a local beyond METHOD_LOCALS, an unknown opcode, a constant of the wrong
 * kind) cannot come from the compiler, so it is not an exception: the thread ends with an
 * "invalid code" report and the others go on.
 *
 * Dispatch is a computed goto through a table built from opcodes.def, so an opcode without a
 * handler label is a compile error.
 */
#include "interp.h"

#include "debugger.h"
#include "gc.h"
#include "klib.h"
#include "platform.h"

word_t vm_class[CID_BOOT + 1];
word_t vm_string_array_class;

struct op_info {
  uint8_t size;      /**< whole instruction in bytes; 0 for codes that are no opcode */
  int8_t pop, push;  /**< -1: variable (calls) */
};

static const struct op_info op_info[256] = {
#include "spec_ignore.h"
#undef OP
#define OP(name, code, operands, bytes, pop, push, doc) [code] = {1 + (bytes), (pop), (push)},
#include "../../lang/spec/opcodes.def"
#include "spec_ignore_end.h"
};

static const char *const error_messages[] = {
#include "spec_ignore.h"
#undef ERROR
#define ERROR(name, code, message, doc) [code] = message,
#include "../../lang/spec/layout.def"
#include "spec_ignore_end.h"
};

/** Byte length of the call instructions: a caller's saved pc minus this is its call's pc. */
#define CALL_SIZE 4u
/** Superclass chains longer than this are corrupt (and would otherwise loop). */
#define MAX_CLASS_DEPTH 1024

struct regs {
  word_t thread, frame, method;
  const uint8_t *code;
  uint32_t code_len;
  word_t *consts;
  uint32_t nconsts;
  word_t *locals;
  uint32_t nlocals;
  word_t *stack;
  uint32_t max_stack;
  uint32_t pc, sp, depth;
};

int instance_of(word_t obj, word_t cls) {
  word_t c = obj_class(obj);
  for (int i = 0; i < MAX_CLASS_DEPTH && is_class(c); i++) {
    if (c == cls) return 1;
    c = obj_slots(c)[CLASS_SUPER];
  }
  return 0;
}

int method_is_sane(word_t m) {
  if (!is_instance_of_cid(m, CID_METHOD) || obj_kind(m) != KIND_SLOTS || obj_slot_count(m) < CID_METHOD_SLOTS)
    return 0;
  word_t *s = obj_slots(m);
  int32_t argc = slot_int(m, METHOD_ARGC, -1), locals = slot_int(m, METHOD_LOCALS, -1);
  int32_t stack = slot_int(m, METHOD_MAX_STACK, -1), native = slot_int(m, METHOD_NATIVE, -1);
  if (argc < 0 || argc > MAX_LOCALS || !word_is_int(s[METHOD_FLAGS])) return 0;
  if (native) return native > 0 && native < NATIVE_LIMIT && native_table[native] && native_argc[native] == argc;
  if (locals < argc || locals > MAX_LOCALS || stack < 0 || stack > MAX_CONSTS) return 0;
  if (!is_instance_of_cid(s[METHOD_CODE], CID_CODE) || obj_kind(s[METHOD_CODE]) != KIND_BYTES) return 0;
  return s[METHOD_CONSTS] == 0 || is_array(s[METHOD_CONSTS]);
}

static uint32_t frame_slots_for(word_t method) {
  return FRAME_LOCALS + (uint32_t)slot_int(method, METHOD_LOCALS, 0) + (uint32_t)slot_int(method, METHOD_MAX_STACK, 0);
}

/*
 * Frames of returned calls are kept for the next call that needs the same size instead of going
 * back to the free list: a call then allocates nothing, and the small objects a method allocates
 * between calls are not carved out of just-freed frames, which would leave holes too small for
 * the next frame. A kept frame is an ordinary unreachable object (with no caller, since that may
 * be freed before it); a collection sweeps it like any garbage, so the cache is forgotten
 * whenever one has run. At the end of every turn the frames still kept go back to the free list:
 * between turns, where snapshots are taken, no state of the VM lives outside the space, so a
 * machine resumed from a snapshot (or replayed on lang's interpreter) allocates where this one did.
 */
static word_t frame_cache[FRAME_CACHE_SIZE];
static uint32_t frame_cache_epoch; /**< gc collections count when the cache was filled */

static void frame_cache_check(void) {
  if (frame_cache_epoch == gc_get_stats()->collections) return;
  memset(frame_cache, 0, sizeof frame_cache);
  frame_cache_epoch = gc_get_stats()->collections;
}

void interp_reset(void) {
  memset(frame_cache, 0, sizeof frame_cache);
  frame_cache_epoch = gc_get_stats()->collections;
}

/** The end of a turn: the frames still cached go back to the free list, in cache order. */
static void frame_cache_release(void) {
  frame_cache_check();
  for (int i = 0; i < FRAME_CACHE_SIZE; i++) {
    if (frame_cache[i]) space_free(frame_cache[i]);
    frame_cache[i] = 0;
  }
}

/** A frame nothing references any more (returned from, or unwound). */
static void frame_drop(word_t frame) {
  frame_cache_check();
  obj_slots(frame)[FRAME_CALLER] = 0; /* its caller may be freed first: no dangling reference */
  for (int i = 0; i < FRAME_CACHE_SIZE; i++) {
    if (!frame_cache[i]) {
      frame_cache[i] = frame;
      return;
    }
  }
  space_free(frame);
}

word_t frame_new(word_t method) {
  uint32_t slots = frame_slots_for(method);
  frame_cache_check();
  word_t f = 0;
  for (int i = 0; i < FRAME_CACHE_SIZE && !f; i++) {
    if (frame_cache[i] && obj_slot_count(frame_cache[i]) == slots) {
      f = frame_cache[i];
      frame_cache[i] = 0;
      memset(obj_slots(f), 0, slots * 4);
      space_stamp(f); /* a new frame in an old one's place: not the same object */
    }
  }
  if (!f) f = gc_alloc(vm_class[CID_FRAME], KIND_SLOTS, slots * 4);
  if (f) obj_slots(f)[FRAME_METHOD] = method;
  return f;
}

enum method_check { METHOD_UNCHECKED, METHOD_JUST_CHECKED };

/** Point r at frame. METHOD_JUST_CHECKED: the caller has just run method_is_sane on its method. */
static const char *load_frame_as(struct regs *r, word_t frame, enum method_check check) {
  if (!is_instance_of_cid(frame, CID_FRAME) || obj_kind(frame) != KIND_SLOTS || obj_slot_count(frame) < FRAME_LOCALS)
    return "the thread's frame is not a frame";
  word_t m = obj_slots(frame)[FRAME_METHOD];
  if ((check == METHOD_UNCHECKED && !method_is_sane(m)) || slot_int(m, METHOD_NATIVE, 0))
    return "the frame's method cannot run";
  if (obj_slot_count(frame) < frame_slots_for(m)) return "the frame is smaller than its method needs";
  word_t code = obj_slots(m)[METHOD_CODE], consts = obj_slots(m)[METHOD_CONSTS];
  int32_t pc = slot_int(frame, FRAME_PC, -1), sp = slot_int(frame, FRAME_SP, -1);
  r->frame = frame;
  r->method = m;
  r->code = obj_bytes(code);
  r->code_len = obj_size(code);
  r->consts = consts ? obj_slots(consts) : 0;
  r->nconsts = consts ? obj_slot_count(consts) : 0;
  r->nlocals = (uint32_t)slot_int(m, METHOD_LOCALS, 0);
  r->max_stack = (uint32_t)slot_int(m, METHOD_MAX_STACK, 0);
  r->locals = obj_slots(frame) + FRAME_LOCALS;
  r->stack = r->locals + r->nlocals;
  if (pc < 0 || sp < 0 || (uint32_t)sp > r->max_stack) return "the frame's pc or sp is out of range";
  r->pc = (uint32_t)pc;
  r->sp = (uint32_t)sp;
  return 0;
}

static const char *load_frame(struct regs *r, word_t frame) { return load_frame_as(r, frame, METHOD_UNCHECKED); }

static void save_frame(struct regs *r) {
  obj_slots(r->frame)[FRAME_PC] = int_to_word((int32_t)r->pc);
  obj_slots(r->frame)[FRAME_SP] = int_to_word((int32_t)r->sp);
}

/**
 * May method write slot `slot` of obj? Not a field a system class declares — every slot of an
 * instance of a system class (array classes included: their slots are elements, stored by ASTORE
 * only), the inherited fields of a program class that extends one — unless method is that
 * class's own (.internal.error's constructor sets message). So no program, whatever its bytecode,
 * writes into a thread, a frame, a class or the root. A method of 0 is the debugger (SET_FIELD),
 * which writes only program fields.
 */
int field_writable(word_t obj, uint32_t slot, word_t method) {
  word_t cls = obj_class(obj), system = cls;
  for (int i = 0; is_class(system) && slot_int(system, CLASS_INTERNAL_ID, 0) == 0; i++) {
    if (i >= MAX_CLASS_DEPTH) return 0;
    system = obj_slots(system)[CLASS_SUPER];
  }
  if (!is_class(system)) return 0;
  if (system != cls && (int64_t)slot >= slot_int(system, CLASS_FIELD_COUNT, INT32_MAX)) return 1;
  return method && obj_slots(method)[METHOD_OWNER] == system;
}

static void end_thread(word_t thread, uint32_t state, word_t error) {
  word_t *t = obj_slots(thread);
  t[THREAD_STATE] = int_to_word((int32_t)state);
  t[THREAD_ERROR] = error;
  t[THREAD_FRAME] = 0;
}

/* ── reports ── */

static void write_cstr(const char *s) { ph_console_write(s, strlen(s)); }

static void write_method_name(word_t m) {
  word_t owner = obj_slots(m)[METHOD_OWNER];
  if (is_class(owner)) console_write_value(obj_slots(owner)[CLASS_NAME]);
  write_cstr(".");
  console_write_value(obj_slots(m)[METHOD_NAME]);
}

int32_t method_line_of(word_t method, uint32_t pc) {
  word_t lines = obj_slots(method)[METHOD_LINES];
  if (!is_array(lines)) return -1;
  int32_t line = -1;
  for (uint32_t i = 0; i + 1 < obj_slot_count(lines); i += 2) {
    if (slot_int(lines, i, INT32_MAX) > (int32_t)pc) break;
    line = slot_int(lines, i + 1, -1);
  }
  return line;
}

int method_pc_is_instruction(word_t method, uint32_t pc) {
  word_t code = obj_slots(method)[METHOD_CODE];
  const uint8_t *bytes = obj_bytes(code);
  uint32_t at = 0, len = obj_size(code);
  while (at < pc && at < len && op_info[bytes[at]].size) at += op_info[bytes[at]].size;
  return at == pc && pc < len;
}

static void report_uncaught(word_t thread, word_t obj, word_t method, uint32_t pc) {
  kprintf("*** thread %d: uncaught ", (int)slot_int(thread, THREAD_ID, 0));
  if (obj) {
    console_write_value(obj_slots(obj_class(obj))[CLASS_NAME]);
    write_cstr(": ");
    if (instance_of(obj, vm_class[CID_ERROR]) && obj_kind(obj) == KIND_SLOTS && obj_slot_count(obj) > ERROR_MESSAGE)
      console_write_value(obj_slots(obj)[ERROR_MESSAGE]);
    else
      console_write_value(obj);
  } else { /* the space was too full even for the error object */
    write_cstr(".internal.error: ");
    write_cstr(error_messages[ERR_OUT_OF_MEMORY]);
  }
  int32_t line = method_line_of(method, pc);
  if (line >= 0) {
    write_cstr(" (at ");
    write_method_name(method);
    kprintf(" line %d)", (int)line);
  }
  write_cstr("\n");
}

static enum turn_end invalid_code(struct regs *r, uint32_t pc, const char *why) {
  kprintf("*** thread %d: invalid code in ", (int)slot_int(r->thread, THREAD_ID, 0));
  if (r->method) write_method_name(r->method);
  kprintf(" at pc %u: %s\n", (unsigned)pc, why);
  end_thread(r->thread, TS_FAILED, 0);
  return TURN_ENDED;
}

/* ── exceptions ── */

static word_t make_error(uint32_t code) {
  word_t message = string_new(error_messages[code], (uint32_t)strlen(error_messages[code]));
  if (!message) return 0;
  gc_pin(&message);
  word_t cls = vm_class[CID_ERROR];
  int32_t fields = slot_int(cls, CLASS_FIELD_COUNT, 1);
  word_t err = gc_alloc(cls, KIND_SLOTS, (uint32_t)(fields > ERROR_MESSAGE ? fields : ERROR_MESSAGE + 1) * 4);
  gc_unpin(1);
  if (err) obj_slots(err)[ERROR_MESSAGE] = message;
  return err;
}

/** The handler of r->method covering pc that catches obj, or -1. */
static int32_t find_handler(struct regs *r, word_t obj, uint32_t pc) {
  word_t handlers = obj_slots(r->method)[METHOD_HANDLERS];
  if (!is_array(handlers)) return -1;
  for (uint32_t i = 0; i + 3 < obj_slot_count(handlers); i += 4) {
    int32_t start = slot_int(handlers, i, -1), end = slot_int(handlers, i + 1, -1);
    int32_t target = slot_int(handlers, i + 2, -1), cls = slot_int(handlers, i + 3, -2);
    if ((int32_t)pc < start || (int32_t)pc >= end || target < 0 || (uint32_t)target >= r->code_len) continue;
    if (cls == -1) return target;
    if (cls >= 0 && (uint32_t)cls < r->nconsts && is_class(r->consts[cls]) && instance_of(obj, r->consts[cls]))
      return target;
  }
  return -1;
}

/** Does a handler of r's frame or of one of its callers catch obj thrown at pc? (changes nothing) */
static int caught_somewhere(const struct regs *r, word_t obj, uint32_t pc) {
  struct regs f = *r;
  for (uint32_t n = 0; n <= MAX_FRAME_DEPTH; n++) {
    if (find_handler(&f, obj, pc) >= 0 && f.max_stack >= 1) return 1;
    word_t caller = obj_slots(f.frame)[FRAME_CALLER];
    if (!caller || load_frame(&f, caller)) return 0;
    pc = f.pc >= CALL_SIZE ? f.pc - CALL_SIZE : 0;
  }
  return 0;
}

enum throw_stop { THROW_MAY_STOP, THROW_GOES_ON };

/**
 * Throw obj from the instruction at pc: unwind to the nearest handler (r then runs it) or end
 * the thread with the uncaught report. Returns TURN_CONTINUE when a handler took it. When the
 * debugger stops the thread for the throw first (THROW_MAY_STOP), it stops before the throwing
 * instruction with its frame as it is (TURN_STOPPED); the throw happens when it goes on.
 */
static enum turn_end throw_from(struct regs *r, word_t obj, uint32_t pc, enum throw_stop may_stop) {
  if (may_stop == THROW_MAY_STOP && debugger_exceptions &&
      debugger_stop_on_throw(r->thread, r->method, pc, obj,
                             debugger_exceptions == DBG_EXCEPTIONS_UNCAUGHT && caught_somewhere(r, obj, pc))) {
    r->pc = pc;
    return TURN_STOPPED;
  }
  word_t throw_method = r->method;
  uint32_t throw_pc = pc;
  for (;;) {
    int32_t target = find_handler(r, obj, pc);
    if (target >= 0 && r->max_stack >= 1) {
      r->sp = 0;
      r->stack[r->sp++] = obj;
      r->pc = (uint32_t)target;
      return TURN_CONTINUE;
    }
    word_t caller = obj_slots(r->frame)[FRAME_CALLER];
    frame_drop(r->frame);
    r->frame = 0;
    if (!caller || load_frame(r, caller)) break;
    r->depth--;
    obj_slots(r->thread)[THREAD_FRAME] = caller;
    pc = r->pc >= CALL_SIZE ? r->pc - CALL_SIZE : 0;
  }
  end_thread(r->thread, TS_FAILED, obj);
  report_uncaught(r->thread, obj, throw_method, throw_pc);
  return TURN_ENDED;
}

static enum turn_end throw_object(struct regs *r, word_t obj, uint32_t pc) { return throw_from(r, obj, pc, THROW_MAY_STOP); }

static enum turn_end raise_error(struct regs *r, uint32_t code, uint32_t pc) {
  word_t err = make_error(code);
  if (!err) { /* not even room for the error: end the thread without an object */
    word_t method = r->method;
    while (r->frame) {
      word_t caller = obj_slots(r->frame)[FRAME_CALLER];
      frame_drop(r->frame);
      r->frame = is_instance_of_cid(caller, CID_FRAME) ? caller : 0;
    }
    end_thread(r->thread, TS_FAILED, 0);
    report_uncaught(r->thread, 0, method, pc);
    return TURN_ENDED;
  }
  return throw_object(r, err, pc);
}

/* ── calls ── */

/** Compute a thread's frame depth once per turn (the call chain is bounded by MAX_FRAME_DEPTH). */
static int frame_depth(word_t frame, uint32_t *depth) {
  uint32_t n = 0;
  for (; frame; frame = obj_slots(frame)[FRAME_CALLER]) {
    if (!is_instance_of_cid(frame, CID_FRAME) || obj_slot_count(frame) < FRAME_LOCALS || n > MAX_FRAME_DEPTH) return 0;
    n++;
  }
  *depth = n;
  return 1;
}

/**
 * Call method with the argc values on top of r's stack (the instruction at pc). Natives run to
 * completion; bytecode methods get a new frame and r switches to it.
 */
static enum turn_end invoke(struct regs *r, word_t method, uint32_t argc, uint32_t pc) {
  if (!method_is_sane(method)) return invalid_code(r, pc, "call of something that is not a method");
  if ((uint32_t)slot_int(method, METHOD_ARGC, -1) != argc) return invalid_code(r, pc, "call with the wrong argument count");
  if (r->sp < argc) return invalid_code(r, pc, "call with fewer values on the stack than arguments");
  int returns = (slot_int(method, METHOD_FLAGS, 0) & MF_RETURNS) != 0;
  int32_t native = slot_int(method, METHOD_NATIVE, 0);
  if (native) {
    if (returns && r->sp - argc + 1 > r->max_stack) return invalid_code(r, pc, "operand stack overflow");
    struct native_call c = {r->stack + r->sp - argc, 0, 0, TURN_CONTINUE};
    save_frame(r);
    native_table[native](&c);
    if (c.error) return raise_error(r, c.error, pc);
    r->sp -= argc;
    if (returns) r->stack[r->sp++] = c.result;
    return c.turn;
  }
  if (r->depth + 1 >= MAX_FRAME_DEPTH) return raise_error(r, ERR_STACK_OVERFLOW, pc);
  save_frame(r);
  word_t callee = frame_new(method);
  if (!callee) return raise_error(r, ERR_OUT_OF_MEMORY, pc);
  word_t *cs = obj_slots(callee);
  cs[FRAME_CALLER] = r->frame;
  memcpy(cs + FRAME_LOCALS, r->stack + r->sp - argc, argc * 4);
  r->sp -= argc;
  save_frame(r);
  obj_slots(r->thread)[THREAD_FRAME] = callee;
  const char *why = load_frame_as(r, callee, METHOD_JUST_CHECKED);
  if (why) return invalid_code(r, 0, why);
  r->depth++;
  return TURN_CONTINUE;
}

/** Return from r's frame, pushing result on the caller's stack when has_result. */
static enum turn_end return_from(struct regs *r, word_t result, int has_result) {
  word_t done = r->frame;
  word_t caller = obj_slots(done)[FRAME_CALLER];
  if (!caller) {
    frame_drop(done);
    end_thread(r->thread, TS_DONE, 0);
    return TURN_ENDED;
  }
  const char *why = load_frame(r, caller);
  frame_drop(done);
  if (why) {
    r->method = 0;
    return invalid_code(r, 0, why);
  }
  r->depth--;
  obj_slots(r->thread)[THREAD_FRAME] = caller;
  if (has_result) {
    if (r->sp >= r->max_stack) return invalid_code(r, r->pc, "operand stack overflow on return");
    r->stack[r->sp++] = result;
  }
  return TURN_CONTINUE;
}

/* ── the loop ── */

static inline uint16_t u16_at(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline int32_t i32_at(const uint8_t *p) {
  return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

enum turn_end interp_run(word_t thread, uint32_t budget, uint64_t *executed) {
  struct regs r = {0};
  r.thread = thread;
  word_t first = obj_slots(thread)[THREAD_FRAME];
  if (!first) { /* nothing left to run: the thread is done */
    end_thread(thread, TS_DONE, 0);
    return TURN_ENDED;
  }
  const char *why = load_frame(&r, first);
  if (!why && !frame_depth(first, &r.depth)) why = "the thread's chain of frames is broken";
  if (why) return invalid_code(&r, 0, why);

  static void *const handlers[256] = {
#include "spec_ignore.h"
#undef OP
#define OP(name, code, operands, bytes, pop, push, doc) [code] = &&op_##name,
#include "../../lang/spec/opcodes.def"
#include "spec_ignore_end.h"
  };

  uint32_t count = 0, pc = 0;
  enum turn_end end = TURN_CONTINUE;
  word_t a, b, c;
  const uint8_t *operand;
  /*
   * The dispatch loop's one check is the budget's, count >= budget, as without a debugger. When
   * the debugger has something for this thread or method, every instruction must take the slow
   * path, which asks debugger_check: budget is then the next instruction's count (WATCH) and the
   * turn's own budget waits in `slice`, which the slow path alone reads.
   */
  int watching = 0, watch_thread = 0;
  const uint32_t slice = budget;
#define WATCH()       \
  do {                \
    watching = 1;     \
    budget = count;   \
  } while (0)
#define UNWATCH()     \
  do {                \
    watching = 0;     \
    budget = slice;   \
  } while (0)
  if (debugger_armed) {
    word_t pending = 0;
    watch_thread = debugger_turn_start(thread, &pending);
    if (watch_thread || debugger_may_break_in(r.method)) WATCH();
    if (pending) {
      end = throw_from(&r, pending, r.pc, THROW_GOES_ON);
      goto after_throw;
    }
  }

#define TOP(n) r.stack[r.sp - 1 - (n)]
#define PUSH(v) (r.stack[r.sp++] = (v))
#define RAISE(code)                      \
  do {                                   \
    end = raise_error(&r, (code), pc);   \
    goto after_throw;                    \
  } while (0)
#define INVALID(why)                     \
  do {                                   \
    end = invalid_code(&r, pc, (why));   \
    goto out;                            \
  } while (0)
#define NEED_INTS(x, y) \
  if (!word_is_int(x) || !word_is_int(y)) INVALID("arithmetic on a reference")
#define CONST_AT(i) ((i) < r.nconsts ? r.consts[i] : (word_t)NULL_REF)
#define JUMP(offset)                                                                \
  do {                                                                              \
    int64_t target_ = (int64_t)r.pc + (offset);                                     \
    if (target_ < 0 || target_ >= (int64_t)r.code_len) INVALID("jump out of the code"); \
    r.pc = (uint32_t)target_;                                                       \
  } while (0)

/*
 * Check, then dispatch the instruction at r.pc. Written out twice: at next, the hot loop's only
 * entry, whose predecessors are the handlers alone (so the compiler carries pc in a register as it
 * did before the debugger), and at the end of the slow path.
 */
#define DISPATCH()                                                                                  \
  do {                                                                                              \
    pc = r.pc;                                                                                      \
    if (pc >= r.code_len) INVALID("pc past the end of the code");                                  \
    uint8_t op = r.code[pc];                                                                        \
    const struct op_info *info = &op_info[op];                                                      \
    if (!info->size) INVALID("unknown opcode");                                                     \
    if (r.code_len - pc < info->size) INVALID("instruction runs past the end of the code");        \
    if (info->pop >= 0) {                                                                           \
      if (r.sp < (uint32_t)info->pop) INVALID("operand stack underflow");                           \
      if (r.sp - (uint32_t)info->pop + (uint32_t)info->push > r.max_stack) INVALID("operand stack overflow"); \
    }                                                                                               \
    operand = r.code + pc + 1;                                                                      \
    r.pc = pc + info->size;                                                                         \
    count++;                                                                                        \
    goto *handlers[op];                                                                             \
  } while (0)

next:
  if (count >= budget) goto slow_path;
  DISPATCH();

op_NOP:
  goto next;
op_PUSH_NULL:
  PUSH(0);
  goto next;
op_PUSH_INT:
  PUSH(int_to_word(i32_at(operand)));
  goto next;
op_PUSH_CONST: {
  uint32_t i = u16_at(operand);
  if (i >= r.nconsts) INVALID("constant index out of range");
  PUSH(r.consts[i]);
  goto next;
}
op_POP:
  r.sp--;
  goto next;
op_DUP:
  a = TOP(0);
  PUSH(a);
  goto next;
op_DUP2:
  a = TOP(1);
  b = TOP(0);
  PUSH(a);
  PUSH(b);
  goto next;
op_LOAD:
  if (operand[0] >= r.nlocals) INVALID("local slot out of range");
  PUSH(r.locals[operand[0]]);
  goto next;
op_STORE:
  if (operand[0] >= r.nlocals) INVALID("local slot out of range");
  r.locals[operand[0]] = r.stack[--r.sp];
  goto next;
op_GET_FIELD: {
  uint32_t slot = u16_at(operand);
  a = TOP(0);
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!word_is_ref(a) || obj_kind(a) != KIND_SLOTS || slot >= obj_slot_count(a)) RAISE(ERR_BAD_FIELD);
  TOP(0) = obj_slots(a)[slot];
  goto next;
}
op_PUT_FIELD: {
  uint32_t slot = u16_at(operand);
  a = TOP(1);
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!word_is_ref(a) || obj_kind(a) != KIND_SLOTS || slot >= obj_slot_count(a) || !field_writable(a, slot, r.method))
    RAISE(ERR_BAD_FIELD);
  obj_slots(a)[slot] = TOP(0);
  r.sp -= 2;
  goto next;
}
op_NEW: {
  word_t cls = CONST_AT(u16_at(operand));
  if (!is_class(cls)) INVALID("NEW of something that is not a class");
  int32_t fields = slot_int(cls, CLASS_FIELD_COUNT, -1);
  if (fields < 0) INVALID("class with a bad field count");
  int bytes_kind = slot_int(cls, CLASS_KIND, KIND_SLOTS) == KIND_BYTES;
  a = gc_alloc(cls, bytes_kind ? KIND_BYTES : KIND_SLOTS, bytes_kind ? 0 : (uint32_t)fields * 4);
  if (!a) RAISE(ERR_OUT_OF_MEMORY);
  PUSH(a);
  goto next;
}
op_NEW_ARRAY: {
  word_t cls = CONST_AT(u16_at(operand));
  if (!is_array_class(cls)) INVALID("NEW_ARRAY of something that is not an array class");
  a = TOP(0);
  if (!word_is_int(a)) INVALID("array length is not an integer");
  if (word_to_int(a) < 0) RAISE(ERR_BAD_ARGUMENT);
  b = gc_alloc(cls, KIND_SLOTS, (uint32_t)word_to_int(a) * 4);
  if (!b) RAISE(ERR_OUT_OF_MEMORY);
  TOP(0) = b;
  goto next;
}
op_ALOAD:
  a = TOP(1);
  b = TOP(0);
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!is_array(a) || !word_is_int(b)) RAISE(ERR_BAD_CAST);
  if ((uint32_t)word_to_int(b) >= obj_slot_count(a)) RAISE(ERR_INDEX);
  r.sp--;
  TOP(0) = obj_slots(a)[word_to_int(b)];
  goto next;
op_ASTORE:
  a = TOP(2);
  b = TOP(1);
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!is_array(a) || !word_is_int(b)) RAISE(ERR_BAD_CAST);
  if ((uint32_t)word_to_int(b) >= obj_slot_count(a)) RAISE(ERR_INDEX);
  if (!array_admits(obj_class(a), TOP(0))) RAISE(ERR_ARRAY_STORE);
  obj_slots(a)[word_to_int(b)] = TOP(0);
  r.sp -= 3;
  goto next;
op_ALEN:
  a = TOP(0);
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!is_array(a)) RAISE(ERR_BAD_CAST);
  TOP(0) = int_to_word((int32_t)obj_slot_count(a));
  goto next;

#define BINARY(expr)   \
  a = TOP(1);          \
  b = TOP(0);          \
  NEED_INTS(a, b);     \
  r.sp--;              \
  TOP(0) = (expr);     \
  goto next;
op_ADD:
  BINARY(a + b)
op_SUB:
  BINARY(a - b)
op_MUL:
  BINARY((uint32_t)word_to_int(a) * b)
op_DIV:
  a = TOP(1);
  b = TOP(0);
  NEED_INTS(a, b);
  if (!b) RAISE(ERR_DIVIDE_BY_ZERO);
  r.sp--;
  TOP(0) = int_to_word((int32_t)((int64_t)word_to_int(a) / word_to_int(b)));
  goto next;
op_MOD:
  a = TOP(1);
  b = TOP(0);
  NEED_INTS(a, b);
  if (!b) RAISE(ERR_DIVIDE_BY_ZERO);
  r.sp--;
  TOP(0) = int_to_word((int32_t)((int64_t)word_to_int(a) % word_to_int(b)));
  goto next;
op_NEG:
  a = TOP(0);
  if (!word_is_int(a)) INVALID("arithmetic on a reference");
  TOP(0) = 0u - a;
  goto next;
op_BAND:
  BINARY(a & b)
op_BOR:
  BINARY(a | b)
op_BXOR:
  BINARY(a ^ b)
op_BNOT:
  a = TOP(0);
  if (!word_is_int(a)) INVALID("arithmetic on a reference");
  TOP(0) = ~a & ~(uint32_t)REF_TAG;
  goto next;
op_SHL:
  BINARY(int_to_word((int32_t)((uint32_t)word_to_int(a) << (word_to_int(b) & 31))))
op_SHR:
  BINARY(int_to_word(word_to_int(a) >> (word_to_int(b) & 31)))
op_EQ:
  a = TOP(1);
  b = TOP(0);
  r.sp--;
  TOP(0) = int_to_word(a == b);
  goto next;
op_NE:
  a = TOP(1);
  b = TOP(0);
  r.sp--;
  TOP(0) = int_to_word(a != b);
  goto next;
op_LT:
  BINARY(int_to_word((int32_t)a < (int32_t)b))
op_LE:
  BINARY(int_to_word((int32_t)a <= (int32_t)b))
op_GT:
  BINARY(int_to_word((int32_t)a > (int32_t)b))
op_GE:
  BINARY(int_to_word((int32_t)a >= (int32_t)b))
#undef BINARY
op_NOT:
  TOP(0) = int_to_word(TOP(0) == 0);
  goto next;
op_JMP:
  JUMP((int16_t)u16_at(operand));
  goto next;
op_JMP_FALSE:
  if (r.stack[--r.sp] == 0) JUMP((int16_t)u16_at(operand));
  goto next;
op_JMP_TRUE:
  if (r.stack[--r.sp] != 0) JUMP((int16_t)u16_at(operand));
  goto next;
op_CALL_VIRT: {
  uint32_t vindex = u16_at(operand), argc = operand[2];
  if (argc == 0 || r.sp < argc) INVALID("virtual call without a receiver");
  a = r.stack[r.sp - argc];
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!word_is_ref(a)) RAISE(ERR_BAD_CAST);
  word_t vtable = obj_slots(obj_class(a))[CLASS_VTABLE];
  if (!is_array(vtable) || vindex >= obj_slot_count(vtable)) RAISE(ERR_BAD_FIELD);
  end = invoke(&r, obj_slots(vtable)[vindex], argc, pc);
  goto after_call;
}
op_CALL_STATIC: {
  uint32_t i = u16_at(operand), argc = operand[2];
  if (i >= r.nconsts) INVALID("constant index out of range");
  end = invoke(&r, r.consts[i], argc, pc);
  goto after_call;
}
op_RET:
  end = return_from(&r, r.stack[--r.sp], 1);
  goto after_call;
op_RET_VOID:
  end = return_from(&r, 0, 0);
  goto after_call;
op_THROW:
  a = r.stack[--r.sp];
  if (!a) RAISE(ERR_NULL_REFERENCE);
  if (!word_is_ref(a)) RAISE(ERR_BAD_CAST);
  end = throw_object(&r, a, pc);
  goto after_throw;
op_CONCAT: {
  a = TOP(1);
  b = TOP(0);
  if ((a && !is_string(a)) || (b && !is_string(b))) INVALID("CONCAT of something that is not a string");
  uint32_t la = a ? obj_size(a) : 4, lb = b ? obj_size(b) : 4;
  if ((uint64_t)la + lb > SPACE_SIZE_MAX) RAISE(ERR_OUT_OF_MEMORY);
  c = gc_alloc(vm_class[CID_STRING], KIND_BYTES, la + lb);
  if (!c) RAISE(ERR_OUT_OF_MEMORY);
  memcpy(obj_bytes(c), a ? (const void *)obj_bytes(a) : "null", la);
  memcpy(obj_bytes(c) + la, b ? (const void *)obj_bytes(b) : "null", lb);
  r.sp--;
  TOP(0) = c;
  goto next;
}
op_I2S:
  a = TOP(0);
  if (!word_is_int(a)) INVALID("I2S of a reference");
  c = string_from_int(word_to_int(a));
  if (!c) RAISE(ERR_OUT_OF_MEMORY);
  TOP(0) = c;
  goto next;
op_B2S:
  c = TOP(0) ? string_new("true", 4) : string_new("false", 5);
  if (!c) RAISE(ERR_OUT_OF_MEMORY);
  TOP(0) = c;
  goto next;
op_O2S:
  c = string_of_value(TOP(0));
  if (!c) RAISE(ERR_OUT_OF_MEMORY);
  TOP(0) = c;
  goto next;
op_CHECKCAST: {
  word_t cls = CONST_AT(u16_at(operand));
  if (!is_class(cls)) INVALID("CHECKCAST to something that is not a class");
  a = TOP(0);
  if (a && (!word_is_ref(a) || !instance_of(a, cls))) RAISE(ERR_BAD_CAST);
  goto next;
}
op_INSTANCEOF: {
  word_t cls = CONST_AT(u16_at(operand));
  if (!is_class(cls)) INVALID("INSTANCEOF of something that is not a class");
  a = TOP(0);
  TOP(0) = int_to_word(a && word_is_ref(a) && instance_of(a, cls));
  goto next;
}

after_call:
after_throw:
  if (end == TURN_CONTINUE) {
    if (debugger_armed) {
      if (watch_thread || debugger_may_break_in(r.method))
        WATCH();
      else
        UNWATCH();
    }
    goto next;
  }
  if (end == TURN_ENDED) goto done;
  goto out;
slow_path: /* the budget is spent, or the debugger has something for this thread or method */
  if (count >= slice) {
    end = TURN_SLICE;
    goto out;
  }
  {
    enum debugger_verdict verdict = debugger_check(thread, r.method, r.pc, r.depth, r.locals, r.nlocals);
    if (verdict == DEBUGGER_STOP) {
      end = TURN_STOPPED;
      goto out;
    }
    if (verdict == DEBUGGER_UNWATCH) {
      watch_thread = 0;
      if (!debugger_may_break_in(r.method)) UNWATCH();
    }
  }
  if (watching) budget = count + 1; /* the next instruction takes the slow path too */
  DISPATCH();
out:
  if (end != TURN_ENDED) save_frame(&r);
done:
  frame_cache_release();
  *executed += count;
  return end;
#undef TOP
#undef PUSH
#undef RAISE
#undef INVALID
#undef NEED_INTS
#undef CONST_AT
#undef JUMP
#undef WATCH
#undef UNWATCH
#undef DISPATCH
}
