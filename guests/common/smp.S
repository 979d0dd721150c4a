/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-mode trampoline an application processor starts in after
 * INIT/SIPI (smp_start_ap in runtime.c copies it to AP_TRAMP_BASE, the
 * SIPI vector's page, and fills the two slots at its end). It goes the
 * way Linux's trampoline does, in one step: the monitor's GDT (0x500)
 * and identity-mapped page tables (0x9000), PAE, EFER.LME, paging and
 * protection on, a far jump to the 64-bit code segment, a stack, then
 * the C function.
 */
#define AP_TRAMP_BASE 0xf000
#define AT(label) (AP_TRAMP_BASE + ((label) - ap_tramp_start))

	.section .rodata.ap_tramp, "a"
	.globl ap_tramp_start, ap_tramp_end
	.code16
ap_tramp_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	AT(ap_gdtr)
	mov	$0x620, %eax		/* CR4: PAE, OSFXSR, OSXMMEXCPT */
	mov	%eax, %cr4
	mov	$0x9000, %eax		/* the monitor's PML4 */
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	or	$0x100, %eax
	wrmsr
	mov	$0x80000033, %eax	/* CR0: PG, NE, ET, MP, PE */
	mov	%eax, %cr0
	ljmpl	$0x08, $AT(ap_tramp64)

	.code64
ap_tramp64:
	mov	$0x18, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	AT(ap_stack_slot), %rsp
	mov	AT(ap_entry_slot), %rax
	xor	%ebp, %ebp
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.balign 8
ap_gdtr:
	.word	8 * 8 - 1
	.long	0x500
	.balign 8
ap_stack_slot:
	.quad	0
ap_entry_slot:
	.quad	0
ap_tramp_end:

	.section .note.GNU-stack, "", @progbits
