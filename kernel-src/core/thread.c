/*
 * thread.c — the scheduler and the machine clock (lang/docs/bytecode.md, "Threads and scheduling").
 *
 * Threads are the objects in the root's list (ROOT_THREADS, THREAD_NEXT, oldest first). Each turn
 * runs the thread ROOT_CURRENT names, or the next runnable one after it round the list (a
 * sleeping thread whose THREAD_WAKE_AT has come is runnable), for at most TIME_SLICE
 * instructions; ROOT_CURRENT then moves to the thread after it, unless an instruction limit cut
 * the turn short (a run resumed from there goes on with the same thread). When no thread can run,
 * the machine idles (ph_idle_until) until the earliest wake time.
 *
 * Machine time (ROOT_CLOCK, ms) is persistent: it advances by ph_uptime_ms's progress while the
 * machine runs and is written before every turn (and, while every thread sleeps, once every
 * IDLE_CLOCK_WRITE_MS, and at a freeze after a turn: vm_clock_at_freeze), so after a restart
 * sleeping threads keep their deadlines. It is a small
 * integer and wraps after 2^30 ms; deadlines compare by wrapping subtraction. Every turn's instruction count goes to ph_ran_instructions, which a virtual clock
 * counts as time (docs/vm.md, "One model, two VMs").
 *
 * Also here: vm_try_start (validate the space, cache the internal classes) and the run loops of vm.h,
 * which report a thread's end through vm_set_thread_end_hook (the debug channel's EV_THREAD_END).
 */
#include "debugger.h"
#include "gc.h"
#include "interp.h"
#include "klib.h"
#include "platform.h"
#include "vm.h"

static word_t current_thread;
static uint64_t clock_synced_uptime; /**< ph_uptime_ms when ROOT_CLOCK was last advanced */
static uint64_t instructions;
static uint64_t instructions_at_freeze; /**< instructions at the last vm_clock_at_freeze */
static void (*safe_point_hook)(void);
static void (*idle_hook)(uint64_t until_ms);
static void (*thread_end_hook)(uint32_t thread_addr, uint32_t id, uint8_t state);

/** Longest idle between two safe points while every thread sleeps: snapshots and the debug channel go on meanwhile. */
#define SAFE_POINT_IDLE_MS 10
/** How long the machine idles when the only threads left are stopped by the debugger (only the channel can wake them). */
#define PARKED_WAIT_MS 1000
/**
 * While every thread sleeps, ROOT_CLOCK is written at most this often. Written at every idle safe
 * point, the clock alone would dirty the root's page each time, and a machine snapshotting every
 * 10 ms would commit a generation a hundred times a second doing nothing. A power cut loses at
 * most this much idle machine time: sleepers then wake that much later, and no work is lost.
 */
#define IDLE_CLOCK_WRITE_MS 1000

static word_t *root_slots(void) { return obj_slots(space_root()); }

word_t thread_current(void) { return current_thread; }

int32_t clock_now(void) {
  uint64_t up = ph_uptime_ms();
  word_t *clock = &root_slots()[ROOT_CLOCK];
  if (!word_is_int(*clock)) *clock = 0;
  *clock += int_to_word((int32_t)(uint32_t)(up - clock_synced_uptime));
  clock_synced_uptime = up;
  return word_to_int(*clock);
}

void vm_clock_at_freeze(void) {
  if (instructions == instructions_at_freeze) return;
  instructions_at_freeze = instructions;
  clock_now();
}

/** Machine time now without writing it to ROOT_CLOCK; *up gets the uptime it is of. */
static int32_t clock_peek(uint64_t *up) {
  *up = ph_uptime_ms();
  word_t clock = root_slots()[ROOT_CLOCK];
  if (!word_is_int(clock)) clock = 0;
  return word_to_int(clock + int_to_word((int32_t)(uint32_t)(*up - clock_synced_uptime)));
}

/** Wrapping difference a - b of two machine times. */
static int32_t time_diff(int32_t a, int32_t b) { return word_to_int(int_to_word(a) - int_to_word(b)); }

void vm_set_safe_point_hook(void (*hook)(void)) { safe_point_hook = hook; }

void vm_set_idle_hook(void (*hook)(uint64_t until_ms)) { idle_hook = hook; }

void vm_set_thread_end_hook(void (*hook)(uint32_t thread_addr, uint32_t id, uint8_t state)) {
  thread_end_hook = hook;
}

const char *vm_try_start(uint32_t space_bytes) {
  const char *err = space_validate(space_bytes);
  if (!err && *space_field(SH_SIZE) != space_bytes) err = "SH_SIZE is not the size of the space";
  if (err) return err;
  word_t classes = root_slots()[ROOT_CLASSES];
  for (uint32_t cid = 1; cid <= CID_BOOT; cid++) vm_class[cid] = obj_slots(classes)[cid];
  word_t arrays = root_slots()[ROOT_ARRAY_CLASSES];
  vm_string_array_class = 0;
  for (uint32_t i = 0; is_array(arrays) && i < obj_slot_count(arrays) && !vm_string_array_class; i++) {
    word_t c = obj_slots(arrays)[i];
    if (is_array_class(c) && obj_slots(c)[CLASS_ELEMENT] == vm_class[CID_STRING]) vm_string_array_class = c;
  }
  if (!vm_string_array_class) return "ROOT_ARRAY_CLASSES has no .internal.string[]";
  interp_reset();
  space_new_epoch();
  debugger_load();
  clock_synced_uptime = ph_uptime_ms();
  current_thread = 0;
  instructions = instructions_at_freeze = 0;
  return 0;
}

/** The first thread of the list, for walking it; 0 when the list does not start with a thread. */
static word_t first_thread(void) {
  word_t t = root_slots()[ROOT_THREADS];
  return is_thread(t) ? t : 0;
}

static word_t next_thread(word_t t) {
  word_t n = obj_slots(t)[THREAD_NEXT];
  return is_thread(n) ? n : 0;
}

/** More steps than the space could hold threads: a walk of the list that takes them is in a cycle. */
static uint32_t thread_walk_limit(void) { return (space_top() - SPACE_FIRST_OBJECT) / HEADER_BYTES + 1; }

/**
 * One step of a walk along the thread list, counted against *steps_left (from thread_walk_limit).
 * The list cannot have a cycle (space_validate refuses one at start, programs cannot write
 * THREAD_NEXT, thread_start appends at the end), so one means the kernel broke its own
 * invariant: stop the machine with a report rather than walk the cycle for ever.
 */
static word_t next_thread_counted(word_t t, uint32_t *steps_left) {
  if ((*steps_left)-- == 0) ph_panic("thread list: a cycle through thread %d", (int)slot_int(t, THREAD_ID, 0));
  return next_thread(t);
}

word_t thread_spawn(word_t target, uint32_t *error) {
  if (!target) {
    *error = ERR_NULL_REFERENCE;
    return 0;
  }
  word_t run = 0;
  if (word_is_ref(target)) {
    word_t vtable = obj_slots(obj_class(target))[CLASS_VTABLE];
    for (uint32_t i = 0; is_array(vtable) && i < obj_slot_count(vtable) && !run; i++) {
      word_t m = obj_slots(vtable)[i];
      word_t name = method_is_sane(m) ? obj_slots(m)[METHOD_NAME] : 0;
      if (is_string(name) && obj_size(name) == 3 && !memcmp(obj_bytes(name), "run", 3) &&
          slot_int(m, METHOD_ARGC, -1) == 1 && !slot_int(m, METHOD_NATIVE, 0))
        run = m;
    }
  }
  if (!run) {
    *error = ERR_NO_RUN;
    return 0;
  }
  word_t frame = frame_new(run);
  if (frame) obj_slots(frame)[FRAME_LOCALS] = target;
  word_t t = frame ? thread_start(frame, target) : 0;
  if (!t) *error = ERR_OUT_OF_MEMORY;
  return t;
}

word_t thread_start(word_t frame, word_t target) {
  gc_pin(&frame);
  word_t t = gc_alloc(vm_class[CID_THREAD], KIND_SLOTS, CID_THREAD_SLOTS * 4);
  gc_unpin(1);
  if (!t) return 0;
  word_t *ts = obj_slots(t);
  ts[THREAD_FRAME] = frame;
  ts[THREAD_STATE] = int_to_word(TS_RUNNABLE);
  ts[THREAD_TARGET] = target;
  word_t *next_id = &root_slots()[ROOT_NEXT_THREAD_ID];
  ts[THREAD_ID] = word_is_int(*next_id) ? *next_id : int_to_word(1);
  *next_id = ts[THREAD_ID] + int_to_word(1);
  word_t last = first_thread();
  if (!last) {
    root_slots()[ROOT_THREADS] = t;
  } else {
    uint32_t steps_left = thread_walk_limit();
    for (word_t n; (n = next_thread_counted(last, &steps_left));) last = n;
    obj_slots(last)[THREAD_NEXT] = t;
  }
  return t;
}

enum pick { PICKED, ALL_SLEEPING, NONE_ALIVE };

/**
 * The thread to run next, from ROOT_CURRENT round the list. Wakes sleepers whose time has come.
 * When none can run, *wait_ms is how long until the earliest sleeper wakes.
 */
static enum pick pick_thread(int32_t now, word_t *picked, int32_t *wait_ms) {
  word_t start = root_slots()[ROOT_CURRENT];
  if (!is_thread(start)) start = first_thread();
  int sleeping = 0, parked = 0, wrapped = 0;
  word_t t = start;
  uint32_t steps_left = thread_walk_limit();
  while (t) {
    int32_t state = slot_int(t, THREAD_STATE, TS_FAILED);
    if (debugger_armed && (state == TS_RUNNABLE || state == TS_SLEEPING) && debugger_thread_parked(t)) {
      parked = 1; /* stopped by the debugger: it sleeps until the channel lets it go */
      state = -1; /* neither runnable nor sleeping for this pick */
    }
    if (state == TS_SLEEPING) {
      int32_t left = time_diff(slot_int(t, THREAD_WAKE_AT, now), now);
      if (left <= 0) {
        obj_slots(t)[THREAD_STATE] = int_to_word(TS_RUNNABLE);
        state = TS_RUNNABLE;
      } else if (!sleeping || left < *wait_ms) {
        sleeping = 1;
        *wait_ms = left;
      }
    }
    if (state == TS_RUNNABLE) {
      *picked = t;
      return PICKED;
    }
    word_t from = t;
    t = next_thread_counted(t, &steps_left);
    if (!t) {
      t = first_thread();
      wrapped = 1;
    }
    /* Round a list, the walk meets its end once before it is back: else start is on a cycle. */
    if (t == start && !wrapped) ph_panic("thread list: a cycle through thread %d", (int)slot_int(from, THREAD_ID, 0));
    if (t == start) break;
  }
  if (parked && !sleeping) *wait_ms = PARKED_WAIT_MS;
  return sleeping || parked ? ALL_SLEEPING : NONE_ALIVE;
}

/* Every stop leaves the space's clock at the moment the machine stopped. */
static enum vm_stop stop_with_clock(enum vm_stop why) {
  clock_now();
  return why;
}

enum vm_stop vm_run_for(const struct vm_limits *limits) {
  for (;;) {
    /* First: the hook may have rolled the space back in place (vm_try_start), clock included. */
    if (safe_point_hook) safe_point_hook();
    uint64_t up;
    int32_t now = clock_peek(&up);
    if (limits->max_ms >= 0 && now > limits->max_ms) return stop_with_clock(VM_TIME_LIMIT);
    if (limits->max_instructions && instructions >= limits->max_instructions)
      return stop_with_clock(VM_INSTRUCTION_LIMIT);
    word_t t = 0;
    int32_t wait_ms = 0;
    enum pick pick = pick_thread(now, &t, &wait_ms);
    if (pick == NONE_ALIVE) return stop_with_clock(VM_ALL_ENDED);
    if (pick == ALL_SLEEPING) {
      if (up - clock_synced_uptime >= IDLE_CLOCK_WRITE_MS) clock_now();
      /* Every thread sleeps past the limit: the machine stops with its clock at the limit. */
      int stop = limits->max_ms >= 0 && (int64_t)now + wait_ms > limits->max_ms;
      if (stop) wait_ms = (int32_t)(limits->max_ms - now);
      if (safe_point_hook && wait_ms > SAFE_POINT_IDLE_MS) {
        wait_ms = SAFE_POINT_IDLE_MS;
        stop = 0;
      }
      if (idle_hook) idle_hook(up + (uint32_t)wait_ms);
      ph_idle_until(up + (uint32_t)wait_ms);
      if (stop) return stop_with_clock(VM_TIME_LIMIT);
      continue;
    }
    clock_now(); /* the turn's thread reads it, and the space holds it */
    uint32_t budget = TIME_SLICE;
    if (limits->max_instructions && limits->max_instructions - instructions < budget)
      budget = (uint32_t)(limits->max_instructions - instructions);
    current_thread = t;
    uint64_t before = instructions;
    enum turn_end end = interp_run(t, budget, &instructions);
    ph_ran_instructions((uint32_t)(instructions - before));
    if (end == TURN_ENDED && debugger_armed) debugger_thread_ended(t);
    if (end == TURN_ENDED && thread_end_hook)
      thread_end_hook(obj_addr(t), (uint32_t)slot_int(t, THREAD_ID, 0), (uint8_t)slot_int(t, THREAD_STATE, TS_FAILED));
    current_thread = 0;
    if (end == TURN_SLICE && budget < TIME_SLICE) continue; /* cut short by the limit: ROOT_CURRENT stays */
    word_t after = next_thread(t);
    root_slots()[ROOT_CURRENT] = after ? after : first_thread();
  }
}

uint64_t vm_instructions(void) { return instructions; }

void vm_get_stats(struct vm_stats *out) {
  out->instructions = instructions;
  out->threads = 0;
  out->live_threads = 0;
  uint32_t steps_left = thread_walk_limit();
  for (word_t t = first_thread(); t; t = next_thread_counted(t, &steps_left)) {
    int32_t state = slot_int(t, THREAD_STATE, TS_FAILED);
    out->threads++;
    if (state == TS_RUNNABLE || state == TS_SLEEPING) out->live_threads++;
  }
  /* As the space holds it (a generation records the time its space stands for): while every
     thread sleeps, up to IDLE_CLOCK_WRITE_MS behind the clock. */
  out->machine_ms = word_to_int(root_slots()[ROOT_CLOCK]);
}
