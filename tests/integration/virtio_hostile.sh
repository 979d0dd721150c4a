#!/usr/bin/env bash
# A hostile guest feeds the virtio-blk device malformed rings (loops, bad
# indices, huge and wrapping lengths, nested and malformed indirect tables,
# an avail.idx that leaps, requests without header or status) and abuses
# the register file. Each must end in DEVICE_NEEDS_RESET with a config
# interrupt status, never a crash; the device must recover after a reset,
# and the monitor must keep running to the guest's own exit.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
truncate -s 1M "$TMP/disk.img"
for path in "" "TESSERA_NO_IOEVENTFD=1"; do
	env $path "$TESSERA" run --kernel "$GUESTS/vhostile.elf" --disk "path=$TMP/disk.img" \
		</dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	RC=${RC:-0}
	tr -d '\r' <"$TMP/out" >"$TMP/lines"
	[ "$RC" -eq 0 ] || fail "${path:-ioeventfd}: exit status $RC; $(grep -v ' ok$' "$TMP/lines"); stderr: $(head -c 2000 "$TMP/err")"
	expect_out "vhostile: ok"
	cases=$(grep -c ' ok$' "$TMP/lines")
	[ "$cases" -ge 30 ] || fail "only $cases cases passed: $(cat "$TMP/out")"
	expect_err "device needs reset"
	! grep -q FAIL "$TMP/out" || fail "$(grep FAIL "$TMP/out")"
	# The image is untouched: nothing malformed reached the disk.
	[ "$(tr -d '\0' <"$TMP/disk.img" | wc -c)" -eq 0 ] || fail "the image was written"
	unset RC
done
echo "PASS virtio_hostile ($cases cases)"
