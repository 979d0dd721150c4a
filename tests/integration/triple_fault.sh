#!/usr/bin/env bash
# A guest that triple-faults ends the run with status 120 and a report
# naming the vCPU, RIP and the instruction bytes (ud2 = 0f 0b).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
run_guest fault
expect_rc 120
expect_out "fault: about to triple-fault"
expect_err "vCPU 0: guest shut down (triple fault)"
# Where KVM keeps the faulting state (kvm_pvm, VMX) the report shows ud2;
# AMD SVM resets the vCPU before we can read it, and the report says so.
if grep -q "registers are at their reset values" "$TMP/err"; then
	expect_err "RIP 0xfff0"
else
	expect_err "instruction bytes at RIP: 0f 0b"
fi
echo "PASS triple_fault"
