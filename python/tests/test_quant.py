# SPDX-License-Identifier: MIT
"""The numpy INT8 quantizer and packer against the C compression library
(tests/python/py_int8_ref.c), bit for bit."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import quasar

REF = os.environ.get("PY_INT8_REF") or shutil.which("py_int8_ref")


def _c_packed(w):
    n, k = w.shape
    run = subprocess.run([REF], input=np.array([n, k], np.uint32).tobytes() + w.tobytes(),
                         capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    out = run.stdout
    g = quasar.weights_geometry("w_int8", n, k)
    assert len(out) == g.data_bytes + g.scale_bytes
    return np.frombuffer(out[:g.data_bytes], np.uint8), np.frombuffer(out[g.data_bytes:], np.uint8)


def _cases():
    rng = np.random.default_rng(11)
    yield "random_40x96", rng.standard_normal((40, 96)).astype(np.float32)
    yield "one_row_k5", rng.uniform(-3, 3, (1, 5)).astype(np.float32)
    ties = np.tile(np.arange(-127, 128, 0.5, dtype=np.float32)[:508], (3, 1))
    ties[1] *= 1e-30	# subnormal scale
    yield "ties_at_half_steps", ties
    z = rng.standard_normal((17, 33)).astype(np.float32)
    z[4] = 0	# s = 0: codes 0
    z[5] = -z[5]
    yield "zero_row_17x33", z
    yield "wide_range", (rng.standard_normal((16, 64)) * 10.0 ** rng.integers(-20, 20, (16, 1))
                         ).astype(np.float32)


@pytest.mark.skipif(REF is None, reason="py_int8_ref is not in PATH")
@pytest.mark.parametrize("name,w", list(_cases()), ids=[c[0] for c in _cases()])
def test_numpy_int8_quantizer_matches_the_c_library(name, w):
    codes, scales = quasar.quantize_int8(w)
    data, sbuf = quasar.pack_int8(codes, scales)
    c_data, c_scales = _c_packed(w)
    assert np.array_equal(sbuf, c_scales), f"{name}: scales differ"
    bad = np.flatnonzero(data != c_data)
    assert bad.size == 0, f"{name}: packed codes differ at bytes {bad[:8]}"
    assert codes.min() >= -127 and codes.max() <= 127
