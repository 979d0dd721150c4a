#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A static fio for the lab's disk benchmark (scripts/bench/blk.sh lab),
# built from Debian's own source package of fio (bookworm: 3.33) and
# cached. Why not Debian's binary: its fio is linked against 13 libraries
# (ceph's rados/rbd, glusterfs, rdma, pmem, nbd: 82 MiB with their own
# dependencies), too much for the partition kernel's initramfs, which the
# guest unpacks under TCG at every boot. The static build keeps the
# engines the benchmark uses: psync, libaio (Debian's libaio.a) and
# io_uring (fio's own system-call wrappers, no liburing), and none of the
# networked ones. The source comes through apt with a private source list
# and lists directory, so the system's package lists are left alone.
# Prints the binary's path on its last line.
#
# Environment: FIO_CACHE (${XDG_CACHE_HOME:-~/.cache}/tessera/fio).
set -euo pipefail
cache=${FIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/fio}
bin=$cache/fio-static
log() { echo "build-fio: $*" >&2; }
if [ -x "$bin" ] && file "$bin" | grep -q 'statically linked'; then
	echo "$bin"
	exit 0
fi
"$(dirname "$0")/../install-deps.sh" libaio-dev dpkg-dev file >&2 ||
	{ log "needs libaio-dev and dpkg-dev (apt-get install)"; exit 2; }
mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$cache/src"
echo "deb-src http://deb.debian.org/debian bookworm main" >"$cache/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt")
log "fetching Debian's fio source package"
apt-get -qq "${apt_opts[@]}" update >&2
(cd "$cache/src" && rm -rf fio-* && apt-get -qq "${apt_opts[@]}" source fio >&2)
srcdir=$(find "$cache/src" -maxdepth 1 -type d -name 'fio-*' | head -n 1)
[ -n "$srcdir" ] || { log "no fio source unpacked in $cache/src"; exit 1; }
log "building $(basename "$srcdir") static (a few minutes)"
(
	cd "$srcdir"
	# --disable-native: L1 runs on QEMU's emulated EPYC, not this CPU.
	./configure --build-static --disable-native --disable-numa --disable-rdma \
		--disable-rados --disable-rbd --disable-http --disable-gfapi --disable-pmem \
		--disable-shm --disable-xnvme --disable-libzbc --disable-tcmalloc --disable-dfs \
		--disable-lex >"$cache/configure.log" 2>&1 ||
		{ tail -n 20 "$cache/configure.log" >&2; exit 1; }
	grep -q 'define CONFIG_LIBAIO' config-host.h || { log "configure found no libaio"; exit 1; }
	make -j"$(nproc)" fio >"$cache/make.log" 2>&1 || { tail -n 20 "$cache/make.log" >&2; exit 1; }
)
cp "$srcdir/fio" "$bin.tmp"
strip "$bin.tmp"
file "$bin.tmp" | grep -q 'statically linked' || { log "$bin.tmp is not static"; exit 1; }
engines=$("$bin.tmp" --enghelp 2>&1 | tr -s ' \t' '\n\n')
for e in libaio io_uring psync; do
	printf '%s\n' "$engines" | grep -qx "$e" || { log "the build lacks the $e engine"; exit 1; }
done
mv "$bin.tmp" "$bin"
echo "$bin"
