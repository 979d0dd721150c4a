// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the gdb stub's command handler (vmm/gdb/cmd.c and
 * the breakpoint and memory code of bp.c behind it): decoded RSP packets,
 * as a debugger would send them once the framing (fuzzed by gdb_packet)
 * is undone, against a partition of 1 to 4 vCPUs with no KVM behind it
 * (the vCPU ioctls fail, as they would on a vCPU that has gone) and 1 MiB
 * of guest RAM.
 *
 * Input: a selector byte, then packets, each a 2-byte little-endian
 * length and that many bytes. Selector bits: 0-1 the vCPU count - 1,
 * 2 int3 breakpoints (else hardware or stepping), 3 hardware instruction
 * breakpoints, 4 hardware watchpoints, 5 the partition is running (only
 * Ctrl-C-like stops apply) rather than stopped.
 *
 * The replies go to a socket that is drained after every packet. The
 * vCPUs are taken as parked (there are no vCPU threads), so parking and
 * releasing never wait.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "gdb/stub_int.h"
#include "log.h"
#include "mem.h"
#include "vm.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct vm vm;
static struct gdb_stub *g;
static int peer_fd;

static void init_once(void)
{
	int sv[2];

	if (g)
		return;
	log_level = LOG_QUIET;
	guest_mem_init_buffer(&vm.mem, ram, sizeof(ram));
	if (guest_mem_add_region(&vm.mem, 0, sizeof(ram)))
		abort();
	vm.kvm_fd = vm.vm_fd = -1;
	vm.stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&vm.stop_lock, NULL);
	vcpu_ctl_init(&vm.ctl);
	for (unsigned int i = 0; i < CONFIG_MAX_CPUS; i++) {
		vm.vcpu[i].fd = -1;
		vm.vcpu[i].vm = &vm;
		vm.vcpu[i].id = i;
	}
	g = calloc(1, sizeof(*g));
	if (!g || vm.stop_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	pthread_mutex_init(&g->lock, NULL);
	g->vm = &vm;
	g->client_fd = sv[0];
	peer_fd = sv[1];
	g->listen_fd = -1;
	g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/* Every input starts from a stopped partition with no breakpoints. */
static void reset(uint8_t sel)
{
	uint64_t n;

	vm.nvcpus = 1 + (sel & 3);
	atomic_store(&vm.stopping, false);
	vm.stop_reason = VM_STOP_NONE;
	if (read(vm.stop_fd, &n, sizeof(n)) < 0) {
		/* nothing was asked */
	}
	for (unsigned int i = 0; i < CONFIG_MAX_CPUS; i++) {
		vm.ctl.cpu[i].parked = true;
		atomic_store(&vm.ctl.cpu[i].park_req, true);
	}
	memset(g->vcpu, 0, sizeof(g->vcpu));
	g->nswbp = 0;
	g->nsoft = 0;
	memset(g->owner, 0, sizeof(g->owner));
	memset(g->slot, 0, sizeof(g->slot));
	g->ending = false;
	g->caps.step = true;
	g->caps.sw_bp = sel & 4;
	g->caps.hw_bp = sel & 8;
	g->caps.hw_watch = sel & 16;
	g->insn_ok = g->caps.sw_bp;
	g->nslots = 4;
	g->running = sel & 32;
	g->client_waits = false;
	g->client_broken = false;
	g->client_quiet = false;
	g->noack = false;
	g->resends = 0;
	g->g_cpu = 0;
	g->c_cpu = -1;
	g->last = (struct stop){ 0, 5, WHY_SIGNAL, 0 };
	memset(ram, 0, sizeof(ram));
}

static void drain(void)
{
	char buf[4096];

	while (recv(peer_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 1;

	init_once();
	if (size < 1)
		return 0;
	reset(data[0]);
	while (i + 2 <= size) {
		size_t len = (size_t)data[i] | (size_t)data[i + 1] << 8;

		i += 2;
		if (len > size - i)
			len = size - i;
		if (len > GDB_PACKET_MAX)
			len = GDB_PACKET_MAX;
		/* As the stub hands it over: a copy, NUL-terminated. */
		memcpy(g->pkt, data + i, len);
		g->pkt[len] = '\0';
		i += len;
		gdb_handle_packet(g, (const char *)g->pkt, len);
		drain();
		g->client_broken = false;
		/* A resume let the vCPUs go: they stop again at once. */
		if (g->running)
			gdb_stop_all(g);
	}
	if (g->nswbp > GDB_MAX_SW_BPS || g->nsoft > GDB_HW_SLOTS_MAX)
		abort();
	gdb_bp_remove_all(g);
	return 0;
}
