#!/usr/bin/env bash
# A reader that never reads must not stall the guest: the monitor drops
# console output beyond its bounded buffer, counts it, and the guest still
# reaches its exit.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
need_tools python3
python3 - "$TESSERA" "$GUESTS/flood.elf" "$TMP/err" <<'PY' || fail "see above"
import fcntl, os, subprocess, sys
tessera, guest, errpath = sys.argv[1:4]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ: a small pipe nobody reads
with open(errpath, "w") as err:
    p = subprocess.Popen([tessera, "run", "--kernel", guest], stdin=subprocess.DEVNULL,
                         stdout=w, stderr=err)
    os.close(w)
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        print("FAIL: tessera blocked on a stalled stdout"); sys.exit(1)
msg = open(errpath).read()
if rc != 0 or "output bytes dropped" not in msg:
    print(f"FAIL: rc={rc}, stderr={msg!r}"); sys.exit(1)
PY
echo "PASS stalled_stdout"
