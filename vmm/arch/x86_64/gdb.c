// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 side of the gdb stub: the register file gdb's amd64 target
 * expects (features org.gnu.gdb.i386.core, .sse and .segments, plus the
 * control registers), guest virtual addresses through KVM_TRANSLATE, and
 * debug registers DR0-DR3/DR7 through KVM_SET_GUEST_DEBUG. What the host
 * KVM does with them is measured by arch_gdb_probe (probe.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/x86_64/debugreg.h"
#include "gdb/arch_gdb.h"
#include "vm.h"

/*
 * The register file, in gdb's numbering: each feature's registers in
 * order, numbered from 0 across features. One list feeds both the target
 * description and the 'g' packet layout, so they cannot disagree.
 * R(name, bits, type, group attribute or "")
 */
#define X86_CORE_REGS(R)                                                  \
	R("rax", 64, "int64", "") R("rbx", 64, "int64", "")               \
	R("rcx", 64, "int64", "") R("rdx", 64, "int64", "")               \
	R("rsi", 64, "int64", "") R("rdi", 64, "int64", "")               \
	R("rbp", 64, "data_ptr", "") R("rsp", 64, "data_ptr", "")         \
	R("r8", 64, "int64", "") R("r9", 64, "int64", "")                 \
	R("r10", 64, "int64", "") R("r11", 64, "int64", "")               \
	R("r12", 64, "int64", "") R("r13", 64, "int64", "")               \
	R("r14", 64, "int64", "") R("r15", 64, "int64", "")               \
	R("rip", 64, "code_ptr", "") R("eflags", 32, "i386_eflags", "")   \
	R("cs", 32, "int32", "") R("ss", 32, "int32", "")                 \
	R("ds", 32, "int32", "") R("es", 32, "int32", "")                 \
	R("fs", 32, "int32", "") R("gs", 32, "int32", "")                 \
	R("st0", 80, "i387_ext", "") R("st1", 80, "i387_ext", "")         \
	R("st2", 80, "i387_ext", "") R("st3", 80, "i387_ext", "")         \
	R("st4", 80, "i387_ext", "") R("st5", 80, "i387_ext", "")         \
	R("st6", 80, "i387_ext", "") R("st7", 80, "i387_ext", "")         \
	R("fctrl", 32, "int", G_FLOAT) R("fstat", 32, "int", G_FLOAT)     \
	R("ftag", 32, "int", G_FLOAT) R("fiseg", 32, "int", G_FLOAT)      \
	R("fioff", 32, "int", G_FLOAT) R("foseg", 32, "int", G_FLOAT)     \
	R("fooff", 32, "int", G_FLOAT) R("fop", 32, "int", G_FLOAT)

#define X86_SSE_REGS(R)                                                   \
	R("xmm0", 128, "vec128", "") R("xmm1", 128, "vec128", "")         \
	R("xmm2", 128, "vec128", "") R("xmm3", 128, "vec128", "")         \
	R("xmm4", 128, "vec128", "") R("xmm5", 128, "vec128", "")         \
	R("xmm6", 128, "vec128", "") R("xmm7", 128, "vec128", "")         \
	R("xmm8", 128, "vec128", "") R("xmm9", 128, "vec128", "")         \
	R("xmm10", 128, "vec128", "") R("xmm11", 128, "vec128", "")       \
	R("xmm12", 128, "vec128", "") R("xmm13", 128, "vec128", "")       \
	R("xmm14", 128, "vec128", "") R("xmm15", 128, "vec128", "")       \
	R("mxcsr", 32, "i386_mxcsr", G_VECTOR)

#define X86_SEGMENT_REGS(R) \
	R("fs_base", 64, "int", "") R("gs_base", 64, "int", "")

#define X86_SYS_REGS(R)                                                   \
	R("cr0", 64, "int", G_SYSTEM) R("cr2", 64, "int", G_SYSTEM)       \
	R("cr3", 64, "int", G_SYSTEM) R("cr4", 64, "int", G_SYSTEM)       \
	R("cr8", 64, "int", G_SYSTEM) R("efer", 64, "int", G_SYSTEM)

#define G_FLOAT " group=\"float\""
#define G_VECTOR " group=\"vector\""
#define G_SYSTEM " group=\"system\""
#define XML_REG(name, bits, type, group) \
	"<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"" group "/>\n"
#define SIZE_OF(name, bits, type, group) (bits) / 8,

/* gdb's features/i386/64bit-core.xml and 64bit-sse.xml describe the same. */
static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>\n"
	"<field name=\"\" start=\"1\" end=\"1\"/>\n"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>\n"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>\n"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>\n"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>\n"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>\n"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>\n"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>\n"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>\n"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>\n"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>\n"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>\n"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>\n"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
	"</flags>\n"
	X86_CORE_REGS(XML_REG)
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.sse\">\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	"<union id=\"vec128\">\n"
	"<field name=\"v4_float\" type=\"v4f\"/>\n"
	"<field name=\"v2_double\" type=\"v2d\"/>\n"
	"<field name=\"v16_int8\" type=\"v16i8\"/>\n"
	"<field name=\"v8_int16\" type=\"v8i16\"/>\n"
	"<field name=\"v4_int32\" type=\"v4i32\"/>\n"
	"<field name=\"v2_int64\" type=\"v2i64\"/>\n"
	"<field name=\"uint128\" type=\"uint128\"/>\n"
	"</union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">\n"
	"<field name=\"IE\" start=\"0\" end=\"0\"/>\n"
	"<field name=\"DE\" start=\"1\" end=\"1\"/>\n"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/>\n"
	"<field name=\"OE\" start=\"3\" end=\"3\"/>\n"
	"<field name=\"UE\" start=\"4\" end=\"4\"/>\n"
	"<field name=\"PE\" start=\"5\" end=\"5\"/>\n"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/>\n"
	"<field name=\"IM\" start=\"7\" end=\"7\"/>\n"
	"<field name=\"DM\" start=\"8\" end=\"8\"/>\n"
	"<field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
	"<field name=\"OM\" start=\"10\" end=\"10\"/>\n"
	"<field name=\"UM\" start=\"11\" end=\"11\"/>\n"
	"<field name=\"PM\" start=\"12\" end=\"12\"/>\n"
	"<field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
	"</flags>\n"
	X86_SSE_REGS(XML_REG)
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	X86_SEGMENT_REGS(XML_REG)
	"</feature>\n"
	"<feature name=\"org.tessera.gdb.x86.sys\">\n"
	X86_SYS_REGS(XML_REG)
	"</feature>\n"
	"</target>\n";

static const uint8_t reg_size[] = {
	X86_CORE_REGS(SIZE_OF) X86_SSE_REGS(SIZE_OF)
	X86_SEGMENT_REGS(SIZE_OF) X86_SYS_REGS(SIZE_OF)
};

/* First numbers of each group in the list above. */
enum {
	REG_GPR = 0,    /* 16 general registers, gdb's order */
	REG_RIP = 16,
	REG_EFLAGS = 17,
	REG_SEG = 18,   /* cs ss ds es fs gs */
	REG_ST = 24,    /* st0-st7 */
	REG_FCTRL = 32, /* fctrl fstat ftag fiseg fioff foseg fooff fop */
	REG_XMM = 40,
	REG_MXCSR = 56,
	REG_FS_BASE = 57,
	REG_GS_BASE = 58,
	REG_CR0 = 59,   /* cr0 cr2 cr3 cr4 cr8 efer */
	REG_COUNT = 65,
};

_Static_assert(sizeof(reg_size) == REG_COUNT, "register list and numbers agree");


const uint8_t arch_gdb_sw_bp_insn[] = { 0xcc }; /* int3 */
const size_t arch_gdb_sw_bp_len = 1;
const char arch_gdb_sw_bp_name[] = "int3";

/* Everything gdb can see of a vCPU. */
struct x86_state {
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_fpu f;
};

unsigned int arch_gdb_hw_slots(void)
{
	return 4;
}

bool arch_gdb_slot_fits(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case GDB_BP_SW:
	case GDB_BP_HW:
		return true; /* instruction breakpoints: DR7 LEN 00 */
	case GDB_WP_WRITE:
	case GDB_WP_ACCESS:
		return (len == 1 || len == 2 || len == 4 || len == 8) &&
		       (addr & (len - 1)) == 0;
	default:
		return false; /* x86 has no read-only data breakpoints */
	}
}

int arch_gdb_set_debug(struct vcpu *v, const struct gdb_debug_cfg *cfg)
{
	struct kvm_guest_debug dbg;
	uint32_t dr7 = X86_DR7_GE | X86_DR7_FIXED;
	bool hw = false;

	memset(&dbg, 0, sizeof(dbg));
	for (unsigned int n = 0; n < 4; n++) {
		if (!cfg->slot[n].used)
			continue;
		dbg.arch.debugreg[n] = cfg->slot[n].addr;
		dr7 |= x86_dr7_bits(&cfg->slot[n], n);
		hw = true;
	}
	dbg.arch.debugreg[7] = dr7;
	if (hw)
		dbg.control |= KVM_GUESTDBG_USE_HW_BP;
	if (cfg->sw_bp)
		dbg.control |= KVM_GUESTDBG_USE_SW_BP;
	if (cfg->step)
		dbg.control |= KVM_GUESTDBG_SINGLESTEP;
	if (cfg->inject_sw_bp)
		dbg.control |= KVM_GUESTDBG_INJECT_BP;
	if (dbg.control)
		dbg.control |= KVM_GUESTDBG_ENABLE;
	if (ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	return 0;
}

/*
 * debug.arch.dr7 is not usable to mask DR6.B0-B3: kvm_pvm reports it as 0
 * with two breakpoints armed. The stub knows which slots it armed.
 */
void arch_gdb_decode_exit(const struct kvm_run *run, struct gdb_debug_exit *e)
{
	const struct kvm_debug_exit_arch *a = &run->debug.arch;

	memset(e, 0, sizeof(*e));
	e->pc = a->pc;
	if (a->exception == X86_BP_VECTOR) {
		e->sw_bp = true;
	} else if (a->exception == X86_DB_VECTOR) {
		e->slot_mask = (unsigned int)(a->dr6 & 0xf);
		e->step = a->dr6 & X86_DR6_BS;
	}
}

const char *arch_gdb_target_xml(void)
{
	return target_xml;
}

size_t arch_gdb_regs_size(void)
{
	size_t n = 0;

	for (unsigned int i = 0; i < REG_COUNT; i++)
		n += reg_size[i];
	return n;
}

static int get_state(struct vcpu *v, struct x86_state *st)
{
	if (ioctl(v->fd, KVM_GET_REGS, &st->r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &st->s) < 0 ||
	    ioctl(v->fd, KVM_GET_FPU, &st->f) < 0)
		return -errno;
	return 0;
}

/* Sets the parts of the state that differ from old. */
static int put_state(struct vcpu *v, const struct x86_state *old,
		     const struct x86_state *st)
{
	if (memcmp(&old->r, &st->r, sizeof(st->r)) &&
	    ioctl(v->fd, KVM_SET_REGS, &st->r) < 0)
		return -errno;
	if (memcmp(&old->s, &st->s, sizeof(st->s)) &&
	    ioctl(v->fd, KVM_SET_SREGS, &st->s) < 0)
		return -errno;
	if (memcmp(&old->f, &st->f, sizeof(st->f)) &&
	    ioctl(v->fd, KVM_SET_FPU, &st->f) < 0)
		return -errno;
	return 0;
}

/* gdb's order of the general registers; kvm_regs has rsp before rbp. */
static uint64_t *gpr(struct kvm_regs *r, unsigned int i)
{
	uint64_t *const p[16] = {
		(uint64_t *)&r->rax, (uint64_t *)&r->rbx, (uint64_t *)&r->rcx,
		(uint64_t *)&r->rdx, (uint64_t *)&r->rsi, (uint64_t *)&r->rdi,
		(uint64_t *)&r->rbp, (uint64_t *)&r->rsp, (uint64_t *)&r->r8,
		(uint64_t *)&r->r9, (uint64_t *)&r->r10, (uint64_t *)&r->r11,
		(uint64_t *)&r->r12, (uint64_t *)&r->r13, (uint64_t *)&r->r14,
		(uint64_t *)&r->r15,
	};

	return p[i];
}

static struct kvm_segment *seg(struct kvm_sregs *s, unsigned int i)
{
	struct kvm_segment *const p[6] = { &s->cs, &s->ss, &s->ds,
					   &s->es, &s->fs, &s->gs };

	return p[i];
}

static uint64_t *sysreg(struct kvm_sregs *s, unsigned int i)
{
	uint64_t *const p[6] = {
		(uint64_t *)&s->cr0, (uint64_t *)&s->cr2, (uint64_t *)&s->cr3,
		(uint64_t *)&s->cr4, (uint64_t *)&s->cr8, (uint64_t *)&s->efer,
	};

	return p[i];
}

/*
 * FXSAVE keeps an abridged tag (one bit per register: not empty); gdb
 * wants the full x87 tag word (two bits: 11 empty). Valid is close enough
 * for a non-empty register.
 */
static uint32_t full_tag(uint8_t abridged)
{
	uint32_t tag = 0;

	for (unsigned int i = 0; i < 8; i++)
		if (!(abridged & (1u << i)))
			tag |= 3u << (2 * i);
	return tag;
}

static uint8_t abridged_tag(uint32_t full)
{
	uint8_t tag = 0;

	for (unsigned int i = 0; i < 8; i++)
		if (((full >> (2 * i)) & 3) != 3)
			tag |= (uint8_t)(1u << i);
	return tag;
}

/* The x87 control group as 32-bit values (amd64 FXSAVE64 layout for the pointers). */
static uint32_t fpu_ctl_get(const struct kvm_fpu *f, unsigned int i)
{
	switch (i) {
	case 0: return f->fcw;
	case 1: return f->fsw;
	case 2: return full_tag(f->ftwx);
	case 3: return (uint32_t)(f->last_ip >> 32);
	case 4: return (uint32_t)f->last_ip;
	case 5: return (uint32_t)(f->last_dp >> 32);
	case 6: return (uint32_t)f->last_dp;
	default: return f->last_opcode;
	}
}

static void fpu_ctl_put(struct kvm_fpu *f, unsigned int i, uint32_t v)
{
	switch (i) {
	case 0: f->fcw = (uint16_t)v; break;
	case 1: f->fsw = (uint16_t)v; break;
	case 2: f->ftwx = abridged_tag(v); break;
	case 3: f->last_ip = (f->last_ip & 0xffffffffu) | (uint64_t)v << 32; break;
	case 4: f->last_ip = (f->last_ip & ~0xffffffffull) | v; break;
	case 5: f->last_dp = (f->last_dp & 0xffffffffu) | (uint64_t)v << 32; break;
	case 6: f->last_dp = (f->last_dp & ~0xffffffffull) | v; break;
	default: f->last_opcode = (uint16_t)v; break;
	}
}

/* Copies register i out of st into out (reg_size[i] bytes, little-endian). */
static void reg_get(struct x86_state *st, unsigned int i, uint8_t *out)
{
	uint64_t v = 0;

	if (i < REG_RIP)
		v = *gpr(&st->r, i);
	else if (i == REG_RIP)
		v = st->r.rip;
	else if (i == REG_EFLAGS)
		v = st->r.rflags;
	else if (i < REG_ST)
		v = seg(&st->s, i - REG_SEG)->selector;
	else if (i < REG_FCTRL)
		memcpy(out, st->f.fpr[i - REG_ST], 10);
	else if (i < REG_XMM)
		v = fpu_ctl_get(&st->f, i - REG_FCTRL);
	else if (i < REG_MXCSR)
		memcpy(out, st->f.xmm[i - REG_XMM], 16);
	else if (i == REG_MXCSR)
		v = st->f.mxcsr;
	else if (i == REG_FS_BASE)
		v = st->s.fs.base;
	else if (i == REG_GS_BASE)
		v = st->s.gs.base;
	else
		v = *sysreg(&st->s, i - REG_CR0);
	if (reg_size[i] <= 8)
		memcpy(out, &v, reg_size[i]); /* x86 is little-endian too */
}

/*
 * Stores register i from in. Segment selectors only take their current
 * value: loading a segment means reading its descriptor, which a debugger
 * write should not half do. 0 or -EINVAL.
 */
static int reg_put(struct x86_state *st, unsigned int i, const uint8_t *in)
{
	uint64_t v = 0;

	if (reg_size[i] <= 8)
		memcpy(&v, in, reg_size[i]);
	if (i < REG_RIP)
		*gpr(&st->r, i) = v;
	else if (i == REG_RIP)
		st->r.rip = v;
	else if (i == REG_EFLAGS)
		st->r.rflags = v | 0x2; /* bit 1 is always set */
	else if (i < REG_ST)
		return v == seg(&st->s, i - REG_SEG)->selector ? 0 : -EINVAL;
	else if (i < REG_FCTRL)
		memcpy(st->f.fpr[i - REG_ST], in, 10);
	else if (i < REG_XMM)
		fpu_ctl_put(&st->f, i - REG_FCTRL, (uint32_t)v);
	else if (i < REG_MXCSR)
		memcpy(st->f.xmm[i - REG_XMM], in, 16);
	else if (i == REG_MXCSR)
		st->f.mxcsr = (uint32_t)v;
	else if (i == REG_FS_BASE)
		st->s.fs.base = v;
	else if (i == REG_GS_BASE)
		st->s.gs.base = v;
	else
		*sysreg(&st->s, i - REG_CR0) = v;
	return 0;
}

int arch_gdb_read_regs(struct vcpu *v, uint8_t *buf, size_t cap)
{
	struct x86_state st;
	size_t off = 0;
	int r;

	if (cap < arch_gdb_regs_size())
		return -ENOSPC;
	r = get_state(v, &st);
	if (r)
		return r;
	for (unsigned int i = 0; i < REG_COUNT; i++) {
		reg_get(&st, i, buf + off);
		off += reg_size[i];
	}
	return (int)off;
}

int arch_gdb_write_regs(struct vcpu *v, const uint8_t *buf, size_t len)
{
	struct x86_state old, st;
	size_t off = 0;
	int r;

	if (len != arch_gdb_regs_size())
		return -EINVAL;
	r = get_state(v, &old);
	if (r)
		return r;
	st = old;
	for (unsigned int i = 0; i < REG_COUNT; i++) {
		r = reg_put(&st, i, buf + off);
		if (r)
			return r;
		off += reg_size[i];
	}
	return put_state(v, &old, &st);
}

int arch_gdb_read_reg(struct vcpu *v, unsigned int regno, uint8_t *buf,
		      size_t cap)
{
	struct x86_state st;
	int r;

	if (regno >= REG_COUNT)
		return -ENOENT;
	if (cap < reg_size[regno])
		return -ENOSPC;
	r = get_state(v, &st);
	if (r)
		return r;
	reg_get(&st, regno, buf);
	return reg_size[regno];
}

int arch_gdb_write_reg(struct vcpu *v, unsigned int regno, const uint8_t *buf,
		       size_t len)
{
	struct x86_state old, st;
	int r;

	if (regno >= REG_COUNT)
		return -ENOENT;
	if (len != reg_size[regno])
		return -EINVAL;
	r = get_state(v, &old);
	if (r)
		return r;
	st = old;
	r = reg_put(&st, regno, buf);
	return r ?: put_state(v, &old, &st);
}

int arch_gdb_get_pc(struct vcpu *v, uint64_t *pc)
{
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		return -errno;
	*pc = r.rip;
	return 0;
}

int arch_gdb_set_pc(struct vcpu *v, uint64_t pc)
{
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		return -errno;
	r.rip = pc;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

int arch_gdb_translate(struct vcpu *v, uint64_t gva, gpa_t *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(v->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return -EFAULT;
	*gpa = tr.physical_address;
	return 0;
}
