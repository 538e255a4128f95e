/*
 * arch.h — the interfaces between the kernel's machine-level subsystems (arch/), one section
 * per file, in boot order (as xv6's defs.h). The portable core never includes this: it sees
 * the machine only through platform.h.
 */
#ifndef PHANTOM_ARCH_H
#define PHANTOM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"

#define PAGE_BYTES 4096u
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define BOOT_TSS 0x18
#define DOUBLE_FAULT_TSS 0x20

/* Linker-script symbols (linker.ld). */
extern char __kernel_start[], __text_end[], __kernel_end[];
extern char boot_stack_guard[], boot_stack[], boot_stack_top[];

/* ── serial.c ── COM1 is the console, COM2 the debug channel (115200 8N1, polled) */
enum { COM1 = 0x3F8, COM2 = 0x2F8 };
void serial_init(void);
void serial_write(uint16_t port, const char *bytes, size_t n);
/** The next received byte, or -1 when none is waiting. */
int serial_read_byte(uint16_t port);
/** Whether a UART answers at the port (QEMU with -nodefaults has only the ports given by -serial). */
bool serial_present(uint16_t port);
/** Raise the port's IRQ when a byte arrives (COM2: IRQ 3). */
void serial_enable_rx_interrupt(uint16_t port);
/** Bytes the transmit FIFO takes once serial_tx_empty says it is empty. */
enum { UART_TX_FIFO_BYTES = 16 };
/** Whether the transmit FIFO is empty (a stuck or absent UART, or a host that does not read, keeps it full). */
bool serial_tx_empty(uint16_t port);
/** Puts a byte in the transmit FIFO without waiting: only after serial_tx_empty, at most UART_TX_FIFO_BYTES. */
void serial_put_byte(uint16_t port, uint8_t byte);

/* ── multiboot.c ── what the boot loader told us, copied before anything can overwrite it */
struct memory_range {
  uint64_t base;
  uint64_t length;
};
#define BOOT_MAX_RANGES 32
#define BOOT_CMDLINE_MAX 256
struct boot_info {
  char cmdline[BOOT_CMDLINE_MAX];
  struct memory_range usable[BOOT_MAX_RANGES]; /* RAM the loader says is free */
  uint32_t usable_count;
};
/** Reads the multiboot information; panics on a wrong magic (not booted by multiboot). */
void multiboot_read(uint32_t magic, uint32_t info_addr, struct boot_info *out);

/* ── gdt.c ── flat segments: 0x08 kernel code, 0x10 kernel data; TSSs for the double fault */
void gdt_init(void);
/** The address space the double-fault task runs in (paging_init calls it once paging is on). */
void gdt_set_double_fault_cr3(uint32_t cr3);
/** The registers of the context a double fault interrupted, as the task switch saved them. */
struct interrupted_context {
  uint32_t eip, esp, ebp, eax, ebx, ecx, edx, esi, edi, eflags;
};
void gdt_interrupted_context(struct interrupted_context *out);

/* ── trap.c ── the IDT, exceptions, IRQ dispatch */
struct trap_frame {
  uint32_t gs, fs, es, ds;
  uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
  uint32_t vector, error;
  uint32_t eip, cs, eflags; /* pushed by the CPU; no ESP/SS: everything runs in ring 0 */
};
typedef void (*irq_handler)(struct trap_frame *frame);
void trap_init(void);
/** Adds a handler for the line; every handler of a line runs on each of its interrupts. */
void trap_set_irq_handler(unsigned irq, irq_handler handler);
/** The name of CPU exception `vector` ("page fault", ...). */
const char *trap_name(uint32_t vector);

/* ── panic.c ── */
/** Reports an exception nobody handled (registers, fault address, stack trace) and stops. */
__attribute__((noreturn)) void panic_trap(const struct trap_frame *frame);
/** The double-fault task's entry (gdt.c): reports the interrupted context and stops. */
__attribute__((noreturn)) void panic_double_fault(void);
/** Prints the stack trace starting at a frame pointer. */
void panic_backtrace(uint32_t eip, uint32_t ebp);
/** The code symbol containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);
/** Why the machine stopped; QEMU with isa-debug-exit exits with (status << 1) | 1. */
enum halt_status {
  HALT_OK = 0,
  HALT_PANIC = 1,
  HALT_NO_SPACE = 2,
  HALT_SELFTEST_FAILED = 3,
  HALT_NO_PERSISTENCE = 4, /* snapshots are on but the store cannot take another generation */
};
/** Stops the machine for good: tells QEMU's isa-debug-exit device (if present) and halts. */
__attribute__((noreturn)) void machine_halt(enum halt_status status);

/* ── pic.c ── the two 8259s, remapped to vectors 32..47 */
#define IRQ_BASE 32
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
/** Whether IRQ 7 or 15 really is in service (the 8259 raises spurious ones there). */
bool pic_irq_real(unsigned irq);

/* ── timer.c ── PIT channel 0 at 1 kHz, TSC calibration */
#define TIMER_HZ 1000
void timer_init(void);
/** Makes a running or the next ph_idle_until return early (called from interrupt handlers). */
void timer_wake_idle(void);

/* ── rtc.c ── the CMOS clock, read once at boot */
void rtc_init(void);

/* ── pmm.c ── physical 4 KiB frames below SPACE_BASE (those are identity-mapped) */
void pmm_init(const struct boot_info *boot);
/** A free frame's physical address, or 0 when memory is exhausted. */
uint32_t pmm_alloc(void);
/** count physically contiguous frames (for device queues), or 0. */
uint32_t pmm_alloc_contiguous(uint32_t count);
void pmm_free(uint32_t frame);
/**
 * pmm_free without filling the frame with junk first (2.4 µs a frame under TCG): for frames freed
 * by the thousand whose bytes no one reads again, the dropped space's dirty pages.
 */
void pmm_free_unfilled(uint32_t frame);
uint32_t pmm_free_count(void);
uint32_t pmm_total_count(void);
/** One past the highest usable physical address the pmm manages. */
uint32_t pmm_top(void);

/* ── paging.c ── one address space: identity map of RAM, the object space mapped page by page */
#define PTE_PRESENT 0x001u
#define PTE_WRITABLE 0x002u
#define PTE_ACCESSED 0x020u
#define PTE_DIRTY 0x040u
#define PTE_LARGE 0x080u
void paging_init(uint32_t identity_top);
/** Maps one 4 KiB page (va outside the identity map); allocates its page table if needed. */
void paging_map(uint32_t va, uint32_t pa, uint32_t flags);
void paging_unmap(uint32_t va);
/**
 * paging_map of a page that is not mapped now (x86 caches no translation of a page that is not
 * present, so no invalidation is needed), and paging_unmap that leaves the invalidation to a
 * paging_flush_all the caller does before the space runs again. Under TCG each invalidation is a
 * helper that ends the translated block: a run of 256 pages mapped at a fault, or a space of
 * thousands dropped, spent milliseconds on them.
 */
void paging_map_fresh(uint32_t va, uint32_t pa, uint32_t flags);
void paging_unmap_unflushed(uint32_t va);
/** Makes the page tables of [va, va + bytes) now (empty), so that mapping there later needs no frame. */
void paging_reserve_tables(uint32_t va, uint32_t bytes);
/** Changes the flags of a mapped page, keeping its frame; flushes its TLB entry. */
void paging_set_flags(uint32_t va, uint32_t flags);
/** Physical address of a mapped virtual address, or 0 when unmapped. */
uint32_t paging_virt_to_phys(uint32_t va);
/**
 * Sets or clears the writable bit of the page-directory entry covering va (4 MiB, one page
 * table, which must exist and lie outside the identity map), without flushing: a cleared bit
 * write-protects all 1024 pages of the table at once, whatever their own entries say.
 */
void paging_table_writable_unflushed(uint32_t va, bool writable);
/** The page table (1024 entries) covering va, which must exist and lie outside the identity map. */
uint32_t *paging_table_of(uint32_t va);
/** Reloads CR3, flushing every TLB entry (after changing many pages at once). */
void paging_flush_all(void);

/* ── pci.c ── configuration space (mechanism 1) and a scan of every bus */
struct pci_device {
  uint8_t bus, slot, function;
  uint16_t vendor, device;
  uint8_t irq_line;
};
uint32_t pci_read32(const struct pci_device *dev, uint8_t offset);
void pci_write32(const struct pci_device *dev, uint8_t offset, uint32_t value);
/** Finds the index-th device with this vendor and one of the device ids; false when absent. */
bool pci_find(uint16_t vendor, const uint16_t *device_ids, unsigned id_count, unsigned index,
              struct pci_device *out);
/** Base address register n: an I/O port base (bit 0 set in the register) or a memory address. */
uint32_t pci_bar(const struct pci_device *dev, unsigned n, bool *is_io);
/**
 * Gives I/O BAR n, which the firmware left at 0, ports of its own (next free in 0xC000..0xFFFF,
 * aligned to its size); returns the base, or 0 when the BAR is not an I/O BAR or no room is left.
 */
uint32_t pci_assign_io_bar(const struct pci_device *dev, unsigned n);
/**
 * Turns on I/O decoding and bus mastering; memory decoding stays as the firmware left it: under
 * qboot a device's memory BARs are unassigned (0), and decoding them would lay them over RAM at 0.
 */
void pci_enable_io(const struct pci_device *dev);

/* ── virtio_blk.c ── the store disk (legacy virtio-blk over PCI I/O ports) */
/** Finds and starts the index-th virtio-blk disk; false (with a console line) when absent. */
bool virtio_blk_init(unsigned index);

/* ── virtio_console.c ── the debug channel's fast transport: a named port of a virtio-serial device */
/** Finds the device and opens its port named port_name; false (quietly when there is no device) otherwise. */
bool virtio_console_init(const char *port_name);
/** The bytes that arrived on the port, at most max; never waits. */
size_t virtio_console_read(uint8_t *buf, size_t max);
/** Takes what it can of n bytes to send now (0 while the host does not read); never waits. */
size_t virtio_console_write(const uint8_t *bytes, size_t n);

/* ── pager.c ── the object space: demand paging from the store, dirty tracking, copy-on-write, page-out */
#define PAGER_ZERO_PAGE 1
/**
 * Where pages live when they are not in memory (space.c gives the store's; the self-tests the raw
 * disk's): the committed generation, and blocks the pager holds for pages taken out of memory
 * before a generation has them (docs/persistence.md, "A space larger than memory").
 */
struct pager_backing {
  /** Page `page` of the current generation into frame: 0, PAGER_ZERO_PAGE (frame untouched), or a negative PH_E*. */
  int (*read)(uint32_t page, void *frame);
  /** Writes a page to a block the pager then holds (*block 0: all zero, nothing held); 0, or why it cannot. */
  const char *(*stash)(const void *frame, uint32_t *block, uint32_t *crc);
  /** Reads a held block back into frame, checked against crc: 0 or a negative PH_E*. */
  int (*read_stash)(uint32_t block, uint32_t crc, void *frame);
  /** Gives a held block back (0: nothing to give). */
  void (*release)(uint32_t block);
  /**
   * May be 0. How many pages from `page` on (at most max) read_run reads in one request; below
   * 2 the pager reads the page alone with read.
   */
  uint32_t (*run)(uint32_t page, uint32_t max);
  /** Pages page .. page+count-1 into the space's own addresses (mapped): 0, or negative with *bad the page that failed. */
  int (*read_run)(uint32_t page, uint32_t count, void *va, uint32_t *bad);
  /**
   * May be 0. Told that page `page` of the current generation cannot be read or fails its CRC
   * (the pager has dropped whatever it had started for it); when it returns, the pager stops the
   * machine. space.c leaves the fault from here instead (docs/persistence.md, "The mount rule").
   */
  void (*damaged)(uint32_t page, int error);
  /**
   * May be 0. Frees one frame the kernel keeps for its own ends and can do without (space.c's
   * earlier page versions); false when it keeps none. The pager asks before it evicts a page.
   */
  bool (*reclaim)(void);
};
void pager_init(uint32_t space_size, const struct pager_backing *backing);
/** Handles a page fault at addr if it is in the object space; false when it is not ours. */
bool pager_fault(uint32_t addr, uint32_t error_code);
/**
 * Forgets every page of the space (unmapped, frames freed, held blocks given back, nothing
 * dirty): the next access reads it from the store again. For the mount, after it rejected a generation it had paged in. Not
 * during a freeze.
 */
void pager_discard(void);
/**
 * Drops the whole space for a rollback in place: like pager_discard, and also a freeze whose
 * generation is not committed (its copies freed, its held blocks given back). Each clean page
 * (its bytes those of the store's current generation) is handed to keep_clean (0: freed), which
 * then owns its frame. The snapshot cycle must forget the freeze too (snapshot_cycle_drop).
 */
void pager_drop_space(void (*keep_clean)(uint32_t page, uint32_t frame));
/**
 * Maps `frame`, which holds the current generation's bytes of `page` (the mount checked them),
 * as the page, clean and read-only, and owns it from now on; false (the caller keeps the frame)
 * when the page is in memory or out already.
 */
bool pager_adopt(uint32_t page, uint32_t frame);
/** Whether `page` has been read (or adopted, or written) since the space was last dropped: not lazy any more. */
bool pager_page_present(uint32_t page);
struct pager_stats {
  uint32_t pages;          /* pages in the space */
  uint32_t resident;       /* pages with a frame of their own */
  uint32_t zero_mapped;    /* pages mapped to the shared zero frame */
  uint32_t dirty;          /* pages written since the last freeze */
  uint32_t frozen;         /* pages of the last freeze not yet released */
  uint32_t reads;          /* pages read from the store */
  uint32_t run_reads;      /* faults that read a run of pages in one request (pager.c, read_run) */
  uint32_t write_faults;   /* first writes to a clean page */
  uint32_t copies;         /* frozen pages copied aside on write since the last freeze */
  uint32_t evictions;      /* clean pages dropped to free their frames (read again when used) */
  uint32_t page_outs;      /* dirty or frozen bytes written to held blocks to free their frames */
  uint32_t page_out_reads; /* pages read back from held blocks */
  uint32_t held;           /* blocks the pager holds now */
  uint32_t region_faults;  /* regions unprotected by a write since the last freeze */
  uint32_t region_fault_cycles_max; /* the longest of those (TSC cycles) */
};
void pager_get_stats(struct pager_stats *out);
/**
 * Stop-the-world step of a snapshot: every dirty page becomes frozen (write-protected, clean),
 * in time proportional to the space's 4 MiB regions, not to the dirty pages. Returns how many. Frozen pages are read with pager_frozen_page() while the world runs on;
 * a write to one first copies it aside, so the frozen contents stay as they were.
 */
uint32_t pager_freeze(void);
/**
 * Does ahead of time what makes the next freeze's stop long the first time: its TLB flush. Under
 * TCG the first flush after a long run is the costly one (QEMU resizes its software TLB to the
 * run's use, and clears it from cold memory); the next flush, the freeze's, is short. For an idle
 * machine with the freeze due (snapshot_before_idle). Changes no page, entry or list.
 */
void pager_prepare_freeze(void);
/** A frozen page as the snapshot writer gets it: its bytes in memory, or the held block that has them. */
struct pager_frozen {
  uint32_t page;
  const void *bytes;   /**< the frozen bytes, or 0 when they are in `block` */
  uint32_t block, crc; /**< a held block (0: an all-zero page) and its crc, when bytes is 0 */
};
/** The i-th frozen page (0 <= i < pager_freeze's count). */
void pager_frozen_page(uint32_t i, struct pager_frozen *out);
/**
 * Ends a freeze once its generation is committed: frees the copies made aside, gives back the
 * held blocks whose bytes the generation now has, and forgets the frozen list.
 */
void pager_release_frozen(void);
/**
 * Sets, in `bitmap` (one bit per page, zeroed by the caller), every page that may differ from the
 * committed generation: dirty since the last freeze, or frozen for a generation not committed
 * yet. Every other page equals that generation. Returns how many bits it set.
 */
uint32_t pager_mark_uncommitted(uint8_t *bitmap);

/* ── space.c ── */
/**
 * Mounts the store named by store= at the newest generation (or gen=N) whose checksums verify and
 * whose object space is sound, pages the space in from it and starts the VM on it (vm_try_start
 * is the mount's contents check): the space's size, or 0 (with a console line) if it cannot.
 */
uint32_t space_boot(const struct kernel_options *options);

struct store;
/** The mounted store (for snapshots), or 0. */
struct store *space_store(void);
/** Generation number of the mounted store's current generation (0 without a store). */
uint32_t space_generation(void);
/**
 * Where a page fault that finds a page of the store damaged goes once programs run
 * (`jump`, a __builtin_setjmp buffer of kmain's): space_recover_from_damage is to run there.
 */
void space_catch_damage(void **jump);
/** Rolls back in place from a generation with a damaged page to the newest good one before it (docs/persistence.md). */
void space_recover_from_damage(void);
struct debug_hooks;
/** Fills the debug agent's store hooks (kept generations) when a store is mounted. */
void space_debug_hooks(struct debug_hooks *hooks);

/* ── debug_channel.c ── the debug agent on a virtio-serial port, or serial port 2 */
void debug_channel_init(void);
/**
 * After every thread ended: keep answering the debug channel (and taking snapshots), idle in
 * between, until a request (RUN) has started a thread; then return so the VM runs it.
 */
void debug_channel_serve_until_runnable(void);

/* ── selftest.c ── */
/** Runs the machine self-tests the debug= switches ask for; those that take the disk over halt after. */
void selftest_run(const struct kernel_options *options);

#endif
