/* pc-i386 start (multiboot 1): QEMU's loader enters _start in 32-bit protected mode with flat
 * segments, interrupts off and no stack. Clears .bss (the loader leaves NOLOAD memory as it was),
 * sets the stack, runs main and hands its status to board_exit. */
    .section .multiboot, "a"
    .balign 4
    .long 0x1BADB002            /* magic */
    .long 0                     /* flags: an ELF image, nothing asked of the loader */
    .long -0x1BADB002           /* checksum: magic + flags + checksum == 0 */

    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $stack_top, %esp
    call main
    push %eax
    call board_exit
1:  hlt
    jmp 1b
    .size _start, . - _start

    .section .bss.stack, "aw", @nobits
    .balign 16
    .space 65536
stack_top:

    .section .note.GNU-stack, "", @progbits
