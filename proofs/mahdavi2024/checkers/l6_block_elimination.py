"""L6 — Block elimination: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.block_elimination`)."""
from __future__ import annotations

import numpy as np

from memproof.arith import exact
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.block_elimination import check_block_elimination
from memproof.lemmas.common import (
    corroborate,
    small_integer_matrix,
    symbolic_identity,
)
from memproof.results import Result, Scope

L6 = declare("L6", uses=(), statement="""
Over any real field: for F = [[U, A], [V, C]] with U ∈ R^{r×p} of full row rank r, U⁺ = Uᵀ(UUᵀ)⁻¹ and
G = V U⁺ (no condition on V): rank F ≥ r + rank(C − G A).
""",
    coq="Memproof.Mahdavi2024.BlockElimination.L6_block_elimination",
    coq_sha256="fb05ad4ab355c87edfb81aa59d56787b65713c78d22d231e9f3a8461faa7bd5f")


def _right_inverse() -> Result:
    """The substitution the step uses, checked: U U⁺ = I_r for U⁺ = Uᵀ(U Uᵀ)⁻¹ (U of full row rank)."""
    import sympy as sp

    r, m = sp.symbols("r m", integer=True, positive=True)
    U = sp.MatrixSymbol("U", r, m)
    return symbolic_identity("L6", "U U⁺ = I_r for U⁺ = Uᵀ(UUᵀ)⁻¹", sp.MatMul(U, U.T, (U * U.T).I, evaluate=False),
                             sp.Identity(r), Scope.universal("all U with U Uᵀ invertible (full row rank)"))


def _symbolic_step() -> Result:
    import sympy as sp

    Un, Pn, Vn = sp.symbols("U U^+ V", commutative=False)
    W_times_pinv = sp.expand((Vn - (Vn * Pn) * Un) * Pn)
    reduced = W_times_pinv.subs(Un * Pn, 1)
    res = symbolic_identity("L6", "W U⁺ = 0 for W = V − (V U⁺) U, using U U⁺ = I_r", reduced, sp.Integer(0),
                            Scope.universal("all U of full row rank, all V"), hypotheses=[_right_inverse()])
    return res.replace(evidence={**res.evidence, "lhs": f"{W_times_pinv} with U*U^+ = 1"}).as_step()


def _instance(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    r, k, m, p = (int(x) for x in rng.integers(1, 5, size=4))
    m += r
    U = small_integer_matrix(rng, r, m)
    while exact.rank(U) < r:
        U = small_integer_matrix(rng, r, m)
    V = small_integer_matrix(rng, k, m)
    if rng.random() < 0.5:  # new rows partly in the span of the old ones: C − GA is what matters
        V = rng.integers(-2, 3, size=(k, r)) @ U
    return U, small_integer_matrix(rng, r, p), V, small_integer_matrix(rng, k, p)


def check_L6(ctx: CheckContext) -> Result:
    """Proof-graph checker of L6: the rank inequality on exact instances (instance scope); the
    identity W U⁺ = 0 behind the argument is a step (symbolic, universal) — the rank inequality
    itself is not checked symbolically."""
    rng = ctx.rng("L6")
    checks = [check_block_elimination(*_instance(rng)) for _ in range(4 if ctx.quick else 12)]
    instances = corroborate("L6", f"exact rank inequality on {len(checks)} instances", checks).replace(role="proof")
    return L6.combine([_symbolic_step(), instances])


L6.checker(check_L6)
