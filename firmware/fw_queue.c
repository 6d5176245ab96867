// SPDX-License-Identifier: MIT
/*
 * Jobs and queues, hw-spec section 5.
 *
 * A job's descriptor is checked first (BAD_DESC / BAD_CONTEXT), then its
 * command stream is fetched through the context's MMU in windows of at most
 * FW_STREAM_WINDOW bytes that never cross a page unless one command does, so
 * a fault on the stream is charged to the command that lies on the faulting
 * page, and the firmware's memory stays fixed however long the stream is.
 */
#include "drm/quasar_isa.h"
#include "fw_api.h"
#include "fw_bytes.h"
#include "fw_cmd.h"
#include "fw_log.h"
#include "fw_time.h"

#define FW_STREAM_WINDOW	256u
#define FW_DESC(f)		offsetof(struct quasar_hw_desc, f)
#define FW_CPL(f)		offsetof(struct quasar_hw_cpl, f)
#define FW_STATS(f)		offsetof(struct quasar_hw_stats, f)
#define FW_STATS_SIZE		((uint32_t)sizeof(struct quasar_hw_stats))
#define FW_DESC_SIZE		((uint32_t)sizeof(struct quasar_hw_desc))
#define FW_CPL_SIZE		((uint32_t)sizeof(struct quasar_hw_cpl))
#define FW_DESC_RESERVED	(sizeof(((struct quasar_hw_desc *)0)->reserved) / 8)

_Static_assert(sizeof(struct quasar_hw_desc) == 64, "hw-spec 5 descriptor");
_Static_assert(sizeof(struct quasar_hw_cpl) == 32, "hw-spec 5 completion");
_Static_assert(sizeof(struct quasar_hw_stats) == 128, "hw-spec 5 statistics");
_Static_assert(FW_STREAM_WINDOW >= FW_CMD_MAX_LEN, "a command fits a window");

/* The part of a stream currently held in local memory. */
struct fw_stream {
	const struct fw_device *fw;
	const struct fw_job_stop *stop;
	unsigned int slot;
	uint64_t va;		/* stream start */
	uint32_t size;		/* stream bytes */
	uint32_t win_off;	/* stream offset of buf[0] */
	uint32_t win_len;	/* valid bytes in buf */
	uint8_t buf[FW_STREAM_WINDOW];
};

/*
 * Make stream bytes [off, off + need) local; need <= size - off and
 * need <= FW_CMD_MAX_LEN. Returns a drm_quasar_status.
 */
static int fw_stream_view(struct fw_stream *s, uint32_t off, uint32_t need,
			  const uint8_t **p, uint64_t *fault_addr)
{
	uint64_t va = s->va + off;
	uint64_t n;
	int st;

	if (off >= s->win_off && off + need <= s->win_off + s->win_len) {
		*p = s->buf + (off - s->win_off);
		return DRM_QUASAR_STATUS_OK;
	}
	n = fw_min_u64(FW_STREAM_WINDOW, s->size - off);
	n = fw_min_u64(n, QUASAR_PAGE_SIZE - (va & (QUASAR_PAGE_SIZE - 1)));
	if (n < need)
		n = need;
	s->win_len = 0;
	st = fw_mmu_read(s->fw, s->slot, va, s->buf, n, fault_addr);
	if (st)
		return st;
	s->win_off = off;
	s->win_len = (uint32_t)n;
	*p = s->buf;
	return DRM_QUASAR_STATUS_OK;
}

static int fw_job_check_desc(const struct quasar_hw_desc *desc)
{
	if (desc->flags)
		return DRM_QUASAR_STATUS_BAD_DESC;
	for (uint32_t i = 0; i < FW_DESC_RESERVED; i++)
		if (desc->reserved[i])
			return DRM_QUASAR_STATUS_BAD_DESC;
	if (!desc->cmd_size || desc->cmd_size % 8 ||
	    desc->cmd_size > QUASAR_CMD_STREAM_MAX_SIZE || desc->cmd_addr % 8 ||
	    desc->stats_addr % 8)
		return DRM_QUASAR_STATUS_BAD_DESC;
	if (desc->ctx_slot >= QUASAR_NUM_CTX)
		return DRM_QUASAR_STATUS_BAD_CONTEXT;
	return DRM_QUASAR_STATUS_OK;
}

static void fw_job_stream(struct fw_stream *s, struct fw_job_result *res)
{
	uint32_t off = 0, index = 0;
	int st = DRM_QUASAR_STATUS_OK;

	while (off < s->size) {
		const uint8_t *p;
		uint32_t len = 0;

		if (fw_job_stopped(s->stop)) {
			st = DRM_QUASAR_STATUS_ABORTED;
			break;
		}
		if (s->size - off < FW_CMD_HDR_LEN) {
			st = DRM_QUASAR_STATUS_BAD_LENGTH;
			break;
		}
		st = fw_stream_view(s, off, FW_CMD_HDR_LEN, &p, &res->fault_addr);
		if (!st)
			st = fw_cmd_check_header(s->fw, p, s->size - off, &len);
		if (!st)
			st = fw_stream_view(s, off, len, &p, &res->fault_addr);
		if (!st)
			st = fw_cmd_exec(s->fw, s->slot, p, s->stop, &res->fault_addr);
		if (st)
			break;
		off += len;
		index++;
	}
	res->status = (uint32_t)st;
	res->cmd_index = index;
}

void fw_job_run(struct fw_device *fw, const struct quasar_hw_desc *desc,
		const struct fw_job_stop *stop, struct fw_job_result *res)
{
	struct fw_stream s;
	uint64_t t0 = fw_time_now(fw);
	int st;

	res->status = DRM_QUASAR_STATUS_OK;
	res->cmd_index = 0;
	res->fault_addr = 0;
	fw_memset(&res->stats, 0, sizeof(res->stats));
	fw_cmd_job_begin(fw);
	st = fw_job_check_desc(desc);
	if (st) {
		res->status = (uint32_t)st;
		return;
	}
	if (fw->inject.flags & QUASAR_DBG_MMU_FAULT) {
		fw->inject.flags &= ~QUASAR_DBG_MMU_FAULT;
		res->status = DRM_QUASAR_STATUS_MMU_FAULT;
		res->fault_addr = fw->inject.fault_va;
		fw->ctx[desc->ctx_slot].fault_status = res->status;
		fw->ctx[desc->ctx_slot].fault_addr = res->fault_addr;
		return;
	}

	s.fw = fw;
	s.stop = stop;
	s.slot = desc->ctx_slot;
	s.va = desc->cmd_addr;
	s.size = desc->cmd_size;
	s.win_off = 0;
	s.win_len = 0;
	fw_job_stream(&s, res);
	fw_cmd_job_end(fw, res);
	fw_time_add(fw, job_ns, t0);

	if (res->status == DRM_QUASAR_STATUS_MMU_FAULT ||
	    res->status == DRM_QUASAR_STATUS_MMU_PERM) {
		fw->ctx[s.slot].fault_status = res->status;
		fw->ctx[s.slot].fault_addr = res->fault_addr;
	} else {
		res->fault_addr = 0;
	}
}

static const char *fw_status_name(uint32_t status)
{
	static const char *const names[] = {
		[DRM_QUASAR_STATUS_OK] = "OK",
		[DRM_QUASAR_STATUS_BAD_OPCODE] = "BAD_OPCODE",
		[DRM_QUASAR_STATUS_BAD_LENGTH] = "BAD_LENGTH",
		[DRM_QUASAR_STATUS_BAD_ALIGN] = "BAD_ALIGN",
		[DRM_QUASAR_STATUS_BAD_RANGE] = "BAD_RANGE",
		[DRM_QUASAR_STATUS_MMU_FAULT] = "MMU_FAULT",
		[DRM_QUASAR_STATUS_MMU_PERM] = "MMU_PERM",
		[DRM_QUASAR_STATUS_BAD_FLAGS] = "BAD_FLAGS",
		[DRM_QUASAR_STATUS_OVERLAP] = "OVERLAP",
		[DRM_QUASAR_STATUS_DMA_ERROR] = "DMA_ERROR",
		[DRM_QUASAR_STATUS_BAD_CONTEXT] = "BAD_CONTEXT",
		[DRM_QUASAR_STATUS_BAD_DESC] = "BAD_DESC",
		[DRM_QUASAR_STATUS_ABORTED] = "ABORTED",
		[DRM_QUASAR_STATUS_BAD_VERSION] = "BAD_VERSION",
		[DRM_QUASAR_STATUS_BAD_SHAPE] = "BAD_SHAPE",
		[DRM_QUASAR_STATUS_BAD_FORMAT] = "BAD_FORMAT",
		[DRM_QUASAR_STATUS_BAD_OPERAND] = "BAD_OPERAND",
		[DRM_QUASAR_STATUS_BAD_INDEX] = "BAD_INDEX",
		[DRM_QUASAR_STATUS_TOO_LARGE] = "TOO_LARGE",
	};

	if (status < FW_ARRAY_SIZE(names) && names[status])
		return names[status];
	return "?";
}

static void fw_queue_log(const struct fw_device *fw, unsigned int q,
			 const char *what, uint64_t seqno,
			 const struct fw_job_result *res)
{
	struct fw_log_line l;

	fw_log_start(&l, "fw: queue ");
	fw_log_dec(&l, q);
	fw_log_str(&l, what);
	fw_log_dec(&l, seqno);
	fw_log_str(&l, ": ");
	fw_log_str(&l, fw_status_name(res->status));
	fw_log_str(&l, " at command ");
	fw_log_dec(&l, res->cmd_index);
	if (res->fault_addr) {
		fw_log_str(&l, ", fault va ");
		fw_log_hex(&l, res->fault_addr);
	}
	fw_log_emit(&fw->hal, &l);
}

static int fw_queue_error(const struct fw_device *fw, unsigned int q,
			  const char *why, uint32_t status, uint32_t *ring_error)
{
	struct fw_log_line l;

	fw_log_start(&l, "fw: queue ");
	fw_log_dec(&l, q);
	fw_log_str(&l, " in error: ");
	fw_log_str(&l, why);
	fw_log_emit(&fw->hal, &l);
	if (ring_error)
		*ring_error = status;
	return -1;
}

static void fw_desc_decode(const uint8_t *raw, struct quasar_hw_desc *d)
{
	d->cmd_addr = fw_le64(raw + FW_DESC(cmd_addr));
	d->cmd_size = fw_le32(raw + FW_DESC(cmd_size));
	d->ctx_slot = fw_le16(raw + FW_DESC(ctx_slot));
	d->flags = fw_le16(raw + FW_DESC(flags));
	d->seqno = fw_le64(raw + FW_DESC(seqno));
	d->stats_addr = fw_le64(raw + FW_DESC(stats_addr));
	for (uint32_t i = 0; i < FW_DESC_RESERVED; i++)
		d->reserved[i] = fw_le64(raw + FW_DESC(reserved) + 8 * i);
}

static void fw_cpl_encode(uint8_t *raw, uint64_t seqno,
			  const struct fw_job_result *res)
{
	fw_memset(raw, 0, FW_CPL_SIZE);
	fw_put_le64(raw + FW_CPL(seqno), seqno);
	fw_put_le32(raw + FW_CPL(status), res->status);
	fw_put_le32(raw + FW_CPL(cmd_index), res->cmd_index);
	fw_put_le64(raw + FW_CPL(fault_addr), res->fault_addr);
}

static void fw_stats_encode(uint8_t *raw, const struct fw_device *fw,
			    const struct fw_job_stats *st)
{
	const uint64_t v[] = {
		st->rd_weights, st->rd_wmeta, st->rd_act, st->wr_bytes,
		st->sram_bytes, st->macs_dense, st->macs_exec, st->vec_elems,
		st->tiles, st->cycles_compute, st->cycles_memory, st->cycles,
		st->energy_fj,
	};

	_Static_assert(sizeof(v) == FW_STATS(clock_mhz), "stats record order");
	fw_memset(raw, 0, FW_STATS_SIZE);
	for (uint32_t i = 0; i < FW_ARRAY_SIZE(v); i++)
		fw_put_le64(raw + 8 * i, v[i]);
	if (fw->engine)
		fw_put_le32(raw + FW_STATS(clock_mhz), fw->engine->cost.clock_mhz);
}

static bool fw_queue_config_ok(const struct fw_queue *queue)
{
	return queue->size >= QUASAR_RING_MIN_ENTRIES &&
	       queue->size <= QUASAR_RING_MAX_ENTRIES &&
	       !(queue->size & (queue->size - 1)) &&
	       !(queue->ring % FW_DESC_SIZE) && !(queue->cpl % FW_CPL_SIZE);
}

int fw_queue_process(struct fw_device *fw, unsigned int q, uint32_t tail,
		     bool (*should_stop)(void *opaque), void *opaque,
		     uint32_t *ring_error)
{
	const struct fw_job_stop stop = { should_stop, opaque };
	struct fw_queue *queue;
	int done = 0;

	if (q >= QUASAR_NUM_QUEUES)
		return fw_queue_error(fw, q, "no such queue",
				      DRM_QUASAR_STATUS_BAD_DESC, ring_error);
	queue = &fw->queue[q];
	if (!queue->enabled)
		return 0;
	if (!fw_queue_config_ok(queue))
		return fw_queue_error(fw, q, "bad ring size or alignment",
				      DRM_QUASAR_STATUS_BAD_DESC, ring_error);
	/* Free-running indices: the distance is right even across 2^32. */
	if (tail - queue->head > queue->size)
		return fw_queue_error(fw, q, "doorbell more than SIZE ahead of HEAD",
				      DRM_QUASAR_STATUS_BAD_DESC, ring_error);

	while (queue->head != tail) {
		uint32_t slot = queue->head & (queue->size - 1);
		uint8_t raw[sizeof(struct quasar_hw_desc)];
		uint8_t cpl[sizeof(struct quasar_hw_cpl)];
		struct quasar_hw_desc desc;
		struct fw_job_result res;
		uint64_t t0;

		if (fw_job_stopped(&stop))
			break;
		if (fw->hal.dma_read(fw->hal.opaque,
				     queue->ring + (uint64_t)slot * FW_DESC_SIZE,
				     raw, FW_DESC_SIZE))
			return fw_queue_error(fw, q, "descriptor ring not readable",
					      DRM_QUASAR_STATUS_DMA_ERROR, ring_error);
		fw_desc_decode(raw, &desc);
		fw_job_run(fw, &desc, &stop, &res);
		/* Abandoned, not finished: the job gets no completion. */
		if (res.status == DRM_QUASAR_STATUS_ABORTED)
			break;
		if (res.status)
			fw_queue_log(fw, q, ": job seqno ", desc.seqno, &res);
		t0 = fw_time_now(fw);
		if (fw->engine)
			fw->engine->time.seqno = desc.seqno;
		/* A bad stats_addr already failed the job with BAD_DESC. */
		if (desc.stats_addr && !(desc.stats_addr % 8)) {
			uint8_t stats[sizeof(struct quasar_hw_stats)];

			fw_stats_encode(stats, fw, &res.stats);
			if (fw->hal.dma_write(fw->hal.opaque, desc.stats_addr, stats,
					      FW_STATS_SIZE))
				return fw_queue_error(fw, q, "statistics record not writable",
						      DRM_QUASAR_STATUS_DMA_ERROR,
						      ring_error);
		}
		fw_cpl_encode(cpl, desc.seqno, &res);
		if (fw->inject.flags & QUASAR_DBG_CORRUPT_CPL) {
			fw->inject.flags &= ~QUASAR_DBG_CORRUPT_CPL;
			fw_put_le64(cpl + FW_CPL(seqno),
				    desc.seqno ^ QUASAR_CPL_CORRUPT_SEQNO);
		}
		if (fw->hal.dma_write(fw->hal.opaque,
				      queue->cpl + (uint64_t)slot * FW_CPL_SIZE,
				      cpl, FW_CPL_SIZE))
			return fw_queue_error(fw, q, "completion ring not writable",
					      DRM_QUASAR_STATUS_DMA_ERROR, ring_error);
		fw_time_add(fw, cpl_ns, t0);
		queue->head++;
		done++;
	}
	return done;
}
