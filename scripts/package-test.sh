#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# CI step: the Debian package as a user gets it. Builds tessera_*.deb with
# `dpkg-buildpackage -us -uc -b` from a copy of this tree, runs lintian on
# it (errors fail; warnings are listed), checks its contents and Depends,
# unpacks it into a scratch root (dpkg -x: nothing is installed on this
# machine) and there: runs the installed binary, boots its hello guest on
# /dev/kvm through an example partition file (skipped where /dev/kvm is
# absent), renders the man pages, verifies the systemd unit and runs the
# generator. Installs what it needs from Debian (root) when missing.
# Prints "package: N passed, N failed, N skipped"; exit 1 if any failed.
#
#   scripts/package-test.sh [-k]    (-k: keep the work directory)
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
keep=
[ "${1:-}" = -k ] && keep=1
start=$(date +%s)

pkgs="debhelper dpkg-dev fakeroot lintian systemd man-db groff-base
bash-completion gcc make pkg-config libfdt-dev check"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "package-test: need root to install:$missing" >&2; exit 1; }
	echo "package-test: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # one word per package
	if ! apt-get update -qq || ! apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		echo "package-test: apt-get failed" >&2
		exit 1
	fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-pkg.XXXXXX")
if [ -n "$keep" ]; then echo "package-test: work directory $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
pass=0 failed=0 skipped=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }
finish() {
	echo "package-test: $(($(date +%s) - start)) s"
	echo "package: $pass passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

# --- build ------------------------------------------------------------------
version=$(cat "$SRC/VERSION")
tree=$WORK/tessera-$version
mkdir -p "$tree"
# The committed and the uncommitted files alike, never build output.
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf -) | tar -C "$tree" -xf -
else
	tar -C "$SRC" --exclude=./build --exclude=./.git -cf - . | tar -C "$tree" -xf -
fi
# nocheck: make check ran the unit suites and check-docs just before.
if (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	tail -n 40 "$WORK/build.log"
	bad "dpkg-buildpackage -us -uc -b (log above)"
	finish
fi
deb=
for f in "$WORK"/tessera_"$version"_*.deb; do [ -e "$f" ] && deb=$f; done
[ -n "$deb" ] || { bad "no tessera_${version}_*.deb built"; finish; }
echo "package-test: built $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"

# --- lintian ----------------------------------------------------------------
lintian --fail-on error --tag-display-limit 0 "$deb" >"$WORK/lintian.log" 2>&1
rc=$?
sed 's/^/    lintian: /' "$WORK/lintian.log"
if [ $rc -eq 0 ] && ! grep -q '^E:' "$WORK/lintian.log"; then
	ok "lintian: no error ($(grep -c '^W:' "$WORK/lintian.log") warnings)"
else
	bad "lintian: errors (status $rc)"
fi

# --- contents and Depends ---------------------------------------------------
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$WORK/contents"
want="/usr/bin/tessera /usr/share/man/man1/tessera.1.gz
/usr/share/man/man5/tessera-partition.5.gz /lib/systemd/system/tessera@.service
/lib/systemd/system-generators/tessera-generator
/usr/share/bash-completion/completions/tessera /usr/lib/tessera/guests/hello.elf
/usr/lib/tessera/guests/echo.elf /usr/lib/tessera/guests/rtprobe.elf
/usr/share/doc/tessera/examples/hello.conf /usr/share/doc/tessera/examples/rtprobe.conf
/usr/share/doc/tessera/copyright /etc/tessera/"
lack=
for f in $want; do grep -qxF "$f" "$WORK/contents" || lack="$lack $f"; done
depends=$(dpkg-deb -f "$deb" Depends)
if [ -n "$lack" ]; then
	bad "contents: missing$lack"
elif [[ $depends != *libc6* || $depends != *libfdt1* ]]; then
	bad "Depends: '$depends' lacks libc6 or libfdt1 (shlibs)"
else
	ok "contents: $(wc -l <"$WORK/contents") entries as expected; Depends: $depends"
fi

# --- the unpacked package -----------------------------------------------------
root=$WORK/root
dpkg -x "$deb" "$root"
bin=$root/usr/bin/tessera
if [ "$("$bin" --version 2>&1)" = "tessera $version" ]; then
	ok "installed binary: tessera --version prints $version"
else
	bad "installed binary: --version printed '$("$bin" --version 2>&1)'"
fi

# The hello guest through the packaged example partition file, its paths
# moved into the scratch root.
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	sed "s|/usr/lib/tessera|$root/usr/lib/tessera|" \
		"$root/usr/share/doc/tessera/examples/hello.conf" >"$WORK/hello.conf"
	rc=0
	out=$(timeout -k 5 60 "$bin" run --config "$WORK/hello.conf" </dev/null 2>&1) || rc=$?
	if [ $rc -eq 0 ] && [[ $out == *"Hello from a Tessera partition!"* ]]; then
		ok "installed hello guest: greeting and exit 0 (examples/hello.conf)"
	else
		bad "installed hello guest: status $rc: $out"
	fi
else
	skip "installed hello guest: no usable /dev/kvm"
fi

warn=
for page in "$root"/usr/share/man/man1/tessera.1.gz "$root"/usr/share/man/man5/tessera-partition.5.gz; do
	w=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
	[ -z "$w" ] || warn="$warn $(basename "$page"): $w"
done
lines=$(MANWIDTH=80 man -l "$root/usr/share/man/man1/tessera.1.gz" 2>/dev/null | grep -c .)
if [ -z "$warn" ] && [ "$lines" -gt 100 ]; then
	ok "man -l: both pages render without warnings (tessera(1): $lines lines)"
else
	bad "man -l: $lines lines;$warn"
fi

# systemd-analyze verify needs no running systemd: it loads the unit in a
# test manager. ExecStart= and Documentation= are checked, so both point
# into the scratch root; any output fails.
mkdir -p "$WORK/units"
sed "s|/usr/bin/tessera|$bin|g" "$root/lib/systemd/system/tessera@.service" \
	>"$WORK/units/tessera@hello.service"
out=$(cd "$WORK/units" && MANPATH=$root/usr/share/man SYSTEMD_LOG_COLOR=0 \
	systemd-analyze verify ./tessera@hello.service 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
	ok "systemd-analyze verify tessera@hello.service (the packaged unit)"
else
	bad "systemd-analyze verify: status $rc: $out"
fi

mkdir -p "$WORK/gen/etc" "$WORK/gen/out"
cp "$root"/usr/share/doc/tessera/examples/*.conf "$WORK/gen/etc/"
TESSERA_CONF_DIR=$WORK/gen/etc "$root/lib/systemd/system-generators/tessera-generator" "$WORK/gen/out"
got=$(grep '^CPUAffinity=' "$WORK/gen/out/tessera@rtprobe.service.d/cpu-affinity.conf" 2>/dev/null)
if [ "$got" = "CPUAffinity=0 1" ] && [ ! -e "$WORK/gen/out/tessera@hello.service.d" ]; then
	ok "packaged generator: rtprobe.conf -> CPUAffinity=0 1, hello.conf -> none"
else
	bad "packaged generator: rtprobe gave '$got'"
fi
finish
