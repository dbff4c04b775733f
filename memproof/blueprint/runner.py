"""Run a blueprint's checkers in dependency order (``memproof verify``).

A claim is checked only when every premise it uses is proved; otherwise it is *skipped* with the
premises that are not established, never run blind. A claim with no checker yet is skipped with its
``planned`` note, visibly. The level a claim is *established* at is the weakest level among the claim
itself and everything it rests on.
"""
from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Callable, Iterable

from ..checkers.context import CheckContext
from ..results import Level, Outcome, Result, Scope
from .graph import check_order, dependency_graph, resolve_checker, with_premises
from .parse import Blueprint, Claim

#: Reason of the claims left unchecked when the run was interrupted (Ctrl-C).
INTERRUPTED = "interrupted by the user before this claim was checked"


@dataclasses.dataclass(frozen=True)
class ClaimEntry:
    """A claim, its result, and the level it is established at through its premises."""

    claim: Claim
    result: Result
    established: Level | None
    selected: bool = True


def _established(result: Result, premises: Iterable[Level | None]) -> Level | None:
    if result.outcome is not Outcome.PROVED or result.level is None:
        return None
    levels = [result.level, *premises]
    return None if any(lv is None for lv in levels) else min(levels)  # type: ignore[type-var]


def _run_checker(claim: Claim, ctx: CheckContext) -> Result:
    start = time.perf_counter()
    try:
        result = resolve_checker(claim.checker)(ctx)  # type: ignore[arg-type]
        if not isinstance(result, Result):
            raise TypeError(f"checker {claim.checker} returned {type(result).__name__}, not Result")
    except Exception as exc:  # noqa: BLE001 - a failing checker is reported, never fatal
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Result.error(claim.id, claim.title, f"checker raised {tb}", seconds=time.perf_counter() - start,
                            evidence={"traceback": traceback.format_exc(limit=8)})
    if result.claim != claim.id:
        result = result.replace(claim=claim.id)
    return result.replace(seconds=time.perf_counter() - start, seed=ctx.seed)


def run_blueprint(
    blueprint: Blueprint,
    *,
    claims: Iterable[str] | None = None,
    seed: int = 0,
    quick: bool = False,
    on_result: Callable[[ClaimEntry], None] | None = None,
) -> list[ClaimEntry]:
    """Check ``claims`` (default: all) and the claims they rest on, premises first.

    Parameters
    ----------
    blueprint : Blueprint
        The parsed proof.
    claims : iterable of str, optional
        Claim ids to check; their premises are checked too (marked ``selected=False``).
    seed : int
        Master seed handed to every checker through :class:`CheckContext`.
    quick : bool
        Small instance sizes (used by the test suite).
    on_result : callable, optional
        Called with each :class:`ClaimEntry` as soon as it is known (progress display).

    On Ctrl-C the claim being checked and all later ones are returned as skipped with reason
    :data:`INTERRUPTED`, so that the caller can still write the report of what was done.
    """
    graph = dependency_graph(blueprint)
    selected = set(graph.nodes) if claims is None else set(claims)
    needed = with_premises(graph, selected)
    entries: dict[str, ClaimEntry] = {}
    interrupted = False
    for claim_id in check_order(graph):
        if claim_id not in needed:
            continue
        claim: Claim = graph.nodes[claim_id]["claim"]
        open_premises = [p for p in claim.uses if entries[p].established is None]
        if interrupted:
            result = Result.skipped(claim.id, claim.title, INTERRUPTED)
        elif claim.checker is None:
            why = f"not yet checked ({claim.planned})" if claim.planned else "not yet checked: no checker in the blueprint"
            result = Result.skipped(claim.id, claim.title, why, scope=Scope.universal("not checked"))
        elif open_premises:
            result = Result.skipped(claim.id, claim.title, "premises not established: " + ", ".join(open_premises))
        else:
            ctx = CheckContext(seed=seed, quick=quick, premises={p: entries[p].result for p in claim.uses})
            try:
                result = _run_checker(claim, ctx)
            except KeyboardInterrupt:  # keep what is done; the caller writes the partial report
                interrupted = True
                result = Result.skipped(claim.id, claim.title, INTERRUPTED)
        entry = ClaimEntry(claim, result, _established(result, (entries[p].established for p in claim.uses)),
                           selected=claim_id in selected)
        entries[claim_id] = entry
        if on_result is not None:
            on_result(entry)
    return [entries[c] for c in check_order(graph) if c in entries]


def exit_code(entries: Iterable[ClaimEntry], require: Level = Level.EMPIRICAL, strict: bool = False) -> int:
    """0 all requirements met, 1 something refuted, 3 internal error, 2 unknown or below ``require``.

    Claims with no checker yet count only when ``strict`` is set.
    """
    entries = list(entries)
    if any(e.result.outcome is Outcome.REFUTED for e in entries):
        return 1
    if any(e.result.outcome is Outcome.ERROR for e in entries):
        return 3
    for e in entries:
        if not e.selected or (e.claim.checker is None and not strict):
            continue
        if e.established is None or e.established < require:
            return 2
    return 0
