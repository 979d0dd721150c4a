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

# The gdb remote protocol from bash, for tests that speak it themselves
# (no gdb in the arm64 L1, or packets gdb would not send).
# rsp_connect PORT: fd 3 to the stub on 127.0.0.1:PORT, acks on (ACK=1
# until the test sets ACK=0 after QStartNoAckMode).
rsp_connect() {
	exec 3<>"/dev/tcp/127.0.0.1/$1" || fail "cannot connect to port $1"
	ACK=1
}
# put PAYLOAD: sends one framed packet.
put() {
	local p=$1 sum=0 i c
	for ((i = 0; i < ${#p}; i++)); do
		printf -v c '%d' "'${p:i:1}"
		sum=$(((sum + c) & 255))
	done
	printf '$%s#%02x' "$p" "$sum" >&3
}
# get: one reply packet into $PKT (acks before it skipped), within
# RSP_TIMEOUT (10) seconds.
get() {
	local junk cs t=${RSP_TIMEOUT:-10}
	IFS= read -r -d '$' -t "$t" junk <&3 || fail "no reply to '$LAST'; tessera: $(tail -c 1000 "$TMP/err")"
	IFS= read -r -d '#' -t "$t" PKT <&3 || fail "reply to '$LAST' cut short: '${PKT:0:200}'"
	IFS= read -r -n 2 -t "$t" cs <&3 || fail "reply to '$LAST' has no checksum"
	[ "$ACK" = 1 ] && printf '+' >&3
	return 0
}
# rsp PAYLOAD REGEX: sends a packet, the reply must match REGEX whole.
rsp() {
	LAST=$1
	put "$1"
	get
	[[ $PKT =~ ^$2$ ]] || fail "'$1' got '${PKT:0:200}', expected '$2'; tessera: $(tail -c 1500 "$TMP/err")"
}
