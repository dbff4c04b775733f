"""L7 — rank stability, in two forms.

*Certificate form* (the blueprint's statement and the Coq lemma ``RankStability.L7_rank_stability``):
D, D* ∈ R^{k×m}, R ∈ R^{m×k}, D* R = I_k and ‖(D − D*) R‖_∞ < 1 (largest absolute row sum) ⇒
rank D = k, since D R = I + (D − D*) R is strictly diagonally dominant. :func:`check_rank_certificate`
checks it on one instance entirely in rational arithmetic (premises and rank).

*σ form* (how S6 uses it): σ_k(D*) > 0 and ‖D − D*‖₂ < σ_k(D*) ⇒ rank D ≥ k (Weyl's inequality
σ_k(D) ≥ σ_k(D*) − ‖D − D*‖₂). :func:`check_rank_stability` certifies both premises exactly by
counting eigenvalues of symmetric matrices above a rational threshold μ (the characteristic
polynomial of a symmetric matrix is real-rooted, so Descartes' rule of signs counts its positive
roots exactly), and the conclusion by exact rank.

Proof-graph checker: ``proofs/mahdavi2024/checkers/l7_rank_stability.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from ..arith import exact
from ..errors import AssumptionViolatedError, InvalidArgumentError
from ..results import Level, Result, Scope
from .common import EXACT_SCOPE, refuted_or_proved


def eigenvalues_above(S: fmpq_mat, mu: fmpq) -> int:
    """Exact number of eigenvalues of the symmetric rational matrix S strictly greater than μ.

    >>> eigenvalues_above(fmpq_mat([[2, 0], [0, 1]]), fmpq(3, 2))
    1
    """
    m = S.nrows()
    shifted = S - fmpq_mat(m, m, [mu if i == j else 0 for i in range(m) for j in range(m)])
    coeffs = [c for c in shifted.charpoly().coeffs() if c != 0]
    return sum(1 for a, b in zip(coeffs, coeffs[1:]) if (a > 0) != (b > 0))


def _rational_between(lo: float, hi: float) -> fmpq:
    mid = (lo + hi) / 2.0
    return fmpq(*float(mid).as_integer_ratio())


def check_rank_stability(D_star: Any, D: Any, k: int, *, factor: float = 1.0) -> Result:
    """Exactly check the L7 implication on one instance, for the claim's constant ``factor`` (1).

    Certifies the premises σ_k(D*) · factor > ‖D − D*‖₂ (via a rational threshold μ between the
    squares) and then decides rank D ≥ k exactly. With ``factor`` > 1 the claim is false in general
    and the checker refutes it on instances such as D* = I, D = diag(1, 0).
    Raises :class:`AssumptionViolatedError` if the premise cannot be certified (it fails, or is too
    close to call in float64 for choosing μ).
    """
    ds, d = exact.to_fmpq_mat(D_star, "D_star"), exact.to_fmpq_mat(D, "D")
    if (ds.nrows(), ds.ncols()) != (d.nrows(), d.ncols()):
        raise InvalidArgumentError("D", f"shape ({d.nrows()}, {d.ncols()})", f"the shape of D_star ({ds.nrows()}, {ds.ncols()})")
    if not 1 <= k <= min(ds.nrows(), ds.ncols()):
        raise InvalidArgumentError("k", repr(k), f"1 ≤ k ≤ min(shape) = {min(ds.nrows(), ds.ncols())}")
    e = d - ds
    sv_star = np.linalg.svd(np.array(ds.tolist(), dtype=float), compute_uv=False)
    norm_e = float(np.linalg.norm(np.array(e.tolist(), dtype=float), 2))
    sigma_k = float(sv_star[k - 1])
    lo, hi = norm_e**2, (factor * sigma_k) ** 2
    witness = {"sigma_k_D_star_float": sigma_k, "norm_D_minus_D_star_float": norm_e, "factor": factor}
    if not lo < hi:
        raise AssumptionViolatedError("L7 premise", "‖D − D*‖₂ < factor · σ_k(D*) fails (float estimate)", witness)
    mu = _rational_between(lo, hi)
    gram_e, gram_star = e * e.transpose(), ds * ds.transpose()
    m = gram_e.nrows()
    norm_ok = eigenvalues_above(-gram_e, -mu) == m  # every eigenvalue of EEᵀ is < μ
    sigma_ok = eigenvalues_above(gram_star, mu / fmpq(*float(factor**2).as_integer_ratio())) >= k
    if not (norm_ok and sigma_ok):
        raise AssumptionViolatedError("L7 premise", "could not certify the premise exactly at the chosen μ", {**witness, "mu": str(mu)})
    rank_d = d.rank()
    evidence = {**witness, "mu": exact.fmpq_str(mu), "certified": "‖D−D*‖₂² < μ ≤ (factor·σ_k(D*))² (exact eigenvalue counts)",
                "rank_D": rank_d, "k": k}
    scope = Scope.instance(f"{d.nrows()}x{d.ncols()}, k={k}; {EXACT_SCOPE}")
    return refuted_or_proved("L7", f"rank D ≥ k{'' if factor == 1 else f' (constant {factor})'}", rank_d >= k, Level.EXACT,
                             scope, evidence, {"rank_D": rank_d, "k": k, **witness},
                             margins={"sigma_k_minus_perturbation": sigma_k - norm_e})


def max_abs_row_sum(A: fmpq_mat) -> fmpq:
    """‖A‖_∞ = max_i Σ_j |a_ij|, exactly (0 for a matrix without columns).

    >>> max_abs_row_sum(fmpq_mat([[1, -2], [fmpq(1, 2), 0]]))
    3
    """
    return max((sum((abs(x) for x in row), fmpq(0)) for row in A.tolist()), default=fmpq(0))


def check_rank_certificate(D_star: Any, D: Any, R: Any, *, bound: Any = 1, strict: bool = True) -> Result:
    """Exactly check L7's certificate form on one instance: D* R = I_k and ‖(D − D*) R‖_∞ < 1 ⇒ rank D = k.

    ``D_star`` and ``D`` are k×m, ``R`` is m×k, all taken at their exact rational values. The claim
    is ``bound`` = 1 with ``strict`` (``<``); a larger ``bound`` or ``strict=False`` (``≤ 1``) is a
    false variant, refuted on instances such as D* = R = I, D = diag(1, 0) (row sum exactly 1,
    rank 1 < 2). Raises :class:`InvalidArgumentError` on mismatched shapes and
    :class:`AssumptionViolatedError` when D* R ≠ I_k or the row-sum premise fails.
    """
    ds, d, r = exact.to_fmpq_mat(D_star, "D_star"), exact.to_fmpq_mat(D, "D"), exact.to_fmpq_mat(R, "R")
    k, m = ds.nrows(), ds.ncols()
    if (d.nrows(), d.ncols()) != (k, m):
        raise InvalidArgumentError("D", f"shape ({d.nrows()}, {d.ncols()})", f"the shape of D_star ({k}, {m})")
    if (r.nrows(), r.ncols()) != (m, k):
        raise InvalidArgumentError("R", f"shape ({r.nrows()}, {r.ncols()})", f"({m}, {k}), the shape of D_starᵀ")
    identity = fmpq_mat(k, k, [1 if i == j else 0 for i in range(k) for j in range(k)])
    if ds * r != identity:
        raise AssumptionViolatedError("L7 premise", "D* R = I_k fails (exact)",
                                      {"D_star_R": exact.matrix_to_strings(ds * r)})
    b = exact.to_fmpq(bound, "bound")
    row_sum = max_abs_row_sum((d - ds) * r)
    relation = "<" if strict else "≤"
    witness = {"max_abs_row_sum": exact.fmpq_str(row_sum), "bound": exact.fmpq_str(b), "relation": relation}
    if not (row_sum < b if strict else row_sum <= b):
        raise AssumptionViolatedError("L7 premise", f"‖(D − D*) R‖_∞ {relation} {b} fails (exact)", witness)
    rank_d = d.rank()
    statement = f"D* R = I_k and ‖(D − D*) R‖_∞ {relation} {exact.fmpq_str(b)} ⇒ rank D = k"
    return refuted_or_proved("L7", statement, rank_d == k, Level.EXACT,
                             Scope.instance(f"{k}x{m}; {EXACT_SCOPE}"), {**witness, "rank_D": rank_d, "k": k},
                             {"rank_D": rank_d, "k": k, **witness}, margins={"row_sum_slack": float(b - row_sum)})
