#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the arm64 Linux guest of tests/integration/vfio_platform_linux.sh
# (scripts/mkinitramfs.sh --cmd): Debian's stock kernel must have bound its
# own rtc-pl031 driver to the PL031 tessera passed through (from the DT
# node tessera wrote), read the time through it, and taken an alarm
# interrupt (/proc/interrupts). Prints PL031-* markers; status 0 on success.
rtc=/sys/class/rtc/rtc0
if [ ! -e "$rtc" ]; then
	echo "PL031-FAIL no $rtc"
	dmesg | grep -i -e pl031 -e rtc -e amba -e clk | tail -n 20
	exit 1
fi
echo "PL031-NAME $(cat "$rtc/name")"
echo "PL031-TIME $(cat "$rtc/date") $(cat "$rtc/time") since_epoch=$(cat "$rtc/since_epoch")"
count() { awk '/pl031/ { print $2; exit }' /proc/interrupts; }
before=$(count)
echo 0 >"$rtc/wakealarm"
echo +2 >"$rtc/wakealarm" || { echo "PL031-FAIL cannot set wakealarm"; exit 1; }
sleep 4
after=$(count)
grep pl031 /proc/interrupts
echo "PL031-IRQS before=${before:-none} after=${after:-none}"
[ -n "$after" ] && [ "$after" -gt "${before:-0}" ] || { echo "PL031-FAIL no alarm interrupt"; exit 1; }
echo "PL031-ALARM-OK"
