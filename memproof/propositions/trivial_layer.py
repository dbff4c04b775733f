"""P4 — a trivial attention layer restores A1: self-attention with W_K = W_Q = 0 (uniform attention),
W_V W_O = I and a skip connection maps each sequence X (N×d, N = n + 1, row 0 the query) to
X' = (I + 11ᵀ/N) X. The matrix M = I + J/N (J = 11ᵀ) satisfies J² = NJ, so (M − I)(M − 2I) = 0
(eigenvalues 1 and 2) and M⁻¹ = I − J/(2N). The new query x_0 + mean(X) is the A3 vector, so A3 for
the old data is A1 for the new queries.

**Finding.** "A2 is preserved" needs more than invertibility of M: the new context is rows 1..n of
MX, which has rank n whenever X has full row rank N, but can lose rank when the query lies in the
span of the context — e.g. x_0 = −(2n+1)/n · Σ_i x_i makes Σ_i (x_i + mean X) = 0. The checker proves the
qualified statement and refutes the unqualified one with that witness.

Constructor :func:`trivial_layer`; checker :func:`check_trivial_layer`; proof-graph checker: ``proofs/mahdavi2024/checkers/p4_trivial_layer.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from ..arith import exact
from ..lemmas.common import EXACT_SCOPE, refuted_or_proved
from ..results import Level, Result, Scope
from ..validation import as_float_array


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


