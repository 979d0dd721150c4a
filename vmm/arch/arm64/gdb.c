// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 side of the gdb stub, first part: the core register file of
 * gdb's aarch64 target (feature org.gnu.gdb.aarch64.core: x0-x30, sp, pc,
 * cpsr) through KVM_GET/SET_ONE_REG. Guest debugging itself (single-step,
 * hardware breakpoints and watchpoints through KVM_GUESTDBG_USE_HW, BRK)
 * is not wired yet: the probe says so, and KVM_SET_GUEST_DEBUG is never
 * asked for, so gdb can read and write registers and memory (with the
 * MMU off, virtual = physical) but not stop the guest.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/arch_gdb.h"
#include "vm.h"

#define CORE_REG(x)                                                       \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |             \
	 (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))

#define NREGS 34 /* x0-x30, sp, pc, cpsr */
#define REG_SP 31
#define REG_PC 32
#define REG_CPSR 33
#define REGS_SIZE (33 * 8 + 4)

static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>aarch64</architecture>\n"
	"<feature name=\"org.gnu.gdb.aarch64.core\">\n"
#define X(n) "<reg name=\"x" #n "\" bitsize=\"64\"/>\n"
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12)
	X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
	X(24) X(25) X(26) X(27) X(28) X(29) X(30)
#undef X
	"<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"cpsr\" bitsize=\"32\"/>\n"
	"</feature>\n"
	"</target>\n";

/* BRK #0 (0xd4200000), little-endian. */
const uint8_t arch_gdb_sw_bp_insn[] = { 0x00, 0x00, 0x20, 0xd4 };
const size_t arch_gdb_sw_bp_len = sizeof(arch_gdb_sw_bp_insn);
const char arch_gdb_sw_bp_name[] = "brk";

static uint64_t reg_id(unsigned int regno)
{
	if (regno < 31)
		return CORE_REG(regs.regs[regno]);
	if (regno == REG_SP)
		return CORE_REG(sp_el1); /* the guest kernel's stack (EL1h) */
	if (regno == REG_PC)
		return CORE_REG(regs.pc);
	return CORE_REG(regs.pstate);
}

static unsigned int reg_size(unsigned int regno)
{
	return regno == REG_CPSR ? 4 : 8;
}

int arch_gdb_probe(int kvm_fd, struct gdb_host_caps *caps)
{
	(void)kvm_fd;
	memset(caps, 0, sizeof(*caps));
	snprintf(caps->detail, sizeof(caps->detail),
		 "arm64: guest debugging (step, breakpoints) not implemented yet");
	return 0;
}

unsigned int arch_gdb_hw_slots(void)
{
	return 0;
}

bool arch_gdb_slot_fits(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	(void)type, (void)addr, (void)len;
	return false;
}

int arch_gdb_set_debug(struct vcpu *v, const struct gdb_debug_cfg *cfg)
{
	(void)v;
	/* Nothing asked for: nothing to do. Anything else is not there yet. */
	for (unsigned int i = 0; i < GDB_HW_SLOTS_MAX; i++)
		if (cfg->slot[i].used)
			return -ENOSYS;
	return cfg->sw_bp || cfg->step || cfg->inject_sw_bp ? -ENOSYS : 0;
}

void arch_gdb_decode_exit(const struct kvm_run *run, struct gdb_debug_exit *e)
{
	(void)run;
	memset(e, 0, sizeof(*e));
}

const char *arch_gdb_target_xml(void)
{
	return target_xml;
}

size_t arch_gdb_regs_size(void)
{
	return REGS_SIZE;
}

int arch_gdb_read_reg(struct vcpu *v, unsigned int regno, uint8_t *buf,
		      size_t cap)
{
	uint64_t val;
	struct kvm_one_reg reg = { .addr = (uint64_t)(uintptr_t)&val };

	if (regno >= NREGS)
		return -ENOENT;
	if (cap < reg_size(regno))
		return -ENOSPC;
	reg.id = reg_id(regno);
	if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
		return -errno;
	memcpy(buf, &val, reg_size(regno)); /* little-endian, like the target */
	return (int)reg_size(regno);
}

int arch_gdb_write_reg(struct vcpu *v, unsigned int regno, const uint8_t *buf,
		       size_t len)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .addr = (uint64_t)(uintptr_t)&val };

	if (regno >= NREGS)
		return -ENOENT;
	if (len != reg_size(regno))
		return -EINVAL;
	memcpy(&val, buf, len);
	reg.id = reg_id(regno);
	return ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int arch_gdb_read_regs(struct vcpu *v, uint8_t *buf, size_t cap)
{
	size_t off = 0;

	if (cap < REGS_SIZE)
		return -ENOSPC;
	for (unsigned int i = 0; i < NREGS; i++) {
		int n = arch_gdb_read_reg(v, i, buf + off, cap - off);

		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return 0;
}

int arch_gdb_write_regs(struct vcpu *v, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (len != REGS_SIZE)
		return -EINVAL;
	for (unsigned int i = 0; i < NREGS; i++) {
		int r = arch_gdb_write_reg(v, i, buf + off, reg_size(i));

		if (r)
			return r;
		off += reg_size(i);
	}
	return 0;
}

int arch_gdb_get_pc(struct vcpu *v, uint64_t *pc)
{
	uint8_t b[8] = { 0 };
	int n = arch_gdb_read_reg(v, REG_PC, b, sizeof(b));

	if (n < 0)
		return n;
	memcpy(pc, b, sizeof(*pc));
	return 0;
}

int arch_gdb_set_pc(struct vcpu *v, uint64_t pc)
{
	return arch_gdb_write_reg(v, REG_PC, (const uint8_t *)&pc, sizeof(pc));
}

int arch_gdb_translate(struct vcpu *v, uint64_t gva, gpa_t *gpa)
{
	/*
	 * KVM_TRANSLATE is x86-only. With the MMU off (the freestanding
	 * guests, early boot) virtual is physical; past that, a page-table
	 * walk is still to come.
	 */
	if (!guest_mem_ptr(&v->vm->mem, gva, 1))
		return -EFAULT;
	*gpa = gva;
	return 0;
}
