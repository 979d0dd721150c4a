// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb stub. One thread owns the socket, the breakpoint tables and the
 * protocol state; vCPU threads share with it only the debug events in
 * struct gdb_vcpu, under g->lock. The stub runs no vCPU itself: it uses
 * the vCPUs' run control (vcpu.h), and its checkpoint hook takes the
 * debug exits on the vCPU threads.
 *
 * All-stop: when one vCPU stops (breakpoint, watchpoint, step, Ctrl-C),
 * the stub parks every vCPU (vcpu_park_all), and only then answers gdb;
 * register and memory access happen while they are parked. A resume
 * releases the vCPUs that gdb lets run.
 *
 * This file: the socket (one client at a time), the stub's thread, its
 * lifecycle, and the all-stop bookkeeping of debug events. Commands are
 * in cmd.c, breakpoints and watchpoints in bp.c (stub_int.h).
 */
#include "gdb/stub.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gdb/stub_int.h"
#include "log.h"
#include "sandbox.h"
#include "vcpu.h"

void gdb_wake(struct gdb_stub *g)
{
	uint64_t one = 1;

	if (write(g->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn_errno("gdb: cannot wake the stub");
}

bool gdb_ending(struct gdb_stub *g)
{
	return g->ending || atomic_load(&g->vm->stopping);
}

/* Parks every vCPU and waits until they all are. Stub thread. */
void gdb_stop_all(struct gdb_stub *g)
{
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		g->vcpu[i].resumed = false;
	vcpu_park_all(g->vm);
	g->running = false;
}

/* Lets vCPU i run again. Stub thread. */
void gdb_release(struct gdb_stub *g, unsigned int i)
{
	vcpu_release(&g->vm->vcpu[i]);
}

static void send_bytes(struct gdb_stub *g, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && !g->client_broken) {
		ssize_t n = send(g->client_fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pfd = { g->client_fd, POLLOUT, 0 };

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (poll(&pfd, 1, GDB_SEND_MS) == 0) {
				log_warn("gdb: debugger stopped reading; dropping it");
				g->client_broken = true;
			}
		} else {
			g->client_broken = true;
		}
	}
}

void gdb_send_packet(struct gdb_stub *g, const char *payload, size_t len)
{
	ssize_t n = gdb_frame((const uint8_t *)payload, len, g->frame,
			      sizeof(g->frame));

	if (n < 0) { /* cannot happen: replies are at most GDB_PACKET_MAX */
		n = gdb_frame((const uint8_t *)"E01", 3, g->frame,
			      sizeof(g->frame));
	}
	g->frame_len = (size_t)n;
	g->resends = 0;
	send_bytes(g, g->frame, g->frame_len);
}

void gdb_send_str(struct gdb_stub *g, const char *s)
{
	gdb_send_packet(g, s, strlen(s));
}

void __attribute__((format(printf, 2, 3)))
gdb_send_fmt(struct gdb_stub *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->reply, sizeof(g->reply), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(g->reply))
		n = 0;
	gdb_send_packet(g, g->reply, (size_t)n);
}

/* "E NN": errno values as gdbserver sends them (gdb reads only the E). */
void gdb_send_err(struct gdb_stub *g, int err)
{
	gdb_send_fmt(g, "E%02x", (unsigned int)(err < 0 ? -err : err) & 0xff);
}

void gdb_send_stop(struct gdb_stub *g, const struct stop *s)
{
	static const char *const why[] = {
		[WHY_SIGNAL] = "", [WHY_SWBREAK] = "swbreak:;",
		[WHY_HWBREAK] = "hwbreak:;", [WHY_WATCH] = "watch:",
		[WHY_AWATCH] = "awatch:",
	};

	if (s->why == WHY_WATCH || s->why == WHY_AWATCH)
		gdb_send_fmt(g, "T%02xthread:%x;%s%llx;", s->sig, s->cpu + 1,
			 why[s->why], (unsigned long long)s->addr);
	else
		gdb_send_fmt(g, "T%02xthread:%x;%s", s->sig, s->cpu + 1, why[s->why]);
}

/* Reports a stop to gdb: the partition is now held for it. */
void gdb_report(struct gdb_stub *g, const struct stop *s)
{
	g->last = *s;
	g->client_quiet = false; /* stopped for it: its going releases */
	g->g_cpu = s->cpu; /* gdb reads the stopped thread next */
	if (g->client_fd >= 0 && g->client_waits)
		gdb_send_stop(g, s);
	g->client_waits = false;
}

/*
 * Takes vCPU i's pending debug exit, if any, once the vCPU has parked.
 * Returns whether there was one.
 */
static bool take_event(struct gdb_stub *g, unsigned int i,
		       struct gdb_debug_exit *e)
{
	bool had;

	pthread_mutex_lock(&g->lock);
	had = g->vcpu[i].ev_pending;
	pthread_mutex_unlock(&g->lock);
	if (!had)
		return false;
	/* Only this thread clears ev_pending: the event waits for us. */
	vcpu_wait_parked(&g->vm->vcpu[i]);
	pthread_mutex_lock(&g->lock);
	*e = g->vcpu[i].ev;
	g->vcpu[i].ev_pending = false;
	pthread_mutex_unlock(&g->lock);
	return true;
}

/* The vCPU with the oldest pending debug exit among want, or -1. */
static int oldest_event(struct gdb_stub *g, const bool *want)
{
	uint64_t best = UINT64_MAX;
	int cpu = -1;

	pthread_mutex_lock(&g->lock);
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		if (want[i] && g->vcpu[i].ev_pending && g->vcpu[i].ev_seq < best) {
			best = g->vcpu[i].ev_seq;
			cpu = (int)i;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return cpu;
}

/*
 * Goes through the pending debug exits of the vCPUs in want, oldest first:
 * stale ones are dropped and the guest's own breakpoints reinjected (those
 * vCPUs go on running if keep_running); the first real stop is returned in
 * *s (true) and stays taken.
 */
bool gdb_sort_events(struct gdb_stub *g, const bool *want,
			bool keep_running, struct stop *s)
{
	struct gdb_debug_exit e;
	int cpu;

	while ((cpu = oldest_event(g, want)) >= 0) {
		enum disposition d;

		if (!take_event(g, (unsigned int)cpu, &e))
			continue;
		d = gdb_classify(g, (unsigned int)cpu, &e, s);
		if (d == DISP_REPORT)
			return true;
		if (d == DISP_REINJECT || keep_running)
			gdb_apply_debug(g, (unsigned int)cpu, d == DISP_REINJECT);
		if (keep_running)
			gdb_release(g, (unsigned int)cpu);
	}
	return false;
}

/* The wake-up of a vCPU's debug exit. Stub thread. */
static void handle_vcpu_events(struct gdb_stub *g)
{
	bool want[CONFIG_MAX_CPUS];
	struct stop s;

	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		want[i] = g->running && g->vcpu[i].resumed;
	if (!g->running || !gdb_sort_events(g, want, true, &s))
		return;
	gdb_stop_all(g);
	gdb_report(g, &s);
}

static void drop_client(struct gdb_stub *g, const char *why)
{
	log_info("gdb: debugger %s", why);
	/* One that never spoke changed nothing: a --gdb-wait hold stays. */
	if (!gdb_ending(g) && !g->client_quiet)
		gdb_detach(g);
	close(g->client_fd);
	g->client_fd = -1;
	g->client_broken = false;
}

/* Ctrl-C: stop everything, report SIGINT. */
static void interrupt(struct gdb_stub *g)
{
	struct stop s = { g->last.cpu, 2 /* SIGINT */, WHY_SIGNAL, 0 };

	g->client_quiet = false;
	if (!g->running)
		return;
	gdb_stop_all(g);
	gdb_report(g, &s);
}

/*
 * gdb's first packet: the partition stops now, not at the connection, so
 * that a process that connects and says nothing (a port scan, a stray
 * client) cannot freeze it. gdb expects a stopped target and asks why
 * ('?'): SIGTRAP, as gdbserver answers on attach.
 */
static void first_packet(struct gdb_stub *g)
{
	g->client_quiet = false;
	if (!g->running)
		return; /* --gdb-wait: already held */
	g->last = (struct stop){ 0, 5, WHY_SIGNAL, 0 };
	gdb_stop_all(g);
	g->g_cpu = g->last.cpu;
}

static void rx_event(struct gdb_stub *g, enum gdb_rx_event ev)
{
	ssize_t n;

	switch (ev) {
	case GDB_RX_PACKET:
		if (!g->noack)
			send_bytes(g, "+", 1);
		n = gdb_decode(g->rx.buf, g->rx.len, g->pkt, GDB_PACKET_MAX);
		if (g->client_quiet)
			first_packet(g);
		if (n < 0)
			gdb_send_err(g, EINVAL);
		else if (g->running) /* all-stop: gdb waits, it does not talk */
			gdb_send_err(g, EBUSY);
		else
			gdb_handle_packet(g, (const char *)g->pkt, (size_t)n);
		break;
	case GDB_RX_OVERFLOW:
		if (!g->noack)
			send_bytes(g, "+", 1);
		gdb_send_err(g, E2BIG);
		break;
	case GDB_RX_BAD_CSUM:
		if (!g->noack)
			send_bytes(g, "-", 1);
		break;
	case GDB_RX_NACK:
		if (g->frame_len && g->resends++ < GDB_MAX_RESENDS)
			send_bytes(g, g->frame, g->frame_len);
		break;
	case GDB_RX_INTERRUPT:
		interrupt(g);
		break;
	default:
		break;
	}
}

static void client_input(struct gdb_stub *g)
{
	uint8_t buf[4096];
	ssize_t n = recv(g->client_fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(g, "disconnected");
		return;
	}
	for (ssize_t i = 0; i < n && !g->client_broken && !gdb_ending(g); i++)
		rx_event(g, gdb_rx_feed(&g->rx, buf[i]));
	if (g->client_broken)
		drop_client(g, "connection failed");
}

static void accept_client(struct gdb_stub *g)
{
	int fd = accept4(g->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int one = 1;

	if (fd < 0)
		return;
	if (g->client_fd >= 0) {
		log_warn("gdb: refused a second debugger (one is attached)");
		close(fd);
		return;
	}
	if (g->ep.is_unix == false)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	log_info("gdb: debugger attached");
	g->client_fd = fd;
	g->noack = false;
	g->frame_len = 0;
	g->client_waits = false;
	g->client_quiet = true; /* the partition runs on until it speaks */
	gdb_rx_init(&g->rx);
	g->g_cpu = g->last.cpu;
	g->c_cpu = -1;
}

/* The run ended: tell a waiting debugger how, then hang up. */
static void finish(struct gdb_stub *g)
{
	if (g->client_fd < 0)
		return;
	if (g->client_waits && !g->client_broken)
		gdb_send_fmt(g, "W%02x", (unsigned int)g->end_status & 0xff);
	close(g->client_fd);
	g->client_fd = -1;
}

static void *stub_thread(void *arg)
{
	struct gdb_stub *g = arg;

	pthread_setname_np(pthread_self(), "gdb");
	sandbox_enter(SANDBOX_GDB);
	for (;;) {
		struct pollfd pfd[3] = {
			{ g->wake_fd, POLLIN, 0 },
			{ g->listen_fd, POLLIN, 0 },
			{ g->client_fd, POLLIN, 0 },
		};
		bool ending;

		if (poll(pfd, 3, -1) < 0 && errno != EINTR) {
			log_err_errno("gdb: poll");
			break;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t n;

			if (read(g->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				log_warn_errno("gdb: wake-up");
		}
		pthread_mutex_lock(&g->lock);
		ending = g->ending;
		pthread_mutex_unlock(&g->lock);
		if (ending)
			break;
		handle_vcpu_events(g);
		if (pfd[1].revents & POLLIN)
			accept_client(g);
		if (g->client_fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
			client_input(g);
	}
	finish(g);
	return NULL;
}

/* The endpoint as the user would write it, for messages. */
static void describe(struct gdb_stub *g)
{
	if (g->ep.is_unix)
		snprintf(g->where, sizeof(g->where), "unix:%s", g->ep.path);
	else if (strchr(g->ep.host, ':'))
		snprintf(g->where, sizeof(g->where), "tcp:[%s]:%u", g->ep.host,
			 g->ep.port);
	else
		snprintf(g->where, sizeof(g->where), "tcp:%s:%u", g->ep.host,
			 g->ep.port);
}

/*
 * Something is at the socket's path. Only a socket of ours that nobody
 * listens on (an earlier run killed before it could remove it) is ours
 * to replace: a file, another user's socket or a live one is refused, and
 * left alone. 0 when the path is free again, or -errno (logged).
 */
static int clear_stale_socket(struct gdb_stub *g, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(g->ep.path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("--gdb %s: %s (not a socket)", g->where, strerror(EADDRINUSE));
		return -EADDRINUSE;
	}
	if (st.st_uid != geteuid()) {
		log_err("--gdb %s: %s (a socket that is not ours: owner uid %u)",
			g->where, strerror(EADDRINUSE), (unsigned int)st.st_uid);
		return -EADDRINUSE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : errno;
	close(fd);
	if (r != ECONNREFUSED) {
		log_err("--gdb %s: %s (%s)", g->where, strerror(EADDRINUSE),
			r ? strerror(r) : "a process is listening on it");
		return -EADDRINUSE;
	}
	log_info("gdb: replacing the stale socket %s", g->ep.path);
	if (unlink(g->ep.path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * A Unix socket only its owner can connect to. On Linux an unbound
 * socket's mode (fchmod) becomes the socket file's at bind, less the
 * umask: 0600 whatever the umask, with no window of a wider mode and no
 * process-wide umask change under other threads.
 */
static int listen_unix(struct gdb_stub *g)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->ep.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || fchmod(fd, 0600) < 0)
		goto err;
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno == EADDRINUSE) {
		r = clear_stale_socket(g, &sa);
		if (r) {
			close(fd);
			return r;
		}
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (r < 0 || listen(fd, 1) < 0 || lstat(g->ep.path, &st) < 0)
		goto err;
	g->sock_dev = st.st_dev;
	g->sock_ino = st.st_ino;
	g->listen_fd = fd;
	return 0;
err:
	r = errno;
	log_err("--gdb %s: %s", g->where, strerror(r));
	if (fd >= 0)
		close(fd);
	return -r;
}

/* Whether a bound address is loopback (127/8, ::1, ::ffff:127/8). */
static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

static int listen_tcp(struct gdb_stub *g)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char port[8];
	int one = 1, fd, r, err;

	snprintf(port, sizeof(port), "%u", g->ep.port);
	r = getaddrinfo(g->ep.host, port, &hints, &ai);
	if (r) {
		log_err("--gdb %s: %s", g->where, gai_strerror(r));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
		err = errno;
		log_err("--gdb %s: %s", g->where, strerror(err));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -err;
	}
	freeaddrinfo(ai);
	/* Port 0 asks for a free port: say which. */
	g->ep.port = ntohs(ss.ss_family == AF_INET6
				   ? ((struct sockaddr_in6 *)&ss)->sin6_port
				   : ((struct sockaddr_in *)&ss)->sin_port);
	describe(g);
	if (!is_loopback(&ss))
		log_warn("gdb: %s is not loopback: whoever can reach it controls the partition (no authentication)",
			 g->where);
	g->listen_fd = fd;
	return 0;
}

int gdb_stub_create(struct vm *vm, const struct gdb_endpoint *ep, bool wait,
		    struct gdb_stub **out)
{
	struct gdb_stub *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->vm = vm;
	g->listen_fd = g->client_fd = g->wake_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	*out = g;
	g->ep = *ep;
	describe(g);
	g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->wake_fd < 0) {
		log_err_errno("gdb: eventfd");
		return -errno;
	}
	r = g->ep.is_unix ? listen_unix(g) : listen_tcp(g);
	if (r)
		return r;
	r = arch_gdb_probe(vm->kvm_fd, &g->caps);
	if (r)
		log_warn("gdb: cannot probe how this KVM debugs guests: %s",
			 strerror(-r));
	log_info("gdb: probe of this KVM: %s", g->caps.detail);
	g->insn_ok = g->caps.sw_bp && arch_gdb_sw_bp_len <= GDB_SW_BP_MAX;
	g->nslots = arch_gdb_hw_slots();
	if (g->nslots > GDB_HW_SLOTS_MAX)
		g->nslots = GDB_HW_SLOTS_MAX;
	g->last = (struct stop){ 0, 5, WHY_SIGNAL, 0 };
	g->running = !wait;
	g->c_cpu = -1;
	vcpu_set_checkpoint(vm, gdb_vcpu_checkpoint, g);
	for (unsigned int i = 0; wait && i < vm->nvcpus; i++)
		vcpu_park(&vm->vcpu[i]); /* before its first instruction */
	log_msg(wait ? LOG_WARN : LOG_INFO, 0,
		"gdb: %s on %s (breakpoints: %s, watchpoints: %s)",
		wait ? "waiting for a debugger" : "listening", g->where,
		g->insn_ok ? arch_gdb_sw_bp_name : g->caps.hw_bp ? "debug registers" : "single-step",
		g->caps.hw_watch ? "debug registers" : "single-step");
	return 0;
}

int gdb_stub_start(struct gdb_stub *g)
{
	int r = pthread_create(&g->thread, NULL, stub_thread, g);

	if (r) {
		log_err("gdb: cannot start the stub thread: %s", strerror(r));
		return -r;
	}
	g->thread_started = true;
	return 0;
}

void gdb_stub_stop(struct gdb_stub *g, int status)
{
	pthread_mutex_lock(&g->lock);
	g->ending = true;
	g->end_status = status;
	pthread_mutex_unlock(&g->lock);
	gdb_wake(g);
	if (g->thread_started) {
		pthread_join(g->thread, NULL);
		g->thread_started = false;
	}
}

/* Removes our socket file, if the path still is ours (not since replaced). */
static void remove_socket(struct gdb_stub *g)
{
	struct stat st;

	if (g->ep.is_unix && lstat(g->ep.path, &st) == 0 &&
	    st.st_dev == g->sock_dev && st.st_ino == g->sock_ino)
		unlink(g->ep.path);
}

void gdb_stub_destroy(struct gdb_stub *g)
{
	if (!g)
		return;
	vcpu_set_checkpoint(g->vm, NULL, NULL);
	if (g->client_fd >= 0)
		close(g->client_fd);
	if (g->listen_fd >= 0) {
		close(g->listen_fd);
		remove_socket(g);
	}
	if (g->wake_fd >= 0)
		close(g->wake_fd);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
