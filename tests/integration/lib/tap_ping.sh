# SPDX-License-Identifier: GPL-2.0
# tap_ping.sh: the host side of linux_net.sh (tests/integration/ on x86,
# tests/lab-arm64/ on arm64), run as `unshare -n sh lib/tap_ping.sh
# [OPTION...]` in a network namespace of its own: tessera runs KERNEL with
# INITRD on 256 MiB with a tap (tsn0, MAC), the OPTIONs and CMDLINE; once
# the tap exists it gets 10.77.0.1/24 and goes up, for the guest to ping
# (guests/linux/net-test.sh). Waits up to 300 s for tessera to end.
# Environment: TESSERA KERNEL INITRD MAC CMDLINE DIR. Leaves in DIR: out,
# err (tessera's), rc (its status), inner.err (what failed here, if any).
# Plain sh: busybox's in the arm64 lab.
tap=tsn0
ip link set lo up
"$TESSERA" run --kernel "$KERNEL" --initrd "$INITRD" --memory 256M "$@" \
	--net "tap=$tap,mac=$MAC" -v --cmdline "$CMDLINE" \
	</dev/null >"$DIR/out" 2>"$DIR/err" &
pid=$!
i=0
until ip link show "$tap" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "no tap $tap after 20 s" >"$DIR/inner.err"; break; }
	sleep 0.1
done
ip addr add 10.77.0.1/24 dev "$tap" && ip link set "$tap" up || echo "cannot configure $tap" >>"$DIR/inner.err"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 3000 ] || { kill -9 "$pid"; echo "timeout" >>"$DIR/inner.err"; break; }
	sleep 0.1
done
wait "$pid"
echo $? >"$DIR/rc"
