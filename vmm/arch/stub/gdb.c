// SPDX-License-Identifier: GPL-2.0
/*
 * The stub arch's gdb hooks (vmm/gdb/arch_gdb.h): no registers, no
 * hardware slots, no way to stop a guest. The probe finds nothing, so the
 * stub never enables a debug method.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gdb/arch_gdb.h"

int arch_gdb_probe(int kvm_fd, struct gdb_host_caps *caps)
{
	(void)kvm_fd;
	memset(caps, 0, sizeof(*caps));
	snprintf(caps->detail, sizeof(caps->detail), "stub arch: no debugging");
	return -ENOSYS;
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

/* No breakpoint instruction: zero bytes long. */
const uint8_t arch_gdb_sw_bp_insn[1];
const size_t arch_gdb_sw_bp_len = 0;
const char arch_gdb_sw_bp_name[] = "none";

int arch_gdb_set_debug(struct vcpu *v, const struct gdb_debug_cfg *cfg)
{
	(void)v, (void)cfg;
	return -ENOSYS;
}

void arch_gdb_decode_exit(const struct kvm_run *run, struct gdb_debug_exit *e)
{
	(void)run;
	memset(e, 0, sizeof(*e));
}

const char *arch_gdb_target_xml(void)
{
	return "<?xml version=\"1.0\"?>\n<target version=\"1.0\"></target>\n";
}

size_t arch_gdb_regs_size(void)
{
	return 0;
}

int arch_gdb_read_regs(struct vcpu *v, uint8_t *buf, size_t cap)
{
	(void)v, (void)buf, (void)cap;
	return -ENOSYS;
}

int arch_gdb_write_regs(struct vcpu *v, const uint8_t *buf, size_t len)
{
	(void)v, (void)buf, (void)len;
	return -ENOSYS;
}

int arch_gdb_read_reg(struct vcpu *v, unsigned int regno, uint8_t *buf,
		      size_t cap)
{
	(void)v, (void)regno, (void)buf, (void)cap;
	return -ENOSYS;
}

int arch_gdb_write_reg(struct vcpu *v, unsigned int regno, const uint8_t *buf,
		       size_t len)
{
	(void)v, (void)regno, (void)buf, (void)len;
	return -ENOSYS;
}

int arch_gdb_get_pc(struct vcpu *v, uint64_t *pc)
{
	(void)v, (void)pc;
	return -ENOSYS;
}

int arch_gdb_set_pc(struct vcpu *v, uint64_t pc)
{
	(void)v, (void)pc;
	return -ENOSYS;
}

int arch_gdb_translate(struct vcpu *v, uint64_t gva, gpa_t *gpa)
{
	(void)v, (void)gva, (void)gpa;
	return -ENOSYS;
}
