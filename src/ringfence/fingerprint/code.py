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
- *The bound*: an innocent recipient's symbols are Bernoulli(p_i), independent of the leak and of each
  other, so its score given the leak is a sum of independent two-valued terms, and for every ``λ > 0``
  ``P(S ≥ s) ≤ exp(Λ(λ) − λs)`` with ``Λ(λ) = Σ log E[e^{λU_i}]`` computed exactly from the leak's symbols
  and the biases (Chernoff). The bound takes the least over a grid of λ (any λ gives a valid bound), and a
  union over the ``n`` recipients of the domain: ``n · min_λ exp(Λ(λ) − λs)``. Nothing is simulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from ringfence.keys import KeyResolver

__all__ = ["CUTOFFS", "NAMED_BOUND", "Bound", "biases", "codewords", "scores", "uniforms", "words"]

# The cut-off t of the bias law per strength: near 1/2 the code is strongest against a single leaker,
# small t against larger coalitions.
CUTOFFS: dict[str, float] = {"low": 0.25, "normal": 0.1, "high": 0.03}
# DESIGN.md: a recipient is named only when the chance that an innocent scores as high is at most this.
NAMED_BOUND = 1e-9
_LAMBDAS = np.geomspace(1e-3, 8.0, 600)
_TWO64 = float(2**64)


def _domain(kind: str, domain: str) -> str:
    return f"ringfence fingerprint v1|{kind}|{domain}"


def words(keys: KeyResolver, key_id: str, kind: str, domain: str, values: pl.Series) -> np.ndarray:
    """Keyed 64-bit words (``uint64``) of ``values`` (strings) under the PRF of ``kind`` in ``domain``."""
    return np.asarray(keys.prf(key_id, _domain(kind, domain)).uint64(values).to_numpy(), dtype=np.uint64)


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


def _terms(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The score terms (recipient's symbol 1, symbol 0) at each position given the leak's ``y``."""
    up = np.sqrt((1 - p) / p)  # x = 1 = y
    down = np.sqrt(p / (1 - p))  # x = 0 = y
    one = np.where(y == 1, up, -up)
    zero = np.where(y == 1, -down, down)
    return one, zero


def scores(x: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The symmetric score of each codeword row of ``x`` against the leak's symbols ``y``."""
    one, zero = _terms(y, p)
    return np.asarray(np.where(x == 1, one[None, :], zero[None, :]).sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class Bound:
    """The exact Chernoff bound on an innocent's score for one leak: ``log_mgf[k] = Λ(λ_k)``."""

    lambdas: np.ndarray
    log_mgf: np.ndarray
    recipients: int

    @classmethod
    def of(cls, y: np.ndarray, p: np.ndarray, recipients: int) -> Bound:
        one, zero = _terms(y, p)
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
