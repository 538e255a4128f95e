/*
 * pic.c — the two 8259 interrupt controllers. Remapped so IRQ 0..15 arrive on vectors 32..47
 * (the CPU reserves 0..31 for exceptions); every line starts masked and a driver unmasks its own.
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
};

void pic_init(void) {
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
