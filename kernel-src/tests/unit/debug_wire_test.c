/*
 * debug_wire_test.c — fuzzes the decoders generated from lang/spec/debug.def and class_blob.def
 * (core/debug_wire.c, core/class_blob_wire.c). Every record's decoder gets random payloads, and
 * payloads written by the generated writers then damaged, each in a heap block of exactly its
 * length, so that a decoder that reads one byte past what it checked trips ASan. A decode either
 * refuses (with a reason) or accepts; what the writers write is accepted and reads back the same.
 */
#include <stdlib.h>
#include <string.h>

#include "class_blob_wire.h"
#include "debug_wire.h"
#include "test.h"

#define ROUNDS 3000

static uint32_t rng_state;
static uint32_t rng(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/** Decodes [bytes, bytes + len) from a heap block of exactly that size; returns why not, or 0. */
static const char *decode_exact(const struct wire_record *r, const uint8_t *bytes, uint32_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  memcpy(copy, bytes, len);
  const char *why = r->decode(copy, len);
  free(copy);
  return why;
}

/** Random bytes, mostly small numbers so that counts and lengths are often plausible. */
static uint32_t random_payload(uint8_t *p, uint32_t max) {
  uint32_t len = rng() % max;
  for (uint32_t i = 0; i < len; i++) p[i] = (uint8_t)(rng() % 4 ? rng() % 4 : rng());
  return len;
}

static void damage(uint8_t *p, uint32_t *len, uint32_t cap) {
  switch (rng() % 3) {
  case 0:
    if (*len) p[rng() % *len] = (uint8_t)rng();
    break;
  case 1:
    if (*len) *len = rng() % *len;
    break;
  default:
    if (*len < cap) p[(*len)++] = (uint8_t)rng();
  }
}

static int fuzz_records(const struct wire_record *records, uint32_t n, uint32_t *accepted) {
  static uint8_t buf[512];
  for (uint32_t round = 0; round < ROUNDS; round++) {
    for (uint32_t i = 0; i < n; i++) {
      uint32_t len = random_payload(buf, 64);
      const char *why = decode_exact(&records[i], buf, len);
      if (why && !*why) return 0; /* a refusal always says why */
      if (!why) (*accepted)++;
    }
  }
  return 1;
}

TEST(debug_wire_decoders_take_random_payloads_without_reading_past_them) {
  rng_state = 0x5eed;
  uint32_t accepted = 0;
  CHECK(fuzz_records(debug_wire_records, sizeof debug_wire_records / sizeof debug_wire_records[0], &accepted));
  CHECK(fuzz_records(class_blob_wire_records, sizeof class_blob_wire_records / sizeof class_blob_wire_records[0],
                     &accepted));
  CHECK(accepted > 1000); /* both outcomes are exercised, not only refusals */
}

/** A THREADS reply as the agent writes it: two threads, the second with two frames. */
static uint32_t threads_payload(uint8_t *p, uint32_t cap) {
  struct wire_out o = {p, 0, cap, 0};
  put_threads_reply(&o, &(struct threads_reply){.threads = {0, 2}});
  put_thread_entry(&o, &(struct thread_entry){.thread = 0x40001000, .id = 1, .state = 2, .frames = {0, 0}});
  put_thread_entry(&o, &(struct thread_entry){.thread = 0x40002000, .id = 2, .wake_at = 99, .frames = {0, 2}});
  put_frame_entry(&o, &(struct frame_entry){0x40003000, 0x40004000, 7});
  put_frame_entry(&o, &(struct frame_entry){0x40005000, 0x40006000, 8});
  return o.overflow ? 0 : o.len;
}

TEST(debug_wire_writers_and_decoders_agree) {
  uint8_t p[256];
  uint32_t len = threads_payload(p, sizeof p);
  CHECK(len > 0);
  struct threads_reply reply;
  CHECK(decode_threads_reply(p, len, &reply) == 0);
  CHECK_EQ(reply.threads.count, 2);
  const uint8_t *at = reply.threads.p, *end = p + len;
  struct thread_entry t;
  at = read_thread_entry(at, end, &t);
  CHECK_EQ(t.thread, 0x40001000);
  CHECK_EQ(t.frames.count, 0);
  at = read_thread_entry(at, end, &t);
  CHECK_EQ(t.wake_at, 99);
  CHECK_EQ(t.frames.count, 2);
  struct frame_entry f;
  read_frame_entry(t.frames.p + FRAME_ENTRY_FIXED_BYTES, end, &f);
  CHECK_EQ(f.pc, 8);
  CHECK(at == end);

  uint8_t obj[64];
  struct wire_out o = {obj, 0, sizeof obj, 0};
  static const uint8_t three[] = {1, 2, 3};
  uint8_t *bytes = put_object_entry(&o, &(struct object_entry){.object = 0x40000010, .size = 3, .bytes = {three, 3}});
  CHECK(bytes && bytes[2] == 3 && bytes[3] == 0); /* padded with zeros to 4 */
  struct object_entry e;
  CHECK(decode_object_entry(obj, o.len, &e) == 0);
  CHECK_EQ(e.bytes.len, 3);
  obj[o.len - 1] = 1; /* padding that is not zero */
  CHECK(decode_object_entry(obj, o.len, &e) != 0);
}

TEST(debug_wire_damaged_payloads_are_refused_or_read_within_bounds) {
  rng_state = 77;
  uint8_t good[256], p[300];
  uint32_t good_len = threads_payload(good, sizeof good);
  uint32_t refused = 0;
  for (uint32_t round = 0; round < ROUNDS; round++) {
    uint32_t len = good_len;
    memcpy(p, good, len);
    for (uint32_t k = 1 + rng() % 3; k > 0; k--) damage(p, &len, sizeof p);
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, p, len);
    struct threads_reply reply;
    if (decode_threads_reply(copy, len, &reply)) {
      refused++;
    } else {
      /* accepted: walking every element stays inside the payload */
      const uint8_t *at = reply.threads.p, *end = copy + len;
      for (uint32_t i = 0; i < reply.threads.count; i++) {
        struct thread_entry t;
        at = read_thread_entry(at, end, &t);
        for (uint32_t j = 0; j < t.frames.count; j++) {
          struct frame_entry f;
          read_frame_entry(t.frames.p + j * FRAME_ENTRY_FIXED_BYTES, end, &f);
        }
      }
      CHECK(at == end);
    }
    free(copy);
  }
  CHECK(refused > ROUNDS / 2);
}

TEST(debug_wire_limits_and_reserved_fields_are_enforced) {
  uint8_t p[8] = {0};
  struct read_objects_request r;
  wire_set16(p, DBG_MAX_BATCH + 1);
  CHECK(decode_read_objects_request(p, 4, &r) != 0);
  wire_set16(p, 1);
  CHECK(decode_read_objects_request(p, 4, &r) != 0); /* the count says one object, none follows */
  wire_set32(p + 4, 0x40000010);
  CHECK(decode_read_objects_request(p, 8, &r) == 0);
  CHECK_EQ(wire_list_u32(r.objects, 0), 0x40000010);
  p[2] = 1; /* reserved */
  CHECK(decode_read_objects_request(p, 8, &r) != 0);

  uint8_t run[] = {0, 0, 0, 0}; /* an empty class name */
  struct run_request rr;
  CHECK(decode_run_request(run, sizeof run, &rr) != 0);

  const char *why = 0;
  CHECK_EQ(serve_request(0x7E, 1, p, 0, &why), DE_UNKNOWN);
  CHECK(why != 0);
  CHECK_EQ(serve_request(DBG_STATS, 1, p, 1, &why), DE_BAD_REQUEST);
}
