// SPDX-License-Identifier: GPL-2.0
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int kvm_stats_print(const uint8_t *blob, size_t len, const char *prefix,
		    FILE *out)
{
	struct kvm_stats_header h;
	size_t desc_size;
	int printed = 0;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, blob, sizeof(h));
	if (h.name_size == 0 || h.name_size > 4096)
		return -EINVAL;
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	if (h.desc_offset > len ||
	    (uint64_t)h.num_desc * desc_size > len - h.desc_offset ||
	    h.data_offset > len)
		return -EINVAL;
	for (uint32_t i = 0; i < h.num_desc; i++) {
		const uint8_t *d = blob + h.desc_offset + i * desc_size;
		struct kvm_stats_desc desc;
		char name[256];
		uint64_t value = 0, v;
		size_t namelen;

		memcpy(&desc, d, sizeof(desc));
		namelen = strnlen((const char *)d + sizeof(desc), h.name_size);
		if (namelen == h.name_size || namelen >= sizeof(name))
			return -EINVAL; /* unterminated or absurd name */
		memcpy(name, d + sizeof(desc), namelen + 1);
		if (desc.offset > len - h.data_offset ||
		    (uint64_t)desc.size * 8 > len - h.data_offset - desc.offset)
			return -EINVAL;
		/* A histogram's buckets add up to its number of samples. */
		for (uint16_t j = 0; j < desc.size; j++) {
			memcpy(&v, blob + h.data_offset + desc.offset + j * 8ULL,
			       sizeof(v));
			value += v;
		}
		if (!value)
			continue;
		fprintf(out, "%s %s %" PRIu64 "\n", prefix, name, value);
		printed++;
	}
	return printed;
}

int kvm_stats_dump(int kvm_obj_fd, const char *prefix, FILE *out)
{
	struct kvm_stats_header h;
	uint8_t *blob;
	ssize_t n;
	off_t size;
	int fd, r;

	fd = ioctl(kvm_obj_fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return -errno;
	r = -EIO;
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		goto out_close;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size > STATS_MAX_FILE) {
		/* Older kernels do not report a size: bound the read instead. */
		size = STATS_MAX_FILE;
	}
	blob = malloc((size_t)size);
	r = -ENOMEM;
	if (!blob)
		goto out_close;
	n = pread(fd, blob, (size_t)size, 0);
	r = n < 0 ? -errno : kvm_stats_print(blob, (size_t)n, prefix, out);
	free(blob);
out_close:
	close(fd);
	return r;
}
