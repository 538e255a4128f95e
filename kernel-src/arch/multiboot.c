/*
 * multiboot.c — reads the multiboot (v1) information the loader left in memory: the command
 * line and the memory map. Everything is copied into struct boot_info at once, because the
 * loader's structures lie in RAM that the frame allocator will hand out.
 */
#include "arch.h"
#include "klib.h"
#include "platform.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

enum { MBI_FLAG_MEMORY = 1u << 0, MBI_FLAG_CMDLINE = 1u << 2, MBI_FLAG_MMAP = 1u << 6 };
enum { MMAP_TYPE_AVAILABLE = 1 };

struct multiboot_info {
  uint32_t flags;
  uint32_t mem_lower, mem_upper; /* KiB below 1 MiB and above 1 MiB */
  uint32_t boot_device;
  uint32_t cmdline;
  uint32_t mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct multiboot_mmap_entry {
  uint32_t size; /* of the rest of the entry: the next one starts size + 4 bytes further */
  uint64_t base;
  uint64_t length;
  uint32_t type;
} __attribute__((packed));

static void add_range(struct boot_info *out, uint64_t base, uint64_t length) {
  if (length == 0) return;
  if (out->usable_count == BOOT_MAX_RANGES) {
    kprintf("multiboot: more than %d memory ranges; ignoring the rest\n", BOOT_MAX_RANGES);
    return;
  }
  out->usable[out->usable_count++] = (struct memory_range){base, length};
}

void multiboot_read(uint32_t magic, uint32_t info_addr, struct boot_info *out) {
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
    ph_panic("not booted by a multiboot loader (magic 0x%08x); boot with qemu -kernel or GRUB", magic);
  const struct multiboot_info *mbi = (const struct multiboot_info *)info_addr;
  memset(out, 0, sizeof *out);
  if (mbi->flags & MBI_FLAG_CMDLINE) {
    const char *cmdline = (const char *)mbi->cmdline;
    size_t n = 0;
    while (n + 1 < BOOT_CMDLINE_MAX && cmdline[n]) n++;
    memcpy(out->cmdline, cmdline, n);
    if (cmdline[n]) kprintf("multiboot: command line longer than %d bytes; truncated\n", BOOT_CMDLINE_MAX - 1);
  }
  if (mbi->flags & MBI_FLAG_MMAP) {
    uint32_t at = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
    while (at + sizeof(struct multiboot_mmap_entry) <= end) {
      const struct multiboot_mmap_entry *e = (const struct multiboot_mmap_entry *)at;
      if (e->type == MMAP_TYPE_AVAILABLE) add_range(out, e->base, e->length);
      at += e->size + 4;
    }
  } else if (mbi->flags & MBI_FLAG_MEMORY) {
    add_range(out, 0, (uint64_t)mbi->mem_lower * 1024);
    add_range(out, 0x100000, (uint64_t)mbi->mem_upper * 1024);
  }
  if (out->usable_count == 0) ph_panic("multiboot: the loader gave no memory map");
}
