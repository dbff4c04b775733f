"""Shared pieces of the lemma checkers: symbolic identities, exact-instance results, random data."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..results import CORROBORATION, Level, Outcome, Result, Scope, stopwatch

EXACT_SCOPE = "real-number objects defined by the stored rational inputs (exact)"


def symbolic_identity(claim: str, statement: str, lhs: Any, rhs: Any, scope: Scope) -> Result:
    """SYMBOLIC result: sympy reduces ``lhs - rhs`` to zero (proved) or not (unknown).

    ``lhs`` may be an unevaluated product (``evaluate=False``, block matrices): it is shown as given
    in the evidence, then evaluated and simplified by :func:`memproof.arith.symbolic.identity_holds`.
    """
    from ..arith.symbolic import identity_holds

    with stopwatch() as t:
        check = identity_holds(lhs, rhs)
    evidence = {"lhs": str(lhs), "rhs": str(rhs), "simplified_difference": check.difference}
    if check.holds:
        return Result.proved(claim, statement, Level.SYMBOLIC, scope, evidence=evidence, seconds=t[0])
    return Result.unknown(claim, statement, "sympy did not simplify the difference to zero", scope,
                          evidence=evidence, seconds=t[0])


def corroborate(claim: str, statement: str, results: Sequence[Result]) -> Result:
    """Combine instance checks into one corroborating part (all must be proved)."""
    scope = Scope(Scope.widest(r.scope for r in results).kind, f"{len(results)} checks, e.g. {results[0].scope.description}")
    combined = Result.combine(claim, statement, results, scope=scope)
    margins = {}
    for r in results:
        for k, v in r.margins.items():
            margins[k] = min(margins.get(k, np.inf), v)
    return combined.replace(role=CORROBORATION, margins=margins)


def small_integer_matrix(rng: np.random.Generator, rows: int, cols: int, bound: int = 5) -> np.ndarray:
    """Random integer matrix with entries in [-bound, bound] (exact instances)."""
    return rng.integers(-bound, bound + 1, size=(rows, cols)).astype(np.int64)


def refuted_or_proved(claim: str, statement: str, ok: bool, level: Level, scope: Scope,
                      evidence: dict, counterexample: dict | None = None, **kw: Any) -> Result:
    """Proved when ``ok``, else refuted with ``counterexample`` (a decided, two-valued check)."""
    if ok:
        return Result.proved(claim, statement, level, scope, evidence=evidence, **kw)
    return Result(claim, statement, Outcome.REFUTED, level, scope, evidence=evidence,
                  counterexample=counterexample or evidence, **kw)
