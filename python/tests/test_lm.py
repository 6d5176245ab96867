# SPDX-License-Identifier: MIT
"""The language model of a packed checkpoint on the device from Python
(quasar.LanguageModel): each job's logits and statistics bit for bit with
the figures the host computed for the C device program on fwrun
(mdl-lm-fwrun: a prefill, then decode steps), and generate()'s bytes, per
token statistics included, those of the host's accel-generate runs (greedy
and seeded sampling), whose arguments and JSON are in the image."""
import errno
import json

import numpy as np
import pytest

import quasar
from quasar import qpk

from figures import data, figures, fnv64

LM = "moby-lm-int4-g32-a8-rtn"
STATS = ("cmd_index", "rd_weight_bytes", "rd_meta_bytes", "rd_act_bytes", "wr_bytes",
         "sram_bytes", "macs_dense", "macs_exec", "vec_elems", "tiles", "cycles_compute",
         "cycles_memory", "cycles", "energy_fj")


def _check_job(where, logits, stats, job):
    assert int(job["rows"]) == logits.shape[0], where
    got = {"outputs_fnv64": f"{fnv64(logits.tobytes()):#018x}"}
    got.update({k: str(getattr(stats, k)) for k in STATS})
    want = {k: job[k] for k in got}
    assert got == want, f"{where}: the Python job differs from the host's C program's"


def test_lm_steps_match_the_c_device_program(dev):
    figs, jobs = figures(LM + ".figures")
    ckpt = qpk.PackedCheckpoint(data(LM + ".qpk"))
    assert ckpt.variant == figs["variant"][0]
    tokens = [int(t) for t in figs["tokens"][1:]]
    prompt, batch = int(figs["prompt"][0]), int(figs["batch"][0])
    assert len(tokens) == int(figs["tokens"][0]) and len(jobs) == len(tokens) - prompt + 1
    lm = quasar.LanguageModel(dev, ckpt, rows=batch)
    assert lm.config.vocab == 256 and lm.rows == batch
    logits = lm.step(tokens[:prompt], 0, timeout=600)
    assert logits.shape == (prompt, 256) and logits.dtype == np.float32
    _check_job(f"prefill of {prompt} tokens", logits, lm.stats, jobs[0])
    for j in range(1, len(jobs)):
        pos = prompt + j - 1
        logits = lm.step(tokens[pos:pos + 1], pos, timeout=600)
        _check_job(f"decode step {j} at position {pos}", logits, lm.stats, jobs[j])


def _generate_case(name):
    """accel-generate's arguments (the model first) and its --json output."""
    with open(data(f"generate-{name}.args")) as f:
        args = f.read().split("\n")
    model, opts = args[0], dict(zip(args[1::2], args[2::2]))
    with open(data(f"generate-{name}.json")) as f:
        run = json.load(f)
    return model, opts, run


@pytest.mark.parametrize("case", ["greedy", "sampled"])
def test_generate_matches_accel_generate(dev, case):
    model, opts, run = _generate_case(case)
    lm = quasar.LanguageModel(dev, data(model))
    seen = []
    text = lm.generate(opts["--prompt"], int(opts["--tokens"]),
                       temperature=float(opts.get("--temperature", 0)),
                       top_k=int(opts.get("--top-k", 0)), seed=int(opts.get("--seed", 1)),
                       on_token=seen.append, timeout=600)
    want = bytes(t["byte"] for t in run["tokens"])
    assert len(run["tokens"]) == int(opts["--tokens"])
    assert text == want, f"Python generated {text!r}, accel-generate {want!r}"
    for tok, ref in zip(seen, run["tokens"]):
        got = (tok.index, tok.token, tok.top1, tok.pos, tok.rows, tok.stats.cmd_index,
               tok.stats.cycles, tok.stats.rd_act_bytes, tok.stats.wr_bytes)
        assert got == (ref["index"], ref["byte"], ref["top1"], ref["pos"], ref["rows"],
                       ref["commands"], ref["cycles"], ref["rd_act_bytes"],
                       ref["wr_bytes"]), f"token {tok.index}"


def test_lm_refuses_bad_steps_before_any_job(dev):
    lm = quasar.LanguageModel(dev, data(LM + ".qpk"), rows=8)
    cases = [(lambda: lm.step([1] * 9, 0), "a step of 9 tokens (the model takes 1..8)"),
             (lambda: lm.step([], 0), "a step of 0 tokens"),
             (lambda: lm.step([65, 66], 255), "positions 255..256: past the context of 256"),
             (lambda: lm.step([65, 256], 3), "token id 256 at position 4: past the "
              "vocabulary of 256"),
             (lambda: lm.generate("", 4), "an empty prompt"),
             (lambda: lm.generate("abcdefghi", 4), "a prompt of 9 tokens is longer than the "
              "model's steps of 8"),
             (lambda: lm.generate("abc", 255), "255 tokens after a prompt of 3: 1..254 fit"),
             (lambda: lm.generate("abc", 2, temperature=-1), "temperature -1"),
             (lambda: lm.generate("abc", 2, temperature=1, top_k=257), "top-k 257")]
    for fn, text in cases:
        with pytest.raises(quasar.QuasarError) as e:
            fn()
        assert e.value.errno == errno.EINVAL and text in str(e.value), str(e.value)
    assert lm.stats is None		# nothing ran


def test_lm_refuses_a_classifier(dev):
    with pytest.raises(quasar.QuasarError) as e:
        quasar.LanguageModel(dev, data("fmnist-mlp-int8-a8-smooth.qpk"))
    assert e.value.errno == errno.EINVAL and "is not a language model" in str(e.value)
