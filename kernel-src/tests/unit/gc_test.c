/* gc_test.c — mark–sweep over hand-built graphs: cycles, shared nodes, frames, overflow, coalescing. */
#include "gc.h"
#include "space_fixture.h"
#include "test.h"

#define MIB (1024u * 1024u)

static word_t node(word_t next) {
  word_t n = fixture_array(2);
  obj_slots(n)[0] = next;
  obj_slots(n)[1] = int_to_word(7);
  return n;
}

/** A live array in the root that tests hang objects on; allocated before the objects under test so
 * that the fixture's own garbage does not merge with theirs. */
static word_t holder(void) {
  word_t h = fixture_array(4);
  obj_slots(space_root())[ROOT_PROGRAM_CLASSES] = h;
  return h;
}

static int is_free(word_t ref) { return obj_kind(ref) == KIND_FREE; }

TEST(gc_frees_unreachable_and_keeps_reachable) {
  fixture_space(MIB);
  word_t h = holder();
  word_t kept = node(0);
  word_t dead = node(0);
  word_t kept_after = node(0);
  obj_slots(h)[0] = kept;
  obj_slots(h)[1] = kept_after;
  gc_collect();
  CHECK(!is_free(kept));
  CHECK(is_free(dead));
  CHECK(!is_free(kept_after));
  CHECK_EQ(obj_slots(kept)[1], int_to_word(7));
  CHECK_EQ(gc_get_stats()->freed_objects, 2); /* and the fixture's empty program-classes array */
  CHECK(space_validate(MIB) == 0);
}

TEST(gc_collects_unreachable_cycles_and_keeps_reachable_ones) {
  fixture_space(MIB);
  word_t h = holder();
  word_t a = node(0), b = node(a);
  obj_slots(a)[0] = b;
  word_t c = node(0), d = node(c);
  obj_slots(c)[0] = d;
  obj_slots(h)[0] = c;
  fixture_array(0);
  gc_collect();
  CHECK(is_free(a));
  CHECK(!is_free(c) && !is_free(d));
  CHECK_EQ(obj_slots(d)[0], c);
}

TEST(gc_keeps_shared_nodes_once) {
  fixture_space(MIB);
  word_t h = holder();
  gc_collect();
  uint32_t before = *space_field(SH_OBJECTS);
  word_t shared = node(0);
  for (int i = 0; i < 3; i++) obj_slots(h)[i] = node(shared);
  gc_collect();
  CHECK(!is_free(shared));
  CHECK_EQ(gc_get_stats()->live_objects, before + 4);
  CHECK_EQ(gc_get_stats()->freed_objects, 0);
}

TEST(gc_keeps_objects_reachable_only_from_frames) {
  fixture_space(MIB);
  word_t m = fixture_object(fixture_internal_class(CID_METHOD), CID_METHOD_SLOTS);
  obj_slots(m)[METHOD_LOCALS] = int_to_word(2);
  obj_slots(m)[METHOD_MAX_STACK] = int_to_word(2);
  word_t t = fixture_thread(m, 0);
  word_t frame = obj_slots(t)[THREAD_FRAME];
  word_t in_local = node(0), on_stack = node(0), garbage = node(0);
  obj_slots(frame)[FRAME_LOCALS + 1] = in_local;
  obj_slots(frame)[FRAME_LOCALS + 3] = on_stack;
  word_t caller = fixture_object(fixture_internal_class(CID_FRAME), FRAME_LOCALS + 1);
  word_t in_caller = node(0);
  obj_slots(caller)[FRAME_LOCALS] = in_caller;
  obj_slots(frame)[FRAME_CALLER] = caller;
  gc_collect();
  CHECK(!is_free(in_local) && !is_free(on_stack) && !is_free(in_caller));
  CHECK(is_free(garbage));
}

TEST(gc_coalesces_neighbours_and_returns_the_tail_to_bump) {
  fixture_space(MIB);
  word_t keep = node(0);
  obj_slots(holder())[0] = keep;
  word_t first = node(0);
  node(0);
  node(0);
  word_t keep2 = node(0);
  obj_slots(keep)[0] = keep2;
  uint32_t tail_start = space_top();
  node(0);
  node(0);
  gc_collect();
  CHECK(is_free(first));
  CHECK_EQ(obj_size(first), 3 * 20 - 12); /* three 20-byte nodes merged */
  CHECK_EQ(space_top(), tail_start);
  CHECK(space_validate(MIB) == 0);
}

TEST(gc_survives_mark_stack_overflow) {
  fixture_space(4 * MIB);
  gc_set_mark_stack_limit(4);
  word_t h = holder();
  word_t wide = fixture_array(1000);
  for (int i = 0; i < 1000; i++) obj_slots(wide)[i] = node(node(0));
  obj_slots(h)[0] = wide;
  fixture_array(0);
  gc_collect();
  CHECK(gc_get_stats()->mark_overflows > 0);
  for (int i = 0; i < 1000; i++) {
    CHECK(!is_free(obj_slots(wide)[i]));
    CHECK(!is_free(obj_slots(obj_slots(wide)[i])[0]));
  }
  CHECK(space_validate(4 * MIB) == 0);
}

TEST(gc_alloc_collects_when_full_and_pins_survive) {
  fixture_space(MIB);
  word_t pinned = node(0);
  gc_pin(&pinned);
  int made = 0;
  for (int i = 0; i < 200000; i++)
    if (gc_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, 64)) made++;
  gc_unpin(1);
  CHECK_EQ(made, 200000);
  CHECK(gc_get_stats()->collections > 0);
  CHECK(!is_free(pinned));
  CHECK_EQ(obj_slots(pinned)[1], int_to_word(7));
}

TEST(gc_long_list_needs_no_recursion) {
  fixture_space(64 * MIB);
  word_t h = holder();
  word_t head = 0;
  for (int i = 0; i < 500000; i++) head = node(head);
  obj_slots(h)[0] = head;
  gc_collect();
  CHECK(gc_get_stats()->live_objects > 500000);
  CHECK_EQ(gc_get_stats()->mark_overflows, 0);
}

TEST(gc_junk_fills_freed_payloads) {
  fixture_space(MIB);
  word_t h = holder();
  word_t a = fixture_array(4);
  obj_slots(h)[0] = fixture_array(0);
  gc_collect();
  CHECK(is_free(a));
  CHECK_EQ(obj_slots(a)[2], 0xDEADBEEFu);
}

TEST(gc_allowance_in_the_space_decides_when_to_collect) {
  fixture_space(MIB);
  word_t array = fixture_internal_class(CID_ARRAY);
  *space_field(SH_GC_ALLOWANCE) = 100;
  uint32_t collections = gc_get_stats()->collections;
  CHECK(gc_alloc(array, KIND_SLOTS, 64));
  CHECK_EQ(*space_field(SH_GC_ALLOWANCE), 24);
  CHECK(gc_alloc(array, KIND_SLOTS, 64));
  CHECK_EQ(*space_field(SH_GC_ALLOWANCE), 0); /* spent, down to 0 */
  CHECK_EQ(gc_get_stats()->collections, collections);
  CHECK(gc_alloc(array, KIND_SLOTS, 64)); /* collects first, then counts down from a new allowance */
  CHECK_EQ(gc_get_stats()->collections, collections + 1);
  CHECK_EQ(*space_field(SH_GC_ALLOWANCE), GC_BUDGET_MIN - 76);
}

TEST(gc_budget_keeps_the_heap_near_the_live_data) {
  fixture_space(64 * MIB);
  word_t h = holder();
  for (int i = 0; i < 1000000; i++) obj_slots(h)[0] = gc_alloc(fixture_internal_class(CID_ARRAY), KIND_SLOTS, 64);
  CHECK(gc_get_stats()->collections >= 10);
  CHECK(space_top() - SPACE_BASE < 12 * MIB); /* 76 MB were allocated in all */
  CHECK(!is_free(obj_slots(h)[0]));
}
