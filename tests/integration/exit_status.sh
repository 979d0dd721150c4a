#!/usr/bin/env bash
# Exit statuses (README "Exit status", vmm/status.h): one case per row of
# the table, so the status alone says who ended the run. The guest cases
# are raw binaries written here (entered in 64-bit mode at --load-addr;
# A64 code on arm64):
# whatever byte a guest writes to the debug-exit port, it cannot pose as
# the monitor (1), a user error (2), KVM (121) or a signal (128+S).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }

# 2: a user error needs no /dev/kvm.
RC=0
"$TESSERA" run --kernel /dev/null --bogus </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
expect_rc 2
need_kvm

raw() { # raw FILE HEX...: a guest image from bytes
	local f=$1
	shift
	printf "$(printf '\\x%s' "$@")" >"$f"
}
# le32 WORD...: A64 instruction words as their little-endian bytes.
le32() {
	local w
	for w in "$@"; do
		printf '%02x %02x %02x %02x ' $((w & 255)) $((w >> 8 & 255)) $((w >> 16 & 255)) $((w >> 24 & 255))
	done
}
if on_arm64; then
	# The raw guests are A64 code at the start of RAM (2 GiB).
	LOAD=0x80000000
	# exit_with N: the debug-exit register (layout.h), then PSCI SYSTEM_OFF:
	# mov x1, #0x9010000; mov x0, #N; str w0, [x1]; mov w0, #0x8;
	# movk w0, #0x8400, lsl #16; hvc #0; b .
	exit_with() {
		# shellcheck disable=SC2046
		raw "$TMP/exit$1.bin" $(le32 0xd2a12021 $((0xd2800000 | $1 << 5)) 0xb9000020 \
			0x52800100 0x72b08000 0xd4000002 0x14000000)
	}
else
	LOAD=0x100000
	# exit_with N: mov $N,%al; mov $0x501,%dx; out %al,(%dx); hlt
	exit_with() { raw "$TMP/exit$1.bin" b0 "$(printf '%02x' "$1")" 66 ba 01 05 ee f4; }
fi

# --- the guest's own values pass, the others fold into 122 -----------------
for pair in 0:0 3:3 42:42 119:119 1:122 2:122 120:122 121:122 122:122 130:122 137:122 143:122 255:122; do
	v=${pair%%:*} want=${pair##*:}
	exit_with "$v"
	run_guest "" --kernel "$TMP/exit$v.bin" --load-addr $LOAD
	expect_rc "$want"
	if [ "$want" -ne "$v" ]; then
		expect_err "the guest wrote $v to the debug-exit port"
		expect_err "exit status 122"
	fi
done

# --- 120: the guest triple-faulted (x86 only: an AArch64 guest's exception
# is taken by the guest, there is no shutdown to report) --------------------
if ! on_arm64; then
	run_guest fault
	expect_rc 120
fi

# --- 121: KVM could not run the guest ------------------------------------------
if on_arm64; then
	# A load pair from MMIO (the empty virtio-mmio window) has no syndrome
	# KVM can hand over (ISV = 0): KVM_RUN fails.
	# mov x2, #0xa000000; ldp x0, x1, [x2]; b .
	# shellcheck disable=SC2046
	raw "$TMP/nowhere.bin" $(le32 0xd2a14002 0xa9400440 0x14000000)
	run_guest "" --kernel "$TMP/nowhere.bin" --load-addr $LOAD
	expect_rc 121
	expect_err "KVM_RUN"
else
	# It jumps to an address with no RAM.
	# movabs $0xd0000000,%rax; jmp *%rax
	raw "$TMP/nowhere.bin" 48 b8 00 00 00 d0 00 00 00 00 ff e0
	run_guest "" --kernel "$TMP/nowhere.bin" --load-addr $LOAD
	expect_rc 121
	expect_err "KVM_EXIT_INTERNAL_ERROR"
fi

# --- 1: the monitor or the host failed (no address space for guest RAM) -------
RC=0
(ulimit -v 400000 && exec "$TESSERA" run --kernel "$TMP/exit0.bin" --load-addr $LOAD \
	--memory 1G --memory-overcommit) </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
expect_rc 1
expect_err "cannot map"

# --- 128+S: a stop signal ------------------------------------------------------
if on_arm64; then
	# mov x1, #0x9000000; mov w0, #'R'; strb w0, [x1]; 1: wfi; b 1b
	# shellcheck disable=SC2046
	raw "$TMP/wait.bin" $(le32 0xd2a12001 0x52800a40 0x39000020 0xd503207f 0x17ffffff)
else
	# mov $'R',%al; mov $0x3f8,%dx; out %al,(%dx); 1: hlt; jmp 1b
	raw "$TMP/wait.bin" b0 52 66 ba f8 03 ee f4 eb fd
fi
for sig in HUP INT TERM; do
	: >"$TMP/out"
	"$TESSERA" run --kernel "$TMP/wait.bin" --load-addr $LOAD </dev/null \
		>"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q R "$TMP/out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q R "$TMP/out" || fail "the waiting guest never started: $(cat "$TMP/err")"
	kill -"$sig" "$pid"
	RC=0
	wait "$pid" || RC=$?
	expect_rc $((128 + $(kill -l "$sig")))
done
echo "PASS exit_status"
