/*
 * panic.c — the end of the line: a report on the console of what went wrong (the message or
 * the exception, its error code and fault address, every register, a stack trace walking the
 * frame pointers with symbol names from the .ksyms table), then the machine halts. A fault
 * inside the report itself prints one line and halts, so a broken stack cannot loop.
 */
#include <stdarg.h>

#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"

#define MAX_TRACE_FRAMES 32
#define MAX_WALKED_FRAMES 100000
#define ISA_DEBUG_EXIT_PORT 0xF4
/* QEMU's pvpanic ISA device (libvirt's <panic model='isa'/>): bit 0 written means "panicked". */
#define PVPANIC_PORT 0x505
#define PVPANIC_PANICKED 1

struct ksym {
  uint32_t addr;
  uint32_t name_offset;
};
extern const uint32_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];

static volatile int panicking;

__attribute__((noreturn)) void machine_halt(enum halt_status status) {
  cpu_cli();
  /* QEMU started with -device isa-debug-exit,iobase=0xf4 exits with (status << 1) | 1;
     without that device the write goes nowhere and we halt. */
  outb(ISA_DEBUG_EXIT_PORT, (uint8_t)status);
  /* A machine run by vm-manager has no isa-debug-exit but a pvpanic device: a halt for any reason
     but success tells the hypervisor the guest is dead, so the studio says "crashed" at once
     instead of showing a halted CPU as running. Without the device the write goes nowhere. */
  if (status != HALT_OK) outb(PVPANIC_PORT, PVPANIC_PANICKED);
  for (;;) cpu_hlt();
}

const char *ksym_lookup(uint32_t addr, uint32_t *offset) {
  if (addr < (uint32_t)__kernel_start || addr >= (uint32_t)__text_end || ksyms_count == 0) return 0;
  uint32_t lo = 0, hi = ksyms_count; /* find the last symbol at or below addr */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (ksyms_table[mid].addr <= addr) lo = mid;
    else hi = mid;
  }
  if (ksyms_table[lo].addr > addr) return 0;
  *offset = addr - ksyms_table[lo].addr;
  return ksyms_names + ksyms_table[lo].name_offset;
}

static void print_location(int depth, uint32_t eip) {
  uint32_t offset = 0;
  const char *name = ksym_lookup(eip, &offset);
  if (name) kprintf("  #%-2d 0x%08x %s+0x%x\n", depth, eip, name, offset);
  else kprintf("  #%-2d 0x%08x ?\n", depth, eip);
}

/* A frame pointer we may follow: 4-aligned and inside the kernel image (the boot stack is there). */
static bool frame_pointer_ok(uint32_t ebp) {
  return ebp % 4 == 0 && ebp >= (uint32_t)__kernel_start && ebp + 8 <= (uint32_t)__kernel_end;
}

void panic_backtrace(uint32_t eip, uint32_t ebp) {
  kprintf("stack trace:\n");
  print_location(0, eip);
  uint32_t last = eip, repeats = 0;
  int depth = 1;
  /* Deep recursion would fill the report with one line: runs of the same caller are counted. */
  for (int walked = 0; walked < MAX_WALKED_FRAMES && depth < MAX_TRACE_FRAMES && frame_pointer_ok(ebp); walked++) {
    const uint32_t *frame = (const uint32_t *)ebp;
    uint32_t caller = frame[1];
    if (caller == 0) break;
    if (caller - 1 == last) {
      repeats++;
    } else {
      if (repeats) kprintf("      ... the same frame %u more times\n", repeats);
      repeats = 0;
      last = caller - 1;
      print_location(depth++, caller - 1); /* the call instruction, not the one after it */
    }
    if (frame[0] <= ebp) break; /* stacks grow down: callers' frames lie above */
    ebp = frame[0];
  }
  if (repeats) kprintf("      ... the same frame %u more times\n", repeats);
}

static void enter_panic(void) {
  cpu_cli();
  if (panicking++) {
    static const char nested[] = "\nPANIC while reporting a panic; halted\n";
    ph_console_write(nested, sizeof nested - 1);
    machine_halt(HALT_PANIC);
  }
}

__attribute__((noreturn)) void ph_panic(const char *fmt, ...) {
  enter_panic();
  uint32_t ebp = read_ebp();
  kprintf("\nPANIC: ");
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
  kprintf("\nuptime %llu ms, cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", ph_uptime_ms(), read_cr0(), read_cr2(),
          read_cr3(), read_cr4());
  const uint32_t *frame = (const uint32_t *)ebp;
  panic_backtrace((uint32_t)__builtin_return_address(0) - 1, frame[0]);
  kprintf("halted\n");
  machine_halt(HALT_PANIC);
}

__attribute__((noreturn)) void panic_double_fault(void) {
  enter_panic();
  struct interrupted_context c;
  gdt_interrupted_context(&c);
  bool in_guard = c.esp >= (uint32_t)boot_stack_guard - 64 && c.esp < (uint32_t)boot_stack + 64;
  kprintf("\nPANIC: double fault%s\n", in_guard ? ": kernel stack overflow (the stack reached its guard page)" : "");
  kprintf("eax %08x ebx %08x ecx %08x edx %08x\n", c.eax, c.ebx, c.ecx, c.edx);
  kprintf("esi %08x edi %08x ebp %08x esp %08x\n", c.esi, c.edi, c.ebp, c.esp);
  kprintf("eip %08x eflags %08x\n", c.eip, c.eflags);
  kprintf("uptime %llu ms, cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", ph_uptime_ms(), read_cr0(), read_cr2(),
          read_cr3(), read_cr4());
  panic_backtrace(c.eip, c.ebp);
  kprintf("halted\n");
  machine_halt(HALT_PANIC);
}

__attribute__((noreturn)) void panic_trap(const struct trap_frame *f) {
  enter_panic();
  kprintf("\nPANIC: %s (vector %u, error code 0x%x)\n", trap_name(f->vector), f->vector, f->error);
  if (f->vector == 14) {
    kprintf("fault address %08x (%s, %s, %s)\n", read_cr2(), f->error & 1 ? "protection violation" : "page not present",
            f->error & 2 ? "write" : "read", f->error & 16 ? "instruction fetch" : "data");
  }
  kprintf("eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
  kprintf("esi %08x edi %08x ebp %08x esp %08x\n", f->esi, f->edi, f->ebp, f->esp_at_pusha + 20);
  kprintf("eip %08x cs %04x eflags %08x ds %04x es %04x\n", f->eip, f->cs, f->eflags, f->ds, f->es);
  kprintf("uptime %llu ms, cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", ph_uptime_ms(), read_cr0(), read_cr2(),
          read_cr3(), read_cr4());
  panic_backtrace(f->eip, f->ebp);
  kprintf("halted\n");
  machine_halt(HALT_PANIC);
}
