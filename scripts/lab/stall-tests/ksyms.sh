#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Not a test: names the kernel addresses of stall reports ($LAB_LOG.stall)
# against the same kernel's /proc/kallsyms in a fresh L1 (Debian's package
# ships a placeholder System.map). Edit the list below (label.register=low
# 32 bits of the address; the first address of each label must be an idle
# stack pointer, on init_stack), then:
#   flock /tmp/tessera-lab-x86.lock timeout 600 nice -n 5 env LAB_APPEND=lab.verbose=1 \
#       LAB_TESTS_DIR=$PWD/scripts/lab/stall-tests scripts/lab/run.sh ksyms
# Each report's L1 ran with KASLR: its _text is found from that stack
# pointer (init_stack's offset from _text, 2 MiB steps), and each address is
# looked up by its offset from _text. About 100 s in L1 (busybox awk).
echo "kptr_restrict=$(cat /proc/sys/kernel/kptr_restrict) uname=$(uname -r)"
# label=address (low 32 bits) from the reports of 2026-12-03 03:04 (the
# two-CPU hang in gdb_safety) and 02:41 (a healthy idle L1, HLT=1: the check).
set -- \
	lab1.rsp1=8be03e48 lab1.rip1=8ae10d9b lab1.rax1=8be1b998 lab1.rbp1=8be03e90 \
	lab1.r13=8be1aa40 lab1.r14=8b7983a0 lab1.r15=8be1b510 \
	lab1.rsp2=8be03d50 lab1.rip2=8ae04ffe lab1.rcx2=8b001199 \
	t3.rsp=92a03e98 t3.rip=91a17a0b t3.rax=91a178a0 t3.rbp=92a1aa40
awk -v args="$*" '
function hex(s,   i, c, v) { v = 0; s = tolower(s)
	for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
	return v }
{ a = hex(substr($1, 9)); n++; addr[n] = a; typ[n] = $2; name[n] = $3
  if ($3 == "_text") text = a; if ($3 == "init_stack") istack = a; if ($3 == "init_thread_union" || $3 == "__start_init_task") itu = a }
END {
	if (!istack) istack = itu
	printf "_text %08x init_stack %08x (offset %x; mod 2 MiB %x)\n", text, istack, istack - text, (istack - text) % 2097152
	k = split(args, w, " ")
	for (j = 1; j <= k; j++) {
		split(w[j], p, "="); split(p[1], q, "."); v = hex(p[2])
		if (!(q[1] in base)) {
			# The run s _text: from its first rsp (on init_stack), 2 MiB aligned.
			b = v - (istack - text); b = b - (b % 2097152); base[q[1]] = b
			printf "%s: _text %08x\n", q[1], b
		}
		t = v - base[q[1]] + text
		best = 0
		for (i = 1; i <= n; i++) if (addr[i] <= t && (!best || addr[i] > addr[best])) best = i
		printf "%-10s %s -> %s+0x%x [%s]\n", p[1], p[2], name[best], t - addr[best], typ[best]
	}
}' /proc/kallsyms
echo "idle-related symbols:"
grep -E " (default_idle|arch_cpu_idle|do_idle|cpu_idle_poll|cpuidle_idle_call|default_idle_call|amd_e400_idle|mwait_idle|poll_idle|__cpuidle_text_start|__cpuidle_text_end|__noinstr_text_start|__noinstr_text_end|_stext|_etext)$" /proc/kallsyms
