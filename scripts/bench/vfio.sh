#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# VFIO-PCI benchmark (not a test; one run of the x86 nested lab, slow):
#   1. the cost of one guest read of a passed-through BAR register, mapped
#      as a memory slot against trapped and forwarded (TESSERA_VFIO_NO_MMAP):
#      the vfio_edu guest's own figure (TSC ticks per read, mean of 2000
#      reads of edu's ID register), BENCH_ROUNDS (5) alternating runs each;
#   2. what a Linux guest sees of the device (IDs, class, BAR0 and its
#      size, the IRQ, the ID register read from user space; the initramfs
#      of tests/integration/vfio_pci_linux.sh) under tessera and, as the
#      reference, under QEMU (`-M q35 -device vfio-pci`, SeaBIOS) in the
#      same L1, same Debian kernel, same initramfs.
# Prints the medians and their ratio, and the two views side by side.
# Fails (status 1, "vfio bench: FAIL ...") when a figure or a view is
# missing: it never goes silent.
#
# Environment: BUILD (build dir), BENCH_OUT (BUILD/bench-vfio: the lab log
# and the summary), BENCH_ROUNDS (5), BENCH_TESTS (integration tests to run
# in the same L1 boot first, e.g. "vfio_pci vfio_pci_linux"; their kernels
# and initramfs are there), BENCH_EXTRA (more LAB_EXTRA files those tests
# need, e.g. "initrd.cpio.gz:/linux/initrd.cpio.gz" for linux_boot), LAB_LOG.
# Take the lab lock around it:
#   flock /tmp/tessera-lab-x86.lock timeout 1200 nice -n 5 scripts/bench/vfio.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
BUILD=${BUILD:-$top/build}
out=${BENCH_OUT:-$BUILD/bench-vfio}
mkdir -p "$out"
rm -f "$out/vfio.txt"
fail() { echo "vfio bench: FAIL: $*" >&2; exit 1; }

kernel=$("$here/build-guest-kernel.sh" | tail -n 1)
stock=$(ls "$("$here/lab/fetch.sh")"/boot/vmlinuz-* | head -n 1)
"$here/mkinitramfs.sh" "$tmp/initrd-vfio.cpio.gz" --exit reboot \
	--add "$top/guests/vfio_linux.sh:/tessera/vfio_linux.sh" \
	--cmd ". /tessera/vfio_linux.sh" >&2
qemu=$(command -v qemu-system-x86_64) || fail "no qemu-system-x86_64 (apt-get install qemu-system-x86)"

mkdir -p "$tmp/tests/lib"
cp "$top/tests/integration/lib/"* "$tmp/tests/lib/"
tests=
for t in ${BENCH_TESTS:-}; do
	cp "$top/tests/integration/$t.sh" "$tmp/tests/$t.sh"
	tests="$tests $t"
done
# The L1 side: L1 does not inherit this environment, so the rounds are
# written into the copy.
cat >"$tmp/tests/bench_vfio.sh" <<EOF
#!/usr/bin/env bash
ROUNDS=${BENCH_ROUNDS:-5}
EOF
cat >>"$tmp/tests/bench_vfio.sh" <<'EOF'
set -u
bdf=${LAB_PCI_BDF:-}
[ -n "$bdf" ] || { echo "BENCH-FAIL no device bound to vfio-pci"; exit 1; }
id=$(cat "/sys/bus/pci/devices/$bdf/vendor"):$(cat "/sys/bus/pci/devices/$bdf/device")
id=${id//0x/}
rc=0
# Progress straight to L1's console too: a step that hangs is named there
# (this test's own output only shows once it ends).
step() { echo "BENCH-STEP $* uptime=$(cut -d' ' -f1 /proc/uptime)" | tee /dev/console; }
echo "BENCH-PLAN rounds=$ROUNDS device=$bdf id=$id"
for r in $(seq "$ROUNDS"); do
	for mode in mapped trapped; do
		env=
		[ "$mode" = trapped ] && env=TESSERA_VFIO_NO_MMAP=1
		o=$(env $env timeout -s KILL 60 "$TESSERA" run --kernel "$GUESTS/vfio_edu.elf" --vfio "$bdf" </dev/null 2>&1)
		t=$(printf '%s\n' "$o" | sed -n 's/^vfio_edu: BAR0 read \([0-9]*\) TSC.*/\1/p')
		[ -n "$t" ] || { rc=1; printf '%s\n' "$o" | tail -n 5 | sed 's/^/BENCH-ERR /'; }
		echo "BENCH-VFIO $mode $r ticks=${t:-none}"
	done
done
# The Linux guest's view of the device: tessera, then QEMU, same kernel.
cmd="quiet tessera.pci=$id tessera.exit=reboot"
for K in /linux/bzImage-debian-*; do
	step "tessera $K"
	timeout -s KILL 180 "$TESSERA" run --kernel "$K" --initrd /linux/initrd-vfio.cpio.gz --memory 256M \
		--cpus 1 --cpu-template host --vfio "$bdf" --cmdline "$cmd" </dev/null 2>&1 |
		tr -d '\r' | grep -a '^TESSERA-PCI' | sed 's/^/VIEW tessera /'
	step "qemu $K"
	timeout -s KILL 180 qemu-system-x86_64 -L /usr/share/qemu -accel kvm -cpu host \
		-M q35 -m 256M -smp 1 \
		-nodefaults -no-user-config -nographic -serial stdio -no-reboot \
		-device "vfio-pci,host=$bdf,rombar=0" -kernel "$K" -initrd /linux/initrd-vfio.cpio.gz \
		-append "console=ttyS0 reboot=t $cmd" </dev/null 2>&1 |
		tr -d '\r' | grep -a -e '^TESSERA-PCI' -e 'qemu-system' -e 'Kernel panic' | sed 's/^/VIEW qemu /'
	step "done $K"
done
echo "BENCH-DONE"
exit $rc
EOF
chmod +x "$tmp/tests/bench_vfio.sh"

cd "$top"
log=$out/lab.log
extra="$kernel:/linux/bzImage-partition $stock:/linux/bzImage-debian-cloud $tmp/initrd-vfio.cpio.gz:/linux/initrd-vfio.cpio.gz"
extra="$extra $qemu:/usr/bin/qemu-system-x86_64"
for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin; do
	[ -f "$f" ] || fail "no $f (apt-get install qemu-system-x86 seabios)"
	extra="$extra $f:/usr/share/qemu/${f##*/}"
done
extra="$extra ${BENCH_EXTRA:-}"
# shellcheck disable=SC2086 # the test list is split on purpose
LAB_TESTS_DIR=$tmp/tests LAB_APPEND="lab.verbose=1 lab.tail=1000000" LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-900} \
LAB_LOG=${LAB_LOG:-$out/lab-console.log} BUILD=$BUILD LAB_EXTRA="$extra" \
	"$here/lab/run.sh" $tests bench_vfio >"$log" 2>&1 || echo "vfio bench: the lab run ended with status $? (see $log)" >&2
grep -a '^lab:   ' "$log" >&2 || true

lines=$(grep -a 'bench_vfio| ' "$log" | sed 's/.*bench_vfio| //' | tr -d '\r') || true
grep -q '^BENCH-DONE' <<<"$lines" || fail "the lab's bench_vfio never finished (see $log)"
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
figures() { sed -n "s/^BENCH-VFIO $1 [0-9]* ticks=\([0-9][0-9]*\)$/\1/p" <<<"$lines"; }
n_mapped=$(figures mapped | grep -c . || true)
n_trapped=$(figures trapped | grep -c . || true)
[ "$n_mapped" -gt 0 ] && [ "$n_trapped" -gt 0 ] ||
	fail "no BAR read figure (mapped: $n_mapped runs, trapped: $n_trapped runs; see $log)"
m=$(figures mapped | median)
t=$(figures trapped | median)
{
	echo "BAR0 read, guest TSC ticks per read (vfio_edu, mean of 2000 reads per run):"
	echo "  mapped (memory slot, no exit):      median $m over $n_mapped runs ($(figures mapped | tr '\n' ' '))"
	echo "  trapped (exit + pread through VFIO): median $t over $n_trapped runs ($(figures trapped | tr '\n' ' '))"
	awk -v m="$m" -v t="$t" 'BEGIN { printf "  trapped / mapped: %.0fx\n", (m > 0 ? t / m : 0) }'
	echo "The Linux guest's view (Debian cloud kernel, same initramfs):"
	grep '^VIEW ' <<<"$lines" | sed 's/^VIEW /  /'
} | tee "$out/vfio.txt"
grep -q '^VIEW tessera TESSERA-PCI-READ' <<<"$lines" || fail "no Linux view under tessera (see $log)"
grep -q '^VIEW qemu TESSERA-PCI-READ' <<<"$lines" || fail "no Linux view under QEMU's vfio-pci (see $log)"
[ "$n_mapped" -eq "$n_trapped" ] || fail "rounds lost: $n_mapped mapped, $n_trapped trapped figures"
echo "vfio bench: $out/vfio.txt"
