/*
 * boot.S — the multiboot (v1) entry. The boot loader (QEMU's -kernel, or GRUB) loads the ELF at
 * 1 MiB and jumps to _start in 32-bit protected mode with paging off, EAX = the multiboot magic
 * and EBX = the multiboot information. We read the TSC first (boot_entry_tsc: how long the machine
 * ran before the kernel, its firmware and the kernel's load; timer.c reports it), set up the boot
 * stack and call kmain (main.c).
 * Not here: the GDT and IDT (gdt.c, trap.c) — the loader's flat segments serve until then.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* bit 0: page-align modules; bit 1: give us the memory map */

  .section .multiboot, "a"
  .align 4
  .long MB_MAGIC
  .long MB_FLAGS
  .long -(MB_MAGIC + MB_FLAGS)

  .section .data
  .align 8
  .global boot_entry_tsc
boot_entry_tsc:        /* the TSC at _start; in .data, as it is written before anything could clear .bss */
  .quad 0

  .section .bss
  .align 4096
  .global boot_stack_guard, boot_stack, boot_stack_top
boot_stack_guard:      /* one page left unmapped by paging.c: a stack overflow faults here */
  .skip 4096
boot_stack:
  .skip 65536
boot_stack_top:

  .section .text
  .global _start
  .type _start, @function
_start:
  cli
  mov %eax, %esi        /* rdtsc takes EAX and EDX; the magic goes back to EAX below */
  rdtsc
  mov %eax, boot_entry_tsc
  mov %edx, boot_entry_tsc + 4
  mov %esi, %eax
  mov $boot_stack_top, %esp
  xor %ebp, %ebp        /* a zero frame pointer ends every stack trace */
  push %ebx             /* struct multiboot_info * */
  push %eax             /* multiboot magic */
  call kmain
1:
  cli
  hlt
  jmp 1b
  .size _start, . - _start
