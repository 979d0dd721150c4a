/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot steps of vm_create(): what the guest finds in its RAM at entry
 * that is not a device. The kernel image and initrd are loaded, the kernel
 * command line is built (the user's, the devices' announcements, the
 * arch's defaults) and the device tree is written from the device list.
 * Each returns 0 or -errno with the reason logged; a problem with the
 * user's image or command line is reported through vm_user_error(). Main
 * thread, in the order declared here.
 */
#ifndef TESSERA_BOOT_SETUP_H
#define TESSERA_BOOT_SETUP_H

struct vm;

/* --kernel: ELF (plus the arch's hook), the arch's formats, or raw. */
int boot_load_kernel(struct vm *vm);

/* --initrd, if any, above the kernel and below the arch's limit. */
int boot_load_initrd(struct vm *vm);

/* vm->cmdline; after the devices, whose announcements it carries. */
int boot_build_cmdline(struct vm *vm);

/*
 * vm->dtb, from the memory map, the device list and the arch's part.
 * (vm_dump_dtb(), declared in vm.h, writes it out; it lives in boot_setup.c.)
 */
int boot_build_dtb(struct vm *vm);

#endif
