# SPDX-License-Identifier: GPL-2.0
# Tessera: one plain GNU make build.
#   make                  the monitor (build/tessera) and the test guests
#   make check            unit suites (Check) + integration tests on /dev/kvm
#   make check-asan       the unit suites under ASan + UBSan
#   make fuzz             the libFuzzer targets for FUZZ_TIME seconds each (clang)
#   make bench            the benchmark scripts (scripts/bench/)
#   make bench-rt         the real-time benchmark (scripts/bench/rt.sh)
#   make O=DIR            build into DIR instead of ./build (out of tree)

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
INCLUDES := -I$(SRCDIR)/vmm -I$(SRCDIR)/vmm/arch/$(ARCH) -I$(SRCDIR)/devices
# -iquote: fdt/fdt.h must not shadow libfdt's <fdt.h> (which <libfdt.h> includes).
INCLUDES += -iquote $(SRCDIR)/fdt
CFLAGS_ALL := -std=gnu11 $(WARN) $(OPT) $(HARDEN) -D_GNU_SOURCE -pthread \
	$(INCLUDES) -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS_ALL := -pthread $(EXTRA_LDFLAGS)
LIBS_ALL := -lfdt

CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check)

CORE_SRCS := \
	vmm/log.c vmm/config.c vmm/mem.c vmm/bus.c vmm/exit.c vmm/loader.c \
	vmm/console.c vmm/vm.c vmm/vcpu.c vmm/stats.c vmm/rt.c \
	vmm/arch/$(ARCH)/arch.c vmm/arch/$(ARCH)/cpuid.c \
	vmm/arch/$(ARCH)/boot.c vmm/arch/$(ARCH)/bzimage.c \
	vmm/arch/$(ARCH)/mptable.c vmm/arch/$(ARCH)/acpi.c \
	devices/serial8250.c devices/debug_exit.c devices/i8042.c \
	devices/acpi_pm.c
CORE_SRCS += fdt/fdt.c
CORE_SRCS += vmm/gdb/packet.c vmm/gdb/stub.c vmm/gdb/cmd.c vmm/gdb/bp.c \
	vmm/arch/$(ARCH)/gdb.c \
	vmm/arch/$(ARCH)/probe.c
CORE_SRCS += vmm/ioevent.c devices/virtio/queue.c devices/virtio/mmio.c \
	devices/virtio/blk.c devices/virtio/net.c
CORE_OBJS := $(CORE_SRCS:%.c=$(O)/obj/%.o)

UNIT_SRCS := $(sort $(wildcard $(SRCDIR)/tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:$(SRCDIR)/%.c=$(O)/obj/%.o)
# The guests' DTB reader, tested on the host (under ASan in check-asan).
UNIT_OBJS += $(O)/obj/guests/common/dtb.o

GUESTS := hello echo bus fault flood int3
GUESTS += gdbtarget
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -no-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mgeneral-regs-only -mcmodel=kernel -nostdlib -static \
	-I$(SRCDIR)/guests/common
GUEST_CFLAGS := $(filter-out -Wmissing-prototypes,$(GUEST_CFLAGS))
GUEST_LDFLAGS := -Wl,-T,$(SRCDIR)/guests/common/guest.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
GUEST_COMMON := $(SRCDIR)/guests/common/start.S $(SRCDIR)/guests/common/runtime.c
GUESTS += dtinfo
GUEST_COMMON += $(SRCDIR)/guests/common/dtb.c
# virtio-blk: a driver that checks the disk, and a hostile one.
GUESTS += vblk vhostile
# virtio-net: a polling driver that trades frames with a packet socket.
GUESTS += vnet
GUEST_COMMON += $(SRCDIR)/guests/common/virtio.c

# The real-time probe (guests/rt/): its ring-3 half is built alone and its
# sections renamed .user.*, so rtprobe.ld can map exactly those pages
# user-accessible. -fno-jump-tables/-fno-builtin: no call or table outside.
RTPROBE := $(O)/guests/rtprobe.elf
RTPROBE_USER_CFLAGS := -fno-jump-tables -fno-builtin \
	-fno-tree-loop-distribute-patterns

V ?= 0
ifeq ($(V),0)
Q := @
say = @echo "  $(1)	$(2)"
else
Q :=
say =
endif

.PHONY: all check boot-test lab-test check-unit check-integration check-asan bench bench-rt clean
all: $(O)/tessera $(GUESTS:%=$(O)/guests/%.elf) $(RTPROBE)

$(O)/obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The member list lives in this Makefile: a change to it rebuilds the archive.
$(O)/libtessera.a: $(CORE_OBJS) $(SRCDIR)/Makefile
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

$(O)/guests/%.elf: $(SRCDIR)/guests/%.c $(GUEST_COMMON) \
		$(SRCDIR)/guests/common/guest.h $(SRCDIR)/guests/common/guest.ld
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) -o $@ $(GUEST_COMMON) $< $(GUEST_LDFLAGS)

$(GUESTS:%=$(O)/guests/%.elf): $(SRCDIR)/guests/common/dtb.h \
	$(SRCDIR)/guests/common/virtio.h

$(O)/obj/guests/rt/user.o: $(SRCDIR)/guests/rt/user.c $(SRCDIR)/guests/rt/probe.h
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) $(RTPROBE_USER_CFLAGS) -c -o $@.tmp $<
	$(Q)objcopy --prefix-alloc-sections=.user $@.tmp $@
	$(Q)rm -f $@.tmp

$(RTPROBE): $(SRCDIR)/guests/rt/rtprobe.c $(O)/obj/guests/rt/user.o \
		$(SRCDIR)/guests/rt/probe.h $(SRCDIR)/guests/rt/rtprobe.ld \
		$(GUEST_COMMON) $(SRCDIR)/guests/common/guest.h
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) -I$(SRCDIR)/guests/rt -o $@ $(GUEST_COMMON) \
		$< $(O)/obj/guests/rt/user.o \
		$(filter-out -Wl$(comma)-T$(comma)%,$(GUEST_LDFLAGS)) \
		-Wl,-T,$(SRCDIR)/guests/rt/rtprobe.ld -Wl,--no-warn-rwx-segments

check-unit: $(O)/check_unit
	$(O)/check_unit

check-integration: all
	TESSERA=$(abspath $(O))/tessera GUESTS=$(abspath $(O))/guests \
		$(SRCDIR)/tests/run_integration.sh

check: check-unit check-integration

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
FUZZ_SRCS_gdb_packet := vmm/gdb/packet.c vmm/config.c vmm/rt.c vmm/log.c
# The virtqueue parser and virtio-blk requests (docs/virtio.md).
FUZZ_TARGETS += virtq
FUZZ_SRCS_virtq := vmm/log.c vmm/mem.c devices/virtio/queue.c \
	devices/virtio/mmio.c devices/virtio/blk.c
# virtio-net: transmit and receive on a fuzzed RAM and tap (docs/virtio.md).
FUZZ_TARGETS += vnet
FUZZ_SRCS_vnet := vmm/log.c vmm/mem.c devices/virtio/queue.c \
	devices/virtio/mmio.c devices/virtio/net.c
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
.PHONY: check-fuzz check-asan-fuzz fuzz

$(O)/fuzz/%_replay: $(SRCDIR)/tests/fuzz/%_fuzz.c $(SRCDIR)/tests/fuzz/replay.c \
		$(SRCDIR)/tests/fuzz/fuzz.h $(O)/libtessera.a
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
$(O)/fuzz/%_fuzzer: $(SRCDIR)/tests/fuzz/%_fuzz.c $(SRCDIR)/tests/fuzz/fuzz.h \
		$$(addprefix $(SRCDIR)/,$$(FUZZ_SRCS_$$*))
	@mkdir -p $(dir $@)
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs $(FUZZ_CC) (apt-get install clang)"; exit 1; }
	$(call say,FUZZ,$@)
	$(Q)$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-D_GNU_SOURCE $(INCLUDES) -I$(SRCDIR)/tests/fuzz -MMD -MP -MF $@.d \
		-o $@ $< $(FUZZ_SRCS_$*:%=$(SRCDIR)/%)

fuzz: $(FUZZ_TARGETS:%=$(O)/fuzz/%_fuzzer)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(O)/fuzz/corpus-$$t && \
		$(O)/fuzz/$${t}_fuzzer -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			$(O)/fuzz/corpus-$$t $(SRCDIR)/tests/fuzz/corpus/$$t || exit 1; \
	done

# Benchmarks (not tests): scripts/bench/run.sh prints the figures.
PIO_BENCH_COUNT := 100000
BENCH_BINS := $(O)/bench/pio_raw $(O)/bench/pio-0.elf $(O)/bench/pio-$(PIO_BENCH_COUNT).elf

$(O)/bench/pio-%.elf: $(SRCDIR)/guests/bench/pio.c $(GUEST_COMMON) \
		$(SRCDIR)/guests/common/guest.h $(SRCDIR)/guests/common/guest.ld
	@mkdir -p $(dir $@)
	$(call say,GUEST,$@)
	$(Q)$(CC) $(GUEST_CFLAGS) -DPIO_COUNT=$* -o $@ $(GUEST_COMMON) $< $(GUEST_LDFLAGS)

$(O)/bench/pio_raw: $(O)/obj/scripts/bench/pio_raw.o $(O)/libtessera.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

bench: all $(BENCH_BINS)
	TESSERA=$(abspath $(O))/tessera GUESTS=$(abspath $(O))/guests \
		BENCH=$(abspath $(O))/bench PIO_COUNT=$(PIO_BENCH_COUNT) \
		$(SRCDIR)/scripts/bench/run.sh

bench-rt: all
	TESSERA=$(abspath $(O))/tessera GUESTS=$(abspath $(O))/guests \
		$(SRCDIR)/scripts/bench/rt.sh

clean:
	rm -rf $(O)

# Every object's header dependencies, whatever built it (bench and fuzz too).
-include $(shell find $(O)/obj $(O)/fuzz -name '*.d' 2>/dev/null)
