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
Suite *cpuid_suite(void);
Suite *console_suite(void);
Suite *boot_suite(void);
Suite *stats_suite(void);
Suite *fdt_suite(void);
/* The arch's own, from tests/unit/<arch>/ (each arch defines it). */
Suite *arch_fdt_suite(void);
Suite *rt_suite(void);
Suite *gdb_packet_suite(void);
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
Suite *board_suite(void);
/* The arm64 port's pure parts (tests/unit/arm64/), on every host. */
Suite *arm64_pure_suite(void);
Suite *sandbox_suite(void);

#endif
