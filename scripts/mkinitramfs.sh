#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a busybox-static initramfs for Tessera test guests.
#
# usage: scripts/mkinitramfs.sh OUT.cpio.gz [--cmd 'shell command']...
#            [--add SRC:DST]... [--exit poweroff|reboot|halt]
#
# The guest's /init mounts proc, sysfs and devtmpfs, prints
#     TESSERA-INIT-OK
#     TESSERA-CPUS <online CPUs>
# runs the --cmd lines (one script, in order) if any and prints
#     TESSERA-CMD-RC <exit status>
# then prints TESSERA-EXIT <how> and ends the guest:
#   poweroff (default)  `poweroff -f`. Without ACPI, x86 Linux has no way
#                       to power off and halts instead ("reboot: System
#                       halted", every CPU in cli;hlt): watch for the marker.
#   reboot              `reboot -f`: the kernel resets the machine (port 0x64
#                       0xfe, then a triple fault), which a monitor sees as a
#                       PIO write or KVM_EXIT_SHUTDOWN and QEMU -no-reboot
#                       as its cue to exit.
#   halt                `halt -f`.
# The guest command line can override it with tessera.exit=<how>, and
# tessera.shell starts a shell on the console before the end.
#
# --add SRC:DST copies a file (symlinks followed) or a directory tree to DST
# inside the image. Dynamically linked programs need their libraries and the
# loader added too (see `ldd`); static ones are simpler.
#
# No root needed: the archive is written by `cpio -o -H newc` with every
# entry owned by 0:0, entries sorted, times fixed (SOURCE_DATE_EPOCH or 0)
# and gzip -n, so the same inputs give the same bytes. /dev/console comes
# from the kernel's built-in initramfs (CONFIG_INITRAMFS_SOURCE empty).
set -euo pipefail

log() { printf 'mkinitramfs: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '3,33p' "$0" | sed 's/^# \{0,1\}//'; }

out=
cmds=()
adds=()
exit_how=poweroff
while [ $# -gt 0 ]; do
	case $1 in
	--cmd) [ $# -ge 2 ] || die "--cmd needs an argument"; cmds+=("$2"); shift ;;
	--cmd=*) cmds+=("${1#--cmd=}") ;;
	--add) [ $# -ge 2 ] || die "--add needs SRC:DST"; adds+=("$2"); shift ;;
	--add=*) adds+=("${1#--add=}") ;;
	--exit) [ $# -ge 2 ] || die "--exit needs poweroff|reboot|halt"; exit_how=$2; shift ;;
	--exit=*) exit_how=${1#--exit=} ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown option $1 (try --help)" ;;
	*) [ -z "$out" ] || die "more than one output file given"; out=$1 ;;
	esac
	shift
done
[ -n "$out" ] || { usage >&2; exit 2; }
case $exit_how in poweroff|reboot|halt) ;; *) die "bad --exit: $exit_how" ;; esac

# --- Dependencies: a static busybox, cpio, gzip --------------------------------
need=()
dpkg-query -W -f='${Status}\n' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
	need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
command -v gzip >/dev/null 2>&1 || need+=(gzip)
if [ ${#need[@]} -gt 0 ]; then
	log "installing: ${need[*]}"
	sudo=
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "need root or sudo to install ${need[*]}"
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y -q "${need[@]}" >&2 ||
		{ $sudo apt-get update -q >&2 && $sudo apt-get install -y -q "${need[@]}" >&2; } ||
		die "apt-get install ${need[*]} failed"
fi
# BUSYBOX: another static busybox (the arm64 boot test's), run through
# BUSYBOX_RUN (qemu-aarch64-static) to list its applets.
busybox=${BUSYBOX:-/bin/busybox}
busybox_run=${BUSYBOX_RUN:-}
[ -x "$busybox" ] || die "$busybox missing"
# busybox (dynamic) and busybox-static both ship /bin/busybox; make sure this one is static.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
	die "$busybox is not statically linked (install busybox-static)"
fi

# --- Tree ---------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"
(
	cd "$root"
	mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp run root etc mnt tessera
	cp "$busybox" bin/busybox
	# Applet links, relative so they resolve inside the guest.
	$busybox_run "$busybox" --list-full | while IFS= read -r applet; do
		if [ -z "$applet" ] || [ -e "$applet" ] || [ -L "$applet" ]; then
			continue
		fi
		dir=$(dirname "$applet")
		up=
		case $dir in
		.) up= ;;
		*) up=$(printf '%s\n' "$dir" | sed 's|[^/][^/]*|..|g')/ ;;
		esac
		ln -s "${up}bin/busybox" "$applet"
	done
)
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'tessera\n' >"$root/etc/hostname"

if [ ${#cmds[@]} -gt 0 ]; then
	{
		printf '# Test command given to scripts/mkinitramfs.sh --cmd\n'
		printf '%s\n' "${cmds[@]}"
	} >"$root/tessera/cmd.sh"
fi
printf '%s\n' "$exit_how" >"$root/tessera/exit"

cat >"$root/init" <<'EOF'
#!/bin/sh
# Tessera test initramfs /init (made by scripts/mkinitramfs.sh).
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null || true
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# The console the kernel opened for us may be missing if /dev was empty.
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
hostname -F /etc/hostname 2>/dev/null || true
ip link set lo up 2>/dev/null || true

echo TESSERA-INIT-OK
cpus=$(nproc 2>/dev/null) || cpus=$(grep -c '^processor' /proc/cpuinfo)
echo "TESSERA-CPUS $cpus"

if [ -f /tessera/cmd.sh ]; then
	sh /tessera/cmd.sh
	echo "TESSERA-CMD-RC $?"
fi

how=$(cat /tessera/exit)
shell=
for arg in $(cat /proc/cmdline); do
	case $arg in
	tessera.exit=*) how=${arg#tessera.exit=} ;;
	tessera.shell) shell=1 ;;
	esac
done
if [ -n "$shell" ]; then
	echo "TESSERA-SHELL (exit the shell to end the guest)"
	setsid cttyhack sh -l
fi
sync
echo "TESSERA-EXIT $how"
case $how in
reboot) reboot -f ;;
halt) halt -f ;;
*) poweroff -f ;;
esac
# Not reached: the reboot syscall does not return to init.
sleep 1
EOF
chmod 0755 "$root/init"

for spec in ${adds[@]+"${adds[@]}"}; do
	case $spec in
	*:*) src=${spec%%:*} dst=${spec#*:} ;;
	*) src=$spec dst=/$(basename "$spec") ;;
	esac
	[ -e "$src" ] || die "--add $spec: $src does not exist"
	case $dst in /*) ;; *) dst=/$dst ;; esac
	case $dst in */../*|*/..|*/./*) die "--add $spec: DST must be a plain absolute path" ;; esac
	if [ -d "$src" ]; then
		mkdir -p "$root$dst"
		cp -a "$src/." "$root$dst/"
	else
		case $dst in */) mkdir -p "$root$dst"; dst=$dst$(basename "$src") ;; esac
		mkdir -p "$(dirname "$root$dst")"
		cp -L "$src" "$root$dst"
	fi
done

# --- Archive --------------------------------------------------------------------------
epoch=${SOURCE_DATE_EPOCH:-0}
chmod -R u+rwX,go+rX,go-w "$root"
find "$root" -exec touch -h -d "@$epoch" {} +
outdir=$(dirname "$out")
mkdir -p "$outdir"
(
	cd "$root"
	find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet
) | gzip -n -9 >"$out.tmp"
mv -f "$out.tmp" "$out"
log "$out: $(stat -c %s "$out") bytes, $(find "$root" -mindepth 1 | wc -l) entries"
