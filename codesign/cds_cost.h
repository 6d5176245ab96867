/* SPDX-License-Identifier: MIT */
/*
 * Quasar codesign: what a compressed model costs on a hardware
 * configuration. The model's own device program (models/mdl_lm_program.h,
 * mdl_cls_program.h) runs on the firmware in process (fwrun/) created
 * with the configuration's SRAM and cost parameters, exactly as a device
 * created with those properties runs it, and the jobs' statistics are
 * summed per unit of work:
 *
 * - language model, per decoded token: a prefill of the context's first
 *   S - D bytes, then D decode jobs (positions S - D .. S - 1, S the
 *   context), averaged over the D decode jobs; per prefill: one job of
 *   the context's S = 256 bytes at position 0.
 * - classifier, per image: one job of a batch of MDL_CLS_DEVICE_BATCH
 *   test images (as accel-eval --device), divided by the batch.
 *
 * The statistics depend on the shapes only, never on the values; the
 * inputs are still real (held-out text, test images).
 */
#ifndef CDS_COST_H
#define CDS_COST_H

#include <stddef.h>
#include <stdint.h>

#include "cds_config.h"
#include "mdl_cls.h"
#include "mdl_data.h"
#include "mdl_linear.h"
#include "mdl_llama.h"

/* Means per unit (decoded token, prefill, image) of the jobs' statistics. */
struct cds_cost {
	double cycles, cycles_compute, cycles_memory;
	double time_us;			/* cycles at the configuration's clock */
	double energy_uj;
	double dram_weights, dram_meta, dram_act, dram_out;	/* bytes by class */
	double sram_bytes;
	int memory_bound;		/* memory cycles >= compute cycles */
};

/*
 * @m with @ls (a packed model's layer set) on each of @nc configurations:
 * @decode[i] per decoded token over @decode_steps (1..S-1) decode jobs,
 * @prefill[i] per prefill of the whole context. @text: at least S bytes.
 */
int cds_cost_lm(const struct mdl_llama *m, const struct mdl_linset *ls, const struct mdl_text *text,
		const struct cds_config *cfg, uint32_t nc, uint32_t decode_steps,
		struct cds_cost *decode, struct cds_cost *prefill, char *err, size_t errlen);

/* @c with @ls on each configuration: @image[i] per image of a full batch of @test. */
int cds_cost_cls(const struct mdl_cls *c, const struct mdl_linset *ls,
		 const struct mdl_images *test, const struct cds_config *cfg, uint32_t nc,
		 struct cds_cost *image, char *err, size_t errlen);

#endif /* CDS_COST_H */
