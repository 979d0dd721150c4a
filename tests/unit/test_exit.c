// SPDX-License-Identifier: GPL-2.0
/* The dispatcher fed hand-made kvm_run structs: no /dev/kvm. */
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "suites.h"

#define RUN_SIZE 4096

struct dev {
	uint8_t reg[16];
	int writes, reads;
};

static void dev_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct dev *d = opaque;

	if (is_write) {
		memcpy(&d->reg[off], data, len);
		d->writes++;
	} else {
		memcpy(data, &d->reg[off], len);
		d->reads++;
	}
}

static struct kvm_run *run;
static struct bus pio, mmio;
static struct dev dev;
static struct exit_ctx ctx;

static void setup(void)
{
	run = calloc(1, RUN_SIZE);
	memset(&dev, 0, sizeof(dev));
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	ck_assert_int_eq(bus_register(&pio, 0x3f8, 8, dev_fn, &dev, "d"), 0);
	ck_assert_int_eq(bus_register(&mmio, 0xd0000000, 16, dev_fn, &dev, "d"), 0);
	ctx = (struct exit_ctx){ &pio, &mmio, RUN_SIZE };
}

static void teardown(void)
{
	bus_destroy(&pio);
	bus_destroy(&mmio);
	free(run);
}

static uint8_t *io_exit(uint16_t port, uint8_t dir, uint8_t size, uint32_t count)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.port = port;
	run->io.direction = dir;
	run->io.size = size;
	run->io.count = count;
	run->io.data_offset = 1024;
	return (uint8_t *)run + 1024;
}

START_TEST(pio_write_and_read)
{
	uint8_t *d = io_exit(0x3f9, KVM_EXIT_IO_OUT, 1, 1);

	d[0] = 0xab;
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	ck_assert_uint_eq(dev.reg[1], 0xab);
	d = io_exit(0x3f9, KVM_EXIT_IO_IN, 1, 1);
	d[0] = 0;
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	ck_assert_uint_eq(d[0], 0xab);
}
END_TEST

START_TEST(pio_string_io)
{
	uint8_t *d = io_exit(0x3f8, KVM_EXIT_IO_OUT, 2, 3);

	memcpy(d, "\x01\x02\x03\x04\x05\x06", 6);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	ck_assert_int_eq(dev.writes, 3);
	ck_assert_uint_eq(dev.reg[0], 0x05); /* the last item wins */
	ck_assert_uint_eq(dev.reg[1], 0x06);
}
END_TEST

START_TEST(pio_unclaimed_reads_ones)
{
	uint8_t *d = io_exit(0x2f0, KVM_EXIT_IO_IN, 4, 1);

	memset(d, 0, 4);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	ck_assert_uint_eq(d[0] & d[1] & d[2] & d[3], 0xff);
	/* A read crossing the device's last port is unclaimed as a whole. */
	d = io_exit(0x3fe, KVM_EXIT_IO_IN, 4, 1);
	memset(d, 0, 4);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	ck_assert_uint_eq(d[0], 0xff);
	ck_assert_int_eq(dev.reads, 0);
}
END_TEST

START_TEST(pio_malformed)
{
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 3, 1);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 1, 0);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 4, 1000); /* 4000 bytes past 1024 */
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 4, 0x40000001); /* size*count wraps 32 bits */
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
	io_exit(0x3f8, KVM_EXIT_IO_OUT, 1, 1);
	run->io.data_offset = RUN_SIZE + 8;
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
	ck_assert_int_eq(dev.writes, 0);
}
END_TEST

START_TEST(mmio_claimed_and_unclaimed)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xd0000004;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x11\x22\x33\x44", 4);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	ck_assert_uint_eq(dev.reg[7], 0x44);

	run->mmio.phys_addr = 0xe0000000;
	run->mmio.len = 8;
	run->mmio.is_write = 0;
	memset(run->mmio.data, 0xee, 8);
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_CONTINUE);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(run->mmio.data[i], 0);

	run->mmio.len = 9;
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
	run->mmio.len = 0;
	ck_assert_int_eq(exit_dispatch(run, &ctx), EXIT_ACT_BAD_EXIT);
}
END_TEST

START_TEST(other_reasons)
{
	static const struct {
		uint32_t reason, event;
		enum exit_action act;
	} map[] = {
		{ KVM_EXIT_SHUTDOWN, 0, EXIT_ACT_SHUTDOWN },
		{ KVM_EXIT_INTERNAL_ERROR, 0, EXIT_ACT_INTERNAL_ERROR },
		{ KVM_EXIT_FAIL_ENTRY, 0, EXIT_ACT_FAIL_ENTRY },
		{ KVM_EXIT_INTR, 0, EXIT_ACT_INTR },
		{ KVM_EXIT_HLT, 0, EXIT_ACT_HLT },
		{ KVM_EXIT_DEBUG, 0, EXIT_ACT_DEBUG },
		{ KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_SHUTDOWN, EXIT_ACT_POWEROFF },
		{ KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_RESET, EXIT_ACT_RESET },
		{ KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_CRASH, EXIT_ACT_SHUTDOWN },
		{ KVM_EXIT_SYSTEM_EVENT, 999, EXIT_ACT_UNHANDLED },
		{ KVM_EXIT_HYPERCALL, 0, EXIT_ACT_UNHANDLED },
		{ 12345, 0, EXIT_ACT_UNHANDLED },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		run->exit_reason = map[i].reason;
		run->system_event.type = map[i].event;
		ck_assert_int_eq(exit_dispatch(run, &ctx), map[i].act);
	}
	ck_assert_str_eq(exit_reason_name(KVM_EXIT_IO), "IO");
	ck_assert_str_eq(exit_reason_name(9999), "UNKNOWN");
}
END_TEST

Suite *exit_suite(void)
{
	Suite *s = suite_create("exit");
	TCase *tc = tcase_create("dispatch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pio_write_and_read);
	tcase_add_test(tc, pio_string_io);
	tcase_add_test(tc, pio_unclaimed_reads_ones);
	tcase_add_test(tc, pio_malformed);
	tcase_add_test(tc, mmio_claimed_and_unclaimed);
	tcase_add_test(tc, other_reasons);
	suite_add_tcase(s, tc);
	return s;
}
