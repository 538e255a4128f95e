/*
 * debugger.c — breakpoints, stopped threads and steps, kept in the object space (debugger.h).
 *
 * The state is one .internal.array under DEBUGGER_NAME in the root directory, made on the first
 * request that sets something and never freed (it is a few KiB). Its slots, all small integers
 * or references to objects the GC keeps alive through it:
 *
 *   DS_VERSION          DS_VERSION_1
 *   DS_NEXT_ID          the id the next breakpoint gets (ids are never reused)
 *   DS_EXCEPTIONS       a DBG_EXCEPTIONS_* mode
 *   DS_BREAKPOINTS...   DBG_MAX_BREAKPOINTS rows of BP_SLOTS (BP_ID 0: an empty row), in the
 *                       order they were set
 *   DS_THREADS...       DBG_MAX_DEBUGGED rows of TH_SLOTS (TH_THREAD null: an empty row): a
 *                       thread that is stopped, stepping, or continued but not yet past the
 *                       instruction it stopped before
 *
 * A stopped thread keeps its TS_* state (a sleeping one goes on sleeping once continued); the
 * scheduler skips it (debugger_thread_parked). Its frames are complete in the space: a thread
 * stops between two instructions, at a safe point of its own, with pc and sp written back.
 *
 * Not here: the wire (debug_agent.c serves the requests and sends the events), the dispatch loop
 * (interp.c asks debugger_check before an instruction only while debugger_armed says so).
 */
#include "debugger.h"

#include "gc.h"
#include "interp.h"
#include "klib.h"

#define DS_VERSION 0
#define DS_NEXT_ID 1
#define DS_EXCEPTIONS 2
#define DS_BREAKPOINTS 3
#define DS_VERSION_1 1

#define BP_ID 0
#define BP_METHOD 1
#define BP_PC 2
#define BP_FLAGS 3
#define BP_CONDITION 4
#define BP_LOCAL 5
#define BP_VALUE 6
#define BP_HIT_COUNT 7
#define BP_HITS 8
#define BP_MESSAGE 9
#define BP_SLOTS 10

#define TH_THREAD 0
#define TH_MODE 1
#define TH_REASON 2
#define TH_BREAKPOINT 3
#define TH_EXCEPTION 4   /**< an error thrown where the thread stopped, thrown when it goes on */
#define TH_STEP_KIND 5
#define TH_STEP_DEPTH 6  /**< frames of the thread when the step began */
#define TH_STEP_LINE 7   /**< the line it began on */
#define TH_STARTED 8     /**< 1 once the first instruction after the stop has run (or is a handler's) */
#define TH_SLOTS 9

#define DS_THREADS (DS_BREAKPOINTS + DBG_MAX_BREAKPOINTS * BP_SLOTS)
#define DS_SLOTS (DS_THREADS + DBG_MAX_DEBUGGED * TH_SLOTS)

enum thread_mode { TM_NONE, TM_STOPPED, TM_RESUMING, TM_STEPPING };

/* The part of the layout lang's reference interpreter reads (layout.def: stopped threads stay stopped there too). */
_Static_assert(DEBUGGER_STATE_VERSION == DS_VERSION && DEBUGGER_STATE_V1 == DS_VERSION_1, "layout.def's debugger state");
_Static_assert(DEBUGGER_STATE_SLOTS == DS_SLOTS && DEBUGGER_THREAD_ROWS == DS_THREADS, "layout.def's debugger state");
_Static_assert(DEBUGGER_ROW_SLOTS == TH_SLOTS && DEBUGGER_ROW_THREAD == TH_THREAD && DEBUGGER_ROW_MODE == TH_MODE,
               "layout.def's debugger state");
_Static_assert((int)DEBUGGER_MODE_STOPPED == (int)TM_STOPPED, "layout.def's debugger state");

uint32_t debugger_armed;
uint32_t debugger_exceptions;
uint32_t debugger_method_filter;

static word_t state;                                /**< the state array, or 0 (none yet) */
static word_t bp_methods[DBG_MAX_BREAKPOINTS];      /**< methods with a breakpoint, distinct */
static uint32_t bp_method_count;
static uint32_t thread_rows;                         /**< rows in use */
static const struct debugger_events *events;

/* ── the state array ── */

static word_t *ds(void) { return obj_slots(state); }
static word_t *bp_row(uint32_t i) { return ds() + DS_BREAKPOINTS + i * BP_SLOTS; }
static word_t *th_row(uint32_t i) { return ds() + DS_THREADS + i * TH_SLOTS; }
static int32_t get(const word_t *row, uint32_t slot) { return word_is_int(row[slot]) ? word_to_int(row[slot]) : 0; }
static void set(word_t *row, uint32_t slot, int32_t v) { row[slot] = int_to_word(v); }

static int is_state(word_t w) {
  return is_array(w) && obj_class(w) == vm_class[CID_ARRAY] && obj_slot_count(w) == DS_SLOTS &&
         obj_slots(w)[DS_VERSION] == int_to_word(DS_VERSION_1);
}

static word_t root_directory(void) {
  word_t d = obj_slots(space_root())[ROOT_DIRECTORY];
  return is_instance_of_cid(d, CID_DIRECTORY) && obj_slot_count(d) >= CID_DIRECTORY_SLOTS ? d : 0;
}

/** The value the root directory holds under DEBUGGER_NAME, or 0. */
static word_t find_state(void) {
  word_t d = root_directory();
  if (!d) return 0;
  word_t *s = obj_slots(d);
  int32_t n = slot_int(d, DIR_COUNT, 0);
  if (n <= 0 || !is_array(s[DIR_KEYS]) || !is_array(s[DIR_VALUES])) return 0;
  uint32_t len = (uint32_t)strlen(DEBUGGER_NAME);
  for (uint32_t i = 0; i < (uint32_t)n && i < obj_slot_count(s[DIR_KEYS]) && i < obj_slot_count(s[DIR_VALUES]); i++) {
    word_t k = obj_slots(s[DIR_KEYS])[i];
    if (is_string(k) && obj_size(k) == len && !memcmp(obj_bytes(k), DEBUGGER_NAME, len)) return obj_slots(s[DIR_VALUES])[i];
  }
  return 0;
}

/** Recount what the interpreter asks on its hot path. */
static void recache(void) {
  bp_method_count = 0;
  debugger_method_filter = 0;
  thread_rows = 0;
  debugger_exceptions = 0;
  if (state) {
    for (uint32_t i = 0; i < DBG_MAX_BREAKPOINTS; i++) {
      word_t *b = bp_row(i);
      if (!get(b, BP_ID)) continue;
      uint32_t j = 0;
      while (j < bp_method_count && bp_methods[j] != b[BP_METHOD]) j++;
      if (j == bp_method_count) bp_methods[bp_method_count++] = b[BP_METHOD];
      debugger_method_filter |= 1u << ((b[BP_METHOD] >> 2) & 31);
    }
    for (uint32_t i = 0; i < DBG_MAX_DEBUGGED; i++)
      if (th_row(i)[TH_THREAD]) thread_rows++;
    debugger_exceptions = (uint32_t)get(ds(), DS_EXCEPTIONS);
  }
  debugger_armed = bp_method_count + thread_rows + debugger_exceptions;
}

void debugger_load(void) {
  word_t s = find_state();
  state = is_state(s) ? s : 0;
  recache();
}

void debugger_set_events(const struct debugger_events *e) { events = e; }

/** The state, made (and entered in the root directory) when there is none; 0 when the space is full. */
static word_t make_state(void) {
  if (state) return state;
  word_t d = root_directory();
  if (!d) return 0;
  word_t a = gc_alloc(vm_class[CID_ARRAY], KIND_SLOTS, DS_SLOTS * 4);
  if (!a) return 0;
  gc_pin(&a);
  word_t name = string_new(DEBUGGER_NAME, (uint32_t)strlen(DEBUGGER_NAME));
  gc_pin(&name);
  word_t args[3] = {root_directory(), name, a};
  struct native_call c = {args, 0, 0, TURN_CONTINUE};
  if (name) {
    obj_slots(a)[DS_VERSION] = int_to_word(DS_VERSION_1);
    obj_slots(a)[DS_NEXT_ID] = int_to_word(1);
    directory_put(&c);
  }
  gc_unpin(2);
  if (!name || c.error) return 0;
  state = a;
  return state;
}

static struct wire_bytes string_bytes(word_t s) {
  return is_string(s) ? (struct wire_bytes){obj_bytes(s), obj_size(s)} : (struct wire_bytes){0, 0};
}

/* ── lookups ── */

static int32_t find_thread_row(word_t thread) {
  if (!state || !thread_rows) return -1;
  for (uint32_t i = 0; i < DBG_MAX_DEBUGGED; i++)
    if (th_row(i)[TH_THREAD] == thread) return (int32_t)i;
  return -1;
}

static int32_t free_thread_row(void) {
  for (uint32_t i = 0; i < DBG_MAX_DEBUGGED; i++)
    if (!th_row(i)[TH_THREAD]) return (int32_t)i;
  return -1;
}

static void clear_thread_row(uint32_t i) {
  memset(th_row(i), 0, TH_SLOTS * 4);
  recache();
}

int debugger_method_has_breakpoint(word_t method) {
  for (uint32_t i = 0; i < bp_method_count; i++)
    if (bp_methods[i] == method) return 1;
  return 0;
}

int debugger_thread_parked(word_t thread) {
  int32_t i = find_thread_row(thread);
  return i >= 0 && get(th_row((uint32_t)i), TH_MODE) == TM_STOPPED;
}

static uint32_t frame_count(word_t thread) {
  uint32_t n = 0;
  for (word_t f = obj_slots(thread)[THREAD_FRAME]; is_instance_of_cid(f, CID_FRAME) && n <= MAX_FRAME_DEPTH;
       f = obj_slots(f)[FRAME_CALLER])
    n++;
  return n;
}

/** The stop of row i as an event (its innermost frame's method, pc and line). */
static struct stopped_event stop_of(uint32_t i) {
  word_t *t = th_row(i), thread = t[TH_THREAD];
  word_t frame = obj_slots(thread)[THREAD_FRAME], method = 0;
  uint32_t pc = 0;
  if (is_instance_of_cid(frame, CID_FRAME)) {
    method = obj_slots(frame)[FRAME_METHOD];
    pc = (uint32_t)slot_int(frame, FRAME_PC, 0);
  }
  return (struct stopped_event){
      .thread = obj_addr(thread),
      .id = (uint32_t)slot_int(thread, THREAD_ID, 0),
      .reason = (uint8_t)get(t, TH_REASON),
      .breakpoint = (uint32_t)get(t, TH_BREAKPOINT),
      .method = method_is_sane(method) ? obj_addr(method) : 0,
      .pc = pc,
      .line = method_is_sane(method) ? method_line_of(method, pc) : -1,
      .exception = word_is_ref(t[TH_EXCEPTION]) ? obj_addr(t[TH_EXCEPTION]) : 0,
  };
}

/** Row i's thread stops (its frame is written back by the caller, or already is). */
static void stop_row(uint32_t i, uint32_t reason, uint32_t breakpoint) {
  word_t *t = th_row(i);
  set(t, TH_MODE, TM_STOPPED);
  set(t, TH_REASON, (int32_t)reason);
  set(t, TH_BREAKPOINT, (int32_t)breakpoint);
  set(t, TH_STARTED, 0);
  recache();
}

/** A row for thread, stopped for reason; -1 when every row is taken. */
static int32_t stop_thread(word_t thread, uint32_t reason, uint32_t breakpoint) {
  int32_t i = find_thread_row(thread);
  if (i < 0) i = free_thread_row();
  if (i < 0) return -1;
  th_row((uint32_t)i)[TH_THREAD] = thread;
  stop_row((uint32_t)i, reason, breakpoint);
  return i;
}

static void notify_stopped(uint32_t i, word_t method, uint32_t pc) {
  if (!events || !events->stopped) return;
  struct stopped_event e = stop_of(i);
  e.method = obj_addr(method);
  e.pc = pc;
  e.line = method_line_of(method, pc);
  events->stopped(&e);
}

/* ── the interpreter's side ── */

int debugger_turn_start(word_t thread, word_t *throw_pending) {
  *throw_pending = 0;
  int32_t i = find_thread_row(thread);
  if (i < 0) return 0;
  word_t *t = th_row((uint32_t)i);
  if (t[TH_EXCEPTION] && get(t, TH_MODE) != TM_STOPPED) {
    *throw_pending = t[TH_EXCEPTION];
    t[TH_EXCEPTION] = 0;
    set(t, TH_STARTED, 1); /* the handler's first instruction is a new one: check it */
  }
  return 1;
}

static int condition_holds(const word_t *b, const word_t *locals, uint32_t nlocals) {
  int32_t cond = get(b, BP_CONDITION);
  if (cond == DBG_COND_NONE) return 1;
  uint32_t local = (uint32_t)get(b, BP_LOCAL);
  if (local >= nlocals) return 0;
  word_t w = locals[local];
  int32_t value = get(b, BP_VALUE);
  if (cond == DBG_COND_EQ) return w == int_to_word(value);
  if (cond == DBG_COND_NE) return w != int_to_word(value);
  if (!word_is_int(w)) return 0;
  int32_t x = word_to_int(w);
  switch (cond) {
  case DBG_COND_LT: return x < value;
  case DBG_COND_LE: return x <= value;
  case DBG_COND_GT: return x > value;
  default: return x >= value;
  }
}

/** The breakpoint at (method, pc) acts: 0 no, else its row index + 1. Counts its hits. */
static uint32_t breakpoint_acts(word_t method, uint32_t pc, const word_t *locals, uint32_t nlocals) {
  if (!debugger_may_break_in(method)) return 0;
  for (uint32_t i = 0; i < DBG_MAX_BREAKPOINTS; i++) {
    word_t *b = bp_row(i);
    if (!get(b, BP_ID) || b[BP_METHOD] != method || (uint32_t)get(b, BP_PC) != pc) continue;
    if (!condition_holds(b, locals, nlocals)) return 0;
    int32_t hits = get(b, BP_HITS);
    if (hits < SMALLINT_MAX) set(b, BP_HITS, ++hits);
    return hits >= get(b, BP_HIT_COUNT) ? i + 1 : 0;
  }
  return 0;
}

enum debugger_verdict debugger_check(word_t thread, word_t method, uint32_t pc, uint32_t depth, const word_t *locals,
                                     uint32_t nlocals) {
  int32_t row = find_thread_row(thread);
  word_t *t = row >= 0 ? th_row((uint32_t)row) : 0;
  int32_t mode = t ? get(t, TH_MODE) : TM_NONE;
  /* The instruction a thread stopped before runs once without a second stop there. */
  if (t && !get(t, TH_STARTED)) {
    set(t, TH_STARTED, 1);
    if (mode == TM_RESUMING) {
      clear_thread_row((uint32_t)row);
      return DEBUGGER_UNWATCH;
    }
    return DEBUGGER_GO;
  }
  uint32_t bp = breakpoint_acts(method, pc, locals, nlocals);
  if (bp) {
    word_t *b = bp_row(bp - 1);
    if (get(b, BP_FLAGS) & DBG_BP_LOG) {
      if (events && events->logpoint)
        events->logpoint((uint32_t)get(b, BP_ID), obj_addr(thread), (uint32_t)slot_int(thread, THREAD_ID, 0),
                         (uint32_t)get(b, BP_HITS), string_bytes(b[BP_MESSAGE]));
    } else {
      int32_t i = stop_thread(thread, DBG_STOP_BREAKPOINT, (uint32_t)get(b, BP_ID));
      if (i >= 0) {
        notify_stopped((uint32_t)i, method, pc);
        return DEBUGGER_STOP;
      }
    }
  }
  if (mode != TM_STEPPING) return DEBUGGER_GO;
  uint32_t from = (uint32_t)get(t, TH_STEP_DEPTH);
  int32_t line = method_line_of(method, pc), from_line = get(t, TH_STEP_LINE);
  int new_line = line >= 0 && line != from_line;
  int stop;
  switch (get(t, TH_STEP_KIND)) {
  case DBG_STEP_INSTRUCTION: stop = 1; break;
  case DBG_STEP_INTO: stop = depth != from || new_line; break;
  case DBG_STEP_OVER: stop = depth < from || (depth == from && new_line); break;
  default: stop = depth < from; break;
  }
  if (!stop) return DEBUGGER_GO;
  stop_row((uint32_t)row, DBG_STOP_STEP, 0);
  notify_stopped((uint32_t)row, method, pc);
  return DEBUGGER_STOP;
}

int debugger_stop_on_throw(word_t thread, word_t method, uint32_t pc, word_t obj, int caught) {
  if (debugger_exceptions == DBG_EXCEPTIONS_NONE || (debugger_exceptions == DBG_EXCEPTIONS_UNCAUGHT && caught)) return 0;
  int32_t i = stop_thread(thread, DBG_STOP_EXCEPTION, 0);
  if (i < 0) return 0;
  th_row((uint32_t)i)[TH_EXCEPTION] = obj;
  notify_stopped((uint32_t)i, method, pc);
  return 1;
}

void debugger_thread_ended(word_t thread) {
  int32_t i = find_thread_row(thread);
  if (i >= 0) clear_thread_row((uint32_t)i);
}

/* ── the channel's side ── */

/** Is m a method of a class of the machine (a real object start, not bytes that look like one)? */
static int known_method(word_t m) {
  word_t *root = obj_slots(space_root());
  word_t lists[2] = {root[ROOT_CLASSES], root[ROOT_PROGRAM_CLASSES]};
  for (uint32_t l = 0; l < 2; l++) {
    if (!is_array(lists[l])) continue;
    for (uint32_t c = 0; c < obj_slot_count(lists[l]); c++) {
      word_t cls = obj_slots(lists[l])[c];
      word_t methods = is_class(cls) ? obj_slots(cls)[CLASS_METHODS] : 0;
      for (uint32_t k = 0; is_array(methods) && k < obj_slot_count(methods); k++)
        if (obj_slots(methods)[k] == m) return 1;
    }
  }
  return 0;
}

/** The thread object at addr when it is one of the machine's threads, else 0. */
static word_t known_thread(uint32_t addr) {
  uint32_t steps = (space_top() - SPACE_FIRST_OBJECT) / HEADER_BYTES + 1;
  for (word_t t = obj_slots(space_root())[ROOT_THREADS]; is_thread(t) && steps--; t = obj_slots(t)[THREAD_NEXT])
    if (obj_addr(t) == addr) return t;
  return 0;
}

static int alive(word_t t) {
  int32_t s = slot_int(t, THREAD_STATE, TS_FAILED);
  return s == TS_RUNNABLE || s == TS_SLEEPING;
}

#define FAIL(code, message) \
  do {                      \
    *why = (message);       \
    return (code);          \
  } while (0)

int debugger_set_breakpoint(const struct set_breakpoint_request *r, uint32_t *id, const char **why) {
  word_t m = addr_ref(r->method);
  if (!r->method || !obj_is_sane(m) || !known_method(m)) FAIL(DE_NOT_FOUND, "SET_BREAKPOINT: no such method in the machine's classes");
  if (!method_is_sane(m) || slot_int(m, METHOD_NATIVE, 0)) FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: a native method has no instructions");
  if (!method_pc_is_instruction(m, r->pc)) FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: pc is not the start of an instruction of the method");
  if (r->condition != DBG_COND_NONE && r->local >= (uint32_t)slot_int(m, METHOD_LOCALS, 0))
    FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: the condition's local is not a local of the method");
  if (!int_fits(r->value)) FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: the condition's value is not a small integer");
  if (r->hit_count > SMALLINT_MAX) FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: hit_count is larger than a small integer");
  if (r->message.len > DBG_MAX_LOG_MESSAGE) FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: the message is longer than DBG_MAX_LOG_MESSAGE");
  /* Rows in use are a prefix, in the order they were set (a clear moves the later ones down). */
  uint32_t at = 0;
  for (; state && at < DBG_MAX_BREAKPOINTS && get(bp_row(at), BP_ID); at++)
    if (bp_row(at)[BP_METHOD] == m && (uint32_t)get(bp_row(at), BP_PC) == r->pc)
      FAIL(DE_BAD_REQUEST, "SET_BREAKPOINT: a breakpoint is set there already");
  if (at == DBG_MAX_BREAKPOINTS) FAIL(DE_BUSY, "SET_BREAKPOINT: DBG_MAX_BREAKPOINTS breakpoints are set already");
  if (!make_state()) FAIL(DE_FAILED, "SET_BREAKPOINT: the object space is full");
  if (get(ds(), DS_NEXT_ID) >= SMALLINT_MAX) FAIL(DE_FAILED, "SET_BREAKPOINT: no breakpoint ids are left");
  word_t message = 0;
  if (r->message.len) {
    message = string_new(r->message.p, r->message.len);
    if (!message) FAIL(DE_FAILED, "SET_BREAKPOINT: the object space is full");
  }
  word_t *b = bp_row(at);
  *id = (uint32_t)get(ds(), DS_NEXT_ID);
  set(ds(), DS_NEXT_ID, (int32_t)*id + 1);
  set(b, BP_ID, (int32_t)*id);
  b[BP_METHOD] = m;
  set(b, BP_PC, (int32_t)r->pc);
  set(b, BP_FLAGS, r->flags);
  set(b, BP_CONDITION, r->condition);
  set(b, BP_LOCAL, r->local);
  set(b, BP_VALUE, r->value);
  set(b, BP_HIT_COUNT, (int32_t)r->hit_count);
  set(b, BP_HITS, 0);
  b[BP_MESSAGE] = message;
  recache();
  return 0;
}

int debugger_clear_breakpoint(uint32_t id, const char **why) {
  for (uint32_t i = 0; state && id && i < DBG_MAX_BREAKPOINTS; i++) {
    if ((uint32_t)get(bp_row(i), BP_ID) != id) continue;
    memmove(bp_row(i), bp_row(i + 1), (DBG_MAX_BREAKPOINTS - 1 - i) * BP_SLOTS * 4);
    memset(bp_row(DBG_MAX_BREAKPOINTS - 1), 0, BP_SLOTS * 4);
    recache();
    return 0;
  }
  FAIL(DE_NOT_FOUND, "CLEAR_BREAKPOINT: no breakpoint has that id");
}

void debugger_list_breakpoints(void (*each)(const struct breakpoint_entry *e, void *ctx), void *ctx) {
  for (uint32_t i = 0; state && i < DBG_MAX_BREAKPOINTS; i++) {
    word_t *b = bp_row(i);
    if (!get(b, BP_ID)) continue;
    struct breakpoint_entry e = {
        .id = (uint32_t)get(b, BP_ID),
        .method = obj_addr(b[BP_METHOD]),
        .pc = (uint32_t)get(b, BP_PC),
        .flags = (uint8_t)get(b, BP_FLAGS),
        .condition = (uint8_t)get(b, BP_CONDITION),
        .local = (uint8_t)get(b, BP_LOCAL),
        .value = get(b, BP_VALUE),
        .hit_count = (uint32_t)get(b, BP_HIT_COUNT),
        .hits = (uint32_t)get(b, BP_HITS),
        .message = string_bytes(b[BP_MESSAGE]),
    };
    each(&e, ctx);
  }
}

void debugger_list_stopped(void (*each)(const struct stopped_event *e, void *ctx), void *ctx) {
  for (uint32_t i = 0; state && i < DBG_MAX_DEBUGGED; i++) {
    if (!th_row(i)[TH_THREAD] || get(th_row(i), TH_MODE) != TM_STOPPED) continue;
    struct stopped_event e = stop_of(i);
    each(&e, ctx);
  }
}

/** The thread a request names: a live thread of the machine. */
static int request_thread(uint32_t addr, word_t *t, const char *request, const char **why) {
  static char message[96];
  *t = known_thread(addr);
  if (!*t) {
    ksnprintf(message, sizeof message, "%s: no such thread", request);
    FAIL(DE_NOT_FOUND, message);
  }
  if (!alive(*t)) {
    ksnprintf(message, sizeof message, "%s: thread %d has ended", request, (int)slot_int(*t, THREAD_ID, 0));
    FAIL(DE_BAD_REQUEST, message);
  }
  return 0;
}

static void pause_one(word_t t) {
  int32_t i = stop_thread(t, DBG_STOP_PAUSE, 0);
  word_t frame = obj_slots(t)[THREAD_FRAME];
  if (i >= 0 && is_instance_of_cid(frame, CID_FRAME) && method_is_sane(obj_slots(frame)[FRAME_METHOD]))
    notify_stopped((uint32_t)i, obj_slots(frame)[FRAME_METHOD], (uint32_t)slot_int(frame, FRAME_PC, 0));
}

int debugger_pause_thread(uint32_t thread_addr, const char **why) {
  uint32_t steps = (space_top() - SPACE_FIRST_OBJECT) / HEADER_BYTES + 1, wanted = 0;
  word_t one = 0;
  if (thread_addr) {
    int rc = request_thread(thread_addr, &one, "PAUSE_THREAD", why);
    if (rc) return rc;
    if (debugger_thread_parked(one)) return 0;
    wanted = find_thread_row(one) < 0;
  } else {
    for (word_t t = obj_slots(space_root())[ROOT_THREADS]; is_thread(t) && steps--; t = obj_slots(t)[THREAD_NEXT])
      if (alive(t) && find_thread_row(t) < 0) wanted++;
  }
  if (thread_rows + wanted > DBG_MAX_DEBUGGED) FAIL(DE_BUSY, "PAUSE_THREAD: more than DBG_MAX_DEBUGGED threads would be stopped");
  if (!make_state()) FAIL(DE_FAILED, "PAUSE_THREAD: the object space is full");
  if (one) {
    pause_one(one);
    return 0;
  }
  steps = (space_top() - SPACE_FIRST_OBJECT) / HEADER_BYTES + 1;
  for (word_t t = obj_slots(space_root())[ROOT_THREADS]; is_thread(t) && steps--; t = obj_slots(t)[THREAD_NEXT])
    if (alive(t) && !debugger_thread_parked(t)) pause_one(t);
  return 0;
}

/** Row i's stopped thread goes on: its first instruction runs unchecked (then the row goes, or steps). */
static void resume_row(uint32_t i, int32_t mode) {
  word_t *t = th_row(i);
  set(t, TH_MODE, mode);
  set(t, TH_STARTED, 0);
  recache();
  if (events && events->continued)
    events->continued(obj_addr(t[TH_THREAD]), (uint32_t)slot_int(t[TH_THREAD], THREAD_ID, 0));
}

int debugger_continue_thread(uint32_t thread_addr, const char **why) {
  if (thread_addr) {
    word_t t;
    int rc = request_thread(thread_addr, &t, "CONTINUE_THREAD", why);
    if (rc) return rc;
    if (!debugger_thread_parked(t)) FAIL(DE_BAD_REQUEST, "CONTINUE_THREAD: the thread is not stopped");
    resume_row((uint32_t)find_thread_row(t), TM_RESUMING);
    return 0;
  }
  for (uint32_t i = 0; state && i < DBG_MAX_DEBUGGED; i++)
    if (th_row(i)[TH_THREAD] && get(th_row(i), TH_MODE) == TM_STOPPED) resume_row(i, TM_RESUMING);
  return 0;
}

int debugger_step(uint32_t thread_addr, uint8_t kind, const char **why) {
  word_t t;
  int rc = request_thread(thread_addr, &t, "STEP", why);
  if (rc) return rc;
  if (!debugger_thread_parked(t)) FAIL(DE_BAD_REQUEST, "STEP: the thread is not stopped");
  uint32_t i = (uint32_t)find_thread_row(t);
  word_t frame = obj_slots(t)[THREAD_FRAME];
  word_t *row = th_row(i);
  set(row, TH_STEP_KIND, kind);
  set(row, TH_STEP_DEPTH, (int32_t)frame_count(t));
  set(row, TH_STEP_LINE, method_line_of(obj_slots(frame)[FRAME_METHOD], (uint32_t)slot_int(frame, FRAME_PC, 0)));
  resume_row(i, TM_STEPPING);
  return 0;
}

int debugger_set_exceptions(uint8_t mode, const char **why) {
  if (!state && mode == DBG_EXCEPTIONS_NONE) return 0;
  if (!make_state()) FAIL(DE_FAILED, "EXCEPTION_STOPS: the object space is full");
  set(ds(), DS_EXCEPTIONS, mode);
  recache();
  return 0;
}

/** The frame at depth of a stopped thread the request names. */
static int stopped_frame(uint32_t thread_addr, uint32_t depth, const char *request, word_t *frame, const char **why) {
  static char message[96];
  word_t t;
  int rc = request_thread(thread_addr, &t, request, why);
  if (rc) return rc;
  if (!debugger_thread_parked(t)) {
    ksnprintf(message, sizeof message, "%s: the thread is not stopped", request);
    FAIL(DE_BAD_REQUEST, message);
  }
  word_t f = obj_slots(t)[THREAD_FRAME];
  for (uint32_t n = 0; n < depth && is_instance_of_cid(f, CID_FRAME); n++) f = obj_slots(f)[FRAME_CALLER];
  if (!is_instance_of_cid(f, CID_FRAME) || !method_is_sane(obj_slots(f)[FRAME_METHOD])) {
    ksnprintf(message, sizeof message, "%s: the thread has no frame that deep", request);
    FAIL(DE_NOT_FOUND, message);
  }
  *frame = f;
  return 0;
}

int debugger_frame(uint32_t thread_addr, uint32_t depth, word_t *frame, int32_t *line, const char **why) {
  *frame = 0;
  word_t f;
  int rc = stopped_frame(thread_addr, depth, "FRAME", &f, why);
  if (rc) return rc;
  *frame = f;
  uint32_t pc = (uint32_t)slot_int(f, FRAME_PC, 0);
  *line = method_line_of(obj_slots(f)[FRAME_METHOD], depth && pc ? pc - 1 : pc);
  return 0;
}

/* ── writes: SET_LOCAL and SET_FIELD ── */

/**
 * The object that starts at addr, or 0: found by walking the space's headers from the first
 * object, so that bytes inside another object's payload that look like a header are never taken
 * for one (a reference the debugger writes must be as real as one the VM made).
 */
static word_t object_at(uint32_t addr) {
  uint32_t top = space_top();
  if (addr < SPACE_FIRST_OBJECT || addr >= top || addr % OBJECT_ALIGN) return 0;
  for (uint32_t a = SPACE_FIRST_OBJECT; a <= addr && top - a >= HEADER_BYTES;) {
    const uint32_t *h = obj_header(addr_ref(a));
    uint32_t next = a + footprint(h[HDR_SIZE / 4]);
    if (next <= a || next > top) return 0;
    if (a == addr)
      return (h[HDR_FLAGS / 4] & FLAG_KIND_MASK) != KIND_FREE && obj_is_sane(addr_ref(a)) ? addr_ref(a) : 0;
    a = next;
  }
  return 0;
}

/** The value a request carries as a word: a small integer, null, or a reference to a real object. */
static int value_word(uint8_t kind, uint32_t bits, const char *request, word_t *v, const char **why) {
  static char message[96];
  if (kind == DBG_VALUE_INT) {
    if (!int_fits((int32_t)bits)) {
      ksnprintf(message, sizeof message, "%s: %d is not a small integer", request, (int)(int32_t)bits);
      FAIL(DE_BAD_REQUEST, message);
    }
    *v = int_to_word((int32_t)bits);
    return 0;
  }
  *v = bits ? object_at(bits) : 0;
  if (bits && !*v) {
    ksnprintf(message, sizeof message, "%s: no object starts at 0x%x", request, (unsigned)bits);
    FAIL(DE_NOT_FOUND, message);
  }
  return 0;
}

/**
 * Why a slot that holds cur may not take v, or 0 when it may. The space keeps no declared type for
 * a local or a field, only the value's: an int stays an int, a reference takes null or an object
 * of its object's class (or a subclass), so whatever its declared type, it still holds one. A 0 is
 * both the int 0 and null: it takes an int or null, never an object.
 */
static const char *refuse_kind(word_t cur, word_t v) {
  if (v == cur) return 0;
  if (!cur) return word_is_int(v) ? 0 : "it holds 0, which is also null, so its type is not known: only an int or null may go in";
  if (word_is_int(cur)) return word_is_int(v) ? 0 : "it holds an int: only an int may go in";
  if (!v || (word_is_ref(v) && instance_of(v, obj_class(cur)))) return 0;
  return word_is_int(v) ? "it holds a reference: an int may not go in"
                        : "it holds a reference: only null or an object of its object's class (or a subclass) may go in";
}

#define FAIL_WITH(code, request, reason)                                        \
  do {                                                                          \
    static char message_[160];                                                  \
    ksnprintf(message_, sizeof message_, "%s: %s", (request), (reason));        \
    FAIL((code), message_);                                                     \
  } while (0)

int debugger_check_set_local(const struct set_local_request *r, struct debugger_write *w, const char **why) {
  word_t f, v;
  int rc = stopped_frame(r->thread, r->depth, "SET_LOCAL", &f, why);
  if (!rc) rc = value_word(r->kind, r->bits, "SET_LOCAL", &v, why);
  if (rc) return rc;
  word_t method = obj_slots(f)[FRAME_METHOD];
  uint32_t nlocals = (uint32_t)slot_int(method, METHOD_LOCALS, 0);
  if (nlocals > obj_slot_count(f) - FRAME_LOCALS) nlocals = obj_slot_count(f) - FRAME_LOCALS;
  if (r->slot >= nlocals) FAIL(DE_BAD_REQUEST, "SET_LOCAL: slot is not a local of the frame's method");
  if (r->slot == 0 && !(slot_int(method, METHOD_FLAGS, 0) & MF_STATIC))
    FAIL(DE_BAD_REQUEST, "SET_LOCAL: local 0 is this, which a method relies on: the debugger does not change it");
  word_t *slot = obj_slots(f) + FRAME_LOCALS + r->slot;
  const char *refused = refuse_kind(*slot, v);
  if (refused) FAIL_WITH(DE_BAD_REQUEST, "SET_LOCAL", refused);
  *w = (struct debugger_write){slot, v};
  return 0;
}

int debugger_check_set_field(const struct set_field_request *r, struct debugger_write *w, const char **why) {
  word_t o = object_at(r->object), v;
  if (!o) FAIL(DE_NOT_FOUND, "SET_FIELD: no object starts at that address");
  int rc = value_word(r->kind, r->bits, "SET_FIELD", &v, why);
  if (rc) return rc;
  if (obj_kind(o) != KIND_SLOTS) FAIL(DE_BAD_REQUEST, "SET_FIELD: a string or bytes object has no fields");
  if (r->slot >= obj_slot_count(o)) FAIL(DE_BAD_REQUEST, "SET_FIELD: slot is beyond the object's fields (or the array's length)");
  word_t *slot = obj_slots(o) + r->slot;
  if (is_array(o)) {
    /* The array's class says what it admits, as for ASTORE: the VM's own arrays admit nothing. */
    if (!array_admits(obj_class(o), v))
      FAIL(DE_BAD_REQUEST, "SET_FIELD: the array's element type does not admit the value (ArrayStore), or it is one of the VM's own arrays");
  } else {
    if (!field_writable(o, r->slot, 0))
      FAIL(DE_BAD_REQUEST, "SET_FIELD: a field a system class declares is read-only (BadField)");
    const char *refused = refuse_kind(*slot, v);
    if (refused) FAIL_WITH(DE_BAD_REQUEST, "SET_FIELD", refused);
  }
  *w = (struct debugger_write){slot, v};
  return 0;
}

void debugger_write(const struct debugger_write *w) { *w->slot = w->value; }
