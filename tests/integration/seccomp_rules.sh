#!/usr/bin/env bash
# Every seccomp rule is needed: for each rule of `tessera run --seccomp
# list`, a workload that passes with the whole filter fails once that one
# rule is removed (TESSERA_SECCOMP_DROP=rule): the thread is killed by
# SIGSYS. A rule without a proof here fails the test; so does a proof that
# no longer fails. The table of rules, threads and proofs in
# docs/security.md is generated from this file's proofs: this test fails
# when the two differ (SECCOMP_DOC_UPDATE=1 rewrites the table).
#
# Proof kinds:
#   run RC GUEST FLAGS...  a guest run ends with RC, and with the rule
#                          dropped it does not (and reports SIGSYS)
#   test NAME              tests/integration/NAME.sh fails with the rule dropped
#   blkdev [OPTS]          the vblk guest on a loop device (discard, write zeroes;
#                          OPTS: more --disk options, direct=on for Linux AIO)
#   net                    the vnet guest trades frames with a packet socket on
#                          a tap in a network namespace (virtio_net.sh's check,
#                          with short time limits)
#   probe ROLE CLASS       calls made only on lock contention (futex) or where
#                          the vDSO falls back to the system call (clock):
#                          the thread makes the call as glibc would, right
#                          after its filter is on, and is killed without the rule
#   trap ROLE              --seccomp trap: the SIGSYS reporter returns through
#                          rt_sigreturn; without it a refused call kills
# A run with "--vfio BDF" needs a device bound to vfio-pci (the x86 lab's
# edu: LAB_PCI_BDF): the vfio_edu guest drives it (config space, BAR
# decode, MSI) and the partition's teardown releases it.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
# gdb may crash when its target is killed under it: no core files left behind.
ulimit -c 0
cd "$TMP" || fail "cannot enter $TMP"
DOC=$HERE/docs/security.md
IMG=$TMP/disk.img
truncate -s 1M "$IMG"

proof() { # proof RULE: how that rule is shown to be needed
	case $1 in
	vcpu:ioctl:KVM_RUN | vcpu:write | vcpu:exit | vcpu:madvise | vcpu:rt_sigprocmask)
		echo "run 0 hello" ;;
	vcpu:rt_sigreturn) echo "test stop_signals" ;; # a kick while in KVM_RUN, surely
	vcpu:ioctl:KVM_IRQ_LINE) echo "test serial_irq" ;;
	vcpu:ioctl:KVM_GET_REGS | vcpu:ioctl:KVM_GET_SREGS | vcpu:ioctl:KVM_TRANSLATE)
		echo "run 120 fault" ;;
	*:futex) echo "probe ${1%%:*} futex" ;;
	*:clock_gettime) echo "probe ${1%%:*} clock" ;;
	# malloc grows the main arena with brk when its top runs out: after
	# the filter, hello --cpus 2 does that on x86; arm64's heap happens to
	# have room, so there the main thread makes the call as malloc would.
	main:brk) if on_arm64; then echo "probe main brk"; else echo "run 0 hello --cpus 2"; fi ;;
	*:rt_sigreturn:trap) echo "trap ${1%%:*}" ;;
	blk:ioctl:KVM_IRQ_LINE) echo "run 0 vblk --disk path=IMG (TESSERA_NO_IOEVENTFD=1)" ;;
	blk:ioctl:BLKDISCARD | blk:ioctl:BLKZEROOUT) echo "blkdev" ;;
	blk:io_submit | blk:io_getevents | blk:io_destroy) echo "blkdev direct=on" ;;
	blk:*) echo "run 0 vblk --disk path=IMG" ;;
	net:ioctl:KVM_IRQ_LINE) echo "net (TESSERA_NO_IOEVENTFD=1)" ;;
	net:epoll_ctl) echo "test virtio_net" ;; # its no-receive-buffer part
	net:*) echo "net" ;;
	gdb:*) gdb_proof "$1" ;;
	# The guest's config and BAR accesses, its MSI enable and its BAR
	# decode run on its vCPU; the teardown on the main thread.
	*:pread64:vfio | *:pwrite64:vfio | *:ioctl:VFIO_* | vcpu:ioctl:KVM_SET_GSI_ROUTING | \
		vcpu:ioctl:KVM_IRQFD | *:ioctl:KVM_SET_USER_MEMORY_REGION | main:ioctl:KVM_IRQFD | \
		main:ioctl:KVM_SET_GSI_ROUTING)
		echo "run 0 vfio_edu --vfio BDF" ;;
	main:ioctl:KVM_IRQ_LINE) echo "test serial_irq" ;;
	main:ioctl:TCSETS | main:ioctl:TCGETS) echo "test console_tty" ;;
	main:ioctl:KVM_GET_STATS_FD | main:pread64:stats | main:lseek:stats | main:mmap:noexec)
		echo "run 0 hello --stats" ;;
	main:unlink:gdb | main:newfstatat:gdb) echo "test gdb_breakpoints" ;;
	# A partition that runs until signalled: its main thread surely polls and
	# reads (a guest that ends at once may end before the main loop starts).
	main:tgkill:SIGUSR1 | main:getpid | main:rt_sigprocmask | main:poll | main:read)
		echo "test stop_signals" ;;
	main:*) echo "run 0 hello --cpus 2" ;;
	# The signal thread is in its filter once the partition runs: a stop
	# (stop_signals) takes sigwait and the stop eventfd's write; a stuck
	# one (stop_bounded) its _exit; on a terminal (console_tty) tcsetattr.
	signals:rt_sigtimedwait | signals:write) echo "test stop_signals" ;;
	signals:exit_group) echo "test stop_bounded" ;;
	signals:ioctl:TCSETS | signals:ioctl:TCGETS) echo "test console_tty" ;;
	esac
}

gdb_proof() {
	case $1 in
	gdb:ioctl:KVM_SET_GUEST_DEBUG | gdb:ioctl:KVM_TRANSLATE) echo "test gdb_breakpoints" ;;
	gdb:ioctl:KVM_SET_SREGS | gdb:ioctl:KVM_SET_FPU) echo "test seccomp_gdb" ;;
	gdb:setsockopt:TCP_NODELAY) echo "test gdb_attach" ;; # a TCP debugger
	gdb:write) echo "test gdb_attach" ;; # the second debugger turned away is logged
	*) echo "test gdb_breakpoints" ;;
	esac
}

# check_proof RULE KIND ARGS...: 0 if the workload needs RULE.
check_proof() {
	local rule=$1 kind=$2 rc guest out
	shift 2
	case $kind in
	run)
		rc=$1 guest=$2
		shift 2
		local args=() env=()
		for a in "$@"; do
			case $a in
			"(TESSERA_NO_IOEVENTFD=1)") env=(TESSERA_NO_IOEVENTFD=1) ;;
			BDF) args+=("$BDF") ;;
			*) args+=("${a//IMG/$IMG}") ;;
			esac
		done
		local key
		key=$(echo "$guest $*" | tr -c 'a-zA-Z0-9\n' _)
		RC=$rc # the run with every rule, once per workload
		[ -e "$TMP/baseline.$key" ] || { RC=0; env "${env[@]}" timeout -k 5 30 "$TESSERA" run \
			--kernel "$GUESTS/$guest.elf" "${args[@]}" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?; }
		[ "$RC" -eq "$rc" ] || { echo "with every rule: status $RC, expected $rc: $(head -c 500 "$TMP/err")"; return 1; }
		touch "$TMP/baseline.$key"
		RC=0
		env "${env[@]}" TESSERA_SECCOMP_DROP="$rule" timeout -k 5 30 "$TESSERA" run \
			--kernel "$GUESTS/$guest.elf" "${args[@]}" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
		[ "$RC" -eq 159 ] || { echo "without it: status $RC, not killed by SIGSYS"; return 1; }
		;;
	test)
		out=$(TESSERA_SECCOMP_DROP=$rule TEST_TIMEOUT=30 bash "$HERE/tests/integration/$1.sh" 2>&1)
		rc=$?
		[ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] || { echo "without it: $1 status $rc"; return 1; }
		echo "$out" | grep -qE "forbidden system call|Bad system call|159" ||
			{ echo "without it: $1 failed, but not by SIGSYS: $(echo "$out" | tail -n 3)"; return 1; }
		;;
	blkdev)
		local dev
		dev=$(losetup -f --show "$IMG") || { echo "losetup failed"; return 1; }
		RC=0
		TESSERA_SECCOMP_DROP=$rule timeout -k 5 30 "$TESSERA" run --kernel "$GUESTS/vblk.elf" \
			--disk "path=$dev${1:+,$1}" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
		losetup -d "$dev"
		[ "$RC" -eq 159 ] || { echo "without it: status $RC on $dev"; return 1; }
		;;
	net)
		net_run "$rule" "${1:-}" || return 1
		[ "$RC" -eq 159 ] || { echo "without it: status $RC: $(head -c 300 "$TMP/err")"; return 1; }
		;;
	probe | trap)
		local role=$1 mode=kill class=${2:-open}
		[ "$kind" = trap ] && mode=trap
		for drop in "" "$rule"; do
			RC=0
			TESSERA_SECCOMP_DROP=$drop TESSERA_SANDBOX_PROBE=$role:$class \
				role_run "$role" --seccomp "$mode" || RC=$?
			if [ -z "$drop" ] && [ "$RC" -ne 0 ]; then
				echo "with every rule: status $RC: $(head -c 500 "$TMP/err")"
				return 1
			fi
		done
		[ "$RC" -eq 159 ] || { echo "without it: status $RC"; return 1; }
		;;
	esac
	return 0
}

# net_run DROP [(TESSERA_NO_IOEVENTFD=1)]: the vnet guest against a peer; $RC.
cat >"$TMP/peer.py" <<'PY'
import socket, sys, time
tap, mac, ready = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((tap, 0))
s.settimeout(0.5)
open(ready, "w").close()
def wait_for(text, limit=15):
    end = time.time() + limit
    while time.time() < end:
        try:
            f, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] != socket.PACKET_OUTGOING and f[12:14] == b"\x88\xb5" and f[14:14 + len(text)] == text:
            return f
    sys.exit("peer: no %r" % text)
wait_for(b"tessera-vnet hello")
reply = mac + b"\x02\x00\x00\x00\x00\xfe\x88\xb5" + b"tessera-vnet reply"
s.send(reply + b"\0" * (60 - len(reply)))
wait_for(b"tessera-vnet done")
PY
cat >"$TMP/inner.sh" <<'SH'
python3 "$TMP/peer.py" "$TAP" 02:00:5e:10:00:01 "$TMP/ready" >"$TMP/peer.out" 2>&1 &
peer=$!
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
rc=0
timeout -k 5 30 env $SLOW TESSERA_SECCOMP_DROP=$DROP "$TESSERA" run --kernel "$GUESTS/vnet.elf" \
	--net "tap=$TAP,mac=02:00:5e:10:00:01" </dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 0 ] || kill "$peer" 2>/dev/null
wait "$peer"
echo "$rc" >"$TMP/rc"
SH
net_run() {
	local slow=
	[ "${2:-}" = "(TESSERA_NO_IOEVENTFD=1)" ] && slow=TESSERA_NO_IOEVENTFD=1
	rm -f "$TMP/ready" "$TMP/rc"
	DROP=$1 SLOW=$slow TMP=$TMP TESSERA=$TESSERA GUESTS=$GUESTS \
		"$HERE/scripts/netns-tap.sh" run -- bash "$TMP/inner.sh" >/dev/null 2>&1
	[ -s "$TMP/rc" ] || { echo "netns-tap.sh run failed"; return 1; }
	read -r RC <"$TMP/rc"
}

# role_run ROLE FLAGS...: a short run in which a thread of ROLE exists.
role_run() {
	local role=$1
	shift
	case $role in
	vcpu | main | signals) set -- "$@" ;;
	blk) set -- --disk "path=$IMG" "$@" ;;
	gdb) set -- --gdb "unix:$TMP/gdb.sock" "$@" ;;
	net) timeout -k 5 30 unshare -n "$TESSERA" run --kernel "$GUESTS/hello.elf" \
		--net tap=tsbx0 "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
		return ;;
	esac
	timeout -k 5 30 "$TESSERA" run --kernel "$GUESTS/hello.elf" "$@" \
		</dev/null >"$TMP/out" 2>"$TMP/err"
}

# A device bound to vfio-pci for the --vfio proofs (the lab names its own).
BDF=${LAB_PCI_BDF:-}
if [ -z "$BDF" ] && [ -e /dev/vfio/vfio ]; then
	for d in /sys/bus/pci/drivers/vfio-pci/*:*; do
		[ -e "$d" ] && BDF=$(basename "$d") && break
	done
fi

can_net=
[ -c /dev/net/tun ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && can_net=1
can_loop=
[ "$(id -u)" = 0 ] && command -v losetup >/dev/null && losetup -f >/dev/null 2>&1 && can_loop=1

if [ -n "$can_net" ]; then # the net workload works with every rule
	for slow in "" "(TESSERA_NO_IOEVENTFD=1)"; do
		net_run "" "$slow" || fail "net workload: $(cat "$TMP/err")"
		[ "$RC" = 0 ] && grep -q "vnet: ok" "$TMP/out" ||
			fail "net workload $slow: status $RC: $(cat "$TMP/out" "$TMP/err" "$TMP/peer.out")"
	done
fi

run_guest hello --seccomp list
expect_rc 0
cut -f1,3 "$TMP/out" >"$TMP/rules"
[ -s "$TMP/rules" ] || fail "--seccomp list printed no rule"
table=$TMP/table.md
{
	echo "| rule | thread | allows | needed by (with the rule removed, this fails) |"
	echo "| --- | --- | --- | --- |"
} >"$table"
n=0 skipped=0 failed=
while IFS=$'\t' read -r rule call; do
	p=$(proof "$rule")
	[ -n "$p" ] || fail "rule $rule has no proof in $0"
	case $rule in *:*:*) what="$call ${rule##*:}" ;; *) what=$call ;; esac
	echo "| \`$rule\` | ${rule%%:*} | $what | $p |" >>"$table"
	# shellcheck disable=SC2086
	set -- $p
	if { [ "${rule%%:*}" = net ] || [ "$1 ${2:-}" = "probe net" ] || [ "$1 ${2:-}" = "trap net" ]; } && [ -z "$can_net" ] ||
		{ [ "$1" = blkdev ] && [ -z "$can_loop" ]; } ||
		{ [ "${4:-}" = --vfio ] && [ -z "$BDF" ]; }; then
		skipped=$((skipped + 1))
		continue
	fi
	# The lab bounds a test at 120 s and runs at emulation speed: there,
	# only the hello runs (the rest are host-independent and proven here)
	# and the --vfio ones (proven only where a device is bound).
	if [ "${LAB:-}" = 1 ] && [ "$1 ${3:-}" != "run hello" ] && [ "$1 ${3:-}" != "run vfio_edu" ]; then
		skipped=$((skipped + 1))
		continue
	fi
	t0=$(date +%s.%N)
	why=$(check_proof "$rule" "$@") || failed="$failed
  $rule ($p): $why"
	[ -z "${SECCOMP_RULES_TIMES:-}" ] || echo "$rule $(echo "$(date +%s.%N) - $t0" | bc)" >&2
	n=$((n + 1))
done <"$TMP/rules"
[ -z "$failed" ] || fail "rules whose proof does not hold:$failed"

# The table in docs/security.md is this one.
begin='<!-- seccomp-rules:begin (generated by tests/integration/seccomp_rules.sh) -->'
end='<!-- seccomp-rules:end -->'
if [ "${SECCOMP_DOC_UPDATE:-0}" = 1 ]; then
	python3 - "$DOC" "$table" "$begin" "$end" <<'PY'
import sys
doc, table, begin, end = sys.argv[1:5]
text = open(doc).read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w").write(head + begin + "\n" + open(table).read() + end + tail)
PY
fi
if [ ! -e "$DOC" ]; then # the lab ships the tests, not the docs
	echo "PASS seccomp_rules ($n rules proven needed, $skipped not tried here; no $DOC to compare)"
	exit 0
fi
sed -n "\|^$begin\$|,\|^$end\$|p" "$DOC" | sed '1d;$d' >"$TMP/doc-table.md"
diff -u "$TMP/doc-table.md" "$table" >"$TMP/diff" ||
	fail "docs/security.md's rule table is stale (SECCOMP_DOC_UPDATE=1 $0): $(cat "$TMP/diff")"
echo "PASS seccomp_rules ($n rules proven needed, $skipped not tried here: no tap, loop or vfio-pci device, or the lab)"
