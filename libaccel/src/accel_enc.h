/* SPDX-License-Identifier: MIT */
/*
 * libaccel's device-free core of the op builder (ISA v1 and v2): format geometry,
 * the command check (the ISA's validator, isa/, which the firmware runs
 * too, so that both name the same status), encoders from operands to
 * commands, and the hazard tracker behind the command
 * buffer's automatic barriers. Nothing here needs a device, so the host
 * tests call these directly and run the commands through the firmware.
 * Not installed.
 */
#ifndef ACCEL_ENC_H
#define ACCEL_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm/quasar_accel.h>

#include "accel_stream.h"	/* struct accel_operand, the stream's public face */

/* Why a check failed: the text the caller's last error gets. */
struct accel_why {
	char text[200];
};

/* printf into @why; returns @status so that a check fails in one line. */
uint32_t accel_why_set(struct accel_why *why, uint32_t status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- formats (accel_format.c) ---- */

bool accel_fmt_packed(uint32_t format);

/* Geometry of a packed tensor; DP_EINVAL/DP_ENOTSUP as dp_geom_get(). */
struct accel_wgeom;
struct accel_weights;
int accel_wgeom_get(uint32_t format, uint32_t n, uint32_t k, uint32_t group,
		    uint32_t tflags, struct accel_wgeom *g);

/*
 * Where a packed tensor's buffers go in its one BO: element codes at 0,
 * then scales, zero points and 2:4 codes, each 64-byte aligned.
 */
struct accel_wplace {
	uint64_t scales, zeros, meta;	/* byte offsets */
	uint64_t total;
};

/*
 * Checks @w (format, shape, group, flags, tensor scale) and lays it out.
 * Returns 0, or -EINVAL with @why saying what is wrong.
 */
int accel_weights_place(const struct accel_weights *w, struct accel_wgeom *g,
			struct accel_wplace *p, struct accel_why *why);
/* The operand of weights placed at device address @addr. */
void accel_weights_operand(const struct accel_weights *w, const struct accel_wgeom *g,
			   const struct accel_wplace *p, uint64_t addr,
			   struct accel_operand *o);
/* Copies @w's buffers to their places in @dst (p->total bytes, zeroed by the caller). */
void accel_weights_copy(const struct accel_weights *w, const struct accel_wgeom *g,
			const struct accel_wplace *p, void *dst);

/*
 * A plain descriptor of @ndim extents (leading ones added) with @strides
 * (NULL: dense) in elements, at address 0. -EINVAL, with @why, when a rule
 * of docs/isa.md 6.3 that does not depend on the address is broken.
 */
int accel_desc_fill(struct drm_quasar_tensor *t, uint32_t format, uint32_t ndim,
		    const uint32_t *dims, const uint32_t *strides, struct accel_why *why);

uint16_t accel_f32_to_bf16(float f);
float accel_bf16_to_f32(uint16_t h);
uint32_t accel_f2u(float f);

/* ---- the byte ranges an operand covers ---- */

struct accel_range {
	uint64_t lo, hi;	/* [lo, hi) */
};

/* Byte span of a plain descriptor: (sum (dims[i] - 1) strides[i] + 1) * esize. */
uint64_t accel_span(const struct drm_quasar_tensor *t);
/* True when a plain descriptor's elements fill its span (no holes). */
bool accel_dense(const struct drm_quasar_tensor *t);
/*
 * The ranges an operand's buffers cover (1 for a plain tensor, up to 4 for
 * a packed one); returns how many were written to @r.
 */
uint32_t accel_operand_ranges(const struct accel_operand *o, struct accel_range r[4]);

/*
 * True when output @out and input @in certainly share a byte (its address
 * in *@at): their ranges intersect and neither has holes, since a strided
 * tensor's span also covers the elements of another it interleaves with.
 */
bool accel_operand_overlap(const struct accel_operand *out, const struct accel_operand *in,
			   uint64_t *at);

/* ---- command checks (accel_check.c) ---- */

/*
 * Validates one command of @len bytes with the firmware's own validator
 * (isa/isa_validate.c), up to (not including) what needs the device: the
 * opcodes its image enabled, the MMU pre-check and tiling. Returns the
 * status the device would fail it with, or DRM_QUASAR_STATUS_OK, and says
 * why.
 */
uint32_t accel_check_cmd(const void *cmd, size_t len, struct accel_why *why);

/* ---- encoders (accel_encode.c) ---- */

/*
 * Each fills the command from operands (NULL for an absent optional one),
 * checks what only the operands tell (an optional vector's length and
 * density, a residual shaped like the output), then the command itself
 * (accel_check_cmd()). Returns the device status the command would get,
 * OK when it is valid; @why says what is wrong.
 */
struct accel_enc_epi {
	float alpha;
	uint32_t act;
	uint32_t flags;
	const struct accel_operand *bias;
	const struct accel_operand *residual;
};

uint32_t accel_enc_gemm(struct drm_quasar_cmd_gemm *c, const struct accel_operand *y,
			const struct accel_operand *x, const struct accel_operand *w,
			const struct accel_enc_epi *e, struct accel_why *why);
uint32_t accel_enc_conv2d(struct drm_quasar_cmd_conv2d *c, const struct accel_operand *y,
			  const struct accel_operand *x, const struct accel_operand *w,
			  uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad,
			  const struct accel_enc_epi *e, struct accel_why *why);
/* RMSNORM when @bias is NULL, LAYERNORM otherwise (@op says which). */
uint32_t accel_enc_norm(struct drm_quasar_cmd_norm *c, uint16_t op,
			const struct accel_operand *y, const struct accel_operand *x,
			const struct accel_operand *gain, const struct accel_operand *bias,
			float eps, struct accel_why *why);
uint32_t accel_enc_softmax(struct drm_quasar_cmd_softmax *c, const struct accel_operand *y,
			   const struct accel_operand *x, struct accel_why *why);
uint32_t accel_enc_rope(struct drm_quasar_cmd_rope *c, const struct accel_operand *y,
			const struct accel_operand *x, const struct accel_operand *cos,
			const struct accel_operand *sin, struct accel_why *why);
uint32_t accel_enc_eltwise(struct drm_quasar_cmd_eltwise *c, uint16_t op,
			   const struct accel_operand *y, const struct accel_operand *a,
			   const struct accel_operand *b, struct accel_why *why);
/* ISA v2 (docs/isa.md 11): @flags DRM_QUASAR_MATMUL_*. */
uint32_t accel_enc_matmul(struct drm_quasar_cmd_matmul *c, const struct accel_operand *y,
			  const struct accel_operand *a, const struct accel_operand *b,
			  float alpha, uint32_t flags, uint32_t causal_offset,
			  struct accel_why *why);
/* SOFTMAX's v2 form: @flags DRM_QUASAR_SOFTMAX_CAUSAL or 0. */
uint32_t accel_enc_softmax_v2(struct drm_quasar_cmd_softmax_v2 *c,
			      const struct accel_operand *y, const struct accel_operand *x,
			      uint32_t flags, uint32_t causal_offset, struct accel_why *why);
/* ADD/MUL's v2 form: @flags DRM_QUASAR_ELTWISE_ROW_B or 0. */
uint32_t accel_enc_eltwise_v2(struct drm_quasar_cmd_eltwise_v2 *c, uint16_t op,
			      const struct accel_operand *y, const struct accel_operand *a,
			      const struct accel_operand *b, uint32_t flags,
			      struct accel_why *why);
uint32_t accel_enc_gather(struct drm_quasar_cmd_gather *c, const struct accel_operand *y,
			  const struct accel_operand *table, const struct accel_operand *ids,
			  struct accel_why *why);
uint32_t accel_enc_convert(struct drm_quasar_cmd_convert *c, const struct accel_operand *dst,
			   const struct accel_operand *src, struct accel_why *why);

/* ---- hazards between the commands of a stream (accel_cmdbuf.c) ---- */

/* The ranges commands read and wrote since the last barrier. */
struct accel_hazard {
	struct accel_range *rd, *wr;
	uint32_t nrd, nwr, cap_rd, cap_wr;
};

/*
 * True when a command reading @rd and writing @wr must wait for a barrier:
 * it reads or writes what an earlier command wrote, or writes what one read.
 */
bool accel_hazard_conflicts(const struct accel_hazard *h, const struct accel_range *rd,
			    uint32_t nrd, const struct accel_range *wr, uint32_t nwr);
/* Records a command's ranges; -ENOMEM leaves @h as it was. */
int accel_hazard_add(struct accel_hazard *h, const struct accel_range *rd, uint32_t nrd,
		     const struct accel_range *wr, uint32_t nwr);
/* A barrier: forget every range. */
void accel_hazard_clear(struct accel_hazard *h);
void accel_hazard_free(struct accel_hazard *h);

/*
 * ---- the stream's rules for ISA v1 commands (accel_cmdbuf.c) ----
 *
 * One home for both builders of a stream, the command buffer (a BO) and
 * struct accel_stream (host memory): ISA_VERSION 1 before the first v1
 * command, a BARRIER before a command that depends on an earlier one.
 */
struct accel_rules {
	uint32_t isa_version;		/* the version declared so far, 0: none yet */
	uint32_t isa_version_at;	/* byte offset of the ISA_VERSION command */
	struct accel_hazard hazard;	/* ranges touched since the last barrier */
};

#define ACCEL_RULES_VERSION	1u	/* ISA_VERSION 1 goes first */
#define ACCEL_RULES_BARRIER	2u	/* then a BARRIER */
#define ACCEL_RULES_RAISE	4u	/* and the declaration is raised in place */

extern const struct drm_quasar_cmd_isa_version accel_rules_isa_v1;
extern const struct drm_quasar_cmd_header accel_rules_barrier;

/* The ISA version a command needs: v2's opcode and v2's longer forms. */
uint32_t accel_cmd_isa_version(const void *cmd);
/*
 * What must go before a command needing ISA @version, reading @rd and
 * writing @wr (ACCEL_RULES_*).
 */
uint32_t accel_rules_before(const struct accel_rules *r, uint32_t version,
			    const struct accel_range *rd, uint32_t nrd,
			    const struct accel_range *wr, uint32_t nwr);
/*
 * Records the command once @before (accel_rules_before()'s answer) and it
 * are in @stream: the ISA_VERSION put at @version_at when @before has
 * ACCEL_RULES_VERSION, the declaration in @stream raised to @version when
 * it has ACCEL_RULES_RAISE. -ENOMEM when its ranges cannot be kept.
 */
int accel_rules_record(struct accel_rules *r, uint32_t before, uint8_t *stream,
		       uint32_t version_at, uint32_t version, const struct accel_range *rd,
		       uint32_t nrd, const struct accel_range *wr, uint32_t nwr);

#endif /* ACCEL_ENC_H */
