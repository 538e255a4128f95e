/*
 * snapshot_cycle_test.c — the snapshot cycle (core/snapshot_cycle.c) over the real store
 * (core/store.c) on the hosted fake disk, with a fake pager as its machine: a generation is
 * committed only once every frozen page is written, the write budget spreads the writing over
 * safe points, a commit still on its way when the next freeze is due goes on in the background
 * while the next generation is written (and stops the machine if it fails), a refused commit
 * keeps its freeze and is written whole at the next interval, a
 * store with no generation number left stops the machine, snapshot now finishes the generation
 * in progress before taking its own, a freeze of nothing makes no generation, and an idle
 * machine prepares a freeze only when it falls due soon after the idle's end: once, and again
 * at the last idle before it when a thread ran since.
 *
 * The fake pager is the machine part only: a space of pages in memory, the pages written since
 * the last freeze, and at a freeze a copy of each (as the real pager's copy on write keeps the
 * frozen bytes whatever the threads write next). A page it "took out of memory" is stashed in
 * the store (store_stash_page) and handed over as a held block, as arch/pager.c does. Its halt
 * jumps back into the test (longjmp). Time is the hosted virtual clock (ph_idle_until moves it);
 * the write budget is measured with the real TSC, so the budget test makes each page take 1 ms.
 *
 * Not here: the pager itself (arch/selftest.c at boot), the store's own guarantees (store_test.c),
 * the console lines as the boot tests see them (tests/boot.test.mjs).
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crc32c.h"
#include "disk.h"
#include "hosted.h"
#include "objspace.h"
#include "platform.h"
#include "snapshot_cycle.h"
#include "space_fixture.h"
#include "store.h"
#include "test.h"
#include "vm_fixture.h"

enum { PAGES = 256, SPACE = PAGES * BLOCK_SIZE, DISK_BLOCKS = 2048, INTERVAL_MS = 1000, PAUSE_US = 77, PREPARE_US = 33 };
enum { MACHINE_MS = 4321, WALL_SECONDS = 1700000000 };

/* ── the fake pager ── */

static struct {
  uint8_t memory[PAGES][BLOCK_SIZE]; /* the space as the threads see it */
  bool dirty[PAGES];                 /* written since the last freeze */
  bool paged_out[PAGES];             /* a frozen page to hand over as a held block */
  uint32_t frozen_count;
  struct {
    uint32_t page;
    uint8_t bytes[BLOCK_SIZE]; /* the page as it was at the freeze */
    uint32_t block, crc;       /* its held block when paged out */
    bool held;
  } frozen[PAGES];
  bool freeze_active;
  uint32_t freezes, prepares, releases, copies, pages_handed, committed_events, last_committed;
  uint32_t page_delay_us; /* how long handing over one frozen page takes (real time) */
  bool freeze_over_freeze; /* a freeze while the previous one was not released (the pager panics) */
  bool halted;
} fake;

static struct store store;
static jmp_buf halt_jump;

static void fill(uint8_t *out, uint32_t version, uint32_t page) {
  uint32_t x = version * 2654435761u ^ page * 40503u ^ 0x5bd1e995u;
  for (uint32_t i = 0; i < BLOCK_SIZE; i += 4) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    memcpy(out + i, &x, 4);
  }
}

/** A thread writes page `page` with contents `version` (a frozen page keeps its copy). */
static void write_page(uint32_t page, uint32_t version) {
  for (uint32_t i = 0; i < fake.frozen_count; i++)
    if (fake.frozen[i].page == page) fake.copies++;
  fill(fake.memory[page], version, page);
  fake.dirty[page] = true;
}

static uint32_t fake_freeze(uint32_t *pause_us) {
  if (fake.freeze_active) fake.freeze_over_freeze = true;
  fake.freezes++;
  fake.freeze_active = true;
  fake.copies = 0;
  fake.frozen_count = 0;
  for (uint32_t p = 0; p < PAGES; p++) {
    if (!fake.dirty[p]) continue;
    fake.dirty[p] = false;
    uint32_t i = fake.frozen_count++;
    fake.frozen[i].page = p;
    memcpy(fake.frozen[i].bytes, fake.memory[p], BLOCK_SIZE);
    fake.frozen[i].held = fake.paged_out[p];
    if (fake.paged_out[p] && store_stash_page(&store, fake.memory[p], &fake.frozen[i].block, &fake.frozen[i].crc))
      ph_panic("fake pager: cannot stash page %u", p);
  }
  *pause_us = PAUSE_US;
  return fake.frozen_count;
}

static uint32_t fake_prepare_freeze(void) {
  fake.prepares++;
  return PREPARE_US;
}

static void fake_frozen_page(uint32_t i, struct snapshot_frozen_page *out) {
  if (!fake.freeze_active || i >= fake.frozen_count) ph_panic("fake pager: frozen page %u of %u", i, fake.frozen_count);
  if (fake.page_delay_us) usleep(fake.page_delay_us);
  fake.pages_handed++;
  if (fake.frozen[i].held) *out = (struct snapshot_frozen_page){fake.frozen[i].page, 0, fake.frozen[i].block, fake.frozen[i].crc};
  else *out = (struct snapshot_frozen_page){fake.frozen[i].page, fake.frozen[i].bytes, 0, 0};
}

static void fake_release_frozen(void) {
  for (uint32_t i = 0; i < fake.frozen_count; i++)
    if (fake.frozen[i].held) store_release_stash(&store, fake.frozen[i].block);
  fake.releases++;
  fake.freeze_active = false;
  fake.frozen_count = 0;
}

static void fake_pager_stats(struct snapshot_pager_stats *out) { *out = (struct snapshot_pager_stats){fake.copies, 0, 0}; }

static void fake_halt(void) {
  fake.halted = true;
  longjmp(halt_jump, 1);
}

static void fake_committed(const struct store_generation *g) {
  fake.committed_events++;
  fake.last_committed = g->number;
}

static const struct snapshot_machine fake_machine = {fake_freeze,      fake_prepare_freeze, fake_frozen_page,
                                                     fake_release_frozen, fake_pager_stats, fake_halt,
                                                     fake_committed};

/* ── the store, the clock, the console ── */

static void *test_alloc(void *context, size_t bytes) { return malloc(bytes); }
static void test_release(void *context, void *memory, size_t bytes) { free(memory); }

static void store_on_fresh_disk(void) {
  disk_fake_create(DISK_BLOCKS);
  struct store_config c = {
      .memory = {test_alloc, test_release, 0},
      .retention = STORE_RETENTION_DEFAULTS,
      .page_check = STORE_CHECK_PAGES_ON_READ,
  };
  store_init(&store, &c);
  store_format(&store, SPACE, WALL_SECONDS);
  store_mount(&store, NO_GENERATION);
}

/** A mounted store on a fresh disk, the VM's space (for its machine time) and the virtual clock. */
static void setup(void) {
  memset(&fake, 0, sizeof fake);
  fixture_space(1 << 20);
  obj_slots(space_root())[ROOT_CLOCK] = int_to_word(MACHINE_MS);
  hosted_use_virtual_clock(1);
  store_on_fresh_disk();
}

static void next_interval(void) { ph_idle_until(ph_uptime_ms() + INTERVAL_MS); }

/** Steps until the cycle is idle again (at most `limit` steps); how many it took. */
static uint32_t steps_until_idle(uint32_t limit) {
  uint32_t steps = 0;
  do {
    snapshot_step();
    steps++;
  } while (snapshot_next_step_ms() == 0 && steps < limit);
  return steps;
}

/** Page `page` of generation `number` holds contents `version` (0: all zero). */
static bool generation_holds(uint32_t number, uint32_t page, uint32_t version) {
  static struct store_page_reader reader;
  uint8_t got[BLOCK_SIZE], want[BLOCK_SIZE];
  memset(&reader, 0, sizeof reader);
  int r = store_read_page_at(&store, &reader, number, page, got);
  if (!version) return r == STORE_ZERO_PAGE;
  fill(want, version, page);
  return r == STORE_OK && memcmp(got, want, BLOCK_SIZE) == 0;
}

static const struct store_generation *generation(uint32_t number) {
  for (uint32_t i = 0; i < store_generation_count(&store); i++)
    if (store_generation_at(&store, i)->number == number) return store_generation_at(&store, i);
  return 0;
}

/** The console (stdout) goes to a file from here on; console_text reads what was written. */
static FILE *console;
static void capture_console(void) {
  fflush(stdout);
  console = tmpfile();
  dup2(fileno(console), 1);
}
static const char *console_text(void) {
  static char text[4096];
  fflush(stdout);
  size_t n = (size_t)pread(fileno(console), text, sizeof text - 1, 0);
  text[n < sizeof text ? n : 0] = 0;
  return text;
}

/* ── the tests ── */

TEST(snapshot_commits_a_generation_only_when_every_frozen_page_is_written) {
  setup();
  snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  for (uint32_t p = 0; p < 12; p++) write_page(p * 20, 100 + p);
  fake.paged_out[40] = true; /* this one is in a held block at the freeze: the generation adopts it */
  fake.page_delay_us = 1100; /* so the budget ends a step after at most two pages */
  snapshot_step();           /* not due yet */
  CHECK_EQ(fake.freezes, 0);
  next_interval();
  uint32_t steps = 0;
  do {
    snapshot_step();
    steps++;
    if (fake.pages_handed < 12) { /* part of the generation written: nothing committed, the freeze held */
      CHECK_EQ(store_current_generation(&store), 0);
      CHECK_EQ(store_generation_count(&store), 1);
      CHECK_EQ(fake.committed_events, 0);
      CHECK_EQ(fake.releases, 0);
      CHECK_EQ(snapshot_next_step_ms(), 0);
      write_page(0, 900); /* a thread writes a frozen page meanwhile: the generation keeps the frozen bytes */
    }
  } while (fake.pages_handed < 12 && steps < 100);
  CHECK(steps > 1);
  CHECK_EQ(fake.pages_handed, 12);
  CHECK_EQ(store_current_generation(&store), 1);
  CHECK_EQ(fake.committed_events, 1);
  CHECK_EQ(fake.last_committed, 1);
  CHECK_EQ(fake.releases, 1);
  CHECK(!fake.freeze_active);
  CHECK_EQ(snapshot_totals().committed, 1);
  CHECK_EQ(snapshot_next_step_ms(), ph_uptime_ms() + INTERVAL_MS);
  for (uint32_t p = 0; p < 12; p++) CHECK(generation_holds(1, p * 20, 100 + p));
  CHECK(generation_holds(1, 1, 0));
  const struct store_generation *g = generation(1);
  CHECK(g);
  CHECK_EQ(g->parent, 0);
  CHECK_EQ(g->pages_written, 12); /* the adopted block counts as the page written */
  CHECK_EQ(g->pause_us, PAUSE_US);
  CHECK_EQ(g->uptime_ms, MACHINE_MS);
  CHECK(g->pages_cow > 0);
  /* and it is on the disk: a fresh mount finds it */
  store_unmount(&store);
  CHECK_EQ(store_mount(&store, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&store), 1);
  for (uint32_t p = 0; p < 12; p++) CHECK(generation_holds(1, p * 20, 100 + p));
}

TEST(snapshot_commit_goes_on_in_the_background_while_the_next_generation_is_written) {
  setup();
  capture_console();
  snapshot_cycle_start(&store, INTERVAL_MS, true, &fake_machine);
  for (uint32_t p = 0; p < 4; p++) write_page(p * 30, 200 + p);
  next_interval();
  disk_fake_busy(1000);
  for (int i = 0; i < 5; i++) snapshot_step();
  /* every page written and the commit started, but the disk has not finished it: not committed */
  CHECK_EQ(fake.pages_handed, 4);
  CHECK_EQ(fake.committed_events, 0);
  CHECK_EQ(snapshot_totals().committed, 0);
  CHECK_EQ(store_current_generation(&store), 0);
  CHECK_EQ(fake.releases, 0);
  CHECK(fake.freeze_active);
  CHECK_EQ(snapshot_next_step_ms(), 0);
  write_page(7, 300);
  write_page(0, 301); /* a page of generation 1, written again */
  next_interval(); /* the next freeze is due: the commit goes on, the next freeze is taken */
  snapshot_step();
  CHECK_EQ(fake.releases, 1);
  CHECK_EQ(fake.freezes, 2);
  CHECK(!fake.freeze_over_freeze);
  CHECK_EQ(fake.committed_events, 0);
  CHECK_EQ(store_current_generation(&store), 0);
  for (int i = 0; i < 5; i++) snapshot_step();
  /* generation 2's pages are written meanwhile; its commit waits for 1's */
  CHECK_EQ(fake.pages_handed, 6);
  CHECK_EQ(fake.committed_events, 0);
  CHECK_EQ(snapshot_next_step_ms(), 0);
  disk_fake_busy(0);
  steps_until_idle(100);
  CHECK_EQ(fake.committed_events, 2);
  CHECK_EQ(fake.last_committed, 2);
  CHECK_EQ(snapshot_totals().committed, 2);
  CHECK_EQ(generation(2)->parent, 1);
  for (uint32_t p = 0; p < 4; p++) CHECK(generation_holds(1, p * 30, 200 + p));
  CHECK(generation_holds(1, 7, 0));
  CHECK(generation_holds(2, 0, 301));
  CHECK(generation_holds(2, 7, 300));
  for (uint32_t p = 1; p < 4; p++) CHECK(generation_holds(2, p * 30, 200 + p));
  /* when the disk stays busy until the freeze after that, the commit in the background is waited for */
  write_page(8, 400);
  next_interval();
  disk_fake_busy(1000);
  snapshot_step();
  for (int i = 0; i < 5; i++) snapshot_step();
  write_page(9, 401);
  next_interval();
  snapshot_step(); /* generation 3 goes to the background, 4 is frozen and written */
  CHECK_EQ(fake.freezes, 4);
  CHECK_EQ(fake.committed_events, 2);
  write_page(10, 402);
  next_interval();
  snapshot_step(); /* 4 is queued behind 3, its freeze released; nothing is waited for */
  CHECK_EQ(fake.releases, 4);
  CHECK_EQ(fake.committed_events, 2);
  snapshot_step(); /* 5 is frozen; it cannot begin before 4's commit starts */
  CHECK_EQ(fake.freezes, 5);
  CHECK(!fake.freeze_over_freeze);
  CHECK_EQ(fake.committed_events, 2);
  CHECK_EQ(snapshot_next_step_ms(), 0);
  next_interval();
  snapshot_step(); /* 6 is due with 5 not begun: 3 is waited for, 4's commit starts, 5 is written */
  CHECK_EQ(fake.committed_events, 3);
  CHECK_EQ(fake.last_committed, 3);
  disk_fake_busy(0);
  steps_until_idle(100);
  CHECK_EQ(fake.committed_events, 5);
  CHECK(generation_holds(3, 8, 400));
  CHECK(generation_holds(4, 9, 401));
  CHECK(generation_holds(4, 10, 0));
  CHECK(generation_holds(5, 10, 402));
  CHECK_EQ(generation(5)->parent, 4);
  /* Each freeze line names the generation its pages became, though commit lines of earlier
   * generations came after it (3's after 4's and 5's freezes). */
  const char *text = console_text();
  const char *at = text;
  for (uint32_t n = 1; n <= 5; n++) {
    char froze[64], committed[64];
    snprintf(froze, sizeof froze, "pages of generation %u in ", n);
    snprintf(committed, sizeof committed, "snapshot: generation %u (parent %u)", n, n - 1);
    const char *f = strstr(text, froze), *c = strstr(text, committed);
    CHECK(f && c && f < c && f > at);
    at = f;
  }
  CHECK(strstr(text, "pages of generation 5 in ") < strstr(text, "snapshot: generation 3 (parent 2)") ||
        strstr(text, "pages of generation 4 in ") < strstr(text, "snapshot: generation 3 (parent 2)"));
  store_unmount(&store);
  CHECK_EQ(store_mount(&store, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&store), 5);
}

TEST(snapshot_commit_in_the_background_that_fails_stops_the_machine) {
  setup();
  capture_console();
  snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  for (uint32_t p = 0; p < 4; p++) write_page(p, 500 + p);
  next_interval();
  disk_fake_busy(1000);
  disk_fake_fail_write(1); /* the page run is write 0; its map block fails */
  for (int i = 0; i < 5; i++) snapshot_step();
  CHECK_EQ(fake.committed_events, 0);
  write_page(9, 509);
  next_interval();
  if (setjmp(halt_jump) == 0) {
    snapshot_step(); /* released for the next freeze: nothing can write it again if it fails */
    disk_fake_busy(0);
    steps_until_idle(100);
    CHECK(!"the machine ran on without persistence");
  }
  CHECK(fake.halted);
  CHECK_EQ(fake.committed_events, 0);
  CHECK(strstr(console_text(), "snapshot: the store cannot take another generation: "));
  CHECK(strstr(console_text(), "snapshot: stopping the machine rather than run without persistence\nhalted\n"));
  disk_fake_busy(0);
  store_unmount(&store);
  CHECK_EQ(store_mount(&store, NO_GENERATION), STORE_OK);
  CHECK_EQ(store_current_generation(&store), 0);
}

TEST(snapshot_write_budget_spreads_a_generation_over_safe_points) {
  setup();
  snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  for (uint32_t p = 0; p < 10; p++) write_page(p, 200 + p);
  fake.page_delay_us = 1100; /* every page takes over 1 ms: a 2 ms budget ends after one or two */
  next_interval();
  uint32_t steps = 0, handed_before = 0;
  do {
    snapshot_step();
    steps++;
    uint32_t this_step = fake.pages_handed - handed_before;
    handed_before = fake.pages_handed;
    CHECK(this_step >= 1); /* at least one page at every safe point, so a generation always ends */
    CHECK(this_step <= 2); /* and no more than the budget */
  } while (snapshot_next_step_ms() == 0 && steps < 100);
  CHECK(steps >= 5);
  CHECK(steps <= 10);
  CHECK_EQ(fake.pages_handed, 10);
  CHECK_EQ(store_current_generation(&store), 1);
  const struct store_generation *g = generation(1);
  CHECK(g);
  CHECK(g->write_us >= 10 * 1000); /* the write time adds up over the steps */
  for (uint32_t p = 0; p < 10; p++) CHECK(generation_holds(1, p, 200 + p));
}

TEST(snapshot_refused_commit_keeps_the_freeze_and_writes_it_whole_at_the_next_interval) {
  setup();
  capture_console();
  snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  for (uint32_t p = 0; p < 6; p++) write_page(10 + p, 300 + p);
  next_interval();
  disk_fake_fail_write(0); /* the generation's first write fails: the store refuses it */
  steps_until_idle(100);
  CHECK_EQ(snapshot_totals().failed, 1);
  CHECK_EQ(snapshot_totals().committed, 0);
  CHECK_EQ(store_current_generation(&store), 0);
  CHECK(!fake.halted);
  CHECK(fake.freeze_active); /* the frozen pages are kept */
  CHECK_EQ(fake.releases, 0);
  CHECK(strstr(console_text(), "snapshot: the store refused the generation (STORE_EIO); it is written again at the next interval\n"));
  /* not again before the interval */
  uint32_t handed = fake.pages_handed;
  snapshot_step();
  CHECK_EQ(fake.pages_handed, handed);
  CHECK(snapshot_next_step_ms() > ph_uptime_ms());
  /* meanwhile threads write one of the frozen pages again and a new one */
  write_page(10, 390);
  write_page(50, 350);
  next_interval();
  steps_until_idle(100);
  CHECK(!fake.freeze_over_freeze);
  CHECK_EQ(fake.freezes, 1); /* the retry wrote the old freeze, not a new one */
  CHECK_EQ(snapshot_totals().committed, 1);
  CHECK_EQ(store_current_generation(&store), 1);
  for (uint32_t p = 0; p < 6; p++) CHECK(generation_holds(1, 10 + p, 300 + p)); /* every frozen page, as frozen */
  CHECK(generation_holds(1, 50, 0));
  next_interval();
  steps_until_idle(100);
  CHECK_EQ(fake.freezes, 2);
  CHECK_EQ(store_current_generation(&store), 2);
  CHECK(generation_holds(2, 10, 390));
  CHECK(generation_holds(2, 50, 350));
  for (uint32_t p = 1; p < 6; p++) CHECK(generation_holds(2, 10 + p, 300 + p)); /* nothing lost since */
}

/** Makes the store's newest generation number `newest` (as if that many had been committed), then remounts. */
static void set_newest_number(uint32_t newest) {
  uint32_t slot = (uint32_t)(store.sequence % 2);
  uint8_t b[BLOCK_SIZE];
  memcpy(b, disk_fake_block(slot), BLOCK_SIZE);
  memcpy(b + SB_NEWEST_GEN, &newest, 4);
  memset(b + SB_CRC, 0, 4);
  uint32_t crc = crc32c(b, BLOCK_SIZE);
  memcpy(b + SB_CRC, &crc, 4);
  ph_disk_write(slot, b, 1);
  store_unmount(&store);
  store_mount(&store, NO_GENERATION);
}

TEST(snapshot_stops_the_machine_when_no_generation_number_is_left) {
  setup();
  capture_console();
  set_newest_number(NO_GENERATION - 2); /* one number left: 0xfffffffe */
  CHECK_EQ(store_check_commit(&store), STORE_OK);
  if (setjmp(halt_jump) == 0) snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  CHECK(!fake.halted);
  write_page(3, 400);
  next_interval();
  if (setjmp(halt_jump) == 0) steps_until_idle(100);
  CHECK(!fake.halted);
  CHECK_EQ(store_current_generation(&store), NO_GENERATION - 1);
  CHECK(generation_holds(NO_GENERATION - 1, 3, 400));
  write_page(4, 401);
  next_interval();
  if (setjmp(halt_jump) == 0) {
    steps_until_idle(100);
    CHECK(!"the machine ran on without persistence");
  }
  CHECK(fake.halted);
  CHECK_EQ(snapshot_totals().failed, 0); /* stopped, not counted as a refusal to retry */
  CHECK(strstr(console_text(), "snapshot: the store cannot take another generation: no generation number is left "
                               "(STORE_ENONUMBER)\nsnapshot: stopping the machine rather than run without persistence\n"
                               "halted\n"));
  /* and a machine booting on that store stops before any thread runs */
  fake.halted = false;
  if (setjmp(halt_jump) == 0) {
    snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
    CHECK(!"the machine started without persistence");
  }
  CHECK(fake.halted);
  /* unless snapshots are off */
  fake.halted = false;
  if (setjmp(halt_jump) == 0) snapshot_cycle_start(&store, 0, false, &fake_machine);
  CHECK(!fake.halted);
}

TEST(snapshot_now_finishes_the_generation_in_progress_then_takes_a_fresh_one) {
  setup();
  snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  for (uint32_t p = 0; p < 8; p++) write_page(p, 500 + p);
  fake.page_delay_us = 1100;
  next_interval();
  snapshot_step(); /* part of the generation is written */
  CHECK(fake.pages_handed < 8);
  CHECK_EQ(snapshot_next_step_ms(), 0);
  fake.page_delay_us = 0;
  write_page(0, 590); /* written after the freeze: belongs to the next generation */
  write_page(60, 560);
  ph_idle_until(ph_uptime_ms() + INTERVAL_MS / 2);
  uint32_t number = 0;
  CHECK_EQ(snapshot_now(&number), STORE_OK);
  CHECK_EQ(number, 2);
  CHECK_EQ(store_current_generation(&store), 2);
  CHECK_EQ(fake.freezes, 2);
  CHECK_EQ(fake.releases, 2);
  CHECK_EQ(fake.committed_events, 2);
  CHECK(!fake.freeze_over_freeze);
  CHECK_EQ(generation(2)->parent, 1);
  for (uint32_t p = 0; p < 8; p++) CHECK(generation_holds(1, p, 500 + p)); /* the one in progress, as frozen */
  CHECK(generation_holds(1, 60, 0));
  CHECK(generation_holds(2, 0, 590));
  CHECK(generation_holds(2, 60, 560));
  for (uint32_t p = 1; p < 8; p++) CHECK(generation_holds(2, p, 500 + p));
  CHECK_EQ(snapshot_next_step_ms(), ph_uptime_ms() + INTERVAL_MS); /* the interval counts from now */
  /* with nothing in progress it takes just one */
  write_page(61, 561);
  CHECK_EQ(snapshot_now(&number), STORE_OK);
  CHECK_EQ(number, 3);
  CHECK_EQ(fake.freezes, 3);
  CHECK(generation_holds(3, 61, 561));
}

TEST(snapshot_freeze_of_nothing_dirty_makes_no_generation) {
  setup();
  snapshot_cycle_start(&store, INTERVAL_MS, false, &fake_machine);
  uint32_t free_blocks = store_free_blocks(&store);
  next_interval();
  snapshot_step();
  CHECK_EQ(fake.freezes, 1);
  CHECK_EQ(fake.releases, 1); /* the empty freeze is released at once */
  CHECK(!fake.freeze_active);
  CHECK_EQ(store_generation_count(&store), 1);
  CHECK_EQ(store_current_generation(&store), 0);
  CHECK_EQ(store_free_blocks(&store), free_blocks);
  CHECK_EQ(fake.committed_events, 0);
  CHECK_EQ(snapshot_totals().committed, 0);
  CHECK_EQ(snapshot_next_step_ms(), ph_uptime_ms() + INTERVAL_MS);
  /* and the next change is the next generation, number 1 */
  write_page(7, 700);
  next_interval();
  steps_until_idle(100);
  CHECK_EQ(store_current_generation(&store), 1);
  CHECK(generation_holds(1, 7, 700));
}

TEST(snapshot_idle_machine_prepares_a_freeze_due_soon_after_and_again_after_a_run) {
  setup();
  capture_console();
  snapshot_cycle_start(&store, INTERVAL_MS, true, &fake_machine);
  for (uint32_t p = 0; p < 6; p++) write_page(p, 800 + p);
  uint64_t due = snapshot_next_step_ms();
  snapshot_before_idle(due - SNAPSHOT_PREPARE_AHEAD_MS - 1); /* the freeze is not due soon after this idle */
  CHECK_EQ(fake.prepares, 0);
  snapshot_before_idle(due - SNAPSHOT_PREPARE_AHEAD_MS);
  CHECK_EQ(fake.prepares, 1);
  snapshot_before_idle(due - 1); /* the next idle, nearer: that freeze is prepared already */
  CHECK_EQ(fake.prepares, 1);
  /* a thread runs, then the last idle before the freeze: what it used is prepared for too */
  fixture_thread(vm_fixture_static(fixture_class("Main", 0, 0, 0), "run", (const uint8_t[]){OP_RET_VOID}, 1, 0, 0, 0, 0), 0);
  enum vm_stop stop;
  vm_fixture_run(0, -1, &stop);
  CHECK_EQ(stop, VM_ALL_ENDED);
  snapshot_before_idle(due - 1); /* not the last idle yet */
  CHECK_EQ(fake.prepares, 1);
  snapshot_before_idle(due);
  CHECK_EQ(fake.prepares, 2);
  snapshot_before_idle(due); /* no thread ran since */
  CHECK_EQ(fake.prepares, 2);
  CHECK_EQ(fake.freezes, 0); /* preparing is not freezing: the pages are still dirty */
  ph_idle_until(due);
  fake.page_delay_us = 1100; /* the writing takes more than one step */
  snapshot_step();
  CHECK_EQ(fake.freezes, 1);
  CHECK_EQ(fake.frozen_count, 6);
  CHECK(strstr(console_text(), "snapshot: froze 6 pages of generation 1 in 77 us, prepared in 66 us while idle\n"));
  /* while the generation is written, no freeze can follow an idle: nothing is prepared */
  CHECK_EQ(snapshot_next_step_ms(), 0);
  snapshot_before_idle(ph_uptime_ms() + 2 * INTERVAL_MS);
  CHECK_EQ(fake.prepares, 2);
  fake.page_delay_us = 0;
  steps_until_idle(100);
  CHECK_EQ(store_current_generation(&store), 1);
  /* the next freeze, not prepared (every thread kept running), says nothing of a preparation */
  write_page(9, 909);
  next_interval();
  steps_until_idle(100);
  CHECK_EQ(fake.freezes, 2);
  CHECK(strstr(console_text(), "snapshot: froze 1 pages of generation 2 in 77 us\n"));
  /* snapshots off: never */
  snapshot_cycle_start(&store, 0, true, &fake_machine);
  snapshot_before_idle(UINT64_MAX);
  CHECK_EQ(fake.prepares, 2);
}
