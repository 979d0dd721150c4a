#!/usr/bin/env bash
# The gdb stub's protocol spoken from bash over TCP, without gdb, so that it
# also runs in the lab (whose KVM, under QEMU's TCG, steps but fires no
# breakpoint: the stub single-steps there):
# acks and a bad checksum, qSupported, no-ack mode, the target description,
# registers, memory (unmapped, oversized, written and read back, our int3
# hidden), malformed and oversized packets answered with errors, software
# and hardware breakpoints, single-step, a write watchpoint, Ctrl-C (0x03),
# a second client turned away, and the exit status reported as W.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
need_kvm
(exec 9<>/dev/tcp/127.0.0.1/9) 2>&1 | grep -q "No such file or directory" &&
	{ echo "SKIP: this bash has no /dev/tcp"; exit 77; }

# The lab machine boots with its loopback interface down.
if [ "${LAB:-}" = 1 ] && [ $(($(cat /sys/class/net/lo/flags) & 1)) = 0 ]; then
	ip link set lo up || fail "cannot bring up lo"
fi
start_tessera --gdb tcp:127.0.0.1:0 -v --cmdline spin
port=$(tcp_port)
# The banner reaches $TMP/out a few bytes at a time (each one a UART exit):
# wait for its last address whole, then read it once. (Reading the growing
# file once per symbol found 'watched=' still missing under load: 'Z2,,8'.)
wait_for "$TMP/out" "gdbtarget: start tick=.* exit_status=0x[0-9a-f]\{16\}" ||
	fail "guest did not start: $(cat "$TMP/err"); stdout: $(cat "$TMP/out")"
banner=$(grep -m 1 "gdbtarget: start tick=" "$TMP/out")
sym() { sed -n "s/.* $1=0x0*\([0-9a-f]*\).*/\1/p" <<<"$banner"; }
tick=$(sym tick) watched=$(sym watched) spin=$(sym spin) status=$(sym exit_status)
[ -n "$tick" ] && [ -n "$watched" ] && [ -n "$spin" ] && [ -n "$status" ] ||
	fail "no symbol addresses in: '$banner'"
# The arch's view: target name, 'g' block (hex digits), pc's register
# number, a RAM address, the breakpoint kind gdb sends (x86 int3: 1 byte;
# arm64 BRK: 4).
if on_arm64; then
	arch_name=aarch64 g_hex=1576 pc_reg=20 ram=80000000 kind=4
else
	arch_name=i386:x86-64 g_hex=1200 pc_reg=10 ram=0 kind=1
fi
# le64 HEX: a 64-bit value as the register bytes gdb sees (little-endian).
le64() {
	local h out= i
	h=$(printf '%016x' "0x$1")
	for ((i = 14; i >= 0; i -= 2)); do out+=${h:i:2}; done
	echo "$out"
}

rsp_connect "$port"

# --- framing and acks -----------------------------------------------------------
printf '+$g#00' >&3 # a bad checksum is answered with '-'
IFS= read -r -d '' -n 1 -t 10 c <&3 || fail "no answer to a bad checksum"
[ "$c" = - ] || fail "bad checksum answered with '$c'"
rsp "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386" \
	"PacketSize=4000;qXfer:features:read\+;swbreak\+;hwbreak\+;vContSupported\+;QStartNoAckMode\+"
rsp QStartNoAckMode OK
ACK=0
rsp '?' 'T05thread:1;' # attaching stopped the running guest
rsp qfThreadInfo m1
rsp qsThreadInfo l
rsp qAttached 1
rsp "qXfer:features:read:target.xml:0,ffb" "[ml]<\?xml.*<architecture>$arch_name</architecture>.*"
rsp "qXfer:features:read:nosuch.xml:0,ffb" E02

# --- registers and memory ------------------------------------------------------
rsp g "[0-9a-f]{$g_hex}"
rsp p$pc_reg '[0-9a-f]{16}' # rip, pc
if on_arm64; then # a V register (128 bits) written and read back, then fpsr
	rsp "P22=00112233445566778899aabbccddeeff" OK
	rsp p22 00112233445566778899aabbccddeeff
	rsp p42 '[0-9a-f]{8}'
fi
rsp p9999 E02
rsp G00 E16
rsp m200000000,8 E0e # above the identity-mapped 4 GiB (x86), past RAM (arm64)
rsp mffff800000000000,8 E0e
rsp m10000000000000000,8 E16 # 17 digits
rsp "m$ram,ffffffffffffffff" '[0-9a-f]{16384}' # bounded by the reply buffer
rsp "M$status,4:2a000000" OK
rsp "m$status,4" 2a000000
rsp "X$status,4:ab" E16 # length and data disagree
rsp "M$status,ffffffffffffffff:00" E16
rsp "m$tick,$kind" "([0-9a-f]{$((2 * kind))})"
insn=$PKT

# --- malformed and oversized packets ----------------------------------------------
rsp vFooBar ''
rsp 'Z0,zz,1' E16
rsp 'Z9,0,1' E16
rsp 'vCont;x' E16
rsp 'vCont;c:99' E16
rsp Hgffffff E16
printf -v big '%*s' 20000 ''
big=${big// /a}
printf '$%s#%02x' "$big" $((97 * 20000 & 255)) >&3
LAST=oversized
get
[ "$PKT" = E07 ] || fail "oversized packet answered '$PKT', expected E07"

# --- breakpoints, step, watchpoint --------------------------------------------------
rsp "Z0,$tick,$kind" OK
rsp "m$tick,$kind" "$insn" # our int3 or BRK (where used) does not show
rsp 'vCont;c' 'T05thread:1;swbreak:;'
rsp p$pc_reg "$(le64 "$tick")"
rsp "z0,$tick,$kind" OK
rsp 'vCont;s:1' 'T05thread:1;'
rsp p$pc_reg '[0-9a-f]{16}'
[ "$PKT" != "$(le64 "$tick")" ] || fail "single-step did not move the pc"
rsp "Z1,$tick,$kind" OK
rsp 'vCont;c' 'T05thread:1;hwbreak:;'
rsp p$pc_reg "$(le64 "$tick")"
rsp "z1,$tick,$kind" OK
rsp "Z2,$watched,8" OK
rsp 'vCont;c' "T05thread:1;watch:0*$watched;"
rsp "z2,$watched,8" OK
if grep -q "watchpoints: single-step" "$TMP/err"; then
	rsp "Z4,$watched,8" '' # stepping cannot see reads
else
	rsp "Z4,$watched,8" OK
	rsp 'vCont;c' "T05thread:1;awatch:0*$watched;"
	rsp "z4,$watched,8" OK
fi

# --- Ctrl-C, a second client, the exit -----------------------------------------------
put 'vCont;c'
sleep 0.3
printf '\003' >&3
LAST=ctrl-c
get
[ "$PKT" = 'T02thread:1;' ] || fail "Ctrl-C answered '$PKT'"
exec 4<>"/dev/tcp/127.0.0.1/$port" || fail "second connection not even accepted"
IFS= read -r -n 1 -t 10 c <&4 && fail "a second client got '$c'"
exec 4<&-
expect_err "refused a second debugger"
rsp "M$spin,4:00000000" OK
rsp "M$status,4:2a000000" OK
rsp 'vCont;c' W2a
exec 3<&-
wait_tessera
expect_rc 42
expect_out "status=42"
echo "PASS gdb_protocol"
