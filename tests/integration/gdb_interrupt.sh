#!/usr/bin/env bash
# Ctrl-C in gdb stops a spinning guest (SIGINT to gdb, which sends 0x03);
# gdb then changes its variables and detaches, and the guest runs on to
# its exit with the status gdb set.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
need_kvm
need_gdb

# spin is set once the guest is in main: its runtime clears .bss before
# (arm64's start.S does; a write at the first instruction would be lost).
sock=$TMP/gdb.sock
start_tessera --gdb "unix:$sock" --gdb-wait
wait_socket "$sock"
{
	gdb_prologue
	cat <<EOF
target remote $sock
thbreak main
continue
set var spin = 1
echo SPINNING\n
continue
printf "stopped spin=%d ticked=%d\n", spin, counter > 10
maint packet ?
set var spin = 0
set var exit_status = 7
detach
EOF
} >"$TMP/s.gdb"
# --foreground: timeout passes our SIGINT on once; without it, it also sends
# it to its process group, and a second SIGINT makes gdb give up the target.
timeout --foreground -k 5 60 gdb -batch -nx -x "$TMP/s.gdb" "$TARGET" </dev/null >"$TMP/s.out" 2>&1 &
gdb_pid=$!
for _ in $(seq 200); do
	grep -q SPINNING "$TMP/s.out" && break
	sleep 0.05
done
grep -q SPINNING "$TMP/s.out" || fail "gdb did not get to continue: $(cat "$TMP/s.out")"
sleep 0.5 # let the guest spin past its usual ten rounds
kill -INT "$gdb_pid"
GDB_RC=0
wait "$gdb_pid" || GDB_RC=$?
wait_tessera
[ "$GDB_RC" -eq 0 ] || fail "gdb exited $GDB_RC: $(cat "$TMP/s.out")"
expect_gdb s "Program received signal SIGINT"
expect_gdb s "stopped spin=1 ticked=1"
expect_gdb s 'received: "T02thread:1;"'
expect_gdb s "Remote target) detached"
expect_rc 7
expect_out "status=7"
echo "PASS gdb_interrupt"
