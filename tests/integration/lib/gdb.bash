# SPDX-License-Identifier: GPL-2.0
# Sourced by the gdb tests after common.bash: a tessera in the background
# with --gdb, and gdb in batch mode against the gdbtarget guest.

TARGET=$GUESTS/gdbtarget.elf

need_gdb() {
	need_tools gdb # package gdb
}

# start_tessera [tessera flags...]: runs the gdbtarget guest in the
# background with a time bound; stdout in $TMP/out, stderr in $TMP/err,
# its pid in $TPID. The old output files go first: the background shell
# truncates them only when it gets to run, and a wait_for or tcp_port
# before that would read the previous run's (its port, say).
start_tessera() {
	rm -f "$TMP/out" "$TMP/err"
	timeout -k 5 "${TEST_TIMEOUT:-60}" "$TESSERA" run --kernel "$TARGET" "$@" \
		</dev/null >"$TMP/out" 2>"$TMP/err" &
	TPID=$!
}

# wait_for FILE PATTERN: waits up to 60 s (a loaded host) for a line
# matching PATTERN, or until tessera exits.
wait_for() {
	for _ in $(seq 1200); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q -- "$2" "$1" 2>/dev/null
}

# wait_socket PATH: waits up to 60 s for tessera's gdb socket.
wait_socket() {
	for _ in $(seq 1200); do
		[ -S "$1" ] && return 0
		kill -0 "$TPID" 2>/dev/null || break
		sleep 0.05
	done
	fail "no gdb socket at $1; stderr: $(cat "$TMP/err")"
}

# tcp_port: the port of a --gdb tcp:HOST:0 (needs -v or --gdb-wait).
tcp_port() {
	wait_for "$TMP/err" "gdb: .* on tcp:" ||
		fail "tessera did not say its gdb port: $(cat "$TMP/err")"
	sed -n 's/.*gdb: .* on tcp:[^ ]*:\([0-9]*\) .*/\1/p' "$TMP/err" | head -n 1
}

# run_gdb NAME: runs gdb in batch mode on $TMP/NAME.gdb (a command file),
# output in $TMP/NAME.out, status in $GDB_RC.
run_gdb() {
	GDB_RC=0
	timeout -k 5 60 gdb -batch -nx -x "$TMP/$1.gdb" "$TARGET" \
		</dev/null >"$TMP/$1.out" 2>&1 || GDB_RC=$?
}

# wait_tessera: waits for the background tessera; its status in $RC.
wait_tessera() {
	RC=0
	wait "$TPID" || RC=$?
}

# expect_gdb NAME TEXT: gdb's output holds TEXT.
expect_gdb() {
	grep -qF -- "$2" "$TMP/$1.out" ||
		fail "gdb output lacks '$2'; got: $(head -c 3000 "$TMP/$1.out"); tessera: $(head -c 1000 "$TMP/err")"
}

# A command file's common start: no pager, no questions.
gdb_prologue() {
	printf 'set pagination off\nset confirm off\nset width 0\n'
}
