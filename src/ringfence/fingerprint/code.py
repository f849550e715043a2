"""The collusion-resistant code: a binary symmetric Tardos code over keyed positions, its scores and the
computed false-accusation bound.

- *Positions* are strings (a marked cell's column and its coarse value, :mod:`ringfence.fingerprint.cells`);
  the code is unbounded, a position exists wherever a cell is marked.
- *Biases*: ``p = sin²(r)``, ``r`` uniform on ``[r₀, π/2 − r₀]`` with ``r₀ = arcsin(√t)`` (the arcsine law
  with cut-off ``t``), drawn from a keyed PRF of the domain and the position, shared by every recipient of
  the domain, so colluders' copies differ only where their codewords do.
- *Codewords*: recipient ``j``'s symbol at position ``i`` is ``1`` when a keyed uniform of
  ``(domain, j, i)`` is below ``p_i``: independent across recipients and positions, reproducible from the
  key alone.
- *Score* (the symmetric score of Škorić et al. / Laarhoven–de Weger): per read position,
  ``+√((1−p)/p)`` when both the recipient's symbol and the leak's are 1, ``+√(p/(1−p))`` when both are 0,
  and the negative of the other when they differ. Under innocence each term has mean 0 and variance 1.
- *A second score*, the single-leaker decoder (:func:`single_terms`): a log-likelihood ratio, stronger
  when one copy leaked. Every recipient gets both; the union below counts two tests per recipient.
- *The bound*: an innocent recipient's symbols are Bernoulli(p_i), independent of the leak and of each
  other, so its score given the leak is a sum of independent two-valued terms, and for every ``λ > 0``
  ``P(S ≥ s) ≤ exp(Λ(λ) − λs)`` with ``Λ(λ) = Σ log E[e^{λU_i}]`` computed exactly from the leak's symbols
  and the biases (Chernoff), for either score. The bound takes the least over a grid of λ (any λ gives a
  valid bound), and a union over the ``n`` tests (recipients × scores): ``n · min_λ exp(Λ(λ) − λs)``.
  Nothing is simulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from ringfence.keys import KeyResolver

__all__ = [
    "CUTOFFS",
    "NAMED_BOUND",
    "Bound",
    "biases",
    "codewords",
    "int_words",
    "scores",
    "single_terms",
    "symmetric_terms",
    "uniforms",
    "words",
]

# The cut-off t of the bias law per strength: near 1/2 the code is strongest against a single leaker,
# small t against larger coalitions (asymptotically). With the few hundred positions a leak of a few
# thousand rows holds, 0.25 did better than 0.1 against one, two and three leakers alike
# (bench/trace_attacks.py).
CUTOFFS: dict[str, float] = {"low": 0.4, "normal": 0.25, "high": 0.1}
# DESIGN.md: a recipient is named only when the chance that an innocent scores as high is at most this.
NAMED_BOUND = 1e-9
# The share of read positions the single-leaker decoder assumes carry a random symbol.
GARBAGE = 0.3
_LAMBDAS = np.geomspace(1e-3, 8.0, 600)
_TWO64 = float(2**64)


def _domain(kind: str, domain: str) -> str:
    return f"ringfence fingerprint v1|{kind}|{domain}"


def words(keys: KeyResolver, key_id: str, kind: str, domain: str, values: pl.Series) -> np.ndarray:
    """Keyed 64-bit words (``uint64``) of ``values`` (strings) under the PRF of ``kind`` in ``domain``."""
    return np.asarray(keys.prf(key_id, _domain(kind, domain)).uint64(values).to_numpy(), dtype=np.uint64)


def int_words(keys: KeyResolver, key_id: str, kind: str, domain: str, values: np.ndarray) -> np.ndarray:
    """Keyed 64-bit words of integers (their 8 little-endian bytes, no text in between: the cheap path
    for one word per cell) under the PRF of ``kind`` in ``domain``."""
    data = np.ascontiguousarray(values, dtype="<i8")
    offsets = np.arange(0, 8 * data.size + 1, 8, dtype=np.int32)
    raw = pa.Array.from_buffers(pa.binary(), data.size, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    digests = keys.prf(key_id, _domain(kind, domain)).digest(pl.Series("v", raw)).to_arrow()
    chunk = digests.combine_chunks() if isinstance(digests, pa.ChunkedArray) else digests
    start = int(np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=chunk.offset + 1)[chunk.offset])
    flat = np.frombuffer(chunk.buffers()[2], dtype=np.uint8, count=start + 16 * data.size)[start:]
    return np.ascontiguousarray(flat.reshape(-1, 16)[:, :8]).view("<u8").reshape(-1).astype(np.uint64)


def uniforms(keys: KeyResolver, key_id: str, kind: str, domain: str, values: pl.Series) -> np.ndarray:
    """Keyed uniforms in [0, 1) of ``values`` (strings) under the PRF of ``kind`` in ``domain``."""
    return words(keys, key_id, kind, domain, values).astype(np.float64) / _TWO64


def biases(keys: KeyResolver, key_id: str, domain: str, positions: pl.Series, cutoff: float) -> np.ndarray:
    """The bias ``p_i`` of each position (see the module docstring)."""
    r0 = math.asin(math.sqrt(cutoff))
    u = uniforms(keys, key_id, "bias", domain, positions)
    return np.asarray(np.sin(r0 + (math.pi / 2 - 2 * r0) * u) ** 2, dtype=np.float64)


def codewords(
    keys: KeyResolver, key_id: str, domain: str, recipients: list[str], positions: pl.Series, p: np.ndarray
) -> np.ndarray:
    """The symbols (``len(recipients)`` × ``len(positions)``, ``uint8``) of each recipient's codeword."""
    n, m = len(recipients), positions.len()
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=np.uint8)
    pairs = pl.DataFrame({"r": recipients}).join(pl.DataFrame({"i": positions}), how="cross")
    joined = pairs.select(pl.concat_str(pl.col("r"), pl.lit("\x1f"), pl.col("i"))).to_series()
    u = uniforms(keys, key_id, "code", domain, joined).reshape(n, m)
    return (u < p[None, :]).astype(np.uint8)


def symmetric_terms(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The symmetric score's terms (recipient's symbol 1, symbol 0) at each position given the leak's
    ``y``: mean 0 and variance 1 for an innocent."""
    up = np.sqrt((1 - p) / p)  # x = 1 = y
    down = np.sqrt(p / (1 - p))  # x = 0 = y
    one = np.where(y == 1, up, -up)
    zero = np.where(y == 1, -down, down)
    return one, zero


def single_terms(y: np.ndarray, p: np.ndarray, garbage: float = GARBAGE) -> tuple[np.ndarray, np.ndarray]:
    """The single-leaker decoder's terms: the log-likelihood ratio of a recipient's symbol given the
    leak's, when a share ``garbage`` of the positions read carries a random symbol (altered cells, whose
    coarse value moved to another position) and the rest the leaker's: ``log((1 − g/2)/P(x = y))`` when
    they agree, ``log((g/2)/P(x ≠ y))`` when not. Stronger than the symmetric score against one leaker
    (it weighs agreement on a rare symbol), weaker against a coalition; both are computed."""
    agree = np.where(y == 1, p, 1 - p)  # an innocent's chance of agreeing at each position
    match = np.log((1 - garbage / 2) / agree)
    miss = np.log((garbage / 2) / (1 - agree))
    one = np.where(y == 1, match, miss)
    zero = np.where(y == 1, miss, match)
    return one, zero


def scores(x: np.ndarray, terms: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The score of each codeword row of ``x`` given the per-position ``terms`` (symbol 1, symbol 0)."""
    one, zero = terms
    return np.asarray(np.where(x == 1, one[None, :], zero[None, :]).sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class Bound:
    """The exact Chernoff bound on an innocent's score for one leak: ``log_mgf[k] = Λ(λ_k)``."""

    lambdas: np.ndarray
    log_mgf: np.ndarray
    recipients: int

    @classmethod
    def of(cls, terms: tuple[np.ndarray, np.ndarray], p: np.ndarray, recipients: int) -> Bound:
        """The bound of a score with ``terms`` (symbol 1, symbol 0) at positions of bias ``p``, for a
        union over ``recipients`` tests."""
        one, zero = terms
        lam = _LAMBDAS[:, None]
        per = np.logaddexp(
            np.log(p)[None, :] + lam * one[None, :], np.log1p(-p)[None, :] + lam * zero[None, :]
        )
        return cls(_LAMBDAS, per.sum(axis=1), max(recipients, 1))

    def single(self, score: np.ndarray) -> np.ndarray:
        """min over λ of ``exp(Λ(λ) − λ·score)``: the chance one innocent scores at least ``score``."""
        if self.log_mgf.size == 0:
            return np.ones_like(score)
        exponent = (self.log_mgf[:, None] - self.lambdas[:, None] * score[None, :]).min(axis=0)
        return np.asarray(np.minimum(1.0, np.exp(exponent)), dtype=np.float64)

    def union(self, score: np.ndarray) -> np.ndarray:
        """The chance that any of the domain's recipients, innocent, scores at least ``score``."""
        return np.asarray(np.minimum(1.0, self.recipients * self.single(score)), dtype=np.float64)

    def threshold(self, target: float = NAMED_BOUND) -> float:
        """The least score whose :meth:`union` bound is at most ``target`` (on the λ grid)."""
        if self.log_mgf.size == 0:
            return math.inf
        need = self.log_mgf - math.log(target / self.recipients)
        return float((need / self.lambdas).min())
