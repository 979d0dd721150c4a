#!/usr/bin/env bash
# The gdb stub's guest virtual addresses on arm64 (vmm/arch/arm64/mmu.c's
# walk of the guest's own tables; arm64 KVM has no KVM_TRANSLATE), spoken
# from bash over TCP like gdb_protocol.sh (the arm64 L1 has no gdb). The
# gdbtarget guest runs with the MMU on (guests/common/arm64/runtime.c): an
# identity map through TTBR0, and RAM once more at 0xffffffc000000000 +
# physical address through TTBR1's own tables. A value written through one
# mapping reads back through the other, both ways; the guest itself then
# reads what the stub wrote through the alias (it exits with that status);
# addresses no table maps are errors, not crashes. A stub that took
# virtual addresses for physical ones (the old identity) fails at the
# first alias read.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
on_arm64 || { echo "SKIP: arm64 only (x86 translates with KVM_TRANSLATE)"; exit 77; }
need_kvm
(exec 9<>/dev/tcp/127.0.0.1/9) 2>&1 | grep -q "No such file or directory" &&
	{ echo "SKIP: this bash has no /dev/tcp"; exit 77; }
if [ "${LAB:-}" = 1 ] && [ $(($(cat /sys/class/net/lo/flags) & 1)) = 0 ]; then
	ip link set lo up || fail "cannot bring up lo"
fi
ALIAS=0xffffffc000000000

start_tessera --gdb tcp:127.0.0.1:0 -v --cmdline spin
port=$(tcp_port)
wait_for "$TMP/out" "gdbtarget: start tick=" || fail "guest did not start: $(cat "$TMP/out" "$TMP/err")"
grep -q "MMU stays off" "$TMP/out" && fail "the guest runs without its MMU: $(cat "$TMP/out")"
sym() { sed -n "s/.* $1=0x0*\([0-9a-f]*\).*/\1/p" "$TMP/out" | head -n 1; }
tick=$(sym tick) counter=$(sym counter) spin=$(sym spin) status=$(sym exit_status)
[ -n "$tick" ] && [ -n "$status" ] && [ -n "$counter" ] || fail "no symbol addresses in: $(cat "$TMP/out")"
alias() { printf '%x' $((ALIAS + 0x$1)); }

RSP_TIMEOUT=30 # the emulated arm64 lab
rsp_connect "$port"

rsp "qSupported:swbreak+;hwbreak+" ".*PacketSize.*"
rsp QStartNoAckMode OK
ACK=0
rsp '?' 'T05thread:1;'

# Code: the same instructions through both mappings (not zeros: RAM).
rsp "m$tick,10" '[0-9a-f]{32}'
code=$PKT
[ "$code" != 00000000000000000000000000000000 ] || fail "tick reads as zeros"
rsp "m$(alias "$tick"),10" "$code"

# Data: written through the identity map, read through the alias...
rsp "M$counter,8:efbeadde11223344" OK
rsp "m$(alias "$counter"),8" efbeadde11223344
# ...and the other way, across a page boundary (two walks, one packet).
page_end=$(printf '%x' $(((0x$counter | 0xfff) - 3)))
rsp "M$(alias "$page_end"),8:0102030405060708" OK
rsp "m$page_end,8" 0102030405060708

# What no table maps: the gap between the halves, the alias of a device
# (not aliased), the alias past RAM, the top of TTBR1's range.
rsp "mffff800000000000,8" E0e
rsp "m$(alias 9000000),4" E0e
rsp "m$(alias 200000000),8" E0e
rsp "mfffffffffffff000,8" E0e
rsp "M$(alias 9000000),4:00000000" E0e

# The guest reads what the stub wrote through the alias: spin cleared,
# the exit status set, it runs to its end and exits with that status.
rsp "M$(alias "$status"),4:2a000000" OK
rsp "m$status,4" 2a000000
rsp "M$(alias "$spin"),4:00000000" OK
LAST=c
put c
get
[ "$PKT" = W2a ] || fail "continue ended with '$PKT', expected W2a; tessera: $(tail -c 1500 "$TMP/err")"
exec 3<&-
wait_tessera
expect_rc 42
expect_out "status=42"
echo "PASS: gdb stub reads and writes guest virtual addresses through the guest's tables (TTBR0 identity, TTBR1 alias)"
