# SPDX-License-Identifier: MIT
"""Packed checkpoints (.qpk, docs/models.md "Packed checkpoints", byte
layout in models/mdl_packed_layout.h): a thin reader of the file into numpy
arrays and packed weight buffers, their upload as W_* tensors, and the
classifier's forward pass as one command stream, the ops
models/mdl_cls_program.c plans."""
import binascii
import struct
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .errors import invalid
from .job import Act
from .tensor import Format, weights_geometry

MAGIC = 0x4d4b5051	# "QPKM"
VERSION = 2		# formats in the ISA's numbering
KIND_LM, KIND_CLASSIFIER = 1, 2
A_BF16, A_INT8 = 1, 2	# enum dp_afmt: a layer's activations
_HDR = 136		# MDL_PK_HDR_BYTES
_LIN_NAME = 32		# MDL_PK_LIN_NAME


@dataclass
class PackedLinear:
    """One linear layer record: the packed N x K weights as the device reads
    them, the GEMM epilogue's activation and activation format, and the
    input factors (AWQ, SmoothQuant) the input is multiplied by first."""
    name: str
    n: int
    k: int
    act: Act
    afmt: int
    in_group: int
    format: Format
    group: int
    flags: int
    tensor_scale: float
    in_inv: Optional[np.ndarray]
    data: np.ndarray
    scales: np.ndarray
    zeros: np.ndarray
    meta: np.ndarray

    def upload(self, dev):
        """The layer's W_* tensor on @dev."""
        return dev.weights(self.format, self.n, self.k, self.data,
                           self.scales if self.scales.size else None,
                           self.zeros if self.zeros.size else None,
                           self.meta if self.meta.size else None,
                           self.group, self.flags,
                           self.tensor_scale if self.format == Format.W_NVFP4 else 0.0)


class PackedCheckpoint:
    """A .qpk file: ``kind`` (KIND_LM, KIND_CLASSIFIER), ``variant``,
    ``config`` (LM: llama2.c's 7 int32; classifier: its layer dims),
    ``arrays`` (the FP32 arrays by name) and ``layers`` (PackedLinear)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            b = f.read()
        self.path = path
        call = "qpk"

        def fail(what):
            return invalid(call, f"{path}: {what}")

        if len(b) < _HDR or struct.unpack_from("<I", b, 0)[0] != MAGIC:
            raise fail(f"not a packed checkpoint ({len(b)} bytes, magic)")
        magic, version, crc, kind, size, src_crc, nlin, src_size = struct.unpack_from(
            "<IIIIQIIQ", b, 0)
        if version != VERSION:
            raise fail(f"version {version} at offset 4 (this reader: {VERSION})")
        if size != len(b):
            raise fail(f"{len(b)} bytes, the header says {size} at offset 16")
        if binascii.crc32(b[12:]) != crc:
            raise fail(f"CRC-32 {binascii.crc32(b[12:]):#010x}, the header says {crc:#010x}")
        if kind not in (KIND_LM, KIND_CLASSIFIER):
            raise fail(f"kind {kind} at offset 12")
        self.kind, self.src_crc, self.src_size = kind, src_crc, src_size
        self.variant = b[40:88].split(b"\0")[0].decode()
        cfg = struct.unpack_from("<12I", b, 88)
        if kind == KIND_LM:
            self.config = struct.unpack_from("<7i", b, 88)
            names = ["tok_emb", "rms_att", "rms_ffn", "rms_final"]
        else:
            if not 1 <= cfg[0] <= 10:
                raise fail(f"classifier of {cfg[0]} layers at offset 88")
            self.config = cfg[1:cfg[0] + 2]
            names = [f"b{i}" for i in range(cfg[0])]
        at = _HDR
        self.arrays = {}
        for name in names:
            if at + 4 > len(b):
                raise fail(f"truncated at {at} ({name})")
            count = struct.unpack_from("<I", b, at)[0]
            if at + 4 + 4 * count > len(b):
                raise fail(f"truncated in {name} ({count} floats at {at})")
            self.arrays[name] = np.frombuffer(b, np.float32, count, at + 4).copy()
            at += 4 + 4 * count
        self.layers = []
        fixed = struct.Struct(f"<{_LIN_NAME}s8IfI4Q")	# MDL_PK_LIN_FIXED bytes
        for i in range(nlin):
            if at + fixed.size > len(b):
                raise fail(f"truncated at {at} (layer {i} of {nlin})")
            (name, n, k, act, afmt, in_group, fmt, group, flags, ts, ninv,
             *lens) = fixed.unpack_from(b, at)
            name = name.split(b"\0")[0].decode()
            at += fixed.size
            g = weights_geometry(fmt, n, k, group, flags)
            if lens != [g.data_bytes, g.scale_bytes, g.zero_bytes, g.meta_bytes]:
                raise fail(f"layer {name}: buffer sizes {lens}, format {Format(fmt).name} "
                           f"needs {[g.data_bytes, g.scale_bytes, g.zero_bytes, g.meta_bytes]}")
            if ninv not in (0, k):
                raise fail(f"layer {name}: {ninv} input factors for {k} inputs")
            if at + 4 * ninv + sum(lens) > len(b):
                raise fail(f"truncated in layer {name} (record at {at - fixed.size})")
            in_inv = np.frombuffer(b, np.float32, ninv, at).copy() if ninv else None
            at += 4 * ninv
            bufs = []
            for ln in lens:
                bufs.append(np.frombuffer(b, np.uint8, ln, at).copy())
                at += ln
            self.layers.append(PackedLinear(name, n, k, Act(act), afmt, in_group, Format(fmt),
                                            group, flags, ts, in_inv, *bufs))
        if at != len(b):
            raise fail(f"{len(b) - at} bytes after the last layer record")


class Classifier:
    """The classifier of a packed checkpoint on the device, for batches of
    @batch rows: per layer, an FP32 input is multiplied by the layer's
    input factors (if any) and converted to BF16; the GEMM adds the bias
    and the activation (int8 activations for A8 layers) and writes BF16,
    or FP32 for the last layer and before a layer with input factors."""

    def __init__(self, dev, ckpt, batch):
        if ckpt.kind != KIND_CLASSIFIER:
            raise invalid("qpk", f"{ckpt.path}: kind {ckpt.kind} is not a classifier")
        self.dev, self.batch, self.ckpt = dev, batch, ckpt
        ls = ckpt.layers
        self.input = dev.tensor((batch, ls[0].k), "fp32")
        self.cb = cb = dev.cmdbuf()
        x = self.input
        for i, layer in enumerate(ls):
            if x.format == Format.FP32:
                if layer.in_inv is not None:
                    xs = dev.tensor((batch, layer.k))
                    cb.mul(xs, x, dev.tensor_from(layer.in_inv), row=True)
                    x = xs
                xb = dev.tensor((batch, layer.k), "bf16")
                cb.convert(xb, x)
                x = xb
            last = i + 1 == len(ls)
            ofmt = "fp32" if last or ls[i + 1].in_inv is not None else "bf16"
            y = dev.tensor((batch, layer.n), ofmt)
            bias = ckpt.arrays.get(f"b{i}")
            cb.gemm(y, x, layer.upload(dev), act=layer.act,
                    bias=dev.tensor_from(bias) if bias is not None else None,
                    a8=layer.afmt == A_INT8)
            x = y
        self.output = x

    def __call__(self, x, timeout=None):
        """Logits (float32, batch x classes) of the rows of @x."""
        self.input.write(np.asarray(x, np.float32).reshape(self.batch, -1))
        self.cb.run(timeout=timeout)
        return self.output.read()
