/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the ISA v1 host tests: a booted firmware with a compute
 * engine over a caller-sized SRAM, a context with one big writable VA
 * window (physically scattered pages), tensors copied in and out page by
 * page, packed weights made by the datapath's own quantizer, and jobs run
 * through fw_job_run() exactly as a queue runs them.
 */
#ifndef FW_TEST_V1_H
#define FW_TEST_V1_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drm/quasar_accel.h"
#include "dp_format.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "dp_quant.h"
#include "fw_test_hal.h"

#define V1_SLOT		3
#define V1_VA		0x100000000ull
#define V1_VA_SIZE	(3ull << 20)
#define V1_RO_VA	0x200000000ull	/* one read-only page */
#define V1_HOLE_VA	0x300000000ull	/* never mapped */

struct v1_env {
	struct fw_test_mem mem;
	struct fw_device fw;
	struct fw_engine eng;
	void *sram;
	uint64_t root;
	uint64_t next;		/* VA bump allocator */
	uint8_t stream[4096];
	uint32_t len;
	struct fw_job_result res;
};

static inline int v1_init(struct v1_env *e, uint64_t sram_size)
{
	memset(e, 0, sizeof(*e));
	if (fw_test_mem_init(&e->mem))
		return -1;
	e->sram = aligned_alloc(64, (sram_size + 63) / 64 * 64);
	if (!e->sram || fw_engine_init(&e->eng, e->sram, sram_size))
		return -1;
	if (fw_test_device_boot_engine(&e->fw, &e->mem, FW_ROM_OPS, &e->eng))
		return -1;
	e->root = fw_test_new_root(&e->mem);
	fw_test_map_range(&e->mem, e->root, V1_VA, V1_VA_SIZE, true);
	fw_test_map_range(&e->mem, e->root, V1_RO_VA, FW_TEST_PAGE, false);
	fw_test_ctx(&e->fw, V1_SLOT, e->root);
	e->next = V1_VA + FW_TEST_PAGE;	/* page 0 holds the stream */
	return 0;
}

static inline void v1_fini(struct v1_env *e)
{
	free(e->sram);
	fw_test_mem_fini(&e->mem);
}

/* A fresh device VA range, 64-byte aligned. */
static inline uint64_t v1_alloc(struct v1_env *e, uint64_t size)
{
	uint64_t va = e->next;

	e->next = (e->next + size + 63) & ~63ull;
	if (e->next > V1_VA + V1_VA_SIZE)
		abort();
	return va;
}

static inline void v1_put(struct v1_env *e, uint64_t va, const void *src, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		*fw_test_va_ptr(&e->mem, e->root, va + i) = ((const uint8_t *)src)[i];
}

static inline void v1_get(struct v1_env *e, uint64_t va, void *dst, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		((uint8_t *)dst)[i] = *fw_test_va_ptr(&e->mem, e->root, va + i);
}

static inline uint64_t v1_upload(struct v1_env *e, const void *src, uint64_t len)
{
	uint64_t va = v1_alloc(e, len);

	v1_put(e, va, src, len);
	return va;
}

static inline void v1_emit(struct v1_env *e, const void *cmd, size_t n)
{
	memcpy(e->stream + e->len, cmd, n);
	e->len += (uint32_t)n;
}

static inline void v1_emit_version(struct v1_env *e, uint32_t version)
{
	struct drm_quasar_cmd_isa_version c = {
		{ DRM_QUASAR_OP_ISA_VERSION, sizeof(c), 0 }, version, 0,
	};

	v1_emit(e, &c, sizeof(c));
}

/* Run the stream as one job (fetched through the MMU), then clear it. */
static inline void v1_run(struct v1_env *e)
{
	struct quasar_hw_desc d = { 0 };

	v1_put(e, V1_VA, e->stream, e->len);
	d.cmd_addr = V1_VA;
	d.cmd_size = e->len;
	d.ctx_slot = V1_SLOT;
	memset(&e->res, 0xee, sizeof(e->res));
	fw_job_run(&e->fw, &d, NULL, &e->res);
	e->len = 0;
}

/* A plain tensor with dense strides. */
static inline struct drm_quasar_tensor v1_tensor(uint64_t addr, uint32_t fmt, uint32_t d0,
						 uint32_t d1, uint32_t d2, uint32_t d3)
{
	struct drm_quasar_tensor t = {
		.addr = addr, .dims = { d0, d1, d2, d3 },
		.strides = { d1 * d2 * d3, d2 * d3, d3, 1 }, .format = fmt,
	};

	return t;
}

static inline uint32_t v1_f2u(float f)
{
	return dp_f2u(f);
}

/* Deterministic pseudo-random values in [-1, 1). */
static inline float v1_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

/* Packed weights: host copy (for the golden model) and device copy. */
struct v1_weights {
	struct dp_wt w;
	struct dp_geom g;
	struct dp_wt_buf buf;
	struct drm_quasar_tensor t;
	struct drm_quasar_wparams wp;
};

static inline uint32_t v1_group(uint32_t fmt)
{
	return fmt == DRM_QUASAR_FORMAT_W_INT4 || fmt == DRM_QUASAR_FORMAT_W_SP_INT4 ? 32 : 0;
}

/* Quantize random N x K weights into @fmt (a uapi W_* format) and upload. */
static inline int v1_weights(struct v1_env *e, struct v1_weights *w, uint32_t fmt,
			     uint32_t n, uint32_t k, uint32_t seed, bool zeros)
{
	float *src = malloc((size_t)n * k * sizeof(float));
	int ret;

	memset(w, 0, sizeof(*w));
	w->w.fmt = fmt - (DRM_QUASAR_FORMAT_W_BF16 - DP_W_BF16);
	w->w.n = n;
	w->w.k = k;
	w->w.group = v1_group(fmt);
	w->w.flags = zeros ? DP_WT_ZERO : 0;
	ret = dp_geom_get(w->w.fmt, n, k, w->w.group, w->w.flags, &w->g);
	if (ret || !src)
		return -1;
	for (size_t i = 0; i < (size_t)n * k; i++)
		src[i] = v1_rand(&seed) * (1.0f + (float)(i % 7));
	w->buf.data = calloc(1, w->g.data_bytes);
	w->buf.scales = calloc(1, w->g.scale_bytes + 1);
	w->buf.zeros = calloc(1, w->g.zero_bytes + 1);
	w->buf.meta = calloc(1, w->g.meta_bytes + 1);
	ret = dp_quantize(&w->w, &w->buf, src, k, 0);
	free(src);
	if (ret)
		return -1;
	w->t = (struct drm_quasar_tensor){ .dims = { 1, 1, n, k }, .format = fmt,
					   .flags = zeros ? DRM_QUASAR_TENSOR_ZERO_POINTS : 0 };
	w->t.addr = v1_upload(e, w->buf.data, w->g.data_bytes);
	if (w->g.scale_bytes)
		w->wp.scales = v1_upload(e, w->buf.scales, w->g.scale_bytes);
	if (w->g.zero_bytes)
		w->wp.zeros = v1_upload(e, w->buf.zeros, w->g.zero_bytes);
	if (w->g.meta_bytes)
		w->wp.meta = v1_upload(e, w->buf.meta, w->g.meta_bytes);
	w->wp.group = w->w.group;
	if (w->w.fmt == DP_W_NVFP4)
		w->wp.tensor_scale = v1_f2u(w->w.tensor_scale);
	return 0;
}

static inline void v1_weights_free(struct v1_weights *w)
{
	free(w->buf.data);
	free(w->buf.scales);
	free(w->buf.zeros);
	free(w->buf.meta);
}

/* BF16 random activations. */
static inline void v1_rand_bf16(uint16_t *x, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = dp_f32_to_bf16(v1_rand(&seed) * 3.0f);
}

static inline void v1_rand_f32(float *x, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = v1_rand(&seed) * 3.0f;
}

#endif /* FW_TEST_V1_H */
