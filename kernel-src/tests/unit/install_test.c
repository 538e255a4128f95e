/*
 * install_test.c — installing and replacing classes from class blobs in hand-built spaces: a new
 * class, a live replacement that existing instances and other classes' constants follow, the
 * refusals (changed fields, unknown names, bad code) that leave the space untouched, an install
 * with collections in the middle, the chunked transport, and a fuzz loop of random, truncated and
 * mutated blobs after each of which space_validate must pass. Then RUN (run_class): a thread that
 * constructs an installed class and runs its method, a static method, and the refusals.
 */
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "install.h"
#include "space_fixture.h"
#include "test.h"
#include "vm_fixture.h"

#define MIB (1024u * 1024u)

/* ── a blob writer, as a test peer (the layout of lang/spec/class_blob.def), so that refusals of every kind can be built ── */

static uint8_t blob[8192];
static uint32_t blob_len;

static void w32(uint32_t v) {
  for (int i = 0; i < 4; i++) blob[blob_len++] = (uint8_t)(v >> (8 * i));
}
static void wstr(const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  blob[blob_len++] = (uint8_t)n;
  blob[blob_len++] = (uint8_t)(n >> 8);
  memcpy(blob + blob_len, s, n);
  blob_len += n;
}
static void wconst_string(const char *s) {
  blob[blob_len++] = 1;
  wstr(s);
}
static void wconst_method(const char *owner, const char *name) {
  blob[blob_len++] = 3;
  wstr(owner);
  wstr(name);
}

static void header(const char *name, const char *super, uint32_t nfields, const char *const *fields) {
  blob_len = 0;
  w32(CLASS_BLOB_MAGIC);
  w32(CLASS_BLOB_VERSION);
  wstr(name);
  wstr(super);
  w32(KIND_SLOTS);
  wstr("t.ph");
  w32(nfields);
  for (uint32_t i = 0; i < nfields; i++) wstr(fields[i]);
}

/** No statement table and no locals: the debug records a method of version 2 ends with. */
static void no_debug(void) {
  w32(0);
  w32(0);
}

/** A method header up to and including its code; the caller writes consts, handlers, lines, debug records. */
static void method(const char *name, uint32_t flags, uint32_t argc, uint32_t locals, int32_t vindex,
                   const uint8_t *code, uint32_t code_len) {
  wstr(name);
  w32(flags);
  w32(argc);
  w32(locals);
  w32(4); /* max stack */
  w32(0); /* native */
  w32((uint32_t)vindex);
  w32(code_len);
  memcpy(blob + blob_len, code, code_len);
  blob_len += code_len;
}

static const char *const one_field[] = {"count"};
static const char *const two_fields[] = {"count", "extra"};

/* run(): PUSH_CONST 0; POP; RET_VOID — the string constant tells versions apart. */
static const uint8_t run_code[] = {OP_PUSH_CONST, 0, 0, OP_POP, OP_RET_VOID};

/** Class `name` with fields, vtable [name.run], and run() whose constant 0 is the string `text`. */
static void counter_blob(const char *name, uint32_t nfields, const char *const *fields, const char *text) {
  header(name, ".internal.object", nfields, fields);
  w32(1);
  wstr(name);
  wstr("run");
  w32(1);
  method("run", 0, 1, 1, 0, run_code, sizeof run_code);
  w32(1);
  wconst_string(text);
  w32(0); /* handlers */
  w32(2); /* lines */
  w32(0);
  w32(7);
  w32(1); /* statements: pc 0 at 7:5 */
  w32(0);
  w32(7);
  w32(5);
  w32(1); /* locals: this in slot 0 over the whole code */
  wstr("this");
  w32(0);
  w32(0);
  w32(sizeof run_code);
}

static word_t program_classes(void) { return obj_slots(space_root())[ROOT_PROGRAM_CLASSES]; }

static int string_equals(word_t s, const char *text) {
  return obj_size(s) == strlen(text) && memcmp(obj_bytes(s), text, obj_size(s)) == 0;
}

/** The string constant 0 of the method at vtable index 0 of cls. */
static word_t run_text(word_t cls) {
  word_t run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  return obj_slots(obj_slots(run)[METHOD_CONSTS])[0];
}

TEST(install_new_class_appends_it_to_the_program_classes) {
  fixture_space(MIB);
  counter_blob(".t.counter", 1, one_field, "tick");
  word_t cls = 0;
  const char *why = install_class(blob, blob_len, &cls);
  CHECK(why == 0);
  CHECK(cls != 0);
  CHECK_EQ(obj_slot_count(program_classes()), 1);
  CHECK_EQ(obj_slots(program_classes())[0], cls);
  CHECK(string_equals(obj_slots(cls)[CLASS_NAME], ".t.counter"));
  CHECK_EQ(obj_slots(cls)[CLASS_SUPER], fixture_internal_class(CID_OBJECT));
  CHECK_EQ(obj_slots(cls)[CLASS_FIELD_COUNT], int_to_word(1));
  word_t run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  CHECK_EQ(obj_slots(obj_slots(cls)[CLASS_METHODS])[0], run);
  CHECK_EQ(obj_slots(run)[METHOD_OWNER], cls);
  CHECK(memcmp(obj_bytes(obj_slots(run)[METHOD_CODE]), run_code, sizeof run_code) == 0);
  CHECK(string_equals(run_text(cls), "tick"));
  CHECK_EQ(obj_slots(obj_slots(run)[METHOD_LINES])[1], int_to_word(7));
  CHECK(space_validate(MIB) == 0);
}

TEST(install_replaces_methods_in_place_for_instances_frames_and_callers) {
  fixture_space(MIB);
  counter_blob(".t.counter", 1, one_field, "tick");
  word_t cls = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
  word_t old_run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  word_t instance = fixture_object(cls, 1);
  obj_slots(instance)[0] = int_to_word(41);
  word_t thread = fixture_thread(old_run, instance); /* a frame running the old code */
  /* A second class whose method calls .t.counter.run statically. */
  header(".t.caller", ".internal.object", 0, 0);
  w32(0);
  w32(1);
  static const uint8_t call_code[] = {OP_LOAD, 0, OP_CALL_STATIC, 0, 0, 1, OP_RET_VOID};
  method("call", MF_STATIC, 1, 1, -1, call_code, sizeof call_code);
  w32(1);
  wconst_method(".t.counter", "run");
  w32(0);
  w32(0);
  no_debug();
  word_t caller = 0;
  CHECK(install_class(blob, blob_len, &caller) == 0);
  word_t call = obj_slots(obj_slots(caller)[CLASS_METHODS])[0];
  CHECK_EQ(obj_slots(obj_slots(call)[METHOD_CONSTS])[0], old_run);

  counter_blob(".t.counter", 1, one_field, "tock");
  word_t again = 0;
  const char *why = install_class(blob, blob_len, &again);
  CHECK(why == 0);
  CHECK_EQ(again, cls); /* the same class object: existing instances follow it */
  CHECK_EQ(obj_class(instance), cls);
  CHECK_EQ(obj_slots(instance)[0], int_to_word(41));
  CHECK(string_equals(run_text(cls), "tock"));
  word_t new_run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  CHECK(new_run != old_run);
  CHECK_EQ(obj_slots(obj_slots(call)[METHOD_CONSTS])[0], new_run);
  CHECK_EQ(obj_slots(obj_slots(thread)[THREAD_FRAME])[FRAME_METHOD], old_run);
  CHECK(string_equals(obj_slots(obj_slots(old_run)[METHOD_CONSTS])[0], "tick"));
  CHECK_EQ(obj_slot_count(program_classes()), 2);
  CHECK(space_validate(MIB) == 0);
  gc_collect(); /* the old method stays alive through the frame */
  CHECK(obj_kind(old_run) == KIND_SLOTS);
  CHECK(space_validate(MIB) == 0);
}

static void check_refused(const char *expected_words) {
  uint32_t top = space_top(), objects = *space_field(SH_OBJECTS);
  word_t program = program_classes();
  word_t cls = 1;
  const char *why = install_class(blob, blob_len, &cls);
  CHECK(why != 0);
  CHECK(strstr(why, expected_words) != 0);
  CHECK_EQ(cls, 0);
  CHECK_EQ(space_top(), top); /* refused before anything was allocated */
  CHECK_EQ(*space_field(SH_OBJECTS), objects);
  CHECK_EQ(program_classes(), program);
  CHECK(space_validate(MIB) == 0);
}

/** .t.sub extends .t.counter with the fields and one vtable entry (owner.name), no methods. */
static void sub_blob(uint32_t nfields, const char *const *fields, const char *owner, const char *name) {
  header(".t.sub", ".t.counter", nfields, fields);
  w32(1);
  wstr(owner);
  wstr(name);
  w32(0);
}

TEST(install_refuses_blobs_of_another_version_and_debug_tables_beyond_the_limits) {
  fixture_space(MIB);
  counter_blob(".t.counter", 1, one_field, "tick");
  blob[4] = 1; /* a version 1 blob, from a sender older than this kernel */
  check_refused("version");
  counter_blob(".t.counter", 1, one_field, "tick");
  uint32_t locals_at = blob_len - (4 + 2 + 4 + 4 + 4 + 4); /* debug_local_count of the last method */
  blob[locals_at + 2] = 0xFF;                              /* 1 -> 0x00FF0001 entries */
  check_refused("CLASS_BLOB_MAX_DEBUG_LOCALS");
  counter_blob(".t.counter", 1, one_field, "tick");
  uint32_t statements_at = locals_at - (4 + 12);
  blob[statements_at + 3] = 0x80;
  check_refused("CLASS_BLOB_MAX_STATEMENTS");
  counter_blob(".t.counter", 1, one_field, "tick");
  blob[blob_len - 12] = 1; /* the local `this` in slot 1 of a method with 1 local slot */
  check_refused("a local's slot");
  counter_blob(".t.counter", 1, one_field, "tick");
  blob[blob_len - 4] = sizeof run_code + 1; /* its range past the code */
  check_refused("a local's slot or pc range");
  counter_blob(".t.counter", 1, one_field, "tick");
  blob[locals_at - 12] = sizeof run_code + 1; /* the statement's pc past the code */
  check_refused("a statement's pc");
  counter_blob(".t.counter", 1, one_field, "tick");
  word_t cls = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
  /* The debug records become the method's optional METHOD_DEBUG, as phc image writes it. */
  word_t run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  CHECK_EQ(obj_slot_count(run), METHOD_DEBUG + 1);
  word_t debug = obj_slots(run)[METHOD_DEBUG];
  CHECK_EQ(obj_slot_count(debug), 3);
  CHECK(string_equals(obj_slots(debug)[0], "t.ph"));
  word_t statements = obj_slots(debug)[1];
  CHECK_EQ(obj_slot_count(statements), 3);
  CHECK_EQ(obj_slots(statements)[0], int_to_word(0));
  CHECK_EQ(obj_slots(statements)[1], int_to_word(7));
  CHECK_EQ(obj_slots(statements)[2], int_to_word(5));
  word_t locals = obj_slots(debug)[2];
  CHECK_EQ(obj_slot_count(locals), 4);
  CHECK(string_equals(obj_slots(locals)[0], "this"));
  CHECK_EQ(obj_slots(locals)[3], int_to_word((int32_t)sizeof run_code));
  CHECK(space_validate(MIB) == 0);
}

TEST(install_checks_subclasses_and_repoints_their_inherited_entries) {
  fixture_space(MIB);
  counter_blob(".t.counter", 1, one_field, "tick");
  word_t cls = 0, sub = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
  sub_blob(0, 0, ".t.counter", "run");
  check_refused("fewer fields");
  sub_blob(1, one_field, ".t.counter", "nothing");
  check_refused("superclass's entries");
  sub_blob(1, one_field, ".t.counter", "run");
  CHECK(install_class(blob, blob_len, &sub) == 0);
  word_t old_run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  CHECK_EQ(obj_slots(obj_slots(sub)[CLASS_VTABLE])[0], old_run);
  counter_blob(".t.counter", 1, one_field, "tock");
  CHECK(install_class(blob, blob_len, &cls) == 0);
  word_t new_run = obj_slots(obj_slots(cls)[CLASS_VTABLE])[0];
  CHECK(new_run != old_run);
  CHECK_EQ(obj_slots(obj_slots(sub)[CLASS_VTABLE])[0], new_run); /* the subclass inherits the new code */
  CHECK(space_validate(MIB) == 0);
}

TEST(install_refuses_a_replacement_that_changes_the_fields) {
  fixture_space(MIB);
  counter_blob(".t.counter", 1, one_field, "tick");
  word_t cls = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
  counter_blob(".t.counter", 2, two_fields, "tock");
  check_refused("number of fields");
  static const char *const renamed[] = {"total"};
  counter_blob(".t.counter", 1, renamed, "tock");
  check_refused("renames or reorders fields");
  CHECK(string_equals(run_text(cls), "tick"));
}

TEST(install_refuses_unknown_names_and_internal_classes) {
  fixture_space(MIB);
  header(".t.x", ".t.nowhere", 0, 0);
  w32(0);
  w32(0);
  check_refused("superclass");
  header(".internal.string", ".internal.object", 0, 0);
  w32(0);
  w32(0);
  check_refused("internal");
  header(".t.x", ".internal.object", 0, 0);
  w32(0);
  w32(1);
  static const uint8_t code[] = {OP_CALL_STATIC, 0, 0, 0, OP_RET_VOID};
  method("m", MF_STATIC, 0, 0, -1, code, sizeof code);
  w32(1);
  wconst_method(".t.nowhere", "m");
  w32(0);
  w32(0);
  no_debug();
  check_refused("not in the machine");
}

/** A class with one static method of the given code and one string constant. */
static void code_blob(const uint8_t *code, uint32_t len) {
  header(".t.code", ".internal.object", 0, 0);
  w32(0);
  w32(1);
  method("m", MF_STATIC, 0, 1, -1, code, len);
  w32(1);
  wconst_string("s");
  w32(0);
  w32(0);
  no_debug();
}

TEST(install_verifies_the_bytecode) {
  fixture_space(MIB);
  static const uint8_t unknown[] = {0xEE, OP_RET_VOID};
  code_blob(unknown, sizeof unknown);
  check_refused("unknown opcode");
  static const uint8_t cut[] = {OP_RET_VOID, OP_PUSH_INT, 1};
  code_blob(cut, sizeof cut);
  check_refused("runs past");
  static const uint8_t into[] = {OP_JMP, 0xFE, 0xFF, OP_RET_VOID}; /* jumps to pc 1, inside the JMP */
  code_blob(into, sizeof into);
  check_refused("jumps");
  static const uint8_t new_of_string[] = {OP_NEW, 0, 0, OP_POP, OP_RET_VOID};
  code_blob(new_of_string, sizeof new_of_string);
  check_refused("not a class");
  static const uint8_t local[] = {OP_LOAD, 1, OP_POP, OP_RET_VOID};
  code_blob(local, sizeof local);
  check_refused("local slot");
  static const uint8_t fine[] = {OP_PUSH_CONST, 0, 0, OP_POP, OP_JMP, 0, 0, OP_RET_VOID};
  code_blob(fine, sizeof fine);
  word_t cls = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
}

static void wconst_class(const char *name) {
  blob[blob_len++] = 2;
  wstr(name);
}

/** `.t.pet` (extending `.t.animal` when given) whose static m() makes arrays of the named classes. */
static void arrays_blob(const char *name, const char *super, const char *const *classes, uint32_t n) {
  header(name, super, 0, 0);
  w32(0);
  w32(1);
  uint8_t code[64];
  uint32_t len = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t make[] = {OP_PUSH_INT, 1, 0, 0, 0, OP_NEW_ARRAY, (uint8_t)i, 0, OP_POP};
    memcpy(code + len, make, sizeof make);
    len += sizeof make;
  }
  code[len++] = OP_RET_VOID;
  method("m", MF_STATIC, 0, 0, -1, code, len);
  w32(n);
  for (uint32_t i = 0; i < n; i++) wconst_class(classes[i]);
  w32(0);
  w32(0);
  no_debug();
}

static word_t array_class_named(const char *name) {
  word_t arrays = obj_slots(space_root())[ROOT_ARRAY_CLASSES];
  for (uint32_t i = 0; i < obj_slot_count(arrays); i++)
    if (string_equals(obj_slots(obj_slots(arrays)[i])[CLASS_NAME], name)) return obj_slots(arrays)[i];
  return 0;
}

TEST(install_makes_the_array_classes_a_class_names_with_their_superclasses) {
  fixture_space(MIB);
  header(".t.animal", ".internal.object", 0, 0);
  w32(0);
  w32(0);
  word_t animal = 0;
  CHECK(install_class(blob, blob_len, &animal) == 0);
  static const char *const names[] = {".t.pet[][]", "int[]", ".internal.string[]", "boolean[][]"};
  arrays_blob(".t.pet", ".t.animal", names, 4);
  word_t pet = 0;
  const char *why = install_class(blob, blob_len, &pet);
  CHECK(why == 0);
  /* .t.pet[][] -> .t.animal[][] -> .internal.object[][] -> .internal.array[] -> .internal.object[] -> .internal.array */
  static const char *const chain[] = {".t.pet[][]", ".t.animal[][]", ".internal.object[][]", ".internal.array[]",
                                      ".internal.object[]"};
  word_t c = array_class_named(chain[0]);
  for (uint32_t i = 0; i < 5; i++) {
    CHECK(c != 0 && string_equals(obj_slots(c)[CLASS_NAME], chain[i]));
    CHECK_EQ(obj_slots(c)[CLASS_INTERNAL_ID], int_to_word(CID_ARRAY));
    c = obj_slots(c)[CLASS_SUPER];
  }
  CHECK_EQ(c, fixture_internal_class(CID_ARRAY));
  CHECK_EQ(obj_slots(array_class_named(".t.pet[]"))[CLASS_ELEMENT], pet);
  CHECK_EQ(obj_slots(array_class_named(".t.pet[][]"))[CLASS_ELEMENT], array_class_named(".t.pet[]"));
  CHECK_EQ(obj_slots(array_class_named("int[]"))[CLASS_ELEMENT], int_to_word(ELEM_INT));
  CHECK_EQ(obj_slots(array_class_named("boolean[]"))[CLASS_ELEMENT], int_to_word(ELEM_BOOLEAN));
  /* the fixture's .internal.string[] is found, not made again; the method's constants are these classes */
  word_t arrays = obj_slots(space_root())[ROOT_ARRAY_CLASSES];
  /* object[], animal[], pet[], .internal.array[], object[][], animal[][], pet[][], int[], boolean[], boolean[][] */
  CHECK_EQ(obj_slot_count(arrays), 1 + 10);
  word_t consts = obj_slots(obj_slots(obj_slots(pet)[CLASS_METHODS])[0])[METHOD_CONSTS];
  CHECK_EQ(obj_slots(consts)[2], obj_slots(arrays)[0]);
  CHECK_EQ(obj_slots(consts)[0], array_class_named(".t.pet[][]"));
  /* a second class naming the same types makes none */
  static const char *const again[] = {".t.animal[]", "int[]"};
  arrays_blob(".t.other", ".internal.object", again, 2);
  word_t other = 0;
  CHECK(install_class(blob, blob_len, &other) == 0);
  CHECK_EQ(obj_slot_count(obj_slots(space_root())[ROOT_ARRAY_CLASSES]), 1 + 10);
  CHECK(space_validate(MIB) == 0);
  static const char *const unknown[] = {".t.nowhere[]"};
  arrays_blob(".t.third", ".internal.object", unknown, 1);
  check_refused("not in the machine");
  header(".t.x[]", ".internal.object", 0, 0);
  w32(0);
  w32(0);
  check_refused("array classes");
}

TEST(install_survives_collections_in_the_middle) {
  fixture_space(MIB);
  /* Fill the space with garbage so that the install's allocations must collect. */
  for (uint32_t size = 4096; size > 0; size /= 2)
    while (space_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, size)) {
    }
  counter_blob(".t.counter", 1, one_field, "tick");
  word_t cls = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
  CHECK(gc_get_stats()->collections > 0);
  CHECK(string_equals(run_text(cls), "tick"));
  CHECK(space_validate(MIB) == 0);
}

TEST(install_chunks_reassemble_and_refuse_gaps) {
  fixture_space(MIB);
  counter_blob(".t.counter", 1, one_field, "tick");
  uint32_t received = 0, half = blob_len / 2;
  word_t cls = 0;
  CHECK(install_chunk(blob_len, 0, blob, half, &received, &cls) == 0);
  CHECK_EQ(received, half);
  CHECK_EQ(cls, 0);
  CHECK(install_chunk(blob_len, half + 1, blob + half, 1, &received, &cls) != 0); /* a gap */
  CHECK(install_chunk(blob_len, 0, blob, half, &received, &cls) == 0);
  CHECK(install_chunk(blob_len, half, blob + half, blob_len - half, &received, &cls) == 0);
  CHECK_EQ(received, blob_len);
  CHECK(cls != 0);
  CHECK(install_chunk(CLASS_BLOB_MAX + 1, 0, blob, 4, &received, &cls) != 0);
  CHECK(install_chunk(0, 0, blob, 0, &received, &cls) != 0);
}

TEST(install_fuzz_random_truncated_and_mutated_blobs_keep_the_space_valid) {
  fixture_space(MIB);
  srand(7);
  counter_blob(".t.counter", 1, one_field, "tick");
  uint8_t valid[sizeof blob];
  uint32_t valid_len = blob_len;
  memcpy(valid, blob, blob_len);
  word_t cls = 0;
  for (uint32_t n = 0; n < valid_len; n++) { /* every truncation is refused */
    CHECK(install_class(valid, n, &cls) != 0);
  }
  for (int round = 0; round < 3000; round++) {
    uint32_t len;
    if (round % 3 == 0) {
      len = (uint32_t)rand() % 200;
      for (uint32_t i = 0; i < len; i++) blob[i] = (uint8_t)rand();
      if (len >= 8 && round % 2) { /* past the magic, so the parser goes further */
        memcpy(blob, valid, 8);
      }
    } else {
      len = valid_len;
      memcpy(blob, valid, valid_len);
      int flips = 1 + rand() % 4;
      for (int k = 0; k < flips; k++) blob[8 + (uint32_t)rand() % (valid_len - 8)] = (uint8_t)rand();
    }
    install_class(blob, len, &cls);
    if (round % 100 == 0) CHECK(space_validate(MIB) == 0);
  }
  CHECK(space_validate(MIB) == 0);
}

/* ── RUN ── */

/** Method `name` whose code prints the string `text` through .internal.io.tty.println. */
static void print_method(const char *name, uint32_t flags, uint32_t argc, int32_t vindex, const char *text) {
  static const uint8_t code[] = {OP_PUSH_CONST, 0, 0, OP_CALL_STATIC, 1, 0, 1, OP_RET_VOID};
  method(name, flags, argc, argc, vindex, code, sizeof code);
  w32(2);
  wconst_string(text);
  wconst_method(".internal.io.tty", "println");
  w32(0);
  w32(0);
  no_debug();
}

/**
 * .t.greeter: a constructor printing "made", run() printing "ran", a static hello() printing
 * "static", and a static twice(x) that takes an argument; println is made a method of the tty
 * class first, so the blob's constants resolve.
 */
static void install_greeter(void) {
  fixture_space(MIB);
  word_t println = vm_fixture_native(CID_TTY, "println", NATIVE_TTY_PRINTLN, 1, MF_STATIC);
  word_t tty_methods = fixture_array(1);
  obj_slots(tty_methods)[0] = println;
  obj_slots(fixture_internal_class(CID_TTY))[CLASS_METHODS] = tty_methods;
  header(".t.greeter", ".internal.object", 0, 0);
  w32(1);
  wstr(".t.greeter");
  wstr("run");
  w32(4);
  print_method("<init>", MF_CTOR, 1, -1, "made");
  print_method("run", 0, 1, 0, "ran");
  print_method("hello", MF_STATIC, 0, -1, "static");
  print_method("twice", MF_STATIC, 1, -1, "never");
  word_t cls = 0;
  CHECK(install_class(blob, blob_len, &cls) == 0);
  CHECK(vm_try_start(MIB) == 0);
}

/** run_class by C strings: the thread started, or 0 when it was refused. */
static word_t run_named(const char *cls, const char *method, int *not_found) {
  word_t thread = 0;
  run_class((const uint8_t *)cls, (uint32_t)strlen(cls), (const uint8_t *)method, (uint32_t)strlen(method), &thread,
            not_found);
  return thread;
}

TEST(run_constructs_the_class_and_runs_its_method_in_a_new_thread) {
  install_greeter();
  int not_found = 1;
  word_t first = run_named(".t.greeter", "", &not_found);
  CHECK(first != 0);
  CHECK_EQ(not_found, 0);
  word_t second = run_named(".t.greeter", "hello", &not_found);
  CHECK(second != 0);
  CHECK_EQ(obj_slots(second)[THREAD_ID], obj_slots(first)[THREAD_ID] + int_to_word(1));
  CHECK_EQ(obj_slots(space_root())[ROOT_THREADS], first);
  word_t launcher = obj_slots(obj_slots(first)[THREAD_FRAME])[FRAME_METHOD];
  CHECK(string_equals(obj_slots(launcher)[METHOD_NAME], "launch"));
  CHECK_EQ(obj_slots(launcher)[METHOD_OWNER], fixture_internal_class(CID_BOOT));
  CHECK(space_validate(MIB) == 0);
  enum vm_stop stop;
  const char *out = vm_fixture_run(0, -1, &stop);
  CHECK_EQ(stop, VM_ALL_ENDED);
  CHECK(strcmp(out, "made\nran\nstatic\n") == 0);
  CHECK_EQ(obj_slots(first)[THREAD_STATE], int_to_word(TS_DONE));
  CHECK_EQ(obj_slots(second)[THREAD_STATE], int_to_word(TS_DONE));
  CHECK(space_validate(MIB) == 0);
}

TEST(run_refuses_unknown_names_internal_classes_and_methods_with_arguments) {
  install_greeter();
  uint32_t top = space_top();
  int not_found = 0;
  CHECK(run_named(".t.nowhere", "", &not_found) == 0);
  CHECK_EQ(not_found, 1);
  CHECK(run_named(".internal.string", "", &not_found) == 0);
  CHECK_EQ(not_found, 1);
  CHECK(run_named(".t.greeter", "nothing", &not_found) == 0);
  CHECK_EQ(not_found, 1);
  CHECK(run_named(".t.greeter", "<init>", &not_found) == 0); /* a constructor is not static */
  CHECK_EQ(not_found, 1);
  CHECK(run_named(".t.greeter", "twice", &not_found) == 0);
  CHECK_EQ(not_found, 0);
  CHECK_EQ(space_top(), top);
  CHECK(obj_slots(space_root())[ROOT_THREADS] == 0);
}

TEST(run_survives_collections_in_the_middle) {
  install_greeter();
  for (uint32_t size = 4096; size > 0; size /= 2)
    while (space_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, size)) {
    }
  uint32_t collections = gc_get_stats()->collections;
  int not_found = 0;
  CHECK(run_named(".t.greeter", "run", &not_found) != 0);
  CHECK(gc_get_stats()->collections > collections);
  CHECK(space_validate(MIB) == 0);
  CHECK(strcmp(vm_fixture_run(0, -1, 0), "made\nran\n") == 0);
}
