#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What a user reads or loads against what the built binary does (make
# check-docs, part of make check; no /dev/kvm needed):
#   - every --option that `tessera run --help` or `tessera --help` prints
#     has an entry (a .TP tag) in man/tessera.1, and every entry names an
#     option that exists; a missing one fails, naming it;
#   - `tessera --version` and `--help` print VERSION, and debian/changelog's
#     newest version is VERSION;
#   - the man pages render without a warning (man-db, if installed);
#   - systemd-analyze verify accepts the unit, silently (if installed);
#   - the generator writes CPUAffinity= drop-ins from pin and io-cpus;
#   - the bash completion offers every option and files where files are
#     meant (if bash-completion is installed).
# Each check first proves it can fail, on a doctored input.
# Prints "docs: N passed, N failed, N skipped"; exit 1 if any failed.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
TESSERA=${TESSERA:-$SRC/build/tessera}
MAN1=${MAN1:-$SRC/man/tessera.1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-docs.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0 failed=0 skipped=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }

[ -x "$TESSERA" ] || { echo "check-docs: no binary at $TESSERA (make first)" >&2; exit 1; }

# --- the man page against the flag table ---------------------------------
# options_of_help: every --option token the binary's help texts print.
options_of_help() {
	{ "$TESSERA" run --help; "$TESSERA" --help; } |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}
# options_of_man PAGE: the --option tokens of every .TP tag line.
options_of_man() {
	awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' "$1" |
		sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\c//g' |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}
# man_sync PAGE: prints what is wrong, status 1 if anything is.
man_sync() {
	local missing stale
	missing=$(comm -23 <(options_of_help) <(options_of_man "$1"))
	stale=$(comm -13 <(options_of_help) <(options_of_man "$1"))
	[ -z "$missing" ] || echo "no entry in $(basename "$1") for:" "${missing//$'\n'/ }"
	[ -z "$stale" ] || echo "$(basename "$1") documents options the binary lacks:" "${stale//$'\n'/ }"
	[ -z "$missing$stale" ]
}
n=$(options_of_help | wc -l)
if [ "$n" -lt 20 ]; then
	bad "man sync: only $n options in the binary's help; is $TESSERA a tessera?"
elif out=$(man_sync "$MAN1"); then
	# Proof that it can fail: drop --kernel's entry, add a stale one.
	sed -e '/^\.BI \\-\\-kernel " FILE"$/d' -e 's/^\.B \\-\\-stats$/.B \\-\\-stats\n.TP\n.B \\-\\-bogus/' \
		"$MAN1" >"$TMP/doctored.1"
	doctored=$(man_sync "$TMP/doctored.1")
	if [[ $doctored == *"for: --kernel"* && $doctored == *"lacks: --bogus"* ]]; then
		ok "man sync: all $n options of the help have their entry in tessera.1"
	else
		bad "man sync: a doctored tessera.1 passed: '$doctored'"
	fi
else
	bad "man sync: $out"
fi

# --- one version string -----------------------------------------------------
version=$(cat "$SRC/VERSION")
changelog=$(sed -n '1s/^tessera (\([^)]*\)).*/\1/p' "$SRC/debian/changelog")
if [ "$("$TESSERA" --version)" != "tessera $version" ]; then
	bad "version: tessera --version prints '$("$TESSERA" --version)', VERSION says $version"
elif ! "$TESSERA" --help | grep -qxF "tessera $version"; then
	bad "version: tessera --help does not print 'tessera $version'"
elif [ "$changelog" != "$version" ]; then
	bad "version: debian/changelog says '$changelog', VERSION says '$version'"
else
	ok "version: $version in VERSION, --version, --help and debian/changelog"
fi

# --- man pages render -------------------------------------------------------
# lintian's own check: man-db's warnings, with groff's at -ww.
# shellcheck disable=SC2069 # stderr alone is wanted, stdout dropped
man_warnings() {
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$1" 2>&1 >/dev/null
}
if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
	skip "man render: no man-db/groff here"
else
	printf '.TH X 1\n.SH NAME\nx \\- y\n.BOGUS\n.SH SEE\n\\fBunclosed\n.XX\n' >"$TMP/bad.1"
	if [ -z "$(man_warnings "$TMP/bad.1")" ]; then
		bad "man render: a broken page rendered without warnings"
	else
		warn=
		for page in "$SRC"/man/tessera.1 "$SRC"/man/tessera-partition.5; do
			w=$(man_warnings "$page")
			[ -z "$w" ] || warn="$warn $(basename "$page"): $w"
		done
		if [ -n "$warn" ]; then bad "man render:$warn"; else ok "man render: both pages, no warning"; fi
	fi
fi

# --- the systemd unit -----------------------------------------------------
# Verified as an instance, with ExecStart pointing at the built binary and
# MANPATH at man/ (for Documentation=); any output is a failure.
unit_verify() {
	mkdir -p "$TMP/unit" "$TMP/man/man1" "$TMP/man/man5"
	cp "$SRC/man/tessera.1" "$TMP/man/man1/"
	cp "$SRC/man/tessera-partition.5" "$TMP/man/man5/"
	sed -e "s|/usr/bin/tessera|$TESSERA|g" "$1" >"$TMP/unit/tessera@example.service"
	cp "$TMP/unit/tessera@example.service" "$TMP/unit/tessera@.service"
	(cd "$TMP/unit" && MANPATH=$TMP/man SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify ./tessera@example.service 2>&1)
}
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd unit: no systemd-analyze here"
else
	sed 's/^KillMode=mixed/KillMode=mixed\nLimitRTPRIO=soon/' "$SRC/systemd/tessera@.service" >"$TMP/bad.service"
	if [ -z "$(unit_verify "$TMP/bad.service")" ]; then
		bad "systemd unit: systemd-analyze verify accepted a bad unit silently"
	elif out=$(unit_verify "$SRC/systemd/tessera@.service") && [ -z "$out" ]; then
		ok "systemd unit: systemd-analyze verify tessera@example.service, silent"
	else
		bad "systemd unit: $out"
	fi
fi

# --- the generator ----------------------------------------------------------
# gen NAME=CONTENT...: runs the generator on these partition files into
# $TMP/gen/out, stderr in $TMP/gen/err.
gen() {
	rm -rf "$TMP/gen"
	mkdir -p "$TMP/gen/etc" "$TMP/gen/out"
	for arg in "$@"; do printf '%b' "${arg#*=}" >"$TMP/gen/etc/${arg%%=*}.conf"; done
	TESSERA_CONF_DIR=$TMP/gen/etc sh "$SRC/systemd/tessera-generator" "$TMP/gen/out" 2>"$TMP/gen/err"
}
dropin() { cat "$TMP/gen/out/tessera@$1.service.d/$2.conf" 2>/dev/null; }
generator_test() {
	gen 'rt=kernel = k\npin = 0=2,1=3  # two vCPUs\nio-cpus = "0"\n' \
		'plain=kernel = k\n' 'broken=pin = 2-x\n' || { echo "exit status $?"; return 1; }
	[[ $(dropin rt cpu-affinity) == *$'\nCPUAffinity=0 2 3' ]] ||
		{ echo "rt.conf gave [$(dropin rt cpu-affinity)], expected CPUAffinity=0 2 3"; return 1; }
	if [ -e "$TMP/gen/out/tessera@plain.service.d" ] || [ -e "$TMP/gen/out/tessera@broken.service.d" ]; then
		echo "a drop-in for a file without (valid) CPUs"
		return 1
	fi
	grep -q 'broken.conf: bad pin' "$TMP/gen/err" || { echo "nothing said about broken.conf"; return 1; }
	if command -v systemd-analyze >/dev/null; then
		# The drop-in as systemd loads it beside the unit; any output fails.
		cp "$TMP/gen/out/tessera@rt.service.d" -r "$TMP/unit/" 2>/dev/null ||
			{ echo "no unit to verify with"; return 1; }
		out=$(cd "$TMP/unit" && SYSTEMD_UNIT_PATH=$TMP/unit: MANPATH=$TMP/man \
			systemd-analyze verify tessera@rt.service 2>&1)
		[ -z "$out" ] || { echo "verify with the drop-in: $out"; return 1; }
	fi
	# Shared CPUs: two partitions pinning CPU 1 both fail; I/O threads on
	# another's pinned CPU fail that one; a bystander is untouched.
	gen 'x=pin = 1\n' 'y=pin = 0=1\n' 'z=pin = 4\nio-cpus = 0-1\n' 'w=pin = 5\nio-cpus = 0\n'
	for u in x y z; do
		[[ $(dropin $u cpu-conflict) == *ExecStartPre=*"exit 2"* ]] ||
			{ echo "$u.conf: no cpu-conflict drop-in"; return 1; }
		[ -z "$(dropin $u cpu-affinity)" ] || { echo "$u.conf: CPUAffinity despite the conflict"; return 1; }
	done
	grep -q 'z.conf puts its I/O threads on host CPU 1' "$TMP/gen/err" || { echo "no word on z.conf"; return 1; }
	[[ $(dropin w cpu-affinity) == *$'\nCPUAffinity=0 5' && -z $(dropin w cpu-conflict) ]] ||
		{ echo "w.conf: [$(dropin w cpu-affinity)]"; return 1; }
}
if out=$(generator_test); then
	ok "generator: CPUAffinity from pin and io-cpus; none without; shared CPUs refused"
else
	bad "generator: $out"
fi

# --- bash completion --------------------------------------------------------
# complete WORDS...: what the completion offers for the last word.
complete_words() {
	COMPREPLY=()
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_LINE=${COMP_LINE// = /=} # as typed: "--opt=val" made 3 words
	COMP_POINT=${#COMP_LINE}
	_tessera tessera "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}
# completion_test FILE: status 1 and what went wrong if FILE falls short.
completion_test() {
	# shellcheck disable=SC1091
	. /usr/share/bash-completion/bash_completion || return 1
	# shellcheck disable=SC1090
	. "$1" || return 1
	local dir=$TMP/comp want got
	mkdir -p "$dir/guests"
	touch "$dir/guests/hello.elf" "$dir/guests/echo.elf"
	want=$(options_of_help | grep -vxF -- --version)
	got=$(complete_words "$TESSERA" run -- | sort -u)
	[ "$got" = "$want" ] || { echo "run --: got [$got]"; return 1; }
	got=$(cd "$dir" && complete_words "$TESSERA" run --kernel guests/h)
	[ "$got" = "guests/hello.elf" ] || { echo "--kernel guests/h: got [$got]"; return 1; }
	got=$(cd "$dir" && complete_words "$TESSERA" run --memory 6)
	[ -z "$got" ] || { echo "--memory 6: got [$got]"; return 1; }
	got=$(complete_words "$TESSERA" run --cpu-template b)
	[ "$got" = baseline ] || { echo "--cpu-template b: got [$got]"; return 1; }
	got=$(cd "$dir" && complete_words "$TESSERA" run --disk path=guests/e)
	[ "$got" = "path=guests/echo.elf" ] || { echo "--disk path=guests/e: got [$got]"; return 1; }
	# bash splits --hugepages=t at '='; a value only after '='.
	got=$(complete_words "$TESSERA" run --hugepages = t)
	[ "$got" = thp ] || { echo "--hugepages=t: got [$got]"; return 1; }
	got=$(complete_words "$TESSERA" run --hugepages --mem)
	[ "$(echo $got)" = "--memory --memory-overcommit" ] || { echo "--hugepages --mem: got [$got]"; return 1; }
	got=$(complete_words "$TESSERA" --v)
	[ "$got" = --version ] || { echo "--v: got [$got]"; return 1; }
}
if [ ! -r /usr/share/bash-completion/bash_completion ]; then
	skip "bash completion: bash-completion is not installed"
elif out=$(completion_test "$SRC/completion/tessera.bash" 2>&1); then
	# Proof that it can fail: a completion that offers no files.
	sed 's/_filedir$/:/' "$SRC/completion/tessera.bash" >"$TMP/doctored.bash"
	if (completion_test "$TMP/doctored.bash") >/dev/null 2>&1; then
		bad "bash completion: a completion without file names passed"
	else
		ok "bash completion: every option, files for --kernel and --disk path=, values"
	fi
else
	bad "bash completion: $out"
fi

echo "docs: $pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
