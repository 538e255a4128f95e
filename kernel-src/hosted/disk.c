/*
 * disk.c — ph_disk_* (platform.h) for the hosted build, over a file or an in-memory fake disk
 * that can tear, fail and lose unflushed writes (see disk.h for the model).
 *
 * The fake disk keeps two images: `current` (what reads see) and `durable` (what survives a
 * power cycle), plus a log of the writes since the last flush so that a power cycle can replay
 * any subset of them onto `durable`.
 */
#include "disk.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "spec.h"

/* One write since the last flush, as it reached the disk (a torn write keeps only its prefix). */
struct logged_write {
  uint32_t block;
  uint32_t bytes;
  uint8_t *data;
};

enum { NO_FAULT = 0xFFFFFFFFu };

static struct {
  int fd; /* >= 0: a file disk */
  uint32_t blocks;
  uint8_t *current, *durable; /* fake disk only */
  struct logged_write *log;
  uint32_t log_count, log_capacity;
  uint32_t tear_countdown, tear_bytes, fail_write_countdown, bad_read_block;
  int powered_off;
  struct disk_fake_counters counters;
} disk = {.fd = -1};

static void *checked_alloc(size_t bytes) {
  void *p = calloc(1, bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "disk: out of memory (%zu bytes)\n", bytes);
    abort();
  }
  return p;
}

/* Hosted writes are done at once; a started write's failure waits for ph_disk_wait, as on a device. */
static int started_failed;

static void clear_faults(void) {
  started_failed = 0;
  disk.tear_countdown = NO_FAULT;
  disk.fail_write_countdown = NO_FAULT;
  disk.bad_read_block = NO_FAULT;
  disk.powered_off = 0;
}

static void forget_log(void) {
  for (uint32_t i = 0; i < disk.log_count; i++) free(disk.log[i].data);
  disk.log_count = 0;
}

void disk_close(void) {
  if (disk.fd >= 0) close(disk.fd);
  forget_log();
  free(disk.log);
  free(disk.current);
  free(disk.durable);
  memset(&disk, 0, sizeof disk);
  disk.fd = -1;
}

int disk_open_file(const char *path, int writable) {
  disk_close();
  int fd = open(path, writable ? O_RDWR : O_RDONLY);
  if (fd < 0) return PH_ENODEV;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return PH_ENODEV;
  }
  disk.fd = fd;
  disk.blocks = (uint32_t)((uint64_t)st.st_size / BLOCK_SIZE > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint64_t)st.st_size / BLOCK_SIZE);
  clear_faults();
  return PH_OK;
}

void disk_fake_create(uint32_t blocks) {
  /* Tests recreate disks thousands of times: reuse the images (fresh memory costs page faults). */
  uint8_t *current = 0, *durable = 0;
  if (disk.current && disk.blocks == blocks) {
    current = disk.current;
    durable = disk.durable;
    disk.current = disk.durable = 0;
    memset(current, 0, (size_t)blocks * BLOCK_SIZE);
    memset(durable, 0, (size_t)blocks * BLOCK_SIZE);
  }
  disk_close();
  disk.blocks = blocks;
  disk.current = current ? current : checked_alloc((size_t)blocks * BLOCK_SIZE);
  disk.durable = durable ? durable : checked_alloc((size_t)blocks * BLOCK_SIZE);
  clear_faults();
}

void disk_fake_load(const uint8_t *image, uint32_t blocks) {
  disk_fake_create(blocks);
  memcpy(disk.current, image, (size_t)blocks * BLOCK_SIZE);
  memcpy(disk.durable, image, (size_t)blocks * BLOCK_SIZE);
}

const uint8_t *disk_fake_block(uint32_t block) {
  if (!disk.current || block >= disk.blocks) return 0;
  return disk.current + (size_t)block * BLOCK_SIZE;
}

void disk_fake_flip_bit(uint32_t block, uint32_t bit) {
  if (!disk.current || block >= disk.blocks || bit >= BLOCK_SIZE * 8) return;
  size_t byte = (size_t)block * BLOCK_SIZE + bit / 8;
  disk.current[byte] ^= (uint8_t)(1u << (bit % 8));
  disk.durable[byte] ^= (uint8_t)(1u << (bit % 8));
  for (uint32_t i = 0; i < disk.log_count; i++) {
    struct logged_write *w = &disk.log[i];
    size_t at = (size_t)(block - w->block) * BLOCK_SIZE + bit / 8;
    if (block >= w->block && at < w->bytes) w->data[at] ^= (uint8_t)(1u << (bit % 8));
  }
}

void disk_fake_tear_write(uint32_t nth, uint32_t bytes) {
  disk.tear_countdown = nth;
  disk.tear_bytes = bytes;
}

void disk_fake_fail_write(uint32_t nth) { disk.fail_write_countdown = nth; }

void disk_fake_fail_reads_of(uint32_t block) { disk.bad_read_block = block; }

struct disk_fake_counters disk_fake_counters(void) { return disk.counters; }

/* xorshift32: a seeded choice of surviving writes, the same on every run. */
static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state ? *state : 0x9E3779B9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

void disk_fake_power_cycle(enum disk_survivors survivors, uint32_t seed) {
  if (!disk.current) return;
  uint32_t random = seed;
  for (uint32_t i = 0; i < disk.log_count; i++) {
    struct logged_write *w = &disk.log[i];
    int keep = survivors == DISK_KEEP_ALL || (survivors == DISK_KEEP_SOME && (next_random(&random) & 1));
    if (keep) memcpy(disk.durable + (size_t)w->block * BLOCK_SIZE, w->data, w->bytes);
  }
  forget_log();
  memcpy(disk.current, disk.durable, (size_t)disk.blocks * BLOCK_SIZE);
  clear_faults();
}

static void log_write(uint32_t block, const void *data, uint32_t bytes) {
  if (disk.log_count == disk.log_capacity) {
    disk.log_capacity = disk.log_capacity ? disk.log_capacity * 2 : 64;
    disk.log = realloc(disk.log, disk.log_capacity * sizeof *disk.log);
    if (!disk.log) abort();
  }
  uint8_t *copy = checked_alloc(bytes);
  memcpy(copy, data, bytes);
  disk.log[disk.log_count++] = (struct logged_write){block, bytes, copy};
}

uint32_t ph_disk_blocks(void) { return disk.blocks; }

static int check_range(uint32_t block, uint32_t count) {
  if (disk.fd < 0 && !disk.current) return PH_ENODEV;
  if (count == 0 || block >= disk.blocks || count > disk.blocks - block) return PH_ERANGE;
  return PH_OK;
}

int ph_disk_read(uint32_t block, void *buf, uint32_t count) {
  int rc = check_range(block, count);
  if (rc != PH_OK) return rc;
  if (disk.fd >= 0) {
    size_t want = (size_t)count * BLOCK_SIZE;
    ssize_t got = pread(disk.fd, buf, want, (off_t)block * BLOCK_SIZE);
    return got == (ssize_t)want ? PH_OK : PH_EIO;
  }
  disk.counters.reads++;
  if (disk.powered_off) return PH_EIO;
  if (disk.bad_read_block != NO_FAULT && disk.bad_read_block >= block && disk.bad_read_block - block < count) return PH_EIO;
  memcpy(buf, disk.current + (size_t)block * BLOCK_SIZE, (size_t)count * BLOCK_SIZE);
  return PH_OK;
}

int ph_disk_read_ranges(const struct ph_disk_range *ranges, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    int rc = ph_disk_read(ranges[i].block, ranges[i].buf, ranges[i].count);
    if (rc != PH_OK) return rc;
  }
  return PH_OK;
}

int ph_disk_write(uint32_t block, const void *buf, uint32_t count) {
  int rc = check_range(block, count);
  if (rc != PH_OK) return rc;
  if (disk.fd >= 0) {
    size_t want = (size_t)count * BLOCK_SIZE;
    ssize_t put = pwrite(disk.fd, buf, want, (off_t)block * BLOCK_SIZE);
    return put == (ssize_t)want ? PH_OK : PH_EIO;
  }
  disk.counters.writes++;
  if (disk.powered_off) return PH_EIO;
  if (disk.fail_write_countdown != NO_FAULT && disk.fail_write_countdown-- == 0) return PH_EIO;
  uint32_t bytes = count * BLOCK_SIZE;
  if (disk.tear_countdown != NO_FAULT && disk.tear_countdown-- == 0) {
    bytes = disk.tear_bytes < bytes ? disk.tear_bytes : bytes;
    disk.powered_off = 1;
  }
  memcpy(disk.current + (size_t)block * BLOCK_SIZE, buf, bytes);
  if (bytes > 0) log_write(block, buf, bytes);
  disk.counters.blocks_written += count;
  return disk.powered_off ? PH_EIO : PH_OK;
}

int ph_disk_write_start(uint32_t block, const void *buf, uint32_t count) {
  int rc = check_range(block, count);
  if (rc != PH_OK) return rc;
  if (ph_disk_write(block, buf, count) != PH_OK) started_failed = 1;
  return PH_OK;
}

int ph_disk_wait(void) {
  if (disk.fd < 0 && !disk.current) return PH_ENODEV;
  int rc = started_failed ? PH_EIO : PH_OK;
  started_failed = 0;
  return rc;
}

int ph_disk_flush_start(void) {
  if (disk.fd < 0 && !disk.current) return PH_ENODEV;
  if (ph_disk_flush() != PH_OK) started_failed = 1;
  return PH_OK;
}

/* Hosted requests are done at once; disk_fake_busy makes the next polls say otherwise, as a device might. */
static uint32_t busy_polls;

void disk_fake_busy(uint32_t polls) { busy_polls = polls; }

bool ph_disk_idle(void) {
  if (busy_polls == 0) return true;
  busy_polls--;
  return false;
}

/* Requests are numbered only for ph_disk_done's sake: every one is done at once. */
uint32_t ph_disk_mark(void) { return disk.counters.writes; }

bool ph_disk_done(uint32_t mark) { return ph_disk_idle(); }

int ph_disk_wait_for(uint32_t mark) { return ph_disk_wait(); }

int ph_disk_flush(void) {
  if (disk.fd >= 0) return fsync(disk.fd) == 0 ? PH_OK : PH_EIO;
  if (!disk.current) return PH_ENODEV;
  disk.counters.flushes++;
  if (disk.powered_off) return PH_EIO;
  for (uint32_t i = 0; i < disk.log_count; i++) {
    struct logged_write *w = &disk.log[i];
    memcpy(disk.durable + (size_t)w->block * BLOCK_SIZE, w->data, w->bytes);
  }
  forget_log();
  return PH_OK;
}
