#!/usr/bin/env bash
# Unclaimed port reads give all-ones, unclaimed MMIO reads 0, and the UART
# registers behave, as seen from inside a guest.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
run_guest bus
expect_rc 0
[ "$(grep -c '^bus: ok' "$TMP/out")" -eq 8 ] || fail "expected 8 passing checks: $(cat "$TMP/out")"
echo "PASS guest_bus"
