#!/usr/bin/env bash
# The echo guest reads the UART by interrupts only (IRQ 4 through the
# in-kernel IOAPIC): what we type comes back, and at least one interrupt
# was taken.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
mkfifo "$TMP/in"
exec 3<>"$TMP/in" # open both ends first: a lone reader would block
timeout -k 5 60 "$TESSERA" run --kernel "$GUESTS/echo.elf" <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 200); do
	grep -q "echo: ready" "$TMP/out" 2>/dev/null && break
	sleep 0.05
done
grep -q "echo: ready" "$TMP/out" || fail "guest never became ready: $(cat "$TMP/err")"
printf 'partition' >&3
sleep 0.2
printf ' tessera-q' >&3 # 'q' ends it
exec 3>&-
RC=0
wait "$pid" || RC=$?
expect_rc 0
expect_out "partition tessera-"
irqs=$(sed -n 's/.*echo: irqs=\([0-9]*\).*/\1/p' "$TMP/out")
[ -n "$irqs" ] && [ "$irqs" -ge 1 ] || fail "no UART interrupt counted: $(cat "$TMP/out")"
echo "PASS serial_irq ($irqs interrupts)"
