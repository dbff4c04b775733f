"""L1 — reduction to rank: rank Z = T ⇒ every label matrix is interpolated by M = Yᵀ (Z Zᵀ)⁻¹ Z;
with d_o ≥ T, memorizing all labels needs rank Z = T.

Constructor :func:`interpolating_readout` (float) and :func:`interpolating_readout_exact`; checker
:func:`check_interpolation` (exact, one instance); proof-graph checker: ``proofs/mahdavi2024/checkers/l1_rank_reduction.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq_mat

from ..arith import exact
from ..errors import AssumptionViolatedError, InvalidArgumentError
from ..results import Level, Result, Scope
from ..validation import as_float_array
from .common import EXACT_SCOPE, refuted_or_proved


def interpolating_readout(Z: Any, Y: Any) -> np.ndarray:
    """Float readout M = Yᵀ (Z Zᵀ)⁻¹ Z (computed as a least-squares solve), shape (d_o, Hd).

    >>> interpolating_readout([[1.0, 0.0], [0.0, 2.0]], [[3.0], [4.0]]).round(12).tolist()
    [[3.0, 2.0]]
    """
    z, y = as_float_array(Z, "Z", 2), as_float_array(Y, "Y", (1, 2))
    y = y.reshape(-1, 1) if y.ndim == 1 else y
    if y.shape[0] != z.shape[0]:
        raise InvalidArgumentError("Y", f"{y.shape[0]} labels", f"one per row of Z (T={z.shape[0]})")
    # M Zᵀ = Yᵀ with M in the row space of Z: M = (Z⁺ Y)ᵀ, the minimum-norm solution = Yᵀ(ZZᵀ)⁻¹Z.
    sol, *_ = np.linalg.lstsq(z, y, rcond=None)
    return sol.T


def interpolating_readout_exact(Z: Any, Y: Any) -> fmpq_mat:
    """Exact M = Yᵀ (Z Zᵀ)⁻¹ Z for rank Z = T; raises AssumptionViolatedError otherwise.

    >>> print(interpolating_readout_exact([[1, 1], [0, 2]], [[1], [0]]))  # m1 + m2 = 1, 2 m2 = 0
    [1, 0]
    """
    z, y = exact.to_fmpq_mat(Z, "Z"), exact.to_fmpq_mat(Y, "Y")
    if y.nrows() != z.nrows():
        y = y.transpose() if y.ncols() == z.nrows() and y.nrows() == 1 else y
    if y.nrows() != z.nrows():
        raise InvalidArgumentError("Y", f"{y.nrows()} labels", f"one per row of Z (T={z.nrows()})")
    gram = z * z.transpose()
    if gram.rank() < z.nrows():
        null = exact.left_nullspace(z)[0]
        raise AssumptionViolatedError("L1: rank Z = T", f"rank Z = {z.rank()} < T = {z.nrows()}",
                                      {"left_null_vector": null})
    return y.transpose() * gram.solve(z)


def check_interpolation(Z: Any, Y: Any, *, required_rank: int | None = None) -> Result:
    """Exactly decide whether labels Y are interpolated by some readout: M Zᵀ = Yᵀ.

    ``required_rank`` (default T) is the premise being tested: the check first certifies
    rank Z ≥ required_rank, then either exhibits M (proved) or an exact left null vector x with
    xᵀZ = 0 and xᵀY ≠ 0 — no M can interpolate (refuted: the premise did not suffice).
    """
    z, y = exact.to_fmpq_mat(Z, "Z"), exact.to_fmpq_mat(Y, "Y")
    T = z.nrows()
    if y.nrows() != T:
        raise InvalidArgumentError("Y", f"{y.nrows()} labels", f"one per row of Z (T={T})")
    need = T if required_rank is None else int(required_rank)
    rank = z.rank()
    if rank < need:
        raise AssumptionViolatedError("L1 premise", f"rank Z = {rank} < {need}", {"rank_Z": rank})
    scope = Scope.instance(f"T={T}, Hd={z.ncols()}, d_o={y.ncols()}; {EXACT_SCOPE}")
    evidence: dict[str, Any] = {"rank_Z": rank, "T": T, "required_rank": need}
    if rank == T:
        M = y.transpose() * (z * z.transpose()).solve(z)
        if M.nrows() * M.ncols() <= 64:
            evidence["M"] = exact.matrix_to_strings(M)
        return refuted_or_proved("L1", "M = Yᵀ(ZZᵀ)⁻¹Z interpolates: M Zᵀ = Yᵀ",
                                 M * z.transpose() == y.transpose(), Level.EXACT, scope, evidence)
    for x in exact.left_nullspace(z):
        xty = (fmpq_mat([x]) * y).tolist()[0]
        if any(v != 0 for v in xty):
            cex = {"left_null_vector": x, "xT_Y": [str(v) for v in xty]}
            return refuted_or_proved("L1", f"rank Z ≥ {need} suffices for these labels", False, Level.EXACT,
                                     scope, evidence, cex)
    return refuted_or_proved("L1", "labels lie in the row space: interpolable", True, Level.EXACT, scope, evidence)


