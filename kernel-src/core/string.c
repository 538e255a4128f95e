/*
 * string.c — strings: immutable UTF-8 bytes in a KIND_BYTES object of class .internal.string
 * (HDR_SIZE = byte count, no terminator). Helpers the interpreter uses (new strings, decimal
 * forms, O2S, console output) and the string natives of natives.def. Indexes are bytes.
 */
#include "gc.h"
#include "interp.h"
#include "klib.h"
#include "platform.h"

word_t string_new(const void *bytes, uint32_t n) {
  word_t s = gc_alloc(vm_class[CID_STRING], KIND_BYTES, n);
  if (s) memcpy(obj_bytes(s), bytes, n);
  return s;
}

/** Decimal digits of n into buf (at least 12 bytes); returns the length. */
static uint32_t format_int(int32_t n, char *buf) {
  char tmp[12];
  uint32_t len = 0, out = 0;
  uint32_t magnitude = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  do {
    tmp[len++] = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude);
  if (n < 0) buf[out++] = '-';
  while (len) buf[out++] = tmp[--len];
  return out;
}

word_t string_from_int(int32_t n) {
  char buf[12];
  return string_new(buf, format_int(n, buf));
}

void console_write_string(word_t s) { ph_console_write((const char *)obj_bytes(s), obj_size(s)); }

void console_write_value(word_t w) {
  if (!w) {
    ph_console_write("null", 4);
  } else if (word_is_int(w)) {
    char buf[12];
    ph_console_write(buf, format_int(word_to_int(w), buf));
  } else if (is_string(w)) {
    console_write_string(w);
  } else {
    word_t name = obj_slots(obj_class(w))[CLASS_NAME];
    ph_console_write("<", 1);
    if (is_string(name)) console_write_string(name);
    ph_console_write(">", 1);
  }
}

word_t string_of_value(word_t w) {
  if (!w) return string_new("null", 4);
  if (word_is_int(w)) return string_from_int(word_to_int(w));
  if (is_string(w)) return w;
  word_t name = obj_slots(obj_class(w))[CLASS_NAME];
  uint32_t n = is_string(name) ? obj_size(name) : 0;
  word_t s = gc_alloc(vm_class[CID_STRING], KIND_BYTES, n + 2);
  if (!s) return 0;
  obj_bytes(s)[0] = '<';
  if (n) memcpy(obj_bytes(s) + 1, obj_bytes(name), n);
  obj_bytes(s)[n + 1] = '>';
  return s;
}

/** The receiver (args[0]) as a string, or 0 with the error set. */
static word_t receiver(struct native_call *c) {
  word_t s = c->args[0];
  if (!s) c->error = ERR_NULL_REFERENCE;
  else if (!is_string(s)) c->error = ERR_BAD_CAST;
  return c->error ? 0 : s;
}

/** args[i] as an int, or the error set. */
static int int_arg(struct native_call *c, int i, int32_t *out) {
  if (!word_is_int(c->args[i])) {
    c->error = ERR_BAD_ARGUMENT;
    return 0;
  }
  *out = word_to_int(c->args[i]);
  return 1;
}

void native_STR_LENGTH(struct native_call *c) {
  word_t s = receiver(c);
  if (s) c->result = int_to_word((int32_t)obj_size(s));
}

void native_STR_CHAR_AT(struct native_call *c) {
  word_t s = receiver(c);
  int32_t i;
  if (!s || !int_arg(c, 1, &i)) return;
  if (i < 0 || (uint32_t)i >= obj_size(s)) c->error = ERR_INDEX;
  else c->result = int_to_word(obj_bytes(s)[i]);
}

void native_STR_SUBSTRING(struct native_call *c) {
  word_t s = receiver(c);
  int32_t begin, end;
  if (!s || !int_arg(c, 1, &begin) || !int_arg(c, 2, &end)) return;
  if (begin < 0 || begin > end || (uint32_t)end > obj_size(s)) {
    c->error = ERR_INDEX;
    return;
  }
  word_t sub = gc_alloc(vm_class[CID_STRING], KIND_BYTES, (uint32_t)(end - begin));
  if (!sub) {
    c->error = ERR_OUT_OF_MEMORY;
    return;
  }
  memcpy(obj_bytes(sub), obj_bytes(c->args[0]) + begin, (uint32_t)(end - begin));
  c->result = sub;
}

/** The string argument args[1]: null raises NullReference, a non-string BadCast. */
static word_t string_arg(struct native_call *c) {
  word_t s = c->args[1];
  if (!s) c->error = ERR_NULL_REFERENCE;
  else if (!is_string(s)) c->error = ERR_BAD_CAST;
  return c->error ? 0 : s;
}

void native_STR_INDEX_OF(struct native_call *c) {
  word_t s = receiver(c);
  word_t needle = s ? string_arg(c) : 0;
  if (!needle) return;
  uint32_t n = obj_size(s), m = obj_size(needle);
  c->result = int_to_word(-1);
  for (uint32_t i = 0; m <= n && i <= n - m; i++) {
    if (!memcmp(obj_bytes(s) + i, obj_bytes(needle), m)) {
      c->result = int_to_word((int32_t)i);
      return;
    }
  }
}

void native_STR_EQUALS(struct native_call *c) {
  word_t s = receiver(c), other = c->args[1];
  if (!s) return;
  c->result = int_to_word(is_string(other) && obj_size(other) == obj_size(s) &&
                          !memcmp(obj_bytes(other), obj_bytes(s), obj_size(s)));
}

/** Byte-wise order of two strings: the difference of the first differing bytes, else of the
 * lengths (as lang's reference interpreter answers). */
static int32_t compare(word_t a, word_t b) {
  uint32_t la = obj_size(a), lb = obj_size(b);
  const uint8_t *pa = obj_bytes(a), *pb = obj_bytes(b);
  for (uint32_t i = 0; i < la && i < lb; i++)
    if (pa[i] != pb[i]) return (int32_t)pa[i] - (int32_t)pb[i];
  return (int32_t)la - (int32_t)lb;
}

void native_STR_COMPARE(struct native_call *c) {
  word_t s = receiver(c);
  word_t other = s ? string_arg(c) : 0;
  if (other) c->result = int_to_word(compare(s, other));
}

void native_STR_HASH(struct native_call *c) {
  word_t s = receiver(c);
  if (!s) return;
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < obj_size(s); i++) h = (h ^ obj_bytes(s)[i]) * 16777619u;
  c->result = int_to_word((int32_t)((h ^ (h >> 30)) & 0x3FFFFFFFu));
}

void native_STR_TO_INT(struct native_call *c) {
  word_t s = receiver(c);
  if (!s) return;
  const uint8_t *p = obj_bytes(s);
  uint32_t n = obj_size(s), i = 0;
  int negative = n > 0 && p[0] == '-';
  i = (uint32_t)negative;
  int64_t value = 0;
  if (i == n) c->error = ERR_BAD_ARGUMENT;
  for (; i < n && !c->error; i++) {
    if (p[i] < '0' || p[i] > '9') c->error = ERR_BAD_ARGUMENT;
    value = value * 10 + (p[i] - '0');
    if (value > (int64_t)SMALLINT_MAX + 1) c->error = ERR_BAD_ARGUMENT;
  }
  if (negative) value = -value;
  if (!c->error && !int_fits(value)) c->error = ERR_BAD_ARGUMENT;
  if (!c->error) c->result = int_to_word((int32_t)value);
}

void native_STR_FROM_CHAR(struct native_call *c) {
  int32_t ch;
  if (!int_arg(c, 0, &ch)) return;
  uint8_t byte = (uint8_t)(ch & 255);
  c->result = string_new(&byte, 1);
  if (!c->result) c->error = ERR_OUT_OF_MEMORY;
}
