// SPDX-License-Identifier: GPL-2.0
/* One runner for every unit suite: no /dev/kvm needed. */
#include <stdlib.h>

#include "log.h"
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	log_level = LOG_QUIET; /* the suites provoke errors on purpose */
	srunner_add_suite(sr, mem_suite());
	srunner_add_suite(sr, bus_suite());
	srunner_add_suite(sr, bus_concurrent_suite());
	srunner_add_suite(sr, exit_suite());
	srunner_add_suite(sr, serial_suite());
	srunner_add_suite(sr, loader_suite());
	srunner_add_suite(sr, console_suite());
	srunner_add_suite(sr, stats_suite());
	srunner_add_suite(sr, fdt_suite());
	srunner_add_suite(sr, rt_suite());
	srunner_add_suite(sr, gdb_packet_suite());
	srunner_add_suite(sr, gdb_bp_suite());
	srunner_add_suite(sr, disk_config_suite());
	srunner_add_suite(sr, virtq_suite());
	srunner_add_suite(sr, virtio_mmio_suite());
	srunner_add_suite(sr, vblk_suite());
	srunner_add_suite(sr, vnet_suite());
	srunner_add_suite(sr, resource_suite());
	srunner_add_suite(sr, irq_routes_suite());
	srunner_add_suite(sr, devices_suite());
	srunner_add_suite(sr, iothread_suite());
	srunner_add_suite(sr, status_suite());
	srunner_add_suite(sr, preflight_suite());
	srunner_add_suite(sr, pci_suite());
	srunner_add_suite(sr, vfio_suite());
	srunner_add_suite(sr, vfio_platform_suite());
	srunner_add_suite(sr, arm64_pure_suite());
	srunner_add_suite(sr, arm64_mmu_suite());
	srunner_add_suite(sr, sandbox_suite());
	arch_unit_suites(sr);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
