/* SPDX-License-Identifier: MIT */
/*
 * qtests of the Quasar device's firmware boot (docs/hw-spec.md): the good
 * image reports READY and its identity; bad images are made from the good
 * one, one field at a time, with the CRC recomputed unless the CRC is what
 * is being broken, so each must fail with exactly its FW_ERROR code; DMA and
 * state errors; the boot's interrupt.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_regs.h"
#include "qemu/bswap.h"
#include "qtest_util.h"

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
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, want);
    /* Nothing of a rejected image is reported. */
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_BUILD_ID), ==, 0);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_CAPS), ==, 0);
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
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_OK);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_VERSION), ==,
                    (uint32_t)ldl_le_p(img + QT_HDR(fw_version)));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_BUILD_ID), ==,
                    (uint32_t)ldl_le_p(img + QT_HDR(build_id)));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_ABI), ==,
                    (lduw_le_p(img + QT_HDR(abi_major)) << 16) |
                    lduw_le_p(img + QT_HDR(abi_minor)));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_CAPS), ==,
                    (uint32_t)ldl_le_p(img + caps_off +
                             offsetof(struct quasar_fw_caps, caps)));
    /* Every queue has a compute engine: the image's masks stand as they are. */
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_OPS), ==,
                    (uint32_t)ldl_le_p(img + caps_off +
                             offsetof(struct quasar_fw_caps, ops)));
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_FORMATS), ==,
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
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_SIZE);
    qt_wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmpuint(qt_boot_at(t, pa, QUASAR_FW_MAX_SIZE + 1), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_SIZE);
    qt_wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmpuint(qt_boot_at(t, pa, 0xffffffff), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_SIZE);
    /* ERROR is not a dead end: the good image still boots. */
    qt_wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    g_assert_cmpuint(qt_boot_at(t, pa, len), ==, QUASAR_FW_STATE_READY);
    qt_stop(t);
}

static void test_boot_from_unbacked_address_is_dma_error(void)
{
    QT *t = qt_start();

    /* Far above RAM: nothing answers there. */
    g_assert_cmpuint(qt_boot_at(t, 0x7f0000000000ull, 4096), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_DMA);
    qt_stop(t);
}

static void test_boot_from_mmio_is_dma_error(void)
{
    QT *t = qt_start();

    /* The device's own registers: DMA may only target RAM. */
    g_assert_false(t->bar.is_io);
    g_assert_cmpuint(qt_boot_at(t, t->bar.addr, 4096), ==,
                     QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_DMA);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
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
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_DMA);
    qt_stop(t);
}

static void test_boot_while_ready_is_state_error(void)
{
    QT *t = qt_start();
    size_t len;
    g_autofree uint8_t *img = qt_good_image(&len);

    g_assert_cmpuint(qt_boot_image(t, img, len, len), ==,
                     QUASAR_FW_STATE_READY);
    qt_wr(t, QUASAR_REG_IRQ_STATUS, QUASAR_IRQ_FW_BOOT);
    qt_wr(t, QUASAR_REG_FW_BOOT, QUASAR_FW_BOOT_GO);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_STATUS), ==, QUASAR_FW_STATE_ERROR);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_FW_ERROR), ==, QUASAR_FW_ERR_STATE);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_IRQ_STATUS) & QUASAR_IRQ_FW_BOOT, ==,
                    QUASAR_IRQ_FW_BOOT);
    g_assert_cmphex(qt_rd(t, QUASAR_REG_FW_CAPS), ==, 0);
    qt_stop(t);
}

static void test_boot_completion_signals_msix_vector_0(void)
{
    QT *t = qt_start();

    qpci_msix_enable(t->dev);
    g_assert_true(qpci_msix_masked(t->dev, QUASAR_MSIX_DEVICE));
    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
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
    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
    g_assert_true(qt_intx_raised(t));
    qpci_msix_enable(t->dev);
    g_assert_false(qpci_msix_pending(t->dev, QUASAR_MSIX_DEVICE));
    /* The next register write lets the device notice the change. */
    qt_wr(t, QUASAR_REG_IRQ_MASK, QUASAR_IRQ_FW_BOOT);
    qt_wait_msix_pending(t, QUASAR_MSIX_DEVICE);
    g_assert_false(qt_intx_raised(t));
    qpci_msix_disable(t->dev);
    qt_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

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

    return g_test_run();
}
