"""Sampling evidence: the paper's Monte Carlo test of A1, done exactly and faster.

The paper drew 5000 random n-subsets of the queries and accepted when ≥ 99 % had full float32 rank.
:func:`sample_subsets` draws the same kind of sample but decides each subset **exactly**: the k×k
determinant of a replayable random projection mod a prime (nonzero ⇒ independent over Q), with every
subset that vanishes mod p re-checked exactly — a genuinely dependent subset becomes an exact
witness (a circuit with its integer null vector, i.e. a rigorous upper bound on the Kruskal rank).
Optionally the same subsets are also ranked numerically at a stated tolerance (float32 as in the
paper, or float64), and every disagreement is listed.

The result is **evidence, never a Kruskal rank**: with ``D`` dependent among ``S`` sampled subsets it
states, at the given confidence (Clopper–Pearson), an upper bound on the fraction of dependent
k-subsets.
"""
from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Mapping

import numpy as np

from . import kernel
from .certificates import CircuitCertificate
from .family import VectorFamily
from .modular import det_prime, matmul_mod, projection


def clopper_pearson_upper(x: int, n: int, confidence: float = 0.99) -> float:
    """One-sided upper confidence bound for a binomial proportion with ``x`` successes in ``n`` trials.

    >>> round(clopper_pearson_upper(0, 5000, 0.99), 6)   # = 1 - 0.01**(1/5000)
    0.000921
    """
    if n <= 0:
        return 1.0
    if x >= n:
        return 1.0
    alpha = 1.0 - confidence
    if x == 0:
        return 1.0 - alpha ** (1.0 / n)
    # bisection on the binomial CDF: the u with P(Bin(n, u) <= x) = 1 - confidence (Beta quantile)
    def cdf(u: float) -> float:
        lu, l1u = math.log(u), math.log1p(-u)
        logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lu + (n - i) * l1u for i in range(x + 1)]
        top = max(logs)
        return math.exp(top) * sum(math.exp(v - top) for v in logs)

    lo, hi = x / n, 1.0 - 1e-300
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) > alpha else (lo, mid)
    return hi


@dataclasses.dataclass(frozen=True)
class SamplingEvidence:
    """Random k-subsets decided exactly (and optionally numerically). Evidence, not a k-rank."""

    k: int
    samples: int
    dependent: int
    witnesses: tuple[CircuitCertificate, ...]
    seed: int
    prime: int
    confidence: float
    dependent_fraction_upper: float
    seconds: float
    numerical: Mapping[str, Any] | None = None
    label: str = "sampling evidence (not a Kruskal rank)"

    @property
    def fraction_independent(self) -> float:
        return 1.0 - self.dependent / self.samples if self.samples else float("nan")

    @property
    def statement(self) -> str:
        return (f"{self.samples} random {self.k}-subsets decided exactly: {self.dependent} dependent; with "
                f"{self.confidence:.0%} confidence the fraction of dependent {self.k}-subsets is below "
                f"{self.dependent_fraction_upper:.3g} (evidence, not a Kruskal rank)")

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "k": self.k, "samples": self.samples, "dependent": self.dependent,
                "fraction_independent": self.fraction_independent, "confidence": self.confidence,
                "dependent_fraction_upper": self.dependent_fraction_upper, "statement": self.statement,
                "witnesses": [w.to_dict() for w in self.witnesses], "seed": self.seed, "prime": self.prime,
                "seconds": round(self.seconds, 6), "numerical": dict(self.numerical) if self.numerical else None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SamplingEvidence":
        return cls(int(d["k"]), int(d["samples"]), int(d["dependent"]),
                   tuple(CircuitCertificate.from_dict(w) for w in d.get("witnesses", ())), int(d["seed"]),
                   int(d["prime"]), float(d["confidence"]), float(d["dependent_fraction_upper"]),
                   float(d.get("seconds", 0.0)), d.get("numerical"))


def random_subsets(n: int, k: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` uniformly random k-subsets of ``range(n)`` (rows sorted), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    if k * 4 <= n:
        out = np.empty((samples, k), dtype=np.int64)
        for t in range(samples):
            out[t] = rng.choice(n, k, replace=False)
        out.sort(axis=1)
        return out
    keys = rng.random((samples, n))
    return np.sort(np.argpartition(keys, k - 1, axis=1)[:, :k], axis=1).astype(np.int64)


def numerical_full_rank(vectors: np.ndarray, subsets: np.ndarray, tol: float | None = None,
                        dtype: Any = np.float32) -> np.ndarray:
    """Whether each subset of rows has numerical rank k (``numpy.linalg.matrix_rank`` semantics:
    singular values > ``tol``, default ``σ_max·max(shape)·eps(dtype)``)."""
    v = np.asarray(vectors, dtype=dtype)
    k = subsets.shape[1]
    eps = np.finfo(dtype).eps
    out = np.empty(subsets.shape[0], dtype=bool)
    for t, sub in enumerate(subsets):
        m = v[sub]
        sv = np.linalg.svd(m, compute_uv=False)
        thr = sv[0] * max(m.shape) * eps if tol is None else tol
        out[t] = int((sv > thr).sum()) == k
    return out


def sample_subsets(fam: VectorFamily, k: int, samples: int = 5000, *, seed: int = 0, confidence: float = 0.99,
                   max_witnesses: int = 10, numerical: bool = False, tol: float | None = None,
                   numerical_dtype: Any = np.float32, deadline: float | None = None,
                   backend: str | None = None) -> SamplingEvidence:
    """Decide ``samples`` random k-subsets of ``fam`` exactly; see the module docstring.

    ``numerical=True`` also ranks each subset in ``numerical_dtype`` at ``tol`` (float-backed families
    only) and reports the subsets where the numerical and exact answers disagree.
    """
    t0 = time.perf_counter()
    if not 1 <= k <= min(fam.N, fam.dim):
        raise ValueError(f"k={k} outside [1, min(N, dim)]")
    p = det_prime(k)
    mt = fam.mod_p(p).T
    g = mt if k == fam.dim else matmul_mod(projection(seed, k, fam.dim, p), mt, p)
    subsets = random_subsets(fam.N, k, samples, seed)
    ok = np.zeros(samples, dtype=bool)
    done = 0
    step = max(1, min(samples, 256))
    while done < samples:
        hi = min(samples, done + step)
        ok[done:hi] = kernel.dets_nonzero(g, subsets[done:hi], p, backend=backend)
        done = hi
        if deadline is not None and time.perf_counter() > deadline and done < samples:
            break
    subsets, ok = subsets[:done], ok[:done]
    dependent, witnesses = 0, []
    circuits: list[tuple[set[int], CircuitCertificate]] = []
    for t in np.flatnonzero(~ok).tolist():
        S = subsets[t].tolist()
        Sset = set(S)
        if any(c <= Sset for c, _ in circuits):  # contains a known exact circuit: dependent
            dependent += 1
            continue
        if fam.is_independent(S):
            ok[t] = True  # spurious zero mod p: exactly independent
            continue
        dependent += 1
        c = CircuitCertificate.find(fam, S)
        circuits.append((set(c.indices), c))
        if len(witnesses) < max_witnesses:
            witnesses.append(c)
    num = None
    if numerical and fam.vectors is not None:
        tn = time.perf_counter()
        nfull = numerical_full_rank(fam.vectors, subsets, tol, numerical_dtype)
        disagree = np.flatnonzero(nfull != ok)
        num = {"label": "empirical (numerical rank, not exact)", "dtype": np.dtype(numerical_dtype).name,
               "tol": tol, "tol_rule": "numpy.linalg.matrix_rank default" if tol is None else "absolute",
               "full_rank": int(nfull.sum()), "fraction_full_rank": float(nfull.mean()) if done else float("nan"),
               "disagreements": int(disagree.size),
               "exact_independent_numerically_deficient": [subsets[t].tolist() for t in disagree if ok[t]][:10],
               "exact_dependent_numerically_full": [subsets[t].tolist() for t in disagree if not ok[t]][:10],
               "seconds": round(time.perf_counter() - tn, 6)}
    return SamplingEvidence(k, int(done), dependent, tuple(witnesses), seed, p, confidence,
                            clopper_pearson_upper(dependent, done, confidence), time.perf_counter() - t0, num)


def paper_statistic(a: Any, k: int, samples: int = 5000, *, axis: str = "rows", seed: int = 0, accept: float = 0.99,
                    numerical: bool = False, tol: float | None = None) -> dict[str, Any]:
    """The paper's A1 test, done exactly: the fraction of full-rank random k-subsets among ``samples``,
    accepted when it is at least ``accept`` (the paper: 5000 subsets, float32, 99 %).

    Returns the exact fraction, the acceptance, the exact witnesses and the confidence statement
    (:class:`SamplingEvidence`); ``numerical=True`` adds the paper's float32 verdict on the same subsets.
    Evidence only: this never certifies a Kruskal rank.
    """
    from .family import as_family

    fam = as_family(a, axis)
    ev = sample_subsets(fam, k, samples, seed=seed, numerical=numerical, tol=tol, numerical_dtype=np.float32)
    out = {"fraction_full_rank_exact": ev.fraction_independent, "accepted_exact": ev.fraction_independent >= accept,
           "accept_threshold": accept, "evidence": ev}
    if ev.numerical:
        frac = ev.numerical["fraction_full_rank"]
        out.update({"fraction_full_rank_float32": frac, "accepted_float32": frac >= accept})
    return out
