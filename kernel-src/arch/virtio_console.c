/*
 * virtio_console.c — the debug channel's fast transport: one named port of a virtio-serial device
 * (legacy virtio 0.9 over PCI I/O ports, like virtio_blk.c), which QEMU offers with `-device
 * virtio-serial-pci -device virtserialport,name=org.phantom.debug` and libvirt with
 * `<channel type='unix'><target type='virtio' name='org.phantom.debug'/></channel>`. A byte
 * stream, like serial port 2, but each transfer is a buffer of many kilobytes handed over in one
 * notification instead of a trap per byte (docs/debug-protocol.md, "Transports", has the figures).
 *
 * The device is multiport: queues 2 and 3 carry control messages, and port p (p >= 1) has its
 * receive queue at 2p + 2 and its transmit queue at 2p + 3. At init the driver says it is ready,
 * the device announces its ports (PORT_ADD), the driver answers each PORT_READY, the device names
 * them (PORT_NAME), and the driver opens the one with our name (PORT_OPEN). All of that runs in
 * QEMU while the notification's I/O write traps, so init is a short synchronous exchange.
 *
 * Nothing here waits: receiving takes what the used ring holds and gives each buffer back once
 * read; sending copies into a free transmit buffer, and when none is free (the host does not read,
 * QEMU throttles the port) takes nothing, so the caller keeps the bytes. The device's interrupt
 * only wakes an idle CPU (timer_wake_idle); the debug channel reads at its safe points.
 *
 * Not here: the protocol and the channel's budget (debug_channel.c, core/debug_agent.c).
 */
#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"
#include "virtio.h"

enum {
  VIRTIO_CONSOLE_LEGACY_ID = 0x1003,
  FEATURE_MULTIPORT = 1u << 1,
  CONFIG_MAX_PORTS = VIRTIO_REG_CONFIG + 4, /* u32, after cols and rows */
  CONTROL_RX_QUEUE = 2,
  CONTROL_TX_QUEUE = 3,
  /* control events (virtio spec 5.3.6.2) */
  EVENT_DEVICE_READY = 0,
  EVENT_PORT_ADD = 1,
  EVENT_PORT_REMOVE = 2,
  EVENT_PORT_READY = 3,
  EVENT_PORT_OPEN = 6, /* the driver opens its port; the host says when its side opens or closes */
  EVENT_PORT_NAME = 7,
  MAX_QUEUE = 256,
  CONTROL_BUFFERS = 16,
  CONTROL_BUFFER_BYTES = 128, /* a header and a port name */
  RX_BUFFERS = 32,
  RX_BUFFER_BYTES = 4096,
  TX_BUFFERS = 8,
  TX_BUFFER_BYTES = 16384,
  /** How long init waits for the device to name its ports after the last control message came. */
  INIT_QUIET_MS = 200,
  /** The longest init waits for our port in all. */
  INIT_MAX_MS = 2000,
};

struct control_message {
  uint32_t id;
  uint16_t event;
  uint16_t value;
} __attribute__((packed));

struct queue {
  uint16_t index, size;
  struct vring_desc *desc;
  volatile struct vring_avail *avail;
  volatile struct vring_used *used;
  uint16_t last_used;
};

/* One port's buffers: each descriptor i owns buffer i for good. */
static struct {
  uint16_t io;
  const char *name;
  uint32_t max_ports;
  struct queue control_rx, control_tx, rx, tx;
  uint8_t *control_rx_buffers, *control_tx_buffers, *rx_buffers, *tx_buffers;
  uint16_t control_tx_free; /* bit i: control transmit buffer i is free */
  uint16_t tx_free;         /* bit i: transmit buffer i is free */
  uint16_t rx_count, tx_count;
  int32_t port;        /* our port's id once named, else -1 */
  bool open; /* the driver opened our port */
  uint32_t ports_added; /* PORT_ADD messages seen */
  /* the receive buffer being read: its descriptor, length and how much is read */
  bool reading;
  uint16_t read_desc;
  uint32_t read_len, read_off;
} con = {.port = -1};

static void *alloc_pages(uint32_t bytes, const char *what) {
  uint32_t pages = (bytes + PAGE_BYTES - 1) / PAGE_BYTES;
  uint32_t frames = pmm_alloc_contiguous(pages);
  if (!frames) ph_panic("virtio-console: no memory for %s", what);
  memset((void *)frames, 0, pages * PAGE_BYTES);
  return (void *)frames; /* identity-mapped: the address is the physical one */
}

/** Sets up queue `index`; false when the device has none of a usable size. */
static bool queue_init(struct queue *q, uint16_t index, bool interrupts) {
  outw(con.io + VIRTIO_REG_QUEUE_SELECT, index);
  uint16_t n = inw(con.io + VIRTIO_REG_QUEUE_SIZE);
  if (n == 0 || n > MAX_QUEUE || (n & (n - 1))) {
    kprintf("virtio-console: queue %u has an unusable size %u\n", index, n);
    return false;
  }
  uint8_t *ring = alloc_pages(vring_bytes(n), "a queue");
  *q = (struct queue){.index = index, .size = n};
  q->desc = (struct vring_desc *)ring;
  q->avail = (volatile struct vring_avail *)(ring + 16u * n);
  q->used = (volatile struct vring_used *)(ring + vring_used_offset(n));
  q->avail->flags = interrupts ? 0 : VIRTIO_AVAIL_NO_INTERRUPT;
  outl(con.io + VIRTIO_REG_QUEUE_PFN, (uint32_t)ring / PAGE_BYTES);
  return true;
}

/** Makes descriptor d (its buffer set up) available to the device; notify tells it. */
static void queue_put(struct queue *q, uint16_t d) {
  q->avail->ring[q->avail->idx % q->size] = d;
  virtio_barrier();
  q->avail->idx++;
  virtio_barrier();
}

static void queue_notify(struct queue *q) { outw(con.io + VIRTIO_REG_QUEUE_NOTIFY, q->index); }

/** The next completed descriptor and its length, or false. */
static bool queue_take(struct queue *q, uint16_t *d, uint32_t *len) {
  if (q->last_used == q->used->idx) return false;
  virtio_barrier();
  volatile struct vring_used_elem *e = &q->used->ring[q->last_used % q->size];
  *d = (uint16_t)e->id;
  *len = e->len;
  q->last_used++;
  return true;
}

/** Gives the device `count` receive buffers of `bytes` each, descriptor i owning buffer i. */
static void post_receive_buffers(struct queue *q, uint8_t *buffers, uint16_t count, uint32_t bytes) {
  for (uint16_t i = 0; i < count; i++) {
    q->desc[i] = (struct vring_desc){(uint32_t)(buffers + (uint32_t)i * bytes), bytes, VIRTIO_DESC_WRITE, 0};
    queue_put(q, i);
  }
  queue_notify(q);
}

static void send_control(uint32_t id, uint16_t event, uint16_t value) {
  uint16_t d;
  uint32_t len;
  while (queue_take(&con.control_tx, &d, &len))
    if (d < CONTROL_BUFFERS) con.control_tx_free |= (uint16_t)(1u << d);
  if (!con.control_tx_free) {
    kprintf("virtio-console: the device does not take control messages; event %u for port %u dropped\n", event, id);
    return;
  }
  d = (uint16_t)__builtin_ctz(con.control_tx_free);
  con.control_tx_free &= (uint16_t)~(1u << d);
  uint8_t *buffer = con.control_tx_buffers + (uint32_t)d * CONTROL_BUFFER_BYTES;
  struct control_message m = {id, event, value};
  memcpy(buffer, &m, sizeof m);
  con.control_tx.desc[d] = (struct vring_desc){(uint32_t)buffer, sizeof m, 0, 0};
  queue_put(&con.control_tx, d);
  queue_notify(&con.control_tx);
}

/** Our port is named: set up its queues, give it receive buffers, open it. */
static void open_port(uint32_t id) {
  uint16_t rx_index = (uint16_t)(id == 0 ? 0 : 2 * id + 2);
  if (!queue_init(&con.rx, rx_index, true) || !queue_init(&con.tx, (uint16_t)(rx_index + 1), false)) return;
  con.rx_count = con.rx.size < RX_BUFFERS ? con.rx.size : RX_BUFFERS;
  con.tx_count = con.tx.size < TX_BUFFERS ? con.tx.size : TX_BUFFERS;
  con.rx_buffers = alloc_pages((uint32_t)con.rx_count * RX_BUFFER_BYTES, "receive buffers");
  con.tx_buffers = alloc_pages((uint32_t)con.tx_count * TX_BUFFER_BYTES, "transmit buffers");
  con.tx_free = (uint16_t)((1u << con.tx_count) - 1);
  post_receive_buffers(&con.rx, con.rx_buffers, con.rx_count, RX_BUFFER_BYTES);
  con.port = (int32_t)id;
  con.open = true;
  send_control(id, EVENT_PORT_OPEN, 1);
}

/** Handles one control message from the device (check, then do: ids and lengths first). */
static void control_message(const uint8_t *bytes, uint32_t len) {
  if (len < sizeof(struct control_message)) return;
  struct control_message m;
  memcpy(&m, bytes, sizeof m);
  if (m.id >= con.max_ports) return;
  const char *text = (const char *)bytes + sizeof m;
  uint32_t text_len = len - (uint32_t)sizeof m;
  while (text_len > 0 && text[text_len - 1] == 0) text_len--; /* QEMU ends a name with a NUL */
  switch (m.event) {
  case EVENT_PORT_ADD:
    con.ports_added++;
    send_control(m.id, EVENT_PORT_READY, 1); /* the device then names the port */
    break;
  case EVENT_PORT_NAME:
    if (con.port < 0 && text_len == strlen(con.name) && memcmp(text, con.name, text_len) == 0) open_port(m.id);
    break;
  case EVENT_PORT_REMOVE:
    if ((int32_t)m.id == con.port) {
      kprintf("virtio-console: port %s was removed; the debug channel is off\n", con.name);
      con.open = false;
    }
    break;
  default:
    break; /* the host opening or closing the port (QEMU drops what nobody reads), console sizes */
  }
}

/** Handles the control messages the device has sent; returns how many. */
static uint32_t control_poll(void) {
  uint16_t d;
  uint32_t len, n = 0;
  while (queue_take(&con.control_rx, &d, &len)) {
    if (d < CONTROL_BUFFERS) {
      uint8_t *buffer = con.control_rx_buffers + (uint32_t)d * CONTROL_BUFFER_BYTES;
      control_message(buffer, len < CONTROL_BUFFER_BYTES ? len : CONTROL_BUFFER_BYTES);
      queue_put(&con.control_rx, d);
    }
    n++;
  }
  if (n) queue_notify(&con.control_rx);
  return n;
}

static void virtio_console_interrupt(struct trap_frame *frame) {
  if (inb(con.io + VIRTIO_REG_ISR)) timer_wake_idle();
}

bool virtio_console_init(const char *port_name) {
  static const uint16_t ids[] = {VIRTIO_CONSOLE_LEGACY_ID};
  struct pci_device dev;
  if (!pci_find(VIRTIO_VENDOR, ids, 1, 0, &dev)) return false;
  bool is_io;
  uint32_t bar = pci_bar(&dev, 0, &is_io);
  if (!is_io) {
    kprintf("virtio-console: the device has no legacy I/O BAR; not usable\n");
    return false;
  }
  if (bar == 0) bar = pci_assign_io_bar(&dev, 0); /* qboot assigns no BARs */
  if (bar == 0) {
    kprintf("virtio-console: the device has no I/O ports and none are left to give it; not usable\n");
    return false;
  }
  pci_enable_io(&dev);
  con.io = (uint16_t)bar;
  con.name = port_name;
  outb(con.io + VIRTIO_REG_STATUS, 0);
  outb(con.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
  outb(con.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  if (!(inl(con.io + VIRTIO_REG_DEVICE_FEATURES) & FEATURE_MULTIPORT)) {
    kprintf("virtio-console: the device has no named ports (no MULTIPORT); not usable\n");
    outb(con.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_FAILED);
    return false;
  }
  outl(con.io + VIRTIO_REG_DRIVER_FEATURES, FEATURE_MULTIPORT);
  con.max_ports = inl(con.io + CONFIG_MAX_PORTS);
  if (!queue_init(&con.control_rx, CONTROL_RX_QUEUE, false) || !queue_init(&con.control_tx, CONTROL_TX_QUEUE, false)) {
    outb(con.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_FAILED);
    return false;
  }
  con.control_rx_buffers = alloc_pages(CONTROL_BUFFERS * CONTROL_BUFFER_BYTES, "control buffers");
  con.control_tx_buffers = alloc_pages(CONTROL_BUFFERS * CONTROL_BUFFER_BYTES, "control buffers");
  con.control_tx_free = (uint16_t)((1u << CONTROL_BUFFERS) - 1);
  uint16_t control_count = con.control_rx.size < CONTROL_BUFFERS ? con.control_rx.size : CONTROL_BUFFERS;
  outb(con.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
  post_receive_buffers(&con.control_rx, con.control_rx_buffers, control_count, CONTROL_BUFFER_BYTES);
  send_control(0, EVENT_DEVICE_READY, 1);
  /*
   * The device answers with PORT_ADD for each port, and each PORT_READY with PORT_NAME. Under TCG
   * it does so while the notification traps, but not always at once (an I/O thread may take the
   * message), so wait for our port until the device has been quiet for a while.
   */
  uint64_t start = ph_uptime_ms(), last = start;
  while (con.port < 0 && ph_uptime_ms() - last < INIT_QUIET_MS && ph_uptime_ms() - start < INIT_MAX_MS) {
    if (control_poll())
      last = ph_uptime_ms();
    else
      ph_idle_until(ph_uptime_ms() + 1);
  }
  if (con.port < 0) {
    kprintf("virtio-console: no port named %s (%u ports announced in %u ms)\n", port_name, con.ports_added,
            (unsigned)(ph_uptime_ms() - start));
    return false;
  }
  if (dev.irq_line > 0 && dev.irq_line < 16) trap_set_irq_handler(dev.irq_line, virtio_console_interrupt);
  kprintf("virtio-console: port %s (%u) at %02x:%02x.%u io %04x irq %u\n", port_name, (unsigned)con.port, dev.bus,
          dev.slot, dev.function, con.io, dev.irq_line);
  return true;
}

size_t virtio_console_read(uint8_t *buf, size_t max) {
  if (!con.open) return 0;
  control_poll();
  size_t n = 0;
  bool returned = false;
  while (n < max) {
    if (!con.reading) {
      uint32_t len;
      if (!queue_take(&con.rx, &con.read_desc, &len)) break;
      if (con.read_desc >= con.rx_count) continue; /* names no buffer of ours: a broken device */
      con.read_len = len < RX_BUFFER_BYTES ? len : RX_BUFFER_BYTES;
      con.read_off = 0;
      con.reading = true;
    }
    uint32_t k = con.read_len - con.read_off;
    if (k > max - n) k = (uint32_t)(max - n);
    memcpy(buf + n, con.rx_buffers + (uint32_t)con.read_desc * RX_BUFFER_BYTES + con.read_off, k);
    n += k;
    con.read_off += k;
    if (con.read_off == con.read_len) {
      con.reading = false;
      queue_put(&con.rx, con.read_desc);
      returned = true;
    }
  }
  if (returned) queue_notify(&con.rx);
  return n;
}

size_t virtio_console_write(const uint8_t *bytes, size_t n) {
  if (!con.open) return n; /* nobody to send to: as a UART without a host, the bytes go nowhere */
  uint16_t d;
  uint32_t len;
  while (queue_take(&con.tx, &d, &len))
    if (d < con.tx_count) con.tx_free |= (uint16_t)(1u << d);
  size_t sent = 0;
  while (sent < n && con.tx_free) {
    d = (uint16_t)__builtin_ctz(con.tx_free);
    con.tx_free &= (uint16_t)~(1u << d);
    uint32_t k = n - sent < TX_BUFFER_BYTES ? (uint32_t)(n - sent) : TX_BUFFER_BYTES;
    uint8_t *buffer = con.tx_buffers + (uint32_t)d * TX_BUFFER_BYTES;
    memcpy(buffer, bytes + sent, k);
    con.tx.desc[d] = (struct vring_desc){(uint32_t)buffer, k, 0, 0};
    queue_put(&con.tx, d);
    sent += k;
  }
  if (sent) queue_notify(&con.tx);
  return sent;
}
