/*
 * debug_channel.c — connects the portable debug agent (core/debug_agent.c, protocol in
 * include/debug.def) to serial port 2. Received bytes are drained by the COM2 interrupt into a
 * ring buffer (the UART's own FIFO holds 16 bytes; a thread's time slice is far longer), so no
 * byte is lost while threads run; the agent reads the ring and answers at the VM's safe points,
 * and an arriving byte wakes an idle machine (ph_idle_until) so requests are answered even when
 * every thread sleeps. While the host holds a PAUSE, the safe point keeps serving the channel
 * and runs no thread.
 *
 * When every thread has ended, debug_channel_serve_until_runnable keeps serving (and snapshotting)
 * until a RUN request has started a thread, so an idle machine can be given work again.
 *
 * Not here: the protocol (the agent), snapshots (snapshot.c: its step runs at the same safe
 * point, and it fills the agent's snapshot hooks).
 */
#include "arch.h"
#include "cpu.h"
#include "debug_agent.h"
#include "gc.h"
#include "klib.h"
#include "platform.h"
#include "snapshot.h"
#include "vm.h"

#define RX_RING_BYTES (128u * 1024) /* two maximal frames */
#define COM2_IRQ 3
#define PAUSED_POLL_MS 5
#define MAX_DRAIN_PER_IRQ 4096 /* bytes: a UART that never stops reporting data cannot hold the CPU */

static uint8_t rx_ring[RX_RING_BYTES];
static volatile uint32_t rx_head, rx_tail; /* written by the IRQ handler / by the reader */
static volatile uint32_t rx_dropped;

static void com2_interrupt(struct trap_frame *frame) {
  int c;
  for (int n = 0; n < MAX_DRAIN_PER_IRQ && (c = serial_read_byte(COM2)) >= 0; n++) {
    uint32_t next = (rx_head + 1) % RX_RING_BYTES;
    if (next == rx_tail) {
      rx_dropped++; /* the agent resynchronises on the next frame magic */
      continue;
    }
    rx_ring[rx_head] = (uint8_t)c;
    rx_head = next;
  }
  timer_wake_idle();
}

static size_t port_read(uint8_t *buf, size_t max) {
  size_t n = 0;
  while (n < max && rx_tail != rx_head) {
    buf[n++] = rx_ring[rx_tail];
    rx_tail = (rx_tail + 1) % RX_RING_BYTES;
  }
  return n;
}

static void port_write(const uint8_t *bytes, size_t n) { serial_write(COM2, (const char *)bytes, n); }

static void machine_stats(struct debug_machine_stats *out) {
  struct vm_stats vm;
  vm_get_stats(&vm);
  const struct gc_stats *gc = gc_get_stats();
  *out = (struct debug_machine_stats){
      .uptime_ms = ph_uptime_ms(),
      .machine_ms = (uint64_t)(vm.machine_ms < 0 ? 0 : vm.machine_ms),
      .generation = space_generation(),
      .threads = vm.threads,
      .gc_runs = gc->collections,
      .gc_pause_us = (uint32_t)gc->last_pause_us,
  };
}

static void safe_point(void) {
  debug_agent_poll();
  while (debug_agent_paused()) {
    ph_idle_until(ph_uptime_ms() + PAUSED_POLL_MS);
    debug_agent_poll();
  }
  snapshot_step();
}

void debug_channel_init(void) {
  static const struct debug_port port = {port_read, port_write};
  static struct debug_hooks hooks = {.stats = machine_stats};
  space_debug_hooks(&hooks);
  snapshot_debug_hooks(&hooks);
  debug_agent_init(&port, &hooks);
  vm_set_safe_point_hook(safe_point); /* snapshots step there too, channel or not */
  if (!serial_present(COM2)) {
    kprintf("debug: no serial port 2; the debug channel is off\n");
    return;
  }
  trap_set_irq_handler(COM2_IRQ, com2_interrupt);
  serial_enable_rx_interrupt(COM2);
  kprintf("debug: protocol %u on serial port 2\n", DBG_VERSION);
}

void debug_channel_serve_until_runnable(void) {
  struct vm_stats vm;
  do {
    uint64_t due = snapshot_next_step_ms(), frame_due = debug_agent_deadline_ms();
    if (frame_due < due) due = frame_due;
    ph_idle_until(due); /* returns early when a byte arrives */
    safe_point();
    vm_get_stats(&vm);
  } while (vm.live_threads == 0);
}
