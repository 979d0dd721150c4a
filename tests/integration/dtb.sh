#!/usr/bin/env bash
# The partition's device tree (docs/devicetree.md): --dump-dtb writes a
# tree that dtc decompiles without one warning and that holds the nodes we
# promise; the dtinfo guest finds the same tree through boot_params
# setup_data (SETUP_DTB), prints through the UART port the tree names and
# reports the CPUs, RAM and command line the monitor was given.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
# Without dtc/fdtget (the labs' L1) only the guest's half runs.
have_dtc=1
command -v dtc >/dev/null && command -v fdtget >/dev/null || have_dtc=0
# Until vm.c hands the tree to the guest, this monitor has no --dump-dtb.
"$TESSERA" run --help 2>/dev/null | grep -q -- "--dump-dtb" ||
	{ echo "SKIP: this tessera has no --dump-dtb yet"; exit 77; }

ARGS=(--cpus 2 --cmdline "tessera.test=dtb")
dtb=$TMP/partition.dtb

# --- the dumped tree --------------------------------------------------------
run_guest dtinfo "${ARGS[@]}" --dump-dtb "$dtb"
if [ ! -s "$dtb" ]; then
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm to build a partition"; exit 77; }
	fail "--dump-dtb wrote no tree (status $RC): $(head -c 2000 "$TMP/err")"
fi
if [ "$have_dtc" = 1 ]; then
	dtc -I dtb -O dts -o "$TMP/partition.dts" "$dtb" 2>"$TMP/dtc.err" ||
		fail "dtc rejects the tree: $(cat "$TMP/dtc.err")"
	[ ! -s "$TMP/dtc.err" ] || fail "dtc warns: $(cat "$TMP/dtc.err")"

	# prop TYPE PATH PROPERTY EXPECTED: one property, as fdtget prints it.
	prop() {
		local got
		got=$(fdtget -t "$1" "$dtb" "$2" "$3" 2>&1) || fail "no $2 $3: $got"
		[ "$got" = "$4" ] || fail "$2 $3 is '$got', expected '$4'"
	}
	prop s / compatible "tessera,partition"
	prop u / '#address-cells' 2
	prop u / '#size-cells' 2
	[ "$(fdtget -l "$dtb" /cpus | tr '\n' ' ')" = "cpu@0 cpu@1 " ] ||
		fail "cpu nodes: $(fdtget -l "$dtb" /cpus | tr '\n' ' ')"
	prop s /cpus/cpu@1 device_type cpu
	prop u /cpus/cpu@1 reg 1
	if on_arm64; then
		prop s /memory@80000000 device_type memory
		prop x /memory@80000000 reg "0 80000000 0 4000000"
	else
		prop s /memory@0 device_type memory
		prop x /memory@0 reg "0 0 0 4000000"
	fi
	prop s /hypervisor compatible "tessera,hypervisor"
	if on_arm64; then
		gic=/interrupt-controller@8000000
		prop s $gic compatible "arm,gic-v3"
		prop u $gic '#interrupt-cells' 3
		uart=$(fdtget -t s "$dtb" /chosen stdout-path) || fail "no /chosen stdout-path"
		prop s "$uart" compatible ns16550a
		prop u "$uart" interrupts "0 1 4"
		prop s /psci compatible "arm,psci-0.2"
		prop s /cpus/cpu@1 enable-method psci
	else
		ioapic=/interrupt-controller@fec00000
		prop s $ioapic compatible "intel,ce4100-ioapic"
		prop u $ioapic '#interrupt-cells' 2
		fdtget "$dtb" $ioapic interrupt-controller >/dev/null 2>&1 || fail "IOAPIC lacks interrupt-controller"
		prop s /interrupt-controller@fee00000 compatible "intel,ce4100-lapic"
		uart=/isa/serial@i3f8
		prop s $uart compatible ns16550a
		prop x $uart reg "1 3f8 8"
		prop u $uart clock-frequency 1843200
		prop u $uart interrupts "4 3"
		prop u $uart interrupt-parent "$(fdtget -t u "$dtb" $ioapic phandle)"
		prop s /chosen stdout-path $uart
	fi
	bootargs=$(fdtget -t s "$dtb" /chosen bootargs) || fail "no /chosen bootargs"
	case " $bootargs " in *" tessera.test=dtb "*) ;; *) fail "bootargs '$bootargs' lack --cmdline" ;; esac
else
	echo "note: no dtc/fdtget here: the dumped tree is not checked"
fi

# --- the guest reads it -----------------------------------------------------
need_kvm
run_guest dtinfo "${ARGS[@]}"
expect_rc 0
tr -d '\r' <"$TMP/out" >"$TMP/lines"
line() { grep -qxF -- "dtinfo: $1" "$TMP/lines" || fail "no line 'dtinfo: $1' in: $(cat "$TMP/lines")"; }
line "cpus=2"
line "memory=67108864"
if on_arm64; then
	line "uart=0x9000000 irq=0 type=1 flags=4"
else
	line "uart=0x3f8 irq=4 type=3"
fi
[ "$have_dtc" = 0 ] || line "stdout=$uart"
[ "$have_dtc" = 0 ] || line "bootargs=$bootargs"
grep -q "^dtinfo: bootargs=.*tessera.test=dtb" "$TMP/lines" || fail "no --cmdline in the guest's bootargs: $(cat "$TMP/lines")"
line "ok"

# RAM split around the 3-4 GiB hole: two memory nodes, one sum (x86: arm64's
# RAM is one block from 2 GiB).
on_arm64 && { echo "PASS dtb"; exit 0; }
run_guest dtinfo --memory 4G --memory-overcommit # more than the lab's L1 has
expect_rc 0
tr -d '\r' <"$TMP/out" >"$TMP/lines"
line "cpus=1"
line "memory=4294967296"
line "ok"
echo "PASS dtb"
