/*
 * debug_agent.c — serves the debug channel: frames in, validated requests, replies out.
 *
 * Layers, bottom up:
 *   framing   the receive buffer, resynchronisation on garbage, CRC check, a RESET that ends an
 *             unfinished frame, the unfinished frame's timeout, the time budget of a poll (frame_*)
 *   replies   building a reply payload with bounds checks (out_*)
 *   requests  one decode-then-serve function per message type (req_*): the payload's shape is
 *             checked completely before anything is read from the object space, and every
 *             reference is checked with obj_is_sane before it is followed
 *
 * Nothing here allocates in the object space or changes it, except through hooks, INSTALL_CLASS,
 * which hands the reassembled class blob to install.c, and RUN, which has install.c start a
 * thread; PAUSE only sets a flag the scheduler reads. Bounded work per request: at most
 * DBG_MAX_BATCH objects, a reply of at most DBG_MAX_PAYLOAD bytes, ENUMERATE_SCAN_BUDGET headers
 * walked; a poll answers requests until its time budget is spent, and leaves the rest for later.
 */
#include "debug_agent.h"

#include "crc32c.h"
#include "install.h"
#include "klib.h"
#include "objspace.h"
#include "platform.h"
#include "spec.h"

/** Object headers ENUMERATE may walk in one request, so one request cannot scan a whole 512 MiB space. */
#define ENUMERATE_SCAN_BUDGET 65536u
/** Longest thread list THREADS walks (a corrupt list with a cycle ends here). */
#define MAX_THREADS_LISTED 4096u
/** Size of one READ_OBJECTS entry before its bytes. */
#define OBJECT_ENTRY_BYTES 24u
/** Size of one GENERATIONS entry. */
#define GENERATION_ENTRY_BYTES 48u

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

/* The reply being built, header first. */
static uint8_t tx[DBG_HEADER_BYTES + DBG_MAX_PAYLOAD];
static size_t tx_len; /* payload bytes so far */
static int tx_overflow;

static uint8_t page_buf[PAGE_SIZE];

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* ── replies ── */

static void out_begin(void) {
  tx_len = 0;
  tx_overflow = 0;
}

static uint8_t *out_room(size_t n) {
  if (tx_overflow || tx_len + n > DBG_MAX_PAYLOAD) {
    tx_overflow = 1;
    return 0;
  }
  uint8_t *p = tx + DBG_HEADER_BYTES + tx_len;
  tx_len += n;
  return p;
}

static size_t out_left(void) { return tx_overflow ? 0 : DBG_MAX_PAYLOAD - tx_len; }

static void out_u8(uint8_t v) {
  uint8_t *p = out_room(1);
  if (p) *p = v;
}
static void out_u16(uint16_t v) {
  uint8_t *p = out_room(2);
  if (p) put16(p, v);
}
static void out_u32(uint32_t v) {
  uint8_t *p = out_room(4);
  if (p) put32(p, v);
}
static void out_u64(uint64_t v) {
  out_u32((uint32_t)v);
  out_u32((uint32_t)(v >> 32));
}
static void out_bytes(const void *bytes, size_t n) {
  uint8_t *p = out_room(n);
  if (p) memcpy(p, bytes, n);
}
static void out_str(const char *s) {
  size_t n = strlen(s);
  out_u16((uint16_t)n);
  out_bytes(s, n);
}

/**
 * Sends the reply built in tx. A frame the port has no room for is dropped: only an event can get
 * here without room, as requests wait until the largest reply fits (frame_step).
 */
static void send_frame(uint8_t type, uint32_t id) {
  if (port->room() < DBG_HEADER_BYTES + tx_len) return;
  uint8_t *h = tx;
  put16(h + DF_MAGIC, DBG_MAGIC);
  h[DF_VERSION] = DBG_VERSION;
  h[DF_TYPE] = type;
  put32(h + DF_ID, id);
  put32(h + DF_LENGTH, (uint32_t)tx_len);
  put32(h + DF_CRC, 0);
  put32(h + DF_CRC, crc32c(tx, DBG_HEADER_BYTES + tx_len));
  port->write(tx, DBG_HEADER_BYTES + tx_len);
}

static void send_error(uint32_t id, int code, const char *message) {
  out_begin();
  out_u16((uint16_t)code);
  out_str(message);
  send_frame(DBG_ERROR_TYPE, id);
}

/* ── requests ── */

struct request {
  uint8_t type;
  uint32_t id;
  const uint8_t *p;
  uint32_t len;
};

static uint32_t space_size(void) { return *space_field(SH_SIZE); }

/** The address a value word refers to, or 0 when it is not a sane reference. */
static uint32_t ref_addr(word_t w) { return obj_is_sane(w) ? obj_addr(w) : 0; }

/** Slot i of the object w names, or 0 when w is not a sane slots object that has slot i. */
static word_t slot_of(word_t w, uint32_t i) {
  if (!obj_is_sane(w) || obj_kind(w) != KIND_SLOTS || i >= obj_slot_count(w)) return 0;
  return obj_slots(w)[i];
}

static void req_hello(const struct request *r) {
  if (r->len != 2) return send_error(r->id, DE_BAD_REQUEST, "HELLO takes a u16 client version");
  out_begin();
  out_u16(DBG_VERSION);
  out_u16(DBG_REVISION);
  out_u32(FORMAT_VERSION);
  out_u32(SPACE_BASE);
  out_u32(space_size());
  out_u32(DBG_MAX_PAYLOAD);
  out_str(DEBUG_KERNEL_NAME);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_stats(const struct request *r) {
  struct debug_machine_stats m = {0};
  if (hooks->stats) hooks->stats(&m);
  out_begin();
  out_u64(m.uptime_ms);
  out_u64(m.machine_ms);
  out_u32(*space_field(SH_OBJECTS));
  out_u32(*space_field(SH_LIVE_BYTES));
  out_u32(space_top());
  out_u32(m.generation);
  out_u32(m.threads);
  out_u32(m.gc_runs);
  out_u32(m.gc_pause_us);
  out_u32(m.snapshots);
  out_u32(paused ? 1u : 0u);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_roots(const struct request *r) {
  word_t root = space_root();
  out_begin();
  out_u32(ref_addr(root));
  out_u32(ref_addr(slot_of(root, ROOT_DIRECTORY)));
  out_u32(ref_addr(slot_of(root, ROOT_THREADS)));
  out_u32(ref_addr(slot_of(root, ROOT_CLASSES)));
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_threads(const struct request *r) {
  out_begin();
  uint8_t *count_at = out_room(4);
  uint32_t count = 0;
  for (word_t t = slot_of(space_root(), ROOT_THREADS); obj_is_sane(t) && count < MAX_THREADS_LISTED;
       t = slot_of(t, THREAD_NEXT)) {
    word_t frames[DBG_MAX_FRAMES];
    uint16_t n = 0;
    for (word_t f = slot_of(t, THREAD_FRAME); obj_is_sane(f) && n < DBG_MAX_FRAMES; f = slot_of(f, FRAME_CALLER)) frames[n++] = f;
    if (out_left() < 16u + 12u * n) break; /* the reply is full: list what fits */
    out_u32(obj_addr(t));
    out_u32((uint32_t)word_to_int(slot_of(t, THREAD_ID)));
    out_u8((uint8_t)word_to_int(slot_of(t, THREAD_STATE)));
    out_u8(0);
    out_u16(n);
    out_u32((uint32_t)word_to_int(slot_of(t, THREAD_WAKE_AT)));
    for (uint16_t i = 0; i < n; i++) {
      out_u32(obj_addr(frames[i]));
      out_u32(ref_addr(slot_of(frames[i], FRAME_METHOD)));
      out_u32((uint32_t)word_to_int(slot_of(frames[i], FRAME_PC)));
    }
    count++;
  }
  put32(count_at, count);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

/**
 * Copy [addr, addr + n) of a committed generation's space into out, page by page through
 * read_page_at. Returns 0 or a DE_* code.
 */
static int read_space_at(uint32_t generation, uint32_t addr, uint8_t *out, uint32_t n) {
  if (addr < SPACE_BASE || n > space_size() || addr - SPACE_BASE > space_size() - n) return DE_NOT_FOUND;
  uint32_t off = addr - SPACE_BASE;
  while (n > 0) {
    uint32_t page = off / PAGE_SIZE, within = off % PAGE_SIZE;
    uint32_t chunk = PAGE_SIZE - within < n ? PAGE_SIZE - within : n;
    int rc = hooks->read_page_at(generation, page, page_buf);
    if (rc) return rc;
    memcpy(out, page_buf + within, chunk);
    out += chunk;
    off += chunk;
    n -= chunk;
  }
  return 0;
}

/** One READ_OBJECTS(_AT) entry for the object at addr; returns 0 when the reply is full. */
static int read_one(uint32_t addr, int at_generation, uint32_t generation, int first) {
  uint32_t header[3] = {0, 0, 0};
  uint8_t status = 0;
  uint32_t size = 0, included = 0;
  if (at_generation) {
    if (addr % OBJECT_ALIGN || read_space_at(generation, addr, (uint8_t *)header, HEADER_BYTES)) status = 1;
    uint32_t kind = header[HDR_FLAGS / 4] & FLAG_KIND_MASK;
    if (!status && ((kind != KIND_SLOTS && kind != KIND_BYTES) || !word_is_ref(header[HDR_CLASS / 4]))) status = 1;
  } else if (obj_is_sane(addr_ref(addr))) {
    memcpy(header, obj_header(addr_ref(addr)), HEADER_BYTES);
  } else {
    status = 1;
  }
  if (!status) {
    size = header[HDR_SIZE / 4];
    included = size;
    if (out_left() < OBJECT_ENTRY_BYTES + align4(size)) {
      if (!first) return 0;
      included = out_left() > OBJECT_ENTRY_BYTES ? (uint32_t)(out_left() - OBJECT_ENTRY_BYTES) & ~3u : 0;
      status = 2;
    }
  } else {
    memset(header, 0, sizeof header);
  }
  if (out_left() < OBJECT_ENTRY_BYTES) return 0;
  out_u32(addr);
  out_u8(status);
  out_u8(0);
  out_u16(0);
  out_u32(header[HDR_CLASS / 4]);
  out_u32(size);
  out_u32(header[HDR_FLAGS / 4]);
  out_u32(included);
  uint8_t *bytes = out_room(align4(included));
  if (bytes) {
    memset(bytes, 0, align4(included));
    if (at_generation) {
      if (read_space_at(generation, addr + HEADER_BYTES, bytes, included)) memset(bytes, 0, included);
    } else {
      memcpy(bytes, obj_bytes(addr_ref(addr)), included);
    }
  }
  return 1;
}

static void req_read_objects(const struct request *r) {
  int at_generation = r->type == DBG_READ_OBJECTS_AT;
  uint32_t skip = at_generation ? 4 : 0;
  if (r->len < skip + 4) return send_error(r->id, DE_BAD_REQUEST, "READ_OBJECTS: payload too short");
  uint32_t generation = at_generation ? get32(r->p) : 0;
  uint16_t count = get16(r->p + skip);
  if (get16(r->p + skip + 2) != 0) return send_error(r->id, DE_BAD_REQUEST, "READ_OBJECTS: reserved field not 0");
  if (count > DBG_MAX_BATCH) return send_error(r->id, DE_BAD_REQUEST, "READ_OBJECTS: more objects than DBG_MAX_BATCH");
  if (r->len != skip + 4 + 4u * count) return send_error(r->id, DE_BAD_REQUEST, "READ_OBJECTS: length does not match count");
  if (at_generation && !hooks->read_page_at) return send_error(r->id, DE_FAILED, "this kernel cannot read past generations");
  if (at_generation) {
    int rc = hooks->read_page_at(generation, 0, page_buf);
    if (rc) return send_error(r->id, rc, "READ_OBJECTS_AT: no such generation");
  }
  out_begin();
  uint8_t *count_at = out_room(4);
  uint16_t done = 0;
  while (done < count && read_one(get32(r->p + skip + 4 + 4u * done), at_generation, generation, done == 0)) done++;
  put16(count_at, done);
  put16(count_at + 2, 0);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

/** A free block's header at addr (inside [SPACE_FIRST_OBJECT, top)): ENUMERATE may resume there. */
static int free_block_at(uint32_t addr, uint32_t top) {
  if (top - addr < HEADER_BYTES) return 0;
  const uint32_t *h = obj_header(addr_ref(addr));
  return (h[HDR_FLAGS / 4] & FLAG_KIND_MASK) == KIND_FREE && h[HDR_CLASS / 4] == 0;
}

static void req_enumerate(const struct request *r) {
  if (r->len != 12) return send_error(r->id, DE_BAD_REQUEST, "ENUMERATE takes start, class, max");
  uint32_t start = get32(r->p), cls = get32(r->p + 4);
  uint16_t max = get16(r->p + 8);
  if (get16(r->p + 10) != 0) return send_error(r->id, DE_BAD_REQUEST, "ENUMERATE: reserved field not 0");
  if (max > DBG_MAX_BATCH) max = DBG_MAX_BATCH;
  if (start == 0) start = SPACE_FIRST_OBJECT;
  uint32_t top = space_top();
  if (start < SPACE_FIRST_OBJECT || start % OBJECT_ALIGN || start > top ||
      (start < top && !obj_is_sane(addr_ref(start)) && !free_block_at(start, top))) {
    return send_error(r->id, DE_NOT_FOUND, "ENUMERATE: start is not an object");
  }
  out_begin();
  uint8_t *head = out_room(8);
  uint16_t count = 0;
  uint32_t scanned = 0, addr = start;
  while (addr < top && count < max && scanned < ENUMERATE_SCAN_BUDGET) {
    if (top - addr < HEADER_BYTES) break;
    const uint32_t *h = obj_header(addr_ref(addr));
    uint32_t next = addr + footprint(h[HDR_SIZE / 4]);
    if (next <= addr || next > top) break; /* a corrupt header: stop here rather than walk wild */
    if ((h[HDR_FLAGS / 4] & FLAG_KIND_MASK) != KIND_FREE && (cls == 0 || h[HDR_CLASS / 4] == addr_ref(cls))) {
      out_u32(addr);
      count++;
    }
    scanned++;
    addr = next;
  }
  put32(head, addr < top ? addr : 0);
  put16(head + 4, count);
  put16(head + 6, 0);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void list_array(word_t array, uint32_t *count) {
  if (!obj_is_sane(array) || obj_kind(array) != KIND_SLOTS) return;
  for (uint32_t i = 0; i < obj_slot_count(array); i++) {
    uint32_t a = ref_addr(obj_slots(array)[i]);
    if (a && out_left() >= 4) {
      out_u32(a);
      (*count)++;
    }
  }
}

static void req_classes(const struct request *r) {
  out_begin();
  uint8_t *count_at = out_room(4);
  uint32_t count = 0;
  list_array(slot_of(space_root(), ROOT_CLASSES), &count);
  list_array(slot_of(space_root(), ROOT_PROGRAM_CLASSES), &count);
  put32(count_at, count);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void out_generation(const struct debug_generation *g) {
  out_u32(g->number);
  out_u32(g->parent);
  out_u64(g->wall_seconds);
  out_u64(g->machine_ms);
  out_u32(g->pause_us);
  out_u32(g->pages_cow);
  out_u32(g->pages_written);
  out_u32(g->bytes_written);
  out_u32(g->write_us);
  out_u32(g->commit_us);
}

static void req_generations(const struct request *r) {
  if (!hooks->generation_count || !hooks->generation_at) return send_error(r->id, DE_FAILED, "no store is mounted");
  struct debug_machine_stats m = {0};
  if (hooks->stats) hooks->stats(&m);
  uint32_t n = hooks->generation_count();
  out_begin();
  out_u32(m.generation);
  uint8_t *count_at = out_room(4);
  uint32_t count = 0;
  for (uint32_t i = 0; i < n && out_left() >= GENERATION_ENTRY_BYTES; i++) {
    struct debug_generation g;
    if (hooks->generation_at(i, &g)) continue;
    out_generation(&g);
    count++;
  }
  put32(count_at, count);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_snapshot_now(const struct request *r) {
  if (!hooks->snapshot_now) return send_error(r->id, DE_FAILED, "snapshots are not available in this kernel");
  uint32_t generation = 0;
  int rc = hooks->snapshot_now(&generation);
  if (rc) return send_error(r->id, rc, "the snapshot failed");
  out_begin();
  out_u32(generation);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_pause_resume(const struct request *r) {
  paused = r->type == DBG_PAUSE;
  out_begin();
  out_u32(paused ? 1u : 0u);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_read_page(const struct request *r) {
  if (r->len != 8) return send_error(r->id, DE_BAD_REQUEST, "READ_PAGE takes generation, page");
  uint32_t generation = get32(r->p), page = get32(r->p + 4);
  if (page >= space_size() / PAGE_SIZE) return send_error(r->id, DE_NOT_FOUND, "READ_PAGE: page outside the space");
  out_begin();
  uint8_t *bytes = out_room(PAGE_SIZE);
  if (generation == 0xFFFFFFFFu) {
    memcpy(bytes, (const void *)(uintptr_t)(SPACE_BASE + page * PAGE_SIZE), PAGE_SIZE);
  } else {
    if (!hooks->read_page_at) return send_error(r->id, DE_FAILED, "this kernel cannot read past generations");
    int rc = hooks->read_page_at(generation, page, bytes);
    if (rc) return send_error(r->id, rc, "READ_PAGE: cannot read that page of that generation");
  }
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void req_install_class(const struct request *r) {
  if (r->len < 8) return send_error(r->id, DE_BAD_REQUEST, "INSTALL_CLASS takes total, offset, chunk");
  uint32_t received = 0;
  word_t cls = 0;
  const char *why = install_chunk(get32(r->p), get32(r->p + 4), r->p + 8, r->len - 8, &received, &cls);
  if (why) return send_error(r->id, DE_FAILED, why);
  out_begin();
  out_u32(received);
  out_u32(ref_addr(cls));
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

/** RUN's payload: str class, str method, and nothing after. */
static void req_run(const struct request *r) {
  uint32_t class_len = r->len >= 2 ? get16(r->p) : 0;
  uint32_t method_at = 2 + class_len;
  if (r->len < 4 || class_len == 0 || r->len < method_at + 2 || r->len != method_at + 2 + get16(r->p + method_at))
    return send_error(r->id, DE_BAD_REQUEST, "RUN takes a class name and a method name (empty: run)");
  word_t thread = 0;
  int not_found = 0;
  const char *why = run_class(r->p + 2, class_len, r->p + method_at + 2, get16(r->p + method_at), &thread, &not_found);
  if (why) return send_error(r->id, not_found ? DE_NOT_FOUND : DE_FAILED, why);
  out_begin();
  out_u32(obj_addr(thread));
  out_u32((uint32_t)word_to_int(slot_of(thread, THREAD_ID)));
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

/** RESET: the framing layer has already dropped what came before it; say how much. */
static void req_reset(const struct request *r) {
  out_begin();
  out_u32(discarded);
  send_frame(r->type | DBG_REPLY_BIT, r->id);
}

static void serve(const struct request *r) {
  int empty = r->len == 0;
  switch (r->type) {
  case DBG_HELLO: return req_hello(r);
  case DBG_READ_OBJECTS:
  case DBG_READ_OBJECTS_AT: return req_read_objects(r);
  case DBG_ENUMERATE: return req_enumerate(r);
  case DBG_READ_PAGE: return req_read_page(r);
  case DBG_INSTALL_CLASS: return req_install_class(r);
  case DBG_RUN: return req_run(r);
  case DBG_STATS:
  case DBG_ROOTS:
  case DBG_THREADS:
  case DBG_CLASSES:
  case DBG_GENERATIONS:
  case DBG_SNAPSHOT_NOW:
  case DBG_PAUSE:
  case DBG_RESUME:
  case DBG_RESET:
    if (!empty) return send_error(r->id, DE_BAD_REQUEST, "this request takes no payload");
    if (r->type == DBG_STATS) return req_stats(r);
    if (r->type == DBG_ROOTS) return req_roots(r);
    if (r->type == DBG_THREADS) return req_threads(r);
    if (r->type == DBG_CLASSES) return req_classes(r);
    if (r->type == DBG_GENERATIONS) return req_generations(r);
    if (r->type == DBG_SNAPSHOT_NOW) return req_snapshot_now(r);
    if (r->type == DBG_RESET) return req_reset(r);
    return req_pause_resume(r);
  default: return send_error(r->id, DE_UNKNOWN, "unknown request type");
  }
}

/* ── framing ── */

/** Drops n bytes at rx_pos: noise, or the start of a bad or unfinished frame. */
static void drop(size_t n) {
  rx_pos += n;
  discarded += (uint32_t)n;
}

/** Whether the 16 bytes at p are a RESET frame: no payload, a good CRC, any id. */
static int is_reset_frame(const uint8_t *p) {
  if (get16(p + DF_MAGIC) != DBG_MAGIC || p[DF_VERSION] != DBG_VERSION || p[DF_TYPE] != DBG_RESET ||
      get32(p + DF_LENGTH) != 0)
    return 0;
  uint8_t h[DBG_HEADER_BYTES];
  memcpy(h, p, sizeof h);
  put32(h + DF_CRC, 0);
  return crc32c(h, sizeof h) == get32(p + DF_CRC);
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
  if (get16(h + DF_MAGIC) != DBG_MAGIC) {
    drop(1);
    return STEP_DONE;
  }
  if (have < DBG_HEADER_BYTES) return STEP_NEED_BYTES;
  uint32_t id = get32(h + DF_ID), length = get32(h + DF_LENGTH);
  if (length > DBG_MAX_PAYLOAD) {
    send_error(id, DE_TOO_LARGE, "payload longer than DBG_MAX_PAYLOAD");
    drop(2);
    return STEP_DONE;
  }
  if (have < DBG_HEADER_BYTES + length) return reset_inside_unfinished_frame() ? STEP_DONE : STEP_NEED_BYTES;
  uint32_t crc = get32(h + DF_CRC);
  put32(h + DF_CRC, 0);
  if (crc32c(h, DBG_HEADER_BYTES + length) != crc) {
    put32(h + DF_CRC, crc);
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
    struct request r = {h[DF_TYPE], id, h + DBG_HEADER_BYTES, length};
    serve(&r);
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
  if (have < 2 || get16(h + DF_MAGIC) != DBG_MAGIC || ph_uptime_ms() - last_rx_ms < DBG_FRAME_TIMEOUT_MS) return 0;
  int header = have >= DBG_HEADER_BYTES;
  char why[120];
  ksnprintf(why, sizeof why, "unfinished frame: %u of %u bytes, then none for %u ms; dropped", (unsigned)have,
            header ? (unsigned)(DBG_HEADER_BYTES + get32(h + DF_LENGTH)) : (unsigned)DBG_HEADER_BYTES,
            (unsigned)DBG_FRAME_TIMEOUT_MS);
  send_error(header ? get32(h + DF_ID) : 0, DE_BAD_FRAME, why);
  drop(1);
  return 1;
}

void debug_agent_init(const struct debug_port *p, const struct debug_hooks *h) {
  static const struct debug_hooks none;
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
  if (!port || have < 2 || get16(rx + rx_pos + DF_MAGIC) != DBG_MAGIC) return UINT64_MAX;
  return last_rx_ms + DBG_FRAME_TIMEOUT_MS;
}

int debug_agent_paused(void) { return paused; }

void debug_agent_notify_generation(const struct debug_generation *g) {
  if (!port) return;
  out_begin();
  out_generation(g);
  send_frame(EV_GENERATION, 0);
}

void debug_agent_notify_thread_end(uint32_t thread_addr, uint32_t id, uint8_t state) {
  if (!port) return;
  out_begin();
  out_u32(thread_addr);
  out_u32(id);
  out_u8(state);
  send_frame(EV_THREAD_END, 0);
}
