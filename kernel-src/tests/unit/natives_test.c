/*
 * natives_test.c — the natives of natives.def called directly on a hand-built space: strings,
 * directories, arrays, class names; argument errors raise the documented errors.
 */
#include <string.h>

#include "interp.h"
#include "platform.h"
#include "space_fixture.h"
#include "test.h"
#include "vm.h"

#define MIB (1024u * 1024u)

static void start(void) {
  fixture_space(MIB);
  if (vm_try_start(MIB)) ph_panic("natives_test: space rejected");
}

/** Call a native on up to five arguments; returns the result, *error gets the error code. */
static word_t call(native_fn fn, uint32_t *error, word_t *args) {
  struct native_call c = {args, 0, 0, TURN_CONTINUE};
  fn(&c);
  *error = c.error;
  return c.result;
}

#define CALL(fn, ...) call(native_##fn, &err, (word_t[5]){__VA_ARGS__})
#define INT(n) int_to_word(n)

static int string_is(word_t s, const char *text) {
  return is_string(s) && obj_size(s) == strlen(text) && !memcmp(obj_bytes(s), text, strlen(text));
}

TEST(natives_strings) {
  start();
  uint32_t err;
  word_t hello = fixture_string("hello world");
  CHECK_EQ(CALL(STR_LENGTH, hello), INT(11));
  CHECK_EQ(CALL(STR_CHAR_AT, hello, INT(4)), INT('o'));
  CALL(STR_CHAR_AT, hello, INT(11));
  CHECK_EQ(err, ERR_INDEX);
  CALL(STR_CHAR_AT, hello, INT(-1));
  CHECK_EQ(err, ERR_INDEX);
  CHECK(string_is(CALL(STR_SUBSTRING, hello, INT(6), INT(11)), "world"));
  CHECK(string_is(CALL(STR_SUBSTRING, hello, INT(3), INT(3)), ""));
  CALL(STR_SUBSTRING, hello, INT(5), INT(4));
  CHECK_EQ(err, ERR_INDEX);
  CHECK_EQ(CALL(STR_INDEX_OF, hello, fixture_string("o w")), INT(4));
  CHECK_EQ(CALL(STR_INDEX_OF, hello, fixture_string("")), INT(0));
  CHECK_EQ(CALL(STR_INDEX_OF, hello, fixture_string("xyz")), INT(-1));
  CALL(STR_INDEX_OF, hello, 0);
  CHECK_EQ(err, ERR_NULL_REFERENCE);
  CHECK_EQ(CALL(STR_EQUALS, hello, fixture_string("hello world")), INT(1));
  CHECK_EQ(CALL(STR_EQUALS, hello, 0), INT(0));
  CHECK_EQ(CALL(STR_COMPARE, fixture_string("abc"), fixture_string("abf")), INT(-3));
  CHECK_EQ(CALL(STR_COMPARE, fixture_string("abc"), fixture_string("a")), INT(2));
  CHECK_EQ(CALL(STR_COMPARE, fixture_string("ab"), fixture_string("ab")), INT(0));
  CHECK_EQ(CALL(STR_HASH, fixture_string("a")), INT(0x240C292F)); /* FNV-1a("a") = 0xE40C292C, folded */
  CALL(STR_LENGTH, 0);
  CHECK_EQ(err, ERR_NULL_REFERENCE);
  CALL(STR_LENGTH, fixture_array(1));
  CHECK_EQ(err, ERR_BAD_CAST);
}

TEST(natives_string_to_int_and_from_char) {
  start();
  uint32_t err;
  CHECK_EQ(CALL(STR_TO_INT, fixture_string("123")), INT(123));
  CHECK_EQ(CALL(STR_TO_INT, fixture_string("-45")), INT(-45));
  CHECK_EQ(CALL(STR_TO_INT, fixture_string("-1073741824")), INT(SMALLINT_MIN));
  static const char *const bad[] = {"", "-", "12a", " 1", "1073741824", "99999999999999999999"};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CALL(STR_TO_INT, fixture_string(bad[i]));
    CHECK_EQ(err, ERR_BAD_ARGUMENT);
  }
  CHECK(string_is(CALL(STR_FROM_CHAR, INT(321)), "A"));
}

TEST(natives_directory) {
  start();
  uint32_t err;
  word_t dir = CALL(DIR_ROOT, 0);
  CHECK(is_instance_of_cid(dir, CID_DIRECTORY));
  char name[8];
  for (int i = 0; i < 10; i++) {
    name[0] = (char)('a' + i), name[1] = 0;
    CALL(DIR_PUT, dir, fixture_string(name), INT(i));
    CHECK_EQ(err, 0);
  }
  CHECK_EQ(CALL(DIR_SIZE, dir), INT(10));
  CHECK_EQ(CALL(DIR_GET, dir, fixture_string("c")), INT(2));
  CALL(DIR_PUT, dir, fixture_string("c"), INT(99));
  CHECK_EQ(CALL(DIR_GET, dir, fixture_string("c")), INT(99));
  CHECK_EQ(CALL(DIR_SIZE, dir), INT(10));
  CHECK_EQ(CALL(DIR_REMOVE, dir, fixture_string("a")), INT(1));
  CHECK_EQ(CALL(DIR_REMOVE, dir, fixture_string("a")), INT(0));
  CHECK_EQ(CALL(DIR_HAS, dir, fixture_string("a")), INT(0));
  CHECK_EQ(CALL(DIR_GET, dir, fixture_string("zz")), 0);
  word_t keys = CALL(DIR_KEYS, dir);
  CHECK(is_array(keys));
  CHECK_EQ(obj_slot_count(keys), 9);
  CHECK(string_is(obj_slots(keys)[0], "b"));
  CHECK(string_is(obj_slots(keys)[8], "j"));
  CALL(DIR_PUT, dir, 0, INT(1));
  CHECK_EQ(err, ERR_NULL_REFERENCE);
  CHECK_EQ(CALL(DIR_GET, dir, 0), 0);
  CHECK_EQ(err, 0);
  CHECK_EQ(CALL(DIR_REMOVE, dir, 0), INT(0));
  CALL(DIR_GET, fixture_array(3), fixture_string("x"));
  CHECK_EQ(err, ERR_BAD_CAST);
  word_t empty = fixture_object(fixture_internal_class(CID_DIRECTORY), CID_DIRECTORY_SLOTS);
  CHECK_EQ(CALL(DIR_SIZE, empty), INT(0));
  CALL(DIR_PUT, empty, fixture_string("k"), INT(5));
  CHECK_EQ(CALL(DIR_GET, empty, fixture_string("k")), INT(5));
}

TEST(natives_arrays_and_class_names) {
  start();
  uint32_t err;
  word_t ints = fixture_array_class("int[]", INT(ELEM_INT), 0);
  word_t a = fixture_typed_array(ints, 6);
  for (int i = 0; i < 6; i++) obj_slots(a)[i] = INT(i);
  CALL(ARR_COPY, a, INT(0), a, INT(2), INT(4)); /* overlapping */
  CHECK_EQ(err, 0);
  CHECK_EQ(obj_slots(a)[5], INT(3));
  CHECK_EQ(obj_slots(a)[2], INT(0));
  CALL(ARR_COPY, a, INT(3), a, INT(0), INT(4));
  CHECK_EQ(err, ERR_INDEX);
  CALL(ARR_COPY, a, INT(0), a, INT(0), INT(-1));
  CHECK_EQ(err, ERR_INDEX);
  CALL(ARR_COPY, 0, INT(0), a, INT(0), INT(1));
  CHECK_EQ(err, ERR_NULL_REFERENCE);
  word_t bigger = CALL(ARR_RESIZE, a, INT(8));
  CHECK_EQ(obj_slot_count(bigger), 8);
  CHECK_EQ(obj_slots(bigger)[5], INT(3));
  CHECK_EQ(obj_slots(bigger)[7], 0);
  CHECK_EQ(obj_class(bigger), ints); /* resize keeps the array's class, so casts back succeed */
  CHECK_EQ(obj_slot_count(CALL(ARR_RESIZE, a, INT(2))), 2);
  CALL(ARR_RESIZE, a, INT(-2));
  CHECK_EQ(err, ERR_BAD_ARGUMENT);
  CHECK(string_is(CALL(OBJ_CLASS_NAME, a), "int[]"));
  CHECK(string_is(CALL(OBJ_CLASS_NAME, fixture_array(0)), ".internal.array"));
  CHECK(string_is(CALL(OBJ_CLASS_NAME, fixture_string("")), ".internal.string"));
  CALL(OBJ_CLASS_NAME, 0);
  CHECK_EQ(err, ERR_NULL_REFERENCE);
}

TEST(natives_array_copy_checks_every_value_before_copying_any) {
  start();
  uint32_t err;
  word_t strings = obj_slots(obj_slots(space_root())[ROOT_ARRAY_CLASSES])[0];
  word_t objects = fixture_array_class(".internal.object[]", fixture_internal_class(CID_OBJECT), 0);
  word_t ints = fixture_array_class("int[]", INT(ELEM_INT), 0);
  word_t any = fixture_typed_array(objects, 3), text = fixture_typed_array(strings, 3), n = fixture_typed_array(ints, 3);
  obj_slots(any)[0] = fixture_string("a");
  obj_slots(any)[1] = fixture_string("b");
  obj_slots(any)[2] = fixture_array(0);
  CALL(ARR_COPY, any, INT(0), text, INT(0), INT(2)); /* two strings into a string[] */
  CHECK_EQ(err, 0);
  CHECK(string_is(obj_slots(text)[1], "b"));
  obj_slots(text)[0] = 0;
  CALL(ARR_COPY, any, INT(0), text, INT(0), INT(3)); /* the third is no string: nothing is copied */
  CHECK_EQ(err, ERR_ARRAY_STORE);
  CHECK_EQ(obj_slots(text)[0], 0);
  CALL(ARR_COPY, any, INT(0), n, INT(0), INT(1)); /* a reference is never an int: no address leaks */
  CHECK_EQ(err, ERR_ARRAY_STORE);
  CHECK_EQ(obj_slots(n)[0], 0);
  obj_slots(n)[0] = INT(7);
  CALL(ARR_COPY, n, INT(0), any, INT(0), INT(1)); /* nor an int a reference */
  CHECK_EQ(err, ERR_ARRAY_STORE);
  CALL(ARR_COPY, any, INT(0), fixture_array(3), INT(0), INT(1)); /* the VM's own arrays take nothing */
  CHECK_EQ(err, ERR_ARRAY_STORE);
  CALL(ARR_COPY, fixture_object(fixture_internal_class(CID_THREAD), CID_THREAD_SLOTS), INT(0), any, INT(0), INT(1));
  CHECK_EQ(err, ERR_BAD_CAST); /* a thread is no array */
}
