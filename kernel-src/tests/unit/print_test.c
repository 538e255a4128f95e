/*
 * print_test.c — ksnprintf (core/print.c): every conversion klib.h promises, widths and flags,
 * truncation, and format strings that are wrong (unknown or cut-off conversions), which must
 * garble the output and never crash.
 */
#include <stdint.h>
#include <string.h>

#include "klib.h"
#include "test.h"

#define EXPECT_FORMAT(expected, ...)                                  \
  do {                                                                \
    char out_[128];                                                   \
    int n_ = ksnprintf(out_, sizeof out_, __VA_ARGS__);               \
    CHECK_EQ(n_, (int)strlen(expected));                              \
    if (strcmp(out_, expected) != 0) {                                \
      test_fail(__FILE__, __LINE__, out_);                            \
      return;                                                         \
    }                                                                 \
  } while (0)

TEST(print_integers) {
  EXPECT_FORMAT("0 -1 2147483647 -2147483648", "%d %i %d %d", 0, -1, 2147483647, (int)-2147483648LL);
  EXPECT_FORMAT("4294967295 ffffffff FFFFFFFF 17", "%u %x %X %o", 4294967295u, 0xffffffffu, 0xffffffffu, 15u);
  EXPECT_FORMAT("18446744073709551615 -9223372036854775808", "%llu %lld", 18446744073709551615ULL,
                (long long)(-9223372036854775807LL - 1));
  EXPECT_FORMAT("123456789abcdef0 42 -7", "%llx %zu %ld", 0x123456789abcdef0ULL, (size_t)42, -7L);
}

TEST(print_widths_and_flags) {
  EXPECT_FORMAT("0000beef|   42|42   |-0042", "%08x|%5d|%-5d|%05d", 0xbeefu, 42, 42, -42);
  EXPECT_FORMAT("  ab|ab  |abc", "%4s|%-4s|%.3s", "ab", "ab", "abcdef");
  EXPECT_FORMAT("   7|xy", "%*d|%.*s", 4, 7, 2, "xyz");
  const char *volatile missing = 0; /* volatile: the compiler must not see that it is null */
  EXPECT_FORMAT("c|%|(null)", "%c|%%|%s", 'c', missing);
}

TEST(print_pointer) {
  char expected[32];
  snprintf(expected, sizeof expected, "0x%lx", (unsigned long)(uintptr_t)&expected);
  EXPECT_FORMAT(expected, "%p", (void *)&expected);
}

TEST(print_truncates_and_reports_the_length_it_wanted) {
  char out[6];
  memset(out, 'x', sizeof out);
  CHECK_EQ(ksnprintf(out, sizeof out, "%s-%d", "hello", 12345), 11);
  CHECK(strcmp(out, "hello") == 0);
  CHECK_EQ(ksnprintf(out, 1, "abc"), 3);
  CHECK_EQ(out[0], '\0');
  CHECK_EQ(ksnprintf(0, 0, "%d", 100), 3);
}

/* These format strings are wrong on purpose; the compiler's format check would refuse them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
TEST(print_bad_formats_are_shown_literally) {
  EXPECT_FORMAT("a%qb", "a%qb");
  EXPECT_FORMAT("end %", "end %");
  EXPECT_FORMAT("end %08", "end %08");
  EXPECT_FORMAT("%w 5", "%w %d", 5);
}
#pragma GCC diagnostic pop

TEST(print_console_output_goes_through_the_platform) {
  fflush(stdout);
  CHECK_EQ(kprintf("print_test: %s %d\n", "console", 1), 22);
}
