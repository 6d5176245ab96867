// SPDX-License-Identifier: MIT
/*
 * Command streams in host memory (accel_stream.h): the op builder without
 * a device. Each op is encoded and checked by its encoder (accel_encode.c,
 * the one accel_op_*() uses), refused if its output overlaps an input, and
 * appended under the stream's rules (accel_rules_*(), accel_cmdbuf.c), so
 * that the same operands give the bytes a command buffer would hold.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_enc.h"
#include "accel_ops.h"

#define ACCEL_STREAM_INITIAL	4096u
#define ACCEL_STREAM_MAX_IN	4	/* GEMM: x, w, bias, residual */

struct accel_stream {
	uint8_t *buf;
	uint32_t used, cap, count;
	struct accel_rules rules;
	char last_error[384];
};

/* Records "<what>: <errno text>" as the last error and returns @err. */
static int __attribute__((format(printf, 3, 4)))
accel_stream_fail(struct accel_stream *s, int err, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(s->last_error, sizeof(s->last_error), "%s: %s", what, accel_strerror(err));
	return err;
}

int accel_stream_create(struct accel_stream **out)
{
	struct accel_stream *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->buf = malloc(ACCEL_STREAM_INITIAL);
	if (!s->buf) {
		free(s);
		return -ENOMEM;
	}
	s->cap = ACCEL_STREAM_INITIAL;
	*out = s;
	return 0;
}

void accel_stream_destroy(struct accel_stream *s)
{
	if (!s)
		return;
	accel_hazard_free(&s->rules.hazard);
	free(s->buf);
	free(s);
}

void accel_stream_reset(struct accel_stream *s)
{
	s->used = 0;
	s->count = 0;
	s->rules.isa_version = 0;
	s->rules.isa_version_at = 0;
	accel_hazard_clear(&s->rules.hazard);
}

const void *accel_stream_data(const struct accel_stream *s)
{
	return s->buf;
}

uint32_t accel_stream_size(const struct accel_stream *s)
{
	return s->used;
}

uint32_t accel_stream_count(const struct accel_stream *s)
{
	return s->count;
}

const char *accel_stream_last_error(const struct accel_stream *s)
{
	return s->last_error;
}

/* Room for @more bytes; the stream is unchanged on failure. */
static int accel_stream_room(struct accel_stream *s, uint64_t more, const char *name)
{
	uint64_t need = (uint64_t)s->used + more, cap = s->cap;
	uint8_t *nb;

	if (need <= s->cap)
		return 0;
	if (need > UINT32_MAX)
		return accel_stream_fail(s, -E2BIG, "%s: stream would pass 4 GiB", name);
	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	nb = realloc(s->buf, cap);
	if (!nb)
		return accel_stream_fail(s, -ENOMEM, "%s: stream of %llu bytes", name,
					 (unsigned long long)need);
	s->buf = nb;
	s->cap = (uint32_t)cap;
	return 0;
}

static void accel_stream_put(struct accel_stream *s, const void *cmd, size_t len)
{
	memcpy(s->buf + s->used, cmd, len);
	s->used += (uint32_t)len;
	s->count++;
}

/*
 * @cmd, reading @rd and writing @wr, appended after what the stream's
 * rules put before it (its version declaration, a barrier). On -ENOMEM
 * from the rules a BARRIER may stay behind: valid, and the rules' state
 * says it is there.
 */
static int accel_stream_put_ruled(struct accel_stream *s, const char *name, const void *cmd,
				  size_t len, const struct accel_range *rd, uint32_t nrd,
				  const struct accel_range *wr, uint32_t nwr)
{
	uint32_t before, version = accel_cmd_isa_version(cmd), version_at;
	uint64_t more = len;
	int err;

	before = accel_rules_before(&s->rules, version, rd, nrd, wr, nwr);
	if (before & ACCEL_RULES_VERSION)
		more += sizeof(accel_rules_isa_v1);
	if (before & ACCEL_RULES_BARRIER)
		more += sizeof(accel_rules_barrier);
	err = accel_stream_room(s, more, name);
	if (err)
		return err;
	version_at = s->used;
	if (before & ACCEL_RULES_VERSION)
		accel_stream_put(s, &accel_rules_isa_v1, sizeof(accel_rules_isa_v1));
	if (before & ACCEL_RULES_BARRIER)
		accel_stream_put(s, &accel_rules_barrier, sizeof(accel_rules_barrier));
	if (accel_rules_record(&s->rules, before, s->buf, version_at, version, rd, nrd, wr, nwr))
		return accel_stream_fail(s, -ENOMEM, "%s: hazard ranges", name);
	accel_stream_put(s, cmd, len);
	return 0;
}

/* The operands of one op: inputs (NULL entries skipped) and its output. */
struct accel_stream_args {
	const char *name;
	const struct accel_operand *in[ACCEL_STREAM_MAX_IN];
	const char *in_name[ACCEL_STREAM_MAX_IN];
	const struct accel_operand *out;
};

/*
 * The encoder's verdict @st on @cmd: a refusal with the device status it
 * names, an output sharing a byte with an input (undefined on the device,
 * docs/isa.md 6.2), or the command appended after what the rules put
 * before it.
 */
static int accel_stream_append(struct accel_stream *s, const struct accel_stream_args *a,
			       uint32_t st, const struct accel_why *why, const void *cmd,
			       size_t len)
{
	struct accel_range rd[ACCEL_STREAM_MAX_IN * 4], wr[4];
	uint32_t nrd = 0, nwr, i;
	uint64_t at;

	if (st)
		return accel_stream_fail(s, -EINVAL,
					 "%s refused on the host: %s (device status %s)", a->name,
					 why->text, accel_status_name(st));
	for (i = 0; i < ACCEL_STREAM_MAX_IN; i++)
		if (a->in[i] && accel_operand_overlap(a->out, a->in[i], &at))
			return accel_stream_fail(s, -EINVAL,
				"%s: output overlaps %s at 0x%llx (undefined on the device)",
				a->name, a->in_name[i], (unsigned long long)at);
	nwr = accel_operand_ranges(a->out, wr);
	for (i = 0; i < ACCEL_STREAM_MAX_IN; i++)
		if (a->in[i])
			nrd += accel_operand_ranges(a->in[i], rd + nrd);
	return accel_stream_put_ruled(s, a->name, cmd, len, rd, nrd, wr, nwr);
}

/* Required operands present. */
static int accel_stream_operands(struct accel_stream *s, const struct accel_stream_args *a,
				 uint32_t required)
{
	if (!a->out)
		return accel_stream_fail(s, -EINVAL, "%s: output operand is NULL", a->name);
	for (uint32_t i = 0; i < required; i++)
		if (!a->in[i])
			return accel_stream_fail(s, -EINVAL, "%s: %s is NULL", a->name,
						 a->in_name[i]);
	return 0;
}

static struct accel_enc_epi accel_stream_epi(const struct accel_stream_epilogue *epi)
{
	if (!epi)
		return (struct accel_enc_epi){ .alpha = 1.0f };
	return (struct accel_enc_epi){
		.alpha = epi->alpha, .act = epi->act, .flags = epi->flags,
		.bias = epi->bias, .residual = epi->residual,
	};
}

int accel_stream_gemm(struct accel_stream *s, const struct accel_operand *y,
		      const struct accel_operand *x, const struct accel_operand *w,
		      const struct accel_stream_epilogue *epi)
{
	struct accel_stream_args a = {
		"GEMM", { x, w, epi ? epi->bias : NULL, epi ? epi->residual : NULL },
		{ "x", "w", "bias", "residual" }, y,
	};
	struct accel_enc_epi e = accel_stream_epi(epi);
	struct drm_quasar_cmd_gemm c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 2);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_gemm(&c, y, x, w, &e, &why), &why, &c,
				   sizeof(c));
}

int accel_stream_conv2d(struct accel_stream *s, const struct accel_operand *y,
			const struct accel_operand *x, const struct accel_operand *w,
			uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad,
			const struct accel_stream_epilogue *epi)
{
	struct accel_stream_args a = {
		"CONV2D", { x, w, epi ? epi->bias : NULL, epi ? epi->residual : NULL },
		{ "x", "w", "bias", "residual" }, y,
	};
	struct accel_enc_epi e = accel_stream_epi(epi);
	struct drm_quasar_cmd_conv2d c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 2);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_conv2d(&c, y, x, w, kh, kw, stride, pad,
							    &e, &why), &why, &c, sizeof(c));
}

static int accel_stream_norm(struct accel_stream *s, uint16_t op, const struct accel_operand *y,
			     const struct accel_operand *x, const struct accel_operand *gain,
			     const struct accel_operand *bias, float eps)
{
	bool ln = op == DRM_QUASAR_OP_LAYERNORM;
	struct accel_stream_args a = {
		ln ? "LAYERNORM" : "RMSNORM", { x, gain, bias }, { "x", "gain", "bias" }, y,
	};
	struct drm_quasar_cmd_norm c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, ln ? 3 : 2);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_norm(&c, op, y, x, gain, bias, eps, &why),
				   &why, &c, sizeof(c));
}

int accel_stream_rmsnorm(struct accel_stream *s, const struct accel_operand *y,
			 const struct accel_operand *x, const struct accel_operand *gain, float eps)
{
	return accel_stream_norm(s, DRM_QUASAR_OP_RMSNORM, y, x, gain, NULL, eps);
}

int accel_stream_layernorm(struct accel_stream *s, const struct accel_operand *y,
			   const struct accel_operand *x, const struct accel_operand *gain,
			   const struct accel_operand *bias, float eps)
{
	return accel_stream_norm(s, DRM_QUASAR_OP_LAYERNORM, y, x, gain, bias, eps);
}

int accel_stream_softmax(struct accel_stream *s, const struct accel_operand *y,
			 const struct accel_operand *x)
{
	struct accel_stream_args a = { "SOFTMAX", { x }, { "x" }, y };
	struct drm_quasar_cmd_softmax c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 1);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_softmax(&c, y, x, &why), &why, &c, sizeof(c));
}

int accel_stream_rope(struct accel_stream *s, const struct accel_operand *y,
		      const struct accel_operand *x, const struct accel_operand *cos,
		      const struct accel_operand *sin)
{
	struct accel_stream_args a = { "ROPE", { x, cos, sin }, { "x", "cos", "sin" }, y };
	struct drm_quasar_cmd_rope c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 3);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_rope(&c, y, x, cos, sin, &why), &why, &c,
				   sizeof(c));
}

static int accel_stream_eltwise(struct accel_stream *s, uint16_t op,
				const struct accel_operand *y, const struct accel_operand *x0,
				const struct accel_operand *x1)
{
	struct accel_stream_args a = {
		op == DRM_QUASAR_OP_ADD ? "ADD" : "MUL", { x0, x1 }, { "a", "b" }, y,
	};
	struct drm_quasar_cmd_eltwise c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 2);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_eltwise(&c, op, y, x0, x1, &why), &why, &c,
				   sizeof(c));
}

int accel_stream_add(struct accel_stream *s, const struct accel_operand *y,
		     const struct accel_operand *a, const struct accel_operand *b)
{
	return accel_stream_eltwise(s, DRM_QUASAR_OP_ADD, y, a, b);
}

int accel_stream_mul(struct accel_stream *s, const struct accel_operand *y,
		     const struct accel_operand *a, const struct accel_operand *b)
{
	return accel_stream_eltwise(s, DRM_QUASAR_OP_MUL, y, a, b);
}

int accel_stream_gather(struct accel_stream *s, const struct accel_operand *y,
			const struct accel_operand *table, const struct accel_operand *ids)
{
	struct accel_stream_args a = { "GATHER", { table, ids }, { "table", "ids" }, y };
	struct drm_quasar_cmd_gather c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 2);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_gather(&c, y, table, ids, &why), &why, &c,
				   sizeof(c));
}

int accel_stream_convert(struct accel_stream *s, const struct accel_operand *dst,
			 const struct accel_operand *src)
{
	struct accel_stream_args a = { "CONVERT", { src }, { "src" }, dst };
	struct drm_quasar_cmd_convert c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 1);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_convert(&c, dst, src, &why), &why, &c,
				   sizeof(c));
}

/* ---- ISA v2 (docs/isa.md 11) ---- */

int accel_stream_matmul(struct accel_stream *s, const struct accel_operand *y,
			const struct accel_operand *a, const struct accel_operand *b, float alpha,
			uint32_t flags, uint32_t causal_offset)
{
	struct accel_stream_args args = { "MATMUL", { a, b }, { "a", "b" }, y };
	struct drm_quasar_cmd_matmul c;
	struct accel_why why;
	int err = accel_stream_operands(s, &args, 2);

	if (err)
		return err;
	return accel_stream_append(s, &args, accel_enc_matmul(&c, y, a, b, alpha, flags,
							       causal_offset, &why),
				   &why, &c, sizeof(c));
}

int accel_stream_softmax_causal(struct accel_stream *s, const struct accel_operand *y,
				const struct accel_operand *x, uint32_t causal_offset)
{
	struct accel_stream_args a = { "SOFTMAX", { x }, { "x" }, y };
	struct drm_quasar_cmd_softmax_v2 c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 1);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_softmax_v2(&c, y, x,
								DRM_QUASAR_SOFTMAX_CAUSAL,
								causal_offset, &why),
				   &why, &c, sizeof(c));
}

static int accel_stream_eltwise_row(struct accel_stream *s, uint16_t op,
				    const struct accel_operand *y, const struct accel_operand *x0,
				    const struct accel_operand *row)
{
	struct accel_stream_args a = {
		op == DRM_QUASAR_OP_ADD ? "ADD" : "MUL", { x0, row }, { "a", "b" }, y,
	};
	struct drm_quasar_cmd_eltwise_v2 c;
	struct accel_why why;
	int err = accel_stream_operands(s, &a, 2);

	if (err)
		return err;
	return accel_stream_append(s, &a, accel_enc_eltwise_v2(&c, op, y, x0, row,
								DRM_QUASAR_ELTWISE_ROW_B, &why),
				   &why, &c, sizeof(c));
}

int accel_stream_add_row(struct accel_stream *s, const struct accel_operand *y,
			 const struct accel_operand *a, const struct accel_operand *b)
{
	return accel_stream_eltwise_row(s, DRM_QUASAR_OP_ADD, y, a, b);
}

int accel_stream_mul_row(struct accel_stream *s, const struct accel_operand *y,
			 const struct accel_operand *a, const struct accel_operand *b)
{
	return accel_stream_eltwise_row(s, DRM_QUASAR_OP_MUL, y, a, b);
}

/* ---- ISA v0 data movement ---- */

int accel_stream_copy(struct accel_stream *s, uint64_t dst, uint64_t src, uint64_t size)
{
	struct drm_quasar_cmd_copy c = {
		.hdr = { .opcode = DRM_QUASAR_OP_COPY, .length = sizeof(c) },
		.dst = dst,
		.src = src,
		.size = size,
	};
	struct accel_range rd = { src, src + size }, wr = { dst, dst + size };

	if (!size)
		return accel_stream_fail(s, -EINVAL, "COPY refused on the host: size is 0 "
					 "(device status BAD_RANGE)");
	/* a range may end at 2^64 on the device (and fault); here it must end below */
	if (src > UINT64_MAX - size || dst > UINT64_MAX - size)
		return accel_stream_fail(s, -EINVAL, "COPY refused on the host: a range wraps "
					 "past 2^64 (device status BAD_RANGE)");
	if (rd.lo < wr.hi && wr.lo < rd.hi)
		return accel_stream_fail(s, -EINVAL, "COPY refused on the host: source and "
					 "destination share a byte (device status OVERLAP)");
	return accel_stream_put_ruled(s, "COPY", &c, sizeof(c), &rd, 1, &wr, 1);
}

int accel_stream_barrier(struct accel_stream *s)
{
	uint32_t more = sizeof(accel_rules_barrier) +
			(s->rules.isa_version ? 0 : sizeof(accel_rules_isa_v1));
	int err = accel_stream_room(s, more, "BARRIER");

	if (err)
		return err;
	if (!s->rules.isa_version) {
		s->rules.isa_version_at = s->used;
		s->rules.isa_version = 1;
		accel_stream_put(s, &accel_rules_isa_v1, sizeof(accel_rules_isa_v1));
	}
	accel_stream_put(s, &accel_rules_barrier, sizeof(accel_rules_barrier));
	accel_hazard_clear(&s->rules.hazard);
	return 0;
}
