#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 lab's vfio-platform device through VFIO from user space
# (vfio_platform_probe.c): container, group (no-IOMMU), device, its region
# mapped and the PL031's IDs read through it, two alarm interrupts on an
# eventfd with a VFIO unmask in between. Skips where no device is bound
# to vfio-platform (outside the arm64 lab, or LAB_VFIO_PLATFORM=0).
[ -n "${LAB_PLATFORM_DEV:-}" ] || { echo "no vfio-platform device (LAB_PLATFORM_DEV)"; exit 77; }
[ -n "${LAB_PLATFORM_GROUP:-}" ] || { echo "$LAB_PLATFORM_DEV has no VFIO group"; exit 1; }
probe=$(command -v vfio_platform_probe) || { echo "vfio_platform_probe not in PATH (make arm64-guests)"; exit 1; }
exec "$probe" "$LAB_PLATFORM_DEV" "$LAB_PLATFORM_GROUP"
