// SPDX-License-Identifier: GPL-2.0
#include "exit.h"

#include <inttypes.h>

#include "log.h"
#include "types.h"

static enum exit_action handle_io(struct kvm_run *run,
				  const struct exit_ctx *ctx)
{
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint8_t *data;

	if ((size != 1 && size != 2 && size != 4) || count == 0)
		return EXIT_ACT_BAD_EXIT;
	/* String I/O (rep ins/outs) packs count items after data_offset. */
	if (off > ctx->run_size || (uint64_t)size * count > ctx->run_size - off)
		return EXIT_ACT_BAD_EXIT;
	data = (uint8_t *)run + off;
	for (uint32_t i = 0; i < count; i++, data += size) {
		if (!bus_access(ctx->pio, run->io.port, data, size, is_write,
				0xff))
			log_ratelimited(LOG_DEBUG,
					"unclaimed port %s 0x%x size %u",
					is_write ? "write" : "read",
					run->io.port, size);
	}
	return EXIT_ACT_CONTINUE;
}

static enum exit_action handle_mmio(struct kvm_run *run,
				    const struct exit_ctx *ctx)
{
	uint32_t len = run->mmio.len;

	if (len == 0 || len > sizeof(run->mmio.data))
		return EXIT_ACT_BAD_EXIT;
	if (!bus_access(ctx->mmio, run->mmio.phys_addr, run->mmio.data, len,
			run->mmio.is_write, 0x00))
		log_ratelimited(LOG_DEBUG,
				"unclaimed MMIO %s 0x%" PRIx64 " len %u",
				run->mmio.is_write ? "write" : "read",
				(uint64_t)run->mmio.phys_addr, len);
	return EXIT_ACT_CONTINUE;
}

static enum exit_action handle_system_event(const struct kvm_run *run)
{
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return EXIT_ACT_POWEROFF;
	case KVM_SYSTEM_EVENT_RESET:
		return EXIT_ACT_RESET;
	case KVM_SYSTEM_EVENT_CRASH:
		return EXIT_ACT_SHUTDOWN;
	default:
		return EXIT_ACT_UNHANDLED;
	}
}

enum exit_action exit_dispatch(struct kvm_run *run, const struct exit_ctx *ctx)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(run, ctx);
	case KVM_EXIT_MMIO:
		return handle_mmio(run, ctx);
	case KVM_EXIT_INTR:
		return EXIT_ACT_INTR;
	case KVM_EXIT_HLT:
		return EXIT_ACT_HLT;
	case KVM_EXIT_SHUTDOWN:
		return EXIT_ACT_SHUTDOWN;
	case KVM_EXIT_SYSTEM_EVENT:
		return handle_system_event(run);
	case KVM_EXIT_DEBUG:
		return EXIT_ACT_DEBUG;
	case KVM_EXIT_INTERNAL_ERROR:
		return EXIT_ACT_INTERNAL_ERROR;
	case KVM_EXIT_FAIL_ENTRY:
		return EXIT_ACT_FAIL_ENTRY;
	default:
		return EXIT_ACT_UNHANDLED;
	}
}

const char *exit_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "UNKNOWN";
}
