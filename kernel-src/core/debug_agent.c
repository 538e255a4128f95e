/*
 * debug_agent.c — serves the debug channel: frames in, validated requests, replies out.
 *
 * Layers, bottom up:
 *   framing   the receive buffer, resynchronisation on garbage, CRC check, a RESET that ends an
 *             unfinished frame, the unfinished frame's timeout, the time budget of a poll (frame_*)
 *   replies   a reply payload built with the writers generated from lang/spec/debug.def
 *             (debug_wire.h, put_*), as many list elements as fit
 *   requests  serve_request (generated, debug_wire.c) decodes each request's payload completely
 *             (decode_*, which may fail: the reply is then BAD_REQUEST) and calls its serve_*
 *             here with the decoded struct; a serve_* acts on a payload of the right shape, and
 *             checks every reference with obj_is_sane before it is followed
 *
 * Nothing here allocates in the object space or changes it, except through hooks, INSTALL_CLASS,
 * which hands the reassembled class blob to install.c, RUN, which has install.c start a
 * thread, and the debugger's requests, which debugger.c checks and then carries out in its state
 * in the space; PAUSE only sets a flag the scheduler reads. Bounded work per request: at most
 * DBG_MAX_BATCH objects, a reply of at most DBG_MAX_PAYLOAD bytes, ENUMERATE_SCAN_BUDGET headers
 * walked; a poll answers requests until its time budget is spent, and leaves the rest for later.
 */
#include "debug_agent.h"

#include "crc32c.h"
#include "debugger.h"
#include "install.h"
#include "klib.h"
#include "objspace.h"
#include "platform.h"
#include "spec.h"

/** Object headers ENUMERATE may walk in one request, so one request cannot scan a whole 512 MiB space. */
#define ENUMERATE_SCAN_BUDGET 65536u
/** Longest thread list THREADS walks (a corrupt list with a cycle ends here). */
#define MAX_THREADS_LISTED 4096u

static const struct debug_port *port;
static const struct debug_hooks *hooks;
static int paused;

/*
 * Received bytes not yet consumed are rx[rx_pos, rx_len): at most one whole frame plus a read's
 * worth. reset_scanned: how far the search for a RESET inside the unfinished frame at rx_pos has
 * got. last_rx_ms: when bytes last arrived (an unfinished frame times out after
 * DBG_FRAME_TIMEOUT_MS without any). discarded: bytes dropped since a request was last answered,
 * which RESET reports.
 */
static uint8_t rx[DBG_HEADER_BYTES + DBG_MAX_PAYLOAD + 512];
static size_t rx_pos, rx_len, reset_scanned;
static uint64_t last_rx_ms;
static uint32_t discarded;

/* The reply being built: its header, then out's payload. */
static uint8_t tx[DBG_HEADER_BYTES + DBG_MAX_PAYLOAD];
static struct wire_out out;

static uint8_t page_buf[PAGE_SIZE];
_Static_assert(DBG_PAGE_BYTES == PAGE_SIZE, "READ_PAGE carries one object-space page");

/* ── replies ── */

static void out_begin(void) { out = (struct wire_out){tx + DBG_HEADER_BYTES, 0, DBG_MAX_PAYLOAD, 0}; }

static uint32_t out_left(void) { return out.overflow ? 0 : out.cap - out.len; }

/**
 * Writes a reply's head again, now that the count of the list after it is known: `put` writes the
 * same number of bytes whatever the count, so the list after it stays where it is.
 */
#define OUT_REWRITE(at, put, v)  \
  do {                           \
    uint32_t end_ = out.len;     \
    out.len = (at);              \
    put(&out, (v));              \
    out.len = end_;              \
  } while (0)

/**
 * Sends the reply built in out. A frame the port has no room for is dropped: only an event can get
 * here without room, as requests wait until the largest reply fits (frame_step).
 */
static void send_frame(uint8_t type, uint32_t id) {
  uint32_t len = out.len;
  if (port->room() < DBG_HEADER_BYTES + len) return;
  uint8_t *h = tx;
  wire_set16(h + DF_MAGIC, DBG_MAGIC);
  h[DF_VERSION] = DBG_VERSION;
  h[DF_TYPE] = type;
  wire_set32(h + DF_ID, id);
  wire_set32(h + DF_LENGTH, len);
  wire_set32(h + DF_CRC, 0);
  wire_set32(h + DF_CRC, crc32c(tx, DBG_HEADER_BYTES + len));
  port->write(tx, DBG_HEADER_BYTES + len);
}

static void send_reply(uint8_t request_type, uint32_t id) { send_frame(request_type | DBG_REPLY_BIT, id); }

static void send_error(uint32_t id, int code, const char *message) {
  out_begin();
  put_error_reply(&out, &(struct error_reply){(uint16_t)code, wire_cstr(message)});
  send_frame(DBG_ERROR_TYPE, id);
}

/* ── requests: serve_* are called by serve_request (debug_wire.c) with their payloads decoded ── */

static uint32_t space_size(void) { return *space_field(SH_SIZE); }

/** The address a value word refers to, or 0 when it is not a sane reference. */
static uint32_t ref_addr(word_t w) { return obj_is_sane(w) ? obj_addr(w) : 0; }

/** Slot i of the object w names, or 0 when w is not a sane slots object that has slot i. */
static word_t slot_of(word_t w, uint32_t i) {
  if (!obj_is_sane(w) || obj_kind(w) != KIND_SLOTS || i >= obj_slot_count(w)) return 0;
  return obj_slots(w)[i];
}

void serve_hello(uint32_t id, const struct hello_request *request) {
  (void)request; /* the client's version: a mismatch is the client's to refuse */
  out_begin();
  put_hello_reply(&out, &(struct hello_reply){
                            .protocol_version = DBG_VERSION,
                            .revision = DBG_REVISION,
                            .format_version = FORMAT_VERSION,
                            .space_base = SPACE_BASE,
                            .space_size = space_size(),
                            .max_payload = DBG_MAX_PAYLOAD,
                            .kernel = wire_cstr(DEBUG_KERNEL_NAME),
                        });
  send_reply(DBG_HELLO, id);
}

void serve_stats(uint32_t id) {
  struct debug_machine_stats m = {0};
  if (hooks->stats) hooks->stats(&m);
  out_begin();
  put_stats_reply(&out, &(struct stats_reply){
                            .uptime_ms = m.uptime_ms,
                            .machine_ms = m.machine_ms,
                            .objects = *space_field(SH_OBJECTS),
                            .live_bytes = *space_field(SH_LIVE_BYTES),
                            .space_top = space_top(),
                            .generation = m.generation,
                            .threads = m.threads,
                            .gc_runs = m.gc_runs,
                            .gc_pause_us = m.gc_pause_us,
                            .snapshots = m.snapshots,
                            .flags = paused ? DBG_FLAG_PAUSED : 0,
                        });
  send_reply(DBG_STATS, id);
}

void serve_roots(uint32_t id) {
  word_t root = space_root();
  out_begin();
  put_roots_reply(&out, &(struct roots_reply){
                            .root = ref_addr(root),
                            .directory = ref_addr(slot_of(root, ROOT_DIRECTORY)),
                            .threads = ref_addr(slot_of(root, ROOT_THREADS)),
                            .classes = ref_addr(slot_of(root, ROOT_CLASSES)),
                        });
  send_reply(DBG_ROOTS, id);
}

void serve_threads(uint32_t id) {
  out_begin();
  struct threads_reply reply = {0};
  uint32_t head = out.len;
  put_threads_reply(&out, &reply);
  for (word_t t = slot_of(space_root(), ROOT_THREADS); obj_is_sane(t) && reply.threads.count < MAX_THREADS_LISTED;
       t = slot_of(t, THREAD_NEXT)) {
    word_t frames[DBG_MAX_FRAMES];
    uint32_t n = 0;
    for (word_t f = slot_of(t, THREAD_FRAME); obj_is_sane(f) && n < DBG_MAX_FRAMES; f = slot_of(f, FRAME_CALLER)) frames[n++] = f;
    if (out_left() < THREAD_ENTRY_FIXED_BYTES + FRAME_ENTRY_FIXED_BYTES * n) break; /* the reply is full: list what fits */
    put_thread_entry(&out, &(struct thread_entry){
                               .thread = obj_addr(t),
                               .id = (uint32_t)word_to_int(slot_of(t, THREAD_ID)),
                               .state = (uint8_t)word_to_int(slot_of(t, THREAD_STATE)),
                               .wake_at = (uint32_t)word_to_int(slot_of(t, THREAD_WAKE_AT)),
                               .frames = {0, n},
                           });
    for (uint32_t i = 0; i < n; i++) {
      put_frame_entry(&out, &(struct frame_entry){
                                .frame = obj_addr(frames[i]),
                                .method = ref_addr(slot_of(frames[i], FRAME_METHOD)),
                                .pc = (uint32_t)word_to_int(slot_of(frames[i], FRAME_PC)),
                            });
    }
    reply.threads.count++;
  }
  OUT_REWRITE(head, put_threads_reply, &reply);
  send_reply(DBG_THREADS, id);
}

/**
 * Copy [addr, addr + n) of a committed generation's space into dst, page by page through
 * read_page_at. Returns 0 or a DE_* code.
 */
static int read_space_at(uint32_t generation, uint32_t addr, uint8_t *dst, uint32_t n) {
  if (addr < SPACE_BASE || n > space_size() || addr - SPACE_BASE > space_size() - n) return DE_NOT_FOUND;
  uint32_t off = addr - SPACE_BASE;
  while (n > 0) {
    uint32_t page = off / PAGE_SIZE, within = off % PAGE_SIZE;
    uint32_t chunk = PAGE_SIZE - within < n ? PAGE_SIZE - within : n;
    int rc = hooks->read_page_at(generation, page, page_buf);
    if (rc) return rc;
    memcpy(dst, page_buf + within, chunk);
    dst += chunk;
    off += chunk;
    n -= chunk;
  }
  return 0;
}

/** One READ_OBJECTS(_AT) entry for the object at addr; returns 0 when the reply is full. */
static int read_one(uint32_t addr, int at_generation, uint32_t generation, int first) {
  uint32_t header[3] = {0, 0, 0};
  uint8_t status = DBG_OBJECT_OK;
  uint32_t size = 0, included = 0;
  if (at_generation) {
    if (addr % OBJECT_ALIGN || read_space_at(generation, addr, (uint8_t *)header, HEADER_BYTES)) status = DBG_OBJECT_NONE;
    uint32_t kind = header[HDR_FLAGS / 4] & FLAG_KIND_MASK;
    if (status == DBG_OBJECT_OK && ((kind != KIND_SLOTS && kind != KIND_BYTES) || !word_is_ref(header[HDR_CLASS / 4])))
      status = DBG_OBJECT_NONE;
  } else if (obj_is_sane(addr_ref(addr))) {
    memcpy(header, obj_header(addr_ref(addr)), HEADER_BYTES);
  } else {
    status = DBG_OBJECT_NONE;
  }
  if (status == DBG_OBJECT_OK) {
    size = header[HDR_SIZE / 4];
    included = size;
    if (out_left() < OBJECT_ENTRY_FIXED_BYTES + align4(size)) {
      if (!first) return 0;
      included = out_left() > OBJECT_ENTRY_FIXED_BYTES ? (out_left() - OBJECT_ENTRY_FIXED_BYTES) & ~3u : 0;
      status = DBG_OBJECT_TRUNCATED;
    }
  } else {
    memset(header, 0, sizeof header);
  }
  if (out_left() < OBJECT_ENTRY_FIXED_BYTES) return 0;
  uint8_t *bytes = put_object_entry(&out, &(struct object_entry){
                                              .object = addr,
                                              .status = status,
                                              .class_word = header[HDR_CLASS / 4],
                                              .size = size,
                                              .flags = header[HDR_FLAGS / 4],
                                              .bytes = {at_generation || !included ? 0 : obj_bytes(addr_ref(addr)), included},
                                          });
  if (bytes && at_generation && read_space_at(generation, addr + HEADER_BYTES, bytes, included)) memset(bytes, 0, included);
  return 1;
}

static void read_objects(uint8_t type, uint32_t id, int at_generation, uint32_t generation, struct wire_list objects) {
  out_begin();
  struct objects_reply reply = {0};
  uint32_t head = out.len;
  put_objects_reply(&out, &reply);
  while (reply.objects.count < objects.count &&
         read_one(wire_list_u32(objects, reply.objects.count), at_generation, generation, reply.objects.count == 0))
    reply.objects.count++;
  OUT_REWRITE(head, put_objects_reply, &reply);
  send_reply(type, id);
}

void serve_read_objects(uint32_t id, const struct read_objects_request *request) {
  read_objects(DBG_READ_OBJECTS, id, 0, 0, request->objects);
}

void serve_read_objects_at(uint32_t id, const struct read_objects_at_request *request) {
  if (!hooks->read_page_at) return send_error(id, DE_FAILED, "this kernel cannot read past generations");
  int rc = hooks->read_page_at(request->generation, 0, page_buf);
  if (rc) return send_error(id, rc, "READ_OBJECTS_AT: no such generation");
  read_objects(DBG_READ_OBJECTS_AT, id, 1, request->generation, request->objects);
}

/** A free block's header at addr (inside [SPACE_FIRST_OBJECT, top)): ENUMERATE may resume there. */
static int free_block_at(uint32_t addr, uint32_t top) {
  if (top - addr < HEADER_BYTES) return 0;
  const uint32_t *h = obj_header(addr_ref(addr));
  return (h[HDR_FLAGS / 4] & FLAG_KIND_MASK) == KIND_FREE && h[HDR_CLASS / 4] == 0;
}

void serve_enumerate(uint32_t id, const struct enumerate_request *request) {
  uint32_t start = request->start, cls = request->class;
  uint32_t max = request->max > DBG_MAX_BATCH ? DBG_MAX_BATCH : request->max;
  if (start == 0) start = SPACE_FIRST_OBJECT;
  uint32_t top = space_top();
  if (start < SPACE_FIRST_OBJECT || start % OBJECT_ALIGN || start > top ||
      (start < top && !obj_is_sane(addr_ref(start)) && !free_block_at(start, top))) {
    return send_error(id, DE_NOT_FOUND, "ENUMERATE: start is not an object");
  }
  out_begin();
  struct enumerate_reply reply = {0};
  uint32_t head = out.len;
  put_enumerate_reply(&out, &reply);
  uint32_t scanned = 0, addr = start;
  while (addr < top && reply.objects.count < max && scanned < ENUMERATE_SCAN_BUDGET) {
    if (top - addr < HEADER_BYTES) break;
    const uint32_t *h = obj_header(addr_ref(addr));
    uint32_t next = addr + footprint(h[HDR_SIZE / 4]);
    if (next <= addr || next > top) break; /* a corrupt header: stop here rather than walk wild */
    if ((h[HDR_FLAGS / 4] & FLAG_KIND_MASK) != KIND_FREE && (cls == 0 || h[HDR_CLASS / 4] == addr_ref(cls))) {
      wire_put32(&out, addr);
      reply.objects.count++;
    }
    scanned++;
    addr = next;
  }
  reply.next = addr < top ? addr : 0;
  OUT_REWRITE(head, put_enumerate_reply, &reply);
  send_reply(DBG_ENUMERATE, id);
}

static void list_array(word_t array, struct wire_list *list) {
  if (!obj_is_sane(array) || obj_kind(array) != KIND_SLOTS) return;
  for (uint32_t i = 0; i < obj_slot_count(array); i++) {
    uint32_t a = ref_addr(obj_slots(array)[i]);
    if (a && out_left() >= 4) {
      wire_put32(&out, a);
      list->count++;
    }
  }
}

void serve_classes(uint32_t id) {
  out_begin();
  struct classes_reply reply = {0};
  uint32_t head = out.len;
  put_classes_reply(&out, &reply);
  list_array(slot_of(space_root(), ROOT_CLASSES), &reply.classes);
  list_array(slot_of(space_root(), ROOT_PROGRAM_CLASSES), &reply.classes);
  OUT_REWRITE(head, put_classes_reply, &reply);
  send_reply(DBG_CLASSES, id);
}

void serve_generations(uint32_t id) {
  if (!hooks->generation_count || !hooks->generation_at) return send_error(id, DE_FAILED, "no store is mounted");
  struct debug_machine_stats m = {0};
  if (hooks->stats) hooks->stats(&m);
  uint32_t n = hooks->generation_count();
  out_begin();
  struct generations_reply reply = {.current = m.generation};
  uint32_t head = out.len;
  put_generations_reply(&out, &reply);
  for (uint32_t i = 0; i < n && out_left() >= GENERATION_FIXED_BYTES; i++) {
    struct generation g;
    if (hooks->generation_at(i, &g)) continue;
    put_generation(&out, &g);
    reply.generations.count++;
  }
  OUT_REWRITE(head, put_generations_reply, &reply);
  send_reply(DBG_GENERATIONS, id);
}

void serve_snapshot_now(uint32_t id) {
  if (!hooks->snapshot_now) return send_error(id, DE_FAILED, "snapshots are not available in this kernel");
  uint32_t generation = 0;
  int rc = hooks->snapshot_now(&generation);
  if (rc) return send_error(id, rc, "the snapshot failed");
  out_begin();
  put_snapshot_reply(&out, &(struct snapshot_reply){generation});
  send_reply(DBG_SNAPSHOT_NOW, id);
}

/*
 * ROLLBACK: the hook (arch/space.c) drops the live space and mounts the generation; the VM's C
 * state, the debugger's included, is rebuilt from it. A PAUSE does not outlive the space it
 * paused, as after a restart: the machine runs on.
 */
void serve_rollback(uint32_t id, const struct rollback_request *request) {
  if (!hooks->rollback) return send_error(id, DE_FAILED, "this kernel cannot roll back in place");
  struct rollback_reply reply = {0};
  const char *why = "the rollback failed";
  int rc = hooks->rollback(request->generation, &reply, &why);
  if (rc) return send_error(id, rc, why);
  paused = 0;
  out_begin();
  put_rollback_reply(&out, &reply);
  send_reply(DBG_ROLLBACK, id);
}

void serve_stage_page(uint32_t id, const struct stage_page_request *request) {
  if (!hooks->stage_page) return send_error(id, DE_FAILED, "this kernel cannot take a space's pages");
  uint32_t staged = 0;
  const char *why = "STAGE_PAGE failed";
  int rc = hooks->stage_page(request->first, request->page, request->bytes.p, &staged, &why);
  if (rc) return send_error(id, rc, why);
  out_begin();
  put_stage_page_reply(&out, &(struct stage_page_reply){staged});
  send_reply(DBG_STAGE_PAGE, id);
}

/* BRANCH: as ROLLBACK, a PAUSE does not outlive the space it paused. */
void serve_branch(uint32_t id, const struct branch_request *request) {
  if (!hooks->branch) return send_error(id, DE_FAILED, "this kernel cannot continue from a space in place");
  struct branch_reply reply = {0};
  const char *why = "the branch failed";
  int rc = hooks->branch(request->parent, &reply, &why);
  if (rc) return send_error(id, rc, why);
  paused = 0;
  out_begin();
  put_branch_reply(&out, &reply);
  send_reply(DBG_BRANCH, id);
}

static void pause_resume(uint8_t type, uint32_t id) {
  paused = type == DBG_PAUSE;
  out_begin();
  put_flags_reply(&out, &(struct flags_reply){paused ? DBG_FLAG_PAUSED : 0});
  send_reply(type, id);
}

void serve_pause(uint32_t id) { pause_resume(DBG_PAUSE, id); }
void serve_resume(uint32_t id) { pause_resume(DBG_RESUME, id); }

void serve_read_page(uint32_t id, const struct read_page_request *request) {
  if (request->page >= space_size() / PAGE_SIZE) return send_error(id, DE_NOT_FOUND, "READ_PAGE: page outside the space");
  out_begin();
  if (request->generation == DBG_LIVE_GENERATION) {
    const uint8_t *live = (const uint8_t *)(uintptr_t)(SPACE_BASE + request->page * PAGE_SIZE);
    put_read_page_reply(&out, &(struct read_page_reply){{live, DBG_PAGE_BYTES}});
  } else {
    if (!hooks->read_page_at) return send_error(id, DE_FAILED, "this kernel cannot read past generations");
    uint8_t *bytes = put_read_page_reply(&out, &(struct read_page_reply){{0, DBG_PAGE_BYTES}});
    int rc = hooks->read_page_at(request->generation, request->page, bytes);
    if (rc) return send_error(id, rc, "READ_PAGE: cannot read that page of that generation");
  }
  send_reply(DBG_READ_PAGE, id);
}

void serve_install_class(uint32_t id, const struct install_class_request *request) {
  uint32_t received = 0;
  word_t cls = 0;
  const char *why =
      install_chunk(request->total, request->offset, request->chunk.p, request->chunk.len, &received, &cls);
  if (why) return send_error(id, DE_FAILED, why);
  out_begin();
  put_install_class_reply(&out, &(struct install_class_reply){received, ref_addr(cls)});
  send_reply(DBG_INSTALL_CLASS, id);
}

void serve_run(uint32_t id, const struct run_request *request) {
  word_t thread = 0;
  int not_found = 0;
  const char *why = run_class(request->class_name.p, request->class_name.len, request->method.p, request->method.len,
                              &thread, &not_found);
  if (why) return send_error(id, not_found ? DE_NOT_FOUND : DE_FAILED, why);
  out_begin();
  put_run_reply(&out, &(struct run_reply){obj_addr(thread), (uint32_t)word_to_int(slot_of(thread, THREAD_ID))});
  send_reply(DBG_RUN, id);
}

/** RESET: the framing layer has already dropped what came before it; say how much. */
void serve_reset(uint32_t id) {
  out_begin();
  put_reset_reply(&out, &(struct reset_reply){discarded});
  send_reply(DBG_RESET, id);
}

/* ── the debugger's requests: debugger.c checks each one, then carries it out ── */

static void reply_or_error(uint8_t type, uint32_t id, int rc, const char *why) {
  if (rc) return send_error(id, rc, why);
  out_begin();
  send_reply(type, id);
}

void serve_set_breakpoint(uint32_t id, const struct set_breakpoint_request *request) {
  const char *why = 0;
  uint32_t bp = 0;
  int rc = debugger_set_breakpoint(request, &bp, &why);
  if (rc) return send_error(id, rc, why);
  out_begin();
  put_breakpoint_reply(&out, &(struct breakpoint_reply){bp});
  send_reply(DBG_SET_BREAKPOINT, id);
}

void serve_clear_breakpoint(uint32_t id, const struct breakpoint_request *request) {
  const char *why = 0;
  int rc = debugger_clear_breakpoint(request->id, &why);
  reply_or_error(DBG_CLEAR_BREAKPOINT, id, rc, why);
}

static void put_one_breakpoint(const struct breakpoint_entry *e, void *ctx) {
  put_breakpoint_entry(&out, e);
  ((struct breakpoints_reply *)ctx)->breakpoints.count++;
}

void serve_list_breakpoints(uint32_t id) {
  out_begin();
  struct breakpoints_reply reply = {0};
  uint32_t head = out.len;
  put_breakpoints_reply(&out, &reply);
  debugger_list_breakpoints(put_one_breakpoint, &reply); /* 64 entries of at most 230 bytes fit */
  OUT_REWRITE(head, put_breakpoints_reply, &reply);
  send_reply(DBG_LIST_BREAKPOINTS, id);
}

void serve_pause_thread(uint32_t id, const struct thread_request *request) {
  const char *why = 0;
  int rc = debugger_pause_thread(request->thread, &why);
  reply_or_error(DBG_PAUSE_THREAD, id, rc, why);
}

void serve_continue_thread(uint32_t id, const struct thread_request *request) {
  const char *why = 0;
  int rc = debugger_continue_thread(request->thread, &why);
  reply_or_error(DBG_CONTINUE_THREAD, id, rc, why);
}

void serve_step(uint32_t id, const struct step_request *request) {
  const char *why = 0;
  int rc = debugger_step(request->thread, request->kind, &why);
  reply_or_error(DBG_STEP, id, rc, why);
}

void serve_exception_stops(uint32_t id, const struct exception_stops_request *request) {
  const char *why = 0;
  int rc = debugger_set_exceptions(request->mode, &why);
  reply_or_error(DBG_EXCEPTION_STOPS, id, rc, why);
}

static void put_value(word_t w) {
  put_value_entry(&out, &(struct value_entry){word_is_ref(w) ? DBG_VALUE_REF : DBG_VALUE_INT,
                                               word_is_ref(w) ? obj_addr(w) : (uint32_t)word_to_int(w)});
}

void serve_frame(uint32_t id, const struct frame_request *request) {
  const char *why = 0;
  word_t frame = 0;
  int32_t line = -1;
  int rc = debugger_frame(request->thread, request->depth, &frame, &line, &why);
  if (rc) return send_error(id, rc, why);
  word_t method = obj_slots(frame)[FRAME_METHOD];
  uint32_t pc = (uint32_t)word_to_int(slot_of(frame, FRAME_PC));
  uint32_t nlocals = (uint32_t)word_to_int(slot_of(method, METHOD_LOCALS));
  uint32_t sp = (uint32_t)word_to_int(slot_of(frame, FRAME_SP));
  uint32_t slots = obj_slot_count(frame) - FRAME_LOCALS; /* the interpreter keeps locals + sp within it */
  if (nlocals > slots) nlocals = slots;
  if (sp > slots - nlocals) sp = slots - nlocals;
  out_begin();
  uint32_t room = (out_left() - FRAME_REPLY_FIXED_BYTES) / VALUE_ENTRY_FIXED_BYTES;
  uint32_t stack = sp < room - nlocals ? sp : room - nlocals; /* locals (at most 255) always fit */
  put_frame_reply(&out, &(struct frame_reply){
                            .frame = obj_addr(frame),
                            .method = obj_addr(method),
                            .pc = pc,
                            .line = line,
                            .argc = (uint8_t)word_to_int(slot_of(method, METHOD_ARGC)),
                            .method_flags = (uint8_t)word_to_int(slot_of(method, METHOD_FLAGS)),
                            .local_count = (uint16_t)nlocals,
                            .values = {0, nlocals + stack},
                        });
  const word_t *values = obj_slots(frame) + FRAME_LOCALS;
  for (uint32_t i = 0; i < nlocals + stack; i++) put_value(values[i]);
  send_reply(DBG_FRAME, id);
}

void serve_set_local(uint32_t id, const struct set_local_request *request) {
  const char *why = 0;
  struct debugger_write w;
  int rc = debugger_check_set_local(request, &w, &why);
  if (!rc) debugger_write(&w);
  reply_or_error(DBG_SET_LOCAL, id, rc, why);
}

void serve_set_field(uint32_t id, const struct set_field_request *request) {
  const char *why = 0;
  struct debugger_write w;
  int rc = debugger_check_set_field(request, &w, &why);
  if (!rc) debugger_write(&w);
  reply_or_error(DBG_SET_FIELD, id, rc, why);
}

static void put_one_stopped(const struct stopped_event *e, void *ctx) {
  put_stopped_event(&out, e);
  ((struct stopped_reply *)ctx)->threads.count++;
}

void serve_stopped(uint32_t id) {
  out_begin();
  struct stopped_reply reply = {.exceptions = (uint8_t)debugger_exceptions};
  uint32_t head = out.len;
  put_stopped_reply(&out, &reply);
  debugger_list_stopped(put_one_stopped, &reply); /* DBG_MAX_DEBUGGED entries of 32 bytes fit */
  OUT_REWRITE(head, put_stopped_reply, &reply);
  send_reply(DBG_STOPPED, id);
}

/*
 * The pages that may differ from the committed generation: the bitmap is written as zeros, the hook
 * sets its bits in place, then the two counts before it are written (the bitmap of the largest space
 * fits in a reply).
 */
void serve_dirty_pages(uint32_t id) {
  if (!hooks->uncommitted_pages) return send_error(id, DE_FAILED, "no store is mounted: there is no committed generation");
  uint32_t pages = space_size() / PAGE_SIZE;
  out_begin();
  uint8_t *bitmap = put_dirty_pages_reply(&out, &(struct dirty_pages_reply){.bitmap = {0, (pages + 7) / 8}});
  uint32_t generation = 0, dirty = hooks->uncommitted_pages(bitmap, &generation);
  wire_set32(out.p, generation);
  wire_set32(out.p + 4, dirty);
  send_reply(DBG_DIRTY_PAGES, id);
}
_Static_assert((uint64_t)DBG_MAX_DIRTY_BITMAP * 8 * PAGE_SIZE >= SPACE_SIZE_MAX, "DIRTY_PAGES covers the largest space");

/** NOW_PAGES's bitmap of the pages that differ (too big for the kernel's stack). */
static uint8_t now_bitmap[DBG_MAX_DIRTY_BITMAP];

/*
 * DIRTY_PAGES and, when they are few enough, those pages' bytes, all at this one safe point: the
 * threads wait only while they are listed and copied into the reply, which says how long that took.
 */
void serve_now_pages(uint32_t id) {
  if (!hooks->uncommitted_pages) return send_error(id, DE_FAILED, "no store is mounted: there is no committed generation");
  uint64_t start = ph_tsc(), tsc_per_us = ph_tsc_per_us() ? ph_tsc_per_us() : 1;
  uint32_t pages = space_size() / PAGE_SIZE, bytes = (pages + 7) / 8;
  memset(now_bitmap, 0, bytes);
  struct now_pages_reply reply = {0};
  reply.dirty = hooks->uncommitted_pages(now_bitmap, &reply.generation);
  out_begin();
  uint32_t head = out.len;
  put_now_pages_reply(&out, &reply);
  for (uint32_t byte = 0; reply.dirty <= DBG_MAX_NOW_PAGES && byte < bytes; byte++) {
    for (uint32_t bit = 0; now_bitmap[byte] >> bit; bit++) {
      if (!(now_bitmap[byte] >> bit & 1)) continue;
      uint32_t page = byte * 8 + bit;
      const uint8_t *live = (const uint8_t *)(uintptr_t)(SPACE_BASE + page * PAGE_SIZE);
      put_now_page(&out, &(struct now_page){page, {live, DBG_PAGE_BYTES}});
      reply.pages.count++;
    }
  }
  reply.build_us = (uint32_t)((ph_tsc() - start) / tsc_per_us);
  OUT_REWRITE(head, put_now_pages_reply, &reply);
  send_reply(DBG_NOW_PAGES, id);
}
_Static_assert(NOW_PAGES_REPLY_FIXED_BYTES + DBG_MAX_NOW_PAGES * NOW_PAGE_FIXED_BYTES <= DBG_MAX_PAYLOAD,
               "NOW_PAGES's pages fit in a reply");
_Static_assert(DIRTY_PAGES_REPLY_FIXED_BYTES + DBG_MAX_DIRTY_BITMAP <= DBG_MAX_PAYLOAD, "DIRTY_PAGES fits in a reply");

/* ── framing ── */

/** Drops n bytes at rx_pos: noise, or the start of a bad or unfinished frame. */
static void drop(size_t n) {
  rx_pos += n;
  discarded += (uint32_t)n;
}

/** Whether the 16 bytes at p are a RESET frame: no payload, a good CRC, any id. */
static int is_reset_frame(const uint8_t *p) {
  if (wire_get16(p + DF_MAGIC) != DBG_MAGIC || p[DF_VERSION] != DBG_VERSION || p[DF_TYPE] != DBG_RESET ||
      wire_get32(p + DF_LENGTH) != 0)
    return 0;
  uint8_t h[DBG_HEADER_BYTES];
  memcpy(h, p, sizeof h);
  wire_set32(h + DF_CRC, 0);
  return crc32c(h, sizeof h) == wire_get32(p + DF_CRC);
}

/**
 * The frame at rx_pos is unfinished. A RESET frame that has arrived inside it means its sender
 * is gone and a new client starts (no sender puts one inside a payload): drop everything before
 * the RESET. Each byte is searched once, however the frame's bytes trickle in.
 */
static int reset_inside_unfinished_frame(void) {
  size_t at = reset_scanned > rx_pos ? reset_scanned : rx_pos + 1;
  for (; at + DBG_HEADER_BYTES <= rx_len; at++) {
    if (is_reset_frame(rx + at)) {
      drop(at - rx_pos);
      return 1;
    }
  }
  reset_scanned = at;
  return 0;
}

enum frame_step { STEP_NEED_BYTES, STEP_DONE, STEP_NO_ROOM };

/**
 * One step over the bytes at rx_pos: answer one frame, or drop what cannot start one; or, when
 * they are an unfinished frame, say that more bytes are needed; or, while the port has no room
 * for the largest reply (the host is not reading), nothing.
 */
static enum frame_step frame_step(void) {
  size_t have = rx_len - rx_pos;
  uint8_t *h = rx + rx_pos;
  if (port->room() < DBG_HEADER_BYTES + DBG_MAX_PAYLOAD) return STEP_NO_ROOM;
  if (have < 2) return STEP_NEED_BYTES;
  if (wire_get16(h + DF_MAGIC) != DBG_MAGIC) {
    drop(1);
    return STEP_DONE;
  }
  if (have < DBG_HEADER_BYTES) return STEP_NEED_BYTES;
  uint32_t id = wire_get32(h + DF_ID), length = wire_get32(h + DF_LENGTH);
  if (length > DBG_MAX_PAYLOAD) {
    send_error(id, DE_TOO_LARGE, "payload longer than DBG_MAX_PAYLOAD");
    drop(2);
    return STEP_DONE;
  }
  if (have < DBG_HEADER_BYTES + length) return reset_inside_unfinished_frame() ? STEP_DONE : STEP_NEED_BYTES;
  uint32_t crc = wire_get32(h + DF_CRC);
  wire_set32(h + DF_CRC, 0);
  if (crc32c(h, DBG_HEADER_BYTES + length) != crc) {
    wire_set32(h + DF_CRC, crc);
    send_error(id, DE_BAD_FRAME, "frame checksum mismatch");
    drop(1);
    return STEP_DONE;
  }
  rx_pos += DBG_HEADER_BYTES + length;
  if (h[DF_VERSION] != DBG_VERSION) {
    send_error(id, DE_BAD_VERSION, "protocol version mismatch");
  } else if (h[DF_TYPE] & DBG_REPLY_BIT) {
    discarded += DBG_HEADER_BYTES + length; /* the host does not send replies or events; ignore */
  } else {
    const char *why = 0;
    int rc = serve_request(h[DF_TYPE], id, h + DBG_HEADER_BYTES, length, &why);
    if (rc) send_error(id, rc, why);
    discarded = 0;
  }
  return STEP_DONE;
}

/**
 * Reads what the port has behind the bytes held (an unfinished frame at most, so there is room);
 * returns how many arrived.
 */
static size_t frame_read(void) {
  if (rx_pos) {
    memmove(rx, rx + rx_pos, rx_len - rx_pos);
    rx_len -= rx_pos;
    reset_scanned = reset_scanned > rx_pos ? reset_scanned - rx_pos : 0;
    rx_pos = 0;
  }
  size_t n = port->read(rx + rx_len, sizeof rx - rx_len);
  if (n) last_rx_ms = ph_uptime_ms();
  rx_len += n;
  return n;
}

/**
 * The bytes held start an unfinished frame (or header), and none has arrived for
 * DBG_FRAME_TIMEOUT_MS: its sender stopped in the middle of it. Drop its first byte and scan on,
 * as after a bad CRC, so a frame that arrived inside it is found.
 */
static int frame_timed_out(void) {
  size_t have = rx_len - rx_pos;
  const uint8_t *h = rx + rx_pos;
  if (have < 2 || wire_get16(h + DF_MAGIC) != DBG_MAGIC || ph_uptime_ms() - last_rx_ms < DBG_FRAME_TIMEOUT_MS) return 0;
  int header = have >= DBG_HEADER_BYTES;
  char why[120];
  ksnprintf(why, sizeof why, "unfinished frame: %u of %u bytes, then none for %u ms; dropped", (unsigned)have,
            header ? (unsigned)(DBG_HEADER_BYTES + wire_get32(h + DF_LENGTH)) : (unsigned)DBG_HEADER_BYTES,
            (unsigned)DBG_FRAME_TIMEOUT_MS);
  send_error(header ? wire_get32(h + DF_ID) : 0, DE_BAD_FRAME, why);
  drop(1);
  return 1;
}

static void notify_stopped(const struct stopped_event *e) {
  if (!port) return;
  out_begin();
  put_stopped_event(&out, e);
  send_frame(EV_STOPPED, 0);
}

static void notify_continued(uint32_t thread_addr, uint32_t id) {
  if (!port) return;
  out_begin();
  put_continued_event(&out, &(struct continued_event){thread_addr, id});
  send_frame(EV_CONTINUED, 0);
}

static void notify_logpoint(uint32_t breakpoint, uint32_t thread_addr, uint32_t thread_id, uint32_t hits,
                            struct wire_bytes message) {
  if (!port) return;
  out_begin();
  put_logpoint_event(&out, &(struct logpoint_event){breakpoint, thread_addr, thread_id, hits, message});
  send_frame(EV_LOGPOINT, 0);
}

void debug_agent_init(const struct debug_port *p, const struct debug_hooks *h) {
  static const struct debug_hooks none;
  static const struct debugger_events debugger_events = {notify_stopped, notify_continued, notify_logpoint};
  debugger_set_events(&debugger_events);
  port = p;
  hooks = h ? h : &none;
  paused = 0;
  rx_pos = rx_len = reset_scanned = 0;
  discarded = 0;
}

int debug_agent_poll(uint32_t budget_us) {
  if (!port) return 0;
  uint64_t start = ph_tsc(), budget = (uint64_t)budget_us * ph_tsc_per_us();
  for (;;) {
    enum frame_step step = frame_step();
    if (step == STEP_NO_ROOM) return 0;
    if (step == STEP_NEED_BYTES) {
      if (frame_read() > 0) continue;
      if (!frame_timed_out()) return 0;
    }
    if (ph_tsc() - start >= budget) return 1;
  }
}

uint64_t debug_agent_deadline_ms(void) {
  size_t have = rx_len - rx_pos;
  if (!port || have < 2 || wire_get16(rx + rx_pos + DF_MAGIC) != DBG_MAGIC) return UINT64_MAX;
  return last_rx_ms + DBG_FRAME_TIMEOUT_MS;
}

int debug_agent_paused(void) { return paused; }

void debug_agent_notify_generation(const struct generation *g) {
  if (!port) return;
  out_begin();
  put_generation(&out, g);
  send_frame(EV_GENERATION, 0);
}

void debug_agent_notify_thread_end(uint32_t thread_addr, uint32_t id, uint8_t state) {
  if (!port) return;
  out_begin();
  put_thread_end_event(&out, &(struct thread_end_event){thread_addr, id, state});
  send_frame(EV_THREAD_END, 0);
}
