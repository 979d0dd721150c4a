#!/usr/bin/env bash
# The hello guest prints through the UART and exits 0 through port 0x501,
# on one and on four vCPUs, and with RAM that spills above the 4 GiB hole.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
run_guest hello
expect_rc 0
expect_out "Hello from a Tessera partition!"
[ ! -s "$TMP/err" ] || fail "unexpected stderr: $(cat "$TMP/err")"

run_guest hello --cpus 4 --memory 128M
expect_rc 0
expect_out "Hello from a Tessera partition!"

# --memory-overcommit: the lab's L1 has less than 4 GiB; hello touches little.
run_guest hello --memory 4G --memory-overcommit
expect_rc 0
expect_out "Hello from a Tessera partition!"

run_guest hello --serial "file:$TMP/console.log"
expect_rc 0
grep -qF "Hello from a Tessera partition!" "$TMP/console.log" || fail "serial file lacks the greeting"
[ ! -s "$TMP/out" ] || fail "--serial file: still wrote to stdout"

run_guest hello --serial none
expect_rc 0
[ ! -s "$TMP/out" ] || fail "--serial none wrote to stdout"
run_guest hello --stats
expect_rc 0
expect_err "stats: vcpu0 exits "
echo "PASS boot_hello"
