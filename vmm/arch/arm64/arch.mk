# SPDX-License-Identifier: GPL-2.0
# arm64's part of the build (make ARCH=arm64; the variables are those of
# vmm/arch/x86_64/arch.mk): a cross-build on an x86_64 Debian machine with
# gcc-aarch64-linux-gnu, libfdt from the private sysroot
# scripts/cross-deps.sh unpacks, check, libseccomp and libc from Debian's
# :arm64 packages; linked statically, so that the arm64 lab's L1 (an
# initramfs without an arm64 C library) runs it as it is, and the unit
# binary runs under qemu-aarch64-static (make ARCH=arm64 check-unit).
# Output goes to build/arm64/ (tessera, guests/, check_unit) unless O is
# given: the arm64 lab's default BUILD.

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
LDFLAGS_ALL += -static -L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu -L$(ARM64_MULTIARCH)
CHECK_CFLAGS :=
CHECK_LIBS := -lcheck -lsubunit -lm -lrt -lpthread
# The unit binary is an arm64 program: run it through qemu-user.
UNIT_RUN := qemu-aarch64-static

A64 := vmm/arch/arm64
ARCH_SRCS := $(A64)/arch.c $(A64)/board.c $(A64)/image.c $(A64)/fdt.c $(A64)/gdb.c $(A64)/mmu.c
ARCH_HOST_SRCS := $(A64)/host.c
ARCH_DEVICE_SRCS := devices/serial8250.c devices/debug_exit.c
# test_arm64_pure.c is in every arch's unit binary (the top Makefile).
ARCH_UNIT_SRCS := tests/unit/arm64/suites.c
# The guests: the Makefile's arm64 block builds them (make all depends on it there).
ARCH_GUESTS :=
ARCH_BENCH_BINS :=
ARCH_INSTALL_GUESTS :=

# make ARCH=arm64 lab-test / boot-test: the arm64 lab (scripts/lab/run.sh
# and scripts/boot-test.sh read LAB_ARCH) on what this build made.
export LAB_ARCH := arm64
