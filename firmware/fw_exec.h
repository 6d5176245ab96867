/* SPDX-License-Identifier: MIT */
/*
 * Execution of the ISA's compute commands: the pieces fw_ops.c, fw_gemm.c
 * and fw_attn.c share. One struct fw_xctx lives on the stack per command; it
 * owns the SRAM for the command's duration (a bump allocator released as a
 * whole) and the counters of the tile in progress, which fw_cost.c turns
 * into cycles and energy when the tile ends.
 */
#ifndef FW_EXEC_H
#define FW_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "drm/quasar_isa.h"
#include "fw_api.h"
#include "isa_validate.h"

#define FW_SRAM_ALIGN	64u

/* Byte classes of staged reads (struct fw_job_stats). */
enum fw_cls {
	FW_CLS_WEIGHTS,
	FW_CLS_WMETA,
	FW_CLS_ACT,
};

struct fw_xctx {
	const struct fw_device *fw;
	struct fw_engine *e;
	unsigned int slot;
	const struct fw_job_stop *stop;
	uint64_t *fault_addr;
	uint64_t sram_used;
	/* The tile in progress. */
	uint64_t t_dram;
	uint64_t t_sram;
	uint64_t t_macs;	/* executed */
	uint64_t t_vec;
	uint32_t t_wfmt;	/* uapi weight format of t_macs */
	bool t_a8;
};

static inline uint64_t fw_a64(uint64_t v)
{
	return (v + FW_SRAM_ALIGN - 1) & ~(uint64_t)(FW_SRAM_ALIGN - 1);
}

/* fw_sram.c: SRAM regions and staged DMA, counted as they happen. */
void *fw_sram_alloc(struct fw_xctx *x, uint64_t bytes);
int fw_sram_in(struct fw_xctx *x, uint64_t va, void *dst, uint64_t len,
	       enum fw_cls cls);
/* Counts @len bytes as staged in (fw_sram_in() without the copy). */
void fw_sram_count(struct fw_xctx *x, uint64_t len, enum fw_cls cls);
/*
 * @rows rows of @len bytes, @stride bytes apart from @va, into @dst back to
 * back: the same bytes, counts and faults as fw_sram_in() row by row.
 */
int fw_sram_in_rows(struct fw_xctx *x, uint64_t va, uint64_t stride, uint64_t len,
		    uint64_t rows, void *dst, enum fw_cls cls);
int fw_sram_out(struct fw_xctx *x, uint64_t va, const void *src, uint64_t len);
/*
 * @span bytes from @va where they lie in guest memory, when they are one
 * run the HAL hands out (hal.dma_map) and nothing forces the copy; NULL
 * otherwise. Counts nothing; fw_sram_unmap() gives it back.
 */
const void *fw_sram_map(struct fw_xctx *x, uint64_t va, uint64_t span);
void fw_sram_unmap(struct fw_xctx *x, const void *p);
bool fw_xctx_stopped(const struct fw_xctx *x);

/* fw_cost.c: what the compute step of the current tile does. */
void fw_cost_macs(struct fw_xctx *x, uint64_t dense, uint64_t exec,
		  uint32_t wfmt, bool a8);
void fw_cost_vec(struct fw_xctx *x, uint64_t elems);
/* SRAM bytes the compute step reads and writes. */
void fw_cost_operands(struct fw_xctx *x, uint64_t bytes);
void fw_cost_tile_end(struct fw_xctx *x);

/*
 * fw_tensor.c: the operands the validator decoded (isa_validate.h), as the
 * engine reaches them: row addresses, the MMU pre-check, packed panels.
 */
/* Device address of row @r (0 <= r < rows) of a plain tensor. */
uint64_t fw_tensor_row(const struct isa_tensor *t, uint64_t r);
/* Every page of [va, va + len) mapped (writable if @write) in the context. */
int fw_range_check(struct fw_xctx *x, uint64_t va, uint64_t len, bool write);
int fw_tensor_check_access(struct fw_xctx *x, const struct isa_tensor *t, bool write);
int fw_weights_check_access(struct fw_xctx *x, const struct isa_weights *w);
/* Fill a datapath view of panels [p0, p0 + np) staged at the given buffers. */
struct dp_wt;
void fw_weights_view(const struct isa_weights *w, uint32_t p0, uint32_t np,
		     const void *data, const void *scales, const void *zeros,
		     const void *meta, struct dp_wt *view);
/* Stage panels [p0, p0 + np) into SRAM regions allocated by the caller. */
int fw_weights_stage(struct fw_xctx *x, const struct isa_weights *w, uint32_t p0,
		     uint32_t np, void *data, void *scales, void *zeros, void *meta);
/* SRAM bytes that @np staged panels take (each buffer 64-byte aligned). */
uint64_t fw_weights_sram(const struct isa_weights *w, uint32_t np);

/*
 * fw_wplace.c: a weight tile as the kernels read it, in runs of panels
 * whose arrays each come either from where they lie in guest memory or
 * from their SRAM region (2.3 KiB on the stack).
 */
#define FW_WRUNS_MAX	32
#define FW_WMAPS_MAX	(4 * FW_WRUNS_MAX)

struct fw_wrun {
	uint32_t p, np;		/* panels [p, p + np) of the tile */
	const void *data, *scales, *zeros, *meta;	/* panel p's bytes */
};

struct fw_wtile {
	uint32_t p0;		/* the tile's first panel */
	uint32_t n;		/* runs */
	struct fw_wrun run[FW_WRUNS_MAX];
	uint32_t maps;		/* hal.dma_map pointers to give back */
	const void *map[FW_WMAPS_MAX];
};

/*
 * Panels [p0, p0 + np) placed, staging into the caller's SRAM regions
 * what cannot be read in place: the same bytes counted, and the same
 * faults, as fw_weights_stage(). Every pointer taken is given back by
 * fw_weights_release(), which the caller calls once the kernels are done
 * (on failure, this does).
 */
int fw_weights_place(struct fw_xctx *x, const struct isa_weights *w, uint32_t p0,
		     uint32_t np, void *data, void *scales, void *zeros, void *meta,
		     struct fw_wtile *t);
void fw_weights_release(struct fw_xctx *x, struct fw_wtile *t);

/* fw_gemm.c: GEMM and CONV2D. */
int fw_gemm_exec(struct fw_xctx *x, uint16_t op, const struct isa_gemm *g);

/* fw_attn.c: MATMUL. */
int fw_matmul_exec(struct fw_xctx *x, const struct isa_matmul *c);

#endif /* FW_EXEC_H */
