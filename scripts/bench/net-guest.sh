# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The guest side of scripts/bench/net.sh (run by the initramfs's /init):
# eth0 10.77.0.2/24; wait for the peer 10.77.0.1; "rx": fetch
# http://10.77.0.1:8080/big with busybox wget and time it; iperf3 against
# the peer's server for IPERF_S seconds each way (-R: the peer sends, so
# the guest receives: iperf-rx; then iperf-tx); "tx": serve a file of the
# same size with busybox httpd until the peer publishes /stop.
# Prints NETBENCH lines: "NETBENCH <rx|iperf-rx|iperf-tx> BYTES SECONDS",
# "NETBENCH-READY".
IPERF_S=5
ip link set lo up
ip link set eth0 up || exit 31
ip addr add 10.77.0.2/24 dev eth0 || exit 32
i=0
until ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 60 ] || { echo "NETBENCH-FAIL no peer"; exit 33; }
done
up() { cut -d' ' -f1 /proc/uptime; }
t0=$(up)
wget -q -O /tmp/rx http://10.77.0.1:8080/big || { echo "NETBENCH-FAIL wget"; exit 34; }
t1=$(up)
bytes=$(wc -c </tmp/rx)
echo "NETBENCH rx $bytes $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
# iperf3's receiver line: "[  5]   0.00-5.00   sec  ... 123456 Kbits/sec   receiver":
# bytes = rate * seconds, as iperf3 measured them at the receiving end.
iperf() { # iperf NAME [-R]
	name=$1
	shift
	iperf3 -c 10.77.0.1 -t "$IPERF_S" -f k "$@" >/tmp/iperf.out 2>&1
	awk -v n="$name" '/receiver/ { for (i = 1; i <= NF; i++) {
			if ($i ~ /^[0-9.]+-[0-9.]+$/) { split($i, t, "-"); s = t[2] - t[1] }
			if ($i == "Kbits/sec") k = $(i - 1) }
		if (s > 0 && k > 0) { printf "NETBENCH %s %.0f %.3f\n", n, k * 1000 / 8 * s, s; ok = 1 } }
		END { if (!ok) exit 1 }' /tmp/iperf.out ||
		{ echo "NETBENCH-FAIL $name: $(tail -n 3 /tmp/iperf.out | tr '\n' ' ')"; return 1; }
}
if command -v iperf3 >/dev/null; then
	iperf iperf-rx -R
	iperf iperf-tx
fi
mkdir -p /www && mv /tmp/rx /www/big
httpd -p 8080 -h /www || exit 35
echo "NETBENCH-READY"
i=0
until wget -q -O /dev/null http://10.77.0.1:8080/stop 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "NETBENCH-FAIL no stop"; exit 36; }
	sleep 1
done
