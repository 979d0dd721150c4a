// SPDX-License-Identifier: GPL-2.0
#include "arch/x86_64/cpuid.h"

#include <errno.h>
#include <string.h>

/* Leaf 1 ECX bits the baseline keeps: X2APIC, TSC_DEADLINE, HYPERVISOR. */
#define BASELINE_1_ECX ((1u << 21) | (1u << 24) | (1u << 31))
/* Leaf 7.0 EBX: SMEP (no instruction) and ERMS (rep movsb) only. */
#define BASELINE_7_EBX ((1u << 7) | (1u << 9))
/* 0x80000001 ECX: LAHF_LM. EDX: SYSCALL, NX, 1 GiB pages, LM. */
#define BASELINE_81_ECX (1u << 0)
#define BASELINE_81_EDX ((1u << 11) | (1u << 20) | (1u << 26) | (1u << 29))

struct kvm_cpuid_entry2 *cpuid_find(struct cpuid_table *t, unsigned int fn,
				    unsigned int index)
{
	for (unsigned int i = 0; i < t->hdr.nent && i < CPUID_MAX_ENTRIES; i++) {
		struct kvm_cpuid_entry2 *e = &t->entry[i];

		if (e->function != fn)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

static void apply_baseline(struct cpuid_table *t)
{
	for (unsigned int i = 0; i < t->hdr.nent && i < CPUID_MAX_ENTRIES; i++) {
		struct kvm_cpuid_entry2 *e = &t->entry[i];

		switch (e->function) {
		case 1:
			e->ecx &= BASELINE_1_ECX;
			break;
		case 7:
			if (e->index == 0) {
				e->ebx &= BASELINE_7_EBX;
				e->ecx = 0;
				e->edx = 0;
			} else {
				e->eax = e->ebx = e->ecx = e->edx = 0;
			}
			break;
		case 0xd: /* XSAVE state enumeration: none */
		case 0x14: /* processor trace */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		case 0x80000001:
			e->ecx &= BASELINE_81_ECX;
			e->edx &= BASELINE_81_EDX;
			break;
		default:
			break;
		}
	}
}

void cpuid_apply_template(struct cpuid_table *t, enum cpu_template tmpl,
			  unsigned int apic_id, unsigned int ncpus)
{
	struct kvm_cpuid_entry2 *e;

	if (tmpl == CPU_TEMPLATE_BASELINE)
		apply_baseline(t);

	e = cpuid_find(t, 1, 0);
	if (e) {
		/* EBX[31:24] initial APIC id, [23:16] logical processors. */
		e->ebx = (e->ebx & 0xffffu) | (apic_id << 24) |
			 ((ncpus & 0xffu) << 16);
		if (ncpus > 1)
			e->edx |= 1u << 28; /* HTT: the count field is valid */
		/* OSXSAVE mirrors CR4, which KVM maintains itself. */
		e->ecx &= ~(1u << 27);
		/*
		 * KVM does not offer HYPERVISOR itself (kvm_pvm does): without
		 * it Linux never looks for KVM's leaves, so no kvm-clock, and
		 * under hardware-reduced ACPI no PIT to calibrate the TSC with.
		 */
		e->ecx |= 1u << 31;
	}
	/* Extended topology leaves carry the x2APIC id in EDX. */
	for (unsigned int i = 0; i < t->hdr.nent && i < CPUID_MAX_ENTRIES; i++) {
		e = &t->entry[i];
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = apic_id;
	}
}

int cpuid_set_realtime_hint(struct cpuid_table *t, bool realtime)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(t, KVM_CPUID_FEATURES_LEAF, 0);
	struct kvm_cpuid_entry2 *sig;

	if (!e && !realtime)
		return 0;
	if (!e) {
		if (t->hdr.nent >= CPUID_MAX_ENTRIES)
			return -ENOSPC;
		e = &t->entry[t->hdr.nent++];
		memset(e, 0, sizeof(*e));
		e->function = KVM_CPUID_FEATURES_LEAF;
		/* The signature leaf's EAX is the highest leaf of the range. */
		sig = cpuid_find(t, 0x40000000, 0);
		if (sig && sig->eax < KVM_CPUID_FEATURES_LEAF)
			sig->eax = KVM_CPUID_FEATURES_LEAF;
	}
	if (realtime)
		e->edx |= KVM_HINTS_REALTIME_BIT;
	else
		e->edx &= ~KVM_HINTS_REALTIME_BIT;
	return 0;
}

void cpuid_set_tsc_deadline(struct cpuid_table *t)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(t, 1, 0);

	if (e)
		e->ecx |= 1u << 24;
}
