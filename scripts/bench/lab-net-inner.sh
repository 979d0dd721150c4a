#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the nested lab (as a lab "test"; see scripts/bench/net.sh):
# our partition kernel with scripts/bench/net-guest.sh as its initramfs
# command, under tessera (--net tap=) and under QEMU microvm
# (virtio-net-device on a tap, vhost off), alternating for BENCH_ROUNDS
# rounds, each in a private network namespace (unshare -n). L1 serves a
# BENCH_MB MiB file with busybox httpd (the guest's wget times it: rx) and
# then fetches the same file from the guest's httpd (timed here: tx);
# between the two the guest runs iperf3 against L1's server (iperf3 -s),
# each way for 5 s (iperf-rx: L1 sends, iperf-tx: the guest sends).
# One line per direction and run:
#   NETBENCH <tessera|qemu> <rx|tx|iperf-rx|iperf-tx> <bytes> <seconds>
# around them NETBENCH-PLAN rounds=N, NETBENCH-ROUND r and NETBENCH-DONE,
# so that the summary (lib.sh net_summary) knows when a round was lost.
set -u
K=${BENCH_KERNEL:-/linux/bzImage-partition}
I=${BENCH_INITRD:-/linux/initrd-netbench.cpio.gz}
ROUNDS=${BENCH_ROUNDS:-2}
PERF=0 # 1 (net.sh NET_PERF=1): one more run of each monitor under perf, not timed
MB=${BENCH_MB:-32}
CMD="quiet tessera.exit=reboot"
[ -x "$TESSERA" ] && [ -f "$K" ] && [ -f "$I" ] || { echo "NETBENCH-FAIL missing inputs"; exit 1; }
[ -c /dev/net/tun ] || modprobe tun 2>/dev/null
command -v iperf3 >/dev/null || { echo "NETBENCH-FAIL no iperf3 in L1"; exit 1; }

cat >"$TMPDIR/one.sh" <<'SH'
# one.sh NAME VMM...: one run in this (fresh) network namespace.
name=$1
shift
www=$TMPDIR/www-$name
rm -rf "$www"; mkdir -p "$www"
dd if=/dev/zero of="$www/big" bs=1M count="$MB" 2>/dev/null
ip link set lo up
# Every address of this private namespace, before the guest can ask.
httpd -p 8080 -h "$www" || { echo "NETBENCH-FAIL $name httpd"; exit 1; }
iperf3 -s -D -I "$TMPDIR/iperf-$name.pid" >/dev/null 2>&1 || { echo "NETBENCH-FAIL $name iperf3 -s"; exit 1; }
# perf-*: the whole of L1 sampled while the monitor runs (cpu-clock: L1
# has no PMU under TCG), reported by thread and by symbol afterwards.
case $name in perf-*) perf record -a -F 499 -o "$TMPDIR/$name.data" >/dev/null 2>&1 & perf_pid=$! ;; esac
"$@" </dev/null >"$TMPDIR/$name.console" 2>&1 &
pid=$!
i=0
until ip link show tsn0 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "NETBENCH-FAIL $name no tap"; kill -9 $pid; exit 1; }
	sleep 0.1
done
ip addr add 10.77.0.1/24 dev tsn0
ip link set tsn0 up
i=0
until grep -q "NETBENCH-READY" "$TMPDIR/$name.console"; do
	i=$((i + 1))
	if [ $i -ge 3000 ] || ! kill -0 $pid 2>/dev/null; then
		echo "NETBENCH-FAIL $name guest not ready"; tail -n 20 "$TMPDIR/$name.console"
		kill -9 $pid 2>/dev/null; exit 1
	fi
	sleep 0.1
done
t0=$(cut -d' ' -f1 /proc/uptime)
wget -q -O "$TMPDIR/tx" http://10.77.0.2:8080/big || echo "NETBENCH-FAIL $name tx wget"
t1=$(cut -d' ' -f1 /proc/uptime)
echo "NETBENCH $name tx $(wc -c <"$TMPDIR/tx") $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
rm -f "$TMPDIR/tx"
: >"$www/stop"
i=0
while kill -0 $pid 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 600 ] || { kill -9 $pid; break; }
	sleep 0.1
done
kill "$(cat "$TMPDIR/iperf-$name.pid")" 2>/dev/null
if [ -n "${perf_pid:-}" ]; then
	kill -INT "$perf_pid"; wait "$perf_pid"
	perf report -i "$TMPDIR/$name.data" --stdio --no-children --sort comm,dso --percent-limit 2 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -n 15 | sed "s/^/NETBENCH-PERF $name comm,dso /"
	perf report -i "$TMPDIR/$name.data" --stdio --no-children --sort comm,sym --percent-limit 1 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -n 25 | sed "s/^/NETBENCH-PERF $name comm,sym /"
fi
tr -d '\r' <"$TMPDIR/$name.console" | sed -n -r "s/^NETBENCH (rx|iperf-rx|iperf-tx) /NETBENCH $name \1 /p"
tr -d '\r' <"$TMPDIR/$name.console" | grep -a "NETBENCH-FAIL"
# tessera -v: the device's frame, drop and stall counters.
tr -d '\r' <"$TMPDIR/$name.console" | grep -a "virtio-net@.*frames" | sed 's/^/NETBENCH-STATS /'
grep -q "TESSERA-CMD-RC 0" "$TMPDIR/$name.console" ||
	{ echo "NETBENCH-FAIL $name"; tr -d '\r' <"$TMPDIR/$name.console" | tail -n 20; }
SH

export MB TMPDIR
rc=0 # 1 once a run failed: the lab reports the test as FAIL
echo "NETBENCH-PLAN rounds=$ROUNDS"
for r in $(seq "$ROUNDS"); do
	echo "NETBENCH-ROUND $r"
	unshare -n sh "$TMPDIR/one.sh" tessera "$TESSERA" run --kernel "$K" --initrd "$I" \
		--memory 512M --cpus 1 --cpu-template host --net tap=tsn0 -v --cmdline "$CMD" || rc=1
	unshare -n sh "$TMPDIR/one.sh" qemu qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host \
		-M microvm,x-option-roms=off,rtc=off,acpi=off -m 512M -smp 1 -nodefaults -no-user-config \
		-nographic -serial stdio -no-reboot -kernel "$K" -initrd "$I" \
		-netdev tap,id=n0,ifname=tsn0,script=no,downscript=no,vhost=off \
		-device virtio-net-device,netdev=n0 -append "console=ttyS0 reboot=t $CMD" || rc=1
	echo "NETBENCH-LOAD $r $(cut -d' ' -f1-3 /proc/loadavg)"
done
if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	unshare -n sh "$TMPDIR/one.sh" perf-tessera "$TESSERA" run --kernel "$K" --initrd "$I" \
		--memory 512M --cpus 1 --cpu-template host --net tap=tsn0 -v --cmdline "$CMD"
	unshare -n sh "$TMPDIR/one.sh" perf-qemu qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host \
		-M microvm,x-option-roms=off,rtc=off,acpi=off -m 512M -smp 1 -nodefaults -no-user-config \
		-nographic -serial stdio -no-reboot -kernel "$K" -initrd "$I" \
		-netdev tap,id=n0,ifname=tsn0,script=no,downscript=no,vhost=off \
		-device virtio-net-device,netdev=n0 -append "console=ttyS0 reboot=t $CMD"
fi
echo "NETBENCH-DONE"
exit $rc
