# SPDX-License-Identifier: GPL-2.0
# x86_64's part of the build, included by the top Makefile (ARCH=x86_64).
# The top Makefile defines SRCDIR, O, CC, WARN, CFLAGS_ALL, LDFLAGS_ALL,
# LIBS_ALL, comma and the say/Q helpers (recipes only) before it includes
# this file, and names no file of ours; an arch sets these variables (paths
# relative to SRCDIR unless they are build products under $(O)):
#   ARCH_SRCS            the monitor's arch code: every hook of vmm/arch.h
#                        and vmm/gdb/arch_gdb.h
#   ARCH_HOST_SRCS       the monitor's own ISA, apart from the guest's: the
#                        arch_sigsys_* hooks (a fuzz target links them alone)
#   ARCH_DEVICE_SRCS     the board's devices (arch_create_platform() creates them)
#   ARCH_UNIT_SRCS       unit suites of arch code; one defines arch_unit_suites()
#   ARCH_GUESTS          freestanding test guests (files under $(O)/guests/),
#                        built by `make all`, run by the integration tests
#   ARCH_BENCH_BINS      benchmark programs and guests (make bench, bench-smoke)
#   ARCH_FUZZ_TARGETS    fuzz targets of arch code: tests/fuzz/<arch>/NAME_fuzz.c,
#                        tests/fuzz/corpus/NAME/, and FUZZ_SRCS_NAME the
#                        sources the libFuzzer build compiles
#   ARCH_INSTALL_GUESTS  the guests `make install` ships (a subset of ARCH_GUESTS)
# and the rules that build its guests and benchmark binaries.

X86 := vmm/arch/x86_64
ARCH_SRCS := $(X86)/arch.c $(X86)/board.c $(X86)/cpuid.c $(X86)/boot.c \
	$(X86)/bzimage.c $(X86)/mptable.c $(X86)/acpi.c $(X86)/fdt.c $(X86)/gdb.c \
	$(X86)/probe.c $(X86)/pci.c
ARCH_HOST_SRCS := $(X86)/host.c
# Fuzz targets of x86 code (tests/fuzz/x86_64/NAME_fuzz.c): the ELF, raw
# and bzImage loaders.
ARCH_FUZZ_TARGETS := loader
FUZZ_SRCS_loader := vmm/log.c vmm/mem.c vmm/loader.c $(X86)/bzimage.c
ARCH_DEVICE_SRCS := devices/serial8250.c devices/debug_exit.c devices/i8042.c \
	devices/acpi_pm.c
ARCH_UNIT_SRCS := $(sort $(patsubst $(SRCDIR)/%,%,$(wildcard $(SRCDIR)/tests/unit/x86_64/*.c)))

# --- Freestanding guests: 64-bit kernel-mode C entered in long mode
# (guests/common/: start.S, runtime.c, guest.ld), linked at 1 MiB.
X86_GUESTS := hello echo bus fault flood int3
X86_GUESTS += gdbtarget
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -no-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mgeneral-regs-only -mcmodel=kernel -nostdlib -static \
	-I$(SRCDIR)/guests/common
GUEST_CFLAGS := $(filter-out -Wmissing-prototypes,$(GUEST_CFLAGS))
GUEST_LDFLAGS := -Wl,-T,$(SRCDIR)/guests/common/guest.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
GUEST_COMMON := $(SRCDIR)/guests/common/start.S $(SRCDIR)/guests/common/runtime.c \
	$(SRCDIR)/guests/common/print.c \
	$(SRCDIR)/guests/common/smp.S
X86_GUESTS += dtinfo
GUEST_COMMON += $(SRCDIR)/guests/common/dtb.c
# virtio-blk: a driver that checks the disk, and a hostile one.
X86_GUESTS += vblk vhostile
# Two vCPUs racing on one virtio-mmio register file (issue 19).
X86_GUESTS += vrace
# virtio-net: a polling driver that trades frames with a packet socket.
X86_GUESTS += vnet
# VFIO-PCI: drives QEMU's edu device passed through with --vfio (the lab).
X86_GUESTS += vfio_edu
GUEST_COMMON += $(SRCDIR)/guests/common/virtio.c

# The real-time probe (guests/rt/): its ring-3 half is built alone and its
# sections renamed .user.*, so rtprobe.ld can map exactly those pages
# user-accessible. -fno-jump-tables/-fno-builtin: no call or table outside.
RTPROBE := $(O)/guests/rtprobe.elf
RTPROBE_USER_CFLAGS := -fno-jump-tables -fno-builtin \
	-fno-tree-loop-distribute-patterns

ARCH_GUESTS := $(X86_GUESTS:%=$(O)/guests/%.elf) $(RTPROBE)
# What a user can boot straight away: hello (exits 0), echo (idles until
# stopped), the real-time probe.
ARCH_INSTALL_GUESTS := $(O)/guests/hello.elf $(O)/guests/echo.elf $(RTPROBE)

$(O)/guests/%.elf: $(SRCDIR)/guests/%.c $(GUEST_COMMON) \
		$(SRCDIR)/guests/common/guest.h $(SRCDIR)/guests/common/guest.ld
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) -o $@ $(GUEST_COMMON) $< $(GUEST_LDFLAGS)

$(X86_GUESTS:%=$(O)/guests/%.elf): $(SRCDIR)/guests/common/dtb.h \
	$(SRCDIR)/guests/common/virtio.h

$(O)/obj/guests/rt/user.o: $(SRCDIR)/guests/rt/user.c $(SRCDIR)/guests/rt/probe.h \
		$(SRCDIR)/guests/rt/work.h
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) $(RTPROBE_USER_CFLAGS) -c -o $@.tmp $<
	$(Q)objcopy --prefix-alloc-sections=.user $@.tmp $@
	$(Q)rm -f $@.tmp

$(RTPROBE): $(SRCDIR)/guests/rt/rtprobe.c $(O)/obj/guests/rt/user.o \
		$(SRCDIR)/guests/rt/probe.h $(SRCDIR)/guests/rt/work.h $(SRCDIR)/guests/rt/rtprobe.ld \
		$(SRCDIR)/guests/rt/common.c $(GUEST_COMMON) $(SRCDIR)/guests/common/guest.h
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) -I$(SRCDIR)/guests/rt -o $@ $(GUEST_COMMON) \
		$< $(SRCDIR)/guests/rt/common.c $(O)/obj/guests/rt/user.o \
		$(filter-out -Wl$(comma)-T$(comma)%,$(GUEST_LDFLAGS)) \
		-Wl,-T,$(SRCDIR)/guests/rt/rtprobe.ld -Wl,--no-warn-rwx-segments

# --- Benchmarks (scripts/bench/): the PIO exit guests and the bare KVM_RUN
# loop they are compared against. PIO_BENCH_COUNT: exits per timed run
# (PIO_COUNT in the bench scripts' environment).
PIO_BENCH_COUNT := 100000
ARCH_BENCH_BINS := $(O)/bench/pio_raw $(O)/bench/pio-0.elf \
	$(O)/bench/pio-$(PIO_BENCH_COUNT).elf

$(O)/bench/pio-%.elf: $(SRCDIR)/guests/bench/pio.c $(GUEST_COMMON) \
		$(SRCDIR)/guests/common/guest.h $(SRCDIR)/guests/common/guest.ld
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) -DPIO_COUNT=$* -o $@ $(GUEST_COMMON) $< $(GUEST_LDFLAGS)

$(O)/bench/pio_raw: $(O)/obj/scripts/bench/pio_raw.o $(O)/libtessera.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)
