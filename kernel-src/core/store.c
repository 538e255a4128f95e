/*
 * store.c — mount, read, commit and retention of the store (store.h; the format is
 * lang/docs/store-format.md, the implementation is explained in kernel-src/docs/store.md).
 *
 * Free space is a reference count per block, never stored: how many kept generation records
 * (for record and map blocks) or distinct live map blocks (for page blocks) use the block. A
 * block with count 0 (from 2 on) is free. Mount computes the counts from every kept
 * generation; a commit adds the new generation's and, once its superblock is on disk, removes
 * those of the generations retention dropped. Shared map blocks are counted once per record
 * and their pages once per map block, so a generation that shares everything costs a few
 * increments, and dropping one only reads the map blocks no other generation shares.
 *
 * The generation being written lives in the in-memory page map: a map range (PME_PER_BLOCK
 * pages) touched by store_write_page becomes "dirty" and counts as one more live map block;
 * abandoning the generation reloads the dirty ranges from the current generation's map blocks.
 */
#include "store.h"

#include "crc32c.h"
#include "klib.h"
#include "platform.h"
#include "retention.h"

/* Which scratch block holds what while a function runs (none is kept between calls). */
enum { SCRATCH_RECORD = 0, SCRATCH_MAP = 1, SCRATCH_META = 2, SCRATCH_PAGES = 3 };
/*
 * Runs of consecutive blocks read at mount may fill the scratch; runs written stay at 13 blocks,
 * so the store_write_page call that writes one stays short: the snapshot writer gets 2 ms per
 * safe point (SNAPSHOT_WRITE_BUDGET_US in snapshot_cycle.h).
 */
enum { READ_RUN_MAX_BLOCKS = STORE_SCRATCH_BLOCKS - SCRATCH_PAGES };
_Static_assert(STORE_MAPS_AHEAD <= 2 * STORE_RUN_BLOCKS, "maps read ahead fit in the run buffers");
enum { FIRST_DATA_BLOCK = 2 };  /* blocks 0 and 1 are the superblocks */
enum { REF_STUCK = 0xFFFF };    /* a count that overflowed stays: the block is never freed */

static const char *const status_names[] = {
    "STORE_OK", "STORE_EIO", "STORE_ENOSTORE", "STORE_EUNSUPPORTED", "STORE_ENOGEN", "STORE_ENOVALID",
    "STORE_EPAGE", "STORE_ENOSPACE", "STORE_ERANGE", "STORE_ESTATE", "STORE_ENOMEM", "STORE_EINVAL",
    "STORE_ENONUMBER",
};

const char *store_status_name(int status) {
  if (status == STORE_ZERO_PAGE) return "STORE_ZERO_PAGE";
  if (status == STORE_IN_FLIGHT) return "STORE_IN_FLIGHT";
  if (status > 0 || -status >= (int)(sizeof status_names / sizeof *status_names)) return "STORE_E?";
  return status_names[-status];
}

static const char *const damage_texts[] = {
    [STORE_DAMAGE_NONE] = "intact",
    [STORE_DAMAGE_RECORD_UNREADABLE] = "its record cannot be read",
    [STORE_DAMAGE_RECORD_CHECKSUM] = "its record fails its checksum",
    [STORE_DAMAGE_RECORD_FIELDS] = "its record disagrees with the index or the superblock",
    [STORE_DAMAGE_MAP_UNREADABLE] = "a page-map block cannot be read",
    [STORE_DAMAGE_MAP_CHECKSUM] = "a page-map block fails its checksum",
    [STORE_DAMAGE_MAP_ENTRY] = "a page-map block names a block outside the store",
    [STORE_DAMAGE_PAGE_UNREADABLE] = "a page cannot be read",
    [STORE_DAMAGE_PAGE_CHECKSUM] = "a page fails its checksum",
    [STORE_DAMAGE_NUMBER_INVALID] = "its index entry has no generation number",
    [STORE_DAMAGE_NUMBER_REPEATED] = "its number is listed more than once in the index",
    [STORE_DAMAGE_PARENT] = "its parent is not older than it",
    [STORE_DAMAGE_RECORD_OUTSIDE] = "its record block is outside the store",
    [STORE_DAMAGE_CONTENTS] = "its object space is not sound",
};

const char *store_damage_text(enum store_damage damage) {
  return (unsigned)damage < sizeof damage_texts / sizeof *damage_texts ? damage_texts[damage] : "unknown damage";
}

/* ── little-endian fields and block checksums ── */

static uint32_t get32(const uint8_t *block, uint32_t offset) {
  const uint8_t *p = block + offset;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *block, uint32_t offset, uint32_t value) {
  uint8_t *p = block + offset;
  p[0] = (uint8_t)value;
  p[1] = (uint8_t)(value >> 8);
  p[2] = (uint8_t)(value >> 16);
  p[3] = (uint8_t)(value >> 24);
}

static uint64_t get64(const uint8_t *block, uint32_t lo, uint32_t hi) {
  return (uint64_t)get32(block, hi) << 32 | get32(block, lo);
}

static void put64(uint8_t *block, uint32_t lo, uint32_t hi, uint64_t value) {
  put32(block, lo, (uint32_t)value);
  put32(block, hi, (uint32_t)(value >> 32));
}

/* The CRC of a block computed with its own checksum field (at crc_offset) taken as zero. */
static uint32_t block_crc(const uint8_t *block, uint32_t crc_offset) {
  static const uint8_t zero_field[4];
  uint32_t c = crc32c_update(0, block, crc_offset);
  c = crc32c_update(c, zero_field, sizeof zero_field);
  return crc32c_update(c, block + crc_offset + 4, BLOCK_SIZE - crc_offset - 4);
}

static uint32_t seal_block(uint8_t *block, uint32_t crc_offset) {
  uint32_t crc = block_crc(block, crc_offset);
  put32(block, crc_offset, crc);
  return crc;
}

static bool all_zero(const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (bytes[i]) return false;
  return true;
}

static uint8_t *scratch(struct store *s, uint32_t which) { return s->scratch + (size_t)which * BLOCK_SIZE; }

static int wait_for_runs(struct store *s);
static int runs_waited(struct store *s, int r);
static void settle_commit(struct store *s);

static int read_block(uint32_t block, void *buf) { return ph_disk_read(block, buf, 1) == PH_OK ? STORE_OK : STORE_EIO; }

static int write_block(uint32_t block, const void *buf) {
  return ph_disk_write(block, buf, 1) == PH_OK ? STORE_OK : STORE_EIO;
}

static uint32_t elapsed_us(uint64_t since) {
  uint64_t per_us = ph_tsc_per_us();
  uint64_t us = per_us ? (ph_tsc() - since) / per_us : 0;
  return us > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)us;
}

/* ── reference counts ── */

static bool in_store(const struct store *s, uint32_t block) {
  return block >= FIRST_DATA_BLOCK && block < s->block_count;
}

static void ref_inc(struct store *s, uint32_t block) {
  if (!in_store(s, block) || s->refs[block] == REF_STUCK) return;
  if (s->refs[block]++ == 0) s->free_blocks--;
}

static void ref_dec(struct store *s, uint32_t block) {
  if (!in_store(s, block) || s->refs[block] == 0 || s->refs[block] == REF_STUCK) return;
  if (--s->refs[block] == 0) s->free_blocks++;
}

/* A free block, counted as used; 0 when there is none. */
static uint32_t take_free_block(struct store *s) {
  if (s->free_blocks == 0) return 0;
  for (uint32_t tried = 0; tried < s->block_count; tried++) {
    uint32_t b = s->alloc_cursor;
    s->alloc_cursor = b + 1 < s->block_count ? b + 1 : FIRST_DATA_BLOCK;
    if (b >= FIRST_DATA_BLOCK && s->refs[b] == 0) {
      ref_inc(s, b);
      if (s->watch.reused) s->watch.reused(s->watch.context, b);
      return b;
    }
  }
  return 0;
}

/* Counts (+1) or uncounts (-1) the page blocks a map block in disk form lists. */
static void count_map_pages(struct store *s, const uint8_t *map_block, int delta) {
  for (uint32_t i = 0; i < PME_PER_BLOCK; i++) {
    uint32_t b = get32(map_block, i * PME_BYTES + PME_BLOCK);
    if (delta > 0) ref_inc(s, b);
    else ref_dec(s, b);
  }
}

/* Uncounts map block `m` for one record; when no record uses it any more, its pages too. */
static void release_map_block(struct store *s, uint32_t m, uint32_t crc) {
  ref_dec(s, m);
  if (!in_store(s, m) || s->refs[m] != 0) return;
  uint8_t *map = scratch(s, SCRATCH_MAP);
  /* Unreadable now: its pages stay counted (leaked until the next mount), which is safe. */
  if (read_block(m, map) == STORE_OK && crc32c(map, BLOCK_SIZE) == crc) count_map_pages(s, map, -1);
}

static bool holds_blocks(const struct store_generation *g) {
  return g->damage == STORE_DAMAGE_NONE || g->damage == STORE_DAMAGE_PAGE_UNREADABLE ||
         g->damage == STORE_DAMAGE_PAGE_CHECKSUM;
}

/* ── mount: superblock, index, records, maps ── */

struct superblock {
  uint32_t slot;
  uint64_t sequence;
  uint32_t block_count, space_size, index_block, index_crc, newest;
};

static uint32_t map_blocks_for(uint32_t space_size) {
  uint32_t pages = space_size / BLOCK_SIZE;
  return (pages + PME_PER_BLOCK - 1) / PME_PER_BLOCK;
}

static bool space_size_supported(uint32_t space_size) {
  return space_size % BLOCK_SIZE == 0 && space_size >= SPACE_SIZE_MIN && space_size <= SPACE_SIZE_MAX;
}

/* STORE_OK, STORE_ENOSTORE (not a superblock) or STORE_EUNSUPPORTED (valid, but not usable here). */
static int decode_superblock(const uint8_t *b, uint32_t slot, struct superblock *out) {
  if (get32(b, SB_MAGIC_F) != SB_MAGIC || get32(b, SB_VERSION) != FORMAT_VERSION ||
      get32(b, SB_CRC) != block_crc(b, SB_CRC))
    return STORE_ENOSTORE;
  out->slot = slot;
  out->sequence = get64(b, SB_SEQ_LO, SB_SEQ_HI);
  out->block_count = get32(b, SB_BLOCK_COUNT);
  out->space_size = get32(b, SB_SPACE_SIZE);
  out->index_block = get32(b, SB_INDEX_BLOCK);
  out->index_crc = get32(b, SB_INDEX_CRC);
  out->newest = get32(b, SB_NEWEST_GEN);
  if (out->sequence % 2 != slot) return STORE_ENOSTORE;
  if (get32(b, SB_BLOCK_SIZE) != BLOCK_SIZE || get32(b, SB_SPACE_BASE) != SPACE_BASE ||
      !space_size_supported(out->space_size) || out->block_count > ph_disk_blocks() ||
      out->block_count < FIRST_DATA_BLOCK + 2 + map_blocks_for(out->space_size) ||
      out->index_block < FIRST_DATA_BLOCK || out->index_block >= out->block_count)
    return STORE_EUNSUPPORTED;
  return STORE_OK;
}

/*
 * Sorts the entries by number, keeping the index's order among equal numbers: a heapsort on
 * (number, position in the index), the position parked in damage_block until entry_damage sets
 * it. Up to IX_MAX_GENERATIONS entries, so n log n with no memory. True when already sorted.
 */
static bool entry_before(const struct store_generation *a, const struct store_generation *b) {
  return a->number != b->number ? a->number < b->number : a->damage_block < b->damage_block;
}

static void sift_entries(struct store_generation *g, uint32_t at, uint32_t n) {
  for (;;) {
    uint32_t child = 2 * at + 1;
    if (child >= n) return;
    if (child + 1 < n && entry_before(&g[child], &g[child + 1])) child++;
    if (!entry_before(&g[at], &g[child])) return;
    struct store_generation t = g[at];
    g[at] = g[child];
    g[child] = t;
    at = child;
  }
}

static bool sort_entries(struct store_generation *g, uint32_t count) {
  bool sorted = true;
  for (uint32_t i = 0; i < count; i++) {
    g[i].damage_block = i;
    if (i > 0 && g[i - 1].number > g[i].number) sorted = false;
  }
  if (sorted) return true;
  for (uint32_t i = count / 2; i-- > 0;) sift_entries(g, i, count);
  for (uint32_t end = count; end > 1; end--) {
    struct store_generation t = g[0];
    g[0] = g[end - 1];
    g[end - 1] = t;
    sift_entries(g, 0, end - 1);
  }
  return false;
}

/* Why the index entry of sorted generation i is unusable by itself (store-format.md, mount step 3). */
static enum store_damage entry_damage(const struct store_generation *g, uint32_t count, uint32_t i,
                                      uint32_t block_count) {
  const struct store_generation *e = &g[i];
  if (e->number == NO_GENERATION) return STORE_DAMAGE_NUMBER_INVALID;
  if ((i > 0 && g[i - 1].number == e->number) || (i + 1 < count && g[i + 1].number == e->number))
    return STORE_DAMAGE_NUMBER_REPEATED;
  if (e->parent != NO_GENERATION && e->parent >= e->number) return STORE_DAMAGE_PARENT;
  if (e->record_block < FIRST_DATA_BLOCK || e->record_block >= block_count) return STORE_DAMAGE_RECORD_OUTSIDE;
  return STORE_DAMAGE_NONE;
}

static void *take_memory(struct store *s, size_t bytes);
static void give_back(struct store *s, void **p, size_t bytes);

static void release_table(struct store *s) {
  give_back(s, (void **)&s->generations, s->table_bytes);
  s->keep = 0;
  s->retention_work = 0;
  s->table_capacity = 0;
  s->table_bytes = 0;
}

/*
 * A generation table (with retention's memory) for `count` kept generations, or as many as the
 * policy keeps if more, plus the one being committed. STORE_OK or STORE_ENOMEM.
 */
static int ensure_table(struct store *s, uint32_t count) {
  uint32_t capacity = (count > s->config.retention.max_generations ? count : s->config.retention.max_generations) + 1;
  if (capacity <= s->table_capacity) return STORE_OK;
  release_table(s);
  size_t gens = (size_t)capacity * sizeof(struct store_generation);
  size_t work = (retention_work_bytes(capacity) + 7) & ~(size_t)7;
  size_t bytes = gens + work + capacity;
  uint8_t *p = take_memory(s, bytes);
  if (!p) return STORE_ENOMEM;
  s->generations = (struct store_generation *)p;
  s->retention_work = p + gens;
  s->keep = (bool *)(p + gens + work);
  s->table_capacity = capacity;
  s->table_bytes = bytes;
  return STORE_OK;
}

/* Why an index root or leaf block is not one (0: it is); printed when a superblock's index fails. */
static const char *index_problem;

/*
 * Reads index leaf `block` (its CRC must be `crc`, its count `count`: what the root says, or for
 * a leaf the superblock names, its own) into the table at position `at`.
 */
static int load_leaf(struct store *s, uint32_t block, uint32_t crc, uint32_t count, uint32_t at) {
  uint8_t *ix = scratch(s, SCRATCH_META);
  if (read_block(block, ix) != STORE_OK) {
    index_problem = "an index leaf cannot be read";
    return STORE_EIO;
  }
  uint32_t own = block_crc(ix, IX_CRC);
  index_problem = own != crc || own != get32(ix, IX_CRC)                                  ? "an index leaf fails its checksum"
                  : get32(ix, IX_MAGIC_F) != IX_MAGIC || get32(ix, IX_VERSION) != FORMAT_VERSION ? "an index leaf is not one"
                  : get32(ix, IX_COUNT) != count || count == 0 || count > IX_MAX_ENTRIES
                      ? "an index leaf's count is not the one its root gives, or not 1..IX_MAX_ENTRIES"
                      : 0;
  if (index_problem) return STORE_ENOSTORE;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t e = IX_ENTRIES + i * IXE_BYTES;
    s->generations[at + i] = (struct store_generation){
        .number = get32(ix, e + IXE_GEN),
        .parent = get32(ix, e + IXE_PARENT),
        .record_block = get32(ix, e + IXE_RECORD),
        .record_crc = get32(ix, e + IXE_RECORD_CRC),
    };
  }
  return STORE_OK;
}

/*
 * Reads an index root's leaf list into s->leaves and checks it (store-format.md, mount step 2):
 * 1..IR_MAX_LEAVES leaves, each inside the store, none the root and none listed twice, counts
 * 1..IX_MAX_ENTRIES adding up to IR_TOTAL (1..IX_MAX_GENERATIONS). Reading leaves can then
 * neither loop nor run past the table.
 */
static int load_root(struct store *s, const uint8_t *root, const struct superblock *sb, uint32_t *total) {
  uint32_t leaves = get32(root, IR_COUNT);
  *total = get32(root, IR_TOTAL);
  index_problem = leaves == 0 || leaves > IR_MAX_LEAVES        ? "the index root lists no leaves, or more than IR_MAX_LEAVES"
                  : *total == 0 || *total > IX_MAX_GENERATIONS ? "the index root's total is not 1..IX_MAX_GENERATIONS"
                                                               : 0;
  if (index_problem) return STORE_ENOSTORE;
  uint32_t sum = 0;
  for (uint32_t k = 0; k < leaves; k++) {
    uint32_t at = IR_LEAVES + k * IRE_BYTES;
    struct store_index_leaf *l = &s->leaves[k];
    *l = (struct store_index_leaf){get32(root, at + IRE_BLOCK), get32(root, at + IRE_CRC), get32(root, at + IRE_COUNT), sum};
    if (l->block < FIRST_DATA_BLOCK || l->block >= sb->block_count || l->block == sb->index_block)
      index_problem = "an index leaf is outside the store, or is the root";
    else if (l->count == 0 || l->count > IX_MAX_ENTRIES)
      index_problem = "an index leaf's count is not 1..IX_MAX_ENTRIES";
    for (uint32_t m = 0; m < k && !index_problem; m++)
      if (s->leaves[m].block == l->block) index_problem = "an index leaf is listed twice";
    if (index_problem) return STORE_ENOSTORE;
    sum += l->count;
  }
  if (sum != *total) {
    index_problem = "the index root's leaf counts do not add up to its total";
    return STORE_ENOSTORE;
  }
  s->leaf_count = leaves;
  return STORE_OK;
}

/*
 * Reads the index a superblock names into the generation table, sorted by number: an index root
 * and its leaves, or a single leaf (what a one-leaf index and every store written before index
 * roots has). STORE_OK when every block is as its parent says (checksums, magic, version,
 * counts); entries that are unusable by themselves are marked damaged here and reported by
 * check_generations, the rest are used.
 */
static int load_index(struct store *s, const struct superblock *sb) {
  uint8_t *root = scratch(s, SCRATCH_PAGES);
  index_problem = "the index block cannot be read";
  if (read_block(sb->index_block, root) != STORE_OK) return STORE_EIO;
  uint32_t crc = block_crc(root, IR_CRC);
  index_problem = "the index block fails its checksum";
  if (crc != sb->index_crc || crc != get32(root, IR_CRC)) return STORE_ENOSTORE;
  index_problem = "the index block is neither an index root nor an index leaf";
  if (get32(root, IR_VERSION) != FORMAT_VERSION) return STORE_ENOSTORE;
  uint32_t total;
  if (get32(root, IR_MAGIC_F) == IR_MAGIC) {
    int rc = load_root(s, root, sb, &total);
    if (rc != STORE_OK) return rc;
    s->index_is_root = true;
  } else if (get32(root, IX_MAGIC_F) == IX_MAGIC) {
    total = get32(root, IX_COUNT);
    index_problem = "the index leaf's count is not 1..IX_MAX_ENTRIES";
    if (total == 0 || total > IX_MAX_ENTRIES) return STORE_ENOSTORE; /* before sizing the table by it */
    s->leaves[0] = (struct store_index_leaf){sb->index_block, crc, total, 0};
    s->leaf_count = 1;
    s->index_is_root = false;
  } else {
    return STORE_ENOSTORE;
  }
  if (ensure_table(s, total) != STORE_OK) {
    index_problem = "no memory for the generation table";
    return STORE_ENOMEM;
  }
  for (uint32_t k = 0; k < s->leaf_count; k++) {
    int rc = load_leaf(s, s->leaves[k].block, s->leaves[k].crc, s->leaves[k].count, s->leaves[k].first);
    if (rc != STORE_OK) return rc;
  }
  uint32_t count = total;
  s->leaves_match = sort_entries(s->generations, count);
  for (uint32_t i = 0; i < count; i++) {
    struct store_generation *g = &s->generations[i];
    g->damage = entry_damage(s->generations, count, i, sb->block_count);
    g->damage_block = g->damage != STORE_DAMAGE_NONE ? sb->index_block : 0;
  }
  s->generation_count = count;
  return STORE_OK;
}

/* Counts the blocks of the current index as used (at mount) or no longer (once a newer one is committed). */
static void hold_index(struct store *s) {
  if (s->index_is_root) ref_inc(s, s->index_block);
  for (uint32_t k = 0; k < s->leaf_count; k++) ref_inc(s, s->leaves[k].block);
}

static void release_index(struct store *s) {
  if (s->index_is_root) ref_dec(s, s->index_block);
  for (uint32_t k = 0; k < s->leaf_count; k++) ref_dec(s, s->leaves[k].block);
}

static void report_damage(const struct store_generation *g, const char *detail) {
  if (detail)
    kprintf("store: generation %u is damaged: %s: %s; it will not be used\n", g->number, store_damage_text(g->damage),
            detail);
  else
    kprintf("store: generation %u is damaged: %s (block %u); it will not be used\n", g->number,
            store_damage_text(g->damage), g->damage_block);
}

static void damage(struct store *s, uint32_t i, enum store_damage what, uint32_t block, const char *detail) {
  struct store_generation *g = &s->generations[i];
  g->damage = what;
  g->damage_block = block;
  report_damage(g, detail);
}

/* The watch's copy of `block` with CRC `crc`, or 0. */
static const void *watched_copy(const struct store *s, uint32_t block, uint32_t crc) {
  return s->watch.copy ? s->watch.copy(s->watch.context, block, crc) : 0;
}

/* Tells the watch of a block written (with the CRC a map or the index names it by). */
static void tell_written(const struct store *s, uint32_t block, uint32_t crc, const void *bytes) {
  if (s->watch.written) s->watch.written(s->watch.context, block, crc, bytes);
}

/* Reads and checks generation i's record into buf; fills the table entry from it. */
static enum store_damage read_record(struct store *s, uint32_t i, uint8_t *buf) {
  struct store_generation *g = &s->generations[i];
  const void *copy = watched_copy(s, g->record_block, g->record_crc);
  if (copy) memcpy(buf, copy, BLOCK_SIZE);
  else if (read_block(g->record_block, buf) != STORE_OK) return STORE_DAMAGE_RECORD_UNREADABLE;
  uint32_t crc = block_crc(buf, GEN_CRC);
  if (crc != get32(buf, GEN_CRC) || crc != g->record_crc) return STORE_DAMAGE_RECORD_CHECKSUM;
  if (get32(buf, GEN_MAGIC_F) != GEN_MAGIC || get32(buf, GEN_VERSION) != FORMAT_VERSION ||
      get32(buf, GEN_NUMBER) != g->number || get32(buf, GEN_PARENT) != g->parent ||
      get32(buf, GEN_SPACE_SIZE) != s->space_size || get32(buf, GEN_MAP_BLOCKS) != s->map_blocks)
    return STORE_DAMAGE_RECORD_FIELDS;
  for (uint32_t j = 0; j < s->map_blocks; j++)
    if (!in_store(s, get32(buf, GEN_MAP + j * GME_BYTES + GME_BLOCK))) return STORE_DAMAGE_RECORD_FIELDS;
  g->wall_seconds = get64(buf, GEN_WALL_LO, GEN_WALL_HI);
  g->uptime_ms = get64(buf, GEN_UPTIME_LO, GEN_UPTIME_HI);
  g->pause_us = get32(buf, GEN_PAUSE_US);
  g->pages_cow = get32(buf, GEN_PAGES_COW);
  g->pages_written = get32(buf, GEN_PAGES_WRITTEN);
  g->bytes_written = get32(buf, GEN_BYTES_WRITTEN);
  g->write_us = get32(buf, GEN_WRITE_US);
  g->commit_us = get32(buf, GEN_COMMIT_US);
  return STORE_DAMAGE_NONE;
}

/* Adds block `block`, read into `buf`, to the ranges: to the last one when it follows it on the disk. */
static void add_to_ranges(struct ph_disk_range *ranges, uint32_t *n, uint32_t block, void *buf) {
  struct ph_disk_range *last = *n ? &ranges[*n - 1] : 0;
  if (last && last->block + last->count == block && (uint8_t *)last->buf + (size_t)last->count * BLOCK_SIZE == buf)
    last->count++;
  else
    ranges[(*n)++] = (struct ph_disk_range){block, buf, 1};
}

/*
 * Reads ahead, with one wait, the map blocks j from `from` on that `record` names and that
 * `wanted` (when given) says will be read, as many as the run buffers hold: a mount reads dozens of
 * map blocks (32 for 64 MiB) and under QEMU TCG each single read is mostly its wait. Only while a
 * mount loads generations (no generation is being written, so the run buffers are idle); a read
 * that fails reads nothing ahead, and read_map_block then reads each block alone and names the one
 * that fails. forget_maps_ahead ends it.
 */
static void read_maps_ahead(struct store *s, const uint8_t *record, uint32_t from,
                            bool (*wanted)(struct store *s, const uint8_t *record, uint32_t j, const uint8_t *previous),
                            const uint8_t *previous) {
  struct ph_disk_range ranges[STORE_MAPS_AHEAD];
  uint32_t n = 0, r = 0;
  for (uint32_t j = from; j < s->map_blocks && n < STORE_MAPS_AHEAD; j++) {
    if (wanted && !wanted(s, record, j, previous)) continue;
    uint32_t m = get32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK);
    if (!in_store(s, m) || watched_copy(s, m, get32(record, GEN_MAP + j * GME_BYTES + GME_CRC))) continue;
    add_to_ranges(ranges, &r, m, s->runs + (size_t)n * BLOCK_SIZE);
    s->maps_ahead[n++] = m;
  }
  s->maps_ahead_count = 0;
  if (n && ph_disk_read_ranges(ranges, r) == PH_OK) s->maps_ahead_count = n;
}

static void forget_maps_ahead(struct store *s) { s->maps_ahead_count = 0; }

/* Where map block m is among those read ahead, or maps_ahead_count. */
static uint32_t ahead_index(const struct store *s, uint32_t m) {
  uint32_t k = 0;
  while (k < s->maps_ahead_count && s->maps_ahead[k] != m) k++;
  return k;
}

/* Reads map block j of a record into buf and checks it; map block j covers pages 512 j .. */
static enum store_damage read_map_block(struct store *s, const uint8_t *record, uint32_t j, uint8_t *buf) {
  uint32_t m = get32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK);
  const void *copy = watched_copy(s, m, get32(record, GEN_MAP + j * GME_BYTES + GME_CRC));
  uint32_t k = copy ? s->maps_ahead_count : ahead_index(s, m);
  if (copy) memcpy(buf, copy, BLOCK_SIZE);
  else if (k < s->maps_ahead_count) memcpy(buf, s->runs + (size_t)k * BLOCK_SIZE, BLOCK_SIZE);
  else if (read_block(m, buf) != STORE_OK) return STORE_DAMAGE_MAP_UNREADABLE;
  if (crc32c(buf, BLOCK_SIZE) != get32(record, GEN_MAP + j * GME_BYTES + GME_CRC)) return STORE_DAMAGE_MAP_CHECKSUM;
  for (uint32_t i = 0; i < PME_PER_BLOCK; i++) {
    uint32_t b = get32(buf, i * PME_BYTES + PME_BLOCK);
    uint32_t crc = get32(buf, i * PME_BYTES + PME_CRC);
    bool past_space = j * PME_PER_BLOCK + i >= s->space_pages;
    bool bad = past_space ? b != 0 || crc != 0 : b == ZERO_BLOCK ? crc != s->zero_page_crc : !in_store(s, b);
    if (bad) return STORE_DAMAGE_MAP_ENTRY;
  }
  return STORE_DAMAGE_NONE;
}

/* Whether hold_generation reads map block j of `record`: counted by no record yet, or not the one `previous` names there. */
static bool hold_reads(struct store *s, const uint8_t *record, uint32_t j, const uint8_t *previous) {
  uint32_t at = GEN_MAP + j * GME_BYTES;
  uint32_t m = get32(record, at + GME_BLOCK);
  bool first = !in_store(s, m) || s->refs[m] == 0;
  bool known = previous && get32(previous, at + GME_BLOCK) == m && get32(previous, at + GME_CRC) == get32(record, at + GME_CRC);
  return first || !known;
}

/*
 * Checks generation i's map blocks against its record (in SCRATCH_RECORD) and counts its blocks;
 * on damage counts nothing. Every record's map blocks are checked against that record's CRCs, as
 * lang's reader checks them, but a map block the last held record (`previous`, or 0) names at the
 * same position with the same CRC is known good without reading it again: consecutive
 * generations share the map blocks of every range they did not change. A map block's pages are
 * counted by the first record that names it.
 */
static enum store_damage hold_generation(struct store *s, uint32_t i, const uint8_t *previous, uint32_t *bad_block) {
  const uint8_t *record = scratch(s, SCRATCH_RECORD);
  uint8_t *map = scratch(s, SCRATCH_MAP);
  for (uint32_t j = 0; j < s->map_blocks; j++) {
    uint32_t at = GEN_MAP + j * GME_BYTES;
    uint32_t m = get32(record, at + GME_BLOCK);
    bool first = s->refs[m] == 0;
    if (hold_reads(s, record, j, previous)) {
      if (ahead_index(s, m) == s->maps_ahead_count) read_maps_ahead(s, record, j, hold_reads, previous);
      enum store_damage d = read_map_block(s, record, j, map);
      if (d != STORE_DAMAGE_NONE) {
        forget_maps_ahead(s);
        while (j-- > 0)
          release_map_block(s, get32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK),
                            get32(record, GEN_MAP + j * GME_BYTES + GME_CRC));
        *bad_block = m;
        return d;
      }
      if (first) count_map_pages(s, map, +1);
    }
    ref_inc(s, m);
  }
  forget_maps_ahead(s);
  ref_inc(s, s->generations[i].record_block);
  return STORE_DAMAGE_NONE;
}

/* Reads the ranges with one wait; on a failure, the first block of the first range that cannot be read alone. */
static int read_ranges(struct store *s, const struct ph_disk_range *ranges, uint32_t n, uint32_t *failed_block) {
  uint64_t started = ph_tsc();
  if (ph_disk_read_ranges(ranges, n) != PH_OK) {
    *failed_block = ranges[0].block;
    for (uint32_t r = 0; r < n; r++)
      if (ph_disk_read(ranges[r].block, ranges[r].buf, ranges[r].count) != PH_OK) {
        *failed_block = ranges[r].block;
        break;
      }
    return STORE_EIO;
  }
  s->mount_costs.read_cycles += ph_tsc() - started;
  s->mount_costs.requests += n;
  s->mount_costs.waits++;
  return STORE_OK;
}

/*
 * Checks every page map block j (disk form, in SCRATCH_MAP) lists, reading a scratch full of
 * pages at once (runs of consecutive blocks, all in flight together); each page that matches its
 * CRC goes to `sink` when there is one.
 */
/* Whether the page sink already holds page i of map block j (store_page_sink.have): then it is not read. */
static bool sink_has(const struct store_page_sink *sink, const uint8_t *map, uint32_t j, uint32_t i) {
  return sink && sink->have &&
         sink->have(sink->context, j * PME_PER_BLOCK + i, get32(map, i * PME_BYTES + PME_BLOCK),
                    get32(map, i * PME_BYTES + PME_CRC));
}

static enum store_damage check_pages(struct store *s, const uint8_t *map, uint32_t j,
                                     const struct store_page_sink *sink, uint32_t *bad_block) {
  uint8_t *run = scratch(s, SCRATCH_PAGES);
  struct ph_disk_range ranges[STORE_READ_RANGES_MAX];
  uint32_t entry[READ_RUN_MAX_BLOCKS]; /* the map entry of each page read into the scratch */
  for (uint32_t i = 0; i < PME_PER_BLOCK;) {
    /* The next pages to read, up to a scratch full, wherever their blocks lie: one wait for them all. */
    uint32_t n = 0, r = 0;
    for (; i < PME_PER_BLOCK && n < READ_RUN_MAX_BLOCKS; i++) {
      uint32_t block = get32(map, i * PME_BYTES + PME_BLOCK);
      if (block == ZERO_BLOCK || sink_has(sink, map, j, i)) continue;
      uint8_t *into = run + (size_t)n * BLOCK_SIZE;
      bool joins = r && ranges[r - 1].block + ranges[r - 1].count == block;
      if (!joins && r == STORE_READ_RANGES_MAX) break;
      add_to_ranges(ranges, &r, block, into);
      entry[n++] = i;
    }
    if (n == 0) continue;
    if (read_ranges(s, ranges, r, bad_block) != STORE_OK) return STORE_DAMAGE_PAGE_UNREADABLE;
    s->mount_costs.pages_read += n;
    for (uint32_t k = 0; k < n; k++) {
      const uint8_t *page = run + (size_t)k * BLOCK_SIZE;
      uint64_t started = ph_tsc();
      uint32_t crc = crc32c(page, BLOCK_SIZE);
      s->mount_costs.crc_cycles += ph_tsc() - started;
      if (crc != get32(map, entry[k] * PME_BYTES + PME_CRC)) {
        *bad_block = get32(map, entry[k] * PME_BYTES + PME_BLOCK);
        return STORE_DAMAGE_PAGE_CHECKSUM;
      }
      if (sink) sink->keep(sink->context, j * PME_PER_BLOCK + entry[k], page);
    }
  }
  return STORE_DAMAGE_NONE;
}

static void decode_map_block(struct store *s, const uint8_t *map, uint32_t j) {
  struct store_page_entry *e = &s->map[(size_t)j * PME_PER_BLOCK];
  for (uint32_t i = 0; i < PME_PER_BLOCK; i++) {
    e[i].block = get32(map, i * PME_BYTES + PME_BLOCK);
    e[i].crc = get32(map, i * PME_BYTES + PME_CRC);
  }
}

/*
 * Makes generation i current: its record into s->record, its map into s->map, pages checked if
 * asked. Its map blocks are checked again against this record's CRCs: counting them only
 * checked each block once, against whichever record named it first.
 */
static enum store_damage load_generation(struct store *s, uint32_t i, bool check, uint32_t *bad_block) {
  *bad_block = s->generations[i].record_block;
  enum store_damage d = read_record(s, i, s->record);
  if (d != STORE_DAMAGE_NONE) return d;
  uint8_t *map = scratch(s, SCRATCH_MAP);
  const struct store_page_sink *sink = s->checked_pages.keep ? &s->checked_pages : 0;
  for (uint32_t j = 0; j < s->map_blocks; j++) {
    *bad_block = get32(s->record, GEN_MAP + j * GME_BYTES + GME_BLOCK);
    if (ahead_index(s, *bad_block) == s->maps_ahead_count) read_maps_ahead(s, s->record, j, 0, 0);
    d = read_map_block(s, s->record, j, map);
    if (d == STORE_DAMAGE_NONE && check) d = check_pages(s, map, j, sink, bad_block);
    if (d != STORE_DAMAGE_NONE) {
      forget_maps_ahead(s);
      return d;
    }
    decode_map_block(s, map, j);
  }
  forget_maps_ahead(s);
  s->current = i;
  return STORE_DAMAGE_NONE;
}

/* The first kept generation numbered `number` (the table is sorted by number), or generation_count. */
static uint32_t index_of(const struct store *s, uint32_t number) {
  uint32_t lo = 0, hi = s->generation_count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (s->generations[mid].number < number) lo = mid + 1;
    else hi = mid;
  }
  return lo < s->generation_count && s->generations[lo].number == number ? lo : s->generation_count;
}

/*
 * After generation i failed: its parent, when older, kept and untried; else the newest untried
 * one before it. Never a newer one: after a rollback those are the branch that was left.
 */
static uint32_t fallback_from(const struct store *s, uint32_t i, const bool *tried) {
  const struct store_generation *g = &s->generations[i];
  uint32_t p = g->parent < g->number ? index_of(s, g->parent) : s->generation_count;
  if (p < s->generation_count && !tried[p]) return p;
  while (i-- > 0)
    if (!tried[i]) return i;
  return s->generation_count;
}

static void *take_memory(struct store *s, size_t bytes) {
  void *p = s->config.memory.alloc(s->config.memory.context, bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

static void give_back(struct store *s, void **p, size_t bytes) {
  if (*p && s->config.memory.release) s->config.memory.release(s->config.memory.context, *p, bytes);
  *p = 0;
}

static void set_zero_page_crc(struct store *s) {
  static const uint8_t zeros[256];
  uint32_t c = 0;
  for (uint32_t i = 0; i < BLOCK_SIZE / sizeof zeros; i++) c = crc32c_update(c, zeros, sizeof zeros);
  s->zero_page_crc = c;
}

int store_init(struct store *s, const struct store_config *config) {
  memset(s, 0, sizeof *s);
  if (!config->memory.alloc || retention_check(&config->retention) != STORE_OK ||
      (config->page_check != STORE_CHECK_PAGES_AT_MOUNT && config->page_check != STORE_CHECK_PAGES_ON_READ))
    return STORE_EINVAL;
  s->config = *config;
  set_zero_page_crc(s);
  return STORE_OK;
}

void store_keep_checked_pages(struct store *s, const struct store_page_sink *sink) { s->checked_pages = *sink; }

void store_check_contents(struct store *s, const struct store_contents_check *check) { s->contents = *check; }

void store_watch_blocks(struct store *s, const struct store_block_watch *watch) { s->watch = *watch; }

void store_unmount(struct store *s) {
  give_back(s, (void **)&s->map, s->map_bytes);
  give_back(s, (void **)&s->refs, s->refs_bytes);
  give_back(s, (void **)&s->record, BLOCK_SIZE);
  wait_for_runs(s);
  if (s->commit_step != 0) ph_disk_wait(); /* its buffers go back: no write may still read them */
  s->commit_step = 0;
  s->commit_background = false;
  give_back(s, (void **)&s->commit_blocks, (size_t)STORE_RUN_BLOCKS * BLOCK_SIZE);
  give_back(s, (void **)&s->scratch, (size_t)STORE_SCRATCH_BLOCKS * BLOCK_SIZE);
  give_back(s, (void **)&s->runs, (size_t)STORE_RUN_BUFFERS * STORE_RUN_BLOCKS * BLOCK_SIZE);
  release_table(s);
  s->mounted = s->broken = s->pending = false;
  s->generation_count = 0;
  s->leaf_count = 0;
}

/* Chooses the superblock (newest valid with a valid index) and loads its index. */
static int choose_superblock(struct store *s, struct superblock *chosen) {
  struct superblock sb[2];
  int status[2];
  uint8_t *b = scratch(s, SCRATCH_META);
  for (uint32_t slot = 0; slot < 2; slot++) {
    status[slot] = read_block(slot == 0 ? SB_BLOCK_A : SB_BLOCK_B, b);
    if (status[slot] == STORE_OK) status[slot] = decode_superblock(b, slot, &sb[slot]);
  }
  uint32_t order[2] = {0, 1};
  if (status[0] == STORE_OK && status[1] == STORE_OK && sb[1].sequence > sb[0].sequence) {
    order[0] = 1;
    order[1] = 0;
  } else if (status[0] != STORE_OK) {
    order[0] = 1;
    order[1] = 0;
  }
  int result = STORE_ENOSTORE;
  for (uint32_t k = 0; k < 2; k++) {
    uint32_t slot = order[k];
    if (status[slot] != STORE_OK) {
      if (status[slot] == STORE_EUNSUPPORTED || (status[slot] == STORE_EIO && result == STORE_ENOSTORE))
        result = status[slot];
      continue;
    }
    int rc = load_index(s, &sb[slot]);
    if (rc == STORE_OK) {
      *chosen = sb[slot];
      return STORE_OK;
    }
    kprintf("store: superblock %c (sequence %llu) names index block %u: %s; trying the other superblock\n",
            slot == 0 ? 'A' : 'B', (unsigned long long)sb[slot].sequence, sb[slot].index_block, index_problem);
    if (rc == STORE_ENOMEM) return rc;
    if (result == STORE_ENOSTORE) result = rc;
  }
  return result;
}

/*
 * Reads and counts every kept generation; marks (and reports) the damaged ones. The page-run
 * scratch, unused until a generation is loaded, holds the last held record for hold_generation.
 */
static void check_generations(struct store *s) {
  uint8_t *previous = scratch(s, SCRATCH_PAGES);
  bool have_previous = false;
  for (uint32_t i = 0; i < s->generation_count; i++) {
    if (s->generations[i].damage != STORE_DAMAGE_NONE) { /* its index entry (load_index) */
      report_damage(&s->generations[i], 0);
      continue;
    }
    uint32_t bad_block = s->generations[i].record_block;
    enum store_damage d = read_record(s, i, scratch(s, SCRATCH_RECORD));
    if (d == STORE_DAMAGE_NONE) d = hold_generation(s, i, have_previous ? previous : 0, &bad_block);
    if (d != STORE_DAMAGE_NONE) {
      damage(s, i, d, bad_block, 0);
      continue;
    }
    memcpy(previous, scratch(s, SCRATCH_RECORD), BLOCK_SIZE);
    have_previous = true;
  }
}

/*
 * The contents check of store_check_contents on generation i, just loaded: run with the store
 * mounted at it, so the check can read its pages. 0 when sound (or nobody checks), else why not.
 */
static const char *check_contents(struct store *s) {
  if (!s->contents.check) return 0;
  s->mounted = true;
  s->checking = true;
  const char *why = s->contents.check(s->contents.context, s);
  s->checking = false;
  s->mounted = false;
  return why;
}

/* Picks the generation to mount, falling back from damaged ones. */
static int choose_generation(struct store *s, uint32_t want_gen) {
  uint32_t i = want_gen == NO_GENERATION ? s->generation_count - 1 : index_of(s, want_gen);
  if (i >= s->generation_count) return STORE_ENOGEN;
  uint32_t wanted = i;
  bool *tried = s->keep;
  memset(tried, 0, s->generation_count);
  bool check = s->config.page_check == STORE_CHECK_PAGES_AT_MOUNT;
  while (i < s->generation_count) {
    tried[i] = true;
    if (s->generations[i].damage == STORE_DAMAGE_NONE) {
      uint32_t bad_block;
      enum store_damage d = load_generation(s, i, check, &bad_block);
      s->read_damage.what = STORE_DAMAGE_NONE;
      const char *why = d == STORE_DAMAGE_NONE ? check_contents(s) : 0;
      if (d == STORE_DAMAGE_NONE && !why) break;
      if (check && s->checked_pages.keep) s->checked_pages.forget(s->checked_pages.context);
      if (why && s->read_damage.what != STORE_DAMAGE_NONE) /* the check met a bad page (a lazy mount's first read) */
        damage(s, i, s->read_damage.what, s->read_damage.block, 0);
      else
        damage(s, i, why ? STORE_DAMAGE_CONTENTS : d, why ? 0 : bad_block, why);
    }
    i = fallback_from(s, i, tried);
  }
  if (i >= s->generation_count) {
    kprintf("store: no kept generation verifies\n");
    return STORE_ENOVALID;
  }
  if (i != wanted)
    kprintf("store: using generation %u instead of generation %u\n", s->generations[i].number,
            s->generations[wanted].number);
  return STORE_OK;
}

/* The highest number ever committed: SB_NEWEST_GEN or an entry's, whichever is larger (NO_GENERATION aside). */
static uint32_t newest_number(const struct store *s, uint32_t superblock_newest) {
  uint32_t newest = superblock_newest == NO_GENERATION ? 0 : superblock_newest;
  for (uint32_t i = 0; i < s->generation_count; i++)
    if (s->generations[i].number != NO_GENERATION && s->generations[i].number > newest)
      newest = s->generations[i].number;
  return newest;
}

int store_mount(struct store *s, uint32_t want_gen) {
  if (!s->config.memory.alloc) return STORE_ESTATE;
  store_unmount(s);
  if (s->checked_pages.keep) s->checked_pages.forget(s->checked_pages.context);
  memset(&s->mount_costs, 0, sizeof s->mount_costs);
  s->scratch = take_memory(s, (size_t)STORE_SCRATCH_BLOCKS * BLOCK_SIZE);
  s->runs = take_memory(s, (size_t)STORE_RUN_BUFFERS * STORE_RUN_BLOCKS * BLOCK_SIZE);
  s->record = take_memory(s, BLOCK_SIZE);
  s->commit_blocks = take_memory(s, (size_t)STORE_RUN_BLOCKS * BLOCK_SIZE);
  if (!s->scratch || !s->runs || !s->record || !s->commit_blocks) {
    store_unmount(s);
    return STORE_ENOMEM;
  }
  struct superblock sb;
  int rc = choose_superblock(s, &sb);
  if (rc != STORE_OK) {
    store_unmount(s);
    return rc;
  }
  s->sequence = sb.sequence;
  s->block_count = sb.block_count;
  s->space_size = sb.space_size;
  s->space_pages = sb.space_size / BLOCK_SIZE;
  s->map_blocks = map_blocks_for(sb.space_size);
  s->index_block = sb.index_block;
  s->index_crc = sb.index_crc;
  s->newest_number = newest_number(s, sb.newest);
  s->map_bytes = (size_t)s->map_blocks * PME_PER_BLOCK * sizeof *s->map;
  s->refs_bytes = (size_t)s->block_count * sizeof *s->refs;
  s->map = take_memory(s, s->map_bytes);
  s->refs = take_memory(s, s->refs_bytes);
  if (!s->map || !s->refs) {
    store_unmount(s);
    return STORE_ENOMEM;
  }
  s->free_blocks = s->block_count - FIRST_DATA_BLOCK;
  s->alloc_cursor = FIRST_DATA_BLOCK;
  hold_index(s);
  check_generations(s);
  rc = choose_generation(s, want_gen);
  if (rc != STORE_OK) {
    store_unmount(s);
    return rc;
  }
  s->mounted = true;
  return STORE_OK;
}

/* Remembers the first page of the current generation that failed (read_damage) and returns `status`. */
static int read_failed(struct store *s, int status, uint32_t page) {
  if (s->read_damage.what == STORE_DAMAGE_NONE) {
    s->read_damage.what = status == STORE_EPAGE ? STORE_DAMAGE_PAGE_CHECKSUM : STORE_DAMAGE_PAGE_UNREADABLE;
    s->read_damage.block = s->map[page].block;
  }
  return status;
}

int store_set_page_check(struct store *s, enum store_page_check check) {
  if (check != STORE_CHECK_PAGES_AT_MOUNT && check != STORE_CHECK_PAGES_ON_READ) return STORE_EINVAL;
  s->config.page_check = check;
  return STORE_OK;
}

uint32_t store_page_run(const struct store *s, uint32_t page, uint32_t max) {
  if (!s->mounted || page >= s->space_pages || s->map[page].block == ZERO_BLOCK) return 0;
  if (max > s->space_pages - page) max = s->space_pages - page;
  uint32_t n = 1, ranges = 1;
  while (n < max && s->map[page + n].block != ZERO_BLOCK) {
    if (s->map[page + n].block != s->map[page + n - 1].block + 1 && ++ranges > STORE_READ_RANGES_MAX) break;
    n++;
  }
  return max ? n : 0;
}

int store_read_pages(struct store *s, uint32_t page, uint32_t count, void *buf, uint32_t *bad) {
  *bad = page;
  if (!s->mounted) return STORE_ESTATE;
  if (s->broken) return STORE_EIO;
  if (count == 0 || store_page_run(s, page, count) != count) return STORE_ERANGE;
  struct ph_disk_range ranges[STORE_READ_RANGES_MAX];
  uint32_t n = 0, failed_block;
  for (uint32_t k = 0; k < count; k++) add_to_ranges(ranges, &n, s->map[page + k].block, (uint8_t *)buf + (size_t)k * BLOCK_SIZE);
  if (read_ranges(s, ranges, n, &failed_block) != STORE_OK) return read_failed(s, STORE_EIO, page);
  s->mount_costs.pages_read += count;
  uint64_t started = ph_tsc();
  for (uint32_t k = 0; k < count; k++)
    if (crc32c((const uint8_t *)buf + (size_t)k * BLOCK_SIZE, BLOCK_SIZE) != s->map[page + k].crc) {
      *bad = page + k;
      s->mount_costs.crc_cycles += ph_tsc() - started;
      return read_failed(s, STORE_EPAGE, page + k);
    }
  s->mount_costs.crc_cycles += ph_tsc() - started;
  return STORE_OK;
}

int store_switch(struct store *s, uint32_t number) {
  if (!s->mounted) return STORE_ESTATE;
  if (s->broken) return STORE_EIO;
  if (index_of(s, number) >= s->generation_count) return STORE_ENOGEN;
  store_abandon_generation(s);
  if (s->checked_pages.keep) s->checked_pages.forget(s->checked_pages.context);
  memset(&s->mount_costs, 0, sizeof s->mount_costs);
  s->mounted = false;
  int rc = choose_generation(s, number);
  if (rc != STORE_OK) {
    store_unmount(s);
    return rc;
  }
  s->mounted = true;
  return STORE_OK;
}

int store_read_page(struct store *s, uint32_t page, void *buf) {
  if (!s->mounted) return STORE_ESTATE;
  if (s->broken) return STORE_EIO;
  if (page >= s->space_pages) return STORE_ERANGE;
  struct store_page_entry e = s->map[page];
  if (e.block == ZERO_BLOCK) return STORE_ZERO_PAGE;
  uint64_t started = ph_tsc();
  if (ph_disk_read(e.block, buf, 1) != PH_OK) return read_failed(s, STORE_EIO, page);
  s->mount_costs.read_cycles += ph_tsc() - started;
  s->mount_costs.pages_read++;
  s->mount_costs.requests++;
  started = ph_tsc();
  bool good = crc32c(buf, BLOCK_SIZE) == e.crc;
  s->mount_costs.crc_cycles += ph_tsc() - started;
  return good ? STORE_OK : read_failed(s, STORE_EPAGE, page);
}

/* ── commit ── */

int store_check_commit(const struct store *s) {
  if (!s->mounted) return STORE_ESTATE;
  if (s->broken) return STORE_EIO;
  return s->newest_number >= NO_GENERATION - 1 ? STORE_ENONUMBER : STORE_OK;
}

int store_begin_generation(struct store *s) {
  if (s->pending) return STORE_ESTATE; /* a commit in flight is no obstacle: see store_commit_start */
  int rc = store_check_commit(s);
  if (rc != STORE_OK) return rc;
  memset(s->range_dirty, 0, sizeof s->range_dirty);
  s->dirty_ranges = 0;
  s->pending_pages_written = 0;
  s->run_count = 0;
  s->pending = true;
  return STORE_OK;
}

void store_abandon_generation(struct store *s) {
  settle_commit(s);
  if (!s->pending) return;
  s->pending = false;
  s->run_count = 0;
  /* The generation's blocks become free: no write of theirs may still land after a later one. */
  wait_for_runs(s);
  uint8_t *map = scratch(s, SCRATCH_MAP);
  for (uint32_t j = 0; j < s->map_blocks; j++) {
    if (!s->range_dirty[j]) continue;
    struct store_page_entry *e = &s->map[(size_t)j * PME_PER_BLOCK];
    for (uint32_t i = 0; i < PME_PER_BLOCK; i++) ref_dec(s, e[i].block);
    if (read_map_block(s, s->record, j, map) != STORE_DAMAGE_NONE) {
      kprintf("store: cannot reload page-map block %u after abandoning a generation; remount needed\n", j);
      s->broken = true;
      continue;
    }
    decode_map_block(s, map, j);
  }
}

static uint8_t *run_buffer(struct store *s, uint32_t which) {
  return s->runs + (size_t)which * STORE_RUN_BLOCKS * BLOCK_SIZE;
}

/*
 * The commit's blocks while their writes are in flight, in the store's commit buffer (so that the
 * next generation's runs of pages may fill the run buffers meanwhile): map blocks and then index
 * leaves and root from slot 0 on (next_commit_slot), the record in COMMIT_RECORD_SLOT, the
 * superblock in the last slot.
 */
enum { COMMIT_RECORD_SLOT = STORE_RUN_BLOCKS - 2, COMMIT_SUPERBLOCK_SLOT = STORE_RUN_BLOCKS - 1 };
/* commit_step: which request of the commit is on its way. */
enum { COMMIT_NONE, COMMIT_METADATA, COMMIT_FLUSH, COMMIT_SUPERBLOCK, COMMIT_SUPERBLOCK_FLUSH };

static uint8_t *commit_slot(struct store *s, uint32_t slot) { return s->commit_blocks + (size_t)slot * BLOCK_SIZE; }

/*
 * A slot for one more map or index block of a commit, zeroed; once every slot before the
 * record's holds a write on its way, waits for them all and starts again at slot 0. 0 when that
 * wait reports a failed write.
 */
static uint8_t *next_commit_slot(struct store *s) {
  if (s->commit_slots_used == COMMIT_RECORD_SLOT) {
    if (runs_waited(s, ph_disk_wait()) != STORE_OK) return 0;
    s->commit_slots_used = 0;
  }
  uint8_t *b = commit_slot(s, s->commit_slots_used++);
  memset(b, 0, BLOCK_SIZE);
  return b;
}

/* A wait for runs came back `r`: a failed write may as well have been the commit's in flight (no wait can say), which fails too. */
static int runs_waited(struct store *s, int r) {
  if (r == PH_OK) return STORE_OK;
  if (s->commit_step != 0) s->commit_io_failed = true;
  return STORE_EIO;
}

/* Waits for every run whose write was started: STORE_EIO when a write failed. */
static int wait_for_runs(struct store *s) {
  bool any = false;
  for (uint32_t b = 0; b < STORE_RUN_BUFFERS; b++) {
    any |= s->run_started[b];
    s->run_started[b] = false;
  }
  return any ? runs_waited(s, ph_disk_wait_for(s->last_run_mark)) : STORE_OK;
}

/* Whether run buffer b still holds a write on its way (then it cannot be filled again yet). */
static bool run_busy(struct store *s, uint32_t b) {
  if (s->run_started[b] && ph_disk_done(s->run_mark[b])) s->run_started[b] = false; /* its error, if any, comes at a wait */
  return s->run_started[b];
}

/* Makes the buffer filling free to fill: waits for its earlier write, if that is still on its way. */
static int claim_run_buffer(struct store *s) {
  uint32_t b = s->run_buffer;
  if (!s->run_started[b]) return STORE_OK;
  s->run_started[b] = false;
  return runs_waited(s, ph_disk_wait_for(s->run_mark[b]));
}

/*
 * Starts writing the gathered run of pages (one disk request for consecutive blocks) and moves to
 * the next buffer: runs are written while the next ones fill. A failed write fails the generation
 * at the next wait (at the latest its commit's).
 */
static int write_run(struct store *s) {
  if (s->run_count == 0) return STORE_OK;
  uint32_t b = s->run_buffer;
  int rc = ph_disk_write_start(s->run_first, run_buffer(s, b), s->run_count) == PH_OK ? STORE_OK : STORE_EIO;
  if (rc == STORE_OK) {
    s->run_started[b] = true;
    s->run_mark[b] = s->last_run_mark = ph_disk_mark();
  }
  s->run_buffer = (b + 1) % STORE_RUN_BUFFERS;
  s->run_count = 0;
  return rc;
}

/*
 * Blocks a new index may need: one leaf while the index is one leaf and stays one (write_index
 * then writes that leaf again), else every leaf written again, one more, and the root.
 */
static uint32_t index_blocks_needed(const struct store *s) {
  return s->leaf_count <= 1 && s->generation_count + 1 <= IX_MAX_ENTRIES ? 1 : s->leaf_count + 2;
}

/* Blocks a commit needs besides pages: the dirty map blocks, the record and the index. */
static uint32_t commit_blocks_needed(const struct store *s) { return s->dirty_ranges + 1 + index_blocks_needed(s); }

static int make_room(struct store *s, uint32_t needed);

/* Counts the first page of a range in the generation being written: the range gets a new map block. */
static void dirty_range(struct store *s, uint32_t range) {
  if (s->range_dirty[range]) return;
  s->range_dirty[range] = true;
  s->dirty_ranges++;
  struct store_page_entry *e = &s->map[(size_t)range * PME_PER_BLOCK];
  for (uint32_t i = 0; i < PME_PER_BLOCK; i++) ref_inc(s, e[i].block);
}

int store_write_page(struct store *s, uint32_t page, const void *data) {
  if (!s->pending) return STORE_ESTATE;
  if (page >= s->space_pages) return STORE_ERANGE;
  uint32_t range = page / PME_PER_BLOCK;
  bool zero = all_zero(data, BLOCK_SIZE);
  uint32_t needed = commit_blocks_needed(s) + (s->range_dirty[range] ? 0 : 1) + (zero ? 0 : 1);
  int room = make_room(s, needed);
  if (room != STORE_OK) {
    store_abandon_generation(s);
    return room;
  }
  dirty_range(s, range);
  struct store_page_entry entry = {ZERO_BLOCK, s->zero_page_crc};
  if (!zero) {
    entry.block = take_free_block(s);
    entry.crc = crc32c(data, BLOCK_SIZE);
    bool extends_run = s->run_count > 0 && s->run_count < STORE_RUN_BLOCKS &&
                       entry.block == s->run_first + s->run_count;
    if (entry.block == 0 || (!extends_run && (write_run(s) != STORE_OK || claim_run_buffer(s) != STORE_OK))) {
      ref_dec(s, entry.block);
      store_abandon_generation(s);
      return entry.block == 0 ? STORE_ENOSPACE : STORE_EIO;
    }
    if (s->run_count == 0) s->run_first = entry.block;
    memcpy(run_buffer(s, s->run_buffer) + (size_t)s->run_count++ * BLOCK_SIZE, data, BLOCK_SIZE);
    s->pending_pages_written++;
    tell_written(s, entry.block, entry.crc, data);
  }
  ref_dec(s, s->map[page].block);
  s->map[page] = entry;
  return STORE_OK;
}

bool store_write_would_wait(struct store *s) {
  /* The next page may start a new run, in the next buffer (or this one, when it is empty). */
  return run_busy(s, s->run_count == 0 ? s->run_buffer : (s->run_buffer + 1) % STORE_RUN_BUFFERS);
}

bool store_commit_would_wait(struct store *s) { return s->commit_step != 0; }

int store_adopt_page(struct store *s, uint32_t page, uint32_t block, uint32_t crc) {
  if (!s->pending) return STORE_ESTATE;
  if (page >= s->space_pages) return STORE_ERANGE;
  if (block != ZERO_BLOCK && (!in_store(s, block) || s->refs[block] == 0)) return STORE_EINVAL;
  uint32_t range = page / PME_PER_BLOCK;
  int room = make_room(s, commit_blocks_needed(s) + (s->range_dirty[range] ? 0 : 1));
  if (room != STORE_OK) {
    store_abandon_generation(s);
    return room;
  }
  dirty_range(s, range);
  ref_inc(s, block); /* the new map block lists it; the caller's hold is its own */
  ref_dec(s, s->map[page].block);
  s->map[page] = (struct store_page_entry){block, block == ZERO_BLOCK ? s->zero_page_crc : crc};
  if (block != ZERO_BLOCK) s->pending_pages_written++;
  return STORE_OK;
}

int store_stash_page(struct store *s, const void *data, uint32_t *block, uint32_t *crc) {
  *block = ZERO_BLOCK;
  *crc = s->zero_page_crc;
  settle_commit(s);
  if (!s->mounted) return STORE_ESTATE;
  if (s->broken) return STORE_EIO;
  if (all_zero(data, BLOCK_SIZE)) return STORE_OK;
  /* A held block is no use to a commit: what the metadata of any commit needs (a map block per
   * range, the record, the index) stays free, so a generation adopting held pages can commit. */
  uint32_t needed = s->map_blocks + 1 + index_blocks_needed(s) + 1;
  int room = s->checking ? (s->free_blocks >= needed ? STORE_OK : STORE_ENOSPACE) : make_room(s, needed);
  if (room != STORE_OK) return room;
  uint32_t b = take_free_block(s);
  if (b == 0) return STORE_ENOSPACE;
  if (write_block(b, data) != STORE_OK) {
    ref_dec(s, b);
    return STORE_EIO;
  }
  *block = b;
  *crc = crc32c(data, BLOCK_SIZE);
  return STORE_OK;
}

int store_read_stash(struct store *s, uint32_t block, uint32_t crc, void *buf) {
  if (!s->mounted) return STORE_ESTATE;
  if (!in_store(s, block) || s->refs[block] == 0) return STORE_EINVAL;
  if (read_block(block, buf) != STORE_OK) return STORE_EIO;
  return crc32c(buf, BLOCK_SIZE) == crc ? STORE_OK : STORE_EPAGE;
}

void store_release_stash(struct store *s, uint32_t block) {
  if (block != ZERO_BLOCK) ref_dec(s, block);
}

static void encode_map_block(const struct store *s, uint32_t j, uint8_t *out) {
  const struct store_page_entry *e = &s->map[(size_t)j * PME_PER_BLOCK];
  for (uint32_t i = 0; i < PME_PER_BLOCK; i++) {
    put32(out, i * PME_BYTES + PME_BLOCK, e[i].block);
    put32(out, i * PME_BYTES + PME_CRC, e[i].crc);
  }
}

void store_offer_current_metadata(struct store *s) {
  if (!s->mounted || s->broken || !s->watch.written) return;
  const struct store_generation *g = &s->generations[s->current];
  tell_written(s, g->record_block, g->record_crc, s->record);
  uint8_t *map = scratch(s, SCRATCH_MAP);
  for (uint32_t j = 0; j < s->map_blocks; j++) {
    uint32_t m = get32(s->record, GEN_MAP + j * GME_BYTES + GME_BLOCK), crc = get32(s->record, GEN_MAP + j * GME_BYTES + GME_CRC);
    encode_map_block(s, j, map);
    if (crc32c(map, BLOCK_SIZE) == crc) tell_written(s, m, crc, map);
  }
}

/* Undoes the blocks a failed commit took: new map blocks of ranges before `upto`, record (the index gives its own back). */
static int fail_commit(struct store *s, const uint8_t *record, uint32_t upto, uint32_t record_block, int status) {
  for (uint32_t j = 0; j < upto; j++)
    if (s->range_dirty[j]) ref_dec(s, get32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK));
  ref_dec(s, record_block);
  store_abandon_generation(s);
  return status;
}

static void build_record(struct store *s, uint8_t *record, uint32_t number, const struct store_snapshot_stats *stats) {
  put32(record, GEN_MAGIC_F, GEN_MAGIC);
  put32(record, GEN_VERSION, FORMAT_VERSION);
  put32(record, GEN_NUMBER, number);
  put32(record, GEN_PARENT, s->generations[s->current].number);
  put64(record, GEN_WALL_LO, GEN_WALL_HI, stats->wall_seconds);
  put64(record, GEN_UPTIME_LO, GEN_UPTIME_HI, stats->uptime_ms);
  put32(record, GEN_PAUSE_US, stats->pause_us);
  put32(record, GEN_PAGES_COW, stats->pages_cow);
  put32(record, GEN_PAGES_WRITTEN, s->pending_pages_written);
  put32(record, GEN_BYTES_WRITTEN, (s->pending_pages_written + s->dirty_ranges + 3) * BLOCK_SIZE);
  put32(record, GEN_WRITE_US, stats->write_us);
  put32(record, GEN_SPACE_SIZE, s->space_size);
  put32(record, GEN_MAP_BLOCKS, s->map_blocks);
  for (uint32_t j = 0; j < s->map_blocks; j++)
    if (!s->range_dirty[j]) /* shared with the parent */
      memcpy(record + GEN_MAP + j * GME_BYTES, s->record + GEN_MAP + j * GME_BYTES, GME_BYTES);
}

/* Fills an index leaf's header and seals it; its entries are in place. */
static uint32_t seal_leaf(uint8_t *leaf, uint32_t count) {
  put32(leaf, IX_MAGIC_F, IX_MAGIC);
  put32(leaf, IX_VERSION, FORMAT_VERSION);
  put32(leaf, IX_COUNT, count);
  return seal_block(leaf, IX_CRC);
}

static void put_entry(uint8_t *leaf, uint32_t n, const struct store_generation *g) {
  uint32_t at = IX_ENTRIES + n * IXE_BYTES;
  put32(leaf, at + IXE_GEN, g->number);
  put32(leaf, at + IXE_RECORD, g->record_block);
  put32(leaf, at + IXE_RECORD_CRC, g->record_crc);
  put32(leaf, at + IXE_PARENT, g->parent);
}

/* Whether old leaf k may be listed again as it is: every entry stays, it is not too small, and
 * it is not the last (which the new generation joins) unless it is full. */
static bool leaf_reusable(const struct store *s, uint32_t k, const bool *keep, uint32_t count) {
  const struct store_index_leaf *l = &s->leaves[k];
  if (!s->leaves_match || l->count < IX_MIN_ENTRIES || l->first + l->count > count) return false;
  if (k + 1 == s->leaf_count && l->count != IX_MAX_ENTRIES) return false;
  for (uint32_t i = l->first; i < l->first + l->count; i++)
    if (!keep[i]) return false;
  return true;
}

/* Gives back the blocks of the index being written (write_index failed, or its commit did). */
static void abandon_index(struct store *s, uint32_t root_block) {
  if (root_block && s->next_leaf_count > 1) ref_dec(s, root_block); /* else it is the only leaf, or none was taken */
  for (uint32_t k = 0; k < s->next_leaf_count; k++) ref_dec(s, s->next_leaves[k].block);
  s->next_leaf_count = 0;
}

/*
 * Starts writing the leaf being filled (n entries, first at table position `first` of the new
 * index) and moves *leaf to a fresh commit slot for the next one.
 */
static int flush_leaf(struct store *s, uint8_t **leaf, uint32_t n, uint32_t first) {
  if (s->next_leaf_count == IR_MAX_LEAVES) return STORE_ENOSPACE; /* cannot happen: leaves hold >= IX_MIN_ENTRIES */
  uint32_t crc = seal_leaf(*leaf, n);
  uint32_t b = take_free_block(s);
  if (b == 0) return STORE_ENOSPACE;
  s->next_leaves[s->next_leaf_count++] = (struct store_index_leaf){b, crc, n, first};
  if (ph_disk_write_start(b, *leaf, 1) != PH_OK) return STORE_EIO;
  *leaf = next_commit_slot(s);
  return *leaf ? STORE_OK : STORE_EIO;
}

/*
 * Writes, copy-on-write, the index listing the generations keep[] keeps of the first `count` in
 * the table: leaves of entries (a leaf of the current index whose entries all stay is listed
 * again without being written: leaf_reusable), then, when there is more than one leaf, an index
 * root naming them. Every block written is a free one, so the index the superblock names now
 * stays whole until the new superblock is on disk. Sets *index_block and *index_crc for the new
 * superblock (the root, or the only leaf); s->next_leaves lists the leaves, each counted as used.
 * The writes are started from commit slots (next_commit_slot), not waited for: the caller's wait
 * before its flush covers them. On an error everything taken is given back.
 */
static int write_index(struct store *s, const bool *keep, uint32_t count, uint32_t *index_block, uint32_t *index_crc) {
  uint8_t *leaf = next_commit_slot(s);
  s->next_leaf_count = 0;
  if (!leaf) return STORE_EIO;
  uint32_t placed = 0, pending = 0, k = 0;
  int rc = STORE_OK;
  for (uint32_t i = 0; i < count && rc == STORE_OK;) {
    while (k < s->leaf_count && s->leaves[k].first < i) k++;
    if (s->leaves_match && k < s->leaf_count && s->leaves[k].first == i && leaf_reusable(s, k, keep, count) &&
        (pending == 0 || pending >= IX_MIN_ENTRIES)) {
      if (pending) rc = flush_leaf(s, &leaf, pending, placed - pending);
      pending = 0;
      if (rc != STORE_OK) break;
      if (s->next_leaf_count == IR_MAX_LEAVES) {
        rc = STORE_ENOSPACE;
        break;
      }
      struct store_index_leaf l = s->leaves[k++];
      ref_inc(s, l.block);
      s->next_leaves[s->next_leaf_count++] = (struct store_index_leaf){l.block, l.crc, l.count, placed};
      placed += l.count;
      i += l.count;
      continue;
    }
    if (keep[i]) {
      put_entry(leaf, pending++, &s->generations[i]);
      placed++;
      if (pending == IX_MAX_ENTRIES) {
        rc = flush_leaf(s, &leaf, pending, placed - pending);
        pending = 0;
      }
    }
    i++;
  }
  if (rc == STORE_OK && pending) rc = flush_leaf(s, &leaf, pending, placed - pending);
  if (rc != STORE_OK) {
    abandon_index(s, 0);
    return rc;
  }
  if (s->next_leaf_count == 1) {
    *index_block = s->next_leaves[0].block;
    *index_crc = s->next_leaves[0].crc;
    return STORE_OK;
  }
  uint8_t *root = leaf; /* the fresh slot after the last leaf, zeroed */
  put32(root, IR_MAGIC_F, IR_MAGIC);
  put32(root, IR_VERSION, FORMAT_VERSION);
  put32(root, IR_COUNT, s->next_leaf_count);
  put32(root, IR_TOTAL, placed);
  for (uint32_t n = 0; n < s->next_leaf_count; n++) {
    uint32_t at = IR_LEAVES + n * IRE_BYTES;
    put32(root, at + IRE_BLOCK, s->next_leaves[n].block);
    put32(root, at + IRE_CRC, s->next_leaves[n].crc);
    put32(root, at + IRE_COUNT, s->next_leaves[n].count);
  }
  *index_crc = seal_block(root, IR_CRC);
  *index_block = take_free_block(s);
  if (*index_block == 0) rc = STORE_ENOSPACE;
  else if (ph_disk_write_start(*index_block, root, 1) != PH_OK) rc = STORE_EIO;
  if (rc != STORE_OK) abandon_index(s, *index_block);
  return rc;
}

/* The index just written is the one the new superblock names: the old one's blocks are released. */
static void switch_index(struct store *s, uint32_t index_block, uint32_t index_crc) {
  release_index(s);
  s->index_block = index_block;
  s->index_crc = index_crc;
  s->index_is_root = s->next_leaf_count > 1;
  s->leaf_count = s->next_leaf_count;
  memcpy(s->leaves, s->next_leaves, s->next_leaf_count * sizeof *s->leaves);
  s->next_leaf_count = 0;
  s->leaves_match = true;
}

static void build_superblock(const struct store *s, uint8_t *b, uint64_t sequence, uint32_t index_block,
                             uint32_t index_crc, uint32_t newest) {
  memset(b, 0, BLOCK_SIZE);
  put32(b, SB_MAGIC_F, SB_MAGIC);
  put32(b, SB_VERSION, FORMAT_VERSION);
  put64(b, SB_SEQ_LO, SB_SEQ_HI, sequence);
  put32(b, SB_BLOCK_SIZE, BLOCK_SIZE);
  put32(b, SB_BLOCK_COUNT, s->block_count);
  put32(b, SB_SPACE_BASE, SPACE_BASE);
  put32(b, SB_SPACE_SIZE, s->space_size);
  put32(b, SB_INDEX_BLOCK, index_block);
  put32(b, SB_INDEX_CRC, index_crc);
  put32(b, SB_NEWEST_GEN, newest);
  seal_block(b, SB_CRC);
}

/* Uncounts a generation retention dropped (after the index without it is committed). */
static void release_generation(struct store *s, const struct store_generation *g) {
  if (!holds_blocks(g)) return;
  uint8_t *record = scratch(s, SCRATCH_RECORD);
  /* Unreadable now: its blocks stay counted (leaked until the next mount), which is safe. */
  if (read_block(g->record_block, record) != STORE_OK || block_crc(record, GEN_CRC) != g->record_crc) return;
  for (uint32_t j = 0; j < s->map_blocks; j++)
    release_map_block(s, get32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK),
                      get32(record, GEN_MAP + j * GME_BYTES + GME_CRC));
  ref_dec(s, g->record_block);
}

/* The new generation is on disk: count what it shares, forget what retention dropped. */
static void finish_commit(struct store *s, const uint8_t *record, const bool *keep, uint32_t count) {
  for (uint32_t j = 0; j < s->map_blocks; j++)
    if (!s->commit_range_dirty[j]) ref_inc(s, get32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK));
  memcpy(s->record, record, BLOCK_SIZE);
  for (uint32_t i = 0; i < count; i++)
    if (!keep[i]) release_generation(s, &s->generations[i]);
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++)
    if (keep[i]) s->generations[n++] = s->generations[i];
  s->generation_count = n;
  s->current = n - 1;
  s->commit_background = false; /* `pending` is the next generation's now, if one was begun */
}

/* Writes the index without generation `victim` and commits it with a superblock of its own. */
static int drop_generation_now(struct store *s, uint32_t victim) {
  uint8_t *b = scratch(s, SCRATCH_META);
  bool *keep = s->keep;
  for (uint32_t i = 0; i < s->generation_count; i++) keep[i] = i != victim;
  uint32_t index_block, index_crc;
  s->commit_slots_used = 0; /* no commit is in flight (make_room settled it) */
  int rc = write_index(s, keep, s->generation_count, &index_block, &index_crc);
  if (rc != STORE_OK) {
    ph_disk_wait();
    return rc;
  }
  /* The wait below covers the pending generation's runs too: its failure fails the drop. */
  if (ph_disk_wait() != PH_OK || ph_disk_flush() != PH_OK) {
    abandon_index(s, index_block);
    return STORE_EIO;
  }
  build_superblock(s, b, s->sequence + 1, index_block, index_crc, s->newest_number);
  uint32_t slot = (uint32_t)((s->sequence + 1) % 2) == 0 ? SB_BLOCK_A : SB_BLOCK_B;
  if (write_block(slot, b) != STORE_OK || ph_disk_flush() != PH_OK) {
    kprintf("store: writing a superblock failed while making room; remount needed\n");
    s->broken = true;
    return STORE_EIO;
  }
  switch_index(s, index_block, index_crc);
  s->sequence++;
  kprintf("store: disk full: dropped generation %u to make room\n", s->generations[victim].number);
  release_generation(s, &s->generations[victim]);
  for (uint32_t i = victim; i + 1 < s->generation_count; i++) s->generations[i] = s->generations[i + 1];
  s->generation_count--;
  if (s->current > victim) s->current--;
  return STORE_OK;
}

/*
 * Until `needed` blocks are free, drops generations (damaged ones first, then the oldest), never
 * the current one (the generation being written shares its map blocks): on a full disk the
 * newest state matters more than history. STORE_ENOSPACE when only the current one is left.
 */
static int make_room(struct store *s, uint32_t needed) {
  if (s->free_blocks < needed && s->commit_step != COMMIT_NONE) {
    settle_commit(s); /* its superblock goes first, and its end may free blocks */
    if (s->broken) return STORE_EIO;
  }
  while (s->free_blocks < needed) {
    uint32_t victim = s->generation_count;
    for (uint32_t i = 0; i < s->generation_count && victim == s->generation_count; i++)
      if (i != s->current && s->generations[i].damage != STORE_DAMAGE_NONE) victim = i;
    for (uint32_t i = 0; i < s->generation_count && victim == s->generation_count; i++)
      if (i != s->current) victim = i;
    if (victim == s->generation_count) return STORE_ENOSPACE;
    int rc = drop_generation_now(s, victim);
    if (rc != STORE_OK) return rc;
  }
  return STORE_OK;
}


/*
 * A started write failed or could not start: wait for the others (their buffers), then abandon.
 * After store_commit_start returned, the generation is pending again for that; but when the next
 * one was begun on top of it meanwhile, neither can be undone exactly: the store is broken.
 */
static int fail_started(struct store *s, uint32_t upto, uint32_t record_block, bool index_written) {
  ph_disk_wait();
  s->commit_step = COMMIT_NONE;
  if (index_written) abandon_index(s, s->commit_index_block);
  if (s->commit_background) {
    s->commit_background = false;
    if (s->pending) {
      kprintf("store: the commit of generation %u failed while the next was being written; remount needed\n",
              s->commit_number);
      s->broken = true;
      s->pending = false;
      s->run_count = 0;
      return STORE_EIO;
    }
    memcpy(s->range_dirty, s->commit_range_dirty, sizeof s->range_dirty);
    s->pending = true;
  }
  return fail_commit(s, commit_slot(s, COMMIT_RECORD_SLOT), upto, record_block, STORE_EIO);
}

int store_commit_start(struct store *s, const struct store_snapshot_stats *stats) {
  settle_commit(s); /* the commit before goes first: superblocks reach the disk in order */
  if (s->broken) return STORE_EIO;
  if (!s->pending) return STORE_ESTATE;
  s->commit_result = STORE_OK;
  s->commit_io_failed = false;
  s->commit_slots_used = 0;
  uint64_t started = ph_tsc();
  if (s->newest_number >= NO_GENERATION - 1) { /* store_begin_generation refused it already */
    store_abandon_generation(s);
    return STORE_ENONUMBER;
  }
  int room = make_room(s, commit_blocks_needed(s));
  if (room != STORE_OK) {
    store_abandon_generation(s);
    return room;
  }
  /* The last run is started, not waited for: the flush waits for every write of the commit. */
  if (write_run(s) != STORE_OK) {
    store_abandon_generation(s);
    return STORE_EIO;
  }
  uint8_t *record = commit_slot(s, COMMIT_RECORD_SLOT);
  memset(record, 0, BLOCK_SIZE);
  for (uint32_t j = 0; j < s->map_blocks; j++) {
    if (!s->range_dirty[j]) continue;
    uint32_t m = take_free_block(s);
    if (m == 0) {
      ph_disk_wait();
      return fail_commit(s, record, j, 0, STORE_ENOSPACE);
    }
    put32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK, m);
    uint8_t *block = next_commit_slot(s);
    if (!block) return fail_started(s, j + 1, 0, false);
    encode_map_block(s, j, block);
    put32(record, GEN_MAP + j * GME_BYTES + GME_CRC, crc32c(block, BLOCK_SIZE));
    if (ph_disk_write_start(m, block, 1) != PH_OK) return fail_started(s, j + 1, 0, false);
    tell_written(s, m, get32(record, GEN_MAP + j * GME_BYTES + GME_CRC), block);
  }
  uint32_t number = s->newest_number + 1;
  build_record(s, record, number, stats);
  put32(record, GEN_COMMIT_US, elapsed_us(started));
  uint32_t record_block = take_free_block(s);
  if (record_block == 0) {
    ph_disk_wait();
    return fail_commit(s, record, s->map_blocks, 0, STORE_ENOSPACE);
  }
  uint32_t record_crc = seal_block(record, GEN_CRC);
  if (ph_disk_write_start(record_block, record, 1) != PH_OK)
    return fail_started(s, s->map_blocks, record_block, false);
  tell_written(s, record_block, record_crc, record);

  uint32_t count = s->generation_count + 1;
  struct store_generation *g = &s->generations[count - 1];
  *g = (struct store_generation){
      .number = number,
      .parent = s->generations[s->current].number,
      .record_block = record_block,
      .record_crc = record_crc,
      .wall_seconds = stats->wall_seconds,
      .uptime_ms = stats->uptime_ms,
      .pause_us = stats->pause_us,
      .pages_cow = stats->pages_cow,
      .pages_written = get32(record, GEN_PAGES_WRITTEN),
      .bytes_written = get32(record, GEN_BYTES_WRITTEN),
      .write_us = stats->write_us,
      .commit_us = get32(record, GEN_COMMIT_US),
  };
  bool *keep = s->keep;
  retention_select(s->generations, count, &s->config.retention, keep, s->retention_work);
  /* The index's leaves and root are started as they are made; the flush advance_commit starts covers them all. */
  uint32_t index_block, index_crc;
  int written = write_index(s, keep, count, &index_block, &index_crc);
  if (written != STORE_OK) {
    ph_disk_wait();
    return fail_commit(s, record, s->map_blocks, record_block, written);
  }
  /* From here the generation is on its way: the next one may be begun (store_begin_generation). */
  memcpy(s->commit_range_dirty, s->range_dirty, sizeof s->commit_range_dirty);
  s->commit_mark = ph_disk_mark(); /* the flush waits for these writes and the runs before them, not for later ones */
  s->pending = false;
  s->commit_background = true;
  s->commit_step = COMMIT_METADATA;
  s->commit_record_block = record_block;
  s->commit_index_block = index_block;
  s->commit_index_crc = index_crc;
  s->commit_number = number;
  s->commit_count = count;
  s->commit_started = started;
  return STORE_OK;
}

/* The superblock's write or its flush failed: the disk may or may not hold it. */
static int superblock_failed(struct store *s) {
  kprintf("store: writing the superblock of generation %u failed; remount needed\n", s->commit_number);
  s->broken = true;
  s->pending = false;
  s->commit_background = false;
  s->commit_step = COMMIT_NONE;
  return STORE_EIO;
}

static int advance_commit(struct store *s, bool wait) {
  while (s->commit_step != COMMIT_NONE) {
    /* Only the commit's requests are waited for: the next generation's runs go on meanwhile. */
    if (!wait && !ph_disk_done(s->commit_mark)) return STORE_IN_FLIGHT;
    bool done = runs_waited(s, ph_disk_wait_for(s->commit_mark)) == STORE_OK && !s->commit_io_failed;
    switch (s->commit_step) {
    case COMMIT_METADATA: /* map blocks, record and index written: flush them before the superblock */
    case COMMIT_FLUSH:
      if (!done || (s->commit_step == COMMIT_METADATA && ph_disk_flush_start() != PH_OK))
        return fail_started(s, s->map_blocks, s->commit_record_block, true);
      s->commit_mark = ph_disk_mark();
      if (s->commit_step == COMMIT_FLUSH) {
        uint8_t *sb = commit_slot(s, COMMIT_SUPERBLOCK_SLOT);
        build_superblock(s, sb, s->sequence + 1, s->commit_index_block, s->commit_index_crc, s->commit_number);
        uint32_t slot = (uint32_t)((s->sequence + 1) % 2) == 0 ? SB_BLOCK_A : SB_BLOCK_B;
        if (ph_disk_write_start(slot, sb, 1) != PH_OK) return superblock_failed(s);
        s->commit_mark = ph_disk_mark();
      }
      s->commit_step++;
      break;
    case COMMIT_SUPERBLOCK:
      if (!done || ph_disk_flush_start() != PH_OK) return superblock_failed(s);
      s->commit_mark = ph_disk_mark();
      s->commit_step++;
      break;
    default: /* COMMIT_SUPERBLOCK_FLUSH: the generation is on the disk */
      if (!done) return superblock_failed(s);
      s->commit_step = COMMIT_NONE;
      switch_index(s, s->commit_index_block, s->commit_index_crc);
      s->sequence++;
      s->newest_number = s->commit_number;
      finish_commit(s, commit_slot(s, COMMIT_RECORD_SLOT), s->keep, s->commit_count);
      s->last_commit_us = elapsed_us(s->commit_started);
      return STORE_OK;
    }
  }
  return STORE_OK;
}

int store_commit_poll(struct store *s, bool wait) {
  if (s->commit_step == COMMIT_NONE) return s->commit_result;
  int rc = advance_commit(s, wait);
  if (rc != STORE_IN_FLIGHT) s->commit_result = rc;
  return rc;
}

/* Another call needs the store as it is between commits: the one in flight is finished first. */
static void settle_commit(struct store *s) {
  if (s->commit_step != COMMIT_NONE) store_commit_poll(s, true);
}

int store_commit(struct store *s, const struct store_snapshot_stats *stats) {
  int rc = store_commit_start(s, stats);
  return rc == STORE_OK ? store_commit_poll(s, true) : rc;
}

/* ── format, listing, verification ── */

int store_format(struct store *s, uint32_t space_size, uint64_t wall_seconds) {
  if (!s->config.memory.alloc || s->mounted) return STORE_ESTATE;
  if (!space_size_supported(space_size)) return STORE_EINVAL;
  uint32_t map_blocks = map_blocks_for(space_size);
  uint32_t first_map = FIRST_DATA_BLOCK + 2;
  if (ph_disk_blocks() < first_map + map_blocks + 1) return STORE_ENOSPACE;
  uint8_t *b = take_memory(s, 2 * BLOCK_SIZE);
  if (!b) return STORE_ENOMEM;
  uint8_t *record = b + BLOCK_SIZE;
  s->block_count = ph_disk_blocks();
  s->space_size = space_size;
  s->space_pages = space_size / BLOCK_SIZE;
  int rc = STORE_OK;
  if (write_block(SB_BLOCK_A, b) != STORE_OK || write_block(SB_BLOCK_B, b) != STORE_OK) rc = STORE_EIO;
  for (uint32_t j = 0; j < map_blocks && rc == STORE_OK; j++) {
    memset(b, 0, BLOCK_SIZE);
    for (uint32_t i = 0; i < PME_PER_BLOCK && j * PME_PER_BLOCK + i < s->space_pages; i++)
      put32(b, i * PME_BYTES + PME_CRC, s->zero_page_crc);
    put32(record, GEN_MAP + j * GME_BYTES + GME_BLOCK, first_map + j);
    put32(record, GEN_MAP + j * GME_BYTES + GME_CRC, crc32c(b, BLOCK_SIZE));
    if (write_block(first_map + j, b) != STORE_OK) rc = STORE_EIO;
  }
  put32(record, GEN_MAGIC_F, GEN_MAGIC);
  put32(record, GEN_VERSION, FORMAT_VERSION);
  put32(record, GEN_NUMBER, 0);
  put32(record, GEN_PARENT, NO_GENERATION);
  put64(record, GEN_WALL_LO, GEN_WALL_HI, wall_seconds);
  put32(record, GEN_SPACE_SIZE, space_size);
  put32(record, GEN_MAP_BLOCKS, map_blocks);
  uint32_t record_crc = seal_block(record, GEN_CRC);
  if (rc == STORE_OK && write_block(FIRST_DATA_BLOCK + 1, record) != STORE_OK) rc = STORE_EIO;
  memset(b, 0, BLOCK_SIZE);
  put_entry(b, 0, &(struct store_generation){.number = 0, .parent = NO_GENERATION,
                                             .record_block = FIRST_DATA_BLOCK + 1, .record_crc = record_crc});
  uint32_t index_crc = seal_leaf(b, 1);
  if (rc == STORE_OK && (write_block(FIRST_DATA_BLOCK, b) != STORE_OK || ph_disk_flush() != PH_OK)) rc = STORE_EIO;
  build_superblock(s, b, 0, FIRST_DATA_BLOCK, index_crc, 0);
  if (rc == STORE_OK && (write_block(SB_BLOCK_A, b) != STORE_OK || ph_disk_flush() != PH_OK)) rc = STORE_EIO;
  give_back(s, (void **)&b, 2 * BLOCK_SIZE);
  s->generation_count = 0;
  return rc;
}

int store_read_page_at(struct store *s, struct store_page_reader *reader, uint32_t number, uint32_t page, void *buf) {
  if (!s->mounted) return STORE_ESTATE;
  if (page >= s->space_pages) return STORE_ERANGE;
  uint32_t i = index_of(s, number);
  if (i >= s->generation_count || s->generations[i].damage != STORE_DAMAGE_NONE) return STORE_ENOGEN;
  const struct store_generation *g = &s->generations[i];
  if (reader->record_block != g->record_block || reader->record_crc != g->record_crc) {
    reader->record_block = reader->map_block = 0;
    if (read_block(g->record_block, reader->record) != STORE_OK) return STORE_EIO;
    if (block_crc(reader->record, GEN_CRC) != g->record_crc) return STORE_EPAGE;
    reader->record_block = g->record_block;
    reader->record_crc = g->record_crc;
  }
  uint32_t j = page / PME_PER_BLOCK;
  uint32_t m = get32(reader->record, GEN_MAP + j * GME_BYTES + GME_BLOCK);
  uint32_t m_crc = get32(reader->record, GEN_MAP + j * GME_BYTES + GME_CRC);
  if (reader->map_block != m || reader->map_crc != m_crc) {
    reader->map_block = 0;
    if (!in_store(s, m)) return STORE_EPAGE;
    if (read_block(m, reader->map) != STORE_OK) return STORE_EIO;
    if (crc32c(reader->map, BLOCK_SIZE) != m_crc) return STORE_EPAGE;
    reader->map_block = m;
    reader->map_crc = m_crc;
  }
  uint32_t at = (page % PME_PER_BLOCK) * PME_BYTES;
  uint32_t b = get32(reader->map, at + PME_BLOCK);
  if (b == ZERO_BLOCK) return STORE_ZERO_PAGE;
  if (!in_store(s, b)) return STORE_EPAGE;
  if (read_block(b, buf) != STORE_OK) return STORE_EIO;
  return crc32c(buf, BLOCK_SIZE) == get32(reader->map, at + PME_CRC) ? STORE_OK : STORE_EPAGE;
}

struct store_superblock store_read_superblock(uint32_t slot, void *block) {
  struct superblock sb = {0};
  struct store_superblock out = {0};
  out.status = slot > 1 ? STORE_EINVAL : read_block(slot == 0 ? SB_BLOCK_A : SB_BLOCK_B, block);
  if (out.status == STORE_OK) out.status = decode_superblock(block, slot, &sb);
  out.sequence = sb.sequence;
  out.block_count = sb.block_count;
  out.space_size = sb.space_size;
  out.index_block = sb.index_block;
  out.index_crc = sb.index_crc;
  out.newest = sb.newest;
  return out;
}

uint32_t store_generation_count(const struct store *s) { return s->mounted ? s->generation_count : 0; }

const struct store_generation *store_generation_at(const struct store *s, uint32_t i) {
  return s->mounted && i < s->generation_count ? &s->generations[i] : 0;
}

uint32_t store_current_index(const struct store *s) { return s->current; }

uint32_t store_current_generation(const struct store *s) {
  return s->mounted ? s->generations[s->current].number : NO_GENERATION;
}

uint32_t store_newest_number(const struct store *s) { return s->mounted ? s->newest_number : NO_GENERATION; }

uint32_t store_free_blocks(const struct store *s) { return s->mounted ? s->free_blocks : 0; }

int store_verify_generation(struct store *s, uint32_t number, uint32_t *bad_page) {
  if (!s->mounted || s->pending) return STORE_ESTATE;
  uint32_t i = index_of(s, number);
  if (i >= s->generation_count) return STORE_ENOGEN;
  *bad_page = 0;
  uint8_t *record = scratch(s, SCRATCH_RECORD);
  uint8_t *map = scratch(s, SCRATCH_MAP);
  enum store_damage d = read_record(s, i, record);
  for (uint32_t j = 0; j < s->map_blocks && d == STORE_DAMAGE_NONE; j++) {
    uint32_t bad_block = 0;
    d = read_map_block(s, record, j, map);
    if (d == STORE_DAMAGE_NONE) d = check_pages(s, map, j, 0, &bad_block);
    if (d == STORE_DAMAGE_PAGE_CHECKSUM || d == STORE_DAMAGE_PAGE_UNREADABLE)
      for (uint32_t k = 0; k < PME_PER_BLOCK; k++)
        if (get32(map, k * PME_BYTES + PME_BLOCK) == bad_block) *bad_page = j * PME_PER_BLOCK + k;
  }
  switch (d) {
  case STORE_DAMAGE_NONE: return STORE_OK;
  case STORE_DAMAGE_PAGE_CHECKSUM: return STORE_EPAGE;
  case STORE_DAMAGE_RECORD_UNREADABLE:
  case STORE_DAMAGE_MAP_UNREADABLE:
  case STORE_DAMAGE_PAGE_UNREADABLE: return STORE_EIO;
  default: return STORE_ENOVALID;
  }
}

