#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A stock arm64 Linux guest drives a passed-through PL031 with its own
# driver: Debian's cloud kernel (the arm64 lab's own Image) boots under
# tessera with --vfio platform:<the lab's PL031>, the node tessera writes
# (compatible "arm,pl031", "arm,primecell" and a fixed 24 MHz apb_pclk,
# given on the command line: neither can be derived from the host node
# the lab edits), and guests/arm64/pl031-linux.sh checks that rtc-pl031
# bound, read the time and took an alarm interrupt. scripts/lab/run.sh
# puts the Image and that initramfs in /linux when it runs this test (or
# all). Skips only where no device is bound (outside the arm64 lab).
[ -n "${LAB_PLATFORM_DEV:-}" ] || { echo "SKIP: no vfio-platform device (LAB_PLATFORM_DEV; the arm64 lab binds one)"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
L=${LINUX_DIR:-/linux}
D=$LAB_PLATFORM_DEV
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$L/Image-debian-cloud" ] && [ -f "$L/initrd-pl031.cpio.gz" ] ||
	fail "no $L/Image-debian-cloud and initrd-pl031.cpio.gz (scripts/lab/run.sh adds them)"
case ${LAB_PLATFORM_GROUP:-} in
noiommu-*) flag=--vfio-noiommu ;;
'') fail "$D has no VFIO group" ;;
*) flag= ;;
esac
out=${TMPDIR:-/tmp}/vfio_platform_linux.out
# The default seccomp filters where this build has VFIO rules (as vfio_platform.sh).
sec=
if "$T" run --kernel "$L/Image-debian-cloud" --vfio platform:nosuch.dev 2>&1 |
	grep -q "no VFIO rules yet"; then
	sec="--seccomp off"
fi
start=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086 # $sec and $flag are split on purpose
timeout -s KILL 400 "$T" run $sec --kernel "$L/Image-debian-cloud" \
	--initrd "$L/initrd-pl031.cpio.gz" --memory 256M --cmdline quiet \
	--vfio "platform:$D,compatible=\"arm,pl031\",\"arm,primecell\",clock=apb_pclk:24000000" \
	$flag >"$out" 2>&1
rc=$?
secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
grep -a -e "^PL031-" -e "rtc-pl031" -e pl031 "$out" | head -n 20
[ "$rc" = 0 ] || { tail -c 3000 "$out"; fail "tessera run: status $rc"; }
for m in TESSERA-INIT-OK PL031-NAME PL031-TIME PL031-ALARM-OK "TESSERA-CMD-RC 0"; do
	grep -aq "$m" "$out" || { tail -c 3000 "$out"; fail "no '$m'"; }
done
echo "PASS vfio_platform_linux (${secs} s)"
