/*
 * crc32c.c — CRC-32C four bytes a step through two tables of 65536 entries (one per 16-bit half
 * of the step), because every snapshot checksums every page it writes and a mount may verify a
 * whole generation. Measured under QEMU TCG with -icount (docs/bench-persistence.md): the CRC was
 * most of a generation's guest time, and this loop needs about 1.9 instructions a byte where
 * slicing-by-8 (eight 256-entry tables) needed 3.25 (1.34 since the i386 loop takes 32 bytes a
 * turn). Every guest instruction costs about the same
 * under TCG; on hardware the 512 KiB of tables would miss the cache more often, and the SSE4.2
 * crc32 instruction would be the way there (not used: the kernel is built for plain i686, and
 * QEMU's default CPU has no SSE4.2). Not under TCG: QEMU 7.2's helper for crc32 works a bit at a
 * time, and in one run with -cpu qemu32,+sse4.2 a page took 38-60 us by crc32l against 19-30 us
 * by this loop (host clock; -icount hides the helper's cost and shows crc32l 3.9x faster, which
 * it is not). The tables are built on first use; building them twice is harmless (same values),
 * so no lock is needed.
 */
#include "crc32c.h"

enum { CRC32C_POLY = 0x82F63B78u };

/* bytes[k][b]: the CRC contribution of byte b seen k bytes before the end of a 4-byte step. */
static uint32_t bytes_tables[4][256];
/* halves[0][h]: of the step's first two bytes (h = b0 | b1 << 8); halves[1][h]: of its last two. */
static uint32_t halves[2][65536];
static int tables_ready;

static void build_tables(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
    bytes_tables[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = bytes_tables[0][b];
    for (int t = 1; t < 4; t++) {
      c = (c >> 8) ^ bytes_tables[0][c & 0xff];
      bytes_tables[t][b] = c;
    }
  }
  for (uint32_t h = 0; h < 65536; h++) {
    halves[0][h] = bytes_tables[3][h & 0xff] ^ bytes_tables[2][h >> 8];
    halves[1][h] = bytes_tables[1][h & 0xff] ^ bytes_tables[0][h >> 8];
  }
  tables_ready = 1;
}

/* halves[1] starts 0x40000 bytes after halves[0]: the i386 loop reaches both from one register. */
_Static_assert(sizeof halves[0] == 0x40000, "halves[0] is 65536 entries of 4 bytes");

static inline uint32_t load32(const uint8_t *p) {
  uint32_t w;
  __builtin_memcpy(&w, p, 4); /* little-endian: b0 is the low byte */
  return w;
}

uint32_t crc32c_update(uint32_t crc, const void *bytes, size_t n) {
  if (!tables_ready) build_tables();
  const uint8_t *p = bytes;
  uint32_t c = ~crc;
#if defined(__i386__)
  /* The same steps by hand, 32 bytes a turn: 5 instructions a step and 3 a turn (1.34 a byte;
   * GCC spends 19 instructions on 8 bytes, and 8 bytes a turn took 1.63 a byte). */
  if (n >= 32) {
    const uint8_t *end = p + (n & ~(size_t)31);
    uint32_t scratch;
    __asm__("1:\n\t"
            "xorl (%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 4(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 8(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 12(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 16(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 20(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 24(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "xorl 28(%[p]), %[c]\n\t"
            "movzwl %w[c], %[t]\n\t"
            "shrl $16, %[c]\n\t"
            "movl 0x40000(%[h],%[c],4), %[c]\n\t"
            "xorl (%[h],%[t],4), %[c]\n\t"
            "addl $32, %[p]\n\t"
            "cmpl %[end], %[p]\n\t"
            "jne 1b"
            : [c] "+a"(c), [p] "+r"(p), [t] "=&r"(scratch)
            : [h] "r"(halves), [end] "r"(end), "m"(*(const uint8_t(*)[n & ~(size_t)31])bytes)
            : "cc");
    n &= 31;
  }
#endif
  for (; n >= 8; n -= 8, p += 8) {
    c ^= load32(p);
    uint32_t lo = halves[0][c & 0xffff];
    c = (halves[1][c >> 16] ^ load32(p + 4)) ^ lo;
    lo = halves[0][c & 0xffff];
    c = halves[1][c >> 16] ^ lo;
  }
  for (; n > 0; n--, p++) c = (c >> 8) ^ bytes_tables[0][(c ^ *p) & 0xff];
  return ~c;
}

uint32_t crc32c(const void *bytes, size_t n) { return crc32c_update(0, bytes, n); }
