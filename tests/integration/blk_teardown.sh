#!/usr/bin/env bash
# virtio-blk's teardown stays inside the blk filter: its I/O thread stops
# the worker pool under that filter, and the main thread joins the workers.
# pthread_join() hands a thread's stack to glibc's stack cache, and once
# the cache is over its size glibc unmaps stacks and frees their TLS,
# which in a thread that never allocated first sets up a malloc arena
# (mmap): the blk filter killed Linux's disk test at teardown in the arm64
# lab that way. Here the cache is made empty (glibc.pthread.stack_cache_size=0)
# so every join trims it; the run must end cleanly under --seccomp kill
# (the default) and refuse nothing under --seccomp trap.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
img=$TMP/disk.img
truncate -s 1M "$img"

for mode in kill trap; do
	GLIBC_TUNABLES=glibc.pthread.stack_cache_size=0 \
		run_guest vblk --disk "path=$img" --seccomp "$mode"
	expect_rc 0
	expect_out "vblk: ok"
	! grep -q seccomp "$TMP/err" || fail "--seccomp $mode: $(grep seccomp "$TMP/err" | head -n 3)"
done
echo "PASS blk_teardown"
