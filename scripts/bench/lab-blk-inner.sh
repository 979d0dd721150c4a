#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the nested lab (as a lab "test"; see scripts/bench/blk.sh):
# the fio jobs of blk-fio-jobs.sh on a 256 MiB image file in L1, then in
# our partition kernel on /dev/vda backed by that file, under tessera and
# under QEMU microvm (virtio-blk-device, cache=writeback, ioeventfd on),
# alternating for BENCH_ROUNDS rounds. One line per job and run:
#   BLKBENCH <host|tessera|qemu> <job> <KiB/s> <IOPS> <clat us>
# around them BLKBENCH-PLAN rounds=N, BLKBENCH-ROUND r and BLKBENCH-DONE,
# so that the summary (lib.sh blk_summary) knows when a round was lost.
set -u
K=${BENCH_KERNEL:-/linux/bzImage-partition}
I=${BENCH_INITRD:-/linux/initrd-fio.cpio.gz}
ROUNDS=${BENCH_ROUNDS:-2}
CMD="quiet tessera.exit=reboot"
img=$TMPDIR/bench.img
[ -x "$TESSERA" ] && [ -f "$K" ] && [ -f "$I" ] && command -v fio >/dev/null ||
	{ echo "BLKBENCH-FAIL missing inputs"; exit 1; }
dd if=/dev/zero of="$img" bs=1M count=256 status=none

guest() { # guest NAME COMMAND...: the guest's FIOJOB lines, renamed
	local name=$1
	shift
	timeout 900 "$@" </dev/null 2>&1 | tr -d '\r' | tee "$TMPDIR/$name.console" |
		sed -n "s/^FIOJOB /BLKBENCH $name /p"
	grep -a "FIOERR" "$TMPDIR/$name.console"
	grep -q "TESSERA-CMD-RC 0" "$TMPDIR/$name.console" ||
		{ echo "BLKBENCH-FAIL $name"; tail -n 20 "$TMPDIR/$name.console"; return 1; }
}

rc=0 # 1 once a run failed: the lab reports the test as FAIL
echo "BLKBENCH-PLAN rounds=$ROUNDS"
for r in $(seq "$ROUNDS"); do
	echo "BLKBENCH-ROUND $r"
	sh /usr/bin/fio-jobs.sh "$img" 0 >"$TMPDIR/host.out" || { echo "BLKBENCH-FAIL host"; rc=1; }
	sed -n 's/^FIOJOB /BLKBENCH host /p; /^FIOERR/p' "$TMPDIR/host.out"
	guest tessera "$TESSERA" run --kernel "$K" --initrd "$I" --memory 512M --cpus 1 \
		--cpu-template host --disk "path=$img" --cmdline "$CMD" || rc=1
	guest qemu qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host \
		-M microvm,x-option-roms=off,rtc=off,acpi=off -m 512M -smp 1 -nodefaults -no-user-config \
		-nographic -serial stdio -no-reboot -kernel "$K" -initrd "$I" \
		-drive "file=$img,format=raw,if=none,id=d0,cache=writeback" \
		-device virtio-blk-device,drive=d0 -append "console=ttyS0 reboot=t $CMD" || rc=1
done
echo "BLKBENCH-DONE"
exit $rc
