/*
 * vm_fixture.h — running hand-assembled bytecode in the unit tests: byte helpers for operands, a
 * program class with the system natives attached, and a run that captures the console.
 */
#ifndef PHANTOM_VM_FIXTURE_H
#define PHANTOM_VM_FIXTURE_H

#include "space_fixture.h"
#include "vm.h"

#define I32(x) (uint8_t)((uint32_t)(x)), (uint8_t)((uint32_t)(x) >> 8), (uint8_t)((uint32_t)(x) >> 16), (uint8_t)((uint32_t)(x) >> 24)
#define U16(x) (uint8_t)((uint32_t)(x)), (uint8_t)((uint32_t)(x) >> 8)

/** A native method of an internal class (e.g. .internal.io.tty println), for consts of tests. */
word_t vm_fixture_native(uint32_t cid, const char *name, uint32_t native, uint32_t argc, uint32_t flags);

/** A static method `name` of cls with the code and consts given (argc 0 unless set after). */
word_t vm_fixture_static(word_t cls, const char *name, const uint8_t *code, uint32_t len, uint32_t locals,
                         uint32_t max_stack, const word_t *consts, uint32_t nconsts);

/** vm_try_start, then vm_run_for with the virtual clock, capturing the console into a static buffer. */
const char *vm_fixture_run(uint64_t max_instructions, int64_t max_ms, enum vm_stop *stop);

#endif
