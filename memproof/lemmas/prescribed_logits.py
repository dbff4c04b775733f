"""L3 — prescribed logits: for k ≤ n examples with independent queries (A1) and full-rank contexts
(A2), and targets a_1..a_k ∈ R^n, W* = Σ_j w_j b_jᵀ with w_j = E_jᵀ(E_jE_jᵀ)⁻¹a_j and
[b_1..b_k] = Q_Nᵀ(Q_NQ_Nᵀ)⁻¹ gives E_j W* e_j = a_j and rank W* ≤ k.

Constructors :func:`prescribed_logits_matrix` (float64) and :func:`prescribed_logits_matrix_exact`;
checkers :func:`check_prescribed_logits` (exact: the real-number W* of the stored inputs) and
:func:`check_prescribed_logits_float` (rigorous residual of the *stored float* W*); proof-graph checker: ``proofs/mahdavi2024/checkers/l3_prescribed_logits.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq_mat

from ..arith import exact
from ..arith.empirical import min_norm_solve
from ..arith.rigorous import arb_upper_float, to_arb_mat, working_precision
from ..errors import AssumptionViolatedError, InvalidArgumentError
from ..results import Level, Result, Scope
from ..validation import as_float_array
from .common import EXACT_SCOPE, refuted_or_proved


def _validate(queries: Any, contexts: Any, targets: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = as_float_array(queries, "queries", 2)
    k, d = q.shape
    ctx = as_float_array(contexts, "contexts", (2, 3))
    ctx = np.broadcast_to(ctx, (k, *ctx.shape)) if ctx.ndim == 2 else ctx
    if ctx.shape[0] != k or ctx.shape[2] != d:
        raise InvalidArgumentError("contexts", f"shape {ctx.shape}", f"(k, n, d) = ({k}, n, {d}) or a shared (n, {d})")
    a = as_float_array(targets, "targets", 2)
    if a.shape != ctx.shape[:2]:
        raise InvalidArgumentError("targets", f"shape {a.shape}", f"(k, n) = {ctx.shape[:2]}")
    return q, ctx, a


def _premises_exact(q: Any, ctx: np.ndarray) -> None:
    """Raise AssumptionViolatedError naming the witness if queries are dependent or a context is
    rank deficient (exact)."""
    null = exact.left_nullspace(q) if exact.rank(q) < len(q) else []
    if null:
        support = [i for i, x in enumerate(null[0]) if x]
        raise AssumptionViolatedError("A1", f"the {len(q)} queries are linearly dependent", {"subset": support, "null_vector": null[0]})
    for j, E in enumerate(ctx):
        if exact.rank(E) < E.shape[0]:
            raise AssumptionViolatedError("A2", f"context {j} has rank {exact.rank(E)} < n = {E.shape[0]}",
                                          {"example": j, "left_null_vector": exact.left_nullspace(E)[0]})


def prescribed_logits_matrix(queries: Any, contexts: Any, targets: Any) -> np.ndarray:
    """Float W* (d×d) with E_j W* e_j ≈ a_j (least-squares solves; rank ≤ k).

    >>> W = prescribed_logits_matrix([[1.0, 0.0, 0.0]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [[2.0, -1.0]])
    >>> (np.array([[1.0, 0, 0], [0, 1.0, 0]]) @ W @ [1.0, 0, 0]).tolist()
    [2.0, -1.0]
    """
    q, ctx, a = _validate(queries, contexts, targets)
    B = np.linalg.lstsq(q, np.eye(len(q)), rcond=None)[0]  # Q_N B = I, B = Q_Nᵀ(Q_NQ_Nᵀ)⁻¹ (min-norm)
    if ctx.strides[0] == 0:  # one shared context (broadcast): all E w_j = a_j in one solve
        w = np.linalg.lstsq(ctx[0], a.T, rcond=None)[0]
    else:
        w = min_norm_solve(ctx, a[:, :, None])[:, :, 0].T  # E_j w_j = a_j
    return w @ B.T


def prescribed_logits_matrix_exact(queries: Any, contexts: Any, targets: Any) -> fmpq_mat:
    """Exact W* of L3 from the stored inputs; raises AssumptionViolatedError (A1/A2) with the witness."""
    q, ctx, a = _validate(queries, contexts, targets)
    _premises_exact(q, ctx)
    B = exact.pseudo_inverse(q)  # Q_N B = I
    cols = [exact.pseudo_inverse(E) * exact.to_fmpq_mat(aj.reshape(-1, 1)) for E, aj in zip(ctx, a)]  # E_j w_j = a_j
    w = fmpq_mat([[c[i, 0] for c in cols] for i in range(q.shape[1])])
    return w * B.transpose()


def _system_refutation(q: np.ndarray, ctx: np.ndarray) -> dict | None:
    """Without the premises: the equations E_j W e_j = a_j in vec(W) are (e_jᵀ ⊗ E_j) vec W = a_j. If
    that kn × d² system is rank deficient, a left null vector y gives targets a = y that no W reaches."""
    system = np.concatenate([np.kron(e[None, :], E) for e, E in zip(q, ctx)])
    if exact.rank(system) == system.shape[0]:
        return None
    y = exact.left_nullspace(system)[0]
    n = ctx.shape[1]
    return {"unreachable_targets": [y[j * n:(j + 1) * n] for j in range(len(q))],
            "why": "yᵀ(e_jᵀ⊗E_j)_j = 0, so Σ_j y_jᵀ E_j W e_j = 0 ≠ yᵀy for every W"}


def check_prescribed_logits(queries: Any, contexts: Any, targets: Any) -> Result:
    """Exactly check L3 on one instance: every target logit vector is realised, with rank W* ≤ k.

    With the premises (independent queries, full-rank contexts) the exact W* is built and
    E_j W* e_j = a_j checked in rational arithmetic. Without them the checker decides the claim
    "every target is realisable" exactly: refuted with unreachable targets when the linear system
    for W is rank deficient (e.g. a rank-deficient context).
    """
    q, ctx, a = _validate(queries, contexts, targets)
    k, n, d = ctx.shape
    scope = Scope.instance(f"k={k}, n={n}, d={d}; {EXACT_SCOPE}")
    try:
        W = prescribed_logits_matrix_exact(q, ctx, a)
    except AssumptionViolatedError as exc:
        cex = _system_refutation(q, ctx)
        evidence = {"premise_violated": exc.assumption, "premise_witness": exc.witness}
        if cex is not None:
            return refuted_or_proved("L3", "every target logit vector is realisable", False, Level.EXACT, scope, evidence, {**evidence, **cex})
        return refuted_or_proved("L3", "targets realisable although a premise fails (system of full rank)", True,
                                 Level.EXACT, scope, evidence)
    ok = all(exact.to_fmpq_mat(E) * W * exact.to_fmpq_mat(e.reshape(-1, 1)) == exact.to_fmpq_mat(aj.reshape(-1, 1))
             for E, e, aj in zip(ctx, q, a))
    rank = W.rank()
    evidence = {"rank_W_star": rank, "k": k}
    return refuted_or_proved("L3", "E_j W* e_j = a_j exactly, rank W* ≤ k", ok and rank <= k, Level.EXACT, scope, evidence,
                             margins={"spare_rank": k - rank})


def check_prescribed_logits_float(queries: Any, contexts: Any, targets: Any, *, tol: float = 1e-8) -> Result:
    """Rigorous bound on max_j ‖E_j W e_j − a_j‖_∞ for the *stored float* W = prescribed_logits_matrix(...).

    Proved when the rigorous bound is ≤ ``tol`` · max(1, ‖a‖_∞); refuted when even the ball's lower end
    exceeds it. This is a statement about the floating-point matrix, not the real-number W*.
    """
    q, ctx, a = _validate(queries, contexts, targets)
    W = to_arb_mat(prescribed_logits_matrix(q, ctx, a))
    worst = 0.0
    with working_precision(106):
        for E, e, aj in zip(ctx, q, a):
            res = to_arb_mat(E) * W * to_arb_mat(e.reshape(-1, 1)) - to_arb_mat(aj.reshape(-1, 1))
            worst = max(worst, max(arb_upper_float(abs(res[i, 0])) for i in range(res.nrows())))
    limit = tol * max(1.0, float(np.abs(a).max()))
    scope = Scope.instance(f"the stored float64 W* (k={len(q)}, n={ctx.shape[1]}, d={q.shape[1]})")
    evidence = {"residual_upper_bound": worst, "tolerance": limit}
    return refuted_or_proved("L3", f"float W*: max_j ‖E_j W e_j − a_j‖_∞ ≤ {limit:.3g}", worst <= limit, Level.RIGOROUS,
                             scope, evidence, margins={"residual_upper_bound": worst})


