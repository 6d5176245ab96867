/* SPDX-License-Identifier: MIT */
/*
 * qtest for the Quasar NPU device (-device quasar), against docs/hw-spec.md.
 *
 * Built inside QEMU's tree (scripts/build-qemu.sh copies it to
 * tests/qtest/ and registers it) and run by tests/qemu-device/run-qtest.sh:
 *
 *   QTEST_QEMU_BINARY=.../qemu-system-x86_64 \
 *   QUASAR_FW_IMAGE=build/fw/quasar-fw.bin quasar-test --tap -k
 *
 * The guest side is played by the test through libqos: PCI config and BAR
 * accesses, guest memory for images, page tables, rings and data. Every
 * wait is a poll with a deadline, since the device works on its own
 * threads. Bad firmware images are made from the good one, one field at a
 * time, with the CRC recomputed unless the CRC is what is being broken, so
 * each must fail with exactly its FW_ERROR code.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qemu/bswap.h"
#include "hw/quasar_hw_interface.h"
#include "drm/quasar_isa.h"

#define QT_SLOT             4
#define QT_DEVFN            QPCI_DEVFN(QT_SLOT, 0)
#define QT_TIMEOUT_US       (10 * G_USEC_PER_SEC)
#define QT_PAGE             QUASAR_PAGE_SIZE
#define QT_HDR(f)           offsetof(struct quasar_fw_header, f)
#define QT_SEC_TABLE        sizeof(struct quasar_fw_header)
#define QT_SEC(i, f)        (QT_SEC_TABLE + \
                             (i) * sizeof(struct quasar_fw_section) + \
                             offsetof(struct quasar_fw_section, f))

/* Device VAs used by the queue tests (driver window starts at 4 GiB). */
#define QT_VA_CMD           (QUASAR_VA_START)
#define QT_VA_A             (QUASAR_VA_START + 0x10000)
#define QT_VA_B             (QUASAR_VA_START + 0x20000)
#define QT_VA_RO            (QUASAR_VA_START + 0x30000)
#define QT_VA_UNMAPPED      (QUASAR_VA_START + 0x40000)
#define QT_VA_BIG_A         (QUASAR_VA_START + 0x1000000)
#define QT_VA_BIG_B         (QUASAR_VA_START + 0x2000000)
#define QT_DATA_PAGES       2
#define QT_BIG_PAGES        256
#define QT_RING_SIZE        4

typedef struct QT {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    /* queue-test environment */
    uint64_t root;
    uint64_t cmd_pa;
    uint64_t a_pa;
    uint64_t b_pa;
    uint64_t ring;
    uint64_t cpl;
    uint32_t tail;
} QT;

/* ---------------------------------------------------------------------- */
/* Machine and register access                                             */
/* ---------------------------------------------------------------------- */

static void qt_map_device(QT *t)
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
static QT *qt_start_with(const char *machine, const char *props)
{
    QT *t = g_new0(QT, 1);

    t->qs = qtest_pc_boot("-M %s -device quasar,id=npu0,addr=%02x.0%s",
                          machine, QT_SLOT, props);
    t->qts = t->qs->qts;
    qt_map_device(t);
    return t;
}

static QT *qt_start_on(const char *machine)
{
    return qt_start_with(machine, "");
}

static QT *qt_start(void)
{
    return qt_start_on("q35");
}

static void qt_stop(QT *t)
{
    g_free(t->dev);
    qtest_shutdown(t->qs);
    g_free(t);
}

static uint32_t rd(QT *t, uint32_t off)
{
    return qpci_io_readl(t->dev, t->bar, off);
}

static void wr(QT *t, uint32_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, off, val);
}

static void wr64(QT *t, uint32_t lo, uint32_t hi, uint64_t val)
{
    wr(t, lo, val);
    wr(t, hi, val >> 32);
}

/* Poll until (reg & mask) == want; fails the test with what was seen. */
static void qt_wait_reg(QT *t, uint32_t off, uint32_t mask, uint32_t want)
{
    gint64 end = g_get_monotonic_time() + QT_TIMEOUT_US;
    uint32_t val;

    for (;;) {
        val = rd(t, off);
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
    g_assert_not_reached();
}

/* MSI-X messages are sent from the main loop, after the register update. */
static void qt_wait_msix_pending(QT *t, uint16_t vector)
{
    gint64 end = g_get_monotonic_time() + QT_TIMEOUT_US;

    while (!qpci_msix_pending(t->dev, vector)) {
        if (g_get_monotonic_time() > end) {
            g_test_message("MSI-X vector %u never became pending", vector);
            g_assert_not_reached();
        }
        g_usleep(200);
    }
}

static uint64_t qt_alloc_pages(QT *t, unsigned int pages)
{
    uint64_t pa = guest_alloc(&t->qs->alloc, pages * QT_PAGE);

    g_assert_cmphex(pa & (QT_PAGE - 1), ==, 0);
    qtest_memset(t->qts, pa, 0, pages * QT_PAGE);
    return pa;
}

/* ---------------------------------------------------------------------- */
/* Firmware images                                                         */
/* ---------------------------------------------------------------------- */

static uint8_t *qt_good_image(size_t *len)
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

static void qt_image_fix_crc(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(crc32), 0);
    stl_le_p(img + QT_HDR(crc32), crc32(0, img, len));
}

/* Index of the image's section of @type, or -1. */
static int qt_image_section(const uint8_t *img, uint32_t type)
{
    uint32_t n = ldl_le_p(img + QT_HDR(num_sections));
    uint32_t i;

    for (i = 0; i < n && i < QUASAR_FW_MAX_SECTIONS; i++) {
        if (ldl_le_p(img + QT_SEC(i, type)) == type) {
            return i;
        }
    }
    return -1;
}

/* DMA @img to the guest and boot it with FW_SIZE @fw_size; returns state. */
static uint32_t qt_boot_at(QT *t, uint64_t pa, uint32_t fw_size)
{
    wr64(t, QUASAR_REG_FW_ADDR_LO, QUASAR_REG_FW_ADDR_HI, pa);
    wr(t, QUASAR_REG_FW_SIZE, fw_size);
    wr(t, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    qt_wait_reg(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT,
                QUASAR_IRQ_FW_BOOT);
    return rd(t, QUASAR_REG_FW_STATUS);
}

static uint32_t qt_boot_image(QT *t, const uint8_t *img, size_t len,
                              uint32_t fw_size)
{
    uint64_t pa = guest_alloc(&t->qs->alloc, len);

    qtest_memwrite(t->qts, pa, img, len);
    return qt_boot_at(t, pa, fw_size);
}

static void qt_boot_good(QT *t)
{
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_READY);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
}

typedef void (*QTImageEdit)(uint8_t *img, size_t len);

/* Boot the good image edited by @edit and expect FW_ERROR @want. */
static void qt_expect_boot_error(QTImageEdit edit, uint32_t want)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    edit(img, len);
    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, want);
    /* Nothing of a rejected image is reported. */
    g_assert_cmphex(rd(t, QUASAR_REG_FW_BUILD_ID), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_CAPS), ==, 0);
    qt_stop(t);
}

static void qt_edit_magic(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(magic), 0x30574652);
    qt_image_fix_crc(img, len);
}

static void qt_edit_abi_major(uint8_t *img, size_t len)
{
    stw_le_p(img + QT_HDR(abi_major), QUASAR_FW_ABI_MAJOR + 1);
    qt_image_fix_crc(img, len);
}

static void qt_edit_abi_minor(uint8_t *img, size_t len)
{
    stw_le_p(img + QT_HDR(abi_minor), QUASAR_FW_ABI_MINOR + 1);
    qt_image_fix_crc(img, len);
}

static void qt_edit_header_size(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(header_size), 72);
    qt_image_fix_crc(img, len);
}

static void qt_edit_flags(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(flags), 1);
    qt_image_fix_crc(img, len);
}

static void qt_edit_crc(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(crc32), ldl_le_p(img + QT_HDR(crc32)) ^ 1);
}

static void qt_edit_payload_byte(uint8_t *img, size_t len)
{
    img[len - 1] ^= 0x80;
}

static void qt_edit_build_id(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(build_id), ~ldl_le_p(img + QT_HDR(build_id)));
    qt_image_fix_crc(img, len);
}

static void qt_edit_section_type(uint8_t *img, size_t len)
{
    int info = qt_image_section(img, QUASAR_FW_SECTION_INFO);
    int i = info >= 0 ? info : qt_image_section(img, QUASAR_FW_SECTION_CAPS);

    g_assert_cmpint(i, >=, 0);
    stl_le_p(img + QT_SEC(i, type), 0x99);
    qt_image_fix_crc(img, len);
}

static void qt_edit_caps(uint8_t *img, size_t len)
{
    int i = qt_image_section(img, QUASAR_FW_SECTION_CAPS);
    uint32_t off;

    g_assert_cmpint(i, >=, 0);
    off = ldl_le_p(img + QT_SEC(i, offset));
    g_assert_cmpuint(off + sizeof(struct quasar_fw_caps), <=, len);
    /* Bit 31 of caps is no capability any ROM has. */
    stl_le_p(img + off + offsetof(struct quasar_fw_caps, caps),
             ldl_le_p(img + off) | (1u << 31));
    qt_image_fix_crc(img, len);
}

static void qt_edit_image_size(uint8_t *img, size_t len)
{
    stl_le_p(img + QT_HDR(image_size), len - 8);
    qt_image_fix_crc(img, len);
}

/* ---------------------------------------------------------------------- */
/* PCI identity and plain registers                                        */
/* ---------------------------------------------------------------------- */

static void test_pci_ids_class_and_caps(void)
{
    QT *t = qt_start();
    uint8_t msix;

    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    QUASAR_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    QUASAR_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_CLASS_REVISION), ==,
                    (QUASAR_PCI_CLASS << 8) | QUASAR_PCI_REVISION);
    g_assert_cmphex(qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0), ==,
                    0x80);
    msix = qpci_find_capability(t->dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmphex(msix, !=, 0);
    g_assert_cmpuint(qpci_msix_table_size(t->dev), ==, QUASAR_NUM_MSIX);
    g_assert_cmphex(qpci_config_readl(t->dev, msix + PCI_MSIX_TABLE) &
                    PCI_MSIX_FLAGS_BIRMASK, ==, QUASAR_BAR_MSIX);
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    qt_stop(t);
}

static void test_regs_identify_the_device(void)
{
    QT *t = qt_start();

    g_assert_cmphex(rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    g_assert_cmphex(rd(t, QUASAR_REG_HW_VERSION), ==,
                    QUASAR_HW_VERSION_VALUE);
    g_assert_cmpuint(rd(t, QUASAR_REG_NUM_QUEUES), ==, QUASAR_NUM_QUEUES);
    g_assert_cmpuint(rd(t, QUASAR_REG_NUM_CTX), ==, QUASAR_NUM_CTX);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_ABI), ==,
                    (QUASAR_FW_ABI_MAJOR << 16) | QUASAR_FW_ABI_MINOR);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_MASK), ==, 0);
    qt_stop(t);
}

static void test_scratch_reads_back_and_id_is_read_only(void)
{
    QT *t = qt_start();

    wr(t, QUASAR_REG_SCRATCH, 0x5a5a5a5a);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0x5a5a5a5a);
    wr(t, QUASAR_REG_SCRATCH, 0xa5a5a5a5);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0xa5a5a5a5);
    wr(t, QUASAR_REG_ID, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qt_stop(t);
}

static void test_bad_accesses_read_zero_and_are_ignored(void)
{
    QT *t = qt_start();

    /* Unknown offsets, including holes inside the context/queue arrays. */
    g_assert_cmphex(rd(t, 0x3000), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(0, 0x18)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, 0x30)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_BAR0_SIZE - 4), ==, 0);
    wr(t, 0x3000, 0xffffffff);
    /* Other widths and misaligned accesses. */
    g_assert_cmphex(qpci_io_readw(t->dev, t->bar, QUASAR_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readb(t->dev, t->bar, QUASAR_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readq(t->dev, t->bar, QUASAR_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readl(t->dev, t->bar, QUASAR_REG_ID + 2), ==, 0);
    wr(t, QUASAR_REG_SCRATCH, 0x11223344);
    qpci_io_writew(t->dev, t->bar, QUASAR_REG_SCRATCH, 0xffff);
    qpci_io_writeq(t->dev, t->bar, QUASAR_REG_SCRATCH, ~0ull);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0x11223344);
    qt_stop(t);
}

static void test_irq_status_is_write_one_to_clear(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    wr(t, QUASAR_REG_IRQ_MASK, 0xffffffff);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_MASK), ==,
                    0xf | QUASAR_IRQ_FW_BOOT | QUASAR_IRQ_ERROR);
    /* Status bits cannot be set by the guest, only cleared. */
    wr(t, QUASAR_REG_IRQ_STATUS, 0xffffffff);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS), ==, 0);
    qt_boot_image(t, img, len, len);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS), ==, QUASAR_IRQ_FW_BOOT);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_ERROR);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS), ==, QUASAR_IRQ_FW_BOOT);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS), ==, 0);
    qt_stop(t);
}

/* Which GSI the q35 chipset routes INTx to depends on the slot: any will do. */
static bool qt_intx_raised(QT *t)
{
    int gsi;

    for (gsi = 16; gsi < 24; gsi++) {
        if (qtest_get_irq(t->qts, gsi)) {
            return true;
        }
    }
    return false;
}

static void test_intx_follows_status_and_mask_without_msix(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    g_assert_false(qt_intx_raised(t));
    qt_boot_image(t, img, len, len);
    /* A pending cause that is masked does not interrupt... */
    g_assert_false(qt_intx_raised(t));
    /* ...until it is enabled, and the line drops when it is cleared. */
    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
    g_assert_true(qt_intx_raised(t));
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_false(qt_intx_raised(t));
    qt_stop(t);
}

/* ---------------------------------------------------------------------- */
/* Firmware boot                                                           */
/* ---------------------------------------------------------------------- */

static void test_boot_good_image_reports_ready_and_its_identity(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);
    int caps = qt_image_section(img, QUASAR_FW_SECTION_CAPS);
    uint32_t caps_off;

    g_assert_cmpint(caps, >=, 0);
    caps_off = ldl_le_p(img + QT_SEC(caps, offset));
    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_READY);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_OK);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_VERSION), ==,
                    (uint32_t)ldl_le_p(img + QT_HDR(fw_version)));
    g_assert_cmphex(rd(t, QUASAR_REG_FW_BUILD_ID), ==,
                    (uint32_t)ldl_le_p(img + QT_HDR(build_id)));
    g_assert_cmphex(rd(t, QUASAR_REG_FW_ABI), ==,
                    (lduw_le_p(img + QT_HDR(abi_major)) << 16) |
                    lduw_le_p(img + QT_HDR(abi_minor)));
    g_assert_cmphex(rd(t, QUASAR_REG_FW_CAPS), ==,
                    (uint32_t)ldl_le_p(img + caps_off +
                             offsetof(struct quasar_fw_caps, caps)));
    /* Every queue has a compute engine: the image's masks stand as they are. */
    g_assert_cmphex(rd(t, QUASAR_REG_FW_OPS), ==,
                    (uint32_t)ldl_le_p(img + caps_off +
                             offsetof(struct quasar_fw_caps, ops)));
    g_assert_cmphex(rd(t, QUASAR_REG_FW_FORMATS), ==,
                    (uint32_t)ldl_le_p(img + caps_off +
                             offsetof(struct quasar_fw_caps, formats)));
    qt_stop(t);
}

static void test_boot_rejects_bad_magic(void)
{
    qt_expect_boot_error(qt_edit_magic, QUASAR_FW_ERR_MAGIC);
}

static void test_boot_rejects_other_abi_major(void)
{
    qt_expect_boot_error(qt_edit_abi_major, QUASAR_FW_ERR_ABI);
}

static void test_boot_rejects_newer_abi_minor(void)
{
    qt_expect_boot_error(qt_edit_abi_minor, QUASAR_FW_ERR_ABI);
}

static void test_boot_rejects_bad_header_size(void)
{
    qt_expect_boot_error(qt_edit_header_size, QUASAR_FW_ERR_HEADER);
}

static void test_boot_rejects_nonzero_flags(void)
{
    qt_expect_boot_error(qt_edit_flags, QUASAR_FW_ERR_HEADER);
}

static void test_boot_rejects_wrong_crc_field(void)
{
    qt_expect_boot_error(qt_edit_crc, QUASAR_FW_ERR_CRC);
}

static void test_boot_rejects_corrupted_payload(void)
{
    qt_expect_boot_error(qt_edit_payload_byte, QUASAR_FW_ERR_CRC);
}

static void test_boot_rejects_other_build_id(void)
{
    qt_expect_boot_error(qt_edit_build_id, QUASAR_FW_ERR_BUILD_ID);
}

static void test_boot_rejects_unknown_section_type(void)
{
    qt_expect_boot_error(qt_edit_section_type, QUASAR_FW_ERR_SECTION);
}

static void test_boot_rejects_caps_the_rom_lacks(void)
{
    qt_expect_boot_error(qt_edit_caps, QUASAR_FW_ERR_CAPS);
}

static void test_boot_rejects_image_size_not_fw_size(void)
{
    qt_expect_boot_error(qt_edit_image_size, QUASAR_FW_ERR_SIZE);
}

static void test_boot_rejects_fw_size_out_of_bounds(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);
    uint64_t pa = guest_alloc(&t->qs->alloc, len);

    qtest_memwrite(t->qts, pa, img, len);
    g_assert_cmpuint(qt_boot_at(t, pa, 63), ==, QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_SIZE);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmpuint(qt_boot_at(t, pa, QUASAR_FW_MAX_SIZE + 1), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_SIZE);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmpuint(qt_boot_at(t, pa, 0xffffffff), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_SIZE);
    /* ERROR is not a dead end: the good image still boots. */
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmpuint(qt_boot_at(t, pa, len), ==, QUASAR_FW_STATE_READY);
    qt_stop(t);
}

static void test_boot_from_unbacked_address_is_dma_error(void)
{
    QT *t = qt_start();

    /* Far above RAM: nothing answers there. */
    g_assert_cmpuint(qt_boot_at(t, 0x7f0000000000ull, 4096), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_DMA);
    qt_stop(t);
}

static void test_boot_from_mmio_is_dma_error(void)
{
    QT *t = qt_start();

    /* The device's own registers: DMA may only target RAM. */
    g_assert_false(t->bar.is_io);
    g_assert_cmpuint(qt_boot_at(t, t->bar.addr, 4096), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_DMA);
    g_assert_cmphex(rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qt_stop(t);
}

static void test_boot_without_bus_master_is_dma_error(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);
    uint16_t cmd = qpci_config_readw(t->dev, PCI_COMMAND);

    qpci_config_writew(t->dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_DMA);
    qt_stop(t);
}

static void test_boot_while_ready_is_state_error(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_READY);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    wr(t, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_STATE);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_FW_BOOT, ==,
                    QUASAR_IRQ_FW_BOOT);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_CAPS), ==, 0);
    qt_stop(t);
}

static void test_boot_completion_signals_msix_vector_0(void)
{
    QT *t = qt_start();

    qpci_msix_enable(t->dev);
    g_assert_true(qpci_msix_masked(t->dev, QUASAR_MSIX_DEVICE));
    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
    qt_boot_good(t);
    /* The vector is masked, so the message waits in the PBA. */
    qt_wait_msix_pending(t, QUASAR_MSIX_DEVICE);
    g_assert_false(qpci_msix_pending(t->dev, QUASAR_MSIX_QUEUE(0)));
    qpci_msix_disable(t->dev);
    qt_stop(t);
}

/*
 * A cause delivered as INTx (MSI-X off) and not yet cleared must still
 * produce a message once the guest switches to MSI-X: the device signals
 * MSI-X on a cause's 0->1 edge, so forgetting it would silence it for good.
 */
static void test_cause_raised_under_intx_is_messaged_after_msix_enable(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_READY);
    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
    g_assert_true(qt_intx_raised(t));
    qpci_msix_enable(t->dev);
    g_assert_false(qpci_msix_pending(t->dev, QUASAR_MSIX_DEVICE));
    /* The next register write lets the device notice the change. */
    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
    qt_wait_msix_pending(t, QUASAR_MSIX_DEVICE);
    g_assert_false(qt_intx_raised(t));
    qpci_msix_disable(t->dev);
    qt_stop(t);
}

/* ---------------------------------------------------------------------- */
/* Queues: page tables, rings and jobs                                     */
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

static void qt_map(QT *t, uint64_t va, uint64_t pa, unsigned int pages,
                   bool write)
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

static void qt_queue_enable(QT *t, unsigned int q, uint32_t size)
{
    wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO),
         QUASAR_REG_QUEUE(q, QUASAR_Q_RING_HI), t->ring);
    wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO),
         QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_HI), t->cpl);
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), size);
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    t->tail = 0;
}

/*
 * Context 0 maps: one command page (read-only), QT_DATA_PAGES pages each
 * at A and B (writable) and one read-only data page; queue 0 is enabled.
 */
static QT *qt_start_jobs_with(const char *machine, const char *props,
                              bool boot)
{
    QT *t = qt_start_with(machine, props);

    if (boot) {
        qt_boot_good(t);
    }
    t->root = qt_alloc_pages(t, 1);
    t->cmd_pa = qt_alloc_pages(t, 1);
    t->a_pa = qt_alloc_pages(t, QT_DATA_PAGES);
    t->b_pa = qt_alloc_pages(t, QT_DATA_PAGES);
    qt_map(t, QT_VA_CMD, t->cmd_pa, 1, false);
    qt_map(t, QT_VA_A, t->a_pa, QT_DATA_PAGES, true);
    qt_map(t, QT_VA_B, t->b_pa, QT_DATA_PAGES, true);
    qt_map(t, QT_VA_RO, t->a_pa, 1, false);
    wr64(t, QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_LO),
         QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_HI), t->root);
    wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);

    t->ring = qt_alloc_pages(t, 1);
    t->cpl = qt_alloc_pages(t, 1);
    qt_queue_enable(t, 0, QT_RING_SIZE);
    return t;
}

static QT *qt_start_jobs_on(const char *machine, bool boot)
{
    return qt_start_jobs_with(machine, "", boot);
}

static QT *qt_start_jobs(bool boot)
{
    return qt_start_jobs_on("q35", boot);
}

/* Command-stream builder: commands appended at @off of the command page. */
static uint32_t qt_cmd_fill(QT *t, uint32_t off, uint64_t dst, uint32_t size,
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

static uint32_t qt_cmd_copy(QT *t, uint32_t off, uint64_t dst, uint64_t src,
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
static void qt_submit_desc(QT *t, unsigned int q,
                           const struct quasar_hw_desc *d)
{
    uint32_t size = rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE));

    qtest_memwrite(t->qts, t->ring + (t->tail % size) * sizeof(*d), d,
                   sizeof(*d));
    t->tail++;
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL), t->tail);
}

static void qt_submit(QT *t, uint64_t cmd_va, uint32_t cmd_size,
                      uint16_t slot, uint64_t seqno)
{
    struct quasar_hw_desc d = {
        .cmd_addr = cpu_to_le64(cmd_va),
        .cmd_size = cpu_to_le32(cmd_size),
        .ctx_slot = cpu_to_le16(slot),
        .seqno = cpu_to_le64(seqno),
    };

    qt_submit_desc(t, 0, &d);
}

static void qt_read_cpl(QT *t, uint32_t index, struct quasar_hw_cpl *c)
{
    qtest_memread(t->qts, t->cpl + (index % QT_RING_SIZE) * sizeof(*c), c,
                  sizeof(*c));
    c->seqno = le64_to_cpu(c->seqno);
    c->status = le32_to_cpu(c->status);
    c->cmd_index = le32_to_cpu(c->cmd_index);
    c->fault_addr = le64_to_cpu(c->fault_addr);
}

static void qt_expect_cpl(QT *t, uint32_t index, uint64_t seqno,
                          uint32_t status, uint32_t cmd_index,
                          uint64_t fault_addr)
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

static void qt_wait_head(QT *t, unsigned int q, uint32_t head)
{
    qt_wait_reg(t, QUASAR_REG_QUEUE(q, QUASAR_Q_HEAD), ~0u, head);
}

static void qt_expect_words(QT *t, uint64_t pa, size_t bytes, uint32_t want)
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
static void qt_submit_long_jobs(QT *t)
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

/* The completion slot of the last long job was never written. */
static void qt_expect_last_job_not_run(QT *t)
{
    struct quasar_hw_cpl c;

    qt_read_cpl(t, QT_RING_SIZE - 1, &c);
    g_assert_cmpuint(c.seqno, ==, 0);
    g_assert_cmpuint(c.status, ==, 0);
    g_assert_cmpuint(c.cmd_index, ==, 0);
}

/* Engine scheduling (spec 12.1) */

/* A queue of its own: rings on fresh pages, enabled at @priority. */
static void qt_sched_queue(QT *t, unsigned int q, uint32_t priority,
                           uint64_t *ring, uint64_t *cpl)
{
    *ring = qt_alloc_pages(t, 1);
    *cpl = qt_alloc_pages(t, 1);
    wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO),
         QUASAR_REG_QUEUE(q, QUASAR_Q_RING_HI), *ring);
    wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO),
         QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_HI), *cpl);
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), QT_RING_SIZE);
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_PRIORITY), priority);
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
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
    wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_TAIL), index + 1);
}

static void test_sched_registers(void)
{
    QT *t = qt_start_with("q35", ",engines=3");

    g_assert_cmpuint(rd(t, QUASAR_REG_NUM_ENGINES), ==, 3);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY)), ==,
                     QUASAR_Q_PRIORITY_NORMAL);
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY), QUASAR_Q_PRIORITY_HIGH);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY)), ==,
                     QUASAR_Q_PRIORITY_HIGH);
    /* Out of range: ignored, the old value stays. */
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY), 3);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_PRIORITY)), ==,
                     QUASAR_Q_PRIORITY_HIGH);
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ), 7);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ)), ==, 0);
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

    g_assert_cmpuint(rd(t, QUASAR_REG_NUM_ENGINES), ==, 1);
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_PRIORITY), QUASAR_Q_PRIORITY_LOW);
    qt_sched_queue(t, 1, QUASAR_Q_PRIORITY_NORMAL, &ring1, &cpl1);
    qt_sched_queue(t, 2, QUASAR_Q_PRIORITY_HIGH, &ring2, &cpl2);

    wr(t, QUASAR_REG_DBG_QUEUES, 1u << 0);
    wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_HANG);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), QUASAR_Q_STATUS_BUSY,
                QUASAR_Q_STATUS_BUSY);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_START_SEQ)), ==, 1);

    qt_sched_submit(t, 1, ring1, 0, len);
    qt_wait_reg(t, QUASAR_REG_QUEUE(1, QUASAR_Q_STATUS), waiting, waiting);
    qt_sched_submit(t, 2, ring2, 0, len);
    qt_wait_reg(t, QUASAR_REG_QUEUE(2, QUASAR_Q_STATUS), waiting, waiting);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_HEAD)), ==, 0);

    /* Disabling queue 0 abandons the hung job and frees the engine. */
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wait_head(t, 1, 1);
    qt_wait_head(t, 2, 1);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_START_SEQ)), ==, 2);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ)), ==, 3);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_STATUS)) & waiting,
                    ==, 0);
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

    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_PRIORITY), QUASAR_Q_PRIORITY_LOW);
    qt_sched_queue(t, 1, QUASAR_Q_PRIORITY_NORMAL, &ring1, &cpl1);
    qt_sched_queue(t, 2, QUASAR_Q_PRIORITY_HIGH, &ring2, &cpl2);
    g0 = rd(t, QUASAR_REG_DBG_GRANTS);

    wr(t, QUASAR_REG_DBG_HOLD, QUASAR_DBG_HOLD_ENGINES);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    qt_sched_submit(t, 1, ring1, 0, len);
    qt_sched_submit(t, 1, ring1, 1, len);
    qt_sched_submit(t, 2, ring2, 0, len);
    /* The LOW queue asked for the engine and did not get it. */
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), waiting, waiting);
    g_assert_cmpuint(rd(t, QUASAR_REG_DBG_GRANTS), ==, g0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_START_SEQ)), ==, 0);

    wr(t, QUASAR_REG_DBG_HOLD, 0);
    qt_wait_head(t, 0, 2);
    qt_wait_head(t, 1, 2);
    qt_wait_head(t, 2, 1);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(2, QUASAR_Q_START_SEQ)), ==,
                     g0 + 1);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(1, QUASAR_Q_START_SEQ)), ==,
                     g0 + 3);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_START_SEQ)), ==,
                     g0 + 5);
    g_assert_cmpuint(rd(t, QUASAR_REG_DBG_GRANTS), ==, g0 + 5);
    qt_stop(t);
}

static void test_queue_fill_and_copy_write_memory_and_completion(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t bytes = QT_DATA_PAGES * QT_PAGE, len;

    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    /* Both span a page boundary, so both go through two translations. */
    len = qt_cmd_fill(t, 0, QT_VA_A, bytes, 0xdeadbeef);
    len = qt_cmd_copy(t, len, QT_VA_B, QT_VA_A, bytes);
    qt_submit(t, QT_VA_CMD, len, 0, 7);
    qt_wait_head(t, 0, 1);

    qt_expect_cpl(t, 0, 7, DRM_QUASAR_STATUS_OK, 2, 0);
    qt_expect_words(t, t->a_pa, bytes, 0xdeadbeef);
    qt_expect_words(t, t->b_pa, bytes, 0xdeadbeef);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_QUEUE(0), ==,
                    QUASAR_IRQ_QUEUE(0));
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==,
                    QUASAR_Q_STATUS_ENABLED);
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
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)) &
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
    g_assert_cmpuint(rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_STATUS)), ==,
                     DRM_QUASAR_STATUS_MMU_FAULT);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_ADDR_LO)), ==,
                    (uint32_t)(QT_VA_UNMAPPED + 8));
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_ADDR_HI)), ==,
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
    wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), 0);
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
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
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
    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
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
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(q, QUASAR_Q_ERROR)), ==, status);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_ERROR, ==,
                    QUASAR_IRQ_ERROR);
}

static void test_queue_doorbell_past_size_is_error_until_reenabled(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), QT_RING_SIZE + 1);
    qt_expect_queue_error(t, 0, DRM_QUASAR_STATUS_BAD_DESC);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);

    /* Disable + enable clears the error and restarts at 0. */
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_ERROR);
    qt_queue_enable(t, 0, QT_RING_SIZE);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==,
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

    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_SIZE), 3);
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    qt_expect_queue_error(t, 1, DRM_QUASAR_STATUS_BAD_DESC);
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_CTRL), 0);
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_SIZE), 8192);
    wr(t, QUASAR_REG_QUEUE(1, QUASAR_Q_CTRL), QUASAR_Q_CTRL_ENABLE);
    qt_expect_queue_error(t, 1, DRM_QUASAR_STATUS_BAD_DESC);
    qt_stop(t);
}

static void test_queue_unreadable_ring_is_dma_error(void)
{
    QT *t = qt_start_jobs(true);

    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    t->ring = 0x7f0000000000ull;
    qt_queue_enable(t, 0, QT_RING_SIZE);
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    qt_expect_queue_error(t, 0, DRM_QUASAR_STATUS_DMA_ERROR);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    qt_stop(t);
}

static void test_queue_disable_with_jobs_queued_ends_idle_at_zero(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    qt_submit_long_jobs(t);
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), ~0u, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);
    /* A doorbell on a disabled queue is ignored. */
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);

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

    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE), 8);
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_RING_LO), 0x1000);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE)), ==,
                     QT_RING_SIZE);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_RING_LO)), ==,
                    (uint32_t)t->ring);
    qt_stop(t);
}

/*
 * A guest writing garbage everywhere must not hurt QEMU or wedge the
 * device. Reproducible: the offsets and values come from the test seed.
 */
static void test_random_register_writes_leave_device_usable(void)
{
    static const uint32_t small[] = { 0, 1, 2, 3, 4, 64, 4096, 8192 };
    QT *t = qt_start_jobs(true);
    uint64_t ram = qt_alloc_pages(t, 4);
    int i;

    for (i = 0; i < 5000; i++) {
        uint32_t off = g_test_rand_int_range(0, 0x2120) & ~3u;
        uint32_t val;

        switch (g_test_rand_int_range(0, 3)) {
        case 0:
            val = g_test_rand_int();
            break;
        case 1:
            val = small[g_test_rand_int_range(0, G_N_ELEMENTS(small))];
            break;
        default:
            /* An address inside guest RAM, so DMA really happens. */
            val = ram + (g_test_rand_int_range(0, 4 * QT_PAGE) & ~63u);
            break;
        }
        wr(t, off, val);
    }
    g_assert_cmphex(rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);

    /* A random POWER_CTRL = 3 powered it down: power it up (spec 10.1). */
    qt_wait_reg(t, QUASAR_REG_POWER_STATUS, QUASAR_POWER_STATUS_BUSY, 0);
    wr(t, QUASAR_REG_POWER_CTRL, QUASAR_POWER_D0);
    /* A soft reset still completes and the device boots again. */
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    qt_wait_reg(t, QUASAR_REG_FW_STATUS, ~0u, QUASAR_FW_STATE_OFF);
    qt_boot_good(t);
    qt_stop(t);
}

/* ---------------------------------------------------------------------- */
/* Power state and firmware log (spec section 10)                          */
/* ---------------------------------------------------------------------- */

static void qt_power_set(QT *t, uint32_t state)
{
    wr(t, QUASAR_REG_POWER_CTRL, state);
    qt_wait_reg(t, QUASAR_REG_POWER_STATUS,
                QUASAR_POWER_STATUS_STATE | QUASAR_POWER_STATUS_BUSY, state);
}

/* Pops the whole firmware log into a NUL-terminated string. */
static char *qt_fwlog_read(QT *t)
{
    uint32_t avail = rd(t, QUASAR_REG_FWLOG_STATUS) & QUASAR_FWLOG_STATUS_BYTES;
    char *text = g_malloc0(avail + 1);
    uint32_t i;

    g_assert_cmpuint(avail, <=, QUASAR_FWLOG_SIZE);
    for (i = 0; i < avail; i += 4) {
        uint32_t word = rd(t, QUASAR_REG_FWLOG_DATA), k;

        for (k = 0; k < 4 && i + k < avail; k++) {
            text[i + k] = word >> (8 * k);
        }
    }
    return text;
}

static void test_power_d3_loses_state_and_d0_boots_again(void)
{
    QT *t = qt_start();

    g_assert_cmphex(rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D0);
    qt_boot_good(t);
    wr(t, QUASAR_REG_SCRATCH, 0x1234);
    wr(t, QUASAR_REG_CTX(3, QUASAR_CTX_ROOT_LO), 0x10000);
    wr(t, QUASAR_REG_CTX(3, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_ERROR);

    qt_power_set(t, QUASAR_POWER_D3);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_ADDR_LO), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_SIZE), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(3, QUASAR_CTX_ROOT_LO)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(3, QUASAR_CTX_CTRL)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_MASK), ==, 0);

    qt_power_set(t, QUASAR_POWER_D0);
    qt_boot_good(t);
    qt_stop(t);
}

static void test_power_d3_refuses_writes_and_doorbells(void)
{
    QT *t = qt_start();

    qt_power_set(t, QUASAR_POWER_D3);
    wr(t, QUASAR_REG_SCRATCH, 0x5a5a5a5a);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0);
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE), 4);
    wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL), 1);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_SIZE)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);
    wr(t, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    /* Still D3: none of that woke it. */
    g_assert_cmphex(rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D3);

    qt_power_set(t, QUASAR_POWER_D0);
    wr(t, QUASAR_REG_SCRATCH, 0x5a5a5a5a);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0x5a5a5a5a);
    qt_stop(t);
}

static void test_power_ctrl_rejects_other_states(void)
{
    QT *t = qt_start();

    wr(t, QUASAR_REG_POWER_CTRL, 2);
    wr(t, QUASAR_REG_POWER_CTRL, 0xffffffff);
    g_assert_cmphex(rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D0);
    wr(t, QUASAR_REG_POWER_STATUS, QUASAR_POWER_D3);
    g_assert_cmphex(rd(t, QUASAR_REG_POWER_STATUS), ==, QUASAR_POWER_D0);
    qt_boot_good(t);
    qt_stop(t);
}

static void test_fwlog_has_boot_line_and_survives_d3(void)
{
    QT *t = qt_start();
    g_autofree char *first = NULL, *after = NULL;

    g_assert_cmphex(rd(t, QUASAR_REG_FWLOG_STATUS), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_FWLOG_DATA), ==, 0);
    qt_boot_good(t);
    first = qt_fwlog_read(t);
    g_assert_nonnull(strstr(first, "quasar-boot: fw: ready"));
    g_assert_true(g_str_has_suffix(first, "\n"));
    g_assert_cmphex(rd(t, QUASAR_REG_FWLOG_STATUS), ==, 0);

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
    status = rd(t, QUASAR_REG_FWLOG_STATUS);
    g_assert_cmpuint(status >> QUASAR_FWLOG_STATUS_DROPPED_SHIFT, >, 0);
    text = qt_fwlog_read(t);
    g_assert_true(g_str_has_prefix(text, "quasar-boot: fw: ready"));
    qt_stop(t);
}

/* ---------------------------------------------------------------------- */
/* Reset and unplug                                                        */
/* ---------------------------------------------------------------------- */

static void test_soft_reset_returns_device_to_initial_state(void)
{
    QT *t = qt_start_jobs(true);
    uint32_t len;

    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    len = qt_cmd_fill(t, 0, QT_VA_A, 16, 0x77777777);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);

    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(rd(t, QUASAR_REG_FW_BUILD_ID), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_TAIL)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_MASK), ==, 0);

    /* And it works again after a new boot. */
    qt_boot_good(t);
    wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
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
    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    /* The job in progress ended normally; the queued ones were dropped. */
    qt_expect_cpl(t, 0, 0, DRM_QUASAR_STATUS_OK,
                  QT_PAGE / sizeof(struct drm_quasar_cmd_copy), 0);
    qt_expect_last_job_not_run(t);
    qt_stop(t);
}

static void test_system_reset_clears_registers(void)
{
    QT *t = qt_start_jobs(true);

    wr(t, QUASAR_REG_SCRATCH, 0x12345678);
    qt_submit_long_jobs(t);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    /* Config space was reset too: map the BAR again. */
    g_free(t->dev);
    qt_map_device(t);
    g_assert_cmphex(rd(t, QUASAR_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_OFF);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_LO)), ==, 0);
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
    g_assert_cmphex(rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qt_boot_good(t);
    qt_stop(t);
}

/* ---------------------------------------------------------------------- */
/* Debug and health block: fault injection and progress (spec section 11)  */
/* ---------------------------------------------------------------------- */

static void qt_arm(QT *t, uint32_t faults)
{
    wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR | faults);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==, faults);
}

static void test_dbg_registers_reset_values_arm_and_clear(void)
{
    QT *t = qt_start();

    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_QUEUES), ==, 0xf);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_FAULT_VA_LO), ==,
                    (uint32_t)QUASAR_VA_START);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_FAULT_VA_HI), ==,
                    QUASAR_VA_START >> 32);
    wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_HANG);
    wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_LOST_IRQ | 0x40);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_LOST_IRQ);
    wr(t, QUASAR_REG_DBG_QUEUES, 0xff);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_QUEUES), ==, 0xf);
    /* A soft reset leaves the block alone. */
    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_LOST_IRQ);
    wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    wr(t, QUASAR_REG_Q_PROGRESS(0), 5);
    g_assert_cmpuint(rd(t, QUASAR_REG_Q_PROGRESS(0)), ==, 0);
    qt_stop(t);
}

/*
 * DBG_HOLD (spec 11) reads back its one bit; D3 keeps it, a soft reset
 * clears it. DBG_GRANTS is read-only.
 */
static void test_dbg_hold_registers(void)
{
    QT *t = qt_start();

    g_assert_cmphex(rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_DBG_GRANTS), ==, 0);
    wr(t, QUASAR_REG_DBG_HOLD, 0xff);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_HOLD), ==, QUASAR_DBG_HOLD_ENGINES);
    wr(t, QUASAR_REG_DBG_GRANTS, 9);
    g_assert_cmpuint(rd(t, QUASAR_REG_DBG_GRANTS), ==, 0);
    /* D3 and back keep it, as they keep the rest of the block... */
    qt_power_set(t, QUASAR_POWER_D3);
    qt_power_set(t, QUASAR_POWER_D0);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_HOLD), ==, QUASAR_DBG_HOLD_ENGINES);
    /* ... and a soft reset, which drops every queued job, clears it. */
    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
    wr(t, QUASAR_REG_DBG_HOLD, QUASAR_DBG_HOLD_ENGINES);
    wr(t, QUASAR_REG_DBG_HOLD, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_HOLD), ==, 0);
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
    g_assert_cmpuint(rd(t, QUASAR_REG_Q_PROGRESS(0)), >=, 2 + QT_DATA_PAGES);
    g_assert_cmpuint(rd(t, QUASAR_REG_Q_PROGRESS(1)), ==, 0);
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
    progress = rd(t, QUASAR_REG_Q_PROGRESS(0));
    g_usleep(100 * 1000);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    g_assert_cmpuint(rd(t, QUASAR_REG_Q_PROGRESS(0)), ==, progress);
    g_assert_cmphex(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS)) &
                    QUASAR_Q_STATUS_BUSY, ==, QUASAR_Q_STATUS_BUSY);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==, 0);
    qt_expect_words(t, t->a_pa, 64, 0);
    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    qt_expect_cpl(t, 0, 0, 0, 0, 0);
    qt_stop(t);
}

static void test_dbg_mmu_fault_reports_the_chosen_address(void)
{
    QT *t = qt_start_jobs(true);
    uint64_t va = QUASAR_VA_START + 0x123000;
    uint32_t len;

    wr64(t, QUASAR_REG_DBG_FAULT_VA_LO, QUASAR_REG_DBG_FAULT_VA_HI, va);
    qt_arm(t, QUASAR_DBG_MMU_FAULT);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x12345678);
    qt_submit(t, QT_VA_CMD, len, 0, 3);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 3, DRM_QUASAR_STATUS_MMU_FAULT, 0, va);
    g_assert_cmphex(rd(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_ADDR_LO)), ==,
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

    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_ERROR);
    qt_arm(t, QUASAR_DBG_FW_CRASH);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 0x12345678);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_reg(t, QUASAR_REG_FW_STATUS, ~0u, QUASAR_FW_STATE_CRASHED);
    g_assert_cmpuint(rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_CRASH);
    qt_wait_reg(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_ERROR, QUASAR_IRQ_ERROR);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    g_usleep(50 * 1000);
    g_assert_cmpuint(rd(t, QUASAR_REG_QUEUE(0, QUASAR_Q_HEAD)), ==, 0);
    qt_expect_words(t, t->a_pa, 64, 0);
    /* Reset and boot again: the device works. */
    wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    qt_boot_good(t);
    wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
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

    wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_QUEUE(0));
    qt_arm(t, QUASAR_DBG_LOST_IRQ);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 7);
    qt_submit(t, QT_VA_CMD, len, 0, 1);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 1, DRM_QUASAR_STATUS_OK, 1, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_QUEUE(0), ==, 0);
    qt_submit(t, QT_VA_CMD, len, 0, 2);
    qt_wait_head(t, 0, 2);
    g_assert_cmphex(rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_QUEUE(0), ==,
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

    wr(t, QUASAR_REG_DBG_QUEUES, 0x2);
    qt_arm(t, QUASAR_DBG_CORRUPT_CPL);
    len = qt_cmd_fill(t, 0, QT_VA_A, 64, 9);
    qt_submit(t, QT_VA_CMD, len, 0, 5);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, 5, DRM_QUASAR_STATUS_OK, 1, 0);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==, QUASAR_DBG_CORRUPT_CPL);
    g_assert_cmpuint(rd(t, QUASAR_REG_DBG_FIRED), ==, 0);
    qt_stop(t);
}

static void test_dbg_properties_arm_faults_at_power_on(void)
{
    QT *t = g_new0(QT, 1);

    t->qs = qtest_pc_boot("-M q35 -device quasar,id=npu0,addr=%02x.0,"
                          "fault-hang=on,fault-corrupt-cpl=on,"
                          "fault-queues=4,fault-va=0x200000000", QT_SLOT);
    t->qts = t->qs->qts;
    qt_map_device(t);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_CORRUPT_CPL);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_QUEUES), ==, 0x4);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_FAULT_VA_HI), ==, 2);
    /* Disarmed by hand, armed again by a system reset. */
    wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR);
    qtest_qmp_assert_success(t->qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(t->qts, "RESET");
    g_free(t->dev);
    qt_map_device(t);
    g_assert_cmphex(rd(t, QUASAR_REG_DBG_INJECT), ==,
                    QUASAR_DBG_HANG | QUASAR_DBG_CORRUPT_CPL);
    qt_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/quasar/pci/ids_class_and_caps",
                   test_pci_ids_class_and_caps);
    qtest_add_func("/quasar/regs/identify_the_device",
                   test_regs_identify_the_device);
    qtest_add_func("/quasar/regs/scratch_reads_back_and_id_is_read_only",
                   test_scratch_reads_back_and_id_is_read_only);
    qtest_add_func("/quasar/regs/bad_accesses_read_zero_and_are_ignored",
                   test_bad_accesses_read_zero_and_are_ignored);
    qtest_add_func("/quasar/regs/irq_status_is_write_one_to_clear",
                   test_irq_status_is_write_one_to_clear);
    qtest_add_func("/quasar/regs/intx_follows_status_and_mask_without_msix",
                   test_intx_follows_status_and_mask_without_msix);

    qtest_add_func("/quasar/boot/good_image_reports_ready_and_identity",
                   test_boot_good_image_reports_ready_and_its_identity);
    qtest_add_func("/quasar/boot/rejects_bad_magic",
                   test_boot_rejects_bad_magic);
    qtest_add_func("/quasar/boot/rejects_other_abi_major",
                   test_boot_rejects_other_abi_major);
    qtest_add_func("/quasar/boot/rejects_newer_abi_minor",
                   test_boot_rejects_newer_abi_minor);
    qtest_add_func("/quasar/boot/rejects_bad_header_size",
                   test_boot_rejects_bad_header_size);
    qtest_add_func("/quasar/boot/rejects_nonzero_flags",
                   test_boot_rejects_nonzero_flags);
    qtest_add_func("/quasar/boot/rejects_wrong_crc_field",
                   test_boot_rejects_wrong_crc_field);
    qtest_add_func("/quasar/boot/rejects_corrupted_payload",
                   test_boot_rejects_corrupted_payload);
    qtest_add_func("/quasar/boot/rejects_other_build_id",
                   test_boot_rejects_other_build_id);
    qtest_add_func("/quasar/boot/rejects_unknown_section_type",
                   test_boot_rejects_unknown_section_type);
    qtest_add_func("/quasar/boot/rejects_caps_the_rom_lacks",
                   test_boot_rejects_caps_the_rom_lacks);
    qtest_add_func("/quasar/boot/rejects_image_size_not_fw_size",
                   test_boot_rejects_image_size_not_fw_size);
    qtest_add_func("/quasar/boot/rejects_fw_size_out_of_bounds",
                   test_boot_rejects_fw_size_out_of_bounds);
    qtest_add_func("/quasar/boot/from_unbacked_address_is_dma_error",
                   test_boot_from_unbacked_address_is_dma_error);
    qtest_add_func("/quasar/boot/from_mmio_is_dma_error",
                   test_boot_from_mmio_is_dma_error);
    qtest_add_func("/quasar/boot/without_bus_master_is_dma_error",
                   test_boot_without_bus_master_is_dma_error);
    qtest_add_func("/quasar/boot/while_ready_is_state_error",
                   test_boot_while_ready_is_state_error);
    qtest_add_func("/quasar/boot/completion_signals_msix_vector_0",
                   test_boot_completion_signals_msix_vector_0);
    qtest_add_func("/quasar/boot/cause_raised_under_intx_is_messaged_after_msix_enable",
                   test_cause_raised_under_intx_is_messaged_after_msix_enable);

    qtest_add_func("/quasar/queue/fill_and_copy_write_memory_and_completion",
                   test_queue_fill_and_copy_write_memory_and_completion);
    qtest_add_func("/quasar/sched/registers", test_sched_registers);
    qtest_add_func("/quasar/sched/high_priority_waiter_gets_the_freed_engine",
                   test_sched_high_priority_waiter_gets_the_freed_engine);
    qtest_add_func("/quasar/sched/hold_then_release_grants_by_priority",
                   test_sched_hold_then_release_grants_by_priority);
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

    qtest_add_func("/quasar/regs/random_register_writes_leave_device_usable",
                   test_random_register_writes_leave_device_usable);
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

    qtest_add_func("/quasar/dbg/registers_reset_values_arm_and_clear",
                   test_dbg_registers_reset_values_arm_and_clear);
    qtest_add_func("/quasar/dbg/hold_registers", test_dbg_hold_registers);
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
    qtest_add_func("/quasar/dbg/properties_arm_faults_at_power_on",
                   test_dbg_properties_arm_faults_at_power_on);

    return g_test_run();
}
