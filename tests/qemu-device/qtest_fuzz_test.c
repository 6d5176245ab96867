/* SPDX-License-Identifier: MIT */
/*
 * Register fuzzing of the Quasar device (docs/fuzzing.md): random values
 * at every BAR0 offset with random access widths, queues and contexts
 * pointed at random guest memory and at random addresses, doorbells, boots
 * of random and damaged images, resets. QEMU must not crash (every access
 * below is a round trip to it, so a crash fails the next one), and
 * afterwards a device reset, a good boot and a FILL job must still work.
 *
 * The seed is fixed and printed; QUASAR_QTEST_SEED=<n> replays another,
 * QUASAR_QTEST_ROUNDS=<n> runs n structure-aware rounds (default 300).
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qtest_util.h"

#define QF_POOL_PAGES   64
#define QF_ROUNDS       300
#define QF_TIMEOUT_US   (20 * G_USEC_PER_SEC)
#define QF_DEFAULT_SEED 0x5eed2025u

typedef struct QF {
    QT *t;                  /* the machine, polls with QF_TIMEOUT_US */
    GRand *rng;
    uint64_t pool;          /* QF_POOL_PAGES of random guest memory */
} QF;

static uint32_t qf_u32(QF *f)
{
    return g_rand_int(f->rng);
}

static uint32_t qf_below(QF *f, uint32_t n)
{
    return g_rand_int_range(f->rng, 0, n);
}

/* Random bytes into guest memory. */
static void qf_scribble(QF *f, uint64_t pa, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = qf_u32(f);
    }
    qtest_memwrite(f->t->qts, pa, buf, len);
}

/*
 * An address for the device to DMA from or to: inside the random pool
 * (page aligned or not), past the end of RAM, in MMIO space, or noise.
 */
static uint64_t qf_addr(QF *f)
{
    switch (qf_below(f, 6)) {
    case 0:
        return ((uint64_t)qf_u32(f) << 32) | qf_u32(f);
    case 1:
        return 0xfee00000ull + qf_below(f, QT_PAGE);      /* MSI window */
    case 2:
        return (1ull << 40) + qf_below(f, 1u << 20);       /* beyond RAM */
    case 3:
        return f->pool + qf_below(f, QF_POOL_PAGES * QT_PAGE);
    default:
        return f->pool + (uint64_t)qf_below(f, QF_POOL_PAGES) * QT_PAGE;
    }
}

/* One access of a random width at @off (a multiple of 8 stays in the BAR). */
/*
 * DBG_HOLD.RESET wedges the device until a PCI reset (spec 11): random
 * values never set it, so that the fuzzing keeps reaching the registers.
 * A SLOW job's pace stays short (up to 255 us a unit, not 100 ms), so that
 * a random job spends the fuzzing's time on its paths, not on waiting.
 */
static uint64_t qf_tame(uint32_t off, uint64_t v)
{
    if (off == QUASAR_REG_DBG_HOLD) {
        v &= ~(uint64_t)QUASAR_DBG_HOLD_RESET;
    }
    if (off == QUASAR_REG_DBG_PACE_US) {
        v &= 0xff;
    }
    return v;
}

static void qf_poke(QF *f, uint32_t off)
{
    QT *t = f->t;
    uint64_t v = ((uint64_t)qf_u32(f) << 32) | qf_u32(f);
    bool write = qf_below(f, 4) != 0;

    switch (qf_below(f, 4)) {
    case 0:
        off += qf_below(f, 8);
        write ? qpci_io_writeb(t->dev, t->bar, off, v) :
                (void)qpci_io_readb(t->dev, t->bar, off);
        break;
    case 1:
        off += 2 * qf_below(f, 4);
        write ? qpci_io_writew(t->dev, t->bar, off, v) :
                (void)qpci_io_readw(t->dev, t->bar, off);
        break;
    case 2:
        off += 4 * qf_below(f, 2);
        write ? qpci_io_writel(t->dev, t->bar, off, qf_tame(off, v)) :
                (void)qpci_io_readl(t->dev, t->bar, off);
        break;
    default:
        write ? qpci_io_writeq(t->dev, t->bar, off, v) :
                (void)qpci_io_readq(t->dev, t->bar, off);
        break;
    }
}

/* Boot the good image, damaged in a few random bytes (CRC fixed or not). */
static void qf_boot_random(QF *f)
{
    QT *t = f->t;
    size_t len, i;
    g_autofree uint8_t *img = qt_good_image(&len);
    uint64_t pa = f->pool + (uint64_t)qf_below(f, QF_POOL_PAGES / 2) * QT_PAGE;
    unsigned int edits = qf_below(f, 4);

    for (i = 0; i < edits; i++) {
        img[qf_below(f, len)] = qf_u32(f);
    }
    if (qf_below(f, 2)) {
        qt_image_fix_crc(img, len);
    }
    if (len < (QF_POOL_PAGES / 2) * QT_PAGE) {
        qtest_memwrite(t->qts, pa, img, len);
    }
    qt_wr64(t, QUASAR_REG_FW_ADDR_LO, QUASAR_REG_FW_ADDR_HI,
            qf_below(f, 4) ? pa : qf_addr(f));
    qt_wr(t, QUASAR_REG_FW_SIZE, qf_below(f, 4) ? len : qf_u32(f));
    qt_wr(t, QUASAR_REG_FW_BOOT,
          qf_below(f, 4) ? QUASAR_FW_BOOT_GO : qf_u32(f));
}

/* Queue @q and a context at random memory; doorbell with a random tail. */
static void qf_queue_random(QF *f)
{
    QT *t = f->t;
    unsigned int q = qf_below(f, QUASAR_NUM_QUEUES);
    unsigned int slot = qf_below(f, QUASAR_NUM_CTX);
    uint32_t size = qf_below(f, 4) ? 1u << qf_below(f, 13) : qf_u32(f);

    qt_wr64(t, QUASAR_REG_CTX(slot, QUASAR_CTX_ROOT_LO),
            QUASAR_REG_CTX(slot, QUASAR_CTX_ROOT_HI), qf_addr(f));
    qt_wr(t, QUASAR_REG_CTX(slot, QUASAR_CTX_CTRL),
          qf_below(f, 4) ? QUASAR_CTX_CTRL_VALID : qf_u32(f));
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO),
            QUASAR_REG_QUEUE(q, QUASAR_Q_RING_HI), qf_addr(f));
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO),
            QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_HI), qf_addr(f));
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), size);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL),
          qf_below(f, 4) ? QUASAR_Q_CTRL_ENABLE : qf_u32(f));
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL),
          qf_below(f, 2) ? qf_below(f, 8) : qf_u32(f));
}

/*
 * Descriptors in the pool that point at streams in the pool, in context
 * slots whose page tables are the pool's random bytes: jobs run, mostly
 * into faults, sometimes into writes anywhere the random tables lead.
 */
static void qf_pool_descriptors(QF *f)
{
    unsigned int i, n = 1 + qf_below(f, 16);

    for (i = 0; i < n; i++) {
        struct quasar_hw_desc d = {
            .cmd_addr = cpu_to_le64(qf_below(f, 2) ? qf_addr(f) :
                                    QUASAR_VA_START + 8 * qf_below(f, 4096)),
            .cmd_size = cpu_to_le32(8 * (1 + qf_below(f, 64))),
            .ctx_slot = cpu_to_le16(qf_below(f, QUASAR_NUM_CTX)),
            .seqno = cpu_to_le64(i),
        };
        uint64_t at = f->pool + (uint64_t)qf_below(f, QF_POOL_PAGES * QT_PAGE /
                                                     sizeof(d)) * sizeof(d);

        qtest_memwrite(f->t->qts, at, &d, sizeof(d));
    }
}

/* Everything the fuzzing may have left armed or off goes back to sane. */
static void qf_device_reset(QF *f)
{
    QT *t = f->t;

    /*
     * Armed faults survive a soft reset (only a PCI reset clears the
     * debug block), and writing DBG_INJECT only adds to them: disarm.
     */
    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR);
    qt_wr(t, QUASAR_REG_DBG_HOLD, 0);
    /* A power-down in progress ignores POWER_CTRL writes until it is done. */
    qt_wait_reg(t, QUASAR_REG_POWER_STATUS, QUASAR_POWER_STATUS_BUSY, 0);
    qt_power_set(t, QUASAR_POWER_D0);
    qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
}

/*
 * Good boot, context 0 and queue 0 on fresh pages (qt_setup_jobs()), one
 * FILL job: its completion record and every byte of the page checked.
 */
static void qf_expect_fill_works(QF *f)
{
    QT *t = f->t;
    uint32_t len;

    qt_boot_good(t);
    qt_setup_jobs(t);
    len = qt_cmd_fill(t, 0, QT_VA_A + 64, 128, 0x600dcafe);
    qt_submit(t, QT_VA_CMD, len, 0, 77);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 77, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_expect_words(t, t->a_pa, 64, 0);
    qt_expect_words(t, t->a_pa + 64, 128, 0x600dcafe);
    qt_expect_words(t, t->a_pa + 192, QT_PAGE - 192, 0);
}

static void test_qtest_register_fuzz(void)
{
    guint32 seed = QF_DEFAULT_SEED;
    const char *s = g_getenv("QUASAR_QTEST_SEED");
    QF f = { 0 };
    uint32_t off;
    unsigned int round, rounds = QF_ROUNDS;

    if (s && *s) {
        seed = strtoul(s, NULL, 0);
    }
    s = g_getenv("QUASAR_QTEST_ROUNDS");
    if (s && *s) {
        rounds = strtoul(s, NULL, 0);
    }
    g_test_message("seed 0x%x (replay: QUASAR_QTEST_SEED=0x%x)", seed, seed);
    f.rng = g_rand_new_with_seed(seed);
    f.t = qt_start();
    f.t->timeout_us = QF_TIMEOUT_US;
    f.pool = guest_alloc(&f.t->qs->alloc, QF_POOL_PAGES * QT_PAGE);
    qf_scribble(&f, f.pool, QF_POOL_PAGES * QT_PAGE);
    qf_expect_fill_works(&f);

    /* Every offset once, in order, with random values and widths. */
    for (off = 0; off < QUASAR_BAR0_SIZE; off += 4) {
        if (off % 8 == 0) {
            qf_poke(&f, off);
        }
        qt_wr(f.t, off, qf_tame(off, qf_u32(&f)));
    }

    /* Structure-aware rounds: queues, contexts, boots, resets, noise. */
    for (round = 0; round < rounds; round++) {
        switch (qf_below(&f, 8)) {
        case 0:
            qf_boot_random(&f);
            break;
        case 1:
            qf_pool_descriptors(&f);
            qf_scribble(&f, f.pool +
                        (uint64_t)qf_below(&f, QF_POOL_PAGES) * QT_PAGE,
                        QT_PAGE);
            break;
        case 2:
            qt_wr(f.t, QUASAR_REG_DEV_CTRL,
                  qf_below(&f, 2) ? QUASAR_DEV_CTRL_RESET : qf_u32(&f));
            break;
        case 3: {
            unsigned int i;

            for (i = 0; i < 32; i++) {
                qf_poke(&f, 8 * qf_below(&f, QUASAR_BAR0_SIZE / 8));
            }
            break;
        }
        default:
            qf_queue_random(&f);
            break;
        }
    }
    /* The device still answers, and a reset brings it back to work. */
    g_assert_cmpuint(qt_rd(f.t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qf_device_reset(&f);
    qf_expect_fill_works(&f);

    g_rand_free(f.rng);
    qt_stop(f.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/quasar/fuzz/qtest_register_fuzz",
                   test_qtest_register_fuzz);
    return g_test_run();
}
