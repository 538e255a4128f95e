/*
 * A tiny multiboot guest for vm-manager's driver tests, not the Phantom kernel: it prints
 * "tick N" on COM1 at a steady pace and answers each byte it receives with "echo: C", so tests
 * can see a machine run, pause, take input and go back in time when a checkpoint is reverted.
 * Two bytes make it die as a broken kernel would, for the crash tests: '!' triple-faults the CPU
 * (an empty IDT, then an exception), 'P' announces a panic on the pvpanic device and halts.
 * 'F' floods the console: "line N of 20000" for N = 1 to 20000, as fast as the port takes them.
 * 'I' takes a breakpoint interrupt and returns from it ("interrupt returned"), which a KVM that
 * cannot run i386 guests (these machines' PVM /dev/kvm) stops on with "KVM internal error".
 * Built by the tests with the host's gcc (-m32); nothing here is shipped.
 */
#define COM1 0x3f8
#define PVPANIC_PORT 0x505
#define MULTIBOOT_MAGIC 0x1badb002u

__attribute__((section(".multiboot"), used, aligned(4))) static const unsigned int multiboot_header[3] = {
    MULTIBOOT_MAGIC, 0, -MULTIBOOT_MAGIC};

__attribute__((used)) static unsigned char stack[8192] __attribute__((aligned(16)));

static inline void outb(unsigned short port, unsigned char value) {
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline unsigned char inb(unsigned short port) {
  unsigned char value;
  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline unsigned long long rdtsc(void) {
  unsigned long long t;
  __asm__ volatile("rdtsc" : "=A"(t));
  return t;
}

static void put(char c) {
  while (!(inb(COM1 + 5) & 0x20)) {
  }
  outb(COM1, (unsigned char)c);
}

static void puts_(const char *s) {
  while (*s) put(*s++);
}

static void put_number(unsigned int n) {
  char digits[11];
  int i = 0;
  do {
    digits[i++] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  while (i) put(digits[--i]);
}

/* Under TCG the TSC follows the host clock: about ten ticks a second. Pacing from "now" keeps a
 * revert (which restores the counter, not the clock) from printing a burst of catch-up ticks. */
#define TICK_CYCLES 200000000ull

static void triple_fault(void) {
  static const struct __attribute__((packed)) {
    unsigned short limit;
    unsigned int base;
  } empty_idt = {0, 0};
  __asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
}

/* Flat code and data segments of our own: multiboot leaves the GDT register undefined, and IRET
 * reloads CS from it. */
static const unsigned long long gdt[3] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
#define CODE_SELECTOR 0x08
#define DATA_SELECTOR 0x10
static unsigned long long idt[4];
#define BREAKPOINT_VECTOR 3
/* A 32-bit interrupt gate, present, ring 0. */
#define INTERRUPT_GATE 0x8eull

extern void breakpoint_entry(void);
__asm__(".global breakpoint_entry\n"
        "breakpoint_entry:\n"
        "  iret\n");

static void interrupt_and_return(void) {
  const struct __attribute__((packed)) {
    unsigned short limit;
    unsigned int base;
  } gdtr = {sizeof gdt - 1, (unsigned int)gdt}, idtr = {sizeof idt - 1, (unsigned int)idt};
  unsigned int handler = (unsigned int)breakpoint_entry;
  __asm__ volatile("lgdt %0\n"
                   "ljmp %1, $1f\n"
                   "1: mov %2, %%ax\n"
                   "mov %%ax, %%ds\n"
                   "mov %%ax, %%es\n"
                   "mov %%ax, %%ss\n"
                   :
                   : "m"(gdtr), "i"(CODE_SELECTOR), "i"(DATA_SELECTOR)
                   : "eax", "memory");
  idt[BREAKPOINT_VECTOR] = (handler & 0xffffu) | ((unsigned long long)CODE_SELECTOR << 16) |
                           (INTERRUPT_GATE << 40) | ((unsigned long long)(handler >> 16) << 48);
  __asm__ volatile("lidt %0; int3" : : "m"(idtr) : "memory");
  puts_("interrupt returned\n");
}

static void die(char how) {
  if (how == '!') {
    puts_("triple-faulting now\n");
    triple_fault();
  }
  puts_("panicking now\n");
  outb(PVPANIC_PORT, 1);
  for (;;) __asm__ volatile("cli; hlt");
}

void kmain(void) {
  unsigned int tick = 0;
  unsigned long long next = rdtsc();
  puts_("tick-kernel up\n");
  for (;;) {
    if (inb(COM1 + 5) & 0x01) {
      char c = (char)inb(COM1);
      if (c == '!' || c == 'P') die(c);
      if (c == 'I') {
        puts_("interrupting now\n");
        interrupt_and_return();
        continue;
      }
      if (c == 'F') {
        for (unsigned int n = 1; n <= 20000; n++) {
          puts_("line ");
          put_number(n);
          puts_(" of 20000\n");
        }
        continue;
      }
      puts_("echo: ");
      put(c);
      put('\n');
    }
    if (rdtsc() >= next) {
      puts_("tick ");
      put_number(tick++);
      put('\n');
      next = rdtsc() + TICK_CYCLES;
    }
  }
}

__asm__(".global _start\n"
        "_start:\n"
        "  mov $stack + 8192, %esp\n"
        "  call kmain\n"
        "1: hlt\n"
        "  jmp 1b\n");
