/*
 * directory.c — the natives of .internal.directory (natives.def): a name → object map kept as
 * insertion-ordered parallel arrays DIR_KEYS / DIR_VALUES with DIR_COUNT names in use, grown by
 * doubling (object-format.md). Lookups compare string bytes, linearly.
 *
 * A directory someone made with `new` (null arrays) is an empty directory; the arrays appear on
 * the first put. A null name is found nowhere (get, has, remove) and cannot be stored (put raises
 * NullReference), as in lang's reference interpreter.
 *
 * The root directory's DEBUGGER_NAME entry (the debugger's state, debugger.c) is the machine's, not
 * the programs': to them it is not there (get null, has and remove false, size and keys leave it
 * out), and the name is reserved (put raises BadArgument), in the root directory only.
 */
#include "debugger.h"
#include "gc.h"
#include "interp.h"
#include "klib.h"

/** Capacity of a directory's arrays on its first put. */
#define DIR_FIRST_CAPACITY 4u

/** The receiver as a directory, or 0 with the error set. */
static word_t dir_receiver(struct native_call *c) {
  word_t d = c->args[0];
  if (!d) c->error = ERR_NULL_REFERENCE;
  else if (!is_instance_of_cid(d, CID_DIRECTORY) || obj_kind(d) != KIND_SLOTS || obj_slot_count(d) < CID_DIRECTORY_SLOTS)
    c->error = ERR_BAD_CAST;
  return c->error ? 0 : d;
}

/** Names in use: DIR_COUNT, clamped to what both arrays hold. */
static uint32_t dir_count(word_t d) {
  word_t *s = obj_slots(d);
  int32_t n = slot_int(d, DIR_COUNT, 0);
  if (n <= 0 || !is_array(s[DIR_KEYS]) || !is_array(s[DIR_VALUES])) return 0;
  uint32_t cap = obj_slot_count(s[DIR_KEYS]) < obj_slot_count(s[DIR_VALUES]) ? obj_slot_count(s[DIR_KEYS])
                                                                              : obj_slot_count(s[DIR_VALUES]);
  return (uint32_t)n < cap ? (uint32_t)n : cap;
}

/** Index of the name, or -1. */
static int32_t dir_find(word_t d, word_t name) {
  uint32_t n = dir_count(d);
  word_t *keys = n ? obj_slots(obj_slots(d)[DIR_KEYS]) : 0;
  for (uint32_t i = 0; i < n; i++)
    if (is_string(keys[i]) && obj_size(keys[i]) == obj_size(name) && !memcmp(obj_bytes(keys[i]), obj_bytes(name), obj_size(name)))
      return (int32_t)i;
  return -1;
}

/** Is name the reserved DEBUGGER_NAME and d the root directory? */
static int reserved(word_t d, word_t name) {
  uint32_t len = (uint32_t)strlen(DEBUGGER_NAME);
  return d == obj_slots(space_root())[ROOT_DIRECTORY] && is_string(name) && obj_size(name) == len &&
         !memcmp(obj_bytes(name), DEBUGGER_NAME, len);
}

/** Index of the hidden entry in d, or -1 (none, or d is not the root directory). */
static int32_t hidden_index(word_t d) {
  if (d != obj_slots(space_root())[ROOT_DIRECTORY]) return -1;
  uint32_t n = dir_count(d);
  word_t *keys = n ? obj_slots(obj_slots(d)[DIR_KEYS]) : 0;
  for (uint32_t i = 0; i < n; i++)
    if (reserved(d, keys[i])) return (int32_t)i;
  return -1;
}

/** args[1] as a name: null raises NullReference (see lookup_name for the finders). */
static word_t name_arg(struct native_call *c) {
  word_t name = c->args[1];
  if (!name) c->error = ERR_NULL_REFERENCE;
  else if (!is_string(name)) c->error = ERR_BAD_CAST;
  return c->error ? 0 : name;
}

void native_DIR_ROOT(struct native_call *c) { c->result = obj_slots(space_root())[ROOT_DIRECTORY]; }

/** Index of args[1] in the receiver for get, has and remove: -1 for a null name; -2 with the error set. */
static int32_t lookup_name(struct native_call *c) {
  word_t d = dir_receiver(c);
  if (!d) return -2;
  if (!c->args[1]) return -1;
  word_t name = name_arg(c);
  if (name && reserved(d, name)) return -1;
  return name ? dir_find(d, name) : -2;
}

void native_DIR_GET(struct native_call *c) {
  int32_t i = lookup_name(c);
  if (i == -2) return;
  word_t d = c->args[0];
  c->result = i < 0 ? 0 : obj_slots(obj_slots(d)[DIR_VALUES])[i];
}

void native_DIR_HAS(struct native_call *c) {
  int32_t i = lookup_name(c);
  if (i != -2) c->result = int_to_word(i >= 0);
}

void native_DIR_SIZE(struct native_call *c) {
  word_t d = dir_receiver(c);
  if (d) c->result = int_to_word((int32_t)dir_count(d) - (hidden_index(d) >= 0));
}

/** Make room for one more name: new arrays of max(4, twice the capacity) when full. 0, or an ERR_*. */
static uint32_t dir_grow(struct native_call *c) {
  word_t d = c->args[0];
  uint32_t n = dir_count(d);
  word_t keys = obj_slots(d)[DIR_KEYS], values = obj_slots(d)[DIR_VALUES];
  if (is_array(keys) && is_array(values) && obj_slot_count(keys) > n && obj_slot_count(values) > n) return 0;
  uint32_t old_cap = is_array(keys) ? obj_slot_count(keys) : 0;
  uint32_t cap = old_cap * 2 > DIR_FIRST_CAPACITY ? old_cap * 2 : DIR_FIRST_CAPACITY;
  word_t new_keys = gc_alloc(vm_class[CID_ARRAY], KIND_SLOTS, cap * 4);
  if (!new_keys) return ERR_OUT_OF_MEMORY;
  gc_pin(&new_keys);
  word_t new_values = gc_alloc(vm_class[CID_ARRAY], KIND_SLOTS, cap * 4);
  gc_unpin(1);
  if (!new_values) return ERR_OUT_OF_MEMORY;
  d = c->args[0];
  if (n) {
    memcpy(obj_slots(new_keys), obj_slots(obj_slots(d)[DIR_KEYS]), n * 4);
    memcpy(obj_slots(new_values), obj_slots(obj_slots(d)[DIR_VALUES]), n * 4);
  }
  obj_slots(d)[DIR_KEYS] = new_keys;
  obj_slots(d)[DIR_VALUES] = new_values;
  obj_slots(d)[DIR_COUNT] = int_to_word((int32_t)n);
  return 0;
}

void native_DIR_PUT(struct native_call *c) {
  word_t d = dir_receiver(c), name = d ? name_arg(c) : 0;
  if (!name) return;
  if (reserved(d, name)) {
    c->error = ERR_BAD_ARGUMENT;
    return;
  }
  directory_put(c);
}

void directory_put(struct native_call *c) {
  word_t d = dir_receiver(c), name = d ? name_arg(c) : 0;
  if (!name) return;
  int32_t i = dir_find(d, name);
  if (i >= 0) {
    obj_slots(obj_slots(d)[DIR_VALUES])[i] = c->args[2];
    return;
  }
  c->error = dir_grow(c);
  if (c->error) return;
  uint32_t n = dir_count(d);
  obj_slots(obj_slots(d)[DIR_KEYS])[n] = c->args[1];
  obj_slots(obj_slots(d)[DIR_VALUES])[n] = c->args[2];
  obj_slots(d)[DIR_COUNT] = int_to_word((int32_t)n + 1);
}

void native_DIR_REMOVE(struct native_call *c) {
  int32_t i = lookup_name(c);
  if (i == -2) return;
  word_t d = c->args[0];
  c->result = int_to_word(i >= 0);
  if (i < 0) return;
  uint32_t n = dir_count(d);
  word_t *keys = obj_slots(obj_slots(d)[DIR_KEYS]), *values = obj_slots(obj_slots(d)[DIR_VALUES]);
  memmove(keys + i, keys + i + 1, (n - (uint32_t)i - 1) * 4);
  memmove(values + i, values + i + 1, (n - (uint32_t)i - 1) * 4);
  keys[n - 1] = 0;
  values[n - 1] = 0;
  obj_slots(d)[DIR_COUNT] = int_to_word((int32_t)n - 1);
}

void native_DIR_KEYS(struct native_call *c) {
  word_t d = dir_receiver(c);
  if (!d) return;
  uint32_t n = dir_count(d);
  int32_t hidden = hidden_index(d);
  word_t a = gc_alloc(vm_string_array_class, KIND_SLOTS, (n - (hidden >= 0)) * 4);
  if (!a) {
    c->error = ERR_OUT_OF_MEMORY;
    return;
  }
  d = c->args[0];
  word_t *keys = n ? obj_slots(obj_slots(d)[DIR_KEYS]) : 0;
  for (uint32_t i = 0, j = 0; i < n; i++)
    if ((int32_t)i != hidden) obj_slots(a)[j++] = keys[i];
  c->result = a;
}
