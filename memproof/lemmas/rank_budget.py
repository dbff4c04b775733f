"""L8 — rank budget: W* + c W⁺ with rank W* ≤ n̄ − 1 and rank-1 W⁺ has rank ≤ n̄ ≤ d_h and factors as
W_K W_Qᵀ with W_K, W_Q ∈ R^{d×d_h} (zero-padded columns).

Proof (checked symbolically): if A = C₁R₁ and B = C₂R₂ are rank factorisations then
A + B = [C₁ C₂][R₁; R₂], a product through rank A + rank B columns; and a rank-r factorisation
W = C R pads to [C | 0][Rᵀ | 0]ᵀ with d_h ≥ r columns.

Constructor :func:`factor_keyquery_exact` (exact rank factorisation W = C R from the RREF);
checker :func:`check_rank_budget`; proof-graph checker :func:`check_L8`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq_mat

from ..arith import exact
from ..checkers.context import CheckContext
from ..errors import AssumptionViolatedError
from ..results import Level, Result, Scope
from ..validation import positive_int
from .common import EXACT_SCOPE, corroborate, refuted_or_proved, small_integer_matrix, symbolic_identity

STATEMENT = "rank W* ≤ n̄ − 1, rank W⁺ = 1 ⇒ rank(W* + cW⁺) ≤ n̄ ≤ d_h and W* + cW⁺ = W_K W_Qᵀ with W_K, W_Q ∈ R^{d×d_h}"


def factor_keyquery_exact(W: Any, d_h: int) -> tuple[fmpq_mat, fmpq_mat]:
    """Exact (W_K, W_Q), both d×d_h, with W_K W_Qᵀ = W; requires rank W ≤ d_h.

    W = W[:, pivots] · R with R the nonzero rows of the reduced row echelon form of W.

    >>> K, Q = factor_keyquery_exact([[1, 2], [2, 4]], d_h=1)
    >>> print(K * Q.transpose())
    [1, 2]
    [2, 4]
    """
    w = exact.to_fmpq_mat(W, "W")
    d_h = positive_int(d_h, "d_h")
    rref, rank = w.rref()
    if rank > d_h:
        raise AssumptionViolatedError("L8: rank W ≤ d_h", f"rank W = {rank} > d_h = {d_h}", {"rank_W": rank, "d_h": d_h})
    rows = rref.tolist()[:rank]
    pivots = [next(j for j, x in enumerate(row) if x != 0) for row in rows]
    cols = w.tolist()
    K = [[cols[i][p] for p in pivots] + [0] * (d_h - rank) for i in range(w.nrows())]
    Q = [[rows[k][j] for k in range(rank)] + [0] * (d_h - rank) for j in range(w.ncols())]
    return fmpq_mat(K), fmpq_mat(Q)


def check_rank_budget(W_star: Any, W_plus: Any, c: Any, d_h: int) -> Result:
    """Exactly check that W = W* + c W⁺ has rank ≤ d_h and factors through d_h columns.

    Refuted (with the exact rank) when rank W > d_h — e.g. when rank W* ≥ d_h, outside L8's premise.
    """
    ws, wp = exact.to_fmpq_mat(W_star, "W_star"), exact.to_fmpq_mat(W_plus, "W_plus")
    w = ws + exact.to_fmpq_mat([[c]], "c")[0, 0] * wp
    ranks = {"rank_W_star": ws.rank(), "rank_W_plus": wp.rank(), "rank_W": w.rank(), "d_h": d_h}
    scope = Scope.instance(f"d={w.nrows()}, d_h={d_h}; {EXACT_SCOPE}")
    if ranks["rank_W"] > d_h:
        return refuted_or_proved("L8", "W* + cW⁺ factors through d_h columns", False, Level.EXACT, scope, ranks, ranks)
    K, Q = factor_keyquery_exact(w, d_h)
    ok = K * Q.transpose() == w and ranks["rank_W"] <= ranks["rank_W_star"] + ranks["rank_W_plus"]
    return refuted_or_proved("L8", "W_K W_Qᵀ = W* + cW⁺ exactly, rank subadditive", ok, Level.EXACT, scope, ranks,
                             margins={"spare_head_dims": d_h - ranks["rank_W"]})


def _symbolic_parts() -> list[Result]:
    import sympy as sp

    d, r1, r2, dh = sp.symbols("d r_1 r_2 d_h", integer=True, positive=True)
    C1, C2 = sp.MatrixSymbol("C_1", d, r1), sp.MatrixSymbol("C_2", d, r2)
    R1, R2 = sp.MatrixSymbol("R_1", r1, d), sp.MatrixSymbol("R_2", r2, d)
    concat = sp.MatMul(sp.BlockMatrix([[C1, C2]]), sp.BlockMatrix([[R1], [R2]]), evaluate=False)
    padded = sp.MatMul(sp.BlockMatrix([[C1, sp.ZeroMatrix(d, dh - r1)]]),
                       sp.BlockMatrix([[R1.T, sp.ZeroMatrix(d, dh - r1)]]).T, evaluate=False)
    return [
        symbolic_identity("L8", "C₁R₁ + C₂R₂ = [C₁ C₂][R₁; R₂] (rank subadditivity)", concat, C1 * R1 + C2 * R2,
                          Scope.universal("all rank factorisations")),
        symbolic_identity("L8", "[C | 0][Rᵀ | 0]ᵀ = C R (zero-padding to d_h columns)", padded, C1 * R1,
                          Scope.universal("all r ≤ d_h")),
    ]


def _instance(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int, int]:
    d = int(rng.integers(3, 7))
    d_h = int(rng.integers(2, d + 1))
    k = d_h - 1  # rank W* ≤ n̄ − 1 with n̄ = d_h
    W_star = small_integer_matrix(rng, d, k, 3) @ small_integer_matrix(rng, k, d, 3) if k else np.zeros((d, d), int)
    W_plus = np.outer(small_integer_matrix(rng, d, 1), small_integer_matrix(rng, 1, d))
    return W_star, W_plus, int(rng.integers(1, 10**6)), d_h


def check_L8(ctx: CheckContext) -> Result:
    """Proof-graph checker of L8: symbolic factorisation identities (universal) + exact instances."""
    rng = ctx.rng("L8")
    checks = [check_rank_budget(*_instance(rng)) for _ in range(4 if ctx.quick else 12)]
    return Result.combine("L8", STATEMENT, _symbolic_parts() + [corroborate("L8", f"exact rank budget on {len(checks)} instances", checks)])
