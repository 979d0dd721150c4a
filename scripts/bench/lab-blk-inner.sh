#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the nested lab (as a lab "test"; see scripts/bench/blk.sh):
# the fio jobs of blk-fio-jobs.sh (sequential and random, read and write,
# iodepth 1, 16, 64, libaio, O_DIRECT) on a RAM block device in L1
# (/dev/ram0, brd, loaded by the lab with brd.rd_size), then in our
# partition kernel on /dev/vda backed by that device, under tessera
# (direct=on) and under QEMU microvm (virtio-blk-device, cache=none, both
# aio=io_uring and aio=threads), alternating for BENCH_ROUNDS rounds.
# Every layer opens the device with O_DIRECT, so no page cache stands
# between a guest and the RAM disk. Without /dev/ram0 (brd missing) a
# file in L1's tmpfs stands in, buffered in L1 (tmpfs on 6.1 refuses
# O_DIRECT); the BLKBENCH-INFO line says which. One line per job and run:
#   BLKBENCH <host|tessera|tessera-workers|qemu-uring|qemu-threads> <job> <KiB/s> <IOPS> <clat us>
# (tessera-workers: tessera with TESSERA_BLK_NO_AIO=1, the worker pool alone)
# around them BLKBENCH-PLAN rounds=N, BLKBENCH-ROUND r and BLKBENCH-DONE,
# so that the summary (lib.sh blk_summary) knows when a round was lost.
set -u
K=${BENCH_KERNEL:-/linux/bzImage-partition}
I=${BENCH_INITRD:-/linux/initrd-fio.cpio.gz}
ROUNDS=${BENCH_ROUNDS:-2}
DEPTHS=${BENCH_DEPTHS:-1,16,64}
CMD="quiet tessera.exit=reboot"
[ -x "$TESSERA" ] && [ -f "$K" ] && [ -f "$I" ] && command -v fio >/dev/null ||
	{ echo "BLKBENCH-FAIL missing inputs"; exit 1; }
if [ -b /dev/ram0 ]; then
	dev=/dev/ram0 direct=1 tdisk="path=/dev/ram0,direct=on" qcache=none
	dd if=/dev/zero of="$dev" bs=1M count=256 oflag=direct status=none
else
	dev=$TMPDIR/bench.img direct=0 tdisk="path=$TMPDIR/bench.img" qcache=writeback
	dd if=/dev/zero of="$dev" bs=1M count=256 status=none
fi
echo "BLKBENCH-INFO backing=$dev bytes=$(blockdev --getsize64 "$dev" 2>/dev/null || wc -c <"$dev") direct_in_L1=$direct loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"

guest() { # guest NAME COMMAND...: the guest's FIOJOB lines, renamed
	local name=$1
	shift
	timeout 900 "$@" </dev/null 2>&1 | tr -d '\r' | tee "$TMPDIR/$name.console" |
		sed -n "s/^FIOJOB /BLKBENCH $name /p"
	grep -a "FIOERR" "$TMPDIR/$name.console"
	# tessera -v: the disk's exit line (requests, most in flight).
	grep -a "requests in flight" "$TMPDIR/$name.console" | sed 's/^/BLKBENCH-STATS /'
	grep -q "TESSERA-CMD-RC 0" "$TMPDIR/$name.console" ||
		{ echo "BLKBENCH-FAIL $name"; tail -n 20 "$TMPDIR/$name.console"; return 1; }
}

qemu() { # qemu NAME AIO
	guest "$1" qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host \
		-M microvm,x-option-roms=off,rtc=off,acpi=off -m 512M -smp 1 -nodefaults -no-user-config \
		-nographic -serial stdio -no-reboot -kernel "$K" -initrd "$I" \
		-drive "file=$dev,format=raw,if=none,id=d0,cache=$qcache,aio=$2" \
		-device virtio-blk-device,drive=d0 -append "console=ttyS0 reboot=t $CMD fio.depths=$d"
}

rc=0 # 1 once a run failed: the lab reports the test as FAIL
echo "BLKBENCH-PLAN rounds=$ROUNDS depths=$DEPTHS"
# Depth by depth inside a round, each monitor booted once per depth (the
# guest takes fio.depths= from its command line): the five runs of a job
# lie within about a minute, so a round's ratios see one host load (the
# build machines are shared, and their load moves within minutes).
for r in $(seq "$ROUNDS"); do
	echo "BLKBENCH-ROUND $r"
	for d in $(echo "$DEPTHS" | tr ',' ' '); do
		sh /usr/bin/fio-jobs.sh "$dev" "$direct" 3 libaio "$d" >"$TMPDIR/host.out" || { echo "BLKBENCH-FAIL host"; rc=1; }
		sed -n 's/^FIOJOB /BLKBENCH host /p; /^FIOERR/p' "$TMPDIR/host.out"
		guest tessera "$TESSERA" run --kernel "$K" --initrd "$I" --memory 512M --cpus 1 \
			--cpu-template host --disk "$tdisk" -v --cmdline "$CMD fio.depths=$d" || rc=1
		# The same without Linux AIO (every request through the worker pool):
		# what AIO is worth, paired in the round.
		guest tessera-workers env TESSERA_BLK_NO_AIO=1 "$TESSERA" run --kernel "$K" --initrd "$I" \
			--memory 512M --cpus 1 --cpu-template host --disk "$tdisk" -v \
			--cmdline "$CMD fio.depths=$d" || rc=1
		qemu qemu-uring io_uring || rc=1
		qemu qemu-threads threads || rc=1
	done
	echo "BLKBENCH-LOAD $r $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "BLKBENCH-DONE"
exit $rc
