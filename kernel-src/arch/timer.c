/*
 * timer.c — time. The TSC, calibrated at boot against the PIT's channel 2 (its count read
 * directly, so no interrupt latency gets into the measurement), is the clock:
 * ph_uptime_ms and ph_tsc_per_us come from it, so the uptime stays right even when timer
 * interrupts are delayed or lost (as under an emulator on a loaded host). The PIT's channel 0
 * interrupts at 1 kHz only to wake a halted CPU (ph_idle_until). Implements ph_uptime_ms,
 * ph_tsc, ph_tsc_per_us, ph_idle_until and ph_ran_instructions of platform.h.
 * It also says when the kernel started on the machine's clock: the TSC counts from the CPU's
 * start (QEMU starts it at zero when the machine starts running), so boot_entry_tsc, read first
 * thing in boot.S, is the time the firmware and the kernel's load took.
 */
#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"

enum {
  PIT_CHANNEL0 = 0x40,
  PIT_CHANNEL2 = 0x42,
  PIT_COMMAND = 0x43,
  PIT_HZ = 1193182,
  PIT_MODE_RATE = 0x34,    /* channel 0, low then high byte, mode 2 (rate generator), binary */
  PIT_MODE_ONESHOT2 = 0xB0, /* channel 2, low then high byte, mode 0 (interrupt on terminal count) */
  PIT_LATCH_CHANNEL2 = 0x80,
  PORT_B = 0x61,           /* bit 0: channel 2 gate, bit 1: speaker */
  CALIBRATION_COUNTS = 3000, /* about 2.5 ms of PIT counts per run: TSC reads bracket each PIT read to 2e-4 of that */
  CALIBRATION_RUNS = 4,
  SAMPLE_TRIES = 5,
};

/** The TSC at the kernel's first instruction (boot.S). */
extern uint64_t boot_entry_tsc;

static uint64_t tsc_at_boot;
static uint64_t tsc_per_ms = 1000;
static uint64_t tsc_per_us_rate = 1;
static volatile bool wake_requested;

static void timer_tick(struct trap_frame *frame) {}

void timer_wake_idle(void) { wake_requested = true; }

uint64_t ph_uptime_ms(void) { return (rdtsc() - tsc_at_boot) / tsc_per_ms; }
uint64_t ph_tsc(void) { return rdtsc(); }
uint64_t ph_tsc_per_us(void) { return tsc_per_us_rate; }

/* The real clock already moved while those instructions ran. */
void ph_ran_instructions(uint32_t count) { (void)count; }

void ph_idle_until(uint64_t ms) {
  uint32_t flags = irq_save();
  while (ph_uptime_ms() < ms && !wake_requested) {
    cpu_sti_hlt(); /* woken by the next tick (or any IRQ), then check again */
    cpu_cli();
  }
  wake_requested = false;
  irq_restore(flags);
}

struct pit_sample {
  uint64_t tsc;      /* the middle of the read */
  uint64_t spread;   /* TSC ticks the read took: its uncertainty */
  uint16_t count;
};

static uint16_t read_channel2(void) {
  outb(PIT_COMMAND, PIT_LATCH_CHANNEL2);
  uint8_t lo = inb(PIT_CHANNEL2);
  return (uint16_t)(lo | inb(PIT_CHANNEL2) << 8);
}

/* The tightest of a few reads: a read that was slow (the emulator busy elsewhere) is discarded. */
static struct pit_sample sample_channel2(void) {
  struct pit_sample best = {0, UINT64_MAX, 0};
  for (int i = 0; i < SAMPLE_TRIES; i++) {
    uint64_t before = rdtsc();
    uint16_t count = read_channel2();
    uint64_t after = rdtsc();
    if (after - before < best.spread) best = (struct pit_sample){before + (after - before) / 2, after - before, count};
  }
  return best;
}

/**
 * TSC ticks per millisecond, from TSC readings at two PIT channel 2 counts about
 * CALIBRATION_COUNTS apart. Each PIT read is bracketed by TSC reads and the tightest of a few
 * is used. Under an emulator on a busy host the PIT sometimes falls behind the TSC for a
 * while, which only ever makes a run's rate too high, so the lowest of several runs wins.
 */
static uint64_t measure_tsc_per_ms(void) {
  uint64_t best = UINT64_MAX;
  for (int run = 0; run < CALIBRATION_RUNS; run++) {
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01); /* gate on, speaker off */
    outb(PIT_COMMAND, PIT_MODE_ONESHOT2);
    outb(PIT_CHANNEL2, 0xFF);
    outb(PIT_CHANNEL2, 0xFF); /* counts down from 65535 now */
    struct pit_sample a = sample_channel2();
    while ((uint16_t)(a.count - read_channel2()) < CALIBRATION_COUNTS) cpu_pause();
    struct pit_sample b = sample_channel2();
    uint32_t counts = (uint16_t)(a.count - b.count);
    if (counts == 0 || b.tsc <= a.tsc) continue;
    uint64_t rate = (b.tsc - a.tsc) * PIT_HZ / 1000 / counts;
    if (rate < best) best = rate;
  }
  return best == UINT64_MAX ? 0 : best;
}

void timer_init(void) {
  tsc_per_ms = measure_tsc_per_ms();
  tsc_at_boot = rdtsc();
  if (tsc_per_ms < 1000) tsc_per_ms = 1000; /* a broken TSC: keep time at least moving */
  tsc_per_us_rate = tsc_per_ms / 1000;
  uint16_t divisor = (PIT_HZ + TIMER_HZ / 2) / TIMER_HZ;
  outb(PIT_COMMAND, PIT_MODE_RATE);
  outb(PIT_CHANNEL0, divisor & 0xFF);
  outb(PIT_CHANNEL0, divisor >> 8);
  trap_set_irq_handler(0, timer_tick);
  cpu_sti();
  kprintf("timer: TSC %llu.%03llu MHz (calibrated on the PIT), wake-up tick at %d Hz\n", tsc_per_ms / 1000,
          tsc_per_ms % 1000, TIMER_HZ);
  uint64_t entry_us = boot_entry_tsc * 1000 / tsc_per_ms;
  kprintf("timer: kernel entered at %llu.%03llu ms of machine time (the firmware and the kernel's load)\n",
          entry_us / 1000, entry_us % 1000);
}
