/*
 * phrun — the hosted runner: loads an object space and runs it on the kernel's own VM (core/),
 * printing the machine's console on stdout. The differential tests compare its output byte for
 * byte with lang's reference interpreter (lang/dist/node/run-image.js) on the same store.
 *
 *   phrun [options] <store file>
 *     --gen N           mount generation N (default: the newest that verifies)
 *     --max-ms N        stop once machine time passes N ms
 *     --max-steps N     stop after N bytecodes (as the reference interpreter's --max-steps)
 *     --virtual-clock   machine time is counted, not measured: VIRTUAL_MS_STEPS bytecodes make a
 *                       millisecond and sleeps are instant (deterministic; the reference
 *                       interpreter's clock)
 *     --snapshot MS     commit a generation to the store every MS ms of machine time (at a safe
 *                       point, the pages that changed since the last commit) and once at the
 *                       end; with --gen N the first one starts a branch from N. Each commit is
 *                       reported on stderr. Real stores with many generations, for tests.
 *     --keep N          retention keeps every generation of the last 30 days, at most N of them
 *                       (2 .. IX_MAX_GENERATIONS; the kernel keeps at most IX_MAX_ENTRIES and
 *                       thins by age): stores with long histories however long the run takes,
 *                       for tests and benches of what reads them
 *     --dump-space F    write the object space as it is when the run stops to F (a raw space dump,
 *                       sparse above SH_TOP): the differential tests compare it with the
 *                       reference interpreter's
 *     --breakpoints C.M set a breakpoint at every instruction of method M of program class C
 *                       (repeatable) before the run, as the debugger would (core/debugger.c): for
 *                       the cost of breakpoints in code that never runs (tests/bench/debugger.mjs)
 *     --stats           print bytecodes, bytecodes/s, collector figures and the generation mounted
 *                       to stderr at the end
 *
 * The console is unbuffered, as the kernel's serial port is: what the machine printed is on
 * stdout even when phrun is killed.
 *
 * The file is a store (lang/docs/store-format.md), mounted with core/store.c as the kernel boots
 * it (every page and the contents checked, falling back from a damaged generation:
 * hosted/space_check.c), or, when no store is on it and it starts with SPACE_MAGIC, a raw dump of
 * an object space, checked by vm_try_start. A corrupt space is refused with its reason. Exit
 * status: 0 when the run ended (all threads ended or a limit), 1 when the file cannot be loaded or
 * a commit failed, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "debugger.h"
#include "disk.h"
#include "gc.h"
#include "hosted.h"
#include "interp.h"
#include "objspace.h"
#include "platform.h"
#include "store.h"
#include "vm.h"

static void *heap_alloc(void *context, size_t bytes) { return malloc(bytes); }
static void heap_release(void *context, void *memory, size_t bytes) { free(memory); }

static int usage(void) {
  fprintf(stderr, "usage: phrun [--gen N] [--max-ms N] [--max-steps N] [--virtual-clock] [--snapshot MS] [--keep N] [--breakpoints C.M] "
                  "[--dump-space FILE] [--stats] <store file>\n");
  return 2;
}

static int parse_number(const char *text, long long *out) {
  char *end;
  errno = 0;
  *out = strtoll(text, &end, 10);
  return !errno && end != text && !*end && *out >= 0;
}

/*
 * Map and fill the space from a raw dump, then check it. Only the bytes below its SH_TOP are
 * read: nothing above is part of the machine (allocation zero-fills), and skipping it keeps a
 * large, mostly empty space from costing a page fault per page (the VM fuzzer loads thousands).
 * 0, or a message.
 */
static const char *load_raw(FILE *f, long size, uint32_t *space_size) {
  if (size < SPACE_SIZE_MIN || size > SPACE_SIZE_MAX || size % PAGE_SIZE) return "a raw space dump must be 1 MiB .. 512 MiB in whole pages";
  if (hosted_space_map((uint32_t)size)) return "cannot map the object space at SPACE_BASE";
  rewind(f);
  uint8_t *space = (uint8_t *)(uintptr_t)SPACE_BASE;
  if (fread(space, 1, SPACE_HEADER_BYTES, f) != SPACE_HEADER_BYTES) return "cannot read the space dump";
  uint32_t top = *space_field(SH_TOP), used = top - SPACE_BASE;
  if (top < SPACE_FIRST_OBJECT || used > (uint32_t)size) used = (uint32_t)size; /* vm_try_start says what is wrong */
  if (fread(space + SPACE_HEADER_BYTES, 1, used - SPACE_HEADER_BYTES, f) != used - SPACE_HEADER_BYTES)
    return "cannot read the space dump";
  *space_size = (uint32_t)size;
  return vm_try_start((uint32_t)size);
}

static struct store store;
static uint32_t keep_generations; /* --keep; 0: the kernel's retention */

/**
 * Mount the store as the kernel boots it: the mapped space then holds the generation, checked.
 * STORE_OK, or the mount's refusal (STORE_ENOSTORE: no superblock with an index on the file).
 */
static int load_store(const char *path, uint32_t want_gen, int writable) {
  if (disk_open_file(path, writable)) return STORE_EIO;
  struct store_config config = {{heap_alloc, heap_release, 0}, STORE_RETENTION_DEFAULTS, STORE_CHECK_PAGES_AT_MOUNT};
  if (keep_generations) {
    config.retention.max_generations = keep_generations;
    config.retention.keep_all_seconds = config.retention.minutely_seconds = config.retention.hourly_seconds =
        config.retention.daily_seconds;
  }
  int rc = store_init(&store, &config);
  hosted_check_store_contents(&store);
  return rc == STORE_OK ? store_mount(&store, want_gen) : rc;
}

/* ── --snapshot: commits of the pages that changed, from a safe point ── */

static int32_t snapshot_every_ms = -1; /* < 0: no snapshots */
static int32_t last_snapshot_ms;
static uint8_t *committed;             /* the space as last committed, to find the pages that changed */
static int commit_failed;

/** Commits the pages that differ from the last commit (none: nothing). STORE_OK or the store's error. */
static int commit_changes(void) {
  int rc = store_begin_generation(&store);
  uint32_t written = 0;
  for (uint32_t page = 0; page < store.space_pages && rc == STORE_OK; page++) {
    const uint8_t *now = (const uint8_t *)(uintptr_t)(SPACE_BASE + page * PAGE_SIZE);
    uint8_t *then = committed + (size_t)page * PAGE_SIZE;
    if (!memcmp(now, then, PAGE_SIZE)) continue;
    rc = store_write_page(&store, page, now);
    memcpy(then, now, PAGE_SIZE);
    written++;
  }
  if (rc != STORE_OK) return rc;
  if (!written) {
    store_abandon_generation(&store);
    return STORE_OK;
  }
  struct vm_stats vm;
  vm_get_stats(&vm);
  struct store_snapshot_stats stats = {ph_wall_seconds(), (uint64_t)(uint32_t)vm.machine_ms, 0, 0, 0};
  rc = store_commit(&store, &stats);
  if (rc == STORE_OK) {
    space_new_epoch();
    const struct store_generation *g = store_generation_at(&store, store_current_index(&store));
    fprintf(stderr, "phrun: committed generation %u (parent %u), %u pages\n", g->number, g->parent, written);
  }
  return rc;
}

static void snapshot_at_safe_point(void) {
  struct vm_stats vm;
  vm_get_stats(&vm);
  if (commit_failed || vm.machine_ms - last_snapshot_ms < snapshot_every_ms) return;
  last_snapshot_ms = vm.machine_ms;
  int rc = commit_changes();
  if (rc != STORE_OK) {
    fprintf(stderr, "phrun: commit failed: %s\n", store_status_name(rc));
    commit_failed = 1;
  }
}

/** Write the space to path: SH_TOP bytes, then a hole up to SH_SIZE. 0, or a message. */
static const char *dump_space(const char *path, uint32_t space_size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return strerror(errno);
  const char *bytes = (const char *)(uintptr_t)SPACE_BASE;
  size_t used = space_top() - SPACE_BASE, done = 0;
  while (done < used) {
    ssize_t n = write(fd, bytes + done, used - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  const char *err = done < used || ftruncate(fd, space_size) ? strerror(errno) : 0;
  if (close(fd) && !err) err = strerror(errno);
  return err;
}

/** Breakpoints at every instruction of the method `class.method` (a program class); 0 or why not. */
static const char *set_breakpoints(const char *spec) {
  const char *dot = strrchr(spec, '.');
  if (!dot || dot == spec) return "--breakpoints wants CLASS.METHOD";
  word_t classes = obj_slots(space_root())[ROOT_PROGRAM_CLASSES];
  for (uint32_t c = 0; is_array(classes) && c < obj_slot_count(classes); c++) {
    word_t cls = obj_slots(classes)[c], name = is_class(cls) ? obj_slots(cls)[CLASS_NAME] : 0;
    if (!is_string(name) || obj_size(name) != (uint32_t)(dot - spec) || memcmp(obj_bytes(name), spec, obj_size(name))) continue;
    word_t methods = obj_slots(cls)[CLASS_METHODS];
    for (uint32_t i = 0; is_array(methods) && i < obj_slot_count(methods); i++) {
      word_t m = obj_slots(methods)[i], mname = obj_slots(m)[METHOD_NAME];
      if (!is_string(mname) || obj_size(mname) != strlen(dot + 1) || memcmp(obj_bytes(mname), dot + 1, obj_size(mname))) continue;
      uint32_t len = obj_size(obj_slots(m)[METHOD_CODE]);
      for (uint32_t pc = 0; pc < len; pc++) {
        if (!method_pc_is_instruction(m, pc)) continue;
        struct set_breakpoint_request r = {.method = obj_addr(m), .pc = pc};
        uint32_t id;
        const char *why;
        if (debugger_set_breakpoint(&r, &id, &why)) return why;
      }
      return 0;
    }
  }
  return "--breakpoints: no such method of a program class";
}

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  struct vm_limits limits = {0, -1};
  long long gen = -1, n;
  int stats = 0;
  const char *path = 0, *dump_path = 0, *breakpoints[8];
  int nbreakpoints = 0;
  setvbuf(stdout, 0, _IONBF, 0);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--virtual-clock")) hosted_use_virtual_clock(1);
    else if (!strcmp(argv[i], "--dump-space") && i + 1 < argc) dump_path = argv[++i];
    else if (!strcmp(argv[i], "--stats")) stats = 1;
    else if (!strcmp(argv[i], "--breakpoints") && i + 1 < argc && nbreakpoints < 8) breakpoints[nbreakpoints++] = argv[++i];
    else if (!strcmp(argv[i], "--gen") && i + 1 < argc && parse_number(argv[i + 1], &n) && n < NO_GENERATION) gen = n, i++;
    else if (!strcmp(argv[i], "--keep") && i + 1 < argc && parse_number(argv[i + 1], &n) && n >= 2 && n <= IX_MAX_GENERATIONS)
      keep_generations = (uint32_t)n, i++;
    else if (!strcmp(argv[i], "--max-ms") && i + 1 < argc && parse_number(argv[i + 1], &n)) limits.max_ms = n, i++;
    else if (!strcmp(argv[i], "--max-steps") && i + 1 < argc && parse_number(argv[i + 1], &n)) limits.max_instructions = (uint64_t)n, i++;
    else if (!strcmp(argv[i], "--snapshot") && i + 1 < argc && parse_number(argv[i + 1], &n) && n > 0 && n <= 1 << 30)
      snapshot_every_ms = (int32_t)n, i++;
    else if (argv[i][0] == '-' || path) return usage();
    else path = argv[i];
  }
  if (!path) return usage();
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "phrun: %s: %s\n", path, strerror(errno));
    return 1;
  }
  uint32_t magic = 0;
  size_t got = fread(&magic, 1, 4, f);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  /* A store first, as the kernel would read the disk; a file with no store on it that starts like
     a space is a raw dump (a store's block 0 is a superblock, never a space header). */
  static char message[160];
  int rc = load_store(path, gen < 0 ? NO_GENERATION : (uint32_t)gen, snapshot_every_ms >= 0);
  int raw = rc == STORE_ENOSTORE && got == 4 && magic == SPACE_MAGIC;
  const char *err = 0;
  uint32_t space_size = store.space_size;
  if (raw && snapshot_every_ms >= 0) {
    fclose(f);
    fprintf(stderr, "phrun: --snapshot needs a store, not a raw space dump\n");
    return 2;
  }
  if (raw && (err = load_raw(f, size, &space_size))) {
    snprintf(message, sizeof message, "cannot mount the store: %s; as a raw space dump: %s", store_status_name(rc), err);
    err = message;
  } else if (!raw && rc != STORE_OK) {
    snprintf(message, sizeof message, "cannot mount the store: %s", store_status_name(rc));
    err = message;
  }
  fclose(f);
  if (err) {
    fprintf(stderr, "phrun: %s: %s\n", path, err);
    return 1;
  }
  if (snapshot_every_ms >= 0) {
    committed = malloc(store.space_size);
    if (!committed) {
      fprintf(stderr, "phrun: out of memory\n");
      return 1;
    }
    memcpy(committed, (const void *)(uintptr_t)SPACE_BASE, store.space_size);
    struct vm_stats vm;
    vm_get_stats(&vm);
    last_snapshot_ms = vm.machine_ms;
    vm_set_safe_point_hook(snapshot_at_safe_point);
  }
  for (int i = 0; i < nbreakpoints; i++) {
    const char *why = set_breakpoints(breakpoints[i]);
    if (why) {
      fprintf(stderr, "phrun: %s: %s\n", breakpoints[i], why);
      return 2;
    }
  }
  double start = seconds_now();
  enum vm_stop stop = vm_run_for(&limits);
  double elapsed = seconds_now() - start;
  fflush(stdout);
  if (snapshot_every_ms >= 0 && !commit_failed) {
    int rc = commit_changes();
    if (rc != STORE_OK) {
      fprintf(stderr, "phrun: commit failed: %s\n", store_status_name(rc));
      commit_failed = 1;
    }
  }
  if (dump_path && (err = dump_space(dump_path, space_size))) {
    fprintf(stderr, "phrun: %s: %s\n", dump_path, err);
    return 1;
  }
  if (stats) {
    struct vm_stats vs;
    vm_get_stats(&vs);
    const struct gc_stats *gs = gc_get_stats();
    static const char *const reasons[] = {"all threads ended", "instruction limit", "time limit"};
    fprintf(stderr, "stop: %s\nbytecodes: %llu\nseconds: %.3f\nbytecodes_per_second: %.0f\nmachine_ms: %d\n", reasons[stop],
            (unsigned long long)vs.instructions, elapsed, elapsed > 0 ? (double)vs.instructions / elapsed : 0.0,
            (int)vs.machine_ms);
    fprintf(stderr, "gc_collections: %u\ngc_live_objects: %u\ngc_live_bytes: %u\ngc_max_pause_us: %llu\nspace_top: %u\n",
            gs->collections, gs->live_objects, gs->live_bytes, (unsigned long long)gs->max_pause_us,
            space_top() - SPACE_BASE);
    if (raw) fprintf(stderr, "generation: none (a raw space dump)\n");
    else fprintf(stderr, "generation: %u\n", store_current_generation(&store));
  }
  return commit_failed;
}
