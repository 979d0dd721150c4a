// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 side of the gdb stub: the core register file of gdb's aarch64
 * target (feature org.gnu.gdb.aarch64.core: x0-x30, sp, pc, cpsr) through
 * KVM_GET/SET_ONE_REG, and guest debugging through KVM_SET_GUEST_DEBUG:
 * single-step (KVM_GUESTDBG_SINGLESTEP), BRK #0 as the software
 * breakpoint (KVM_GUESTDBG_USE_SW_BP), and the hardware slots as
 * DBGBCR/DBGBVR breakpoint and DBGWCR/DBGWVR watchpoint register pairs
 * (KVM_GUESTDBG_USE_HW; ARM ARM D13.3.2, D13.3.11), as many as
 * KVM_CAP_GUEST_DEBUG_HW_BPS/WPS say. The stub's slots are shared by both
 * kinds; they are dealt to the two banks in order when applied.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/arm64/gdb_dbg.h"
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

/* The host's register counts (KVM_CAP_GUEST_DEBUG_HW_BPS/WPS), set once
 * by the probe on the main thread before any stub thread exists. */
static unsigned int host_bps, host_wps;

int arch_gdb_probe(int kvm_fd, struct gdb_host_caps *caps)
{
	int dbg = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG);
	int bps = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_BPS);
	int wps = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS);

	memset(caps, 0, sizeof(*caps));
	host_bps = bps > 0 ? (unsigned int)bps : 0;
	host_wps = wps > 0 ? (unsigned int)wps : 0;
	if (host_bps > ARM64_DBG_MAX)
		host_bps = ARM64_DBG_MAX;
	if (host_wps > ARM64_DBG_MAX)
		host_wps = ARM64_DBG_MAX;
	caps->step = dbg > 0;
	caps->hw_bp = caps->step && host_bps > 0;
	caps->hw_watch = caps->step && host_wps > 0;
	/* arm64 KVM traps every BRK to the host when asked (no emulator in
	 * the way, unlike x86's int3 on some hosts). */
	caps->sw_bp = caps->step;
	snprintf(caps->detail, sizeof(caps->detail),
		 "arm64: guest debug %s, %u breakpoint and %u watchpoint registers "
		 "(from KVM's capabilities, not run in a probe VM)",
		 caps->step ? "available" : "absent", host_bps, host_wps);
	return 0;
}

unsigned int arch_gdb_hw_slots(void)
{
	unsigned int n = host_bps + host_wps;

	return n > GDB_HW_SLOTS_MAX ? GDB_HW_SLOTS_MAX : n;
}

bool arch_gdb_slot_fits(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	uint64_t wvr;

	if (type == GDB_BP_HW || type == GDB_BP_SW)
		return (addr & 3) == 0;
	return arm64_dbg_wcr(type, addr, len, &wvr) != 0;
}

int arch_gdb_set_debug(struct vcpu *v, const struct gdb_debug_cfg *cfg)
{
	struct kvm_guest_debug dbg;
	unsigned int nb = 0, nw = 0;

	memset(&dbg, 0, sizeof(dbg));
	for (unsigned int i = 0; i < GDB_HW_SLOTS_MAX; i++) {
		const struct gdb_hw_slot *sl = &cfg->slot[i];

		if (!sl->used)
			continue;
		if (sl->type == GDB_BP_HW || sl->type == GDB_BP_SW) {
			if (nb >= host_bps || (sl->addr & 3))
				return -ENOSPC;
			dbg.arch.dbg_bvr[nb] = sl->addr;
			dbg.arch.dbg_bcr[nb++] = arm64_dbg_bcr();
		} else {
			uint64_t wvr = 0;
			uint64_t wcr = arm64_dbg_wcr(sl->type, sl->addr, sl->len, &wvr);

			if (nw >= host_wps || !wcr)
				return -ENOSPC;
			dbg.arch.dbg_wvr[nw] = wvr;
			dbg.arch.dbg_wcr[nw++] = wcr;
		}
	}
	if (nb || nw)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
	/*
	 * arm64 KVM has no KVM_GUESTDBG_INJECT_*: a BRK that is the guest's
	 * own (pc still on it) reaches the guest when the vCPU runs it with
	 * software breakpoints off. One step does that: it ends at the guest's
	 * vector, the stub drops that step (not asked for) and applies the
	 * breakpoints again.
	 */
	if (cfg->sw_bp && !cfg->inject_sw_bp)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	if (cfg->step || cfg->inject_sw_bp)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	return ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

void arch_gdb_decode_exit(const struct kvm_run *run, struct gdb_debug_exit *e)
{
	arm64_dbg_decode(run->debug.arch.hsr, run->debug.arch.far, e);
	/* KVM leaves pc at the instruction that trapped (or, after a step, the
	 * next one); the stub reads it with arch_gdb_get_pc when it needs it. */
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
	return (int)off; /* the block's size, as the stub expects */
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
