/*
 * selftest.c — machine-level checks run at boot when the command line asks (debug=...), for
 * what cannot be tested in the hosted build because it is the machine itself. The boot tests
 * (tests/boot.test.mjs) use them; each prints "selftest NAME: ok" or "selftest NAME: FAIL ...".
 *
 *   panic-test  a deliberate page fault: checks the panic report (registers, CR2, trace)
 *   stack-test  unbounded recursion: the kernel stack overflows into its guard page, and the
 *               double-fault task reports it
 *   disk-test   ph_disk_* on the store disk: read, write back, flush, a range error
 *   pager-test  the pager over the raw disk (page i = block i): demand reads, zero pages,
 *               dirty tracking, freeze and copy-on-write
 *   evict-test  a space larger than the RAM (boot with little memory, every block patterned, a
 *               disk three times the space): clean pages are evicted and read again; then every page
 *               is written, so dirty pages and copies of frozen ones must be taken out to the
 *               second half of the disk and read back, and a freeze hands the writer every
 *               page's frozen bytes, from memory or from a held block
 *   accel-probe what a hypervisor must do for this kernel to run at all, and nothing more: by
 *               then the CPU has taken interrupts and returned from them (IRET) with paging on;
 *               it halts the CPU until more timer ticks come, prints "selftest accel-probe: ok"
 *               and halts. vm-manager boots it under KVM before trusting KVM (a software KVM
 *               seen on our build machines dies at the first IRET), so it needs no disk.
 * disk-test and pager-test take the disk over (pager-test owns the object space), so the boot
 * stops after them.
 */
#include "arch.h"
#include "cpu.h"
#include "crc32c.h"
#include "klib.h"
#include "platform.h"
#include "spec.h"

#define PANIC_TEST_ADDRESS 0xDEAD0000u
#define PAGER_TEST_SPACE (8u << 20) /* two 4 MiB regions */
#define EVICT_TEST_SPACE (8u << 20)
#define PATTERN_WORD(block) (0x50480000u + (block)) /* what the test harness puts at each block's start */
#define ACCEL_PROBE_WAIT_MS 3 /* a few timer ticks, each an interrupt and an IRET from a halted CPU */

static bool failed;

static void check(const char *test, bool ok, const char *what) {
  if (ok) return;
  kprintf("selftest %s: FAIL %s\n", test, what);
  failed = true;
}

__attribute__((noinline)) static void panic_test_fault(volatile uint32_t *where) { *where = 0x0BADC0DE; }

/* Each level keeps a buffer alive across the call, so the compiler can neither drop the frame nor turn the recursion into a loop. */
__attribute__((noinline)) static uint32_t stack_test_recurse(uint32_t depth) {
  volatile uint32_t frame[64];
  if (depth == UINT32_MAX) return 0; /* never reached: the stack is gone long before */
  frame[depth % 64] = depth;
  return stack_test_recurse(depth + 1) + frame[depth % 64];
}

static void disk_test(void) {
  static uint8_t buf[2 * BLOCK_SIZE] __attribute__((aligned(4096)));
  uint32_t blocks = ph_disk_blocks();
  check("disk-test", blocks >= 8, "a disk of at least 8 blocks");
  if (failed) return;
  check("disk-test", ph_disk_read(1, buf + 8, 1) == PH_OK, "an unaligned read");
  check("disk-test", ((uint32_t *)(buf + 8))[0] == PATTERN_WORD(1), "block 1 holds its pattern");
  check("disk-test", ph_disk_read(blocks - 2, buf, 2) == PH_OK, "read the last two blocks");
  for (uint32_t i = 0; i < 2 * BLOCK_SIZE; i++) buf[i] = (uint8_t)(i * 7 + 3);
  check("disk-test", ph_disk_write(blocks - 2, buf, 2) == PH_OK, "write the last two blocks");
  check("disk-test", ph_disk_flush() == PH_OK, "flush");
  memset(buf, 0, sizeof buf);
  check("disk-test", ph_disk_read(blocks - 2, buf, 2) == PH_OK, "read them back");
  bool same = true;
  for (uint32_t i = 0; i < 2 * BLOCK_SIZE; i++) same &= buf[i] == (uint8_t)(i * 7 + 3);
  check("disk-test", same, "what was written is read back");
  check("disk-test", ph_disk_read(blocks - 1, buf, 2) == PH_ERANGE, "a read past the end is PH_ERANGE");
  check("disk-test", ph_disk_write(blocks, buf, 1) == PH_ERANGE, "a write past the end is PH_ERANGE");
}

static int read_raw_block(uint32_t page, void *frame) {
  int r = ph_disk_read(page, frame, 1);
  if (r < 0) return r;
  const uint32_t *words = frame;
  for (uint32_t i = 0; i < BLOCK_SIZE / 4; i++)
    if (words[i]) return 0;
  return PAGER_ZERO_PAGE;
}

/*
 * The self-tests' held blocks: the disk's blocks from the test space's size on (page i is block
 * i), handed out from a stack of free ones.
 */
#define RAW_HELD_MAX 4096u
static uint32_t raw_free[RAW_HELD_MAX], raw_free_count, raw_next;

static const char *raw_stash(const void *frame, uint32_t *block, uint32_t *crc) {
  const uint32_t *words = frame;
  *block = 0;
  *crc = crc32c(frame, BLOCK_SIZE);
  bool zero = true;
  for (uint32_t i = 0; i < BLOCK_SIZE / 4 && zero; i++) zero = words[i] == 0;
  if (zero) return 0;
  if (raw_free_count) *block = raw_free[--raw_free_count];
  else if (raw_next < ph_disk_blocks()) *block = raw_next++;
  else return "the test disk is full";
  return ph_disk_write(*block, frame, 1) == PH_OK ? 0 : "a disk write failed";
}

static int raw_read_stash(uint32_t block, uint32_t crc, void *frame) {
  int r = ph_disk_read(block, frame, 1);
  if (r < 0) return r;
  return crc32c(frame, BLOCK_SIZE) == crc ? 0 : PH_EIO;
}

static void raw_release(uint32_t block) {
  if (block && raw_free_count < RAW_HELD_MAX) raw_free[raw_free_count++] = block;
}

static void raw_backing_init(uint32_t space_bytes, struct pager_backing *b) {
  raw_free_count = 0;
  raw_next = space_bytes / BLOCK_SIZE;
  *b = (struct pager_backing){read_raw_block, raw_stash, raw_read_stash, raw_release, 0, 0, 0, 0};
}

/** The frozen bytes of `page` in the current freeze, or 0 when it is not frozen (or not in memory). */
static const uint32_t *frozen_bytes_of(uint32_t page, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    struct pager_frozen f;
    pager_frozen_page(i, &f);
    if (f.page == page) return f.bytes;
  }
  return 0;
}

static void pager_test(void) {
  static const char *t = "pager-test";
  check(t, ph_disk_blocks() >= PAGER_TEST_SPACE / BLOCK_SIZE, "a disk as large as the test space");
  if (failed) return;
  struct pager_backing backing;
  raw_backing_init(PAGER_TEST_SPACE, &backing);
  pager_init(PAGER_TEST_SPACE, &backing);
  /* Pages 0, 2 and 1023 lie in the first 4 MiB region, page 1100 in the second. */
  volatile uint32_t *page0 = (volatile uint32_t *)SPACE_BASE;
  volatile uint32_t *page2 = (volatile uint32_t *)(SPACE_BASE + 2 * PAGE_BYTES);
  volatile uint32_t *zero = (volatile uint32_t *)(SPACE_BASE + 1023 * PAGE_BYTES);
  volatile uint32_t *far = (volatile uint32_t *)(SPACE_BASE + 1100 * PAGE_BYTES);
  struct pager_stats s;

  check(t, page0[0] == PATTERN_WORD(0), "page 0 is read from block 0");
  check(t, page2[0] == PATTERN_WORD(2), "page 2 is read from block 2");
  check(t, zero[100] == 0, "page 1023 reads as zero");
  pager_get_stats(&s);
  check(t, s.reads == 3 && s.resident == 2 && s.zero_mapped == 1 && s.dirty == 0, "2 resident, 1 zero, none dirty");

  page2[1] = 0x11111111;
  zero[1] = 0x22222222;
  page2[2] = 0x33333333; /* already dirty: no second fault */
  far[0] = 0x55555555;
  pager_get_stats(&s);
  check(t, s.dirty == 3 && s.write_faults == 3 && s.zero_mapped == 0 && s.resident == 4, "3 dirty after writes");
  check(t, zero[0] == 0 && zero[1] == 0x22222222, "a written zero page has its own zeroed frame");

  pager_prepare_freeze(); /* as an idle machine does before a freeze: no page changes */
  pager_get_stats(&s);
  check(t, s.dirty == 3 && s.resident == 4 && page2[1] == 0x11111111, "preparing a freeze leaves the 3 dirty pages");
  check(t, pager_freeze() == 3, "the freeze takes the 3 dirty pages");
  pager_get_stats(&s);
  check(t, s.region_faults == 0 && s.dirty == 0, "nothing written since the freeze");
  page0[3] = 7; /* a clean page of a frozen region: the region's protection is lifted */
  page2[1] = 0x44444444; /* a frozen page, converted with its region: copy on write */
  const uint32_t *frozen2 = frozen_bytes_of(2, 3);
  const uint32_t *frozen_far = frozen_bytes_of(1100, 3); /* its region is still protected */
  check(t, frozen2 != 0 && frozen_far != 0, "pages 2 and 1100 are on the frozen list");
  if (failed) return;
  check(t, frozen2[1] == 0x11111111 && page2[1] == 0x44444444, "a write after the freeze leaves the frozen copy");
  far[0] = 0x66666666; /* the second region: its protection is lifted, then the page copied */
  check(t, frozen_far[0] == 0x55555555 && far[0] == 0x66666666, "the other region keeps its frozen copy too");
  pager_get_stats(&s);
  check(t, s.copies == 2 && s.dirty == 3 && s.frozen == 3 && s.region_faults == 2,
        "two regions unprotected, two copies, three dirty, three frozen");
  pager_release_frozen();

  check(t, pager_freeze() == 3, "the next freeze takes only the pages written since");
  check(t, frozen_bytes_of(1100, 3) != 0, "the writer reads the frozen pages");
  pager_release_frozen(); /* no write since the freeze: the release lifts the protection */
  pager_get_stats(&s);
  check(t, s.region_faults == 0, "no region was written during that freeze");
  page0[3] = 5;
  far[1] = 9;
  pager_get_stats(&s);
  check(t, s.dirty == 2 && s.copies == 0 && s.region_faults == 0,
        "pages written after a release are dirty again, without a copy or a region fault");
}

/** Word `w` of the frozen page `f` (from memory or its held block; scratch holds a block's bytes). */
static uint32_t frozen_word(const struct pager_frozen *f, uint32_t w, uint32_t *scratch) {
  if (f->bytes) return ((const uint32_t *)f->bytes)[w];
  if (!f->block) return 0;
  return raw_read_stash(f->block, f->crc, scratch) == 0 ? scratch[w] : 0xFFFFFFFFu;
}

/** What a snapshot does with the frozen pages, over the raw disk: each one's bytes to its block. */
static bool write_frozen_pages_like_a_snapshot(uint32_t count, uint32_t *scratch) {
  bool ok = true;
  for (uint32_t i = 0; i < count; i++) {
    struct pager_frozen f;
    pager_frozen_page(i, &f);
    const void *bytes = f.bytes;
    if (!bytes) {
      if (f.block) ok &= raw_read_stash(f.block, f.crc, scratch) == 0;
      else memset(scratch, 0, BLOCK_SIZE);
      bytes = scratch;
    }
    ok &= ph_disk_write(f.page, bytes, 1) == PH_OK;
  }
  return ok;
}

static void evict_test(void) {
  static const char *t = "evict-test";
  static uint32_t scratch[BLOCK_SIZE / 4] __attribute__((aligned(4096)));
  uint32_t pages = EVICT_TEST_SPACE / PAGE_BYTES;
  check(t, ph_disk_blocks() >= 3 * pages, "a disk three times as large as the test space");
  check(t, pmm_free_count() < pages, "less free memory than the space (boot with -m 8M)");
  if (failed) return;
  struct pager_backing backing;
  raw_backing_init(EVICT_TEST_SPACE, &backing);
  pager_init(EVICT_TEST_SPACE, &backing);
  volatile uint32_t *space = (volatile uint32_t *)SPACE_BASE;
  space[1] = 0x7777; /* page 0 is dirty from now on */
  bool right = true;
  for (int round = 0; round < 2; round++)
    for (uint32_t p = 0; p < pages; p++) right &= space[p * PAGE_BYTES / 4] == PATTERN_WORD(p);
  check(t, right, "every page reads its block's pattern, evicted or not");
  check(t, space[1] == 0x7777, "the dirty page kept what was written");
  struct pager_stats s;
  pager_get_stats(&s);
  check(t, s.evictions > 0 && s.reads > pages && s.page_outs == 0, "clean pages were evicted and read again");
  if (failed) return;
  kprintf("selftest evict-test: %u evictions, %u reads\n", s.evictions, s.reads);

  /* Every page dirty: more than memory holds, so dirty pages go out to held blocks and come back. */
  for (uint32_t p = 0; p < pages; p++) space[p * PAGE_BYTES / 4 + 2] = p ^ 0xA5A5A5A5u;
  for (uint32_t p = 0; p < pages; p++)
    right &= space[p * PAGE_BYTES / 4] == PATTERN_WORD(p) && space[p * PAGE_BYTES / 4 + 2] == (p ^ 0xA5A5A5A5u);
  check(t, right, "every dirty page reads back what was written, taken out or not");
  pager_get_stats(&s);
  check(t, s.page_outs > 0 && s.page_out_reads > 0 && s.held > 0, "dirty pages were taken out and read back");

  /* A freeze of every page, then a write to each: the copies aside must go out too. */
  uint32_t frozen = pager_freeze();
  check(t, frozen == pages, "the freeze takes every page");
  for (uint32_t p = 0; p < pages; p++) space[p * PAGE_BYTES / 4 + 3] = 0xBEEF0000u + p;
  bool frozen_right = true;
  for (uint32_t i = 0; i < frozen; i++) {
    struct pager_frozen f;
    pager_frozen_page(i, &f);
    frozen_right &= frozen_word(&f, 0, scratch) == PATTERN_WORD(f.page) &&
                    frozen_word(&f, 2, scratch) == (f.page ^ 0xA5A5A5A5u) && frozen_word(&f, 3, scratch) == 0;
  }
  check(t, frozen_right, "the writer gets every page as it was at the freeze, in memory or not");
  pager_get_stats(&s);
  check(t, s.copies > 0 && s.page_outs > pages, "copies of frozen pages were taken out as well");
  check(t, write_frozen_pages_like_a_snapshot(frozen, scratch), "the frozen pages are on the disk");
  pager_release_frozen();
  for (uint32_t p = 0; p < pages; p++)
    right &= space[p * PAGE_BYTES / 4 + 2] == (p ^ 0xA5A5A5A5u) && space[p * PAGE_BYTES / 4 + 3] == 0xBEEF0000u + p;
  check(t, right, "after the release every page reads what was written last");
  pager_get_stats(&s);
  if (!failed)
    kprintf("selftest evict-test: %u pages written out, %u read back, %u copies, %u blocks still held\n", s.page_outs,
            s.page_out_reads, s.copies, s.held);
}

static void accel_probe(void) {
  check("accel-probe", (read_cr0() & CR0_PG) != 0, "paging is on");
  uint64_t start = ph_uptime_ms();
  while (ph_uptime_ms() < start + ACCEL_PROBE_WAIT_MS) ph_idle_until(start + ACCEL_PROBE_WAIT_MS);
}

void selftest_run(const struct kernel_options *options) {
  if (cmdline_debug(options, "accel-probe")) {
    accel_probe();
    if (!failed) kprintf("selftest accel-probe: ok\n");
    kprintf("halted\n");
    machine_halt(failed ? HALT_SELFTEST_FAILED : HALT_OK);
  }
  if (cmdline_debug(options, "panic-test")) {
    kprintf("selftest panic-test: writing to %08x\n", PANIC_TEST_ADDRESS);
    panic_test_fault((volatile uint32_t *)PANIC_TEST_ADDRESS);
  }
  if (cmdline_debug(options, "stack-test")) {
    kprintf("selftest stack-test: recursing until the stack overflows\n");
    stack_test_recurse(0);
  }
  bool disk = cmdline_debug(options, "disk-test"), pager = cmdline_debug(options, "pager-test");
  bool evict = cmdline_debug(options, "evict-test");
  if (!disk && !pager && !evict) return;
  if (!virtio_blk_init(0)) check("disk", false, "no virtio disk");
  if (disk && !failed) {
    disk_test();
    if (!failed) kprintf("selftest disk-test: ok\n");
  }
  if (pager && !failed) {
    pager_test();
    if (!failed) kprintf("selftest pager-test: ok\n");
  } else if (evict && !failed) { /* both own the object space: one per boot */
    evict_test();
    if (!failed) kprintf("selftest evict-test: ok\n");
  }
  kprintf("halted\n");
  machine_halt(failed ? HALT_SELFTEST_FAILED : HALT_OK);
}
