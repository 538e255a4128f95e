/*
 * platform.c — platform.h over Linux for the hosted build: the console is stdout, time comes from
 * CLOCK_MONOTONIC (or the virtual clock, see hosted.h), a panic prints to stderr and aborts.
 * The object space is mapped with mmap at SPACE_BASE. The disk (ph_disk_*) is hosted/disk.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "hosted.h"
#include "platform.h"
#include "spec.h"

static int virtual_clock;
static uint64_t virtual_now_ms;
/** Instructions run since the virtual clock last moved by a millisecond (< VIRTUAL_MS_STEPS). */
static uint32_t virtual_steps;
static uint64_t boot_ns;
static uint32_t mapped_bytes;

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void hosted_use_virtual_clock(int on) {
  virtual_clock = on;
  virtual_steps = 0;
}

void ph_ran_instructions(uint32_t count) {
  if (!virtual_clock) return;
  uint64_t steps = (uint64_t)virtual_steps + count;
  virtual_now_ms += steps / VIRTUAL_MS_STEPS;
  virtual_steps = (uint32_t)(steps % VIRTUAL_MS_STEPS);
}

void ph_console_write(const char *bytes, size_t n) { fwrite(bytes, 1, n, stdout); }

uint64_t ph_uptime_ms(void) {
  if (virtual_clock) return virtual_now_ms;
  if (!boot_ns) boot_ns = monotonic_ns();
  return (monotonic_ns() - boot_ns) / 1000000u;
}

uint64_t ph_wall_seconds(void) { return (uint64_t)time(0); }

/* Hosted, the "TSC" is the monotonic clock in nanoseconds. */
uint64_t ph_tsc(void) { return monotonic_ns(); }
uint64_t ph_tsc_per_us(void) { return 1000; }

void ph_idle_until(uint64_t ms) {
  if (virtual_clock) {
    if (ms > virtual_now_ms) virtual_now_ms = ms;
    return;
  }
  fflush(stdout);
  uint64_t now = ph_uptime_ms();
  if (ms <= now) return;
  struct timespec ts = {(time_t)((ms - now) / 1000), (long)((ms - now) % 1000) * 1000000L};
  nanosleep(&ts, 0);
}

void ph_panic(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs("panic: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  abort();
}

int hosted_space_map(uint32_t bytes) {
  void *want = (void *)(uintptr_t)SPACE_BASE;
  void *got = mmap(want, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (got == MAP_FAILED) return -errno;
  if (got != want) {
    munmap(got, bytes);
    return -EEXIST;
  }
  mapped_bytes = bytes;
  return 0;
}

void hosted_space_unmap(void) {
  if (mapped_bytes) munmap((void *)(uintptr_t)SPACE_BASE, mapped_bytes);
  mapped_bytes = 0;
}
