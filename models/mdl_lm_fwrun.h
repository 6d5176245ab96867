/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: the whole-model evaluation of a language model with the
 * device's numerics, on the host: its device program (mdl_lm_program.h)
 * on the firmware in process (fwrun/), one backend per worker of a pool,
 * each with the program loaded for steps up to the context and KV caches
 * for its share of the sequences. mdl_lm_fwrun_forward() is
 * mdl_lm_forward() on the device (the metrics of mdl_eval.h call it
 * through struct mdl_lm_fwd): sequence b's t tokens at pos as one job on
 * backend b % workers, in slot b / workers. Results do not depend on the
 * worker count: every job is the same commands on the same data.
 */
#ifndef MDL_LM_FWRUN_H
#define MDL_LM_FWRUN_H

#include <stddef.h>
#include <stdint.h>

#include <accel_ops.h>

#include "mdl_linear.h"
#include "mdl_llama.h"
#include "mdl_lm_program.h"
#include "mdl_thread_pool.h"

struct mdl_lm_fwrun;

/* @simd: the SIMD kernels the device runs (else the golden model's). */
int mdl_lm_fwrun_create(const struct mdl_llama *m, const struct mdl_linset *ls,
			struct mdl_pool *pool, uint32_t seqs, int simd, struct mdl_lm_fwrun **out,
			char *err, size_t errlen);
void mdl_lm_fwrun_free(struct mdl_lm_fwrun *d);
/* As mdl_lm_forward(): nb (at most the sequences) x t tokens at pos; logits. */
int mdl_lm_fwrun_forward(void *d, uint32_t nb, uint32_t pos, uint32_t t,
			 const uint32_t *tokens, float *logits);
/* The sum of every job's statistics so far, and the jobs and tokens. */
void mdl_lm_fwrun_totals(const struct mdl_lm_fwrun *d, struct accel_job_stats *sum,
			 uint64_t *jobs, uint64_t *tokens);

#endif /* MDL_LM_FWRUN_H */
