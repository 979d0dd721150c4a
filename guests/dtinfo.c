// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the partition's device tree the way Linux finds it (x86: RSI ->
 * zero page -> setup_data chain -> SETUP_DTB; arm64: x0), takes the
 * console UART's address and interrupt from its node (x86: an "ns16550a"
 * at an ISA I/O port, which the output then goes through; arm64: the
 * MMIO UART the runtime prints on), and prints one "dtinfo: key=value"
 * line per fact:
 *
 *   dtinfo: dtb=0x<address> size=<bytes>
 *   dtinfo: model=<root model>
 *   dtinfo: partition=<hypervisor partition-name>
 *   dtinfo: cpus=<cpu nodes under /cpus>
 *   dtinfo: memory=<bytes in all /memory nodes>
 *   dtinfo: uart=0x<port or address> irq=<first cell> type=<second cell>
 *   dtinfo: stdout=<chosen stdout-path>
 *   dtinfo: bootargs=<chosen bootargs, empty if none>
 *   dtinfo: ok
 *
 * (irq/type: the interrupt specifier's first two cells: x86 <pin sense>,
 * GIC <type number>, with "flags=<third>" after them on the GIC.)
 * Exit status 0; 3 if there is no DTB (message on the arch's default
 * console), 4 if it is malformed, 5 if a node or property we need is
 * missing.
 */
#include "dtb.h"
#include "guest.h"

enum { EXIT_NO_DTB = 3, EXIT_BAD_DTB = 4, EXIT_MISSING = 5 };

static void put(const char *s)
{
	uart_puts(s);
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	put(&buf[i]);
}

static void put_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = 0;
	do
		buf[--i] = "0123456789abcdef"[v & 0xf];
	while ((v >>= 4) && i > 2);
	buf[--i] = 'x';
	buf[--i] = '0';
	put(&buf[i]);
}

static int fail(int status, const char *what, int err)
{
	put("dtinfo: error: ");
	put(what);
	if (err) {
		put(" (");
		put(err == -DTB_ENOENT ? "not found" : "malformed");
		put(")");
	}
	put("\n");
	return status;
}

static int missing(const char *what, int err)
{
	return fail(err == -DTB_ENOENT ? EXIT_MISSING : EXIT_BAD_DTB, what, err);
}

/* Children of node whose device_type is type: count, and sum of reg sizes. */
static void scan_type(const struct dtb *t, int node, const char *type,
		      uint64_t *count, uint64_t *bytes)
{
	*count = *bytes = 0;
	for (int c = dtb_first_child(t, node); c >= 0;
	     c = dtb_next_sibling(t, c)) {
		struct dtb_reg reg;

		if (!dtb_prop_has_string(t, c, "device_type", type))
			continue;
		(*count)++;
		for (unsigned int i = 0; dtb_reg(t, c, i, &reg) == 0; i++)
			*bytes += reg.size;
	}
}

static void put_string_prop(const struct dtb *t, const char *key,
			    const char *path, const char *prop)
{
	const char *s = "";
	int node = dtb_find_path(t, path);

	if (node >= 0 && dtb_prop_string(t, node, prop, &s))
		s = "";
	put("dtinfo: ");
	put(key);
	put("=");
	put(s);
	put("\n");
}

int main(uint64_t boot_arg)
{
	uint32_t irq[DTB_MAX_IRQ_CELLS], nirq;
	uint64_t ncpus, nbytes, n, uart;
	const struct dtb *t = guest_devtree(boot_arg);
	int r;

	if (!t) {
		uart_init(); /* the arch's default console: we know no other */
		uart_puts("dtinfo: error: no device tree, or a bad one\n");
		return EXIT_NO_DTB;
	}
	r = guest_dt_console(t, &uart, irq, &nirq);
	if (r == -DTB_EINVAL) {
		uart_init();
		return fail(EXIT_BAD_DTB, "the UART is not where this arch's console can be", 0);
	}
	if (r)
		return missing("no usable UART node", r);

	put("dtinfo: dtb=");
	put_hex((uint64_t)(uintptr_t)t->blob);
	put(" size=");
	put_dec(t->size);
	put("\n");
	put_string_prop(t, "model", "/", "model");
	put_string_prop(t, "partition", "/hypervisor", "partition-name");

	r = dtb_find_path(t, "/cpus");
	if (r < 0)
		return missing("/cpus", r);
	scan_type(t, r, "cpu", &ncpus, &nbytes);
	scan_type(t, dtb_root(t), "memory", &n, &nbytes);
	if (ncpus == 0 || n == 0 || nbytes == 0)
		return fail(EXIT_MISSING, "no cpu or memory nodes", 0);
	put("dtinfo: cpus=");
	put_dec(ncpus);
	put("\ndtinfo: memory=");
	put_dec(nbytes);
	put("\ndtinfo: uart=");
	put_hex(uart);
	put(" irq=");
	put_dec(irq[0]);
	put(" type=");
	put_dec(nirq > 1 ? irq[1] : 0);
	if (nirq > 2) {
		put(" flags=");
		put_dec(irq[2]);
	}
	put("\n");
	put_string_prop(t, "stdout", "/chosen", "stdout-path");
	put_string_prop(t, "bootargs", "/chosen", "bootargs");
	put("dtinfo: ok\n");
	return 0;
}
