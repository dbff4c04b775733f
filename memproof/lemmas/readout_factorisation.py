"""L2 — readout factorisation: every block M_h ∈ R^{d_o×d} equals W_O^h W_V^hᵀ with
W_V^h ∈ R^{d×d_v}, W_O^h ∈ R^{d_o×d_v} as soon as d_v ≥ min(d, d_o).

Constructor :func:`factor_readout_block`; checker :func:`check_readout_factorisation` (exact, one
instance); proof-graph checker: ``proofs/mahdavi2024/checkers/l2_readout_factorisation.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..arith import exact
from ..errors import AssumptionViolatedError
from ..results import Level, Result, Scope
from ..validation import as_float_array, positive_int
from .common import EXACT_SCOPE, refuted_or_proved


def factor_readout_block(M_h: Any, d_v: int) -> tuple[np.ndarray, np.ndarray]:
    """(W_V, W_O) with W_O W_Vᵀ = M_h, shapes (d, d_v) and (d_o, d_v).

    For d ≤ d_o: W_V = [I_d | 0], W_O = [M_h | 0]; for d_o < d: W_O = [I_{d_o} | 0],
    W_V = [M_hᵀ | 0]. The product is exact in floating point (only multiplications by 0 and 1).
    Raises :class:`AssumptionViolatedError` when d_v < min(d, d_o).

    >>> W_V, W_O = factor_readout_block([[1.0, 2.0, 3.0]], d_v=1)
    >>> (W_O @ W_V.T).tolist()
    [[1.0, 2.0, 3.0]]
    """
    m = as_float_array(M_h, "M_h", 2)
    d_v = positive_int(d_v, "d_v")
    d_o, d = m.shape
    if d_v < min(d, d_o):
        raise AssumptionViolatedError("L2: d_v ≥ min(d, d_o)", f"d_v = {d_v} < min(d={d}, d_o={d_o})",
                                      {"d_v": d_v, "d": d, "d_o": d_o})
    W_V, W_O = np.zeros((d, d_v)), np.zeros((d_o, d_v))
    if d <= d_o:
        W_V[:, :d], W_O[:, :d] = np.eye(d), m
    else:
        W_O[:, :d_o], W_V[:, :d_o] = np.eye(d_o), m.T
    return W_V, W_O


def check_readout_factorisation(M_h: Any, d_v: int) -> Result:
    """Exact check that M_h = W_O W_Vᵀ for some factors of inner dimension d_v.

    Proved with the explicit factors when d_v ≥ min(d, d_o); when d_v is smaller the claim can fail:
    refuted with the exact witness rank M_h > d_v ≥ rank(W_O W_Vᵀ) for every pair of factors.
    """
    m = as_float_array(M_h, "M_h", 2)
    d_o, d = m.shape
    scope = Scope.instance(f"d_o={d_o}, d={d}, d_v={d_v}; {EXACT_SCOPE}")
    rank = exact.rank(m)
    evidence = {"d_o": d_o, "d": d, "d_v": d_v, "rank_M_h": rank}
    if d_v < min(d, d_o):
        if rank > d_v:
            return refuted_or_proved("L2", "M_h factors through d_v", False, Level.EXACT, scope, evidence,
                                     {"rank_M_h": rank, "d_v": d_v, "why": "rank(W_O W_Vᵀ) ≤ d_v < rank M_h"})
        raise AssumptionViolatedError("L2: d_v ≥ min(d, d_o)", f"d_v = {d_v} < min(d, d_o) = {min(d, d_o)}", evidence)
    W_V, W_O = factor_readout_block(m, d_v)
    product = exact.to_fmpq_mat(W_O) * exact.to_fmpq_mat(W_V).transpose()
    return refuted_or_proved("L2", "W_O W_Vᵀ = M_h exactly", product == exact.to_fmpq_mat(m), Level.EXACT, scope, evidence)


