/* debug_wire.c — generated from lang/spec/debug.def by `npm run gen -w lang`; do not edit. */
#include "debug_wire.h"

static void check_error_reply(struct wire_in *c);
static void check_hello_request(struct wire_in *c);
static void check_hello_reply(struct wire_in *c);
static void check_stats_reply(struct wire_in *c);
static void check_roots_reply(struct wire_in *c);
static void check_threads_reply(struct wire_in *c);
static void check_thread_entry(struct wire_in *c);
static void check_frame_entry(struct wire_in *c);
static void check_read_objects_request(struct wire_in *c);
static void check_read_objects_at_request(struct wire_in *c);
static void check_objects_reply(struct wire_in *c);
static void check_object_entry(struct wire_in *c);
static void check_enumerate_request(struct wire_in *c);
static void check_enumerate_reply(struct wire_in *c);
static void check_classes_reply(struct wire_in *c);
static void check_generations_reply(struct wire_in *c);
static void check_generation(struct wire_in *c);
static void check_snapshot_reply(struct wire_in *c);
static void check_rollback_request(struct wire_in *c);
static void check_rollback_reply(struct wire_in *c);
static void check_stage_page_request(struct wire_in *c);
static void check_stage_page_reply(struct wire_in *c);
static void check_branch_request(struct wire_in *c);
static void check_branch_reply(struct wire_in *c);
static void check_flags_reply(struct wire_in *c);
static void check_install_class_request(struct wire_in *c);
static void check_install_class_reply(struct wire_in *c);
static void check_read_page_request(struct wire_in *c);
static void check_read_page_reply(struct wire_in *c);
static void check_run_request(struct wire_in *c);
static void check_run_reply(struct wire_in *c);
static void check_reset_reply(struct wire_in *c);
static void check_thread_end_event(struct wire_in *c);
static void check_set_breakpoint_request(struct wire_in *c);
static void check_breakpoint_reply(struct wire_in *c);
static void check_breakpoint_request(struct wire_in *c);
static void check_breakpoints_reply(struct wire_in *c);
static void check_breakpoint_entry(struct wire_in *c);
static void check_thread_request(struct wire_in *c);
static void check_step_request(struct wire_in *c);
static void check_frame_request(struct wire_in *c);
static void check_frame_reply(struct wire_in *c);
static void check_value_entry(struct wire_in *c);
static void check_exception_stops_request(struct wire_in *c);
static void check_stopped_reply(struct wire_in *c);
static void check_stopped_event(struct wire_in *c);
static void check_set_local_request(struct wire_in *c);
static void check_set_field_request(struct wire_in *c);
static void check_continued_event(struct wire_in *c);
static void check_dirty_pages_reply(struct wire_in *c);
static void check_now_pages_reply(struct wire_in *c);
static void check_now_page(struct wire_in *c);
static void check_logpoint_event(struct wire_in *c);

static void check_error_reply(struct wire_in *c) {
  wire_in_skip(c, 2, "error_reply.code is cut short");
  wire_in_str(c, 0, "error_reply.message is cut short");
}

const char *decode_error_reply(const uint8_t *p, uint32_t len, struct error_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_error_reply(&c);
  if (!c.why && c.pos != len) c.why = "error_reply: bytes after its end";
  if (c.why) return c.why;
  read_error_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_error_reply(const uint8_t *at, const uint8_t *end, struct error_reply *v) {
  *v = (struct error_reply){0};
  v->code = wire_get16(at);
  at += 2;
  at = wire_read_str(at, &v->message);
  (void)end;
  return at;
}

void put_error_reply(struct wire_out *o, const struct error_reply *v) {
  wire_put16(o, v->code);
  wire_put_str(o, v->message);
}

static void check_hello_request(struct wire_in *c) {
  wire_in_skip(c, 2, "hello_request.client_version is cut short");
}

const char *decode_hello_request(const uint8_t *p, uint32_t len, struct hello_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_hello_request(&c);
  if (!c.why && c.pos != len) c.why = "hello_request: bytes after its end";
  if (c.why) return c.why;
  read_hello_request(p, p + len, out);
  return 0;
}

const uint8_t *read_hello_request(const uint8_t *at, const uint8_t *end, struct hello_request *v) {
  *v = (struct hello_request){0};
  v->client_version = wire_get16(at);
  at += 2;
  (void)end;
  return at;
}

void put_hello_request(struct wire_out *o, const struct hello_request *v) {
  wire_put16(o, v->client_version);
}

static void check_hello_reply(struct wire_in *c) {
  wire_in_skip(c, 2, "hello_reply.protocol_version is cut short");
  wire_in_skip(c, 2, "hello_reply.revision is cut short");
  wire_in_skip(c, 4, "hello_reply.format_version is cut short");
  wire_in_skip(c, 4, "hello_reply.space_base is cut short");
  wire_in_skip(c, 4, "hello_reply.space_size is cut short");
  wire_in_skip(c, 4, "hello_reply.max_payload is cut short");
  wire_in_str(c, 0, "hello_reply.kernel is cut short");
}

const char *decode_hello_reply(const uint8_t *p, uint32_t len, struct hello_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_hello_reply(&c);
  if (!c.why && c.pos != len) c.why = "hello_reply: bytes after its end";
  if (c.why) return c.why;
  read_hello_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_hello_reply(const uint8_t *at, const uint8_t *end, struct hello_reply *v) {
  *v = (struct hello_reply){0};
  v->protocol_version = wire_get16(at);
  at += 2;
  v->revision = wire_get16(at);
  at += 2;
  v->format_version = wire_get32(at);
  at += 4;
  v->space_base = wire_get32(at);
  at += 4;
  v->space_size = wire_get32(at);
  at += 4;
  v->max_payload = wire_get32(at);
  at += 4;
  at = wire_read_str(at, &v->kernel);
  (void)end;
  return at;
}

void put_hello_reply(struct wire_out *o, const struct hello_reply *v) {
  wire_put16(o, v->protocol_version);
  wire_put16(o, v->revision);
  wire_put32(o, v->format_version);
  wire_put32(o, v->space_base);
  wire_put32(o, v->space_size);
  wire_put32(o, v->max_payload);
  wire_put_str(o, v->kernel);
}

static void check_stats_reply(struct wire_in *c) {
  wire_in_skip(c, 8, "stats_reply.uptime_ms is cut short");
  wire_in_skip(c, 8, "stats_reply.machine_ms is cut short");
  wire_in_skip(c, 4, "stats_reply.objects is cut short");
  wire_in_skip(c, 4, "stats_reply.live_bytes is cut short");
  wire_in_skip(c, 4, "stats_reply.space_top is cut short");
  wire_in_skip(c, 4, "stats_reply.generation is cut short");
  wire_in_skip(c, 4, "stats_reply.threads is cut short");
  wire_in_skip(c, 4, "stats_reply.gc_runs is cut short");
  wire_in_skip(c, 4, "stats_reply.gc_pause_us is cut short");
  wire_in_skip(c, 4, "stats_reply.snapshots is cut short");
  wire_in_skip(c, 4, "stats_reply.flags is cut short");
}

const char *decode_stats_reply(const uint8_t *p, uint32_t len, struct stats_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_stats_reply(&c);
  if (!c.why && c.pos != len) c.why = "stats_reply: bytes after its end";
  if (c.why) return c.why;
  read_stats_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_stats_reply(const uint8_t *at, const uint8_t *end, struct stats_reply *v) {
  *v = (struct stats_reply){0};
  v->uptime_ms = wire_get64(at);
  at += 8;
  v->machine_ms = wire_get64(at);
  at += 8;
  v->objects = wire_get32(at);
  at += 4;
  v->live_bytes = wire_get32(at);
  at += 4;
  v->space_top = wire_get32(at);
  at += 4;
  v->generation = wire_get32(at);
  at += 4;
  v->threads = wire_get32(at);
  at += 4;
  v->gc_runs = wire_get32(at);
  at += 4;
  v->gc_pause_us = wire_get32(at);
  at += 4;
  v->snapshots = wire_get32(at);
  at += 4;
  v->flags = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_stats_reply(struct wire_out *o, const struct stats_reply *v) {
  wire_put64(o, v->uptime_ms);
  wire_put64(o, v->machine_ms);
  wire_put32(o, v->objects);
  wire_put32(o, v->live_bytes);
  wire_put32(o, v->space_top);
  wire_put32(o, v->generation);
  wire_put32(o, v->threads);
  wire_put32(o, v->gc_runs);
  wire_put32(o, v->gc_pause_us);
  wire_put32(o, v->snapshots);
  wire_put32(o, v->flags);
}

static void check_roots_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "roots_reply.root is cut short");
  wire_in_skip(c, 4, "roots_reply.directory is cut short");
  wire_in_skip(c, 4, "roots_reply.threads is cut short");
  wire_in_skip(c, 4, "roots_reply.classes is cut short");
}

const char *decode_roots_reply(const uint8_t *p, uint32_t len, struct roots_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_roots_reply(&c);
  if (!c.why && c.pos != len) c.why = "roots_reply: bytes after its end";
  if (c.why) return c.why;
  read_roots_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_roots_reply(const uint8_t *at, const uint8_t *end, struct roots_reply *v) {
  *v = (struct roots_reply){0};
  v->root = wire_get32(at);
  at += 4;
  v->directory = wire_get32(at);
  at += 4;
  v->threads = wire_get32(at);
  at += 4;
  v->classes = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_roots_reply(struct wire_out *o, const struct roots_reply *v) {
  wire_put32(o, v->root);
  wire_put32(o, v->directory);
  wire_put32(o, v->threads);
  wire_put32(o, v->classes);
}

static void check_threads_reply(struct wire_in *c) {
  uint32_t f_count = wire_in_u32(c, "threads_reply.count is cut short");
  for (uint32_t i = 0; i < f_count && !c->why; i++) check_thread_entry(c);
}

const char *decode_threads_reply(const uint8_t *p, uint32_t len, struct threads_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_threads_reply(&c);
  if (!c.why && c.pos != len) c.why = "threads_reply: bytes after its end";
  if (c.why) return c.why;
  read_threads_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_threads_reply(const uint8_t *at, const uint8_t *end, struct threads_reply *v) {
  *v = (struct threads_reply){0};
  uint32_t n_count = wire_get32(at);
  at += 4;
  v->threads = (struct wire_list){at, n_count};
  for (uint32_t i = 0; i < n_count; i++) {
    struct thread_entry e;
    at = read_thread_entry(at, end, &e);
  }
  (void)end;
  return at;
}

void put_threads_reply(struct wire_out *o, const struct threads_reply *v) {
  wire_put32(o, (uint32_t)v->threads.count);
  /* then v->threads.count elements, written by the caller */
}

static void check_thread_entry(struct wire_in *c) {
  wire_in_skip(c, 4, "thread_entry.thread is cut short");
  wire_in_skip(c, 4, "thread_entry.id is cut short");
  wire_in_skip(c, 1, "thread_entry.state is cut short");
  uint32_t f_reserved = wire_in_u8(c, "thread_entry.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "thread_entry.reserved is not 0");
  uint32_t f_count = wire_in_u16(c, "thread_entry.count is cut short");
  if (f_count > DBG_MAX_FRAMES) wire_in_fail(c, "thread_entry.count is more than DBG_MAX_FRAMES");
  wire_in_skip(c, 4, "thread_entry.wake_at is cut short");
  wire_in_skip(c, (uint64_t)f_count * FRAME_ENTRY_FIXED_BYTES, "thread_entry.frames is cut short");
}

const char *decode_thread_entry(const uint8_t *p, uint32_t len, struct thread_entry *out) {
  struct wire_in c = {p, len, 0, 0};
  check_thread_entry(&c);
  if (!c.why && c.pos != len) c.why = "thread_entry: bytes after its end";
  if (c.why) return c.why;
  read_thread_entry(p, p + len, out);
  return 0;
}

const uint8_t *read_thread_entry(const uint8_t *at, const uint8_t *end, struct thread_entry *v) {
  *v = (struct thread_entry){0};
  v->thread = wire_get32(at);
  at += 4;
  v->id = wire_get32(at);
  at += 4;
  v->state = at[0];
  at += 1;
  at += 1; /* reserved */
  uint32_t n_count = wire_get16(at);
  at += 2;
  v->wake_at = wire_get32(at);
  at += 4;
  v->frames = (struct wire_list){at, n_count};
  at += (size_t)n_count * FRAME_ENTRY_FIXED_BYTES;
  (void)end;
  return at;
}

void put_thread_entry(struct wire_out *o, const struct thread_entry *v) {
  wire_put32(o, v->thread);
  wire_put32(o, v->id);
  wire_put8(o, v->state);
  wire_put8(o, 0);
  wire_put16(o, (uint16_t)v->frames.count);
  wire_put32(o, v->wake_at);
  /* then v->frames.count elements, written by the caller */
}

static void check_frame_entry(struct wire_in *c) {
  wire_in_skip(c, 4, "frame_entry.frame is cut short");
  wire_in_skip(c, 4, "frame_entry.method is cut short");
  wire_in_skip(c, 4, "frame_entry.pc is cut short");
}

const char *decode_frame_entry(const uint8_t *p, uint32_t len, struct frame_entry *out) {
  struct wire_in c = {p, len, 0, 0};
  check_frame_entry(&c);
  if (!c.why && c.pos != len) c.why = "frame_entry: bytes after its end";
  if (c.why) return c.why;
  read_frame_entry(p, p + len, out);
  return 0;
}

const uint8_t *read_frame_entry(const uint8_t *at, const uint8_t *end, struct frame_entry *v) {
  *v = (struct frame_entry){0};
  v->frame = wire_get32(at);
  at += 4;
  v->method = wire_get32(at);
  at += 4;
  v->pc = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_frame_entry(struct wire_out *o, const struct frame_entry *v) {
  wire_put32(o, v->frame);
  wire_put32(o, v->method);
  wire_put32(o, v->pc);
}

static void check_read_objects_request(struct wire_in *c) {
  uint32_t f_count = wire_in_u16(c, "read_objects_request.count is cut short");
  if (f_count > DBG_MAX_BATCH) wire_in_fail(c, "read_objects_request.count is more than DBG_MAX_BATCH");
  uint32_t f_reserved = wire_in_u16(c, "read_objects_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "read_objects_request.reserved is not 0");
  wire_in_skip(c, (uint64_t)f_count * 4, "read_objects_request.objects is cut short");
}

const char *decode_read_objects_request(const uint8_t *p, uint32_t len, struct read_objects_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_read_objects_request(&c);
  if (!c.why && c.pos != len) c.why = "read_objects_request: bytes after its end";
  if (c.why) return c.why;
  read_read_objects_request(p, p + len, out);
  return 0;
}

const uint8_t *read_read_objects_request(const uint8_t *at, const uint8_t *end, struct read_objects_request *v) {
  *v = (struct read_objects_request){0};
  uint32_t n_count = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  v->objects = (struct wire_list){at, n_count};
  at += (size_t)n_count * 4;
  (void)end;
  return at;
}

void put_read_objects_request(struct wire_out *o, const struct read_objects_request *v) {
  wire_put16(o, (uint16_t)v->objects.count);
  wire_put16(o, 0);
  /* then v->objects.count elements, written by the caller */
}

static void check_read_objects_at_request(struct wire_in *c) {
  wire_in_skip(c, 4, "read_objects_at_request.generation is cut short");
  uint32_t f_count = wire_in_u16(c, "read_objects_at_request.count is cut short");
  if (f_count > DBG_MAX_BATCH) wire_in_fail(c, "read_objects_at_request.count is more than DBG_MAX_BATCH");
  uint32_t f_reserved = wire_in_u16(c, "read_objects_at_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "read_objects_at_request.reserved is not 0");
  wire_in_skip(c, (uint64_t)f_count * 4, "read_objects_at_request.objects is cut short");
}

const char *decode_read_objects_at_request(const uint8_t *p, uint32_t len, struct read_objects_at_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_read_objects_at_request(&c);
  if (!c.why && c.pos != len) c.why = "read_objects_at_request: bytes after its end";
  if (c.why) return c.why;
  read_read_objects_at_request(p, p + len, out);
  return 0;
}

const uint8_t *read_read_objects_at_request(const uint8_t *at, const uint8_t *end, struct read_objects_at_request *v) {
  *v = (struct read_objects_at_request){0};
  v->generation = wire_get32(at);
  at += 4;
  uint32_t n_count = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  v->objects = (struct wire_list){at, n_count};
  at += (size_t)n_count * 4;
  (void)end;
  return at;
}

void put_read_objects_at_request(struct wire_out *o, const struct read_objects_at_request *v) {
  wire_put32(o, v->generation);
  wire_put16(o, (uint16_t)v->objects.count);
  wire_put16(o, 0);
  /* then v->objects.count elements, written by the caller */
}

static void check_objects_reply(struct wire_in *c) {
  uint32_t f_count = wire_in_u16(c, "objects_reply.count is cut short");
  if (f_count > DBG_MAX_BATCH) wire_in_fail(c, "objects_reply.count is more than DBG_MAX_BATCH");
  uint32_t f_reserved = wire_in_u16(c, "objects_reply.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "objects_reply.reserved is not 0");
  for (uint32_t i = 0; i < f_count && !c->why; i++) check_object_entry(c);
}

const char *decode_objects_reply(const uint8_t *p, uint32_t len, struct objects_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_objects_reply(&c);
  if (!c.why && c.pos != len) c.why = "objects_reply: bytes after its end";
  if (c.why) return c.why;
  read_objects_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_objects_reply(const uint8_t *at, const uint8_t *end, struct objects_reply *v) {
  *v = (struct objects_reply){0};
  uint32_t n_count = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  v->objects = (struct wire_list){at, n_count};
  for (uint32_t i = 0; i < n_count; i++) {
    struct object_entry e;
    at = read_object_entry(at, end, &e);
  }
  (void)end;
  return at;
}

void put_objects_reply(struct wire_out *o, const struct objects_reply *v) {
  wire_put16(o, (uint16_t)v->objects.count);
  wire_put16(o, 0);
  /* then v->objects.count elements, written by the caller */
}

static void check_object_entry(struct wire_in *c) {
  wire_in_skip(c, 4, "object_entry.object is cut short");
  uint32_t f_status = wire_in_u8(c, "object_entry.status is cut short");
  if (f_status > DBG_OBJECT_TRUNCATED) wire_in_fail(c, "object_entry.status is more than DBG_OBJECT_TRUNCATED");
  uint32_t f_reserved = wire_in_u8(c, "object_entry.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "object_entry.reserved is not 0");
  uint32_t f_reserved2 = wire_in_u16(c, "object_entry.reserved2 is cut short");
  if (f_reserved2 != 0) wire_in_fail(c, "object_entry.reserved2 is not 0");
  wire_in_skip(c, 4, "object_entry.class_word is cut short");
  uint32_t f_size = wire_in_u32(c, "object_entry.size is cut short");
  wire_in_skip(c, 4, "object_entry.flags is cut short");
  uint32_t f_included = wire_in_u32(c, "object_entry.included is cut short");
  if (f_included > f_size) wire_in_fail(c, "object_entry.included is more than size");
  wire_in_skip(c, f_included, "object_entry.bytes is cut short");
  wire_in_pad(c, f_included, 4, "object_entry.bytes is cut short");
}

const char *decode_object_entry(const uint8_t *p, uint32_t len, struct object_entry *out) {
  struct wire_in c = {p, len, 0, 0};
  check_object_entry(&c);
  if (!c.why && c.pos != len) c.why = "object_entry: bytes after its end";
  if (c.why) return c.why;
  read_object_entry(p, p + len, out);
  return 0;
}

const uint8_t *read_object_entry(const uint8_t *at, const uint8_t *end, struct object_entry *v) {
  *v = (struct object_entry){0};
  v->object = wire_get32(at);
  at += 4;
  v->status = at[0];
  at += 1;
  at += 1; /* reserved */
  at += 2; /* reserved2 */
  v->class_word = wire_get32(at);
  at += 4;
  v->size = wire_get32(at);
  at += 4;
  v->flags = wire_get32(at);
  at += 4;
  uint32_t n_included = wire_get32(at);
  at += 4;
  v->bytes = (struct wire_bytes){at, n_included};
  at += (n_included + 3u) / 4u * 4u;
  (void)end;
  return at;
}

uint8_t *put_object_entry(struct wire_out *o, const struct object_entry *v) {
  wire_put32(o, v->object);
  wire_put8(o, v->status);
  wire_put8(o, 0);
  wire_put16(o, 0);
  wire_put32(o, v->class_word);
  wire_put32(o, v->size);
  wire_put32(o, v->flags);
  wire_put32(o, (uint32_t)v->bytes.len);
  return wire_put_bytes(o, v->bytes.p, v->bytes.len, 4);
}

static void check_enumerate_request(struct wire_in *c) {
  wire_in_skip(c, 4, "enumerate_request.start is cut short");
  wire_in_skip(c, 4, "enumerate_request.class is cut short");
  wire_in_skip(c, 2, "enumerate_request.max is cut short");
  uint32_t f_reserved = wire_in_u16(c, "enumerate_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "enumerate_request.reserved is not 0");
}

const char *decode_enumerate_request(const uint8_t *p, uint32_t len, struct enumerate_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_enumerate_request(&c);
  if (!c.why && c.pos != len) c.why = "enumerate_request: bytes after its end";
  if (c.why) return c.why;
  read_enumerate_request(p, p + len, out);
  return 0;
}

const uint8_t *read_enumerate_request(const uint8_t *at, const uint8_t *end, struct enumerate_request *v) {
  *v = (struct enumerate_request){0};
  v->start = wire_get32(at);
  at += 4;
  v->class = wire_get32(at);
  at += 4;
  v->max = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  (void)end;
  return at;
}

void put_enumerate_request(struct wire_out *o, const struct enumerate_request *v) {
  wire_put32(o, v->start);
  wire_put32(o, v->class);
  wire_put16(o, v->max);
  wire_put16(o, 0);
}

static void check_enumerate_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "enumerate_reply.next is cut short");
  uint32_t f_count = wire_in_u16(c, "enumerate_reply.count is cut short");
  if (f_count > DBG_MAX_BATCH) wire_in_fail(c, "enumerate_reply.count is more than DBG_MAX_BATCH");
  uint32_t f_reserved = wire_in_u16(c, "enumerate_reply.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "enumerate_reply.reserved is not 0");
  wire_in_skip(c, (uint64_t)f_count * 4, "enumerate_reply.objects is cut short");
}

const char *decode_enumerate_reply(const uint8_t *p, uint32_t len, struct enumerate_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_enumerate_reply(&c);
  if (!c.why && c.pos != len) c.why = "enumerate_reply: bytes after its end";
  if (c.why) return c.why;
  read_enumerate_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_enumerate_reply(const uint8_t *at, const uint8_t *end, struct enumerate_reply *v) {
  *v = (struct enumerate_reply){0};
  v->next = wire_get32(at);
  at += 4;
  uint32_t n_count = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  v->objects = (struct wire_list){at, n_count};
  at += (size_t)n_count * 4;
  (void)end;
  return at;
}

void put_enumerate_reply(struct wire_out *o, const struct enumerate_reply *v) {
  wire_put32(o, v->next);
  wire_put16(o, (uint16_t)v->objects.count);
  wire_put16(o, 0);
  /* then v->objects.count elements, written by the caller */
}

static void check_classes_reply(struct wire_in *c) {
  uint32_t f_count = wire_in_u32(c, "classes_reply.count is cut short");
  wire_in_skip(c, (uint64_t)f_count * 4, "classes_reply.classes is cut short");
}

const char *decode_classes_reply(const uint8_t *p, uint32_t len, struct classes_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_classes_reply(&c);
  if (!c.why && c.pos != len) c.why = "classes_reply: bytes after its end";
  if (c.why) return c.why;
  read_classes_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_classes_reply(const uint8_t *at, const uint8_t *end, struct classes_reply *v) {
  *v = (struct classes_reply){0};
  uint32_t n_count = wire_get32(at);
  at += 4;
  v->classes = (struct wire_list){at, n_count};
  at += (size_t)n_count * 4;
  (void)end;
  return at;
}

void put_classes_reply(struct wire_out *o, const struct classes_reply *v) {
  wire_put32(o, (uint32_t)v->classes.count);
  /* then v->classes.count elements, written by the caller */
}

static void check_generations_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "generations_reply.current is cut short");
  uint32_t f_count = wire_in_u32(c, "generations_reply.count is cut short");
  wire_in_skip(c, (uint64_t)f_count * GENERATION_FIXED_BYTES, "generations_reply.generations is cut short");
}

const char *decode_generations_reply(const uint8_t *p, uint32_t len, struct generations_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_generations_reply(&c);
  if (!c.why && c.pos != len) c.why = "generations_reply: bytes after its end";
  if (c.why) return c.why;
  read_generations_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_generations_reply(const uint8_t *at, const uint8_t *end, struct generations_reply *v) {
  *v = (struct generations_reply){0};
  v->current = wire_get32(at);
  at += 4;
  uint32_t n_count = wire_get32(at);
  at += 4;
  v->generations = (struct wire_list){at, n_count};
  at += (size_t)n_count * GENERATION_FIXED_BYTES;
  (void)end;
  return at;
}

void put_generations_reply(struct wire_out *o, const struct generations_reply *v) {
  wire_put32(o, v->current);
  wire_put32(o, (uint32_t)v->generations.count);
  /* then v->generations.count elements, written by the caller */
}

static void check_generation(struct wire_in *c) {
  wire_in_skip(c, 4, "generation.number is cut short");
  wire_in_skip(c, 4, "generation.parent is cut short");
  wire_in_skip(c, 8, "generation.wall_seconds is cut short");
  wire_in_skip(c, 8, "generation.machine_ms is cut short");
  wire_in_skip(c, 4, "generation.pause_us is cut short");
  wire_in_skip(c, 4, "generation.pages_cow is cut short");
  wire_in_skip(c, 4, "generation.pages_written is cut short");
  wire_in_skip(c, 4, "generation.bytes_written is cut short");
  wire_in_skip(c, 4, "generation.write_us is cut short");
  wire_in_skip(c, 4, "generation.commit_us is cut short");
}

const char *decode_generation(const uint8_t *p, uint32_t len, struct generation *out) {
  struct wire_in c = {p, len, 0, 0};
  check_generation(&c);
  if (!c.why && c.pos != len) c.why = "generation: bytes after its end";
  if (c.why) return c.why;
  read_generation(p, p + len, out);
  return 0;
}

const uint8_t *read_generation(const uint8_t *at, const uint8_t *end, struct generation *v) {
  *v = (struct generation){0};
  v->number = wire_get32(at);
  at += 4;
  v->parent = wire_get32(at);
  at += 4;
  v->wall_seconds = wire_get64(at);
  at += 8;
  v->machine_ms = wire_get64(at);
  at += 8;
  v->pause_us = wire_get32(at);
  at += 4;
  v->pages_cow = wire_get32(at);
  at += 4;
  v->pages_written = wire_get32(at);
  at += 4;
  v->bytes_written = wire_get32(at);
  at += 4;
  v->write_us = wire_get32(at);
  at += 4;
  v->commit_us = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_generation(struct wire_out *o, const struct generation *v) {
  wire_put32(o, v->number);
  wire_put32(o, v->parent);
  wire_put64(o, v->wall_seconds);
  wire_put64(o, v->machine_ms);
  wire_put32(o, v->pause_us);
  wire_put32(o, v->pages_cow);
  wire_put32(o, v->pages_written);
  wire_put32(o, v->bytes_written);
  wire_put32(o, v->write_us);
  wire_put32(o, v->commit_us);
}

static void check_snapshot_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "snapshot_reply.generation is cut short");
}

const char *decode_snapshot_reply(const uint8_t *p, uint32_t len, struct snapshot_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_snapshot_reply(&c);
  if (!c.why && c.pos != len) c.why = "snapshot_reply: bytes after its end";
  if (c.why) return c.why;
  read_snapshot_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_snapshot_reply(const uint8_t *at, const uint8_t *end, struct snapshot_reply *v) {
  *v = (struct snapshot_reply){0};
  v->generation = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_snapshot_reply(struct wire_out *o, const struct snapshot_reply *v) {
  wire_put32(o, v->generation);
}

static void check_rollback_request(struct wire_in *c) {
  wire_in_skip(c, 4, "rollback_request.generation is cut short");
}

const char *decode_rollback_request(const uint8_t *p, uint32_t len, struct rollback_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_rollback_request(&c);
  if (!c.why && c.pos != len) c.why = "rollback_request: bytes after its end";
  if (c.why) return c.why;
  read_rollback_request(p, p + len, out);
  return 0;
}

const uint8_t *read_rollback_request(const uint8_t *at, const uint8_t *end, struct rollback_request *v) {
  *v = (struct rollback_request){0};
  v->generation = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_rollback_request(struct wire_out *o, const struct rollback_request *v) {
  wire_put32(o, v->generation);
}

static void check_rollback_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "rollback_reply.generation is cut short");
  wire_in_skip(c, 4, "rollback_reply.previous is cut short");
  wire_in_skip(c, 4, "rollback_reply.abandoned is cut short");
  wire_in_skip(c, 4, "rollback_reply.pages_kept is cut short");
  wire_in_skip(c, 4, "rollback_reply.pages_read is cut short");
  wire_in_skip(c, 4, "rollback_reply.micros is cut short");
}

const char *decode_rollback_reply(const uint8_t *p, uint32_t len, struct rollback_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_rollback_reply(&c);
  if (!c.why && c.pos != len) c.why = "rollback_reply: bytes after its end";
  if (c.why) return c.why;
  read_rollback_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_rollback_reply(const uint8_t *at, const uint8_t *end, struct rollback_reply *v) {
  *v = (struct rollback_reply){0};
  v->generation = wire_get32(at);
  at += 4;
  v->previous = wire_get32(at);
  at += 4;
  v->abandoned = wire_get32(at);
  at += 4;
  v->pages_kept = wire_get32(at);
  at += 4;
  v->pages_read = wire_get32(at);
  at += 4;
  v->micros = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_rollback_reply(struct wire_out *o, const struct rollback_reply *v) {
  wire_put32(o, v->generation);
  wire_put32(o, v->previous);
  wire_put32(o, v->abandoned);
  wire_put32(o, v->pages_kept);
  wire_put32(o, v->pages_read);
  wire_put32(o, v->micros);
}

static void check_stage_page_request(struct wire_in *c) {
  uint32_t f_first = wire_in_u32(c, "stage_page_request.first is cut short");
  if (f_first > 1) wire_in_fail(c, "stage_page_request.first is more than 1");
  wire_in_skip(c, 4, "stage_page_request.page is cut short");
  wire_in_skip(c, DBG_PAGE_BYTES, "stage_page_request.bytes is cut short");
}

const char *decode_stage_page_request(const uint8_t *p, uint32_t len, struct stage_page_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_stage_page_request(&c);
  if (!c.why && c.pos != len) c.why = "stage_page_request: bytes after its end";
  if (c.why) return c.why;
  read_stage_page_request(p, p + len, out);
  return 0;
}

const uint8_t *read_stage_page_request(const uint8_t *at, const uint8_t *end, struct stage_page_request *v) {
  *v = (struct stage_page_request){0};
  v->first = wire_get32(at);
  at += 4;
  v->page = wire_get32(at);
  at += 4;
  v->bytes = (struct wire_bytes){at, DBG_PAGE_BYTES};
  at += DBG_PAGE_BYTES;
  (void)end;
  return at;
}

uint8_t *put_stage_page_request(struct wire_out *o, const struct stage_page_request *v) {
  wire_put32(o, v->first);
  wire_put32(o, v->page);
  return wire_put_bytes(o, v->bytes.p, v->bytes.len, 1);
}

static void check_stage_page_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "stage_page_reply.staged is cut short");
}

const char *decode_stage_page_reply(const uint8_t *p, uint32_t len, struct stage_page_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_stage_page_reply(&c);
  if (!c.why && c.pos != len) c.why = "stage_page_reply: bytes after its end";
  if (c.why) return c.why;
  read_stage_page_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_stage_page_reply(const uint8_t *at, const uint8_t *end, struct stage_page_reply *v) {
  *v = (struct stage_page_reply){0};
  v->staged = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_stage_page_reply(struct wire_out *o, const struct stage_page_reply *v) {
  wire_put32(o, v->staged);
}

static void check_branch_request(struct wire_in *c) {
  wire_in_skip(c, 4, "branch_request.parent is cut short");
}

const char *decode_branch_request(const uint8_t *p, uint32_t len, struct branch_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_branch_request(&c);
  if (!c.why && c.pos != len) c.why = "branch_request: bytes after its end";
  if (c.why) return c.why;
  read_branch_request(p, p + len, out);
  return 0;
}

const uint8_t *read_branch_request(const uint8_t *at, const uint8_t *end, struct branch_request *v) {
  *v = (struct branch_request){0};
  v->parent = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_branch_request(struct wire_out *o, const struct branch_request *v) {
  wire_put32(o, v->parent);
}

static void check_branch_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "branch_reply.generation is cut short");
  wire_in_skip(c, 4, "branch_reply.previous is cut short");
  wire_in_skip(c, 4, "branch_reply.pages is cut short");
  wire_in_skip(c, 4, "branch_reply.micros is cut short");
}

const char *decode_branch_reply(const uint8_t *p, uint32_t len, struct branch_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_branch_reply(&c);
  if (!c.why && c.pos != len) c.why = "branch_reply: bytes after its end";
  if (c.why) return c.why;
  read_branch_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_branch_reply(const uint8_t *at, const uint8_t *end, struct branch_reply *v) {
  *v = (struct branch_reply){0};
  v->generation = wire_get32(at);
  at += 4;
  v->previous = wire_get32(at);
  at += 4;
  v->pages = wire_get32(at);
  at += 4;
  v->micros = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_branch_reply(struct wire_out *o, const struct branch_reply *v) {
  wire_put32(o, v->generation);
  wire_put32(o, v->previous);
  wire_put32(o, v->pages);
  wire_put32(o, v->micros);
}

static void check_flags_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "flags_reply.flags is cut short");
}

const char *decode_flags_reply(const uint8_t *p, uint32_t len, struct flags_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_flags_reply(&c);
  if (!c.why && c.pos != len) c.why = "flags_reply: bytes after its end";
  if (c.why) return c.why;
  read_flags_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_flags_reply(const uint8_t *at, const uint8_t *end, struct flags_reply *v) {
  *v = (struct flags_reply){0};
  v->flags = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_flags_reply(struct wire_out *o, const struct flags_reply *v) {
  wire_put32(o, v->flags);
}

static void check_install_class_request(struct wire_in *c) {
  wire_in_skip(c, 4, "install_class_request.total is cut short");
  wire_in_skip(c, 4, "install_class_request.offset is cut short");
  c->pos = c->len;
}

const char *decode_install_class_request(const uint8_t *p, uint32_t len, struct install_class_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_install_class_request(&c);
  if (!c.why && c.pos != len) c.why = "install_class_request: bytes after its end";
  if (c.why) return c.why;
  read_install_class_request(p, p + len, out);
  return 0;
}

const uint8_t *read_install_class_request(const uint8_t *at, const uint8_t *end, struct install_class_request *v) {
  *v = (struct install_class_request){0};
  v->total = wire_get32(at);
  at += 4;
  v->offset = wire_get32(at);
  at += 4;
  v->chunk = (struct wire_bytes){at, (uint32_t)(end - at)};
  at = end;
  return at;
}

uint8_t *put_install_class_request(struct wire_out *o, const struct install_class_request *v) {
  wire_put32(o, v->total);
  wire_put32(o, v->offset);
  return wire_put_bytes(o, v->chunk.p, v->chunk.len, 1);
}

static void check_install_class_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "install_class_reply.received is cut short");
  wire_in_skip(c, 4, "install_class_reply.class is cut short");
}

const char *decode_install_class_reply(const uint8_t *p, uint32_t len, struct install_class_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_install_class_reply(&c);
  if (!c.why && c.pos != len) c.why = "install_class_reply: bytes after its end";
  if (c.why) return c.why;
  read_install_class_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_install_class_reply(const uint8_t *at, const uint8_t *end, struct install_class_reply *v) {
  *v = (struct install_class_reply){0};
  v->received = wire_get32(at);
  at += 4;
  v->class = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_install_class_reply(struct wire_out *o, const struct install_class_reply *v) {
  wire_put32(o, v->received);
  wire_put32(o, v->class);
}

static void check_read_page_request(struct wire_in *c) {
  wire_in_skip(c, 4, "read_page_request.generation is cut short");
  wire_in_skip(c, 4, "read_page_request.page is cut short");
}

const char *decode_read_page_request(const uint8_t *p, uint32_t len, struct read_page_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_read_page_request(&c);
  if (!c.why && c.pos != len) c.why = "read_page_request: bytes after its end";
  if (c.why) return c.why;
  read_read_page_request(p, p + len, out);
  return 0;
}

const uint8_t *read_read_page_request(const uint8_t *at, const uint8_t *end, struct read_page_request *v) {
  *v = (struct read_page_request){0};
  v->generation = wire_get32(at);
  at += 4;
  v->page = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_read_page_request(struct wire_out *o, const struct read_page_request *v) {
  wire_put32(o, v->generation);
  wire_put32(o, v->page);
}

static void check_read_page_reply(struct wire_in *c) {
  wire_in_skip(c, DBG_PAGE_BYTES, "read_page_reply.bytes is cut short");
}

const char *decode_read_page_reply(const uint8_t *p, uint32_t len, struct read_page_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_read_page_reply(&c);
  if (!c.why && c.pos != len) c.why = "read_page_reply: bytes after its end";
  if (c.why) return c.why;
  read_read_page_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_read_page_reply(const uint8_t *at, const uint8_t *end, struct read_page_reply *v) {
  *v = (struct read_page_reply){0};
  v->bytes = (struct wire_bytes){at, DBG_PAGE_BYTES};
  at += DBG_PAGE_BYTES;
  (void)end;
  return at;
}

uint8_t *put_read_page_reply(struct wire_out *o, const struct read_page_reply *v) {
  (void)v;
  return wire_put_bytes(o, v->bytes.p, v->bytes.len, 1);
}

static void check_run_request(struct wire_in *c) {
  wire_in_str(c, 1, "run_request.class_name is cut short or too short");
  wire_in_str(c, 0, "run_request.method is cut short");
}

const char *decode_run_request(const uint8_t *p, uint32_t len, struct run_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_run_request(&c);
  if (!c.why && c.pos != len) c.why = "run_request: bytes after its end";
  if (c.why) return c.why;
  read_run_request(p, p + len, out);
  return 0;
}

const uint8_t *read_run_request(const uint8_t *at, const uint8_t *end, struct run_request *v) {
  *v = (struct run_request){0};
  at = wire_read_str(at, &v->class_name);
  at = wire_read_str(at, &v->method);
  (void)end;
  return at;
}

void put_run_request(struct wire_out *o, const struct run_request *v) {
  wire_put_str(o, v->class_name);
  wire_put_str(o, v->method);
}

static void check_run_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "run_reply.thread is cut short");
  wire_in_skip(c, 4, "run_reply.id is cut short");
}

const char *decode_run_reply(const uint8_t *p, uint32_t len, struct run_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_run_reply(&c);
  if (!c.why && c.pos != len) c.why = "run_reply: bytes after its end";
  if (c.why) return c.why;
  read_run_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_run_reply(const uint8_t *at, const uint8_t *end, struct run_reply *v) {
  *v = (struct run_reply){0};
  v->thread = wire_get32(at);
  at += 4;
  v->id = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_run_reply(struct wire_out *o, const struct run_reply *v) {
  wire_put32(o, v->thread);
  wire_put32(o, v->id);
}

static void check_reset_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "reset_reply.discarded is cut short");
}

const char *decode_reset_reply(const uint8_t *p, uint32_t len, struct reset_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_reset_reply(&c);
  if (!c.why && c.pos != len) c.why = "reset_reply: bytes after its end";
  if (c.why) return c.why;
  read_reset_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_reset_reply(const uint8_t *at, const uint8_t *end, struct reset_reply *v) {
  *v = (struct reset_reply){0};
  v->discarded = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_reset_reply(struct wire_out *o, const struct reset_reply *v) {
  wire_put32(o, v->discarded);
}

static void check_thread_end_event(struct wire_in *c) {
  wire_in_skip(c, 4, "thread_end_event.thread is cut short");
  wire_in_skip(c, 4, "thread_end_event.id is cut short");
  wire_in_skip(c, 1, "thread_end_event.state is cut short");
}

const char *decode_thread_end_event(const uint8_t *p, uint32_t len, struct thread_end_event *out) {
  struct wire_in c = {p, len, 0, 0};
  check_thread_end_event(&c);
  if (!c.why && c.pos != len) c.why = "thread_end_event: bytes after its end";
  if (c.why) return c.why;
  read_thread_end_event(p, p + len, out);
  return 0;
}

const uint8_t *read_thread_end_event(const uint8_t *at, const uint8_t *end, struct thread_end_event *v) {
  *v = (struct thread_end_event){0};
  v->thread = wire_get32(at);
  at += 4;
  v->id = wire_get32(at);
  at += 4;
  v->state = at[0];
  at += 1;
  (void)end;
  return at;
}

void put_thread_end_event(struct wire_out *o, const struct thread_end_event *v) {
  wire_put32(o, v->thread);
  wire_put32(o, v->id);
  wire_put8(o, v->state);
}

static void check_set_breakpoint_request(struct wire_in *c) {
  wire_in_skip(c, 4, "set_breakpoint_request.method is cut short");
  wire_in_skip(c, 4, "set_breakpoint_request.pc is cut short");
  uint32_t f_flags = wire_in_u8(c, "set_breakpoint_request.flags is cut short");
  if (f_flags > DBG_BP_LOG) wire_in_fail(c, "set_breakpoint_request.flags is more than DBG_BP_LOG");
  uint32_t f_condition = wire_in_u8(c, "set_breakpoint_request.condition is cut short");
  if (f_condition > DBG_COND_GE) wire_in_fail(c, "set_breakpoint_request.condition is more than DBG_COND_GE");
  wire_in_skip(c, 1, "set_breakpoint_request.local is cut short");
  uint32_t f_reserved = wire_in_u8(c, "set_breakpoint_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "set_breakpoint_request.reserved is not 0");
  wire_in_skip(c, 4, "set_breakpoint_request.value is cut short");
  wire_in_skip(c, 4, "set_breakpoint_request.hit_count is cut short");
  wire_in_str(c, 0, "set_breakpoint_request.message is cut short");
}

const char *decode_set_breakpoint_request(const uint8_t *p, uint32_t len, struct set_breakpoint_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_set_breakpoint_request(&c);
  if (!c.why && c.pos != len) c.why = "set_breakpoint_request: bytes after its end";
  if (c.why) return c.why;
  read_set_breakpoint_request(p, p + len, out);
  return 0;
}

const uint8_t *read_set_breakpoint_request(const uint8_t *at, const uint8_t *end, struct set_breakpoint_request *v) {
  *v = (struct set_breakpoint_request){0};
  v->method = wire_get32(at);
  at += 4;
  v->pc = wire_get32(at);
  at += 4;
  v->flags = at[0];
  at += 1;
  v->condition = at[0];
  at += 1;
  v->local = at[0];
  at += 1;
  at += 1; /* reserved */
  v->value = (int32_t)wire_get32(at);
  at += 4;
  v->hit_count = wire_get32(at);
  at += 4;
  at = wire_read_str(at, &v->message);
  (void)end;
  return at;
}

void put_set_breakpoint_request(struct wire_out *o, const struct set_breakpoint_request *v) {
  wire_put32(o, v->method);
  wire_put32(o, v->pc);
  wire_put8(o, v->flags);
  wire_put8(o, v->condition);
  wire_put8(o, v->local);
  wire_put8(o, 0);
  wire_put32(o, (uint32_t)v->value);
  wire_put32(o, v->hit_count);
  wire_put_str(o, v->message);
}

static void check_breakpoint_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "breakpoint_reply.id is cut short");
}

const char *decode_breakpoint_reply(const uint8_t *p, uint32_t len, struct breakpoint_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_breakpoint_reply(&c);
  if (!c.why && c.pos != len) c.why = "breakpoint_reply: bytes after its end";
  if (c.why) return c.why;
  read_breakpoint_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_breakpoint_reply(const uint8_t *at, const uint8_t *end, struct breakpoint_reply *v) {
  *v = (struct breakpoint_reply){0};
  v->id = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_breakpoint_reply(struct wire_out *o, const struct breakpoint_reply *v) {
  wire_put32(o, v->id);
}

static void check_breakpoint_request(struct wire_in *c) {
  wire_in_skip(c, 4, "breakpoint_request.id is cut short");
}

const char *decode_breakpoint_request(const uint8_t *p, uint32_t len, struct breakpoint_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_breakpoint_request(&c);
  if (!c.why && c.pos != len) c.why = "breakpoint_request: bytes after its end";
  if (c.why) return c.why;
  read_breakpoint_request(p, p + len, out);
  return 0;
}

const uint8_t *read_breakpoint_request(const uint8_t *at, const uint8_t *end, struct breakpoint_request *v) {
  *v = (struct breakpoint_request){0};
  v->id = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_breakpoint_request(struct wire_out *o, const struct breakpoint_request *v) {
  wire_put32(o, v->id);
}

static void check_breakpoints_reply(struct wire_in *c) {
  uint32_t f_count = wire_in_u16(c, "breakpoints_reply.count is cut short");
  if (f_count > DBG_MAX_BREAKPOINTS) wire_in_fail(c, "breakpoints_reply.count is more than DBG_MAX_BREAKPOINTS");
  uint32_t f_reserved = wire_in_u16(c, "breakpoints_reply.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "breakpoints_reply.reserved is not 0");
  for (uint32_t i = 0; i < f_count && !c->why; i++) check_breakpoint_entry(c);
}

const char *decode_breakpoints_reply(const uint8_t *p, uint32_t len, struct breakpoints_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_breakpoints_reply(&c);
  if (!c.why && c.pos != len) c.why = "breakpoints_reply: bytes after its end";
  if (c.why) return c.why;
  read_breakpoints_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_breakpoints_reply(const uint8_t *at, const uint8_t *end, struct breakpoints_reply *v) {
  *v = (struct breakpoints_reply){0};
  uint32_t n_count = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  v->breakpoints = (struct wire_list){at, n_count};
  for (uint32_t i = 0; i < n_count; i++) {
    struct breakpoint_entry e;
    at = read_breakpoint_entry(at, end, &e);
  }
  (void)end;
  return at;
}

void put_breakpoints_reply(struct wire_out *o, const struct breakpoints_reply *v) {
  wire_put16(o, (uint16_t)v->breakpoints.count);
  wire_put16(o, 0);
  /* then v->breakpoints.count elements, written by the caller */
}

static void check_breakpoint_entry(struct wire_in *c) {
  wire_in_skip(c, 4, "breakpoint_entry.id is cut short");
  wire_in_skip(c, 4, "breakpoint_entry.method is cut short");
  wire_in_skip(c, 4, "breakpoint_entry.pc is cut short");
  uint32_t f_flags = wire_in_u8(c, "breakpoint_entry.flags is cut short");
  if (f_flags > DBG_BP_LOG) wire_in_fail(c, "breakpoint_entry.flags is more than DBG_BP_LOG");
  uint32_t f_condition = wire_in_u8(c, "breakpoint_entry.condition is cut short");
  if (f_condition > DBG_COND_GE) wire_in_fail(c, "breakpoint_entry.condition is more than DBG_COND_GE");
  wire_in_skip(c, 1, "breakpoint_entry.local is cut short");
  uint32_t f_reserved = wire_in_u8(c, "breakpoint_entry.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "breakpoint_entry.reserved is not 0");
  wire_in_skip(c, 4, "breakpoint_entry.value is cut short");
  wire_in_skip(c, 4, "breakpoint_entry.hit_count is cut short");
  wire_in_skip(c, 4, "breakpoint_entry.hits is cut short");
  wire_in_str(c, 0, "breakpoint_entry.message is cut short");
}

const char *decode_breakpoint_entry(const uint8_t *p, uint32_t len, struct breakpoint_entry *out) {
  struct wire_in c = {p, len, 0, 0};
  check_breakpoint_entry(&c);
  if (!c.why && c.pos != len) c.why = "breakpoint_entry: bytes after its end";
  if (c.why) return c.why;
  read_breakpoint_entry(p, p + len, out);
  return 0;
}

const uint8_t *read_breakpoint_entry(const uint8_t *at, const uint8_t *end, struct breakpoint_entry *v) {
  *v = (struct breakpoint_entry){0};
  v->id = wire_get32(at);
  at += 4;
  v->method = wire_get32(at);
  at += 4;
  v->pc = wire_get32(at);
  at += 4;
  v->flags = at[0];
  at += 1;
  v->condition = at[0];
  at += 1;
  v->local = at[0];
  at += 1;
  at += 1; /* reserved */
  v->value = (int32_t)wire_get32(at);
  at += 4;
  v->hit_count = wire_get32(at);
  at += 4;
  v->hits = wire_get32(at);
  at += 4;
  at = wire_read_str(at, &v->message);
  (void)end;
  return at;
}

void put_breakpoint_entry(struct wire_out *o, const struct breakpoint_entry *v) {
  wire_put32(o, v->id);
  wire_put32(o, v->method);
  wire_put32(o, v->pc);
  wire_put8(o, v->flags);
  wire_put8(o, v->condition);
  wire_put8(o, v->local);
  wire_put8(o, 0);
  wire_put32(o, (uint32_t)v->value);
  wire_put32(o, v->hit_count);
  wire_put32(o, v->hits);
  wire_put_str(o, v->message);
}

static void check_thread_request(struct wire_in *c) {
  wire_in_skip(c, 4, "thread_request.thread is cut short");
}

const char *decode_thread_request(const uint8_t *p, uint32_t len, struct thread_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_thread_request(&c);
  if (!c.why && c.pos != len) c.why = "thread_request: bytes after its end";
  if (c.why) return c.why;
  read_thread_request(p, p + len, out);
  return 0;
}

const uint8_t *read_thread_request(const uint8_t *at, const uint8_t *end, struct thread_request *v) {
  *v = (struct thread_request){0};
  v->thread = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_thread_request(struct wire_out *o, const struct thread_request *v) {
  wire_put32(o, v->thread);
}

static void check_step_request(struct wire_in *c) {
  wire_in_skip(c, 4, "step_request.thread is cut short");
  uint32_t f_kind = wire_in_u8(c, "step_request.kind is cut short");
  if (f_kind > DBG_STEP_OUT) wire_in_fail(c, "step_request.kind is more than DBG_STEP_OUT");
  uint32_t f_reserved = wire_in_u8(c, "step_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "step_request.reserved is not 0");
  uint32_t f_reserved2 = wire_in_u16(c, "step_request.reserved2 is cut short");
  if (f_reserved2 != 0) wire_in_fail(c, "step_request.reserved2 is not 0");
}

const char *decode_step_request(const uint8_t *p, uint32_t len, struct step_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_step_request(&c);
  if (!c.why && c.pos != len) c.why = "step_request: bytes after its end";
  if (c.why) return c.why;
  read_step_request(p, p + len, out);
  return 0;
}

const uint8_t *read_step_request(const uint8_t *at, const uint8_t *end, struct step_request *v) {
  *v = (struct step_request){0};
  v->thread = wire_get32(at);
  at += 4;
  v->kind = at[0];
  at += 1;
  at += 1; /* reserved */
  at += 2; /* reserved2 */
  (void)end;
  return at;
}

void put_step_request(struct wire_out *o, const struct step_request *v) {
  wire_put32(o, v->thread);
  wire_put8(o, v->kind);
  wire_put8(o, 0);
  wire_put16(o, 0);
}

static void check_frame_request(struct wire_in *c) {
  wire_in_skip(c, 4, "frame_request.thread is cut short");
  uint32_t f_depth = wire_in_u16(c, "frame_request.depth is cut short");
  if (f_depth > DBG_MAX_FRAMES) wire_in_fail(c, "frame_request.depth is more than DBG_MAX_FRAMES");
  uint32_t f_reserved = wire_in_u16(c, "frame_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "frame_request.reserved is not 0");
}

const char *decode_frame_request(const uint8_t *p, uint32_t len, struct frame_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_frame_request(&c);
  if (!c.why && c.pos != len) c.why = "frame_request: bytes after its end";
  if (c.why) return c.why;
  read_frame_request(p, p + len, out);
  return 0;
}

const uint8_t *read_frame_request(const uint8_t *at, const uint8_t *end, struct frame_request *v) {
  *v = (struct frame_request){0};
  v->thread = wire_get32(at);
  at += 4;
  v->depth = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  (void)end;
  return at;
}

void put_frame_request(struct wire_out *o, const struct frame_request *v) {
  wire_put32(o, v->thread);
  wire_put16(o, v->depth);
  wire_put16(o, 0);
}

static void check_frame_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "frame_reply.frame is cut short");
  wire_in_skip(c, 4, "frame_reply.method is cut short");
  wire_in_skip(c, 4, "frame_reply.pc is cut short");
  wire_in_skip(c, 4, "frame_reply.line is cut short");
  wire_in_skip(c, 1, "frame_reply.argc is cut short");
  wire_in_skip(c, 1, "frame_reply.method_flags is cut short");
  wire_in_skip(c, 2, "frame_reply.local_count is cut short");
  uint32_t f_count = wire_in_u16(c, "frame_reply.count is cut short");
  wire_in_skip(c, (uint64_t)f_count * VALUE_ENTRY_FIXED_BYTES, "frame_reply.values is cut short");
}

const char *decode_frame_reply(const uint8_t *p, uint32_t len, struct frame_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_frame_reply(&c);
  if (!c.why && c.pos != len) c.why = "frame_reply: bytes after its end";
  if (c.why) return c.why;
  read_frame_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_frame_reply(const uint8_t *at, const uint8_t *end, struct frame_reply *v) {
  *v = (struct frame_reply){0};
  v->frame = wire_get32(at);
  at += 4;
  v->method = wire_get32(at);
  at += 4;
  v->pc = wire_get32(at);
  at += 4;
  v->line = (int32_t)wire_get32(at);
  at += 4;
  v->argc = at[0];
  at += 1;
  v->method_flags = at[0];
  at += 1;
  v->local_count = wire_get16(at);
  at += 2;
  uint32_t n_count = wire_get16(at);
  at += 2;
  v->values = (struct wire_list){at, n_count};
  at += (size_t)n_count * VALUE_ENTRY_FIXED_BYTES;
  (void)end;
  return at;
}

void put_frame_reply(struct wire_out *o, const struct frame_reply *v) {
  wire_put32(o, v->frame);
  wire_put32(o, v->method);
  wire_put32(o, v->pc);
  wire_put32(o, (uint32_t)v->line);
  wire_put8(o, v->argc);
  wire_put8(o, v->method_flags);
  wire_put16(o, v->local_count);
  wire_put16(o, (uint16_t)v->values.count);
  /* then v->values.count elements, written by the caller */
}

static void check_value_entry(struct wire_in *c) {
  uint32_t f_kind = wire_in_u8(c, "value_entry.kind is cut short");
  if (f_kind > DBG_VALUE_REF) wire_in_fail(c, "value_entry.kind is more than DBG_VALUE_REF");
  uint32_t f_reserved = wire_in_u8(c, "value_entry.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "value_entry.reserved is not 0");
  uint32_t f_reserved2 = wire_in_u16(c, "value_entry.reserved2 is cut short");
  if (f_reserved2 != 0) wire_in_fail(c, "value_entry.reserved2 is not 0");
  wire_in_skip(c, 4, "value_entry.bits is cut short");
}

const char *decode_value_entry(const uint8_t *p, uint32_t len, struct value_entry *out) {
  struct wire_in c = {p, len, 0, 0};
  check_value_entry(&c);
  if (!c.why && c.pos != len) c.why = "value_entry: bytes after its end";
  if (c.why) return c.why;
  read_value_entry(p, p + len, out);
  return 0;
}

const uint8_t *read_value_entry(const uint8_t *at, const uint8_t *end, struct value_entry *v) {
  *v = (struct value_entry){0};
  v->kind = at[0];
  at += 1;
  at += 1; /* reserved */
  at += 2; /* reserved2 */
  v->bits = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_value_entry(struct wire_out *o, const struct value_entry *v) {
  wire_put8(o, v->kind);
  wire_put8(o, 0);
  wire_put16(o, 0);
  wire_put32(o, v->bits);
}

static void check_exception_stops_request(struct wire_in *c) {
  uint32_t f_mode = wire_in_u8(c, "exception_stops_request.mode is cut short");
  if (f_mode > DBG_EXCEPTIONS_ALL) wire_in_fail(c, "exception_stops_request.mode is more than DBG_EXCEPTIONS_ALL");
}

const char *decode_exception_stops_request(const uint8_t *p, uint32_t len, struct exception_stops_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_exception_stops_request(&c);
  if (!c.why && c.pos != len) c.why = "exception_stops_request: bytes after its end";
  if (c.why) return c.why;
  read_exception_stops_request(p, p + len, out);
  return 0;
}

const uint8_t *read_exception_stops_request(const uint8_t *at, const uint8_t *end, struct exception_stops_request *v) {
  *v = (struct exception_stops_request){0};
  v->mode = at[0];
  at += 1;
  (void)end;
  return at;
}

void put_exception_stops_request(struct wire_out *o, const struct exception_stops_request *v) {
  wire_put8(o, v->mode);
}

static void check_stopped_reply(struct wire_in *c) {
  uint32_t f_exceptions = wire_in_u8(c, "stopped_reply.exceptions is cut short");
  if (f_exceptions > DBG_EXCEPTIONS_ALL) wire_in_fail(c, "stopped_reply.exceptions is more than DBG_EXCEPTIONS_ALL");
  uint32_t f_reserved = wire_in_u8(c, "stopped_reply.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "stopped_reply.reserved is not 0");
  uint32_t f_count = wire_in_u16(c, "stopped_reply.count is cut short");
  if (f_count > DBG_MAX_DEBUGGED) wire_in_fail(c, "stopped_reply.count is more than DBG_MAX_DEBUGGED");
  wire_in_skip(c, (uint64_t)f_count * STOPPED_EVENT_FIXED_BYTES, "stopped_reply.threads is cut short");
}

const char *decode_stopped_reply(const uint8_t *p, uint32_t len, struct stopped_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_stopped_reply(&c);
  if (!c.why && c.pos != len) c.why = "stopped_reply: bytes after its end";
  if (c.why) return c.why;
  read_stopped_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_stopped_reply(const uint8_t *at, const uint8_t *end, struct stopped_reply *v) {
  *v = (struct stopped_reply){0};
  v->exceptions = at[0];
  at += 1;
  at += 1; /* reserved */
  uint32_t n_count = wire_get16(at);
  at += 2;
  v->threads = (struct wire_list){at, n_count};
  at += (size_t)n_count * STOPPED_EVENT_FIXED_BYTES;
  (void)end;
  return at;
}

void put_stopped_reply(struct wire_out *o, const struct stopped_reply *v) {
  wire_put8(o, v->exceptions);
  wire_put8(o, 0);
  wire_put16(o, (uint16_t)v->threads.count);
  /* then v->threads.count elements, written by the caller */
}

static void check_stopped_event(struct wire_in *c) {
  wire_in_skip(c, 4, "stopped_event.thread is cut short");
  wire_in_skip(c, 4, "stopped_event.id is cut short");
  uint32_t f_reason = wire_in_u8(c, "stopped_event.reason is cut short");
  if (f_reason > DBG_STOP_EXCEPTION) wire_in_fail(c, "stopped_event.reason is more than DBG_STOP_EXCEPTION");
  uint32_t f_reserved = wire_in_u8(c, "stopped_event.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "stopped_event.reserved is not 0");
  uint32_t f_reserved2 = wire_in_u16(c, "stopped_event.reserved2 is cut short");
  if (f_reserved2 != 0) wire_in_fail(c, "stopped_event.reserved2 is not 0");
  wire_in_skip(c, 4, "stopped_event.breakpoint is cut short");
  wire_in_skip(c, 4, "stopped_event.method is cut short");
  wire_in_skip(c, 4, "stopped_event.pc is cut short");
  wire_in_skip(c, 4, "stopped_event.line is cut short");
  wire_in_skip(c, 4, "stopped_event.exception is cut short");
}

const char *decode_stopped_event(const uint8_t *p, uint32_t len, struct stopped_event *out) {
  struct wire_in c = {p, len, 0, 0};
  check_stopped_event(&c);
  if (!c.why && c.pos != len) c.why = "stopped_event: bytes after its end";
  if (c.why) return c.why;
  read_stopped_event(p, p + len, out);
  return 0;
}

const uint8_t *read_stopped_event(const uint8_t *at, const uint8_t *end, struct stopped_event *v) {
  *v = (struct stopped_event){0};
  v->thread = wire_get32(at);
  at += 4;
  v->id = wire_get32(at);
  at += 4;
  v->reason = at[0];
  at += 1;
  at += 1; /* reserved */
  at += 2; /* reserved2 */
  v->breakpoint = wire_get32(at);
  at += 4;
  v->method = wire_get32(at);
  at += 4;
  v->pc = wire_get32(at);
  at += 4;
  v->line = (int32_t)wire_get32(at);
  at += 4;
  v->exception = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_stopped_event(struct wire_out *o, const struct stopped_event *v) {
  wire_put32(o, v->thread);
  wire_put32(o, v->id);
  wire_put8(o, v->reason);
  wire_put8(o, 0);
  wire_put16(o, 0);
  wire_put32(o, v->breakpoint);
  wire_put32(o, v->method);
  wire_put32(o, v->pc);
  wire_put32(o, (uint32_t)v->line);
  wire_put32(o, v->exception);
}

static void check_set_local_request(struct wire_in *c) {
  wire_in_skip(c, 4, "set_local_request.thread is cut short");
  uint32_t f_depth = wire_in_u16(c, "set_local_request.depth is cut short");
  if (f_depth > DBG_MAX_FRAMES) wire_in_fail(c, "set_local_request.depth is more than DBG_MAX_FRAMES");
  wire_in_skip(c, 2, "set_local_request.slot is cut short");
  uint32_t f_kind = wire_in_u8(c, "set_local_request.kind is cut short");
  if (f_kind > DBG_VALUE_REF) wire_in_fail(c, "set_local_request.kind is more than DBG_VALUE_REF");
  uint32_t f_reserved = wire_in_u8(c, "set_local_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "set_local_request.reserved is not 0");
  uint32_t f_reserved2 = wire_in_u16(c, "set_local_request.reserved2 is cut short");
  if (f_reserved2 != 0) wire_in_fail(c, "set_local_request.reserved2 is not 0");
  wire_in_skip(c, 4, "set_local_request.bits is cut short");
}

const char *decode_set_local_request(const uint8_t *p, uint32_t len, struct set_local_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_set_local_request(&c);
  if (!c.why && c.pos != len) c.why = "set_local_request: bytes after its end";
  if (c.why) return c.why;
  read_set_local_request(p, p + len, out);
  return 0;
}

const uint8_t *read_set_local_request(const uint8_t *at, const uint8_t *end, struct set_local_request *v) {
  *v = (struct set_local_request){0};
  v->thread = wire_get32(at);
  at += 4;
  v->depth = wire_get16(at);
  at += 2;
  v->slot = wire_get16(at);
  at += 2;
  v->kind = at[0];
  at += 1;
  at += 1; /* reserved */
  at += 2; /* reserved2 */
  v->bits = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_set_local_request(struct wire_out *o, const struct set_local_request *v) {
  wire_put32(o, v->thread);
  wire_put16(o, v->depth);
  wire_put16(o, v->slot);
  wire_put8(o, v->kind);
  wire_put8(o, 0);
  wire_put16(o, 0);
  wire_put32(o, v->bits);
}

static void check_set_field_request(struct wire_in *c) {
  wire_in_skip(c, 4, "set_field_request.object is cut short");
  wire_in_skip(c, 4, "set_field_request.slot is cut short");
  uint32_t f_kind = wire_in_u8(c, "set_field_request.kind is cut short");
  if (f_kind > DBG_VALUE_REF) wire_in_fail(c, "set_field_request.kind is more than DBG_VALUE_REF");
  uint32_t f_reserved = wire_in_u8(c, "set_field_request.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "set_field_request.reserved is not 0");
  uint32_t f_reserved2 = wire_in_u16(c, "set_field_request.reserved2 is cut short");
  if (f_reserved2 != 0) wire_in_fail(c, "set_field_request.reserved2 is not 0");
  wire_in_skip(c, 4, "set_field_request.bits is cut short");
}

const char *decode_set_field_request(const uint8_t *p, uint32_t len, struct set_field_request *out) {
  struct wire_in c = {p, len, 0, 0};
  check_set_field_request(&c);
  if (!c.why && c.pos != len) c.why = "set_field_request: bytes after its end";
  if (c.why) return c.why;
  read_set_field_request(p, p + len, out);
  return 0;
}

const uint8_t *read_set_field_request(const uint8_t *at, const uint8_t *end, struct set_field_request *v) {
  *v = (struct set_field_request){0};
  v->object = wire_get32(at);
  at += 4;
  v->slot = wire_get32(at);
  at += 4;
  v->kind = at[0];
  at += 1;
  at += 1; /* reserved */
  at += 2; /* reserved2 */
  v->bits = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_set_field_request(struct wire_out *o, const struct set_field_request *v) {
  wire_put32(o, v->object);
  wire_put32(o, v->slot);
  wire_put8(o, v->kind);
  wire_put8(o, 0);
  wire_put16(o, 0);
  wire_put32(o, v->bits);
}

static void check_continued_event(struct wire_in *c) {
  wire_in_skip(c, 4, "continued_event.thread is cut short");
  wire_in_skip(c, 4, "continued_event.id is cut short");
}

const char *decode_continued_event(const uint8_t *p, uint32_t len, struct continued_event *out) {
  struct wire_in c = {p, len, 0, 0};
  check_continued_event(&c);
  if (!c.why && c.pos != len) c.why = "continued_event: bytes after its end";
  if (c.why) return c.why;
  read_continued_event(p, p + len, out);
  return 0;
}

const uint8_t *read_continued_event(const uint8_t *at, const uint8_t *end, struct continued_event *v) {
  *v = (struct continued_event){0};
  v->thread = wire_get32(at);
  at += 4;
  v->id = wire_get32(at);
  at += 4;
  (void)end;
  return at;
}

void put_continued_event(struct wire_out *o, const struct continued_event *v) {
  wire_put32(o, v->thread);
  wire_put32(o, v->id);
}

static void check_dirty_pages_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "dirty_pages_reply.generation is cut short");
  wire_in_skip(c, 4, "dirty_pages_reply.dirty is cut short");
  uint32_t f_bytes = wire_in_u32(c, "dirty_pages_reply.bytes is cut short");
  if (f_bytes > DBG_MAX_DIRTY_BITMAP) wire_in_fail(c, "dirty_pages_reply.bytes is more than DBG_MAX_DIRTY_BITMAP");
  wire_in_skip(c, f_bytes, "dirty_pages_reply.bitmap is cut short");
  wire_in_pad(c, f_bytes, 4, "dirty_pages_reply.bitmap is cut short");
}

const char *decode_dirty_pages_reply(const uint8_t *p, uint32_t len, struct dirty_pages_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_dirty_pages_reply(&c);
  if (!c.why && c.pos != len) c.why = "dirty_pages_reply: bytes after its end";
  if (c.why) return c.why;
  read_dirty_pages_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_dirty_pages_reply(const uint8_t *at, const uint8_t *end, struct dirty_pages_reply *v) {
  *v = (struct dirty_pages_reply){0};
  v->generation = wire_get32(at);
  at += 4;
  v->dirty = wire_get32(at);
  at += 4;
  uint32_t n_bytes = wire_get32(at);
  at += 4;
  v->bitmap = (struct wire_bytes){at, n_bytes};
  at += (n_bytes + 3u) / 4u * 4u;
  (void)end;
  return at;
}

uint8_t *put_dirty_pages_reply(struct wire_out *o, const struct dirty_pages_reply *v) {
  wire_put32(o, v->generation);
  wire_put32(o, v->dirty);
  wire_put32(o, (uint32_t)v->bitmap.len);
  return wire_put_bytes(o, v->bitmap.p, v->bitmap.len, 4);
}

static void check_now_pages_reply(struct wire_in *c) {
  wire_in_skip(c, 4, "now_pages_reply.generation is cut short");
  wire_in_skip(c, 4, "now_pages_reply.dirty is cut short");
  wire_in_skip(c, 4, "now_pages_reply.build_us is cut short");
  uint32_t f_count = wire_in_u16(c, "now_pages_reply.count is cut short");
  if (f_count > DBG_MAX_NOW_PAGES) wire_in_fail(c, "now_pages_reply.count is more than DBG_MAX_NOW_PAGES");
  uint32_t f_reserved = wire_in_u16(c, "now_pages_reply.reserved is cut short");
  if (f_reserved != 0) wire_in_fail(c, "now_pages_reply.reserved is not 0");
  wire_in_skip(c, (uint64_t)f_count * NOW_PAGE_FIXED_BYTES, "now_pages_reply.pages is cut short");
}

const char *decode_now_pages_reply(const uint8_t *p, uint32_t len, struct now_pages_reply *out) {
  struct wire_in c = {p, len, 0, 0};
  check_now_pages_reply(&c);
  if (!c.why && c.pos != len) c.why = "now_pages_reply: bytes after its end";
  if (c.why) return c.why;
  read_now_pages_reply(p, p + len, out);
  return 0;
}

const uint8_t *read_now_pages_reply(const uint8_t *at, const uint8_t *end, struct now_pages_reply *v) {
  *v = (struct now_pages_reply){0};
  v->generation = wire_get32(at);
  at += 4;
  v->dirty = wire_get32(at);
  at += 4;
  v->build_us = wire_get32(at);
  at += 4;
  uint32_t n_count = wire_get16(at);
  at += 2;
  at += 2; /* reserved */
  v->pages = (struct wire_list){at, n_count};
  at += (size_t)n_count * NOW_PAGE_FIXED_BYTES;
  (void)end;
  return at;
}

void put_now_pages_reply(struct wire_out *o, const struct now_pages_reply *v) {
  wire_put32(o, v->generation);
  wire_put32(o, v->dirty);
  wire_put32(o, v->build_us);
  wire_put16(o, (uint16_t)v->pages.count);
  wire_put16(o, 0);
  /* then v->pages.count elements, written by the caller */
}

static void check_now_page(struct wire_in *c) {
  wire_in_skip(c, 4, "now_page.page is cut short");
  wire_in_skip(c, DBG_PAGE_BYTES, "now_page.bytes is cut short");
}

const char *decode_now_page(const uint8_t *p, uint32_t len, struct now_page *out) {
  struct wire_in c = {p, len, 0, 0};
  check_now_page(&c);
  if (!c.why && c.pos != len) c.why = "now_page: bytes after its end";
  if (c.why) return c.why;
  read_now_page(p, p + len, out);
  return 0;
}

const uint8_t *read_now_page(const uint8_t *at, const uint8_t *end, struct now_page *v) {
  *v = (struct now_page){0};
  v->page = wire_get32(at);
  at += 4;
  v->bytes = (struct wire_bytes){at, DBG_PAGE_BYTES};
  at += DBG_PAGE_BYTES;
  (void)end;
  return at;
}

uint8_t *put_now_page(struct wire_out *o, const struct now_page *v) {
  wire_put32(o, v->page);
  return wire_put_bytes(o, v->bytes.p, v->bytes.len, 1);
}

static void check_logpoint_event(struct wire_in *c) {
  wire_in_skip(c, 4, "logpoint_event.breakpoint is cut short");
  wire_in_skip(c, 4, "logpoint_event.thread is cut short");
  wire_in_skip(c, 4, "logpoint_event.id is cut short");
  wire_in_skip(c, 4, "logpoint_event.hits is cut short");
  wire_in_str(c, 0, "logpoint_event.message is cut short");
}

const char *decode_logpoint_event(const uint8_t *p, uint32_t len, struct logpoint_event *out) {
  struct wire_in c = {p, len, 0, 0};
  check_logpoint_event(&c);
  if (!c.why && c.pos != len) c.why = "logpoint_event: bytes after its end";
  if (c.why) return c.why;
  read_logpoint_event(p, p + len, out);
  return 0;
}

const uint8_t *read_logpoint_event(const uint8_t *at, const uint8_t *end, struct logpoint_event *v) {
  *v = (struct logpoint_event){0};
  v->breakpoint = wire_get32(at);
  at += 4;
  v->thread = wire_get32(at);
  at += 4;
  v->id = wire_get32(at);
  at += 4;
  v->hits = wire_get32(at);
  at += 4;
  at = wire_read_str(at, &v->message);
  (void)end;
  return at;
}

void put_logpoint_event(struct wire_out *o, const struct logpoint_event *v) {
  wire_put32(o, v->breakpoint);
  wire_put32(o, v->thread);
  wire_put32(o, v->id);
  wire_put32(o, v->hits);
  wire_put_str(o, v->message);
}

static const char *check_any_error_reply(const uint8_t *p, uint32_t len) {
  struct error_reply v;
  return decode_error_reply(p, len, &v);
}
static const char *check_any_hello_request(const uint8_t *p, uint32_t len) {
  struct hello_request v;
  return decode_hello_request(p, len, &v);
}
static const char *check_any_hello_reply(const uint8_t *p, uint32_t len) {
  struct hello_reply v;
  return decode_hello_reply(p, len, &v);
}
static const char *check_any_stats_reply(const uint8_t *p, uint32_t len) {
  struct stats_reply v;
  return decode_stats_reply(p, len, &v);
}
static const char *check_any_roots_reply(const uint8_t *p, uint32_t len) {
  struct roots_reply v;
  return decode_roots_reply(p, len, &v);
}
static const char *check_any_threads_reply(const uint8_t *p, uint32_t len) {
  struct threads_reply v;
  return decode_threads_reply(p, len, &v);
}
static const char *check_any_thread_entry(const uint8_t *p, uint32_t len) {
  struct thread_entry v;
  return decode_thread_entry(p, len, &v);
}
static const char *check_any_frame_entry(const uint8_t *p, uint32_t len) {
  struct frame_entry v;
  return decode_frame_entry(p, len, &v);
}
static const char *check_any_read_objects_request(const uint8_t *p, uint32_t len) {
  struct read_objects_request v;
  return decode_read_objects_request(p, len, &v);
}
static const char *check_any_read_objects_at_request(const uint8_t *p, uint32_t len) {
  struct read_objects_at_request v;
  return decode_read_objects_at_request(p, len, &v);
}
static const char *check_any_objects_reply(const uint8_t *p, uint32_t len) {
  struct objects_reply v;
  return decode_objects_reply(p, len, &v);
}
static const char *check_any_object_entry(const uint8_t *p, uint32_t len) {
  struct object_entry v;
  return decode_object_entry(p, len, &v);
}
static const char *check_any_enumerate_request(const uint8_t *p, uint32_t len) {
  struct enumerate_request v;
  return decode_enumerate_request(p, len, &v);
}
static const char *check_any_enumerate_reply(const uint8_t *p, uint32_t len) {
  struct enumerate_reply v;
  return decode_enumerate_reply(p, len, &v);
}
static const char *check_any_classes_reply(const uint8_t *p, uint32_t len) {
  struct classes_reply v;
  return decode_classes_reply(p, len, &v);
}
static const char *check_any_generations_reply(const uint8_t *p, uint32_t len) {
  struct generations_reply v;
  return decode_generations_reply(p, len, &v);
}
static const char *check_any_generation(const uint8_t *p, uint32_t len) {
  struct generation v;
  return decode_generation(p, len, &v);
}
static const char *check_any_snapshot_reply(const uint8_t *p, uint32_t len) {
  struct snapshot_reply v;
  return decode_snapshot_reply(p, len, &v);
}
static const char *check_any_rollback_request(const uint8_t *p, uint32_t len) {
  struct rollback_request v;
  return decode_rollback_request(p, len, &v);
}
static const char *check_any_rollback_reply(const uint8_t *p, uint32_t len) {
  struct rollback_reply v;
  return decode_rollback_reply(p, len, &v);
}
static const char *check_any_stage_page_request(const uint8_t *p, uint32_t len) {
  struct stage_page_request v;
  return decode_stage_page_request(p, len, &v);
}
static const char *check_any_stage_page_reply(const uint8_t *p, uint32_t len) {
  struct stage_page_reply v;
  return decode_stage_page_reply(p, len, &v);
}
static const char *check_any_branch_request(const uint8_t *p, uint32_t len) {
  struct branch_request v;
  return decode_branch_request(p, len, &v);
}
static const char *check_any_branch_reply(const uint8_t *p, uint32_t len) {
  struct branch_reply v;
  return decode_branch_reply(p, len, &v);
}
static const char *check_any_flags_reply(const uint8_t *p, uint32_t len) {
  struct flags_reply v;
  return decode_flags_reply(p, len, &v);
}
static const char *check_any_install_class_request(const uint8_t *p, uint32_t len) {
  struct install_class_request v;
  return decode_install_class_request(p, len, &v);
}
static const char *check_any_install_class_reply(const uint8_t *p, uint32_t len) {
  struct install_class_reply v;
  return decode_install_class_reply(p, len, &v);
}
static const char *check_any_read_page_request(const uint8_t *p, uint32_t len) {
  struct read_page_request v;
  return decode_read_page_request(p, len, &v);
}
static const char *check_any_read_page_reply(const uint8_t *p, uint32_t len) {
  struct read_page_reply v;
  return decode_read_page_reply(p, len, &v);
}
static const char *check_any_run_request(const uint8_t *p, uint32_t len) {
  struct run_request v;
  return decode_run_request(p, len, &v);
}
static const char *check_any_run_reply(const uint8_t *p, uint32_t len) {
  struct run_reply v;
  return decode_run_reply(p, len, &v);
}
static const char *check_any_reset_reply(const uint8_t *p, uint32_t len) {
  struct reset_reply v;
  return decode_reset_reply(p, len, &v);
}
static const char *check_any_thread_end_event(const uint8_t *p, uint32_t len) {
  struct thread_end_event v;
  return decode_thread_end_event(p, len, &v);
}
static const char *check_any_set_breakpoint_request(const uint8_t *p, uint32_t len) {
  struct set_breakpoint_request v;
  return decode_set_breakpoint_request(p, len, &v);
}
static const char *check_any_breakpoint_reply(const uint8_t *p, uint32_t len) {
  struct breakpoint_reply v;
  return decode_breakpoint_reply(p, len, &v);
}
static const char *check_any_breakpoint_request(const uint8_t *p, uint32_t len) {
  struct breakpoint_request v;
  return decode_breakpoint_request(p, len, &v);
}
static const char *check_any_breakpoints_reply(const uint8_t *p, uint32_t len) {
  struct breakpoints_reply v;
  return decode_breakpoints_reply(p, len, &v);
}
static const char *check_any_breakpoint_entry(const uint8_t *p, uint32_t len) {
  struct breakpoint_entry v;
  return decode_breakpoint_entry(p, len, &v);
}
static const char *check_any_thread_request(const uint8_t *p, uint32_t len) {
  struct thread_request v;
  return decode_thread_request(p, len, &v);
}
static const char *check_any_step_request(const uint8_t *p, uint32_t len) {
  struct step_request v;
  return decode_step_request(p, len, &v);
}
static const char *check_any_frame_request(const uint8_t *p, uint32_t len) {
  struct frame_request v;
  return decode_frame_request(p, len, &v);
}
static const char *check_any_frame_reply(const uint8_t *p, uint32_t len) {
  struct frame_reply v;
  return decode_frame_reply(p, len, &v);
}
static const char *check_any_value_entry(const uint8_t *p, uint32_t len) {
  struct value_entry v;
  return decode_value_entry(p, len, &v);
}
static const char *check_any_exception_stops_request(const uint8_t *p, uint32_t len) {
  struct exception_stops_request v;
  return decode_exception_stops_request(p, len, &v);
}
static const char *check_any_stopped_reply(const uint8_t *p, uint32_t len) {
  struct stopped_reply v;
  return decode_stopped_reply(p, len, &v);
}
static const char *check_any_stopped_event(const uint8_t *p, uint32_t len) {
  struct stopped_event v;
  return decode_stopped_event(p, len, &v);
}
static const char *check_any_set_local_request(const uint8_t *p, uint32_t len) {
  struct set_local_request v;
  return decode_set_local_request(p, len, &v);
}
static const char *check_any_set_field_request(const uint8_t *p, uint32_t len) {
  struct set_field_request v;
  return decode_set_field_request(p, len, &v);
}
static const char *check_any_continued_event(const uint8_t *p, uint32_t len) {
  struct continued_event v;
  return decode_continued_event(p, len, &v);
}
static const char *check_any_dirty_pages_reply(const uint8_t *p, uint32_t len) {
  struct dirty_pages_reply v;
  return decode_dirty_pages_reply(p, len, &v);
}
static const char *check_any_now_pages_reply(const uint8_t *p, uint32_t len) {
  struct now_pages_reply v;
  return decode_now_pages_reply(p, len, &v);
}
static const char *check_any_now_page(const uint8_t *p, uint32_t len) {
  struct now_page v;
  return decode_now_page(p, len, &v);
}
static const char *check_any_logpoint_event(const uint8_t *p, uint32_t len) {
  struct logpoint_event v;
  return decode_logpoint_event(p, len, &v);
}
const struct wire_record debug_wire_records[53] = {
  {"error_reply", check_any_error_reply},
  {"hello_request", check_any_hello_request},
  {"hello_reply", check_any_hello_reply},
  {"stats_reply", check_any_stats_reply},
  {"roots_reply", check_any_roots_reply},
  {"threads_reply", check_any_threads_reply},
  {"thread_entry", check_any_thread_entry},
  {"frame_entry", check_any_frame_entry},
  {"read_objects_request", check_any_read_objects_request},
  {"read_objects_at_request", check_any_read_objects_at_request},
  {"objects_reply", check_any_objects_reply},
  {"object_entry", check_any_object_entry},
  {"enumerate_request", check_any_enumerate_request},
  {"enumerate_reply", check_any_enumerate_reply},
  {"classes_reply", check_any_classes_reply},
  {"generations_reply", check_any_generations_reply},
  {"generation", check_any_generation},
  {"snapshot_reply", check_any_snapshot_reply},
  {"rollback_request", check_any_rollback_request},
  {"rollback_reply", check_any_rollback_reply},
  {"stage_page_request", check_any_stage_page_request},
  {"stage_page_reply", check_any_stage_page_reply},
  {"branch_request", check_any_branch_request},
  {"branch_reply", check_any_branch_reply},
  {"flags_reply", check_any_flags_reply},
  {"install_class_request", check_any_install_class_request},
  {"install_class_reply", check_any_install_class_reply},
  {"read_page_request", check_any_read_page_request},
  {"read_page_reply", check_any_read_page_reply},
  {"run_request", check_any_run_request},
  {"run_reply", check_any_run_reply},
  {"reset_reply", check_any_reset_reply},
  {"thread_end_event", check_any_thread_end_event},
  {"set_breakpoint_request", check_any_set_breakpoint_request},
  {"breakpoint_reply", check_any_breakpoint_reply},
  {"breakpoint_request", check_any_breakpoint_request},
  {"breakpoints_reply", check_any_breakpoints_reply},
  {"breakpoint_entry", check_any_breakpoint_entry},
  {"thread_request", check_any_thread_request},
  {"step_request", check_any_step_request},
  {"frame_request", check_any_frame_request},
  {"frame_reply", check_any_frame_reply},
  {"value_entry", check_any_value_entry},
  {"exception_stops_request", check_any_exception_stops_request},
  {"stopped_reply", check_any_stopped_reply},
  {"stopped_event", check_any_stopped_event},
  {"set_local_request", check_any_set_local_request},
  {"set_field_request", check_any_set_field_request},
  {"continued_event", check_any_continued_event},
  {"dirty_pages_reply", check_any_dirty_pages_reply},
  {"now_pages_reply", check_any_now_pages_reply},
  {"now_page", check_any_now_page},
  {"logpoint_event", check_any_logpoint_event},
};

int serve_request(uint8_t type, uint32_t id, const uint8_t *p, uint32_t len, const char **why) {
  switch (type) {
  case DBG_HELLO: {
    struct hello_request request;
    if ((*why = decode_hello_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_hello(id, &request);
    return 0;
  }
  case DBG_STATS: {
    if (len) {
      *why = "STATS takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_stats(id);
    return 0;
  }
  case DBG_ROOTS: {
    if (len) {
      *why = "ROOTS takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_roots(id);
    return 0;
  }
  case DBG_THREADS: {
    if (len) {
      *why = "THREADS takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_threads(id);
    return 0;
  }
  case DBG_READ_OBJECTS: {
    struct read_objects_request request;
    if ((*why = decode_read_objects_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_read_objects(id, &request);
    return 0;
  }
  case DBG_ENUMERATE: {
    struct enumerate_request request;
    if ((*why = decode_enumerate_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_enumerate(id, &request);
    return 0;
  }
  case DBG_CLASSES: {
    if (len) {
      *why = "CLASSES takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_classes(id);
    return 0;
  }
  case DBG_GENERATIONS: {
    if (len) {
      *why = "GENERATIONS takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_generations(id);
    return 0;
  }
  case DBG_READ_OBJECTS_AT: {
    struct read_objects_at_request request;
    if ((*why = decode_read_objects_at_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_read_objects_at(id, &request);
    return 0;
  }
  case DBG_SNAPSHOT_NOW: {
    if (len) {
      *why = "SNAPSHOT_NOW takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_snapshot_now(id);
    return 0;
  }
  case DBG_PAUSE: {
    if (len) {
      *why = "PAUSE takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_pause(id);
    return 0;
  }
  case DBG_RESUME: {
    if (len) {
      *why = "RESUME takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_resume(id);
    return 0;
  }
  case DBG_INSTALL_CLASS: {
    struct install_class_request request;
    if ((*why = decode_install_class_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_install_class(id, &request);
    return 0;
  }
  case DBG_READ_PAGE: {
    struct read_page_request request;
    if ((*why = decode_read_page_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_read_page(id, &request);
    return 0;
  }
  case DBG_RUN: {
    struct run_request request;
    if ((*why = decode_run_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_run(id, &request);
    return 0;
  }
  case DBG_RESET: {
    if (len) {
      *why = "RESET takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_reset(id);
    return 0;
  }
  case DBG_SET_BREAKPOINT: {
    struct set_breakpoint_request request;
    if ((*why = decode_set_breakpoint_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_set_breakpoint(id, &request);
    return 0;
  }
  case DBG_CLEAR_BREAKPOINT: {
    struct breakpoint_request request;
    if ((*why = decode_breakpoint_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_clear_breakpoint(id, &request);
    return 0;
  }
  case DBG_LIST_BREAKPOINTS: {
    if (len) {
      *why = "LIST_BREAKPOINTS takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_list_breakpoints(id);
    return 0;
  }
  case DBG_PAUSE_THREAD: {
    struct thread_request request;
    if ((*why = decode_thread_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_pause_thread(id, &request);
    return 0;
  }
  case DBG_CONTINUE_THREAD: {
    struct thread_request request;
    if ((*why = decode_thread_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_continue_thread(id, &request);
    return 0;
  }
  case DBG_STEP: {
    struct step_request request;
    if ((*why = decode_step_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_step(id, &request);
    return 0;
  }
  case DBG_FRAME: {
    struct frame_request request;
    if ((*why = decode_frame_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_frame(id, &request);
    return 0;
  }
  case DBG_EXCEPTION_STOPS: {
    struct exception_stops_request request;
    if ((*why = decode_exception_stops_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_exception_stops(id, &request);
    return 0;
  }
  case DBG_STOPPED: {
    if (len) {
      *why = "STOPPED takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_stopped(id);
    return 0;
  }
  case DBG_SET_LOCAL: {
    struct set_local_request request;
    if ((*why = decode_set_local_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_set_local(id, &request);
    return 0;
  }
  case DBG_SET_FIELD: {
    struct set_field_request request;
    if ((*why = decode_set_field_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_set_field(id, &request);
    return 0;
  }
  case DBG_DIRTY_PAGES: {
    if (len) {
      *why = "DIRTY_PAGES takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_dirty_pages(id);
    return 0;
  }
  case DBG_NOW_PAGES: {
    if (len) {
      *why = "NOW_PAGES takes no payload";
      return DE_BAD_REQUEST;
    }
    serve_now_pages(id);
    return 0;
  }
  case DBG_ROLLBACK: {
    struct rollback_request request;
    if ((*why = decode_rollback_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_rollback(id, &request);
    return 0;
  }
  case DBG_STAGE_PAGE: {
    struct stage_page_request request;
    if ((*why = decode_stage_page_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_stage_page(id, &request);
    return 0;
  }
  case DBG_BRANCH: {
    struct branch_request request;
    if ((*why = decode_branch_request(p, len, &request))) return DE_BAD_REQUEST;
    serve_branch(id, &request);
    return 0;
  }
  default:
    *why = "unknown request type";
    return DE_UNKNOWN;
  }
}
