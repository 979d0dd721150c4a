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

# --- issue 19: what the user names is checked before anything runs -----------
# Not regular files: refused at once, a FIFO without a writer never blocks.
mkfifo "$TMP/fifo"
expect_usage_error "--kernel: '$TMP/fifo' is a FIFO, not a regular file" run --kernel "$TMP/fifo"
expect_usage_error "--kernel: '$TMP' is a directory" run --kernel "$TMP"
expect_usage_error "--initrd: '/dev/zero' is a character device" run --kernel "$hello" --initrd /dev/zero
expect_usage_error "--config: '$TMP/fifo' is a FIFO" run --config "$TMP/fifo"
# --cmdline takes "--config" as its value: the FIFO after it is not opened.
expect_usage_error "unexpected argument '$TMP/fifo'" run --kernel "$hello" --cmdline --config "$TMP/fifo"
# A file that is not a partition file is never echoed back.
printf 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n' >"$TMP/shadow"
expect_usage_error "$TMP/shadow:1: not a 'key = value' line" run --config "$TMP/shadow"
grep -q SECRETHASH "$TMP/err" && fail "--config echoed a non-partition file: $(cat "$TMP/err")"
# Binary partition files: a NUL (bytes after it were ignored) or control bytes.
printf 'kernel = %s\n\0memory = 1G\n' "$hello" >"$TMP/nul.conf"
expect_usage_error "nul.conf: a NUL byte at offset" run --config "$TMP/nul.conf"
printf 'name = x\033]0;pwned\007\n' >"$TMP/esc.conf"
expect_usage_error "esc.conf:1: control byte 0x1b" run --config "$TMP/esc.conf"
grep -q pwned "$TMP/err" && fail "--config echoed control bytes: $(cat "$TMP/err")"
# Values with newlines or escapes come back as one printable line.
expect_usage_error "--name: 'a\\nb\\x1b[2J'" run --kernel "$hello" --name "$(printf 'a\nb\033[2J')"
grep -q "$(printf '\033')" "$TMP/err" && fail "an escape byte reached stderr"
# --serial file: new files only (no symlink, no existing file), unless ,append.
echo old >"$TMP/exists"
ln -s "$TMP/exists" "$TMP/link"
expect_usage_error "--serial: '$TMP/exists' exists (file:$TMP/exists,append appends" run --kernel "$hello" --serial "file:$TMP/exists"
expect_usage_error "--serial: '$TMP/link' exists" run --kernel "$hello" --serial "file:$TMP/link"
expect_usage_error "--serial: '$TMP/link' is a symbolic link: refused" run --kernel "$hello" --serial "file:$TMP/link,append"
expect_usage_error "--serial: cannot create '$TMP/nodir/log'" run --kernel "$hello" --serial "file:$TMP/nodir/log"
expect_usage_error "--serial: '/dev/null' is a character device" run --kernel "$hello" --serial "file:/dev/null,append"
[ "$(cat "$TMP/exists")" = old ] || fail "--serial wrote through: $(cat "$TMP/exists")"
expect_usage_error "--dump-dtb: cannot write '$TMP': Is a directory" run --kernel "$hello" --dump-dtb "$TMP"
expect_usage_error "--dump-dtb: '/dev/full' is a character device" run --kernel "$hello" --dump-dtb /dev/full
expect_usage_error "'256.1.1.1' is not an IP address" run --kernel "$hello" --gdb tcp:256.1.1.1:0
expect_usage_error "--memory 512G: the host can give" run --kernel "$hello" --memory 512G
expect_usage_error "--pin: host CPU 63 (vCPU 0) does not exist" run --kernel "$hello" --pin 0=63
expect_usage_error "--cgroup: no/such/group exists neither" run --kernel "$hello" --cgroup no/such/group

need_kvm
head -c 100 "$hello" >"$TMP/truncated.elf"
expect_usage_error "outside the file" run --kernel "$TMP/truncated.elf"
printf 'MZ not an elf' >"$TMP/junk.bin"
formats="an ELF64 or bzImage"
on_arm64 && formats="an ELF64 or arm64 Image"
expect_usage_error "not $formats (use --load-addr" run --kernel "$TMP/junk.bin"
# 8 bytes short of the end of 32M of RAM (x86: from 0; arm64: from 2 GiB).
end_less_8=0x1fffff8
on_arm64 && end_less_8=0x81fffff8
expect_usage_error "does not fit in guest RAM" run --kernel "$TMP/junk.bin" --load-addr $end_less_8 --memory 32M
head -c $((3 << 20)) /dev/zero >"$TMP/big.cpio"
expect_usage_error "larger than guest RAM" run --kernel "$hello" --memory 2M --initrd "$TMP/big.cpio"
head -c $((1 << 20)) /dev/zero >"$TMP/mid.cpio"
expect_usage_error "do not fit" run --kernel "$hello" --memory 2M --initrd "$TMP/mid.cpio"
expect_usage_error "longer than" run --kernel "$hello" --cmdline "$(head -c 70000 /dev/zero | tr '\0' x)"
if on_arm64; then
	# An arm64 Image header (booting.rst) asking for a big-endian kernel:
	# image_size 4096, flags bit 0, the magic at 56.
	head -c 64 /dev/zero >"$TMP/img"
	printf '\020' | dd of="$TMP/img" bs=1 seek=17 conv=notrunc 2>/dev/null
	printf '\001' | dd of="$TMP/img" bs=1 seek=24 conv=notrunc 2>/dev/null
	printf 'ARM\144' | dd of="$TMP/img" bs=1 seek=56 conv=notrunc 2>/dev/null
	expect_usage_error "a big-endian kernel" run --kernel "$TMP/img"
else
	printf 'MZ\0\0' >"$TMP/bz"; head -c 600 /dev/zero >>"$TMP/bz"; printf 'HdrS' | dd of="$TMP/bz" bs=1 seek=514 conv=notrunc 2>/dev/null
	expect_usage_error "boot protocol 0.00 is too old" run --kernel "$TMP/bz"
fi

# --- what the preflight lets through ------------------------------------------
# ,append appends to an existing regular file.
RC=0
timeout 20 "$TESSERA" run --kernel "$hello" --serial "file:$TMP/exists,append" </dev/null || RC=$?
[ "$RC" -eq 0 ] || fail "file:,append: exit $RC"
[ "$(head -n 1 "$TMP/exists")" = old ] && grep -q "Hello from a Tessera" "$TMP/exists" ||
	fail "file:,append did not append: $(cat "$TMP/exists")"
# The gdb address is only checked: --memory-overcommit skips the memory check.
RC=0
timeout 20 "$TESSERA" run --kernel "$hello" --memory 512G --memory-overcommit \
	--dump-dtb "$TMP/big.dtb" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
[ "$RC" -eq 0 ] && [ -s "$TMP/big.dtb" ] || fail "--memory-overcommit: exit $RC: $(cat "$TMP/err")"
# --dump-dtb into a pipe.
RC=0
timeout 20 "$TESSERA" run --kernel "$hello" --dump-dtb /dev/stdout </dev/null 2>"$TMP/err" |
	head -c 4 | od -An -tx1 | grep -q "d0 0d fe ed" || fail "--dump-dtb to a pipe: $(cat "$TMP/err")"
# A partition file others may write runs, with a warning.
printf 'kernel = %s\n' "$hello" >"$TMP/open.conf"
chmod 0666 "$TMP/open.conf"
RC=0
timeout 20 "$TESSERA" run --config "$TMP/open.conf" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
[ "$RC" -eq 0 ] || fail "a world-writable partition file: exit $RC"
grep -qF "'$TMP/open.conf' is writable by other users" "$TMP/err" || fail "no warning: $(cat "$TMP/err")"
# Closed stdout or stderr: fds 0-2 are not reused for the monitor's own
# files (the console wrote into the stop eventfd on fd 1; the log went into
# an eventfd or the console file on fd 2).
RC=0
timeout 20 "$TESSERA" run --kernel "$hello" </dev/null >&- 2>"$TMP/err" || RC=$?
[ "$RC" -eq 0 ] || fail "with stdout closed: exit $RC"
[ ! -s "$TMP/err" ] || fail "with stdout closed: $(cat "$TMP/err")"
RC=0
timeout 20 "$TESSERA" run --kernel "$hello" --serial "file:$TMP/closed.log" -v <&- >&- 2>&- || RC=$?
[ "$RC" -eq 0 ] || fail "with fds 0-2 closed: exit $RC"
grep -q "Hello from a Tessera" "$TMP/closed.log" || fail "with fds 0-2 closed the console went elsewhere"
grep -q "tessera:" "$TMP/closed.log" && fail "with fds 0-2 closed the log went into the console file"
echo "PASS bad_input"
