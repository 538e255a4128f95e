/*
 * install.c — installs or replaces one program class in the running space from a class blob
 * (docs/debug-protocol.md, INSTALL_CLASS). Not here: the chunked transport (debug_agent.c) and
 * the encoder (inspector/src/common/class-blob.ts, over the codec generated from class_blob.def).
 *
 * Check, then do. check_blob() decodes the whole blob with the decoder generated from
 * lang/spec/class_blob.def (every count within its limit and every string inside the blob, known
 * constant kinds, nothing after the last method) and refuses it unless every method's bytecode verifies (known opcodes, whole instructions,
 * constant indices of the right kind, locals in range, jumps onto instruction starts), every
 * handler and line table is well formed, and every name resolves: the superclass and every class
 * or method constant and vtable entry must exist in the running space (ROOT_CLASSES or
 * ROOT_PROGRAM_CLASSES) or be the class itself. A class constant naming an array type (`T[]`,
 * `int[]`) resolves to the space's array class for that element (ROOT_ARRAY_CLASSES), or to a new
 * one the install makes, with the superclasses it needs (object-format.md). A replacement must keep the field layout, the
 * superclass and the vtable's existing entries. Then build_objects() allocates everything new,
 * held by one pinned array, so a collection in the middle cannot free it; only when every
 * allocation has succeeded does commit() change existing objects, which cannot fail.
 *
 * Also here: RUN (run_class), which starts a thread doing `new C().m()` in the running machine,
 * so that a class just installed can be run; it checks the names first, then builds a launcher
 * method like the boot method phc image generates.
 *
 * What a replacement updates: the class object's vtable and methods (instances, old and new,
 * dispatch CALL_VIRT to the new code), subclasses' vtable entries that named a replaced method,
 * and CALL_STATIC/PUSH_CONST method constants of other program classes that named a replaced
 * method (by name). Frames already running keep their old method objects, so a loop that never
 * returns keeps running the old code; internal classes (the boot class) are not updated.
 */
#include "install.h"

#include "class_blob_wire.h"
#include "gc.h"
#include "interp.h"
#include "klib.h"
#include "spec.h"

/** Most array classes one install may add. The blob's own limits are CLASS_BLOB_MAX_* (class_blob.def). */
#define MAX_NEW_ARRAY_CLASSES 256u

/** Whole instruction size by opcode (0: not an opcode). */
static const uint8_t op_size[256] = {
#include "spec_ignore.h"
#undef OP
#define OP(name, code, operands, bytes, pop, push, doc) [code] = 1 + (bytes),
#include "../../lang/spec/opcodes.def"
#include "spec_ignore_end.h"
};

struct slice {
  const uint8_t *p;
  uint32_t n;
};

static struct slice sl(struct wire_bytes b) { return (struct slice){b.p, b.len}; }

static int slice_eq(struct slice a, struct slice b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }

/* ── the running space ── */

static word_t root_slot(uint32_t i) {
  word_t root = space_root();
  if (!obj_is_sane(root) || obj_kind(root) != KIND_SLOTS || i >= obj_slot_count(root)) return 0;
  return obj_slots(root)[i];
}

/** A sane KIND_SLOTS array or 0. */
static word_t sane_array(word_t w) { return obj_is_sane(w) && obj_kind(w) == KIND_SLOTS ? w : 0; }

static word_t internal_class(uint32_t cid) {
  word_t table = sane_array(root_slot(ROOT_CLASSES));
  return table && cid < obj_slot_count(table) ? obj_slots(table)[cid] : 0;
}

static int is_class_object(word_t w) {
  word_t class_class = internal_class(CID_CLASS);
  return class_class && obj_is_sane(w) && obj_class(w) == class_class && obj_kind(w) == KIND_SLOTS &&
         obj_slot_count(w) >= CID_CLASS_SLOTS;
}

static int is_method_object(word_t w) {
  word_t method_class = internal_class(CID_METHOD);
  return method_class && obj_is_sane(w) && obj_class(w) == method_class && obj_kind(w) == KIND_SLOTS &&
         obj_slot_count(w) >= CID_METHOD_SLOTS;
}

/** Does the string object s hold exactly the bytes of name? */
static int string_is(word_t s, struct slice name) {
  return obj_is_sane(s) && obj_kind(s) == KIND_BYTES && obj_class(s) == internal_class(CID_STRING) &&
         obj_size(s) == name.n && (name.n == 0 || memcmp(obj_bytes(s), name.p, name.n) == 0);
}

static word_t find_in(word_t array, struct slice name) {
  if (!sane_array(array)) return 0;
  for (uint32_t i = 0; i < obj_slot_count(array); i++) {
    word_t c = obj_slots(array)[i];
    if (is_class_object(c) && string_is(obj_slots(c)[CLASS_NAME], name)) return c;
  }
  return 0;
}

static word_t find_internal_class(struct slice name) { return find_in(root_slot(ROOT_CLASSES), name); }

static word_t find_class(struct slice name) {
  word_t c = find_internal_class(name);
  return c ? c : find_in(root_slot(ROOT_PROGRAM_CLASSES), name);
}

/** The space's array class whose CLASS_ELEMENT is element (a class, or ELEM_INT / ELEM_BOOLEAN), or 0. */
static word_t find_array_class(word_t element) {
  word_t arrays = sane_array(root_slot(ROOT_ARRAY_CLASSES));
  for (uint32_t i = 0; arrays && i < obj_slot_count(arrays); i++) {
    word_t c = obj_slots(arrays)[i];
    if (is_class_object(c) && obj_slots(c)[CLASS_INTERNAL_ID] == int_to_word(CID_ARRAY) &&
        obj_slots(c)[CLASS_ELEMENT] == element)
      return c;
  }
  return 0;
}

static word_t find_method(word_t cls, struct slice name) {
  word_t methods = sane_array(obj_slots(cls)[CLASS_METHODS]);
  if (!methods) return 0;
  for (uint32_t i = 0; i < obj_slot_count(methods); i++) {
    word_t m = obj_slots(methods)[i];
    if (is_method_object(m) && string_is(obj_slots(m)[METHOD_NAME], name)) return m;
  }
  return 0;
}

/* ── check ── */

/** What check_blob learnt, for build_objects (which reads the checked blob again, without checks). */
struct plan {
  struct class_blob blob; /**< the decoded blob; its lists point into it */
  const uint8_t *end;     /**< the blob's end */
  struct slice name;
  word_t super;
  word_t existing; /**< the program class replaced, or 0 for a new class */
  uint32_t kind, field_count, vtable_count, method_count;
  struct slice method_names[CLASS_BLOB_MAX_METHODS];
  uint8_t method_static[CLASS_BLOB_MAX_METHODS];
  int32_t method_vindex[CLASS_BLOB_MAX_METHODS];
  struct slice vtable_owner[CLASS_BLOB_MAX_VTABLE], vtable_name[CLASS_BLOB_MAX_VTABLE];
};

static struct plan plan;
static uint8_t const_kinds[MAX_CONSTS + 1];

/*
 * Class constants resolve to tags while the install is planned: a class of the space (a
 * reference), the class being installed before it exists (TAG_SELF), or the k-th array class the
 * install will make (TAG_NEW(k)); an element may also be ELEM_INT or ELEM_BOOLEAN. Tags are
 * small integers above those, so they never look like a reference, and never reach the space.
 */
#define TAG_SELF int_to_word(0x100)
#define TAG_NEW(k) int_to_word(0x200 + (int32_t)(k))
#define TAG_NEW_INDEX(tag) ((uint32_t)(word_to_int(tag) - 0x200))
static int is_new_tag(word_t tag) { return word_is_int(tag) && word_to_int(tag) >= 0x200; }

/** The array classes the space lacks: element and superclass tags, each made before it is used. */
static struct {
  uint32_t count;
  word_t element[MAX_NEW_ARRAY_CLASSES], super[MAX_NEW_ARRAY_CLASSES];
} new_arrays;

/** The tag of the array class of element (a tag), planning it (and its superclasses) when missing; 0 when too many. */
static word_t plan_array_class(word_t element) {
  if (word_is_ref(element) || element == int_to_word(ELEM_INT) || element == int_to_word(ELEM_BOOLEAN)) {
    word_t c = find_array_class(element);
    if (c) return c;
  }
  for (uint32_t k = 0; k < new_arrays.count; k++)
    if (new_arrays.element[k] == element) return TAG_NEW(k);
  /* T[]'s superclass is S[] for T's superclass S; .internal.array for int, boolean and .internal.object. */
  word_t super_element = 0;
  if (element == TAG_SELF) super_element = plan.super;
  else if (is_new_tag(element)) super_element = new_arrays.super[TAG_NEW_INDEX(element)];
  else if (word_is_ref(element) && element != internal_class(CID_OBJECT)) super_element = obj_slots(element)[CLASS_SUPER];
  word_t super = super_element ? plan_array_class(super_element) : internal_class(CID_ARRAY);
  if (!super || new_arrays.count == MAX_NEW_ARRAY_CLASSES) return 0;
  new_arrays.element[new_arrays.count] = element;
  new_arrays.super[new_arrays.count] = super;
  return TAG_NEW(new_arrays.count++);
}

static int ends_with_brackets(struct slice name) { return name.n >= 2 && name.p[name.n - 2] == '[' && name.p[name.n - 1] == ']'; }

/** The tag of a class constant's name (`.a.b`, `.a.b[]`, `int[][]`); 0 when it names nothing. */
static word_t class_tag(struct slice name) {
  static const uint8_t int_name[] = "int", boolean_name[] = "boolean";
  if (slice_eq(name, plan.name)) return plan.existing ? plan.existing : TAG_SELF;
  if (!ends_with_brackets(name)) return find_class(name);
  struct slice element = {name.p, name.n - 2};
  word_t e = slice_eq(element, (struct slice){int_name, 3})       ? int_to_word(ELEM_INT)
             : slice_eq(element, (struct slice){boolean_name, 7}) ? int_to_word(ELEM_BOOLEAN)
                                                                  : class_tag(element);
  return e ? plan_array_class(e) : 0;
}
static uint8_t insn_start[(CLASS_BLOB_MAX_CODE + 8) / 8];

static int blob_method_index(struct slice name) {
  for (uint32_t i = 0; i < plan.method_count; i++)
    if (slice_eq(plan.method_names[i], name)) return (int)i;
  return -1;
}

/** Can (owner, name) be resolved: a method of the blob's class or of a class in the space? */
static const char *check_method_ref(struct slice owner, struct slice name) {
  if (slice_eq(owner, plan.name)) return blob_method_index(name) >= 0 ? 0 : "names a method the class does not declare";
  word_t cls = find_class(owner);
  if (!cls) return "names a method of a class that is not in the machine";
  return find_method(cls, name) ? 0 : "names a method that is not in the machine";
}

static const char *check_code(struct slice code, uint32_t locals, uint32_t nconsts) {
  memset(insn_start, 0, (code.n + 8) / 8);
  for (uint32_t pc = 0; pc < code.n;) {
    uint8_t op = code.p[pc];
    if (!op_size[op]) return "code has an unknown opcode";
    if (code.n - pc < op_size[op]) return "code has an instruction that runs past its end";
    insn_start[pc / 8] |= (uint8_t)(1u << (pc % 8));
    pc += op_size[op];
  }
  for (uint32_t pc = 0; pc < code.n; pc += op_size[code.p[pc]]) {
    uint8_t op = code.p[pc];
    const uint8_t *operand = code.p + pc + 1;
    uint32_t u16 = op_size[op] >= 3 ? (uint32_t)operand[0] | (uint32_t)operand[1] << 8 : 0;
    switch (op) {
    case OP_LOAD:
    case OP_STORE:
      if (operand[0] >= locals) return "code uses a local slot beyond the method's locals";
      break;
    case OP_PUSH_CONST:
      if (u16 >= nconsts) return "code uses a constant index beyond the constants";
      break;
    case OP_NEW:
    case OP_NEW_ARRAY:
    case OP_CHECKCAST:
    case OP_INSTANCEOF:
      if (u16 >= nconsts || const_kinds[u16] != BLOB_CONSTANT_CLASS)
        return "NEW, NEW_ARRAY, CHECKCAST or INSTANCEOF names a constant that is not a class";
      break;
    case OP_CALL_STATIC:
      if (u16 >= nconsts || const_kinds[u16] != BLOB_CONSTANT_METHOD) return "CALL_STATIC names a constant that is not a method";
      break;
    case OP_JMP:
    case OP_JMP_FALSE:
    case OP_JMP_TRUE: {
      int64_t target = (int64_t)pc + op_size[op] + (int16_t)u16;
      if (target < 0 || target >= code.n || !(insn_start[target / 8] & (1u << (target % 8))))
        return "code jumps outside the code or into an instruction";
      break;
    }
    default: break;
    }
  }
  return 0;
}

/** The debug records (statements, locals) must fit the method's code and slots; nothing reads them but debuggers. */
static const char *check_debug(const struct blob_method *m) {
  uint32_t code_len = m->code.len, last = 0;
  const uint8_t *at = m->statements.p;
  for (uint32_t i = 0; i < m->statements.count; i++) {
    struct blob_statement st;
    at = read_blob_statement(at, plan.end, &st);
    if (st.pc > code_len || (i > 0 && st.pc <= last)) return "a statement's pc is outside the code or out of order";
    if (!st.line || !st.column || !int_fits((int32_t)st.line) || !int_fits((int32_t)st.column))
      return "a statement's line or column is out of range";
    last = st.pc;
  }
  at = m->debug_locals.p;
  for (uint32_t i = 0; i < m->debug_locals.count; i++) {
    struct blob_local l;
    at = read_blob_local(at, plan.end, &l);
    if (l.slot >= m->locals || l.start > l.end || l.end > code_len) return "a local's slot or pc range is outside the method";
  }
  return 0;
}

static const char *check_method(const struct blob_method *m, uint32_t index) {
  struct slice code = sl(m->code);
  uint32_t argc = m->argc, locals = m->locals, native = m->native;
  if (m->flags & ~(uint32_t)(MF_STATIC | MF_CTOR | MF_RETURNS)) return "a method has unknown flags";
  if (argc > MAX_LOCALS || locals < argc || locals > MAX_LOCALS) return "a method's argument or local count is out of range";
  if (m->max_stack > MAX_CONSTS) return "a method's max stack is out of range";
  if (native) {
    if (native >= NATIVE_LIMIT || !native_table[native] || native_argc[native] != argc)
      return "a native method names an unknown native or the wrong argument count";
    if (code.n) return "a native method has code";
  } else if (code.n == 0) {
    return "a bytecode method has no code";
  }
  if (m->vindex != -1 && plan.method_static[index]) return "a static method or constructor has a vtable index";
  uint32_t nconsts = m->consts.count;
  const uint8_t *at = m->consts.p;
  for (uint32_t i = 0; i < nconsts; i++) {
    struct blob_constant k;
    at = read_blob_constant(at, plan.end, &k);
    const_kinds[i] = k.kind;
    if (k.kind == BLOB_CONSTANT_CLASS) {
      if (!class_tag(sl(k.name))) return "a class constant names a class that is not in the machine (or too many new array types)";
    } else if (k.kind == BLOB_CONSTANT_METHOD) {
      const char *why = check_method_ref(sl(k.owner), sl(k.name));
      if (why) return why;
    }
  }
  if (code.n) {
    const char *why = check_code(code, locals, nconsts);
    if (why) return why;
  }
  at = m->handlers.p;
  for (uint32_t i = 0; i < m->handlers.count; i++) {
    struct blob_handler h;
    at = read_blob_handler(at, plan.end, &h);
    if (h.start > h.end || h.end > code.n || h.handler >= code.n) return "a handler's pcs are outside the code";
    if (h.class_const != -1 &&
        (h.class_const < 0 || (uint32_t)h.class_const >= nconsts || const_kinds[h.class_const] != BLOB_CONSTANT_CLASS))
      return "a handler catches a constant that is not a class";
  }
  if (m->lines.count % 2) return "a method's line table has a bad length";
  for (uint32_t i = 0; i < m->lines.count; i++)
    if (!int_fits((int32_t)wire_list_u32(m->lines, i))) return "a line table entry does not fit a small integer";
  return check_debug(m);
}

static const char *check_fields(void) {
  word_t old_names = plan.existing ? sane_array(obj_slots(plan.existing)[CLASS_FIELD_NAMES]) : 0;
  if (plan.existing) {
    word_t count = obj_slots(plan.existing)[CLASS_FIELD_COUNT];
    if (!word_is_int(count) || (uint32_t)word_to_int(count) != plan.field_count)
      return "the replacement changes the number of fields; existing instances would not fit it";
    if (obj_slots(plan.existing)[CLASS_KIND] != int_to_word((int32_t)plan.kind))
      return "the replacement changes the kind of instances";
  }
  const uint8_t *at = plan.blob.field_names.p;
  for (uint32_t i = 0; i < plan.field_count; i++) {
    struct wire_bytes name;
    at = wire_read_str(at, &name);
    struct slice f = sl(name);
    if (old_names && (i >= obj_slot_count(old_names) || !string_is(obj_slots(old_names)[i], f)))
      return "the replacement renames or reorders fields; existing instances would not fit it";
  }
  return 0;
}

static const char *check_vtable(void) {
  word_t old = plan.existing ? sane_array(obj_slots(plan.existing)[CLASS_VTABLE]) : 0;
  if (old && plan.vtable_count < obj_slot_count(old))
    return "the replacement removes vtable entries; subclasses and callers would break";
  word_t inherited = sane_array(obj_slots(plan.super)[CLASS_VTABLE]);
  if (inherited && plan.vtable_count < obj_slot_count(inherited)) return "the vtable is shorter than the superclass's";
  for (uint32_t i = 0; i < plan.vtable_count; i++) {
    struct slice owner = plan.vtable_owner[i], name = plan.vtable_name[i];
    if (inherited && i < obj_slot_count(inherited)) {
      word_t from_super = obj_slots(inherited)[i];
      if (!is_method_object(from_super) || !string_is(obj_slots(from_super)[METHOD_NAME], name))
        return "the vtable does not begin with the superclass's entries";
    }
    if (old && i < obj_slot_count(old)) {
      word_t was = obj_slots(old)[i];
      if (!is_method_object(was) || !string_is(obj_slots(was)[METHOD_NAME], name))
        return "the replacement changes the vtable's existing entries; subclasses and callers would break";
    }
    if (check_method_ref(owner, name)) return "a vtable entry names a method that does not exist";
    if (slice_eq(owner, plan.name)) {
      int k = blob_method_index(name);
      if (plan.method_static[k]) return "a vtable entry names a static method";
      if (plan.method_vindex[k] != (int32_t)i) return "a vtable entry names a method whose vtable index is another";
    }
  }
  for (uint32_t k = 0; k < plan.method_count; k++) {
    int32_t vindex = plan.method_vindex[k];
    if (vindex == -1) continue;
    if (vindex < 0 || (uint32_t)vindex >= plan.vtable_count || !slice_eq(plan.vtable_owner[vindex], plan.name) ||
        !slice_eq(plan.vtable_name[vindex], plan.method_names[k]))
      return "a method's vtable index does not point at its own vtable entry";
  }
  return 0;
}

/** Learns a method's name, kind and vtable index, for the checks that look across methods. */
static const char *plan_method(const struct blob_method *m, uint32_t index) {
  struct slice name = sl(m->name);
  plan.method_vindex[index] = m->vindex;
  if (name.n == 0) return "a method has no name";
  if (blob_method_index(name) >= 0) return "two methods have the same name";
  plan.method_names[index] = name;
  plan.method_static[index] = (m->flags & (MF_STATIC | MF_CTOR)) != 0;
  plan.method_count = index + 1;
  return 0;
}

static const char *check_blob(const uint8_t *blob, uint32_t len) {
  memset(&plan, 0, sizeof plan);
  new_arrays.count = 0;
  const char *why = decode_class_blob(blob, len, &plan.blob);
  if (why) return why;
  const struct class_blob *b = &plan.blob;
  plan.end = blob + len;
  plan.name = sl(b->name);
  struct slice super = sl(b->super_name);
  plan.kind = b->kind;
  plan.field_count = b->field_names.count;
  if (plan.name.n < 2 || plan.name.p[0] != '.') return "the class name must be a full name starting with '.'";
  if (ends_with_brackets(plan.name)) return "array classes are made by the VM, not installed";
  if (find_internal_class(plan.name)) return "internal classes cannot be replaced";
  if (slice_eq(super, plan.name)) return "a class cannot be its own superclass";
  plan.super = find_class(super);
  if (!plan.super) return "the superclass is not in the machine";
  if (plan.kind != KIND_SLOTS && plan.kind != KIND_BYTES) return "the class's kind is neither KIND_SLOTS nor KIND_BYTES";
  word_t super_fields = obj_slots(plan.super)[CLASS_FIELD_COUNT];
  if (!word_is_int(super_fields) || plan.field_count < (uint32_t)word_to_int(super_fields))
    return "the class has fewer fields than its superclass";
  plan.existing = find_class(plan.name);
  if (plan.existing && obj_slots(plan.existing)[CLASS_SUPER] != plan.super) return "the replacement changes the superclass";
  if ((why = check_fields())) return why;
  plan.vtable_count = b->vtable.count;
  const uint8_t *at = b->vtable.p;
  for (uint32_t i = 0; i < plan.vtable_count; i++) {
    struct blob_vtable_entry e;
    at = read_blob_vtable_entry(at, plan.end, &e);
    plan.vtable_owner[i] = sl(e.owner);
    plan.vtable_name[i] = sl(e.name);
  }
  at = b->methods.p;
  for (uint32_t i = 0; i < b->methods.count; i++) {
    struct blob_method m;
    at = read_blob_method(at, plan.end, &m);
    if ((why = plan_method(&m, i))) return why;
  }
  if ((why = check_vtable())) return why;
  at = b->methods.p;
  for (uint32_t i = 0; i < b->methods.count; i++) {
    struct blob_method m;
    at = read_blob_method(at, plan.end, &m);
    if ((why = check_method(&m, i))) return why;
  }
  return 0;
}

/* ── do ── */

enum holder_slot { H_CLASS, H_VTABLE, H_METHODS, H_PROGRAM, H_ARRAYS, H_FIRST_METHOD };

static word_t holder;

static word_t alloc_array(uint32_t length) { return gc_alloc(internal_class(CID_ARRAY), KIND_SLOTS, length * 4); }

static word_t alloc_string(struct slice s) {
  word_t w = gc_alloc(internal_class(CID_STRING), KIND_BYTES, s.n);
  if (w && s.n) memcpy(obj_bytes(w), s.p, s.n);
  return w;
}

static word_t new_method(int index) { return obj_slots(holder)[H_FIRST_METHOD + (uint32_t)index]; }

/** A method reference checked by check_method_ref: a new method of the class, or one in the space. */
static word_t resolve_method(struct slice owner, struct slice name) {
  if (slice_eq(owner, plan.name)) return new_method(blob_method_index(name));
  return find_method(find_class(owner), name);
}

/** The class a tag stands for, once build_objects has made the new ones. */
static word_t tag_class(word_t tag) {
  if (tag == TAG_SELF) return obj_slots(holder)[H_CLASS];
  if (is_new_tag(tag)) return obj_slots(holder)[H_FIRST_METHOD + plan.method_count + TAG_NEW_INDEX(tag)];
  return tag;
}

/** A class constant checked by class_tag (which planned every array class it needs). */
static word_t resolve_class(struct slice name) { return tag_class(class_tag(name)); }

/** A method's handlers as METHOD_HANDLERS holds them (start, end, handler, class const), stored into *slot before it is filled. */
static int build_handlers(const struct blob_method *bm, word_t *slot) {
  word_t a = alloc_array(bm->handlers.count * 4);
  if (!a) return 0;
  *slot = a;
  const uint8_t *at = bm->handlers.p;
  for (uint32_t i = 0; i < bm->handlers.count; i++) {
    struct blob_handler h;
    at = read_blob_handler(at, plan.end, &h);
    word_t *s = obj_slots(a) + 4 * i;
    s[0] = int_to_word((int32_t)h.start);
    s[1] = int_to_word((int32_t)h.end);
    s[2] = int_to_word((int32_t)h.handler);
    s[3] = int_to_word(h.class_const);
  }
  return 1;
}

/** A method's line table (pc, line pairs), stored into *slot before it is filled. */
static int build_lines(const struct blob_method *bm, word_t *slot) {
  word_t a = alloc_array(bm->lines.count);
  if (!a) return 0;
  *slot = a;
  for (uint32_t i = 0; i < bm->lines.count; i++) obj_slots(a)[i] = int_to_word((int32_t)wire_list_u32(bm->lines, i));
  return 1;
}

/** Whether the blob gives method bm debug records, so its object gets the optional METHOD_DEBUG slot. */
static int has_debug(const struct blob_method *bm) { return bm->statements.count || bm->debug_locals.count; }

/**
 * METHOD_DEBUG as phc image writes it (lang/docs/object-format.md): [source file, statement triples,
 * locals 4 each]; each object is stored into its holder as soon as it is allocated.
 */
static int build_debug(const struct blob_method *bm, word_t *slot) {
  word_t d = alloc_array(3);
  if (!d) return 0;
  *slot = d;
  word_t file = alloc_string(sl(plan.blob.source));
  if (!file) return 0;
  obj_slots(d)[0] = file;
  word_t statements = alloc_array(bm->statements.count * 3);
  if (!statements) return 0;
  obj_slots(d)[1] = statements;
  const uint8_t *at = bm->statements.p;
  for (uint32_t i = 0; i < bm->statements.count; i++) {
    struct blob_statement st;
    at = read_blob_statement(at, plan.end, &st);
    obj_slots(statements)[3 * i] = int_to_word((int32_t)st.pc);
    obj_slots(statements)[3 * i + 1] = int_to_word((int32_t)st.line);
    obj_slots(statements)[3 * i + 2] = int_to_word((int32_t)st.column);
  }
  word_t locals = alloc_array(bm->debug_locals.count * 4);
  if (!locals) return 0;
  obj_slots(d)[2] = locals;
  at = bm->debug_locals.p;
  for (uint32_t i = 0; i < bm->debug_locals.count; i++) {
    struct blob_local l;
    at = read_blob_local(at, plan.end, &l);
    word_t name = alloc_string(sl(l.name));
    if (!name) return 0;
    word_t *s = obj_slots(locals) + 4 * i;
    s[0] = name;
    s[1] = int_to_word((int32_t)l.slot);
    s[2] = int_to_word((int32_t)l.start);
    s[3] = int_to_word((int32_t)l.end);
  }
  return 1;
}

/** Fill method object m from the blob's method bm; every object it allocates is stored into m at once. */
static int build_method(const struct blob_method *bm, word_t m) {
  word_t cls = obj_slots(holder)[H_CLASS];
  word_t s = alloc_string(sl(bm->name));
  if (!s) return 0;
  obj_slots(m)[METHOD_NAME] = s;
  obj_slots(m)[METHOD_OWNER] = cls;
  obj_slots(m)[METHOD_FLAGS] = int_to_word((int32_t)bm->flags);
  obj_slots(m)[METHOD_ARGC] = int_to_word((int32_t)bm->argc);
  obj_slots(m)[METHOD_LOCALS] = int_to_word((int32_t)bm->locals);
  obj_slots(m)[METHOD_MAX_STACK] = int_to_word((int32_t)bm->max_stack);
  obj_slots(m)[METHOD_NATIVE] = int_to_word((int32_t)bm->native);
  obj_slots(m)[METHOD_VINDEX] = int_to_word(bm->vindex);
  if (bm->code.len) {
    word_t w = gc_alloc(internal_class(CID_CODE), KIND_BYTES, bm->code.len);
    if (!w) return 0;
    memcpy(obj_bytes(w), bm->code.p, bm->code.len);
    obj_slots(m)[METHOD_CODE] = w;
  }
  word_t consts = alloc_array(bm->consts.count);
  if (!consts) return 0;
  obj_slots(m)[METHOD_CONSTS] = consts;
  const uint8_t *at = bm->consts.p;
  for (uint32_t i = 0; i < bm->consts.count; i++) {
    struct blob_constant k;
    at = read_blob_constant(at, plan.end, &k);
    word_t value;
    if (k.kind == BLOB_CONSTANT_STRING) {
      value = alloc_string(sl(k.value));
      if (!value) return 0;
    } else if (k.kind == BLOB_CONSTANT_CLASS) {
      value = resolve_class(sl(k.name));
    } else {
      value = resolve_method(sl(k.owner), sl(k.name));
    }
    obj_slots(consts)[i] = value;
  }
  if (!build_handlers(bm, &obj_slots(m)[METHOD_HANDLERS])) return 0;
  if (!build_lines(bm, &obj_slots(m)[METHOD_LINES])) return 0;
  return !has_debug(bm) || build_debug(bm, &obj_slots(m)[METHOD_DEBUG]);
}

/** Make the k-th new array class (its element and superclass are made or found already), held by the holder. */
static int build_array_class(uint32_t k) {
  word_t element = tag_class(new_arrays.element[k]);
  word_t cls = gc_alloc(internal_class(CID_CLASS), KIND_SLOTS, CID_CLASS_SLOTS * 4);
  if (!cls) return 0;
  obj_slots(holder)[H_FIRST_METHOD + plan.method_count + k] = cls;
  word_t *s = obj_slots(cls);
  s[CLASS_SUPER] = tag_class(new_arrays.super[k]);
  s[CLASS_FIELD_COUNT] = int_to_word(0);
  s[CLASS_KIND] = int_to_word(KIND_SLOTS);
  s[CLASS_INTERNAL_ID] = int_to_word(CID_ARRAY);
  s[CLASS_ELEMENT] = element;
  static const uint8_t int_name[] = "int", boolean_name[] = "boolean";
  struct slice e = element == int_to_word(ELEM_INT)       ? (struct slice){int_name, 3}
                   : element == int_to_word(ELEM_BOOLEAN) ? (struct slice){boolean_name, 7}
                                                          : (struct slice){0, 0};
  uint32_t e_len = e.p ? e.n : obj_size(obj_slots(element)[CLASS_NAME]);
  word_t name = gc_alloc(internal_class(CID_STRING), KIND_BYTES, e_len + 2);
  if (!name) return 0;
  s = obj_slots(cls);
  memcpy(obj_bytes(name), e.p ? e.p : obj_bytes(obj_slots(element)[CLASS_NAME]), e_len);
  memcpy(obj_bytes(name) + e_len, "[]", 2);
  s[CLASS_NAME] = name;
  word_t inherited = sane_array(obj_slots(internal_class(CID_ARRAY))[CLASS_VTABLE]);
  uint32_t n = inherited ? obj_slot_count(inherited) : 0;
  word_t vtable = alloc_array(n);
  if (!vtable) return 0;
  obj_slots(cls)[CLASS_VTABLE] = vtable;
  inherited = sane_array(obj_slots(internal_class(CID_ARRAY))[CLASS_VTABLE]);
  if (n) memcpy(obj_slots(vtable), obj_slots(inherited), n * 4);
  word_t none = alloc_array(0);
  if (!none) return 0;
  obj_slots(cls)[CLASS_FIELD_NAMES] = none;
  if (!(none = alloc_array(0))) return 0;
  obj_slots(cls)[CLASS_METHODS] = none;
  return 1;
}

/** Allocate every new object, reachable from the pinned holder. Returns 0 when the space is full. */
static int build_objects(void) {
  word_t *h = obj_slots(holder);
  word_t cls = plan.existing;
  if (!cls) {
    cls = gc_alloc(internal_class(CID_CLASS), KIND_SLOTS, CID_CLASS_SLOTS * 4);
    if (!cls) return 0;
    h[H_CLASS] = cls;
    word_t name = alloc_string(plan.name);
    if (!name) return 0;
    obj_slots(cls)[CLASS_NAME] = name;
    obj_slots(cls)[CLASS_SUPER] = plan.super;
    obj_slots(cls)[CLASS_FIELD_COUNT] = int_to_word((int32_t)plan.field_count);
    obj_slots(cls)[CLASS_KIND] = int_to_word((int32_t)plan.kind);
    obj_slots(cls)[CLASS_INTERNAL_ID] = int_to_word(0);
    word_t fields = alloc_array(plan.field_count);
    if (!fields) return 0;
    obj_slots(cls)[CLASS_FIELD_NAMES] = fields;
    const uint8_t *at = plan.blob.field_names.p;
    for (uint32_t i = 0; i < plan.field_count; i++) {
      struct wire_bytes field;
      at = wire_read_str(at, &field);
      word_t s = alloc_string(sl(field));
      if (!s) return 0;
      obj_slots(fields)[i] = s;
    }
    word_t old = sane_array(root_slot(ROOT_PROGRAM_CLASSES));
    uint32_t n = old ? obj_slot_count(old) : 0;
    word_t program = alloc_array(n + 1);
    if (!program) return 0;
    old = sane_array(root_slot(ROOT_PROGRAM_CLASSES));
    for (uint32_t i = 0; i < n; i++) obj_slots(program)[i] = obj_slots(old)[i];
    obj_slots(program)[n] = cls;
    h[H_PROGRAM] = program;
  } else {
    h[H_CLASS] = cls;
  }
  const uint8_t *blob_at = plan.blob.methods.p;
  for (uint32_t i = 0; i < plan.method_count; i++) {
    struct blob_method bm;
    blob_at = read_blob_method(blob_at, plan.end, &bm);
    uint32_t slots = has_debug(&bm) ? METHOD_DEBUG + 1 : CID_METHOD_SLOTS;
    word_t m = gc_alloc(internal_class(CID_METHOD), KIND_SLOTS, slots * 4);
    if (!m) return 0;
    h[H_FIRST_METHOD + i] = m;
  }
  for (uint32_t k = 0; k < new_arrays.count; k++)
    if (!build_array_class(k)) return 0;
  if (new_arrays.count) {
    word_t old = sane_array(root_slot(ROOT_ARRAY_CLASSES));
    uint32_t n = old ? obj_slot_count(old) : 0;
    word_t arrays = alloc_array(n + new_arrays.count);
    if (!arrays) return 0;
    old = sane_array(root_slot(ROOT_ARRAY_CLASSES));
    if (n) memcpy(obj_slots(arrays), obj_slots(old), n * 4);
    for (uint32_t k = 0; k < new_arrays.count; k++) obj_slots(arrays)[n + k] = h[H_FIRST_METHOD + plan.method_count + k];
    h[H_ARRAYS] = arrays;
  }
  const uint8_t *at = plan.blob.methods.p;
  for (uint32_t i = 0; i < plan.method_count; i++) {
    struct blob_method bm;
    at = read_blob_method(at, plan.end, &bm);
    if (!build_method(&bm, h[H_FIRST_METHOD + i])) return 0;
  }
  word_t methods = alloc_array(plan.method_count);
  if (!methods) return 0;
  for (uint32_t i = 0; i < plan.method_count; i++) obj_slots(methods)[i] = h[H_FIRST_METHOD + i];
  h[H_METHODS] = methods;
  word_t vtable = alloc_array(plan.vtable_count);
  if (!vtable) return 0;
  h[H_VTABLE] = vtable;
  for (uint32_t i = 0; i < plan.vtable_count; i++) obj_slots(vtable)[i] = resolve_method(plan.vtable_owner[i], plan.vtable_name[i]);
  return 1;
}

/** The new method replacing old (a method of the replaced class), or 0 when there is none. */
static word_t replacement_of(word_t old) {
  if (!is_method_object(old) || obj_slots(old)[METHOD_OWNER] != plan.existing) return 0;
  word_t name = obj_slots(old)[METHOD_NAME];
  for (uint32_t i = 0; i < plan.method_count; i++)
    if (string_is(name, plan.method_names[i])) return new_method((int)i);
  return 0;
}

static void repoint_array(word_t array) {
  if (!sane_array(array)) return;
  for (uint32_t i = 0; i < obj_slot_count(array); i++) {
    word_t now = replacement_of(obj_slots(array)[i]);
    if (now) obj_slots(array)[i] = now;
  }
}

/** Point other program classes' vtables and method constants at the replaced class's new methods. */
static void repoint_others(void) {
  word_t program = sane_array(root_slot(ROOT_PROGRAM_CLASSES));
  if (!program) return;
  for (uint32_t i = 0; i < obj_slot_count(program); i++) {
    word_t cls = obj_slots(program)[i];
    if (!is_class_object(cls) || cls == plan.existing) continue;
    repoint_array(obj_slots(cls)[CLASS_VTABLE]);
    word_t methods = sane_array(obj_slots(cls)[CLASS_METHODS]);
    for (uint32_t k = 0; methods && k < obj_slot_count(methods); k++) {
      word_t m = obj_slots(methods)[k];
      if (is_method_object(m)) repoint_array(obj_slots(m)[METHOD_CONSTS]);
    }
  }
}

/** Make the built objects live. Allocates nothing and cannot fail. */
static word_t commit(void) {
  word_t *h = obj_slots(holder);
  word_t cls = h[H_CLASS];
  if (plan.existing) repoint_others();
  obj_slots(cls)[CLASS_VTABLE] = h[H_VTABLE];
  obj_slots(cls)[CLASS_METHODS] = h[H_METHODS];
  if (!plan.existing) obj_slots(space_root())[ROOT_PROGRAM_CLASSES] = h[H_PROGRAM];
  if (new_arrays.count) obj_slots(space_root())[ROOT_ARRAY_CLASSES] = h[H_ARRAYS];
  return cls;
}

const char *install_class(const uint8_t *blob, uint32_t len, word_t *cls) {
  *cls = 0;
  if (!internal_class(CID_ARRAY) || !is_class_object(internal_class(CID_CLASS))) return "the machine has no class table";
  const char *why = check_blob(blob, len);
  if (why) return why;
  holder = alloc_array(H_FIRST_METHOD + plan.method_count + new_arrays.count);
  if (!holder) return "the object space is full";
  gc_pin(&holder);
  int built = build_objects();
  if (built) *cls = commit();
  gc_unpin(1);
  holder = 0;
  return built ? 0 : "the object space is full";
}

static uint8_t blob_buf[CLASS_BLOB_MAX];
static uint32_t blob_total, blob_received;

const char *install_chunk(uint32_t total, uint32_t offset, const uint8_t *chunk, uint32_t n, uint32_t *received,
                          word_t *cls) {
  *cls = 0;
  *received = 0;
  if (offset == 0) {
    blob_total = total;
    blob_received = 0;
  }
  if (total == 0 || total > CLASS_BLOB_MAX) {
    blob_total = blob_received = 0;
    return "the class blob is empty or larger than 256 KiB";
  }
  if (total != blob_total || offset != blob_received || n > total - offset) {
    blob_total = blob_received = 0;
    return "chunk does not continue the blob (send it again from offset 0)";
  }
  memcpy(blob_buf + offset, chunk, n);
  blob_received += n;
  *received = blob_received;
  if (blob_received < blob_total) return 0;
  blob_total = blob_received = 0;
  return install_class(blob_buf, *received, cls);
}

/* ── running a class (RUN) ── */

/** What run_check found, for build_launcher. */
struct launch {
  word_t cls;
  word_t ctor;      /**< the nearest <init> of the class chain, or 0 when it has none */
  word_t method;    /**< the method the thread runs */
  int32_t vindex;   /**< its vtable index, or -1 for a static method */
  int returns;      /**< it leaves a value the launcher drops */
};

static word_t find_program_class(struct slice name) { return find_in(root_slot(ROOT_PROGRAM_CLASSES), name); }

static int method_named(word_t m, struct slice name) {
  return is_method_object(m) && string_is(obj_slots(m)[METHOD_NAME], name);
}

static const char *run_check(struct slice class_name, struct slice method_name, struct launch *l, int *not_found) {
  static const uint8_t run[] = "run", init[] = "<init>";
  if (method_name.n == 0) method_name = (struct slice){run, 3};
  *not_found = 1;
  l->cls = find_program_class(class_name);
  if (!l->cls) return "RUN: no program class of that name";
  word_t vtable = sane_array(obj_slots(l->cls)[CLASS_VTABLE]);
  word_t methods = sane_array(obj_slots(l->cls)[CLASS_METHODS]);
  l->method = 0;
  l->vindex = -1;
  for (uint32_t i = 0; vtable && i < obj_slot_count(vtable) && !l->method; i++) {
    if (method_named(obj_slots(vtable)[i], method_name)) {
      l->method = obj_slots(vtable)[i];
      l->vindex = (int32_t)i;
    }
  }
  for (uint32_t i = 0; methods && i < obj_slot_count(methods) && !l->method; i++) {
    word_t m = obj_slots(methods)[i];
    if (method_named(m, method_name) && slot_int(m, METHOD_FLAGS, 0) & MF_STATIC) l->method = m;
  }
  if (!l->method) return "RUN: the class has no instance or static method of that name";
  *not_found = 0;
  int32_t flags = slot_int(l->method, METHOD_FLAGS, 0);
  if (slot_int(l->method, METHOD_ARGC, -1) != (l->vindex >= 0 ? 1 : 0)) return "RUN: the method takes arguments";
  if (!method_is_sane(l->method) || slot_int(l->method, METHOD_NATIVE, 0))
    return "RUN: the method has no runnable code";
  l->returns = (flags & MF_RETURNS) != 0;
  l->ctor = 0;
  if (l->vindex < 0) return 0;
  if (slot_int(l->cls, CLASS_KIND, 0) != KIND_SLOTS) return "RUN: instances of the class hold bytes, not fields";
  struct slice ctor_name = {init, 6};
  for (word_t c = l->cls; is_class_object(c) && !l->ctor; c = obj_slots(c)[CLASS_SUPER])
    l->ctor = find_method(c, ctor_name);
  if (l->ctor && slot_int(l->ctor, METHOD_ARGC, -1) != 1) return "RUN: the class's constructor takes arguments";
  if (l->ctor && (!method_is_sane(l->ctor) || slot_int(l->ctor, METHOD_NATIVE, 0)))
    return "RUN: the class's constructor has no runnable code";
  if (l->vindex > 0xFFFF) return "RUN: the method's vtable index does not fit a call";
  return 0;
}

/**
 * The launcher method, `.internal.boot.launch`: the code phc image generates for a main class
 * (`new C().m()`, or `C.m()` when static), built here with its constants. Its objects are stored
 * into the method as soon as they exist, and the method is pinned, so a collection in the middle
 * frees nothing. Returns 0 when the space is full.
 */
static word_t build_launcher(const struct launch *l) {
  static const uint8_t name[] = "launch";
  uint8_t code[16];
  uint32_t n = 0, nconsts = 0, max_stack = 0;
  word_t consts_of[3];
  if (l->vindex >= 0) {
    consts_of[nconsts] = l->cls;
    code[n++] = OP_NEW;
    code[n++] = (uint8_t)nconsts++;
    code[n++] = 0;
    max_stack = 1;
    if (l->ctor) {
      consts_of[nconsts] = l->ctor;
      code[n++] = OP_DUP;
      code[n++] = OP_CALL_STATIC;
      code[n++] = (uint8_t)nconsts++;
      code[n++] = 0;
      code[n++] = 1;
      max_stack = 2;
    }
    code[n++] = OP_CALL_VIRT;
    code[n++] = (uint8_t)l->vindex;
    code[n++] = (uint8_t)(l->vindex >> 8);
    code[n++] = 1;
  } else {
    consts_of[nconsts] = l->method;
    code[n++] = OP_CALL_STATIC;
    code[n++] = (uint8_t)nconsts++;
    code[n++] = 0;
    code[n++] = 0;
  }
  if (l->returns) {
    code[n++] = OP_POP;
    if (max_stack == 0) max_stack = 1;
  }
  code[n++] = OP_RET_VOID;

  word_t m = gc_alloc(internal_class(CID_METHOD), KIND_SLOTS, CID_METHOD_SLOTS * 4);
  if (!m) return 0;
  gc_pin(&m);
  word_t *s = obj_slots(m);
  s[METHOD_OWNER] = internal_class(CID_BOOT);
  s[METHOD_FLAGS] = int_to_word(MF_STATIC);
  s[METHOD_ARGC] = int_to_word(0);
  s[METHOD_LOCALS] = int_to_word(0);
  s[METHOD_MAX_STACK] = int_to_word((int32_t)max_stack);
  s[METHOD_NATIVE] = int_to_word(0);
  s[METHOD_VINDEX] = int_to_word(-1);
  s[METHOD_NAME] = alloc_string((struct slice){name, 6});
  if (s[METHOD_NAME]) s[METHOD_CONSTS] = alloc_array(nconsts);
  if (s[METHOD_CONSTS]) s[METHOD_HANDLERS] = alloc_array(0);
  if (s[METHOD_HANDLERS]) s[METHOD_LINES] = alloc_array(0);
  if (s[METHOD_LINES]) s[METHOD_CODE] = gc_alloc(internal_class(CID_CODE), KIND_BYTES, n);
  gc_unpin(1);
  if (!s[METHOD_CODE]) return 0;
  memcpy(obj_bytes(s[METHOD_CODE]), code, n);
  memcpy(obj_slots(s[METHOD_CONSTS]), consts_of, nconsts * 4);
  return m;
}

const char *run_class(const uint8_t *class_name, uint32_t class_len, const uint8_t *method_name, uint32_t method_len,
                      word_t *thread, int *not_found) {
  *thread = 0;
  *not_found = 0;
  if (!internal_class(CID_ARRAY) || !is_class_object(internal_class(CID_CLASS))) return "the machine has no class table";
  struct launch l;
  const char *why =
      run_check((struct slice){class_name, class_len}, (struct slice){method_name, method_len}, &l, not_found);
  if (why) return why;
  word_t launcher = build_launcher(&l);
  if (!launcher) return "the object space is full";
  gc_pin(&launcher);
  word_t frame = frame_new(launcher);
  gc_unpin(1);
  *thread = frame ? thread_start(frame, 0) : 0;
  return *thread ? 0 : "the object space is full";
}
