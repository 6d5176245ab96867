// SPDX-License-Identifier: MIT
/* accel-info: what the Quasar device and its firmware report. */
#include <stdio.h>
#include <string.h>

#include <accel.h>

typedef const char *(*accel_info_namer)(uint32_t bit);

/* "0x0000000f NOP FILL COPY WRITE_VALUE", unknown bits as "bit N". */
static void accel_info_bits(const char *label, uint32_t mask,
			    accel_info_namer name)
{
	uint32_t bit;

	printf("%-12s 0x%08x", label, mask);
	for (bit = 0; bit < 32; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		if (name(bit))
			printf(" %s", name(bit));
		else
			printf(" bit%u", bit);
	}
	printf("\n");
}

static void accel_info_print(struct accel_device *dev)
{
	const struct drm_quasar_device_info *i = accel_device_info(dev);
	const struct accel_driver_version *drv = accel_device_driver(dev);
	unsigned long long va_size = i->va_end - i->va_start;

	printf("%-12s %s\n", "device:", accel_device_path(dev));
	printf("%-12s %s %d.%d.%d (%s)\n", "driver:", drv->name, drv->major,
	       drv->minor, drv->patch, drv->desc);
	printf("%-12s %04x:%04x\n", "pci id:", i->pci_vendor, i->pci_device);
	printf("%-12s %u.%u\n", "hw version:", i->hw_version >> 16,
	       i->hw_version & 0xffff);
	printf("%-12s %u.%u.%u build id 0x%08x\n", "firmware:",
	       i->fw_version >> 16, (i->fw_version >> 8) & 0xff,
	       i->fw_version & 0xff, i->fw_build_id);
	printf("%-12s %u.%u\n", "fw abi:", i->fw_abi >> 16, i->fw_abi & 0xffff);
	accel_info_bits("caps:", i->caps, accel_cap_name);
	accel_info_bits("ops:", i->ops, accel_op_name);
	accel_info_bits("formats:", i->formats, accel_format_name);
	printf("%-12s %u\n", "queues:", i->num_queues);
	/* Both are 0 from a driver older than queues with priorities. */
	printf("%-12s %u\n", "engines:", i->num_engines);
	accel_info_bits("priorities:", i->queue_priorities, accel_priority_name);
	printf("%-12s %u\n", "contexts:", i->num_contexts);
	printf("%-12s 0x%llx..0x%llx (%llu GiB)\n", "va window:",
	       (unsigned long long)i->va_start, (unsigned long long)i->va_end,
	       va_size >> 30);
	printf("%-12s %u bytes\n", "page size:", i->page_size);
	printf("%-12s %u bytes\n", "max cmd:", i->max_cmd_size);
}

int main(int argc, char **argv)
{
	struct accel_device *dev;
	int err;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [/dev/accel/accelN]\n", argv[0]);
		return 2;
	}
	err = accel_device_open(argc == 2 ? argv[1] : NULL, &dev);
	if (err) {
		fprintf(stderr, "accel-info: %s: %s\n",
			argc == 2 ? argv[1] : "no device", accel_strerror(err));
		return 1;
	}
	accel_info_print(dev);
	accel_device_close(dev);
	return 0;
}
