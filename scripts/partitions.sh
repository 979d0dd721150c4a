#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Starts several partitions, one `tessera run --config FILE` each, after
# checking that no two of them claim a host CPU: the CPUs their vCPUs are
# pinned to ("pin") must be disjoint, and no partition's main and I/O
# threads ("io-cpus") may sit on another one's pinned CPUs. Each console
# line is prefixed with the partition's file name (or, with -l DIR, goes
# to DIR/NAME.log). SIGINT and SIGTERM stop every partition (each gets
# SIGTERM and ends cleanly) and the script exits 128+signal; otherwise it
# waits for all of them, prints each one's exit status, and exits 0 if
# all exited 0, else 1. Status 2: bad files or overlapping CPUs.
#
#   scripts/partitions.sh [-l LOGDIR] a.conf b.conf ...
set -uo pipefail
TESSERA=${TESSERA:-$(cd "$(dirname "$0")/.." && pwd)/build/tessera}
logdir=
if [ "${1:-}" = -l ]; then
	logdir=$2
	shift 2
	mkdir -p "$logdir" || exit 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [-l LOGDIR] PARTITION.conf..." >&2; exit 2; }

# key FILE KEY: the last value of KEY in a partition file ("" if none).
key() {
	sed -e 's/#.*//' "$1" | awk -F= -v k="$2" '
		{ name = $1; gsub(/^[ \t]+|[ \t\r]+$/, "", name) }
		name == k { sub(/^[^=]*=/, ""); gsub(/^[ \t"]+|[ \t\r"]+$/, ""); v = $0 }
		END { print v }'
}

# cpus LIST: a CPU list ("0-2,5") or a pin map ("0=2,1=3") as "0 1 2 5".
cpus() {
	local item lo hi
	for item in ${1//,/ }; do
		item=${item#*=}
		case $item in
		*-*) lo=${item%-*} hi=${item#*-} ;;
		*) lo=$item hi=$item ;;
		esac
		[[ $lo =~ ^[0-9]+$ && $hi =~ ^[0-9]+$ ]] || { echo "bad CPU list '$1'" >&2; return 1; }
		seq "$lo" "$hi"
	done | tr '\n' ' '
}

declare -A owner # host CPU -> the file whose vCPU is pinned there
for f in "$@"; do
	[ -r "$f" ] || { echo "partitions.sh: cannot read $f" >&2; exit 2; }
	list=$(cpus "$(key "$f" pin)") || { echo "partitions.sh: $f: bad pin" >&2; exit 2; }
	for c in $list; do
		if [ -n "${owner[$c]:-}" ]; then
			echo "partitions.sh: $f and ${owner[$c]} both pin a vCPU to host CPU $c" >&2
			exit 2
		fi
		owner[$c]=$f
	done
done
for f in "$@"; do
	list=$(cpus "$(key "$f" io-cpus)") || { echo "partitions.sh: $f: bad io-cpus" >&2; exit 2; }
	for c in $list; do
		if [ -n "${owner[$c]:-}" ] && [ "${owner[$c]}" != "$f" ]; then
			echo "partitions.sh: $f puts its I/O threads on host CPU $c, where ${owner[$c]} pins a vCPU" >&2
			exit 2
		fi
	done
done

pids=() names=()
stop() {
	local sig=$1
	echo "partitions.sh: SIG$sig: stopping ${#pids[@]} partition(s)" >&2
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	exit $((128 + $(kill -l "$sig")))
}
trap 'stop INT' INT
trap 'stop TERM' TERM

for f in "$@"; do
	name=$(basename "$f" .conf)
	if [ -n "$logdir" ]; then
		# Appended across runs, as before: tessera creates a serial
		# file only when it does not exist, unless told ",append".
		: >>"$logdir/$name.log"
		"$TESSERA" run --config "$f" --serial "file:$logdir/$name.log,append" </dev/null &
	else
		"$TESSERA" run --config "$f" </dev/null > >(sed -u "s/^/[$name] /") 2>&1 &
	fi
	pids+=($!)
	names+=("$name")
done

worst=0
for i in "${!pids[@]}"; do
	rc=0
	# wait returns early (>128) when a trapped signal arrives; the trap exits.
	wait "${pids[$i]}" || rc=$?
	echo "partitions.sh: ${names[$i]} exited $rc" >&2
	[ "$rc" -eq 0 ] || worst=1
done
exit $worst
