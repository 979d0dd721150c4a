#!/usr/bin/env bash
# No vCPU waits on a disk (issue 19, item 1): the vblk guest's backing file
# sits on a loop-mounted ext4 that is frozen (fsfreeze -f) while a write is
# in flight; the guest then writes Status and resets the device, and the
# vCPU must answer within a bound while the file system is still frozen.
# After the thaw, the guest's next write completes and the reset device's
# old write never reaches the new ring. Needs root, a loop device, ext4
# and fsfreeze: skips (77) only where one of them is missing.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
[ "$(id -u)" = 0 ] || skip "needs root (loop mount, fsfreeze)"
need_tools fsfreeze losetup mkfs.ext4 mount umount
mnt=$TMP/mnt
mkdir "$mnt"
truncate -s 32M "$TMP/fs.img"
mkfs.ext4 -q -F "$TMP/fs.img" >/dev/null 2>&1 || fail "mkfs.ext4 failed"
mount -o loop "$TMP/fs.img" "$mnt" 2>"$TMP/mount.err" ||
	skip "cannot loop-mount ext4: $(cat "$TMP/mount.err")"
frozen=0
# Whatever happens, the file system is thawed and unmounted before TMP goes.
# If it is still mounted (both umounts failed), nothing is removed: rm -rf
# would recurse into the mounted file system (and block on a frozen one).
undo() {
	main_shell || return 0 # a child killed before its exec (common.bash)
	[ "$frozen" = 0 ] || timeout 10 fsfreeze -u "$mnt" || true
	local pids
	pids=$(jobs -p)
	[ -z "$pids" ] || kill -9 $pids 2>/dev/null
	wait 2>/dev/null
	timeout 10 umount "$mnt" 2>/dev/null || timeout 10 umount -l "$mnt" || true
	# (mountinfo's fifth field, not mountpoint(1): the lab's L1 may lack it)
	if grep -q "^[^ ]* [^ ]* [^ ]* [^ ]* $mnt " /proc/self/mountinfo; then
		echo "virtio_blk_frozen: $mnt is still mounted: $TMP left in place" >&2
		return 0
	fi
	rmdir "$mnt" 2>/dev/null
	cleanup
}
trap undo EXIT
truncate -s 1M "$mnt/disk.img"
sync

# wait_line PATTERN SECONDS: until $TMP/out has the line, or fail.
wait_line() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		grep -qF -- "$1" "$TMP/out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -qF -- "$1" "$TMP/out" || fail "no '$1' within $2 s (frozen=$frozen); out: $(cat "$TMP/out"); err: $(head -c 2000 "$TMP/err")"
}

fsfreeze -f "$mnt" || skip "fsfreeze -f refused"
frozen=1
timeout -k 5 60 "$TESSERA" run --kernel "$GUESTS/vblk.elf" --disk "path=$mnt/disk.img" \
	--cmdline "vblk.mode=freeze" </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait_line "vblk: write submitted" 20
# The guest waits about a second for the write to reach the host, then
# writes registers: each must return while the disk is frozen.
wait_line "vblk: status written" 10
wait_line "vblk: reset written" 5
wait_line "vblk: set up again" 5
! grep -q "note: the write completed" "$TMP/out" ||
	fail "the write completed on a frozen file system: the test proves nothing"
fsfreeze -u "$mnt" || fail "fsfreeze -u failed"
frozen=0
RC=0
wait "$pid" || RC=$?
expect_rc 0
expect_out "vblk: ok"
! grep -q "FAIL" "$TMP/out" || fail "$(grep FAIL "$TMP/out")"
