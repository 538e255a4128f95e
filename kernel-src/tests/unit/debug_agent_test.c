/*
 * debug_agent_test.c — the debug agent over an in-memory port and a hand-built space: every
 * request's reply, error replies for malformed requests, resynchronisation after garbage, and a
 * fuzz loop of random and mutated frames that must always leave the agent answering (ASan and
 * UBSan watch every read).
 */
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "debug_agent.h"
#include "hosted.h"
#include "platform.h"
#include "space_fixture.h"
#include "test.h"

static uint8_t in_buf[1 << 18];
static size_t in_len, in_pos;
static uint8_t out_buf[1 << 20];
static size_t out_len;

static size_t port_read(uint8_t *buf, size_t max) {
  size_t n = in_len - in_pos < max ? in_len - in_pos : max;
  if (n > 977) n = 977; /* deliver in odd-sized pieces, as a UART would */
  memcpy(buf, in_buf + in_pos, n);
  in_pos += n;
  return n;
}

static void port_write(const uint8_t *bytes, size_t n) {
  if (out_len + n > sizeof out_buf) abort();
  memcpy(out_buf + out_len, bytes, n);
  out_len += n;
}

static size_t room_limit = SIZE_MAX; /* how much the port may take: a host that does not read its replies leaves none */

static size_t port_room(void) {
  size_t room = sizeof out_buf - out_len;
  return room < room_limit ? room : room_limit;
}

static const struct debug_port port = {port_read, port_room, port_write};

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)v);
  put16(p + 2, (uint16_t)(v >> 16));
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }

/** Appends a request frame to the input. */
static void send(uint8_t type, uint32_t id, const uint8_t *payload, uint32_t len) {
  uint8_t *h = in_buf + in_len;
  put16(h, DBG_MAGIC);
  h[2] = DBG_VERSION;
  h[3] = type;
  put32(h + 4, id);
  put32(h + 8, len);
  put32(h + 12, 0);
  if (len) memcpy(h + 16, payload, len);
  put32(h + 12, crc32c(h, 16 + len));
  in_len += 16 + len;
}

/** A header announcing `len` payload bytes followed by only `sent` of them: a client that quit mid-frame. */
static void send_unfinished(uint8_t type, uint32_t id, uint32_t len, uint32_t sent) {
  send(type, id, 0, 0);
  put32(in_buf + in_len - 16 + 8, len);
  memset(in_buf + in_len, 0xAB, sent);
  in_len += sent;
}

struct reply {
  uint8_t type;
  uint32_t id;
  const uint8_t *p;
  uint32_t len;
};

/** Runs the agent over the queued input and splits its output into frames (checking each). */
static int exchange(struct reply *replies, int max) {
  out_len = 0;
  debug_agent_poll(UINT32_MAX);
  int n = 0;
  size_t pos = 0;
  while (pos + 16 <= out_len && n < max) {
    uint8_t *h = out_buf + pos;
    uint32_t len = get32(h + 8), crc = get32(h + 12);
    put32(h + 12, 0);
    if (get16(h) != DBG_MAGIC || crc32c(h, 16 + len) != crc) return -1;
    replies[n++] = (struct reply){h[3], get32(h + 4), h + 16, len};
    pos += 16 + len;
  }
  in_len = in_pos = 0;
  return pos == out_len ? n : -1;
}

static word_t node_class, first, second;

static void setup(void) {
  fixture_space(1 << 20);
  node_class = fixture_class(".demo.node", 0, 2, 0);
  second = fixture_object(node_class, 2);
  first = fixture_object(node_class, 2);
  obj_slots(first)[0] = second;
  obj_slots(first)[1] = fixture_string("hello");
  in_len = in_pos = 0;
  room_limit = SIZE_MAX;
  debug_agent_init(&port, 0);
}

TEST(debug_hello_reports_versions_and_space) {
  setup();
  uint8_t v[2] = {1, 0};
  send(DBG_HELLO, 7, v, 2);
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 1);
  CHECK_EQ(r[0].type, DBG_HELLO | DBG_REPLY_BIT);
  CHECK_EQ(r[0].id, 7);
  CHECK_EQ(get16(r[0].p), DBG_VERSION);
  CHECK_EQ(get16(r[0].p + 2), DBG_REVISION);
  CHECK_EQ(get32(r[0].p + 8), SPACE_BASE);
  CHECK_EQ(get32(r[0].p + 12), 1 << 20);
  CHECK(memcmp(r[0].p + 22, DEBUG_KERNEL_NAME, strlen(DEBUG_KERNEL_NAME)) == 0);
}

TEST(debug_read_objects_returns_headers_and_payloads_in_order) {
  setup();
  uint8_t req[4 + 12];
  put16(req, 3);
  put16(req + 2, 0);
  put32(req + 4, obj_addr(first));
  put32(req + 8, SPACE_BASE + 2); /* not an object */
  put32(req + 12, obj_addr(second));
  send(DBG_READ_OBJECTS, 9, req, sizeof req);
  struct reply r[2];
  CHECK_EQ(exchange(r, 2), 1);
  CHECK_EQ(get16(r[0].p), 3);
  const uint8_t *e = r[0].p + 4;
  CHECK_EQ(get32(e), obj_addr(first));
  CHECK_EQ(e[4], 0);
  CHECK_EQ(get32(e + 8), node_class);
  CHECK_EQ(get32(e + 20), 8);
  CHECK_EQ(get32(e + 24), second);
  e += 24 + 8;
  CHECK_EQ(get32(e), SPACE_BASE + 2);
  CHECK_EQ(e[4], 1);
  e += 24;
  CHECK_EQ(get32(e), obj_addr(second));
  CHECK_EQ(e[4], 0);
}

TEST(debug_enumerate_walks_by_class_and_resumes) {
  setup();
  uint8_t req[12] = {0};
  put32(req + 4, obj_addr(node_class));
  put16(req + 8, 1);
  send(DBG_ENUMERATE, 1, req, sizeof req);
  struct reply r[2];
  CHECK_EQ(exchange(r, 2), 1);
  CHECK_EQ(get16(r[0].p + 4), 1);
  CHECK_EQ(get32(r[0].p + 8), obj_addr(second));
  uint32_t next = get32(r[0].p);
  CHECK(next > obj_addr(second));
  put32(req, next);
  put16(req + 8, 100);
  send(DBG_ENUMERATE, 2, req, sizeof req);
  CHECK_EQ(exchange(r, 2), 1);
  CHECK_EQ(get16(r[0].p + 4), 1);
  CHECK_EQ(get32(r[0].p + 8), obj_addr(first));
  CHECK_EQ(get32(r[0].p), 0);
  put32(req, SPACE_BASE + 6); /* misaligned start */
  send(DBG_ENUMERATE, 3, req, sizeof req);
  CHECK_EQ(exchange(r, 2), 1);
  CHECK_EQ(r[0].type, DBG_ERROR_TYPE);
  CHECK_EQ(get16(r[0].p), DE_NOT_FOUND);
}

TEST(debug_roots_classes_and_pause) {
  setup();
  send(DBG_ROOTS, 1, 0, 0);
  send(DBG_CLASSES, 2, 0, 0);
  send(DBG_PAUSE, 3, 0, 0);
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 3);
  CHECK_EQ(get32(r[0].p), obj_addr(space_root()));
  CHECK(get32(r[1].p) >= CID_BOOT);
  CHECK_EQ(debug_agent_paused(), 1);
  send(DBG_RESUME, 4, 0, 0);
  CHECK_EQ(exchange(r, 4), 1);
  CHECK_EQ(debug_agent_paused(), 0);
}

TEST(debug_malformed_requests_get_error_replies) {
  setup();
  uint8_t junk[3] = {1, 2, 3};
  send(DBG_STATS, 1, junk, 3);            /* payload where none is expected */
  send(0x55, 2, 0, 0);                    /* unknown type */
  uint8_t short_read[4] = {5, 0, 0, 0};   /* count 5, no refs */
  send(DBG_READ_OBJECTS, 3, short_read, 4);
  send(DBG_GENERATIONS, 4, 0, 0);         /* no store hooks */
  send(DBG_READ_PAGE, 5, junk, 3);
  struct reply r[8];
  CHECK_EQ(exchange(r, 8), 5);
  int codes[5] = {DE_BAD_REQUEST, DE_UNKNOWN, DE_BAD_REQUEST, DE_FAILED, DE_BAD_REQUEST};
  for (int i = 0; i < 5; i++) {
    CHECK_EQ(r[i].type, DBG_ERROR_TYPE);
    CHECK_EQ(r[i].id, (uint32_t)i + 1);
    CHECK_EQ(get16(r[i].p), codes[i]);
  }
}

/** A store's answer for DIRTY_PAGES: pages 0, 9 and the space's last page, relative to generation 41. */
static uint32_t three_uncommitted_pages(uint8_t *bitmap, uint32_t *generation) {
  uint32_t last = (1u << 20) / PAGE_SIZE - 1;
  bitmap[0] |= 1;
  bitmap[1] |= 1 << 1;
  bitmap[last / 8] |= (uint8_t)(1u << (last % 8));
  *generation = 41;
  return 3;
}

TEST(debug_dirty_pages_sends_the_stores_bitmap_of_the_whole_space) {
  setup();
  send(DBG_DIRTY_PAGES, 1, 0, 0); /* no store hooks */
  uint8_t junk[4] = {0};
  send(DBG_DIRTY_PAGES, 2, junk, 4);
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 2);
  CHECK_EQ(r[0].type, DBG_ERROR_TYPE);
  CHECK_EQ(get16(r[0].p), DE_FAILED);
  CHECK_EQ(get16(r[1].p), DE_BAD_REQUEST);

  static const struct debug_hooks store = {.uncommitted_pages = three_uncommitted_pages};
  debug_agent_init(&port, &store);
  send(DBG_DIRTY_PAGES, 3, 0, 0);
  CHECK_EQ(exchange(r, 4), 1);
  CHECK_EQ(r[0].type, DBG_DIRTY_PAGES | DBG_REPLY_BIT);
  struct dirty_pages_reply d;
  CHECK(decode_dirty_pages_reply(r[0].p, r[0].len, &d) == 0);
  CHECK_EQ(d.generation, 41);
  CHECK_EQ(d.dirty, 3);
  CHECK_EQ(d.bitmap.len, (1u << 20) / PAGE_SIZE / 8); /* one bit for each page of the 1 MiB space */
  uint32_t set = 0;
  for (uint32_t i = 0; i < d.bitmap.len; i++)
    for (int b = 0; b < 8; b++) set += d.bitmap.p[i] >> b & 1;
  CHECK_EQ(set, 3);
  CHECK_EQ(d.bitmap.p[1], 2);
  CHECK_EQ(d.bitmap.p[d.bitmap.len - 1], 0x80);
}

/** A store's answer with more pages than NOW_PAGES carries. */
static uint32_t many_uncommitted_pages(uint8_t *bitmap, uint32_t *generation) {
  memset(bitmap, 0xFF, 2); /* pages 0..15 */
  *generation = 41;
  return 16;
}

TEST(debug_now_pages_sends_few_pages_with_their_bytes_and_many_without) {
  setup();
  send(DBG_NOW_PAGES, 1, 0, 0); /* no store hooks */
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 1);
  CHECK_EQ(get16(r[0].p), DE_FAILED);

  static const struct debug_hooks few = {.uncommitted_pages = three_uncommitted_pages};
  debug_agent_init(&port, &few);
  send(DBG_NOW_PAGES, 2, 0, 0);
  CHECK_EQ(exchange(r, 4), 1);
  CHECK_EQ(r[0].type, DBG_NOW_PAGES | DBG_REPLY_BIT);
  struct now_pages_reply n;
  CHECK(decode_now_pages_reply(r[0].p, r[0].len, &n) == 0);
  CHECK_EQ(n.generation, 41);
  CHECK_EQ(n.dirty, 3);
  CHECK_EQ(n.pages.count, 3);
  uint32_t want[3] = {0, 9, (1u << 20) / PAGE_SIZE - 1};
  const uint8_t *at = n.pages.p;
  for (int i = 0; i < 3; i++) {
    struct now_page page;
    at = read_now_page(at, r[0].p + r[0].len, &page);
    CHECK_EQ(page.page, want[i]);
    CHECK(memcmp(page.bytes.p, (const void *)(uintptr_t)(SPACE_BASE + want[i] * PAGE_SIZE), PAGE_SIZE) == 0);
  }

  static const struct debug_hooks many = {.uncommitted_pages = many_uncommitted_pages};
  debug_agent_init(&port, &many);
  send(DBG_NOW_PAGES, 3, 0, 0);
  CHECK_EQ(exchange(r, 4), 1);
  CHECK(decode_now_pages_reply(r[0].p, r[0].len, &n) == 0);
  CHECK_EQ(n.dirty, 16);
  CHECK_EQ(n.pages.count, 0); /* too many: the client pauses and reads them */
}

/** A RUN payload: str class, str method. */
static uint32_t run_payload(uint8_t *p, const char *cls, const char *method) {
  uint32_t c = (uint32_t)strlen(cls), m = (uint32_t)strlen(method);
  put16(p, (uint16_t)c);
  memcpy(p + 2, cls, c);
  put16(p + 2 + c, (uint16_t)m);
  memcpy(p + 4 + c, method, m);
  return 4 + c + m;
}

TEST(debug_run_checks_its_payload_and_names) {
  setup();
  uint8_t p[64];
  uint32_t n = run_payload(p, ".demo.node", "run");
  send(DBG_RUN, 1, p, n - 1);     /* the method name is cut short */
  send(DBG_RUN, 2, p, 2);         /* no method name at all */
  p[n] = 0;
  send(DBG_RUN, 3, p, n + 1);     /* a trailing byte */
  uint32_t empty = run_payload(p, "", "run");
  send(DBG_RUN, 4, p, empty);     /* no class name */
  n = run_payload(p, ".demo.nowhere", "");
  send(DBG_RUN, 5, p, n);
  struct reply r[8];
  CHECK_EQ(exchange(r, 8), 5);
  int codes[5] = {DE_BAD_REQUEST, DE_BAD_REQUEST, DE_BAD_REQUEST, DE_BAD_REQUEST, DE_NOT_FOUND};
  for (int i = 0; i < 5; i++) {
    CHECK_EQ(r[i].type, DBG_ERROR_TYPE);
    CHECK_EQ(r[i].id, (uint32_t)i + 1);
    CHECK_EQ(get16(r[i].p), codes[i]);
  }
  CHECK(obj_slots(space_root())[ROOT_THREADS] == 0);
}

TEST(debug_garbage_and_bad_frames_are_skipped) {
  setup();
  memcpy(in_buf, "noise PD", 8);
  in_len = 8;
  send(DBG_ROOTS, 1, 0, 0);
  in_buf[in_len - 1] ^= 0xFF; /* corrupt that frame's CRC */
  send(DBG_ROOTS, 2, 0, 0);
  struct reply r[4];
  int n = exchange(r, 4);
  CHECK(n >= 2);
  CHECK_EQ(r[n - 1].id, 2);
  CHECK_EQ(r[n - 1].type, DBG_ROOTS | DBG_REPLY_BIT);
  CHECK_EQ(r[n - 2].type, DBG_ERROR_TYPE);
}

static const uint8_t client_version[2] = {DBG_VERSION, 0};

TEST(debug_reset_ends_an_unfinished_frame_at_once) {
  setup();
  send_unfinished(DBG_STATS, 3, DBG_MAX_PAYLOAD, 10);
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 0);
  send(DBG_RESET, 0x5eed, 0, 0);
  send(DBG_HELLO, 1, client_version, 2);
  CHECK_EQ(exchange(r, 4), 2);
  CHECK_EQ(r[0].type, DBG_RESET | DBG_REPLY_BIT);
  CHECK_EQ(r[0].id, 0x5eed);
  CHECK_EQ(r[0].len, 4);
  CHECK_EQ(get32(r[0].p), 16 + 10); /* the unfinished frame's header and its 10 bytes */
  CHECK_EQ(r[1].type, DBG_HELLO | DBG_REPLY_BIT);
  CHECK_EQ(r[1].id, 1);
}

TEST(debug_reset_with_a_payload_is_a_bad_request_and_cuts_nothing) {
  setup();
  uint8_t junk[2] = {1, 2};
  send(DBG_RESET, 1, junk, 2);
  send(DBG_RESET, 2, 0, 0);
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 2);
  CHECK_EQ(r[0].type, DBG_ERROR_TYPE);
  CHECK_EQ(get16(r[0].p), DE_BAD_REQUEST);
  CHECK_EQ(r[1].type, DBG_RESET | DBG_REPLY_BIT);
  CHECK_EQ(get32(r[1].p), 0);
}

TEST(debug_unfinished_frame_times_out_and_what_followed_it_is_served) {
  setup();
  hosted_use_virtual_clock(1);
  send_unfinished(DBG_STATS, 3, 100, 10);
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 0);
  send(DBG_HELLO, 4, client_version, 2); /* a client that does not reset: its HELLO lands inside the frame */
  CHECK_EQ(exchange(r, 4), 0);
  ph_idle_until(ph_uptime_ms() + DBG_FRAME_TIMEOUT_MS - 1);
  CHECK_EQ(exchange(r, 4), 0);
  ph_idle_until(ph_uptime_ms() + 1);
  CHECK_EQ(exchange(r, 4), 2);
  CHECK_EQ(r[0].type, DBG_ERROR_TYPE);
  CHECK_EQ(r[0].id, 3);
  CHECK_EQ(get16(r[0].p), DE_BAD_FRAME);
  CHECK_EQ(r[1].type, DBG_HELLO | DBG_REPLY_BIT);
  CHECK_EQ(r[1].id, 4);
}

TEST(debug_fuzz_random_and_mutated_frames) {
  setup();
  static const struct debug_hooks store = {.uncommitted_pages = three_uncommitted_pages};
  debug_agent_init(&port, &store);
  srand(4242);
  static struct reply r[4096]; /* a mutated length can hold many frames back until they all arrive */
  for (int round = 0; round < 3000; round++) {
    int type = rand() % (DBG_STOPPED + 3); /* every request type, the debugger's included, and a few unknown */
    if (rand() % 8 == 0) type = DBG_DIRTY_PAGES + rand() % 8; /* revision 4's requests, and unknown ones beside them */
    uint8_t payload[64];
    uint32_t len = (uint32_t)(rand() % 40);
    for (uint32_t i = 0; i < len; i++) payload[i] = (uint8_t)rand();
    if (rand() % 2 && len >= 8) put32(payload + 4 * (rand() % 2), obj_addr(first) + (uint32_t)(rand() % 64));
    if (type == DBG_RUN && rand() % 2) { /* a well-formed RUN, some of its bytes changed */
      len = run_payload(payload, ".demo.node", "run");
      payload[rand() % len] = (uint8_t)rand();
    }
    send((uint8_t)type, (uint32_t)round, payload, len);
    if (rand() % 4 == 0) in_buf[rand() % in_len] ^= (uint8_t)(1 << (rand() % 8));
    if (rand() % 8 == 0) in_buf[in_len++] = (uint8_t)rand();
    CHECK(exchange(r, 4096) >= 0);
  }
  debug_agent_init(&port, 0); /* still serving */
  send(DBG_ROOTS, 99, 0, 0);
  CHECK_EQ(exchange(r, 4096), 1);
  CHECK_EQ(r[0].id, 99);
}

TEST(debug_poll_stops_when_its_budget_is_spent_and_goes_on_later) {
  setup();
  for (uint32_t id = 1; id <= 50; id++) send(DBG_STATS, id, 0, 0);
  out_len = 0;
  CHECK_EQ(debug_agent_poll(0), 1); /* a budget of nothing still answers one request */
  CHECK_EQ(out_len, 16 + 52); /* one STATS reply */
  CHECK_EQ(get32(out_buf + 4), 1);
  struct reply r[64];
  CHECK_EQ(exchange(r, 64), 49);
  CHECK_EQ(r[0].id, 2);
  CHECK_EQ(r[48].id, 50);
  CHECK_EQ(debug_agent_poll(0), 0); /* nothing left */
}

TEST(debug_requests_wait_while_the_largest_reply_would_not_fit_and_events_are_dropped) {
  setup();
  send(DBG_STATS, 1, 0, 0);
  send(DBG_ROOTS, 2, 0, 0);
  room_limit = DBG_HEADER_BYTES + DBG_MAX_PAYLOAD - 1;
  out_len = 0;
  CHECK_EQ(debug_agent_poll(UINT32_MAX), 0);
  CHECK_EQ(out_len, 0);
  CHECK_EQ(in_pos, 0); /* not even read */
  debug_agent_notify_thread_end(obj_addr(first), 3, 2);
  CHECK_EQ(out_len, DBG_HEADER_BYTES + 9); /* an event still fits */
  room_limit = 8;
  out_len = 0;
  debug_agent_notify_thread_end(obj_addr(first), 3, 2);
  CHECK_EQ(out_len, 0);
  room_limit = SIZE_MAX;
  struct reply r[4];
  CHECK_EQ(exchange(r, 4), 2);
  CHECK_EQ(r[0].id, 1);
  CHECK_EQ(r[1].id, 2);
}

/** What a client that quit may leave in the agent: noise, whole and damaged frames, a frame cut short. */
static void queue_leftover(void) {
  for (int parts = rand() % 4; parts > 0; parts--) {
    int kind = rand() % 3;
    uint8_t payload[40];
    uint32_t len = (uint32_t)(rand() % 40);
    for (uint32_t i = 0; i < len; i++) payload[i] = (uint8_t)rand();
    if (kind == 0) {
      memcpy(in_buf + in_len, payload, len);
      in_len += len;
    } else if (kind == 1) {
      send((uint8_t)(rand() % 20), (uint32_t)rand(), payload, len);
      if (rand() % 2) in_buf[in_len - 1 - (size_t)(rand() % 16)] ^= 1;
    } else {
      uint32_t announced = (uint32_t)rand() % (DBG_MAX_PAYLOAD + 1);
      send_unfinished((uint8_t)(rand() % 20), (uint32_t)rand(), announced, announced ? (uint32_t)rand() % announced % 2000 : 0);
      if (rand() % 4 == 0) in_len -= 16 - (size_t)(rand() % 16); /* or even its header cut short */
    }
  }
}

TEST(debug_fuzz_a_new_client_is_answered_after_anything) {
  setup();
  hosted_use_virtual_clock(1);
  srand(977);
  static struct reply r[4096];
  for (int round = 0; round < 3000; round++) {
    queue_leftover();
    CHECK(exchange(r, 4096) >= 0);
    uint32_t id = 0x100000u + (uint32_t)round;
    if (rand() % 2) { /* a client that resets is answered at once */
      send(DBG_RESET, id, 0, 0);
      send(DBG_ROOTS, id + 1, 0, 0);
      int n = exchange(r, 4096);
      CHECK(n >= 2);
      CHECK_EQ(r[n - 2].id, id);
      CHECK_EQ(r[n - 2].type, DBG_RESET | DBG_REPLY_BIT);
      CHECK_EQ(r[n - 1].id, id + 1);
      CHECK_EQ(r[n - 1].type, DBG_ROOTS | DBG_REPLY_BIT);
    } else { /* one that does not, once an unfinished frame has timed out */
      send(DBG_ROOTS, id, 0, 0);
      int n = exchange(r, 4096);
      if (n == 0 || r[n - 1].id != id) {
        ph_idle_until(ph_uptime_ms() + DBG_FRAME_TIMEOUT_MS);
        n = exchange(r, 4096);
      }
      CHECK(n >= 1);
      CHECK_EQ(r[n - 1].id, id);
      CHECK_EQ(r[n - 1].type, DBG_ROOTS | DBG_REPLY_BIT);
    }
  }
}
