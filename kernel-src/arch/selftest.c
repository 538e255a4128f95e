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
 *   evict-test  a space larger than the RAM (boot with little memory, every block patterned):
 *               clean pages are evicted and read again, dirty ones never
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

/** The frozen bytes of `page` in the current freeze, or 0 when it is not frozen. */
static const uint32_t *frozen_bytes_of(uint32_t page, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    uint32_t p;
    const uint32_t *bytes = pager_frozen_page(i, &p);
    if (p == page) return bytes;
  }
  return 0;
}

static void pager_test(void) {
  static const char *t = "pager-test";
  check(t, ph_disk_blocks() >= PAGER_TEST_SPACE / BLOCK_SIZE, "a disk as large as the test space");
  if (failed) return;
  pager_init(PAGER_TEST_SPACE, read_raw_block);
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

static void evict_test(void) {
  static const char *t = "evict-test";
  uint32_t pages = EVICT_TEST_SPACE / PAGE_BYTES;
  check(t, ph_disk_blocks() >= pages, "a disk as large as the test space");
  check(t, pmm_free_count() < pages, "less free memory than the space (boot with -m 8M)");
  if (failed) return;
  pager_init(EVICT_TEST_SPACE, read_raw_block);
  volatile uint32_t *space = (volatile uint32_t *)SPACE_BASE;
  space[1] = 0x7777; /* page 0 is dirty from now on */
  bool right = true;
  for (int round = 0; round < 2; round++)
    for (uint32_t p = 0; p < pages; p++) right &= space[p * PAGE_BYTES / 4] == PATTERN_WORD(p);
  check(t, right, "every page reads its block's pattern, evicted or not");
  check(t, space[1] == 0x7777, "the dirty page kept what was written");
  struct pager_stats s;
  pager_get_stats(&s);
  check(t, s.evictions > 0 && s.reads > pages, "pages were evicted and read again");
  if (!failed) kprintf("selftest evict-test: %u evictions, %u reads\n", s.evictions, s.reads);
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
