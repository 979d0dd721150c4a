#!/usr/bin/env bash
# SIGTERM and SIGINT stop a running partition cleanly (status 128+signal),
# with all vCPU threads, including ones parked waiting for SIPI.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
for sig in TERM INT; do
	mkfifo "$TMP/in.$sig"
	exec 3<>"$TMP/in.$sig" # keep stdin open: the guest waits forever
	: >"$TMP/out" # else the wait below may see the last round's output
	"$TESSERA" run --kernel "$GUESTS/echo.elf" --cpus 2 <"$TMP/in.$sig" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "echo: ready" "$TMP/out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "echo: ready" "$TMP/out" || fail "guest never became ready: $(cat "$TMP/err" "$TMP/out")"
	kill -"$sig" "$pid"
	RC=0
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; fail "SIG$sig did not stop tessera within 5 s"; }
	wait "$pid" || RC=$?
	exec 3>&-
	expect_rc $((128 + $(kill -l "$sig")))
done
echo "PASS stop_signals"
