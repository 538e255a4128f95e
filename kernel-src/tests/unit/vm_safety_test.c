/*
 * vm_safety_test.c — the VM keeps its own structures out of a program's reach whatever its
 * bytecode, without trusting the compiler: hand-assembled code that writes a thread's fields, an
 * error's message or one of the VM's arrays, or stores into a typed array what its class does not
 * admit, gets BadField or ArrayStore and changes nothing; a cycle in the thread list (which only a
 * broken kernel could make) stops the machine with a report instead of looping for ever.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hosted.h"
#include "interp.h"
#include "spec.h"
#include "test.h"
#include "vm_fixture.h"

#define MIB (1024u * 1024u)
#define LEN(a) (uint32_t)sizeof(a)

#define CHECK_STR(actual, expected)          \
  do {                                       \
    if (strcmp((actual), (expected)) != 0) { \
      test_fail(__FILE__, __LINE__, actual); \
      return;                                \
    }                                        \
  } while (0)

/** Runs `code` as Main.run (one thread, a line table of one line) and returns the console. */
static const char *run_main(const uint8_t *code, uint32_t len, uint32_t stack, const word_t *consts, uint32_t n) {
  fixture_thread(vm_fixture_static(fixture_class("Main", 0, 0, 0), "run", code, len, 1, stack, consts, n), 0);
  return vm_fixture_run(0, -1, 0);
}

TEST(vm_safety_no_bytecode_writes_a_thread) {
  fixture_space(MIB);
  word_t consts[] = {vm_fixture_native(CID_THREAD, "current", NATIVE_THREAD_CURRENT, 0, MF_STATIC | MF_RETURNS)};
  /* t = thread.current(); t.THREAD_NEXT = t — what made thread.start loop for ever */
  const uint8_t code[] = {OP_CALL_STATIC, U16(0), 0, OP_DUP, OP_PUT_FIELD, U16(THREAD_NEXT), OP_RET_VOID};
  CHECK_STR(run_main(code, LEN(code), 2, consts, 1), "*** thread 1: uncaught .internal.error: BadField (at Main.run line 1)\n");
  CHECK_EQ(obj_slots(obj_slots(space_root())[ROOT_THREADS])[THREAD_NEXT], 0);
}

TEST(vm_safety_only_the_error_class_writes_a_message) {
  word_t message = 0;
  for (int writer = 0; writer < 3; writer++) {
    fixture_space(MIB);
    word_t error = fixture_internal_class(CID_ERROR);
    obj_slots(error)[CLASS_FIELD_COUNT] = int_to_word(CID_ERROR_SLOTS);
    word_t mine = fixture_class("MyError", error, 1, 0);
    word_t consts[] = {writer == 2 ? mine : error, fixture_string("changed"), 0};
    /* e = new (error | MyError); e.message = "changed"; println(e.message) */
    const uint8_t code[] = {OP_NEW, U16(0), OP_DUP, OP_PUSH_CONST, U16(1), OP_PUT_FIELD, U16(ERROR_MESSAGE),
                            OP_GET_FIELD, U16(ERROR_MESSAGE), OP_CALL_STATIC, U16(2), 1, OP_RET_VOID};
    consts[2] = vm_fixture_native(CID_TTY, "println", NATIVE_TTY_PRINTLN, 1, MF_STATIC);
    /* writer 0: a method of .internal.error (its constructor does this); 1: of a program class; 2: of MyError */
    word_t owner = writer == 0 ? error : writer == 1 ? fixture_class("Main", 0, 0, 0) : mine;
    fixture_thread(vm_fixture_static(owner, "run", code, LEN(code), 1, 3, consts, 3), 0);
    const char *out = vm_fixture_run(0, -1, 0);
    if (writer == 0) CHECK_STR(out, "changed\n");
    else if (writer == 1) CHECK_STR(out, "*** thread 1: uncaught .internal.error: BadField (at Main.run line 1)\n");
    else CHECK_STR(out, "*** thread 1: uncaught .internal.error: BadField (at MyError.run line 1)\n");
    hosted_space_unmap();
    message++;
  }
  CHECK_EQ(message, 3);
}

TEST(vm_safety_array_stores_are_checked_against_the_array_class) {
  /* a = new <class>[1]; a[0] = <value>; println("stored") */
  static const struct {
    int array;    /* 0: dog[], 1: .internal.object[], 2: int[], 3: boolean[], 4: one of the VM's arrays */
    int value;    /* 0: a dog, 1: a string, 2: null, 3: the int 7, 4: the int 1 */
    int admitted;
  } cases[] = {
      {0, 0, 1}, {0, 1, 0}, {0, 2, 1}, {0, 3, 0}, {1, 1, 1}, {1, 3, 0}, {2, 3, 1},
      {2, 1, 0}, {2, 2, 1}, {3, 4, 1}, {3, 3, 0}, {4, 0, 0}, {4, 3, 0}, {4, 2, 0},
  };
  for (uint32_t i = 0; i < LEN(cases) / LEN(cases[0]); i++) {
    fixture_space(MIB);
    word_t dog = fixture_class("Dog", 0, 0, 0);
    word_t classes[] = {fixture_array_class("Dog[]", dog, 0),
                        fixture_array_class(".internal.object[]", fixture_internal_class(CID_OBJECT), 0),
                        fixture_array_class("int[]", int_to_word(ELEM_INT), 0),
                        fixture_array_class("boolean[]", int_to_word(ELEM_BOOLEAN), 0),
                        fixture_internal_class(CID_ARRAY)};
    word_t values[] = {fixture_object(dog, 0), fixture_string("not a dog"), 0, int_to_word(7), int_to_word(1)};
    word_t consts[] = {classes[cases[i].array], values[cases[i].value], fixture_string("stored"),
                       vm_fixture_native(CID_TTY, "println", NATIVE_TTY_PRINTLN, 1, MF_STATIC)};
    const uint8_t code[] = {OP_PUSH_INT, I32(1), OP_NEW_ARRAY, U16(0), OP_STORE, 0, OP_LOAD, 0, OP_PUSH_INT, I32(0),
                            OP_PUSH_CONST, U16(1), OP_ASTORE, OP_PUSH_CONST, U16(2), OP_CALL_STATIC, U16(3), 1, OP_RET_VOID};
    const char *out = run_main(code, LEN(code), 3, consts, 4);
    if (cases[i].admitted) CHECK_STR(out, "stored\n");
    else CHECK_STR(out, "*** thread 1: uncaught .internal.error: ArrayStore (at Main.run line 1)\n");
    hosted_space_unmap();
  }
}

TEST(vm_safety_array_slots_are_not_fields_and_new_array_needs_an_array_class) {
  fixture_space(MIB);
  word_t ints = fixture_array_class("int[]", int_to_word(ELEM_INT), 0);
  word_t consts[] = {ints, fixture_string("x")};
  /* a = new int[1]; PUT_FIELD 0 of a with a string: the slot is an element, stored by ASTORE only */
  const uint8_t code[] = {OP_PUSH_INT, I32(1), OP_NEW_ARRAY, U16(0), OP_PUSH_CONST, U16(1), OP_PUT_FIELD, U16(0),
                          OP_RET_VOID};
  CHECK_STR(run_main(code, LEN(code), 2, consts, 2), "*** thread 1: uncaught .internal.error: BadField (at Main.run line 1)\n");
  hosted_space_unmap();
  fixture_space(MIB);
  word_t dog[] = {fixture_class("Dog", 0, 0, 0)};
  const uint8_t not_array[] = {OP_PUSH_INT, I32(1), OP_NEW_ARRAY, U16(0), OP_RET_VOID};
  CHECK_STR(run_main(not_array, LEN(not_array), 1, dog, 1),
            "*** thread 1: invalid code in Main.run at pc 5: NEW_ARRAY of something that is not an array class\n");
}

/** A Worker class whose run() returns at once. */
static word_t worker_class(void) {
  static const uint8_t ret[] = {OP_RET_VOID};
  word_t worker = fixture_class("Worker", 0, 0, 1);
  struct fixture_method run = {.name = "run", .code = ret, .code_len = 1, .argc = 1, .locals = 1, .vindex = 0};
  fixture_method(worker, &run);
  return worker;
}

/** The program: thread 1 links to itself, then starts a thread (thread_start walks the list). */
static void cycle_then_thread_start(void) {
  fixture_space(MIB);
  word_t consts[] = {worker_class(), vm_fixture_native(CID_THREAD, "start", NATIVE_THREAD_START, 1, MF_STATIC | MF_RETURNS)};
  const uint8_t code[] = {OP_NEW, U16(0), OP_CALL_STATIC, U16(1), 1, OP_POP, OP_RET_VOID};
  fixture_thread(vm_fixture_static(fixture_class("Main", 0, 0, 0), "run", code, LEN(code), 1, 1, consts, 2), 0);
  vm_fixture_run(1, -1, 0); /* validates the space (no cycle yet) and runs the NEW */
  word_t t = obj_slots(space_root())[ROOT_THREADS];
  obj_slots(t)[THREAD_NEXT] = t;
  struct vm_limits limits = {0, -1};
  vm_run_for(&limits);
}

/** A cycle through the thread the scheduler resumes from: its walk round the list never meets the end. */
static void cycle_then_schedule(void) {
  fixture_space(MIB);
  static const uint8_t ret[] = {OP_NOP, OP_RET_VOID};
  word_t main = fixture_class("Main", 0, 0, 0);
  fixture_thread(vm_fixture_static(main, "run", ret, LEN(ret), 1, 1, 0, 0), 0);
  word_t second = fixture_thread(vm_fixture_static(main, "other", ret, LEN(ret), 1, 1, 0, 0), 0);
  vm_fixture_run(1, -1, 0); /* thread 1 runs its NOP; thread 2 is next */
  obj_slots(second)[THREAD_NEXT] = second;
  struct vm_limits limits = {0, -1};
  vm_run_for(&limits);
}

/** Runs scenario in a child process: it must end by ph_panic (SIGABRT) with `report` on stderr, within seconds. */
static int panics_with(void (*scenario)(void), const char *report) {
  int fds[2];
  if (pipe(fds) != 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 2);
    alarm(20); /* before the fix the walk never ended: SIGALRM, not SIGABRT */
    scenario();
    _exit(0);
  }
  close(fds[1]);
  char text[512] = {0};
  size_t got = 0;
  for (ssize_t n; got < sizeof text - 1 && (n = read(fds[0], text + got, sizeof text - 1 - got)) > 0;) got += (size_t)n;
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!strstr(text, report)) fprintf(stderr, "expected \"%s\", stderr was: %s\n", report, text);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(text, report) != 0;
}

TEST(vm_safety_a_cycle_in_the_thread_list_stops_the_machine_loudly) {
  CHECK(panics_with(cycle_then_thread_start, "thread list: a cycle through thread 1"));
  CHECK(panics_with(cycle_then_schedule, "thread list: a cycle through thread 2"));
}
