/*
 * phstore — looks inside a store file with the kernel's own store code (core/store.c), for
 * humans and tests.
 *
 *   phstore info <store>                      superblocks, geometry, every kept generation
 *                                             (number, parent, times, snapshot statistics,
 *                                             damage), free blocks, and the generation the
 *                                             kernel would boot: the mount checks pages and
 *                                             contents as the kernel's does
 *   phstore verify <store>                    checks every page of every kept generation
 *   phstore recommit <store>                  commits a new generation on top of the newest,
 *                                             rewriting every non-zero page with the same bytes
 *                                             (exercises the commit path on any store, e.g. one
 *                                             `phc image` wrote, for the format's other readers)
 *   phstore branch <store> --parent G <space dump>
 *                                             commits the object space in the dump (a raw dump,
 *                                             as `phrun --dump-space` writes it) as a new
 *                                             generation whose parent is G: a new branch, as the
 *                                             first commit after a rollback to G is. Only pages
 *                                             that differ from G are written. The dump is checked
 *                                             by vm_try_start and the free blocks counted first,
 *                                             so a space the kernel would refuse, or a disk too
 *                                             full to take it without dropping generations,
 *                                             changes nothing (exit 1, the reason on stdout)
 *   phstore format <store> --space BYTES [--blocks N]
 *                                             writes an empty store (generation 0, all zero);
 *                                             creates the file, or sizes it to N blocks
 *   phstore bench <scratch file> [--space BYTES] [--dirty N] [--generations N]
 *                                             times the store's own work on a file (commit of
 *                                             N random pages, mount with many generations kept,
 *                                             CRC-32C) and prints a Markdown table
 *
 * Exit status: 0 when the store mounts (info, format) or verifies (verify), 1 when it does not,
 * 2 for bad usage or a file that cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "disk.h"
#include "hosted.h"
#include "platform.h"
#include "store.h"
#include "vm.h"

static void *heap_alloc(void *context, size_t bytes) { return malloc(bytes); }
static void heap_release(void *context, void *memory, size_t bytes) { free(memory); }

static int usage(void) {
  fprintf(stderr,
          "usage: phstore info <store>\n"
          "       phstore verify <store>\n"
          "       phstore recommit <store>\n"
          "       phstore branch <store> --parent G <space dump>\n"
          "       phstore format <store> --space BYTES [--blocks N]\n"
          "       phstore bench <scratch file> [--space BYTES] [--dirty N] [--generations N]\n");
  return 2;
}

static int parse_size(const char *text, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (errno || end == text || text[0] == '-') return 0;
  unsigned long long unit = 1;
  if (*end == 'K' || *end == 'k') unit = 1ull << 10;
  if (*end == 'M' || *end == 'm') unit = 1ull << 20;
  if (*end == 'G' || *end == 'g') unit = 1ull << 30;
  if (unit != 1) end++;
  if (*end || n > ~0ull / unit) return 0;
  *out = n * unit;
  return 1;
}

/*
 * How a command mounts: as the kernel boots (pages and contents checked), with pages checked
 * but not contents (the bench's pages are random bytes), or records and maps only.
 */
enum mount_kind { AS_THE_KERNEL, PAGES_CHECKED, RECORDS_ONLY };

static int mount_at(struct store *s, const char *path, int writable, enum mount_kind kind, uint32_t want_gen) {
  if (disk_open_file(path, writable) != PH_OK) {
    fprintf(stderr, "phstore: cannot open %s: %s\n", path, strerror(errno));
    return 2;
  }
  struct store_config config = {{heap_alloc, heap_release, 0}, STORE_RETENTION_DEFAULTS,
                                kind == RECORDS_ONLY ? STORE_CHECK_PAGES_ON_READ : STORE_CHECK_PAGES_AT_MOUNT};
  int rc = store_init(s, &config);
  if (rc == STORE_OK && kind == AS_THE_KERNEL) hosted_check_store_contents(s);
  if (rc == STORE_OK) rc = store_mount(s, want_gen);
  if (rc == STORE_ENOGEN) {
    printf("%s: generation %u is not kept on the store\n", path, want_gen);
    return 1;
  }
  if (rc != STORE_OK) {
    printf("%s: cannot mount: %s\n", path, store_status_name(rc));
    return 1;
  }
  return 0;
}

static int mount(struct store *s, const char *path, int writable, enum mount_kind kind) {
  return mount_at(s, path, writable, kind, NO_GENERATION);
}

static void print_superblocks(void) {
  for (uint32_t slot = 0; slot < 2; slot++) {
    static uint8_t block[BLOCK_SIZE];
    struct store_superblock sb = store_read_superblock(slot, block);
    printf("superblock %c: ", slot == 0 ? 'A' : 'B');
    if (sb.status == STORE_ENOSTORE) printf("none (no valid superblock)\n");
    else if (sb.status == STORE_EIO) printf("unreadable\n");
    else
      printf("sequence %llu, index block %u, newest generation %u%s\n", (unsigned long long)sb.sequence,
             sb.index_block, sb.newest, sb.status == STORE_EUNSUPPORTED ? " (valid but unsupported here)" : "");
  }
}

static int info(const char *path) {
  static struct store s;
  if (disk_open_file(path, 0) != PH_OK) {
    fprintf(stderr, "phstore: cannot open %s: %s\n", path, strerror(errno));
    return 2;
  }
  print_superblocks();
  int rc = mount(&s, path, 0, AS_THE_KERNEL);
  if (rc) return rc;
  printf("store: %u blocks of %u bytes, object space %u bytes (%u pages), %u free blocks\n", s.block_count,
         BLOCK_SIZE, s.space_size, s.space_pages, store_free_blocks(&s));
  printf("generations: %u kept, mounted %u\n", store_generation_count(&s), store_current_generation(&s));
  if (s.index_is_root)
    printf("index: a root (block %u) and %u leaves\n", s.index_block, s.leaf_count);
  else
    printf("index: one leaf (block %u)\n", s.index_block);
  if (store_check_commit(&s) == STORE_ENONUMBER)
    printf("cannot take a new generation: no generation number is left after %u\n", s.newest_number);
  printf("%8s %8s %12s %12s %9s %8s %8s %10s %9s %9s  %s\n", "gen", "parent", "wall", "uptime_ms", "pause_us",
         "cow", "written", "bytes", "write_us", "commit_us", "state");
  for (uint32_t i = 0; i < store_generation_count(&s); i++) {
    const struct store_generation *g = store_generation_at(&s, i);
    char parent[16];
    if (g->parent == NO_GENERATION) snprintf(parent, sizeof parent, "-");
    else snprintf(parent, sizeof parent, "%u", g->parent);
    printf("%8u %8s %12llu %12llu %9u %8u %8u %10u %9u %9u  %s\n", g->number, parent,
           (unsigned long long)g->wall_seconds, (unsigned long long)g->uptime_ms, g->pause_us, g->pages_cow,
           g->pages_written, g->bytes_written, g->write_us, g->commit_us, store_damage_text(g->damage));
  }
  store_unmount(&s);
  return 0;
}

static int verify(const char *path) {
  static struct store s;
  int rc = mount(&s, path, 0, RECORDS_ONLY);
  if (rc) return rc;
  int bad = 0;
  for (uint32_t i = 0; i < store_generation_count(&s); i++) {
    const struct store_generation *g = store_generation_at(&s, i);
    uint32_t bad_page = 0;
    int status = g->damage == STORE_DAMAGE_NONE ? store_verify_generation(&s, g->number, &bad_page) : STORE_ENOVALID;
    if (status == STORE_OK) {
      printf("generation %u: ok\n", g->number);
    } else if (status == STORE_EPAGE || status == STORE_EIO) {
      printf("generation %u: page %u: %s\n", g->number, bad_page, store_status_name(status));
      bad = 1;
    } else {
      printf("generation %u: %s\n", g->number, store_damage_text(g->damage));
      bad = 1;
    }
  }
  store_unmount(&s);
  return bad;
}

static int recommit(const char *path) {
  static struct store s;
  int rc = mount(&s, path, 1, AS_THE_KERNEL);
  if (rc) return rc;
  static uint8_t page[BLOCK_SIZE];
  uint32_t rewritten = 0;
  rc = store_begin_generation(&s);
  for (uint32_t p = 0; p < s.space_pages && rc == STORE_OK; p++) {
    rc = store_read_page(&s, p, page);
    if (rc == STORE_ZERO_PAGE) {
      rc = STORE_OK;
      continue;
    }
    if (rc == STORE_OK) rc = store_write_page(&s, p, page);
    rewritten++;
  }
  struct store_snapshot_stats stats = {ph_wall_seconds(), 0, 0, 0, 0};
  if (rc == STORE_OK) rc = store_commit(&s, &stats);
  if (rc != STORE_OK) {
    printf("%s: cannot commit: %s\n", path, store_status_name(rc));
    return 1;
  }
  printf("generation %u committed (parent %u): %u pages rewritten\n", store_current_generation(&s),
         store_generation_at(&s, store_current_index(&s))->parent, rewritten);
  store_unmount(&s);
  return 0;
}

/*
 * Reads a raw space dump of exactly `size` bytes into new memory (NULL and a reason otherwise).
 */
static uint8_t *read_dump(const char *path, uint32_t size, const char **why) {
  static char message[160];
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    snprintf(message, sizeof message, "cannot open the space dump %s: %s", path, strerror(errno));
    *why = message;
    return 0;
  }
  off_t length = lseek(fd, 0, SEEK_END);
  if (length != (off_t)size) {
    snprintf(message, sizeof message, "the space dump is %lld bytes; the store's object space is %u",
             (long long)length, size);
    *why = message;
    close(fd);
    return 0;
  }
  uint8_t *bytes = malloc(size);
  size_t done = 0;
  while (bytes && done < size) {
    ssize_t n = pread(fd, bytes + done, size - done, (off_t)done);
    if (n <= 0) break;
    done += (size_t)n;
  }
  close(fd);
  if (!bytes || done != size) {
    snprintf(message, sizeof message, "cannot read the space dump %s", path);
    *why = message;
    free(bytes);
    return 0;
  }
  return bytes;
}

/*
 * Check, then commit: the dump must be a space vm_try_start accepts (checked in the space mapped
 * at SPACE_BASE, which the mount left holding G), and the disk must have the blocks for its
 * changed pages and the commit's metadata without dropping any generation (store_write_page would
 * drop the oldest to make room: on a full disk a snapshot's newest state wins, but a branch made
 * by hand must not cost history). Only then is anything written.
 */
static int branch(const char *path, int argc, char **argv) {
  static struct store s;
  unsigned long long parent = ~0ull;
  const char *dump = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--parent") && i + 1 < argc) {
      if (!parse_size(argv[++i], &parent) || parent >= NO_GENERATION) return usage();
    } else if (!dump && argv[i][0] != '-') {
      dump = argv[i];
    } else {
      return usage();
    }
  }
  if (parent == ~0ull || !dump) return usage();
  int rc = mount_at(&s, path, 1, AS_THE_KERNEL, (uint32_t)parent);
  if (rc) return rc;
  if (store_current_generation(&s) != parent) {
    printf("%s: generation %llu is not kept, or is damaged (the mount took %u)\n", path, parent,
           store_current_generation(&s));
    return 1;
  }
  const char *why = 0;
  uint8_t *space = read_dump(dump, s.space_size, &why);
  if (!space) {
    printf("%s: %s\n", path, why);
    return 1;
  }
  uint8_t *mapped = (uint8_t *)(uintptr_t)SPACE_BASE;
  static uint8_t old[BLOCK_SIZE];
  uint32_t changed = 0, new_blocks = 0, ranges = 0, last_range = ~0u;
  for (uint32_t p = 0; p < s.space_pages; p++) {
    if (!memcmp(mapped + (size_t)p * BLOCK_SIZE, space + (size_t)p * BLOCK_SIZE, BLOCK_SIZE)) continue;
    changed++;
    static const uint8_t zero[BLOCK_SIZE];
    if (memcmp(space + (size_t)p * BLOCK_SIZE, zero, BLOCK_SIZE)) new_blocks++;
    if (p / PME_PER_BLOCK != last_range) ranges++;
    last_range = p / PME_PER_BLOCK;
  }
  memcpy(mapped, space, s.space_size);
  why = vm_try_start(s.space_size);
  if (why) {
    printf("%s: the space dump is not a space the kernel would run: %s\n", path, why);
    free(space);
    return 1;
  }
  uint32_t needed = new_blocks + ranges + 2 + 1;
  if (store_free_blocks(&s) < needed) {
    printf("%s: the disk is full: the branch needs %u free blocks, the store has %u; nothing was written\n",
           path, needed, store_free_blocks(&s));
    free(space);
    return 1;
  }
  rc = store_begin_generation(&s);
  for (uint32_t p = 0; p < s.space_pages && rc == STORE_OK; p++) {
    int r = store_read_page(&s, p, old);
    if (r == STORE_ZERO_PAGE) memset(old, 0, BLOCK_SIZE);
    else if (r != STORE_OK) rc = r;
    if (rc == STORE_OK && memcmp(old, space + (size_t)p * BLOCK_SIZE, BLOCK_SIZE))
      rc = store_write_page(&s, p, space + (size_t)p * BLOCK_SIZE);
  }
  free(space);
  struct store_snapshot_stats stats = {ph_wall_seconds(), 0, 0, 0, 0};
  if (rc == STORE_OK) rc = store_commit(&s, &stats);
  if (rc != STORE_OK) {
    printf("%s: cannot commit: %s\n", path, store_status_name(rc));
    return 1;
  }
  printf("generation %u committed (parent %llu): %u pages written\n", store_current_generation(&s), parent, changed);
  store_unmount(&s);
  return 0;
}

/* Creates (or sizes) the file and writes an empty store on it. 0, 1 (cannot format) or 2. */
static int format_file(const char *path, unsigned long long space, unsigned long long blocks) {
  int fd = open(path, O_RDWR | O_CREAT, 0644);
  if (fd < 0 || (blocks && ftruncate(fd, (off_t)(blocks * BLOCK_SIZE)) != 0)) {
    fprintf(stderr, "phstore: cannot create %s: %s\n", path, strerror(errno));
    if (fd >= 0) close(fd);
    return 2;
  }
  close(fd);
  if (disk_open_file(path, 1) != PH_OK) {
    fprintf(stderr, "phstore: cannot open %s: %s\n", path, strerror(errno));
    return 2;
  }
  static struct store s;
  struct store_config config = {{heap_alloc, heap_release, 0}, STORE_RETENTION_DEFAULTS, STORE_CHECK_PAGES_AT_MOUNT};
  store_init(&s, &config);
  int rc = store_format(&s, (uint32_t)space, ph_wall_seconds());
  if (rc != STORE_OK) {
    printf("%s: cannot format: %s\n", path, store_status_name(rc));
    return 1;
  }
  disk_close();
  return 0;
}

static int format(const char *path, int argc, char **argv) {
  unsigned long long space = 0, blocks = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--space") && i + 1 < argc && parse_size(argv[i + 1], &space)) i++;
    else if (!strcmp(argv[i], "--blocks") && i + 1 < argc && parse_size(argv[i + 1], &blocks)) i++;
    else return usage();
  }
  if (space == 0 || space > 0xFFFFFFFFull || blocks > 0xFFFFFFFFull) return usage();
  int rc = format_file(path, space, blocks);
  return rc ? rc : info(path);
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t percentile(uint64_t *sorted, uint32_t n, uint32_t pct) { return sorted[(uint64_t)(n - 1) * pct / 100]; }

static uint64_t now_us(void) { return ph_tsc() / ph_tsc_per_us(); }

/* Times one mount of the file; prints its row. */
static void bench_mount(const char *path, enum mount_kind kind, const char *label, uint32_t generations) {
  static struct store s;
  uint64_t started = now_us();
  int rc = mount(&s, path, 0, kind);
  uint64_t took = now_us() - started;
  printf("| mount, %s, %u generations kept | %s | %.1f ms |\n", label, generations, rc ? "failed" : "1",
         took / 1000.0);
  if (!rc) store_unmount(&s);
}

static int bench(const char *path, int argc, char **argv) {
  unsigned long long space = 64ull << 20, dirty = 100, generations = 100;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--space") && i + 1 < argc && parse_size(argv[i + 1], &space)) i++;
    else if (!strcmp(argv[i], "--dirty") && i + 1 < argc && parse_size(argv[i + 1], &dirty)) i++;
    else if (!strcmp(argv[i], "--generations") && i + 1 < argc && parse_size(argv[i + 1], &generations)) i++;
    else return usage();
  }
  uint32_t pages = (uint32_t)(space / BLOCK_SIZE);
  if (space > 0xFFFFFFFFull || dirty == 0 || dirty > pages || generations == 0 || generations > 100000) return usage();
  int rc = format_file(path, space, 4ull * pages + 1024);
  if (rc) return rc;

  static struct store s;
  rc = mount(&s, path, 1, RECORDS_ONLY);
  if (rc) return rc;
  uint64_t *commit_us = calloc(generations, sizeof *commit_us);
  static uint8_t page[BLOCK_SIZE];
  uint32_t random = 12345;
  uint64_t pages_written = 0, total_us = 0;
  for (uint32_t g = 0; g < generations && rc == STORE_OK; g++) {
    uint64_t started = now_us();
    rc = store_begin_generation(&s);
    for (uint32_t i = 0; i < dirty && rc == STORE_OK; i++) {
      random ^= random << 13;
      random ^= random >> 17;
      random ^= random << 5;
      memset(page, (int)(random | 1), sizeof page);
      memcpy(page, &g, sizeof g);
      rc = store_write_page(&s, random % pages, page);
    }
    struct store_snapshot_stats stats = {ph_wall_seconds() + g, 0, 0, 0, 0};
    if (rc == STORE_OK) rc = store_commit(&s, &stats);
    commit_us[g] = now_us() - started;
    total_us += commit_us[g];
    pages_written += dirty;
  }
  uint32_t kept = store_generation_count(&s);
  store_unmount(&s);
  if (rc != STORE_OK) {
    printf("bench: commit failed: %s\n", store_status_name(rc));
    return 1;
  }
  qsort(commit_us, generations, sizeof *commit_us, compare_u64);
  printf("\n| what (space %llu MiB, %llu random pages per generation, %llu generations) | count | time |\n",
         space >> 20, dirty, generations);
  printf("| --- | ---: | ---: |\n");
  printf("| generation: begin, write pages, commit (p50) | %llu | %.2f ms |\n", generations,
         percentile(commit_us, (uint32_t)generations, 50) / 1000.0);
  printf("| generation (p99) | %llu | %.2f ms |\n", generations, percentile(commit_us, (uint32_t)generations, 99) / 1000.0);
  printf("| pages written per second, metadata and fsyncs included | %llu | %.0f /s |\n",
         (unsigned long long)pages_written, pages_written * 1e6 / (double)(total_us ? total_us : 1));
  bench_mount(path, RECORDS_ONLY, "pages checked on read", kept);
  bench_mount(path, PAGES_CHECKED, "pages checked at mount", kept);
  uint8_t *buffer = malloc(64u << 20);
  memset(buffer, 0x5A, 64u << 20); /* touched first: the time is the CRC's, not page faults' */
  uint64_t started = now_us();
  uint32_t crc = crc32c(buffer, 64u << 20);
  uint64_t took = now_us() - started;
  printf("| CRC-32C of 64 MiB (%08x) | 1 | %.1f ms (%.0f MB/s) |\n", crc, took / 1000.0,
         (64 << 20) / (double)(took ? took : 1));
  free(buffer);
  free(commit_us);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return usage();
  if (!strcmp(argv[1], "info") && argc == 3) return info(argv[2]);
  if (!strcmp(argv[1], "verify") && argc == 3) return verify(argv[2]);
  if (!strcmp(argv[1], "recommit") && argc == 3) return recommit(argv[2]);
  if (!strcmp(argv[1], "branch")) return branch(argv[2], argc - 3, argv + 3);
  if (!strcmp(argv[1], "format")) return format(argv[2], argc - 3, argv + 3);
  if (!strcmp(argv[1], "bench")) return bench(argv[2], argc - 3, argv + 3);
  return usage();
}
