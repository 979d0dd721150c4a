#!/usr/bin/env bash
# virtio-blk seen from a guest: the vblk guest finds the disk through the
# device tree and checks reads, writes, FLUSH, GET_ID, bounds, write
# zeroes, discard, an indirect chain and an interrupt-driven completion;
# read-only, O_DIRECT, several disks, and the slow path without
# ioeventfd/irqfd. Bad --disk arguments end with one line and status 2.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
img=$TMP/disk.img
truncate -s 1M "$img"

vblk_ok() { # vblk_ok WHAT: the last run passed all checks
	expect_rc 0
	expect_out "vblk: ok"
	! grep -q "FAIL" "$TMP/out" || fail "$1: $(grep FAIL "$TMP/out")"
}

run_guest vblk --disk "path=$img,serial=tessera-0" --cmdline "vblk.serial=tessera-0"
vblk_ok "plain"
expect_out "vblk: capacity=2048"
expect_out "vblk: irqs="
[ ! -s "$TMP/err" ] || fail "unexpected stderr: $(cat "$TMP/err")"

run_guest vblk --disk "path=$img,ro"
vblk_ok "read-only"
expect_out "vblk: read-only"

if dd if=/dev/zero of="$TMP/direct-probe" bs=4096 count=1 oflag=direct 2>/dev/null; then
	run_guest vblk --disk "path=$img,direct=on"
	vblk_ok "O_DIRECT"
fi

# Two disks: the guest drives the first; the second has its own slot and pin.
truncate -s 64K "$TMP/second.img"
run_guest vblk --disk "path=$img" --disk "path=$TMP/second.img,ro" -v
vblk_ok "two disks"
# x86 also names them on the command line; arm64's DT is the whole description.
on_arm64 || expect_err "virtio_mmio.device=512@0xd0000000:5 virtio_mmio.device=512@0xd0000200:6"

# Without ioeventfd and irqfd: MMIO exits and KVM_IRQ_LINE.
TESSERA_NO_IOEVENTFD=1 run_guest vblk --disk "path=$img" -v
vblk_ok "no ioeventfd"
expect_err "notifications exit to the monitor"
grep -q "[1-9][0-9]* notifications seen by the monitor" "$TMP/err" ||
	fail "slow path: no notification reached the monitor: $(cat "$TMP/err")"

# --- bad disks: one line, status 2 ----------------------------------------------
expect_usage_error() { # expect_usage_error "what stderr must say" args...
	local want=$1
	shift
	RC=0
	timeout 20 "$TESSERA" run --kernel "$GUESTS/vblk.elf" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" -eq 2 ] || fail "'$*': exit $RC, expected 2: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$*': expected one stderr line, got: $(cat "$TMP/err")"
	grep -qF -- "$want" "$TMP/err" || fail "'$*': stderr lacks '$want': $(cat "$TMP/err")"
}
expect_usage_error "cannot open '$TMP/missing.img' for writing" --disk "path=$TMP/missing.img"
expect_usage_error "cannot open '$TMP/missing.img': No such file" --disk "path=$TMP/missing.img,ro"
mkdir "$TMP/dir"
expect_usage_error "not a regular file or a block device" --disk "path=$TMP/dir,ro"
head -c 1000 /dev/zero >"$TMP/odd.img"
expect_usage_error "size 1000 is not a non-zero multiple of 512" --disk "path=$TMP/odd.img"
: >"$TMP/empty.img"
expect_usage_error "size 0 is not a non-zero multiple of 512" --disk "path=$TMP/empty.img"
expect_usage_error "lacks path=FILE" --disk "ro"
expect_usage_error "unknown option 'cache=none'" --disk "path=$img,cache=none"
expect_usage_error "serial must be 1 to 20" --disk "path=$img,serial=123456789012345678901"
# The virtio_mmio.device= entries count against the command-line limit
# (x86; on arm64 the device tree describes the devices, the limit stays).
long=$(head -c 65490 /dev/zero | tr '\0' x)
toolong="(with the virtio_mmio.device= entries)"
on_arm64 && toolong="longer than the 2047 bytes this kernel accepts"
expect_usage_error "$toolong" --disk "path=$img" --cmdline "$long"
if [ "$(id -u)" != 0 ]; then
	chmod 000 "$TMP/odd.img"
	expect_usage_error "Permission denied" --disk "path=$TMP/odd.img"
fi

# A writable image is one partition's: a second monitor is refused.
mkfifo "$TMP/hold"
exec 3<>"$TMP/hold"
"$TESSERA" run --kernel "$GUESTS/vblk.elf" --disk "path=$img" --cmdline "vblk.mode=write" \
	<"$TMP/hold" >"$TMP/holder.out" 2>&1 &
holder=$!
for _ in $(seq 200); do
	grep -q "vblk: flushed" "$TMP/holder.out" 2>/dev/null && break
	sleep 0.05
done
grep -q "vblk: flushed" "$TMP/holder.out" || fail "holder never ran: $(cat "$TMP/holder.out")"
expect_usage_error "is in use by another process" --disk "path=$img"
expect_usage_error "is in use by another process" --disk "path=$img,ro"
kill -9 "$holder"
wait "$holder" 2>/dev/null
exec 3>&-
echo "PASS virtio_blk"
