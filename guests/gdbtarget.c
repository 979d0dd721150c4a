// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb tests' target (tests/integration/gdb_*.sh): a loop that calls
 * tick() and counts, a variable written once (for a watchpoint), and knobs
 * a debugger turns: rounds, spin (loop until cleared) and exit_status.
 * "spin" on the kernel command line sets spin, for tests that attach to a
 * running guest; "long" sets rounds to 50000 (half a second on an idle kvm_pvm host;
 * "long10", "long100", "long1000": ten times more each), for tests
 * that need the guest running for a while and then exiting on its own. It prints the addresses of its symbols first, for tests
 * that speak the protocol without gdb (and without nm).
 * Loops stay short: kernel-mode guest code is emulated on kvm_pvm hosts.
 * Portable: the same source runs on x86_64 and arm64.
 */
#include "dtb.h"
#include "guest.h"

#define WATCH_AT 5

volatile uint64_t counter;       /* ticks so far */
volatile uint64_t watched;       /* becomes n at every tick n = WATCH_AT mod 8 */
volatile uint64_t rounds = 10;   /* ticks before exiting */
volatile int spin;               /* non-zero: tick until a debugger clears it */
volatile int exit_status;        /* what the guest exits with */

__attribute__((noinline, used)) void tick(uint64_t n)
{
	counter = n + 1;
	if ((n & 7) == WATCH_AT)
		watched = n;
}

/* Whether the partition's command line (/chosen bootargs) holds word. */
static bool cmdline_has(const struct dtb *t, const char *word)
{
	int chosen = t ? dtb_find_path(t, "/chosen") : -1;
	const char *p;

	if (chosen < 0 || dtb_prop_string(t, chosen, "bootargs", &p))
		return false;
	for (; *p; p++) {
		const char *a = p, *b = word;

		while (*b && *a == *b)
			a++, b++;
		if (!*b && (*a == ' ' || !*a))
			return true;
		while (*p && *p != ' ')
			p++;
		if (!*p)
			break;
	}
	return false;
}

int main(uint64_t boot_arg)
{
	const struct dtb *t = guest_devtree(boot_arg);
	uint64_t n;

	if (cmdline_has(t, "spin"))
		spin = 1;
	if (cmdline_has(t, "long"))
		rounds = 50000;
	if (cmdline_has(t, "long10"))	/* hosts where "long" ends too soon */
		rounds = 500000;
	if (cmdline_has(t, "long100"))
		rounds = 5000000;
	if (cmdline_has(t, "long1000"))
		rounds = 50000000;
	uart_init();
	uart_puts("gdbtarget: start");
	uart_puts(" tick=");
	uart_put_hex((uint64_t)tick);
	uart_puts(" counter=");
	uart_put_hex((uint64_t)&counter);
	uart_puts(" watched=");
	uart_put_hex((uint64_t)&watched);
	uart_puts(" spin=");
	uart_put_hex((uint64_t)&spin);
	uart_puts(" exit_status=");
	uart_put_hex((uint64_t)&exit_status);
	uart_puts("\n");
	for (n = 0; n < rounds || spin; n++)
		tick(n);
	uart_puts("gdbtarget: counter=");
	uart_put_dec(counter);
	uart_puts(" status=");
	uart_put_dec((uint64_t)exit_status);
	uart_puts("\n");
	return exit_status;
}
