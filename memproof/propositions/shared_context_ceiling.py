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
are attention vectors of some weights); proof-graph checker :func:`check_P2`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from ..arith import exact
from ..arith.empirical import numerical_rank
from ..checkers.context import CheckContext
from ..errors import InvalidArgumentError
from ..lemmas.common import corroborate, refuted_or_proved, symbolic_identity
from ..model import AttentionSpec, MHAWeights, feature_matrix
from ..results import Level, Result, Scope

STATEMENT = "shared context E of rank n ⇒ rank Z ≤ H(n − 1) + 1 for every choice of weights and queries"


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


def _universal_part() -> Result:
    """ψ = I + e_n vᵀ (v = 1 − e_n) is invertible for every n: vᵀe_n = 0 and (I + e_n vᵀ)(I − e_n vᵀ) = I."""
    import sympy as sp

    e_n, vT, oneT, e_nT = sp.symbols("e_n v^T 1^T e_n^T", commutative=False)
    vt_en = sp.expand((oneT - e_nT) * e_n)
    orth = symbolic_identity("P2", "vᵀe_n = 1ᵀe_n − e_nᵀe_n = 0 (using 1ᵀe_n = e_nᵀe_n = 1)",
                             vt_en.subs({oneT * e_n: 1, e_nT * e_n: 1}), sp.Integer(0), Scope.universal("all n"))
    product = sp.expand((1 + e_n * vT) * (1 - e_n * vT))
    inverse = symbolic_identity("P2", "(I + e_n vᵀ)(I − e_n vᵀ) = I using vᵀe_n = 0: ψ is invertible",
                                product.subs(vT * e_n, 0), sp.Integer(1), Scope.universal("all n"))
    inverse = inverse.replace(evidence={**inverse.evidence, "lhs": f"{product} with v^T*e_n = 0"})
    count = Result.combine("P2", "blockwise ψ maps V = {equal block sums} injectively into a space with H(n−1)+1 free "
                           "coordinates, so dim V ≤ H(n−1)+1 and rank Z ≤ H(n−1)+1", [orth, inverse],
                           scope=Scope.universal("all H, n"))
    return count


def _instance(rng: np.random.Generator) -> tuple[np.ndarray, fmpq_mat, int]:
    H, n = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    d = n + int(rng.integers(0, 3))
    E = rng.integers(-4, 5, size=(n, d))
    while exact.rank(E) < n:
        E = rng.integers(-4, 5, size=(n, d))
    T = ceiling(H, n) + int(rng.integers(0, 4))  # more rows than the ceiling: the bound must bite
    return E, fmpq_mat(rational_attention(rng, T, H, n)), H


def _random_weight_ranks(rng: np.random.Generator, quick: bool) -> Result:
    """Empirical: numerical rank of Z for random weights of every d_h ≤ n stays ≤ the ceiling."""
    checks = []
    n, d, H = 4, 7, 3
    E = rng.normal(size=(n, d))
    for d_h in range(1, n + 1):
        w = MHAWeights.random(AttentionSpec(n=n, d=d, heads=H, d_h=d_h), rng=rng)
        Z = feature_matrix(w, E * 3.0, rng.normal(size=(ceiling(H, n) + 5, d)))
        rank, tol = numerical_rank(Z)
        checks.append(refuted_or_proved("P2", f"numerical rank Z ≤ {ceiling(H, n)} (d_h = {d_h})", rank <= ceiling(H, n),
                                        Level.EMPIRICAL, Scope.instance(f"random weights, d_h={d_h}; stored float Z, tol {tol:.2e}"),
                                        {"numerical_rank": rank, "tol": tol}))
        if quick:
            break
    return corroborate("P2", "random weights of every d_h (numerical rank, empirical)", checks)


def check_P2(ctx: CheckContext) -> Result:
    """Proof-graph checker of P2: the blockwise invertible map ψ (symbolic, universal); exact kernel
    dimensions for all H, n ≤ 12 (box); exact instances with more rows than the ceiling (attained,
    never exceeded); empirical ranks for random weights of every d_h."""
    rng = ctx.rng("P2")
    top = 6 if ctx.quick else 12
    dims = [refuted_or_proved("P2", f"dim ker(Δ⊗1ᵀ) = H(n−1)+1 for H={H}, n={n}", ceiling_dimension(H, n) == ceiling(H, n),
                              Level.EXACT, Scope.instance(f"H={H}, n={n}"), {"dimension": ceiling_dimension(H, n)})
            for H in range(1, top + 1) for n in range(1, top + 1)]
    dim_part = corroborate("P2", f"span of stacked attention vectors has dimension H(n−1)+1 (all H, n ≤ {top})", dims)
    dim_part = dim_part.replace(scope=Scope.box(f"H, n ≤ {top}"))
    instances = [check_ceiling(*_instance(rng)) for _ in range(4 if ctx.quick else 12)]
    attained = [r.margins["bound_minus_rank"] == 0 for r in instances]
    tight = refuted_or_proved("P2", "the ceiling is attained by generic attention patterns", sum(attained) >= len(attained) // 2,
                              Level.EXACT, Scope.instance(f"{len(attained)} instances"), {"attained": sum(attained), "of": len(attained)})
    return Result.combine("P2", STATEMENT, [
        _universal_part(),
        dim_part,
        corroborate("P2", "exact ranks on rational attention patterns with more rows than the ceiling", instances),
        tight.as_corroboration(),
        _random_weight_ranks(rng, ctx.quick),
    ])
