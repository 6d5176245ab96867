/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: each job's own result, kept per context by the id SUBMIT
 * returns, for JOB_STATS with DRM_QUASAR_JOB_STATS_JOB_ID.
 */
#ifndef __QUASAR_RESULT_H__
#define __QUASAR_RESULT_H__

#include <linux/kref.h>
#include <linux/types.h>

#include "quasar_gem.h"

struct quasar_ctx;

/**
 * struct quasar_job_record - the result of one job
 * @ref: held by the context's table and by the job until it is freed
 * @res: how the job ended; @res.ended is false until then
 *	 (&quasar_ctx.result_lock)
 */
struct quasar_job_record {
	struct kref ref;
	struct quasar_job_result res;
};

void quasar_result_init(struct quasar_ctx *ctx);
void quasar_result_fini(struct quasar_ctx *ctx);
struct quasar_job_record *quasar_result_new(struct quasar_ctx *ctx, u64 *id);
void quasar_result_drop(struct quasar_ctx *ctx, u64 id);
void quasar_result_put(struct quasar_job_record *rec);
void quasar_result_set(struct quasar_ctx *ctx, struct quasar_job_record *rec,
		       const struct quasar_job_result *res);
int quasar_result_get(struct quasar_ctx *ctx, u64 id,
		      struct quasar_job_result *res);

#endif /* __QUASAR_RESULT_H__ */
