// SPDX-License-Identifier: MIT
/*
 * Command-stream builder and the stream's rules. Commands are written
 * straight into a mapped BO; when it is full the stream moves to a BO
 * twice as large. A submitted stream is frozen (appends fail with -EBUSY)
 * until accel_cmdbuf_reset(), so that a wait always reports the job that
 * ran this stream.
 *
 * The stream's rules for the ops live here too (struct accel_stream in
 * accel_stream.c follows them as well), applied in one pass as
 * the op builder (accel_ops.c) appends an encoded command with the tensors
 * it reads and writes (accel_cmdbuf_append_op()): ISA_VERSION before the
 * first op, declaring the lowest version that runs every command of the
 * stream (1, raised in place to 2 by the first v2 command, so that a
 * stream of v1 ops stays byte for byte what it was and a v1 firmware
 * refuses a v2 stream before anything runs), a BARRIER before a command
 * that depends on an earlier one (the hazards below), and the BOs the
 * commands name, which every submit adds to its list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

#define ACCEL_CMDBUF_INITIAL 4096u
/* SUBMIT's limit on BOs per job (uapi). */
#define ACCEL_CMDBUF_MAX_BOS 256u

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
	accel_hazard_free(&cb->rules.hazard);
	free(cb->bos);
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
	cb->rules.isa_version = 0;
	cb->rules.isa_version_at = 0;
	cb->nbos = 0;
	accel_hazard_clear(&cb->rules.hazard);
	return 0;
}

/* Remembers @bo as used by @cb's stream (for its submit's BO list). */
static int accel_cmdbuf_use_bo(struct accel_cmdbuf *cb, struct accel_bo *bo)
{
	struct accel_bo **nb;
	uint32_t i;

	for (i = 0; i < cb->nbos; i++)
		if (cb->bos[i] == bo)
			return 0;
	if (cb->nbos == ACCEL_CMDBUF_MAX_BOS)
		return accel_fail(cb->dev, -E2BIG,
				  "command buffer names more than %u BOs (SUBMIT's limit)",
				  ACCEL_CMDBUF_MAX_BOS);
	if (cb->nbos == cb->cap_bos) {
		uint32_t cap = cb->cap_bos ? cb->cap_bos * 2 : 16;

		nb = realloc(cb->bos, cap * sizeof(*nb));
		if (!nb)
			return accel_fail(cb->dev, -ENOMEM, "command buffer BO list");
		cb->bos = nb;
		cb->cap_bos = cap;
	}
	cb->bos[cb->nbos++] = bo;
	return 0;
}

/* Moves the stream to a BO of at least @need bytes. */
static int accel_cmdbuf_grow(struct accel_cmdbuf *cb, uint64_t need)
{
	uint64_t cap = cb->bo->size;
	struct accel_bo *bo;
	uint8_t *map;
	int err;

	while (cap < need)
		cap *= 2;
	err = accel_cmdbuf_bo_new(cb, cap, &bo, &map);
	if (err)
		return err;
	memcpy(map, cb->map, cb->used);
	accel_bo_free(cb->bo);
	cb->bo = bo;
	cb->map = map;
	return 0;
}

/* Appends a command the caller has checked: stream not submitted, length, limit. */
static int accel_cmdbuf_put(struct accel_cmdbuf *cb, const void *cmd, size_t len)
{
	int err;

	if (cb->used + len > cb->bo->size) {
		err = accel_cmdbuf_grow(cb, cb->used + len);
		if (err)
			return err;
	}
	memcpy(cb->map + cb->used, cmd, len);
	cb->used += len;
	cb->count++;
	return 0;
}

int accel_cmdbuf_emit(struct accel_cmdbuf *cb, const void *cmd, size_t len)
{
	uint32_t limit = cb->dev->info.max_cmd_size;
	uint64_t need = (uint64_t)cb->used + len;

	if (cb->submitted)
		return accel_fail(cb->dev, -EBUSY, "append to a submitted command buffer");
	if (len % 8 || len == 0 || len > UINT16_MAX)
		return accel_fail(cb->dev, -EINVAL, "command of %zu bytes", len);
	if (limit && need > limit)
		return accel_fail(cb->dev, -E2BIG, "command stream of %llu bytes (limit %u)",
				  (unsigned long long)need, limit);
	return accel_cmdbuf_put(cb, cmd, len);
}

/*
 * ---- hazards between the commands of a stream ----
 *
 * The byte ranges read and written since the last barrier. docs/isa.md
 * 6.2 lets a device overlap commands between barriers, so a command that
 * reads what an earlier one wrote (RAW), writes it again (WAW), or
 * overwrites what an earlier one still reads (WAR) needs a barrier in
 * between. Ranges are byte spans, so two strided tensors that interleave
 * count as overlapping: an extra barrier costs nothing on a device that
 * runs commands in order. The tracker needs no device (the host tests
 * drive it alone).
 */
static bool accel_overlaps(const struct accel_range *a, uint32_t na,
			   const struct accel_range *b, uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = 0; j < nb; j++)
			if (a[i].lo < b[j].hi && b[j].lo < a[i].hi)
				return true;
	return false;
}

bool accel_hazard_conflicts(const struct accel_hazard *h, const struct accel_range *rd,
			    uint32_t nrd, const struct accel_range *wr, uint32_t nwr)
{
	return accel_overlaps(rd, nrd, h->wr, h->nwr) ||
	       accel_overlaps(wr, nwr, h->wr, h->nwr) ||
	       accel_overlaps(wr, nwr, h->rd, h->nrd);
}

/* Makes room for @more entries in @v (of @n, capacity @cap). */
static int accel_ranges_grow(struct accel_range **v, uint32_t n, uint32_t *cap,
			     uint32_t more)
{
	struct accel_range *nv;
	uint32_t c = *cap ? *cap : 16;

	if (n + more <= *cap)
		return 0;
	while (c < n + more)
		c *= 2;
	nv = realloc(*v, c * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

int accel_hazard_add(struct accel_hazard *h, const struct accel_range *rd, uint32_t nrd,
		     const struct accel_range *wr, uint32_t nwr)
{
	uint32_t i;

	if (accel_ranges_grow(&h->rd, h->nrd, &h->cap_rd, nrd) ||
	    accel_ranges_grow(&h->wr, h->nwr, &h->cap_wr, nwr))
		return -ENOMEM;
	for (i = 0; i < nrd; i++)
		h->rd[h->nrd++] = rd[i];
	for (i = 0; i < nwr; i++)
		h->wr[h->nwr++] = wr[i];
	return 0;
}

void accel_hazard_clear(struct accel_hazard *h)
{
	h->nrd = 0;
	h->nwr = 0;
}

void accel_hazard_free(struct accel_hazard *h)
{
	free(h->rd);
	free(h->wr);
	*h = (struct accel_hazard){ 0 };
}

/* ---- ISA v0 commands ---- */

/*
 * Records what a v0 command reads and writes, so that a later ISA v1 op
 * that depends on it gets its barrier. v0 commands themselves are appended
 * as given: a barrier is a v1 command, and a v0 stream must stay v0.
 */
static int accel_cmdbuf_track(struct accel_cmdbuf *cb, const struct accel_range *rd,
			      uint32_t nrd, const struct accel_range *wr, uint32_t nwr)
{
	if (accel_hazard_add(&cb->rules.hazard, rd, nrd, wr, nwr))
		return accel_fail(cb->dev, -ENOMEM, "command buffer hazard ranges");
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
	struct accel_range wr = { dst, dst + size };
	int err = accel_cmdbuf_track(cb, NULL, 0, &wr, 1);

	return err ? err : accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));
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
	struct accel_range rd = { src, src + size }, wr = { dst, dst + size };
	int err = accel_cmdbuf_track(cb, &rd, 1, &wr, 1);

	return err ? err : accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));
}

int accel_cmdbuf_write_value(struct accel_cmdbuf *cb, uint64_t addr,
			     uint64_t value)
{
	struct drm_quasar_cmd_write_value cmd = {
		.hdr = { .opcode = DRM_QUASAR_OP_WRITE_VALUE, .length = sizeof(cmd) },
		.addr = addr,
		.value = value,
	};
	struct accel_range wr = { addr, addr + sizeof(value) };
	int err = accel_cmdbuf_emit(cb, &cmd, sizeof(cmd));

	if (err)
		return err;
	/* Every earlier command completes before it: an ordering point. */
	accel_hazard_clear(&cb->rules.hazard);
	return accel_cmdbuf_track(cb, NULL, 0, &wr, 1);
}

/* ---- the stream's rules, shared with struct accel_stream ---- */

const struct drm_quasar_cmd_isa_version accel_rules_isa_v1 = {
	.hdr = { .opcode = DRM_QUASAR_OP_ISA_VERSION, .length = sizeof(accel_rules_isa_v1) },
	.version = 1,
};

const struct drm_quasar_cmd_header accel_rules_barrier = {
	.opcode = DRM_QUASAR_OP_BARRIER, .length = sizeof(accel_rules_barrier),
};

uint32_t accel_cmd_isa_version(const void *cmd)
{
	const struct drm_quasar_cmd_header *hdr = cmd;

	switch (hdr->opcode) {
	case DRM_QUASAR_OP_MATMUL:
		return 2;
	case DRM_QUASAR_OP_SOFTMAX:
		return hdr->length == sizeof(struct drm_quasar_cmd_softmax) ? 1 : 2;
	case DRM_QUASAR_OP_ADD:
	case DRM_QUASAR_OP_MUL:
		return hdr->length == sizeof(struct drm_quasar_cmd_eltwise) ? 1 : 2;
	default:
		return 1;
	}
}

/*
 * ISA_VERSION 1 goes first, raised in place by the first command that
 * needs more: a stream of v1 ops stays byte for byte what it was, and a
 * v1 firmware refuses a v2 stream before anything of it runs.
 */
uint32_t accel_rules_before(const struct accel_rules *r, uint32_t version,
			    const struct accel_range *rd, uint32_t nrd,
			    const struct accel_range *wr, uint32_t nwr)
{
	uint32_t declared = r->isa_version ? r->isa_version : 1;

	return (r->isa_version ? 0 : ACCEL_RULES_VERSION) |
	       (version > declared ? ACCEL_RULES_RAISE : 0) |
	       (accel_hazard_conflicts(&r->hazard, rd, nrd, wr, nwr) ? ACCEL_RULES_BARRIER : 0);
}

int accel_rules_record(struct accel_rules *r, uint32_t before, uint8_t *stream,
		       uint32_t version_at, uint32_t version, const struct accel_range *rd,
		       uint32_t nrd, const struct accel_range *wr, uint32_t nwr)
{
	if (before & ACCEL_RULES_VERSION) {
		r->isa_version = 1;
		r->isa_version_at = version_at;
	}
	if (before & ACCEL_RULES_RAISE) {
		struct drm_quasar_cmd_isa_version v;

		memcpy(&v, stream + r->isa_version_at, sizeof(v));
		v.version = version;
		memcpy(stream + r->isa_version_at, &v, sizeof(v));
		r->isa_version = version;
	}
	if (before & ACCEL_RULES_BARRIER)
		accel_hazard_clear(&r->hazard);
	return accel_hazard_add(&r->hazard, rd, nrd, wr, nwr);
}

/* ---- the version, barriers and BOs of the op builder's commands ---- */

int accel_cmdbuf_append_op(struct accel_cmdbuf *cb, const void *cmd, size_t len,
			   const struct accel_tensor *const *in, uint32_t nin,
			   const struct accel_tensor *out)
{
	const struct drm_quasar_cmd_header *hdr = cmd;
	struct accel_range rd[ACCEL_OP_MAX_IN * 4], wr[4];
	uint32_t nrd = 0, nwr, i, before, at, limit = cb->dev->info.max_cmd_size;
	uint32_t version = accel_cmd_isa_version(cmd);
	uint64_t need = len + sizeof(accel_rules_barrier) +
			(cb->rules.isa_version ? 0 : sizeof(accel_rules_isa_v1));
	int err = 0;

	if (cb->submitted)
		return accel_fail(cb->dev, -EBUSY, "%s: append to a submitted command buffer",
				  accel_op_name(hdr->opcode));
	/* Refuse before the version or a barrier goes in without the command. */
	if (limit && cb->used + need > limit)
		return accel_fail(cb->dev, -E2BIG, "%s: stream would pass %u bytes",
				  accel_op_name(hdr->opcode), limit);
	nwr = accel_operand_ranges(&out->op, wr);
	for (i = 0; i < nin; i++)
		if (in[i])
			nrd += accel_operand_ranges(&in[i]->op, rd + nrd);
	for (i = 0; !err && i < nin; i++)
		if (in[i])
			err = accel_cmdbuf_use_bo(cb, in[i]->bo);
	if (!err)
		err = accel_cmdbuf_use_bo(cb, out->bo);
	if (err)
		return err;
	before = accel_rules_before(&cb->rules, version, rd, nrd, wr, nwr);
	at = cb->used;
	if (before & ACCEL_RULES_VERSION)
		err = accel_cmdbuf_put(cb, &accel_rules_isa_v1, sizeof(accel_rules_isa_v1));
	if (!err && (before & ACCEL_RULES_BARRIER))
		err = accel_cmdbuf_put(cb, &accel_rules_barrier, sizeof(accel_rules_barrier));
	if (!err && accel_rules_record(&cb->rules, before, cb->map, at, version, rd, nrd, wr,
				       nwr))
		err = accel_fail(cb->dev, -ENOMEM, "%s: hazard ranges", accel_op_name(hdr->opcode));
	return err ? err : accel_cmdbuf_put(cb, cmd, len);
}

/* An explicit ordering point: the stream's own command, not an op's. */
int accel_op_barrier(struct accel_cmdbuf *cb)
{
	int err = 0;

	if (!cb->rules.isa_version) {
		uint32_t at = cb->used;

		err = accel_cmdbuf_emit(cb, &accel_rules_isa_v1, sizeof(accel_rules_isa_v1));
		if (!err) {
			cb->rules.isa_version = 1;
			cb->rules.isa_version_at = at;
		}
	}
	if (!err)
		err = accel_cmdbuf_emit(cb, &accel_rules_barrier, sizeof(accel_rules_barrier));
	if (!err)
		accel_hazard_clear(&cb->rules.hazard);
	return err;
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

/*
 * @args' BOs followed by the ones the ops' commands named that @args does
 * not list. Returns a malloc'ed array (or NULL with *@n = 0 when there are
 * none), NULL with *@n = UINT32_MAX when out of memory.
 */
static struct accel_bo **accel_cmdbuf_bo_list(const struct accel_cmdbuf *cb,
					      const struct accel_submit *args,
					      uint32_t *n)
{
	uint32_t given = args ? args->bo_count : 0, i, j;
	struct accel_bo **v;

	*n = 0;
	if (!given && !cb->nbos)
		return NULL;
	v = malloc((given + cb->nbos) * sizeof(*v));
	if (!v) {
		*n = UINT32_MAX;
		return NULL;
	}
	for (i = 0; i < given; i++)
		v[(*n)++] = args->bos[i];
	for (i = 0; i < cb->nbos; i++) {
		for (j = 0; j < given && args->bos[j] != cb->bos[i]; j++)
			;
		if (j == given)
			v[(*n)++] = cb->bos[i];
	}
	return v;
}

int accel_cmdbuf_submit(struct accel_cmdbuf *cb,
			const struct accel_submit *args)
{
	struct accel_submit s = args ? *args : (struct accel_submit){ 0 };
	struct accel_bo **bos;
	uint32_t n;
	int err;

	if (cb->used == 0)
		return accel_fail(cb->dev, -ENODATA, "submit of an empty stream");
	bos = accel_cmdbuf_bo_list(cb, args, &n);
	if (!bos && n)
		return accel_fail(cb->dev, -ENOMEM, "submit BO list");
	s.bos = bos;
	s.bo_count = n;
	err = accel_job_submit(cb->bo, 0, cb->used, &s);
	free(bos);
	if (!err)
		cb->submitted = true;
	return err;
}

int accel_cmdbuf_wait(struct accel_cmdbuf *cb, int64_t timeout_ns,
		      struct accel_job_result *result)
{
	return accel_bo_wait(cb->bo, timeout_ns, result);
}
