/*
 * vectors.S — the interrupt entry stubs: one per vector 0..47 (CPU exceptions and the 16 PIC
 * IRQs), each pushing a uniform trap frame (see struct trap_frame in trap.h) and calling
 * trap_dispatch. Exceptions without an error code push a 0 so every frame has one.
 * trap_vectors[] lists the stubs for trap.c to install in the IDT.
 */
.macro STUB num, has_error
  .text
  .type vector\num, @function
vector\num:
  .if \has_error == 0
  push $0
  .endif
  push $\num
  jmp trap_common
  .size vector\num, . - vector\num
  .section .rodata
  .long vector\num
.endm

  .section .rodata
  .align 4
  .global trap_vectors
trap_vectors:
  STUB 0, 0
  STUB 1, 0
  STUB 2, 0
  STUB 3, 0
  STUB 4, 0
  STUB 5, 0
  STUB 6, 0
  STUB 7, 0
  STUB 8, 1
  STUB 9, 0
  STUB 10, 1
  STUB 11, 1
  STUB 12, 1
  STUB 13, 1
  STUB 14, 1
  STUB 15, 0
  STUB 16, 0
  STUB 17, 1
  STUB 18, 0
  STUB 19, 0
  STUB 20, 0
  STUB 21, 1
  STUB 22, 0
  STUB 23, 0
  STUB 24, 0
  STUB 25, 0
  STUB 26, 0
  STUB 27, 0
  STUB 28, 0
  STUB 29, 1
  STUB 30, 1
  STUB 31, 0
  STUB 32, 0
  STUB 33, 0
  STUB 34, 0
  STUB 35, 0
  STUB 36, 0
  STUB 37, 0
  STUB 38, 0
  STUB 39, 0
  STUB 40, 0
  STUB 41, 0
  STUB 42, 0
  STUB 43, 0
  STUB 44, 0
  STUB 45, 0
  STUB 46, 0
  STUB 47, 0

  .text
  .type trap_common, @function
trap_common:
  pusha
  push %ds
  push %es
  push %fs
  push %gs
  mov $0x10, %ax        /* kernel data selector (gdt.c) */
  mov %ax, %ds
  mov %ax, %es
  push %esp             /* struct trap_frame * */
  call trap_dispatch
  add $4, %esp
  pop %gs
  pop %fs
  pop %es
  pop %ds
  popa
  add $8, %esp          /* vector number and error code */
  iret
  .size trap_common, . - trap_common
