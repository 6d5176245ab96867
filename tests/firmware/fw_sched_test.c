// SPDX-License-Identifier: MIT
/*
 * The engine scheduler (hw-spec 12.1): priority first, then the queue
 * served longest ago; and, run as the device runs it, a high-priority
 * queue overtakes queued low-priority work while queues of one level
 * share the engines job by job.
 */
#include "kselftest_harness.h"

#include "fw_api.h"

#define LOW	QUASAR_Q_PRIORITY_LOW
#define NORMAL	QUASAR_Q_PRIORITY_NORMAL
#define HIGH	QUASAR_Q_PRIORITY_HIGH

FIXTURE(sched_pick) { int unused; };
FIXTURE_SETUP(sched_pick) {}
FIXTURE_TEARDOWN(sched_pick) {}
FIXTURE(sched_sim) { int unused; };
FIXTURE_SETUP(sched_sim) {}
FIXTURE_TEARDOWN(sched_sim) {}

TEST_F(sched_pick, nobody_waiting_is_minus_one)
{
	struct fw_sched_queue q[4] = { { .priority = HIGH } };

	EXPECT_EQ(-1, fw_sched_pick(q, 4));
	EXPECT_EQ(-1, fw_sched_pick(q, 0));
}

TEST_F(sched_pick, higher_priority_wins_whatever_its_history)
{
	struct fw_sched_queue q[4] = {
		{ true, LOW, 0 }, { true, NORMAL, 0 },
		{ true, HIGH, 1000 }, { true, NORMAL, 1 },
	};

	EXPECT_EQ(2, fw_sched_pick(q, 4));
	q[2].waiting = false;
	EXPECT_EQ(1, fw_sched_pick(q, 4));
	q[1].waiting = false;
	q[3].waiting = false;
	EXPECT_EQ(0, fw_sched_pick(q, 4));
}

TEST_F(sched_pick, same_level_goes_to_the_one_served_longest_ago)
{
	struct fw_sched_queue q[4] = {
		{ true, NORMAL, 9 }, { true, NORMAL, 4 },
		{ true, NORMAL, 7 }, { false, NORMAL, 1 },
	};

	EXPECT_EQ(1, fw_sched_pick(q, 4));
	q[1].last_grant = 10;
	EXPECT_EQ(2, fw_sched_pick(q, 4));
}

TEST_F(sched_pick, ties_go_to_the_lowest_index)
{
	struct fw_sched_queue q[3] = {
		{ false, HIGH, 0 }, { true, LOW, 0 }, { true, LOW, 0 },
	};

	EXPECT_EQ(1, fw_sched_pick(q, 3));
}

/*
 * One engine, queues with jobs queued, served as the device serves them:
 * each grant runs one job of the picked queue.
 */
static int sim_next(struct fw_sched_queue *q, unsigned int n, uint32_t *left,
		    uint64_t *seq)
{
	int p;

	for (unsigned int i = 0; i < n; i++)
		q[i].waiting = left[i] > 0;
	p = fw_sched_pick(q, n);
	if (p >= 0) {
		q[p].last_grant = ++*seq;
		left[p]--;
	}
	return p;
}

TEST_F(sched_sim, high_job_overtakes_queued_low_work)
{
	struct fw_sched_queue q[2] = { { .priority = LOW }, { .priority = HIGH } };
	uint32_t left[2] = { 8, 0 };
	uint64_t seq = 0;

	/* Two low jobs run, then a high job arrives behind six queued ones. */
	ASSERT_EQ(0, sim_next(q, 2, left, &seq));
	ASSERT_EQ(0, sim_next(q, 2, left, &seq));
	left[1] = 1;
	EXPECT_EQ(1, sim_next(q, 2, left, &seq));
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(0, sim_next(q, 2, left, &seq));
	EXPECT_EQ(-1, sim_next(q, 2, left, &seq));
}

TEST_F(sched_sim, one_level_shares_job_by_job_whatever_the_depth)
{
	struct fw_sched_queue q[3] = {
		{ .priority = NORMAL }, { .priority = NORMAL }, { .priority = NORMAL },
	};
	uint32_t left[3] = { 30, 3, 6 };
	uint32_t ran[3] = { 0 };
	uint64_t seq = 0;

	/* While all three have work, each runs once per round. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3; i++)
			ran[sim_next(q, 3, left, &seq)]++;
		for (int i = 0; i < 3; i++)
			EXPECT_EQ((uint32_t)round + 1, ran[i]);
	}
	/* Then the two that are left alternate. */
	for (int i = 0; i < 6; i++)
		ran[sim_next(q, 3, left, &seq)]++;
	EXPECT_EQ(6u, ran[0]);
	EXPECT_EQ(6u, ran[2]);
}

TEST_HARNESS_MAIN
