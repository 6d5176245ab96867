// SPDX-License-Identifier: MIT
/*
 * accel-demo: FILL a multi-page buffer with a per-page pattern, then COPY it
 * to a second buffer, as two jobs chained through a timeline syncobj (job 2
 * waits for point 1, which job 1 signals). Every byte is checked from the
 * CPU, including that nothing was written past the end. Exit 0 only if all
 * of that worked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accel.h>

#include "tool_cli.h"

/* 1 MiB plus a tail that ends neither on a page nor on a 64-byte boundary. */
#define DEMO_SIZE ((1u << 20) + 2 * 4096 + 1236)
#define DEMO_PAGE 4096u
#define DEMO_FENCE 0x600dcafe600dcafeull
#define DEMO_TIMEOUT_NS (60ll * 1000000000)

struct demo {
	struct accel_device *dev;
	struct accel_bo *src, *dst, *fence;
	struct accel_cmdbuf *fill, *copy;
	struct accel_syncobj *timeline;
	uint8_t *src_map, *dst_map;
	uint64_t *fence_map;
};

static uint32_t demo_pattern(uint32_t page)
{
	return 0x9e3779b9u * (page + 1) ^ 0xa5a5a5a5u;
}

static int demo_fail(struct demo *d, const char *what, int err)
{
	char text[256];

	if (d->dev) {
		accel_device_last_error(d->dev, text, sizeof(text));
		fprintf(stderr, "accel-demo: %s failed: %s (%s)\n", what,
			accel_strerror(err), text);
	} else {
		fprintf(stderr, "accel-demo: %s failed: %s\n", what,
			accel_strerror(err));
	}
	return 1;
}

static int demo_setup(struct demo *d, const struct tool_cli *cli)
{
	void *p;
	int err;

	if ((err = accel_device_open(cli->device, &d->dev))) {
		fprintf(stderr, "accel-demo: opening %s failed: %s\n", tool_cli_device_name(cli),
			accel_strerror(err));
		return 1;
	}
	if ((err = accel_bo_create(d->dev, DEMO_SIZE, &d->src)) ||
	    (err = accel_bo_create(d->dev, DEMO_SIZE, &d->dst)) ||
	    (err = accel_bo_create(d->dev, DEMO_PAGE, &d->fence)))
		return demo_fail(d, "BO create", err);
	if ((err = accel_bo_map(d->src, &p)))
		return demo_fail(d, "map src", err);
	d->src_map = p;
	if ((err = accel_bo_map(d->dst, &p)))
		return demo_fail(d, "map dst", err);
	d->dst_map = p;
	if ((err = accel_bo_map(d->fence, &p)))
		return demo_fail(d, "map fence", err);
	d->fence_map = p;
	if ((err = accel_cmdbuf_create(d->dev, &d->fill)) ||
	    (err = accel_cmdbuf_create(d->dev, &d->copy)))
		return demo_fail(d, "command buffer", err);
	if ((err = accel_syncobj_create(d->dev, 0, &d->timeline)))
		return demo_fail(d, "timeline syncobj", err);
	printf("device %s: src %u bytes at 0x%llx, dst at 0x%llx\n",
	       accel_device_path(d->dev), DEMO_SIZE,
	       (unsigned long long)accel_bo_addr(d->src),
	       (unsigned long long)accel_bo_addr(d->dst));
	return 0;
}

/* Job 1: one FILL per page of src (the tail too) -> timeline point 1. */
static int demo_submit_fill(struct demo *d)
{
	uint64_t base = accel_bo_addr(d->src);
	struct accel_sync out = { d->timeline, 1 };
	uint32_t off;
	int err;

	for (off = 0; off < DEMO_SIZE; off += DEMO_PAGE) {
		uint32_t n = DEMO_SIZE - off < DEMO_PAGE ? DEMO_SIZE - off : DEMO_PAGE;

		err = accel_cmdbuf_fill(d->fill, base + off, n,
					demo_pattern(off / DEMO_PAGE));
		if (err)
			return demo_fail(d, "FILL command", err);
	}
	err = accel_cmdbuf_submit(d->fill, &(struct accel_submit){
		.bos = &d->src, .bo_count = 1, .out = &out, .out_count = 1 });
	if (err)
		return demo_fail(d, "submit job 1", err);
	printf("job 1: %u FILL commands (%u bytes of stream) -> timeline point 1\n",
	       accel_cmdbuf_count(d->fill), accel_cmdbuf_size(d->fill));
	return 0;
}

/* Job 2: waits for point 1; COPY src -> dst, then a fence write -> point 2. */
static int demo_submit_copy(struct demo *d)
{
	struct accel_bo *bos[] = { d->src, d->dst, d->fence };
	struct accel_sync in = { d->timeline, 1 }, out = { d->timeline, 2 };
	int err;

	if ((err = accel_cmdbuf_copy(d->copy, accel_bo_addr(d->dst),
				     accel_bo_addr(d->src), DEMO_SIZE)) ||
	    (err = accel_cmdbuf_write_value(d->copy, accel_bo_addr(d->fence),
					    DEMO_FENCE)))
		return demo_fail(d, "COPY commands", err);
	err = accel_cmdbuf_submit(d->copy, &(struct accel_submit){
		.bos = bos, .bo_count = 3, .in = &in, .in_count = 1,
		.out = &out, .out_count = 1 });
	if (err)
		return demo_fail(d, "submit job 2", err);
	printf("job 2: COPY %u bytes + WRITE_VALUE, waits for point 1 -> point 2\n",
	       DEMO_SIZE);
	return 0;
}

static int demo_wait(struct demo *d)
{
	struct accel_job_result r;
	uint64_t point = 0;
	int err;

	if ((err = accel_syncobj_wait(d->timeline, 2, DEMO_TIMEOUT_NS)))
		return demo_fail(d, "wait for timeline point 2", err);
	if ((err = accel_syncobj_query(d->timeline, &point)))
		return demo_fail(d, "timeline query", err);
	printf("timeline reached point %llu\n", (unsigned long long)point);
	if ((err = accel_cmdbuf_wait(d->fill, DEMO_TIMEOUT_NS, &r)))
		return demo_fail(d, "job 1", err);
	if ((err = accel_cmdbuf_wait(d->copy, DEMO_TIMEOUT_NS, &r)))
		return demo_fail(d, "job 2", err);
	printf("both jobs ended %s (job 2 ran %u commands)\n",
	       accel_status_name(r.status), r.cmd_index);
	return 0;
}

/* Checks @map[0..DEMO_SIZE) holds the pattern and the page tail is zero. */
static int demo_check(const char *name, const uint8_t *map, uint64_t bo_size)
{
	uint64_t off;

	for (off = 0; off < DEMO_SIZE; off++) {
		uint32_t v = demo_pattern(off / DEMO_PAGE);
		uint8_t want = v >> (8 * (off % 4));

		if (map[off] != want) {
			fprintf(stderr, "accel-demo: %s byte %llu is 0x%02x, want 0x%02x\n",
				name, (unsigned long long)off, map[off], want);
			return 1;
		}
	}
	for (; off < bo_size; off++) {
		if (map[off]) {
			fprintf(stderr, "accel-demo: %s byte %llu past the end is 0x%02x, want 0\n",
				name, (unsigned long long)off, map[off]);
			return 1;
		}
	}
	printf("%s: %u bytes match, %llu bytes past the end untouched\n", name,
	       DEMO_SIZE, (unsigned long long)(bo_size - DEMO_SIZE));
	return 0;
}

static void demo_teardown(struct demo *d)
{
	accel_syncobj_destroy(d->timeline);
	accel_cmdbuf_destroy(d->copy);
	accel_cmdbuf_destroy(d->fill);
	accel_bo_free(d->fence);
	accel_bo_free(d->dst);
	accel_bo_free(d->src);
	accel_device_close(d->dev);
}

static void demo_usage(FILE *f)
{
	fprintf(f,
		"Usage: accel-demo [--device PATH]\n"
		"Runs a FILL and a COPY job on the Quasar device and checks every byte.\n\n"
		"Job 1 FILLs a %u-byte buffer with a pattern per page, job 2 COPYs it to\n"
		"a second buffer; they are chained through a timeline syncobj (job 2 waits\n"
		"for the point job 1 signals). Every byte is checked from the CPU, including\n"
		"that nothing was written past the end; exit 0 only if all of that worked.\n",
		DEMO_SIZE);
}

int main(int argc, char **argv)
{
	struct tool_cli cli = { .name = "accel-demo", .usage = demo_usage,
				.flags = TOOL_CLI_DEVICE };
	struct demo d = { 0 };
	int rc;

	if (tool_cli_getopt(&cli, argc, argv, "", NULL) != -1)
		return TOOL_EXIT_USAGE;
	if (optind < argc)
		tool_cli_usage_error("unexpected argument '%s'", argv[optind]);
	/* Progress and errors interleave in order when piped to a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = demo_setup(&d, &cli) || demo_submit_fill(&d) || demo_submit_copy(&d) ||
	     demo_wait(&d) ||
	     demo_check("src", d.src_map, accel_bo_size(d.src)) ||
	     demo_check("dst", d.dst_map, accel_bo_size(d.dst));
	if (!rc && *d.fence_map != DEMO_FENCE) {
		fprintf(stderr, "accel-demo: fence is 0x%llx, want 0x%llx\n",
			(unsigned long long)*d.fence_map, DEMO_FENCE);
		rc = 1;
	}
	if (!rc)
		printf("fence: 0x%llx\nverified\n", DEMO_FENCE);
	demo_teardown(&d);
	return rc;
}
