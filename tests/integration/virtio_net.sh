#!/usr/bin/env bash
# virtio-net seen from a guest and from the tap: in a network namespace of
# its own (scripts/netns-tap.sh), the vnet guest sends an oversized frame
# (dropped by the device) and a hello frame; a packet socket (AF_PACKET)
# on the tap checks the hello, answers with a reply to the guest's MAC,
# and sees the guest's "done". Bad --net arguments and taps that cannot be
# opened end with one line and status 2. Needs root and /dev/net/tun.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, tap)"
need_tools python3 ip # package iproute2
NETNS_TAP=$HERE/scripts/netns-tap.sh
MAC=02:00:5e:10:00:01

# The peer: waits for the guest's hello, replies, waits for "done".
cat >"$TMP/peer.py" <<'PY'
import socket, sys, time
tap, mac, ready = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3]
ETH_P_ALL, TYPE = 0x0003, b"\x88\xb5"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.bind((tap, 0))
s.settimeout(1.0)
open(ready, "w").close()
def wait_for(text, limit=120):
    end = time.time() + limit
    while time.time() < end:
        try:
            f, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or f[12:14] != TYPE:
            continue
        if len(f) > 1518:
            sys.exit("peer: a %d-byte frame got through" % len(f))
        if f[14:14 + len(text)] == text:
            return f
    sys.exit("peer: no %r from the guest" % text)
f = wait_for(b"tessera-vnet hello")
assert f[0:6] == b"\xff" * 6, "hello not broadcast"
assert f[6:12] == mac, "hello from %s, expected the configured MAC" % f[6:12].hex()
n = len(b"tessera-vnet hello")
assert f[14 + n:20 + n] == mac, "hello does not carry the guest's MAC"
print("peer: hello, %d bytes" % len(f), flush=True)
reply = mac + b"\x02\x00\x00\x00\x00\xfe" + TYPE + b"tessera-vnet reply"
s.send(reply + b"\0" * (60 - len(reply)))
wait_for(b"tessera-vnet done")
print("peer: done", flush=True)
PY

# Inside the namespace: the peer in the background, then the partition.
cat >"$TMP/inner.sh" <<'SH'
set -u
python3 "$TMP/peer.py" "$TAP" "$MAC" "$TMP/ready" >"$TMP/peer.out" 2>&1 &
peer=$!
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
rc=0
timeout -k 5 120 env $SLOW "$TESSERA" run --kernel "$GUESTS/vnet.elf" -v \
	--net "tap=$TAP,mac=$MAC" </dev/null >"$TMP/out" 2>"$TMP/err" || rc=$?
wait "$peer"; prc=$?
echo "$rc $prc" >"$TMP/rcs"
SH
# Twice: with ioeventfd and irqfd, then through MMIO exits and KVM_IRQ_LINE.
for SLOW in "" TESSERA_NO_IOEVENTFD=1; do
rm -f "$TMP/ready"
SLOW=$SLOW TMP=$TMP MAC=$MAC TESSERA=$TESSERA GUESTS=$GUESTS "$NETNS_TAP" run -- bash "$TMP/inner.sh" ||
	fail "netns-tap.sh run failed"
read -r RC prc <"$TMP/rcs"
[ "$prc" = 0 ] || fail "peer: $(cat "$TMP/peer.out"); guest: $(cat "$TMP/out")"
expect_rc 0
expect_out "mac $MAC"
expect_out "vnet: received reply"
expect_out "vnet: ok"
! grep -q FAIL "$TMP/out" || fail "$(grep FAIL "$TMP/out")"
grep -q "peer: done" "$TMP/peer.out" || fail "peer: $(cat "$TMP/peer.out")"
# The monitor's count: three frames sent, the oversized one dropped, one received.
grep -Eq "rx [1-9][0-9]* frames" "$TMP/err" || fail "no frame received: $(cat "$TMP/err")"
grep -q "tx 2 frames ([0-9]* bytes), 1 dropped" "$TMP/err" ||
	fail "oversized frame not dropped and counted: $(grep virtio-net "$TMP/err")"
if [ -n "$SLOW" ]; then
	grep -q "[1-9][0-9]* notifications seen by the monitor" "$TMP/err" ||
		fail "slow path: no notification reached the monitor: $(cat "$TMP/err")"
fi
done

# No receive buffers: frames for the guest must not make the I/O thread spin.
cat >"$TMP/flood.py" <<'PY'
import socket, sys, time
tap, mac, ready = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((tap, 0))
s.settimeout(1.0)
open(ready, "w").close()
end = time.time() + 60
while time.time() < end:
    try:
        f, addr = s.recvfrom(65536)
    except socket.timeout:
        continue
    if addr[2] != socket.PACKET_OUTGOING and f[14:32] == b"tessera-vnet hello":
        break
else:
    sys.exit("flood: no hello")
frame = mac + b"\x02\x00\x00\x00\x00\xfe\x88\xb5" + b"x" * 100
for _ in range(500):
    s.send(frame)
print("flood: sent", flush=True)
PY
cat >"$TMP/idle.sh" <<'SH'
set -u
python3 "$TMP/flood.py" "$TAP" "$MAC" "$TMP/ready" >"$TMP/flood.out" 2>&1 &
flood=$!
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
"$TESSERA" run --kernel "$GUESTS/vnet.elf" -v --net "tap=$TAP,mac=$MAC" 	--cmdline vnet.mode=idle </dev/null >"$TMP/out" 2>"$TMP/err" &
pid=$!
wait "$flood" || { echo "flood failed: $(cat "$TMP/flood.out")" >"$TMP/idle.err"; kill -9 $pid; exit 0; }
sleep 1
io=$(grep -l '^vnet-io$' /proc/$pid/task/*/comm | head -n 1)
t0=$(awk '{ print $14 + $15 }' "${io%/comm}/stat")
sleep 2
t1=$(awk '{ print $14 + $15 }' "${io%/comm}/stat")
echo "$((t1 - t0))" >"$TMP/ticks"
kill -TERM $pid
wait $pid
echo $? >"$TMP/idle.rc"
exit 0
SH
rm -f "$TMP/ready"
TMP=$TMP MAC=$MAC TESSERA=$TESSERA GUESTS=$GUESTS "$NETNS_TAP" run -- bash "$TMP/idle.sh" ||
	fail "netns-tap.sh run (idle) failed"
[ ! -s "$TMP/idle.err" ] || fail "$(cat "$TMP/idle.err")"
expect_out "vnet: idle"
[ "$(cat "$TMP/idle.rc")" = 143 ] || fail "idle run: exit $(cat "$TMP/idle.rc"), expected 143 (SIGTERM): $(cat "$TMP/err")"
# Clock ticks (1/100 s) the I/O thread used in 2 s with 500 frames waiting.
echo "idle: $(cat "$TMP/ticks") clock ticks of the I/O thread in 2 s with frames waiting"
[ "$(cat "$TMP/ticks")" -le 5 ] || fail "I/O thread busy without receive buffers: $(cat "$TMP/ticks") ticks in 2 s"
grep -q "rx 0 frames (0 bytes), 0 dropped, [1-9][0-9]* stalls" "$TMP/err" ||
	fail "no receive stall counted: $(grep virtio-net "$TMP/err")"

# --- bad --net: one line, status 2 --------------------------------------------------
expect_usage_error() { # expect_usage_error "what stderr must say" args...
	local want=$1
	shift
	RC=0
	timeout 20 "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" -eq 2 ] || fail "'$*': exit $RC, expected 2: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$*': expected one stderr line, got: $(cat "$TMP/err")"
	grep -qF -- "$want" "$TMP/err" || fail "'$*': stderr lacks '$want': $(cat "$TMP/err")"
}
run=("$TESSERA" run --kernel "$GUESTS/vnet.elf")
expect_usage_error "bad MAC" "${run[@]}" --net "tap=t0,mac=02:00:00:00:00"
expect_usage_error "not a unicast address" "${run[@]}" --net "tap=t0,mac=03:00:00:00:00:01"
expect_usage_error "lacks tap=NAME" "${run[@]}" --net "mac=02:00:00:00:00:01"
expect_usage_error "tap name must be 1 to 15" "${run[@]}" --net "tap=abcdefghijklmnopq"

# In a namespace: a busy tap, a tun under the name, a missing tap without CAP_NET_ADMIN.
cat >"$TMP/taps.sh" <<'SH'
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
run=("$TESSERA" run --kernel "$GUESTS/vnet.elf")
expect_usage_error() {
	local want=$1
	shift
	RC=0
	timeout 20 "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" -eq 2 ] || fail "'$*': exit $RC, expected 2: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$*': expected one stderr line, got: $(cat "$TMP/err")"
	grep -qF -- "$want" "$TMP/err" || fail "'$*': stderr lacks '$want': $(cat "$TMP/err")"
}
mkfifo "$TMP/hold"
exec 3<>"$TMP/hold"
"$TESSERA" run --kernel "$GUESTS/vnet.elf" --net "tap=$TAP" <"$TMP/hold" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
	ip -br link show "$TAP" | grep -q LOWER_UP && break
	sleep 0.1
done
expect_usage_error "tap '$TAP' is in use by another process" "${run[@]}" --net "tap=$TAP"
kill "$holder"; wait "$holder" 2>/dev/null
ip tuntap add dev tsntun mode tun
expect_usage_error "'tsntun' is not a tap" "${run[@]}" --net "tap=tsntun"
ip tuntap del dev tsntun mode tun
# Without CAP_NET_ADMIN (as a user would be; root keeps /dev/kvm) a missing tap is an error.
if command -v setpriv >/dev/null; then
	expect_usage_error "tap 'tsnmissing' does not exist or is not ours" \
		setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
		"${run[@]}" --net "tap=tsnmissing"
fi
# Root may create a tap that does not exist; it goes away with the monitor.
RC=0
timeout 20 "${run[@]}" --net "tap=tsnnew" --cmdline vnet.mode=probe </dev/null >"$TMP/out" 2>&1 || RC=$?
[ "$RC" = 0 ] || fail "created tap: exit $RC: $(cat "$TMP/out")"
grep -q "vnet: device at" "$TMP/out" || fail "created tap: $(cat "$TMP/out")"
! ip link show tsnnew >/dev/null 2>&1 || fail "tap tsnnew outlived the monitor"
echo ok >"$TMP/taps.ok"
SH
chmod 755 "$TMP"
HERE=$HERE TMP=$TMP TESSERA=$TESSERA GUESTS=$GUESTS "$NETNS_TAP" run -- bash "$TMP/taps.sh" ||
	fail "tap error cases"
[ -e "$TMP/taps.ok" ] || fail "tap error cases did not finish"
