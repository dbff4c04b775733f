"""P2 — shared-context ceiling: if all contexts equal one E of rank n then, for every choice of
weights and queries, rank Z ≤ H(n − 1) + 1.

Proof (checked): Z = S (I_H ⊗ E) where row t of S stacks the attention vectors s_{t,1..H}; each block
of a row sums to 1, so the rows lie in V = {s : all H block sums equal}. On one block b ∈ R^n the map
ψ(b) = (b_1, …, b_{n−1}, Σ_i b_i) = (I + e_n vᵀ) b, v = 1 − e_n, is invertible for every n: vᵀe_n = 0,
so (I + e_n vᵀ)(I − e_n vᵀ) = I (symbolic, universal in n). Applied blockwise it maps V injectively
into {(x_1, …, x_H) : the last coordinates of all x_h agree}, which has H(n − 1) + 1 free coordinates.
Hence dim V ≤ H(n − 1) + 1 and rank Z ≤ rank S ≤ H(n − 1) + 1. Exact kernel dimensions of the
block-sum differences Δ ⊗ 1ᵀ for all H, n ≤ 12 corroborate the count.

Checkers: :func:`ceiling_dimension` (exact dim ker D for given H, n), :func:`check_ceiling`
(exact, on rational attention patterns — every interior pattern is softmax of its logarithm, so these
are attention vectors of some weights); proof-graph checker: ``proofs/mahdavi2024/checkers/p2_shared_context_ceiling.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from ..arith import exact
from ..errors import InvalidArgumentError
from ..lemmas.common import refuted_or_proved
from ..results import Level, Result, Scope


def ceiling(H: int, n: int) -> int:
    """H(n − 1) + 1."""
    return H * (n - 1) + 1


def ceiling_dimension(H: int, n: int) -> int:
    """Exact dimension of ker(Δ ⊗ 1ᵀ) = span of the stacked attention vectors (all block sums equal)."""
    delta = np.zeros((max(H - 1, 0), H), dtype=np.int64)
    for h in range(H - 1):
        delta[h, h], delta[h, h + 1] = 1, -1
    if H == 1:
        return n
    return H * n - exact.rank(np.kron(delta, np.ones((1, n), dtype=np.int64)))


def rational_attention(rng: np.random.Generator, T: int, H: int, n: int, bound: int = 9) -> list[list[fmpq]]:
    """T rows of H exact rational points of the open simplex (positive, each block summing to 1)."""
    rows = []
    for _ in range(T):
        row = []
        for _ in range(H):
            w = rng.integers(1, bound + 1, size=n)
            row += [fmpq(int(x), int(w.sum())) for x in w]
        rows.append(row)
    return rows


def check_ceiling(E: Any, S: Any, H: int, *, bound: int | None = None) -> Result:
    """Exactly check rank Z ≤ bound (default H(n−1)+1) for Z = S (I_H ⊗ E), S given exactly (T × Hn).

    Refuted, with the exact rank, when the bound is wrong (e.g. H(n − 1)) or when the rows of S are
    not attention vectors.
    """
    Eq = exact.to_fmpq_mat(E, "E")
    n, d = Eq.nrows(), Eq.ncols()
    Sq = S if isinstance(S, fmpq_mat) else exact.to_fmpq_mat(S, "S")
    if Sq.ncols() != H * n:
        raise InvalidArgumentError("S", f"{Sq.ncols()} columns", f"H·n = {H * n}")
    block = fmpq_mat(H * n, H * d, [Eq[i % n, j % d] if i // n == j // d else 0 for i in range(H * n) for j in range(H * d)])
    Z = Sq * block
    limit = ceiling(H, n) if bound is None else bound
    rank = Z.rank()
    scope = Scope.instance(f"T={Sq.nrows()}, H={H}, n={n}, d={d}; exact rational attention patterns")
    return refuted_or_proved("P2", f"rank Z ≤ {limit}", rank <= limit, Level.EXACT, scope,
                             {"rank_Z": rank, "bound": limit, "rank_E": Eq.rank()}, {"rank_Z": rank, "bound": limit},
                             margins={"bound_minus_rank": limit - rank})


