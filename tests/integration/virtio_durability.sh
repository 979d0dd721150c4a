#!/usr/bin/env bash
# Durability: the guest writes a pattern and FLUSHes; once the FLUSH has
# completed the monitor is killed with SIGKILL, and the data must be in the
# image (checked on the host with python3 where there is one, and by a
# second guest reading it back).
# With and without O_DIRECT, and with the write cache turned off.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
# The host-side check of the image needs python3 (the lab has none); the
# second guest's read-back runs everywhere.
have_python=false
command -v python3 >/dev/null && have_python=true

check_image() { # check_image IMG SEED SECTORS: the vblk guest's pattern is there
	python3 - "$@" <<'PY'
import struct, sys
img, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(img, "rb").read()
M = (1 << 64) - 1
for s in range(n):
    for off in range(0, 512, 8):
        want = (((s + 1) * 0x9e3779b97f4a7c15) & M) ^ ((((seed << 32) | off) * 0x100000001b3) & M)
        got, = struct.unpack_from("<Q", data, s * 512 + off)
        if got != want:
            print(f"sector {s} offset {off}: {got:#x}, expected {want:#x}")
            sys.exit(1)
PY
}

run=0
direct_ok=false
dd if=/dev/zero of="$TMP/probe" bs=4096 count=1 oflag=direct 2>/dev/null && direct_ok=true
# "opts|guest args": the disk's options, and vblk.wce=0 for a write-through
# cache, where each write is durable at completion and no FLUSH is sent.
for variant in "|" ",direct=on|" "|vblk.wce=0" ",direct=on|vblk.wce=0"; do
	opts=${variant%%|*} extra=${variant#*|}
	case $opts in *direct*) $direct_ok || continue ;; esac
	run=$((run + 1))
	seed=$((RANDOM + 1))
	img=$TMP/durable$run.img
	truncate -s 256K "$img"
	"$TESSERA" run --kernel "$GUESTS/vblk.elf" --disk "path=$img$opts" \
		--cmdline "vblk.mode=write vblk.seed=$seed vblk.sectors=128 $extra" \
		</dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 400); do
		grep -q "vblk: flushed" "$TMP/out" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.025
	done
	grep -q "vblk: flushed" "$TMP/out" || { kill -9 "$pid"; fail "no flush: $(cat "$TMP/out" "$TMP/err")"; }
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	! $have_python || check_image "$img" "$seed" 128 || fail "image lacks the data ($variant)"
	run_guest vblk --disk "path=$img$opts,ro" --cmdline "vblk.mode=verify vblk.seed=$seed vblk.sectors=128"
	expect_rc 0
	expect_out "vblk: verified"
done
echo "PASS virtio_durability ($run variants)"
