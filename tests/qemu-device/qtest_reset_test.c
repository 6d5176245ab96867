/* SPDX-License-Identifier: MIT */
/*
 * qtests of the Quasar device's resets and hot-unplug (docs/hw-spec.md): a
 * soft reset, during jobs too, a system reset, and an ACPI hot-unplug and
 * re-plug on the "pc" machine.
 */
#include "qemu/osdep.h"
#include "qtest_util.h"

/* The completion slot of the last long job was never written. */
static void qt_expect_last_job_not_run(QT *t)
{
    struct quasar_hw_cpl c;

    qt_read_cpl(t, QT_RING_SIZE - 1, &c);
    g_assert_cmpuint(c.seqno, ==, 0);
    g_assert_cmpuint(c.status, ==, 0);
    g_assert_cmpuint(c.cmd_index, ==, 0);
}

static void test_soft_reset_returns_device_to_initial_state(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 0x77777777);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);

    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_BUILD_ID), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL)), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_STATUS), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_MASK), ==, 0);

    /* And it works again after a new boot. */
    qt_boot_good(t);
    qt_wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
    qt_queue_enable(t, 0, QT_RING_SIZE);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 2, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_stop(t);
}

static void test_soft_reset_during_jobs_finishes_cleanly(void)
{
    QT *t = qt_start_jobs(true);

    qt_submit_long_jobs(t);
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    /* The job in progress ended normally; the queued ones were dropped. */
    qt_expect_cpl(t, 0, 0, DRM_QUASAR_STATUS_OK,
                  QT_PAGE / sizeof(struct drm_quasar_cmd_copy), 0);
    qt_expect_last_job_not_run(t);
    qt_stop(t);
}

static void test_system_reset_clears_registers(void)
{
    QT *t = qt_start_jobs(true);

    qt_wr(t, QUASAR_REG_SCRATCH, 0x12345678);
    qt_submit_long_jobs(t);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    /* Config space was reset too: map the BAR again. */
    g_free(t->dev);
    qt_map_device(t);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_LO)), ==, 0);
    /* Settle, then check that no queued job ran after the reset. */
    g_usleep(300 * 1000);
    qt_expect_last_job_not_run(t);
    qt_stop(t);
}

static void test_hot_unplug_during_jobs_stops_the_device(void)
{
    QT *t = qt_start_jobs_on("pc", true);

    qt_submit_long_jobs(t);
    qpci_unplug_acpi_device_test(t->qts, "npu0", QT_SLOT);
    g_assert_null(qpci_device_find(t->qs->pcibus, QT_DEVFN));
    /* QEMU goes on running without the device. */
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'query-status' }");
    qt_stop(t);
}

static void test_hot_plug_after_unplug_works(void)
{
    QT *t = qt_start_on("pc");

    qpci_unplug_acpi_device_test(t->qts, "npu0", QT_SLOT);
    g_free(t->dev);
    qtest_qmp_device_add(t->qts, "quasar", "npu1",
                         "{'addr': '" G_STRINGIFY(QT_SLOT) "'}");
    qt_map_device(t);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qt_boot_good(t);
    qt_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/quasar/reset/soft_reset_returns_device_to_initial_state",
                   test_soft_reset_returns_device_to_initial_state);
    qtest_add_func("/quasar/reset/soft_reset_during_jobs_finishes_cleanly",
                   test_soft_reset_during_jobs_finishes_cleanly);
    qtest_add_func("/quasar/reset/system_reset_clears_registers",
                   test_system_reset_clears_registers);
    qtest_add_func("/quasar/reset/hot_unplug_during_jobs_stops_the_device",
                   test_hot_unplug_during_jobs_stops_the_device);
    qtest_add_func("/quasar/reset/hot_plug_after_unplug_works",
                   test_hot_plug_after_unplug_works);

    return g_test_run();
}
