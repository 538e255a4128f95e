/*
 * pmm.c — the physical memory manager: a bitmap of 4 KiB frames (1 = in use) over the RAM the
 * multiboot map calls usable, below SPACE_BASE so that every frame is reachable through the
 * identity map. The first MiB (BIOS, loader structures) and the kernel image are never handed
 * out. Allocation is next-fit over 32-frame words. Freed frames are filled with junk so that a
 * use after free shows up, except where thousands are freed at once (pmm_free_unfilled).
 */
#include "arch.h"
#include "klib.h"
#include "platform.h"
#include "spec.h"

#define MAX_FRAMES (SPACE_BASE / PAGE_BYTES)
#define FREED_FRAME_JUNK 0xDB

static uint32_t bitmap[MAX_FRAMES / 32];
static uint32_t frame_limit; /* frames [0, frame_limit) are covered by the bitmap */
static uint32_t next_word;
static uint32_t free_frames, total_frames;

static void mark_free(uint32_t frame) {
  if (bitmap[frame / 32] & (1u << (frame % 32))) {
    bitmap[frame / 32] &= ~(1u << (frame % 32));
    free_frames++;
  }
}

void pmm_init(const struct boot_info *boot) {
  memset(bitmap, 0xFF, sizeof bitmap);
  uint32_t first_free = ((uint32_t)__kernel_end + PAGE_BYTES - 1) / PAGE_BYTES;
  for (uint32_t i = 0; i < boot->usable_count; i++) {
    uint64_t start = (boot->usable[i].base + PAGE_BYTES - 1) / PAGE_BYTES;
    uint64_t end = (boot->usable[i].base + boot->usable[i].length) / PAGE_BYTES;
    if (end > MAX_FRAMES) end = MAX_FRAMES;
    if (start < first_free) start = first_free;
    for (uint64_t f = start; f < end; f++) mark_free((uint32_t)f);
    if (end > frame_limit) frame_limit = (uint32_t)end;
  }
  total_frames = free_frames;
  if (free_frames == 0) ph_panic("pmm: no usable memory above the kernel");
  kprintf("pmm: %u MiB free in %u frames (kernel %p..%p)\n", free_frames / 256, free_frames, __kernel_start,
          __kernel_end);
}

uint32_t pmm_alloc(void) {
  uint32_t words = (frame_limit + 31) / 32;
  for (uint32_t n = 0; n < words; n++) {
    uint32_t w = (next_word + n) % words;
    if (bitmap[w] == 0xFFFFFFFFu) continue;
    uint32_t bit = (uint32_t)__builtin_ctz(~bitmap[w]);
    bitmap[w] |= 1u << bit;
    free_frames--;
    next_word = w;
    return (w * 32 + bit) * PAGE_BYTES;
  }
  return 0;
}

static bool frame_free(uint32_t frame) { return !(bitmap[frame / 32] & (1u << (frame % 32))); }

uint32_t pmm_alloc_contiguous(uint32_t count) {
  uint32_t run = 0;
  for (uint32_t f = 0; f < frame_limit && count > 0; f++) {
    run = frame_free(f) ? run + 1 : 0;
    if (run == count) {
      uint32_t first = f + 1 - count;
      for (uint32_t g = first; g <= f; g++) bitmap[g / 32] |= 1u << (g % 32);
      free_frames -= count;
      return first * PAGE_BYTES;
    }
  }
  return 0;
}

static void check_freed(uint32_t addr) {
  uint32_t frame = addr / PAGE_BYTES;
  if (addr % PAGE_BYTES || frame >= frame_limit || frame_free(frame) || addr < (uint32_t)__kernel_end)
    ph_panic("pmm_free: bad frame %08x", addr);
}

void pmm_free_unfilled(uint32_t addr) {
  check_freed(addr);
  bitmap[addr / PAGE_BYTES / 32] &= ~(1u << (addr / PAGE_BYTES % 32));
  free_frames++;
}

void pmm_free(uint32_t addr) {
  check_freed(addr);
  memset((void *)addr, FREED_FRAME_JUNK, PAGE_BYTES);
  pmm_free_unfilled(addr);
}

uint32_t pmm_free_count(void) { return free_frames; }
uint32_t pmm_total_count(void) { return total_frames; }
uint32_t pmm_top(void) { return frame_limit * PAGE_BYTES; }
