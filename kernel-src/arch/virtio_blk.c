/*
 * virtio_blk.c — the store disk: a virtio block device through the legacy (virtio 0.9) PCI
 * I/O-port interface, which QEMU offers for `-drive if=virtio` and `-device virtio-blk-pci`.
 * Implements the ph_disk_* calls of platform.h.
 *
 * One request queue (virtqueue 0). A call splits its transfer into requests of at most
 * MAX_REQUEST_PAGES pages, puts as many in flight as the ring holds, and waits until all are
 * done, synchronously: the pager reads pages inside the page-fault handler. While it waits the
 * CPU halts with interrupts on, woken by the device's interrupt (or the 1 kHz tick), then
 * collects completions from the used ring. Halting rather than spinning matters under QEMU
 * TCG: a spinning vCPU takes the host core that QEMU's I/O thread needs to complete the
 * request (measured: 2 ms per one-block read spinning, on a loaded 2-core host). The interrupt
 * handlers that can run meanwhile (timer, serial, this one) touch nothing the pager uses.
 * ph_disk_read_ranges reads scattered blocks the same way, every range's requests in flight
 * together, one wait for all. ph_disk_write_start is the one call that does not wait: the
 * snapshot writer starts a run of pages and goes on (the programs run) while QEMU writes it;
 * ph_disk_wait collects it. Every waiting call waits for started writes too, so no read
 * overtakes a write. Requests are numbered as they are started (ph_disk_mark), so that
 * ph_disk_done and ph_disk_wait_for can wait for the ones up to a number while later ones stay
 * in flight.
 * Buffers may be anywhere mapped (kernel memory or the object space): each page is translated
 * to its frame. A device error status is PH_EIO; a device that stops answering within
 * DEVICE_TIMEOUT_US is declared dead and every later call fails with PH_EIO.
 */
#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"
#include "spec.h"
#include "virtio.h"

enum {
  VIRTIO_BLK_LEGACY_ID = 0x1001,
  REG_CAPACITY = VIRTIO_REG_CONFIG, /* device config: capacity in 512-byte sectors, u64 */
  FEATURE_FLUSH = 1u << 9,
  REQ_IN = 0,
  REQ_OUT = 1,
  REQ_FLUSH = 4,
  REQ_STATUS_OK = 0,
  SECTOR_BYTES = 512,
  MAX_QUEUE = 1024,
  MAX_REQUEST_PAGES = 32,
  DEVICE_TIMEOUT_US = 10 * 1000 * 1000,
};

struct request_header {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

/* Per head descriptor: the request's header and status byte, which the device reads and writes. */
struct request_slot {
  struct request_header header;
  volatile uint8_t status;
  bool in_flight;
  bool started; /* by ph_disk_write_start: its error is ph_disk_wait's to report */
  uint32_t number; /* in the order requests were started (disk.started) */
};

static struct {
  uint16_t io;
  uint16_t queue_size;
  uint32_t blocks;
  bool has_flush;
  bool dead;
  bool has_irq;
  struct vring_desc *desc;
  volatile struct vring_avail *avail;
  volatile struct vring_used *used;
  uint16_t free_head, free_count, last_used;
  uint16_t failed_requests; /* completions with an error status since the batch began */
  uint16_t failed_started;  /* started writes that failed since the last ph_disk_wait */
  uint32_t started;         /* number of the last request started */
  uint32_t oldest;          /* number of the oldest request in flight (when any is) */
  uint16_t in_flight;       /* requests in flight */
  struct request_slot *slots;
} disk;


static void virtio_blk_interrupt(struct trap_frame *frame) { inb(disk.io + VIRTIO_REG_ISR); }

bool virtio_blk_init(unsigned index) {
  static const uint16_t ids[] = {VIRTIO_BLK_LEGACY_ID};
  struct pci_device dev;
  if (!pci_find(VIRTIO_VENDOR, ids, 1, index, &dev)) {
    kprintf("virtio-blk: no disk %u (attach one with -drive file=...,if=virtio,format=raw)\n", index);
    return false;
  }
  bool is_io;
  uint32_t bar = pci_bar(&dev, 0, &is_io);
  if (!is_io) {
    kprintf("virtio-blk: disk %u has no legacy I/O BAR; not usable\n", index);
    return false;
  }
  if (bar == 0) bar = pci_assign_io_bar(&dev, 0); /* qboot assigns no BARs */
  if (bar == 0) {
    kprintf("virtio-blk: disk %u has no I/O ports and none are left to give it; not usable\n", index);
    return false;
  }
  pci_enable_io(&dev);
  disk.io = (uint16_t)bar;
  outb(disk.io + VIRTIO_REG_STATUS, 0); /* reset */
  outb(disk.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
  outb(disk.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  uint32_t features = inl(disk.io + VIRTIO_REG_DEVICE_FEATURES);
  disk.has_flush = features & FEATURE_FLUSH;
  outl(disk.io + VIRTIO_REG_DRIVER_FEATURES, features & FEATURE_FLUSH);

  outw(disk.io + VIRTIO_REG_QUEUE_SELECT, 0);
  uint16_t n = inw(disk.io + VIRTIO_REG_QUEUE_SIZE);
  if (n == 0 || n > MAX_QUEUE || (n & (n - 1))) {
    kprintf("virtio-blk: unusable queue size %u\n", n);
    outb(disk.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_FAILED);
    return false;
  }
  uint32_t bytes = vring_bytes(n);
  uint32_t slot_bytes = n * sizeof(struct request_slot);
  uint32_t ring = pmm_alloc_contiguous((bytes + slot_bytes + PAGE_BYTES - 1) / PAGE_BYTES);
  if (!ring) ph_panic("virtio-blk: no memory for the queue");
  memset((void *)ring, 0, bytes + slot_bytes);
  disk.queue_size = n;
  disk.desc = (struct vring_desc *)ring;
  disk.avail = (volatile struct vring_avail *)(ring + 16u * n);
  disk.used = (volatile struct vring_used *)(ring + vring_used_offset(n));
  disk.slots = (struct request_slot *)(ring + bytes);
  for (uint16_t i = 0; i < n; i++) disk.desc[i].next = (uint16_t)(i + 1);
  disk.free_head = 0;
  disk.free_count = n;
  disk.has_irq = dev.irq_line > 0 && dev.irq_line < 16;
  disk.avail->flags = disk.has_irq ? 0 : VIRTIO_AVAIL_NO_INTERRUPT;
  if (disk.has_irq) trap_set_irq_handler(dev.irq_line, virtio_blk_interrupt);
  outl(disk.io + VIRTIO_REG_QUEUE_PFN, ring / PAGE_BYTES);
  outb(disk.io + VIRTIO_REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);

  uint64_t sectors = (uint64_t)inl(disk.io + REG_CAPACITY) | (uint64_t)inl(disk.io + REG_CAPACITY + 4) << 32;
  uint64_t blocks = sectors / (BLOCK_SIZE / SECTOR_BYTES);
  disk.blocks = blocks > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)blocks;
  kprintf("virtio-blk: disk %u at %02x:%02x.%u io %04x irq %u, %u blocks (%llu MiB), queue %u%s\n", index, dev.bus,
          dev.slot, dev.function, disk.io, dev.irq_line, disk.blocks, blocks * BLOCK_SIZE >> 20, n,
          disk.has_flush ? ", flush" : "");
  return true;
}

static uint16_t take_desc(void) {
  uint16_t i = disk.free_head;
  disk.free_head = disk.desc[i].next;
  disk.free_count--;
  return i;
}

/** Collects finished requests, returning their descriptors; counts the failed ones. */
static void reap(void) {
  while (!disk.dead && disk.last_used != disk.used->idx) {
    virtio_barrier();
    uint32_t head = disk.used->ring[disk.last_used % disk.queue_size].id;
    disk.last_used++;
    /* Check, then do: a completion naming no request in flight means a broken device. */
    if (head >= disk.queue_size || !disk.slots[head].in_flight) {
      kprintf("virtio-blk: the disk completed request %u, which is not in flight; giving up on it\n", head);
      disk.dead = true;
      return;
    }
    struct request_slot *slot = &disk.slots[head];
    if (slot->status != REQ_STATUS_OK) {
      if (slot->started) disk.failed_started++;
      else disk.failed_requests++;
    }
    slot->in_flight = false;
    if (--disk.in_flight && slot->number == disk.oldest) { /* find the next oldest */
      disk.oldest = disk.started;
      for (uint16_t k = 0; k < disk.queue_size; k++)
        if (disk.slots[k].in_flight && (int32_t)(disk.slots[k].number - disk.oldest) < 0) disk.oldest = disk.slots[k].number;
    }
    uint16_t i = (uint16_t)head;
    for (uint32_t links = 0; links < disk.queue_size; links++) {
      uint16_t flags = disk.desc[i].flags, next = disk.desc[i].next;
      disk.desc[i].next = disk.free_head;
      disk.free_head = i;
      disk.free_count++;
      if (!(flags & VIRTIO_DESC_NEXT)) break;
      i = next;
    }
  }
}

/** Every request up to number `mark` is done (reaped). */
static bool done_upto(uint32_t mark) { return disk.in_flight == 0 || (int32_t)(disk.oldest - mark) > 0; }

/**
 * Polls until at least `wanted` descriptors are free (or all, for wanted = queue size), or, with
 * `upto`, until every request up to number *upto is done.
 */
static int wait_for(uint16_t wanted, const uint32_t *upto) {
  uint64_t deadline = ph_tsc() + (uint64_t)DEVICE_TIMEOUT_US * ph_tsc_per_us();
  for (;;) {
    reap();
    if (disk.dead) return PH_EIO;
    if (upto ? done_upto(*upto) : disk.free_count >= wanted) return PH_OK;
    if (ph_tsc() > deadline) {
      disk.dead = true;
      kprintf("virtio-blk: the disk did not answer within %d s; giving up on it\n", DEVICE_TIMEOUT_US / 1000000);
      return PH_EIO;
    }
    if (disk.has_irq) {
      cpu_sti_hlt(); /* the completion's interrupt (or the next tick) wakes us */
      cpu_cli();
    } else {
      cpu_pause();
    }
  }
}

static int wait_for_descriptors(uint16_t wanted) { return wait_for(wanted, 0); }

/*
 * Queues one request: header, the data bytes [va, va + bytes) (may be none), status. Data is
 * split at page boundaries (each page translated to its frame) and merged again where frames
 * are contiguous. The caller ensured room for bytes / PAGE_BYTES + 3 descriptors.
 */
static void submit(uint32_t type, uint64_t sector, uint32_t va, uint32_t bytes, bool started) {
  uint16_t head = take_desc();
  struct request_slot *slot = &disk.slots[head];
  slot->header = (struct request_header){type, 0, sector};
  slot->status = 0xFF;
  slot->in_flight = true;
  slot->started = started;
  slot->number = ++disk.started;
  if (disk.in_flight++ == 0) disk.oldest = slot->number;
  disk.desc[head] = (struct vring_desc){(uint32_t)&slot->header, sizeof slot->header, VIRTIO_DESC_NEXT, disk.desc[head].next};
  uint16_t prev = head;
  uint16_t data_flags = VIRTIO_DESC_NEXT | (type == REQ_IN ? VIRTIO_DESC_WRITE : 0);
  while (bytes > 0) {
    uint32_t piece = PAGE_BYTES - va % PAGE_BYTES;
    if (piece > bytes) piece = bytes;
    uint32_t phys = paging_virt_to_phys(va);
    if (!phys) ph_panic("virtio-blk: buffer page %08x is not mapped", va);
    struct vring_desc *last = &disk.desc[prev];
    if (prev != head && last->addr + last->len == phys) {
      last->len += piece;
    } else {
      uint16_t d = take_desc();
      disk.desc[d] = (struct vring_desc){phys, piece, data_flags, disk.desc[d].next};
      disk.desc[prev].next = d;
      prev = d;
    }
    va += piece;
    bytes -= piece;
  }
  uint16_t status = take_desc();
  disk.desc[status] = (struct vring_desc){(uint32_t)&slot->status, 1, VIRTIO_DESC_WRITE, disk.desc[status].next};
  disk.desc[prev].next = status;
  disk.avail->ring[disk.avail->idx % disk.queue_size] = head;
  virtio_barrier();
  disk.avail->idx++;
  virtio_barrier();
  outw(disk.io + VIRTIO_REG_QUEUE_NOTIFY, 0);
}

static int check_ready(uint32_t block, uint32_t count) {
  if (!disk.io) return PH_ENODEV;
  if (disk.dead) return PH_EIO;
  if (block > disk.blocks || count > disk.blocks - block) return PH_ERANGE;
  return PH_OK;
}

/** Queues the requests of a transfer (a flush is one request without data). Interrupts are off. */
static int queue_transfer(uint32_t type, uint32_t block, uint32_t va, uint32_t count, bool started) {
  int r = PH_OK;
  uint32_t done = 0;
  do {
    uint32_t pages = count - done < MAX_REQUEST_PAGES ? count - done : MAX_REQUEST_PAGES;
    r = wait_for_descriptors((uint16_t)(pages + 3));
    if (r == PH_OK)
      submit(type, (uint64_t)(block + done) * (BLOCK_SIZE / SECTOR_BYTES), va + done * BLOCK_SIZE, pages * BLOCK_SIZE,
             started);
    done += pages;
  } while (done < count && r == PH_OK);
  return r;
}

/** Queues the transfers of `n` ranges of one type, all in flight together, then waits once for every request. */
static int transfer_ranges(uint32_t type, const struct ph_disk_range *ranges, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    int r = check_ready(ranges[i].block, ranges[i].count);
    if (r != PH_OK) return r;
  }
  uint32_t flags = irq_save();
  disk.failed_requests = 0;
  int r = PH_OK;
  for (uint32_t i = 0; i < n && r == PH_OK; i++)
    if (ranges[i].count || type == REQ_FLUSH)
      r = queue_transfer(type, ranges[i].block, (uint32_t)ranges[i].buf, ranges[i].count, false);
  if (r == PH_OK) r = wait_for_descriptors(disk.queue_size);
  irq_restore(flags);
  if (r == PH_OK && disk.failed_requests) {
    kprintf("virtio-blk: %u request(s) failed (%s of blocks %u..%u%s)\n", disk.failed_requests,
            type == REQ_IN ? "read" : type == REQ_OUT ? "write" : "flush", ranges[0].block,
            ranges[0].block + ranges[0].count, n > 1 ? " and other ranges" : "");
    r = PH_EIO;
  }
  return r;
}

static int transfer(uint32_t type, uint32_t block, uint32_t va, uint32_t count) {
  struct ph_disk_range range = {block, (void *)va, count};
  if (count == 0 && type != REQ_FLUSH) return check_ready(block, count);
  return transfer_ranges(type, &range, 1);
}

uint32_t ph_disk_blocks(void) { return disk.io ? disk.blocks : 0; }

int ph_disk_read(uint32_t block, void *buf, uint32_t count) {
  return transfer(REQ_IN, block, (uint32_t)buf, count);
}

int ph_disk_read_ranges(const struct ph_disk_range *ranges, uint32_t n) { return transfer_ranges(REQ_IN, ranges, n); }

int ph_disk_write(uint32_t block, const void *buf, uint32_t count) {
  return transfer(REQ_OUT, block, (uint32_t)buf, count);
}

int ph_disk_write_start(uint32_t block, const void *buf, uint32_t count) {
  int r = check_ready(block, count);
  if (r != PH_OK || count == 0) return r;
  uint32_t flags = irq_save();
  r = queue_transfer(REQ_OUT, block, (uint32_t)buf, count, true);
  irq_restore(flags);
  return r;
}

int ph_disk_flush_start(void) {
  if (disk.io && !disk.has_flush) return PH_OK; /* a device without flush writes through */
  int r = check_ready(0, 0);
  if (r != PH_OK) return r;
  uint32_t flags = irq_save();
  r = queue_transfer(REQ_FLUSH, 0, 0, 0, true);
  irq_restore(flags);
  return r;
}

bool ph_disk_idle(void) {
  if (!disk.io || disk.dead) return true;
  uint32_t flags = irq_save();
  reap();
  bool idle = disk.free_count == disk.queue_size;
  irq_restore(flags);
  return idle;
}

uint32_t ph_disk_mark(void) { return disk.started; }

bool ph_disk_done(uint32_t mark) {
  if (!disk.io || disk.dead) return true;
  uint32_t flags = irq_save();
  reap();
  bool done = done_upto(mark);
  irq_restore(flags);
  return done;
}

/** Waits as wait_for says, then reports (and forgets) the started writes that failed meanwhile. */
static int wait_started(uint16_t wanted, const uint32_t *upto) {
  if (!disk.io) return PH_ENODEV;
  uint32_t flags = irq_save();
  int r = wait_for(wanted, upto);
  irq_restore(flags);
  if (r == PH_OK && disk.failed_started) {
    kprintf("virtio-blk: %u started write(s) failed\n", disk.failed_started);
    r = PH_EIO;
  }
  disk.failed_started = 0;
  return r;
}

int ph_disk_wait_for(uint32_t mark) { return wait_started(0, &mark); }

int ph_disk_wait(void) { return wait_started(disk.queue_size, 0); }

int ph_disk_flush(void) {
  if (disk.io && !disk.has_flush) return PH_OK; /* a device without flush writes through */
  return transfer(REQ_FLUSH, 0, 0, 0);
}
