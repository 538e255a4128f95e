/*
 * klib.h — the few C library functions the core uses. The kernel implements them in
 * arch/klib.c; the hosted build takes them from the host's libc. Plus a printf to the console
 * (core/print.c), used by both.
 */
#ifndef PHANTOM_KLIB_H
#define PHANTOM_KLIB_H

#include <stdarg.h>
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/** printf to the console: %d %u %x %08x %s %c %p %llu %lld %llx and %% (widths and '0' padding). */
__attribute__((format(printf, 1, 2))) int kprintf(const char *fmt, ...);
int kvprintf(const char *fmt, va_list ap);
/** The same formatting into a buffer; always NUL-terminates; returns the length it wanted. */
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, size_t size, const char *fmt, ...);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
