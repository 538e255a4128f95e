/*
 * interp.h — what the VM's own files share: the internal classes cached at start, the interpreter's
 * entry point, the scheduler's clock and current thread, the native-method interface and the
 * string helpers. Not for the rest of the kernel (that is vm.h).
 */
#ifndef PHANTOM_INTERP_H
#define PHANTOM_INTERP_H

#include <stdint.h>

#include "objspace.h"

/** The internal classes by CID_*, read from ROOT_CLASSES by vm_try_start (reachable, so never freed). */
extern word_t vm_class[CID_BOOT + 1];
/** The array class .internal.string[] (directory.keys), found in ROOT_ARRAY_CLASSES by vm_try_start. */
extern word_t vm_string_array_class;

static inline int is_instance_of_cid(word_t w, uint32_t cid) { return word_is_ref(w) && obj_class(w) == vm_class[cid]; }
static inline int is_string(word_t w) { return is_instance_of_cid(w, CID_STRING); }
static inline int is_class(word_t w) {
  return is_instance_of_cid(w, CID_CLASS) && obj_kind(w) == KIND_SLOTS && obj_slot_count(w) >= CID_CLASS_SLOTS;
}
/** A class whose instances are arrays: an array class T[], or .internal.array (the VM's own arrays). */
static inline int is_array_class(word_t w) { return is_class(w) && obj_slots(w)[CLASS_INTERNAL_ID] == int_to_word(CID_ARRAY); }
/** An array: every object's class is a class (space_validate, the allocator), so one load tells. */
static inline int is_array(word_t w) {
  return word_is_ref(w) && obj_kind(w) == KIND_SLOTS && obj_slots(obj_class(w))[CLASS_INTERNAL_ID] == int_to_word(CID_ARRAY);
}
static inline int is_thread(word_t w) {
  return is_instance_of_cid(w, CID_THREAD) && obj_kind(w) == KIND_SLOTS && obj_slot_count(w) >= CID_THREAD_SLOTS;
}
/** An int slot read with a fallback, for fields of internal objects a bad program might have overwritten. */
static inline int32_t slot_int(word_t obj, uint32_t slot, int32_t fallback) {
  word_t w = obj_slots(obj)[slot];
  return word_is_int(w) ? word_to_int(w) : fallback;
}

/** Is obj (a reference) an instance of cls or a subclass? */
int instance_of(word_t obj, word_t cls);

/** May method (0: the debugger) write slot `slot` of obj? Never a field a system class declares (interp.c). */
int field_writable(word_t obj, uint32_t slot, word_t method);

/** May an array of class cls (an array class) hold v? Never for the VM's own arrays (array.c). */
int array_admits(word_t cls, word_t v);

/** How a thread's turn ended. */
enum turn_end {
  TURN_CONTINUE, /**< (natives only) the turn goes on */
  TURN_SLICE,    /**< the instruction budget ran out */
  TURN_YIELD,    /**< yield, or sleep: the thread's state says which */
  TURN_ENDED,    /**< the thread is done or failed */
  TURN_STOPPED,  /**< the debugger stopped the thread (debugger.c); its frame is written back */
};

/** Run a thread for at most `budget` instructions; adds what ran to *executed. */
enum turn_end interp_run(word_t thread, uint32_t budget, uint64_t *executed);

/** Forget the C-side state of a previous space (the frame cache): vm_try_start calls it. */
void interp_reset(void);

/** A frame ready to run method from pc 0 (locals zero, no caller), or 0 when the space is full. */
word_t frame_new(word_t method);

/** Source line of pc from METHOD_LINES (the last entry at or before pc), or -1. */
int32_t method_line_of(word_t method, uint32_t pc);

/** Is pc the start of an instruction of method's code (a sane bytecode method)? */
int method_pc_is_instruction(word_t method, uint32_t pc);

/** Does method look runnable: a .internal.method with code, consts, locals and stack in range? */
int method_is_sane(word_t method);

/* ── scheduler (thread.c) ── */
word_t thread_current(void);
/** Machine time in ms (ROOT_CLOCK, advanced to now). */
int32_t clock_now(void);
/** Start a thread running target.run(); returns it, or 0 with *error set to an ERR_*. */
word_t thread_spawn(word_t target, uint32_t *error);
/** Start a runnable thread whose first frame is frame (target: THREAD_TARGET, or 0); 0 when the space is full. */
word_t thread_start(word_t frame, word_t target);

/* ── natives (natives.c and the files by noun) ── */
struct native_call {
  word_t *args;       /**< argc values, receiver first; still on the caller's stack, so GC roots */
  word_t result;      /**< pushed if the method has MF_RETURNS */
  uint32_t error;     /**< an ERR_* to raise instead of returning, or 0 */
  enum turn_end turn; /**< TURN_CONTINUE, or TURN_YIELD for sleep and yield */
};
typedef void (*native_fn)(struct native_call *c);

/** DIR_PUT without the reservation of the root directory's DEBUGGER_NAME: for the VM's own entry (debugger.c). */
void directory_put(struct native_call *c);

/** Argument count natives.def gives each native, receiver included; 0 for ids that do not exist. */
extern const uint8_t native_argc[];
extern const native_fn native_table[];
#define NATIVE_LIMIT 64

#define NATIVE_DECL(name, id, cls, method, kind, argc, sig, doc) void native_##name(struct native_call *c);
#include "spec_ignore.h"
#undef NATIVE
#define NATIVE NATIVE_DECL
#include "../../lang/spec/natives.def"
#include "spec_ignore_end.h"
#undef NATIVE_DECL

/* ── strings (string.c) ── */
/** A new string of the bytes, or 0 when the space is full. */
word_t string_new(const void *bytes, uint32_t n);
/** The decimal form of n as a new string. */
word_t string_from_int(int32_t n);
/** O2S without allocating: writes the text of w (string, "null", "<class>", digits) to the console. */
void console_write_value(word_t w);
/** O2S: a string stays itself, null and objects become new strings; 0 when the space is full. */
word_t string_of_value(word_t w);
void console_write_string(word_t s);

#endif
