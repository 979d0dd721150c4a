// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 side of the gdb stub: the register file gdb's amd64 target
 * expects (features org.gnu.gdb.i386.core, .sse and .segments, plus the
 * control registers), guest virtual addresses through KVM_TRANSLATE, and
 * debug registers DR0-DR3/DR7 through KVM_SET_GUEST_DEBUG.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"
#include "exit.h"
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

#define X86_DR7_GE (1u << 9)
#define X86_DR7_FIXED (1u << 10)
#define X86_DR6_BS (1u << 14)
#define X86_DB_VECTOR 1
#define X86_BP_VECTOR 3

const uint8_t arch_gdb_sw_bp_insn[] = { 0xcc }; /* int3 */
const size_t arch_gdb_sw_bp_len = 1;

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

/* DR7 R/W and LEN encodings (SDM vol. 3, 18.2.4). */
static uint32_t dr7_bits(const struct gdb_hw_slot *s, unsigned int n)
{
	uint32_t rw = s->type == GDB_WP_WRITE ? 1 : s->type == GDB_WP_ACCESS ? 3 : 0;
	uint32_t len = 0;

	if (rw) {
		switch (s->len) {
		case 2: len = 1; break;
		case 4: len = 3; break;
		case 8: len = 2; break;
		default: len = 0; break;
		}
	}
	return (2u << (n * 2)) | (rw << (16 + n * 4)) | (len << (18 + n * 4));
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
		dr7 |= dr7_bits(&cfg->slot[n], n);
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

/* ---- the host probe ------------------------------------------------------ */

#define PROBE_MEM 0x10000
#define PROBE_GDT 0x500
#define PROBE_PML4 0x1000
#define PROBE_PDPT 0x2000
#define PROBE_PD 0x3000
#define PROBE_CODE 0x4000
#define PROBE_STACK 0x8000
#define PROBE_WATCHED 0x9000

/* code+0 nop; code+1 mov %al,0x9000; code+8 int3; code+9 hlt */
static const uint8_t probe_code[] = {
	0x90, 0x88, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0xcc, 0xf4,
};

struct probe {
	int vm_fd, vcpu_fd;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

/* VM-wide state, before the vCPU exists (as arch_vm_init, less the irqchip). */
static int probe_vm(struct probe *p)
{
	static const uint64_t gdt[] = { 0, 0x00af9b000000ffffULL,
					0x00cf93000000ffffULL };
	struct kvm_userspace_memory_region region = {
		.memory_size = PROBE_MEM, .userspace_addr = (uintptr_t)p->mem,
	};
	uint64_t idmap = X86_IDENTITY_MAP_ADDR;

	memcpy(p->mem + PROBE_GDT, gdt, sizeof(gdt));
	*(uint64_t *)(p->mem + PROBE_PML4) = PROBE_PDPT | 3;
	*(uint64_t *)(p->mem + PROBE_PDPT) = PROBE_PD | 3;
	*(uint64_t *)(p->mem + PROBE_PD) = 0x83; /* 2 MiB page at 0, RW */
	memcpy(p->mem + PROBE_CODE, probe_code, sizeof(probe_code));
	if (ioctl(p->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR) < 0 ||
	    ioctl(p->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0 ||
	    ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

/* The probe vCPU: 64-bit kernel mode, the low 2 MiB identity-mapped. */
static int probe_vcpu(int kvm_fd, struct probe *p)
{
	struct cpuid_table t;
	struct kvm_sregs s;
	struct kvm_regs r;

	memset(&t, 0, sizeof(t));
	t.hdr.nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &t) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_CPUID2, &t) < 0 ||
	    ioctl(p->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	x86_flat_segment(&s.cs, 0x08, 0xb, true);
	x86_flat_segment(&s.ds, 0x10, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.selector = 0x18;
	s.tr.limit = 0x67;
	s.tr.type = 0xb;
	s.tr.present = 1;
	s.gdt.base = PROBE_GDT;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = 0x80010033; /* PG WP NE ET MP PE */
	s.cr3 = PROBE_PML4;
	s.cr4 = 0x620;      /* PAE OSFXSR OSXMMEXCPT */
	s.efer = 0x500;     /* LME LMA */
	memset(&r, 0, sizeof(r));
	r.rflags = 0x2;
	r.rip = PROBE_CODE;
	r.rsp = PROBE_STACK;
	if (ioctl(p->vcpu_fd, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

static void probe_free(struct probe *p)
{
	if (p->run != MAP_FAILED)
		munmap(p->run, p->run_size);
	if (p->mem != MAP_FAILED)
		munmap(p->mem, PROBE_MEM);
	if (p->vcpu_fd >= 0)
		close(p->vcpu_fd);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
}

/*
 * Runs the probe code in a fresh VM with dbg until its first exit. true if
 * that exit is KVM_EXIT_DEBUG with this exception and DR6 bits at code+at;
 * what happened goes to caps->detail. -errno if the VM could not be built.
 */
static int probe_one(int kvm_fd, const char *what,
		     const struct kvm_guest_debug *dbg, uint32_t exception,
		     uint64_t dr6_bits, uint64_t at, struct gdb_host_caps *caps)
{
	struct probe p = { -1, -1, MAP_FAILED, MAP_FAILED, 0 };
	const struct kvm_debug_exit_arch *a;
	size_t n = strlen(caps->detail);
	struct kvm_regs r;
	int size, ret;

	p.mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p.mem == MAP_FAILED)
		return -ENOMEM;
	do
		p.vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	while (p.vm_fd < 0 && errno == EINTR);
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	ret = p.vm_fd < 0 || size <= 0 ? -errno : probe_vm(&p);
	if (ret == 0) {
		p.vcpu_fd = ioctl(p.vm_fd, KVM_CREATE_VCPU, 0UL);
		p.run_size = (size_t)size;
		if (p.vcpu_fd >= 0)
			p.run = mmap(NULL, p.run_size, PROT_READ | PROT_WRITE,
				     MAP_SHARED, p.vcpu_fd, 0);
		if (p.vcpu_fd < 0 || p.run == MAP_FAILED)
			ret = -ENOMEM;
	}
	ret = ret ?: probe_vcpu(kvm_fd, &p);
	if (ret == 0 && (ioctl(p.vcpu_fd, KVM_SET_GUEST_DEBUG, dbg) < 0 ||
			 ioctl(p.vcpu_fd, KVM_RUN, 0) < 0 ||
			 ioctl(p.vcpu_fd, KVM_GET_REGS, &r) < 0))
		ret = -errno;
	if (ret == 0) {
		a = &p.run->debug.arch;
		snprintf(caps->detail + n, sizeof(caps->detail) - n,
			 "%s%s: %s at code%+lld", n ? ", " : "", what,
			 exit_reason_name(p.run->exit_reason),
			 (long long)(r.rip - PROBE_CODE));
		ret = p.run->exit_reason == KVM_EXIT_DEBUG &&
		      a->exception == exception &&
		      (a->dr6 & dr6_bits) == dr6_bits && r.rip == PROBE_CODE + at;
	}
	probe_free(&p);
	return ret;
}

int arch_gdb_probe(int kvm_fd, struct gdb_host_caps *caps)
{
	const struct gdb_hw_slot exec = { true, GDB_BP_HW, PROBE_CODE + 1, 1 };
	const struct gdb_hw_slot watch = { true, GDB_WP_WRITE, PROBE_WATCHED, 1 };
	const uint32_t dr7 = X86_DR7_GE | X86_DR7_FIXED;
	struct kvm_guest_debug step = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	struct kvm_guest_debug bp = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_CODE + 1, 0, 0, 0, 0, 0, 0,
				   dr7 | dr7_bits(&exec, 0) },
	};
	struct kvm_guest_debug wp = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_WATCHED, 0, 0, 0, 0, 0, 0,
				   dr7 | dr7_bits(&watch, 0) },
	};
	struct kvm_guest_debug sw = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
	};
	int r;

	memset(caps, 0, sizeof(*caps));
	/* Each from a fresh VM: a probe that fails may leave its vCPU dead. */
	r = probe_one(kvm_fd, "step", &step, X86_DB_VECTOR, X86_DR6_BS, 1, caps);
	if (r < 0)
		return r;
	caps->step = r;
	r = probe_one(kvm_fd, "breakpoint", &bp, X86_DB_VECTOR, 1, 1, caps);
	caps->hw_bp = r > 0;
	r = probe_one(kvm_fd, "watchpoint", &wp, X86_DB_VECTOR, 1, 8, caps);
	caps->hw_watch = r > 0;
	r = probe_one(kvm_fd, "int3", &sw, X86_BP_VECTOR, 0, 8, caps);
	caps->sw_bp = r > 0;
	return 0;
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

unsigned int arch_gdb_nregs(void)
{
	return REG_COUNT;
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
