# SPDX-License-Identifier: GPL-2.0
# The stub arch (make ARCH=stub): every hook of vmm/arch.h and
# vmm/gdb/arch_gdb.h, none of them working. That `make ARCH=stub` links
# proves the arch interface complete: generic code needs nothing an arch
# does not provide through it. No board devices, no guests. The variables
# are those of vmm/arch/x86_64/arch.mk.
ARCH_SRCS := vmm/arch/stub/arch.c vmm/arch/stub/gdb.c
ARCH_HOST_SRCS := vmm/arch/stub/host.c
ARCH_DEVICE_SRCS :=
ARCH_UNIT_SRCS := tests/unit/stub/suites.c
ARCH_GUESTS :=
ARCH_BENCH_BINS :=
ARCH_FUZZ_TARGETS :=
ARCH_INSTALL_GUESTS :=
# Its objects must not land in the x86 build (a libtessera.a of stub
# objects would make build/tessera the stub): without O, build/stub/.
ifeq ($(origin O),file)
O := $(O)/stub
endif
