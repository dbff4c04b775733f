"""P2 — Shared-context ceiling: the proof-graph checker (theorem.md; engine: :mod:`memproof.propositions.shared_context_ceiling`)."""
from __future__ import annotations

import numpy as np
from flint import fmpq_mat

from memproof.arith import exact
from memproof.arith.empirical import numerical_rank
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import corroborate, refuted_or_proved, symbolic_identity
from memproof.model import AttentionSpec, MHAWeights, feature_matrix
from memproof.propositions.shared_context_ceiling import (
    ceiling,
    ceiling_dimension,
    check_ceiling,
    rational_attention,
)
from memproof.results import Level, Result, Scope

P2 = declare("P2", uses=(), statement="""
Over any field: if all contexts equal one E ∈ R^{n×d} (of any rank) and each head's attention matrix
S_h ∈ R^{T×n} has rows summing to 1 (softmax rows do; positivity is not needed), then the feature
matrix Z = [S_1 E, …, S_H E] has rank Z ≤ H(n − 1) + 1 — for every choice of weights and queries.
""",
    coq="Memproof.Mahdavi2024.SharedContextCeiling.P2_shared_context_ceiling",
    coq_sha256="ea936d4b98b377b19deab60df5d386ec9af0e66495445a1c9472b9d50ceee26f")


def _invertible_map_step() -> Result:
    """Step: ψ = I + e_n vᵀ (v = 1 − e_n) is invertible for every n: vᵀe_n = 0 and (I + e_n vᵀ)(I − e_n vᵀ) = I.
    That ψ then maps the equal-block-sum space onto H(n−1)+1 free coordinates is prose, not checked."""
    import sympy as sp

    e_n, vT, oneT, e_nT = sp.symbols("e_n v^T 1^T e_n^T", commutative=False)
    vt_en = sp.expand((oneT - e_nT) * e_n)
    n, i = sp.symbols("n i", integer=True, positive=True)
    unit = sp.KroneckerDelta(i, n)
    ones_e = symbolic_identity("P2", "1ᵀe_n = Σ_i δ_in = 1", sp.Sum(unit, (i, 1, n)).doit(), sp.Integer(1),
                               Scope.universal("all n ≥ 1"))
    unit_norm = symbolic_identity("P2", "e_nᵀe_n = Σ_i δ_in² = 1", sp.Sum(unit**2, (i, 1, n)).doit(), sp.Integer(1),
                                  Scope.universal("all n ≥ 1"))
    orth = symbolic_identity("P2", "vᵀe_n = 1ᵀe_n − e_nᵀe_n = 0 (using 1ᵀe_n = e_nᵀe_n = 1)",
                             vt_en.subs({oneT * e_n: 1, e_nT * e_n: 1}), sp.Integer(0), Scope.universal("all n"),
                             hypotheses=[ones_e, unit_norm])
    product = sp.expand((1 + e_n * vT) * (1 - e_n * vT))
    inverse = symbolic_identity("P2", "(I + e_n vᵀ)(I − e_n vᵀ) = I using vᵀe_n = 0: ψ is invertible",
                                product.subs(vT * e_n, 0), sp.Integer(1), Scope.universal("all n"), hypotheses=[orth])
    return inverse.replace(evidence={**inverse.evidence, "lhs": f"{product} with v^T*e_n = 0"})


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
    """Proof-graph checker of P2: exact kernel dimensions for all H, n ≤ 12 (box: what establishes
    the claim); the blockwise invertible map ψ (a step, symbolic, universal); exact instances with more rows than the ceiling (attained,
    never exceeded); empirical ranks for random weights of every d_h."""
    rng = ctx.rng("P2")
    top = 6 if ctx.quick else 12
    dims = [refuted_or_proved("P2", f"dim ker(Δ⊗1ᵀ) = H(n−1)+1 for H={H}, n={n}", ceiling_dimension(H, n) == ceiling(H, n),
                              Level.EXACT, Scope.instance(f"H={H}, n={n}"), {"dimension": ceiling_dimension(H, n)})
            for H in range(1, top + 1) for n in range(1, top + 1)]
    dim_part = corroborate("P2", f"span of stacked attention vectors has dimension H(n−1)+1 (all H, n ≤ {top}); "
                           "with Z = S(I_H ⊗ E), rank Z ≤ rank S ≤ that dimension", dims)
    dim_part = dim_part.replace(role="proof", scope=Scope.box(f"H, n ≤ {top}; all d, T, weights and queries"))
    instances = [check_ceiling(*_instance(rng)) for _ in range(4 if ctx.quick else 12)]
    attained = [r.margins["bound_minus_rank"] == 0 for r in instances]
    tight = refuted_or_proved("P2", "the ceiling is attained by generic attention patterns", sum(attained) >= len(attained) // 2,
                              Level.EXACT, Scope.instance(f"{len(attained)} instances"), {"attained": sum(attained), "of": len(attained)})
    return P2.combine([
        _invertible_map_step().as_step(),
        dim_part,
        corroborate("P2", "exact ranks on rational attention patterns with more rows than the ceiling", instances),
        tight.as_corroboration(),
        _random_weight_ranks(rng, ctx.quick),
    ])


P2.checker(check_P2)
