/*
 * store.h — the store: the disk the object space is paged from and snapshotted to, in the format
 * of lang/docs/store-format.md (numbers from lang/spec/store.def through spec.h). This is the C
 * side of that format; kernel-src/docs/store.md explains how it is implemented.
 *
 *   mount      choose the superblock, read the index, verify the kept generations, pick the
 *              newest (or a requested) generation that verifies, falling back to older ones
 *   read       store_read_page: one page of the mounted generation, checked against its CRC
 *   commit     store_begin_generation, store_write_page for every changed page, store_commit:
 *              a new generation whose parent is the mounted (or last committed) one, written
 *              copy-on-write so that a crash at any moment leaves the last commit intact
 *   retention  applied at every commit (retention.c): drops generations from the index; their
 *              blocks become free for the next commit
 *   page-out   store_stash_page: a page the pager must take out of memory before it is part of
 *              a generation goes to a free block that the pager holds (no generation, committed
 *              or being written, uses it); store_read_stash reads it back, store_release_stash
 *              gives it back, and store_adopt_page makes it a page of the generation being
 *              written without writing it again. A committed generation is never written over,
 *              and after a power cut nothing refers to a held block: it is free again
 *   list       store_generation_count / store_generation_at, for the debug channel
 *
 * Not here: when to snapshot, dirty tracking and copy-on-write of memory (the pager and the
 * snapshot code), and the disk driver (platform.h's ph_disk_*).
 *
 * Concurrency: calls on one struct store must not overlap. The pager calls store_read_page and
 * the page-out functions from its page-fault handler, between two calls of the snapshot writer
 * (a generation may be pending): never inside one, because the store never touches the object
 * space, so no store call faults. Memory: the store allocates nothing itself; store_mount asks
 * the caller's allocator (struct store_memory) for its tables once it knows their sizes.
 */
#ifndef PHANTOM_STORE_H
#define PHANTOM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/**
 * Blocks of scratch memory the store allocates: three for metadata, the rest for runs of pages
 * read at mount (up to 64 blocks a disk request: per-request costs dominate under QEMU TCG).
 * Pages a generation writes go through STORE_RUN_BUFFERS run buffers of STORE_RUN_BLOCKS blocks
 * each (one disk request each, the most a virtio-blk request takes), used in turn: a full run's
 * write is started, and the writer fills the next buffer while the disk writes; it waits only
 * for a buffer whose write is still on its way (docs/store.md, "Writing a generation").
 */
enum { STORE_SCRATCH_BLOCKS = 3 + 64, STORE_RUN_BLOCKS = 32, STORE_RUN_BUFFERS = 4 };

/** Results. Every function returns STORE_OK (or a positive value it documents) or one of these. */
enum store_status {
  STORE_OK = 0,
  STORE_ZERO_PAGE = 1,      /* store_read_page: the page is all zero; the buffer was not touched */
  STORE_IN_FLIGHT = 2,      /* store_commit_poll: the commit's writes or flushes are still on their way */
  STORE_EIO = -1,           /* the disk failed a read, write or flush */
  STORE_ENOSTORE = -2,      /* no superblock with a valid index: not a store, or wrecked */
  STORE_EUNSUPPORTED = -3,  /* a valid store this build cannot use (sizes, or a disk smaller than it) */
  STORE_ENOGEN = -4,        /* the requested generation is not in the index */
  STORE_ENOVALID = -5,      /* no generation verifies */
  STORE_EPAGE = -6,         /* a page does not match its checksum */
  STORE_ENOSPACE = -7,      /* the disk is full: the generation being written was abandoned */
  STORE_ERANGE = -8,        /* a page number outside the object space */
  STORE_ESTATE = -9,        /* a call out of order (no store mounted, no generation begun, ...) */
  STORE_ENOMEM = -10,       /* the caller's allocator refused */
  STORE_EINVAL = -11,       /* a bad argument or configuration */
  STORE_ENONUMBER = -12,    /* no generation number is left for a new commit: the store cannot take one */
};

/** "STORE_EPAGE" and so on, for console lines. */
const char *store_status_name(int status);

/** Where the store's tables come from (sizes depend on the store: see docs/store.md). */
struct store_memory {
  /** `bytes` of memory (page-aligned is best: blocks are read into it), or 0 to refuse. */
  void *(*alloc)(void *context, size_t bytes);
  /** Gives it back at store_unmount; may be 0 (a kernel that mounts once never unmounts). */
  void (*release)(void *context, void *memory, size_t bytes);
  void *context;
};

/**
 * Which generations a commit keeps, by their age (wall clock) relative to the new generation:
 * every one younger than keep_all_seconds; then the newest of each minute up to
 * minutely_seconds, of each hour up to hourly_seconds, of each day up to daily_seconds; none
 * older. Always kept: the new generation, and, younger than daily_seconds, the tip of every
 * other branch (the generation a rollback left behind: see docs/store.md), the first generation
 * of every branch and the generation it was started from. If that is more than
 * max_generations (at most IX_MAX_GENERATIONS), the generations closest to their neighbours in time
 * go first. Damaged generations are always dropped. See docs/store.md.
 */
struct store_retention {
  uint32_t keep_all_seconds;
  uint32_t minutely_seconds;
  uint32_t hourly_seconds;
  uint32_t daily_seconds;
  uint32_t max_generations;
};
#define STORE_RETENTION_DEFAULTS {60, 3600, 86400, 30 * 86400, IX_MAX_ENTRIES}

/** When pages are checked against their CRCs. store_read_page always checks the page it reads. */
enum store_page_check {
  STORE_CHECK_PAGES_AT_MOUNT, /* mount reads every page of the chosen generation (falls back if one is bad) */
  STORE_CHECK_PAGES_ON_READ,  /* mount checks records and maps only: faster, a bad page shows up later */
};

struct store_config {
  struct store_memory memory;
  struct store_retention retention;
  enum store_page_check page_check;
};

/**
 * Who wants the pages a check at mount reads, so they need not be read again (the kernel hands
 * them to its pager). keep gets every page of the generation being checked that matched its CRC
 * (`bytes` is valid only during the call); forget is called when a mount starts, and when the
 * generation being checked fails and the mount goes on to an older one. So after a successful
 * mount, the pages kept since the last forget are pages of the mounted generation, byte for
 * byte. Zero pages are never kept.
 */
struct store_page_sink {
  void (*keep)(void *context, uint32_t page, const void *bytes);
  void (*forget)(void *context);
  void *context;
  /**
   * May be 0. Asked before a page is read: true when the sink already holds the bytes of block
   * `block` with CRC `crc` for `page` (a rollback in place keeps the frames of pages whose block
   * is unchanged) and has kept them as if `keep` had been called, so the check need not read the
   * block. Asked again for a page it said true for, it says true again.
   */
  bool (*have)(void *context, uint32_t page, uint32_t block, uint32_t crc);
};

/**
 * Who keeps copies of the blocks the store writes (the kernel keeps recent versions in memory, so
 * that a rollback in place finds a generation's pages there instead of reading them): `written`
 * gets every non-zero page store_write_page puts in a block, and each commit's map blocks and
 * record, with its CRC (a record's: its sealed CRC; `bytes` valid only during the call); `reused` is told of every block the store takes for new bytes of any kind
 * (pages, held pages, maps, records, index), before it writes them. Every write to a data block
 * goes through a take, so a copy kept from `written` and not yet named by `reused` is what a map
 * entry naming the block with the copy's CRC means: the block's bytes on the disk while a
 * generation uses it. (A generation abandoned before its writes leaves free blocks whose copies
 * never reached the disk; no map names them before the store takes them again.)
 */
struct store_block_watch {
  void (*written)(void *context, uint32_t block, uint32_t crc, const void *bytes);
  void (*reused)(void *context, uint32_t block);
  /**
   * May be 0. The copy of `block` the watch keeps with CRC `crc`, else 0: a switch reads the
   * generation's record and map blocks from there instead of the disk (checked all the same).
   */
  const void *(*copy)(void *context, uint32_t block, uint32_t crc);
  void *context;
};

/** Checks the contents of a generation the mount is about to choose (store_check_contents). */
struct store;
struct store_contents_check {
  /**
   * Called with the candidate mounted (store_current_generation names it, store_read_page reads
   * its pages); returns 0 when its object space is sound, else why not (a console line's worth,
   * valid until the next call). It must leave nothing behind that depends on the candidate when
   * it rejects it: the mount goes on to another generation.
   */
  const char *(*check)(void *context, struct store *s);
  void *context;
};

/** Why a generation is unusable (found at mount); it is dropped at the next commit. */
enum store_damage {
  STORE_DAMAGE_NONE,
  STORE_DAMAGE_RECORD_UNREADABLE,
  STORE_DAMAGE_RECORD_CHECKSUM, /* the record does not match its CRC or the index's */
  STORE_DAMAGE_RECORD_FIELDS,   /* the record verifies but disagrees with the index or superblock */
  STORE_DAMAGE_MAP_UNREADABLE,
  STORE_DAMAGE_MAP_CHECKSUM,
  STORE_DAMAGE_MAP_ENTRY,       /* a map entry names a block outside the store */
  STORE_DAMAGE_PAGE_UNREADABLE,
  STORE_DAMAGE_PAGE_CHECKSUM,
  STORE_DAMAGE_NUMBER_INVALID,  /* its index entry's number is NO_GENERATION */
  STORE_DAMAGE_NUMBER_REPEATED, /* another index entry has the same number */
  STORE_DAMAGE_PARENT,          /* its index entry's parent is not older than it */
  STORE_DAMAGE_RECORD_OUTSIDE,  /* its index entry names a record block outside the store */
  STORE_DAMAGE_CONTENTS,        /* every checksum verifies, but the object space is not sound */
};
const char *store_damage_text(enum store_damage damage);

/** One kept generation: its index entry, and what its record says. */
struct store_generation {
  uint32_t number;
  uint32_t parent;        /* NO_GENERATION for generation 0 */
  uint32_t record_block;
  uint32_t record_crc;
  uint64_t wall_seconds;  /* Unix time of the commit */
  uint64_t uptime_ms;     /* machine time at the snapshot */
  uint32_t pause_us, pages_cow, pages_written, bytes_written, write_us, commit_us;
  enum store_damage damage;
  uint32_t damage_block;  /* the block that failed, when damage says which kind */
};

/** What the caller measured for the generation it commits (the store adds what it writes). */
struct store_snapshot_stats {
  uint64_t wall_seconds; /* Unix time now (ph_wall_seconds); retention ages generations by it */
  uint64_t uptime_ms;    /* machine time at the snapshot */
  uint32_t pause_us;     /* stop-the-world pause */
  uint32_t pages_cow;    /* pages copied on write while the generation was written */
  uint32_t write_us;     /* time spent writing pages */
};

/* One page-map entry in memory (PME_BLOCK, PME_CRC). */
struct store_page_entry {
  uint32_t block;
  uint32_t crc;
};

/** One leaf of the current index (IRE_*), and where its entries sit in the generation table. */
struct store_index_leaf {
  uint32_t block, crc, count;
  uint32_t first; /* table position of its first entry (meaningful when leaves_match) */
};

/** All the store's state. The caller owns it (static storage is fine: it holds no pointers into itself). */
/** Map blocks a mount reads ahead at once (into the run buffers: 2 * STORE_RUN_BLOCKS blocks). */
enum { STORE_MAPS_AHEAD = 64 };

struct store {
  struct store_config config;
  bool mounted;
  bool broken;  /* a superblock write failed (or a commit's with the next generation begun): remount */
  bool pending; /* between store_begin_generation and store_commit */
  bool checking; /* the mount's contents check runs: no generation may be dropped (page-out takes only free blocks) */

  /* From the superblock in use. */
  uint64_t sequence;
  uint32_t block_count, space_size, space_pages, map_blocks;
  uint32_t index_block, index_crc; /* the block the superblock names: the index root, or its only leaf */
  uint32_t newest_number; /* highest generation number ever committed: the next one is one more */

  /* The kept generations, oldest (lowest number) first, and the one mounted or last committed. */
  uint32_t generation_count;
  uint32_t current;
  struct store_generation *generations; /* table_capacity entries, from config.memory */
  bool *keep;                           /* table_capacity: retention's answer, or the mount's "tried" */
  void *retention_work;                 /* retention_work_bytes(table_capacity) */
  uint32_t table_capacity;              /* the most kept generations plus one being committed */
  size_t table_bytes;

  /*
   * The current index's leaves in order. leaves_match: the table lists the leaves' entries in
   * their order (the index was sorted by number, as writers write it), so a leaf whose entries
   * all stay is written again by reference only (copy-on-write: see docs/store.md).
   */
  bool index_is_root; /* the superblock names an index root (false: its only leaf) */
  bool leaves_match;
  uint32_t leaf_count, next_leaf_count;
  struct store_index_leaf leaves[IR_MAX_LEAVES];
  struct store_index_leaf next_leaves[IR_MAX_LEAVES]; /* the index being written */

  /* Tables from config.memory (sizes in docs/store.md). */
  struct store_page_entry *map; /* the current generation's page map, map_blocks * PME_PER_BLOCK entries */
  uint16_t *refs;               /* per block: how many kept records or map blocks use it (saturates) */
  uint8_t *record;              /* a copy of the current generation's record block */
  uint8_t *scratch;             /* STORE_SCRATCH_BLOCKS blocks for reading and building blocks */
  size_t map_bytes, refs_bytes;
  /* Map blocks a mount read ahead into the run buffers (idle then), their block numbers; 0 of them between mounts. */
  uint32_t maps_ahead[STORE_MAPS_AHEAD];
  uint32_t maps_ahead_count;

  uint32_t free_blocks;  /* blocks >= 2 with refs 0 */
  uint32_t alloc_cursor; /* where the search for a free block resumes */
  uint32_t zero_page_crc;

  /* The generation being written. */
  bool range_dirty[GEN_MAX_MAP_BLOCKS]; /* map block i gets a new copy */
  uint32_t dirty_ranges;
  uint32_t pending_pages_written;
  uint32_t run_first, run_count; /* pages taken for consecutive blocks, not yet written (in runs) */
  uint8_t *runs;                 /* STORE_RUN_BUFFERS run buffers of STORE_RUN_BLOCKS blocks, used in turn */
  uint32_t run_buffer;           /* the one filling */
  bool run_started[STORE_RUN_BUFFERS]; /* its write was started and may be on its way */
  uint32_t run_mark[STORE_RUN_BUFFERS]; /* that write's ph_disk_mark */
  uint32_t last_run_mark;        /* the last run's */

  uint32_t last_commit_us; /* the last commit's whole time, superblock included (the record cannot hold it) */

  /*
   * The commit in flight (store_commit_start, store_commit_poll). Its blocks are in commit_blocks,
   * its own buffer, so that the next generation may be begun and written while it is on its way.
   */
  uint32_t commit_step; /* 0: none; else which of the commit's disk requests is on its way (store.c) */
  int commit_result;    /* what the last commit came to, for a poll after another call finished it */
  uint32_t commit_record_block, commit_index_block, commit_index_crc, commit_number, commit_count;
  uint64_t commit_started;
  uint8_t *commit_blocks;      /* STORE_RUN_BLOCKS blocks: map blocks, index blocks, record, superblock */
  uint32_t commit_slots_used;  /* slots of commit_blocks holding a map or index block on its way */
  uint32_t commit_mark;        /* ph_disk_mark of the commit's last request started */
  bool commit_background;      /* store_commit_start returned: the generation is no longer `pending` */
  bool commit_io_failed;       /* a started write failed while the commit was in flight (whose is unknown) */
  bool commit_range_dirty[GEN_MAX_MAP_BLOCKS]; /* range_dirty of the generation being committed */

  /* The first page read since the contents check began that failed its CRC or its read (what NONE: none). */
  struct {
    enum store_damage what;
    uint32_t block;
  } read_damage;

  /*
   * What pages read since the last store_mount cost (TSC cycles): waiting for their reads, their
   * CRCs; requests are the runs of consecutive blocks read, waits the times the reader waited for
   * the disk (several runs go in flight together: ph_disk_read_ranges).
   */
  struct {
    uint64_t read_cycles, crc_cycles;
    uint32_t pages_read, requests, waits;
  } mount_costs;

  struct store_page_sink checked_pages; /* store_keep_checked_pages; keep 0: nobody */
  struct store_contents_check contents; /* store_check_contents; check 0: none */
  struct store_block_watch watch;       /* store_watch_blocks; both 0: nobody */
};


/** Prepares `s` with a configuration (copied). STORE_EINVAL for a bad retention policy or no allocator. */
int store_init(struct store *s, const struct store_config *config);

/**
 * With STORE_CHECK_PAGES_AT_MOUNT, the next mounts hand the pages they check to `sink` (copied;
 * call after store_init, which forgets it).
 */
void store_keep_checked_pages(struct store *s, const struct store_page_sink *sink);

/**
 * The next mounts ask `check` (copied; call after store_init, which forgets it) about each
 * generation before choosing it, after its record, maps and (STORE_CHECK_PAGES_AT_MOUNT) pages
 * verified. A generation it rejects is damaged (STORE_DAMAGE_CONTENTS) and the mount falls back
 * from it as from a damaged page.
 */
void store_check_contents(struct store *s, const struct store_contents_check *check);

/** The store tells `watch` (copied; call after store_init, which forgets it) of the blocks it writes and takes. */
void store_watch_blocks(struct store *s, const struct store_block_watch *watch);

/**
 * Tells the watch's `written` of the mounted generation's record and map blocks, as if the store
 * had just written them (a map block as encoded from the map in memory, only when that has the CRC
 * the record names): so that a switch to it or to a generation sharing its map blocks need not
 * read them, though no commit since the mount wrote them. Once, after a mount.
 */
void store_offer_current_metadata(struct store *s);

/**
 * Mounts the store on the disk: want_gen is a generation number, or NO_GENERATION for the newest
 * that verifies. A generation that fails verification is reported on the console (one line:
 * which and why) and skipped: the mount falls back to its parent, then to older ones. Returns
 * STORE_OK (store_current_generation says which one was mounted), or STORE_ENOSTORE,
 * STORE_EUNSUPPORTED, STORE_ENOGEN (try NO_GENERATION), STORE_ENOVALID, STORE_EIO, STORE_ENOMEM.
 */
int store_mount(struct store *s, uint32_t want_gen);

/**
 * Makes kept generation `number` current on a mounted store without mounting it again (a rollback
 * in place): a generation being written is abandoned; only this generation's record and page
 * maps are read and checked again (and its pages, as the page check says), then the contents
 * check, falling back from a damaged one exactly as store_mount does. The other generations'
 * records, their damage and the reference counts are those the store has kept up to date since
 * it was mounted. STORE_OK, STORE_ENOGEN, STORE_ENOVALID (the store is then unmounted),
 * STORE_ESTATE when not mounted, STORE_EIO when broken.
 */
int store_switch(struct store *s, uint32_t number);

/** Gives the tables back (config.memory.release) and forgets the mount. */
void store_unmount(struct store *s);

/**
 * Writes an empty store over the whole disk: generation 0 with every page zero, for a space of
 * `space_size` bytes, stamped with the wall clock `wall_seconds`. For tests and tools; a real disk gets its generation 0 from `phc image`.
 * Leaves `s` unmounted.
 */
int store_format(struct store *s, uint32_t space_size, uint64_t wall_seconds);

/**
 * How the next mounts check pages (STORE_EINVAL for another value): a rollback in place mounts
 * lazily (STORE_CHECK_PAGES_ON_READ, its pages checked when first read), a boot and the fall-back
 * from a page found damaged that way mount with every page checked. docs/persistence.md, "The
 * mount rule".
 */
int store_set_page_check(struct store *s, enum store_page_check check);

/** Runs of consecutive blocks one store_read_pages call reads at once (its ranges are on the stack). */
enum { STORE_READ_RANGES_MAX = 64 };

/**
 * How many pages from `page` on (at most `max`) are not all zero in the current generation and
 * lie in at most STORE_READ_RANGES_MAX runs of consecutive blocks: what store_read_pages can read
 * in one call. 0 when `page` itself is all zero or outside the space.
 */
uint32_t store_page_run(const struct store *s, uint32_t page, uint32_t max);

/**
 * Reads `count` pages from `page` on, which store_page_run said are one run, into buf
 * (count * BLOCK_SIZE bytes; each run of consecutive blocks a request, all in flight together,
 * one wait: ph_disk_read_ranges) and checks each against its CRC. STORE_OK, or
 * STORE_EPAGE with *bad the first page that fails (buf then holds nothing to use), or STORE_EIO
 * (*bad = page), STORE_ERANGE. Counted in mount_costs like the mount's own reads.
 */
int store_read_pages(struct store *s, uint32_t page, uint32_t count, void *buf, uint32_t *bad);

/**
 * Reads page `page` of the current generation into buf (BLOCK_SIZE bytes). STORE_OK: buf holds
 * the page, checked against its CRC. STORE_ZERO_PAGE: the page is all zero and buf is untouched.
 * STORE_EPAGE or STORE_EIO: the page cannot be trusted or read. The caller must then not use the
 * page at all: the generation is damaged, and the way out is to reboot from an older one
 * (its parent: store_generation_at(s, store_current_index(s))->parent), which mount does by
 * itself when pages are checked at mount. STORE_ERANGE for a page outside the space.
 */
int store_read_page(struct store *s, uint32_t page, void *buf);

/**
 * Whether the store can take a new generation now: STORE_OK, STORE_ESTATE (not mounted),
 * STORE_EIO (broken: remount), or STORE_ENONUMBER (the highest number ever committed is
 * NO_GENERATION - 1, so no number is left; only a forged or exhausted store gets there).
 */
int store_check_commit(const struct store *s);

/** Starts a new generation on top of the current one (store_check_commit's errors). */
int store_begin_generation(struct store *s);

/**
 * Writes the new contents of page `page` (BLOCK_SIZE bytes) for the generation being written.
 * An all-zero page is recorded without writing a block. Writing a page twice keeps the last.
 * Pages bound for consecutive blocks are gathered and written as one request (up to 13 blocks),
 * so a disk error may surface at a later store_write_page or at store_commit. When the disk is
 * full it drops the oldest generations (never the current one) to make room, each with its own
 * small commit; STORE_ENOSPACE only when nothing else is left to drop.
 * On an error (STORE_ENOSPACE, STORE_EIO) the generation is abandoned: the store is back at
 * its current generation, and the caller may begin again later.
 */
int store_write_page(struct store *s, uint32_t page, const void *data);
/**
 * True when the next store_write_page would wait for the disk: its run buffer is full and the
 * other one's write is still on its way. A writer sharing the CPU runs something else meanwhile.
 */
bool store_write_would_wait(struct store *s);

/**
 * True when store_commit_start would wait for the disk now: the commit before is still in
 * flight, or the last run of pages started is still being written. A writer sharing the CPU runs
 * something else meanwhile.
 */
bool store_commit_would_wait(struct store *s);

/**
 * Commits the generation being written (see "Commit order" in store-format.md): map blocks,
 * record, index (after retention), flush, superblock, flush. On STORE_OK it is the current
 * generation. On an error it is abandoned as in store_write_page; after a failed superblock
 * write or final flush the store is `broken` (every call returns STORE_EIO) until mounted again,
 * because the disk may or may not hold the new superblock.
 */
int store_commit(struct store *s, const struct store_snapshot_stats *stats);

/**
 * store_commit in two halves, so that the programs run while the disk writes and flushes the
 * commit: store_commit_start starts the writes of the map blocks, record and index (from buffers
 * of the store's own) and returns STORE_OK, or fails as store_commit; store_commit_poll then moves
 * the commit on without waiting (the flush once those writes are done, the superblock once the
 * flush is, its own flush) and returns STORE_IN_FLIGHT until it is done, then what store_commit
 * would have returned. With `wait` it waits for the disk and never returns STORE_IN_FLIGHT.
 * The generation is committed only when the poll returns STORE_OK: its superblock is flushed.
 * While a commit is in flight the next generation may be begun and its pages written (to free
 * blocks, which neither the commit nor any committed generation uses); its own
 * store_commit_start waits for the commit before (superblocks go to the disk strictly in order),
 * and the store's other calls finish the commit first (store_stash_page, store_abandon_generation,
 * and store_write_page when it must drop generations to make room). A commit that fails while the
 * next generation is being written leaves the store broken (STORE_EIO until mounted again): the
 * next generation was built on it, and a disk error cannot be told apart between the two. A
 * started write that fails while a commit is in flight fails that commit, whichever it was.
 */
int store_commit_start(struct store *s, const struct store_snapshot_stats *stats);
int store_commit_poll(struct store *s, bool wait);

/** Abandons the generation being written (no-op when none is). */
void store_abandon_generation(struct store *s);

/**
 * Page-out. Writes `data` (BLOCK_SIZE bytes) to a free block that the caller then holds: no
 * commit, retention or drop reuses it until store_release_stash. Sets *block (0 for an all-zero
 * page, which needs no block and no release) and *crc. Makes room like store_write_page (drops
 * the oldest generations when the disk is full); STORE_ENOSPACE when nothing is left to drop,
 * STORE_EIO. A pending generation is not disturbed. During the mount's contents check it takes
 * only blocks already free: the mount may yet fall back to any kept generation, so none is dropped.
 */
int store_stash_page(struct store *s, const void *data, uint32_t *block, uint32_t *crc);

/** Reads a held block (from store_stash_page) into buf, checked against crc: STORE_OK, STORE_EPAGE, STORE_EIO. */
int store_read_stash(struct store *s, uint32_t block, uint32_t crc, void *buf);

/** Gives a held block back (block 0: nothing to do). It stays in use while a generation lists it. */
void store_release_stash(struct store *s, uint32_t block);

/**
 * Records page `page` of the generation being written as the contents of held block `block`
 * (with its crc; block 0: an all-zero page), instead of writing it again: store_write_page
 * without the write. The caller keeps its hold, and releases it once the generation is committed
 * (or keeps it to adopt the block again if the generation is abandoned).
 */
int store_adopt_page(struct store *s, uint32_t page, uint32_t block, uint32_t crc);

/** The kept generations, oldest first; i < store_generation_count(s). */
uint32_t store_generation_count(const struct store *s);
const struct store_generation *store_generation_at(const struct store *s, uint32_t i);

/** Index (for store_generation_at) and number of the mounted or last committed generation. */
uint32_t store_current_index(const struct store *s);
uint32_t store_current_generation(const struct store *s);
/** The highest generation number ever committed (a rollback does not lower it): the next commit is one more. */
uint32_t store_newest_number(const struct store *s);

/** Blocks a new generation could use now. */
uint32_t store_free_blocks(const struct store *s);

/**
 * Reads pages of any kept generation while the store runs on (the debug channel's "read an
 * object as of generation N"). The caller owns the reader (it caches one record and one map
 * block); zero it before first use. Not from inside another store call.
 */
struct store_page_reader {
  uint32_t record_block, record_crc, map_block, map_crc; /* what the caches hold (0: nothing) */
  uint8_t record[BLOCK_SIZE];
  uint8_t map[BLOCK_SIZE];
};

/**
 * Page `page` of kept generation `number` into buf: STORE_OK, STORE_ZERO_PAGE (buf untouched),
 * STORE_ENOGEN (not kept, or damaged), STORE_ERANGE, STORE_EPAGE (a block fails its checksum),
 * STORE_EIO.
 */
int store_read_page_at(struct store *s, struct store_page_reader *reader, uint32_t number, uint32_t page, void *buf);

/** What one superblock slot holds (for phstore info); status says whether it is usable. */
struct store_superblock {
  int status; /* STORE_OK, STORE_ENOSTORE (not a valid superblock), STORE_EUNSUPPORTED, STORE_EIO */
  uint64_t sequence;
  uint32_t block_count, space_size, index_block, index_crc, newest;
};

/** Reads (into `block`, BLOCK_SIZE bytes) and checks superblock slot 0 (SB_BLOCK_A) or 1 (SB_BLOCK_B); needs no mount. */
struct store_superblock store_read_superblock(uint32_t slot, void *block);

/**
 * Reads every page of kept generation number `number` and checks it (phstore verify). STORE_OK,
 * STORE_ENOGEN, or the first failure (STORE_EPAGE, STORE_EIO), with *bad_page set to that page.
 */
int store_verify_generation(struct store *s, uint32_t number, uint32_t *bad_page);

#endif
