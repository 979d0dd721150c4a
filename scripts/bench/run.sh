#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every host-side benchmark (`make bench` calls this with the paths
# set): the monitor core (core.py) and virtio-blk on this host (blk.sh).
# Fails (non-zero, one line naming it) if any of them measured nothing.
# The lab ones (boot.sh, net.sh, blk.sh lab) and the real-time one (rt.sh,
# make bench-rt) are run on their own.
set -u
here=$(cd "$(dirname "$0")" && pwd)
failed=
python3 "$here/core.py" || failed="$failed core.py"
echo
"$here/blk.sh" host || failed="$failed blk.sh"
if [ -n "$failed" ]; then
	echo "bench: FAIL:$failed measured nothing (see above)" >&2
	exit 1
fi
