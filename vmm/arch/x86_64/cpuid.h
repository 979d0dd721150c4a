/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID: what KVM_GET_SUPPORTED_CPUID offers, filtered through
 * a CPU template, with the per-vCPU topology fields filled in.
 */
#ifndef TESSERA_X86_CPUID_H
#define TESSERA_X86_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>

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

/*
 * Advertises the TSC-deadline timer (CPUID.1:ECX[24]). KVM emulates it in
 * the in-kernel LAPIC but leaves it out of KVM_GET_SUPPORTED_CPUID: the
 * monitor sets it when KVM_CAP_TSC_DEADLINE_TIMER says it is there. Pure.
 */
void cpuid_set_tsc_deadline(struct cpuid_table *t);

#define KVM_CPUID_FEATURES_LEAF 0x40000001
#define KVM_HINTS_REALTIME_BIT (1u << 0) /* EDX of 0x40000001 */

/*
 * Sets or clears KVM_HINTS_REALTIME (leaf 0x40000001 EDX bit 0): "vCPUs are
 * never preempted for long and never lose their host CPU", which tells
 * Linux to spin rather than yield (no PV spinlocks, haltpoll). Adds the
 * leaf if KVM did not offer it and there is room. Returns 0 or -ENOSPC.
 * Pure; unit-tested.
 */
int cpuid_set_realtime_hint(struct cpuid_table *t, bool realtime);

/* Finds an entry, or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct cpuid_table *t, unsigned int fn,
				    unsigned int index);

#endif
