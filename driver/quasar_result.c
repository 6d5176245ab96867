// SPDX-License-Identifier: GPL-2.0
/*
 * Quasar NPU: per-job results.
 *
 * A command BO keeps the result of the last job that ended with it (BO_WAIT),
 * so jobs sharing one overwrite each other's. Each job also gets a record
 * of its own, allocated at SUBMIT (the completion, in the fence signalling
 * path, only copies into it) and kept in its context's table under the id
 * SUBMIT returns. The table keeps the newest DRM_QUASAR_JOB_RESULTS_KEPT
 * ids of the context: SUBMIT of id N drops id N - KEPT, so a client that
 * never asks costs a bounded amount of memory. A job still running when its
 * id is dropped keeps its record alive through its own reference.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "drm/quasar_accel.h"
#include "quasar_mmu.h"
#include "quasar_result.h"

static void quasar_result_release(struct kref *ref)
{
	kfree(container_of(ref, struct quasar_job_record, ref));
}

void quasar_result_put(struct quasar_job_record *rec)
{
	if (rec)
		kref_put(&rec->ref, quasar_result_release);
}

void quasar_result_init(struct quasar_ctx *ctx)
{
	xa_init(&ctx->results);
	spin_lock_init(&ctx->result_lock);
	atomic64_set(&ctx->next_job_id, 0);
}

void quasar_result_fini(struct quasar_ctx *ctx)
{
	struct quasar_job_record *rec;
	unsigned long id;

	xa_for_each(&ctx->results, id, rec)
		quasar_result_put(rec);
	xa_destroy(&ctx->results);
}

/*
 * A record for a new job of @ctx, under a new id (*@id). Two references:
 * the table's and the caller's (the job's).
 */
struct quasar_job_record *quasar_result_new(struct quasar_ctx *ctx, u64 *id)
{
	struct quasar_job_record *rec;
	int ret;

	rec = kzalloc(sizeof(*rec), GFP_KERNEL_ACCOUNT);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	kref_init(&rec->ref);
	kref_get(&rec->ref);
	*id = atomic64_inc_return(&ctx->next_job_id);
	ret = xa_err(xa_store(&ctx->results, *id, rec, GFP_KERNEL_ACCOUNT));
	if (ret) {
		kfree(rec);
		return ERR_PTR(ret);
	}
	if (*id > DRM_QUASAR_JOB_RESULTS_KEPT)
		quasar_result_drop(ctx, *id - DRM_QUASAR_JOB_RESULTS_KEPT);
	return rec;
}

/* Forget id @id: its job was never queued, or its result is too old. */
void quasar_result_drop(struct quasar_ctx *ctx, u64 id)
{
	quasar_result_put(xa_erase(&ctx->results, id));
}

/* Completion: no allocation, a spinlock only. */
void quasar_result_set(struct quasar_ctx *ctx, struct quasar_job_record *rec,
		       const struct quasar_job_result *res)
{
	spin_lock(&ctx->result_lock);
	rec->res = *res;
	rec->res.ended = true;
	spin_unlock(&ctx->result_lock);
}

/* Job @id's result: 0, -ENOENT (never returned, or dropped) or -ENODATA (not ended). */
int quasar_result_get(struct quasar_ctx *ctx, u64 id,
		      struct quasar_job_result *res)
{
	struct quasar_job_record *rec;

	/* The table's lock keeps a dropped record from being freed under us. */
	xa_lock(&ctx->results);
	rec = xa_load(&ctx->results, id);
	if (rec) {
		spin_lock(&ctx->result_lock);
		*res = rec->res;
		spin_unlock(&ctx->result_lock);
	}
	xa_unlock(&ctx->results);
	if (!rec)
		return -ENOENT;
	return res->ended ? 0 : -ENODATA;
}
