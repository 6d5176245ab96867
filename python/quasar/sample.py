# SPDX-License-Identifier: MIT
"""Choosing the next token from a language model's logits: greedy, or
seeded temperature / top-k sampling, the algorithm and generator of
models/mdl_lm_sample.c and models/mdl_rng.h, so that a seed gives the same
tokens here as accel-generate's (on any machine: every step is a plain
IEEE-754 double operation, no libm)."""
import math

import numpy as np

from .errors import invalid

_M64 = (1 << 64) - 1
VOCAB_MAX = 65536	# MDL_SAMPLE_VOCAB_MAX


class Rng:
    """mdl_rng.h: xoshiro256** seeded by splitmix64."""

    def __init__(self, seed):
        x = seed & _M64
        self.s = []
        for _ in range(4):	# mdl_splitmix64()
            x = (x + 0x9e3779b97f4a7c15) & _M64
            z = x
            z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & _M64
            z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & _M64
            self.s.append(z ^ (z >> 31))

    def u64(self):
        s = self.s
        x = (s[1] * 5) & _M64
        res = ((((x << 7) | (x >> 57)) & _M64) * 9) & _M64
        t = (s[1] << 17) & _M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = ((s[3] << 45) | (s[3] >> 19)) & _M64
        return res

    def unif(self):
        """Uniform double in [0, 1), 53 bits (mdl_rng_unif())."""
        return (self.u64() >> 11) * 2.0 ** -53


# ln 2 split so that k * _LN2_HI is exact for the k that occur (|k| <= 1022)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00


def sample_exp(x):
    """e^x for x <= 0 (x > 0 is taken as 0), mdl_sample_exp()'s bits: range
    reduction and a Taylor polynomial in plain double operations."""
    if x < -708.0:
        return 0.0
    if not x < 0.0:
        return 1.0
    k = float(math.floor(x * _INV_LN2 + 0.5))
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = 1.0
    for i in range(14, 0, -1):
        p = 1.0 + p * r / float(i)
    return math.ldexp(p, int(k))


def argmax(logits):
    """The most likely token: the lowest id of the largest logit, NaN
    skipped (0 if every logit is NaN), as mdl_sample_argmax()."""
    lg = np.asarray(logits, np.float32)
    ok = ~np.isnan(lg)
    if not ok.any():
        return 0
    return int(np.argmax(np.where(ok, lg, -np.inf)))	# argmax: the first of equals


class Sampler:
    """The next token from a row of logits: greedy at temperature 0 (the
    most likely token, the lowest id among equals); else the top_k tokens
    of highest logit (every token with top_k 0; equal logits in id order),
    token i weighted exp((logit_i - max) / temperature) in double, and one
    uniform draw u from the seeded generator per token: the first token
    whose running sum of weights exceeds u * sum."""

    def __init__(self, vocab, temperature=0.0, top_k=0, seed=1):
        call = "sampler"
        temperature = float(temperature)
        if not temperature >= 0.0 or not math.isfinite(temperature):
            raise invalid(call, f"temperature {temperature:g}: 0 (greedy) or a finite "
                          "positive value")
        if not 1 <= vocab <= VOCAB_MAX:
            raise invalid(call, f"a vocabulary of {vocab} tokens (1..{VOCAB_MAX})")
        if not 0 <= top_k <= vocab:
            raise invalid(call, f"top-k {top_k}: past the vocabulary of {vocab} tokens "
                          "(0: every token)")
        if not 0 <= seed <= _M64:
            raise invalid(call, f"seed {seed}: 0..2^64-1")
        self.vocab, self.temperature, self.top_k, self.seed = vocab, temperature, top_k, seed
        self.rng = Rng(seed)

    def __call__(self, logits):
        lg = np.asarray(logits, np.float32).reshape(-1)
        if lg.size != self.vocab:
            raise invalid("sampler", f"{lg.size} logits for a vocabulary of {self.vocab}")
        if self.temperature == 0.0:
            return argmax(lg)
        # one draw per token, whatever the logits: the sequence of draws is the seed's
        u = self.rng.unif()
        # highest first, NaN last (NaN sorts last in ascending -logit), equals by id
        order = np.lexsort((np.arange(self.vocab), -lg.astype(np.float64)))
        vals = lg.astype(np.float64)[order]
        top = vals[0]
        if math.isnan(top):
            return 0
        weights = []
        for v in vals[:self.top_k or self.vocab]:
            if math.isnan(v):
                break
            weights.append(sample_exp((float(v) - float(top)) / self.temperature))
        total = 0.0
        for w in weights:	# summed in order, as the C loop
            total += w
        u *= total
        run, i = 0.0, 0
        while i + 1 < len(weights):
            run += weights[i]
            if run > u:
                break
            i += 1
        return int(order[i])
