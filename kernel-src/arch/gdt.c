/*
 * gdt.c — the global descriptor table: flat 4 GiB code and data segments for ring 0, which is
 * all the kernel uses (the VM's threads are interpreted, not run in ring 3). Protection comes
 * from paging, not segments.
 *
 * Plus two task-state segments, only for the double fault: a kernel stack overflow faults on
 * the guard page and the CPU cannot push the page fault's frame, so the double-fault vector is
 * a task gate (trap.c) that switches to a task with a stack of its own. The running context is
 * saved into the boot TSS, where the panic report reads it.
 */
#include "arch.h"
#include "cpu.h"

#define DOUBLE_FAULT_STACK_BYTES 8192

struct tss {
  uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
  uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
  uint32_t es, cs, ss, ds, fs, gs, ldt, iomap;
} __attribute__((packed));

static uint64_t gdt[5];
static struct tss boot_tss, double_fault_tss;
static uint8_t double_fault_stack[DOUBLE_FAULT_STACK_BYTES] __attribute__((aligned(16)));

static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
  return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | ((uint64_t)access << 40) |
         ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)(flags & 0xF) << 52) |
         ((uint64_t)(base >> 24) << 56);
}

void gdt_init(void) {
  gdt[0] = 0;
  gdt[KERNEL_CS / 8] = segment(0, 0xFFFFF, 0x9A, 0xC); /* present, ring 0, code, readable; 4 KiB granules, 32-bit */
  gdt[KERNEL_DS / 8] = segment(0, 0xFFFFF, 0x92, 0xC); /* present, ring 0, data, writable */
  gdt[BOOT_TSS / 8] = segment((uint32_t)&boot_tss, sizeof boot_tss - 1, 0x89, 0); /* present, 32-bit TSS */
  gdt[DOUBLE_FAULT_TSS / 8] = segment((uint32_t)&double_fault_tss, sizeof double_fault_tss - 1, 0x89, 0);
  double_fault_tss = (struct tss){
      .eip = (uint32_t)panic_double_fault,
      .eflags = 0x2, /* interrupts off */
      .esp = (uint32_t)double_fault_stack + sizeof double_fault_stack,
      .cs = KERNEL_CS,
      .ss = KERNEL_DS,
      .ds = KERNEL_DS,
      .es = KERNEL_DS,
      .fs = KERNEL_DS,
      .gs = KERNEL_DS,
      .cr3 = read_cr3(),
      .iomap = sizeof(struct tss),
  };
  boot_tss.iomap = sizeof(struct tss);
  struct {
    uint16_t limit;
    uint32_t base;
  } __attribute__((packed)) descriptor = {sizeof gdt - 1, (uint32_t)gdt};
  __asm__ volatile("lgdt %0\n"
                   "ljmp %1, $1f\n"
                   "1:\n"
                   "mov %2, %%ax\n"
                   "mov %%ax, %%ds\n"
                   "mov %%ax, %%es\n"
                   "mov %%ax, %%fs\n"
                   "mov %%ax, %%gs\n"
                   "mov %%ax, %%ss\n"
                   :
                   : "m"(descriptor), "i"(KERNEL_CS), "i"(KERNEL_DS)
                   : "eax", "memory");
  __asm__ volatile("ltr %w0" : : "r"(BOOT_TSS));
}

void gdt_set_double_fault_cr3(uint32_t cr3) { double_fault_tss.cr3 = cr3; }

void gdt_interrupted_context(struct interrupted_context *out) {
  *out = (struct interrupted_context){boot_tss.eip,  boot_tss.esp,  boot_tss.ebp, boot_tss.eax,   boot_tss.ebx,
                                      boot_tss.ecx,  boot_tss.edx,  boot_tss.esi, boot_tss.edi,   boot_tss.eflags};
}
