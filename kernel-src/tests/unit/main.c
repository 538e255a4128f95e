/*
 * main.c — runs every TEST registered by the linked NAME_test.c files, each in a fresh process
 * (fork), so that a crash, an abort from a sanitizer or a panic in one test is reported as that
 * test's failure and the rest still run. Prints failures, then "N passed, N failed".
 * An argument filters tests by substring of their name.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static struct test_case *tests;
static int failed_in_child;

void test_register(struct test_case *t) {
  t->next = tests;
  tests = t;
}

void test_fail(const char *file, int line, const char *what) {
  fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
  failed_in_child = 1;
}

int main(int argc, char **argv) {
  int passed = 0, failed = 0;
  struct test_case *ordered = 0;
  while (tests) { /* registration order is reversed; restore file order */
    struct test_case *t = tests;
    tests = t->next;
    t->next = ordered;
    ordered = t;
  }
  for (struct test_case *t = ordered; t; t = t->next) {
    if (argc > 1 && !strstr(t->name, argv[1])) continue;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
      t->run();
      fflush(stdout);
      _exit(failed_in_child ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      passed++;
    } else {
      failed++;
      fprintf(stderr, "FAIL %s (%s)%s\n", t->name, t->file, WIFSIGNALED(status) ? " crashed" : "");
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
