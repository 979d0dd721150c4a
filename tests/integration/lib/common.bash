# SPDX-License-Identifier: GPL-2.0
# Sourced by every integration test. Tests exit 0 (pass), 77 (skip: no
# /dev/kvm here, or another piece missing: see skip) or anything else
# (fail), and say why on failure.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
TESSERA=${TESSERA:-$HERE/build/tessera}
GUESTS=${GUESTS:-$HERE/build/guests}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-test.XXXXXX")
# main_shell: true in the test's own shell, false in a subshell or a child
# not yet exec'd. bash catches the fatal signals to run an EXIT trap, and a
# child of `cmd &` has the handler until it execs: a SIGTERM sent to a job
# that has just been started (stop_bounded's random rounds at 0 ms, a
# watchdog killed at once) ran the parent's EXIT trap in the child, whose
# cleanup deleted $TMP under the test and killed its jobs (the
# /tmp/tessera-test.* directories that vanished mid-run). Every EXIT trap
# does its work only in the main shell.
main_shell() { [ "$BASHPID" = "$$" ]; }

# On any exit, a test's background monitors die with it: none outlives a failure.
# A job is often `timeout ... tessera`: killing timeout alone would orphan the
# monitor (a --gdb partition spinning on), so its children go first.
cleanup() {
	local pid child
	main_shell || return 0
	for pid in $(jobs -p); do
		for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
			kill -9 "$child" 2>/dev/null
		done
		kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# The architecture the test runs on (uname -m: x86_64 or aarch64): the
# arm64 lab runs the tests that apply there (tests/lab-arm64/*.sh links
# here) with the same guest names (build/arm64/guests).
ARCH=$(uname -m)
on_arm64() { [ "$ARCH" = aarch64 ]; }

# skip_arch ARCH WHY: skips where ARCH lacks the feature by design (and only
# there: a feature that is missing by accident must fail, not skip).
skip_arch() {
	[ "$ARCH" != "$1" ] || { echo "SKIP: not on $1 by design: $2"; exit 77; }
}

need_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "no usable /dev/kvm"
}

# run_guest NAME [tessera flags...]: boots a test guest (NAME "" for none:
# the flags name the kernel) with a time bound; leaves stdout in $TMP/out,
# stderr in $TMP/err and the status in $RC.
run_guest() {
	local guest=$1
	shift
	[ -z "$guest" ] || set -- --kernel "$GUESTS/$guest.elf" "$@"
	RC=0
	timeout -k 5 "${TEST_TIMEOUT:-60}" "$TESSERA" run "$@" \
		</dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
}

expect_rc() {
	[ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1; stderr: $(head -c 2000 "$TMP/err")"
}

expect_out() {
	grep -qF -- "$1" "$TMP/out" || fail "output lacks '$1'; got: $(head -c 2000 "$TMP/out")"
}

expect_err() {
	grep -qF -- "$1" "$TMP/err" || fail "stderr lacks '$1'; got: $(head -c 2000 "$TMP/err")"
}

# skip WHY: this machine lacks what the test needs (/dev/kvm, a tool, root,
# /dev/net/tun, a second CPU): exit 77. Inside the lab (LAB=1), which is
# built to have every such piece, a missing one is a failure, never a skip
# (scripts/lab/mkinitramfs.sh carries the tools, init.sh the devices).
skip() {
	if [ "${LAB:-0}" = 1 ]; then
		echo "FAIL: $* (the lab must provide it: scripts/lab/README.md, \"Tools in L1\")" >&2
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

# need_tools TOOL...: skip (fail in the lab) unless each TOOL is on PATH.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "no $t here"
	done
}
