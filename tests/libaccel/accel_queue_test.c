// SPDX-License-Identifier: MIT
/*
 * libaccel's queues with priorities, on the host against the fake kernel
 * of la_fake.h: what accel_queue_create/destroy and a submit through a
 * queue ask the kernel for, the refusals made before any ioctl, kernel
 * errors passed on with their text, and the graph runner's queues per
 * priority. tests/libaccel/guest_accel_test.c runs the same on the device.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"

#include "accel_internal.h"
#include "la_fake.h"

#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing \"%s\" in: %s", s, text)

static const char *qt_err(struct accel_device *dev)
{
	static char text[384];

	accel_device_last_error(dev, text, sizeof(text));
	return text;
}

/* A one-command stream, ready to submit. */
static struct accel_cmdbuf *qt_stream(struct accel_device *dev)
{
	struct accel_cmdbuf *cb;

	if (accel_cmdbuf_create(dev, &cb))
		return NULL;
	if (accel_cmdbuf_nop(cb)) {
		accel_cmdbuf_destroy(cb);
		return NULL;
	}
	return cb;
}

TEST(priorities_have_names_and_parse_back)
{
	uint32_t p = 99;

	EXPECT_STREQ("LOW", accel_priority_name(DRM_QUASAR_PRIORITY_LOW));
	EXPECT_STREQ("NORMAL", accel_priority_name(DRM_QUASAR_PRIORITY_NORMAL));
	EXPECT_STREQ("HIGH", accel_priority_name(DRM_QUASAR_PRIORITY_HIGH));
	EXPECT_EQ(NULL, accel_priority_name(3));
	EXPECT_EQ(NULL, accel_priority_name(UINT32_MAX));
	for (uint32_t i = 0; i < ACCEL_NUM_PRIORITIES; i++) {
		ASSERT_EQ(0, accel_priority_parse(accel_priority_name(i), &p));
		EXPECT_EQ(i, p);
	}
	ASSERT_EQ(0, accel_priority_parse("high", &p));
	EXPECT_EQ((uint32_t)DRM_QUASAR_PRIORITY_HIGH, p);
	ASSERT_EQ(0, accel_priority_parse("Low", &p));
	EXPECT_EQ((uint32_t)DRM_QUASAR_PRIORITY_LOW, p);
	ASSERT_EQ(0, accel_priority_parse("1", &p));
	EXPECT_EQ((uint32_t)DRM_QUASAR_PRIORITY_NORMAL, p);
	p = 99;
	EXPECT_EQ(-EINVAL, accel_priority_parse("urgent", &p));
	EXPECT_EQ(-EINVAL, accel_priority_parse("3", &p));
	EXPECT_EQ(-EINVAL, accel_priority_parse("", &p));
	EXPECT_EQ(-EINVAL, accel_priority_parse("highest", &p));
	EXPECT_EQ(-EINVAL, accel_priority_parse(NULL, &p));
	EXPECT_EQ(99u, p);
}

FIXTURE(fq) {
	struct accel_device *dev;
};

FIXTURE_SETUP(fq)
{
	self->dev = la_fake_open();
	ASSERT_NE(NULL, self->dev);
}

FIXTURE_TEARDOWN(fq)
{
	accel_device_close(self->dev);
}

TEST_F(fq, create_asks_for_the_priority_and_keeps_the_binding)
{
	struct accel_queue *hi, *n1, *n2, *lo;
	uint32_t n1_id;

	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_HIGH, &hi));
	EXPECT_EQ((uint32_t)DRM_QUASAR_PRIORITY_HIGH, la_fake.last_create.priority);
	EXPECT_EQ(0u, la_fake.last_create.flags);
	EXPECT_EQ((uint32_t)DRM_QUASAR_PRIORITY_HIGH, accel_queue_priority(hi));
	EXPECT_EQ(2u, accel_queue_hw_index(hi));
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &n1));
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &n2));
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_LOW, &lo));
	/* The kernel spread the two NORMAL queues; libaccel reports its choice. */
	EXPECT_EQ(0u, accel_queue_hw_index(n1));
	EXPECT_EQ(1u, accel_queue_hw_index(n2));
	EXPECT_EQ(3u, accel_queue_hw_index(lo));
	EXPECT_EQ(4u, la_fake.create_calls);
	n1_id = n1->id;
	accel_queue_destroy(n1);
	EXPECT_EQ(1u, la_fake.destroy_calls);
	EXPECT_EQ(n1_id, la_fake.last_destroyed);
	EXPECT_EQ(0u, la_fake.queue_hw[n1_id]);
	accel_queue_destroy(lo);
	accel_queue_destroy(n2);
	accel_queue_destroy(hi);
	accel_queue_destroy(NULL);
	EXPECT_EQ(4u, la_fake.destroy_calls);
	for (uint32_t i = 0; i < LA_FAKE_HWQ; i++) {
		EXPECT_EQ(0u, la_fake.hwq_bound[i]);
	}
}

TEST_F(fq, unknown_or_absent_priority_is_refused_before_the_kernel)
{
	struct accel_queue *q = (void *)1;

	EXPECT_EQ(-EINVAL, accel_queue_create(self->dev, 3, &q));
	EXPECT_EQ(NULL, q);
	HAS(qt_err(self->dev), "queue priority 3");
	HAS(qt_err(self->dev), "HIGH (2)");
	EXPECT_EQ(-EINVAL, accel_queue_create(self->dev, UINT32_MAX, &q));
	/* A device without a HIGH hardware queue. */
	self->dev->info.queue_priorities = 1u << DRM_QUASAR_PRIORITY_LOW |
					   1u << DRM_QUASAR_PRIORITY_NORMAL;
	EXPECT_EQ(-EINVAL, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_HIGH, &q));
	HAS(qt_err(self->dev), "priority HIGH");
	HAS(qt_err(self->dev), "it has LOW NORMAL");
	/* A driver from before queues. */
	self->dev->info.queue_priorities = 0;
	EXPECT_EQ(-ENOTTY, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &q));
	HAS(qt_err(self->dev), "no queues");
	EXPECT_EQ(0u, la_fake.create_calls);
}

TEST_F(fq, kernel_refusals_come_back_with_their_text)
{
	struct accel_queue *q[LA_FAKE_MAX_QUEUES], *extra = (void *)1;

	for (int i = 0; i < LA_FAKE_MAX_QUEUES; i++) {
		ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_LOW, &q[i]));
	}
	EXPECT_EQ(-ENOSPC, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_LOW, &extra));
	EXPECT_EQ(NULL, extra);
	HAS(qt_err(self->dev), "QUEUE_CREATE(priority LOW)");
	HAS(qt_err(self->dev), "limit of queues");
	for (int i = 0; i < LA_FAKE_MAX_QUEUES; i++)
		accel_queue_destroy(q[i]);
	EXPECT_EQ((uint32_t)LA_FAKE_MAX_QUEUES, la_fake.destroy_calls);
}

/* A hardware queue the device does not have: refused, and the id given back. */
TEST_F(fq, malformed_answer_is_eproto_and_the_queue_is_destroyed)
{
	struct accel_queue *q = (void *)1;

	la_fake.bogus_hw_queue = 9;
	EXPECT_EQ(-EPROTO, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &q));
	EXPECT_EQ(NULL, q);
	HAS(qt_err(self->dev), "hardware queue 9 (of 4)");
	EXPECT_EQ(1u, la_fake.create_calls);
	EXPECT_EQ(1u, la_fake.destroy_calls);
}

TEST_F(fq, submit_through_a_queue_passes_its_id_and_the_flag)
{
	struct accel_cmdbuf *a = qt_stream(self->dev), *b = qt_stream(self->dev);
	struct accel_queue *q;
	struct accel_job_stats s;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_LOW, &q));
	ASSERT_EQ(0, accel_cmdbuf_submit(a, &(struct accel_submit){ .uqueue = q }))
		TH_LOG("%s", qt_err(self->dev));
	ASSERT_EQ(0, accel_cmdbuf_submit(b, &(struct accel_submit){ .queue = 2 }));
	ASSERT_EQ(2u, la_fake.nsubmit);
	EXPECT_EQ(accel_bo_handle(accel_cmdbuf_bo(a)), la_fake.submit[0].cmd_handle);
	EXPECT_EQ(DRM_QUASAR_SUBMIT_QUEUE_ID, la_fake.submit[0].flags);
	EXPECT_EQ(q->id, la_fake.submit[0].queue);
	EXPECT_EQ(3u, la_fake.submit[0].hw_queue);
	/* A hardware index is sent as before, without the flag. */
	EXPECT_EQ(0u, la_fake.submit[1].flags);
	EXPECT_EQ(2u, la_fake.submit[1].queue);
	ASSERT_EQ(0, accel_cmdbuf_stats(a, &s));
	EXPECT_EQ(accel_queue_hw_index(q), s.queue);
	accel_queue_destroy(q);
	accel_cmdbuf_destroy(b);
	accel_cmdbuf_destroy(a);
}

TEST_F(fq, submit_naming_two_queues_or_a_foreign_one_is_refused)
{
	struct accel_cmdbuf *cb = qt_stream(self->dev);
	struct accel_device *other;
	struct accel_queue *q, foreign;

	ASSERT_NE(NULL, cb);
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_HIGH, &q));
	EXPECT_EQ(-EINVAL, accel_cmdbuf_submit(cb, &(struct accel_submit){
		.queue = 1, .uqueue = q }));
	HAS(qt_err(self->dev), "both hardware queue 1 and HIGH queue");
	/* Another device's queue (its fields copied, its device another). */
	other = calloc(1, sizeof(*other));
	ASSERT_NE(NULL, other);
	strcpy(other->path, "/dev/accel/other");
	foreign = *q;
	foreign.dev = other;
	EXPECT_EQ(-EINVAL, accel_cmdbuf_submit(cb, &(struct accel_submit){
		.uqueue = &foreign }));
	HAS(qt_err(self->dev), "another device handle (/dev/accel/other)");
	EXPECT_EQ(0u, la_fake.submits_seen);
	/* Refused submits leave the stream open for a good one. */
	EXPECT_EQ(0, accel_cmdbuf_submit(cb, &(struct accel_submit){ .uqueue = q }));
	EXPECT_EQ(1u, la_fake.submits_seen);
	free(other);
	accel_queue_destroy(q);
	accel_cmdbuf_destroy(cb);
}

/* A kernel refusal names the queue, its priority and its hardware queue. */
TEST_F(fq, failed_submit_names_the_queue)
{
	struct accel_cmdbuf *cb = qt_stream(self->dev);
	struct accel_queue *q;
	uint32_t id;

	ASSERT_NE(NULL, cb);
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &q));
	/* Pull the queue from under the library, as a raw QUEUE_DESTROY would. */
	id = q->id;
	la_fake.hwq_bound[la_fake.queue_hw[id] - 1]--;
	la_fake.queue_hw[id] = 0;
	EXPECT_EQ(-ENOENT, accel_cmdbuf_submit(cb, &(struct accel_submit){ .uqueue = q }));
	HAS(qt_err(self->dev), "NORMAL queue 1 on hardware queue 0");
	free(q);	/* its kernel side is gone */
	accel_cmdbuf_destroy(cb);
}

/*
 * Nodes at HIGH, LOW, HIGH, on hardware queue 1 and on the caller's NORMAL
 * queue: the graph makes one queue per priority, reuses them on a rerun,
 * destroys only its own, and each node went where it was added.
 */
TEST_F(fq, graph_makes_one_queue_per_priority_and_runs_nodes_there)
{
	static const int prio[3] = { DRM_QUASAR_PRIORITY_HIGH, DRM_QUASAR_PRIORITY_LOW,
				     DRM_QUASAR_PRIORITY_HIGH };
	struct accel_cmdbuf *cb[5];
	struct accel_graph_node node;
	struct accel_queue *mine;
	struct accel_graph *g;
	uint32_t id[5];

	for (int i = 0; i < 5; i++) {
		cb[i] = qt_stream(self->dev);
		ASSERT_NE(NULL, cb[i]);
	}
	ASSERT_EQ(0, accel_queue_create(self->dev, DRM_QUASAR_PRIORITY_NORMAL, &mine));
	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, accel_graph_add_priority(g, cb[i], prio[i], i ? &id[i - 1] : NULL,
						      i ? 1 : 0, &id[i]))
			TH_LOG("%s", qt_err(self->dev));
	}
	ASSERT_EQ(0, accel_graph_add(g, cb[3], 1, &id[0], 1, &id[3]));
	ASSERT_EQ(0, accel_graph_add_queue(g, cb[4], mine, id, 4, &id[4]));
	EXPECT_EQ(3u, la_fake.create_calls);	/* mine, HIGH, LOW */

	for (int run = 0; run < 2; run++) {
		la_fake.nsubmit = 0;
		ASSERT_EQ(0, accel_graph_run(g, 1000000000)) TH_LOG("%s", qt_err(self->dev));
		ASSERT_EQ(5u, la_fake.nsubmit);
		for (uint32_t i = 0; i < 5; i++) {
			const struct la_fake_submit *s = &la_fake.submit[i];

			ASSERT_EQ(0, accel_graph_node(g, id[i], &node));
			EXPECT_EQ(accel_bo_handle(accel_cmdbuf_bo(cb[i])), s->cmd_handle);
			EXPECT_EQ(s->hw_queue, node.stats.queue);
			if (i == 3) {
				EXPECT_EQ(NULL, node.queue);
				EXPECT_EQ(0u, s->flags);
				EXPECT_EQ(1u, s->queue);
				continue;
			}
			ASSERT_NE(NULL, node.queue);
			EXPECT_EQ(DRM_QUASAR_SUBMIT_QUEUE_ID, s->flags);
			EXPECT_EQ(node.queue->id, s->queue);
			EXPECT_EQ(accel_queue_hw_index(node.queue), s->hw_queue);
			EXPECT_EQ(i == 4 ? (uint32_t)DRM_QUASAR_PRIORITY_NORMAL : (uint32_t)prio[i],
				  accel_queue_priority(node.queue));
		}
	}
	ASSERT_EQ(0, accel_graph_node(g, id[0], &node));
	EXPECT_EQ(2u, accel_queue_hw_index(node.queue));
	ASSERT_EQ(0, accel_graph_node(g, id[1], &node));
	EXPECT_EQ(3u, accel_queue_hw_index(node.queue));
	EXPECT_EQ(3u, la_fake.create_calls);
	accel_graph_destroy(g);
	EXPECT_EQ(2u, la_fake.destroy_calls);
	accel_queue_destroy(mine);
	for (int i = 0; i < 5; i++)
		accel_cmdbuf_destroy(cb[i]);
}

TEST_F(fq, graph_refusals_create_no_queue)
{
	struct accel_cmdbuf *cb = qt_stream(self->dev);
	struct accel_graph *g;

	ASSERT_NE(NULL, cb);
	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	EXPECT_EQ(-EINVAL, accel_graph_add_priority(g, NULL, DRM_QUASAR_PRIORITY_HIGH, NULL, 0,
						    NULL));
	EXPECT_EQ(-EINVAL, accel_graph_add_priority(g, cb, DRM_QUASAR_PRIORITY_HIGH,
						    (uint32_t[]){ 0 }, 1, NULL));
	HAS(qt_err(self->dev), "not added yet");
	EXPECT_EQ(-EINVAL, accel_graph_add_priority(g, cb, 5, NULL, 0, NULL));
	HAS(qt_err(self->dev), "queue priority 5");
	EXPECT_EQ(-EINVAL, accel_graph_add_queue(g, cb, NULL, NULL, 0, NULL));
	HAS(qt_err(self->dev), "NULL queue");
	EXPECT_EQ(0u, accel_graph_count(g));
	EXPECT_EQ(0u, la_fake.create_calls);
	accel_graph_destroy(g);
	accel_cmdbuf_destroy(cb);
}

TEST_F(fq, failed_graph_node_is_named_with_its_priority)
{
	struct accel_cmdbuf *a = qt_stream(self->dev), *b = qt_stream(self->dev);
	struct accel_graph_node node;
	struct accel_graph *g;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, accel_graph_create(self->dev, &g));
	ASSERT_EQ(0, accel_graph_add_priority(g, a, DRM_QUASAR_PRIORITY_LOW, NULL, 0, NULL));
	ASSERT_EQ(0, accel_graph_add_priority(g, b, DRM_QUASAR_PRIORITY_HIGH,
					      (uint32_t[]){ 0 }, 1, NULL));
	la_fake.fail_handle = accel_bo_handle(accel_cmdbuf_bo(b));
	la_fake.fail_status = DRM_QUASAR_STATUS_BAD_INDEX;
	EXPECT_EQ(-EIO, accel_graph_run(g, 1000000000));
	HAS(qt_err(self->dev), "graph node 1 (HIGH queue 2 on hardware queue 2) ended BAD_INDEX");
	ASSERT_EQ(0, accel_graph_node(g, 1, &node));
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_INDEX, node.result.status);
	EXPECT_EQ(0, node.dep_failed);
	accel_graph_destroy(g);
	accel_cmdbuf_destroy(b);
	accel_cmdbuf_destroy(a);
}

TEST_HARNESS_MAIN
