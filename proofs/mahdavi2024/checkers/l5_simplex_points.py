"""L5 — Choosing independent new rows: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.simplex_points`)."""
from __future__ import annotations

import numpy as np

from memproof.arith import exact
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import corroborate, refuted_or_proved
from memproof.lemmas.simplex_points import check_simplex_points
from memproof.results import Level, Result, Scope

L5 = declare("L5", uses=(), statement="""
Let contexts E_1..E_k ∈ R^{n×d} each have rank n (over any real field), and g_1..g_k ∈ R^d.
(a) If k ≤ n − 1, there are s_1..s_k in the open simplex (all entries > 0, summing to 1) such that the
vectors E_tᵀ s_t − g_t are linearly independent. (b) If k ≤ n, there are such s_t with the vectors E_tᵀ s_t
linearly independent.
""",
    coq="Memproof.Mahdavi2024.SimplexPoints.L5_simplex_points",
    coq_sha256="90dbbc35757c5bb0431465008c372926904110724768e2025f0ed8611a5ff597")


def _misses_zero(E: np.ndarray) -> Result:
    """Exact: 0 ∉ aff(rows of E) ⇔ [Eᵀ; 1ᵀ] s = [0; 1] has no solution."""
    n = E.shape[0]
    system = np.vstack([E.T, np.ones((1, n))])
    rhs = np.zeros((system.shape[0], 1))
    rhs[-1] = 1
    consistent = exact.rank(np.hstack([system, rhs])) == exact.rank(system)
    return refuted_or_proved("L5", "0 ∉ aff(rows of E)", not consistent, Level.EXACT,
                             Scope.instance(f"n={n}, d={E.shape[1]}; exact"), {"rank_system": exact.rank(system)})


def check_L5(ctx: CheckContext) -> Result:
    """Proof-graph checker of L5 on instances: (a) k = n − 1 with random offsets, (b) k = n without,
    shared and distinct contexts; exact '0 ∉ aff' and reachable dimension; rigorous certificates;
    plus the sharpness of (a): k = n with offsets on the affine hull is refuted exactly."""
    rng = ctx.rng("L5")
    checks, zero_checks = [], []
    for i in range(4 if ctx.quick else 12):
        n = int(rng.integers(2, 6))
        d = n + int(rng.integers(1, 5))
        with_offsets = i % 2 == 0
        k = n - 1 if with_offsets else n
        shape = (n, d) if i % 4 < 2 else (k, n, d)
        contexts = rng.normal(size=shape)
        offsets = rng.normal(size=(k, d)) if with_offsets else None
        zero_checks.append(_misses_zero(contexts if contexts.ndim == 2 else contexts[0]))
        checks.append(check_simplex_points(contexts, rng.normal(size=(k, n)) * 2, offsets))
    E = rng.integers(-3, 4, size=(4, 6)).astype(float)  # n = 4: the centroid sum/4 is exact in float64
    sharp = check_simplex_points(E, rng.normal(size=(4, 4)), np.tile(E.mean(axis=0), (4, 1)))
    sharp_part = refuted_or_proved("L5", "(a) is sharp: k = n points with offsets at the centroid are always dependent",
                                   sharp.outcome.value == "refuted", Level.EXACT, Scope.instance("n = 4, d = 6"),
                                   dict(sharp.counterexample or {}))
    return L5.combine([
        corroborate("L5", "rigorous independence of realised points", checks).replace(role="proof"),
        corroborate("L5", "0 ∉ aff(rows of E) (exact)", zero_checks),
        sharp_part.as_corroboration(),
    ])


L5.checker(check_L5)
