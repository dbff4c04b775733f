"""Exact checks of A1 and A2 on the subsets the construction uses (theorem.md §2, §6).

The construction needs (A1) the queries of every group ``N_h`` to be linearly independent (L3) and,
for ``h ≥ 2``, every old query ``e_t`` (``t ∈ R_{h−1}``) to lie outside the span of ``N_h``'s queries
(S3b); and (A2) every context to have rank ``n`` (L3, L5, S3c). Both are decided *exactly* for the
stored float64 data (each float is an exact dyadic rational).

Fast path: ranks modulo a large prime (a rank found modulo ``p`` is a lower bound of the rank over
Q, so "independent mod p" proves independence). Only where the modular test fails is the exact
rational test run, which either confirms the assumption or raises
:class:`~memproof.errors.AssumptionViolatedError` with an exact integer witness.

>>> import numpy as np
>>> q = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0]])
>>> check_used_assumptions(q, np.eye(2, 3), ((0, 1), (2,)))
Traceback (most recent call last):
...
memproof.errors.AssumptionViolatedError: assumption A1 violated: the queries of examples [0, 1] are linearly dependent (group N_1) (witness: subset=[0, 1], null_vector=[1, -1], indices=[0, 1], group=0)
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from flint import nmod_mat

from ..arith import exact
from ..errors import AssumptionViolatedError

__all__ = ["check_A2_exact", "check_used_A1_exact", "check_used_assumptions"]

_P = exact.PRIMES[0]


def _a1_witness(queries: np.ndarray, indices: Sequence[int], group: int, what: str) -> None:
    """Raise A1 with an exact integer left null vector if ``queries[indices]`` are dependent."""
    rows = queries[list(indices)]
    if exact.rank(rows) == len(indices):
        return
    null = exact.left_nullspace(rows)[0]
    subset = [int(i) for i, x in zip(indices, null) if x]
    coeffs = [int(x) for x in null if x]
    raise AssumptionViolatedError(
        "A1", f"the queries of examples {subset} are linearly dependent ({what})",
        {"subset": subset, "null_vector": coeffs, "indices": [int(i) for i in indices], "group": group,
         "why": "Σ null_vector[j] · e_{subset[j]} = 0 exactly; the construction needs these ≤ n queries independent"},
    )


def check_A2_exact(contexts: np.ndarray) -> int:
    """Raise ``AssumptionViolatedError("A2", …)`` unless every context has rank ``n`` (exact).

    ``contexts`` is (n, d) shared or (T, n, d). Returns the number of contexts checked.
    """
    ctx = contexts[None] if contexts.ndim == 2 else contexts
    T, n, d = ctx.shape
    modp = exact.matrix_mod_p(np.ascontiguousarray(ctx.reshape(T * n, d)), _P).reshape(T, n, d)
    for t in range(T):
        if nmod_mat(modp[t].tolist(), _P).rank() == n:
            continue
        r = exact.rank(ctx[t])
        if r < n:
            raise AssumptionViolatedError(
                "A2", f"context of example {t} has rank {r} < n = {n}" + (" (shared context)" if contexts.ndim == 2 else ""),
                {"example": t, "rank": r, "n": n, "left_null_vector": exact.left_nullspace(ctx[t])[0],
                 "shared_context": contexts.ndim == 2},
            )
    return T


def check_used_A1_exact(queries: np.ndarray, partition: Sequence[Sequence[int]]) -> int:
    """Raise ``AssumptionViolatedError("A1", …)`` unless the used query subsets are independent.

    Checks each group's queries, and for ``h ≥ 2`` each old query together with group ``h``'s
    queries. Returns the number of subsets checked.
    """
    modp = exact.matrix_mod_p(np.ascontiguousarray(queries), _P)
    checked = 0
    old: list[int] = []
    for h, group in enumerate(partition):
        group = [int(i) for i in group]
        if not group:
            continue
        m = nmod_mat(modp[group].tolist(), _P)
        checked += 1
        k = len(group)
        modular_ok = m.rank() == k
        if not modular_ok:
            _a1_witness(queries, group, h, f"group N_{h + 1}")
        if old:
            if modular_ok:
                basis, nullity = m.nullspace()  # columns 0..nullity-1 span {x : Q_N x = 0} mod p
                K = np.array(basis.tolist(), dtype=np.int64)[:, :nullity]
                prod = nmod_mat(modp[old].tolist(), _P) * nmod_mat(K.tolist(), _P)
                P = np.array(prod.tolist(), dtype=np.int64)
                suspects = [old[i] for i in np.flatnonzero(~P.any(axis=1))]
            else:
                suspects = list(old)
            for t in suspects:  # e_t ∈ span(Q_N) mod p: decide exactly
                _a1_witness(queries, [t, *group], h, f"old query {t} with the queries of group N_{h + 1}")
            checked += len(old)
        old.extend(group)
    return checked


def check_used_assumptions(queries: np.ndarray, contexts: np.ndarray, partition: Sequence[Sequence[int]]) -> dict:
    """A2 then A1 (both exact); returns a summary dict for the construction's record."""
    n_ctx = check_A2_exact(contexts)
    n_sub = check_used_A1_exact(queries, partition)
    return {"A2": f"exact: {n_ctx} context(s) of rank n", "A1": f"exact: {n_sub} query subsets independent (groups; old query + later group)"}
