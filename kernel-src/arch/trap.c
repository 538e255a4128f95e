/*
 * trap.c — the interrupt descriptor table and the one C entry of every interrupt
 * (trap_dispatch, called by vectors.S). Page faults in the object space go to the pager; any
 * other exception is a kernel bug and ends in panic_trap's report. IRQs go to the handler a
 * driver registered, then get their end-of-interrupt.
 */
#include "arch.h"
#include "platform.h"

#define VECTOR_COUNT 48
#define EXCEPTION_COUNT 32
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_PAGE_FAULT 14

extern const uint32_t trap_vectors[VECTOR_COUNT];

struct idt_entry {
  uint16_t offset_lo;
  uint16_t selector;
  uint8_t zero;
  uint8_t type_attr;
  uint16_t offset_hi;
} __attribute__((packed));

static struct idt_entry idt[256];
/** PCI devices on one interrupt line (the disk and the debug channel's device may share one). */
#define HANDLERS_PER_IRQ 4
static irq_handler irq_handlers[16][HANDLERS_PER_IRQ];

static const char *const exception_names[EXCEPTION_COUNT] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow", "bound range exceeded",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
    "invalid TSS", "segment not present", "stack-segment fault", "general protection fault",
    "page fault", "reserved 15", "x87 floating-point error", "alignment check", "machine check",
    "SIMD floating-point error", "virtualization exception", "control protection exception",
    "reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26", "reserved 27",
    "hypervisor injection", "VMM communication", "security exception", "reserved 31",
};

const char *trap_name(uint32_t vector) {
  if (vector < EXCEPTION_COUNT) return exception_names[vector];
  if (vector < VECTOR_COUNT) return "unexpected IRQ";
  return "unknown vector";
}

void trap_init(void) {
  for (int v = 0; v < VECTOR_COUNT; v++) {
    uint32_t entry = trap_vectors[v];
    /* 0x8E: present, ring 0, 32-bit interrupt gate (interrupts off on entry). */
    idt[v] = (struct idt_entry){(uint16_t)entry, KERNEL_CS, 0, 0x8E, (uint16_t)(entry >> 16)};
  }
  /* 0x85: present task gate. A double fault often means the stack is gone (overflow into the
     guard page), so it switches to a task with its own stack instead of pushing a frame. */
  idt[VECTOR_DOUBLE_FAULT] = (struct idt_entry){0, DOUBLE_FAULT_TSS, 0, 0x85, 0};
  struct {
    uint16_t limit;
    uint32_t base;
  } __attribute__((packed)) descriptor = {sizeof idt - 1, (uint32_t)idt};
  __asm__ volatile("lidt %0" : : "m"(descriptor));
}

void trap_set_irq_handler(unsigned irq, irq_handler handler) {
  if (irq >= 16) ph_panic("trap_set_irq_handler: no IRQ %u", irq);
  unsigned i = 0;
  while (i < HANDLERS_PER_IRQ && irq_handlers[irq][i] && irq_handlers[irq][i] != handler) i++;
  if (i == HANDLERS_PER_IRQ) ph_panic("trap_set_irq_handler: IRQ %u has %u handlers already", irq, i);
  irq_handlers[irq][i] = handler;
  pic_unmask(irq);
}

void trap_dispatch(struct trap_frame *frame);
void trap_dispatch(struct trap_frame *frame) {
  if (frame->vector < EXCEPTION_COUNT) {
    if (frame->vector == VECTOR_PAGE_FAULT) {
      uint32_t addr;
      __asm__ volatile("mov %%cr2, %0" : "=r"(addr));
      if (pager_fault(addr, frame->error)) return;
    }
    panic_trap(frame);
  }
  unsigned irq = frame->vector - IRQ_BASE;
  if (frame->vector < IRQ_BASE || irq >= 16) panic_trap(frame);
  if ((irq == 7 || irq == 15) && !pic_irq_real(irq)) return;
  for (unsigned i = 0; i < HANDLERS_PER_IRQ && irq_handlers[irq][i]; i++) irq_handlers[irq][i](frame);
  pic_eoi(irq);
}
