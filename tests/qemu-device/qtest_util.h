/* SPDX-License-Identifier: MIT */
/*
 * What the Quasar device's qtests share (qtest_util.c): the machine with
 * the device, register access, polls with a deadline, firmware images and
 * boot, and the queue-test environment (page tables, a hardware queue,
 * command streams, completions). Each qtest_<section>_test.c includes it
 * after "qemu/osdep.h".
 *
 * Built inside QEMU's tree: scripts/build-qemu.sh copies this file to
 * tests/qtest/quasar-qtest-util.h and qtest_util.c to quasar-qtest-util.c,
 * and links the latter into every quasar-*-test.
 */
#ifndef QUASAR_QTEST_UTIL_H
#define QUASAR_QTEST_UTIL_H

#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci-pc.h"
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
    /* deadline of every poll; QT_TIMEOUT_US unless a test sets another */
    gint64 timeout_us;
    /* queue-test environment */
    uint64_t root;
    uint64_t cmd_pa;
    uint64_t a_pa;
    uint64_t b_pa;
    uint64_t ring;
    uint64_t cpl;
    uint32_t tail;
} QT;

/* Machine and register access */
void qt_map_device(QT *t);
QT *qt_start_with(const char *machine, const char *props);
QT *qt_start_on(const char *machine);
QT *qt_start(void);
void qt_stop(QT *t);
uint32_t qt_rd(QT *t, uint32_t off);
void qt_wr(QT *t, uint32_t off, uint32_t val);
void qt_wr64(QT *t, uint32_t lo, uint32_t hi, uint64_t val);
/* The device state that explains a stall, as test messages. */
void qt_dump_regs(QT *t);
void qt_wait_reg(QT *t, uint32_t off, uint32_t mask, uint32_t want);
void qt_wait_msix_pending(QT *t, uint16_t vector);
uint64_t qt_alloc_pages(QT *t, unsigned int pages);
bool qt_intx_raised(QT *t);

/* Firmware images and boot */
uint8_t *qt_good_image(size_t *len);
void qt_image_fix_crc(uint8_t *img, size_t len);
uint32_t qt_boot_at(QT *t, uint64_t pa, uint32_t fw_size);
uint32_t qt_boot_image(QT *t, const uint8_t *img, size_t len,
                       uint32_t fw_size);
void qt_boot_good(QT *t);

/* Queues: page tables, rings and jobs */
void qt_map(QT *t, uint64_t va, uint64_t pa, unsigned int pages, bool write);
void qt_queue_enable(QT *t, unsigned int q, uint32_t size);
void qt_setup_jobs(QT *t);
QT *qt_start_jobs_with(const char *machine, const char *props, bool boot);
QT *qt_start_jobs_on(const char *machine, bool boot);
QT *qt_start_jobs(bool boot);
uint32_t qt_cmd_fill(QT *t, uint32_t off, uint64_t dst, uint32_t size,
                     uint32_t value);
uint32_t qt_cmd_copy(QT *t, uint32_t off, uint64_t dst, uint64_t src,
                     uint64_t size);
void qt_submit_desc(QT *t, unsigned int q, const struct quasar_hw_desc *d);
void qt_submit(QT *t, uint64_t cmd_va, uint32_t cmd_size, uint16_t slot,
               uint64_t seqno);
void qt_read_cpl(QT *t, uint32_t index, struct quasar_hw_cpl *c);
void qt_expect_cpl(QT *t, uint32_t index, uint64_t seqno, uint32_t status,
                   uint32_t cmd_index, uint64_t fault_addr);
void qt_wait_head(QT *t, unsigned int q, uint32_t head);
void qt_expect_words(QT *t, uint64_t pa, size_t bytes, uint32_t want);
void qt_submit_long_jobs(QT *t);

/* Power state */
void qt_power_set(QT *t, uint32_t state);

#endif /* QUASAR_QTEST_UTIL_H */
