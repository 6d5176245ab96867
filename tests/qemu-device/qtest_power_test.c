/* SPDX-License-Identifier: MIT */
/*
 * qtests of the Quasar device's power state and firmware log
 * (docs/hw-spec.md section 10).
 */
#include "qemu/osdep.h"
#include "qtest_util.h"

/* Pops the whole firmware log into a NUL-terminated string. */
static char *qt_fwlog_read(QT *t)
{
    uint32_t avail = qt_rd(t, QUASAR_REG_FWLOG_STATUS) &
                     QUASAR_FWLOG_STATUS_BYTES;
    char *text = g_malloc0(avail + 1);
    uint32_t i;

    g_assert_cmpuint(avail, <=, QUASAR_FWLOG_SIZE);
    for (i = 0; i < avail; i += 4) {
        uint32_t word = qt_rd(t, QUASAR_REG_FWLOG_DATA), k;

        for (k = 0; k < 4 && i + k < avail; k++) {
            text[i + k] = word >> (8 * k);
        }
    }
    return text;
}

static void test_power_d3_loses_state_and_d0_boots_again(void)
{
    QT *t = qt_start();

    g_assert_cmphex(qt_rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D0);
    qt_boot_good(t);
    qt_wr(t, QUASAR_REG_SCRATCH, 0x1234);
    qt_wr(t, QUASAR_REG_CTX(3, QUASAR_CTX_ROOT_LO), 0x10000);
    qt_wr(t, QUASAR_REG_CTX(3, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_ERROR);

    qt_power_set(t, QUASAR_POWER_D3);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_ADDR_LO), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_SIZE), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_SCRATCH), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(3, QUASAR_CTX_ROOT_LO)), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_CTX(3, QUASAR_CTX_CTRL)), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_MASK), ==, 0);

    qt_power_set(t, QUASAR_POWER_D0);
    qt_boot_good(t);
    qt_stop(t);
}

static void test_power_d3_refuses_writes_and_doorbells(void)
{
    QT *t = qt_start();

    qt_power_set(t, QUASAR_POWER_D3);
    qt_wr(t, QUASAR_REG_SCRATCH, 0x5a5a5a5a);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_SCRATCH), ==, 0);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE), 4);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE)), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);
    qt_wr(t, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    /* Still D3: none of that woke it. */
    g_assert_cmphex(qt_rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D3);

    qt_power_set(t, QUASAR_POWER_D0);
    qt_wr(t, QUASAR_REG_SCRATCH, 0x5a5a5a5a);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_SCRATCH), ==, 0x5a5a5a5a);
    qt_stop(t);
}

static void test_power_ctrl_rejects_other_states(void)
{
    QT *t = qt_start();

    qt_wr(t, QUASAR_REG_POWER_CTRL, 2);
    qt_wr(t, QUASAR_REG_POWER_CTRL, 0xffffffff);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D0);
    qt_wr(t, QUASAR_REG_POWER_STATUS, QUASAR_POWER_D3);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D0);
    qt_boot_good(t);
    qt_stop(t);
}

static void test_fwlog_has_boot_line_and_survives_d3(void)
{
    QT *t = qt_start();
    g_autofree char *first = NULL, *after = NULL;

    g_assert_cmphex(qt_rd(t, QUASAR_REG_FWLOG_STATUS), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FWLOG_DATA), ==, 0);
    qt_boot_good(t);
    first = qt_fwlog_read(t);
    g_assert_nonnull(strstr(first, "quasar-boot: fw: ready"));
    g_assert_true(g_str_has_suffix(first, "\n"));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FWLOG_STATUS), ==, 0);

    /* A line logged before D3 is still there in D3: the FIFO is always on. */
    qt_power_set(t, QUASAR_POWER_D3);
    qt_power_set(t, QUASAR_POWER_D0);
    qt_boot_good(t);
    qt_power_set(t, QUASAR_POWER_D3);
    after = qt_fwlog_read(t);
    g_assert_nonnull(strstr(after, "quasar-boot: fw: ready"));
    qt_stop(t);
}

static void test_fwlog_overflow_drops_whole_lines(void)
{
    QT *t = qt_start();
    g_autofree char *text = NULL;
    uint32_t status;
    int i;

    /* Each good boot logs one ~100-byte line; 80 of them overflow 4 KiB. */
    for (i = 0; i < 80; i++) {
        qt_power_set(t, QUASAR_POWER_D3);
        qt_power_set(t, QUASAR_POWER_D0);
        qt_boot_good(t);
    }
    status = qt_rd(t, QUASAR_REG_FWLOG_STATUS);
    g_assert_cmpuint(status >> QUASAR_FWLOG_STATUS_DROPPED_SHIFT, >, 0);
    text = qt_fwlog_read(t);
    g_assert_true(g_str_has_prefix(text, "quasar-boot: fw: ready"));
    qt_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/quasar/power/d3_loses_state_and_d0_boots_again",
                   test_power_d3_loses_state_and_d0_boots_again);
    qtest_add_func("/quasar/power/d3_refuses_writes_and_doorbells",
                   test_power_d3_refuses_writes_and_doorbells);
    qtest_add_func("/quasar/power/ctrl_rejects_other_states",
                   test_power_ctrl_rejects_other_states);
    qtest_add_func("/quasar/power/fwlog_has_boot_line_and_survives_d3",
                   test_fwlog_has_boot_line_and_survives_d3);
    qtest_add_func("/quasar/power/fwlog_overflow_drops_whole_lines",
                   test_fwlog_overflow_drops_whole_lines);

    return g_test_run();
}
