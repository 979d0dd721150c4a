# SPDX-License-Identifier: GPL-2.0
# arm64's pure parts (Image header and placement, the DT model of the
# vGICv3/timer/PSCI), unit-tested on every host by
# tests/unit/arm64/test_arm64_pure.c (arm64_pure_suite() in the generic
# runner). An arm64 build has the objects in its library already.
UNIT_OBJS += $(O)/obj/tests/unit/arm64/test_arm64_pure.o
ifneq ($(ARCH),arm64)
UNIT_OBJS += $(O)/obj/vmm/arch/arm64/image.o $(O)/obj/vmm/arch/arm64/fdt.o
endif
