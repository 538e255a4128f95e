/*
 * disk.h — the store disk of the hosted build: platform.h's ph_disk_* over one current disk,
 * which is either a file (the phstore tool, differential runs) or an in-memory fake disk that
 * unit tests use to break things on purpose.
 *
 * The fake disk models a disk with a volatile write cache. Every write is visible to reads at
 * once; ph_disk_flush makes everything written so far durable. Tests can make it:
 *   - tear a write: the n-th write from now stores only its first `bytes` bytes and then the
 *     power fails — that call and every later one returns PH_EIO until disk_fake_power_cycle;
 *   - fail a write or a read (PH_EIO) without losing power;
 *   - power-cycle: decide which writes made since the last flush survive (none, all, or a
 *     pseudo-random subset in any order, as a disk that reorders its cache would).
 * Tests also read blocks directly (disk_fake_block) and damage them (disk_fake_flip_bit).
 *
 * One disk at a time (a global), because platform.h's disk functions have no handle; each unit
 * test runs in its own process.
 */
#ifndef PHANTOM_HOSTED_DISK_H
#define PHANTOM_HOSTED_DISK_H

#include <stdint.h>

/** Makes the file at `path` the current disk (its size, rounded down to blocks, is the disk's). */
int disk_open_file(const char *path, int writable);

/** Makes a zeroed in-memory disk of `blocks` blocks the current disk. */
void disk_fake_create(uint32_t blocks);

/** Makes an in-memory disk holding a copy of `image` (blocks * BLOCK_SIZE bytes, all durable). */
void disk_fake_load(const uint8_t *image, uint32_t blocks);

/** Closes the current disk (file or fake). */
void disk_close(void);

/** What reads of block `block` of the fake disk return now (0 if out of range). */
const uint8_t *disk_fake_block(uint32_t block);

/** Flips one bit of a block, on the medium as well, so that a power cycle keeps the damage. */
void disk_fake_flip_bit(uint32_t block, uint32_t bit);

/** The n-th write from now (0 = the next) stores only its first `bytes` bytes, then the power fails. */
void disk_fake_tear_write(uint32_t nth, uint32_t bytes);

/** The n-th write from now returns PH_EIO and stores nothing; the disk stays up. */
void disk_fake_fail_write(uint32_t nth);
/** The next `polls` calls of ph_disk_idle say a request is still in flight (0: idle again). */
void disk_fake_busy(uint32_t polls);

/** Every read that touches `block` returns PH_EIO (a bad sector), until disk_fake_power_cycle. */
void disk_fake_fail_reads_of(uint32_t block);

/** Which writes made since the last flush survive a power cycle. */
enum disk_survivors {
  DISK_KEEP_NONE,  /* only what was flushed */
  DISK_KEEP_ALL,   /* every write (the disk had no cache, or wrote it all back) */
  DISK_KEEP_SOME,  /* a pseudo-random subset chosen by the seed, each write whole or not at all */
};

/** Power off and on: unflushed writes survive as `survivors` says; faults are cleared. */
void disk_fake_power_cycle(enum disk_survivors survivors, uint32_t seed);

/** Counters since disk_fake_create, for tests that loop over every write of an operation. */
struct disk_fake_counters {
  uint32_t reads, writes, blocks_written, flushes;
};
struct disk_fake_counters disk_fake_counters(void);

#endif
