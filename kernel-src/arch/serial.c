/*
 * serial.c — the 16550 UARTs: COM1 is the human console (ph_console_write), COM2 the debug
 * channel. Both run at 115200 baud, 8N1, FIFOs on. Sending is polled, so the console works from
 * the first line of kmain and inside a panic with interrupts off; the debug channel sends without
 * waiting (serial_tx_empty, serial_put_byte) and receives by interrupt.
 */
#include "arch.h"
#include "cpu.h"
#include "platform.h"

enum {
  UART_DATA = 0,
  UART_IER = 1,
  UART_DIVISOR_LO = 0,
  UART_DIVISOR_HI = 1,
  UART_FCR = 2,
  UART_LCR = 3,
  UART_MCR = 4,
  IER_RX_AVAILABLE = 0x01,
  MCR_DTR_RTS_OUT2 = 0x0B, /* OUT2 gates the UART's interrupt line to the PIC */
  UART_LSR = 5,
  UART_SCRATCH = 7,
  LSR_DATA_READY = 0x01,
  LSR_THR_EMPTY = 0x20,
  LCR_DLAB = 0x80,
  LCR_8N1 = 0x03,
  BAUD_DIVISOR_115200 = 1, /* 115200 / 115200 */
};

static void uart_init(uint16_t port) {
  outb(port + UART_IER, 0x00);
  outb(port + UART_LCR, LCR_DLAB);
  outb(port + UART_DIVISOR_LO, BAUD_DIVISOR_115200);
  outb(port + UART_DIVISOR_HI, 0);
  outb(port + UART_LCR, LCR_8N1);
  outb(port + UART_FCR, 0xC7); /* enable and clear FIFOs, 14-byte threshold */
  outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_init(void) {
  uart_init(COM1);
  uart_init(COM2);
}

static void uart_put(uint16_t port, char c) {
  /* A bounded wait: a missing UART (all ones) or a stuck one must not hang the kernel. */
  for (int spins = 0; spins < 100000 && !(inb(port + UART_LSR) & LSR_THR_EMPTY); spins++) cpu_pause();
  outb(port + UART_DATA, (uint8_t)c);
}

void serial_write(uint16_t port, const char *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) uart_put(port, bytes[i]);
}

bool serial_present(uint16_t port) {
  /* The scratch register keeps what is written to it; an absent UART reads back all ones. */
  outb(port + UART_SCRATCH, 0x5A);
  if (inb(port + UART_SCRATCH) != 0x5A) return false;
  outb(port + UART_SCRATCH, 0xA5);
  return inb(port + UART_SCRATCH) == 0xA5;
}

void serial_enable_rx_interrupt(uint16_t port) {
  outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
  outb(port + UART_IER, IER_RX_AVAILABLE);
}

bool serial_tx_empty(uint16_t port) { return inb(port + UART_LSR) & LSR_THR_EMPTY; }

void serial_put_byte(uint16_t port, uint8_t byte) { outb(port + UART_DATA, byte); }

int serial_read_byte(uint16_t port) {
  if (!(inb(port + UART_LSR) & LSR_DATA_READY)) return -1;
  return inb(port + UART_DATA);
}

/* The console speaks to terminals (xterm.js, a tty): a line feed becomes CR LF. */
void ph_console_write(const char *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (bytes[i] == '\n') uart_put(COM1, '\r');
    uart_put(COM1, bytes[i]);
  }
}
