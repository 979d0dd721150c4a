/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Partition configuration: what the user asked for, validated, with no
 * side effects. main.c turns argv into a struct vm_config with
 * config_parse_run(); vm.c builds a machine from it.
 *
 * config.c: the flag table (each flag's help is there: the usage text is
 * generated from it) and the command line; config_value.c: the value
 * grammars; config_file.c: partition files.
 */
#ifndef TESSERA_CONFIG_H
#define TESSERA_CONFIG_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_CPUS 64
#define CONFIG_MIN_MEM (2ULL << 20)
#define CONFIG_MAX_MEM (512ULL << 30)
#define CONFIG_DEFAULT_MEM (64ULL << 20)
#define CONFIG_HUGE_PAGE_SIZE (2ULL << 20) /* x86_64's MAP_HUGETLB default */
#define CONFIG_MAX_DISKS 8
#define CONFIG_DISK_PATH_MAX 4096
#define CONFIG_DISK_SERIAL_MAX 20 /* VIRTIO_BLK_ID_BYTES */
#define CONFIG_MAX_NICS 4
#define CONFIG_NET_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define CONFIG_MAX_VFIO 8
#define CONFIG_BDF_LEN 12 /* "0000:00:01.0" */

enum serial_mode {
	SERIAL_STDIO, /* output to stdout, input from stdin */
	SERIAL_FILE,  /* output to a file (new, or appended to), no input */
	SERIAL_NONE,  /* UART present, output discarded */
};

enum cpu_template {
	CPU_TEMPLATE_AUTO,     /* baseline on kvm_pvm hosts, host otherwise */
	CPU_TEMPLATE_HOST,     /* everything KVM_GET_SUPPORTED_CPUID offers */
	CPU_TEMPLATE_BASELINE, /* only features every KVM we know can run */
};

/* Real-time partitions (vmm/rt.h): the vCPU threads' scheduling policy. */
enum rt_policy {
	RT_POLICY_OTHER, /* SCHED_OTHER, the default */
	RT_POLICY_FIFO,  /* SCHED_FIFO at rt_prio */
};

enum mem_pages {
	MEM_PAGES_DEFAULT, /* transparent huge pages where the host allows, as QEMU */
	MEM_PAGES_SMALL,   /* ordinary 4 KiB pages only (--hugepages=none) */
	MEM_PAGES_HUGETLB, /* MAP_HUGETLB from the reserved pool */
	MEM_PAGES_THP,     /* madvise(MADV_HUGEPAGE): transparent huge pages */
};

enum exits_mode {
	EXITS_AUTO, /* disabled (HLT, PAUSE) when --rt is given */
	EXITS_DISABLE,
	EXITS_KEEP,
};

/* One --disk: a virtio-blk device backed by a raw image or block device. */
struct disk_config {
	char path[CONFIG_DISK_PATH_MAX]; /* non-empty */
	bool ro;     /* read-only: opened O_RDONLY, VIRTIO_BLK_F_RO offered */
	bool direct; /* O_DIRECT: bypass the host page cache */
	char serial[CONFIG_DISK_SERIAL_MAX + 1]; /* GET_ID answer, may be empty */
};

/* One --net: a virtio-net device on a host tap. */
struct net_config {
	char ifname[CONFIG_NET_IFNAME_MAX + 1]; /* the tap, non-empty */
	uint8_t mac[6];  /* the guest's address */
	bool mac_set;    /* mac= given; else config_parse_net picks one */
};

/* Where the gdb stub listens: --gdb tcp:HOST:PORT or unix:PATH. */
struct gdb_endpoint {
	bool is_unix;
	char host[256];  /* tcp: a name or address; "" in the flag: 127.0.0.1 */
	uint16_t port;   /* tcp: 0 picks a free port */
	char path[108];  /* unix: the socket's path (sun_path) */
};

/*
 * --vfio platform:NAME[,ITEM]...: a host platform device and what its
 * guest node gets beyond what tessera derives (docs/vfio-platform.md):
 * ITEM is clock=CLOCKNAME:HZ (a fixed-clock node, clocks and clock-names)
 * or PROP=VALUE, VALUE a list of "strings", <cells> or nothing (an empty
 * property); a PROP named compatible replaces the host node's.
 */
#define CONFIG_VFIO_NAME_MAX 63   /* a platform device's name */
#define CONFIG_VFIO_DT_NAME_MAX 31 /* a property or clock name (DT spec) */
#define CONFIG_VFIO_PROPS 8
#define CONFIG_VFIO_PROP_LEN 128  /* bytes of one property's value */
#define CONFIG_VFIO_CLOCKS 4

struct vfio_dt_prop {
	char name[CONFIG_VFIO_DT_NAME_MAX + 1];
	unsigned int len;                /* bytes in val (0: empty property) */
	uint8_t val[CONFIG_VFIO_PROP_LEN]; /* as the DTB holds it (cells big-endian) */
};

struct vfio_platform_config {
	char name[CONFIG_VFIO_NAME_MAX + 1]; /* 9010000.pl031 */
	unsigned int nprops;
	struct vfio_dt_prop prop[CONFIG_VFIO_PROPS];
	unsigned int nclocks;
	struct {
		char name[CONFIG_VFIO_DT_NAME_MAX + 1]; /* clock-names entry */
		uint32_t hz;
	} clock[CONFIG_VFIO_CLOCKS];
};

struct vm_config {
	const char *kernel;   /* guest image: ELF64, bzImage or raw */
	const char *initrd;   /* initial ramdisk, or NULL */
	const char *cmdline;  /* the user's kernel command line, or NULL */
	uint64_t mem_size;    /* bytes, multiple of 4 KiB */
	unsigned int cpus;    /* 1..CONFIG_MAX_CPUS */
	enum serial_mode serial;
	const char *serial_path; /* for SERIAL_FILE: into serial_file, or the
				  * preflight's fd path; so never copy a parsed cfg */
	char serial_file[CONFIG_DISK_PATH_MAX]; /* file:PATH as given */
	bool serial_append; /* file:PATH,append: append to an existing file */
	enum cpu_template cpu_template;
	bool load_addr_set;
	uint64_t load_addr; /* raw image: load and entry address */
	const char *name;     /* partition name, for the device tree */
	const char *dump_dtb; /* write the device tree here and exit */
	bool stats;   /* print KVM's VM and vCPU statistics at exit */
	bool gdb;        /* --gdb given: serve a gdb stub on gdb_ep */
	struct gdb_endpoint gdb_ep; /* --gdb, parsed once */
	bool gdb_wait;   /* hold the vCPUs until gdb resumes them */
	unsigned int ndisks; /* --disk, in order: the guest's vda, vdb, ... */
	struct disk_config disk[CONFIG_MAX_DISKS];
	unsigned int nnics; /* --net, in order: the guest's eth0, eth1, ... */
	struct net_config net[CONFIG_MAX_NICS];
	unsigned int nvfio; /* --vfio, in order: the guest's PCI slots 1, 2, ... */
	const char *vfio[CONFIG_MAX_VFIO]; /* a BDF or a sysfs path, as given */
	/* vfio[i] = "platform:...": its parsed value (else unused) */
	struct vfio_platform_config vfio_platform[CONFIG_MAX_VFIO];
	bool vfio_noiommu; /* --vfio-noiommu: no-IOMMU groups, no isolation */
	bool verbose;
	bool help;
	/* Real-time partitions: see vmm/rt.h. */
	int pin[CONFIG_MAX_CPUS]; /* host CPU of each vCPU's thread, -1: none */
	bool pin_set;
	enum rt_policy rt_policy;
	int rt_prio;             /* SCHED_FIFO priority, 1..99 */
	cpu_set_t io_cpus;       /* the main and I/O threads' CPUs */
	bool io_cpus_set;
	bool mlock;              /* lock and prefault all memory before vCPUs run */
	enum mem_pages hugepages;
	enum exits_mode exits;   /* KVM_CAP_X86_DISABLE_EXITS */
	const char *cgroup;      /* join this cgroup at start, or NULL */
	const char *config_file; /* --config FILE (main.c reads it) */
	bool memory_overcommit;  /* skip the check of --memory against the host */
	/* Confinement: see vmm/sandbox.h and docs/security.md. */
	int seccomp;             /* enum sandbox_mode; 0 = kill, the default */
	bool user_set;           /* --user UID[:GID]: run as these ids */
	uint32_t uid, gid;
	const char *chroot;      /* --chroot DIR, or NULL */
};

/* Whether a flag takes a value. */
enum config_arg {
	CONFIG_ARG_NONE,     /* --flag */
	CONFIG_ARG_VALUE,    /* --flag VALUE or --flag=VALUE */
	CONFIG_ARG_OPTIONAL, /* --flag or --flag=VALUE */
};

/*
 * One flag of `tessera run`: the table in config.c is the only list of
 * flags; the parser, partition files and the usage text all read it.
 */
struct config_flag {
	const char *name;    /* "--memory" */
	const char *alias;   /* "-m", or NULL */
	enum config_arg arg;
	const char *argname; /* the value in the usage ("SIZE"), or NULL */
	const char *help;    /* one paragraph: the usage wraps it */
	const char *section; /* a heading the usage prints before it, or NULL */
	bool cmdline_only;   /* not a partition-file key (config, help) */
	int (*apply)(struct vm_config *cfg, const char *val, char *err,
		     size_t errlen);
};

extern const struct config_flag config_flags[];
extern const unsigned int config_nflags;

/*
 * The flag named by the first namelen bytes of name ("--memory" or an
 * alias such as "-m"), or NULL. Pure.
 */
const struct config_flag *config_find_flag(const char *name, size_t namelen);

/*
 * Formats the usage text of `tessera run` from the flag table into buf
 * (len bytes, always NUL-terminated when len > 0), wrapped to 79 columns.
 * Returns the length of the whole text, as snprintf does. Pure.
 */
size_t config_format_usage(char *buf, size_t len);

/* Fills cfg with the defaults. */
void config_init(struct vm_config *cfg);

/*
 * Parses the arguments of `tessera run` (argv[0] is the first flag, not the
 * program name). Flags take "--flag VALUE" or "--flag=VALUE". Pointers in cfg
 * point into argv. Returns 0, or -EINVAL with a one-line reason in err.
 * Pure: touches no file and no global.
 */
int config_parse_run(struct vm_config *cfg, int argc, char *const argv[],
		     char *err, size_t errlen);

/*
 * The path of the last --config FILE (or --config=FILE) in argv, or NULL.
 * Walks argv as config_parse_run() does, so the value of another flag
 * ("--cmdline --config") is not taken for one. Pure: main.c reads the file
 * and hands its text to config_parse_file() before config_parse_run(), so
 * flags on the command line override it.
 */
const char *config_find_file(int argc, char *const argv[]);

/*
 * Parses a partition file: "key = value" lines whose keys are the flags of
 * `tessera run` without their dashes ("memory = 64M", "pin = 0=2,1=3");
 * flags without a value take "key" alone or "key = yes|no" (no: left at
 * its default). '#' starts a comment; blank lines are ignored. text is
 * modified in place and cfg points into it, so it must outlive cfg.
 * name labels errors ("NAME:LINE: reason"). A line that is not shaped
 * "key[ = value]" (a key of lowercase letters, digits and '-') is refused
 * without echoing it: the file may not be a partition file at all. Returns
 * 0 or -EINVAL. Pure. Does not validate the whole: config_parse_run() does
 * that afterwards.
 */
int config_parse_file(struct vm_config *cfg, char *text, const char *name,
		      char *err, size_t errlen);

/*
 * Checks that len bytes read from a partition file are text: no NUL (bytes
 * after one would be ignored) and no control byte but tab, CR and LF. The
 * reason names the offset or line, never the content. 0 or -EINVAL. Pure.
 */
int config_check_text(const char *text, size_t len, const char *name,
		      char *err, size_t errlen);

/*
 * Reads the partition file at path: a regular file (a FIFO, a directory
 * or a device is refused without blocking) of at most 64 KiB of text
 * (config_check_text). Warns when other users may write it. On success
 * *text is malloc'ed and NUL-terminated. 0 or -errno with a one-line
 * reason in err. Main thread.
 */
int config_read_file(const char *path, char **text, char *err,
		     size_t errlen);

/*
 * Whether vCPU exits for HLT and PAUSE should be disabled: asked for, or
 * implied by --rt and not refused with --no-disable-exits.
 */
bool config_wants_disable_exits(const struct vm_config *cfg);

/*
 * Parses a size such as "64M", "1G", "512k" or "4096" (bytes). Returns 0 or
 * -EINVAL on garbage, an unknown suffix or overflow.
 */
int config_parse_size(const char *s, uint64_t *out);

/*
 * Parses the value of one --disk: "path=FILE[,ro][,direct=on|off]
 * [,serial=ID]" (also ro=on|off). FILE may not contain a comma; ID is 1 to
 * 20 printable ASCII characters other than ',' and space. Returns 0, or
 * -EINVAL with a one-line reason in err. Pure.
 */
int config_parse_disk(struct disk_config *d, const char *s, char *err,
		      size_t errlen);

/*
 * Parses the value of one --net: "tap=NAME[,mac=XX:XX:XX:XX:XX:XX]". NAME
 * is 1 to 15 characters without '/', ',', ':', '%' or whitespace; the MAC must
 * be a unicast address (bit 0 of the first byte clear), not all zeroes.
 * Without mac=, the address is the locally administered 02:54:53:xx:xx:nn
 * with xx:xx from NAME's hash and nn = index, so it is stable across runs.
 * Returns 0, or -EINVAL with a one-line reason in err. Pure.
 */
int config_parse_net(struct net_config *n, const char *s, unsigned int index,
		     char *err, size_t errlen);

/*
 * Parses a PCI address "[DDDD:]BB:DD.F" (hex; the domain defaults to 0000)
 * into its canonical sysfs form "DDDD:BB:DD.F", lowercase, in
 * out[CONFIG_BDF_LEN + 1]. 0 or -EINVAL. Pure.
 */
int config_parse_bdf(const char *s, char *out);

/*
 * Parses the part of a --vfio value after "platform:" (struct
 * vfio_platform_config above) into *out. Returns 0, or -EINVAL with a
 * one-line reason in err. Pure.
 */
int config_parse_vfio_platform(const char *s, struct vfio_platform_config *out,
			       char *err, size_t errlen);

/* Parses an unsigned integer in decimal or 0x hex. Returns 0 or -EINVAL. */
int config_parse_u64(const char *s, uint64_t *out);

/*
 * Parses a --serial value: "stdio", "none", "file:PATH" or
 * "file:PATH,append". PATH is copied into path (pathlen bytes). Returns 0
 * or -EINVAL. Pure.
 */
int config_parse_serial(const char *v, enum serial_mode *mode, char *path,
			size_t pathlen, bool *append);

/*
 * Parses a --gdb value. "[::1]" style brackets around an IPv6 host are
 * removed. Returns 0 or -EINVAL. Pure.
 */
int config_parse_gdb_endpoint(const char *spec, struct gdb_endpoint *ep);

#endif
