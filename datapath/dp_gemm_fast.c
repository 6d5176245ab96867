// SPDX-License-Identifier: MIT
/*
 * Quasar datapath fast GEMM: the workspace, and dispatch of output tiles to
 * the SIMD kernels (dp_gemm_simd.c) or the golden model.
 */
#include "dp_gemm_simd.h"
#include "dp_elem.h"

static size_t dp_round64(size_t v)
{
	return (v + 63) / 64 * 64;
}

void dp_ws_view_get(const struct dp_gemm *g, const struct dp_geom *geom, const void *ws,
		    struct dp_ws_view *v)
{
	uint8_t *p = (uint8_t *)ws;

	v->kpad = geom->kpad;
	v->blocks = geom->blocks;
	v->xp = NULL;
	v->qx = NULL;
	v->bsum = NULL;
	if (g->afmt == DP_A_BF16) {
		v->xp = (uint32_t *)p;
	} else {
		v->qx = (int8_t *)p;
		v->bsum = (int32_t *)(p + dp_round64((size_t)g->m * geom->kpad));
	}
}

size_t dp_gemm_ws_size(const struct dp_gemm *g)
{
	struct dp_geom geom;

	if (dp_gemm_check(g, &geom))
		return 0;
	if (g->afmt == DP_A_BF16)
		return dp_round64((size_t)g->m * geom.kpad * sizeof(uint16_t));
	return dp_round64((size_t)g->m * geom.kpad) +
	       dp_round64((size_t)g->m * geom.blocks * sizeof(int32_t));
}

int dp_gemm_prepare(const struct dp_gemm *g, void *ws, size_t ws_size)
{
	struct dp_geom geom;
	struct dp_ws_view v;
	uint32_t m, k, b;
	bool sparse;
	int ret;

	ret = dp_gemm_check(g, &geom);
	if (ret)
		return ret;
	if (!ws || ((uintptr_t)ws % DP_WS_ALIGN) || ws_size < dp_gemm_ws_size(g))
		return DP_EINVAL;
	dp_ws_view_get(g, &geom, ws, &v);
	sparse = dp_fmt_info(g->w->fmt)->sparse;
	for (m = 0; m < g->m; m++) {
		if (v.xp) {
			const uint16_t *x = g->x + (size_t)m * g->ldx;
			uint32_t *row = v.xp + (size_t)m * (v.kpad / 2);

			for (k = 0; k < geom.kpad; k += 2)
				row[k / 2] = (uint32_t)(k < g->w->k ? x[k] : 0x8000) << 16 |
					     (k + 1 < g->w->k ? x[k + 1] : 0x8000);
			continue;
		}
		for (b = 0; b < geom.blocks; b++) {
			int32_t s = 0;

			for (k = b * geom.block; k < (b + 1) * geom.block; k++) {
				int8_t q = k < g->w->k ? g->qx[(size_t)m * g->ldx + k] : 0;

				/* 2:4 kernels take x + 128 as u8 (dp_a8_sparse()) */
				v.qx[(size_t)m * v.kpad + k] = sparse ? (int8_t)(q ^ 0x80) : q;
				s += q;
			}
			v.bsum[(size_t)m * geom.blocks + b] = s;
		}
	}
	return DP_OK;
}

int dp_gemm_tile(const struct dp_gemm *g, const void *ws, uint32_t isa,
		 uint32_t n0, uint32_t n1, uint32_t m0, uint32_t m1)
{
	struct dp_geom geom;
	struct dp_ws_view v;
	int ret;

	ret = dp_gemm_check(g, &geom);
	if (ret)
		return ret;
	if (n0 % DP_PANEL || n0 > n1 || n1 > g->w->n || m0 > m1 || m1 > g->m ||
	    isa >= DP_ISA_COUNT)
		return DP_EINVAL;
	if (!dp_isa_ok(isa))
		return DP_ENOTSUP;
	if (isa == DP_ISA_SCALAR)
		return dp_gemm_ref_tile(g, n0, n1, m0, m1);
	if (!ws || ((uintptr_t)ws % DP_WS_ALIGN))
		return DP_EINVAL;
	dp_ws_view_get(g, &geom, ws, &v);
	if (isa == DP_ISA_AVX512BF16)
		dp_gemm_tile_avx512bf16(g, &geom, &v, n0, n1, m0, m1);
	else if (isa == DP_ISA_AVX512)
		dp_gemm_tile_avx512(g, &geom, &v, n0, n1, m0, m1);
	else
		dp_gemm_tile_avx2(g, &geom, &v, n0, n1, m0, m1);
	return DP_OK;
}

void dp_act_quant_fast(const uint16_t *x, uint32_t k, int8_t *q, float *sx, uint32_t isa)
{
	if (isa >= DP_ISA_AVX512 && dp_isa_ok(isa))
		dp_act_quant_avx512(x, k, q, sx);
	else if (isa == DP_ISA_AVX2 && dp_isa_ok(isa))
		dp_act_quant_avx2(x, k, q, sx);
	else
		dp_act_quant_ref(x, k, q, sx);
}
