#!/usr/bin/env bash
# Descriptors tessera inherits (here 3-9, open on a marker file) are closed
# once the partition is built, and every descriptor left is close-on-exec.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
marker=$TMP/inherited.marker
: >"$marker"
mkfifo "$TMP/in"
exec 10<>"$TMP/in" # keep the guest's stdin open: it waits for input

# check_fds PID: none of them points at the marker, every one is O_CLOEXEC.
check_fds() {
	local pid=$1 fd flags bad=
	for _ in $(seq 100); do # main closes them as its last setup step
		bad=
		for fd in /proc/"$pid"/fd/*; do
			[ "$(readlink "$fd")" = "$marker" ] && bad="$bad ${fd##*/}"
		done
		[ -z "$bad" ] && break
		sleep 0.05
	done
	[ -z "$bad" ] || fail "inherited descriptors still open:$bad ($(ls -l /proc/"$pid"/fd))"
	for fd in /proc/"$pid"/fdinfo/*; do
		flags=$(sed -n 's/^flags:[[:space:]]*//p' "$fd")
		[ -n "$flags" ] || continue
		(( (8#$flags & 8#2000000) != 0 )) || fail "fd ${fd##*/} is not close-on-exec (flags $flags)"
	done
}

for mode in kill off; do
	(
		exec 3>"$marker" 4>"$marker" 5>"$marker" 6>"$marker" 7>"$marker" 8>"$marker" 9>"$marker"
		exec "$TESSERA" run --kernel "$GUESTS/echo.elf" --seccomp "$mode" \
			<"$TMP/in" >"$TMP/out" 2>"$TMP/err"
	) &
	pid=$! # the subshell became tessera
	for _ in $(seq 200); do
		grep -q "echo: ready" "$TMP/out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "echo: ready" "$TMP/out" || fail "guest never became ready: $(cat "$TMP/err")"
	[ "$(readlink /proc/"$pid"/exe)" = "$(readlink -f "$TESSERA")" ] || fail "pid $pid is not tessera"
	[ "$(ls /proc/"$pid"/fd | wc -l)" -gt 3 ] || fail "no descriptors seen at all"
	check_fds "$pid"
	printf 'q' >&10
	RC=0
	wait "$pid" || RC=$?
	expect_rc 0
done
exec 10>&-
echo "PASS fds_inherited"
