#!/usr/bin/env bash
# gdb debugs a partition from its first instruction (--gdb-wait, Unix
# socket): a hardware and a software breakpoint at a function, with the
# stop reasons the stub reports, a register and a variable read there,
# single-step and finish, a register write, the control registers, and a
# variable set so that the guest exits with a status of our choosing, which
# gdb hears as the inferior's exit code.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
need_kvm
need_gdb

# The architecture's details: where gdbtarget starts, the register of the
# first argument, a scratch register, and what says the guest runs in its
# kernel mode (x86: paging and long mode on; arm64: EL1).
# shellcheck disable=SC2016 # gdb's registers, not the shell's
if on_arm64; then
	entry=0x80000000 arg0='$x0' scratch='$x9'
	mode='printf "mode el=%d\n", ($cpsr >> 2) & 3' mode_want="mode el=1"
else
	entry=0x100000 arg0='$rdi' scratch='$rax'
	mode='printf "mode cr0.pg=%d efer.lma=%d\n", ($cr0 >> 31) & 1, ($efer >> 10) & 1'
	mode_want="mode cr0.pg=1 efer.lma=1"
fi

sock=$TMP/gdb.sock
start_tessera --gdb "unix:$sock" --gdb-wait
wait_socket "$sock"
{
	gdb_prologue
	cat <<EOF
target remote $sock
printf "entry pc=%#lx at_start=%d\n", \$pc, \$pc == (long)&_start
hbreak tick
continue
maint packet ?
printf "hw n=%d counter=%d at_tick=%d\n", $arg0, counter, \$pc == (long)tick
delete
break tick
continue
maint packet ?
printf "sw n=%d counter=%d at_tick=%d\n", $arg0, counter, \$pc == (long)tick
stepi
printf "stepped into_tick=%d\n", \$pc > (long)tick && \$pc < (long)tick + 64
finish
printf "finished counter=%d in_main=%d\n", counter, \$pc > (long)main
set var $scratch = 0x1234abcd
printf "scratch=%#lx\n", $scratch
$mode
info threads
delete
set var exit_status = 42
continue
EOF
} >"$TMP/s.gdb"
run_gdb s
wait_tessera
[ "$GDB_RC" -eq 0 ] || fail "gdb exited $GDB_RC: $(cat "$TMP/s.out")"
expect_gdb s "entry pc=$entry at_start=1"
expect_gdb s 'received: "T05thread:1;hwbreak:;"'
expect_gdb s "hw n=0 counter=0 at_tick=1"
expect_gdb s 'received: "T05thread:1;swbreak:;"'
expect_gdb s "sw n=1 counter=1 at_tick=1"
expect_gdb s "stepped into_tick=1"
expect_gdb s "finished counter=2 in_main=1"
expect_gdb s "scratch=0x1234abcd"
expect_gdb s "$mode_want"
expect_gdb s "Thread 1 (vCPU 0)"
expect_gdb s "exited with code 052" # gdb prints it in octal
expect_rc 42
expect_out "gdbtarget: counter=10 status=42"
echo "PASS gdb_breakpoints"
