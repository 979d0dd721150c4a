# SPDX-License-Identifier: GPL-2.0
# The arm64 port's part of the build (make ARCH=arm64): a cross-build on
# an x86_64 Debian machine with gcc-aarch64-linux-gnu, libfdt from the
# private sysroot scripts/cross-deps.sh unpacks, check and libc from
# Debian's :arm64 packages; linked statically, so that the arm64 lab's L1
# (an initramfs without an arm64 C library) runs it as it is.
# Output goes to build/arm64/ (tessera, guests/, check_unit) unless O is given.

ARM64_CROSS ?= aarch64-linux-gnu-
ARM64_SYSROOT ?= $(HOME)/.cache/tessera/cross/arm64
ARM64_MULTIARCH := /usr/lib/aarch64-linux-gnu
ifeq ($(origin CC),default)
CC := $(ARM64_CROSS)gcc
endif
ifeq ($(origin AR),default)
AR := $(ARM64_CROSS)ar
endif
ifeq ($(origin O),file)
O := $(O)/arm64
endif
# The arm64 guests and lab binaries (the Makefile's arm64 block) go beside tessera.
ARM64_O := $(O)

CFLAGS_ALL += -I$(ARM64_SYSROOT)/usr/include
LDFLAGS_ALL += -static -L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
CHECK_CFLAGS :=
CHECK_LIBS := -L$(ARM64_MULTIARCH) -lcheck -lsubunit -lm -lrt -lpthread

ARCH_SRCS := vmm/arch/arm64/arch.c vmm/arch/arm64/board.c \
	vmm/arch/arm64/image.c vmm/arch/arm64/fdt.c vmm/arch/arm64/gdb.c \
	vmm/arch/arm64/seccomp.c
ARCH_DEVICE_SRCS := devices/serial8250.c devices/debug_exit.c
ARCH_UNIT_SRCS := $(sort $(wildcard $(SRCDIR)/tests/unit/arm64/*.c))

# Until the per-arch fragments land in the top Makefile (the build
# branch), this file replaces the x86 lists it set before including us.
CORE_SRCS := $(filter-out vmm/arch/% devices/serial8250.c devices/debug_exit.c \
	devices/i8042.c devices/acpi_pm.c,$(CORE_SRCS)) $(ARCH_SRCS) $(ARCH_DEVICE_SRCS)
CORE_OBJS := $(CORE_SRCS:%.c=$(O)/obj/%.o)
UNIT_OBJS := $(UNIT_SRCS:$(SRCDIR)/%.c=$(O)/obj/%.o) $(O)/obj/guests/common/dtb.o
GUESTS :=
RTPROBE :=

# make ARCH=arm64 lab-test / boot-test: the arm64 lab (scripts/lab/run.sh
# and scripts/boot-test.sh read LAB_ARCH) on what this build made.
export LAB_ARCH := arm64
