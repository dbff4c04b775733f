"""L1 — reduction to rank: rank Z = T ⇒ every label matrix is interpolated by M = Yᵀ (Z Zᵀ)⁻¹ Z;
with d_o ≥ T, memorizing all labels needs rank Z = T.

Constructor :func:`interpolating_readout` (float) and :func:`interpolating_readout_exact`; checker
:func:`check_interpolation` (exact, one instance); proof-graph checker :func:`check_L1`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq_mat

from ..arith import exact
from ..checkers.context import CheckContext
from ..errors import AssumptionViolatedError, InvalidArgumentError
from ..results import Level, Result, Scope
from ..validation import as_float_array
from .common import EXACT_SCOPE, corroborate, refuted_or_proved, small_integer_matrix, symbolic_identity

STATEMENT = "rank Z = T ⇒ ∀Y ∃M: M z_t = y_t (M = Yᵀ(ZZᵀ)⁻¹Z); with d_o ≥ T memorizing all labels needs rank Z = T"


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


def _symbolic_parts() -> list[Result]:
    import sympy as sp

    T, m, do = sp.symbols("T Hd d_o", integer=True, positive=True)
    Z, Y = sp.MatrixSymbol("Z", T, m), sp.MatrixSymbol("Y", T, do)
    lhs = sp.MatMul(Y.T, (Z * Z.T).I, Z, Z.T, evaluate=False)
    scope = Scope.universal("all T, Hd, d_o and Z with Z Zᵀ invertible (rank Z = T)")
    direct = symbolic_identity("L1", "M Zᵀ = Yᵀ for M = Yᵀ(ZZᵀ)⁻¹Z", lhs, Y.T, scope)
    # Converse: M Zᵀ = Yᵀ and Zᵀx = 0 give Yᵀx = M (Zᵀ x) = 0, so labels with Yᵀx ≠ 0 are unreachable.
    Mn, Ztn, xn = sp.symbols("M Z^T x", commutative=False)
    chain = Mn * Ztn * xn
    converse = symbolic_identity("L1", "M Zᵀ = Yᵀ and Zᵀx = 0 ⇒ Yᵀx = M(Zᵀx) = 0",
                                 chain.subs(Ztn * xn, 0), sp.Integer(0), Scope.universal("all M, Z, x"))
    converse = converse.replace(evidence={**converse.evidence, "lhs": f"{chain} with Z^T*x = 0"})
    return [direct, converse]


def check_L1(ctx: CheckContext) -> Result:
    """Proof-graph checker of L1: symbolic identity (universal) + exact instances (both directions)."""
    rng = ctx.rng("L1")
    checks = []
    for _ in range(3 if ctx.quick else 8):
        T = int(rng.integers(1, 6))
        cols, do = T + int(rng.integers(0, 4)), int(rng.integers(1, 4))
        Z = small_integer_matrix(rng, T, cols)
        while exact.rank(Z) < T:
            Z = small_integer_matrix(rng, T, cols)
        checks.append(check_interpolation(Z, small_integer_matrix(rng, T, do)))
    # Converse with d_o ≥ T: a rank-deficient Z cannot interpolate Y = I_T.
    Z = small_integer_matrix(rng, 3, 4)
    Z[2] = Z[0] - 2 * Z[1]
    converse = check_interpolation(Z, np.eye(3, dtype=np.int64), required_rank=2)
    converse_ok = refuted_or_proved(
        "L1", "rank Z < T and d_o ≥ T ⇒ some labels (Y = I) are not memorized", not bool(converse),
        Level.EXACT, Scope.instance(EXACT_SCOPE), {"counterexample_found": converse.counterexample or {}})
    parts = _symbolic_parts() + [
        corroborate("L1", f"exact interpolation on {len(checks)} random integer instances", checks),
        converse_ok.as_corroboration(),
    ]
    return Result.combine("L1", STATEMENT, parts)
