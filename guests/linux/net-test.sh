# SPDX-License-Identifier: GPL-2.0
# The guest side of tests/integration/linux_net.sh, run by the test
# initramfs's /init (scripts/mkinitramfs.sh --cmd): configures eth0 with
# tessera.net.addr= (default 10.77.0.2/24) and pings tessera.net.peer=
# (default 10.77.0.1), the host side of the tap, with small and full-size
# (1500-byte IP) packets. Prints TESSERA-NET-* lines; exit status 0 when
# every ping was answered.
addr=10.77.0.2/24 peer=10.77.0.1
for a in $(cat /proc/cmdline); do
	case $a in
	tessera.net.addr=*) addr=${a#*=} ;;
	tessera.net.peer=*) peer=${a#*=} ;;
	esac
done
[ -e /sys/class/net/eth0 ] || { echo "TESSERA-NET-NO-ETH0 $(ls /sys/class/net)"; exit 21; }
echo "TESSERA-NET-MAC $(cat /sys/class/net/eth0/address)"
ip link set eth0 up || exit 22
ip addr add "$addr" dev eth0 || exit 23
# The host configures its side of the tap once the monitor has made it.
i=0
until ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 30 ] || { echo "TESSERA-NET-NO-PEER $peer"; exit 24; }
done
ping -c 3 -W 2 "$peer" >/tmp/ping.out 2>&1 || { cat /tmp/ping.out; exit 25; }
ping -c 2 -W 2 -s 1472 "$peer" >/tmp/ping-big.out 2>&1 || { cat /tmp/ping-big.out; exit 26; }
echo "TESSERA-NET-PING ok $peer $(grep -c 'bytes from' /tmp/ping.out) $(grep -c '1480 bytes from' /tmp/ping-big.out)"
