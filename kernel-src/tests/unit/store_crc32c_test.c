/* store_crc32c_test.c — CRC-32C against the check value of store.def and a bitwise reference. */
#include <string.h>

#include "crc32c.h"
#include "test.h"

/* One bit at a time, straight from the definition: the slicing tables must agree with it. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

TEST(crc32c_check_value) {
  CHECK_EQ(crc32c("123456789", 9), 0xE3069283u);
  CHECK_EQ(crc32c("", 0), 0);
}

TEST(crc32c_known_pages) {
  static uint8_t zeros[4096];
  CHECK_EQ(crc32c(zeros, 32), 0x8A9136AAu); /* RFC 3720 B.4: 32 bytes of zeros */
  uint8_t ones[32];
  memset(ones, 0xff, sizeof ones);
  CHECK_EQ(crc32c(ones, 32), 0x62A8AB43u); /* RFC 3720 B.4: 32 bytes of 0xff */
  CHECK_EQ(crc32c(zeros, sizeof zeros), crc32c_bitwise(zeros, sizeof zeros));
}

TEST(crc32c_matches_bitwise_at_every_length_and_alignment) {
  uint8_t buf[300];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof buf; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  for (size_t start = 0; start < 9; start++)
    for (size_t n = 0; start + n <= sizeof buf; n += 7) CHECK_EQ(crc32c(buf + start, n), crc32c_bitwise(buf + start, n));
}

TEST(crc32c_update_continues) {
  const char *s = "123456789";
  for (size_t split = 0; split <= 9; split++)
    CHECK_EQ(crc32c_update(crc32c(s, split), s + split, 9 - split), 0xE3069283u);
}
