# SPDX-License-Identifier: MIT
"""quasar: Python access to the Quasar NPU through libaccel.so.1.

    import numpy as np, quasar

    with quasar.Device() as dev:                   # $ACCEL_DEVICE or the first quasar node
        x = dev.tensor_from(np.ones((8, 64), np.float32), "bf16")
        w = dev.weights_int8(np.eye(32, 64, dtype=np.float32))
        y = dev.tensor((8, 32), "fp32")
        cb = dev.cmdbuf().gemm(y, x, w)
        cb.run()                                   # submit, wait
        print(y.read(), cb.stats().cycles)

docs/python.md has the whole API.
"""
import errno as _errno

from ._ffi import ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR, ACCEL_VERSION_PATCH, ffi, lib
from .device import Buffer, Device, DeviceInfo
from .errors import QuasarError
from .graph import Graph, GraphNode
from .job import (Act, CommandBuffer, JobCost, JobResult, JobStats, Priority, Queue,
                  status_name)
from . import qpk
from .lm import GeneratedToken, LanguageModel, LMConfig
from .qpk import Classifier, PackedCheckpoint, PackedLinear
from .sample import Sampler
from .quant import dequantize_int8, pack_int8, quantize_int8
from .tensor import (TENSOR_ZERO_POINTS, Format, Tensor, WeightGeometry, bf16_bits,
                     bf16_values, weights_geometry)

__all__ = ["Act", "Buffer", "Classifier", "CommandBuffer", "Device", "DeviceInfo", "Format",
           "GeneratedToken", "Graph", "GraphNode", "JobCost", "JobResult", "JobStats",
           "LMConfig", "LanguageModel", "PackedCheckpoint", "PackedLinear", "Priority",
           "QuasarError", "Queue", "Sampler", "TENSOR_ZERO_POINTS", "Tensor", "WeightGeometry",
           "bf16_bits",
           "bf16_values", "check_version", "dequantize_int8", "library_version",
           "open", "pack_int8", "qpk", "quantize_int8", "status_name", "weights_geometry"]

# The accel.h this binding was written for, ACCEL_VERSION_ENCODE()'d.
VERSION = ACCEL_VERSION_MAJOR << 16 | ACCEL_VERSION_MINOR << 8 | ACCEL_VERSION_PATCH
__version__ = f"{ACCEL_VERSION_MAJOR}.{ACCEL_VERSION_MINOR}.{ACCEL_VERSION_PATCH}"


def library_version():
    """(encoded, "major.minor.patch") of the libaccel.so.1 loaded."""
    s = ffi.new("const char **")
    v = lib.accel_version(s)
    return v, ffi.string(s[0]).decode()


def check_version(found=None, wanted=VERSION):
    """Raises QuasarError(ENOTSUP) unless a library of version @found (the
    loaded one by default) has the ABI of @wanted: the same major number
    (the soname's) and a minor number at least @wanted's, as a C program
    compares accel_version() with ACCEL_VERSION. Returns @found."""
    if found is None:
        found = library_version()[0]

    def text(v):
        return f"{v >> 16}.{v >> 8 & 0xff}.{v & 0xff}"

    if found >> 16 != wanted >> 16 or (found >> 8 & 0xff) < (wanted >> 8 & 0xff):
        raise QuasarError(_errno.ENOTSUP, "accel_version",
                          f"libaccel {text(found)} loaded, the quasar binding needs "
                          f"{wanted >> 16}.x with x >= {wanted >> 8 & 0xff} ({text(wanted)})")
    return found


def open(path=None):
    """Opens the device (see Device)."""
    return Device(path)


check_version()
