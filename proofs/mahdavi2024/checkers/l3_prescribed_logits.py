"""L3 — Prescribed logits: the proof-graph checker (theorem.md; engine: :mod:`memproof.lemmas.prescribed_logits`)."""
from __future__ import annotations

import numpy as np

from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.errors import AssumptionViolatedError
from memproof.lemmas.common import (
    corroborate,
    symbolic_identity,
)
from memproof.lemmas.prescribed_logits import (
    _premises_exact,
    check_prescribed_logits,
    check_prescribed_logits_float,
)
from memproof.results import Result, Scope

L3 = declare("L3", uses=(), statement="""
Over any real field: for k examples with linearly independent queries (Q_N ∈ R^{k×d}, the k queries
as rows, rank Q_N = k) and full-rank contexts (rank E_j = n), and any target logit vectors
a_1..a_k ∈ R^n, the matrix W* = Σ_j w_j b_jᵀ with w_j = E_jᵀ (E_j E_jᵀ)⁻¹ a_j and
[b_1..b_k] = Q_Nᵀ (Q_N Q_Nᵀ)⁻¹ (so b_iᵀ e_j = δ_ij) satisfies E_j W* e_j = a_j for every j, and
rank W* ≤ k. (A1 supplies the independent queries when k ≤ n; the algebra does not need k ≤ n.)
""",
    coq="Memproof.Mahdavi2024.PrescribedLogits.L3_prescribed_logits",
    coq_sha256="fa752b851a52ac61bdb188c290066fe8957cc00942ff547e003385616491b2eb")


def _symbolic_parts() -> list[Result]:
    import sympy as sp

    k, d, n = sp.symbols("k d n", integer=True, positive=True)
    Q, E, a = sp.MatrixSymbol("Q_N", k, d), sp.MatrixSymbol("E_j", n, d), sp.MatrixSymbol("a_j", n, 1)
    B = Q.T * (Q * Q.T).I
    w = E.T * (E * E.T).I * a
    wk = sp.MatrixSymbol("w", d, k)  # columns w_1..w_k
    univ = Scope.universal("all k ≤ n ≤ d with Q_N Q_Nᵀ and E_j E_jᵀ invertible (A1, A2)")
    return [
        symbolic_identity("L3", "Q_N B = I_k, i.e. b_iᵀ e_j = δ_ij", sp.MatMul(Q, B, evaluate=False), sp.Identity(k), univ),
        symbolic_identity("L3", "E_j w_j = a_j", sp.MatMul(E, w, evaluate=False), a, univ),
        symbolic_identity("L3", "E_j W* Q_Nᵀ = E_j [w_1..w_k] (Bᵀ Q_Nᵀ) = E_j [w_1..w_k]; column j: E_j W* e_j = E_j w_j = a_j. "
                          "W* = [w_1..w_k] Bᵀ factors through k columns, so rank W* ≤ k",
                          sp.MatMul(E, wk, B.T, Q.T, evaluate=False), E * wk, univ),
    ]


def _instance(rng: np.random.Generator, shared: bool, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = int(rng.integers(2, 5))
    d = n + int(rng.integers(1, 4))
    k = int(rng.integers(1, n + 1))
    q = rng.integers(-4, 5, size=(k, d)) / scale
    shape = (n, d) if shared else (k, n, d)
    return q, rng.integers(-4, 5, size=shape) / scale, rng.normal(size=(k, n))


def check_L3(ctx: CheckContext) -> Result:
    """Proof-graph checker of L3: symbolic identities (universal), exact instances (rational data),
    rigorous residual bounds for the float construction on float instances."""
    rng = ctx.rng("L3")
    exact_checks, float_checks = [], []
    while len(exact_checks) < (3 if ctx.quick else 10):
        q, c, a = _instance(rng, shared=len(exact_checks) % 2 == 0, scale=float(rng.choice([1, 8])))
        try:
            _premises_exact(q, np.broadcast_to(c, (len(q), *c.shape[-2:])))
        except AssumptionViolatedError:
            continue  # random integer data may violate A1/A2; the lemma needs them
        exact_checks.append(check_prescribed_logits(q, c, a))
    for _ in range(3 if ctx.quick else 10):
        k, n = int(rng.integers(1, 6)), int(rng.integers(5, 9))
        d = n + int(rng.integers(1, 8))
        float_checks.append(check_prescribed_logits_float(rng.normal(size=(k, d)), rng.normal(size=(k, n, d)),
                                                          rng.normal(size=(k, n)) * 3))
    return L3.combine(_symbolic_parts() + [
        corroborate("L3", f"exact construction on {len(exact_checks)} rational instances", exact_checks),
        corroborate("L3", f"rigorous residual of the float construction on {len(float_checks)} Gaussian instances", float_checks),
    ])


L3.checker(check_L3)
