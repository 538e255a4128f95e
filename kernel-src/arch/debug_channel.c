/*
 * debug_channel.c — connects the portable debug agent (core/debug_agent.c, protocol in
 * lang/spec/debug.def) to its transport: the virtio-serial port named DEBUG_PORT_NAME when the
 * machine has one (virtio_console.c), else serial port 2. Both are byte streams carrying the same
 * frames; the agent reads and answers at the VM's safe points, and an arriving byte (or buffer)
 * wakes an idle machine (ph_idle_until) so requests are answered even when every thread sleeps.
 * On COM2, received bytes are drained by the interrupt into a ring buffer (the UART's own FIFO
 * holds 16 bytes; a thread's time slice is far longer), so no byte is lost while threads run; the
 * virtio port's receive buffers are that ring already. While the host holds a PAUSE, the safe point keeps serving the channel
 * and runs no thread.
 *
 * Replies and events go into a second ring, which the safe points send while the transport takes
 * bytes, never waiting for it: a host that does not read its replies (QEMU's socket full) stops
 * the channel, not the machine. The agent answers a request only when the largest reply fits in
 * that ring.
 *
 * The channel's share of the CPU: while threads run, sending and serving may take a quarter of
 * the time (CHANNEL_SHARE), earned by the threads' turns; on an idle machine all of it. A flood of
 * requests therefore slows the replies, not the programs. What the agent has not read stays in
 * the receive ring, and when that is full, in the UART, whose full FIFO holds the sender back
 * (QEMU stops reading the socket; on virtio, the port's receive buffers do the same): nothing is dropped but events the host leaves no room for.
 *
 * When every thread has ended, debug_channel_serve_until_runnable keeps serving (and snapshotting)
 * until a RUN request has started a thread, so an idle machine can be given work again.
 *
 * Not here: the protocol (the agent), snapshots (core/snapshot_cycle.c: its step runs at the same
 * safe point; arch/snapshot.c fills the agent's snapshot hooks).
 */
#include "arch.h"
#include "cpu.h"
#include "debug_agent.h"
#include "gc.h"
#include "klib.h"
#include "platform.h"
#include "snapshot.h"
#include "vm.h"

/** The virtio-serial port the host names for the debug channel (vm-manager's drivers add it). */
#define DEBUG_PORT_NAME "org.phantom.debug"
#define RX_RING_BYTES (128u * 1024) /* two maximal frames */
/** A whole reply always fits once the ring is half empty. */
#define TX_RING_BYTES (2u * (DBG_HEADER_BYTES + DBG_MAX_PAYLOAD))
#define COM2_IRQ 3
#define PAUSED_POLL_MS 5
/** While replies wait for a UART that takes nothing (the host does not read), an idle machine tries again this often. */
#define TX_RETRY_MS 5
#define MAX_DRAIN_PER_IRQ 4096 /* bytes: a UART that never stops reporting data cannot hold the CPU */
/** While threads run, the channel gets at most 1/CHANNEL_SHARE of the CPU. */
#define CHANNEL_SHARE 4
/** The most serving time a quiet channel saves up: a burst after it holds the threads this long at most. */
#define CREDIT_MAX_US 20000
/** A poll's budget on an idle machine: snapshot steps and waking threads get their turn this often. */
#define IDLE_SERVE_US 10000

/**
 * A byte stream to the host; neither call waits. receive: the bytes that arrived, at most max.
 * send: takes what it can of n bytes now and returns how many (0: the host is not reading).
 */
struct transport {
  const char *name;
  size_t (*receive)(uint8_t *buf, size_t max);
  size_t (*send)(const uint8_t *bytes, size_t n);
};

static const struct transport *transport; /* 0: no channel; the agent reads nothing and sends nowhere */

static uint8_t rx_ring[RX_RING_BYTES];
static volatile uint32_t rx_head, rx_tail; /* written by rx_fill (interrupts off) / by the reader */

static uint8_t tx_ring[TX_RING_BYTES];
static uint32_t tx_head, tx_tail; /* replies and events not yet sent; safe points only, no interrupt */

static uint64_t instructions_seen; /* vm_instructions() when the last safe point ended */
static uint64_t left_at_tsc;       /* and when */
static int64_t credit_us = CREDIT_MAX_US; /* serving time the threads' turns have earned; negative: owed */

/** Moves what the UART holds into the ring while the ring has room; interrupts off. */
static void rx_fill(void) {
  int c;
  for (int n = 0; n < MAX_DRAIN_PER_IRQ && (rx_head + 1) % RX_RING_BYTES != rx_tail && (c = serial_read_byte(COM2)) >= 0;
       n++) {
    rx_ring[rx_head] = (uint8_t)c;
    rx_head = (rx_head + 1) % RX_RING_BYTES;
  }
}

static void com2_interrupt(struct trap_frame *frame) {
  rx_fill();
  timer_wake_idle();
}

static size_t com2_receive(uint8_t *buf, size_t max) {
  uint32_t flags = irq_save();
  rx_fill(); /* what stayed in the UART while the ring was full: its interrupt has come and gone */
  irq_restore(flags);
  size_t n = 0;
  while (n < max && rx_tail != rx_head) {
    buf[n++] = rx_ring[rx_tail];
    rx_tail = (rx_tail + 1) % RX_RING_BYTES;
  }
  return n;
}

/** Under QEMU the UART's FIFO stays full while the host does not read the socket. */
static size_t com2_send(const uint8_t *bytes, size_t n) {
  if (!serial_tx_empty(COM2)) return 0;
  size_t k = n < UART_TX_FIFO_BYTES ? n : UART_TX_FIFO_BYTES;
  for (size_t i = 0; i < k; i++) serial_put_byte(COM2, bytes[i]);
  return k;
}

static const struct transport com2 = {"serial port 2", com2_receive, com2_send};
static const struct transport virtio_port = {"virtio-serial port " DEBUG_PORT_NAME, virtio_console_read,
                                             virtio_console_write};

static size_t port_read(uint8_t *buf, size_t max) { return transport ? transport->receive(buf, max) : 0; }

static size_t port_room(void) { return (tx_tail + TX_RING_BYTES - tx_head - 1) % TX_RING_BYTES; }

static void port_write(const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    tx_ring[tx_head] = bytes[i];
    tx_head = (tx_head + 1) % TX_RING_BYTES;
  }
}

enum tx_drain { TX_SENT, TX_PORT_FULL, TX_OUT_OF_TIME };

/** Sends what the ring holds while the transport takes it, until the TSC reaches `until`; never waits. */
static enum tx_drain tx_drain(uint64_t until) {
  while (tx_tail != tx_head) {
    if (!transport) {
      tx_tail = tx_head;
      break;
    }
    if (ph_tsc() >= until) return TX_OUT_OF_TIME;
    size_t span = tx_head > tx_tail ? tx_head - tx_tail : TX_RING_BYTES - tx_tail;
    size_t sent = transport->send(&tx_ring[tx_tail], span);
    if (sent == 0) return TX_PORT_FULL;
    tx_tail = (uint32_t)((tx_tail + sent) % TX_RING_BYTES);
  }
  return TX_SENT;
}

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

/**
 * Sends and serves within the channel's budget; returns 1 when work was left for lack of time. A
 * thread ran since the last safe point: the channel earns 1 us for every CHANNEL_SHARE - 1 us the
 * threads ran and spends what it has (a request that costs more leaves a debt the next turns
 * repay). No thread ran: the machine is idle, and the channel may have it.
 */
static int serve_channel(void) {
  uint64_t per_us = ph_tsc_per_us(), start = ph_tsc();
  int threads_ran = vm_instructions() != instructions_seen;
  uint32_t budget_us = IDLE_SERVE_US;
  if (threads_ran) {
    credit_us += (int64_t)((start - left_at_tsc) / per_us / (CHANNEL_SHARE - 1));
    if (credit_us > CREDIT_MAX_US) credit_us = CREDIT_MAX_US;
    if (credit_us <= 0) return 1;
    budget_us = (uint32_t)credit_us;
  }
  uint64_t until = start + (uint64_t)budget_us * per_us;
  int more = tx_drain(until) == TX_OUT_OF_TIME; /* what earlier replies left, so that new ones fit */
  if (!more) {
    uint64_t now = ph_tsc();
    more = debug_agent_poll(now < until ? (uint32_t)((until - now) / per_us) : 0);
    if (tx_drain(until) == TX_OUT_OF_TIME) more = 1;
  }
  if (threads_ran) credit_us -= (int64_t)((ph_tsc() - start) / per_us);
  return more;
}

static void safe_point(void) {
  if (serve_channel()) timer_wake_idle(); /* work waits: the next idle returns at once */
  while (debug_agent_paused()) {
    ph_idle_until(ph_uptime_ms() + PAUSED_POLL_MS);
    if (serve_channel()) timer_wake_idle();
  }
  snapshot_step();
  instructions_seen = vm_instructions();
  left_at_tsc = ph_tsc();
}

void debug_channel_init(void) {
  static const struct debug_port port = {port_read, port_room, port_write};
  static struct debug_hooks hooks = {.stats = machine_stats};
  space_debug_hooks(&hooks);
  snapshot_debug_hooks(&hooks);
  debug_agent_init(&port, &hooks);
  vm_set_safe_point_hook(safe_point); /* snapshots step there too, channel or not */
  vm_set_idle_hook(snapshot_before_idle);
  vm_set_thread_end_hook(debug_agent_notify_thread_end);
  if (virtio_console_init(DEBUG_PORT_NAME)) {
    transport = &virtio_port;
  } else if (serial_present(COM2)) {
    transport = &com2;
    trap_set_irq_handler(COM2_IRQ, com2_interrupt);
    serial_enable_rx_interrupt(COM2);
  } else {
    kprintf("debug: no virtio-serial port %s and no serial port 2; the debug channel is off\n", DEBUG_PORT_NAME);
    return;
  }
  kprintf("debug: protocol %u on %s\n", DBG_VERSION, transport->name);
}

void debug_channel_serve_until_runnable(void) {
  struct vm_stats vm;
  do {
    uint64_t due = snapshot_next_step_ms(), frame_due = debug_agent_deadline_ms();
    if (frame_due < due) due = frame_due;
    if (tx_tail != tx_head && ph_uptime_ms() + TX_RETRY_MS < due) due = ph_uptime_ms() + TX_RETRY_MS;
    snapshot_before_idle(due);
    ph_idle_until(due); /* returns early when a byte arrives */
    safe_point();
    vm_get_stats(&vm);
  } while (vm.live_threads == 0);
}
