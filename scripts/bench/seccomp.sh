#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The seccomp filters' cost on the PIO exit path: the pio benchmark guest
# (N writes to the UART scratch register, each one KVM_RUN return, a
# dispatch and a device access on the vCPU thread) under --seccomp kill
# and --seccomp off, alternating in one run, measured in CPU time (user +
# system of the whole monitor, from wait4). The cost per exit is
# (CPU(pio-N) - CPU(pio-0)) / N, so process start and teardown cancel out.
#   scripts/bench/seccomp.sh [ROUNDS]     (default 7; needs make bench's guests)
# Then seccomp_syscall.c (built here against build/libtessera.a): the CPU
# time the vCPU filter adds to one system call, which is what a PIO exit
# pays once (its KVM_RUN), measured without the noise of whole runs.
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
LIB=${LIB:-$(dirname "$TESSERA")/libtessera.a}
mkdir -p "$BENCH"
${CC:-cc} -O2 -D_GNU_SOURCE -I"$here/vmm" -I"$here/vmm/arch/x86_64" -I"$here/devices" \
	-o "$BENCH/seccomp_syscall" "$here/scripts/bench/seccomp_syscall.c" "$LIB" -lseccomp -lfdt -pthread
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
out = subprocess.run([f"{bench}/seccomp_syscall"], capture_output=True, text=True, check=True).stdout
pairs = [tuple(map(float, l.split()[1:3])) for l in out.splitlines() if l.startswith("syscall ")]
if not pairs:
    sys.exit("seccomp.sh: seccomp_syscall measured nothing")
add = statistics.median(b - a for a, b in pairs)
print(f"One system call (ioctl KVM_RUN, EBADF): {statistics.median(a for a, _ in pairs):.0f} ns "
      f"without a filter, {statistics.median(b for _, b in pairs):.0f} ns with the vCPU filter: "
      f"+{add:.0f} ns; per PIO exit ({mo:.2f} us, one KVM_RUN) that is {100 * add / (mo * 1000):.2f} %")
PY
