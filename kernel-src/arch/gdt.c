/*
 * gdt.c — the global descriptor table: flat 4 GiB code and data segments for ring 0, which is
 * all the kernel uses (the VM's threads are interpreted, not run in ring 3). Protection comes
 * from paging, not segments.
 */
#include "arch.h"

static uint64_t gdt[3];

static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
  return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | ((uint64_t)access << 40) |
         ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)(flags & 0xF) << 52) |
         ((uint64_t)(base >> 24) << 56);
}

void gdt_init(void) {
  gdt[0] = 0;
  gdt[KERNEL_CS / 8] = segment(0, 0xFFFFF, 0x9A, 0xC); /* present, ring 0, code, readable; 4 KiB granules, 32-bit */
  gdt[KERNEL_DS / 8] = segment(0, 0xFFFFF, 0x92, 0xC); /* present, ring 0, data, writable */
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
}
