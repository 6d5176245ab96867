/* SPDX-License-Identifier: MIT */
/*
 * The helpers of the Quasar device's qtests (qtest_util.h), against
 * docs/hw-spec.md. The guest side is played by the test through libqos:
 * PCI config and BAR accesses, guest memory for images, page tables, rings
 * and data. Every wait is a poll with a deadline, since the device works
 * on its own threads.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "qemu/bswap.h"
#include "qtest_util.h"

/* ---------------------------------------------------------------------- */
/* Machine and register access                                             */
/* ---------------------------------------------------------------------- */

void qt_map_device(QT *t)
{
    t->dev = qpci_device_find(t->qs->pcibus, QT_DEVFN);
    g_assert_nonnull(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, QUASAR_BAR_REGS, NULL);
}

/*
 * q35 by default; "pc" for the tests that need ACPI PCI hot-unplug.
 * @props: more device properties (",name=value..."), or "".
 */
QT *qt_start_with(const char *machine, const char *props)
{
    QT *t = g_new0(QT, 1);

    t->timeout_us = QT_TIMEOUT_US;
    t->qs = qtest_pc_boot("-M %s -device quasar,id=npu0,addr=%02x.0%s",
                          machine, QT_SLOT, props);
    t->qts = t->qs->qts;
    qt_map_device(t);
    return t;
}

QT *qt_start_on(const char *machine)
{
    return qt_start_with(machine, "");
}

QT *qt_start(void)
{
    return qt_start_on("q35");
}

void qt_stop(QT *t)
{
    g_free(t->dev);
    qtest_shutdown(t->qs);
    g_free(t);
}

uint32_t qt_rd(QT *t, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, off);
}

void qt_wr(QT *t, uint32_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, off, val);
}

void qt_wr64(QT *t, uint32_t lo, uint32_t hi, uint64_t val)
{
    qt_wr(t, lo, val);
    qt_wr(t, hi, val >> 32);
}

/* The registers that say why a device does not move: for failure messages. */
void qt_dump_regs(QT *t)
{
    unsigned int q;

    g_test_message("dev_status 0x%x power 0x%x fw_status 0x%x fw_error 0x%x "
                   "irq_status 0x%x dbg_inject 0x%x dbg_fired 0x%x dbg_hold 0x%x "
                   "grants %u",
                   qt_rd(t, QUASAR_REG_DEV_STATUS),
                   qt_rd(t, QUASAR_REG_POWER_STATUS),
                   qt_rd(t, QUASAR_REG_FW_STATUS), qt_rd(t, QUASAR_REG_FW_ERROR),
                   qt_rd(t, QUASAR_REG_IRQ_STATUS),
                   qt_rd(t, QUASAR_REG_DBG_INJECT), qt_rd(t, QUASAR_REG_DBG_FIRED),
                   qt_rd(t, QUASAR_REG_DBG_HOLD), qt_rd(t, QUASAR_REG_DBG_GRANTS));
    for (q = 0; q < QUASAR_NUM_QUEUES; q++) {
        g_test_message("hw queue %u: ctrl 0x%x status 0x%x error %u size %u "
                       "head %u tail %u priority %u start_seq %u progress %u", q,
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_STATUS)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_ERROR)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_HEAD)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_PRIORITY)),
                       qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_START_SEQ)),
                       qt_rd(t, QUASAR_REG_Q_PROGRESS(q)));
    }
}

/* Poll until (reg & mask) == want; fails the test with what was seen. */
void qt_wait_reg(QT *t, uint32_t off, uint32_t mask, uint32_t want)
{
    gint64 end = g_get_monotonic_time() + t->timeout_us;
    uint32_t val;

    for (;;) {
        val = qt_rd(t, off);
        if ((val & mask) == want) {
            return;
        }
        if (g_get_monotonic_time() > end) {
            break;
        }
        g_usleep(200);
    }
    g_test_message("register 0x%04x: expected (value & 0x%x) == 0x%x, "
                   "last read 0x%08x", off, mask, want, val);
    qt_dump_regs(t);
    g_assert_not_reached();
}

/* MSI-X messages are sent from the main loop, after the register update. */
void qt_wait_msix_pending(QT *t, uint16_t vector)
{
    gint64 end = g_get_monotonic_time() + t->timeout_us;

    while (!qpci_msix_pending(t->dev, vector)) {
        if (g_get_monotonic_time() > end) {
            g_test_message("MSI-X vector %u never became pending", vector);
            g_assert_not_reached();
        }
        g_usleep(200);
    }
}

uint64_t qt_alloc_pages(QT *t, unsigned int pages)
{
    uint64_t pa = guest_alloc(&t->qs->alloc, pages * QT_PAGE);

    g_assert_cmphex(pa & (QT_PAGE - 1), ==, 0);
    qtest_memset(t->qts, pa, 0, pages * QT_PAGE);
    return pa;
}

/* Which GSI the q35 chipset routes INTx to depends on the slot: any will do. */
bool qt_intx_raised(QT *t)
{
    int gsi;

    for (gsi = 16; gsi < 24; gsi++) {
        if (qtest_get_irq(t->qts, gsi)) {
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------- */
/* Firmware images and boot                                               */
/* ---------------------------------------------------------------------- */

uint8_t *qt_good_image(size_t *len)
{
    const char *path = g_getenv("QUASAR_FW_IMAGE");
    g_autoptr(GError) err = NULL;
    gchar *img = NULL;
    gsize n = 0;

    if (!path) {
        g_test_message("QUASAR_FW_IMAGE is not set: point it at "
                       "build/fw/quasar-fw.bin (made by `make fw`)");
        g_assert_nonnull(path);
    }
    if (!g_file_get_contents(path, &img, &n, &err)) {
        g_test_message("cannot read %s: %s", path, err->message);
        g_assert_not_reached();
    }
    g_assert_cmpuint(n, >=, sizeof(struct quasar_fw_header));
    *len = n;
    return (uint8_t *)img;
}

void qt_image_fix_crc(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(crc32), 0);
    stl_le_p(img + QT_HDR(crc32), crc32(0, img, len));
}

/* DMA @img to the guest and boot it with FW_SIZE @fw_size; returns state. */
uint32_t qt_boot_at(QT *t, uint64_t pa, uint32_t fw_size)
{
    qt_wr64(t, QUASAR_REG_FW_ADDR_LO, QUASAR_REG_FW_ADDR_HI, pa);
    qt_wr(t, QUASAR_REG_FW_SIZE, fw_size);
    qt_wr(t, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    qt_wait_reg(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT,
                QUASAR_IRQ_FW_BOOT);
    return qt_rd(t, QUASAR_REG_FW_STATUS);
}

uint32_t qt_boot_image(QT *t, const uint8_t *img, size_t len,
                       uint32_t fw_size)
{
    uint64_t pa = guest_alloc(&t->qs->alloc, len);

    qtest_memwrite(t->qts, pa, img, len);
    return qt_boot_at(t, pa, fw_size);
}

void qt_boot_good(QT *t)
{
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    uint32_t state = qt_boot_image(t, img, len, len);

    if (state != QUASAR_FW_STATE_READY) {
        g_test_message("good image not booted: FW_STATUS %u FW_ERROR %u",
                       state, qt_rd(t, QUASAR_REG_FW_ERROR));
        g_assert_not_reached();
    }
    qt_wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
}

/* ---------------------------------------------------------------------- */
/* Queues: page tables, rings and jobs                                    */
/* ---------------------------------------------------------------------- */

static uint64_t qt_pt_next(QT *t, uint64_t table, uint64_t va, int level)
{
    uint64_t at = table + 8 * QUASAR_PT_INDEX(va, level);
    uint64_t pte = qtest_readq(t->qts, at);

    if (!(pte & QUASAR_PTE_VALID)) {
        pte = qt_alloc_pages(t, 1) | QUASAR_PTE_VALID;
        qtest_writeq(t->qts, at, pte);
    }
    return pte & QUASAR_PTE_ADDR_MASK;
}

void qt_map(QT *t, uint64_t va, uint64_t pa, unsigned int pages, bool write)
{
    unsigned int i;

    for (i = 0; i < pages; i++) {
        uint64_t v = va + i * QT_PAGE;
        uint64_t l1 = qt_pt_next(t, t->root, v, 2);
        uint64_t l0 = qt_pt_next(t, l1, v, 1);

        qtest_writeq(t->qts, l0 + 8 * QUASAR_PT_INDEX(v, 0),
                     (pa + i * QT_PAGE) | QUASAR_PTE_VALID |
                     (write ? QUASAR_PTE_WRITE : 0));
    }
}

void qt_queue_enable(QT *t, unsigned int q, uint32_t size)
{
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO),
            QUASAR_REG_QUEUE(q, QUASAR_Q_RING_HI), t->ring);
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO),
            QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_HI), t->cpl);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), size);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    t->tail = 0;
}

/*
 * Context 0 maps: one command page (read-only), QT_DATA_PAGES pages each
 * at A and B (writable) and one read-only data page; queue 0 is enabled.
 * All of it on fresh pages, so it can be set up again on the same machine.
 */
void qt_setup_jobs(QT *t)
{
    t->root = qt_alloc_pages(t, 1);
    t->cmd_pa = qt_alloc_pages(t, 1);
    t->a_pa = qt_alloc_pages(t, QT_DATA_PAGES);
    t->b_pa = qt_alloc_pages(t, QT_DATA_PAGES);
    qt_map(t, QT_VA_CMD, t->cmd_pa, 1, false);
    qt_map(t, QT_VA_A, t->a_pa, QT_DATA_PAGES, true);
    qt_map(t, QT_VA_B, t->b_pa, QT_DATA_PAGES, true);
    qt_map(t, QT_VA_RO, t->a_pa, 1, false);
    qt_wr64(t, QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_LO),
            QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_HI), t->root);
    qt_wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);

    t->ring = qt_alloc_pages(t, 1);
    t->cpl = qt_alloc_pages(t, 1);
    qt_queue_enable(t, 0, QT_RING_SIZE);
}

/* A machine with the environment of qt_setup_jobs(), booted or not. */
QT *qt_start_jobs_with(const char *machine, const char *props, bool boot)
{
    QT *t = qt_start_with(machine, props);

    if (boot) {
        qt_boot_good(t);
    }
    qt_setup_jobs(t);
    return t;
}

QT *qt_start_jobs_on(const char *machine, bool boot)
{
    return qt_start_jobs_with(machine, "", boot);
}

QT *qt_start_jobs(bool boot)
{
    return qt_start_jobs_on("q35", boot);
}

/* Command-stream builder: commands appended at @off of the command page. */
uint32_t qt_cmd_fill(QT *t, uint32_t off, uint64_t dst, uint32_t size,
                     uint32_t value)
{
    struct drm_quasar_cmd_fill c = {
        .hdr = {
            .opcode = cpu_to_le16(DRM_QUASAR_OP_FILL),
            .length = cpu_to_le16(sizeof(c)),
        },
        .dst = cpu_to_le64(dst),
        .size = cpu_to_le32(size),
        .value = cpu_to_le32(value),
    };

    qtest_memwrite(t->qts, t->cmd_pa + off, &c, sizeof(c));
    return off + sizeof(c);
}

uint32_t qt_cmd_copy(QT *t, uint32_t off, uint64_t dst, uint64_t src,
                     uint64_t size)
{
    struct drm_quasar_cmd_copy c = {
        .hdr = {
            .opcode = cpu_to_le16(DRM_QUASAR_OP_COPY),
            .length = cpu_to_le16(sizeof(c)),
        },
        .dst = cpu_to_le64(dst),
        .src = cpu_to_le64(src),
        .size = cpu_to_le64(size),
    };

    qtest_memwrite(t->qts, t->cmd_pa + off, &c, sizeof(c));
    return off + sizeof(c);
}

/* Write a descriptor at the tail and ring the doorbell. */
void qt_submit_desc(QT *t, unsigned int q, const struct quasar_hw_desc *d)
{
    uint32_t size = qt_rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE));

    qtest_memwrite(t->qts, t->ring + (t->tail % size) * sizeof(*d), d,
                   sizeof(*d));
    t->tail++;
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL), t->tail);
}

void qt_submit(QT *t, uint64_t cmd_va, uint32_t cmd_size, uint16_t slot,
               uint64_t seqno)
{
    struct quasar_hw_desc d = {
        .cmd_addr = cpu_to_le64(cmd_va),
        .cmd_size = cpu_to_le32(cmd_size),
        .ctx_slot = cpu_to_le16(slot),
        .seqno = cpu_to_le64(seqno),
    };

    qt_submit_desc(t, 0, &d);
}

void qt_read_cpl(QT *t, uint32_t index, struct quasar_hw_cpl *c)
{
    qtest_memread(t->qts, t->cpl + (index % QT_RING_SIZE) * sizeof(*c), c,
                  sizeof(*c));
    c->seqno = le64_to_cpu(c->seqno);
    c->status = le32_to_cpu(c->status);
    c->cmd_index = le32_to_cpu(c->cmd_index);
    c->fault_addr = le64_to_cpu(c->fault_addr);
}

void qt_expect_cpl(QT *t, uint32_t index, uint64_t seqno, uint32_t status,
                   uint32_t cmd_index, uint64_t fault_addr)
{
    struct quasar_hw_cpl c;

    qt_read_cpl(t, index, &c);
    if (c.seqno != seqno || c.status != status || c.cmd_index != cmd_index ||
        c.fault_addr != fault_addr) {
        g_test_message("completion %u: expected seqno %" PRIu64 " status %u "
                       "cmd_index %u fault 0x%" PRIx64 ", got seqno %" PRIu64
                       " status %u cmd_index %u fault 0x%" PRIx64, index,
                       seqno, status, cmd_index, fault_addr, c.seqno,
                       c.status, c.cmd_index, c.fault_addr);
        g_assert_not_reached();
    }
}

void qt_wait_head(QT *t, unsigned int q, uint32_t head)
{
    qt_wait_reg(t, QUASAR_REG_QUEUE(q, QUASAR_Q_HEAD), ~0u, head);
}

void qt_expect_words(QT *t, uint64_t pa, size_t bytes, uint32_t want)
{
    g_autofree uint32_t *buf = g_malloc(bytes);
    size_t i;

    qtest_memread(t->qts, pa, buf, bytes);
    for (i = 0; i < bytes / 4; i++) {
        if (le32_to_cpu(buf[i]) != want) {
            g_test_message("guest 0x%" PRIx64 ": expected 0x%08x, got 0x%08x",
                           pa + i * 4, want, le32_to_cpu(buf[i]));
            g_assert_not_reached();
        }
    }
}

/*
 * Fill the ring with jobs that each copy 1 MiB back and forth 128 times (a
 * full command page; about 0.1 s of device time), so that resets and
 * unplugs find the first job in progress and the last one not started.
 */
void qt_submit_long_jobs(QT *t)
{
    uint64_t bytes = QT_BIG_PAGES * QT_PAGE;
    uint32_t len = 0, i;

    qt_map(t, QT_VA_BIG_A, qt_alloc_pages(t, QT_BIG_PAGES), QT_BIG_PAGES,
           true);
    qt_map(t, QT_VA_BIG_B, qt_alloc_pages(t, QT_BIG_PAGES), QT_BIG_PAGES,
           true);
    for (i = 0; i < QT_PAGE / sizeof(struct drm_quasar_cmd_copy); i++) {
        len = i & 1 ? qt_cmd_copy(t, len, QT_VA_BIG_A, QT_VA_BIG_B, bytes)
                    : qt_cmd_copy(t, len, QT_VA_BIG_B, QT_VA_BIG_A, bytes);
    }
    for (i = 0; i < QT_RING_SIZE; i++) {
        qt_submit(t, QT_VA_CMD, len, 0, i);
    }
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), QUASAR_Q_STATUS_BUSY,
                QUASAR_Q_STATUS_BUSY);
}

/* ---------------------------------------------------------------------- */
/* Power state (spec section 10)                                          */
/* ---------------------------------------------------------------------- */

void qt_power_set(QT *t, uint32_t state)
{
    qt_wr(t, QUASAR_REG_POWER_CTRL, state);
    qt_wait_reg(t, QUASAR_REG_POWER_STATUS,
                QUASAR_POWER_STATUS_STATE | QUASAR_POWER_STATUS_BUSY, state);
}
