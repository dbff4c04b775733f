"""L8 — rank budget: W* + c W⁺ with rank W* ≤ n̄ − 1 and rank-1 W⁺ has rank ≤ n̄ ≤ d_h and factors as
W_K W_Qᵀ with W_K, W_Q ∈ R^{d×d_h} (zero-padded columns).

Proof (checked symbolically): if A = C₁R₁ and B = C₂R₂ are rank factorisations then
A + B = [C₁ C₂][R₁; R₂], a product through rank A + rank B columns; and a rank-r factorisation
W = C R pads to [C | 0][Rᵀ | 0]ᵀ with d_h ≥ r columns.

Constructor :func:`factor_keyquery_exact` (exact rank factorisation W = C R from the RREF);
checker :func:`check_rank_budget`; proof-graph checker: ``proofs/mahdavi2024/checkers/l8_rank_budget.py``.
"""
from __future__ import annotations

from typing import Any

from flint import fmpq_mat

from ..arith import exact
from ..errors import AssumptionViolatedError
from ..results import Level, Result, Scope
from ..validation import positive_int
from .common import EXACT_SCOPE, refuted_or_proved


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


