/*
 * test.h — the hosted unit tests' whole framework. Each tests/unit/NAME_test.c defines tests with
 * TEST(name) { ... } and checks with CHECK(cond) / CHECK_EQ(a, b); tests/unit/main.c runs every
 * registered test and prints one line per failure and then the plain "N passed, N failed" line
 * that the root `npm test` adds up.
 */
#ifndef PHANTOM_TEST_H
#define PHANTOM_TEST_H

#include <stdio.h>

struct test_case {
  const char *name;
  const char *file;
  void (*run)(void);
  struct test_case *next;
};

void test_register(struct test_case *t);
void test_fail(const char *file, int line, const char *what);

#define TEST(fn)                                                                     \
  static void fn(void);                                                              \
  static struct test_case fn##_case = {#fn, __FILE__, fn, 0};                        \
  __attribute__((constructor)) static void fn##_register(void) { test_register(&fn##_case); } \
  static void fn(void)

#define CHECK(cond)                                 \
  do {                                              \
    if (!(cond)) {                                  \
      test_fail(__FILE__, __LINE__, #cond);         \
      return;                                       \
    }                                               \
  } while (0)

#define CHECK_EQ(a, b)                                                                          \
  do {                                                                                          \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);                             \
    if (check_a_ != check_b_) {                                                                 \
      char check_msg_[256];                                                                     \
      snprintf(check_msg_, sizeof check_msg_, "%s == %s (%lld != %lld)", #a, #b, check_a_, check_b_); \
      test_fail(__FILE__, __LINE__, check_msg_);                                                \
      return;                                                                                   \
    }                                                                                           \
  } while (0)

#endif
