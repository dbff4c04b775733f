"""Hypothesis strategies for memorization datasets, documented like ``hypothesis.extra.numpy``.

All data are small integers stored as float64, so every property holds **exactly** for the stored
numbers (not just generically):

- queries with a prescribed Kruskal rank k ≥ n: rows ``V Pᵀ`` with V a Vandermonde matrix on distinct
  integer nodes (every k of its rows independent) and P ∈ Z^{d×k} of full column rank;
- contexts of full row rank n: ``D [I_n | R] Π`` (nonzero diagonal D, integer R, permutation Π);
- datasets that violate one assumption in a known place, with the witness.

Example::

    from hypothesis import given
    from memproof import strategies as mst

    @given(mst.datasets(n=3, d=5, T=6))
    def test_my_claim(ds):
        ...   # ds.queries: (6, 5) with Kruskal rank ≥ 3; ds.contexts: rank-3 contexts
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import strategies as st

from .data import Dataset
from .model import AttentionSpec

__all__ = ["queries", "contexts", "labels", "datasets", "attention_specs", "violating_datasets", "Violation"]

def _full_column_rank(draw: Any, rows: int, cols: int) -> np.ndarray:
    """Integer rows×cols matrix (rows ≥ cols) of full column rank: [I; R] with rows permuted."""
    top = np.diag(draw(st.lists(st.sampled_from([-2, -1, 1, 2]), min_size=cols, max_size=cols)))
    rest = np.array(draw(st.lists(st.lists(st.integers(-2, 2), min_size=cols, max_size=cols),
                                  min_size=rows - cols, max_size=rows - cols))).reshape(rows - cols, cols)
    perm = draw(st.permutations(range(rows)))
    return np.vstack([top, rest])[list(perm)]


@st.composite
def queries(draw: Any, T: int, d: int, kruskal_rank: int) -> np.ndarray:
    """T query rows in R^d whose Kruskal rank is exactly min(T, kruskal_rank) (float64, exact integers).

    Parameters
    ----------
    T, d : int
        Number of queries and their dimension.
    kruskal_rank : int
        k ≤ d: every k rows are independent; when T > k, any k + 1 are dependent (they span R^k).
    """
    if not 1 <= kruskal_rank <= d:
        raise ValueError(f"kruskal_rank must be in [1, d={d}], got {kruskal_rank}")
    bound = max(12, T)
    nodes = np.array(draw(st.lists(st.integers(-bound, bound), unique=True, min_size=T, max_size=T)))
    V = np.vander(nodes, kruskal_rank, increasing=True).astype(np.int64)  # every k rows independent
    P = _full_column_rank(draw, d, kruskal_rank)
    return (V @ P.T).astype(np.float64)


@st.composite
def contexts(draw: Any, n: int, d: int, count: int | None = None) -> np.ndarray:
    """Context(s) of full row rank n: one (n, d) array, or (count, n, d) when ``count`` is given."""
    def one() -> np.ndarray:
        return _full_column_rank(draw, d, n).T.astype(np.float64)

    return one() if count is None else np.stack([one() for _ in range(count)])


def labels(T: int, d_o: int = 1) -> st.SearchStrategy[np.ndarray]:
    """Real labels y_t ∈ [-10, 10]^{d_o}, shape (T, d_o)."""
    return st.lists(st.lists(st.floats(-10, 10, allow_nan=False), min_size=d_o, max_size=d_o),
                    min_size=T, max_size=T).map(lambda rows: np.array(rows, dtype=np.float64))


@st.composite
def datasets(draw: Any, n: int, d: int, T: int, *, shared: bool | None = None, d_o: int | None = 1,
             kruskal_rank: int | None = None) -> Dataset:
    """Datasets satisfying A1 (queries of Kruskal rank ≥ n) and A2 (contexts of rank n) by construction.

    ``shared=None`` draws shared or distinct contexts; ``d_o=None`` omits labels; ``kruskal_rank``
    defaults to a draw from [n, d].
    """
    if not 1 <= n <= d:
        raise ValueError(f"need 1 ≤ n ≤ d, got n={n}, d={d}")
    k = draw(st.integers(n, d)) if kruskal_rank is None else kruskal_rank
    is_shared = draw(st.booleans()) if shared is None else shared
    q = draw(queries(T, d, k))
    c = draw(contexts(n, d, None if is_shared else T))
    y = None if d_o is None else draw(labels(T, d_o))
    return Dataset(q, c, y)


@st.composite
def attention_specs(draw: Any, max_n: int = 4, max_heads: int = 3) -> AttentionSpec:
    """Specs inside Theorem 1's range: n < d, d_h ≤ d, d_v = min(d, d_o)."""
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(n + 1, n + 3))
    d_o = draw(st.integers(1, 3))
    return AttentionSpec(n=n, d=d, heads=draw(st.integers(1, max_heads)), d_h=draw(st.integers(1, d)),
                         d_v=min(d, d_o), d_o=d_o)


@dataclasses.dataclass(frozen=True)
class Violation:
    """A dataset that violates ``assumption`` ("A1" or "A2") exactly at ``witness``."""

    dataset: Dataset
    assumption: str
    witness: dict


@st.composite
def violating_datasets(draw: Any, n: int, d: int, T: int, assumption: str | None = None) -> Violation:
    """A dataset valid except for one planted violation, returned with its witness.

    - A1: query ``t`` is an integer combination of ``m − 1 ≤ n − 1`` others; witness ``subset`` (the m
      indices, sorted) — so some n-subset of queries is dependent.
    - A2: context ``t`` repeats one of its rows; witness ``example`` = t.
    """
    which = draw(st.sampled_from(["A1", "A2"])) if assumption is None else assumption
    ds = draw(datasets(n, d, T, shared=False if which == "A2" else None, d_o=1, kruskal_rank=d))
    q, c = ds.queries.copy(), ds.contexts.copy()
    if which == "A1":
        m = draw(st.integers(2, min(n, T)))
        subset = sorted(draw(st.lists(st.integers(0, T - 1), unique=True, min_size=m, max_size=m)))
        coeffs = draw(st.lists(st.sampled_from([-2, -1, 1, 2]), min_size=m - 1, max_size=m - 1))
        q[subset[-1]] = sum(a * q[i] for a, i in zip(coeffs, subset[:-1]))
        return Violation(Dataset(q, c, ds.labels), "A1", {"subset": subset})
    t = draw(st.integers(0, T - 1))
    i, j = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=2, max_size=2)) if n > 1 else (0, 0)
    c[t, j] = c[t, i] if n > 1 else 0.0
    return Violation(Dataset(q, c, ds.labels), "A2", {"example": t})
