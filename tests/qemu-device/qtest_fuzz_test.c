/* SPDX-License-Identifier: MIT */
/*
 * Register fuzzing of the Quasar device (docs/fuzzing.md): random values
 * at every BAR0 offset with random access widths, queues and contexts
 * pointed at random guest memory and at random addresses, doorbells, boots
 * of random and damaged images, resets. QEMU must not crash (every access
 * below is a round trip to it, so a crash fails the next one), and
 * afterwards a device reset, a good boot and a FILL job must still work.
 *
 * The seed is fixed and printed; QUASAR_QTEST_SEED=<n> replays another.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci-pc.h"
#include "qemu/bswap.h"
#include "hw/quasar_hw_interface.h"
#include "drm/quasar_isa.h"

#define QF_SLOT         4
#define QF_DEVFN        QPCI_DEVFN(QF_SLOT, 0)
#define QF_PAGE         QUASAR_PAGE_SIZE
#define QF_BAR_SIZE     0x10000
#define QF_POOL_PAGES   64
#define QF_ROUNDS       300
#define QF_TIMEOUT_US   (20 * G_USEC_PER_SEC)
#define QF_DEFAULT_SEED 0x5eed2025u

typedef struct QF {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    GRand *rng;
    uint64_t pool;          /* QF_POOL_PAGES of random guest memory */
} QF;

static uint32_t rd(QF *f, uint32_t off)
{
    return qpci_io_readl(f->dev, f->bar, off);
}

static void wr(QF *f, uint32_t off, uint32_t val)
{
    qpci_io_writel(f->dev, f->bar, off, val);
}

static void wr64(QF *f, uint32_t lo, uint64_t val)
{
    wr(f, lo, val);
    wr(f, lo + 4, val >> 32);
}

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
    qtest_memwrite(f->qts, pa, buf, len);
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
        return 0xfee00000ull + qf_below(f, QF_PAGE);      /* MSI window */
    case 2:
        return (1ull << 40) + qf_below(f, 1u << 20);       /* beyond RAM */
    case 3:
        return f->pool + qf_below(f, QF_POOL_PAGES * QF_PAGE);
    default:
        return f->pool + (uint64_t)qf_below(f, QF_POOL_PAGES) * QF_PAGE;
    }
}

static void qf_wait(QF *f, uint32_t off, uint32_t mask, uint32_t want)
{
    gint64 end = g_get_monotonic_time() + QF_TIMEOUT_US;
    uint32_t val;

    while (((val = rd(f, off)) & mask) != want) {
        if (g_get_monotonic_time() > end) {
            g_test_message("register 0x%04x: expected (value & 0x%x) == 0x%x, "
                           "last read 0x%08x", off, mask, want, val);
            g_assert_not_reached();
        }
        g_usleep(200);
    }
}

/* One access of a random width at @off (a multiple of 8 keeps it in the BAR). */
static void qf_poke(QF *f, uint32_t off)
{
    uint64_t v = ((uint64_t)qf_u32(f) << 32) | qf_u32(f);
    bool write = qf_below(f, 4) != 0;

    switch (qf_below(f, 4)) {
    case 0:
        off += qf_below(f, 8);
        write ? qpci_io_writeb(f->dev, f->bar, off, v) :
                (void)qpci_io_readb(f->dev, f->bar, off);
        break;
    case 1:
        off += 2 * qf_below(f, 4);
        write ? qpci_io_writew(f->dev, f->bar, off, v) :
                (void)qpci_io_readw(f->dev, f->bar, off);
        break;
    case 2:
        off += 4 * qf_below(f, 2);
        write ? qpci_io_writel(f->dev, f->bar, off, v) :
                (void)qpci_io_readl(f->dev, f->bar, off);
        break;
    default:
        write ? qpci_io_writeq(f->dev, f->bar, off, v) :
                (void)qpci_io_readq(f->dev, f->bar, off);
        break;
    }
}

static uint8_t *qf_good_image(size_t *len)
{
    const char *path = g_getenv("QUASAR_FW_IMAGE");
    gchar *img = NULL;
    gsize n = 0;

    g_assert_nonnull(path);
    g_assert_true(g_file_get_contents(path, &img, &n, NULL));
    g_assert_cmpuint(n, >=, sizeof(struct quasar_fw_header));
    *len = n;
    return (uint8_t *)img;
}

/* Boot the good image, damaged in a few random bytes (CRC fixed or not). */
static void qf_boot_random(QF *f)
{
    size_t len, i;
    g_autofree uint8_t *img = qf_good_image(&len);
    uint64_t pa = f->pool + (uint64_t)qf_below(f, QF_POOL_PAGES / 2) * QF_PAGE;
    unsigned int edits = qf_below(f, 4);

    for (i = 0; i < edits; i++) {
        img[qf_below(f, len)] = qf_u32(f);
    }
    if (qf_below(f, 2)) {
        stl_le_p(img + offsetof(struct quasar_fw_header, crc32), 0);
        stl_le_p(img + offsetof(struct quasar_fw_header, crc32), crc32(0, img, len));
    }
    if (len < (QF_POOL_PAGES / 2) * QF_PAGE) {
        qtest_memwrite(f->qts, pa, img, len);
    }
    wr64(f, QUASAR_REG_FW_ADDR_LO, qf_below(f, 4) ? pa : qf_addr(f));
    wr(f, QUASAR_REG_FW_SIZE, qf_below(f, 4) ? len : qf_u32(f));
    wr(f, QUASAR_REG_FW_BOOT, qf_below(f, 4) ? QUASAR_FW_BOOT_GO : qf_u32(f));
}

/* Queue @q and a context at random memory; doorbell with a random tail. */
static void qf_queue_random(QF *f)
{
    unsigned int q = qf_below(f, QUASAR_NUM_QUEUES);
    unsigned int slot = qf_below(f, QUASAR_NUM_CTX);
    uint32_t size = qf_below(f, 4) ? 1u << qf_below(f, 13) : qf_u32(f);

    wr64(f, QUASAR_REG_CTX(slot, QUASAR_CTX_ROOT_LO), qf_addr(f));
    wr(f, QUASAR_REG_CTX(slot, QUASAR_CTX_CTRL),
       qf_below(f, 4) ? QUASAR_CTX_CTRL_VALID : qf_u32(f));
    wr64(f, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO), qf_addr(f));
    wr64(f, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO), qf_addr(f));
    wr(f, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), size);
    wr(f, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL),
       qf_below(f, 4) ? QUASAR_Q_CTRL_ENABLE : qf_u32(f));
    wr(f, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL),
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
        uint64_t at = f->pool + (uint64_t)qf_below(f, QF_POOL_PAGES * QF_PAGE /
                                                     sizeof(d)) * sizeof(d);

        qtest_memwrite(f->qts, at, &d, sizeof(d));
    }
}

/* Everything the fuzzing may have left armed or off goes back to sane. */
static void qf_device_reset(QF *f)
{
#ifdef QUASAR_REG_DBG_INJECT
    wr(f, QUASAR_REG_DBG_INJECT, 0);    /* only a PCI reset clears it */
#endif
    /* A power-down in progress ignores POWER_CTRL writes until it is done. */
    qf_wait(f, QUASAR_REG_POWER_STATUS, QUASAR_POWER_STATUS_BUSY, 0);
    wr(f, QUASAR_REG_POWER_CTRL, QUASAR_POWER_D0);
    qf_wait(f, QUASAR_REG_POWER_STATUS,
            QUASAR_POWER_STATUS_STATE | QUASAR_POWER_STATUS_BUSY, QUASAR_POWER_D0);
    wr(f, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qf_wait(f, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmpuint(rd(f, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
}

/* Good boot, one context, one queue, one FILL job checked in memory. */
static void qf_expect_fill_works(QF *f)
{
    QGuestAllocator *a = &f->qs->alloc;
    uint64_t root = guest_alloc(a, QF_PAGE), l1 = guest_alloc(a, QF_PAGE);
    uint64_t l0 = guest_alloc(a, QF_PAGE), cmd = guest_alloc(a, QF_PAGE);
    uint64_t data = guest_alloc(a, QF_PAGE), ring = guest_alloc(a, QF_PAGE);
    uint64_t cpl = guest_alloc(a, QF_PAGE), va_cmd = QUASAR_VA_START;
    uint64_t va_data = QUASAR_VA_START + QF_PAGE, pa;
    size_t len;
    g_autofree uint8_t *img = qf_good_image(&len);
    struct drm_quasar_cmd_fill c = {
        .hdr = { .opcode = cpu_to_le16(DRM_QUASAR_OP_FILL),
                 .length = cpu_to_le16(sizeof(c)) },
        .dst = cpu_to_le64(va_data + 64),
        .size = cpu_to_le32(128),
        .value = cpu_to_le32(0x600dcafe),
    };
    struct quasar_hw_desc d = {
        .cmd_addr = cpu_to_le64(va_cmd),
        .cmd_size = cpu_to_le32(sizeof(c)),
        .ctx_slot = cpu_to_le16(0),
        .seqno = cpu_to_le64(77),
    };
    struct quasar_hw_cpl rec;
    uint32_t words[QF_PAGE / 4];
    unsigned int i;

    qtest_memset(f->qts, root, 0, QF_PAGE);
    qtest_memset(f->qts, l1, 0, QF_PAGE);
    qtest_memset(f->qts, l0, 0, QF_PAGE);
    qtest_memset(f->qts, data, 0, QF_PAGE);
    qtest_memset(f->qts, cpl, 0xff, QF_PAGE);

    pa = guest_alloc(a, len);
    qtest_memwrite(f->qts, pa, img, len);
    wr64(f, QUASAR_REG_FW_ADDR_LO, pa);
    wr(f, QUASAR_REG_FW_SIZE, len);
    wr(f, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    qf_wait(f, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT, QUASAR_IRQ_FW_BOOT);
    if (rd(f, QUASAR_REG_FW_STATUS) != QUASAR_FW_STATE_READY) {
        g_test_message("good image not booted: FW_STATUS %u FW_ERROR %u",
                       rd(f, QUASAR_REG_FW_STATUS), rd(f, QUASAR_REG_FW_ERROR));
        g_assert_not_reached();
    }
    wr(f, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);

    qtest_writeq(f->qts, root + 8 * QUASAR_PT_INDEX(va_cmd, 2), l1 | QUASAR_PTE_VALID);
    qtest_writeq(f->qts, l1 + 8 * QUASAR_PT_INDEX(va_cmd, 1), l0 | QUASAR_PTE_VALID);
    qtest_writeq(f->qts, l0 + 8 * QUASAR_PT_INDEX(va_cmd, 0), cmd | QUASAR_PTE_VALID);
    qtest_writeq(f->qts, l0 + 8 * QUASAR_PT_INDEX(va_data, 0),
                 data | QUASAR_PTE_VALID | QUASAR_PTE_WRITE);
    qtest_memwrite(f->qts, cmd, &c, sizeof(c));
    wr64(f, QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_LO), root);
    wr(f, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);

    qtest_memwrite(f->qts, ring, &d, sizeof(d));
    wr64(f, QUASAR_REG_QUEUE(0, QUASAR_Q_RING_LO), ring);
    wr64(f, QUASAR_REG_QUEUE(0, QUASAR_Q_CPL_LO), cpl);
    wr(f, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE), 4);
    wr(f, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    wr(f, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    qf_wait(f, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD), ~0u, 1);

    qtest_memread(f->qts, cpl, &rec, sizeof(rec));
    g_assert_cmphex(le64_to_cpu(rec.seqno), ==, 77);
    g_assert_cmpuint(le32_to_cpu(rec.status), ==, DRM_QUASAR_STATUS_OK);
    g_assert_cmpuint(le32_to_cpu(rec.cmd_index), ==, 1);
    qtest_memread(f->qts, data, words, sizeof(words));
    for (i = 0; i < QF_PAGE / 4; i++) {
        uint32_t want = (i >= 16 && i < 48) ? 0x600dcafe : 0;

        if (le32_to_cpu(words[i]) != want) {
            g_test_message("data word %u: expected 0x%08x, found 0x%08x",
                           i, want, le32_to_cpu(words[i]));
            g_assert_not_reached();
        }
    }
}

static void test_qtest_register_fuzz(void)
{
    guint32 seed = QF_DEFAULT_SEED;
    const char *s = g_getenv("QUASAR_QTEST_SEED");
    QF f = { 0 };
    uint32_t off;
    unsigned int round;

    if (s && *s) {
        seed = strtoul(s, NULL, 0);
    }
    g_test_message("seed 0x%x (replay: QUASAR_QTEST_SEED=0x%x)", seed, seed);
    f.rng = g_rand_new_with_seed(seed);
    f.qs = qtest_pc_boot("-M q35 -device quasar,id=npu0,addr=%02x.0", QF_SLOT);
    f.qts = f.qs->qts;
    f.dev = qpci_device_find(f.qs->pcibus, QF_DEVFN);
    g_assert_nonnull(f.dev);
    qpci_device_enable(f.dev);
    f.bar = qpci_iomap(f.dev, QUASAR_BAR_REGS, NULL);
    f.pool = guest_alloc(&f.qs->alloc, QF_POOL_PAGES * QF_PAGE);
    qf_scribble(&f, f.pool, QF_POOL_PAGES * QF_PAGE);
    qf_expect_fill_works(&f);

    /* Every offset once, in order, with random values and widths. */
    for (off = 0; off < QF_BAR_SIZE; off += 4) {
        if (off % 8 == 0) {
            qf_poke(&f, off);
        }
        wr(&f, off, qf_u32(&f));
    }

    /* Structure-aware rounds: queues, contexts, boots, resets, noise. */
    for (round = 0; round < QF_ROUNDS; round++) {
        switch (qf_below(&f, 8)) {
        case 0:
            qf_boot_random(&f);
            break;
        case 1:
            qf_pool_descriptors(&f);
            qf_scribble(&f, f.pool + (uint64_t)qf_below(&f, QF_POOL_PAGES) * QF_PAGE,
                        QF_PAGE);
            break;
        case 2:
            wr(&f, QUASAR_REG_DEV_CTRL, qf_below(&f, 2) ? QUASAR_DEV_CTRL_RESET : qf_u32(&f));
            break;
        case 3: {
            unsigned int i;

            for (i = 0; i < 32; i++) {
                qf_poke(&f, 8 * qf_below(&f, QF_BAR_SIZE / 8));
            }
            break;
        }
        default:
            qf_queue_random(&f);
            break;
        }
    }
    /* The device still answers, and a reset brings it back to work. */
    g_assert_cmpuint(rd(&f, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qf_device_reset(&f);
    qf_expect_fill_works(&f);

    g_rand_free(f.rng);
    g_free(f.dev);
    qtest_shutdown(f.qs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/quasar/fuzz/qtest_register_fuzz", test_qtest_register_fuzz);
    return g_test_run();
}
