// SPDX-License-Identifier: GPL-2.0
#include "boot_setup.h"
#include "cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "fdt.h"
#include "loader.h"
#include "log.h"
#include "vm.h"

/* Reads a kernel or initrd of at most guest RAM; on failure says why. */
static int read_image(struct vm *vm, const char *flag, const char *path,
		      uint8_t **img, size_t *len)
{
	char err[256];
	int r = loader_read_file(path, vm->cfg->mem_size, img, len, err,
				 sizeof(err));

	if (vm_host_failure(r)) {
		log_err("%s %s: %s", flag, path, err);
		return r; /* the host's failure, not the user's */
	}
	if (r)
		return vm_user_error(vm, "%s %s: %s", flag, path, err);
	return 0;
}

int boot_load_kernel(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	gpa_t reserved = arch_boot_reserved_end();
	struct load_info info;
	uint8_t *img = NULL;
	char err[256] = "";
	size_t len;
	int r;

	r = read_image(vm, "--kernel", cfg->kernel, &img, &len);
	if (r)
		return r;
	if (loader_is_elf(img, len)) {
		r = loader_load_elf(&vm->mem, img, len, reserved, &info, err,
				    sizeof(err));
		if (r == 0) {
			vm->entry = info.entry;
			r = arch_elf_kernel(vm, img, len, err, sizeof(err));
			info.entry = vm->entry;
		}
	} else
		r = arch_load_kernel(vm, img, len, &info, err, sizeof(err));
	if (r == -ENOENT && cfg->load_addr_set) {
		r = loader_load_raw(&vm->mem, img, len, cfg->load_addr,
				    reserved, &info, err, sizeof(err));
	} else if (r == -ENOENT) {
		/* the arch's loader may have said why (arm64: gzip) */
		char why[sizeof(err)];

		memcpy(why, err, sizeof(why));
		snprintf(err, sizeof(err), "not %.40s (use --load-addr for a raw binary)%s%.150s",
			 arch_kernel_formats, why[0] ? ": " : "", why);
	}
	free(img);
	if (r) /* an image problem: the user's to fix */
		return vm_user_error(vm, "--kernel %s: %s", cfg->kernel, err);
	vm->entry = info.entry;
	vm->kernel_end = info.high;
	return 0;
}

int boot_load_initrd(struct vm *vm)
{
	uint8_t *img = NULL;
	size_t len;
	int r;

	if (!vm->cfg->initrd)
		return 0;
	r = read_image(vm, "--initrd", vm->cfg->initrd, &img, &len);
	if (r)
		return r;
	if (loader_place_initrd(len, vm->kernel_end, arch_initrd_limit(vm),
				&vm->initrd_gpa) < 0) {
		free(img);
		return vm_user_error(vm, "--initrd %s: %zu bytes do not fit between the kernel and 0x%llx",
				     vm->cfg->initrd, len,
				     (unsigned long long)arch_initrd_limit(vm));
	}
	guest_mem_write(&vm->mem, vm->initrd_gpa, img, len);
	vm->initrd_size = len;
	free(img);
	return 0;
}

/*
 * The devices' announcements (x86: a virtio_mmio.device=<size>@<base>:<irq>
 * entry per virtio-mmio device) followed by the user's command line.
 * Returns a malloc'ed string, or NULL when out of memory.
 */
static char *device_cmdline(const struct vm *vm, int *n)
{
	const char *user = vm->cfg->cmdline ? vm->cfg->cmdline : "";
	size_t cap = strlen(user) + 1 + 64 * (size_t)DEVICES_MAX;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	*n = devices_cmdline(&vm->devices, s, cap);
	if (*n < 0) { /* cannot happen: 64 bytes per device is plenty */
		free(s);
		return NULL;
	}
	strcat(s, user);
	return s;
}

int boot_build_cmdline(struct vm *vm)
{
	size_t max = arch_cmdline_max(vm);
	int ndev = 0;
	char *user = device_cmdline(vm, &ndev);
	int r;

	vm->cmdline = malloc(max + 1);
	if (!vm->cmdline || !user) {
		free(user);
		log_err("kernel command line: out of memory");
		return -ENOMEM;
	}
	r = config_merge_cmdline(arch_cmdline_defaults(), user, vm->cmdline,
				 max);
	free(user);
	if (r < 0)
		return vm_user_error(vm, "--cmdline: longer than the %zu bytes this kernel accepts%s",
				     max, ndev ? " (with the virtio_mmio.device= entries)" : "");
	log_info("kernel command line: %s", vm->cmdline);
	return 0;
}

int boot_build_dtb(struct vm *vm)
{
	struct fdt_device devs[DEVICES_MAX];
	struct fdt_machine m;
	char err[256];
	int r;

	_Static_assert(CONFIG_MAX_CPUS <= FDT_MAX_CPUS, "a cpu node per vCPU");
	_Static_assert(GUEST_MEM_MAX_REGIONS <= FDT_MAX_MEM_REGIONS,
		       "a reg entry per RAM region");
	_Static_assert(DEVICES_MAX <= FDT_MAX_DEVICES, "a node per device");
	memset(&m, 0, sizeof(m));
	m.name = vm->cfg->name;
	m.nmem = vm->mem.nregions;
	for (unsigned int i = 0; i < vm->mem.nregions; i++)
		m.mem[i] = (struct fdt_mem_region){ vm->mem.region[i].gpa,
						    vm->mem.region[i].size };
	m.bootargs = vm->cmdline;
	if (vm->initrd_size) {
		m.initrd_start = vm->initrd_gpa;
		m.initrd_end = vm->initrd_gpa + vm->initrd_size;
	}
	m.ndevs = devices_fdt(&vm->devices, devs, DEVICES_MAX);
	m.devs = devs;
	arch_fdt_describe(vm, &m);

	vm->dtb_buf = malloc(FDT_MAX_SIZE);
	if (!vm->dtb_buf) {
		log_err("device tree: out of memory");
		return -ENOMEM;
	}
	r = fdt_build(&m, vm->dtb_buf, FDT_MAX_SIZE, &vm->dtb_len, err,
		      sizeof(err));
	if (r) {
		log_err("device tree: %s", err);
		return r;
	}
	vm->dtb = vm->dtb_buf;
	return 0;
}

int vm_dump_dtb(const struct vm *vm, int fd, const char *name)
{
	int r = fdt_dump_fd(vm->dtb, fd);

	if (r)
		log_err("--dump-dtb %s: %s", name, strerror(-r));
	return r;
}
