/* SPDX-License-Identifier: MIT */
/*
 * qtests of the Quasar device's debug and health block (docs/hw-spec.md
 * section 11): fault injection, the engine hold, per-queue progress.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "qtest_util.h"

static void qt_arm(QT *t, uint32_t faults)
{
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR | faults);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==, faults);
}

static void test_dbg_registers_reset_values_arm_and_clear(void)
{
    QT *t = qt_start();

    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_QUEUES), ==, 0xf);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_FAULT_VA_LO), ==,
                    (uint32_t)QUASAR_VA_START);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_FAULT_VA_HI), ==,
                    QUASAR_VA_START >> 32);
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_HANG);
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_LOST_IRQ | 0x40);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_LOST_IRQ);
    qt_wr(t, QUASAR_REG_DBG_QUEUES, 0xff);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_QUEUES), ==, 0xf);
    /* A soft reset leaves the block alone. */
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_LOST_IRQ);
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    qt_wr(t, QUASAR_REG_Q_PROGRESS(0), 5);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_Q_PROGRESS(0)), ==, 0);
    qt_stop(t);
}

/*
 * DBG_HOLD (spec 11) reads back its two bits; D3 keeps them, a soft reset
 * clears ENGINES. DBG_GRANTS is read-only.
 */
static void test_dbg_hold_registers(void)
{
    QT *t = qt_start();

    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_GRANTS), ==, 0);
    qt_wr(t, QUASAR_REG_DBG_HOLD, 0xff);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==,
                    QUASAR_DBG_HOLD_ENGINES | QUASAR_DBG_HOLD_RESET);
    qt_wr(t, QUASAR_REG_DBG_GRANTS, 9);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_GRANTS), ==, 0);
    /* D3 and back keep it, as they keep the rest of the block... */
    qt_power_set(t, QUASAR_POWER_D3);
    qt_power_set(t, QUASAR_POWER_D0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==,
                    QUASAR_DBG_HOLD_ENGINES | QUASAR_DBG_HOLD_RESET);
    qt_wr(t, QUASAR_REG_DBG_HOLD, QUASAR_DBG_HOLD_ENGINES);
    /* ... and a soft reset, which drops every queued job, clears it. */
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
    qt_wr(t, QUASAR_REG_DBG_HOLD, QUASAR_DBG_HOLD_ENGINES);
    qt_wr(t, QUASAR_REG_DBG_HOLD, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
    qt_stop(t);
}

/* A function-level reset through the PCI Express capability; maps BAR0 again. */
static void qt_flr(QT *t)
{
    uint8_t cap = qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0);

    g_assert_cmpuint(cap, !=, 0);
    g_assert_true(qpci_config_readl(t->dev, cap + PCI_EXP_DEVCAP) &
                  PCI_EXP_DEVCAP_FLR);
    qpci_config_writew(t->dev, cap + PCI_EXP_DEVCTL,
                       qpci_config_readw(t->dev, cap + PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
    /* The reset cleared the BARs and the command register. */
    g_free(t->dev);
    qt_map_device(t);
}

/*
 * DBG_HOLD.RESET wedges the device: a soft reset never completes, even
 * with no job running, and writes are ignored meanwhile; only an FLR,
 * which the function advertises, brings it back to its power-on state.
 */
static void test_dbg_hold_reset_wedges_until_flr(void)
{
    QT *t = qt_start();
    unsigned int i;

    qt_boot_good(t);
    qt_wr(t, QUASAR_REG_SCRATCH, 0x5a5a);
    qt_wr(t, QUASAR_REG_DBG_HOLD, QUASAR_DBG_HOLD_RESET);
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    /* Without the hold, an idle device ends its soft reset at once. */
    for (i = 0; i < 100; i++) {
        g_assert_cmphex(qt_rd(t, QUASAR_REG_DEV_STATUS), ==,
                        QUASAR_DEV_STATUS_RESETTING);
    }
    qt_wr(t, QUASAR_REG_DBG_HOLD, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==, QUASAR_DBG_HOLD_RESET);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DEV_STATUS), ==,
                    QUASAR_DEV_STATUS_RESETTING);

    qt_flr(t);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DEV_STATUS), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    /* And it works again: a soft reset ends, the firmware boots. */
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    qt_boot_good(t);
    qt_stop(t);
}

/*
 * DBG_D3_ACCESSES counts the accesses that reach the device in D3, reads
 * and writes, except to the identity, always-on and debug registers.
 */
static void test_dbg_d3_accesses_counts_what_reaches_d3(void)
{
    QT *t = qt_start();

    qt_rd(t, QUASAR_REG_SCRATCH);
    qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL));
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_D3_ACCESSES), ==, 0);
    qt_power_set(t, QUASAR_POWER_D3);
    qt_rd(t, QUASAR_REG_ID);
    qt_rd(t, QUASAR_REG_HW_VERSION);
    qt_rd(t, QUASAR_REG_POWER_STATUS);
    qt_rd(t, QUASAR_REG_FWLOG_STATUS);
    qt_rd(t, QUASAR_REG_DBG_GRANTS);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_D3_ACCESSES), ==, 0);
    qt_rd(t, QUASAR_REG_CTX(3, QUASAR_CTX_CTRL));
    qt_wr(t, QUASAR_REG_CTX(3, QUASAR_CTX_CTRL), 0);
    qt_wr(t, QUASAR_REG_SCRATCH, 1);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_D3_ACCESSES), ==, 3);
    qt_power_set(t, QUASAR_POWER_D0);
    qt_wr(t, QUASAR_REG_SCRATCH, 2);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_D3_ACCESSES), ==, 3);
    qt_wr(t, QUASAR_REG_DBG_D3_ACCESSES, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_D3_ACCESSES), ==, 3);
    qt_stop(t);
}

static void test_dbg_progress_counts_commands_and_pages(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    len = qt_cmd_fill(t, 0, QT_VA_A, QT_DATA_PAGES * QT_PAGE, 1);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);
    /* At least the job, its command and each of its pages. */
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_Q_PROGRESS(0)), >=, 2 + QT_DATA_PAGES);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_Q_PROGRESS(1)), ==, 0);
    qt_stop(t);
}

static void test_dbg_hang_stalls_the_job_until_soft_reset(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len, progress;

    qt_arm(t, QUASAR_DBG_HANG);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x12345678);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_reg(t, QUASAR_REG_DBG_FIRED, ~0u, 1);
    progress = qt_rd(t, QUASAR_REG_Q_PROGRESS(0));
    g_usleep(100 * 1000);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_Q_PROGRESS(0)), ==, progress);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)) &
                    QUASAR_Q_STATUS_BUSY, ==, QUASAR_Q_STATUS_BUSY);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    qt_expect_words(t, t->a_pa, 64, 0);
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    qt_expect_cpl(t, 0, 0, 0, 0, 0);
    qt_stop(t);
}

static void test_dbg_mmu_fault_reports_the_chosen_address(void)
{
    QT *t = qt_start_jobs(true);
    uint64_t va = QUASAR_VA_START + 0x123000;
    uint32_t len;

    qt_wr64(t, QUASAR_REG_DBG_FAULT_VA_LO, QUASAR_REG_DBG_FAULT_VA_HI, va);
    qt_arm(t, QUASAR_DBG_MMU_FAULT);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x12345678);
    qt_submit(t, QT_VA_CMD, len, 0, 3);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 3, DRM_QUASAR_STATUS_MMU_FAULT, 0, va);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_ADDR_LO)), ==,
                    (uint32_t)va);
    qt_expect_words(t, t->a_pa, 64, 0);
    /* One-shot: the next job runs. */
    qt_submit(t, QT_VA_CMD, len, 0, 4);
    qt_wait_head(t, 0, 2);
    qt_expect_cpl(t, 1, 4, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_stop(t);
}

static void test_dbg_fw_crash_stops_queues_and_raises_error(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_ERROR);
    qt_arm(t, QUASAR_DBG_FW_CRASH);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x12345678);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_reg(t, QUASAR_REG_FW_STATUS, ~0u, QUASAR_FW_STATE_CRASHED);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_CRASH);
    qt_wait_reg(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_ERROR, QUASAR_IRQ_ERROR);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    g_usleep(50 * 1000);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    qt_expect_words(t, t->a_pa, 64, 0);
    /* Reset and boot again: the device works. */
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    qt_boot_good(t);
    qt_wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
    qt_queue_enable(t, 0, QT_RING_SIZE);
    qt_submit(t, QT_VA_CMD, len, 0, 3);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 3, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_stop(t);
}

static void test_dbg_lost_irq_moves_head_without_a_cause(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    qt_arm(t, QUASAR_DBG_LOST_IRQ);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 7);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 1, DRM_QUASAR_STATUS_OK, 1, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_QUEUE(0), ==,
                    0);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    qt_wait_head(t, 0, 2);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_QUEUE(0), ==,
                    QUASAR_IRQ_QUEUE(0));
    qt_stop(t);
}

static void test_dbg_corrupt_cpl_changes_the_seqno_only(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_arm(t, QUASAR_DBG_CORRUPT_CPL);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 9);
    qt_submit(t, QT_VA_CMD, len, 0, 5);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 5 ^ QUASAR_CPL_CORRUPT_SEQNO, DRM_QUASAR_STATUS_OK, 1,
                  0);
    qt_expect_words(t, t->a_pa, 64, 9);
    qt_stop(t);
}

static void test_dbg_queue_mask_picks_the_queue(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_wr(t, QUASAR_REG_DBG_QUEUES, 0x2);
    qt_arm(t, QUASAR_DBG_CORRUPT_CPL);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 9);
    qt_submit(t, QT_VA_CMD, len, 0, 5);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 5, DRM_QUASAR_STATUS_OK, 1, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_CORRUPT_CPL);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_FIRED), ==, 0);
    qt_stop(t);
}

/*
 * SLOW (spec 11): the job waits DBG_PACE_US at each unit of progress, so
 * whatever the host it takes at least that many paces, and it completes
 * as any other. DBG_PACE_US clamps to its maximum.
 */
static void test_dbg_slow_paces_each_unit_of_progress(void)
{
    QT *t = qt_start_jobs(true);
    const uint32_t pace_us = 20000;
    uint32_t len, units, before;
    int64_t start;

    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_PACE_US), ==, 0);
    qt_wr(t, QUASAR_REG_DBG_PACE_US, ~0u);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_PACE_US), ==,
                     QUASAR_DBG_PACE_MAX_US);
    qt_wr(t, QUASAR_REG_DBG_PACE_US, pace_us);
    qt_arm(t, QUASAR_DBG_SLOW);
    len = qt_cmd_fill(t, 0, QT_VA_A, QT_DATA_PAGES * QT_PAGE, 0x5a5a);
    before = qt_rd(t, QUASAR_REG_Q_PROGRESS(0));
    start = g_get_monotonic_time();
    qt_submit(t, QT_VA_CMD, len, 0, 3);
    qt_wait_head(t, 0, 1);
    units = qt_rd(t, QUASAR_REG_Q_PROGRESS(0)) - before;
    g_assert_cmpuint(units, >=, 2 + QT_DATA_PAGES);
    g_assert_cmpint(g_get_monotonic_time() - start, >=,
                    (int64_t)units * pace_us);
    qt_expect_cpl(t, 0, 3, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_expect_words(t, t->a_pa, QT_DATA_PAGES * QT_PAGE, 0x5a5a);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_DBG_FIRED), ==, 1);
    qt_stop(t);
}

static void test_dbg_properties_arm_faults_at_power_on(void)
{
    QT *t = qt_start_with("q35", ",fault-hang=on,fault-corrupt-cpl=on,"
                          "fault-queues=4,fault-va=0x200000000");

    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_CORRUPT_CPL);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_QUEUES), ==, 0x4);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_FAULT_VA_HI), ==, 2);
    /* Disarmed by hand, armed again by a system reset. */
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    g_free(t->dev);
    qt_map_device(t);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_CORRUPT_CPL);
    qt_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/quasar/dbg/registers_reset_values_arm_and_clear",
                   test_dbg_registers_reset_values_arm_and_clear);
    qtest_add_func("/quasar/dbg/hold_registers", test_dbg_hold_registers);
    qtest_add_func("/quasar/dbg/hold_reset_wedges_until_flr",
                   test_dbg_hold_reset_wedges_until_flr);
    qtest_add_func("/quasar/dbg/d3_accesses_counts_what_reaches_d3",
                   test_dbg_d3_accesses_counts_what_reaches_d3);
    qtest_add_func("/quasar/dbg/progress_counts_commands_and_pages",
                   test_dbg_progress_counts_commands_and_pages);
    qtest_add_func("/quasar/dbg/hang_stalls_the_job_until_soft_reset",
                   test_dbg_hang_stalls_the_job_until_soft_reset);
    qtest_add_func("/quasar/dbg/mmu_fault_reports_the_chosen_address",
                   test_dbg_mmu_fault_reports_the_chosen_address);
    qtest_add_func("/quasar/dbg/fw_crash_stops_queues_and_raises_error",
                   test_dbg_fw_crash_stops_queues_and_raises_error);
    qtest_add_func("/quasar/dbg/lost_irq_moves_head_without_a_cause",
                   test_dbg_lost_irq_moves_head_without_a_cause);
    qtest_add_func("/quasar/dbg/corrupt_cpl_changes_the_seqno_only",
                   test_dbg_corrupt_cpl_changes_the_seqno_only);
    qtest_add_func("/quasar/dbg/queue_mask_picks_the_queue",
                   test_dbg_queue_mask_picks_the_queue);
    qtest_add_func("/quasar/dbg/slow_paces_each_unit_of_progress",
                   test_dbg_slow_paces_each_unit_of_progress);
    qtest_add_func("/quasar/dbg/properties_arm_faults_at_power_on",
                   test_dbg_properties_arm_faults_at_power_on);

    return g_test_run();
}
