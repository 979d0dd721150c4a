#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs tests/integration/*.sh (or the ones named) and prints one summary
# line: "N passed, N failed, N skipped". Exit status 1 if any failed.
set -u
dir=$(cd "$(dirname "$0")/integration" && pwd)
pass=0 failed=0 skip=0
if [ $# -eq 0 ]; then set -- "$dir"/*.sh; fi
for t in "$@"; do
	name=$(basename "$t" .sh)
	start=$(date +%s.%N)
	out=$(bash "$t" 2>&1)
	rc=$?
	secs=$(printf '%.2f' "$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo 0)")
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(echo "$out" | tail -n 1)" ;;
	*) failed=$((failed + 1)); echo "FAIL $name (status $rc, ${secs}s)"; echo "$out" | sed 's/^/    /' ;;
	esac
done
echo "integration: $pass passed, $failed failed, $skip skipped"
[ "$failed" -eq 0 ]
