/*
 * space_fixture.h — builds small object spaces by hand for the VM's unit tests: the space header,
 * the internal classes in ROOT_CLASSES, the root and its directory, then whatever a test adds
 * (classes, methods from bytecode bytes, threads). What lang's image builder does, in miniature.
 */
#ifndef PHANTOM_SPACE_FIXTURE_H
#define PHANTOM_SPACE_FIXTURE_H

#include <stdint.h>

#include "objspace.h"

/** Map a space of `bytes` at SPACE_BASE and build the internal classes and the root in it. */
void fixture_space(uint32_t bytes);

word_t fixture_internal_class(uint32_t cid);
word_t fixture_string(const char *text);
/** An array of class .internal.array: one of the VM's own, which programs cannot store into. */
word_t fixture_array(uint32_t length);
/**
 * The array class named `name` whose elements are `element` (a class, or int_to_word(ELEM_INT) or
 * int_to_word(ELEM_BOOLEAN)), a subclass of super (0 = .internal.array), added to ROOT_ARRAY_CLASSES.
 */
word_t fixture_array_class(const char *name, word_t element, word_t super);
/** An array of `length` slots of an array class. */
word_t fixture_typed_array(word_t array_class, uint32_t length);
/** An instance of KIND_SLOTS with n slots of the class. */
word_t fixture_object(word_t cls, uint32_t slots);
/** A program class: name, superclass (0 = .internal.object), field count, vtable of n methods. */
word_t fixture_class(const char *name, word_t super, uint32_t fields, uint32_t vtable_length);

struct fixture_method {
  const char *name;
  const uint8_t *code;
  uint32_t code_len;
  uint32_t argc, locals, max_stack, flags, native;
  int32_t vindex;
  const word_t *consts;
  uint32_t const_count;
  const int32_t *handlers; /**< 4 per handler */
  uint32_t handler_count;
  const int32_t *lines; /**< pc, line pairs */
  uint32_t line_pairs;
};
word_t fixture_method(word_t owner, const struct fixture_method *m);

/** A runnable thread whose first frame runs method (argc 0 or a receiver in local 0). */
word_t fixture_thread(word_t method, word_t receiver);

#endif
