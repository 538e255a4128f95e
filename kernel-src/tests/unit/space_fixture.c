/* space_fixture.c — see space_fixture.h. Aborts the test on any setup failure. */
#include "space_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "platform.h"

static word_t classes[CID_BOOT + 1];

static const char *const internal_names[] = {
#include "spec_ignore.h"
#undef CLASS
#define CLASS(name, id, full, kind, slots, doc) [id] = full,
#include "../../lang/spec/layout.def"
#include "spec_ignore_end.h"
};
static const uint32_t internal_kinds[] = {
#include "spec_ignore.h"
#undef CLASS
#define CLASS(name, id, full, kind, slots, doc) [id] = kind,
#include "../../lang/spec/layout.def"
#include "spec_ignore_end.h"
};

static word_t must(word_t ref) {
  if (!ref) ph_panic("fixture: space full");
  return ref;
}

word_t fixture_internal_class(uint32_t cid) { return classes[cid]; }

word_t fixture_string(const char *text) {
  uint32_t n = (uint32_t)strlen(text);
  word_t s = must(space_alloc(classes[CID_STRING], KIND_BYTES, n));
  memcpy(obj_bytes(s), text, n);
  return s;
}

word_t fixture_array(uint32_t length) { return must(space_alloc(classes[CID_ARRAY], KIND_SLOTS, length * 4)); }

word_t fixture_object(word_t cls, uint32_t slots) { return must(space_alloc(cls, KIND_SLOTS, slots * 4)); }

static void fill_class(word_t c, const char *name, word_t super, uint32_t fields, uint32_t kind, uint32_t cid,
                       uint32_t vtable_length) {
  word_t *s = obj_slots(c);
  s[CLASS_NAME] = fixture_string(name);
  s[CLASS_SUPER] = super;
  s[CLASS_VTABLE] = fixture_array(vtable_length);
  s[CLASS_FIELD_COUNT] = int_to_word((int32_t)fields);
  s[CLASS_FIELD_NAMES] = fixture_array(fields);
  s[CLASS_KIND] = int_to_word((int32_t)kind);
  s[CLASS_INTERNAL_ID] = int_to_word((int32_t)cid);
  s[CLASS_METHODS] = fixture_array(0);
}

static word_t array_class(const char *name, word_t element, word_t super);

void fixture_space(uint32_t bytes) {
  if (hosted_space_map(bytes)) ph_panic("fixture: cannot map the space at SPACE_BASE");
  *space_field(SH_MAGIC) = SPACE_MAGIC;
  *space_field(SH_VERSION) = FORMAT_VERSION;
  *space_field(SH_SIZE) = bytes;
  *space_field(SH_TOP) = SPACE_FIRST_OBJECT;
  *space_field(SH_GC_ALLOWANCE) = GC_BUDGET_MIN; /* as lang's image builder: a new space collects nothing yet */
  for (uint32_t cid = 1; cid <= CID_BOOT; cid++) classes[cid] = must(space_alloc(0, KIND_SLOTS, CID_CLASS_SLOTS * 4));
  for (uint32_t cid = 1; cid <= CID_BOOT; cid++) obj_header(classes[cid])[HDR_CLASS / 4] = classes[CID_CLASS];
  for (uint32_t cid = 1; cid <= CID_BOOT; cid++)
    fill_class(classes[cid], internal_names[cid], cid == CID_OBJECT ? 0 : classes[CID_OBJECT], 0,
               internal_kinds[cid], cid, 0);
  word_t root = must(space_alloc(classes[CID_ROOT], KIND_SLOTS, CID_ROOT_SLOTS * 4));
  *space_field(SH_ROOT) = root;
  word_t table = fixture_array(CID_BOOT + 1);
  for (uint32_t cid = 1; cid <= CID_BOOT; cid++) obj_slots(table)[cid] = classes[cid];
  obj_slots(root)[ROOT_CLASSES] = table;
  word_t dir = must(space_alloc(classes[CID_DIRECTORY], KIND_SLOTS, CID_DIRECTORY_SLOTS * 4));
  obj_slots(dir)[DIR_KEYS] = fixture_array(0);
  obj_slots(dir)[DIR_VALUES] = fixture_array(0);
  obj_slots(root)[ROOT_DIRECTORY] = dir;
  obj_slots(root)[ROOT_NEXT_THREAD_ID] = int_to_word(1);
  obj_slots(root)[ROOT_PROGRAM_CLASSES] = fixture_array(0);
  word_t strings = array_class(".internal.string[]", classes[CID_STRING], 0);
  obj_slots(root)[ROOT_ARRAY_CLASSES] = fixture_array(1);
  obj_slots(obj_slots(root)[ROOT_ARRAY_CLASSES])[0] = strings;
}

static word_t array_class(const char *name, word_t element, word_t super) {
  word_t c = must(space_alloc(classes[CID_CLASS], KIND_SLOTS, CID_CLASS_SLOTS * 4));
  fill_class(c, name, super ? super : classes[CID_ARRAY], 0, KIND_SLOTS, CID_ARRAY, 0);
  obj_slots(c)[CLASS_ELEMENT] = element;
  return c;
}

word_t fixture_array_class(const char *name, word_t element, word_t super) {
  word_t c = array_class(name, element, super);
  word_t *root = obj_slots(*space_field(SH_ROOT));
  word_t old = root[ROOT_ARRAY_CLASSES];
  word_t arrays = fixture_array(obj_slot_count(old) + 1);
  memcpy(obj_slots(arrays), obj_slots(old), obj_size(old));
  obj_slots(arrays)[obj_slot_count(old)] = c;
  root[ROOT_ARRAY_CLASSES] = arrays;
  return c;
}

word_t fixture_typed_array(word_t array_class, uint32_t length) {
  return must(space_alloc(array_class, KIND_SLOTS, length * 4));
}

word_t fixture_class(const char *name, word_t super, uint32_t fields, uint32_t vtable_length) {
  word_t c = must(space_alloc(classes[CID_CLASS], KIND_SLOTS, CID_CLASS_SLOTS * 4));
  fill_class(c, name, super ? super : classes[CID_OBJECT], fields, KIND_SLOTS, 0, vtable_length);
  return c;
}

static word_t int_array(const int32_t *values, uint32_t n) {
  word_t a = fixture_array(n);
  for (uint32_t i = 0; i < n; i++) obj_slots(a)[i] = int_to_word(values[i]);
  return a;
}

word_t fixture_method(word_t owner, const struct fixture_method *m) {
  word_t method = fixture_object(classes[CID_METHOD], CID_METHOD_SLOTS);
  word_t *s = obj_slots(method);
  s[METHOD_NAME] = fixture_string(m->name);
  s[METHOD_OWNER] = owner;
  if (!m->native) {
    s[METHOD_CODE] = must(space_alloc(classes[CID_CODE], KIND_BYTES, m->code_len));
    memcpy(obj_bytes(s[METHOD_CODE]), m->code, m->code_len);
  }
  s[METHOD_CONSTS] = fixture_array(m->const_count);
  for (uint32_t i = 0; i < m->const_count; i++) obj_slots(s[METHOD_CONSTS])[i] = m->consts[i];
  s[METHOD_ARGC] = int_to_word((int32_t)m->argc);
  s[METHOD_LOCALS] = int_to_word((int32_t)m->locals);
  s[METHOD_MAX_STACK] = int_to_word((int32_t)m->max_stack);
  s[METHOD_NATIVE] = int_to_word((int32_t)m->native);
  s[METHOD_FLAGS] = int_to_word((int32_t)m->flags);
  s[METHOD_HANDLERS] = int_array(m->handlers, m->handler_count * 4);
  s[METHOD_LINES] = int_array(m->lines, m->line_pairs * 2);
  s[METHOD_VINDEX] = int_to_word(m->vindex);
  if (m->vindex >= 0) {
    word_t vt = obj_slots(owner)[CLASS_VTABLE];
    if ((uint32_t)m->vindex >= obj_slot_count(vt)) ph_panic("fixture: vindex beyond the vtable");
    obj_slots(vt)[m->vindex] = method;
  }
  return method;
}

word_t fixture_thread(word_t method, word_t receiver) {
  word_t root = space_root();
  uint32_t locals = (uint32_t)word_to_int(obj_slots(method)[METHOD_LOCALS]);
  uint32_t stack = (uint32_t)word_to_int(obj_slots(method)[METHOD_MAX_STACK]);
  word_t frame = fixture_object(classes[CID_FRAME], FRAME_LOCALS + locals + stack);
  obj_slots(frame)[FRAME_METHOD] = method;
  obj_slots(frame)[FRAME_LOCALS] = receiver;
  word_t t = fixture_object(classes[CID_THREAD], CID_THREAD_SLOTS);
  word_t *ts = obj_slots(t);
  ts[THREAD_FRAME] = frame;
  ts[THREAD_STATE] = int_to_word(TS_RUNNABLE);
  ts[THREAD_ID] = obj_slots(root)[ROOT_NEXT_THREAD_ID];
  obj_slots(root)[ROOT_NEXT_THREAD_ID] += int_to_word(1);
  word_t *link = &obj_slots(root)[ROOT_THREADS];
  while (*link) link = &obj_slots(*link)[THREAD_NEXT];
  *link = t;
  if (!obj_slots(root)[ROOT_CURRENT]) obj_slots(root)[ROOT_CURRENT] = t;
  return t;
}
