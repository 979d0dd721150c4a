#!/usr/bin/env bash
# int3 in guest kernel mode: delivered to the guest's handler on real KVM;
# on kvm_pvm hosts a KVM_EXIT_INTERNAL_ERROR that the monitor reports with
# the vCPU, RIP and the instruction bytes, exiting 121 (never a hang).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
run_guest int3
expect_out "int3: executing int3"
if [ -e /sys/module/kvm_pvm ]; then
	expect_rc 121
	expect_err "vCPU 0: KVM_EXIT_INTERNAL_ERROR, suberror 1 (instruction emulation failed)"
	expect_err "instruction bytes at RIP: cc "
	expect_err "RIP 0x"
	echo "PASS emulation_failure (kvm_pvm: reported)"
else
	expect_rc 0
	expect_out "int3: delivered"
	echo "PASS emulation_failure (int3 delivered)"
fi
