// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb stub's commands (stub_int.h): one function per RSP command,
 * called on the stub's thread with the partition stopped. Replies go
 * through stub.c's senders; breakpoints and guest memory through bp.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gdb/stub_int.h"
#include "log.h"

/*
 * Resumes the vCPUs whose act is 'c' or 's' (step); the others stay
 * parked. A resumed vCPU whose earlier stop gdb has not heard of yet
 * reports it now instead of running (gdbserver does the same).
 */
static void resume(struct gdb_stub *g, const char *act)
{
	struct vm *vm = g->vm;
	bool want[CONFIG_MAX_CPUS];
	struct stop s;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		want[i] = act[i] == 'c' || act[i] == 's';
		g->vcpu[i].step = act[i] == 's';
	}
	g->client_waits = true;
	if (gdb_sort_events(g, want, false, &s)) {
		gdb_report(g, &s);
		return;
	}
	gdb_arm_soft_slots(g);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		gdb_apply_debug(g, i, false);
	g->running = true;
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		g->vcpu[i].resumed = want[i];
		if (want[i])
			gdb_release(g, i);
	}
}

/* Removes every breakpoint and lets the partition run without us. */
void gdb_detach(struct gdb_stub *g)
{
	bool all[CONFIG_MAX_CPUS];
	struct stop s;

	if (g->running)
		gdb_stop_all(g);
	gdb_bp_remove_all(g);
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		g->vcpu[i].step = false;
		all[i] = true;
	}
	/* Reinjects the guest's own breakpoints; drops the rest. */
	while (gdb_sort_events(g, all, false, &s))
		;
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		g->vcpu[i].resumed = true;
	g->client_waits = false;
	g->running = true;
	gdb_arm_soft_slots(g);
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		gdb_apply_debug(g, i, false);
		gdb_release(g, i);
	}
}

/* gdb's thread id for a vCPU index is index + 1. -1: all/any. -2: no such. */
static int tid_cpu(struct gdb_stub *g, int64_t tid)
{
	if (tid == GDB_TID_ALL || tid == GDB_TID_ANY)
		return -1;
	if (tid > 0 && tid <= (int64_t)g->vm->nvcpus)
		return (int)(tid - 1);
	return -2;
}

static void cmd_read_regs(struct gdb_stub *g)
{
	int n = arch_gdb_read_regs(gdb_gcpu(g), g->data, sizeof(g->data));

	if (n < 0 || gdb_hex_encode(g->data, (size_t)n, g->reply,
				    sizeof(g->reply)) < 0) {
		gdb_send_err(g, n < 0 ? n : -ENOSPC);
		return;
	}
	gdb_send_str(g, g->reply);
}

static void cmd_write_regs(struct gdb_stub *g, const char *arg, size_t len)
{
	ssize_t n = gdb_hex_decode(arg, len, g->data, sizeof(g->data));
	int r = n < 0 ? (int)n : arch_gdb_write_regs(gdb_gcpu(g), g->data, (size_t)n);

	if (r)
		gdb_send_err(g, r);
	else
		gdb_send_str(g, "OK");
}

static void cmd_read_reg(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	uint64_t regno;
	int n;

	if (gdb_cur_hex(&c, &regno) || !gdb_cur_done(&c) || regno > UINT32_MAX) {
		gdb_send_err(g, EINVAL);
		return;
	}
	n = arch_gdb_read_reg(gdb_gcpu(g), (unsigned int)regno, g->data,
			      sizeof(g->data));
	if (n < 0) {
		gdb_send_err(g, n);
		return;
	}
	gdb_hex_encode(g->data, (size_t)n, g->reply, sizeof(g->reply));
	gdb_send_str(g, g->reply);
}

static void cmd_write_reg(struct gdb_stub *g, const char *arg, size_t len)
{
	const char *val;
	uint64_t regno;
	size_t vallen;
	ssize_t n;
	int r;

	if (gdb_parse_p_write(arg, len, &regno, &val, &vallen) ||
	    regno > UINT32_MAX) {
		gdb_send_err(g, EINVAL);
		return;
	}
	n = gdb_hex_decode(val, vallen, g->data, sizeof(g->data));
	r = n < 0 ? (int)n
		  : arch_gdb_write_reg(gdb_gcpu(g), (unsigned int)regno, g->data,
				       (size_t)n);
	if (r)
		gdb_send_err(g, r);
	else
		gdb_send_str(g, "OK");
}

/* m: as much as translates; "E0e" (EFAULT) when not even the first byte. */
static void cmd_read_mem(struct gdb_stub *g, const char *arg, size_t len)
{
	uint64_t addr, count;
	size_t n;

	if (gdb_parse_mem(arg, len, false, &addr, &count, NULL, NULL)) {
		gdb_send_err(g, EINVAL);
		return;
	}
	/* A short read is a valid answer: bound it by the reply buffer. */
	if (count > (sizeof(g->reply) - 1) / 2)
		count = (sizeof(g->reply) - 1) / 2;
	n = gdb_mem_read(g, gdb_gcpu(g), addr, g->data, (size_t)count);
	if (n == 0 && count) {
		gdb_send_err(g, EFAULT);
		return;
	}
	gdb_hex_encode(g->data, n, g->reply, sizeof(g->reply));
	gdb_send_str(g, g->reply);
}

/* M (hex) and X (binary) writes. */
static void cmd_write_mem(struct gdb_stub *g, const char *arg, size_t len,
			  bool binary)
{
	const char *data;
	uint64_t addr, count;
	size_t datalen;
	ssize_t n;
	int r;

	if (gdb_parse_mem(arg, len, true, &addr, &count, &data, &datalen) ||
	    count > sizeof(g->data)) {
		gdb_send_err(g, EINVAL);
		return;
	}
	if (binary) {
		if (datalen != count) {
			gdb_send_err(g, EINVAL);
			return;
		}
		memcpy(g->data, data, datalen);
	} else {
		n = gdb_hex_decode(data, datalen, g->data, sizeof(g->data));
		if (n < 0 || (uint64_t)n != count) {
			gdb_send_err(g, EINVAL);
			return;
		}
	}
	r = gdb_mem_write(g, addr, g->data, (size_t)count);
	if (r)
		gdb_send_err(g, r);
	else
		gdb_send_str(g, "OK");
}

static void cmd_breakpoint(struct gdb_stub *g, const char *arg, size_t len,
			   bool insert)
{
	unsigned int type;
	uint64_t addr, kind;
	int r = 0;

	if (gdb_parse_z(arg, len, &type, &addr, &kind)) {
		gdb_send_err(g, EINVAL);
		return;
	}
	if (!gdb_bp_supported(g, type)) {
		gdb_send_str(g, ""); /* gdb says the target cannot */
		return;
	}
	if (insert)
		r = gdb_bp_insert(g, (enum gdb_bp_type)type, addr, kind);
	else
		gdb_bp_remove(g, (enum gdb_bp_type)type, addr, kind);
	if (r)
		gdb_send_err(g, r);
	else
		gdb_send_str(g, "OK");
}

/* Sets vCPU cpu's pc from the optional address of c, s, C and S. */
static int resume_addr(struct gdb_stub *g, unsigned int cpu, const char *arg,
		       size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	uint64_t addr;

	if (gdb_cur_done(&c))
		return 0;
	if (gdb_cur_hex(&c, &addr) || !gdb_cur_done(&c))
		return -EINVAL;
	return arch_gdb_set_pc(&g->vm->vcpu[cpu], addr);
}

/* c, s, C and S: the old resume packets. s steps only the Hc thread. */
static void cmd_resume_old(struct gdb_stub *g, char op, const char *arg,
			   size_t len)
{
	char act[CONFIG_MAX_CPUS] = { 0 };
	unsigned int cpu = g->c_cpu >= 0 ? (unsigned int)g->c_cpu : g->last.cpu;
	uint64_t sig;
	int r;

	if (op == 'C' || op == 'S') { /* "SIG[;ADDR]": signals are ignored */
		struct gdb_cursor c = { arg, arg + len };

		if (gdb_cur_hex(&c, &sig) || (!gdb_cur_done(&c) && !gdb_cur_eat(&c, ';'))) {
			gdb_send_err(g, EINVAL);
			return;
		}
		len = (size_t)(c.end - c.p);
		arg = c.p;
	}
	r = resume_addr(g, cpu, arg, len);
	if (r) {
		gdb_send_err(g, r);
		return;
	}
	if (op == 'c' || op == 'C')
		memset(act, 'c', g->vm->nvcpus);
	else
		act[cpu] = 's';
	resume(g, act);
}

static void cmd_vcont(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_vcont_action acts[CONFIG_MAX_CPUS + 1];
	char act[CONFIG_MAX_CPUS] = { 0 };
	bool any = false;
	int n = gdb_parse_vcont(arg, len, acts, ARRAY_SIZE(acts));

	if (n < 0) {
		gdb_send_err(g, EINVAL);
		return;
	}
	for (int k = 0; k < n; k++) {
		if (tid_cpu(g, acts[k].tid) == -2) {
			gdb_send_err(g, EINVAL);
			return;
		}
	}
	/* Each thread takes the leftmost action that names it or all. */
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		for (int k = 0; k < n; k++) {
			int cpu = tid_cpu(g, acts[k].tid);

			if (cpu == -1 || cpu == (int)i) {
				act[i] = acts[k].action == 't' ? 0 : acts[k].action;
				break;
			}
		}
		any |= act[i] != 0;
	}
	if (!any) { /* nothing would run: no stop could ever come */
		gdb_send_err(g, EINVAL);
		return;
	}
	resume(g, act);
}

static void cmd_set_thread(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg + 1, arg + len };
	int64_t tid;
	int cpu;

	if (len < 2 || (arg[0] != 'g' && arg[0] != 'c') ||
	    gdb_cur_thread(&c, &tid) || !gdb_cur_done(&c) ||
	    (cpu = tid_cpu(g, tid)) == -2) {
		gdb_send_err(g, EINVAL);
		return;
	}
	if (arg[0] == 'g' && cpu >= 0)
		g->g_cpu = (unsigned int)cpu;
	else if (arg[0] == 'c')
		g->c_cpu = cpu;
	gdb_send_str(g, "OK");
}

static void cmd_qxfer(struct gdb_stub *g, const char *arg, size_t len)
{
	const char *xml = arch_gdb_target_xml();
	size_t xlen = strlen(xml), chunk;
	char object[32], annex[64];
	uint64_t off, count;

	if (gdb_parse_qxfer_read(arg, len, object, sizeof(object), annex,
				 sizeof(annex), &off, &count) ||
	    strcmp(object, "features")) {
		gdb_send_str(g, ""); /* objects we do not serve */
		return;
	}
	if (strcmp(annex, "target.xml")) {
		gdb_send_err(g, ENOENT);
		return;
	}
	if (off >= xlen) {
		gdb_send_str(g, "l");
		return;
	}
	chunk = xlen - (size_t)off;
	if (chunk > count)
		chunk = (size_t)count;
	if (chunk > sizeof(g->reply) - 2)
		chunk = sizeof(g->reply) - 2;
	g->reply[0] = off + chunk < xlen ? 'm' : 'l';
	memcpy(g->reply + 1, xml + off, chunk);
	gdb_send_packet(g, g->reply, chunk + 1);
}

static void cmd_thread_info(struct gdb_stub *g)
{
	size_t n = 0;

	g->reply[n++] = 'm';
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		n += (size_t)snprintf(g->reply + n, sizeof(g->reply) - n,
				      "%s%x", i ? "," : "", i + 1);
	gdb_send_packet(g, g->reply, n);
}

static void cmd_thread_extra(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	char text[32];
	int64_t tid;
	int cpu;

	if (gdb_cur_thread(&c, &tid) || (cpu = tid_cpu(g, tid)) < 0) {
		gdb_send_err(g, EINVAL);
		return;
	}
	snprintf(text, sizeof(text), "vCPU %d", cpu);
	gdb_hex_encode((const uint8_t *)text, strlen(text), g->reply,
		       sizeof(g->reply));
	gdb_send_str(g, g->reply);
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

static void cmd_query(struct gdb_stub *g, const char *s, size_t len)
{
	if (starts(s, len, "qSupported")) {
		gdb_send_fmt(g, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
			    "vContSupported+;QStartNoAckMode+",
			 GDB_PACKET_MAX);
	} else if (starts(s, len, "qXfer:")) {
		cmd_qxfer(g, s + 6, len - 6);
	} else if (starts(s, len, "qfThreadInfo")) {
		cmd_thread_info(g);
	} else if (starts(s, len, "qsThreadInfo")) {
		gdb_send_str(g, "l");
	} else if (len == 2 && s[1] == 'C') {
		gdb_send_fmt(g, "QC%x", g->last.cpu + 1);
	} else if (starts(s, len, "qAttached")) {
		gdb_send_str(g, "1"); /* gdb's quit detaches instead of killing */
	} else if (starts(s, len, "qThreadExtraInfo,")) {
		cmd_thread_extra(g, s + 17, len - 17);
	} else if (starts(s, len, "qSymbol:")) {
		gdb_send_str(g, "OK");
	} else {
		gdb_send_str(g, "");
	}
}

static void cmd_kill(struct gdb_stub *g)
{
	log_info("gdb: debugger killed the partition");
	vm_request_stop(g->vm, VM_STOP_SIGNAL, TESSERA_EXIT_SIGNAL + SIGKILL);
}

static void cmd_v(struct gdb_stub *g, const char *s, size_t len)
{
	if (len == 6 && !memcmp(s, "vCont?", 6))
		gdb_send_str(g, "vCont;c;C;s;S");
	else if (starts(s, len, "vCont;"))
		cmd_vcont(g, s + 5, len - 5);
	else if (starts(s, len, "vKill")) {
		gdb_send_str(g, "OK");
		cmd_kill(g);
	} else
		gdb_send_str(g, "");
}

static void cmd_thread_alive(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	int64_t tid;

	if (gdb_cur_thread(&c, &tid) || tid_cpu(g, tid) < 0)
		gdb_send_err(g, ENOENT);
	else
		gdb_send_str(g, "OK");
}

/* One decoded packet; the partition is stopped. */
void gdb_handle_packet(struct gdb_stub *g, const char *s, size_t len)
{
	const char *arg = s + 1;
	size_t alen = len ? len - 1 : 0;

	if (len == 0) {
		gdb_send_str(g, "");
		return;
	}
	switch (s[0]) {
	case '?': gdb_send_stop(g, &g->last); break;
	case 'g': cmd_read_regs(g); break;
	case 'G': cmd_write_regs(g, arg, alen); break;
	case 'p': cmd_read_reg(g, arg, alen); break;
	case 'P': cmd_write_reg(g, arg, alen); break;
	case 'm': cmd_read_mem(g, arg, alen); break;
	case 'M': cmd_write_mem(g, arg, alen, false); break;
	case 'X': cmd_write_mem(g, arg, alen, true); break;
	case 'c':
	case 'C':
	case 's':
	case 'S': cmd_resume_old(g, s[0], arg, alen); break;
	case 'v': cmd_v(g, s, len); break;
	case 'q': cmd_query(g, s, len); break;
	case 'Q':
		if (starts(s, len, "QStartNoAckMode")) {
			gdb_send_str(g, "OK");
			g->noack = true;
		} else {
			gdb_send_str(g, "");
		}
		break;
	case 'H': cmd_set_thread(g, arg, alen); break;
	case 'T': cmd_thread_alive(g, arg, alen); break;
	case 'Z':
	case 'z': cmd_breakpoint(g, arg, alen, s[0] == 'Z'); break;
	case 'D':
		gdb_send_str(g, "OK");
		log_info("gdb: debugger detached");
		gdb_detach(g);
		break;
	case 'k': cmd_kill(g); break;
	default: gdb_send_str(g, ""); break;
	}
}
