# SPDX-License-Identifier: MIT
"""The device and its buffer objects."""
import errno
import os
import weakref
from dataclasses import dataclass

import numpy as np

from ._ffi import ffi, lib
from .errors import QuasarError, check, last_error
from .handle import Handle

TIMEOUT_INFINITE = (1 << 63) - 1


def timeout_ns(seconds):
    """Seconds (None: forever) as libaccel's relative timeout in ns."""
    if seconds is None:
        return TIMEOUT_INFINITE
    return max(0, int(seconds * 1e9))


def _names(bits, namer):
    out = []
    for b in range(32):
        if bits >> b & 1:
            name = namer(b)
            out.append(ffi.string(name).decode() if name != ffi.NULL else f"bit{b}")
    return out


@dataclass(frozen=True)
class DeviceInfo:
    """&struct drm_quasar_device_info with its bit sets named."""
    path: str
    driver: str
    pci_vendor: int
    pci_device: int
    hw_version: int
    fw_version: int
    fw_build_id: int
    fw_abi: int
    caps: list
    ops: list
    formats: list
    num_queues: int
    num_contexts: int
    va_start: int
    va_end: int
    page_size: int
    max_cmd_size: int
    num_engines: int
    queue_priorities: list


class Device:
    """An open Quasar device (``/dev/accel/accelN``).

    ``Device()`` opens ``path``, else the node named by $ACCEL_DEVICE, else
    the first node whose DRM driver is "quasar". Use it as a context
    manager, or call :meth:`close`; closing frees every object made from it
    (buffers, tensors, command buffers, queues, graphs), newest first, so
    numpy views of their memory must not be used after it.
    """

    def __init__(self, path=None):
        out = ffi.new("struct accel_device **")
        rc = lib.accel_device_open(path.encode() if path else ffi.NULL, out)
        if rc < 0:
            env = os.environ.get("ACCEL_DEVICE")
            where = (f"path {path}" if path else f"$ACCEL_DEVICE={env}" if env else
                     "no /dev/accel/accel* driven by quasar")
            raise QuasarError(-rc, "accel_device_open", where)
        self._ptr = out[0]
        self._children = []
        self._prune_at = 64

    @classmethod
    def open(cls, path=None):
        return cls(path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_ptr", None) is not None:
            self.close()

    @property
    def closed(self):
        return self._ptr is None

    def ptr(self, call):
        """The C pointer; QuasarError(EBADF) once closed."""
        if self._ptr is None:
            raise QuasarError(errno.EBADF, call, "the device is closed")
        return self._ptr

    def adopt(self, child):
        """Registers an object to free before the device closes."""
        self._children.append(weakref.ref(child))
        # Dead references are dropped when the list has doubled since the
        # last pass: linear in the objects made, however many stay alive.
        if len(self._children) > self._prune_at:
            self._children = [r for r in self._children if r() is not None]
            self._prune_at = max(64, 2 * len(self._children))
        return child

    def close(self):
        if self._ptr is None:
            return
        for ref in reversed(self._children):
            child = ref()
            if child is not None:
                child.release()
        self._children = []
        lib.accel_device_close(self._ptr)
        self._ptr = None

    def check(self, rc, call):
        return check(rc, call, self._ptr)

    def last_error(self):
        return last_error(self._ptr)

    @property
    def path(self):
        return ffi.string(lib.accel_device_path(self.ptr("accel_device_path"))).decode()

    @property
    def info(self):
        p = self.ptr("accel_device_info")
        i = lib.accel_device_info(p)
        drv = lib.accel_device_driver(p)
        return DeviceInfo(
            path=self.path,
            driver=ffi.string(drv.name).decode(),
            pci_vendor=i.pci_vendor, pci_device=i.pci_device, hw_version=i.hw_version,
            fw_version=i.fw_version, fw_build_id=i.fw_build_id, fw_abi=i.fw_abi,
            caps=_names(i.caps, lib.accel_cap_name),
            ops=_names(i.ops, lib.accel_op_name),
            formats=_names(i.formats, lib.accel_format_name),
            num_queues=i.num_queues, num_contexts=i.num_contexts,
            va_start=i.va_start, va_end=i.va_end, page_size=i.page_size,
            max_cmd_size=i.max_cmd_size, num_engines=i.num_engines,
            queue_priorities=_names(i.queue_priorities, lib.accel_priority_name))

    # Constructors of the objects that live on the device (imported here:
    # those modules use Buffer and the device's checks).
    def buffer(self, size):
        return Buffer(self, size)

    def tensor(self, shape, dtype="fp32"):
        from .tensor import Tensor
        return Tensor.create(self, shape, dtype)

    def tensor_from(self, array, dtype=None):
        from .tensor import Tensor
        return Tensor.from_numpy(self, array, dtype)

    def weights(self, fmt, n, k, data, scales=None, zeros=None, meta=None, group=0,
                flags=0, tensor_scale=0.0):
        from .tensor import Tensor
        return Tensor.weights(self, fmt, n, k, data, scales, zeros, meta, group, flags,
                              tensor_scale)

    def weights_int8(self, w):
        """A W_INT8 tensor of the N x K float32 @w, quantized per output
        channel and packed in numpy (quasar.quant)."""
        from .quant import quantize_int8, pack_int8
        codes, scales = quantize_int8(w)
        data, sbuf = pack_int8(codes, scales)
        return self.weights("w_int8", codes.shape[0], codes.shape[1], data, sbuf)

    def cmdbuf(self):
        from .job import CommandBuffer
        return CommandBuffer(self)

    def queue(self, priority):
        from .job import Queue
        return Queue(self, priority)

    def graph(self):
        from .graph import Graph
        return Graph(self)


class Buffer(Handle):
    """A buffer object: zero-filled device memory, page-rounded, mapped for
    the CPU. ``array`` is a numpy uint8 view of the mapping (valid until the
    buffer is freed); ``addr`` its device address. ``owner`` is set for the
    BO of a tensor or command buffer, which frees it itself."""

    _gone = "the buffer is freed"

    def __init__(self, dev, size, _ptr=None, _owner=None):
        self.dev = dev
        self._owner = _owner
        if _ptr is None:
            out = ffi.new("struct accel_bo **")
            dev.check(lib.accel_bo_create(dev.ptr("accel_bo_create"), size, out),
                      "accel_bo_create")
            self._ptr = out[0]
            dev.adopt(self)
        else:
            self._ptr = _ptr
        self._array = None

    def release(self):
        if self._ptr is not None and self._owner is None:
            lib.accel_bo_free(self._ptr)
        self._ptr = None
        self._array = None

    free = release

    @property
    def size(self):
        return lib.accel_bo_size(self.ptr("accel_bo_size"))

    @property
    def addr(self):
        return lib.accel_bo_addr(self.ptr("accel_bo_addr"))

    @property
    def handle(self):
        return lib.accel_bo_handle(self.ptr("accel_bo_handle"))

    @property
    def array(self):
        if self._array is None:
            p = self.ptr("accel_bo_map")
            out = ffi.new("void **")
            self.dev.check(lib.accel_bo_map(p, out), "accel_bo_map")
            buf = ffi.buffer(out[0], lib.accel_bo_size(p))
            self._array = np.frombuffer(buf, dtype=np.uint8)
        return self._array

    def wait(self, timeout=None):
        from .job import JobResult
        res = ffi.new("struct accel_job_result *")
        rc = lib.accel_bo_wait(self.ptr("accel_bo_wait"), timeout_ns(timeout), res)
        result = JobResult.from_c(res)
        if rc < 0:
            raise QuasarError(-rc, "accel_bo_wait", result.describe(), result)
        return result
