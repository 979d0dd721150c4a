#!/usr/bin/env bash
# gdb attaches over TCP to a partition that is already running (two vCPUs,
# the second waiting for its SIPI, arm64: its PSCI CPU_ON): the partition stops, both vCPUs show as
# threads, a second debugger is turned away while the first is attached,
# and gdb's kill ends the run with status 137.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
need_kvm
need_gdb

start_tessera --gdb tcp:127.0.0.1:0 -v --cpus 2 --cmdline spin
port=$(tcp_port)
wait_for "$TMP/out" "gdbtarget: start" || fail "guest did not start: $(cat "$TMP/err")"
{
	gdb_prologue
	cat <<EOF
target remote 127.0.0.1:$port
printf "attached spin=%d ticked=%d\n", spin, counter > 0
info threads
thread 2
printf "thread2 pc=%#lx\n", \$pc
thread 1
echo SECOND\n
shell for i in \$(seq 200); do [ -e $TMP/second.done ] && break; sleep 0.05; done
kill
EOF
} >"$TMP/first.gdb"
timeout -k 5 60 gdb -batch -nx -x "$TMP/first.gdb" "$TARGET" </dev/null >"$TMP/first.out" 2>&1 &
gdb_pid=$!
for _ in $(seq 200); do
	grep -q SECOND "$TMP/first.out" && break
	sleep 0.05
done
grep -q SECOND "$TMP/first.out" || fail "first gdb did not attach: $(cat "$TMP/first.out")"
{
	gdb_prologue
	echo "target remote 127.0.0.1:$port"
} >"$TMP/second.gdb"
run_gdb second
: >"$TMP/second.done"
GDB_RC=0
wait "$gdb_pid" || GDB_RC=$?
wait_tessera
[ "$GDB_RC" -eq 0 ] || fail "first gdb exited $GDB_RC: $(cat "$TMP/first.out")"
expect_gdb first "attached spin=1 ticked=1"
expect_gdb first "Thread 1 (vCPU 0)"
expect_gdb first "Thread 2 (vCPU 1)"
if on_arm64; then
	# powered off until PSCI CPU_ON (the whole line: 0x... would match too)
	grep -qx "thread2 pc=0" "$TMP/first.out" || fail "thread 2 not at pc 0: $(cat "$TMP/first.out")"
else
	expect_gdb first "thread2 pc=0xfff0" # an AP waiting for INIT/SIPI: reset state
fi
expect_gdb first "killed"
grep -q "Remote target" "$TMP/second.out" && fail "a second debugger attached: $(cat "$TMP/second.out")"
expect_err "refused a second debugger"
expect_rc 137
echo "PASS gdb_attach"
