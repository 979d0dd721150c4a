/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM binary statistics (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst
 * 4.133): every counter KVM keeps for a VM or a vCPU - exits by kind,
 * emulated instructions, page faults, halt polling - printed at exit with
 * --stats. They explain a slow guest.
 */
#ifndef TESSERA_STATS_H
#define TESSERA_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define STATS_MAX_FILE (1 << 20) /* bound on what we read from a stats fd */

/*
 * Prints "<prefix> <name> <value>" for every non-zero statistic in a stats
 * file image (header, descriptors, data). Histograms print their total
 * count. Every offset and size is checked against len. Returns the number
 * of statistics printed, or -EINVAL for a malformed image. Pure but for
 * writing to out; unit-tested.
 */
int kvm_stats_print(const uint8_t *blob, size_t len, const char *prefix,
		    FILE *out);

/*
 * Reads the stats file of a VM or vCPU fd (KVM_GET_STATS_FD) and prints it
 * as kvm_stats_print does. Returns the count or -errno. Main thread.
 */
int kvm_stats_dump(int kvm_obj_fd, const char *prefix, FILE *out);

#endif
