/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESSERA_UNIT_SUITES_H
#define TESSERA_UNIT_SUITES_H

#include <check.h>

Suite *config_suite(void);
Suite *mem_suite(void);
Suite *bus_suite(void);
Suite *bus_concurrent_suite(void);
Suite *exit_suite(void);
Suite *serial_suite(void);
Suite *loader_suite(void);
Suite *console_suite(void);
Suite *stats_suite(void);
Suite *fdt_suite(void);
Suite *rt_suite(void);
Suite *gdb_packet_suite(void);
Suite *gdb_bp_suite(void);
Suite *disk_config_suite(void);
Suite *virtq_suite(void);
Suite *virtio_mmio_suite(void);
Suite *vblk_suite(void);
Suite *vnet_suite(void);
Suite *resource_suite(void);
Suite *irq_routes_suite(void);
Suite *devices_suite(void);
Suite *iothread_suite(void);
Suite *status_suite(void);
Suite *preflight_suite(void);
Suite *pci_suite(void);
Suite *vfio_suite(void);
Suite *vfio_platform_suite(void);
/* The arm64 port's pure parts (tests/unit/arm64/), on every host. */
Suite *arm64_pure_suite(void);
Suite *arm64_mmu_suite(void);
Suite *sandbox_suite(void);

/*
 * Adds the arch's own suites (tests/unit/<arch>/, ARCH_UNIT_SRCS in its
 * arch.mk), which test arch code and the board's devices.
 */
void arch_unit_suites(SRunner *sr);

#endif
