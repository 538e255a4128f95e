/* store_disk_test.c — the hosted fake disk behaves as disk.h promises: the store tests rely on it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"
#include "platform.h"
#include "spec.h"
#include "test.h"


static const uint8_t *filled(uint8_t fill) {
  static uint8_t buf[4][BLOCK_SIZE];
  static int next;
  uint8_t *b = buf[next++ % 4];
  memset(b, fill, BLOCK_SIZE);
  return b;
}

TEST(disk_fake_reads_what_was_written_and_checks_ranges) {
  disk_fake_create(8);
  uint8_t buf[2 * BLOCK_SIZE];
  CHECK_EQ(ph_disk_blocks(), 8);
  CHECK_EQ(ph_disk_write(3, filled(0xAB), 1), PH_OK);
  CHECK_EQ(ph_disk_read(3, buf, 1), PH_OK);
  CHECK_EQ(buf[0], 0xAB);
  CHECK_EQ(buf[BLOCK_SIZE - 1], 0xAB);
  CHECK_EQ(ph_disk_read(7, buf, 2), PH_ERANGE);
  CHECK_EQ(ph_disk_read(8, buf, 1), PH_ERANGE);
  CHECK_EQ(ph_disk_write(0, buf, 0), PH_ERANGE);
  disk_close();
  CHECK_EQ(ph_disk_read(0, buf, 1), PH_ENODEV);
}

TEST(disk_fake_power_cycle_keeps_only_flushed_writes) {
  disk_fake_create(4);
  CHECK_EQ(ph_disk_write(1, filled(1), 1), PH_OK);
  CHECK_EQ(ph_disk_flush(), PH_OK);
  CHECK_EQ(ph_disk_write(1, filled(2), 1), PH_OK);
  CHECK_EQ(ph_disk_write(2, filled(3), 1), PH_OK);
  disk_fake_power_cycle(DISK_KEEP_NONE, 0);
  CHECK_EQ(disk_fake_block(1)[0], 1);
  CHECK_EQ(disk_fake_block(2)[0], 0);
  CHECK_EQ(ph_disk_write(2, filled(4), 1), PH_OK);
  disk_fake_power_cycle(DISK_KEEP_ALL, 0);
  CHECK_EQ(disk_fake_block(2)[0], 4);
}

TEST(disk_fake_keep_some_keeps_whole_writes_and_varies_with_seed) {
  int kept_first = 0, kept_second = 0;
  for (uint32_t seed = 1; seed <= 64; seed++) {
    disk_fake_create(4);
    CHECK_EQ(ph_disk_write(1, filled(5), 1), PH_OK);
    CHECK_EQ(ph_disk_write(2, filled(6), 1), PH_OK);
    disk_fake_power_cycle(DISK_KEEP_SOME, seed);
    const uint8_t *b1 = disk_fake_block(1), *b2 = disk_fake_block(2);
    CHECK(b1[0] == 0 || (b1[0] == 5 && b1[BLOCK_SIZE - 1] == 5));
    CHECK(b2[0] == 0 || (b2[0] == 6 && b2[BLOCK_SIZE - 1] == 6));
    kept_first += b1[0] == 5;
    kept_second += b2[0] == 6;
  }
  CHECK(kept_first > 0 && kept_first < 64);
  CHECK(kept_second > 0 && kept_second < 64);
}

TEST(disk_fake_tear_stores_a_prefix_then_powers_off) {
  disk_fake_create(4);
  CHECK_EQ(ph_disk_write(0, filled(7), 1), PH_OK);
  disk_fake_tear_write(1, 100);
  CHECK_EQ(ph_disk_write(1, filled(8), 1), PH_OK);
  CHECK_EQ(ph_disk_write(0, filled(9), 1), PH_EIO);
  uint8_t buf[BLOCK_SIZE];
  CHECK_EQ(ph_disk_read(0, buf, 1), PH_EIO);
  CHECK_EQ(ph_disk_flush(), PH_EIO);
  disk_fake_power_cycle(DISK_KEEP_ALL, 0);
  const uint8_t *b0 = disk_fake_block(0);
  CHECK_EQ(b0[99], 9);
  CHECK_EQ(b0[100], 7);
  CHECK_EQ(disk_fake_block(1)[0], 8);
  CHECK_EQ(ph_disk_read(0, buf, 1), PH_OK);
}

TEST(disk_fake_tear_inside_a_multi_block_write) {
  disk_fake_create(4);
  uint8_t two[2 * BLOCK_SIZE];
  memset(two, 0x55, sizeof two);
  disk_fake_tear_write(0, BLOCK_SIZE + 10);
  CHECK_EQ(ph_disk_write(1, two, 2), PH_EIO);
  disk_fake_power_cycle(DISK_KEEP_ALL, 0);
  CHECK_EQ(disk_fake_block(1)[BLOCK_SIZE - 1], 0x55);
  CHECK_EQ(disk_fake_block(2)[9], 0x55);
  CHECK_EQ(disk_fake_block(2)[10], 0);
}

TEST(disk_fake_failed_write_and_bad_sector) {
  disk_fake_create(4);
  disk_fake_fail_write(0);
  CHECK_EQ(ph_disk_write(1, filled(1), 1), PH_EIO);
  CHECK_EQ(disk_fake_block(1)[0], 0);
  CHECK_EQ(ph_disk_write(1, filled(1), 1), PH_OK);
  disk_fake_fail_reads_of(2);
  uint8_t buf[3 * BLOCK_SIZE];
  CHECK_EQ(ph_disk_read(1, buf, 1), PH_OK);
  CHECK_EQ(ph_disk_read(1, buf, 3), PH_EIO);
  disk_fake_flip_bit(1, 9);
  CHECK_EQ(disk_fake_block(1)[1], 1 ^ 2);
  disk_fake_power_cycle(DISK_KEEP_ALL, 0);
  CHECK_EQ(disk_fake_block(1)[1], 1 ^ 2);
  CHECK_EQ(ph_disk_read(1, buf, 3), PH_OK);
}

TEST(disk_file_round_trip) {
  char path[] = "/tmp/phantom-disk-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK_EQ(ftruncate(fd, 4 * BLOCK_SIZE), 0);
  close(fd);
  CHECK_EQ(disk_open_file(path, 1), PH_OK);
  CHECK_EQ(ph_disk_blocks(), 4);
  CHECK_EQ(ph_disk_write(2, filled(0x3C), 1), PH_OK);
  CHECK_EQ(ph_disk_flush(), PH_OK);
  disk_close();
  CHECK_EQ(disk_open_file(path, 0), PH_OK);
  uint8_t buf[BLOCK_SIZE];
  CHECK_EQ(ph_disk_read(2, buf, 1), PH_OK);
  CHECK_EQ(buf[4095], 0x3C);
  CHECK_EQ(ph_disk_read(4, buf, 1), PH_ERANGE);
  disk_close();
  unlink(path);
  CHECK_EQ(disk_open_file(path, 0), PH_ENODEV);
}
