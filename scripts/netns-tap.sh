#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A private network for a partition: a network namespace holding one tap
# (vnet_hdr, up, host side 10.77.0.1/24 unless told otherwise), so a test
# touches nothing on the host's own network. Needs root (or CAP_NET_ADMIN
# and CAP_SYS_ADMIN) and /dev/net/tun.
#
#   netns-tap.sh run [-t TAP] [-a ADDR/LEN] -- CMD [ARGS...]
#       makes a namespace, runs CMD inside it with NETNS, TAP and
#       TAP_ADDR in its environment, removes the namespace when CMD ends
#       (or the script is killed) and exits with CMD's status.
#   netns-tap.sh up NAME [-t TAP] [-a ADDR/LEN]    make namespace NAME
#   netns-tap.sh down NAME                         remove it and its tap
#
# Commands run in the namespace with `ip netns exec NAME CMD`. Exit status
# 77 when the host cannot do this (not root, no /dev/net/tun, no ip).
set -eu

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
skip() { echo "SKIP: $*" >&2; exit 77; }

check_host() {
	command -v ip >/dev/null || skip "needs iproute2 (ip)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
}

TAP=tsn0
ADDR=10.77.0.1/24

parse_opts() {
	while [ $# -gt 0 ]; do
		case $1 in
		-t) TAP=$2; shift 2 ;;
		-a) ADDR=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	REST=("$@")
}

up() { # up NAME
	local ns=$1
	ip netns add "$ns"
	if ! {
		ip -n "$ns" link set lo up &&
		ip -n "$ns" tuntap add dev "$TAP" mode tap vnet_hdr &&
		# No IPv6 chatter (router solicitations, MLD) on the test's tap.
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" &&
		ip -n "$ns" addr add "$ADDR" dev "$TAP" &&
		ip -n "$ns" link set "$TAP" up
	}; then
		down "$ns"
		echo "netns-tap: cannot set up $TAP in namespace $ns" >&2
		return 1
	fi
}

down() { # down NAME: the tap is persistent, so delete it before the namespace
	local ns=$1
	ip -n "$ns" tuntap del dev "$TAP" mode tap 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
run)
	parse_opts "$@"
	[ ${#REST[@]} -ge 1 ] || usage
	check_host
	ns=tessera-$$-$RANDOM
	up "$ns"
	trap 'down "$ns"' EXIT
	trap 'exit 130' INT TERM
	rc=0
	NETNS=$ns TAP=$TAP TAP_ADDR=$ADDR ip netns exec "$ns" "${REST[@]}" || rc=$?
	exit "$rc"
	;;
up)
	[ $# -ge 1 ] || usage
	ns=$1
	shift
	parse_opts "$@"
	check_host
	up "$ns"
	echo "namespace $ns: tap $TAP, host address $ADDR"
	;;
down)
	[ $# -ge 1 ] || usage
	ns=$1
	shift
	parse_opts "$@"
	down "$ns"
	;;
*) usage ;;
esac
