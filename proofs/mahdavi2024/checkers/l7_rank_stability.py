"""L7 — Rank stability: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.rank_stability`)."""
from __future__ import annotations

import numpy as np
from flint import fmpq, fmpq_mat

from memproof.arith import exact
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import (
    corroborate,
    refuted_or_proved,
    small_integer_matrix,
)
from memproof.lemmas.rank_stability import (
    check_rank_certificate,
    check_rank_stability,
    max_abs_row_sum,
)
from memproof.results import Level, Result, Scope

L7 = declare("L7", uses=(), statement="""
Over any real field: let D, D* ∈ R^{k×m} and R ∈ R^{m×k} with D* R = I_k (e.g. R the pseudo-inverse of
a D* of full row rank). If every row of (D − D*) R has absolute row sum below 1 (the induced ∞-norm
‖(D − D*) R‖_∞ < 1), then rank D = k.
""",
    coq="Memproof.Mahdavi2024.RankStability.L7_rank_stability",
    coq_sha256="c941afa42cc4ba92d25f0f88e5f1c970ae3ce4febbaf38c336f7117107b6aca4")

#: Fractions of the allowed row sum 1 that the certificate instances use (up to 99/100).
_THETAS = (fmpq(1, 2), fmpq(9, 10), fmpq(99, 100))


def _certificate_instance(rng: np.random.Generator) -> tuple[fmpq_mat, fmpq_mat, fmpq_mat]:
    """(D*, D, R) for the certificate form, all exact: D* ∈ Z^{k×m} of full row rank, R = D*⁺ (so
    D* R = I_k), D = D* + E with E = θ E₀ / ‖E₀ R‖_∞, E₀ = −(row i of D*) + small noise — the
    harmful direction (it removes row i), scaled to row sum θ < 1."""
    k = int(rng.integers(1, 4))
    m = k + int(rng.integers(0, 3))
    D_star = small_integer_matrix(rng, k, m)
    while exact.rank(D_star) < k:
        D_star = small_integer_matrix(rng, k, m)
    ds = exact.to_fmpq_mat(D_star)
    R = exact.pseudo_inverse(ds)
    i = int(rng.integers(0, k))
    while True:
        harm = fmpq_mat(k, m, [-ds[r, c] if r == i else 0 for r in range(k) for c in range(m)])
        E0 = harm + exact.to_fmpq_mat(small_integer_matrix(rng, k, m, bound=1)) * fmpq(1, 100)
        s = max_abs_row_sum(E0 * R)
        if s != 0:
            break
    theta = _THETAS[int(rng.integers(0, len(_THETAS)))]
    return ds, ds + E0 * (theta / s), R


def _instance(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """D* integer with σ_k > 0; D = D* + E, E a dyadic matrix with ‖E‖₂ a random fraction of σ_k
    along the most harmful direction (−u_k v_kᵀ) plus noise."""
    m = int(rng.integers(2, 5))
    N = m + int(rng.integers(0, 3))
    D_star = small_integer_matrix(rng, m, N)
    while exact.rank(D_star) < m:
        D_star = small_integer_matrix(rng, m, N)
    k = int(rng.integers(1, m + 1))
    u, s, vt = np.linalg.svd(D_star.astype(float))
    theta = float(rng.choice([0.5, 0.9, 0.99]))
    E = -theta * s[k - 1] * np.outer(u[:, k - 1], vt[k - 1]) * 0.999
    E += rng.normal(size=E.shape) * 1e-3 * s[k - 1] * (1 - theta)
    E = np.round(E * 2**20) / 2**20  # dyadic: exact rationals with small denominators
    return D_star, D_star + E, k


def check_L7(ctx: CheckContext) -> Result:
    """Proof-graph checker of L7 (corroboration under the Coq lemma; the claim's level without Coq).

    The statement's own (certificate) form, exactly on instances with ‖(D − D*) R‖_∞ up to 99/100 in
    the harmful direction; its false variant with ``≤ 1`` refuted (D* = R = I, D = diag(1, 0)); and,
    as further corroboration, the σ_k form S6 uses (perturbations up to 0.99 σ_k in the worst
    direction, exact eigenvalue counts) with the sharpness of its ``<``."""
    rng = ctx.rng("L7")
    n = 4 if ctx.quick else 12
    cert = corroborate("L7", f"certificate form, exactly on {n} instances",
                       [check_rank_certificate(*_certificate_instance(rng)) for _ in range(n)])
    variant = check_rank_certificate(np.eye(2), np.diag([1, 0]), np.eye(2), strict=False)
    cert_sharp = refuted_or_proved(
        "L7", "the strict inequality is needed: ‖(D − D*) R‖_∞ = 1 allows rank D = 1 < 2",
        variant.outcome.value == "refuted", Level.EXACT, Scope.instance("D* = R = I_2, D = diag(1, 0)"),
        {"variant": variant.statement, **dict(variant.counterexample or {})})
    sigma = corroborate("L7", f"further: the σ_k form (S6), exact premise certification and rank on {n} instances",
                        [check_rank_stability(*_instance(rng)) for _ in range(n)])
    # Sharpness: with ‖D − D*‖₂ = σ_k(D*) (≤ instead of <) the rank can drop: D* = diag(1, 1/2), D = diag(1, 0).
    sharp_rank = exact.rank(np.diag([1.0, 0.0]))
    sigma_sharp = refuted_or_proved(
        "L7", "further: in the σ_k form the strict inequality is needed: ‖D − D*‖₂ = σ_2(D*) = 1/2 allows rank D = 1",
        sharp_rank < 2, Level.EXACT, Scope.instance("D* = diag(1, 1/2), D = diag(1, 0)"), {"rank_D": sharp_rank})
    return L7.combine([cert.replace(role="proof"), cert_sharp.as_corroboration(), sigma, sigma_sharp.as_corroboration()],
                      evidence={"universal_argument": "D R = I + (D − D*) R is strictly diagonally dominant, so rank D ≥ "
                                "rank(D R) = k (Coq: RankStability.L7_rank_stability); the σ_k form is Weyl's "
                                "inequality σ_k(D) ≥ σ_k(D*) − ‖D − D*‖₂ (not machine-checked here)"},
                      margins={**sigma.margins, **cert.margins})


L7.checker(check_L7)
