#!/usr/bin/env bash
# Issue 19 item 8: the same disk named twice (by one path or two) is the
# user's mistake, said as such (status 2), not "in use by another
# process"; read-only on both sides may share the file.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
truncate -s 1M "$TMP/disk"
ln -s "$TMP/disk" "$TMP/link"
run_guest hello --disk path="$TMP/disk" --disk path="$TMP/disk"
expect_rc 2
expect_err "are the same disk, named twice (disks 0 and 1)"
grep -q "in use by another process" "$TMP/err" && fail "still says 'in use by another process'"
run_guest hello --disk path="$TMP/disk",ro --disk path="$TMP/link"
expect_rc 2
expect_err "'$TMP/disk' and '$TMP/link' are the same disk, named twice"
run_guest hello --disk path="$TMP/disk",ro --disk path="$TMP/link",ro
expect_rc 0
expect_out "Hello from a Tessera partition!"
# Another process holding the disk is still told apart.
flock -x "$TMP/disk" sleep 5 &
sleep 0.2
run_guest hello --disk path="$TMP/disk"
kill %1 2>/dev/null
expect_rc 2
expect_err "in use by another process"
echo "PASS disk_named_twice"
