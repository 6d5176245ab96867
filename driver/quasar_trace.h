/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quasar NPU: tracepoints (events/quasar/ in tracefs), one per step of a
 * job's life: submit (ioctl), run (doorbell), complete (fence signalled),
 * and the two ways it goes wrong, timeout and fault. Arguments are plain
 * values, so that any file can emit them without the job's definition;
 * hwq is the hardware queue the job runs on.
 * docs/driver.md lists the fields.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM quasar

#if !defined(__QUASAR_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __QUASAR_TRACE_H__

#include <linux/tracepoint.h>
#include <linux/types.h>

TRACE_EVENT(quasar_job_submit,
	    TP_PROTO(u32 hwq, u32 ctx, u64 job_id, u64 cmd_addr, u32 cmd_size,
		     u32 bo_count),
	    TP_ARGS(hwq, ctx, job_id, cmd_addr, cmd_size, bo_count),
	    TP_STRUCT__entry(__field(u32, hwq)
			     __field(u32, ctx)
			     __field(u64, job_id)
			     __field(u64, cmd_addr)
			     __field(u32, cmd_size)
			     __field(u32, bo_count)),
	    TP_fast_assign(__entry->hwq = hwq;
			   __entry->ctx = ctx;
			   __entry->job_id = job_id;
			   __entry->cmd_addr = cmd_addr;
			   __entry->cmd_size = cmd_size;
			   __entry->bo_count = bo_count;),
	    TP_printk("hwq=%u ctx=%u job=%llu cmd=0x%llx size=%u bos=%u",
		      __entry->hwq, __entry->ctx, __entry->job_id,
		      __entry->cmd_addr, __entry->cmd_size, __entry->bo_count)
);

TRACE_EVENT(quasar_job_run,
	    TP_PROTO(u32 hwq, u32 ctx, u64 job_id, u64 seqno),
	    TP_ARGS(hwq, ctx, job_id, seqno),
	    TP_STRUCT__entry(__field(u32, hwq)
			     __field(u32, ctx)
			     __field(u64, job_id)
			     __field(u64, seqno)),
	    TP_fast_assign(__entry->hwq = hwq;
			   __entry->ctx = ctx;
			   __entry->job_id = job_id;
			   __entry->seqno = seqno;),
	    TP_printk("hwq=%u ctx=%u job=%llu seqno=%llu",
		      __entry->hwq, __entry->ctx, __entry->job_id,
		      __entry->seqno)
);

TRACE_EVENT(quasar_job_complete,
	    TP_PROTO(u32 hwq, u32 ctx, u64 seqno, u32 status, u32 cmd_index,
		     int error, u64 busy_ns),
	    TP_ARGS(hwq, ctx, seqno, status, cmd_index, error, busy_ns),
	    TP_STRUCT__entry(__field(u32, hwq)
			     __field(u32, ctx)
			     __field(u64, seqno)
			     __field(u32, status)
			     __field(u32, cmd_index)
			     __field(int, error)
			     __field(u64, busy_ns)),
	    TP_fast_assign(__entry->hwq = hwq;
			   __entry->ctx = ctx;
			   __entry->seqno = seqno;
			   __entry->status = status;
			   __entry->cmd_index = cmd_index;
			   __entry->error = error;
			   __entry->busy_ns = busy_ns;),
	    TP_printk("hwq=%u ctx=%u seqno=%llu status=%u cmd_index=%u error=%d busy_ns=%llu",
		      __entry->hwq, __entry->ctx, __entry->seqno,
		      __entry->status, __entry->cmd_index, __entry->error,
		      __entry->busy_ns)
);

TRACE_EVENT(quasar_job_timeout,
	    TP_PROTO(u32 hwq, u32 ctx, u64 seqno),
	    TP_ARGS(hwq, ctx, seqno),
	    TP_STRUCT__entry(__field(u32, hwq)
			     __field(u32, ctx)
			     __field(u64, seqno)),
	    TP_fast_assign(__entry->hwq = hwq;
			   __entry->ctx = ctx;
			   __entry->seqno = seqno;),
	    TP_printk("hwq=%u ctx=%u seqno=%llu",
		      __entry->hwq, __entry->ctx, __entry->seqno)
);

TRACE_EVENT(quasar_job_fault,
	    TP_PROTO(u32 hwq, u32 ctx, u64 seqno, u32 status, u64 fault_addr),
	    TP_ARGS(hwq, ctx, seqno, status, fault_addr),
	    TP_STRUCT__entry(__field(u32, hwq)
			     __field(u32, ctx)
			     __field(u64, seqno)
			     __field(u32, status)
			     __field(u64, fault_addr)),
	    TP_fast_assign(__entry->hwq = hwq;
			   __entry->ctx = ctx;
			   __entry->seqno = seqno;
			   __entry->status = status;
			   __entry->fault_addr = fault_addr;),
	    TP_printk("hwq=%u ctx=%u seqno=%llu status=%u addr=0x%llx",
		      __entry->hwq, __entry->ctx, __entry->seqno,
		      __entry->status, __entry->fault_addr)
);

#endif /* __QUASAR_TRACE_H__ */

/* Out of tree: define_trace.h finds this header through -I$(src) (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE quasar_trace
#include <trace/define_trace.h>
