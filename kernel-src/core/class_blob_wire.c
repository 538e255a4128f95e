/* class_blob_wire.c — generated from lang/spec/class_blob.def by `npm run gen -w lang`; do not edit. */
#include "class_blob_wire.h"

static void check_class_blob(struct wire_in *c);
static void check_blob_vtable_entry(struct wire_in *c);
static void check_blob_method(struct wire_in *c);
static void check_blob_statement(struct wire_in *c);
static void check_blob_local(struct wire_in *c);
static void check_blob_constant(struct wire_in *c);
static void check_blob_handler(struct wire_in *c);

static void check_class_blob(struct wire_in *c) {
  uint32_t f_magic = wire_in_u32(c, "class_blob.magic is cut short");
  if (f_magic != CLASS_BLOB_MAGIC) wire_in_fail(c, "class_blob.magic is not CLASS_BLOB_MAGIC");
  uint32_t f_version = wire_in_u32(c, "class_blob.version is cut short");
  if (f_version != CLASS_BLOB_VERSION) wire_in_fail(c, "class_blob.version is not CLASS_BLOB_VERSION");
  wire_in_str(c, 0, "class_blob.name is cut short");
  wire_in_str(c, 0, "class_blob.super_name is cut short");
  wire_in_skip(c, 4, "class_blob.kind is cut short");
  wire_in_str(c, 0, "class_blob.source is cut short");
  uint32_t f_field_count = wire_in_u32(c, "class_blob.field_count is cut short");
  if (f_field_count > CLASS_BLOB_MAX_FIELDS) wire_in_fail(c, "class_blob.field_count is more than CLASS_BLOB_MAX_FIELDS");
  for (uint32_t i = 0; i < f_field_count && !c->why; i++) wire_in_str(c, 0, "class_blob.field_names is cut short");
  uint32_t f_vtable_count = wire_in_u32(c, "class_blob.vtable_count is cut short");
  if (f_vtable_count > CLASS_BLOB_MAX_VTABLE) wire_in_fail(c, "class_blob.vtable_count is more than CLASS_BLOB_MAX_VTABLE");
  for (uint32_t i = 0; i < f_vtable_count && !c->why; i++) check_blob_vtable_entry(c);
  uint32_t f_method_count = wire_in_u32(c, "class_blob.method_count is cut short");
  if (f_method_count > CLASS_BLOB_MAX_METHODS) wire_in_fail(c, "class_blob.method_count is more than CLASS_BLOB_MAX_METHODS");
  for (uint32_t i = 0; i < f_method_count && !c->why; i++) check_blob_method(c);
}

const char *decode_class_blob(const uint8_t *p, uint32_t len, struct class_blob *out) {
  struct wire_in c = {p, len, 0, 0};
  check_class_blob(&c);
  if (!c.why && c.pos != len) c.why = "class_blob: bytes after its end";
  if (c.why) return c.why;
  read_class_blob(p, p + len, out);
  return 0;
}

const uint8_t *read_class_blob(const uint8_t *at, const uint8_t *end, struct class_blob *v) {
  *v = (struct class_blob){0};
  at += 4; /* magic */
  at += 4; /* version */
  at = wire_read_str(at, &v->name);
  at = wire_read_str(at, &v->super_name);
  v->kind = wire_get32(at);
  at += 4;
  at = wire_read_str(at, &v->source);
  uint32_t n_field_count = wire_get32(at);
  at += 4;
  v->field_names = (struct wire_list){at, n_field_count};
  for (uint32_t i = 0; i < n_field_count; i++) {
    struct wire_bytes s;
    at = wire_read_str(at, &s);
  }
  uint32_t n_vtable_count = wire_get32(at);
  at += 4;
  v->vtable = (struct wire_list){at, n_vtable_count};
  for (uint32_t i = 0; i < n_vtable_count; i++) {
    struct blob_vtable_entry e;
    at = read_blob_vtable_entry(at, end, &e);
  }
  uint32_t n_method_count = wire_get32(at);
  at += 4;
  v->methods = (struct wire_list){at, n_method_count};
  for (uint32_t i = 0; i < n_method_count; i++) {
    struct blob_method e;
    at = read_blob_method(at, end, &e);
  }
  (void)end;
  return at;
}

static void check_blob_vtable_entry(struct wire_in *c) {
  wire_in_str(c, 0, "blob_vtable_entry.owner is cut short");
  wire_in_str(c, 0, "blob_vtable_entry.name is cut short");
}

const char *decode_blob_vtable_entry(const uint8_t *p, uint32_t len, struct blob_vtable_entry *out) {
  struct wire_in c = {p, len, 0, 0};
  check_blob_vtable_entry(&c);
  if (!c.why && c.pos != len) c.why = "blob_vtable_entry: bytes after its end";
  if (c.why) return c.why;
  read_blob_vtable_entry(p, p + len, out);
  return 0;
}

const uint8_t *read_blob_vtable_entry(const uint8_t *at, const uint8_t *end, struct blob_vtable_entry *v) {
  *v = (struct blob_vtable_entry){0};
  at = wire_read_str(at, &v->owner);
  at = wire_read_str(at, &v->name);
  (void)end;
  return at;
}

static void check_blob_method(struct wire_in *c) {
  wire_in_str(c, 0, "blob_method.name is cut short");
  wire_in_skip(c, 4, "blob_method.flags is cut short");
  wire_in_skip(c, 4, "blob_method.argc is cut short");
  wire_in_skip(c, 4, "blob_method.locals is cut short");
  wire_in_skip(c, 4, "blob_method.max_stack is cut short");
  wire_in_skip(c, 4, "blob_method.native is cut short");
  wire_in_skip(c, 4, "blob_method.vindex is cut short");
  uint32_t f_code_len = wire_in_u32(c, "blob_method.code_len is cut short");
  if (f_code_len > CLASS_BLOB_MAX_CODE) wire_in_fail(c, "blob_method.code_len is more than CLASS_BLOB_MAX_CODE");
  wire_in_skip(c, f_code_len, "blob_method.code is cut short");
  uint32_t f_const_count = wire_in_u32(c, "blob_method.const_count is cut short");
  if (f_const_count > 65535) wire_in_fail(c, "blob_method.const_count is more than MAX_CONSTS");
  for (uint32_t i = 0; i < f_const_count && !c->why; i++) check_blob_constant(c);
  uint32_t f_handler_count = wire_in_u32(c, "blob_method.handler_count is cut short");
  if (f_handler_count > CLASS_BLOB_MAX_HANDLERS) wire_in_fail(c, "blob_method.handler_count is more than CLASS_BLOB_MAX_HANDLERS");
  wire_in_skip(c, (uint64_t)f_handler_count * BLOB_HANDLER_FIXED_BYTES, "blob_method.handlers is cut short");
  uint32_t f_line_count = wire_in_u32(c, "blob_method.line_count is cut short");
  if (f_line_count > CLASS_BLOB_MAX_LINES) wire_in_fail(c, "blob_method.line_count is more than CLASS_BLOB_MAX_LINES");
  wire_in_skip(c, (uint64_t)f_line_count * 4, "blob_method.lines is cut short");
  uint32_t f_statement_count = wire_in_u32(c, "blob_method.statement_count is cut short");
  if (f_statement_count > CLASS_BLOB_MAX_STATEMENTS) wire_in_fail(c, "blob_method.statement_count is more than CLASS_BLOB_MAX_STATEMENTS");
  wire_in_skip(c, (uint64_t)f_statement_count * BLOB_STATEMENT_FIXED_BYTES, "blob_method.statements is cut short");
  uint32_t f_debug_local_count = wire_in_u32(c, "blob_method.debug_local_count is cut short");
  if (f_debug_local_count > CLASS_BLOB_MAX_DEBUG_LOCALS) wire_in_fail(c, "blob_method.debug_local_count is more than CLASS_BLOB_MAX_DEBUG_LOCALS");
  for (uint32_t i = 0; i < f_debug_local_count && !c->why; i++) check_blob_local(c);
}

const char *decode_blob_method(const uint8_t *p, uint32_t len, struct blob_method *out) {
  struct wire_in c = {p, len, 0, 0};
  check_blob_method(&c);
  if (!c.why && c.pos != len) c.why = "blob_method: bytes after its end";
  if (c.why) return c.why;
  read_blob_method(p, p + len, out);
  return 0;
}

const uint8_t *read_blob_method(const uint8_t *at, const uint8_t *end, struct blob_method *v) {
  *v = (struct blob_method){0};
  at = wire_read_str(at, &v->name);
  v->flags = wire_get32(at);
  at += 4;
  v->argc = wire_get32(at);
  at += 4;
  v->locals = wire_get32(at);
  at += 4;
  v->max_stack = wire_get32(at);
  at += 4;
  v->native = wire_get32(at);
  at += 4;
  v->vindex = (int32_t)wire_get32(at);
  at += 4;
  uint32_t n_code_len = wire_get32(at);
  at += 4;
  v->code = (struct wire_bytes){at, n_code_len};
  at += n_code_len;
  uint32_t n_const_count = wire_get32(at);
  at += 4;
  v->consts = (struct wire_list){at, n_const_count};
  for (uint32_t i = 0; i < n_const_count; i++) {
    struct blob_constant e;
    at = read_blob_constant(at, end, &e);
  }
  uint32_t n_handler_count = wire_get32(at);
  at += 4;
  v->handlers = (struct wire_list){at, n_handler_count};
  at += (size_t)n_handler_count * BLOB_HANDLER_FIXED_BYTES;
  uint32_t n_line_count = wire_get32(at);
  at += 4;
  v->lines = (struct wire_list){at, n_line_count};
  at += (size_t)n_line_count * 4;
  uint32_t n_statement_count = wire_get32(at);
  at += 4;
  v->statements = (struct wire_list){at, n_statement_count};
  at += (size_t)n_statement_count * BLOB_STATEMENT_FIXED_BYTES;
  uint32_t n_debug_local_count = wire_get32(at);
  at += 4;
  v->debug_locals = (struct wire_list){at, n_debug_local_count};
  for (uint32_t i = 0; i < n_debug_local_count; i++) {
    struct blob_local e;
    at = read_blob_local(at, end, &e);
  }
  (void)end;
  return at;
}

static void check_blob_statement(struct wire_in *c) {
  wire_in_skip(c, 4, "blob_statement.pc is cut short");
  wire_in_skip(c, 4, "blob_statement.line is cut short");
  wire_in_skip(c, 4, "blob_statement.column is cut short");
}

const char *decode_blob_statement(const uint8_t *p, uint32_t len, struct blob_statement *out) {
  struct wire_in c = {p, len, 0, 0};
  check_blob_statement(&c);
  if (!c.why && c.pos != len) c.why = "blob_statement: bytes after its end";
  if (c.why) return c.why;
  read_blob_statement(p, p + len, out);
  return 0;
}

const uint8_t *read_blob_statement(const uint8_t *at, const uint8_t *end, struct blob_statement *v) {
  *v = (struct blob_statement){0};
  v->pc = wire_get32(at);
  at += 4;
  v->line = wire_get32(at);
  at += 4;
  v->column = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

static void check_blob_local(struct wire_in *c) {
  wire_in_str(c, 0, "blob_local.name is cut short");
  wire_in_skip(c, 4, "blob_local.slot is cut short");
  wire_in_skip(c, 4, "blob_local.start is cut short");
  wire_in_skip(c, 4, "blob_local.end is cut short");
}

const char *decode_blob_local(const uint8_t *p, uint32_t len, struct blob_local *out) {
  struct wire_in c = {p, len, 0, 0};
  check_blob_local(&c);
  if (!c.why && c.pos != len) c.why = "blob_local: bytes after its end";
  if (c.why) return c.why;
  read_blob_local(p, p + len, out);
  return 0;
}

const uint8_t *read_blob_local(const uint8_t *at, const uint8_t *end, struct blob_local *v) {
  *v = (struct blob_local){0};
  at = wire_read_str(at, &v->name);
  v->slot = wire_get32(at);
  at += 4;
  v->start = wire_get32(at);
  at += 4;
  v->end = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

static void check_blob_constant(struct wire_in *c) {
  uint32_t f_kind = wire_in_u8(c, "blob_constant.kind is cut short");
  switch (f_kind) {
  case BLOB_CONSTANT_STRING: {
    wire_in_str(c, 0, "blob_constant.value is cut short");
    break;
  }
  case BLOB_CONSTANT_CLASS: {
    wire_in_str(c, 0, "blob_constant.name is cut short");
    break;
  }
  case BLOB_CONSTANT_METHOD: {
    wire_in_str(c, 0, "blob_constant.owner is cut short");
    wire_in_str(c, 0, "blob_constant.name is cut short");
    break;
  }
  default: wire_in_fail(c, "blob_constant.kind is none of its cases");
  }
}

const char *decode_blob_constant(const uint8_t *p, uint32_t len, struct blob_constant *out) {
  struct wire_in c = {p, len, 0, 0};
  check_blob_constant(&c);
  if (!c.why && c.pos != len) c.why = "blob_constant: bytes after its end";
  if (c.why) return c.why;
  read_blob_constant(p, p + len, out);
  return 0;
}

const uint8_t *read_blob_constant(const uint8_t *at, const uint8_t *end, struct blob_constant *v) {
  *v = (struct blob_constant){0};
  v->kind = at[0];
  at += 1;
  switch (v->kind) {
  case BLOB_CONSTANT_STRING: {
    at = wire_read_str(at, &v->value);
    break;
  }
  case BLOB_CONSTANT_CLASS: {
    at = wire_read_str(at, &v->name);
    break;
  }
  case BLOB_CONSTANT_METHOD: {
    at = wire_read_str(at, &v->owner);
    at = wire_read_str(at, &v->name);
    break;
  }
  }
  (void)end;
  return at;
}

static void check_blob_handler(struct wire_in *c) {
  wire_in_skip(c, 4, "blob_handler.start is cut short");
  wire_in_skip(c, 4, "blob_handler.end is cut short");
  wire_in_skip(c, 4, "blob_handler.handler is cut short");
  wire_in_skip(c, 4, "blob_handler.class_const is cut short");
}

const char *decode_blob_handler(const uint8_t *p, uint32_t len, struct blob_handler *out) {
  struct wire_in c = {p, len, 0, 0};
  check_blob_handler(&c);
  if (!c.why && c.pos != len) c.why = "blob_handler: bytes after its end";
  if (c.why) return c.why;
  read_blob_handler(p, p + len, out);
  return 0;
}

const uint8_t *read_blob_handler(const uint8_t *at, const uint8_t *end, struct blob_handler *v) {
  *v = (struct blob_handler){0};
  v->start = wire_get32(at);
  at += 4;
  v->end = wire_get32(at);
  at += 4;
  v->handler = wire_get32(at);
  at += 4;
  v->class_const = (int32_t)wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

static const char *check_any_class_blob(const uint8_t *p, uint32_t len) {
  struct class_blob v;
  return decode_class_blob(p, len, &v);
}
static const char *check_any_blob_vtable_entry(const uint8_t *p, uint32_t len) {
  struct blob_vtable_entry v;
  return decode_blob_vtable_entry(p, len, &v);
}
static const char *check_any_blob_method(const uint8_t *p, uint32_t len) {
  struct blob_method v;
  return decode_blob_method(p, len, &v);
}
static const char *check_any_blob_statement(const uint8_t *p, uint32_t len) {
  struct blob_statement v;
  return decode_blob_statement(p, len, &v);
}
static const char *check_any_blob_local(const uint8_t *p, uint32_t len) {
  struct blob_local v;
  return decode_blob_local(p, len, &v);
}
static const char *check_any_blob_constant(const uint8_t *p, uint32_t len) {
  struct blob_constant v;
  return decode_blob_constant(p, len, &v);
}
static const char *check_any_blob_handler(const uint8_t *p, uint32_t len) {
  struct blob_handler v;
  return decode_blob_handler(p, len, &v);
}
const struct wire_record class_blob_wire_records[7] = {
  {"class_blob", check_any_class_blob},
  {"blob_vtable_entry", check_any_blob_vtable_entry},
  {"blob_method", check_any_blob_method},
  {"blob_statement", check_any_blob_statement},
  {"blob_local", check_any_blob_local},
  {"blob_constant", check_any_blob_constant},
  {"blob_handler", check_any_blob_handler},
};
