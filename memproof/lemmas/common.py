"""Shared pieces of the lemma checkers: symbolic identities, exact-instance results, random data."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..results import CORROBORATION, PROOF, STEP, Level, Outcome, Result, Scope, stopwatch

EXACT_SCOPE = "real-number objects defined by the stored rational inputs (exact)"


def symbolic_identity(claim: str, statement: str, lhs: Any, rhs: Any, scope: Scope,
                      hypotheses: Sequence[Result] = ()) -> Result:
    """SYMBOLIC result: sympy reduces ``lhs - rhs`` to zero (proved) or not (unknown).

    ``lhs`` may be an unevaluated product (``evaluate=False``, block matrices): it is shown as given
    in the evidence, then evaluated and simplified by :func:`memproof.arith.symbolic.identity_holds`.
    ``hypotheses`` are the checked facts the encoding substitutes by hand (``U U⁺ = I``,
    ``J² = N J``): each is a sub-result of its own; the identity is proved only if every one of them
    is, and its level and scope are the weakest and narrowest among them and itself (trust.md rule 3).
    """
    from ..arith.symbolic import identity_holds

    with stopwatch() as t:
        check = identity_holds(lhs, rhs)
    evidence = {"lhs": str(lhs), "rhs": str(rhs), "simplified_difference": check.difference,
                "hypotheses": [h.statement for h in hypotheses]}
    if not check.holds:
        return Result.unknown(claim, statement, "sympy did not simplify the difference to zero", scope,
                              evidence=evidence, seconds=t[0])
    identity = Result.proved(claim, statement, Level.SYMBOLIC, scope, evidence=evidence, seconds=t[0])
    if not hypotheses:
        return identity
    return Result.combine(claim, statement, [identity, *(h.replace(role=PROOF) for h in hypotheses)], evidence=evidence)


def corroborate(claim: str, statement: str, results: Sequence[Result]) -> Result:
    """Combine instance checks into one corroborating part (all must be proved); its scope names
    every distinct object the checks are about."""
    combined = Result.combine(claim, statement, [r if r.role == STEP else r.replace(role=PROOF) for r in results])
    combined = combined.replace(scope=Scope(combined.scope.kind, f"{len(results)} checks: {combined.scope.description}"))
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


def smt_result(claim: str, statement: str, outcome: Any, scope: Scope) -> Result:
    """SMT result of ``claim`` from a :class:`memproof.arith.smt.SmtOutcome`: proved on *unsat*,
    refuted with the model on *sat* (the query must not over-approximate), unknown otherwise."""
    evidence = outcome.to_evidence()
    if outcome.proved:
        return Result.proved(claim, statement, Level.SMT, scope, evidence=evidence, seconds=outcome.seconds)
    if outcome.status == "refuted":
        return Result.refuted(claim, statement, Level.SMT, scope, counterexample=dict(outcome.model or {}), evidence=evidence)
    return Result.unknown(claim, statement, outcome.reason, scope, evidence=evidence)
