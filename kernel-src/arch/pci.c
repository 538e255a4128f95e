/*
 * pci.c — PCI configuration space through the I/O ports 0xCF8/0xCFC (mechanism 1), a search
 * for a device that walks bus 0 and every bus behind a PCI-to-PCI bridge, and I/O ports for a
 * device the firmware left without them: SeaBIOS assigns every BAR, qboot (the fast firmware
 * vm-manager boots with, for a kernel QEMU loads itself) assigns none, as Linux does that itself.
 */
#include "arch.h"
#include "cpu.h"

enum {
  PCI_CONFIG_ADDRESS = 0xCF8,
  PCI_CONFIG_DATA = 0xCFC,
  PCI_ID = 0x00,
  PCI_COMMAND = 0x04,
  PCI_CLASS = 0x08,
  PCI_HEADER_TYPE = 0x0C,
  PCI_BAR0 = 0x10,
  PCI_BUS_NUMBERS = 0x18, /* bridges: primary, secondary, subordinate bus */
  PCI_INTERRUPT = 0x3C,
  COMMAND_IO = 0x1,
  COMMAND_BUS_MASTER = 0x4,
  CLASS_BRIDGE_PCI = 0x0604,
  PIIX3_ISA_ID = 0x70008086, /* device << 16 | vendor: the i440FX board's ISA bridge, at 00:01.0 */
  PIIX_PIRQ_ROUTE = 0x60,    /* four bytes: the IRQ each of PIRQ A..D drives */
  PIRQ_ROUTE_OFF = 0x80,
  MAX_BUS_DEPTH = 8,
  /* Where I/O BARs go when the kernel assigns them: above the ISA and chipset ports, as SeaBIOS does. */
  IO_WINDOW_START = 0xC000,
  IO_WINDOW_END = 0x10000,
};

static uint32_t io_cursor = IO_WINDOW_START;

static uint32_t address(const struct pci_device *d, uint8_t offset) {
  return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->slot << 11 | (uint32_t)d->function << 8 |
         (offset & 0xFC);
}

uint32_t pci_read32(const struct pci_device *dev, uint8_t offset) {
  outl(PCI_CONFIG_ADDRESS, address(dev, offset));
  return inl(PCI_CONFIG_DATA);
}

void pci_write32(const struct pci_device *dev, uint8_t offset, uint32_t value) {
  outl(PCI_CONFIG_ADDRESS, address(dev, offset));
  outl(PCI_CONFIG_DATA, value);
}

uint32_t pci_bar(const struct pci_device *dev, unsigned n, bool *is_io) {
  uint32_t bar = pci_read32(dev, (uint8_t)(PCI_BAR0 + 4 * n));
  *is_io = bar & 1;
  return *is_io ? bar & ~3u : bar & ~15u;
}

uint32_t pci_assign_io_bar(const struct pci_device *dev, unsigned n) {
  uint8_t offset = (uint8_t)(PCI_BAR0 + 4 * n);
  pci_write32(dev, offset, 0xFFFFFFFFu);
  uint32_t mask = pci_read32(dev, offset) & 0xFFFCu; /* the size's bits read back as zero */
  pci_write32(dev, offset, 0);
  if (mask == 0) return 0;
  uint32_t size = (~mask & 0xFFFFu) + 1;
  uint32_t base = (io_cursor + size - 1) & ~(size - 1);
  if (base + size > IO_WINDOW_END) return 0;
  pci_write32(dev, offset, base);
  io_cursor = base + size;
  return base;
}

void pci_enable_io(const struct pci_device *dev) {
  uint32_t command = pci_read32(dev, PCI_COMMAND);
  pci_write32(dev, PCI_COMMAND, (command & 0xFFFF) | COMMAND_IO | COMMAND_BUS_MASTER);
}

/*
 * The IRQ a bus-0 device's interrupt pin (1 = INTA) reaches on QEMU's i440FX board: pin P of the
 * device in slot S drives PIRQ (S - 1 + P - 1) mod 4 (A = 0), and the ISA bridge's route register
 * for that PIRQ names the IRQ.
 * SeaBIOS writes the same into the device's interrupt-line register; qboot writes another (the
 * disk in slot 2 interrupted on IRQ 10 while its register said 11), so the route is what counts.
 */
static uint8_t routed_irq(const struct pci_device *d, uint8_t pin) {
  if (d->bus != 0 || pin < 1 || pin > 4) return d->irq_line;
  struct pci_device bridge = {0, 1, 0, 0, 0, 0};
  if (pci_read32(&bridge, PCI_ID) != PIIX3_ISA_ID) return d->irq_line;
  uint8_t route = (uint8_t)(pci_read32(&bridge, PIIX_PIRQ_ROUTE) >> (8 * ((d->slot + pin - 2) & 3)));
  return route & PIRQ_ROUTE_OFF ? d->irq_line : route & 0x0F;
}

struct search {
  uint16_t vendor;
  const uint16_t *ids;
  unsigned id_count;
  unsigned skip; /* matches still to pass over before the one we want */
  struct pci_device *out;
};

static bool matches(const struct search *s, uint16_t vendor, uint16_t device) {
  if (vendor != s->vendor) return false;
  for (unsigned i = 0; i < s->id_count; i++)
    if (s->ids[i] == device) return true;
  return false;
}

static bool scan_bus(struct search *s, uint8_t bus, int depth) {
  for (uint8_t slot = 0; slot < 32; slot++) {
    struct pci_device d = {bus, slot, 0, 0, 0, 0};
    if ((pci_read32(&d, PCI_ID) & 0xFFFF) == 0xFFFF) continue;
    unsigned functions = (pci_read32(&d, PCI_HEADER_TYPE) >> 16) & 0x80 ? 8 : 1;
    for (uint8_t fn = 0; fn < functions; fn++) {
      d.function = fn;
      uint32_t id = pci_read32(&d, PCI_ID);
      if ((id & 0xFFFF) == 0xFFFF) continue;
      d.vendor = (uint16_t)id;
      d.device = (uint16_t)(id >> 16);
      uint32_t interrupt = pci_read32(&d, PCI_INTERRUPT);
      d.irq_line = (uint8_t)interrupt;
      if (matches(s, d.vendor, d.device) && s->skip-- == 0) {
        d.irq_line = routed_irq(&d, (uint8_t)(interrupt >> 8));
        *s->out = d;
        return true;
      }
      if ((pci_read32(&d, PCI_CLASS) >> 16) == CLASS_BRIDGE_PCI && depth < MAX_BUS_DEPTH) {
        uint8_t secondary = (uint8_t)(pci_read32(&d, PCI_BUS_NUMBERS) >> 8);
        if (secondary > bus && scan_bus(s, secondary, depth + 1)) return true;
      }
    }
  }
  return false;
}

bool pci_find(uint16_t vendor, const uint16_t *device_ids, unsigned id_count, unsigned index,
              struct pci_device *out) {
  struct search s = {vendor, device_ids, id_count, index, out};
  return scan_bus(&s, 0, 0);
}
