#!/usr/bin/env bash
# The gdb stub's writes of segment and SSE registers, under the default
# --seccomp kill: gdb sets fs_base (KVM_SET_SREGS) and xmm0 (KVM_SET_FPU)
# on a parked vCPU and reads them back. seccomp_rules.sh uses it to show
# that the stub thread needs those two ioctls.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
need_kvm
need_gdb

sock=$TMP/gdb.sock
start_tessera --gdb "unix:$sock" --gdb-wait
wait_socket "$sock"
{
	gdb_prologue
	cat <<EOF2
target remote $sock
set var \$fs_base = 0x123000
printf "fs_base=%#lx\n", \$fs_base
set var \$xmm0.v4_int32[0] = 0x5eccfeed
printf "xmm0=%#x\n", \$xmm0.v4_int32[0]
set var exit_status = 3
continue
EOF2
} >"$TMP/s.gdb"
run_gdb s
wait_tessera
[ "$GDB_RC" -eq 0 ] || fail "gdb exited $GDB_RC: $(cat "$TMP/s.out"); tessera: $(cat "$TMP/err")"
expect_gdb s "fs_base=0x123000"
expect_gdb s "xmm0=0x5eccfeed"
expect_rc 3
echo "PASS seccomp_gdb"
