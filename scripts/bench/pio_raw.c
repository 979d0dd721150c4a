// SPDX-License-Identifier: GPL-2.0
/*
 * The reference for the PIO benchmark: the same VM as `tessera run` builds
 * (vm_create), but vCPU 0 runs a bare KVM_RUN loop that only counts exits
 * on the benchmark port, with no dispatcher, bus or device behind it.
 *   pio_raw GUEST.elf   -> exits 0 when the guest writes port 0x501
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "config.h"
#include "vm.h"

int main(int argc, char **argv)
{
	struct vm_config cfg;
	struct vm vm;
	struct kvm_run *run;
	unsigned long exits = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: pio_raw GUEST.elf\n");
		return 2;
	}
	config_init(&cfg);
	cfg.kernel = argv[1];
	cfg.serial = SERIAL_NONE;
	if (vm_create(&vm, &cfg) < 0)
		return 1;
	fd = vm.vcpu[0].fd;
	run = vm.vcpu[0].run;
	for (;;) {
		if (ioctl(fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			perror("KVM_RUN");
			return 1;
		}
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "unexpected exit %u\n", run->exit_reason);
			return 1;
		}
		if (run->io.port == 0x501)
			break;
		exits++;
	}
	vm_destroy(&vm);
	fprintf(stderr, "pio_raw: %lu exits\n", exits);
	return 0;
}
