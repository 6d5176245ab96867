# SPDX-License-Identifier: MIT
"""Packed checkpoints: the reader, and the classifier's forward pass built
in Python from a .qpk, bit for bit with the C device program's outputs
(the .figures file the host wrote with models/programs/mdl-cls-fwrun)."""
import errno
import gzip

import numpy as np
import pytest

import quasar
from quasar import qpk

from figures import data, figures, fnv64

VARIANTS = ["fmnist-mlp-int8-a8-smooth", "fmnist-mlp-int4-g32-a16-rtn"]


def _images(count):
    with gzip.open(data("t10k-images-idx3-ubyte.gz")) as f:
        f.read(16)
        return np.frombuffer(f.read(count * 784), np.uint8).reshape(count, 784)


@pytest.mark.parametrize("variant", VARIANTS)
def test_classifier_from_qpk_matches_the_c_device_program(dev, variant):
    ckpt = qpk.PackedCheckpoint(data(variant + ".qpk"))
    figs, jobs = figures(variant + ".figures")
    assert ckpt.variant == figs["variant"][0] and ckpt.config == (784, 256, 128, 10)
    batch = int(figs["batch"][0])
    clf = qpk.Classifier(dev, ckpt, batch)
    x = (_images(batch).astype(np.float32) / np.float32(255)).astype(np.float32)
    logits = clf(x, timeout=600)
    assert logits.shape == (batch, 10) and logits.dtype == np.float32
    assert f"{fnv64(logits.tobytes()):#018x}" == jobs[0]["outputs_fnv64"]
    s = clf.cb.stats()
    assert s.macs_dense == int(jobs[0]["macs_dense"]) and s.cycles == int(jobs[0]["cycles"])


def test_reader_refuses_a_corrupt_file(tmp_path):
    src = data(VARIANTS[0] + ".qpk")
    b = bytearray(open(src, "rb").read())
    b[5000] ^= 1
    (tmp_path / "bad.qpk").write_bytes(b)
    with pytest.raises(quasar.QuasarError) as e:
        qpk.PackedCheckpoint(str(tmp_path / "bad.qpk"))
    assert e.value.errno == errno.EINVAL and "CRC-32" in str(e.value)
    (tmp_path / "short.qpk").write_bytes(open(src, "rb").read()[:-3])
    with pytest.raises(quasar.QuasarError) as e:
        qpk.PackedCheckpoint(str(tmp_path / "short.qpk"))
    assert "the header says" in str(e.value) and "offset 16" in str(e.value)
