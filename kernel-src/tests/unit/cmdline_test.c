/*
 * cmdline_test.c — the kernel command-line parser (core/cmdline.c): every option, the kernel
 * path multiboot puts first, warnings for junk, debug switches, and a fuzz run over random
 * bytes and random mixes of option fragments (must never crash or overrun; ASan watches).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "test.h"

static void quiet(void) {
  /* Each test runs in its own process; the warnings of the bad lines are not worth showing. */
  if (!freopen("/dev/null", "w", stdout)) test_fail(__FILE__, __LINE__, "freopen /dev/null");
}

TEST(cmdline_defaults_and_every_option) {
  struct kernel_options o;
  CHECK_EQ(cmdline_parse("", &o), 0);
  CHECK(strcmp(o.store, "virtio0") == 0);
  CHECK_EQ(o.snap_ms, CMDLINE_SNAP_DEFAULT_MS);
  CHECK_EQ(o.gen, CMDLINE_NO_GEN);
  CHECK(o.debug[0] == '\0');
  CHECK_EQ(o.versions, CMDLINE_VERSIONS_AUTO);
  CHECK_EQ(cmdline_parse("build/phantom.elf store=virtio1  snap=250\tgen=7 versions=0 debug=panic-test,pager-test", &o), 0);
  CHECK_EQ(o.versions, 0);
  CHECK(strcmp(o.store, "virtio1") == 0);
  CHECK_EQ(o.snap_ms, 250);
  CHECK_EQ(o.gen, 7);
  CHECK(cmdline_debug(&o, "panic-test"));
  CHECK(cmdline_debug(&o, "pager-test"));
  CHECK(!cmdline_debug(&o, "panic"));
  CHECK(!cmdline_debug(&o, "test"));
  CHECK_EQ(cmdline_parse("snap=0 snap=4294967295", &o), 0);
  CHECK_EQ(o.snap_ms, 4294967295u);
}

TEST(cmdline_warns_about_junk_and_keeps_going) {
  quiet();
  struct kernel_options o;
  CHECK_EQ(cmdline_parse("/boot/kernel colour=blue snap=fast gen=-1 gen= store= gen=4294967296 snap=12 versions=-2 versions=2500", &o), 7);
  CHECK_EQ(o.versions, 2500);
  CHECK_EQ(o.snap_ms, 12);
  CHECK_EQ(o.gen, CMDLINE_NO_GEN);
  CHECK(strcmp(o.store, "virtio0") == 0);
  CHECK_EQ(cmdline_parse("gen=4294967295 noequals store=a-name-far-too-long-for-it", &o), 3);
  CHECK_EQ(o.gen, CMDLINE_NO_GEN);
  CHECK(strcmp(o.store, "virtio0") == 0);
}

TEST(cmdline_first_word_is_only_skipped_when_it_is_a_path) {
  struct kernel_options o;
  CHECK_EQ(cmdline_parse("gen=3", &o), 0);
  CHECK_EQ(o.gen, 3);
}

static uint32_t rng_state = 0x12345678;
static uint32_t next_random(void) { /* xorshift32: reproducible */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

TEST(cmdline_fuzz) {
  quiet();
  static const char *const fragments[] = {"store=", "snap=", "gen=", "versions=", "debug=", "=", " ", ",", "virtio0", "99999999999",
                                          "-", "\t", "a", "panic-test", "4294967295", "0"};
  char line[300];
  for (int round = 0; round < 50000; round++) {
    size_t n = 0, len = next_random() % sizeof line;
    while (n < len) {
      if (next_random() % 2) {
        line[n++] = (char)(next_random() % 255 + 1);
      } else {
        const char *f = fragments[next_random() % (sizeof fragments / sizeof *fragments)];
        while (*f && n < len) line[n++] = *f++;
      }
    }
    line[n] = '\0';
    struct kernel_options o;
    cmdline_parse(line, &o);
    CHECK(memchr(o.store, '\0', sizeof o.store) != 0);
    CHECK(memchr(o.debug, '\0', sizeof o.debug) != 0);
    cmdline_debug(&o, "panic-test");
  }
}
