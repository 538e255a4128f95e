/*
 * interp_test.c — the interpreter and scheduler on hand-assembled programs: arithmetic and its
 * wrapping, calls and recursion, exceptions caught and uncaught (the exact report line), stack
 * overflow, invalid code that ends only its thread, time slices, sleep on the machine clock (and
 * the idle hook before each idle),
 * virtual time that passes while threads spin or yield, a turn cut short that keeps its thread,
 * frames back on the free list after every turn, threads started from bytecode, collection while
 * running.
 */
#include <string.h>

#include "gc.h"
#include "hosted.h"
#include "platform.h"
#include "spec.h"
#include "test.h"
#include "vm_fixture.h"

#define MIB (1024u * 1024u)
#define LEN(a) (uint32_t)sizeof(a)

#define CHECK_STR(actual, expected)                         \
  do {                                                      \
    if (strcmp((actual), (expected)) != 0) {                \
      test_fail(__FILE__, __LINE__, actual);                \
      return;                                               \
    }                                                       \
  } while (0)

static word_t println_method(void) {
  return vm_fixture_native(CID_TTY, "println", NATIVE_TTY_PRINTLN, 1, MF_STATIC);
}

/** One thread running a static method of a class Main. */
static word_t start_main(const uint8_t *code, uint32_t len, uint32_t locals, uint32_t stack, const word_t *consts,
                         uint32_t nconsts) {
  word_t main = fixture_class("Main", 0, 0, 0);
  word_t m = vm_fixture_static(main, "run", code, len, locals, stack, consts, nconsts);
  fixture_thread(m, 0);
  return m;
}

TEST(interp_arithmetic_and_println) {
  fixture_space(MIB);
  word_t consts[] = {println_method()};
  const uint8_t code[] = {
      OP_PUSH_INT, I32(6), OP_PUSH_INT, I32(7), OP_MUL, OP_PUSH_INT, I32(-50), OP_ADD, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(-7), OP_PUSH_INT, I32(2), OP_DIV, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(-7), OP_PUSH_INT, I32(2), OP_MOD, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(SMALLINT_MAX), OP_PUSH_INT, I32(1), OP_ADD, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(SMALLINT_MIN), OP_PUSH_INT, I32(-1), OP_DIV, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(-16), OP_PUSH_INT, I32(2), OP_SHR, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(1), OP_PUSH_INT, I32(30), OP_SHL, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(5), OP_BNOT, OP_PUSH_INT, I32(12), OP_BXOR, OP_I2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(3), OP_PUSH_INT, I32(4), OP_LT, OP_B2S, OP_CALL_STATIC, U16(0), 1,
      OP_PUSH_INT, I32(3), OP_NEG, OP_PUSH_INT, I32(-3), OP_EQ, OP_NOT, OP_B2S, OP_CALL_STATIC, U16(0), 1,
      OP_RET_VOID};
  start_main(code, LEN(code), 0, 4, consts, 1);
  enum vm_stop stop;
  CHECK_STR(vm_fixture_run(0, -1, &stop), "-8\n-3\n-1\n-1073741824\n-1073741824\n-4\n-1073741824\n-10\ntrue\nfalse\n");
  CHECK_EQ(stop, VM_ALL_ENDED);
}

TEST(interp_loops_and_locals) {
  fixture_space(MIB);
  word_t consts[] = {println_method()};
  /* i = 0; s = 0; while (i < 100) { s = s + i; i = i + 1 } println(s) */
  const uint8_t code[] = {
      OP_PUSH_INT, I32(0), OP_STORE, 0, OP_PUSH_INT, I32(0), OP_STORE, 1,
      /* 14 */ OP_LOAD, 0, OP_PUSH_INT, I32(100), OP_LT, OP_JMP_FALSE, U16(20),
      OP_LOAD, 1, OP_LOAD, 0, OP_ADD, OP_STORE, 1, OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_ADD, OP_STORE, 0,
      OP_JMP, U16((uint16_t)-31),
      /* 45 */ OP_LOAD, 1, OP_I2S, OP_CALL_STATIC, U16(0), 1, OP_RET_VOID};
  start_main(code, LEN(code), 2, 2, consts, 1);
  CHECK_STR(vm_fixture_run(0, -1, 0), "4950\n");
}

TEST(interp_recursion_fib) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  /* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2) */
  const uint8_t fib_code[] = {OP_LOAD, 0, OP_PUSH_INT, I32(2), OP_LT, OP_JMP_FALSE, U16(3), OP_LOAD, 0, OP_RET,
                              OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_SUB, OP_CALL_STATIC, U16(0), 1,
                              OP_LOAD, 0, OP_PUSH_INT, I32(2), OP_SUB, OP_CALL_STATIC, U16(0), 1, OP_ADD, OP_RET};
  word_t fib_consts[] = {0};
  word_t fib = vm_fixture_static(main, "fib", fib_code, LEN(fib_code), 1, 3, fib_consts, 1);
  obj_slots(obj_slots(fib)[METHOD_CONSTS])[0] = fib;
  obj_slots(fib)[METHOD_ARGC] = int_to_word(1);
  obj_slots(fib)[METHOD_FLAGS] = int_to_word(MF_STATIC | MF_RETURNS);
  word_t consts[] = {fib, println_method()};
  const uint8_t code[] = {OP_PUSH_INT, I32(20), OP_CALL_STATIC, U16(0), 1, OP_I2S, OP_CALL_STATIC, U16(1), 1, OP_RET_VOID};
  word_t m = vm_fixture_static(main, "run", code, LEN(code), 0, 1, consts, 2);
  fixture_thread(m, 0);
  CHECK_STR(vm_fixture_run(0, -1, 0), "6765\n");
  CHECK_EQ(gc_get_stats()->collections, 0); /* returned frames are reused, not left for the collector */
}

TEST(interp_uncaught_error_reports_and_ends_only_its_thread) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t bad[] = {OP_NOP, OP_PUSH_INT, I32(1), OP_PUSH_INT, I32(0), OP_DIV, OP_RET_VOID};
  static const int32_t lines[] = {0, 3, 1, 4};
  struct fixture_method m = {.name = "run", .code = bad, .code_len = LEN(bad), .max_stack = 2, .flags = MF_STATIC,
                             .vindex = -1, .lines = lines, .line_pairs = 2};
  word_t t1 = fixture_thread(fixture_method(main, &m), 0);
  word_t consts[] = {println_method(), fixture_string("still here")};
  const uint8_t good[] = {OP_PUSH_CONST, U16(1), OP_CALL_STATIC, U16(0), 1, OP_RET_VOID};
  fixture_thread(vm_fixture_static(main, "other", good, LEN(good), 0, 1, consts, 2), 0);
  CHECK_STR(vm_fixture_run(0, -1, 0), "*** thread 1: uncaught .internal.error: DivideByZero (at Main.run line 4)\nstill here\n");
  CHECK_EQ(obj_slots(t1)[THREAD_STATE], int_to_word(TS_FAILED));
  CHECK(obj_slots(t1)[THREAD_ERROR] != 0);
  CHECK_EQ(obj_slots(t1)[THREAD_FRAME], 0);
}

static struct {
  uint32_t count, addr[4], id[4];
  uint8_t state[4];
} ended;

static void record_thread_end(uint32_t thread_addr, uint32_t id, uint8_t state) {
  if (ended.count < 4) {
    ended.addr[ended.count] = thread_addr;
    ended.id[ended.count] = id;
    ended.state[ended.count] = state;
  }
  ended.count++;
}

TEST(interp_thread_end_hook_hears_every_end_once_with_its_state) {
  fixture_space(MIB);
  memset(&ended, 0, sizeof ended);
  vm_set_thread_end_hook(record_thread_end);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t bad[] = {OP_PUSH_INT, I32(1), OP_PUSH_INT, I32(0), OP_DIV, OP_RET_VOID};
  word_t t1 = fixture_thread(vm_fixture_static(main, "run", bad, LEN(bad), 0, 2, 0, 0), 0);
  const uint8_t good[] = {OP_RET_VOID};
  word_t t2 = fixture_thread(vm_fixture_static(main, "other", good, LEN(good), 0, 1, 0, 0), 0);
  vm_fixture_run(0, -1, 0);
  vm_set_thread_end_hook(0);
  CHECK_EQ(ended.count, 2);
  CHECK_EQ(ended.addr[0], obj_addr(t1));
  CHECK_EQ(ended.id[0], (uint32_t)word_to_int(obj_slots(t1)[THREAD_ID]));
  CHECK_EQ(ended.state[0], TS_FAILED);
  CHECK_EQ(ended.addr[1], obj_addr(t2));
  CHECK_EQ(ended.state[1], TS_DONE);
}

TEST(interp_handler_catches_in_caller) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t thrower[] = {OP_PUSH_NULL, OP_GET_FIELD, U16(0), OP_RET_VOID};
  word_t t = vm_fixture_static(main, "thrower", thrower, LEN(thrower), 0, 1, 0, 0);
  word_t error_class = fixture_internal_class(CID_ERROR);
  word_t consts[] = {t, println_method(), error_class};
  /* try { thrower() } catch (.internal.error e) { println(e.message) } */
  const uint8_t code[] = {OP_CALL_STATIC, U16(0), 0, OP_RET_VOID,
                          /* 5 */ OP_GET_FIELD, U16(ERROR_MESSAGE), OP_CALL_STATIC, U16(1), 1, OP_RET_VOID};
  static const int32_t handlers[] = {0, 4, 5, 2};
  struct fixture_method m = {.name = "run", .code = code, .code_len = LEN(code), .max_stack = 1, .flags = MF_STATIC,
                             .vindex = -1, .consts = consts, .const_count = 3, .handlers = handlers, .handler_count = 1};
  fixture_thread(fixture_method(main, &m), 0);
  CHECK_STR(vm_fixture_run(0, -1, 0), "NullReference\n");
}

TEST(interp_throw_of_a_program_object_reports_its_class) {
  fixture_space(MIB);
  word_t oops = fixture_class(".demo.oops", 0, 0, 0);
  word_t consts[] = {oops};
  const uint8_t code[] = {OP_NEW, U16(0), OP_THROW};
  start_main(code, LEN(code), 0, 1, consts, 1);
  CHECK_STR(vm_fixture_run(0, -1, 0), "*** thread 1: uncaught .demo.oops: <.demo.oops> (at Main.run line 1)\n");
}

TEST(interp_stack_overflow_is_an_exception) {
  fixture_space(4 * MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t code[] = {OP_CALL_STATIC, U16(0), 0, OP_RET_VOID};
  word_t consts[] = {0};
  word_t m = vm_fixture_static(main, "run", code, LEN(code), 0, 0, consts, 1);
  obj_slots(obj_slots(m)[METHOD_CONSTS])[0] = m;
  fixture_thread(m, 0);
  CHECK_STR(vm_fixture_run(0, -1, 0), "*** thread 1: uncaught .internal.error: StackOverflow (at Main.run line 1)\n");
}

TEST(interp_invalid_code_ends_only_its_thread) {
  static const uint8_t cases[][8] = {
      {0xFF},                                 /* unknown opcode */
      {OP_POP},                               /* stack underflow */
      {OP_PUSH_INT, I32(1), OP_DUP, OP_DUP}, /* overflow of max_stack 1 */
      {OP_JMP, U16(0x7000)},                  /* jump out of the code */
      {OP_LOAD, 9},                           /* local out of range */
      {OP_PUSH_CONST, U16(5)},                /* constant out of range */
      {OP_PUSH_INT, I32(3), OP_NOT, OP_NOT, OP_ADD}, /* underflow after a few good ones */
      {OP_NOP},                               /* runs off the end */
  };
  static const uint32_t lengths[] = {1, 1, 7, 3, 2, 3, 8, 1};
  for (uint32_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fixture_space(MIB);
    word_t consts[] = {println_method(), fixture_string("ok")};
    start_main(cases[i], lengths[i], 1, 1, consts, 1);
    word_t main = fixture_class("Other", 0, 0, 0);
    const uint8_t good[] = {OP_PUSH_CONST, U16(1), OP_CALL_STATIC, U16(0), 1, OP_RET_VOID};
    fixture_thread(vm_fixture_static(main, "run", good, LEN(good), 0, 1, consts, 2), 0);
    const char *out = vm_fixture_run(0, -1, 0);
    CHECK(strstr(out, "*** thread 1: invalid code in Main.run at pc ") == out);
    CHECK(strstr(out, "\nok\n"));
    hosted_space_unmap();
  }
}

TEST(interp_dispatch_covers_every_opcode) {
  static const uint8_t opcodes[] = {
#include "spec_ignore.h"
#undef OP
#define OP(name, code, operands, bytes, pop, push, doc) code,
#include "../../lang/spec/opcodes.def"
#include "spec_ignore_end.h"
  };
  for (uint32_t i = 0; i < sizeof opcodes; i++) {
    fixture_space(MIB);
    /* enough integer operands for any opcode, then the opcode with zero operand bytes */
    uint8_t code[32] = {OP_PUSH_INT, I32(1), OP_PUSH_INT, I32(1), OP_PUSH_INT, I32(1), opcodes[i]};
    word_t consts[] = {fixture_class("K", 0, 0, 0)};
    start_main(code, LEN(code), 1, 8, consts, 1);
    const char *out = vm_fixture_run(1000, -1, 0);
    CHECK(strstr(out, "unknown opcode") == 0);
    hosted_space_unmap();
  }
  fixture_space(MIB);
  const uint8_t unknown[] = {0xFE};
  start_main(unknown, 1, 0, 0, 0, 0);
  CHECK(strstr(vm_fixture_run(0, -1, 0), "unknown opcode") != 0);
}

/** A method that prints `text` `times` times, sleeping `ms` after each (0 = never sleeps). */
static word_t printer(word_t cls, const char *text, int times, int ms) {
  word_t consts[] = {println_method(), fixture_string(text),
                     vm_fixture_native(CID_TIME, "sleep", NATIVE_TIME_SLEEP, 1, MF_STATIC)};
  const uint8_t code[] = {
      OP_PUSH_INT, I32(times), OP_STORE, 0,
      /* 7 */ OP_LOAD, 0, OP_JMP_FALSE, U16(29),
      OP_PUSH_CONST, U16(1), OP_CALL_STATIC, U16(0), 1, OP_PUSH_INT, I32(ms), OP_CALL_STATIC, U16(2), 1,
      OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_SUB, OP_STORE, 0, OP_JMP, U16((uint16_t)-34), OP_RET_VOID};
  return vm_fixture_static(cls, text, code, LEN(code), 1, 2, consts, 3);
}

TEST(interp_sleep_orders_threads_by_machine_time) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  fixture_thread(printer(main, "a", 3, 10), 0);
  fixture_thread(printer(main, "b", 2, 15), 0);
  enum vm_stop stop;
  CHECK_STR(vm_fixture_run(0, -1, &stop), "a\nb\na\nb\na\n");
  CHECK_EQ(stop, VM_ALL_ENDED);
  CHECK_EQ(obj_slots(space_root())[ROOT_CLOCK], int_to_word(30));
}

static struct {
  uint32_t calls;
  int until_ahead; /* every call's idle ended after the time of the call */
  uint64_t last_until;
} idle;

static void record_idle(uint64_t until_ms) {
  idle.calls++;
  if (until_ms <= ph_uptime_ms()) idle.until_ahead = 0;
  idle.last_until = until_ms;
}

TEST(interp_idle_hook_runs_before_every_idle_with_its_end) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  fixture_thread(printer(main, "a", 3, 10), 0);
  idle.calls = 0;
  idle.until_ahead = 1;
  vm_set_idle_hook(record_idle);
  enum vm_stop stop;
  CHECK_STR(vm_fixture_run(0, -1, &stop), "a\na\na\n");
  vm_set_idle_hook(0);
  CHECK_EQ(stop, VM_ALL_ENDED);
  CHECK_EQ(idle.calls, 3); /* one idle per sleep: nothing else wakes the machine */
  CHECK(idle.until_ahead);
  CHECK_EQ(idle.last_until, ph_uptime_ms()); /* the last idle ended where the machine stopped */
}

TEST(interp_time_limit_stops_a_sleeping_machine) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  fixture_thread(printer(main, "tick", 1000, 100), 0);
  enum vm_stop stop;
  const char *out = vm_fixture_run(0, 250, &stop);
  CHECK_STR(out, "tick\ntick\ntick\n");
  CHECK_EQ(stop, VM_TIME_LIMIT);
  CHECK_EQ(obj_slots(space_root())[ROOT_CLOCK], int_to_word(250)); /* every thread sleeps past it: the clock stops at the limit */
}

/** A method that sleeps `ms` once, then prints `text`. */
static word_t nap(word_t cls, const char *text, int ms) {
  word_t consts[] = {println_method(), fixture_string(text),
                     vm_fixture_native(CID_TIME, "sleep", NATIVE_TIME_SLEEP, 1, MF_STATIC)};
  const uint8_t code[] = {OP_PUSH_INT, I32(ms), OP_CALL_STATIC, U16(2), 1, OP_PUSH_CONST, U16(1), OP_CALL_STATIC, U16(0), 1,
                          OP_RET_VOID};
  return vm_fixture_static(cls, text, code, LEN(code), 0, 1, consts, 3);
}

TEST(interp_virtual_time_passes_while_threads_spin_or_yield) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  fixture_thread(nap(main, "woke", 5), 0);
  const uint8_t spin[] = {OP_JMP, U16((uint16_t)-3)};
  fixture_thread(vm_fixture_static(main, "spin", spin, LEN(spin), 0, 0, 0, 0), 0);
  word_t yield_consts[] = {vm_fixture_native(CID_THREAD, "yield", NATIVE_THREAD_YIELD, 0, MF_STATIC)};
  const uint8_t yielder[] = {OP_CALL_STATIC, U16(0), 0, OP_JMP, U16((uint16_t)-7)};
  fixture_thread(vm_fixture_static(main, "yielder", yielder, LEN(yielder), 0, 0, yield_consts, 1), 0);
  enum vm_stop stop;
  CHECK_STR(vm_fixture_run(100 * VIRTUAL_MS_STEPS, -1, &stop), "woke\n");
  CHECK_EQ(stop, VM_INSTRUCTION_LIMIT);
  CHECK_EQ(obj_slots(space_root())[ROOT_CLOCK], int_to_word(100)); /* VIRTUAL_MS_STEPS instructions a millisecond */
}

TEST(interp_a_turn_cut_short_keeps_its_thread_current) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t spin[] = {OP_JMP, U16((uint16_t)-3)};
  word_t m = vm_fixture_static(main, "spin", spin, LEN(spin), 0, 0, 0, 0);
  word_t first = fixture_thread(m, 0);
  fixture_thread(m, 0);
  obj_slots(space_root())[ROOT_CURRENT] = first;
  vm_fixture_run(TIME_SLICE / 2, -1, 0);
  CHECK_EQ(obj_slots(space_root())[ROOT_CURRENT], first); /* a run resumed from here goes on with it */
}

TEST(interp_frames_go_back_to_the_free_list_after_every_turn) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t leaf[] = {OP_RET_VOID};
  word_t callee = vm_fixture_static(main, "leaf", leaf, LEN(leaf), 0, 0, 0, 0);
  word_t consts[] = {callee};
  /* 100 times: leaf() */
  const uint8_t code[] = {OP_PUSH_INT, I32(100), OP_STORE, 0,
                          /* 7 */ OP_LOAD, 0, OP_JMP_FALSE, U16(17),
                          OP_CALL_STATIC, U16(0), 0, OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_SUB, OP_STORE, 0,
                          OP_JMP, U16((uint16_t)-22), /* 29 */ OP_RET_VOID};
  start_main(code, LEN(code), 1, 2, consts, 1);
  uint32_t top = space_top();
  CHECK_STR(vm_fixture_run(0, -1, 0), "");
  uint32_t frames = 0;
  for (uint32_t addr = SPACE_FIRST_OBJECT; addr < space_top(); addr += footprint(obj_size(addr_ref(addr))))
    if (obj_kind(addr_ref(addr)) != KIND_FREE && obj_class(addr_ref(addr)) == fixture_internal_class(CID_FRAME)) frames++;
  CHECK_EQ(frames, 0); /* the thread's frame and leaf's, reused 100 times, are free blocks again */
  CHECK(space_top() - top <= 2 * 64);
  CHECK_EQ(gc_get_stats()->collections, 0);
}

TEST(interp_time_slice_preempts_a_spinning_thread) {
  fixture_space(MIB);
  word_t main = fixture_class("Main", 0, 0, 0);
  const uint8_t spin[] = {OP_JMP, U16((uint16_t)-3)};
  fixture_thread(vm_fixture_static(main, "spin", spin, LEN(spin), 0, 0, 0, 0), 0);
  fixture_thread(printer(main, "alive", 1, 0), 0);
  enum vm_stop stop;
  CHECK_STR(vm_fixture_run(5 * TIME_SLICE, -1, &stop), "alive\n");
  CHECK_EQ(stop, VM_INSTRUCTION_LIMIT);
}

TEST(interp_threads_start_from_bytecode) {
  fixture_space(MIB);
  word_t worker = fixture_class("Worker", 0, 0, 1);
  word_t print = println_method();
  word_t id_method = vm_fixture_native(CID_THREAD, "id", NATIVE_THREAD_ID, 1, MF_RETURNS);
  word_t current = vm_fixture_native(CID_THREAD, "current", NATIVE_THREAD_CURRENT, 0, MF_STATIC | MF_RETURNS);
  word_t run_consts[] = {current, id_method, print};
  const uint8_t run_code[] = {OP_CALL_STATIC, U16(0), 0, OP_CALL_STATIC, U16(1), 1, OP_I2S, OP_CALL_STATIC, U16(2), 1, OP_RET_VOID};
  struct fixture_method run = {.name = "run", .code = run_code, .code_len = LEN(run_code), .argc = 1, .locals = 1,
                               .max_stack = 1, .vindex = 0, .consts = run_consts, .const_count = 3};
  fixture_method(worker, &run);
  word_t start = vm_fixture_native(CID_THREAD, "start", NATIVE_THREAD_START, 1, MF_STATIC | MF_RETURNS);
  word_t alive = vm_fixture_native(CID_THREAD, "isAlive", NATIVE_THREAD_ALIVE, 1, MF_RETURNS);
  word_t yield = vm_fixture_native(CID_THREAD, "yield", NATIVE_THREAD_YIELD, 0, MF_STATIC);
  word_t consts[] = {worker, start, alive, print, yield, fixture_string(".internal.object")};
  /* t = start(new Worker); println(isAlive(t)); yield; println(isAlive(t)); start(class) -> NoRunMethod */
  const uint8_t code[] = {OP_NEW, U16(0), OP_CALL_STATIC, U16(1), 1, OP_STORE, 0,
                          OP_LOAD, 0, OP_CALL_STATIC, U16(2), 1, OP_B2S, OP_CALL_STATIC, U16(3), 1,
                          OP_CALL_STATIC, U16(4), 0,
                          OP_LOAD, 0, OP_CALL_STATIC, U16(2), 1, OP_B2S, OP_CALL_STATIC, U16(3), 1,
                          OP_PUSH_CONST, U16(5), OP_CALL_STATIC, U16(1), 1, OP_RET_VOID};
  start_main(code, LEN(code), 1, 2, consts, 6);
  CHECK_STR(vm_fixture_run(0, -1, 0), "true\n2\nfalse\n*** thread 1: uncaught .internal.error: NoRunMethod (at Main.run line 1)\n");
}

TEST(interp_collects_while_running) {
  fixture_space(MIB);
  word_t consts[] = {println_method(), fixture_array_class("int[]", int_to_word(ELEM_INT), 0)};
  /* 200000 times: a = new int[50]; then println(alen(a)) */
  const uint8_t code[] = {OP_PUSH_INT, I32(200000), OP_STORE, 0,
                          /* 7 */ OP_LOAD, 0, OP_JMP_FALSE, U16(23),
                          OP_PUSH_INT, I32(50), OP_NEW_ARRAY, U16(1), OP_STORE, 1,
                          OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_SUB, OP_STORE, 0, OP_JMP, U16((uint16_t)-28),
                          /* 35 */ OP_LOAD, 1, OP_ALEN, OP_I2S, OP_CALL_STATIC, U16(0), 1, OP_RET_VOID};
  start_main(code, LEN(code), 2, 2, consts, 2);
  CHECK_STR(vm_fixture_run(0, -1, 0), "50\n");
  CHECK(gc_get_stats()->collections > 10);
  CHECK(space_validate(MIB) == 0);
}

TEST(interp_out_of_memory_is_an_exception) {
  fixture_space(MIB);
  word_t consts[] = {fixture_array_class(".internal.object[]", fixture_internal_class(CID_OBJECT), 0)};
  /* keep every array: a = new any[1000]; a[0] = previous; loop forever */
  const uint8_t code[] = {OP_PUSH_INT, I32(1000), OP_NEW_ARRAY, U16(0), OP_DUP, OP_PUSH_INT, I32(0), OP_LOAD, 0, OP_ASTORE,
                          OP_STORE, 0, OP_JMP, U16((uint16_t)-22)};
  start_main(code, LEN(code), 1, 4, consts, 1);
  CHECK_STR(vm_fixture_run(0, -1, 0), "*** thread 1: uncaught .internal.error: OutOfMemory (at Main.run line 1)\n");
  CHECK(space_validate(MIB) == 0);
}
