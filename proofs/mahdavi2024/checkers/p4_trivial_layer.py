"""P4 — A trivial attention layer restores A1: the proof-graph checker (theorem.md; engine: :mod:`memproof.propositions.trivial_layer`)."""
from __future__ import annotations

import numpy as np
from flint import fmpq, fmpq_mat

from memproof.arith import exact
from memproof.blueprint.context import CheckContext
from memproof.blueprint.declare import declare
from memproof.lemmas.common import (
    corroborate,
    refuted_or_proved,
    symbolic_identity,
)
from memproof.propositions.trivial_layer import check_trivial_layer, rank_losing_query
from memproof.results import Level, Result, Scope

P4 = declare("P4", uses=("A2", "A3"), statement="""
Uniform attention (W_K = W_Q = 0) with W_V W_O = I and a skip connection maps each sequence X ∈ R^{N×d}
(row 0 the query x_0, rows 1..n the context E, N = n + 1) to M X with M = I + J/N, J the N×N all-ones
matrix. Over any numeric field (ℚ, ℝ, ℂ; characteristic 0): (a) for every N ≥ 1, M is invertible with
M⁻¹ = I − J/(2N), and (M − I)(M − 2I) = 0 (eigenvalues 1 and 2); (b) row i of M X is row i of X plus the
mean (1/N) Σ_l x_l of all N rows of X, so the new query (row 0) is the A3 vector x_0 + mean and A3 for
the inputs is A1 for the new queries; (c) if rank X = n + 1, the new context (rows 1..n of M X) has
rank n. **Qualified here:** the paper's "A2 is preserved" does not follow from A2 for the context
alone: (d) for every n ≥ 1 and every context E ∈ R^{n×d}, the query x_0 = −((2n+1)/n) Σ_i E_i gives a
new context of rank ≤ n − 1; (e) e.g. n = 2, d = 3, E = [[1, 0, 0], [0, 1, 0]] (rank 2) and
x_0 = (−5/2, −5/2, 0) give a new context of rank 1.
""",
    coq="Memproof.Mahdavi2024.TrivialLayer.P4_trivial_layer",
    coq_sha256="355c064c862073f518592b36399c8e6063d763316ced0a5cecf0931953e57fce")


def _symbolic_part() -> Result:
    import sympy as sp

    J, N = sp.Symbol("J", commutative=False), sp.Symbol("N", positive=True)
    Nn = sp.Symbol("N", integer=True, positive=True)
    ones = sp.OneMatrix(Nn, Nn)
    square = symbolic_identity("P4", "J² = N J for the N×N all-ones matrix J", sp.MatMul(ones, ones, evaluate=False),
                               Nn * ones, Scope.universal("all N ≥ 1"))
    product = sp.expand((1 + J / N) * (1 - J / (2 * N)))
    res = symbolic_identity("P4", "(I + J/N)(I − J/(2N)) = I using J² = NJ: M is invertible", product.subs(J**2, N * J),
                            sp.Integer(1), Scope.universal("all N ≥ 1"), hypotheses=[square])
    poly = sp.expand((1 + J / N - 1) * (1 + J / N - 2))
    eig = symbolic_identity("P4", "(M − I)(M − 2I) = 0 using J² = NJ: eigenvalues in {1, 2}", poly.subs(J**2, N * J),
                            sp.Integer(0), Scope.universal("all N ≥ 1"), hypotheses=[square])
    return Result.combine("P4", "M = I + 11ᵀ/N is invertible with eigenvalues 1 and 2", [res, eig])


def check_P4(ctx: CheckContext) -> Result:
    """P4's own checks: corroboration under the Coq lemma ``TrivialLayer.P4_trivial_layer``, the claim's
    level without Coq. Exact instances with full-rank sequences establish the qualified claim (instance
    scope); symbolic invertibility of M is a step (universal: it does not cover the statements about A1, A2);
    exact charpoly (x−2)(x−1)^{N−1} for small N; the unqualified 'A2 preserved' refuted by the witness
    query (reported as a finding, a corroboration that the qualification is needed)."""
    import sympy as sp

    rng = ctx.rng("P4")
    instances = []
    for _ in range(4 if ctx.quick else 12):
        n = int(rng.integers(1, 5))
        X = rng.integers(-5, 6, size=(n + 1, n + 1 + int(rng.integers(0, 3))))
        while exact.rank(X) < n + 1:
            X = rng.integers(-5, 6, size=X.shape)
        instances.append(check_trivial_layer(X))
    x = sp.Symbol("x")
    charpolys = []
    for N in range(1, 7):
        M = fmpq_mat(N, N, [fmpq(1 if i == j else 0) + fmpq(1, N) for i in range(N) for j in range(N)])
        coeffs = [sp.Rational(int(c.p), int(c.q)) for c in M.charpoly().coeffs()]
        expected = sp.Poly(sp.expand((x - 2) * (x - 1) ** (N - 1)), x).all_coeffs()[::-1]
        charpolys.append(refuted_or_proved("P4", f"charpoly of I + 11ᵀ/{N} = (x−2)(x−1)^{N - 1}", coeffs == expected,
                                           Level.EXACT, Scope.instance(f"N={N}"), {"coefficients": [str(c) for c in coeffs]}))
    E = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    witness = np.vstack([rank_losing_query(E), E])
    finding = check_trivial_layer(witness)
    finding_part = refuted_or_proved(
        "P4", "finding: without rank X = N, A2 can fail after the layer (x_0 = −(2n+1)/n Σ x_i)",
        finding.outcome.value == "refuted", Level.EXACT, Scope.instance("n = 2, d = 3"),
        {"X": witness.tolist(), **dict(finding.counterexample or {})})
    return P4.combine([
        _symbolic_part().as_step(),
        corroborate("P4", "exact characteristic polynomials", charpolys),
        corroborate("P4", "exact layer on full-rank sequences: A3 → A1, A2 kept", instances).replace(role="proof"),
        finding_part.as_corroboration(),
    ])


P4.checker(check_P4)
