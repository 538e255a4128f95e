/* objspace_test.c — the allocator, reference checks and load-time validation of a space. */
#include <string.h>

#include "objspace.h"
#include "space_fixture.h"
#include "test.h"

#define MIB (1024u * 1024u)

TEST(objspace_fixture_space_validates) {
  fixture_space(MIB);
  CHECK(space_validate(MIB) == 0);
  CHECK(obj_is_sane(space_root()));
  CHECK(!obj_is_sane(int_to_word(5)));
  CHECK(!obj_is_sane(addr_ref(SPACE_BASE + 2 * MIB)));
  CHECK(!obj_is_sane(addr_ref(SPACE_BASE)));
}

TEST(objspace_bump_allocation_is_zeroed_and_aligned) {
  fixture_space(MIB);
  uint32_t top = space_top();
  word_t s = space_alloc(fixture_internal_class(CID_STRING), KIND_BYTES, 5);
  CHECK_EQ(obj_addr(s), top);
  CHECK_EQ(space_top(), top + 20);
  CHECK_EQ(obj_size(s), 5);
  CHECK_EQ(obj_kind(s), KIND_BYTES);
  for (int i = 0; i < 5; i++) CHECK_EQ(obj_bytes(s)[i], 0);
  word_t a = fixture_array(3);
  CHECK_EQ(obj_addr(a) % 4, 0);
  CHECK_EQ(obj_slot_count(a), 3);
}

TEST(objspace_free_list_first_fit_splits_and_reuses) {
  fixture_space(MIB);
  word_t a = fixture_array(10); /* 52 bytes */
  word_t guard = fixture_array(1);
  space_free(a);
  CHECK_EQ(*space_field(SH_FREE), obj_addr(a));
  word_t b = fixture_array(2); /* 20 bytes: leaves a 32-byte block */
  CHECK_EQ(obj_addr(b), obj_addr(a));
  CHECK_EQ(*space_field(SH_FREE), obj_addr(a) + 20);
  word_t c = fixture_array(5); /* 32 bytes: exact fit */
  CHECK_EQ(obj_addr(c), obj_addr(a) + 20);
  CHECK_EQ(*space_field(SH_FREE), 0);
  CHECK(obj_is_sane(guard));
  CHECK(space_validate(MIB) == 0);
}

TEST(objspace_never_leaves_an_unusable_remainder) {
  fixture_space(MIB);
  word_t a = fixture_array(3); /* 24 bytes */
  fixture_array(1);
  space_free(a);
  uint32_t top = space_top();
  word_t b = fixture_array(1); /* 16 bytes would leave 8: must not split */
  CHECK(obj_addr(b) == top);
  word_t c = fixture_array(0); /* 12 bytes leaves a 12-byte filler */
  CHECK_EQ(obj_addr(c), obj_addr(a));
  CHECK_EQ(obj_kind(addr_ref(obj_addr(a) + 12)), KIND_FREE);
  CHECK(space_validate(MIB) == 0);
}

TEST(objspace_alloc_reports_full) {
  fixture_space(MIB);
  CHECK_EQ(space_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, 2 * MIB), 0);
  CHECK_EQ(space_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, 0xFFFFFFF0u), 0);
  int n = 0;
  while (space_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, 4096)) n++;
  CHECK(n > 200);
  CHECK(space_top() <= space_end());
}

TEST(objspace_validate_rejects_bad_headers) {
  fixture_space(MIB);
  *space_field(SH_MAGIC) = 0;
  CHECK(space_validate(MIB) != 0);
  *space_field(SH_MAGIC) = SPACE_MAGIC;
  *space_field(SH_SIZE) = 2 * MIB;
  CHECK(space_validate(MIB) != 0);
  *space_field(SH_SIZE) = MIB;
  uint32_t top = space_top();
  *space_field(SH_TOP) = SPACE_BASE + MIB + 4;
  CHECK(space_validate(MIB) != 0);
  *space_field(SH_TOP) = top;
  CHECK(space_validate(MIB) == 0);
}

TEST(objspace_validate_rejects_wild_references_and_sizes) {
  fixture_space(MIB);
  word_t a = fixture_array(2);
  obj_slots(a)[0] = addr_ref(obj_addr(a) + 8); /* into a's header: its would-be flags word is slot 1, 0, so unmarked */
  obj_slots(a)[1] = 0;
  const char *err = space_validate(MIB);
  CHECK(err && strstr(err, "reference"));
  obj_slots(a)[0] = addr_ref(0x12345678);
  CHECK(space_validate(MIB) != 0);
  obj_slots(a)[0] = 0;
  CHECK(space_validate(MIB) == 0);
  obj_header(a)[HDR_SIZE / 4] = 0x7FFFFFFF;
  CHECK(space_validate(MIB) != 0);
  obj_header(a)[HDR_SIZE / 4] = 8;
  obj_header(a)[HDR_CLASS / 4] = a; /* its class is not a class */
  CHECK(space_validate(MIB) != 0);
  obj_header(a)[HDR_CLASS / 4] = fixture_internal_class(CID_ARRAY);
  obj_header(a)[HDR_FLAGS / 4] = 7;
  CHECK(space_validate(MIB) != 0);
}

TEST(objspace_validate_rejects_free_list_and_thread_cycles) {
  fixture_space(MIB);
  word_t a = fixture_array(4);
  fixture_array(1);
  space_free(a);
  CHECK(space_validate(MIB) == 0);
  obj_slots(a)[0] = obj_addr(a); /* a free block linking to itself */
  CHECK(space_validate(MIB) != 0);
  obj_slots(a)[0] = 0;
  word_t m = fixture_object(fixture_internal_class(CID_METHOD), CID_METHOD_SLOTS);
  word_t t = fixture_thread(m, 0);
  obj_slots(t)[THREAD_NEXT] = t;
  CHECK(space_validate(MIB) != 0);
}

TEST(objspace_validate_leaves_marks_clear) {
  fixture_space(MIB);
  fixture_array(3);
  CHECK(space_validate(MIB) == 0);
  for (uint32_t addr = SPACE_FIRST_OBJECT; addr < space_top(); addr += footprint(obj_size(addr_ref(addr))))
    CHECK_EQ(obj_header(addr_ref(addr))[HDR_FLAGS / 4] & FLAG_MARK, 0);
}

static uint32_t stamp_of(word_t ref) { return obj_header(ref)[HDR_FLAGS / 4] >> STAMP_SHIFT; }

TEST(objspace_stamps_births_and_a_capture_opens_an_epoch) {
  fixture_space(MIB);
  space_new_epoch(); /* the space was loaded */
  uint32_t epoch = *space_field(SH_EPOCH);
  word_t a = fixture_array(1);
  CHECK_EQ(*space_field(SH_EPOCH), epoch + 1);
  CHECK_EQ(stamp_of(a), epoch + 1);
  word_t b = fixture_array(1);
  CHECK_EQ(stamp_of(b), epoch + 1);
  space_new_epoch(); /* a generation was frozen */
  CHECK_EQ(*space_field(SH_EPOCH), epoch + 1); /* nothing written until the next allocation */
  space_free(b);
  word_t c = fixture_array(1);
  CHECK_EQ(obj_addr(c), obj_addr(b)); /* the address is reused ... */
  CHECK_EQ(stamp_of(c), epoch + 2);   /* ... by an object the stamp tells apart */
  CHECK_EQ(obj_kind(c), KIND_SLOTS);
  space_stamp(a);
  CHECK_EQ(stamp_of(a), epoch + 2);
  CHECK(space_validate(MIB) == 0); /* stamps are part of a sound header */
}
