/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: a Llama-architecture language model in the llama2.c
 * checkpoint layout (Karpathy's run.c, "legacy" version 0 export).
 *
 * File: 7 little-endian int32 (struct mdl_llama_cfg), then float32 arrays
 * in this order (L layers, D dim, H hidden, KV = D * n_kv_heads / n_heads,
 * V = |vocab_size|, S seq_len, hs = D / n_heads):
 *   tok_emb[V][D]  rms_att[L][D]  wq[L][D][D]  wk[L][KV][D]  wv[L][KV][D]
 *   wo[L][D][D]  rms_ffn[L][D]  w1[L][H][D]  w2[L][D][H]  w3[L][H][D]
 *   rms_final[D]  freq_cis_real[S][hs/2]  freq_cis_imag[S][hs/2]
 *   wcls[V][D] only when vocab_size < 0 (otherwise the classifier is tok_emb).
 * Every matrix is [out][in]: row n holds output n's weights, as the
 * datapath's N x K weight tensors do. The RoPE tables are written for
 * llama2.c's sake and ignored on load (they are recomputed).
 */
#ifndef MDL_LLAMA_H
#define MDL_LLAMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mdl_llama_cfg {
	int32_t dim;
	int32_t hidden_dim;
	int32_t n_layers;
	int32_t n_heads;
	int32_t n_kv_heads;
	int32_t vocab_size;	/* negative: untied classifier wcls follows */
	int32_t seq_len;
};

#define MDL_LLAMA_EPS		1e-5f	/* RMSNorm epsilon, as llama2.c */
#define MDL_LLAMA_ROPE_THETA	10000.0

/* Pointers into one flat float buffer holding every parameter. */
struct mdl_llama_w {
	float *tok_emb, *rms_att, *wq, *wk, *wv, *wo, *rms_ffn, *w1, *w2, *w3;
	float *rms_final, *wcls;	/* wcls == tok_emb when tied */
};

struct mdl_llama {
	struct mdl_llama_cfg cfg;
	uint32_t dim, hidden, layers, heads, kv_heads, vocab, seq_len, head_size, kv_dim;
	bool tied;
	size_t n_params;	/* floats in @params (no RoPE tables) */
	float *params;
	struct mdl_llama_w w;
};

/* Checks a header: positive sizes, heads divide dim, even head size, bounds. */
int mdl_llama_cfg_check(const struct mdl_llama_cfg *c, char *err, size_t errlen);
/* Floats of parameters for @c (tied or not by the sign of vocab_size). */
size_t mdl_llama_cfg_params(const struct mdl_llama_cfg *c);
/* Points @w at the parameter arrays inside @base (any buffer of that size). */
void mdl_llama_map(const struct mdl_llama_cfg *c, float *base, struct mdl_llama_w *w);

/* Allocates a zeroed model for a checked config. */
int mdl_llama_alloc(const struct mdl_llama_cfg *c, struct mdl_llama **out, char *err,
		    size_t errlen);
void mdl_llama_free(struct mdl_llama *m);

/* Reads/writes a checkpoint file; errors name the file and the problem. */
int mdl_llama_load(const char *path, struct mdl_llama **out, char *err, size_t errlen);
int mdl_llama_save(const struct mdl_llama *m, const char *path, char *err, size_t errlen);

/* RoPE cos/sin of position @pos for pair i (0 <= i < head_size / 2). */
void mdl_llama_rope_cs(uint32_t head_size, uint32_t pos, uint32_t i, float *c, float *s);

#endif /* MDL_LLAMA_H */
