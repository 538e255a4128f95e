/*
 * print.c — kprintf and ksnprintf (klib.h) for both builds: the kernel's console and the hosted
 * build's stdout both go through ph_console_write. The formatter understands what klib.h lists:
 * %d %i %u %x %X %o %c %s %p %% with the l, ll and z size prefixes, a width (or *), the flags
 * '0' and '-', and a precision for %s (%.*s). An unknown conversion is printed as is, so a
 * bad format string garbles a line and never crashes.
 */
#include <stdbool.h>
#include <stdint.h>

#include "klib.h"
#include "platform.h"

/* Where formatted bytes go: a caller's buffer (ksnprintf) or a small buffer flushed to the console. */
struct sink {
  char *buf;
  size_t size;    /* capacity of buf, the terminator included */
  size_t used;    /* bytes stored in buf */
  size_t wanted;  /* bytes the whole output needs */
  bool console;
};

static void sink_flush(struct sink *s) {
  if (s->console && s->used > 0) ph_console_write(s->buf, s->used);
  if (s->console) s->used = 0;
}

static void put(struct sink *s, char c) {
  s->wanted++;
  if (s->console) {
    if (s->used == s->size) sink_flush(s);
    s->buf[s->used++] = c;
  } else if (s->used + 1 < s->size) {
    s->buf[s->used++] = c;
  }
}

static void put_padding(struct sink *s, char c, int count) {
  for (; count > 0; count--) put(s, c);
}

struct spec {
  bool left, zero;
  int width, precision; /* precision -1: none */
};

static void put_field(struct sink *s, const struct spec *f, const char *text, int len, bool numeric) {
  char pad = f->zero && !f->left && numeric ? '0' : ' ';
  int padding = f->width > len ? f->width - len : 0;
  /* A zero-padded negative number keeps its sign in front of the zeros. */
  if (pad == '0' && len > 0 && text[0] == '-') {
    put(s, '-');
    text++;
    len--;
  }
  if (!f->left) put_padding(s, pad, padding);
  for (int i = 0; i < len; i++) put(s, text[i]);
  if (f->left) put_padding(s, ' ', padding);
}

static int format_unsigned(char *out, unsigned long long v, unsigned base, bool upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char rev[24];
  int n = 0;
  do {
    rev[n++] = digits[v % base];
    v /= base;
  } while (v);
  for (int i = 0; i < n; i++) out[i] = rev[n - 1 - i];
  return n;
}

static void format(struct sink *s, const char *fmt, va_list ap) {
  while (*fmt) {
    if (*fmt != '%') {
      put(s, *fmt++);
      continue;
    }
    const char *start = fmt++;
    struct spec f = {false, false, 0, -1};
    for (;; fmt++) {
      if (*fmt == '-') f.left = true;
      else if (*fmt == '0') f.zero = true;
      else break;
    }
    if (*fmt == '*') {
      f.width = va_arg(ap, int);
      if (f.width < 0) f.left = true, f.width = -f.width;
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9' && f.width < 1000) f.width = f.width * 10 + (*fmt++ - '0');
    }
    if (*fmt == '.') {
      fmt++;
      f.precision = 0;
      if (*fmt == '*') {
        f.precision = va_arg(ap, int);
        fmt++;
      } else {
        while (*fmt >= '0' && *fmt <= '9' && f.precision < 100000) f.precision = f.precision * 10 + (*fmt++ - '0');
      }
    }
    int longs = 0;
    bool size_t_arg = false;
    while (*fmt == 'l') longs++, fmt++;
    if (*fmt == 'z') size_t_arg = true, fmt++;

    char num[32];
    int len;
    switch (*fmt) {
    case 'd':
    case 'i': {
      long long v = longs >= 2 ? va_arg(ap, long long)
                    : longs == 1 ? va_arg(ap, long)
                    : size_t_arg ? (long long)va_arg(ap, size_t)
                                 : va_arg(ap, int);
      unsigned long long magnitude = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
      len = 0;
      if (v < 0) num[len++] = '-';
      len += format_unsigned(num + len, magnitude, 10, false);
      put_field(s, &f, num, len, true);
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                             : longs == 1 ? va_arg(ap, unsigned long)
                             : size_t_arg ? va_arg(ap, size_t)
                                          : va_arg(ap, unsigned);
      unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
      len = format_unsigned(num, v, base, *fmt == 'X');
      put_field(s, &f, num, len, true);
      break;
    }
    case 'p': {
      num[0] = '0';
      num[1] = 'x';
      len = 2 + format_unsigned(num + 2, (uintptr_t)va_arg(ap, void *), 16, false);
      put_field(s, &f, num, len, true);
      break;
    }
    case 'c':
      num[0] = (char)va_arg(ap, int);
      put_field(s, &f, num, 1, false);
      break;
    case 's': {
      const char *str = va_arg(ap, const char *);
      if (!str) str = "(null)";
      int n = 0;
      while ((f.precision < 0 || n < f.precision) && str[n]) n++;
      put_field(s, &f, str, n, false);
      break;
    }
    case '%':
      put(s, '%');
      break;
    default: /* unknown or truncated conversion: show it literally */
      while (start < fmt) put(s, *start++);
      if (*fmt) put(s, *fmt);
      else continue;
    }
    fmt++;
  }
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
  struct sink s = {buf, size, 0, 0, false};
  format(&s, fmt, ap);
  if (size > 0) buf[s.used] = '\0';
  return (int)s.wanted;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = kvsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int kvprintf(const char *fmt, va_list ap) {
  char chunk[128];
  struct sink s = {chunk, sizeof chunk, 0, 0, true};
  format(&s, fmt, ap);
  sink_flush(&s);
  return (int)s.wanted;
}

int kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = kvprintf(fmt, ap);
  va_end(ap);
  return n;
}
