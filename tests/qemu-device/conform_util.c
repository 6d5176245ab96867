// SPDX-License-Identifier: MIT
/* Guest conformance suite: device buffers, jobs, tensors, comparison. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "conform_util.h"
#include "dp_num.h"
#include "guest_util.h"

int cf_open(struct cf_env *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	err = accel_device_open(NULL, &e->dev);
	if (err) {
		fprintf(stderr, "# no quasar device: %s\n", accel_strerror(err));
		return err;
	}
	err = accel_cmdbuf_create(e->dev, &e->cb);
	if (err) {
		fprintf(stderr, "# accel_cmdbuf_create: %s\n", accel_strerror(err));
		accel_device_close(e->dev);
		e->dev = NULL;
	}
	return err;
}

void cf_release(struct cf_env *e)
{
	if (e->cb)
		accel_cmdbuf_reset(e->cb);
	while (e->nbos)
		accel_bo_free(e->bos[--e->nbos]);
	e->ncmds = 0;
	e->err = 0;
}

void cf_close(struct cf_env *e)
{
	cf_release(e);
	accel_cmdbuf_destroy(e->cb);
	accel_device_close(e->dev);
	e->cb = NULL;
	e->dev = NULL;
}

int cf_next(struct cf_env *e)
{
	e->ncmds = 0;
	return accel_cmdbuf_reset(e->cb);
}

static void cf_fail(struct cf_env *e, int err, const char *what)
{
	char text[256];

	accel_device_last_error(e->dev, text, sizeof(text));
	fprintf(stderr, "# %s: %s (%s)\n", what, accel_strerror(err), text);
	if (!e->err)
		e->err = err;
}

void *cf_alloc(struct cf_env *e, uint64_t size, uint64_t *addr)
{
	struct accel_bo *bo;
	void *map;
	int err;

	*addr = 0;
	if (e->nbos == CF_MAX_BOS) {
		cf_fail(e, -ENOSPC, "too many BOs in one case");
		return NULL;
	}
	err = guest_bo_new(e->dev, size, &bo, &map);
	if (err) {
		cf_fail(e, err, "BO_CREATE/mmap");
		return NULL;
	}
	e->bos[e->nbos++] = bo;
	*addr = accel_bo_addr(bo);
	return map;
}

uint64_t cf_upload(struct cf_env *e, const void *src, uint64_t len)
{
	uint64_t addr;
	void *map = cf_alloc(e, len, &addr);

	if (map)
		memcpy(map, src, len);
	return addr;
}

void cf_emit(struct cf_env *e, const void *cmd, size_t len)
{
	int err = accel_cmdbuf_emit(e->cb, cmd, len);

	if (err)
		cf_fail(e, err, "accel_cmdbuf_emit");
	e->ncmds++;
}

void cf_emit_version(struct cf_env *e, uint32_t version)
{
	struct drm_quasar_cmd_isa_version c = {
		.hdr = { DRM_QUASAR_OP_ISA_VERSION, sizeof(c), 0 }, .version = version,
	};

	cf_emit(e, &c, sizeof(c));
}

void cf_emit_barrier(struct cf_env *e)
{
	struct drm_quasar_cmd_header h = { DRM_QUASAR_OP_BARRIER, sizeof(h), 0 };

	cf_emit(e, &h, sizeof(h));
}

int cf_run(struct cf_env *e, uint32_t queue)
{
	struct accel_submit args = { .queue = queue, .bos = e->bos, .bo_count = e->nbos };
	int err;

	memset(&e->res, 0xee, sizeof(e->res));
	if (e->err)
		return e->err;
	err = accel_cmdbuf_submit(e->cb, &args);
	if (err) {
		cf_fail(e, err, "SUBMIT");
		return err;
	}
	err = accel_cmdbuf_wait(e->cb, GUEST_JOB_TIMEOUT_NS, &e->res);
	if (err && err != -EIO)
		cf_fail(e, err, "wait for the job");
	return err;
}

int cf_expect_status(const struct cf_env *e, uint32_t status, uint32_t index)
{
	if (e->res.status == status && e->res.cmd_index == index)
		return 0;
	fprintf(stderr, "# job ended %s (%u) at command %u, expected %s (%u) at %u\n",
		accel_status_name(e->res.status), e->res.status, e->res.cmd_index,
		accel_status_name(status), status, index);
	return 1;
}

int cf_run_ok(struct cf_env *e, uint32_t queue)
{
	int err = cf_run(e, queue);

	if (err && err != -EIO)
		return err;
	return cf_expect_status(e, DRM_QUASAR_STATUS_OK, e->ncmds);
}

int cf_job_tiles(struct cf_env *e, uint64_t *tiles)
{
	struct drm_quasar_job_stats s = {
		.handle = accel_bo_handle(accel_cmdbuf_bo(e->cb)),
	};
	int err = guest_ioctl(accel_device_fd(e->dev), DRM_IOCTL_QUASAR_JOB_STATS, &s);

	*tiles = s.tiles;
	return err;
}

int cf_expect_tiles(struct cf_env *e, uint32_t min, const char *what)
{
	uint64_t tiles = 0;
	int err;

	if (min < 2)
		return 0;
	err = cf_job_tiles(e, &tiles);
	if (err) {
		fprintf(stderr, "# %s: JOB_STATS of the job: %s\n", what, accel_strerror(err));
		return 1;
	}
	if (tiles >= min)
		return 0;
	fprintf(stderr, "# %s: ran as %llu tile(s), sized for at least %u with the "
		"default 4 MiB SRAM\n", what, (unsigned long long)tiles, min);
	return 1;
}

int cf_require(struct cf_env *e, uint32_t op, uint32_t formats)
{
	const struct drm_quasar_device_info *i = accel_device_info(e->dev);
	uint32_t missing = formats & ~i->formats;
	int bad = 0;

	if (!(i->ops & (1u << op))) {
		fprintf(stderr, "# device ops 0x%x lack opcode %u (%s)\n", i->ops, op,
			accel_op_name(op) ? accel_op_name(op) : "?");
		bad = 1;
	}
	for (uint32_t f = 0; f < 32; f++)
		if (missing & (1u << f)) {
			fprintf(stderr, "# device formats 0x%x lack format %u (%s)\n",
				i->formats, f, accel_format_name(f) ? accel_format_name(f) : "?");
			bad = 1;
		}
	return bad;
}

/* ---- plain tensors ---- */

static uint32_t cf_esize(uint32_t fmt)
{
	return fmt == DRM_QUASAR_FORMAT_BF16 ? 2 : 4;
}

int cf_tensor_new(struct cf_env *e, struct cf_tensor *ct, uint32_t fmt,
		  const uint32_t dims[4], const uint32_t *pad)
{
	struct drm_quasar_tensor *t = &ct->t;
	uint64_t span = 1, addr;

	memset(ct, 0, sizeof(*ct));
	t->format = fmt;
	memcpy(t->dims, dims, sizeof(t->dims));
	t->strides[3] = 1;
	for (int i = 2; i >= 0; i--)
		t->strides[i] = dims[i + 1] * t->strides[i + 1] + (pad ? pad[i] : 0);
	for (int i = 0; i < 4; i++)
		span += (uint64_t)(dims[i] - 1) * t->strides[i];
	ct->esize = cf_esize(fmt);
	ct->rows = (uint64_t)dims[0] * dims[1] * dims[2];
	ct->d = dims[3];
	/* Slack past the span, inside the BO, to catch an overrun. */
	ct->map = cf_alloc(e, span * ct->esize + 256, &addr);
	if (!ct->map)
		return e->err;
	t->addr = addr;
	ct->bytes = accel_bo_size(e->bos[e->nbos - 1]);
	memset(ct->map, CF_POISON, ct->bytes);
	return 0;
}

uint8_t *cf_tensor_row(const struct cf_tensor *ct, uint64_t r)
{
	const struct drm_quasar_tensor *t = &ct->t;
	uint64_t i2 = r % t->dims[2], i1 = r / t->dims[2] % t->dims[1];
	uint64_t i0 = r / t->dims[2] / t->dims[1];

	return ct->map + (i0 * t->strides[0] + i1 * t->strides[1] + i2 * t->strides[2]) *
			 ct->esize;
}

void cf_tensor_put(const struct cf_tensor *ct, const void *dense)
{
	size_t rb = (size_t)ct->d * ct->esize;

	for (uint64_t r = 0; r < ct->rows; r++)
		memcpy(cf_tensor_row(ct, r), (const uint8_t *)dense + r * rb, rb);
}

void cf_tensor_get(const struct cf_tensor *ct, void *dense)
{
	size_t rb = (size_t)ct->d * ct->esize;

	for (uint64_t r = 0; r < ct->rows; r++)
		memcpy((uint8_t *)dense + r * rb, cf_tensor_row(ct, r), rb);
}

static int cf_poison_span(const struct cf_tensor *ct, uint64_t from, uint64_t to,
			  const char *what)
{
	for (uint64_t i = from; i < to; i++)
		if (ct->map[i] != CF_POISON) {
			fprintf(stderr, "# %s: byte %llu outside the tensor's rows was written "
				"(0x%02x)\n", what, (unsigned long long)i, ct->map[i]);
			return 1;
		}
	return 0;
}

int cf_tensor_untouched_outside(const struct cf_tensor *ct, const char *what)
{
	uint64_t end = 0, rb = (uint64_t)ct->d * ct->esize;

	/* Rows ascend in memory (strides nest without overlap). */
	for (uint64_t r = 0; r < ct->rows; r++) {
		uint64_t at = (uint64_t)(cf_tensor_row(ct, r) - ct->map);

		if (cf_poison_span(ct, end, at, what))
			return 1;
		end = at + rb;
	}
	return cf_poison_span(ct, end, ct->bytes, what);
}

/* ---- comparison and data ---- */

static uint32_t cf_elem(const void *p, size_t i, uint32_t esize)
{
	if (esize == 2)
		return ((const uint16_t *)p)[i];
	return ((const uint32_t *)p)[i];
}

static double cf_value(uint32_t bits, uint32_t esize)
{
	return esize == 2 ? dp_bf16_to_f32((uint16_t)bits) : dp_u2f(bits);
}

int cf_same(const void *got, const void *want, size_t n, uint32_t esize,
	    uint32_t row_len, const char *what)
{
	size_t first = n, count = 0;

	if (!memcmp(got, want, n * esize))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (cf_elem(got, i, esize) != cf_elem(want, i, esize)) {
			if (first == n)
				first = i;
			count++;
		}
	fprintf(stderr, "# %s: %zu of %zu elements differ; first at %zu (row %zu col %zu): "
		"got 0x%0*x (%.9g) want 0x%0*x (%.9g)\n", what, count, n, first,
		first / row_len, first % row_len, (int)esize * 2, cf_elem(got, first, esize),
		cf_value(cf_elem(got, first, esize), esize), (int)esize * 2,
		cf_elem(want, first, esize), cf_value(cf_elem(want, first, esize), esize));
	return 1;
}

float cf_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

void cf_rand_f32(float *x, size_t n, uint32_t seed, float scale)
{
	for (size_t i = 0; i < n; i++)
		x[i] = cf_rand(&seed) * scale;
}

void cf_rand_bf16(uint16_t *x, size_t n, uint32_t seed, float scale)
{
	for (size_t i = 0; i < n; i++)
		x[i] = dp_f32_to_bf16(cf_rand(&seed) * scale);
}

uint32_t cf_f2u(float f)
{
	return dp_f2u(f);
}
