#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 echo guest (guests/arm64/echo.c) reads the board's 16550 by
# interrupts only (its level SPI through the in-kernel vGICv3): what we
# type comes back, and at least one interrupt was taken. The arm64 twin of
# tests/integration/serial_irq.sh. Plain sh: the arm64 L1 has busybox.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
G=${GUESTS:-/lab/guests}
D=${TMPDIR:-/tmp}
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$G/echo.elf" ] || fail "$G/echo.elf missing (make ARCH=arm64)"
mkfifo "$D/in"
exec 3<>"$D/in" # open both ends first: a lone reader would block
timeout -s KILL 60 "$T" run --kernel "$G/echo.elf" --memory 64M <"$D/in" >"$D/out" 2>"$D/err" &
pid=$!
i=0
while [ $i -lt 400 ] && ! grep -q "echo: ready" "$D/out" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
grep -q "echo: ready" "$D/out" || fail "guest never became ready: $(cat "$D/err")"
printf 'partition' >&3
sleep 0.5
printf ' tessera-q' >&3 # 'q' ends it
exec 3>&-
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "status $rc: $(cat "$D/out" "$D/err")"
grep -q "partition tessera-" "$D/out" || fail "no echo: $(cat "$D/out")"
irqs=$(sed -n 's/.*echo: irqs=\([0-9]*\).*/\1/p' "$D/out")
[ -n "$irqs" ] && [ "$irqs" -ge 1 ] || fail "no UART interrupt counted: $(cat "$D/out")"
echo "PASS serial_irq ($irqs interrupts)"
