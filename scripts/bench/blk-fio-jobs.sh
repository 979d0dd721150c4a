#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The fio jobs of scripts/bench/blk.sh, for busybox sh: inside the guest on
# /dev/vda, and in L1 on the backing device. Sequential (128 KiB) and
# random (4 KiB) reads and writes at iodepth 1, 16 and 64 through an
# asynchronous engine (ENGINE: libaio, or io_uring), one job each. One
# line per job:
#   FIOJOB <job> <KiB/s> <IOPS> <mean completion latency, us>
# job: seqread-d16, randwrite-d64, ...
# DEPTHS: the iodepths, comma-separated (default 1,16,64), so that a lab
# slot can take one depth at a time (BENCH_DEPTHS in blk.sh).
# usage: blk-fio-jobs.sh TARGET DIRECT(0|1) [RUNTIME_S] [ENGINE] [DEPTHS]
target=$1 direct=$2 runtime=${3:-3} engine=${4:-libaio} depths=${5:-1,16,64}
# In a guest, fio.depths= on the kernel command line wins: lab-blk-inner.sh
# boots each monitor once per depth, so that the five runs of one depth
# follow each other closely (paired under the same host load).
for a in $(cat /proc/cmdline 2>/dev/null); do
	case $a in fio.depths=*) depths=${a#fio.depths=} ;; esac
done
# --thread: jobs are threads, not processes sharing SysV memory (our
# partition kernel has no SYSVIPC).
run() { # run NAME RW BS DEPTH
	fio --name="$1" --filename="$target" --direct="$direct" --rw="$2" --bs="$3" \
		--ioengine="$engine" --iodepth="$4" --iodepth_batch_submit=1 \
		--thread --size=192M --runtime="$runtime" --time_based \
		--output-format=terse --terse-version=3 >/tmp/fio.out 2>&1
	awk -F';' -v n="$1" '$1 == 3 && $5 == 0 {
		if ($8 > 0) printf "FIOJOB %s %d %d %.1f\n", n, $7, $8, $16
		else printf "FIOJOB %s %d %d %.1f\n", n, $48, $49, $57
		ok = 1 } END { if (!ok) exit 1 }' /tmp/fio.out ||
		{ echo "FIOERR $1: $(tail -n 5 /tmp/fio.out | tr '\n' ' ')"; return 1; }
}
rc=0
for d in $(echo "$depths" | tr ',' ' '); do
	run "seqread-d$d" read 128k "$d" || rc=1
	run "seqwrite-d$d" write 128k "$d" || rc=1
	run "randread-d$d" randread 4k "$d" || rc=1
	run "randwrite-d$d" randwrite 4k "$d" || rc=1
done
exit $rc
