// SPDX-License-Identifier: GPL-2.0
/*
 * The floor for the core benchmarks (scripts/bench/core.py): the same VM
 * as `tessera run` builds (vm_create), but vCPU 0 runs a bare KVM_RUN loop
 * with no dispatcher, bus or device behind it. Port writes are dropped,
 * port reads answer all-ones (what tessera answers for an unclaimed port,
 * and what a 16550's LSR.THRE poll needs to go on), so it runs the same
 * guests as tessera: hello.elf for exec-to-exit, pio-N.elf for the
 * per-exit cost.
 *   pio_raw GUEST.elf   -> exits 0 when the guest writes port 0x501
 * Prints "pio_raw: N exits (R reads)" on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "config.h"
#include "vm.h"

#define DEBUG_EXIT_PORT 0x501

int main(int argc, char **argv)
{
	struct vm_config cfg;
	struct vm vm;
	struct kvm_run *run;
	unsigned long exits = 0, reads = 0;
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
			perror("pio_raw: KVM_RUN");
			return 1;
		}
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "pio_raw: unexpected exit %u\n", run->exit_reason);
			return 1;
		}
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == DEBUG_EXIT_PORT)
			break;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			/* The data area lies inside the kvm_run mapping (KVM's layout). */
			memset((char *)run + run->io.data_offset, 0xff,
			       (size_t)run->io.size * run->io.count);
			reads++;
		}
		exits++;
	}
	vm_destroy(&vm);
	fprintf(stderr, "pio_raw: %lu exits (%lu reads)\n", exits, reads);
	return 0;
}
