/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition's device tree (ePAPR / Devicetree Specification style).
 * fdt_build() turns a machine description into a flattened tree (DTB) in a
 * caller-provided buffer; fdt/ is the only user of libfdt in tessera.
 *
 * Devices contribute their own nodes through a hook in their struct
 * fdt_device. Hooks never see libfdt: they write through the small
 * fdt_w_*() writer below, whose errors are sticky (the first one is kept and
 * returned by every later call and by fdt_build()).
 *
 * Everything here is pure (no globals, no I/O) except fdt_dump_file(), and
 * may run on any thread; vm.c calls it on the main thread during setup.
 * See docs/devicetree.md for the tree this produces.
 */
#ifndef TESSERA_FDT_H
#define TESSERA_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_SIZE (64u * 1024) /* a tree never grows beyond this */
#define FDT_MAX_CPUS 64
#define FDT_MAX_MEM_REGIONS 8
#define FDT_MAX_DEVICES 32
#define FDT_MAX_IRQ_CELLS 4 /* #interrupt-cells an arch may ask for */

/*
 * The sense of a device's interrupt line. The arch turns it into the
 * cells of its interrupt specifier (struct fdt_arch.irq_spec); on x86 the
 * numbers happen to be those of the specifier's second cell. ISA devices
 * and virtio-mmio are edge rising.
 */
enum fdt_irq_type {
	FDT_IRQ_EDGE_FALLING = 0,
	FDT_IRQ_LEVEL_HIGH = 1,
	FDT_IRQ_LEVEL_LOW = 2,
	FDT_IRQ_EDGE_RISING = 3,
};

/* Where a device's node goes and how its reg is written. */
enum fdt_bus {
	FDT_BUS_MMIO,   /* child of /: reg = <addr-hi addr-lo size-hi size-lo> */
	FDT_BUS_ISA_IO, /* child of /isa: reg = <1 port size> (ISA binding) */
};

struct fdt_writer;
struct fdt_device;
struct fdt_machine;

/*
 * A device's emitter: writes exactly one node (usually with
 * fdt_w_begin_device(), its own properties, fdt_w_end_node()) and returns
 * 0 or the -errno of the writer call that failed.
 */
typedef int (*fdt_node_fn)(struct fdt_writer *w, const struct fdt_device *dev);

/* One entry of the machine's device list. Zeroed fields mean "none". */
struct fdt_device {
	fdt_node_fn node;     /* the device's emitter; required */
	enum fdt_bus bus;
	uint64_t base, size;  /* MMIO address or I/O port, and length (> 0) */
	bool has_irq;
	uint32_t irq;         /* its input on the interrupt controller (a GSI) */
	enum fdt_irq_type irq_type;
	bool console;         /* /chosen/stdout-path points here (first one wins) */
	bool disabled;        /* status = "disabled": described elsewhere (x86:
				 a virtio_mmio.device= entry on the command line) */
	const void *opaque;   /* the emitter's own data, may be NULL */
};

struct fdt_mem_region {
	uint64_t base, size;
};

struct fdt_cpu {
	uint64_t reg;     /* cpu@N's reg, as the arch numbers its CPUs */
	int host_cpu;     /* the host CPU the vCPU thread is pinned to, -1: none */
};

/*
 * The architecture's part of the tree: its CPU numbering, its interrupt
 * controllers and its interrupt specifiers (vmm/arch/<arch>/fdt.c fills
 * one in arch_fdt_describe()). fdt/ writes the generic skeleton around it
 * and knows no interrupt controller of its own.
 */
struct fdt_arch {
	unsigned int cpu_reg_cells; /* /cpus #address-cells: 1 or 2 */
	unsigned int irq_cells;     /* #interrupt-cells of irq_parent, 1..FDT_MAX_IRQ_CELLS */
	uint32_t irq_parent;        /* phandle devices name in interrupt-parent */
	/*
	 * Validates what only the arch knows (CPU numbers, interrupt inputs
	 * it has); 0 or -EINVAL with a reason in err. May be NULL.
	 */
	int (*check)(const struct fdt_machine *m, char *err, size_t errlen);
	/*
	 * Writes the arch's nodes below the root, among them the controller
	 * whose phandle is irq_parent (with interrupt-controller and
	 * #interrupt-cells = irq_cells). Runs after /memory, before the
	 * devices; may open and close only its own nodes. Required.
	 */
	int (*nodes)(struct fdt_writer *w, const struct fdt_machine *m);
	/*
	 * Fills cells[0..irq_cells-1] with dev's interrupt specifier; 0, or
	 * -EINVAL if the controller has no such input or sense. Required.
	 */
	int (*irq_spec)(const struct fdt_device *dev, uint32_t *cells);
	/*
	 * Writes the arch's own properties of CPU node i after its
	 * device_type and reg (arm64: compatible, enable-method = "psci").
	 * May be NULL.
	 */
	int (*cpu_props)(struct fdt_writer *w, const struct fdt_machine *m,
			 unsigned int i);
};

/*
 * What fdt_build() describes. The builder copies nothing: pointers must
 * stay valid for the call only.
 */
struct fdt_machine {
	const char *name;  /* partition name (/hypervisor partition-name), non-empty */
	const char *model; /* root "model"; NULL: "Tessera partition" */
	unsigned int nmem; /* 1..FDT_MAX_MEM_REGIONS, ascending, non-overlapping */
	struct fdt_mem_region mem[FDT_MAX_MEM_REGIONS];
	unsigned int ncpus; /* 1..FDT_MAX_CPUS, regs unique */
	struct fdt_cpu cpu[FDT_MAX_CPUS];
	const struct fdt_arch *arch; /* NULL: no interrupt controller, and
					no device may have an interrupt */
	const char *bootargs; /* /chosen/bootargs; NULL: no property */
	uint64_t initrd_start, initrd_end; /* [start, end); both 0: no initrd */
	unsigned int ndevs; /* 0..FDT_MAX_DEVICES */
	const struct fdt_device *devs;
};

/*
 * Builds the tree for m into buf (at most min(bufsize, FDT_MAX_SIZE) bytes
 * are used) and stores its size in *len. Returns 0; -EINVAL for a bad
 * description or a device emitter that misbehaved; -ENOSPC if the tree
 * does not fit. A one-line reason goes to err. On failure *len is 0 and
 * buf does not hold a valid tree (its header is zeroed): never a truncated
 * tree. Pure; any thread.
 */
int fdt_build(const struct fdt_machine *m, void *buf, size_t bufsize,
	      size_t *len, char *err, size_t errlen);

/*
 * Writes a tree built by fdt_build() to path (created or truncated, mode
 * 0644), for --dump-dtb. Returns 0, -EINVAL if blob is not a valid tree,
 * or the -errno of open/write/close. Logs nothing. Main thread.
 */
int fdt_dump_file(const void *blob, const char *path);

/*
 * Writes a tree built by fdt_build() to the open descriptor fd, whole
 * (short writes and EINTR are retried); leaves fd open. Returns 0, -EINVAL
 * if blob is not a valid tree, or write's -errno (-EIO if it wrote
 * nothing). Logs nothing; makes no call but write(). Main thread.
 */
int fdt_dump_fd(const void *blob, int fd);

/*
 * Emitter for a virtio-mmio transport on FDT_BUS_MMIO: node
 * virtio@<base> with compatible "virtio,mmio", reg, interrupts and
 * dma-coherent. The virtio-mmio device will point its entry here.
 */
int fdt_virtio_mmio_node(struct fdt_writer *w, const struct fdt_device *dev);

/*
 * The writer API for emitters. Each returns 0 or -errno: -EINVAL for a bad
 * node or property name (DT spec characters, at most 31 of them) or an
 * unbalanced end_node, -ENOSPC when the tree is full. After any error every
 * call returns that error and writes nothing.
 */

/* Opens a child node of the current node; name is a printf format. */
int fdt_w_begin_node(struct fdt_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Opens the node "<name>@<unit address>" for dev and writes its compatible,
 * its reg (in the format of dev->bus) and, if dev->has_irq, its
 * interrupt-parent and interrupts (the arch's specifier). The unit address
 * is hex, "i"-prefixed for ISA I/O ports.
 */
int fdt_w_begin_device(struct fdt_writer *w, const char *name,
		       const char *compatible, const struct fdt_device *dev);

/*
 * The interrupt specifier of dev's line (dev->irq, dev->irq_type) in the
 * arch's format, for an emitter that writes its own interrupt-map:
 * the controller's phandle in *parent, *ncells (the arch's
 * #interrupt-cells) cells in cells[FDT_MAX_IRQ_CELLS]. 0 or the writer's
 * error (-EINVAL: no interrupt controller, or no such input).
 */
int fdt_w_irq_spec(struct fdt_writer *w, const struct fdt_device *dev,
		   uint32_t *parent, uint32_t *cells, unsigned int *ncells);

/* Closes the node opened last. */
int fdt_w_end_node(struct fdt_writer *w);

int fdt_w_prop_empty(struct fdt_writer *w, const char *name);
int fdt_w_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
int fdt_w_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
/* n cells (n <= 320), written big-endian. */
int fdt_w_prop_cells(struct fdt_writer *w, const char *name,
		     const uint32_t *cells, unsigned int n);
int fdt_w_prop_string(struct fdt_writer *w, const char *name, const char *s);
/* len bytes as they are (a string list, cells already big-endian). */
int fdt_w_prop_bytes(struct fdt_writer *w, const char *name, const void *val,
		     size_t len);
/* reg = <base size> in the root's format (two address, two size cells). */
int fdt_w_prop_reg(struct fdt_writer *w, uint64_t base, uint64_t size);

#endif
