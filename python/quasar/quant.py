# SPDX-License-Identifier: MIT
"""INT8 per-channel weights in numpy: the datapath's quantizer rule
(docs/numerics.md section 3, dp_quant.c) and the device's packed layout
(section 7, dp_layout.h), for W_INT8 tensors without the C compression
library. Bit for bit with compress_quantize(DP_W_INT8): every step is one
binary32 operation, as in C (python/tests/test_quant.py checks it on the
device against the datapath's dequantization)."""
import numpy as np

PANEL = 16	# rows per panel (DP_PANEL)


def _quant_int(v, lo, hi):
    """dp_quant_int: NaN -> 0, clamp, round to nearest even."""
    v = np.asarray(v, dtype=np.float32)
    out = np.rint(np.clip(np.nan_to_num(v, nan=0.0, posinf=hi, neginf=lo), lo, hi))
    return out.astype(np.int32)


def quantize_int8(w):
    """Symmetric per output channel: amax = max |w| over the row (NaN
    ignored), s = f32(amax / 127), q = quant_int(f32(w / s), -127, 127),
    q = 0 where s = 0. Returns (codes int8 N x K, scales float32 N)."""
    w = np.asarray(w, dtype=np.float32)
    if w.ndim != 2:
        raise ValueError(f"weights of shape {w.shape}: expected N x K")
    a = np.abs(w)
    amax = np.where(np.isnan(a), np.float32(0), a).max(axis=1).astype(np.float32)
    s = (amax / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = _quant_int((w / s[:, None]).astype(np.float32), -127, 127)
    q = np.where((s > 0)[:, None], q, 0)
    return q.astype(np.int8), s


def pack_int8(codes, scales, kpad=None):
    """The device layout of an N x K int8 matrix: panels of 16 rows, K
    padded to a multiple of 32 (@kpad: the geometry's), each 64-byte line 4
    consecutive k of each of the 16 rows; FP32 scales [panel][16 rows].
    Padding is zero. Returns (data bytes, scale bytes) as uint8 arrays."""
    codes = np.asarray(codes, dtype=np.int8)
    n, k = codes.shape
    npad = -(-n // PANEL) * PANEL
    kpad = kpad or -(-k // 32) * 32
    full = np.zeros((npad, kpad), dtype=np.int8)
    full[:n, :k] = codes
    data = full.reshape(npad // PANEL, PANEL, kpad // 4, 4).transpose(0, 2, 1, 3)
    sc = np.zeros(npad, dtype=np.float32)
    sc[:n] = scales
    return np.ascontiguousarray(data).view(np.uint8).reshape(-1), sc.view(np.uint8)


def dequantize_int8(codes, scales):
    """The values the device's GEMM uses: f32(q * s) (section 2.1)."""
    return (codes.astype(np.float32) * np.asarray(scales, np.float32)[:, None]).astype(
        np.float32)
