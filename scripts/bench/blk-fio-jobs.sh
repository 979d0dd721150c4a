#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The fio jobs of scripts/bench/blk.sh, for busybox sh: inside the guest on
# /dev/vda, and in L1 on the image file. One line per job:
#   FIOJOB <job> <KiB/s> <IOPS> <mean completion latency, us>
# usage: blk-fio-jobs.sh TARGET DIRECT(0|1) [RUNTIME_S]
target=$1 direct=$2 runtime=${3:-4}
# --thread: jobs are threads, not processes sharing SysV memory (our
# partition kernel has no SYSVIPC).
run() { # run NAME RW BS NUMJOBS
	fio --name="$1" --filename="$target" --direct="$direct" --rw="$2" --bs="$3" \
		--numjobs="$4" --thread --group_reporting --ioengine=psync --size=192M \
		--runtime="$runtime" --time_based --output-format=terse --terse-version=3 \
		>/tmp/fio.out 2>&1
	awk -F';' -v n="$1" '$1 == 3 && $5 == 0 {
		if ($8 > 0) printf "FIOJOB %s %d %d %.1f\n", n, $7, $8, $16
		else printf "FIOJOB %s %d %d %.1f\n", n, $48, $49, $57
		ok = 1 } END { if (!ok) exit 1 }' /tmp/fio.out ||
		{ echo "FIOERR $1: $(tail -n 5 /tmp/fio.out | tr '\n' ' ')"; return 1; }
}
rc=0
run seqread read 128k 1 || rc=1
run seqwrite write 128k 1 || rc=1
run randread randread 4k 1 || rc=1
run randwrite randwrite 4k 1 || rc=1
run randread4j randread 4k 4 || rc=1
exit $rc
