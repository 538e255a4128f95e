/*
 * poweroff.S — the cold-start benchmark's peer (coldstart.mjs): a multiboot kernel that prints one
 * line on COM1 and powers the machine off at once through isa-debug-exit (port 0xf4, status 0:
 * QEMU exits with 1). Booted with the same QEMU command line as the real kernel, it measures what
 * QEMU, its firmware and the multiboot load cost on this host before any of our code runs: the
 * floor under the time to a resumed program's first line. Not a kernel: no stack, no set-up.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000000

  .text
  .align 4
  .long MB_MAGIC
  .long MB_FLAGS
  .long -(MB_MAGIC + MB_FLAGS)

  .global _start
_start:
  cli
  mov $line, %esi
  mov $0x3f8, %dx        /* COM1's transmit register: QEMU's UART takes a byte whenever written */
1:
  lodsb
  test %al, %al
  jz 2f
  out %al, %dx
  jmp 1b
2:
  mov $0xf4, %dx         /* isa-debug-exit */
  xor %al, %al
  out %al, %dx
3:
  hlt                    /* without the device: halt */
  jmp 3b

line:
  .asciz "poweroff: entered, powering off\n"
