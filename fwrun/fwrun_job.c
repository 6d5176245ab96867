// SPDX-License-Identifier: MIT
/* The runner's jobs: a booted firmware with a compute engine (fwrun.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_num.h"
#include "fwrun.h"

int fwrun_init(struct fwrun *r, uint64_t sram_size)
{
	struct fwrun_config cfg = { .sram_size = sram_size };

	return fwrun_init_config(r, &cfg);
}

/* 4 MiB: the QEMU device's default sram-size (docs/hw-spec.md). */
#define FWRUN_SRAM_DEFAULT	(4ull << 20)

int fwrun_init_config(struct fwrun *r, const struct fwrun_config *cfg)
{
	struct fwrun_config c = cfg ? *cfg : (struct fwrun_config){ 0 };
	uint64_t pages, ws_size;

	memset(r, 0, sizeof(*r));
	if (!c.sram_size)
		c.sram_size = FWRUN_SRAM_DEFAULT;
	if (!c.va_size)
		c.va_size = FWRUN_VA_SIZE;
	c.va_size = (c.va_size + FWRUN_PAGE - 1) & ~(FWRUN_PAGE - 1);
	if (c.va_size > FWRUN_VA_MAX)
		return -1;
	/*
	 * The window, the read-only page, and the tables: one level-0 table
	 * per 512 pages, a few above them. Neither memory nor the window is
	 * touched until used, so a large default costs only address space.
	 */
	pages = c.va_size / FWRUN_PAGE;
	if (!c.mem_size)
		c.mem_size = c.va_size <= FWRUN_VA_SIZE ? FWRUN_MEM_SIZE :
			     (pages + pages / 512 + 64) * FWRUN_PAGE + FWRUN_MEM_SIZE;
	if (fwrun_mem_init_size(&r->mem, c.mem_size))
		return -1;
	r->va_size = c.va_size;
	r->sram = aligned_alloc(64, (c.sram_size + 63) / 64 * 64);
	if (!r->sram || fw_engine_init(&r->eng, r->sram, c.sram_size))
		return -1;
	if (c.simd) {
		ws_size = fw_engine_ws_size(c.sram_size);
		r->ws = aligned_alloc(64, ws_size);
		if (!r->ws)
			return -1;
		fw_engine_use_simd(&r->eng, r->ws, ws_size);
	}
	if (fwrun_boot_engine(&r->fw, &r->mem, FW_ROM_OPS, &r->eng))
		return -1;
	r->root = fwrun_new_root(&r->mem);
	fwrun_map_runs(&r->mem, r->root, FWRUN_VA, r->va_size, true, c.contig);
	fwrun_map_range(&r->mem, r->root, FWRUN_RO_VA, FWRUN_PAGE, false);
	fwrun_ctx_bind(&r->fw, FWRUN_SLOT, r->root);
	r->next = FWRUN_VA + FWRUN_PAGE;	/* page 0 holds the stream */
	return 0;
}

void fwrun_fini(struct fwrun *r)
{
	free(r->sram);
	free(r->ws);
	r->sram = NULL;
	r->ws = NULL;
	fwrun_mem_fini(&r->mem);
}

uint64_t fwrun_alloc(struct fwrun *r, uint64_t size)
{
	uint64_t va = r->next;

	r->next = (r->next + size + 63) & ~63ull;
	if (r->next > FWRUN_VA + r->va_size) {
		fprintf(stderr, "fwrun_alloc: %llu bytes do not fit the device VA window\n",
			(unsigned long long)size);
		abort();
	}
	return va;
}

/* Page by page: neighbouring VA pages are not physically contiguous. */
void fwrun_write(struct fwrun *r, uint64_t va, const void *src, uint64_t len)
{
	const uint8_t *s = src;

	while (len) {
		uint64_t n = FWRUN_PAGE - (va & (FWRUN_PAGE - 1));

		n = n < len ? n : len;
		memcpy(fwrun_va_ptr(&r->mem, r->root, va), s, n);
		va += n;
		s += n;
		len -= n;
	}
}

void fwrun_read(struct fwrun *r, uint64_t va, void *dst, uint64_t len)
{
	uint8_t *d = dst;

	while (len) {
		uint64_t n = FWRUN_PAGE - (va & (FWRUN_PAGE - 1));

		n = n < len ? n : len;
		memcpy(d, fwrun_va_ptr(&r->mem, r->root, va), n);
		va += n;
		d += n;
		len -= n;
	}
}

uint64_t fwrun_upload(struct fwrun *r, const void *src, uint64_t len)
{
	uint64_t va = fwrun_alloc(r, len);

	fwrun_write(r, va, src, len);
	return va;
}

void fwrun_emit(struct fwrun *r, const void *cmd, size_t n)
{
	if (n > sizeof(r->stream) - r->len) {
		fprintf(stderr, "fwrun_emit: the stream is full (%u bytes)\n", r->len);
		abort();
	}
	memcpy(r->stream + r->len, cmd, n);
	r->len += (uint32_t)n;
}

void fwrun_emit_isa_version(struct fwrun *r, uint32_t version)
{
	struct drm_quasar_cmd_isa_version c = {
		{ DRM_QUASAR_OP_ISA_VERSION, sizeof(c), 0 }, version, 0,
	};

	fwrun_emit(r, &c, sizeof(c));
}

void fwrun_run(struct fwrun *r)
{
	fwrun_write(r, FWRUN_VA, r->stream, r->len);
	fwrun_run_at(r, FWRUN_VA, r->len);
	r->len = 0;
}

void fwrun_run_at(struct fwrun *r, uint64_t va, uint32_t len)
{
	struct quasar_hw_desc d = { 0 };

	d.cmd_addr = va;
	d.cmd_size = len;
	d.ctx_slot = FWRUN_SLOT;
	memset(&r->res, 0xee, sizeof(r->res));
	fw_job_run(&r->fw, &d, NULL, &r->res);
}

struct drm_quasar_tensor fwrun_tensor(uint64_t addr, uint32_t fmt, uint32_t d0, uint32_t d1,
				      uint32_t d2, uint32_t d3)
{
	struct drm_quasar_tensor t = {
		.addr = addr, .dims = { d0, d1, d2, d3 },
		.strides = { d1 * d2 * d3, d2 * d3, d3, 1 }, .format = fmt,
	};

	return t;
}

int fwrun_weights_quantize(struct fwrun *r, struct fwrun_weights *w, uint32_t fmt,
			   uint32_t n, uint32_t k, const float *src, bool zeros)
{
	memset(w, 0, sizeof(*w));
	w->w.fmt = fmt;
	w->w.n = n;
	w->w.k = k;
	w->w.group = fmt == DP_W_INT4 || fmt == DP_W_SP_INT4 ? 32 : 0;
	w->w.flags = zeros ? DP_WT_ZERO : 0;
	if (dp_geom_get(w->w.fmt, n, k, w->w.group, w->w.flags, &w->g))
		return -1;
	/* One spare byte each: a format without the buffer still gets a pointer. */
	w->buf.data = calloc(1, w->g.data_bytes);
	w->buf.scales = calloc(1, w->g.scale_bytes + 1);
	w->buf.zeros = calloc(1, w->g.zero_bytes + 1);
	w->buf.meta = calloc(1, w->g.meta_bytes + 1);
	if (!w->buf.data || !w->buf.scales || !w->buf.zeros || !w->buf.meta ||
	    dp_quantize(&w->w, &w->buf, src, k, 0)) {
		fwrun_weights_free(w);
		return -1;
	}
	w->t = (struct drm_quasar_tensor){ .dims = { 1, 1, n, k }, .format = fmt,
					   .flags = zeros ? DRM_QUASAR_TENSOR_ZERO_POINTS : 0 };
	w->t.addr = fwrun_upload(r, w->buf.data, w->g.data_bytes);
	if (w->g.scale_bytes)
		w->wp.scales = fwrun_upload(r, w->buf.scales, w->g.scale_bytes);
	if (w->g.zero_bytes)
		w->wp.zeros = fwrun_upload(r, w->buf.zeros, w->g.zero_bytes);
	if (w->g.meta_bytes)
		w->wp.meta = fwrun_upload(r, w->buf.meta, w->g.meta_bytes);
	w->wp.group = w->w.group;
	if (w->w.fmt == DP_W_NVFP4)
		w->wp.tensor_scale = dp_f2u(w->w.tensor_scale);
	return 0;
}

void fwrun_weights_free(struct fwrun_weights *w)
{
	free(w->buf.data);
	free(w->buf.scales);
	free(w->buf.zeros);
	free(w->buf.meta);
	memset(&w->buf, 0, sizeof(w->buf));
}
