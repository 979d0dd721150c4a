// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 side of the gdb stub: the register file of gdb's aarch64
 * target (features org.gnu.gdb.aarch64.core: x0-x30, sp, pc, cpsr, and
 * .fpu: v0-v31, fpsr, fpcr) through KVM_GET/SET_ONE_REG, and guest debugging through KVM_SET_GUEST_DEBUG:
 * single-step (KVM_GUESTDBG_SINGLESTEP), BRK #0 as the software
 * breakpoint (KVM_GUESTDBG_USE_SW_BP), and the hardware slots as
 * DBGBCR/DBGBVR breakpoint and DBGWCR/DBGWVR watchpoint register pairs
 * (KVM_GUESTDBG_USE_HW; ARM ARM D13.3.2, D13.3.11), as many as
 * KVM_CAP_GUEST_DEBUG_HW_BPS/WPS say. The stub's slots are shared by both
 * kinds; they are dealt to the two banks in order when applied. Guest
 * virtual addresses go through the stage-1 walker (mmu.c) with the vCPU's
 * SCTLR_EL1, TCR_EL1 and TTBR0/1_EL1.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/arm64/gdb_dbg.h"
#include "arch/arm64/mmu.h"
#include "gdb/arch_gdb.h"
#include "vm.h"

#define CORE_REG(size, x)                                                 \
	(KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE |                       \
	 (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))

/* gdb's numbering (the target description's order). */
#define NREGS 68 /* x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr */
#define REG_SP 31
#define REG_PC 32
#define REG_CPSR 33
#define REG_V0 34
#define REG_FPSR 66
#define REG_FPCR 67
#define REGS_SIZE (33 * 8 + 4 + 32 * 16 + 4 + 4)

/*
 * Two features: the core registers, and the FP/SIMD file as 128-bit
 * vectors gdb shows as unions of lanes (d: 2 doubles or 64-bit integers,
 * s: 4 singles or 32-bit integers, b: 16 bytes, q: the whole 128 bits).
 */
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
	"<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
	"<vector id=\"v2f\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
	"<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
	"<union id=\"lanes_d\"><field name=\"f\" type=\"v2f\"/>"
	"<field name=\"u\" type=\"v2u\"/></union>\n"
	"<union id=\"lanes_s\"><field name=\"f\" type=\"v4f\"/>"
	"<field name=\"u\" type=\"v4u\"/></union>\n"
	"<union id=\"vreg\"><field name=\"d\" type=\"lanes_d\"/>"
	"<field name=\"s\" type=\"lanes_s\"/><field name=\"b\" type=\"v16u\"/>"
	"<field name=\"q\" type=\"uint128\"/></union>\n"
#define V(n) "<reg name=\"v" #n "\" bitsize=\"128\" type=\"vreg\"/>\n"
	V(0) V(1) V(2) V(3) V(4) V(5) V(6) V(7) V(8) V(9) V(10) V(11) V(12)
	V(13) V(14) V(15) V(16) V(17) V(18) V(19) V(20) V(21) V(22) V(23)
	V(24) V(25) V(26) V(27) V(28) V(29) V(30) V(31)
#undef V
	"<reg name=\"fpsr\" bitsize=\"32\"/>\n"
	"<reg name=\"fpcr\" bitsize=\"32\"/>\n"
	"</feature>\n"
	"</target>\n";

/* BRK #0 (0xd4200000), little-endian. */
const uint8_t arch_gdb_sw_bp_insn[] = { 0x00, 0x00, 0x20, 0xd4 };
const size_t arch_gdb_sw_bp_len = sizeof(arch_gdb_sw_bp_insn);
const char arch_gdb_sw_bp_name[] = "brk";

/*
 * gdb's register regno as KVM_GET/SET_ONE_REG names it, and its size in
 * gdb's block (cpsr: 4 of KVM's 8 bytes of pstate). 0, or -ENOENT.
 */
int arm64_gdb_reg(unsigned int regno, uint64_t *id, unsigned int *size)
{
	if (regno < 31) {
		*id = CORE_REG(KVM_REG_SIZE_U64, regs.regs[regno]);
		*size = 8;
	} else if (regno == REG_SP) {
		/* the guest kernel's stack (EL1h) */
		*id = CORE_REG(KVM_REG_SIZE_U64, sp_el1);
		*size = 8;
	} else if (regno == REG_PC) {
		*id = CORE_REG(KVM_REG_SIZE_U64, regs.pc);
		*size = 8;
	} else if (regno == REG_CPSR) {
		*id = CORE_REG(KVM_REG_SIZE_U64, regs.pstate);
		*size = 4;
	} else if (regno < REG_FPSR) {
		*id = CORE_REG(KVM_REG_SIZE_U128, fp_regs.vregs[regno - REG_V0]);
		*size = 16;
	} else if (regno == REG_FPSR) {
		*id = CORE_REG(KVM_REG_SIZE_U32, fp_regs.fpsr);
		*size = 4;
	} else if (regno == REG_FPCR) {
		*id = CORE_REG(KVM_REG_SIZE_U32, fp_regs.fpcr);
		*size = 4;
	} else {
		return -ENOENT;
	}
	return 0;
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

/* KVM's size of a register id (KVM_REG_SIZE_*), in bytes. */
static size_t kvm_reg_bytes(uint64_t id)
{
	return (size_t)1 << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

int arch_gdb_read_reg(struct vcpu *v, unsigned int regno, uint8_t *buf,
		      size_t cap)
{
	uint8_t val[16] __attribute__((aligned(16))) = { 0 };
	struct kvm_one_reg reg = { .addr = (uint64_t)(uintptr_t)val };
	unsigned int size;
	uint64_t id;

	if (arm64_gdb_reg(regno, &id, &size))
		return -ENOENT;
	reg.id = id;
	if (cap < size)
		return -ENOSPC;
	if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
		return -errno;
	memcpy(buf, val, size); /* little-endian, like the target */
	return (int)size;
}

int arch_gdb_write_reg(struct vcpu *v, unsigned int regno, const uint8_t *buf,
		       size_t len)
{
	uint8_t val[16] __attribute__((aligned(16))) = { 0 };
	struct kvm_one_reg reg = { .addr = (uint64_t)(uintptr_t)val };
	unsigned int size;
	uint64_t id;

	if (arm64_gdb_reg(regno, &id, &size))
		return -ENOENT;
	reg.id = id;
	if (len != size)
		return -EINVAL;
	/* cpsr: gdb's 32 bits over KVM's 64 (the upper half is RES0). */
	if (kvm_reg_bytes(reg.id) > size && ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
		return -errno;
	memcpy(val, buf, len);
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
		uint64_t id;
		unsigned int size;
		int r = arm64_gdb_reg(i, &id, &size);

		r = r ?: arch_gdb_write_reg(v, i, buf + off, size);
		if (r)
			return r;
		off += size;
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

/* The system registers of a stage-1 walk (ARM ARM D17.2: op0, op1, CRn, CRm, op2). */
static const uint64_t mmu_reg_ids[4] = {
	ARM64_SYS_REG(3, 0, 1, 0, 0), /* SCTLR_EL1 */
	ARM64_SYS_REG(3, 0, 2, 0, 2), /* TCR_EL1 */
	ARM64_SYS_REG(3, 0, 2, 0, 0), /* TTBR0_EL1 */
	ARM64_SYS_REG(3, 0, 2, 0, 1), /* TTBR1_EL1 */
};

int arch_gdb_translate(struct vcpu *v, uint64_t gva, gpa_t *gpa)
{
	uint64_t val[4];
	struct arm64_mmu_regs r;

	/*
	 * KVM_TRANSLATE is x86-only: walk the guest's own tables (mmu.c),
	 * with the registers the parked vCPU has now. Four ioctls per page
	 * the stub touches; a gdb packet touches few.
	 */
	for (unsigned int i = 0; i < 4; i++) {
		struct kvm_one_reg reg = {
			.id = mmu_reg_ids[i],
			.addr = (uint64_t)(uintptr_t)&val[i],
		};

		if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
			return -errno;
	}
	r.sctlr = val[0];
	r.tcr = val[1];
	r.ttbr0 = val[2];
	r.ttbr1 = val[3];
	return arm64_mmu_translate(&v->vm->mem, &r, gva, gpa);
}
