/* SPDX-License-Identifier: MIT */
/*
 * Ring fuzzing of the Quasar device (docs/fuzzing.md): a malicious guest
 * that drives the hardware queues directly, bypassing the driver. Each
 * batch programs one or two hardware queues with random rings (sizes,
 * addresses), random descriptors (command addresses and sizes, flags,
 * context slots, statistics addresses, reserved words), context slots
 * whose page tables are valid, mutated or pure noise, and command streams
 * that are valid ISA commands (every opcode), mutated ones or noise; then
 * doorbells, sometimes past the ring, sometimes with a descriptor, a
 * stream or a page table rewritten while the jobs run, sometimes a soft
 * reset, a hardware queue disabled under its jobs or a fault injected.
 *
 * After every batch the device must still work without a reset: the
 * fuzzed hardware queues are disabled (which abandons what runs), and a
 * FILL job on a clean context and hardware queue must complete OK with
 * every byte of its page as expected. Every completion record a fuzzed
 * job wrote must carry a status the ISA defines. QEMU must not die: every
 * access is a round trip to it, and libqtest fails the test when QEMU
 * exits on a signal (a sanitizer report with abort_on_error=1 included).
 *
 * QUASAR_QTEST_SEED=<n> (default 0x5eed2025) and QUASAR_QTEST_ITERS=<n>
 * (batches, default 200) choose the run; every batch draws from its own
 * generator, seeded with (seed, batch), so QUASAR_QTEST_FIRST=<batch>
 * starts a run at the batch that failed (the device then starts from a
 * fresh machine rather than from the batches before it).
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qtest_util.h"

#define QR_DEFAULT_SEED  0x5eed2025u
#define QR_DEFAULT_ITERS 200
#define QR_TIMEOUT_US    (20 * G_USEC_PER_SEC)
/* How long a batch's jobs may run before their queues are disabled. */
#define QR_SETTLE_US     (2 * G_USEC_PER_SEC)

#define QR_POOL_PAGES    32        /* random bytes: noise tables, rings */
#define QR_CMD_PAGES     4
#define QR_DATA_PAGES    16
#define QR_RING_MAX      64        /* largest valid ring a batch makes */

/* The fuzzed context's device VAs: one level-0 table covers them all. */
#define QR_VA_CMD        (QUASAR_VA_START)
#define QR_VA_DATA       (QUASAR_VA_START + 0x10000)
#define QR_VA_RO         (QUASAR_VA_START + 0x30000)
#define QR_VA_IDS        (QUASAR_VA_START + 0x38000)
#define QR_VA_UNMAPPED   (QUASAR_VA_START + 0x40000)
#define QR_DATA_BYTES    (QR_DATA_PAGES * QT_PAGE)
#define QR_CMD_BYTES     (QR_CMD_PAGES * QT_PAGE)

#define QR_F32_ONE       0x3f800000u

typedef struct QR {
    QT *t;                  /* the machine; context 0 and queue 0: checks */
    GRand *rng;             /* this batch's generator */
    guint32 seed;
    unsigned int batch;
    /* the fuzzed address space: tables, commands, data */
    uint64_t root, l1, l0;
    uint64_t cmd_pa, data_pa;
    uint64_t ids_pa;        /* read-only page of GATHER ids */
    uint32_t ids_used;      /* bytes of it handed out in this batch */
    bool cmd_bad;           /* the command just built is meant to fail */
    uint64_t ring_pa, cpl_pa, stats_pa;
    uint64_t pool;
    /* context slots of this batch */
    uint16_t slot_sane, slot_mutated, slot_noise, slot_invalid;
    unsigned int checks;    /* known-good jobs run */
    unsigned int cpls;      /* fuzzed completion records checked */
    /* how the fuzzed jobs ended: the fuzzer's reach, printed at the end */
    unsigned int status_seen[DRM_QUASAR_STATUS_TOO_LARGE + 1];
} QR;

static QR *qr_current;

/* A failed assertion or a dead QEMU aborts: say how to replay the batch. */
static void qr_abort_hook(void *opaque)
{
    QR *r = qr_current;

    if (r) {
        fprintf(stderr, "ring fuzz: failed in batch %u of seed 0x%x; replay with "
                "QUASAR_QTEST_SEED=0x%x QUASAR_QTEST_FIRST=%u "
                "tests/qemu-device/run-qtests.sh -p /x86_64/quasar/ring_fuzz\n",
                r->batch, r->seed, r->seed, r->batch);
    }
}

static uint32_t qr_u32(QR *r)
{
    return g_rand_int(r->rng);
}

static uint64_t qr_u64(QR *r)
{
    return ((uint64_t)qr_u32(r) << 32) | qr_u32(r);
}

static uint32_t qr_below(QR *r, uint32_t n)
{
    return g_rand_int_range(r->rng, 0, n);
}

/* True once in @n draws. */
static bool qr_one_in(QR *r, uint32_t n)
{
    return qr_below(r, n) == 0;
}

static void qr_scribble(QR *r, uint64_t pa, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = qr_u32(r);
    }
    qtest_memwrite(r->t->qts, pa, buf, len);
}

/* ---------------------------------------------------------------------- */
/* Values a mutation puts where a size, a count or an address was         */
/* ---------------------------------------------------------------------- */

static uint32_t qr_edge_u32(QR *r)
{
    static const uint32_t edges[] = {
        0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128,
        255, 256, 4095, 4096, 4097, 65535, 65536, 65537, 0x7fffffffu,
        0x80000000u, 0xfffffff8u, 0xfffffffeu, 0xffffffffu,
    };

    return qr_one_in(r, 4) ? qr_u32(r) : edges[qr_below(r, G_N_ELEMENTS(edges))];
}

static uint64_t qr_edge_va(QR *r)
{
    static const uint64_t edges[] = {
        0, 8, QR_VA_CMD, QR_VA_CMD - 8, QR_VA_DATA, QR_VA_DATA + QR_DATA_BYTES - 8,
        QR_VA_DATA + QR_DATA_BYTES, QR_VA_DATA + QR_DATA_BYTES - 1, QR_VA_RO,
        QR_VA_RO + QT_PAGE - 4, QR_VA_UNMAPPED, (1ull << 39) - 8, 1ull << 39,
        ~0ull - 7, ~0ull, 1ull << 63,
    };

    switch (qr_below(r, 4)) {
    case 0:
        return qr_u64(r);
    case 1:
        return QR_VA_DATA + qr_below(r, QR_DATA_BYTES + 64);
    default:
        return edges[qr_below(r, G_N_ELEMENTS(edges))];
    }
}

/* A DMA (physical) address for rings and statistics: sane or not. */
static uint64_t qr_edge_pa(QR *r, uint64_t sane)
{
    switch (qr_below(r, 6)) {
    case 0:
        return qr_u64(r);
    case 1:
        return 0xfee00000ull + 8 * qr_below(r, 512);      /* MSI window */
    case 2:
        return (1ull << 40) + 8 * qr_below(r, 1u << 17);   /* beyond RAM */
    case 3:
        return r->pool + qr_below(r, QR_POOL_PAGES * QT_PAGE);
    case 4:
        return sane + 1 + qr_below(r, 63);                 /* misaligned */
    default:
        return r->pool + 64 * qr_below(r, QR_POOL_PAGES * QT_PAGE / 64);
    }
}

/* ---------------------------------------------------------------------- */
/* Valid commands of every opcode, on the fuzzed context's data pages     */
/* ---------------------------------------------------------------------- */

/* A data VA with @bytes behind it, aligned to 64. */
static uint64_t qr_data_va(QR *r, uint64_t bytes)
{
    uint64_t room = QR_DATA_BYTES - MIN(bytes, QR_DATA_BYTES);

    return QR_VA_DATA + 64 * qr_below(r, room / 64 + 1);
}

static void qr_tensor(struct drm_quasar_tensor *t, uint64_t addr, uint32_t d0,
                      uint32_t d1, uint32_t d2, uint32_t d3, uint32_t format)
{
    t->addr = cpu_to_le64(addr);
    t->dims[0] = cpu_to_le32(d0);
    t->dims[1] = cpu_to_le32(d1);
    t->dims[2] = cpu_to_le32(d2);
    t->dims[3] = cpu_to_le32(d3);
    t->strides[3] = cpu_to_le32(1);
    t->strides[2] = cpu_to_le32(d3);
    t->strides[1] = cpu_to_le32(d2 * d3);
    t->strides[0] = cpu_to_le32(d1 * d2 * d3);
    t->format = cpu_to_le32(format);
    t->flags = 0;
}

/* A plain tensor of @rows x @cols elements of @esize bytes somewhere. */
static void qr_plain(QR *r, struct drm_quasar_tensor *t, uint32_t rows,
                     uint32_t cols, uint32_t esize, uint32_t format)
{
    qr_tensor(t, qr_data_va(r, (uint64_t)rows * cols * esize), 1, 1, rows,
              cols, format);
}

/*
 * Packed W_BF16 weights {1, 1, n, k}: panels of 16 rows stored in full, K
 * padded to a multiple of 32 (docs/numerics.md section 7).
 */
static void qr_wbf16(QR *r, struct drm_quasar_tensor *t, uint32_t n, uint32_t k)
{
    uint64_t bytes = (uint64_t)((n + 15) / 16) * 16 * ((k + 31) / 32 * 32) * 2;

    qr_tensor(t, qr_data_va(r, bytes), 1, 1, n, k, DRM_QUASAR_FORMAT_W_BF16);
    memset(t->strides, 0, sizeof(t->strides));
}

static void qr_hdr(void *cmd, uint16_t opcode, uint16_t length)
{
    struct drm_quasar_cmd_header *h = cmd;

    h->opcode = cpu_to_le16(opcode);
    h->length = cpu_to_le16(length);
    h->flags = 0;
}

/* Small extents, so that a valid command runs in a moment. */
static uint32_t qr_dim(QR *r)
{
    return 1 + qr_below(r, 24);
}

/*
 * One valid command of a random opcode into @buf (room for 256 bytes);
 * returns its length. Operand contents are the data pages' random bytes:
 * NaNs and infinities included.
 */
static uint32_t qr_valid_cmd(QR *r, uint8_t *buf)
{
    uint32_t m = qr_dim(r), k = qr_dim(r), n = qr_dim(r);

    memset(buf, 0, 256);
    switch (qr_below(r, DRM_QUASAR_OP_MATMUL + 1)) {
    case DRM_QUASAR_OP_NOP:
        qr_hdr(buf, DRM_QUASAR_OP_NOP, 8);
        return 8;
    case DRM_QUASAR_OP_BARRIER:
        qr_hdr(buf, DRM_QUASAR_OP_BARRIER, 8);
        return 8;
    case DRM_QUASAR_OP_ISA_VERSION: {
        struct drm_quasar_cmd_isa_version *c = (void *)buf;

        qr_hdr(c, DRM_QUASAR_OP_ISA_VERSION, sizeof(*c));
        c->version = cpu_to_le32(qr_below(r, DRM_QUASAR_ISA_VERSION + 1));
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_FILL: {
        struct drm_quasar_cmd_fill *c = (void *)buf;
        uint32_t size = 4 * (1 + qr_below(r, 2048));

        qr_hdr(c, DRM_QUASAR_OP_FILL, sizeof(*c));
        c->dst = cpu_to_le64(qr_data_va(r, size + 64) + 4 * qr_below(r, 16));
        c->size = cpu_to_le32(size);
        c->value = cpu_to_le32(qr_u32(r));
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_COPY: {
        struct drm_quasar_cmd_copy *c = (void *)buf;
        uint64_t size = 1 + qr_below(r, QR_DATA_BYTES / 2 - 64);

        /* Source in one half, destination in the other: no overlap. */
        qr_hdr(c, DRM_QUASAR_OP_COPY, sizeof(*c));
        c->src = cpu_to_le64(QR_VA_DATA + qr_below(r, QR_DATA_BYTES / 2 - size));
        c->dst = cpu_to_le64(QR_VA_DATA + QR_DATA_BYTES / 2 +
                             qr_below(r, QR_DATA_BYTES / 2 - size));
        c->size = cpu_to_le64(size);
        if (qr_one_in(r, 2)) {
            uint64_t t = c->src;

            c->src = c->dst;
            c->dst = t;
        }
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_WRITE_VALUE: {
        struct drm_quasar_cmd_write_value *c = (void *)buf;

        qr_hdr(c, DRM_QUASAR_OP_WRITE_VALUE, sizeof(*c));
        c->addr = cpu_to_le64(QR_VA_DATA + 8 * qr_below(r, QR_DATA_BYTES / 8));
        c->value = cpu_to_le64(qr_u64(r));
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_GEMM: {
        struct drm_quasar_cmd_gemm *c = (void *)buf;

        qr_hdr(c, DRM_QUASAR_OP_GEMM, sizeof(*c));
        qr_plain(r, &c->x, m, k, 2, DRM_QUASAR_FORMAT_BF16);
        qr_wbf16(r, &c->w, n, k);
        if (qr_one_in(r, 2)) {
            qr_plain(r, &c->y, m, n, 4, DRM_QUASAR_FORMAT_FP32);
        } else {
            qr_plain(r, &c->y, m, n, 2, DRM_QUASAR_FORMAT_BF16);
        }
        c->bias = cpu_to_le64(qr_one_in(r, 2) ? 0 : qr_data_va(r, 4 * n));
        c->alpha = cpu_to_le32(QR_F32_ONE);
        c->act = cpu_to_le32(qr_below(r, DRM_QUASAR_ACT_SILU + 1));
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_RMSNORM:
    case DRM_QUASAR_OP_LAYERNORM: {
        struct drm_quasar_cmd_norm *c = (void *)buf;
        bool layer = qr_one_in(r, 2);

        qr_hdr(c, layer ? DRM_QUASAR_OP_LAYERNORM : DRM_QUASAR_OP_RMSNORM,
               sizeof(*c));
        qr_plain(r, &c->x, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        qr_plain(r, &c->y, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        c->gain = cpu_to_le64(qr_data_va(r, 4 * k));
        c->bias = cpu_to_le64(layer ? qr_data_va(r, 4 * k) : 0);
        c->eps = cpu_to_le32(0x3727c5acu);                 /* 1e-5 */
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_SOFTMAX: {
        struct drm_quasar_cmd_softmax_v2 *c = (void *)buf;
        bool v2 = qr_one_in(r, 2);

        qr_hdr(c, DRM_QUASAR_OP_SOFTMAX,
               v2 ? sizeof(*c) : sizeof(struct drm_quasar_cmd_softmax));
        qr_plain(r, &c->x, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        qr_plain(r, &c->y, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        if (v2 && qr_one_in(r, 2)) {
            c->flags = cpu_to_le32(DRM_QUASAR_SOFTMAX_CAUSAL);
            c->causal_offset = cpu_to_le32(qr_below(r, 32));
        }
        return le16_to_cpu(c->hdr.length);
    }
    case DRM_QUASAR_OP_ROPE: {
        struct drm_quasar_cmd_rope *c = (void *)buf;

        k = 2 * k;
        qr_hdr(c, DRM_QUASAR_OP_ROPE, sizeof(*c));
        qr_plain(r, &c->x, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        qr_plain(r, &c->y, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        c->cos = cpu_to_le64(qr_data_va(r, 2 * m * k));
        c->sin = cpu_to_le64(qr_data_va(r, 2 * m * k));
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_ADD:
    case DRM_QUASAR_OP_MUL: {
        struct drm_quasar_cmd_eltwise_v2 *c = (void *)buf;
        bool v2 = qr_one_in(r, 2), row_b = v2 && qr_one_in(r, 2);

        qr_hdr(c, qr_one_in(r, 2) ? DRM_QUASAR_OP_ADD : DRM_QUASAR_OP_MUL,
               v2 ? sizeof(*c) : sizeof(struct drm_quasar_cmd_eltwise));
        qr_plain(r, &c->a, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        qr_plain(r, &c->b, row_b ? 1 : m, k, 4, DRM_QUASAR_FORMAT_FP32);
        qr_plain(r, &c->y, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        c->flags = cpu_to_le32(row_b ? DRM_QUASAR_ELTWISE_ROW_B : 0);
        return le16_to_cpu(c->hdr.length);
    }
    case DRM_QUASAR_OP_GATHER: {
        struct drm_quasar_cmd_gather *c = (void *)buf;
        uint32_t i, ids[24];

        /*
         * Ids below the table's rows, most of the time, on a read-only
         * page of their own so that no other command changes them.
         */
        for (i = 0; i < m; i++) {
            bool bad = qr_one_in(r, 8 * m);

            ids[i] = cpu_to_le32(bad ? n + (qr_u32(r) >> 1) : qr_below(r, n));
            r->cmd_bad |= bad;
        }
        if (r->ids_used + sizeof(ids) > QT_PAGE) {
            r->ids_used = 0;
            r->cmd_bad = true;  /* may overwrite an earlier GATHER's ids */
        }
        qr_hdr(c, DRM_QUASAR_OP_GATHER, sizeof(*c));
        qr_wbf16(r, &c->table, n, k);
        qr_tensor(&c->ids, QR_VA_IDS + r->ids_used, 1, 1, 1, m,
                  DRM_QUASAR_FORMAT_U32);
        qtest_memwrite(r->t->qts, r->ids_pa + r->ids_used, ids, 4 * m);
        r->ids_used += sizeof(ids);
        qr_plain(r, &c->y, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_CONVERT: {
        struct drm_quasar_cmd_convert *c = (void *)buf;

        qr_hdr(c, DRM_QUASAR_OP_CONVERT, sizeof(*c));
        switch (qr_below(r, 3)) {
        case 0:
            qr_plain(r, &c->src, m, k, 4, DRM_QUASAR_FORMAT_FP32);
            qr_plain(r, &c->dst, m, k, 2, DRM_QUASAR_FORMAT_BF16);
            break;
        case 1:
            qr_plain(r, &c->src, m, k, 2, DRM_QUASAR_FORMAT_BF16);
            qr_plain(r, &c->dst, m, k, 4, DRM_QUASAR_FORMAT_FP32);
            break;
        default:
            qr_wbf16(r, &c->src, n, k);
            qr_plain(r, &c->dst, n, k, 4, DRM_QUASAR_FORMAT_FP32);
            break;
        }
        return sizeof(*c);
    }
    case DRM_QUASAR_OP_CONV2D: {
        struct drm_quasar_cmd_conv2d *c = (void *)buf;
        uint32_t h = 1 + qr_below(r, 6), w = 1 + qr_below(r, 6);
        uint32_t cin = 1 + qr_below(r, 8), cout = 1 + qr_below(r, 8);
        uint32_t kh = 1 + qr_below(r, 3), kw = 1 + qr_below(r, 3);
        uint32_t pad = qr_below(r, 2), stride = 1 + qr_below(r, 2);
        uint32_t oh, ow;

        h = MAX(h, kh);
        w = MAX(w, kw);
        oh = (h + 2 * pad - kh) / stride + 1;
        ow = (w + 2 * pad - kw) / stride + 1;
        qr_hdr(c, DRM_QUASAR_OP_CONV2D, sizeof(*c));
        qr_tensor(&c->x, qr_data_va(r, 2 * h * w * cin), 1, h, w, cin,
                  DRM_QUASAR_FORMAT_BF16);
        qr_wbf16(r, &c->w, cout, kh * kw * cin);
        qr_tensor(&c->y, qr_data_va(r, 4 * oh * ow * cout), 1, oh, ow, cout,
                  DRM_QUASAR_FORMAT_FP32);
        c->kh = cpu_to_le32(kh);
        c->kw = cpu_to_le32(kw);
        c->stride = cpu_to_le32(stride);
        c->pad = cpu_to_le32(pad);
        c->alpha = cpu_to_le32(QR_F32_ONE);
        c->act = cpu_to_le32(qr_below(r, DRM_QUASAR_ACT_SILU + 1));
        return sizeof(*c);
    }
    default: {
        struct drm_quasar_cmd_matmul *c = (void *)buf;
        bool trans = qr_one_in(r, 2);

        qr_hdr(c, DRM_QUASAR_OP_MATMUL, sizeof(*c));
        qr_plain(r, &c->a, m, k, 4, DRM_QUASAR_FORMAT_FP32);
        if (trans) {
            qr_plain(r, &c->b, n, k, 4, DRM_QUASAR_FORMAT_FP32);
        } else {
            qr_plain(r, &c->b, k, n, 4, DRM_QUASAR_FORMAT_FP32);
        }
        qr_plain(r, &c->y, m, n, 4, DRM_QUASAR_FORMAT_FP32);
        c->alpha = cpu_to_le32(QR_F32_ONE);
        c->flags = cpu_to_le32((trans ? DRM_QUASAR_MATMUL_TRANS_B : 0) |
                               (qr_one_in(r, 3) ? DRM_QUASAR_MATMUL_CAUSAL : 0));
        if (le32_to_cpu(c->flags) & DRM_QUASAR_MATMUL_CAUSAL) {
            c->causal_offset = cpu_to_le32(qr_below(r, 32));
        }
        return sizeof(*c);
    }
    }
}

/* A few changes to a command: bytes, words, addresses, its header. */
static void qr_mutate(QR *r, uint8_t *cmd, uint32_t len)
{
    unsigned int i, n = 1 + qr_below(r, 4);

    for (i = 0; i < n; i++) {
        switch (qr_below(r, 5)) {
        case 0:
            cmd[qr_below(r, len)] = qr_u32(r);
            break;
        case 1:
            stl_le_p(cmd + 4 * qr_below(r, len / 4), qr_edge_u32(r));
            break;
        case 2:
            if (len >= 16) {
                stq_le_p(cmd + 8 + 8 * qr_below(r, len / 8 - 1), qr_edge_va(r));
            }
            break;
        case 3:
            stw_le_p(cmd + 2, qr_one_in(r, 2) ? 8 * qr_below(r, 40) : qr_u32(r));
            break;
        default:
            stw_le_p(cmd, qr_below(r, DRM_QUASAR_OP_MATMUL + 4));
            break;
        }
    }
}

/*
 * A command stream into @buf (@room bytes, a multiple of 8): valid
 * commands, some of them mutated, or noise. Returns its length; *@cmds is
 * the number of commands when every one of them is valid, else 0.
 */
static uint32_t qr_stream(QR *r, uint8_t *buf, uint32_t room, uint32_t *cmds)
{
    uint8_t cmd[256];
    uint32_t len = 0, n, i, ncmds = 0;
    bool valid = true;

    *cmds = 0;
    if (qr_one_in(r, 8)) {
        len = 8 * (1 + qr_below(r, room / 8));
        for (i = 0; i < len; i++) {
            buf[i] = qr_u32(r);
        }
        return len;
    }
    if (qr_one_in(r, 2) && room >= 16) {
        struct drm_quasar_cmd_isa_version v = {
            .hdr.opcode = cpu_to_le16(DRM_QUASAR_OP_ISA_VERSION),
            .hdr.length = cpu_to_le16(sizeof(v)),
            .version = cpu_to_le32(DRM_QUASAR_ISA_VERSION),
        };

        memcpy(buf, &v, sizeof(v));
        len = sizeof(v);
        ncmds++;
    }
    n = 1 + qr_below(r, 6);
    for (i = 0; i < n; i++) {
        uint32_t clen;

        r->cmd_bad = false;
        clen = qr_valid_cmd(r, cmd);
        if (qr_one_in(r, 3)) {
            qr_mutate(r, cmd, clen);
            r->cmd_bad = true;
        }
        if (len + clen > room) {
            break;
        }
        memcpy(buf + len, cmd, clen);
        len += clen;
        valid &= !r->cmd_bad;
        ncmds++;
    }
    if (len == 0) {
        qr_hdr(buf, DRM_QUASAR_OP_NOP, 8);
        len = 8;
        ncmds = 1;
    }
    *cmds = valid ? ncmds : 0;
    return len;
}

/* ---------------------------------------------------------------------- */
/* The fuzzed address space and its context slots                         */
/* ---------------------------------------------------------------------- */

static uint64_t qr_pte(uint64_t pa, bool write)
{
    return pa | QUASAR_PTE_VALID | (write ? QUASAR_PTE_WRITE : 0);
}

/*
 * Fresh valid tables at root/l1/l0: commands read-only, data writable, one
 * read-only alias of the first data page. Data pages get random bytes.
 */
static void qr_build_tables(QR *r)
{
    QTestState *qts = r->t->qts;
    unsigned int i;

    qtest_memset(qts, r->root, 0, QT_PAGE);
    qtest_memset(qts, r->l1, 0, QT_PAGE);
    qtest_memset(qts, r->l0, 0, QT_PAGE);
    qtest_writeq(qts, r->root + 8 * QUASAR_PT_INDEX(QR_VA_CMD, 2),
                 qr_pte(r->l1, false));
    qtest_writeq(qts, r->l1 + 8 * QUASAR_PT_INDEX(QR_VA_CMD, 1),
                 qr_pte(r->l0, false));
    for (i = 0; i < QR_CMD_PAGES; i++) {
        qtest_writeq(qts, r->l0 + 8 * QUASAR_PT_INDEX(QR_VA_CMD + i * QT_PAGE, 0),
                     qr_pte(r->cmd_pa + i * QT_PAGE, false));
    }
    for (i = 0; i < QR_DATA_PAGES; i++) {
        qtest_writeq(qts, r->l0 + 8 * QUASAR_PT_INDEX(QR_VA_DATA + i * QT_PAGE, 0),
                     qr_pte(r->data_pa + i * QT_PAGE, true));
    }
    qtest_writeq(qts, r->l0 + 8 * QUASAR_PT_INDEX(QR_VA_RO, 0),
                 qr_pte(r->data_pa, false));
    qtest_writeq(qts, r->l0 + 8 * QUASAR_PT_INDEX(QR_VA_IDS, 0),
                 qr_pte(r->ids_pa, false));
    qr_scribble(r, r->data_pa, QR_DATA_BYTES);
}

/* A page-table entry gone wrong: what a mutated table holds. */
static uint64_t qr_bad_pte(QR *r, uint64_t good)
{
    switch (qr_below(r, 7)) {
    case 0:
        return good ^ (1ull << qr_below(r, 64));           /* any one bit */
    case 1:
        return good & ~QUASAR_PTE_VALID;
    case 2:
        return qr_pte((1ull << 40) + (uint64_t)qr_below(r, 1024) * QT_PAGE,
                      true);                               /* beyond RAM */
    case 3:
        return qr_pte(0xfee00000ull, true);                /* MSI window */
    case 4:
        /* the mutated level-0 table itself, or the pool, as a page */
        return qr_pte(qr_one_in(r, 2) ? r->pool + 2 * QT_PAGE : r->pool +
                      (uint64_t)qr_below(r, QR_POOL_PAGES) * QT_PAGE, true);
    case 5:
        return good | QUASAR_PTE_WRITE;                    /* RO made RW */
    default:
        return qr_u64(r);
    }
}

/*
 * A copy of the valid tables in the pool, with some entries gone wrong;
 * returns its root.
 */
static uint64_t qr_mutated_tables(QR *r)
{
    QTestState *qts = r->t->qts;
    uint64_t root = r->pool, l1 = r->pool + QT_PAGE, l0 = r->pool + 2 * QT_PAGE;
    g_autofree uint8_t *page = g_malloc(QT_PAGE);
    unsigned int i, n = 1 + qr_below(r, 8);

    qtest_memread(qts, r->l0, page, QT_PAGE);
    qtest_memwrite(qts, l0, page, QT_PAGE);
    qtest_memset(qts, root, 0, 2 * QT_PAGE);
    qtest_writeq(qts, root + 8 * QUASAR_PT_INDEX(QR_VA_CMD, 2), qr_pte(l1, false));
    qtest_writeq(qts, l1 + 8 * QUASAR_PT_INDEX(QR_VA_CMD, 1), qr_pte(l0, false));
    for (i = 0; i < n; i++) {
        unsigned int level = qr_below(r, 4);
        uint64_t table = level == 2 ? root : level == 1 ? l1 : l0;
        uint64_t va = level == 0 && qr_one_in(r, 2) ? QR_VA_DATA +
                      (uint64_t)qr_below(r, QR_DATA_PAGES) * QT_PAGE : QR_VA_CMD;
        uint64_t at = table + 8 * (qr_one_in(r, 4) ? qr_below(r, 512) :
                                   QUASAR_PT_INDEX(va, MIN(level, 2)));

        qtest_writeq(qts, at, qr_bad_pte(r, qtest_readq(qts, at)));
    }
    return root;
}

static void qr_set_ctx(QR *r, uint16_t slot, uint64_t root, uint32_t ctrl)
{
    qt_wr64(r->t, QUASAR_REG_CTX(slot, QUASAR_CTX_ROOT_LO),
            QUASAR_REG_CTX(slot, QUASAR_CTX_ROOT_HI), root);
    qt_wr(r->t, QUASAR_REG_CTX(slot, QUASAR_CTX_CTRL), ctrl);
}

/* Four distinct slots other than 0 (the checks' context). */
static void qr_contexts(QR *r)
{
    uint16_t s[4];
    unsigned int i, j;

    for (i = 0; i < 4; i++) {
        do {
            s[i] = 1 + qr_below(r, QUASAR_NUM_CTX - 1);
            for (j = 0; j < i && s[j] != s[i]; j++) {
            }
        } while (j < i);
    }
    r->slot_sane = s[0];
    r->slot_mutated = s[1];
    r->slot_noise = s[2];
    r->slot_invalid = s[3];
    qr_build_tables(r);
    qr_set_ctx(r, r->slot_sane, r->root, QUASAR_CTX_CTRL_VALID);
    qr_set_ctx(r, r->slot_mutated, qr_mutated_tables(r), QUASAR_CTX_CTRL_VALID);
    /* The pool past the mutated tables is noise: a root of random bytes. */
    qr_set_ctx(r, r->slot_noise, r->pool + (uint64_t)(3 + qr_below(r, 8)) * QT_PAGE,
               qr_one_in(r, 4) ? qr_u32(r) : QUASAR_CTX_CTRL_VALID);
    qr_set_ctx(r, r->slot_invalid, qr_one_in(r, 2) ? r->root : qr_edge_pa(r, 0), 0);
}

/* ---------------------------------------------------------------------- */
/* Descriptors, rings and doorbells                                       */
/* ---------------------------------------------------------------------- */

static uint16_t qr_desc_slot(QR *r)
{
    switch (qr_below(r, 10)) {
    case 0:
        return r->slot_mutated;
    case 1:
        return r->slot_noise;
    case 2:
        return r->slot_invalid;
    case 3:
        return qr_one_in(r, 2) ? qr_u32(r) : QUASAR_NUM_CTX + qr_below(r, 4);
    case 4:
        return qr_below(r, QUASAR_NUM_CTX);
    default:
        return r->slot_sane;
    }
}

/*
 * Descriptor @i's stream goes at @cmd_off of the command pages. Returns
 * whether the descriptor is valid, on the sane context, for that stream.
 */
static bool qr_desc(QR *r, struct quasar_hw_desc *d, uint32_t cmd_off,
                    uint32_t len, unsigned int i)
{
    bool pristine;

    memset(d, 0, sizeof(*d));
    d->cmd_addr = QR_VA_CMD + cmd_off;
    d->cmd_size = len;
    switch (qr_below(r, 20)) {
    case 0:
        d->cmd_addr = qr_edge_va(r);
        break;
    case 1:
        d->cmd_addr += 1 + qr_below(r, 7);
        break;
    case 2:
        d->cmd_size = qr_edge_u32(r);
        break;
    case 3:
        d->cmd_size = 8 * (1 + qr_below(r, QR_CMD_BYTES / 8 + 2));
        break;
    case 4:
        d->cmd_size = QUASAR_CMD_STREAM_MAX_SIZE + 8 * qr_below(r, 2);
        break;
    }
    d->ctx_slot = qr_desc_slot(r);
    d->flags = qr_one_in(r, 10) ? qr_u32(r) : 0;
    d->seqno = qr_one_in(r, 2) ? i : qr_u64(r);
    if (qr_one_in(r, 4)) {
        d->stats_addr = qr_one_in(r, 2) ? r->stats_pa + 128 * qr_below(r, 32) :
                        qr_edge_pa(r, r->stats_pa);
    }
    if (qr_one_in(r, 12)) {
        d->reserved[qr_below(r, 4)] = qr_u64(r);
    }
    pristine = d->cmd_addr == QR_VA_CMD + cmd_off && d->cmd_size == len &&
               d->ctx_slot == r->slot_sane && !d->flags &&
               (!d->stats_addr || (!(d->stats_addr & 7) && d->stats_addr >= r->stats_pa &&
                                   d->stats_addr < r->stats_pa + QT_PAGE)) &&
               !d->reserved[0] && !d->reserved[1] && !d->reserved[2] &&
               !d->reserved[3];
    d->cmd_addr = cpu_to_le64(d->cmd_addr);
    d->cmd_size = cpu_to_le32(d->cmd_size);
    d->ctx_slot = cpu_to_le16(d->ctx_slot);
    d->flags = cpu_to_le16(d->flags);
    d->seqno = cpu_to_le64(d->seqno);
    d->stats_addr = cpu_to_le64(d->stats_addr);
    return pristine;
}

typedef struct QRQueue {
    unsigned int q;
    uint64_t ring, cpl;
    uint32_t size;          /* as written to Q.SIZE */
    uint32_t tail;          /* doorbells rung */
    bool sane;              /* valid ring: its completions are checked */
    /*
     * Per ring index: the commands of a valid stream behind a valid
     * descriptor, which must complete OK with that cmd_index; 0: any
     * status the ISA defines.
     */
    uint32_t expect_ok[QR_RING_MAX];
} QRQueue;

/* Program hardware queue @qq->q with a random ring, and enable it. */
static void qr_queue_setup(QR *r, QRQueue *qq, unsigned int which)
{
    QT *t = r->t;
    unsigned int q = qq->q;

    /* The checks leave hardware queue 0 enabled. */
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL), 0);
    qt_wait_reg(t, QUASAR_REG_QUEUE(q, QUASAR_Q_STATUS), QUASAR_Q_STATUS_BUSY, 0);
    qq->sane = !qr_one_in(r, 6);
    qq->size = qq->sane ? 2u << qr_below(r, 6) : qr_edge_u32(r);
    qq->ring = qq->sane ? r->ring_pa + which * QT_PAGE : qr_edge_pa(r, r->ring_pa);
    qq->cpl = qq->sane ? r->cpl_pa + which * QT_PAGE : qr_edge_pa(r, r->cpl_pa);
    if (qq->sane && qr_one_in(r, 8)) {
        qq->sane = false;
        qq->cpl = qq->ring;                 /* completions over descriptors */
    }
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_RING_LO),
            QUASAR_REG_QUEUE(q, QUASAR_Q_RING_HI), qq->ring);
    qt_wr64(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_LO),
            QUASAR_REG_QUEUE(q, QUASAR_Q_CPL_HI), qq->cpl);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_SIZE), qq->size);
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_PRIORITY),
          qr_one_in(r, 8) ? qr_u32(r) : qr_below(r, 3));
    qt_wr(t, QUASAR_REG_QUEUE(q, QUASAR_Q_CTRL),
          qr_one_in(r, 10) ? qr_u32(r) : QUASAR_Q_CTRL_ENABLE);
    qq->tail = 0;
}

/* Write descriptor @d at ring index @i (valid rings only: others are noise). */
static void qr_ring_write(QR *r, QRQueue *qq, uint32_t i,
                          const struct quasar_hw_desc *d)
{
    if (qq->sane) {
        qtest_memwrite(r->t->qts, qq->ring + (i % qq->size) * sizeof(*d), d,
                       sizeof(*d));
    }
}

static void qr_doorbell(QR *r, QRQueue *qq, uint32_t tail)
{
    qq->tail = tail;
    qt_wr(r->t, QUASAR_REG_QUEUE(qq->q, QUASAR_Q_TAIL), tail);
}

/* Something that happens to the device while the batch's jobs run. */
static void qr_meddle(QR *r, QRQueue *qs, unsigned int nq)
{
    QT *t = r->t;
    QRQueue *qq = &qs[qr_below(r, nq)];

    switch (qr_below(r, 16)) {
    case 0:
        qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
        break;
    case 1:
        qt_wr(t, QUASAR_REG_QUEUE(qq->q, QUASAR_Q_CTRL), 0);
        break;
    case 2:
        /* A page table changed under the running jobs. */
        qtest_writeq(t->qts, r->l0 + 8 * qr_below(r, 512),
                     qr_bad_pte(r, qr_pte(r->data_pa, true)));
        break;
    case 3:
        /* The context taken away or moved under its jobs. */
        qr_set_ctx(r, r->slot_sane, qr_one_in(r, 2) ? r->pool : r->root,
                   qr_one_in(r, 2) ? QUASAR_CTX_CTRL_VALID : 0);
        break;
    case 4:
        qt_wr(t, QUASAR_REG_DBG_INJECT, 1u << qr_below(r, 5));
        break;
    case 5:
        qt_wr(t, QUASAR_REG_DBG_HOLD, qr_below(r, 2));
        break;
    case 6:
        /* Ring registers rewritten while enabled: ignored and logged. */
        qt_wr(t, QUASAR_REG_QUEUE(qq->q, QUASAR_Q_SIZE), qr_edge_u32(r));
        qt_wr(t, QUASAR_REG_QUEUE(qq->q, QUASAR_Q_RING_LO), qr_u32(r));
        break;
    case 7:
        qr_doorbell(r, qq, qr_one_in(r, 2) ? qr_u32(r) : qq->tail + qq->size + 1);
        break;
    default:
        /* A stream rewritten while its job may be reading it. */
        qr_scribble(r, r->cmd_pa + 8 * qr_below(r, QR_CMD_BYTES / 8 - 8), 64);
        break;
    }
}

/* ---------------------------------------------------------------------- */
/* After a batch: the device must still work                              */
/* ---------------------------------------------------------------------- */

static bool qr_queue_idle(QR *r, const QRQueue *qq)
{
    uint32_t st = qt_rd(r->t, QUASAR_REG_QUEUE(qq->q, QUASAR_Q_STATUS));

    if (!(st & QUASAR_Q_STATUS_ENABLED) || (st & QUASAR_Q_STATUS_ERROR)) {
        return true;
    }
    return qt_rd(r->t, QUASAR_REG_QUEUE(qq->q, QUASAR_Q_HEAD)) == qq->tail;
}

/* A valid stream of the command pages, a command a line, for a failure. */
static void qr_dump_stream(QR *r, uint64_t va, uint32_t size)
{
    g_autofree uint8_t *buf = g_malloc(size);
    uint32_t off = 0, i;

    qtest_memread(r->t->qts, r->cmd_pa + va - QR_VA_CMD, buf, size);
    while (off + 8 <= size) {
        uint32_t len = lduw_le_p(buf + off + 2);
        g_autoptr(GString) hex = g_string_new("");

        for (i = 0; i < len && off + i < size; i += 8) {
            g_string_append_printf(hex, " %016" PRIx64, ldq_le_p(buf + off + i));
        }
        g_test_message("  command at +%u: opcode %u length %u:%s", off,
                       lduw_le_p(buf + off), len, hex->str);
        if (len < 8) {
            break;
        }
        off += len;
    }
}

/* Every completion record a fuzzed job wrote has a status the ISA defines. */
static void qr_check_cpls(QR *r, const QRQueue *qq, uint32_t head)
{
    uint32_t i, n = MIN(head, qq->size);

    if (!qq->sane) {
        return;
    }
    for (i = 0; i < n; i++) {
        struct quasar_hw_cpl c;
        uint32_t want = qq->expect_ok[i];

        qtest_memread(r->t->qts, qq->cpl + i * sizeof(c), &c, sizeof(c));
        if (le32_to_cpu(c.status) > DRM_QUASAR_STATUS_TOO_LARGE ||
            (want && (le32_to_cpu(c.status) != DRM_QUASAR_STATUS_OK ||
                      le32_to_cpu(c.cmd_index) != want))) {
            g_test_message("batch %u: hw queue %u completion %u: status %u "
                           "cmd_index %u fault_addr 0x%" PRIx64 " (expected %s)",
                           r->batch, qq->q, i, le32_to_cpu(c.status),
                           le32_to_cpu(c.cmd_index), le64_to_cpu(c.fault_addr),
                           want ? "OK" : "a defined status");
            if (want) {
                struct quasar_hw_desc d;

                qtest_memread(r->t->qts, qq->ring + i * sizeof(d), &d, sizeof(d));
                g_test_message("expected OK after %u commands of a valid stream; "
                               "descriptor: cmd_addr 0x%" PRIx64 " cmd_size %u "
                               "ctx_slot %u flags 0x%x stats_addr 0x%" PRIx64,
                               want, le64_to_cpu(d.cmd_addr), le32_to_cpu(d.cmd_size),
                               le16_to_cpu(d.ctx_slot), le16_to_cpu(d.flags),
                               le64_to_cpu(d.stats_addr));
                qr_dump_stream(r, le64_to_cpu(d.cmd_addr), le32_to_cpu(d.cmd_size));
            }
            g_assert_not_reached();
        }
        r->status_seen[le32_to_cpu(c.status)]++;
        r->cpls++;
    }
}

/*
 * Give the batch's jobs a moment, then disable the fuzzed hardware queues
 * (abandoning what runs) and wait until they have stopped.
 */
static void qr_settle(QR *r, QRQueue *qs, unsigned int nq)
{
    QT *t = r->t;
    gint64 end = g_get_monotonic_time() + QR_SETTLE_US;
    unsigned int i, idle;

    do {
        for (i = 0, idle = 0; i < nq; i++) {
            idle += qr_queue_idle(r, &qs[i]);
        }
        if (idle == nq) {
            break;
        }
        g_usleep(1000);
    } while (g_get_monotonic_time() < end);
    qt_wr(t, QUASAR_REG_DBG_HOLD, 0);
    qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
    for (i = 0; i < nq; i++) {
        uint32_t head = qt_rd(t, QUASAR_REG_QUEUE(qs[i].q, QUASAR_Q_HEAD));

        qt_wr(t, QUASAR_REG_QUEUE(qs[i].q, QUASAR_Q_CTRL), 0);
        qt_wait_reg(t, QUASAR_REG_QUEUE(qs[i].q, QUASAR_Q_STATUS),
                    QUASAR_Q_STATUS_BUSY | QUASAR_Q_STATUS_ENABLED, 0);
        qr_check_cpls(r, &qs[i], head);
    }
}

/*
 * On the checks' context (slot 0) and hardware queue 0, reprogrammed: a
 * FILL of a random span with a random value, every byte of both data
 * pages checked. The firmware is booted again only if the batch reset or
 * crashed it.
 */
static void qr_expect_device_works(QR *r)
{
    QT *t = r->t;
    uint32_t state, len, off = 4 * qr_below(r, 512);
    uint32_t size = 4 * (1 + qr_below(r, (QT_DATA_PAGES * QT_PAGE - off) / 4));
    uint32_t value = qr_u32(r) | 1;
    uint64_t seqno = qr_u64(r);

    qt_wr(t, QUASAR_REG_DBG_INJECT, QUASAR_DBG_CLEAR);
    qt_wr(t, QUASAR_REG_DBG_HOLD, 0);
    state = qt_rd(t, QUASAR_REG_FW_STATUS);
    if (state == QUASAR_FW_STATE_CRASHED) {
        qt_wr(t, QUASAR_REG_DEV_CTRL, QUASAR_DEV_CTRL_RESET);
        qt_wait_reg(t, QUASAR_REG_DEV_STATUS, QUASAR_DEV_STATUS_RESETTING, 0);
        state = qt_rd(t, QUASAR_REG_FW_STATUS);
    }
    if (state != QUASAR_FW_STATE_READY) {
        qt_boot_good(t);
    }
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_CTRL), 0);
    qt_wait_reg(t, QUASAR_REG_QUEUE(0, QUASAR_Q_STATUS), QUASAR_Q_STATUS_BUSY, 0);
    qt_wr(t, QUASAR_REG_QUEUE(0, QUASAR_Q_PRIORITY), 1);
    qt_wr64(t, QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_LO),
            QUASAR_REG_CTX(0, QUASAR_CTX_ROOT_HI), t->root);
    qt_wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_CTRL), QUASAR_CTX_CTRL_VALID);
    qt_wr(t, QUASAR_REG_CTX(0, QUASAR_CTX_FAULT_STATUS), 1u << 31);
    qt_queue_enable(t, 0, QT_RING_SIZE);
    qtest_memset(t->qts, t->a_pa, 0, QT_DATA_PAGES * QT_PAGE);
    qtest_memset(t->qts, t->cpl, 0xee, QT_RING_SIZE * sizeof(struct quasar_hw_cpl));
    len = qt_cmd_fill(t, 0, QT_VA_A + off, size, value);
    qt_submit(t, QT_VA_CMD, len, 0, seqno);
    qt_wait_head(t, 0, 1);
    qt_expect_cpl(t, 0, seqno, DRM_QUASAR_STATUS_OK, 1, 0);
    qt_expect_words(t, t->a_pa, off, 0);
    qt_expect_words(t, t->a_pa + off, size, value);
    qt_expect_words(t, t->a_pa + off + size,
                    QT_DATA_PAGES * QT_PAGE - off - size, 0);
    r->checks++;
}

/* ---------------------------------------------------------------------- */
/* A batch                                                                */
/* ---------------------------------------------------------------------- */

static void qr_batch(QR *r)
{
    g_autofree uint8_t *cmds = g_malloc0(QR_CMD_BYTES);
    QRQueue qs[2];
    unsigned int nq = 1 + qr_one_in(r, 3), i, j, njobs, meddles;
    uint32_t off = 0;

    qr_contexts(r);
    qr_scribble(r, r->pool + 3 * QT_PAGE, 4 * QT_PAGE);
    qs[0].q = qr_below(r, QUASAR_NUM_QUEUES);
    qs[1].q = (qs[0].q + 1 + qr_below(r, QUASAR_NUM_QUEUES - 1)) % QUASAR_NUM_QUEUES;
    for (i = 0; i < nq; i++) {
        qr_queue_setup(r, &qs[i], i);
    }

    /* Streams, one region each, and descriptors that point at them. */
    njobs = 1 + qr_below(r, 12);
    meddles = qr_one_in(r, 3) ? 1 + qr_below(r, 3) : 0;
    r->ids_used = 0;
    for (i = 0; i < nq; i++) {
        uint32_t count = njobs + (qr_one_in(r, 4) ? qs[i].size : 0);

        memset(qs[i].expect_ok, 0, sizeof(qs[i].expect_ok));
        for (j = 0; j < MIN(count, QR_RING_MAX); j++) {
            struct quasar_hw_desc d;
            uint32_t room = MIN(1024u, QR_CMD_BYTES - off), len = 8, ncmds = 0;
            bool pristine;

            /* Out of room: the last 8 bytes, another stream's. */
            if (room >= 8) {
                len = qr_stream(r, cmds + off, room, &ncmds);
                pristine = qr_desc(r, &d, off, len, j);
                off += len;
            } else {
                qr_desc(r, &d, QR_CMD_BYTES - 8, len, j);
                pristine = false;
            }
            qr_ring_write(r, &qs[i], j, &d);
            /*
             * Checked where nothing else can change the outcome: the ring
             * index not written twice, no meddling, no doorbell past it.
             */
            if (pristine && count <= qs[i].size && !meddles) {
                qs[i].expect_ok[j] = ncmds;
            }
        }
    }
    qtest_memwrite(r->t->qts, r->cmd_pa, cmds, QR_CMD_BYTES);
    qtest_memset(r->t->qts, r->cpl_pa, 0, 2 * QT_PAGE);

    /* Doorbells, all at once or one job at a time, and meddling. */
    for (i = 0; i < nq; i++) {
        if (qr_one_in(r, 2)) {
            uint32_t tail = qr_one_in(r, 8) ? qr_edge_u32(r) : njobs;

            if (tail != njobs) {
                /* past the ring or not: what completes is anyone's guess */
                memset(qs[i].expect_ok, 0, sizeof(qs[i].expect_ok));
            }
            qr_doorbell(r, &qs[i], tail);
        } else {
            for (j = 1; j <= njobs; j++) {
                qr_doorbell(r, &qs[i], j);
            }
        }
    }
    for (i = 0; i < meddles; i++) {
        g_usleep(qr_below(r, 2000));
        qr_meddle(r, qs, nq);
    }
    qr_settle(r, qs, nq);
    qr_expect_device_works(r);
}

static unsigned int qr_env_uint(const char *name, unsigned int dflt)
{
    const char *s = g_getenv(name);

    return s && *s ? strtoul(s, NULL, 0) : dflt;
}

static void test_ring_fuzz(void)
{
    QR r = { 0 };
    unsigned int first = qr_env_uint("QUASAR_QTEST_FIRST", 0);
    unsigned int iters = qr_env_uint("QUASAR_QTEST_ITERS", QR_DEFAULT_ITERS);
    g_autoptr(GString) seen = g_string_new("");
    unsigned int i;
    QT *t;

    r.seed = qr_env_uint("QUASAR_QTEST_SEED", QR_DEFAULT_SEED);
    g_test_message("seed 0x%x, batches %u..%u (replay: QUASAR_QTEST_SEED=0x%x "
                   "QUASAR_QTEST_FIRST=%u QUASAR_QTEST_ITERS=%u)", r.seed, first,
                   first + iters - 1, r.seed, first, iters);
    qr_current = &r;
    qtest_add_abrt_handler(qr_abort_hook, &r);

    t = r.t = qt_start_jobs(true);
    t->timeout_us = QR_TIMEOUT_US;
    r.root = qt_alloc_pages(t, 1);
    r.l1 = qt_alloc_pages(t, 1);
    r.l0 = qt_alloc_pages(t, 1);
    r.cmd_pa = qt_alloc_pages(t, QR_CMD_PAGES);
    r.data_pa = qt_alloc_pages(t, QR_DATA_PAGES);
    r.ring_pa = qt_alloc_pages(t, 2);
    r.cpl_pa = qt_alloc_pages(t, 2);
    r.stats_pa = qt_alloc_pages(t, 1);
    r.ids_pa = qt_alloc_pages(t, 1);
    r.pool = qt_alloc_pages(t, QR_POOL_PAGES);

    for (r.batch = first; r.batch < first + iters; r.batch++) {
        guint32 key[2] = { r.seed, r.batch };

        r.rng = g_rand_new_with_seed_array(key, 2);
        qr_batch(&r);
        g_rand_free(r.rng);
    }
    g_test_message("%u batches, %u known-good jobs checked, %u fuzzed "
                   "completion records checked", iters, r.checks, r.cpls);
    for (i = 0; i <= DRM_QUASAR_STATUS_TOO_LARGE; i++) {
        g_string_append_printf(seen, " %u:%u", i, r.status_seen[i]);
    }
    g_test_message("fuzzed jobs by status (status:count):%s", seen->str);
    g_assert_cmpuint(qt_rd(t, QUASAR_REG_ID), ==, QUASAR_ID_VALUE);
    qtest_remove_abrt_handler(&r);
    qr_current = NULL;
    qt_stop(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/quasar/ring_fuzz/qtest_ring_fuzz", test_ring_fuzz);
    return g_test_run();
}
