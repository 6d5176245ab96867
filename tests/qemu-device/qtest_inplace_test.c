/* SPDX-License-Identifier: MIT */
/*
 * qtests of the device's in-place weight reads (quasar_hal.c dma_map,
 * firmware/fw_wplace.c): a GEMM whose weights lie in contiguous guest RAM
 * is read where it lies, which DBG_INPLACE counts byte for byte, and it
 * gives the same output and the same job statistics as on a device with
 * the stage-copy property, which copies every operand and counts none.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qtest_util.h"

#define IP_N        64          /* four weight panels */
#define IP_K        256
#define IP_W_BYTES  (IP_N * IP_K * 2)   /* W_BF16: 8 KiB a panel */
#define IP_W_PAGES  (IP_W_BYTES / QT_PAGE)
#define IP_VA_W     QT_VA_BIG_A
#define IP_VA_X     QT_VA_B
#define IP_VA_Y     (QT_VA_B + 2048)

typedef struct IPRun {
    float y[IP_N];
    struct quasar_hw_stats stats;
    uint64_t inplace;
} IPRun;

static void ip_tensor(struct drm_quasar_tensor *t, uint64_t va, uint32_t rows,
                      uint32_t cols, uint32_t format)
{
    t->addr = cpu_to_le64(va);
    t->dims[0] = t->dims[1] = cpu_to_le32(1);
    t->dims[2] = cpu_to_le32(rows);
    t->dims[3] = cpu_to_le32(cols);
    t->strides[0] = t->strides[1] = cpu_to_le32(rows * cols);
    t->strides[2] = cpu_to_le32(cols);
    t->strides[3] = cpu_to_le32(1);
    t->format = cpu_to_le32(format);
}

/*
 * y = x W^T for x all ones and every weight of panel p equal to p + 1, so
 * y[n] = K * (n / 16 + 1) whatever the order of the elements in a panel.
 */
static void ip_run(const char *props, IPRun *r)
{
    QT *t = qt_start_jobs_with("q35", props, true);
    uint64_t w_pa = qt_alloc_pages(t, IP_W_PAGES);
    uint64_t stats_pa = qt_alloc_pages(t, 1);
    struct drm_quasar_cmd_gemm c = {
        .hdr = {
            .opcode = cpu_to_le16(DRM_QUASAR_OP_GEMM),
            .length = cpu_to_le16(sizeof(c)),
        },
        .alpha = cpu_to_le32(0x3f800000),       /* 1.0 */
    };
    struct quasar_hw_desc d = {
        .cmd_addr = cpu_to_le64(QT_VA_CMD),
        .cmd_size = cpu_to_le32(sizeof(c)),
        .seqno = cpu_to_le64(1),
        .stats_addr = cpu_to_le64(stats_pa),
    };
    g_autofree uint16_t *w = g_new(uint16_t, IP_N * IP_K);
    uint16_t x[IP_K];
    uint32_t y[IP_N];
    unsigned int i;

    for (i = 0; i < IP_N * IP_K; i++) {
        /* bf16 of 1.0, 2.0, 3.0, 4.0 */
        static const uint16_t v[4] = { 0x3f80, 0x4000, 0x4040, 0x4080 };

        w[i] = cpu_to_le16(v[i / (16 * IP_K)]);
    }
    for (i = 0; i < IP_K; i++) {
        x[i] = cpu_to_le16(0x3f80);
    }
    qtest_memwrite(t->qts, w_pa, w, IP_W_BYTES);
    qt_map(t, IP_VA_W, w_pa, IP_W_PAGES, false);
    qtest_memwrite(t->qts, t->b_pa, x, sizeof(x));

    ip_tensor(&c.x, IP_VA_X, 1, IP_K, DRM_QUASAR_FORMAT_BF16);
    ip_tensor(&c.w, IP_VA_W, IP_N, IP_K, DRM_QUASAR_FORMAT_W_BF16);
    memset(c.w.strides, 0, sizeof(c.w.strides));
    ip_tensor(&c.y, IP_VA_Y, 1, IP_N, DRM_QUASAR_FORMAT_FP32);
    qtest_memwrite(t->qts, t->cmd_pa, &c, sizeof(c));
    qt_submit_desc(t, 0, &d);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 1, DRM_QUASAR_STATUS_OK, 1, 0);

    qtest_memread(t->qts, t->b_pa + 2048, y, sizeof(y));
    for (i = 0; i < IP_N; i++) {
        uint32_t bits = le32_to_cpu(y[i]);

        memcpy(&r->y[i], &bits, sizeof(bits));
        g_assert_cmpfloat(r->y[i], ==, (float)IP_K * (i / 16 + 1));
    }
    qtest_memread(t->qts, stats_pa, &r->stats, sizeof(r->stats));
    r->inplace = qt_rd(t, QUASAR_REG_DBG_INPLACE_LO) |
                 (uint64_t)qt_rd(t, QUASAR_REG_DBG_INPLACE_HI) << 32;
    qt_stop(t);
}

static void test_inplace_weights_equal_the_staged_copy(void)
{
    IPRun copy, inplace;

    ip_run(",stage-copy=on", &copy);
    ip_run("", &inplace);
    g_assert_cmpuint(copy.inplace, ==, 0);
    g_assert_cmpuint(inplace.inplace, ==, IP_W_BYTES);
    g_assert_cmpuint(le64_to_cpu(inplace.stats.rd_weights), ==, IP_W_BYTES);
    g_assert_cmpmem(inplace.y, sizeof(inplace.y), copy.y, sizeof(copy.y));
    g_assert_cmpmem(&inplace.stats, sizeof(inplace.stats), &copy.stats,
                    sizeof(copy.stats));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/quasar/inplace/weights_equal_the_staged_copy",
                   test_inplace_weights_equal_the_staged_copy);
    return g_test_run();
}
