/*
 * timer.c — time: the PIT (channel 0) interrupts at 1 kHz and counts the uptime in
 * milliseconds; the TSC, calibrated against the PIT at boot, measures short intervals in
 * microseconds (snapshot pauses). Implements ph_uptime_ms, ph_tsc, ph_tsc_per_us and
 * ph_idle_until of platform.h.
 */
#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"

enum {
  PIT_CHANNEL0 = 0x40,
  PIT_COMMAND = 0x43,
  PIT_HZ = 1193182,
  PIT_MODE_RATE = 0x34, /* channel 0, low then high byte, mode 2 (rate generator), binary */
  CALIBRATION_TICKS = 10,
};

static volatile uint64_t ticks;
static uint64_t tsc_per_us = 1;
static volatile bool wake_requested;

static void timer_tick(struct trap_frame *frame) { ticks++; }

void timer_wake_idle(void) { wake_requested = true; }

uint64_t ph_uptime_ms(void) {
  uint32_t flags = irq_save(); /* a 64-bit read is two loads on i386 */
  uint64_t t = ticks;
  irq_restore(flags);
  return t * 1000 / TIMER_HZ;
}

uint64_t ph_tsc(void) { return rdtsc(); }
uint64_t ph_tsc_per_us(void) { return tsc_per_us; }

void ph_idle_until(uint64_t ms) {
  uint32_t flags = irq_save();
  while (ticks * 1000 / TIMER_HZ < ms && !wake_requested) {
    cpu_sti_hlt(); /* woken by the next tick (or any IRQ), then check again */
    cpu_cli();
  }
  wake_requested = false;
  irq_restore(flags);
}

static void wait_for_tick(uint64_t after) {
  while (ticks <= after) cpu_sti_hlt();
}

void timer_init(void) {
  uint16_t divisor = (PIT_HZ + TIMER_HZ / 2) / TIMER_HZ;
  outb(PIT_COMMAND, PIT_MODE_RATE);
  outb(PIT_CHANNEL0, divisor & 0xFF);
  outb(PIT_CHANNEL0, divisor >> 8);
  trap_set_irq_handler(0, timer_tick);

  /* Calibrate the TSC over CALIBRATION_TICKS ticks, starting on a tick edge. */
  cpu_sti();
  uint64_t start_tick = ticks;
  wait_for_tick(start_tick);
  uint64_t t0 = rdtsc();
  wait_for_tick(start_tick + CALIBRATION_TICKS);
  uint64_t t1 = rdtsc();
  uint64_t us = (ticks - start_tick - 1) * 1000000 / TIMER_HZ;
  tsc_per_us = us > 0 && t1 > t0 ? (t1 - t0) / us : 1;
  if (tsc_per_us == 0) tsc_per_us = 1;
  kprintf("timer: PIT at %d Hz, TSC %llu MHz\n", TIMER_HZ, tsc_per_us);
}
