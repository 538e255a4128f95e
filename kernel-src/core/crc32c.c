/*
 * crc32c.c — CRC-32C by slicing-by-8 (eight bytes per step through eight 256-entry tables),
 * because every snapshot checksums every page it writes and a mount may verify a whole
 * generation. The tables are built on first use; building them twice is harmless (same values),
 * so no lock is needed. No hardware CRC instruction: the kernel is built for plain i686.
 */
#include "crc32c.h"

enum { CRC32C_POLY = 0x82F63B78u };

/* tables[k][b]: the CRC contribution of byte b seen k bytes before the end of an 8-byte step. */
static uint32_t tables[8][256];
static int tables_ready;

static void build_tables(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
    tables[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = tables[0][b];
    for (int t = 1; t < 8; t++) {
      c = (c >> 8) ^ tables[0][c & 0xff];
      tables[t][b] = c;
    }
  }
  tables_ready = 1;
}

uint32_t crc32c_update(uint32_t crc, const void *bytes, size_t n) {
  if (!tables_ready) build_tables();
  const uint8_t *p = bytes;
  uint32_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    c = tables[7][lo & 0xff] ^ tables[6][(lo >> 8) & 0xff] ^ tables[5][(lo >> 16) & 0xff] ^
        tables[4][lo >> 24] ^ tables[3][p[4]] ^ tables[2][p[5]] ^ tables[1][p[6]] ^ tables[0][p[7]];
  }
  for (; n > 0; n--, p++) c = (c >> 8) ^ tables[0][(c ^ *p) & 0xff];
  return ~c;
}

uint32_t crc32c(const void *bytes, size_t n) { return crc32c_update(0, bytes, n); }
