// SPDX-License-Identifier: MIT
/* accel-info: what the Quasar device and its firmware report. */
#include <stdio.h>
#include <string.h>

#include <accel.h>

#include "tool_cli.h"
#include "tool_json.h"

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

/* The same bits as JSON: "caps": {"mask": 15, "names": ["NOP", ...]}. */
static void accel_info_json_bits(struct tool_json *j, const char *key, uint32_t mask,
				 accel_info_namer name)
{
	char buf[16];
	uint32_t bit;

	tool_json_object(j, key);
	tool_json_u64(j, "mask", mask);
	tool_json_array(j, "names");
	for (bit = 0; bit < 32; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		snprintf(buf, sizeof(buf), "bit%u", bit);
		tool_json_str(j, NULL, name(bit) ? name(bit) : buf);
	}
	tool_json_close(j);
	tool_json_close(j);
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

/* The same figures as one JSON object; versions as "major.minor[.patch]" strings. */
static void accel_info_print_json(struct accel_device *dev)
{
	const struct drm_quasar_device_info *i = accel_device_info(dev);
	const struct accel_driver_version *drv = accel_device_driver(dev);
	struct tool_json j;
	char buf[64];

	tool_json_begin(&j, stdout);
	tool_json_str(&j, "device", accel_device_path(dev));
	tool_json_object(&j, "driver");
	tool_json_str(&j, "name", drv->name);
	snprintf(buf, sizeof(buf), "%d.%d.%d", drv->major, drv->minor, drv->patch);
	tool_json_str(&j, "version", buf);
	tool_json_str(&j, "desc", drv->desc);
	tool_json_close(&j);
	snprintf(buf, sizeof(buf), "%04x:%04x", i->pci_vendor, i->pci_device);
	tool_json_str(&j, "pci_id", buf);
	snprintf(buf, sizeof(buf), "%u.%u", i->hw_version >> 16, i->hw_version & 0xffff);
	tool_json_str(&j, "hw_version", buf);
	snprintf(buf, sizeof(buf), "%u.%u.%u", i->fw_version >> 16, (i->fw_version >> 8) & 0xff,
		 i->fw_version & 0xff);
	tool_json_str(&j, "fw_version", buf);
	tool_json_u64(&j, "fw_build_id", i->fw_build_id);
	snprintf(buf, sizeof(buf), "%u.%u", i->fw_abi >> 16, i->fw_abi & 0xffff);
	tool_json_str(&j, "fw_abi", buf);
	accel_info_json_bits(&j, "caps", i->caps, accel_cap_name);
	accel_info_json_bits(&j, "ops", i->ops, accel_op_name);
	accel_info_json_bits(&j, "formats", i->formats, accel_format_name);
	tool_json_u64(&j, "queues", i->num_queues);
	tool_json_u64(&j, "engines", i->num_engines);
	accel_info_json_bits(&j, "priorities", i->queue_priorities, accel_priority_name);
	tool_json_u64(&j, "contexts", i->num_contexts);
	tool_json_u64(&j, "va_start", i->va_start);
	tool_json_u64(&j, "va_end", i->va_end);
	tool_json_u64(&j, "page_size", i->page_size);
	tool_json_u64(&j, "max_cmd", i->max_cmd_size);
	tool_json_end(&j);
}

static void accel_info_usage(FILE *f)
{
	fprintf(f,
		"Usage: accel-info [--device PATH] [--json]\n"
		"Prints what the Quasar device and its firmware report.\n\n"
		"The driver, PCI id, hardware and firmware versions, capabilities, ops and\n"
		"formats, hardware queues, engines, priorities, contexts and the address\n"
		"window; with --json, one object with the same figures.\n");
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "accel-info", .usage = accel_info_usage,
				.flags = TOOL_CLI_DEVICE | TOOL_CLI_JSON };
	struct accel_device *dev;
	int err;

	if (tool_cli_getopt(&cli, argc, argv, "", NULL) != -1)
		return TOOL_EXIT_USAGE;	/* no options of its own */
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s' (the device is --device PATH)",
				     argv[optind]);
	err = accel_device_open(cli.device, &dev);
	if (err) {
		tool_cli_error("%s: %s", tool_cli_device_name(&cli), accel_strerror(err));
		return TOOL_EXIT_FAIL;
	}
	if (cli.json)
		accel_info_print_json(dev);
	else
		accel_info_print(dev);
	accel_device_close(dev);
	return TOOL_EXIT_OK;
}
