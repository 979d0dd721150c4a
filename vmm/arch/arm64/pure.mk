# SPDX-License-Identifier: GPL-2.0
# arm64's pure parts (Image header and placement, the DT model of the
# vGICv3/timer/PSCI, the stage-1 table walker), unit-tested on every host
# by tests/unit/arm64/test_arm64_pure.c and test_arm64_mmu.c (suites in the
# generic runner). An arm64 build has the objects in its library already.
UNIT_OBJS += $(O)/obj/tests/unit/arm64/test_arm64_pure.o
UNIT_OBJS += $(O)/obj/tests/unit/arm64/test_arm64_mmu.o
ifneq ($(ARCH),arm64)
UNIT_OBJS += $(O)/obj/vmm/arch/arm64/image.o $(O)/obj/vmm/arch/arm64/fdt.o
UNIT_OBJS += $(O)/obj/vmm/arch/arm64/mmu.o
endif
