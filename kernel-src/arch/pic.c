/*
 * pic.c — the two 8259 interrupt controllers. Remapped so IRQ 0..15 arrive on vectors 32..47
 * (the CPU reserves 0..31 for exceptions); every line starts masked and a driver unmasks its own.
 *
 * The CPU's local APIC, which the kernel does not use, is switched off here, with its LINT0 input
 * (where the 8259 is wired) set to pass external interrupts on first, so the 8259's interrupts reach
 * the CPU whatever the firmware did: SeaBIOS leaves LINT0 so, qboot leaves it masked, and under
 * qboot no interrupt ever arrived (the first halt waiting for the disk never woke). Both steps,
 * because emulators differ: QEMU's own APIC model still honours LINT0 when switched off, KVM's
 * passes the 8259 through. Runs before paging, so the APIC's registers are reached physically.
 */
#include "arch.h"
#include "cpu.h"

enum {
  PIC1_CMD = 0x20,
  PIC1_DATA = 0x21,
  PIC2_CMD = 0xA0,
  PIC2_DATA = 0xA1,
  ICW1_INIT_ICW4 = 0x11,
  ICW4_8086 = 0x01,
  OCW2_EOI = 0x20,
  OCW3_READ_ISR = 0x0B,
  CASCADE_IRQ = 2,
  CPUID_APIC = 1u << 9,
  MSR_APIC_BASE = 0x1B,
  APIC_BASE_ENABLE = 1u << 11,
  APIC_LVT_LINT0 = 0x350,
  LVT_EXTINT = 0x700, /* delivery mode ExtINT, unmasked, edge */
};

/** The local APIC off, its LINT0 passing the 8259's interrupts on (see the top of this file). */
static void apic_pass_through(void) {
  if (!(cpuid_features() & CPUID_APIC)) return;
  uint64_t base = rdmsr(MSR_APIC_BASE);
  if (!(base & APIC_BASE_ENABLE)) return;
  volatile uint32_t *registers = (volatile uint32_t *)((uint32_t)base & 0xFFFFF000u);
  registers[APIC_LVT_LINT0 / 4] = LVT_EXTINT;
  wrmsr(MSR_APIC_BASE, base & ~(uint64_t)APIC_BASE_ENABLE);
}

void pic_init(void) {
  apic_pass_through();
  outb(PIC1_CMD, ICW1_INIT_ICW4);
  outb(PIC2_CMD, ICW1_INIT_ICW4);
  outb(PIC1_DATA, IRQ_BASE);
  outb(PIC2_DATA, IRQ_BASE + 8);
  outb(PIC1_DATA, 1 << CASCADE_IRQ); /* the slave sits on master line 2 */
  outb(PIC2_DATA, CASCADE_IRQ);
  outb(PIC1_DATA, ICW4_8086);
  outb(PIC2_DATA, ICW4_8086);
  outb(PIC1_DATA, (uint8_t)~(1 << CASCADE_IRQ));
  outb(PIC2_DATA, 0xFF);
}

void pic_unmask(unsigned irq) {
  uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
  outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_eoi(unsigned irq) {
  if (irq >= 8) outb(PIC2_CMD, OCW2_EOI);
  outb(PIC1_CMD, OCW2_EOI);
}

bool pic_irq_real(unsigned irq) {
  uint16_t cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;
  outb(cmd, OCW3_READ_ISR);
  bool real = inb(cmd) & (1u << (irq & 7));
  /* A spurious IRQ 15 still came through the master's cascade line, which wants its EOI. */
  if (!real && irq == 15) outb(PIC1_CMD, OCW2_EOI);
  return real;
}
