/*
 * crc32c.h — CRC-32C (Castagnoli), the checksum on every store block and page (lang/spec/store.def):
 * reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF, so that
 * crc32c("123456789", 9) == 0xE3069283. Same function as lang/src/common/store/crc32c.ts.
 */
#ifndef PHANTOM_CRC32C_H
#define PHANTOM_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/** The CRC-32C of bytes[0, n). */
uint32_t crc32c(const void *bytes, size_t n);

/** Continues a CRC: crc32c_update(crc32c(a, n), b, m) == crc32c of a then b. Start from 0. */
uint32_t crc32c_update(uint32_t crc, const void *bytes, size_t n);

#endif
