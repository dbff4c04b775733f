"""Numerical Kruskal rank at a stated tolerance — an **empirical** quantity, never the exact one.

This is what the paper's float32 test measures: a k-subset counts as independent when its numerical
rank (singular values above ``tol``, :func:`numpy.linalg.matrix_rank` semantics) is k. It can differ
from the exact Kruskal rank in both directions; :func:`memproof.kruskal.kruskal_rank` reports both
and every disagreement.

>>> import numpy as np
>>> a = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1e-12]])
>>> r = numerical_kruskal_rank(a, tol=1e-9)
>>> r.kruskal_rank, r.witness
(1, [0, 2])
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import time
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

from ..errors import FloatRangeError
from .family import VectorFamily, as_family
from .sampling import numerical_full_rank, random_subsets


@dataclasses.dataclass(frozen=True)
class NumericalKruskal:
    """Numerical rank and Kruskal rank (or an upper bound on it) at tolerance ``tol`` in ``dtype``."""

    tol: float | None
    dtype: str
    rank: int
    kruskal_rank: int | None
    kruskal_rank_upper: int
    exhaustive: bool
    witness: list[int] | None
    subsets_checked: int
    seconds: float
    label: str = "empirical (numerical rank at a tolerance, not exact)"

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "tol": self.tol,
                "tol_rule": "numpy.linalg.matrix_rank default (sigma_max * max(shape) * eps)" if self.tol is None else "absolute threshold on singular values",
                "dtype": self.dtype, "rank": self.rank, "kruskal_rank": self.kruskal_rank,
                "kruskal_rank_upper": self.kruskal_rank_upper, "exhaustive": self.exhaustive,
                "witness": self.witness, "subsets_checked": self.subsets_checked, "seconds": round(self.seconds, 6)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "NumericalKruskal":
        return cls(d["tol"], d["dtype"], int(d["rank"]), d["kruskal_rank"], int(d["kruskal_rank_upper"]),
                   bool(d["exhaustive"]), d["witness"], int(d["subsets_checked"]), float(d["seconds"]))


def numerical_kruskal_rank(a: Any, axis: str = "rows", *, tol: float | None = None, dtype: Any = np.float64,
                           max_subsets: int = 2000, seed: int = 0, max_seconds: float = 10.0) -> NumericalKruskal:
    """Numerical Kruskal rank of the rows/columns of ``a`` at ``tol`` (top-down, exhaustive when a level
    has at most ``max_subsets`` subsets, else sampled — then only an upper bound is reported). After
    ``max_seconds`` the search stops with the upper bound found so far."""
    t0 = time.perf_counter()
    fam = as_family(a, axis)
    vec = fam.vectors if fam.vectors is not None else _as_float(fam)
    v = np.asarray(vec, dtype=dtype)
    rank = int(np.linalg.matrix_rank(v, tol=tol))
    upper = min(rank, fam.N)
    checked, witness = 0, None
    k = upper
    while k >= 1:
        total = math.comb(fam.N, k)
        if total <= max_subsets:
            subs = np.array(list(itertools.combinations(range(fam.N), k)), dtype=np.int64)
        else:
            subs = random_subsets(fam.N, k, max_subsets, seed + k)
        full = np.ones(len(subs), dtype=bool)
        timed_out = False
        for lo in range(0, len(subs), 64):
            full[lo:lo + 64] = numerical_full_rank(v, subs[lo:lo + 64], tol, dtype)
            checked += len(subs[lo:lo + 64])
            if not full[lo:lo + 64].all():
                break
            if time.perf_counter() - t0 > max_seconds:
                timed_out = True
                break
        if timed_out:
            return NumericalKruskal(tol, np.dtype(dtype).name, rank, None, k, False, witness, checked,
                                    time.perf_counter() - t0)
        bad = np.flatnonzero(~full)
        if bad.size:
            witness = subs[bad[0]].tolist()
            k -= 1
            continue
        exhaustive = total <= max_subsets
        return NumericalKruskal(tol, np.dtype(dtype).name, rank, k if exhaustive else None, k, exhaustive,
                                witness, checked, time.perf_counter() - t0)
    return NumericalKruskal(tol, np.dtype(dtype).name, rank, 0, 0, True, witness, checked, time.perf_counter() - t0)


def _as_float(fam: VectorFamily) -> np.ndarray:
    """The exact vectors rounded to float64 (each entry correctly rounded, however large p and q are).

    Raises :class:`~memproof.errors.FloatRangeError` naming the entry when a value lies beyond the
    float64 range: the float comparison does not exist for such a family."""
    out = np.empty((fam.N, fam.dim), dtype=np.float64)
    for i, row in enumerate(fam.exact_rows(range(fam.N))):
        for j, x in enumerate(row):
            try:
                out[i, j] = float(Fraction(int(x.p), int(x.q)))
            except OverflowError:
                raise FloatRangeError(f"{fam.axis}[{i}][{j}]", f"a value of about 2^{int(x.p).bit_length() - int(x.q).bit_length()}",
                                           "entries within the float64 range for a numerical rank",
                                           hint="pass numerical=False; the exact Kruskal rank does not need floats") from None
    return out
