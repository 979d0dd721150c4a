#!/usr/bin/env bash
# On a terminal: stdin goes raw (no line buffering, no echo by the host),
# typed bytes reach the guest, Ctrl-A x quits with status 0, and the
# terminal's settings are restored exactly; also when a stop signal finds
# the monitor stuck and the signal thread ends it (in its own filter).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
need_tools python3
python3 - "$TESSERA" "$GUESTS/echo.elf" <<'PY' || fail "see above"
import os, pty, select, subprocess, sys, termios, time
tessera, guest = sys.argv[1:3]
master, slave = pty.openpty()
before = termios.tcgetattr(slave)
p = subprocess.Popen([tessera, "run", "--kernel", guest], stdin=slave, stdout=slave,
                     stderr=subprocess.PIPE)
out = b""
def read_until(token, secs=10):
    global out
    end = time.monotonic() + secs
    while token not in out and time.monotonic() < end:
        if select.select([master], [], [], 0.1)[0]:
            out += os.read(master, 4096)
    return token in out
if not read_until(b"echo: ready"):
    p.kill(); print("FAIL: guest not ready:", out); sys.exit(1)
raw = termios.tcgetattr(slave)
if raw[3] & (termios.ICANON | termios.ECHO):
    p.kill(); print("FAIL: terminal not in raw mode"); sys.exit(1)
os.write(master, b"tty")  # no newline: raw mode must pass it at once
if not read_until(b"tty"):
    p.kill(); print("FAIL: typed bytes did not come back:", out); sys.exit(1)
os.write(master, b"\x01x")
try:
    rc = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill(); print("FAIL: Ctrl-A x did not quit"); sys.exit(1)
if rc != 0:
    print("FAIL: Ctrl-A x exit status", rc, p.stderr.read()); sys.exit(1)
if termios.tcgetattr(slave) != before:
    print("FAIL: terminal settings not restored"); sys.exit(1)

# Stuck in the run: SIGTERM, then the signal thread ends the process after
# the stop's bound and restores the terminal itself.
env = dict(os.environ, TESSERA_TEST_STALL="run")
p = subprocess.Popen([tessera, "run", "--kernel", guest, "-v"], stdin=slave, stdout=slave,
                     stderr=subprocess.PIPE, env=env)
err = b""
end = time.monotonic() + 10
while b"stalling in run" not in err and time.monotonic() < end:
    if select.select([p.stderr], [], [], 0.1)[0]:
        err += os.read(p.stderr.fileno(), 4096)
if b"stalling in run" not in err:
    p.kill(); print("FAIL: never stalled:", err); sys.exit(1)
if termios.tcgetattr(slave)[3] & termios.ICANON:
    p.kill(); print("FAIL: terminal not in raw mode before the stop"); sys.exit(1)
p.terminate()
try:
    rc = p.wait(timeout=5)
except subprocess.TimeoutExpired:
    p.kill(); print("FAIL: SIGTERM did not end a stuck run"); sys.exit(1)
err += p.stderr.read()
if rc != 143:
    print("FAIL: stuck run, SIGTERM: exit status", rc, err); sys.exit(1)
if termios.tcgetattr(slave) != before:
    print("FAIL: terminal settings not restored by the signal thread"); sys.exit(1)
PY
echo "PASS console_tty"
