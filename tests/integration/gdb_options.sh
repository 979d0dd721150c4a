#!/usr/bin/env bash
# --gdb and --gdb-wait on the command line: a malformed endpoint and a
# --gdb-wait without --gdb are usage errors (status 2, one line); a socket
# or port that cannot be had fails the run (status 1) and says why; a Unix socket
# is removed when the run ends.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"

usage_error() { # usage_error "what stderr must say" args...
	local want=$1
	shift
	RC=0
	timeout 20 "$TESSERA" run --kernel "$TARGET" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" -eq 2 ] || fail "'$*': exit $RC, expected 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$*': expected one stderr line: $(cat "$TMP/err")"
	expect_err "$want"
}
usage_error "--gdb: 'tcp:1234' is not tcp:HOST:PORT or unix:PATH" --gdb tcp:1234
usage_error "--gdb: 'udp::1234' is not" --gdb udp::1234
usage_error "--gdb: 'tcp::99999' is not" --gdb tcp::99999
usage_error "--gdb: 'unix:' is not" --gdb unix:
usage_error "--gdb-wait needs --gdb" --gdb-wait
"$TESSERA" run --help | grep -q -- "--gdb-wait" || fail "run --help lacks --gdb-wait"

need_kvm
# A path whose directory does not exist: no socket, status 1, a reason.
run_guest gdbtarget --gdb "unix:$TMP/nodir/gdb.sock"
expect_rc 1
expect_err "--gdb unix:$TMP/nodir/gdb.sock: No such file or directory"
# A regular file in the way is not replaced.
: >"$TMP/file"
run_guest gdbtarget --gdb "unix:$TMP/file"
expect_rc 1
expect_err "Address already in use"
# A TCP port another partition holds.
start_tessera --gdb tcp:127.0.0.1:0 -v --cmdline spin
port=$(tcp_port)
RC=0
timeout 20 "$TESSERA" run --kernel "$TARGET" --gdb "tcp:127.0.0.1:$port" \
	</dev/null >"$TMP/out2" 2>"$TMP/err2" || RC=$?
[ "$RC" -eq 1 ] || fail "a taken port: exit $RC, expected 1"
grep -qF "Address already in use" "$TMP/err2" || fail "a taken port: $(cat "$TMP/err2")"
kill "$TPID"
wait "$TPID" 2>/dev/null
# Without a debugger the guest just runs; the socket goes away at the end.
run_guest gdbtarget --gdb "unix:$TMP/gdb.sock"
expect_rc 0
expect_out "status=0"
[ -e "$TMP/gdb.sock" ] && fail "the gdb socket outlived the run"
echo "PASS gdb_options"
