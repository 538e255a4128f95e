/*
 * debugger_test.c — breakpoints, stops and steps (core/debugger.c) on hand-assembled code: a
 * breakpoint with a hit count and one with a condition stop a counting loop before the right
 * instruction with the right local; a stopped thread stays stopped across a restart from the same
 * space (vm_try_start again: the state is in the space and validates); continue and a one-instruction
 * step; requests for things that are not there get their errors and change nothing; random
 * requests between runs never break the space (it validates after each) nor the thread's result;
 * SET_LOCAL writes an int into a stopped frame's int local and the loop goes on from it, and the
 * writes that would break what a slot or an object holds are refused, changing nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "debugger.h"
#include "platform.h"
#include "spec.h"
#include "test.h"
#include "vm_fixture.h"

#define MIB (1024u * 1024u)

/** pc of the loop's `i = i + 1` (LOAD 0), where the breakpoints go. */
#define LOOP_PC 7u

/** The space just built must start (it also drops the debugger's state of an earlier test's space). */
#define CHECK_START(err) \
  if (err) ph_panic("debugger_test: %s", err)

static struct stopped_event last_stop;
static uint32_t stops, continues;

static void on_stopped(const struct stopped_event *e) {
  last_stop = *e;
  stops++;
}
static void on_continued(uint32_t thread, uint32_t id) { continues++; }
static const struct debugger_events test_events = {on_stopped, on_continued, 0};

/** A thread counting i from 0 to 1000 in local 0, then printing i; returns its method. */
static word_t counting_thread(word_t *thread) {
  fixture_space(MIB);
  word_t consts[] = {vm_fixture_native(CID_TTY, "println", NATIVE_TTY_PRINTLN, 1, MF_STATIC)};
  static const uint8_t code[] = {
      OP_PUSH_INT, I32(0), OP_STORE, 0,
      /* 7 */ OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_ADD, OP_STORE, 0,
      /* 17 */ OP_LOAD, 0, OP_PUSH_INT, I32(1000), OP_LT, OP_JMP_TRUE, U16((uint16_t)-21),
      /* 28 */ OP_LOAD, 0, OP_I2S, OP_CALL_STATIC, U16(0), 1, OP_RET_VOID};
  word_t cls = fixture_class("Main", 0, 0, 0);
  word_t m = vm_fixture_static(cls, "run", code, sizeof code, 1, 2, consts, 1);
  word_t methods = fixture_array(1);
  obj_slots(methods)[0] = m;
  obj_slots(cls)[CLASS_METHODS] = methods;
  word_t classes = fixture_array(1);
  obj_slots(classes)[0] = cls;
  obj_slots(space_root())[ROOT_PROGRAM_CLASSES] = classes;
  *thread = fixture_thread(m, 0);
  CHECK_START(vm_try_start(*space_field(SH_SIZE)));
  stops = continues = 0;
  debugger_set_events(&test_events);
  return m;
}

static struct set_breakpoint_request at(word_t method, uint32_t pc) {
  return (struct set_breakpoint_request){.method = obj_addr(method), .pc = pc};
}

static int32_t local0(word_t thread) {
  word_t frame = obj_slots(thread)[THREAD_FRAME];
  return word_to_int(obj_slots(frame)[FRAME_LOCALS]);
}

static int32_t pc_of(word_t thread) { return word_to_int(obj_slots(obj_slots(thread)[THREAD_FRAME])[FRAME_PC]); }

TEST(debugger_hit_count_stops_the_loop_before_the_instruction_and_the_stop_survives_a_restart) {
  word_t thread;
  word_t m = counting_thread(&thread);
  const char *why = 0;
  uint32_t id = 0;
  struct set_breakpoint_request r = at(m, LOOP_PC);
  r.hit_count = 500;
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), 0);
  CHECK(id > 0);
  enum vm_stop stop;
  const char *out = vm_fixture_run(0, 100, &stop);
  CHECK_EQ(strlen(out), 0);
  CHECK_EQ(stop, VM_TIME_LIMIT); /* the only thread is stopped: the machine idles */
  CHECK_EQ(stops, 1);
  CHECK_EQ(last_stop.reason, DBG_STOP_BREAKPOINT);
  CHECK_EQ(last_stop.breakpoint, id);
  CHECK_EQ(last_stop.pc, LOOP_PC);
  CHECK_EQ(pc_of(thread), LOOP_PC);
  CHECK_EQ(local0(thread), 499); /* the 500th time round, before i = i + 1 */
  CHECK(debugger_thread_parked(thread));

  /* A restart from this space: the state validates and the thread is still stopped there. */
  vm_fixture_run(0, 200, &stop);
  CHECK(debugger_thread_parked(thread));
  CHECK_EQ(local0(thread), 499);
  word_t frame = 0;
  int32_t line = 0;
  CHECK_EQ(debugger_frame(obj_addr(thread), 0, &frame, &line, &why), 0);
  CHECK_EQ(frame, obj_slots(thread)[THREAD_FRAME]);
  CHECK_EQ(debugger_frame(obj_addr(thread), 1, &frame, &line, &why), DE_NOT_FOUND);

  /* One instruction, then continue: the next hit (the 501st) stops again. */
  CHECK_EQ(debugger_step(obj_addr(thread), DBG_STEP_INSTRUCTION, &why), 0);
  vm_fixture_run(0, 300, &stop);
  CHECK_EQ(stops, 2);
  CHECK_EQ(last_stop.reason, DBG_STOP_STEP);
  CHECK_EQ(pc_of(thread), LOOP_PC + 2);
  CHECK_EQ(debugger_continue_thread(obj_addr(thread), &why), 0);
  CHECK_EQ(continues, 2);
  vm_fixture_run(0, 400, &stop);
  CHECK_EQ(stops, 3);
  CHECK_EQ(local0(thread), 500);

  /* Cleared and continued: the loop runs to its end. */
  CHECK_EQ(debugger_clear_breakpoint(id, &why), 0);
  CHECK_EQ(debugger_continue_thread(0, &why), 0);
  out = vm_fixture_run(0, 500, &stop);
  CHECK(!strcmp(out, "1000\n"));
  CHECK_EQ(stop, VM_ALL_ENDED);
  CHECK(!debugger_thread_parked(thread));
}

TEST(debugger_condition_on_a_local_and_a_pause_before_the_first_instruction) {
  word_t thread;
  word_t m = counting_thread(&thread);
  const char *why = 0;
  uint32_t id = 0;
  struct set_breakpoint_request r = at(m, LOOP_PC);
  r.condition = DBG_COND_EQ;
  r.value = 700;
  CHECK_EQ(debugger_pause_thread(obj_addr(thread), &why), 0);
  CHECK_EQ(stops, 1);
  CHECK_EQ(last_stop.reason, DBG_STOP_PAUSE);
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), 0);
  enum vm_stop stop;
  vm_fixture_run(0, 100, &stop);
  CHECK_EQ(stops, 1); /* paused: nothing ran */
  CHECK_EQ(pc_of(thread), 0);
  CHECK_EQ(debugger_continue_thread(obj_addr(thread), &why), 0);
  vm_fixture_run(0, 200, &stop);
  CHECK_EQ(stops, 2);
  CHECK_EQ(local0(thread), 700);
  CHECK_EQ(last_stop.breakpoint, id);
}

TEST(debugger_requests_for_what_is_not_there_get_errors_and_change_nothing) {
  word_t thread;
  word_t m = counting_thread(&thread);
  const char *why = 0;
  uint32_t id = 0;
  struct set_breakpoint_request r = at(m, 1);
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), DE_BAD_REQUEST); /* inside PUSH_INT */
  CHECK(why && *why);
  r = at(m, 36);
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), DE_BAD_REQUEST); /* past the code */
  r = at(m, LOOP_PC);
  r.method += 4; /* inside the method object */
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), DE_NOT_FOUND);
  r = at(obj_slots(m)[METHOD_CODE], 0); /* an object, but no method */
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), DE_NOT_FOUND);
  r = at(m, LOOP_PC);
  r.condition = DBG_COND_LT;
  r.local = 1;
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), DE_BAD_REQUEST); /* the method has one local */
  CHECK_EQ(debugger_clear_breakpoint(1, &why), DE_NOT_FOUND);
  CHECK_EQ(debugger_continue_thread(obj_addr(thread), &why), DE_BAD_REQUEST); /* not stopped */
  CHECK_EQ(debugger_step(obj_addr(thread), DBG_STEP_OVER, &why), DE_BAD_REQUEST);
  CHECK_EQ(debugger_pause_thread(obj_addr(m), &why), DE_NOT_FOUND);
  word_t frame;
  int32_t line;
  CHECK_EQ(debugger_frame(obj_addr(thread), 0, &frame, &line, &why), DE_BAD_REQUEST);
  CHECK_EQ(debugger_armed, 0);
  enum vm_stop stop;
  CHECK(!strcmp(vm_fixture_run(0, 100, &stop), "1000\n"));
  CHECK_EQ(stops, 0);
}

static struct set_local_request local_write(word_t thread, uint16_t slot, uint8_t kind, uint32_t bits) {
  return (struct set_local_request){.thread = obj_addr(thread), .slot = slot, .kind = kind, .bits = bits};
}

static struct set_field_request field_write(uint32_t object, uint32_t slot, uint8_t kind, uint32_t bits) {
  return (struct set_field_request){.object = object, .slot = slot, .kind = kind, .bits = bits};
}

TEST(debugger_set_local_writes_a_stopped_int_local_and_refuses_what_breaks_types) {
  word_t thread;
  word_t m = counting_thread(&thread);
  const char *why = 0;
  uint32_t id = 0;
  struct set_breakpoint_request r = at(m, LOOP_PC);
  r.condition = DBG_COND_EQ;
  r.value = 300;
  CHECK_EQ(debugger_set_breakpoint(&r, &id, &why), 0);
  enum vm_stop stop;
  vm_fixture_run(0, 100, &stop);
  CHECK_EQ(local0(thread), 300);
  struct debugger_write w;
  struct set_local_request l = local_write(thread, 0, DBG_VALUE_REF, obj_addr(m));
  CHECK_EQ(debugger_check_set_local(&l, &w, &why), DE_BAD_REQUEST); /* an int local takes no object */
  CHECK(strstr(why, "holds an int"));
  l = local_write(thread, 1, DBG_VALUE_INT, 5);
  CHECK_EQ(debugger_check_set_local(&l, &w, &why), DE_BAD_REQUEST); /* one local */
  l = local_write(thread, 0, DBG_VALUE_INT, 1u << 30);
  CHECK_EQ(debugger_check_set_local(&l, &w, &why), DE_BAD_REQUEST); /* not a small integer */
  l = local_write(thread, 0, DBG_VALUE_REF, obj_addr(m) + 4);
  CHECK_EQ(debugger_check_set_local(&l, &w, &why), DE_NOT_FOUND); /* inside an object */
  l = local_write(thread, 0, DBG_VALUE_INT, 5);
  l.depth = 1;
  CHECK_EQ(debugger_check_set_local(&l, &w, &why), DE_NOT_FOUND); /* no caller */
  CHECK_EQ(local0(thread), 300);

  /* System objects and the VM's own arrays are read-only; a code object has no fields. */
  word_t keys = obj_slots(obj_slots(space_root())[ROOT_DIRECTORY])[DIR_KEYS];
  const struct set_field_request refused[] = {
      field_write(obj_addr(thread), THREAD_ID, DBG_VALUE_INT, 7),
      field_write(obj_addr(m), METHOD_ARGC, DBG_VALUE_INT, 3),
      field_write(obj_addr(obj_slots(m)[METHOD_CODE]), 0, DBG_VALUE_INT, 0),
      field_write(obj_addr(space_root()), ROOT_CLOCK, DBG_VALUE_INT, 0),
      field_write(word_is_ref(keys) ? obj_addr(keys) : obj_addr(thread), 0, DBG_VALUE_INT, 0),
  };
  for (uint32_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    CHECK_EQ(debugger_check_set_field(&refused[i], &w, &why), DE_BAD_REQUEST);
    CHECK(why && *why);
  }
  struct set_field_request inside = field_write(obj_addr(thread) + 8, 0, DBG_VALUE_INT, 0);
  CHECK_EQ(debugger_check_set_field(&inside, &w, &why), DE_NOT_FOUND);

  /* i = 990: the loop goes on from there and ends as before, having run 10 times more. */
  l = local_write(thread, 0, DBG_VALUE_INT, 990);
  CHECK_EQ(debugger_check_set_local(&l, &w, &why), 0);
  debugger_write(&w);
  CHECK_EQ(local0(thread), 990);
  CHECK_EQ(debugger_clear_breakpoint(id, &why), 0);
  CHECK_EQ(debugger_continue_thread(obj_addr(thread), &why), 0);
  CHECK(!strcmp(vm_fixture_run(0, 200, &stop), "1000\n"));
  CHECK_EQ(stop, VM_ALL_ENDED);
}

TEST(debugger_random_requests_between_runs_keep_the_space_sound) {
  word_t thread;
  word_t m = counting_thread(&thread);
  srand(1818);
  const uint32_t addrs[] = {0, obj_addr(thread), obj_addr(m), obj_addr(m) + 4, obj_addr(thread) + 12, SPACE_BASE + 64,
                            obj_addr(obj_slots(m)[METHOD_CODE])};
  const char *why;
  enum vm_stop stop;
  for (int round = 0; round < 400; round++) {
    uint32_t a = addrs[(uint32_t)rand() % (sizeof addrs / sizeof addrs[0])], id = 0;
    struct set_breakpoint_request r = {.method = a, .pc = (uint32_t)rand() % 40, .flags = (uint8_t)(rand() % 2),
                                       .condition = (uint8_t)(rand() % 7), .local = (uint8_t)(rand() % 2),
                                       .value = rand() % 1200, .hit_count = (uint32_t)rand() % 3};
    word_t frame;
    int32_t line;
    struct debugger_write w;
    struct set_local_request l = {.thread = a, .depth = (uint16_t)(rand() % 2), .slot = (uint16_t)(rand() % 2),
                                  .kind = (uint8_t)(rand() % 2), .bits = rand() % 2 ? (uint32_t)rand() % 1000 : a};
    struct set_field_request f = {.object = a, .slot = (uint32_t)rand() % 12, .kind = (uint8_t)(rand() % 2),
                                  .bits = rand() % 2 ? (uint32_t)rand() : a};
    switch (rand() % 10) {
    case 8:
      if (!debugger_check_set_local(&l, &w, &why)) debugger_write(&w);
      break;
    case 9:
      CHECK(debugger_check_set_field(&f, &w, &why) != 0); /* no program object to write */
      break;
    case 0: debugger_set_breakpoint(&r, &id, &why); break;
    case 1: debugger_clear_breakpoint((uint32_t)rand() % 8, &why); break;
    case 2: debugger_pause_thread(rand() % 3 ? a : 0, &why); break;
    case 3: debugger_continue_thread(rand() % 3 ? a : 0, &why); break;
    case 4: debugger_step(a, (uint8_t)(rand() % 4), &why); break;
    case 5: debugger_frame(a, (uint32_t)rand() % 3, &frame, &line, &why); break;
    case 6: debugger_set_exceptions((uint8_t)(rand() % 3), &why); break;
    default: vm_fixture_run(0, word_to_int(obj_slots(space_root())[ROOT_CLOCK]) + 1 + rand() % 3, &stop); break;
    }
  }
  /* Everything cleared and continued: the loop ends as it would have, and the space validates. */
  for (uint32_t id = 1; id < 1000; id++) debugger_clear_breakpoint(id, &why);
  debugger_set_exceptions(DBG_EXCEPTIONS_NONE, &why);
  debugger_continue_thread(0, &why);
  const char *out = vm_fixture_run(0, 1000000, &stop);
  CHECK(!strcmp(out, "1000\n") || !strcmp(out, ""));
  CHECK_EQ(word_to_int(obj_slots(thread)[THREAD_STATE]), TS_DONE);
}
