/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of every freestanding AArch64 test guest. The monitor enters here
 * as Linux's arm64 boot protocol says (Documentation/arm64/booting.rst):
 * EL1h, MMU and caches off, DAIF masked, x0 = guest-physical address of
 * the DTB, x1-x3 = 0. We mask interrupts again, install the exception
 * vectors (an IRQ goes to gic.c's dispatcher; any other exception is
 * reported, not looped on), set the
 * stack, clear BSS, let the runtime read the DTB (the UART, the
 * debug-exit register), turn the MMU and caches on (runtime.c's
 * guest_mmu_init: an identity map, RAM Normal write-back), then call
 * main(dtb) and hand its return value to guest_exit (PSCI SYSTEM_OFF).
 *
 * Until the MMU is on every data access is Device-nGnRnE, so the guests
 * are built with -mstrict-align (an unaligned access would fault there).
 */
	.section .text.start, "ax"
	.globl _start
_start:
	msr	daifset, #0xf
	mov	x19, x0			/* the DTB, kept across the calls */
	adr	x1, guest_vectors
	msr	vbar_el1, x1
	isb
	adrp	x1, stack_top
	add	x1, x1, :lo12:stack_top
	mov	sp, x1
	mov	x29, xzr
	mov	x30, xzr
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	guest_runtime_init
	bl	guest_mmu_init		/* -1: it stays off, said on the console */
	mov	x0, x19
	bl	main
	bl	guest_exit
3:	wfi
	b	3b

/*
 * A CPU started by guest_start_cpu() (PSCI CPU_ON): EL1, MMU off, x0 the
 * address of its {stack, function, MMU registers} (runtime.c's cpu_ctx,
 * cleaned to memory). Same vectors and tables as the boot CPU; the MMU
 * goes on first (SCTLR 0 in the context: the boot CPU left it off), so
 * that this CPU shares the boot CPU's cacheable view of RAM.
 */
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	adr	x1, guest_vectors
	msr	vbar_el1, x1
	isb
	mov	x19, x0
	ldr	x1, [x0, #48]		/* mmu.sctlr */
	cbz	x1, 6f
	add	x0, x0, #16		/* &mmu */
	bl	guest_mmu_on
6:	mov	x0, x19
	ldp	x1, x2, [x0]
	mov	sp, x1
	mov	x29, xzr
	mov	x30, xzr
	blr	x2
5:	wfi
	b	5b

/*
 * guest_mmu_on(regs): x0 = {MAIR, TCR, TTBR0, TTBR1, SCTLR}_EL1 (guest.h's
 * struct guest_mmu_regs). Registers first, the TLB cleaned of whatever a
 * previous life left, then SCTLR_EL1 (M, C, I). Uses x1-x5, no stack; the
 * code runs on, as it is identity-mapped.
 */
	.globl	guest_mmu_on
guest_mmu_on:
	ldp	x1, x2, [x0]
	ldp	x3, x4, [x0, #16]
	ldr	x5, [x0, #32]
	msr	mair_el1, x1
	msr	tcr_el1, x2
	msr	ttbr0_el1, x3
	msr	ttbr1_el1, x4
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	sctlr_el1, x5
	isb
	ret

/*
 * The vector table (ARM ARM D1.10.2): 16 entries of 0x80 bytes, 2 KiB
 * aligned. Every entry passes its index, the syndrome, the return address
 * and the fault address to guest_exception(), which reports and exits.
 */
	.macro	vector idx
	.balign	0x80
	mov	x0, #\idx
	b	exception_common
	.endm

	.balign	0x800
	.globl	guest_vectors
guest_vectors:
	.irp	i, 0, 1, 2, 3, 4
	vector	\i
	.endr
	/* 5: IRQ at the current EL with SP_EL1 (ours): handled, returns. */
	.balign	0x80
	b	irq_entry
	.irp	i, 6, 7
	vector	\i
	.endr
	/* 8: synchronous from EL0 (a guest's unprivileged task: its SVC). */
	.balign	0x80
	b	el0_sync_entry
	/* 9: IRQ while EL0 runs: the same handler. */
	.balign	0x80
	b	irq_entry
	.irp	i, 10, 11, 12, 13, 14, 15
	vector	\i
	.endr

/*
 * An IRQ: save what the C calling convention lets guest_irq_dispatch()
 * clobber (x0-x18, x29, x30) and ELR/SPSR, dispatch (gic.c), restore, eret.
 * IRQs stay masked (PSTATE.I) while the handler runs: no nesting.
 */
	.macro	save_regs
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	mrs	x0, elr_el1
	stp	x30, x0, [sp, #160]
	mrs	x0, spsr_el1
	str	x0, [sp, #176]
	.endm

	.macro	restore_regs_eret
	ldr	x0, [sp, #176]
	msr	spsr_el1, x0
	ldp	x30, x0, [sp, #160]
	msr	elr_el1, x0
	ldp	x18, x29, [sp, #144]
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #192
	eret
	.endm

irq_entry:
	save_regs
	bl	guest_irq_dispatch
	restore_regs_eret

/*
 * A synchronous exception from EL0 (on SP_EL1): guest_el0_sync(ESR) deals
 * with it (runtime.c's default reports it and exits; a guest with an EL0
 * task, such as the real-time probe, serves its SVCs) and returns to EL0.
 */
el0_sync_entry:
	save_regs
	mrs	x0, esr_el1
	bl	guest_el0_sync
	restore_regs_eret

exception_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	/* A fault may come from a broken stack: take a fresh one. */
	adrp	x4, stack_top
	add	x4, x4, :lo12:stack_top
	mov	sp, x4
	bl	guest_exception
4:	wfi
	b	4b

	.section .bss
	.balign 16
	.space	16384
stack_top:

	.section .note.GNU-stack, "", %progbits
