#!/usr/bin/env bash
# Once the partition is built, every thread of the monitor runs with no
# capability (effective, permitted, bounding), no-new-privileges and its
# own seccomp filter; --user UID:GID switches every thread's ids; --chroot
# DIR puts the process in DIR inside a mount namespace of its own; a tap
# tessera creates belongs to --user's ids. Without root: a user with
# access to /dev/kvm runs a partition, and --user/--chroot say what they need.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
[ "$(id -u)" = 0 ] || skip "needs root (to drop it)"
mkfifo "$TMP/in"
exec 10<>"$TMP/in"

# start FLAGS...: the echo guest in the background (waits for input); PID in $pid.
start() {
	: >"$TMP/out"
	"$@" <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "echo: ready" "$TMP/out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "echo: ready" "$TMP/out" || fail "guest never became ready ($*): $(cat "$TMP/err")"
	sleep 0.2 # the main thread confines itself right after starting the others
}
stop() {
	printf 'q' >&10
	RC=0
	wait "$pid" || RC=$?
	expect_rc 0
}
# field FILE KEY: KEY's value in a /proc status file. In bash, not sed: it
# runs some 300 times, and with a process start each the test outran its
# 120 s in the arm64 lab (TCG, a dynamic sed).
field() {
	local k v
	while IFS=: read -r k v; do
		[ "$k" = "$2" ] || continue
		printf '%s\n' "${v#"${v%%[![:space:]]*}"}"
		return 0
	done <"$1"
}

# check_threads UID GID: every thread confined, with these ids.
check_threads() {
	local n=0 t
	for t in /proc/"$pid"/task/*; do
		n=$((n + 1))
		name=$(cat "$t/comm")
		for f in CapEff CapPrm CapInh CapBnd CapAmb; do
			[ "$(field "$t/status" $f)" = 0000000000000000 ] || fail "thread $name: $f $(field "$t/status" $f)"
		done
		[ "$(field "$t/status" NoNewPrivs)" = 1 ] || fail "thread $name: NoNewPrivs not set"
		[ "$(field "$t/status" Seccomp)" = 2 ] || fail "thread $name: no seccomp filter"
		[ "$(field "$t/status" Uid)" = "$1	$1	$1	$1" ] || fail "thread $name: Uid $(field "$t/status" Uid)"
		[ "$(field "$t/status" Gid)" = "$2	$2	$2	$2" ] || fail "thread $name: Gid $(field "$t/status" Gid)"
	done
	[ "$n" -ge 4 ] || fail "expected main, 2 vCPUs and an I/O thread, saw $n threads"
}

truncate -s 1M "$TMP/disk.img"
start "$TESSERA" run --kernel "$GUESTS/echo.elf" --cpus 2 --disk "path=$TMP/disk.img"
check_threads 0 0
stop

chmod 755 "$TMP"
start "$TESSERA" run --kernel "$GUESTS/echo.elf" --cpus 2 --disk "path=$TMP/disk.img" --user 65534:65533
check_threads 65534 65533
[ "$(field /proc/"$pid"/status Groups | tr -d " ")" = 65533 ] || fail "supplementary groups: $(field /proc/"$pid"/status Groups)"
stop

mkdir "$TMP/jail"
start "$TESSERA" run --kernel "$GUESTS/echo.elf" --cpus 2 --disk "path=$TMP/disk.img" \
	--user 65534 --chroot "$TMP/jail"
[ "$(readlink /proc/"$pid"/root)" = "$TMP/jail" ] || fail "--chroot: root is $(readlink /proc/"$pid"/root)"
[ "$(readlink /proc/"$pid"/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] || fail "--chroot: no mount namespace of its own"
check_threads 65534 65534
stop
run_guest hello --chroot "$TMP/nonexistent"
expect_rc 1
expect_err "--chroot: No such file or directory"
run_guest hello --chroot relative/dir
expect_rc 2

# A tap tessera creates (in a network namespace of its own) is --user's.
if [ -c /dev/net/tun ] && unshare -n true 2>/dev/null; then
	start unshare -n "$TESSERA" run --kernel "$GUESTS/echo.elf" --net tap=tsbx0 --user 65534:65533
	tpid=$pid # unshare execs tessera
	owner=$(nsenter -t "$tpid" -n ip -d link show tsbx0)
	echo "$owner" | grep -qE "user (nobody|65534) group 65533" || fail "tap not owned by --user: $owner"
	stop
else
	echo "note: no tap here: TUNSETOWNER not tried"
fi

# Without root: any user that can open /dev/kvm runs a partition.
if command -v setpriv >/dev/null; then
	chgrp 65533 "$TMP" && chmod 750 "$TMP"
	RC=0
	setfacl -m u:65534:rw /dev/kvm 2>/dev/null && acl=1 || acl=
	if [ -n "$acl" ]; then
		setpriv --reuid 65534 --regid 65533 --clear-groups \
			"$TESSERA" run --kernel "$GUESTS/hello.elf" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
		setfacl -x u:65534 /dev/kvm
		expect_rc 0
		expect_out "Hello from a Tessera partition!"
		RC=0
		setpriv --reuid 65534 --regid 65533 --clear-groups \
			"$TESSERA" run --kernel "$GUESTS/hello.elf" --user 1000 </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
		expect_rc 1
		expect_err "needs CAP_SET"
	else
		echo "note: no setfacl: unprivileged run not tried"
	fi
fi
exec 10>&-
echo "PASS privdrop"
