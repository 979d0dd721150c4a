#!/usr/bin/env bash
# README allows 8 --disk and 4 --net: all twelve virtio-mmio devices get a
# slot, an interrupt line (the nine free x86 pins, then shared ones), a
# device-tree node and a virtio_mmio.device= entry, and the partition runs
# and stops cleanly with every I/O thread started. Needs root and
# /dev/net/tun for the taps (in a network namespace of its own).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, taps)"
need_tools ip fdtget # packages iproute2, device-tree-compiler

ARGS=()
for i in 0 1 2 3 4 5 6 7; do
	truncate -s 1M "$TMP/disk$i.img"
	ARGS+=(--disk "path=$TMP/disk$i.img")
done
for i in 0 1 2 3; do
	ARGS+=(--net "tap=tsmany$i")
done

# Inside the namespace: tessera creates the taps itself (root).
cat >"$TMP/inner.sh" <<'SH'
set -u
rc=0
timeout -k 5 60 "$TESSERA" run --kernel "$GUESTS/hello.elf" -v "$@" \
	--dump-dtb "$TMP/many.dtb" </dev/null >"$TMP/dump.out" 2>"$TMP/dump.err" || rc=$?
echo "$rc" >"$TMP/rc.dump"
rc=0
timeout -k 5 60 "$TESSERA" run --kernel "$GUESTS/hello.elf" -v "$@" \
	</dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
echo "$rc" >"$TMP/rc.run"
SH
env TMP="$TMP" TESSERA="$TESSERA" GUESTS="$GUESTS" "$HERE/scripts/netns-tap.sh" run -t tsmany9 -- \
	bash "$TMP/inner.sh" "${ARGS[@]}" || fail "netns-tap.sh run failed"

read -r RC <"$TMP/rc.dump"
[ "$RC" = 0 ] || fail "--dump-dtb with 12 devices: status $RC: $(head -c 2000 "$TMP/dump.err")"
read -r RC <"$TMP/rc.run"
expect_rc 0
expect_out "Hello"

# Twelve virtio nodes, each with its own slot; lines from the free pins.
nodes=$(fdtget -l "$TMP/many.dtb" / | grep -c '^virtio@') || true
[ "$nodes" = 12 ] || fail "$nodes virtio nodes in the tree, expected 12"
if on_arm64; then
	# arm64: a GIC SPI of its own each (<0 spi flags>), and the device
	# tree alone describes them (no virtio_mmio.device=).
	spis=""
	for n in $(fdtget -l "$TMP/many.dtb" / | grep '^virtio@'); do
		read -r kind spi _ < <(fdtget -t u "$TMP/many.dtb" "/$n" interrupts)
		[ "$kind" = 0 ] || fail "/$n interrupts: $kind $spi, expected an SPI (0 N flags)"
		spis="$spis $spi"
	done
	[ "$(echo $spis | tr ' ' '\n' | sort -u | wc -l)" = 12 ] || fail "SPIs used: $spis"
	[ "$(grep -c 'virtio-blk@0x' "$TMP/err")" -ge 8 ] || fail "not every disk was set up: $(head -c 2000 "$TMP/err")"
	[ "$(grep -c 'virtio-net@0x.*tap tsmany' "$TMP/err")" = 4 ] || fail "not every NIC was set up: $(head -c 2000 "$TMP/err")"
	echo "PASS: 8 disks and 4 NICs"
	exit 0
fi
lines=""
for n in $(fdtget -l "$TMP/many.dtb" / | grep '^virtio@'); do
	irq=$(fdtget -t u "$TMP/many.dtb" "/$n" interrupts | cut -d' ' -f1)
	case " 5 6 7 10 11 12 13 14 15 " in *" $irq "*) ;; *) fail "/$n on line $irq" ;; esac
	lines="$lines $irq"
done
[ "$(echo $lines | tr ' ' '\n' | sort -u | wc -l)" = 9 ] || fail "lines used: $lines"

# The kernel command line announces all twelve.
cmdline=$(grep "kernel command line:" "$TMP/err") || fail "no command line logged: $(head -c 2000 "$TMP/err")"
count=$(echo "$cmdline" | grep -o 'virtio_mmio.device=512@0x[0-9a-f]*:[0-9]*' | sort -u | wc -l)
[ "$count" = 12 ] || fail "$count virtio_mmio.device= entries: $cmdline"
expect_err "shared with another device"
[ "$(grep -c 'virtio-blk@0x' "$TMP/err")" -ge 8 ] || fail "not every disk was set up: $(head -c 2000 "$TMP/err")"
[ "$(grep -c 'virtio-net@0x.*tap tsmany' "$TMP/err")" = 4 ] || fail "not every NIC was set up: $(head -c 2000 "$TMP/err")"
echo "PASS: 8 disks and 4 NICs"
