#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The seccomp filters' cost on the PIO exit path: the pio benchmark guest
# (N writes to the UART scratch register, each one KVM_RUN return, a
# dispatch and a device access on the vCPU thread) under --seccomp kill
# and --seccomp off, alternating in one run, measured in CPU time (user +
# system of the whole monitor, from wait4). The cost per exit is
# (CPU(pio-N) - CPU(pio-0)) / N, so process start and teardown cancel out.
#   scripts/bench/seccomp.sh [ROUNDS]     (default 7; needs make bench's guests)
# Prints the per-exit figures and the overhead; exits 1 if it measured nothing.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
TESSERA=${TESSERA:-$here/build/tessera}
BENCH=${BENCH:-$here/build/bench}
N=${PIO_COUNT:-100000}
ROUNDS=${1:-7}
for f in "$TESSERA" "$BENCH/pio-0.elf" "$BENCH/pio-$N.elf"; do
	[ -e "$f" ] || { echo "seccomp.sh: missing $f (run: make all $BENCH/pio-0.elf $BENCH/pio-$N.elf)" >&2; exit 1; }
done
python3 - "$TESSERA" "$BENCH" "$N" "$ROUNDS" <<'PY'
import os, subprocess, statistics, sys
tessera, bench, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def cpu(guest, mode):
    p = subprocess.Popen([tessera, "run", "--kernel", guest, "--seccomp", mode,
                          "--serial", "none"], stdin=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"seccomp.sh: {guest} --seccomp {mode} exited {status:#x}")
    return ru.ru_utime + ru.ru_stime

per = {"kill": [], "off": []}
ratios = []
for r in range(rounds):
    got = {}
    order = ("kill", "off") if r % 2 == 0 else ("off", "kill")
    for mode in order:
        c0 = cpu(f"{bench}/pio-0.elf", mode)
        cn = cpu(f"{bench}/pio-{n}.elf", mode)
        got[mode] = (cn - c0) / n * 1e6
        per[mode].append(got[mode])
    ratios.append(got["kill"] / got["off"])
    print(f"round {r + 1}: us/exit kill {got['kill']:.3f} off {got['off']:.3f} "
          f"ratio {ratios[-1]:.4f}", flush=True)
if not ratios:
    sys.exit("seccomp.sh: measured nothing")
mk, mo = statistics.median(per["kill"]), statistics.median(per["off"])
mr = statistics.median(ratios)
print(f"PIO exit, CPU time per exit, median of {rounds} alternating rounds of {n} exits:")
print(f"  --seccomp kill {mk:.3f} us, --seccomp off {mo:.3f} us; "
      f"per-round ratio median {mr:.4f} (min {min(ratios):.4f}, max {max(ratios):.4f}): "
      f"filters cost {100 * (mr - 1):+.2f} % (goal < 2 %)")
PY
