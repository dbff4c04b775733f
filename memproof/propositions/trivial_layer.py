"""P4 — a trivial attention layer restores A1: self-attention with W_K = W_Q = 0 (uniform attention),
W_V W_O = I and a skip connection maps each sequence X (N×d, N = n + 1, row 0 the query) to
X' = (I + 11ᵀ/N) X. The matrix M = I + J/N (J = 11ᵀ) satisfies J² = NJ, so (M − I)(M − 2I) = 0
(eigenvalues 1 and 2) and M⁻¹ = I − J/(2N). The new query x_0 + mean(X) is the A3 vector, so A3 for
the old data is A1 for the new queries.

**Finding.** "A2 is preserved" needs more than invertibility of M: the new context is rows 1..n of
MX, which has rank n whenever X has full row rank N, but can lose rank when the query lies in the
span of the context — e.g. x_0 = −(2n+1)/n · Σ_i x_i makes Σ_i (x_i + mean X) = 0. The checker proves the
qualified statement and refutes the unqualified one with that witness.

Constructor :func:`trivial_layer`; checker :func:`check_trivial_layer`; proof-graph checker :func:`check_P4`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from ..arith import exact
from ..checkers.context import CheckContext
from ..lemmas.common import EXACT_SCOPE, corroborate, refuted_or_proved, symbolic_identity
from ..results import Level, Result, Scope
from ..validation import as_float_array

STATEMENT = ("uniform attention + skip maps X to (I + 11ᵀ/N)X, invertible (eigenvalues 1, 2); new queries are the A3 "
             "vectors (A3 ⇒ A1); A2 is preserved when X has full row rank")


def trivial_layer(X: Any) -> np.ndarray:
    """X' = X + 1 mean(X)ᵀ (float64): uniform self-attention, identity value/output maps, skip."""
    x = as_float_array(X, "X", 2)
    return x + x.mean(axis=0, keepdims=True)


def trivial_layer_exact(X: Any) -> fmpq_mat:
    """(I + 11ᵀ/N) X in exact rational arithmetic."""
    x = exact.to_fmpq_mat(X, "X")
    N = x.nrows()
    M = fmpq_mat(N, N, [fmpq(1 if i == j else 0) + fmpq(1, N) for i in range(N) for j in range(N)])
    return M * x


def check_trivial_layer(X: Any) -> Result:
    """Exactly check P4 on one sequence X (row 0 the query): the new query is x_0 + mean(X); the new
    context rows 1..n have rank n. Refuted, with the exact ranks, when the new context loses rank."""
    x = exact.to_fmpq_mat(X, "X")
    N = x.nrows()
    out = trivial_layer_exact(X)
    mean = [sum((x[i, j] for i in range(N)), fmpq(0)) / N for j in range(x.ncols())]
    query_ok = all(out[0, j] == x[0, j] + mean[j] for j in range(x.ncols()))
    context = fmpq_mat([[out[i, j] for j in range(x.ncols())] for i in range(1, N)])
    ranks = {"rank_X": x.rank(), "rank_new_context": context.rank(), "n": N - 1}
    scope = Scope.instance(f"N={N}, d={x.ncols()}; {EXACT_SCOPE}")
    ok = query_ok and ranks["rank_new_context"] == N - 1
    return refuted_or_proved("P4", "new query = A3 vector and rank of the new context = n", ok, Level.EXACT, scope,
                             ranks, {**ranks, "query_is_A3_vector": query_ok})


def rank_losing_query(context: Any) -> np.ndarray:
    """The query x_0 = −(2n+1)/n · Σ_i x_i, for which the trivial layer's new context loses rank.

    In float64 the factor (2n+1)/n is exact only when n is a power of two; for other n the stored
    query is a rounded witness and the exact check may (correctly) find full rank."""
    E = as_float_array(context, "context", 2)
    n = E.shape[0]
    return -(2 * n + 1) / n * E.sum(axis=0)


def _symbolic_part() -> Result:
    import sympy as sp

    J, N = sp.Symbol("J", commutative=False), sp.Symbol("N", positive=True)
    product = sp.expand((1 + J / N) * (1 - J / (2 * N)))
    res = symbolic_identity("P4", "(I + J/N)(I − J/(2N)) = I using J² = NJ: M is invertible", product.subs(J**2, N * J),
                            sp.Integer(1), Scope.universal("all N ≥ 1"))
    poly = sp.expand((1 + J / N - 1) * (1 + J / N - 2))
    eig = symbolic_identity("P4", "(M − I)(M − 2I) = 0 using J² = NJ: eigenvalues in {1, 2}", poly.subs(J**2, N * J),
                            sp.Integer(0), Scope.universal("all N ≥ 1"))
    return Result.combine("P4", "M = I + 11ᵀ/N is invertible with eigenvalues 1 and 2", [res, eig])


def check_P4(ctx: CheckContext) -> Result:
    """Symbolic invertibility (universal); exact instances with full-rank sequences (qualified claim);
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
    return Result.combine("P4", STATEMENT, [
        _symbolic_part(),
        corroborate("P4", "exact characteristic polynomials", charpolys),
        corroborate("P4", "exact layer on full-rank sequences: A3 → A1, A2 kept", instances),
        finding_part.as_corroboration(),
    ])
