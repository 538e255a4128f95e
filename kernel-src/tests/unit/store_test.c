/*
 * store_test.c — the store (core/store.c) against the hosted fake disk: commit and read back,
 * verification and fallback, torn and lost writes at every point of a commit, retention and
 * block reuse, branches, a full disk, disk errors, and bad or fuzzed input.
 *
 * A model remembers, for every committed generation, which "version" each page holds; the
 * contents of a page are a pure function of (version, page), so any page read can be checked.
 * After every mount or commit the incremental free-block count must equal a fresh mount's:
 * that is what proves the reference counts never free a block a kept generation uses.
 */
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "disk.h"
#include "platform.h"
#include "store.h"
#include "test.h"

enum { SPACE = 4 << 20, MAX_PAGES = SPACE / BLOCK_SIZE, MAX_MODEL_GENS = 1024 };
/* Most tests use a 4 MiB space (two map blocks); the torn-write loops a 513-page one (a second,
   nearly empty map block) because they mount thousands of times. */
enum { SMALL_SPACE = 513 * BLOCK_SIZE };
static uint32_t PAGES = MAX_PAGES;

/* The store's tables, kept for the next mount: the torn-write loops mount thousands of times,
   and fresh memory from the sanitizers' allocator costs page faults. */
enum { CACHED_TABLES = 8 };
static struct {
  void *memory;
  size_t bytes;
} cached[CACHED_TABLES];

static void *test_alloc(void *context, size_t bytes) {
  for (int i = 0; i < CACHED_TABLES; i++)
    if (cached[i].memory && cached[i].bytes == bytes) {
      void *p = cached[i].memory;
      cached[i].memory = 0;
      return p;
    }
  return bytes > 64u << 20 ? 0 : malloc(bytes);
}

static void test_release(void *context, void *memory, size_t bytes) {
  for (int i = 0; i < CACHED_TABLES; i++)
    if (!cached[i].memory) {
      cached[i].memory = memory;
      cached[i].bytes = bytes;
      return;
    }
  free(memory);
}
static void *refuse_alloc(void *context, size_t bytes) { return 0; }

static struct store_config config(enum store_page_check check) {
  return (struct store_config){
      .memory = {test_alloc, test_release, 0},
      .retention = STORE_RETENTION_DEFAULTS,
      .page_check = check,
  };
}

/* version[g][p]: which write produced page p of generation g (0: the page is zero). */
static uint32_t (*version)[MAX_PAGES];
static uint32_t next_version = 1;
static uint64_t clock_seconds = 1700000000;

static void model_init(uint32_t space) {
  if (!version) version = malloc(MAX_MODEL_GENS * sizeof *version);
  memset(version, 0, MAX_MODEL_GENS * sizeof *version);
  next_version = 1;
  PAGES = space / BLOCK_SIZE;
}

static void page_bytes(uint32_t v, uint32_t page, uint8_t *out) {
  uint32_t x = v * 2654435761u ^ page * 40503u ^ 0x5bd1e995u;
  for (uint32_t i = 0; i < BLOCK_SIZE; i += 4) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    memcpy(out + i, &x, 4);
  }
}

static uint32_t random_state = 7;
static uint32_t random_below(uint32_t n) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 17;
  random_state ^= random_state << 5;
  return random_state % n;
}

/* Writes `count` pages (random or from `pages`) and commits; the model learns the new generation. */
static int commit_pages(struct store *s, const uint32_t *pages, uint32_t count, uint32_t seconds_later) {
  uint32_t parent = store_current_generation(s);
  uint32_t next = 0;
  for (uint32_t i = 0; i < store_generation_count(s); i++)
    if (store_generation_at(s, i)->number >= next) next = store_generation_at(s, i)->number + 1;
  if (next < s->newest_number + 1) next = s->newest_number + 1;
  if (next >= MAX_MODEL_GENS) next = MAX_MODEL_GENS - 1; /* a fuzzed store: its model is not checked */
  memcpy(version[next], version[parent], sizeof version[next]);
  int rc = store_begin_generation(s);
  if (rc != STORE_OK) return rc;
  uint8_t data[BLOCK_SIZE];
  for (uint32_t i = 0; i < count; i++) {
    uint32_t page = pages ? pages[i] : random_below(PAGES);
    uint32_t v = next_version++;
    page_bytes(v, page, data);
    rc = store_write_page(s, page, data);
    if (rc != STORE_OK) return rc;
    version[next][page] = v;
  }
  clock_seconds += seconds_later;
  struct store_snapshot_stats stats = {clock_seconds, clock_seconds * 1000, 100, 2, 300};
  return store_commit(s, &stats);
}

/* Every page of the current generation reads back as the model says. */
static int contents_match(struct store *s) {
  uint32_t g = store_current_generation(s);
  uint8_t got[BLOCK_SIZE], want[BLOCK_SIZE];
  for (uint32_t p = 0; p < PAGES; p++) {
    int rc = store_read_page(s, p, got);
    if (version[g][p] == 0) {
      if (rc != STORE_ZERO_PAGE) return 0;
      continue;
    }
    page_bytes(version[g][p], p, want);
    if (rc != STORE_OK || memcmp(got, want, BLOCK_SIZE) != 0) return 0;
  }
  return 1;
}

/* The free-block count a fresh mount computes equals the running store's. */
static int free_blocks_agree(struct store *s) {
  struct store fresh;
  struct store_config c = config(STORE_CHECK_PAGES_ON_READ);
  store_init(&fresh, &c);
  if (store_mount(&fresh, store_current_generation(s)) != STORE_OK) return 0;
  int agree = store_free_blocks(&fresh) == store_free_blocks(s) && fresh.generation_count == s->generation_count;
  store_unmount(&fresh);
  return agree;
}

static int has_generation(struct store *s, uint32_t number) {
  for (uint32_t i = 0; i < store_generation_count(s); i++)
    if (store_generation_at(s, i)->number == number) return 1;
  return 0;
}

static const struct store_generation *generation(struct store *s, uint32_t number) {
  for (uint32_t i = 0; i < store_generation_count(s); i++)
    if (store_generation_at(s, i)->number == number) return store_generation_at(s, i);
  return 0;
}

static void fresh_store_of(struct store *s, uint32_t space, uint32_t disk_blocks, enum store_page_check check) {
  model_init(space);
  disk_fake_create(disk_blocks);
  struct store_config c = config(check);
  store_init(s, &c);
  store_format(s, space, clock_seconds);
  store_mount(s, NO_GENERATION);
}

static void fresh_store(struct store *s, uint32_t disk_blocks, enum store_page_check check) {
  fresh_store_of(s, SPACE, disk_blocks, check);
}

static int remount(struct store *s, uint32_t want) {
  store_unmount(s);
  return store_mount(s, want);
}


static uint8_t *save_disk(uint32_t blocks) {
  uint8_t *image = malloc((size_t)blocks * BLOCK_SIZE);
  for (uint32_t b = 0; b < blocks; b++) memcpy(image + (size_t)b * BLOCK_SIZE, disk_fake_block(b), BLOCK_SIZE);
  return image;
}

TEST(store_format_mounts_generation_zero_of_zero_pages) {
  struct store s;
  fresh_store(&s, 64, STORE_CHECK_PAGES_AT_MOUNT);
  CHECK(s.mounted);
  CHECK_EQ(store_current_generation(&s), 0);
  CHECK_EQ(store_generation_count(&s), 1);
  CHECK_EQ(store_generation_at(&s, 0)->parent, NO_GENERATION);
  uint8_t buf[BLOCK_SIZE];
  CHECK_EQ(store_read_page(&s, 0, buf), STORE_ZERO_PAGE);
  CHECK_EQ(store_read_page(&s, PAGES - 1, buf), STORE_ZERO_PAGE);
  CHECK_EQ(store_read_page(&s, PAGES, buf), STORE_ERANGE);
  /* blocks 0, 1, index, record, 2 map blocks */
  CHECK_EQ(store_free_blocks(&s), 64 - 6);
  CHECK(free_blocks_agree(&s));
}

TEST(store_commit_reads_back_after_remount) {
  struct store s;
  fresh_store(&s, 256, STORE_CHECK_PAGES_AT_MOUNT);
  uint32_t pages[] = {0, 1, 7, 511, 512, PAGES - 1};
  CHECK_EQ(commit_pages(&s, pages, 6, 1), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  const struct store_generation *g = generation(&s, 1);
  CHECK(g != 0);
  CHECK_EQ(g->parent, 0);
  CHECK_EQ(g->pages_written, 6);
  CHECK_EQ(g->bytes_written, (6 + 2 + 3) * BLOCK_SIZE);
  CHECK_EQ(g->wall_seconds, clock_seconds);
  CHECK_EQ(g->pause_us, 100);
  CHECK_EQ(g->pages_cow, 2);
  CHECK_EQ(g->write_us, 300);
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, 0), STORE_OK);
  CHECK(contents_match(&s));
}

TEST(store_commit_shares_unchanged_map_blocks_and_writes_zero_pages_as_holes) {
  struct store s;
  fresh_store(&s, 256, STORE_CHECK_PAGES_AT_MOUNT);
  uint32_t before = store_free_blocks(&s);
  uint32_t pages[] = {3, 4, 5};
  CHECK_EQ(commit_pages(&s, pages, 3, 1), STORE_OK);
  /* 3 pages + 1 map block + record + new index - old index */
  CHECK_EQ(store_free_blocks(&s), before - 5);
  CHECK_EQ(generation(&s, 1)->bytes_written, (3 + 1 + 3) * BLOCK_SIZE);
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  uint8_t zeros[BLOCK_SIZE] = {0};
  CHECK_EQ(store_write_page(&s, 4, zeros), STORE_OK);
  struct store_snapshot_stats stats = {clock_seconds + 1, 0, 0, 0, 0};
  CHECK_EQ(store_commit(&s, &stats), STORE_OK);
  memcpy(version[2], version[1], sizeof version[2]);
  version[2][4] = 0;
  CHECK_EQ(generation(&s, 2)->pages_written, 0);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

TEST(store_writing_a_page_twice_keeps_the_last_and_frees_the_first) {
  struct store s;
  fresh_store(&s, 256, STORE_CHECK_PAGES_AT_MOUNT);
  uint32_t pages[] = {9, 9, 9, 10};
  CHECK_EQ(commit_pages(&s, pages, 4, 1), STORE_OK);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK(contents_match(&s));
}

/* Commits 1, 2, 3 (each changing pages of its own), then damages generation 3. */
static void three_generations(struct store *s, enum store_page_check check) {
  fresh_store(s, 256, check);
  for (uint32_t g = 1; g <= 3; g++) {
    uint32_t pages[] = {g, 100 + g, 600 + g};
    commit_pages(s, pages, 3, 1);
  }
}

static uint32_t record_block_of(struct store *s, uint32_t number) { return generation(s, number)->record_block; }

TEST(store_falls_back_when_the_newest_record_is_damaged) {
  for (uint32_t trial = 0; trial < 40; trial++) {
    struct store s;
    three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
    disk_fake_flip_bit(record_block_of(&s, 3), random_below(BLOCK_SIZE * 8));
    CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
    CHECK_EQ(store_current_generation(&s), 2);
    CHECK(generation(&s, 3)->damage == STORE_DAMAGE_RECORD_CHECKSUM);
    CHECK(contents_match(&s));
    CHECK(free_blocks_agree(&s));
    /* the next commit continues from 2 with a new number; the damaged one leaves the index */
    uint32_t pages[] = {42};
    CHECK_EQ(commit_pages(&s, pages, 1, 1), STORE_OK);
    CHECK_EQ(store_current_generation(&s), 4);
    CHECK_EQ(generation(&s, 4)->parent, 2);
    CHECK(!has_generation(&s, 3));
    CHECK(free_blocks_agree(&s));
    CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
    CHECK(contents_match(&s));
    store_unmount(&s);
  }
}

TEST(store_falls_back_when_a_map_block_of_the_newest_is_damaged) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  const uint8_t *record = disk_fake_block(record_block_of(&s, 3));
  uint32_t map0;
  memcpy(&map0, record + GEN_MAP + GME_BLOCK, 4);
  disk_fake_flip_bit(map0, random_below(BLOCK_SIZE * 8));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK(generation(&s, 3)->damage == STORE_DAMAGE_MAP_CHECKSUM);
  CHECK_EQ(generation(&s, 3)->damage_block, map0);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

static uint32_t page_block(struct store *s, uint32_t page) { return s->map[page].block; }

TEST(store_falls_back_when_a_page_of_the_newest_is_damaged) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  disk_fake_flip_bit(page_block(&s, 603), random_below(BLOCK_SIZE * 8));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK(generation(&s, 3)->damage == STORE_DAMAGE_PAGE_CHECKSUM);
  CHECK(contents_match(&s));
  uint32_t pages[] = {5};
  CHECK_EQ(commit_pages(&s, pages, 1, 1), STORE_OK);
  CHECK(!has_generation(&s, 3));
  CHECK(free_blocks_agree(&s));
}

/* What a page sink (store_keep_checked_pages) was given: a copy of each page kept since the last forget. */
static struct {
  uint8_t *bytes;
  bool kept[MAX_PAGES];
  uint32_t keeps, forgets;
  bool kept_twice, out_of_range;
} sink_seen;

static void sink_keep(void *context, uint32_t page, const void *bytes) {
  sink_seen.keeps++;
  if (page >= PAGES) {
    sink_seen.out_of_range = true;
    return;
  }
  sink_seen.kept_twice |= sink_seen.kept[page];
  sink_seen.kept[page] = true;
  memcpy(sink_seen.bytes + (size_t)page * BLOCK_SIZE, bytes, BLOCK_SIZE);
}

static void sink_forget(void *context) { memset(sink_seen.kept, 0, sizeof sink_seen.kept); sink_seen.forgets++; }

static void sink_reset(struct store *s) {
  if (!sink_seen.bytes) sink_seen.bytes = malloc((size_t)MAX_PAGES * BLOCK_SIZE);
  memset(sink_seen.kept, 0, sizeof sink_seen.kept);
  sink_seen.keeps = sink_seen.forgets = 0;
  sink_seen.kept_twice = sink_seen.out_of_range = false;
  struct store_page_sink sink = {sink_keep, sink_forget, 0, 0};
  store_keep_checked_pages(s, &sink);
}

/* The pages kept since the last forget are the non-zero pages of the mounted generation, byte for byte. */
static int kept_pages_match(struct store *s) {
  uint32_t g = store_current_generation(s);
  uint8_t want[BLOCK_SIZE];
  if (sink_seen.kept_twice || sink_seen.out_of_range) return 0;
  for (uint32_t p = 0; p < PAGES; p++) {
    if (sink_seen.kept[p] != (version[g][p] != 0)) return 0;
    if (!sink_seen.kept[p]) continue;
    page_bytes(version[g][p], p, want);
    if (memcmp(sink_seen.bytes + (size_t)p * BLOCK_SIZE, want, BLOCK_SIZE) != 0) return 0;
  }
  return 1;
}

TEST(store_hands_the_pages_it_checks_at_mount_to_its_sink) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  sink_reset(&s);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3);
  CHECK_EQ(sink_seen.forgets, 1);
  CHECK(kept_pages_match(&s));
  uint32_t bad = 0, keeps = sink_seen.keeps;
  CHECK_EQ(store_verify_generation(&s, 2, &bad), STORE_OK);
  CHECK_EQ(sink_seen.keeps, keeps);

  /* Page 603 is in generation 3's second map range: the pages of its first range were kept, then forgotten. */
  disk_fake_flip_bit(page_block(&s, 603), random_below(BLOCK_SIZE * 8));
  sink_reset(&s);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK_EQ(sink_seen.forgets, 2);
  CHECK(kept_pages_match(&s));
  CHECK_EQ(remount(&s, 1), STORE_OK);
  CHECK(kept_pages_match(&s));
  CHECK(contents_match(&s));
}

/* A sink that already holds some pages (a rollback in place): they are asked about, never read. */
static struct {
  uint32_t block[MAX_PAGES], crc[MAX_PAGES];
  bool held[MAX_PAGES];
  uint32_t asked;
} have_seen;

static bool sink_have(void *context, uint32_t page, uint32_t block, uint32_t crc) {
  have_seen.asked++;
  if (page >= PAGES || !have_seen.held[page] || have_seen.block[page] != block || have_seen.crc[page] != crc) return false;
  sink_seen.kept[page] = true; /* as if kept: the sink has the bytes */
  page_bytes(version[3][page], page, sink_seen.bytes + (size_t)page * BLOCK_SIZE);
  return true;
}

TEST(store_does_not_read_the_pages_its_sink_already_holds) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  /* The sink holds generation 3's pages 600..609 (block and crc as its map says); one of them is damaged on the disk. */
  memset(&have_seen, 0, sizeof have_seen);
  for (uint32_t p = 600; p < 610; p++) {
    have_seen.held[p] = true;
    have_seen.block[p] = s.map[p].block;
    have_seen.crc[p] = s.map[p].crc;
  }
  /* And page 5 with a crc the map does not have: not the same bytes, so it is read. */
  have_seen.held[5] = true;
  have_seen.block[5] = s.map[5].block;
  have_seen.crc[5] = s.map[5].crc ^ 1;
  disk_fake_flip_bit(page_block(&s, 603), random_below(BLOCK_SIZE * 8));
  sink_reset(&s);
  struct store_page_sink sink = {sink_keep, sink_forget, 0, sink_have};
  store_keep_checked_pages(&s, &sink);
  CHECK_EQ(remount(&s, 3), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3); /* the damaged block was never read */
  CHECK(have_seen.asked > 0);
  CHECK(kept_pages_match(&s));
  /* Without the sink's pages the damage is found, and the mount falls back as ever. */
  memset(&have_seen, 0, sizeof have_seen);
  sink_reset(&s);
  CHECK_EQ(remount(&s, 3), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK(kept_pages_match(&s));
}

TEST(store_keeps_no_pages_when_it_checks_them_on_read) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_ON_READ);
  sink_reset(&s);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(sink_seen.keeps, 0);
  CHECK_EQ(sink_seen.forgets, 1);
  CHECK(contents_match(&s));
}

TEST(store_reports_a_damaged_page_on_read_when_pages_are_checked_lazily) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_ON_READ);
  disk_fake_flip_bit(page_block(&s, 103), 77);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3);
  uint8_t buf[BLOCK_SIZE];
  CHECK_EQ(store_read_page(&s, 103, buf), STORE_EPAGE);
  CHECK_EQ(store_read_page(&s, 3, buf), STORE_OK);
  uint32_t bad = 0;
  CHECK_EQ(store_verify_generation(&s, 3, &bad), STORE_EPAGE);
  CHECK_EQ(bad, 103);
  CHECK_EQ(store_verify_generation(&s, 2, &bad), STORE_OK);
  CHECK_EQ(store_verify_generation(&s, 99, &bad), STORE_ENOGEN);
  disk_fake_fail_reads_of(page_block(&s, 3));
  CHECK_EQ(store_read_page(&s, 3, buf), STORE_EIO);
}

TEST(store_falls_back_along_the_parent_chain_then_to_older) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  disk_fake_flip_bit(record_block_of(&s, 3), 5);
  disk_fake_flip_bit(record_block_of(&s, 2), 5);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  disk_fake_flip_bit(record_block_of(&s, 1), 5);
  disk_fake_flip_bit(record_block_of(&s, 0), 5);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_ENOVALID);
  CHECK(!s.mounted);
}

/* A disk with generation 1 committed, and the count of writes the commit of generation 2 makes. */
struct torn_setup {
  uint8_t *image;
  uint32_t blocks;
  uint32_t commit_writes;
  uint32_t model_next_version;
};

static const uint32_t torn_pages[] = {3, 4, 5, 512};

static void torn_prepare(struct torn_setup *t) {
  struct store s;
  t->blocks = 40;
  fresh_store_of(&s, SMALL_SPACE, t->blocks, STORE_CHECK_PAGES_AT_MOUNT);
  uint32_t first[] = {1, 5, 512};
  commit_pages(&s, first, 3, 1);
  t->image = save_disk(t->blocks);
  t->model_next_version = next_version;
  remount(&s, NO_GENERATION); /* as every run starts: the same blocks, so the same writes */
  uint32_t before = disk_fake_counters().writes;
  commit_pages(&s, torn_pages, 4, 1);
  t->commit_writes = disk_fake_counters().writes - before;
  store_unmount(&s);
}

/*
 * Restores generation 1, commits generation 2 with the fault armed, power-cycles, checks: a
 * generation that verifies (pages are checked at mount), generation 1 kept, nothing damaged.
 * `thorough` adds the slower checks: contents against the model, free blocks against a fresh
 * mount, and the store committing on from there.
 */
static int torn_run(struct torn_setup *t, void (*arm)(uint32_t, uint32_t), uint32_t nth, uint32_t bytes,
                    enum disk_survivors survivors, uint32_t seed, int thorough) {
  disk_fake_load(t->image, t->blocks);
  struct store s;
  struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
  store_init(&s, &c);
  if (store_mount(&s, NO_GENERATION) != STORE_OK) return 0;
  next_version = t->model_next_version;
  arm(nth, bytes);
  int rc = commit_pages(&s, torn_pages, 4, 1);
  store_unmount(&s);
  disk_fake_power_cycle(survivors, seed);
  if (store_mount(&s, NO_GENERATION) != STORE_OK) return 0;
  uint32_t g = store_current_generation(&s);
  int ok = (g == 1 || g == 2) && has_generation(&s, 1) && (!thorough || (contents_match(&s) && free_blocks_agree(&s)));
  if (rc == STORE_OK && g != 2) ok = 0; /* a commit that returned OK is never lost */
  for (uint32_t i = 0; i < store_generation_count(&s); i++)
    if (store_generation_at(&s, i)->damage != STORE_DAMAGE_NONE) ok = 0;
  if (ok && thorough && g == 1) { /* the store goes on from the survivor */
    uint32_t again[] = {4};
    ok = commit_pages(&s, again, 1, 1) == STORE_OK && remount(&s, NO_GENERATION) == STORE_OK && contents_match(&s);
  }
  store_unmount(&s);
  return ok;
}

static void tear(uint32_t nth, uint32_t bytes) { disk_fake_tear_write(nth, bytes); }
static void fail_write(uint32_t nth, uint32_t unused) { disk_fake_fail_write(nth); }

TEST(store_torn_superblock_write_never_loses_the_last_commit) {
  struct torn_setup t;
  torn_prepare(&t);
  CHECK(t.commit_writes >= 4);
  uint32_t superblock_write = t.commit_writes - 1;
  for (uint32_t bytes = 0; bytes <= BLOCK_SIZE; bytes++)
    if (!torn_run(&t, tear, superblock_write, bytes, DISK_KEEP_ALL, 0, 1)) {
      fprintf(stderr, "torn superblock at byte %u\n", bytes);
      CHECK(0);
    }
}

TEST(store_tear_at_every_byte_of_every_commit_write_keeps_a_valid_generation) {
  struct torn_setup t;
  torn_prepare(&t);
  /* some pages go out in one multi-block request (4 pages, 2 map blocks, record, index, superblock) */
  CHECK(t.commit_writes < 4 + 5);
  /* past the first block of a write, every 64th byte */
  for (uint32_t w = 0; w < t.commit_writes; w++)
    for (uint32_t bytes = 0; bytes <= 2 * BLOCK_SIZE; bytes += bytes < BLOCK_SIZE ? 1 : 64)
      if (!torn_run(&t, tear, w, bytes, DISK_KEEP_ALL, 0, bytes % 257 == 0 || bytes >= BLOCK_SIZE - 1)) {
        fprintf(stderr, "torn write %u at byte %u\n", w, bytes);
        CHECK(0);
      }
}

TEST(store_power_loss_with_a_reordering_cache_keeps_a_valid_generation) {
  struct torn_setup t;
  torn_prepare(&t);
  for (uint32_t w = 0; w <= t.commit_writes; w++) {
    CHECK(torn_run(&t, tear, w, 0, DISK_KEEP_NONE, 0, 1));
    for (uint32_t seed = 1; seed <= 40; seed++) CHECK(torn_run(&t, tear, w, 0, DISK_KEEP_SOME, seed, 1));
  }
}

TEST(store_failed_write_abandons_the_generation_and_keeps_going) {
  struct torn_setup t;
  torn_prepare(&t);
  for (uint32_t w = 0; w < t.commit_writes; w++) CHECK(torn_run(&t, fail_write, w, 0, DISK_KEEP_ALL, 0, 1));
  /* without a power cycle: the running store is still usable after a failed page or metadata write */
  for (uint32_t w = 0; w + 1 < t.commit_writes; w++) {
    disk_fake_load(t.image, t.blocks);
    struct store s;
    struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
    store_init(&s, &c);
    CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
    next_version = t.model_next_version;
    disk_fake_fail_write(w);
    CHECK_EQ(commit_pages(&s, torn_pages, 4, 1), STORE_EIO);
    CHECK(!s.pending && !s.broken);
    CHECK_EQ(store_current_generation(&s), 1);
    CHECK(contents_match(&s));
    CHECK(free_blocks_agree(&s));
    CHECK_EQ(commit_pages(&s, torn_pages, 4, 1), STORE_OK);
    CHECK(contents_match(&s));
    CHECK(free_blocks_agree(&s));
    store_unmount(&s);
  }
}

TEST(store_failed_superblock_write_needs_a_remount) {
  struct torn_setup t;
  torn_prepare(&t);
  disk_fake_load(t.image, t.blocks);
  struct store s;
  struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
  store_init(&s, &c);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
  next_version = t.model_next_version;
  disk_fake_fail_write(t.commit_writes - 1);
  CHECK_EQ(commit_pages(&s, torn_pages, 4, 1), STORE_EIO);
  CHECK(s.broken);
  uint8_t buf[BLOCK_SIZE];
  CHECK_EQ(store_read_page(&s, 1, buf), STORE_EIO);
  CHECK_EQ(store_begin_generation(&s), STORE_EIO);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
}

TEST(store_rollback_makes_a_branch_and_keeps_the_newer_generations) {
  struct store s;
  fresh_store(&s, 512, STORE_CHECK_PAGES_AT_MOUNT);
  for (uint32_t g = 1; g <= 5; g++) CHECK_EQ(commit_pages(&s, 0, 8, 1), STORE_OK);
  CHECK_EQ(remount(&s, 3), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3);
  CHECK(contents_match(&s));
  CHECK_EQ(commit_pages(&s, 0, 8, 1), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 6);
  CHECK_EQ(generation(&s, 6)->parent, 3);
  CHECK_EQ(store_generation_count(&s), 7);
  CHECK(has_generation(&s, 4) && has_generation(&s, 5));
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 6);
  CHECK(contents_match(&s));
  CHECK_EQ(remount(&s, 5), STORE_OK);
  CHECK(contents_match(&s));
  CHECK_EQ(commit_pages(&s, 0, 8, 1), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 7);
  CHECK_EQ(generation(&s, 7)->parent, 5);
  CHECK_EQ(remount(&s, 42), STORE_ENOGEN);
}

TEST(store_switch_goes_back_like_a_mount_without_one) {
  struct store s;
  fresh_store(&s, 512, STORE_CHECK_PAGES_ON_READ);
  for (uint32_t g = 1; g <= 5; g++) CHECK_EQ(commit_pages(&s, 0, 8, 1), STORE_OK);
  /* A generation being written is abandoned: its blocks are free again. */
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  uint8_t data[BLOCK_SIZE];
  page_bytes(next_version++, 9, data);
  CHECK_EQ(store_write_page(&s, 9, data), STORE_OK);
  CHECK_EQ(store_switch(&s, 3), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(commit_pages(&s, 0, 8, 1), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 6);
  CHECK_EQ(generation(&s, 6)->parent, 3);
  CHECK(has_generation(&s, 4) && has_generation(&s, 5));
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(store_switch(&s, 42), STORE_ENOGEN);
  CHECK_EQ(store_current_generation(&s), 6);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 6);
  CHECK(contents_match(&s));
}

/* A block watch that keeps a copy of every page written, as the kernel's earlier page versions do. */
enum { WATCH_BLOCKS = 1000 };
static struct {
  bool held[WATCH_BLOCKS];
  uint32_t crc[WATCH_BLOCKS];
  uint8_t bytes[WATCH_BLOCKS][BLOCK_SIZE];
  uint32_t written, reused_held;
} watched;

static void watch_written(void *context, uint32_t block, uint32_t crc, const void *bytes) {
  CHECK(block < WATCH_BLOCKS && !watched.held[block]); /* told of the take first */
  watched.held[block] = true;
  watched.crc[block] = crc;
  memcpy(watched.bytes[block], bytes, BLOCK_SIZE);
  watched.written++;
}

static const void *watch_copy(void *context, uint32_t block, uint32_t crc) {
  return block < WATCH_BLOCKS && watched.held[block] && watched.crc[block] == crc ? watched.bytes[block] : 0;
}

static void watch_reused(void *context, uint32_t block) {
  if (block < WATCH_BLOCKS && watched.held[block]) watched.reused_held++;
  if (block < WATCH_BLOCKS) watched.held[block] = false;
}

/*
 * Every copy held of a block in use is its bytes on the disk (a free one may hold what an
 * abandoned generation never wrote: no map names it before the store takes it again), and a
 * current page whose entry names a copy's block and CRC is the model's page.
 */
static int watched_copies_hold(struct store *s) {
  for (uint32_t b = 0; b < WATCH_BLOCKS; b++)
    if (watched.held[b] && s->refs[b] && memcmp(disk_fake_block(b), watched.bytes[b], BLOCK_SIZE) != 0) return 0;
  uint8_t want[BLOCK_SIZE];
  uint32_t g = store_current_generation(s);
  for (uint32_t p = 0; p < PAGES; p++) {
    struct store_page_entry e = s->map[p];
    if (e.block >= WATCH_BLOCKS || !watched.held[e.block] || watched.crc[e.block] != e.crc) continue;
    page_bytes(version[g][p], p, want);
    if (memcmp(watched.bytes[e.block], want, BLOCK_SIZE) != 0) return 0;
  }
  return 1;
}

TEST(store_tells_its_watch_of_every_block_written_and_taken_again_and_reads_its_copies) {
  struct store s;
  model_init(SPACE);
  disk_fake_create(WATCH_BLOCKS);
  struct store_config c = config(STORE_CHECK_PAGES_ON_READ);
  c.retention.max_generations = 8;
  store_init(&s, &c);
  CHECK_EQ(store_format(&s, SPACE, clock_seconds), STORE_OK);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
  memset(&watched, 0, sizeof watched);
  struct store_block_watch watch = {watch_written, watch_reused, watch_copy, 0};
  store_watch_blocks(&s, &watch);
  uint8_t data[BLOCK_SIZE];
  uint32_t switches_from_copies = 0;
  /* Commits of pages among the first 96 on a 1000-block disk, so blocks are taken again and again
     for pages, maps, records and the index; between them held pages, abandoned generations and
     switches back to older generations, as a rollback in place does. */
  for (uint32_t round = 1; round <= 300; round++) {
    uint32_t pages[12];
    for (uint32_t i = 0; i < 12; i++) pages[i] = random_below(96);
    if (round == 1) pages[0] = PAGES - 1; /* the second range's map block: no longer the format's, which no copy holds */
    CHECK_EQ(commit_pages(&s, pages, 12, 1), STORE_OK);
    if (round % 7 == 0) {
      uint32_t block, crc;
      page_bytes(next_version++, 0, data);
      CHECK_EQ(store_stash_page(&s, data, &block, &crc), STORE_OK);
      store_release_stash(&s, block);
    }
    if (round % 11 == 0) {
      CHECK_EQ(store_begin_generation(&s), STORE_OK);
      page_bytes(next_version++, 5, data);
      CHECK_EQ(store_write_page(&s, 5, data), STORE_OK);
      store_abandon_generation(&s);
    }
    if (round % 13 == 0) {
      const struct store_generation *g = store_generation_at(&s, random_below(store_generation_count(&s)));
      uint32_t back = g->number, reads = disk_fake_counters().reads;
      bool record_held = watched.held[g->record_block];
      CHECK_EQ(store_switch(&s, back), STORE_OK);
      /* Its record and map blocks came from the copies: the switch read nothing. */
      if (record_held) CHECK_EQ(disk_fake_counters().reads, reads);
      switches_from_copies += record_held;
    }
    CHECK(watched_copies_hold(&s));
  }
  CHECK(watched.written >= 300 * 12);
  CHECK(watched.reused_held > 1000); /* blocks were taken again while a copy of them was held */
  CHECK(switches_from_copies >= 10);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

TEST(store_offers_the_mounted_generations_metadata_so_a_switch_back_reads_nothing) {
  struct store s;
  fresh_store(&s, 512, STORE_CHECK_PAGES_ON_READ);
  uint32_t both[2] = {3, PAGES - 1}; /* a page in each range: neither map block is the format's */
  for (uint32_t g = 1; g <= 4; g++) CHECK_EQ(commit_pages(&s, both, 2, 1), STORE_OK);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK); /* no commit of this mount wrote its metadata */
  uint32_t mounted = store_current_generation(&s);
  memset(&watched, 0, sizeof watched);
  struct store_block_watch watch = {watch_written, watch_reused, watch_copy, 0};
  store_watch_blocks(&s, &watch);
  store_offer_current_metadata(&s);
  CHECK_EQ(watched.written, 1 + s.map_blocks);
  CHECK(watched_copies_hold(&s));
  CHECK_EQ(commit_pages(&s, both, 1, 1), STORE_OK); /* a new generation over the first range only */
  uint32_t reads = disk_fake_counters().reads;
  CHECK_EQ(store_switch(&s, mounted), STORE_OK);
  CHECK_EQ(disk_fake_counters().reads, reads);
  CHECK(contents_match(&s));
  reads = disk_fake_counters().reads;
  CHECK_EQ(store_switch(&s, mounted - 1), STORE_OK); /* its record was never offered: read */
  CHECK(disk_fake_counters().reads > reads);
  CHECK(contents_match(&s));
}

TEST(store_switch_falls_back_from_a_damaged_page_when_it_checks_pages) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_ON_READ);
  disk_fake_flip_bit(page_block(&s, 103), 5);
  CHECK_EQ(store_switch(&s, 3), STORE_OK); /* lazily: the page is not read */
  CHECK_EQ(store_set_page_check(&s, STORE_CHECK_PAGES_AT_MOUNT), STORE_OK);
  CHECK_EQ(store_switch(&s, 3), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK_EQ(generation(&s, 3)->damage, STORE_DAMAGE_PAGE_CHECKSUM);
  CHECK(contents_match(&s));
  CHECK_EQ(store_set_page_check(&s, (enum store_page_check)7), STORE_EINVAL);
}

TEST(store_reads_a_run_of_pages_and_names_the_first_that_fails) {
  struct store s;
  fresh_store(&s, 256, STORE_CHECK_PAGES_ON_READ);
  uint32_t pages[] = {40, 41, 42, 43, 44, 46};
  CHECK_EQ(commit_pages(&s, pages, 6, 1), STORE_OK);
  CHECK_EQ(store_page_run(&s, 39, 8), 0);  /* all zero */
  uint32_t run = store_page_run(&s, 40, 8); /* written in one run of blocks: 40..44, then a hole */
  CHECK_EQ(run, 5);
  CHECK_EQ(store_page_run(&s, 40, 3), 3);
  uint8_t buf[5 * BLOCK_SIZE], want[BLOCK_SIZE];
  uint32_t bad = 0;
  CHECK_EQ(store_read_pages(&s, 40, 5, buf, &bad), STORE_OK);
  for (uint32_t k = 0; k < 5; k++) {
    page_bytes(version[1][40 + k], 40 + k, want);
    CHECK(memcmp(buf + k * BLOCK_SIZE, want, BLOCK_SIZE) == 0);
  }
  CHECK_EQ(store_read_pages(&s, 40, 6, buf, &bad), STORE_ERANGE); /* not one run */
  disk_fake_flip_bit(page_block(&s, 43), 1000);
  CHECK_EQ(store_read_pages(&s, 40, 5, buf, &bad), STORE_EPAGE);
  CHECK_EQ(bad, 43);
  CHECK_EQ(s.read_damage.what, STORE_DAMAGE_PAGE_CHECKSUM);
  CHECK_EQ(s.read_damage.block, page_block(&s, 43));
}

TEST(store_reads_pages_whose_blocks_are_scattered_in_one_call) {
  struct store s;
  fresh_store(&s, 256, STORE_CHECK_PAGES_ON_READ);
  uint32_t first[] = {40, 41, 42, 43, 44}, again[] = {42};
  CHECK_EQ(commit_pages(&s, first, 5, 1), STORE_OK);
  CHECK_EQ(commit_pages(&s, again, 1, 1), STORE_OK); /* page 42 now lies in a block away from its neighbours' */
  CHECK(page_block(&s, 42) != page_block(&s, 41) + 1);
  CHECK_EQ(store_page_run(&s, 40, 8), 5); /* still one call: three runs of blocks */
  uint32_t g = store_current_generation(&s);
  uint8_t buf[5 * BLOCK_SIZE], want[BLOCK_SIZE];
  uint32_t bad = 0;
  CHECK_EQ(store_read_pages(&s, 40, 5, buf, &bad), STORE_OK);
  for (uint32_t k = 0; k < 5; k++) {
    page_bytes(version[g][40 + k], 40 + k, want);
    CHECK(memcmp(buf + k * BLOCK_SIZE, want, BLOCK_SIZE) == 0);
  }
  CHECK_EQ(s.mount_costs.requests, 3);
  CHECK_EQ(s.mount_costs.waits, 1);
  disk_fake_flip_bit(page_block(&s, 44), 7);
  CHECK_EQ(store_read_pages(&s, 40, 5, buf, &bad), STORE_EPAGE);
  CHECK_EQ(bad, 44);
}

TEST(store_retention_reuses_freed_blocks_forever) {
  struct store s;
  model_init(SPACE);
  disk_fake_create(1000);
  struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
  c.retention.max_generations = 10;
  store_init(&s, &c);
  CHECK_EQ(store_format(&s, SPACE, clock_seconds), STORE_OK);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
  /* 400 generations of 16 pages each (of the first 64): 6400 page writes on a 1000-block disk,
     where 10 generations of 64 pages and their metadata always fit */
  for (uint32_t g = 1; g <= 400; g++) {
    uint32_t pages[16];
    for (uint32_t i = 0; i < 16; i++) pages[i] = random_below(64);
    CHECK_EQ(commit_pages(&s, pages, 16, 7), STORE_OK);
    CHECK(store_generation_count(&s) <= 10);
    if (g % 37 == 0) {
      CHECK(free_blocks_agree(&s));
      CHECK(contents_match(&s));
    }
  }
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 400);
  CHECK(contents_match(&s));
  for (uint32_t i = 0; i < store_generation_count(&s); i++) {
    CHECK_EQ(remount(&s, store_generation_at(&s, i)->number), STORE_OK);
    CHECK(contents_match(&s));
  }
}

TEST(store_index_stays_within_its_cap_at_a_high_snapshot_rate) {
  struct store s;
  fresh_store(&s, 2048, STORE_CHECK_PAGES_ON_READ);
  /* ten snapshots a second: the wall clock advances every tenth commit */
  for (uint32_t g = 1; g <= 700; g++) {
    CHECK_EQ(commit_pages(&s, 0, 1, g % 10 == 0), STORE_OK);
    CHECK(store_generation_count(&s) <= IX_MAX_ENTRIES);
  }
  CHECK(store_generation_count(&s) >= IX_MAX_ENTRIES - 5); /* the cap, less a few aged into minute buckets */
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 700);
  CHECK(contents_match(&s));
}

TEST(store_disk_full_is_a_clear_error_and_the_last_generation_survives) {
  struct store s;
  fresh_store(&s, 64, STORE_CHECK_PAGES_AT_MOUNT);
  CHECK_EQ(commit_pages(&s, 0, 10, 1), STORE_OK);
  uint32_t free_before = store_free_blocks(&s);
  int rc = commit_pages(&s, 0, 200, 1);
  CHECK_EQ(rc, STORE_ENOSPACE);
  CHECK(!s.pending);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(!has_generation(&s, 0)); /* dropped to make room, in vain */
  CHECK(store_free_blocks(&s) > free_before);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  /* a smaller generation still fits */
  CHECK_EQ(commit_pages(&s, 0, 5, 1), STORE_OK);
  CHECK(contents_match(&s));
}

TEST(store_fills_the_disk_exactly) {
  struct store s;
  fresh_store(&s, 64, STORE_CHECK_PAGES_AT_MOUNT);
  /* one range: the commit needs a map block, a record and an index besides the pages */
  uint32_t fit = store_free_blocks(&s) - 3;
  uint32_t pages[64];
  for (uint32_t i = 0; i < fit; i++) pages[i] = i;
  CHECK_EQ(commit_pages(&s, pages, fit, 1), STORE_OK);
  CHECK_EQ(store_free_blocks(&s), 1); /* the old index */
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

TEST(store_rejects_calls_out_of_order_and_bad_configuration) {
  struct store s;
  struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
  uint8_t buf[BLOCK_SIZE] = {1};
  CHECK_EQ(store_init(&s, &c), STORE_OK);
  CHECK_EQ(store_read_page(&s, 0, buf), STORE_ESTATE);
  CHECK_EQ(store_begin_generation(&s), STORE_ESTATE);
  CHECK_EQ(store_write_page(&s, 0, buf), STORE_ESTATE);
  struct store_snapshot_stats stats = {0};
  CHECK_EQ(store_commit(&s, &stats), STORE_ESTATE);
  disk_fake_create(64);
  CHECK_EQ(store_format(&s, 12345, 0), STORE_EINVAL);
  CHECK_EQ(store_format(&s, SPACE, clock_seconds), STORE_OK);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  CHECK_EQ(store_begin_generation(&s), STORE_ESTATE);
  CHECK_EQ(store_write_page(&s, PAGES, buf), STORE_ERANGE);
  store_abandon_generation(&s);
  CHECK_EQ(store_commit(&s, &stats), STORE_ESTATE);
  struct store_config bad = c;
  bad.retention.max_generations = IX_MAX_GENERATIONS + 1;
  CHECK_EQ(store_init(&s, &bad), STORE_EINVAL);
  bad = c;
  bad.retention.keep_all_seconds = bad.retention.daily_seconds + 1;
  CHECK_EQ(store_init(&s, &bad), STORE_EINVAL);
  bad = c;
  bad.memory.alloc = 0;
  CHECK_EQ(store_init(&s, &bad), STORE_EINVAL);
  bad = c;
  bad.memory.alloc = refuse_alloc;
  CHECK_EQ(store_init(&s, &bad), STORE_OK);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_ENOMEM);
  CHECK(strcmp(store_status_name(STORE_EPAGE), "STORE_EPAGE") == 0);
  CHECK(strcmp(store_status_name(-100), "STORE_E?") == 0);
}

TEST(store_mount_refuses_what_is_not_a_usable_store) {
  struct store s;
  struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
  store_init(&s, &c);
  disk_fake_create(64);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_ENOSTORE);
  for (uint32_t b = 0; b < 64; b++)
    for (uint32_t bit = 0; bit < BLOCK_SIZE * 8; bit += 1 + random_below(13)) disk_fake_flip_bit(b, bit);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_ENOSTORE);
  /* a store formatted on a larger disk, then cut short */
  disk_fake_create(128);
  CHECK_EQ(store_format(&s, SPACE, clock_seconds), STORE_OK);
  uint8_t *image = save_disk(64);
  disk_fake_load(image, 64);
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_EUNSUPPORTED);
  free(image);
  disk_close();
  CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_EIO);
}

/* Re-seals a superblock slot after changing one of its fields, so the field's own checks are reached. */
static void reseal_superblock(uint32_t slot, uint32_t field, uint32_t value) {
  uint8_t b[BLOCK_SIZE];
  memcpy(b, disk_fake_block(slot), BLOCK_SIZE);
  memcpy(b + field, &value, 4);
  memset(b + SB_CRC, 0, 4);
  uint32_t crc = crc32c(b, BLOCK_SIZE);
  memcpy(b + SB_CRC, &crc, 4);
  ph_disk_write(slot, b, 1);
}

/* ── forging: a field changed and every checksum above it recomputed (record, index, superblock) ── */

static uint32_t get_u32(const uint8_t *b, uint32_t off) {
  uint32_t v;
  memcpy(&v, b + off, 4);
  return v;
}

static void put_u32(uint8_t *b, uint32_t off, uint32_t v) { memcpy(b + off, &v, 4); }

static void seal(uint8_t *b, uint32_t crc_offset) {
  put_u32(b, crc_offset, 0);
  put_u32(b, crc_offset, crc32c(b, BLOCK_SIZE));
}

/* The superblock slot in use: its index block, read and writable through `edit`, then resealed up the chain. */
static void forge_index(struct store *s, void (*edit)(uint8_t *ix, uint32_t arg), uint32_t arg) {
  uint32_t slot = (uint32_t)(s->sequence % 2);
  uint8_t sb[BLOCK_SIZE], ix[BLOCK_SIZE];
  memcpy(sb, disk_fake_block(slot), BLOCK_SIZE);
  uint32_t index_block = get_u32(sb, SB_INDEX_BLOCK);
  memcpy(ix, disk_fake_block(index_block), BLOCK_SIZE);
  edit(ix, arg);
  seal(ix, IX_CRC);
  ph_disk_write(index_block, ix, 1);
  put_u32(sb, SB_INDEX_CRC, get_u32(ix, IX_CRC));
  seal(sb, SB_CRC);
  ph_disk_write(slot, sb, 1);
}

/* The index entry (in the index's order) of generation `number`. */
static uint32_t entry_of(const uint8_t *ix, uint32_t number) {
  for (uint32_t i = 0; i < get_u32(ix, IX_COUNT); i++)
    if (get_u32(ix, IX_ENTRIES + i * IXE_BYTES + IXE_GEN) == number) return IX_ENTRIES + i * IXE_BYTES;
  return 0;
}

static uint32_t forged_value;
static void set_entry_number(uint8_t *ix, uint32_t number) { put_u32(ix, entry_of(ix, number) + IXE_GEN, forged_value); }
static void set_entry_parent(uint8_t *ix, uint32_t number) { put_u32(ix, entry_of(ix, number) + IXE_PARENT, forged_value); }
static void set_entry_record_crc(uint8_t *ix, uint32_t number) {
  put_u32(ix, entry_of(ix, number) + IXE_RECORD_CRC, forged_value);
}

/* Changes a word of map block j of generation `number`'s record (not shared: three_generations changes every range), resealing everything above it. */
static void forge_map_word(struct store *s, uint32_t number, uint32_t j, uint32_t offset, uint32_t value) {
  uint32_t record_block = generation(s, number)->record_block;
  uint8_t record[BLOCK_SIZE], map[BLOCK_SIZE];
  memcpy(record, disk_fake_block(record_block), BLOCK_SIZE);
  uint32_t m = get_u32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK);
  memcpy(map, disk_fake_block(m), BLOCK_SIZE);
  put_u32(map, offset, value);
  ph_disk_write(m, map, 1);
  put_u32(record, GEN_MAP + j * GME_BYTES + GME_CRC, crc32c(map, BLOCK_SIZE));
  seal(record, GEN_CRC);
  ph_disk_write(record_block, record, 1);
  forged_value = get_u32(record, GEN_CRC);
  forge_index(s, set_entry_record_crc, number);
}

/* Changes a word of generation `number`'s record and reseals it and everything above it. */
static void forge_record_word(struct store *s, uint32_t number, uint32_t offset, uint32_t value) {
  uint32_t record_block = generation(s, number)->record_block;
  uint8_t record[BLOCK_SIZE];
  memcpy(record, disk_fake_block(record_block), BLOCK_SIZE);
  put_u32(record, offset, value);
  seal(record, GEN_CRC);
  ph_disk_write(record_block, record, 1);
  forged_value = get_u32(record, GEN_CRC);
  forge_index(s, set_entry_record_crc, number);
}

TEST(store_checks_a_shared_map_block_against_every_record_that_names_it) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  uint32_t range0[] = {5};
  CHECK_EQ(commit_pages(&s, range0, 1, 1), STORE_OK); /* 4 shares 3's second map block */
  CHECK_EQ(commit_pages(&s, range0, 1, 1), STORE_OK); /* 5 shares it too */
  const struct store_generation *g4 = generation(&s, 4);
  uint32_t shared;
  memcpy(&shared, disk_fake_block(g4->record_block) + GEN_MAP + GME_BYTES + GME_BLOCK, 4);
  /* 4's record now gives that block another CRC, resealed: 4 is damaged, though 3 counted the block first. */
  forge_record_word(&s, 4, GEN_MAP + GME_BYTES + GME_CRC, 0x5eed);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 5);
  CHECK(generation(&s, 4)->damage == STORE_DAMAGE_MAP_CHECKSUM);
  CHECK_EQ(generation(&s, 4)->damage_block, shared);
  CHECK(generation(&s, 3)->damage == STORE_DAMAGE_NONE);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

TEST(store_an_index_entry_listed_twice_is_damaged_and_the_rest_of_the_index_is_used) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  forged_value = 2; /* generation 3's entry now says 2: two entries claim generation 2 */
  forge_index(&s, set_entry_number, 3);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  /* Both entries numbered 2 are damaged; the walk goes from the last one to its parent (2: visited), then to 1. */
  CHECK_EQ(store_generation_count(&s), 4);
  CHECK(store_generation_at(&s, 2)->damage == STORE_DAMAGE_NUMBER_REPEATED);
  CHECK(store_generation_at(&s, 3)->damage == STORE_DAMAGE_NUMBER_REPEATED);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  /* The next commit drops the damaged entries and numbers on from the highest number seen. */
  CHECK_EQ(commit_pages(&s, 0, 2, 1), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 4);
  CHECK(!has_generation(&s, 2));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 4);
  CHECK(contents_match(&s));
}

TEST(store_an_index_entry_whose_parent_is_not_older_is_damaged_and_never_followed) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  /* 2's parent rewired to 3 (a cycle 2 -> 3 -> 2), and 3's record damaged: 3 falls back to its parent 2,
     which is damaged too and must not lead anywhere newer. */
  forged_value = 3;
  forge_index(&s, set_entry_parent, 2);
  disk_fake_flip_bit(record_block_of(&s, 3), 5);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_generation_count(&s), 4);
  CHECK(generation(&s, 2)->damage == STORE_DAMAGE_PARENT);
  CHECK(generation(&s, 3)->damage == STORE_DAMAGE_RECORD_CHECKSUM);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

TEST(store_a_zero_page_entry_with_a_wrong_checksum_damages_its_generation) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  CHECK_EQ(version[3][700], 0);
  forge_map_word(&s, 3, 1, (700 - PME_PER_BLOCK) * PME_BYTES + PME_CRC, 0x1234);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK(generation(&s, 3)->damage == STORE_DAMAGE_MAP_ENTRY);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK(contents_match(&s));
}

TEST(store_a_generation_numbered_no_generation_is_damaged) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  forged_value = NO_GENERATION;
  forge_index(&s, set_entry_number, 3);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_generation_count(&s), 4);
  CHECK(store_generation_at(&s, 3)->damage == STORE_DAMAGE_NUMBER_INVALID);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK_EQ(store_check_commit(&s), STORE_OK);
}

/* What the contents check saw: the generations it was asked about, and which one it rejects. */
static struct {
  uint32_t asked[8], count, reject;
  bool page_readable;
} contents_seen;

static const char *check_contents(void *context, struct store *s) {
  uint8_t buf[BLOCK_SIZE];
  contents_seen.asked[contents_seen.count++ % 8] = store_current_generation(s);
  contents_seen.page_readable = store_read_page(s, 1, buf) >= 0;
  return store_current_generation(s) == contents_seen.reject ? "the root is not a root" : 0;
}

TEST(store_a_generation_whose_contents_are_rejected_falls_back_to_its_parent) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  sink_reset(&s);
  memset(&contents_seen, 0, sizeof contents_seen);
  contents_seen.reject = 3;
  struct store_contents_check check = {check_contents, 0};
  store_check_contents(&s, &check);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(contents_seen.count, 2);
  CHECK_EQ(contents_seen.asked[0], 3);
  CHECK_EQ(contents_seen.asked[1], 2);
  CHECK(contents_seen.page_readable);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK(generation(&s, 3)->damage == STORE_DAMAGE_CONTENTS);
  CHECK(kept_pages_match(&s)); /* generation 3's pages were forgotten */
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  /* A requested generation is checked too, and falls back the same way. */
  contents_seen.count = 0;
  contents_seen.reject = 1;
  CHECK_EQ(remount(&s, 1), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 0);
  /* Nothing sound at all: no generation verifies. */
  contents_seen.reject = 0;
  CHECK_EQ(remount(&s, 0), STORE_ENOVALID);
}

/*
 * A contents check that pages out (the kernel's marks dirty pages of a space larger than memory):
 * it takes free blocks until none is left and gets STORE_ENOSPACE, but drops no generation, since
 * the mount may still fall back to any of them. A rejected candidate's holds are given back (as
 * pager_discard does), so the counts end as a fresh mount's.
 */
static struct {
  uint32_t held[256], count, fewest_generations;
  int last;
} stashed;

static const char *check_contents_paging_out(void *context, struct store *s) {
  uint8_t data[BLOCK_SIZE];
  uint32_t block, crc;
  stashed.count = 0;
  for (;;) {
    page_bytes(5000 + stashed.count, stashed.count, data);
    if ((stashed.last = store_stash_page(s, data, &block, &crc)) != STORE_OK) break;
    stashed.held[stashed.count++] = block;
  }
  if (store_generation_count(s) < stashed.fewest_generations) stashed.fewest_generations = store_generation_count(s);
  for (uint32_t i = 0; i < stashed.count; i++) store_release_stash(s, stashed.held[i]);
  return store_current_generation(s) == 3 ? "the root is not a root" : 0;
}

TEST(store_a_contents_check_that_pages_out_drops_no_generation) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  struct store_contents_check check = {check_contents_paging_out, 0};
  store_check_contents(&s, &check);
  stashed.fewest_generations = 4;
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(stashed.fewest_generations, 4); /* nothing dropped to make room */
  CHECK_EQ(stashed.last, STORE_ENOSPACE);
  CHECK(stashed.count > 100);
  CHECK_EQ(store_generation_count(&s), 4);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  /* after the mount, page-out makes room as before: the damaged generation goes first */
  uint8_t data[BLOCK_SIZE];
  uint32_t block, crc;
  int rc;
  do {
    page_bytes(7000, 0, data);
    rc = store_stash_page(&s, data, &block, &crc);
  } while (rc == STORE_OK && store_generation_count(&s) == 4);
  CHECK_EQ(rc, STORE_OK);
  CHECK(!has_generation(&s, 3));
  store_unmount(&s);
}

TEST(store_says_when_no_generation_number_is_left_for_a_commit) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  CHECK_EQ(store_check_commit(&s), STORE_OK);
  reseal_superblock((uint32_t)(s.sequence % 2), SB_NEWEST_GEN, NO_GENERATION - 1);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3); /* it still mounts and reads */
  CHECK(contents_match(&s));
  CHECK_EQ(store_check_commit(&s), STORE_ENONUMBER);
  CHECK_EQ(commit_pages(&s, 0, 1, 1), STORE_ENONUMBER);
  CHECK(!s.pending);
  reseal_superblock((uint32_t)(s.sequence % 2), SB_NEWEST_GEN, NO_GENERATION - 2);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_check_commit(&s), STORE_OK);
  store_unmount(&s);
  CHECK_EQ(store_check_commit(&s), STORE_ESTATE);
}

TEST(store_fuzzed_metadata_never_crashes_and_never_returns_wrong_pages) {
  struct store s;
  three_generations(&s, STORE_CHECK_PAGES_AT_MOUNT);
  uint8_t *image = save_disk(256);
  uint32_t used[256], used_count = 0;
  for (uint32_t b = 0; b < 256; b++)
    if (b < 2 || s.refs[b]) used[used_count++] = b;
  store_unmount(&s);
  /* a commit after a fuzzed mount may reuse number 3 (when an older superblock won): keep the model */
  uint32_t(*model)[MAX_PAGES] = malloc(4 * sizeof *model);
  memcpy(model, version, 4 * sizeof *model);
  static const uint32_t sb_fields[] = {SB_SEQ_LO,      SB_SEQ_HI,       SB_BLOCK_COUNT, SB_SPACE_SIZE,
                                       SB_INDEX_BLOCK, SB_INDEX_CRC,    SB_NEWEST_GEN,  SB_BLOCK_SIZE,
                                       SB_SPACE_BASE,  SB_VERSION,      SB_FLAGS};
  for (uint32_t trial = 0; trial < 3000; trial++) {
    disk_fake_load(image, 256);
    memcpy(version, model, 4 * sizeof *model);
    uint32_t flips = 1 + random_below(8);
    for (uint32_t f = 0; f < flips; f++) disk_fake_flip_bit(used[random_below(used_count)], random_below(BLOCK_SIZE * 8));
    if (trial % 3 == 0) {
      uint32_t field = sb_fields[random_below(sizeof sb_fields / sizeof *sb_fields)];
      uint32_t values[] = {0, 1, 2, 0xFFFFFFFFu, 0x7FFFFFFFu, random_below(600), random_state};
      reseal_superblock(random_below(2), field, values[random_below(7)]);
    }
    enum store_page_check check = trial % 2 ? STORE_CHECK_PAGES_AT_MOUNT : STORE_CHECK_PAGES_ON_READ;
    struct store_config c = config(check);
    store_init(&s, &c);
    int rc = store_mount(&s, trial % 5 == 0 ? random_below(4) : NO_GENERATION);
    if (rc == STORE_OK) {
      uint32_t g = store_current_generation(&s);
      CHECK(g <= 3);
      uint8_t got[BLOCK_SIZE], want[BLOCK_SIZE];
      for (uint32_t p = 0; p < PAGES; p++) {
        int r = store_read_page(&s, p, got);
        if (r == STORE_EPAGE || r == STORE_EIO) {
          CHECK(check == STORE_CHECK_PAGES_ON_READ);
          continue;
        }
        if (version[g][p] == 0) {
          CHECK_EQ(r, STORE_ZERO_PAGE);
        } else {
          page_bytes(version[g][p], p, want);
          CHECK_EQ(r, STORE_OK);
          CHECK(memcmp(got, want, BLOCK_SIZE) == 0);
        }
      }
      CHECK(commit_pages(&s, 0, 2, 1) <= STORE_OK);
    } else {
      CHECK(rc == STORE_ENOSTORE || rc == STORE_EUNSUPPORTED || rc == STORE_ENOVALID || rc == STORE_ENOGEN ||
            rc == STORE_ENOMEM);
    }
    store_unmount(&s);
  }
  free(model);
  free(image);
}

TEST(store_reads_pages_of_older_generations_while_it_runs_on) {
  struct store s;
  fresh_store(&s, 512, STORE_CHECK_PAGES_ON_READ);
  for (uint32_t g = 1; g <= 4; g++) CHECK_EQ(commit_pages(&s, 0, 20, 1), STORE_OK);
  static struct store_page_reader reader;
  uint8_t got[BLOCK_SIZE], want[BLOCK_SIZE];
  for (uint32_t g = 0; g <= 4; g++)
    for (uint32_t p = 0; p < PAGES; p += 1 + (p % 7)) {
      int r = store_read_page_at(&s, &reader, g, p, got);
      if (version[g][p] == 0) {
        CHECK_EQ(r, STORE_ZERO_PAGE);
        continue;
      }
      CHECK_EQ(r, STORE_OK);
      page_bytes(version[g][p], p, want);
      CHECK(memcmp(got, want, BLOCK_SIZE) == 0);
    }
  CHECK_EQ(store_read_page_at(&s, &reader, 9, 0, got), STORE_ENOGEN);
  CHECK_EQ(store_read_page_at(&s, &reader, 1, PAGES, got), STORE_ERANGE);
  uint32_t p = 0;
  while (version[2][p] == 0) p++;
  const uint8_t *record = disk_fake_block(generation(&s, 2)->record_block);
  uint32_t m;
  memcpy(&m, record + GEN_MAP + (p / PME_PER_BLOCK) * GME_BYTES + GME_BLOCK, 4);
  uint32_t block;
  memcpy(&block, disk_fake_block(m) + (p % PME_PER_BLOCK) * PME_BYTES + PME_BLOCK, 4);
  disk_fake_flip_bit(block, 3);
  CHECK_EQ(store_read_page_at(&s, &reader, 2, p, got), STORE_EPAGE);
}

TEST(store_full_disk_drops_old_generations_so_the_newest_state_persists) {
  struct store s;
  fresh_store(&s, 120, STORE_CHECK_PAGES_AT_MOUNT);
  /* the policy would keep everything (one commit a second), the disk holds a few generations */
  uint32_t pages[12];
  for (uint32_t g = 1; g <= 60; g++) {
    for (uint32_t i = 0; i < 12; i++) pages[i] = random_below(40);
    CHECK_EQ(commit_pages(&s, pages, 12, 1), STORE_OK);
    if (g % 9 == 0) CHECK(free_blocks_agree(&s));
  }
  CHECK(store_generation_count(&s) < 20);
  CHECK_EQ(store_current_generation(&s), 60);
  CHECK(contents_match(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 60);
  CHECK(contents_match(&s));
  /* after a rollback the current generation is kept while older and newer ones make room */
  uint32_t old = store_generation_at(&s, 0)->number;
  CHECK_EQ(remount(&s, old), STORE_OK);
  for (uint32_t g = 1; g <= 20; g++) {
    for (uint32_t i = 0; i < 12; i++) pages[i] = random_below(40);
    CHECK_EQ(commit_pages(&s, pages, 12, 1), STORE_OK);
  }
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
}

/*
 * Page-out: the pager's held blocks. A stashed page survives commits, retention and dropped
 * generations until released; adopted into a generation it reads back after the commit and a
 * remount; a generation abandoned after adopting leaves the hold; a power cut frees every hold
 * (nothing on disk refers to one), so the counts equal a fresh mount's.
 */
TEST(store_stashed_pages_are_held_until_released_and_adopted_without_a_write) {
  struct store s;
  fresh_store(&s, 4096, STORE_CHECK_PAGES_ON_READ);
  uint8_t data[BLOCK_SIZE], got[BLOCK_SIZE], zero[BLOCK_SIZE] = {0};
  page_bytes(999, 7, data);
  uint32_t free_before = store_free_blocks(&s), block, crc;
  CHECK_EQ(store_stash_page(&s, data, &block, &crc), STORE_OK);
  CHECK(block >= 2);
  CHECK_EQ(store_free_blocks(&s), free_before - 1);
  uint32_t zero_block = 1, zero_crc;
  CHECK_EQ(store_stash_page(&s, zero, &zero_block, &zero_crc), STORE_OK);
  CHECK_EQ(zero_block, ZERO_BLOCK); /* nothing written, nothing held */
  for (int i = 0; i < 40; i++) CHECK_EQ(commit_pages(&s, 0, 30, 7200), STORE_OK); /* retention drops most */
  CHECK(contents_match(&s));
  CHECK_EQ(store_read_stash(&s, block, crc, got), STORE_OK);
  CHECK(memcmp(got, data, BLOCK_SIZE) == 0);
  for (uint32_t p = 0; p < PAGES; p++) CHECK(s.map[p].block != block); /* no commit took it */
  CHECK_EQ(store_read_stash(&s, block, crc ^ 1, got), STORE_EPAGE);

  /* adopted, then the generation abandoned: the hold keeps the block */
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  CHECK_EQ(store_adopt_page(&s, 7, block, crc), STORE_OK);
  store_abandon_generation(&s);
  CHECK_EQ(store_read_stash(&s, block, crc, got), STORE_OK);
  CHECK(memcmp(got, data, BLOCK_SIZE) == 0);

  /* adopted and committed, then released: page 7 is the stashed bytes, and nothing leaks */
  uint32_t parent = store_current_generation(&s);
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  CHECK_EQ(store_adopt_page(&s, 7, block, crc), STORE_OK);
  CHECK_EQ(store_adopt_page(&s, 8, ZERO_BLOCK, 0), STORE_OK);
  struct store_snapshot_stats stats = {clock_seconds, 0, 0, 0, 0};
  CHECK_EQ(store_commit(&s, &stats), STORE_OK);
  memcpy(version[store_current_generation(&s)], version[parent], sizeof version[0]);
  store_release_stash(&s, block);
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_read_page(&s, 7, got), STORE_OK);
  CHECK(memcmp(got, data, BLOCK_SIZE) == 0);
  CHECK_EQ(store_read_page(&s, 8, got), STORE_ZERO_PAGE);

  /* a power cut with pages held: after the mount they are free again */
  for (int i = 0; i < 20; i++) CHECK_EQ(store_stash_page(&s, data, &block, &crc), STORE_OK);
  CHECK(!free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(store_adopt_page(&s, 7, block, crc), STORE_ESTATE); /* no generation begun */
  store_unmount(&s);
}

/* Writes page `page` for a generation begun by hand and records it in the model's next version. */
static void write_model_page(struct store *s, uint32_t page) {
  uint32_t next = s->newest_number + 1, v = next_version++;
  uint8_t data[BLOCK_SIZE];
  page_bytes(v, page, data);
  CHECK_EQ(store_write_page(s, page, data), STORE_OK);
  version[next][page] = v;
}

TEST(store_commit_in_halves_commits_at_the_poll_and_other_calls_finish_it_first) {
  struct store s;
  fresh_store(&s, 256, STORE_CHECK_PAGES_AT_MOUNT);
  uint32_t pages[] = {0, 1, 600};
  CHECK_EQ(commit_pages(&s, pages, 3, 1), STORE_OK);
  struct store_snapshot_stats stats = {clock_seconds, 0, 0, 0, 0};
  uint8_t data[BLOCK_SIZE] = {0};
  for (int round = 0; round < 2; round++) {
    uint32_t parent = store_current_generation(&s), next = s.newest_number + 1;
    memcpy(version[next], version[parent], sizeof version[next]);
    CHECK_EQ(store_begin_generation(&s), STORE_OK);
    write_model_page(&s, 5);
    write_model_page(&s, 1);
    CHECK_EQ(store_commit_start(&s, &stats), STORE_OK);
    /* started, not committed: the current generation is the parent until the poll */
    CHECK_EQ(store_current_generation(&s), parent);
    CHECK(!s.pending); /* on its way: the next generation may be begun (store_pipelined_...) */
    if (round == 0) {
      CHECK_EQ(store_commit_poll(&s, false), STORE_OK); /* the hosted disk is never busy */
    } else {
      uint32_t block, crc; /* a call that needs the store between commits finishes it first */
      CHECK_EQ(store_stash_page(&s, data, &block, &crc), STORE_OK);
      CHECK_EQ(store_current_generation(&s), next);
      CHECK_EQ(store_commit_poll(&s, false), STORE_OK); /* the result is kept for the poll */
    }
    CHECK_EQ(store_current_generation(&s), next);
    CHECK(!s.pending);
    CHECK(contents_match(&s));
    CHECK(free_blocks_agree(&s));
  }
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK(contents_match(&s));

  /* a failed write among the started ones abandons the generation at the poll */
  uint32_t parent = store_current_generation(&s), next = s.newest_number + 1;
  memcpy(version[next], version[parent], sizeof version[next]);
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  write_model_page(&s, 9);
  disk_fake_fail_write(1); /* the page's run is written first, then the map block: fail that */
  CHECK_EQ(store_commit_start(&s, &stats), STORE_OK);
  CHECK_EQ(store_commit_poll(&s, false), STORE_EIO);
  CHECK(!s.pending && !s.broken);
  CHECK_EQ(store_current_generation(&s), parent);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  store_unmount(&s);
}

/*
 * Two overlapping commits, as the snapshot cycle makes them when the next freeze falls due while
 * a commit is on its way: generation 2's commit started, generation 3 begun and written on top of
 * it (a full run of pages goes to the disk before 2's flush and superblock), then 3's commit,
 * which waits for 2's first. Generation 1 is committed before.
 */
enum { PIPE_DISK_BLOCKS = 200 };
static const uint32_t pipe_pages_1[] = {1, 5, 512}, pipe_pages_2[] = {3, 4, 512};

/* Begins generation `number` on top of `parent` (in the model) and writes `n` pages (from `pages`, or 100.. on). */
static int write_generation(struct store *s, uint32_t number, uint32_t parent, const uint32_t *pages, uint32_t n) {
  memcpy(version[number], version[parent], sizeof version[number]);
  int rc = store_begin_generation(s);
  uint8_t data[BLOCK_SIZE];
  for (uint32_t i = 0; i < n && rc == STORE_OK; i++) {
    uint32_t page = pages ? pages[i] : 100 + i, v = next_version++;
    page_bytes(v, page, data);
    rc = store_write_page(s, page, data);
    version[number][page] = v;
  }
  return rc;
}

/* Generations 2 and 3 as above: 3's result, and in *rc2 whether 2 was committed. */
static int pipelined_commits(struct store *s, int *rc2) {
  struct store_snapshot_stats stats = {clock_seconds, 0, 0, 0, 0};
  int rc = write_generation(s, 2, 1, pipe_pages_2, 3);
  if (rc == STORE_OK) rc = store_commit_start(s, &stats);
  *rc2 = rc;
  if (rc != STORE_OK) return rc;
  rc = write_generation(s, 3, 2, 0, 40); /* 40 pages: a run of 32 is started while 2 is on its way */
  if (rc == STORE_OK) rc = store_commit_start(s, &stats);
  *rc2 = has_generation(s, 2) ? STORE_OK : STORE_EIO;
  return rc == STORE_OK ? store_commit_poll(s, true) : rc;
}

/* A store with generation 1 committed (the image every run starts from) and the writes of the two commits. */
static uint8_t *pipe_prepare(uint32_t *writes) {
  struct store s;
  fresh_store_of(&s, SMALL_SPACE, PIPE_DISK_BLOCKS, STORE_CHECK_PAGES_AT_MOUNT);
  commit_pages(&s, pipe_pages_1, 3, 1);
  uint8_t *image = save_disk(PIPE_DISK_BLOCKS);
  uint32_t before = disk_fake_counters().writes;
  int rc2, rc3 = pipelined_commits(&s, &rc2);
  *writes = rc2 == STORE_OK && rc3 == STORE_OK ? disk_fake_counters().writes - before : 0; /* 0: the test fails */
  store_unmount(&s);
  return image;
}

/* Mounts the image pipe_prepare saved, the model's versions going on from `model_next`. */
static int pipe_mount(struct store *s, const uint8_t *image, uint32_t model_next) {
  disk_fake_load(image, PIPE_DISK_BLOCKS);
  struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
  store_init(s, &c);
  next_version = model_next;
  return store_mount(s, NO_GENERATION);
}

TEST(store_pipelined_commits_reach_the_disk_in_order) {
  struct store s;
  fresh_store_of(&s, SMALL_SPACE, PIPE_DISK_BLOCKS, STORE_CHECK_PAGES_AT_MOUNT);
  CHECK_EQ(commit_pages(&s, pipe_pages_1, 3, 1), STORE_OK);
  struct store_snapshot_stats stats = {clock_seconds, 0, 0, 0, 0};
  CHECK_EQ(write_generation(&s, 2, 1, pipe_pages_2, 3), STORE_OK);
  CHECK_EQ(store_commit_start(&s, &stats), STORE_OK);
  CHECK_EQ(write_generation(&s, 3, 2, 0, 40), STORE_OK); /* begun while 2 is on its way */
  CHECK(s.pending);
  CHECK_EQ(s.newest_number, 1);                  /* 2 is not committed yet */
  CHECK_EQ(store_current_generation(&s), 1);
  uint64_t sequence = s.sequence;
  CHECK_EQ(store_commit_start(&s, &stats), STORE_OK); /* finishes 2 first */
  CHECK_EQ(s.sequence, sequence + 1);
  CHECK_EQ(store_current_generation(&s), 2);
  CHECK_EQ(store_commit_poll(&s, true), STORE_OK);
  CHECK_EQ(s.sequence, sequence + 2);
  CHECK_EQ(store_current_generation(&s), 3);
  CHECK_EQ(generation(&s, 3)->parent, 2);
  CHECK_EQ(generation(&s, 2)->parent, 1);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, 2), STORE_OK);
  CHECK(contents_match(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 3);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  store_unmount(&s);
}

TEST(store_power_cut_at_every_write_of_pipelined_commits_keeps_every_commit_that_returned) {
  uint32_t writes;
  uint8_t *image = pipe_prepare(&writes);
  CHECK(writes >= 10);
  uint32_t model_next = next_version;
  for (uint32_t w = 0; w <= writes; w++)
    for (uint32_t seed = 0; seed <= 8; seed++) {
      enum disk_survivors survivors = seed == 0 ? DISK_KEEP_NONE : seed == 1 ? DISK_KEEP_ALL : DISK_KEEP_SOME;
      struct store s;
      CHECK_EQ(pipe_mount(&s, image, model_next), STORE_OK);
      disk_fake_tear_write(w, (w * 977) % BLOCK_SIZE);
      int rc2, rc3 = pipelined_commits(&s, &rc2);
      store_unmount(&s);
      disk_fake_power_cycle(survivors, seed);
      CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
      uint32_t g = store_current_generation(&s);
      int ok = g >= 1 && g <= 3 && has_generation(&s, 1) && contents_match(&s) && free_blocks_agree(&s);
      if (rc2 == STORE_OK && g < 2) ok = 0; /* a commit that returned OK is never lost */
      if (rc3 == STORE_OK && g != 3) ok = 0;
      for (uint32_t i = 0; i < store_generation_count(&s); i++)
        if (store_generation_at(&s, i)->damage != STORE_DAMAGE_NONE) ok = 0;
      if (!ok) {
        fprintf(stderr, "power cut at write %u (seed %u): generation %u, results %d %d\n", w, seed, g, rc2, rc3);
        CHECK(0);
      }
      store_unmount(&s);
    }
  free(image);
}

TEST(store_commit_that_fails_while_the_next_generation_is_written_breaks_the_store) {
  uint32_t writes;
  uint8_t *image = pipe_prepare(&writes);
  uint32_t model_next = next_version;
  /* 2's writes: its run of 3 pages, then its two map blocks: fail the first map block */
  struct store s;
  CHECK_EQ(pipe_mount(&s, image, model_next), STORE_OK);
  disk_fake_fail_write(1);
  int rc2, rc3 = pipelined_commits(&s, &rc2);
  CHECK_EQ(rc3, STORE_EIO);
  CHECK_EQ(rc2, STORE_EIO);
  CHECK(s.broken && !s.pending);
  CHECK_EQ(store_check_commit(&s), STORE_EIO);
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 1);
  CHECK(contents_match(&s));
  CHECK(free_blocks_agree(&s));
  /* and the store goes on from there */
  CHECK_EQ(commit_pages(&s, pipe_pages_2, 3, 1), STORE_OK);
  CHECK(contents_match(&s));
  store_unmount(&s);
  free(image);
}

TEST(store_stashing_fills_the_disk_to_a_clear_error_but_a_commit_still_fits) {
  struct store s;
  fresh_store(&s, 1200, STORE_CHECK_PAGES_ON_READ);
  uint8_t data[BLOCK_SIZE];
  uint32_t held[1200], n = 0, block, crc;
  int rc;
  for (;;) {
    page_bytes(n + 1, n, data);
    if ((rc = store_stash_page(&s, data, &block, &crc)) != STORE_OK) break;
    held[n++] = block;
  }
  CHECK_EQ(rc, STORE_ENOSPACE);
  CHECK(n > 500);
  /* what is left is enough for a generation that adopts held pages */
  CHECK_EQ(store_begin_generation(&s), STORE_OK);
  for (uint32_t i = 0; i < PAGES && i < n; i++) {
    page_bytes(i + 1, i, data);
    CHECK_EQ(store_adopt_page(&s, i, held[i], crc32c(data, BLOCK_SIZE)), STORE_OK);
  }
  struct store_snapshot_stats stats = {clock_seconds, 0, 0, 0, 0};
  CHECK_EQ(store_commit(&s, &stats), STORE_OK);
  for (uint32_t i = 0; i < n; i++) store_release_stash(&s, held[i]);
  CHECK(free_blocks_agree(&s));
  store_unmount(&s);
}

/* ── an index of many leaves (IX_MAX_ENTRIES < kept generations <= IX_MAX_GENERATIONS) ── */

/* A store that keeps every generation younger than a day, at most `cap`; SMALL_SPACE. */
static void long_history_store(struct store *s, uint32_t blocks, uint32_t cap) {
  model_init(SMALL_SPACE);
  disk_fake_create(blocks);
  struct store_config c = config(STORE_CHECK_PAGES_ON_READ);
  c.retention.keep_all_seconds = c.retention.minutely_seconds = c.retention.hourly_seconds = 86400;
  c.retention.max_generations = cap;
  store_init(s, &c);
  store_format(s, SMALL_SPACE, clock_seconds);
  store_mount(s, NO_GENERATION);
}

/* Leaves of the index being committed that the index before it did not have. */
static uint32_t leaves_written(const struct store_index_leaf *before, uint32_t before_count, const struct store *s) {
  uint32_t n = 0;
  for (uint32_t k = 0; k < s->leaf_count; k++) {
    bool old = false;
    for (uint32_t m = 0; m < before_count && !old; m++) old = before[m].block == s->leaves[k].block;
    n += !old;
  }
  return n;
}

TEST(store_index_of_many_leaves_writes_only_the_leaves_that_change) {
  struct store s;
  long_history_store(&s, 4000, 600);
  static struct store_index_leaf before[IR_MAX_LEAVES];
  for (uint32_t g = 1; g <= 800; g++) {
    uint32_t before_count = s.leaf_count;
    memcpy(before, s.leaves, sizeof before);
    uint32_t page[] = {random_below(8)};
    CHECK_EQ(commit_pages(&s, page, 1, g % 3 == 0), STORE_OK);
    CHECK(store_generation_count(&s) <= 600);
    /* the last leaf, and one the cap took a generation from; never the whole index */
    CHECK(leaves_written(before, before_count, &s) <= 2);
    if (g % 97 == 0) CHECK(free_blocks_agree(&s));
  }
  CHECK_EQ(store_generation_count(&s), 600);
  CHECK(s.index_is_root);
  CHECK(s.leaf_count >= 3 && s.leaf_count <= 600 / IX_MIN_ENTRIES + 1);
  for (uint32_t k = 0; k + 1 < s.leaf_count; k++) CHECK(s.leaves[k].count >= IX_MIN_ENTRIES);
  CHECK(free_blocks_agree(&s));
  CHECK_EQ(remount(&s, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&s), 800);
  CHECK_EQ(store_generation_count(&s), 600);
  CHECK(contents_match(&s));
  for (uint32_t i = 0; i < store_generation_count(&s); i += 37) {
    CHECK_EQ(remount(&s, store_generation_at(&s, i)->number), STORE_OK);
    CHECK(contents_match(&s));
  }
  store_unmount(&s);
}

TEST(store_index_of_many_leaves_survives_a_power_cut_at_every_write_of_a_commit) {
  /* 300 kept of a cap of 300: the next commit drops one from inside the history, so a leaf in
     the middle is written again besides the last one and the root */
  struct store s;
  enum { BLOCKS = 2000 };
  long_history_store(&s, BLOCKS, 300);
  for (uint32_t g = 1; g < 300; g++) {
    uint32_t page[] = {g % 7};
    CHECK_EQ(commit_pages(&s, page, 1, g % 2), STORE_OK);
  }
  CHECK_EQ(store_generation_count(&s), 300);
  CHECK(s.index_is_root);
  uint8_t *image = save_disk(BLOCKS);
  uint32_t version_saved = next_version;
  uint32_t before = disk_fake_counters().writes;
  uint32_t page[] = {3};
  CHECK_EQ(commit_pages(&s, page, 1, 1), STORE_OK);
  uint32_t writes = disk_fake_counters().writes - before;
  store_unmount(&s);
  CHECK(writes >= 6); /* page, map block, record, two leaves at least, root, superblock */
  for (uint32_t w = 0; w <= writes; w++)
    for (uint32_t seed = 0; seed <= 12; seed++) {
      disk_fake_load(image, BLOCKS);
      next_version = version_saved;
      CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
      disk_fake_tear_write(w, seed % 3 == 0 ? BLOCK_SIZE / 2 : 0);
      int rc = commit_pages(&s, page, 1, 1);
      store_unmount(&s);
      disk_fake_power_cycle(seed == 0 ? DISK_KEEP_ALL : DISK_KEEP_SOME, seed);
      CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
      uint32_t g = store_current_generation(&s);
      CHECK(g == 299 || g == 300);
      if (rc == STORE_OK) CHECK_EQ(g, 300);
      CHECK_EQ(store_generation_count(&s), 300); /* the old index whole, or the new one */
      for (uint32_t i = 0; i < store_generation_count(&s); i++)
        CHECK_EQ(store_generation_at(&s, i)->damage, STORE_DAMAGE_NONE);
      CHECK(contents_match(&s));
      CHECK(free_blocks_agree(&s));
      store_unmount(&s);
    }
  free(image);
}

/* Word `offset` of the current index root set to `value`; resealed (and its superblock) or not. */
static void forge_root(struct store *s, uint32_t offset, uint32_t value, bool reseal) {
  uint8_t root[BLOCK_SIZE];
  memcpy(root, disk_fake_block(s->index_block), BLOCK_SIZE);
  put_u32(root, offset, value);
  if (reseal) seal(root, IR_CRC);
  ph_disk_write(s->index_block, root, 1);
  if (reseal) reseal_superblock((uint32_t)(s->sequence % 2), SB_INDEX_CRC, get_u32(root, IR_CRC));
}

TEST(store_a_malformed_index_root_is_refused_with_its_reason_never_followed) {
  struct store s;
  long_history_store(&s, 3000, 1000);
  for (uint32_t g = 1; g < 600; g++) {
    uint32_t page[] = {g % 5};
    CHECK_EQ(commit_pages(&s, page, 1, 0), STORE_OK);
  }
  CHECK(s.index_is_root && s.leaf_count >= 3);
  uint8_t *image = save_disk(3000);
  uint32_t leaf0 = s.leaves[0].block;
  struct {
    uint32_t offset, value;
    bool reseal;
  } cases[] = {
      {IR_LEAVES + IRE_BLOCK, 0, true},                       /* a superblock */
      {IR_LEAVES + IRE_BLOCK, 3000, true},                    /* past the store */
      {IR_LEAVES + IRE_BLOCK, 0, true},                       /* the root itself (value set below) */
      {IR_LEAVES + IRE_BYTES + IRE_BLOCK, 0, true},           /* a leaf listed twice (value set below) */
      {IR_LEAVES + IRE_CRC, 0x12345678, true},                /* a leaf whose CRC is not the root's */
      {IR_LEAVES + IRE_COUNT, 0, true},                       /* an empty leaf */
      {IR_LEAVES + IRE_COUNT, IX_MAX_ENTRIES + 1, true},      /* a count no leaf has */
      {IR_COUNT, 0, true},                                    /* no leaves */
      {IR_COUNT, IR_MAX_LEAVES + 1, true},                    /* too many */
      {IR_TOTAL, IX_MAX_GENERATIONS + 1, true},               /* more than any index lists */
      {IR_TOTAL, 599, true},                                  /* counts that do not add up */
      {IR_LEAVES + IRE_BLOCK, 0, false},                      /* a root whose CRC is wrong */
  };
  for (uint32_t n = 0; n < sizeof cases / sizeof *cases; n++) {
    disk_fake_load(image, 3000);
    CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
    uint32_t value = cases[n].value;
    if (n == 2) value = s.index_block;
    if (n == 3) value = leaf0;
    forge_root(&s, cases[n].offset, value, cases[n].reseal);
    store_unmount(&s);
    /* the other superblock's index (the commit before) shares the leaves, not the root */
    CHECK_EQ(store_mount(&s, NO_GENERATION), STORE_OK);
    CHECK_EQ(store_current_generation(&s), 598);
    store_unmount(&s);
  }
  free(image);
}

TEST(store_fuzzed_index_roots_and_leaves_never_crash_hang_or_return_wrong_pages) {
  struct store s;
  enum { BLOCKS = 1500 };
  long_history_store(&s, BLOCKS, 1000);
  for (uint32_t g = 1; g <= 300; g++) {
    uint32_t page[] = {g % 9};
    commit_pages(&s, page, 1, 0);
  }
  CHECK(s.index_is_root && s.leaf_count >= 2);
  uint32_t index_blocks[2 + 2 * IR_MAX_LEAVES], n = 0;
  index_blocks[n++] = s.index_block;
  for (uint32_t k = 0; k < s.leaf_count; k++) index_blocks[n++] = s.leaves[k].block;
  uint32_t root = s.index_block, leaf0 = s.leaves[0].block;
  uint8_t *image = save_disk(BLOCKS);
  store_unmount(&s);
  uint32_t(*model)[MAX_PAGES] = malloc(301 * sizeof *model);
  memcpy(model, version, 301 * sizeof *model);
  static const uint32_t root_words[] = {IR_COUNT, IR_TOTAL, IR_LEAVES + IRE_BLOCK, IR_LEAVES + IRE_CRC,
                                        IR_LEAVES + IRE_COUNT, IR_LEAVES + IRE_BYTES + IRE_BLOCK,
                                        IR_LEAVES + IRE_BYTES + IRE_COUNT};
  for (uint32_t trial = 0; trial < 600; trial++) {
    disk_fake_load(image, BLOCKS);
    memcpy(version, model, 301 * sizeof *model);
    if (trial % 2 == 0) { /* a root word set to something telling, the root resealed */
      uint32_t values[] = {0, 1, root, leaf0, BLOCKS, IR_MAX_LEAVES + 1, IX_MAX_GENERATIONS + 1, 0xFFFFFFFFu, random_state};
      uint8_t b[BLOCK_SIZE];
      memcpy(b, disk_fake_block(root), BLOCK_SIZE);
      put_u32(b, root_words[random_below(sizeof root_words / sizeof *root_words)], values[random_below(9)]);
      seal(b, IR_CRC);
      ph_disk_write(root, b, 1);
      /* the slot naming the root (the newest commit's) */
      for (uint32_t slot = 0; slot < 2; slot++)
        if (get_u32(disk_fake_block(slot), SB_INDEX_BLOCK) == root) reseal_superblock(slot, SB_INDEX_CRC, get_u32(b, IR_CRC));
    } else { /* bits flipped in the root and leaves, nothing resealed */
      for (uint32_t f = 1 + random_below(4); f > 0; f--)
        disk_fake_flip_bit(index_blocks[random_below(n)], random_below(BLOCK_SIZE * 8));
    }
    struct store_config c = config(STORE_CHECK_PAGES_AT_MOUNT);
    store_init(&s, &c);
    int rc = store_mount(&s, NO_GENERATION);
    if (rc == STORE_OK) {
      uint32_t g = store_current_generation(&s);
      CHECK(g == 299 || g == 300);
      CHECK(contents_match(&s));
      CHECK(commit_pages(&s, 0, 1, 1) <= STORE_OK);
    } else {
      CHECK(rc == STORE_ENOSTORE);
    }
    store_unmount(&s);
  }
  free(model);
  free(image);
}
