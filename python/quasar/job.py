# SPDX-License-Identifier: MIT
"""Command buffers (one method per op), submission, job results and job
statistics, queues."""
import enum
import errno
from dataclasses import dataclass, fields

from ._ffi import ffi, lib
from .device import Buffer, timeout_ns
from .errors import QuasarError, invalid
from .handle import Handle
from .tensor import Tensor


class Priority(enum.IntEnum):
    """&enum drm_quasar_priority."""
    LOW = 0
    NORMAL = 1
    HIGH = 2

    @classmethod
    def parse(cls, value):
        """A Priority from a Priority, its number or its name in any case."""
        prio = ffi.new("uint32_t *")
        text = value.name if isinstance(value, cls) else str(value)
        rc = lib.accel_priority_parse(text.encode(), prio)
        if rc < 0:
            raise QuasarError(-rc, "accel_priority_parse", f"priority {value!r}: "
                              "expected LOW, NORMAL, HIGH or 0..2")
        return cls(prio[0])


class Act(enum.IntEnum):
    """&enum drm_quasar_act: a GEMM/CONV2D epilogue's activation."""
    NONE = 0
    RELU = 1
    GELU = 2
    SILU = 3


GEMM_A8 = 1 << 0		# DRM_QUASAR_GEMM_A8
MATMUL_TRANS_B = 1 << 0		# DRM_QUASAR_MATMUL_TRANS_B
MATMUL_CAUSAL = 1 << 1		# DRM_QUASAR_MATMUL_CAUSAL


def status_name(status):
    return ffi.string(lib.accel_status_name(status)).decode()


@dataclass(frozen=True)
class JobResult:
    """How a job ended (&struct accel_job_result)."""
    status: int
    cmd_index: int
    fault_addr: int

    @classmethod
    def from_c(cls, r):
        return cls(r.status, r.cmd_index, r.fault_addr)

    @property
    def ok(self):
        return self.status == 0

    @property
    def status_name(self):
        return status_name(self.status)

    def describe(self):
        text = (f"job status {self.status_name} ({self.status}) at command {self.cmd_index}: "
                f"{ffi.string(lib.accel_status_message(self.status)).decode()}")
        return text + (f", fault address {self.fault_addr:#x}" if self.fault_addr else "")


@dataclass(frozen=True)
class JobCost:
    """Figures derived from a job's statistics (&struct accel_job_cost)."""
    dram_bytes: int
    time_us: float
    energy_uj: float
    pj_per_mac: float
    ops_per_byte: float
    tops: float
    memory_bound: bool


@dataclass(frozen=True)
class JobStats:
    """The cost report of a job (&struct accel_job_stats, docs/cost-model.md):
    what it would cost on the modeled silicon, from the traffic the device did."""
    status: int
    cmd_index: int
    seqno: int
    queue: int
    clock_mhz: int
    device_ns: int
    rd_weight_bytes: int
    rd_meta_bytes: int
    rd_act_bytes: int
    wr_bytes: int
    sram_bytes: int
    macs_dense: int
    macs_exec: int
    vec_elems: int
    tiles: int
    cycles_compute: int
    cycles_memory: int
    cycles: int
    energy_fj: int

    @classmethod
    def from_c(cls, s):
        return cls(**{f.name: getattr(s, f.name) for f in fields(cls)})

    def _c(self):
        s = ffi.new("struct accel_job_stats *")
        for f in fields(self):
            setattr(s, f.name, getattr(self, f.name))
        return s

    @property
    def cost(self):
        c = ffi.new("struct accel_job_cost *")
        lib.accel_job_cost(self._c(), c)
        return JobCost(c.dram_bytes, c.time_us, c.energy_uj, c.pj_per_mac, c.ops_per_byte,
                       c.tops, bool(c.memory_bound))

    def report(self, title=None):
        """libaccel's text report (accel_job_report())."""
        s = self._c()
        t = title.encode() if title is not None else ffi.NULL
        need = lib.accel_job_report(s, t, ffi.NULL, 0)
        buf = ffi.new("char[]", need + 1)
        lib.accel_job_report(s, t, buf, need + 1)
        return ffi.string(buf).decode()


class Queue(Handle):
    """A queue of the device file at a priority, bound to one hardware queue."""

    _gone = "the queue is destroyed"

    def __init__(self, dev, priority):
        self.dev = dev
        out = ffi.new("struct accel_queue **")
        dev.check(lib.accel_queue_create(dev.ptr("accel_queue_create"),
                                         Priority.parse(priority), out), "accel_queue_create")
        self._ptr = out[0]
        dev.adopt(self)

    def release(self):
        if self._ptr is not None:
            lib.accel_queue_destroy(self._ptr)
            self._ptr = None

    destroy = release

    @property
    def hw_index(self):
        return lib.accel_queue_hw_index(self.ptr("accel_queue_hw_index"))

    @property
    def priority(self):
        return Priority(lib.accel_queue_priority(self.ptr("accel_queue_priority")))


def _addr(x, offset=0):
    """A device address: a Buffer's or Tensor's plus @offset, or an int."""
    if isinstance(x, (Buffer, Tensor)):
        return x.addr + offset
    return int(x) + offset


def _t(x, call):
    if x is None:
        return ffi.NULL
    if not isinstance(x, Tensor):
        raise invalid(call, f"{type(x).__name__} where a quasar.Tensor is expected")
    return x.ptr(call)


class CommandBuffer(Handle):
    """A command stream, one method per command; ops take tensors, outputs
    first (as memcpy). Each method appends one command (libaccel adds the
    ISA_VERSION and BARRIER commands the stream needs) and returns self, so
    calls chain. Tensors and buffers named are kept alive until reset()."""

    _gone = "the command buffer is destroyed"

    def __init__(self, dev):
        self.dev = dev
        out = ffi.new("struct accel_cmdbuf **")
        dev.check(lib.accel_cmdbuf_create(dev.ptr("accel_cmdbuf_create"), out),
                  "accel_cmdbuf_create")
        self._ptr = out[0]
        self._keep = []		# what the stream names
        self._bos = []		# raw BOs named by FILL/COPY/WRITE_VALUE
        dev.adopt(self)

    def release(self):
        if self._ptr is not None:
            lib.accel_cmdbuf_destroy(self._ptr)
            self._ptr = None
        self._keep, self._bos = [], []

    destroy = release

    def __len__(self):
        return lib.accel_cmdbuf_count(self.ptr("accel_cmdbuf_count"))

    @property
    def size(self):
        return lib.accel_cmdbuf_size(self.ptr("accel_cmdbuf_size"))

    @property
    def buffer(self):
        """The BO holding the stream (valid until the next append)."""
        return Buffer(self.dev, 0, _ptr=lib.accel_cmdbuf_bo(self.ptr("accel_cmdbuf_bo")),
                      _owner=self)

    def _append(self, call, fn, *args, keep=(), dma=()):
        self.dev.check(fn(self.ptr(call), *args), call)
        self._keep.extend(k for k in keep if k is not None)
        # libaccel lists the BOs of the tensors ops name; a DMA command's
        # BOs are the binding's to list at submit().
        self._bos.extend(d if isinstance(d, Buffer) else d.buffer
                         for d in dma if isinstance(d, (Buffer, Tensor)))
        self._keep.extend(dma)
        return self

    def reset(self):
        self.dev.check(lib.accel_cmdbuf_reset(self.ptr("accel_cmdbuf_reset")),
                       "accel_cmdbuf_reset")
        self._keep, self._bos = [], []
        return self

    # ---- DMA commands (accel.h); a Buffer or Tensor named here is added to
    # the job's BO list by submit().
    def nop(self):
        return self._append("accel_cmdbuf_nop", lib.accel_cmdbuf_nop)

    def fill(self, dst, size, value, offset=0):
        """FILL: @size bytes at @dst (+@offset) with the 32-bit @value."""
        return self._append("accel_cmdbuf_fill", lib.accel_cmdbuf_fill, _addr(dst, offset),
                            size, value, dma=(dst,))

    def copy(self, dst, src, size, dst_offset=0, src_offset=0):
        return self._append("accel_cmdbuf_copy", lib.accel_cmdbuf_copy,
                            _addr(dst, dst_offset), _addr(src, src_offset), size,
                            dma=(dst, src))

    def write_value(self, dst, value, offset=0):
        return self._append("accel_cmdbuf_write_value", lib.accel_cmdbuf_write_value,
                            _addr(dst, offset), value, dma=(dst,))

    # ---- ops (accel_ops.h)
    def gemm(self, y, x, w, alpha=1.0, act=Act.NONE, bias=None, residual=None, a8=False):
        """y = act(x w^T * alpha + bias) + residual; x BF16 M x K, w packed."""
        call = "accel_op_gemm"
        epi = ffi.new("struct accel_epilogue *")
        epi.alpha, epi.act, epi.flags = alpha, Act(act), GEMM_A8 if a8 else 0
        epi.bias, epi.residual = _t(bias, call), _t(residual, call)
        return self._append(call, lib.accel_op_gemm, _t(y, call), _t(x, call), _t(w, call),
                            epi, keep=(y, x, w, bias, residual))

    def conv2d(self, y, x, w, kh, kw, stride=1, pad=0, alpha=1.0, act=Act.NONE, bias=None,
               a8=False):
        call = "accel_op_conv2d"
        geom = ffi.new("struct accel_conv2d *", (kh, kw, stride, pad))
        epi = ffi.new("struct accel_epilogue *")
        epi.alpha, epi.act, epi.flags = alpha, Act(act), GEMM_A8 if a8 else 0
        epi.bias = _t(bias, call)
        return self._append(call, lib.accel_op_conv2d, _t(y, call), _t(x, call), _t(w, call),
                            geom, epi, keep=(y, x, w, bias))

    def rmsnorm(self, y, x, gain, eps=1e-5):
        call = "accel_op_rmsnorm"
        return self._append(call, lib.accel_op_rmsnorm, _t(y, call), _t(x, call),
                            _t(gain, call), eps, keep=(y, x, gain))

    def layernorm(self, y, x, gain, bias, eps=1e-5):
        call = "accel_op_layernorm"
        return self._append(call, lib.accel_op_layernorm, _t(y, call), _t(x, call),
                            _t(gain, call), _t(bias, call), eps, keep=(y, x, gain, bias))

    def softmax(self, y, x, causal_offset=None):
        """Row-wise softmax; with @causal_offset, ISA v2's causal form."""
        if causal_offset is None:
            call = "accel_op_softmax"
            return self._append(call, lib.accel_op_softmax, _t(y, call), _t(x, call),
                                keep=(y, x))
        call = "accel_op_softmax_causal"
        return self._append(call, lib.accel_op_softmax_causal, _t(y, call), _t(x, call),
                            causal_offset, keep=(y, x))

    def rope(self, y, x, cos, sin):
        call = "accel_op_rope"
        return self._append(call, lib.accel_op_rope, _t(y, call), _t(x, call), _t(cos, call),
                            _t(sin, call), keep=(y, x, cos, sin))

    def _eltwise(self, name, y, a, b, row):
        call = f"accel_op_{name}_row" if row else f"accel_op_{name}"
        return self._append(call, getattr(lib, call), _t(y, call), _t(a, call), _t(b, call),
                            keep=(y, a, b))

    def add(self, y, a, b, row=False):
        """y = a + b; row=True: b is one row added to every row of a."""
        return self._eltwise("add", y, a, b, row)

    def mul(self, y, a, b, row=False):
        return self._eltwise("mul", y, a, b, row)

    def gather(self, y, table, ids):
        call = "accel_op_gather"
        return self._append(call, lib.accel_op_gather, _t(y, call), _t(table, call),
                            _t(ids, call), keep=(y, table, ids))

    def convert(self, dst, src):
        """BF16 <-> FP32, or packed weights -> FP32/BF16 (dequantized)."""
        call = "accel_op_convert"
        return self._append(call, lib.accel_op_convert, _t(dst, call), _t(src, call),
                            keep=(dst, src))

    def barrier(self):
        return self._append("accel_op_barrier", lib.accel_op_barrier)

    def matmul(self, y, a, b, alpha=1.0, trans_b=False, causal_offset=None):
        """ISA v2: y = alpha * (a x b) (b^T with trans_b), FP32, batched;
        @causal_offset set: the causal mask."""
        call = "accel_op_matmul"
        flags = (MATMUL_TRANS_B if trans_b else 0) | \
            (MATMUL_CAUSAL if causal_offset is not None else 0)
        return self._append(call, lib.accel_op_matmul, _t(y, call), _t(a, call), _t(b, call),
                            alpha, flags, causal_offset or 0, keep=(y, a, b))

    # ---- submission
    def submit(self, queue=None, bos=()):
        """Submits the stream as one job: on @queue (a Queue, a priority
        name, or a hardware queue number; default hardware queue 0). The
        buffers FILL/COPY named and @bos are the job's BO list (the tensors
        the ops named are added by libaccel)."""
        call = "accel_cmdbuf_submit"
        args = ffi.new("struct accel_submit *")
        if isinstance(queue, str):
            queue = self.dev.queue(queue)
            self._keep.append(queue)
        if isinstance(queue, Queue):
            args.uqueue = queue.ptr(call)
            self._keep.append(queue)
        elif queue is not None:
            args.queue = int(queue)
        bo_list = list(dict.fromkeys(b.ptr(call) for b in self._bos + list(bos)))
        ptrs = ffi.new("struct accel_bo *[]", bo_list or 1)
        args.bos, args.bo_count = ptrs, len(bo_list)
        self.dev.check(lib.accel_cmdbuf_submit(self.ptr(call), args), call)
        return self

    def wait(self, timeout=None):
        """Waits for the job; returns its JobResult, or raises QuasarError
        (EIO with the device's status when the job failed, ETIME)."""
        call = "accel_cmdbuf_wait"
        res = ffi.new("struct accel_job_result *")
        rc = lib.accel_cmdbuf_wait(self.ptr(call), timeout_ns(timeout), res)
        result = JobResult.from_c(res)
        if rc < 0:
            detail = result.describe() if rc == -errno.EIO else self.dev.last_error()
            raise QuasarError(-rc, call, detail, result)
        return result

    def run(self, timeout=None, **submit_args):
        """submit() then wait(); returns the JobResult."""
        return self.submit(**submit_args).wait(timeout)

    def stats(self):
        """The JobStats of the last job that ran this stream."""
        call = "accel_cmdbuf_stats"
        s = ffi.new("struct accel_job_stats *")
        self.dev.check(lib.accel_cmdbuf_stats(self.ptr(call), s), call)
        return JobStats.from_c(s)
