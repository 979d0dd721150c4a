#!/usr/bin/env bash
# Each forbidden class is refused from each thread role: once its filter
# is on, a thread of that role attempts the call (test hook
# TESSERA_SANDBOX_PROBE=role:class, vmm/sandbox.c) and, under the default
# --seccomp kill, the process dies by SIGSYS after one line naming the
# thread, its role and the call. Then the modes: trap reports and refuses
# (EPERM) and the run goes on; log lets the call through; off installs no
# filter; list prints the rules.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
img=$TMP/disk.img
truncate -s 1M "$img"
roles="vcpu blk gdb main signals"
if [ -c /dev/net/tun ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	roles="$roles net"
else
	echo "note: no tap here (needs root, /dev/net/tun, unshare -n): role net not tried"
fi

# run_role ROLE [tessera flags...]: a run in which a thread of ROLE exists.
run_role() {
	local role=$1
	shift
	case $role in
	vcpu | main | signals) run_guest hello "$@" ;;
	blk) run_guest hello --disk "path=$img" "$@" ;;
	gdb) run_guest hello --gdb "unix:$TMP/gdb.sock" "$@" ;;
	net) # a network namespace of its own, where tessera creates the tap
		RC=0
		timeout -k 5 60 unshare -n "$TESSERA" run --kernel "$GUESTS/hello.elf" \
			--net tap=tsbx0 "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
		;;
	esac
}

thread_of() { # the thread name the report gives for ROLE
	case $1 in
	vcpu) echo vcpu0 ;; blk) echo vblk-io ;; net) echo vnet-io ;;
	gdb) echo gdb ;; main) echo tessera ;; signals) echo signals ;;
	esac
}

n=0
for role in $roles; do
	for class in execve open socket ptrace mprotect kvm-ioctl; do
		case $class in
		execve) call=execve ;; open) call=openat ;; socket) call=socket ;;
		ptrace) call=ptrace ;; mprotect) call=mprotect ;; kvm-ioctl) call=ioctl ;;
		esac
		TESSERA_SANDBOX_PROBE=$role:$class run_role "$role"
		[ "$RC" -eq 159 ] || fail "$role:$class: exit status $RC, expected 159 (SIGSYS); stderr: $(cat "$TMP/err")"
		if [ "$role" = blk ]; then # the I/O thread or one of its workers, whichever enters first
			grep -qE "thread vblk-(io|worker) \(role blk\) made a forbidden system call: $call \(" "$TMP/err" ||
				fail "blk:$class: stderr lacks the report: $(head -c 2000 "$TMP/err")"
		else
			expect_err "thread $(thread_of "$role") (role $role) made a forbidden system call: $call ("
		fi
		expect_err "ending the process (--seccomp kill)"
		n=$((n + 1))
	done
done
# The system call numbers the reports name: the architecture's.
if on_arm64; then
	nr_ioctl=29 nr_socket=198 nr_openat=56 nr_execve=221
else
	nr_ioctl=16 nr_socket=41 nr_openat=257 nr_execve=59
fi
# The forbidden ioctl names its request; socket its family.
TESSERA_SANDBOX_PROBE=vcpu:kvm-ioctl run_guest hello
expect_err "ioctl ($nr_ioctl, request 0x4020ae46)"
TESSERA_SANDBOX_PROBE=gdb:socket run_role gdb
expect_err "socket ($nr_socket, family 2)"

# trap: reported and refused, the run goes on to the guest's own end.
TESSERA_SANDBOX_PROBE=vcpu:open run_guest hello --seccomp trap
expect_rc 0
expect_out "Hello from a Tessera partition!"
expect_err "made a forbidden system call: openat ($nr_openat); refused with EPERM (--seccomp trap)"
TESSERA_SANDBOX_PROBE=main:execve run_guest hello --seccomp trap
expect_rc 0
expect_err "made a forbidden system call: execve ($nr_execve); refused with EPERM"
# log: the kernel logs and lets it through; the probe's calls are harmless.
TESSERA_SANDBOX_PROBE=vcpu:open run_guest hello --seccomp log
expect_rc 0
[ ! -s "$TMP/err" ] || fail "--seccomp log: unexpected stderr: $(cat "$TMP/err")"
# off: no filter at all (the probe does not even run).
TESSERA_SANDBOX_PROBE=vcpu:socket run_guest hello --seccomp off
expect_rc 0
[ ! -s "$TMP/err" ] || fail "--seccomp off: unexpected stderr: $(cat "$TMP/err")"
# list: the rules of this configuration, and nothing is run.
run_guest hello --seccomp list
expect_rc 0
expect_out "vcpu:ioctl:KVM_RUN	on	ioctl	runs the guest"
expect_out "main:ioctl:KVM_GET_STATS_FD	off"
run_guest hello --seccomp list --stats
expect_out "main:ioctl:KVM_GET_STATS_FD	on"
run_guest hello --seccomp strict
expect_rc 2
expect_err "--seccomp: 'strict' is not kill, trap, log, off or list"
echo "PASS seccomp_forbidden ($n role x class cases refused)"
