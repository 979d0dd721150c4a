# SPDX-License-Identifier: GPL-2.0
# Tessera: one plain GNU make build.
#   make                  the monitor (build/tessera) and the test guests
#   make check            unit suites (Check) + integration tests on /dev/kvm
#   make check-asan       the unit suites under ASan + UBSan
#   make fuzz             the libFuzzer targets for FUZZ_TIME seconds each (clang)
#   make fuzz-ci          the same from scratch corpora, failing on any finding (CI)
#   make bench            the benchmark scripts (scripts/bench/)
#   make bench-rt         the real-time benchmark (scripts/bench/rt.sh)
#   make bench-smoke      every benchmark briefly, asserting its figures (in make check)
#   make O=DIR            build into DIR instead of ./build (out of tree)
#   make install          install under PREFIX (/usr/local); DESTDIR stages
#   make uninstall        remove what make install installed
#   make check-docs       man pages, completion, unit and VERSION in sync

comma := ,
SRCDIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
O ?= build
ARCH ?= x86_64
CC ?= cc
PKG_CONFIG ?= pkg-config

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wimplicit-fallthrough -Wvla
OPT ?= -O2 -g
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2
INCLUDES := -I$(SRCDIR)/vmm -I$(SRCDIR)/vmm/arch/$(ARCH)/include -I$(SRCDIR)/devices
# -iquote: fdt/fdt.h must not shadow libfdt's <fdt.h> (which <libfdt.h> includes).
INCLUDES += -iquote $(SRCDIR)/fdt
CFLAGS_ALL := -std=gnu11 $(WARN) $(OPT) $(HARDEN) -D_GNU_SOURCE -pthread \
	$(INCLUDES) -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS_ALL := -pthread $(EXTRA_LDFLAGS)
LIBS_ALL := -lfdt -lseccomp

CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check)

# The arch's part of the build (see vmm/arch/x86_64/arch.mk for the model):
#   ARCH_SRCS            its monitor sources (vmm/arch/<arch>/*.c)
#   ARCH_HOST_SRCS       the monitor's own ISA (the SIGSYS handler's registers)
#   ARCH_DEVICE_SRCS     its board's devices (devices/*.c)
#   ARCH_UNIT_SRCS       its unit suites (tests/unit/<arch>/*.c); one of them
#                        defines arch_unit_suites(), which registers them all
#   ARCH_GUESTS          its freestanding test guests ($(O)/guests/*), with
#                        the rules that build them (make all, the integration tests)
#   ARCH_BENCH_BINS      its benchmark programs and guests, with their rules
#   ARCH_FUZZ_TARGETS    its fuzz targets (tests/fuzz/NAME_fuzz.c, FUZZ_SRCS_NAME)
#   ARCH_INSTALL_GUESTS  the guests make install ships
# Generic code reaches the arch's headers only through vmm/arch.h and
# vmm/arch/<arch>/include/ (arch_vm.h: the arch's part of struct vm); arch
# code includes its own headers by path ("arch/x86_64/boot.h").
.DEFAULT_GOAL := all
ARCH_MK := $(SRCDIR)/vmm/arch/$(ARCH)/arch.mk
ifneq ($(wildcard $(ARCH_MK)),)
include $(ARCH_MK)
endif

CORE_SRCS := \
	vmm/log.c vmm/config.c vmm/config_value.c vmm/config_file.c \
	vmm/cmdline.c vmm/preflight.c vmm/mem.c vmm/bus.c vmm/exit.c vmm/loader.c \
	vmm/console.c vmm/vm.c vmm/boot_setup.c vmm/devices.c vmm/irq.c vmm/resource.c \
	vmm/vcpu.c vmm/stats.c vmm/rt.c vmm/status.c vmm/stop.c \
	vmm/sandbox.c vmm/sandbox_rules.c \
	devices/iothread.c vmm/pci_bus.c
CORE_SRCS += devices/pci/pci.c devices/pci/host.c devices/pci/msix.c devices/vfio/vfio.c devices/vfio/pci.c
CORE_SRCS += fdt/fdt.c
CORE_SRCS += devices/vfio/platform.c
CORE_SRCS += vmm/gdb/packet.c vmm/gdb/stub.c vmm/gdb/cmd.c vmm/gdb/bp.c
CORE_SRCS += devices/virtio/queue.c devices/virtio/virtio.c devices/virtio/mmio.c \
	devices/virtio/blk.c devices/virtio/net.c
# Every board's console is a 16550 (devices/console_uart.c wires it).
CORE_SRCS += vmm/board_common.c devices/console_uart.c \
	$(filter-out $(ARCH_DEVICE_SRCS),devices/serial8250.c)
CORE_SRCS += $(ARCH_SRCS) $(ARCH_HOST_SRCS) $(ARCH_DEVICE_SRCS)
CORE_OBJS := $(CORE_SRCS:%.c=$(O)/obj/%.o)

UNIT_SRCS := $(sort $(wildcard $(SRCDIR)/tests/unit/*.c))
UNIT_SRCS += $(ARCH_UNIT_SRCS:%=$(SRCDIR)/%)
UNIT_OBJS := $(UNIT_SRCS:$(SRCDIR)/%.c=$(O)/obj/%.o)
# The guests' DTB reader, tested on the host (under ASan in check-asan).
UNIT_OBJS += $(O)/obj/guests/common/dtb.o
# Devices the generic suites test (a 16550 fits any board), for an arch
# whose board lacks them.
UNIT_DEVICE_SRCS := devices/serial8250.c
UNIT_OBJS += $(patsubst %.c,$(O)/obj/%.o,$(filter-out $(ARCH_DEVICE_SRCS),$(UNIT_DEVICE_SRCS)))
# Arch code that is pure (no KVM) is unit-tested on every host: each
# vmm/arch/<arch>/pure.mk adds its objects and suites to UNIT_OBJS.
include $(wildcard $(SRCDIR)/vmm/arch/*/pure.mk)

V ?= 0
ifeq ($(V),0)
Q := @
say = @echo "  $(1)	$(2)"
else
Q :=
say =
endif

# A monitor for an arch needs its fragment (the arm64 groundwork targets
# at the end of this file do not).
.PHONY: arch-mk
arch-mk:
	@test -f $(ARCH_MK) || { echo "no $(ARCH_MK): ARCH=$(ARCH) is not ported"; exit 1; }

.PHONY: all check boot-test lab-test check-unit check-integration check-asan bench bench-rt clean
all: $(O)/tessera $(ARCH_GUESTS)

$(O)/obj/%.o: $(SRCDIR)/%.c | arch-mk
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The member list lives in this Makefile: a change to it rebuilds the archive.
$(O)/libtessera.a: $(CORE_OBJS) $(SRCDIR)/Makefile $(wildcard $(ARCH_MK))
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $(filter %.o,$^)

$(O)/tessera: $(O)/obj/vmm/main.o $(O)/libtessera.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

$(O)/obj/tests/unit/%.o: $(SRCDIR)/tests/unit/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -c -o $@ $<

$(O)/check_unit: $(UNIT_OBJS) $(O)/libtessera.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CHECK_LIBS) $(LIBS_ALL)

check-unit: $(O)/check_unit
	$(UNIT_RUN) $(O)/check_unit

check-integration: all
	TESSERA=$(abspath $(O))/tessera GUESTS=$(abspath $(O))/guests \
		$(SRCDIR)/tests/run_integration.sh

check: check-unit check-integration

# The layout's promises (scripts/check-layout.sh): generic code names no
# board device, one KVM_RUN loop, no placement in virtio headers, short
# files; with --stub, make ARCH=stub links and the generic suites pass on it.
.PHONY: check-layout
check-layout:
	+MAKE="$(MAKE)" $(SRCDIR)/scripts/check-layout.sh --stub

check: check-layout

# Linux guests and everything else in the nested-KVM lab (scripts/lab/).
lab-test: all
	BUILD=$(abspath $(O)) $(SRCDIR)/scripts/lab/run.sh

boot-test: all
	BUILD=$(abspath $(O)) $(SRCDIR)/scripts/boot-test.sh

# The same unit suites under AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) -f $(SRCDIR)/Makefile O=$(O)/asan OPT="-O1 -g" \
		HARDEN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" check-unit

# Fuzz targets (tests/fuzz/NAME_fuzz.c, seed corpus tests/fuzz/corpus/NAME/).
# `make check` replays each corpus through the target built with $(CC) and a
# plain driver (no clang needed); `make check-asan` does so under ASan;
# `make fuzz` runs libFuzzer (clang) on each for FUZZ_TIME seconds, keeping
# what it finds in $(O)/fuzz/corpus-NAME.
FUZZ_TARGETS := gdb_packet
FUZZ_SRCS_gdb_packet := vmm/gdb/packet.c vmm/config.c vmm/config_value.c \
	vmm/rt.c vmm/log.c vmm/sandbox_rules.c
# The virtqueue parser and virtio-blk requests (docs/virtio.md).
FUZZ_TARGETS += virtq
FUZZ_SRCS_virtq := vmm/log.c vmm/stop.c vmm/mem.c devices/virtio/queue.c devices/iothread.c \
	devices/virtio/virtio.c devices/virtio/mmio.c devices/virtio/blk.c \
	vmm/sandbox.c vmm/sandbox_rules.c $(ARCH_HOST_SRCS)
# virtio-net: transmit and receive on a fuzzed RAM and tap (docs/virtio.md).
FUZZ_TARGETS += vnet
FUZZ_SRCS_vnet := vmm/log.c vmm/stop.c vmm/mem.c devices/virtio/queue.c devices/iothread.c \
	devices/virtio/virtio.c devices/virtio/mmio.c devices/virtio/net.c \
	vmm/sandbox.c vmm/sandbox_rules.c $(ARCH_HOST_SRCS)
# Partition files and command lines (vmm/config*.c).
FUZZ_TARGETS += config
FUZZ_SRCS_config := vmm/config.c vmm/config_value.c vmm/config_file.c \
	vmm/preflight.c vmm/rt.c vmm/log.c vmm/stop.c vmm/sandbox.c vmm/sandbox_rules.c \
	$(ARCH_HOST_SRCS)
# The virtio-mmio register file in front of virtio-blk (issue 19).
FUZZ_TARGETS += virtio_mmio
FUZZ_SRCS_virtio_mmio := vmm/log.c vmm/stop.c vmm/mem.c devices/virtio/queue.c \
	devices/iothread.c devices/virtio/virtio.c devices/virtio/mmio.c \
	devices/virtio/blk.c vmm/sandbox.c vmm/sandbox_rules.c $(ARCH_HOST_SRCS)
# The 16550A (devices/serial8250.c).
FUZZ_TARGETS += serial8250
FUZZ_SRCS_serial8250 := vmm/log.c devices/serial8250.c fdt/fdt.c
# The gdb stub's command handler on decoded packets (vmm/gdb/cmd.c, bp.c):
# it reaches most of the monitor, so the fuzzer builds it all.
FUZZ_TARGETS += gdb_cmd
FUZZ_SRCS_gdb_cmd = $(CORE_SRCS)
# The arch's own (tests/fuzz/<arch>/NAME_fuzz.c; FUZZ_SRCS_NAME in its arch.mk).
FUZZ_TARGETS += $(ARCH_FUZZ_TARGETS)
# Guest configuration-space accesses: type-1, ECAM, BARs, MSI (devices/pci/).
FUZZ_TARGETS += pci_cfg
FUZZ_SRCS_pci_cfg := vmm/log.c devices/pci/pci.c devices/pci/host.c devices/pci/msix.c fdt/fdt.c
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
.PHONY: check-fuzz check-asan-fuzz fuzz

# A target's source is tests/fuzz/NAME_fuzz.c, or tests/fuzz/<arch>/ for an arch's.
vpath %_fuzz.c $(SRCDIR)/tests/fuzz $(SRCDIR)/tests/fuzz/$(ARCH)
$(O)/fuzz/%_replay: %_fuzz.c $(SRCDIR)/tests/fuzz/replay.c \
		$(wildcard $(SRCDIR)/tests/fuzz/*.h) $(O)/libtessera.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS_ALL)) -I$(SRCDIR)/tests/fuzz \
		$(LDFLAGS_ALL) -o $@ $(filter %.c %.a,$^) $(LIBS_ALL)

check-fuzz: $(FUZZ_TARGETS:%=$(O)/fuzz/%_replay)
	$(Q)$(foreach t,$(FUZZ_TARGETS),$(O)/fuzz/$(t)_replay $(SRCDIR)/tests/fuzz/corpus/$(t) &&) true

check: check-fuzz

check-asan-fuzz:
	$(MAKE) -f $(SRCDIR)/Makefile O=$(O)/asan OPT="-O1 -g" \
		HARDEN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" check-fuzz

check-asan: check-asan-fuzz

# A fuzzer depends on every source it compiles (FUZZ_SRCS_<name>), and
# clang's -MMD file (included below) on every header they read.
.SECONDEXPANSION:
$(O)/fuzz/%_fuzzer: %_fuzz.c $(SRCDIR)/tests/fuzz/fuzz.h \
		$$(addprefix $(SRCDIR)/,$$(FUZZ_SRCS_$$*))
	@mkdir -p $(dir $@)
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs $(FUZZ_CC) (apt-get install clang)"; exit 1; }
	$(call say,FUZZ,$@)
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-D_GNU_SOURCE $(INCLUDES) -I$(SRCDIR)/tests/fuzz -MMD -MP -MF $@.d \
		-o $@ $< $(FUZZ_SRCS_$*:%=$(SRCDIR)/%) $(LIBS_ALL)

# CI (.ci/run): every target under libFuzzer + ASan/UBSan for FUZZ_TIME
# seconds (60 unless told) from its seed corpus, into a scratch corpus;
# a crash, leak, timeout or sanitizer report fails it, and the input that
# did it is kept as $(O)/fuzz/ci/crash-* (replay it: $(O)/fuzz/NAME_fuzzer FILE).
# Needs clang: scripts/install-deps.sh clang.
.PHONY: fuzz-ci
fuzz-ci: $(FUZZ_TARGETS:%=$(O)/fuzz/%_fuzzer)
	$(Q)mkdir -p $(O)/fuzz/ci
	$(Q)for t in $(FUZZ_TARGETS); do \
		rm -rf $(O)/fuzz/ci/corpus-$$t && mkdir -p $(O)/fuzz/ci/corpus-$$t && \
		echo "fuzz-ci: $$t for $(FUZZ_TIME) s" && \
		$(O)/fuzz/$${t}_fuzzer -max_total_time=$(FUZZ_TIME) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(O)/fuzz/ci/ \
			$(O)/fuzz/ci/corpus-$$t $(SRCDIR)/tests/fuzz/corpus/$$t \
			>$(O)/fuzz/ci/$$t.log 2>&1 || { \
			tail -n 40 $(O)/fuzz/ci/$$t.log; echo "fuzz-ci: $$t FAILED"; exit 1; }; \
		grep -E "^stat::number_of_executed_units|^stat::peak_rss" $(O)/fuzz/ci/$$t.log | tr '\n' ' '; echo; \
	done; echo "fuzz-ci: $(words $(FUZZ_TARGETS)) targets, $(FUZZ_TIME) s each, no finding"

fuzz: $(FUZZ_TARGETS:%=$(O)/fuzz/%_fuzzer)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(O)/fuzz/corpus-$$t && \
		$(O)/fuzz/$${t}_fuzzer -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			$(O)/fuzz/corpus-$$t $(SRCDIR)/tests/fuzz/corpus/$$t || exit 1; \
	done

# Benchmarks (not tests): scripts/bench/run.sh prints the figures.
# The real-time probe's host-native reference (same work source: guests/rt/work.h).
BENCH_BINS := $(O)/bench/rt_host $(ARCH_BENCH_BINS)

$(O)/bench/rt_host: $(SRCDIR)/scripts/bench/rt_host.c $(SRCDIR)/guests/rt/work.h
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS_ALL)) -I$(SRCDIR)/guests/rt $(LDFLAGS_ALL) -o $@ $<

BENCH_ENV = TESSERA=$(abspath $(O))/tessera GUESTS=$(abspath $(O))/guests \
	BENCH=$(abspath $(O))/bench PIO_COUNT=$(PIO_BENCH_COUNT) BUILD=$(abspath $(O))

bench: all $(BENCH_BINS)
	$(BENCH_ENV) $(SRCDIR)/scripts/bench/run.sh

bench-rt: all $(BENCH_BINS)
	$(BENCH_ENV) $(SRCDIR)/scripts/bench/rt.sh

# Every benchmark once in smoke mode (scripts/bench/smoke.sh): the host-side
# ones run briefly and must print their figures, the lab-side ones are
# syntax-checked and their summaries run on recorded samples. make check
# runs it after the integration tests, so that its load (stress-ng in the
# real-time smoke) never times their guests.
.PHONY: bench-smoke check-bench
bench-smoke: all $(BENCH_BINS)
	$(BENCH_ENV) $(SRCDIR)/scripts/bench/smoke.sh

check-bench: check-integration
	$(MAKE) -f $(SRCDIR)/Makefile O=$(O) bench-smoke

check: check-bench

# The one version string (VERSION): `tessera --version`, `tessera --help`,
# debian/changelog (checked by scripts/check-docs.sh).
TESSERA_VERSION := $(shell cat $(SRCDIR)/VERSION)
$(O)/obj/vmm/main.o: CFLAGS_ALL += -DTESSERA_VERSION='"$(TESSERA_VERSION)"'
$(O)/obj/vmm/main.o: $(SRCDIR)/VERSION

# Installation, GNU style: PREFIX, DESTDIR and the directory variables below
# may be set on the command line (debian/rules does). The unit, the systemd
# generator, the man pages and the example partition files name Debian's
# paths in the source (/usr/bin/tessera, /etc/tessera, /usr/lib/tessera); install
# rewrites them to BINDIR, SYSCONFDIR and LIBDIR.
PREFIX ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
BINDIR ?= $(EXEC_PREFIX)/bin
LIBDIR ?= $(EXEC_PREFIX)/lib
DATAROOTDIR ?= $(PREFIX)/share
MANDIR ?= $(DATAROOTDIR)/man
DOCDIR ?= $(DATAROOTDIR)/doc/tessera
SYSCONFDIR ?= $(PREFIX)/etc
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
SYSTEMDGENERATORDIR ?= $(LIBDIR)/systemd/system-generators
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
INSTALL ?= install
# What a user can boot straight away: hello (exits 0), echo (idles until
# stopped), the real-time probe.
INSTALL_GUESTS := $(ARCH_INSTALL_GUESTS)
EXAMPLES := $(sort $(wildcard $(SRCDIR)/examples/*.conf))
INSTALL_PATHS = sed -e 's|/usr/bin/tessera|$(BINDIR)/tessera|g' \
	-e 's|/etc/tessera|$(SYSCONFDIR)/tessera|g' \
	-e 's|/usr/lib/tessera|$(LIBDIR)/tessera|g'

.PHONY: install uninstall check-docs
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(LIBDIR)/tessera/guests \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(SYSTEMDGENERATORDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSCONFDIR)/tessera
	$(INSTALL) -m 0755 $(O)/tessera $(DESTDIR)$(BINDIR)/tessera
	$(INSTALL_PATHS) $(SRCDIR)/man/tessera.1 >$(DESTDIR)$(MANDIR)/man1/tessera.1
	$(INSTALL_PATHS) $(SRCDIR)/man/tessera-partition.5 \
		>$(DESTDIR)$(MANDIR)/man5/tessera-partition.5
	$(INSTALL) -m 0644 $(INSTALL_GUESTS) $(DESTDIR)$(LIBDIR)/tessera/guests/
	$(INSTALL) -m 0644 $(SRCDIR)/README $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(SRCDIR)/completion/tessera.bash $(DESTDIR)$(BASHCOMPDIR)/tessera
	$(INSTALL_PATHS) $(SRCDIR)/systemd/tessera@.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/tessera@.service
	$(INSTALL_PATHS) $(SRCDIR)/systemd/tessera-generator \
		>$(DESTDIR)$(SYSTEMDGENERATORDIR)/tessera-generator
	chmod 0755 $(DESTDIR)$(SYSTEMDGENERATORDIR)/tessera-generator
	$(foreach f,$(EXAMPLES),$(INSTALL_PATHS) $(f) >$(DESTDIR)$(DOCDIR)/examples/$(notdir $(f)) &&) true

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tessera $(DESTDIR)$(MANDIR)/man1/tessera.1 \
		$(DESTDIR)$(MANDIR)/man5/tessera-partition.5 \
		$(DESTDIR)$(BASHCOMPDIR)/tessera \
		$(DESTDIR)$(SYSTEMDUNITDIR)/tessera@.service \
		$(DESTDIR)$(SYSTEMDGENERATORDIR)/tessera-generator \
		$(DESTDIR)$(DOCDIR)/README \
		$(INSTALL_GUESTS:$(O)/guests/%=$(DESTDIR)$(LIBDIR)/tessera/guests/%) \
		$(EXAMPLES:$(SRCDIR)/examples/%=$(DESTDIR)$(DOCDIR)/examples/%)
	-rmdir $(DESTDIR)$(LIBDIR)/tessera/guests $(DESTDIR)$(LIBDIR)/tessera \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(SYSCONFDIR)/tessera 2>/dev/null
	@echo "uninstall: partition files in $(DESTDIR)$(SYSCONFDIR)/tessera are kept"

# Documentation against the built binary: every option of `tessera run
# --help` has its entry in tessera(1), the completion offers them all,
# VERSION matches debian/changelog, the man pages render without warnings
# and the unit passes systemd-analyze verify (where it is installed).
check-docs: $(O)/tessera
	TESSERA=$(abspath $(O))/tessera $(SRCDIR)/scripts/check-docs.sh

check: check-docs

clean:
	rm -rf $(O)

# --- arm64 (issue 13 groundwork) ------------------------------------------------
# The freestanding AArch64 test guests (guests/common/arm64/ runtime) and the
# arm64 lab's probe (tests/lab-arm64/), cross-built with Debian's
# gcc-aarch64-linux-gnu (scripts/cross-deps.sh installs it and prints
# ARM64_SYSROOT, where libfdt-dev:arm64 is unpacked). Into $(O)/arm64/:
#   make arm64-guests (or make ARCH=arm64 guests)  guests/*.elf, lab-bin/*_probe
#   make arm64-check      the static probe (libfdt) under qemu-aarch64-static:
#                         its device tree must pass dtc without a warning
#   make arm64-lab-test   LAB_ARCH=arm64 scripts/lab/run.sh on what was built
# The monitor's ARCH=arm64 build comes with the port.
ARM64_O ?= $(O)/arm64
ARM64_CROSS ?= aarch64-linux-gnu-
ARM64_SYSROOT ?= $(HOME)/.cache/tessera/cross/arm64
ARM64_GUESTS := hello undef irq echo
# The portable guests (guests/*.c over the runtime's shared calls).
ARM64_GUESTS += dtinfo gdbtarget vblk vnet vhostile vrace rtprobe flood
ARM64_GUEST_CFLAGS := -std=gnu11 -O2 -g $(filter-out -Wmissing-prototypes,$(WARN)) \
	-ffreestanding -fno-pic -no-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -mstrict-align \
	-nostdlib -static -I$(SRCDIR)/guests/common/arm64 -I$(SRCDIR)/guests/common
ARM64_GUEST_LDFLAGS := -Wl,-T,$(SRCDIR)/guests/common/arm64/guest.ld \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
ARM64_GUEST_COMMON := $(SRCDIR)/guests/common/arm64/start.S \
	$(SRCDIR)/guests/common/arm64/runtime.c $(SRCDIR)/guests/common/arm64/gic.c \
	$(SRCDIR)/guests/common/dtb.c $(SRCDIR)/guests/common/print.c \
	$(SRCDIR)/guests/common/virtio.c
ARM64_GUEST_DEPS := $(ARM64_GUEST_COMMON) $(SRCDIR)/guests/common/arm64/guest.h \
	$(SRCDIR)/guests/common/arm64/guest.ld $(SRCDIR)/guests/common/dtb.h \
	$(SRCDIR)/guests/common/virtio.h
ARM64_PROBE := $(ARM64_O)/lab-bin/kvm_probe
ARM64_LAB_BINS := $(ARM64_PROBE) $(ARM64_O)/lab-bin/vfio_platform_probe
# vfio-platform: the PL031 passthrough guest (tests/integration/vfio_platform.sh).
ARM64_GUESTS += pl031
.PHONY: guests arm64-guests arm64-check arm64-lab-test

guests: $(ARCH_GUESTS)
ifeq ($(ARCH),arm64)
guests: arm64-guests
all: arm64-guests
endif

arm64-guests: $(ARM64_GUESTS:%=$(ARM64_O)/guests/%.elf) $(ARM64_LAB_BINS)

arm64-cross-cc:
	@command -v $(ARM64_CROSS)gcc >/dev/null || { \
		echo "no $(ARM64_CROSS)gcc: run scripts/cross-deps.sh"; exit 1; }
.PHONY: arm64-cross-cc

# Portable guests (hello, dtinfo, vblk...) live in guests/, arm64-only ones in
# guests/arm64/; an arm64 one of the same name (echo) wins: its rule comes
# first (equal stems: make takes the first rule that applies).
$(ARM64_O)/guests/%.elf: $(SRCDIR)/guests/arm64/%.c $(ARM64_GUEST_DEPS) | arm64-cross-cc
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(ARM64_CROSS)gcc $(ARM64_GUEST_CFLAGS) -o $@ $(ARM64_GUEST_COMMON) $< \
		$(ARM64_GUEST_LDFLAGS)

$(ARM64_O)/guests/%.elf: $(SRCDIR)/guests/%.c $(ARM64_GUEST_DEPS) | arm64-cross-cc
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(ARM64_CROSS)gcc $(ARM64_GUEST_CFLAGS) -o $@ $(ARM64_GUEST_COMMON) $< \
		$(ARM64_GUEST_LDFLAGS)

# The real-time probe (ARM64_GUESTS): its EL1 half, the unprivileged half
# and the report shared with x86 (guests/rt/).
$(ARM64_O)/guests/rtprobe.elf: $(SRCDIR)/guests/arm64/rtprobe.c $(SRCDIR)/guests/rt/user.c \
		$(SRCDIR)/guests/rt/common.c $(SRCDIR)/guests/rt/probe.h \
		$(SRCDIR)/guests/rt/work.h $(ARM64_GUEST_DEPS) | arm64-cross-cc
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(ARM64_CROSS)gcc $(ARM64_GUEST_CFLAGS) -I$(SRCDIR)/guests/rt -o $@ \
		$(ARM64_GUEST_COMMON) $< $(SRCDIR)/guests/rt/common.c \
		$(SRCDIR)/guests/rt/user.c $(ARM64_GUEST_LDFLAGS)

# Static: L1's initramfs has no arm64 C library.
$(ARM64_O)/lab-bin/%: $(SRCDIR)/tests/lab-arm64/%.c | arm64-cross-cc
	@test -f $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a || { \
		echo "no arm64 libfdt.a in $(ARM64_SYSROOT): run scripts/cross-deps.sh"; exit 1; }
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(ARM64_CROSS)gcc -std=gnu11 $(WARN) $(OPT) $(HARDEN) -D_GNU_SOURCE -static \
		-I$(ARM64_SYSROOT)/usr/include -o $@ $< \
		-L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu -lfdt

arm64-check: arm64-guests
	@command -v qemu-aarch64-static >/dev/null || { \
		echo "no qemu-aarch64-static: run scripts/cross-deps.sh"; exit 1; }
	$(Q)for u in ns16550a pl011; do \
		qemu-aarch64-static $(ARM64_PROBE) --uart $$u --dump-dtb $(ARM64_O)/probe-$$u.dtb && \
		dtc -I dtb -O dts -o /dev/null $(ARM64_O)/probe-$$u.dtb 2>$(ARM64_O)/dtc.log && \
		! test -s $(ARM64_O)/dtc.log || { cat $(ARM64_O)/dtc.log; exit 1; }; \
	done
	@echo "arm64-check: kvm_probe (static, libfdt) ran under qemu-aarch64-static; its DTBs pass dtc"

arm64-lab-test: arm64-guests
	LAB_ARCH=arm64 BUILD=$(abspath $(ARM64_O)) $(SRCDIR)/scripts/lab/run.sh

# Every object's header dependencies, whatever built it (bench and fuzz too).
-include $(shell find $(O)/obj $(O)/fuzz -name '*.d' 2>/dev/null)
