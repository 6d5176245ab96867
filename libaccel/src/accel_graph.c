// SPDX-License-Identifier: MIT
/*
 * Graph runner: jobs with dependencies, all submitted before any is waited
 * for, ordered by one timeline syncobj. Nodes are numbered in the order
 * they were added, which is a topological order since a node can only
 * depend on earlier ones; node i of a run signals point base + i + 1. A
 * timeline point counts as signalled once it and every lower point have,
 * so waiting for the highest dependency's point is waiting for all of
 * them, and the kernel never sees a wait for a point not yet submitted.
 *
 * A node runs on a hardware queue, on a caller's accel_queue, or on the
 * graph's own queue of a priority: one per priority, made when the first
 * node asks for it and kept until the graph is destroyed, so that the
 * nodes of one priority stay in order on one queue and a rerun creates
 * nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

struct accel_graph_entry {
	struct accel_cmdbuf *cb;
	uint32_t queue;		/* hardware queue, when @uq is NULL */
	const struct accel_queue *uq;
	uint32_t *deps;
	uint32_t ndeps;
	bool ran;		/* submitted in the last run */
	struct accel_graph_node res;
};

struct accel_graph {
	struct accel_device *dev;
	struct accel_syncobj *timeline;
	uint64_t base;		/* highest point any run has used */
	struct accel_graph_entry *nodes;
	uint32_t count, cap;
	/* The graph's own queues, one per priority its nodes asked for. */
	struct accel_queue *prio_queue[ACCEL_NUM_PRIORITIES];
};

int accel_graph_create(struct accel_device *dev, struct accel_graph **out)
{
	struct accel_graph *g;
	int err;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return accel_fail(dev, -ENOMEM, "graph");
	g->dev = dev;
	err = accel_syncobj_create(dev, 0, &g->timeline);
	if (err) {
		free(g);
		return err;
	}
	*out = g;
	return 0;
}

void accel_graph_destroy(struct accel_graph *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->count; i++)
		free(g->nodes[i].deps);
	free(g->nodes);
	for (uint32_t p = 0; p < ACCEL_NUM_PRIORITIES; p++)
		accel_queue_destroy(g->prio_queue[p]);
	accel_syncobj_destroy(g->timeline);
	free(g);
}

uint32_t accel_graph_count(const struct accel_graph *g)
{
	return g->count;
}

/* What every node must satisfy, wherever it runs. */
static int accel_graph_check(struct accel_graph *g, struct accel_cmdbuf *cb,
			     const uint32_t *deps, uint32_t ndeps)
{
	uint32_t i;

	if (!cb || cb->dev != g->dev)
		return accel_fail(g->dev, -EINVAL, "graph node: command buffer %s",
				  cb ? "of another device" : "is NULL");
	for (i = 0; i < ndeps; i++)
		if (deps[i] >= g->count)
			return accel_fail(g->dev, -EINVAL,
					  "graph node %u depends on node %u, which is not added yet",
					  g->count, deps[i]);
	for (i = 0; i < g->count; i++)
		if (g->nodes[i].cb == cb)
			return accel_fail(g->dev, -EINVAL,
					  "command buffer already is node %u (its job and stats are per command BO)",
					  i);
	return 0;
}

/* Appends a node that accel_graph_check() accepted. */
static int accel_graph_append(struct accel_graph *g, struct accel_cmdbuf *cb,
			      uint32_t queue, const struct accel_queue *uq, const uint32_t *deps,
			      uint32_t ndeps, uint32_t *id)
{
	struct accel_graph_entry *e;

	if (g->count == g->cap) {
		uint32_t cap = g->cap ? g->cap * 2 : 8;

		e = realloc(g->nodes, cap * sizeof(*e));
		if (!e)
			return accel_fail(g->dev, -ENOMEM, "graph nodes");
		g->nodes = e;
		g->cap = cap;
	}
	e = &g->nodes[g->count];
	*e = (struct accel_graph_entry){ .cb = cb, .queue = queue, .uq = uq, .ndeps = ndeps };
	if (ndeps) {
		e->deps = malloc(ndeps * sizeof(*deps));
		if (!e->deps)
			return accel_fail(g->dev, -ENOMEM, "graph node dependencies");
		memcpy(e->deps, deps, ndeps * sizeof(*deps));
	}
	if (id)
		*id = g->count;
	g->count++;
	return 0;
}

int accel_graph_add(struct accel_graph *g, struct accel_cmdbuf *cb, uint32_t queue,
		    const uint32_t *deps, uint32_t ndeps, uint32_t *id)
{
	int err = accel_graph_check(g, cb, deps, ndeps);

	if (err)
		return err;
	if (queue >= g->dev->info.num_queues)
		return accel_fail(g->dev, -EINVAL, "graph node on queue %u (the device has %u)",
				  queue, g->dev->info.num_queues);
	return accel_graph_append(g, cb, queue, NULL, deps, ndeps, id);
}

int accel_graph_add_queue(struct accel_graph *g, struct accel_cmdbuf *cb,
			  const struct accel_queue *q, const uint32_t *deps, uint32_t ndeps,
			  uint32_t *id)
{
	int err = accel_graph_check(g, cb, deps, ndeps);

	if (err)
		return err;
	if (!q || q->dev != g->dev)
		return accel_fail(g->dev, -EINVAL, "graph node on %s",
				  q ? "a queue of another device" : "a NULL queue");
	return accel_graph_append(g, cb, 0, q, deps, ndeps, id);
}

/* The node is checked before its queue is made, so a refusal leaves none. */
int accel_graph_add_priority(struct accel_graph *g, struct accel_cmdbuf *cb,
			     uint32_t priority, const uint32_t *deps, uint32_t ndeps,
			     uint32_t *id)
{
	struct accel_queue *q;
	int err = accel_graph_check(g, cb, deps, ndeps);

	if (err)
		return err;
	if (priority < ACCEL_NUM_PRIORITIES && g->prio_queue[priority]) {
		q = g->prio_queue[priority];
	} else {
		/* Refuses an unknown priority, so the index below is valid. */
		err = accel_queue_create(g->dev, priority, &q);
		if (err)
			return err;
		g->prio_queue[priority] = q;
	}
	return accel_graph_append(g, cb, 0, q, deps, ndeps, id);
}

static int accel_graph_submit(struct accel_graph *g, uint32_t i)
{
	struct accel_graph_entry *e = &g->nodes[i];
	struct accel_sync in = { g->timeline, 0 }, out = { g->timeline, e->res.point };
	uint32_t d;

	for (d = 0; d < e->ndeps; d++)
		if (g->nodes[e->deps[d]].res.point > in.point)
			in.point = g->nodes[e->deps[d]].res.point;
	return accel_cmdbuf_submit(e->cb, &(struct accel_submit){
		.queue = e->queue, .uqueue = e->uq, .in = &in, .in_count = in.point ? 1 : 0,
		.out = &out, .out_count = 1 });
}

/* Status and statistics of a node whose fence has signalled. */
static int accel_graph_collect(struct accel_graph *g, uint32_t i)
{
	struct accel_graph_entry *e = &g->nodes[i];
	int err = accel_cmdbuf_wait(e->cb, 0, &e->res.result);

	if (err && err != -EIO)
		return err;
	e->res.stats_err = accel_cmdbuf_stats(e->cb, &e->res.stats);
	if (e->res.stats_err)
		memset(&e->res.stats, 0, sizeof(e->res.stats));
	for (uint32_t d = 0; d < e->ndeps; d++) {
		const struct accel_graph_node *dep = &g->nodes[e->deps[d]].res;

		if (dep->result.status != DRM_QUASAR_STATUS_OK || dep->dep_failed)
			e->res.dep_failed = 1;
	}
	return err;
}

int accel_graph_run(struct accel_graph *g, int64_t timeout_ns)
{
	uint32_t i, submitted = 0, failed = UINT32_MAX;
	char where[64];
	int err = 0, serr;

	for (i = 0; i < g->count; i++) {
		g->nodes[i].ran = false;
		memset(&g->nodes[i].res, 0, sizeof(g->nodes[i].res));
		g->nodes[i].res.point = g->base + i + 1;
		g->nodes[i].res.queue = g->nodes[i].uq;
	}
	for (i = 0; i < g->count && !err; i++) {
		err = accel_graph_submit(g, i);
		if (!err)
			g->nodes[i].ran = true, submitted++;
	}
	/* Points of nodes that never went in stay unused; later runs skip them. */
	g->base += g->count;
	if (submitted) {
		serr = accel_syncobj_wait(g->timeline, g->nodes[submitted - 1].res.point,
					  timeout_ns);
		if (serr)
			return err ? err : serr;
	}
	for (i = 0; i < submitted; i++) {
		serr = accel_graph_collect(g, i);
		if (serr == -EIO && failed == UINT32_MAX)
			failed = i;
		else if (serr && serr != -EIO && !err)
			err = serr;
	}
	if (err)
		return err;
	if (failed == UINT32_MAX)
		return 0;
	return accel_fail(g->dev, -EIO, "graph node %u (%s) ended %s at command %u", failed,
			  accel_submit_where(&(struct accel_submit){
				.queue = g->nodes[failed].queue, .uqueue = g->nodes[failed].uq },
				where, sizeof(where)),
			  accel_status_name(g->nodes[failed].res.result.status),
			  g->nodes[failed].res.result.cmd_index);
}

int accel_graph_node(const struct accel_graph *g, uint32_t id, struct accel_graph_node *out)
{
	if (id >= g->count)
		return accel_fail(g->dev, -EINVAL, "graph node %u (the graph has %u)", id,
				  g->count);
	if (!g->nodes[id].ran)
		return accel_fail(g->dev, -ENODATA, "graph node %u did not run", id);
	*out = g->nodes[id].res;
	return 0;
}
