/*
 * paging.c — the kernel's single address space (two-level i386 paging):
 *   0 .. 4 MiB          identity, 4 KiB pages; page 0 is unmapped (null pointers fault) and so
 *                       is the guard page under the boot stack (a stack overflow faults)
 *   4 MiB .. RAM top    identity, 4 MiB pages (below SPACE_BASE)
 *   SPACE_BASE ..       the object space, 4 KiB pages mapped one by one by the pager
 * CR0.WP is on, so read-only pages bind the kernel too: that is what makes copy-on-write
 * snapshots and dirty tracking work, since all code runs in ring 0.
 */
#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"

#define LARGE_PAGE_BYTES 0x400000u
#define CR4_PSE 0x00000010u
#define FRAME_MASK 0xFFFFF000u

static uint32_t page_directory[1024] __attribute__((aligned(4096)));
static uint32_t low_table[1024] __attribute__((aligned(4096)));
static uint32_t identity_limit;

void paging_init(uint32_t identity_top) {
  identity_top = (identity_top + LARGE_PAGE_BYTES - 1) & ~(LARGE_PAGE_BYTES - 1);
  if (identity_top < LARGE_PAGE_BYTES) identity_top = LARGE_PAGE_BYTES;
  identity_limit = identity_top;
  for (uint32_t i = 1; i < 1024; i++) low_table[i] = i * PAGE_BYTES | PTE_PRESENT | PTE_WRITABLE;
  low_table[(uint32_t)boot_stack_guard / PAGE_BYTES] = 0;
  page_directory[0] = (uint32_t)low_table | PTE_PRESENT | PTE_WRITABLE;
  for (uint32_t pde = 1; pde < identity_top / LARGE_PAGE_BYTES; pde++)
    page_directory[pde] = pde * LARGE_PAGE_BYTES | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE;
  write_cr4(read_cr4() | CR4_PSE);
  write_cr3((uint32_t)page_directory);
  write_cr0(read_cr0() | CR0_PG | CR0_WP);
  gdt_set_double_fault_cr3((uint32_t)page_directory);
  kprintf("paging: identity map 0..%08x, null page and stack guard unmapped\n", identity_top);
}

static uint32_t *pte_for(uint32_t va, bool create) {
  uint32_t *pde = &page_directory[va >> 22];
  if (!(*pde & PTE_PRESENT)) {
    if (!create) return 0;
    uint32_t table = pmm_alloc();
    if (!table) ph_panic("paging: out of memory for a page table (va %08x)", va);
    memset((void *)table, 0, PAGE_BYTES);
    *pde = table | PTE_PRESENT | PTE_WRITABLE;
  }
  if (*pde & PTE_LARGE) return 0;
  return &((uint32_t *)(*pde & FRAME_MASK))[(va >> 12) & 1023];
}

void paging_map(uint32_t va, uint32_t pa, uint32_t flags) {
  if (va < identity_limit) ph_panic("paging_map: %08x lies in the identity map", va);
  uint32_t *pte = pte_for(va, true);
  *pte = (pa & FRAME_MASK) | (flags & 0xFFF) | PTE_PRESENT;
  invlpg(va);
}

void paging_map_fresh(uint32_t va, uint32_t pa, uint32_t flags) {
  if (va < identity_limit) ph_panic("paging_map_fresh: %08x lies in the identity map", va);
  uint32_t *pte = pte_for(va, true);
  if (*pte & PTE_PRESENT) ph_panic("paging_map_fresh: %08x is mapped already", va);
  *pte = (pa & FRAME_MASK) | (flags & 0xFFF) | PTE_PRESENT;
}

void paging_unmap_unflushed(uint32_t va) {
  uint32_t *pte = pte_for(va, false);
  if (pte) *pte = 0;
}

void paging_reserve_tables(uint32_t va, uint32_t bytes) {
  for (uint64_t at = va; at < (uint64_t)va + bytes; at += 1024u * PAGE_BYTES) pte_for((uint32_t)at, true);
}

void paging_unmap(uint32_t va) {
  uint32_t *pte = pte_for(va, false);
  if (!pte) return;
  *pte = 0;
  invlpg(va);
}

void paging_set_flags(uint32_t va, uint32_t flags) {
  uint32_t *pte = pte_for(va, false);
  if (!pte || !(*pte & PTE_PRESENT)) ph_panic("paging_set_flags: %08x is not mapped", va);
  *pte = (*pte & FRAME_MASK) | (flags & 0xFFF) | PTE_PRESENT;
  invlpg(va);
}

void paging_table_writable_unflushed(uint32_t va, bool writable) {
  uint32_t *pde = &page_directory[va >> 22];
  if (!(*pde & PTE_PRESENT) || (*pde & PTE_LARGE) || va < identity_limit)
    ph_panic("paging_table_writable_unflushed: %08x has no page table of its own", va);
  *pde = writable ? *pde | PTE_WRITABLE : *pde & ~PTE_WRITABLE;
}

uint32_t *paging_table_of(uint32_t va) {
  uint32_t pde = page_directory[va >> 22];
  if (!(pde & PTE_PRESENT) || (pde & PTE_LARGE) || va < identity_limit)
    ph_panic("paging_table_of: %08x has no page table of its own", va);
  return (uint32_t *)(pde & FRAME_MASK);
}

uint32_t paging_virt_to_phys(uint32_t va) {
  uint32_t pde = page_directory[va >> 22];
  if (!(pde & PTE_PRESENT)) return 0;
  if (pde & PTE_LARGE) return (pde & ~(LARGE_PAGE_BYTES - 1)) | (va & (LARGE_PAGE_BYTES - 1));
  uint32_t pte = ((uint32_t *)(pde & FRAME_MASK))[(va >> 12) & 1023];
  if (!(pte & PTE_PRESENT)) return 0;
  return (pte & FRAME_MASK) | (va & (PAGE_BYTES - 1));
}

void paging_flush_all(void) { write_cr3(read_cr3()); }
