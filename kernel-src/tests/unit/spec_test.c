/* spec_test.c — spot checks that include/spec.h reads lang/spec the way the docs say. */
#include "spec.h"
#include "test.h"

TEST(spec_opcodes_match_bytecode_doc) {
  CHECK_EQ(OP_NOP, 0x00);
  CHECK_EQ(OP_CALL_VIRT, 0x26);
  CHECK_EQ(OP_INSTANCEOF, 0x30);
}

TEST(spec_layout_offsets) {
  CHECK_EQ(HEADER_BYTES, 12);
  CHECK_EQ(HDR_FLAGS, 8);
  CHECK_EQ(SPACE_BASE, 0x40000000);
  CHECK_EQ(FRAME_LOCALS, 4);
  CHECK_EQ(CID_ROOT, 10);
}

TEST(spec_store_offsets) {
  CHECK_EQ(SB_CRC, 60);
  CHECK_EQ(GEN_MAP, 128);
  CHECK_EQ((unsigned)NO_GENERATION, 0xFFFFFFFFu);
  CHECK_EQ(PME_PER_BLOCK * PME_BYTES, BLOCK_SIZE);
}
