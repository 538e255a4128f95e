/*
 * fuzz_test.c — corrupt spaces and corrupt code must never crash the VM: each round builds a
 * small program (calls, recursion, arrays, strings, a handler, two threads), damages random
 * words of the space or random bytes of its code, and then either space_validate refuses it
 * with a message or it runs (bounded) to an end and leaves a space that still validates (the VM
 * never breaks the heap's invariants, whatever the code does). ASan/UBSan turn any wild access
 * outside the space into a failure.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "objspace.h"
#include "spec.h"
#include "test.h"
#include "vm_fixture.h"

#define MIB (1024u * 1024u)
#define ROUNDS 2000

static uint32_t rng_state;
static uint32_t rng(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/** A program worth damaging; returns its code objects so rounds can hit them. */
static void build_program(word_t *codes) {
  word_t main = fixture_class("Main", 0, 1, 1);
  word_t print = vm_fixture_native(CID_TTY, "println", NATIVE_TTY_PRINTLN, 1, MF_STATIC);
  const uint8_t fib_code[] = {OP_LOAD, 0, OP_PUSH_INT, I32(2), OP_LT, OP_JMP_FALSE, U16(3), OP_LOAD, 0, OP_RET,
                              OP_LOAD, 0, OP_PUSH_INT, I32(1), OP_SUB, OP_CALL_STATIC, U16(0), 1,
                              OP_LOAD, 0, OP_PUSH_INT, I32(2), OP_SUB, OP_CALL_STATIC, U16(0), 1, OP_ADD, OP_RET};
  word_t zero[] = {0};
  word_t fib = vm_fixture_static(main, "fib", fib_code, sizeof fib_code, 1, 3, zero, 1);
  obj_slots(obj_slots(fib)[METHOD_CONSTS])[0] = fib;
  obj_slots(fib)[METHOD_ARGC] = int_to_word(1);
  obj_slots(fib)[METHOD_FLAGS] = int_to_word(MF_STATIC | MF_RETURNS);
  word_t consts[] = {fib, print, fixture_string("x="), main, fixture_internal_class(CID_ERROR),
                     fixture_array_class("int[]", int_to_word(ELEM_INT), 0)};
  const uint8_t code[] = {OP_PUSH_INT, I32(12), OP_CALL_STATIC, U16(0), 1, OP_I2S, OP_PUSH_CONST, U16(2), OP_CONCAT,
                          OP_CALL_STATIC, U16(1), 1, OP_PUSH_INT, I32(8), OP_NEW_ARRAY, U16(5), OP_PUSH_INT, I32(9), OP_ALOAD,
                          OP_POP, OP_RET_VOID, OP_O2S, OP_CALL_STATIC, U16(1), 1, OP_NEW, U16(3), OP_PUSH_INT, I32(5),
                          OP_PUT_FIELD, U16(0), OP_RET_VOID};
  static const int32_t handlers[] = {0, 20, 20, 4};
  static const int32_t lines[] = {0, 1, 20, 2};
  struct fixture_method run = {.name = "run", .code = code, .code_len = sizeof code, .locals = 1, .max_stack = 3,
                               .flags = MF_STATIC, .vindex = -1, .consts = consts, .const_count = 6,
                               .handlers = handlers, .handler_count = 1, .lines = lines, .line_pairs = 2};
  word_t m = fixture_method(main, &run);
  fixture_thread(m, 0);
  fixture_thread(m, 0);
  codes[0] = obj_slots(fib)[METHOD_CODE];
  codes[1] = obj_slots(m)[METHOD_CODE];
}

static void run_bounded(void) {
  hosted_use_virtual_clock(1);
  FILE *devnull = fopen("/dev/null", "w");
  fflush(stdout);
  int saved = dup(1);
  dup2(fileno(devnull), 1);
  struct vm_limits limits = {200000, 10000};
  vm_run_for(&limits);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  fclose(devnull);
}

TEST(fuzz_damaged_code_never_crashes) {
  for (uint32_t round = 0; round < ROUNDS; round++) {
    rng_state = round;
    fixture_space(MIB);
    word_t codes[2];
    build_program(codes);
    for (int hits = 1 + (int)(rng() % 4); hits > 0; hits--) {
      word_t code = codes[rng() % 2];
      obj_bytes(code)[rng() % obj_size(code)] = (uint8_t)rng();
    }
    CHECK(vm_try_start(MIB) == 0);
    run_bounded();
    CHECK(space_validate(MIB) == 0); /* whatever the code did, the heap is still sound */
    hosted_space_unmap();
  }
}

TEST(fuzz_damaged_space_is_refused_or_runs) {
  int refused = 0;
  for (uint32_t round = 0; round < ROUNDS; round++) {
    rng_state = 7919u * round + 1;
    fixture_space(MIB);
    word_t codes[2];
    build_program(codes);
    uint32_t words = (space_top() - SPACE_BASE) / 4;
    for (int hits = 1 + (int)(rng() % 3); hits > 0; hits--) {
      uint32_t *w = (uint32_t *)(uintptr_t)SPACE_BASE + rng() % words;
      switch (rng() % 4) {
      case 0: *w = rng(); break;                 /* anything */
      case 1: *w ^= 1u << (rng() % 32); break;    /* one bit */
      case 2: *w = int_to_word((int32_t)(rng() % 64) - 8); break; /* a small integer */
      default: *w = space_root(); break;          /* a real but wrong reference */
      }
    }
    if (vm_try_start(MIB)) {
      refused++;
    } else {
      run_bounded();
      CHECK(space_validate(MIB) == 0);
    }
    hosted_space_unmap();
  }
  CHECK(refused > 0);
}
