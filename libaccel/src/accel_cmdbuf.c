// SPDX-License-Identifier: MIT
/*
 * Command-stream builder. Commands are written straight into a mapped BO;
 * when it is full the stream moves to a BO twice as large. A submitted
 * stream is frozen (appends fail with -EBUSY) until accel_cmdbuf_reset(),
 * so that a wait always reports the job that ran this stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

#define ACCEL_CMDBUF_INITIAL 4096u

struct accel_cmdbuf {
	struct accel_device *dev;
	struct accel_bo *bo;
	uint8_t *map;
	uint32_t used;
	uint32_t count;
	bool submitted;
};

static int accel_cmdbuf_bo_new(struct accel_cmdbuf *cb, uint64_t size,
			       struct accel_bo **bo, uint8_t **map)
{
	void *ptr;
	int err = accel_bo_create(cb->dev, size, bo);

	if (err)
		return err;
	err = accel_bo_map(*bo, &ptr);
	if (err) {
		accel_bo_free(*bo);
		return err;
	}
	*map = ptr;
	return 0;
}

int accel_cmdbuf_create(struct accel_device *dev, struct accel_cmdbuf **out)
{
	struct accel_cmdbuf *cb;
	int err;

	*out = NULL;
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return accel_fail(dev, -ENOMEM, "command buffer");
	cb->dev = dev;
	err = accel_cmdbuf_bo_new(cb, ACCEL_CMDBUF_INITIAL, &cb->bo, &cb->map);
	if (err) {
		free(cb);
		return err;
	}
	*out = cb;
	return 0;
}

void accel_cmdbuf_destroy(struct accel_cmdbuf *cb)
{
	if (!cb)
		return;
	accel_bo_free(cb->bo);
	free(cb);
}

int accel_cmdbuf_reset(struct accel_cmdbuf *cb)
{
	int err = 0;

	if (cb->submitted) {
		err = accel_bo_wait(cb->bo, ACCEL_TIMEOUT_INFINITE, NULL);
		/* A failed job has still ended: the BO is free to rewrite. */
		if (err && err != -EIO)
			return err;
	}
	cb->used = 0;
	cb->count = 0;
	cb->submitted = false;
	return 0;
}

/* Returns room for @len more bytes, moving the stream to a larger BO. */
static void *accel_cmdbuf_reserve(struct accel_cmdbuf *cb, size_t len,
				  int *err)
{
	uint32_t limit = cb->dev->info.max_cmd_size;
	uint64_t need = (uint64_t)cb->used + len;
	uint64_t cap = accel_bo_size(cb->bo);
	struct accel_bo *bo;
	uint8_t *map;

	*err = 0;
	if (cb->submitted) {
		*err = accel_fail(cb->dev, -EBUSY,
				  "append to a submitted command buffer");
		return NULL;
	}
	if (len % 8 || len == 0 || len > UINT16_MAX) {
		*err = accel_fail(cb->dev, -EINVAL, "command of %zu bytes", len);
		return NULL;
	}
	if (limit && need > limit) {
		*err = accel_fail(cb->dev, -E2BIG,
				  "command stream of %llu bytes (limit %u)",
				  (unsigned long long)need, limit);
		return NULL;
	}
	if (need > cap) {
		while (cap < need)
			cap *= 2;
		*err = accel_cmdbuf_bo_new(cb, cap, &bo, &map);
		if (*err)
			return NULL;
		memcpy(map, cb->map, cb->used);
		accel_bo_free(cb->bo);
		cb->bo = bo;
		cb->map = map;
	}
	return cb->map + cb->used;
}

int accel_cmdbuf_emit(struct accel_cmdbuf *cb, const void *cmd, size_t len)
{
	int err;
	void *dst = accel_cmdbuf_reserve(cb, len, &err);

	if (!dst)
		return err;
	memcpy(dst, cmd, len);
	cb->used += len;
	cb->count++;
	return 0;
}

int accel_cmdbuf_nop(struct accel_cmdbuf *cb)
{
	struct drm_quasar_cmd_header cmd = {
		.opcode = DRM_QUASAR_OP_NOP,
		.length = sizeof(cmd),
	};

	return accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst, uint32_t size,
		      uint32_t value)
{
	struct drm_quasar_cmd_fill cmd = {
		.hdr = { .opcode = DRM_QUASAR_OP_FILL, .length = sizeof(cmd) },
		.dst = dst,
		.size = size,
		.value = value,
	};

	return accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t dst, uint64_t src,
		      uint64_t size)
{
	struct drm_quasar_cmd_copy cmd = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = sizeof(cmd) },
		.dst = dst,
		.src = src,
		.size = size,
	};

	return accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

int accel_cmdbuf_write_value(struct accel_cmdbuf *cb, uint64_t addr,
			     uint64_t value)
{
	struct drm_quasar_cmd_write_value cmd = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = sizeof(cmd) },
		.addr = addr,
		.value = value,
	};

	return accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

uint32_t accel_cmdbuf_size(const struct accel_cmdbuf *cb)
{
	return cb->used;
}

uint32_t accel_cmdbuf_count(const struct accel_cmdbuf *cb)
{
	return cb->count;
}

struct accel_bo *accel_cmdbuf_bo(const struct accel_cmdbuf *cb)
{
	return cb->bo;
}

int accel_cmdbuf_submit(struct accel_cmdbuf *cb,
			const struct accel_submit *args)
{
	int err;

	if (cb->used == 0)
		return accel_fail(cb->dev, -ENODATA, "submit of an empty stream");
	err = accel_job_submit(cb->bo, 0, cb->used, args);
	if (!err)
		cb->submitted = true;
	return err;
}

int accel_cmdbuf_wait(struct accel_cmdbuf *cb, int64_t timeout_ns,
		      struct accel_job_result *result)
{
	return accel_bo_wait(cb->bo, timeout_ns, result);
}
