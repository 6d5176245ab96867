# SPDX-License-Identifier: MIT
"""What the tests compare with: the files the build puts in the guest image
(packed checkpoints, the host's .figures, data), and the digest the host
writes (models/mdl_device_figures.h)."""
import os

import pytest

DATA = os.environ.get("QUASAR_DATA", "/usr/share/quasar")


def data(name):
    """The path of @name in the image's data; the test skips if it is not there."""
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not in this image")
    return path


def figures(name):
    """'key value...' lines of a .figures file; job lines as dicts."""
    figs, jobs = {}, []
    with open(data(name)) as f:
        for line in f:
            key, *rest = line.split()
            if key == "job":
                jobs.append(dict(zip(rest[1::2], rest[2::2])))
            else:
                figs[key] = rest
    return figs, jobs


def fnv64(buf):	# mdl_fnv64: FNV-1a, 64 bits
    h = 0xcbf29ce484222325
    for b in buf:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h
