/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID: what KVM_GET_SUPPORTED_CPUID offers, filtered through
 * a CPU template, with the per-vCPU topology fields filled in.
 */
#ifndef TESSERA_X86_CPUID_H
#define TESSERA_X86_CPUID_H

#include <linux/kvm.h>

#include "config.h"

#define CPUID_MAX_ENTRIES 256

struct cpuid_table {
	struct kvm_cpuid2 hdr;
	struct kvm_cpuid_entry2 entry[CPUID_MAX_ENTRIES];
};

/*
 * Applies the template to a table KVM offered, then sets the APIC id of
 * vCPU apic_id of ncpus. Pure; unit-tested. Template "baseline" keeps only
 * what our kvm_pvm hosts' instruction emulator can execute in guest kernel
 * mode (HOST.md): no SSE3..SSE4.2, POPCNT, CX16, XSAVE family, AVX, SMAP,
 * FSGSBASE, RDTSCP, RDRAND, MOVBE, AES, PCLMUL, BMI, ADX and friends.
 */
void cpuid_apply_template(struct cpuid_table *t, enum cpu_template tmpl,
			  unsigned int apic_id, unsigned int ncpus);

/* Finds an entry, or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct cpuid_table *t, unsigned int fn,
				    unsigned int index);

#endif
