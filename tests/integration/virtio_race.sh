#!/usr/bin/env bash
# Issue 19: two vCPUs race on one virtio-mmio register file (guests/vrace.c:
# the second vCPU comes up through INIT/SIPI and the runtime's real-mode
# trampoline). The monitor neither crashes nor hangs, the device works
# after a reset, and the run ends with the guest's verdict; with the
# ioeventfd/irqfd path and with notifications through MMIO exits.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
truncate -s 1M "$TMP/disk"
for mode in ioeventfd exits; do
	if [ $mode = exits ]; then export TESSERA_NO_IOEVENTFD=1; fi
	TEST_TIMEOUT=120 run_guest vrace --cpus 2 --disk path="$TMP/disk"
	expect_rc 0
	expect_out "vrace: ap up"
	expect_out "vrace: ok"
	grep -q "raced [0-9]* rounds" "$TMP/out" || fail "no round count: $(cat "$TMP/out")"
	echo "$mode: $(grep -o 'raced [0-9]* rounds' "$TMP/out")"
done
echo "PASS virtio_race"
