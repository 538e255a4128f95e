/*
 * array.c — what an array's class allows into it, and the natives of .internal.array
 * (natives.def): copy and resize. An array is a KIND_SLOTS object whose length is HDR_SIZE / 4 and
 * whose class is an array class (CLASS_INTERNAL_ID = CID_ARRAY): T[] for an array a program made,
 * whose CLASS_ELEMENT says what it may hold, or .internal.array itself for the VM's own arrays
 * (vtables, constants, a directory's keys), which hold nothing a program stores. NEW_ARRAY, ALOAD,
 * ASTORE and ALEN are opcodes (interp.c); ASTORE and copy check every value with array_admits,
 * so that no array holds what its type does not allow (lang/docs/language.md, "Arrays").
 */
#include "gc.h"
#include "interp.h"
#include "klib.h"

/** args[i] as an array: null raises NullReference, anything else BadCast. */
static word_t array_arg(struct native_call *c, int i) {
  word_t a = c->args[i];
  if (!c->error && !a) c->error = ERR_NULL_REFERENCE;
  else if (!c->error && !is_array(a)) c->error = ERR_BAD_CAST;
  return c->error ? 0 : a;
}

int array_admits(word_t cls, word_t v) {
  word_t element = obj_slots(cls)[CLASS_ELEMENT];
  if (element == int_to_word(ELEM_INT)) return word_is_int(v);
  if (element == int_to_word(ELEM_BOOLEAN)) return v == 0 || v == int_to_word(1);
  if (!word_is_ref(element)) return 0;
  return !v || (word_is_ref(v) && instance_of(v, element));
}

static int32_t int_arg(struct native_call *c, int i) {
  if (!word_is_int(c->args[i])) c->error = ERR_BAD_ARGUMENT;
  return word_to_int(c->args[i]);
}

void native_ARR_COPY(struct native_call *c) {
  word_t src = array_arg(c, 0), dst = array_arg(c, 2);
  int32_t src_pos = int_arg(c, 1), dst_pos = int_arg(c, 3), n = int_arg(c, 4);
  if (c->error) return;
  if (src_pos < 0 || dst_pos < 0 || n < 0 || (int64_t)src_pos + n > obj_slot_count(src) ||
      (int64_t)dst_pos + n > obj_slot_count(dst)) {
    c->error = ERR_INDEX;
    return;
  }
  /* Check, then copy: one value dst's class does not admit and nothing is copied. */
  for (int32_t i = 0; i < n; i++) {
    if (!array_admits(obj_class(dst), obj_slots(src)[src_pos + i])) {
      c->error = ERR_ARRAY_STORE;
      return;
    }
  }
  memmove(obj_slots(dst) + dst_pos, obj_slots(src) + src_pos, (uint32_t)n * 4);
}

void native_ARR_RESIZE(struct native_call *c) {
  word_t src = array_arg(c, 0);
  int32_t length = int_arg(c, 1);
  if (c->error) return;
  if (length < 0) {
    c->error = ERR_BAD_ARGUMENT;
    return;
  }
  word_t a = gc_alloc(obj_class(src), KIND_SLOTS, (uint32_t)length * 4);
  if (!a) {
    c->error = ERR_OUT_OF_MEMORY;
    return;
  }
  src = c->args[0];
  uint32_t keep = obj_slot_count(src) < (uint32_t)length ? obj_slot_count(src) : (uint32_t)length;
  memcpy(obj_slots(a), obj_slots(src), keep * 4);
  c->result = a;
}
