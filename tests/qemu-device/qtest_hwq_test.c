/* SPDX-License-Identifier: MIT */
/*
 * qtests of the Quasar device's hardware queues (docs/hw-spec.md): jobs
 * through rings, page tables and completions, their faults and errors, and
 * the engine scheduler (spec 12.1).
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qtest_util.h"

static void test_queue_fill_and_copy_write_memory_and_completion(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t bytes = QT_DATA_PAGES * QT_PAGE, len;

    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    /* Both span a page boundary, so both go through two translations. */
    len = qt_cmd_fill(t, 0, QT_VA_A, bytes, 0xdeadbeef);
    len = qt_cmd_copy(t, len, QT_VA_B, QT_VA_A, bytes);
    qt_submit(t, QT_VA_CMD, len, 0, 7);
    qt_wait_head(t, 0, 1);

    qt_expect_cpl(t, 0, 7, DRM_QUASAR_STATUS_OK, 2, 0);
    qt_expect_words(t, t->a_pa, bytes, 0xdeadbeef);
    qt_expect_words(t, t->b_pa, bytes, 0xdeadbeef);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_QUEUE(0), ==,
                    QUASAR_IRQ_QUEUE(0));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==,
                    QUASAR_Q_STATUS_ENABLED);
    qt_stop(t);
}

/*
 * A page-table entry changed between two jobs: the second job's write and
 * read go to the new page, not to the one the first job's translations (the
 * engine's TLB, the device's cache of guest RAM) pointed at (spec 4).
 */
static void test_queue_remapped_page_is_used_by_the_next_job(void)
{
    QT *t = qt_start_jobs(true);
    uint64_t fresh = qt_alloc_pages(t, 1);
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_A, QT_PAGE, 0x11111111);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 1, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_expect_words(t, t->a_pa, QT_PAGE, 0x11111111);

    qt_map(t, QT_VA_A, fresh, 1, true);
    len = qt_cmd_fill(t, 0, QT_VA_A, QT_PAGE, 0x22222222);
    len = qt_cmd_copy(t, len, QT_VA_B, QT_VA_A, QT_PAGE);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    qt_wait_head(t, 0, 2);
    qt_expect_cpl(t, 1, 2, DRM_QUASAR_STATUS_OK, 2, 0);
    qt_expect_words(t, fresh, QT_PAGE, 0x22222222);
    qt_expect_words(t, t->a_pa, QT_PAGE, 0x11111111);
    qt_expect_words(t, t->b_pa, QT_PAGE, 0x22222222);
    qt_stop(t);
}

static void test_queue_bad_descriptor_fails_and_next_job_runs(void)
{
    QT *t = qt_start_jobs(true);
    struct quasar_hw_desc bad_flags = {
        .cmd_addr = cpu_to_le64(QT_VA_CMD),
        .cmd_size = cpu_to_le32(24),
        .flags = cpu_to_le16(1),
        .seqno = cpu_to_le64(1),
    };
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x01020304);
    qt_submit_desc(t, 0, &bad_flags);
    qt_submit(t, QT_VA_CMD, len, QUASAR_NUM_CTX, 2);
    qt_submit(t, QT_VA_CMD, len, 0, 3);
    qt_wait_head(t, 0, 3);

    qt_expect_cpl(t, 0, 1, DRM_QUASAR_STATUS_BAD_DESC, 0, 0);
    qt_expect_cpl(t, 1, 2, DRM_QUASAR_STATUS_BAD_CONTEXT, 0, 0);
    qt_expect_cpl(t, 2, 3, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_expect_words(t, t->a_pa, 64, 0x01020304);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)) &
                    QUASAR_Q_STATUS_ERROR, ==, 0);
    qt_stop(t);
}

static void test_queue_mmu_fault_records_address_in_cpl_and_ctx(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x11111111);
    len = qt_cmd_fill(t, len, QT_VA_UNMAPPED + 8, 64, 0x22222222);
    qt_submit(t, QT_VA_CMD, len, 0, 9);
    qt_wait_head(t, 0, 1);

    qt_expect_cpl(t, 0, 9, DRM_QUASAR_STATUS_MMU_FAULT, 1,
                  QT_VA_UNMAPPED + 8);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_STATUS)), ==,
                     DRM_QUASAR_STATUS_MMU_FAULT);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_ADDR_LO)), ==,
                    (uint32_t)(QT_VA_UNMAPPED + 8));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_ADDR_HI)), ==,
                    (QT_VA_UNMAPPED + 8) >> 32);
    /* The command before the fault did run. */
    qt_expect_words(t, t->a_pa, 64, 0x11111111);
    qt_stop(t);
}

static void test_queue_write_to_read_only_page_is_mmu_perm(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_RO, 16, 0x33333333);
    qt_submit(t, QT_VA_CMD, len, 0, 4);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 4, DRM_QUASAR_STATUS_MMU_PERM, 0, QT_VA_RO);
    qt_expect_words(t, t->a_pa, 16, 0);
    qt_stop(t);
}

static void test_queue_invalid_context_slot_faults(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 0x44444444);
    qt_wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), 0);
    qt_submit(t, QT_VA_CMD, len, 0, 5);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 5, DRM_QUASAR_STATUS_MMU_FAULT, 0, QT_VA_CMD);
    qt_expect_words(t, t->a_pa, 16, 0);
    qt_stop(t);
}

static void test_queue_waits_for_firmware_ready(void)
{
    QT *t = qt_start_jobs(false);
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 0x55555555);
    qt_submit(t, QT_VA_CMD, len, 0, 6);
    g_usleep(50 * 1000);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    qt_boot_good(t);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 6, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_stop(t);
}

static void test_queue_completion_signals_msix_vector(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qpci_msix_enable(t->dev);
    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 1);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);
    qt_wait_msix_pending(t, QUASAR_MSIX_QUEUE(0));
    g_assert_false(qpci_msix_pending(t->dev, QUASAR_MSIX_DEVICE));
    qpci_msix_disable(t->dev);
    qt_stop(t);
}

static void qt_expect_queue_error(QT *t, unsigned int q, uint32_t status)
{
    qt_wait_reg(t, QUASAR_REG_QUEUE(q, QUASAR_Q_STATUS),
                QUASAR_Q_STATUS_ERROR, QUASAR_Q_STATUS_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_ERROR)), ==, status);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_ERROR, ==,
                    QUASAR_IRQ_ERROR);
}

static void test_queue_doorbell_past_size_is_error_until_reenabled(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), QT_RING_SIZE + 1);
    qt_expect_queue_error(t, 0, DRM_QUASAR_STATUS_BAD_DESC);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);

    /* Disable + enable clears the error and restarts at 0. */
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_ERROR);
    qt_queue_enable(t, 0, QT_RING_SIZE);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==,
                    QUASAR_Q_STATUS_ENABLED);
    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 0x66666666);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 1, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_stop(t);
}

static void test_queue_enable_with_bad_size_is_error(void)
{
    QT *t = qt_start_jobs(true);

    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_SIZE), 3);
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    qt_expect_queue_error(t, 1, DRM_QUASAR_STATUS_BAD_DESC);
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_CTRL), 0);
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_SIZE), 8192);
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    qt_expect_queue_error(t, 1, DRM_QUASAR_STATUS_BAD_DESC);
    qt_stop(t);
}

static void test_queue_unreadable_ring_is_dma_error(void)
{
    QT *t = qt_start_jobs(true);

    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    t->ring = 0x7f0000000000ull;
    qt_queue_enable(t, 0, QT_RING_SIZE);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    qt_expect_queue_error(t, 0, DRM_QUASAR_STATUS_DMA_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    qt_stop(t);
}

static void test_queue_disable_with_jobs_queued_ends_idle_at_zero(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_submit_long_jobs(t);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), ~0u, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);
    /* A doorbell on a disabled queue is ignored. */
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);

    qt_queue_enable(t, 0, QT_RING_SIZE);
    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 0x88888888);
    qt_submit(t, QT_VA_CMD, len, 0, 42);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 42, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_stop(t);
}

static void test_queue_ring_registers_locked_while_enabled(void)
{
    QT *t = qt_start_jobs(true);

    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE), 8);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_RING_LO), 0x1000);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE)), ==,
                     QT_RING_SIZE);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_RING_LO)), ==,
                    (uint32_t)t->ring);
    qt_stop(t);
}

/* Engine scheduling (spec 12.1) */

/* A queue of its own: rings on fresh pages, enabled at @priority. */
static void qt_sched_queue(QT *t, unsigned int q, uint32_t priority,
                           uint64_t *ring, uint64_t *cpl)
{
    *ring = qt_alloc_pages(t, 1);
    *cpl = qt_alloc_pages(t, 1);
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO),
         QUASAR_REG_QUEUE(q, QUASAR_Q_RING_HI), *ring);
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO),
         QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_HI), *cpl);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), QT_RING_SIZE);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_PRIORITY), priority);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
}

/* Job @index (from 0) of a queue set up by qt_sched_queue(). */
static void qt_sched_submit(QT *t, unsigned int q, uint64_t ring,
                            uint32_t index, uint32_t cmd_size)
{
    struct quasar_hw_desc d = {
        .cmd_addr = cpu_to_le64(QT_VA_CMD),
        .cmd_size = cpu_to_le32(cmd_size),
        .seqno = cpu_to_le64(100 * q + index),
    };

    qtest_memwrite(t->qts, ring + (index % QT_RING_SIZE) * sizeof(d), &d,
                   sizeof(d));
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL), index + 1);
}

static void test_sched_registers(void)
{
    QT *t = qt_start_with("q35", ",engines=3");

    g_assert_cmpuint(qt_rd(t, QUASAR_REG_NUM_ENGINES), ==, 3);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY)), ==,
                     QUASAR_Q_PRIORITY_NORMAL);
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY), QUASAR_Q_PRIORITY_HIGH);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY)), ==,
                     QUASAR_Q_PRIORITY_HIGH);
    /* Out of range: ignored, the old value stays. */
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY), 3);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY)), ==,
                     QUASAR_Q_PRIORITY_HIGH);
    qt_wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ), 7);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ)), ==, 0);
    qt_stop(t);
}

/*
 * One engine, held by a hung LOW job; a NORMAL job and then a HIGH job
 * wait for it. When the hung job is abandoned, the HIGH queue gets the
 * engine first although the NORMAL one waited longer.
 */
static void test_sched_high_priority_waiter_gets_the_freed_engine(void)
{
    QT *t = qt_start_jobs_with("q35", ",engines=1", true);
    uint64_t ring1, cpl1, ring2, cpl2;
    uint32_t len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x11223344);
    uint32_t waiting = QUASAR_Q_STATUS_WAITING;

    g_assert_cmpuint(qt_rd(t, QUASAR_REG_NUM_ENGINES), ==, 1);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_PRIORITY), QUASAR_Q_PRIORITY_LOW);
    qt_sched_queue(t, 1, QUASAR_Q_PRIORITY_NORMAL, &ring1, &cpl1);
    qt_sched_queue(t, 2, QUASAR_Q_PRIORITY_HIGH, &ring2, &cpl2);

    qt_wr(t, QUASAR_REG_DBG_QUEUES, 1u << 0);
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_HANG);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), QUASAR_Q_STATUS_BUSY,
                QUASAR_Q_STATUS_BUSY);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_START_SEQ)), ==, 1);

    qt_sched_submit(t, 1, ring1, 0, len);
    qt_wait_reg(t, QUASAR_REG_QUEUE(1, QUASAR_Q_STATUS), waiting, waiting);
    qt_sched_submit(t, 2, ring2, 0, len);
    qt_wait_reg(t, QUASAR_REG_QUEUE(2, QUASAR_Q_STATUS), waiting, waiting);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_HEAD)), ==, 0);

    /* Disabling queue 0 abandons the hung job and frees the engine. */
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wait_head(t, 1, 1);
    qt_wait_head(t, 2, 1);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_START_SEQ)), ==, 2);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ)), ==, 3);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_STATUS)) & waiting,
                    ==, 0);
    qt_stop(t);
}

/*
 * Two engines run two jobs at once: a hung job on queue 0 and another on
 * queue 1 are both BUSY (each started on its own engine), and a third job,
 * on queue 2, waits for an engine until one of them is abandoned.
 */
static void test_sched_two_engines_run_two_jobs_at_once(void)
{
    QT *t = qt_start_jobs_with("q35", ",engines=2", true);
    uint64_t ring1, cpl1, ring2, cpl2;
    uint32_t len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x11223344);
    uint32_t busy = QUASAR_Q_STATUS_BUSY, waiting = QUASAR_Q_STATUS_WAITING;

    qt_sched_queue(t, 1, QUASAR_Q_PRIORITY_NORMAL, &ring1, &cpl1);
    qt_sched_queue(t, 2, QUASAR_Q_PRIORITY_NORMAL, &ring2, &cpl2);

    qt_wr(t, QUASAR_REG_DBG_QUEUES, 1u << 0);
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_HANG);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), busy, busy);
    qt_wr(t, QUASAR_REG_DBG_QUEUES, 1u << 1);
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_HANG);
    qt_sched_submit(t, 1, ring1, 0, len);
    qt_wait_reg(t, QUASAR_REG_QUEUE(1, QUASAR_Q_STATUS), busy, busy);
    /* Both still running: two engines in use at the same time. */
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)) & busy, ==,
                    busy);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_FIRED), ==, 2);

    qt_sched_submit(t, 2, ring2, 0, len);
    qt_wait_reg(t, QUASAR_REG_QUEUE(2, QUASAR_Q_STATUS), waiting, waiting);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_HEAD)), ==, 0);

    /* Abandoning queue 0's job frees its engine for queue 2's. */
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wait_head(t, 2, 1);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_STATUS)) & busy, ==,
                    busy);
    qt_stop(t);
}

/*
 * One engine, held: LOW, NORMAL and HIGH jobs are rung in that order and
 * none starts. The release grants the engine by priority, whatever the
 * device threads did meanwhile (only the LOW queue is known to be asking):
 * HIGH, NORMAL twice (a queue with more jobs competes for the engine it
 * frees), then LOW twice, numbered from the grant count read while held.
 */
static void test_sched_hold_then_release_grants_by_priority(void)
{
    QT *t = qt_start_jobs_with("q35", ",engines=1", true);
    uint64_t ring1, cpl1, ring2, cpl2;
    uint32_t len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x11223344);
    uint32_t waiting = QUASAR_Q_STATUS_WAITING, g0;

    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_PRIORITY), QUASAR_Q_PRIORITY_LOW);
    qt_sched_queue(t, 1, QUASAR_Q_PRIORITY_NORMAL, &ring1, &cpl1);
    qt_sched_queue(t, 2, QUASAR_Q_PRIORITY_HIGH, &ring2, &cpl2);
    g0 = qt_rd(t, QUASAR_REG_DBG_GRANTS);

    qt_wr(t, QUASAR_REG_DBG_HOLD, QUASAR_DBG_HOLD_ENGINES);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    qt_sched_submit(t, 1, ring1, 0, len);
    qt_sched_submit(t, 1, ring1, 1, len);
    qt_sched_submit(t, 2, ring2, 0, len);
    /* The LOW queue asked for the engine and did not get it. */
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), waiting, waiting);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_GRANTS), ==, g0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_START_SEQ)), ==, 0);

    qt_wr(t, QUASAR_REG_DBG_HOLD, 0);
    qt_wait_head(t, 0, 2);
    qt_wait_head(t, 1, 2);
    qt_wait_head(t, 2, 1);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_START_SEQ)), ==,
                     g0 + 1);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ)), ==,
                     g0 + 3);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_START_SEQ)), ==,
                     g0 + 5);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_GRANTS), ==, g0 + 5);
    qt_stop(t);
}
int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/quasar/queue/fill_and_copy_write_memory_and_completion",
                   test_queue_fill_and_copy_write_memory_and_completion);
    qtest_add_func("/quasar/sched/registers", test_sched_registers);
    qtest_add_func("/quasar/sched/high_priority_waiter_gets_the_freed_engine",
                   test_sched_high_priority_waiter_gets_the_freed_engine);
    qtest_add_func("/quasar/sched/two_engines_run_two_jobs_at_once",
                   test_sched_two_engines_run_two_jobs_at_once);
    qtest_add_func("/quasar/sched/hold_then_release_grants_by_priority",
                   test_sched_hold_then_release_grants_by_priority);
    qtest_add_func("/quasar/queue/remapped_page_is_used_by_the_next_job",
                   test_queue_remapped_page_is_used_by_the_next_job);
    qtest_add_func("/quasar/queue/bad_descriptor_fails_and_next_job_runs",
                   test_queue_bad_descriptor_fails_and_next_job_runs);
    qtest_add_func("/quasar/queue/mmu_fault_records_address_in_cpl_and_ctx",
                   test_queue_mmu_fault_records_address_in_cpl_and_ctx);
    qtest_add_func("/quasar/queue/write_to_read_only_page_is_mmu_perm",
                   test_queue_write_to_read_only_page_is_mmu_perm);
    qtest_add_func("/quasar/queue/invalid_context_slot_faults",
                   test_queue_invalid_context_slot_faults);
    qtest_add_func("/quasar/queue/waits_for_firmware_ready",
                   test_queue_waits_for_firmware_ready);
    qtest_add_func("/quasar/queue/completion_signals_msix_vector",
                   test_queue_completion_signals_msix_vector);
    qtest_add_func("/quasar/queue/doorbell_past_size_is_error_until_reenabled",
                   test_queue_doorbell_past_size_is_error_until_reenabled);
    qtest_add_func("/quasar/queue/enable_with_bad_size_is_error",
                   test_queue_enable_with_bad_size_is_error);
    qtest_add_func("/quasar/queue/unreadable_ring_is_dma_error",
                   test_queue_unreadable_ring_is_dma_error);
    qtest_add_func("/quasar/queue/disable_with_jobs_queued_ends_idle_at_zero",
                   test_queue_disable_with_jobs_queued_ends_idle_at_zero);
    qtest_add_func("/quasar/queue/ring_registers_locked_while_enabled",
                   test_queue_ring_registers_locked_while_enabled);

    return g_test_run();
}
