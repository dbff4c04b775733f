"""L1 — Reduction to rank: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.rank_reduction`)."""
from __future__ import annotations

import numpy as np

from memproof.arith import exact
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import (
    EXACT_SCOPE,
    corroborate,
    refuted_or_proved,
    small_integer_matrix,
    symbolic_identity,
)
from memproof.lemmas.rank_reduction import check_interpolation
from memproof.results import Level, Result, Scope

L1 = declare("L1", uses=(), statement="""
Over any real field, with the rows of Z ∈ R^{T×m} the features z_t and the rows of Y ∈ R^{T×d_o} the
labels y_t (so "M z_t = y_t for all t" reads Z Mᵀ = Y): if rank Z = T then for every label matrix Y the
readout M = Yᵀ (Z Zᵀ)⁻¹ Z satisfies Z Mᵀ = Y. Conversely, if d_o ≥ T and every Y ∈ R^{T×d_o} is
memorized by some M ∈ R^{d_o×m}, then rank Z = T.
""",
    coq="Memproof.Mahdavi2024.RankReduction.L1_reduction_to_rank",
    coq_sha256="2bff34194cd687ead522b3af11b5f9516ad8a05f0f83bfba1f88b1af1f17d1a6")


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
    """Proof-graph checker of L1: both directions on exact instances (instance scope); the sympy
    identities behind them are recorded as steps (universal, symbolic)."""
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
    # The identities are steps (the converse's needs labels with Yᵀx ≠ 0, which only the instances
    # exhibit): the whole statement — both directions — is established on the exact instances.
    parts = [p.as_step() for p in _symbolic_parts()] + [
        corroborate("L1", f"exact interpolation on {len(checks)} random integer instances", checks).replace(role="proof"),
        converse_ok,
    ]
    return L1.combine(parts)


L1.checker(check_L1)
