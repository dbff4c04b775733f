"""L8 — Rank budget: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.rank_budget`)."""
from __future__ import annotations

import numpy as np

from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import (
    corroborate,
    small_integer_matrix,
    symbolic_identity,
)
from memproof.lemmas.rank_budget import check_rank_budget
from memproof.results import Result, Scope

L8 = declare("L8", uses=(), statement="""
Over any field, with n̄ = min(n, d_h) ≥ 1: if W*, W⁺ ∈ R^{d×d} have rank W* ≤ n̄ − 1 and rank W⁺ ≤ 1,
then for every scalar c, rank(W* + c W⁺) ≤ rank W* + 1 ≤ n̄ ≤ d_h, and W* + c W⁺ = W_K W_Qᵀ for some
W_K, W_Q ∈ R^{d×d_h}.
""",
    coq="Memproof.Mahdavi2024.RankBudget.L8_rank_budget",
    coq_sha256="fac7a78edc5eecadd62ea2ad2d98bb431608b83a0c284014ece810fa69d56485")


def _symbolic_parts() -> list[Result]:
    import sympy as sp

    d, r1, r2, dh = sp.symbols("d r_1 r_2 d_h", integer=True, positive=True)
    C1, C2 = sp.MatrixSymbol("C_1", d, r1), sp.MatrixSymbol("C_2", d, r2)
    R1, R2 = sp.MatrixSymbol("R_1", r1, d), sp.MatrixSymbol("R_2", r2, d)
    concat = sp.MatMul(sp.BlockMatrix([[C1, C2]]), sp.BlockMatrix([[R1], [R2]]), evaluate=False)
    padded = sp.MatMul(sp.BlockMatrix([[C1, sp.ZeroMatrix(d, dh - r1)]]),
                       sp.BlockMatrix([[R1.T, sp.ZeroMatrix(d, dh - r1)]]).T, evaluate=False)
    return [
        symbolic_identity("L8", "C₁R₁ + C₂R₂ = [C₁ C₂][R₁; R₂] (rank subadditivity)", concat, C1 * R1 + C2 * R2,
                          Scope.universal("all rank factorisations")),
        symbolic_identity("L8", "[C | 0][Rᵀ | 0]ᵀ = C R (zero-padding to d_h columns)", padded, C1 * R1,
                          Scope.universal("all r ≤ d_h")),
    ]


def _instance(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int, int]:
    d = int(rng.integers(3, 7))
    d_h = int(rng.integers(2, d + 1))
    k = d_h - 1  # rank W* ≤ n̄ − 1 with n̄ = d_h
    W_star = small_integer_matrix(rng, d, k, 3) @ small_integer_matrix(rng, k, d, 3) if k else np.zeros((d, d), int)
    W_plus = np.outer(small_integer_matrix(rng, d, 1), small_integer_matrix(rng, 1, d))
    return W_star, W_plus, int(rng.integers(1, 10**6)), d_h


def check_L8(ctx: CheckContext) -> Result:
    """Proof-graph checker of L8: the rank budget and factorisation on exact instances (instance
    scope); the factorisation identities are steps (symbolic, universal) — the rank count from them
    (rank subadditivity) is prose, not checked."""
    rng = ctx.rng("L8")
    checks = [check_rank_budget(*_instance(rng)) for _ in range(4 if ctx.quick else 12)]
    instances = corroborate("L8", f"exact rank budget on {len(checks)} instances", checks).replace(role="proof")
    return L8.combine([p.as_step() for p in _symbolic_parts()] + [instances])


L8.checker(check_L8)
