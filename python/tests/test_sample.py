# SPDX-License-Identifier: MIT
"""quasar.Sampler (greedy, seeded temperature / top-k sampling) against the
models library's C sampler (tests/python/py_sample_ref.c, which links
models/mdl_lm_sample.c), token for token, and its exponential bit for bit:
the same seed must give the same text as accel-generate on any machine."""
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest

import quasar
from quasar import sample

REF = os.environ.get("PY_SAMPLE_REF") or shutil.which("py_sample_ref")


def _c_sample(logits, temperature, top_k, seed):
    rows, vocab = logits.shape
    head = struct.pack("<IIdQI", vocab, top_k, temperature, seed, rows)
    run = subprocess.run([REF], input=head + logits.astype(np.float32).tobytes(),
                         capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    return (list(np.frombuffer(run.stdout[:4 * rows], np.uint32)),
            np.frombuffer(run.stdout[4 * rows:], np.float64))


def _logits(rows, vocab, seed):
    """Rows of logits with what the order must settle: ties, -0 and 0, NaN,
    infinities, a row all NaN, a wide range."""
    rng = np.random.default_rng(seed)
    lg = (rng.standard_normal((rows, vocab)) * 3).astype(np.float32)
    lg[:, 5] = lg[:, 9]			# a tie
    lg[1, :] = np.round(lg[1, :])		# many ties
    lg[2, 3], lg[2, 4] = -0.0, 0.0
    lg[3, 7] = np.nan
    lg[4, :] = np.nan
    lg[5, 11] = np.inf
    lg[6, 2] = -np.inf
    lg[7, :] *= 1e4				# weights underflow to 0 past the first
    lg[8, :] = 0.0				# all equal
    return lg


CASES = [(0.0, 0, 1), (0.8, 40, 7), (1.0, 0, 1), (0.3, 1, 99), (2.5, 256, 12345),
         (1e-3, 3, 2 ** 64 - 1), (7.0, 17, 0)]


@pytest.mark.skipif(REF is None, reason="py_sample_ref is not in PATH")
@pytest.mark.parametrize("temperature,top_k,seed", CASES)
def test_sampler_matches_the_c_sampler(temperature, top_k, seed):
    lg = _logits(64, 256, seed % 1000)
    want, exps = _c_sample(lg, temperature, top_k, seed)
    s = quasar.Sampler(256, temperature, top_k, seed)
    got = [s(row) for row in lg]
    assert got == [int(t) for t in want]
    mine = np.array([sample.sample_exp(float(row[0]) - 40.0) for row in lg])
    assert mine.tobytes() == exps.tobytes(), "sample_exp differs from mdl_sample_exp"


def test_rng_is_xoshiro256starstar_seeded_by_splitmix64():
    # splitmix64 from 0, the published first outputs, then xoshiro256** of that state
    r = sample.Rng(0)
    assert r.s[0] == 0xe220a8397b1dcdaf and r.s[1] == 0x6e789e6aa1b965f4
    first = [r.u64() for _ in range(3)]
    assert len(set(first)) == 3 and all(0 <= v < 2 ** 64 for v in first)


def test_sampler_refuses_bad_parameters():
    for args, text in [((256, -0.5), "temperature -0.5"), ((256, float("inf")), "temperature inf"),
                       ((256, 1.0, 300), "top-k 300: past the vocabulary of 256"),
                       ((0,), "a vocabulary of 0 tokens")]:
        with pytest.raises(quasar.QuasarError) as e:
            quasar.Sampler(*args)
        assert text in str(e.value)
