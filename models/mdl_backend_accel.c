// SPDX-License-Identifier: MIT
/*
 * Quasar models: the device backend (mdl_backend.h), through libaccel.
 * Each region is a BO (mapped for the CPU, so writes and reads are
 * copies); the stream goes into a command BO of its own and runs as one
 * job on hardware queue 0 listing every region's BO; the job's status
 * comes from BO_WAIT and its statistics from JOB_STATS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <accel.h>

#include "mdl_backend.h"
#include "mdl_util.h"

/* A job of a model's forward pass runs in seconds even under TCG. */
#define MDL_ACCEL_TIMEOUT_NS	(120ll * 1000000000ll)
/*
 * The weights' and the activations' BOs in whole 2 MiB: the driver's BOs
 * get 2 MiB folios only where their size covers them (driver/quasar_gemfs.c),
 * and the device reads a weight tile, or the strided rows of a KV cache
 * head, where they lie only from guest-contiguous pages (firmware/fw_wplace.c,
 * fw_sram.c), copying them by DMA otherwise. In 4 KiB pages the LM's
 * weights were mostly copied on every token (94-111 KiB of about 490 read
 * in place) and its KV cache rows staged 8 rows per DMA.
 */
#define MDL_ACCEL_FOLIO		(2ull << 20)

struct mdl_accel_backend {
	struct mdl_backend b;
	struct accel_device *dev;
	struct accel_bo *bo[MDL_REGIONS];
	uint8_t *map[MDL_REGIONS];
	uint64_t size[MDL_REGIONS];
	struct accel_bo *cmd;
	uint8_t *cmd_map;
	struct mdl_job_time t;	/* the last job's, the caller's side */
};

static uint64_t mdl_accel_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct mdl_accel_backend *mdl_accel(struct mdl_backend *b)
{
	return (struct mdl_accel_backend *)b;
}

/* "what: errno text (last error of the device)" into the backend's error. */
static int mdl_accel_fail(struct mdl_accel_backend *a, int ret, const char *what)
{
	char last[384];

	accel_device_last_error(a->dev, last, sizeof(last));
	return mdl_err(a->b.err, sizeof(a->b.err), ret, "%s: %s (%s)", what, accel_strerror(ret),
		       last);
}

/* A mapped BO of at least @size bytes. */
static int mdl_accel_bo(struct mdl_accel_backend *a, uint64_t size, struct accel_bo **bo,
			uint8_t **map)
{
	void *p;
	int ret = accel_bo_create(a->dev, size ? size : 64, bo);

	if (ret)
		return mdl_accel_fail(a, ret, "BO_CREATE");
	ret = accel_bo_map(*bo, &p);
	if (ret) {
		accel_bo_free(*bo);
		*bo = NULL;
		return mdl_accel_fail(a, ret, "BO mmap");
	}
	*map = p;
	return 0;
}

static int mdl_accel_map(struct mdl_backend *b, const uint64_t size[MDL_REGIONS],
			 uint64_t base[MDL_REGIONS])
{
	struct mdl_accel_backend *a = mdl_accel(b);
	uint32_t i;
	int ret;

	if (a->bo[0])
		return mdl_err(b->err, sizeof(b->err), -EBUSY, "regions already mapped");
	for (i = 0; i < MDL_REGIONS; i++) {
		uint64_t bytes = size[i];

		if ((i == MDL_REGION_WEIGHTS || i == MDL_REGION_ACT) && bytes)
			bytes = (bytes + MDL_ACCEL_FOLIO - 1) & ~(MDL_ACCEL_FOLIO - 1);
		ret = mdl_accel_bo(a, bytes, &a->bo[i], &a->map[i]);
		if (ret)
			return ret;
		a->size[i] = size[i];
		base[i] = accel_bo_addr(a->bo[i]);
	}
	return 0;
}

static int mdl_accel_range(struct mdl_accel_backend *a, uint32_t region, uint64_t off,
			   uint64_t len)
{
	if (region >= MDL_REGIONS || !a->bo[region] || off > a->size[region] ||
	    len > a->size[region] - off)
		return mdl_err(a->b.err, sizeof(a->b.err), -EINVAL,
			       "%llu bytes at %llu of region %u are outside it",
			       (unsigned long long)len, (unsigned long long)off, region);
	return 0;
}

static int mdl_accel_write(struct mdl_backend *b, uint32_t region, uint64_t off,
			   const void *src, uint64_t len)
{
	struct mdl_accel_backend *a = mdl_accel(b);
	int ret = mdl_accel_range(a, region, off, len);

	if (!ret)
		memcpy(a->map[region] + off, src, len);
	return ret;
}

static int mdl_accel_read(struct mdl_backend *b, uint32_t region, uint64_t off, void *dst,
			  uint64_t len)
{
	struct mdl_accel_backend *a = mdl_accel(b);
	int ret = mdl_accel_range(a, region, off, len);

	if (!ret)
		memcpy(dst, a->map[region] + off, len);
	return ret;
}

/*
 * The stream into the command BO, 8 bytes at a time. glibc's memcpy moves
 * a buffer of this size with rep movsb (the CPU has ERMS), which QEMU's TCG,
 * the way this guest runs here, executes about six times slower than plain
 * 8-byte moves: 45-55 against 8-10 us for a decode step's 17.6 KB, a tenth
 * of the token (docs/cost-model.md section 7, change 13). On hardware the
 * two are alike. The attribute keeps GCC from making the loop a memcpy.
 */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void mdl_accel_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
	}
	for (; i < len; i++)
		dst[i] = src[i];
}

static int mdl_accel_run(struct mdl_backend *b, const void *stream, uint32_t len,
			 struct accel_job_stats *st)
{
	struct mdl_accel_backend *a = mdl_accel(b);
	struct accel_job_result res;
	uint64_t t1;
	int ret;

	if (!a->bo[0])
		return mdl_err(b->err, sizeof(b->err), -EINVAL,
			       "run before the regions are mapped");
	if (a->cmd && accel_bo_size(a->cmd) < len) {
		accel_bo_free(a->cmd);
		a->cmd = NULL;
	}
	if (!a->cmd) {
		ret = mdl_accel_bo(a, len, &a->cmd, &a->cmd_map);
		if (ret)
			return ret;
	}
	a->t = (struct mdl_job_time){ .submit_at_ns = mdl_accel_now() };
	mdl_accel_copy(a->cmd_map, stream, len);
	ret = accel_job_submit(a->cmd, 0, len, &(struct accel_submit){
		.bos = a->bo, .bo_count = MDL_REGIONS });
	if (ret)
		return mdl_accel_fail(a, ret, "SUBMIT");
	t1 = mdl_accel_now();
	a->t.submit_ns = t1 - a->t.submit_at_ns;
	/* -EIO: the job ran and failed; its status is in res and JOB_STATS */
	ret = accel_bo_wait(a->cmd, MDL_ACCEL_TIMEOUT_NS, &res);
	if (ret && ret != -EIO)
		return mdl_accel_fail(a, ret, "BO_WAIT");
	a->t.waited_at_ns = mdl_accel_now();
	a->t.wait_ns = a->t.waited_at_ns - t1;
	ret = accel_job_stats(a->cmd, st);
	if (ret)
		return mdl_accel_fail(a, ret, "JOB_STATS");
	a->t.stats_ns = mdl_accel_now() - a->t.waited_at_ns;
	a->t.seqno = st->seqno;
	return 0;
}

/* The caller's side of the last job; the device's phases are in its QEMU trace. */
static void mdl_accel_job_time(struct mdl_backend *b, struct mdl_job_time *t)
{
	*t = mdl_accel(b)->t;
}

static void mdl_accel_destroy(struct mdl_backend *b)
{
	struct mdl_accel_backend *a = mdl_accel(b);

	for (uint32_t i = 0; i < MDL_REGIONS; i++)
		accel_bo_free(a->bo[i]);
	accel_bo_free(a->cmd);
	accel_device_close(a->dev);
	free(a);
}

static const struct mdl_backend_ops mdl_accel_ops = {
	.map = mdl_accel_map,
	.write = mdl_accel_write,
	.read = mdl_accel_read,
	.run = mdl_accel_run,
	.job_time = mdl_accel_job_time,
	.destroy = mdl_accel_destroy,
};

int mdl_backend_accel_create(const char *path, struct mdl_backend **out)
{
	struct mdl_accel_backend *a = calloc(1, sizeof(*a));
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	ret = accel_device_open(path, &a->dev);
	if (ret) {
		free(a);
		return ret;
	}
	a->b.ops = &mdl_accel_ops;
	snprintf(a->b.name, sizeof(a->b.name), "%s", accel_device_path(a->dev));
	*out = &a->b;
	return 0;
}
