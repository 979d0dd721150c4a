#!/usr/bin/env bash
# Bad command lines and bad images: one clear error line, exit status 2.
# Needs no /dev/kvm for the command-line cases.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }

expect_usage_error() { # expect_usage_error "what stderr must say" args...
	local want=$1
	shift
	RC=0
	timeout 20 "$TESSERA" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" -eq 2 ] || fail "'$*': exit $RC, expected 2"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$*': expected one stderr line, got: $(cat "$TMP/err")"
	grep -qF -- "$want" "$TMP/err" || fail "'$*': stderr lacks '$want': $(cat "$TMP/err")"
}

hello=$GUESTS/hello.elf
expect_usage_error "unknown command" frobnicate
expect_usage_error "unknown option '--bogus'" run --kernel "$hello" --bogus
expect_usage_error "not a size" run --kernel "$hello" --memory lots
expect_usage_error "--cpus" run --kernel "$hello" --cpus 0
expect_usage_error "missing --kernel" run
expect_usage_error "cannot read '/nonexistent'" run --kernel /nonexistent
expect_usage_error "--serial" run --kernel "$hello" --serial tcp:1
expect_usage_error "--cpu-template" run --kernel "$hello" --cpu-template max

"$TESSERA" run --help | grep -q -- "--kernel FILE" || fail "run --help lacks --kernel"

need_kvm
head -c 100 "$hello" >"$TMP/truncated.elf"
expect_usage_error "outside the file" run --kernel "$TMP/truncated.elf"
printf 'MZ not an elf' >"$TMP/junk.bin"
expect_usage_error "not an ELF64 or bzImage" run --kernel "$TMP/junk.bin"
expect_usage_error "does not fit in guest RAM" run --kernel "$TMP/junk.bin" --load-addr 0x1fffff8 --memory 32M
head -c $((3 << 20)) /dev/zero >"$TMP/big.cpio"
expect_usage_error "larger than guest RAM" run --kernel "$hello" --memory 2M --initrd "$TMP/big.cpio"
head -c $((1 << 20)) /dev/zero >"$TMP/mid.cpio"
expect_usage_error "do not fit" run --kernel "$hello" --memory 2M --initrd "$TMP/mid.cpio"
expect_usage_error "longer than" run --kernel "$hello" --cmdline "$(head -c 70000 /dev/zero | tr '\0' x)"
printf 'MZ\0\0' >"$TMP/bz"; head -c 600 /dev/zero >>"$TMP/bz"; printf 'HdrS' | dd of="$TMP/bz" bs=1 seek=514 conv=notrunc 2>/dev/null
expect_usage_error "boot protocol 0.00 is too old" run --kernel "$TMP/bz"
echo "PASS bad_input"
