/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of every freestanding test guest. Tessera enters here in 64-bit
 * long mode (identity-mapped low 4 GiB, interrupts off); we set a stack,
 * call main() and hand its return value to the debug-exit port.
 *
 * RSI holds the address of the zero page (Linux boot_params) at entry; it
 * becomes main's first argument, so a guest may declare
 * int main(uint64_t boot_params) (guests/dtinfo.c). Guests declared
 * int main(void) just ignore it (SysV x86-64: RDI is caller-set).
 */
	.section .text.start, "ax"
	.globl _start
_start:
	lea	stack_top(%rip), %rsp
	xor	%ebp, %ebp
	mov	%rsi, %rdi
	call	main
	mov	%eax, %edi
	call	guest_exit
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign 16
	.space	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
