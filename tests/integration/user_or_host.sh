#!/usr/bin/env bash
# A failed setup says whose fault it was by its status: 2 for the user's
# input (a missing disk or kernel), 1 for the host's (here: out of file
# descriptors while opening the very same files), never the other way
# round. vm_user_error() marks the first kind; vm_host_failure() picks out
# ENOMEM/EMFILE/ENFILE, whatever the user named.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
hello=$GUESTS/hello.elf
img=$TMP/disk.img
truncate -s 1M "$img"

run_guest hello --disk "path=$TMP/missing.img"
expect_rc 2
expect_err "cannot open '$TMP/missing.img'"
run_guest "" --kernel "$TMP/missing.elf"
expect_rc 2

# The smallest descriptor limits: each file in turn is the one that fails.
seen_kernel="" seen_disk=""
for n in $(seq 4 24); do
	RC=0
	(ulimit -n "$n"; exec "$TESSERA" run --kernel "$hello" --disk "path=$img") \
		</dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	if grep -q "^tessera: --kernel .*Too many open files" "$TMP/err"; then
		expect_rc 1
		seen_kernel=$n
	elif grep -q "^tessera: --disk: cannot open .*Too many open files" "$TMP/err"; then
		expect_rc 1
		seen_disk=$n
	elif [ "$RC" = 2 ]; then
		fail "ulimit -n $n: a host failure reported as the user's: $(head -c 500 "$TMP/err")"
	fi
done
[ -n "$seen_disk" ] || fail "no descriptor limit made the disk open fail"
[ -n "$seen_kernel" ] || fail "no descriptor limit made the kernel open fail"
echo "PASS: kernel at -n $seen_kernel, disk at -n $seen_disk: status 1"
