"""L7 — Rank stability: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.rank_stability`)."""
from __future__ import annotations

import numpy as np

from memproof.arith import exact
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import (
    corroborate,
    refuted_or_proved,
    small_integer_matrix,
)
from memproof.lemmas.rank_stability import check_rank_stability
from memproof.results import Level, Result, Scope

L7 = declare("L7", uses=(), statement="""
Over any real field: let D, D* ∈ R^{k×m} and R ∈ R^{m×k} with D* R = I_k (e.g. R the pseudo-inverse of
a D* of full row rank). If every row of (D − D*) R has absolute row sum below 1 (the induced ∞-norm
‖(D − D*) R‖_∞ < 1), then rank D = k.
""",
    coq="Memproof.Mahdavi2024.RankStability.L7_rank_stability",
    coq_sha256="c941afa42cc4ba92d25f0f88e5f1c970ae3ce4febbaf38c336f7117107b6aca4")


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


@L7.checker
def check_L7(ctx: CheckContext) -> Result:
    """Proof-graph checker of L7: exact checks on instances with perturbations up to 0.99 σ_k in the
    worst direction; margins reported. (The universal statement is Weyl's inequality.)"""
    rng = ctx.rng("L7")
    checks = [check_rank_stability(*_instance(rng)) for _ in range(4 if ctx.quick else 12)]
    combined = corroborate("L7", f"exact premise certification and rank on {len(checks)} instances", checks)
    # Sharpness: with ‖D − D*‖₂ = σ_k(D*) (≤ instead of <) the rank can drop: D* = diag(1, 1/2), D = diag(1, 0).
    sharp_rank = exact.rank(np.diag([1.0, 0.0]))
    sharp = refuted_or_proved("L7", "the strict inequality is needed: ‖D − D*‖₂ = σ_2(D*) = 1/2 allows rank D = 1",
                              sharp_rank < 2, Level.EXACT, Scope.instance("D* = diag(1, 1/2), D = diag(1, 0)"),
                              {"rank_D": sharp_rank})
    return L7.combine([combined.replace(role="proof"), sharp.as_corroboration()],
                          evidence={"universal_argument": "Weyl: σ_k(D) ≥ σ_k(D*) − ‖D − D*‖₂ (not machine-checked here)"},
                          margins=dict(combined.margins))
