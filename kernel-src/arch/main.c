/*
 * main.c — the boot order, one init call a line. boot.S calls kmain with the multiboot magic
 * and information; kmain never returns.
 */
#include "arch.h"
#include "klib.h"
#include "platform.h"

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
  bool ready = space_boot(&kernel_options);
  kprintf(ready ? "space: ready; the VM is not in this kernel yet\n" : "boot: cannot continue\n");
  kprintf("halted\n");
  machine_halt(ready ? HALT_OK : HALT_NO_SPACE);
}
