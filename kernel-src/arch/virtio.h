/*
 * virtio.h — what the legacy (virtio 0.9) PCI drivers share: the I/O registers, the status bits
 * and the split virtqueue's layout (descriptors, then the available ring, then on the next page
 * the used ring). virtio_blk.c and virtio_console.c use it; each keeps its own queues.
 */
#ifndef PHANTOM_VIRTIO_H
#define PHANTOM_VIRTIO_H

#include <stdint.h>

#include "arch.h"

enum {
  VIRTIO_VENDOR = 0x1AF4,
  /* legacy I/O registers */
  VIRTIO_REG_DEVICE_FEATURES = 0x00,
  VIRTIO_REG_DRIVER_FEATURES = 0x04,
  VIRTIO_REG_QUEUE_PFN = 0x08,
  VIRTIO_REG_QUEUE_SIZE = 0x0C,
  VIRTIO_REG_QUEUE_SELECT = 0x0E,
  VIRTIO_REG_QUEUE_NOTIFY = 0x10,
  VIRTIO_REG_STATUS = 0x12,
  VIRTIO_REG_ISR = 0x13,    /* reading it acknowledges the interrupt */
  VIRTIO_REG_CONFIG = 0x14, /* the device's own configuration (no MSI-X) */
  VIRTIO_STATUS_ACKNOWLEDGE = 1,
  VIRTIO_STATUS_DRIVER = 2,
  VIRTIO_STATUS_DRIVER_OK = 4,
  VIRTIO_STATUS_FAILED = 128,
  VIRTIO_DESC_NEXT = 1,
  VIRTIO_DESC_WRITE = 2, /* the device writes this buffer */
  VIRTIO_AVAIL_NO_INTERRUPT = 1,
};

struct vring_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
struct vring_avail {
  uint16_t flags;
  uint16_t idx;
  uint16_t ring[];
};
struct vring_used_elem {
  uint32_t id;
  uint32_t len;
};
struct vring_used {
  uint16_t flags;
  uint16_t idx;
  struct vring_used_elem ring[];
};

/** Bytes of a queue of n entries, the used ring page-aligned after the rest (legacy layout). */
static inline uint32_t vring_bytes(uint16_t n) {
  uint32_t avail_end = 16u * n + 6u + 2u * n;
  return ((avail_end + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1)) + ((6u + 8u * n + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1));
}

/** Offset of the used ring in a queue of n entries. */
static inline uint32_t vring_used_offset(uint16_t n) { return (16u * n + 6u + 2u * n + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1); }

static inline void virtio_barrier(void) { __asm__ volatile("" ::: "memory"); }

#endif
