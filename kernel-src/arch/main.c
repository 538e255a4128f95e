/*
 * main.c — the boot order, one init call a line. boot.S calls kmain with the multiboot magic
 * and information; kmain never returns.
 */
#include "arch.h"
#include "klib.h"
#include "platform.h"
#include "snapshot.h"
#include "vm.h"

void kmain(uint32_t magic, uint32_t multiboot_info);

void kmain(uint32_t magic, uint32_t multiboot_info) {
  static struct boot_info boot;
  serial_init();
  kprintf("Phantom kernel (i386, multiboot)\n");
  multiboot_read(magic, multiboot_info, &boot);
  cmdline_parse(boot.cmdline, &kernel_options);
  gdt_init();
  trap_init();
  pic_init();
  timer_init();
  rtc_init();
  pmm_init(&boot);
  paging_init(pmm_top());
  selftest_run(&kernel_options);
  if (!space_boot(&kernel_options)) { /* the store mounted, the space paged in, the VM started on it */
    kprintf("boot: cannot continue\nhalted\n");
    machine_halt(HALT_NO_SPACE);
  }
  snapshot_init(space_store(), &kernel_options);
  debug_channel_init();
  struct vm_limits forever = {0, -1};
  static void *damage[5];
  if (__builtin_setjmp(damage)) space_recover_from_damage(); /* a page failed its checksum at its first touch */
  space_catch_damage(damage);
  for (;;) {
    vm_run_for(&forever);
    kprintf("vm: every thread has ended\n");
    debug_channel_serve_until_runnable(); /* the debug channel's RUN starts threads again */
  }
}
