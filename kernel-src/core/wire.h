/*
 * wire.h — the primitives the generated codecs (debug_wire.*, class_blob_wire.*, from
 * the .def files of lang/spec) are built on: little-endian numbers, a checked reader that records the first
 * reason a payload is malformed instead of reading past it, and a writer that stops at its
 * capacity. No layout lives here; the generated files hold every one.
 */
#ifndef PHANTOM_WIRE_H
#define PHANTOM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "klib.h"

/** Bytes inside a payload: a string (without its length), a byte field, the rest of a payload. */
struct wire_bytes {
  const uint8_t *p;
  uint32_t len;
};

/** A list inside a checked payload: its first element and how many there are. */
struct wire_list {
  const uint8_t *p;
  uint32_t count;
};

/** A payload being checked: [p, p + len), read up to pos; why is 0 until something is wrong. */
struct wire_in {
  const uint8_t *p;
  uint32_t len, pos;
  const char *why;
};

/** A payload being written into [p, p + cap); overflow is set (and nothing written) once it is full. */
struct wire_out {
  uint8_t *p;
  uint32_t len, cap;
  int overflow;
};

static inline uint16_t wire_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t wire_get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wire_get64(const uint8_t *p) { return wire_get32(p) | (uint64_t)wire_get32(p + 4) << 32; }
static inline void wire_set16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void wire_set32(uint8_t *p, uint32_t v) {
  wire_set16(p, (uint16_t)v);
  wire_set16(p + 2, (uint16_t)(v >> 16));
}

/** A record of a spec, by name, with a decoder of whole payloads (0 or why not). */
struct wire_record {
  const char *name;
  const char *(*decode)(const uint8_t *p, uint32_t len);
};

/* ── checking ── */

static inline void wire_in_fail(struct wire_in *c, const char *why) {
  if (!c->why) c->why = why;
}

/** Takes n bytes; returns them, or 0 (and records where) when the payload ends first or is already bad. */
static inline const uint8_t *wire_in_take(struct wire_in *c, uint64_t n, const char *field) {
  if (c->why) return 0;
  if (n > c->len - c->pos) {
    c->why = field;
    return 0;
  }
  const uint8_t *at = c->p + c->pos;
  c->pos += (uint32_t)n;
  return at;
}
static inline void wire_in_skip(struct wire_in *c, uint64_t n, const char *field) { wire_in_take(c, n, field); }
static inline uint32_t wire_in_u8(struct wire_in *c, const char *field) {
  const uint8_t *at = wire_in_take(c, 1, field);
  return at ? at[0] : 0;
}
static inline uint32_t wire_in_u16(struct wire_in *c, const char *field) {
  const uint8_t *at = wire_in_take(c, 2, field);
  return at ? wire_get16(at) : 0;
}
static inline uint32_t wire_in_u32(struct wire_in *c, const char *field) {
  const uint8_t *at = wire_in_take(c, 4, field);
  return at ? wire_get32(at) : 0;
}
static inline uint64_t wire_in_u64(struct wire_in *c, const char *field) {
  const uint8_t *at = wire_in_take(c, 8, field);
  return at ? wire_get64(at) : 0;
}
static inline void wire_in_str(struct wire_in *c, uint32_t min, const char *field) {
  uint32_t n = wire_in_u16(c, field);
  if (n < min) wire_in_fail(c, field);
  wire_in_skip(c, n, field);
}
/** The zero bytes that pad a field of n bytes to a multiple of pad. */
static inline void wire_in_pad(struct wire_in *c, uint32_t n, uint32_t pad, const char *field) {
  uint32_t k = (pad - n % pad) % pad;
  const uint8_t *at = wire_in_take(c, k, field);
  for (uint32_t i = 0; at && i < k; i++)
    if (at[i]) wire_in_fail(c, field);
}

/* ── reading a checked payload ── */

static inline const uint8_t *wire_read_str(const uint8_t *at, struct wire_bytes *s) {
  s->len = wire_get16(at);
  s->p = at + 2;
  return at + 2 + s->len;
}

/** Element i of a checked list of u32s (refs). */
static inline uint32_t wire_list_u32(struct wire_list list, uint32_t i) { return wire_get32(list.p + 4 * (size_t)i); }

/* ── writing ── */

/** Room for n more bytes, or 0 (and overflow set) when they do not fit. */
static inline uint8_t *wire_room(struct wire_out *o, uint32_t n) {
  if (o->overflow || n > o->cap - o->len) {
    o->overflow = 1;
    return 0;
  }
  uint8_t *at = o->p + o->len;
  o->len += n;
  return at;
}
static inline void wire_put8(struct wire_out *o, uint8_t v) {
  uint8_t *at = wire_room(o, 1);
  if (at) at[0] = v;
}
static inline void wire_put16(struct wire_out *o, uint16_t v) {
  uint8_t *at = wire_room(o, 2);
  if (at) wire_set16(at, v);
}
static inline void wire_put32(struct wire_out *o, uint32_t v) {
  uint8_t *at = wire_room(o, 4);
  if (at) wire_set32(at, v);
}
static inline void wire_put64(struct wire_out *o, uint64_t v) {
  wire_put32(o, (uint32_t)v);
  wire_put32(o, (uint32_t)(v >> 32));
}
/** n bytes (zeros when p is 0), then zeros to a multiple of pad; returns where they went, or 0. */
static inline uint8_t *wire_put_bytes(struct wire_out *o, const uint8_t *p, uint32_t n, uint32_t pad) {
  uint32_t padded = n + (pad - n % pad) % pad;
  if (padded < n) {
    o->overflow = 1;
    return 0;
  }
  uint8_t *at = wire_room(o, padded);
  if (!at) return 0;
  if (p) memcpy(at, p, n);
  else memset(at, 0, n);
  memset(at + n, 0, padded - n);
  return at;
}
static inline void wire_put_str(struct wire_out *o, struct wire_bytes s) {
  wire_put16(o, (uint16_t)s.len);
  wire_put_bytes(o, s.p, s.len, 1);
}
/** A C string as a str field (at most 65535 bytes of it). */
static inline struct wire_bytes wire_cstr(const char *s) {
  size_t n = strlen(s);
  return (struct wire_bytes){(const uint8_t *)s, n > 0xFFFF ? 0xFFFFu : (uint32_t)n};
}

#endif
