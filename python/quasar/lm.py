# SPDX-License-Identifier: MIT
"""The language model of a packed checkpoint on the device: its forward
pass as one job per step, with the KV cache in device memory, planned op
for op as models/mdl_lm_program.c plans it (the same ops on the same
shapes, strides and formats, hence the same logits and the same job
statistics as accel-generate and the host's figures), and text generation
over it, greedy or sampled as accel-generate samples (sample.py)."""
import math
import os
from dataclasses import dataclass

import numpy as np

from .errors import QuasarError, invalid
from .job import Act, JobStats
from .qpk import A_INT8, KIND_LM, PackedCheckpoint
from .sample import Sampler, argmax

EPS = 1e-5		# MDL_LLAMA_EPS, RMSNorm's epsilon (llama2.c)
ROPE_THETA = 10000.0	# MDL_LLAMA_ROPE_THETA
# The linear layers of a transformer layer, in the file's order (mdl_lm_linset)
LINEARS = ("wq", "wk", "wv", "wo", "w1", "w2", "w3")
CALL = "quasar.LanguageModel"


@dataclass(frozen=True)
class LMConfig:
    """llama2.c's Config (the .qpk's 7 int32) and what follows from it."""
    dim: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    vocab: int
    seq_len: int

    @property
    def head_size(self):
        return self.dim // self.heads

    @property
    def kv_dim(self):
        return self.dim * self.kv_heads // self.heads


@dataclass(frozen=True)
class GeneratedToken:
    """One token of generate() and the job that produced it (what
    accel-generate prints per token)."""
    index: int		# 0 .. n - 1
    token: int
    top1: int		# the job's most likely token: what greedy takes
    pos: int		# the job fed positions pos .. pos + rows - 1
    rows: int
    logits: np.ndarray	# the last row's [vocab]
    stats: JobStats


def rope_tables(cfg, half):
    """RoPE cos and sin for every position, @half pairs per row, pair i as
    pair i mod head_size / 2: mdl_llama_rope_cs() in double through the C
    library's pow, cos and sin (math's), rounded to binary32."""
    hs = cfg.head_size
    c = np.empty((cfg.seq_len, half), np.float32)
    s = np.empty((cfg.seq_len, half), np.float32)
    freq = [math.pow(ROPE_THETA, -float(2 * i) / float(hs)) for i in range(hs // 2)]
    for pos in range(cfg.seq_len):
        for i in range(half):
            a = float(pos) * freq[i % (hs // 2)]
            c[pos, i] = math.cos(a)
            s[pos, i] = math.sin(a)
    return c, s


class LanguageModel:
    """A packed language model (.qpk, KIND_LM) on @dev, for steps of up to
    @rows tokens (default: the whole context).

    ``lm.step(tokens, pos)`` runs one job: the tokens at positions pos..,
    after the steps that filled positions 0 .. pos - 1 (their keys and
    values stay in the device's KV cache); it returns their logits
    [len(tokens)][vocab] and ``lm.stats`` is the job's JobStats.
    ``lm.generate(prompt, n, ...)`` continues a prompt as accel-generate
    does. The plan, per step (mdl_lm_program.h has it with its reasons):

        EMBED      x = table rows, one COPY per token
        per layer  RMSNORM, [MUL by 1/s], CONVERT, GEMM q, k, v (v into the
                   V cache), ROPE q and k (k into the K cache), per head
                   MATMUL q K^T * 1/sqrt(hs), SOFTMAX causal, per head
                   MATMUL p V (causal), [MUL], CONVERT, GEMM wo + x;
                   RMSNORM, [MUL], CONVERT, GEMM silu(w1), GEMM w3, MUL,
                   [MUL], CONVERT, GEMM w2 + x
        RMSNORM, [MUL], CONVERT, GEMM classifier -> logits
    """

    def __init__(self, dev, ckpt, rows=None):
        if isinstance(ckpt, (str, bytes, os.PathLike)):
            ckpt = PackedCheckpoint(ckpt)
        if ckpt.kind != KIND_LM:
            raise invalid(CALL, f"{ckpt.path}: kind {ckpt.kind} is not a language model "
                          f"({KIND_LM})")
        d, h, nl, nh, nkv, v, s = ckpt.config
        cfg = LMConfig(d, h, nl, nh, nkv, abs(v), s)
        self.dev, self.ckpt, self.config = dev, ckpt, cfg
        self._check_layers()
        rows = cfg.seq_len if rows is None else int(rows)
        if not 1 <= rows <= cfg.seq_len:
            raise invalid(CALL, f"steps of {rows} tokens: 1..{cfg.seq_len} (the context)")
        self.rows = T = rows
        self.stats = None
        D, H, KV, S, V = cfg.dim, cfg.hidden, cfg.kv_dim, cfg.seq_len, cfg.vocab
        a = ckpt.arrays

        def const(values, shape):
            return dev.tensor_from(np.asarray(values, np.float32).reshape(shape))

        def act(cols, fmt="fp32", rows=T):
            return dev.tensor((rows, cols), fmt)

        # weights: written once
        self.emb = const(a["tok_emb"], (V, D))
        self.cos, self.sin = (const(t, t.shape) for t in rope_tables(cfg, D // 2))
        if KV != D:
            self.cosk, self.sink = (const(t, t.shape) for t in rope_tables(cfg, KV // 2))
        else:
            self.cosk, self.sink = self.cos, self.sin
        self.g_att = [const(a["rms_att"][i * D:(i + 1) * D], (1, D)) for i in range(nl)]
        self.g_ffn = [const(a["rms_ffn"][i * D:(i + 1) * D], (1, D)) for i in range(nl)]
        self.g_final = const(a["rms_final"], (1, D))
        self.w = [layer.upload(dev) for layer in ckpt.layers]
        # each layer's input factors 1/s (AWQ, SmoothQuant) as one row
        self.inv = [const(layer.in_inv, (1, layer.k)) if layer.in_inv is not None else None
                    for layer in ckpt.layers]
        # activations: the residual stream ping-pongs between x[0] and x[1]
        self.x = [act(D), act(D)]
        self.xn = act(D)
        self.xs = {D: act(D), H: act(H)}		# scaled GEMM inputs, by width
        self.xb = {D: act(D, "bf16"), H: act(H, "bf16")}
        self.q, self.qr, self.k, self.att = act(D), act(D), act(KV), act(D)
        self.h1, self.h3, self.hg = act(H), act(H), act(H)
        self.sc = act(S, rows=nh * T)			# per head, T rows of scores
        self.pr = act(S, rows=nh * T)
        self.logits = act(V)
        self.kc = [act(KV, rows=S) for _ in range(nl)]	# the KV cache: one sequence
        self.vc = [act(KV, rows=S) for _ in range(nl)]
        self.cb = dev.cmdbuf()
        self._views, self._old_views = {}, {}

    def _check_layers(self):
        """Every layer of the model's shape and epilogue (mdl_lm_check)."""
        cfg, ls = self.config, self.ckpt.layers
        D, H, KV = cfg.dim, cfg.hidden, cfg.kv_dim
        want = cfg.layers * len(LINEARS) + 1
        if len(ls) != want:
            raise invalid(CALL, f"{self.ckpt.path}: {len(ls)} linear layers for a "
                          f"{cfg.layers}-layer language model (it has {want})")
        shapes = {"wq": (D, D), "wk": (KV, D), "wv": (KV, D), "wo": (D, D), "w1": (H, D),
                  "w2": (D, H), "w3": (H, D), "cls": (cfg.vocab, D)}
        for i, layer in enumerate(ls):
            kind = LINEARS[i % len(LINEARS)] if i + 1 < len(ls) else "cls"
            act = Act.SILU if kind == "w1" else Act.NONE
            if (layer.n, layer.k) != shapes[kind]:
                raise invalid(CALL, f"{self.ckpt.path}: layer {layer.name} is {layer.n} x "
                              f"{layer.k}; the model's is {shapes[kind][0]} x "
                              f"{shapes[kind][1]}")
            if layer.act != act:
                raise invalid(CALL, f"{self.ckpt.path}: layer {layer.name}: activation "
                              f"{layer.act.name}; the model's is {act.name}")

    # ---- views: mdl_program.c's operands, [1][batch][rows][cols] over a tensor
    def _view(self, t, row0, rows, col0=0, cols=None, batch=1, batch_rows=0):
        pitch = t.shape[1]
        cols = pitch - col0 if cols is None else cols
        s1 = batch_rows * pitch if batch > 1 else rows * pitch
        if (row0, col0, batch, rows, cols) == (0, 0, 1, t.shape[0], pitch):
            return t	# the whole tensor: the same descriptor
        key = (id(t), row0 * pitch + col0, batch, rows, cols, s1)
        v = self._views.get(key) or self._old_views.get(key)
        if v is None:
            v = t.view(row0 * pitch + col0, (1, batch, rows, cols), (batch * s1, s1, pitch, 1))
        self._views[key] = v
        return v

    def _run(self, t):
        """The step's rows of a batched tensor."""
        return self._view(t, 0, self._t)

    # ---- one step's ops
    def _input(self, i, src):
        """The BF16 input of layer @i from the FP32 @src: [MUL by its 1/s],
        CONVERT; the previous layer's when it is the same (q, k and v; w1
        and w3)."""
        layer = self.ckpt.layers[i]
        prev = self._conv_lin
        if self._conv_src is src and prev is not None and \
                (layer.in_inv is None) == (prev.in_inv is None) and \
                (layer.in_inv is None or np.array_equal(layer.in_inv.view(np.uint32),
                                                        prev.in_inv.view(np.uint32))):
            return self._conv_out
        x = src
        if layer.in_inv is not None:
            xs = self._run(self.xs[layer.k])
            # a row for every row when there are several (ISA v2's ROW_B)
            self.cb.mul(xs, self._run(src), self.inv[i], row=self._t > 1)
            x = self.xs[layer.k]
        xb = self.xb[layer.k]
        self.cb.convert(self._run(xb), self._run(x))
        self._conv_src, self._conv_lin, self._conv_out = src, layer, xb
        return xb

    def _gemm(self, i, src, y, residual=None):
        layer = self.ckpt.layers[i]
        x = self._input(i, src)
        self.cb.gemm(y, self._run(x), self.w[i], act=layer.act,
                     residual=self._run(residual) if residual is not None else None,
                     a8=layer.afmt == A_INT8)

    def _attention(self, l, cur):
        cfg, cb, pos, t = self.config, self.cb, self._pos, self._t
        hs, group, T = cfg.head_size, cfg.heads // cfg.kv_heads, self.rows
        ctx = pos + t
        base = l * len(LINEARS)
        kc, vc = self.kc[l], self.vc[l]
        cb.rmsnorm(self._run(self.xn), self._run(self.x[cur]), self.g_att[l], EPS)
        self._gemm(base + 0, self.xn, self._run(self.q))
        self._gemm(base + 1, self.xn, self._run(self.k))
        self._gemm(base + 2, self.xn, self._view(vc, pos, t))	# v into the V cache
        cb.rope(self._run(self.qr), self._run(self.q), self._view(self.cos, pos, t),
                self._view(self.sin, pos, t))
        cb.rope(self._view(kc, pos, t), self._run(self.k), self._view(self.cosk, pos, t),
                self._view(self.sink, pos, t))
        # binary32 1/sqrt(head_size): MATMUL multiplies by it
        alpha = 1.0 / math.sqrt(hs)
        for h in range(cfg.heads):
            cb.matmul(self._view(self.sc, h * T, t, 0, ctx),
                      self._view(self.qr, 0, t, h * hs, hs),
                      self._view(kc, 0, ctx, h // group * hs, hs), alpha=alpha, trans_b=True)
        # the heads' scores as one batch {1, heads, t, ctx}, causal at pos
        cb.softmax(self._view(self.pr, 0, t, 0, ctx, cfg.heads, T),
                   self._view(self.sc, 0, t, 0, ctx, cfg.heads, T), causal_offset=pos)
        for h in range(cfg.heads):
            cb.matmul(self._view(self.att, 0, t, h * hs, hs),
                      self._view(self.pr, h * T, t, 0, ctx),
                      self._view(vc, 0, ctx, h // group * hs, hs), causal_offset=pos)
        self._gemm(base + 3, self.att, self._run(self.x[1 - cur]), self.x[cur])

    def _ffn(self, l, cur):
        cb, base = self.cb, l * len(LINEARS)
        cb.rmsnorm(self._run(self.xn), self._run(self.x[cur]), self.g_ffn[l], EPS)
        self._gemm(base + 4, self.xn, self._run(self.h1))	# SiLU in w1's epilogue
        self._gemm(base + 6, self.xn, self._run(self.h3))
        cb.mul(self._run(self.hg), self._run(self.h1), self._run(self.h3))
        self._gemm(base + 5, self.hg, self._run(self.x[1 - cur]), self.x[cur])

    def _check_step(self, tokens, pos):
        cfg, t = self.config, len(tokens)
        if not 1 <= t <= self.rows:
            raise invalid(CALL, f"a step of {t} tokens (the model takes 1..{self.rows})")
        if pos < 0 or pos + t > cfg.seq_len:
            raise invalid(CALL, f"positions {pos}..{pos + t - 1}: past the context of "
                          f"{cfg.seq_len} positions")
        for i, tok in enumerate(tokens):
            if not 0 <= tok < cfg.vocab:
                raise invalid(CALL, f"token id {tok} at position {pos + i}: past the "
                              f"vocabulary of {cfg.vocab}")

    def step(self, tokens, pos, timeout=None):
        """One job: @tokens (ids) at positions @pos.. of the sequence, after
        the steps that filled positions 0 .. pos - 1. Returns their logits
        (float32, [len(tokens)][vocab]); ``self.stats`` gets the job's
        JobStats. QuasarError(EINVAL) before any job for a step past the
        context, longer than the model's rows, or a token past the
        vocabulary; the job's error (EIO with its status) if it fails."""
        tokens = [int(tok) for tok in tokens]
        pos = int(pos)
        self._check_step(tokens, pos)
        cfg, cb = self.config, self.cb
        self._pos, self._t = pos, len(tokens)
        self._old_views, self._views = self._views, {}
        self._conv_src = self._conv_lin = self._conv_out = None
        cb.reset()
        row = cfg.dim * 4
        for i, tok in enumerate(tokens):	# EMBED: a COPY per token of its table row
            cb.copy(self.x[0], self.emb, row, dst_offset=i * row, src_offset=tok * row)
        cur = 0
        for l in range(cfg.layers):
            self._attention(l, cur)
            self._ffn(l, 1 - cur)
        cb.rmsnorm(self._run(self.xn), self._run(self.x[cur]), self.g_final, EPS)
        self._gemm(cfg.layers * len(LINEARS), self.xn, self._run(self.logits))
        self._old_views = {}
        cb.run(timeout=timeout)
        self.stats = cb.stats()
        return self._run(self.logits).read().reshape(self._t, cfg.vocab)

    def generate(self, prompt, n, temperature=0.0, top_k=0, seed=1, on_token=None,
                 timeout=None):
        """Continues @prompt by @n tokens as accel-generate does: the prompt
        as one prefill job, then one decode job per token; token i from the
        last row of job i's logits, greedy (temperature 0) or sampled
        (Sampler: temperature, top_k, seed; the same seed gives the same
        tokens as accel-generate's). @prompt is a str (its UTF-8 bytes),
        bytes, or a sequence of token ids; returns bytes for the first two,
        a list of ids for the last. @on_token (optional) is called with a
        GeneratedToken after each."""
        cfg = self.config
        as_bytes = isinstance(prompt, (str, bytes, bytearray))
        if isinstance(prompt, str):
            prompt = prompt.encode()
        ids = [int(tok) for tok in prompt]
        n, plen = int(n), len(ids)
        if plen == 0:
            raise invalid(CALL, "an empty prompt (the first job needs a token)")
        if plen > min(cfg.seq_len, self.rows):
            raise invalid(CALL, f"a prompt of {plen} tokens is longer than the model's "
                          f"steps of {self.rows} (context {cfg.seq_len})")
        if n < 1 or plen + n - 1 > cfg.seq_len:
            raise invalid(CALL, f"{n} tokens after a prompt of {plen}: 1.."
                          f"{cfg.seq_len - plen + 1} fit the context of {cfg.seq_len} (the "
                          "last token is not fed back)")
        if as_bytes and cfg.vocab > 256:
            raise invalid(CALL, f"a text prompt for a vocabulary of {cfg.vocab} tokens: "
                          "pass token ids")
        sampler = Sampler(cfg.vocab, temperature, top_k, seed)
        out = []
        for i in range(n):
            pos, feed = (plen + i - 1, out[-1:]) if i else (0, ids)
            try:
                logits = self.step(feed, pos, timeout)
            except QuasarError as e:
                raise QuasarError(e.errno, e.call, f"token {i} ({'decode' if i else 'prefill'}"
                                  f" job, positions {pos}..{pos + len(feed) - 1}): {e.detail}",
                                  e.result) from e
            last = logits[-1]
            top1 = argmax(last)
            out.append(sampler(last))
            if on_token is not None:
                on_token(GeneratedToken(i, out[-1], top1, pos, len(feed), last, self.stats))
        return bytes(out) if as_bytes else out
