/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the language model's forward pass as a device program
 * (mdl_program.h), every op on the device, with a KV cache per layer in
 * device memory. One job is one step of one sequence: t new tokens at
 * positions pos .. pos + t - 1 (a prefill of a window, t > 1, or a decode
 * step, t = 1), after the steps that filled positions 0 .. pos - 1.
 *
 *   weights   the packed linear layers; FP32: the token embedding table
 *             [V][D], the RMSNorm gains, the RoPE cos/sin tables for every
 *             position [S][D/2] (and [S][KV/2] for k when KV < D), each
 *             AWQ/SmoothQuant input factor 1/s as one row
 *   act       x (two, the residual stream ping-pongs), the KV caches
 *             [seqs x S][KV] per layer, scores and probabilities
 *             [H x T][S], and the tensors between the ops
 *   output    the logits [t][V]
 *
 *   EMBED    x = rows of the table, one COPY per token (the ids are in the
 *            stream: the host writes no input)
 *   per layer:
 *     RMSNORM  xn = rmsnorm(x) * g_att
 *     [MUL     xs = xn * (1/s), the factor row for every row]
 *     CONVERT  xb = bf16(xn or xs)                  (once for q, k, v)
 *     GEMM     q = xb Wq^T; k = xb Wk^T; V cache rows pos.. = xb Wv^T
 *     ROPE     qr = rope(q); K cache rows pos.. = rope(k)   (table rows pos..)
 *     per head h (KV head h / (H / KV heads)):
 *       MATMUL scores_h = alpha * qr_h x K_kvh[0 .. pos + t)^T   (TRANS_B)
 *     SOFTMAX  probs = softmax(scores), causal at pos    (the H heads at once)
 *     per head h:
 *       MATMUL att_h = probs_h x V_kvh[0 .. pos + t)      (CAUSAL at pos)
 *     [MUL], CONVERT, GEMM  x' = bf16(att) Wo^T + x      (residual epilogue)
 *     RMSNORM, [MUL], CONVERT, GEMM h1 = silu(xb W1^T), GEMM h3 = xb W3^T
 *     MUL      hg = h1 * h3
 *     [MUL], CONVERT, GEMM  x = bf16(hg) W2^T + x'
 *   RMSNORM, [MUL], CONVERT, GEMM  logits = xb Wcls^T
 *
 * alpha is 1/sqrt(head_size) rounded to binary32, and MATMUL multiplies
 * by it; the host's FP32 path (mdl_lm_infer.c) divides by sqrt(head_size)
 * instead, so the two may differ in the last bit of a score. Everything
 * else is the host path's arithmetic op for op (the same sums in the same
 * order), so the whole forward pass runs here with the device's numerics
 * and the same program on fwrun is the host figure a device must equal.
 * Every op is row-wise or causal: a prefill of t tokens gives the same
 * logits as t decode steps.
 */
#ifndef MDL_LM_PROGRAM_H
#define MDL_LM_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_device_figures.h"
#include "mdl_linear.h"
#include "mdl_llama.h"
#include "mdl_program.h"

/*
 * The program of @m with @ls (every layer packed: a variant or a packed
 * file's layer set) for steps of up to @rows tokens, with KV caches for
 * @seqs sequences.
 */
int mdl_lm_program(const struct mdl_llama *m, const struct mdl_linset *ls, uint32_t rows,
		   uint32_t seqs, struct mdl_program *p, char *err, size_t errlen);

/*
 * One step as one job: @t tokens at positions @pos.. of sequence @seq;
 * @logits gets [t][vocab]. Refused before any job: t past the program's
 * rows, positions past the context, a token id past the vocabulary.
 */
int mdl_lm_device_step(struct mdl_loaded *l, const struct mdl_llama *m, uint32_t seq,
		       uint32_t pos, uint32_t t, const uint32_t *tokens, float *logits,
		       struct accel_job_stats *st, char *err, size_t errlen);

/*
 * The figures' run (sequence 0): a prefill job of tokens[0 .. prompt),
 * then a decode job for each of tokens[prompt .. n). Fills @f's items (n
 * logit rows), correct (rows whose most likely token is the next one),
 * outputs digest, one job per step with its rows, logits digest and
 * statistics, the prompt and tokens, and the digest of every job's stream
 * at @l's bases (stream_bytes: their total). @logits (optional) gets
 * [n][vocab].
 */
int mdl_lm_device_run(struct mdl_loaded *l, const struct mdl_llama *m, const uint32_t *tokens,
		      uint32_t n, uint32_t prompt, struct mdl_dev_figures *f, float *logits,
		      char *err, size_t errlen);

/* The streams of that run built at @base, their total size and digest. */
int mdl_lm_device_streams(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
			  const uint32_t *tokens, uint32_t n, uint32_t prompt, uint32_t *bytes,
			  uint64_t *fnv64, char *err, size_t errlen);

#endif /* MDL_LM_PROGRAM_H */
