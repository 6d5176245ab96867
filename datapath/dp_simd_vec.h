/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: a 16-lane vector vocabulary over AVX-512 (one register)
 * or AVX2 (two registers), so that one kernel source serves both ISAs and
 * performs the same IEEE operations, lane for lane, as the golden model.
 * Included only by dp_gemm_simd.c, with DP_ISA_avx512 or DP_ISA_avx2 set.
 */
#ifndef DP_SIMD_VEC_H
#define DP_SIMD_VEC_H

#include <immintrin.h>
#include <stdint.h>

#define DP_AI static inline __attribute__((always_inline))

#if defined(DP_ISA_avx512)

typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 vm;

DP_AI vf vf_zero(void) { return _mm512_setzero_ps(); }
DP_AI vf vf_set1(float f) { return _mm512_set1_ps(f); }
DP_AI vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
DP_AI vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
DP_AI vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
DP_AI vf vf_fmadd(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
DP_AI vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
/* MAXPS returns the second operand when either is NaN: relu(NaN) = +0 */
DP_AI vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
DP_AI vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
DP_AI vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
DP_AI void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
DP_AI vf vf_from_i(vi a) { return _mm512_cvtepi32_ps(a); }
DP_AI vf vf_bits(vi a) { return _mm512_castsi512_ps(a); }
DP_AI vi vi_bits(vf a) { return _mm512_castps_si512(a); }
DP_AI vf vf_rne(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
DP_AI vi vi_from_f(vf a) { return _mm512_cvtps_epi32(a); }	/* RNE */
DP_AI vm vf_isnan(vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
DP_AI vm vf_ge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
DP_AI vm vf_le(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
DP_AI vf vf_blend(vm m, vf a, vf b) { return _mm512_mask_blend_ps(m, a, b); }	/* m ? b : a */
DP_AI vf vf_mask_add(vf a, vm m, vf b) { return _mm512_mask_add_ps(a, m, a, b); }

DP_AI vi vi_zero(void) { return _mm512_setzero_si512(); }
DP_AI vi vi_set1(int32_t v) { return _mm512_set1_epi32(v); }
DP_AI vi vi_load(const void *p) { return _mm512_loadu_si512(p); }
DP_AI vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
DP_AI vi vi_sub(vi a, vi b) { return _mm512_sub_epi32(a, b); }
DP_AI vi vi_mullo(vi a, vi b) { return _mm512_mullo_epi32(a, b); }
DP_AI vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
DP_AI vi vi_or(vi a, vi b) { return _mm512_or_si512(a, b); }
DP_AI vi vi_xor(vi a, vi b) { return _mm512_xor_si512(a, b); }
DP_AI vi vi_srli(vi a, unsigned n) { return _mm512_srl_epi32(a, _mm_cvtsi32_si128((int)n)); }
DP_AI vi vi_slli(vi a, unsigned n) { return _mm512_sll_epi32(a, _mm_cvtsi32_si128((int)n)); }
DP_AI vi vi_srai(vi a, unsigned n) { return _mm512_sra_epi32(a, _mm_cvtsi32_si128((int)n)); }
DP_AI vm vi_eq(vi a, vi b) { return _mm512_cmpeq_epi32_mask(a, b); }
DP_AI vm vi_lt(vi a, vi b) { return _mm512_cmplt_epi32_mask(a, b); }
DP_AI vi vi_blend(vm m, vi a, vi b) { return _mm512_mask_blend_epi32(m, a, b); }
DP_AI vi vi_bcast32(const void *p)
{
	int32_t v;

	__builtin_memcpy(&v, p, 4);
	return _mm512_set1_epi32(v);
}
/* Exact sum of 4 u8*s8 products per lane: no saturation anywhere. */
DP_AI vi vi_dpbusd(vi acc, vi u, vi s) { return _mm512_dpbusd_epi32(acc, u, s); }
DP_AI vi vi_u8x16(const void *p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p)); }
DP_AI vi vi_u16x16(const void *p) { return _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)); }
/* 16-entry float table lookup by the low 4 bits of each lane */
DP_AI vf vf_lut16(vi idx, vf table) { return _mm512_permutexvar_ps(idx, table); }
/* byte lookup in a 16-byte table (replicated per 128-bit lane) */
DP_AI vi vi_pshufb(vi table, vi idx) { return _mm512_shuffle_epi8(table, idx); }
DP_AI vi vi_table16(const uint8_t *t) { return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t)); }
/* 8 bytes, repeated over the vector (a byte shuffle's table in every 128-bit lane) */
DP_AI vi vi_bcast64(const void *p)
{
	int64_t v;

	__builtin_memcpy(&v, p, 8);
	return _mm512_set1_epi64(v);
}
DP_AI vi vi_sub8(vi a, vi b) { return _mm512_sub_epi8(a, b); }
/* bytes at even positions from a, at odd positions from b */
DP_AI vi vi_blend_odd8(vi a, vi b) { return _mm512_mask_blend_epi8(0xaaaaaaaaaaaaaaaaull, a, b); }
/* select one of 4 consecutive floats per lane (idx in 0..3) */
DP_AI vf vf_pick4(vi idx, const float *x4) { return _mm512_permutexvar_ps(idx, _mm512_broadcast_f32x4(_mm_loadu_ps(x4))); }
DP_AI vi vi_pick4(vi idx, vi x4) { return _mm512_permutexvar_epi32(idx, x4); }
DP_AI vi vi_s8x4(const int8_t *p)
{
	int32_t v;

	__builtin_memcpy(&v, p, 4);
	return _mm512_broadcast_i32x4(_mm_cvtepi8_epi32(_mm_cvtsi32_si128(v)));
}
DP_AI float vf_hmax(vf a) { return _mm512_reduce_max_ps(a); }
/* low 8 bits of every lane to 16 consecutive bytes */
DP_AI void vi_store_s8(int8_t *p, vi a) { _mm_storeu_si128((__m128i *)p, _mm512_cvtepi32_epi8(a)); }
DP_AI void vi_store_u16(uint16_t *p, vi a) { _mm256_storeu_si256((__m256i *)p, _mm512_cvtepi32_epi16(a)); }

#elif defined(DP_ISA_avx2)

typedef struct { __m256 a, b; } vf;
typedef struct { __m256i a, b; } vi;
typedef vi vm;	/* all-ones lanes */

#define DP_F2(op, x, y) ((vf){ op((x).a, (y).a), op((x).b, (y).b) })
#define DP_I2(op, x, y) ((vi){ op((x).a, (y).a), op((x).b, (y).b) })

DP_AI vf vf_zero(void) { return (vf){ _mm256_setzero_ps(), _mm256_setzero_ps() }; }
DP_AI vf vf_set1(float f) { return (vf){ _mm256_set1_ps(f), _mm256_set1_ps(f) }; }
DP_AI vf vf_add(vf x, vf y) { return DP_F2(_mm256_add_ps, x, y); }
DP_AI vf vf_sub(vf x, vf y) { return DP_F2(_mm256_sub_ps, x, y); }
DP_AI vf vf_mul(vf x, vf y) { return DP_F2(_mm256_mul_ps, x, y); }
DP_AI vf vf_fmadd(vf x, vf y, vf z)
{
	return (vf){ _mm256_fmadd_ps(x.a, y.a, z.a), _mm256_fmadd_ps(x.b, y.b, z.b) };
}
DP_AI vf vf_div(vf x, vf y) { return DP_F2(_mm256_div_ps, x, y); }
DP_AI vf vf_max(vf x, vf y) { return DP_F2(_mm256_max_ps, x, y); }
DP_AI vf vf_min(vf x, vf y) { return DP_F2(_mm256_min_ps, x, y); }
DP_AI vf vf_load(const float *p) { return (vf){ _mm256_loadu_ps(p), _mm256_loadu_ps(p + 8) }; }
DP_AI void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v.a); _mm256_storeu_ps(p + 8, v.b); }
DP_AI vf vf_from_i(vi x) { return (vf){ _mm256_cvtepi32_ps(x.a), _mm256_cvtepi32_ps(x.b) }; }
DP_AI vf vf_bits(vi x) { return (vf){ _mm256_castsi256_ps(x.a), _mm256_castsi256_ps(x.b) }; }
DP_AI vi vi_bits(vf x) { return (vi){ _mm256_castps_si256(x.a), _mm256_castps_si256(x.b) }; }
DP_AI vf vf_rne(vf x)
{
	return (vf){ _mm256_round_ps(x.a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
		     _mm256_round_ps(x.b, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC) };
}
DP_AI vi vi_from_f(vf x) { return (vi){ _mm256_cvtps_epi32(x.a), _mm256_cvtps_epi32(x.b) }; }
#define DP_FCMP(x, y, pred) ((vm){ _mm256_castps_si256(_mm256_cmp_ps((x).a, (y).a, pred)), \
				   _mm256_castps_si256(_mm256_cmp_ps((x).b, (y).b, pred)) })
DP_AI vm vf_isnan(vf x) { return DP_FCMP(x, x, _CMP_UNORD_Q); }
DP_AI vm vf_ge(vf x, vf y) { return DP_FCMP(x, y, _CMP_GE_OQ); }
DP_AI vm vf_le(vf x, vf y) { return DP_FCMP(x, y, _CMP_LE_OQ); }
DP_AI vf vf_blend(vm m, vf x, vf y)
{
	return (vf){ _mm256_blendv_ps(x.a, y.a, _mm256_castsi256_ps(m.a)),
		     _mm256_blendv_ps(x.b, y.b, _mm256_castsi256_ps(m.b)) };
}
DP_AI vf vf_mask_add(vf x, vm m, vf y) { return vf_blend(m, x, vf_add(x, y)); }

DP_AI vi vi_zero(void) { return (vi){ _mm256_setzero_si256(), _mm256_setzero_si256() }; }
DP_AI vi vi_set1(int32_t v) { return (vi){ _mm256_set1_epi32(v), _mm256_set1_epi32(v) }; }
DP_AI vi vi_load(const void *p)
{
	return (vi){ _mm256_loadu_si256((const __m256i *)p),
		     _mm256_loadu_si256((const __m256i *)((const uint8_t *)p + 32)) };
}
DP_AI vi vi_add(vi x, vi y) { return DP_I2(_mm256_add_epi32, x, y); }
DP_AI vi vi_sub(vi x, vi y) { return DP_I2(_mm256_sub_epi32, x, y); }
DP_AI vi vi_mullo(vi x, vi y) { return DP_I2(_mm256_mullo_epi32, x, y); }
DP_AI vi vi_and(vi x, vi y) { return DP_I2(_mm256_and_si256, x, y); }
DP_AI vi vi_or(vi x, vi y) { return DP_I2(_mm256_or_si256, x, y); }
DP_AI vi vi_xor(vi x, vi y) { return DP_I2(_mm256_xor_si256, x, y); }
DP_AI vi vi_srli(vi x, unsigned n)
{
	__m128i c = _mm_cvtsi32_si128((int)n);

	return (vi){ _mm256_srl_epi32(x.a, c), _mm256_srl_epi32(x.b, c) };
}
DP_AI vi vi_slli(vi x, unsigned n)
{
	__m128i c = _mm_cvtsi32_si128((int)n);

	return (vi){ _mm256_sll_epi32(x.a, c), _mm256_sll_epi32(x.b, c) };
}
DP_AI vi vi_srai(vi x, unsigned n)
{
	__m128i c = _mm_cvtsi32_si128((int)n);

	return (vi){ _mm256_sra_epi32(x.a, c), _mm256_sra_epi32(x.b, c) };
}
DP_AI vm vi_eq(vi x, vi y) { return DP_I2(_mm256_cmpeq_epi32, x, y); }
DP_AI vm vi_lt(vi x, vi y) { return DP_I2(_mm256_cmpgt_epi32, y, x); }
DP_AI vi vi_blend(vm m, vi x, vi y)
{
	return (vi){ _mm256_blendv_epi8(x.a, y.a, m.a), _mm256_blendv_epi8(x.b, y.b, m.b) };
}
DP_AI vi vi_bcast32(const void *p)
{
	int32_t v;

	__builtin_memcpy(&v, p, 4);
	return vi_set1(v);
}
/*
 * u8 x s8 dot of 4 per lane, exact: widen to 16 bits and use PMADDWD, which
 * cannot saturate here (|u*s| <= 255*128). PMADDUBSW would saturate.
 */
DP_AI __m256i dp_dpbusd256(__m256i acc, __m256i u, __m256i s)
{
	__m256i ue = _mm256_and_si256(u, _mm256_set1_epi16(0xff));
	__m256i uo = _mm256_srli_epi16(u, 8);
	__m256i se = _mm256_srai_epi16(_mm256_slli_epi16(s, 8), 8);
	__m256i so = _mm256_srai_epi16(s, 8);

	acc = _mm256_add_epi32(acc, _mm256_madd_epi16(ue, se));
	return _mm256_add_epi32(acc, _mm256_madd_epi16(uo, so));
}
DP_AI vi vi_dpbusd(vi acc, vi u, vi s)
{
	return (vi){ dp_dpbusd256(acc.a, u.a, s.a), dp_dpbusd256(acc.b, u.b, s.b) };
}
DP_AI vi vi_u8x16(const void *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);

	return (vi){ _mm256_cvtepu8_epi32(v), _mm256_cvtepu8_epi32(_mm_srli_si128(v, 8)) };
}
DP_AI vi vi_u16x16(const void *p)
{
	return (vi){ _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)),
		     _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p + 1)) };
}
DP_AI __m256 dp_lut16_256(__m256i idx, __m256 lo, __m256 hi)
{
	__m256 sel = _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28));	/* bit 3 -> sign */

	return _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, idx),
				_mm256_permutevar8x32_ps(hi, idx), sel);
}
DP_AI vf vf_lut16(vi idx, vf table)
{
	return (vf){ dp_lut16_256(idx.a, table.a, table.b), dp_lut16_256(idx.b, table.a, table.b) };
}
DP_AI vi vi_pshufb(vi table, vi idx) { return DP_I2(_mm256_shuffle_epi8, table, idx); }
DP_AI vi vi_table16(const uint8_t *t)
{
	__m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));

	return (vi){ v, v };
}
DP_AI vi vi_bcast64(const void *p)
{
	int64_t v;
	__m256i w;

	__builtin_memcpy(&v, p, 8);
	w = _mm256_set1_epi64x(v);
	return (vi){ w, w };
}
DP_AI vi vi_sub8(vi x, vi y) { return DP_I2(_mm256_sub_epi8, x, y); }
DP_AI vi vi_blend_odd8(vi x, vi y)
{
	__m256i odd = _mm256_set1_epi16((short)0xff00);

	return (vi){ _mm256_blendv_epi8(x.a, y.a, odd), _mm256_blendv_epi8(x.b, y.b, odd) };
}
DP_AI vf vf_pick4(vi idx, const float *x4)
{
	__m256 v = _mm256_broadcast_ps((const __m128 *)x4);

	return (vf){ _mm256_permutevar8x32_ps(v, idx.a), _mm256_permutevar8x32_ps(v, idx.b) };
}
DP_AI vi vi_pick4(vi idx, vi x4)
{
	return (vi){ _mm256_permutevar8x32_epi32(x4.a, idx.a),
		     _mm256_permutevar8x32_epi32(x4.a, idx.b) };
}
DP_AI vi vi_s8x4(const int8_t *p)
{
	int32_t v;
	__m128i w;

	__builtin_memcpy(&v, p, 4);
	w = _mm_cvtepi8_epi32(_mm_cvtsi32_si128(v));
	return (vi){ _mm256_broadcastsi128_si256(w), _mm256_broadcastsi128_si256(w) };
}
DP_AI float vf_hmax(vf x)
{
	__m256 m = _mm256_max_ps(x.a, x.b);
	__m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));

	h = _mm_max_ps(h, _mm_movehl_ps(h, h));
	h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
	return _mm_cvtss_f32(h);
}
DP_AI void vi_store_s8(int8_t *p, vi x)
{
	int32_t t[16];
	int i;

	_mm256_storeu_si256((__m256i *)t, x.a);
	_mm256_storeu_si256((__m256i *)(t + 8), x.b);
	for (i = 0; i < 16; i++)
		p[i] = (int8_t)t[i];
}
DP_AI void vi_store_u16(uint16_t *p, vi x)
{
	__m256i v = _mm256_packus_epi32(x.a, x.b);	/* lanes <= 0xffff: exact */

	_mm256_storeu_si256((__m256i *)p, _mm256_permute4x64_epi64(v, 0xd8));
}

#else
#error "dp_simd_vec.h needs DP_ISA_avx512 or DP_ISA_avx2"
#endif

#endif /* DP_SIMD_VEC_H */
