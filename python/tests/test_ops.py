# SPDX-License-Identifier: MIT
"""Ops on the device against numpy: a GEMM with INT8 weights, the packed
layout read back by the device, and the vector ops."""
import numpy as np

import quasar

M, K, N = 8, 96, 40	# N not a multiple of 16, K not of 32: both padded


def _x(shape):	# eighths: exact in BF16, the GEMM's input format
    return ((np.arange(np.prod(shape)) * 37 % 17 - 8) / 8).astype(np.float32).reshape(shape)


def _w(n, k, seed=3):
    return np.random.default_rng(seed).standard_normal((n, k)).astype(np.float32)


def test_gemm_int8_weights_against_numpy(dev):
    x, w = _x((M, K)), _w(N, K)
    codes, scales = quasar.quantize_int8(w)
    tx, ty = dev.tensor_from(x, "bf16"), dev.tensor((M, N), "fp32")
    tw = dev.weights_int8(w)
    assert tw.format == quasar.Format.W_INT8 and tw.shape == (N, K)
    dev.cmdbuf().gemm(ty, tx, tw).run(timeout=120)
    ref = x.astype(np.float64) @ quasar.dequantize_int8(codes, scales).astype(np.float64).T
    got = ty.read()
    assert np.max(np.abs(got - ref)) <= 1e-4 * max(1.0, np.max(np.abs(ref))), (got, ref)


def test_gemm_epilogue_alpha_bias_relu(dev):
    x, w = _x((M, K)), _w(N, K, seed=5)
    bias = np.linspace(-1, 1, N).astype(np.float32)
    tx, ty, tb = dev.tensor_from(x, "bf16"), dev.tensor((M, N)), dev.tensor_from(bias)
    dev.cmdbuf().gemm(ty, tx, dev.weights_int8(w), alpha=0.5, act=quasar.Act.RELU,
                      bias=tb).run(timeout=120)
    wq = quasar.dequantize_int8(*quasar.quantize_int8(w)).astype(np.float64)
    ref = np.maximum(x.astype(np.float64) @ wq.T * 0.5 + bias, 0)
    assert np.allclose(ty.read(), ref, rtol=1e-4, atol=1e-4)


def test_device_reads_the_packed_int8_layout_as_numpy_wrote_it(dev):
    w = _w(N, K, seed=7)
    codes, scales = quasar.quantize_int8(w)
    out = dev.tensor((N, K), "fp32")
    dev.cmdbuf().convert(out, dev.weights_int8(w)).run(timeout=60)
    # CONVERT dequantizes with the datapath's own rule: f32(q * s), bit for bit.
    assert np.array_equal(out.read().view(np.uint32),
                          quasar.dequantize_int8(codes, scales).view(np.uint32))


def test_vector_ops_against_numpy(dev):
    x = _x((4, 64)) * 3
    g = np.linspace(0.5, 1.5, 64).astype(np.float32)
    tx, tg = dev.tensor_from(x), dev.tensor_from(g)
    norm, soft, s, p = (dev.tensor((4, 64)) for _ in range(4))
    cb = dev.cmdbuf().rmsnorm(norm, tx, tg, eps=1e-5).softmax(soft, tx)
    cb.add(s, norm, soft).mul(p, tx, tx)
    cb.run(timeout=120)
    x64 = x.astype(np.float64)
    ref_norm = x64 / np.sqrt(np.mean(x64 * x64, axis=1, keepdims=True) + 1e-5) * g
    e = np.exp(x64 - x64.max(axis=1, keepdims=True))
    ref_soft = e / e.sum(axis=1, keepdims=True)
    assert np.allclose(norm.read(), ref_norm, rtol=1e-5, atol=1e-5)
    assert np.allclose(soft.read(), ref_soft, rtol=1e-5, atol=1e-6)
    assert np.allclose(s.read(), ref_norm + ref_soft, rtol=1e-5, atol=1e-5)
    assert np.array_equal(p.read(), x * x)	# one rounding, as numpy's
