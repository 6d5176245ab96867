// SPDX-License-Identifier: MIT
/*
 * Quasar datapath fast GEMM, one source for AVX2 and AVX-512 (dp_simd_vec.h).
 *
 * Bit-exactness with dp_gemm_ref() comes from doing the same IEEE
 * operations in the same order per output: lanes are 16 output channels of
 * one weight panel, each lane walks K sequentially exactly as the golden
 * model does (on the BF16-activation path one dp_dot_step() per k: an FMA
 * with flush-to-zero here, or two of them per VDPBF16PS in the AVX512_BF16
 * kernel at the end of this file). Integer block sums are exact, so their internal order is free
 * (dot-product instructions); see docs/numerics.md "GEMM".
 */
#include "dp_simd_dec.h"

#if defined(DP_ISA_avx512)
#define DP_K(name) name##_avx512
#define DP_MR 8
#else
#define DP_K(name) name##_avx2
#define DP_MR 4
#endif

/* ---- BF16-activation path ---- */

/*
 * Every product enters the sum as one dp_dot_step(): subnormal inputs read
 * as zero, e * x + p rounded once, a result below 2^-126 (tininess after
 * rounding) flushed to zero. A fused multiply-add under MXCSR.DAZ|FTZ with
 * round-to-nearest is exactly that step (x86 detects tininess after
 * rounding); these kernels set it around a block's dot loop only, because
 * the block factors and the epilogue are plain IEEE arithmetic.
 */
#if defined(DP_ISA_avx512)
DP_AI void dp_pin(vf *v) { __asm__ volatile("" : "+v"(*v)); }
#else
DP_AI void dp_pin(vf *v) { __asm__ volatile("" : "+x"(v->a), "+x"(v->b)); }
#endif

/*
 * The compiler does not know that MXCSR changes arithmetic, so the window
 * is fenced by data: volatile asm statements keep their order, and each
 * sum passes through one (dp_pin()) on the right side of every MXCSR
 * write. The sums @acc of earlier blocks are complete before the window
 * opens; the block sums @pb start inside it and are final before it closes.
 */
DP_AI unsigned dp_flush_enter(vf *acc, vf *pb, const uint32_t T)
{
	unsigned csr, ftz;
	uint32_t t;

	for (t = 0; t < T; t++)
		dp_pin(&acc[t]);
	__asm__ volatile("stmxcsr %0" : "=m"(csr) : : "memory");
	ftz = (csr & ~0x6000u) | 0x8040u;	/* round to nearest, FTZ, DAZ */
	__asm__ volatile("ldmxcsr %0" : : "m"(ftz) : "memory");
	for (t = 0; t < T; t++) {
		pb[t] = vf_zero();
		dp_pin(&pb[t]);
	}
	return csr;
}

DP_AI void dp_flush_leave(unsigned csr, vf *pb, const uint32_t T)
{
	uint32_t t;

	for (t = 0; t < T; t++)
		dp_pin(&pb[t]);
	__asm__ volatile("ldmxcsr %0" : : "m"(csr) : "memory");
	for (t = 0; t < T; t++)
		dp_pin(&pb[t]);
}

/* Activations 2j (high half of pair j) and 2j + 1 of a prepared row. */
DP_AI void dp_xpair(const uint32_t *xp, uint32_t j, vf *x0, vf *x1)
{
	vi b = vi_bcast32(xp + j);

	*x0 = vf_bits(vi_and(b, vi_set1((int32_t)0xffff0000u)));
	*x1 = vf_bits(vi_slli(b, 16));
}

/*
 * The dense kernels keep T independent accumulator sets ("lanes sets") in
 * flight: T rows of M sharing one weight panel (np == 1, GEMM), or, for a
 * single row, T consecutive panels (np == T, GEMV). The second form gives a
 * GEMV several independent FP dependency chains and several weight streams,
 * which is what a DRAM-bound single row needs. Each output's own sequence of
 * operations is the same either way.
 */
#define DP_PANEL_BYTES(c, bits) ((size_t)(c)->geom->kstore * DP_PANEL * (bits) / 8)

/*
 * Where set t of a BF16-activation kernel reads: its row's prepared
 * activations @x and its panel's weights @d (T rows on panel p, or with
 * @np row m on T panels from p).
 */
DP_AI void dp_a16_ptrs(const struct dp_kc *c, uint32_t p, uint32_t m, const uint32_t T,
		       const bool np, const uint32_t bits, const uint32_t **x, const uint8_t **d)
{
	uint32_t t;

	for (t = 0; t < T; t++) {
		x[t] = c->v->xp + (size_t)(m + (np ? 0 : t)) * (c->v->kpad / 2);
		d[t] = (const uint8_t *)c->w->data + (p + (np ? t : 0)) * DP_PANEL_BYTES(c, bits);
	}
}

DP_AI void dp_a16_dense(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc,
			const uint32_t T, const bool np, const uint32_t fmt)
{
	static const float int4_sym[16] = { -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7 };
	const struct dp_geom *geom = c->geom;
	const uint32_t bits = dp_fmt_info(fmt)->elem_bits;
	const uint8_t *d[DP_MR];
	const uint32_t *x[DP_MR];
	/* 4-bit code -> element value, shared by all lanes: E2M1, or INT4 minus 8 */
	vf lut = fmt == DP_W_INT4 ? vf_load(int4_sym) : dp_v_e2m1_table();
	bool lanez = fmt == DP_W_INT4 && (c->w->flags & DP_WT_ZERO);
	uint32_t K = c->w->k, b, k, t;
	unsigned csr;

	dp_a16_ptrs(c, p, m, T, np, bits, x, d);
	for (b = 0; b < c->nb; b++) {
		uint32_t k0 = b * geom->block, k1 = k0 + geom->block > K ? K : k0 + geom->block;
		vf pb[DP_MR];
		vi zv[DP_MR];

		for (t = 0; t < T; t++)
			zv[t] = lanez && (np || t == 0) ? dp_v_zero(c, p + (np ? t : 0), b) : vi_zero();
		csr = dp_flush_enter(acc, pb, T);
		if (fmt == DP_W_BF16) {
			for (k = k0; k < k1; k += 2) {
				vf x0[DP_MR], x1[DP_MR], e;

				for (t = 0; t < T; t++)
					dp_xpair(x[np ? 0 : t], k / 2, &x0[t], &x1[t]);
				e = dp_v_bf16(vi_u16x16(d[0] + (size_t)k * 32));
				for (t = 0; t < T; t++) {
					if (np && t)
						e = dp_v_bf16(vi_u16x16(d[t] + (size_t)k * 32));
					pb[t] = vf_fmadd(e, x0[t], pb[t]);
				}
				if (k + 1 >= k1)
					break;
				e = dp_v_bf16(vi_u16x16(d[0] + (size_t)(k + 1) * 32));
				for (t = 0; t < T; t++) {
					if (np && t)
						e = dp_v_bf16(vi_u16x16(d[t] + (size_t)(k + 1) * 32));
					pb[t] = vf_fmadd(e, x1[t], pb[t]);
				}
			}
		} else if (bits == 8) {
			for (k = k0; k < k1; k += 4) {
				vi line[DP_MR];
				unsigned i;

				for (t = 0; t < (np ? T : 1); t++) {
					dp_prefetch(d[t] + (size_t)k * 16);
					line[t] = vi_load(d[t] + (size_t)k * 16);
				}
#pragma GCC unroll 2
				for (i = 0; i < 4; i += 2) {
					if (k + i >= k1)
						break;
					for (t = 0; t < T; t++) {
						vi l = line[np ? t : 0];
						vf x0, x1;

						dp_xpair(x[t], (k + i) / 2, &x0, &x1);
						pb[t] = vf_fmadd(dp_v_elem8(l, i, fmt), x0, pb[t]);
						if (k + i + 1 < k1)
							pb[t] = vf_fmadd(dp_v_elem8(l, i + 1, fmt), x1, pb[t]);
					}
				}
			}
		} else {	/* 4-bit: INT4, MXFP4, NVFP4 */
			for (k = k0; k < k1; k += 8) {
				vi line[DP_MR];
				unsigned i;

				for (t = 0; t < (np ? T : 1); t++) {
					dp_prefetch(d[t] + (size_t)k * 8);
					line[t] = vi_load(d[t] + (size_t)k * 8);
				}
#pragma GCC unroll 4
				for (i = 0; i < 8; i += 2) {
					if (k + i >= k1)
						break;
					for (t = 0; t < T; t++) {
						uint32_t u = np ? t : 0;
						vi q0 = dp_v_nib(line[u], i), q1 = dp_v_nib(line[u], i + 1);
						vf e0 = lanez ? vf_from_i(vi_sub(q0, zv[u])) : vf_lut16(q0, lut);
						vf e1 = lanez ? vf_from_i(vi_sub(q1, zv[u])) : vf_lut16(q1, lut);
						vf x0, x1;

						dp_xpair(x[t], (k + i) / 2, &x0, &x1);
						pb[t] = vf_fmadd(e0, x0, pb[t]);
						if (k + i + 1 < k1)
							pb[t] = vf_fmadd(e1, x1, pb[t]);
					}
				}
			}
		}
		dp_flush_leave(csr, pb, T);
		for (t = 0; t < T; t++) {
			if (fmt != DP_W_BF16)
				pb[t] = vf_mul(pb[t], dp_v_factor(c, p + (np ? t : 0), b, false, fmt));
			acc[t] = vf_add(acc[t], pb[t]);
		}
	}
}

/* Activations at k = 4q + idx (idx in 0..3 per lane) of a prepared row. */
DP_AI vf dp_x_pick4(const uint32_t *xp, uint32_t q, vi idx)
{
	uint32_t x4[4] = { xp[2 * q] & 0xffff0000u, xp[2 * q] << 16,
			   xp[2 * q + 1] & 0xffff0000u, xp[2 * q + 1] << 16 };

	return vf_pick4(idx, (const float *)x4);
}

DP_AI void dp_a16_sparse(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc,
			 const uint32_t mr, const uint32_t fmt)
{
	const struct dp_geom *geom = c->geom;
	const uint32_t *x[DP_MR];
	uint32_t K = c->w->k, b, q, r, s;
	unsigned csr;

	for (r = 0; r < mr; r++)
		x[r] = c->v->xp + (size_t)(m + r) * (c->v->kpad / 2);
	for (b = 0; b < c->nb; b++) {
		uint32_t k0 = b * geom->block, k1 = k0 + geom->block > K ? K : k0 + geom->block;
		vi zv = fmt == DP_W_SP_INT4 ? dp_v_zero(c, p, b) : vi_zero();
		vf pb[DP_MR];

		csr = dp_flush_enter(acc, pb, mr);
		for (q = k0 / 4; q * 4 < k1; q++) {
			vi code = dp_v_meta(c, p, q);

			for (s = 0; s < 2; s++) {
				vi idx = vi_and(vi_srli(code, 2 * s), vi_set1(3));
				vf e = dp_v_sp_elem(c, p, 2 * q + s, zv, fmt);

				if (4 * q + 4 <= K) {
					for (r = 0; r < mr; r++)
						pb[r] = vf_fmadd(e, dp_x_pick4(x[r], q, idx), pb[r]);
				} else {
					/* tail group: positions at or past K do not contribute */
					vm in = vi_lt(vi_add(idx, vi_set1((int32_t)(4 * q))),
						      vi_set1((int32_t)K));

					for (r = 0; r < mr; r++)
						pb[r] = vf_blend(in, pb[r],
								 vf_fmadd(e, dp_x_pick4(x[r], q, idx),
									  pb[r]));
				}
			}
		}
		dp_flush_leave(csr, pb, mr);
		if (fmt != DP_W_SP_BF16) {
			vf f = dp_v_factor(c, p, b, false, fmt);

			for (r = 0; r < mr; r++)
				pb[r] = vf_mul(pb[r], f);
		}
		for (r = 0; r < mr; r++)
			acc[r] = vf_add(acc[r], pb[r]);
	}
}

/* ---- int8-activation path ---- */

/* @T rows from @m on panel @p (GEMM); a lone row takes dp_a8_gemv(). */
DP_AI void dp_a8_dense(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc,
		       const uint32_t T, const uint32_t fmt)
{
	/* twice E2M1 plus 12: unsigned bytes for the u8 x s8 dot product */
	static const uint8_t fp4u[16] = { 12, 13, 14, 15, 16, 18, 20, 24,
					  12, 11, 10, 9, 8, 6, 4, 0 };
	const struct dp_geom *geom = c->geom;
	const uint32_t bits = dp_fmt_info(fmt)->elem_bits;
	const uint8_t *d = (const uint8_t *)c->w->data + p * DP_PANEL_BYTES(c, bits);
	const int8_t *qx[DP_MR];
	const int32_t *bs[DP_MR];
	bool fp4 = fmt == DP_W_MXFP4 || fmt == DP_W_NVFP4;
	/* the offset added to make weights unsigned, when it is the same for every lane */
	int32_t offc = bits == 8 ? 128 : fp4 ? 12 : (c->w->flags & DP_WT_ZERO) ? 0 : 8;
	uint32_t b, k, t;
	vi lut = vi_table16(fp4u);

	for (t = 0; t < T; t++) {
		qx[t] = c->v->qx + (size_t)(m + t) * c->v->kpad;
		bs[t] = c->v->bsum + (size_t)(m + t) * c->v->blocks;
	}
	for (b = 0; b < c->nb; b++) {
		uint32_t k0 = b * geom->block, k1 = k0 + geom->block;
		vi ia[DP_MR];

		for (t = 0; t < T; t++)
			ia[t] = vi_zero();
		if (bits == 8) {
			for (k = k0; k < k1; k += 4) {
				vi u;

				/* w + 128 as u8: then sum (w + 128) * x - 128 * sum x = sum w * x */
				dp_prefetch(d + (size_t)k * 16);
				u = vi_xor(vi_load(d + (size_t)k * 16), vi_set1((int32_t)0x80808080u));
				for (t = 0; t < T; t++)
					ia[t] = vi_dpbusd(ia[t], u, vi_bcast32(qx[t] + k));
			}
		} else {
			for (k = k0; k < k1; k += 8) {
				vi line, lo, hi;

				dp_prefetch(d + (size_t)k * 8);
				line = vi_load(d + (size_t)k * 8);
				lo = vi_and(line, vi_set1(0x0f0f0f0f));
				hi = vi_and(vi_srli(line, 4), vi_set1(0x0f0f0f0f));
				if (fp4) {
					lo = vi_pshufb(lut, lo);
					hi = vi_pshufb(lut, hi);
				}
				for (t = 0; t < T; t++) {
					ia[t] = vi_dpbusd(ia[t], lo, vi_bcast32(qx[t] + k));
					ia[t] = vi_dpbusd(ia[t], hi, vi_bcast32(qx[t] + k + 4));
				}
			}
		}
		{
			vi z = offc ? vi_zero() : dp_v_zero(c, p, b);
			vf f = dp_v_factor(c, p, b, true, fmt);

			for (t = 0; t < T; t++) {
				vi corr = offc ? vi_set1(offc * bs[t][b]) :
						 vi_mullo(z, vi_set1(bs[t][b]));

				acc[t] = vf_add(acc[t], vf_mul(vf_from_i(vi_sub(ia[t], corr)), f));
			}
		}
	}
}

/*
 * One row (GEMV) on DP_NP consecutive panels, int8 activations. Weights
 * stream once from DRAM, so what matters is the vector work per weight
 * byte and keeping every stream's loads ahead: the activations and block
 * sums are the row's, shared by the panels; every accumulator stays in a
 * register. A 4-bit integer line is split with two ANDs and no shift: the
 * high nibbles enter the dot product as 16 q, and their block sum is
 * shifted back (exact: 16 divides it). Scales are prefetched as far ahead
 * as the weights.
 */
#define DP_NP 4		/* panels in flight for a lone row */

DP_AI void dp_a8_gemv(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc, const uint32_t T,
		       const uint32_t fmt)
{
	static const uint8_t fp4u[16] = { 12, 13, 14, 15, 16, 18, 20, 24,
					  12, 11, 10, 9, 8, 6, 4, 0 };
	const struct dp_geom *geom = c->geom;
	const uint32_t bits = dp_fmt_info(fmt)->elem_bits;
	const bool fp4 = fmt == DP_W_MXFP4 || fmt == DP_W_NVFP4;
	const bool zero = bits == 4 && !fp4 && (c->w->flags & DP_WT_ZERO);
	const int32_t offc = bits == 8 ? 128 : fp4 ? 12 : zero ? 0 : 8;
	/* bytes of one scale, and of one panel-block of scales (prefetch stride) */
	const size_t sbytes = fmt == DP_W_INT8 ? 4 : fmt == DP_W_INT4 ? 2 : 1;
	const size_t pbytes = DP_PANEL_BYTES(c, bits);
	const size_t bbytes = (size_t)geom->block * DP_PANEL * bits / 8;
	const uint8_t *d = (const uint8_t *)c->w->data + (size_t)p * pbytes;
	const uint8_t *sc = (const uint8_t *)c->w->scales +
			    (size_t)p * geom->blocks * DP_PANEL * sbytes;
	const size_t sstride = (size_t)geom->blocks * DP_PANEL * sbytes;
	const int8_t *qx = c->v->qx + (size_t)m * c->v->kpad;
	const int32_t *bs = c->v->bsum + (size_t)m * c->v->blocks;
	const vi lut = vi_table16(fp4u), m0f = vi_set1(0x0f0f0f0f);
	const vi mf0 = vi_set1((int32_t)0xf0f0f0f0u), m80 = vi_set1((int32_t)0x80808080u);
	vf a[DP_NP];
	uint32_t b, k, t;

#pragma GCC unroll 4
	for (t = 0; t < T; t++)
		a[t] = vf_zero();
	for (b = 0; b < c->nb; b++, d += bbytes, sc += DP_PANEL * sbytes, qx += geom->block) {
		vi lo[DP_NP], hi[DP_NP], corr;

#pragma GCC unroll 4
		for (t = 0; t < T; t++) {
			lo[t] = vi_zero();
			hi[t] = vi_zero();
			_mm_prefetch((const char *)sc + t * sstride + 16 * DP_PANEL * sbytes,
				     _MM_HINT_T0);
		}
		if (bits == 8) {
			for (k = 0; k < geom->block; k += 8) {
				vi x0 = vi_bcast32(qx + k), x1 = vi_bcast32(qx + k + 4);

#pragma GCC unroll 4
				for (t = 0; t < T; t++) {
					const uint8_t *l = d + t * pbytes + (size_t)k * 16;

					dp_prefetch(l);
					dp_prefetch(l + 64);
					/* w + 128 as u8: sum (w + 128) x - 128 sum x = sum w x */
					lo[t] = vi_dpbusd(lo[t], vi_xor(vi_load(l), m80), x0);
					hi[t] = vi_dpbusd(hi[t], vi_xor(vi_load(l + 64), m80), x1);
				}
			}
		} else {
			for (k = 0; k < geom->block; k += 8) {
				vi x0 = vi_bcast32(qx + k), x1 = vi_bcast32(qx + k + 4);

#pragma GCC unroll 4
				for (t = 0; t < T; t++) {
					const uint8_t *l = d + t * pbytes + (size_t)k * 8;
					vi line = vi_load(l);

					dp_prefetch(l);
					if (fp4) {
						vi el = vi_pshufb(lut, vi_and(line, m0f));
						vi eh = vi_pshufb(lut, vi_and(vi_srli(line, 4), m0f));

						lo[t] = vi_dpbusd(lo[t], el, x0);
						hi[t] = vi_dpbusd(hi[t], eh, x1);
					} else {
						lo[t] = vi_dpbusd(lo[t], vi_and(line, m0f), x0);
						hi[t] = vi_dpbusd(hi[t], vi_and(line, mf0), x1);
					}
				}
			}
		}
		corr = vi_set1(offc * bs[b]);
#pragma GCC unroll 4
		for (t = 0; t < T; t++) {
			vi ia = vi_add(lo[t], bits == 4 && !fp4 ? vi_srai(hi[t], 4) : hi[t]);

			if (zero)
				corr = vi_mullo(dp_v_zero(c, p + t, b), vi_set1(bs[b]));
			a[t] = vf_add(a[t], vf_mul(vf_from_i(vi_sub(ia, corr)),
						   dp_v_factor(c, p + t, b, true, fmt)));
		}
	}
#pragma GCC unroll 4
	for (t = 0; t < T; t++)
		acc[t] = a[t];
}

/*
 * 2:4 rows, int8 activations, one line of index codes (32 K positions, 8
 * groups) per step. A lane's 32-bit unit of weights (4 stored elements, 2
 * groups: a "quad" h covering K positions 8h .. 8h+7 of the step) meets the
 * 4 activations its index codes pick, gathered by a byte shuffle from those
 * 8 bytes; one u8 x s8 dot product then does 4 of the row's MACs, as in the
 * dense path. The gather indices and the signed weights depend only on the
 * panel, so the rows of a GEMM tile share them. Activations enter as
 * x + 128 (unsigned; dp_gemm_prepare() stores them so for 2:4 formats):
 * sum (x + 128) w - 128 sum w = sum x w, exactly.
 */
struct dp_sp_tabs {
	vi sel01, sel23, grp, slot0, slot1;
};

DP_AI struct dp_sp_tabs dp_sp_tabs_get(void)
{
	/* per 128-bit lane (4 output channels): the code bytes of quad 0/1 and 2/3 */
	static const uint8_t sel01[16] = { 0, 0, 1, 1, 4, 4, 5, 5, 8, 8, 9, 9, 12, 12, 13, 13 };
	static const uint8_t sel23[16] = { 2, 2, 3, 3, 6, 6, 7, 7, 10, 10, 11, 11, 14, 14, 15, 15 };
	/* code -> slot 0 index, slot 1 index */
	static const uint8_t slot0[16] = { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3 };
	static const uint8_t slot1[16] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 };
	/* the second group of a quad starts 4 activations further */
	static const uint8_t grp[16] = { 0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 4, 4, 0, 0, 4, 4 };

	return (struct dp_sp_tabs){ vi_table16(sel01), vi_table16(sel23), vi_table16(grp),
				    vi_table16(slot0), vi_table16(slot1) };
}

/*
 * One step (K positions k .. k + 31) of panel data @d and index codes
 * @meta: the 4 signed weight quads @w (zero point @zb removed from every
 * byte) and the byte-gather indices @idx of each. Adds the weights to the
 * lanes' weight sums @wsum.
 */
DP_AI void dp_sp_step(const struct dp_sp_tabs *tb, const uint8_t *d, const uint8_t *meta,
		      uint32_t k, vi zb, const bool i4, vi *w, vi *idx, vi *wsum)
{
	const uint8_t *ml = meta + (size_t)(k / 32) * 64;
	vi code = vi_load(ml), codes[2];
	uint32_t h;

	dp_prefetch(ml);
	codes[0] = vi_and(code, vi_set1(0x0f0f0f0f));			/* groups 0-3 */
	codes[1] = vi_and(vi_srli(code, 4), vi_set1(0x0f0f0f0f));	/* groups 4-7 */
	if (i4) {
		const uint8_t *dl = d + (size_t)(k / 16) * 64;

		for (h = 0; h < 2; h++) {
			vi line = vi_load(dl + 64 * h);

			dp_prefetch(dl + 64 * h);
			w[2 * h] = vi_sub8(vi_and(line, vi_set1(0x0f0f0f0f)), zb);
			w[2 * h + 1] = vi_sub8(vi_and(vi_srli(line, 4), vi_set1(0x0f0f0f0f)), zb);
		}
	} else {
		const uint8_t *dl = d + (size_t)(k / 8) * 64;

		for (h = 0; h < 4; h++) {
			dp_prefetch(dl + 64 * h);
			w[h] = vi_load(dl + 64 * h);
		}
	}
	for (h = 0; h < 4; h++) {
		vi cd = vi_pshufb(codes[h / 2], h & 1 ? tb->sel23 : tb->sel01);

		idx[h] = vi_or(vi_blend_odd8(vi_pshufb(tb->slot0, cd), vi_pshufb(tb->slot1, cd)),
			       tb->grp);
		*wsum = vi_dpbusd(*wsum, vi_set1(0x01010101), w[h]);
	}
}

/* Bytes of one panel's data and of its index codes. */
DP_AI size_t dp_sp_panel_bytes(const struct dp_kc *c, const bool i4)
{
	return (size_t)c->geom->kstore * (i4 ? 8 : 16);
}

DP_AI size_t dp_sp_meta_bytes(const struct dp_kc *c)
{
	return (size_t)(c->geom->kpad / 4) * 8;
}

/* Zero point of every lane in each of its bytes (2:4 INT4), or 0. */
DP_AI vi dp_sp_zb(const struct dp_kc *c, uint32_t p, uint32_t b, const bool i4)
{
	return i4 ? vi_mullo(dp_v_zero(c, p, b), vi_set1(0x01010101)) : vi_zero();
}

/* @mr rows on panel @p (GEMM). */
DP_AI void dp_a8_sparse(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc,
			const uint32_t mr, const uint32_t fmt)
{
	const struct dp_geom *geom = c->geom;
	const bool i4 = fmt == DP_W_SP_INT4;
	const uint8_t *d = (const uint8_t *)c->w->data + p * dp_sp_panel_bytes(c, i4);
	const uint8_t *meta = c->w->meta + p * dp_sp_meta_bytes(c);
	const struct dp_sp_tabs tb = dp_sp_tabs_get();
	const int8_t *qx[DP_MR];
	uint32_t b, k, r, h;

	for (r = 0; r < mr; r++)
		qx[r] = c->v->qx + (size_t)(m + r) * c->v->kpad;
	for (b = 0; b < c->nb; b++) {
		uint32_t k0 = b * geom->block, k1 = k0 + geom->block;
		vi zb = dp_sp_zb(c, p, b, i4);
		vi ia[DP_MR], wsum = vi_zero();
		vf f = dp_v_factor(c, p, b, true, fmt);

		for (r = 0; r < mr; r++)
			ia[r] = vi_zero();
		/* groups past K meet zero activations: exact zeros, no mask needed */
		for (k = k0; k < k1; k += 32) {
			vi w[4], idx[4];

			dp_sp_step(&tb, d, meta, k, zb, i4, w, idx, &wsum);
			for (r = 0; r < mr; r++)
				for (h = 0; h < 4; h++) {
					vi xg = vi_pshufb(vi_bcast64(qx[r] + k + 8 * h), idx[h]);

					ia[r] = vi_dpbusd(ia[r], xg, w[h]);
				}
		}
		for (r = 0; r < mr; r++)
			acc[r] = vf_add(acc[r], vf_mul(vf_from_i(vi_sub(ia[r], vi_slli(wsum, 7))), f));
	}
}

/*
 * One row on @T consecutive panels from @p (GEMV): as dp_a8_sparse(), but
 * the row's activations are shared and the panels' streams (data and index
 * codes) are read side by side, which is what keeps DRAM busy for a single
 * row (see dp_a8_gemv()).
 */
DP_AI void dp_a8_sparse_gemv(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc,
			     const uint32_t T, const uint32_t fmt)
{
	const struct dp_geom *geom = c->geom;
	const bool i4 = fmt == DP_W_SP_INT4;
	const size_t pbytes = dp_sp_panel_bytes(c, i4), mbytes = dp_sp_meta_bytes(c);
	const uint8_t *d = (const uint8_t *)c->w->data + p * pbytes;
	const uint8_t *meta = c->w->meta + p * mbytes;
	const struct dp_sp_tabs tb = dp_sp_tabs_get();
	const int8_t *qx = c->v->qx + (size_t)m * c->v->kpad;
	uint32_t b, k, t, h;

	for (b = 0; b < c->nb; b++) {
		uint32_t k0 = b * geom->block, k1 = k0 + geom->block;
		vi zb[DP_NP], ia[DP_NP], wsum[DP_NP];

#pragma GCC unroll 4
		for (t = 0; t < T; t++) {
			zb[t] = dp_sp_zb(c, p + t, b, i4);
			ia[t] = vi_zero();
			wsum[t] = vi_zero();
		}
		for (k = k0; k < k1; k += 32) {
			vi xq[4];

			for (h = 0; h < 4; h++)
				xq[h] = vi_bcast64(qx + k + 8 * h);
#pragma GCC unroll 4
			for (t = 0; t < T; t++) {
				vi w[4], idx[4];

				dp_sp_step(&tb, d + t * pbytes, meta + t * mbytes, k, zb[t], i4, w,
					   idx, &wsum[t]);
				for (h = 0; h < 4; h++)
					ia[t] = vi_dpbusd(ia[t], vi_pshufb(xq[h], idx[h]), w[h]);
			}
		}
#pragma GCC unroll 4
		for (t = 0; t < T; t++)
			acc[t] = vf_add(acc[t], vf_mul(vf_from_i(vi_sub(ia[t], vi_slli(wsum[t], 7))),
						       dp_v_factor(c, p + t, b, true, fmt)));
	}
}

/* ---- epilogue: the dp_epilogue_ref() sequence on 16 lanes ---- */

DP_AI vf dp_v_act(vf x, uint32_t act)
{
	switch (act) {
	case DP_ACT_RELU:
		return vf_max(x, vf_zero());
	case DP_ACT_GELU: {
		vf x3 = vf_mul(vf_mul(x, x), x);
		vf u = vf_mul(vf_set1(DP_GELU_C0), vf_add(x, vf_mul(vf_set1(DP_GELU_C1), x3)));

		return vf_mul(vf_mul(vf_set1(0.5f), x), vf_add(vf_set1(1.0f), dp_v_tanh(u)));
	}
	case DP_ACT_SILU:
		return vf_div(x, vf_add(vf_set1(1.0f), dp_v_exp(vf_sub(vf_zero(), x))));
	default:
		return x;
	}
}

static void dp_epilogue(const struct dp_kc *c, uint32_t m, uint32_t n0, vf acc)
{
	const struct dp_gemm *g = c->g;
	uint32_t cnt = g->w->n - n0 < 16 ? g->w->n - n0 : 16, i;
	size_t at = (size_t)m * g->ldy + n0;
	float t[16];

	if (g->afmt == DP_A_INT8)
		acc = vf_mul(acc, vf_set1(g->sx[m]));
	if (g->w->fmt == DP_W_NVFP4)
		acc = vf_mul(acc, vf_set1(g->w->tensor_scale));
	acc = vf_mul(acc, vf_set1(g->alpha));
	if (g->bias) {
		for (i = 0; i < 16; i++)
			t[i] = i < cnt ? g->bias[n0 + i] : 0.0f;
		acc = vf_add(acc, vf_load(t));
	}
	acc = dp_v_act(acc, g->act);
	if (g->res) {
		for (i = 0; i < 16; i++)
			t[i] = i >= cnt ? 0.0f : g->ofmt == DP_O_FP32 ?
				((const float *)g->res)[at + i] :
				dp_bf16_to_f32(((const uint16_t *)g->res)[at + i]);
		acc = vf_add(acc, vf_load(t));
	}
	if (g->ofmt == DP_O_FP32) {
		if (cnt == 16) {
			vf_store((float *)g->y + at, acc);
			return;
		}
		vf_store(t, acc);
		for (i = 0; i < cnt; i++)
			((float *)g->y)[at + i] = t[i];
	} else {
		uint16_t h[16];

		vi_store_u16(cnt == 16 ? (uint16_t *)g->y + at : h, dp_v_to_bf16(acc));
		for (i = 0; cnt < 16 && i < cnt; i++)
			((uint16_t *)g->y)[at + i] = h[i];
	}
}

/* ---- tile driver ---- */

/* T rows from m on panel p, or (np) row m on T panels from p. */
DP_AI void dp_rows(const struct dp_kc *c, uint32_t p, uint32_t m, const uint32_t T,
		   const bool np, const uint32_t fmt, const bool a8)
{
	vf acc[DP_MR];
	uint32_t t;

	for (t = 0; t < T; t++)
		acc[t] = vf_zero();
	if (dp_fmt_info(fmt)->sparse) {
		if (a8 && np)
			dp_a8_sparse_gemv(c, p, m, acc, T, fmt);
		else if (a8)
			dp_a8_sparse(c, p, m, acc, T, fmt);
		else
			dp_a16_sparse(c, p, m, acc, T, fmt);
	} else {
		if (a8 && np)
			dp_a8_gemv(c, p, m, acc, T, fmt);
		else if (a8)
			dp_a8_dense(c, p, m, acc, T, fmt);
		else
			dp_a16_dense(c, p, m, acc, T, np, fmt);
	}
	for (t = 0; t < T; t++)
		dp_epilogue(c, m + (np ? 0 : t), (p + (np ? t : 0)) * DP_PANEL, acc[t]);
}

DP_AI void dp_tile_fmt(const struct dp_kc *c, uint32_t n0, uint32_t n1, uint32_t m0,
		       uint32_t m1, const uint32_t fmt, const bool a8)
{
	uint32_t p = n0 / DP_PANEL, pend = (n1 + DP_PANEL - 1) / DP_PANEL, m;
	bool sparse = dp_fmt_info(fmt)->sparse;

	if (m1 - m0 < DP_MR && (!sparse || a8)) {
		/* few rows (GEMV): row by row, DP_NP panels at a time */
		for (; p + DP_NP <= pend; p += DP_NP)
			for (m = m0; m < m1; m++)
				dp_rows(c, p, m, DP_NP, true, fmt, a8);
	}
	for (; p < pend; p++) {
		for (m = m0; m + DP_MR <= m1; m += DP_MR)
			dp_rows(c, p, m, DP_MR, false, fmt, a8);
		for (; m < m1; m++)
			dp_rows(c, p, m, 1, false, fmt, a8);
	}
}

#define DP_CASE_A16(f) case f: dp_tile_fmt(&c, n0, n1, m0, m1, f, false); break
#define DP_CASE_A8(f) case f: dp_tile_fmt(&c, n0, n1, m0, m1, f, true); break

void DP_K(dp_gemm_tile)(const struct dp_gemm *g, const struct dp_geom *geom,
			const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
			uint32_t m0, uint32_t m1)
{
	struct dp_kc c = { g, g->w, geom, v, (g->w->k + geom->block - 1) / geom->block };

	if (g->afmt == DP_A_INT8) {
		switch (g->w->fmt) {
		DP_CASE_A8(DP_W_INT8);
		DP_CASE_A8(DP_W_INT4);
		DP_CASE_A8(DP_W_MXINT8);
		DP_CASE_A8(DP_W_MXFP4);
		DP_CASE_A8(DP_W_NVFP4);
		DP_CASE_A8(DP_W_SP_INT8);
		DP_CASE_A8(DP_W_SP_INT4);
		}
		return;
	}
	switch (g->w->fmt) {
	DP_CASE_A16(DP_W_BF16);
	DP_CASE_A16(DP_W_INT8);
	DP_CASE_A16(DP_W_INT4);
	DP_CASE_A16(DP_W_MXINT8);
	DP_CASE_A16(DP_W_MXFP8);
	DP_CASE_A16(DP_W_MXFP4);
	DP_CASE_A16(DP_W_NVFP4);
	DP_CASE_A16(DP_W_SP_BF16);
	DP_CASE_A16(DP_W_SP_INT8);
	DP_CASE_A16(DP_W_SP_INT4);
	}
}

void DP_K(dp_act_quant)(const uint16_t *x, uint32_t k, int8_t *q, float *sx)
{
	vf vmax = vf_zero();
	float amax, inv = 0.0f, c, t[16];
	uint16_t h[16];
	uint32_t i, j;

	for (i = 0; i + 16 <= k; i += 16) {
		vf a = vf_bits(vi_and(vi_bits(dp_v_bf16(vi_u16x16(x + i))), vi_set1(0x7fffffff)));

		vmax = vf_max(a, vmax);	/* a NaN lane keeps the running max */
	}
	amax = vf_hmax(vmax);
	for (; i < k; i++) {
		float a = __builtin_fabsf(dp_bf16_to_f32(x[i]));

		if (a > amax)
			amax = a;
	}
	/* dp_act_quant_ref()'s sequence: a tiny row is scaled up first (exact) */
	c = amax < DP_ACTQ_TINY ? DP_ACTQ_LIFT : 1.0f;
	if (amax > 0.0f)
		inv = 127.0f / (amax * c);
	for (i = 0; i < k; i += 16) {
		uint32_t cnt = k - i < 16 ? k - i : 16;
		vf v;

		for (j = 0; j < 16; j++)
			h[j] = j < cnt ? x[i + j] : 0;
		v = vf_mul(vf_mul(dp_v_bf16(vi_u16x16(h)), vf_set1(c)), vf_set1(inv));
		v = vf_blend(vf_isnan(v), v, vf_zero());
		v = vf_min(vf_max(v, vf_set1(-127.0f)), vf_set1(127.0f));
		if (cnt == 16) {
			vi_store_s8(q + i, vi_from_f(v));
		} else {
			int8_t tmp[16];

			vi_store_s8(tmp, vi_from_f(v));
			for (j = 0; j < cnt; j++)
				q[i + j] = tmp[j];
		}
	}
	(void)t;
	*sx = amax / 127.0f;
}

#if defined(DP_ISA_avx512)
/* ---- AVX512_BF16: two dot steps per lane in one VDPBF16PS ---- */

#pragma GCC push_options
#pragma GCC target("avx512bf16")

/*
 * VDPBF16PS adds, per 32-bit lane, the product of the high BF16 halves and
 * then that of the low halves, each exactly as one dp_dot_step() (DAZ, one
 * rounding, FTZ after rounding, MXCSR ignored; checked bit for bit on the
 * host by dp_dot_test). Pairs therefore hold position k in the high half
 * and k + 1 in the low half, as the prepared activations do; a position
 * past K pairs weight +0 with activation -0, a product of -0 that leaves
 * every sum as it is.
 */
DP_AI vf vf_dot2(vf acc, vi w, vi x)
{
	return _mm512_dpbf16_ps(acc, (__m512bh)w, (__m512bh)x);
}

/* 4-bit code (bit 4 ignored, or code + 16 - z) -> BF16 element value */
static const uint16_t dp_bf16_int4_sym[32] __attribute__((aligned(64))) = {
		0xc100, 0xc0e0, 0xc0c0, 0xc0a0, 0xc080, 0xc040, 0xc000, 0xbf80,
		0x0000, 0x3f80, 0x4000, 0x4040, 0x4080, 0x40a0, 0x40c0, 0x40e0,
		0xc100, 0xc0e0, 0xc0c0, 0xc0a0, 0xc080, 0xc040, 0xc000, 0xbf80,
		0x0000, 0x3f80, 0x4000, 0x4040, 0x4080, 0x40a0, 0x40c0, 0x40e0,
};
static const uint16_t dp_bf16_int4_zero[32] __attribute__((aligned(64))) = {
		0xc180, 0xc170, 0xc160, 0xc150, 0xc140, 0xc130, 0xc120, 0xc110,
		0xc100, 0xc0e0, 0xc0c0, 0xc0a0, 0xc080, 0xc040, 0xc000, 0xbf80,
		0x0000, 0x3f80, 0x4000, 0x4040, 0x4080, 0x40a0, 0x40c0, 0x40e0,
		0x4100, 0x4110, 0x4120, 0x4130, 0x4140, 0x4150, 0x4160, 0x4170,
};
static const uint16_t dp_bf16_e2m1[32] __attribute__((aligned(64))) = {
		0x0000, 0x3f00, 0x3f80, 0x3fc0, 0x4000, 0x4040, 0x4080, 0x40c0,
		0x8000, 0xbf00, 0xbf80, 0xbfc0, 0xc000, 0xc040, 0xc080, 0xc0c0,
		0x0000, 0x3f00, 0x3f80, 0x3fc0, 0x4000, 0x4040, 0x4080, 0x40c0,
		0x8000, 0xbf00, 0xbf80, 0xbfc0, 0xc000, 0xc040, 0xc080, 0xc0c0,
};
/* word order of a pair vector from a line holding rows k then k + 1 */
static const uint16_t dp_bf16_pair_perm[32] __attribute__((aligned(64))) = {
		16, 0, 17, 1, 18, 2, 19, 3, 20, 4, 21, 5, 22, 6, 23, 7,
		24, 8, 25, 9, 26, 10, 27, 11, 28, 12, 29, 13, 30, 14, 31, 15,
};
/* per 32-bit lane: the code bytes of pair (j, j + 1) into the high, low words */
static const uint8_t dp_sel01[16] = { 1, 1, 0, 0, 5, 5, 4, 4, 9, 9, 8, 8, 13, 13, 12, 12 };
static const uint8_t dp_sel23[16] = { 3, 3, 2, 2, 7, 7, 6, 6, 11, 11, 10, 10, 15, 15, 14, 14 };

/* Pair vector from two element vectors of positions k, k + 1 (BF16 values). */
DP_AI vi dp_pair_of(vf e0, vf e1)
{
	return vi_or(vi_and(vi_bits(e0), vi_set1((int32_t)0xffff0000u)), vi_srli(vi_bits(e1), 16));
}

/* The high half alone: the pair's second position is K (past the row). */
DP_AI vi dp_pair_tail(vi w, uint32_t k, uint32_t K)
{
	return k + 1 == K ? vi_and(w, vi_set1((int32_t)0xffff0000u)) : w;
}

DP_AI void dp_a16_dot(const struct dp_kc *c, uint32_t p, uint32_t m, vf *acc,
		      const uint32_t T, const bool np, const uint32_t fmt)
{
	const struct dp_geom *geom = c->geom;
	const uint32_t bits = dp_fmt_info(fmt)->elem_bits, U = np ? T : 1;
	const bool lanez = fmt == DP_W_INT4 && (c->w->flags & DP_WT_ZERO);
	const uint16_t *tab = fmt != DP_W_INT4 ? dp_bf16_e2m1 :
			      lanez ? dp_bf16_int4_zero : dp_bf16_int4_sym;
	vi table = vi_load(tab), perm = vi_load(dp_bf16_pair_perm);
	vi s01 = vi_table16(dp_sel01), s23 = vi_table16(dp_sel23);
	const uint8_t *d[DP_MR];
	const uint32_t *x[DP_MR];
	uint32_t K = c->w->k, b, k, t, u, h;

	dp_a16_ptrs(c, p, m, T, np, bits, x, d);
	for (b = 0; b < c->nb; b++) {
		uint32_t k0 = b * geom->block, k1 = k0 + geom->block > K ? K : k0 + geom->block;
		vf pb[DP_MR];
		vi off[DP_MR];

		for (t = 0; t < T; t++)
			pb[t] = vf_zero();
		for (u = 0; lanez && u < U; u++)	/* 16 - z in both words of a lane */
			off[u] = vi_mullo(vi_sub(vi_set1(16), dp_v_zero(c, p + (np ? u : 0), b)),
					  vi_set1(0x00010001));
		if (bits == 16) {
			for (k = k0; k < k1; k += 2) {
				vi w[DP_MR];

				for (u = 0; u < U; u++) {
					dp_prefetch(d[u] + (size_t)k * 32);
					w[u] = dp_pair_tail(_mm512_permutexvar_epi16(perm,
							vi_load(d[u] + (size_t)k * 32)), k, K);
				}
				for (t = 0; t < T; t++)
					pb[t] = vf_dot2(pb[t], w[np ? t : 0], vi_set1((int32_t)x[t][k / 2]));
			}
		} else if (bits == 8) {
			for (k = k0; k < k1; k += 4) {
				vi w[DP_MR][2];

				for (u = 0; u < U; u++) {
					vi line = vi_load(d[u] + (size_t)k * 16);

					dp_prefetch(d[u] + (size_t)k * 16);
					for (h = 0; h < 2; h++)
						w[u][h] = dp_pair_tail(dp_pair_of(dp_v_elem8(line, 2 * h, fmt),
										  dp_v_elem8(line, 2 * h + 1, fmt)),
								       k + 2 * h, K);
				}
				for (h = 0; h < 2 && k + 2 * h < k1; h++)
					for (t = 0; t < T; t++)
						pb[t] = vf_dot2(pb[t], w[np ? t : 0][h],
								vi_set1((int32_t)x[t][k / 2 + h]));
			}
		} else {	/* 4-bit: INT4, MXFP4, NVFP4 */
			for (k = k0; k < k1; k += 8) {
				vi w[DP_MR][4];

				for (u = 0; u < U; u++) {
					vi line = vi_load(d[u] + (size_t)k * 8), hl = vi_srli(line, 4);
					vi q[4] = { vi_pshufb(line, s01), vi_pshufb(line, s23),
						    vi_pshufb(hl, s01), vi_pshufb(hl, s23) };

					dp_prefetch(d[u] + (size_t)k * 8);
#pragma GCC unroll 4
					for (h = 0; h < 4; h++) {
						if (lanez)
							q[h] = vi_add(vi_and(q[h], vi_set1(0x000f000f)), off[u]);
						w[u][h] = dp_pair_tail(_mm512_permutexvar_epi16(q[h], table),
								       k + 2 * h, K);
					}
				}
#pragma GCC unroll 4
				for (h = 0; h < 4; h++) {
					if (k + 2 * h >= k1)
						break;
					for (t = 0; t < T; t++)
						pb[t] = vf_dot2(pb[t], w[np ? t : 0][h],
								vi_set1((int32_t)x[t][k / 2 + h]));
				}
			}
		}
		for (t = 0; t < T; t++) {
			if (fmt != DP_W_BF16)
				pb[t] = vf_mul(pb[t], dp_v_factor(c, p + (np ? t : 0), b, false, fmt));
			acc[t] = vf_add(acc[t], pb[t]);
		}
	}
}

DP_AI void dp_rows_dot(const struct dp_kc *c, uint32_t p, uint32_t m, const uint32_t T,
		       const bool np, const uint32_t fmt)
{
	vf acc[DP_MR];
	uint32_t t;

	for (t = 0; t < T; t++)
		acc[t] = vf_zero();
	dp_a16_dot(c, p, m, acc, T, np, fmt);
	for (t = 0; t < T; t++)
		dp_epilogue(c, m + (np ? 0 : t), (p + (np ? t : 0)) * DP_PANEL, acc[t]);
}

DP_AI void dp_tile_dot(const struct dp_kc *c, uint32_t n0, uint32_t n1, uint32_t m0,
		       uint32_t m1, const uint32_t fmt)
{
	uint32_t p = n0 / DP_PANEL, pend = (n1 + DP_PANEL - 1) / DP_PANEL, m;

	if (m1 - m0 < DP_MR) {
		for (; p + DP_NP <= pend; p += DP_NP)
			for (m = m0; m < m1; m++)
				dp_rows_dot(c, p, m, DP_NP, true, fmt);
	}
	for (; p < pend; p++) {
		for (m = m0; m + DP_MR <= m1; m += DP_MR)
			dp_rows_dot(c, p, m, DP_MR, false, fmt);
		for (; m < m1; m++)
			dp_rows_dot(c, p, m, 1, false, fmt);
	}
}

#define DP_CASE_DOT(f) case f: dp_tile_dot(&c, n0, n1, m0, m1, f); break

/* Dense formats with BF16 activations; everything else is the AVX-512 kernel. */
void dp_gemm_tile_avx512bf16(const struct dp_gemm *g, const struct dp_geom *geom,
			     const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
			     uint32_t m0, uint32_t m1)
{
	struct dp_kc c = { g, g->w, geom, v, (g->w->k + geom->block - 1) / geom->block };

	if (g->afmt == DP_A_INT8 || dp_fmt_info(g->w->fmt)->sparse) {
		dp_gemm_tile_avx512(g, geom, v, n0, n1, m0, m1);
		return;
	}
	switch (g->w->fmt) {
	DP_CASE_DOT(DP_W_BF16);
	DP_CASE_DOT(DP_W_INT8);
	DP_CASE_DOT(DP_W_INT4);
	DP_CASE_DOT(DP_W_MXINT8);
	DP_CASE_DOT(DP_W_MXFP8);
	DP_CASE_DOT(DP_W_MXFP4);
	DP_CASE_DOT(DP_W_NVFP4);
	}
}

#pragma GCC pop_options
#endif /* DP_ISA_avx512 */
