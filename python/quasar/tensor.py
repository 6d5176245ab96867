# SPDX-License-Identifier: MIT
"""Tensors: a drm_quasar_tensor descriptor over a buffer object, read and
written as numpy arrays; packed weight matrices from buffers already in the
device layout (docs/numerics.md section 7)."""
import enum
import errno
from dataclasses import dataclass

import numpy as np

from ._ffi import ffi, lib
from .device import Buffer
from .errors import QuasarError, invalid
from .handle import Handle


class Format(enum.IntEnum):
    """&enum drm_quasar_format (uapi/drm/quasar_isa.h)."""
    U8 = 0
    FP32 = 1
    BF16 = 2
    U32 = 3
    W_BF16 = 4
    W_INT8 = 5
    W_INT4 = 6
    W_MXINT8 = 7
    W_MXFP8 = 8
    W_MXFP4 = 9
    W_NVFP4 = 10
    W_SP_BF16 = 11
    W_SP_INT8 = 12
    W_SP_INT4 = 13

    @classmethod
    def parse(cls, value):
        """A Format from a Format, its number, its name in any case
        ("bf16", "W_INT8") or a numpy dtype (float32, uint32, uint8)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                pass
        elif isinstance(value, int):
            try:
                return cls(value)
            except ValueError:
                pass
        else:
            try:
                dt = np.dtype(value)
            except TypeError:
                dt = None
            if dt in _DTYPE_FORMAT:
                return _DTYPE_FORMAT[dt]
        raise invalid("format", f"unknown tensor format {value!r}")

    @property
    def packed(self):
        return bool(lib.accel_format_is_packed(self))


TENSOR_ZERO_POINTS = 1 << 0	# DRM_QUASAR_TENSOR_ZERO_POINTS

_DTYPE_FORMAT = {np.dtype(np.float32): Format.FP32, np.dtype(np.uint32): Format.U32,
                 np.dtype(np.uint8): Format.U8}
# The numpy dtype of each plain format's raw elements (BF16: its bits).
_RAW_DTYPE = {Format.U8: np.uint8, Format.FP32: np.float32, Format.BF16: np.uint16,
              Format.U32: np.uint32}


@dataclass(frozen=True)
class WeightGeometry:
    """&struct accel_wgeom: bytes of each buffer of a packed tensor."""
    data_bytes: int
    scale_bytes: int
    zero_bytes: int
    meta_bytes: int
    panels: int
    kpad: int
    blocks: int


def _weights_struct(fmt, n, k, group, flags, tensor_scale):
    w = ffi.new("struct accel_weights *")
    w.format, w.n, w.k, w.group, w.flags = Format.parse(fmt), n, k, group, flags
    w.tensor_scale = tensor_scale
    return w


def weights_geometry(fmt, n, k, group=0, flags=0):
    """The packed layout's buffer sizes for an N x K matrix of format @fmt."""
    w = _weights_struct(fmt, n, k, group, flags, 0.0)
    g = ffi.new("struct accel_wgeom *")
    rc = lib.accel_weights_geometry(w, g)
    if rc < 0:	# no device, so no last-error text: say what was asked
        raise QuasarError(-rc, "accel_weights_geometry",
                          f"format {Format.parse(fmt).name}, n {n}, k {k}, group {group}, "
                          f"flags {flags:#x}")
    return WeightGeometry(g.data_bytes, g.scale_bytes, g.zero_bytes, g.meta_bytes,
                          g.panels, g.kpad, g.blocks)


def _as_bytes(call, name, buf, want):
    """A C-contiguous byte view of a packed buffer, checked against its size."""
    if buf is None:
        return ffi.NULL, None
    arr = np.ascontiguousarray(buf)
    if arr.nbytes != want:
        raise invalid(call, f"{name}: {arr.nbytes} bytes, the format's geometry has {want}")
    return ffi.from_buffer(arr), arr


class Tensor(Handle):
    """A tensor on the device. Plain ones (FP32, BF16, U32, U8) are made by
    :meth:`create` / :meth:`from_numpy`, packed weights by :meth:`weights`,
    other views of the same memory by :meth:`view`."""

    _gone = "the tensor is freed"

    def __init__(self, dev, ptr, shape, base=None):
        self.dev = dev
        self._ptr = ptr
        self.shape = tuple(shape)
        self.base = base	# the tensor a view shares its BO with
        dev.adopt(self)

    @classmethod
    def create(cls, dev, shape, dtype="fp32"):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        fmt = Format.parse(dtype)
        if any(int(d) < 0 or int(d) > 0xffffffff for d in shape):
            raise invalid("accel_tensor_create", f"dims {list(shape)}: extent out of range")
        dims = ffi.new("uint32_t[]", [int(d) for d in shape] or [0])
        out = ffi.new("struct accel_tensor **")
        dev.check(lib.accel_tensor_create(dev.ptr("accel_tensor_create"), fmt, len(shape),
                                          dims, out), "accel_tensor_create")
        return cls(dev, out[0], shape)

    @classmethod
    def from_numpy(cls, dev, array, dtype=None):
        """A tensor of @array's shape holding its values: float32 -> FP32,
        uint32 -> U32, uint8 -> U8; dtype="bf16" rounds float values to
        BF16 (round to nearest even, as the datapath)."""
        array = np.asarray(array)
        fmt = Format.parse(dtype if dtype is not None else array.dtype)
        t = cls.create(dev, array.shape, fmt)
        t.write(array)
        return t

    @classmethod
    def weights(cls, dev, fmt, n, k, data, scales=None, zeros=None, meta=None, group=0,
                flags=0, tensor_scale=0.0):
        """A packed N x K weight tensor from buffers in the device layout
        (numpy arrays or bytes; each must have its geometry's size)."""
        call = "accel_tensor_create_weights"
        g = weights_geometry(fmt, n, k, group, flags)
        w = _weights_struct(fmt, n, k, group, flags, tensor_scale)
        keep = []
        for name, buf, want in (("data", data, g.data_bytes), ("scales", scales, g.scale_bytes),
                                ("zeros", zeros, g.zero_bytes), ("meta", meta, g.meta_bytes)):
            p, arr = _as_bytes(call, name, buf, want)
            setattr(w, name, p)
            keep.append(arr)
        out = ffi.new("struct accel_tensor **")
        dev.check(lib.accel_tensor_create_weights(dev.ptr(call), w, out), call)
        return cls(dev, out[0], (n, k))

    def view(self, offset, shape, strides=None):
        """Other extents (and strides, in elements) over this tensor's BO,
        from element @offset. Free it (or let it go) before this tensor."""
        call = "accel_tensor_view"
        shape = tuple(shape)
        dims = ffi.new("uint32_t[]", list(shape))
        st = ffi.new("uint32_t[]", list(strides)) if strides is not None else ffi.NULL
        if strides is not None and len(strides) != len(shape):
            raise invalid(call, f"{len(strides)} strides for {len(shape)} dims")
        out = ffi.new("struct accel_tensor **")
        self.dev.check(lib.accel_tensor_view(self.ptr(call), offset, len(shape), dims, st, out),
                       call)
        return Tensor(self.dev, out[0], shape, base=self)

    def release(self):
        if self._ptr is not None:
            lib.accel_tensor_free(self._ptr)
            self._ptr = None

    free = release

    def __repr__(self):
        state = "" if self._ptr is not None else ", freed"
        return f"<quasar.Tensor {self.format.name} {list(self.shape)}{state}>"

    @property
    def desc(self):
        return lib.accel_tensor_desc(self.ptr("accel_tensor_desc"))

    @property
    def format(self):
        return Format(self.desc.format)

    @property
    def addr(self):
        return self.desc.addr

    @property
    def strides(self):
        return tuple(self.desc.strides)

    @property
    def elems(self):
        return lib.accel_tensor_elems(self.ptr("accel_tensor_elems"))

    @property
    def buffer(self):
        """The BO holding the tensor (owned by the tensor)."""
        return Buffer(self.dev, 0, _ptr=lib.accel_tensor_bo(self.ptr("accel_tensor_bo")),
                      _owner=self)

    @property
    def array(self):
        """A numpy view of a dense plain tensor's elements in the mapped BO
        (BF16: its bits as uint16); valid while the tensor lives."""
        call = "accel_tensor_map"
        fmt = self.format
        if fmt.packed:
            raise invalid(call, f"format {fmt.name}: a packed tensor has no element array")
        p = ffi.new("void **")
        self.dev.check(lib.accel_tensor_map(self.ptr(call), p), call)
        d, st = list(self.desc.dims), list(self.desc.strides)
        if tuple(st[:3]) != (d[1] * d[2] * d[3], d[2] * d[3], d[3]):
            raise invalid(call, f"strides {list(st)}: only a dense tensor has an array view")
        dt = np.dtype(_RAW_DTYPE[fmt])
        arr = np.frombuffer(ffi.buffer(p[0], self.elems * dt.itemsize), dtype=dt)
        return arr.reshape(self.shape)

    def write(self, values):
        """Copies @values (the tensor's element count, any shape) in: float
        values for FP32 and BF16 (converted, RNE), uint16 bits for BF16
        raw, uint32 for U32, uint8 for U8."""
        fmt = self.format
        values = np.asarray(values)
        count = values.size
        if fmt in (Format.FP32, Format.BF16) and values.dtype != np.uint16:
            src = np.ascontiguousarray(values, dtype=np.float32)
            self._io(lib.accel_tensor_write_f32, "accel_tensor_write_f32",
                     ffi.cast("const float *", ffi.from_buffer(src)), count)
            return
        want = _RAW_DTYPE.get(fmt)
        if want is None or values.dtype != want:
            raise invalid("accel_tensor_write",
                          f"format {fmt.name}: values of dtype {values.dtype}, "
                          f"expected {np.dtype(want).name if want else 'a plain format'}")
        src = np.ascontiguousarray(values)
        self._io(lib.accel_tensor_write, "accel_tensor_write", ffi.from_buffer(src), count)

    def read(self, raw=False):
        """The elements as a new numpy array of the tensor's shape: float32
        for FP32 and BF16 (raw=True: BF16's bits as uint16)."""
        fmt = self.format
        if fmt in (Format.FP32, Format.BF16) and not raw:
            dst = np.empty(self.shape, dtype=np.float32)
            self._io(lib.accel_tensor_read_f32, "accel_tensor_read_f32",
                     ffi.cast("float *", ffi.from_buffer(dst)), dst.size)
            return dst
        if fmt.packed:
            raise invalid("accel_tensor_read", f"format {fmt.name}: a packed tensor has no "
                          "plain elements to read")
        dst = np.empty(self.shape, dtype=_RAW_DTYPE[fmt])
        self._io(lib.accel_tensor_read, "accel_tensor_read", ffi.from_buffer(dst), dst.size)
        return dst

    def _io(self, fn, call, buf, count):
        self.dev.check(fn(self.ptr(call), buf, count), call)


def bf16_bits(values):
    """float32 -> BF16 bits (uint16), round to nearest even, NaN kept quiet:
    docs/numerics.md section 1, what accel_tensor_write_f32 does."""
    u = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    nan = np.isnan(u.view(np.float32))
    r = ((u + np.uint32(0x7fff) + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    return np.where(nan, ((u >> 16) | 0x40).astype(np.uint16), r)


def bf16_values(bits):
    """BF16 bits (uint16) -> float32, exactly."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)

